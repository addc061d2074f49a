/* PAM control flags: what a module's result does to the stack's verdict.
 * The keywords and the dispatch loop are Linux-PAM's (pam_handlers.c and
 * _pam_dispatch_aux in pam_dispatch.c), minus jumps and reset. */
#ifndef ASKCRED_HOST_CONTROL_H
#define ASKCRED_HOST_CONTROL_H

#include <askcred/provider.h>

enum action {
	ACT_IGNORE = 0, /* the result does not count */
	ACT_OK,		/* counts toward success; go on */
	ACT_DONE,	/* success; stop unless something already failed */
	ACT_BAD,	/* failure; go on */
	ACT_DIE		/* failure; stop now */
};

/* The action for every status. */
struct control {
	unsigned char act[ASKCRED_STATUS_COUNT];
};

/* Parse a control word: required, requisite, sufficient, optional or a
 * bracket form "[value=action ...]". file and line only name the place in
 * err. */
askcred_status control_parse(const char *word, struct control *c,
			     const char *file, unsigned line,
			     struct askcred_error *err);

/* The running verdict of one dispatch. */
enum impression { IMP_UNDEF = 0, IMP_SUCCESS, IMP_FAILURE };

struct verdict {
	enum impression impression;
	askcred_status status; /* what the stack returns if it ends now */
	int status_from;       /* index of the step that set status, or -1 */
};

void verdict_init(struct verdict *v);

/* Fold one module result into the verdict. Returns the action taken;
 * *stop is set when the dispatch must end here. *counted is set when this
 * result became the verdict's status (its error message is the one to
 * report). */
enum action verdict_step(struct verdict *v, const struct control *c,
			 askcred_status rc, int step, int *stop, int *counted);

/* The final result: a success only if something succeeded and nothing
 * failed; ASKCRED_NOT_FOUND when every module ignored the request. */
askcred_status verdict_result(const struct verdict *v);

#endif
