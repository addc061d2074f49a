# The TAP library of every shell test (POSIX sh). Sourced, not run.
#
#   ok STATUS DESC          one check: passes when STATUS is 0
#   is GOT WANT DESC        passes when GOT = WANT, else shows both
#   has FILE TEXT DESC      passes when FILE holds the fixed string TEXT
#   contains FILE TEXT      no TAP line: 0 when FILE holds TEXT
#   known ID WHERE STATUS DESC
#                           a check that may meet the known upstream
#                           finding ID (tests/known-findings) at WHERE:
#                           listed there, it is an expected failure
#                           (TAP "# TODO known ID"), and passing is an
#                           unexpected pass, which fails; not listed, it
#                           is a plain check
#   skip DESC [REASON]      one skipped check
#   skip_all REASON         plan 1..0 with the reason, exit 0
#   diag TEXT...            a TAP comment
#   bail TEXT...            "Bail out!", exit 1
#   done_testing            the plan; a false status if anything failed
#
# TAP_FAIL_HOOK, when set, is evaluated after each failed check (to show
# what the command said, say). ok, is, has and known return 0, so that
# a failed check never stops a script run with set -e.

tap_n=0
tap_failed=0
: "${TAP_FAIL_HOOK:=}"

# tap_line STATUS DESC [DIRECTIVE]: print one numbered check.
tap_line() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2${3:+ # $3}"
	else
		echo "not ok $tap_n - $2${3:+ # $3}"
	fi
}

ok() { # ok STATUS DESCRIPTION: passes when STATUS is 0
	tap_line "$1" "$2"
	if [ "$1" -ne 0 ]; then
		tap_failed=$((tap_failed + 1))
		[ -z "$TAP_FAIL_HOOK" ] || eval "$TAP_FAIL_HOOK"
	fi
	return 0
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
	fi
}

# contains FILE STRING: 0 when FILE holds STRING, byte for byte.
contains() {
	grep -qF -e "$2" "$1"
}

has() { # has FILE TEXT DESCRIPTION
	if contains "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		sed 's/^/# /' "$1"
	fi
}

# The closed list of known upstream findings: "ID WHERE[,WHERE...]
# REASON..." lines; see the file.
KNOWN_FINDINGS=${KNOWN_FINDINGS:-${top_srcdir:-.}/tests/known-findings}

# known_listed ID WHERE: 0 when the list names ID at WHERE.
known_listed() {
	[ -r "$KNOWN_FINDINGS" ] || return 1
	awk -v id="$1" -v where="$2" '
		/^#/ || NF < 3 { next }
		$1 == id {
			n = split($2, w, ",")
			for (i = 1; i <= n; i++) if (w[i] == where) found = 1
		}
		END { exit !found }' "$KNOWN_FINDINGS"
}

known() { # known ID WHERE STATUS DESCRIPTION
	if ! known_listed "$1" "$2"; then
		ok "$3" "$4"
		return
	fi
	if [ "$3" -ne 0 ]; then
		tap_line 1 "$4" "TODO known $1"
		return
	fi
	# An unexpected pass (XPASS): the finding is gone, drop it from the
	# list so that it cannot come back unnoticed.
	tap_line 0 "$4" "TODO known $1 no longer happens at $2: remove it from tests/known-findings"
	tap_failed=$((tap_failed + 1))
}

skip() { # skip DESCRIPTION [REASON]
	tap_n=$((tap_n + 1))
	if [ $# -ge 2 ]; then
		echo "ok $tap_n - $1 # SKIP $2"
	else
		echo "ok $tap_n # SKIP $1"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

diag() {
	echo "# $*"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
