/*
 * askcred provider ABI, version 1 (minor 2).
 *
 * A provider is a shared object that exports exactly one symbol,
 * askcred_provider_entry(). The host dlopens it with RTLD_NOW|RTLD_LOCAL,
 * calls the entry with its own ABI version and gets back a table of
 * operations. Everything the provider needs from the host (logging) arrives
 * as callbacks at open(), so a host never needs -export-dynamic.
 *
 * Versioning (sudo / krb5 style):
 *   - ASKCRED_ABI_VERSION packs (major << 16) | minor.
 *   - A different major is incompatible: the host refuses the module, and the
 *     entry point of a provider returns NULL for a host major it does not
 *     speak.
 *   - Minors only append fields at the end of structs. Every struct that
 *     crosses the boundary starts with struct_size, so each side can tell
 *     which fields the other one has. Never read a field at or past
 *     struct_size; never write one past the size the other side declared.
 *
 * Ownership, in one place:
 *   - Everything passed *into* an operation is borrowed for the duration of
 *     that call. Copy what you keep.
 *   - A credential returned by fetch()/refresh() belongs to the provider that
 *     made it and is released only by that provider's release(), which wipes
 *     the token. The host never calls free() on provider memory.
 *   - struct askcred_error is supplied by the caller (host), filled by the
 *     provider, and holds text only: it never contains a secret.
 *   - Strings in struct askcred_provider (name, version) are static.
 *
 * Threads: every operation may be called concurrently from several threads
 * on the same handle, except open() and close(), which the host serialises
 * against everything else on that handle. Providers keep no global mutable
 * state except what is guarded and documented (see askcred-provider(3)).
 */
#ifndef ASKCRED_PROVIDER_H
#define ASKCRED_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASKCRED_ABI_MAJOR 1u
#define ASKCRED_ABI_MINOR 2u
#define ASKCRED_ABI_VERSION ((ASKCRED_ABI_MAJOR << 16) | ASKCRED_ABI_MINOR)
#define ASKCRED_ABI_MAJOR_OF(v) (((uint32_t)(v)) >> 16)
#define ASKCRED_ABI_MINOR_OF(v) (((uint32_t)(v)) & 0xffffu)

/* The one symbol a provider exports. */
#define ASKCRED_PROVIDER_ENTRY_SYMBOL "askcred_provider_entry"

/*
 * One closed set of results shared by every operation, the host library and
 * the command. Hosts combine them with PAM-like control flags. New values are
 * only ever appended; a host treats a value it does not know as
 * ASKCRED_INTERNAL.
 */
typedef enum askcred_status {
	ASKCRED_OK = 0,	       /* done; outputs are valid */
	ASKCRED_IGNORE = 1,    /* this module has nothing to say; next one */
	ASKCRED_NOT_FOUND = 2, /* no credential from this source */
	ASKCRED_DENIED = 3,    /* refused by token policy */
	ASKCRED_INVALID = 4,   /* credential malformed or rejected (401/403) */
	ASKCRED_EXPIRED = 5,   /* credential past its expiry */
	ASKCRED_UNAVAILABLE = 6,  /* transient failure; try again later */
	ASKCRED_CONFIG_ERROR = 7, /* bad module argument, file or permission */
	ASKCRED_CACHE_ERROR = 8,  /* the on-disk cache could not be used */
	ASKCRED_NO_MEMORY = 9,
	ASKCRED_ABI_MISMATCH = 10, /* host and module do not speak one ABI */
	ASKCRED_INTERNAL = 11	   /* a bug: report it */
} askcred_status;

#define ASKCRED_STATUS_COUNT 12

/*
 * Caller-supplied error report. The callee writes code, where and message;
 * both strings are always NUL-terminated (possibly empty) and never contain
 * a secret. "where" names what went wrong: "file:line", a field or argument
 * name, or "HTTP 503".
 */
#define ASKCRED_ERROR_WHERE_MAX 160
#define ASKCRED_ERROR_MESSAGE_MAX 320
struct askcred_error {
	uint32_t struct_size; /* set by the caller: sizeof(struct askcred_error)
			       */
	askcred_status code;
	char where[ASKCRED_ERROR_WHERE_MAX];
	char message[ASKCRED_ERROR_MESSAGE_MAX];
};
#define ASKCRED_ERROR_INIT                                                     \
	{                                                                      \
		sizeof(struct askcred_error), ASKCRED_OK, "", ""               \
	}

/* Log levels, the syslog order. */
enum askcred_log_level {
	ASKCRED_LOG_ERR = 3,
	ASKCRED_LOG_WARNING = 4,
	ASKCRED_LOG_NOTICE = 5,
	ASKCRED_LOG_INFO = 6,
	ASKCRED_LOG_DEBUG = 7
};

/*
 * What the host gives a provider at open(). Borrowed: valid from open()
 * until close() returns (the host keeps it alive that long).
 */
struct askcred_host {
	uint32_t struct_size;
	uint32_t abi_version; /* the host's ASKCRED_ABI_VERSION */
	/* Log one already formatted line (no trailing newline). May be called
	 * from any thread. Never pass a secret. May be NULL: then stay silent.
	 */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	const char *host_name;	/* for logs and audit, e.g. "askcred 0.1.0" */
	const char *stack_name; /* the stack this instance belongs to */
	const char *labels;	/* comma-separated runner labels, or NULL */

	/* ---- end of ABI 1.0 ---- */
};

/* Request flags. */
#define ASKCRED_REQ_NO_CACHE 0x1u      /* do not read the cache */
#define ASKCRED_REQ_FORCE_REFRESH 0x2u /* obtain a new token */
/* The credential is wanted only to revoke it: the one held now, never a
 * new one, and not judged by the policy (revocation is always possible;
 * the revocation itself is audited). A provider that does not know the
 * flag fetches as usual. */
#define ASKCRED_REQ_REVOKE 0x4u

/* What the host asks for. Borrowed for the call. */
struct askcred_request {
	uint32_t struct_size;
	uint32_t flags;		  /* ASKCRED_REQ_* */
	const char *workspace_id; /* NULL: the provider's configured one */
	const char *purpose; /* job label for audit / per-job tokens, or NULL */
	uint32_t min_validity; /* seconds the token must still be valid */
	uint32_t lifetime;     /* wanted lifetime of a new token, 0: default */

	/* ---- end of ABI 1.0 ---- */
};

/* Credential flags. */
#define ASKCRED_CRED_STALE 0x1u	     /* served from cache during an outage */
#define ASKCRED_CRED_FROM_CACHE 0x2u /* came from the cache, not the source */
#define ASKCRED_CRED_MINTED 0x4u     /* minted by askcred; revocable */

#define ASKCRED_UUID_LEN 36
#define ASKCRED_SOURCE_MAX 16

/*
 * A credential. Allocated by the provider, immutable once returned, released
 * with the provider's release(). token points to token_len bytes followed by
 * a NUL; it is wiped by release().
 */
struct askcred_credential {
	uint32_t struct_size;
	uint32_t flags; /* ASKCRED_CRED_* */
	char workspace_id[ASKCRED_UUID_LEN + 1];
	char token_id[ASKCRED_UUID_LEN + 1]; /* "" when not known */
	char source[ASKCRED_SOURCE_MAX];     /* "static", "mint", ... */
	const char *token;		     /* secret */
	size_t token_len;
	int64_t issued_at;	/* Unix seconds; 0: unknown */
	int64_t expires_at;	/* Unix seconds; 0: never */
	uint64_t policy_serial; /* 0: no policy */
	void *host_private; /* the host's; providers set NULL and never read it
			     */

	/* ---- end of ABI 1.0 ---- */
};

/*
 * One line of status(): what a provider knows about one cached or pending
 * credential. Never carries the token. Borrowed for the callback only.
 */
struct askcred_entry_info {
	uint32_t struct_size;
	uint32_t flags;	  /* ASKCRED_CRED_*, plus ASKCRED_ENTRY_* */
	const char *name; /* entry name, e.g. "default" or a purpose */
	const char *workspace_id;
	const char *token_id;
	const char *source;
	int64_t issued_at;
	int64_t expires_at;
	uint64_t policy_serial;
	const char *note; /* human remark ("revocation pending"), or NULL */

	/* ---- end of ABI 1.0 ---- */
};
#define ASKCRED_ENTRY_PENDING_REVOKE 0x100u
/* ABI 1.1: the entry describes the token policy in force, not a
 * credential: policy_serial is its serial, note a one-line summary. */
#define ASKCRED_ENTRY_POLICY 0x200u

typedef void (*askcred_entry_cb)(void *cb_ctx,
				 const struct askcred_entry_info *entry);

/*
 * ABI 1.2: workspace-wide token control (`askcred tokens`). The host asks
 * with a query, borrowed for the call; the provider answers with one
 * callback per token of the workspace it manages.
 */
enum askcred_tokens_action {
	ASKCRED_TOKENS_LIST = 0,   /* report every token; delete nothing */
	ASKCRED_TOKENS_REVOKE = 1, /* delete the tokens the selector picks */
	ASKCRED_TOKENS_ENFORCE = 2 /* delete the tokens the policy refuses */
};
/* Revoke selectors (query.select): exactly one. HOST, OLDER and ORPHANED
 * pick only tokens the provider minted; ID picks any token. */
#define ASKCRED_TOKENS_SEL_HOST 0x1u	 /* minted for query.host */
#define ASKCRED_TOKENS_SEL_OLDER 0x2u	 /* created > older_than s ago */
#define ASKCRED_TOKENS_SEL_ORPHANED 0x4u /* see askcred-provider(3) */
#define ASKCRED_TOKENS_SEL_ID 0x8u	 /* the token query.token_id */
/* Query flags. */
#define ASKCRED_TOKENS_DRY_RUN 0x1u /* report what would go; delete nothing */

struct askcred_tokens_query {
	uint32_t struct_size;
	uint32_t action;      /* enum askcred_tokens_action */
	uint32_t flags;	      /* ASKCRED_TOKENS_* flags */
	uint32_t select;      /* revoke: one ASKCRED_TOKENS_SEL_* */
	const char *host;     /* SEL_HOST, else NULL */
	const char *token_id; /* SEL_ID (a UUID), else NULL */
	int64_t older_than;   /* SEL_OLDER: seconds */

	/* ---- end of ABI 1.2 ---- */
};

/* What a provider knows of a token (askcred_token_info.flags). */
#define ASKCRED_TOKEN_FOREIGN 0x1u	 /* not minted by askcred */
#define ASKCRED_TOKEN_NEVER_EXPIRES 0x2u /* no expiry (expiresAt null) */
#define ASKCRED_TOKEN_PARENT 0x4u	 /* the provider's parent credential */
#define ASKCRED_TOKEN_JOB 0x8u		 /* minted for one job */
#define ASKCRED_TOKEN_EXPIRED 0x10u	 /* past its expiry, not yet deleted */
/* What revoke/enforce did with it. */
#define ASKCRED_TOKEN_SELECTED 0x100u /* picked by the selector/policy */
#define ASKCRED_TOKEN_DELETED 0x200u  /* deleted now, or already gone (404) */
#define ASKCRED_TOKEN_REFUSED 0x400u  /* picked, kept on purpose (parent) */
#define ASKCRED_TOKEN_FAILED 0x800u   /* picked; the delete failed */

/*
 * One token of the workspace. Never carries a token string (AskUI's list
 * has none). Every pointer is borrowed for the callback only; strings may
 * hold anything the server sent (a host sanitises before printing). The
 * decoded fields are NULL for a token askcred did not mint.
 */
struct askcred_token_info {
	uint32_t struct_size;
	uint32_t flags; /* ASKCRED_TOKEN_* */
	const char *workspace_id;
	const char *token_id;
	/* As AskUI holds it: UTF-8 that may hold control characters (a name
	 * typed in AskUI Hub); a host neutralises them before printing it,
	 * and host, entry, purpose and note, which may quote it. */
	const char *name;
	int64_t created_at;
	int64_t expires_at;  /* Unix seconds; 0: never */
	const char *host;    /* decoded from askcred's name, or NULL */
	const char *entry;   /* the cache entry it was minted for, or NULL */
	const char *job;     /* "pid.start[.pidns]" of a job token, or NULL */
	const char *purpose; /* a job token's purpose label, or NULL */
	/* For a SELECTED token: ASKCRED_OK deleted, ASKCRED_DENIED refused,
	 * another status: the delete failed. ASKCRED_OK otherwise. */
	askcred_status result;
	const char *note; /* why picked, the policy's verdict, the failure */

	/* ---- end of ABI 1.2 ---- */
};

typedef void (*askcred_token_cb)(void *cb_ctx,
				 const struct askcred_token_info *token);

/*
 * The operations table. Static in the provider; returned by the entry point.
 * Every operation except open/close/release may be NULL, in which case the
 * host treats it as returning ASKCRED_IGNORE.
 */
struct askcred_provider {
	uint32_t struct_size;
	uint32_t abi_version; /* the ASKCRED_ABI_VERSION the provider was built
				 for */
	const char *name;     /* static, e.g. "askui" */
	const char *version;  /* static, e.g. "0.1.0" */

	/* Parse argv ("key=value" words from the stack line) once, set up one
	 * instance and return it in *handle. argv is borrowed. A provider must
	 * refuse an argument it does not know (ASKCRED_CONFIG_ERROR naming it).
	 */
	askcred_status (*open)(const struct askcred_host *host, int argc,
			       const char *const *argv, void **handle,
			       struct askcred_error *err);
	/* Free the instance. Credentials not yet released are the host's bug;
	 * the provider still wipes them. */
	void (*close)(void *handle);

	/* Hand out a credential valid for at least req->min_validity seconds.
	 */
	askcred_status (*fetch)(void *handle, const struct askcred_request *req,
				struct askcred_credential **out,
				struct askcred_error *err);
	/* Is this credential still good (online where the source allows)? */
	askcred_status (*validate)(void *handle,
				   const struct askcred_credential *cred,
				   struct askcred_error *err);
	/* Obtain a new credential now, replacing the cached one. */
	askcred_status (*refresh)(void *handle,
				  const struct askcred_request *req,
				  struct askcred_credential **out,
				  struct askcred_error *err);
	/* The host saw this credential refused (e.g. HTTP 401): forget it.
	 * reason is text for the log, never a secret; may be NULL. */
	askcred_status (*invalidate)(void *handle,
				     const struct askcred_credential *cred,
				     const char *reason,
				     struct askcred_error *err);
	/* Delete the credential at its issuer, where the source can. */
	askcred_status (*revoke)(void *handle,
				 const struct askcred_credential *cred,
				 struct askcred_error *err);
	/* Wipe and free a credential this provider returned. NULL is a no-op.
	 */
	void (*release)(void *handle, struct askcred_credential *cred);
	/* Describe cached/pending entries, one callback each. */
	askcred_status (*status)(void *handle, askcred_entry_cb cb,
				 void *cb_ctx, struct askcred_error *err);

	/* ---- end of ABI 1.0 ---- */

	/* ABI 1.1. Clean up after hosts and jobs that died: retry pending
	 * revocations, delete tokens this provider minted that are expired
	 * or whose job is gone. Report each token deleted (and each pending
	 * revocation left) through cb, with entry->note saying why.
	 * ASKCRED_IGNORE when the provider has nothing to collect. A host
	 * calls it only when struct_size covers the member. */
	askcred_status (*gc)(void *handle, askcred_entry_cb cb, void *cb_ctx,
			     struct askcred_error *err);

	/* ---- end of ABI 1.1 ---- */

	/* ABI 1.2. List the workspace's tokens, or delete those the query's
	 * selector (revoke) or the policy (enforce) picks, one callback per
	 * token (list: every token; revoke/enforce: each token picked, and
	 * the parent credential, which enforce never deletes). The query and
	 * the callback's info are borrowed. ASKCRED_OK when every picked
	 * token is gone; on a partial failure the first failure's status
	 * (err says how many failed), after reporting every token.
	 * ASKCRED_IGNORE when the provider manages no workspace. A host
	 * calls it only when struct_size covers the member. */
	askcred_status (*tokens)(void *handle,
				 const struct askcred_tokens_query *query,
				 askcred_token_cb cb, void *cb_ctx,
				 struct askcred_error *err);

	/* ---- end of ABI 1.2 ---- */
};

/*
 * The entry point. Returns the operations table, or NULL when the provider
 * cannot serve a host of this ABI major. Allocates nothing; may be called
 * more than once.
 */
typedef const struct askcred_provider *(*askcred_provider_entry_fn)(
	uint32_t host_abi_version);

/* Mark the entry visible even under -fvisibility=hidden. */
#if defined(__GNUC__)
#define ASKCRED_PROVIDER_EXPORT __attribute__((visibility("default")))
#else
#define ASKCRED_PROVIDER_EXPORT
#endif

#ifdef __cplusplus
}
#endif
#endif /* ASKCRED_PROVIDER_H */
