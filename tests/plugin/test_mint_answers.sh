#!/bin/sh
# What AskUI answers to a mint is checked before anybody gets it, and a
# token askcred caused to exist never outlives a refusal: a token already
# dead or valid for less than min_validity is refused, deleted in AskUI and
# reported with its expiresAt; a create answer that cannot be used (bad
# tokenString, missing fields, not JSON, wrong expiry) leaves no token
# behind either, found by id or, when the id is unreadable, by its unique
# name. The emulator's store is counted afterwards.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"
ac() { # ac STACK ARGS...: sets rc; stdout in $T/out, stderr in $T/err
	s=$1
	shift
	"$ASKCRED" --stack-file "$T/$s" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
fault() { emulator_ctl main POST fault "$1" >/dev/null; }
tokens() { emulator_tokens main; }
show_err() { sed -n '1,3s/^/#   /p' "$T/err"; }

stack plain "lifetime=1h cache=off"
stack cached "lifetime=1h entry=cached"

# ---- tokens that are dead on arrival --------------------------------------
fault '{"mode": "answer", "only": "create", "expires_in": -60, "count": 1}'
ac plain get --format json
is "$rc" 69 "a minted token whose expiresAt is in the past is refused (exit 69)"
contains "$T/err" "expiresAt" && contains "$T/err" "in the past"
ok $? "the error names expiresAt and says it is in the past"
show_err
contains "$T/err" "was deleted in AskUI"
ok $? "the error says the dead token was deleted"
[ ! -s "$T/out" ]
ok $? "nothing is handed out"
is "$(tokens)" 0 "the dead token is deleted in AskUI"

fault '{"mode": "answer", "only": "create", "expires_in": 120, "count": 1}'
ac plain get --format json
is "$rc" 69 "a minted token valid for less than min_validity (5m) is refused"
contains "$T/err" "expiresAt" && contains "$T/err" "min_validity 5m"
ok $? "the error names expiresAt and the min_validity it falls short of"
show_err
is "$(tokens)" 0 "the short-lived token is deleted in AskUI"

fault '{"mode": "answer", "only": "create", "expires_in": 1200, "count": 1}'
ac plain get --format json --min-validity 30m
is "$rc" 69 "a token valid for 20m is refused when the request needs 30m"
contains "$T/err" "min_validity 30m"
ok $? "naming the request's 30m"
is "$(tokens)" 0 "and deleted"

# Through the shared cache, three processes: none is handed a dead token
# and none leaves one behind.
emulator_ctl main POST reset '{}' >/dev/null
fault '{"mode": "answer", "only": "create", "expires_in": -60, "count": 100}'
handed=0
for i in 1 2 3; do
	ac cached get --format json
	[ "$rc" -eq 0 ] && handed=$((handed + 1))
done
is "$handed" 0 "3 gets through the cache: no dead token is handed out"
is "$(tokens)" 0 "and no dead token is left in AskUI"
fault '{"mode": "none"}'

# ---- create answers that cannot be used ------------------------------------
# variant: what the 201 answer gets wrong (the token exists all the same).
for variant in badtoken emptytoken notoken nocreated baduuid noid notjson \
	truncated never later; do
	emulator_ctl main POST reset '{}' >/dev/null
	fault "{\"mode\": \"answer\", \"only\": \"create\", \"variant\": \"$variant\", \"count\": 1}"
	ac plain get --format json
	is "$rc" 69 "create answer '$variant': refused as unavailable (exit 69)"
	is "$(emulator_counter main create)" 1 "create answer '$variant': one token was created"
	is "$(tokens)" 0 "create answer '$variant': it is deleted, no orphan left in AskUI"
	contains "$T/err" "was deleted in AskUI"
	ok $? "create answer '$variant': the error says so"
	show_err
done

# A token of somebody else, named like ours but for another nonce, is
# never touched by the search by name.
emulator_ctl main POST reset '{}' >/dev/null
ac plain get --format json
is "$rc" 0 "a good answer: the token is handed out"
fault '{"mode": "answer", "only": "create", "variant": "noid", "count": 1}'
ac plain get --format json
is "$(tokens)" 1 "an unusable answer without id deletes only its own token, by its unique name"

ac plain get --no-cache --purpose nightly --format json
"$PYTHON3" -c 'import json, sys; print(json.load(open(sys.argv[1]))["token_id"])' \
	"$T/out" >"$T/id"
emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, re, sys
want = open(sys.argv[1]).read().strip()
t = [x for x in json.load(sys.stdin)["tokens"] if x["id"] == want][0]
sys.exit(not re.match(r"^askcred/[^/]+/default/job/\d+\.\d+\.\d+/nightly~[0-9a-f]{8}$", t["name"]))' "$T/id"
ok $? "a job token's name ends in the job, its purpose and a random nonce"

rm -f "$T/out"
emulator_check_leaks "$T/err" "$EMU_DIR"/*.log
done_testing
