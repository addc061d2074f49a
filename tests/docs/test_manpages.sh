#!/bin/sh
# The man pages: each renders without a single warning, and askcred.conf(5)
# documents exactly the module arguments the AskUI provider accepts (the
# names come from the parser's own table through list_args).
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

PAGES="askcred.1 askcred.conf.5 askcred-policy.5 askcred-provider.3"

# page NAME: the generated page, from the build tree or, in a tarball
# build without scdoc, the one shipped in the source tree.
page() {
	for d in "$top_builddir/docs" "$top_srcdir/docs"; do
		if [ -f "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

for p in $PAGES; do
	f=$(page "$p")
	ok $? "man page $p was generated"
	[ -n "$f" ] || continue
	if command -v groff >/dev/null 2>&1; then
		silent "$p renders with groff -ww without warnings" \
			groff -man -ww -z "$f"
	else
		skip "groff is not installed"
	fi
	if command -v man >/dev/null 2>&1; then
		silent "$p renders with man --warnings without warnings" \
			env MANWIDTH=80 man --warnings -l "$f"
		# The rendered page really has content, not just a header.
		grep -q '^NAME' "$TMP/silent.out" &&
			grep -q '^SEE ALSO' "$TMP/silent.out"
		ok $? "$p rendered has its NAME and SEE ALSO sections"
	else
		skip "man is not installed"
	fi
done

# Argument drift. The code's list, and the names documented as entries
# ("*name=*...") in the MODULE ARGUMENTS section of the page source.
"$top_builddir/tests/docs/list_args" >"$TMP/code" ||
	bail "tests/docs/list_args failed"
sort -u "$TMP/code" -o "$TMP/code"
sed -n '/^# MODULE ARGUMENTS/,/^# [^#]/p' "$top_srcdir/docs/askcred.conf.5.scd" |
	grep '^\*[a-z_]*=\*' | grep -o '\*[a-z_]*=\*' | tr -d '*=' |
	sort -u >"$TMP/doc"
[ "$(wc -l <"$TMP/code")" -ge 9 ]
ok $? "list_args prints the provider's argument table"

# drift COMM-OPTION DESCRIPTION NOTE: names in only one of the two lists
# (comm -23: only the code's; -13: only the page's), each named in a NOTE.
drift() {
	found=$(comm "$1" "$TMP/code" "$TMP/doc")
	for a in $found; do
		printf "# $3\n" "$a"
	done
	is "$found" "" "$2"
}
drift -23 "askcred.conf(5) documents every module argument" \
	"askcred.conf(5) does not document module argument '%s' (plugin/plugin_config.c has it)"
drift -13 "askcred.conf(5) documents no argument the provider refuses" \
	"askcred.conf(5) documents '%s', which plugin/plugin_config.c does not accept"

# FILES names every stack that make install puts in the stack directory
# (EXAMPLE_STACKS in examples/Makefile.inc).
files=$(sed -n '/^# FILES/,/^# [^F]/p' "$top_srcdir/docs/askcred.conf.5.scd")
for st in $(sed -n '/^EXAMPLE_STACKS/,/^$/p' "$top_srcdir/examples/Makefile.inc" |
	grep -o 'examples/stacks/[a-z-]*'); do
	printf '%s\n' "$files" | grep -qF "*${st#examples/stacks/}*"
	ok $? "askcred.conf(5) FILES names the installed stack ${st#examples/stacks/}"
done

done_testing
