#!/bin/sh
# The mint source end to end: the askcred command, the dlopen'd provider and
# its network module against the AskUI emulator. Tokens are minted with a
# parent credential, shared through the encrypted disk cache by separate
# processes (one mint for all of them), bounded by policy, revoked, and a
# revocation the server could not take is kept pending and retried.
. "$top_srcdir/tests/emulator/emulator.sh"
. "$top_srcdir/tests/lib.sh"

ASKCRED="$top_builddir/cli/askcred"
PLUGIN="$top_builddir/plugin/.libs/askcred_askui.so"
# A failed check shows the start of askcred's stderr, which never holds a
# token (checked at the end).
TAP_FAIL_HOOK='[ ! -s "$T/err" ] || sed -n "1,3s/^/# /p" "$T/err"'

emulator_setup || bail "emulator setup"
emulator_start main good || bail "emulator start"
T=$EMU_DIR/t
mkdir -m 700 "$T" "$T/home" "$T/cache"
HOME=$T/home XDG_CACHE_HOME=$T/cache
export HOME XDG_CACHE_HOME
unset ASKCRED_STACK ASKUI_WORKSPACE_ID ASKUI_TOKEN
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"

emulator_parent_file "$T/parent.json"
# stack NAME EXTRA-ARGS: every operation through one mint instance.
stack() {
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$T/cache/askcred timeout=20s $2"
	for op in fetch validate refresh revoke; do
		echo "$op required $PLUGIN $args"
	done >"$T/$1"
}
counter() { emulator_counter main "$1"; }
# field FILE NAME: a member of askcred's JSON output (never the token).
field() {
	"$PYTHON3" -c "import json,sys; print(json.load(open('$1'))['$2'])"
}
# epoch FILE NAME: an RFC 3339 member as Unix seconds.
epoch() {
	"$PYTHON3" -c "import json,datetime; print(int(datetime.datetime.fromisoformat(json.load(open('$1'))['$2'].replace('Z', '+00:00')).timestamp()))"
}
ac() { # ac STACK ARGS...: run askcred, stdout to $T/out, stderr to $T/err
	s=$1
	shift
	"$ASKCRED" --stack-file "$T/$s" "$@" >"$T/out" 2>"$T/err"
}
# Remove what held a token, so only the leak check reads the rest.
scrub() { rm -f "$T/out" "$T"/out.*; }

stack mint "lifetime=1h"
emulator_ctl main POST reset '{}' >/dev/null

ac mint get --format json
ok $? "get mints a token through the parent credential"
is "$(counter create)" 1 "one create call"
is "$(field "$T/out" workspace_id)" "$EMU_WS" "the minted token is for the parent's workspace"
is "$(field "$T/out" source)" mint "source says mint"
exp=$(epoch "$T/out" expires_at)
now=$(date +%s)
ok "$([ $((exp - now)) -gt 3300 ] && [ $((exp - now)) -le 3600 ] && echo 0 || echo 1)" \
	"the token lives about the configured hour"
cp "$T/out" "$T/out.first"

ac mint get --format json
ok $? "a second process gets a credential"
is "$(counter create)" 1 "served from the encrypted disk cache, no new mint"
is "$(field "$T/out" token_id)" "$(field "$T/out.first" token_id)" \
	"the same token as the first process"
is "$(field "$T/out" from_cache)" True "flagged as from the cache"
ls "$T/cache/askcred" | grep -q '\.cache$'
ok $? "the cache file exists"
grep -l -F -f "$EMU_DIR/parent.token" "$T/cache/askcred"/* >/dev/null 2>&1
ok $((! $?)) "the parent token is nowhere in the cache directory"
tok=$(field "$T/out" token)
grep -rl -F -e "$tok" "$T/cache/askcred" >/dev/null 2>&1
ok $((! $?)) "the minted token is not readable in the cache directory"
unset tok

# Many processes at once: still one mint.
emulator_ctl main POST reset '{}' >/dev/null
rm -rf "$T/cache/askcred"
i=0
pids=
while [ $i -lt 12 ]; do
	"$ASKCRED" --stack-file "$T/mint" get --format json >/dev/null 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare wait: the emulator is a child of this shell too.
for p in $pids; do wait "$p"; done
is "$(counter create)" 1 "12 concurrent processes on an empty cache mint once"
ls "$T/cache/askcred" | grep -q '\.tmp$'
ok $((! $?)) "no temp file is left behind"

ac mint refresh
ok $? "refresh succeeds"
is "$(counter create)" 2 "refresh mints a new token"

ac mint validate
ok $? "validate accepts the current token"

# online validation: a token deleted in AskUI is invalid at once.
stack online "lifetime=1h online_validate=on"
ac online get --format json
id=$(field "$T/out" token_id)
ac online validate
ok $? "online validate accepts a live token"
emulator_ctl main POST expire "{\"id\": \"$id\"}" >/dev/null
ac online validate
is $? 68 "online validate refuses a token AskUI expired (exit 68)"
grep -q "no longer knows\|not valid\|401" "$T/err"
ok $? "and says why"

# revoke deletes the token in AskUI.
stack job "lifetime=1h"
emulator_ctl main POST reset '{}' >/dev/null
ac job revoke
ok $? "revoke succeeds"
is "$(counter delete)" 1 "revoke deletes the token in AskUI"

# A revocation AskUI cannot take is kept and retried.
ac job refresh
emulator_ctl main POST fault '{"mode": "status", "status": 503, "count": 100}' >/dev/null
ac job revoke
is $? 69 "revoke while AskUI answers 503: unavailable (exit 69)"
grep -q "recorded" "$T/err"
ok $? "the error says the revocation was recorded"
ac job status --json
grep -q "revocation pending" "$T/out"
ok $? "status lists the pending revocation"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
before=$(counter delete)
ac job refresh
ok $? "the next mint succeeds"
is "$(counter delete)" $((before + 1)) "and retries the pending revocation"
ac job status --json
grep -q "revocation pending" "$T/out"
ok $((! $?)) "no revocation is pending any more"

# Rotation: the predecessor of a refreshed shared token is deleted after
# rotation_overlap (0: at once), and is listed meanwhile.
stack rot0 "lifetime=1h entry=rot0 rotation_overlap=0"
ac rot0 get --format json
first=$(field "$T/out" token_id)
before=$(counter delete)
ac rot0 refresh
ok $? "refresh rotates the shared token"
is "$(counter delete)" $((before + 1)) "with rotation_overlap=0 the predecessor is deleted at once"
stack rot "lifetime=1h entry=rot rotation_overlap=30m"
ac rot get --format json
old=$(field "$T/out" token_id)
before=$(counter delete)
ac rot refresh
is "$(counter delete)" "$before" "with an overlap the predecessor is not deleted yet"
ac rot status --json
grep -q "$old" "$T/out" && grep -q "rotated out" "$T/out"
ok $? "status lists the predecessor as rotated out, to be deleted after the overlap"

# gc: a job's token outliving its process (the process here is askcred
# get itself, which exits at once) is orphaned; an expired token is swept;
# the shared token of the cache and tokens askcred did not mint stay.
stack gc "lifetime=1h entry=gcentry"
ac gc get --format json
shared=$(field "$T/out" token_id)
ac gc get --no-cache --purpose nightly-run --format json
ok $? "a per-job token (no cache, purpose) is minted"
orphan=$(field "$T/out" token_id)
ac gc get --no-cache --purpose other --format json
expired=$(field "$T/out" token_id)
emulator_ctl main POST expire "{\"id\": \"$expired\"}" >/dev/null
before=$(counter delete)
ac gc gc --json
ok $? "gc succeeds"
grep -q "$orphan" "$T/out" && grep -q orphaned "$T/out"
ok $? "gc deleted the orphaned job token and says why"
grep -q "$expired" "$T/out"
ok $? "gc deleted the expired token"
grep -q "$shared" "$T/out"
ok $((! $?)) "the shared, live token is left alone"
is "$(counter delete)" $((before + 2)) "two delete calls"
emulator_ctl main GET issued >/dev/null # (the parent token is never listed)
before=$(counter delete)
ac gc gc --json
is "$(counter delete)" "$before" "a second gc finds nothing to delete"

# Outage grace: a token inside its refresh window is served stale while
# AskUI is down, for stale_budget at most; without a budget, no token.
# The first tokens are minted to live 10m: inside the mandatory window
# (a quarter of the 1h lifetime), still above min_validity.
stack grace "lifetime=1h stale_budget=1h entry=grace"
stack nograce "lifetime=1h entry=nograce"
emulator_ctl main POST fault '{"mode": "answer", "only": "create", "expires_in": 600, "count": 2}' >/dev/null
ac grace get --format json && ac nograce get --format json
ok $? "grace and no-grace entries get their first token"
emulator_ctl main POST fault '{"mode": "status", "status": 503, "count": 1000}' >/dev/null
ac grace get --format json
ok $? "AskUI down: the grace entry still answers"
is "$(field "$T/out" stale)" True "flagged stale"
ac nograce get --format json
is $? 69 "without stale_budget the outage is an error (exit 69)"
grep -q "unavailable\|503" "$T/err"
ok $? "which names the outage"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
# The backoff is checked without the wall clock (a slow machine would see
# it end before the next get): its length is read from the entry's state
# file, then the retry time there is moved instead of sleeping. The exact
# arithmetic is tested with a fake clock in tests/plugin/cache.
gstate=$(ls "$T"/cache/askcred/*@grace.state)
stval() { awk -v k="$1" '$1 == k { print $2 }' "$gstate"; }
retry_at() { sed -i "s/^next_attempt .*/next_attempt $1/" "$gstate"; }
is "$(($(stval next_attempt) - $(stval outage_since)))" 5 \
	"the failed refresh set the first retry 5 s (retry_min) after the outage began"
retry_at $(($(date +%s) + 3600))
before=$(counter create)
ac grace get --format json
is "$(field "$T/out" stale)" True "AskUI back: no new attempt before the backoff ends"
is "$(counter create)" "$before" "AskUI is not called before the backoff ends"
retry_at $(($(date +%s) - 1))
ac grace get --format json
is "$(field "$T/out" stale)" False "after the backoff: a fresh token, not stale"
is "$(counter create)" $((before + 1)) "after the backoff: one new create call"

# Policy: max_lifetime cuts the lifetime; a foreign workspace is refused.
cat >"$T/policy.json" <<POL
{"schema_version": 1, "serial": 1, "max_age": "30d",
 "rules": {"max_lifetime": "30m", "require_expiry": true}}
POL
chmod 600 "$T/policy.json"
stack pol "lifetime=2h policy=$T/policy.json audit_file=$T/audit.log"
ac pol get --format json
ok $? "get under a policy with max_lifetime 30m"
exp=$(epoch "$T/out" expires_at)
now=$(date +%s)
ok "$([ $((exp - now)) -le 1800 ] && echo 0 || echo 1)" \
	"the minted lifetime is cut to the policy's 30m"
ac pol status --json
"$PYTHON3" -c "
import json, sys
e = json.load(open('$T/out'))
creds = [x for x in e if x.get('token_id') and 'policy' not in x.get('flags', [])]
pol = [x for x in e if 'policy' in x.get('flags', [])]
sys.exit(not (creds and all(x['policy_serial'] == 1 for x in creds)
              and len(pol) == 1 and pol[0]['policy_serial'] == 1
              and 'signature' in pol[0]['note'] or 'unsigned' in pol[0]['note']))"
ok $? "status: the credential carries policy serial 1, and the policy entry says what is in force"
grep -q '"decision"' "$T/audit.log" 2>/dev/null || grep -q '"allowed"' "$T/audit.log"
ok $? "the hand-out is in the audit file"

ac pol policy explain
ok $? "policy explain: the current credential is allowed"
grep -q "allowed: token .* under policy serial 1" "$T/out"
ok $? "and says under which policy serial"

# Runner labels from the host (askcred --labels) select the policy's
# overrides, which only tighten.
cat >"$T/policy3.json" <<POL
{"schema_version": 1, "serial": 1, "max_age": "30d",
 "rules": {"max_lifetime": "30m"},
 "overrides": [{"label": "production", "rules": {"max_lifetime": "10m"}}]}
POL
chmod 600 "$T/policy3.json"
stack lab "lifetime=2h entry=lab policy=$T/policy3.json policy_state_dir=$T/pstate3"
"$ASKCRED" --labels production --stack-file "$T/lab" get --format json >"$T/out" 2>"$T/err"
ok $? "get with the host's runner label production"
exp=$(epoch "$T/out" expires_at)
now=$(date +%s)
ok "$([ $((exp - now)) -le 600 ] && echo 0 || echo 1)" \
	"the production override's 10m max_lifetime applies"

cat >"$T/policy2.json" <<POL
{"schema_version": 1, "serial": 2, "max_age": "30d",
 "rules": {"workspaces": ["00000000-0000-4000-8000-000000000000"]}}
POL
chmod 600 "$T/policy2.json"
stack deny "lifetime=1h policy=$T/policy2.json policy_state_dir=$T/pstate"
emulator_ctl main POST reset '{}' >/dev/null
ac deny get --format json
is $? 67 "a workspace the policy does not allow is denied (exit 67)"
grep -q "policy" "$T/err"
ok $? "the error names the policy"
ac deny policy explain
is $? 67 "policy explain says denied (exit 67)"
grep -q "workspace" "$T/err"
ok $? "and why: the workspace is not allowed"
is "$(counter create)" 0 "nothing was minted for a denied request"

# A signed policy from an https URL: each new process asks the URL; a new
# serial applies at once; a rollback, a bad signature or an outage keep
# the last good copy.
D=$EMU_DIR/docs
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$T/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$T/sign.pem" -pubout -out "$T/pub.pem" 2>/dev/null
chmod 600 "$T/sign.pem" "$T/pub.pem"
publish() { # publish SERIAL WORKSPACE: write and sign a policy document
	printf '{"schema_version": 1, "serial": %s, "max_age": "30d",\n "rules": {"workspaces": ["%s"]}}\n' \
		"$1" "$2" >"$D/p.json"
	"$OPENSSL_BIN" pkeyutl -sign -inkey "$T/sign.pem" -rawin \
		-in "$D/p.json" -out "$D/p.json.sig"
}
cp "$D/p.json" "$T/p1.json" 2>/dev/null
OTHER=00000000-0000-4000-8000-000000000000
publish 1 "$EMU_WS"
cp "$D/p.json" "$T/p1.json"
cp "$D/p.json.sig" "$T/p1.json.sig"
stack url "lifetime=1h entry=url policy_url=https://127.0.0.1:$EMU_PORT_main/doc/p.json policy_keys=$T/pub.pem policy_state_dir=$T/ustate"
ac url get --format json
ok $? "a signed policy from an https URL allows our workspace"
ac url status --json
grep -q '"policy_serial":1' "$T/out" && grep -q 'signature verified' "$T/out"
ok $? "status: serial 1 from the URL, signature verified"
publish 2 "$OTHER"
ac url get --format json
is $? 67 "serial 2 from the URL, which leaves our workspace out, applies at once"
cp "$T/p1.json" "$D/p.json"
cp "$T/p1.json.sig" "$D/p.json.sig"
ac url get --format json
is $? 67 "a rollback to serial 1 is refused: serial 2 stays in force"
ac url status --json
grep -q 'last update failed' "$T/out"
ok $? "status says the last update failed"
publish 3 "$EMU_WS"
printf 'x' >>"$D/p.json"
ac url get --format json
is $? 67 "a document that does not match its signature is refused"
publish 3 "$EMU_WS"
ac url get --format json
ok $? "serial 3, correctly signed, applies"
emulator_ctl main POST fault '{"mode": "drop", "count": 1000}' >/dev/null
ac url get --format json
ok $? "the policy URL down: the last good copy (serial 3) still governs"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
stack nokey "lifetime=1h entry=nokey policy_url=https://127.0.0.1:$EMU_PORT_main/doc/p.json policy_keys=$T/pub.pem policy_state_dir=$T/nstate"
rm -f "$D/p.json.sig"
ac nokey get --format json
is $? 67 "keys configured, no signature published: nothing is handed out (fail closed)"

ac nosuch get 2>/dev/null
stack noparent "lifetime=1h"
sed -i "s#parent_credentials=$T/parent.json ##" "$T/noparent"
ac noparent get
is $? 65 "mint without parent_credentials is a configuration error"
grep -q "parent_credentials" "$T/err"
ok $? "naming parent_credentials"

scrub
# No token string in anything printed or logged.
emulator_check_leaks "$T"/err "$T"/*.log "$EMU_DIR"/*.log
done_testing
