#!/bin/sh
# The built module exports exactly its entry point, is hardened (full RELRO,
# BIND_NOW, no executable stack) and does not link libcurl: a cache hit must
# never load the network stack.
set -u
. "${top_srcdir:?run through make check}/tests/lib.sh"
so="${top_builddir:-.}/plugin/.libs/askcred_askui.so"

for tool in nm readelf; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed"
done
[ -f "$so" ] || bail "$so is not built"

check() { # check <description> <command...>
	desc=$1
	shift
	"$@"
	ok $? "$desc"
}

exports=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort)
only_entry() { [ "$exports" = "askcred_provider_entry" ]; }
check "module exports exactly askcred_provider_entry" only_entry
[ "$exports" = "askcred_provider_entry" ] || echo "# exports: $exports"

dyn=$(readelf -dW "$so")
phdrs=$(readelf -lW "$so")
bind_now() { echo "$dyn" | grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW'; }
relro() { echo "$phdrs" | grep -q 'GNU_RELRO'; }
stack_not_exec() {
	echo "$phdrs" | grep 'GNU_STACK' | grep -qv 'RWE'
}
no_curl() { ! echo "$dyn" | grep 'NEEDED' | grep -q 'libcurl'; }
check "module is linked with BIND_NOW" bind_now
check "module has a GNU_RELRO segment" relro
check "module stack is not executable (GNU_STACK without X)" stack_not_exec
check "module does not link libcurl" no_curl
# The tests' fault hooks (-Wl,--wrap, tests/plugin/cache/callhook.c) are
# linked into test programs only.
no_test_hooks() { ! nm "$so" 2>/dev/null | grep -Eq '__wrap_|callhook'; }
check "module carries no test fault hook (__wrap_, callhook)" no_test_hooks

done_testing
