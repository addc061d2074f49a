/* Where credentials come from. One file per source (source_static.c, later
 * source_mint.c, ...); the instance picks one by the "source=" argument and
 * never knows which it is talking to.
 *
 * Every operation may run concurrently on one instance. */
#ifndef ASKCRED_PLUGIN_SOURCE_H
#define ASKCRED_PLUGIN_SOURCE_H

#include <stddef.h>

#include <askcred/provider.h>

#include "record.h"

struct instance;

struct source_ops {
	const char *name; /* the "source=" value, also record->source */
	/* Obtain a credential. req is normalised by the instance: every ABI
	 * 1.0 field is present, workspace_id is the wanted workspace (or
	 * NULL: any) and min_validity the effective one. Fills *out (zeroed
	 * by the caller; the caller clears it). */
	askcred_status (*fetch)(struct instance *inst,
				const struct askcred_request *req,
				struct token_record *out,
				struct askcred_error *err);
	/* Is cred (possibly another module's) still good? NULL: IGNORE. */
	askcred_status (*validate)(struct instance *inst,
				   const struct askcred_credential *cred,
				   struct askcred_error *err);
	/* Delete cred at its issuer. NULL: IGNORE. */
	askcred_status (*revoke)(struct instance *inst,
				 const struct askcred_credential *cred,
				 struct askcred_error *err);
};

extern const struct source_ops source_static;

/* The source called name, or NULL. */
const struct source_ops *source_find(const char *name);

/* The names of all sources, comma-separated, for messages. */
void source_names(char *buf, size_t size);

#endif
