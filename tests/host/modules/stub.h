/* The skeleton of the broken and minimal test providers: open, close and
 * release only. Each module defines STUB_NAME, STUB_ABI (its ABI version)
 * and STUB_SIZE (the struct_size it declares), then includes this. open()
 * accepts only "known=..." arguments, refusing anything else the way a
 * real provider must. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <askcred/provider.h>

static askcred_status stub_open(const struct askcred_host *host, int argc,
				const char *const *argv, void **handle,
				struct askcred_error *err)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "known=", 6) != 0) {
			err->code = ASKCRED_CONFIG_ERROR;
			snprintf(err->where, sizeof(err->where), "%s", argv[i]);
			snprintf(err->message, sizeof(err->message),
				 "unknown argument \"%s\"", argv[i]);
			return ASKCRED_CONFIG_ERROR;
		}
	*handle = calloc(1, 1);
	return *handle ? ASKCRED_OK : ASKCRED_NO_MEMORY;
}

static void stub_close(void *handle)
{
	free(handle);
}

static void stub_release(void *handle, struct askcred_credential *cred)
{
	free(cred);
}

static const struct askcred_provider stub_provider = {
	.struct_size = STUB_SIZE,
	.abi_version = STUB_ABI,
	.name = STUB_NAME,
	.version = "1",
	.open = stub_open,
	.close = stub_close,
	.release = stub_release,
};

ASKCRED_PROVIDER_EXPORT const struct askcred_provider *
askcred_provider_entry(uint32_t host_abi_version);

/* Answers any host: the host, not the module, must catch a mismatch. */
const struct askcred_provider *askcred_provider_entry(uint32_t host_abi_version)
{
	return &stub_provider;
}
