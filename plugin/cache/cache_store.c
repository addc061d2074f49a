#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_int.h"
#include "credcheck.h"
#include "error.h"
#include "safefile.h"

static const struct file_rules file_rules = {"cache file", 077, 0,
					     CACHE_FILE_MAX};

int cache_entry_name_ok(const char *entry)
{
	size_t n;

	if (entry == NULL || entry[0] == '\0' || entry[0] == '.')
		return 0;
	for (n = 0; entry[n] != '\0'; n++) {
		char ch = entry[n];

		if (n == 64 ||
		    !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			return 0;
	}
	return 1;
}

askcred_status store_paths(const struct cache *c, const char *workspace,
			   const char *entry, struct entry_paths *p,
			   struct askcred_error *err)
{
	askcred_status rc;

	if (workspace == NULL || !is_uuid4(workspace))
		return err_set(err, ASKCRED_INVALID, "workspace",
			       "workspace id is not a UUID");
	if (!cache_entry_name_ok(entry))
		return err_set(err, ASKCRED_INVALID, "entry",
			       "entry name must be 1-64 of [A-Za-z0-9._-], "
			       "not starting with '.'");
	rc = fs_path(p->name, err, "%s@%s", workspace, entry);
	if (rc == ASKCRED_OK)
		rc = fs_path(p->file, err, "%s/%s.cache", c->dir, p->name);
	if (rc == ASKCRED_OK)
		rc = fs_path(p->state, err, "%s/%s.state", c->dir, p->name);
	if (rc == ASKCRED_OK)
		rc = fs_path(p->lock, err, "%s/%s.lock", c->dir, p->name);
	return rc;
}

static askcred_status read_sealed(const char *path, uint8_t **buf, size_t *len,
				  struct askcred_error *err)
{
	char *data = NULL;
	askcred_status rc;
	int fd = -1;

	rc = safe_open_read(path, &file_rules, &fd, err);
	if (rc == ASKCRED_NOT_FOUND)
		return rc;
	if (rc != ASKCRED_OK) /* unsafe file: a miss, replaced on write */
		return ASKCRED_CACHE_ERROR;
	rc = read_fd_all(fd, path, CACHE_FILE_MAX, &data, len, err);
	close(fd);
	if (rc != ASKCRED_OK)
		return rc == ASKCRED_NO_MEMORY ? rc : ASKCRED_CACHE_ERROR;
	*buf = (uint8_t *)data;
	return ASKCRED_OK;
}

/* Open the file and report its generation too. */
static askcred_status load_gen(struct cache *c, const char *workspace,
			       const char *entry, const struct entry_paths *p,
			       struct token_record *out, uint64_t *gen,
			       uint64_t *floor, struct askcred_error *err)
{
	struct cache_state st;
	uint8_t ctx[CACHE_CTX_LEN];
	uint8_t *buf = NULL;
	size_t len = 0;
	askcred_status rc;

	record_clear(out);
	/* The state first, then the file: the writer renames them in the
	 * other order, so the floor we see is never newer than the file. */
	rc = state_read(p->state, &st, err);
	if (rc != ASKCRED_OK)
		return rc;
	*floor = st.generation;
	rc = read_sealed(p->file, &buf, &len, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = context_bind(c->uid, c->host_id, workspace, entry, ctx, err);
	if (rc != ASKCRED_OK)
		goto out;
	pthread_rwlock_rdlock(&c->ring_lock);
	rc = format_open(&c->ring, ctx, buf, len, workspace, entry, out, gen,
			 err);
	pthread_rwlock_unlock(&c->ring_lock);
	if (rc != ASKCRED_OK) {
		err_prefix(err, "%s: ", p->file);
		goto out;
	}
	if (*gen < st.generation) {
		record_clear(out);
		rc = err_set(err, ASKCRED_CACHE_ERROR, p->file,
			     "replayed file: generation %" PRIu64
			     " is older than the last written (%" PRIu64 ")",
			     *gen, st.generation);
	}
out:
	free(buf);
	return rc;
}

askcred_status store_load(struct cache *c, const char *workspace,
			  const char *entry, const struct entry_paths *p,
			  struct token_record *out, struct askcred_error *err)
{
	uint64_t gen = 0, floor = 0;

	return load_gen(c, workspace, entry, p, out, &gen, &floor, err);
}

askcred_status store_save_state_locked(const struct entry_paths *p,
				       const struct cache_state *st,
				       struct askcred_error *err)
{
	char tmp[FS_PATH_MAX];
	askcred_status rc;

	rc = state_write_temp(p->state, st, tmp, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (rename(tmp, p->state) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, p->state,
			     "cannot replace state file: %s", strerror(errno));
		unlink(tmp);
		return rc;
	}
	return fs_sync_parent(p->state, err);
}

/* Temp files of this entry left by a writer killed mid-write: we hold the
 * entry lock, so no live writer owns them. */
static void sweep_orphans(const struct cache *c, const struct entry_paths *p)
{
	char file[FS_PATH_MAX], state[FS_PATH_MAX];
	const char *finals[2] = {file, state};

	if (snprintf(file, sizeof(file), "%s.cache", p->name) <
		    (int)sizeof(file) &&
	    snprintf(state, sizeof(state), "%s.state", p->name) <
		    (int)sizeof(state))
		fs_sweep_temps(c->dir, finals, 2);
}

askcred_status store_save_locked(struct cache *c, const char *workspace,
				 const char *entry, const struct entry_paths *p,
				 const struct token_record *rec,
				 const struct cache_state *st,
				 struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct token_record old = {0};
	struct cache_state next = *st;
	uint8_t ctx[CACHE_CTX_LEN];
	uint8_t *sealed = NULL;
	size_t sealed_len = 0;
	char tmp_file[FS_PATH_MAX] = "", tmp_state[FS_PATH_MAX] = "";
	uint64_t gen = 0, floor = 0;
	askcred_status rc;

	sweep_orphans(c, p);
	/* Only an authentic file's generation counts; a tampered header
	 * must not push the counter to its end. */
	if (load_gen(c, workspace, entry, p, &old, &gen, &floor, &ignored) !=
	    ASKCRED_OK)
		gen = 0;
	record_clear(&old);
	next.generation = (gen > floor ? gen : floor) + 1;
	rc = context_bind(c->uid, c->host_id, workspace, entry, ctx, err);
	if (rc != ASKCRED_OK)
		return rc;
	pthread_rwlock_rdlock(&c->ring_lock);
	rc = format_seal(&c->ring, ctx, next.generation, entry, rec, &sealed,
			 &sealed_len, err);
	pthread_rwlock_unlock(&c->ring_lock);
	if (rc != ASKCRED_OK)
		return rc;
	rc = fs_write_temp(p->file, sealed, sealed_len, tmp_file, err);
	if (rc == ASKCRED_OK)
		rc = state_write_temp(p->state, &next, tmp_state, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* File before state: see load_gen(). */
	if (rename(tmp_file, p->file) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, p->file,
			     "cannot replace cache file: %s", strerror(errno));
		goto out;
	}
	tmp_file[0] = '\0';
	if (rename(tmp_state, p->state) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, p->state,
			     "cannot replace state file: %s", strerror(errno));
		goto out;
	}
	tmp_state[0] = '\0';
	rc = fs_sync_parent(p->file, err);
out:
	if (tmp_file[0] != '\0')
		unlink(tmp_file);
	if (tmp_state[0] != '\0')
		unlink(tmp_state);
	free(sealed);
	return rc;
}
