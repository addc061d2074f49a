#!/bin/sh
# examples/demo.sh (./build.sh demo) on this build: it runs its four steps
# against the AskUI emulator, passes its own checks, shows the evidence of
# each step, and never prints a token: every token the emulator issued
# (the demo hands the list over through ASKCRED_DEMO_SECRETS) and the
# parent token are searched for in its output. No timing is asserted.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

if [ "$PYTHON3" = no ] || ! command -v "$PYTHON3" >/dev/null 2>&1 ||
	! "${OPENSSL_BIN:-openssl}" version >/dev/null 2>&1; then
	echo "1..0 # SKIP the demo needs python3 and openssl"
	exit 0
fi
DEMO="$top_srcdir/examples/demo.sh"
OUT=$TMP/demo.out ERR=$TMP/demo.err SECRETS=$TMP/secrets
TAP_FAIL_HOOK='sed -n "\$s/^/# demo said: /p" "$ERR"'

ASKCRED_DEMO_SECRETS=$SECRETS bash "$DEMO" "$top_builddir" >"$OUT" 2>"$ERR"
is "$?" 0 "the demo passes its own checks"
for n in 1 2 3 4; do
	grep -q "^\[$n/4\] ." "$OUT"
	ok $? "step $n has its one-line explanation"
done
is "$(grep -c '^      ok$' "$OUT")" 4 "each of the 4 steps ends in ok"
contains "$OUT" "emulator counted 1 mint for 20 gets"
ok $? "step 1 shows one mint for 20 gets"
grep -q "expires_in [0-9]* s (policy max_lifetime 1h, asked lifetime=2h)" "$OUT"
ok $? "step 1 shows the lifetime the policy allowed"
grep -q "in .*/cache/askcred: 0 of [1-9][0-9]* files" "$OUT"
ok $? "step 2 shows the cache folder searched"
grep -q "from-cache,minted *mint *7 " "$OUT"
ok $? "step 2 shows the status entry: cached, minted, policy serial 7"
contains "$OUT" "200 during the job, 401 after it"
ok $? "step 3 shows the job's token deleted after the job"
grep -q "orphaned" "$OUT" && contains "$OUT" "after 'askcred gc' the emulator answers 401"
ok $? "step 3 shows gc deleting the token of the SIGKILLed job"
grep -q "askcred get exits 67, 0 bytes on stdout, no mint" "$OUT"
ok $? "step 4 shows the tampered policy refused and nothing handed out"
grep -q -E "fingerprint [0-9a-f]{16}" "$OUT"
ok $? "tokens are shown by fingerprint"

# The leak check: the list must be there, or it proves nothing.
grep -v '^$' "$SECRETS" >"$SECRETS.nz" 2>/dev/null
n=$(wc -l <"$SECRETS.nz")
[ "$n" -ge 4 ]
ok $? "the demo reported the tokens issued (shared, two jobs' and the parent: $n)"
# -l: name the file, never print the line holding a token.
hits=$(grep -l -F -f "$SECRETS.nz" "$OUT" "$ERR")
is "$hits" "" "no whole token appears in the demo's output"
rm -f "$SECRETS" "$SECRETS.nz"

# A step that does not behave fails the demo, which names it: a build
# whose askcred gc does nothing leaves the SIGKILLed job's token alive.
mkdir -p "$TMP/broken/cli" "$TMP/broken/plugin"
ln -s "$top_builddir/plugin/.libs" "$TMP/broken/plugin/.libs"
cat >"$TMP/broken/cli/askcred" <<BROKEN
#!/bin/sh
for a; do [ "\$a" = gc ] && exit 0; done
exec "$top_builddir/cli/askcred" "\$@"
BROKEN
chmod 755 "$TMP/broken/cli/askcred"
bash "$DEMO" "$TMP/broken" >"$OUT" 2>"$ERR"
st=$?
[ $st -ne 0 ]
ok $? "the demo exits non-zero when a step does not behave ($st)"
grep -q "^demo FAILED at step 3/4: gc did not list an orphaned token" "$ERR"
ok $? "and names the step and the check"
[ "$(grep -c '^      ok$' "$OUT")" = 2 ]
ok $? "the steps before it passed"

bash "$DEMO" "$TMP/nonexistent" >"$OUT" 2>"$ERR"
st=$?
[ $st -ne 0 ]
ok $? "the demo exits non-zero when it cannot run (no build: $st)"

done_testing
