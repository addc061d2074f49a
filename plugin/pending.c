#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cache/cache.h"
#include "cache/cache_fs.h"
#include "clock.h"
#include "credcheck.h"
#include "error.h"
#include "log.h"
#include "pending.h"
#include "plugin_config.h"
#include "safefile.h"
#include "source/source.h"

#define PENDING_FILE_MAX 4096
#define PENDING_SUFFIX ".pending"
/* After an opportunistic delete failed: not before this many seconds. */
#define PENDING_RETRY_DELAY 60

static const struct file_rules pending_rules = {
	.what = "pending revocation",
	.forbidden = 077,
	.allow_root = 0,
	.max_size = PENDING_FILE_MAX,
};

/* <cache dir>/pending, created on demand; -1 without a disk cache. */
static int pending_dir(const struct source_ctx *sc, char *dir, int create,
		       struct askcred_error *err)
{
	if (sc->cache == NULL) {
		err_set(err, ASKCRED_CONFIG_ERROR, "cache",
			"no disk cache (cache=off) to keep it in");
		return -1;
	}
	if (fs_path(dir, err, "%s/pending", cache_dir_path(sc->cache)) !=
	    ASKCRED_OK)
		return -1;
	if (create && fs_private_dir(dir, 0, err) != ASKCRED_OK)
		return -1;
	return 0;
}

/* Write one pending file atomically. 0, or -1 with why filled. */
static int write_item(const struct source_ctx *sc, const char *workspace,
		      const char *token_id, int64_t expires_at,
		      int64_t not_before, struct askcred_error *why)
{
	char dir[FS_PATH_MAX], path[FS_PATH_MAX], tmp[FS_PATH_MAX];
	char body[512];
	int n;

	n = snprintf(body, sizeof(body),
		     "{\"workspace_id\":\"%s\",\"token_id\":\"%s\","
		     "\"expires_at\":%lld,\"since\":%lld,"
		     "\"not_before\":%lld}\n",
		     workspace, token_id, (long long)expires_at,
		     (long long)time(NULL), (long long)not_before);
	if (!is_uuid4(workspace) || !is_uuid4(token_id) || n < 0 ||
	    (size_t)n >= sizeof(body)) {
		err_set(why, ASKCRED_INTERNAL, "pending", "bad token id");
		return -1;
	}
	if (pending_dir(sc, dir, 1, why) != 0 ||
	    fs_path(path, why, "%s/%s@%s" PENDING_SUFFIX, dir, workspace,
		    token_id) != ASKCRED_OK ||
	    fs_write_temp(path, body, (size_t)n, tmp, why) != ASKCRED_OK)
		return -1;
	if (rename(tmp, path) != 0) {
		err_set(why, ASKCRED_CACHE_ERROR, path, "rename: %s",
			strerror(errno));
		unlink(tmp);
		return -1;
	}
	(void)fs_sync_parent(path, why);
	return 0;
}

int pending_retire(const struct source_ctx *sc, const char *workspace,
		   const char *token_id, int64_t expires_at, int64_t not_before)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	char dir[FS_PATH_MAX], path[FS_PATH_MAX];
	struct stat st;

	/* Already pending (a revocation that failed): that one is due at
	 * once and must not be put off by the overlap. */
	if (pending_dir(sc, dir, 0, &why) == 0 &&
	    fs_path(path, &why, "%s/%s@%s" PENDING_SUFFIX, dir, workspace,
		    token_id) == ASKCRED_OK &&
	    lstat(path, &st) == 0)
		return 0;

	if (write_item(sc, workspace, token_id, expires_at, not_before, &why) ==
	    0) {
		/* Our own rotation: due soon when the overlap is short. */
		if (sc->pending != NULL)
			atomic_store(&sc->pending->next_ms, 0);
		return 0;
	}
	plog(sc->log, ASKCRED_LOG_WARNING,
	     "rotated token %s cannot be scheduled for deletion (%s); it "
	     "lives until it expires",
	     token_id, why.message);
	return -1;
}

void pending_add(const struct source_ctx *sc, const char *workspace,
		 const char *token_id, int64_t expires_at,
		 struct askcred_error *err)
{
	struct askcred_error why = ASKCRED_ERROR_INIT;
	char first[ASKCRED_ERROR_MESSAGE_MAX];

	snprintf(first, sizeof(first), "%s", err->message);
	if (write_item(sc, workspace, token_id, expires_at, 0, &why) != 0)
		goto fail;
	plog(sc->log, ASKCRED_LOG_WARNING, "revocation of token %s pending: %s",
	     token_id, first);
	snprintf(err->message, sizeof(err->message),
		 "%.200s; recorded, `askcred gc` or the next mint retries it",
		 first);
	return;
fail:
	plog(sc->log, ASKCRED_LOG_ERR,
	     "revocation of token %s failed and could not be recorded: %s",
	     token_id, why.message);
	snprintf(err->message, sizeof(err->message),
		 "%.160s; not recorded (%.120s): delete token %s in AskUI "
		 "Hub",
		 first, why.message, token_id);
}

/* One pending file, parsed. 0 on success. */
struct pending_item {
	char workspace[ASKCRED_UUID_LEN + 1];
	char token_id[ASKCRED_UUID_LEN + 1];
	int64_t expires_at, since;
	int64_t not_before; /* rotation: not deleted before; 0: at once */
};

static int read_item(const char *path, struct pending_item *it)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct json_object *root = NULL, *v;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	memset(it, 0, sizeof(*it));
	if (safe_read_file(path, &pending_rules, &buf, &len, &ignored) !=
	    ASKCRED_OK)
		goto out;
	root = json_tokener_parse(buf);
	if (root == NULL || !json_object_is_type(root, json_type_object))
		goto out;
	if (!json_object_object_get_ex(root, "workspace_id", &v) ||
	    !is_uuid4(json_object_get_string(v)))
		goto out;
	memcpy(it->workspace, json_object_get_string(v), ASKCRED_UUID_LEN + 1);
	if (!json_object_object_get_ex(root, "token_id", &v) ||
	    !is_uuid4(json_object_get_string(v)))
		goto out;
	memcpy(it->token_id, json_object_get_string(v), ASKCRED_UUID_LEN + 1);
	if (json_object_object_get_ex(root, "expires_at", &v))
		it->expires_at = json_object_get_int64(v);
	if (json_object_object_get_ex(root, "since", &v))
		it->since = json_object_get_int64(v);
	if (json_object_object_get_ex(root, "not_before", &v))
		it->not_before = json_object_get_int64(v);
	rc = 0;
out:
	json_object_put(root);
	free(buf);
	return rc;
}

typedef int (*item_fn)(const struct source_ctx *sc, const char *path,
		       const struct pending_item *it, void *ctx);

/* Call fn for each readable pending file; an unreadable one is logged
 * once and left for a person to look at. Returns the number of files for
 * which fn returned non-zero ("still pending"). */
static int each_item(const struct source_ctx *sc, item_fn fn, void *ctx)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char dir[FS_PATH_MAX], path[FS_PATH_MAX];
	struct pending_item it;
	struct dirent *de;
	DIR *d;
	int left = 0;

	if (pending_dir(sc, dir, 0, &err) != 0)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name), sl = strlen(PENDING_SUFFIX);

		if (n <= sl || strcmp(de->d_name + n - sl, PENDING_SUFFIX) != 0)
			continue;
		if (fs_path(path, &err, "%s/%s", dir, de->d_name) != ASKCRED_OK)
			continue;
		if (read_item(path, &it) != 0) {
			plog(sc->log, ASKCRED_LOG_WARNING,
			     "unreadable pending revocation %s; left alone",
			     path);
			left++;
			continue;
		}
		left += fn(sc, path, &it, ctx) != 0;
	}
	closedir(d);
	return left;
}

struct retry_ctx {
	const struct net_ops *ops;
	struct net_client *client;
	const struct token_record *parent;
	int rotated_only; /* opportunistic: rotations due, failures put off */
};

static int retry_one(const struct source_ctx *sc, const char *path,
		     const struct pending_item *it, void *ctx)
{
	struct retry_ctx *rc = ctx;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_status st;

	if (strcmp(it->workspace, rc->parent->workspace_id) != 0 ||
	    it->not_before > (int64_t)time(NULL) ||
	    (rc->rotated_only && it->not_before == 0))
		return 1;
	if (it->expires_at != 0 && it->expires_at <= (int64_t)time(NULL)) {
		st = ASKCRED_OK; /* dead anyway; nothing left to delete */
	} else {
		st = rc->ops->token_delete(rc->client, it->workspace,
					   &rc->parent->token, it->token_id,
					   &err);
		if (st == ASKCRED_NOT_FOUND)
			st = ASKCRED_OK;
	}
	if (st != ASKCRED_OK) {
		plog(sc->log, ASKCRED_LOG_WARNING,
		     "pending revocation of token %s still fails: %s",
		     it->token_id, err.message);
		/* Not again at every call while AskUI is down. */
		if (rc->rotated_only)
			(void)write_item(
				sc, it->workspace, it->token_id, it->expires_at,
				(int64_t)time(NULL) + PENDING_RETRY_DELAY,
				&err);
		return 1;
	}
	unlink(path);
	plog(sc->log, ASKCRED_LOG_NOTICE, "pending revocation of token %s done",
	     it->token_id);
	return 0;
}

int pending_retry(const struct source_ctx *sc, const struct net_ops *ops,
		  struct net_client *client, const struct token_record *parent)
{
	struct retry_ctx rc = {ops, client, parent, 0};

	return each_item(sc, retry_one, &rc);
}

int pending_retry_rotated(const struct source_ctx *sc,
			  const struct net_ops *ops, struct net_client *client,
			  const struct token_record *parent)
{
	struct retry_ctx rc = {ops, client, parent, 1};

	return each_item(sc, retry_one, &rc);
}

static int due_one(const struct source_ctx *sc, const char *path,
		   const struct pending_item *it, void *ctx)
{
	(void)sc;
	(void)path;
	if (it->not_before != 0 && it->not_before <= (int64_t)time(NULL))
		++*(int *)ctx;
	return 0;
}

int pending_rotated_due(const struct source_ctx *sc)
{
	int64_t now = monotonic_ms();
	int due = 0;

	if (sc->pending != NULL) {
		if ((uint64_t)now < atomic_load(&sc->pending->next_ms))
			return 0;
		atomic_store(&sc->pending->next_ms,
			     (uint64_t)now + PENDING_WATCH_MS);
	}
	(void)each_item(sc, due_one, &due);
	return due;
}

int pending_trylock(const struct source_ctx *sc)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	char dir[FS_PATH_MAX], path[FS_PATH_MAX];
	int fd;

	if (pending_dir(sc, dir, 0, &ignored) != 0 ||
	    fs_path(path, &ignored, "%s/.lock", dir) != ASKCRED_OK)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct report_ctx {
	askcred_entry_cb cb;
	void *cb_ctx;
};

static int report_one(const struct source_ctx *sc, const char *path,
		      const struct pending_item *it, void *ctx)
{
	struct report_ctx *r = ctx;
	struct askcred_entry_info info;

	(void)path;
	memset(&info, 0, sizeof(info));
	info.struct_size = sizeof(info);
	info.flags = ASKCRED_ENTRY_PENDING_REVOKE;
	info.name = sc->cfg->entry;
	info.workspace_id = it->workspace;
	info.token_id = it->token_id;
	info.source = sc->source->name;
	info.expires_at = it->expires_at;
	info.note = it->not_before > (int64_t)time(NULL)
			    ? "rotated out; deleted after the overlap"
			    : "revocation pending";
	r->cb(r->cb_ctx, &info);
	return 1;
}

void pending_report(const struct source_ctx *sc, askcred_entry_cb cb,
		    void *cb_ctx)
{
	struct report_ctx r = {cb, cb_ctx};

	(void)each_item(sc, report_one, &r);
}

int pending_count(const struct source_ctx *sc)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char dir[FS_PATH_MAX];
	struct dirent *de;
	size_t sl = strlen(PENDING_SUFFIX);
	int n = 0;
	DIR *d;

	if (sc == NULL || pending_dir(sc, dir, 0, &err) != 0)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		n += len > sl &&
		     strcmp(de->d_name + len - sl, PENDING_SUFFIX) == 0;
	}
	closedir(d);
	return n;
}
