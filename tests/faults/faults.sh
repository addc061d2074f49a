# Sourced by the fault-injection scripts: the TAP library (tests/lib.sh:
# ok, is, has, known, skip_all, done_testing, ...), a private temp
# directory removed at exit, a machine id file and the cache_tool path.
#
#   val FILE KEY        the value of KEY=... in cache_tool output FILE
#   temps DIR           how many temp files (*.tmp) are in DIR
#   faults_setup        $T (private, removed at exit) and $MACHINE_ID
#
# Needs top_srcdir and top_builddir (the test harness exports them).

. "${top_srcdir:?run through make check, or set top_srcdir}/tests/lib.sh"

TOOL=${top_builddir:-.}/tests/faults/cache_tool
# The workspace cache_tool uses: files are "$WS@<entry>.cache" and so on.
WS=5d0f6a2e-3c1b-4e7a-9b8c-0a1b2c3d4e5f

val() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

temps() {
	ls -a "$1" 2>/dev/null | grep -c '\.tmp$'
}

faults_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/askcred-faults.XXXXXX") || exit 1
	chmod 700 "$T"
	trap 'rm -rf "$T"' EXIT
	trap 'exit 129' HUP INT TERM
	MACHINE_ID=$T/machine-id
	echo 0123456789abcdef0123456789abcdef >"$MACHINE_ID"
	chmod 444 "$MACHINE_ID"
}
