#!/bin/sh
# askcred benchmarks, side by side in one run (issues 3 and 7). See
# bench/README.md. Writes a Markdown report (default bench/results.md in
# the source tree) and prints it.
#
#   sh bench/run.sh [--install] [--quick] [--out FILE] BUILD_DIR
#
#   --install   apt-get install the peers that are missing (git, pass,
#               gnupg, golang-docker-credential-helpers); needs root
#   --quick     fewer iterations (a smoke run, not for the README)
#   --out FILE  write the report there instead
#
# BUILD_DIR is a configured and built tree with bench/cache_bench and
# bench/abi_bench made (`make bench` does all of it).
set -eu

usage() {
	echo "usage: sh bench/run.sh [--install] [--quick] [--out FILE] BUILD_DIR" >&2
	exit 64
}

src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/bench/results.md
install=no
quick=no
while [ $# -gt 1 ]; do
	case $1 in
	--install) install=yes ;;
	--quick) quick=yes ;;
	--out) out=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
b=$(cd "$1" && pwd)
: "${PYTHON3:=python3}"
: "${OPENSSL_BIN:=openssl}"

if [ $quick = yes ]; then
	runs=10 cache_n=200 abi_n=20 procs=100
else
	runs=100 cache_n=5000 abi_n=300 procs=1000
fi
fetches_per_proc=10
parallel=$(nproc 2>/dev/null || echo 2)

# The real programs, not libtool's wrapper scripts: a wrapper is a bash
# script that would add ~10 ms to every askcred run.
real() {
	if [ -x "$b/$(dirname "$1")/.libs/$(basename "$1")" ]; then
		echo "$b/$(dirname "$1")/.libs/$(basename "$1")"
	else
		echo "$b/$1"
	fi
}
askcred=$(real cli/askcred)
abi_bench=$(real bench/abi_bench)
cache_bench=$(real bench/cache_bench)
module=$b/plugin/.libs/askcred_askui.so
libpath=$b/host/.libs
for f in "$askcred" "$module" "$cache_bench" "$abi_bench"; do
	if [ ! -f "$f" ]; then
		echo "run.sh: $f is missing; run 'make bench' in $b" >&2
		exit 1
	fi
done
command -v "$PYTHON3" >/dev/null || {
	echo "run.sh: python3 is needed to time the processes" >&2
	exit 1
}

if [ $install = yes ]; then
	need=
	command -v git >/dev/null || need="$need git"
	command -v pass >/dev/null || need="$need pass"
	command -v gpg >/dev/null || need="$need gnupg"
	command -v docker-credential-pass >/dev/null ||
		need="$need golang-docker-credential-helpers"
	if [ -n "$need" ]; then
		echo "== apt-get install$need"
		apt-get install -y -q --no-install-recommends $need >/dev/null
	fi
fi

# The load beside the run: on a shared machine it moves every time (not
# the instruction counts), so the report states it.
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
load0=$(loadavg)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/askcred-bench.XXXXXX")
chmod 700 "$tmp"
gitsock=
cleanup() {
	if [ -n "$gitsock" ]; then
		git credential-cache --socket "$gitsock" exit </dev/null \
			>/dev/null 2>&1 || :
	fi
	if [ -d "$tmp/gnupg" ]; then
		GNUPGHOME=$tmp/gnupg gpgconf --kill gpg-agent >/dev/null 2>&1 || :
	fi
	if [ -n "${EMU_DIR:-}" ]; then
		set +e # wait reports the emulator's SIGTERM
		emulator_stop_all
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM
umask 077

# A fake credential (never a real one), the same token for every peer.
ws=00000000-0000-4000-8000-00000000beef
token=bench-not-a-real-AskUI-token-4f1c2a
cat >"$tmp/cred.json" <<EOF
{"workspace_id": "$ws", "token": "$token", "expires_at": null, "token_id": null}
EOF
cat >"$tmp/static-stack" <<EOF
fetch required $module source=static credentials=$tmp/cred.json cache=on cache_dir=$tmp/static-cache
EOF

# The encrypted disk cache is used by sources that obtain tokens (mint,
# broker, exec); a static token is read from its file each time. So the
# disk-hit figures use a mint stack against the AskUI API emulator on
# 127.0.0.1, with its cache filled by one mint first.
mint=no
mint_note=
mint_stack() { # $1: the stack file, $2: its cache directory
	cat >"$1" <<EOF
fetch required $module source=mint workspace=$EMU_WS parent_credentials=$tmp/parent.json api_url=https://127.0.0.1:$EMU_PORT_main/api/v1 ca_file=$EMU_CA cache=on cache_dir=$2
EOF
}
if command -v "$OPENSSL_BIN" >/dev/null; then
	echo "== starting the AskUI API emulator"
	top_srcdir=$src
	. "$src/tests/emulator/emulator.sh"
	emulator_setup
	trap cleanup EXIT # emulator_setup set its own
	emulator_start main good
	printf '{"workspace_id": "%s", "token": "%s"}\n' "$EMU_WS" \
		"$(cat "$EMU_DIR/parent.token")" >"$tmp/parent.json"
	mint_stack "$tmp/mint-stack" "$tmp/mint-cache"
	if LD_LIBRARY_PATH=$libpath "$abi_bench" -F 1 "$tmp/mint-stack" \
		>"$tmp/mint.err" 2>&1; then
		mint=yes
	elif grep -q "unknown source 'mint'" "$tmp/mint.err"; then
		mint_note="not available in this build (the plugin has no mint source yet)"
	else
		mint_note="failed: $(head -c 300 "$tmp/mint.err" | tr '\n' ' ')"
	fi
else
	mint_note="not measured: openssl (for the emulator's certificates) is missing"
fi
if [ $mint = yes ]; then
	stack=$tmp/mint-stack expect=$EMU_WS
	ncache=$(find "$tmp/mint-cache" -type f -name '*.cache' | wc -l)
	how="source=mint, a hit in the encrypted disk cache ($ncache entry file(s); no network)"
else
	stack=$tmp/static-stack expect=$token
	how="source=static, the token read from its JSON file: the mint source, which caches on disk, is $mint_note"
fi

# Each peer: name, a string its output must hold, its command (leading
# VAR=value words are its environment); stdin comes from $tmp/<name>.in.
: >"$tmp/peers"
peer() { # name expect command...
	_n=$1 _e=$2
	shift 2
	[ -f "$tmp/$_n.in" ] || : >"$tmp/$_n.in"
	printf '%s\t%s\t%s\n' "$_n" "$_e" "$*" >>"$tmp/peers"
}
peer askcred "$expect" LD_LIBRARY_PATH=$libpath "$askcred" -q \
	--stack-file "$stack" get
# The floor: the same binary and libraries, no stack, no fetch.
peer askcred-version "askcred" LD_LIBRARY_PATH=$libpath "$askcred" --version
# The floor under it: a minimal OpenSSL 3 program doing a disk hit's
# crypto (system configuration, HKDF, one HMAC, one AES-256-GCM open).
crypto_floor=$(real bench/crypto_floor)
[ ! -x "$crypto_floor" ] || peer crypto-floor "opened" "$crypto_floor"
[ $mint = no ] || peer askcred-static "$token" LD_LIBRARY_PATH=$libpath \
	"$askcred" -q --stack-file "$tmp/static-stack" get

notes=
if command -v git >/dev/null; then
	printf 'https://bench:%s@example.invalid\n' "$token" >"$tmp/git-credentials"
	printf 'protocol=https\nhost=example.invalid\n\n' >"$tmp/git-store.in"
	peer git-store "$token" git credential-store \
		--file="$tmp/git-credentials" get
	mkdir -m 700 "$tmp/gc"
	gitsock=$tmp/gc/sock
	printf 'protocol=https\nhost=example.invalid\nusername=bench\npassword=%s\n\n' \
		"$token" | git credential-cache --timeout=3600 --socket "$gitsock" store
	cp "$tmp/git-store.in" "$tmp/git-cache.in"
	peer git-cache "$token" git credential-cache --socket "$gitsock" get
else
	notes="$notes
- git: not installed, not measured (run with --install)."
fi

if command -v docker-credential-pass >/dev/null && command -v pass >/dev/null &&
	command -v gpg >/dev/null; then
	# A throwaway GnuPG home and password store; the key has no
	# passphrase so no prompt appears (gpg-agent still decrypts).
	export GNUPGHOME="$tmp/gnupg" PASSWORD_STORE_DIR="$tmp/pass"
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --passphrase '' --quick-gen-key \
		'askcred bench <bench@example.invalid>' default default never \
		>/dev/null 2>&1
	fpr=$(gpg --batch --with-colons --list-secret-keys |
		awk -F: '/^fpr/ { print $10; exit }')
	pass init "$fpr" >/dev/null 2>&1
	printf '{"ServerURL":"https://example.invalid","Username":"bench","Secret":"%s"}' \
		"$token" | docker-credential-pass store
	printf 'https://example.invalid' >"$tmp/docker-pass.in"
	peer docker-pass "$token" docker-credential-pass get
else
	notes="$notes
- docker-credential-pass: not installed, not measured (Debian packages
  golang-docker-credential-helpers, pass and gnupg; run with --install)."
fi

# Whole-process wall time, the peers interleaved round by round so that a
# change in machine load hits all of them alike. Each output is checked
# once, so a peer that fails fast cannot look fast.
cat >"$tmp/timeit.py" <<'EOF'
import os, shlex, statistics, subprocess, sys, time
tmp, runs = sys.argv[1], int(sys.argv[2])
peers = []
for line in open(os.path.join(tmp, "peers")):
    name, expect, cmd = line.rstrip("\n").split("\t")
    argv, env = shlex.split(cmd), dict(os.environ)
    while "=" in argv[0]:
        k, v = argv.pop(0).split("=", 1)
        env[k] = v
    stdin = open(os.path.join(tmp, name + ".in"), "rb").read()
    peers.append((name, argv, env, stdin))
    r = subprocess.run(argv, env=env, input=stdin, capture_output=True)
    if r.returncode != 0 or expect.encode() not in r.stdout:
        sys.exit("%s failed (status %d): %s" % (name, r.returncode, r.stderr.decode()[:300]))
times = {p[0]: [] for p in peers}
for _ in range(runs):
    for name, argv, env, stdin in peers:
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, input=stdin, stdout=subprocess.DEVNULL, check=True)
        times[name].append((time.perf_counter() - t0) * 1e3)
for p in peers:
    print("%s %.2f %.2f" % (p[0], statistics.median(times[p[0]]), min(times[p[0]])))
EOF
echo "== timing whole processes ($runs runs each, interleaved)"
"$PYTHON3" "$tmp/timeit.py" "$tmp" "$runs" >"$tmp/times"

# Instructions of the whole process (issue 12: askcred get within 1.15x
# of bench/crypto_floor). Counted, not timed, so the machine's load does
# not move them: callgrind (user space, start-up and dynamic linking
# included), else perf's instructions:u counter, else not measured. The
# median of 3 runs each; askcred's output is checked like above.
icount() { # expect command...: prints the count, or nothing on failure
	_e=$1
	shift
	if [ "$icounter" = callgrind ]; then
		LD_LIBRARY_PATH=$libpath valgrind --tool=callgrind \
			--callgrind-out-file=/dev/null "$@" \
			>"$tmp/ic.out" 2>"$tmp/ic.err" </dev/null || return 0
		grep -q "$_e" "$tmp/ic.out" || return 0
		sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p' "$tmp/ic.err"
	else
		LD_LIBRARY_PATH=$libpath perf stat -x, -e instructions:u \
			-o "$tmp/ic.err" "$@" >"$tmp/ic.out" </dev/null || return 0
		grep -q "$_e" "$tmp/ic.out" || return 0
		awk -F, '$3 ~ /^instructions/ { print $1 }' "$tmp/ic.err"
	fi
}
icmedian() { # expect command...
	for _i in 1 2 3; do icount "$@"; done | sort -n | sed -n 2p
}
icounter=
if command -v valgrind >/dev/null &&
	valgrind --tool=callgrind --callgrind-out-file=/dev/null true \
		>/dev/null 2>&1; then
	icounter=callgrind
elif command -v perf >/dev/null &&
	perf stat -x, -e instructions:u -o "$tmp/ic.err" true 2>/dev/null &&
	grep -q '^[0-9]' "$tmp/ic.err"; then
	icounter=perf
fi
i_askcred= i_floor= i_version=
if [ -n "$icounter" ] && [ -x "$crypto_floor" ]; then
	echo "== instructions, whole process ($icounter)"
	# stdin is empty, as in the timing; LD_LIBRARY_PATH as in the peer
	# lines (crypto_floor does not use it).
	i_askcred=$(icmedian "$expect" "$askcred" -q --stack-file "$stack" get)
	i_version=$(icmedian askcred "$askcred" --version)
	i_floor=$(icmedian opened "$crypto_floor")
fi
# The cold fetch in instructions (callgrind only): askcred_fetch alone,
# over 11 fresh stacks less over 1, per fetch, so the first stack open
# of the process (OpenSSL's tables) is not in it.
i_cold=
if [ "$icounter" = callgrind ]; then
	coldcount() {
		LD_LIBRARY_PATH=$libpath valgrind --tool=callgrind \
			--toggle-collect=askcred_fetch --callgrind-out-file=/dev/null \
			"$abi_bench" -C "$1" "$stack" 2>&1 >/dev/null |
			sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p'
	}
	c1=$(coldcount 1) c11=$(coldcount 11)
	[ -z "$c1" ] || [ -z "$c11" ] ||
		i_cold=$(awk -v a="$c1" -v b="$c11" 'BEGIN { printf "%.0f", (b - a) / 10 }')
fi

echo "== the encrypted cache in process (bench/cache_bench -n $cache_n)"
"$cache_bench" -n "$cache_n" >"$tmp/cache_bench.out"
echo "== through the ABI (bench/abi_bench -n $abi_n)"
LD_LIBRARY_PATH=$libpath "$abi_bench" -n "$abi_n" "$stack" >"$tmp/abi_bench.out"

# Upstream calls: $procs processes x $fetches_per_proc fetches, all inside
# one refresh window (the minted token lives 1 h; the run takes seconds),
# from an empty cache.
if [ $mint = yes ]; then
	echo "== upstream calls: $procs processes x $fetches_per_proc fetches"
	mint_stack "$tmp/count-stack" "$tmp/count-cache"
	emulator_ctl main POST reset '{}' >/dev/null
	t0=$(date +%s.%N)
	status=0
	seq "$procs" | LD_LIBRARY_PATH=$libpath xargs -P "$parallel" -I{} \
		"$abi_bench" -F "$fetches_per_proc" "$tmp/count-stack" \
		2>"$tmp/count.err" || status=$?
	t1=$(date +%s.%N)
	emulator_ctl main GET counters >"$tmp/counters.json"
	calls=$("$PYTHON3" -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(c["calls"].get("create", 0), c["total"])' "$tmp/counters.json")
	upstream="${calls% *} mint call(s), ${calls#* } AskUI API call(s) in all, for $procs processes x $fetches_per_proc fetches ($parallel at a time, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
	[ $status -eq 0 ] || upstream="$upstream; SOME PROCESSES FAILED (xargs status $status): $(head -c 300 "$tmp/count.err" | tr '\n' ' ')"
else
	upstream=$mint_note
fi

# Job start (issue 14): what `askcred exec -- true` adds over `true`: a
# mint before the child starts, a delete after it ends, both against the
# emulator on loopback. The two commands interleaved, $runs runs each;
# the emulator counts TLS connections (handshakes) and requests over all
# runs, which gives them per job.
jobcalls=
if [ $mint = yes ]; then
	echo "== job start: askcred exec -- true against true ($runs runs each)"
	margs="source=mint workspace=$EMU_WS parent_credentials=$tmp/parent.json api_url=https://127.0.0.1:$EMU_PORT_main/api/v1 ca_file=$EMU_CA cache=on cache_dir=$tmp/exec-cache"
	printf 'fetch required %s %s\nrevoke required %s %s\n' \
		"$module" "$margs" "$module" "$margs" >"$tmp/exec-stack"
	cat >"$tmp/jobstart.py" <<'PYEOF'
import statistics, subprocess, sys, time
runs, askcred, stack, true = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cmds = {"true": [true], "exec": [askcred, "--stack-file", stack, "exec", "--", true]}
times = {k: [] for k in cmds}
for _ in range(runs):
    for k, argv in cmds.items():
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times[k].append((time.perf_counter() - t0) * 1e3)
def p90(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(0.9 * len(v)))]
for k in cmds:
    print("%s %.2f %.2f" % (k, statistics.median(times[k]), p90(times[k])))
PYEOF
	emulator_ctl main POST reset '{}' >/dev/null
	status=0
	LD_LIBRARY_PATH=$libpath "$PYTHON3" "$tmp/jobstart.py" "$runs" "$askcred" \
		"$tmp/exec-stack" "$(command -v true)" >"$tmp/jobstart" \
		2>"$tmp/jobstart.err" || status=$?
	emulator_ctl main GET counters >"$tmp/jobcounters.json"
	jobcalls=$("$PYTHON3" -c 'import json, sys
c, n = json.load(open(sys.argv[1])), int(sys.argv[2])
# The GET of these counters came on a connection of its own (counted);
# control requests are not in "total".
c["connections"] -= 1
k = c["calls"]
other = c["total"] - k.get("create", 0) - k.get("delete", 0)
print("%.2f TLS handshake(s) and %.2f request(s) per job: %.2f mint(s) before the child, %.2f delete(s) after it, %.2f other request(s)" % (
    c["connections"] / n, c["total"] / n, k.get("create", 0) / n,
    k.get("delete", 0) / n, other / n))' "$tmp/jobcounters.json" "$runs")
	[ $status -eq 0 ] || jobcalls="RUN FAILED (status $status): $(head -c 300 "$tmp/jobstart.err" | tr '\n' ' ')"
fi

# ---- the report ----------------------------------------------------------
med() { awk -v n="$1" '$1 == n { print $2 }' "$tmp/times"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
result() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$tmp/$1.out"; }
t_askcred=$(med askcred)
row() { # name label target
	_t=$(med "$1")
	[ -n "$_t" ] || return 0
	echo "| $2 | $_t | $(ratio "$_t" "$t_askcred") | $3 |"
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit plus uncommitted changes"
fi
t_store=$(med git-store)
t_docker=$(med docker-pass)

umask 022
{
	echo "# askcred benchmark results"
	echo
	echo "Produced by \`make bench\` (\`sh bench/run.sh BUILD_DIR\`) on"
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit: $parallel CPU(s), ${cpu:-unknown CPU},"
	echo "Linux $(uname -r), $("$OPENSSL_BIN" version 2>/dev/null | cut -d' ' -f1-2)."
	echo "Load average (1, 5, 15 min) at the start: $load0; at the end: $(loadavg)."
	echo "Medians. Absolute numbers depend on the machine and its load; compare"
	echo "the ratios, and the instruction counts, which the load does not move."
	echo "How to reproduce: bench/README.md."
	echo
	echo "## Whole process: one credential read ($runs runs each, interleaved)"
	echo
	echo "\`askcred get\`: $how."
	echo "The installed-style binary (cli/.libs/askcred), not libtool's wrapper."
	echo
	echo "| command | median ms | time / askcred's | target |"
	echo "|---|---:|---:|---|"
	echo "| \`askcred get\` | $t_askcred | 1.00 | |"
	row askcred-version "\`askcred --version\` (start-up only: no stack, no fetch)" ""
	row askcred-static "\`askcred get\`, static source (reads its JSON file)" ""
	row crypto-floor "OpenSSL 3 floor: system config, HKDF, one HMAC, one AES-256-GCM open (bench/crypto_floor)" ""
	row git-store "\`git credential-store get\` (plaintext file)" \
		"askcred no slower: askcred/git $( [ -n "$t_store" ] && ratio "$t_askcred" "$t_store") <= 1.0"
	row git-cache "\`git credential-cache get\` (daemon memory)" ""
	row docker-pass "\`docker-credential-pass get\` (gpg file)" ">= 15"
	[ -z "$notes" ] || printf '%s\n' "$notes"
	echo
	echo "## Instructions, whole process (median of 3 runs each)"
	echo
	imethod="\`perf stat -e instructions:u\`"
	[ "$icounter" != callgrind ] ||
		imethod="\`valgrind --tool=callgrind\` (its \`Collected\` total)"
	if [ -n "$i_askcred" ] && [ -n "$i_floor" ]; then
		echo "Counted with $imethod: every user-space"
		echo "instruction of the process from exec to exit, dynamic linking"
		echo "included. bench/crypto_floor is a minimal OpenSSL 3 program that"
		echo "loads libcrypto with the system configuration, derives a key with"
		echo "HKDF-SHA256, computes one HMAC-SHA256 and opens one AES-256-GCM record"
		echo "of a cache file's size. \`askcred get\` is the run timed above ($how)."
		echo
		echo "| command | instructions | / crypto_floor's | target |"
		echo "|---|---:|---:|---|"
		echo "| \`askcred get\` | $i_askcred | $(ratio "$i_askcred" "$i_floor") | <= 1.15 |"
		[ -z "$i_version" ] ||
			echo "| \`askcred --version\` | $i_version | $(ratio "$i_version" "$i_floor") | |"
		echo "| bench/crypto_floor | $i_floor | 1.00 | |"
	else
		echo "Not measured: neither valgrind (callgrind) nor perf's instructions:u"
		echo "counter works here, or bench/crypto_floor is not built, or a run failed."
	fi
	echo
	echo "## Through the ABI, in process (bench/abi_bench -n $abi_n, same stack)"
	echo
	echo "| measure | median | target |"
	echo "|---|---:|---|"
	echo "| warm fetch + release (plugin memory cache) | $(result abi_bench warm_ns) ns = $(result abi_bench warm_per_s) fetches/s | >= 1,000,000/s per core |"
	echo "| cold fetch (fresh stack: no memory cache, read + decrypt) | $(result abi_bench cold_us) us | <= 20 us |"
	[ -z "$i_cold" ] ||
		echo "| cold fetch, instructions (callgrind, \`askcred_fetch\` only: 11 fresh stacks less 1, per fetch) | $i_cold | |"
	echo "| RSS added to a host by loading the plugin (stack open + one fetch) | $(result abi_bench rss_kib) KiB | <= 4096 KiB |"
	echo
	echo '```'
	grep -v '^RESULT' "$tmp/abi_bench.out"
	echo '```'
	echo
	echo "## The encrypted cache alone (bench/cache_bench -n $cache_n)"
	echo
	echo '```'
	grep -v '^RESULT' "$tmp/cache_bench.out"
	echo '```'
	echo
	echo "## Upstream calls within one refresh window"
	echo
	echo "- $upstream."
	echo "- Target: one mint per refresh window, whatever the number of processes."
	echo
	echo "## Job start: \`askcred exec -- true\` over \`true\` ($runs runs each, interleaved)"
	echo
	if [ $mint = yes ] && [ -s "$tmp/jobstart" ]; then
		jt() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$tmp/jobstart"; }
		echo "A mint before the child starts and a delete after it ends: source=mint"
		echo "against the emulator on 127.0.0.1, a fetch and a revoke stack line."
		echo
		echo "| command | median ms | p90 ms |"
		echo "|---|---:|---:|"
		echo "| \`true\` | $(jt true 2) | $(jt true 3) |"
		echo "| \`askcred exec -- true\` | $(jt exec 2) | $(jt exec 3) |"
		echo "| added by askcred (difference) | $(awk -v a="$(jt exec 2)" -v b="$(jt true 2)" 'BEGIN { printf "%.2f", a - b }') | $(awk -v a="$(jt exec 3)" -v b="$(jt true 3)" 'BEGIN { printf "%.2f", a - b }') |"
		echo
	fi
	echo "- ${jobcalls:-not measured: $mint_note}."
	echo "- Goal: at most one TLS handshake and one request on each side."
} >"$out.tmp"
mv "$out.tmp" "$out"
echo
cat "$out"
