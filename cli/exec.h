/* askcred exec: what the one-job path (cmd_exec.c) and the supervision
 * with renewal (exec_renew.c) share. */
#ifndef ASKCRED_CLI_EXEC_H
#define ASKCRED_CLI_EXEC_H

#include <stdint.h>
#include <sys/types.h>

#include "cli.h"
#include "forward.h"
#include "runner_config.h"

struct job {
	pid_t pid;
	struct forward fwd;
	int forwarding; /* forward_prepare() done: later starts reuse it */
	int exec_errno; /* why execvp failed in the child; 0: it ran */
	/* The signal askcred itself sends the command (exec --renew: the
	 * --stop-signal, or signal:SIG's), 0 if none: it starts at its
	 * default action there (forward_child_default()). */
	int own_signal;
};

/* Start argv with cred in its environment, forwarding signals to it. A
 * job that already ran a command must be paused (forward_pause()) and
 * reaped. EXIT_OK, or the exit status after reporting the failure. */
int job_start(struct cli *cli, struct job *job,
	      const struct askcred_credential *cred, char **argv);

/* Wait for the command to end, stop forwarding, reap it; its status the
 * shell way. */
int job_wait(struct job *job);

/* Delete a token minted for the job in AskUI (a failure is one line and
 * stays pending for 'askcred gc'); nothing for one not minted. */
void revoke_job_token(struct cli *cli, const struct askcred_credential *cred);

/* Stop forwarding, the signals meant for the command held from now on. */
void job_unforward(struct job *job);

/* Hold the signals meant for a job that is gone (see cmd_exec.c). */
void hold_signals(void);

/* exec --renew. */
enum renew_mode { RENEW_RESTART, RENEW_SIGNAL, RENEW_NONE };
struct renew {
	enum renew_mode mode;
	int reload_signal; /* RENEW_SIGNAL */
	int stop_signal;
	uint32_t stop_timeout, overlap;
	const char *runner_config; /* the source of the copy, or NULL */
	struct runner_file *rf;
	struct askcred_request req; /* what each new token is asked with */
};

/* Check the --renew options of a; -1 to go on (r filled), or the exit
 * status of the usage error. */
int renew_options(const struct cmd_args *a, struct renew *r);

/* Supervise the running job: renew its token before the refresh window,
 * hand it over as r->mode says, until the command ends on its own (or
 * after a forwarded SIGINT/SIGTERM/SIGQUIT). *cred is the job's token,
 * replaced by its successors; every token but the one left in *cred is
 * revoked and released here. Returns the command's exit status. */
int renew_supervise(struct cli *cli, struct job *job, struct renew *r,
		    const struct askcred_credential **cred, char **argv);

#endif
