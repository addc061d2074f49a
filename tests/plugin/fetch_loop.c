/* A long-running host, for the shell tests: opens one stack and keeps it
 * open, as a runner does. Each line on stdin is a number N: fetch (and
 * release) N times, then print "ok TOKEN_ID FLAGS POLICY_SERIAL" for the
 * last credential (TOKEN_ID "-" when unknown), or "error STATUS: MESSAGE", and
 * flush. End of input closes the stack. The token itself is never printed.
 *
 * usage: fetch_loop STACK_FILE */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <askcred/askcred.h>

static void log_to_stderr(void *ctx, int level, const char *message)
{
	(void)ctx;
	fprintf(stderr, "fetch_loop: <%d> %s\n", level, message);
}

static void fetch_n(askcred_stack *s, long n)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *c = NULL;
	struct askcred_request req;
	char token_id[ASKCRED_UUID_LEN + 1] = "";
	unsigned flags = 0;
	unsigned long long serial = 0;

	memset(&req, 0, sizeof(req));
	req.struct_size = sizeof(req);
	for (long i = 0; i < n; i++) {
		if (askcred_fetch(s, &req, &c, &err) != ASKCRED_OK) {
			printf("error %s: %s\n", askcred_strstatus(err.code),
			       err.message);
			return;
		}
		snprintf(token_id, sizeof(token_id), "%s", c->token_id);
		flags = c->flags;
		serial = (unsigned long long)c->policy_serial;
		askcred_release(s, c);
	}
	printf("ok %s %u %llu\n", token_id[0] ? token_id : "-", flags, serial);
}

int main(int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_options opts;
	askcred_stack *s = NULL;
	char line[64];

	if (argc != 2) {
		fprintf(stderr, "usage: fetch_loop STACK_FILE\n");
		return 2;
	}
	memset(&opts, 0, sizeof(opts));
	opts.struct_size = sizeof(opts);
	opts.log = log_to_stderr;
	if (askcred_stack_open(argv[1], &opts, &s, &err) != ASKCRED_OK) {
		fprintf(stderr, "fetch_loop: %s: %s\n",
			askcred_strstatus(err.code), err.message);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		long n = strtol(line, NULL, 10);

		fetch_n(s, n > 0 ? n : 1);
		fflush(stdout);
	}
	askcred_stack_close(s);
	return 0;
}
