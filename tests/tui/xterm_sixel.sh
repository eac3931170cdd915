#!/bin/sh
# End to end, pixels on a real screen: xterm as a VT340 (sixel) under Xvfb,
# screenshots with ImageMagick's import. ecii asks the terminal what it can
# do (no --graphics): `ecii preview` must draw the CT slice as sixel, the
# pixels on screen equal to the windowed slice (PSNR against the PNG ecii
# writes, resized the same); in an xterm without sixel it falls back to
# half blocks; in the explorer the collection's first preview appears in its
# panel and is erased when the screen changes; inside tmux with
# allow-passthrough, --graphics sixel goes through to the VT340.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
ecii="$ECII_BUILDDIR/src/ecii"
plan=12
tap_plan $plan
for tool in Xvfb xterm xdotool import convert compare tmux; do
	if ! command -v $tool >/dev/null; then
		i=0
		while [ $i -lt $plan ]; do tap_not_ok "$tool is not installed (./bootstrap installs it)"; i=$((i + 1)); done
		exit 0
	fi
done
tmp=$(mktemp -d)
export LC_ALL=C.UTF-8 HOME="$tmp" XDG_CACHE_HOME="$tmp/cache"
unset ECII_GRAPHICS ECII_HUB TMUX
xvfb_pid=
xterm_pid=
cleanup() {
	[ -n "$xterm_pid" ] && kill "$xterm_pid" 2>/dev/null
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] && cp "$tmp"/*.png /tmp/ 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT

# A display number nobody uses.
d=90
while [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ]; do d=$((d + 1)); done
Xvfb ":$d" -screen 0 1024x768x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=":$d"
i=0
until xdotool getdisplaygeometry >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done

# wait_file FILE: until it exists (20 s at most).
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# run_xterm TI SCRIPT: a 100x40 xterm (no border, black background) as
# terminal TI running SCRIPT.
run_xterm() {
	[ -n "$xterm_pid" ] && kill "$xterm_pid" 2>/dev/null && wait "$xterm_pid" 2>/dev/null
	xterm -ti "$1" -xrm 'XTerm*numColorRegisters: 256' -xrm 'XTerm*allowWindowOps: true' \
		-xrm 'XTerm*decTerminalID: '"$1" -bg black -fg white -b 0 -geometry 100x40+0+0 \
		-e sh "$2" 2>"$tmp/xterm.err" &
	xterm_pid=$!
}

# psnr A B: ImageMagick's PSNR of two same-size images, in dB (an integer).
psnr() {
	compare -metric PSNR "$1" "$2" null: 2>&1 | awk '{ v = $1; if (v == "inf") v = 99; printf "%d", v }'
}

# shot FILE: a screenshot once the screen has settled (two in a row alike,
# a quarter of a second apart; 5 s at most): xterm draws in its own time.
shot() {
	sleep 0.5
	import -window root "$1"
	n=0
	while [ $n -lt 20 ]; do
		sleep 0.25
		import -window root "$tmp/again.png"
		[ "$(compare -metric AE "$1" "$tmp/again.png" null: 2>&1)" = 0 ] && return 0
		mv "$tmp/again.png" "$1"
		n=$((n + 1))
	done
}

# screen_psnr SHOT WxH [-negate]: the PSNR of the screenshot's top-left WxH
# pixels against ecii's PNG of the slice resized to WxH (negated: a control
# that must not match); 0 without a size.
screen_psnr() {
	[ -n "$2" ] || { echo 0; return; }
	convert "$1" -crop "$2+0+0" +repage -colorspace Gray "$tmp/shown.png"
	convert "$tmp/ref.png" -resize "$2!" -colorspace Gray ${3:-} "$tmp/want.png"
	psnr "$tmp/shown.png" "$tmp/want.png"
}

# 1. ecii preview in a VT340: sixel, found by asking.
"$ecii" --local preview c-pros-04/1 --png "$tmp/ref.png" 2>"$tmp/err"
cat >"$tmp/sixel.sh" <<EOF
printf '\033[H\033[2J'
"$ecii" --local --log "$tmp/sixel.log" preview c-pros-04/1 --box 30x80 2>"$tmp/sixel.err"
echo \$? >"$tmp/sixel.status"
sleep 60
EOF
run_xterm vt340 "$tmp/sixel.sh"
if wait_file "$tmp/sixel.status" && [ "$(cat "$tmp/sixel.status")" = 0 ] &&
	grep -q "graphics: sixel," "$tmp/sixel.log"; then
	tap_ok "ecii preview finds sixel by asking the VT340"
else
	tap_not_ok "ecii preview finds sixel by asking the VT340" \
		"$(cat "$tmp/sixel.log" "$tmp/sixel.err" "$tmp/err" 2>&1)"
fi
shot "$tmp/shot1.png"
size=$(sed -n 's/.*preview drawn: \([0-9]*x[0-9]*\) px sixel.*/\1/p' "$tmp/sixel.log")
good=$(screen_psnr "$tmp/shot1.png" "$size")
bad=$(screen_psnr "$tmp/shot1.png" "$size" -negate)
if [ "$good" -ge 25 ]; then
	tap_ok "the CT slice on screen equals the windowed slice ($size px, PSNR $good dB)"
else
	tap_not_ok "the CT slice on screen equals the windowed slice" "size '$size' PSNR $good dB"
fi
# The comparison can fail: the negated slice is far from what is shown.
if [ "$bad" -lt 12 ] && [ "$good" -gt $((bad + 10)) ]; then
	tap_ok "the negated slice does not match ($bad dB)"
else
	tap_not_ok "the negated slice does not match" "PSNR $bad dB vs $good dB"
fi

# 2. Inside tmux (which answers for the terminal and hides its sixel):
# asked for sixel, ecii wraps it for tmux's passthrough.
printf 'set -g allow-passthrough on\nset -g status off\n' >"$tmp/tmux.conf"
cat >"$tmp/inner.sh" <<EOF
sleep 1
"$ecii" --local --graphics sixel --log "$tmp/tmux.log" preview c-pros-04/1 --box 30x80 2>"$tmp/tmux.err"
echo \$? >"$tmp/tmux.status"
sleep 60
EOF
printf 'exec tmux -S "%s" -f "%s" new-session "sh %s"\n' "$tmp/tmux.sock" "$tmp/tmux.conf" \
	"$tmp/inner.sh" >"$tmp/tmux.sh"
run_xterm vt340 "$tmp/tmux.sh"
if wait_file "$tmp/tmux.status" && [ "$(cat "$tmp/tmux.status")" = 0 ] &&
	grep -q "tmux passthrough" "$tmp/tmux.log"; then
	tap_ok "inside tmux, --graphics sixel uses tmux's passthrough"
else
	tap_not_ok "inside tmux, --graphics sixel uses tmux's passthrough" \
		"$(cat "$tmp/tmux.log" "$tmp/tmux.err" "$tmp/tmux.status" 2>&1)"
fi
shot "$tmp/shot-tmux.png"
size=$(sed -n 's/.*preview drawn: \([0-9]*x[0-9]*\) px sixel.*/\1/p' "$tmp/tmux.log")
good=$(screen_psnr "$tmp/shot-tmux.png" "$size")
if [ "$good" -ge 25 ]; then
	tap_ok "through tmux the slice reaches the screen (PSNR $good dB)"
else
	tap_not_ok "through tmux the slice reaches the screen" "size '$size' PSNR $good dB"
fi
tmux -S "$tmp/tmux.sock" kill-server 2>/dev/null

# 3. An xterm without sixel (a VT420): half blocks, in colour.
cat >"$tmp/blocks.sh" <<EOF
printf '\033[H\033[2J'
"$ecii" --local --log "$tmp/blocks.log" preview c-pros-04/1 --box 30x80 2>"$tmp/blocks.err"
echo \$? >"$tmp/blocks.status"
sleep 60
EOF
run_xterm vt420 "$tmp/blocks.sh"
if wait_file "$tmp/blocks.status" && [ "$(cat "$tmp/blocks.status")" = 0 ] &&
	grep -q "graphics: blocks," "$tmp/blocks.log" &&
	grep -q "preview drawn: [0-9]*x[0-9]* cells of half blocks" "$tmp/blocks.log"; then
	tap_ok "without sixel ecii preview falls back to half blocks"
else
	tap_not_ok "without sixel ecii preview falls back to half blocks" \
		"$(cat "$tmp/blocks.log" "$tmp/blocks.err" 2>&1)"
fi
shot "$tmp/shot2.png"
# The half-block picture is the slice too, coarser: the top-left area
# resembles it (cells of 6x13 pixels, each two pixels high).
cells=$(sed -n 's/.*preview drawn: \([0-9]*\)x\([0-9]*\) cells.*/\2 \1/p' "$tmp/blocks.log")
cell=$(sed -n 's/.*cells of \([0-9]*\)x\([0-9]*\) px.*/\1 \2/p' "$tmp/blocks.log")
set -- $cells $cell
geo=
[ $# -eq 4 ] && geo="$(($1 * $3))x$(($2 * $4))"
blocks=$(screen_psnr "$tmp/shot2.png" "$geo")
if [ "$blocks" -ge 15 ]; then
	tap_ok "the half blocks show the slice (PSNR $blocks dB)"
else
	tap_not_ok "the half blocks show the slice" "cells '$cells' PSNR $blocks dB"
fi

# 4. The explorer in the VT340: the collection's first preview in its
# panel, erased when the screen changes.
cat >"$tmp/explorer.sh" <<EOF
"$ecii" --local --log "$tmp/explorer.log" 2>"$tmp/explorer.err"
echo \$? >"$tmp/explorer.status"
EOF
: >"$tmp/explorer.log"
run_xterm vt340 "$tmp/explorer.sh"
i=0
until grep -q "graphics: sixel" "$tmp/explorer.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
xdotool key Return
i=0
until grep -q "image at row" "$tmp/explorer.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
shot "$tmp/shot3.png"
# Where the backend put it: row, col and pixel size from its log.
place=$(sed -n 's/.*image at row \([0-9]*\) col \([0-9]*\): \([0-9]*\)x\([0-9]*\) px.*/\1 \2 \3 \4/p' \
	"$tmp/explorer.log" | head -n 1)
cell=$(sed -n 's/.*cells of \([0-9]*\)x\([0-9]*\) px.*/\1 \2/p' "$tmp/explorer.log")
set -- $place $cell
colours() { # IMAGE GEOMETRY: how many distinct colours that area has
	convert "$1" -crop "$2" +repage -format '%k' info:
}
if [ $# -eq 6 ]; then
	area="$3x$4+$(($2 * $5))+$(($1 * $6))"
	shown=$(colours "$tmp/shot3.png" "$area")
else
	area="" shown=0
fi
# 64 gray levels of a noisy slice, where text has a handful of colours.
if [ "$shown" -gt 24 ]; then
	tap_ok "the explorer draws the collection's preview in its panel ($area, $shown colours)"
else
	tap_not_ok "the explorer draws the collection's preview in its panel" \
		"placement '$place' colours $shown; $(cat "$tmp/explorer.log")"
fi
xdotool key q
i=0
until grep -q "image erased" "$tmp/explorer.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
shot "$tmp/shot4.png"
erased=$([ -n "$area" ] && colours "$tmp/shot4.png" "$area" || echo 999)
# The catalogue's text covers part of the area now: its few colours, no
# pixel of the image left.
if [ "$erased" -le 12 ]; then
	tap_ok "going back erases the image ($shown -> $erased colours)"
else
	tap_not_ok "going back erases the image" "$shown -> $erased colours"
fi
# The preview screen: a new window redraws the image in place, with no
# blank screen between (nothing erased), and the pixels change.
xdotool key v
i=0
until [ "$(grep -c "image at row" "$tmp/explorer.log")" -ge 2 ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
shot "$tmp/shot5.png"
erased_before=$(grep -c "image erased" "$tmp/explorer.log")
xdotool key 4
i=0
until [ "$(grep -c "image at row" "$tmp/explorer.log")" -ge 3 ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
shot "$tmp/shot6.png"
place=$(sed -n 's/.*image at row \([0-9]*\) col \([0-9]*\): \([0-9]*\)x\([0-9]*\) px.*/\1 \2 \3 \4/p' \
	"$tmp/explorer.log" | tail -n 1)
set -- $place $cell
changed=0
if [ $# -eq 6 ]; then
	area="$3x$4+$(($2 * $5))+$(($1 * $6))"
	convert "$tmp/shot5.png" -crop "$area" +repage "$tmp/before.png"
	convert "$tmp/shot6.png" -crop "$area" +repage "$tmp/after.png"
	changed=$(psnr "$tmp/before.png" "$tmp/after.png")
fi
if [ $# -eq 6 ] && [ "$changed" -lt 30 ] &&
	[ "$(grep -c "image erased" "$tmp/explorer.log")" = "$erased_before" ]; then
	tap_ok "a window preset redraws the preview in place (PSNR before/after $changed dB)"
else
	tap_not_ok "a window preset redraws the preview in place" \
		"placement '$place' PSNR $changed; $(tail -n 5 "$tmp/explorer.log")"
fi
xdotool key Q
wait_file "$tmp/explorer.status"
if [ "$(cat "$tmp/explorer.status" 2>/dev/null)" = 0 ]; then
	tap_ok "Q quits the explorer with status 0"
else
	tap_not_ok "Q quits the explorer with status 0" "$(cat "$tmp/explorer.err" 2>&1)"
fi
# Nothing in the logs about images that could not be drawn.
if ! grep -q "cannot draw" "$tmp/explorer.log" "$tmp/sixel.log"; then
	tap_ok "no image failed to draw"
else
	tap_not_ok "no image failed to draw" "$(grep "cannot draw" "$tmp"/*.log)"
fi
