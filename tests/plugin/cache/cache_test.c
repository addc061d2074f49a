#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_test.h"
#include "error.h"
#include "rmtree.h"
#include "tap.h"

int write_file(const char *path, const char *text, int mode)
{
	return write_bytes(path, text, strlen(text), mode);
}

int write_bytes(const char *path, const void *text, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, (mode_t)mode)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

long read_file(const char *path, void *buf, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, max);
	close(fd);
	return (long)n;
}

void env_init(struct test_env *e)
{
	const char *tmp = getenv("TMPDIR");

	memset(e, 0, sizeof(*e));
	snprintf(e->root, sizeof(e->root), "%s/askcred-cache-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(e->root) == NULL)
		tap_bail("mkdtemp failed");
	snprintf(e->dir, sizeof(e->dir), "%s/cache", e->root);
	snprintf(e->machine_a, sizeof(e->machine_a), "%s/machine-a", e->root);
	snprintf(e->machine_b, sizeof(e->machine_b), "%s/machine-b", e->root);
	if (write_file(e->machine_a, MACHINE_A "\n", 0444) != 0 ||
	    write_file(e->machine_b, MACHINE_B "\n", 0444) != 0)
		tap_bail("cannot write machine ids");
	e->cfg.dir = e->dir;
	e->cfg.machine_id_path = e->machine_a;
}

void env_done(struct test_env *e)
{
	if (e->root[0] != '\0')
		test_rmtree(e->root);
	e->root[0] = '\0';
}

void make_record(struct token_record *r, const char *ws, const char *token,
		 int64_t expires_at)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->workspace_id, sizeof(r->workspace_id), "%s", ws);
	snprintf(r->token_id, sizeof(r->token_id),
		 "11111111-2222-4333-8444-555555555555");
	snprintf(r->source, sizeof(r->source), "mint");
	if (secret_set(&r->token, token, strlen(token)) != 0)
		tap_bail("out of memory");
	r->issued_at = 1700000000;
	r->expires_at = expires_at;
	r->policy_serial = 42;
	r->flags = ASKCRED_CRED_MINTED;
}

struct cache *open_or_bail(const struct cache_config *cfg)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache *c = NULL;

	if (cache_open(cfg, &c, &err) != ASKCRED_OK)
		tap_bail("cache_open: %s: %s", err.where, err.message);
	return c;
}

askcred_status write_token(struct cache *c, const char *entry,
			   const char *token, struct askcred_error *err)
{
	struct token_record r;
	askcred_status rc;

	make_record(&r, WS_A, token, time(NULL) + 3600);
	rc = cache_write(c, WS_A, entry, &r, err);
	record_clear(&r);
	return rc;
}

void read_token(struct cache *c, const char *entry, char *out, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record got;
	askcred_status rc;

	memset(&got, 0, sizeof(got));
	rc = cache_read(c, WS_A, entry, &got, &err);
	if (rc == ASKCRED_OK && got.token.buf != NULL)
		snprintf(out, size, "%s", got.token.buf);
	else
		snprintf(out, size, "[%s: %s]", status_name(rc), err.message);
	record_clear(&got);
}
