#!/usr/bin/env bash
# One entry point for people and CI on Debian 12:
#   ./build.sh demo   install what is missing, build, run the demo
#   ./build.sh test   install what is missing, build, run the whole suite
# Both build out of tree (_build/, _build-san/) from a clean bootstrap.
set -euo pipefail

cd "$(dirname "$0")"
top=$PWD

# What a fresh Debian 12 lacks. Build tools, the three libraries, and what
# the tests drive: python3 (the AskUI API emulator), openssl (test CAs and
# keys), scdoc + man-db (man pages), binutils (export checks), valgrind,
# strace (fault injection), clang + libclang-rt-14-dev (libFuzzer).
PACKAGES=(
	gcc make autoconf automake libtool autoconf-archive pkg-config
	libcurl4-openssl-dev libjson-c-dev libssl-dev
	openssl ca-certificates python3 scdoc man-db binutils procps
	clang-format valgrind strace clang libclang-rt-14-dev
)

log() { printf '==> %s\n' "$*"; }

# The tests whose threads share one instance, stack or cache handle.
TSAN_TESTS="tests/plugin/test_provider tests/plugin/test_instance \
tests/host/test_stack_ops tests/plugin/cache/test_cache_flight \
tests/plugin/policy/test_policy_store"

install_missing() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

bootstrap() {
	log "bootstrapping (autoreconf)"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
}

# configure_build DIR [configure args...]
configure_build() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q --enable-werror "$@")
}

jobs() { nproc 2>/dev/null || echo 2; }

# Print a suite's summary counts as "pass fail" from its test-suite.log.
summary_counts() {
	awk '/^# PASS:/{p=$3} /^# FAIL:/{f=$3} /^# ERROR:/{e=$3} /^# XPASS:/{x=$3}
	     END{print p+0, f+e+x+0}' "$1/test-suite.log.summary" 2>/dev/null || echo "0 1"
}

# run_check DIR: make check, keep the summary, show failures' logs.
run_check() {
	local dir=$1 rc=0
	make -C "$dir" -j"$(jobs)" check >"$dir/check.out" 2>&1 || rc=$?
	sed -n '/^=*$/,$p' "$dir/check.out" | grep -E '^# [A-Z]+:' >"$dir/test-suite.log.summary" || true
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL):' "$dir/check.out" | grep -vE '^(PASS|SKIP|XFAIL):' || true
	cat "$dir/test-suite.log.summary"
	if [ $rc -ne 0 ]; then
		log "failures in $dir; their logs follow"
		[ -f "$dir/test-suite.log" ] && cat "$dir/test-suite.log"
		tail -n 40 "$dir/check.out"
	fi
	return $rc
}

cmd_demo() {
	install_missing
	bootstrap
	configure_build _build
	log "building"
	make -C _build -j"$(jobs)" >/dev/null
	log "running the demo"
	exec bash examples/demo.sh _build
}

# gate OUT SUMMARY COMMAND...: one pass/fail step. COMMAND's output goes to
# OUT; on success SUMMARY (a shell filter) shows what matters of it, on
# failure its tail is shown. Counts into pass/fail/rc of cmd_test.
gate() {
	local out=$1 summary=$2
	shift 2
	if "$@" >"$out" 2>&1; then
		sh -c "$summary" <"$out" || true
		pass=$((pass + 1))
		return 0
	fi
	tail -n 60 "$out"
	fail=$((fail + 1))
	rc=1
	return 1
}

cmd_test() {
	local rc=0 pass=0 fail=0 p f
	install_missing
	bootstrap

	log "format check (clang-format, .clang-format)"
	tests/check-format.sh

	log "build and test (-Werror)"
	configure_build _build
	make -C _build -j"$(jobs)" >/dev/null
	run_check _build || rc=1
	read -r p f < <(summary_counts _build); pass=$((pass + p)); fail=$((fail + f))

	log "build and test under ASan + UBSan"
	configure_build _build-san --enable-sanitizers
	make -C _build-san -j"$(jobs)" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_check _build-san || rc=1
	read -r p f < <(summary_counts _build-san); pass=$((pass + p)); fail=$((fail + f))

	log "threaded tests under ThreadSanitizer"
	configure_build _build-tsan --enable-tsan
	make -C _build-tsan -j"$(jobs)" >/dev/null
	gate _build-tsan/check.out 'grep -E "^# (PASS|FAIL|ERROR):"' \
		env TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		make -C _build-tsan -j"$(jobs)" check TESTS="$TSAN_TESTS" || {
		[ ! -f _build-tsan/test-suite.log ] ||
			cat _build-tsan/test-suite.log
	}

	log "unit tests under Valgrind memcheck"
	gate _build/valgrind.out 'grep -E "^# (PASS|FAIL|ERROR):"' \
		tests/valgrind.sh _build || true

	log "fuzz every target for ${FUZZ_SECONDS:-30} s on its seed corpus (libFuzzer)"
	gate _build/fuzz.out 'tail -n 12' \
		tests/fuzz/run.sh "$top" "$top/_build-fuzz" "${FUZZ_SECONDS:-30}" ||
		true

	log "make distcheck"
	gate _build/distcheck.out 'echo "distcheck ok"' \
		make -C _build -j"$(jobs)" distcheck || true

	echo "${pass} passed, ${fail} failed"
	return $rc
}

case "${1:-}" in
demo) cmd_demo ;;
test) cmd_test ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 64
	;;
esac
