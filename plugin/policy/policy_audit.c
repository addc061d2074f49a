/* One JSON line per decision; see policy_audit.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>

#include "error.h"
#include "policy_audit.h"
#include "safefile.h"
#include "text.h"

struct policy_audit {
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	char *file;
	int syslog;
	char *host;
};

/* Many writers share the file; others may read it, none may write it. */
static const struct file_rules audit_rules = {"audit file", 022, 1, 0};

static askcred_status open_append(const char *path, int *fd,
				  struct askcred_error *err)
{
	askcred_status rc;

	*fd = open(path,
		   O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			   O_NOCTTY | O_NONBLOCK,
		   0600);
	if (*fd < 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "cannot open audit file: %s%s", strerror(errno),
			       errno == ELOOP ? " (a symbolic link)" : "");
	rc = safe_check_fd(*fd, path, &audit_rules, err);
	if (rc != ASKCRED_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

askcred_status policy_audit_open(const struct policy_audit_config *cfg,
				 struct policy_audit **out,
				 struct askcred_error *err)
{
	struct policy_audit *a;
	askcred_status rc = ASKCRED_OK;
	int fd = -1;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "audit",
			       "out of memory");
	a->log = cfg->log;
	a->log_ctx = cfg->log_ctx;
	a->syslog = cfg->syslog;
	if ((cfg->file && (a->file = strdup(cfg->file)) == NULL) ||
	    (cfg->host && (a->host = strdup(cfg->host)) == NULL)) {
		rc = err_set(err, ASKCRED_NO_MEMORY, "audit", "out of memory");
		goto out;
	}
	if (a->file != NULL) {
		rc = open_append(a->file, &fd, err);
		if (rc != ASKCRED_OK)
			goto out;
		close(fd);
	}
	*out = a;
	a = NULL;
out:
	policy_audit_close(a);
	return rc;
}

void policy_audit_close(struct policy_audit *a)
{
	if (a == NULL)
		return;
	free(a->file);
	free(a->host);
	free(a);
}

static void add_str(json_object *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_object_add(o, key, json_object_new_string(v));
}

/* Host-supplied strings are cut, and control characters (which JSON would
 * escape six-fold) replaced, so a line always fits. */
static void add_cut(json_object *o, const char *key, const char *v)
{
	char cut[200];

	if (v == NULL)
		return;
	snprintf(cut, sizeof(cut), "%s", v);
	text_flatten(cut);
	add_str(o, key, cut);
}

static void build(const struct policy_audit *a,
		  const struct policy_audit_event *ev, json_object *o)
{
	const struct token_view *rec = ev->rec;
	const struct policy_decision *d = ev->decision;
	char when[32];

	policy_format_time(ev->time, when, sizeof(when));
	add_str(o, "time", when);
	add_str(o, "op", policy_op_name(ev->op));
	add_str(o, "decision", d == NULL || d->allowed ? "allow" : "deny");
	add_str(o, "reason", d ? d->reason_code : "ok");
	add_str(o, "workspace", rec ? rec->workspace_id : ev->workspace);
	add_str(o, "token_id", rec ? rec->token_id : NULL);
	if (rec != NULL && rec->fingerprint[0] != '\0')
		add_str(o, "token_fp", rec->fingerprint);
	add_str(o, "source", rec ? rec->source : ev->source);
	json_object_object_add(
		o, "policy_serial",
		json_object_new_int64((int64_t)ev->policy_serial));
	if (rec != NULL && rec->expires_at != 0)
		json_object_object_add(o, "expires_at",
				       json_object_new_int64(rec->expires_at));
	add_cut(o, "labels", ev->labels);
	add_cut(o, "purpose", ev->purpose);
	add_cut(o, "host", a->host);
	add_str(o, "detail", d ? d->sentence : NULL);
}

askcred_status policy_audit_format(const struct policy_audit *a,
				   const struct policy_audit_event *ev,
				   char *buf, size_t size,
				   struct askcred_error *err)
{
	json_object *o = json_object_new_object();
	const char *text;
	size_t len;
	askcred_status rc = ASKCRED_OK;

	if (o == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "audit",
			       "out of memory");
	build(a, ev, o);
	text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = text ? strlen(text) : 0;
	/* Never cut a line: half a JSON object is worse than an error. Every
	 * field is bounded, so this is only a guard. */
	if (text == NULL || len + 1 > size)
		rc = err_set(err, ASKCRED_INTERNAL, "audit",
			     "audit line of %zu bytes does not fit in %zu", len,
			     size);
	else
		memcpy(buf, text, len + 1);
	json_object_put(o);
	return rc;
}

static askcred_status append_line(const char *path, const char *line,
				  size_t len, struct askcred_error *err)
{
	askcred_status rc;
	ssize_t n;
	int fd;

	rc = open_append(path, &fd, err);
	if (rc != ASKCRED_OK)
		return rc;
	/* One write(): with O_APPEND the kernel places the whole line at the
	 * end at once, so concurrent writers never interleave. */
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "audit write failed: %s",
			     n < 0 ? strerror(errno) : "short write");
	close(fd);
	return rc;
}

askcred_status policy_audit_record(const struct policy_audit *a,
				   const struct policy_audit_event *ev,
				   struct askcred_error *err)
{
	char line[POLICY_AUDIT_LINE_MAX];
	askcred_status rc;
	size_t len;
	int level;

	rc = policy_audit_format(a, ev, line, sizeof(line) - 1, err);
	if (rc != ASKCRED_OK)
		return rc;
	len = strlen(line);
	level = ev->decision && !ev->decision->allowed ? ASKCRED_LOG_WARNING
						       : ASKCRED_LOG_INFO;
	if (a->log != NULL)
		a->log(a->log_ctx, level, line);
	if (a->syslog)
		syslog(LOG_AUTHPRIV |
			       (level == ASKCRED_LOG_WARNING ? LOG_WARNING
							     : LOG_INFO),
		       "askcred audit: %s", line);
	if (a->file == NULL)
		return ASKCRED_OK;
	line[len++] = '\n';
	return append_line(a->file, line, len, err);
}
