/* The master keys: where they come from, how they are checked, created and
 * rotated. docs/cache-format.md describes the key hierarchy. */
#ifndef ASKCRED_PLUGIN_CACHE_KEY_H
#define ASKCRED_PLUGIN_CACHE_KEY_H

#include <askcred/provider.h>

#include "cache.h"
#include "cache_format.h"
#include "cache_fs.h"

#define KEY_FILE_MAX_KEYS 8
#define DEFAULT_KEY_NAME "master.key"
#define PASSPHRASE_SALT_NAME "passphrase.salt"
/* scrypt cost: about 100 ms and 32 MiB once per process (peers.md). */
#define SCRYPT_N (1u << 15)
#define SCRYPT_R 8u
#define SCRYPT_P 1u
#define SCRYPT_MAXMEM ((uint64_t)64 << 20)

/* Load the keyring the configuration names (dir is the checked cache
 * directory). When the key comes from a key file, its path is copied to
 * key_path (FS_PATH_MAX) for rotation; otherwise key_path is "". */
askcred_status key_load(const struct cache_config *cfg, const char *dir,
			struct cache_keyring *ring, char *key_path,
			struct askcred_error *err);

/* Put a fresh RAND_priv_bytes key in front of the key file's keys (at most
 * KEY_FILE_MAX_KEYS kept) and reload ring from the file. */
askcred_status key_rotate(const char *key_path, struct cache_keyring *ring,
			  struct askcred_error *err);

/* Wipe and free the keys. */
void keyring_clear(struct cache_keyring *ring);

#endif
