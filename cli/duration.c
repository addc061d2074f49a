/* Durations on the command line: "90s", "30m", "2h", "1d" or plain
 * seconds. One unit per value keeps the grammar obvious; the result must
 * fit the 32-bit fields of struct askcred_request. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

static const struct {
	char suffix;
	uint32_t seconds;
} units[] = {
	{'s', 1},
	{'m', 60},
	{'h', 3600},
	{'d', 86400},
};

#define N_UNITS (sizeof(units) / sizeof(units[0]))

int parse_duration(const char *s, uint32_t *out)
{
	uint64_t n = 0;
	uint32_t mult = 1;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	if (*p != '\0') {
		size_t i;

		for (i = 0; i < N_UNITS && units[i].suffix != *p; i++)
			;
		if (i == N_UNITS || p[1] != '\0')
			return -1;
		mult = units[i].seconds;
	}
	if (n * mult > UINT32_MAX)
		return -1;
	*out = (uint32_t)(n * mult);
	return 0;
}

void format_duration(int64_t seconds, char *buf, size_t size)
{
	uint64_t left = seconds > 0 ? (uint64_t)seconds : 0;
	uint64_t big, small;
	size_t i;

	/* The largest unit that fits, then the next one down: "1d2h" says
	 * enough for a status table; the rest is cut, not rounded. */
	for (i = N_UNITS - 1; i > 0 && left < units[i].seconds; i--)
		;
	big = left / units[i].seconds;
	small = i > 0 ? left % units[i].seconds / units[i - 1].seconds : 0;
	if (small == 0)
		snprintf(buf, size, "%llu%c", (unsigned long long)big,
			 units[i].suffix);
	else
		snprintf(buf, size, "%llu%c%llu%c", (unsigned long long)big,
			 units[i].suffix, (unsigned long long)small,
			 units[i - 1].suffix);
}
