/*
 * The access-token calls of AskUI's Workspaces API
 * (../shared/reference/askui-credentials.md):
 *   POST   /workspaces/{ws}/access-tokens          -> 201 created token
 *   GET    /workspaces/{ws}/access-tokens          -> 200 list
 *   DELETE /workspaces/{ws}/access-tokens/{id}     -> 204
 *   POST   /workspaces/{ws}/access-tokens/lookup   -> 200 {accessTokenId}
 * Every answer is parsed strictly: a field of the wrong type or shape is an
 * error naming that field, never a guess.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "askui_api.h"
#include "credcheck.h"
#include "error.h"
#include "http.h"
#include "jsonval.h"
#include "timefmt.h"

static askcred_status tokens_url(struct net_client *c, const char *ws,
				 const char *suffix, char **url,
				 struct askcred_error *err)
{
	askcred_status rc = check_workspace_id(ws, "workspace_id", err);

	if (rc != ASKCRED_OK)
		return rc;
	if (asprintf(url, "%s/workspaces/%s/access-tokens%s", http_base_url(c),
		     ws, suffix) < 0) {
		*url = NULL;
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	}
	return ASKCRED_OK;
}

/* One call of the token API, authenticated with Basic auth, whose answer
 * must carry the status that means success. resp is the caller's to clear. */
static askcred_status api_call(struct net_client *c, const char *method,
			       const char *url, const struct secret *auth,
			       const char *body,
			       const struct secret *body_secret, long want,
			       const char *what, struct http_response *resp,
			       struct askcred_error *err)
{
	const struct http_request req = {
		.method = method,
		.url = url,
		.auth = HTTP_AUTH_BASIC,
		.secret = auth,
		.body = body,
		.body_len = body != NULL ? strlen(body) : 0,
		.body_secret = body_secret,
	};
	askcred_status rc = http_perform(c, &req, resp, err);

	if (rc == ASKCRED_OK)
		rc = http_check_status(resp, want, what, err);
	return rc;
}

askcred_status api_check_name(const char *name, struct askcred_error *err)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t chars = 0;

	if (name == NULL || *name == '\0')
		return err_set(err, ASKCRED_CONFIG_ERROR, "name",
			       "token name is empty");
	while (*p != '\0') {
		size_t extra = *p < 0x80		  ? 0
			       : *p >= 0xc2 && *p <= 0xdf ? 1
			       : *p >= 0xe0 && *p <= 0xef ? 2
			       : *p >= 0xf0 && *p <= 0xf4 ? 3
							  : 9;

		if (*p < 0x20 || *p == 0x7f)
			return err_set(err, ASKCRED_CONFIG_ERROR, "name",
				       "token name contains a control "
				       "character");
		if (extra == 9)
			return err_set(err, ASKCRED_CONFIG_ERROR, "name",
				       "token name is not valid UTF-8");
		for (size_t i = 1; i <= extra; i++)
			if ((p[i] & 0xc0) != 0x80)
				return err_set(err, ASKCRED_CONFIG_ERROR,
					       "name",
					       "token name is not valid UTF-8");
		p += extra + 1;
		chars++;
	}
	if (chars > NET_NAME_MAX_CHARS)
		return err_set(err, ASKCRED_CONFIG_ERROR, "name",
			       "token name has %zu characters, more than %d",
			       chars, NET_NAME_MAX_CHARS);
	return ASKCRED_OK;
}

askcred_status api_parse_created(const char *body, size_t len, const char *ws,
				 struct token_record *out,
				 struct askcred_error *err)
{
	static const char what[] = "answer to POST access-tokens";
	struct json_object *root = NULL, *pt = NULL;
	const char *tok = NULL, *name = NULL;
	size_t tok_len = 0, name_len = 0;
	struct askcred_error why = ASKCRED_ERROR_INIT;
	struct token_record r;
	askcred_status rc;

	memset(&r, 0, sizeof(r));
	rc = json_parse_strict(body, len, what, &root, err);
	if (rc != ASKCRED_OK)
		goto out;
	if ((rc = json_get_object(root, "privateToken", what, "privateToken",
				  &pt, err)) != ASKCRED_OK ||
	    (rc = json_get_uuid(pt, "id", 0, what, "privateToken.id",
				r.token_id, err)) != ASKCRED_OK ||
	    (rc = json_get_string(pt, "name", NET_NAME_MAX_BYTES, what,
				  "privateToken.name", &name, &name_len,
				  err)) != ASKCRED_OK ||
	    (rc = json_get_time(pt, "createdAt", 0, what,
				"privateToken.createdAt", &r.issued_at, err)) !=
		    ASKCRED_OK ||
	    (rc = json_get_time(pt, "expiresAt", 1, what,
				"privateToken.expiresAt", &r.expires_at,
				err)) != ASKCRED_OK ||
	    (rc = json_get_string(root, "tokenString", TOKEN_MAX_LEN, what,
				  "tokenString", &tok, &tok_len, err)) !=
		    ASKCRED_OK)
		goto out;
	if (check_token(&tok, &tok_len, "tokenString", &why) != ASKCRED_OK) {
		rc = err_set(err, ASKCRED_UNAVAILABLE, "tokenString",
			     "%s: the new token is unusable: %s", what,
			     why.message);
		goto out;
	}
	if (secret_set(&r.token, tok, tok_len) != 0) {
		rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
		goto out;
	}
	snprintf(r.workspace_id, sizeof(r.workspace_id), "%s", ws);
	snprintf(r.source, sizeof(r.source), "mint");
	r.flags = ASKCRED_CRED_MINTED;
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	secret_clear(&r.token);
	json_put_wiped(root);
	return rc;
}

/* A 201 whose body cannot be used still means AskUI made a token: say so,
 * with the token's id when the answer has a readable one, so that the
 * caller can delete it instead of leaving it alive and unknown. */
static void created_unusable(const char *body, size_t len,
			     struct token_record *out)
{
	static const char what[] = "answer to POST access-tokens";
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct json_object *root = NULL, *pt = NULL;

	memset(out, 0, sizeof(*out));
	out->flags = NET_REC_CREATED;
	if (json_parse_strict(body, len, what, &root, &ignored) == ASKCRED_OK &&
	    json_get_object(root, "privateToken", what, "privateToken", &pt,
			    &ignored) == ASKCRED_OK)
		(void)json_get_uuid(pt, "id", 0, what, "privateToken.id",
				    out->token_id, &ignored);
	json_put_wiped(root);
}

askcred_status api_token_create(struct net_client *c, const char *ws,
				const struct secret *auth, const char *name,
				int64_t expires_at, struct token_record *out,
				struct askcred_error *err)
{
	struct http_response resp = {0};
	struct json_object *req = NULL, *jname = NULL, *jexp = NULL;
	char *url = NULL, when[RFC3339_BUFSZ];
	const char *body;
	askcred_status rc;

	if ((rc = api_check_name(name, err)) != ASKCRED_OK)
		return rc;
	if (expires_at < 0 ||
	    (expires_at > 0 && rfc3339_format(expires_at, when) != 0))
		return err_set(err, ASKCRED_CONFIG_ERROR, "expiresAt",
			       "expiry time out of range");
	if ((rc = tokens_url(c, ws, "", &url, err)) != ASKCRED_OK)
		return rc;
	/* The name and the expiry are not secret, so json-c may build it.
	 * Each value is checked before it is added: json-c adds a NULL value
	 * as JSON null, and a null expiresAt asks for a token that never
	 * expires. */
	rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	req = json_object_new_object();
	jname = json_object_new_string(name);
	jexp = expires_at > 0 ? json_object_new_string(when) : NULL;
	if (req == NULL || jname == NULL || (expires_at > 0 && jexp == NULL))
		goto out;
	/* json-c takes a value only when the add succeeds. */
	if (json_object_object_add(req, "name", jname) != 0)
		goto out;
	jname = NULL;
	if (json_object_object_add(req, "expiresAt", jexp) != 0)
		goto out;
	jexp = NULL;
	body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (body == NULL)
		goto out;
	err_clear(err);
	rc = api_call(c, "POST", url, auth, body, NULL, 201,
		      "creating an access token", &resp, err);
	if (rc == ASKCRED_OK) {
		rc = api_parse_created(resp.body, resp.len, ws, out, err);
		if (rc != ASKCRED_OK)
			created_unusable(resp.body, resp.len, out);
	}
out:
	json_object_put(jname);
	json_object_put(jexp);
	json_object_put(req);
	http_response_clear(&resp);
	free(url);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	const struct net_token_info *const *x = a, *const *y = b;

	return strcasecmp((*x)->id, (*y)->id);
}

/* A list that names one token twice is not what AskUI holds: refused,
 * so that nothing is decided (or deleted twice) on it. */
static askcred_status no_repeated_id(const struct net_token_info *list,
				     size_t count, const char *what,
				     struct askcred_error *err)
{
	const struct net_token_info **sorted;
	askcred_status rc = ASKCRED_OK;

	if (count < 2)
		return ASKCRED_OK;
	sorted = calloc(count, sizeof(*sorted));
	if (sorted == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	for (size_t i = 0; i < count; i++)
		sorted[i] = &list[i];
	qsort(sorted, count, sizeof(*sorted), by_id);
	for (size_t i = 1; i < count; i++) {
		size_t a = (size_t)(sorted[i - 1] - list),
		       b = (size_t)(sorted[i] - list);

		if (by_id(&sorted[i - 1], &sorted[i]) != 0)
			continue;
		rc = err_set(err, ASKCRED_UNAVAILABLE, what,
			     "malformed answer: field [%zu].id repeats "
			     "[%zu].id",
			     a > b ? a : b, a > b ? b : a);
		break;
	}
	free(sorted);
	return rc;
}

askcred_status api_parse_list(const char *body, size_t len,
			      struct net_token_info **out, size_t *n,
			      struct askcred_error *err)
{
	static const char what[] = "answer to GET access-tokens";
	struct json_object *root = NULL;
	struct net_token_info *list = NULL;
	askcred_status rc;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	rc = json_parse_strict(body, len, what, &root, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (!json_object_is_type(root, json_type_array)) {
		rc = err_set(err, ASKCRED_UNAVAILABLE, what,
			     "malformed answer: expected a JSON array");
		goto out;
	}
	count = json_object_array_length(root);
	if (count > API_LIST_MAX) {
		rc = err_set(err, ASKCRED_UNAVAILABLE, what,
			     "the workspace lists %zu tokens, more than %d",
			     count, API_LIST_MAX);
		goto out;
	}
	list = calloc(count + 1, sizeof(*list));
	if (list == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct json_object *item = json_object_array_get_idx(root, i);
		struct net_token_info *t = &list[i];
		const char *name = NULL;
		size_t name_len = 0;
		char f_id[32], f_name[32], f_created[32], f_expires[32];

		snprintf(f_id, sizeof(f_id), "[%zu].id", i);
		snprintf(f_name, sizeof(f_name), "[%zu].name", i);
		snprintf(f_created, sizeof(f_created), "[%zu].createdAt", i);
		snprintf(f_expires, sizeof(f_expires), "[%zu].expiresAt", i);
		if ((rc = json_get_uuid(item, "id", 0, what, f_id, t->id,
					err)) != ASKCRED_OK ||
		    /* A name is what someone typed in AskUI Hub: control
		     * characters are kept and shown neutralised, so that
		     * one odd name cannot make the workspace unmanageable. */
		    (rc = json_get_label(item, "name", NET_NAME_MAX_BYTES, what,
					 f_name, &name, &name_len, err)) !=
			    ASKCRED_OK ||
		    (rc = json_get_time(item, "createdAt", 0, what, f_created,
					&t->created_at, err)) != ASKCRED_OK ||
		    (rc = json_get_time(item, "expiresAt", 1, what, f_expires,
					&t->expires_at, err)) != ASKCRED_OK)
			goto out;
		memcpy(t->name, name, name_len + 1);
	}
	rc = no_repeated_id(list, count, what, err);
	if (rc != ASKCRED_OK)
		goto out;
	*out = list;
	*n = count;
	list = NULL;
out:
	free(list);
	json_put_wiped(root);
	return rc;
}

askcred_status api_token_list(struct net_client *c, const char *ws,
			      const struct secret *auth,
			      struct net_token_info **out, size_t *n,
			      struct askcred_error *err)
{
	struct http_response resp = {0};
	char *url = NULL;
	askcred_status rc;

	*out = NULL;
	*n = 0;
	if ((rc = tokens_url(c, ws, "", &url, err)) != ASKCRED_OK)
		return rc;
	rc = api_call(c, "GET", url, auth, NULL, NULL, 200,
		      "listing access tokens", &resp, err);
	if (rc == ASKCRED_OK)
		rc = api_parse_list(resp.body, resp.len, out, n, err);
	http_response_clear(&resp);
	free(url);
	return rc;
}

void api_token_list_free(struct net_token_info *list)
{
	free(list);
}

askcred_status api_token_delete(struct net_client *c, const char *ws,
				const struct secret *auth, const char *token_id,
				struct askcred_error *err)
{
	struct http_response resp = {0};
	char *url = NULL, suffix[ASKCRED_UUID_LEN + 2];
	askcred_status rc;

	if (!is_uuid4(token_id))
		return err_set(err, ASKCRED_INVALID, "token_id",
			       "token id is not a UUID version 4");
	snprintf(suffix, sizeof(suffix), "/%s", token_id);
	if ((rc = tokens_url(c, ws, suffix, &url, err)) != ASKCRED_OK)
		return rc;
	rc = api_call(c, "DELETE", url, auth, NULL, NULL, 204,
		      "deleting an access token", &resp, err);
	http_response_clear(&resp);
	free(url);
	return rc;
}

askcred_status api_parse_lookup(const char *body, size_t len,
				char id_out[ASKCRED_UUID_LEN + 1],
				struct askcred_error *err)
{
	static const char what[] = "answer to POST access-tokens/lookup";
	struct json_object *root = NULL;
	askcred_status rc;

	rc = json_parse_strict(body, len, what, &root, err);
	if (rc == ASKCRED_OK)
		rc = json_get_uuid(root, "accessTokenId", 0, what,
				   "accessTokenId", id_out, err);
	json_put_wiped(root);
	return rc;
}

/* {"accessToken": "<token>"} built by hand so the token never lands in a
 * json-c buffer; the token has no control characters (checked when the
 * Authorization header was built, and by check_token), so escaping quote
 * and backslash is all JSON needs. */
static askcred_status lookup_body(const struct secret *token, char **out,
				  size_t *len, struct askcred_error *err)
{
	static const char head[] = "{\"accessToken\":\"", tail[] = "\"}";
	size_t cap = sizeof(head) + 2 * token->len + sizeof(tail), o;
	char *b;

	for (size_t i = 0; i < token->len; i++)
		if ((unsigned char)token->buf[i] < 0x20)
			return err_set(err, ASKCRED_INVALID, "accessToken",
				       "token contains a control character");
	b = malloc(cap);
	if (b == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	memcpy(b, head, sizeof(head) - 1);
	o = sizeof(head) - 1;
	for (size_t i = 0; i < token->len; i++) {
		if (token->buf[i] == '"' || token->buf[i] == '\\')
			b[o++] = '\\';
		b[o++] = token->buf[i];
	}
	memcpy(b + o, tail, sizeof(tail));
	*out = b;
	*len = o + sizeof(tail) - 1;
	return ASKCRED_OK;
}

askcred_status api_token_lookup(struct net_client *c, const char *ws,
				const struct secret *auth,
				const struct secret *token,
				char id_out[ASKCRED_UUID_LEN + 1],
				struct askcred_error *err)
{
	struct http_response resp = {0};
	char *url = NULL, *body = NULL;
	size_t body_len = 0;
	askcred_status rc;

	id_out[0] = '\0';
	if (token == NULL || token->buf == NULL || token->len == 0)
		return err_set(err, ASKCRED_INVALID, "accessToken",
			       "no token to look up");
	if ((rc = tokens_url(c, ws, "/lookup", &url, err)) != ASKCRED_OK)
		return rc;
	if ((rc = lookup_body(token, &body, &body_len, err)) != ASKCRED_OK)
		goto out;
	rc = api_call(c, "POST", url, auth, body, token, 200,
		      "looking up a token", &resp, err);
	if (rc == ASKCRED_OK)
		rc = api_parse_lookup(resp.body, resp.len, id_out, err);
out:
	free_wiped(body, body_len + 1);
	http_response_clear(&resp);
	free(url);
	return rc;
}
