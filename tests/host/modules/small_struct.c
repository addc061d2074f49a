/* A provider whose table stops before the last ABI 1.0 member (status):
 * the host must refuse it rather than read past its end. */
#define STUB_NAME "small_struct"
#define STUB_ABI ASKCRED_ABI_VERSION
#define STUB_SIZE offsetof(struct askcred_provider, status)
#include "stub.h"
