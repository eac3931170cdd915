#!/bin/sh
# Previews over the federation, for real on loopback: ecii-node sites
# publish the previews their collections list (copies of demo stores, with
# one preview of our own added), the hub serves exactly the site's bytes
# with an ETag and 304, a restarted node uploads nothing again, the upload
# refuses another site's preview, a wrong type (415), too many bytes (413)
# and an id nobody lists (404); the client gets the same bytes through the
# hub and, with the hub stopped, from its cache.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d)
sites="de-elbtal es-turia"
cleanup() {
	cleanup_loopback
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 26

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
	XDG_DATA_HOME="$tmp/data"
unset ECII_HUB ECII_TOKEN
mkdir -p "$HOME"
. "$ECII_SRCDIR/tests/integration/loopback.sh"
get="$ECII_BUILDDIR/tests/integration/preview_get"

# Each site's store: a copy of the demo's, with our own PNG preview t-<site>
# listed by its first collection (random bytes with NULs, so no text
# handling can pass them through unharmed by luck).
for s in $sites; do
	cp "$demo/site-$s.db" "$tmp/site-$s.db"
	head -c 200000 /dev/urandom >"$tmp/t-$s.bin"
	python3 - "$tmp/site-$s.db" "t-$s" "$tmp/t-$s.bin" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cid, item = db.execute("SELECT id, item FROM collections ORDER BY id LIMIT 1").fetchone()
doc = json.loads(item)
doc.setdefault("previews", []).append(
    {"id": sys.argv[2], "title": "test bytes", "media_type": "image/png"})
db.execute("UPDATE collections SET item = ? WHERE id = ?",
           (json.dumps(doc, separators=(",", ":")), cid))
db.execute("INSERT INTO previews(id, collection_id, title, media_type, bytes)"
           " VALUES (?, ?, 'test bytes', 'image/png', ?)",
           (sys.argv[2], cid, open(sys.argv[3], "rb").read()))
db.commit()
EOF
done
# One HTTP request: req METHOD PATH TOKEN|- TYPE|- BODYFILE|- OUT prints the
# status and the ETag; the body goes to OUT.
req() {
	python3 - "$url" "$@" <<'EOF'
import sys, urllib.request, urllib.error
url, method, path, token, ctype, body, out = sys.argv[1:8]
data = open(body, "rb").read() if body != "-" else None
r = urllib.request.Request(url + path, data=data, method=method)
if token != "-": r.add_header("Authorization", "Bearer " + token)
if ctype != "-": r.add_header("Content-Type", ctype)
for h in sys.argv[8:]:
    k, v = h.split(": ", 1); r.add_header(k, v)
try:
    resp = urllib.request.urlopen(r, timeout=30)
except urllib.error.HTTPError as e:
    resp = e
open(out, "wb").write(resp.read())
print(resp.status, resp.headers.get("ETag", "-"))
EOF
}
node_start() {
	"$bin/ecii-node" --hub "$url" --token-file "$tmp/$1.token" --store "$tmp/site-$1.db" \
		--criteria "$criteria" --log "$tmp/node-$1.log" 2>>"$tmp/node-$1.log" &
	eval "node_$(echo "$1" | tr - _)=$!"
	node_pids="$node_pids $!"
}
# Waits until site $1's node has logged its previews $2 times.
wait_published() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(grep -c "previews of $1:" "$tmp/node-$1.log" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
puts() { grep -c "PUT /api/catalogue/sites/$1/previews/" "$tmp/hub.log"; }

start_hub
tap_check "the hub listens" test -n "$url"
for s in $sites; do node_start "$s"; done
wait_both() { wait_published de-elbtal 1 && wait_published es-turia 1; }
tap_check "both nodes publish their previews" wait_both
tap_check "... and say they sent them all" \
	grep -q "previews of de-elbtal: [1-9][0-9]* sent, 0 unchanged, 0 failed" "$tmp/node-de-elbtal.log"

# What the hub serves is exactly what each site holds, every listed preview.
n=$(python3 - "$url" "$tmp" $sites <<'EOF'
import hashlib, json, sqlite3, sys, urllib.request
url, tmp, sites = sys.argv[1], sys.argv[2], sys.argv[3:]
n = 0
for s in sites:
    db = sqlite3.connect("%s/site-%s.db" % (tmp, s))
    for (item,) in db.execute("SELECT item FROM collections"):
        for p in json.loads(item).get("previews", []):
            want, = db.execute("SELECT bytes FROM previews WHERE id = ?", (p["id"],)).fetchone()
            r = urllib.request.urlopen(url + "/api/catalogue/previews/" + p["id"])
            got = r.read()
            tag = '"%s"' % hashlib.sha256(want).hexdigest()
            if r.status != 200 or got != want or r.headers["ETag"] != tag:
                print("# %s %s: %d, %d bytes, want %d" % (s, p["id"], r.status, len(got),
                                                          len(want)))
                sys.exit(1)
            n += 1
print(n)
EOF
)
tap_check "GET returns exactly each site's bytes and their SHA-256 ($n)" \
	test "${n:-0}" -ge 2 2>/dev/null
set -- $(req GET /api/catalogue/previews/t-de-elbtal - - - "$tmp/got")
etag=$2
tap_check "... with the SHA-256 of the bytes as ETag" \
	test "$etag" = "\"$(sha256sum <"$tmp/t-de-elbtal.bin" | cut -d' ' -f1)\""
req GET /api/catalogue/previews/t-de-elbtal - - - "$tmp/got" >/dev/null
tap_check "... and the PNG media type" sh -c "python3 -c '
import sys, urllib.request
r = urllib.request.urlopen(sys.argv[1])
sys.exit(0 if r.headers[\"Content-Type\"] == \"image/png\" else 1)' '$url/api/catalogue/previews/t-de-elbtal'"
set -- $(req GET /api/catalogue/previews/t-de-elbtal - - - "$tmp/got" "If-None-Match: $etag")
tap_check "If-None-Match with it: 304 and no body" test "$1" = 304 -a ! -s "$tmp/got"
set -- $(req GET /api/catalogue/previews/no-such-preview - - - "$tmp/got")
tap_check "an unknown id: 404" test "$1" = 404
tap_check "... with a JSON error" grep -q '"error"' "$tmp/got"

# The upload's refusals.
tok_a=$(cat "$tmp/de-elbtal.token")
set -- $(req PUT /api/catalogue/sites/de-elbtal/previews/t-es-turia "$tok_a" image/png \
	"$tmp/t-de-elbtal.bin" "$tmp/got")
tap_check "a site cannot PUT another site's preview (409)" test "$1" = 409
tap_check "... and says whose it is" grep -q "site es-turia" "$tmp/got"
set -- $(req PUT /api/catalogue/sites/es-turia/previews/t-es-turia "$tok_a" image/png \
	"$tmp/t-de-elbtal.bin" "$tmp/got")
tap_check "... nor PUT under another site's name (403)" test "$1" = 403
req GET /api/catalogue/previews/t-es-turia - - - "$tmp/got" >/dev/null
tap_check "... and the other site's bytes are untouched" cmp -s "$tmp/got" "$tmp/t-es-turia.bin"
set -- $(req PUT /api/catalogue/sites/de-elbtal/previews/t-de-elbtal "$tok_a" text/html \
	"$tmp/t-de-elbtal.bin" "$tmp/got")
tap_check "a wrong content type: 415" test "$1" = 415
head -c $((8 * 1024 * 1024 + 1)) /dev/zero >"$tmp/big"
set -- $(req PUT /api/catalogue/sites/de-elbtal/previews/t-de-elbtal "$tok_a" image/png \
	"$tmp/big" "$tmp/got")
tap_check "over 8 MiB: 413" test "$1" = 413
set -- $(req PUT /api/catalogue/sites/de-elbtal/previews/nobody-lists-this "$tok_a" image/png \
	"$tmp/t-de-elbtal.bin" "$tmp/got")
tap_check "an id no collection of the site lists: 404" test "$1" = 404

# A restarted node finds every preview current and uploads nothing.
before=$(puts de-elbtal)
kill -TERM "$(node_pid de-elbtal)"
wait "$(node_pid de-elbtal)" 2>/dev/null
node_start de-elbtal
wait_published de-elbtal 2
tap_check "a restarted node: all previews unchanged" \
	grep -q "previews of de-elbtal: 0 sent, [1-9][0-9]* unchanged, 0 failed" \
	"$tmp/node-de-elbtal.log"
tap_check "... and not one PUT at the hub ($before before, $(puts de-elbtal) after)" \
	test "$(puts de-elbtal)" -eq "$before"

# The upload's own body limit, not the JSON routes' 1 MiB, and only there.
head -c $((3 * 1024 * 1024)) /dev/urandom >"$tmp/3mib"
set -- $(req PUT /api/catalogue/sites/de-elbtal/previews/t-de-elbtal "$tok_a" image/png \
	"$tmp/3mib" "$tmp/got")
tap_check "a 3 MiB preview is taken (204)" test "$1" = 204
req GET /api/catalogue/previews/t-de-elbtal - - - "$tmp/got" >/dev/null
tap_check "... and served whole" cmp -s "$tmp/got" "$tmp/3mib"
set -- $(req PUT /api/catalogue/sites/de-elbtal/collections "$tok_a" application/json \
	"$tmp/3mib" "$tmp/got")
tap_check "... while 3 MiB of collections is still 413" test "$1" = 413

# The client: through the hub, then from its cache with the hub stopped.
"$get" "$url" "$XDG_CACHE_HOME/ecii/catalogue.db" t-es-turia "$tmp/client" >"$tmp/out" \
	2>"$tmp/err"
tap_check "the client gets the site's bytes through the hub" cmp -s "$tmp/client" "$tmp/t-es-turia.bin"
tap_check "... as image/png" grep -qx image/png "$tmp/out"
tap_check "... and keeps them in its cache" test -s "$XDG_CACHE_HOME/ecii/previews/t-es-turia.preview"
kill -TERM "$hub_pid"
wait "$hub_pid" 2>/dev/null
rm -f "$tmp/client"
"$get" "$url" "$XDG_CACHE_HOME/ecii/catalogue.db" t-es-turia "$tmp/client" >"$tmp/out" \
	2>"$tmp/err"
tap_check "hub stopped: the client gets the cached copy" cmp -s "$tmp/client" "$tmp/t-es-turia.bin"
tap_check "... saying it is the offline copy" grep -q "offline copy: cannot reach" "$tmp/err"
[ "$tap_failed" -eq 0 ]
