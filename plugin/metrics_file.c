#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache/cache_fs.h"
#include "error.h"
#include "metrics_file.h"
#include "safefile.h"

static const char *const event_help[METRICS_EVENTS] = {
	[METRICS_MINT] = "New tokens obtained from the source when no token "
			 "was cached (source=mint: minted at AskUI).",
	[METRICS_REFRESH] = "New tokens obtained from the source in place of "
			    "a cached one (refresh windows, askcred refresh, "
			    "a cached token the policy refused).",
	[METRICS_HIT] = "Fetches served from the memory or disk cache "
			"without asking the source.",
	[METRICS_MISS] = "Fetches the disk cache could not answer, so the "
			 "source was asked (or was down).",
	[METRICS_STALE] = "Cached tokens served during a source outage "
			  "(stale_budget).",
};

struct out {
	char *buf;
	size_t size, used;
	int full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->size - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->used)
		o->full = 1;
	else
		o->used += (size_t)n;
}

static void family(struct out *o, const char *name, const char *type,
		   const char *help)
{
	put(o, "# HELP askcred_%s %s\n# TYPE askcred_%s %s\n", name, help, name,
	    type);
}

/* A gauge with one sample per cached token: its expiry time less base
 * (now: the seconds left; 0: the Unix time itself). */
static void expiry_family(struct out *o, const struct metrics_totals *t,
			  const char *name, const char *help, int64_t base)
{
	family(o, name, "gauge", help);
	for (size_t i = 0; i < t->n_expiry; i++)
		if (t->expiry[i].expires_at > 0)
			put(o,
			    "askcred_%s{workspace=\"%s\",entry=\"%s\"} "
			    "%" PRId64 "\n",
			    name, t->expiry[i].workspace, t->expiry[i].entry,
			    t->expiry[i].expires_at - base);
}

/* Label values are reason words, entry names ([A-Za-z0-9._-]) and
 * workspace UUIDs (checked when read): nothing to escape. */
size_t metrics_render(const struct metrics_totals *t, int pending, int64_t now,
		      char *buf, size_t size)
{
	struct out o = {buf, size, 0, 0};
	char name[64];

	for (size_t i = 0; i < METRICS_EVENTS; i++) {
		snprintf(name, sizeof(name), "%s_total",
			 metrics_event_name((enum metrics_event)i));
		family(&o, name, "counter", event_help[i]);
		put(&o, "askcred_%s %" PRIu64 "\n", name, t->events[i]);
	}
	family(&o, "refusals_total", "counter",
	       "Requests the policy refused, by reason code.");
	for (size_t i = 0; i < t->n_reasons; i++)
		put(&o, "askcred_refusals_total{reason=\"%s\"} %" PRIu64 "\n",
		    t->reasons[i].code, t->reasons[i].count);
	family(&o, "pending_revocations", "gauge",
	       "Token deletions AskUI has not taken yet (retried by the next "
	       "mint and askcred gc), rotated-out tokens included.");
	put(&o, "askcred_pending_revocations %d\n", pending < 0 ? 0 : pending);
	expiry_family(&o, t, "token_expiry_seconds",
		      "Seconds the cached token had left when this file was "
		      "written (negative: expired).",
		      now);
	expiry_family(&o, t, "token_expiry_timestamp_seconds",
		      "Unix time the cached token expires.", 0);
	family(&o, "last_askui_success_timestamp_seconds", "gauge",
	       "Unix time of the last call AskUI answered with success (a "
	       "mint, a delete, an online validation); 0: none yet.");
	put(&o, "askcred_last_askui_success_timestamp_seconds %" PRId64 "\n",
	    t->last_askui_success);
	return o.full ? 0 : o.used;
}

/* The directory part of path, into dir (FS_PATH_MAX). */
static askcred_status parent_of(const char *path, char *dir,
				struct askcred_error *err)
{
	char *slash;

	if (fs_path(dir, err, "%s", path) != ASKCRED_OK)
		return err->code;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash[1] == '\0')
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "metrics_file must be an absolute file path");
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return ASKCRED_OK;
}

/* What is at path now may be replaced only if it is a regular file (or
 * nothing): rename() would replace a symlink itself, not follow it, but
 * somebody put the link there for a reason, and should hear of it. */
static askcred_status target_ok(const char *path, struct askcred_error *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT
			       ? ASKCRED_OK
			       : err_set(err, ASKCRED_CONFIG_ERROR, path,
					 "cannot stat metrics_file: %s",
					 strerror(errno));
	if (S_ISLNK(st.st_mode))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "metrics_file is a symbolic link; refusing to "
			       "replace or follow it (remove it, or point "
			       "metrics_file at a plain file)");
	if (!S_ISREG(st.st_mode))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "metrics_file is not a regular file; left as "
			       "it is");
	return ASKCRED_OK;
}

static askcred_status write_temp(const char *path, const char *text, size_t len,
				 char *tmp, struct askcred_error *err)
{
	unsigned char r[8];
	askcred_status rc;
	int fd;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return err_set(err, ASKCRED_INTERNAL, "RAND_bytes",
			       "no randomness for a temp name");
	/* Ends in .tmp: the collector reads only *.prom. */
	rc = fs_path(tmp, err, "%s%c%02x%02x%02x%02x%02x%02x%02x%02x.tmp", path,
		     FS_TMP_MARK, r[0], r[1], r[2], r[3], r[4], r[5], r[6],
		     r[7]);
	if (rc != ASKCRED_OK)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, tmp,
			       "cannot create the metrics temp file: %s",
			       strerror(errno));
	/* 0644 whatever the umask: node_exporter runs as another user. */
	if (fchmod(fd, 0644) != 0 || write_fd_all(fd, text, len) != 0 ||
	    fsync(fd) != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, tmp,
			     "cannot write the metrics temp file: %s",
			     strerror(errno));
		close(fd);
		unlink(tmp);
		return rc;
	}
	if (close(fd) != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, tmp,
			     "cannot write the metrics temp file: %s",
			     strerror(errno));
		unlink(tmp);
		return rc;
	}
	return ASKCRED_OK;
}

askcred_status metrics_publish(const char *path, const char *text, size_t len,
			       struct askcred_error *err)
{
	char dir[FS_PATH_MAX], tmp[FS_PATH_MAX];
	askcred_status rc;

	rc = parent_of(path, dir, err);
	if (rc == ASKCRED_OK)
		rc = safe_check_dir(dir, "metrics_file directory", err);
	if (rc == ASKCRED_OK)
		rc = target_ok(path, err);
	if (rc == ASKCRED_OK)
		rc = write_temp(path, text, len, tmp, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "cannot replace metrics_file: %s",
			     strerror(errno));
		unlink(tmp);
		return rc;
	}
	return fs_sync_parent(path, err);
}
