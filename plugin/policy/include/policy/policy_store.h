/*
 * The policy in force on this host. A store exists only when a policy is
 * configured, and then it fails closed: with no valid policy, nothing is
 * handed out. Documents arrive from a local file (policy_store_load_file)
 * or, through the network module, from an HTTPS URL
 * (policy_store_update_from_bytes). Each accepted document is verified,
 * checked against rollback, and kept on disk with its signature and fetch
 * time as the last good copy, which stays in force while the source fails,
 * until the document's own max_age.
 *
 * Not thread-safe: the caller serialises every call on one store. A policy
 * pointer returned by policy_store_current() stays valid until the next
 * call that may replace it (load, update, close).
 */
#ifndef ASKCRED_PLUGIN_POLICY_STORE_H
#define ASKCRED_PLUGIN_POLICY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct policy_store_config {
	const char *file;	 /* local policy document, or NULL (URL-fed) */
	const char *sig_file;	 /* NULL: file + ".sig" */
	const char *const *keys; /* PEM Ed25519 public keys; none: unsigned */
	size_t n_keys;
	/* Where the last good copy and the rollback state live (ours, not
	 * writable by others). NULL: nothing kept, rollback checked against
	 * this process's memory only. */
	const char *state_dir;
};

struct policy_store;

/* Set up a store and load the last good copy from state_dir, if any (a
 * copy that no longer verifies is ignored, and said so in describe). The
 * config is copied. *out is the caller's, to free with policy_store_free. */
askcred_status policy_store_open(const struct policy_store_config *cfg,
				 struct policy_store **out,
				 struct askcred_error *err);
void policy_store_free(struct policy_store *s);

/* Read cfg->file and its signature and accept them. On failure the store
 * keeps what it had, and remembers why for describe/explain. */
askcred_status policy_store_load_file(struct policy_store *s, int64_t now,
				      struct askcred_error *err);

/* For a store that lives long (a runner keeps its stack open): do what a
 * newly opened store would. The local file (or its signature) changed
 * since it was last read: read it again with policy_store_load_file(),
 * whose failure (a broken or older document) keeps what the store had.
 * Unchanged: the policy read from it counts as read now. A store without
 * a local file: nothing. Costs two stat() calls. */
askcred_status policy_store_recheck_file(struct policy_store *s, int64_t now,
					 struct askcred_error *err);

/* The hook for the URL fetcher: a freshly downloaded document, its
 * detached signature (raw or base64; NULL when the server had none) and
 * the ETag to send next time (may be NULL). Bytes are borrowed. */
askcred_status policy_store_update_from_bytes(struct policy_store *s,
					      const char *doc, size_t doclen,
					      const unsigned char *sig,
					      size_t siglen, const char *etag,
					      int64_t now,
					      struct askcred_error *err);
/* The server answered 304 Not Modified: the copy in force was fetched
 * again at now. */
askcred_status policy_store_not_modified(struct policy_store *s, int64_t now,
					 struct askcred_error *err);
/* The source failed: remember why (text only, never a secret). */
void policy_store_source_failed(struct policy_store *s,
				const struct askcred_error *why);

/* The policy in force at now, borrowed. ASKCRED_DENIED (fail closed) with
 * an error saying why when there is none, or it is older than its max_age.
 * A policy's age counts from its signed issued_at when it states one (so a
 * replayed old document cannot live forever), else from its last fetch. */
askcred_status policy_store_current(struct policy_store *s, int64_t now,
				    const struct policy **out,
				    struct askcred_error *err);

/*
 * The usual call at every hand-out: judge rec (may be NULL, see
 * policy_check) under the policy in force at ctx->now. s NULL means no
 * policy configured (allowed as no_policy). With a policy configured but
 * none valid, *out is a denial with reason POLICY_R_NONE_VALID saying why
 * (fail closed). *serial (may be NULL) gets the serial judged by, 0 when
 * none. Returns ASKCRED_OK whenever *out was filled.
 */
askcred_status policy_store_check(struct policy_store *s,
				  const struct policy_context *ctx,
				  const struct token_view *rec,
				  struct policy_decision *out, uint64_t *serial,
				  struct askcred_error *err);

/* For the fetcher and for describe. Borrowed; NULL/0 when none. */
const char *policy_store_etag(const struct policy_store *s);
int64_t policy_store_fetched_at(const struct policy_store *s);
/* "file /etc/askcred/policy.json", "url", "last good copy". */
const char *policy_store_origin(const struct policy_store *s);
/* How many keys documents are verified with (0: unsigned policies). */
size_t policy_store_key_count(const struct policy_store *s);
/* The last failure of the source, or "". */
const char *policy_store_last_error(const struct policy_store *s);
/* The status of that failure when it was the local policy file's
 * (ASKCRED_NOT_FOUND: missing, ASKCRED_CONFIG_ERROR: malformed, ...);
 * ASKCRED_OK when there is none or it came from the URL. */
askcred_status policy_store_last_status(const struct policy_store *s);

/* ---- for the command (policy_show.c) ---- */

/* A multi-line, human description of the policy in force for these
 * labels: serial, origin, age, every rule with its value. buf is always
 * NUL-terminated. */
void policy_describe(struct policy_store *s, const char *labels, int64_t now,
		     char *buf, size_t size);
/* Why rec is or is not allowed under the policy in force: the decision
 * and the sentence, plus every rule that applies to it. rec may be NULL. */
void policy_explain(struct policy_store *s, const struct policy_context *ctx,
		    const struct token_view *rec, char *buf, size_t size);

#endif
