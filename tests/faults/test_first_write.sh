#!/bin/sh
# A reader during the very first write of an entry. The writer renames two
# files into place, the entry's file and its state (the generation floor);
# strace holds the second rename for a while, and a reader reads the entry
# in between. It must see a plain miss: not a file without a floor, which
# it would report as a rolled-back (replayed) file, an attack.
. "$top_srcdir/tests/faults/faults.sh"

command -v strace >/dev/null ||
	skip_all "strace is not installed (Debian: apt-get install strace)"
strace -f -qq -o /dev/null -e trace=rename -e inject=rename:delay_enter=1 \
	true 2>/dev/null ||
	skip_all "strace cannot trace here (ptrace not permitted)"
faults_setup
D=$T/cache
run() {
	_out=$1 _cmd=$2
	shift 2
	"$TOOL" "$_cmd" "$D" "$MACHINE_ID" "$@" >"$_out" 2>&1
}

# The cache and its key exist; entry e1 does not.
run "$T/e0" write e0 tok-zero 3600
is "$(val "$T/e0" status)" 0 "another entry is written first (the key exists)"
ok "$([ ! -e "$D/$WS@e1.state" ] && [ ! -e "$D/$WS@e1.cache" ] && echo 0 || echo 1)" \
	"entry e1 has neither file nor state"

# The first write of e1, its second rename held for 3 s.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
	-e inject=rename:delay_enter=3000000:when=2 \
	"$TOOL" write "$D" "$MACHINE_ID" e1 tok-first 3600 >"$T/w1" 2>&1 &
writer=$!
# Until the first rename is done (at most 20 s).
i=0
while [ ! -e "$D/$WS@e1.state" ] && [ ! -e "$D/$WS@e1.cache" ] &&
	[ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
first=none
[ -e "$D/$WS@e1.state" ] && first=state
[ -e "$D/$WS@e1.cache" ] && first=$first+cache
run "$T/r1" read e1
diag "in place after the first rename: $first"
is "$first" state "the first write puts the floor in place first"
is "$(val "$T/r1" status)" 2 "a read between the two renames is a plain miss (ASKCRED_NOT_FOUND)"
contains "$T/r1" "no generation floor"
ok $((! $?)) "not a file without a floor" "$(val "$T/r1" message)"
wait $writer
is "$?" 0 "the write completes"
run "$T/r2" read e1
is "$(val "$T/r2" token)" tok-first "and the entry reads back"
done_testing
