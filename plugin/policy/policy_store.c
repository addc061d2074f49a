/*
 * The policy in force: accept a document (parse, verify, rollback guard),
 * keep it on disk as the last good copy, and fail closed when nothing
 * valid is left. See policy_store.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "error.h"
#include "policy_file.h"
#include "policy_store.h"
#include "safefile.h"
#include "text.h"

#define COPY_DOC "policy.json"
#define COPY_SIG "policy.json.sig"
#define COPY_META "policy.meta"
#define SIG_MAX 512
#define ETAG_MAX 256
#define ISSUED_SKEW 300

/* What a local file was when it was last read: stat() fields that change
 * when it is written or replaced. */
struct file_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	int present;
};

struct policy_store {
	char *file, *sig_file, *state_dir;
	/* The local file and its signature when last read, and whether the
	 * policy in force is that reading's. */
	struct file_stamp doc_stamp, sig_stamp;
	int current_is_file;
	struct policy_keys *keys; /* NULL: documents are not signed */
	/* The document in force and its bytes, kept to write the copy. */
	struct policy *current;
	char *doc;
	size_t doclen;
	unsigned char *sig;
	size_t siglen;
	int64_t fetched_at;
	char *etag;
	char origin[160];
	char last_error[ASKCRED_ERROR_WHERE_MAX + ASKCRED_ERROR_MESSAGE_MAX];
	/* Status of last_error when the local policy file failed to load;
	 * ASKCRED_OK otherwise. */
	askcred_status last_status;
};

static void stamp(const char *path, struct file_stamp *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (path == NULL || stat(path, &st) != 0)
		return;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime = st.st_mtim;
	out->ctime = st.st_ctim;
	out->present = 1;
}

static int same_stamp(const struct file_stamp *a, const struct file_stamp *b)
{
	return a->present == b->present && a->dev == b->dev &&
	       a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void remember_failure(struct policy_store *s,
			     const struct askcred_error *e)
{
	if (e == NULL)
		return;
	snprintf(s->last_error, sizeof(s->last_error), "%s%s%s", e->where,
		 e->where[0] ? ": " : "", e->message);
	s->last_status = ASKCRED_OK; /* set by policy_store_load_file() */
}

void policy_store_source_failed(struct policy_store *s,
				const struct askcred_error *why)
{
	remember_failure(s, why);
}

#define COPY_PREFIX "last good copy of "

/* The origin without any "last good copy of " in front: what is saved,
 * so the words are added once when the copy is read back, never again
 * on each save (older meta files may hold them several times). */
static const char *bare_origin(const char *origin)
{
	while (strncmp(origin, COPY_PREFIX, strlen(COPY_PREFIX)) == 0)
		origin += strlen(COPY_PREFIX);
	return origin;
}

/* The meta file: non-secret facts about the copy, as JSON. */
static askcred_status save_meta(struct policy_store *s,
				struct askcred_error *err)
{
	json_object *o = json_object_new_object();
	const char *text;
	askcred_status rc;

	if (o == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, COPY_META,
			       "out of memory");
	json_object_object_add(o, "fetched_at",
			       json_object_new_int64(s->fetched_at));
	json_object_object_add(o, "origin",
			       json_object_new_string(bare_origin(s->origin)));
	if (s->etag != NULL)
		json_object_object_add(o, "etag",
				       json_object_new_string(s->etag));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = policy_write_file(s->state_dir, COPY_META, text, strlen(text),
			       err);
	json_object_put(o);
	return rc;
}

/* Document and signature first, meta last: a crash in between leaves a
 * copy that either verifies whole or is refused whole. */
static askcred_status save_copy(struct policy_store *s,
				struct askcred_error *err)
{
	askcred_status rc;
	char path[4096];

	if (s->state_dir == NULL)
		return ASKCRED_OK;
	rc = policy_write_file(s->state_dir, COPY_DOC, s->doc, s->doclen, err);
	if (rc == ASKCRED_OK && s->sig != NULL)
		rc = policy_write_file(s->state_dir, COPY_SIG, s->sig,
				       s->siglen, err);
	if (rc == ASKCRED_OK && s->sig == NULL &&
	    policy_path(path, sizeof(path), s->state_dir, COPY_SIG, err) ==
		    ASKCRED_OK)
		(void)unlink(path);
	if (rc == ASKCRED_OK)
		rc = save_meta(s, err);
	return rc;
}

static void drop_current(struct policy_store *s)
{
	policy_free(s->current);
	free(s->doc);
	free(s->sig);
	free(s->etag);
	s->current = NULL;
	s->doc = NULL;
	s->sig = NULL;
	s->etag = NULL;
	s->doclen = s->siglen = 0;
}

/* Parse, verify and check a document; install it on success. keep_serial
 * is set when loading our own copy: its serial was recorded already. */
static askcred_status accept_doc(struct policy_store *s, const char *doc,
				 size_t len, const unsigned char *sig,
				 size_t siglen, const char *etag, int64_t now,
				 const char *origin, int from_copy,
				 struct askcred_error *err)
{
	struct policy *p = NULL;
	char *doc_copy = NULL, *etag_copy = NULL;
	unsigned char *sig_copy = NULL;
	askcred_status rc;
	uint64_t last = 0;
	int lock = -1;

	/* Refuse the cheap way before spending a signature check on it. */
	if (len > POLICY_DOC_MAX)
		return err_set(err, ASKCRED_DENIED, origin,
			       "policy document is %zu bytes, more than the %u "
			       "allowed",
			       len, POLICY_DOC_MAX);
	if (sig != NULL && siglen > SIG_MAX)
		return err_set(err, ASKCRED_DENIED, origin,
			       "policy signature is %zu bytes, more than %u",
			       siglen, SIG_MAX);
	if (etag != NULL && strlen(etag) > ETAG_MAX)
		etag = NULL; /* only an optimisation: drop it */
	if (s->keys != NULL) {
		rc = policy_verify(s->keys, doc, len, sig, siglen, origin, err);
		if (rc != ASKCRED_OK)
			return rc;
	}
	rc = policy_parse(doc, len, origin, &p, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* A document dated ahead would outlive its max_age; allow a little
	 * clock skew between the signer and this host. */
	if (!from_copy && p->issued_at > now + ISSUED_SKEW) {
		rc = err_set(err, ASKCRED_DENIED, "issued_at",
			     "policy serial %" PRIu64 " is issued in the "
			     "future (more than %ds ahead of this host's "
			     "clock)",
			     p->serial, ISSUED_SKEW);
		goto out;
	}
	if (s->state_dir != NULL && !from_copy) {
		/* Record the serial and write the copy under one lock, so no
		 * process can leave an older copy on disk than the serial
		 * another one recorded. */
		rc = policy_lock(s->state_dir, &lock, err);
		if (rc == ASKCRED_OK)
			rc = policy_serial_accept_locked(
				s->state_dir, p->serial, doc, len, err);
	} else if (s->state_dir != NULL) {
		/* Our own copy must be the last document accepted. */
		rc = policy_serial_last(s->state_dir, &last, err);
		if (rc == ASKCRED_OK && p->serial < last)
			rc = err_set(
				err, ASKCRED_DENIED, origin,
				"last good copy has serial %" PRIu64
				", older than the accepted serial %" PRIu64,
				p->serial, last);
	} else if (s->current != NULL && p->serial < s->current->serial) {
		rc = err_set(err, ASKCRED_DENIED, "serial",
			     "policy serial %" PRIu64 " is lower than the one "
			     "in force (%" PRIu64 "): refusing a rollback",
			     p->serial, s->current->serial);
	}
	if (rc != ASKCRED_OK)
		goto out;
	doc_copy = malloc(len ? len : 1);
	sig_copy = sig && siglen ? malloc(siglen) : NULL;
	etag_copy = etag ? strdup(etag) : NULL;
	if (doc_copy == NULL || (sig && siglen && sig_copy == NULL) ||
	    (etag && etag_copy == NULL)) {
		rc = err_set(err, ASKCRED_NO_MEMORY, origin, "out of memory");
		goto out;
	}
	memcpy(doc_copy, doc, len);
	if (sig_copy != NULL)
		memcpy(sig_copy, sig, siglen);
	drop_current(s);
	s->current = p;
	s->doc = doc_copy;
	s->doclen = len;
	s->sig = sig_copy;
	s->siglen = sig_copy ? siglen : 0;
	s->etag = etag_copy;
	s->fetched_at = now;
	snprintf(s->origin, sizeof(s->origin), "%s", origin);
	p = NULL;
	doc_copy = etag_copy = NULL;
	sig_copy = NULL;
	s->last_error[0] = '\0';
	s->last_status = ASKCRED_OK;
	if (!from_copy)
		rc = save_copy(s, err);
out:
	policy_unlock(lock);
	policy_free(p);
	free(doc_copy);
	free(sig_copy);
	free(etag_copy);
	return rc;
}

/* Restore fetch time, origin and ETag of our copy. */
static void load_meta(struct policy_store *s, struct askcred_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	json_object *o = NULL, *v;

	if (policy_read_file(s->state_dir, COPY_META, 4096, &buf, &len, err) !=
	    ASKCRED_OK)
		return;
	o = json_tokener_parse(buf);
	if (o != NULL && json_object_object_get_ex(o, "fetched_at", &v) &&
	    json_object_is_type(v, json_type_int))
		s->fetched_at = json_object_get_int64(v);
	if (o != NULL && json_object_object_get_ex(o, "etag", &v) &&
	    json_object_is_type(v, json_type_string) && s->etag == NULL)
		s->etag = strdup(json_object_get_string(v));
	if (o != NULL && json_object_object_get_ex(o, "origin", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(s->origin, sizeof(s->origin), COPY_PREFIX "%s",
			 bare_origin(json_object_get_string(v)));
	json_object_put(o);
	free(buf);
}

static askcred_status load_copy(struct policy_store *s,
				struct askcred_error *err)
{
	char *doc = NULL, *sig = NULL;
	size_t doclen = 0, siglen = 0;
	askcred_status rc;

	rc = policy_read_file(s->state_dir, COPY_DOC, POLICY_DOC_MAX, &doc,
			      &doclen, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = policy_read_file(s->state_dir, COPY_SIG, SIG_MAX, &sig, &siglen,
			      err);
	if (rc == ASKCRED_NOT_FOUND)
		rc = ASKCRED_OK;
	if (rc != ASKCRED_OK)
		goto out;
	rc = accept_doc(s, doc, doclen, (unsigned char *)sig, siglen, NULL, 0,
			"last good copy", 1, err);
	if (rc == ASKCRED_OK)
		load_meta(s, err);
out:
	free(doc);
	free(sig);
	return rc;
}

askcred_status policy_store_open(const struct policy_store_config *cfg,
				 struct policy_store **out,
				 struct askcred_error *err)
{
	struct policy_store *s = NULL;
	struct askcred_error copy_err = ASKCRED_ERROR_INIT;
	askcred_status rc = ASKCRED_OK;
	int failed = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "policy",
			       "out of memory");
	s->file = dup_or_null(cfg->file, &failed);
	s->state_dir = dup_or_null(cfg->state_dir, &failed);
	if (cfg->sig_file != NULL) {
		s->sig_file = dup_or_null(cfg->sig_file, &failed);
	} else if (cfg->file != NULL) {
		size_t n = strlen(cfg->file) + sizeof(".sig");

		s->sig_file = malloc(n);
		if (s->sig_file != NULL)
			snprintf(s->sig_file, n, "%s.sig", cfg->file);
		failed |= s->sig_file == NULL;
	}
	if (failed) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "policy", "out of memory");
		goto out;
	}
	if (cfg->n_keys > 0) {
		rc = policy_keys_load(cfg->keys, cfg->n_keys, &s->keys, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	if (s->state_dir != NULL) {
		rc = safe_check_dir(s->state_dir, "policy state directory",
				    err);
		if (rc != ASKCRED_OK)
			goto out;
		/* No usable copy is not an error yet: the source may still
		 * deliver. Remember why, for the fail-closed message. */
		if (load_copy(s, &copy_err) != ASKCRED_OK &&
		    copy_err.code != ASKCRED_NOT_FOUND)
			remember_failure(s, &copy_err);
	}
	*out = s;
	s = NULL;
out:
	policy_store_free(s);
	return rc;
}

void policy_store_free(struct policy_store *s)
{
	if (s == NULL)
		return;
	drop_current(s);
	policy_keys_free(s->keys);
	free(s->file);
	free(s->sig_file);
	free(s->state_dir);
	free(s);
}

askcred_status policy_store_load_file(struct policy_store *s, int64_t now,
				      struct askcred_error *err)
{
	/* The policy decides what hosts may do: nobody else may rewrite it. */
	const struct file_rules doc_rules = {"policy file", 022, 1,
					     POLICY_DOC_MAX};
	const struct file_rules sig_rules = {"policy signature", 022, 1,
					     SIG_MAX};
	char *doc = NULL, *sig = NULL, origin[160];
	size_t doclen = 0, siglen = 0;
	askcred_status rc;

	if (s->file == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "policy",
			       "no policy file configured");
	/* Stamped before reading: a file replaced in between is read again
	 * at the next recheck, never missed. */
	stamp(s->file, &s->doc_stamp);
	stamp(s->sig_file, &s->sig_stamp);
	s->current_is_file = 0;
	rc = safe_read_file(s->file, &doc_rules, &doc, &doclen, err);
	if (rc == ASKCRED_OK && s->keys != NULL) {
		rc = safe_read_file(s->sig_file, &sig_rules, &sig, &siglen,
				    err);
		if (rc == ASKCRED_NOT_FOUND)
			rc = err_set(err, ASKCRED_DENIED, s->sig_file,
				     "policy is not signed (no signature "
				     "file), and policy keys are configured: "
				     "refusing it");
	}
	snprintf(origin, sizeof(origin), "file %s", s->file);
	if (rc == ASKCRED_OK)
		rc = accept_doc(s, doc, doclen, (unsigned char *)sig, siglen,
				NULL, now, origin, 0, err);
	if (rc == ASKCRED_OK)
		s->current_is_file = 1;
	if (rc != ASKCRED_OK) {
		remember_failure(s, err);
		/* Only a local file's failure is the operator's to fix as
		 * such; a download's stays a plain denial. */
		s->last_status = rc;
	}
	free(doc);
	free(sig);
	return rc;
}

askcred_status policy_store_recheck_file(struct policy_store *s, int64_t now,
					 struct askcred_error *err)
{
	struct file_stamp doc, sig;

	if (s->file == NULL)
		return ASKCRED_OK;
	stamp(s->file, &doc);
	stamp(s->sig_file, &sig);
	if (!same_stamp(&doc, &s->doc_stamp) ||
	    !same_stamp(&sig, &s->sig_stamp))
		return policy_store_load_file(s, now, err);
	/* Unchanged: as good as read now, which is what a newly opened store
	 * would do (its max_age then counts from now, or from issued_at). */
	if (s->current_is_file)
		s->fetched_at = now;
	return ASKCRED_OK;
}

askcred_status policy_store_update_from_bytes(struct policy_store *s,
					      const char *doc, size_t doclen,
					      const unsigned char *sig,
					      size_t siglen, const char *etag,
					      int64_t now,
					      struct askcred_error *err)
{
	askcred_status rc;

	rc = accept_doc(s, doc, doclen, sig, siglen, etag, now, "url", 0, err);
	if (rc != ASKCRED_OK)
		remember_failure(s, err);
	return rc;
}

askcred_status policy_store_not_modified(struct policy_store *s, int64_t now,
					 struct askcred_error *err)
{
	if (s->current == NULL)
		return err_set(err, ASKCRED_INTERNAL, "policy",
			       "304 Not Modified but no policy is held");
	s->fetched_at = now;
	s->last_error[0] = '\0';
	s->last_status = ASKCRED_OK;
	return s->state_dir ? save_meta(s, err) : ASKCRED_OK;
}

askcred_status policy_store_current(struct policy_store *s, int64_t now,
				    const struct policy **out,
				    struct askcred_error *err)
{
	const struct policy *p = s->current;
	char age_s[24], max_s[24];
	int64_t since;

	*out = NULL;
	if (p == NULL)
		return err_set(err, ASKCRED_DENIED, "policy",
			       "a policy is configured but none is valid, so "
			       "nothing is handed out%s%s",
			       s->last_error[0] ? ": " : "", s->last_error);
	since = p->issued_at && p->issued_at < s->fetched_at ? p->issued_at
							     : s->fetched_at;
	if (now - since > p->max_age) {
		policy_format_duration(now - since, age_s, sizeof(age_s));
		policy_format_duration(p->max_age, max_s, sizeof(max_s));
		return err_set(err, ASKCRED_DENIED, "policy",
			       "policy serial %" PRIu64 " is %s old, past its "
			       "max_age of %s, so nothing is handed out%s%s",
			       p->serial, age_s, max_s,
			       s->last_error[0] ? "; last failure: " : "",
			       s->last_error);
	}
	*out = p;
	return ASKCRED_OK;
}

askcred_status policy_store_check(struct policy_store *s,
				  const struct policy_context *ctx,
				  const struct token_view *rec,
				  struct policy_decision *out, uint64_t *serial,
				  struct askcred_error *err)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	const struct policy *p = NULL;

	if (serial != NULL)
		*serial = 0;
	if (s != NULL &&
	    policy_store_current(s, ctx->now, &p, &why) != ASKCRED_OK) {
		policy_decide(out, POLICY_R_NONE_VALID, "%s", why.message);
		return ASKCRED_OK;
	}
	if (serial != NULL && p != NULL)
		*serial = p->serial;
	return policy_check(p, ctx, rec, out, err);
}

const char *policy_store_etag(const struct policy_store *s)
{
	return s->current ? s->etag : NULL;
}

int64_t policy_store_fetched_at(const struct policy_store *s)
{
	return s->current ? s->fetched_at : 0;
}

const char *policy_store_origin(const struct policy_store *s)
{
	return s->current ? s->origin : "none";
}

size_t policy_store_key_count(const struct policy_store *s)
{
	return policy_keys_count(s->keys);
}

const char *policy_store_last_error(const struct policy_store *s)
{
	return s->last_error;
}

askcred_status policy_store_last_status(const struct policy_store *s)
{
	return s->last_status;
}
