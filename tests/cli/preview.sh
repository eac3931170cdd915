#!/bin/sh
# ecii preview against dcmtk: a 12-bit signed CT-like file made with dump2dcm
# holding every stored value once, written by `ecii preview --pgm` and by
# `dcm2pnm` at the first stored window (+Wi 1) and at given windows (+Ww C W),
# compared byte for byte; MONOCHROME1 and 8-bit RGB likewise; --png decoded back with
# python3 (zlib + PNG unfiltering) and compared with the PGM; --info fields
# with a file string sanitised; a truncated file and a compressed file refused
# in one line; usage errors. Compressed and other inputs, each against dcmtk
# decoding the same file at the same window (dcmj2pnm for JPEG, dcm2pnm for
# RLE): img2dcm of JPEGs dcmtk wrote (+oj), dcmcrle of the CT and RGB files,
# dcmcjpeg +ee (8-bit decoded, 12-bit refused in one line), and PNG and JPEG
# files as input.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
ecii="$ECII_BUILDDIR/src/ecii"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_plan 42

for t in dump2dcm dcm2pnm dcmj2pnm dcmodify dcmcjpeg dcmdjpeg dcmcrle img2dcm python3; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "Bail out! $t is not installed (apt-get install dcmtk python3)"
		exit 1
	fi
done

# run ARGS...: sets status, and out/err files.
run() {
	status=0
	"$ecii" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
}

# pgm_same A B: the two binary PGMs (or PPMs) have the same size and pixel bytes; on a
# difference prints the first few pixels that differ.
pgm_same() {
	python3 - "$1" "$2" <<'PY'
import sys
def load(p):
    d = open(p, 'rb').read()
    f = d.split(None, 4)
    assert f[0] in (b'P5', b'P6') and f[3] == b'255', (p, f[:4])
    w, h = int(f[1]), int(f[2])
    w *= 3 if f[0] == b'P6' else 1
    px = d[len(d) - w * h:]
    return w, h, px
wa, ha, a = load(sys.argv[1])
wb, hb, b = load(sys.argv[2])
if (wa, ha) != (wb, hb):
    print("# size %dx%d vs %dx%d" % (wa, ha, wb, hb)); sys.exit(1)
bad = [i for i in range(len(a)) if a[i] != b[i]]
for i in bad[:5]:
    print("# pixel %d: ecii %d, dcmtk %d" % (i, a[i], b[i]))
sys.exit(1 if bad else 0)
PY
}

# check_pgm NAME GOT WANT: ok when the last run succeeded and the PGMs match.
check_pgm() {
	if [ $status = 0 ] && pgm_same "$2" "$3" >"$tmp/diff"; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "$(cat "$tmp/err" "$tmp/diff")"
	fi
}

# The pixels: 64x64 signed 16-bit little endian, stored values -2048..2047
# in order, so with intercept -24 every value from -2072 to 2023 is there.
python3 -c '
import struct, sys
sys.stdout.buffer.write(b"".join(struct.pack("<h", v) for v in range(-2048, 2048)))
' >"$tmp/ct.raw"
cat >"$tmp/ct.dump" <<DUMP
(0002,0010) UI =LittleEndianExplicit
(0008,0016) UI =CTImageStorage
(0008,0018) UI [1.2.826.0.1.3680043.2.1143.4242]
(0008,0060) CS [CT]
(0018,0015) CS [HEAD]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 64
(0028,0011) US 64
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 1
(0028,1050) DS [40\\300]
(0028,1051) DS [400\\1500]
(0028,1052) DS [-24]
(0028,1053) DS [1]
(7fe0,0010) OW =$tmp/ct.raw
DUMP
dump2dcm -q +E "$tmp/ct.dump" "$tmp/ct.dcm" 2>"$tmp/dump.err" || {
	echo "Bail out! dump2dcm failed: $(cat "$tmp/dump.err")"
	exit 1
}

# 1-2: the first stored window.
dcm2pnm -q +Wi 1 "$tmp/ct.dcm" "$tmp/want.pgm"
run preview "$tmp/ct.dcm" --pgm "$tmp/got.pgm"
tap_check "--pgm at the stored window: status 0, nothing printed" \
	sh -c "[ $status = 0 ] && [ ! -s '$tmp/out' ] && [ ! -s '$tmp/err' ]"
check_pgm "--pgm at the first stored window equals dcm2pnm +Wi 1" "$tmp/got.pgm" "$tmp/want.pgm"

# 3-5: given windows, including edges at half values and a width of 2.
for cw in "40 80" "-600 1500" "0.5 2"; do
	c=${cw% *}
	w=${cw#* }
	dcm2pnm -q +Ww "$c" "$w" "$tmp/ct.dcm" "$tmp/want.pgm"
	run preview "$tmp/ct.dcm" --window "$c,$w" --pgm "$tmp/got.pgm"
	check_pgm "--window $c,$w equals dcm2pnm +Ww $c $w" "$tmp/got.pgm" "$tmp/want.pgm"
done

# 6: a preset is the same as its window.
dcm2pnm -q +Ww 400 1800 "$tmp/ct.dcm" "$tmp/want.pgm"
run preview "$tmp/ct.dcm" --preset bone --pgm "$tmp/got.pgm"
check_pgm "--preset bone equals dcm2pnm +Ww 400 1800" "$tmp/got.pgm" "$tmp/want.pgm"

# 7: MONOCHROME1 is inverted after windowing, as dcmtk does.
cp "$tmp/ct.dcm" "$tmp/m1.dcm"
dcmodify -q -nb -m "(0028,0004)=MONOCHROME1" "$tmp/m1.dcm"
dcm2pnm -q +Wi 1 "$tmp/m1.dcm" "$tmp/want.pgm"
run preview "$tmp/m1.dcm" --pgm "$tmp/got.pgm"
check_pgm "MONOCHROME1 equals dcm2pnm +Wi 1" "$tmp/got.pgm" "$tmp/want.pgm"

# 8: the test can fail: another window gives other pixels.
dcm2pnm -q +Ww 40 400 "$tmp/ct.dcm" "$tmp/want.pgm"
run preview "$tmp/ct.dcm" --window 41,400 --pgm "$tmp/got.pgm"
if [ $status = 0 ] && ! pgm_same "$tmp/got.pgm" "$tmp/want.pgm" >/dev/null; then
	tap_ok "a window one off differs from dcm2pnm's (the comparison can fail)"
else
	tap_not_ok "a window one off differs from dcm2pnm's (the comparison can fail)"
fi

# 9-10: PNG decoded back (zlib + PNG filters) equals the PGM.
run preview "$tmp/ct.dcm" --pgm "$tmp/got.pgm" --png "$tmp/got.png"
tap_check "--png and --pgm together: status 0" sh -c "[ $status = 0 ] && [ -s '$tmp/got.png' ]"
cat >"$tmp/png.py" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, ihdr = 8, b'', None
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if t == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    if t == b'IDAT': idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert depth == 8 and ctype in (0, 2), ihdr
bpp = 3 if ctype == 2 else 1
w *= bpp
raw, out, prev = zlib.decompress(idat), bytearray(), bytearray(w)
for y in range(h):
    f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
    for x in range(w):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    out += line
    prev = line
pgm = open(sys.argv[2], 'rb').read()
sys.exit(0 if bytes(out) == pgm[len(pgm) - w * h:] else 1)
PY
tap_check "--png decodes to the PGM's pixels" python3 "$tmp/png.py" "$tmp/got.png" "$tmp/got.pgm"

# 11-12: 8-bit RGB, planar configuration 1, passes through unwindowed.
python3 -c '
import sys
n = 16 * 8
sys.stdout.buffer.write(bytes((i * 7) & 255 for i in range(n)) +
                        bytes((i * 13 + 5) & 255 for i in range(n)) +
                        bytes((255 - i) & 255 for i in range(n)))
' >"$tmp/rgb.raw"
cat >"$tmp/rgb.dump" <<DUMP
(0002,0010) UI =LittleEndianExplicit
(0008,0016) UI =SecondaryCaptureImageStorage
(0008,0018) UI [1.2.826.0.1.3680043.2.1143.4243]
(0028,0002) US 3
(0028,0004) CS [RGB]
(0028,0006) US 1
(0028,0010) US 8
(0028,0011) US 16
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB =$tmp/rgb.raw
DUMP
dump2dcm -q +E "$tmp/rgb.dump" "$tmp/rgb.dcm" && dcm2pnm -q "$tmp/rgb.dcm" "$tmp/want.ppm"
run preview "$tmp/rgb.dcm" --pgm "$tmp/got.ppm" --png "$tmp/rgb.png"
check_pgm "RGB: --pgm writes the PPM dcm2pnm writes" "$tmp/got.ppm" "$tmp/want.ppm"
tap_check "RGB: --png decodes to the PPM's pixels" python3 "$tmp/png.py" "$tmp/rgb.png" "$tmp/got.ppm"

# 13-15: --info, with a string from the file sanitised.
cp "$tmp/ct.dcm" "$tmp/esc.dcm"
dcmodify -q -nb -ie -m "(0018,0015)=A$(printf '\033')[31mB" "$tmp/esc.dcm" 2>/dev/null
run preview "$tmp/ct.dcm" --info
tap_check "--info: status 0" sh -c "[ $status = 0 ] && [ ! -s '$tmp/err' ]"
cat >"$tmp/want.info" <<INFO
size: 64x64
frames: 1
photometric: MONOCHROME2
samples per pixel: 1
bits: allocated 16, stored 12, high bit 11
signed: yes
rescale: slope 1, intercept -24
window: 40,400 (stored)
modality: CT
transfer syntax: 1.2.840.10008.1.2.1 (native)
body part: HEAD
INFO
tail -n +2 "$tmp/out" >"$tmp/got.info"
if cmp -s "$tmp/got.info" "$tmp/want.info" && grep -q "^file: .*ct.dcm$" "$tmp/out"; then
	tap_ok "--info fields"
else
	tap_not_ok "--info fields" "$(diff "$tmp/want.info" "$tmp/got.info")"
fi
run preview "$tmp/esc.dcm" --info
tap_check "--info: an escape from the file is shown inert" \
	sh -c "[ $status = 0 ] && grep -q '^body part: A.*31mB' '$tmp/out' && ! grep -q \"\$(printf '\\033')\" '$tmp/out'"

# 16-17: a truncated file: one line, status 1, no output file.
head -c 5000 "$tmp/ct.dcm" >"$tmp/short.dcm"
rm -f "$tmp/short.pgm"
run preview "$tmp/short.dcm" --pgm "$tmp/short.pgm"
tap_check "truncated: status 1, one line on stderr" \
	sh -c "[ $status = 1 ] && [ \$(wc -l <'$tmp/err') = 1 ] && grep -q '^ecii: ' '$tmp/err'"
tap_check "truncated: no file written, no temporary left" \
	sh -c "[ ! -e '$tmp/short.pgm' ] && ! ls '$tmp' | grep -q tmp"

# 18-19: a compressed file: said by name, status 1; --info still works.
python3 -c '
import struct, sys
sys.stdout.buffer.write(b"".join(struct.pack("<H", v) for v in range(4096)))
' >"$tmp/u.raw"
sed -e "s|(0028,0103) US 1|(0028,0103) US 0|" \
	-e "s|$tmp/ct.raw|$tmp/u.raw|" "$tmp/ct.dump" >"$tmp/u.dump"
dump2dcm -q +E "$tmp/u.dump" "$tmp/u.dcm" && dcmcjpeg -q +e1 "$tmp/u.dcm" "$tmp/jpeg.dcm"
run preview "$tmp/jpeg.dcm" --pgm "$tmp/jpeg.pgm"
tap_check "compressed: 'compressed as ...: no preview', status 1" \
	sh -c "[ $status = 1 ] && [ \$(wc -l <'$tmp/err') = 1 ] && grep -q 'compressed as .*: no preview' '$tmp/err' && [ ! -e '$tmp/jpeg.pgm' ]"
run preview "$tmp/jpeg.dcm" --info
tap_check "compressed: --info names the compression" \
	sh -c "[ $status = 0 ] && grep -q '^transfer syntax: 1.2.840.10008.1.2.4.70 (JPEG' '$tmp/out'"

# 20-24: usage.
run preview "$tmp/ct.dcm"
tap_check "drawing with standard output not a terminal and no --graphics: status 2" \
	sh -c "[ $status = 2 ] && grep -q 'standard output is not a terminal' '$tmp/err'"
run preview "$tmp/ct.dcm" --preset liver --pgm "$tmp/x.pgm"
tap_check "unknown preset: status 2, presets named" \
	sh -c "[ $status = 2 ] && grep -q 'soft-tissue' '$tmp/err' && [ ! -e '$tmp/x.pgm' ]"
run preview "$tmp/ct.dcm" --window 40 --pgm "$tmp/x.pgm"
tap_check "--window without a width: status 2" sh -c "[ $status = 2 ] && [ ! -e '$tmp/x.pgm' ]"
run preview "$tmp/ct.dcm" --frame 2 --pgm "$tmp/x.pgm"
tap_check "--frame past the last: status 1, says so" \
	sh -c "[ $status = 1 ] && grep -q 'frame 2 out of range' '$tmp/err'"
run preview --help
tap_check "--help: usage on stdout" grep -q '^usage: ecii preview FILE' "$tmp/out"

# 25-26: img2dcm of JPEGs dcmtk wrote from the RGB file and from a gray
# one (JPEG baseline, YBR_FULL_422 / MONOCHROME2), against dcmj2pnm.
dcmj2pnm -q +oj "$tmp/rgb.dcm" "$tmp/rgb.jpg" && img2dcm -q "$tmp/rgb.jpg" "$tmp/rgbj.dcm"
dcmj2pnm -q "$tmp/rgbj.dcm" "$tmp/want.ppm"
run preview "$tmp/rgbj.dcm" --pgm "$tmp/got.ppm"
check_pgm "img2dcm of an RGB JPEG equals dcmj2pnm" "$tmp/got.ppm" "$tmp/want.ppm"
dcmj2pnm -q +oj "$tmp/ct.dcm" "$tmp/g8.jpg" +Ww 0 600 && img2dcm -q "$tmp/g8.jpg" "$tmp/g8j.dcm"
dcmj2pnm -q +Ww 100 120 "$tmp/g8j.dcm" "$tmp/want.pgm"
run preview "$tmp/g8j.dcm" --window 100,120 --pgm "$tmp/got.pgm"
check_pgm "img2dcm of a gray JPEG at --window 100,120 equals dcmj2pnm +Ww 100 120" \
	"$tmp/got.pgm" "$tmp/want.pgm"

# 27-29: RLE (dcmcrle) of the signed CT file at its stored window and at a
# given one, and of the planar RGB file, against dcm2pnm.
dcmcrle -q "$tmp/ct.dcm" "$tmp/ctrle.dcm"
dcm2pnm -q +Wi 1 "$tmp/ctrle.dcm" "$tmp/want.pgm"
run preview "$tmp/ctrle.dcm" --pgm "$tmp/got.pgm"
check_pgm "RLE CT at the stored window equals dcm2pnm +Wi 1" "$tmp/got.pgm" "$tmp/want.pgm"
dcm2pnm -q +Ww -600 1500 "$tmp/ctrle.dcm" "$tmp/want.pgm"
run preview "$tmp/ctrle.dcm" --preset lung --pgm "$tmp/got.pgm"
check_pgm "RLE CT at --preset lung equals dcm2pnm +Ww -600 1500" "$tmp/got.pgm" "$tmp/want.pgm"
dcmcrle -q "$tmp/rgb.dcm" "$tmp/rgbrle.dcm" && dcm2pnm -q "$tmp/rgbrle.dcm" "$tmp/want.ppm"
run preview "$tmp/rgbrle.dcm" --pgm "$tmp/got.ppm"
check_pgm "RLE RGB equals dcm2pnm" "$tmp/got.ppm" "$tmp/want.ppm"

# 30-31: JPEG extended (dcmcjpeg +ee): 8-bit samples decode like
# dcmj2pnm; 12-bit ones are refused in one line, --info still works.
dcmdjpeg -q "$tmp/g8j.dcm" "$tmp/g8n.dcm"
dcmcjpeg -q +ee "$tmp/g8n.dcm" "$tmp/g8e.dcm"
dcmj2pnm -q +Ww 90 60 "$tmp/g8e.dcm" "$tmp/want.pgm"
run preview "$tmp/g8e.dcm" --window 90,60 --pgm "$tmp/got.pgm"
check_pgm "JPEG extended, 8-bit, at --window 90,60 equals dcmj2pnm" "$tmp/got.pgm" "$tmp/want.pgm"
dcmcjpeg -q +ee "$tmp/ct.dcm" "$tmp/ct12.dcm"
run preview "$tmp/ct12.dcm" --pgm "$tmp/ct12.pgm"
tap_check "JPEG extended, 12-bit: '12-bit JPEG: no preview' in one line, status 1" \
	sh -c "[ $status = 1 ] && [ \$(wc -l <'$tmp/err') = 1 ] && grep -q '12-bit JPEG: no preview' '$tmp/err' && [ ! -e '$tmp/ct12.pgm' ]"

# 32-34: PNG input round trip: --pgm and --png of ecii's own PNGs give
# their pixels back (gray and RGB); --info names the format.
run preview "$tmp/ct.dcm" --pgm "$tmp/src.pgm" --png "$tmp/src.png"
run preview "$tmp/src.png" --png "$tmp/rt.png"
tap_check "gray PNG in, --png out: the same pixels" \
	sh -c "[ $status = 0 ] && python3 '$tmp/png.py' '$tmp/rt.png' '$tmp/src.pgm'"
run preview "$tmp/rgb.png" --pgm "$tmp/got.ppm"
dcm2pnm -q "$tmp/rgb.dcm" "$tmp/want.ppm"
check_pgm "RGB PNG in, --pgm out: the same pixels" "$tmp/got.ppm" "$tmp/want.ppm"
run preview "$tmp/rgb.png" --info
tap_check "PNG --info: format and size" \
	sh -c "[ $status = 0 ] && grep -q '^format: PNG$' '$tmp/out' && grep -q '^size: 16x8$' '$tmp/out'"

# 35-36: a JPEG file as input decodes as its img2dcm file does; a cut
# JPEG is refused in one line.
run preview "$tmp/rgb.jpg" --pgm "$tmp/got.ppm"
dcmj2pnm -q "$tmp/rgbj.dcm" "$tmp/want.ppm"
check_pgm "JPEG file in equals dcmj2pnm of its img2dcm file" "$tmp/got.ppm" "$tmp/want.ppm"
head -c 300 "$tmp/rgb.jpg" >"$tmp/cut.jpg"
run preview "$tmp/cut.jpg" --pgm "$tmp/cut.pgm"
tap_check "cut JPEG file: status 1, one line naming JPEG" \
	sh -c "[ $status = 1 ] && [ \$(wc -l <'$tmp/err') = 1 ] && grep -q 'cut.jpg: JPEG: ' '$tmp/err' && [ ! -e '$tmp/cut.pgm' ]"

# 37-42: drawing. Without a terminal the cells are 10x20 pixels; sixel
# decoded back (libsixel's sixel2png) is the windowed frame at the size
# the box allows, within the 64 gray levels (PSNR against ImageMagick's
# resize of ecii's PNG); half blocks in 256 colours; ASCII alone.
run preview "$tmp/ct.dcm" --png "$tmp/frame.png"
run --graphics sixel preview "$tmp/ct.dcm" --box 12x40
# Room for the image (12 newlines), back up, save the cursor, the DCS,
# restore, down below it: the DCS alone goes to sixel2png.
python3 - "$tmp/out" "$tmp/six" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
m = re.match(rb'(\n*)\x1b\[(\d+)A\x1b7(\x1bPq.*?\x1b\\)\x1b8\x1b\[(\d+)B', data, re.S)
ok = m and len(m.group(1)) == int(m.group(2)) == int(m.group(4)) == 12
open(sys.argv[2], 'wb').write(m.group(3) if ok else b'')
sys.exit(0 if ok else 1)
PY
if [ $status = 0 ] && [ -s "$tmp/six" ] && sixel2png -i "$tmp/six" -o "$tmp/six.png" 2>/dev/null; then
	size=$(identify -format '%wx%h' "$tmp/six.png")
	convert "$tmp/frame.png" -resize "$size!" -colorspace Gray "$tmp/want6.png"
	convert "$tmp/six.png" -colorspace Gray "$tmp/got6.png"
	db=$(compare -metric PSNR "$tmp/got6.png" "$tmp/want6.png" null: 2>&1 | cut -d. -f1)
else
	size=none db=0
fi
# The box is 12 rows of 20 px = 240 px high (whole 6-px bands), 400 wide.
if [ "$size" = 240x240 ] && [ "$db" -ge 30 ]; then
	tap_ok "--graphics sixel: room made, the frame fitted to the box, decoded back ($size, PSNR $db dB)"
else
	tap_not_ok "--graphics sixel: the frame fitted to the box, decoded back" "size $size PSNR $db; $(cat "$tmp/err")"
fi
tap_check "--graphics sixel: a caption line after the image" \
	sh -c "tail -n 1 '$tmp/out' | grep -q '^.*ct.dcm: CT 64x64, frame 1 of 1, window 40,400 (stored)$'"
run --graphics blocks preview "$tmp/ct.dcm" --box 12x40
tap_check "--graphics blocks: half blocks in 256 colours, 12 rows" \
	sh -c "[ $status = 0 ] && [ \$(grep -c '▀' '$tmp/out') = 12 ] && grep -q '$(printf '\033')\[38;5;[0-9]*;48;5;[0-9]*m' '$tmp/out'"
COLORTERM=truecolor "$ecii" --graphics blocks preview "$tmp/ct.dcm" --box 12x40 >"$tmp/out" 2>&1
tap_check "COLORTERM=truecolor: half blocks in exact colours" \
	grep -q "$(printf '\033')\[38;2;[0-9]*;[0-9]*;[0-9]*;48;2;" "$tmp/out"
run --graphics ascii preview "$tmp/ct.dcm" --box 12x40
tap_check "--graphics ascii: printable ASCII only, 12 rows of the ramp and a caption" \
	sh -c "[ $status = 0 ] && ! LC_ALL=C grep -q '[^ -~]' '$tmp/out' && [ \$(wc -l <'$tmp/out') = 13 ] && grep -q '[@%#]' '$tmp/out'"
run --graphics sixel preview "$tmp/ct.dcm" --box 0x10
tap_check "--box 0x10: status 2" sh -c "[ $status = 2 ] && grep -q 'box takes ROWSxCOLS' '$tmp/err'"

[ $tap_failed = 0 ]
