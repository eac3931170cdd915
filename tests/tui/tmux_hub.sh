#!/bin/sh
# End to end against a live loopback federation: the real ecii driven in
# tmux with --hub. The results fill in site by site; a site that hangs
# shows as timed out while the others answer, and typing goes on meanwhile;
# the hub going away is said on the status line; Q quits cleanly.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
tap_plan 11
if ! command -v tmux >/dev/null; then
	i=0
	while [ $i -lt 8 ]; do tap_not_ok "tmux is not installed"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d)
sites="de-elbtal es-turia nl-noordzee"
sock="$tmp/tmux.sock"
tmx() { tmux -S "$sock" "$@"; }
. "$ECII_SRCDIR/tests/integration/loopback.sh"
trap 'tmx kill-server 2>/dev/null; cleanup_loopback; rm -rf "$tmp"' EXIT

# wait_for TEXT [SECONDS]: until the pane shows TEXT; 0 if it did.
wait_for() {
	i=0
	while [ $i -lt $((${2:-10} * 20)) ]; do
		tmx capture-pane -p -t t >"$tmp/pane" 2>/dev/null
		grep -qF -- "$1" "$tmp/pane" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() { # NAME TEXT [SECONDS]
	if wait_for "$2" "${3:-10}"; then tap_ok "$1"; else tap_not_ok "$1" "$(cat "$tmp/pane")"; fi
}
# cohort TEXT: sets the cohort on the query line and shows the results.
cohort() {
	tmx send-keys -t t :
	tmx send-keys -t t C-u "$1" Enter
	tmx send-keys -t t r
}

start_hub
for s in $sites; do start_node "$s"; done
wait_online 3 30 || echo "# the sites did not come online" >&2
mkdir -p "$tmp/config/ecii"
printf 'site-timeout = 2\n' >"$tmp/config/ecii/config"
total=$(env XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" ECII_TOKEN="$researcher" \
	"$bin/ecii" --hub "$url" count 'diagnosis:breast' | sed -n 's/^TOTAL *\([^ ]*\) .*/\1/p')

tmx -f /dev/null new-session -d -x 100 -y 30 -s t \
	"env -i PATH=/usr/bin:/bin HOME=$tmp TERM=screen LC_ALL=C.UTF-8 PS1='$ ' sh"
tmx send-keys -t t "export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache" Enter
tmx send-keys -t t "ECII_TOKEN=$researcher $bin/ecii --hub $url; echo exit=\$?" Enter
check "the explorer opens on the hub's catalogue" "of 12 collections"

cohort 'diagnosis:breast'
check "the sites answer, site by site, into the results" "3 of 3 sites answered"
if wait_for "TOTAL" && grep -q "^TOTAL .* $total " "$tmp/pane"; then
	tap_ok "the total is what ecii count says through the hub ($total)"
else
	tap_not_ok "the total is what ecii count says through the hub ($total)" "$(cat "$tmp/pane")"
fi

# Previews come from the hub: the collection's first one beside its page
# (TERM=screen has 8 colours: the ASCII ramp; tmux hides sixel), then the
# preview screen.
i=0
while ! grep -q "of 12 collections" "$tmp/pane" && [ $i -lt 5 ]; do
	tmx send-keys -t t q
	wait_for "of 12 collections" && break
	i=$((i + 1))
done
tmx send-keys -t t Enter
check "a collection shows its first preview, fetched from the hub" "@@@@"
tmx send-keys -t t v
check "v opens the preview screen" "Transfer syntax"
tmx send-keys -t t 0 q q
check "back on the catalogue" "of 12 collections"

# es-turia hangs: it stays open while the others answer, then times out.
kill -STOP "$(node_pid es-turia)"
cohort 'diagnosis:breast modality:MR'
check "a hung site shows as still open while the others answer" "2 of 3 sites so far"
tmx send-keys -t t b
check "typing goes on while it waits (the builder opens)" "Cohort builder"
tmx send-keys -t t r
check "after the site timeout it shows as timed out" "timed out: no answer within 2 s"
kill -CONT "$(node_pid es-turia)"

# The hub goes away: the next count says so on the status line.
kill -TERM "$hub_pid"
wait "$hub_pid" 2>/dev/null
hub_pid=
cohort 'sex:female'
check "the hub going away is said on the status line" "cannot reach $url"

tmx send-keys -t t Q
check "Q quits with status 0" "exit=0"
