# A hub and ecii-node sites on loopback for the shell tests; source it after
# setting tmp (a scratch directory) and sites (demo site ids). It makes the
# hub store with the users "researcher", "committee" (admin) and
# "representative" (of $represents, comma-separated collection ids; default
# none) whose tokens $researcher, $committee and $representative hold, and
# one site per id; start_hub and start_node start them; cleanup_loopback
# stops whatever was started. Nothing here asserts anything.
bin="$ECII_BUILDDIR/src"
demo="$ECII_BUILDDIR/data/demo/out"
criteria="$ECII_SRCDIR/data/criteria.json"
hub_pid=
node_pids=
db="$tmp/hub.db"
umask 077
"$bin/ecii-hub" --db "$db" init >/dev/null
researcher=$("$bin/ecii-hub" --db "$db" user add researcher --role researcher)
committee=$("$bin/ecii-hub" --db "$db" user add committee --role admin)
representative=$("$bin/ecii-hub" --db "$db" user add representative --role researcher \
	${represents:+--represents "$represents"})
for s in $sites; do
	"$bin/ecii-hub" --db "$db" site add "$s" >"$tmp/$s.token"
done

# Stops every process started here (a stopped one is woken first).
cleanup_loopback() {
	for p in $hub_pid $node_pids; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
# Starts the hub on $1 (default: a free port); sets hub_pid and url.
start_hub() {
	: >"$tmp/serve.err"
	"$bin/ecii-hub" --db "$db" serve --listen "${1:-127.0.0.1:0}" --criteria "$criteria" \
		--heartbeat 2 --log "$tmp/hub.log" 2>"$tmp/serve.err" &
	hub_pid=$!
	i=0
	while [ $i -lt 200 ] && ! grep -q '^listening on http://' "$tmp/serve.err"; do
		sleep 0.05
		i=$((i + 1))
	done
	url=$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$tmp/serve.err")
}
# Starts site $1's node; node_pid $1 says its pid.
start_node() {
	"$bin/ecii-node" --hub "$url" --token-file "$tmp/$1.token" --store "$demo/site-$1.db" \
		--criteria "$criteria" --log "$tmp/node-$1.log" 2>>"$tmp/node-$1.log" &
	eval "node_$(echo "$1" | tr - _)=$!"
	node_pids="$node_pids $!"
}
node_pid() { eval "echo \$node_$(echo "$1" | tr - _)"; }
# Waits until the hub says exactly $1 sites are online (up to $2 s).
wait_online() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		n=$("$bin/ecii" --hub "$url" sites --json 2>/dev/null | grep -c '"online": true')
		[ "$n" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
