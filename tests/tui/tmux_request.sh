#!/bin/sh
# End to end, the explorer's access-request loop against a live loopback
# federation, driven in tmux at 80x24 as a person would: the researcher
# counts a cohort, presses A, fills the form; ecii is killed with SIGKILL in
# the middle of a field and reopened: it offers the draft, which is intact
# down to the last key typed; the form is completed and sent as the hub
# goes away (no reply: the draft stays SUBMITTING) and the next start sends
# it again, never twice; "My requests" says who acts next. The committee reviews it in its own explorer (answers,
# the cohort's hash, the counts now) and approves it with a message; the
# researcher's explorer notices the change.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
plan=18
tap_plan $plan
if ! command -v tmux >/dev/null; then
	i=0
	while [ $i -lt $plan ]; do tap_not_ok "tmux is not installed"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d)
sites="de-elbtal es-turia nl-noordzee"
represents="c-pros-02"
sock="$tmp/tmux.sock"
tmx() { tmux -S "$sock" "$@"; }
. "$ECII_SRCDIR/tests/integration/loopback.sh"
trap 'tmx kill-server 2>/dev/null; cleanup_loopback; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# wait_for PANE TEXT [SECONDS]: until the pane shows TEXT; 0 if it did.
wait_for() {
	i=0
	while [ $i -lt $((${3:-10} * 20)) ]; do
		tmx capture-pane -p -t "$1" >"$tmp/pane" 2>/dev/null
		grep -qF -- "$2" "$tmp/pane" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
# wait_gone PANE TEXT [SECONDS]: until the pane no longer shows TEXT.
wait_gone() {
	i=0
	while [ $i -lt $((${3:-10} * 20)) ]; do
		tmx capture-pane -p -t "$1" >"$tmp/pane" 2>/dev/null
		grep -qF -- "$2" "$tmp/pane" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() { # NAME PANE TEXT [SECONDS]
	if wait_for "$2" "$3" "${4:-10}"; then tap_ok "$1"; else tap_not_ok "$1" "$(cat "$tmp/pane")"; fi
}
# until_file FILE TEXT [SECONDS]: until FILE holds TEXT.
until_file() {
	i=0
	while [ $i -lt $((${3:-10} * 20)) ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
# explorer PANE TOKEN: opens ecii on the hub in a new 80x24 tmux session.
explorer() {
	tmx -f /dev/null new-session -d -x 80 -y 24 -s "$1" \
		"env -i PATH=/usr/bin:/bin HOME=$tmp/home-$1 TERM=screen LC_ALL=C.UTF-8 PS1='$ ' sh"
	tmx send-keys -t "$1" "export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache-$1 XDG_DATA_HOME=$tmp/data-$1" Enter
	tmx send-keys -t "$1" "ECII_TOKEN=$2 $bin/ecii --hub $url; echo exit=\$?" Enter
}
drafts="$tmp/data-r/ecii/drafts"

start_hub
for s in $sites; do start_node "$s"; done
wait_online 3 30 || echo "# the sites did not come online" >&2
mkdir -p "$tmp/config/ecii"

# The researcher counts a cohort and asks for access to its collections.
explorer r "$researcher"
wait_for r "of 12 collections" 15
tmx send-keys -t r :
tmx send-keys -t r C-u 'diagnosis:prostate modality:MR' Enter
tmx send-keys -t r r
wait_for r "3 of 3 sites answered" 15
tmx send-keys -t r A
check "A opens the access form on the cohort" r "fields to answer before sending"
if grep -q "No collection selected: asking for the" "$tmp/pane" && grep -q "Cohort diagnosis:prostate modality:mr" "$tmp/pane"; then
	tap_ok "... taking the collections with subjects, and saying so"
else
	tap_not_ok "... taking the collections with subjects, and saying so" "$(cat "$tmp/pane")"
fi

tmx send-keys -t r Enter
tmx send-keys -t r 'Prostate MRI lesion detection' Enter
if until_file "$drafts"/*.json '"title": "Prostate MRI lesion detection"'; then
	tap_ok "the title is saved in the draft"
else
	tap_not_ok "the title is saved in the draft" "$(cat "$drafts"/*.json 2>&1)"
fi
# In the middle of the description: each key is on disk, then SIGKILL.
tmx send-keys -t r Enter
tmx send-keys -t r 'Detect clinically significant lesions'
if until_file "$drafts"/*.json 'Detect clinically significant lesions'; then
	tap_ok "a field being typed is saved key by key"
else
	tap_not_ok "a field being typed is saved key by key" "$(cat "$drafts"/*.json 2>&1)"
fi
# ecii is the child of the pane's shell.
kill -KILL "$(ps -o pid= --ppid "$(tmx list-panes -t r -F '#{pane_pid}')" | head -1)"
wait_for r "exit=137" 5
# The killed ecii could not give the terminal back: the shell needs a sane
# tty (and a newline, as the terminal still sends Enter as CR) first.
tmx send-keys -t r 'stty sane; clear' C-j
wait_gone r "exit=137" 5
tmx send-keys -t r "ECII_TOKEN=$researcher $bin/ecii --hub $url; echo exit=\$?" Enter
check "after kill -9 the next start offers the draft" r "1 unfinished access request" 15
tmx send-keys -t r M
wait_for r "draft: being written"
tmx send-keys -t r Enter
if wait_for r "Detect clinically significant lesions" && grep -q "Prostate MRI lesion detection" "$tmp/pane"; then
	tap_ok "... and it is exactly as it was"
else
	tap_not_ok "... and it is exactly as it was" "$(cat "$tmp/pane")"
fi

# The rest of the form, the way the submit check leads: y marks what is
# missing and goes there, Tab goes on to the next field with a message.
tmx send-keys -t r y
check "y on an incomplete form marks the fields and sends nothing" r "fields to correct before sending"
tmx send-keys -t r Space Enter
tmx send-keys -t r Enter '2027-02-01' Enter Enter 24 Enter
tmx send-keys -t r Enter 'Ana Ruiz' Enter Enter 'ana@example.org' Enter
tmx send-keys -t r Enter 'Hospital X' Enter Enter ES Enter
tmx send-keys -t r Tab Enter 'Train a detector.' Enter Enter 'Deep learning.' Enter
tmx send-keys -t r Space Space Tab Space Tab Space Tab Space Enter
tmx send-keys -t r Tab Space Tab Space Tab Space Space Tab Space Enter
check "the form filled in the terminal is complete" r "complete: y sends it"

# The hub goes away as it is sent: no reply, so the draft stays SUBMITTING
# and says so; the next start, with the hub back, sends it again with the
# same Idempotency-Key.
addr=${url#http://}
kill -TERM "$hub_pid"
wait "$hub_pid" 2>/dev/null
tmx send-keys -t r y
check "a submit whose reply never came says so" r "No reply: y sends it again"
if until_file "$drafts"/*.json '"SUBMITTING"'; then
	tap_ok "... and the draft is SUBMITTING on disk"
else
	tap_not_ok "... and the draft is SUBMITTING on disk" "$(cat "$drafts"/*.json 2>&1)"
fi
tmx send-keys -t r Q
wait_for r "exit=0" 5
start_hub "$addr"
wait_online 3 30 || echo "# the sites did not come back" >&2
tmx send-keys -t r clear Enter "ECII_TOKEN=$researcher $bin/ecii --hub $url; echo exit=\$?" Enter
check "the next start sends it again: the hub made the request" r "Unfinished submit: Submitted as request" 15
n=$(ls "$drafts" | grep -c '\.json$')
if [ "$n" = 0 ]; then tap_ok "... and the draft is gone"; else tap_not_ok "... and the draft is gone" "$(ls "$drafts")"; fi
tmx send-keys -t r M
check "My requests says who acts next" r "the committee"

# The committee reviews it in its own explorer and approves it.
explorer d "$committee"
wait_for d "of 12 collections" 15
tmx send-keys -t d V
check "the committee's queue has the request" d "researcher: diagnosis" 10
tmx send-keys -t d Enter
if wait_for d "Request #1: submitted" && wait_for d "3 of 3 sites)" 15 &&
	grep -q "^Hash  *[0-9a-f]\{64\}" "$tmp/pane" && grep -q "^Author saw  *about" "$tmp/pane" &&
	tmx send-keys -t d PgDn && wait_for d "(this cohort)"; then
	tap_ok "the review shows the cohort's hash, the counts now and the author's queries"
else
	tap_not_ok "the review shows the cohort's hash, the counts now and the author's queries" "$(cat "$tmp/pane")"
fi
tmx send-keys -t d t
wait_for d "Step (1 APPROVE, 2 DECLINE):"
tmx send-keys -t d 1 Enter
wait_for d "APPROVE: a message"
tmx send-keys -t d 'Approved for the study' Enter
wait_for d "Done; now IN_PROGRESS"
tmx send-keys -t d g
check "t approves it with a message" d "Request #1: in progress"
ECII_TOKEN="$researcher" XDG_CACHE_HOME="$tmp/cache-r" XDG_DATA_HOME="$tmp/data-r" \
	"$bin/ecii" --hub "$url" request list >"$tmp/list" 2>&1
if grep -q "in progress" "$tmp/list" && [ "$(grep -c '^[0-9a-f-]\{36\} ' "$tmp/list")" = 1 ]; then
	tap_ok "... which the hub keeps, with one negotiation only"
else
	tap_not_ok "... which the hub keeps, with one negotiation only" "$(cat "$tmp/list")"
fi

# The researcher's explorer notices within its poll (30 s).
tmx send-keys -t r q
check "the researcher's title shows a badge when it changed" r "1 request changed (M)" 40

tmx send-keys -t d Q
tmx send-keys -t r Q
wait_for r "exit=0" 5
