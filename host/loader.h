/* Module loading: resolve a module word to a file, dlopen it once per
 * stack, check its ABI, and open one instance per distinct argument list.
 * Called only from askcred_stack_open(), never concurrently. */
#ifndef ASKCRED_HOST_LOADER_H
#define ASKCRED_HOST_LOADER_H

#include "host.h"

/* Turn the module word of a stack line into a path: absolute paths as
 * they are; a bare name inside module_dir, with ".so" appended when it has
 * no such suffix. Relative paths with '/' are refused. *path is the
 * caller's to free(). */
askcred_status module_resolve(const char *word, const char *module_dir,
			      char **path, const char *file, unsigned line,
			      struct askcred_error *err);

/* The stack's module for path, loading and checking it on first use. */
askcred_status module_load(struct askcred_stack *st, const char *path,
			   struct module **out, unsigned line,
			   struct askcred_error *err);

/* The stack's instance of mod with exactly these arguments, opening a new
 * one when none matches. */
askcred_status instance_get(struct askcred_stack *st, struct module *mod,
			    int argc, char *const *argv, unsigned line,
			    struct module_open **out,
			    struct askcred_error *err);

/* Close every instance once, then dlclose every module. */
void loader_unload(struct askcred_stack *st);

#endif
