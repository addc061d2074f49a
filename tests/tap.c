#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int n_run;
static int n_failed;

static int report(int cond, const char *fmt, va_list ap)
{
	n_run++;
	printf("%sok %d - ", cond ? "" : "not ", n_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		n_failed++;
	return cond;
}

void tap_plan(int n)
{
	printf("1..%d\n", n);
}

int tap_done(void)
{
	printf("1..%d\n", n_run);
	return n_failed ? 1 : 0;
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cond = report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

int tap_is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# got %lld, want %lld\n", got, want);
	return cond;
}

int tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = got && want ? strcmp(got, want) == 0 : got == want;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# got \"%s\", want \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return cond;
}

int tap_has_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = got && want && strstr(got, want) != NULL;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# \"%s\" does not contain \"%s\"\n",
		       got ? got : "(null)", want ? want : "(null)");
	return cond;
}

/* Is id listed at where in tests/known-findings ("ID WHERE[,WHERE...]
 * REASON..." lines, '#' comments)? The same reading as known_listed() in
 * tests/lib.sh. */
int tap_known_listed(const char *id, const char *where)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[1024];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/known-findings",
		 top && top[0] ? top : ".");
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *lid, *wheres, *w;

		if (line[0] == '#')
			continue;
		lid = strtok_r(line, " \t\n", &save);
		wheres = strtok_r(NULL, " \t\n", &save);
		if (lid == NULL || wheres == NULL ||
		    strtok_r(NULL, " \t\n", &save) == NULL ||
		    strcmp(lid, id) != 0)
			continue;
		for (w = strtok_r(wheres, ",", &save); w != NULL;
		     w = strtok_r(NULL, ",", &save))
			if (strcmp(w, where) == 0)
				found = 1;
	}
	fclose(f);
	return found;
}

int tap_known(const char *id, const char *where, int cond, const char *fmt, ...)
{
	va_list ap;
	int listed = tap_known_listed(id, where);

	n_run++;
	printf("%sok %d - ", cond ? "" : "not ", n_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (listed && !cond)
		printf(" # TODO known %s", id);
	else if (listed)
		printf(" # TODO known %s no longer happens at %s: remove it "
		       "from tests/known-findings",
		       id, where);
	putchar('\n');
	fflush(stdout);
	/* Unlisted, a failure fails; listed, an unexpected pass does. */
	if (listed ? cond : !cond)
		n_failed++;
	return cond;
}

void tap_skip(int n, const char *why)
{
	for (int i = 0; i < n; i++)
		printf("ok %d # SKIP %s\n", ++n_run, why);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}
