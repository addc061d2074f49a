# Sourced by the fault-injection scripts: TAP helpers, a private temp
# directory removed at exit, a machine id file and the cache_tool path.
#
#   ok STATUS NAME      one TAP line; STATUS 0 is a pass (a NAME ending
#                       in "# TODO why" marks a known finding)
#   is GOT WANT NAME    pass when GOT = WANT, else show both
#   has FILE TEXT NAME  pass when FILE holds the fixed string TEXT
#   val FILE KEY        the value of KEY=... in cache_tool output FILE
#   temps DIR           how many temp files (*.tmp) are in DIR
#   skip_all REASON     plan 1..0 with the reason and exit 0
#   done_testing        print the plan; exit 1 if anything failed
#
# Needs top_builddir (the test harness exports it).

TOOL=${top_builddir:-.}/tests/faults/cache_tool
# The workspace cache_tool uses: files are "$WS@<entry>.cache" and so on.
WS=5d0f6a2e-3c1b-4e7a-9b8c-0a1b2c3d4e5f
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		# A known finding ("# TODO ...") does not fail the script.
		case $2 in *"# TODO"*) ;; *) failed=$((failed + 1)) ;; esac
	fi
}

is() {
	[ "$1" = "$2" ]
	_r=$?
	ok $_r "$3"
	[ $_r -eq 0 ] || printf '# got:  %s\n# want: %s\n' "$1" "$2"
}

has() {
	grep -q -F -e "$2" "$1"
	_r=$?
	ok $_r "$3"
	[ $_r -eq 0 ] || sed 's/^/# /' "$1"
}

val() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

temps() {
	ls -a "$1" 2>/dev/null | grep -c '\.tmp$'
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$n"
	[ $failed -eq 0 ]
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
