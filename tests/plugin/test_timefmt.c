/* RFC 3339 timestamps and durations, as AskUI's API and module arguments
 * write them. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "timefmt.h"

static const struct {
	const char *text;
	int64_t want;
} valid_times[] = {
	{"1970-01-01T00:00:00Z", 0},
	{"2026-11-28T17:00:00Z", 1795885200},
	{"2026-11-28t17:00:00z", 1795885200},
	{"2026-11-28T18:00:00+01:00", 1795885200},
	{"2026-11-28T12:30:00-04:30", 1795885200},
	{"2026-11-28T17:00:00.5Z", 1795885200},
	{"2026-11-28T17:00:00.123456789+00:00", 1795885200},
	{"2024-02-29T00:00:00Z", 1709164800},
	{"2000-02-29T23:59:59Z", 951868799},
	{"1969-12-31T23:59:59Z", -1},
	{"2016-12-31T23:59:60Z", 1483228800},
	{"9999-12-31T23:59:59Z", 253402300799LL},
};

static const char *const invalid_times[] = {
	"",
	"2026-11-28",
	"2026-11-28T17:00:00",	/* no zone */
	"2026-11-28 17:00:00Z", /* space instead of T */
	"2026-11-28T17:00Z",	/* no seconds */
	"2026-13-01T00:00:00Z",
	"2026-00-01T00:00:00Z",
	"2026-11-31T00:00:00Z",
	"2025-02-29T00:00:00Z", /* not a leap year */
	"1900-02-29T00:00:00Z",
	"2026-11-28T24:00:00Z",
	"2026-11-28T17:60:00Z",
	"2026-11-28T17:00:61Z",
	"2026-11-28T17:00:00.Z",    /* empty fraction */
	"2026-11-28T17:00:00+0100", /* offset without colon */
	"2026-11-28T17:00:00+24:00",
	"2026-11-28T17:00:00+01:60",
	"2026-11-28T17:00:00Zjunk",
	"26-11-28T17:00:00Z",
	"2026-1-28T17:00:00Z",
	"+2026-11-28T17:00:00Z",
	"2026-11-28T17:00:00 Z",
};

static const struct {
	const char *text;
	uint64_t want;
} valid_durations[] = {
	{"0", 0},	{"90", 90},	     {"90s", 90},
	{"30m", 1800},	{"1h", 3600},	     {"1h30m", 5400},
	{"2d", 172800}, {"1d2h3m4s", 93784}, {"0s", 0},
};

static const char *const invalid_durations[] = {
	"",
	"m",
	"30x",
	"-5m",
	"1.5h",
	"30m1h",
	"1h1h",
	" 30m",
	"30m ",
	"1m30",
	"99999999999999999999999x",
};

/* Well-formed but over the maximum: told apart from malformed (-2), so
 * a message can say "too large" instead of "not a duration". */
static const char *const too_large_durations[] = {
	"99999999999999999999999s",
	"5000000000",
	"99999d",
};

static const struct {
	uint64_t secs;
	const char *want;
} formatted[] = {
	{0, "0s"},     {59, "59s"},	{240, "4m"},
	{1800, "30m"}, {5400, "1h30m"}, {93784, "1d2h3m4s"},
};

int main(void)
{
	char buf[RFC3339_BUFSZ], dbuf[DURATION_BUFSZ];

	for (size_t i = 0; i < sizeof(valid_times) / sizeof(valid_times[0]);
	     i++) {
		int64_t got = 12345;

		is_int(rfc3339_parse(valid_times[i].text, &got), 0,
		       "rfc3339_accepts '%s'", valid_times[i].text);
		is_int(got, valid_times[i].want, "rfc3339 '%s' is %lld",
		       valid_times[i].text, (long long)valid_times[i].want);
	}
	for (size_t i = 0; i < sizeof(invalid_times) / sizeof(invalid_times[0]);
	     i++) {
		int64_t got = 12345;

		ok(rfc3339_parse(invalid_times[i], &got) == -1 && got == 12345,
		   "rfc3339_refuses '%s' and leaves the output alone",
		   invalid_times[i]);
	}
	ok(rfc3339_parse(NULL, &(int64_t){0}) == -1, "rfc3339_refuses NULL");

	is_int(rfc3339_format(1795885200, buf), 0, "rfc3339_format succeeds");
	is_str(buf, "2026-11-28T17:00:00Z", "rfc3339_format writes UTC");
	rfc3339_format(-1, buf);
	is_str(buf, "1969-12-31T23:59:59Z", "rfc3339_format before 1970");
	for (size_t i = 0; i < sizeof(valid_times) / sizeof(valid_times[0]);
	     i++) {
		int64_t back = 0;

		ok(rfc3339_format(valid_times[i].want, buf) == 0 &&
			   rfc3339_parse(buf, &back) == 0 &&
			   back == valid_times[i].want,
		   "rfc3339 round trip of %lld",
		   (long long)valid_times[i].want);
	}
	is_int(rfc3339_format(253402300800LL, buf), -1,
	       "rfc3339_format refuses year 10000");

	for (size_t i = 0;
	     i < sizeof(valid_durations) / sizeof(valid_durations[0]); i++) {
		uint64_t got = 7;

		ok(duration_parse(valid_durations[i].text, UINT32_MAX, &got) ==
				   0 &&
			   got == valid_durations[i].want,
		   "duration '%s' is %llu s", valid_durations[i].text,
		   (unsigned long long)valid_durations[i].want);
	}
	for (size_t i = 0;
	     i < sizeof(invalid_durations) / sizeof(invalid_durations[0]);
	     i++) {
		uint64_t got = 7;

		ok(duration_parse(invalid_durations[i], UINT32_MAX, &got) ==
				   -1 &&
			   got == 7,
		   "duration_refuses '%s'", invalid_durations[i]);
	}
	for (size_t i = 0;
	     i < sizeof(too_large_durations) / sizeof(too_large_durations[0]);
	     i++) {
		uint64_t got = 7;

		ok(duration_parse(too_large_durations[i], UINT32_MAX, &got) ==
				   -2 &&
			   got == 7,
		   "duration_says_too_large for '%s'", too_large_durations[i]);
	}
	ok(duration_parse("2h", 3600, &(uint64_t){0}) == -2,
	   "duration_refuses a value over the maximum as too large");
	for (size_t i = 0; i < sizeof(formatted) / sizeof(formatted[0]); i++) {
		duration_format(formatted[i].secs, dbuf);
		is_str(dbuf, formatted[i].want, "duration_format %llu",
		       (unsigned long long)formatted[i].secs);
	}
	return tap_done();
}
