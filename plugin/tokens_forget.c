/* After `askcred tokens` deleted tokens in AskUI: drop the disk cache
 * entries (this user's, shared by every process) that still hold one of
 * them, so that a deleted token is never handed out or shown by status
 * as alive again. The next fetch for the entry mints anew. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/cache.h"
#include "error.h"
#include "log.h"
#include "plugin_config.h"
#include "source/source.h"
#include "tokens.h"

#define FORGET_MAX 64 /* entries per run; a host holds a handful */

struct hits {
	const char *const *ids;
	size_t n_ids;
	char entry[FORGET_MAX][ENTRY_NAME_MAX + 1];
	char workspace[FORGET_MAX][ASKCRED_UUID_LEN + 1];
	size_t n;
};

/* cache_list() callback: must not call back into the cache, so the
 * entries are only collected here. */
static void collect(void *ctx, const char *entry,
		    const struct token_record *rec)
{
	struct hits *h = ctx;

	if (h->n == FORGET_MAX || rec->token_id[0] == '\0' ||
	    strlen(entry) > ENTRY_NAME_MAX)
		return;
	for (size_t i = 0; i < h->n_ids; i++)
		if (strcasecmp(rec->token_id, h->ids[i]) == 0) {
			strcpy(h->entry[h->n], entry);
			memcpy(h->workspace[h->n], rec->workspace_id,
			       sizeof(h->workspace[0]));
			h->n++;
			return;
		}
}

void tokens_forget_cached(const struct source_ctx *sc, const char *const *ids,
			  size_t n)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct hits *h;

	if (sc->cache == NULL || n == 0)
		return;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return;
	h->ids = ids;
	h->n_ids = n;
	if (cache_list(sc->cache, collect, h, &err) != ASKCRED_OK)
		plog(sc->log, ASKCRED_LOG_WARNING,
		     "tokens: cannot read the cache to drop deleted tokens: "
		     "%s",
		     err.message);
	for (size_t i = 0; i < h->n; i++) {
		err_clear(&err);
		if (cache_remove(sc->cache, h->workspace[i], h->entry[i],
				 &err) != ASKCRED_OK)
			plog(sc->log, ASKCRED_LOG_WARNING,
			     "tokens: cache entry %s still holds a deleted "
			     "token: %s",
			     h->entry[i], err.message);
	}
	free(h);
}
