#!/bin/sh
# askcred gc is not fooled by a reused pid. A job token's name records the
# askcred process's pid and its start time (field 22 of /proc/PID/stat);
# when that askcred is SIGKILLed (no revocation) and a new process gets the
# same pid, gc sees another start time and deletes the dead job's token,
# while the token of a job that still runs is kept. Runs in a fresh pid
# namespace (unshare -p -f --mount-proc), where pids are small and the next
# one can be chosen (ns_last_pid) or reached by spawning.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/emulator/emulator.sh"

if ! command -v unshare >/dev/null 2>&1 ||
	! unshare -p -f --mount-proc true >/dev/null 2>&1; then
	echo "1..0 # SKIP unshare -p -f --mount-proc is not permitted here"
	exit 0
fi

emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
T=$TMP
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
emulator_parent_file "$T/parent.json"
(
	umask 077
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$T/cache/askcred timeout=20s"
	for op in fetch revoke; do
		echo "$op required $PLUGIN $args lifetime=1h"
	done >"$T/stack"
)
# tokens_named PATTERN: ids of the emulator's tokens whose name matches
# the Python regular expression PATTERN.
tokens_named() {
	emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, re, sys
for t in json.load(sys.stdin)["tokens"]:
    if re.search(sys.argv[1], t["name"]):
        print(t["id"], t["name"])' "$1"
}

# In the namespace (sh is pid 1): a killed job and a live one, the killed
# askcred's pid given to a new process, then gc. Everything it learns goes
# to files in $T; nothing it prints holds a token.
cat >"$T/ns.sh" <<'NS'
A="$ASKCRED --stack-file $T/stack"
wait_for() { i=0; while [ ! -s "$1" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; [ -s "$1" ]; }
$A exec --purpose victim -- sh -c 'echo $$ >"$1/victim.job"; exec sleep 300' sh "$T" \
	>/dev/null 2>"$T/victim.err" &
victim=$!
$A exec --purpose alive -- sh -c 'echo $$ >"$1/alive.job"; exec sleep 300' sh "$T" \
	>/dev/null 2>"$T/alive.err" &
alive=$!
wait_for "$T/victim.job" && wait_for "$T/alive.job" || { echo "jobs did not start" >"$T/ns.fail"; exit 1; }
echo "$victim" >"$T/victim.pid"
awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$victim/stat" >"$T/victim.start"
kill -KILL "$victim"
wait "$victim"
kill -KILL "$(cat "$T/victim.job")"
# The next pid is victim's: set it, or spawn (bounded) until it comes.
reused=
if echo $((victim - 1)) 2>/dev/null >/proc/sys/kernel/ns_last_pid; then
	sleep 300 &
	reused=$!
	echo ns_last_pid >"$T/how"
fi
n=0
while [ "$reused" != "$victim" ] && [ $n -lt 70000 ]; do
	[ -n "$reused" ] && kill "$reused" 2>/dev/null
	sleep 300 &
	reused=$!
	n=$((n + 1))
	echo "spawned $n" >"$T/how"
done
echo "$reused" >"$T/reused.pid"
awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$reused/stat" >"$T/reused.start"
$A gc --json >"$T/gc.out" 2>"$T/gc.err"
echo $? >"$T/gc.rc"
kill "$reused"
# Killed too, so that its token stays (no revocation) for the check.
kill -KILL "$alive"
wait "$alive"
kill -KILL "$(cat "$T/alive.job")"
wait
NS

ASKCRED=$ASKCRED T=$T timeout 300 unshare -p -f --mount-proc sh "$T/ns.sh" 2>"$T/ns.err"
[ ! -f "$T/ns.fail" ]
ok $? "in the pid namespace both jobs started"
sed 's/^/# /' "$T/victim.err" "$T/alive.err" "$T/ns.fail" 2>/dev/null
victim=$(cat "$T/victim.pid")
is "$(cat "$T/reused.pid")" "$victim" "a new process got the killed askcred's pid $victim ($(cat "$T/how"))"
[ "$(cat "$T/reused.start")" != "$(cat "$T/victim.start")" ]
ok $? "it started at another time (field 22: $(cat "$T/victim.start") then $(cat "$T/reused.start"))"

is "$(tokens_named "/job/$victim\.[0-9.]+/victim~" | wc -l)" 0 \
	"gc deleted the killed job's token although its pid is in use again"
contains "$T/gc.out" "/job/$victim.$(cat "$T/victim.start")." &&
	contains "$T/gc.out" "orphaned"
ok $? "gc says it deleted that token (its name holds pid, start time and pid namespace) as orphaned"
is "$(tokens_named '/job/[0-9]+\.[0-9]+\.[0-9]+/alive~' | wc -l)" 1 \
	"the token of the job still running at gc time is kept"
is "$(cat "$T/gc.rc")" 0 "gc succeeds"
sed 's/^/# /' "$T/gc.err"

# A gc in another pid namespace (a container sharing /tmp or the runtime
# dir) cannot see the pid of an askcred outside it. It must keep the
# runner config copies of a live askcred, in $XDG_RUNTIME_DIR and in
# $TMPDIR/askcred-*, and still remove them once that askcred is killed.
printf 'queue:\n  credentials:\n    access_token: x\n' >"$T/runner.yaml"
mkdir -m 700 "$T/run"
for where in run tmp; do
	case $where in run) xdg=$T/run ;; *) xdg=/nonexistent ;; esac
	rm -f "$T/$where.ready"
	XDG_RUNTIME_DIR=$xdg "$ASKCRED" --stack-file "$T/stack" exec \
		--purpose outside --runner-config "$T/runner.yaml" -- \
		sh -c 'echo $$ >"$1/$3.job"; echo "$2" >"$1/$3.path"; : >"$1/$3.ready"; exec sleep 300' \
		sh "$T" {} "$where" >/dev/null 2>"$T/$where.err" &
	echo $! >"$T/$where.askcred"
done
i=0
while { [ ! -f "$T/run.ready" ] || [ ! -f "$T/tmp.ready" ]; } && [ $i -lt 1200 ]; do
	sleep 0.05
	i=$((i + 1))
done
ns_gc() {
	XDG_RUNTIME_DIR=$T/run timeout 120 unshare -p -f --mount-proc \
		"$ASKCRED" --stack-file "$T/stack" gc --json >"$T/nsgc.out" 2>&1
}
ns_gc
run_copy=$(cat "$T/run.path")
tmp_copy=$(cat "$T/tmp.path")
[ -f "$run_copy" ] && [ -f "$tmp_copy" ]
ok $? "a gc in another pid namespace keeps the copies of a live askcred ($run_copy, $tmp_copy)"
is "$(stat -c %a "$(dirname "$tmp_copy")" 2>&1)" 700 "and its private /tmp directory"
is "$(tokens_named '/job/[0-9]+\.[0-9]+\.[0-9]+/outside~' | wc -l)" 2 \
	"and the tokens of that askcred's jobs"
for where in run tmp; do
	kill -KILL "$(cat "$T/$where.askcred")"
	wait "$(cat "$T/$where.askcred")" 2>/dev/null
done
ns_gc
[ ! -e "$run_copy" ] && [ ! -e "$tmp_copy" ] && [ ! -e "$(dirname "$tmp_copy")" ]
ok $? "once that askcred is killed, the same gc removes both copies and the directory"
contains "$T/nsgc.out" "$run_copy" && contains "$T/nsgc.out" "$tmp_copy"
ok $? "and lists them"
kill "$(cat "$T/run.job")" "$(cat "$T/tmp.job")" 2>/dev/null

emulator_check_leaks "$T/gc.err" "$EMU_DIR"/*.log
done_testing
