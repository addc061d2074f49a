/* The mock as a module built against ABI 1.0: its table stops before gc,
 * so the host must answer ASKCRED_IGNORE for it and never call gc. */
#define MOCK_ABI_1_0 1
#include "mock.c"
