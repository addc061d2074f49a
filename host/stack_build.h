/* Building a stack from its file (stack_build.c): where a stack name
 * leads, and the steps of every operation with include and substack lines
 * expanded. Called only from askcred_stack_open(). */
#ifndef ASKCRED_HOST_STACK_BUILD_H
#define ASKCRED_HOST_STACK_BUILD_H

#include <stddef.h>

#include <askcred/askcred.h>

#include "host.h"

/* Read opts field by field: an older caller's struct may be shorter. */
#define OPT(opts, member, fallback)                                            \
	((opts) != NULL &&                                                     \
			 (opts)->struct_size >=                                \
				 offsetof(struct askcred_options, member) +    \
					 sizeof((opts)->member) &&             \
			 (opts)->member                                        \
		 ? (opts)->member                                              \
		 : (fallback))

/* The file of a stack: a path (with a '/') as given, else a plain name
 * inside stack_dir. *path is the caller's to free(). */
askcred_status stack_locate(const char *name_or_path, const char *stack_dir,
			    char **path, struct askcred_error *err);

/* Read path (which the call takes) and everything it includes, and give
 * st its steps for every operation. The files read are kept in
 * st->files, which steps and instances point into. */
askcred_status stack_build(askcred_stack *st, char *path,
			   const struct askcred_options *opts,
			   struct askcred_error *err);

#endif
