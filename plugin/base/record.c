#include "config.h"

#include <stdio.h>
#include <string.h>

#include "record.h"

void record_clear(struct token_record *r)
{
	secret_clear(&r->token);
	memset(r, 0, sizeof(*r));
}

int record_copy(struct token_record *dst, const struct token_record *src)
{
	struct secret token = SECRET_INIT;

	if (src->token.buf != NULL &&
	    secret_set(&token, src->token.buf, src->token.len) != 0) {
		record_clear(dst);
		return -1;
	}
	record_clear(dst);
	*dst = *src;
	dst->token = token;
	return 0;
}

void record_view(const struct token_record *r, struct token_view *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->workspace_id, r->workspace_id, sizeof(v->workspace_id));
	memcpy(v->token_id, r->token_id, sizeof(v->token_id));
	memcpy(v->source, r->source, sizeof(v->source));
	if (r->token.buf != NULL)
		fingerprint(r->token.buf, r->token.len, v->fingerprint);
	v->issued_at = r->issued_at;
	v->expires_at = r->expires_at;
	v->cached_at = r->cached_at;
	v->policy_serial = r->policy_serial;
	v->flags = r->flags;
}

void credential_view(const struct askcred_credential *cred,
		     struct token_view *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->workspace_id, sizeof(v->workspace_id), "%s",
		 cred->workspace_id);
	snprintf(v->token_id, sizeof(v->token_id), "%s", cred->token_id);
	snprintf(v->source, sizeof(v->source), "%s", cred->source);
	if (cred->token != NULL)
		fingerprint(cred->token, cred->token_len, v->fingerprint);
	v->issued_at = cred->issued_at;
	v->expires_at = cred->expires_at;
	v->policy_serial = cred->policy_serial;
	v->flags = cred->flags;
}
