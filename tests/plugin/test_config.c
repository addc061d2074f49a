/* Module arguments: defaults, accepted forms, and every refusal naming the
 * argument without quoting its value. */
#include "config.h"

#include <string.h>

#include "error.h"
#include "plugin_config.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define MAXARGS 4

static const struct {
	const char *name;
	const char *argv[MAXARGS];
	const char *where;   /* expected err.where */
	const char *message; /* expected substring of err.message */
} refused[] = {
	{"unknown_argument_is_refused",
	 {"colour=blue"},
	 "colour",
	 "unknown module argument 'colour'"},
	{"unknown_argument_suggests_the_closest_one",
	 {"workspce=x"},
	 "workspce",
	 "unknown module argument 'workspce'; did you mean 'workspace'?"},
	{"unknown_argument_far_from_all_names_points_to_the_man_page",
	 {"colour=x"},
	 "colour",
	 "see askcred.conf(5) for the arguments"},
	{"argument_without_value_is_refused",
	 {"cache"},
	 "cache",
	 "needs a value"},
	{"duplicate_argument_is_refused",
	 {"entry=a", "entry=b"},
	 "entry",
	 "given twice"},
	{"duplicate_is_refused_even_when_equal",
	 {"cache=on", "cache=on"},
	 "cache",
	 "given twice"},
	{"bad_duration_unit_is_refused",
	 {"min_validity=30x"},
	 "min_validity",
	 "expected a duration"},
	{"negative_duration_is_refused",
	 {"advisory_window=-5m"},
	 "advisory_window",
	 "expected a duration"},
	{"duration_over_range_is_refused_as_too_large",
	 {"advisory_window=2d"},
	 "advisory_window",
	 "'advisory_window' is too large: at most 1d"},
	{"huge_duration_is_too_large_not_malformed",
	 {"lifetime=99999d"},
	 "lifetime",
	 "'lifetime' is too large: at most 30d"},
	{"duration_under_range_is_too_small",
	 {"lifetime=1m"},
	 "lifetime",
	 "'lifetime' is too small: at least 5m"},
	{"empty_duration_is_refused",
	 {"mandatory_window="},
	 "mandatory_window",
	 "expected a duration"},
	{"bad_boolean_is_refused",
	 {"cache=maybe"},
	 "cache",
	 "expected on or off"},
	{"relative_credentials_path_is_refused",
	 {"credentials=creds.json"},
	 "credentials",
	 "absolute path"},
	{"relative_cache_dir_is_refused",
	 {"cache_dir=./cache"},
	 "cache_dir",
	 "absolute path"},
	{"bad_workspace_is_refused",
	 {"workspace=not-a-uuid"},
	 "workspace",
	 "UUID"},
	{"uuid_v1_workspace_is_refused",
	 {"workspace=9cf30c31-ea1e-1ff5-994a-c4a0dc70882f"},
	 "workspace",
	 "UUID"},
	{"entry_with_slash_is_refused",
	 {"entry=../x"},
	 "entry",
	 "expected a name"},
	{"entry_with_leading_dot_is_refused",
	 {"entry=.hidden"},
	 "entry",
	 "expected a name"},
	{"source_with_uppercase_is_refused",
	 {"source=Static"},
	 "source",
	 "expected static, mint, broker or exec"},
	{"plain_http_api_url_is_refused",
	 {"api_url=http://workspaces.askui.com/api/v1"},
	 "api_url",
	 "expected an https:// URL"},
	{"url_with_a_space_is_refused",
	 {"broker_url=https://broker.example.com/a b"},
	 "broker_url",
	 "expected an https:// URL"},
	{"relative_policy_key_is_refused",
	 {"policy_keys=/etc/askcred/a.pem,keys/b.pem"},
	 "policy_keys",
	 "expected absolute paths"},
	{"trailing_comma_in_policy_keys_is_refused",
	 {"policy_keys=/etc/askcred/a.pem,"},
	 "policy_keys",
	 "expected absolute paths"},
	{"empty_labels_are_refused", {"labels="}, "labels", "expected names"},
	{"labels_with_empty_name_are_refused",
	 {"labels=gpu,,linux"},
	 "labels",
	 "expected names"},
	{"two_cache_key_sources_are_refused",
	 {"cache_key_file=/k", "cache_passphrase_file=/p"},
	 "cache_key_file",
	 "at most one of"},
	{"policy_file_and_url_together_are_refused",
	 {"policy=/etc/askcred/policy.json",
	  "policy_url=https://example.com/policy.json"},
	 "policy_url",
	 "not both"},
	{"broker_cert_without_key_is_refused",
	 {"broker_cert=/etc/askcred/c.pem"},
	 "broker_key",
	 "go together"},
	{"parent_credentials_on_a_static_line_is_refused",
	 {"source=static", "parent_credentials=/etc/askcred/parent.json"},
	 "parent_credentials",
	 "read only by source=mint, not source=static; remove it"},
	{"parent_credentials_by_default_static_is_refused",
	 {"parent_credentials=/etc/askcred/parent.json"},
	 "parent_credentials",
	 "not source=static"},
	{"lifetime_under_five_minutes_is_refused",
	 {"lifetime=60s"},
	 "lifetime",
	 "too small: at least 5m"},
	{"mandatory_longer_than_advisory_is_refused",
	 {"advisory_window=5m", "mandatory_window=10m"},
	 "mandatory_window",
	 "must not be longer"},
};

static void check_refusals(void)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct plugin_config cfg;
		int argc = 0;
		askcred_status rc;

		while (argc < MAXARGS && refused[i].argv[argc] != NULL)
			argc++;
		rc = config_parse(argc, refused[i].argv, &cfg, &err);
		is_int(rc, ASKCRED_CONFIG_ERROR, "%s: status", refused[i].name);
		is_str(err.where, refused[i].where, "%s: names the argument",
		       refused[i].name);
		has_str(err.message, refused[i].message, "%s: says why",
			refused[i].name);
		ok(cfg.credentials == NULL && cfg.cache_dir == NULL,
		   "%s: nothing left allocated", refused[i].name);
	}
}

static void check_values_not_quoted(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	const char *argv[] = {"min_validity=SeCrEtToKeN"};

	config_parse(1, argv, &cfg, &err);
	ok(strstr(err.message, "SeCrEtToKeN") == NULL &&
		   strstr(err.where, "SeCrEtToKeN") == NULL,
	   "bad_value_is_not_quoted_in_the_error");
	argv[0] = "colour=1";
	config_parse(1, argv, &cfg, &err);
	has_str(err.message, "'colour'", "unknown_key_is_quoted");
	/* Not shaped like an argument name: maybe a token pasted bare. */
	argv[0] = "SeCrEtToKeN=1";
	config_parse(1, argv, &cfg, &err);
	ok(strstr(err.message, "SeCrEtToKeN") == NULL,
	   "unknown_key_not_shaped_like_a_name_is_not_quoted");
	argv[0] = "pR1k0dYhA7bW9mN3qL5xZt";
	config_parse(1, argv, &cfg, &err);
	ok(strstr(err.message, "pR1k0dYhA7bW9mN3qL5xZt") == NULL,
	   "bare_token_is_not_quoted");
	has_str(err.message, "unknown module argument",
		"bare_token_is_still_refused_as_unknown");
	argv[0] = "token=SeCrEtToKeN";
	config_parse(1, argv, &cfg, &err);
	ok(strstr(err.message, "SeCrEtToKeN") == NULL,
	   "value_of_unknown_key_is_not_quoted");
}

static void check_defaults(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;

	is_int(config_parse(0, NULL, &cfg, &err), ASKCRED_OK,
	       "no_arguments_is_fine");
	is_str(cfg.source, "static", "default source is static");
	is_str(cfg.workspace, "", "default workspace is none");
	ok(cfg.credentials == NULL, "default credentials: environment");
	is_str(cfg.entry, "default", "default entry is 'default'");
	is_int(cfg.min_validity, 300, "default min_validity is 5m");
	is_int(cfg.cache, 1, "default cache is on");
	ok(cfg.cache_dir == NULL, "default cache_dir is the cache's choice");
	is_int(cfg.advisory_window, 900, "default advisory_window is 15m");
	is_int(cfg.mandatory_window, 600, "default mandatory_window is 10m");
	config_free(&cfg);
}

static void check_accepted(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	const char *argv[] = {"source=static",
			      "workspace=" WS,
			      "credentials=/etc/askcred/ci.json",
			      "entry=nightly-build.1",
			      "min_validity=1h30m",
			      "cache=off",
			      "cache_dir=/var/cache/askcred",
			      "advisory_window=20m",
			      "mandatory_window=90"};

	is_int(config_parse(9, argv, &cfg, &err), ASKCRED_OK,
	       "every_argument_at_once_is_accepted");
	is_str(cfg.workspace, WS, "workspace is kept");
	is_str(cfg.credentials, "/etc/askcred/ci.json", "credentials kept");
	is_str(cfg.entry, "nightly-build.1", "entry kept");
	is_int(cfg.min_validity, 5400, "1h30m is 5400 s");
	is_int(cfg.cache, 0, "cache=off is off");
	is_str(cfg.cache_dir, "/var/cache/askcred", "cache_dir kept");
	is_int(cfg.advisory_window, 1200, "20m is 1200 s");
	is_int(cfg.mandatory_window, 90, "bare number is seconds");
	config_free(&cfg);
	ok(cfg.credentials == NULL && cfg.entry[0] == '\0',
	   "config_free zeroes the struct");
}

static const struct {
	const char *word;
	int want;
} booleans[] = {
	{"cache=on", 1}, {"cache=off", 0},  {"cache=yes", 1},
	{"cache=no", 0}, {"cache=true", 1}, {"cache=false", 0},
	{"cache=1", 1},	 {"cache=0", 0},    {"cache=ON", 1},
};

static void check_booleans(void)
{
	for (size_t i = 0; i < sizeof(booleans) / sizeof(booleans[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct plugin_config cfg;
		const char *argv[] = {booleans[i].word};

		ok(config_parse(1, argv, &cfg, &err) == ASKCRED_OK &&
			   cfg.cache == booleans[i].want,
		   "boolean '%s' is %d", booleans[i].word, booleans[i].want);
		config_free(&cfg);
	}
}

struct described {
	int count, with_help, with_type;
};

static void count_key(void *ctx, const char *name, const char *type,
		      const char *def, const char *help)
{
	struct described *d = ctx;

	d->count++;
	d->with_help += help != NULL && *help != '\0';
	d->with_type += type != NULL && *type != '\0';
}

static void check_described(void)
{
	struct described d = {0, 0, 0};

	config_describe(count_key, &d);
	is_int(d.count, 37, "config_describe lists every argument");
	is_int(d.with_help, d.count, "every argument has help");
	is_int(d.with_type, d.count, "every argument says what it expects");
}

int main(void)
{
	check_defaults();
	check_accepted();
	check_booleans();
	check_refusals();
	check_values_not_quoted();
	check_described();
	return tap_done();
}
