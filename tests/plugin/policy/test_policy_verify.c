/*
 * Only the organisation's documents, and never an older one: detached
 * Ed25519 signatures against local keys, and the serial rollback guard.
 * Keys are made at test time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "policy.h"
#include "tap.h"
#include "testlib.h"

static const char doc[] =
	"{\"schema_version\": 1, \"serial\": 5, \"max_age\": \"1d\"}\n";

static char *dir;
static char pub_a[4096], pub_b[4096];
static EVP_PKEY *key_a, *key_b;

static struct policy_keys *load(const char *const *paths, size_t n,
				askcred_status want, const char *why,
				const char *msg)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_keys *k = NULL;

	is_int(policy_keys_load(paths, n, &k, &err), want, "%s", why);
	if (msg != NULL)
		has_str(err.message, msg, "%s: the message says why", why);
	return k;
}

static void check_key_loading(void)
{
	const char *one[] = {pub_a}, *missing[] = {"/nonexistent/key.pem"};
	char ec[4096], open_key[4096], link[4096];
	const char *p[1];
	EVP_PKEY *eck;
	FILE *f;
	struct policy_keys *k;

	k = load(one, 1, ASKCRED_OK, "an Ed25519 PEM public key loads", NULL);
	is_int((long long)policy_keys_count(k), 1, "one key is counted");
	policy_keys_free(k);
	load(missing, 1, ASKCRED_CONFIG_ERROR, "a missing key file is an error",
	     "cannot open");

	/* A key of another type must not be taken for a policy key. */
	test_path(ec, sizeof(ec), dir, "ec.pem");
	eck = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	f = fopen(ec, "w");
	if (eck == NULL || f == NULL || PEM_write_PUBKEY(f, eck) != 1 ||
	    fclose(f) != 0 || chmod(ec, 0644) != 0)
		tap_bail("cannot write an EC key");
	EVP_PKEY_free(eck);
	p[0] = ec;
	load(p, 1, ASKCRED_CONFIG_ERROR, "a non-Ed25519 key is refused",
	     "must be Ed25519");

	test_path(open_key, sizeof(open_key), dir, "open.pem");
	test_write(open_key, "x", 1, 0666);
	p[0] = open_key;
	load(p, 1, ASKCRED_CONFIG_ERROR,
	     "a key file others may write is refused", "too open");

	test_path(link, sizeof(link), dir, "link.pem");
	if (symlink(pub_a, link) != 0)
		tap_bail("symlink failed");
	p[0] = link;
	load(p, 1, ASKCRED_CONFIG_ERROR,
	     "a key reached through a symlink is "
	     "refused",
	     "symbolic link");
	test_write(open_key, "not a key\n", 10, 0644);
	p[0] = open_key;
	load(p, 1, ASKCRED_CONFIG_ERROR, "a file that is not PEM is refused",
	     "not a PEM public key");
}

static askcred_status verify(const struct policy_keys *k, const char *d,
			     size_t len, const unsigned char *sig,
			     size_t siglen, struct askcred_error *err)
{
	return policy_verify(k, d, len, sig, siglen, "policy.json", err);
}

static void check_signatures(void)
{
	const char *a[] = {pub_a}, *b[] = {pub_b}, *both[] = {pub_b, pub_a};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_keys *ka = load(a, 1, ASKCRED_OK, "key A loads", NULL);
	struct policy_keys *kb = load(b, 1, ASKCRED_OK, "key B loads", NULL);
	struct policy_keys *kab =
		load(both, 2, ASKCRED_OK, "both keys load", NULL);
	unsigned char sig[64], bad[64], b64[100];
	char tampered[sizeof(doc)];
	size_t len = strlen(doc);
	int n;

	test_sign(key_a, doc, len, sig);
	is_int(verify(ka, doc, len, sig, 64, &err), ASKCRED_OK,
	       "a document signed with the configured key verifies");
	n = EVP_EncodeBlock(b64, sig, 64);
	b64[n] = '\n';
	is_int(verify(ka, doc, len, b64, (size_t)n + 1, &err), ASKCRED_OK,
	       "a base64 signature with a newline verifies");
	is_int(verify(kab, doc, len, sig, 64, &err), ASKCRED_OK,
	       "any one of several configured keys may have signed");

	for (size_t i = 0; i < len; i += len / 7) {
		memcpy(tampered, doc, len);
		tampered[i] ^= 0x01;
		is_int(verify(ka, tampered, len, sig, 64, &err), ASKCRED_DENIED,
		       "a document with byte %zu flipped is refused", i);
	}
	has_str(err.message, "does not verify",
		"the tampering message says the signature does not verify");
	is_int(verify(ka, doc, len - 1, sig, 64, &err), ASKCRED_DENIED,
	       "a document cut by one byte is refused");
	memcpy(bad, sig, 64);
	bad[10] ^= 0x80;
	is_int(verify(ka, doc, len, bad, 64, &err), ASKCRED_DENIED,
	       "a signature with a flipped bit is refused");
	is_int(verify(kb, doc, len, sig, 64, &err), ASKCRED_DENIED,
	       "a document signed with another key is refused");
	is_int(verify(ka, doc, len, NULL, 0, &err), ASKCRED_DENIED,
	       "a missing signature is refused when keys are configured");
	has_str(err.message, "not signed", "the message says it is unsigned");
	is_int(verify(ka, doc, len, sig, 63, &err), ASKCRED_DENIED,
	       "a signature of the wrong length is refused");
	has_str(err.message, "malformed", "the message says it is malformed");
	is_int(verify(NULL, doc, len, sig, 64, &err), ASKCRED_CONFIG_ERROR,
	       "verifying without keys is a configuration error");
	policy_keys_free(ka);
	policy_keys_free(kb);
	policy_keys_free(kab);
}

static askcred_status accept(const char *state, uint64_t serial, const char *d,
			     struct askcred_error *err)
{
	return policy_serial_accept(state, serial, d, strlen(d), err);
}

static void check_rollback(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char state[4096], file[4096];
	uint64_t last = 99;

	test_path(state, sizeof(state), dir, "state");
	if (mkdir(state, 0700) != 0)
		tap_bail("mkdir %s", state);
	is_int(policy_serial_last(state, &last, &err), ASKCRED_OK,
	       "a fresh state directory has no serial");
	is_int((long long)last, 0, "the last serial starts at 0");
	is_int(accept(state, 5, "five", &err), ASKCRED_OK,
	       "a first serial is accepted");
	is_int(accept(state, 5, "five", &err), ASKCRED_OK,
	       "the same document again is accepted");
	is_int(accept(state, 5, "other five", &err), ASKCRED_DENIED,
	       "the same serial with other content is refused");
	has_str(err.message, "different content", "the message says why");
	is_int(accept(state, 4, "four", &err), ASKCRED_DENIED,
	       "a lower serial is refused as a rollback");
	has_str(err.message, "lower than the last accepted serial 5",
		"the rollback message names both serials");
	is_int(accept(state, 6, "six", &err), ASKCRED_OK,
	       "a higher serial is accepted");
	policy_serial_last(state, &last, &err);
	is_int((long long)last, 6, "the higher serial is remembered");
	is_int(accept(state, 5, "five", &err), ASKCRED_DENIED,
	       "the previous document is now a rollback too");

	test_path(file, sizeof(file), state, "policy.serial");
	test_write(file, "6 zz\n", 5, 0600);
	is_int(accept(state, 7, "seven", &err), ASKCRED_CONFIG_ERROR,
	       "a damaged state file is an error, not a reset");
	has_str(err.message, "damaged", "the message says it is damaged");
	unlink(file);
	if (chmod(state, 0777) != 0)
		tap_bail("chmod");
	is_int(accept(state, 7, "seven", &err), ASKCRED_CONFIG_ERROR,
	       "a state directory others may write is refused");
	chmod(state, 0700);
}

int main(void)
{
	dir = test_tmpdir();
	key_a = test_keygen(test_path(pub_a, sizeof(pub_a), dir, "a.pem"));
	key_b = test_keygen(test_path(pub_b, sizeof(pub_b), dir, "b.pem"));
	check_key_loading();
	check_signatures();
	check_rollback();
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	test_rmtree(dir);
	free(dir);
	return tap_done();
}
