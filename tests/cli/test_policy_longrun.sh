#!/bin/sh
# A host that keeps its stack open (a runner) holds the policy a newly
# started process would: a policy file replaced on disk is read again,
# within a second; an older serial (a rollback) or a broken signature
# keeps the policy in force, and says why.
. "${top_srcdir:?}/tests/cli/lib.sh"
: "${OPENSSL_BIN:=openssl}"

"$OPENSSL_BIN" version >/dev/null 2>&1 || {
	echo "1..0 # SKIP no openssl command to sign policies"
	exit 0
}
T=$TMP
. "$top_srcdir/tests/plugin/host_lib.sh"
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$T/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$T/sign.pem" -pubout -out "$T/key.pem"
chmod 644 "$T/key.pem"

# policy SERIAL [RULES]: sign a document, then put it in place, as a
# configuration management tool would (the signature first, each file
# renamed into place).
P=$T/policy.json
policy() {
	printf '{"schema_version": 1, "serial": %s, "max_age": "30d", "rules": {%s}}\n' \
		"$1" "${2:-}" >"$T/new.json"
	chmod 644 "$T/new.json"
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$T/sign.pem" \
		-in "$T/new.json" -out "$T/new.sig"
	chmod 644 "$T/new.sig"
	mv "$T/new.sig" "$P.sig"
	mv "$T/new.json" "$P"
}

ASKUI_WORKSPACE_ID=$WS ASKUI_TOKEN=st4ticT0ken_abc
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
echo "fetch required $PLUGIN source=static cache=off policy=$P policy_keys=$T/key.pem policy_state_dir=$T/pstate" \
	>"$T/stack"
policy 1
host_start "$T/stack"
ask 1
is "$answer" "ok - 0 1" "the host hands out the static token under serial 1"

policy 2 '"sources": ["mint"]'
sleep 1.5 # the host's look at the file is due
ask 1
case $answer in "error "*"policy"*"static"*) rc=0 ;; *) rc=1 ;; esac
ok $rc "serial 2 (mint only) is in force at once: the static token is refused" "$answer"
"$ASKCRED" --stack-file "$T/stack" get >/dev/null 2>"$T/cli.err"
is "$?" 67 "as it is for a newly started process"

policy 3
sleep 1.5
ask 1
is "$answer" "ok - 0 3" "serial 3 (any source) is in force: served again, afresh (flags 0)"

policy 2 # validly signed, older
sleep 1.5
ask 1
is "$answer" "ok - 2 3" "a rollback to serial 2 keeps serial 3 in force (a memory hit)"
has "$T/host.err" "the policy in force stays" "and the host says it kept it"

printf 'not a signature' >"$P.sig"
printf '{"schema_version": 1, "serial": 4, "max_age": "30d", "rules": {"sources": ["mint"]}}\n' >"$P"
sleep 1.5
ask 1
is "$answer" "ok - 2 3" "a serial 4 with a broken signature keeps serial 3"
grep -c "the policy in force stays" "$T/host.err" >"$T/count"
is "$(cat "$T/count")" 2 "said once per change, not once per fetch"
ask 50
is "$answer" "ok - 2 3" "and nothing changes while the file does not"
host_stop
is "$host_rc" 0 "the host closes its stack cleanly"
done_testing
