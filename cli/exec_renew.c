/* askcred exec --renew: keep a long-running command (an AskUI runner)
 * going past its token's lifetime. Halfway through the token's life, which
 * is before a minted token's refresh window opens (the provider cuts that
 * window to at most half the lifetime), a new token is fetched the way the
 * first one was (a new per-job token, named for this askcred so that gc
 * finds it) and handed over as --on-renew says:
 *
 *   restart     stop the command (--stop-signal, then SIGKILL after
 *               --stop-timeout) and start it again with the new token;
 *               the old one is deleted once the new command runs;
 *   signal:SIG  rewrite the --runner-config copy in place and send SIG;
 *               the old token is deleted --overlap later (a process's
 *               environment cannot change, so only the file is new);
 *   none        warn that the token will expire, and when it has.
 *
 * A failed renewal never touches the running command: it keeps its token
 * while the renewal is retried with backoff, past its expiry too. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "output.h"

#define STOP_TIMEOUT_DEFAULT 10
#define OVERLAP_DEFAULT 60
#define RETRY_FIRST 5 /* seconds before the first retry of a renewal */
#define RETRY_MAX 60  /* the longest wait between two retries */

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},	{"QUIT", SIGQUIT},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1},	{"USR2", SIGUSR2},
	{"TERM", SIGTERM}, {"WINCH", SIGWINCH},
};
#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))

/* "HUP", "SIGHUP" or "1"; 0 when none of those. */
static int parse_signal(const char *s)
{
	char *end;
	long n;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > 31)
		return 0;
	return (int)n;
}

static const char *signal_name(int sig)
{
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return "signal";
}

int renew_options(const struct cmd_args *a, struct renew *r)
{
	const char *m = a->renew.on_renew;

	memset(r, 0, sizeof(*r));
	r->mode = RENEW_RESTART;
	r->stop_signal = SIGTERM;
	r->stop_timeout = a->renew.stop_timeout_set ? a->renew.stop_timeout
						    : STOP_TIMEOUT_DEFAULT;
	r->overlap = a->renew.overlap_set ? a->renew.overlap : OVERLAP_DEFAULT;
	r->runner_config = a->runner_config;
	if (!a->renew.on && (m != NULL || a->renew.stop_signal != NULL ||
			     a->renew.stop_timeout_set || a->renew.overlap_set))
		return usage_error("exec", "--on-renew, --stop-signal, "
					   "--stop-timeout and --overlap go "
					   "with --renew");
	if (m == NULL || strcmp(m, "restart") == 0)
		r->mode = RENEW_RESTART;
	else if (strcmp(m, "none") == 0)
		r->mode = RENEW_NONE;
	else if (strncmp(m, "signal:", 7) == 0 &&
		 (r->reload_signal = parse_signal(m + 7)) != 0)
		r->mode = RENEW_SIGNAL;
	else
		return usage_error("exec",
				   "--on-renew: '%s' is not restart, none or "
				   "signal:SIG (like signal:HUP)",
				   m);
	if (r->mode == RENEW_SIGNAL && a->runner_config == NULL)
		return usage_error(
			"exec",
			"--on-renew signal:%s needs --runner-config: "
			"a running command's environment cannot "
			"change, only the config file it rereads",
			m + 7);
	if (a->renew.stop_signal != NULL &&
	    (r->stop_signal = parse_signal(a->renew.stop_signal)) == 0)
		return usage_error("exec",
				   "--stop-signal: '%s' is not a signal (like "
				   "TERM, INT, or a number)",
				   a->renew.stop_signal);
	return -1;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* When cred is to be renewed: halfway through its life (fetched_at when
 * the source does not say when it was issued); never for a token that
 * does not expire. */
static int64_t renew_point(const struct askcred_credential *cred,
			   int64_t fetched_at)
{
	int64_t from = cred->issued_at != 0 && cred->issued_at <= fetched_at
			       ? cred->issued_at
			       : fetched_at;

	if (cred->expires_at == 0)
		return INT64_MAX;
	return from + (cred->expires_at - from) / 2;
}

/* Has the command ended? 1 yes (not reaped: its pid stays ours), 0 no,
 * -1 on a waitid error. */
static int ended(const struct job *job)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, (id_t)job->pid, &info, WEXITED | WNOHANG | WNOWAIT) !=
	    0)
		return errno == EINTR ? 0 : -1;
	return info.si_pid != 0;
}

/* Wait for the command to end, at most until the Unix time until: 1 when
 * it ended, 0 when time is up or a signal came (the caller looks again),
 * -1 on error. A pidfd wakes us at its end; without one (old kernels) we
 * look once a second. */
static int wait_until(const struct job *job, int pidfd, int64_t until)
{
	int64_t left;
	int r = ended(job);
	struct pollfd p = {pidfd, POLLIN, 0};

	if (r != 0)
		return r;
	left = until - now_s();
	if (left <= 0)
		return 0;
	if (pidfd < 0 && left > 1)
		left = 1;
	if (left > INT_MAX / 1000)
		left = INT_MAX / 1000;
	poll(pidfd >= 0 ? &p : NULL, pidfd >= 0 ? 1 : 0, (int)(left * 1000));
	return ended(job);
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* SIGINT, SIGTERM or SIGQUIT came for the command: it is on its way
 * out, so it is not started again. */
static int stopping(const struct job *job)
{
	return forward_seen(&job->fwd, SIGINT) ||
	       forward_seen(&job->fwd, SIGTERM) ||
	       forward_seen(&job->fwd, SIGQUIT);
}

/* Stop the command for a restart: the stop signal, SIGKILL after the
 * timeout, then hold forwarded signals and reap it. Its status. */
static int stop_job(struct job *job, int pidfd, const struct renew *r)
{
	int status = 0;
	int64_t until = now_s() + r->stop_timeout;

	kill(job->pid, r->stop_signal);
	while (ended(job) == 0 && now_s() < until)
		wait_until(job, pidfd, until);
	if (ended(job) == 0) {
		fprintf(stderr,
			"askcred: exec: the command did not stop within %us "
			"of SIG%s; killing it (SIGKILL)\n",
			r->stop_timeout, signal_name(r->stop_signal));
		kill(job->pid, SIGKILL);
	}
	/* From here until the next start, signals wait for that one. */
	forward_pause(&job->fwd);
	while (waitpid(job->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void say_in(const char *what, int64_t t)
{
	char when[RFC3339_LEN], left[32];

	format_rfc3339(t, when);
	format_duration(t - now_s(), left, sizeof(left));
	fprintf(stderr, "askcred: exec: %s %s (in %s)\n", what, when, left);
}

static void drop(struct cli *cli, const struct askcred_credential **c)
{
	if (*c == NULL)
		return;
	revoke_job_token(cli, *c);
	askcred_release(cli->st, *c);
	*c = NULL;
}

/* A successor for cur, or NULL after warning why there is none. */
static const struct askcred_credential *
fetch_next(struct cli *cli, const struct renew *r,
	   const struct askcred_credential *cur, uint32_t retry)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *next = NULL;
	askcred_status rc = askcred_fetch(cli->st, &r->req, &next, &err);
	char hint[160], left[32];
	int64_t now = now_s();

	if (rc == ASKCRED_OK && next == NULL)
		rc = ASKCRED_INTERNAL;
	/* Never hand over a token that is no better than the one held: one
	 * expired already, or a static source's same token again. */
	if (rc == ASKCRED_OK &&
	    ((next->expires_at != 0 && next->expires_at <= now) ||
	     (cur->expires_at == 0 || (next->expires_at != 0 &&
				       next->expires_at <= cur->expires_at)))) {
		snprintf(err.message, sizeof(err.message),
			 "the stack handed out no token that lives longer "
			 "than the one the command has");
		snprintf(err.where, sizeof(err.where), "%s", next->source);
		rc = ASKCRED_EXPIRED;
		if (next->token_id[0] == '\0' ||
		    strcmp(next->token_id, cur->token_id) != 0)
			drop(cli, &next);
		else
			askcred_release(cli->st, next);
		next = NULL;
	}
	if (rc == ASKCRED_OK)
		return next;
	format_duration(cur->expires_at - now, left, sizeof(left));
	if (cur->expires_at > now)
		snprintf(hint, sizeof(hint),
			 "the command keeps its token (valid %s more); "
			 "retrying in %us",
			 left, retry);
	else
		snprintf(hint, sizeof(hint),
			 "the command keeps running on its expired token; "
			 "retrying in %us",
			 retry);
	report_failure_hint("exec: cannot renew the job's token", rc, &err,
			    hint);
	return NULL;
}

int renew_supervise(struct cli *cli, struct job *job, struct renew *r,
		    const struct askcred_credential **cred, char **argv)
{
	const struct askcred_credential *cur = *cred, *old = NULL, *next;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	int64_t renew_at = renew_point(cur, now_s()), old_until = 0, wake;
	uint32_t retry = RETRY_FIRST;
	int pidfd = open_pidfd(job->pid), expired_said = 0, ex, r_end;
	unsigned generation = 1;

	for (;;) {
		wake = renew_at;
		if (old != NULL && old_until < wake)
			wake = old_until;
		if (!expired_said && cur->expires_at != 0 &&
		    cur->expires_at < wake)
			wake = cur->expires_at;
		r_end = wait_until(job, pidfd, wake);
		if (r_end != 0)
			break; /* ended on its own (or waitid failed) */
		if (old != NULL && now_s() >= old_until)
			drop(cli, &old);
		if (stopping(job)) {
			/* On its way out: no renewal, no restart. */
			renew_at = INT64_MAX;
			expired_said = 1;
			continue;
		}
		if (!expired_said && cur->expires_at != 0 &&
		    now_s() >= cur->expires_at) {
			fprintf(stderr,
				"askcred: exec: the command's token has "
				"expired and it has no successor yet; the "
				"command keeps running%s\n",
				r->mode == RENEW_NONE ? " (--on-renew none)"
						      : ", renewal goes on");
			expired_said = 1;
		}
		if (now_s() < renew_at)
			continue;
		if (r->mode == RENEW_NONE) {
			say_in("the command's token is not renewed "
			       "(--on-renew none); it expires at",
			       cur->expires_at);
			renew_at = INT64_MAX;
			continue;
		}
		next = fetch_next(cli, r, cur, retry);
		if (next != NULL && r->rf->path[0] != '\0' &&
		    runner_file_rewrite(r->rf, r->runner_config, next->token,
					next->token_len, &err) != ASKCRED_OK) {
			report_failure_hint(
				"exec: cannot rewrite the runner config copy",
				err.code, &err,
				"the command keeps its token; retrying");
			drop(cli, &next);
		}
		if (next == NULL) {
			renew_at = now_s() + retry;
			retry = retry * 2 > RETRY_MAX ? RETRY_MAX : retry * 2;
			continue;
		}
		retry = RETRY_FIRST;
		expired_said = 0;
		generation++;
		if (r->mode == RENEW_SIGNAL) {
			kill(job->pid, r->reload_signal);
			drop(cli, &old); /* two tokens back: due anyway */
			old = cur;
			old_until = now_s() + r->overlap;
			if (old->expires_at != 0 && old->expires_at < old_until)
				old_until = old->expires_at;
		} else {
			ex = stop_job(job, pidfd, r);
			if (pidfd >= 0)
				close(pidfd);
			pidfd = -1;
			if (stopping(job)) {
				/* Asked to end while it stopped: it did. */
				drop(cli, &next);
				job_unforward(job);
				job->pid = -1;
				drop(cli, &old);
				*cred = cur;
				return ex;
			}
			ex = job_start(cli, job, next, argv);
			if (ex != EXIT_OK) {
				drop(cli, &old);
				drop(cli, &cur);
				*cred = next;
				return ex;
			}
			pidfd = open_pidfd(job->pid);
			/* The command runs with the new token: the old one
			 * can go now. */
			drop(cli, &cur);
		}
		cur = next;
		renew_at = renew_point(cur, now_s());
		if (cli->verbosity >= VERB_INFO) {
			char msg[96];

			snprintf(msg, sizeof(msg),
				 "token %u handed over; next renewal at",
				 generation);
			say_in(msg, renew_at);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	ex = job_wait(job);
	hold_signals();
	drop(cli, &old);
	*cred = cur;
	return ex;
}
