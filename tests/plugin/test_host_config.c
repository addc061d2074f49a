/* askcred.conf: key=value lines read from files, inherited by every stack
 * line, errors naming file:line, and the policy keys a stack line or a
 * later file cannot change (the way round the policy when lines
 * disagreed). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "host_config.h"
#include "plugin_config.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"

static char dir[] = "/tmp/askcred-hostconf.XXXXXX";

/* Write text to dir/name with mode; returns the path (static buffer). */
static const char *put(const char *name, const char *text, mode_t mode)
{
	static char path[2][256];
	static int which;
	char *p = path[which++ % 2];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	unlink(p);
	f = fopen(p, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		tap_bail("cannot write %s", p);
	chmod(p, mode);
	return p;
}

/* Load one or two files and parse argv on top. */
static askcred_status parse(const char *f1, const char *f2, int argc,
			    const char *const *argv, struct plugin_config *cfg,
			    struct askcred_error *err)
{
	struct host_config hc;
	askcred_status rc;

	memset(&hc, 0, sizeof(hc));
	rc = host_config_load_file(&hc, f1, 1, err);
	if (rc == ASKCRED_OK && f2 != NULL)
		rc = host_config_load_file(&hc, f2, 1, err);
	if (rc == ASKCRED_OK)
		rc = config_parse_with(&hc, argc, argv, cfg, err);
	else
		memset(cfg, 0, sizeof(*cfg));
	host_config_free(&hc);
	return rc;
}

static void check_inherited(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	const char *f = put("inherit.conf",
			    "# the host's settings\n"
			    "\n"
			    "  workspace = " WS "\n"
			    "parent_credentials=/etc/askcred/parent.json\n"
			    "api_url=https://askui.example/api/v1#frag\n"
			    "cache_dir=/var/cache/askcred\n"
			    "policy_keys=/etc/askcred/k1.pem\n",
			    0644);
	const char *line[] = {"source=mint", "cache_dir=/srv/cache"};

	is_int(parse(f, NULL, 2, line, &cfg, &err), ASKCRED_OK,
	       "a line inherits askcred.conf: %s", err.message);
	is_str(cfg.workspace, WS, "workspace comes from askcred.conf");
	is_str(cfg.parent_credentials, "/etc/askcred/parent.json",
	       "parent_credentials comes from askcred.conf");
	is_str(cfg.net.api_url, "https://askui.example/api/v1#frag",
	       "a '#' inside a value is the value's, blanks around are not");
	is_str(cfg.cache_dir, "/srv/cache",
	       "a line's own cache_dir overrides the host's");
	is_str(cfg.gate.policy_keys, "/etc/askcred/k1.pem",
	       "policy_keys comes from askcred.conf");
	config_free(&cfg);
}

static void check_policy_locked(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	const char *f = put("locked.conf",
			    "policy_url=https://policy.example/p.json\n"
			    "policy_keys=/etc/askcred/k1.pem\n",
			    0644);
	const char *same[] = {"policy_keys=/etc/askcred/k1.pem"};
	const char *other[] = {"policy_keys=/tmp/mine.pem"};
	const char *local[] = {"policy=/tmp/unsigned.json"};
	const char *labels[] = {"labels=trusted"};
	char want[300];

	is_int(parse(f, NULL, 1, same, &cfg, &err), ASKCRED_OK,
	       "a line may repeat the host's policy_keys");
	config_free(&cfg);
	is_int(parse(f, NULL, 1, other, &cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a line may not change the host's policy_keys");
	snprintf(want, sizeof(want), "differs from %s:2", f);
	has_str(err.message, want, "the refusal names askcred.conf:line");
	is_str(err.where, "policy_keys", "and the key");
	is_int(parse(f, NULL, 1, local, &cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a line may not swap the host's policy_url for a local file");
	put("labels.conf", "labels=ci\n", 0644);
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/labels.conf", dir);
		is_int(parse(p, NULL, 1, labels, &cfg, &err),
		       ASKCRED_CONFIG_ERROR,
		       "a line may not change the host's labels (overrides)");
	}
}

static void check_layers(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	char host[256], user[256];

	snprintf(host, sizeof(host), "%s",
		 put("host.conf",
		     "cache_dir=/var/cache/a\n"
		     "policy=/etc/askcred/p.json\n",
		     0644));
	snprintf(user, sizeof(user), "%s",
		 put("user.conf", "cache_dir=/home/u/.cache/a\n", 0644));
	is_int(parse(host, user, 0, NULL, &cfg, &err), ASKCRED_OK,
	       "a user's file on top of the host's");
	is_str(cfg.cache_dir, "/home/u/.cache/a",
	       "the user's cache_dir wins over the host's");
	is_str(cfg.gate.policy, "/etc/askcred/p.json",
	       "the host's policy still applies");
	config_free(&cfg);
	snprintf(user, sizeof(user), "%s",
		 put("user.conf", "policy=/home/u/lax.json\n", 0644));
	is_int(parse(host, user, 0, NULL, &cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a user's file may not change the host's policy");
	has_str(err.where, "user.conf:1", "the refusal names user.conf:1");
}

static const struct {
	const char *text;
	unsigned line;
	const char *message;
} bad[] = {
	{"cache=on\nnonsense\n", 2, "expected key=value"},
	{"cache=on\nsource=mint\n", 2, "cannot be set in askcred.conf"},
	{"colour=blue\n", 1, "cannot be set in askcred.conf"},
	{"\n\ncache_dir=relative\n", 3, "cache_dir"},
	{"cache=on\ncache=off\n", 2, "set twice (first at line 1)"},
	{"api_url=\n", 1, "both sides non-empty"},
};

static void check_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct plugin_config cfg;
		const char *f = put("bad.conf", bad[i].text, 0644);
		char where[300];

		snprintf(where, sizeof(where), "%s:%u", f, bad[i].line);
		is_int(parse(f, NULL, 0, NULL, &cfg, &err),
		       ASKCRED_CONFIG_ERROR, "bad file %zu is refused", i);
		is_str(err.where, where, "bad file %zu: error at file:line", i);
		has_str(err.message, bad[i].message, "bad file %zu: message",
			i);
	}
}

static void check_file_rules(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct host_config hc = {{NULL}, NULL, 0};
	char link[300];
	const char *f = put("open.conf", "cache=on\n", 0666);

	is_int(host_config_load_file(&hc, f, 1, &err), ASKCRED_CONFIG_ERROR,
	       "a world-writable askcred.conf is refused");
	host_config_free(&hc);
	f = put("fine.conf", "cache=on\n", 0644);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	if (symlink(f, link) != 0)
		tap_bail("symlink");
	is_int(host_config_load_file(&hc, link, 1, &err), ASKCRED_CONFIG_ERROR,
	       "a symlinked askcred.conf is refused (O_NOFOLLOW)");
	host_config_free(&hc);
	snprintf(link, sizeof(link), "%s/absent.conf", dir);
	is_int(host_config_load_file(&hc, link, 0, &err), ASKCRED_OK,
	       "a missing default file is no error");
	ok(hc.count == 0, "and sets nothing");
	host_config_free(&hc);
	is_int(host_config_load_file(&hc, link, 1, &err), ASKCRED_CONFIG_ERROR,
	       "a missing file named by ASKCRED_CONFIG is an error");
	host_config_free(&hc);
	setenv("ASKCRED_CONFIG", "none", 1);
	is_int(host_config_load(&hc, &err), ASKCRED_OK, "ASKCRED_CONFIG=none");
	ok(hc.count == 0, "reads no file");
	setenv("ASKCRED_CONFIG", f, 1);
	is_int(host_config_load(&hc, &err), ASKCRED_OK,
	       "ASKCRED_CONFIG=FILE reads that file");
	ok(hc.count == 1 && strcmp(hc.settings[0].key, "cache") == 0,
	   "and its setting");
	host_config_free(&hc);
	unsetenv("ASKCRED_CONFIG");
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	check_inherited();
	check_policy_locked();
	check_layers();
	check_errors();
	check_file_rules();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
