# Shared by the tests of the examples and of the docs (tests/examples,
# tests/docs): everything tests/cli/lib.sh gives (TAP, $TMP, $ASKCRED,
# $PLUGIN), plus the helpers below. Sourced, not run.

. "${top_srcdir:?run through make check}/tests/cli/lib.sh"

# silent DESCRIPTION COMMAND [ARG...]: passes when COMMAND succeeds without
# a word on stderr (a linter's warnings), which is shown as TAP comments.
# Its stdout is kept in $TMP/silent.out for further checks.
silent() {
	_desc=$1
	shift
	"$@" >"$TMP/silent.out" 2>"$TMP/silent.err"
	_st=$?
	[ -s "$TMP/silent.err" ] && _st=1
	ok $_st "$_desc"
	sed 's/^/#   /' "$TMP/silent.err"
}

# python_env: set up python3 to import examples/python/askcred.py and load
# the built libaskcred, or skip the whole test when that cannot work.
python_env() {
	if [ "$PYTHON3" = no ] || ! command -v "$PYTHON3" >/dev/null 2>&1; then
		echo "1..0 # SKIP python3 is not installed"
		exit 0
	fi
	# A sanitizer build's library cannot be loaded into an uninstrumented
	# python.
	if ldd "$top_builddir/host/.libs/libaskcred.so" 2>/dev/null |
		grep -q libasan; then
		echo "1..0 # SKIP libaskcred is built with sanitizers"
		exit 0
	fi
	PYTHONPATH="$top_srcdir/examples/python${PYTHONPATH:+:$PYTHONPATH}"
	LD_LIBRARY_PATH="$top_builddir/host/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	PYTHONDONTWRITEBYTECODE=1
	export PYTHONPATH LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE
}

# The demo credential (examples/credentials/demo.json: fake workspace and
# token) and demo_stack, which writes $TMP/demo.json (mode 0600) and
# $TMP/stack, a one-line fetch stack reading it through the real plugin.
DEMO_WS=00000000-0000-4000-8000-000000000000
DEMO_TOKEN=DEMO-not-a-real-AskUI-token
demo_stack() {
	install -m 600 "$top_srcdir/examples/credentials/demo.json" \
		"$TMP/demo.json" || bail "cannot copy demo.json"
	printf 'fetch required %s source=static credentials=%s cache=off\n' \
		"$PLUGIN" "$TMP/demo.json" >"$TMP/stack"
}
