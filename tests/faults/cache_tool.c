/*
 * One cache operation per process, for the fault-injection scripts: they
 * run it inside a full file system, under strace's syscall injection, or
 * kill it while it holds a lock, and then look at what it printed and what
 * it left on disk. It always runs to its end unless killed, printing
 * "key=value" lines; the exit status is 0 when the operation succeeded and
 * 1 when it failed cleanly, so a crash (signal, abort) stands out.
 *
 *   cache_tool write   DIR MACHINE_ID ENTRY TOKEN SECONDS  seal TOKEN
 *   cache_tool read    DIR MACHINE_ID ENTRY
 *   cache_tool refresh DIR MACHINE_ID ENTRY TOKEN          fetch path
 *   cache_tool hold    DIR MACHINE_ID ENTRY                refresh blocks
 *
 * "hold" enters the refresh callback (entry lock held), prints "locked",
 * and blocks reading stdin; "refresh" prints the wall-clock millisecond at
 * which its own callback ran, so a script can time a takeover. The tokens
 * are made up by the scripts, so printing them is harmless.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"

#define WS "5d0f6a2e-3c1b-4e7a-9b8c-0a1b2c3d4e5f"

struct tool {
	const char *token;
	int64_t lifetime;
	int refreshed;
};

/* Descriptors open now: /proc may be missing (a chroot), fcntl is not. */
static int count_fds(void)
{
	int fd, n = 0, max = (int)sysconf(_SC_OPEN_MAX);

	for (fd = 0; fd < max && fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static askcred_status fill(struct tool *t, struct token_record *out,
			   struct askcred_error *err)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->workspace_id, sizeof(out->workspace_id), "%s", WS);
	snprintf(out->source, sizeof(out->source), "faults");
	out->issued_at = (int64_t)time(NULL);
	out->expires_at = out->issued_at + t->lifetime;
	if (secret_set(&out->token, t->token, strlen(t->token)) != 0)
		return err_set(err, ASKCRED_NO_MEMORY, "token", "no memory");
	return ASKCRED_OK;
}

static askcred_status refresh_now(void *ctx, struct token_record *out,
				  struct askcred_error *err)
{
	struct tool *t = ctx;

	t->refreshed++;
	printf("refresh_at_ms=%lld\n", wall_ms());
	return fill(t, out, err);
}

/* Stands for a source that hangs while the entry lock is held. */
static askcred_status refresh_blocks(void *ctx, struct token_record *out,
				     struct askcred_error *err)
{
	char buf[64];

	(void)ctx;
	(void)out;
	printf("locked\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return err_set(err, ASKCRED_UNAVAILABLE, "hold", "released");
}

static int usage(void)
{
	fprintf(stderr, "usage: cache_tool write|read|refresh|hold DIR "
			"MACHINE_ID ENTRY [TOKEN [SECONDS]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg;
	struct token_record rec = {0};
	struct tool t = {NULL, 3600, 0};
	struct cache *c = NULL;
	const char *cmd;
	askcred_status rc;
	int fds_before;

	if (argc < 5)
		return usage();
	cmd = argv[1];
	if (argc > 5)
		t.token = argv[5];
	if (argc > 6)
		t.lifetime = strtoll(argv[6], NULL, 10);
	if ((strcmp(cmd, "write") == 0 || strcmp(cmd, "refresh") == 0) &&
	    t.token == NULL)
		return usage();
	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = argv[2];
	cfg.machine_id_path = argv[3];
	cfg.no_memory_cache = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	fds_before = count_fds();
	rc = cache_open(&cfg, &c, &err);
	if (rc != ASKCRED_OK)
		goto out;
	if (strcmp(cmd, "write") == 0) {
		rc = fill(&t, &rec, &err);
		if (rc == ASKCRED_OK)
			rc = cache_write(c, WS, argv[4], &rec, &err);
	} else if (strcmp(cmd, "read") == 0) {
		rc = cache_read(c, WS, argv[4], &rec, &err);
	} else if (strcmp(cmd, "refresh") == 0) {
		rc = cache_get_or_refresh(c, WS, argv[4], NULL, refresh_now, &t,
					  &rec, &err);
		printf("refreshed=%d\n", t.refreshed);
	} else if (strcmp(cmd, "hold") == 0) {
		rc = cache_get_or_refresh(c, WS, argv[4], NULL, refresh_blocks,
					  &t, &rec, &err);
	} else {
		rc = ASKCRED_INVALID;
		err_set(&err, rc, cmd, "unknown command");
	}
	if (rc == ASKCRED_OK && strcmp(cmd, "write") != 0)
		printf("token=%.*s\n", (int)rec.token.len, rec.token.buf);
out:
	record_clear(&rec);
	cache_close(c);
	printf("status=%d\n", (int)rc);
	if (rc != ASKCRED_OK)
		printf("message=%s: %s\n", err.where, err.message);
	printf("fds_leaked=%d\n", count_fds() - fds_before);
	return rc == ASKCRED_OK ? 0 : 1;
}
