/*
 * policy-check: lint and verify a policy document the way a host loads it,
 * for the shell tests (and a model for "askcred policy check FILE").
 *
 *   policy-check [-k PUBKEY]... [-s SIG] [-S STATE_DIR] [-l LABELS] FILE
 *
 * Prints the description of the policy and exits 0, or prints
 * "error: WHERE: MESSAGE" and exits 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "policy_store.h"

#define KEYS_MAX 8

int main(int argc, char **argv)
{
	const char *keys[KEYS_MAX];
	struct policy_store_config cfg = {NULL, NULL, keys, 0, NULL};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store *s = NULL;
	const char *labels = NULL;
	int64_t now = (int64_t)time(NULL);
	static char text[16384];
	int c, rc = 1;

	while ((c = getopt(argc, argv, "k:s:S:l:")) != -1) {
		switch (c) {
		case 'k':
			if (cfg.n_keys == KEYS_MAX) {
				fprintf(stderr, "too many keys\n");
				return 2;
			}
			keys[cfg.n_keys++] = optarg;
			break;
		case 's':
			cfg.sig_file = optarg;
			break;
		case 'S':
			cfg.state_dir = optarg;
			break;
		case 'l':
			labels = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: policy-check [-k PUBKEY]... [-s "
				"SIG] [-S STATE_DIR] [-l LABELS] FILE\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "policy-check: one FILE expected\n");
		return 2;
	}
	cfg.file = argv[optind];
	if (policy_store_open(&cfg, &s, &err) == ASKCRED_OK &&
	    policy_store_load_file(s, now, &err) == ASKCRED_OK) {
		policy_describe(s, labels, now, text, sizeof(text));
		fputs(text, stdout);
		rc = 0;
	} else {
		printf("error: %s: %s\n", err.where, err.message);
	}
	policy_store_free(s);
	return rc;
}
