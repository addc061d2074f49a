# Sourced by shell tests (and examples/demo.sh): run AskUI Workspaces API
# emulators on 127.0.0.1 and stop them, whatever happens, when the shell
# exits.
#
#   emulator_setup             temp dir, certificates, a workspace id, the
#                              parent and broker tokens; sets EMU_DIR,
#                              EMU_CA, EMU_WS; stops everything at EXIT
#   emulator_start NAME [KIND] start one emulator; KIND is good (default),
#                              wronghost or unknownca (its certificate);
#                              sets EMU_PORT_<NAME>
#   emulator_ctl NAME METHOD PATH [JSON]
#                              talk to /_emulator/PATH of emulator NAME
#   emulator_counter NAME CALL how often NAME served CALL
#   emulator_tokens NAME [PREFIX]
#                              how many tokens named PREFIX* (askcred/) it holds
#   emulator_parent_file FILE  a credentials file with the parent token
#   emulator_check_leaks FILE...
#                              TAP line: no token any emulator issued (nor
#                              the parent or broker token) is in FILE...
#   emulator_run_tap PROGRAM   run a C TAP test against emulators "main",
#                              "unknownca" and "wronghost", pass on its TAP
#                              and add the leak check
#
# Needs top_srcdir, PYTHON3 and OPENSSL_BIN (the test harness exports them).

: "${PYTHON3:=python3}"
: "${OPENSSL_BIN:=openssl}"
emu_src=${top_srcdir:-.}/tests/emulator
EMU_PIDS=

emulator_stop_all() {
	for p in $EMU_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $EMU_PIDS; do
		wait "$p" 2>/dev/null
	done
	EMU_PIDS=
	if [ -n "${EMU_DIR:-}" ]; then
		rm -rf "$EMU_DIR"
		EMU_DIR=
	fi
}

emulator_setup() {
	EMU_DIR=$(mktemp -d "${TMPDIR:-/tmp}/askcred-emu.XXXXXX") || return 1
	trap 'emulator_stop_all' EXIT
	trap 'exit 129' HUP INT TERM
	OPENSSL_BIN=$OPENSSL_BIN sh "$emu_src/make-certs.sh" "$EMU_DIR/certs" \
		>"$EMU_DIR/certs.log" 2>&1 || return 1
	EMU_CA=$EMU_DIR/certs/ca.pem
	mkdir -m 700 "$EMU_DIR/docs" || return 1
	EMU_WS=$("$PYTHON3" -c 'import uuid; print(uuid.uuid4())') || return 1
	(
		umask 077
		"$PYTHON3" -c 'import secrets; print(secrets.token_urlsafe(16))' \
			>"$EMU_DIR/parent.token" &&
		"$PYTHON3" -c 'import secrets; print(secrets.token_urlsafe(24))' \
			>"$EMU_DIR/broker.token"
	) || return 1
}

emulator_start() {
	_name=$1
	# The control client checks each certificate for what it really is.
	case ${2:-good} in
	good) _cert=server _ctlca=$EMU_CA _ctlname=127.0.0.1 ;;
	wronghost) _cert=wronghost _ctlca=$EMU_CA _ctlname=wrong-host.invalid ;;
	unknownca) _cert=unknownca _ctlca=$EMU_DIR/certs/otherca.pem _ctlname=127.0.0.1 ;;
	*) echo "emulator_start: unknown kind $2" >&2; return 1 ;;
	esac
	"$PYTHON3" "$emu_src/askui_emulator.py" --workspace "$EMU_WS" \
		--parent-token-file "$EMU_DIR/parent.token" \
		--broker-token-file "$EMU_DIR/broker.token" \
		--cert "$EMU_DIR/certs/$_cert.pem" --key "$EMU_DIR/certs/$_cert.key" \
		--client-ca "$EMU_CA" --port-file "$EMU_DIR/$_name.port" \
		--doc-dir "$EMU_DIR/docs" \
		2>"$EMU_DIR/$_name.log" &
	_pid=$!
	EMU_PIDS="$EMU_PIDS $_pid"
	_i=0
	# The emulator writes its port file (atomically) once it listens.
	while [ ! -s "$EMU_DIR/$_name.port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 1200 ] || ! kill -0 "$_pid" 2>/dev/null; then
			echo "emulator $_name did not start:" >&2
			cat "$EMU_DIR/$_name.log" >&2
			return 1
		fi
		sleep 0.05
	done
	eval "EMU_PORT_$_name=\$(cat \"\$EMU_DIR/\$_name.port\")"
	eval "EMU_CTLCA_$_name=\$_ctlca EMU_CTLNAME_$_name=\$_ctlname"
}

emulator_ctl() {
	eval "_port=\$EMU_PORT_$1 _ctlca=\$EMU_CTLCA_$1 _ctlname=\$EMU_CTLNAME_$1"
	"$PYTHON3" "$emu_src/emuctl.py" "$_ctlca" "$_ctlname" "$_port" "$2" "$3" \
		${4:+"$4"}
}

# emulator_counter NAME CALL: how often emulator NAME served CALL (create,
# delete, lookup, ...) since its last reset.
emulator_counter() {
	emulator_ctl "$1" GET counters |
		"$PYTHON3" -c "import json,sys; print(json.load(sys.stdin)['calls'].get('$2', 0))"
}

# emulator_parent_file FILE: a credentials file (mode 0600) holding the
# emulators' workspace and the parent credential they let mint.
emulator_parent_file() {
	(
		umask 077
		printf '{"workspace_id": "%s", "token": "%s"}\n' "$EMU_WS" \
			"$(cat "$EMU_DIR/parent.token")" >"$1"
	)
}

emulator_check_leaks() {
	_secrets=$EMU_DIR/secrets.txt
	(
		umask 077
		: >"$_secrets"
		for _p in $(cd "$EMU_DIR" && ls ./*.port 2>/dev/null); do
			_n=$(basename "$_p" .port)
			emulator_ctl "$_n" GET issued | "$PYTHON3" -c '
import json, sys
for t in json.load(sys.stdin)["tokens"]:
    print(t)' >>"$_secrets"
		done
		cat "$EMU_DIR/parent.token" "$EMU_DIR/broker.token" >>"$_secrets"
	)
	# An empty line would match everything: drop any.
	grep -v '^$' "$_secrets" >"$_secrets.nz"
	_count=$(wc -l <"$_secrets.nz")
	# -l: name the file, never print the line holding the token.
	_hits=$(grep -l -F -f "$_secrets.nz" "$@" 2>/dev/null)
	# Under tests/lib.sh the check is one counted point of the plan;
	# otherwise (a test counting its own lines) one bare TAP line.
	if command -v tap_line >/dev/null 2>&1; then
		[ -z "$_hits" ]
		ok $? "no token appears in the test output or server logs ($_count tokens checked${_hits:+; found in $_hits})"
	elif [ -z "$_hits" ]; then
		echo "ok - no token appears in the test output or server logs ($_count tokens checked)"
	else
		echo "not ok - no token appears in the test output or server logs: found in" $_hits
	fi
	rm -f "$_secrets" "$_secrets.nz"
}

emulator_run_tap() {
	_prog=$1
	_out=$(mktemp "${TMPDIR:-/tmp}/askcred-tap.XXXXXX") || exit 1
	if ! emulator_setup || ! emulator_start main good ||
		! emulator_start unknownca unknownca ||
		! emulator_start wronghost wronghost; then
		rm -f "$_out"
		echo "Bail out! cannot start the AskUI emulator"
		exit 1
	fi
	export ASKCRED_TEST_DIR="$EMU_DIR"
	export ASKCRED_TEST_CA="$EMU_CA"
	export ASKCRED_TEST_WS="$EMU_WS"
	export ASKCRED_TEST_PORT="$EMU_PORT_main"
	export ASKCRED_TEST_URL="https://127.0.0.1:$EMU_PORT_main/api/v1"
	export ASKCRED_TEST_URL_UNKNOWN_CA="https://127.0.0.1:$EMU_PORT_unknownca/api/v1"
	export ASKCRED_TEST_URL_WRONG_HOST="https://127.0.0.1:$EMU_PORT_wronghost/api/v1"
	export ASKCRED_TEST_PARENT_FILE="$EMU_DIR/parent.token"
	export ASKCRED_TEST_BROKER_TOKEN_FILE="$EMU_DIR/broker.token"
	export ASKCRED_TEST_CLIENT_CERT="$EMU_DIR/certs/client.pem"
	export ASKCRED_TEST_CLIENT_KEY="$EMU_DIR/certs/client.key"
	# A hung test must not hang the suite.
	timeout 180 "$_prog" >"$EMU_DIR/test.out" 2>&1
	_rc=$?
	{
		grep -v '^1\.\.[0-9]*$' "$EMU_DIR/test.out"
		grep -q '^1\.\.[0-9]*$' "$EMU_DIR/test.out" ||
			echo "not ok - $(basename "$_prog") ran to its end (exit status $_rc)"
		[ $_rc -le 1 ] ||
			echo "not ok - $(basename "$_prog") exited with status $_rc"
		emulator_check_leaks "$EMU_DIR/test.out" "$EMU_DIR"/*.log
	} >"$_out"
	cat "$_out"
	echo "1..$(grep -c -E '^(not )?ok' "$_out")"
	rm -f "$_out"
}

# emulator_tokens NAME [PREFIX]: how many tokens emulator NAME holds whose
# name starts with PREFIX (default "askcred/": the ones askcred made),
# expired ones included, as AskUI keeps them until deleted.
emulator_tokens() {
	emulator_ctl "$1" GET tokens | "$PYTHON3" -c "
import json, sys
print(sum(t['name'].startswith('${2:-askcred/}') for t in json.load(sys.stdin)['tokens']))"
}
