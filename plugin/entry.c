/* The module's one exported symbol and its operations table. The table is
 * static and const: the entry point allocates nothing and may be called any
 * number of times. Each operation hands over to the instance. */
#include "config.h"

#include <openssl/err.h>

#include <askcred/provider.h>

#include "instance.h"

/* OpenSSL keeps an error queue per thread, and the thread is the host's:
 * whatever our EVP calls left there (the reason is in our own error
 * already) must not surface in the host's next OpenSSL call. A look is
 * cheap; clearing walks every slot of the queue, so a warm fetch, which
 * calls no EVP function, only looks. */
static askcred_status done(askcred_status rc)
{
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	return rc;
}

static askcred_status op_open(const struct askcred_host *host, int argc,
			      const char *const *argv, void **handle,
			      struct askcred_error *err)
{
	struct instance *inst = NULL;
	askcred_status rc = instance_open(host, argc, argv, &inst, err);

	*handle = inst;
	return done(rc);
}

static void op_close(void *handle)
{
	instance_close(handle);
	/* Closing frees TLS state and may revoke: as in done(). */
	ERR_clear_error();
}

static askcred_status op_fetch(void *handle, const struct askcred_request *req,
			       struct askcred_credential **out,
			       struct askcred_error *err)
{
	return done(instance_fetch(handle, req, out, err));
}

static askcred_status op_validate(void *handle,
				  const struct askcred_credential *cred,
				  struct askcred_error *err)
{
	return done(instance_validate(handle, cred, err));
}

static askcred_status op_refresh(void *handle,
				 const struct askcred_request *req,
				 struct askcred_credential **out,
				 struct askcred_error *err)
{
	return done(instance_refresh(handle, req, out, err));
}

static askcred_status op_invalidate(void *handle,
				    const struct askcred_credential *cred,
				    const char *reason,
				    struct askcred_error *err)
{
	return done(instance_invalidate(handle, cred, reason, err));
}

static askcred_status op_revoke(void *handle,
				const struct askcred_credential *cred,
				struct askcred_error *err)
{
	return done(instance_revoke(handle, cred, err));
}

static void op_release(void *handle, struct askcred_credential *cred)
{
	instance_release(handle, cred);
}

static askcred_status op_status(void *handle, askcred_entry_cb cb, void *cb_ctx,
				struct askcred_error *err)
{
	return done(instance_status(handle, cb, cb_ctx, err));
}

static askcred_status op_gc(void *handle, askcred_entry_cb cb, void *cb_ctx,
			    struct askcred_error *err)
{
	return done(instance_gc(handle, cb, cb_ctx, err));
}

static askcred_status op_tokens(void *handle,
				const struct askcred_tokens_query *query,
				askcred_token_cb cb, void *cb_ctx,
				struct askcred_error *err)
{
	return done(instance_tokens(handle, query, cb, cb_ctx, err));
}

static const struct askcred_provider askui_provider = {
	.struct_size = sizeof(struct askcred_provider),
	.abi_version = ASKCRED_ABI_VERSION,
	.name = "askui",
	.version = PACKAGE_VERSION,
	.open = op_open,
	.close = op_close,
	.fetch = op_fetch,
	.validate = op_validate,
	.refresh = op_refresh,
	.invalidate = op_invalidate,
	.revoke = op_revoke,
	.release = op_release,
	.status = op_status,
	.gc = op_gc,
	.tokens = op_tokens,
};

/* Declared here, not in a header: hosts look it up with dlsym() by the
 * name in ASKCRED_PROVIDER_ENTRY_SYMBOL. */
ASKCRED_PROVIDER_EXPORT const struct askcred_provider *
askcred_provider_entry(uint32_t host_abi_version);

ASKCRED_PROVIDER_EXPORT const struct askcred_provider *
askcred_provider_entry(uint32_t host_abi_version)
{
	if (ASKCRED_ABI_MAJOR_OF(host_abi_version) != ASKCRED_ABI_MAJOR)
		return NULL;
	return &askui_provider;
}
