/*
 * The sealed cache file: a fixed 64-byte header, AES-256-GCM ciphertext of
 * a JSON payload, a 16-byte tag. Pure functions over buffers, so tests and
 * fuzzers can drive them without a file system. Byte layout:
 * docs/cache-format.md.
 */
#ifndef ASKCRED_PLUGIN_CACHE_FORMAT_H
#define ASKCRED_PLUGIN_CACHE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <askcred/provider.h>

#include "record.h"

#define CACHE_MAGIC "ACRDCACH"
#define CACHE_MAGIC_LEN 8
#define CACHE_VERSION 1
#define CACHE_AEAD_AES256GCM 1
#define CACHE_KDF_HKDF_SHA256 1
#define CACHE_HEADER_LEN 64
#define CACHE_TAG_LEN 16
#define CACHE_SALT_LEN 16
#define CACHE_NONCE_LEN 12
#define CACHE_KEY_LEN 32
#define CACHE_KEY_ID_LEN 8
#define CACHE_CTX_LEN 32
/* Payload bound: a TOKEN_MAX_LEN token JSON-escaped at worst (6 bytes per
 * byte) plus the other fields fits easily. */
#define CACHE_PAYLOAD_MAX 8192
#define CACHE_FILE_MAX (CACHE_HEADER_LEN + CACHE_PAYLOAD_MAX + CACHE_TAG_LEN)

struct cache_header {
	uint8_t version, aead, kdf, flags;
	uint32_t reserved;
	uint8_t key_id[CACHE_KEY_ID_LEN];
	uint64_t generation;
	uint8_t salt[CACHE_SALT_LEN];
	uint8_t nonce[CACHE_NONCE_LEN];
	uint32_t ct_len;
};

/* One master key and its public id. */
struct cache_key {
	uint8_t id[CACHE_KEY_ID_LEN];
	uint8_t key[CACHE_KEY_LEN];
};

/* keys[0] seals; every key opens. */
struct cache_keyring {
	struct cache_key *keys;
	size_t n;
};

/* Parse and check the header of a whole file image: magic, version,
 * algorithms, flags, reserved, and that len is exactly header + ct + tag.
 * Refusals are ASKCRED_CACHE_ERROR naming the field. No key needed. */
askcred_status format_parse_header(const uint8_t *buf, size_t len,
				   struct cache_header *h,
				   struct askcred_error *err);

/* Seal rec for entry under keys->keys[0], bound to ctx (see
 * cache_context.h), as generation gen. *out (*out_len bytes, not secret)
 * is the caller's to free(). */
askcred_status format_seal(const struct cache_keyring *keys,
			   const uint8_t ctx[CACHE_CTX_LEN], uint64_t gen,
			   const char *entry, const struct token_record *rec,
			   uint8_t **out, size_t *out_len,
			   struct askcred_error *err);

/* Open a file image sealed for (workspace, entry, ctx). On success *out is
 * the caller's (record_clear) and *gen the file's generation. Every failure
 * is ASKCRED_CACHE_ERROR with a reason ("unknown key id", "authentication
 * failed", "payload names another workspace", ...); out is left cleared. */
askcred_status format_open(const struct cache_keyring *keys,
			   const uint8_t ctx[CACHE_CTX_LEN], const uint8_t *buf,
			   size_t len, const char *workspace, const char *entry,
			   struct token_record *out, uint64_t *gen,
			   struct askcred_error *err);

/* The public id of a master key: the first 8 bytes of
 * SHA-256("askcred cache key id v1" || key). */
askcred_status format_key_id(const uint8_t key[CACHE_KEY_LEN],
			     uint8_t id[CACHE_KEY_ID_LEN],
			     struct askcred_error *err);

/* Algorithms fetched once per process (thread-safe), freed when the
 * module is unloaded; NULL when the OpenSSL provider lacks them. */
EVP_CIPHER *format_aes_gcm(void);
EVP_MD *format_sha256(void);
EVP_KDF *format_scrypt(void);

/* HMAC-SHA256(key, d1 || d2) into out, from a context set up once per
 * process. d2 may be NULL when n2 is 0. ASKCRED_OK, ASKCRED_NO_MEMORY or
 * another status for an OpenSSL failure; the caller sets the message. */
#define FORMAT_HMAC_LEN 32
askcred_status format_hmac(const void *key, size_t keylen, const void *d1,
			   size_t n1, const void *d2, size_t n2,
			   uint8_t out[FORMAT_HMAC_LEN]);

#endif
