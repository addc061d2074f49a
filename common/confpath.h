/* Where askcred's configuration lives: the host-wide directory fixed at
 * build time ($(sysconfdir)/askcred) and a user's own directory
 * ($XDG_CONFIG_HOME/askcred, else ~/.config/askcred). Shared by the plugin,
 * which reads askcred.conf from both, and the command, which finds a
 * user's stacks and writes them (askcred setup). */
#ifndef ASKCRED_COMMON_CONFPATH_H
#define ASKCRED_COMMON_CONFPATH_H

#include <stddef.h>

/* The host-wide configuration file's name inside either directory. */
#define CONF_FILE_NAME "askcred.conf"

/* The user's askcred directory into buf. 0, or -1 when neither
 * XDG_CONFIG_HOME nor HOME is an absolute path or buf is too small. */
int conf_user_dir(char *buf, size_t size);

#endif
