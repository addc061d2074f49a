#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "leakcheck.h"

const char *const owner_name[OWN_N] = {"askcred", "OpenSSL error queue",
				       "json-c", "OpenSSL tables",
				       "other libraries"};

static const char *lib_of(const Dl_info *info)
{
	const char *slash;

	if (info->dli_fname == NULL)
		return "?";
	slash = strrchr(info->dli_fname, '/');
	return slash ? slash + 1 : info->dli_fname;
}

static int ours(const char *lib)
{
	return strncmp(lib, "askcred_", 8) == 0 ||
	       strcmp(lib, "test_alloc") == 0 || strcmp(lib, "cache_tool") == 0;
}

enum owner leak_describe(const struct failmalloc_leak *l, char *out, size_t max)
{
	enum owner own = OWN_OTHER;
	int decided = 0;
	size_t used = 0;

	used += (size_t)snprintf(out, max, "%zu bytes:", l->size);
	for (int i = 0; i < FAILMALLOC_FRAMES && l->frames[i]; i++) {
		Dl_info info;
		const char *lib;

		memset(&info, 0, sizeof(info));
		dladdr(l->frames[i], &info);
		lib = lib_of(&info);
		if (used < max && info.dli_sname != NULL)
			used += (size_t)snprintf(
				out + used, max - used, " %s(%s+0x%lx)", lib,
				info.dli_sname,
				(unsigned long)((char *)l->frames[i] -
						(char *)info.dli_saddr));
		else if (used < max)
			used += (size_t)snprintf(
				out + used, max - used, " %s+0x%lx", lib,
				(unsigned long)((char *)l->frames[i] -
						(char *)info.dli_fbase));
		/* An error-queue entry is made inside libcrypto on behalf of
		 * whoever failed; it lives until someone clears the queue. */
		if (info.dli_sname != NULL &&
		    strncmp(info.dli_sname, "ERR_", 4) == 0) {
			own = OWN_ERRQ;
			decided = 1;
		}
		if (decided || strncmp(lib, "libc.so", 7) == 0 ||
		    strncmp(lib, "ld-linux", 8) == 0)
			continue;
		decided = 1;
		if (ours(lib))
			own = OWN_ASKCRED;
		else if (strncmp(lib, "libjson-c", 9) == 0)
			own = OWN_JSONC;
		else if (strncmp(lib, "libcrypto", 9) == 0 ||
			 strncmp(lib, "libssl", 6) == 0)
			own = OWN_CRYPTO;
	}
	return own;
}
