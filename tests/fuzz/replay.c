/*
 * The replay driver: a main() for a fuzz target built with gcc, without
 * libFuzzer, so every seed and every regression runs in "make check" (and
 * under the ASan build). For target T it feeds each file of
 * tests/fuzz/corpus/T/ and tests/fuzz/regressions/T/ to
 * LLVMFuzzerTestOneInput, one TAP line each, and compares what the target
 * noted (fuzz.h) with tests/fuzz/expect/T.txt. Every seed needs an expected
 * outcome there; a regression only has to run without crashing, except an
 * open-ID one, an upstream bug still open (see run_open).
 *
 *   replay_T               the whole corpus, as make check runs it
 *   replay_T FILE|DIR ...  just those (to reproduce a crash from run.sh)
 *   FUZZ_PRINT=1 replay_T  print "name outcome" lines for the expect file
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "tap.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET names the target: -DFUZZ_TARGET='\"cache_file\"'"
#endif

#define EXPECT_MAX 256

struct expect {
	char name[128];
	char outcome[256];
};

static struct expect expects[EXPECT_MAX];
static size_t n_expects;
static int print_outcomes;
/* Failed checks other than an expected failure of a listed open-* input
 * (an unexpected pass counts): tap_done() counts those too, but an
 * expected failure must not fail the program. */
static int real_failures;

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && s[0] ? s : FUZZ_SRCDIR;
}

/* "name outcome words..." per line; '#' starts a comment line. */
static void load_expects(void)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fuzz/expect/%s.txt", srcdir(),
		 FUZZ_TARGET);
	f = fopen(path, "re");
	if (f == NULL)
		tap_bail("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *sp;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		sp = strchr(line, ' ');
		if (sp == NULL || n_expects == EXPECT_MAX)
			tap_bail("%s: bad line or too many lines", path);
		*sp = '\0';
		snprintf(expects[n_expects].name, sizeof(expects[0].name), "%s",
			 line);
		snprintf(expects[n_expects].outcome, sizeof(expects[0].outcome),
			 "%s", sp + 1);
		n_expects++;
	}
	fclose(f);
}

static const char *expected(const char *name)
{
	for (size_t i = 0; i < n_expects; i++)
		if (strcmp(expects[i].name, name) == 0)
			return expects[i].outcome;
	return NULL;
}

/* An exactly sized copy, so ASan sees any read past the input's end, as
 * under libFuzzer. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL;
	struct stat st;

	if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size < 0)
		goto out;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf == NULL ||
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)st.st_size;
out:
	if (f != NULL)
		fclose(f);
	return buf;
}

/* A regression named open-ID reproduces an upstream bug not fixed yet,
 * ID being listed in tests/known-findings for fuzz.TARGET: it runs in a
 * child (it is expected to abort) and is an expected failure (TAP "# TODO
 * known ID", XFAIL), or an unexpected pass (XPASS, a failure) once the bug
 * is fixed and the file should lose its prefix. An open-* input whose ID
 * is not listed there is a plain check: a crash fails. */
static void run_open(const char *name, const uint8_t *buf, size_t len)
{
	char where[64];
	int status = 0, listed, clean;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		LLVMFuzzerTestOneInput(buf, len);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		real_failures += !ok(0, "%s: cannot run in a child", name);
		return;
	}
	snprintf(where, sizeof(where), "fuzz.%s", FUZZ_TARGET);
	listed = tap_known_listed(name + 5, where);
	clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	tap_known(name + 5, where, clean, "%s: runs without a crash", name);
	real_failures += listed ? clean : !clean;
}

static void run_one(const char *path, const char *name, int need_expect)
{
	const char *want = need_expect ? expected(name) : NULL;
	size_t len = 0;
	uint8_t *buf = slurp(path, &len);

	if (buf == NULL) {
		real_failures += !ok(0, "%s: readable", path);
		return;
	}
	if (!need_expect && strncmp(name, "open-", 5) == 0) {
		run_open(name, buf, len);
		free(buf);
		return;
	}
	fuzz_outcome_reset();
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	if (print_outcomes)
		printf("# %s %s\n", name, fuzz_outcome());
	if (need_expect && want == NULL)
		real_failures += !ok(
			0, "%s: expected outcome in expect/%s.txt (got \"%s\")",
			name, FUZZ_TARGET, fuzz_outcome());
	else if (want != NULL)
		real_failures +=
			!is_str(fuzz_outcome(), want, "%s: %s", name, want);
	else
		ok(1, "%s: runs without a crash (%s)", name, fuzz_outcome());
}

static int skip_name(const char *name)
{
	return name[0] == '.';
}

/* Run every regular file of dir, in name order; how many ran. A missing
 * dir is fine (not every target has regressions). */
static int run_dir(const char *dir, int need_expect)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), ran = 0;

	if (n < 0) {
		if (errno != ENOENT)
			real_failures += !ok(0, "%s: readable (%s)", dir,
					     strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!skip_name(names[i]->d_name) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			run_one(path, names[i]->d_name, need_expect);
			ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	char dir[4096];
	const char *p = getenv("FUZZ_PRINT");

	print_outcomes = p != NULL && strcmp(p, "1") == 0;
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;

			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				run_dir(argv[i], 0);
			else
				run_one(argv[i], argv[i], 0);
		}
		return tap_done();
	}
	load_expects();
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", srcdir(),
		 FUZZ_TARGET);
	real_failures +=
		!ok(run_dir(dir, 1) > 0, "corpus/%s holds seeds", FUZZ_TARGET);
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions/%s", srcdir(),
		 FUZZ_TARGET);
	run_dir(dir, 0);
	tap_done();
	return real_failures ? 1 : 0;
}
