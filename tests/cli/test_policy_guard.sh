#!/bin/sh
# The policy has no path that fails open (issue 11): a lasting rollback
# guard on every stack with a policy, a refused source is never asked,
# every line of a stack carries the same policy, every refusal is audited
# with its reason, audit lines say who and why, audit_required fails
# closed, and revocation is always possible.
. "${top_srcdir:?}/tests/cli/lib.sh"
: "${OPENSSL_BIN:=openssl}"

"$OPENSSL_BIN" version >/dev/null 2>&1 || {
	echo "1..0 # SKIP no openssl command to sign policies"
	exit 0
}
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$TMP/sign.pem" -pubout -out "$TMP/key.pem"
chmod 644 "$TMP/key.pem"

# policy FILE SERIAL [RULES]: write a document and sign it.
policy() {
	printf '{"schema_version": 1, "serial": %s, "max_age": "30d", "rules": {%s}}\n' \
		"$2" "${3:-}" >"$1"
	chmod 644 "$1"
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$TMP/sign.pem" -in "$1" \
		-out "$1.sig"
	chmod 644 "$1.sig"
}

ASKUI_WORKSPACE_ID=$WS ASKUI_TOKEN=st4ticT0ken_abc
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
P="$TMP/policy.json"

# ---- 1. a lasting rollback guard, whatever the cache setting ----
# No policy_state_dir, cache=off and source=static: nothing else keeps
# state, so the guard lives in the default <cache dir>/policy.
write_stack "$STACK" cache=off "policy=$P" "policy_keys=$TMP/key.pem"
policy "$P" 2 '"sources": ["mint"]'
run get
is "$rc" 67 "rollback: serial 2 (mint only) refuses the static token"
policy "$P" 1
run get
is "$rc" 67 "rollback: a later process refuses the validly signed older serial 1"
contains "$TMP/err" "source"
ok $? "rollback: serial 2 stays in force (its reason: source)"
run policy show
contains "$TMP/out" "policy serial 2"
ok $? "rollback: policy show names serial 2 in force"
contains "$TMP/out" "lower than"
ok $? "rollback: and says why serial 1 was refused"
[ -f "$TMP/cache/askcred/policy/policy.serial" ]
ok $? "rollback: the guard is kept in \$XDG_CACHE_HOME/askcred/policy"

# Nowhere to keep the guard: refused with a clear error, never unguarded.
unset XDG_CACHE_HOME
HOME=relative
run get
HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
export HOME XDG_CACHE_HOME
is "$rc" 65 "rollback: no place for the guard is a configuration error"
contains "$TMP/err" "rollback guard"
ok $? "rollback: the error says the guard has no place"
contains "$TMP/err" "policy_state_dir"
ok $? "rollback: and names the argument that gives it one"

done_testing
