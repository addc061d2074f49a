#!/bin/sh
# Disk full: the cache lives on a 64 KiB tmpfs that is then filled up. A
# write or a refresh must fail cleanly (a clear error, no temp file left,
# no descriptor leaked) and leave the old cache file intact and readable;
# a refresh still hands out the new token it could not store.
#
# Mounting a tmpfs needs no root: an unprivileged user and mount namespace
# (unshare -rm) will do. Inside it every root-owned file shows up as owned
# by the overflow uid, which the cache's ancestor check rightly refuses, so
# the test runs in a chroot whose / and cache file system are its own.
. "$top_srcdir/tests/faults/faults.sh"
SELF=$top_srcdir/tests/faults/test_disk_full.sh

if [ "${1:-}" != inner ]; then
	unshare -rm true 2>/dev/null ||
		skip_all "unprivileged user namespaces are not permitted (unshare -rm)"
	command -v chroot >/dev/null || skip_all "no chroot command"
	faults_setup
	mkdir "$T/root"
	# The namespace and its mounts die with this subshell.
	unshare -rm sh -c '
		set -e
		R=$1 SELF=$2 MACHINE_ID=$3
		mount -t tmpfs -o size=8m,mode=755 tmpfs "$R"
		for d in /bin /sbin /lib /lib32 /lib64 /libx32 /usr /dev \
			"$top_builddir" "$top_srcdir"; do
			if [ -L "$d" ]; then
				ln -s "$(readlink "$d")" "$R$d"
			elif [ -d "$d" ]; then
				mkdir -p "$R$d"
				mount --rbind "$d" "$R$d"
			fi
		done
		# Sanitizer runtimes read /proc/self/maps; nothing else needs it.
		mkdir "$R/proc"
		mount --rbind /proc "$R/proc" 2>/dev/null || true
		mkdir -m 700 "$R/small"
		mount -t tmpfs -o size=64k,mode=700 tmpfs "$R/small"
		cp "$MACHINE_ID" "$R/machine-id"
		cd /
		exec chroot "$R" /bin/sh "$SELF" inner
	' sh "$T/root" "$SELF" "$MACHINE_ID"
	exit $?
fi

# Inside the chroot: / is an 8 MiB tmpfs, /small the 64 KiB one.
D=/small/cache
run() { # run OUT CMD ARGS...: cache_tool with the machine id, status kept
	_out=$1 _cmd=$2
	shift 2
	"$TOOL" "$_cmd" "$D" /machine-id "$@" >"$_out" 2>&1
	echo $? >"$_out.rc"
}
clean_exit() { # clean_exit OUT: exit status 0 or 1, never a signal
	case $(cat "$1.rc") in 0 | 1) return 0 ;; *) return 1 ;; esac
}

run /w0 write e1 tok-old 300
is "$(val /w0 status)" 0 "a first write on the small file system succeeds"
cp "$D/$WS@e1.cache" /e1.cache.before
cp "$D/$WS@e1.state" /e1.state.before

dd if=/dev/zero of=/small/fill bs=4096 2>/dev/null
dd if=/dev/zero of=/small/fill2 bs=512 2>/dev/null
dd if=/dev/zero of=/small/fill3 bs=1 2>/dev/null
echo x >/small/probe 2>/dev/null
ok $((! $?)) "the file system is now full (a one-byte write fails)"

run /w1 write e1 tok-new 3600
clean_exit /w1
ok $? "write on a full disk exits cleanly (status $(cat /w1.rc))"
is "$(val /w1 status)" 8 "write on a full disk is ASKCRED_CACHE_ERROR"
has /w1 "No space left on device" "the error says the disk is full"
has /w1 "temp file" "and names the temp file it could not write"
is "$(val /w1 fds_leaked)" 0 "no descriptor leaks from the failed write"
is "$(temps "$D")" 0 "no temp file is left after the failed write"
cmp -s "$D/$WS@e1.cache" /e1.cache.before
ok $? "the old cache file is byte for byte intact"
cmp -s "$D/$WS@e1.state" /e1.state.before
ok $? "the old state file is byte for byte intact"
run /r1 read e1
is "$(val /r1 token)" tok-old "the old token still reads back"
is "$(val /r1 stored)" 1 "marked as in the disk cache"

# e1 expires in 300 s, inside the default 600 s mandatory window: the
# fetch path refreshes, cannot store, and still hands the new token out.
run /f1 refresh e1 tok-fresh
clean_exit /f1
ok $? "refresh on a full disk exits cleanly"
is "$(val /f1 status)" 0 "refresh on a full disk succeeds"
is "$(val /f1 refreshed)" 1 "the source was asked once"
is "$(val /f1 token)" tok-fresh "and its token is handed out though unstored"
is "$(val /f1 stored)" 0 "marked as not in the disk cache (cached_at 0)"
is "$(val /f1 fds_leaked)" 0 "no descriptor leaks from the refresh"
is "$(temps "$D")" 0 "no temp file is left after the refresh"
cmp -s "$D/$WS@e1.cache" /e1.cache.before
ok $? "the old cache file is still intact after the refresh"
run /r2 read e1
is "$(val /r2 token)" tok-old "and still reads back"

mkdir -m 700 /small/fresh 2>/dev/null
D=/small/fresh
run /o1 write e1 tok-new 3600
clean_exit /o1
ok $? "opening a new cache on a full disk exits cleanly"
is "$(val /o1 status)" 8 "and fails: no room for the master key"
has /o1 "No space left on device" "saying why"
is "$(val /o1 fds_leaked)" 0 "no descriptor leaks from the failed open"
is "$(temps "$D")" 0 "no temp key file is left behind"
ok "$([ ! -e "$D/master.key" ] && echo 0 || echo 1)" "and no partial key file"

D=/small/cache
rm -f /small/fill /small/fill2 /small/fill3
run /w2 write e1 tok-new 3600
is "$(val /w2 status)" 0 "with room again the write succeeds"
run /r3 read e1
is "$(val /r3 token)" tok-new "and the new token reads back"
gen() { sed -n 's/^generation //p' "$1"; }
is "$(gen "$D/$WS@e1.state")" $(($(gen /e1.state.before) + 1)) \
	"the generation moved on by one: failed writes used none"
done_testing
