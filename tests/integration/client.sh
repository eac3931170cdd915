#!/bin/sh
# ecii against a real hub and real ecii-node sites on loopback, as a user
# runs it: the catalogue synced and then browsed offline, login and logout,
# federated counts equal to local-mode counts of the same stores, a site
# that hangs or dies, the hub going away mid-stream and coming back.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d)
sites="de-elbtal es-turia nl-noordzee"
site_list=$(echo $sites | tr ' ' ',')
cleanup() {
	cleanup_loopback
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 27

# The user's files live in the scratch directory; no hub from outside.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
	XDG_DATA_HOME="$tmp/data"
unset ECII_HUB ECII_TOKEN
mkdir -p "$HOME"
. "$ECII_SRCDIR/tests/integration/loopback.sh"

# The JSON of ecii count, reduced to what must be equal: per site its
# status and its payload without elapsed_ms, and the totals.
reduce() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["sites"]:
    p = s.get("payload")
    if p: p.pop("elapsed_ms", None)
    print(s["site"], s["status"], json.dumps(p, sort_keys=True))
print("totals", json.dumps(d["totals"], sort_keys=True))
'
}

start_hub
tap_check "the hub listens" test -n "$url"
for s in $sites; do start_node "$s"; done
tap_check "three sites come online" wait_online 3 30

# The catalogue: what the three sites published, synced into the cache.
"$bin/ecii" --hub "$url" catalogue --json >"$tmp/cat.json" 2>"$tmp/cat.err"
"$bin/ecii" --local catalogue --json >"$tmp/local-cat.json"
python3 -c '
import json, sys
hub = sorted(i["id"] for i in json.load(open(sys.argv[1]))["items"])
local = sorted(i["id"] for i in json.load(open(sys.argv[2]))["items"]
               if i["provider"]["id"] in sys.argv[3].split(","))
sys.exit(0 if hub == local and len(hub) > 0 else 1)
' "$tmp/cat.json" "$tmp/local-cat.json" "$site_list"
tap_check "the hub's catalogue is the three sites' collections" test $? -eq 0
tap_check "the catalogue is kept in the cache" test -s "$XDG_CACHE_HOME/ecii/catalogue.db"

# No token: counting says how to log in.
"$bin/ecii" --hub "$url" count sex:male >"$tmp/out" 2>"$tmp/err"
tap_check "count without a token fails" test $? -eq 1
tap_check "... and says to log in" grep -q "not logged in to $url: run 'ecii login'" "$tmp/err"

# Login: a wrong token is refused and nothing is stored; the right one is.
echo "ecii_u_nonsense" | "$bin/ecii" --hub "$url" login >"$tmp/out" 2>"$tmp/err"
tap_check "login with a wrong token fails" test $? -eq 1
tap_check "... and stores nothing" test ! -e "$XDG_CONFIG_HOME/ecii/credentials"
echo "$researcher" | "$bin/ecii" --hub "$url" login >"$tmp/out" 2>"$tmp/err"
tap_check "login with the researcher's token" grep -q "^Logged in to $url as researcher" "$tmp/out"
tap_check "the credentials file is mode 0600" \
	test "$(stat -c %a "$XDG_CONFIG_HOME/ecii/credentials")" = 600
if grep -rq "$researcher" "$tmp/hub.log" "$tmp/out" "$tmp/err"; then
	tap_not_ok "the token is in no log and no output"
else
	tap_ok "the token is in no log and no output"
fi

# Federated counts equal local-mode counts over the same stores.
same=0
for q in 'sex:male' 'diagnosis:prostate modality:MR age:50..70' \
	'(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)'; do
	"$bin/ecii" --hub "$url" count --by modality "$q" | grep -v '^Counted by' >"$tmp/hub.txt"
	"$bin/ecii" --local count --by modality --sites "$site_list" "$q" |
		grep -v '^Synthetic demo data' >"$tmp/local.txt"
	cmp -s "$tmp/hub.txt" "$tmp/local.txt" || {
		same=1
		diff "$tmp/hub.txt" "$tmp/local.txt" | sed 's/^/# /'
	}
	"$bin/ecii" --hub "$url" count --json "$q" | reduce >"$tmp/hub.red"
	"$bin/ecii" --local count --json --sites "$site_list" "$q" | reduce >"$tmp/local.red"
	cmp -s "$tmp/hub.red" "$tmp/local.red" || same=1
done
tap_check "hub counts (tables, stratifiers, payloads) equal local counts" test $same -eq 0
tap_check "the JSON says it came from the hub" \
	sh -c "'$bin/ecii' --hub '$url' count --json sex:male | grep -q '\"mode\": \"hub\"'"

# Through ECII_HUB and through the config file, the same.
ECII_HUB="$url" "$bin/ecii" count --json sex:male | reduce >"$tmp/env.red"
mkdir -p "$XDG_CONFIG_HOME/ecii"
printf 'hub = %s\nsite-timeout = 1.5\n' "$url" >"$XDG_CONFIG_HOME/ecii/config"
"$bin/ecii" count --json sex:male | reduce >"$tmp/config.red"
"$bin/ecii" --hub "$url" count --json sex:male | reduce >"$tmp/flag.red"
tap_check "ECII_HUB and the config file reach the same hub" \
	sh -c "cmp -s '$tmp/env.red' '$tmp/flag.red' && cmp -s '$tmp/config.red' '$tmp/flag.red'"

# A site that hangs mid-task times out; the others answer.
stopped=$(node_pid es-turia)
kill -STOP "$stopped"
start=$(date +%s)
"$bin/ecii" count --json sex:male >"$tmp/hang.json" 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - start))
tap_check "a hung site: the count fails (status 1)" test $rc -eq 1
tap_check "... after the site timeout, not later ($took s)" test "$took" -le 5
python3 -c '
import json, sys
st = {s["site"]: s["status"] for s in json.load(open(sys.argv[1]))["sites"]}
sys.exit(0 if st == {"de-elbtal": "succeeded", "es-turia": "timed_out",
                     "nl-noordzee": "succeeded"} else 1)
' "$tmp/hang.json"
tap_check "... that site timed out and the others answered" test $? -eq 0
"$bin/ecii" count sex:male >"$tmp/hang.txt" 2>/dev/null
tap_check "... and the table says so" grep -q '^es-turia .*timed out' "$tmp/hang.txt"

# The hub goes away mid-stream: ecii says so at once, not at the timeout.
printf 'hub = %s\nsite-timeout = 30\n' "$url" >"$XDG_CONFIG_HOME/ecii/config"
searches=$(grep -c ' by researcher to ' "$tmp/hub.log")
"$bin/ecii" count sex:male >"$tmp/lost.txt" 2>"$tmp/lost.err" &
count_pid=$!
i=0
until [ "$(grep -c ' by researcher to ' "$tmp/hub.log")" -gt "$searches" ] || [ $i -ge 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.2
start=$(date +%s)
kill -KILL "$hub_pid"
wait "$hub_pid" 2>/dev/null
wait "$count_pid"
rc=$?
took=$(($(date +%s) - start))
tap_check "hub lost mid-stream: the count fails at once ($took s)" \
	test $rc -eq 1 -a "$took" -le 3
tap_check "... saying the hub was lost" grep -q "lost the hub" "$tmp/lost.err"
kill -CONT "$stopped"

# With the hub down, the catalogue is the cached copy, marked as such.
"$bin/ecii" catalogue >"$tmp/out" 2>"$tmp/err"
tap_check "hub down: the catalogue still lists (status 0)" test $? -eq 0
tap_check "... as the offline copy" grep -q 'offline copy as of 20' "$tmp/out"
tap_check "... and says the hub cannot be reached" grep -q "cannot reach $url" "$tmp/err"

# The hub comes back on the same port: the sites reconnect, counts work.
start_hub "${url#http://}"
tap_check "the hub restarts on the same port" test -n "$url"
tap_check "the sites reconnect by themselves" wait_online 3 40
printf 'hub = %s\n' "$url" >"$XDG_CONFIG_HOME/ecii/config"
"$bin/ecii" count --json sex:male | reduce >"$tmp/back.red"
tap_check "counts after the restart equal those before" cmp -s "$tmp/back.red" "$tmp/flag.red"

# Logout forgets the token.
"$bin/ecii" logout >/dev/null
"$bin/ecii" count sex:male >/dev/null 2>"$tmp/err"
tap_check "after logout, counting asks to log in again" grep -q 'not logged in' "$tmp/err"
[ "$tap_failed" -eq 0 ]
