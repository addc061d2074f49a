/* Signal forwarding for askcred exec; see forward.h for why handlers. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "forward.h"

static const int forwarded[FORWARD_MAX] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

/* The child, once known (0 before). A signal that comes before it is
 * known is parked in pending and sent by whoever sees the pid first:
 * the handler after parking it, or forward_start() after publishing the
 * pid. Sequentially consistent atomics make one of them see it. */
static atomic_int child_pid;
static atomic_uint pending;
/* Every signal caught since forward_prepare(), forwarded, parked, or
 * left to the terminal (Ctrl-C): what exec --renew asks before it starts
 * the command again. */
static atomic_uint seen;

static void flush_pending(pid_t pid)
{
	unsigned bits = atomic_exchange(&pending, 0u);

	for (int sig = 0; bits != 0; sig++, bits >>= 1)
		if (bits & 1u)
			kill(pid, sig);
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved_errno = errno;
	pid_t pid = atomic_load(&child_pid);

	(void)uctx;
	atomic_fetch_or(&seen, 1u << sig);
	/* The terminal signals the whole foreground process group (Ctrl-C,
	 * Ctrl-\, a resize): if the child is still in ours, it has its own
	 * copy, and a second one would look like a second keypress. */
	if (pid > 0 && info != NULL && info->si_code == SI_KERNEL &&
	    getpgid(pid) == getpgrp()) {
		errno = saved_errno;
		return;
	}
	atomic_fetch_or(&pending, 1u << sig);
	pid = atomic_load(&child_pid);
	if (pid > 0)
		flush_pending(pid);
	errno = saved_errno;
}

int forward_prepare(struct forward *f)
{
	struct sigaction sa, dfl;
	sigset_t block;

	memset(f, 0, sizeof(*f));
	atomic_store(&seen, 0u);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&block);
	for (size_t i = 0; i < FORWARD_MAX; i++)
		sigaddset(&block, forwarded[i]);
	/* One handler at a time: pending updates stay simple. */
	sa.sa_mask = block;
	if (sigprocmask(SIG_BLOCK, &block, &f->old_mask) != 0)
		return -1;
	for (size_t i = 0; i < FORWARD_MAX; i++) {
		struct sigaction cur;

		if (sigaction(forwarded[i], NULL, &cur) != 0)
			return -1;
		if (cur.sa_handler == SIG_IGN)
			continue;
		if (sigaction(forwarded[i], &sa, &f->old[f->n]) != 0)
			return -1;
		f->sig[f->n++] = forwarded[i];
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	return sigaction(SIGCHLD, &dfl, &f->old_chld);
}

void forward_child_reset(const struct forward *f)
{
	for (int i = 0; i < f->n; i++)
		sigaction(f->sig[i], &f->old[i], NULL);
	sigaction(SIGCHLD, &f->old_chld, NULL);
	sigprocmask(SIG_SETMASK, &f->old_mask, NULL);
}

void forward_child_default(int sig)
{
	struct sigaction dfl;
	sigset_t unblock;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&unblock);
	sigaddset(&unblock, sig);
	sigaction(sig, &dfl, NULL);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

void forward_start(struct forward *f, pid_t child)
{
	atomic_store(&child_pid, child);
	flush_pending(child);
	/* Signals held since forward_prepare() arrive now, forwarded. */
	sigprocmask(SIG_SETMASK, &f->old_mask, NULL);
}

void forward_pause(struct forward *f)
{
	sigset_t block;

	sigemptyset(&block);
	for (int i = 0; i < f->n; i++)
		sigaddset(&block, f->sig[i]);
	sigprocmask(SIG_BLOCK, &block, NULL);
	atomic_store(&child_pid, 0);
}

int forward_seen(const struct forward *f, int sig)
{
	sigset_t held;

	if (atomic_load(&seen) & (1u << sig))
		return 1;
	for (int i = 0; i < f->n; i++)
		if (f->sig[i] == sig)
			return sigpending(&held) == 0 &&
			       sigismember(&held, sig);
	return 0;
}

void forward_stop(struct forward *f)
{
	forward_pause(f);
	atomic_store(&pending, 0u);
	for (int i = 0; i < f->n; i++)
		sigaction(f->sig[i], &f->old[i], NULL);
	sigaction(SIGCHLD, &f->old_chld, NULL);
	sigprocmask(SIG_SETMASK, &f->old_mask, NULL);
}
