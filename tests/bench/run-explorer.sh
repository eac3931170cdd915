#!/bin/sh
# make bench: the explorer's start-up and search-keystroke costs over a
# generated catalogue of BENCH_ITEMS collections (10,000 by default), next
# to a naive baseline, pinned to one core.
set -eu
build=$(pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
items="${BENCH_ITEMS:-10000}"
case "$(grep -E '^CFLAGS|^EXTRA_CFLAGS' Makefile | tr '\n' ' ')" in
*-O0* | *sanitize*) echo "bench: warning: this build is not optimised; numbers mean little" >&2 ;;
esac
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
echo
ECII_SRCDIR="$src" $pin "$build/tests/bench/bench_explorer" "$items" 1000
