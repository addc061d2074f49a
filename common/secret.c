#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "secret.h"

void free_wiped(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void secret_clear(struct secret *s)
{
	if (s->buf != NULL)
		free_wiped(s->buf, s->len + 1);
	s->buf = NULL;
	s->len = 0;
}

int secret_equals(const struct secret *s, const char *p, size_t len)
{
	if (s->len != len)
		return 0;
	return len == 0 || CRYPTO_memcmp(s->buf, p, len) == 0;
}

void secret_adopt(struct secret *s, char *buf, size_t len)
{
	secret_clear(s);
	s->buf = buf;
	s->len = len;
}

int secret_set(struct secret *s, const char *p, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, p, len);
	copy[len] = '\0';
	secret_adopt(s, copy, len);
	return 0;
}

/* A fetch per fingerprint (EVP_sha256() is looked up by name on each use)
 * cost more than the hash; a fetch hit takes twice per credential handed
 * out. So SHA-256 is fetched once per process and freed at unload, when
 * this code goes away with the module that holds it. */
static EVP_MD *fp_sha256;
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

static void fp_fetch(void)
{
	fp_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

__attribute__((destructor)) static void fp_release(void)
{
	EVP_MD_free(fp_sha256);
	fp_sha256 = NULL;
}

void fingerprint(const char *p, size_t len, char out[FINGERPRINT_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	/* If the one fetch failed (no memory), fall back to the lookup by
	 * name, as before, rather than to no fingerprint for the process. */
	pthread_once(&fp_once, fp_fetch);
	if (EVP_Digest(p, len, md, &mdlen, fp_sha256 ? fp_sha256 : EVP_sha256(),
		       NULL) != 1 ||
	    mdlen < 8) {
		memcpy(out, "????????????????", FINGERPRINT_LEN);
		return;
	}
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[16] = '\0';
}
