#!/usr/bin/env bash
# build.sh's background jobs (the ASan build beside the plain check, the
# fuzz build, make check itself) report their own exit status, even after
# their pid has gone to another process. bash forgets a finished job's
# status when a later child gets the same pid: `wait PID` then gives that
# child's status or "pid N is not a child of this shell" (127), which once
# failed CI after the ASan build had succeeded, and could as well have
# passed a failed build. Runs in a fresh pid namespace (unshare -p -f
# --mount-proc), where writing ns_last_pid chooses the next pid.
. "${top_srcdir:?}/tests/lib.sh"

if [ -z "${IN_PIDNS:-}" ]; then
	if ! command -v unshare >/dev/null 2>&1 ||
		! unshare -p -f --mount-proc true >/dev/null 2>&1; then
		skip_all "unshare -p -f --mount-proc is not permitted here"
	fi
	exec unshare -p -f --mount-proc env IN_PIDNS=1 bash "$0" "$@"
fi
[ -w /proc/sys/kernel/ns_last_pid ] ||
	skip_all "ns_last_pid is not writable in a new pid namespace"

# Only the definitions: build.sh returns before its commands when sourced.
. "$top_srcdir/build.sh"
set +e
TMP=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$TMP"' EXIT
top=$TMP # where background keeps its output and status

# ended NAME: wait (at most 30 s) until job NAME no longer runs, without
# reaping it through wait.
ended() {
	local i=0
	while running "$1" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! running "$1"
}
# reuse PID: the next child of this shell gets PID (and a few more
# follow), so that bash drops what it kept about PID's job. Sets
# reused_by to the pid that first child had. Not in $(...): the children
# must be this shell's own.
# gone PID: until no process has PID (at most 10 s). An ended job has
# written its status, but under load its process may still be exiting or
# unreaped, and the kernel skips a pid in use.
gone() {
	_i=0
	while [ -e "/proc/$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
reuse() {
	gone "$1"
	echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid
	reused_by=$(echo "$BASHPID")
	for _ in 1 2 3 4 5; do : "$(true)"; done
}

background fail "$TMP/fail.out" sh -c 'echo building; exit 3'
ok $? "a job starts"
ended fail
ok $? "it ends"
p=${bg_pid[fail]}
reuse "$p"
is "$reused_by" "$p" "a later child of the shell gets its pid"
wait "$p" 2>/dev/null
st=$?
[ "$st" -ne 3 ]
ok $? "bash's wait has lost the job's status (it gives $st, not 3)"
await fail
is $? 3 "await gives the job's own status, 3"
has "$TMP/fail.out" building "the job's output is in its file"

background pass "$TMP/pass.out" true
ended pass
p=${bg_pid[pass]}
reuse "$p"
is "$reused_by" "$p" "a succeeded job's pid goes to a later child"
wait "$p" 2>/dev/null
is $? 127 "bash's wait no longer knows it: \"not a child of this shell\""
await pass
is $? 0 "await gives 0 for it"

# A job that has ended is not running, even when a live process now has
# its pid.
background short "$TMP/short.out" true
ended short
p=${bg_pid[short]}
gone "$p"
echo $((p - 1)) >/proc/sys/kernel/ns_last_pid
sleep 30 &
other=$!
is "$other" "$p" "a live process has the ended job's pid"
running short
is $? 1 "running says the ended job no longer runs"
kill "$other"
wait "$other" 2>/dev/null

# A job killed before it could write its status fails.
background long "$TMP/long.out" sleep 30
running long
is $? 0 "running says a running job runs"
kill -KILL "${bg_pid[long]}"
await long
st=$?
[ "$st" -ne 0 ]
ok $? "a job killed before its status was written fails ($st)"

done_testing
