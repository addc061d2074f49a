/* Helpers shared by the plugin tests: a private temporary directory,
 * files with a chosen mode, and a host log callback that keeps the lines
 * so tests can check what was (and was not) logged. */
#ifndef ASKCRED_TESTS_PLUGIN_FIXTURE_H
#define ASKCRED_TESTS_PLUGIN_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

/* A fresh directory under $TMPDIR (or /tmp), removed by fixture_cleanup().
 * Bails out on failure. The returned string is static. */
const char *fixture_tmpdir(void);
/* Remove the directory and everything in it. */
void fixture_cleanup(void);

/* "<tmpdir>/<name>" into buf (PATH_MAX). */
char *fixture_path(char *buf, const char *name);

/* Write content to tmpdir/name with mode; returns the full path in buf. */
char *fixture_write(char *buf, const char *name, const char *content,
		    mode_t mode);

/* Host log callback collecting lines; ctx is ignored. */
void fixture_log(void *ctx, int level, const char *message);
/* All lines logged so far, joined by newlines (static buffer). */
const char *fixture_logged(void);
void fixture_log_reset(void);

/* The built provider module, loaded as a host loads it: dlopen(RTLD_NOW |
 * RTLD_LOCAL) of $top_builddir/plugin/.libs/askcred_askui.so (or relative
 * to the test program when run by hand), then its entry point for this
 * ABI. Bails out on any failure. *dl (may be NULL) gets the handle. */
struct askcred_provider;
const struct askcred_provider *fixture_provider(void **dl);

/* Replace every "{EXP}" in tmpl by the RFC 3339 time now + delta. */
void fixture_expand(char *out, size_t size, const char *tmpl, long delta);

#endif
