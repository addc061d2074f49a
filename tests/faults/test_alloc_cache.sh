#!/bin/sh
# Allocation failure inside the cache layer alone (no provider, no
# network): cache_read and cache_write on an open cache, with the k-th
# allocation after cache_open() failing, for every k until a run needs
# fewer than k. Every run must end cleanly with OK or ASKCRED_NO_MEMORY,
# leak nothing it allocated, and leave the entry whole (the old token or
# the new one). Findings are marked TODO (see the diagnostics).
. "$top_srcdir/tests/faults/faults.sh"

SHIM=${top_builddir:-.}/tests/faults/.libs/failmalloc.so
if grep -q '^HARDEN_CFLAGS = .*-fsanitize=' "$top_builddir/Makefile" 2>/dev/null; then
	skip_all "sanitizer build: ASan replaces malloc"
fi
[ -f "$SHIM" ] || skip_all "$SHIM is not built"
faults_setup
D=$T/cache
"$TOOL" write "$D" "$MACHINE_ID" e1 tok-old 3600 >"$T/w0" 2>&1
is "$(val "$T/w0" status)" 0 "an entry to torture is written"

# sweep OP ARGS...: every k; sets crashes, jsonc, wrong, leaks, errq,
# broken and k
sweep() {
	crashes=0 jsonc=0 wrong=0 leaks=0 errq=0 broken=0 k=0 shown=0
	while :; do
		k=$((k + 1))
		FAULTS_FAIL_AT=$k LD_PRELOAD=$SHIM "$TOOL" "$@" \
			>"$T/out" 2>&1
		rc=$?
		if [ $rc -gt 1 ]; then
			if grep -q libjson-c "$T/out"; then
				jsonc=$((jsonc + 1))
			else
				crashes=$((crashes + 1))
				echo "# $1 k=$k: exit status $rc"
				grep -v '=' "$T/out" | sed 's/^/#   /' | head -12
			fi
			continue
		fi
		[ "$(val "$T/out" injected)" = 1 ] || break
		st=$(val "$T/out" status)
		if [ "$st" != 0 ] && [ "$st" != 9 ]; then
			wrong=$((wrong + 1))
			[ $shown -lt 6 ] && echo "# $1 k=$k: status $st: $(val "$T/out" message)"
			shown=$((shown + 1))
		fi
		if [ "$(val "$T/out" live_ours)" != 0 ] || [ "$(val "$T/out" fds_leaked)" != 0 ]; then
			leaks=$((leaks + 1))
			echo "# $1 k=$k: $(val "$T/out" live_ours) allocations and $(val "$T/out" fds_leaked) descriptors leaked: $(val "$T/out" leak)"
		fi
		if [ "$(val "$T/out" live_errq)" != 0 ]; then
			errq=$((errq + 1))
			[ $errq -le 3 ] && echo "# $1 k=$k: $(val "$T/out" live_errq) allocations left in OpenSSL's error queue"
		fi
		"$TOOL" read "$D" "$MACHINE_ID" e1 >"$T/check" 2>&1
		case $(val "$T/check" token) in
		tok-old | tok-new) ;;
		*)
			broken=$((broken + 1))
			echo "# $1 k=$k: the entry no longer reads: $(val "$T/check" message)"
			;;
		esac
		[ "$(temps "$D")" = 0 ] || {
			broken=$((broken + 1))
			echo "# $1 k=$k: a temp file was left"
		}
	done
	echo "# $1: $((k - 1)) runs with the k-th allocation failing, $((k - 1 - crashes - jsonc - wrong)) clean"
}

report() {
	ok $((k > 1 ? 0 : 1)) "$1: $((k - 1)) runs with the k-th allocation failing"
	is "$crashes" 0 "$1: no run crashes outside json-c"
	if [ "$jsonc" = 0 ]; then ok 0 "$1: no run crashes inside json-c"; else
		ok 1 "$1: no run crashes inside json-c # TODO json-c 0.16 does not check strdup() of object keys ($jsonc runs)"
	fi
	if [ "$wrong" = 0 ]; then ok 0 "$1: every run says OK or ASKCRED_NO_MEMORY"; else
		ok 1 "$1: every run says OK or ASKCRED_NO_MEMORY # TODO $wrong runs say otherwise, see above"
	fi
	if [ "$leaks" = 0 ]; then ok 0 "$1: no allocation or descriptor outlives cache_close"; else
		ok 1 "$1: no allocation or descriptor outlives cache_close # TODO $leaks runs leak, see above"
	fi
	if [ "$errq" = 0 ]; then ok 0 "$1: OpenSSL's error queue is left empty"; else
		ok 1 "$1: OpenSSL's error queue is left empty # TODO $errq runs leave errors queued"
	fi
	is "$broken" 0 "$1: the entry always reads back whole, no temp file left"
}

sweep read "$D" "$MACHINE_ID" e1
report cache_read
sweep write "$D" "$MACHINE_ID" e1 tok-new 3600
report cache_write
done_testing
