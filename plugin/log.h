/* Logging through the host's callback: formatted here, never written to
 * stdout or stderr. Never pass a secret; log a token only as
 * fingerprint(). */
#ifndef ASKCRED_PLUGIN_LOG_H
#define ASKCRED_PLUGIN_LOG_H

#include <askcred/provider.h>

/* Where an instance's lines go: the host's callback and its context, as
 * the host gave them (askcred_host.log). A lower file gets this, not the
 * instance, because it is all that logging needs. */
struct log_sink {
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx; /* the host's; may be NULL */
};

/* Format one line (no module prefix: the host adds it) and hand it to the
 * host's log callback, if it gave one. sink may be NULL. Thread-safe (the
 * host's callback must be, per provider.h). */
void plog(const struct log_sink *sink, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
