#!/usr/bin/env bash
# Every C file we own is formatted by the root .clang-format. Prints the
# files that are not, and how to fix them.
set -u
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed" >&2; exit 1; }
bad=()
while IFS= read -r f; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './_build*')
if [ ${#bad[@]} -ne 0 ]; then
	echo "not formatted (run: clang-format -i ${bad[*]}):"
	printf '  %s\n' "${bad[@]}"
	exit 1
fi
echo "format ok"
