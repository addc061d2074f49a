/* The shipped examples work with this module: every askcred_askui line of
 * every example stack opens an instance with examples/askcred.conf as the
 * host configuration, and the demo credentials file is accepted by the
 * static source once it has a private mode. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fixture.h"
#include "instance.h"
#include "tap.h"

#define MAXWORDS 16

static const char *const stacks[] = {"default", "static-env", "static-file",
				     "mint",	"broker",     "exec"};

static const char *srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top != NULL && *top != '\0' ? top : ".";
}

/* Open the module arguments of one stack line (words after the module). */
static void check_line(const char *stack, unsigned lineno, char *line)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst = NULL;
	const char *words[MAXWORDS];
	char *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(line, " \t\n", &save); w != NULL && n < MAXWORDS;
	     w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	if (n < 3 || strcmp(words[2], "askcred_askui") != 0) {
		ok(0, "%s:%u: names the askcred_askui module", stack, lineno);
		return;
	}
	is_int(instance_open(NULL, n - 3, words + 3, &inst, &err), ASKCRED_OK,
	       "%s:%u: module arguments are accepted", stack, lineno);
	if (err.code != ASKCRED_OK)
		tap_diag("%s: %s", err.where, err.message);
	instance_close(inst);
}

static void check_stack(const char *name)
{
	char path[PATH_MAX], line[1024];
	unsigned lineno = 0, lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/examples/stacks/%s", srcdir(), name);
	f = fopen(path, "re");
	if (f == NULL)
		tap_bail("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[strspn(line, " \t")] == '#' ||
		    line[strspn(line, " \t\n")] == '\0')
			continue;
		lines++;
		check_line(name, lineno, line);
	}
	fclose(f);
	ok(lines >= 4, "%s: has fetch, validate, refresh and revoke lines",
	   name);
}

static void check_demo_credentials(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst = NULL;
	char src[PATH_MAX], copy[PATH_MAX], arg[PATH_MAX + 16], buf[4096];
	const char *argv[] = {arg};
	size_t len;
	FILE *f;

	snprintf(src, sizeof(src), "%s/examples/credentials/demo.json",
		 srcdir());
	f = fopen(src, "re");
	if (f == NULL)
		tap_bail("cannot open %s", src);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	fixture_write(copy, "demo.json", buf, 0600);
	snprintf(arg, sizeof(arg), "credentials=%s", copy);
	if (instance_open(NULL, 1, argv, &inst, &err) != ASKCRED_OK)
		tap_bail("open: %s", err.message);
	is_int(instance_fetch(inst, NULL, &cred, &err), ASKCRED_OK,
	       "demo.json: accepted by the static source");
	is_str(cred ? cred->workspace_id : NULL,
	       "00000000-0000-4000-8000-000000000000",
	       "demo.json: the obviously fake workspace");
	ok(cred && strstr(cred->token, "DEMO") != NULL,
	   "demo.json: the obviously fake token");
	instance_release(inst, cred);
	instance_close(inst);
}

int main(void)
{
	char rel[PATH_MAX], conf[PATH_MAX];

	unsetenv("ASKUI_TOKEN");
	/* Every line inherits the example askcred.conf, as on a host. */
	snprintf(rel, sizeof(rel), "%s/examples/askcred.conf", srcdir());
	if (realpath(rel, conf) == NULL)
		tap_bail("cannot find %s", rel);
	setenv("ASKCRED_CONFIG", conf, 1);
	/* Sources worth caching open the disk cache: keep it private. */
	setenv("XDG_CACHE_HOME", fixture_tmpdir(), 1);
	for (size_t i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++)
		check_stack(stacks[i]);
	check_demo_credentials();
	fixture_cleanup();
	return tap_done();
}
