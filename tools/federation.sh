#!/bin/sh
# Runs a whole ecii federation on loopback from a build directory: a hub on a
# free 127.0.0.1 port and one ecii-node per demo site store, in a scratch
# directory that is removed on exit. Once every site is online it prints, and
# prints only, these lines on stdout (progress and hints go to stderr):
#   ECII_HUB=http://127.0.0.1:PORT
#   ECII_TOKEN_RESEARCHER=...  ECII_TOKEN_COMMITTEE=...  ECII_TOKEN_REPRESENTATIVE=...
# then runs until SIGINT, SIGTERM or SIGHUP, stops the hub and every node it
# started, waits for them, and exits 0. It must not touch anything outside its
# scratch directory, nor leave a process behind.
#   usage: tools/federation.sh BUILD_DIR
# ./bootstrap federation and tests/integration/federation.sh call it.
set -eu

say() { printf 'federation: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || die "no build directory $1: build first (./bootstrap)"
hub="$build/src/ecii-hub"
node="$build/src/ecii-node"
criteria="$top/data/criteria.json"
demo="$build/data/demo/out"
for f in "$hub" "$node"; do
	[ -x "$f" ] || die "no $f: build first (./bootstrap)"
done
[ -f "$criteria" ] || die "no $criteria"
stores=$(ls "$demo"/site-*.db 2>/dev/null) || true
[ -n "$stores" ] || die "no demo site stores in $demo: build first (./bootstrap)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecii-federation.XXXXXX")
pids=""
# Stops what this script started (TERM, then wait: no orphans, no zombies)
# and removes the scratch directory. Runs once, on any exit.
stop_all() {
	status=$?
	trap - EXIT HUP INT TERM
	if [ -n "$pids" ]; then
		say "stopping the hub and the nodes"
		for p in $pids; do
			kill -TERM "$p" 2>/dev/null || true
		done
		for p in $pids; do
			wait "$p" 2>/dev/null || true
		done
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap stop_all EXIT
# A signal is how this script is meant to end: a clean stop, status 0.
trap 'exit 0' HUP INT TERM
say "scratch directory $tmp"
umask 077

db="$tmp/hub.db"
"$hub" --db "$db" init
# The demo users. The committee decides on access requests (PROTOCOL §6).
researcher=$("$hub" --db "$db" user add researcher --role researcher)
committee=$("$hub" --db "$db" user add committee --role admin)
# The data access representative of every demo collection: it moves each
# collection's state in access requests (PROTOCOL §6). The ids come from
# the demo description, the same file the demo site stores are made from.
collections=$(python3 -c '
import json, sys
print(",".join(c["id"] for c in json.load(open(sys.argv[1]))["collections"]))
' "$top/data/demo/federation.json") || die "cannot read the demo collections"
[ -n "$collections" ] || die "no demo collections in $top/data/demo/federation.json"
representative=$("$hub" --db "$db" user add representative --role researcher \
	--represents "$collections")

# One site per store; its site id is its name at the hub. The countries come
# from the demo description.
countries=$(python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sites"]:
    print(s["id"], s.get("country", ""))
' "$top/data/demo/federation.json" 2>/dev/null) || countries=""
sites=""
for store in $stores; do
	site=$(basename "$store" .db)
	site=${site#site-}
	cc=$(printf '%s\n' "$countries" | sed -n "s/^$site \([A-Z][A-Z]\)\$/\1/p")
	"$hub" --db "$db" site add "$site" ${cc:+--country "$cc"} >"$tmp/$site.token"
	chmod 600 "$tmp/$site.token"
	sites="$sites $site"
done

"$hub" --db "$db" serve --listen 127.0.0.1:0 --criteria "$criteria" \
	--access-form "$top/data/access-form.json" --log "$tmp/hub.log" \
	2>"$tmp/hub.err" &
hub_pid=$!
pids="$hub_pid"
echo "$hub_pid hub" >"$tmp/pids"
url=""
i=0
while [ $i -lt 200 ]; do
	url=$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$tmp/hub.err")
	[ -n "$url" ] && break
	kill -0 "$hub_pid" 2>/dev/null || break
	sleep 0.05
	i=$((i + 1))
done
[ -n "$url" ] || die "the hub did not start listening within 10 s: $(cat "$tmp/hub.err")"
say "hub at $url (log $tmp/hub.log)"

for site in $sites; do
	"$node" --hub "$url" --token-file "$tmp/$site.token" --store "$demo/site-$site.db" \
		--criteria "$criteria" --log "$tmp/node-$site.log" 2>>"$tmp/node-$site.log" &
	pids="$pids $!"
	echo "$! node $site" >>"$tmp/pids"
done

# Every site online at the hub, or the names of those that are not.
offline() {
	python3 -c '
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/api/catalogue/sites", timeout=5) as r:
        sites = json.load(r)
except Exception as e:
    print("(hub: %s)" % e)
    sys.exit(0)
online = {s["name"] for s in sites if s.get("online")}
print(" ".join(n for n in sys.argv[2:] if n not in online))
' "$url" $sites
}
i=0
while :; do
	left=$(offline)
	[ -z "$left" ] && break
	for p in $pids; do
		kill -0 "$p" 2>/dev/null ||
			die "$(sed -n "s/^$p //p" "$tmp/pids") (pid $p) stopped early"
	done
	[ $i -lt 300 ] || die "not online after 30 s: $left"
	sleep 0.1
	i=$((i + 1))
done
say "$(echo $sites | wc -w) sites online:$sites"

cat >"$tmp/env" <<EOF
ECII_HUB=$url
ECII_TOKEN_RESEARCHER=$researcher
ECII_TOKEN_COMMITTEE=$committee
ECII_TOKEN_REPRESENTATIVE=$representative
EOF
cat "$tmp/env"
say "in another shell: set -a; . $tmp/env; set +a"
say "logs in $tmp; Ctrl-C (or SIGTERM) stops the federation"

# Until a signal; the hub ending by itself is an error.
status=0
wait "$hub_pid" || status=$?
pids=${pids#"$hub_pid"}
die "the hub stopped by itself (status $status); its log: $(tail -n 5 "$tmp/hub.err")"
