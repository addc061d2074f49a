/* askcred: the reference host runner. Parses the global options, hardens
 * the process (a token in memory must never reach a core dump), and hands
 * over to one command. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "confpath.h"
#include "output.h"
#include "text.h"

enum {
	OPT_STACK = 0x200,
	OPT_STACK_FILE,
	OPT_STACK_DIR,
	OPT_MODULE_DIR,
	OPT_LABELS,
};

static const struct option global_options[] = {
	{"stack", required_argument, NULL, OPT_STACK},
	{"stack-file", required_argument, NULL, OPT_STACK_FILE},
	{"stack-dir", required_argument, NULL, OPT_STACK_DIR},
	{"module-dir", required_argument, NULL, OPT_MODULE_DIR},
	{"labels", required_argument, NULL, OPT_LABELS},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int unknown_help_topic(const char *cmd)
{
	return usage_error("help",
			   "unknown command '%s' (get, env, exec, validate, "
			   "refresh, revoke, status, gc, policy, tokens, "
			   "setup, help)",
			   cmd);
}

/* help [--json] [COMMAND]. With --json the text is the "text" member of
 * {"help": {"command": ..., "text": ...}}, for tools that show it. */
static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const char *cmd = NULL;
	int json = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	json_object *o, *h;
	int bad;

	(void)cli;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (cmd != NULL)
			return usage_error("help", "give at most one COMMAND");
		else
			cmd = argv[i];
	}
	if (!json) {
		if (print_help_on(stdout, cmd) != 0)
			return unknown_help_topic(cmd);
		return EXIT_OK;
	}
	mem = open_memstream(&text, &len);
	if (mem == NULL) {
		fprintf(stderr, "askcred: out of memory\n");
		return EXIT_INTERNAL;
	}
	bad = print_help_on(mem, cmd);
	if (fclose(mem) != 0 || text == NULL) {
		free(text);
		fprintf(stderr, "askcred: out of memory\n");
		return EXIT_INTERNAL;
	}
	if (bad != 0) {
		free(text);
		return unknown_help_topic(cmd);
	}
	o = json_object_new_object();
	h = json_object_new_object();
	if (o == NULL || h == NULL) {
		json_object_put(h);
		bad = 1;
	} else {
		/* json_add drops h itself when it cannot add it. */
		bad = json_add(o, "help", h) != 0 ||
		      json_add(h, "command",
			       cmd ? json_object_new_string(cmd) : NULL) != 0 ||
		      json_add_string(h, "text", text, len) != 0;
	}
	free(text);
	return json_print_line(o, bad) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static const struct {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{"get", cmd_get},	  {"env", cmd_env},
	{"exec", cmd_exec},	  {"validate", cmd_validate},
	{"refresh", cmd_refresh}, {"revoke", cmd_revoke},
	{"status", cmd_status},	  {"gc", cmd_gc},
	{"policy", cmd_policy},	  {"setup", cmd_setup},
	{"tokens", cmd_tokens},	  {"help", cmd_help},
};

static const char *const level_names[] = {
	[ASKCRED_LOG_ERR] = "error",	 [ASKCRED_LOG_WARNING] = "warning",
	[ASKCRED_LOG_NOTICE] = "notice", [ASKCRED_LOG_INFO] = "info",
	[ASKCRED_LOG_DEBUG] = "debug",
};

static int max_level(int verbosity)
{
	switch (verbosity) {
	case VERB_QUIET:
		return ASKCRED_LOG_ERR;
	case VERB_NORMAL:
		return ASKCRED_LOG_NOTICE;
	case VERB_INFO:
		return ASKCRED_LOG_INFO;
	default:
		return ASKCRED_LOG_DEBUG;
	}
}

/* The host library's log callback. Modules never pass secrets, but their
 * text may quote a server, so control characters are neutralised. */
static void log_line(void *ctx, int level, const char *message)
{
	const struct cli *cli = ctx;
	char clean[1024];
	const char *name = "log";

	if (level > max_level(cli->verbosity))
		return;
	if (level >= ASKCRED_LOG_ERR && level <= ASKCRED_LOG_DEBUG)
		name = level_names[level];
	sanitize_text(clean, sizeof(clean), message);
	fprintf(stderr, "askcred[%s]: %s\n", name, clean);
}

/* Keep the token out of core dumps and out of files readable by others.
 * Only the soft core limit drops, so exec can give the child back what
 * the user had. */
static void harden(struct saved_limits *saved)
{
	struct rlimit none;

#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fprintf(stderr,
			"askcred[warning]: cannot disable core dumps: "
			"%s\n",
			strerror(errno));
#endif
	saved->core_valid = getrlimit(RLIMIT_CORE, &saved->core) == 0;
	none.rlim_cur = 0;
	none.rlim_max = saved->core_valid ? saved->core.rlim_max : 0;
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		fprintf(stderr,
			"askcred[warning]: cannot set the core size "
			"limit to 0: %s\n",
			strerror(errno));
	saved->umask = umask(077);
}

int cli_open_stack(struct cli *cli)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char what[256];
	askcred_status rc;

	if (cli->st != NULL)
		return EXIT_OK;
	rc = askcred_stack_open(cli->stack, &cli->opts, &cli->st, &err);
	if (rc == ASKCRED_OK && cli->st == NULL)
		rc = ASKCRED_INTERNAL;
	if (rc != ASKCRED_OK) {
		cli->st = NULL;
		snprintf(what, sizeof(what), "cannot open stack %s",
			 cli->stack);
		/* Only a missing stack file is fixed by naming another
		 * stack; a module's missing file (a parent credential) is
		 * named by the message itself. */
		return report_failure_hint(
			what, rc, &err,
			rc == ASKCRED_NOT_FOUND && strstr(err.message,
							  "stack file") != NULL
				? "name an existing stack with --stack, "
				  "--stack-file or --stack-dir"
				: NULL);
	}
	return EXIT_OK;
}

static int printable(const char *s)
{
	size_t n = strlen(s);

	return text_control_at(s, n) == n;
}

/* A stack name is looked up in the stack directory; a path must say so
 * with --stack-file, so "default" can never pick up ./default. */
static int check_stack_name(const char *name, const char *from)
{
	if (*name == '\0' || strchr(name, '/') != NULL || !printable(name) ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return usage_error(NULL,
				   "%s: '%s' is not a stack name (use "
				   "--stack-file for a path)",
				   from, name);
	return EXIT_OK;
}

/* A user's own stacks ($XDG_CONFIG_HOME/askcred/stacks, where askcred
 * setup writes them) come before the host's: the directory when it holds
 * the named stack, else NULL (the library's default directory). */
static const char *user_stack_dir(const char *name)
{
	static char dir[4096];
	char path[4096 + 256];
	struct stat sb;

	if (conf_user_dir(dir, sizeof(dir) - 8) != 0)
		return NULL;
	strcat(dir, "/stacks");
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    (int)sizeof(path) ||
	    lstat(path, &sb) != 0)
		return NULL;
	return dir;
}

static int parse_globals(struct cli *cli, int argc, char **argv, char *path_buf,
			 size_t path_size)
{
	const char *stack_file = NULL;
	const char *env_stack = getenv("ASKCRED_STACK");
	int stack_given = 0;
	int c, ex;

	cli->stack =
		env_stack != NULL && *env_stack != '\0' ? env_stack : "default";
	opterr = 0; /* errors are reported in one line by option_error() */
	while ((c = getopt_long(argc, argv, "+:qvhV", global_options, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_STACK:
			cli->stack = optarg;
			stack_given = 1;
			break;
		case OPT_STACK_FILE:
			stack_file = optarg;
			break;
		case OPT_STACK_DIR:
			cli->opts.stack_dir = optarg;
			break;
		case OPT_MODULE_DIR:
			cli->opts.module_dir = optarg;
			break;
		case OPT_LABELS:
			if (!printable(optarg))
				return usage_error(NULL, "--labels must be "
							 "printable");
			cli->opts.labels = optarg;
			break;
		case 'q':
			cli->verbosity = VERB_QUIET;
			break;
		case 'v':
			if (cli->verbosity < VERB_DEBUG)
				cli->verbosity = cli->verbosity < 0
							 ? VERB_INFO
							 : cli->verbosity + 1;
			break;
		case 'h':
			print_help(NULL);
			return -1;
		case 'V':
			printf("askcred %s (libaskcred %s)\n", PACKAGE_VERSION,
			       askcred_version());
			return -1;
		default:
			return option_error(NULL, c, argv);
		}
	}
	if (stack_file != NULL) {
		if (stack_given)
			return usage_error(NULL, "--stack and --stack-file "
						 "exclude each other");
		/* The library reads a name without '/' as a stack name. */
		if (snprintf(path_buf, path_size, "%s%s",
			     strchr(stack_file, '/') ? "" : "./",
			     stack_file) >= (int)path_size)
			return usage_error(NULL, "--stack-file: path too long");
		cli->stack = path_buf;
		return EXIT_OK;
	}
	ex = check_stack_name(cli->stack,
			      stack_given ? "--stack" : "ASKCRED_STACK");
	if (ex == EXIT_OK && cli->opts.stack_dir == NULL)
		cli->opts.stack_dir = user_stack_dir(cli->stack);
	return ex;
}

int main(int argc, char **argv)
{
	struct cli cli;
	char path_buf[4096];
	int ex;

	memset(&cli, 0, sizeof(cli));
	harden(&cli.saved);
	cli.opts.struct_size = sizeof(cli.opts);
	cli.opts.log = log_line;
	cli.opts.log_ctx = &cli;

	/* --json anywhere before exec's "--": errors in JSON too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			set_json_errors(1);
	if (hoist_global_options(argc, argv) < 0) {
		fprintf(stderr, "askcred: out of memory\n");
		return EXIT_INTERNAL;
	}
	ex = parse_globals(&cli, argc, argv, path_buf, sizeof(path_buf));
	if (ex != EXIT_OK)
		return ex < 0 ? EXIT_OK : ex;
	cli.opts.log_level = max_level(cli.verbosity);
	if (optind >= argc)
		return usage_error(NULL, "no command given");

	ex = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **sub = argv + optind;
			int subc = argc - optind;

			optind = 0; /* glibc: start the next parse afresh */
			ex = commands[i].run(&cli, subc, sub);
			break;
		}
	}
	if (ex < 0)
		ex = usage_error(NULL, "unknown command '%s'", argv[optind]);
	if (cli.st != NULL)
		askcred_stack_close(cli.st);
	if (fflush(stdout) != 0 && ex == EXIT_OK) {
		fprintf(stderr, "askcred: cannot write output: %s\n",
			strerror(errno));
		ex = EXIT_INTERNAL;
	}
	return ex;
}
