/* Names and versions: static strings, safe from any thread. */
#include "config.h"

#include <askcred/askcred.h>

#include "error.h"

const char *askcred_strstatus(askcred_status status)
{
	return status_name(status);
}

const char *askcred_version(void)
{
	return PACKAGE_VERSION;
}
