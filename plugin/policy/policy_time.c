/* Durations and times as a policy document writes them. The grammar is
 * the plugin's own (timefmt.c), with the policy's stricter bounds: a typo
 * must be an error, never a silent zero. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "timefmt.h"

/* Ten years: long enough for any sane rule, short enough that sums of two
 * durations and a Unix time never overflow an int64_t. */
#define DURATION_MAX ((uint64_t)3650 * 86400)
/* Unix time of 9999-12-31T23:59:59Z, the last time RFC 3339 can write. */
#define TIME_MAX 253402300799LL

int policy_parse_duration(const char *s, int64_t *out)
{
	uint64_t v;

	if (duration_parse(s, DURATION_MAX, &v) != 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* RFC 3339 in UTC only ("Z"): a policy is read on hosts in every time
 * zone, so an offset would only invite mistakes. Integer seconds too. */
int policy_parse_time(const char *s, int64_t *out)
{
	size_t len = strlen(s);
	char *end;

	if (len > 0 && strspn(s, "0123456789") == len) {
		unsigned long long v = strtoull(s, &end, 10);

		if (*end != '\0' || v == 0 || v > (unsigned long long)TIME_MAX)
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	if (len == 0 || s[len - 1] != 'Z' || rfc3339_parse(s, out) != 0 ||
	    *out <= 0)
		return -1;
	return 0;
}

void policy_format_duration(int64_t secs, char *buf, size_t size)
{
	char d[DURATION_BUFSZ];

	duration_format(secs < 0 ? (uint64_t)-secs : (uint64_t)secs, d);
	snprintf(buf, size, "%s%s", secs < 0 ? "-" : "", d);
}

void policy_format_time(int64_t t, char *buf, size_t size)
{
	char s[RFC3339_BUFSZ];

	if (t <= 0 || rfc3339_format(t, s) != 0)
		snprintf(buf, size, "%s", t == 0 ? "unknown" : "invalid");
	else
		snprintf(buf, size, "%s", s);
}
