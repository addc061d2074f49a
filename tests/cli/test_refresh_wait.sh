#!/bin/sh
# Two processes miss the cache at once: one asks the source, the other
# waits for its result. The wait must last as long as the source may
# legitimately take (command_timeout=, timeout=), not a fixed 10 s: the
# command here takes 13 s, well within its command_timeout=2m, and the
# waiting process used to fail after 10 s with nothing to show for it.
. "${top_srcdir:?}/tests/cli/lib.sh"

WS=6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b
ID=0f1e2d3c-4b5a-4968-8776-655443322110
EXPIRES=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) || bail "date -d"
cat >"$TMP/slow-cmd" <<CMD
#!/bin/sh
[ "\$1" = get ] || exit 3
echo run >>"$TMP/runs"
sleep 13
echo '{"workspace_id": "$WS", "token": "WaIt-FoR-ThE-ReFrEsHeR-41", "token_id": "$ID", "expires_at": "$EXPIRES"}'
CMD
chmod 700 "$TMP/slow-cmd"
(umask 077 && printf 'fetch required %s source=exec workspace=%s command=%s command_timeout=2m\n' \
	"$PLUGIN" "$WS" "$TMP/slow-cmd" >"$STACK")

get_into() { # get_into NAME: askcred get in the background
	"$ASKCRED" --stack-file "$STACK" get >"$TMP/$1.out" 2>"$TMP/$1.err" &
}
get_into first
p1=$!
# The second starts once the first holds the lock (its command has run).
for _ in $(seq 1 600); do
	[ -s "$TMP/runs" ] && break
	sleep 0.1
done
[ -s "$TMP/runs" ] || bail "the first askcred get never ran its command"
get_into second
p2=$!
wait "$p1"
is "$?" 0 "the process that asked the source gets the token"
wait "$p2"
rc2=$?
is "$rc2" 0 "the process that waited 13 s for it gets it too"
[ "$rc2" = 0 ] || diag "$(cat "$TMP/second.err")"
cmp -s "$TMP/first.out" "$TMP/second.out"
ok $? "both hand out the same token"
is "$(wc -l <"$TMP/runs")" 1 "the command ran once for both"
done_testing
