/* Revocations that could not reach the server. `askcred exec` revokes a
 * job's token when the job ends; when AskUI cannot be reached the token id
 * (never the token: deleting by id needs only the parent credential) is
 * written to <cache dir>/pending/ and retried at the next mint and by
 * `askcred gc`. A rotated-out token is written there too, due after
 * rotation_overlap, and deleted by the first call of the instance (any
 * operation) that finds it due. `askcred status` lists what is pending.
 *
 * One small JSON file per token: {"workspace_id", "token_id",
 * "expires_at", "since"}. Files are written atomically (temp + rename),
 * mode 0600, in a directory checked like the cache's own. */
#ifndef ASKCRED_PLUGIN_PENDING_H
#define ASKCRED_PLUGIN_PENDING_H

#include <stdatomic.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "net/net.h"
#include "record.h"

struct source_ctx;

/* Record that token id of workspace must still be deleted. err holds the
 * failure that made it pending; its message is extended with what was
 * done, so the caller sees one sentence. */
void pending_add(const struct source_ctx *sc, const char *workspace,
		 const char *token_id, int64_t expires_at,
		 struct askcred_error *err);

/* Rotation: token id (the predecessor of a fresh token) is to be deleted
 * at not_before, when every process has had time to move on. 0 on
 * success; a failure is logged (the token then just lives to its
 * expiry). */
int pending_retire(const struct source_ctx *sc, const char *workspace,
		   const char *token_id, int64_t expires_at,
		   int64_t not_before);

/* Try every pending revocation of parent's workspace; forget those done
 * (deleted, already gone, or expired anyway). Returns how many remain. */
int pending_retry(const struct source_ctx *sc, const struct net_ops *ops,
		  struct net_client *client, const struct token_record *parent);

/* The same for rotated-out tokens only (a failed revocation waits for the
 * next mint or gc); a delete that fails is put off for a minute, so that
 * calls during an outage do not each try again. */
int pending_retry_rotated(const struct source_ctx *sc,
			  const struct net_ops *ops, struct net_client *client,
			  const struct token_record *parent);

/* How many rotated-out tokens are due for deletion now. Reads only the
 * local directory, and with a watch (source_ctx.pending) at most once per
 * PENDING_WATCH_MS: every operation of a mint instance asks, and a warm
 * fetch must not pay a directory read for it. A rotation by this instance
 * makes the next call look at once; a token rotated out by another
 * process is found at most PENDING_WATCH_MS after it is due. */
int pending_rotated_due(const struct source_ctx *sc);

#define PENDING_WATCH_MS 1000
/* Per instance: the monotonic time (ms) before which pending_rotated_due()
 * does not look again. Zeroed: look at the next call. */
struct pending_watch {
	_Atomic uint64_t next_ms;
};

/* One process at a time delivers pending deletes: an exclusive flock on
 * <cache dir>/pending/.lock, not waited for. The descriptor (close it to
 * unlock), or -1 when another process holds it or there is no directory. */
int pending_trylock(const struct source_ctx *sc);

/* How many revocations are pending (rotated-out tokens not yet due
 * included): the files in the directory, not read. 0 without a disk
 * cache; sc may be NULL. */
int pending_count(const struct source_ctx *sc);

/* Report each pending revocation as an entry flagged
 * ASKCRED_ENTRY_PENDING_REVOKE. */
void pending_report(const struct source_ctx *sc, askcred_entry_cb cb,
		    void *cb_ctx);

#endif
