#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "gc.h"
#include "jobid.h"
#include "log.h"
#include "pending.h"
#include "plugin_config.h"
#include "remote.h"
#include "source/source.h"

const char *gc_verdict(const struct net_token_info *t, const char *host,
		       int64_t now)
{
	struct jobid j;

	if (!jobid_parse(t->name, &j))
		return NULL; /* not ours: never touched */
	if (t->expires_at != 0 && t->expires_at <= now)
		return "expired";
	if (j.is_job && strcmp(j.host, host) == 0 && !jobid_alive(&j))
		return "orphaned: its job's process is gone";
	return NULL;
}

static void report(const struct source_ctx *sc, askcred_entry_cb cb,
		   void *cb_ctx, const char *ws, const struct net_token_info *t,
		   const char *note)
{
	struct askcred_entry_info info;

	memset(&info, 0, sizeof(info));
	info.struct_size = sizeof(info);
	info.name = t->name;
	info.workspace_id = ws;
	info.token_id = t->id;
	info.source = sc->source->name;
	info.issued_at = t->created_at;
	info.expires_at = t->expires_at;
	info.note = note;
	cb(cb_ctx, &info);
}

void gc_deliver_due(const struct source_ctx *sc)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record parent = {0};
	const struct net_ops *ops = NULL;
	struct net_client *client = NULL;
	int fd = -1;

	if (sc->source != &source_mint || sc->cache == NULL ||
	    sc->cfg->parent_credentials == NULL || pending_rotated_due(sc) == 0)
		return;
	fd = pending_trylock(sc);
	if (fd < 0)
		return; /* another process is at it */
	if (credentials_file_read(sc->cfg->parent_credentials, &parent, &err) !=
		    ASKCRED_OK ||
	    remote_get(sc->net, &ops, &client, &err) != ASKCRED_OK) {
		plog(sc->log, ASKCRED_LOG_WARNING,
		     "rotated tokens are due for deletion but: %s",
		     err.message);
		goto out;
	}
	(void)pending_retry_rotated(sc, ops, client, &parent);
out:
	record_clear(&parent);
	close(fd);
}

askcred_status gc_collect(const struct source_ctx *sc, askcred_entry_cb cb,
			  void *cb_ctx, struct askcred_error *err)
{
	struct token_record parent = {0};
	struct net_token_info *list = NULL;
	const struct net_ops *ops = NULL;
	struct net_client *client = NULL;
	char host[64];
	size_t n = 0, deleted = 0, failed = 0;
	int64_t now = (int64_t)time(NULL);
	askcred_status rc;

	if (sc->source != &source_mint)
		return err_set(err, ASKCRED_IGNORE, "source",
			       "source=%s mints no tokens; nothing to collect",
			       sc->source->name);
	if (cb == NULL)
		return err_set(err, ASKCRED_INTERNAL, "gc", "no callback");
	if (sc->cfg->parent_credentials == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "parent_credentials",
			       "gc needs parent_credentials=FILE");
	rc = credentials_file_read(sc->cfg->parent_credentials, &parent, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = remote_get(sc->net, &ops, &client, err);
	if (rc != ASKCRED_OK)
		goto out;
	(void)pending_retry(sc, ops, client, &parent);
	rc = ops->token_list(client, parent.workspace_id, &parent.token, &list,
			     &n, err);
	if (rc != ASKCRED_OK)
		goto out;
	jobid_host(host, sizeof(host));
	for (size_t i = 0; i < n; i++) {
		struct askcred_error e = ASKCRED_ERROR_INIT;
		const char *why = gc_verdict(&list[i], host, now);
		askcred_status st;

		if (why == NULL)
			continue;
		st = ops->token_delete(client, parent.workspace_id,
				       &parent.token, list[i].id, &e);
		if (st == ASKCRED_OK || st == ASKCRED_NOT_FOUND) {
			deleted++;
			report(sc, cb, cb_ctx, parent.workspace_id, &list[i],
			       why);
		} else {
			failed++;
			plog(sc->log, ASKCRED_LOG_WARNING,
			     "gc: cannot delete token %s: %s", list[i].id,
			     e.message);
		}
	}
	pending_report(sc, cb, cb_ctx);
	plog(sc->log, ASKCRED_LOG_INFO,
	     "gc: %zu token(s) in workspace %s, %zu deleted, %zu failed", n,
	     parent.workspace_id, deleted, failed);
	if (failed > 0)
		rc = err_set(err, ASKCRED_UNAVAILABLE, "gc",
			     "%zu token(s) could not be deleted; run gc again "
			     "later",
			     failed);
out:
	if (list != NULL)
		ops->token_list_free(list);
	record_clear(&parent);
	return rc;
}
