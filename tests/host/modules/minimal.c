/* A provider with no operations besides open/close/release: every
 * operation it lacks must count as "ignore". */
#define STUB_NAME "minimal"
#define STUB_ABI ASKCRED_ABI_VERSION
#define STUB_SIZE sizeof(struct askcred_provider)
#include "stub.h"
