/* askcred exec: run a command with the credential in its environment only
 * (never its argv, which every local user can read in /proc), forward
 * signals to it and exit with its status, the way a shell would.
 *
 * The command is one job with a token of its own: exec asks for a fresh
 * credential (no cache, forced refresh, the --lifetime and --purpose given)
 * so a mint source mints one for the job, and revokes it when the job
 * ends, however it ends. With --runner-config the AskUI runner's config is
 * copied with the token into a private file for the job, removed after. */
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
#include "exec.h"
#include "forward.h"
#include "output.h"
#include "runner_config.h"
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
	if (job->own_signal != 0)
		forward_child_default(job->own_signal);
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

/* Start the command; our copy of the token in its environment is wiped
 * as soon as the child has its own. The credential stays the caller's.
 * Signals are caught from the first start on; a restart (exec --renew)
 * finds them held by forward_pause() and keeps them so. */
int job_start(struct cli *cli, struct job *job,
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
	if (!job->forwarding && forward_prepare(&job->fwd) != 0) {
		fprintf(stderr, "askcred: exec: cannot catch signals: %s\n",
			strerror(errno));
		forward_stop(&job->fwd);
		goto out;
	}
	job->forwarding = 1;
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
	env_free(&env);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ex;
}

/* After the job: nothing may cut the cleanup (revocation, removing the
 * runner config) short, and a signal that comes now was meant for the
 * job, which is gone. Such signals are held; the process exits with the
 * job's status right after. */
static void add_held(sigset_t *set)
{
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

void hold_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	add_held(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void job_unforward(struct job *job)
{
	/* forward_stop() restores this mask: let it keep them held. */
	add_held(&job->fwd.old_mask);
	forward_stop(&job->fwd);
}

/* Wait for the child to end, forwarding signals meanwhile; its status
 * the shell way. It is reaped only after forwarding stops, so a late
 * signal can never reach another process that reused its pid. */
int job_wait(struct job *job)
{
	siginfo_t info;
	int status = 0, r;

	do {
		memset(&info, 0, sizeof(info));
		r = waitid(P_PID, (id_t)job->pid, &info, WEXITED | WNOWAIT);
	} while (r < 0 && errno == EINTR);
	job_unforward(job);
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

/* The command line with every "{}" replaced by path (NULL: unchanged).
 * The strings stay argv's and path's; the array is the caller's. */
static char **job_argv(char **argv, int argc, const char *path)
{
	char **out = calloc((size_t)argc + 1, sizeof(char *));

	for (int i = 0; out != NULL && i < argc; i++)
		out[i] = path != NULL && strcmp(argv[i], "{}") == 0
				 ? (char *)path
				 : argv[i];
	return out;
}

static int has_placeholder(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "{}") == 0)
			return 1;
	return 0;
}

/* What exec --json reports when the command has ended: the minted tokens
 * the job held (renewals included) that were deleted, and those whose
 * deletion failed and stays pending. */
static struct {
	unsigned revoked, pending;
} revocations;

/* A token minted for the job dies with it. A failure is one line and
 * leaves the exit status alone: the provider keeps the revocation
 * pending, 'askcred status' shows it and 'askcred gc' retries it. */
void revoke_job_token(struct cli *cli, const struct askcred_credential *cred)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_status rc;

	if (!(cred->flags & ASKCRED_CRED_MINTED))
		return;
	rc = askcred_revoke(cli->st, cred, &err);
	if (rc == ASKCRED_OK || rc == ASKCRED_IGNORE) {
		revocations.revoked++;
		return;
	}
	revocations.pending++;
	report_failure_hint("exec: cannot revoke the job's token", rc, &err,
			    "it stays pending: see 'askcred status', "
			    "retry with 'askcred gc'");
}

/* exec --json: one line after the command's own output, once it has
 * ended; before it starts, a failure is the usual {"error": ...}. */
static int print_result(int ex)
{
	json_object *o = json_object_new_object();
	json_object *e = json_object_new_object();
	int bad;

	if (o == NULL || e == NULL) {
		json_object_put(e);
		bad = 1;
	} else {
		bad = json_add(o, "exec", e) != 0 ||
		      json_add(e, "exit", json_object_new_int(ex)) != 0 ||
		      json_add(e, "tokens_revoked",
			       json_object_new_int64(revocations.revoked)) !=
			      0 ||
		      json_add(e, "revocations_pending",
			       json_object_new_int64(revocations.pending)) != 0;
	}
	fflush(stdout);
	return json_print_line(o, bad) == 0 ? ex : EXIT_INTERNAL;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	struct runner_file rf = RUNNER_FILE_INIT;
	int started = 0;
	char **cmd = NULL;
	struct cmd_args a;
	struct job job = {.forwarding = 0};
	struct renew renew;
	askcred_status rc;
	int ex =
		parse_command("exec", argc, argv,
			      "purpose,min-validity,lifetime,runner-config,"
			      "renew,on-renew,stop-signal,stop-timeout,overlap,"
			      "json",
			      1, &a);

	if (ex >= 0)
		return ex;
	ex = renew_options(&a, &renew);
	if (ex >= 0)
		return ex;
	if (a.renew.on && renew.mode != RENEW_NONE)
		job.own_signal = renew.mode == RENEW_SIGNAL
					 ? renew.reload_signal
					 : renew.stop_signal;
	if (optind >= argc)
		return usage_error("exec", "no command given (askcred exec "
					   "-- COMMAND [ARGS...])");
	if (a.runner_config != NULL &&
	    !has_placeholder(argv + optind, argc - optind))
		return usage_error("exec",
				   "--runner-config needs a {} argument in "
				   "the command, where the config's path goes");
	/* One job, one token: never a cached one, always a new one, so a
	 * mint source mints it with the job's lifetime and purpose. */
	a.req.flags |= ASKCRED_REQ_NO_CACHE | ASKCRED_REQ_FORCE_REFRESH;
	ex = request_fetch(cli, "exec", &a.req, 0, &cred);
	if (ex != EXIT_OK)
		return ex;
	rc = check_credential_printable(cred, &err);
	if (rc != ASKCRED_OK) {
		ex = report_failure("exec", rc, &err);
		goto out;
	}
	if (a.runner_config != NULL) {
		rc = runner_file_write(&rf, a.runner_config, cred->token,
				       cred->token_len, &err);
		if (rc != ASKCRED_OK) {
			ex = report_failure("exec: cannot write the runner "
					    "config",
					    rc, &err);
			goto out;
		}
	}
	cmd = job_argv(argv + optind, argc - optind,
		       a.runner_config != NULL ? rf.path : NULL);
	if (cmd == NULL) {
		fprintf(stderr, "askcred: exec: out of memory\n");
		ex = EXIT_INTERNAL;
		goto out;
	}
	ex = job_start(cli, &job, cred, cmd);
	started = ex == EXIT_OK;
	if (!(cred->flags & ASKCRED_CRED_MINTED) && !a.renew.on) {
		/* Nothing to revoke: let go of the token now. */
		askcred_release(cli->st, cred);
		cred = NULL;
	}
	renew.rf = &rf;
	renew.req = a.req;
	if (ex == EXIT_OK)
		ex = a.renew.on ? renew_supervise(cli, &job, &renew, &cred, cmd)
				: job_wait(&job);
out:
	hold_signals();
	if (runner_file_remove(&rf) != 0)
		fprintf(stderr,
			"askcred: exec: cannot remove the runner config copy: "
			"%s; delete it by hand\n",
			strerror(errno));
	if (cred != NULL) {
		revoke_job_token(cli, cred);
		askcred_release(cli->st, cred);
	}
	free(cmd);
	return started && a.json ? print_result(ex) : ex;
}
