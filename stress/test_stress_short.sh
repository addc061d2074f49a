#!/bin/sh
# make check's stress test: the short run (8 processes x 4 threads x 10 s)
# of stress/run.sh, each of its checks a TAP line; known bugs it counts
# are diagnostics. It runs in the sanitizer build too (about 12 s there:
# slower operations only make the mint bound looser, never tighter).
. "${top_srcdir:?run through make check}/tests/lib.sh"
out=$(mktemp "${TMPDIR:-/tmp}/askcred-stress.XXXXXX") || bail "mktemp"
trap 'rm -f "$out"' EXIT
timeout 120 sh "$top_srcdir/stress/run.sh" "$top_builddir" 8 4 10 >"$out" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	PASS:*) ok 0 "${line#PASS: }" ;;
	FAIL:*) ok 1 "${line#FAIL: }" ;;
	*) diag "$line" ;;
	esac
done <"$out"
# run.sh makes eight checks; fewer means it stopped early.
checks=$tap_n
[ $rc -eq 0 ] && [ $checks -eq 8 ]
ok $? "run.sh ran all its checks and passed them (exit status $rc, $checks checks)"
done_testing
