#!/bin/sh
# A failed get says why, through the cache and its backoff: for every kind
# of failure the emulator can play, the process that asked AskUI names the
# cause (the HTTP status, the field, the limit), and so does a second
# process that the backoff keeps from asking again. Also through the
# askcred command: a Retry-After longer than the cache's own backoff holds
# every process back; a TLS verification failure is a configuration error
# (exit 65) naming ca_file=; an unsafe .lock file is one exit status
# whatever is wrong with it; and a policy's max_cache_age leaves the cache
# useful (3 gets, 1 mint).
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"

# stack NAME EXTRA-ARGS: every operation through one mint instance; no
# timeout= (some rows set their own) and ca_file= only when a row does not.
stack() {
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args cache_dir=$T/cache/askcred lifetime=1h $2"
	case $2 in *ca_file=*) ;; *) args="$args ca_file=$EMU_CA" ;; esac
	for op in fetch validate refresh revoke; do
		echo "$op required $PLUGIN $args"
	done >"$T/$1"
}
ac() { # ac STACK ARGS...: status in $rc, stdout $T/out, stderr $T/err
	_s=$1
	shift
	"$ASKCRED" --stack-file "$T/$_s" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	rm -f "$T/out" # it may hold a token; only the status matters here
}
creates() { emulator_counter main create; }
fault() { emulator_ctl main POST fault "$1" >/dev/null; }
fresh_cache() {
	rm -rf "$T/cache/askcred"
	emulator_ctl main POST reset '{}' >/dev/null
}
# hold_back: every entry's next attempt an hour ahead, so that the next
# process is under the backoff however slow this machine is (the backoff's
# length is tested with a fake clock in tests/plugin/cache).
hold_back() {
	for s in "$T"/cache/askcred/*.state; do
		sed -i "s/^next_attempt .*/next_attempt $(($(date +%s) + 3600))/" "$s"
	done
}
# says TEXT DESC: stderr holds TEXT; shows stderr when it does not.
says() {
	contains "$T/err" "$1"
	_r=$?
	ok $_r "$2"
	[ $_r -eq 0 ] || sed 's/^/# stderr: /' "$T/err"
}

# ---- the cause of every failure, first process and under backoff ------
stack plain "timeout=3s"
while IFS='|' read -r name json cause; do
	[ -n "$name" ] || continue
	fresh_cache
	fault "$json"
	ac plain get
	is "$rc" 69 "$name: the first get is unavailable (exit 69)"
	says "$cause" "$name: the first get names the cause ($cause)"
	hold_back
	before=$(creates)
	ac plain get
	is "$rc" 69 "$name: a second process under the backoff: exit 69"
	says "$cause" "$name: and still names the cause of the last attempt"
	is "$(creates)" "$before" "$name: the second process did not call AskUI"
	fault '{"mode": "none"}'
done <<'ROWS'
HTTP 500|{"mode": "status", "status": 500, "count": 1000}|HTTP 500
HTTP 503|{"mode": "status", "status": 503, "count": 1000}|HTTP 503
HTTP 429|{"mode": "429", "retry_after": "1", "count": 1000}|HTTP 429
an answer that is not JSON|{"mode": "malformed", "variant": "notjson", "count": 1000}|malformed JSON
a truncated JSON answer|{"mode": "malformed", "variant": "truncated", "count": 1000}|malformed JSON
an oversized answer|{"mode": "huge", "count": 1000}|larger than
a server that stalls past the timeout|{"mode": "stall", "seconds": 20, "count": 1000}|no answer
a dropped connection|{"mode": "drop", "count": 1000}|no answer
ROWS

# ---- Retry-After across processes --------------------------------------
stack plain ""
fresh_cache
fault '{"mode": "429", "retry_after": "30", "count": 1}'
ac plain get
is "$rc" 69 "429 with Retry-After: 30: unavailable"
says "next attempt in 30 s" "the error says when the next attempt is"
before=$(creates)
# The cache's own first backoff is 5 s; only Retry-After holds past it.
# Count calls, not seconds: a process made 6 s later must not call.
"$PYTHON3" - "$T/cache/askcred" 6 <<'PY'
import glob, sys
# Move the outage 6 s into the past, as if 6 s had gone by.
for p in glob.glob(sys.argv[1] + "/*.state"):
    lines = open(p).read().split("\n")
    out = []
    for l in lines:
        k, _, v = l.partition(" ")
        if k in ("outage_since", "next_attempt") and v not in ("", "0"):
            l = "%s %d" % (k, int(v) - int(sys.argv[2]))
        out.append(l)
    open(p, "w").write("\n".join(out))
PY
ac plain get
is "$rc" 69 "a new process 6 s later is still held back"
is "$(creates)" "$before" "and does not call AskUI (Retry-After: 30 wins over 5 s)"
says "HTTP 429" "and names the 429"

# ---- TLS verification: a configuration error ---------------------------
stack badca "ca_file=$EMU_DIR/certs/otherca.pem"
fresh_cache
ac badca get
is "$rc" 65 "a server certificate from another CA: configuration error (exit 65)"
says "set ca_file=" "the message names ca_file="
says "TLS verification failed" "and says TLS verification failed"
ac badca get
is "$rc" 65 "a second process tries again and says the same (no backoff hides it)"
says "set ca_file=" "naming ca_file= again"

# ---- unsafe .lock files: one status for all ----------------------------
stack plain ""
while IFS='|' read -r name make; do
	[ -n "$name" ] || continue
	if [ "$name" = "another owner" ] && [ "$(id -u)" -ne 0 ]; then
		ok 0 "# SKIP a lock of another owner needs root"
		continue
	fi
	fresh_cache
	mkdir -m 700 -p "$T/cache/askcred"
	L="$T/cache/askcred/$EMU_WS@default.lock"
	eval "$make"
	ac plain get
	is "$rc" 70 "a .lock that is $name: exit 70, a cache error"
	says "lock" "a .lock that is $name: the message names the lock file"
	rm -rf "$L" "$L.other"
done <<'ROWS'
a FIFO|mkfifo -m 600 "$L"
mode 0644|: >"$L"; chmod 644 "$L"
hard-linked|: >"$L"; chmod 600 "$L"; ln "$L" "$L.other"
another owner|: >"$L"; chmod 600 "$L"; chown 4242:4242 "$L"
a symlink|: >"$L.other"; ln -s "$L.other" "$L"
a directory|mkdir -m 700 "$L"
ROWS

# ---- max_cache_age leaves the cache useful -----------------------------
cat >"$T/policy.json" <<POL
{"schema_version": 1, "serial": 1, "max_age": "30d",
 "rules": {"max_cache_age": "12h"}}
POL
chmod 600 "$T/policy.json"
stack aged "policy=$T/policy.json policy_state_dir=$T/pstate"
mkdir -m 700 "$T/pstate"
fresh_cache
ac aged get
is "$rc" 0 "get under a policy with max_cache_age"
ac aged get
is "$rc" 0 "a second get"
ac aged get
is "$rc" 0 "a third get"
is "$(creates)" 1 "3 gets under max_cache_age mint exactly 1 token"

emulator_check_leaks "$EMU_DIR"/*.log "$T/err"
done_testing
