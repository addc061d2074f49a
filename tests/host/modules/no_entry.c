/* A shared object that is not a provider: it has no
 * askcred_provider_entry. The host must say so, not crash. */
#include "config.h"

#include <askcred/provider.h>

ASKCRED_PROVIDER_EXPORT int askcred_not_a_provider(void);

int askcred_not_a_provider(void)
{
	return 42;
}
