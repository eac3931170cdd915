#!/bin/sh
# ecii-hub's command line: usage and exit statuses, tokens printed once and
# alone on stdout, user and site list/rotate/remove, and serve on a free
# loopback port that refuses a rotated-away token, drops a removed site's
# collections and stops cleanly on SIGTERM without writing a token to its log;
# then --config: a file's mistakes named by file:line, its db and listen used,
# options winning over it. The HTTP API itself is tested in
# tests/integration/test_hub_api.c.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
hub="$ECII_BUILDDIR/src/ecii-hub"
tmp=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT
db="$tmp/hub.db"
tap_plan 44

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
user_token=$(cat "$tmp/out")
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

# bad_seconds OPTION: every bad value gives status 2 and names the option.
bad_seconds() {
	for v in 0 86401 -5 abc 10s ""; do
		run --db "$db" serve "$1" "$v"
		[ $status = 2 ] && grep -q -- "$1" "$tmp/err" && [ ! -s "$tmp/out" ] || return 1
	done
}
tap_check "bad --task-ttl values: status 2" bad_seconds --task-ttl
tap_check "bad --heartbeat values: status 2" bad_seconds --heartbeat

run --db "$db" site add nl-delta
run --db "$db" user list
tap_check "user list: a table with alice, admin" \
	sh -c "[ $status = 0 ] && grep -q '^NAME  *ROLE  *CREATED' '$tmp/out' &&
		grep -q '^alice  *admin  *20[0-9-]*T' '$tmp/out'"

run --db "$db" site list
tap_check "site list: both sites, country, never seen, offline" \
	sh -c "[ $status = 0 ] && grep -q '^es-turia  *ES  *20.*  never  *offline\$' '$tmp/out' &&
		grep -q '^nl-delta  *-  ' '$tmp/out'"

# py CODE: true when python3 running CODE on the last stdout exits 0.
py() { python3 -c "$1" <"$tmp/out"; }

run --db "$db" user list --json
tap_check "user list --json parses" py '
import json, sys
u = json.load(sys.stdin)
assert [x["name"] for x in u] == ["alice"] and u[0]["role"] == "admin"
assert isinstance(u[0]["created"], int)'

run --db "$db" site list --json
tap_check "site list --json parses" py '
import json, sys
s = {x["name"]: x for x in json.load(sys.stdin)}
assert sorted(s) == ["es-turia", "nl-delta"]
assert s["es-turia"]["country"] == "ES" and s["nl-delta"]["country"] is None
assert s["es-turia"]["online"] is False and s["es-turia"]["last_seen"] is None'

# Representatives (PROTOCOL.md §6): users who move a collection's state.
run --db "$db" user add rep --role researcher --represents c-1,c-2
rep_token=$(cat "$tmp/out")
tap_check "user add --represents prints one token line" \
	sh -c "[ $status = 0 ] && [ \$(wc -l < '$tmp/out') = 1 ] && grep -q '^ecii_u_' '$tmp/out'"
run --db "$db" user list
tap_check "user list: what each represents" \
	sh -c "[ $status = 0 ] && grep -q 'REPRESENTS\$' '$tmp/out' &&
		grep -q '^rep  *researcher  *20[0-9:TZ-]*  c-1,c-2\$' '$tmp/out' &&
		grep -q '^alice  *admin  *20[0-9:TZ-]*  -\$' '$tmp/out'"
run --db "$db" user represent rep c-3
status1=$status
run --db "$db" user unrepresent rep c-1
status2=$status
run --db "$db" user list --json
tap_check "user represent / unrepresent, seen in list --json" py "
import json, sys
u = {x['name']: x for x in json.load(sys.stdin)}
assert $status1 == 0 and $status2 == 0
assert u['rep']['represents'] == ['c-2', 'c-3'] and u['alice']['represents'] == []"
bad_represent() {
	run --db "$db" user unrepresent rep c-9
	[ $status = 1 ] && grep -q 'rep does not represent c-9' "$tmp/err" || return 1
	run --db "$db" user represent nobody c-1
	[ $status = 1 ] && grep -q nobody "$tmp/err" || return 1
	run --db "$db" user represent rep 'a b'
	[ $status = 2 ] || return 1
	run --db "$db" user represent rep
	[ $status = 2 ] || return 1
	run --db "$db" user add carl --role researcher --represents 'c-1,,c-2'
	[ $status = 2 ] && [ ! -s "$tmp/out" ] || return 1
	run --db "$db" site represent es-turia c-1
	[ $status = 2 ]
}
tap_check "represent mistakes: status 1 for the store's, 2 for usage" bad_represent

# new_token PREFIX OLD: the last command printed one line, a 71-character
# token other than OLD, and nothing on stderr.
new_token() {
	[ $status = 0 ] && [ "$(wc -l <"$tmp/out")" = 1 ] && [ ! -s "$tmp/err" ] &&
		grep -qx "$1[0-9a-f]\{64\}" "$tmp/out" && [ "$(wc -c <"$tmp/out")" = 72 ] &&
		[ "$(cat "$tmp/out")" != "$2" ]
}
run --db "$db" user rotate alice
tap_check "user rotate prints a new 71-character token" new_token ecii_u_ "$user_token"
user_token2=$(cat "$tmp/out")
run --db "$db" user rotate alice
tap_check "user rotate again: another token" new_token ecii_u_ "$user_token2"
user_token3=$(cat "$tmp/out")
run --db "$db" user list
tap_check "user list still shows alice" sh -c "[ $status = 0 ] && grep -q '^alice ' '$tmp/out'"

run --db "$db" site rotate es-turia
tap_check "site rotate prints a new 71-character token" new_token ecii_s_ "$site_token"
site_token2=$(cat "$tmp/out")

run --db "$db" site rotate nowhere
tap_check "rotate an unknown name: status 1, named, nothing on stdout" \
	sh -c "[ $status = 1 ] && grep -q nowhere '$tmp/err' && [ ! -s '$tmp/out' ]"

run --db "$db" user list extra
tap_check "list with an argument: status 2" sh -c "[ $status = 2 ] && [ ! -s '$tmp/out' ]"

"$hub" --db "$db" serve --listen 127.0.0.1:0 --criteria "$ECII_SRCDIR/data/criteria.json" \
	--task-ttl 30 --heartbeat 5 --log "$tmp/log" 2>"$tmp/serve.err" &
pid=$!
i=0
while [ $i -lt 200 ] && ! grep -q '^listening on http://127.0.0.1:[1-9]' "$tmp/serve.err"; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "serve --task-ttl --heartbeat says where it listens" \
	grep -q '^listening on http://127.0.0.1:[1-9]' "$tmp/serve.err"
url=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$tmp/serve.err")

# http METHOD PATH [TOKEN]: sets code and writes the body to $tmp/body; a
# PUT sends one collection.
http() {
	code=$(python3 -c '
import sys, urllib.request, urllib.error
url, method, path, token = sys.argv[1:5]
body = b"[{\"id\":\"c-1\",\"name\":\"Prostate MRI\"}]" if method == "PUT" else None
req = urllib.request.Request(url + path, data=body, method=method)
if token:
    req.add_header("Authorization", "Bearer " + token)
try:
    r = urllib.request.urlopen(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
sys.stdout.write(str(r.status if hasattr(r, "status") else r.code))
open(sys.argv[5], "wb").write(r.read())' "$url" "$1" "$2" "${3:-}" "$tmp/body") || code=none
}
put=/api/catalogue/sites/es-turia/collections
http PUT "$put" "$site_token"
tap_check "the rotated-away site token is refused (401)" [ "$code" = 401 ]
http PUT "$put" "$site_token2"
tap_check "the new site token publishes (200)" [ "$code" = 200 ]
http GET /api/v3/userinfo "$rep_token"
tap_check "serve: the representative's userinfo says REPRESENTATIVE" \
	sh -c "[ '$code' = 200 ] && grep -q '\"REPRESENTATIVE\"' '$tmp/body' &&
		grep -q '\"represents\":\\[\"c-2\",\"c-3\"\\]' '$tmp/body'"

run --db "$db" site remove es-turia
http GET /api/catalogue/collections
if [ $status = 0 ] && [ "$code" = 200 ] && grep -q '"total": *0' "$tmp/body"; then
	tap_ok "site remove: its collections go with it"
else
	tap_not_ok "site remove: its collections go with it" "status $status, $code $(cat "$tmp/body")"
fi
run --db "$db" site list
tap_check "site list no longer shows it" \
	sh -c "[ $status = 0 ] && ! grep -q '^es-turia ' '$tmp/out' && grep -q '^nl-delta ' '$tmp/out'"
run --db "$db" site remove es-turia
tap_check "a second site remove: status 1, named" \
	sh -c "[ $status = 1 ] && grep -q es-turia '$tmp/err' && [ ! -s '$tmp/out' ]"

run --db "$db" user remove alice
status1=$status
run --db "$db" user list
tap_check "user remove: alice disappears" \
	sh -c "[ $status1 = 0 ] && [ $status = 0 ] && ! grep -q '^alice ' '$tmp/out'"
run --db "$db" user remove alice
tap_check "a second user remove: status 1, named" \
	sh -c "[ $status = 1 ] && grep -q alice '$tmp/err' && [ ! -s '$tmp/out' ]"

status=0
kill -TERM "$pid"
wait "$pid" || status=$?
pid=
leaked=
for t in "$user_token" "$user_token2" "$user_token3" "$site_token" "$site_token2"; do
	grep -qF "$t" "$tmp/log" "$tmp/serve.err" && leaked=yes
done
if [ $status = 0 ] && grep -q "stopping" "$tmp/log" && [ -z "$leaked" ]; then
	tap_ok "SIGTERM stops it with status 0; no token in the log"
else
	tap_not_ok "SIGTERM stops it with status 0; no token in the log" "status $status"
fi

# --config FILE: key = value lines mirroring the long options.
cfg="$tmp/hub.conf"
run --help
tap_check "--help documents --config" grep -q -- "--config FILE" "$tmp/out"

printf 'db = %s\n# a comment\ncolour = no\n' "$db" >"$cfg"
run --config "$cfg" site list
tap_check "--config: an unknown key fails with status 2 and FILE:LINE" \
	sh -c "[ $status = 2 ] && grep -qF \"ecii-hub: $cfg:3: unknown key 'colour'\" '$tmp/err' &&
		[ ! -s '$tmp/out' ]"

printf 'listen = 127.0.0.1:0\n  task-ttl = 0\n' >"$cfg"
run --config "$cfg" --db "$db" site list
tap_check "--config: a bad value fails with status 2 and FILE:LINE" \
	sh -c "[ $status = 2 ] && grep -qF \"ecii-hub: $cfg:2: bad task-ttl '0'\" '$tmp/err'"

run --config "$tmp/no-such.conf" --db "$db" site list
tap_check "--config: a missing file fails with status 2, named" \
	sh -c "[ $status = 2 ] && grep -qF '$tmp/no-such.conf' '$tmp/err'"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$cfg" <<EOF
# ecii-hub settings
db = "$db"
listen = 127.0.0.1:$port
criteria = $tmp/no-such-criteria.json
log = $tmp/config.log
heartbeat = 5
EOF
run --config "$cfg" site list
tap_check "--config: the file's db is used" \
	sh -c "[ $status = 0 ] && grep -q '^nl-delta ' '$tmp/out'"
run --config "$cfg" --db "$tmp/other.db" site list
tap_check "--config: --db wins over the file's db" \
	sh -c "[ $status = 1 ] && grep -qF '$tmp/other.db' '$tmp/err'"

# The file's criteria does not exist: serving shows --criteria won.
"$hub" --config "$cfg" serve --criteria "$ECII_SRCDIR/data/criteria.json" 2>"$tmp/serve2.err" &
pid=$!
i=0
while [ $i -lt 200 ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^listening on' "$tmp/serve2.err"; do
	sleep 0.05
	i=$((i + 1))
done
tap_check "--config: serve listens on the file's port, --criteria winning" \
	grep -qx "listening on http://127.0.0.1:$port" "$tmp/serve2.err"
url=http://127.0.0.1:$port
http GET /api/catalogue/sites
status=0
kill -TERM "$pid"
wait "$pid" || status=$?
pid=
if [ "$code" = 200 ] && grep -q '"nl-delta"' "$tmp/body" && [ $status = 0 ] &&
	grep -q stopping "$tmp/config.log"; then
	tap_ok "--config: it serves the file's db and logs to the file's log"
else
	tap_not_ok "--config: it serves the file's db and logs to the file's log" \
		"status $status, $code $(cat "$tmp/body" "$tmp/serve2.err")"
fi
exit 0
