#include "config.h"

#include <string.h>

#include "error.h"
#include "log.h"
#include "net/netload.h"
#include "remote.h"

int remote_init(struct remote *r, const struct net_settings *cfg,
		const struct log_sink *log)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->log = log;
	return pthread_mutex_init(&r->lock, NULL) == 0 ? 0 : -1;
}

void remote_destroy(struct remote *r)
{
	if (r->client != NULL)
		r->ops->client_free(r->client);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

/* The net module logs retries; they go to the host like our own lines. */
static void net_log(void *ctx, int level, const char *message)
{
	const struct remote *r = ctx;

	plog(r->log, level, "%s", message);
}

askcred_status remote_get(struct remote *r, const struct net_ops **ops,
			  struct net_client **client, struct askcred_error *err)
{
	struct net_config nc;
	askcred_status rc = ASKCRED_OK;

	pthread_mutex_lock(&r->lock);
	if (r->client != NULL)
		goto out;
	rc = netload_ops(&r->ops, err);
	if (rc != ASKCRED_OK)
		goto out;
	memset(&nc, 0, sizeof(nc));
	nc.struct_size = sizeof(nc);
	nc.base_url = r->cfg->api_url;
	nc.ca_file = r->cfg->ca_file;
	/* "none" is the stack file's way to say "no proxy", which libcurl
	 * spells as the empty string. */
	nc.proxy = r->cfg->proxy != NULL && strcmp(r->cfg->proxy, "none") == 0
			   ? ""
			   : r->cfg->proxy;
	nc.timeout_ms = r->cfg->timeout * 1000u;
	nc.log = net_log;
	nc.log_ctx = r;
	rc = r->ops->client_new(&nc, &r->client, err);
out:
	if (rc == ASKCRED_OK) {
		*ops = r->ops;
		*client = r->client;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

askcred_status remote_lookup(struct remote *r,
			     const struct askcred_credential *cred,
			     struct askcred_error *err)
{
	const struct net_ops *ops;
	struct net_client *client;
	struct secret tok = {(char *)cred->token, cred->token_len};
	char id[ASKCRED_UUID_LEN + 1] = "";
	askcred_status rc;

	rc = remote_get(r, &ops, &client, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = ops->token_lookup(client, cred->workspace_id, &tok, &tok, id, err);
	if (rc == ASKCRED_NOT_FOUND)
		return err_set(err, ASKCRED_INVALID, "token",
			       "AskUI no longer knows this token (deleted); "
			       "fetch a new one");
	if (rc != ASKCRED_OK)
		return rc;
	if (cred->token_id[0] != '\0' && strcmp(cred->token_id, id) != 0)
		return err_set(err, ASKCRED_INVALID, "token_id",
			       "AskUI knows this token as %s, not %s", id,
			       cred->token_id);
	return ASKCRED_OK;
}
