/* Host logging: level filtering and one-line formatting, then the caller's
 * callback. Safe from any thread (no state besides the read-only stack). */
#ifndef ASKCRED_HOST_LOG_H
#define ASKCRED_HOST_LOG_H

#include "host.h"

/* Would a message at level reach the caller? */
int log_wanted(const struct askcred_stack *st, int level);

/* Log a message of the host itself. Never pass a secret. */
void host_log(const struct askcred_stack *st, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The log callback handed to providers; log_ctx is the struct module_open.
 * Prefixes the provider name and stack line. */
void instance_log(void *log_ctx, int level, const char *message);

#endif
