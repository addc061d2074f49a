/* Module loading: every broken module is refused with the right status and
 * a message naming the stack file and line; good modules load, by bare
 * name (with or without .so) or by absolute path. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "tap.h"

struct case_ {
	const char *name;
	const char *module_line; /* put on line 3, after a comment and a
				    good line */
	askcred_status want;
	const char *message; /* substring of the error message */
};

static const struct case_ cases[] = {
	{"module of another ABI major is refused", "bad_major",
	 ASKCRED_ABI_MISMATCH, "built for provider ABI 2.0"},
	{"module with a too-small table is refused", "small_struct",
	 ASKCRED_ABI_MISMATCH, "smaller than the"},
	{"module whose table is short of its declared minor is refused",
	 "short_minor", ASKCRED_ABI_MISMATCH,
	 "declares provider ABI 1.2 but a table"},
	{"shared object without the entry symbol is refused", "no_entry",
	 ASKCRED_CONFIG_ERROR, "has no askcred_provider_entry()"},
	{"missing module file is refused", "does_not_exist",
	 ASKCRED_CONFIG_ERROR, "cannot load module"},
	{"module refusing its arguments fails the stack",
	 "refuses_args known=1 colour=blue", ASKCRED_CONFIG_ERROR,
	 "unknown argument \"colour=blue\""},
	{"mock refusing an unknown argument fails the stack",
	 "mock name=x bogus=1", ASKCRED_CONFIG_ERROR,
	 "at bogus=1: mock: unknown argument"},
};

static void check_refusal(struct fixture *f, const struct case_ *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_stack *st = (askcred_stack *)f; /* must be reset to NULL */
	char text[256], where[PATH_MAX + 16];
	askcred_status rc;

	snprintf(text, sizeof(text),
		 "# modules\nfetch required mock name=good\n"
		 "fetch required %s\n",
		 c->module_line);
	fixture_stack(f, "abi", text, 0, 0600);
	snprintf(where, sizeof(where), "%s:3", f->path);
	rc = askcred_stack_open("abi", &f->opts, &st, &err);
	is_str(askcred_strstatus(rc), askcred_strstatus(c->want), "%s: status",
	       c->name);
	ok(st == NULL, "%s: no stack comes back", c->name);
	is_str(err.where, where, "%s: error names the stack file and line",
	       c->name);
	has_str(err.message, c->message, "%s: message says why", c->name);
}

static void check_loads(struct fixture *f, const char *name, const char *module)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *st = NULL;
	char text[PATH_MAX + 64];

	snprintf(text, sizeof(text), "fetch required %s name=g\n", module);
	fixture_stack(f, "good", text, 0, 0600);
	if (!is_int(askcred_stack_open("good", &f->opts, &st, &err), ASKCRED_OK,
		    "%s: loads", name)) {
		tap_diag("%s: %s", err.where, err.message);
		return;
	}
	is_int(askcred_fetch(st, NULL, &cred, &err), ASKCRED_OK, "%s: fetches",
	       name);
	askcred_release(st, cred);
	askcred_stack_close(st);
}

/* A module anyone may rewrite would run their code in every runner. */
static void check_writable_module(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_stack *st = NULL;
	char src[PATH_MAX + 16], dst[PATH_MAX + 16], text[PATH_MAX + 64];
	char buf[65536];
	ssize_t n;
	int in, out;

	snprintf(src, sizeof(src), "%s/mock.so", f->modules);
	snprintf(dst, sizeof(dst), "%s/open.so", f->dir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (in < 0 || out < 0)
		tap_bail("cannot copy %s", src);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			tap_bail("short write to %s", dst);
	close(in);
	fchmod(out, 0757);
	close(out);
	snprintf(text, sizeof(text), "\nrevoke optional %s\n", dst);
	fixture_stack(f, "open", text, 0, 0600);
	is_int(askcred_stack_open("open", &f->opts, &st, &err),
	       ASKCRED_CONFIG_ERROR, "world-writable module is refused");
	has_str(err.message, "writable by others",
		"world-writable module: message says why");
	has_str(err.where, ":2", "world-writable module: names line 2");
	unlink(dst);
}

int main(void)
{
	struct fixture f;
	char abs[PATH_MAX + 16];

	fixture_init(&f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check_refusal(&f, &cases[i]);
	check_loads(&f, "bare name", "mock");
	check_loads(&f, "bare name with .so", "mock.so");
	snprintf(abs, sizeof(abs), "%s/mock.so", f.modules);
	check_loads(&f, "absolute path", abs);
	check_writable_module(&f);
	fixture_done(&f);
	return tap_done();
}
