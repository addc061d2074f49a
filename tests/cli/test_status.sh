#!/bin/sh
# askcred status: a table and a JSON array describing what the stack's
# modules hold, and never the token itself.
. "${top_srcdir:?}/tests/cli/lib.sh"

ASKUI_WORKSPACE_ID=$WS
ASKUI_TOKEN=StAtUs-SeCrEt-Token-77
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
# With the cache on (inside $TMP, see lib.sh) a fetch leaves an entry
# behind for status to describe, if the module keeps one.
write_stack "$STACK"

run get
is "$rc" 0 "a fetch before status succeeds"

run status
is "$rc" 0 "status exits 0"
head -n 1 "$TMP/out" | grep -q '^NAME  *WORKSPACE  *TOKEN-ID  *EXPIRES  *REMAINING  *FLAGS  *SOURCE  *SERIAL  *NOTE$'
ok $? "status prints the table header"
rows=$(($(wc -l <"$TMP/out") - 1))
if [ "$rows" -gt 0 ]; then
	sed 1d "$TMP/out" | grep -qF "$WS"
	ok $? "every listed entry names its workspace ($rows rows)"
	sed 1d "$TMP/out" | awk '{ if (NF < 9) exit 1 }'
	ok $? "every row has all nine columns"
else
	ok 0 "# SKIP the module keeps no entries to list"
	ok 0 "# SKIP the module keeps no entries to list"
fi
! contains "$TMP/out" "StAtUs-SeCrEt" && ! contains "$TMP/err" "StAtUs-SeCrEt"
ok $? "the table does not show the token"

run status --json
is "$rc" 0 "status --json exits 0"
"$PYTHON3" - "$TMP/out" "$WS" <<'PY'
import json, sys
entries = json.load(open(sys.argv[1]))
assert isinstance(entries, list), type(entries)
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
ok $? "status --json is an array of entries with the documented fields"
! contains "$TMP/out" "StAtUs-SeCrEt" && ! contains "$TMP/err" "StAtUs-SeCrEt"
ok $? "the JSON does not show the token"

run status extra
is "$rc" 64 "status with a stray argument is a usage error"
run status --format json
is "$rc" 64 "status rejects get's options"

done_testing
