/* The exec source: a program of the user's choice prints the credential
 * (docs/exec-protocol.md), so Vault, pass or any secret store can feed
 * askcred through a few lines of script.
 *
 * We run it the way a careful setuid helper would run a child: no shell,
 * the program checked like a key file (ours or root's, not writable by
 * others), a fixed small environment, nothing inherited but stdin, stdout
 * and stderr, its own process group so a timeout kills whatever it
 * started, bounded output, and always reaped. stdout holds the token: it is
 * parsed (answer.c) and wiped, never quoted. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "answer.h"
#include "clock.h"
#include "credcheck.h"
#include "error.h"
#include "expiry.h"
#include "plugin_config.h"
#include "remote.h"
#include "safefile.h"
#include "source.h"

#define OUT_MAX (64 * 1024) /* a credential answer is a few hundred bytes */
#define ERR_MAX (4 * 1024)
#define ERR_LINE_MAX 200   /* what of stderr goes into a message */
#define KILL_GRACE_MS 1000 /* SIGTERM, then this long, then SIGKILL */
#define EXIT_CANNOT_REVOKE 3

/* Only its owner (or root) may change what we run. */
static const struct file_rules command_rules = {
	.what = "command",
	.forbidden = 022,
	.allow_root = 1,
	.max_size = 0,
};

/* One run of the command: its input and what it left behind. */
struct run {
	const char *path;
	const char *verb;	  /* argv[1]: "get" or "revoke" */
	const char *workspace_id; /* "" when any */
	const char *purpose;	  /* "" when none */
	uint32_t min_validity;
	const char *input; /* stdin; NULL: /dev/null */
	size_t input_len;
	unsigned timeout_ms;
	char *out; /* stdout, OUT_MAX + 1, wiped and freed by run_clear() */
	size_t out_len;
	char err[ERR_MAX + 1];
	size_t err_len;
	int status; /* waitpid's */
};

static void run_clear(struct run *r)
{
	free_wiped(r->out, OUT_MAX + 1);
	r->out = NULL;
	OPENSSL_cleanse(r->err, sizeof(r->err));
}

/* Keep our descriptors off 0, 1 and 2, which the child's dup2()s would
 * otherwise overwrite when the host runs with them closed. */
static int high_fd(int fd)
{
	int hi;

	if (fd < 0 || fd > 2)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return hi;
}

static int pipe_high(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	p[0] = high_fd(p[0]);
	p[1] = high_fd(p[1]);
	if (p[0] >= 0 && p[1] >= 0)
		return 0;
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
	return -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child, between fork() and execve(): async-signal-safe calls only
 * (the host may have other threads holding locks). Never returns. */
static void child_exec(const struct run *r, char *const argv[],
		       char *const envp[], int in, int out, int err, int report,
		       int maxfd)
{
	struct sigaction dfl;
	sigset_t none;
	int e;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* ignored signals stay ignored */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
	    dup2(report, 3) < 0)
		goto fail;
	if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0)
		goto fail;
	if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
		for (int fd = 4; fd < maxfd; fd++)
			close(fd);
	execve(r->path, argv, envp);
fail:
	e = errno;
	if (write(3, &e, sizeof(e)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(127);
}

/* Read what is ready on *fd into buf (cap bytes, *len used); beyond cap
 * the bytes are counted in *over and dropped. EOF or error closes *fd. */
static void drain(int *fd, char *buf, size_t cap, size_t *len, size_t *over)
{
	char scratch[4096];
	ssize_t n;

	if (*len < cap)
		n = read(*fd, buf + *len, cap - *len);
	else
		n = read(*fd, scratch, sizeof(scratch));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (*len < cap)
		*len += (size_t)n;
	else
		*over += (size_t)n;
	OPENSSL_cleanse(scratch, sizeof(scratch));
}

/* Kill the command's whole group: politely, then not. Reaps it. */
static void kill_group(pid_t pid, int *status)
{
	int64_t until = monotonic_ms() + KILL_GRACE_MS;

	kill(-pid, SIGTERM);
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (monotonic_ms() >= until) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		poll(NULL, 0, 10);
	}
	/* The leader is gone; anything it left behind goes too. */
	kill(-pid, SIGKILL);
}

/* Read stdout and stderr until both end and the child is reaped, or the
 * deadline passes, or stdout grows too big. */
static askcred_status collect(struct run *r, pid_t pid, int out, int err,
			      struct askcred_error *ae)
{
	int64_t deadline = monotonic_ms() + r->timeout_ms;
	size_t out_over = 0, err_over = 0;
	int reaped = 0;
	askcred_status rc = ASKCRED_OK;

	while (out >= 0 || err >= 0 || !reaped) {
		struct pollfd pfd[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
		int64_t left = deadline - monotonic_ms();

		if (left <= 0) {
			rc = err_set(ae, ASKCRED_UNAVAILABLE, "command_timeout",
				     "command %s did not finish within %u ms; "
				     "killed",
				     r->path, r->timeout_ms);
			break;
		}
		if (!reaped) {
			pid_t w = waitpid(pid, &r->status, WNOHANG);

			if (w == pid || (w < 0 && errno == ECHILD))
				reaped = w == pid ? 1 : -1;
			if (reaped && out < 0 && err < 0)
				break;
		}
		/* While the child lives, look at it every 20 ms (every 2 ms
		 * once its output has ended: it is about to exit): a library
		 * must not install a SIGCHLD handler to be told. */
		if (!reaped && left > 20)
			left = out < 0 && err < 0 ? 2 : 20;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR) {
			rc = err_set(ae, ASKCRED_UNAVAILABLE, "command",
				     "command %s: poll: %s", r->path,
				     strerror(errno));
			break;
		}
		if (out >= 0 && pfd[0].revents != 0)
			drain(&out, r->out, OUT_MAX, &r->out_len, &out_over);
		if (err >= 0 && pfd[1].revents != 0)
			drain(&err, r->err, ERR_MAX, &r->err_len, &err_over);
		if (out_over != 0) {
			rc = err_set(ae, ASKCRED_UNAVAILABLE, "command",
				     "command %s printed more than %d KiB on "
				     "stdout; refused",
				     r->path, OUT_MAX / 1024);
			break;
		}
	}
	close_fd(&out);
	close_fd(&err);
	r->err[r->err_len] = '\0';
	if (rc != ASKCRED_OK) {
		if (reaped == 0)
			kill_group(pid, &r->status);
		else
			kill(-pid, SIGKILL); /* what it left running */
		return rc;
	}
	if (reaped < 0)
		return err_set(ae, ASKCRED_UNAVAILABLE, "command",
			       "command %s: its exit status was lost (is "
			       "SIGCHLD ignored?)",
			       r->path);
	return ASKCRED_OK;
}

/* Run the command once, filling r->out, r->err and r->status. */
static askcred_status run_command(struct run *r, struct askcred_error *ae)
{
	char env_ws[64 + ASKCRED_UUID_LEN], env_min[64], *env_purpose = NULL;
	char *env_home = NULL;
	const char *home = secure_getenv("HOME");
	char *argv[] = {(char *)r->path, (char *)r->verb, NULL};
	char *envp[6];
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	int report[2] = {-1, -1}, fd = -1, child_errno = 0, maxfd = 1024;
	struct rlimit rl;
	pid_t pid = -1;
	ssize_t n;
	askcred_status rc;

	rc = safe_open_read(r->path, &command_rules, &fd, ae);
	if (rc == ASKCRED_NOT_FOUND)
		rc = err_set(ae, ASKCRED_CONFIG_ERROR, "command",
			     "command %s does not exist", r->path);
	if (rc != ASKCRED_OK)
		goto out;
	close_fd(&fd);

	rc = err_set(ae, ASKCRED_NO_MEMORY, "command", "out of memory");
	r->out = calloc(1, OUT_MAX + 1);
	if (asprintf(&env_home, "HOME=%s", home ? home : "/") < 0)
		env_home = NULL;
	if (asprintf(&env_purpose, "ASKCRED_PURPOSE=%s", r->purpose) < 0)
		env_purpose = NULL;
	if (r->out == NULL || env_home == NULL || env_purpose == NULL)
		goto out;
	snprintf(env_ws, sizeof(env_ws), "ASKCRED_WORKSPACE_ID=%s",
		 r->workspace_id);
	snprintf(env_min, sizeof(env_min), "ASKCRED_MIN_VALIDITY=%" PRIu32,
		 r->min_validity);
	envp[0] = (char *)"PATH=/usr/bin:/bin";
	envp[1] = env_home;
	envp[2] = env_ws;
	envp[3] = env_purpose;
	envp[4] = env_min;
	envp[5] = NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		maxfd = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;

	rc = err_set(ae, ASKCRED_UNAVAILABLE, "command",
		     "cannot run %s: no pipe", r->path);
	if (pipe_high(out) != 0 || pipe_high(err) != 0 ||
	    pipe_high(report) != 0)
		goto out;
	if (r->input != NULL) {
		/* The whole input fits the pipe's buffer, and nobody reads
		 * yet: write it now, so a child that exits early cannot send
		 * us SIGPIPE. */
		if (pipe_high(in) != 0 ||
		    write(in[1], r->input, r->input_len) !=
			    (ssize_t)r->input_len)
			goto out;
		close_fd(&in[1]);
	} else if ((in[0] = high_fd(open("/dev/null", O_RDONLY | O_CLOEXEC))) <
		   0) {
		goto out;
	}

	pid = fork();
	if (pid < 0) {
		rc = err_set(ae, ASKCRED_UNAVAILABLE, "command",
			     "cannot run %s: fork: %s", r->path,
			     strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(r, argv, envp, in[0], out[1], err[1], report[1],
			   maxfd);
	/* Also here, so the group exists before we may signal it. */
	setpgid(pid, pid);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&report[1]);
	/* execve() closes the report pipe (O_CLOEXEC) or the child writes
	 * its errno into it. */
	do
		n = read(report[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	rc = collect(r, pid, out[0], err[0], ae);
	out[0] = err[0] = -1; /* closed by collect() */
	pid = -1;
	if (rc == ASKCRED_OK && n == (ssize_t)sizeof(child_errno))
		rc = err_set(ae, ASKCRED_CONFIG_ERROR, "command",
			     "cannot run command %s: %s", r->path,
			     strerror(child_errno));
out:
	close_fd(&fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
		close_fd(&report[i]);
	}
	free(env_home);
	free(env_purpose);
	/* The failure messages prepared above are not this run's. */
	if (rc == ASKCRED_OK)
		err_clear(ae);
	return rc;
}

/* The first line of stderr, fit for a message: control characters
 * replaced, secret (when given) blotted out, cut short. */
static void stderr_line(const struct run *r, const char *secret,
			size_t secret_len, char *line, size_t size)
{
	size_t n = strcspn(r->err, "\n"), i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++) {
		if (secret_len != 0 && n - i >= secret_len &&
		    memcmp(r->err + i, secret, secret_len) == 0) {
			o += (size_t)snprintf(line + o, size - o, "[redacted]");
			o = o < size ? o : size - 1;
			i += secret_len - 1;
			continue;
		}
		unsigned char c = (unsigned char)r->err[i];
		line[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	line[o] = '\0';
}

/* Turn a finished run's exit status into a status and a message. */
static askcred_status run_status(const struct run *r, const char *secret,
				 size_t secret_len, struct askcred_error *ae)
{
	char line[ERR_LINE_MAX];

	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return ASKCRED_OK;
	stderr_line(r, secret, secret_len, line, sizeof(line));
	if (WIFSIGNALED(r->status))
		return err_set(ae, ASKCRED_UNAVAILABLE, "command",
			       "command %s %s was killed by signal %d%s%s",
			       r->path, r->verb, WTERMSIG(r->status),
			       line[0] ? ": " : "", line);
	return err_set(ae, ASKCRED_UNAVAILABLE, "command",
		       "command %s %s exited with status %d%s%s", r->path,
		       r->verb, WEXITSTATUS(r->status), line[0] ? ": " : "",
		       line);
}

static void run_init(struct run *r, const struct source_ctx *sc,
		     const char *verb)
{
	memset(r, 0, sizeof(*r));
	r->path = sc->cfg->command;
	r->verb = verb;
	r->workspace_id = "";
	r->purpose = "";
	r->timeout_ms = sc->cfg->command_timeout * 1000u;
}

static askcred_status need_command(const struct source_ctx *sc,
				   struct askcred_error *err)
{
	if (sc->cfg->command == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "command",
			       "source=exec needs command=/absolute/path");
	return ASKCRED_OK;
}

/* A command that fails may still have printed its answer, and may echo
 * the token on stderr (set -x, a chatty client): the token it printed is
 * blotted out of the stderr line we quote. */
static askcred_status fetch_status(const struct run *r,
				   struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct token_record printed = {0};
	askcred_status rc;

	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return ASKCRED_OK;
	(void)answer_parse(r->out, r->out_len, "output", source_exec.name, 0,
			   &printed, &ignored);
	rc = run_status(r, printed.token.buf, printed.token.len, err);
	record_clear(&printed);
	return rc;
}

/* The command ran and exited 0 but printed no valid answer: it breaks
 * the exec contract, and trying again later gets the same answer. A
 * configuration error (exit 65) that points at the field and the
 * contract, not "unavailable, try again later". */
static askcred_status contract_error(struct askcred_error *err)
{
	char message[sizeof(err->message)];

	if (err == NULL)
		return ASKCRED_CONFIG_ERROR;
	snprintf(message, sizeof(message),
		 "%s; fix the command to print the answer of "
		 "docs/exec-protocol.md",
		 err->message);
	memcpy(err->message, message, sizeof(err->message));
	err->code = ASKCRED_CONFIG_ERROR;
	return ASKCRED_CONFIG_ERROR;
}

static askcred_status exec_fetch(const struct source_ctx *sc,
				 const struct askcred_request *req,
				 struct token_record *out,
				 struct askcred_error *err)
{
	struct run r;
	askcred_status rc;

	if ((rc = need_command(sc, err)) != ASKCRED_OK)
		return rc;
	run_init(&r, sc, "get");
	r.workspace_id = req->workspace_id ? req->workspace_id : "";
	r.purpose = req->purpose ? req->purpose : "";
	r.min_validity = req->min_validity;
	rc = run_command(&r, err);
	if (rc == ASKCRED_OK)
		rc = fetch_status(&r, err);
	if (rc == ASKCRED_OK) {
		rc = answer_parse(r.out, r.out_len, "output of the command",
				  source_exec.name, (int64_t)time(NULL), out,
				  err);
		if (rc == ASKCRED_UNAVAILABLE)
			rc = contract_error(err);
		if (rc != ASKCRED_OK)
			err_prefix(err, "%s", r.path);
	}
	run_clear(&r);
	if (rc != ASKCRED_OK)
		return rc;
	return source_accept(req, out, "command", err);
}

/* {"workspace_id":...,"token":...,"token_id":...} into buf. The token
 * has no control characters (source_validate) but may hold '"'
 * or '\\'. -1 when it does not fit. */
static int revoke_input(const struct askcred_credential *cred, char *buf,
			size_t size, size_t *len)
{
	size_t o;
	int n;

	n = snprintf(buf, size, "{\"workspace_id\":\"%s\",\"token\":\"",
		     cred->workspace_id);
	if (n < 0 || (size_t)n >= size)
		return -1;
	o = (size_t)n;
	for (size_t i = 0; i < cred->token_len; i++) {
		char c = cred->token[i];

		if (o + 3 >= size)
			return -1;
		if (c == '"' || c == '\\')
			buf[o++] = '\\';
		buf[o++] = c;
	}
	n = cred->token_id[0]
		    ? snprintf(buf + o, size - o, "\",\"token_id\":\"%s\"}\n",
			       cred->token_id)
		    : snprintf(buf + o, size - o, "\",\"token_id\":null}\n");
	if (n < 0 || (size_t)n >= size - o)
		return -1;
	*len = o + (size_t)n;
	return 0;
}

static askcred_status exec_revoke(const struct source_ctx *sc,
				  const struct askcred_credential *cred,
				  struct askcred_error *err)
{
	char input[2 * TOKEN_MAX_LEN + 256];
	struct run r;
	askcred_status rc;

	if ((rc = need_command(sc, err)) != ASKCRED_OK)
		return rc;
	if ((rc = source_validate_shape(cred, err)) != ASKCRED_OK &&
	    rc != ASKCRED_EXPIRED)
		return rc;
	run_init(&r, sc, "revoke");
	r.workspace_id = cred->workspace_id;
	r.input = input;
	if (revoke_input(cred, input, sizeof(input), &r.input_len) != 0) {
		rc = err_set(err, ASKCRED_INVALID, "token", "token too long");
		goto out;
	}
	rc = run_command(&r, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == EXIT_CANNOT_REVOKE)
		rc = err_set(err, ASKCRED_IGNORE, "command",
			     "command %s cannot revoke", r.path);
	else
		rc = run_status(&r, cred->token, cred->token_len, err);
out:
	OPENSSL_cleanse(input, sizeof(input));
	run_clear(&r);
	return rc;
}

const struct source_ops source_exec = {
	.name = "exec",
	.disk_cache = 1,
	.fetch = exec_fetch,
	.validate = source_validate,
	.revoke = exec_revoke,
};
