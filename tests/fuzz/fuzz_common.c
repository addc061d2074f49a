/* The outcome record and invariant checks shared by every fuzz target (see
 * fuzz.h). Single-threaded: both drivers run one input at a time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static char outcome[256];

void fuzz_note(const char *stage, int accepted)
{
	size_t used = strlen(outcome);

	/* A full buffer only shortens what the replay driver compares;
	 * targets note a handful of short stages. */
	snprintf(outcome + used, sizeof(outcome) - used, "%s%s=%s",
		 used ? " " : "", stage, accepted ? "ok" : "no");
}

const char *fuzz_outcome(void)
{
	return outcome;
}

void fuzz_outcome_reset(void)
{
	outcome[0] = '\0';
}

/* For targets with nothing to set up; weak, so a target's own wins. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
	abort();
}

int fuzz_contains(const char *text, const void *needle, size_t len)
{
	size_t n = strlen(text);

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(text + i, needle, len) == 0)
			return 1;
	return 0;
}
