/* A stand-in for the provider in the loader test: a shared object built in
 * plugin/.libs, next to the network module, that links the loader exactly
 * as the provider does. */
#include "config.h"

#include "netload.h"

askcred_status netload_probe_ops(const struct net_ops **ops,
				 struct askcred_error *err);

__attribute__((visibility("default"))) askcred_status
netload_probe_ops(const struct net_ops **ops, struct askcred_error *err)
{
	return netload_ops(ops, err);
}
