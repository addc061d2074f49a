# bash completion for askcred(1)                          -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/askcred.

# The host's stack directory: the install rule writes the configured
# one here (askcred looks there after the user's own).
_askcred_stack_dir=/etc/askcred/stacks

# _askcred_stacks [DIR]: the stack names in DIR (--stack-dir), else in the
# user's ${XDG_CONFIG_HOME:-~/.config}/askcred/stacks and the host's.
_askcred_stacks()
{
	local dir f
	local -a dirs=("${1-}")
	local -A seen=()
	[[ -n ${1-} ]] ||
		dirs=("${XDG_CONFIG_HOME:-$HOME/.config}/askcred/stacks"
			"$_askcred_stack_dir")
	# Bash only: a completion runs with whatever PATH the user has.
	for dir in "${dirs[@]}"; do
		[[ -d $dir ]] || continue
		for f in "$dir"/*; do
			[[ -f $f && -z ${seen[${f##*/}]-} ]] || continue
			seen[${f##*/}]=1
			printf '%s\n' "${f##*/}"
		done
	done
}

# bash-completion (the package) gives _init_completion, _filedir and
# _command_offset; without it, plain bash's COMP_WORDS, COMP_CWORD and
# compgen do, so that the script works, quietly, either way.
_askcred_init()
{
	if declare -F _init_completion >/dev/null; then
		_init_completion
		return
	fi
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]}
	prev=${words[cword - 1]}
}

# _askcred_files [-d]: file (or directory) names starting with $cur.
_askcred_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$@"
	elif [[ ${1-} == -d ]]; then
		COMPREPLY=($(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

# _askcred_command N: complete words[N...] as a command line of its own.
_askcred_command()
{
	if declare -F _command_offset >/dev/null; then
		_command_offset "$1"
	elif ((cword == $1)); then
		COMPREPLY=($(compgen -c -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_askcred()
{
	local cur prev words cword
	_askcred_init || return

	local commands="get env exec validate refresh revoke status gc tokens policy setup help"
	local globals="--stack --stack-file --stack-dir --module-dir --labels
		--quiet --verbose --help --version"
	local request="--purpose --min-validity --lifetime --no-cache
		--force-refresh --help"
	local i cmd= cmd_at=0 stack_dir=

	# Find the command: the first word that is not a global option or
	# the value of one.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--stack | --stack-file | --stack-dir | --module-dir | --labels)
			[[ ${words[i]} == --stack-dir ]] && stack_dir=${words[i + 1]}
			((i++))
			;;
		-*) ;;
		*)
			cmd=${words[i]}
			cmd_at=$i
			break
			;;
		esac
	done

	case $prev in
	--stack)
		COMPREPLY=($(compgen -W "$(_askcred_stacks "$stack_dir")" -- "$cur"))
		return
		;;
	--stack-file | --runner-config | --key | --sig)
		_askcred_files
		return
		;;
	--stack-dir | --module-dir)
		_askcred_files -d
		return
		;;
	--format)
		COMPREPLY=($(compgen -W "env shell json" -- "$cur"))
		return
		;;
	--on-renew)
		COMPREPLY=($(compgen -W "restart signal:HUP none" -- "$cur"))
		return
		;;
	--stop-signal)
		COMPREPLY=($(compgen -W "TERM INT QUIT HUP USR1 USR2" -- "$cur"))
		return
		;;
	--min-validity | --lifetime | --stop-timeout | --overlap)
		COMPREPLY=($(compgen -W "90s 5m 30m 1h 2h 1d" -- "$cur"))
		return
		;;
	--labels | --purpose)
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	get)
		COMPREPLY=($(compgen -W "--format --json $request" -- "$cur"))
		;;
	env)
		COMPREPLY=($(compgen -W "--json $request" -- "$cur"))
		;;
	exec)
		# After "--", complete the command to run and its arguments.
		for ((i = cmd_at + 1; i < cword; i++)); do
			if [[ ${words[i]} == -- ]]; then
				_askcred_command $((i + 1))
				return
			fi
		done
		COMPREPLY=($(compgen -W "--purpose --min-validity --lifetime
			--runner-config --renew --on-renew --stop-signal
			--stop-timeout --overlap --json --help --" -- "$cur"))
		;;
	validate)
		COMPREPLY=($(compgen -W "--purpose --min-validity --no-cache --json --help" -- "$cur"))
		;;
	refresh)
		COMPREPLY=($(compgen -W "--purpose --lifetime --json --help" -- "$cur"))
		;;
	revoke)
		COMPREPLY=($(compgen -W "--purpose --json --help" -- "$cur"))
		;;
	status | gc)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		;;
	tokens)
		if ((cword == cmd_at + 1)); then
			COMPREPLY=($(compgen -W "list revoke enforce --help" -- "$cur"))
		elif [[ ${words[cmd_at + 1]} == revoke ]]; then
			COMPREPLY=($(compgen -W "--host --older-than --orphaned --id
				--dry-run --json --help" -- "$cur"))
		elif [[ ${words[cmd_at + 1]} == enforce ]]; then
			COMPREPLY=($(compgen -W "--dry-run --json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		fi
		;;
	setup)
		COMPREPLY=($(compgen -W "--workspace --api-url --ca-file --module
			--system --config-dir --force --json --help" -- "$cur"))
		;;
	policy)
		if ((cword == cmd_at + 1)); then
			COMPREPLY=($(compgen -W "check show explain --help" -- "$cur"))
		elif [[ ${words[cmd_at + 1]} == check ]]; then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--key --sig --labels --json --help" -- "$cur"))
			else
				_askcred_files
			fi
		elif [[ ${words[cmd_at + 1]} == show ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		elif [[ ${words[cmd_at + 1]} == explain ]]; then
			COMPREPLY=($(compgen -W "--purpose --min-validity --json --help" -- "$cur"))
		fi
		;;
	help)
		((cword == cmd_at + 1)) &&
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	esac
} &&
	complete -F _askcred askcred

# ex: filetype=sh
