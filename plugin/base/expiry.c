#include "config.h"

#include <stdio.h>

#include "error.h"
#include "expiry.h"
#include "timefmt.h"

askcred_status expiry_check(int64_t expires_at, int64_t now,
			    uint32_t min_validity, const char *where,
			    struct askcred_error *err)
{
	char when[RFC3339_BUFSZ], left[DURATION_BUFSZ], want[DURATION_BUFSZ];

	if (expires_at == 0)
		return ASKCRED_OK;
	if (rfc3339_format(expires_at, when) != 0)
		snprintf(when, sizeof(when), "%lld", (long long)expires_at);
	if (expires_at <= now) {
		duration_format((uint64_t)(now - expires_at), left);
		return err_set(err, ASKCRED_EXPIRED, where,
			       "token expired at %s (%s ago)", when, left);
	}
	if ((uint64_t)(expires_at - now) < min_validity) {
		duration_format((uint64_t)(expires_at - now), left);
		duration_format(min_validity, want);
		return err_set(err, ASKCRED_EXPIRED, where,
			       "token expires in %s (at %s), wanted at least "
			       "%s",
			       left, when, want);
	}
	return ASKCRED_OK;
}
