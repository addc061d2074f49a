#!/bin/sh
# No mint storm: refresh windows as long as a minted token's life (module
# arguments, or a policy's max_lifetime and refresh windows) would put
# every call inside them, so that every call minted. The windows are cut
# to shares of the lifetime instead; 3 gets in a row make 1 create.
. "${top_srcdir:?}/tests/cli/lib.sh"
. "$top_srcdir/tests/plugin/mint_lib.sh"
policy() { # policy FILE RULES: an unsigned local policy document
	printf '{"schema_version": 1, "serial": 1, "max_age": "30d",\n "rules": {%s}}\n' \
		"$2" >"$1"
	chmod 600 "$1"
}
policy "$T/p10m.json" '"max_lifetime": "10m"'
policy "$T/pwin.json" '"max_lifetime": "20m", "refresh_advisory": "30m", "refresh_mandatory": "25m"'

# case: module arguments | what the combination is
while IFS='|' read -r args what; do
	[ -n "$args" ] || continue
	entry=e$((tap_n + 1))
	stack "$entry" "entry=$entry $args"
	emulator_ctl main POST reset '{}' >/dev/null
	good=0
	for i in 1 2 3; do
		"$ASKCRED" --stack-file "$T/$entry" get --format json >"$T/out" 2>"$T/err" &&
			good=$((good + 1))
	done
	is "$good/$(emulator_counter main create)" "3/1" \
		"$what: 3 gets are served by 1 create"
	sed -n '1,2s/^/#   /p' "$T/err"
done <<CASES
lifetime=10m|lifetime 10m below the default advisory_window 15m
lifetime=15m|lifetime 15m equal to the default advisory_window
lifetime=20m advisory_window=20m mandatory_window=20m|lifetime 20m with both windows 20m
lifetime=30m advisory_window=1d mandatory_window=1d|lifetime 30m with both windows 1d
lifetime=1h policy=$T/p10m.json policy_state_dir=$T/ps1|policy max_lifetime 10m cutting lifetime 1h, default windows
lifetime=1h policy=$T/pwin.json policy_state_dir=$T/ps2|policy max_lifetime 20m with the policy's own windows 30m and 25m
CASES

"$ASKCRED" -v --stack-file "$T/e1" get --format json >/dev/null 2>"$T/err"
contains "$T/err" "refresh windows cut to advisory 5m, mandatory 2m30s"
ok $? "-v says the windows were cut to the lifetime"
sed -n '1,3s/^/#   /p' "$T/err"

emulator_check_leaks "$T/err" "$EMU_DIR"/*.log
done_testing
