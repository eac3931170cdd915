#!/bin/sh
# Runs each fuzz target under libFuzzer (`make fuzz`): builds it with
# clang's fuzzer, address and undefined sanitizers from the sources it needs,
# starts from a scratch copy of its seed corpus, fuzzes for FUZZ_SECONDS
# (default 60) and prints one line per target with the number of executions
# and whether it crashed. Exits non-zero if any target crashed or failed to
# build; crashing inputs are kept in ./fuzz-artifacts/<target>/.
#
# Usage (from the build directory, which holds config.h):
#   sh path/to/tests/fuzz/run-libfuzzer.sh [srcdir]
# Environment: FUZZ_SECONDS, CLANG (default clang), FUZZ_KEEP=1 keeps the
# scratch directory (grown corpora, logs) and prints where it is.
set -u

srcdir=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
srcdir=$(cd "$srcdir" && pwd) || exit 2
builddir=$(pwd)
seconds=${FUZZ_SECONDS:-60}
clang=${CLANG:-clang}
targets="${FUZZ_TARGETS:-query_text query_json payload criteria beam sse conf draft negotiation
	access_form dicom picture graphics_reply preview_cache}"
sources="util/base64.c util/buf.c util/conf.c util/hash.c util/sanitize.c util/uuid.c util/xmalloc.c net/sse.c
	core/vocab.c core/query.c core/query_canon.c core/query_json.c core/query_text.c
	core/count.c core/privacy.c core/payload.c core/site_data.c core/beam.c
	util/xdg.c store/drafts.c core/json_read.c core/negotiation.c core/access_form.c img/dicom.c
	img/dicom_encap.c img/dicom_jpeg.c img/dicom_rle.c img/window.c img/picture.c
	ui/graphics_reply.c ui/graphics.c client/preview_file.c"

if [ ! -f "$builddir/config.h" ]; then
	echo "run-libfuzzer.sh: no config.h in $builddir; run it from the build directory" >&2
	exit 2
fi
if ! deps=$(pkg-config --cflags --libs jansson libcrypto zlib libpng libjpeg); then
	echo "run-libfuzzer.sh: pkg-config cannot find jansson, libcrypto, zlib, libpng or libjpeg" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ecii-fuzz.XXXXXX") || exit 2
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
	echo "run-libfuzzer.sh: scratch directory $work"
else
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
fi

files=""
for s in $sources; do
	files="$files $srcdir/src/$s"
done

status=0
for t in $targets; do
	bin=$work/fuzz_$t
	log=$work/$t.log
	# $deps and $files are word lists on purpose.
	# shellcheck disable=SC2086
	if ! "$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I"$builddir" -I"$srcdir/src" \
		-DECII_SOURCE_DIR="\"$srcdir\"" $files "$srcdir/tests/fuzz/fuzz_$t.c" \
		"$srcdir/tests/fuzz/fuzz_support.c" $deps -lm -o "$bin"; then
		echo "fuzz $t: build failed"
		status=1
		continue
	fi
	mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
	find "$srcdir/tests/fuzz/corpus/$t" -type f ! -name '.*' \
		-exec cp {} "$work/corpus/$t/" \;
	ECII_SRCDIR=$srcdir "$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$t/" "$work/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ${execs:-0} executions in ${seconds}s, no crash"
		continue
	fi
	echo "fuzz $t: ${execs:-unknown} executions, CRASH (exit $rc)"
	tail -n 40 "$log" | sed 's/^/  /'
	mkdir -p "$builddir/fuzz-artifacts/$t"
	cp "$work/artifacts/$t/"* "$builddir/fuzz-artifacts/$t/" 2>/dev/null &&
		echo "  crashing input kept in $builddir/fuzz-artifacts/$t/"
	status=1
done
exit $status
