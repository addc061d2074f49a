/* The one error idiom: functions return an askcred_status and describe the
 * failure in a caller-supplied struct askcred_error. */
#ifndef ASKCRED_COMMON_ERROR_H
#define ASKCRED_COMMON_ERROR_H

#include <askcred/provider.h>

/* Fill err (which may be NULL) and return code, so callers can write
 * "return err_set(err, ASKCRED_CONFIG_ERROR, path, "...")". where may be
 * NULL. Never pass a secret in where or in the formatted message. */
askcred_status err_set(struct askcred_error *err, askcred_status code,
		       const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Like err_set, with "file:line" as where. */
askcred_status err_set_line(struct askcred_error *err, askcred_status code,
			    const char *file, unsigned line, const char *fmt,
			    ...) __attribute__((format(printf, 5, 6)));

/* Prefix the existing message with more context ("loading x: ..."). */
void err_prefix(struct askcred_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reset to ASKCRED_OK with empty strings. */
void err_clear(struct askcred_error *err);

/* An OpenSSL call failed: ASKCRED_NO_MEMORY when OpenSSL's error queue
 * holds an allocation failure, else ASKCRED_INTERNAL. Empties the queue:
 * the thread is the caller's, and our own error says what failed. */
askcred_status err_openssl(void);

/* Static, human name of a status. Never NULL. */
const char *status_name(askcred_status status);

#endif
