#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "cache_format.h"
#include "cache_payload.h"
#include "error.h"
#include "secret.h"

#define FILE_KEY_INFO "askcred cache file v1"
#define KEY_ID_LABEL "askcred cache key id v1"
#define ENTRY_NAME_MAX 65

/* Fetching an algorithm walks the provider tables under a lock, and a
 * digest named in a parameter ("SHA256" to HKDF or to EVP_Q_mac) is fetched
 * again on every call. So each algorithm is fetched once per process, and
 * HMAC-SHA256 is set up once as a template context that every MAC copies:
 * the template has its digest but never a key, so it holds no secret. The
 * file key stays OpenSSL's HKDF (EVP_KDF), though OpenSSL 3.0 fetches HMAC
 * and SHA-256 again inside each derivation (about 16k instructions of a
 * 170k cold read): writing HKDF out over our HMAC would be cheaper, but a
 * key derivation is the library's to do. (A template HKDF context to copy
 * would save the digest fetch, but OpenSSL 3.0's HKDF cannot be copied:
 * EVP_KDF_CTX_dup() fails.) scrypt is fetched only when a passphrase is
 * used. */
static EVP_CIPHER *aes_gcm;
static EVP_MD *sha256;
static EVP_MAC_CTX *hmac_template;
static EVP_KDF *hkdf, *scrypt;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static pthread_once_t scrypt_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[2];

	aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* The context keeps its own reference to the HMAC algorithm. */
	if (hmac != NULL && (hmac_template = EVP_MAC_CTX_new(hmac)) != NULL &&
	    EVP_MAC_CTX_set_params(hmac_template, params) != 1) {
		EVP_MAC_CTX_free(hmac_template);
		hmac_template = NULL;
	}
	EVP_MAC_free(hmac);
}

static void fetch_scrypt(void)
{
	scrypt = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
}

/* The provider is a dlopen'd module: when the host unloads it, these
 * pointers vanish with it, so the algorithms go back to OpenSSL first
 * (otherwise each load/unload cycle of a long-running host leaks them). */
__attribute__((destructor)) static void release_all(void)
{
	EVP_CIPHER_free(aes_gcm);
	EVP_MD_free(sha256);
	EVP_MAC_CTX_free(hmac_template);
	EVP_KDF_free(hkdf);
	EVP_KDF_free(scrypt);
	aes_gcm = NULL;
	sha256 = NULL;
	hmac_template = NULL;
	hkdf = scrypt = NULL;
}

EVP_CIPHER *format_aes_gcm(void)
{
	pthread_once(&fetch_once, fetch_all);
	return aes_gcm;
}

EVP_MD *format_sha256(void)
{
	pthread_once(&fetch_once, fetch_all);
	return sha256;
}

EVP_KDF *format_scrypt(void)
{
	pthread_once(&scrypt_once, fetch_scrypt);
	return scrypt;
}

askcred_status format_hmac(const void *key, size_t keylen, const void *d1,
			   size_t n1, const void *d2, size_t n2,
			   uint8_t out[FORMAT_HMAC_LEN])
{
	EVP_MAC_CTX *m;
	size_t outlen = 0;
	askcred_status rc = ASKCRED_OK;

	pthread_once(&fetch_once, fetch_all);
	if (hmac_template == NULL)
		return ASKCRED_INTERNAL;
	/* A copy of the template, not EVP_MAC_CTX_new: no fetch, no digest
	 * lookup. NULL here can only mean no memory; what OpenSSL queued
	 * about it must not stay in the calling thread's error queue. */
	m = EVP_MAC_CTX_dup(hmac_template);
	if (m == NULL) {
		ERR_clear_error();
		return ASKCRED_NO_MEMORY;
	}
	if (EVP_MAC_init(m, key, keylen, NULL) != 1 ||
	    EVP_MAC_update(m, d1, n1) != 1 ||
	    (n2 > 0 && EVP_MAC_update(m, d2, n2) != 1) ||
	    EVP_MAC_final(m, out, &outlen, FORMAT_HMAC_LEN) != 1 ||
	    outlen != FORMAT_HMAC_LEN)
		rc = err_openssl();
	EVP_MAC_CTX_free(m);
	return rc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Offsets of the header fields; docs/cache-format.md has the table. */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 8,
	OFF_AEAD = 9,
	OFF_KDF = 10,
	OFF_FLAGS = 11,
	OFF_RESERVED = 12,
	OFF_KEY_ID = 16,
	OFF_GENERATION = 24,
	OFF_SALT = 32,
	OFF_NONCE = 48,
	OFF_CT_LEN = 60
};

static void header_write(const struct cache_header *h, uint8_t *p)
{
	memcpy(p + OFF_MAGIC, CACHE_MAGIC, CACHE_MAGIC_LEN);
	p[OFF_VERSION] = h->version;
	p[OFF_AEAD] = h->aead;
	p[OFF_KDF] = h->kdf;
	p[OFF_FLAGS] = h->flags;
	put32(p + OFF_RESERVED, h->reserved);
	memcpy(p + OFF_KEY_ID, h->key_id, CACHE_KEY_ID_LEN);
	put64(p + OFF_GENERATION, h->generation);
	memcpy(p + OFF_SALT, h->salt, CACHE_SALT_LEN);
	memcpy(p + OFF_NONCE, h->nonce, CACHE_NONCE_LEN);
	put32(p + OFF_CT_LEN, h->ct_len);
}

askcred_status format_parse_header(const uint8_t *buf, size_t len,
				   struct cache_header *h,
				   struct askcred_error *err)
{
	const char *w = "cache header";

	if (len < CACHE_HEADER_LEN + CACHE_TAG_LEN)
		return err_set(err, ASKCRED_CACHE_ERROR, w,
			       "file is truncated (%zu bytes)", len);
	if (memcmp(buf + OFF_MAGIC, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0)
		return err_set(err, ASKCRED_CACHE_ERROR, "magic",
			       "not an askcred cache file");
	memset(h, 0, sizeof(*h));
	h->version = buf[OFF_VERSION];
	h->aead = buf[OFF_AEAD];
	h->kdf = buf[OFF_KDF];
	h->flags = buf[OFF_FLAGS];
	h->reserved = get32(buf + OFF_RESERVED);
	memcpy(h->key_id, buf + OFF_KEY_ID, CACHE_KEY_ID_LEN);
	h->generation = get64(buf + OFF_GENERATION);
	memcpy(h->salt, buf + OFF_SALT, CACHE_SALT_LEN);
	memcpy(h->nonce, buf + OFF_NONCE, CACHE_NONCE_LEN);
	h->ct_len = get32(buf + OFF_CT_LEN);
	if (h->version != CACHE_VERSION)
		return err_set(err, ASKCRED_CACHE_ERROR, "version",
			       "unknown cache format version %u", h->version);
	if (h->aead != CACHE_AEAD_AES256GCM)
		return err_set(err, ASKCRED_CACHE_ERROR, "aead",
			       "unknown cipher id %u", h->aead);
	if (h->kdf != CACHE_KDF_HKDF_SHA256)
		return err_set(err, ASKCRED_CACHE_ERROR, "kdf",
			       "unknown key derivation id %u", h->kdf);
	if (h->flags != 0)
		return err_set(err, ASKCRED_CACHE_ERROR, "flags",
			       "unknown flags 0x%02x", h->flags);
	if (h->reserved != 0)
		return err_set(err, ASKCRED_CACHE_ERROR, "reserved",
			       "reserved field is not zero");
	if (h->ct_len == 0 || h->ct_len > CACHE_PAYLOAD_MAX)
		return err_set(err, ASKCRED_CACHE_ERROR, "length",
			       "payload length %u out of range", h->ct_len);
	if (len != CACHE_HEADER_LEN + (size_t)h->ct_len + CACHE_TAG_LEN)
		return err_set(err, ASKCRED_CACHE_ERROR, "length",
			       "file is %zu bytes, header says %zu", len,
			       CACHE_HEADER_LEN + (size_t)h->ct_len +
				       CACHE_TAG_LEN);
	return ASKCRED_OK;
}

askcred_status format_key_id(const uint8_t key[CACHE_KEY_LEN],
			     uint8_t id[CACHE_KEY_ID_LEN],
			     struct askcred_error *err)
{
	uint8_t buf[sizeof(KEY_ID_LABEL) + CACHE_KEY_LEN];
	uint8_t md[32];
	unsigned int mdlen = 0;
	int ok;

	memcpy(buf, KEY_ID_LABEL, sizeof(KEY_ID_LABEL));
	memcpy(buf + sizeof(KEY_ID_LABEL), key, CACHE_KEY_LEN);
	ok = format_sha256() != NULL &&
	     EVP_Digest(buf, sizeof(buf), md, &mdlen, format_sha256(), NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok || mdlen != sizeof(md))
		return err_set(err, err_openssl(), "SHA-256",
			       "cannot compute the key id");
	memcpy(id, md, CACHE_KEY_ID_LEN);
	return ASKCRED_OK;
}

/* The per-file key: HKDF-SHA256(master, salt, FILE_KEY_INFO), by
 * OpenSSL's HKDF: a key derivation is not ours to write out. */
static askcred_status file_key(const struct cache_key *k,
			       const uint8_t salt[CACHE_SALT_LEN],
			       uint8_t out[CACHE_KEY_LEN],
			       struct askcred_error *err)
{
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[5], *p = params;
	askcred_status rc = ASKCRED_OK;

	pthread_once(&fetch_once, fetch_all);
	if (hkdf == NULL || (kctx = EVP_KDF_CTX_new(hkdf)) == NULL)
		return err_set(err, err_openssl(), "HKDF",
			       "HKDF is not available");
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)k->key, CACHE_KEY_LEN);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (void *)salt, CACHE_SALT_LEN);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 (void *)FILE_KEY_INFO,
						 sizeof(FILE_KEY_INFO) - 1);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, CACHE_KEY_LEN, params) != 1) {
		OPENSSL_cleanse(out, CACHE_KEY_LEN);
		rc = err_set(err, err_openssl(), "HKDF",
			     "key derivation failed");
	}
	EVP_KDF_CTX_free(kctx);
	return rc;
}

/* One AES-256-GCM pass over in (inlen bytes) into out, with the header and
 * the context as associated data. enc: seal and write tag; else check tag.
 * 1: done; 0: the tag did not match (or encryption failed); -1: the
 * cipher could not even be set up (out of memory), which says nothing
 * about the file. */
static int gcm(int enc, const uint8_t key[CACHE_KEY_LEN], const uint8_t *header,
	       const uint8_t ctx[CACHE_CTX_LEN], const uint8_t *in,
	       size_t inlen, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	const uint8_t *nonce = header + OFF_NONCE;
	int n = 0, ok = 0;

	if (c == NULL || format_aes_gcm() == NULL ||
	    EVP_CipherInit_ex2(c, format_aes_gcm(), key, nonce, enc, NULL) !=
		    1) {
		ok = -1;
		goto out;
	}
	if (EVP_CipherUpdate(c, NULL, &n, header, CACHE_HEADER_LEN) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, ctx, CACHE_CTX_LEN) != 1 ||
	    EVP_CipherUpdate(c, out, &n, in, (int)inlen) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, CACHE_TAG_LEN,
					tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + n, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, CACHE_TAG_LEN,
				       tag) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	/* The return value says what failed; nothing may stay queued in
	 * OpenSSL's error queue, which is the calling thread's. */
	if (ok != 1)
		ERR_clear_error();
	return ok;
}

askcred_status format_seal(const struct cache_keyring *keys,
			   const uint8_t ctx[CACHE_CTX_LEN], uint64_t gen,
			   const char *entry, const struct token_record *rec,
			   uint8_t **out, size_t *out_len,
			   struct askcred_error *err)
{
	struct cache_header h;
	uint8_t fkey[CACHE_KEY_LEN];
	char *pt = NULL;
	size_t ptlen = 0, total;
	uint8_t *file = NULL;
	askcred_status rc;
	int sealed;

	if (keys->n == 0)
		return err_set(err, ASKCRED_INTERNAL, "cache key", "no key");
	rc = payload_encode(entry, rec, &pt, &ptlen, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (ptlen > CACHE_PAYLOAD_MAX) {
		rc = err_set(err, ASKCRED_INVALID, "cache payload",
			     "record too large to cache (%zu bytes)", ptlen);
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.version = CACHE_VERSION;
	h.aead = CACHE_AEAD_AES256GCM;
	h.kdf = CACHE_KDF_HKDF_SHA256;
	memcpy(h.key_id, keys->keys[0].id, CACHE_KEY_ID_LEN);
	h.generation = gen;
	h.ct_len = (uint32_t)ptlen;
	if (RAND_bytes(h.salt, CACHE_SALT_LEN) != 1 ||
	    RAND_bytes(h.nonce, CACHE_NONCE_LEN) != 1) {
		rc = err_set(err, err_openssl(), "RAND_bytes",
			     "no randomness for salt and nonce");
		goto out;
	}
	total = CACHE_HEADER_LEN + ptlen + CACHE_TAG_LEN;
	file = malloc(total);
	if (file == NULL) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "cache file",
			     "out of memory");
		goto out;
	}
	header_write(&h, file);
	rc = file_key(&keys->keys[0], h.salt, fkey, err);
	if (rc != ASKCRED_OK)
		goto out;
	sealed = gcm(1, fkey, file, ctx, (const uint8_t *)pt, ptlen,
		     file + CACHE_HEADER_LEN, file + CACHE_HEADER_LEN + ptlen);
	if (sealed != 1) {
		rc = err_set(err,
			     sealed < 0 ? ASKCRED_NO_MEMORY : ASKCRED_INTERNAL,
			     "AES-256-GCM", "encryption failed");
		goto out;
	}
	*out = file;
	*out_len = total;
	file = NULL;
out:
	OPENSSL_cleanse(fkey, sizeof(fkey));
	free_wiped(pt, ptlen + 1);
	free(file);
	return rc;
}

static const struct cache_key *find_key(const struct cache_keyring *keys,
					const uint8_t id[CACHE_KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < keys->n; i++)
		if (CRYPTO_memcmp(keys->keys[i].id, id, CACHE_KEY_ID_LEN) == 0)
			return &keys->keys[i];
	return NULL;
}

askcred_status format_open(const struct cache_keyring *keys,
			   const uint8_t ctx[CACHE_CTX_LEN], const uint8_t *buf,
			   size_t len, const char *workspace, const char *entry,
			   struct token_record *out, uint64_t *gen,
			   struct askcred_error *err)
{
	struct cache_header h;
	const struct cache_key *k;
	uint8_t fkey[CACHE_KEY_LEN];
	uint8_t tag[CACHE_TAG_LEN];
	uint8_t *pt = NULL;
	char found_entry[ENTRY_NAME_MAX];
	askcred_status rc;
	int sealed;

	record_clear(out);
	rc = format_parse_header(buf, len, &h, err);
	if (rc != ASKCRED_OK)
		return rc;
	k = find_key(keys, h.key_id);
	if (k == NULL)
		return err_set(err, ASKCRED_CACHE_ERROR, "key id",
			       "sealed with an unknown key (not the current "
			       "or an old master key)");
	pt = malloc(h.ct_len);
	if (pt == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "cache file",
			       "out of memory");
	rc = file_key(k, h.salt, fkey, err);
	if (rc != ASKCRED_OK)
		goto out;
	memcpy(tag, buf + CACHE_HEADER_LEN + h.ct_len, CACHE_TAG_LEN);
	sealed = gcm(0, fkey, buf, ctx, buf + CACHE_HEADER_LEN, h.ct_len, pt,
		     tag);
	if (sealed < 0) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "AES-256-GCM",
			     "cannot set up the cipher (out of memory)");
		goto out;
	}
	if (sealed == 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, "AES-256-GCM",
			     "authentication failed: the file was modified "
			     "or sealed for another workspace, entry, user "
			     "or host");
		goto out;
	}
	rc = payload_decode((const char *)pt, h.ct_len, out, found_entry,
			    sizeof(found_entry), err);
	if (rc != ASKCRED_OK)
		goto out;
	/* The context already binds both; checking again costs nothing and
	 * guards against a bug in how the context is built. */
	if (strcmp(out->workspace_id, workspace) != 0 ||
	    strcmp(found_entry, entry) != 0) {
		record_clear(out);
		rc = err_set(err, ASKCRED_CACHE_ERROR, "cache payload",
			     "payload names another workspace or entry");
		goto out;
	}
	*gen = h.generation;
out:
	OPENSSL_cleanse(fkey, sizeof(fkey));
	free_wiped(pt, h.ct_len);
	return rc;
}
