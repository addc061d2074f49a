#!/bin/sh
# askcred tokens against a hostile AskUI (the emulator's body, many and
# keep faults, and tokens seeded by someone else): list answers of the
# wrong shape, duplicate ids and an enormous list are refused naming the
# field and index, with nothing deleted; names with terminal control
# characters are listed (the whole workspace stays manageable) but never
# reach the terminal raw, and --json stays valid; an --id that is no
# UUID is refused before any call; a 429 storm stops the revoke instead
# of hammering every token; and a delete AskUI answers 204 without
# deleting is reported failed, not deleted.
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

seed() {
	emulator_ctl main POST seed \
		"{\"name\": \"$1\", \"expires_in\": $2, \"created_ago\": $3}" |
		"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
held() {
	emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, sys
print(int(any(t["id"] == sys.argv[1] for t in json.load(sys.stdin)["tokens"])))' "$1"
}
js() {
	"$PYTHON3" -c "import json,sys; a=json.loads(open(sys.argv[1], encoding='utf-8').readline()); print($1)" "$TMP/out"
}
fault() { emulator_ctl main POST fault "$1" >/dev/null; }
nofault() { emulator_ctl main POST fault '{"mode": "none"}' >/dev/null; }
# ctl_in FILE: 0 when FILE holds no control character but newline.
ctl_free() {
	"$PYTHON3" -c '
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f]
bad += [1 for i in range(len(b) - 1) if b[i] == 0xc2 and 0x80 <= b[i+1] <= 0x9f]
sys.exit(1 if bad else 0)' "$1"
}
(
	umask 077
	args="source=mint parent_credentials=$TMP/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$TMP/c timeout=20s lifetime=1h"
	echo "fetch required $PLUGIN $args" >"$STACK"
)

victim=$(seed "askcred/victim-host/default~0badc0de" 3600 60)

# ---- list answers of the wrong shape ----------------------------------
# shape JSON WANT DESC: the list answers JSON; revoke --host victim-host
# must fail naming WANT (a field, an index) and delete nothing.
# (The victim is the one token --host victim-host picks: nothing is
# deleted when it is still held.)
shape() {
	fault "{\"mode\": \"body\", \"only\": \"list\", \"count\": 1, \"json\": $1}"
	run tokens revoke --host victim-host
	ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "$3: refused ($rc)"
	has "$TMP/err" "$2" "$3: the error says $2"
	is "$(held "$victim")" 1 "$3: nothing deleted"
}
T='"2026-01-01T00:00:00Z"'
shape '{"tokens": []}' "expected a JSON array" "an object, not an array"
shape '[1, 2]' "expected an object holding [0].id" "an array of numbers"
shape "[{\"id\": 7, \"name\": \"x\", \"createdAt\": $T, \"expiresAt\": null}]" \
	"[0].id is not a string" "a numeric id"
shape "[{\"id\": \"$victim\", \"name\": \"x\", \"createdAt\": $T, \"expiresAt\": \"soon\"}]" \
	"[0].expiresAt is not an RFC 3339" "a garbage expiresAt"
shape "[{\"id\": \"$victim\", \"name\": \"x\", \"createdAt\": $T, \"expiresAt\": \"1969-12-31T23:59:59Z\"}]" \
	"[0].expiresAt is before 1970" "an expiresAt before the epoch"
shape "[{\"id\": \"$victim\", \"name\": \"x\", \"expiresAt\": null}]" \
	"[0].createdAt is missing" "a missing createdAt"
shape "[{\"id\": \"../lookup\", \"name\": \"askcred/victim-host/x~1\", \"createdAt\": $T, \"expiresAt\": null}]" \
	"[0].id is not a UUID" "an id that is a path"
d="{\"id\": \"$victim\", \"name\": \"askcred/victim-host/default~0badc0de\", \"createdAt\": $T, \"expiresAt\": null}"
shape "[$d, $d]" "[1].id repeats [0].id" "a duplicate id"

fault '{"mode": "many", "only": "list", "count": 1, "n": 20000}'
run tokens revoke --host victim-host
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a list of 20000 tokens is refused ($rc)"
has "$TMP/err" "larger than 1048576 bytes" "it says the answer is over the size cap"
is "$(held "$victim")" 1 "nothing deleted"

fault '{"mode": "huge", "only": "list", "count": 1, "content_length": true}'
run tokens list
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a 10 MiB list answer is refused ($rc)"

# ---- --id that is not an id ---------------------------------------------
emulator_ctl main POST reset '{}' >/dev/null
for bad in "../$victim" "$victim/../lookup" "$victim?x=1" "$victim#" \
	"%2F..%2Flookup" "$victim x" ""; do
	run tokens revoke --id "$bad"
	is "$rc" 64 "revoke --id '$bad' is a usage error"
done
has "$TMP/err" "UUID" "the error says what an id looks like"
is "$(emulator_ctl main GET counters | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["total"])')" 0 \
	"nothing is asked of AskUI for any of them"

# ---- 429 storm ----------------------------------------------------------
for i in 1 2 3 4; do
	seed "askcred/storm-host/default~0000000$i" 3600 60 >/dev/null
done
emulator_ctl main POST reset '{}' >/dev/null
fault '{"mode": "429", "retry_after": "1", "only": "delete"}'
run tokens revoke --host storm-host --json
nofault
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a 429 storm fails the revoke ($rc)"
deletes=$(emulator_counter main delete)
ok "$([ "$deletes" -le 4 ] && echo 0 || echo 1)" "AskUI is not hammered: $deletes delete requests for 4 tokens"
is "$(js "sorted('failed' in t['flags'] and 'deleted' not in t['flags'] for t in a)")" \
	"[True, True, True, True]" "every token is reported not deleted"
is "$(emulator_tokens main askcred/storm-host/)" 4 "and every one is still there"
has "$TMP/err" "HTTP 429" "stderr names the status"

# ---- a delete answered 204 that deleted nothing ---------------------------
emulator_ctl main POST reset '{}' >/dev/null
fault '{"mode": "keep", "only": "delete"}'
run tokens revoke --id "$victim" --json
nofault
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a delete that did not delete fails the revoke ($rc)"
is "$(js "[('deleted' in t['flags'], 'failed' in t['flags']) for t in a]")" "[(False, True)]" \
	"the token is reported failed, not deleted"
has "$TMP/err" "still lists" "stderr says AskUI still lists it"
is "$(held "$victim")" 1 "(it is indeed still there)"
fault '{"mode": "keep", "status": 404, "only": "delete", "count": 1}'
run tokens revoke --id "$victim" --json
ok "$([ "$rc" -ne 0 ] && echo 0 || echo 1)" "a 404 on a token still listed fails the revoke ($rc)"
is "$(js "[('deleted' in t['flags'], 'failed' in t['flags']) for t in a]")" "[(False, True)]" \
	"it is reported failed, not already gone"
# ---- a list that lies about the parent ------------------------------------
# The parent credential, listed under an expired askcred name: --orphaned
# picks it by its name, and it is still kept, by its id.
parent=$("$ASKCRED" --stack-file "$STACK" tokens list --json |
	"$PYTHON3" -c 'import json,sys; print([t["token_id"] for t in json.load(sys.stdin) if "parent" in t["flags"]][0])')
emulator_ctl main POST reset '{}' >/dev/null
fault "{\"mode\": \"body\", \"only\": \"list\", \"count\": 1, \"json\": [{\"id\": \"$parent\", \"name\": \"askcred/gone-host/default~1\", \"createdAt\": $T, \"expiresAt\": \"2020-01-01T00:00:00Z\"}]}"
run tokens revoke --orphaned --json
is "$rc" 67 "the parent under an orphaned name is refused (67)"
is "$(js "[t['flags'] for t in a]")" "[['parent', 'expired', 'selected', 'refused']]" \
	"it is reported picked and refused"
is "$(emulator_counter main delete)" 0 "no delete is sent"

# ---- names that talk to the terminal -----------------------------------
# (Last: on the old code these names made every list fail.)
ansi=$(seed '\u001b]0;owned\u0007\u001b[2Jred' null 60)
nl=$(seed 'one\nTOKEN-ID forged row' null 60)
c1=$(seed '\u009b2Jcsi' null 60)
fake=$(seed 'askcred/victim-host\u001b[8m/default~1' null 60)
far=$(seed far-future 240000000000 60)
wide=$(seed "$("$PYTHON3" -c 'print(r"\ud83d\ude00" * 128)')" 3600 60)
run tokens list
is "$rc" 0 "names with control characters do not stop the listing"
for id in "$ansi" "$nl" "$c1" "$fake" "$far" "$wide" "$victim"; do
	grep -q "^$id " "$TMP/out" || echo "# no row for $id"
done >"$TMP/rows"
is "$(cat "$TMP/rows")" "" "every token has its row (far-future and 128-character names too)"
ctl_free "$TMP/out"
ok $? "the table holds no control character"
ctl_free "$TMP/err"
ok $? "stderr holds no control character"
is "$(grep -c "forged row" "$TMP/out")" 1 "a newline in a name does not forge a row"
run tokens list --json
is "$rc" 0 "tokens list --json succeeds"
is "$(js "sorted(t['name'] for t in a if t['token_id'] in ('$ansi', '$nl', '$c1')) == sorted(['\x1b]0;owned\x07\x1b[2Jred', 'one\nTOKEN-ID forged row', '\x9b2Jcsi'])")" \
	True "--json is valid JSON and carries the names as they are"
run tokens revoke --host victim-host --dry-run
is "$rc" 0 "revoke --host --dry-run succeeds"
is "$(grep -c "would delete" "$TMP/out")" 1 "a name with an escape inside its host field is not picked by --host"

done_testing
