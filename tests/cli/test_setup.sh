#!/bin/sh
# askcred setup against the AskUI emulator, then the README's bare
# commands with no --stack: the user's default stack and askcred.conf
# written by setup are found through $XDG_CONFIG_HOME. Also setup's
# idempotence, its refusal to overwrite a differing file without --force,
# and a bad token refused with the HTTP status named.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"

XDG_CONFIG_HOME="$T/config"
export XDG_CONFIG_HOME
CONF="$XDG_CONFIG_HOME/askcred"
TOKEN=$(cat "$EMU_DIR/parent.token")
setup() { # setup ARGS...: the token on stdin; sets rc, out, err
	printf '%s\n' "$TOKEN" | "$ASKCRED" setup --workspace "$EMU_WS" \
		--api-url "$URL" --ca-file "$EMU_CA" --module "$PLUGIN" \
		"$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# show: the output in the log, and kept for the final leak check.
show() {
	sed -n '1,6s/^/#   /p' "$T/out" "$T/err"
	cat "$T/out" "$T/err" >>"$T/all"
}

# ---- before setup: no default stack ----------------------------------------
"$ASKCRED" --stack-dir "$T/nostacks" get >/dev/null 2>&1
is "$?" 66 "without setup there is no default stack (exit 66)"

# ---- a bad token is refused, naming the HTTP status -----------------------
printf 'not-the-parent-token\n' | "$ASKCRED" setup --workspace "$EMU_WS" \
	--api-url "$URL" --ca-file "$EMU_CA" --module "$PLUGIN" \
	>"$T/out" 2>"$T/err"
rc=$?
show
is "$rc" 68 "a token AskUI does not know: setup fails as invalid (exit 68)"
contains "$T/err" "HTTP 401" && contains "$T/err" "nothing was written"
ok $? "the error names the HTTP status (401) and says nothing was written"
ok "$([ ! -e "$CONF" ] && echo 0 || echo 1)" "nothing was written"
# ---- the token never comes from argv ---------------------------------------
"$ASKCRED" setup --workspace "$EMU_WS" "$TOKEN" </dev/null >"$T/out" 2>"$T/err"
is "$?" 64 "a token given as an argument is a usage error"
ok "$([ ! -e "$CONF" ] && echo 0 || echo 1)" "and nothing was written"

# ---- setup -----------------------------------------------------------------
setup
show
is "$rc" 0 "setup with the emulator's parent token succeeds"
contains "$T/out" "checked: the parent token is valid"
ok $? "it says the token was checked with AskUI"
contains "$T/out" "wrote: $CONF/parent.json"
ok $? "it says where the parent credential went"
is "$(stat -c %a "$CONF/parent.json")" 600 "parent.json is mode 0600"
ok "$([ -f "$CONF/askcred.conf" ] && [ -f "$CONF/stacks/default" ] && echo 0 || echo 1)" \
	"askcred.conf and stacks/default were written"
grep -q "source=mint" "$CONF/stacks/default"
ok $? "the default stack mints"
grep -q "$TOKEN" "$CONF/askcred.conf" "$CONF/stacks/default"
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "the token is only in parent.json"
# ---- running it again changes nothing and says so -------------------------
sum_before=$(cat "$CONF/parent.json" "$CONF/askcred.conf" "$CONF/stacks/default" | cksum)
setup
show
is "$rc" 0 "setup a second time with the same input succeeds"
contains "$T/out" "nothing to do"
ok $? "it says nothing changed"
is "$(cat "$CONF/parent.json" "$CONF/askcred.conf" "$CONF/stacks/default" | cksum)" \
	"$sum_before" "the files are unchanged"
setup --json
show
is "$rc" 0 "setup --json a third time succeeds"
"$PYTHON3" -c 'import json,sys
s = json.load(open(sys.argv[1]))["setup"]
want = [(sys.argv[3] + "/parent.json", "unchanged", "0600"), (sys.argv[3] + "/askcred.conf", "unchanged", "0644"), (sys.argv[3] + "/stacks/default", "unchanged", "0644")]
sys.exit(0 if s["workspace_id"] == sys.argv[2] and [(f["path"], f["result"], f["mode"]) for f in s["files"]] == want else 1)' "$T/out" "$EMU_WS" "$CONF"
ok $? "setup --json is one object: the workspace and each file unchanged, with its mode"
setup --json --config-dir "$T/json-dir"
show
"$PYTHON3" -c 'import json,sys
s = json.load(open(sys.argv[1]))["setup"]
sys.exit(0 if [(f["what"], f["result"]) for f in s["files"]] == [("parent credential", "wrote"), ("configuration", "wrote"), ("default stack", "wrote")] else 1)' "$T/out"
is "$rc:$?" "0:0" "setup --json into a new directory reports the three files written"

# ---- the README's commands, bare (no --stack) -----------------------------
"$ASKCRED" get >"$T/out" 2>"$T/err"
rc=$?
sed -n '1,3s/^/#   /p' "$T/err" # stdout holds a token: not shown
is "$rc" 0 "askcred get (no --stack) works after setup"
grep -q "^ASKUI_WORKSPACE_ID=$EMU_WS\$" "$T/out"
ok $? "it prints the workspace from askcred.conf"
grep -q "^ASKUI_TOKEN=." "$T/out" && ! grep -q "^ASKUI_TOKEN=$TOKEN\$" "$T/out"
ok $? "and a minted token, not the parent"
(
	unset ASKUI_TOKEN ASKUI_WORKSPACE_ID
	eval "$("$ASKCRED" env)" && [ "$ASKUI_WORKSPACE_ID" = "$EMU_WS" ] &&
		[ -n "$ASKUI_TOKEN" ]
)
ok $? 'eval "$(askcred env)" sets ASKUI_WORKSPACE_ID and ASKUI_TOKEN'
"$ASKCRED" status >"$T/out" 2>"$T/err"
rc=$?
show
is "$rc" 0 "askcred status (no --stack) works"
grep -q "$EMU_WS" "$T/out"
ok $? "status lists the cached token's workspace"
"$ASKCRED" gc >"$T/out" 2>"$T/err"
rc=$?
show
is "$rc" 0 "askcred gc (no --stack) works"

# ---- a differing file is not overwritten without --force -------------------
emulator_parent_file "$T/p2.json"
sed -i 's/^# askcred.conf.*/# edited by the admin/' "$CONF/askcred.conf"
setup
show
is "$rc" 65 "a differing askcred.conf is refused (exit 65)"
contains "$T/err" "$CONF/askcred.conf exists and differs"
ok $? "the refusal names the file"
contains "$T/err" "--force"
ok $? "and says --force replaces it"
grep -q "edited by the admin" "$CONF/askcred.conf"
ok $? "the file was kept"
setup --force
show
is "$rc" 0 "with --force setup replaces it"
contains "$T/out" "replaced: $CONF/askcred.conf"
ok $? "and says so"
contains "$T/out" "unchanged: $CONF/parent.json"
ok $? "files that were right are left alone"

# ---- --config-dir writes elsewhere; --system cannot go with it -------------
setup --config-dir "$T/etc/askcred"
show
is "$rc" 0 "--config-dir DIR: setup writes there"
ok "$([ -f "$T/etc/askcred/parent.json" ] && [ -f "$T/etc/askcred/stacks/default" ] && echo 0 || echo 1)" \
	"parent.json and stacks/default are in DIR"
is "$(stat -c %a "$T/etc/askcred/stacks")" 700 \
	"a directory setup creates for a user is private (0700)"
setup --system --config-dir "$T/etc/askcred"
is "$rc" 64 "--system with --config-dir is a usage error"

# ---- a symlink where the credential goes is refused -----------------------
rm "$CONF/parent.json"
ln -s "$T/elsewhere" "$CONF/parent.json"
setup --force
ok "$([ "$rc" -ne 0 ] && [ ! -e "$T/elsewhere" ] && echo 0 || echo 1)" \
	"a symlink at parent.json is refused, not followed"
show

# No token (the parent's or a minted one) in anything setup printed.
emulator_check_leaks "$T/all" "$EMU_DIR"/*.log
done_testing
