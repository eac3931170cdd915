#!/bin/sh
# make bench: an image preview's scale + encode time, payload and PSNR for
# ecii's sixel (64 and 256 gray levels) and half blocks, side by side with
# img2sixel and chafa (Debian packages libsixel-bin and chafa) on the same
# windowed 512x512 CT-like slice in a 60x30-cell box, pinned to one core.
set -eu
build=$(pwd)
runs="${BENCH_PREVIEW_RUNS:-21}"
case "$(grep -E '^CFLAGS|^EXTRA_CFLAGS' Makefile | tr '\n' ' ')" in
*-O0* | *sanitize*) echo "bench: warning: this build is not optimised; numbers mean little" >&2 ;;
esac
for tool in img2sixel chafa; do
	command -v "$tool" >/dev/null || {
		echo "bench: $tool is missing (apt-get install libsixel-bin chafa)" >&2
		exit 1
	}
done
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
echo
$pin "$build/tests/bench/bench_preview" "$runs"
