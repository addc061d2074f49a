#include "config.h"

#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "credcheck.h"
#include "error.h"
#include "jsonval.h"

askcred_status answer_parse(const char *body, size_t len, const char *what,
			    const char *source, int64_t now,
			    struct token_record *out, struct askcred_error *err)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	struct json_object *root = NULL;
	struct token_record r;
	const char *tok = NULL;
	size_t tok_len = 0;
	askcred_status rc;

	memset(&r, 0, sizeof(r));
	rc = json_parse_strict(body, len, what, &root, err);
	if (rc != ASKCRED_OK)
		goto out;
	if ((rc = json_get_uuid(root, "workspace_id", 0, what, "workspace_id",
				r.workspace_id, err)) != ASKCRED_OK ||
	    (rc = json_get_uuid(root, "token_id", 1, what, "token_id",
				r.token_id, err)) != ASKCRED_OK ||
	    (rc = json_get_time(root, "expires_at", 1, what, "expires_at",
				&r.expires_at, err)) != ASKCRED_OK ||
	    (rc = json_get_string(root, "token", TOKEN_MAX_LEN, what, "token",
				  &tok, &tok_len, err)) != ASKCRED_OK)
		goto out;
	/* check_token trims and checks the shape; its message names the
	 * member, never the value. */
	if (check_token(&tok, &tok_len, "token", &why) != ASKCRED_OK) {
		rc = err_set(err, ASKCRED_UNAVAILABLE, "token", "%s: %s", what,
			     why.message);
		goto out;
	}
	if (r.expires_at != 0 && r.expires_at <= now) {
		rc = err_set(err, ASKCRED_EXPIRED, "expires_at",
			     "%s: the token it gave has already expired", what);
		goto out;
	}
	if (secret_set(&r.token, tok, tok_len) != 0) {
		rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
		goto out;
	}
	snprintf(r.source, sizeof(r.source), "%s", source);
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	secret_clear(&r.token);
	json_put_wiped(root);
	return rc;
}
