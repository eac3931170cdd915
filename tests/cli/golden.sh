#!/bin/sh
# CLI golden tests: each tests/cli/cases/NAME.args holds the arguments of one
# ecii run (shell words); NAME.out holds what it must print: stdout, then
# "--- stderr", stderr, then "--- status N". A site's elapsed_ms is the one
# value that differs run to run: it is shown as 0. UPDATE_GOLDEN=1 rewrites
# the files (review the diff before committing).
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
ecii="$ECII_BUILDDIR/src/ecii"
cases="$ECII_SRCDIR/tests/cli/cases"
export LC_ALL=C.UTF-8 TZ=UTC
unset ECII_DATA COLUMNS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan "$(ls "$cases"/*.args | wc -l)"
for args in "$cases"/*.args; do
	name=$(basename "$args" .args)
	eval "set -- $(cat "$args")"
	status=0
	"$ecii" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	{
		sed 's/"elapsed_ms": [0-9.e+-]*/"elapsed_ms": 0/' "$tmp/out"
		echo "--- stderr"
		cat "$tmp/err"
		echo "--- status $status"
	} >"$tmp/got"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/got" "$cases/$name.out"
	fi
	if diff -u "$cases/$name.out" "$tmp/got" >"$tmp/diff" 2>&1; then
		tap_ok "$name: ecii $*"
	else
		tap_not_ok "$name: ecii $*" "$(head -n 40 "$tmp/diff")"
	fi
done
