#!/bin/sh
# Bash completion: source completion/askcred.bash in bash and ask it what
# it offers at a few command lines, as bash asks it (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT set). Twice, in two fresh bash processes: once in
# plain bash, where the script must fall back on compgen without a word on
# stderr, and once with Debian's bash-completion loaded first, whose
# _init_completion, _filedir and _command_offset it then uses. File and
# command names come from a private directory and PATH, so both runs
# expect the same answers.
. "${top_srcdir:?run through make check}/tests/lib.sh"
command -v bash >/dev/null 2>&1 || skip_all "no bash"
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/askcred-compl.XXXXXX") || bail "mktemp -d"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$TMP/cwd" "$TMP/bin"
: >"$TMP/cwd/one.conf"
: >"$TMP/cwd/two.conf"
for c in pyone pytwo; do
	printf '#!/bin/sh\n' >"$TMP/bin/$c"
	chmod 755 "$TMP/bin/$c"
done

# The checks, run by bash: $1 the script, $2 the bash_completion file to
# load first (empty: none), $3 a label for the descriptions, $4 how many
# checks came before, $5 where to leave "checks failed" for this shell.
checks='
script=$1 bashcomp=$2 label=$3 state=$5
. "$top_srcdir/tests/lib.sh"
tap_n=$4
if [ -n "$bashcomp" ]; then
	. "$bashcomp" || bail "cannot source $bashcomp"
	declare -F _init_completion >/dev/null ||
		bail "$bashcomp gives no _init_completion"
fi
. "$script" 2>"$TMP/source.err" || bail "cannot source $script"
is "$(cat "$TMP/source.err")" "" "$label: the script loads quietly"
cd "$TMP/cwd" || bail "cd"

# offers WORDS...: the sorted, space-joined completions of the last word,
# asked as bash asks when TAB is pressed at the end of the line.
offers() {
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
	PATH=$TMP/bin _askcred askcred "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}" 2>>"$TMP/complete.err"
	printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ \$//"
}
: >"$TMP/complete.err"

is "$(offers askcred "")" "env exec gc get help policy refresh revoke setup status tokens validate" \
	"$label: every command is offered"
is "$(offers askcred tokens "")" "--help enforce list revoke" "$label: tokens subcommands"
is "$(offers askcred tokens revoke --)" "--dry-run --help --host --id --json --older-than --orphaned" \
	"$label: tokens revoke selectors"
is "$(offers askcred --st)" "--stack --stack-dir --stack-file" "$label: global options by prefix"
is "$(offers askcred --quiet g)" "gc get" "$label: commands after a global option"
is "$(offers askcred exec --)" "-- --help --json --lifetime --min-validity --on-renew --overlap --purpose --renew --runner-config --stop-signal --stop-timeout" \
	"$label: exec options, --runner-config among them"
is "$(offers askcred exec --runner-config "")" "one.conf two.conf" \
	"$label: --runner-config takes a file"
is "$(offers askcred exec -- py)" "pyone pytwo" \
	"$label: after -- the command to run is completed"
is "$(offers askcred get --format "")" "env json shell" "$label: get --format values"
is "$(offers askcred gc --)" "--help --json" "$label: gc options"
is "$(offers askcred policy "")" "--help check explain show" "$label: policy subcommands"
is "$(offers askcred policy explain --)" "--help --json --min-validity --purpose" \
	"$label: policy explain options"
is "$(offers askcred policy check --)" "--help --json --key --labels --sig" \
	"$label: policy check options"
is "$(offers askcred policy check --key t)" "two.conf" "$label: --key takes a file"
is "$(offers askcred --stack-file s.conf status --)" "--help --json" \
	"$label: the command is found after a global option with a value"
is "$(offers askcred help p)" "policy" "$label: help completes command names"
mkdir -p "$TMP/cfg/askcred/stacks" "$TMP/sys" "$TMP/dir"
: >"$TMP/cfg/askcred/stacks/mine"
: >"$TMP/sys/default"
: >"$TMP/sys/mint"
: >"$TMP/dir/other"
_askcred_stack_dir=$TMP/sys
is "$(XDG_CONFIG_HOME=$TMP/cfg offers askcred --stack "")" "default mine mint" \
	"$label: --stack offers the stacks of the user and of the host"
is "$(XDG_CONFIG_HOME=$TMP/cfg offers askcred get --stack m)" "mine mint" \
	"$label: --stack after the command too"
is "$(offers askcred --stack-dir "$TMP/dir" --stack "")" "other" \
	"$label: --stack-dir names the one directory"
# compopt refuses to run outside a real TAB (bash-completion calls it):
# an artifact of calling _askcred directly, not a message a user sees.
is "$(grep -v "compopt: not currently executing completion function" \
	"$TMP/complete.err")" "" "$label: no TAB prints a word on stderr"
echo "$tap_n $tap_failed" >"$state"
'
export TMP top_srcdir

# run_checks BASH_COMPLETION LABEL: one bash, its checks counted here.
run_checks() {
	bash -c "$checks" test_completion "$top_srcdir/completion/askcred.bash" \
		"$1" "$2" "$tap_n" "$TMP/state" || true
	[ -s "$TMP/state" ] || bail "$2: the checks did not run to their end"
	read -r tap_n _failed <"$TMP/state"
	tap_failed=$((tap_failed + _failed))
	rm -f "$TMP/state"
}

run_checks "" "plain bash"
if [ -r "$BASH_COMPLETION" ]; then
	run_checks "$BASH_COMPLETION" "with bash-completion"
else
	skip "with bash-completion" "$BASH_COMPLETION is not installed"
fi
done_testing
