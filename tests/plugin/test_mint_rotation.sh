#!/bin/sh
# Rotation does not wait for `askcred gc`: once rotation_overlap is over,
# the predecessor of a refreshed shared token is deleted in AskUI by the
# next plain get (served from the cache, no mint), and only once.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"
stack stack "lifetime=1h entry=rot rotation_overlap=1s"
ac() { "$ASKCRED" --stack-file "$T/stack" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
field() { "$PYTHON3" -c "import json,sys; print(json.load(open('$T/out'))['$1'])"; }
listed() { # listed ID: 1 when the emulator still holds token ID
	emulator_ctl main GET tokens | "$PYTHON3" -c '
import json, sys
print(sum(t["id"] == sys.argv[1] for t in json.load(sys.stdin)["tokens"]))' "$1"
}

ac get --format json
old=$(field token_id)
deletes=$(emulator_counter main delete)
ac refresh
is "$rc" 0 "refresh rotates the shared token"
# (On a slow machine the overlap may be over before refresh returns; then
# refresh's own fetch deletes it. Either way no gc is involved.)
ac status --json
contains "$T/out" "$old" || [ "$(listed "$old")" = 0 ]
ok $? "the predecessor is pending deletion (status lists it), not left alive unknown"

# The overlap (1s) is over once the clock has moved on by 2 s.
sleep 2
creates=$(emulator_counter main create)
ac get --format json
is "$rc" 0 "a plain get after the overlap"
new=$(field token_id)
[ -n "$old" ] && [ -n "$new" ] && [ "$old" != "$new" ]
ok $? "serves the refreshed token"
is "$(field from_cache)" True "from the cache"
is "$(emulator_counter main create)" "$creates" "without minting"
is "$(listed "$old")" 0 "and deletes the predecessor in AskUI, with no gc"
is "$(emulator_counter main delete)" $((deletes + 1)) "with one delete call in all"
is "$(listed "$new")" 1 "the current token lives on"
ac status --json
contains "$T/out" "$old"
ok $((! $?)) "nothing is pending any more"
ac get --format json
is "$(emulator_counter main delete)" $((deletes + 1)) "the next get deletes nothing"

emulator_check_leaks "$T/err" "$EMU_DIR"/*.log
done_testing
