/* The one duration grammar of askcred: module arguments, policy
 * documents and the command's options all read durations here, so
 * "1h30m" means the same everywhere. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "duration.h"

static const struct {
	char unit;
	uint64_t secs;
} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

#define N_UNITS (sizeof(units) / sizeof(units[0]))

int duration_parse(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t total = 0;
	size_t next_unit = 0; /* units must come in decreasing order */
	const char *p = s;
	int too_large = 0; /* reported only once the whole text is read */

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		uint64_t n = 0, mult = 0;

		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			if (n > (UINT64_MAX - 9) / 10)
				too_large = 1;
			else
				n = n * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (*p == '\0' && p == s + strspn(s, "0123456789")) {
			mult = 1; /* bare number: seconds */
		} else {
			for (; next_unit < N_UNITS; next_unit++)
				if (units[next_unit].unit == *p)
					break;
			if (next_unit == N_UNITS)
				return -1;
			mult = units[next_unit++].secs;
			p++;
		}
		if (too_large || total > max || n > (max - total) / mult)
			too_large = 1;
		else
			total += n * mult;
	}
	if (too_large)
		return -2;
	*out = total;
	return 0;
}
