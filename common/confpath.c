/* The XDG base directory rule for configuration, in one place. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "confpath.h"

int conf_user_dir(char *buf, size_t size)
{
	const char *xdg = secure_getenv("XDG_CONFIG_HOME");
	const char *home = secure_getenv("HOME");
	int n;

	/* A relative XDG_CONFIG_HOME is invalid per the spec: ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/askcred", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, size, "%s/.config/askcred", home);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}
