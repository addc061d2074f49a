#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cred.h"
#include "credcheck.h"
#include "error.h"

/* Tells our objects from anything else a confused host hands back. */
#define CRED_MAGIC 0x61736b63u /* "askc" */

int cred_pool_init(struct cred_pool *pool)
{
	pool->head = NULL;
	return pthread_mutex_init(&pool->lock, NULL) == 0 ? 0 : -1;
}

static void destroy(struct cred *c)
{
	size_t len = c->map_len;

	OPENSSL_cleanse(c, len);
	munmap(c, len);
}

size_t cred_pool_destroy(struct cred_pool *pool)
{
	size_t n = 0;

	while (pool->head != NULL) {
		struct cred *c = pool->head;

		pool->head = c->next;
		destroy(c);
		n++;
	}
	pthread_mutex_destroy(&pool->lock);
	return n;
}

static void pool_link(struct cred_pool *pool, struct cred *c)
{
	pthread_mutex_lock(&pool->lock);
	c->prev = NULL;
	c->next = pool->head;
	if (pool->head != NULL)
		pool->head->prev = c;
	pool->head = c;
	pthread_mutex_unlock(&pool->lock);
}

static void pool_unlink(struct cred_pool *pool, struct cred *c)
{
	pthread_mutex_lock(&pool->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		pool->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&pool->lock);
}

/* A zeroed, page-rounded mapping kept out of core dumps. */
static struct cred *map_cred(size_t token_len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len =
		(sizeof(struct cred) + token_len + 1 + page - 1) / page * page;
	struct cred *c;

	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (c == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	/* Best effort: a kernel without it still gets a working credential. */
	(void)madvise(c, len, MADV_DONTDUMP);
#endif
	c->map_len = len;
	return c;
}

/* A new object holding a copy of meta (its token included). */
static askcred_status build(struct cred_pool *pool,
			    const struct askcred_credential *meta,
			    struct cred **out, struct askcred_error *err)
{
	struct cred *c;

	if (meta->token == NULL || meta->token_len == 0 ||
	    meta->token_len > TOKEN_MAX_LEN)
		return err_set(err, ASKCRED_INTERNAL, "credential",
			       "credential without a usable token");
	c = map_cred(meta->token_len);
	if (c == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	c->pub = *meta;
	c->pub.struct_size = sizeof(c->pub);
	c->pub.workspace_id[ASKCRED_UUID_LEN] = '\0';
	c->pub.token_id[ASKCRED_UUID_LEN] = '\0';
	c->pub.source[ASKCRED_SOURCE_MAX - 1] = '\0';
	c->pub.host_private = NULL;
	memcpy(c->token, meta->token, meta->token_len);
	c->token[meta->token_len] = '\0';
	c->pub.token = c->token;
	c->magic = CRED_MAGIC;
	atomic_init(&c->refs, 1);
	c->pool = pool;
	pool_link(pool, c);
	*out = c;
	return ASKCRED_OK;
}

askcred_status cred_new(struct cred_pool *pool, const struct token_record *rec,
			uint32_t flags, struct cred **out,
			struct askcred_error *err)
{
	struct askcred_credential meta;

	memset(&meta, 0, sizeof(meta));
	memcpy(meta.workspace_id, rec->workspace_id, sizeof(meta.workspace_id));
	memcpy(meta.token_id, rec->token_id, sizeof(meta.token_id));
	memcpy(meta.source, rec->source, sizeof(meta.source));
	meta.flags = flags;
	meta.token = rec->token.buf;
	meta.token_len = rec->token.len;
	meta.issued_at = rec->issued_at;
	meta.expires_at = rec->expires_at;
	meta.policy_serial = rec->policy_serial;
	return build(pool, &meta, out, err);
}

askcred_status cred_clone(const struct cred *c, uint32_t flags,
			  struct cred **out, struct askcred_error *err)
{
	struct askcred_credential meta = c->pub;

	meta.flags = flags;
	return build(c->pool, &meta, out, err);
}

void cred_unref(struct cred *c)
{
	if (c == NULL)
		return;
	/* acq_rel: every use of the object by other threads happens before
	 * the wipe below. */
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	pool_unlink(c->pool, c);
	destroy(c);
}

struct cred *cred_of(struct cred_pool *pool,
		     const struct askcred_credential *pub)
{
	struct cred *c;

	if (pub == NULL)
		return NULL;
	/* pub is the first member, so the cast is the container. */
	c = (struct cred *)(uintptr_t)pub;
	if (c->magic != CRED_MAGIC || c->pool != pool)
		return NULL;
	return c;
}
