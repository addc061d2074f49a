#!/bin/sh
# askcred policy check: a document is linted and verified as a host loads
# it; exit 0 when good, 65 when malformed (the error names the field or
# line), 67 when its signature refuses it; one line on stderr.
. "${top_srcdir:?}/tests/cli/lib.sh"
: "${OPENSSL_BIN:=openssl}"

example="$top_srcdir/examples/policy"
cp "$example/policy.json" "$TMP/policy.json"
chmod 644 "$TMP/policy.json"

run policy check "$TMP/policy.json"
is "$rc" 0 "an unsigned check of the example policy passes"
contains "$TMP/out" "policy serial 1"
ok $? "it prints the serial"
contains "$TMP/out" "issued: 2026-11-28T00:00:00Z"
ok $? "it prints issued_at"
contains "$TMP/out" "max_lifetime       1d"
ok $? "it prints the rules in force"
contains "$TMP/out" "signature: not checked"
ok $? "it says the signature was not checked without --key"

run policy check "$TMP/policy.json" --key "$example/example-public-key.pem" \
	--sig "$example/policy.json.sig"
is "$rc" 0 "the example verifies with its key and signature"
contains "$TMP/out" "signature: verified"
ok $? "and says so"

printf '{"schema_version": 1, "serial": 2, "bogus": 1}\n' >"$TMP/bad.json"
run policy check "$TMP/bad.json"
is "$rc" 65 "an unknown field: 65"
contains "$TMP/err" "bogus"
ok $? "the error names the field"
is "$(wc -l <"$TMP/err")" 1 "the error is one line"

printf '{"schema_version": 1,\n "serial": 2,,\n}\n' >"$TMP/syntax.json"
run policy check "$TMP/syntax.json"
is "$rc" 65 "a syntax error: 65"
contains "$TMP/err" "syntax.json"
ok $? "the error names the file"

run policy check "$TMP/nonexistent.json"
is "$rc" 66 "a missing file: 66"
contains "$TMP/err" "check the path"
ok $? "and the hint says what to do"

# --json: the same facts as one JSON object; a failure as a JSON error.
run policy check --json "$TMP/policy.json"
is "$rc" 0 "policy check --json passes the example"
"$PYTHON3" -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o["result"]=="ok" and "policy serial 1" in o["description"] else 1)' "$TMP/out"
ok $? "policy check --json prints one object with the result and the description"
run policy check --json "$TMP/nonexistent.json"
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(0 if e["exit"]==66 and e["hint"]=="check the path" else 1)' "$TMP/out"
ok $? "policy check --json of a missing file is a JSON error (exit 66)"
run policy show --json
"$PYTHON3" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==[] else 1)' "$TMP/out"
ok $? "policy show --json on a stack without a policy prints []"

run policy check "$TMP/policy.json" --sig "$example/policy.json.sig"
is "$rc" 64 "--sig without --key is a usage error"
run policy check
is "$rc" 64 "no FILE is a usage error"
run policy frobnicate
is "$rc" 64 "an unknown subcommand is a usage error"

# policy show: what the stack's modules report.
run policy show
is "$rc" 0 "policy show on a stack without a policy exits 0"
contains "$TMP/out" "no policy configured"
ok $? "and says there is none"
mkdir -m 700 "$TMP/pstate"
write_stack "$STACK" cache=off "policy=$TMP/policy.json" "policy_state_dir=$TMP/pstate"
run policy show
is "$rc" 0 "policy show with a policy file exits 0"
contains "$TMP/out" "policy serial 1 from file $TMP/policy.json"
ok $? "it shows the serial and origin of the policy in force"
run status
grep "^policy " "$TMP/out" | grep -q " policy  *static  *1 "
ok $? "status lists the policy entry with the flag policy and its serial"

if [ "$OPENSSL_BIN" != no ] && "$OPENSSL_BIN" version >/dev/null 2>&1; then
	"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/sign.pem" 2>/dev/null
	"$OPENSSL_BIN" pkey -in "$TMP/sign.pem" -pubout -out "$TMP/key.pem"
	"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/other.pem" 2>/dev/null
	"$OPENSSL_BIN" pkey -in "$TMP/other.pem" -pubout -out "$TMP/other-key.pem"
	chmod 644 "$TMP/key.pem" "$TMP/other-key.pem"
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$TMP/sign.pem" \
		-in "$TMP/policy.json" -out "$TMP/policy.json.sig"
	run policy check "$TMP/policy.json" --key "$TMP/key.pem"
	is "$rc" 0 "a document signed with openssl verifies (FILE.sig by default)"
	run policy check "$TMP/policy.json" --key "$TMP/other-key.pem"
	is "$rc" 67 "the wrong key: 67"
	is "$(wc -l <"$TMP/err")" 1 "one line on stderr"
	run policy check "$TMP/policy.json" --key "$TMP/other-key.pem" \
		--key "$TMP/key.pem"
	is "$rc" 0 "any of several keys may verify it"
	sed 's/"serial": 1/"serial": 9/' "$TMP/policy.json" >"$TMP/t.json"
	cp "$TMP/policy.json.sig" "$TMP/t.json.sig"
	run policy check "$TMP/t.json" --key "$TMP/key.pem"
	is "$rc" 67 "a tampered document: 67"
	rm "$TMP/t.json.sig"
	run policy check "$TMP/t.json" --key "$TMP/key.pem"
	is "$rc" 67 "a missing signature with a key given: 67"
else
	echo "# no openssl command: signing checks skipped"
fi

done_testing
