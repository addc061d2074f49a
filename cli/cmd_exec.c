/* askcred exec: run a command with the credential in its environment only
 * (never its argv, which every local user can read in /proc), forward
 * signals to it and exit with its status, the way a shell would.
 *
 * The command is one job: job_start() hands it the credential and
 * job_wait() follows it to its end, so revoking a per-job token when the
 * job ends has one obvious place to go, right after job_wait(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "forward.h"
#include "output.h"
#include "secret.h"

extern char **environ;

/* The child's environment: ours without any ASKUI_WORKSPACE_ID or
 * ASKUI_TOKEN, plus the two fetched values. Only the token variable is
 * ours to free; the other slots point into environ. */
struct child_env {
	char **envp;
	char *ws_var;
	char *token_var;
	size_t token_var_len;
};

struct job {
	pid_t pid;
	struct forward fwd;
	int exec_errno; /* why execvp failed in the child; 0: it ran */
};

static void env_free(struct child_env *env)
{
	free_wiped(env->token_var, env->token_var_len + 1);
	free(env->ws_var);
	free(env->envp);
	memset(env, 0, sizeof(*env));
}

static int replaced(const char *entry)
{
	return strncmp(entry, "ASKUI_WORKSPACE_ID=", 19) == 0 ||
	       strncmp(entry, "ASKUI_TOKEN=", 12) == 0;
}

static int env_build(const struct askcred_credential *cred,
		     struct child_env *env)
{
	size_t n = 0, ws_len = strnlen(cred->workspace_id, ASKCRED_UUID_LEN);

	for (char **e = environ; e != NULL && *e != NULL; e++)
		n++;
	env->envp = calloc(n + 3, sizeof(char *));
	env->ws_var = malloc(sizeof("ASKUI_WORKSPACE_ID=") + ws_len);
	env->token_var_len = sizeof("ASKUI_TOKEN=") - 1 + cred->token_len;
	env->token_var = malloc(env->token_var_len + 1);
	if (env->envp == NULL || env->ws_var == NULL ||
	    env->token_var == NULL) {
		env_free(env);
		return -1;
	}
	n = 0;
	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (!replaced(*e))
			env->envp[n++] = *e;
	snprintf(env->ws_var, sizeof("ASKUI_WORKSPACE_ID=") + ws_len,
		 "ASKUI_WORKSPACE_ID=%.*s", (int)ws_len, cred->workspace_id);
	memcpy(env->token_var, "ASKUI_TOKEN=", 12);
	memcpy(env->token_var + 12, cred->token, cred->token_len);
	env->token_var[env->token_var_len] = '\0';
	env->envp[n++] = env->ws_var;
	env->envp[n] = env->token_var;
	return 0;
}

/* Between fork and exec: give the command the process state the user
 * started askcred with, not the hardening meant for askcred itself, then
 * run it. Only async-signal-safe calls here. */
static void __attribute__((noreturn))
child_run(const struct cli *cli, const struct job *job, char **envp,
	  char **argv, int err_fd)
{
	int e;

	forward_child_reset(&job->fwd);
	if (cli->saved.core_valid)
		setrlimit(RLIMIT_CORE, &cli->saved.core);
	umask(cli->saved.umask);
	environ = envp;
	execvp(argv[0], argv);
	e = errno;
	/* The parent reads this to explain the failure; a short write only
	 * loses the explanation, not the exit status. */
	if (write(err_fd, &e, sizeof(e)) < 0)
		e = errno;
	_exit(e == ENOENT ? 127 : 126);
}

/* Start the command. Releases the credential (and wipes our copy of the
 * token) as soon as the child has its own. */
static int job_start(struct cli *cli, struct job *job,
		     const struct askcred_credential *cred, char **argv)
{
	struct child_env env = {NULL, NULL, NULL, 0};
	int pipefd[2] = {-1, -1};
	int ex = EXIT_INTERNAL;
	ssize_t n;

	job->pid = -1;
	job->exec_errno = 0;
	if (env_build(cred, &env) != 0) {
		fprintf(stderr, "askcred: exec: out of memory\n");
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		fprintf(stderr, "askcred: exec: pipe: %s\n", strerror(errno));
		goto out;
	}
	if (forward_prepare(&job->fwd) != 0) {
		fprintf(stderr, "askcred: exec: cannot catch signals: %s\n",
			strerror(errno));
		forward_stop(&job->fwd);
		goto out;
	}
	job->pid = fork();
	if (job->pid == 0)
		child_run(cli, job, env.envp, argv, pipefd[1]);
	if (job->pid < 0) {
		fprintf(stderr, "askcred: exec: cannot fork: %s\n",
			strerror(errno));
		forward_stop(&job->fwd);
		goto out;
	}
	forward_start(&job->fwd, job->pid);
	env_free(&env);
	askcred_release(cli->st, cred);
	cred = NULL;
	close(pipefd[1]);
	pipefd[1] = -1;
	/* EOF: execvp succeeded and closed the pipe on exec. */
	do
		n = read(pipefd[0], &job->exec_errno, sizeof(job->exec_errno));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(job->exec_errno))
		job->exec_errno = 0;
	if (job->exec_errno != 0)
		fprintf(stderr, "askcred: exec: cannot run %s: %s\n", argv[0],
			strerror(job->exec_errno));
	ex = EXIT_OK;
out:
	if (cred != NULL)
		askcred_release(cli->st, cred);
	env_free(&env);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ex;
}

/* Wait for the child to end, forwarding signals meanwhile; its status
 * the shell way. It is reaped only after forwarding stops, so a late
 * signal can never reach another process that reused its pid. */
static int job_wait(struct job *job)
{
	siginfo_t info;
	int status = 0, r;

	do {
		memset(&info, 0, sizeof(info));
		r = waitid(P_PID, (id_t)job->pid, &info, WEXITED | WNOWAIT);
	} while (r < 0 && errno == EINTR);
	forward_stop(&job->fwd);
	if (r < 0) {
		fprintf(stderr, "askcred: exec: waitid: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	while (waitpid(job->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	struct cmd_args a;
	struct job job;
	askcred_status rc;
	int ex = parse_command("exec", argc, argv, REQUEST_OPTIONS, 1, &a);

	if (ex >= 0)
		return ex;
	if (optind >= argc)
		return usage_error("exec", "no command given (askcred exec "
					   "-- COMMAND [ARGS...])");
	ex = request_fetch(cli, "exec", &a.req, 0, &cred);
	if (ex != EXIT_OK)
		return ex;
	rc = check_credential_printable(cred, &err);
	if (rc != ASKCRED_OK) {
		askcred_release(cli->st, cred);
		return report_failure("exec", rc, &err);
	}
	ex = job_start(cli, &job, cred, argv + optind);
	if (ex != EXIT_OK)
		return ex;
	return job_wait(&job);
}
