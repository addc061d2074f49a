/* Reading askcred.conf: "key=value" lines, '#' comments, blank lines.
 * The files are configuration a policy depends on, so they get the stack
 * files' rules: no symlink, owned by us or root, not writable by others. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confpath.h"
#include "error.h"
#include "host_config.h"
#include "safefile.h"
#include "secret.h"

static const struct file_rules conf_rules = {
	.what = "askcred.conf",
	.forbidden = 022,
	.allow_root = 1,
	.max_size = HOST_CONFIG_MAX,
};

void host_config_free(struct host_config *hc)
{
	for (size_t i = 0; i < hc->count; i++) {
		free(hc->settings[i].key);
		free(hc->settings[i].value);
	}
	free(hc->settings);
	free(hc->files[0]);
	free(hc->files[1]);
	memset(hc, 0, sizeof(*hc));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static askcred_status add(struct host_config *hc, const char *file,
			  unsigned line, const char *key, size_t klen,
			  const char *value, size_t vlen,
			  struct askcred_error *err)
{
	struct host_setting *grown, *s;

	grown = realloc(hc->settings, (hc->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file, "out of memory");
	hc->settings = grown;
	s = &hc->settings[hc->count];
	s->file = file;
	s->line = line;
	s->key = strndup(key, klen);
	s->value = strndup(value, vlen);
	hc->count++;
	if (s->key == NULL || s->value == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file, "out of memory");
	return ASKCRED_OK;
}

/* One line, without its newline. Comments start a line (after blanks)
 * only: a '#' inside a value, as in a URL, is the value's. */
static askcred_status parse_line(struct host_config *hc, const char *file,
				 unsigned line, const char *s, size_t n,
				 struct askcred_error *err)
{
	const char *eq, *k, *v;
	size_t klen, vlen;

	while (n > 0 && is_blank(*s))
		s++, n--;
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return ASKCRED_OK;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return err_set_line(err, ASKCRED_CONFIG_ERROR, file,
					    line,
					    "the line contains a control "
					    "character");
	eq = memchr(s, '=', n);
	if (eq == NULL)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "expected key=value (a '#' starts a "
				    "comment line)");
	k = s;
	klen = (size_t)(eq - s);
	while (klen > 0 && is_blank(k[klen - 1]))
		klen--;
	v = eq + 1;
	vlen = (size_t)(s + n - v);
	while (vlen > 0 && is_blank(*v))
		v++, vlen--;
	if (klen == 0 || vlen == 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "expected key=value with both sides "
				    "non-empty");
	return add(hc, file, line, k, klen, v, vlen, err);
}

askcred_status host_config_load_file(struct host_config *hc, const char *path,
				     int must_exist, struct askcred_error *err)
{
	struct stat sb;
	char *text = NULL, *file;
	size_t len = 0, pos = 0;
	unsigned line = 1;
	askcred_status rc;
	int slot = hc->files[0] == NULL ? 0 : 1;

	if (hc->files[slot] != NULL)
		return err_set(err, ASKCRED_INTERNAL, path,
			       "more than two configuration files");
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		if (!must_exist)
			return ASKCRED_OK;
		/* Named on purpose (ASKCRED_CONFIG): a typo must not
		 * silently drop the host's policy. */
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "the askcred.conf named by ASKCRED_CONFIG does "
			       "not exist; fix the path, or set it to "
			       "\"none\" for no configuration file");
	}
	if ((file = strdup(path)) == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, path, "out of memory");
	hc->files[slot] = file;
	rc = safe_read_file(path, &conf_rules, &text, &len, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (memchr(text, '\0', len) != NULL)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "the file contains a NUL byte");
	while (rc == ASKCRED_OK && pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		rc = parse_line(hc, file, line, s, n, err);
		pos += n + 1;
		line++;
	}
	/* Configuration, not a secret; but the buffer came from the
	 * secret-safe reader and goes back the same way. */
	free_wiped(text, len + 1);
	return rc;
}

askcred_status host_config_load(struct host_config *hc,
				struct askcred_error *err)
{
	const char *env = secure_getenv("ASKCRED_CONFIG");
	char path[4096];
	askcred_status rc;

	memset(hc, 0, sizeof(*hc));
	if (env != NULL && env[0] != '\0') {
		if (strcmp(env, "none") == 0)
			return ASKCRED_OK;
		if (env[0] != '/')
			return err_set(err, ASKCRED_CONFIG_ERROR,
				       "ASKCRED_CONFIG",
				       "ASKCRED_CONFIG must be an absolute "
				       "path or \"none\"");
		rc = host_config_load_file(hc, env, 1, err);
	} else {
		rc = host_config_load_file(
			hc, ASKCRED_SYSCONF_DIR "/" CONF_FILE_NAME, 0, err);
		/* The host's file, then the user's (root's too: root may
		 * keep its own in /root/.config like anybody). */
		if (rc == ASKCRED_OK &&
		    conf_user_dir(path, sizeof(path) - 16) == 0) {
			strcat(path, "/" CONF_FILE_NAME);
			rc = host_config_load_file(hc, path, 0, err);
		}
	}
	if (rc != ASKCRED_OK)
		host_config_free(hc);
	return rc;
}
