/*
 * The encrypted on-disk token cache, shared by every process of one user (or
 * one system-wide runner directory) without a daemon. See
 * docs/cache-format.md for the file format, the key hierarchy and the
 * locking protocol.
 *
 * This module links json-c and libcrypto only, never libcurl: a cache hit
 * must not pay for the network stack.
 *
 * Ownership: every pointer passed in is borrowed for the call. Records
 * returned through `out` are the caller's and must be released with
 * record_clear() (which wipes the token). Errors never contain a token.
 *
 * Threads: every function except cache_open()/cache_close() may be called
 * from several threads on one handle at once. Several processes may use the
 * same directory at once; that is the point.
 */
#ifndef ASKCRED_PLUGIN_CACHE_H
#define ASKCRED_PLUGIN_CACHE_H

#include <stdint.h>
#include <sys/types.h>

#include <askcred/provider.h>

#include "../base/record.h" /* by path: includers need no -I */

struct cache;

/* Where the cache lives and where its master key comes from. Zero means
 * "default" for every field; borrowed during cache_open() only. Exactly one
 * key source is used, in this order: key_credential, passphrase (file or
 * fd), key_file, then the default key file <dir>/master.key. */
struct cache_config {
	const char *dir; /* NULL: $XDG_CACHE_HOME/askcred, ~/.cache/askcred */
	const char *key_file;	    /* key file (see docs); created if absent */
	const char *key_credential; /* systemd credential name, read from
				     * $CREDENTIALS_DIRECTORY/<name> */
	const char *passphrase_file;
	int passphrase_fd; /* >0: read the passphrase from it (then closed
			    * by the caller); 0: unused */
	const char *machine_id_path; /* NULL: /etc/machine-id (tests) */
	int override_uid;	     /* tests: bind to `uid` not geteuid() */
	uid_t uid;
	/* The clock, Unix seconds; NULL: time(). Tests move time with it. */
	int64_t (*clock)(void *clock_ctx);
	void *clock_ctx;
	/* Where a cache file that is there but unusable (corrupt, tampered
	 * with, sealed for another context or key, replayed) is reported
	 * before it is treated as a miss; ASKCRED_LOG_* levels. May be
	 * NULL. */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
};

/* Refresh windows in seconds before expiry, botocore style. Zero fields
 * take the defaults in brackets. */
struct cache_windows {
	uint32_t advisory;     /* [900] one caller refreshes, others keep */
	uint32_t mandatory;    /* [600] every caller waits for the refresh */
	uint32_t wait_max;     /* [10] longest wait for another refresher
				* (obtain: the source's timeout + 10) */
	uint32_t min_validity; /* [0] the caller needs this much validity */
	uint32_t stale_budget; /* [0: no grace] seconds of outage during
				* which a still-valid token is served stale */
	uint32_t retry_min;    /* [5] first retry delay after a failure */
	uint32_t retry_max;    /* [300] cap of the doubling retry delay */
};

/* Open (creating it if needed) the cache directory and load or create the
 * master key. The directory and key file are checked like OpenSSH checks
 * its files; unsafe ones give ASKCRED_CONFIG_ERROR naming the path. The
 * passphrase, when used, is stretched with scrypt once per process. */
askcred_status cache_open(const struct cache_config *cfg, struct cache **out,
			  struct askcred_error *err);
/* The directory in use (resolved and checked); valid until cache_close().
 * Other per-user state of the provider (pending revocations, the policy's
 * last good copy) lives below it. */
const char *cache_dir_path(const struct cache *c);
/* The directory cache_config.dir NULL means, into out (FS_PATH_MAX bytes):
 * also the base of per-user state kept when the cache itself is off. */
askcred_status cache_default_dir(char *out, struct askcred_error *err);
/* Wipe keys and free. NULL is fine. */
void cache_close(struct cache *c);

/* Read one entry. ASKCRED_NOT_FOUND: no entry. ASKCRED_CACHE_ERROR: the
 * file is corrupt, tampered with, sealed for another context or key, or an
 * older generation than the last one written (a replay); err says which,
 * and the next cache_write() replaces the file. Expiry is not checked
 * here: that is the caller's (or cache_get_or_refresh()'s) business. */
askcred_status cache_read(struct cache *c, const char *workspace,
			  const char *entry, struct token_record *out,
			  struct askcred_error *err);
/* Seal rec (its workspace_id must equal workspace) under the current key as
 * the next generation, atomically and durably. Takes the entry lock. */
askcred_status cache_write(struct cache *c, const char *workspace,
			   const char *entry, const struct token_record *rec,
			   struct askcred_error *err);
/* Forget an entry (file and state). Absent is fine. */
askcred_status cache_remove(struct cache *c, const char *workspace,
			    const char *entry, struct askcred_error *err);

/* Obtain a token from the source. Called with the entry lock held, so at
 * most one call per entry runs at a time across all processes. On
 * ASKCRED_UNAVAILABLE, *not_before (0 on entry) may be set to the Unix time
 * before which the source asked not to be called again (Retry-After); no
 * process calls refresh for the entry before then. err must not hold a
 * secret: it is kept in the entry's state file. */
typedef askcred_status (*cache_refresh_fn)(void *ctx, struct token_record *out,
					   int64_t *not_before,
					   struct askcred_error *err);

/*
 * The whole fetch path. Fresh (outside the advisory window): returned at
 * once. Inside the advisory window: try the lock without waiting; the
 * winner refreshes, everyone else keeps the still-valid token. Inside the
 * mandatory window, after expiry or on a miss: wait (at most wait_max) for
 * the lock, re-read (adopting another process's result), else refresh and
 * write. When refresh says ASKCRED_UNAVAILABLE and the cached token is still
 * valid, it is served with ASKCRED_CRED_STALE for at most stale_budget
 * seconds since the outage began, and refresh is not called again before
 * the recorded next-attempt time (the later of the backoff and the
 * source's Retry-After). When no token can be served, the error carries the
 * last failed refresh's where and message, kept in the entry's state, for
 * the caller that refreshed and for every caller held back after it.
 * Returned records carry ASKCRED_CRED_FROM_CACHE when they did not come
 * from refresh just now.
 */
askcred_status cache_get_or_refresh(struct cache *c, const char *workspace,
				    const char *entry,
				    const struct cache_windows *win,
				    cache_refresh_fn refresh, void *ctx,
				    struct token_record *out,
				    struct askcred_error *err);

/* Call cb for each readable entry, with the token left empty. Entries that
 * do not decrypt are skipped (they are misses). cb must not call back into
 * the cache. */
typedef void (*cache_list_fn)(void *ctx, const char *entry,
			      const struct token_record *rec_without_token);
askcred_status cache_list(struct cache *c, cache_list_fn cb, void *ctx,
			  struct askcred_error *err);

/* Make a new random master key current; the old ones keep decrypting until
 * their files are rewritten. Only for key files (not passphrase or systemd
 * credential keys, which are rotated by their owner). */
askcred_status cache_rotate_key(struct cache *c, struct askcred_error *err);

/* Entry names: 1-64 of [A-Za-z0-9._-], not starting with '.'. */
int cache_entry_name_ok(const char *entry);

#endif
