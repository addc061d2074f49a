#!/bin/sh
# askcred.conf seen from the command: stack lines inherit it, an error in
# it names file:line, a stack line that would change the host's policy
# makes the stack fail to open (exit 65) naming the askcred.conf line, and
# an askcred.conf others could write is refused.
. "${top_srcdir:?}/tests/cli/lib.sh"

CONF="$TMP/askcred.conf"
ASKCRED_CONFIG=$CONF
export ASKCRED_CONFIG
conf() { (umask 022 && printf '%s\n' "$@" >"$CONF"); }
getit() {
	ASKUI_WORKSPACE_ID=$WS ASKUI_TOKEN=tok-abc-123 run get
	sed -n '1,2s/^/#   /p' "$TMP/err"
}

write_stack "$STACK"
conf "# host settings" "cache=off"
getit
is "$rc" 0 "a stack opens with an askcred.conf the lines inherit"

conf "cache=off" "cache_dir=relative/dir"
getit
is "$rc" 65 "a bad value in askcred.conf fails the stack (exit 65)"
contains "$TMP/err" "$CONF:2"
ok $? "the error names askcred.conf:2"

conf "policy_keys=$TMP/host-key.pem"
write_stack "$STACK" "policy_keys=$TMP/my-key.pem"
getit
is "$rc" 65 "a line changing the host's policy_keys does not open (exit 65)"
contains "$TMP/err" "differs from $CONF:1"
ok $? "the error names the askcred.conf line it differs from"
contains "$TMP/err" "policy_keys"
ok $? "and the key"

conf "policy_url=https://policy.example/p.json"
write_stack "$STACK" "policy=$TMP/lax.json"
getit
is "$rc" 65 "a line naming a local policy where the host has a URL fails"

write_stack "$STACK"
conf "cache=off"
chmod 666 "$CONF"
getit
is "$rc" 65 "an askcred.conf writable by others is refused"
contains "$TMP/err" "$CONF"
ok $? "naming the file"

ASKCRED_CONFIG=none getit
is "$rc" 0 "ASKCRED_CONFIG=none reads no askcred.conf"

ASKCRED_CONFIG=$TMP/absent.conf getit
is "$rc" 65 "a missing file named by ASKCRED_CONFIG is an error"
done_testing
