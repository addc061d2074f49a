/*
 * What the fuzz targets share with their two drivers: libFuzzer (clang,
 * tests/fuzz/run.sh) and the plain replay driver (replay.c) that runs every
 * seed and regression in "make check".
 *
 * A target records what each parser it drove made of the input with
 * fuzz_note() ("open=ok", "verify=no"); the replay driver compares that
 * outcome with tests/fuzz/expect/<target>.txt, so the seeds are a spec, not
 * just inputs that happen not to crash. A broken invariant (a refusal that
 * leaves a half-filled record, a secret in an error message) is a bug the
 * fuzzer must find: fuzz_check() aborts, which both drivers report as a
 * crash with the input that caused it.
 */
#ifndef ASKCRED_TESTS_FUZZ_H
#define ASKCRED_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points, which every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Append "stage=ok" or "stage=no" to the outcome of the current input. */
void fuzz_note(const char *stage, int accepted);
/* The outcome so far ("" when nothing was noted), and its reset. */
const char *fuzz_outcome(void);
void fuzz_outcome_reset(void);

/* Abort with the invariant's text when cond is false. */
#define fuzz_check(cond)                                                       \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
void fuzz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

/* Does the NUL-terminated text contain the len bytes of needle? */
int fuzz_contains(const char *text, const void *needle, size_t len);

#endif
