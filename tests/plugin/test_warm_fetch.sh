#!/bin/sh
# A long-running host (tests/plugin/fetch_loop: one stack kept open, as a
# runner keeps it) and the mint source:
# - a warm fetch, served from the instance's memory, makes no system call;
# - what another process does to the shared cache entry (a rotation, a
#   revocation) still reaches the host: it does not hand out a token that
#   is rotated out and deleted, or revoked.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"
LOOP=$top_builddir/tests/plugin/fetch_loop
stack stack "lifetime=1h entry=warm rotation_overlap=1s"
ac() { "$ASKCRED" --stack-file "$T/stack" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
field() { "$PYTHON3" -c "import json,sys; print(json.load(open('$T/out'))['$1'])"; }

ac get --format json
is "$rc" 0 "the entry is minted and cached"
first=$(field token_id)

# System calls of the whole process: one fetch, against one fetch and 200
# more. Deterministic: one thread, nothing timed.
syscalls() { # syscalls INPUT: the total strace counts
	printf "$1" | strace -f -qq -c -U calls -o "$T/strace" "$LOOP" \
		"$T/stack" >"$T/loop.out" 2>>"$T/loop.err" || return 1
	awk '$2 == "total" { print $1 }' "$T/strace"
}
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
	one=$(syscalls '1\n')
	more=$(syscalls '1\n200\n')
	grep -q "^ok $first " "$T/loop.out"
	ok $? "the host is served the cached token"
	diag "system calls: $one for 1 fetch, $more for 201"
	[ -n "$one" ] && [ -n "$more" ] && [ $((more - one)) -lt 10 ]
	ok $? "200 warm fetches make no system call (added: $((more - one)))"
else
	skip "the host is served the cached token" "no strace here"
	skip "200 warm fetches make no system call" "no strace here"
fi

emulator_check_leaks "$T/err" "$EMU_DIR"/*.log
done_testing
