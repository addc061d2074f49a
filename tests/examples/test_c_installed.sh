#!/bin/sh
# The C example against an installed askcred: "make install DESTDIR=..."
# of this build, then examples/c/Makefile.standalone, which finds askcred
# only through pkg-config (askcred.pc), builds host.c, and the result
# fetches the demo credential through the installed module.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

command -v pkg-config >/dev/null 2>&1 || {
	echo "1..0 # SKIP pkg-config is not installed"
	exit 0
}
DEST="$TMP/dest"

# A make of its own: not the jobserver of the make running this test.
(
	unset MAKEFLAGS MFLAGS MAKELEVEL
	${MAKE:-make} -C "$top_builddir" install DESTDIR="$DEST"
) >"$TMP/install.log" 2>&1
st=$?
ok $st "make install DESTDIR= succeeds"
[ $st -eq 0 ] || sed 's/^/#   /' "$TMP/install.log"

pcfile=$(find "$DEST" -name askcred.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pcfile" ]
ok $? "askcred.pc is installed in a pkgconfig directory"
header=$(find "$DEST" -path '*/include/askcred/askcred.h' | head -n 1)
[ -n "$header" ] && [ -f "$(dirname "$header")/provider.h" ]
ok $? "askcred.h and provider.h are installed together in include/askcred"
libdir=$(dirname "$(dirname "$pcfile")")
[ -f "$libdir/askcred/askcred_askui.so" ]
ok $? "the AskUI module is installed in \$libdir/askcred"
[ -e "$libdir/libaskcred.so" ]
ok $? "libaskcred.so is installed next to pkgconfig/"
[ -f "$libdir/askcred/askcred_askui_net.so" ]
ok $? "its network module is installed beside it"
prefix=$(dirname "$libdir")
[ -x "$prefix/bin/askcred" ]
ok $? "the askcred command is installed in \$bindir"
for s in default static-env static-file mint broker exec; do
	[ -f "$(find "$DEST" -path "*/askcred/stacks/$s" | head -n 1)" ] ||
		break
done
ok $? "the default and example stacks are installed in \$sysconfdir/askcred/stacks"
m=$(find "$DEST" -path '*/man/man1/askcred.1' | head -n 1)
man=$(dirname "$(dirname "$m")")
[ -n "$m" ] && [ -f "$man/man5/askcred.conf.5" ] &&
	[ -f "$man/man5/askcred-policy.5" ] &&
	[ -f "$man/man3/askcred-provider.3" ]
ok $? "the four man pages are installed in \$mandir"
[ -f "$(find "$DEST" -path '*/bash-completion/completions/askcred' | head -n 1)" ]
ok $? "bash completion is installed under the command's name"

# The installed askcred.pc names the prefix without DESTDIR; the sysroot
# puts DESTDIR in front of its -I and -L.
PKG_CONFIG_PATH=$(dirname "$pcfile")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$DEST
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
pkg-config --cflags --libs askcred >"$TMP/pc" 2>&1
ok $? "pkg-config --cflags --libs askcred works on the installed tree"
sed 's/^/#   pkg-config: /' "$TMP/pc"

# A sanitizer build's libaskcred needs the ASan runtime loaded first: build
# the example the way a user of such a build would.
san=
if nm -D "$libdir/libaskcred.so" 2>/dev/null | grep -q __asan_init; then
	san="-fsanitize=address,undefined"
fi
mkdir "$TMP/example"
cp "$top_srcdir/examples/c/host.c" "$top_srcdir/examples/c/Makefile.standalone" \
	"$TMP/example/"
(
	unset MAKEFLAGS MFLAGS MAKELEVEL
	cd "$TMP/example" && ${MAKE:-make} -f Makefile.standalone \
		CFLAGS="-O2 -Wall -Wextra -Werror $san"
) >"$TMP/build.log" 2>&1
st=$?
ok $st "Makefile.standalone builds host.c warning-free through pkg-config"
[ $st -eq 0 ] || sed 's/^/#   /' "$TMP/build.log"

install -m 600 "$top_srcdir/examples/credentials/demo.json" "$TMP/demo.json"
printf 'fetch required askcred_askui source=static credentials=%s cache=off\n' \
	"$TMP/demo.json" >"$TMP/stack"
LD_LIBRARY_PATH="$libdir" "$TMP/example/host" -m "$libdir/askcred" \
	"$TMP/stack" >"$TMP/out" 2>"$TMP/err"
ok $? "the standalone host fetches through the installed module by name"
sed 's/^/#   /' "$TMP/err"
contains "$TMP/out" "workspace: $DEMO_WS"
ok $? "it prints the demo workspace"
LD_LIBRARY_PATH="$libdir" ldd "$TMP/example/host" | grep -q "$libdir/libaskcred"
ok $? "the standalone host uses the installed libaskcred, not the build tree's"

done_testing
