#!/bin/sh
# askcred status: a table and a JSON array describing what the stack's
# modules hold, and never the token itself.
. "${top_srcdir:?}/tests/cli/lib.sh"

# The static source keeps nothing on disk (cache= does not apply to it),
# so status would have no entry to list. The exec source caches what its
# command prints: a fetch through it leaves one disk entry for status,
# run as a new process, to describe. The cache is keyed by workspace, so
# the module is given one (askcred's requests name none).
TOKEN_ID=7b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d
EXPIRES=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) || bail "date -d"
printf '#!/bin/sh\n[ "$1" = get ] || exit 3\necho %s\n' \
	"'{\"workspace_id\": \"$WS\", \"token\": \"StAtUs-SeCrEt-Token-77\", \"token_id\": \"$TOKEN_ID\", \"expires_at\": \"$EXPIRES\"}'" \
	>"$TMP/token-cmd"
chmod 700 "$TMP/token-cmd"
(umask 077 && printf '%s required %s source=exec workspace=%s command=%s\n' \
	fetch "$PLUGIN" "$WS" "$TMP/token-cmd" \
	validate "$PLUGIN" "$WS" "$TMP/token-cmd" >"$STACK")

run get
is "$rc" 0 "a fetch before status succeeds"
contains "$TMP/out" "StAtUs-SeCrEt-Token-77"
ok $? "the fetch hands out the command's token"

run status
is "$rc" 0 "status exits 0"
head -n 1 "$TMP/out" | grep -q '^NAME  *WORKSPACE  *TOKEN-ID  *EXPIRES  *REMAINING  *FLAGS  *SOURCE  *SERIAL  *NOTE$'
ok $? "status prints the table header"
rows=$(($(wc -l <"$TMP/out") - 1))
ok $((rows > 0 ? 0 : 1)) "status lists the cached entry ($rows rows)"
sed 1d "$TMP/out" | awk -v ws="$WS" '$2 != ws { bad = 1 } END { exit bad }'
ok $? "every listed entry names its workspace"
sed 1d "$TMP/out" | awk '{ if (NF < 9) exit 1 }'
ok $? "every row has all nine columns"
sed 1d "$TMP/out" | grep -q -F -e "$TOKEN_ID"
ok $? "the entry shows the token id the command gave"
sed 1d "$TMP/out" | grep -q -F -e "$EXPIRES"
ok $? "the entry shows when the token expires"
! contains "$TMP/out" "StAtUs-SeCrEt" && ! contains "$TMP/err" "StAtUs-SeCrEt"
ok $? "the table does not show the token"

run status --json
is "$rc" 0 "status --json exits 0"
"$PYTHON3" - "$TMP/out" "$WS" "$TOKEN_ID" <<'PY'
import json, sys
entries = json.load(open(sys.argv[1]))
assert isinstance(entries, list), type(entries)
assert [e["token_id"] for e in entries] == [sys.argv[3]], entries
keys = {"name", "workspace_id", "token_id", "issued_at", "expires_at",
        "remaining_seconds", "flags", "source", "policy_serial", "note"}
for e in entries:
    assert set(e) == keys, sorted(set(e) ^ keys)
    assert e["workspace_id"] == sys.argv[2], e["workspace_id"]
    assert isinstance(e["flags"], list)
    assert all(f in ("stale", "from-cache", "minted", "pending-revoke")
               for f in e["flags"]), e["flags"]
    assert e["expires_at"] is None or e["expires_at"].endswith("Z")
PY
ok $? "status --json is an array of the one cached entry with the documented fields"
! contains "$TMP/out" "StAtUs-SeCrEt" && ! contains "$TMP/err" "StAtUs-SeCrEt"
ok $? "the JSON does not show the token"

run status extra
is "$rc" 64 "status with a stray argument is a usage error"
run status --format json
is "$rc" 64 "status rejects get's options"

done_testing
