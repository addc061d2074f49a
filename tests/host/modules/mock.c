/* A configurable provider for host tests. Arguments:
 *   name=N          names the instance in traces and credentials (source)
 *   result=S        the status of every operation (default ok)
 *   fetch=S validate=S refresh=S revoke=S invalidate=S status=S gc=S
 *   tokens=S
 *                   the status of one operation, overriding result=
 *   token=T         the token handed out (default: the name)
 *   trace=PATH      append one line per call: "<name> <op>[ <extra>]",
 *                   extra being the result of fetch/refresh or the source
 *                   of the credential given (default: $MOCK_TRACE;
 *                   an empty trace= turns tracing off)
 * S is a status word as in bracket controls (ok, not_found, ...). Unknown
 * arguments are refused, as a real provider must. */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <askcred/provider.h>

#include "secret.h"

enum mock_op {
	M_FETCH,
	M_VALIDATE,
	M_REFRESH,
	M_REVOKE,
	M_INVALIDATE,
	M_STATUS,
	M_GC,
	M_TOKENS,
	M_COUNT
};

static const char *const op_words[M_COUNT] = {
	"fetch",      "validate", "refresh", "revoke",
	"invalidate", "status",	  "gc",	     "tokens",
};

static const char *const status_words[ASKCRED_STATUS_COUNT] = {
	"ok",	       "ignore",    "not_found",    "denied",
	"invalid",     "expired",   "unavailable",  "config_error",
	"cache_error", "no_memory", "abi_mismatch", "internal",
};

struct mock {
	char name[ASKCRED_SOURCE_MAX];
	char *token;
	char *trace;
	askcred_status result[M_COUNT];
};

/* One line per call, "<name> <op>[ <extra>]"; tests read the file to see
 * which lines ran and what was released where. */
static void trace(const struct mock *m, const char *op, const char *extra)
{
	char line[128];
	int fd, n;

	if (m->trace == NULL || m->trace[0] == '\0')
		return;
	n = snprintf(line, sizeof(line), "%s %s%s%s\n", m->name, op,
		     extra ? " " : "", extra ? extra : "");
	fd = open(m->trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		(void)0; /* a short trace shows up as a failed check */
	close(fd);
}

static int parse_status(const char *s, askcred_status *out)
{
	for (int i = 0; i < ASKCRED_STATUS_COUNT; i++)
		if (strcmp(s, status_words[i]) == 0) {
			*out = (askcred_status)i;
			return 0;
		}
	return -1;
}

static askcred_status refuse(struct askcred_error *err, const char *arg,
			     const char *why)
{
	err->code = ASKCRED_CONFIG_ERROR;
	snprintf(err->where, sizeof(err->where), "%s", arg);
	snprintf(err->message, sizeof(err->message), "%s", why);
	return ASKCRED_CONFIG_ERROR;
}

static askcred_status parse_arg(struct mock *m, const char *arg,
				struct askcred_error *err)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	const char *v = eq ? eq + 1 : "";
	askcred_status st;

	if (eq == NULL)
		return refuse(err, arg, "mock: expected key=value");
	if (klen == 4 && strncmp(arg, "name", 4) == 0) {
		snprintf(m->name, sizeof(m->name), "%s", v);
		return ASKCRED_OK;
	}
	if (klen == 5 && strncmp(arg, "token", 5) == 0) {
		free(m->token);
		return (m->token = strdup(v)) ? ASKCRED_OK : ASKCRED_NO_MEMORY;
	}
	if (klen == 5 && strncmp(arg, "trace", 5) == 0) {
		free(m->trace);
		return (m->trace = strdup(v)) ? ASKCRED_OK : ASKCRED_NO_MEMORY;
	}
	if (klen == 6 && strncmp(arg, "result", 6) == 0) {
		if (parse_status(v, &st) != 0)
			return refuse(err, arg, "mock: unknown status");
		for (int i = 0; i < M_COUNT; i++)
			m->result[i] = st;
		return ASKCRED_OK;
	}
	for (int i = 0; i < M_COUNT; i++)
		if (strlen(op_words[i]) == klen &&
		    strncmp(arg, op_words[i], klen) == 0) {
			if (parse_status(v, &st) != 0)
				return refuse(err, arg, "mock: unknown status");
			m->result[i] = st;
			return ASKCRED_OK;
		}
	return refuse(err, arg, "mock: unknown argument");
}

static void mock_close(void *handle)
{
	struct mock *m = handle;

	if (m == NULL)
		return;
	trace(m, "close", NULL);
	free(m->token);
	free(m->trace);
	free(m);
}

static askcred_status mock_open(const struct askcred_host *host, int argc,
				const char *const *argv, void **handle,
				struct askcred_error *err)
{
	struct mock *m = calloc(1, sizeof(*m));
	char msg[256];

	if (m == NULL)
		return ASKCRED_NO_MEMORY;
	snprintf(m->name, sizeof(m->name), "mock");
	/* Tables of stack lines stay short when the trace file comes from
	 * the environment; trace= overrides it. */
	if (getenv("MOCK_TRACE") != NULL &&
	    (m->trace = strdup(getenv("MOCK_TRACE"))) == NULL) {
		free(m);
		return ASKCRED_NO_MEMORY;
	}
	for (int i = 0; i < argc; i++) {
		askcred_status rc = parse_arg(m, argv[i], err);

		if (rc != ASKCRED_OK) {
			mock_close(m);
			return rc;
		}
	}
	trace(m, "open", NULL);
	if (host->log != NULL) {
		snprintf(msg, sizeof(msg),
			 "opened %s for stack %s by %s, "
			 "labels %s\nforged line",
			 m->name, host->stack_name, host->host_name,
			 host->labels ? host->labels : "-");
		host->log(host->log_ctx, ASKCRED_LOG_INFO, msg);
		host->log(host->log_ctx, ASKCRED_LOG_DEBUG, "debug detail");
	}
	*handle = m;
	return ASKCRED_OK;
}

static askcred_status answer(const struct mock *m, enum mock_op op,
			     struct askcred_error *err)
{
	if (m->result[op] != ASKCRED_OK && m->result[op] != ASKCRED_IGNORE)
		snprintf(err->message, sizeof(err->message), "%s says %s",
			 m->name, status_words[m->result[op]]);
	return m->result[op];
}

static askcred_status make(struct mock *m, enum mock_op op,
			   struct askcred_credential **out,
			   struct askcred_error *err)
{
	const char *tok = m->token ? m->token : m->name;
	struct askcred_credential *c;
	char *t;

	trace(m, op_words[op], status_words[m->result[op]]);
	if (m->result[op] != ASKCRED_OK)
		return answer(m, op, err);
	c = calloc(1, sizeof(*c));
	t = strdup(tok);
	if (c == NULL || t == NULL) {
		free(c);
		free(t);
		return ASKCRED_NO_MEMORY;
	}
	c->struct_size = sizeof(*c);
	snprintf(c->workspace_id, sizeof(c->workspace_id), "%s",
		 "0b6d9f8e-1c2a-4f3b-9d4e-5a6b7c8d9e0f");
	snprintf(c->source, sizeof(c->source), "%s", m->name);
	c->token = t;
	c->token_len = strlen(t);
	*out = c;
	return ASKCRED_OK;
}

static askcred_status mock_fetch(void *h, const struct askcred_request *req,
				 struct askcred_credential **out,
				 struct askcred_error *err)
{
	return make(h, M_FETCH, out, err);
}

static askcred_status mock_refresh(void *h, const struct askcred_request *req,
				   struct askcred_credential **out,
				   struct askcred_error *err)
{
	return make(h, M_REFRESH, out, err);
}

/* The checks: trace the credential's source and answer as configured,
 * with a message so the host's error propagation can be seen. */
static askcred_status check(struct mock *m, enum mock_op op,
			    const struct askcred_credential *cred,
			    struct askcred_error *err)
{
	trace(m, op_words[op], cred ? cred->source : NULL);
	return answer(m, op, err);
}

static askcred_status mock_validate(void *h,
				    const struct askcred_credential *cred,
				    struct askcred_error *err)
{
	return check(h, M_VALIDATE, cred, err);
}

static askcred_status mock_revoke(void *h,
				  const struct askcred_credential *cred,
				  struct askcred_error *err)
{
	return check(h, M_REVOKE, cred, err);
}

static askcred_status mock_invalidate(void *h,
				      const struct askcred_credential *cred,
				      const char *reason,
				      struct askcred_error *err)
{
	return check(h, M_INVALIDATE, cred, err);
}

static void mock_release(void *h, struct askcred_credential *cred)
{
	if (cred == NULL)
		return;
	trace(h, "release", cred->source);
	free_wiped((void *)cred->token, cred->token_len + 1);
	free(cred);
}

static askcred_status mock_status(void *h, askcred_entry_cb cb, void *cb_ctx,
				  struct askcred_error *err)
{
	struct mock *m = h;
	struct askcred_entry_info e = {.struct_size = sizeof(e)};

	trace(m, "status", NULL);
	if (m->result[M_STATUS] != ASKCRED_OK)
		return answer(m, M_STATUS, err);
	e.name = m->name;
	e.source = m->name;
	cb(cb_ctx, &e);
	return ASKCRED_OK;
}

/* Sweeps one item, named after the instance, so a test sees which
 * instances were asked. */
static askcred_status mock_gc(void *h, askcred_entry_cb cb, void *cb_ctx,
			      struct askcred_error *err)
{
	struct mock *m = h;
	struct askcred_entry_info e = {.struct_size = sizeof(e)};

	trace(m, "gc", NULL);
	if (m->result[M_GC] != ASKCRED_OK)
		return answer(m, M_GC, err);
	e.name = m->name;
	e.source = m->name;
	e.note = "expired, deleted";
	cb(cb_ctx, &e);
	return ASKCRED_OK;
}

/* Reports one token, named after the instance, and the action asked. */
static askcred_status mock_tokens(void *h,
				  const struct askcred_tokens_query *query,
				  askcred_token_cb cb, void *cb_ctx,
				  struct askcred_error *err)
{
	struct mock *m = h;
	struct askcred_token_info t = {.struct_size = sizeof(t)};
	char action[16];

	snprintf(action, sizeof(action), "%u", (unsigned)query->action);
	trace(m, "tokens", action);
	if (m->result[M_TOKENS] != ASKCRED_OK)
		return answer(m, M_TOKENS, err);
	t.name = m->name;
	t.token_id = m->name;
	t.flags = ASKCRED_TOKEN_FOREIGN;
	cb(cb_ctx, &t);
	return ASKCRED_OK;
}

/* mock_1_0.c builds this file as a provider of ABI 1.0: its table ends
 * before gc, though the member is filled in, so a host that reads past
 * struct_size would call it and the trace would show. */
#ifdef MOCK_ABI_1_0
#define MOCK_SIZE offsetof(struct askcred_provider, gc)
#define MOCK_ABI ((ASKCRED_ABI_MAJOR << 16) | 0u)
#else
#define MOCK_SIZE sizeof(struct askcred_provider)
#define MOCK_ABI ASKCRED_ABI_VERSION
#endif

static const struct askcred_provider mock_provider = {
	.struct_size = MOCK_SIZE,
	.abi_version = MOCK_ABI,
	.name = "mock",
	.version = "1",
	.open = mock_open,
	.close = mock_close,
	.fetch = mock_fetch,
	.validate = mock_validate,
	.refresh = mock_refresh,
	.invalidate = mock_invalidate,
	.revoke = mock_revoke,
	.release = mock_release,
	.status = mock_status,
	.gc = mock_gc,
	.tokens = mock_tokens,
};

ASKCRED_PROVIDER_EXPORT const struct askcred_provider *
askcred_provider_entry(uint32_t host_abi_version);

const struct askcred_provider *askcred_provider_entry(uint32_t host_abi_version)
{
	if (ASKCRED_ABI_MAJOR_OF(host_abi_version) != ASKCRED_ABI_MAJOR)
		return NULL;
	return &mock_provider;
}
