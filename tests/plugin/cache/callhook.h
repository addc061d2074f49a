/* Deterministic fault points for the cache tests. A test program linked
 * with CALLHOOK_LDFLAGS (-Wl,--wrap for open, write, fsync, rename, unlink
 * and unlinkat; see Makefile.inc) sends every such call made by the cache
 * code through callhook.c, which counts the calls that change the disk,
 * names each one, and can kill the process or fail the call at a chosen
 * one. Only test programs are linked this way, never the plugin. */
#ifndef ASKCRED_TESTS_CACHE_CALLHOOK_H
#define ASKCRED_TESTS_CACHE_CALLHOOK_H

#define CALLHOOK_MAX 64

enum callhook_when { CALLHOOK_BEFORE, CALLHOOK_AFTER };
enum callhook_action {
	CALLHOOK_COUNT, /* only count and name the calls (a census) */
	CALLHOOK_KILL,	/* SIGKILL this process at (at, when) */
	CALLHOOK_FAIL	/* call number at returns -1 with fail_errno */
};

struct callhook {
	int armed;	/* count only while set */
	unsigned calls; /* calls counted so far */
	unsigned at;	/* 1-based call number to act on */
	enum callhook_when when;
	enum callhook_action action;
	int fail_errno;
	/* one line per call, e.g. "rename cache temp -> cache file" */
	char what[CALLHOOK_MAX][160];
};

extern struct callhook callhook;

/* Start counting from zero with action at call number at. */
void callhook_arm(enum callhook_action action, unsigned at,
		  enum callhook_when when, int fail_errno);
/* Stop counting; returns the number of calls seen. */
unsigned callhook_disarm(void);
/* First census line (1-based) at or after index from starting with
 * prefix, or the last one if last is set; 0 if none. */
unsigned callhook_find(unsigned from, const char *prefix, int last);

#endif
