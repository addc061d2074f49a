#!/bin/sh
# metrics_file= (issue 14): separate askcred processes against the AskUI
# emulator add up their counts in the state file beside the cache, and the
# Prometheus file they render has exactly what happened: mints, cache hits
# and misses, a refresh, a policy refusal, a stale serve. promtool accepts
# it; a damaged state file and a symlink at metrics_file are warnings that
# never fail the fetch; 20 processes at once lose no count.
. "$top_srcdir/tests/emulator/emulator.sh"
. "$top_srcdir/tests/lib.sh"

ASKCRED="$top_builddir/cli/askcred"
PLUGIN="$top_builddir/plugin/.libs/askcred_askui.so"
TAP_FAIL_HOOK='[ ! -s "$T/err" ] || sed -n "1,3s/^/# /p" "$T/err"'

emulator_setup || bail "emulator setup"
emulator_start main good || bail "emulator start"
T=$EMU_DIR/t
mkdir -m 700 "$T" "$T/home" "$T/cache" "$T/prom"
HOME=$T/home XDG_CACHE_HOME=$T/cache
export HOME XDG_CACHE_HOME
unset ASKCRED_STACK ASKUI_WORKSPACE_ID ASKUI_TOKEN
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
CACHE=$T/cache/askcred
PROM=$T/prom/askcred.prom
emulator_parent_file "$T/parent.json"

# stack NAME EXTRA-ARGS: every operation through one mint instance that
# writes $PROM (unless EXTRA-ARGS names another metrics_file).
stack() {
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$CACHE timeout=20s $2"
	case $2 in *metrics_file=*) ;; *) args="$args metrics_file=$PROM" ;; esac
	for op in fetch validate refresh revoke; do
		echo "$op required $PLUGIN $args"
	done >"$T/$1"
}
ac() { # ac STACK ARGS...: run askcred, stdout to $T/out, stderr to $T/err
	s=$1
	shift
	"$ASKCRED" --stack-file "$T/$s" "$@" >"$T/out" 2>"$T/err"
}
# metric SAMPLE [FILE]: the value of one sample line of the file ("" if
# absent), e.g. metric 'askcred_refusals_total{reason="workspace"}'.
metric() {
	awk -v k="$1" '$1 == k { print $2 }' "${2:-$PROM}"
}
# counts: the five event counters, one line.
counts() {
	for c in mints refreshes cache_hits cache_misses stale_serves; do
		printf '%s=%s ' "$c" "$(metric "askcred_${c}_total")"
	done
}

stack m "lifetime=1h stale_budget=1h"
emulator_ctl main POST reset '{}' >/dev/null

ac m get --format json
ok $? "get with metrics_file mints a token"
is "$(counts)" "mints=1 refreshes=0 cache_hits=0 cache_misses=1 stale_serves=0 " \
	"one mint, one miss, written at once"
ok "$([ -f "$PROM" ] && [ ! -L "$PROM" ] && echo 0 || echo 1)" \
	"the .prom file is a plain file"
is "$(stat -c %a "$PROM")" 644 "mode 0644: node_exporter may read it"
ok "$([ "$(metric askcred_last_askui_success_timestamp_seconds)" -ge \
	"$(($(date +%s) - 600))" ] && echo 0 || echo 1)" \
	"the last successful AskUI call is now"

for i in 1 2 3; do
	ac m get --format json || break
done
ok $? "three more processes get the cached token"
is "$(counts)" "mints=1 refreshes=0 cache_hits=3 cache_misses=1 stale_serves=0 " \
	"counts add up across processes: three cache hits"

ac m refresh
ok $? "askcred refresh"
is "$(metric askcred_refreshes_total)" 1 "counted as one refresh"
is "$(emulator_counter main create)" 2 "the emulator saw two mints: the first and the refresh"

cat >"$T/policy.json" <<POL
{"schema_version": 1, "serial": 1, "max_age": "30d",
 "rules": {"workspaces": ["00000000-0000-4000-8000-000000000000"]}}
POL
chmod 600 "$T/policy.json"
stack deny "lifetime=1h policy=$T/policy.json policy_state_dir=$T/pstate"
ac deny get --format json
is $? 67 "a workspace the policy does not allow is refused (exit 67)"
is "$(metric 'askcred_refusals_total{reason="workspace"}')" 1 \
	"the refused request is counted once, under its reason code"

# A stale serve: the first token of entry grace lives 10 minutes (inside
# its mandatory window), then AskUI answers 503.
stack grace "lifetime=1h stale_budget=1h entry=grace"
emulator_ctl main POST fault '{"mode": "answer", "only": "create", "expires_in": 600, "count": 1}' >/dev/null
ac grace get --format json
ok $? "entry grace gets a short-lived first token"
emulator_ctl main POST fault '{"mode": "status", "status": 503, "count": 1000}' >/dev/null
ac grace get --format json
ok $? "AskUI down: the cached token is served stale"
grep -q '"stale": *true' "$T/out"
ok $? "flagged stale"
emulator_ctl main POST fault '{"mode": "none"}' >/dev/null
is "$(counts)" "mints=2 refreshes=1 cache_hits=3 cache_misses=2 stale_serves=1 " \
	"after the sequence: every counter exactly as expected"
is "$(metric askcred_pending_revocations)" 1 \
	"one revocation pending: the token the refresh rotated out"
ws=$(awk -F'"' '/"workspace_id"/ { print $4; exit }' "$T/parent.json")
left=$(metric "askcred_token_expiry_seconds{workspace=\"$ws\",entry=\"default\"}")
ok "$([ -n "$left" ] && [ "$left" -gt 3000 ] && [ "$left" -le 3600 ] && echo 0 || echo 1)" \
	"seconds until the default entry's token expires: about an hour ($left)"
left=$(metric "askcred_token_expiry_seconds{workspace=\"$ws\",entry=\"grace\"}")
ok "$([ -n "$left" ] && [ "$left" -gt 0 ] && [ "$left" -le 600 ] && echo 0 || echo 1)" \
	"and the grace entry's: at most 10 minutes ($left)"
grep -q '^# HELP askcred_cache_hits_total ' "$PROM" &&
	grep -q '^# TYPE askcred_cache_hits_total counter$' "$PROM" &&
	grep -q '^# TYPE askcred_pending_revocations gauge$' "$PROM"
ok $? "HELP and TYPE lines"
emulator_ctl main GET issued | "$PYTHON3" -c '
import json, sys
text = open(sys.argv[1]).read()
sys.exit(any(t in text for t in json.load(sys.stdin)["tokens"]))' "$PROM"
ok $? "no token in the .prom file"
grep -q 'token_id\|askcred/' "$PROM"
ok $((! $?)) "no token id or token name in its labels"

# build.sh sets PROMTOOL when it unpacked promtool into _tools/.
PROMTOOL=${PROMTOOL:-promtool}
if command -v "$PROMTOOL" >/dev/null 2>&1; then
	"$PROMTOOL" check metrics <"$PROM" >"$T/promtool" 2>&1
	ok $? "promtool check metrics accepts the file"
	[ -s "$T/promtool" ] && sed 's/^/# promtool: /' "$T/promtool"
else
	skip "promtool check metrics" "promtool is not installed (Debian package prometheus)"
fi

# 20 processes at once: each count lands (a process that cannot get the
# lock in time leaves a spool file that the next write adds in).
hits=$(metric askcred_cache_hits_total)
i=0 pids=
while [ $i -lt 20 ]; do
	"$ASKCRED" --stack-file "$T/m" get --format json >/dev/null 2>"$T/err.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare wait: the emulator is a child of this shell too.
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
is "$fails" 0 "20 parallel gets succeed"
ac m get --format json
ok $? "one more get after the 20 parallel ones"
is "$(metric askcred_cache_hits_total)" $((hits + 21)) "21 cache hits more: none lost"
ls "$CACHE/metrics" | grep -q '^spool-'
ok $((! $?)) "no spool file left behind"

# A process that cannot get the lock in time (another holds it) leaves
# its counts in a spool file, and the next writer adds them in.
if command -v flock >/dev/null 2>&1; then
	hits=$(metric askcred_cache_hits_total)
	flock "$CACHE/metrics/lock" sh -c \
		": >'$T/held'; while [ ! -e '$T/release' ]; do sleep 0.1; done" &
	holder=$!
	while [ ! -e "$T/held" ] && kill -0 "$holder" 2>/dev/null; do
		sleep 0.1
	done
	ac m get --format json
	ok $? "a get while the metrics lock is held elsewhere still succeeds"
	ls "$CACHE/metrics" | grep -q '^spool-'
	ok $? "its count waits in a spool file"
	: >"$T/release"
	wait "$holder"
	ac m get --format json
	is "$(metric askcred_cache_hits_total)" $((hits + 2)) \
		"the next get adds the spooled count in: none lost"
	ls "$CACHE/metrics" | grep -q '^spool-'
	ok $((! $?)) "and removes the spool file"
else
	skip "spool files" "util-linux flock(1) is not installed"
fi

# A damaged state file: a warning, the fetch succeeds, the totals
# restart from zero.
printf 'askcred-metrics-state 1\nevent mints lots\n' >"$CACHE/metrics/state"
ac m get --format json
ok $? "a damaged state file does not fail the fetch"
grep -q "metrics.*state.*malformed metrics state file.*restart from zero" "$T/err"
ok $? "it is a clear warning naming the file"
is "$(counts)" "mints=0 refreshes=0 cache_hits=1 cache_misses=0 stale_serves=0 " \
	"and counting restarts from zero"
printf '\0\377garbage' >"$CACHE/metrics/state"
ac m get --format json
ok $? "a state file of binary garbage does not fail the fetch either"
is "$(metric askcred_cache_hits_total)" 1 "restarted again"

# A symbolic link at metrics_file: refused, never followed or replaced.
printf 'keep\n' >"$T/prom/target"
ln -s "$T/prom/target" "$T/prom/link.prom"
stack link "lifetime=1h metrics_file=$T/prom/link.prom"
ac link get --format json
ok $? "a symlink at metrics_file does not fail the fetch"
grep -q "symbolic link" "$T/err"
ok $? "the warning says it is a symbolic link"
ok "$([ -L "$T/prom/link.prom" ] && echo 0 || echo 1)" "the link is left in place"
is "$(cat "$T/prom/target")" keep "the file it points to is untouched"

# A directory others may write is not one to write into.
mkdir -m 777 "$T/wide"
chmod 777 "$T/wide"
stack open "lifetime=1h metrics_file=$T/wide/askcred.prom"
ac open get --format json
ok $? "an unsafe metrics directory does not fail the fetch"
grep -q "metrics_file directory" "$T/err"
ok $? "the warning names the directory"
ok "$([ ! -e "$T/wide/askcred.prom" ] && echo 0 || echo 1)" "nothing written there"

# askcred.conf may set it for every line of the host.
printf 'metrics_file=%s\n' "$T/prom/host.prom" >"$T/askcred.conf"
chmod 600 "$T/askcred.conf"
stack plain "lifetime=1h metrics_file=$T/prom/host.prom"
sed -i "s| metrics_file=[^ ]*||" "$T/plain"
ASKCRED_CONFIG=$T/askcred.conf ac plain get --format json
ok $? "get with metrics_file from askcred.conf"
ok "$([ -n "$(metric askcred_cache_hits_total "$T/prom/host.prom")" ] && echo 0 || echo 1)" \
	"askcred.conf's metrics_file is written"

emulator_check_leaks "$T"/err "$T"/err.* "$PROM"
done_testing
