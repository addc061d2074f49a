/* pam.conf(5)'s include, substack and "-type" in stack files: included
 * lines of the same operation run where the include stands; done and die
 * in a substack end only the substack; a '-' line whose module is not
 * installed is skipped; include loops and deep nesting end in a clear
 * error naming file:line. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "host_test.h"
#include "tap.h"

/* Open stack "main" and fetch once; returns the fetch status, and the
 * order the fetch lines ran in through fixture_calls. */
static askcred_status fetch_main(struct fixture *f, const char **source)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *st = NULL;
	askcred_status rc;
	static char got[64];

	fixture_reset(f);
	rc = askcred_stack_open("main", &f->opts, &st, &err);
	if (rc != ASKCRED_OK) {
		tap_diag("open: %s: %s", err.where, err.message);
		return rc;
	}
	rc = askcred_fetch(st, NULL, &cred, &err);
	snprintf(got, sizeof(got), "%s", cred ? cred->source : "");
	if (source != NULL)
		*source = got;
	askcred_release(st, cred);
	askcred_stack_close(st);
	return rc;
}

static askcred_status open_err(struct fixture *f, struct askcred_error *err)
{
	askcred_stack *st = NULL;
	askcred_status rc = askcred_stack_open("main", &f->opts, &st, err);

	askcred_stack_close(st);
	return rc;
}

static void include_inserts_lines_of_the_same_op(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	fixture_stack(f, "common",
		      "fetch required mock name=b\n"
		      "validate required mock name=v\n",
		      0, 0644);
	fixture_stack(f, "main",
		      "fetch required mock name=a\n"
		      "fetch include common\n"
		      "fetch required mock name=c\n",
		      0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_OK, "include: the fetch succeeds");
	is_str(fixture_calls(f, "fetch"), "a b c",
	       "include: the included line runs where the include stands");
	is_int(fixture_count(f, "v", "open", NULL), 0,
	       "include: lines of other operations are not included");
	fixture_stack(f, "main", "fetch include /nonexistent/stack\n", 0, 0644);
	is_int(open_err(f, &err), ASKCRED_NOT_FOUND,
	       "include of a missing file fails the stack");
	has_str(err.message, "main:1: include /nonexistent/stack",
		"and the error names the including file:line");
}

static void done_and_die_in_include_end_everything(struct fixture *f)
{
	fixture_stack(f, "inc", "fetch sufficient mock name=a\n", 0, 0644);
	fixture_stack(f, "main",
		      "fetch include inc\n"
		      "fetch required mock name=z\n",
		      0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_OK, "include + sufficient: ok");
	is_str(fixture_calls(f, "fetch"), "a",
	       "done in an included line ends the whole stack");
	fixture_stack(f, "inc", "fetch requisite mock name=a fetch=denied\n", 0,
		      0644);
	is_int(fetch_main(f, NULL), ASKCRED_DENIED,
	       "include + requisite fails");
	is_str(fixture_calls(f, "fetch"), "a",
	       "die in an included line ends the whole stack");
}

static void done_and_die_in_substack_end_the_substack(struct fixture *f)
{
	const char *source = NULL;

	fixture_stack(f, "sub",
		      "fetch sufficient mock name=a\n"
		      "fetch required mock name=b\n",
		      0, 0644);
	fixture_stack(f, "main",
		      "fetch substack sub\n"
		      "fetch required mock name=z\n",
		      0, 0644);
	is_int(fetch_main(f, &source), ASKCRED_OK, "substack + sufficient: ok");
	is_str(fixture_calls(f, "fetch"), "a z",
	       "done in a substack skips the rest of the substack only");
	is_str(source, "a", "the substack's credential is the one kept");

	fixture_stack(f, "sub",
		      "fetch requisite mock name=a fetch=denied\n"
		      "fetch required mock name=b\n",
		      0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_DENIED,
	       "die in a substack still fails the stack");
	is_str(fixture_calls(f, "fetch"), "a z",
	       "die in a substack skips the rest of the substack only");

	fixture_stack(f, "inner",
		      "fetch sufficient mock name=a\n"
		      "fetch required mock name=b\n",
		      0, 0644);
	fixture_stack(f, "sub",
		      "fetch substack inner\n"
		      "fetch required mock name=y\n",
		      0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_OK, "nested substacks: ok");
	is_str(fixture_calls(f, "fetch"), "a y z",
	       "done in a nested substack ends only the innermost one");
}

static void dash_lines_may_miss_their_module(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	fixture_stack(f, "main",
		      "-fetch required not_installed name=q\n"
		      "fetch required mock name=a\n",
		      0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_OK,
	       "a '-' line whose module is missing is skipped");
	is_str(fixture_calls(f, "fetch"), "a", "only the other line runs");
	fixture_stack(f, "main",
		      "fetch required not_installed name=q\n"
		      "fetch required mock name=a\n",
		      0, 0644);
	is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR,
	       "without '-' a missing module fails the stack");
	fixture_stack(f, "main", "-fetch required mock name=m\n", 0, 0644);
	is_int(fetch_main(f, NULL), ASKCRED_OK,
	       "a '-' line whose module is there runs");
	is_str(fixture_calls(f, "fetch"), "m", "as a normal line");
	fixture_stack(f, "main", "-fetch required mock nonsense\n", 0, 0644);
	ok(open_err(f, &err) != ASKCRED_OK,
	   "a '-' line whose module is there but refuses it still fails");
}

static void loops_and_depth_are_refused(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char name[16], text[64], want[64];

	fixture_stack(f, "main", "fetch include main\n", 0, 0644);
	is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR,
	       "a stack including itself is refused");
	has_str(err.message, "include loop", "the error says include loop");
	fixture_stack(f, "other", "fetch substack main\n", 0, 0644);
	fixture_stack(f, "main",
		      "fetch required mock name=a\n"
		      "fetch include other\n",
		      0, 0644);
	is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR,
	       "main -> other -> main is refused");
	has_str(err.where, "other:1", "the error is at other:1");
	/* A chain of distinct files deeper than the limit. */
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(text, sizeof(text), "fetch include d%d\n", i + 1);
		fixture_stack(f, name, text, 0, 0644);
	}
	fixture_stack(f, "main", "fetch include d0\n", 0, 0644);
	is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR,
	       "includes nested 12 deep are refused");
	has_str(err.message, "nest deeper than", "the error says so");
	/* main and d0..d6 are 8 files: d6 may not include one more. */
	snprintf(want, sizeof(want), "d%d:1", 6);
	has_str(err.where, want, "and names the line that went too deep");
}

static void errors_name_the_included_file(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	fixture_stack(f, "inc",
		      "fetch required mock name=a\n"
		      "fetch required mock colour=blue\n",
		      0, 0644);
	fixture_stack(f, "main", "fetch include inc\n", 0, 0644);
	ok(open_err(f, &err) != ASKCRED_OK, "a bad line in an included stack");
	has_str(err.where, "inc:2", "is reported at the included file:line");
	fixture_stack(f, "inc", "fetch bogus mock\n", 0, 0644);
	is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR,
	       "a parse error in an included stack fails");
	has_str(err.where, "inc:1", "naming the included file:line");
}

static const char *const refused[] = {
	"fetch include\n",
	"fetch include a b\n",
	"-fetch include a\n",
	"fetch substack\n",
};

static void bad_include_lines(struct fixture *f)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;

		fixture_stack(f, "main", refused[i], 0, 0644);
		is_int(open_err(f, &err), ASKCRED_CONFIG_ERROR, "refused: %.*s",
		       (int)strlen(refused[i]) - 1, refused[i]);
		has_str(err.where, "main:1", "at main:1");
	}
}

int main(void)
{
	struct fixture f;

	fixture_init(&f);
	include_inserts_lines_of_the_same_op(&f);
	done_and_die_in_include_end_everything(&f);
	done_and_die_in_substack_end_the_substack(&f);
	dash_lines_may_miss_their_module(&f);
	loops_and_depth_are_refused(&f);
	errors_name_the_included_file(&f);
	bad_include_lines(&f);
	fixture_done(&f);
	return tap_done();
}
