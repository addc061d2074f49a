/* The instance's way to the network: the net module (plugin/net), loaded
 * and given a client only when a source, the policy or online validation
 * first needs a server, so that a process served from the cache never
 * loads libcurl.
 *
 * Threads: safe; the first caller creates the client under a lock, later
 * callers share it (a net client may be used by several threads). */
#ifndef ASKCRED_PLUGIN_REMOTE_H
#define ASKCRED_PLUGIN_REMOTE_H

#include <pthread.h>

#include "log.h"
#include "net/net.h"
#include "plugin_config.h"

/* The network handle: what sources, the policy gate and gc get instead of
 * the instance. It reads only its slice of the configuration and logs
 * through the instance's sink; both are borrowed until remote_destroy(). */
struct remote {
	pthread_mutex_t lock;
	const struct net_settings *cfg;
	const struct log_sink *log;
	const struct net_ops *ops; /* static in the module, never freed */
	struct net_client *client; /* ours; NULL until first use */
};

int remote_init(struct remote *r, const struct net_settings *cfg,
		const struct log_sink *log);
void remote_destroy(struct remote *r);

/* The module's table and the instance's client, created on first use from
 * the module arguments (api_url, ca_file, proxy, timeout). Both stay valid
 * until remote_destroy(). */
askcred_status remote_get(struct remote *r, const struct net_ops **ops,
			  struct net_client **client,
			  struct askcred_error *err);

/* Online validation: does AskUI still know cred's token in its workspace?
 * The lookup is authenticated with the token itself. ASKCRED_OK (and the
 * id matches cred's, when it has one), else ASKCRED_INVALID naming why;
 * ASKCRED_UNAVAILABLE when the server cannot be asked. */
askcred_status remote_lookup(struct remote *r,
			     const struct askcred_credential *cred,
			     struct askcred_error *err);

#endif
