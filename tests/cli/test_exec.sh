#!/bin/sh
# askcred exec: the credential reaches the child through its environment
# and never through argv; the child's status, death by signal and exec
# failures come back the way a shell reports them; signals sent to askcred
# reach the child.
. "${top_srcdir:?}/tests/cli/lib.sh"

ASKUI_WORKSPACE_ID=$WS
ASKUI_TOKEN="ExEc-SeCrEt-'tok en'"
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
want_hash=$(printf '%s' "$ASKUI_TOKEN" | cksum)

# The child proves it has the token without printing it, and dumps its
# own and its parent's (askcred's) command lines for inspection.
run exec -- sh -c '
	printf "%s" "$ASKUI_TOKEN" | cksum >"$1/hash"
	printf "%s" "$ASKUI_WORKSPACE_ID" >"$1/ws"
	tr "\0" " " </proc/self/cmdline >"$1/cmdline.self"
	tr "\0" " " </proc/$PPID/cmdline >"$1/cmdline.parent"
' child "$TMP"
is "$rc" 0 "exec exits 0 when the child does"
is "$(cat "$TMP/hash")" "$want_hash" "the child sees ASKUI_TOKEN in its environment"
is "$(cat "$TMP/ws")" "$WS" "the child sees ASKUI_WORKSPACE_ID"
! contains "$TMP/cmdline.self" "SeCrEt"
ok $? "the token is not in the child's argv"
contains "$TMP/cmdline.parent" "exec"
ok $? "the parent command line read is askcred's"
! contains "$TMP/cmdline.parent" "SeCrEt"
ok $? "the token is not in askcred's argv"
! contains "$TMP/out" "SeCrEt" && ! contains "$TMP/err" "SeCrEt"
ok $? "askcred itself prints no token"

# A value already in the environment is replaced, not duplicated.
run exec -- sh -c 'env | grep -c "^ASKUI_TOKEN="'
is "$(cat "$TMP/out")" 1 "the child gets exactly one ASKUI_TOKEN"

for status in 0 3 42; do
	run exec -- sh -c "exit $status"
	is "$rc" "$status" "exit status $status propagates"
done

run exec -- sh -c 'kill -KILL $$'
is "$rc" 137 "a child killed by SIGKILL gives 137"

run exec -- "$TMP/no-such-command"
is "$rc" 127 "a missing command gives 127"
contains "$TMP/err" "no-such-command"
ok $? "the message names the missing command"

printf 'not executable\n' >"$TMP/noexec"
chmod 600 "$TMP/noexec"
run exec -- "$TMP/noexec"
is "$rc" 126 "a command that cannot be run gives 126"

run exec
is "$rc" 64 "exec without a command is a usage error"

# signal_case SIGNAL TRAP WANT DESCRIPTION: run a child that, when TRAP is
# not empty, runs it on SIGNAL; send SIGNAL to askcred once the child is
# ready (it writes a file after setting its trap, so the signal cannot
# come too early) and compare askcred's status with WANT.
signal_case() {
	rm -f "$TMP/ready"
	# askcred starts with SIGNAL at its default action, whatever this
	# test started with: sh starts background jobs with SIGINT ignored,
	# nohup ignores SIGHUP, and no shell can undo an inherited ignore.
	env --default-signal="$1" "$ASKCRED" --stack-file "$STACK" exec -- sh -c '
		[ -n "$2" ] && trap "$2" "$3"
		: >"$1/ready"
		i=0
		while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		exit 99
	' child "$TMP" "$2" "$1" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	while [ ! -e "$TMP/ready" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -"$1" "$pid"
	wait "$pid"
	is "$?" "$3" "$4"
}

signal_case TERM "exit 7" 7 "SIGTERM sent to askcred is forwarded to the child"
signal_case USR1 "exit 11" 11 "SIGUSR1 sent to askcred is forwarded to the child"
signal_case HUP "" 129 "a child killed by a forwarded SIGHUP gives 129"
signal_case INT "" 130 "a child killed by a forwarded SIGINT gives 130"

# Hardening meant for askcred (umask 077) is not imposed on the child.
run exec -- sh -c 'umask'
is "$(cat "$TMP/out")" "$(umask)" "the child gets the caller's umask back"

# askcred keeps its own core size limit at 0 (a token in memory must not
# reach a core file) but gives the child the caller's limit back.
if (ulimit -S -c 2048) 2>/dev/null; then
	(
		ulimit -S -c 2048
		# An ASan build sets its own core limit to 0 before main()
		# unless told not to; askcred must still lower it itself.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0"
		export ASAN_OPTIONS
		run exec -- sh -c '
			ulimit -c
			grep "^Max core file size" /proc/$PPID/limits |
				awk "{ print \$5 }"'
		printf '%s' "$(tr '\n' ' ' <"$TMP/out")" >"$TMP/limits"
	)
	is "$(cat "$TMP/limits")" "2048 0 " "askcred runs with no core dumps; the child gets the caller's limit"
else
	ok 0 "# SKIP the hard core size limit is 0 here"
fi

unset ASKUI_TOKEN
run exec -- sh -c 'echo ran'
ok "$([ "$rc" -ge 65 ] && [ "$rc" -le 68 ]; echo $?)" "no credential: askcred's own status (got $rc)"
is "$(cat "$TMP/out")" "" "no credential: the command is not run"

done_testing
