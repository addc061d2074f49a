#!/bin/sh
# make check's stress test: the short run (8 processes x 4 threads x 10 s)
# of stress/run.sh, each of its checks a TAP line; known bugs it counts
# are diagnostics. It runs in the sanitizer build too (about 12 s there:
# slower operations only make the mint bound looser, never tighter).
out=$(mktemp "${TMPDIR:-/tmp}/askcred-stress.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
timeout 120 sh "$top_srcdir/stress/run.sh" "$top_builddir" 8 4 10 >"$out" 2>&1
rc=$?
n=0
while IFS= read -r line; do
	case $line in
	PASS:*) n=$((n + 1)) && echo "ok $n - ${line#PASS: }" ;;
	FAIL:*) n=$((n + 1)) && echo "not ok $n - ${line#FAIL: }" ;;
	*) echo "# $line" ;;
	esac
done <"$out"
# run.sh makes eight checks; fewer means it stopped early.
n=$((n + 1))
if [ $rc -eq 0 ] && [ $n -eq 9 ]; then
	echo "ok $n - run.sh ran all its checks and passed them"
else
	echo "not ok $n - run.sh ran all its checks and passed them (exit status $rc, $((n - 1)) checks)"
fi
echo "1..$n"
