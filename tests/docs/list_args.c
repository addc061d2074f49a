/* Prints the AskUI provider's module arguments, one name per line, straight
 * from the table the parser uses (config_describe()), so
 * test_manpages.sh can compare askcred.conf(5) against the code rather
 * than against a second list that could drift too. */
#include "config.h"

#include <stdio.h>

#include "plugin_config.h"

static void print_name(void *ctx, const char *name, const char *type,
		       const char *def, const char *help)
{
	FILE *out = ctx;

	fprintf(out, "%s\n", name);
}

int main(void)
{
	config_describe(print_name, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
