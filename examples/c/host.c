/*
 * A minimal askcred host: open a stack, fetch one credential, show what it
 * is without showing the token, and optionally run a command with the
 * credential in its environment, the way AskUI's SDKs expect it.
 *
 *   host [-m MODULE_DIR] STACK [COMMAND [ARG...]]
 *
 * STACK is a stack name (looked up in /etc/askcred/stacks) or a path. The
 * program uses only the public API of libaskcred (<askcred/askcred.h>);
 * build it against an installed askcred with Makefile.standalone.
 */
/* setenv, gmtime_r, fork: POSIX, also under a strict -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <askcred/askcred.h>

/* Modules log through the host: this host sends their lines to stderr,
 * with the syslog level (3 error ... 7 debug). */
static void log_line(void *ctx, int level, const char *message)
{
	fprintf(ctx, "host[%d]: %s\n", level, message);
}

static void print_time(const char *label, int64_t t, const char *zero)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "%s", zero);
	printf("%s: %s\n", label, buf);
}

/* Start argv with the credential added to the child's environment only:
 * never on a command line, which every local user can read. */
static pid_t start_child(char **argv, const struct askcred_credential *cred)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fprintf(stderr, "host: fork: %s\n", strerror(errno));
	if (pid != 0)
		return pid;
	if (setenv("ASKUI_WORKSPACE_ID", cred->workspace_id, 1) != 0 ||
	    setenv("ASKUI_TOKEN", cred->token, 1) != 0)
		_exit(70);
	execvp(argv[0], argv);
	fprintf(stderr, "host: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* The child's exit status, shell style: 128 + N when signal N killed it. */
static int wait_child(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "host: waitpid: %s\n", strerror(errno));
			return 70;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct askcred_options opts = {.struct_size = sizeof(opts)};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *stack = NULL;
	askcred_status rc;
	int opt, ret = 1;

	while ((opt = getopt(argc, argv, "+m:")) != -1) {
		if (opt != 'm') {
			fprintf(stderr, "usage: host [-m MODULE_DIR] STACK "
					"[COMMAND [ARG...]]\n");
			return 64;
		}
		opts.module_dir = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: host [-m MODULE_DIR] STACK [COMMAND "
				"[ARG...]]\n");
		return 64;
	}
	opts.log = log_line;
	opts.log_ctx = stderr;

	rc = askcred_stack_open(argv[optind], &opts, &stack, &err);
	if (rc != ASKCRED_OK)
		goto out;
	/* NULL request: the stack's defaults (configured workspace, the
	 * provider's minimum validity). */
	rc = askcred_fetch(stack, NULL, &cred, &err);
	if (rc != ASKCRED_OK)
		goto out;

	printf("workspace: %s\n", cred->workspace_id);
	printf("token id: %s\n", cred->token_id[0] ? cred->token_id : "-");
	printf("source: %s\n", cred->source);
	print_time("expires", cred->expires_at, "never");

	ret = 0;
	if (optind + 1 < argc) {
		pid_t pid = start_child(argv + optind + 1, cred);

		/* The child has its own copy now: wipe ours before the wait,
		 * which may last as long as the job. */
		askcred_release(stack, cred);
		cred = NULL;
		ret = pid < 0 ? 70 : wait_child(pid);
	}
out:
	if (rc != ASKCRED_OK) {
		/* err never holds a secret, so it is safe to print. */
		fprintf(stderr, "host: %s: %s (%s)\n", askcred_strstatus(rc),
			err.message, err.where);
		ret = 1;
	}
	/* Release wipes the token in the module that made it. */
	askcred_release(stack, cred);
	askcred_stack_close(stack);
	return ret;
}
