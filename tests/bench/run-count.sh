#!/bin/sh
# make bench: builds large synthetic sites with the demo generator (kept in
# tests/bench/data of the build tree, made once) and runs bench_count on
# each, pinned to one core. BENCH_SIZES overrides the site sizes.
set -eu
build=$(pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
sizes="${BENCH_SIZES:-1000000 10000000}"
data="$build/tests/bench/data"
mkdir -p "$data"
case "$(grep -E '^CFLAGS|^EXTRA_CFLAGS' Makefile | tr '\n' ' ')" in
*-O0* | *sanitize*) echo "bench: warning: this build is not optimised; numbers mean little" >&2 ;;
esac
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
for n in $sizes; do
	db="$data/site-$n.db"
	if [ ! -f "$db" ]; then
		echo "bench: generating a site of $n subjects (once) ..."
		start=$(date +%s)
		"$build/src/ecii-demo" --criteria "$src/data/criteria.json" --subjects "$n" \
			--seed "$n" --out "$db.tmp" --progress
		mv "$db.tmp" "$db"
		echo "bench: generated in $(($(date +%s) - start)) s"
	fi
	runs="21 3"
	[ "$n" -ge 5000000 ] && runs="9 1"
	echo
	ECII_SRCDIR="$src" $pin "$build/tests/bench/bench_count" "$db" $runs
done
