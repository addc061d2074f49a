#!/bin/sh
# Run the C unit tests of a built tree under Valgrind memcheck.
#
#   tests/valgrind.sh BUILD_DIR [TEST...]
#
# BUILD_DIR is a configured tree WITHOUT --enable-sanitizers (ASan and
# Valgrind do not mix). Every test in TESTS that is a C program runs
# through the tree's own harness, each one as
#   libtool --mode=execute valgrind ... ./tests/x/test_y
# (libtool, because the programs are libtool wrapper scripts until
# installed). Any memcheck error, or a definitely or indirectly lost
# block, makes valgrind exit 99 and the test fail.
#
# The shell tests (*.sh) are left out: they start the command, the
# emulator (Python) and openssl many times, and Valgrind would mostly
# measure those programs' start-up; the C code they drive is the same C the
# unit tests cover. Also left out, by name in TIMED below, C tests that
# assert wall-clock bounds of a few seconds, which Valgrind's
# 20-50x slowdown breaks on a loaded machine (a failure there says nothing
# about memory). The fuzz replays run here too: every seed under memcheck.
#
# Prints the results that did not pass, the wall time and automake's
# summary ("# PASS: N" ... "# ERROR: N") last; the whole run is in
# BUILD_DIR/valgrind-check.out. Exit status: make's (0 when all passed).
set -u

[ $# -ge 1 ] || {
	echo "usage: $0 BUILD_DIR [TEST...]" >&2
	exit 2
}
B=$(cd "$1" && pwd) || exit 2
shift
[ -f "$B/Makefile" ] && [ -x "$B/libtool" ] || {
	echo "valgrind.sh: $B is not a configured askcred build" >&2
	exit 2
}
if grep -q '^HARDEN_CFLAGS = .*-fsanitize' "$B/Makefile"; then
	echo "valgrind.sh: $B was configured with --enable-sanitizers;" \
		"use a plain build" >&2
	exit 2
fi
command -v valgrind >/dev/null || {
	echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2
	exit 2
}
JOBS=${VALGRIND_JOBS:-2}
start=$(date +%s)

if [ $# -gt 0 ]; then
	tests=$*
else
	# The tree's own list, so a new C test is covered without an edit here.
	# Regenerate the Makefile first, so that no automake or configure
	# output ends up in the list.
	make -s -C "$B" Makefile >/dev/null 2>&1 || exit 2
	all=$(make -s -C "$B" --no-print-directory \
		--eval='valgrind-print-tests: ; @echo $(TESTS)' \
		valgrind-print-tests) || exit 2
	# test_cache_flight: "the others return at once" means within 2 s
	# of 16 racing processes (the refresher takes 4 s). (test_cache_crash
	# kills at chosen calls now, not at chosen times, so it runs here.)
	TIMED="tests/plugin/cache/test_cache_flight"
	tests=
	skipped=
	for t in $all; do
		case $t in
		*.sh) skipped="$skipped $t" ;;
		*[!A-Za-z0-9_./-]*) ;;
		*)
			case " $TIMED " in
			*" $t "*) skipped="$skipped $t" ;;
			*) tests="$tests $t" ;;
			esac
			;;
		esac
	done
fi

supp=
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/valgrind.supp" ] && supp="--suppressions=$here/valgrind.supp"

VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect \
--show-leak-kinds=definite,indirect --num-callers=30 $supp"

out=$B/valgrind-check.out
# shellcheck disable=SC2086
make -C "$B" -j"$JOBS" check TESTS="$tests" \
	TEST_SUITE_LOG=valgrind-suite.log \
	LOG_COMPILER="$B/libtool --mode=execute $VG" >"$out" 2>&1
rc=$?
end=$(date +%s)

# Only what did not pass, one line each; every result is in $out.
grep -E '^(FAIL|XPASS|ERROR):' "$out"
if [ $rc -ne 0 ]; then
	echo "valgrind.sh: failures; memcheck's reports are in each test's .log:"
	grep -E '^(FAIL|ERROR|XPASS):' "$out" | while read -r _ t _; do
		log=$B/$t.log
		echo "--- $log"
		grep -E '== (Invalid|Conditional|Syscall|Mismatched|.*definitely lost|.*indirectly lost|ERROR SUMMARY)' \
			"$log" 2>/dev/null | head -n 10
	done
	[ -f "$B/valgrind-suite.log" ] || tail -n 30 "$out"
fi
[ -n "${skipped:-}" ] &&
	echo "valgrind.sh: left out (shell and timed tests, see the top of this script):$skipped"
echo "valgrind.sh: $(echo $tests | wc -w) C tests under memcheck in $((end - start)) s"
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$out"
exit $rc
