/* The policy gate of one instance: the policy store (plugin/policy) fed
 * from a local file or an https URL, the audit trail, and the one call
 * every hand-out goes through. Without a configured policy everything is
 * allowed and still audited.
 *
 * Threads: safe. The store is not, so one mutex serialises it; checks are
 * short (no I/O) except when a URL-fed policy is due for a refresh, which
 * one caller does while the others wait on the mutex. */
#ifndef ASKCRED_PLUGIN_ENFORCE_H
#define ASKCRED_PLUGIN_ENFORCE_H

#include <pthread.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "policy/policy.h"
#include "record.h"

struct gate_settings;
struct log_sink;
struct policy_store;
struct policy_audit;
struct remote;

/* What the gate reads of its instance, instead of the instance: its slice
 * of the configuration, the log sink, the network handle (for
 * policy_url), the merged runner labels and the source's name. Every
 * pointer is borrowed until enforce_close(). */
struct enforce_env {
	const struct gate_settings *cfg;
	const struct log_sink *log;
	struct remote *net;
	const char *labels; /* "" or NULL: none */
	const char *source;
};

struct enforce {
	struct enforce_env env;
	pthread_mutex_t lock;
	struct policy_store *store; /* NULL: no policy configured */
	struct policy_audit *audit; /* always present after open */
	int64_t next_url_check;	    /* Unix seconds; URL-fed only */
	int64_t next_file_check_ms; /* monotonic_ms(); a local file only */
};

#define ENFORCE_FILE_CHECK_MS 1000

/* Open the store (loading a local file at once) and the audit sinks from
 * the module arguments. state_dir is where the last good copy lives (the
 * policy_state_dir argument, else <cache dir>/policy, with or without
 * the cache); NULL only when no policy is configured. */
askcred_status enforce_open(struct enforce *e, const struct enforce_env *env,
			    const char *state_dir, struct askcred_error *err);
void enforce_close(struct enforce *e);

/* The one gate: judge rec, a credential without its secret (record.h),
 * for op and audit the decision. ASKCRED_OK when allowed (then
 * rec->policy_serial is the serial in force), ASKCRED_DENIED with the
 * policy's sentence in err otherwise. rec may be NULL (op before a
 * fetch: source and workspace are judged). */
#define ENFORCE_CACHED 0x1u /* rec comes from a cache */
#define ENFORCE_QUIET                                                          \
	0x2u /* audit only a denial (a repeat hand-out of                      \
	      * a credential already audited) */
/* purpose is the request's job label for the audit line, or NULL. With
 * audit_required=on, an allowed hand-out whose audit line could not be
 * written fails with ASKCRED_CONFIG_ERROR instead. */
askcred_status enforce_judge(struct enforce *e, enum policy_op op,
			     struct token_view *rec, const char *workspace,
			     const char *purpose, unsigned flags,
			     struct askcred_error *err);
/* enforce_judge() on rec's view (record_view(): the policy never sees
 * the token), with the serial written back to rec->policy_serial. */
askcred_status enforce_check(struct enforce *e, enum policy_op op,
			     struct token_record *rec, const char *workspace,
			     const char *purpose, unsigned flags,
			     struct askcred_error *err);

/* A refusal the policy causes outside policy_check() (a lifetime cut to
 * the policy's max_lifetime that cannot give the validity asked for):
 * audited as a denial with reason, returned as ASKCRED_DENIED with the
 * reason code as err->where, like enforce_check(). */
askcred_status enforce_refuse(struct enforce *e, enum policy_op op,
			      const char *workspace, const char *purpose,
			      enum policy_reason reason,
			      struct askcred_error *err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Judge rec, a token of the workspace rather than one being handed out
 * (askcred tokens enforce), under the policy in force: op validate, no
 * audit (the caller audits what it does about it). ASKCRED_OK with *d
 * filled, a denial with POLICY_R_NONE_VALID when no policy is valid;
 * ASKCRED_CONFIG_ERROR when no policy is configured at all. */
askcred_status enforce_peek(struct enforce *e, const struct token_view *rec,
			    struct policy_decision *d,
			    struct askcred_error *err);

/* Audit an operation that is not judged (a revocation). */
void enforce_audit(struct enforce *e, enum policy_op op,
		   const struct token_view *rec, const char *workspace,
		   int succeeded, const char *sentence);

/* The policy's numbers for this host, each -1 when the policy is silent
 * or absent (policy.h's accessors, under the lock). */
struct enforce_limits {
	struct policy_windows windows;
	int64_t grace_budget;
	int64_t max_lifetime;
	int64_t min_validity;
};
void enforce_limits(struct enforce *e, struct enforce_limits *out);

/* Human text: the whole policy in force (describe), and a one-line
 * summary for the status entry flagged ASKCRED_ENTRY_POLICY. Return 0
 * when no policy is configured (nothing to report), else 1 with *serial
 * the serial in force (0: none valid). buf is always NUL-terminated. */
void enforce_describe(struct enforce *e, char *buf, size_t size);
int enforce_summary(struct enforce *e, char *buf, size_t size,
		    uint64_t *serial);

#endif
