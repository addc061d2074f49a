#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "credcheck.h"
#include "error.h"
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

static askcred_status parse_abspath(const struct key *k, const char *v,
				    void *field, struct askcred_error *err)
{
	char **slot = field;
	char *copy;

	if (v[0] != '/' || strlen(v) >= PATH_MAX)
		return bad_value(k, err);
	copy = strdup(v);
	if (copy == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, k->name,
			       "out of memory");
	free(*slot);
	*slot = copy;
	return ASKCRED_OK;
}

static askcred_status parse_duration(const struct key *k, const char *v,
				     void *field, struct askcred_error *err)
{
	uint64_t secs;
	char lo[DURATION_BUFSZ], hi[DURATION_BUFSZ];

	if (duration_parse(v, UINT32_MAX, &secs) == 0 && secs >= k->min &&
	    secs <= k->max) {
		*(uint32_t *)field = (uint32_t)secs;
		return ASKCRED_OK;
	}
	duration_format(k->min, lo);
	duration_format(k->max, hi);
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
	{"source", "a source name (static)", parse_word, FIELD(source), 0, 0,
	 "static", "where credentials come from"},
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
	 "keep credentials in the encrypted disk cache"},
	{"cache_dir", "an absolute path", parse_abspath, FIELD(cache_dir), 0, 0,
	 NULL, "disk cache directory"},
	{"advisory_window", "a duration", parse_duration,
	 FIELD(advisory_window), 0, DAY, "15m",
	 "refresh this long before expiry; others keep the old token"},
	{"mandatory_window", "a duration", parse_duration,
	 FIELD(mandatory_window), 0, DAY, "10m",
	 "refresh this long before expiry; everybody waits"},
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

static askcred_status unknown_key(const char *word, size_t len,
				  struct askcred_error *err)
{
	char name[48], known[256];
	size_t used = 0;

	/* Quote only the key (cut short), never the value. */
	snprintf(name, sizeof(name), "%.*s", (int)(len < 40 ? len : 40), word);
	known[0] = '\0';
	for (size_t i = 0; i < N_KEYS && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used,
					 "%s%s", i ? ", " : "", keys[i].name);
	return err_set(err, ASKCRED_CONFIG_ERROR, name,
		       "unknown module argument '%s' (known: %s)", name, known);
}

/* Settings that are fine alone but not together. */
static askcred_status check_combination(const struct plugin_config *cfg,
					struct askcred_error *err)
{
	if (cfg->mandatory_window > cfg->advisory_window)
		return err_set(err, ASKCRED_CONFIG_ERROR, "mandatory_window",
			       "mandatory_window must not be longer than "
			       "advisory_window");
	return ASKCRED_OK;
}

askcred_status config_parse(int argc, const char *const *argv,
			    struct plugin_config *cfg,
			    struct askcred_error *err)
{
	unsigned char seen[N_KEYS] = {0};
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
		rc = k->parse(k, eq + 1, (char *)cfg + k->offset, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	rc = check_combination(cfg, err);
out:
	if (rc != ASKCRED_OK)
		config_free(cfg);
	return rc;
}

void config_free(struct plugin_config *cfg)
{
	free(cfg->credentials);
	free(cfg->cache_dir);
	memset(cfg, 0, sizeof(*cfg));
}

void config_describe(config_describe_fn fn, void *ctx)
{
	for (size_t i = 0; i < N_KEYS; i++)
		fn(ctx, keys[i].name, keys[i].type, keys[i].def, keys[i].help);
}
