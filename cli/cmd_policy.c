/* askcred policy check FILE: lint and verify a policy document exactly as
 * a host loads it (the plugin's policy library, linked in), before it is
 * published. askcred policy show: the policy in force, as the stack's
 * providers report it in their status entries. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"
#include "output.h"
#include "policy/policy_store.h"

#define KEYS_MAX 16

enum { OPT_SIG = 0x100, OPT_KEY, OPT_LABELS, OPT_JSON, OPT_HELP = 'h' };

/* One JSON object of n string members (key, value pairs), on stdout. */
static int print_json_object(int n, ...)
{
	json_object *o = json_object_new_object();
	int bad = o == NULL;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *key = va_arg(ap, const char *);
		const char *value = va_arg(ap, const char *);

		bad = bad || json_add_string(o, key, value, strlen(value));
	}
	va_end(ap);
	return json_print_line(o, bad) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static int policy_check_cmd(int argc, char **argv)
{
	static const struct option options[] = {
		{"sig", required_argument, NULL, OPT_SIG},
		{"key", required_argument, NULL, OPT_KEY},
		{"labels", required_argument, NULL, OPT_LABELS},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *keys[KEYS_MAX];
	struct policy_store_config cfg = {NULL, NULL, keys, 0, NULL};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store *s = NULL;
	const struct policy *p = NULL;
	const char *labels = NULL;
	int64_t now = (int64_t)time(NULL);
	askcred_status rc;
	char *text = NULL;
	int c, ex, json = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_SIG:
			cfg.sig_file = optarg;
			break;
		case OPT_KEY:
			if (cfg.n_keys == KEYS_MAX)
				return usage_error("policy check",
						   "at most %d --key options",
						   KEYS_MAX);
			keys[cfg.n_keys++] = optarg;
			break;
		case OPT_LABELS:
			labels = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			print_help("policy");
			return EXIT_OK;
		default:
			return option_error("policy check", c, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error("policy check", "give one policy FILE");
	if (cfg.sig_file != NULL && cfg.n_keys == 0)
		return usage_error("policy check",
				   "--sig needs a --key PEM to verify it with");
	cfg.file = argv[optind];
	text = malloc(16384);
	if (text == NULL) {
		fprintf(stderr, "askcred: policy check: out of memory\n");
		return EXIT_INTERNAL;
	}
	/* No state directory: a check never records a serial, so checking a
	 * draft cannot make the host refuse the published one later. */
	rc = policy_store_open(&cfg, &s, &err);
	if (rc == ASKCRED_OK)
		rc = policy_store_load_file(s, now, &err);
	if (rc == ASKCRED_OK)
		rc = policy_store_current(s, now, &p, &err);
	if (rc != ASKCRED_OK) {
		ex = report_failure_hint(
			"policy check", rc, &err,
			rc == ASKCRED_DENIED
				? "sign the exact bytes with the private half "
				  "of a --key (see askcred-policy(5))"
			: rc == ASKCRED_NOT_FOUND
				? "check the path"
				: "fix the document and check it again (see "
				  "askcred-policy(5))");
		goto out;
	}
	policy_describe(s, labels, now, text, 16384);
	ex = EXIT_OK;
	if (json)
		ex = print_json_object(3, "file", cfg.file, "result", "ok",
				       "description", text);
	else
		printf("%s: ok\n%s", cfg.file, text);
out:
	policy_store_free(s);
	free(text);
	return ex;
}

struct shown {
	int json;
	json_object *array; /* json: the entries so far */
	int failed;	    /* json: out of memory */
	int n;
};

static void on_policy(void *ctx, const struct askcred_entry_info *entry)
{
	struct askcred_entry_info e;
	struct shown *sh = ctx;
	char note[512], source[64];

	memset(&e, 0, sizeof(e));
	memcpy(&e, entry,
	       entry->struct_size < sizeof(e) ? entry->struct_size : sizeof(e));
	if (!(e.flags & ASKCRED_ENTRY_POLICY))
		return;
	sanitize_text(note, sizeof(note), e.note ? e.note : "");
	sanitize_text(source, sizeof(source), e.source ? e.source : "-");
	/* The note is the provider's summary: serial, origin, signature,
	 * or why no policy is valid. */
	if (sh->json) {
		json_object *o = json_object_new_object();

		if (o == NULL ||
		    json_add_string(o, "source", source, strlen(source)) ||
		    json_add(o, "policy_serial",
			     e.policy_serial != 0
				     ? json_object_new_uint64(e.policy_serial)
				     : NULL) ||
		    json_add_string(o, "note", note, strlen(note)) ||
		    json_object_array_add(sh->array, o) != 0) {
			json_object_put(o);
			sh->failed = 1;
		}
	} else if (note[0] != '\0')
		printf("%s: %s\n", source, note);
	else if (e.policy_serial != 0)
		printf("%s: policy serial %llu\n", source,
		       (unsigned long long)e.policy_serial);
	else
		printf("%s: no valid policy, nothing is handed out\n", source);
	sh->n++;
}

static int policy_show_cmd(struct cli *cli, int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct shown sh = {0, NULL, 0, 0};
	struct cmd_args a;
	askcred_status rc;
	int ex = parse_command("policy", argc, argv, "json", 0, &a);

	if (ex >= 0)
		return ex;
	ex = cli_open_stack(cli);
	if (ex != EXIT_OK)
		return ex;
	sh.json = a.json;
	if (sh.json && (sh.array = json_object_new_array()) == NULL)
		sh.failed = 1;
	rc = askcred_status_list(cli->st, on_policy, &sh, &err);
	if (rc != ASKCRED_OK && rc != ASKCRED_IGNORE) {
		json_object_put(sh.array);
		return report_failure("policy show: cannot ask the stack", rc,
				      &err);
	}
	if (sh.failed) {
		json_object_put(sh.array);
		fprintf(stderr, "askcred: policy show: out of memory\n");
		return EXIT_INTERNAL;
	}
	if (sh.json)
		json_print(sh.array);
	else if (sh.n == 0)
		printf("no policy configured in this stack\n");
	json_object_put(sh.array);
	return EXIT_OK;
}

/* Why the current credential is, or is not, allowed: the stack fetches it
 * (a denial there is the answer) and the validate operation judges it
 * again under the policy in force, with the policy's sentence. */
static int policy_explain_cmd(struct cli *cli, int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	struct cmd_args a;
	char ws[ASKCRED_UUID_LEN + 1], id[ASKCRED_UUID_LEN + 1], src[32];
	askcred_status rc;
	int ex = parse_command("policy", argc, argv,
			       "purpose,min-validity,json", 0, &a);

	if (ex >= 0)
		return ex;
	ex = request_fetch(cli, "policy explain", &a.req, 0, &cred);
	if (ex != EXIT_OK)
		return ex;
	sanitize_text(ws, sizeof(ws), cred->workspace_id);
	sanitize_text(id, sizeof(id), cred->token_id[0] ? cred->token_id : "-");
	sanitize_text(src, sizeof(src), cred->source);
	rc = askcred_validate(cli->st, cred, &err);
	if (rc == ASKCRED_OK && a.json) {
		char serial[24];

		snprintf(serial, sizeof(serial), "%llu",
			 (unsigned long long)cred->policy_serial);
		ex = print_json_object(5, "result", "allowed", "token_id",
				       cred->token_id[0] ? id : "",
				       "workspace_id", ws, "source", src,
				       "policy_serial", serial);
	} else if (rc == ASKCRED_OK) {
		printf("allowed: token %s of workspace %s from %s", id, ws,
		       src);
		if (cred->policy_serial != 0)
			printf(", handed out under policy serial %llu",
			       (unsigned long long)cred->policy_serial);
		printf("\n");
		ex = EXIT_OK;
	} else {
		ex = report_failure("policy explain: not allowed", rc, &err);
	}
	askcred_release(cli->st, cred);
	return ex;
}

int cmd_policy(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		/* A usage error: the help goes with it, on stderr. */
		print_help_on(stderr, "policy");
		return usage_error("policy", "give a subcommand (check, show, "
					     "explain)");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help("policy");
		return EXIT_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return policy_check_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return policy_show_cmd(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return policy_explain_cmd(cli, argc - 1, argv + 1);
	return usage_error("policy",
			   "unknown subcommand '%s' (check, show, explain)",
			   argv[1]);
}
