#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "credcheck.h"
#include "error.h"
#include "expiry.h"
#include "plugin_config.h"
#include "remote.h"
#include "source.h"

/* Adding a source: its file, and one line here. */
static const struct source_ops *const sources[] = {
	&source_static,
	&source_mint,
	&source_broker,
	&source_exec,
};

const struct source_ops *source_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

void source_names(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0;
	     i < sizeof(sources) / sizeof(sources[0]) && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", sources[i]->name);
}

askcred_status source_validate_shape(const struct askcred_credential *cred,
				     struct askcred_error *err)
{
	const char *token = cred->token;
	size_t len = cred->token_len;
	askcred_status rc;

	rc = check_workspace_id(cred->workspace_id, "workspace_id", err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = check_token(&token, &len, "token", err);
	if (rc != ASKCRED_OK)
		return rc;
	if (token != cred->token || len != cred->token_len)
		return err_set(err, ASKCRED_INVALID, "token",
			       "token has surrounding white space");
	return expiry_check(cred->expires_at, (int64_t)time(NULL), 0,
			    "expires_at", err);
}

askcred_status source_validate(const struct source_ctx *sc,
			       const struct askcred_credential *cred,
			       struct askcred_error *err)
{
	askcred_status rc = source_validate_shape(cred, err);

	if (rc != ASKCRED_OK || !sc->cfg->online_validate)
		return rc;
	return remote_lookup(sc->net, cred, err);
}

askcred_status source_accept(const struct askcred_request *req,
			     const struct token_record *rec, const char *where,
			     struct askcred_error *err)
{
	if (req->workspace_id != NULL &&
	    strcasecmp(req->workspace_id, rec->workspace_id) != 0)
		return err_set(err, ASKCRED_NOT_FOUND, where,
			       "the credential is for workspace %s, not the "
			       "requested %s",
			       rec->workspace_id, req->workspace_id);
	return expiry_check(rec->expires_at, (int64_t)time(NULL),
			    req->min_validity, where, err);
}
