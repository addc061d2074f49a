/* A small TAP producer for the automake tap-driver. Each check prints
 * "ok N - name" or "not ok N - name" with a diagnostic saying what was
 * expected and what came. */
#ifndef ASKCRED_TESTS_TAP_H
#define ASKCRED_TESTS_TAP_H

#include <stddef.h>

void tap_plan(int n);
/* Print the plan from the count of checks run so far. */
int tap_done(void);
int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tap_is_int(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tap_is_str(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* got contains want as a substring. */
int tap_has_str(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A check that may meet the known upstream finding id at where: listed in
 * tests/known-findings, a failure is expected ("# TODO known id") and a
 * pass is an unexpected pass, which fails; not listed, a plain check. */
int tap_known(const char *id, const char *where, int cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tap_known_listed(const char *id, const char *where);
void tap_skip(int n, const char *why);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Stop the whole test with "Bail out!". */
void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define ok tap_ok
#define is_int tap_is_int
#define is_str tap_is_str
#define has_str tap_has_str

#endif
