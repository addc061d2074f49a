/*
 * A conditional GET for documents askcred keeps a copy of (the policy
 * document): If-None-Match with the ETag of the copy, 304 when unchanged.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "document.h"
#include "error.h"
#include "http.h"

askcred_status doc_get(struct net_client *c, const char *url, const char *etag,
		       struct net_doc *out, struct askcred_error *err)
{
	struct http_response resp = {0};
	askcred_status rc;

	memset(out, 0, sizeof(*out));
	rc = http_perform(c,
			  &(struct http_request){.method = "GET",
						 .url = url,
						 .if_none_match = etag},
			  &resp, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (resp.status == 304) {
		out->status = 304;
		/* A 304 may omit the ETag; the caller's copy keeps its own. */
		snprintf(out->etag, sizeof(out->etag), "%s",
			 resp.etag[0] ? resp.etag : (etag ? etag : ""));
		http_response_clear(&resp);
		return ASKCRED_OK;
	}
	rc = http_check_status(&resp, 200, "fetching a document", err);
	if (rc != ASKCRED_OK) {
		http_response_clear(&resp);
		return rc;
	}
	out->status = 200;
	out->body = resp.body; /* ownership moves to out */
	out->len = resp.len;
	snprintf(out->etag, sizeof(out->etag), "%s", resp.etag);
	return ASKCRED_OK;
}

void doc_free(struct net_doc *doc)
{
	if (doc == NULL)
		return;
	free_wiped(doc->body, doc->len + 1);
	memset(doc, 0, sizeof(*doc));
}
