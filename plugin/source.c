#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "credcheck.h"
#include "error.h"
#include "expiry.h"
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

askcred_status source_validate_offline(const struct askcred_credential *cred,
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
