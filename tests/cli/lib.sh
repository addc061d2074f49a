# Shared by the askcred command's shell tests: TAP output, a private
# temporary directory, a stack file loading the real plugin, and run(),
# which runs the command and keeps its status, stdout and stderr apart.
# Sourced, not run.

: "${top_builddir:?run through make check, or set top_builddir}"
: "${PYTHON3:=python3}"

ASKCRED="$top_builddir/cli/askcred"
PLUGIN="$top_builddir/plugin/.libs/askcred_askui.so"
WS=9cf30c31-ea1e-4ff5-994a-c4a0dc70882f

tap_n=0
tap_failed=0

ok() { # ok STATUS DESCRIPTION: passes when STATUS is 0
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
	fi
}

# contains FILE STRING: 0 when FILE holds STRING, byte for byte.
contains() {
	grep -qF -e "$2" "$1"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

[ -x "$ASKCRED" ] || bail "$ASKCRED is not built"
[ -f "$PLUGIN" ] || bail "$PLUGIN is not built"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/askcred-cli.XXXXXX") || bail "mktemp -d"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM
# Keep the plugin's cache and anything else per-user inside $TMP.
mkdir -m 700 "$TMP/home" "$TMP/run" "$TMP/cache"
HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_CACHE_HOME="$TMP/cache"
export HOME XDG_RUNTIME_DIR XDG_CACHE_HOME
unset ASKCRED_STACK ASKUI_WORKSPACE_ID ASKUI_TOKEN

# write_stack FILE [MODULE ARGS...]: fetch and validate lines for the
# static source; extra words are appended to both.
write_stack() {
	f=$1
	shift
	(umask 077 && printf '%s required %s source=static%s\n' \
		fetch "$PLUGIN" "${*:+ $*}" \
		validate "$PLUGIN" "${*:+ $*}" >"$f")
}
STACK="$TMP/stack"
write_stack "$STACK" cache=off

# run ARGS...: the command on $STACK; sets rc, output in $TMP/out and
# $TMP/err.
run() {
	"$ASKCRED" --stack-file "$STACK" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
