/* The sealed file format, driven over buffers: what it accepts and every
 * way it refuses. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "cache_context.h"
#include "cache_format.h"
#include "cache_test.h"
#include "error.h"
#include "tap.h"

static struct test_env env;
static struct cache_key key_a, key_b;
static struct cache_keyring ring_a = {&key_a, 1}, ring_b = {&key_b, 1};
static uint8_t host_a[CACHE_HOST_ID_LEN], host_b[CACHE_HOST_ID_LEN];

static void make_key(struct cache_key *k)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	if (RAND_bytes(k->key, CACHE_KEY_LEN) != 1 ||
	    format_key_id(k->key, k->id, &err) != ASKCRED_OK)
		tap_bail("cannot make a key");
}

static void ctx_for(uid_t uid, const uint8_t *host, const char *ws,
		    const char *entry, uint8_t out[CACHE_CTX_LEN])
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	if (context_bind(uid, host, ws, entry, out, &err) != ASKCRED_OK)
		tap_bail("context_bind: %s", err.message);
}

/* Seal the standard record for (WS_A, "default") as uid 1000 on host A. */
static void seal_std(uint8_t **file, size_t *len, uint64_t gen)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	uint8_t ctx[CACHE_CTX_LEN];

	make_record(&r, WS_A, "tok-\"quoted\"-\\slash/-\xc3\xa9", 1800000000);
	ctx_for(1000, host_a, WS_A, "default", ctx);
	if (format_seal(&ring_a, ctx, gen, "default", &r, file, len, &err) !=
	    ASKCRED_OK)
		tap_bail("format_seal: %s", err.message);
	record_clear(&r);
}

static askcred_status open_std(const uint8_t *file, size_t len,
			       struct token_record *out,
			       struct askcred_error *err)
{
	uint8_t ctx[CACHE_CTX_LEN];
	uint64_t gen = 0;

	ctx_for(1000, host_a, WS_A, "default", ctx);
	return format_open(&ring_a, ctx, file, len, WS_A, "default", out, &gen,
			   err);
}

static void round_trip_keeps_every_field(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record out = {0};
	uint8_t ctx[CACHE_CTX_LEN], *file = NULL;
	size_t len = 0;
	uint64_t gen = 0;
	askcred_status rc;

	seal_std(&file, &len, 7);
	ctx_for(1000, host_a, WS_A, "default", ctx);
	rc = format_open(&ring_a, ctx, file, len, WS_A, "default", &out, &gen,
			 &err);
	is_int(rc, ASKCRED_OK, "round trip opens (%s)", err.message);
	is_str(out.token.buf, "tok-\"quoted\"-\\slash/-\xc3\xa9",
	       "round trip keeps the token byte for byte");
	is_int((long long)out.token.len, 23, "round trip keeps token length");
	is_str(out.workspace_id, WS_A, "round trip keeps the workspace");
	is_str(out.token_id, "11111111-2222-4333-8444-555555555555",
	       "round trip keeps the token id");
	is_str(out.source, "mint", "round trip keeps the source");
	is_int(out.issued_at, 1700000000, "round trip keeps issued-at");
	is_int(out.expires_at, 1800000000, "round trip keeps expires-at");
	is_int((long long)out.policy_serial, 42,
	       "round trip keeps the policy serial");
	is_int(out.flags, ASKCRED_CRED_MINTED, "round trip keeps the flags");
	is_int((long long)gen, 7, "round trip keeps the generation");
	ok(memmem(file, len, "tok-", 4) == NULL,
	   "sealed file does not contain the token in clear");
	record_clear(&out);
	free(file);
}

static void every_single_bit_flip_is_rejected(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record out = {0};
	uint8_t *file = NULL;
	size_t len = 0, bit, accepted = 0, leaked = 0;

	seal_std(&file, &len, 1);
	for (bit = 0; bit < len * 8; bit++) {
		file[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (open_std(file, len, &out, &err) != ASKCRED_CACHE_ERROR)
			accepted++;
		if (out.token.buf != NULL)
			leaked++;
		record_clear(&out);
		file[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	is_int((long long)accepted, 0, "all %zu single-bit flips are refused",
	       len * 8);
	is_int((long long)leaked, 0, "no refused file yields a token");
	is_int(open_std(file, len, &out, &err), ASKCRED_OK,
	       "the unflipped file still opens");
	record_clear(&out);
	free(file);
}

static void every_truncation_is_rejected(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record out = {0};
	uint8_t *file = NULL, *grown;
	size_t len = 0, n, accepted = 0;

	seal_std(&file, &len, 1);
	for (n = 0; n < len; n++) {
		if (open_std(file, n, &out, &err) != ASKCRED_CACHE_ERROR)
			accepted++;
		record_clear(&out);
	}
	is_int((long long)accepted, 0, "all %zu truncations are refused", len);
	grown = calloc(1, len + 1);
	memcpy(grown, file, len);
	is_int(open_std(grown, len + 1, &out, &err), ASKCRED_CACHE_ERROR,
	       "a trailing extra byte is refused");
	has_str(err.where, "length", "trailing byte refused by the length");
	free(grown);
	free(file);
}

/* Header fields the parser must refuse before any crypto is attempted. */
static const struct {
	const char *name;
	size_t off;
	uint8_t value;
	const char *where;
} bad_headers[] = {
	{"magic", 0, 'X', "magic"},
	{"version 2", 8, 2, "version"},
	{"version 0", 8, 0, "version"},
	{"cipher id 2", 9, 2, "aead"},
	{"key derivation id 0", 10, 0, "kdf"},
	{"flags 0x01", 11, 1, "flags"},
	{"flags 0x80", 11, 0x80, "flags"},
	{"reserved byte 12", 12, 1, "reserved"},
	{"reserved byte 15", 15, 1, "reserved"},
	{"payload length high byte", 60, 0x7f, "length"},
};

static void unknown_header_values_are_refused_by_name(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_header h;
	uint8_t *file = NULL;
	size_t len = 0, i;

	seal_std(&file, &len, 1);
	is_int(format_parse_header(file, len, &h, &err), ASKCRED_OK,
	       "the untouched header parses");
	for (i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++) {
		uint8_t saved = file[bad_headers[i].off];

		file[bad_headers[i].off] = bad_headers[i].value;
		err_clear(&err);
		is_int(format_parse_header(file, len, &h, &err),
		       ASKCRED_CACHE_ERROR, "header with %s is refused",
		       bad_headers[i].name);
		is_str(err.where, bad_headers[i].where,
		       "header with %s is refused naming %s",
		       bad_headers[i].name, bad_headers[i].where);
		file[bad_headers[i].off] = saved;
	}
	free(file);
}

/* Contexts a file sealed for (uid 1000, host A, WS_A, default) must not
 * open under. */
static void other_contexts_cannot_open_the_file(void)
{
	const struct {
		const char *name;
		uid_t uid;
		const uint8_t *host;
		const char *ws, *entry;
	} other[] = {
		{"another workspace", 1000, host_a, WS_B, "default"},
		{"another entry", 1000, host_a, WS_A, "ci"},
		{"another uid", 1001, host_a, WS_A, "default"},
		{"another host", 1000, host_b, WS_A, "default"},
	};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record out = {0};
	uint8_t ctx[CACHE_CTX_LEN], *file = NULL;
	size_t len = 0, i;
	uint64_t gen = 0;

	seal_std(&file, &len, 1);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		ctx_for(other[i].uid, other[i].host, other[i].ws,
			other[i].entry, ctx);
		err_clear(&err);
		is_int(format_open(&ring_a, ctx, file, len, other[i].ws,
				   other[i].entry, &out, &gen, &err),
		       ASKCRED_CACHE_ERROR, "file from %s is refused",
		       other[i].name);
		has_str(err.message, "authentication failed",
			"file from %s fails authentication", other[i].name);
		ok(out.token.buf == NULL, "file from %s yields no token",
		   other[i].name);
	}
	/* Right context, but the caller asks for another workspace: the
	 * payload check catches what the context would. */
	ctx_for(1000, host_a, WS_A, "default", ctx);
	is_int(format_open(&ring_a, ctx, file, len, WS_B, "default", &out, &gen,
			   &err),
	       ASKCRED_CACHE_ERROR,
	       "payload naming another workspace is refused");
	has_str(err.message, "another workspace",
		"payload check names the mismatch");
	free(file);
}

static void wrong_key_is_told_apart_from_tampering(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record out = {0};
	struct cache_key both[2];
	struct cache_keyring ring_ba = {both, 2};
	uint8_t ctx[CACHE_CTX_LEN], *file = NULL;
	size_t len = 0;
	uint64_t gen = 0;

	seal_std(&file, &len, 1);
	ctx_for(1000, host_a, WS_A, "default", ctx);
	is_int(format_open(&ring_b, ctx, file, len, WS_A, "default", &out, &gen,
			   &err),
	       ASKCRED_CACHE_ERROR, "file sealed with another key is refused");
	is_str(err.where, "key id", "wrong key is reported by key id");
	has_str(err.message, "unknown key", "wrong key says unknown key");
	file[len - 1] ^= 1;
	err_clear(&err);
	is_int(format_open(&ring_a, ctx, file, len, WS_A, "default", &out, &gen,
			   &err),
	       ASKCRED_CACHE_ERROR, "tampered tag is refused");
	has_str(err.message, "authentication failed",
		"tampering is reported as failed authentication");
	file[len - 1] ^= 1;
	both[0] = key_b;
	both[1] = key_a;
	is_int(format_open(&ring_ba, ctx, file, len, WS_A, "default", &out,
			   &gen, &err),
	       ASKCRED_OK, "an old key later in the ring still opens");
	record_clear(&out);
	free(file);
}

static void sealing_twice_uses_fresh_salt_and_nonce(void)
{
	uint8_t *f1 = NULL, *f2 = NULL;
	size_t l1 = 0, l2 = 0;

	seal_std(&f1, &l1, 1);
	seal_std(&f2, &l2, 1);
	ok(l1 == l2 && memcmp(f1 + 32, f2 + 32, 16) != 0,
	   "two seals of one record use different salts");
	ok(memcmp(f1 + 48, f2 + 48, 12) != 0,
	   "two seals of one record use different nonces");
	free(f1);
	free(f2);
}

static void oversized_or_empty_tokens_are_not_sealed(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	uint8_t ctx[CACHE_CTX_LEN], *file = NULL;
	size_t len = 0;
	char big[1100];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	make_record(&r, WS_A, big, 0);
	ctx_for(1000, host_a, WS_A, "default", ctx);
	is_int(format_seal(&ring_a, ctx, 1, "default", &r, &file, &len, &err),
	       ASKCRED_INVALID, "a token over 1024 bytes is not sealed");
	record_clear(&r);
	make_record(&r, WS_A, "x", 0);
	secret_clear(&r.token);
	is_int(format_seal(&ring_a, ctx, 1, "default", &r, &file, &len, &err),
	       ASKCRED_INVALID, "an empty token is not sealed");
	record_clear(&r);
}

/* The cache derives its keys with HMAC-SHA256 set up once per process
 * (RFC 5869 HKDF written out, for speed). These check the results against
 * OpenSSL's own one-shot HKDF, HMAC and SHA-256, so that files, key ids
 * and host ids stay what docs/cache-format.md says they are. */
static int reference_open(const uint8_t *file, size_t len,
			  const uint8_t ctx[CACHE_CTX_LEN], uint8_t *pt)
{
	static const char info[] = "askcred cache file v1";
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	OSSL_PARAM params[5];
	uint8_t fkey[32], tag[CACHE_TAG_LEN];
	size_t ct = len - CACHE_HEADER_LEN - CACHE_TAG_LEN;
	int n = 0, ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      key_a.key, CACHE_KEY_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(
		OSSL_KDF_PARAM_SALT, (void *)(file + 32), CACHE_SALT_LEN);
	params[3] = OSSL_PARAM_construct_octet_string(
		OSSL_KDF_PARAM_INFO, (void *)info, sizeof(info) - 1);
	params[4] = OSSL_PARAM_construct_end();
	memcpy(tag, file + len - CACHE_TAG_LEN, CACHE_TAG_LEN);
	ok = kctx != NULL && c != NULL &&
	     EVP_KDF_derive(kctx, fkey, sizeof(fkey), params) == 1 &&
	     EVP_DecryptInit_ex2(c, EVP_aes_256_gcm(), fkey, file + 48, NULL) ==
		     1 &&
	     EVP_DecryptUpdate(c, NULL, &n, file, CACHE_HEADER_LEN) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &n, ctx, CACHE_CTX_LEN) == 1 &&
	     EVP_DecryptUpdate(c, pt, &n, file + CACHE_HEADER_LEN, (int)ct) ==
		     1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, CACHE_TAG_LEN,
				 tag) == 1 &&
	     EVP_DecryptFinal_ex(c, pt + n, &n) == 1;
	EVP_CIPHER_CTX_free(c);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ok;
}

static void keys_match_openssl_reference(void)
{
	uint8_t ctx[CACHE_CTX_LEN], md[32], mac[32], *file = NULL, *pt;
	uint8_t idbuf[sizeof("askcred cache key id v1") + CACHE_KEY_LEN];
	size_t len = 0, mdlen = 0;
	char machine[33];
	FILE *f;

	seal_std(&file, &len, 7);
	ctx_for(1000, host_a, WS_A, "default", ctx);
	pt = malloc(len);
	if (pt == NULL)
		tap_bail("out of memory");
	ok(reference_open(file, len, ctx, pt),
	   "a sealed file opens with OpenSSL's HKDF-SHA256 and AES-256-GCM");
	ok(memmem(pt, len - CACHE_HEADER_LEN - CACHE_TAG_LEN, "\"v\":", 4) !=
		   NULL,
	   "and holds the JSON payload");
	free(pt);
	free(file);

	memcpy(idbuf, "askcred cache key id v1",
	       sizeof("askcred cache key id v1"));
	memcpy(idbuf + sizeof("askcred cache key id v1"), key_a.key,
	       CACHE_KEY_LEN);
	ok(EVP_Q_digest(NULL, "SHA256", NULL, idbuf, sizeof(idbuf), md,
			&mdlen) == 1 &&
		   memcmp(md, key_a.id, CACHE_KEY_ID_LEN) == 0,
	   "the key id is SHA-256(label || key), as OpenSSL computes it");

	f = fopen(env.machine_a, "r");
	if (f == NULL || fread(machine, 1, 32, f) != 32)
		tap_bail("cannot read %s", env.machine_a);
	fclose(f);
	ok(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, machine, 32,
		     (const unsigned char *)"askcred cache host v1", 21, mac,
		     sizeof(mac), &mdlen) != NULL &&
		   memcmp(mac, host_a, CACHE_HOST_ID_LEN) == 0,
	   "the host id is HMAC-SHA256(machine id, label), as OpenSSL "
	   "computes it");
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	env_init(&env);
	make_key(&key_a);
	make_key(&key_b);
	if (context_host_id(env.machine_a, host_a, &err) != ASKCRED_OK ||
	    context_host_id(env.machine_b, host_b, &err) != ASKCRED_OK)
		tap_bail("host ids: %s", err.message);
	round_trip_keeps_every_field();
	every_single_bit_flip_is_rejected();
	every_truncation_is_rejected();
	unknown_header_values_are_refused_by_name();
	other_contexts_cannot_open_the_file();
	wrong_key_is_told_apart_from_tampering();
	sealing_twice_uses_fresh_salt_and_nonce();
	oversized_or_empty_tokens_are_not_sealed();
	keys_match_openssl_reference();
	env_done(&env);
	return tap_done();
}
