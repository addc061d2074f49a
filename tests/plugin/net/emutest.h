/* What the emulator-backed tests share: settings from the environment that
 * tests/emulator/emulator.sh exports, the parent credential, the control
 * endpoint (faults, counters) and a stopwatch. Any setup failure bails. */
#ifndef ASKCRED_TESTS_NET_EMUTEST_H
#define ASKCRED_TESTS_NET_EMUTEST_H

#include "net.h"

/* An environment variable the wrapper must have set. */
const char *emu_env(const char *name);

/* Test settings: the emulator's base URL and CA, no proxy, a 10 s budget,
 * 3 attempts, 50 ms backoff steps, logging to emu_log. */
void emu_config(struct net_config *cfg);

/* How many lines the module logged through cfg.log since the start, and
 * the last one. Each line is also printed as a TAP comment, so the leak
 * check of the wrapper sees everything the module logs. */
int emu_log_count(void);
const char *emu_log_last(void);

/* The parent credential, read from ASKCRED_TEST_PARENT_FILE. */
void emu_parent(struct secret *out);

/* Switch the main emulator's fault (a JSON object, e.g.
 * {"mode":"status","status":503,"count":1}); "{}" clears it. */
void emu_fault(const char *json);
/* Zero the counters and clear the fault. */
void emu_reset(void);
/* How often an endpoint ("create", "list", ...) was called since the last
 * reset, or "connections": TLS connections accepted. */
long emu_count(const char *what);

/* Seconds since *start (CLOCK_MONOTONIC), and a way to set start. */
double emu_elapsed(const struct timespec *start);
void emu_clock(struct timespec *start);

#endif
