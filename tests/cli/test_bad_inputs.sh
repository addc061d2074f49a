#!/bin/sh
# Bad inputs, one per row of bad_inputs.tsv: each must end with the exit
# status the row names and a message on stderr holding the row's
# fragment, which says what to fix. A known token value is planted in the
# environment, the credential files and the exec answers; no output of any
# row may contain it. Nothing here depends on timing: "about to expire"
# is a token valid for a day asked for two.
#
# Columns (tab-separated; '#' lines and blank lines are skipped):
#   name     what the row checks
#   stack    -            the good static stack
#            static ARGS  static fetch/validate/refresh lines with ARGS
#            lines ARGS   fetch/validate/refresh lines with only ARGS
#            mint ARGS    mint lines against the emulator, with ARGS
#            raw TEXT     the stack file is TEXT ("\n" between lines)
#            file NAME    $TMP/NAME, a fixture made below
#            none         no --stack-file at all
#   env      - or words: VAR=VALUE sets, -VAR unsets (on top of a good
#            ASKUI_WORKSPACE_ID and ASKUI_TOKEN)
#   args     the command's words (- for none)
#   status   the exit status wanted
#   fragment text stderr must contain (grep -F)
#   absent   optional: text stderr must not contain (a misleading hint)
# In every column @PLUGIN@, @TMP@, @WS@, @PLANT@ and @EMU@ (the
# emulator's folder) are replaced.
. "${top_srcdir:?}/tests/cli/lib.sh"

. "$top_srcdir/tests/emulator/emulator.sh"

TABLE="$top_srcdir/tests/cli/bad_inputs.tsv"
PLANT=PlAnTeD-SeCrEt-k7q2w9e4r1t6
[ -r "$TABLE" ] || bail "$TABLE is missing"

ASKUI_WORKSPACE_ID=$WS ASKUI_TOKEN=$PLANT
export ASKUI_WORKSPACE_ID ASKUI_TOKEN

# The AskUI emulator, for the rows of the mint source (a certificate
# from another CA, a parent that cannot mint).
emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
emulator_parent_file "$TMP/parent.json"
PARENT_TOKEN=$(cat "$EMU_DIR/parent.token")

# ---- fixtures ----
creds() { # creds NAME MODE JSON
	printf '%s\n' "$3" >"$TMP/$1" && chmod "$2" "$TMP/$1"
}
GOOD="{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\"}"
DAY=$("$PYTHON3" -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)+d.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
creds creds_good.json 600 "$GOOD"
for m in 644 640 620 604 660; do creds "creds_$m.json" "$m" "$GOOD"; done
ln -s "$TMP/creds_good.json" "$TMP/creds_link.json"
creds creds_hard.json 600 "$GOOD"
ln "$TMP/creds_hard.json" "$TMP/creds_hard2.json"
mkdir -m 700 "$TMP/creds_dir.json"
creds creds_notjson.json 600 "{\"token\": \"$PLANT\""
creds creds_nows.json 600 "{\"token\": \"$PLANT\"}"
creds creds_notoken.json 600 "{\"workspace_id\": \"$WS\"}"
creds creds_badws.json 600 "{\"workspace_id\": \"9cf30c31\", \"token\": \"$PLANT\"}"
creds creds_emptytok.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"  \"}"
creds creds_extra.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"colour\": \"blue\"}"
creds creds_tokid.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"token_id\": \"nope\"}"
creds creds_badexp.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"expires_at\": \"tomorrow\"}"
creds creds_expired.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"expires_at\": \"2001-01-01T00:00:00Z\"}"
creds creds_day.json 600 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"expires_at\": \"$DAY\"}"
creds creds_array.json 600 "[\"$PLANT\"]"
# Stack files with bad modes.
for m in 664 666; do
	printf 'fetch required %s source=static cache=off\n' "$PLUGIN" >"$TMP/stack_$m"
	chmod "$m" "$TMP/stack_$m"
done
# exec commands printing bad answers (with the planted token in them).
answer() { # answer NAME MODE STDOUT
	printf '#!/bin/sh\ncat <<"END"\n%s\nEND\n' "$3" >"$TMP/$1" && chmod "$2" "$TMP/$1"
}
answer ex_noid 700 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"expires_at\": null}"
answer ex_badid 700 "{\"workspace_id\": \"$WS\", \"token\": \"$PLANT\", \"token_id\": \"nope\", \"expires_at\": null}"
answer ex_notjson 700 "token: $PLANT"
answer ex_badws 700 "{\"workspace_id\": \"x\", \"token\": \"$PLANT\", \"token_id\": null, \"expires_at\": null}"
answer ex_777 777 "{}"
answer ex_775 775 "{}"
# Policy documents.
printf 'not json\n' >"$TMP/policy_notjson.json"
printf '{\n  "version": 1,\n  "serial": 1,\n  oops\n}\n' >"$TMP/policy_line4.json"
printf '[1, 2]\n' >"$TMP/policy_array.json"
chmod 600 "$TMP"/policy_*.json

subst() {
	printf '%s' "$1" | sed -e "s|@PLUGIN@|$PLUGIN|g" -e "s|@TMP@|$TMP|g" \
		-e "s|@WS@|$WS|g" -e "s|@PLANT@|$PLANT|g" -e "s|@EMU@|$EMU_DIR|g"
}

: >"$TMP/all"
n=0
tab=$(printf '\t')
while IFS="$tab" read -r name stack envs args want fragment absent; do
	case $name in '' | '#'*) continue ;; esac
	[ -n "$fragment" ] || bail "row $name: no fragment"
	n=$((n + 1))
	stack=$(subst "$stack")
	envs=$(subst "$envs")
	args=$(subst "$args")
	fragment=$(subst "$fragment")
	[ "$args" != - ] || args=
	file="$TMP/row.stack"
	rm -f "$file"
	case $stack in
	-) file=$STACK ;;
	none) file= ;;
	"static "* | "lines "*)
		words=${stack#* }
		[ "${stack%% *}" = lines ] || words="source=static $words"
		(umask 077 && for op in fetch validate refresh; do
			printf '%s required %s %s\n' "$op" "$PLUGIN" "$words"
		done >"$file") ;;
	"raw "*) (umask 077 && printf '%b\n' "${stack#raw }" >"$file") ;;
	"mint "*)
		words="source=mint api_url=$URL cache_dir=$TMP/mintcache"
		words="$words timeout=20s"
		case $stack in *ca_file=*) ;; *) words="$words ca_file=$EMU_CA" ;; esac
		case $stack in
		*parent_credentials=*) ;;
		*) words="$words parent_credentials=$TMP/parent.json" ;;
		esac
		(umask 077 && for op in fetch validate refresh; do
			printf '%s required %s %s %s\n' "$op" "$PLUGIN" \
				"$words" "${stack#mint }"
		done >"$file") ;;
	"file "*) file="$TMP/${stack#file }" ;;
	*) bail "row $n ($name): bad stack column '$stack'" ;;
	esac
	# env(1) wants every -u before the first VAR=VALUE.
	unsets='' sets=''
	if [ "$envs" != - ]; then
		for e in $envs; do
			case $e in
			-*) unsets="$unsets -u ${e#-}" ;;
			*) sets="$sets $e" ;;
			esac
		done
	fi
	# shellcheck disable=SC2086
	env $unsets $sets \
		"$ASKCRED" ${file:+--stack-file "$file"} $args \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	cat "$TMP/out" "$TMP/err" >>"$TMP/all"
	if [ "$rc" = "$want" ] && grep -qF -- "$fragment" "$TMP/err" &&
		{ [ -z "$absent" ] || ! grep -qF -- "$absent" "$TMP/err"; }; then
		ok 0 "$name: exit $want, says '$fragment'"
		# BAD_INPUTS_SHOW=1: every message, to review the wording.
		[ -z "${BAD_INPUTS_SHOW:-}" ] || sed 's/^/#   /' "$TMP/err"
	else
		ok 1 "$name: exit $want, says '$fragment'"
		diag "got exit $rc, stderr:"
		sed 's/^/#   /' "$TMP/err"
	fi
done <"$TABLE"

[ ! -e "$TMP/nohome" ]
ok $? "no HOME was made where none existed"
[ "$n" -ge 60 ]
ok $? "the table holds at least 60 bad inputs ($n)"
! grep -qF -- "$PLANT" "$TMP/all"
ok $? "the planted token is in no output of any row"
! grep -qF -- "$PARENT_TOKEN" "$TMP/all"
ok $? "the emulator's parent token is in no output of any row"

done_testing
