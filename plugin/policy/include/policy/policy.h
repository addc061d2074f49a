/*
 * The central token policy: a signed JSON document (docs/policy-format.md)
 * that says which credentials a host may hand out, and for how long.
 *
 * Pieces, one file each:
 *   policy_json.c    RFC 8259 to the letter, before json-c reads it
 *   policy_parse.c   strict JSON -> struct policy
 *   policy_rules.c   the rule table; label overrides merged into the
 *                    rules in force (policy_table.h)
 *   policy_eval.c    rules in force + a token record -> a decision
 *   policy_verify.c  detached Ed25519 signature, serial rollback state
 *   policy_file.c    atomic writes and the lock in the state directory
 *   policy_store.c   the policy in force: local file, last good copy,
 *                    fail closed (policy_store.h)
 *   policy_audit.c   one JSON line per hand-out, refresh, revocation,
 *                    denial (policy_audit.h)
 *   policy_show.c    describe / explain for the command
 *   policy_time.c    durations and times, over the plugin's timefmt.c
 *   policy_list.c    string lists and runner labels
 *
 * Ownership: a struct policy is immutable once parsed; it is owned by
 * whoever parsed it (or by the store, see policy_store_current()). Every
 * string a function here returns is borrowed from its argument or static.
 *
 * Threads: nothing here keeps global state. A struct policy and a struct
 * policy_keys may be read from several threads at once (policy_check,
 * policy_verify and the accessors only read). A struct policy_store is not
 * thread-safe: the caller serialises calls on it.
 *
 * Secrets: the policy never sees a token. policy_check() and the audit get
 * a struct token_view (record.h): the credential without its secret, the
 * token only as its fingerprint.
 */
#ifndef ASKCRED_PLUGIN_POLICY_H
#define ASKCRED_PLUGIN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "../../../base/record.h" /* by path: includers need no -I */

/* The document format this host understands. */
#define POLICY_SCHEMA_VERSION 1
/* Bounds that keep a hostile document cheap to refuse. */
#define POLICY_DOC_MAX (256u * 1024u)
#define POLICY_DEPTH_MAX 8
#define POLICY_LIST_MAX 1024	/* workspaces, sources, optional */
#define POLICY_DENIED_MAX 16384 /* denied_token_ids */
#define POLICY_OVERRIDES_MAX 64
#define POLICY_NAME_MAX 64 /* a label, a source, an optional field name */

/* What the caller is about to do with a credential. */
enum policy_op {
	POLICY_OP_FETCH = 0,  /* hand a credential to the host */
	POLICY_OP_REFRESH,    /* hand out a freshly obtained credential */
	POLICY_OP_CACHE_READ, /* accept a cached credential for use */
	POLICY_OP_VALIDATE,   /* the host asks whether it is still good */
	POLICY_OP_MINT,	      /* about to mint: rec describes the request */
	POLICY_OP_REVOKE,     /* revocation: always allowed, audited */
	POLICY_OP_COUNT
};

/* Machine-readable reasons; reason_code() gives the stable string. New
 * values are appended only. */
enum policy_reason {
	POLICY_R_OK = 0,
	POLICY_R_NO_POLICY,	  /* allowed: no policy configured */
	POLICY_R_NONE_VALID,	  /* policy configured, none valid */
	POLICY_R_EXPIRED,	  /* the token is past its expiry */
	POLICY_R_NO_EXPIRY,	  /* require_expiry and it never expires */
	POLICY_R_LIFETIME,	  /* longer than max_lifetime */
	POLICY_R_MIN_VALIDITY,	  /* expires too soon for a hand-out */
	POLICY_R_WORKSPACE,	  /* workspace not allowed */
	POLICY_R_TOKEN_DENIED,	  /* token id on the deny list */
	POLICY_R_REVOKED_EPOCH,	  /* issued before the revocation epoch */
	POLICY_R_ISSUED_UNKNOWN,  /* epoch set, issue time unknown */
	POLICY_R_CACHE_AGE,	  /* cached longer than max_cache_age */
	POLICY_R_GRACE_EXHAUSTED, /* outage longer than grace_budget */
	POLICY_R_SOURCE,	  /* source not allowed */
	POLICY_R_COUNT
};

/* Stable code, e.g. "min_validity". Never NULL. */
const char *policy_reason_code(enum policy_reason reason);
/* "fetch", "refresh", ...; never NULL. */
const char *policy_op_name(enum policy_op op);

struct policy_decision {
	int allowed;
	enum policy_reason reason;
	char reason_code[32];
	/* e.g. "token expires in 4m, policy wants at least 30m" */
	char sentence[256];
};

/* A list of short strings (workspaces, sources, token ids, labels). */
struct policy_list {
	char **items;
	size_t n;
};

/* Rule bits for struct policy_rules.set. */
#define POLICY_RULE_REQUIRE_EXPIRY 0x001u
#define POLICY_RULE_MAX_LIFETIME 0x002u
#define POLICY_RULE_MIN_VALIDITY 0x004u
#define POLICY_RULE_REFRESH_ADVISORY 0x008u
#define POLICY_RULE_REFRESH_MANDATORY 0x010u
#define POLICY_RULE_REFRESH_JITTER 0x020u
#define POLICY_RULE_MAX_CACHE_AGE 0x040u
#define POLICY_RULE_GRACE_BUDGET 0x080u
#define POLICY_RULE_WORKSPACES 0x100u
#define POLICY_RULE_SOURCES 0x200u

/* A set of rules; only those whose bit is in .set say anything. Durations
 * are seconds. Lists are borrowed from the struct policy they came from. */
struct policy_rules {
	unsigned set;
	int require_expiry;
	int64_t max_lifetime;
	int64_t min_validity;
	int64_t refresh_advisory;  /* refresh when this close to expiry */
	int64_t refresh_mandatory; /* must refresh when this close */
	int64_t refresh_jitter;	   /* spread refreshes by up to this */
	int64_t max_cache_age;
	int64_t grace_budget;
	struct policy_list workspaces; /* allowed; intersected on merge */
	struct policy_list sources;    /* allowed; intersected on merge */
};

struct policy_override {
	char *label;
	struct policy_rules rules;
};

struct policy {
	int schema_version;
	uint64_t serial;
	int64_t issued_at;	  /* 0: not stated */
	int64_t max_age;	  /* how long a host may keep using it */
	int64_t revocation_epoch; /* 0: none */
	char *comment;		  /* or NULL */
	struct policy_list optional;
	struct policy_list denied_token_ids;
	struct policy_rules rules;
	struct policy_override *overrides;
	size_t n_overrides;
};

/* ---- parsing (policy_parse.c) ---- */

/* Parse doc (len bytes, need not be NUL-terminated) strictly. name is the
 * file or URL for messages. On success *out is the caller's, to free with
 * policy_free(). Errors name the JSON path ("rules.max_lifetime") or the
 * line and column of a syntax error. */
askcred_status policy_parse(const char *doc, size_t len, const char *name,
			    struct policy **out, struct askcred_error *err);
void policy_free(struct policy *p);

/* The bytes are JSON by RFC 8259 and nothing looser: no single quotes, no
 * NaN or Infinity, valid UTF-8 without surrogates or overlong forms, no
 * raw control characters in strings, no key twice in one object. Errors
 * name the JSON path, line and column. policy_parse() calls it. */
askcred_status policy_json_strict(const char *doc, size_t len, const char *name,
				  struct askcred_error *err);

/* Durations and times as the document writes them, for reuse by the
 * command: "90s", "30m", "12h", "7d" or an integer of seconds; times as
 * RFC 3339 UTC ("2026-11-01T00:00:00Z") or integer Unix seconds. Format a
 * duration back compactly ("1h30m"). */
int policy_parse_duration(const char *s, int64_t *out);
int policy_parse_time(const char *s, int64_t *out);
void policy_format_duration(int64_t secs, char *buf, size_t size);
void policy_format_time(int64_t t, char *buf, size_t size);

/* ---- rules (policy_rules.c) ---- */

/*
 * The rules in force for a host with these labels (comma-separated, may be
 * NULL). Merge: the strictest value wins, per rule, across the defaults and
 * every override whose label the host carries; lists are intersected. So an
 * override can only tighten. *out borrows list storage from *scratch, which
 * the caller frees with policy_rules_scratch_free().
 */
struct policy_rules_scratch {
	struct policy_list workspaces, sources;
};
askcred_status policy_effective_rules(const struct policy *p,
				      const char *labels,
				      struct policy_rules *out,
				      struct policy_rules_scratch *scratch,
				      struct askcred_error *err);
void policy_rules_scratch_free(struct policy_rules_scratch *s);

/* Convenience accessors over policy_effective_rules(), in seconds; -1 when
 * the policy does not set the rule (the caller keeps its own default). p
 * may be NULL (no policy: all -1). Thread-safe. Should memory run out they
 * answer 0, the strictest value. */
struct policy_windows {
	int64_t advisory;  /* refresh when this close to expiry */
	int64_t mandatory; /* must refresh when this close */
	int64_t jitter;	   /* spread refreshes randomly by up to this */
};
void policy_refresh_windows(const struct policy *p, const char *labels,
			    struct policy_windows *out);
int64_t policy_grace_budget(const struct policy *p, const char *labels);
int64_t policy_max_lifetime(const struct policy *p, const char *labels);
int64_t policy_min_validity(const struct policy *p, const char *labels);

/* ---- evaluation (policy_eval.c) ---- */

struct policy_context {
	enum policy_op op;
	const char *labels;    /* the host's runner labels, or NULL */
	int64_t now;	       /* Unix seconds */
	const char *source;    /* used when rec is NULL (before a fetch) */
	const char *workspace; /* used when rec is NULL */
	int is_cached;	       /* rec comes from the cache */
	int64_t cached_at;     /* when it was stored; 0: unknown */
	int64_t outage_since;  /* the source has failed since; 0: no outage */
};

/*
 * Judge rec (may be NULL: then only source and workspace from ctx are
 * checked, so a caller can refuse before asking a source). p NULL means no
 * policy configured: allowed with POLICY_R_NO_POLICY. Returns ASKCRED_OK
 * with *out filled whether allowed or not; another status only for an
 * internal failure (out of memory). Thread-safe for a shared p.
 */
askcred_status policy_check(const struct policy *p,
			    const struct policy_context *ctx,
			    const struct token_view *rec,
			    struct policy_decision *out,
			    struct askcred_error *err);

/* Fill out as a denial with reason and a printf sentence. */
void policy_decide(struct policy_decision *out, enum policy_reason reason,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- signatures and rollback (policy_verify.c) ---- */

struct policy_keys; /* Ed25519 public keys, loaded from PEM files */

/* Load each PEM public key (safe_open_read: no symlink, not writable by
 * others). Refuses a key that is not Ed25519. *out is the caller's. */
askcred_status policy_keys_load(const char *const *paths, size_t n,
				struct policy_keys **out,
				struct askcred_error *err);
void policy_keys_free(struct policy_keys *k);
size_t policy_keys_count(const struct policy_keys *k);

/* Verify a detached signature (64 raw bytes, or their base64) over exactly
 * doc[0..len). Succeeds if any key verifies it. ASKCRED_DENIED when the
 * signature is missing (sig NULL or siglen 0), malformed or wrong. */
askcred_status policy_verify(const struct policy_keys *k, const char *doc,
			     size_t len, const unsigned char *sig,
			     size_t siglen, const char *name,
			     struct askcred_error *err);

/*
 * Rollback guard: state_dir/policy.serial records the highest serial
 * accepted and the SHA-256 of that document. Refuses (ASKCRED_DENIED) a
 * lower serial, or the same serial with different bytes; otherwise records
 * serial. Serialised between processes with a lock file.
 */
askcred_status policy_serial_accept(const char *state_dir, uint64_t serial,
				    const char *doc, size_t len,
				    struct askcred_error *err);
/* The same, for a caller that holds policy_lock() on state_dir already
 * (to write the document it accepts under the same lock). */
askcred_status policy_serial_accept_locked(const char *state_dir,
					   uint64_t serial, const char *doc,
					   size_t len,
					   struct askcred_error *err);
/* The highest serial accepted so far (0: none). */
askcred_status policy_serial_last(const char *state_dir, uint64_t *serial,
				  struct askcred_error *err);

#endif
