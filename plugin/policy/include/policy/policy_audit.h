/*
 * The audit trail: one JSON object per line for every hand-out, refresh,
 * revocation and denial. It names the token by id and by a short
 * fingerprint, never by its value.
 *
 * Sinks, any combination: the host's log callback, a file appended by many
 * processes at once (each line is one write() on an O_APPEND descriptor and
 * at most POLICY_AUDIT_LINE_MAX bytes, so lines never interleave), syslog.
 *
 * A struct policy_audit is immutable after open; policy_audit_record() may
 * be called from several threads at once (the file is reopened per line,
 * which also follows log rotation).
 */
#ifndef ASKCRED_PLUGIN_POLICY_AUDIT_H
#define ASKCRED_PLUGIN_POLICY_AUDIT_H

#include <stdint.h>

#include "policy.h"

/* Below PIPE_BUF (4096 on Linux), so an append is never split. */
#define POLICY_AUDIT_LINE_MAX 2048

struct policy_audit_config {
	/* The host's log callback (struct askcred_host), or NULL. */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	const char *file; /* append here, or NULL */
	int syslog;	  /* also to syslog(LOG_AUTHPRIV) */
	const char *host; /* the machine's host name, or NULL */
};

/* What happened. Everything borrowed for the call. */
struct policy_audit_event {
	int64_t time;
	enum policy_op op;
	const struct token_view *rec; /* or NULL (denied before a fetch) */
	const char *workspace;	      /* when rec is NULL */
	const char *source;	      /* when rec is NULL */
	uint64_t policy_serial;	      /* 0: no policy */
	const struct policy_decision *decision;
	const char *labels;  /* the host's runner labels, or NULL */
	const char *purpose; /* the request's job label, or NULL */
};

struct policy_audit;

/* Check the file once (ours or root's, regular, one link, not writable by
 * others; created 0600 when missing) so a bad path fails at open, not at
 * the first hand-out. The config is copied. */
askcred_status policy_audit_open(const struct policy_audit_config *cfg,
				 struct policy_audit **out,
				 struct askcred_error *err);
void policy_audit_close(struct policy_audit *a);

/* Format ev as one JSON line into buf (without newline). Exposed for the
 * command and tests. */
askcred_status policy_audit_format(const struct policy_audit *a,
				   const struct policy_audit_event *ev,
				   char *buf, size_t size,
				   struct askcred_error *err);

/* Send ev to every sink. A file that cannot be written is an error (the
 * caller decides whether an unaudited hand-out may proceed); the log
 * callback and syslog cannot fail. */
askcred_status policy_audit_record(const struct policy_audit *a,
				   const struct policy_audit_event *ev,
				   struct askcred_error *err);

#endif
