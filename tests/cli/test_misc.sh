#!/bin/sh
# askcred validate / refresh / revoke: one confirmation line naming the
# token by fingerprint only, -q silences it, and failures keep to one line
# on stderr without the token.
. "${top_srcdir:?}/tests/cli/lib.sh"

ASKUI_WORKSPACE_ID=$WS
ASKUI_TOKEN=MiSc-SeCrEt-Token-5
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
fp=$("$PYTHON3" -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:16])' "$ASKUI_TOKEN")

(umask 077 && {
	for op in fetch validate refresh; do
		printf '%s required %s source=static cache=off\n' "$op" "$PLUGIN"
	done
	printf 'revoke optional %s source=static cache=off\n' "$PLUGIN"
} >"$STACK")

no_token_anywhere() {
	! contains "$TMP/out" "$ASKUI_TOKEN" && ! contains "$TMP/err" "$ASKUI_TOKEN"
}

run validate
is "$rc" 0 "validate exits 0 for a good static credential"
is "$(wc -l <"$TMP/out" | tr -d ' ')" 1 "validate prints one line"
contains "$TMP/out" "valid: token $fp " && contains "$TMP/out" "$WS"
ok $? "the line names the token by its fingerprint and the workspace"
no_token_anywhere
ok $? "validate does not print the token"

run -q validate
is "$rc:$(cat "$TMP/out")" "0:" "validate -q prints nothing and exits 0"

run refresh
is "$rc" 0 "refresh exits 0"
contains "$TMP/out" "nothing to refresh (static source; replace the token where it is configured): token $fp "
ok $? "refresh of a static token says there is nothing to refresh, with the fingerprint"
! contains "$TMP/out" "refreshed"
ok $? "refresh of a static token does not claim it refreshed anything"
no_token_anywhere
ok $? "refresh does not print the token"

run revoke
ok "$([ "$rc" -ne 64 ] && [ "$rc" -ne 70 ]; echo $?)" "revoke of a static token ends with a credential status, not a usage or internal error (got $rc)"
no_token_anywhere
ok $? "revoke does not print the token"
[ "$rc" -eq 0 ] || [ "$(grep -c '^askcred: ' "$TMP/err")" -eq 1 ]
ok $? "a failed revoke says so in one error line (log lines aside)"

# --json: one JSON object on stdout, for success and for failure.
for op in validate refresh; do
	run "$op" --json
	is "$rc" 0 "$op --json exits 0"
	"$PYTHON3" -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o["fingerprint"]==sys.argv[2] and o["source"]=="static" and o["result"] in ("valid","nothing_to_refresh") else 1)' \
		"$TMP/out" "$fp"
	ok $? "$op --json prints one JSON object with the fingerprint"
	no_token_anywhere
	ok $? "$op --json does not print the token"
done
run validate --json --min-validity 30x
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(0 if e["exit"]==64 and "not a duration" in e["message"] else 1)' "$TMP/out"
ok $? "a usage error under --json is a JSON error object on stdout (exit 64)"
(ASKUI_TOKEN='' && export ASKUI_TOKEN && run validate --json)
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(0 if e["exit"]==65 and e["where"]=="ASKUI_TOKEN" and "token is empty" in e["message"] else 1)' "$TMP/out"
ok $? "a failure under --json is a JSON error naming exit, where and message"
run policy frob --json
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(0 if e["exit"]==64 else 1)' "$TMP/out"
ok $? "a usage error anywhere answers --json with a JSON error"

run validate --lifetime 1h
is "$rc" 64 "validate refuses options it does not take"
run refresh --min-validity 1h
is "$rc" 64 "refresh refuses options it does not take"

# A token past its expiry: the static source knows it from a credentials
# file, and validate must say no with status 68.
cat >"$TMP/cred.json" <<JSON
{"workspace_id": "$WS", "token": "$ASKUI_TOKEN", "expires_at": "2001-01-01T00:00:00Z"}
JSON
chmod 600 "$TMP/cred.json"
(umask 077 && printf '%s required %s source=static cache=off credentials=%s\n' \
	fetch "$PLUGIN" "$TMP/cred.json" validate "$PLUGIN" "$TMP/cred.json" >"$STACK")
run validate
is "$rc" 68 "an expired credential exits 68"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "an expired credential gives one line on stderr"
no_token_anywhere
ok $? "the expired token is not shown"

done_testing
