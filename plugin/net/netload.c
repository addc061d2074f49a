/*
 * On-demand loading of the network module, so that a process that only
 * reads the cache never pays for linking libcurl.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "netload.h"
#include "safefile.h"

/* Like a provider: ours or root's, writable by nobody else. */
static const struct file_rules module_rules = {"network module", 022, 1, 0};

askcred_status netload_self_dir(char *dir, size_t size,
				struct askcred_error *err)
{
	Dl_info info;
	const char *slash;
	char real[PATH_MAX];

	/* The address of one of our own functions names the object we live
	 * in: the provider's .so when linked into it. */
	if (dladdr((const void *)netload_self_dir, &info) == 0 ||
	    info.dli_fname == NULL)
		return err_set(err, ASKCRED_INTERNAL, "dladdr",
			       "cannot tell which file the provider was "
			       "loaded from");
	if (realpath(info.dli_fname, real) == NULL)
		return err_set(err, ASKCRED_INTERNAL, info.dli_fname,
			       "cannot resolve the provider's own path");
	slash = strrchr(real, '/');
	if (slash == NULL || (size_t)(slash - real) + 1 > size)
		return err_set(err, ASKCRED_INTERNAL, real,
			       "provider path too long");
	memcpy(dir, real, (size_t)(slash - real));
	dir[slash - real] = '\0';
	if (dir[0] == '\0')
		snprintf(dir, size, "/");
	return ASKCRED_OK;
}

askcred_status netload_check(const struct net_ops *ops, const char *path,
			     struct askcred_error *err)
{
	if (ops == NULL)
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "network module refuses interface version "
			       "%u.%u",
			       NET_OPS_MAJOR, NET_OPS_MINOR);
	if ((ops->version >> 16) != NET_OPS_MAJOR)
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "network module speaks interface %u.%u, we "
			       "need %u.x",
			       ops->version >> 16, ops->version & 0xffffu,
			       NET_OPS_MAJOR);
	if (ops->struct_size < sizeof(*ops))
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "network module table is %u bytes, we need "
			       "%zu (a module older than the provider)",
			       ops->struct_size, sizeof(*ops));
	if (ops->record_size != sizeof(struct token_record) ||
	    ops->token_info_size != sizeof(struct net_token_info))
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "network module was built from other sources "
			       "(record sizes %u/%u, ours %zu/%zu)",
			       ops->record_size, ops->token_info_size,
			       sizeof(struct token_record),
			       sizeof(struct net_token_info));
	if (ops->client_new == NULL || ops->client_free == NULL ||
	    ops->token_create == NULL || ops->token_list == NULL ||
	    ops->token_list_free == NULL || ops->token_delete == NULL ||
	    ops->token_lookup == NULL || ops->broker_fetch == NULL ||
	    ops->get_document == NULL || ops->doc_free == NULL ||
	    ops->retry_not_before == NULL)
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "network module table has empty members");
	return ASKCRED_OK;
}

askcred_status netload_from_dir(const char *dir, const struct net_ops **ops,
				struct askcred_error *err)
{
	char path[PATH_MAX];
	net_entry_fn entry;
	askcred_status rc;
	void *dl;
	int fd = -1;

	*ops = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, NET_MODULE_NAME) >=
	    (int)sizeof(path))
		return err_set(err, ASKCRED_CONFIG_ERROR, dir,
			       "module directory path too long");
	rc = safe_check_dir(dir, "module directory", err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = safe_open_read(path, &module_rules, &fd, err);
	if (fd >= 0)
		close(fd);
	if (rc == ASKCRED_NOT_FOUND)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "%s is missing; it is needed to reach a server "
			       "(install it next to the provider)",
			       NET_MODULE_NAME);
	if (rc != ASKCRED_OK)
		return rc;
	/* RTLD_LOCAL: libcurl's symbols stay out of the host's namespace. */
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "cannot load the network module: %s", dlerror());
	*(void **)&entry = dlsym(dl, NET_ENTRY_SYMBOL);
	if (entry == NULL) {
		dlclose(dl);
		return err_set(err, ASKCRED_ABI_MISMATCH, path,
			       "not a network module: no %s", NET_ENTRY_SYMBOL);
	}
	*ops = entry(NET_OPS_VERSION);
	rc = netload_check(*ops, path, err);
	if (rc != ASKCRED_OK) {
		*ops = NULL;
		dlclose(dl);
		return rc;
	}
	/* dl is never closed: threads may be inside the module, and
	 * unloading libcurl/OpenSSL from a live process is not safe. */
	return ASKCRED_OK;
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const struct net_ops *loaded;
static struct askcred_error load_err = ASKCRED_ERROR_INIT;

static void load(void)
{
	char dir[PATH_MAX];

	if (netload_self_dir(dir, sizeof(dir), &load_err) == ASKCRED_OK)
		netload_from_dir(dir, &loaded, &load_err);
}

askcred_status netload_ops(const struct net_ops **ops,
			   struct askcred_error *err)
{
	pthread_once(&load_once, load);
	*ops = loaded;
	if (loaded != NULL)
		return ASKCRED_OK;
	/* The outcome of the one attempt, copied for every caller. */
	return err_set(err,
		       load_err.code != ASKCRED_OK ? load_err.code
						   : ASKCRED_INTERNAL,
		       load_err.where, "%s", load_err.message);
}
