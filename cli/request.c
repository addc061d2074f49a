/* What every credential-fetching command shares: the request options
 * (--purpose, --min-validity, --lifetime, --no-cache, --force-refresh)
 * and fetching one credential through the stack. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("askcred: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
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

/* A purpose lands in audit lines and token names: printable, bounded. */
static int purpose_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 128)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int request_option(const char *cmd, int opt, const char *arg,
		   struct askcred_request *req)
{
	switch (opt) {
	case OPT_PURPOSE:
		if (!purpose_ok(arg))
			return usage_error(cmd, "--purpose must be 1 to 128 "
						"printable characters");
		req->purpose = arg;
		return 1;
	case OPT_MIN_VALIDITY:
		if (parse_duration(arg, &req->min_validity) != 0)
			return usage_error(cmd,
					   "--min-validity: '%s' is not a "
					   "duration (like 90s, 30m, 2h, 1d)",
					   arg);
		return 1;
	case OPT_LIFETIME:
		if (parse_duration(arg, &req->lifetime) != 0)
			return usage_error(cmd,
					   "--lifetime: '%s' is not a duration "
					   "(like 90s, 30m, 2h, 1d)",
					   arg);
		return 1;
	case OPT_NO_CACHE:
		req->flags |= ASKCRED_REQ_NO_CACHE;
		return 1;
	case OPT_FORCE_REFRESH:
		req->flags |= ASKCRED_REQ_FORCE_REFRESH;
		return 1;
	default:
		return 0;
	}
}

int request_fetch(struct cli *cli, const char *cmd,
		  const struct askcred_request *req, int refresh,
		  const struct askcred_credential **out)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char what[64];
	askcred_status rc;
	int ex = cli_open_stack(cli);

	*out = NULL;
	if (ex != EXIT_OK)
		return ex;
	/* refresh runs the stack's "refresh" lines; --force-refresh asks
	 * the "fetch" lines for a new token through the request flag. */
	if (refresh)
		rc = askcred_refresh(cli->st, req, out, &err);
	else
		rc = askcred_fetch(cli->st, req, out, &err);
	if (rc == ASKCRED_OK && *out == NULL)
		rc = ASKCRED_INTERNAL; /* a library bug; never crash on it */
	if (rc != ASKCRED_OK) {
		snprintf(what, sizeof(what), "%s: %s", cmd,
			 refresh ? "cannot refresh the credential"
				 : "cannot fetch a credential");
		return report_failure(what, rc, &err);
	}
	return EXIT_OK;
}
