#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cache_int.h"
#include "cache_key.h"
#include "credcheck.h"
#include "error.h"

#define WRITE_LOCK_WAIT_MS 10000

int64_t cache_now(struct cache *c)
{
	return c->clock ? c->clock(c->clock_ctx) : (int64_t)time(NULL);
}

/* $XDG_CACHE_HOME/askcred, else ~/.cache/askcred (XDG base directories). */
askcred_status cache_default_dir(char *out, struct askcred_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return fs_path(out, err, "%s/askcred", xdg);
	if (home != NULL && home[0] == '/') {
		struct stat st;

		/* A HOME that does not exist (root with HOME=/nonexistent,
		 * a service account) must not get one made for it, with a
		 * master key inside: refuse and say what to set. */
		if (stat(home, &st) != 0 || !S_ISDIR(st.st_mode))
			return err_set(err, ASKCRED_CONFIG_ERROR, "HOME",
				       "HOME (%s) is not an existing "
				       "directory, so there is no ~/.cache "
				       "for the cache; set cache_dir= on the "
				       "stack line, XDG_CACHE_HOME, or a HOME "
				       "that exists",
				       home);
		return fs_path(out, err, "%s/.cache/askcred", home);
	}
	return err_set(err, ASKCRED_CONFIG_ERROR, "cache dir",
		       "neither XDG_CACHE_HOME nor HOME is an absolute path; "
		       "configure the cache directory");
}

askcred_status cache_open(const struct cache_config *cfg, struct cache **out,
			  struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	struct cache *c = NULL;
	int locks = 0, ring = 0;
	askcred_status rc;

	if (err == NULL)
		err = &local;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "cache",
			       "out of memory");
	rc = cfg->dir ? fs_path(c->dir, err, "%s", cfg->dir)
		      : cache_default_dir(c->dir, err);
	if (rc == ASKCRED_OK)
		rc = fs_private_dir(c->dir, cfg->dir == NULL, err);
	if (rc == ASKCRED_OK)
		rc = context_host_id(cfg->machine_id_path, c->host_id, err);
	if (rc != ASKCRED_OK)
		goto out;
	c->uid = cfg->override_uid ? cfg->uid : geteuid();
	c->clock = cfg->clock;
	c->clock_ctx = cfg->clock_ctx;
	c->log = cfg->log;
	c->log_ctx = cfg->log_ctx;
	if (lock_table_init(&c->locks) == 0)
		locks = 1;
	if (locks && pthread_rwlock_init(&c->ring_lock, NULL) == 0)
		ring = 1;
	if (!ring) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "cache",
			     "cannot create locks");
		goto out;
	}
	rc = key_load(cfg, c->dir, &c->ring, c->key_path, err);
	if (rc != ASKCRED_OK)
		goto out;
	*out = c;
	c = NULL;
out:
	if (c != NULL) {
		keyring_clear(&c->ring);
		if (ring)
			pthread_rwlock_destroy(&c->ring_lock);
		if (locks)
			lock_table_destroy(&c->locks);
		free(c);
	}
	return rc;
}

const char *cache_dir_path(const struct cache *c)
{
	return c->dir;
}

void cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	keyring_clear(&c->ring);
	pthread_rwlock_destroy(&c->ring_lock);
	lock_table_destroy(&c->locks);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

askcred_status cache_read(struct cache *c, const char *workspace,
			  const char *entry, struct token_record *out,
			  struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	struct askcred_error *e = err != NULL ? err : &local;
	struct entry_paths p;
	askcred_status rc = store_read_paths(c, workspace, entry, out, &p, e);

	return rc != ASKCRED_OK
		       ? rc
		       : cache_read_at(c, workspace, entry, &p, out, e);
}

askcred_status cache_read_at(struct cache *c, const char *workspace,
			     const char *entry, const struct entry_paths *p,
			     struct token_record *out,
			     struct askcred_error *err)
{
	askcred_status rc;

	rc = store_load(c, workspace, entry, p, out, err);
	if (rc == ASKCRED_NOT_FOUND)
		err_set(err, rc, p->file, "no cache entry");
	if (rc != ASKCRED_OK)
		return rc;
	out->flags |= ASKCRED_CRED_FROM_CACHE;
	return ASKCRED_OK;
}

/* Build an entry's paths and take its write lock: what every change to an
 * entry starts with. */
static askcred_status lock_entry(struct cache *c, const char *workspace,
				 const char *entry, struct entry_paths *p,
				 struct cache_lock *lock,
				 struct askcred_error *err)
{
	askcred_status rc = store_paths(c, workspace, entry, p, err);

	if (rc != ASKCRED_OK)
		return rc;
	return lock_acquire(&c->locks, p->lock, WRITE_LOCK_WAIT_MS, NULL, NULL,
			    lock, err);
}

askcred_status cache_write(struct cache *c, const char *workspace,
			   const char *entry, const struct token_record *rec,
			   struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	struct cache_lock lock = CACHE_LOCK_INIT;
	struct cache_state fresh = {0};
	struct token_record stored;
	struct entry_paths p;
	askcred_status rc;

	if (err == NULL)
		err = &local;
	if (strcmp(rec->workspace_id, workspace) != 0)
		return err_set(err, ASKCRED_INVALID, "workspace",
			       "record belongs to another workspace");
	rc = lock_entry(c, workspace, entry, &p, &lock, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* A successful write ends any outage. */
	/* A shallow copy to stamp with the time of caching: the token stays
	 * rec's (never cleared here). */
	stored = *rec;
	rc = store_save_locked(c, workspace, entry, &p, &stored, &fresh, err);
	lock_release(&lock);
	return rc;
}

askcred_status cache_remove(struct cache *c, const char *workspace,
			    const char *entry, struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	struct cache_lock lock = CACHE_LOCK_INIT;
	struct cache_state st;
	struct entry_paths p;
	askcred_status rc;

	if (err == NULL)
		err = &local;
	rc = lock_entry(c, workspace, entry, &p, &lock, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* The state stays, one generation ahead (a tombstone), so putting
	 * the removed file back is refused as a replay. The lock file stays:
	 * unlinking a lock file someone may hold would let two processes
	 * lock two different inodes. */
	(void)store_floor_locked(c, workspace, entry, &p, &st);
	if (unlink(p.file) != 0 && errno != ENOENT) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, p.file,
			     "cannot remove: %s", strerror(errno));
		goto out;
	}
	st.generation++;
	rc = store_save_state_locked(&p, &st, err);
out:
	lock_release(&lock);
	return rc;
}

/* "<workspace>@<entry>.cache" into its two halves; 0 if it is not one. */
static int split_name(const char *name, char *ws, char *entry)
{
	size_t len = strlen(name);
	const char *at = strchr(name, '@');

	if (len < 7 || strcmp(name + len - 6, ".cache") != 0 || at == NULL ||
	    at - name != ASKCRED_UUID_LEN || (size_t)(name + len - 6 - at) > 65)
		return 0;
	memcpy(ws, name, ASKCRED_UUID_LEN);
	ws[ASKCRED_UUID_LEN] = '\0';
	memcpy(entry, at + 1, (size_t)(name + len - 6 - at - 1));
	entry[name + len - 6 - at - 1] = '\0';
	return is_uuid4(ws) && cache_entry_name_ok(entry);
}

askcred_status cache_list(struct cache *c, cache_list_fn cb, void *ctx,
			  struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	char ws[ASKCRED_UUID_LEN + 1], entry[66];
	struct token_record rec = {0};
	struct entry_paths p;
	struct dirent *d;
	DIR *dp;

	if (err == NULL)
		err = &local;
	dp = opendir(c->dir);
	if (dp == NULL)
		return err_set(err, ASKCRED_CACHE_ERROR, c->dir,
			       "cannot list cache directory: %s",
			       strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		struct askcred_error skip = ASKCRED_ERROR_INIT;

		if (!split_name(d->d_name, ws, entry) ||
		    store_paths(c, ws, entry, &p, &skip) != ASKCRED_OK ||
		    store_load(c, ws, entry, &p, &rec, &skip) != ASKCRED_OK)
			continue;
		secret_clear(&rec.token);
		cb(ctx, entry, &rec);
		record_clear(&rec);
	}
	closedir(dp);
	return ASKCRED_OK;
}

askcred_status cache_rotate_key(struct cache *c, struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT;
	askcred_status rc;

	if (err == NULL)
		err = &local;
	pthread_rwlock_wrlock(&c->ring_lock);
	rc = key_rotate(c->key_path, &c->ring, err);
	pthread_rwlock_unlock(&c->ring_lock);
	return rc;
}
