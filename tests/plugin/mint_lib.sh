# Shared by the mint source's shell tests, sourced after tests/cli/lib.sh:
# the AskUI emulator started for the test and stopped at its end, the
# parent credential it accepts, URL, and stack NAME ARGS, which writes a
# stack whose four operations go through one mint instance.
. "$top_srcdir/tests/emulator/emulator.sh"

emulator_setup || bail "emulator setup"
trap 'emulator_stop_all; rm -rf "$TMP"' EXIT
emulator_start main good || bail "emulator start"
T=$TMP
URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
emulator_parent_file "$T/parent.json"

# stack NAME ARGS: every operation through one mint instance.
stack() {
	args="source=mint parent_credentials=$T/parent.json api_url=$URL"
	args="$args ca_file=$EMU_CA cache_dir=$T/cache/askcred timeout=20s $2"
	for op in fetch validate refresh revoke; do
		echo "$op required $PLUGIN $args"
	done >"$T/$1"
}
