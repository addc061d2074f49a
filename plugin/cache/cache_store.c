#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

askcred_status store_read_paths(const struct cache *c, const char *workspace,
				const char *entry, struct token_record *out,
				struct entry_paths *p,
				struct askcred_error *err)
{
	record_clear(out);
	return store_paths(c, workspace, entry, p, err);
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

/* Read and open the file sealed for (workspace, entry); *gen is its
 * generation. No floor is checked here. */
static askcred_status open_file(struct cache *c, const char *workspace,
				const char *entry, const struct entry_paths *p,
				struct token_record *out, uint64_t *gen,
				struct askcred_error *err)
{
	uint8_t ctx[CACHE_CTX_LEN];
	uint8_t *buf = NULL;
	size_t len = 0;
	askcred_status rc;

	record_clear(out);
	*gen = 0;
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
	if (rc != ASKCRED_OK)
		err_prefix(err, "%s: ", p->file);
out:
	free(buf);
	return rc;
}

askcred_status store_load(struct cache *c, const char *workspace,
			  const char *entry, const struct entry_paths *p,
			  struct token_record *out, struct askcred_error *err)
{
	struct cache_state st;
	uint64_t gen = 0;
	askcred_status rc;

	record_clear(out);
	/* The state first, then the file: the writer renames them in the
	 * other order, so the floor we see is never newer than the file. An
	 * unreadable state is no floor at all: a miss. */
	rc = state_read(p->state, &st, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = open_file(c, workspace, entry, p, out, &gen, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* The first write of an entry puts its state in place before its
	 * file (store_save_locked()): a state missing a moment ago may have
	 * been that write. Look once more. */
	if (st.generation == 0) {
		rc = state_read(p->state, &st, err);
		if (rc != ASKCRED_OK) {
			record_clear(out);
			return rc;
		}
	}
	/* Every write leaves a floor of at least 1 beside its file: none
	 * means the state was deleted, and the file may be rolled back. */
	if (st.generation == 0) {
		record_clear(out);
		return err_set(err, ASKCRED_CACHE_ERROR, p->state,
			       "no generation floor: the state file is "
			       "missing");
	}
	if (gen < st.generation) {
		record_clear(out);
		return err_set(err, ASKCRED_CACHE_ERROR, p->file,
			       "replayed file: generation %" PRIu64
			       " is older than the last written (%" PRIu64 ")",
			       gen, st.generation);
	}
	return ASKCRED_OK;
}

/* Generations written while the floor is unknown start here: Unix seconds
 * times 2^20. Every generation written earlier counted up from a lower
 * start, by fewer than 2^20 writes a second, so it is lower: a rolled-back
 * file stays refused even after the state that held its floor was
 * destroyed, as long as the clock does not go back. */
#define RECOVERY_SHIFT 20

int store_floor_locked(struct cache *c, const char *workspace,
		       const char *entry, const struct entry_paths *p,
		       struct cache_state *st)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct token_record cur = {0};
	struct stat sb;
	uint64_t gen = 0, recovery;
	int known, file_exists;
	int64_t now;

	known = state_read(p->state, st, &ignored) == ASKCRED_OK;
	if (!known)
		memset(st, 0, sizeof(*st));
	file_exists = lstat(p->file, &sb) == 0;
	/* Only an authentic file's generation counts; a tampered header
	 * must not push the counter to its end. */
	if (open_file(c, workspace, entry, p, &cur, &gen, &ignored) !=
	    ASKCRED_OK)
		gen = 0;
	record_clear(&cur);
	if (known && (st->generation > 0 || !file_exists)) {
		if (gen > st->generation)
			st->generation = gen;
		return 1;
	}
	now = cache_now(c);
	recovery = now > 0 ? (uint64_t)now << RECOVERY_SHIFT : 0;
	st->generation = gen > recovery ? gen : recovery;
	return 0;
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

/* Rename tmp over final; tmp becomes "" once it is in place, and a call
 * with tmp "" does nothing. */
static askcred_status put_in_place(char *tmp, const char *final,
				   const char *what, struct askcred_error *err)
{
	if (tmp[0] == '\0')
		return ASKCRED_OK;
	if (rename(tmp, final) != 0)
		return err_set(err, ASKCRED_CACHE_ERROR, final,
			       "cannot replace %s: %s", what, strerror(errno));
	tmp[0] = '\0';
	return ASKCRED_OK;
}

askcred_status store_save_locked(struct cache *c, const char *workspace,
				 const char *entry, const struct entry_paths *p,
				 struct token_record *rec,
				 const struct cache_state *st,
				 struct askcred_error *err)
{
	struct cache_state next = *st, cur;
	uint8_t ctx[CACHE_CTX_LEN];
	uint8_t *sealed = NULL;
	size_t sealed_len = 0;
	char tmp_file[FS_PATH_MAX] = "", tmp_state[FS_PATH_MAX] = "";
	struct stat sb;
	askcred_status rc;

	sweep_orphans(c, p);
	(void)store_floor_locked(c, workspace, entry, p, &cur);
	next.generation = cur.generation + 1;
	/* The policy's max_cache_age counts from here. */
	rec->cached_at = cache_now(c);
	rc = context_bind(c->uid, c->host_id, workspace, entry, ctx, err);
	if (rc != ASKCRED_OK)
		goto out;
	pthread_rwlock_rdlock(&c->ring_lock);
	rc = format_seal(&c->ring, ctx, next.generation, entry, rec, &sealed,
			 &sealed_len, err);
	pthread_rwlock_unlock(&c->ring_lock);
	if (rc != ASKCRED_OK)
		goto out;
	rc = fs_write_temp(p->file, sealed, sealed_len, tmp_file, err);
	if (rc == ASKCRED_OK)
		rc = state_write_temp(p->state, &next, tmp_state, err);
	if (rc != ASKCRED_OK)
		goto out;
	/* File before state (see store_load()), except for the first write
	 * of an entry. With no state yet, a reader between the two renames
	 * would find a file without a floor and take it for a rollback; so
	 * its state goes first. A reader in between then finds no file (a
	 * plain miss), and so does everyone after a crash in between. */
	if (lstat(p->state, &sb) != 0 && errno == ENOENT)
		rc = put_in_place(tmp_state, p->state, "state file", err);
	if (rc == ASKCRED_OK)
		rc = put_in_place(tmp_file, p->file, "cache file", err);
	if (rc == ASKCRED_OK)
		rc = put_in_place(tmp_state, p->state, "state file", err);
	if (rc == ASKCRED_OK)
		rc = fs_sync_parent(p->file, err);
out:
	/* cached_at says the record is in the disk cache (record.h): the
	 * instance then reads the entry again instead of trusting memory. */
	if (rc != ASKCRED_OK)
		rec->cached_at = 0;
	if (tmp_file[0] != '\0')
		unlink(tmp_file);
	if (tmp_state[0] != '\0')
		unlink(tmp_state);
	free(sealed);
	return rc;
}
