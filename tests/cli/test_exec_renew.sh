#!/bin/sh
# askcred exec --renew on the AskUI emulator, with tokens of 12 s to 1 min:
# the command sees new tokens halfway through each one's life (restart:
# started again; signal:HUP: the runner config copy rewritten in place),
# each old token is deleted in AskUI once its successor is handed over
# (restart) or --overlap later (signal), none is left afterwards, however
# the supervision ends. --on-renew none only warns; the command ending on
# its own ends the supervision with its status, a restart is not such an
# end; a command that ignores the stop signal is killed after
# --stop-timeout; the signal askcred sends (HUP, the stop signal) reaches a
# command even when askcred was started with it ignored (nohup); an AskUI
# outage leaves the command on its token and is reported with its cause;
# gc finds every token of a SIGKILLed askcred.
#
# The runs overlap in time (each has its own purpose, so its own tokens)
# to keep the test short; it takes about 140 s, most of it waiting for
# the 1-minute tokens. Bounds on waits are generous (minutes): a slow
# machine takes longer, it does not fail; timings are printed as
# diagnostics only.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"

stack stack ""
STACK=$T/stack
START=$(date +%s)

# exec_bg NAME ARGS...: askcred exec in the background; its pid in
# $T/NAME.apid, output in $T/NAME.out and .err.
exec_bg() {
	_n=$1
	shift
	"$ASKCRED" --stack-file "$STACK" exec "$@" >"$T/$_n.out" 2>"$T/$_n.err" &
	echo $! >"$T/$_n.apid"
}
# distinct FILE: how many different lines FILE has (0 when missing).
distinct() {
	if [ -f "$1" ]; then sort -u "$1" | wc -l | tr -d ' '; else echo 0; fi
}
# wait_until SECONDS COMMAND...: poll until COMMAND succeeds; 1 on timeout.
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}
has_n() { [ "$(distinct "$1")" -ge "$2" ]; }
says() { grep -q "$2" "$1" 2>/dev/null; }
# ended NAME: that askcred has exited (gone, or a zombie not yet reaped).
ended() {
	_st=$(awk '{ print $3 }' "/proc/$(cat "$T/$1.apid")/stat" 2>/dev/null)
	[ -z "$_st" ] || [ "$_st" = Z ]
}
# finish NAME: wait for that askcred; its status in rc.
finish() {
	wait "$(cat "$T/$1.apid")"
	rc=$?
}
# tokens PURPOSE: "<made> <left> <lag>" for the tokens of that purpose:
# how many were minted, how many AskUI still holds, and the longest time
# a token lived on after its successor was created (inf: never deleted).
tokens() {
	emulator_ctl main GET tokens >"$T/tokens.json"
	emulator_ctl main GET deleted >"$T/deleted.json"
	"$PYTHON3" - "$1" "$T/tokens.json" "$T/deleted.json" <<'EOF'
import json, sys
from datetime import datetime

def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

def mine(path):
    return [x for x in json.load(open(path))["tokens"]
            if x["name"].split("~")[0].endswith("/" + sys.argv[1])]

live, gone = mine(sys.argv[2]), mine(sys.argv[3])
every = sorted(live + gone, key=lambda x: t(x["createdAt"]))
lag = 0.0
for a, b in zip(every, every[1:]):
    if "deletedAt" not in a:
        lag = float("inf")
        break
    lag = max(lag, t(a["deletedAt"]) - t(b["createdAt"]))
print(len(every), len(live), "%.1f" % lag)
EOF
}
# left_is PURPOSE N: AskUI holds N tokens of that purpose.
left_is() {
	set -- "$2" $(tokens "$1")
	[ "$1" = "$3" ]
}
# lag_ok LAG BOUND: LAG (a decimal, or inf) is at most BOUND seconds.
lag_ok() {
	"$PYTHON3" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2"
}
# The child records a fingerprint of its token, never the token.
fp='printf %s "$ASKUI_TOKEN" | sha256sum | cut -c1-16'

# Usage errors come before anything is fetched.
run exec --on-renew none -- true
is "$rc" 64 "--on-renew without --renew is a usage error"
run exec --renew --on-renew signal:HUP -- true
is "$rc" 64 "--on-renew signal:HUP without --runner-config is a usage error"
grep -q "environment cannot change" "$T/err"
ok $? "which says why: a running command's environment cannot change"
run exec --renew --on-renew reboot -- true
is "$rc" 64 "an unknown --on-renew mode is a usage error"
run exec --renew --stop-signal NOPE -- true
is "$rc" 64 "an unknown --stop-signal is a usage error"
is "$(emulator_counter main create)" 0 "no token was minted for a usage error"

# 1. restart (the default), 1-minute tokens: the runner is started again
# with each new token; SIGTERM to askcred reaches it at the end (exit 7).
exec_bg restart --renew --purpose restart --lifetime 1m --min-validity 10s \
	-- sh -c "trap 'exit 7' TERM; $fp >>\"\$1/restart.seen\"
	while :; do sleep 0.1; done" sh "$T"

# 2. signal:HUP, 40 s tokens, --overlap 3s: the config copy is rewritten
# at the same path and the (same) process reads the new token after HUP.
# askcred is started with SIGHUP ignored, as under nohup: the command
# still gets HUP at its default action, or the shell below could not
# trap it (a signal ignored at a shell's start stays ignored) and no
# renewal would reach it.
printf 'queue:\n  credentials:\n    access_token: x\nrunner:\n  id: r1\n' >"$T/runner.yaml"
RELOAD='p=$1 t=$2
echo $$ >>"$t/reload.pids"
grep -c "access_token: \"$ASKUI_TOKEN\"" "$p" >"$t/reload.start"
trap '\''grep access_token "$p" | sha256sum | cut -c1-16 >>"$t/reload.seen"
grep -c "\"$ASKUI_TOKEN\"" "$p" >>"$t/reload.envtoken"
stat -c %a "$p" >>"$t/reload.mode"; echo "$p" >>"$t/reload.path"'\'' HUP
grep access_token "$p" | sha256sum | cut -c1-16 >>"$t/reload.seen"
echo "$p" >>"$t/reload.path"
while :; do sleep 0.1; done'
trap '' HUP
exec_bg reload --renew --on-renew signal:HUP --overlap 3s --purpose reload \
	--lifetime 40s --min-validity 5s --runner-config "$T/runner.yaml" \
	-- sh -c "$RELOAD" sh {} "$T"
trap - HUP

# 3. none, 12 s tokens: a warning before expiry, one when expired.
exec_bg none --renew --on-renew none --purpose none --lifetime 12s \
	--min-validity 2s -- sh -c 'while :; do sleep 0.1; done'

# 4. The command ends on its own after one restart: its status (5), not
# that of the restart's stop (9).
exec_bg own --renew --purpose own --lifetime 12s --min-validity 2s \
	-- sh -c 'echo start >>"$1/own.starts"
	[ "$(wc -l <"$1/own.starts")" -ge 2 ] && { sleep 0.5; exit 5; }
	trap "exit 9" TERM; while :; do sleep 0.1; done' sh "$T"

# 5. The command ignores SIGTERM: the restart kills it after 1 s.
exec_bg stubborn --renew --purpose stubborn --lifetime 12s --min-validity 2s \
	--stop-timeout 1s -- sh -c 'trap "" TERM; echo $$ >>"$1/stubborn.starts"
	while :; do sleep 0.1; done' sh "$T"

# 5b. askcred started with SIGTERM ignored: the command still gets the
# stop signal at its default action, so its own trap runs and it stops
# at once, not after --stop-timeout (60 s) and a SIGKILL.
trap '' TERM
exec_bg termign --renew --purpose termign --lifetime 12s --min-validity 2s \
	--stop-timeout 60s -- sh -c 'trap "echo stop >>\"\$1/termign.stops\"; exit 0" TERM
	echo $$ >>"$1/termign.starts"; while :; do sleep 0.1; done' sh "$T"
trap - TERM

# --- 4: ends on its own
finish own
is "$rc" 5 "the command ending on its own ends the supervision with its status"
is "$(wc -l <"$T/own.starts" | tr -d ' ')" 2 "the restart started it again"
set -- $(tokens own)
is "$1 $2" "2 0" "own exit: two tokens minted, none left in AskUI"

# --- 5: SIGKILL after --stop-timeout
wait_until 300 has_n "$T/stubborn.starts" 2
ok $? "a command ignoring SIGTERM is started again after a restart"
grep -q "did not stop within 1s of SIGTERM; killing it (SIGKILL)" "$T/stubborn.err"
ok $? "after --stop-timeout it is killed, and askcred says so"
kill -USR1 "$(cat "$T/stubborn.apid")"
finish stubborn
is "$rc" 138 "SIGUSR1 to askcred ends it (128+10)"
set -- $(tokens stubborn)
is "$2" 0 "stop-timeout: no token left in AskUI ($1 minted)"

# --- 5b: the stop signal reaches a command askcred started with it ignored
wait_until 300 has_n "$T/termign.starts" 2
ok $? "askcred started with SIGTERM ignored: the command is started again after a restart"
[ "$(wc -l <"$T/termign.stops" 2>/dev/null || echo 0)" -ge 1 ]
ok $? "its own TERM trap ran for the restart (the signal was not left ignored)"
grep -q "did not stop within" "$T/termign.err"
is $? 1 "it stopped on the signal, without --stop-timeout and SIGKILL"
# Bounded: with the stop signal left ignored, askcred is nearly always
# inside a 60 s stop, where SIGUSR1 only ends the command being stopped
# and a new one starts, so the test would wait for ever.
kill -USR1 "$(cat "$T/termign.apid")"
wait_until 120 ended termign
st=$?
ok $st "SIGUSR1 to askcred ends the supervision"
[ $st -eq 0 ] || kill -KILL "$(cat "$T/termign.apid")"
finish termign
is "$rc" 138 "with the command's status (128+10)"
set -- $(tokens termign)
is "$2" 0 "no token left in AskUI ($1 minted)"

# --- 3: none
wait_until 300 says "$T/none.err" "has expired"
ok $? "--on-renew none: askcred says when the token has expired"
grep -q "not renewed (--on-renew none); it expires at" "$T/none.err"
ok $? "and warned before that"
set -- $(tokens none)
is "$1" 1 "--on-renew none mints no second token"
kill -TERM "$(cat "$T/none.apid")"
finish none
is "$rc" 143 "--on-renew none: SIGTERM ends the command (143)"
set -- $(tokens none)
is "$2" 0 "--on-renew none: its token is deleted afterwards"

# --- 2: signal:HUP
wait_until 300 has_n "$T/reload.seen" 3
st=$?
ok $st "signal:HUP: the command read three different tokens from its config (askcred started with SIGHUP ignored)"
[ $st -eq 0 ] || sed 's/^/# askcred: /' "$T/reload.err"
is "$(distinct "$T/reload.pids")" 1 "signal:HUP: the command was never restarted"
is "$(cat "$T/reload.start")" 1 "at start the copy holds the token of its environment"
is "$(sort -u "$T/reload.envtoken")" 0 "after HUP the copy holds a new token, not the environment's"
is "$(sort -u "$T/reload.mode")" 600 "the rewritten copy is mode 0600"
is "$(distinct "$T/reload.path")" 1 "the copy keeps its path"
p=$(head -n 1 "$T/reload.path")
is "$(ls "$(dirname "$p")" | grep -c askcred-runner)" 1 "no temporary file is left beside it"
kill -TERM "$(cat "$T/reload.apid")"
finish reload
is "$rc" 143 "signal:HUP: SIGTERM ends the command (143)"
[ ! -e "$p" ]
ok $? "signal:HUP: the copy is removed at the end"
set -- $(tokens reload)
is "$2" 0 "signal:HUP: no token left in AskUI ($1 minted)"
lag_ok "$3" 13
ok $? "signal:HUP: no token outlived its successor by more than --overlap 3s (+10s slack; longest $3 s)"

# --- 1: restart with 1-minute tokens
wait_until 400 has_n "$T/restart.seen" 4
ok $? "restart: the command saw four different tokens"
# The old token goes right after the new command started: maybe just
# after the command wrote down its token.
wait_until 60 left_is restart 1
ok $? "restart: AskUI holds only the token in use"
kill -TERM "$(cat "$T/restart.apid")"
finish restart
is "$rc" 7 "restart: SIGTERM to askcred reached the command (it exits 7)"
set -- $(tokens restart)
is "$2" 0 "restart: no token left in AskUI ($1 minted)"
lag_ok "$3" 10
ok $? "restart: each token was deleted once its successor ran (+10s slack; longest $3 s)"
echo "# the concurrent runs took $(($(date +%s) - START)) s"

# 6. AskUI down at renewal: the command keeps its token; the cause is
# said; the next token comes once AskUI is back.
exec_bg down --renew --purpose down --lifetime 16s --min-validity 2s \
	-- sh -c "$fp >>\"\$1/down.seen\"; while :; do sleep 0.1; done" sh "$T"
wait_until 300 has_n "$T/down.seen" 1 || bail "the command did not start"
emulator_ctl main POST fault '{"mode": "status", "status": 503, "only": "create", "count": 100000}' >/dev/null
wait_until 300 says "$T/down.err" "cannot renew the job's token"
ok $? "AskUI down: askcred says it cannot renew"
grep "cannot renew" "$T/down.err" | head -n 1 | grep -q "503"
ok $? "with the real cause (HTTP 503)"
grep -q "keeps its token\|keeps running on its expired token" "$T/down.err"
ok $? "and that the command keeps its token"
is "$(distinct "$T/down.seen")" 1 "the command was not restarted without a new token"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
wait_until 300 has_n "$T/down.seen" 2
ok $? "once AskUI is back, the command gets a new token"
kill -TERM "$(cat "$T/down.apid")"
finish down
set -- $(tokens down)
is "$2" 0 "after the outage no token is left ($1 minted)"

# 7. askcred SIGKILLed after a renewal, with the old token still in its
# overlap: gc finds both tokens, named for the dead askcred.
exec_bg lost --renew --on-renew signal:HUP --overlap 10m --purpose lost \
	--lifetime 40s --min-validity 2s --runner-config "$T/runner.yaml" \
	-- sh -c 'trap "echo hup >>\"\$2/lost.hups\"" HUP; echo $$ >"$2/lost.pid"
	while :; do sleep 0.1; done' sh {} "$T"
wait_until 300 has_n "$T/lost.hups" 1
ok $? "signal:HUP with a long overlap: a renewal happened"
kill -KILL "$(cat "$T/lost.apid")"
finish lost
kill "$(cat "$T/lost.pid")" 2>/dev/null
set -- $(tokens lost)
is "$2" 2 "askcred SIGKILLed: both tokens are left in AskUI"
run gc --json
is "$rc" 0 "gc exits 0"
set -- $(tokens lost)
is "$2" 0 "gc deletes every token the killed askcred minted"

emulator_check_leaks "$T"/*.out "$T"/*.err "$EMU_DIR"/*.log
echo "# total $(($(date +%s) - START)) s"
done_testing
