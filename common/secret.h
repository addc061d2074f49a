/* The one secret type: knows its length, always NUL-terminated, wiped with
 * OPENSSL_cleanse when freed. Log a secret only as its fingerprint. */
#ifndef ASKCRED_COMMON_SECRET_H
#define ASKCRED_COMMON_SECRET_H

#include <stddef.h>

struct secret {
	char *buf; /* len bytes + NUL; NULL when empty */
	size_t len;
};

#define SECRET_INIT                                                            \
	{                                                                      \
		NULL, 0                                                        \
	}

/* Copy len bytes of p into s (freeing what s held). 0 or -1 (ENOMEM). */
int secret_set(struct secret *s, const char *p, size_t len);
/* Take ownership of a malloc'd buffer of len bytes + NUL. */
void secret_adopt(struct secret *s, char *buf, size_t len);
/* Wipe and free; s is empty afterwards. */
void secret_clear(struct secret *s);
/* 1 when s holds exactly the len bytes at p (an empty s holds none),
 * compared in constant time; else 0. */
int secret_equals(const struct secret *s, const char *p, size_t len);
/* Wipe and free any malloc'd buffer of len bytes. NULL is fine. */
void free_wiped(void *p, size_t len);

/* Short, non-secret fingerprint: the first 8 bytes of SHA-256(p) as 16 hex
 * characters + NUL. Safe to log. */
#define FINGERPRINT_LEN 17
void fingerprint(const char *p, size_t len, char out[FINGERPRINT_LEN]);

#endif
