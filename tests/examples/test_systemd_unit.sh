#!/bin/sh
# examples/systemd/askcred-runner.service: systemd accepts it without a
# warning, and the stack it documents uses only module arguments the
# provider knows, with the cache key credential the unit really loads.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"

UNIT="$top_srcdir/examples/systemd/askcred-runner.service"

# The stack lines from the setup comment, continuation lines included.
sed -n '/^#   fetch /,/^#$/p' "$UNIT" | sed 's/^#//' >"$TMP/stack"
grep -q '^ *fetch ' "$TMP/stack" && grep -q '^ *revoke ' "$TMP/stack"
ok $? "the unit documents a stack with fetch and revoke lines"

"$top_builddir/tests/docs/list_args" >"$TMP/known" || bail "list_args failed"
unknown=$(grep -o '[a-z_]*=' "$TMP/stack" | tr -d = | sort -u |
	grep -vxF -f "$TMP/known")
is "$unknown" "" "every argument in the documented stack is a module argument"

cred=$(sed -n 's/.*cache_key_credential=\([^ ]*\).*/\1/p' "$TMP/stack" | sort -u)
loaded=$(sed -n 's/^LoadCredential\(Encrypted\)\{0,1\}=\([^:]*\):.*/\2/p' "$UNIT")
is "$cred" "askcred-cache-key" "the stack reads the key from one credential"
is "$loaded" "$cred" "the unit loads that very credential"

# Two stack lines that share an instance must agree after the control,
# continuation lines joined and blanks squeezed as the stack reader does.
sed -e :a -e '/\\$/N; s/\\\n/ /; ta' "$TMP/stack" | tr -s ' ' >"$TMP/lines"
is "$(sed -n 's/^ *fetch required //p' "$TMP/lines")" \
	"$(sed -n 's/^ *revoke required //p' "$TMP/lines")" \
	"fetch and revoke lines name the same instance"
grep -q 'fetch required askcred_askui source=mint .*lifetime=2h' "$TMP/lines"
ok $? "the joined fetch line holds its continuation lines"

# The documented stack opens with the real plugin once the files it names
# exist, the key arriving the way systemd delivers it, and not without it.
mkdir -m 700 "$TMP/creds" "$TMP/cache"
install -m 600 "$top_srcdir/examples/credentials/demo.json" "$TMP/parent.json"
printf '%s\n' 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' \
	>"$TMP/creds/askcred-cache-key"
chmod 400 "$TMP/creds/askcred-cache-key"
sed -e "s#/etc/askcred/askui-parent.json#$TMP/parent.json#" \
	-e "s#/var/cache/askcred#$TMP/cache#" -e "s#askcred_askui#$PLUGIN#" \
	"$TMP/stack" >"$TMP/stack.local"
CREDENTIALS_DIRECTORY="$TMP/creds" "$ASKCRED" --stack-file "$TMP/stack.local" \
	status >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -ne 0 ] && contains "$TMP/err" "unknown source 'mint'"; then
	skip "this plugin has no mint source yet"
	skip "this plugin has no mint source yet"
else
	is "$st" 0 "the documented stack opens with the key as a systemd credential"
	sed 's/^/#   /' "$TMP/err"
	env -u CREDENTIALS_DIRECTORY "$ASKCRED" --stack-file "$TMP/stack.local" \
		status >/dev/null 2>"$TMP/err"
	is "$?" 65 "without CREDENTIALS_DIRECTORY the stack is a configuration error"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	# Point the commands at programs that exist here; verify checks them.
	mkdir "$TMP/units"
	sed "s#/usr/bin/askcred#$ASKCRED#; s#/usr/bin/python3#$(command -v true)#" \
		"$UNIT" >"$TMP/units/askcred-runner.service"
	silent "systemd-analyze verify accepts the unit without a message" \
		systemd-analyze verify --man=no "$TMP/units/askcred-runner.service"
else
	skip "systemd-analyze is not installed"
fi

# askcred-gc.service and askcred-gc.timer: the timer starts the service,
# which runs gc on the runner's stack with the runner's user, cache and key.
GC="$top_srcdir/examples/systemd/askcred-gc.service"
TIMER="$top_srcdir/examples/systemd/askcred-gc.timer"
grep -q '^ExecStart=/usr/bin/askcred --stack runner gc$' "$GC"
ok $? "askcred-gc.service runs askcred gc on the runner's stack"
is "$(sed -n 's/^User=//p' "$GC")" "$(sed -n 's/^User=//p' "$UNIT")" \
	"as the runner's user"
is "$(grep '^LoadCredential' "$GC")" "$(grep '^LoadCredential' "$UNIT")" \
	"with the runner's cache key credential"
is "$(sed -n 's/^CacheDirectory=//p' "$GC")" "$(sed -n 's/^CacheDirectory=//p' "$UNIT")" \
	"and the runner's cache directory"
is "$(sed -n 's/^Type=//p' "$GC")" oneshot "the service is a oneshot"
sed -n '/^\[Timer\]/,/^\[/p' "$TIMER" | grep -q '^OnUnitActiveSec=[0-9]'
ok $? "the timer repeats (OnUnitActiveSec=)"
grep -q '^Unit=' "$TIMER" || [ -f "${TIMER%.timer}.service" ]
ok $? "the timer's unit exists"
grep -q '^WantedBy=timers.target$' "$TIMER"
ok $? "the timer is enabled by timers.target"
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s#/usr/bin/askcred#$ASKCRED#" "$GC" >"$TMP/units/askcred-gc.service"
	cp "$TIMER" "$TMP/units/askcred-gc.timer"
	silent "systemd-analyze verify accepts the gc service and timer" \
		systemd-analyze verify --man=no "$TMP/units/askcred-gc.service" \
		"$TMP/units/askcred-gc.timer"
else
	skip "systemd-analyze is not installed"
fi

done_testing
