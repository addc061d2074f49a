#!/bin/sh
# askcred tokens list|revoke|enforce (issue 14) on the AskUI emulator: the
# workspace's tokens listed with askcred's names decoded, foreign and
# never-expiring ones marked; revoke by each selector, with --dry-run
# deleting nothing, a 429 retried, a 404 counted as gone and a partial
# failure reported per token; enforce deleting what the signed policy
# refuses, a foreign never-expiring token among them, and never the
# parent credential. No token string is ever printed.
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
emulator_parent_file "$TMP/parent.json"
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$TMP/sign.pem" -pubout -out "$TMP/key.pem"
chmod 644 "$TMP/key.pem"

# seed NAME EXPIRES_IN|null CREATED_AGO: a token made outside askcred;
# prints its id.
seed() {
	emulator_ctl main POST seed \
		"{\"name\": \"$1\", \"expires_in\": $2, \"created_ago\": $3}" |
		"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
# held ID: 1 when the emulator still holds the token ID, else 0.
held() {
	emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, sys
print(int(any(t["id"] == sys.argv[1] for t in json.load(sys.stdin)["tokens"])))' "$1"
}
# named PREFIX: how many tokens the emulator holds whose name starts so.
named() { emulator_tokens main "$1"; }
# js EXPR: EXPR over the JSON array on the first line of $TMP/out (as
# "a"), printed. (After a failure, --json adds an error object line.)
js() {
	"$PYTHON3" -c "import json,sys; a=json.loads(open(sys.argv[1]).readline()); print($1)" "$TMP/out"
}
fault() { emulator_ctl main POST fault "$1" >/dev/null; }

hub=$(seed hub-token-alice null 60)
lost1=$(seed "askcred/lost-runner/default~0badc0de" 3600 60)
lost2=$(seed "askcred/lost-runner/ci/job/123.456.789/deploy~12345678" 3600 60)
old=$(seed "askcred/old-runner/default~aaaaaaaa" 3600 864000)
long=$(seed hub-token-long 2592000 60)
denied=$(seed hub-token-denied 600 60)
epoch=$(seed hub-token-before-epoch 60 5400)
temp=$(seed ci-temp 600 60)
gone=$(seed ci-gone 600 60)
flaky1=$(seed "askcred/flaky-host/default~11111111" 3600 60)
flaky2=$(seed "askcred/flaky-host/default~22222222" 3600 60)

# The signed policy: expiry required, 2h at most, the token $denied on
# the deny list, nothing issued before an hour ago.
epoch_at=$("$PYTHON3" -c 'import time; print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)))')
printf '{"schema_version": 1, "serial": 1, "max_age": "30d", "revocation_epoch": "%s", "denied_token_ids": ["%s"], "rules": {"require_expiry": true, "max_lifetime": "2h"}}\n' \
	"$epoch_at" "$denied" >"$TMP/policy.json"
"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$TMP/sign.pem" \
	-in "$TMP/policy.json" -out "$TMP/policy.json.sig"
chmod 644 "$TMP/policy.json" "$TMP/policy.json.sig"
(
	umask 077
	args="source=mint parent_credentials=$TMP/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$TMP/c timeout=20s lifetime=1h"
	args="$args policy=$TMP/policy.json policy_keys=$TMP/key.pem"
	args="$args audit_file=$TMP/audit.log"
	# A second instance (another argument) on the same workspace: the
	# workspace must still be listed once.
	for op in fetch revoke; do
		echo "$op required $PLUGIN $args"
	done >"$STACK"
	echo "validate required $PLUGIN $args online_validate=on" >>"$STACK"
)
n=0
keep() { n=$((n + 1)) && cp "$TMP/out" "$TMP/out.$n" && cp "$TMP/err" "$TMP/err.$n"; }

run get --format json
is "$rc" 0 "a cache-entry token is minted for this host"
mine=$("$PYTHON3" -c "import json; print(json.load(open('$TMP/out'))['token_id'])")
run get --no-cache --purpose build-7 --format json
is "$rc" 0 "a job token is minted (its askcred exits: the job is gone)"
job=$("$PYTHON3" -c "import json; print(json.load(open('$TMP/out'))['token_id'])")

# ---- list ------------------------------------------------------------
run tokens list
keep
is "$rc" 0 "tokens list succeeds"
has "$TMP/out" "TOKEN-ID" "the table has its header"
grep "^$hub " "$TMP/out" >"$TMP/row"
has "$TMP/row" "foreign,never-expires" "a Hub token is marked foreign and never-expiring"
has "$TMP/row" " never " "its EXPIRES column says never"
grep "^$lost2 " "$TMP/out" >"$TMP/row"
grep -q "^$lost2 *lost-runner *ci *123.456.789 *deploy " "$TMP/row"
ok $? "a job token's name is decoded into host, entry, job and purpose"
grep "^$mine " "$TMP/out" >"$TMP/row"
grep -q "^$mine *[^ ]* *default *- *- " "$TMP/row" && ! grep -q foreign "$TMP/row"
ok $? "askcred's own cache-entry token is decoded, not foreign"
grep -c "parent" "$TMP/out" | grep -qx 1
ok $? "exactly one token is flagged as the parent credential (listed once)"

run tokens list --json
keep
is "$rc" 0 "tokens list --json succeeds"
is "$(js "[t['foreign'] for t in a if t['token_id']=='$hub']")" "[True]" \
	"JSON: the Hub token is foreign"
is "$(js "[t['never_expires'] and t['expires_at'] is None for t in a if t['token_id']=='$hub']")" "[True]" \
	"JSON: it never expires (expires_at null)"
is "$(js "[(t['host'],t['entry'],t['job'],t['purpose']) for t in a if t['token_id']=='$lost2']")" \
	"[('lost-runner', 'ci', '123.456.789', 'deploy')]" "JSON: decoded columns"
is "$(js "[t['purpose'] for t in a if t['token_id']=='$job']")" "['build-7']" \
	"JSON: the job token minted here carries its purpose"
is "$(js "sorted(a[0].keys())==sorted(set(k for t in a for k in t)) and 'token' not in a[0]")" True \
	"JSON: every row has the same keys, none of them a token string"

# ---- revoke ------------------------------------------------------------
run tokens revoke --host lost-runner --dry-run
keep
is "$rc" 0 "revoke --host --dry-run succeeds"
is "$(grep -c "would delete" "$TMP/out")" 2 "it lists both tokens of the lost host"
is "$(named askcred/lost-runner/)" 2 "--dry-run deleted nothing"

emulator_ctl main POST reset >/dev/null
fault '{"mode": "429", "retry_after": "1", "only": "delete", "count": 1}'
run tokens revoke --host lost-runner --json
keep
is "$rc" 0 "revoke --host succeeds through a 429 on a delete"
is "$(named askcred/lost-runner/)" 0 "the lost host's tokens are gone"
is "$(emulator_counter main delete)" 3 "the delete answered 429 was sent again (2 tokens, 3 deletes)"
is "$(js "sorted(f for t in a for f in t['flags'] if f=='deleted')")" "['deleted', 'deleted']" \
	"both are reported deleted"

run tokens revoke --older-than 7d
keep
is "$rc" 0 "revoke --older-than succeeds"
is "$(held "$old")" 0 "the 10-day-old askcred token is gone"
has "$TMP/out" "created 10d" "its row says how old it was"
is "$(held "$epoch")" 1 "a foreign token is not picked by --older-than"

run tokens revoke --orphaned
keep
is "$rc" 0 "revoke --orphaned succeeds"
is "$(held "$job")" 0 "the job token whose askcred exited is gone"
is "$(held "$mine")" 1 "this host's cache-entry token is kept"

run tokens revoke --id "$temp"
keep
is "$rc" 0 "revoke --id succeeds"
is "$(held "$temp")" 0 "the token of that id is gone"

fault '{"mode": "gone", "only": "delete", "count": 1}'
run tokens revoke --id "$gone" --json
keep
is "$rc" 0 "a 404 on delete counts as deleted"
is "$(js "[('deleted' in t['flags'], 'already gone' in t['note']) for t in a]")" "[(True, True)]" \
	"and is reported as already gone"

parent=$("$ASKCRED" --stack-file "$STACK" tokens list --json |
	"$PYTHON3" -c 'import json,sys; print([t["token_id"] for t in json.load(sys.stdin) if "parent" in t["flags"]][0])')
run tokens revoke --id "$parent"
keep
is "$rc" 67 "revoke --id of the parent credential is refused (67)"
has "$TMP/out" "refused" "the refusal is on the parent's row"

fault '{"mode": "status", "status": 403, "only": "delete", "count": 1}'
run tokens revoke --host flaky-host --json
keep
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a partial failure exits non-zero ($rc)"
is "$(js "sorted('+'.join(f for f in t['flags'] if f in ('deleted','failed')) for t in a)")" \
	"['deleted', 'failed']" "one token reported deleted, the other failed"
is "$(js "[t['result'] for t in a if 'failed' in t['flags']]")" "['invalid credential']" \
	"the failed row says why (403: invalid)"
is "$(named askcred/flaky-host/)" 1 "only the failed token is left"
has "$TMP/err" "1 of 2 token(s) could not be deleted" "stderr sums it up"

# ---- enforce -----------------------------------------------------------
run tokens enforce --dry-run --json
keep
is "$rc" 0 "enforce --dry-run succeeds"
is "$(js "sorted(t['name'] for t in a if 'selected' in t['flags'] and 'parent' not in t['flags'])")" \
	"['hub-token-alice', 'hub-token-before-epoch', 'hub-token-denied', 'hub-token-long']" \
	"it finds the never-expiring, too long, denied and pre-epoch tokens"
is "$(held "$hub")$(held "$long")$(held "$denied")$(held "$epoch")" 1111 "--dry-run deleted nothing"

run tokens enforce
keep
is "$rc" 0 "enforce succeeds"
is "$(held "$hub")" 0 "the foreign never-expiring token is deleted"
is "$(held "$long")$(held "$denied")$(held "$epoch")" 000 \
	"the too long, denied and pre-epoch tokens are deleted"
is "$(held "$mine")" 1 "a token the policy allows is kept"
grep "parent" "$TMP/out" >"$TMP/row"
has "$TMP/row" "never deleted" "the parent credential is reported, not deleted"
has "$TMP/row" "require_expiry" "with what the policy says about it"
is "$(grep -c '"detail":"tokens enforce: deleted token' "$TMP/audit.log")" 4 \
	"one audit line per deleted token"

run tokens list --json
keep
is "$rc" 0 "the parent credential still lists the workspace after enforce"
is "$(js "sorted(t['token_id'] for t in a) == sorted(set(t['token_id'] for t in a)) and not set(['$hub','$long','$denied','$epoch']) & set(t['token_id'] for t in a)")" \
	True "nothing deleted is listed again"

# A deleted token this host holds in its cache is never served again.
run tokens revoke --id "$mine"
is "$rc" 0 "revoke --id of this host's cached token succeeds"
run status --json
is "$(js "[t for t in a if t['token_id']=='$mine']")" "[]" \
	"status no longer shows the deleted token as cached"
run get --format json
is "$("$PYTHON3" -c "import json; print(json.load(open('$TMP/out'))['token_id'] != '$mine')")" True \
	"get hands out a new token, not the deleted one"

run tokens revoke --host no-such-host
is "$rc" 0 "a selector that picks nothing is no error"
has "$TMP/err" "no token picked" "but it says so"

# ---- usage -------------------------------------------------------------
run tokens revoke
is "$rc" 64 "revoke without a selector is a usage error"
run tokens revoke --host a --orphaned
is "$rc" 64 "two selectors are a usage error"

# No token string in anything printed or logged.
emulator_check_leaks "$TMP"/out.* "$TMP"/err.* "$TMP/audit.log" "$EMU_DIR"/*.log
done_testing
