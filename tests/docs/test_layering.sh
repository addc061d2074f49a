#!/bin/sh
# The layering docs/HACKING.md draws, read from the production code's
# #include lines by check_includes.py: no include cycle, no upward arrow,
# instance.h only in the core, every quoted include found in the tree.
. "${top_srcdir:?run through make check}/tests/lib.sh"

out=$(mktemp) || bail "mktemp"
trap 'rm -f "$out"' EXIT
"${PYTHON3:-python3}" "$top_srcdir/tests/docs/check_includes.py" \
	"$top_srcdir" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
for what in "file include cycles" "upward arrows" \
	"instance.h outside the core" "includes not found in the tree"; do
	is "$(sed -n "s/^$what: //p" "$out")" 0 "$what: none"
done
is "$rc" 0 "check_includes.py finds no error (a cycle across folders is one)"
done_testing
