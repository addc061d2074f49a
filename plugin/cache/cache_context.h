/* The context a cache file is bound to and that is never read from the
 * file: workspace id, entry name, uid and host. A file copied to another
 * workspace, entry, user or machine fails to authenticate. */
#ifndef ASKCRED_PLUGIN_CACHE_CONTEXT_H
#define ASKCRED_PLUGIN_CACHE_CONTEXT_H

#include <stdint.h>
#include <sys/types.h>

#include <askcred/provider.h>

#include "cache_format.h"

#define CACHE_HOST_ID_LEN 32
#define DEFAULT_MACHINE_ID_PATH "/etc/machine-id"

/* HMAC-SHA256 keyed with the machine id (path, or /etc/machine-id when
 * NULL) over an application label, as systemd's app-specific machine ids
 * do: stable per host, useless for tracking the host elsewhere. */
askcred_status context_host_id(const char *machine_id_path,
			       uint8_t out[CACHE_HOST_ID_LEN],
			       struct askcred_error *err);

/* SHA-256 over a length-prefixed encoding of label, uid, host id,
 * workspace and entry (docs/cache-format.md). */
askcred_status context_bind(uid_t uid, const uint8_t host[CACHE_HOST_ID_LEN],
			    const char *workspace, const char *entry,
			    uint8_t out[CACHE_CTX_LEN],
			    struct askcred_error *err);

#endif
