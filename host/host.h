/* Internal shape of a stack. Everything here is built once by
 * askcred_stack_open() and read-only afterwards, which is what lets the
 * operations run from several threads without a lock. */
#ifndef ASKCRED_HOST_HOST_H
#define ASKCRED_HOST_HOST_H

#include <stddef.h>

#include <askcred/askcred.h>

#include "control.h"

/* One dlopen'd file. Loaded once per stack however many lines name it. */
struct module {
	char *path; /* resolved absolute path, the sharing key */
	void *dl;
	const struct askcred_provider *ops;
	struct module *next;
};

/* One open() of a module: lines with the same module and the same
 * arguments share it, so a credential fetched by a "fetch" line can be
 * revoked by the "revoke" line naming the same instance. */
struct module_open {
	struct module *mod;
	int argc;
	char **argv;
	void *handle;
	const char *file; /* the stack file of that line (may be included) */
	unsigned line;	  /* first line that opened it, for logs */
	struct askcred_stack *stack;
	/* Handed to open(); lives as long as the instance. */
	struct askcred_host host;
	struct module_open *next;
};

/* One usable stack line. */
struct stack_step {
	const char *file; /* the file the line is in: st->file or included */
	unsigned line;
	struct control control;
	struct module_open *inst;
	/* Substacks (pam.conf(5)): how deep the line is, and the index of
	 * the first step after its innermost substack, where done and die
	 * resume. level 0: done and die end the whole dispatch. */
	unsigned level;
	size_t end;
};

struct askcred_stack {
	char *file; /* the stack file, as opened; "where" in errors */
	/* Every file the stack was built from (file and what it included),
	 * owned here; steps and instances point into it. where_file is the
	 * one being read while the stack is opened, for the loader's
	 * messages. */
	char **files;
	size_t nfiles;
	const char *where_file;
	char *name; /* stack_name given to providers */
	char *labels;
	const char *host_name; /* static: "libaskcred <version>" */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	int log_level;
	struct module *modules;
	struct module_open *instances;
	struct stack_step *steps[ASKCRED_OP_COUNT];
	size_t nsteps[ASKCRED_OP_COUNT];
};

/* Does a provider's table reach the member? Never read past struct_size. */
#define PROVIDER_HAS(p, member)                                                \
	((p)->struct_size >=                                                   \
	 offsetof(struct askcred_provider, member) + sizeof((p)->member))

/* The operation's function, or NULL when absent or beyond struct_size. */
#define PROVIDER_OP(p, member) (PROVIDER_HAS(p, member) ? (p)->member : NULL)

const char *op_name(enum askcred_op op);

#endif
