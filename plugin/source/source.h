/* Where credentials come from. One file per source (source_static.c, later
 * source_mint.c, ...); the instance picks one by the "source=" argument and
 * never knows which it is talking to.
 *
 * Every operation may run concurrently on one instance. */
#ifndef ASKCRED_PLUGIN_SOURCE_H
#define ASKCRED_PLUGIN_SOURCE_H

#include <stddef.h>

#include <stdint.h>

#include <askcred/provider.h>

#include "record.h"

struct cache;
struct enforce;
struct log_sink;
struct metrics;
struct pending_watch;
struct plugin_config;
struct remote;
struct source_ops;

/* What a source, and the files that serve it (obtain, pending, gc), may
 * reach of its instance: the configuration (read only), the log sink, the
 * network handle, the disk cache and the policy gate. Not the instance:
 * its host struct, memory cache, credential pool and locks are the core's
 * (instance.c). Every pointer is the instance's, valid until
 * instance_close(); the handles are thread-safe themselves. */
struct source_ctx {
	const struct plugin_config *cfg;
	const struct log_sink *log;
	struct remote *net;
	struct cache *cache;		 /* NULL: no disk cache (cache=off) */
	struct enforce *gate;		 /* the policy and the audit */
	const struct source_ops *source; /* the one source= picked */
	struct metrics *metrics;	 /* NULL: no metrics_file= */
	/* When to look for due rotations next (pending.h); NULL: at
	 * every call. */
	struct pending_watch *pending;
};

struct source_ops {
	const char *name; /* the "source=" value, also record->source */
	/* Tokens worth keeping in the disk cache: those that cost a server
	 * call or a program run. A static token is already on this host. */
	int disk_cache;
	/* Obtain a credential. req is normalised by the instance: every ABI
	 * 1.0 field is present, workspace_id is the wanted workspace (or
	 * NULL: any) and min_validity the effective one. Fills *out (zeroed
	 * by the caller; the caller clears it). */
	askcred_status (*fetch)(const struct source_ctx *sc,
				const struct askcred_request *req,
				struct token_record *out,
				struct askcred_error *err);
	/* Is cred (possibly another module's) still good? NULL: IGNORE. */
	askcred_status (*validate)(const struct source_ctx *sc,
				   const struct askcred_credential *cred,
				   struct askcred_error *err);
	/* Delete cred at its issuer. NULL: IGNORE. */
	askcred_status (*revoke)(const struct source_ctx *sc,
				 const struct askcred_credential *cred,
				 struct askcred_error *err);
};

extern const struct source_ops source_static;
extern const struct source_ops source_mint;
extern const struct source_ops source_broker, source_exec;

/* The lifetime, in seconds, a mint for req asks for: the request's, else
 * the module's lifetime=, cut to the policy's max_lifetime. */
int64_t mint_lifetime(const struct source_ctx *sc,
		      const struct askcred_request *req);

/* A JSON credentials file as the static source reads it (source_static.c):
 * mode 0600 or stricter, ours. The mint source reads its parent credential
 * with it. rec->source is "static". */
askcred_status credentials_file_read(const char *path, struct token_record *rec,
				     struct askcred_error *err);

/* What every source's validate() checks first, without a network: the
 * workspace id, the token's shape, and expiry. */
askcred_status source_validate_shape(const struct askcred_credential *cred,
				     struct askcred_error *err);
/* The validate() of every source: the shape, then (online_validate=on)
 * whether AskUI still knows the token. */
askcred_status source_validate(const struct source_ctx *sc,
			       const struct askcred_credential *cred,
			       struct askcred_error *err);
/* What every fetch checks of what its source gave: the requested
 * workspace (NOT_FOUND naming both) and req->min_validity left (where
 * names the source's argument for messages). */
askcred_status source_accept(const struct askcred_request *req,
			     const struct token_record *rec, const char *where,
			     struct askcred_error *err);

/* The source called name, or NULL. */
const struct source_ops *source_find(const char *name);

/* The names of all sources, comma-separated, for messages. */
void source_names(char *buf, size_t size);

#endif
