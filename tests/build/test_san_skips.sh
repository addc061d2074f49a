#!/usr/bin/env bash
# build.sh runs the whole suite once, under ASan + UBSan, and on the plain
# build only PLAIN_TESTS, the tests that skip checks under ASan.
# plain_covers_san_skips is what keeps that list whole: a test that
# skipped anything in the sanitizer run and is not in the list fails the
# run, with its name. Fed here with made-up .trs files.
. "${top_srcdir:?}/tests/lib.sh"
. "$top_srcdir/build.sh"
set +e
TMP=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$TMP"' EXIT
top=$TMP/src
mkdir -p "$top/tests/a" "$TMP/san/tests/a" "$TMP/san/tests/b"
: >"$top/tests/a/test_shell.sh"
trs() { # FILE RESULT...: a .trs with these test results
	_f=$1
	shift
	for _r in "$@"; do echo ":test-result: $_r"; done >"$_f"
}
trs "$TMP/san/tests/a/test_shell.trs" PASS SKIP PASS
trs "$TMP/san/tests/b/test_prog.trs" SKIP
trs "$TMP/san/tests/b/test_full.trs" PASS PASS XFAIL

PLAIN_TESTS="tests/a/test_shell.sh tests/b/test_prog"
plain_covers_san_skips "$TMP/san" >"$TMP/out" 2>&1
is $? 0 "every test that skipped under ASan is in PLAIN_TESTS: passes"
is "$(wc -c <"$TMP/out" | tr -d ' ')" 0 "and says nothing"

PLAIN_TESTS="tests/b/test_prog"
plain_covers_san_skips "$TMP/san" >"$TMP/out" 2>&1
is $? 1 "a shell test that skipped one check and is not listed: fails"
has "$TMP/out" "tests/a/test_shell.sh skips checks under ASan and is not in PLAIN_TESTS" \
	"and names it (with .sh, as TESTS does)"

PLAIN_TESTS="tests/a/test_shell.sh"
plain_covers_san_skips "$TMP/san" >"$TMP/out" 2>&1
is $? 1 "a test program that skipped as a whole and is not listed: fails"
has "$TMP/out" "tests/b/test_prog skips checks" "and names it"
contains "$TMP/out" test_full
is $? 1 "a test that skipped nothing is never named"

# The real list names only tests that exist.
. "$top_srcdir/build.sh"
bad=
for t in $PLAIN_TESTS; do
	[ -f "$top_srcdir/$t" ] || bad="$bad $t"
done
is "$bad" "" "every test in build.sh's PLAIN_TESTS exists"

done_testing
