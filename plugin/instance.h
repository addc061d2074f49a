/* One provider instance: one module line of one stack. It owns its parsed
 * arguments, a copy of the host's callbacks, the chosen source, the
 * in-memory cache and every credential object it hands out.
 *
 * The provider operations in entry.c are thin wrappers around these.
 * Everything but instance_open/instance_close is safe to call concurrently
 * on one instance; nothing here touches global mutable state. */
#ifndef ASKCRED_PLUGIN_INSTANCE_H
#define ASKCRED_PLUGIN_INSTANCE_H

#include <pthread.h>

#include <askcred/provider.h>

#include "cache/cache.h"
#include "cred.h"
#include "enforce.h"
#include "log.h"
#include "memcache.h"
#include "pending.h"
#include "plugin_config.h"
#include "remote.h"
#include "source/source.h"

struct stack_policy_member;

struct instance {
	struct plugin_config cfg;
	/* The host's struct, copied up to the size it declared, the rest
	 * zero. Its strings stay the host's (valid until close). */
	struct askcred_host host;
	/* host.log and host.log_ctx: all that the lower files get of the
	 * host. */
	struct log_sink log;
	/* What the sources, obtain, pending and gc get of this instance
	 * (source.h): ctx.source is the chosen source, ctx.cache the disk
	 * cache (NULL when off); the rest point into this struct. */
	struct source_ctx ctx;
	/* ctx.pending: when to look for due rotations next. */
	struct pending_watch pending;
	struct cred_pool pool;
	struct memcache *mem;
	/* Held while a miss asks the source, so that threads missing together
	 * make one request, not one each. */
	pthread_mutex_t fill_lock;
	/* The network half, loaded on first use (remote.h). */
	struct remote remote;
	/* The policy and the audit trail (enforce.h). */
	struct enforce enforce;
	int have_enforce;
	/* Runner labels for the policy: labels= and the host's, merged (an
	 * override can only tighten, so more labels never loosen). */
	char labels[512];
	/* This instance's entry in the stack's one policy (stack_policy.h),
	 * or NULL. */
	struct stack_policy_member *stack_policy;
};

/* Parse argv, pick the source, set up caches. *out is the caller's, to
 * free with instance_close(). host is borrowed until instance_close(). */
askcred_status instance_open(const struct askcred_host *host, int argc,
			     const char *const *argv, struct instance **out,
			     struct askcred_error *err);
/* Free everything; credentials the host did not release are wiped too.
 * NULL is fine. */
void instance_close(struct instance *inst);

/* The provider operations, as documented in provider.h. req may be NULL
 * (all defaults) or from an older host (smaller struct_size). A returned
 * credential is released with instance_release(). */
askcred_status instance_fetch(struct instance *inst,
			      const struct askcred_request *req,
			      struct askcred_credential **out,
			      struct askcred_error *err);
askcred_status instance_refresh(struct instance *inst,
				const struct askcred_request *req,
				struct askcred_credential **out,
				struct askcred_error *err);
askcred_status instance_validate(struct instance *inst,
				 const struct askcred_credential *cred,
				 struct askcred_error *err);
askcred_status instance_invalidate(struct instance *inst,
				   const struct askcred_credential *cred,
				   const char *reason,
				   struct askcred_error *err);
askcred_status instance_revoke(struct instance *inst,
			       const struct askcred_credential *cred,
			       struct askcred_error *err);
void instance_release(struct instance *inst, struct askcred_credential *cred);
askcred_status instance_status(struct instance *inst, askcred_entry_cb cb,
			       void *cb_ctx, struct askcred_error *err);
askcred_status instance_gc(struct instance *inst, askcred_entry_cb cb,
			   void *cb_ctx, struct askcred_error *err);
askcred_status instance_tokens(struct instance *inst,
			       const struct askcred_tokens_query *query,
			       askcred_token_cb cb, void *cb_ctx,
			       struct askcred_error *err);

#endif
