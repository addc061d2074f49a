#!/usr/bin/env bash
# The Quick start demo: a credential from the embedded demo default
# (examples/credentials/demo.json, a fake workspace and token) fetched
# through the dlopen'd plugin by the askcred command. No AskUI account.
set -euo pipefail
b=$(cd "${1:-_build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
install -m 0600 "$(dirname "$0")/credentials/demo.json" "$tmp/demo.json"
cat >"$tmp/stack" <<STACK
fetch required $b/plugin/.libs/askcred_askui.so source=static credentials=$tmp/demo.json
STACK
echo "== askcred get --format json (demo credential, fake token)"
"$b/cli/askcred" --stack-file "$tmp/stack" get --format json
echo "== askcred exec: the child sees the token only in its environment"
"$b/cli/askcred" --stack-file "$tmp/stack" exec -- sh -c 'echo "child got workspace $ASKUI_WORKSPACE_ID and a ${#ASKUI_TOKEN}-byte token"'
