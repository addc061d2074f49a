#!/bin/sh
# examples/python against the AskUI emulator: run_agent.py gets a token the
# mint source creates for the job through the ctypes binding, hands it to
# the agent through its environment only, and the binding's gc() sweeps
# the job's token once its process is gone.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"
python_env
. "$top_srcdir/tests/emulator/emulator.sh"
emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
RUN_AGENT="$top_srcdir/examples/python/run_agent.py"

emulator_parent_file "$TMP/parent.json"
args="source=mint parent_credentials=$TMP/parent.json"
args="$args api_url=https://127.0.0.1:$EMU_PORT_main/api/v1 ca_file=$EMU_CA"
args="$args cache_dir=$TMP/mcache timeout=20s lifetime=1h"
mkdir -m 700 "$TMP/mcache"
for op in fetch validate refresh revoke; do
	echo "$op required $PLUGIN $args"
done >"$TMP/stack"

cat >"$TMP/agent.sh" <<'AGENT'
#!/bin/sh
printf '%s\n' "$ASKUI_WORKSPACE_ID" >"$OUT/ws"
printf '%s' "$ASKUI_TOKEN" | wc -c | tr -d ' ' >"$OUT/len"
tr '\0' ' ' </proc/$$/cmdline >"$OUT/argv"
echo "agent done"
AGENT
chmod 700 "$TMP/agent.sh"
OUT=$TMP
export OUT

"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" --purpose py-job -- \
	"$TMP/agent.sh" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "run_agent.py runs the agent with a minted token"
is "$(cat "$TMP/ws")" "$EMU_WS" "the agent sees the emulator's workspace"
[ "$(cat "$TMP/len")" -gt 10 ]
ok $? "the agent sees a token in ASKUI_TOKEN"
creates=$(emulator_counter main create)
ok "$([ "$creates" -ge 1 ] && echo 0 || echo 1)" "the token was minted by the emulator ($creates create calls)"

# The binding itself: fetch, validate online, status, gc.
"$PYTHON3" - "$TMP/stack" >"$TMP/py.out" 2>"$TMP/py.err" <<'PY'
import sys
import askcred

with askcred.Stack(sys.argv[1]) as st:
    cred = st.fetch()
    print("source", cred.source)
    print("minted", bool(cred.flags & askcred.CRED_MINTED))
    st.validate(cred)
    print("valid")
    cred.release()
    names = [e.name for e in st.status()]
    print("status", len(names) > 0)
    swept = st.gc()
    print("gc", type(swept).__name__)
    toks = st.tokens()
    print("tokens parent", sum(bool(t.flags & askcred.TOKEN_PARENT) for t in toks))
    print("tokens minted", sum(t.host is not None for t in toks) > 0)
PY
is "$?" 0 "the binding fetches, validates, lists and collects"
grep -q "^source mint$" "$TMP/py.out" && grep -q "^minted True$" "$TMP/py.out"
ok $? "the binding sees a minted credential from the mint source"
grep -q "^tokens parent 1$" "$TMP/py.out" && grep -q "^tokens minted True$" "$TMP/py.out"
ok $? "the binding lists the workspace's tokens (ABI 1.2): the parent once, askcred's decoded"
sed 's/^/# /' "$TMP/py.err"

emulator_check_leaks "$TMP/out" "$TMP/err" "$TMP/py.out" \
	"$TMP/py.err" "$TMP/argv" "$EMU_DIR"/*.log
done_testing
