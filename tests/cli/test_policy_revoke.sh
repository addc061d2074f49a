#!/bin/sh
# Revocation is always possible (issue 11): a minted token that the policy
# now refuses is still revoked by `askcred revoke`, and AskUI (the
# emulator) answers 401 for it afterwards.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/emulator/emulator.sh"

"$OPENSSL_BIN" version >/dev/null 2>&1 || {
	echo "1..0 # SKIP no openssl command"
	exit 0
}
emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$TMP/sign.pem" -pubout -out "$TMP/key.pem"
chmod 644 "$TMP/key.pem"

# policy SERIAL TOP-LEVEL-FIELDS: write and sign $TMP/policy.json.
policy() {
	printf '{"schema_version": 1, "serial": %s, "max_age": "30d"%s}\n' \
		"$1" "${2:+, $2}" >"$TMP/policy.json"
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$TMP/sign.pem" \
		-in "$TMP/policy.json" -out "$TMP/policy.json.sig"
	chmod 644 "$TMP/policy.json" "$TMP/policy.json.sig"
}
(
	umask 077
	printf '{"workspace_id": "%s", "token": "%s"}\n' "$EMU_WS" \
		"$(cat "$EMU_DIR/parent.token")" >"$TMP/parent.json"
	args="source=mint parent_credentials=$TMP/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$TMP/c timeout=20s lifetime=1h"
	args="$args policy=$TMP/policy.json policy_keys=$TMP/key.pem"
	for op in fetch revoke; do
		echo "$op required $PLUGIN $args"
	done >"$STACK"
)
field() {
	"$PYTHON3" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"
}
# lookup TOKEN: the HTTP status AskUI gives the token itself.
lookup() {
	"$PYTHON3" - "$URL" "$EMU_WS" "$1" "$EMU_CA" <<'PY'
import base64, json, ssl, sys, urllib.request, urllib.error
url, ws, tok, ca = sys.argv[1:]
req = urllib.request.Request(
    "%s/workspaces/%s/access-tokens/lookup" % (url, ws),
    data=json.dumps({"accessToken": tok}).encode(),
    method="POST", headers={"Content-Type": "application/json",
    "Authorization": "Basic " + base64.b64encode(tok.encode()).decode()})
try:
    print(urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca), timeout=20).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}

policy 1
run get --format json
is "$rc" 0 "a token is minted under serial 1"
tok=$(field "$TMP/out" token)
is "$(lookup "$tok")" 200 "AskUI knows the minted token"

# Serial 2 allows another workspace only: the cached token is refused,
# and so is minting a new one.
policy 2 '"rules": {"workspaces": ["0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"]}'
run get
is "$rc" 67 "serial 2 refuses the token: get is refused (67)"
run revoke
is "$rc" 0 "revoke still revokes the token the policy refuses"
contains "$TMP/out" "revoked:"
ok $? "and confirms it"
is "$(lookup "$tok")" 401 "AskUI answers 401 for the revoked token"
is "$(emulator_counter main create)" 1 "revoke minted no token of its own"

done_testing
