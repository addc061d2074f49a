#!/bin/sh
# The example provider printed in askcred-provider(3) is real code: cut it
# out of the page source, build it the way the page says, and fetch a
# credential through it with the askcred command.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || {
	echo "1..0 # SKIP no C compiler ($CC)"
	exit 0
}

# The first literal block of the EXAMPLE section, without its fences.
sed -n '/^# EXAMPLE/,/^# [^#]/p' "$top_srcdir/docs/askcred-provider.3.scd" |
	awk '/^```/ { n++; next } n == 1' >"$TMP/demo.c"
grep -q askcred_provider_entry "$TMP/demo.c"
ok $? "the page's EXAMPLE holds a provider"

$CC -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC \
	-fvisibility=hidden -Wl,-z,defs -I"$top_srcdir/include" \
	-o "$TMP/demo.so" "$TMP/demo.c" 2>"$TMP/cc.err"
ok $? "the example provider builds warning-free with the page's flags"
sed 's/^/#   /' "$TMP/cc.err"
[ -f "$TMP/demo.so" ] || bail "no demo.so"

if command -v nm >/dev/null 2>&1; then
	exports=$(nm -D --defined-only "$TMP/demo.so" | awk '$2 == "T" { print $3 }')
	is "$exports" "askcred_provider_entry" \
		"the example exports only askcred_provider_entry"
else
	skip "nm is not installed"
fi

printf 'fetch required %s workspace=%s\n' "$TMP/demo.so" "$WS" >"$TMP/stack"
DEMO_TOKEN=example-token-1234 "$ASKCRED" --stack-file "$TMP/stack" \
	get --format json >"$TMP/out" 2>"$TMP/err"
ok $? "askcred fetches through the example provider"
contains "$TMP/out" '"token":"example-token-1234"'
ok $? "the credential carries the token from DEMO_TOKEN"
contains "$TMP/out" "\"workspace_id\":\"$WS\""
ok $? "the credential carries the workspace from the module argument"
contains "$TMP/out" '"source":"demo"'
ok $? "the credential names the example's source"

env -u DEMO_TOKEN "$ASKCRED" --stack-file "$TMP/stack" get >/dev/null \
	2>"$TMP/err"
is "$?" 66 "without DEMO_TOKEN the example answers not found (exit 66)"
contains "$TMP/err" "DEMO_TOKEN is not set"
ok $? "the example's message reaches the user"

printf 'fetch required %s color=blue\n' "$TMP/demo.so" >"$TMP/bad"
"$ASKCRED" --stack-file "$TMP/bad" get >/dev/null 2>"$TMP/err"
is "$?" 65 "the example refuses an unknown argument (exit 65)"

done_testing
