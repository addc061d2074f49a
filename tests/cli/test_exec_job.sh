#!/bin/sh
# askcred exec with per-job tokens, on the AskUI emulator: each job gets a
# freshly minted token that is deleted in AskUI when the job ends, whether
# it exits 0, exits non-zero, is killed, or outlives askcred's own
# SIGTERM; a revocation AskUI refuses is one line, keeps the job's exit
# status, and shows as pending. --runner-config hands the job a private
# copy of the runner config holding the token, gone afterwards.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/emulator/emulator.sh"

emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
T=$TMP
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
(
	umask 077
	printf '{"workspace_id": "%s", "token": "%s"}\n' "$EMU_WS" \
		"$(cat "$EMU_DIR/parent.token")" >"$T/parent.json"
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$T/cache/askcred timeout=20s"
	for op in fetch revoke; do
		echo "$op required $PLUGIN $args lifetime=1h"
	done >"$T/stack"
)
counter() {
	emulator_ctl main GET counters |
		"$PYTHON3" -c "import json,sys; print(json.load(sys.stdin)['calls'].get('$1', 0))"
}
# The job proves it holds a token without printing it.
JOB='[ -n "$ASKUI_TOKEN" ] && [ "$ASKUI_WORKSPACE_ID" = "$1" ] && echo has >"$2/has"'

emulator_ctl main POST reset '{}' >/dev/null
for status in 0 3; do
	rm -f "$T/has"
	c0=$(counter create) d0=$(counter delete)
	run exec --purpose "job $status" -- sh -c "$JOB; exit $status" sh "$EMU_WS" "$T"
	is "$rc" "$status" "exec returns the job's exit status $status"
	[ -f "$T/has" ]
	ok $? "job exiting $status: the job had the token in its environment"
	is "$(counter create)" $((c0 + 1)) "job exiting $status: a token was minted for it"
	is "$(counter delete)" $((d0 + 1)) "job exiting $status: its token was deleted in AskUI afterwards"
done

# --json: the job's own output first, then one line saying how it ended.
run exec --json -- sh -c 'echo from-the-job; exit 4'
is "$rc" 4 "exec --json keeps the job's exit status"
is "$(head -n 1 "$T/out")" from-the-job "exec --json: the job's output comes first, untouched"
tail -n 1 "$T/out" | "$PYTHON3" -c 'import json,sys; e=json.load(sys.stdin)["exec"]; sys.exit(0 if (e["exit"], e["tokens_revoked"], e["revocations_pending"]) == (4, 1, 0) else 1)'
ok $? "exec --json: the last line is {exec: exit 4, 1 token revoked, 0 pending}"

d0=$(counter delete)
run exec -- sh -c 'kill -KILL $$'
is "$rc" 137 "a job killed by SIGKILL gives 137"
is "$(counter delete)" $((d0 + 1)) "killed job: its token was deleted"

# askcred gets SIGTERM; the job traps it, takes its time and exits 7.
d0=$(counter delete)
rm -f "$T/ready" "$T/got"
"$ASKCRED" --stack-file "$T/stack" exec -- sh -c '
	trap "echo term >\"$1/got\"; sleep 0.3; exit 7" TERM
	: >"$1/ready"
	while :; do sleep 0.05; done' sh "$T" >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ ! -f "$T/ready" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
rc=$?
is "$rc" 7 "the job outliving askcred's SIGTERM: its exit status comes back"
[ -f "$T/got" ]
ok $? "askcred forwarded SIGTERM to the job"
is "$(counter delete)" $((d0 + 1)) "the job outliving SIGTERM: its token was deleted after it ended"

# SIGINT to askcred: the job dies of it, 130, token deleted.
d0=$(counter delete)
rm -f "$T/ready"
# A shell starts background jobs with SIGINT ignored: undo that first.
"$PYTHON3" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ASKCRED" --stack-file "$T/stack" \
	exec -- sh -c ': >"$1/ready"; exec sleep 30' sh "$T" >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ ! -f "$T/ready" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.1
kill -INT "$pid"
wait "$pid"
is $? 130 "SIGINT to askcred ends the job: 130"
is "$(counter delete)" $((d0 + 1)) "SIGINT: the job's token was deleted"

# AskUI refuses the revocation (the job turns the fault on before it ends).
CTL="'$PYTHON3' '$top_srcdir/tests/emulator/emuctl.py' '$EMU_CA' 127.0.0.1 $EMU_PORT_main"
run exec -- sh -c "$CTL POST fault '{\"mode\": \"status\", \"status\": 503, \"count\": 100}' >/dev/null; exit 5"
is "$rc" 5 "a failed revocation leaves the job's exit status alone"
is "$(grep -c "^askcred: " "$T/err")" 1 "and is reported in one line (besides the retry notices)"
grep -q "cannot revoke the job's token.*askcred gc" "$T/err"
ok $? "which says what failed and what to do next"
cp "$T/err" "$T/revoke.err"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
run status --json
grep -q "pending-revoke" "$T/out"
ok $? "status --json lists the pending revocation"
grep -q "pending-revoke" "$T/out" || sed 's/^/# revoke said: /' "$T/revoke.err"
run status
grep -q "pending-revoke" "$T/out"
ok $? "the status table lists it too"
d0=$(counter delete)
run gc --json
is "$rc" 0 "gc succeeds once AskUI is back"
is "$(counter delete)" $((d0 + 1)) "gc retried the pending revocation"
run status --json
! grep -q "pending-revoke" "$T/out"
ok $? "nothing is pending after gc"

# --json when AskUI refuses the revocation: it is counted as pending.
run exec --json -- sh -c "$CTL POST fault '{\"mode\": \"status\", \"status\": 503, \"count\": 100}' >/dev/null; exit 0"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
tail -n 1 "$T/out" | "$PYTHON3" -c 'import json,sys; e=json.load(sys.stdin)["exec"]; sys.exit(0 if (e["exit"], e["tokens_revoked"], e["revocations_pending"]) == (0, 0, 1) else 1)'
ok $? "exec --json: a refused revocation is reported as 1 pending, 0 revoked"
run gc
is "$rc" 0 "gc delivers that pending revocation"

# askcred itself SIGKILLed: nothing can revoke then, so gc sweeps the
# job's token once the process that minted it is gone.
# It had a runner config copy, which gc removes too.
printf 'queue:\n  credentials:\n    access_token: x\n' >"$T/lost.yaml"
rm -f "$T/ready"
"$ASKCRED" --stack-file "$T/stack" exec --purpose lost \
	--runner-config "$T/lost.yaml" -- \
	sh -c 'echo $$ >"$1/jobpid"; echo "$2" >"$1/path"; : >"$1/ready"; exec sleep 30' \
	sh "$T" {} >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -f "$T/ready" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
d0=$(counter delete)
kill -KILL "$pid"
wait "$pid" 2>/dev/null
kill "$(cat "$T/jobpid")" 2>/dev/null
is "$(counter delete)" "$d0" "askcred SIGKILLed: its job's token is left behind"
p=$(cat "$T/path")
[ -f "$p" ]
ok $? "and so is its runner config copy"
run gc --json
is "$rc" 0 "gc exits 0"
is "$(counter delete)" $((d0 + 1)) "gc deletes the token whose askcred is gone"
grep -q "orphaned" "$T/out"
ok $? "gc --json lists it as orphaned"
[ ! -e "$p" ]
ok $? "gc removes the runner config copy of the dead askcred"
grep -q "runner-config" "$T/out"
ok $? "and lists that too"
run gc
is "$(grep -c orphaned "$T/out")" 0 "a second gc finds nothing left"

# --runner-config: YAML, in $XDG_RUNTIME_DIR, private, token in place.
printf 'queue:\n  api_url: https://q.example/\n  credentials:\n    access_token: old\nrunner:\n  id: r1\n' >"$T/runner.yaml"
chmod 644 "$T/runner.yaml"
# The job checks the copy itself and leaves only verdicts behind.
RJOB='p=$1 t=$2
echo "$p" >"$t/path"
stat -c %a "$p" >"$t/mode"
stat -c %a "$(dirname "$p")" >"$t/dirmode"
grep -c "^    access_token: \"$ASKUI_TOKEN\"\$" "$p" >"$t/match"
grep -c "old" "$p" >"$t/old"
grep -c "api_url: https://q.example/\|id: r1" "$p" >"$t/kept"'
run exec --runner-config "$T/runner.yaml" -- sh -c "$RJOB" sh {} "$T"
is "$rc" 0 "exec --runner-config runs the job"
p=$(cat "$T/path")
case $p in "$T/run/"*.yaml) r=0 ;; *) r=1 ;; esac
ok $r "the copy is in \$XDG_RUNTIME_DIR, with the .yaml ending ({} replaced)"
is "$(cat "$T/mode")" 600 "the copy is mode 0600 while it exists"
is "$(cat "$T/match")" 1 "the copy holds the job's token as queue.credentials.access_token"
is "$(cat "$T/old")" 0 "the old token is gone from the copy"
is "$(cat "$T/kept")" 2 "the rest of the config is kept"
[ ! -e "$p" ]
ok $? "the copy is removed when the job exits"

# JSON: the same, through a JSON library; the copy keeps the .json ending.
printf '{"queue": {"api_url": "https://q.example/"}, "runner": {"id": "r1"}}\n' >"$T/runner.json"
run exec --runner-config "$T/runner.json" -- sh -c '
	echo "$1" >"$2/path"
	"$3" -c "import json, os, sys
c = json.load(open(sys.argv[1]))
ok = (c[\"queue\"][\"credentials\"][\"access_token\"] == os.environ[\"ASKUI_TOKEN\"]
      and c[\"queue\"][\"api_url\"] == \"https://q.example/\" and c[\"runner\"] == {\"id\": \"r1\"})
print(\"same\" if ok else \"differ\")" "$1" >"$2/json"' sh {} "$T" "$PYTHON3"
is "$rc" 0 "exec --runner-config with a JSON config runs the job"
is "$(cat "$T/json")" same "the JSON copy holds the token and keeps the rest"
case $(cat "$T/path") in *.json) r=0 ;; *) r=1 ;; esac
ok $r "the JSON copy keeps the .json ending"
[ ! -e "$(cat "$T/path")" ]
ok $? "and is removed afterwards"

# No usable $XDG_RUNTIME_DIR: a fresh private directory under $TMPDIR
# (lib.sh gives each test its own), or /tmp without one.
TMPDIR= XDG_RUNTIME_DIR=/nonexistent run exec --runner-config "$T/runner.yaml" -- \
	sh -c "$RJOB" sh {} "$T"
is "$rc" 0 "a runner config job without \$TMPDIR runs"
case $(cat "$T/path") in /tmp/askcred-*/*.yaml) r=0 ;; *) r=1 ;; esac
ok $r "without \$XDG_RUNTIME_DIR and \$TMPDIR the copy goes to a new /tmp/askcred-* directory"
XDG_RUNTIME_DIR=/nonexistent run exec --runner-config "$T/runner.yaml" -- \
	sh -c "$RJOB; kill -KILL \$\$" sh {} "$T"
is "$rc" 137 "runner config job killed: 137"
p=$(cat "$T/path")
case $p in "$TMPDIR"/askcred-*/*.yaml) r=0 ;; *) r=1 ;; esac
ok $r "with \$TMPDIR set the copy goes to a new \$TMPDIR/askcred-* directory"
is "$(cat "$T/dirmode")" 700 "that directory is mode 0700"
[ ! -e "$p" ] && [ ! -e "$(dirname "$p")" ]
ok $? "the copy and its directory are removed, though the job was killed"

# A config the line edit cannot handle: refused before the job runs.
printf 'queue: {credentials: {access_token: x}}\n' >"$T/flow.yaml"
d0=$(counter delete)
rm -f "$T/ran"
run exec --runner-config "$T/flow.yaml" -- sh -c ': >"$1/ran"' sh {} "$T"
is "$rc" 65 "a flow-style runner config is a config error (65)"
grep -q "flow.yaml:1.*\|flow style.*flow.yaml:1" "$T/err"
ok $? "the error names file and line"
[ ! -e "$T/ran" ]
ok $? "the job does not run"
is "$(counter delete)" $((d0 + 1)) "the token minted for it is revoked anyway"
ls "$T/run" >"$T/left"
is "$(cat "$T/left")" "" "no runner config copy is left behind"

run exec --runner-config "$T/runner.yaml" -- true
is "$rc" 64 "--runner-config without {} in the command is a usage error"

# No token in anything printed or logged.
emulator_check_leaks "$T/out" "$T/err" "$EMU_DIR"/*.log
done_testing
