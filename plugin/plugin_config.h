/* Module arguments: the "key=value" words after the module on a stack line,
 * parsed once at open() into a struct plugin_config. (Named plugin_config.h
 * because "config.h" is autoconf's and a same-folder header would shadow
 * it.)
 *
 * Adding a key for a later feature: one field here and one row in the
 * table in plugin_config.c. */
#ifndef ASKCRED_PLUGIN_PLUGIN_CONFIG_H
#define ASKCRED_PLUGIN_PLUGIN_CONFIG_H

#include <stdint.h>

#include <askcred/provider.h>

/* Entry names end up in cache file names: short and plain. */
#define ENTRY_NAME_MAX 64

/* Slices of the configuration, each read by one lower file that gets a
 * const pointer to its slice and nothing else of the instance. */

/* How to reach servers: the network handle's (remote.c). */
struct net_settings {
	char *api_url; /* Workspaces API base, https:// */
	char *ca_file;
	char *proxy;	  /* NULL: libcurl's environment; "none": no proxy */
	uint32_t timeout; /* seconds for one whole call, retries included */
};

/* The policy gate's (enforce.c, stack_policy.c): a local file or an https
 * URL, the public keys that must have signed it (comma-separated absolute
 * paths), the state directory, this host's runner labels, and the audit
 * trail. */
struct gate_settings {
	char *policy;
	char *policy_url;
	char *policy_keys;
	char *policy_state_dir;
	uint32_t policy_refresh;
	char labels[256];
	char *audit_file;
	int audit_syslog;
	int audit_required; /* no hand-out whose audit line was not written */
};

struct plugin_config {
	char source[ASKCRED_SOURCE_MAX];      /* "static", ... */
	char workspace[ASKCRED_UUID_LEN + 1]; /* default workspace; "" none */
	char *credentials;		      /* absolute path, or NULL */
	char entry[ENTRY_NAME_MAX + 1];	      /* cache entry name */
	uint32_t min_validity;		      /* seconds, when req has 0 */
	int cache;			      /* disk cache on (1) / off (0) */
	char *cache_dir;		      /* absolute path, or NULL */
	uint32_t advisory_window;	      /* seconds before expiry */
	uint32_t mandatory_window;	      /* seconds before expiry */
	uint32_t stale_budget; /* outage grace, seconds; 0 none */
	/* Where the disk cache's master key comes from (one at most). */
	char *cache_key_file;
	char cache_key_credential[ENTRY_NAME_MAX + 1]; /* systemd cred name */
	char *cache_passphrase_file;

	/* Reaching servers (mint, broker, policy_url, online validation). */
	struct net_settings net;
	int online_validate; /* validate() asks AskUI whether the token lives */

	/* source=mint: the parent credential and the minted tokens' life. */
	char *parent_credentials;
	uint32_t lifetime;
	uint32_t rotation_overlap; /* the predecessor dies this long after */

	/* source=broker */
	char *broker_url;
	char *broker_token_file;
	char *broker_cert;
	char *broker_key;

	/* source=exec: an absolute program path, run without a shell. */
	char *command;
	uint32_t command_timeout;

	struct gate_settings gate;

	/* Prometheus textfile written after calls (metrics.h), or NULL. */
	char *metrics_file;
};

/* Fill cfg with the defaults, then apply argv. Unknown, duplicate or
 * malformed arguments fail with ASKCRED_CONFIG_ERROR and err->where set to
 * the argument's key; values are never quoted in messages (a token pasted
 * into the wrong place must not end up in a log). On failure cfg is
 * already freed. On success free it with config_free(). */
askcred_status config_parse(int argc, const char *const *argv,
			    struct plugin_config *cfg,
			    struct askcred_error *err);

/* The same on top of the host configuration (askcred.conf, hc may be
 * NULL): defaults, then hc, then argv. A key hc sets that is a policy key
 * may be repeated by argv with the same value but not changed. Errors from
 * hc name its file:line. */
struct host_config;
askcred_status config_parse_with(const struct host_config *hc, int argc,
				 const char *const *argv,
				 struct plugin_config *cfg,
				 struct askcred_error *err);

/* Call fn once per known argument, in table order, with its name, the
 * shape of a good value, its default as text (or NULL) and a one-line
 * help. For documentation and tests. Thread-safe. */
typedef void (*config_describe_fn)(void *ctx, const char *name,
				   const char *type, const char *def,
				   const char *help);
void config_describe(config_describe_fn fn, void *ctx);

/* Free what config_parse allocated; cfg is zeroed. */
void config_free(struct plugin_config *cfg);

#endif
