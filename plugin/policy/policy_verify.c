/*
 * Is this document the organisation's, and not an older one? A detached
 * Ed25519 signature over the exact bytes, checked against public keys the
 * host's administrator put on disk; and a rollback guard remembering the
 * highest serial accepted.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "error.h"
#include "policy.h"
#include "policy_file.h"
#include "safefile.h"
#include "secret.h"

#define ED25519_SIG_LEN 64
#define SERIAL_FILE "policy.serial"

struct policy_keys {
	EVP_PKEY **keys;
	size_t n;
};

static askcred_status load_key(const char *path, EVP_PKEY **out,
			       struct askcred_error *err)
{
	/* A key others may rewrite would let them sign policies. */
	const struct file_rules rules = {"policy public key", 022, 1, 16384};
	askcred_status rc;
	char *pem = NULL;
	size_t len = 0;
	BIO *bio = NULL;

	*out = NULL;
	rc = safe_read_file(path, &rules, &pem, &len, err);
	if (rc != ASKCRED_OK)
		return rc == ASKCRED_NOT_FOUND ? ASKCRED_CONFIG_ERROR : rc;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio != NULL)
		*out = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (*out == NULL)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "not a PEM public key (\"-----BEGIN PUBLIC "
			     "KEY-----\")");
	else if (!EVP_PKEY_is_a(*out, "ED25519"))
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "policy keys must be Ed25519, this is %s",
			     EVP_PKEY_get0_type_name(*out));
	if (rc != ASKCRED_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	BIO_free(bio);
	free_wiped(pem, len + 1);
	return rc;
}

askcred_status policy_keys_load(const char *const *paths, size_t n,
				struct policy_keys **out,
				struct askcred_error *err)
{
	struct policy_keys *k = NULL;
	askcred_status rc = ASKCRED_OK;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL ||
	    (k->keys = calloc(n ? n : 1, sizeof(*k->keys))) == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "policy keys",
			     "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = load_key(paths[i], &k->keys[i], err);
		if (rc != ASKCRED_OK)
			goto out;
		k->n++;
	}
	*out = k;
	k = NULL;
out:
	policy_keys_free(k);
	return rc;
}

void policy_keys_free(struct policy_keys *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->n; i++)
		EVP_PKEY_free(k->keys[i]);
	free(k->keys);
	free(k);
}

size_t policy_keys_count(const struct policy_keys *k)
{
	return k ? k->n : 0;
}

/* 64 raw bytes, or their base64 (what a web server or a text file holds),
 * surrounding white space allowed. 0 on success. */
static int decode_sig(const unsigned char *sig, size_t siglen,
		      unsigned char out[ED25519_SIG_LEN])
{
	unsigned char text[128], raw[128];
	size_t n = 0, pad = 0;
	int got;

	if (siglen == ED25519_SIG_LEN) {
		memcpy(out, sig, ED25519_SIG_LEN);
		return 0;
	}
	for (size_t i = 0; i < siglen; i++) {
		if (isspace(sig[i]))
			continue;
		if (n == sizeof(text))
			return -1;
		text[n++] = sig[i];
	}
	if (n == 0 || n % 4 != 0)
		return -1;
	pad = (text[n - 1] == '=') + (text[n - 2] == '=');
	got = EVP_DecodeBlock(raw, text, (int)n);
	if (got < 0 || (size_t)got - pad != ED25519_SIG_LEN)
		return -1;
	memcpy(out, raw, ED25519_SIG_LEN);
	return 0;
}

askcred_status policy_verify(const struct policy_keys *k, const char *doc,
			     size_t len, const unsigned char *sig,
			     size_t siglen, const char *name,
			     struct askcred_error *err)
{
	unsigned char raw[ED25519_SIG_LEN];

	if (k == NULL || k->n == 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, name,
			       "no policy keys configured to verify with");
	if (sig == NULL || siglen == 0)
		return err_set(err, ASKCRED_DENIED, name,
			       "policy is not signed, and policy keys are "
			       "configured: refusing it");
	if (decode_sig(sig, siglen, raw) != 0)
		return err_set(err, ASKCRED_DENIED, name,
			       "policy signature is malformed: want 64 bytes "
			       "of Ed25519 signature, raw or base64");
	for (size_t i = 0; i < k->n; i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		int good;

		if (md == NULL)
			return err_set(err, ASKCRED_NO_MEMORY, name,
				       "out of memory");
		/* Ed25519 is one-shot: no digest, the exact bytes. */
		good = EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->keys[i]) ==
			       1 &&
		       EVP_DigestVerify(md, raw, sizeof(raw),
					(const unsigned char *)doc, len) == 1;
		EVP_MD_CTX_free(md);
		if (good)
			return ASKCRED_OK;
	}
	return err_set(err, ASKCRED_DENIED, name,
		       "policy signature does not verify with any of the %zu "
		       "configured key(s): the document was changed or signed "
		       "with another key",
		       k->n);
}

static void sha256_hex(const char *doc, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memset(out, '0', 64);
	out[64] = '\0';
	if (EVP_Digest(doc, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (unsigned i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
}

/* The state file: "<serial> <sha256 hex>\n". */
static askcred_status read_state(const char *dir, uint64_t *serial,
				 char hash[65], struct askcred_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	askcred_status rc;
	unsigned long long s = 0;
	int used = 0;

	*serial = 0;
	hash[0] = '\0';
	rc = policy_read_file(dir, SERIAL_FILE, 256, &buf, &len, err);
	if (rc == ASKCRED_NOT_FOUND) {
		err_clear(err);
		return ASKCRED_OK;
	}
	if (rc != ASKCRED_OK)
		return rc;
	if (sscanf(buf, "%llu %64[0-9a-f]%n", &s, hash, &used) != 2 ||
	    strlen(hash) != 64 || strcmp(buf + used, "\n") != 0 || s == 0)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, dir,
			     "%s is damaged; refusing to guess the last "
			     "accepted serial (remove it to start over)",
			     SERIAL_FILE);
	else
		*serial = s;
	free(buf);
	return rc;
}

askcred_status policy_serial_last(const char *state_dir, uint64_t *serial,
				  struct askcred_error *err)
{
	char hash[65];

	return read_state(state_dir, serial, hash, err);
}

askcred_status policy_serial_accept_locked(const char *state_dir,
					   uint64_t serial, const char *doc,
					   size_t len,
					   struct askcred_error *err)
{
	char hash[65], last_hash[65], line[96];
	uint64_t last = 0;
	askcred_status rc;

	sha256_hex(doc, len, hash);
	rc = read_state(state_dir, &last, last_hash, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (serial < last)
		return err_set(err, ASKCRED_DENIED, "serial",
			       "policy serial %" PRIu64 " is lower than the "
			       "last accepted serial %" PRIu64 ": refusing a "
			       "rollback",
			       serial, last);
	/* Two documents with one serial: one of them is not what the
	 * organisation meant, and we cannot tell which. */
	if (serial == last && strcmp(hash, last_hash) != 0)
		return err_set(err, ASKCRED_DENIED, "serial",
			       "policy serial %" PRIu64 " was already accepted "
			       "with different content: a new document needs a "
			       "new serial",
			       serial);
	if (serial == last)
		return ASKCRED_OK;
	snprintf(line, sizeof(line), "%" PRIu64 " %s\n", serial, hash);
	return policy_write_file(state_dir, SERIAL_FILE, line, strlen(line),
				 err);
}

askcred_status policy_serial_accept(const char *state_dir, uint64_t serial,
				    const char *doc, size_t len,
				    struct askcred_error *err)
{
	askcred_status rc;
	int lock = -1;

	rc = policy_lock(state_dir, &lock, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = policy_serial_accept_locked(state_dir, serial, doc, len, err);
	policy_unlock(lock);
	return rc;
}
