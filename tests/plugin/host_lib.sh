# Sourced by the shell tests that need a long-running host: one that opens
# a stack and keeps it open, as a runner does (tests/plugin/fetch_loop).
# Needs $T (a private directory) and top_builddir.
#
#   host_start STACK     start the host on STACK (it reads a fifo)
#   ask N                N fetches; $answer is the host's line for them:
#                        "ok TOKEN_ID FLAGS POLICY_SERIAL" or "error ..."
#   host_stop            end its input; $host_rc is its exit status
#
# The host logs to $T/host.err.
LOOP=$top_builddir/tests/plugin/fetch_loop

host_start() {
	rm -f "$T/host.in" "$T/host.out"
	mkfifo "$T/host.in" || bail "mkfifo"
	: >"$T/host.out"
	# The host must not hold the fifo's write end (descriptor 3), or it
	# never sees the end of its input.
	exec 3<>"$T/host.in"
	"$LOOP" "$1" <"$T/host.in" >"$T/host.out" 2>>"$T/host.err" 3>&- &
	host_pid=$!
	asked=0
}

ask() {
	echo "$1" >&3
	asked=$((asked + 1))
	_i=0
	# At most 60 s for an answer: the test fails, it does not hang.
	while [ "$(wc -l <"$T/host.out")" -lt $asked ] && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	answer=$(sed -n "${asked}p" "$T/host.out")
}

host_stop() {
	exec 3>&-
	wait "$host_pid"
	host_rc=$?
}
