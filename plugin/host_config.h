/* askcred.conf: the settings every stack line of this host shares (the
 * policy, the cache, the parent credential, the API URL and CA), read once
 * per open() from $(sysconfdir)/askcred/askcred.conf and then the user's
 * $XDG_CONFIG_HOME/askcred/askcred.conf, or only from $ASKCRED_CONFIG
 * ("none": no file at all). Lines are "key=value"; which keys are allowed
 * and which a later layer may not change is plugin_config.c's business. */
#ifndef ASKCRED_PLUGIN_HOST_CONFIG_H
#define ASKCRED_PLUGIN_HOST_CONFIG_H

#include <stddef.h>

#include <askcred/provider.h>

#define HOST_CONFIG_MAX (64 * 1024)

struct host_setting {
	const char *file; /* points into host_config.files */
	unsigned line;
	char *key;
	char *value;
};

struct host_config {
	char *files[2];
	struct host_setting *settings;
	size_t count;
};

/* Read the files in order into hc, one setting per "key=value" line in
 * file order (a key may repeat across files; plugin_config.c decides).
 * A missing default file is no error; a missing $ASKCRED_CONFIG is. Errors
 * name file:line. On failure hc is empty. Free with host_config_free(). */
askcred_status host_config_load(struct host_config *hc,
				struct askcred_error *err);

/* Read one named file (tests, and $ASKCRED_CONFIG). */
askcred_status host_config_load_file(struct host_config *hc, const char *path,
				     int must_exist, struct askcred_error *err);

void host_config_free(struct host_config *hc);

#endif
