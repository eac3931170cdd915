#!/bin/sh
# tools/federation.sh, the loopback federation behind ./bootstrap federation:
# it prints the four shell lines and nothing else on stdout, each token works
# against the real hub (the catalogue, a search answered by all six nodes),
# and SIGTERM stops the hub and every node it started and removes its scratch
# directory. HTTP goes through python3's urllib: curl may be missing.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d)
fed=
started=
# Never leave a federation behind, also when a check fails half-way.
cleanup() {
	if [ -n "$fed" ]; then
		kill -TERM "$fed" 2>/dev/null
		wait "$fed" 2>/dev/null
	fi
	for p in $started; do
		kill -TERM "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 10

cat >"$tmp/ecii_http.py" <<'EOF'
import base64, json, sys, urllib.error, urllib.request, uuid

def b64(doc):
    return base64.b64encode(json.dumps(doc).encode()).decode()

def call(method, url, token=None, body=None, accept="application/json", timeout=30):
    req = urllib.request.Request(url, method=method, data=body)
    req.add_header("Accept", accept)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

cmd, hub = sys.argv[1], sys.argv[2]
if cmd == "collections":  # TOKEN -> "STATUS TOTAL ITEMS"
    status, text = call("GET", hub + "/api/catalogue/collections", sys.argv[3])
    doc = json.loads(text) if status == 200 else {}
    print(status, doc.get("total"), len(doc.get("items", [])))
elif cmd == "beam":  # TOKEN -> "STATUS ID": a search of every site, §3
    task = str(uuid.uuid4())
    inner = {"ast": {"operand": "OR", "children": []}, "id": task}
    outer = {"lang": "ast", "query": b64(inner)}
    body = json.dumps({"id": task, "query": b64(outer)}).encode()
    status, _ = call("POST", hub + "/backend/beam", sys.argv[3], body)
    print(status, task)
elif cmd == "results":  # TOKEN ID N -> "SUCCEEDED SITES OTHER"
    status, text = call("GET", "%s/backend/beam/%s?wait_count=%s" % (hub, sys.argv[4], sys.argv[5]),
                        sys.argv[3], accept="text/event-stream", timeout=120)
    ok, sites, other = 0, set(), 0
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if "event: new_result" not in lines:
            continue
        data = "".join(l[6:] for l in lines if l.startswith("data: "))
        res = json.loads(data)
        if res["status"] == "succeeded":
            payload = json.loads(base64.b64decode(res["body"]))
            if payload.get("collections"):
                ok += 1
                sites.add(res["from"].split(".")[1])
        elif res["status"] != "claimed":
            other += 1
    print(ok, len(sites), other)
elif cmd == "userinfo":  # TOKEN -> "STATUS ROLES N_REPRESENTED"
    status, text = call("GET", hub + "/api/v3/userinfo", sys.argv[3])
    doc = json.loads(text) if status == 200 else {}
    print(status, ",".join(doc.get("roles", [])), len(doc.get("represents", [])))
elif cmd == "answers":  # -> "up" or "down"
    try:
        call("GET", hub + "/api/catalogue/sites", timeout=2)
        print("up")
    except (urllib.error.URLError, OSError):
        print("down")
EOF
http() { python3 "$tmp/ecii_http.py" "$@"; }

: >"$tmp/out"
sh "$ECII_SRCDIR/tools/federation.sh" "$ECII_BUILDDIR" >"$tmp/out" 2>"$tmp/err" &
fed=$!
# Bounded: the script gives up by itself after 10 s (hub) + 30 s (sites).
i=0
while [ $i -lt 600 ] && [ "$(wc -l <"$tmp/out")" -lt 4 ] && kill -0 "$fed" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(wc -l <"$tmp/out")" -eq 4 ] &&
	sed -n 1p "$tmp/out" | grep -q '^ECII_HUB=http://127\.0\.0\.1:[1-9][0-9]*$' &&
	sed -n 2p "$tmp/out" | grep -q '^ECII_TOKEN_RESEARCHER=ecii_u_[0-9a-f]*$' &&
	sed -n 3p "$tmp/out" | grep -q '^ECII_TOKEN_COMMITTEE=ecii_u_[0-9a-f]*$' &&
	sed -n 4p "$tmp/out" | grep -q '^ECII_TOKEN_REPRESENTATIVE=ecii_u_[0-9a-f]*$'; then
	tap_ok "prints the hub and three tokens, only them, on stdout"
else
	tap_not_ok "prints the hub and three tokens, only them, on stdout" \
		"$(cat "$tmp/out" "$tmp/err")"
	exit 0
fi
value() { sed -n "s/^$1=//p" "$tmp/out"; }
hub=$(value ECII_HUB)
scratch=$(sed -n 's/^federation: scratch directory //p' "$tmp/err")
started=$(cut -d' ' -f1 "$scratch/pids" 2>/dev/null)

tap_check "pid list: the hub and six nodes" \
	sh -c "[ \$(grep -c ' hub\$' '$scratch/pids') = 1 ] && [ \$(grep -c ' node ' '$scratch/pids') = 6 ]"
tap_check "site token files are mode 0600" \
	sh -c "[ \$(ls '$scratch'/*.token | wc -l) = 6 ] && [ -z \"\$(find '$scratch' -name '*.token' ! -perm 600)\" ]"

for who in RESEARCHER COMMITTEE REPRESENTATIVE; do
	got=$(http collections "$hub" "$(value ECII_TOKEN_$who)")
	beam=$(http beam "$hub" "$(value ECII_TOKEN_$who)")
	if [ "$got" = "200 24 24" ] && [ "${beam%% *}" = 201 ]; then
		tap_ok "$who's token: 24 collections, a search is accepted"
	else
		tap_not_ok "$who's token: 24 collections, a search is accepted" "$got / $beam"
	fi
done
got=$(http userinfo "$hub" "$(value ECII_TOKEN_REPRESENTATIVE)")
tap_check "the representative represents all 24 demo collections" \
	[ "$got" = "200 RESEARCHER,REPRESENTATIVE 24" ]
beam=$(http beam "$hub" ecii_u_nobody)
tap_check "an unknown token may not search" [ "${beam%% *}" = 401 ]

beam=$(http beam "$hub" "$(value ECII_TOKEN_RESEARCHER)")
got=$(http results "$hub" "$(value ECII_TOKEN_RESEARCHER)" "${beam#* }" 6)
if [ "$got" = "6 6 0" ]; then
	tap_ok "six sites answer the researcher's search"
else
	tap_not_ok "six sites answer the researcher's search" "$beam -> $got"
fi

kill -TERM "$fed"
i=0
while [ $i -lt 100 ] && kill -0 "$fed" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
status=0
if kill -0 "$fed" 2>/dev/null; then
	status=timeout
else
	wait "$fed" || status=$?
	fed=
fi
left=""
for p in $started; do
	kill -0 "$p" 2>/dev/null && left="$left $p"
done
if [ "$status" = 0 ] && [ -n "$started" ] && [ -z "$left" ] && [ ! -e "$scratch" ] &&
	[ "$(http answers "$hub")" = down ]; then
	tap_ok "SIGTERM: status 0, hub and nodes gone, scratch directory removed"
else
	tap_not_ok "SIGTERM: status 0, hub and nodes gone, scratch directory removed" \
		"status $status; still running:$left; $(tail -n 3 "$tmp/err")"
fi
exit 0
