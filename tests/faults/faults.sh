# Sourced by the fault-injection scripts: the TAP library (tests/lib.sh:
# ok, is, has, known, skip_all, done_testing, ...), a private temp
# directory removed at exit, a machine id file and the cache_tool path.
#
#   val FILE KEY        the value of KEY=... in cache_tool output FILE
#   vals FILE           every KEY=... of FILE at once, as $v_KEY (shell
#                       builtins only: the allocation sweeps read
#                       hundreds of outputs, and two processes per value
#                       were most of their cost)
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

vals() {
	for _k in $_vals_set; do
		unset "v_$_k"
	done
	_vals_set=
	while IFS= read -r _line; do
		case $_line in
		*=*) _k=${_line%%=*} ;;
		*) continue ;;
		esac
		case $_k in
		'' | *[!a-z_]*) continue ;;
		esac
		# The last line for a key wins, as in val.
		eval "v_$_k=\${_line#*=}"
		_vals_set="$_vals_set $_k"
	done <"$1"
}

temps() {
	_n=0
	for _f in "$1"/* "$1"/.*; do
		case $_f in
		*.tmp) [ -e "$_f" ] && _n=$((_n + 1)) ;;
		esac
	done
	echo "$_n"
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
