/* Passing signals sent to askcred on to the command exec runs, the way a
 * supervisor (tini, timeout) does. Signal handlers, not sigwaitinfo():
 * a signal may be delivered to any thread of the process, and a thread a
 * module started (a resolver left running) would not have it blocked. */
#ifndef ASKCRED_CLI_FORWARD_H
#define ASKCRED_CLI_FORWARD_H

#include <signal.h>
#include <sys/types.h>

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH. */
#define FORWARD_MAX 7

struct forward {
	int sig[FORWARD_MAX];		   /* the signals we catch */
	struct sigaction old[FORWARD_MAX]; /* their actions before */
	int n;
	struct sigaction old_chld;
	sigset_t old_mask;
};

/* Before fork(): catch the forwarded signals (except those askcred was
 * started with ignored: the command inherits the ignoring), hold them
 * until forward_start(), and make sure SIGCHLD is not ignored, which
 * would lose the child's status. 0, or -1 with errno. */
int forward_prepare(struct forward *f);

/* In the child, between fork() and exec(): the signal state askcred was
 * started with. Async-signal-safe. */
void forward_child_reset(const struct forward *f);

/* In the child, after forward_child_reset(): sig at its default action
 * and not blocked, whatever askcred was started with. For a signal
 * askcred sends the command itself: started under nohup, a command
 * would inherit SIGHUP ignored, a shell cannot trap a signal ignored at
 * its start, and signal:HUP would reach nobody. Async-signal-safe. */
void forward_child_default(int sig);

/* In the parent after fork(): send signals to child from now on,
 * including any that arrived since forward_prepare(). */
void forward_start(struct forward *f, pid_t child);

/* Between two children (exec --renew restarting the command): hold the
 * forwarded signals, still caught, until forward_start() sends them to
 * the next child. Call it before reaping the one that ended. */
void forward_pause(struct forward *f);

/* Did sig come since forward_prepare() (forwarded, or held now)? */
int forward_seen(const struct forward *f, int sig);

/* After the child is reaped: stop forwarding, restore the actions. */
void forward_stop(struct forward *f);

#endif
