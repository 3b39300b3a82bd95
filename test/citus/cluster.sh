# Starts (or stops) a Citus coordinator and two workers on private Unix sockets, for
# test/citus/run.sh.  test/citus/cluster.sh — sourced, not run.  Uses the Citus already installed
# in the PostgreSQL that PG_CONFIG names; builds nothing.
#
#   SHEGU_RUN_DIR  directory of the three clusters and their sockets
#   SHEGU_PORT     coordinator's port; the workers take the next two numbers
#   SHEGU_FAKETIME the date-time the nodes' clocks start at (libfaketime), as in tools/lib.sh
#   SHEGU_PRELOAD  1 (default): shegu preloaded after citus (one shared lookup index per node);
#                  0: citus only, shegu loaded by each backend, as in tools/lib.sh

citus_bindir=$("${PG_CONFIG:?}" --bindir)
citus_ports=("$SHEGU_PORT" "$((SHEGU_PORT + 1))" "$((SHEGU_PORT + 2))")
citus_names=(coordinator worker1 worker2)

citus_as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

citus_stop() {
	local i
	for i in 0 1 2; do
		[ -f "$SHEGU_RUN_DIR/${citus_names[$i]}/postmaster.pid" ] &&
			citus_as_server_user "$citus_bindir/pg_ctl" -D "$SHEGU_RUN_DIR/${citus_names[$i]}" -m immediate -w stop >/dev/null 2>&1
	done
	return 0
}

# initdb and start the three nodes; returns non-zero (and prints the log) when one fails.
citus_start() {
	local i d faketime=()
	if [ -n "${SHEGU_FAKETIME:-}" ]; then
		[ -f /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || { echo "SHEGU_FAKETIME needs the faketime package"; return 1; }
		faketime=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="@$SHEGU_FAKETIME")
	fi
	mkdir -p "$SHEGU_RUN_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$SHEGU_RUN_DIR"
	citus_stop
	for i in 0 1 2; do
		d=$SHEGU_RUN_DIR/${citus_names[$i]}
		rm -rf "$d"
		citus_as_server_user "$citus_bindir/initdb" -D "$d" -A trust -U postgres -E UTF8 \
			--locale=C.UTF-8 --no-sync >"$SHEGU_RUN_DIR/initdb-$i.log" 2>&1 ||
			{ cat "$SHEGU_RUN_DIR/initdb-$i.log"; return 1; }
		cat >>"$d/postgresql.conf" <<-CONF
			listen_addresses = ''
			port = ${citus_ports[$i]}
			unix_socket_directories = '$SHEGU_RUN_DIR'
			shared_preload_libraries = '$( [ "${SHEGU_PRELOAD:-1}" = 0 ] && echo citus || echo citus,shegu )'
			citus.local_hostname = '$SHEGU_RUN_DIR'
			fsync = off
			max_connections = 60
			max_prepared_transactions = 60
			timezone = 'Asia/Shanghai'
			lc_messages = 'C'
		CONF
		citus_as_server_user "${faketime[@]}" "$citus_bindir/pg_ctl" -D "$d" -l "$SHEGU_RUN_DIR/${citus_names[$i]}.log" -w start >/dev/null ||
			{ tail -20 "$SHEGU_RUN_DIR/${citus_names[$i]}.log"; return 1; }
	done
}
