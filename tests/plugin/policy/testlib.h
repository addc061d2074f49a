/* Helpers the policy tests share: a private temporary directory, files,
 * and Ed25519 keys made at test time (no key is ever committed). */
#ifndef ASKCRED_TESTS_POLICY_TESTLIB_H
#define ASKCRED_TESTS_POLICY_TESTLIB_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "rmtree.h" /* test_rmtree() */

/* mkdtemp under $TMPDIR (or /tmp), mode 0700; bails out on failure. */
char *test_tmpdir(void);
/* dir/name into buf (bails out when it does not fit). */
const char *test_path(char *buf, size_t size, const char *dir,
		      const char *name);
/* Write len bytes to path with mode; bails out on failure. */
void test_write(const char *path, const void *data, size_t len, mode_t mode);
/* A fresh Ed25519 key; its public half written as PEM to path. */
EVP_PKEY *test_keygen(const char *pub_path);
/* Sign doc with key: 64 bytes into sig. */
void test_sign(EVP_PKEY *key, const char *doc, size_t len,
	       unsigned char sig[64]);

#endif
