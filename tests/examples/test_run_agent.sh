#!/bin/sh
# examples/python/run_agent.py: the command it runs sees the demo
# credential in ASKUI_WORKSPACE_ID and ASKUI_TOKEN, and the token appears in
# no command line (neither the command's nor run_agent's) and no output.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"
python_env
RUN_AGENT="$top_srcdir/examples/python/run_agent.py"

demo_stack

# The "agent": records what it got, its own command line and that of its
# parent (run_agent.py), and prints a line of its own.
cat >"$TMP/agent.sh" <<'AGENT'
#!/bin/sh
printf '%s\n' "$ASKUI_WORKSPACE_ID" >"$OUT/ws"
printf '%s\n' "$ASKUI_TOKEN" >"$OUT/token"
tr '\0' ' ' </proc/$$/cmdline >"$OUT/argv"
tr '\0' ' ' </proc/$PPID/cmdline >"$OUT/parent-argv"
echo "agent ran with $#: $*"
exit "${AGENT_EXIT:-0}"
AGENT
chmod 700 "$TMP/agent.sh"
OUT=$TMP
export OUT

"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" --purpose test -- \
	"$TMP/agent.sh" one two >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "run_agent.py runs the agent and returns its status"
is "$(cat "$TMP/ws")" "$DEMO_WS" "the agent sees ASKUI_WORKSPACE_ID"
is "$(cat "$TMP/token")" "$DEMO_TOKEN" "the agent sees ASKUI_TOKEN"
contains "$TMP/out" "agent ran with 2: one two"
ok $? "the agent gets its own arguments unchanged"
! contains "$TMP/argv" "$DEMO_TOKEN"
ok $? "the token is not on the agent's command line"
contains "$TMP/parent-argv" run_agent.py && ! contains "$TMP/parent-argv" "$DEMO_TOKEN"
ok $? "the token is not on run_agent.py's command line"
! contains "$TMP/out" "$DEMO_TOKEN" && ! contains "$TMP/err" "$DEMO_TOKEN"
ok $? "the token appears in no output"
contains "$TMP/err" "workspace $DEMO_WS, token id -, expires never"
ok $? "run_agent.py reports workspace, token id and expiry"

AGENT_EXIT=7 "$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" -- \
	"$TMP/agent.sh" >/dev/null 2>&1
is "$?" 7 "a failing agent's exit status comes back"

"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" -- sh -c 'kill -TERM $$' \
	>/dev/null 2>&1
is "$?" 143 "an agent killed by SIGTERM gives 128+15"

# SIGTERM to run_agent.py reaches the agent, which reports it.
cat >"$TMP/sleeper.sh" <<'AGENT'
#!/bin/sh
trap 'echo got-term >"$OUT/term"; exit 0' TERM
echo ready >"$OUT/ready"
while :; do sleep 0.1; done
AGENT
chmod 700 "$TMP/sleeper.sh"
"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" -- "$TMP/sleeper.sh" \
	>/dev/null 2>&1 &
pid=$!
i=0
while [ ! -f "$TMP/ready" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "run_agent.py waits for the agent after forwarding SIGTERM"
is "$(cat "$TMP/term" 2>/dev/null)" got-term "SIGTERM is forwarded to the agent"

"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" -- "$TMP/no-such-agent" \
	>/dev/null 2>"$TMP/err"
is "$?" 127 "an agent that does not exist gives 127"
! contains "$TMP/err" "$DEMO_TOKEN"
ok $? "and the error does not show the token"

rm -f "$TMP/ws"
chmod 644 "$TMP/demo.json"
"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" -- "$TMP/agent.sh" \
	>"$TMP/out" 2>"$TMP/err"
is "$?" 1 "no credential: run_agent.py fails"
[ ! -f "$TMP/ws" ]
ok $? "and does not run the agent"
contains "$TMP/err" "run_agent: CONFIG_ERROR: "
ok $? "the error names the status"

"$PYTHON3" "$RUN_AGENT" --stack-file "$TMP/stack" >/dev/null 2>&1
is "$?" 2 "no command is a usage error"

done_testing
