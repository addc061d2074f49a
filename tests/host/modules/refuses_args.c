/* A provider whose open() refuses any argument but known=...; the host
 * must fail the stack with the module's message and the stack line. */
#define STUB_NAME "refuses_args"
#define STUB_ABI ASKCRED_ABI_VERSION
#define STUB_SIZE sizeof(struct askcred_provider)
#include "stub.h"
