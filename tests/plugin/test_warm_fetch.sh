#!/bin/sh
# A long-running host (tests/plugin/fetch_loop: one stack kept open, as a
# runner keeps it) and the mint source:
# - a warm fetch, served from the instance's memory, makes no system call;
# - what another process does to the shared cache entry (a rotation, a
#   revocation) still reaches the host: it does not hand out a token that
#   is rotated out and deleted, or revoked.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"
. "$top_srcdir/tests/plugin/host_lib.sh"
stack stack "lifetime=1h entry=warm rotation_overlap=1s"
ac() { "$ASKCRED" --stack-file "$T/stack" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
field() { "$PYTHON3" -c "import json,sys; print(json.load(open('$T/out'))['$1'])"; }

ac get --format json
is "$rc" 0 "the entry is minted and cached"
first=$(field token_id)

# System calls of the whole process: one fetch, against one fetch and 200
# more. Deterministic: one thread, nothing timed.
syscalls() { # syscalls INPUT: the total strace counts
	# LeakSanitizer stops the world with ptrace, which strace holds.
	printf "$1" | ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -c -U calls -o "$T/strace" "$LOOP" \
		"$T/stack" >"$T/loop.out" 2>>"$T/loop.err" || return 1
	awk '$2 == "total" { print $1 }' "$T/strace"
}
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
	one=$(syscalls '1\n')
	more=$(syscalls '1\n200\n')
	grep -q "^ok $first " "$T/loop.out"
	ok $? "the host is served the cached token"
	diag "system calls: $one for 1 fetch, $more for 201"
	# Under load the run may outlast the memory's recheck period: one
	# look at the disk (about a dozen calls) may fall inside it.
	[ -n "$one" ] && [ -n "$more" ] && [ $((more - one)) -lt 100 ]
	ok $? "200 warm fetches make no system call (added: $((more - one)))"
else
	skip "the host is served the cached token" "no strace here"
	skip "200 warm fetches make no system call" "no strace here"
fi

# The host keeps its stack open while other processes change the shared
# entry.
host_start "$T/stack"
listed() { # listed ID: 1 when the emulator still holds token ID
	emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, sys
print(sum(t["id"] == sys.argv[1] for t in json.load(sys.stdin)["tokens"]))' "$1"
}

ask 1
is "$answer" "ok $first 6 0" "the long-running host holds the shared token (minted, from the cache)"

# Another process rotates the token. Once the overlap is over, the host
# itself deletes the predecessor (pending.h): it must not keep handing it
# out from memory.
ac get --format json
ac refresh
is "$rc" 0 "another process rotates the shared token"
ac get --format json
second=$(field token_id)
sleep 2 # the overlap (1s) and the host's recheck period (1s) are over
ask 1
is "$answer" "ok $second 6 0" "the host moves on to the rotated-in token"
is "$(listed "$first")" 0 "the predecessor is deleted in AskUI"
ask 100
is "$answer" "ok $second 6 0" "and the host does not come back to it"

# Another process revokes the token: the entry is gone from the cache and
# the token from AskUI. The host gets a new one, not the revoked one.
creates=$(emulator_counter main create)
ac revoke
is "$rc" 0 "another process revokes the shared token"
is "$(listed "$second")" 0 "it is gone in AskUI"
sleep 1.5 # the host's recheck period is over
ask 1
third=$(echo "$answer" | cut -d' ' -f2)
[ -n "$third" ] && [ "$third" != "$second" ] && [ "$third" != "$first" ]
ok $? "the host does not hand out the revoked token" "got: $answer"
is "$(listed "$third")" 1 "it is served a live one"
is "$(emulator_counter main create)" $((creates + 1)) "minted once"
sleep 1.5 # another recheck, of an entry nobody changed
ask 1
is "$answer" "ok $third 6 0" "the host keeps the token while the entry holds it"
is "$(emulator_counter main create)" $((creates + 1)) "without minting again"
host_stop
is "$host_rc" 0 "the host closes its stack cleanly"
grep -v '<[67]>' "$T/host.err" | sed 's/^/# host: /'

# A static source's file, replaced while a host runs, is read again.
static_file() { # static_file TOKEN_ID
	printf '{"workspace_id": "%s", "token": "static-%s", "token_id": "%s", "expires_at": null}\n' \
		"$EMU_WS" "$1" "$1" >"$T/static.new"
	chmod 600 "$T/static.new"
	mv "$T/static.new" "$T/static.json"
}
id1=11111111-1111-4111-8111-111111111111
id2=22222222-2222-4222-8222-222222222222
static_file $id1
echo "fetch required $PLUGIN source=static credentials=$T/static.json" \
	>"$T/static-stack"
host_start "$T/static-stack"
ask 1
is "$answer" "ok $id1 0 0" "a host on a static source serves the file's token"
static_file $id2
sleep 1.5 # the host's recheck period is over
ask 1
is "$answer" "ok $id2 0 0" "and the replaced file's token once the file changed"
host_stop

emulator_check_leaks "$T/err" "$T/host.err" "$EMU_DIR"/*.log
done_testing
