#!/bin/sh
# make check's stress test: the short run (8 processes x 4 threads x 10 s)
# of stress/run.sh, each of its checks a TAP line. Under the sanitizer
# build 32 instrumented threads on two cores measure the sanitizers more
# than askcred, so it is skipped there; `make stress-short` still runs it.
if grep -q '^HARDEN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile"; then
	echo "1..0 # SKIP sanitizer build: too slow for a timed stress run (make stress-short runs it)"
	exit 0
fi
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
n=$((n + 1))
if [ $rc -eq 0 ] && [ $n -gt 8 ]; then
	echo "ok $n - run.sh passed all its checks"
else
	echo "not ok $n - run.sh passed all its checks (exit status $rc)"
fi
echo "1..$n"
