/* The askcred command: what its files share. The command talks only to
 * libaskcred (askcred.h); it never loads a provider module itself. Every
 * cmd_* function returns the process exit status (exitcode.c). */
#ifndef ASKCRED_CLI_CLI_H
#define ASKCRED_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <askcred/askcred.h>

#include "usage.h"

/* Exit statuses, sysexits(3) numbers: see exitcode.c for the mapping. */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 64,
	EXIT_CONFIG = 65,
	EXIT_NOT_FOUND = 66,
	EXIT_DENIED = 67,
	EXIT_INVALID = 68,
	EXIT_UNAVAILABLE = 69,
	EXIT_INTERNAL = 70,
};

/* Verbosity: -q, default, -v, -vv. */
enum { VERB_QUIET = -1, VERB_NORMAL = 0, VERB_INFO = 1, VERB_DEBUG = 2 };

/* What the process was started with, before main() hardened it; exec
 * gives it back to the child so hardening meant for askcred does not leak
 * into the user's command. */
struct saved_limits {
	struct rlimit core;
	int core_valid;
	mode_t umask;
};

/* Global state of one run: options, then the stack once opened. */
struct cli {
	const char *stack; /* name, or path (contains '/') */
	struct askcred_options opts;
	int verbosity;	   /* VERB_* */
	askcred_stack *st; /* NULL until cli_open_stack() */
	struct saved_limits saved;
};

/* main.c: open the stack named by the global options (once). Returns an
 * exit status and reports the failure on stderr. */
int cli_open_stack(struct cli *cli);

/* Commands. argv[0] is the command name; getopt state is reset. */
int cmd_get(struct cli *cli, int argc, char **argv);
int cmd_env(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_validate(struct cli *cli, int argc, char **argv);
int cmd_refresh(struct cli *cli, int argc, char **argv);
int cmd_revoke(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_gc(struct cli *cli, int argc, char **argv);
int cmd_tokens(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_setup(struct cli *cli, int argc, char **argv);

/* request.c: command options, and fetching through the stack. */
/* The options of every command that fetches a credential. */
#define REQUEST_OPTIONS "purpose,min-validity,lifetime,no-cache,force-refresh"

/* What a command's options said. */
struct cmd_args {
	struct askcred_request req; /* request options */
	const char *format;	    /* --format, or NULL */
	int json;		    /* --json */
	const char *runner_config;  /* exec --runner-config, or NULL */
	struct {		    /* exec --renew and its options */
		int on;
		const char *on_renew, *stop_signal; /* as given, or NULL */
		uint32_t stop_timeout, overlap;
		int stop_timeout_set, overlap_set;
	} renew;
};
/* Parse cmd's options (argv[0] is cmd) into a, accepting only those named
 * in accepted ("purpose,min-validity,...") and --help. Operands are
 * refused unless operands is set; then optind indexes the first one.
 * Returns -1 when the command should go on, or the exit status to end
 * with: EXIT_OK after --help, EXIT_USAGE after a bad option. */
int parse_command(const char *cmd, int argc, char **argv, const char *accepted,
		  int operands, struct cmd_args *a);
/* Fetch (refresh: obtain anew) one credential for cmd. On failure
 * reports it and returns the exit status; *out is the stack's, to give
 * back with askcred_release(). */
int request_fetch(struct cli *cli, const char *cmd,
		  const struct askcred_request *req, int refresh,
		  const struct askcred_credential **out);
/* Print the help text of cmd (NULL: the global help) on stdout. */
void print_help(const char *cmd);

/* hoist.c: move global options written after the command ("get --stack
 * ci") in front of it, permuting argv in place; words after the first
 * operand or "--" are never touched. Returns how many words moved, or -1
 * when out of memory. */
int hoist_global_options(int argc, char **argv);
/* help.c: print_help() on out; -1 (nothing printed) when cmd is not a
 * command. */
int print_help_on(FILE *out, const char *cmd);

/* exitcode.c */
int exit_code_for(askcred_status status);
/* One line on stderr: "askcred: <what>: <message> (<where>); <hint>".
 * Returns exit_code_for(status). err may be NULL. */
int report_failure(const char *what, askcred_status status,
		   const struct askcred_error *err);
/* The same with a hint that fits the caller better than the table's. */
int report_failure_hint(const char *what, askcred_status status,
			const struct askcred_error *err, const char *hint);
/* --json anywhere on the command line: every failure is also printed as
 * {"error": {"exit", "status", "doing", "message", "where", "hint"}} on
 * stdout (json_error_out() does nothing until it is switched on). */
void set_json_errors(int on);
void json_error_out(int exit_code, const char *status, const char *doing,
		    const char *message, const char *where, const char *hint);
/* Text from a provider or server may hold terminal escapes: copy src into
 * dst (size > 0) with every control character (C0, DEL and the C1 range
 * U+0080..U+009F) shown as '?'. */
void sanitize_text(char *dst, size_t size, const char *src);

/* duration.c: "90s", "1h30m", "2d" or plain seconds (common/duration.h),
 * at most UINT32_MAX seconds. 0; -1 when s is not a duration; -2 when it
 * is too large. */
int parse_duration(const char *s, uint32_t *out);
/* The largest two units, "1d2h", "5m3s", "42s"; negative gives "0s". */
void format_duration(int64_t seconds, char *buf, size_t size);

#endif
