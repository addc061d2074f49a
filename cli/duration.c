/* Durations on the command line, read by the one parser the module and
 * the policy use (common/duration.c): "90s", "1h30m", "2d" or plain
 * seconds. The result must fit the 32-bit fields of struct
 * askcred_request. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "duration.h"

/* For format_duration: largest unit last. */
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
	uint64_t v;
	int rc = duration_parse(s, UINT32_MAX, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
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
