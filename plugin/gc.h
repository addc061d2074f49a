/* `askcred gc`: clean up after hosts and jobs that died. With the parent
 * credential of a mint instance it retries pending revocations, then lists
 * the workspace's tokens and deletes those askcred minted that are
 * expired, or that were minted for a job on this host whose process is
 * gone. Tokens of other hosts are left alone unless expired, and tokens
 * askcred did not mint are never touched. */
#ifndef ASKCRED_PLUGIN_GC_H
#define ASKCRED_PLUGIN_GC_H

#include <stdint.h>

#include <askcred/provider.h>

struct source_ctx;

struct net_token_info;

/* Why gc deletes the token t, or NULL to keep it: askcred minted it
 * (jobid.h) and it is expired, or it was minted for a job on host whose
 * process is gone ("orphaned"). Tokens askcred did not mint: NULL. */
const char *gc_verdict(const struct net_token_info *t, const char *host,
		       int64_t now);

/* Report each deleted token (and each pending revocation left) through
 * cb. ASKCRED_IGNORE for a source that mints nothing. */
askcred_status gc_collect(const struct source_ctx *sc, askcred_entry_cb cb,
			  void *cb_ctx, struct askcred_error *err);

/* Delete the rotated-out tokens whose overlap is over (see pending.h),
 * when there are any and no other process is doing it. Called by every
 * operation of a mint instance, so that rotation does not wait for gc;
 * failures are logged, never returned. Reads the local pending directory
 * only, unless something is due. */
void gc_deliver_due(const struct source_ctx *sc);

#endif
