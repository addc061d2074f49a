#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "tap.h"
#include "testlib.h"

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	char *dir;

	snprintf(tmpl, sizeof(tmpl), "%s/askcred-policy.XXXXXX",
		 base && base[0] ? base : "/tmp");
	if (mkdtemp(tmpl) == NULL || (dir = strdup(tmpl)) == NULL)
		tap_bail("cannot make a temporary directory under %s",
			 base ? base : "/tmp");
	return dir;
}

const char *test_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		tap_bail("path too long: %s/%s", dir, name);
	return buf;
}

void test_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
	    fchmod(fd, mode) != 0 || close(fd) != 0)
		tap_bail("cannot write %s", path);
}

EVP_PKEY *test_keygen(const char *pub_path)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;

	if (key == NULL)
		tap_bail("Ed25519 key generation failed");
	(void)unlink(pub_path);
	f = fopen(pub_path, "wx");
	if (f == NULL || PEM_write_PUBKEY(f, key) != 1 || fclose(f) != 0 ||
	    chmod(pub_path, 0644) != 0)
		tap_bail("cannot write %s", pub_path);
	return key;
}

void test_sign(EVP_PKEY *key, const char *doc, size_t len,
	       unsigned char sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;

	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)doc, len) !=
		    1 ||
	    siglen != 64)
		tap_bail("Ed25519 signing failed");
	EVP_MD_CTX_free(md);
}
