/* How every part of the command reports a usage error: one line on
 * stderr that names the command and points at its --help. main.c (global
 * options) and request.c (command options) both use it, so it sits below
 * both instead of in either. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "usage.h"

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	char raw[512], message[512];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* It may quote an argument a script passed on from elsewhere. */
	sanitize_text(message, sizeof(message), raw);
	fputs("askcred: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd);
	fputs(message, stderr);
	json_error_out(EXIT_USAGE, "usage error", cmd, message, NULL, NULL);
	fprintf(stderr, "; try 'askcred %s%s--help'\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

int option_error(const char *cmd, int c, char **argv)
{
	char short_opt[3] = {'-', (char)optopt, '\0'};
	/* optopt is the letter of a bad short option; for a long one the
	 * word itself is the last one getopt looked at. */
	const char *opt =
		optopt > 0 && optopt < 0x80 ? short_opt : argv[optind - 1];

	if (c == ':')
		return usage_error(cmd, "option %s needs a value", opt);
	return usage_error(cmd, "unknown option %s", opt);
}
