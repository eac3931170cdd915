#!/bin/sh
# ecii-hub's command line: usage and exit statuses, tokens printed once and
# alone on stdout, and serve on a free loopback port that stops cleanly on
# SIGTERM without ever writing a token to its log. The HTTP API itself is
# tested in tests/integration/test_hub_api.c.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
hub="$ECII_BUILDDIR/src/ecii-hub"
tmp=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
db="$tmp/hub.db"
tap_plan 12

# run ARGS...: sets status, and out/err files.
run() {
	status=0
	"$hub" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
}

run --version
tap_check "--version" grep -q "^ecii-hub " "$tmp/out"

run
tap_check "no command: usage on stderr, status 2" \
	sh -c "[ $status = 2 ] && grep -q '^usage: ecii-hub' '$tmp/err' && [ ! -s '$tmp/out' ]"

run --db "$db" user add alice --role admin
tap_check "user add before init: status 1, says to init" \
	sh -c "[ $status = 1 ] && grep -q 'ecii-hub init' '$tmp/err' && [ ! -s '$tmp/out' ]"

run --db "$db" init
tap_check "init" sh -c "[ $status = 0 ] && [ -f '$db' ]"

for c in init user site serve; do
	run "$c" --help
	[ $status = 0 ] && grep -q "^usage: ecii-hub .*$c" "$tmp/out" || break
done
tap_check "--help for every command" sh -c "[ $status = 0 ]"

run --db "$db" user add alice --role admin
tap_check "user add prints one token line" \
	sh -c "[ $status = 0 ] && [ \$(wc -l < '$tmp/out') = 1 ] && grep -q '^ecii_u_' '$tmp/out' && [ ! -s '$tmp/err' ]"

run --db "$db" site add es-turia --country ES
site_token=$(cat "$tmp/out")
tap_check "site add prints one token line" \
	sh -c "[ $status = 0 ] && [ \$(wc -l < '$tmp/out') = 1 ] && grep -q '^ecii_s_' '$tmp/out'"

run --db "$db" user add alice --role admin
tap_check "a taken name: status 1" sh -c "[ $status = 1 ] && grep -q alice '$tmp/err'"

run --db "$db" user add bob --role king
tap_check "a bad role: status 2" sh -c "[ $status = 2 ] && [ ! -s '$tmp/out' ]"

run --db "$db" serve --listen nowhere
tap_check "a bad --listen: status 2" sh -c "[ $status = 2 ] && grep -q -- --listen '$tmp/err'"

"$hub" --db "$db" serve --listen 127.0.0.1:0 --criteria "$ECII_SRCDIR/data/criteria.json" \
	--log "$tmp/log" 2>"$tmp/serve.err" &
pid=$!
i=0
while [ $i -lt 200 ] && ! grep -q '^listening on http://127.0.0.1:[1-9]' "$tmp/serve.err"; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "serve says where it listens" grep -q '^listening on http://127.0.0.1:[1-9]' "$tmp/serve.err"

status=0
kill -TERM "$pid"
wait "$pid" || status=$?
pid=
if [ $status = 0 ] && grep -q "stopping" "$tmp/log" && ! grep -qF "$site_token" "$tmp/log"; then
	tap_ok "SIGTERM stops it with status 0; no token in the log"
else
	tap_not_ok "SIGTERM stops it with status 0; no token in the log" "status $status"
fi
exit 0
