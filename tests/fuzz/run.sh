#!/bin/sh
# Run every libFuzzer target for SECONDS each on a copy of its seed corpus.
#
#   tests/fuzz/run.sh SRCDIR OUTDIR SECONDS [TARGET...]
#   FUZZ_BUILD_ONLY=1 tests/fuzz/run.sh ...   build, do not fuzz
#
# SRCDIR is an autoreconf'd source tree. In OUTDIR/build this configures a
# separate clang build (ASan + UBSan from --enable-sanitizers, libFuzzer's
# coverage instrumentation everywhere), builds tests/fuzz/fuzz_T, and runs
# it on OUTDIR/corpus/T: a fresh copy of tests/fuzz/corpus/T and of the
# regressions/T that no longer crash (so the tree is never written). A crash, a leak, a
# timeout or a broken invariant fails the run and leaves the input in
# OUTDIR/artifacts/T/. Needs clang and libFuzzer: on Debian 12 the packages
# clang and libclang-rt-14-dev (clang only recommends the latter).
# Exit status: 0 all clean, 1 a target failed, 2 usage or toolchain.
set -u

usage() {
	echo "usage: $0 SRCDIR OUTDIR SECONDS [TARGET...]" >&2
	exit 2
}
[ $# -ge 3 ] || usage
SRCDIR=$(cd "$1" && pwd) || usage
OUTDIR=$2
SECONDS_EACH=$3
shift 3
case $SECONDS_EACH in '' | *[!0-9]*) usage ;; esac
TARGETS=${*:-cache_file policy api stack runner}
CC=${FUZZ_CC:-clang}
JOBS=${FUZZ_MAKE_JOBS:-2}

mkdir -p "$OUTDIR" || exit 2
OUTDIR=$(cd "$OUTDIR" && pwd)
BUILD=$OUTDIR/build

# libFuzzer ships apart from clang on Debian; say so instead of failing in
# the middle of a link.
probe=$OUTDIR/probe
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" \
	>"$probe.log" 2>&1; then
	cat "$probe.log" >&2
	echo "run.sh: $CC cannot link libFuzzer; on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
	exit 2
fi
rm -f "$probe" "$probe.c" "$probe.log"

if [ ! -f "$BUILD/config.status" ]; then
	mkdir -p "$BUILD" || exit 2
	echo "run.sh: configuring a clang build in $BUILD"
	# -Werror stays off: the tree is -Werror clean with gcc, and a clang
	# warning must not hide what the fuzzer finds.
	(cd "$BUILD" && CC=$CC CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" \
		"$SRCDIR/configure" -q --enable-sanitizers) || exit 2
fi
progs=
for t in $TARGETS; do
	progs="$progs tests/fuzz/fuzz_$t"
done
echo "run.sh: building$progs"
# shellcheck disable=SC2086
make -C "$BUILD" -j"$JOBS" FUZZ_ENGINE=-fsanitize=fuzzer $progs \
	>"$OUTDIR/build.log" 2>&1 || {
	tail -n 40 "$OUTDIR/build.log" >&2
	echo "run.sh: build failed (full log: $OUTDIR/build.log)" >&2
	exit 2
}
# FUZZ_BUILD_ONLY=1: build now, fuzz in a later call (build.sh builds
# while another phase's tests run).
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Leaks count as failures; an input taking 10 s is a hang.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

summary=$OUTDIR/summary.txt

# fuzz_one T: fuzz target T on its corpus; write its summary row to
# OUTDIR/row_T (FAIL or ok). Targets share nothing but the read-only tree,
# so JOBS of them run at once: the phase takes SECONDS x targets / JOBS.
fuzz_one() {
	t=$1
	corpus=$OUTDIR/corpus/$t
	art=$OUTDIR/artifacts/$t
	log=$OUTDIR/fuzz_$t.log
	row=$OUTDIR/row_$t
	rm -rf "$corpus" "$art" "$row"
	mkdir -p "$corpus" "$art"
	cp "$SRCDIR/tests/fuzz/corpus/$t/"* "$corpus/"
	seeds=$(ls "$corpus" | wc -l)
	# A regression that still crashes is a known open bug (its replay
	# test is XFAIL): name it, and keep it out of the corpus, where it
	# would stop libFuzzer before it fuzzes anything.
	open=0
	for r in "$SRCDIR/tests/fuzz/regressions/$t/"*; do
		[ -f "$r" ] || continue
		if "$BUILD/tests/fuzz/fuzz_$t" "$r" >"$log" 2>&1; then
			cp "$r" "$corpus/"
		else
			open=$((open + 1))
			echo "run.sh: $t: still crashes on regressions/$t/$(basename "$r")" >&2
		fi
	done
	echo "run.sh: fuzzing $t for ${SECONDS_EACH}s"
	"$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" \
		-timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-dict="$SRCDIR/tests/fuzz/askcred.dict" \
		-artifact_prefix="$art/" -print_final_stats=1 "$corpus" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	result=ok
	if [ $rc -ne 0 ] || [ -n "$(ls "$art")" ]; then
		result=FAIL
		grep -E 'ERROR|invariant|SUMMARY' "$log" | head -n 5 >&2
		for a in "$art"/*; do
			[ -e "$a" ] || continue
			echo "run.sh: $t: reproduce with $BUILD/tests/fuzz/fuzz_$t $a" \
				"(or tests/fuzz/replay_$t in a gcc build);" \
				"keep it as tests/fuzz/regressions/$t/<what-it-breaks>" >&2
		done
		echo "run.sh: $t: full log in $log" >&2
	fi
	printf '%-11s %-6s %10s %8s %8s %7s %5s\n' "$t" "$result" \
		"${execs:-?}" "${cov:-?}" "$seeds" "$(ls "$corpus" | wc -l)" \
		"$open" >"$row"
}

running=0
for t in $TARGETS; do
	fuzz_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait

failed=0
printf '%-11s %-6s %10s %8s %8s %7s %5s\n' target result execs cov seeds corpus open >"$summary"
for t in $TARGETS; do
	# A target whose row is missing died before it could say: a failure.
	if [ ! -f "$OUTDIR/row_$t" ]; then
		printf '%-11s %-6s\n' "$t" FAIL >>"$summary"
		failed=1
		continue
	fi
	grep -q '^[^ ]* *FAIL ' "$OUTDIR/row_$t" && failed=1
	cat "$OUTDIR/row_$t" >>"$summary"
done
echo
cat "$summary"
exit $failed
