#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "error.h"

/* A struct from an older caller may be smaller: write only what fits. */
static int err_has(const struct askcred_error *err, size_t end)
{
	return err != NULL && err->struct_size >= end;
}

void err_clear(struct askcred_error *err)
{
	if (!err_has(err, sizeof(*err)))
		return;
	err->code = ASKCRED_OK;
	err->where[0] = '\0';
	err->message[0] = '\0';
}

static askcred_status err_vset(struct askcred_error *err, askcred_status code,
			       const char *where, const char *fmt, va_list ap)
{
	if (!err_has(err, sizeof(*err)))
		return code;
	err->code = code;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return code;
}

askcred_status err_set(struct askcred_error *err, askcred_status code,
		       const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = err_vset(err, code, where, fmt, ap);
	va_end(ap);
	return code;
}

askcred_status err_set_line(struct askcred_error *err, askcred_status code,
			    const char *file, unsigned line, const char *fmt,
			    ...)
{
	char where[ASKCRED_ERROR_WHERE_MAX];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%u", file, line);
	va_start(ap, fmt);
	code = err_vset(err, code, where, fmt, ap);
	va_end(ap);
	return code;
}

void err_prefix(struct askcred_error *err, const char *fmt, ...)
{
	char prefix[ASKCRED_ERROR_MESSAGE_MAX];
	char old[ASKCRED_ERROR_MESSAGE_MAX];
	va_list ap;

	if (!err_has(err, sizeof(*err)))
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
}

static const char *const names[ASKCRED_STATUS_COUNT] = {
	[ASKCRED_OK] = "ok",
	[ASKCRED_IGNORE] = "ignore",
	[ASKCRED_NOT_FOUND] = "not found",
	[ASKCRED_DENIED] = "denied by policy",
	[ASKCRED_INVALID] = "invalid credential",
	[ASKCRED_EXPIRED] = "expired",
	[ASKCRED_UNAVAILABLE] = "unavailable, try again later",
	[ASKCRED_CONFIG_ERROR] = "configuration error",
	[ASKCRED_CACHE_ERROR] = "cache error",
	[ASKCRED_NO_MEMORY] = "out of memory",
	[ASKCRED_ABI_MISMATCH] = "ABI mismatch",
	[ASKCRED_INTERNAL] = "internal error",
};

const char *status_name(askcred_status status)
{
	if ((unsigned)status >= ASKCRED_STATUS_COUNT)
		return "unknown status";
	return names[status];
}

askcred_status err_openssl(void)
{
	askcred_status rc = ASKCRED_INTERNAL;
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			rc = ASKCRED_NO_MEMORY;
	return rc;
}
