#!/bin/sh
# make bench: the hub under federated-count load. Runs a real ecii-hub and
# 8 real ecii-node processes on free loopback ports, twice: over sites of
# 10,000 subjects for throughput and memory (bench_hub load), then over
# sites of 100,000 for one client's end-to-end latency (bench_hub latency).
# The site stores are made once with ecii-demo in tests/bench/data of the
# build tree; as every benchmark store is site "bench" with the same
# collection ids, each copy is renamed to site bench-K. Progress on stderr,
# a table on stdout. Everything it starts is stopped on exit, and its
# scratch directory removed. BENCH_HUB_SECONDS overrides the 30 s run.
set -eu
build=$(pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
data="$build/tests/bench/data"
criteria="$src/data/criteria.json"
drv="$build/tests/bench/bench_hub"
hub="$build/src/ecii-hub"
node="$build/src/ecii-node"
ecii="$build/src/ecii"
sites=8
small=10000
large=100000
seconds="${BENCH_HUB_SECONDS:-30}"
# The hub keeps a finished task a minute (or until the table of 1024 is
# full); the load runs with the shortest task lifetime so that memory can
# be read once every task has gone, a second after the last count.
ttl=1
runs=30

say() { printf 'bench-hub: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

for f in "$drv" "$hub" "$node" "$build/src/ecii-demo"; do
	[ -x "$f" ] || die "no $f: make bench builds it"
done
case "$(grep -E '^CFLAGS|^EXTRA_CFLAGS' Makefile | tr '\n' ' ')" in
*-O0* | *sanitize*) say "warning: this build is not optimised; numbers mean little" ;;
esac
mkdir -p "$data"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecii-bench-hub.XXXXXX")
pids=""
drv_pid=""
# Stops what this script started (TERM, then wait: no orphans) and removes
# the scratch directory; once, on any exit.
stop_all() {
	status=$?
	trap - EXIT HUP INT TERM
	if [ -n "$drv_pid" ]; then
		kill -TERM "$drv_pid" 2>/dev/null || true
		wait "$drv_pid" 2>/dev/null || true
	fi
	stop_federation
	rm -rf "$tmp"
	exit "$status"
}
# Whether $1, a child not yet waited for, still runs (not a zombie).
running() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}
stop_federation() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	# A TERM that lands between fork and exec is lost: KILL what still
	# runs after 5 s, so that the waits below always end.
	i=0
	while [ $i -lt 50 ]; do
		left=""
		for p in $pids; do
			running "$p" && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $left; do
		say "pid $p ignored TERM: killing it"
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	pids=""
}
trap stop_all EXIT
trap 'exit 1' HUP INT TERM
umask 077

# Runs the driver in the background and waits for it: a signal then stops
# the script at once, and stop_all stops the driver too.
drive() {
	ECII_SRCDIR="$src" "$drv" "$@" &
	drv_pid=$!
	rc=0
	wait "$drv_pid" || rc=$?
	drv_pid=""
	return $rc
}

# The store of site K with N subjects, made once.
store() {
	db="$data/hub-$1-$2.db"
	if [ ! -f "$db" ]; then
		say "generating site bench-$2 of $1 subjects (once)"
		rm -f "$db.tmp"
		"$build/src/ecii-demo" --criteria "$criteria" --subjects "$1" --seed "$2" \
			--out "$db.tmp" >&2
		python3 - "$db.tmp" "$2" <<'EOF'
import sqlite3, sys
db, k = sys.argv[1], sys.argv[2]
site, name, pre = "bench-" + k, "Benchmark site " + k, "s" + k + "-"
c = sqlite3.connect(db)
c.execute("UPDATE site SET id = ?, name = ?", (site, name))
c.execute("UPDATE collections SET id = ? || id, item = json_set(item, '$.id', ? || id,"
          " '$.acronym', ? || id, '$.provider.id', ?, '$.provider.name', ?)",
          (pre, pre, pre, site, name))
c.execute("UPDATE subjects SET collection_id = ? || collection_id", (pre,))
c.execute("UPDATE previews SET collection_id = ? || collection_id", (pre,))
c.commit()
c.close()
EOF
		mv "$db.tmp" "$db"
	fi
	printf '%s\n' "$db"
}

# Starts a hub and one node per site over stores of N subjects, with a
# task lifetime of TTL seconds; sets url, token and hub_pid.
start_federation() {
	n=$1
	dir="$tmp/$n"
	mkdir -p "$dir"
	"$hub" --db "$dir/hub.db" init 2>>"$dir/setup.err"
	token=$("$hub" --db "$dir/hub.db" user add bench --role researcher 2>>"$dir/setup.err")
	k=1
	while [ $k -le $sites ]; do
		"$hub" --db "$dir/hub.db" site add "bench-$k" >"$dir/bench-$k.token" \
			2>>"$dir/setup.err"
		k=$((k + 1))
	done
	: >"$dir/hub.err"
	"$hub" --db "$dir/hub.db" serve --listen 127.0.0.1:0 --criteria "$criteria" \
		--task-ttl "$2" --log "$dir/hub.log" 2>"$dir/hub.err" &
	hub_pid=$!
	pids="$hub_pid"
	url=""
	i=0
	while [ $i -lt 200 ]; do
		url=$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$dir/hub.err")
		[ -n "$url" ] && break
		kill -0 "$hub_pid" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	[ -n "$url" ] || die "the hub did not start: $(cat "$dir/hub.err")"
	k=1
	while [ $k -le $sites ]; do
		"$node" --hub "$url" --token-file "$dir/bench-$k.token" \
			--store "$(store "$n" $k)" --criteria "$criteria" \
			--log "$dir/node-$k.log" 2>>"$dir/node-$k.log" &
		pids="$pids $!"
		k=$((k + 1))
	done
	drive online "$url" $sites 60 ||
		die "the sites did not come online; logs: $(tail -n 3 "$dir"/node-*.log)"
	say "hub at $url (pid $hub_pid), $sites sites of $n subjects online"
}

# Every store first, so that making them is not timed.
k=1
while [ $k -le $sites ]; do
	store $small $k >/dev/null
	store $large $k >/dev/null
	k=$((k + 1))
done

echo
echo "hub benchmark: ecii-hub and $sites ecii-node processes on loopback, $(nproc) cores"
start_federation $small $ttl
drive load "$url" "$token" $sites "$hub_pid" $ttl "$seconds" ${pids#"$hub_pid"} || status=1
stop_federation

start_federation $large 360
echo "(c) end-to-end latency: $sites sites x $large subjects, $runs sequential counts, one client"
drive latency "$url" "$token" $sites $runs | tee "$dir/latency.out" || status=1
# The same count as a user runs it: a whole `ecii --hub URL count --json`
# process (start, catalogue sync, the count, the JSON), in a scratch home.
query='sex:male diagnosis:prostate modality:MR age:50..70'
export XDG_CACHE_HOME="$dir/cache" XDG_CONFIG_HOME="$dir/config" ECII_TOKEN="$token"
ms=$("$drv" time 10 "$ecii" --hub "$url" count --json "$query") || status=1
# That query's slowest site, by its own elapsed_ms, over 10 more counts.
engine=$(i=0; while [ $i -lt 10 ]; do
	"$ecii" --hub "$url" count --json "$query"
	i=$((i + 1))
done | python3 -c '
import json, sys
dec = json.JSONDecoder()
text, pos, slowest = sys.stdin.read(), 0, []
while pos < len(text):
    doc, pos = dec.raw_decode(text, pos)
    slowest.append(max(s["payload"]["elapsed_ms"] for s in doc["sites"]))
    while pos < len(text) and text[pos].isspace():
        pos += 1
slowest.sort()
print("%.1f" % slowest[len(slowest) // 2])')
printf '    %-44s %9s ms\n' "that query's slowest site engine, median/10" "$engine"
printf '    %-44s %9s ms\n' "ecii --hub URL count --json QUERY, median/10" "$ms"
if [ -n "$engine" ] && [ -n "$ms" ]; then
	printf '    %-44s %9s ms (target <= 30 ms)\n' "overhead over the slowest site's engine" \
		"$(echo "$ms $engine" | awk '{printf "%.1f", $1 - $2}')"
fi
stop_federation
exit "${status:-0}"
