/* Durations and times as a policy document writes them, and back. Kept
 * strict: a typo in a duration must be an error, never a silent zero. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"

/* Ten years: long enough for any sane rule, short enough that sums of two
 * durations and a Unix time never overflow an int64_t. */
#define DURATION_MAX ((int64_t)3650 * 86400)

static int64_t unit_seconds(char c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	default:
		return 0;
	}
}

/* "1h30m", "45s", "7d" or "3600": a sequence of number+unit, units in
 * decreasing order, each used once; a bare number is seconds. */
int policy_parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0, last_unit = INT64_MAX;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		int64_t n = 0, unit;

		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > DURATION_MAX)
				return -1;
		}
		if (*p == '\0') {
			if (p != s + strspn(s, "0123456789"))
				return -1; /* "1h30": trailing bare number */
			unit = 1;
		} else {
			unit = unit_seconds(*p++);
			if (unit == 0 || unit >= last_unit)
				return -1;
		}
		last_unit = unit;
		total += n * unit;
		if (total > DURATION_MAX)
			return -1;
	}
	*out = total;
	return 0;
}

/* RFC 3339 in UTC only ("Z"): a policy is read on hosts in every time
 * zone, so an offset would only invite mistakes. Integer seconds too. */
int policy_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	time_t t;

	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		char *e;
		unsigned long long v;

		errno = 0;
		v = strtoull(s, &e, 10);
		if (errno != 0 || *e != '\0' || v > (unsigned long long)INT32_MAX * 4)
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL || strcmp(end, "Z") != 0 || strlen(s) != 20)
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1 || t < 0)
		return -1;
	*out = (int64_t)t;
	return 0;
}

void policy_format_duration(int64_t secs, char *buf, size_t size)
{
	static const struct {
		int64_t secs;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t used = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (secs < 0) {
		used += (size_t)snprintf(buf, size, "-");
		secs = -secs;
	}
	if (secs == 0) {
		snprintf(buf + used, size - used, "0s");
		return;
	}
	/* Exact, so a sentence about a boundary never reads "1h, at most 1h":
	 * every non-zero unit, "1h1s", "29m59s", "2d". */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t n = secs / units[i].secs;

		if (n == 0 || used >= size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%lld%c",
					 (long long)n, units[i].unit);
		secs -= n * units[i].secs;
	}
}

void policy_format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%s", t == 0 ? "unknown" : "invalid");
}
