#!/bin/sh
# askcred get / env: each format prints what its reader expects, tokens
# with shell metacharacters survive eval, and no failure leaks a token.
. "${top_srcdir:?}/tests/cli/lib.sh"

ASKUI_WORKSPACE_ID=$WS
export ASKUI_WORKSPACE_ID

# Tokens a static source accepts that a naive quoting would break.
for tok in "plainTOKEN_abc-123" "it's" "two words" 'dollar$HOME' \
	'back`id`tick' "semi;colon|pipe&" "q'u'o't'e's" 'back\slash"dq'; do
	ASKUI_TOKEN=$tok
	export ASKUI_TOKEN
	run env
	got=$(unset ASKUI_TOKEN ASKUI_WORKSPACE_ID
		eval "$(cat "$TMP/out")" && printf '%s|%s' "$ASKUI_WORKSPACE_ID" "$ASKUI_TOKEN")
	is "$rc:$got" "0:$WS|$tok" "env output survives eval for token <$tok>"

	run get --format shell
	got=$(unset ASKUI_TOKEN; eval "$(cat "$TMP/out")" && printf '%s' "$ASKUI_TOKEN")
	is "$got" "$tok" "get --format shell equals env for token <$tok>"

	run get --format json
	got=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"], end="")' "$TMP/out")
	is "$rc:$got" "0:$tok" "get --format json carries token <$tok> exactly"
done

ASKUI_TOKEN=pl41nT0ken_xyz
export ASKUI_TOKEN

run get
is "$rc" 0 "get succeeds"
is "$(cat "$TMP/out")" "ASKUI_WORKSPACE_ID=$WS
ASKUI_TOKEN=pl41nT0ken_xyz" "get defaults to env format: two KEY=value lines"
is "$(cat "$TMP/err")" "" "get prints nothing on stderr when all is well"

run get --format env
is "$(sed -n 2p "$TMP/out")" "ASKUI_TOKEN=pl41nT0ken_xyz" "get --format env prints ASKUI_TOKEN=value"

run get --format json
"$PYTHON3" - "$TMP/out" "$WS" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
want = {"workspace_id", "token", "token_id", "issued_at", "expires_at",
        "source", "stale", "from_cache"}
assert want <= set(o), sorted(want - set(o))
assert o["workspace_id"] == sys.argv[2]
assert o["token"] == "pl41nT0ken_xyz"
assert o["source"] == "static", o["source"]
assert isinstance(o["stale"], bool) and isinstance(o["from_cache"], bool)
assert o["expires_at"] is None  # a static token from env never expires
PY
ok $? "get --format json has workspace_id, token, token_id, times, source, flags"

run get --format yaml
is "$rc" 64 "unknown format exits 64"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "unknown format gives one line on stderr"
contains "$TMP/err" "yaml"
ok $? "the message names the bad format"
is "$(cat "$TMP/out")" "" "nothing on stdout after a usage error"

run get --min-validity 5y
is "$rc" 64 "bad duration exits 64"
run get --frobnicate
is "$rc" 64 "unknown option exits 64"
run get extra
is "$rc" 64 "stray argument exits 64"

"$ASKCRED" --stack-file "$TMP/no-such-stack" get >"$TMP/out" 2>"$TMP/err"
rc=$?
ok "$([ "$rc" = 65 ] || [ "$rc" = 66 ]; echo $?)" "missing stack file exits 65 or 66 (got $rc)"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "missing stack file gives one line on stderr"
contains "$TMP/err" "no-such-stack"
ok $? "the message names the stack"

"$ASKCRED" --stack-dir "$TMP" --stack nothere get >"$TMP/out" 2>"$TMP/err"
rc=$?
ok "$([ "$rc" = 65 ] || [ "$rc" = 66 ]; echo $?)" "unknown stack name exits 65 or 66 (got $rc)"
is "$(wc -l <"$TMP/err" | tr -d ' ')" 1 "unknown stack name gives one line on stderr"

"$ASKCRED" --stack ../etc get >"$TMP/out" 2>"$TMP/err"
is "$?" 64 "a stack name with a slash is a usage error"

printf 'fetch required %s no_such_key=1\n' "$PLUGIN" >"$TMP/bad-stack"
chmod 600 "$TMP/bad-stack"
"$ASKCRED" --stack-file "$TMP/bad-stack" get >"$TMP/out" 2>"$TMP/err"
is "$?" 65 "a module refusing its arguments exits 65"
contains "$TMP/err" "bad-stack"
ok $? "the message names the stack file"

unset ASKUI_TOKEN
run get
ok "$([ "$rc" -ge 65 ] && [ "$rc" -le 68 ]; echo $?)" "no token in the environment fails with a credential status (got $rc)"
is "$(cat "$TMP/out")" "" "nothing on stdout when no credential was found"

# A token the static source refuses must not be echoed in the complaint.
ASKUI_TOKEN="SeCrEt-$(printf 'x\001y')"
export ASKUI_TOKEN
run get
ok "$([ "$rc" -ne 0 ]; echo $?)" "a token with a control character is refused"
! contains "$TMP/err" "SeCrEt" && ! contains "$TMP/out" "SeCrEt"
ok $? "the refused token appears on neither stdout nor stderr"

ASKUI_TOKEN=SeCrEt-ToKeN-42
ASKUI_WORKSPACE_ID=not-a-uuid
run get
ok "$([ "$rc" -ne 0 ]; echo $?)" "a bad workspace id is refused"
! contains "$TMP/err" "SeCrEt-ToKeN-42"
ok $? "failure with a bad workspace id does not show the token"
ASKUI_WORKSPACE_ID=$WS

for args in "get --format nope" "get --min-validity x" "exec" \
	"status --bogus" "-v get --format xml" "-vv get --purpose"; do
	# shellcheck disable=SC2086
	run $args
	! contains "$TMP/err" "SeCrEt-ToKeN-42"
	ok $? "token not on stderr for failing 'askcred $args' (status $rc)"
done

"$ASKCRED" --help >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "--help exits 0"
contains "$TMP/out" "usage: askcred" && contains "$TMP/out" "Exit status"
ok $? "--help shows usage and the exit statuses"
"$ASKCRED" get --help >"$TMP/out" 2>&1
contains "$TMP/out" "--format env|shell|json"
ok $? "get --help shows the get options"
"$ASKCRED" --version >"$TMP/out" 2>&1
is "$?" 0 "--version exits 0"
contains "$TMP/out" "askcred "
ok $? "--version names the program"
"$ASKCRED" >"$TMP/out" 2>"$TMP/err"
is "$?" 64 "no command exits 64"
"$ASKCRED" frobnicate >"$TMP/out" 2>"$TMP/err"
is "$?" 64 "unknown command exits 64"

"$ASKCRED" help nosuch >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/out" | tr -d ' ')" "64:0" \
	"help for an unknown command exits 64 and prints no overview"
contains "$TMP/err" "help: unknown command 'nosuch' (get, env"
ok $? "help names the unknown command and the known ones"
"$ASKCRED" help get >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "help for a known command exits 0"
"$ASKCRED" help --json get >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "help --json for a known command exits 0"
"$PYTHON3" -c 'import json,sys; h=json.load(open(sys.argv[1]))["help"]; sys.exit(0 if h["command"]=="get" and h["text"].startswith("usage: askcred [GLOBAL OPTIONS] get") else 1)' "$TMP/out"
ok $? "help --json get is one object holding get's help text"
"$ASKCRED" help --json >"$TMP/out" 2>"$TMP/err"
"$PYTHON3" -c 'import json,sys; h=json.load(open(sys.argv[1]))["help"]; sys.exit(0 if h["command"] is None and "Exit status:" in h["text"] else 1)' "$TMP/out"
ok $? "help --json alone is the overview, command null"
"$ASKCRED" help nosuch --json >"$TMP/out" 2>"$TMP/err"
rc=$?
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(0 if e["exit"]==64 and "nosuch" in e["message"] else 1)' "$TMP/out"
is "$rc:$?" "64:0" "help --json for an unknown command is a JSON error, exit 64"

"$ASKCRED" policy >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/out" | tr -d ' ')" "64:0" \
	"policy alone exits 64 with nothing on stdout"
contains "$TMP/err" "policy: give a subcommand (check, show, explain)" &&
	contains "$TMP/err" "policy check FILE"
ok $? "policy alone says what is missing, with its usage, on stderr"

# Global options after the command, as a user writes them.
"$ASKCRED" get --stack-file "$STACK" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "get --stack-file after the command is accepted"
contains "$TMP/out" "ASKUI_WORKSPACE_ID=$WS"
ok $? "... and uses that stack"
"$ASKCRED" get --stack nosuchstack --stack-dir "$TMP" >"$TMP/out" 2>"$TMP/err"
is "$?" 66 "get --stack NAME after the command looks up that stack"
contains "$TMP/err" "cannot open stack nosuchstack"
ok $? "... and names it"
"$ASKCRED" -q get --stack-file="$STACK" --format json >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "--stack-file=PATH after the command, among command options"
cp "$STACK" "$TMP/--stack"
(cd "$TMP" && "$ASKCRED" --stack-file "$STACK" exec -- sh -c 'printf %s "$1"' sh --stack) \
	>"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/out")" "0:--stack" \
	"words after exec's -- are never taken as global options"

done_testing
