/* Logging through the host's callback: formatted here, never written to
 * stdout or stderr. Never pass a secret; log a token only as
 * fingerprint(). */
#ifndef ASKCRED_PLUGIN_LOG_H
#define ASKCRED_PLUGIN_LOG_H

#include <askcred/provider.h>

struct instance;

/* Format one line (no module prefix: the host adds it) and hand it to the
 * host's log callback, if it gave one. Thread-safe (the host's callback must
 * be, per provider.h). */
void plog(const struct instance *inst, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
