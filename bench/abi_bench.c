/*
 * In-process fetches through the public ABI, as a host sees them:
 * askcred_stack_open() + askcred_fetch()/askcred_release().
 *
 * Usage: bench/abi_bench [-n ITERATIONS] [-m MODULE_DIR] STACK_FILE
 *        bench/abi_bench -F COUNT [-m MODULE_DIR] STACK_FILE
 *        bench/abi_bench -C COUNT [-m MODULE_DIR] STACK_FILE
 *
 * -F: no timing; open the stack, fetch COUNT times and exit 0 on success.
 * bench/run.sh starts many of these to count upstream calls.
 * -C: no timing; COUNT cold fetches (open the stack, fetch once, close).
 * bench/run.sh counts their instructions under callgrind.
 *
 *   rss        VmRSS the first stack open + one fetch add to this process
 *              (the plugin, its libraries and its state; libaskcred itself
 *              is linked, so it is already there, as in a real host)
 *   warm       askcred_fetch + askcred_release on an open stack, timed in
 *              batches of 1000; the median batch gives ns per fetch
 *   cold       the first fetch on a freshly opened stack: no memory cache,
 *              cache opened, entry read and decrypted from disk (the stack
 *              open itself, dlopen included, is timed separately)
 *
 * The last line is machine-readable for bench/run.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <askcred/askcred.h>

#include "benchtime.h"

#define WARM_BATCH 1000

static double now_ns(void)
{
	return bench_now_us() * 1e3;
}

static double median(double *v, long n)
{
	bench_sort(v, (size_t)n);
	return v[n / 2];
}

/* VmRSS of this process in KiB, or -1. */
static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* The benchmark measures the fetch, not the log: drop every message. */
static void quiet_log(void *ctx, int level, const char *message)
{
	(void)ctx;
	(void)level;
	(void)message;
}

static int fail(const char *what, const struct askcred_error *err)
{
	fprintf(stderr, "abi_bench: %s: %s: %s: %s\n", what,
		askcred_strstatus(err->code), err->where, err->message);
	return -1;
}

static int fetch_once(askcred_stack *s, const struct askcred_request *req)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *c = NULL;

	if (askcred_fetch(s, req, &c, &err) != ASKCRED_OK)
		return fail("askcred_fetch", &err);
	askcred_release(s, c);
	return 0;
}

static int open_stack(const char *path, const struct askcred_options *opts,
		      askcred_stack **s)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	if (askcred_stack_open(path, opts, s, &err) != ASKCRED_OK)
		return fail("askcred_stack_open", &err);
	return 0;
}

int main(int argc, char **argv)
{
	struct askcred_options opts;
	struct askcred_request req;
	askcred_stack *s = NULL;
	double *warm = NULL, *cold = NULL, *opens = NULL;
	double t0, t1, t2, warm_ns;
	long n = 200, fetches = 0, colds = 0, rss0, rss1, i, j;
	int opt, rc = 1;

	memset(&opts, 0, sizeof(opts));
	opts.struct_size = sizeof(opts);
	opts.log = quiet_log;
	memset(&req, 0, sizeof(req));
	req.struct_size = sizeof(req);
	while ((opt = getopt(argc, argv, "n:m:F:C:")) != -1) {
		if (opt == 'm') {
			opts.module_dir = optarg;
			continue;
		}
		if (opt == 'F' && (fetches = strtol(optarg, NULL, 10)) >= 1 &&
		    fetches <= 1000000)
			continue;
		if (opt == 'C' && (colds = strtol(optarg, NULL, 10)) >= 1 &&
		    colds <= 1000000)
			continue;
		if (opt != 'n' || (n = strtol(optarg, NULL, 10)) < 1 ||
		    n > 1000000)
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	if (fetches > 0) {
		if (open_stack(argv[optind], &opts, &s) != 0)
			goto out;
		for (i = 0; i < fetches; i++)
			if (fetch_once(s, &req) != 0)
				goto out;
		rc = 0;
		goto out;
	}
	if (colds > 0) {
		for (i = 0; i < colds; i++) {
			if (open_stack(argv[optind], &opts, &s) != 0 ||
			    fetch_once(s, &req) != 0)
				goto out;
			askcred_stack_close(s);
			s = NULL;
		}
		rc = 0;
		goto out;
	}
	if ((warm = calloc((size_t)n, sizeof(*warm))) == NULL ||
	    (cold = calloc((size_t)n, sizeof(*cold))) == NULL ||
	    (opens = calloc((size_t)n, sizeof(*opens))) == NULL)
		goto out;

	rss0 = rss_kib();
	if (open_stack(argv[optind], &opts, &s) != 0 || fetch_once(s, &req))
		goto out;
	rss1 = rss_kib();

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		for (j = 0; j < WARM_BATCH; j++)
			if (fetch_once(s, &req) != 0)
				goto out;
		warm[i] = (now_ns() - t0) / WARM_BATCH;
	}
	askcred_stack_close(s);
	s = NULL;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (open_stack(argv[optind], &opts, &s) != 0)
			goto out;
		t1 = now_ns();
		if (fetch_once(s, &req) != 0)
			goto out;
		t2 = now_ns();
		askcred_stack_close(s);
		s = NULL;
		opens[i] = (t1 - t0) / 1e3;
		cold[i] = (t2 - t1) / 1e3;
	}

	warm_ns = median(warm, n);
	printf("through the ABI (libaskcred), %ld samples each\n", n);
	printf("%-44s %12s\n", "measure", "median");
	printf("%-44s %9.1f ns  (%.0f fetches/s)\n",
	       "warm fetch+release (memory cache)", warm_ns, 1e9 / warm_ns);
	printf("%-44s %9.1f us\n", "cold fetch+release (fresh stack, disk)",
	       median(cold, n));
	printf("%-44s %9.1f us\n", "stack open (parse, dlopen, provider open)",
	       median(opens, n));
	printf("%-44s %9ld KiB\n", "VmRSS added by stack open + first fetch",
	       rss1 - rss0);
	printf("RESULT warm_ns=%.1f warm_per_s=%.0f cold_us=%.1f open_us=%.1f "
	       "rss_kib=%ld\n",
	       warm_ns, 1e9 / warm_ns, median(cold, n), median(opens, n),
	       rss1 - rss0);
	rc = 0;
	goto out;
usage:
	fprintf(stderr,
		"usage: %s [-n ITERATIONS | -F COUNT | -C COUNT] [-m "
		"MODULE_DIR] "
		"STACK_FILE\n",
		argv[0]);
	rc = 2;
out:
	askcred_stack_close(s);
	free(warm);
	free(cold);
	free(opens);
	return rc;
}
