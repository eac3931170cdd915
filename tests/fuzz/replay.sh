#!/bin/sh
# Replays each fuzz target's corpus (tests/fuzz/corpus/<target>/) through
# its replay program; a crash or sanitizer report fails that target.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}" "${FUZZ_TARGETS:?}"
n=0
for t in $FUZZ_TARGETS; do n=$((n + 1)); done
echo "1..$n"
i=0
for t in $FUZZ_TARGETS; do
	i=$((i + 1))
	files=$(find "$ECII_SRCDIR/tests/fuzz/corpus/$t" -type f ! -name '.*' | sort)
	count=$(printf '%s\n' "$files" | grep -c .)
	if out=$("$ECII_BUILDDIR/tests/fuzz/replay_$t" $files 2>&1) &&
		! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "ok $i - fuzz corpus $t ($count inputs)"
	else
		echo "not ok $i - fuzz corpus $t"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	fi
done
