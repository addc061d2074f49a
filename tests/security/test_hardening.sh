#!/bin/sh
# The shipped binaries are built hardened (issue 7), checked with readelf
# on what the linker really produced, not on the flags we asked for:
#   askcred (the command)   PIE, full RELRO, non-executable stack, stack
#                           protector, FORTIFY_SOURCE (*_chk calls)
#   libaskcred.so and the   full RELRO (GNU_RELRO + BIND_NOW), non-
#   two plugin modules      executable stack, stack protector, FORTIFY,
#                           no text relocations
# In a sanitizer build FORTIFY_SOURCE is off on purpose (configure.ac: it
# conflicts with ASan); those checks are skipped with that reason. The
# sanitizer build is recognised by the binary itself (__asan_init), since
# config.h does not record it.
b=${top_builddir:-.}
. "${top_srcdir:?run through make check}/tests/lib.sh"

command -v readelf >/dev/null 2>&1 ||
	skip_all "readelf (binutils) is not installed"

# The ELF file libtool really built: .libs/NAME when NAME is a libtool
# wrapper script (shared builds), else NAME itself.
real() {
	if [ -f "$b/$(dirname "$1")/.libs/$(basename "$1")" ]; then
		echo "$b/$(dirname "$1")/.libs/$(basename "$1")"
	else
		echo "$b/$1"
	fi
}

askcred=$(real cli/askcred)
sanitizer=no
readelf --dyn-syms -W "$askcred" 2>/dev/null | grep -q '__asan_init' &&
	sanitizer=yes

check_common() { # file label
	_f=$1 _l=$2
	_d=$(readelf -dW "$_f")
	_p=$(readelf -lW "$_f")
	_s=$(readelf --dyn-syms -W "$_f")
	echo "$_p" | grep -q 'GNU_RELRO'
	ok $? "$_l has a GNU_RELRO segment (RELRO)"
	echo "$_d" | grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW'
	ok $? "$_l is linked with BIND_NOW (full RELRO)"
	echo "$_p" | grep -E 'GNU_STACK' | grep -Eq ' RW +0x'
	ok $? "$_l has a non-executable stack (GNU_STACK RW, not RWE)"
	! echo "$_d" | grep -q 'TEXTREL'
	ok $? "$_l has no text relocations"
	echo "$_s" | grep -q ' __stack_chk_fail'
	ok $? "$_l is built with the stack protector (__stack_chk_fail)"
	if [ $sanitizer = yes ]; then
		skip "$_l uses FORTIFY_SOURCE" \
			"sanitizer build: FORTIFY_SOURCE is off with ASan"
	else
		echo "$_s" | grep -Eq ' __[a-z]+_chk(@|$)'
		ok $? "$_l uses FORTIFY_SOURCE (__*_chk calls)"
	fi
}

# The command: also a position-independent executable.
if [ -f "$askcred" ]; then
	readelf -hW "$askcred" | grep -Eq 'Type: +DYN'
	ok $? "askcred is ELF type DYN (position independent)"
	readelf -dW "$askcred" | grep -Eq '\(FLAGS_1\).*PIE'
	ok $? "askcred has the PIE flag (FLAGS_1)"
	check_common "$askcred" askcred
else
	ok 1 "askcred is built ($askcred)"
fi

for lib in host/.libs/libaskcred.so plugin/.libs/askcred_askui.so \
	plugin/.libs/askcred_askui_net.so; do
	f=$b/$lib
	name=$(basename "$lib")
	# --disable-shared builds have no libaskcred.so (modules are
	# always shared objects).
	if [ ! -f "$f" ] && [ "$name" = libaskcred.so ] &&
		[ -f "$b/host/.libs/libaskcred.a" ]; then
		skip "$name checks" "static-only build (--disable-shared)"
		continue
	fi
	if [ ! -f "$f" ]; then
		ok 1 "$name is built ($f)"
		continue
	fi
	check_common "$f" "$name"
done

done_testing
