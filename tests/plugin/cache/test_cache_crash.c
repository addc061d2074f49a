/* Crash safety: writers are killed with SIGKILL at random points of
 * cache_write, hundreds of times. After every kill the entry must decrypt
 * to a generation some writer completed (the old one or the new one),
 * never to garbage and never to a refusal; once the next writer has run to
 * its end, no temp file is left in the directory. */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache_test.h"
#include "error.h"
#include "tap.h"

#define ROUNDS 300
#define ENTRY "crash"

/* The token names the writer's round, so the reader can tell which
 * generation it sees: "round-<n>-" padded to a realistic length. */
static void token_for(unsigned round, char *buf, size_t size)
{
	snprintf(buf, size, "round-%06u-pR1k0dYhA7bW9mN3qL5xZt", round);
}

/* Write round after round until killed. */
static void writer(const struct cache_config *cfg, unsigned first)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	struct cache *c = open_or_bail(cfg);
	char tok[64];

	for (unsigned round = first;; round++) {
		token_for(round, tok, sizeof(tok));
		make_record(&r, WS_A, tok, time(NULL) + 3600);
		(void)cache_write(c, WS_A, ENTRY, &r, &err);
		record_clear(&r);
	}
}

static int count_temps(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp") != NULL;
	closedir(d);
	return n;
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct test_env env;
	struct token_record r;
	struct cache *c;
	unsigned bad = 0, absent = 0, seen = 0, temps_after = 0, advanced = 0;
	char tok[64], last[64] = "";

	env_init(&env);
	c = open_or_bail(&env.cfg);
	token_for(0, tok, sizeof(tok));
	make_record(&r, WS_A, tok, time(NULL) + 3600);
	if (cache_write(c, WS_A, ENTRY, &r, &err) != ASKCRED_OK)
		tap_bail("first write: %s", err.message);
	record_clear(&r);

	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned short delay = 0;
		struct token_record got;
		askcred_status rc;
		pid_t pid;

		(void)RAND_bytes((unsigned char *)&delay, sizeof(delay));
		pid = fork();
		if (pid < 0)
			tap_bail("fork");
		if (pid == 0) {
			writer(&env.cfg, 1 + i * 100000u);
			_exit(0);
		}
		/* Somewhere in the first writes: 0 to 8 ms. */
		usleep(delay % 8000u);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);

		memset(&got, 0, sizeof(got));
		rc = cache_read(c, WS_A, ENTRY, &got, &err);
		if (rc == ASKCRED_OK && got.token.buf != NULL &&
		    strncmp(got.token.buf, "round-", 6) == 0) {
			seen++;
			/* A new generation: the killed writer had finished
			 * writes, so it died while writing the next. */
			advanced += strcmp(got.token.buf, last) != 0;
			snprintf(last, sizeof(last), "%s", got.token.buf);
		} else if (rc == ASKCRED_NOT_FOUND)
			absent++;
		else {
			bad++;
			tap_diag("round %u: %s (%s)", i, status_name(rc),
				 err.message);
		}
		record_clear(&got);
	}
	ok(bad == 0,
	   "%u writers killed at random points: every read "
	   "decrypts to a completed generation (%u bad)",
	   ROUNDS, bad);
	is_int(absent, 0, "the entry never disappears");
	is_int(seen, ROUNDS, "every read saw a whole token");
	ok(advanced > ROUNDS / 10,
	   "the writers were killed while writing (%u of %u rounds had "
	   "completed writes first)",
	   advanced, ROUNDS);

	/* One writer that runs to its end cleans up what the killed ones
	 * left behind. */
	token_for(999999999u, tok, sizeof(tok));
	make_record(&r, WS_A, tok, time(NULL) + 3600);
	ok(cache_write(c, WS_A, ENTRY, &r, &err) == ASKCRED_OK,
	   "a writer that is not killed succeeds");
	record_clear(&r);
	temps_after = (unsigned)count_temps(env.dir);
	is_int(temps_after, 0, "no temp file is left once it has run");
	memset(&r, 0, sizeof(r));
	ok(cache_read(c, WS_A, ENTRY, &r, &err) == ASKCRED_OK && r.token.buf &&
		   strcmp(r.token.buf, tok) == 0,
	   "and its generation is the one read back");
	record_clear(&r);
	cache_close(c);
	env_done(&env);
	return tap_done();
}
