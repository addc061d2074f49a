/* The stack file grammar, as data: malformed stacks each refused with the
 * right line (also after comments and continuations), well-formed oddities
 * accepted, and unsafe stack files refused before they are read. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "tap.h"

struct bad {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	unsigned line;
	const char *message;
};

static const struct bad bads[] = {
	{"unknown operation", "fetch required mock\nfrob required mock\n", 0, 2,
	 "unknown operation \"frob\""},
	{"unknown control", "\n\nfetch mandatory mock\n", 0, 3,
	 "unknown control \"mandatory\""},
	{"missing control", "fetch\n", 0, 1, "missing control"},
	{"missing module", "# a comment\nfetch required   # mock\n", 0, 2,
	 "missing module"},
	{"bracket value unknown", "fetch [bogus=ok] mock\n", 0, 1,
	 "unknown value \"bogus\""},
	{"bracket action unknown", "fetch [ok=jump] mock\n", 0, 1,
	 "unknown action \"jump\""},
	{"bracket jump refused", "fetch [ok=2] mock\n", 0, 1,
	 "jumps and reset are not supported"},
	{"bracket item without =", "fetch [ok] mock\n", 0, 1,
	 "is not value=action"},
	{"empty bracket", "fetch [] mock\n", 0, 1, "empty control"},
	{"unterminated control bracket", "fetch [ok=ok mock\n", 0, 1,
	 "unterminated '[' in the control"},
	{"control bracket glued to module", "fetch [ok=ok]mock\n", 0, 1,
	 "no blank after ']' in the control; put a blank"},
	{"unterminated argument bracket",
	 "fetch required mock name=a\nrevoke required mock [name=a b\n", 0, 2,
	 "unterminated '[' in a module argument"},
	{"escaped bracket does not close", "fetch required mock [name=a\\]\n",
	 0, 1, "unterminated '[' in a module argument"},
	{"relative module path", "fetch required ./mock.so\n", 0, 1,
	 "is a relative path"},
	{"module path with a folder", "\nfetch required modules/mock\n", 0, 2,
	 "is a relative path"},
	{"dot-dot module", "fetch required ..\n", 0, 1, "is not a module name"},
	{"NUL byte", "fetch required mock\nfetch required mo\0ck\n", 40, 2,
	 "NUL byte"},
	{"control character", "fetch required mock\x01\n", 0, 1,
	 "control character"},
	{"error after a continuation names its first line",
	 "fetch required \\\n  mock name=a\nbogus required mock\n", 0, 3,
	 "unknown operation"},
	{"error inside a continued line names its first line",
	 "# comment\nfetch \\\n  mandatory \\\n  mock\n", 0, 2,
	 "unknown control"},
	{"comments and blank lines count",
	 "# a\n\n   \t\n# b\nfetch required mock\nrefresh frob mock\n", 0, 6,
	 "unknown control \"frob\""},
	{"missing module file", "fetch required mock\nfetch optional nosuch\n",
	 0, 2, "cannot load module"},
	{"too many arguments",
	 "fetch required mock a a a a a a a a a a a a a a a a a a a a a a a a "
	 "a a a a a a a a a\n",
	 0, 1, "more than 32 module arguments"},
};

struct good {
	const char *name;
	const char *text;
	const char *source; /* the fetched credential's source */
};

static const struct good goods[] = {
	{"bracketed argument keeps blanks and \\]",
	 "fetch required mock [name=a b\\]c]\n", "a b]c"},
	{"continuations join words",
	 "fetch \\\n   required \\\n   mock \\\n   name=joined\n", "joined"},
	{"comments after words", "fetch required mock name=c # the end\n", "c"},
	{"tabs and CRLF", "fetch\trequired\tmock\tname=t\r\n", "t"},
	{"bracket control with extra blanks",
	 "fetch [  ok=done   default=ignore ] mock name=b\n", "b"},
	{"a backslash before a comment still continues",
	 "fetch required mock \\ # why\n  name=x\n", "x"},
	{"last line without newline", "fetch required mock name=n", "n"},
};

static void check_bad(struct fixture *f, const struct bad *b)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_stack *st = NULL;
	char where[PATH_MAX + 16];
	askcred_status rc;

	fixture_stack(f, "parse", b->text, b->len, 0600);
	snprintf(where, sizeof(where), "%s:%u", f->path, b->line);
	rc = askcred_stack_open("parse", &f->opts, &st, &err);
	is_str(askcred_strstatus(rc), askcred_strstatus(ASKCRED_CONFIG_ERROR),
	       "%s: refused as a config error", b->name);
	is_str(err.where, where, "%s: names line %u", b->name, b->line);
	has_str(err.message, b->message, "%s: message says why", b->name);
	askcred_stack_close(st);
}

static void check_good(struct fixture *f, const struct good *g)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *st = NULL;

	fixture_stack(f, "parse", g->text, 0, 0600);
	if (!is_int(askcred_stack_open("parse", &f->opts, &st, &err),
		    ASKCRED_OK, "%s: accepted", g->name)) {
		tap_diag("%s: %s", err.where, err.message);
		return;
	}
	askcred_fetch(st, NULL, &cred, &err);
	is_str(cred ? cred->source : "(none)", g->source,
	       "%s: module got the argument", g->name);
	askcred_release(st, cred);
	askcred_stack_close(st);
}

static void check_long_lines(struct fixture *f)
{
	static char text[3 * 2100 + 64];
	struct bad b = {"too-long line", text, 0, 2, "longer than"};
	size_t n;

	n = (size_t)snprintf(text, sizeof(text),
			     "fetch required mock\nfetch required mock name=");
	memset(text + n, 'x', 5000);
	strcpy(text + n + 5000, "\n");
	check_bad(f, &b);

	/* Three short physical lines, one long logical line. */
	n = (size_t)snprintf(text, sizeof(text), "\n\nfetch required mock ");
	for (int i = 0; i < 3; i++) {
		memset(text + n, 'y', 2000);
		n += 2000;
		n += (size_t)snprintf(text + n, sizeof(text) - n, " \\\n");
	}
	b.name = "too-long line built by continuations";
	b.line = 3;
	check_bad(f, &b);

	/* A long comment is fine: it is cut before the limit applies. */
	n = (size_t)snprintf(text, sizeof(text), "fetch required mock #");
	memset(text + n, 'z', 5000);
	strcpy(text + n + 5000, "\n");
	fixture_stack(f, "parse", text, 0, 0600);
	{
		struct askcred_error err = ASKCRED_ERROR_INIT;
		askcred_stack *st = NULL;

		is_int(askcred_stack_open("parse", &f->opts, &st, &err),
		       ASKCRED_OK, "long comment is accepted");
		askcred_stack_close(st);
	}
}

struct unsafe {
	const char *name;
	mode_t mode;
	const char *message;
};

static const struct unsafe unsafes[] = {
	{"world-writable stack file", 0666,
	 "writable by group, writable by others; run chmod 0644"},
	{"group-writable stack file", 0620,
	 "it is writable by group; run chmod 0600"},
};

static void check_open_refused(struct fixture *f, const char *name,
			       const char *what, askcred_status want,
			       const char *message)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_stack *st = NULL;

	is_int(askcred_stack_open(name, &f->opts, &st, &err), want,
	       "%s: refused", what);
	has_str(err.message, message, "%s: message says why", what);
	ok(st == NULL, "%s: no stack", what);
}

static void check_unsafe(struct fixture *f)
{
	char link[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(unsafes) / sizeof(*unsafes); i++) {
		fixture_stack(f, "unsafe", "fetch required mock\n", 0,
			      unsafes[i].mode);
		check_open_refused(f, "unsafe", unsafes[i].name,
				   ASKCRED_CONFIG_ERROR, unsafes[i].message);
	}
	fixture_stack(f, "target", "fetch required mock\n", 0, 0600);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	if (symlink(f->path, link) != 0)
		tap_bail("symlink failed");
	check_open_refused(f, "link", "symlinked stack file",
			   ASKCRED_CONFIG_ERROR, "symbolic link");
	check_open_refused(f, "..", "name \"..\"", ASKCRED_CONFIG_ERROR,
			   "not a plain word");
	check_open_refused(f, ".hidden", "name starting with a dot",
			   ASKCRED_CONFIG_ERROR, "not a plain word");
	check_open_refused(f, "absent", "missing stack by name",
			   ASKCRED_NOT_FOUND, "cannot open stack file");
	check_open_refused(f, f->dir, "a directory given as path",
			   ASKCRED_CONFIG_ERROR, "not a regular file");
	{
		struct askcred_error err = ASKCRED_ERROR_INIT;
		askcred_stack *st = NULL;

		is_int(askcred_stack_open(f->path, &f->opts, &st, &err),
		       ASKCRED_OK, "explicit path to a safe file opens");
		askcred_stack_close(st);
	}
}

int main(void)
{
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++)
		check_bad(&f, &bads[i]);
	check_long_lines(&f);
	for (size_t i = 0; i < sizeof(goods) / sizeof(*goods); i++)
		check_good(&f, &goods[i]);
	check_unsafe(&f);
	fixture_done(&f);
	return tap_done();
}
