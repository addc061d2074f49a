/* A provider that declares this host's ABI minor (1.2) but whose table
 * stops before that minor's last member (tokens): it promises operations
 * it does not hold, so the host must refuse it at load. */
#define STUB_NAME "short_minor"
#define STUB_ABI ASKCRED_ABI_VERSION
#define STUB_SIZE offsetof(struct askcred_provider, tokens)
#include "stub.h"
