#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cred.h"
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
	secret_clear(&c->token);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
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

/* Fill everything but the token from rec-like fields. */
static struct cred *alloc_cred(struct cred_pool *pool,
			       const struct token_record *rec, uint32_t flags)
{
	struct cred *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->pub.struct_size = sizeof(c->pub);
	c->pub.flags = flags;
	memcpy(c->pub.workspace_id, rec->workspace_id,
	       sizeof(c->pub.workspace_id));
	memcpy(c->pub.token_id, rec->token_id, sizeof(c->pub.token_id));
	memcpy(c->pub.source, rec->source, sizeof(c->pub.source));
	c->pub.workspace_id[ASKCRED_UUID_LEN] = '\0';
	c->pub.token_id[ASKCRED_UUID_LEN] = '\0';
	c->pub.source[ASKCRED_SOURCE_MAX - 1] = '\0';
	c->pub.issued_at = rec->issued_at;
	c->pub.expires_at = rec->expires_at;
	c->pub.policy_serial = rec->policy_serial;
	c->pub.host_private = NULL;
	c->magic = CRED_MAGIC;
	atomic_init(&c->refs, 1);
	c->pool = pool;
	return c;
}

askcred_status cred_new(struct cred_pool *pool, struct token_record *rec,
			uint32_t flags, struct cred **out,
			struct askcred_error *err)
{
	struct cred *c;

	if (rec->token.buf == NULL)
		return err_set(err, ASKCRED_INTERNAL, "cred",
			       "credential record without a token");
	c = alloc_cred(pool, rec, flags);
	if (c == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	c->token = rec->token;
	rec->token.buf = NULL;
	rec->token.len = 0;
	c->pub.token = c->token.buf;
	c->pub.token_len = c->token.len;
	pool_link(pool, c);
	*out = c;
	return ASKCRED_OK;
}

askcred_status cred_clone(const struct cred *c, uint32_t flags,
			  struct cred **out, struct askcred_error *err)
{
	struct token_record rec;
	askcred_status rc;

	memset(&rec, 0, sizeof(rec));
	memcpy(rec.workspace_id, c->pub.workspace_id, sizeof(rec.workspace_id));
	memcpy(rec.token_id, c->pub.token_id, sizeof(rec.token_id));
	memcpy(rec.source, c->pub.source, sizeof(rec.source));
	rec.issued_at = c->pub.issued_at;
	rec.expires_at = c->pub.expires_at;
	rec.policy_serial = c->pub.policy_serial;
	if (secret_set(&rec.token, c->token.buf, c->token.len) != 0)
		return err_set(err, ASKCRED_NO_MEMORY, NULL, "out of memory");
	rc = cred_new(c->pool, &rec, flags, out, err);
	record_clear(&rec);
	return rc;
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
