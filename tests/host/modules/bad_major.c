/* A provider built for a future ABI major: the host must refuse it. */
#define STUB_NAME "bad_major"
#define STUB_ABI ((2u << 16) | 0u)
#define STUB_SIZE sizeof(struct askcred_provider)
#include "stub.h"
