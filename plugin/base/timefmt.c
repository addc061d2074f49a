#include "config.h"

#include <stdio.h>
#include <string.h>

#include "timefmt.h"

/* Read exactly n decimal digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *any_of)
{
	if (**p == '\0' || strchr(any_of, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). Computed here rather than with timegm() so the result
 * never depends on the C library's time_t range or TZ handling. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int rfc3339_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (s == NULL)
		return -1;
	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) ||
	    expect(&p, "-") || digits(&p, 2, &d) || expect(&p, "Tt") ||
	    digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &mi) ||
	    expect(&p, ":") || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       (int64_t)sign * (oh * 3600 + om * 60);
	return 0;
}

int rfc3339_format(int64_t t, char out[RFC3339_BUFSZ])
{
	int64_t days, secs, z, era, doe, yoe, doy, mp, y;
	int m, d;

	/* 0000-01-01 .. 9999-12-31T23:59:59Z */
	if (t < -62167219200LL || t > 253402300799LL)
		return -1;
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	/* civil_from_days, the inverse of days_from_civil above */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	snprintf(out, RFC3339_BUFSZ, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y,
		 m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
		 (int)(secs % 60));
	return 0;
}

static const struct {
	char unit;
	uint64_t secs;
} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

#define N_UNITS (sizeof(units) / sizeof(units[0]))

void duration_format(uint64_t secs, char out[DURATION_BUFSZ])
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < N_UNITS; i++) {
		uint64_t n = secs / units[i].secs;

		if (n == 0)
			continue;
		secs -= n * units[i].secs;
		used += (size_t)snprintf(out + used, DURATION_BUFSZ - used,
					 "%llu%c", (unsigned long long)n,
					 units[i].unit);
	}
	if (used == 0)
		snprintf(out, DURATION_BUFSZ, "0s");
}
