/* Shared fixture for the host tests: a private temp dir holding stack
 * files and the mock's trace, and options pointing at the test modules
 * in the build tree. */
#ifndef ASKCRED_TESTS_HOST_TEST_H
#define ASKCRED_TESTS_HOST_TEST_H

#include <limits.h>
#include <sys/types.h>

#include <askcred/askcred.h>

struct fixture {
	char dir[PATH_MAX];
	char trace[PATH_MAX];
	char modules[PATH_MAX]; /* $top_builddir/tests/host/modules/.libs */
	char path[PATH_MAX];	/* the last stack file written */
	struct askcred_options opts;
};

/* Make the temp dir, set MOCK_TRACE and the options. Bails out on error. */
void fixture_init(struct fixture *f);
/* Remove everything fixture_init and the tests created. */
void fixture_done(struct fixture *f);

/* Write len bytes (0: strlen) to <dir>/<name> with mode; returns its
 * path (f->path). Replaces any earlier file of that name. */
const char *fixture_stack(struct fixture *f, const char *name, const char *text,
			  size_t len, mode_t mode);

/* The trace so far, reduced to the lines whose op is op (NULL: all),
 * each as "<name>" (op given) or "<name> <op>[ <extra>]", joined by a
 * blank. Static buffer; empty when there is no trace. */
const char *fixture_calls(const struct fixture *f, const char *op);
/* Count trace lines "<name> <op> <extra>"; a NULL field matches any. */
int fixture_count(const struct fixture *f, const char *name, const char *op,
		  const char *extra);
/* Forget the trace. */
void fixture_reset(const struct fixture *f);

#endif
