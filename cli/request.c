/* What every credential-fetching command shares: the request options
 * (--purpose, --min-validity, --lifetime, --no-cache, --force-refresh)
 * with the parsing of every command's options, and fetching one
 * credential through the stack. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "text.h"

/* A purpose lands in audit lines and token names: printable, bounded. */
static int purpose_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 128)
		return 0;
	return text_control_at(s, len) == len;
}

enum {
	OPT_HELP = 'h',
	OPT_PURPOSE = 0x100,
	OPT_MIN_VALIDITY,
	OPT_LIFETIME,
	OPT_NO_CACHE,
	OPT_FORCE_REFRESH,
	OPT_FORMAT,
	OPT_JSON,
	OPT_RUNNER_CONFIG,
	OPT_RENEW,
	OPT_ON_RENEW,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_OVERLAP,
};

/* Every command option, once; a command accepts the ones it lists. */
static const struct option all_options[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"json", no_argument, NULL, OPT_JSON},
	{"purpose", required_argument, NULL, OPT_PURPOSE},
	{"min-validity", required_argument, NULL, OPT_MIN_VALIDITY},
	{"lifetime", required_argument, NULL, OPT_LIFETIME},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"force-refresh", no_argument, NULL, OPT_FORCE_REFRESH},
	{"runner-config", required_argument, NULL, OPT_RUNNER_CONFIG},
	{"renew", no_argument, NULL, OPT_RENEW},
	{"on-renew", required_argument, NULL, OPT_ON_RENEW},
	{"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"overlap", required_argument, NULL, OPT_OVERLAP},
	{"help", no_argument, NULL, OPT_HELP},
};

#define N_ALL (sizeof(all_options) / sizeof(all_options[0]))

/* name is one of the comma-separated words of list ("help" always is). */
static int listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	if (strcmp(name, "help") == 0)
		return 1;
	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

static int duration_option(const char *cmd, const char *name, const char *arg,
			   uint32_t *out)
{
	int rc = parse_duration(arg, out);

	if (rc == 0)
		return -1;
	if (rc == -2)
		return usage_error(cmd, "--%s: '%s' is too large (at most %ud)",
				   name, arg, (unsigned)(UINT32_MAX / 86400));
	return usage_error(cmd,
			   "--%s: '%s' is not a duration (like 90s, 30m, "
			   "1h30m, 2d)",
			   name, arg);
}

/* Apply one option; -1 to go on, or the exit status to end with. */
static int apply(const char *cmd, int opt, const char *arg, struct cmd_args *a)
{
	switch (opt) {
	case OPT_FORMAT:
		a->format = arg;
		return -1;
	case OPT_JSON:
		a->json = 1;
		return -1;
	case OPT_RUNNER_CONFIG:
		a->runner_config = arg;
		return -1;
	case OPT_RENEW:
		a->renew.on = 1;
		return -1;
	case OPT_ON_RENEW:
		a->renew.on_renew = arg;
		return -1;
	case OPT_STOP_SIGNAL:
		a->renew.stop_signal = arg;
		return -1;
	case OPT_STOP_TIMEOUT:
		a->renew.stop_timeout_set = 1;
		return duration_option(cmd, "stop-timeout", arg,
				       &a->renew.stop_timeout);
	case OPT_OVERLAP:
		a->renew.overlap_set = 1;
		return duration_option(cmd, "overlap", arg, &a->renew.overlap);
	case OPT_PURPOSE:
		if (!purpose_ok(arg))
			return usage_error(cmd, "--purpose must be 1 to 128 "
						"printable characters");
		a->req.purpose = arg;
		return -1;
	case OPT_MIN_VALIDITY:
		return duration_option(cmd, "min-validity", arg,
				       &a->req.min_validity);
	case OPT_LIFETIME:
		return duration_option(cmd, "lifetime", arg, &a->req.lifetime);
	case OPT_NO_CACHE:
		a->req.flags |= ASKCRED_REQ_NO_CACHE;
		return -1;
	case OPT_FORCE_REFRESH:
		a->req.flags |= ASKCRED_REQ_FORCE_REFRESH;
		return -1;
	default: /* OPT_HELP */
		print_help(cmd);
		return EXIT_OK;
	}
}

int parse_command(const char *cmd, int argc, char **argv, const char *accepted,
		  int operands, struct cmd_args *a)
{
	struct option options[N_ALL + 1];
	size_t n = 0;
	int c, ex;

	memset(a, 0, sizeof(*a));
	a->req.struct_size = sizeof(a->req);
	for (size_t i = 0; i < N_ALL; i++)
		if (listed(accepted, all_options[i].name))
			options[n++] = all_options[i];
	memset(&options[n], 0, sizeof(options[n]));

	opterr = 0; /* errors are reported in one line by option_error() */
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return option_error(cmd, c, argv);
		ex = apply(cmd, c, optarg, a);
		if (ex >= 0)
			return ex;
	}
	if (!operands && optind < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind]);
	return -1;
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
