/*
 * Loading the network module on demand. The provider links this (no
 * libcurl); the first call that must reach a server loads
 * askcred_askui_net.so from the directory the provider itself was loaded
 * from (found with dladdr, never from the environment), checks its version
 * and table size, and keeps it loaded until the process exits.
 */
#ifndef ASKCRED_PLUGIN_NET_NETLOAD_H
#define ASKCRED_PLUGIN_NET_NETLOAD_H

#include <stddef.h>

#include "net.h"

/* The module's table, loading it on the first call. Thread-safe: one load
 * per process; its outcome (table or error) is kept and every later call
 * returns the same. *ops is static in the module, never freed. */
askcred_status netload_ops(const struct net_ops **ops,
			   struct askcred_error *err);

/* The directory holding the object this code was linked into (the
 * provider's .so, or a program). Exposed for the tests. */
askcred_status netload_self_dir(char *dir, size_t size,
				struct askcred_error *err);

/* Load the module from dir, not once-guarded: for netload_ops and the
 * tests. The dlopen handle is deliberately never closed. */
askcred_status netload_from_dir(const char *dir, const struct net_ops **ops,
				struct askcred_error *err);

/* Accept a table only if it speaks our major and has every member we
 * call. path is for messages. */
askcred_status netload_check(const struct net_ops *ops, const char *path,
			     struct askcred_error *err);

#endif
