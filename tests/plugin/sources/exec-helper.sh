#!/bin/sh
# A stand-in for a secret-store client, for test_exec (docs/exec-protocol.md).
# test_exec copies this file into its private directory under the name of
# the behaviour it wants (a command must not be writable by others, which a
# source tree cannot promise), so "$0"'s base name picks what to do. Every
# run records its environment, open descriptors and stdin next to itself.
dir=$(dirname "$0")
mode=$(basename "$0")
verb=$1
WS=9cf30c31-ea1e-4ff5-994a-c4a0dc70882f
TOKEN=ZXhlYy10ZXN0LXRva2VuLXNlY3JldA
ID=5d2f7a10-8e4b-4c3a-a1b2-c3d4e5f60718
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)

env >"$dir/$mode.env"
# What a program it starts inherits (3 is ls's own directory handle).
ls -1 /proc/self/fd >"$dir/$mode.fds"
echo "$verb" >"$dir/$mode.argv"

answer() {
	printf '{"workspace_id": "%s", "token": "%s", "token_id": "%s", "expires_at": "%s"}\n' \
		"${1:-$WS}" "$TOKEN" "$ID" "$exp"
}

if [ "$verb" = revoke ]; then
	cat >"$dir/$mode.stdin"
	case $mode in
	good) exit 0 ;;
	norevoke) exit 3 ;;
	*)
		# A chatty client repeating what it was given.
		echo "revoke failed for $(cat "$dir/$mode.stdin")" >&2
		exit 2
		;;
	esac
fi

case $mode in
good) answer ;;
otherws) answer 0b7c2f5e-3d1a-4c8e-9f00-112233445566 ;;
garbage) printf '\377\376\000\033[31mgarbage\n' ;;
badjson) echo '{"workspace_id": "'$WS'", "token": ' ;;
missing) printf '{"workspace_id": "%s", "token": "%s", "expires_at": null}\n' "$WS" "$TOKEN" ;;
expired) printf '{"workspace_id": "%s", "token": "%s", "token_id": null, "expires_at": "2001-01-01T00:00:00Z"}\n' "$WS" "$TOKEN" ;;
fail)
	printf 'vault: permission\001 denied\nsecond line\n' >&2
	exit 1
	;;
chatty)
	# Prints its answer, echoes the token on stderr, and fails.
	answer
	echo "client: got token $TOKEN, then lost it" >&2
	exit 1
	;;
huge) head -c 100000 /dev/zero | tr '\0' 'x' ;;
hang)
	# Ignores SIGTERM, and leaves a child in its group: both must die.
	trap '' TERM
	sleep 60 &
	sleep 60
	;;
*) echo "exec-helper: unknown mode $mode" >&2; exit 64 ;;
esac
