#!/bin/sh
# The access-request loop with the real ecii commands against a real hub
# and sites on loopback: a researcher drafts, fills and submits a request
# (the draft kept on disk, the submit sent again after a connection that
# died, never twice); the committee reviews and approves it; a
# representative moves a collection through its states; the researcher
# accepts the conditions and sees the collection made available; every step
# is in the timeline; the hub restarted between two steps loses nothing.
: "${ECII_SRCDIR:?}" "${ECII_BUILDDIR:?}"
. "$ECII_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d)
sites="de-elbtal es-turia nl-noordzee"
represents="c-pros-02"
cleanup() {
	cleanup_loopback
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
tap_plan 26
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
	XDG_DATA_HOME="$tmp/data"
unset ECII_HUB ECII_TOKEN
mkdir -p "$HOME"
. "$ECII_SRCDIR/tests/integration/loopback.sh"

start_hub
for s in $sites; do start_node "$s"; done
wait_online 3 30 || echo "# the sites did not come online"
export ECII_HUB="$url"
as() { # ROLE COMMAND...: runs ecii with that user's token
	eval "token=\$$1"
	shift
	ECII_TOKEN=$token "$bin/ecii" "$@"
}

# A draft: the cohort counted, two collections, the title answered.
as researcher request new --collections c-pros-04,c-pros-02 \
	--set summary.title='Prostate MRI lesion detection' \
	'diagnosis:prostate modality:MR' >"$tmp/new.out" 2>&1
tap_check "request new makes a draft" grep -q '^Draft [0-9a-f-]* saved: diagnosis:prostate modality:mr, 2 collections' "$tmp/new.out"
tap_check "... and lists what the form still needs" grep -q 'summary.project_type (Type of project): required; one of academic' "$tmp/new.out"
draft=$(sed -n 's/^Draft \([0-9a-f-]*\) saved.*/\1/p' "$tmp/new.out")
tap_check "... kept on disk, mode 0600" \
	test "$(stat -c %a "$XDG_DATA_HOME/ecii/drafts/$draft.json" 2>/dev/null)" = 600

as researcher request submit "${draft%%-*}" >"$tmp/out" 2>"$tmp/err"
tap_check "an incomplete draft is not sent (status 2)" test $? -eq 2
tap_check "... saying which fields are missing" grep -q 'summary.description' "$tmp/err"
as researcher request set "${draft%%-*}" summary.start_date=2027-13-01 >"$tmp/out" 2>&1
tap_check "a bad date is named at its field" grep -q 'summary.start_date (Planned start): not a date' "$tmp/out"
as researcher request set "${draft%%-*}" summary.description='Detect significant lesions.' \
	summary.project_type=academic summary.start_date=2027-02-01 summary.duration_months=24 \
	contact.pi_name='Ana Ruiz' contact.pi_email=ana@example.org contact.institution='Hospital X' \
	contact.country=ES scientific.objectives='Train a detector.' scientific.methods='Deep learning.' \
	scientific.intended_uses=ai_training,ai_validation scientific.uses_ai=yes \
	ethical_legal.ethics_approved=yes ethical_legal.legal_basis=art9_2_j consent.accept_terms=yes \
	consent.accept_acknowledgement=yes overview.data_types=images,annotations \
	overview.processing=federated >"$tmp/out" 2>&1
tap_check "request set completes the form" grep -q '^Complete' "$tmp/out"

# The submit's reply never comes: a proxy passes the request on to the hub
# and drops the connection instead of passing the reply back. The draft
# stays SUBMITTING; sending it again makes no second request.
python3 "$ECII_SRCDIR/tests/integration/drop_reply.py" "${url##*:}" >"$tmp/proxy.port" &
node_pids="$node_pids $!"
i=0
until [ -s "$tmp/proxy.port" ] || [ $i -ge 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
ECII_HUB="http://127.0.0.1:$(cat "$tmp/proxy.port")" as researcher request submit \
	"${draft%%-*}" >"$tmp/out" 2>"$tmp/err"
tap_check "a submit whose reply never came fails (status 1)" test $? -eq 1
tap_check "... leaving the draft SUBMITTING, to be sent again" \
	sh -c "grep -q SUBMITTING '$XDG_DATA_HOME/ecii/drafts/$draft.json' &&
		grep -q 'run .ecii request submit' '$tmp/err'"
as researcher request submit "${draft%%-*}" >"$tmp/out" 2>&1
tap_check "submitting again succeeds" grep -q '^Submitted: request ' "$tmp/out"
tap_check "... and the draft is gone" test ! -e "$XDG_DATA_HOME/ecii/drafts/$draft.json"
n=$(as researcher request list --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(len(p.get("_embedded", {}).get("negotiations", [])) for p in d["pages"]))')
tap_check "exactly one request exists ($n)" test "$n" = 1
id=$(as researcher request list | awk '{print $1; exit}')

# The hub restarts between two steps: nothing is lost.
kill -TERM "$hub_pid"
wait "$hub_pid" 2>/dev/null
start_hub "${url#http://}"
as researcher request show "$id" >"$tmp/show.out" 2>&1
tap_check "after a hub restart the request is still there, submitted" \
	grep -q '^State:    submitted; next: the committee' "$tmp/show.out"

# The committee reviews: the queue, the request with its counts then and now.
as committee review list >"$tmp/out" 2>&1
tap_check "the committee's queue has it" grep -q "^$id .* researcher  submitted" "$tmp/out"
wait_online 3 40
as committee review show "$id" >"$tmp/review.out" 2>&1
tap_check "review show: the cohort and its hash" grep -q '^Cohort:   diagnosis:prostate modality:mr' "$tmp/review.out"
tap_check "... the counts seen and the counts now" \
	sh -c "grep -q '^Counts seen: about [0-9]* subjects' '$tmp/review.out' && grep -q '^Counts now: about [0-9]* subjects.*3 of 3 sites answered' '$tmp/review.out'"
tap_check "... the form answers by their labels" grep -q 'Type of project: Academic research' "$tmp/review.out"
tap_check "... the author's queries" grep -q '(this cohort)' "$tmp/review.out"

as researcher review approve "$id" >/dev/null 2>"$tmp/err"
tap_check "a researcher cannot approve (status 2)" test $? -eq 2
as committee review approve "$id" --message 'Approved for the pilot.' >"$tmp/out" 2>&1
tap_check "the committee approves" grep -q 'Done: APPROVE; now IN_PROGRESS' "$tmp/out"

as researcher request post "$id" 'Thank you.' --json >"$tmp/post.json" 2>&1
as researcher request show "$id" --json >"$tmp/show.json" 2>&1
python3 - "$tmp/post.json" "$tmp/show.json" <<'EOF'
import json, sys
post, show = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if post["text"] == "Thank you." and post["type"] == "PUBLIC"
         and show["negotiation"]["status"] == "IN_PROGRESS" else 1)
EOF
tap_check "post --json and show --json print what the hub answered" test $? -eq 0

# A collection through its states, as the table of PROTOCOL §6 says.
as representative review resource "$id" c-pros-02 GRANT_ACCESS_TO_RESOURCE >/dev/null 2>"$tmp/err"
tap_check "an event out of turn is refused, naming the state" \
	grep -q 'SUBMITTED' "$tmp/err"
ok=0
as committee review resource "$id" c-pros-02 CONTACT >/dev/null 2>&1 || ok=1
for e in MARK_AS_CHECKING_AVAILABILITY MARK_AS_AVAILABLE INDICATE_ACCESS_CONDITIONS; do
	as representative review resource "$id" c-pros-02 $e >/dev/null 2>&1 || ok=1
done
as committee review post "$id" 'Please sign the data use agreement.' --private >/dev/null 2>&1 || ok=1
as researcher request accept "$id" c-pros-02 --message 'Signed.' >/dev/null 2>&1 || ok=1
as representative review resource "$id" c-pros-02 GRANT_ACCESS_TO_RESOURCE >/dev/null 2>&1 || ok=1
tap_check "contact, check, available, conditions, accept, grant: each step taken" test $ok -eq 0

as researcher request show "$id" >"$tmp/show.out" 2>&1
tap_check "the researcher sees the collection made available" \
	grep -q 'c-pros-02 .*: made available' "$tmp/show.out"
python3 - "$tmp/show.out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("Timeline:")[1].split("Posts:")[0].splitlines()
steps = [l.split()[2].rstrip(":") for l in lines if l.strip()]
want = ["SUBMIT", "APPROVE", "CONTACT", "MARK_AS_CHECKING_AVAILABILITY", "MARK_AS_AVAILABLE",
        "INDICATE_ACCESS_CONDITIONS", "private", "ACCEPT_ACCESS_CONDITIONS",
        "GRANT_ACCESS_TO_RESOURCE"]
got = [s for s in steps if s in want]
sys.exit(0 if got == want else 1)
EOF
tap_check "every step is in the timeline, in order" test $? -eq 0
tap_check "the private post reached the author" \
	grep -q 'committee (private): Please sign the data use agreement.' "$tmp/show.out"
