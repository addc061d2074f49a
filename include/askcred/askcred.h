/*
 * libaskcred: the host side. A runner opens a stack (a PAM-like file listing
 * provider modules per operation) and asks it for credentials. It never
 * talks to a provider module directly.
 *
 * Ownership: every pointer passed in is borrowed for the call. A credential
 * returned by askcred_fetch()/askcred_refresh() must be given back with
 * askcred_release() on the same stack, which routes it to the module that
 * made it and wipes the token. Error structs are the caller's.
 *
 * Threads: a stack may be used from several threads at once for fetch,
 * validate, refresh, invalidate, revoke, release and status; open and close
 * must not race with anything else on that stack.
 */
#ifndef ASKCRED_ASKCRED_H
#define ASKCRED_ASKCRED_H

#include <askcred/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ASKCRED_API __attribute__((visibility("default")))
#else
#define ASKCRED_API
#endif

typedef struct askcred_stack askcred_stack;

/* Where stacks and modules are found, and how the host logs. Every field
 * may be zero/NULL for the built-in default. Borrowed during
 * askcred_stack_open() only, except log/log_ctx, which must stay valid
 * until askcred_stack_close(). */
struct askcred_options {
	uint32_t struct_size;
	const char *stack_dir;	/* default: $(sysconfdir)/askcred/stacks */
	const char *module_dir; /* default: $(libdir)/askcred */
	const char *labels;	/* runner labels handed to providers */
	void (*log)(void *log_ctx, int level, const char *message);
	void *log_ctx;
	int log_level; /* drop messages above this level; 0: ASKCRED_LOG_NOTICE
			*/
};

/* Operations a stack line can name. */
enum askcred_op {
	ASKCRED_OP_FETCH = 0,
	ASKCRED_OP_VALIDATE,
	ASKCRED_OP_REFRESH,
	ASKCRED_OP_REVOKE,
	ASKCRED_OP_COUNT
};

/*
 * Open a stack by name (looked up in stack_dir) or by path (contains a '/').
 * Loads and opens every module it lists; any bad line, missing module or
 * refused argument fails the whole open with an error naming file and line.
 * On success *out is the caller's, to close with askcred_stack_close().
 */
ASKCRED_API askcred_status
askcred_stack_open(const char *name_or_path, const struct askcred_options *opts,
		   askcred_stack **out, struct askcred_error *err);
ASKCRED_API void askcred_stack_close(askcred_stack *stack);

/* Run the stack's "fetch" lines. req may be NULL for defaults. */
ASKCRED_API askcred_status askcred_fetch(askcred_stack *stack,
					 const struct askcred_request *req,
					 const struct askcred_credential **out,
					 struct askcred_error *err);
ASKCRED_API askcred_status
askcred_validate(askcred_stack *stack, const struct askcred_credential *cred,
		 struct askcred_error *err);
ASKCRED_API askcred_status askcred_refresh(
	askcred_stack *stack, const struct askcred_request *req,
	const struct askcred_credential **out, struct askcred_error *err);
/* Tell every module on the fetch lines that the credential was refused. */
ASKCRED_API askcred_status
askcred_invalidate(askcred_stack *stack, const struct askcred_credential *cred,
		   const char *reason, struct askcred_error *err);
ASKCRED_API askcred_status askcred_revoke(askcred_stack *stack,
					  const struct askcred_credential *cred,
					  struct askcred_error *err);
/* Give a credential back (wipes it). NULL is a no-op. */
ASKCRED_API void askcred_release(askcred_stack *stack,
				 const struct askcred_credential *cred);
/* Ask every distinct module in the stack to describe its entries. */
ASKCRED_API askcred_status askcred_status_list(askcred_stack *stack,
					       askcred_entry_cb cb,
					       void *cb_ctx,
					       struct askcred_error *err);

/* Ask every distinct module to collect garbage (provider ABI 1.1 gc):
 * tokens it minted that are expired or orphaned, pending revocations. Each
 * item is reported through cb. ASKCRED_IGNORE when no module collects. */
ASKCRED_API askcred_status askcred_gc(askcred_stack *stack, askcred_entry_cb cb,
				      void *cb_ctx, struct askcred_error *err);

/* Workspace-wide token control (provider ABI 1.2 tokens): the first
 * module of the stack, in file order, that manages a workspace (does not
 * answer IGNORE) lists, revokes or enforces (query->action) with one
 * callback per token; later modules are not asked, so a stack whose lines
 * differ only in other arguments handles its workspace once. query and
 * every token info are borrowed. ASKCRED_IGNORE when no module manages a
 * workspace; otherwise that module's status (a partial failure is a
 * failure). */
ASKCRED_API askcred_status
askcred_tokens(askcred_stack *stack, const struct askcred_tokens_query *query,
	       askcred_token_cb cb, void *cb_ctx, struct askcred_error *err);

/* Static, human name of a status ("ok", "denied", ...). Never NULL. */
ASKCRED_API const char *askcred_strstatus(askcred_status status);
/* The library's version string, static. */
ASKCRED_API const char *askcred_version(void);

#ifdef __cplusplus
}
#endif
#endif /* ASKCRED_ASKCRED_H */
