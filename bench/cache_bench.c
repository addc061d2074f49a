/*
 * In-process benchmark of the encrypted cache (plugin/cache): how long a
 * write, a read from disk and a cache_get_or_refresh() hit take. The cache
 * keeps nothing in memory (the provider instance does, see
 * bench/abi_bench's warm fetch), so every read is a disk read. Each operation
 * runs N times; the table gives the median, the 90th percentile and the minimum
 * in microseconds.
 *
 * Usage: bench/cache_bench [-n ITERATIONS]
 *
 * It works in a private 0700 temp directory (under $TMPDIR) with a fixed
 * machine id file, so runs are comparable between machines and never touch
 * the user's real cache or /etc/machine-id. The last line is
 * machine-readable for bench/run.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchtime.h"
#include "cache.h"
#include "record.h"
#include "rmtree.h"
#include "secret.h"

#define BENCH_WS "3f2c4a1e-8b9d-4c6e-9f0a-1b2c3d4e5f60"
#define BENCH_ENTRY "bench"
#define BENCH_MACHINE_ID "0123456789abcdef0123456789abcdef\n"
/* A token of realistic length (AskUI tokens are ~40 characters). */
#define BENCH_TOKEN "bench-not-a-secret-0123456789abcdefghijklmnop"

enum bench_op {
	OP_WRITE,
	OP_COLD_READ,
	OP_REFRESH_HIT_COLD,
	OP_OPEN_READ,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"cache_write (seal, fsync, rename)",
	"cache_read (disk, decrypt)",
	"get_or_refresh hit (disk)",
	"cache_open + first read (new handle)",
};

static const char *const op_keys[OP_COUNT] = {
	"write",
	"cold_read",
	"refresh_hit_cold",
	"open_read",
};

struct bench {
	char root[512];
	char dir[600];
	char machine_id[600];
	struct cache *cold; /* the handle every operation but open uses */
	struct token_record rec;
	unsigned refresh_calls;
};

/* Counts calls: a hit must never reach the source. */
static askcred_status refresh_counted(void *ctx, struct token_record *out,
				      int64_t *not_before,
				      struct askcred_error *err)
{
	struct bench *b = ctx;

	(void)err;
	b->refresh_calls++;
	return record_copy(out, &b->rec) == 0 ? ASKCRED_OK : ASKCRED_NO_MEMORY;
}

static int open_cache(struct bench *b, struct cache **out)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = b->dir;
	cfg.machine_id_path = b->machine_id;
	if (cache_open(&cfg, out, &err) != ASKCRED_OK) {
		fprintf(stderr, "cache_bench: cache_open: %s: %s\n", err.where,
			err.message);
		return -1;
	}
	return 0;
}

static int setup(struct bench *b)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f = NULL;
	int rc = -1;

	snprintf(b->root, sizeof(b->root), "%s/askcred-bench-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	/* mkdtemp creates it 0700, which the cache's directory check wants. */
	if (mkdtemp(b->root) == NULL) {
		perror("cache_bench: mkdtemp");
		b->root[0] = '\0';
		goto out;
	}
	snprintf(b->dir, sizeof(b->dir), "%s/cache", b->root);
	snprintf(b->machine_id, sizeof(b->machine_id), "%s/machine-id",
		 b->root);
	if ((f = fopen(b->machine_id, "we")) == NULL ||
	    fputs(BENCH_MACHINE_ID, f) == EOF) {
		perror("cache_bench: machine id");
		goto out;
	}
	/* Flushed before cache_open() reads it. */
	if (fclose(f) != 0) {
		f = NULL;
		perror("cache_bench: machine id");
		goto out;
	}
	f = NULL;
	snprintf(b->rec.workspace_id, sizeof(b->rec.workspace_id), "%s",
		 BENCH_WS);
	snprintf(b->rec.token_id, sizeof(b->rec.token_id),
		 "11111111-2222-4333-8444-555555555555");
	snprintf(b->rec.source, sizeof(b->rec.source), "static");
	if (secret_set(&b->rec.token, BENCH_TOKEN, strlen(BENCH_TOKEN)) != 0)
		goto out;
	b->rec.issued_at = (int64_t)time(NULL);
	/* Far outside every refresh window: each get is a plain hit. */
	b->rec.expires_at = b->rec.issued_at + 7 * 86400;
	if (open_cache(b, &b->cold) != 0)
		goto out;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

static void teardown(struct bench *b)
{
	cache_close(b->cold);
	record_clear(&b->rec);
	if (b->root[0] != '\0')
		test_rmtree(b->root);
}

/* One timed call of op; 0, or -1 with a message on stderr. */
static int run_once(struct bench *b, enum bench_op op, double *us)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record got;
	struct cache *fresh = NULL;
	askcred_status st;
	double t0;

	memset(&got, 0, sizeof(got));
	t0 = bench_now_us();
	switch (op) {
	case OP_WRITE:
		st = cache_write(b->cold, BENCH_WS, BENCH_ENTRY, &b->rec, &err);
		break;
	case OP_COLD_READ:
		st = cache_read(b->cold, BENCH_WS, BENCH_ENTRY, &got, &err);
		break;
	case OP_OPEN_READ:
		/* What a process or a newly opened stack pays once: key
		 * file, host identity, cipher fetch, then the read. */
		st = open_cache(b, &fresh) == 0
			     ? cache_read(fresh, BENCH_WS, BENCH_ENTRY, &got,
					  &err)
			     : ASKCRED_CONFIG_ERROR;
		break;
	case OP_REFRESH_HIT_COLD:
	default:
		st = cache_get_or_refresh(b->cold, BENCH_WS, BENCH_ENTRY, NULL,
					  refresh_counted, b, &got, &err);
		break;
	}
	*us = bench_now_us() - t0;
	cache_close(fresh);
	if (st == ASKCRED_OK && op != OP_WRITE &&
	    (got.token.len != strlen(BENCH_TOKEN) ||
	     memcmp(got.token.buf, BENCH_TOKEN, got.token.len) != 0)) {
		fprintf(stderr, "cache_bench: %s returned another token\n",
			op_keys[op]);
		st = ASKCRED_INTERNAL;
	} else if (st != ASKCRED_OK) {
		fprintf(stderr, "cache_bench: %s: %s: %s\n", op_keys[op],
			err.where, err.message);
	}
	record_clear(&got);
	return st == ASKCRED_OK ? 0 : -1;
}

static int bench_op(struct bench *b, enum bench_op op, double *samples, long n,
		    double out[3])
{
	double dummy;
	long i;

	/* One untimed call: the first one pays for page faults. */
	if (run_once(b, op, &dummy) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (run_once(b, op, &samples[i]) != 0)
			return -1;
	bench_sort(samples, (size_t)n);
	out[0] = samples[n / 2];
	out[1] = samples[(n * 9) / 10];
	out[2] = samples[0];
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b;
	double *samples = NULL;
	double res[OP_COUNT][3];
	long n = 1000;
	int opt, i, rc = 1;

	memset(&b, 0, sizeof(b));
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || (n = strtol(optarg, NULL, 10)) < 1 ||
		    n > 10000000) {
			fprintf(stderr, "usage: %s [-n ITERATIONS]\n", argv[0]);
			return 2;
		}
	}
	if ((samples = calloc((size_t)n, sizeof(*samples))) == NULL ||
	    setup(&b) != 0)
		goto out;
	for (i = 0; i < OP_COUNT; i++)
		if (bench_op(&b, (enum bench_op)i, samples, n, res[i]) != 0)
			goto out;
	if (b.refresh_calls != 0) {
		fprintf(stderr, "cache_bench: %u hits reached the source\n",
			b.refresh_calls);
		goto out;
	}
	printf("encrypted cache, in process, %ld iterations each (us)\n", n);
	printf("%-36s %10s %10s %10s\n", "operation", "median", "p90", "min");
	for (i = 0; i < OP_COUNT; i++)
		printf("%-36s %10.1f %10.1f %10.1f\n", op_names[i], res[i][0],
		       res[i][1], res[i][2]);
	/* For bench/run.sh: key=median_us pairs on one line. */
	printf("RESULT");
	for (i = 0; i < OP_COUNT; i++)
		printf(" %s=%.1f", op_keys[i], res[i][0]);
	printf("\n");
	rc = 0;
out:
	teardown(&b);
	free(samples);
	return rc;
}
