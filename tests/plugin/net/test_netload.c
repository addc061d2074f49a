/* The on-demand loader: it finds the network module next to the object it
 * is linked into (never through the environment), checks version and table
 * size, and loads once. */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "netload.h"
#include "tap.h"

typedef askcred_status (*probe_fn)(const struct net_ops **,
				   struct askcred_error *);

static probe_fn probe;

static void *probe_thread(void *arg)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct net_ops **out = arg;

	if (probe(out, &err) != ASKCRED_OK)
		*out = NULL;
	return NULL;
}

static void check_tables(const struct net_ops *good)
{
	struct net_ops t = *good;
	struct askcred_error err = ASKCRED_ERROR_INIT;

	is_int(netload_check(good, "m", &err), ASKCRED_OK,
	       "the module's own table is accepted");
	is_int(netload_check(NULL, "m", &err), ASKCRED_ABI_MISMATCH,
	       "a module that refuses our version is refused");
	t.version = (NET_OPS_MAJOR + 1) << 16;
	is_int(netload_check(&t, "m", &err), ASKCRED_ABI_MISMATCH,
	       "a module of another major version is refused");
	has_str(err.message, "interface 2.0", "the error names its version");
	t = *good;
	t.version = NET_OPS_VERSION + 1;
	is_int(netload_check(&t, "m", &err), ASKCRED_OK,
	       "a module of a newer minor version is accepted");
	t = *good;
	t.struct_size = sizeof(t) - sizeof(void *);
	is_int(netload_check(&t, "m", &err), ASKCRED_ABI_MISMATCH,
	       "a table smaller than ours is refused");
	t = *good;
	t.record_size = sizeof(struct token_record) + 8;
	is_int(netload_check(&t, "m", &err), ASKCRED_ABI_MISMATCH,
	       "a module built with another token_record is refused");
	has_str(err.message, "built from other sources",
		"the error says the module does not match");
	t = *good;
	t.token_lookup = NULL;
	is_int(netload_check(&t, "m", &err), ASKCRED_ABI_MISMATCH,
	       "a table with an empty member is refused");
}

int main(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct net_ops *ops = NULL, *again = NULL, *threaded[4];
	pthread_t th[4];
	char dir[PATH_MAX];
	void *dl;

	/* Linked into this program, the loader looks next to the program. */
	is_int(netload_self_dir(dir, sizeof(dir), &err), ASKCRED_OK,
	       "the loader finds the directory of its own object");
	has_str(dir, "tests/plugin/net", "which is this test's directory");
	is_int(netload_ops(&ops, &err), ASKCRED_CONFIG_ERROR,
	       "no module next to the test program: a configuration error");
	has_str(err.message, "askcred_askui_net.so",
		"the error names the missing module");
	is_int(netload_ops(&ops, &err), ASKCRED_CONFIG_ERROR,
	       "a failed load is remembered, not retried");

	/* Linked into a .so in plugin/.libs, it finds the real module. */
	dl = dlopen(NETLOAD_PROBE, RTLD_NOW | RTLD_LOCAL);
	ok(dl != NULL, "the probe module loads: %s", dl ? "" : dlerror());
	if (dl == NULL)
		return tap_done();
	*(void **)&probe = dlsym(dl, "netload_probe_ops");
	ok(probe != NULL, "the probe exports its function");
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, probe_thread, &threaded[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	is_int(probe(&ops, &err), ASKCRED_OK,
	       "the loader in plugin/.libs loads the network module: %s",
	       err.message);
	ok(ops != NULL && ops->version == NET_OPS_VERSION,
	   "the table speaks our version");
	for (int i = 0; i < 4; i++)
		ok(threaded[i] == ops,
		   "concurrent first calls (thread %d) get the one table", i);
	probe(&again, &err);
	ok(again == ops, "a second call returns the same table");
	if (ops != NULL)
		check_tables(ops);
	dlclose(dl);
	return tap_done();
}
