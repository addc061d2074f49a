#!/bin/sh
# No test output, log line or error message contains an issued token, as is
# or base64-encoded (issue 7). Three parts:
#
#  1. The askcred command at full verbosity (-v -v) on a probe token, on
#     the success paths (get, status, validate, exec) and the error paths
#     (unsafe file, expired, malformed, bad token characters, validity not
#     met): the token may appear only where it is the product (get's
#     stdout), never on stderr.
#  2. The same against the AskUI API emulator with source=mint (mint, cache
#     hit, refresh, status, revoke): no token the emulator issued, nor the
#     parent token, in our stderr or the server's log.
#  3. Every *.log under the build's tests/ holding a fixed test token (the
#     tokens written in tests/ and examples/ sources). Under `make check`
#     the other tests run at the same time, so this part sees the logs that
#     exist when it runs; `make check-leaks` runs the whole suite first and
#     then only this part, over every log (see tests/security/Makefile.inc).
#
#   test_no_token_leak.sh            parts 1-3
#   test_no_token_leak.sh --logs     part 3 only, and fail if no log exists
: "${top_srcdir:?run through make check, or set top_srcdir}"
: "${top_builddir:?run through make check, or set top_builddir}"
: "${PYTHON3:=python3}"
: "${OPENSSL_BIN:=openssl}"

ASKCRED=$top_builddir/cli/askcred
PLUGIN=$top_builddir/plugin/.libs/askcred_askui.so
. "$top_srcdir/tests/lib.sh"

scan() { "$PYTHON3" "$top_srcdir/tests/security/leakscan.py" "$@"; }

# no_leak TOKENFILE DESCRIPTION FILE...: the scanner names offending files
# and token fingerprints, never a token.
no_leak() {
	_tf=$1 _d=$2
	shift 2
	scan tokens "$_tf" "$@" >"$T/hits"
	_r=$?
	ok $_r "$_d"
	[ $_r -eq 0 ] || sed 's/^/# found in: /' "$T/hits"
}

scan_logs() { # require-logs
	scan fixed "$top_srcdir" "$T/fixed" >"$T/nfixed" ||
		{ ok 1 "fixed test tokens collected"; return; }
	find "$top_builddir/tests" -name '*.log' \
		! -name 'test_no_token_leak.log' >"$T/logs"
	_nlogs=$(wc -l <"$T/logs")
	if [ "$1" = yes ] && [ "$_nlogs" -eq 0 ]; then
		ok 1 "test logs exist to scan (run make check first)"
		return
	fi
	# Names have no newlines: find wrote them, make named them.
	# shellcheck disable=SC2046
	IFS='
'
	no_leak "$T/fixed" "none of $(cat "$T/nfixed") fixed test tokens in the $_nlogs test logs present now" \
		$(cat "$T/logs")
	unset IFS
}

T=$(mktemp -d "${TMPDIR:-/tmp}/askcred-leak.XXXXXX") || bail "mktemp -d"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

if [ "${1:-}" = --logs ]; then
	scan_logs yes
	done_testing
	exit
fi

[ -x "$ASKCRED" ] && [ -f "$PLUGIN" ] || bail "askcred or the plugin is not built"
mkdir -m 700 "$T/home" "$T/cache" "$T/run"
HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_RUNTIME_DIR=$T/run
export HOME XDG_CACHE_HOME XDG_RUNTIME_DIR
unset ASKCRED_STACK ASKUI_WORKSPACE_ID ASKUI_TOKEN
umask 077

# ---- 1. the command on a probe token ------------------------------------
WS=6b0f3c52-1d8e-4a7b-9c2d-3e4f5a6b7c8d
PROBE=LeakProbe-$("$PYTHON3" -c 'import secrets; print(secrets.token_hex(12))')
echo "$PROBE" >"$T/probe"
cred() { # file token expires_at(JSON) [mode]
	printf '{"workspace_id": "%s", "token": "%s", "expires_at": %s}\n' \
		"$WS" "$2" "$3" >"$1"
	chmod "${4:-600}" "$1"
}
stack() { # file credentials-file
	printf 'fetch required %s source=static credentials=%s\nvalidate required %s source=static credentials=%s\n' \
		"$PLUGIN" "$2" "$PLUGIN" "$2" >"$1"
}
run() { # name stack args...: stdout in $T/name.out, stderr in $T/name.err
	_name=$1 _stack=$2
	shift 2
	"$ASKCRED" -v -v --stack-file "$_stack" "$@" >"$T/$_name.out" \
		2>"$T/$_name.err" </dev/null
	echo $? >"$T/$_name.rc"
}
rc() { cat "$T/$1.rc"; }

cred "$T/good.json" "$PROBE" null
stack "$T/good" "$T/good.json"
run get "$T/good" get
run json "$T/good" get --format json
run status "$T/good" status
run validate "$T/good" validate
run exec "$T/good" exec -- sh -c 'test "$ASKUI_TOKEN" = "$(cat "$1")"' sh "$T/probe"
[ "$(rc get)" -eq 0 ] && grep -qF "$PROBE" "$T/get.out"
ok $? "the probe is real: get succeeds and prints the token on stdout"
[ "$(rc exec)" -eq 0 ]
ok $? "the probe is real: exec hands the token to the child"
[ -s "$T/get.err" ]
ok $? "-v -v makes get log on stderr (so the log is checked)"
no_leak "$T/probe" "success paths at -v -v: no token on stderr (get, json, status, validate, exec)" \
	"$T/get.err" "$T/json.err" "$T/status.err" "$T/validate.err" "$T/exec.err"
no_leak "$T/probe" "status, validate and exec print no token on stdout" \
	"$T/status.out" "$T/validate.out" "$T/exec.out"

# Error paths: each must fail, and its message must not quote the token.
cred "$T/loose.json" "$PROBE" null 644
stack "$T/loose" "$T/loose.json"
run loose "$T/loose" get
cred "$T/expired.json" "$PROBE" 1000000000
stack "$T/expired" "$T/expired.json"
run expired "$T/expired" get
printf '{"workspace_id": "%s", "token": "%s" "oops": 1}\n' "$WS" "$PROBE" \
	>"$T/broken.json"
stack "$T/broken" "$T/broken.json"
run broken "$T/broken" get
printf '{"workspace_id": "not-a-uuid-%s", "token": "%s"}\n' "$PROBE" "$PROBE" \
	>"$T/badws.json"
stack "$T/badws" "$T/badws.json"
run badws "$T/badws" get
cred "$T/badchar.json" "$PROBE\\u0001" null
stack "$T/badchar" "$T/badchar.json"
run badchar "$T/badchar" get
cred "$T/short.json" "$PROBE" $(($(date +%s) + 600))
stack "$T/short" "$T/short.json"
run short "$T/short" get --min-validity 1h
fails=0
for c in loose expired broken badws badchar short; do
	[ "$(rc $c)" -ne 0 ] || {
		fails=1
		echo "# $c: askcred get succeeded"
	}
done
ok $fails "every error path fails (unsafe mode, expired, malformed, bad workspace, bad token characters, validity not met)"
no_leak "$T/probe" "error paths at -v -v: no token in any message or output" \
	"$T/loose.err" "$T/expired.err" "$T/broken.err" "$T/badws.err" \
	"$T/badchar.err" "$T/short.err" "$T/loose.out" "$T/expired.out" \
	"$T/broken.out" "$T/badws.out" "$T/badchar.out" "$T/short.out"

# ---- 2. minted tokens, against the emulator -----------------------------
if command -v "$OPENSSL_BIN" >/dev/null 2>&1; then
	. "$top_srcdir/tests/emulator/emulator.sh"
	if emulator_setup && emulator_start main good; then
		trap 'emulator_stop_all; rm -rf "$T"' EXIT
		printf '{"workspace_id": "%s", "token": "%s"}\n' "$EMU_WS" \
			"$(cat "$EMU_DIR/parent.token")" >"$T/parent.json"
		for op in fetch validate refresh revoke; do
			printf '%s required %s source=mint workspace=%s parent_credentials=%s api_url=https://127.0.0.1:%s/api/v1 ca_file=%s cache=on cache_dir=%s\n' \
				"$op" "$PLUGIN" "$EMU_WS" "$T/parent.json" \
				"$EMU_PORT_main" "$EMU_CA" "$T/mint-cache"
		done >"$T/mint"
		run mget "$T/mint" get
		run mhit "$T/mint" get
		run mrefresh "$T/mint" refresh
		run mstatus "$T/mint" status
		run mvalidate "$T/mint" validate
		run mrevoke "$T/mint" revoke
		if grep -q "unknown source 'mint'" "$T/mget.err"; then
			skip "minted tokens" "this plugin has no mint source"
		else
			[ "$(rc mget)" -eq 0 ] && [ "$(rc mhit)" -eq 0 ] &&
				[ "$(rc mrefresh)" -eq 0 ]
			ok $? "mint, cache hit and refresh succeed"
			emulator_ctl main GET issued | "$PYTHON3" -c '
import json, sys
for t in json.load(sys.stdin)["tokens"]:
    print(t)' >"$T/issued"
			cat "$EMU_DIR/parent.token" >>"$T/issued"
			[ "$(grep -c . "$T/issued")" -ge 3 ]
			ok $? "the emulator issued tokens to look for (2 mints + parent)"
			no_leak "$T/issued" "mint paths at -v -v: no issued or parent token on stderr, nor in the server log" \
				"$T/mget.err" "$T/mhit.err" "$T/mrefresh.err" \
				"$T/mstatus.err" "$T/mvalidate.err" \
				"$T/mrevoke.err" "$T/mstatus.out" \
				"$T/mvalidate.out" "$T/mrevoke.out" \
				"$EMU_DIR"/*.log
		fi
	else
		ok 1 "the AskUI emulator starts"
	fi
else
	skip "minted tokens" "openssl is not installed"
fi

# ---- 3. the logs of the other tests -------------------------------------
scan_logs no

done_testing
