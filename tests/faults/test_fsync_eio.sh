#!/bin/sh
# EIO from fsync and rename, injected with strace into one cache_write:
# the failure is reported clearly, no temp file and no descriptor is left
# behind, and the entry is never half-written. Before the cache file's
# rename the old file stays byte for byte; after it (the state's rename,
# the directory fsync) the new file is already in place and must read
# back whole. A refresh whose write fails still hands out its token.
. "$top_srcdir/tests/faults/faults.sh"

command -v strace >/dev/null ||
	skip_all "strace is not installed (Debian: apt-get install strace)"
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \
	true 2>/dev/null ||
	skip_all "strace cannot trace here (ptrace not permitted)"
# Stop only at the traced calls (cache_tool counts its descriptors with
# thousands of fcntl calls), where strace can.
SECCOMP=
strace --seccomp-bpf -f -qq -o /dev/null -e trace=fsync true 2>/dev/null &&
	SECCOMP=--seccomp-bpf
faults_setup
D=$T/cache
F=$D/$WS@e1

# inj OUT SPEC CMD ARGS...: cache_tool under strace with one injection.
inj() {
	_out=$1 _spec=$2 _cmd=$3
	shift 3
	# LeakSanitizer stops the world with ptrace, which strace holds.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace $SECCOMP -f -qq -o /dev/null \
			-e trace=fsync,fdatasync,rename,renameat,renameat2 \
			-e inject="$_spec" \
			"$TOOL" "$_cmd" "$D" "$MACHINE_ID" "$@" >"$_out" 2>&1
	echo $? >"$_out.rc"
}
run() {
	_out=$1 _cmd=$2
	shift 2
	"$TOOL" "$_cmd" "$D" "$MACHINE_ID" "$@" >"$_out" 2>&1
}
clean_exit() {
	case $(cat "$1.rc") in 0 | 1) return 0 ;; *) return 1 ;; esac
}

# The write does, in order: fsync(cache temp), fsync(state temp),
# rename(cache), rename(state), fsync(directory). A failure before the
# first rename must leave the old entry untouched ("old"); one after it
# leaves the new entry in place ("new").
while read -r spec after what; do
	run "$T/base" write e1 tok-old 300
	cp "$F.cache" "$T/old.cache"
	cp "$F.state" "$T/old.state"
	inj "$T/out" "$spec" write e1 tok-new 3600
	clean_exit "$T/out"
	ok $? "$what: exits cleanly (status $(cat "$T/out.rc"))"
	is "$(val "$T/out" status)" 8 "$what: ASKCRED_CACHE_ERROR"
	has "$T/out" "Input/output error" "$what: the error names EIO"
	is "$(val "$T/out" fds_leaked)" 0 "$what: no descriptor leaks"
	is "$(temps "$D")" 0 "$what: no temp file is left"
	run "$T/read" read e1
	if [ "$after" = old ]; then
		cmp -s "$F.cache" "$T/old.cache" && cmp -s "$F.state" "$T/old.state"
		ok $? "$what: the old cache and state files are intact"
		is "$(val "$T/read" token)" tok-old "$what: the old token reads back"
	else
		is "$(val "$T/read" token)" tok-new \
			"$what: the new file is whole and reads back"
	fi
done <<CASES
fsync:error=EIO:when=1 old EIO from fsync of the cache temp file
fsync:error=EIO:when=2 old EIO from fsync of the state temp file
rename,renameat,renameat2:error=EIO:when=1 old EIO from rename of the cache file
rename,renameat,renameat2:error=EIO:when=2 new EIO from rename of the state file
fsync:error=EIO:when=3 new EIO from fsync of the directory
CASES

run "$T/w" write e1 tok-next 3600
is "$(val "$T/w" status)" 0 "after the failures the next write succeeds"
run "$T/read" read e1
is "$(val "$T/read" token)" tok-next "and reads back (no replay refusal)"

# Every fsync fails during a refresh (e1 is inside the mandatory window).
run "$T/base" write e1 tok-old 300
cp "$F.cache" "$T/old.cache"
inj "$T/out" fsync:error=EIO refresh e1 tok-fresh
clean_exit "$T/out"
ok $? "refresh with failing fsync exits cleanly"
is "$(val "$T/out" status)" 0 "refresh with failing fsync succeeds"
is "$(val "$T/out" token)" tok-fresh "and hands out the token it could not store"
is "$(val "$T/out" fds_leaked)" 0 "no descriptor leaks from the refresh"
is "$(temps "$D")" 0 "no temp file is left by the refresh"
cmp -s "$F.cache" "$T/old.cache"
ok $? "the old cache file is intact after the refresh"

# A new cache directory whose master key cannot be made durable.
D=$T/fresh
inj "$T/out" fsync:error=EIO write e1 tok-new 3600
clean_exit "$T/out"
ok $? "a new cache whose key file fsync fails exits cleanly"
is "$(val "$T/out" status)" 8 "and fails with ASKCRED_CACHE_ERROR"
has "$T/out" "Input/output error" "naming EIO"
is "$(val "$T/out" fds_leaked)" 0 "no descriptor leaks from the failed open"
is "$(temps "$D")" 0 "no temp key file is left"
ok "$([ ! -e "$D/master.key" ] && echo 0 || echo 1)" "and no key file"
done_testing
