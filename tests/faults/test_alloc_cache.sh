#!/bin/sh
# Allocation failure inside the cache layer alone (no provider, no
# network): cache_read and cache_write on an open cache, with the k-th
# allocation after cache_open() failing, for every k until a run needs
# fewer than k. Every run must end cleanly with OK or ASKCRED_NO_MEMORY,
# leak nothing it allocated, and leave the entry whole (the old token or
# the new one). The only expected failures are the upstream findings
# listed in tests/known-findings (see report below).
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

# sweep OP ARGS...: every k; counts what went wrong:
#   crashes     died, not the known json-c crash (below)
#   keycrash    died inside json-c's tokener adding an object key
#   wrong       a status other than OK or ASKCRED_NO_MEMORY, after an
#               allocation of ours (or of a library other than these two)
#               failed
#   wrong_jsonc ... after an allocation inside json-c failed
#   wrong_ssl   ... after an allocation inside libcrypto failed
#   leaks       memory or a descriptor of ours outlived cache_close
#   errq        errors left in OpenSSL's error queue
#   broken      the entry no longer reads whole, or a temp file is left
sweep() {
	crashes=0 keycrash=0 wrong=0 wrong_jsonc=0 wrong_ssl=0 leaks=0 errq=0
	broken=0 k=0 shown=0
	while :; do
		k=$((k + 1))
		FAULTS_FAIL_AT=$k LD_PRELOAD=$SHIM "$TOOL" "$@" \
			>"$T/out" 2>&1
		rc=$?
		if [ $rc -gt 1 ]; then
			# jsonc-strdup-key: the backtrace of json-c 0.16's
			# tokener passing a failed strdup() of a key on.
			if grep -q 'json_object_object_add_ex' "$T/out" &&
				grep -q 'json_tokener_parse_ex' "$T/out"; then
				keycrash=$((keycrash + 1))
			else
				crashes=$((crashes + 1))
				diag "$1 k=$k: exit status $rc"
				grep -v '=' "$T/out" | sed 's/^/#   /' | head -12
			fi
			continue
		fi
		vals "$T/out"
		[ "${v_injected-}" = 1 ] || break
		st=${v_status-}
		if [ "$st" != 0 ] && [ "$st" != 9 ]; then
			case ${v_failed_in-} in
			json-c) wrong_jsonc=$((wrong_jsonc + 1)) ;;
			OpenSSL*) wrong_ssl=$((wrong_ssl + 1)) ;;
			*) wrong=$((wrong + 1)) ;;
			esac
			[ $shown -lt 8 ] && diag "$1 k=$k: status $st: ${v_message-} (the failed allocation: ${v_failed_in-}:${v_failed_at-})"
			shown=$((shown + 1))
		fi
		if [ "${v_live_ours-}" != 0 ] || [ "${v_fds_leaked-}" != 0 ]; then
			leaks=$((leaks + 1))
			diag "$1 k=$k: ${v_live_ours-} allocations and ${v_fds_leaked-} descriptors leaked: ${v_leak-}"
		fi
		# json-c's memory is ours to free unless json-c's own
		# allocation failed: then it is an object we never put.
		if [ "${v_live_jsonc-0}" != 0 ] && [ "${v_failed_in-}" != json-c ]; then
			leaks=$((leaks + 1))
			diag "$1 k=$k: ${v_live_jsonc-} json-c allocations live, no json-c allocation failed: ${v_jsonc_leak-}"
		fi
		if [ "${v_errors_queued-}" != 0 ]; then
			errq=$((errq + 1))
			[ $errq -le 3 ] && diag "$1 k=$k: ${v_errors_queued-} errors left in OpenSSL's error queue"
		fi
		"$TOOL" read "$D" "$MACHINE_ID" e1 >"$T/check" 2>&1
		vals "$T/check"
		case ${v_token-} in
		tok-old | tok-new) ;;
		*)
			broken=$((broken + 1))
			diag "$1 k=$k: the entry no longer reads: ${v_message-}"
			;;
		esac
		[ "$(temps "$D")" = 0 ] || {
			broken=$((broken + 1))
			diag "$1 k=$k: a temp file was left"
		}
	done
	diag "$1: $((k - 1)) runs with the k-th allocation failing"
}

# report NAME: the checks of one sweep. Expected failures are declared in
# tests/known-findings only (WHERE is alloc_cache.NAME).
report() {
	ok $((k > 1 ? 0 : 1)) "$1: $((k - 1)) runs with the k-th allocation failing"
	is "$crashes" 0 "$1: no run crashes (but for the known json-c crash)"
	known jsonc-strdup-key "alloc_cache.$1" "$keycrash" \
		"$1: no run crashes inside json-c's tokener ($keycrash runs)"
	is "$wrong" 0 "$1: a failed allocation of ours says OK or ASKCRED_NO_MEMORY"
	known jsonc-unchecked-alloc "alloc_cache.$1" "$wrong_jsonc" \
		"$1: a failed allocation in json-c says OK or ASKCRED_NO_MEMORY ($wrong_jsonc runs do not)"
	known openssl-enomem-unreported "alloc_cache.$1" "$wrong_ssl" \
		"$1: a failed allocation in OpenSSL says OK or ASKCRED_NO_MEMORY ($wrong_ssl runs do not)"
	is "$leaks" 0 "$1: no allocation or descriptor of ours outlives cache_close"
	is "$errq" 0 "$1: OpenSSL's error queue is left empty"
	is "$broken" 0 "$1: the entry always reads back whole, no temp file left"
}

sweep read "$D" "$MACHINE_ID" e1
report cache_read
sweep write "$D" "$MACHINE_ID" e1 tok-new 3600
report cache_write
done_testing
