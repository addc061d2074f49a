#!/bin/sh
# The policy has no path that fails open (issue 11): a lasting rollback
# guard on every stack with a policy, a refused source is never asked,
# every line of a stack carries the same policy, every refusal is audited
# with its reason, audit lines say who and why, audit_required fails
# closed, and revocation is always possible.
. "${top_srcdir:?}/tests/cli/lib.sh"
: "${OPENSSL_BIN:=openssl}"

"$OPENSSL_BIN" version >/dev/null 2>&1 || {
	echo "1..0 # SKIP no openssl command to sign policies"
	exit 0
}
"$OPENSSL_BIN" genpkey -algorithm ed25519 -out "$TMP/sign.pem" 2>/dev/null
"$OPENSSL_BIN" pkey -in "$TMP/sign.pem" -pubout -out "$TMP/key.pem"
chmod 644 "$TMP/key.pem"

# policy FILE SERIAL [RULES]: write a document and sign it.
policy() {
	printf '{"schema_version": 1, "serial": %s, "max_age": "30d", "rules": {%s}}\n' \
		"$2" "${3:-}" >"$1"
	chmod 644 "$1"
	"$OPENSSL_BIN" pkeyutl -sign -rawin -inkey "$TMP/sign.pem" -in "$1" \
		-out "$1.sig"
	chmod 644 "$1.sig"
}

ASKUI_WORKSPACE_ID=$WS ASKUI_TOKEN=st4ticT0ken_abc
export ASKUI_WORKSPACE_ID ASKUI_TOKEN
P="$TMP/policy.json"

# ---- 1. a lasting rollback guard, whatever the cache setting ----
# No policy_state_dir, cache=off and source=static: nothing else keeps
# state, so the guard lives in the default <cache dir>/policy.
write_stack "$STACK" cache=off "policy=$P" "policy_keys=$TMP/key.pem"
policy "$P" 2 '"sources": ["mint"]'
run get
is "$rc" 67 "rollback: serial 2 (mint only) refuses the static token"
policy "$P" 1
run get
is "$rc" 67 "rollback: a later process refuses the validly signed older serial 1"
contains "$TMP/err" "source"
ok $? "rollback: serial 2 stays in force (its reason: source)"
run policy show
contains "$TMP/out" "policy serial 2"
ok $? "rollback: policy show names serial 2 in force"
contains "$TMP/out" "lower than"
ok $? "rollback: and says why serial 1 was refused"
[ -f "$TMP/cache/askcred/policy/policy.serial" ]
ok $? "rollback: the guard is kept in \$XDG_CACHE_HOME/askcred/policy"

# Nowhere to keep the guard: refused with a clear error, never unguarded.
unset XDG_CACHE_HOME
HOME=relative
run get
HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
export HOME XDG_CACHE_HOME
is "$rc" 65 "rollback: no place for the guard is a configuration error"
contains "$TMP/err" "rollback guard"
ok $? "rollback: the error says the guard has no place"
contains "$TMP/err" "policy_state_dir"
ok $? "rollback: and names the argument that gives it one"

# ---- 4. a refused source is never asked ----
cat >"$TMP/helper" <<HELPER
#!/bin/sh
: >"$TMP/helper-ran"
printf '{"workspace_id": "%s", "token_id": "%s", "token": "ex3cT0ken_abc", "expires_at": null}\\n' "$WS" "$WS"
HELPER
chmod 755 "$TMP/helper"
policy "$TMP/mint-only.json" 1 '"sources": ["mint"]'
args="source=exec command=$TMP/helper cache=off policy=$TMP/mint-only.json"
args="$args policy_keys=$TMP/key.pem policy_state_dir=$TMP/pstate-exec"
printf 'fetch required %s %s\n' "$PLUGIN" "$args" >"$TMP/exec-stack"
chmod 600 "$TMP/exec-stack"
rm -f "$TMP/helper-ran"
"$ASKCRED" --stack-file "$TMP/exec-stack" get >"$TMP/out" 2>"$TMP/err"
is "$?" 67 "refused source: get is refused by the policy (67)"
contains "$TMP/err" "source"
ok $? "refused source: the error names the source rule"
[ ! -e "$TMP/helper-ran" ]
ok $? "refused source: the exec command never ran"
policy "$TMP/exec-ok.json" 1 '"sources": ["exec"]'
sed "s|$TMP/mint-only.json|$TMP/exec-ok.json|; s|pstate-exec|pstate-exec2|" \
	"$TMP/exec-stack" >"$TMP/exec-stack2"
chmod 600 "$TMP/exec-stack2"
"$ASKCRED" --stack-file "$TMP/exec-stack2" get >"$TMP/out" 2>"$TMP/err"
is "$?:$([ -e "$TMP/helper-ran" ] && echo ran)" "0:ran" \
	"allowed source: the exec command runs and get succeeds"

# ---- 6. every refusal the policy causes is audited, with its reason ----
printf '{"workspace_id": "%s", "token": "par3ntT0ken_abc"}\n' "$WS" >"$TMP/parent.json"
chmod 600 "$TMP/parent.json"
policy "$TMP/life.json" 1 '"max_lifetime": "1h"'
args="source=mint parent_credentials=$TMP/parent.json api_url=https://127.0.0.1:9/api/v1"
args="$args lifetime=1h policy=$TMP/life.json policy_keys=$TMP/key.pem"
args="$args policy_state_dir=$TMP/pstate-mint audit_file=$TMP/mint-audit.log"
printf 'fetch required %s %s\n' "$PLUGIN" "$args" >"$TMP/mint-stack"
chmod 600 "$TMP/mint-stack"
"$ASKCRED" --stack-file "$TMP/mint-stack" get --min-validity 2h --purpose nightly \
	>"$TMP/out" 2>"$TMP/err"
is "$?" 67 "refusal audit: --min-validity 2h under max_lifetime 1h is refused (67)"
grep '"decision":"deny"' "$TMP/mint-audit.log" | grep -q '"reason":"max_lifetime"'
ok $? "refusal audit: a deny line with reason max_lifetime is written"
grep -q '"purpose":"nightly"' "$TMP/mint-audit.log"
ok $? "refusal audit: the deny line carries the purpose"
contains "$TMP/err" "max_lifetime"
ok $? "refusal audit: the error names the reason code"

# ---- 7. audit lines carry --purpose and the machine's host name ----
write_stack "$STACK" cache=off "audit_file=$TMP/audit.log"
run get --purpose "build 42"
is "$rc" 0 "audit content: get succeeds"
grep -q '"purpose":"build 42"' "$TMP/audit.log"
ok $? "audit content: the line carries --purpose"
host=$(hostname 2>/dev/null || uname -n)
grep -qF "\"host\":\"$host\"" "$TMP/audit.log"
ok $? "audit content: host is the machine's host name ($host)"
! grep -q '"host":"askcred' "$TMP/audit.log"
ok $? "audit content: host is not the program's name"

# ---- 8. audit_required=on fails closed when the line cannot be written ----
# A file size limit of 0 makes the append fail (EFBIG, SIGXFSZ ignored)
# after the file was checked at open; the output goes through a pipe.
: >"$TMP/full.log"
chmod 600 "$TMP/full.log"
audit_full() { # audit_full STACK ARGS...: run under the limit
	st=$1
	shift
	(trap '' XFSZ; ulimit -f 0; exec "$ASKCRED" --stack-file "$st" "$@") \
		2>&1 | cat >"$TMP/out"
}
write_stack "$STACK" cache=off "audit_file=$TMP/full.log"
audit_full "$STACK" get
contains "$TMP/out" "ASKUI_TOKEN=st4ticT0ken_abc"
ok $? "audit_required off: an unwritable audit line still hands out (the old default)"
write_stack "$STACK" cache=off "audit_file=$TMP/full.log" audit_required=on
audit_full "$STACK" get
! contains "$TMP/out" "st4ticT0ken_abc"
ok $? "audit_required=on: nothing is handed out when the audit write fails"
contains "$TMP/out" "audit_required"
ok $? "audit_required=on: the error names audit_required"
contains "$TMP/out" "$TMP/full.log"
ok $? "audit_required=on: and the audit file"
write_stack "$STACK" cache=off "audit_file=$TMP/audit.log" audit_required=on
run get
is "$rc" 0 "audit_required=on: with a writable audit file get succeeds"

# ---- 5. every line of a stack carries the same policy ----
# The policy on the fetch line only: refresh would hand out past it.
policy "$TMP/lines.json" 1 '"sources": ["mint"]'
(
	umask 077
	printf 'fetch required %s source=static cache=off policy=%s policy_keys=%s\n' \
		"$PLUGIN" "$TMP/lines.json" "$TMP/key.pem"
	printf 'refresh required %s source=static cache=off\n' "$PLUGIN"
) >"$TMP/lines-stack"
"$ASKCRED" --stack-file "$TMP/lines-stack" refresh >"$TMP/out" 2>"$TMP/err"
is "$?" 65 "lines disagree: the stack is refused (65), refresh hands nothing out"
! contains "$TMP/out" "st4ticT0ken_abc"
ok $? "lines disagree: no token reaches stdout"
contains "$TMP/err" "$TMP/lines-stack:2"
ok $? "lines disagree: the error names the stack file and the line"
contains "$TMP/err" "policy= (none)"
ok $? "lines disagree: and the argument that differs"
"$ASKCRED" --stack-file "$TMP/lines-stack" get >"$TMP/out" 2>"$TMP/err"
is "$?" 65 "lines disagree: get on the same stack is refused too"
(
	umask 077
	for op in fetch refresh; do
		printf '%s required %s source=static cache=off policy=%s policy_keys=%s\n' \
			"$op" "$PLUGIN" "$TMP/lines.json" "$TMP/key.pem"
	done
) >"$TMP/lines-stack"
"$ASKCRED" --stack-file "$TMP/lines-stack" refresh >"$TMP/out" 2>"$TMP/err"
is "$?" 67 "lines agree: refresh is judged by the policy (67)"
(
	umask 077
	printf 'fetch required %s source=static cache=off entry=a policy=%s policy_keys=%s\n' \
		"$PLUGIN" "$TMP/lines.json" "$TMP/key.pem"
	printf 'validate required %s source=static cache=off entry=b\n' "$PLUGIN"
) >"$TMP/lines-stack"
"$ASKCRED" --stack-file "$TMP/lines-stack" get >"$TMP/out" 2>"$TMP/err"
is "$?" 67 "lines of other entries are separate: the stack opens and get is judged"

done_testing
