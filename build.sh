#!/usr/bin/env bash
# One entry point for people and CI on Debian 12:
#   ./build.sh demo   install what is missing, build, run the demo
#   ./build.sh test   install what is missing, build, run the whole suite
# Both build out of tree (_build/, _build-san/) from a clean bootstrap.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
top=$PWD

# What a fresh Debian 12 lacks. Build tools, the three libraries, and what
# the tests drive: python3 (the AskUI API emulator), openssl (test CAs and
# keys), scdoc + man-db (man pages), binutils (export checks), valgrind,
# strace (fault injection), clang + libclang-rt-14-dev (libFuzzer),
# bash-completion (the completion is tested with and without it).
# promtool is not here: see unpack_promtool.
PACKAGES=(
	gcc make autoconf automake libtool pkg-config
	libcurl4-openssl-dev libjson-c-dev libssl-dev libyaml-dev
	openssl ca-certificates python3 scdoc man-db binutils procps
	clang-format valgrind strace clang libclang-rt-14-dev bash-completion
)

log() { printf '==> %s\n' "$*"; }

# phase TITLE: announce the next step of cmd_test, numbered, with the
# time since the start.
phase_n=0
PHASES=9
t0=$(date +%s)
phase() {
	phase_n=$((phase_n + 1))
	log "[phase $phase_n/$PHASES, $(($(date +%s) - t0)) s] $*"
}

# distcheck proves the tarball: it configures, builds, installs and
# uninstalls it out of tree. Its check runs the tests that read what else
# must ship: the docs, examples and man pages, the fuzz corpora and
# expected outcomes, the emulator, the shell test libraries and the
# bad-input table. The whole suite ran on the same code in phases 3 and 5,
# so it builds only the test programs those tests run (DISTCHECK_HELPERS
# and the tests that are programs), and ships_every_file proves that every
# tracked file is in the tarball, the sources of the rest included.
DISTCHECK_HELPERS="tests/faults/cache_tool tests/docs/list_args \
examples/c/host tests/examples/abi_layout"
DISTCHECK_TESTS='^tests/(docs|fuzz|security)/|^tests/examples/test_(c_host|python|systemd_unit)|^tests/cli/test_(bad_inputs|get)\.sh|^tests/plugin/test_(examples|mint_windows)|^tests/faults/test_disk_full'

# The whole suite runs once, under ASan + UBSan, the strictest build.
# The plain build runs what ASan cannot: the allocation-failure sweeps
# (ASan replaces malloc), the Python and agent examples (a sanitized
# library cannot be loaded into an unsanitized interpreter), and the
# hardening checks that need FORTIFY_SOURCE (off with ASan). Running the
# rest twice cost about 300 s of CPU for the same assertions on a less
# strict build. plain_covers_san_skips checks, after the sanitizer run,
# that every test which skipped anything there is in this list.
PLAIN_TESTS="tests/faults/test_alloc.sh tests/faults/test_alloc_cache.sh \
tests/faults/test_alloc_tls_session.sh tests/examples/test_python.sh \
tests/examples/test_python_mint.sh tests/examples/test_run_agent.sh \
tests/security/test_hardening.sh"

# The tests whose threads share one instance, stack or cache handle.
TSAN_TESTS="tests/plugin/test_provider tests/plugin/test_instance \
tests/host/test_stack_ops tests/plugin/cache/test_cache_flight \
tests/plugin/policy/test_policy_store"

# ships_every_file TARBALL: every file git tracks is in TARBALL, but for
# the two that only keep the repository tidy. Quiet without git.
ships_every_file() {
	local missing
	git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || return 0
	missing=$(comm -23 <(git -C "$top" ls-files | sort) \
		<(tar -tzf "$1" | sed 's|^[^/]*/||' | sort) |
		grep -v -x -e .gitignore -e m4/.keep)
	[ -z "$missing" ] && return 0
	echo "tracked but not in $1 (add them to EXTRA_DIST or a _SOURCES):"
	printf '  %s\n' $missing
	return 1
}

# distcheck: make distcheck with the tests of DISTCHECK_TESTS, then
# ships_every_file on its tarball.
distcheck() {
	local tests
	tests=$(tests_of _build | grep -E "$DISTCHECK_TESTS" | tr '\n' ' ')
	make -C _build -j"$(njobs)" distcheck \
		DISTCHECK_CONFIGURE_FLAGS="PYTHON3=$(python_binary)" \
		TESTS="$tests" \
		check_PROGRAMS="$DISTCHECK_HELPERS $(printf '%s\n' $tests | grep -v '\.sh$' | tr '\n' ' ')" &&
		ships_every_file "_build/$(make_var _build DIST_ARCHIVES)"
}

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

# promtool checks the metrics file (tests/plugin/test_metrics.sh). Debian
# ships it only in the prometheus server package, and installing that
# would enable and start a Prometheus service on the machine. So unless
# promtool is already on PATH, the package is unpacked into _tools/ and
# only promtool is used; PROMTOOL tells the test where it is.
unpack_promtool() {
	local dir=$top/_tools/prometheus
	command -v promtool >/dev/null 2>&1 && return 0
	if [ ! -x "$dir/usr/bin/promtool" ]; then
		log "unpacking promtool from Debian's prometheus package into _tools/"
		rm -rf "$top/_tools" && mkdir -p "$top/_tools"
		local sudo=()
		[ "$(id -u)" -eq 0 ] || sudo=(sudo)
		(cd "$top/_tools" &&
			{ apt-get download -qq prometheus 2>/dev/null ||
				{ "${sudo[@]}" apt-get update -qq &&
					apt-get download -qq prometheus; }; } &&
			dpkg-deb -x prometheus_*.deb "$dir" && rm -f prometheus_*.deb) ||
			{ log "no promtool: test_metrics skips its promtool check"; return 0; }
	fi
	export PROMTOOL=$dir/usr/bin/promtool
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
	(cd "$dir" && PYTHON3=$(python_binary) "$top/configure" -q --enable-werror "$@")
}

# The interpreter the tests start (the emulator, its control, JSON
# checks: about 2,000 starts in a run of the suite). Debian's own, which
# PACKAGES installs, when it is there: a version manager's interpreter
# loads its site-packages' .pth files at every start (one seen here
# imports certifi: 50 ms a start, against 5 ms). Otherwise the
# interpreter itself, not a version manager's shim in front of it (pyenv's
# is a chain of bash scripts, costing more than the script it runs).
python_binary() {
	if [ -x /usr/bin/python3 ]; then
		echo /usr/bin/python3
		return
	fi
	python3 -c 'import sys; print(sys.executable)' 2>/dev/null || command -v python3
}

# How many jobs make runs (not "jobs": that is a shell builtin).
njobs() { nproc 2>/dev/null || echo 2; }

# The summary automake writes at the top of DIR/test-suite.log: the
# "# TOTAL:" ... "# ERROR:" block (counted in test points).
suite_summary() {
	awk '/^# [A-Z]+:/ { print; if ($2 == "ERROR:") exit }' \
		"$1/test-suite.log" 2>/dev/null
}

# A suite's counts as "pass fail": an unexpected pass (XPASS, a known
# finding that no longer happens) and an error are failures.
summary_counts() {
	suite_summary "$1" | awk '{ v[$2] = $3 }
		END { if (!("TOTAL:" in v)) { print 0, 1; exit }
		      print v["PASS:"] + 0, v["FAIL:"] + v["ERROR:"] + v["XPASS:"] }'
}

# make_var DIR VAR: the words of make variable VAR in DIR's Makefile, one
# a line.
make_var() {
	printf 'print-var:\n\t@printf "%%s\\n" $(%s)\n' "$2" |
		make -C "$1" -s --no-print-directory -f Makefile -f - print-var
}

# tests_of DIR: the TESTS make check runs in DIR, one a line.
tests_of() { make_var "$1" TESTS; }

# progress DIR NAME [TESTS]: while make check (the background job NAME)
# runs TESTS (default: all) in DIR, one line per test
# as it ends ("[n/N] PASS tests/..."), so that a person sees it is alive.
# A test has ended when its .trs holds the global result.
progress() {
	local dir=$1 name=$2 t trs res n=0 total alive
	local -a left still
	if [ -n "${3-}" ]; then
		read -r -a left <<<"$3"
	else
		mapfile -t left < <(tests_of "$dir")
	fi
	total=${#left[@]}
	while :; do
		alive=0
		running "$name" && alive=1
		still=()
		for t in "${left[@]}"; do
			trs=$dir/${t%.sh}.trs
			res=$(sed -n 's/^:global-test-result: //p' "$trs" \
				2>/dev/null || true)
			if [ -n "$res" ]; then
				n=$((n + 1))
				printf '[%d/%d] %s %s\n' "$n" "$total" "$res" "$t"
			else
				still+=("$t")
			fi
		done
		left=("${still[@]}")
		[ "$alive" -eq 1 ] || break
		sleep 2
	done
}

# run_check DIR [TESTS]: make check (of TESTS only, if given) with a
# running count, the summary, and the failures' logs.
run_check() {
	local dir=$1 tests=${2-} rc=0
	find "$dir" -name '*.trs' -delete
	# One job more than CPUs: the tests wait on emulators and children,
	# but the phase as a whole keeps both CPUs busy (with the build
	# beside it), so more jobs only made each test slower: three more
	# than CPUs measured no faster idle (410 s against 389 s) and put
	# more tests beside each other under load.
	background "check$dir" "$dir/check.out" \
		make -C "$dir" -j"$(($(njobs) + 1))" check ${tests:+TESTS="$tests"}
	progress "$dir" "check$dir" "$tests"
	await "check$dir" || rc=$?
	grep -E '^(FAIL|ERROR|XPASS):' "$dir/check.out" || true
	suite_summary "$dir"
	if [ $rc -ne 0 ]; then
		log "failures in $dir; their logs follow"
		[ -f "$dir/test-suite.log" ] && cat "$dir/test-suite.log"
		tail -n 40 "$dir/check.out"
	fi
	return $rc
}

# background NAME OUT COMMAND...: run COMMAND with its output to OUT while
# the script goes on; running NAME says whether it still runs, await NAME
# gives its exit status. The status goes through a file, not bash's wait:
# bash forgets a finished job's status as soon as a later child gets its
# pid, and the suite forks enough to wrap a 32768 pid space in one phase
# (CI once failed with "wait: pid N is not a child of this shell" after
# the ASan build had succeeded).
declare -A bg_pid
background() {
	local name=$1 out=$2 status
	shift 2
	mkdir -p "$top/_build-bg"
	status=$top/_build-bg/$name.status
	rm -f "$status"
	{
		rc=0
		"$@" || rc=$?
		echo "$rc" >"$status.tmp" && mv "$status.tmp" "$status"
		exit "$rc"
	} >"$out" 2>&1 &
	bg_pid[$name]=$!
}
running() {
	[ ! -e "$top/_build-bg/$1.status" ] &&
		kill -0 "${bg_pid[$1]}" 2>/dev/null
}
await() {
	local name=$1 rc
	# Returns at once when the pid is no longer ours: the job has ended.
	wait "${bg_pid[$name]}" 2>/dev/null || true
	rc=$(cat "$top/_build-bg/$name.status" 2>/dev/null) || rc=
	[ -n "$rc" ] || rc=1 # killed before it could write its status
	return "$rc"
}

# await_background NAME: await NAME, a build; on failure, show its output.
await_background() {
	if ! await "$1"; then
		tail -n 40 "$top/_build-bg/$1.out"
		log "$1: the build started in the background failed"
		return 1
	fi
}

# The test programs too (make check with no tests): built here, in the
# background of the plain check, they are not built at the start of the
# sanitizer check, where nothing else can run yet.
build_san() {
	configure_build _build-san --enable-sanitizers &&
		make -C _build-san -j"$(njobs)" >/dev/null &&
		make -C _build-san -j"$(njobs)" check TESTS= >/dev/null
}

cmd_demo() {
	install_missing
	bootstrap
	configure_build _build
	log "building"
	make -C _build -j"$(njobs)" >/dev/null
	log "running the demo"
	exec bash examples/demo.sh _build
}

# gate OUT SUMMARY COMMAND...: one pass/fail step. COMMAND's output goes to
# OUT; on success SUMMARY (a shell filter) shows what matters of it, on
# failure its tail is shown. Counts into pass/fail/rc of cmd_test.
gate() {
	local out=$1 summary=$2 status=0
	shift 2
	"$@" >"$out" 2>&1 || status=$?
	verdict "$status" "$out" "$summary"
}

# gate_background NAME SUMMARY: the gate of a step started with
# background NAME OUT (OUT is _build-bg/NAME.out).
gate_background() {
	local status=0
	await "$1" || status=$?
	verdict "$status" "$top/_build-bg/$1.out" "$2"
}

# verdict STATUS OUT SUMMARY: count one gate's outcome (see gate).
verdict() {
	if [ "$1" -eq 0 ]; then
		sh -c "$3" <"$2" || true
		pass=$((pass + 1))
		return 0
	fi
	tail -n 60 "$2"
	fail=$((fail + 1))
	rc=1
	return 1
}

# plain_covers_san_skips DIR: every test that skipped anything in DIR's
# check (the sanitizer build) is in PLAIN_TESTS, so that it ran in full
# on the plain build; else name it and fail.
plain_covers_san_skips() {
	local trs t missing=0
	while IFS= read -r trs; do
		t=${trs#"$1"/}
		t=${t%.trs}
		[ -f "$top/$t.sh" ] && t=$t.sh
		case " $PLAIN_TESTS " in
		*" $t "*) ;;
		*)
			log "$t skips checks under ASan and is not in PLAIN_TESTS (build.sh): they would never run"
			missing=1
			;;
		esac
	done < <(find "$1" -name '*.trs' -exec grep -l '^:test-result: SKIP' {} +)
	return $missing
}

cmd_test() {
	local rc=0 pass=0 fail=0 p f
	install_missing
	unpack_promtool
	bootstrap

	phase "format check (clang-format, .clang-format)"
	tests/check-format.sh

	phase "build (-Werror)"
	configure_build _build
	make -C _build -j"$(njobs)" >/dev/null
	phase "build the test programs (-Werror; the ASan + UBSan build runs beside it)"
	background san "$top/_build-bg/san.out" build_san
	# TESTS= builds every test program: all compile with -Werror here.
	make -C _build -j"$(njobs)" check TESTS= >/dev/null
	# The tests ASan cannot run go on beside the rest, so that no CPU
	# waits for the longest of them (test_alloc, alone for about 35 s
	# of an idle run); their results are shown after the sanitizer
	# check's.
	background plain "$top/_build-bg/plain.out" run_check _build "$PLAIN_TESTS"

	phase "build with ASan + UBSan (finishing; the tests ASan cannot run have started on the plain build)"
	await_background san
	phase "make check under ASan + UBSan (the fuzz build and the tests ASan cannot run are beside it)"
	background fuzz "$top/_build-bg/fuzz.out" env FUZZ_BUILD_ONLY=1 \
		tests/fuzz/run.sh "$top" "$top/_build-fuzz" "${FUZZ_SECONDS:-12}"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_check _build-san || rc=1
	read -r p f < <(summary_counts _build-san); pass=$((pass + p)); fail=$((fail + f))
	plain_covers_san_skips _build-san || { rc=1; fail=$((fail + 1)); }
	log "the tests ASan cannot run, on the plain build:"
	await plain || rc=1
	cat "$top/_build-bg/plain.out"
	read -r p f < <(summary_counts _build); pass=$((pass + p)); fail=$((fail + f))

	# distcheck builds the tarball's tree from scratch: it runs beside
	# the three phases below, whose single-threaded stretches (a
	# configure, the last fuzz target, the last memcheck run) leave a CPU
	# free. Only up-to-date targets of _build are shared with Valgrind's
	# make check there.
	background distcheck "$top/_build-bg/distcheck.out" distcheck

	phase "threaded tests under ThreadSanitizer (make distcheck runs beside it and the next two)"
	configure_build _build-tsan --enable-tsan
	# Only these tests' programs are built with TSan (check_PROGRAMS),
	# with what they link and load, and not the whole test suite's;
	# check-TESTS, not check, so not the command or the man pages either.
	gate _build-tsan/check.out 'grep -E "^# (PASS|FAIL|ERROR):"' \
		env TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		make -C _build-tsan -j"$(njobs)" check-TESTS \
		TESTS="$TSAN_TESTS" check_PROGRAMS="$TSAN_TESTS" || {
		[ ! -f _build-tsan/test-suite.log ] ||
			cat _build-tsan/test-suite.log
	}

	phase "unit tests under Valgrind memcheck"
	gate _build/valgrind.out 'grep -E "^# (PASS|FAIL|ERROR):"' \
		tests/valgrind.sh _build || true

	phase "fuzz every target for ${FUZZ_SECONDS:-12} s on its seed corpus (libFuzzer)"
	# A failed fuzz build is reported by run.sh itself, which tries again.
	await_background fuzz || true
	gate _build/fuzz.out 'tail -n 12' \
		tests/fuzz/run.sh "$top" "$top/_build-fuzz" "${FUZZ_SECONDS:-12}" ||
		true

	# What distcheck's check runs, and why: DISTCHECK_TESTS above.
	phase "make distcheck (finishing)"
	gate_background distcheck 'echo "distcheck ok"' || true

	echo "${pass} passed, ${fail} failed"
	return $rc
}

# Sourced (by tests/build/test_background.sh), it only defines.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
demo) cmd_demo ;;
test) cmd_test ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 64
	;;
esac
