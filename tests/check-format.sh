#!/usr/bin/env bash
# Every C file we own is formatted by the root .clang-format. Prints the
# files that are not, and how to fix them.
#
# clang-format gets the files in batches, one batch per CPU, and names
# each file it would change in a -Wclang-format-violations line: a start of
# clang-format per file cost the CI run 25 s.
set -u
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed" >&2; exit 1; }
files() {
	git ls-files -z '*.c' '*.h' 2>/dev/null ||
		find . -name '*.[ch]' -not -path './_build*' -print0
}
out=$(files | xargs -0 -r -P "$(nproc 2>/dev/null || echo 2)" -n 40 \
	clang-format --dry-run --Werror 2>&1 >/dev/null)
rc=$?
mapfile -t bad < <(printf '%s\n' "$out" |
	sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*\[-Wclang-format-violations\]$/\1/p' |
	sort -u)
if [ ${#bad[@]} -ne 0 ]; then
	echo "not formatted (run: clang-format -i ${bad[*]}):"
	printf '  %s\n' "${bad[@]}"
	exit 1
fi
# clang-format failed for a reason other than a file to reformat.
if [ $rc -ne 0 ]; then
	printf '%s\n' "$out" | head -20
	echo "clang-format failed (exit status $rc)"
	exit 1
fi
echo "format ok"
