#!/bin/sh
# ecii's command line on input a golden file cannot hold: very long and
# binary input, stdin, missing data, terminal safety, and the promise that a
# rejected query prints nothing on stdout.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
ecii="$ECII_BUILDDIR/src/ecii"
export LC_ALL=C.UTF-8
unset ECII_DATA
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 13

# run ARGS...: sets status, and out/err files.
run() {
	status=0
	"$ecii" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
}

# A query longer than the limit: one line, status 2, nothing on stdout.
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
run count "sex:$long"
if [ "$status" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	grep -q 'too long' "$tmp/err"; then
	tap_ok "very long query: one line, status 2"
else
	tap_not_ok "very long query: one line, status 2" "status $status: $(head -c 300 "$tmp/err")"
fi

# Many criteria, each valid, within the limit: answered.
many=$(i=0; while [ $i -lt 250 ]; do printf 'age:0..120 '; i=$((i + 1)); done)
run count "$many"
[ "$status" = 0 ] && grep -q '^TOTAL' "$tmp/out" && tap_ok "250 criteria in one group" ||
	tap_not_ok "250 criteria in one group" "status $status: $(head -c 300 "$tmp/err")"

# Binary garbage as a query.
head -c 4096 /dev/urandom >"$tmp/garbage"
status=0
"$ecii" count - <"$tmp/garbage" >"$tmp/out" 2>"$tmp/err" || status=$?
[ "$status" = 2 ] && [ ! -s "$tmp/out" ] && tap_ok "binary query: status 2, nothing printed" ||
	tap_not_ok "binary query: status 2, nothing printed" "status $status"

# The query from standard input gives the same answer as the argument.
status=0
echo 'diagnosis:lung modality:PET' | "$ecii" count - >"$tmp/stdin" 2>&1 || status=$?
run count 'diagnosis:lung modality:PET'
[ "$status" = 0 ] && cmp -s "$tmp/stdin" "$tmp/out" && tap_ok "query from stdin" ||
	tap_not_ok "query from stdin"

# Missing data: status 1 and a message naming the place.
status=0
ECII_DATA=/nonexistent "$ecii" count 'sex:male' >"$tmp/out" 2>"$tmp/err" || status=$?
[ "$status" = 1 ] && grep -q '/nonexistent' "$tmp/err" && tap_ok "missing data dir: status 1" ||
	tap_not_ok "missing data dir: status 1" "status $status: $(cat "$tmp/err")"

# A data dir whose vocabulary is not JSON.
mkdir -p "$tmp/bad/demo"
echo '{ nope' >"$tmp/bad/criteria.json"
run --data "$tmp/bad" count 'sex:male'
[ "$status" = 1 ] && grep -q 'criteria.json:1' "$tmp/err" && tap_ok "broken vocabulary: status 1" ||
	tap_not_ok "broken vocabulary: status 1" "status $status: $(cat "$tmp/err")"

# A site store that is not a database fails that site, the others answer.
cp "$ECII_SRCDIR/data/criteria.json" "$tmp/bad/criteria.json"
cp "$ECII_BUILDDIR"/data/demo/out/*.db "$tmp/bad/demo/"
echo 'not a database' >"$tmp/bad/demo/site-es-turia.db"
run --data "$tmp/bad" count 'sex:male'
if [ "$status" = 1 ] && grep -q '^es-turia .*failed' "$tmp/out" && grep -q '^TOTAL' "$tmp/out"; then
	tap_ok "a broken site fails alone"
else
	tap_not_ok "a broken site fails alone" "status $status: $(cat "$tmp/out" "$tmp/err")"
fi

# Escape sequences from the catalogue never reach the terminal, in any command.
bad_bytes=0
for args in "catalogue" "show c-lung-03" "count diagnosis:lung" "count --by sex diagnosis:lung"; do
	eval "run $args"
	LC_ALL=C grep -q "$(printf '[\033\007\010]')" "$tmp/out" && bad_bytes=1
done
[ "$bad_bytes" = 0 ] && tap_ok "no control characters from data reach stdout" ||
	tap_not_ok "no control characters from data reach stdout"

# JSON output stays JSON (escapes kept as \u escapes) and parses.
run catalogue --json
[ "$status" = 0 ] && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["total"]==len(d["items"])>=20' <"$tmp/out" &&
	tap_ok "catalogue --json parses" || tap_not_ok "catalogue --json parses"

run count --json 'sex:female diagnosis:breast'
[ "$status" = 0 ] && python3 -c '
import json, sys
d = json.load(sys.stdin)
t = sum(c["subjects_count"] for s in d["sites"] for c in s["payload"]["collections"])
assert t == d["totals"]["subjects"] > 0, t
assert len(d["query"]["hash"]) == 64
' <"$tmp/out" && tap_ok "count --json totals are the payload sums" ||
	tap_not_ok "count --json totals are the payload sums"

# Every command answers --help with status 0.
ok=1
for c in count catalogue show query; do
	run "$c" --help
	[ "$status" = 0 ] && grep -q "^usage: ecii $c" "$tmp/out" || ok=0
done
[ "$ok" = 1 ] && tap_ok "--help for every command" || tap_not_ok "--help for every command"

# Fast enough to feel instant: the demo answers well under a second.
start=$(date +%s%N)
run count 'sex:male diagnosis:prostate modality:MR age:50..70'
ms=$((($(date +%s%N) - start) / 1000000))
[ "$status" = 0 ] && tap_ok "count answers (took $ms ms)" || tap_not_ok "count answers"

# The man page lists every key of the action table, as `ecii help keys` does.
missing=$("$ecii" help keys | while IFS= read -r line; do
	grep -qxF -- "$line" "$ECII_SRCDIR/doc/ecii.1" || printf '%s\n' "$line"
done)
[ -z "$missing" ] && tap_ok "doc/ecii.1 lists every key" ||
	tap_not_ok "doc/ecii.1 lists every key" "$missing"
