# Shared by the askcred command's shell tests: the TAP library
# (tests/lib.sh: ok STATUS DESC, is GOT WANT DESC, ...), a private
# temporary directory, a stack file loading the real plugin, and run(),
# which runs the command and keeps its status, stdout and stderr apart.
# Sourced, not run.

: "${top_builddir:?run through make check, or set top_builddir}"
. "${top_srcdir:?run through make check, or set top_srcdir}/tests/lib.sh"
: "${PYTHON3:=python3}"

ASKCRED="$top_builddir/cli/askcred"
PLUGIN="$top_builddir/plugin/.libs/askcred_askui.so"
WS=9cf30c31-ea1e-4ff5-994a-c4a0dc70882f

[ -x "$ASKCRED" ] || bail "$ASKCRED is not built"
[ -f "$PLUGIN" ] || bail "$PLUGIN is not built"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/askcred-cli.XXXXXX") || bail "mktemp -d"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM
# Keep the plugin's cache and anything else per-user inside $TMP.
# TMPDIR too: exec's runner config copies without XDG_RUNTIME_DIR go
# there, and a gc run by a test running beside this one sweeps /tmp's.
mkdir -m 700 "$TMP/home" "$TMP/run" "$TMP/cache" "$TMP/config" "$TMP/tmp"
HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_CACHE_HOME="$TMP/cache"
XDG_CONFIG_HOME="$TMP/config" TMPDIR="$TMP/tmp"
export HOME XDG_RUNTIME_DIR XDG_CACHE_HOME XDG_CONFIG_HOME TMPDIR
unset ASKCRED_STACK ASKCRED_CONFIG ASKUI_WORKSPACE_ID ASKUI_TOKEN

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
