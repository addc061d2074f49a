#!/bin/sh
# The signing procedure of docs/policy-format.md, run with the openssl
# command, is exactly what a host verifies; and the committed example is
# signed consistently with its example key.
set -u

: "${top_srcdir:?}" "${top_builddir:?}" "${OPENSSL_BIN:=openssl}"
check="$top_builddir/tests/plugin/policy/policy-check"
example="$top_srcdir/examples/policy"
. "$top_srcdir/tests/lib.sh"

# expect NAME WANT-EXIT WANT-SUBSTRING policy-check ARGS...
expect() {
	name=$1 want=$2 text=$3
	shift 3
	out=$("$check" "$@" 2>&1)
	rc=$?
	is "$rc" "$want" "$name"
	case $out in
	*"$text"*) ok 0 "$name: output says \"$text\"" ;;
	*) ok 1 "$name: output says \"$text\"" && echo "# got: $out" ;;
	esac
}

if [ "$OPENSSL_BIN" = no ] || ! "$OPENSSL_BIN" version >/dev/null 2>&1; then
	skip_all "no openssl command"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/askcred-policy-sh.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
umask 022
mkdir -m 700 "$tmp/state"

# The procedure from docs/policy-format.md.
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$tmp/signing.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$tmp/signing.pem" -pubout -out "$tmp/policy-key.pem"
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$tmp/other.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$tmp/other.pem" -pubout -out "$tmp/other-key.pem"
cp "$example/policy.json" "$tmp/policy.json"
sign() { # sign KEY FILE
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$1" -in "$2" -out "$2.sig"
}
sign "$tmp/signing.pem" "$tmp/policy.json"
is "$(wc -c <"$tmp/policy.json.sig")" 64 \
	"openssl pkeyutl -sign -rawin makes a 64-byte signature"

expect "a document signed with openssl verifies" 0 "policy serial 1" \
	-k "$tmp/policy-key.pem" "$tmp/policy.json"
expect "the label override shows in force" 0 "min_validity       3h" \
	-k "$tmp/policy-key.pem" -l "ci,gpu" "$tmp/policy.json"
"$OPENSSL_BIN" base64 -A -in "$tmp/policy.json.sig" >"$tmp/policy.b64"
expect "a base64 signature verifies" 0 "signature: verified" \
	-k "$tmp/policy-key.pem" -s "$tmp/policy.b64" "$tmp/policy.json"
expect "the wrong key is refused" 1 "does not verify" \
	-k "$tmp/other-key.pem" "$tmp/policy.json"
expect "either of two configured keys verifies" 0 "policy serial 1" \
	-k "$tmp/other-key.pem" -k "$tmp/policy-key.pem" "$tmp/policy.json"

sed 's/"1d"/"9d"/' "$tmp/policy.json" >"$tmp/tampered.json"
cp "$tmp/policy.json.sig" "$tmp/tampered.json.sig"
expect "a tampered document is refused" 1 "does not verify" \
	-k "$tmp/policy-key.pem" "$tmp/tampered.json"
cp "$tmp/policy.json" "$tmp/unsigned.json"
expect "an unsigned document is refused when keys are set" 1 "not signed" \
	-k "$tmp/policy-key.pem" "$tmp/unsigned.json"
expect "an unsigned document is accepted when no keys are set" 0 \
	"not checked" "$tmp/unsigned.json"

sed 's/"serial": 1,/"serial": 2,/' "$tmp/policy.json" >"$tmp/two.json"
sign "$tmp/signing.pem" "$tmp/two.json"
expect "serial 2 is accepted and recorded" 0 "policy serial 2" \
	-k "$tmp/policy-key.pem" -S "$tmp/state" "$tmp/two.json"
expect "serial 1 afterwards is refused as a rollback" 1 "rollback" \
	-k "$tmp/policy-key.pem" -S "$tmp/state" "$tmp/policy.json"
test -f "$tmp/state/policy.json" && test -f "$tmp/state/policy.json.sig" &&
	cmp -s "$tmp/state/policy.json" "$tmp/two.json"
ok $? "the last good copy and its signature are kept"

sed 's/"max_lifetime"/"max_lifetme"/' "$tmp/policy.json" >"$tmp/typo.json"
expect "a misspelt rule is refused by name" 1 "rules.max_lifetme" \
	"$tmp/typo.json"

# The committed example is signed with its (marked, example-only) key.
cp "$example/example-public-key.pem" "$tmp/example-key.pem"
chmod 644 "$tmp/example-key.pem"
cp "$example/policy.json" "$tmp/example.json"
cp "$example/policy.json.sig" "$tmp/example.json.sig"
expect "the example policy verifies with the example key" 0 \
	"policy serial 1" -k "$tmp/example-key.pem" "$tmp/example.json"
grep -q "EXAMPLE ONLY" "$example/example-public-key.pem"
ok $? "the example key is marked as an example"

done_testing
