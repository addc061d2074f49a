#!/bin/sh
# Bash completion: source completion/askcred.bash in bash and ask it what
# it offers at a few command lines. bash-completion's helpers are stubbed
# when the package is absent, so the script's own logic is what is tested.
: "${top_srcdir:?}"
command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 0; }
exec bash -c '
script=$1
n=0 failed=0
if [ -r /usr/share/bash-completion/bash_completion ]; then
	. /usr/share/bash-completion/bash_completion
fi
if ! type _init_completion >/dev/null 2>&1; then
	_init_completion() {
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword - 1]}
	}
	_filedir() { COMPREPLY=(FILES); }
	_command_offset() { COMPREPLY=(COMMAND-AT-$1); }
fi
. "$script" || { echo "Bail out! cannot source $script"; exit 1; }

# offers "WORDS..." -> the sorted, space-joined completions of the last word
offers() {
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_askcred askcred "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ \$//"
}
is() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "# got:  $1"; echo "# want: $2"
		failed=$((failed + 1))
	fi
}

is "$(offers askcred "")" "env exec gc get help policy refresh revoke status validate" \
	"every command is offered"
is "$(offers askcred --st)" "--stack --stack-dir --stack-file" "global options by prefix"
is "$(offers askcred --quiet g)" "gc get" "commands after a global option"
is "$(offers askcred exec --)" "-- --help --lifetime --min-validity --purpose --runner-config" \
	"exec options, --runner-config among them"
is "$(offers askcred exec --runner-config "")" "FILES" "--runner-config takes a file"
is "$(offers askcred exec -- py)" "COMMAND-AT-3" "after -- the command to run is completed"
is "$(offers askcred get --format "")" "env json shell" "get --format values"
is "$(offers askcred gc --)" "--help --json" "gc options"
is "$(offers askcred policy "")" "--help check explain show" "policy subcommands"
is "$(offers askcred policy explain --)" "--help --min-validity --purpose" "policy explain options"
is "$(offers askcred policy check --)" "--help --key --labels --sig" "policy check options"
is "$(offers askcred policy check --key "")" "FILES" "--key takes a file"
is "$(offers askcred --stack-file s.conf status --)" "--help --json" \
	"the command is found after a global option with a value"
is "$(offers askcred help p)" "policy" "help completes command names"
echo "1..$n"
[ $failed -eq 0 ]
' test_completion "$top_srcdir/completion/askcred.bash"
