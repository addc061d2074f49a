/*
 * stress: one host process of the multi-process stress test (issue 7).
 *
 *   stress [-t THREADS] [-d SECONDS] [-r PER_MINUTE] [-i PPM] [-v PPM]
 *          [-l LOG_FILE] [-U] STACK_FILE
 *
 * THREADS threads share one stack for SECONDS and loop over a mix of
 * operations: fetch + release (nearly all of them); after a fetch, a
 * validate with probability -v and an invalidate of the credential just
 * fetched with probability -i (parts per million); and forced refreshes,
 * -r per minute for the whole process (a decimal), at random times. The
 * refreshes are paced by the clock, not by the operation count: a warm
 * fetch costs 100 ns and a forced refresh an HTTPS call and a mint, so a
 * share of operations would make the mint rate depend on the CPU.
 *
 * Every outcome is counted by operation and status and printed as one JSON
 * line on stdout. An unexpected outcome is a failure and makes the exit
 * status 1: any status but OK (fetch, refresh, validate), UNAVAILABLE
 * accepted only with -U (the emulator is faulted); for invalidate also
 * NOT_FOUND, which only says another thread had already dropped that
 * token; and a credential that is empty, expired or not from the mint
 * source.
 *
 * The stack's modules log through this host: warnings and errors go, one
 * line each, to LOG_FILE (default: stderr) and are counted, so the caller
 * can look for cache errors after the run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <askcred/askcred.h>

enum op { OP_FETCH, OP_REFRESH, OP_VALIDATE, OP_INVALIDATE, OP_N };

static const char *const op_names[OP_N] = {"fetch", "refresh", "validate",
					   "invalidate"};

/* JSON keys; the same order as enum askcred_status. */
static const char *const status_keys[ASKCRED_STATUS_COUNT] = {
	"ok",	       "ignore",    "not_found",    "denied",
	"invalid",     "expired",   "unavailable",  "config_error",
	"cache_error", "no_memory", "abi_mismatch", "internal"};

struct options {
	unsigned threads, seconds;
	double refresh_per_min;
	uint32_t invalidate_ppm, validate_ppm;
	int unavailable_ok;
	const char *stack_file, *log_file;
};

/* What one thread saw; summed once every thread has ended. */
struct tally {
	uint64_t count[OP_N][ASKCRED_STATUS_COUNT];
	uint64_t bad_credentials;    /* OK, yet empty, expired or foreign */
	uint64_t served_invalidated; /* the very token this thread had just
				      * invalidated came back from fetch */
	uint64_t failures;
	char first_failure[200];
};

struct worker {
	pthread_t tid;
	unsigned index;
	const struct options *opt;
	askcred_stack *stack;
	double deadline; /* CLOCK_MONOTONIC seconds */
	struct tally t;
};

static int log_fd = STDERR_FILENO;
static atomic_ulong log_lines;

/* One write() per line on an O_APPEND descriptor: lines from every
 * thread and every process stay whole in a shared file. */
static void log_line(void *ctx, int level, const char *message)
{
	char line[600];
	int n;

	(void)ctx;
	if (level > ASKCRED_LOG_WARNING)
		return;
	atomic_fetch_add(&log_lines, 1);
	n = snprintf(line, sizeof(line), "stress[%ld] level %d: %s\n",
		     (long)getpid(), level, message);
	if (n > (int)sizeof(line) - 1) { /* cut short, still one line */
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (n > 0 && write(log_fd, line, (size_t)n) < 0)
		return; /* nowhere left to say so */
}

/* xorshift64*: the mix needs to be cheap and per thread, not strong. */
static uint32_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 2685821657736338717ull) >> 32);
}

static int chance(uint64_t *s, uint32_t ppm)
{
	return ppm > 0 && next_rand(s) % 1000000u < ppm;
}

static double mono_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* When this thread forces its next refresh: exponential gaps (a Poisson
 * process, memoryless, so a short run gets the full rate from its first
 * second), the process averaging refresh_per_min over all its threads. */
static double next_refresh(const struct worker *w, uint64_t *rnd, double now)
{
	double mean;

	if (w->opt->refresh_per_min <= 0)
		return now + 1e9;
	mean = 60.0 * w->opt->threads / w->opt->refresh_per_min;
	/* 1 - U is in (0, 1]: log() never sees 0. */
	return now - mean * log(1.0 - next_rand(rnd) / 4294967296.0);
}

static int expected(const struct options *opt, enum op op, askcred_status rc)
{
	if (rc == ASKCRED_OK)
		return 1;
	if (rc == ASKCRED_UNAVAILABLE && opt->unavailable_ok &&
	    (op == OP_FETCH || op == OP_REFRESH))
		return 1;
	return op == OP_INVALIDATE && rc == ASKCRED_NOT_FOUND;
}

/* Count a failure; keep the first one's description ("what: why"). */
static void fail(struct tally *t, const char *what, const char *why)
{
	if (t->failures++ == 0)
		snprintf(t->first_failure, sizeof(t->first_failure), "%s: %s",
			 what, why);
}

static void count(struct worker *w, enum op op, askcred_status rc,
		  const struct askcred_error *err)
{
	if ((unsigned)rc >= ASKCRED_STATUS_COUNT)
		rc = ASKCRED_INTERNAL;
	w->t.count[op][rc]++;
	if (!expected(w->opt, op, rc))
		fail(&w->t, op_names[op], err->message);
}

/* What a host may rely on for every credential handed out. */
static void check_credential(struct worker *w,
			     const struct askcred_credential *c)
{
	if (c->token == NULL || c->token_len == 0 ||
	    strlen(c->token) != c->token_len || c->workspace_id[0] == '\0' ||
	    strcmp(c->source, "mint") != 0 ||
	    (c->expires_at != 0 && c->expires_at <= (int64_t)time(NULL))) {
		w->t.bad_credentials++;
		fail(&w->t, "credential", "empty, expired or not minted");
	}
}

/* One fetch, then what a host does with a credential now and then. */
static void fetch_round(struct worker *w, uint64_t *rnd, char *invalidated)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *c = NULL;
	askcred_status rc;

	rc = askcred_fetch(w->stack, NULL, &c, &err);
	count(w, OP_FETCH, rc, &err);
	if (rc != ASKCRED_OK)
		return;
	check_credential(w, c);
	if (invalidated[0] != '\0' && strcmp(c->token_id, invalidated) == 0)
		w->t.served_invalidated++;
	invalidated[0] = '\0';
	if (chance(rnd, w->opt->validate_ppm)) {
		err = (struct askcred_error)ASKCRED_ERROR_INIT;
		rc = askcred_validate(w->stack, c, &err);
		count(w, OP_VALIDATE, rc, &err);
	}
	if (chance(rnd, w->opt->invalidate_ppm)) {
		err = (struct askcred_error)ASKCRED_ERROR_INIT;
		rc = askcred_invalidate(w->stack, c, "stress test", &err);
		count(w, OP_INVALIDATE, rc, &err);
		snprintf(invalidated, ASKCRED_UUID_LEN + 1, "%s", c->token_id);
	}
	askcred_release(w->stack, c);
}

static void refresh_round(struct worker *w)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *c = NULL;
	askcred_status rc;

	rc = askcred_refresh(w->stack, NULL, &c, &err);
	count(w, OP_REFRESH, rc, &err);
	if (rc == ASKCRED_OK)
		check_credential(w, c);
	askcred_release(w->stack, c);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t rnd = ((uint64_t)getpid() << 20) ^ (w->index * 0x9e3779b9u) ^
		       (uint64_t)time(NULL) ^ 1;
	char invalidated[ASKCRED_UUID_LEN + 1] = "";
	double now = mono_now(), refresh_at = next_refresh(w, &rnd, now);
	unsigned n = 0;

	/* The clock is read every 64 rounds: a warm fetch costs about as
	 * much as clock_gettime. */
	for (;;) {
		if ((n++ & 63) == 0) {
			now = mono_now();
			if (now >= w->deadline)
				break;
			if (now >= refresh_at) {
				refresh_round(w);
				refresh_at = next_refresh(w, &rnd, now);
				continue;
			}
		}
		fetch_round(w, &rnd, invalidated);
	}
	return NULL;
}

static void print_json(const struct options *opt, const struct tally *sum,
		       double elapsed)
{
	printf("{\"pid\": %ld, \"threads\": %u, \"seconds\": %u, "
	       "\"elapsed\": %.3f",
	       (long)getpid(), opt->threads, opt->seconds, elapsed);
	for (int op = 0; op < OP_N; op++) {
		const char *sep = "";

		printf(", \"%s\": {", op_names[op]);
		for (int s = 0; s < ASKCRED_STATUS_COUNT; s++) {
			if (sum->count[op][s] == 0)
				continue;
			printf("%s\"%s\": %" PRIu64, sep, status_keys[s],
			       sum->count[op][s]);
			sep = ", ";
		}
		printf("}");
	}
	/* Forced refreshes each reach the source: the caller adds them to
	 * the mint bound, whatever their outcome. */
	printf(", \"forced_refreshes\": %" PRIu64
	       ", \"bad_credentials\": %" PRIu64
	       ", \"served_invalidated\": %" PRIu64
	       ", \"log_lines\": %lu, \"failures\": %" PRIu64 "}\n",
	       sum->count[OP_REFRESH][ASKCRED_OK] +
		       sum->count[OP_REFRESH][ASKCRED_UNAVAILABLE],
	       sum->bad_credentials, sum->served_invalidated,
	       atomic_load(&log_lines), sum->failures);
}

static void add(struct tally *sum, const struct tally *t)
{
	for (int op = 0; op < OP_N; op++)
		for (int s = 0; s < ASKCRED_STATUS_COUNT; s++)
			sum->count[op][s] += t->count[op][s];
	sum->bad_credentials += t->bad_credentials;
	sum->served_invalidated += t->served_invalidated;
	if (sum->failures == 0 && t->failures != 0)
		memcpy(sum->first_failure, t->first_failure,
		       sizeof(sum->first_failure));
	sum->failures += t->failures;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-' &&
	       *out <= max;
}

static int parse_args(int argc, char **argv, struct options *opt)
{
	unsigned long v;
	int c;

	*opt = (struct options){.threads = 4, .seconds = 10};
	while ((c = getopt(argc, argv, "t:d:r:i:v:l:U")) != -1) {
		if (c == 'U') {
			opt->unavailable_ok = 1;
			continue;
		}
		if (c == 'l') {
			opt->log_file = optarg;
			continue;
		}
		if (c == 'r') {
			char *end = NULL;

			opt->refresh_per_min = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(opt->refresh_per_min >= 0 &&
			      opt->refresh_per_min <= 1e6))
				return 0;
			continue;
		}
		if (c == '?' || !parse_uint(optarg, 1000000, &v))
			return 0;
		if (c == 't')
			opt->threads = (unsigned)v;
		else if (c == 'd')
			opt->seconds = (unsigned)v;
		else if (c == 'i')
			opt->invalidate_ppm = (uint32_t)v;
		else
			opt->validate_ppm = (uint32_t)v;
	}
	if (optind != argc - 1 || opt->threads == 0 || opt->threads > 1024)
		return 0;
	opt->stack_file = argv[optind];
	return 1;
}

int main(int argc, char **argv)
{
	struct askcred_options aopt = {.struct_size = sizeof(aopt)};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct worker *w = NULL;
	struct tally sum;
	struct options opt;
	double start;
	askcred_stack *stack = NULL;
	askcred_status rc;
	unsigned started = 0;
	int ret = 2;

	memset(&sum, 0, sizeof(sum));
	if (!parse_args(argc, argv, &opt)) {
		fprintf(stderr,
			"usage: stress [-t THREADS] [-d SECONDS] "
			"[-r PER_MINUTE] [-i PPM] [-v PPM] [-l LOG_FILE] "
			"[-U] STACK_FILE\n");
		return 2;
	}
	if (opt.log_file != NULL) {
		log_fd = open(opt.log_file,
			      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			fprintf(stderr, "stress: %s: %s\n", opt.log_file,
				strerror(errno));
			return 2;
		}
	}
	aopt.log = log_line;
	aopt.log_level = ASKCRED_LOG_WARNING;
	rc = askcred_stack_open(opt.stack_file, &aopt, &stack, &err);
	if (rc != ASKCRED_OK) {
		fprintf(stderr, "stress: %s: %s (%s)\n", askcred_strstatus(rc),
			err.message, err.where);
		goto out;
	}
	w = calloc(opt.threads, sizeof(*w));
	if (w == NULL)
		goto out;
	start = mono_now();
	for (unsigned i = 0; i < opt.threads; i++) {
		w[i].index = i;
		w[i].opt = &opt;
		w[i].stack = stack;
		w[i].deadline = start + opt.seconds;
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0)
			break;
		started++;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		add(&sum, &w[i].t);
	}
	if (started != opt.threads) {
		fprintf(stderr, "stress: could only start %u threads\n",
			started);
		goto out;
	}
	print_json(&opt, &sum, mono_now() - start);
	if (sum.failures != 0)
		fprintf(stderr, "stress: %" PRIu64 " failure(s); first: %s\n",
			sum.failures, sum.first_failure);
	ret = sum.failures != 0 ? 1 : 0;
out:
	free(w);
	askcred_stack_close(stack);
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	return ret;
}
