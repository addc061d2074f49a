#!/bin/sh
# examples/c/host.c, built against the in-tree libaskcred, on the demo
# credential: it shows workspace, token id and expiry but never the token,
# and hands the token to a child through the environment only.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

HOST="$top_builddir/examples/c/host"
[ -x "$HOST" ] || bail "$HOST is not built"

demo_stack

"$HOST" "$TMP/stack" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "the host fetches the demo credential"
contains "$TMP/out" "workspace: $DEMO_WS"
ok $? "it prints the workspace"
contains "$TMP/out" "token id: -"
ok $? "it prints a dash for the unknown token id"
contains "$TMP/out" "expires: never"
ok $? "it prints that the demo token never expires"
! contains "$TMP/out" "$DEMO_TOKEN" && ! contains "$TMP/err" "$DEMO_TOKEN"
ok $? "the token appears in neither its output nor its errors"

# The child writes what it sees to a file, so nothing depends on output.
"$HOST" "$TMP/stack" sh -c 'printf "%s\n%s\n" "$ASKUI_WORKSPACE_ID" \
	"$ASKUI_TOKEN" >"$1"; exit 3' child "$TMP/seen" >"$TMP/out" 2>"$TMP/err"
is "$?" 3 "the host returns the child's exit status"
is "$(sed -n 1p "$TMP/seen")" "$DEMO_WS" "the child sees ASKUI_WORKSPACE_ID"
is "$(sed -n 2p "$TMP/seen")" "$DEMO_TOKEN" "the child sees ASKUI_TOKEN"
! contains "$TMP/out" "$DEMO_TOKEN" && ! contains "$TMP/err" "$DEMO_TOKEN"
ok $? "running a child still prints no token"

"$HOST" "$TMP/stack" sh -c 'kill -TERM $$' >/dev/null 2>&1
is "$?" 143 "a child killed by SIGTERM gives 128+15"

"$HOST" "$TMP/stack" "$TMP/no-such-program" >/dev/null 2>"$TMP/err"
is "$?" 127 "a command that does not exist gives 127"

chmod 644 "$TMP/demo.json"
"$HOST" "$TMP/stack" true >"$TMP/out" 2>"$TMP/err"
is "$?" 1 "a credentials file readable by others fails the fetch"
contains "$TMP/err" "host: configuration error:"
ok $? "the error names the status"
[ ! -s "$TMP/out" ]
ok $? "and nothing is printed on standard output"

"$HOST" >/dev/null 2>&1
is "$?" 64 "no stack argument is a usage error (64)"

done_testing
