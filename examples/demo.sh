#!/usr/bin/env bash
# The Quick start demo (./build.sh demo; by hand: bash examples/demo.sh
# BUILD_DIR). No AskUI account: it starts the in-tree AskUI emulator
# (tests/emulator) on 127.0.0.1 with a test CA made for this run, signs a
# token policy with an Ed25519 key made for this run, and shows, with the
# evidence for each claim:
#   1. 20 concurrent `askcred get` share one minted token, whose requested
#      2h lifetime the signed policy caps to 1h;
#   2. the token is nowhere in plaintext in the cache folder, and status
#      shows the cached entry under the policy's serial;
#   3. `askcred exec` gives a job a fresh token that is deleted in AskUI
#      when the job ends, and `gc` deletes the token of a SIGKILLed one;
#   4. one byte changed in the signed policy: exit 67, nothing handed out.
# It never prints a token, only fingerprints (the first 8 bytes of its
# SHA-256 in hex, as askcred shows them). It exits non-zero, saying which
# check failed, when a step does not behave. Everything lives in one
# private temporary directory (HOME, XDG dirs, cache), removed at exit
# with the emulator and any job still running. With ASKCRED_DEMO_SECRETS
# set to a file name, it writes the tokens the emulator issued there at
# exit, for its test's leak check.
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
b=$(cd "${1:-_build}" && pwd) || exit 1
ASKCRED=$b/cli/askcred
PLUGIN=$b/plugin/.libs/askcred_askui.so
if [ ! -x "$ASKCRED" ] || [ ! -f "$PLUGIN" ]; then
	echo "demo: $b holds no built askcred; build first (./build.sh demo does)" >&2
	exit 1
fi
# The interpreter configure found, else python3 (the emulator needs it).
: "${PYTHON3:=$(sed -n 's/^PYTHON3 = //p' "$b/Makefile" 2>/dev/null)}"
: "${PYTHON3:=python3}"
: "${OPENSSL_BIN:=openssl}"
export PYTHON3 OPENSSL_BIN
for tool in "$PYTHON3" "$OPENSSL_BIN"; do
	command -v "$tool" >/dev/null ||
		{ echo "demo: $tool is needed and not installed" >&2; exit 1; }
done

top_srcdir=$src
. "$src/tests/emulator/emulator.sh"

step=0
STEPS=4
JOB_PIDS=
cleanup() {
	[ ! -s "${D:-/nonexistent}/killed.pid" ] ||
		JOB_PIDS="$JOB_PIDS $(cat "$D/killed.pid")"
	for p in $JOB_PIDS; do kill -KILL "$p" 2>/dev/null; done
	# For tests/examples/test_demo.sh: every token the emulator issued,
	# and the parent token, so that it can check none was printed.
	if [ -n "${ASKCRED_DEMO_SECRETS:-}" ] && [ -n "${EMU_PORT_main:-}" ]; then
		(
			umask 077
			emulator_ctl main GET issued | "$PYTHON3" -c '
import json, sys
for t in json.load(sys.stdin)["tokens"]:
    print(t)' && cat "$EMU_DIR/parent.token"
		) >"$ASKCRED_DEMO_SECRETS"
	fi
	emulator_stop_all
}
# title N TEXT: a step's one-line explanation.
title() {
	step=$1
	printf '\n[%s/%s] %s\n' "$step" "$STEPS" "$2"
}
say() { printf '      %s\n' "$*"; }
fail() {
	printf 'demo FAILED at step %s/%s: %s\n' "$step" "$STEPS" "$*" >&2
	exit 1
}
pass() { printf '      ok\n'; }

emulator_setup || fail "cannot set up the AskUI emulator (certificates)"
trap cleanup EXIT
emulator_start main good || fail "cannot start the AskUI emulator"
D=$EMU_DIR/demo
mkdir -m 700 "$D" "$D/home" "$D/run" "$D/cache" || fail "mkdir in $EMU_DIR"
HOME=$D/home XDG_RUNTIME_DIR=$D/run XDG_CACHE_HOME=$D/cache
export HOME XDG_RUNTIME_DIR XDG_CACHE_HOME
unset ASKCRED_STACK ASKUI_WORKSPACE_ID ASKUI_TOKEN
CACHE=$XDG_CACHE_HOME/askcred
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
umask 077

# summary.py: askcred's JSON credential on stdin, the same with the token
# replaced by its fingerprint on stdout.
cat >"$D/summary.py" <<'PY'
import hashlib, json, sys
d = json.load(sys.stdin)
d["fp"] = hashlib.sha256(d.pop("token").encode()).hexdigest()[:16]
print(json.dumps(d))
PY
# fp.py: the fingerprint of $ASKUI_TOKEN (a job's view).
cat >"$D/fp.py" <<'PY'
import hashlib, os
print(hashlib.sha256(os.environ["ASKUI_TOKEN"].encode()).hexdigest()[:16])
PY
# lookup.py CA PORT WS [TOKEN-FILE]: the HTTP status the emulator answers
# when the token (from the file, else $ASKUI_TOKEN) authenticates the
# lookup call (200 live, 401 deleted or expired).
cat >"$D/lookup.py" <<'PY'
import base64, http.client, json, os, ssl, sys
ca, port, ws = sys.argv[1:4]
tok = open(sys.argv[4]).read().strip() if len(sys.argv) > 4 else os.environ["ASKUI_TOKEN"]
c = http.client.HTTPSConnection("127.0.0.1", int(port), timeout=60,
                                context=ssl.create_default_context(cafile=ca))
c.request("POST", "/api/v1/workspaces/%s/access-tokens/lookup" % ws,
          body=json.dumps({"accessToken": tok}),
          headers={"Authorization": "Basic " + base64.b64encode(tok.encode()).decode(),
                   "Content-Type": "application/json"})
print(c.getresponse().status)
PY
# field FILE NAME: a member of a summary (never a token: summaries hold none).
field() { "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
counter() { emulator_counter main "$1"; }
lookup() { "$PYTHON3" "$D/lookup.py" "$EMU_CA" "$EMU_PORT_main" "$EMU_WS" "$@"; }
# wait_for FILE: until a job wrote FILE (no deadline on a busy machine
# but a generous one, so a broken job cannot hang the demo).
wait_for() {
	local i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || return 1
		sleep 0.1
	done
}

echo "askcred demo: AskUI emulator at $URL (test CA made just now),"
echo "workspace $EMU_WS; no AskUI account, nothing outside $EMU_DIR touched."

# The parent credential: the token that mints the others (mode 0600).
emulator_parent_file "$D/parent.json"

# The organisation's policy, signed with a key made for this demo.
SERIAL=7
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$D/signing.pem" 2>/dev/null &&
	"$OPENSSL_BIN" pkey -in "$D/signing.pem" -pubout -out "$D/policy-key.pem" ||
	fail "openssl cannot make an Ed25519 key"
printf '{"schema_version": 1, "serial": %s, "issued_at": "%s", "max_age": "30d",\n "rules": {"require_expiry": true, "max_lifetime": "1h", "sources": ["mint"],\n  "workspaces": ["%s"]}}\n' \
	"$SERIAL" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$EMU_WS" >"$D/policy.json"
"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$D/signing.pem" \
	-in "$D/policy.json" -out "$D/policy.json.sig" || fail "openssl cannot sign"
chmod 644 "$D/policy.json" "$D/policy.json.sig" "$D/policy-key.pem"

# stack FILE POLICY [ARG]: the runner stack, minting tokens of 2h when the policy
# lets it; every operation carries the same arguments.
stack() {
	local args="source=mint parent_credentials=$D/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA lifetime=2h timeout=60s policy=$2"
	args="$args policy_keys=$D/policy-key.pem audit_file=$D/audit.log${3:+ $3}"
	for op in fetch validate refresh revoke; do
		echo "$op required $PLUGIN $args"
	done >"$1"
}
stack "$D/stack" "$D/policy.json"
ac() { "$ASKCRED" --stack-file "$D/stack" "$@"; }

# ---- 1 -------------------------------------------------------------------
title 1 "20 concurrent 'askcred get' on an empty cache make ONE mint; the signed policy caps the 2h asked to 1h"
"$ASKCRED" policy check "$D/policy.json" --key "$D/policy-key.pem" \
	>"$D/check.out" 2>"$D/check.err" ||
	fail "askcred policy check refuses the freshly signed policy: $(cat "$D/check.err")"
grep -q "signature: verified" "$D/check.out" ||
	fail "askcred policy check did not verify the signature"
say "policy serial $SERIAL (max_lifetime 1h), 'askcred policy check' says: signature: verified"
emulator_ctl main POST reset '{}' >/dev/null || fail "cannot reset the emulator's counters"
pids=
for i in $(seq 1 20); do
	(ac get --format json 2>"$D/get.$i.err" |
		"$PYTHON3" "$D/summary.py" >"$D/get.$i.json") &
	pids="$pids $!"
done
bad=0
# Not a bare wait: the emulator is a child of this shell too.
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
[ $bad -eq 0 ] || fail "$bad of 20 gets failed; the first error: $(cat "$D"/get.*.err | head -n 1)"
fps=$(for i in $(seq 1 20); do field "$D/get.$i.json" fp; done | sort -u)
[ "$(echo "$fps" | wc -l)" -eq 1 ] || fail "the 20 gets got $(echo "$fps" | wc -l) different tokens"
FP1=$fps
say "20 gets exited 0, all holding the token with fingerprint $FP1"
mints=$(counter create)
[ "$mints" = 1 ] || fail "the emulator counted $mints mints for 20 gets, not 1"
say "emulator counted $mints mint for 20 gets"
life=$("$PYTHON3" -c '
import datetime, json, sys
d = json.load(open(sys.argv[1]))
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(round(t(d["expires_at"]) - t(d["issued_at"])))' "$D/get.1.json")
# At most 1h, and far more than what a token minted 2h but refused would
# leave; the few seconds under 3600 are the mint's round trip.
[ "$life" -le 3600 ] && [ "$life" -gt 3000 ] ||
	fail "the minted token lives $life s; the policy's max_lifetime is 3600 s"
say "expires_in $life s (policy max_lifetime 1h, asked lifetime=2h)"
pass

# ---- 2 -------------------------------------------------------------------
title 2 "the token is nowhere in plaintext on disk; status shows the cached, minted entry under policy serial $SERIAL"
# To search for the token the demo needs it: once, in a private file,
# never on a command line or the screen.
ac get --format json 2>"$D/err" | "$PYTHON3" -c '
import json, sys
print(json.load(sys.stdin)["token"])' >"$D/needle" || fail "get: $(cat "$D/err")"
grep -q -F -f "$D/needle" "$D/needle" || fail "the search pattern does not find itself"
nfiles=$(find "$CACHE" -type f | wc -l)
[ "$nfiles" -gt 0 ] || fail "the cache folder $CACHE holds no file"
hits=$(grep -r -l -F -f "$D/needle" "$CACHE")
[ -z "$hits" ] || fail "the token is readable in $hits"
grep -r -q -F -f "$EMU_DIR/parent.token" "$CACHE" && fail "the parent token is readable in $CACHE"
rm -f "$D/needle"
say "grep -r for the token (fingerprint $FP1) in $CACHE: 0 of $nfiles files; the parent token: 0"
ac status >"$D/status" 2>"$D/err" || fail "status: $(cat "$D/err")"
sed 's/^/      | /' "$D/status"
ac status --json >"$D/status.json" 2>"$D/err" || fail "status --json: $(cat "$D/err")"
row=$("$PYTHON3" -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    if "policy" not in e["flags"] and e["token_id"]:
        print(" ".join(sorted(e["flags"])), e["source"], e["policy_serial"])' "$D/status.json")
[ "$row" = "from-cache minted mint $SERIAL" ] ||
	fail "status shows '$row', not a from-cache, minted mint entry under serial $SERIAL"
say "status: the entry is from-cache, minted, source mint, under policy serial $SERIAL"
pass

# ---- 3 -------------------------------------------------------------------
title 3 "'askcred exec --purpose nightly -- JOB' gives the job a fresh token, deleted when it ends; 'gc' deletes a kill -9'd one's"
# The job proves it holds a live token without printing it: its
# fingerprint, and the status the emulator answers to it (200: live).
# It keeps a private copy only so that the demo can ask again afterwards.
JOB='"$PYTHON3" "$1/fp.py" >"$1/job.fp"
"$PYTHON3" "$1/lookup.py" "$2" "$3" "$4" >"$1/job.live"
printf %s "$ASKUI_TOKEN" >"$1/job.token"'
c0=$(counter create) d0=$(counter delete)
ac exec --purpose nightly -- sh -c "$JOB" sh "$D" "$EMU_CA" "$EMU_PORT_main" \
	"$EMU_WS" 2>"$D/err" || fail "exec: the job failed: $(cat "$D/err")"
FPJ=$(cat "$D/job.fp")
[ -n "$FPJ" ] && [ "$FPJ" != "$FP1" ] ||
	fail "the job's token ($FPJ) is not a fresh one (shared: $FP1)"
[ "$(counter create)" = $((c0 + 1)) ] || fail "no token was minted for the job"
say "the job held token $FPJ (not the shared $FP1): 1 more mint"
[ "$(cat "$D/job.live")" = 200 ] ||
	fail "during the job the emulator answered $(cat "$D/job.live") for its token, not 200"
after=$(lookup "$D/job.token")
rm -f "$D/job.token"
[ "$(counter delete)" = $((d0 + 1)) ] || fail "no delete call reached the emulator after the job"
[ "$after" = 401 ] || fail "after the job the emulator answers $after for its token, not 401"
say "emulator lookup with the job's token: 200 during the job, $after after it (deleted)"
say "and a job whose askcred gets 'kill -9': its token stays until 'askcred gc' deletes it"
"$ASKCRED" --stack-file "$D/stack" exec --purpose nightly-killed -- sh -c \
	'echo $$ >"$1/killed.pid"; printf %s "$ASKUI_TOKEN" >"$1/killed.token"
	"$PYTHON3" "$1/fp.py" >"$1/killed.fp"; exec sleep 600' sh "$D" \
	>/dev/null 2>"$D/killed.err" &
apid=$!
JOB_PIDS="$JOB_PIDS $apid"
wait_for "$D/killed.fp" || fail "the job to be killed did not start: $(cat "$D/killed.err")"
kill -KILL "$apid"
wait "$apid" 2>/dev/null
jpid=$(cat "$D/killed.pid")
JOB_PIDS="$JOB_PIDS $jpid"
kill -KILL "$jpid" 2>/dev/null
left=$(lookup "$D/killed.token")
[ "$left" = 200 ] || fail "the SIGKILLed job's token answers $left, expected it left alive (200)"
say "askcred and its job SIGKILLed: token $(cat "$D/killed.fp") still live (200)"
ac gc >"$D/gc" 2>"$D/err" || fail "gc: $(cat "$D/err")"
grep -q orphaned "$D/gc" || fail "gc did not list an orphaned token: $(cat "$D/gc")"
sed 's/^/      | /' "$D/gc"
gone=$(lookup "$D/killed.token")
rm -f "$D/killed.token"
[ "$gone" = 401 ] || fail "after gc the emulator answers $gone for that token, not 401"
say "after 'askcred gc' the emulator answers $gone for it (deleted)"
pass

# ---- 4 -------------------------------------------------------------------
title 4 "one byte changed in the signed policy: refused (exit 67), and nothing is handed out under it"
# max_lifetime "1h" -> "9h": one byte, the signature left as it was.
mkdir -m 700 "$D/tampered" "$D/tampered/state"
sed 's/"max_lifetime": "1h"/"max_lifetime": "9h"/' "$D/policy.json" >"$D/tampered/policy.json"
cp "$D/policy.json.sig" "$D/tampered/policy.json.sig"
chmod 644 "$D/tampered/policy.json" "$D/tampered/policy.json.sig"
n=$(cmp -l "$D/policy.json" "$D/tampered/policy.json" | wc -l)
[ "$n" = 1 ] || fail "the tampered copy differs in $n bytes, not 1"
say "$(cmp "$D/policy.json" "$D/tampered/policy.json" | sed 's|.*differ: ||') of policy.json changed (max_lifetime \"1h\" -> \"9h\"), same signature"
"$ASKCRED" policy check "$D/tampered/policy.json" --key "$D/policy-key.pem" \
	>/dev/null 2>"$D/err"
rc=$?
[ $rc = 67 ] || fail "askcred policy check exits $rc for the tampered policy, not 67"
grep -q "does not verify" "$D/err" || fail "policy check does not say the signature fails: $(cat "$D/err")"
say "askcred policy check: exit $rc, \"policy signature does not verify with any of the 1 configured key(s)\""
# A host that gets the tampered document as its first policy (its own
# policy state; the cache still holds the valid token of step 1).
stack "$D/tampered/stack" "$D/tampered/policy.json" "policy_state_dir=$D/tampered/state"
c0=$(counter create)
: >"$D/audit.log"
"$ASKCRED" --stack-file "$D/tampered/stack" get >"$D/out" 2>"$D/err"
rc=$?
[ $rc = 67 ] || fail "askcred get with the tampered policy exits $rc, not 67"
[ ! -s "$D/out" ] || fail "askcred get with the tampered policy printed a credential"
[ "$(counter create)" = "$c0" ] || fail "a token was minted under the tampered policy"
grep -q '"decision":"allow"' "$D/audit.log" && fail "the audit log shows a hand-out under the tampered policy"
reason=$("$PYTHON3" -c '
import json, sys
print(",".join(sorted({json.loads(l)["reason"] for l in open(sys.argv[1]) if l.strip()})))' "$D/audit.log")
[ -n "$reason" ] || fail "the refusal left no audit line"
grep -q "cached token refused" "$D/err" || fail "the cached token was not even looked at: $(tail -n 1 "$D/err")"
say "a host given it: askcred get exits $rc, 0 bytes on stdout, no mint, cached token refused too (audit: deny, $reason)"
# This host already accepted serial 7: a refused document never replaces
# the policy in force.
stack "$D/stack" "$D/tampered/policy.json"
ac policy show >"$D/show" 2>/dev/null
grep -q "policy serial $SERIAL from last good copy.*last update failed.*does not verify" "$D/show" ||
	fail "policy show on the first host: $(cat "$D/show")"
say "the host that holds serial $SERIAL keeps it in force: policy show says \"last update failed: ... does not verify\""
pass

printf '\nall 4 steps behaved; the emulator and every temporary file are being removed.\n'
