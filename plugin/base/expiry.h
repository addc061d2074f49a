/* The one expiry rule every source, the cache and validate() share. */
#ifndef ASKCRED_PLUGIN_EXPIRY_H
#define ASKCRED_PLUGIN_EXPIRY_H

#include <stdint.h>

#include <askcred/provider.h>

/* Is a credential expiring at expires_at (0: never) still good at now for
 * at least min_validity seconds? ASKCRED_OK, or ASKCRED_EXPIRED with a
 * message like "token expires in 4m, wanted at least 30m" and where as
 * given (file, variable or field). */
askcred_status expiry_check(int64_t expires_at, int64_t now,
			    uint32_t min_validity, const char *where,
			    struct askcred_error *err);

#endif
