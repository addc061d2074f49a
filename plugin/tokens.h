/* `askcred tokens` (provider ABI 1.2 tokens): the workspace's tokens as
 * AskUI lists them, read and deleted with the parent credential of a mint
 * instance. tokens.c lists, decodes askcred's names (jobid.h) and applies
 * the revoke selectors; tokens_enforce.c judges a token by the policy.
 *
 * Never deleted, whatever the query: the parent credential itself (found
 * by its id, from the credentials file or a lookup), so neither a wide
 * selector nor a policy can lock a fleet out. */
#ifndef ASKCRED_PLUGIN_TOKENS_H
#define ASKCRED_PLUGIN_TOKENS_H

#include <stddef.h>

#include <askcred/provider.h>

struct enforce;
struct net_token_info;
struct source_ctx;

/* The provider operation: query (any struct_size the host declared) as
 * provider.h documents it. ASKCRED_IGNORE for a source that mints
 * nothing. */
askcred_status tokens_run(const struct source_ctx *sc,
			  const struct askcred_tokens_query *query,
			  askcred_token_cb cb, void *cb_ctx,
			  struct askcred_error *err);

/* tokens_forget.c: drop the disk cache entries that hold one of the n
 * token ids just deleted, so that none is served or shown again. Failures
 * are logged. */
void tokens_forget_cached(const struct source_ctx *sc, const char *const *ids,
			  size_t n);

/* tokens_enforce.c: does the policy in force refuse t, a token of
 * workspace ws? 1 yes, 0 no, with the policy's sentence in why (size
 * bytes) either way; -1 when it cannot judge (no policy configured or
 * none valid: err says which), so that nothing is deleted on a guess. */
int tokens_enforce_verdict(struct enforce *e, const struct net_token_info *t,
			   const char *ws, char *why, size_t size,
			   struct askcred_error *err);

#endif
