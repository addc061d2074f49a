#!/bin/sh
# Allocation failure for every k (tests/faults/test_alloc.c) on a fetch
# from a warm disk cache and on a mint-and-cache against the AskUI
# emulator, with failmalloc.so preloaded into the driver only (not into
# the emulator or the shell). Skipped in a sanitizer build: ASan owns
# malloc and refuses to come after a preloaded library.
#
# FAULTS_ALLOC_STRIDE thins the middle of the sweep: every k in the first
# 200 and the last 400 allocations of a run, every 250th in between (the
# TLS handshake, where a failure is retried after a backoff of seconds),
# so "make check" stays around a minute. "make check-alloc-torture" runs
# every k: hours, mostly in those backoffs.
. "$top_srcdir/tests/emulator/emulator.sh"

DRIVER=$top_builddir/tests/faults/test_alloc
SHIM=$top_builddir/tests/faults/.libs/failmalloc.so

if grep -q -e '-fsanitize=' "$top_builddir/Makefile" 2>/dev/null &&
	grep -q '^HARDEN_CFLAGS = .*-fsanitize=' "$top_builddir/Makefile"; then
	echo "1..0 # SKIP sanitizer build: ASan replaces malloc"
	exit 0
fi
[ -f "$SHIM" ] || { echo "Bail out! $SHIM is not built"; exit 1; }

emulator_setup || { echo "Bail out! emulator setup"; exit 1; }
emulator_start main good || { echo "Bail out! emulator start"; exit 1; }
export ASKCRED_TEST_DIR="$EMU_DIR"
export ASKCRED_TEST_CA="$EMU_CA"
export ASKCRED_TEST_WS="$EMU_WS"
export ASKCRED_TEST_URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
export ASKCRED_TEST_PARENT_FILE="$EMU_DIR/parent.token"

FAULTS_ALLOC_STRIDE=${FAULTS_ALLOC_STRIDE:-250}
export FAULTS_ALLOC_STRIDE
out=$EMU_DIR/alloc.out
# A hung sweep must not hang the suite.
LD_PRELOAD=$SHIM timeout "${FAULTS_ALLOC_TIMEOUT:-1500}" "$DRIVER" >"$out" 2>&1
rc=$?
grep -v '^1\.\.[0-9]*$' "$out"
if grep -q '^1\.\.0 # SKIP' "$out"; then
	exit 0
fi
{
	grep -q '^1\.\.[0-9]*$' "$out" ||
		echo "not ok - test_alloc ran to its end (exit status $rc)"
	[ $rc -le 1 ] || echo "not ok - test_alloc exited with status $rc"
	emulator_check_leaks "$out" "$EMU_DIR"/*.log
} >"$out.tail"
cat "$out.tail"
echo "1..$(cat "$out" "$out.tail" | grep -c -E '^(not )?ok')"
