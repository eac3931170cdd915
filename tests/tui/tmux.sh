#!/bin/sh
# End to end: the real ecii binary driven in tmux (send-keys, capture-pane):
# start, search the catalogue, open a collection and come back, resize,
# quit, and the shell is usable again; SIGTERM and SIGHUP also restore the
# terminal; escape sequences from the catalogue show inert.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
ecii="$ECII_BUILDDIR/src/ecii"
tap_plan 13
if ! command -v tmux >/dev/null; then
	i=0
	while [ $i -lt 13 ]; do tap_not_ok "tmux is not installed"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
tmx() { tmux -S "$sock" "$@"; }
trap 'tmx kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# wait_for TEXT: until the pane shows TEXT (10 s at most); 0 if it did.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		tmx capture-pane -p -t t >"$tmp/pane" 2>/dev/null
		grep -qF -- "$1" "$tmp/pane" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() { # NAME TEXT
	if wait_for "$2"; then tap_ok "$1"; else tap_not_ok "$1" "$(cat "$tmp/pane")"; fi
}

tmx -f /dev/null new-session -d -x 80 -y 24 -s t \
	"env -i PATH=/usr/bin:/bin HOME=$tmp TERM=screen LC_ALL=C.UTF-8 PS1='$ ' sh"
tmx send-keys -t t "stty -g >$tmp/before; $ecii; code=\$?; stty -g >$tmp/after; echo exit=\$code" Enter
check "the explorer starts on the catalogue" "of 24 collections"

tmx send-keys -t t / p r o s t a t e
check "search filters as you type" "7 of 24 collections"

tmx send-keys -t t Enter Enter
check "Enter opens a collection" "Provider"
tmx send-keys -t t q
check "q comes back to the filtered catalogue" "7 of 24 collections"

tmx resize-window -t t -x 120 -y 30
i=0
while [ $i -lt 200 ]; do
	tmx capture-pane -p -t t >"$tmp/pane"
	lines=$(wc -l <"$tmp/pane")
	# The whole redraw, not a capture taken halfway through it.
	[ "$lines" -eq 30 ] && grep -q "PROVIDER" "$tmp/pane" && grep -q "7 of 24" "$tmp/pane" && break
	sleep 0.05
	i=$((i + 1))
done
if [ "$lines" -eq 30 ] && grep -q "7 of 24" "$tmp/pane"; then
	tap_ok "a resize redraws at the new size"
else
	tap_not_ok "a resize redraws at the new size" "$(cat "$tmp/pane")"
fi

tmx send-keys -t t / l u n g Enter
wait_for "5 of 24" && tmx capture-pane -p -e -t t >"$tmp/raw"
if grep -qF 'NSCLC ^[[' "$tmp/raw" && ! grep -q "NSCLC $(printf '\033')" "$tmp/raw"; then
	tap_ok "escape sequences in a collection name show inert"
else
	tap_not_ok "escape sequences in a collection name show inert" "$(cat "$tmp/raw")"
fi

# A three-criterion cohort built with the builder's keys: its total is
# what `ecii count` says for the same query.
cli_total=$("$ecii" count 'sex:male diagnosis:prostate modality:MR' | sed -n 's/^TOTAL *\([^ ]*\) .*/\1/p')
tmx send-keys -t t Escape b Tab Space Tab j j Tab j j j Space Tab j j Tab Space
if wait_for "sex:male diagnosis:prostate modality:mr" && wait_for "$cli_total subjects"; then
	tap_ok "a cohort built in the builder counts as ecii count does ($cli_total)"
else
	tap_not_ok "a cohort built in the builder counts as ecii count does ($cli_total)" \
		"$(cat "$tmp/pane")"
fi
tmx send-keys -t t r
if wait_for "TOTAL" && grep -q "TOTAL.*$cli_total" "$tmp/pane"; then
	tap_ok "the results screen shows the same total"
else
	tap_not_ok "the results screen shows the same total" "$(cat "$tmp/pane")"
fi

tmx send-keys -t t Q
if wait_for "exit=0" && cmp -s "$tmp/before" "$tmp/after"; then
	tap_ok "Q quits with status 0 and the terminal settings restored"
else
	tap_not_ok "Q quits with status 0 and the terminal settings restored" "$(cat "$tmp/pane")"
fi

# Signals: the explorer is the shell's child; the terminal comes back.
for sig in 15 1; do
	# sh -c ... exec: the explorer keeps the pid written to the file.
	tmx send-keys -t t "clear; stty -g >$tmp/before; sh -c 'echo \$\$ >$tmp/pid; exec $ecii'; code=\$?; stty -g >$tmp/after; echo exit=\$code" Enter
	wait_for "of 24 collections"
	pid=$(cat "$tmp/pid" 2>/dev/null)
	[ -n "$pid" ] && kill -"$sig" "$pid"
	code=$((128 + sig))
	if wait_for "exit=$code" && cmp -s "$tmp/before" "$tmp/after"; then
		tap_ok "signal $sig: exit $code and the terminal settings restored"
	else
		tap_not_ok "signal $sig: exit $code and the terminal settings restored" "$(cat "$tmp/pane")"
	fi
done

# Ctrl-C (SIGINT from the terminal) restores it too.
tmx send-keys -t t "clear; stty -g >$tmp/before; $ecii; code=\$?; stty -g >$tmp/after; echo exit=\$code" Enter
wait_for "of 24 collections"
tmx send-keys -t t C-c
if wait_for "exit=130" && cmp -s "$tmp/before" "$tmp/after"; then
	tap_ok "Ctrl-C: exit 130 and the terminal settings restored"
else
	tap_not_ok "Ctrl-C: exit 130 and the terminal settings restored" "$(cat "$tmp/pane")"
fi

# NO_COLOR: attributes only, no colour in what reaches the terminal.
tmx send-keys -t t "clear; NO_COLOR=1 $ecii" Enter
wait_for "of 24 collections"
tmx capture-pane -p -e -t t >"$tmp/raw"
tmx send-keys -t t Q
if grep -q "$(printf '\033')\\[7m" "$tmp/raw" &&
	! grep -qE "$(printf '\033')\\[(3|4)[0-7]m" "$tmp/raw"; then
	tap_ok "NO_COLOR: reverse video, no colours"
else
	tap_not_ok "NO_COLOR: reverse video, no colours" "$(head -n 5 "$tmp/raw" | od -c | head -n 20)"
fi
