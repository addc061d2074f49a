#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "credcheck.h"
#include "error.h"
#include "host_config.h"
#include "plugin_config.h"
#include "timefmt.h"

struct key;
typedef askcred_status (*value_parser)(const struct key *k, const char *v,
				       void *field, struct askcred_error *err);

/* One module argument. Defaults are text run through the same parser, so
 * a default can never be a value the parser would refuse. */
struct key {
	const char *name;
	const char *type; /* for messages: what a good value looks like */
	value_parser parse;
	size_t offset;	   /* of the field in struct plugin_config */
	size_t size;	   /* of the field (char arrays) */
	uint64_t min, max; /* durations, in seconds */
	const char *def;   /* NULL: field stays zero */
	const char *help;
};

static askcred_status bad_value(const struct key *k, struct askcred_error *err)
{
	return err_set(err, ASKCRED_CONFIG_ERROR, k->name,
		       "bad value for module argument '%s': expected %s",
		       k->name, k->type);
}

/* Copy a value made only of charset into a char array field. */
static askcred_status copy_text(const struct key *k, const char *v, void *field,
				const char *charset, struct askcred_error *err)
{
	size_t n = strlen(v);

	if (n == 0 || n >= k->size || strspn(v, charset) != n)
		return bad_value(k, err);
	memcpy(field, v, n + 1);
	return ASKCRED_OK;
}

/* A short lowercase word: source names. */
static askcred_status parse_word(const struct key *k, const char *v,
				 void *field, struct askcred_error *err)
{
	return copy_text(k, v, field, "abcdefghijklmnopqrstuvwxyz0123456789_-",
			 err);
}

/* Entry names become file names: letters, digits, ".", "_", "-", and no
 * leading dot. */
static askcred_status parse_name(const struct key *k, const char *v,
				 void *field, struct askcred_error *err)
{
	if (v[0] == '.')
		return bad_value(k, err);
	return copy_text(k, v, field,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-",
			 err);
}

static askcred_status parse_uuid4(const struct key *k, const char *v,
				  void *field, struct askcred_error *err)
{
	if (!is_uuid4(v))
		return bad_value(k, err);
	memcpy(field, v, ASKCRED_UUID_LEN + 1);
	return ASKCRED_OK;
}

/* Store a heap copy of v in the char * field. */
static askcred_status keep_copy(const struct key *k, const char *v, void *field,
				struct askcred_error *err)
{
	char **slot = field;
	char *copy = strdup(v);

	if (copy == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, k->name,
			       "out of memory");
	free(*slot);
	*slot = copy;
	return ASKCRED_OK;
}

/* Visible ASCII only: no white space or control character can hide in a
 * value that ends up in a URL, a header or a file name. */
static int printable(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (n == 0 || n >= max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

/* Servers are reached over TLS only; the net module checks the rest. */
/* The authority of an https:// URL: a host, and a port of 1 to 65535
 * when a colon announces one. libcurl reads "host:/" as port 443, which
 * hides a typo until the connection goes to the wrong place; a user name
 * or password there would put a secret in the stack file. The module does
 * not link libcurl (plugin/net is loaded on first use), so this is checked
 * here and libcurl parses the URL again when it is used. */
static const char *https_authority_problem(const char *auth, size_t n)
{
	const char *host_end = auth, *end = auth + n;
	unsigned long port = 0;

	if (memchr(auth, '@', n) != NULL)
		return "a user name or password in the URL (put credentials "
		       "in files, never in a stack line)";
	if (n > 0 && auth[0] == '[')
		host_end = memchr(auth, ']', n);
	if (host_end == NULL)
		return "an unclosed [ in the host";
	host_end = memchr(host_end, ':', (size_t)(end - host_end));
	if (host_end == NULL)
		host_end = end;
	if (host_end == auth)
		return "no host";
	if (host_end == end)
		return NULL;
	if (host_end + 1 == end)
		return "an empty port after the colon";
	for (const char *p = host_end + 1; p < end; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return "a port that is not a number from 1 to 65535";
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535)
		return "a port that is not a number from 1 to 65535";
	return NULL;
}

static askcred_status parse_https(const struct key *k, const char *v,
				  void *field, struct askcred_error *err)
{
	const char *problem;

	if (strncasecmp(v, "https://", 8) != 0 || !printable(v, 2048))
		return bad_value(k, err);
	problem = https_authority_problem(v + 8, strcspn(v + 8, "/?#"));
	if (problem != NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, k->name,
			       "bad value for module argument '%s': %s",
			       k->name, problem);
	return keep_copy(k, v, field, err);
}

static askcred_status parse_proxy(const struct key *k, const char *v,
				  void *field, struct askcred_error *err)
{
	if (!printable(v, 2048))
		return bad_value(k, err);
	return keep_copy(k, v, field, err);
}

/* Comma-separated absolute paths (policy keys). */
static askcred_status parse_pathlist(const struct key *k, const char *v,
				     void *field, struct askcred_error *err)
{
	if (!printable(v, 8 * PATH_MAX) || v[strlen(v) - 1] == ',')
		return bad_value(k, err);
	for (const char *p = v; *p != '\0'; p = strchr(p, ',') + 1) {
		if (*p != '/')
			return bad_value(k, err);
		if (strchr(p, ',') == NULL)
			break;
	}
	return keep_copy(k, v, field, err);
}

/* Runner labels: comma-separated names. */
static askcred_status parse_labels(const struct key *k, const char *v,
				   void *field, struct askcred_error *err)
{
	if (v[0] == '\0' || v[0] == ',' || v[strlen(v) - 1] == ',' ||
	    strstr(v, ",,"))
		return bad_value(k, err);
	return copy_text(k, v, field,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-,",
			 err);
}

static askcred_status parse_abspath(const struct key *k, const char *v,
				    void *field, struct askcred_error *err)
{
	if (v[0] != '/' || strlen(v) >= PATH_MAX)
		return bad_value(k, err);
	return keep_copy(k, v, field, err);
}

static askcred_status parse_duration(const struct key *k, const char *v,
				     void *field, struct askcred_error *err)
{
	uint64_t secs;
	char lo[DURATION_BUFSZ], hi[DURATION_BUFSZ];

	int rc = duration_parse(v, k->max, &secs);

	if (rc == 0 && secs >= k->min) {
		*(uint32_t *)field = (uint32_t)secs;
		return ASKCRED_OK;
	}
	duration_format(k->min, lo);
	duration_format(k->max, hi);
	if (rc == -2)
		return err_set(err, ASKCRED_CONFIG_ERROR, k->name,
			       "module argument '%s' is too large: at most "
			       "%s",
			       k->name, hi);
	if (rc == 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, k->name,
			       "module argument '%s' is too small: at least "
			       "%s",
			       k->name, lo);
	return err_set(err, ASKCRED_CONFIG_ERROR, k->name,
		       "bad value for module argument '%s': expected %s "
		       "between %s and %s (like 90s, 30m, 1h)",
		       k->name, k->type, lo, hi);
}

static askcred_status parse_bool(const struct key *k, const char *v,
				 void *field, struct askcred_error *err)
{
	static const char *const yes[] = {"on", "yes", "true", "1"};
	static const char *const no[] = {"off", "no", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*(int *)field = strcasecmp(v, yes[i]) == 0;
			return ASKCRED_OK;
		}
	}
	return bad_value(k, err);
}

#define FIELD(f)                                                               \
	offsetof(struct plugin_config, f),                                     \
		sizeof(((struct plugin_config *)0)->f)
#define DAY (24u * 3600u)

static const struct key keys[] = {
	{"source", "static, mint, broker or exec", parse_word, FIELD(source), 0,
	 0, "static", "where credentials come from"},
	{"workspace", "a workspace UUID (version 4)", parse_uuid4,
	 FIELD(workspace), 0, 0, NULL,
	 "workspace used when the request names none"},
	{"credentials", "an absolute path", parse_abspath, FIELD(credentials),
	 0, 0, NULL,
	 "static: JSON credentials file (default: ASKUI_WORKSPACE_ID and "
	 "ASKUI_TOKEN from the environment)"},
	{"entry", "a name of letters, digits, '.', '_' or '-'", parse_name,
	 FIELD(entry), 0, 0, "default", "cache entry name"},
	{"min_validity", "a duration", parse_duration, FIELD(min_validity), 0,
	 7 * DAY, "5m",
	 "validity a credential must still have when the request sets none"},
	{"cache", "on or off", parse_bool, FIELD(cache), 0, 0, "on",
	 "keep tokens of mint, broker and exec in the encrypted disk cache"},
	{"cache_dir", "an absolute path", parse_abspath, FIELD(cache_dir), 0, 0,
	 NULL, "disk cache directory"},
	{"advisory_window", "a duration", parse_duration,
	 FIELD(advisory_window), 0, DAY, "15m",
	 "refresh this long before expiry; others keep the old token"},
	{"mandatory_window", "a duration", parse_duration,
	 FIELD(mandatory_window), 0, DAY, "10m",
	 "refresh this long before expiry; everybody waits"},
	{"stale_budget", "a duration", parse_duration, FIELD(stale_budget), 0,
	 7 * DAY, "0",
	 "during a source outage, serve a still-valid cached token this "
	 "long (0: never)"},
	{"cache_key_file", "an absolute path", parse_abspath,
	 FIELD(cache_key_file), 0, 0, NULL,
	 "master key file (default: master.key in cache_dir)"},
	{"cache_key_credential", "a systemd credential name", parse_name,
	 FIELD(cache_key_credential), 0, 0, NULL,
	 "read the master key from $CREDENTIALS_DIRECTORY/NAME"},
	{"cache_passphrase_file", "an absolute path", parse_abspath,
	 FIELD(cache_passphrase_file), 0, 0, NULL,
	 "derive the master key from the passphrase in this file (scrypt)"},
	{"api_url", "an https:// URL", parse_https, FIELD(net.api_url), 0, 0,
	 "https://workspaces.askui.com/api/v1", "AskUI Workspaces API base"},
	{"ca_file", "an absolute path", parse_abspath, FIELD(net.ca_file), 0, 0,
	 NULL, "trust only the CAs in this PEM file (default: system store)"},
	{"proxy", "a proxy URL, or none", parse_proxy, FIELD(net.proxy), 0, 0,
	 NULL, "HTTPS proxy (default: libcurl's environment variables)"},
	{"timeout", "a duration", parse_duration, FIELD(net.timeout), 1, 600,
	 "30s", "longest time one server call may take, retries included"},
	{"online_validate", "on or off", parse_bool, FIELD(online_validate), 0,
	 0, "off", "validate asks AskUI whether the token still exists"},
	{"parent_credentials", "an absolute path", parse_abspath,
	 FIELD(parent_credentials), 0, 0, NULL,
	 "mint: JSON credentials file of the token that mints (the parent)"},
	{"lifetime", "a duration", parse_duration, FIELD(lifetime), 300,
	 30 * DAY, "1h", "mint: lifetime of a minted token"},
	{"rotation_overlap", "a duration", parse_duration,
	 FIELD(rotation_overlap), 0, DAY, "10m",
	 "mint: delete a rotated token this long after its successor came"},
	{"broker_url", "an https:// URL", parse_https, FIELD(broker_url), 0, 0,
	 NULL, "broker: where to GET the credential"},
	{"broker_token_file", "an absolute path", parse_abspath,
	 FIELD(broker_token_file), 0, 0, NULL,
	 "broker: bearer token file (mode 0600)"},
	{"broker_cert", "an absolute path", parse_abspath, FIELD(broker_cert),
	 0, 0, NULL, "broker: TLS client certificate (PEM)"},
	{"broker_key", "an absolute path", parse_abspath, FIELD(broker_key), 0,
	 0, NULL, "broker: TLS client key (PEM, mode 0600)"},
	{"command", "an absolute path", parse_abspath, FIELD(command), 0, 0,
	 NULL, "exec: program that prints the credential as JSON"},
	{"command_timeout", "a duration", parse_duration,
	 FIELD(command_timeout), 1, 600, "30s",
	 "exec: how long the program may run"},
	{"policy", "an absolute path", parse_abspath, FIELD(gate.policy), 0, 0,
	 NULL, "policy document file (signature in FILE.sig)"},
	{"policy_url", "an https:// URL", parse_https, FIELD(gate.policy_url),
	 0, 0, NULL, "fetch the policy document (and URL.sig) from here"},
	{"policy_keys", "absolute paths, comma-separated", parse_pathlist,
	 FIELD(gate.policy_keys), 0, 0, NULL,
	 "Ed25519 public keys (PEM); when set, the policy must be signed"},
	{"policy_state_dir", "an absolute path", parse_abspath,
	 FIELD(gate.policy_state_dir), 0, 0, NULL,
	 "last good policy and rollback state (default: <cache dir>/policy, "
	 "also with cache=off)"},
	{"policy_refresh", "a duration", parse_duration,
	 FIELD(gate.policy_refresh), 60, DAY, "15m",
	 "how often policy_url is asked for a new document"},
	{"labels", "names, comma-separated", parse_labels, FIELD(gate.labels),
	 0, 0, NULL, "this runner's labels, for the policy's overrides"},
	{"audit_file", "an absolute path", parse_abspath,
	 FIELD(gate.audit_file), 0, 0, NULL,
	 "append one JSON audit line per decision here"},
	{"audit_syslog", "on or off", parse_bool, FIELD(gate.audit_syslog), 0,
	 0, "off", "also send audit lines to syslog (LOG_AUTHPRIV)"},
	{"audit_required", "on or off", parse_bool, FIELD(gate.audit_required),
	 0, 0, "off",
	 "hand nothing out when its audit line cannot be written to "
	 "audit_file"},
	{"metrics_file", "an absolute path", parse_abspath, FIELD(metrics_file),
	 0, 0, NULL,
	 "write counters in Prometheus text format here (node_exporter "
	 "textfile collector)"},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find_key(const char *word, size_t len)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, word, len) == 0)
			return &keys[i];
	return NULL;
}

/* Did the stack line itself give the key (not askcred.conf, not a
 * default)? seen counts the line's arguments per key. */
static int line_gave(const unsigned char *seen, const char *name)
{
	const struct key *k = find_key(name, strlen(name));

	return k != NULL && seen[k - keys] != 0;
}

/* Edit distance between two short words (Levenshtein), for "did you
 * mean". Names are at most 32 characters here. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static askcred_status unknown_key(const char *word, size_t len,
				  struct askcred_error *err)
{
	char name[48];
	const struct key *closest = NULL;
	size_t best = SIZE_MAX;

	/* Quote only the key, never the value, and only when it looks like
	 * an argument name: a bare word may be a token pasted into the stack
	 * file, and must not end up in a log. Every real name is short,
	 * lowercase and made of [a-z0-9_]. */
	if (len <= 32 &&
	    strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789_") >= len)
		snprintf(name, sizeof(name), "%.*s", (int)len, word);
	else
		return err_set(err, ASKCRED_CONFIG_ERROR, "(not shown)",
			       "unknown module argument (not shown: it may "
			       "be a secret); write NAME=VALUE with a NAME "
			       "from askcred.conf(5)");
	for (size_t i = 0; i < N_KEYS; i++) {
		size_t d = edit_distance(word, len, keys[i].name);

		if (d < best) {
			best = d;
			closest = &keys[i];
		}
	}
	/* A suggestion that needs most of the word changed is a guess. */
	if (closest != NULL && best <= (len < 6 ? 2 : len / 2))
		return err_set(err, ASKCRED_CONFIG_ERROR, name,
			       "unknown module argument '%s'; did you mean "
			       "'%s'?",
			       name, closest->name);
	return err_set(err, ASKCRED_CONFIG_ERROR, name,
		       "unknown module argument '%s'; see askcred.conf(5) "
		       "for the arguments",
		       name);
}

/* Settings that are fine alone but not together. */
static askcred_status check_combination(const struct plugin_config *cfg,
					int line_set_parent,
					struct askcred_error *err)
{
	int key_sources = (cfg->cache_key_file != NULL) +
			  (cfg->cache_key_credential[0] != '\0') +
			  (cfg->cache_passphrase_file != NULL);

	if (cfg->mandatory_window > cfg->advisory_window)
		return err_set(err, ASKCRED_CONFIG_ERROR, "mandatory_window",
			       "mandatory_window must not be longer than "
			       "advisory_window");
	if (key_sources > 1)
		return err_set(
			err, ASKCRED_CONFIG_ERROR, "cache_key_file",
			"give at most one of cache_key_file, "
			"cache_key_credential and cache_passphrase_file");
	if (cfg->gate.policy != NULL && cfg->gate.policy_url != NULL)
		return err_set(err, ASKCRED_CONFIG_ERROR, "policy_url",
			       "give policy or policy_url, not both");
	/* An argument the chosen source never reads is a mistake the user
	 * would otherwise not hear about: refuse it, naming the source. Not
	 * when askcred.conf gave it: a host-wide setting serves the lines
	 * that read it, whatever the other lines' sources. */
	if (line_set_parent && cfg->parent_credentials != NULL &&
	    strcmp(cfg->source, "mint") != 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, "parent_credentials",
			       "parent_credentials is read only by "
			       "source=mint, not source=%s; remove it from "
			       "this line or set source=mint",
			       cfg->source);
	if ((cfg->broker_cert == NULL) != (cfg->broker_key == NULL))
		return err_set(err, ASKCRED_CONFIG_ERROR, "broker_key",
			       "broker_cert and broker_key go together");
	return ASKCRED_OK;
}

/* Keys askcred.conf may set: what must not differ between the lines of a
 * host. Everything else is a line's own business. */
static const char *const host_keys[] = {
	"workspace",
	"cache",
	"cache_dir",
	"cache_key_file",
	"cache_key_credential",
	"cache_passphrase_file",
	"api_url",
	"ca_file",
	"proxy",
	"timeout",
	"parent_credentials",
	"metrics_file",
};

/* The policy's keys: once askcred.conf sets one, neither a later file nor
 * a stack line may change it. A line that could would be a way round the
 * policy (the bypass of lines disagreeing about it). */
static const char *const locked_keys[] = {
	"policy",	    "policy_url",     "policy_keys",
	"policy_state_dir", "policy_refresh", "labels",
	"audit_file",	    "audit_syslog",   "audit_required",
};

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

#define IN_LIST(name, list) in_list(name, list, sizeof(list) / sizeof(list[0]))

/* Where askcred.conf set each key last, or NULL. */
struct host_origin {
	const struct host_setting *by[N_KEYS];
};

static askcred_status apply_host(const struct host_config *hc,
				 struct plugin_config *cfg,
				 struct host_origin *o,
				 struct askcred_error *err)
{
	for (size_t i = 0; hc != NULL && i < hc->count; i++) {
		const struct host_setting *s = &hc->settings[i];
		const struct key *k = find_key(s->key, strlen(s->key));
		const struct host_setting *prev;
		askcred_status rc;

		if (k == NULL || (!IN_LIST(k->name, host_keys) &&
				  !IN_LIST(k->name, locked_keys)))
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, s->file, s->line,
				"'%s' cannot be set in askcred.conf (it takes "
				"the policy, cache, parent credential and "
				"server settings; see askcred.conf(5)); give "
				"it on the stack line instead",
				k ? k->name : "(unknown key)");
		prev = o->by[k - keys];
		if (prev != NULL && prev->file == s->file)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, s->file,
					    s->line,
					    "'%s' is set twice (first at line "
					    "%u)",
					    k->name, prev->line);
		if (prev != NULL && IN_LIST(k->name, locked_keys) &&
		    strcmp(prev->value, s->value) != 0)
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, s->file, s->line,
				"'%s' differs from %s:%u; the policy settings "
				"of the host configuration cannot be changed "
				"by a later file",
				k->name, prev->file, prev->line);
		rc = k->parse(k, s->value, (char *)cfg + k->offset, err);
		if (rc != ASKCRED_OK) {
			/* The parser named the key; where says which
			 * file and line. */
			if (err != NULL)
				snprintf(err->where, sizeof(err->where),
					 "%s:%u", s->file, s->line);
			return rc;
		}
		o->by[k - keys] = s;
	}
	return ASKCRED_OK;
}

askcred_status config_parse(int argc, const char *const *argv,
			    struct plugin_config *cfg,
			    struct askcred_error *err)
{
	return config_parse_with(NULL, argc, argv, cfg, err);
}

askcred_status config_parse_with(const struct host_config *hc, int argc,
				 const char *const *argv,
				 struct plugin_config *cfg,
				 struct askcred_error *err)
{
	unsigned char seen[N_KEYS] = {0};
	struct host_origin origin = {{NULL}};
	askcred_status rc = ASKCRED_OK;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		rc = keys[i].parse(&keys[i], keys[i].def,
				   (char *)cfg + keys[i].offset, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	rc = apply_host(hc, cfg, &origin, err);
	if (rc != ASKCRED_OK)
		goto out;
	for (int i = 0; i < argc; i++) {
		const char *word = argv[i], *eq;
		const struct key *k;

		if (word == NULL) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, NULL,
				     "module argument %d is missing", i + 1);
			goto out;
		}
		eq = strchr(word, '=');
		k = find_key(word, eq ? (size_t)(eq - word) : strlen(word));
		if (k == NULL) {
			rc = unknown_key(
				word, eq ? (size_t)(eq - word) : strlen(word),
				err);
			goto out;
		}
		if (eq == NULL) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, k->name,
				     "module argument '%s' needs a value "
				     "('%s=...')",
				     k->name, k->name);
			goto out;
		}
		if (seen[k - keys]++) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, k->name,
				     "module argument '%s' is given twice",
				     k->name);
			goto out;
		}
		if (origin.by[k - keys] != NULL &&
		    IN_LIST(k->name, locked_keys)) {
			const struct host_setting *h = origin.by[k - keys];

			if (strcmp(h->value, eq + 1) == 0)
				continue; /* repeats the host: harmless */
			rc = err_set(err, ASKCRED_CONFIG_ERROR, k->name,
				     "module argument '%s' differs from "
				     "%s:%u; a stack line cannot change the "
				     "host's policy settings (remove it from "
				     "the line, or change askcred.conf)",
				     k->name, h->file, h->line);
			goto out;
		}
		rc = k->parse(k, eq + 1, (char *)cfg + k->offset, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	rc = check_combination(cfg, line_gave(seen, "parent_credentials"), err);
out:
	if (rc != ASKCRED_OK)
		config_free(cfg);
	return rc;
}

/* Heap-owning parsers: their fields are freed by config_free(). */
static int owns_memory(const struct key *k)
{
	return k->parse == parse_abspath || k->parse == parse_https ||
	       k->parse == parse_proxy || k->parse == parse_pathlist;
}

void config_free(struct plugin_config *cfg)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (owns_memory(&keys[i]))
			free(*(char **)(void *)((char *)cfg + keys[i].offset));
	memset(cfg, 0, sizeof(*cfg));
}

void config_describe(config_describe_fn fn, void *ctx)
{
	for (size_t i = 0; i < N_KEYS; i++)
		fn(ctx, keys[i].name, keys[i].type, keys[i].def, keys[i].help);
}
