#!/usr/bin/env bash
# Benchmark of the workflow on Citus against a single server, in one run: report() and act()
# from pgbench clients on a coordinator with two workers (the layout of docs/citus.md, the test
# cluster of test/citus/cluster.sh: all three nodes on this machine) and on a plain PostgreSQL
# with the same grids, categories and calls.  Prints each call's mean latency both ways and the
# ratio (Citus / single server), and the worker sessions the clients left open.
# bench/citus.sh — needs a Citus installed in the PostgreSQL that PG_CONFIG names (it builds
# nothing); without one it says so and stops.  Settings from the environment:
#   SECS=10 (each pgbench run)  CLIENTS=4 (the concurrent runs; the latency runs use one)
#   INCIDENTS=3000 (reported before the act() runs, spread over 3 counties)
#   BENCH_PORT (the single server's; the Citus nodes take the next three)  BENCH_RUN_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-citus}
SHEGU_PORT=${BENCH_PORT:-54360}
source "$top/tools/lib.sh"
SECS=${SECS:-10}
CLIENTS=${CLIENTS:-4}
INCIDENTS=${INCIDENTS:-3000}
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
	echo "# citus bench: skipped, citus is not installed in $("$PG_CONFIG" --pkglibdir)"
	exit 0
fi
bindir=$("$PG_CONFIG" --bindir)
run=$SHEGU_RUN_DIR
mkdir -p "$run"
[ "$(id -u)" -eq 0 ] && chown postgres: "$run"

build_install
# the single server
SHEGU_RUN_DIR=$run/plain
start_server
plain_port=$SHEGU_PORT
# the Citus cluster (coordinator, two workers) on the next three ports
export SHEGU_PORT=$((plain_port + 1)) SHEGU_RUN_DIR=$run/citus
source "$top/test/citus/cluster.sh"
[ -n "${BENCH_KEEP:-}" ] || trap 'citus_stop; SHEGU_RUN_DIR=$run/plain stop_server' EXIT
citus_start || die "the Citus nodes did not start"
db=shegu_bench
citus_psql() { local i=$1; shift; "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$run/citus" -p "${citus_ports[$i]}" -U postgres "$@"; }
plain_psql() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$run/plain" -p "$plain_port" -U postgres "$@"; }
for i in 0 1 2; do
	citus_psql "$i" -d postgres -c "CREATE DATABASE $db" && citus_psql "$i" -d "$db" -c "CREATE EXTENSION citus" || die "citus on node $i"
done
citus_psql 0 -d "$db" -c "SELECT citus_set_coordinator_host('$run/citus', ${citus_ports[0]})" \
	-c "SELECT citus_add_node('$run/citus', ${citus_ports[1]})" -c "SELECT citus_add_node('$run/citus', ${citus_ports[2]})" >/dev/null ||
	die "the workers did not join"
citus_psql 0 -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION shegu CASCADE" || die "shegu on Citus"
awk '/<!-- citus-layout -->/ {want=1; next} want && /^```psql/ {on=1; next} on && /^```/ {exit} on' "$top/docs/citus.md" |
	citus_psql 0 -d "$db" >/dev/null 2>"$run/layout.err" || { cat "$run/layout.err"; die "the layout of docs/citus.md failed"; }
plain_psql -d postgres -c "CREATE DATABASE $db" && plain_psql -d "$db" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" || die "shegu on the single server"

# Three counties of 100 basic grids each, on both.  Incident g is in county g % 3.
COUNTY="(ARRAY[430528, 431102, 110105])[1 + g % 3]"
GRID="(($COUNTY)::text || '101001' || lpad((1 + g / 3 % 100)::text, 3, '0'))::shegu.gridcode"
for side in plain citus; do
	sq() { if [ "$side" = plain ]; then plain_psql -d "$db" "$@"; else citus_psql 0 -d "$db" "$@"; fi; }
	sq -c "INSERT INTO shegu.grid (code, name, kind, valid_from)
	       SELECT DISTINCT $GRID, 'bench grid', 'basic', date '2020-01-01' FROM generate_series(0, 299) AS g" >/dev/null ||
		die "grids on $side"
	# the incidents act() steps on: g = 0 .. INCIDENTS-1, ids from the base read back
	sq -c "SELECT count(*) FROM (SELECT shegu.report('other', 'bench ' || g, 'patrol', grid => $GRID) FROM generate_series(0, $INCIDENTS - 1) AS g) AS r" >/dev/null ||
		die "reports on $side"
done
plain_base=$(plain_psql -d "$db" -c "SELECT min(id) FROM shegu.incident")
citus_base=$(citus_psql 0 -d "$db" -c "SELECT min(id) FROM shegu.incident")
same=$(citus_psql 0 -d "$db" -c "SELECT count(*) FROM shegu.incident WHERE county = (ARRAY[430528, 431102, 110105])[1 + (id - $citus_base) % 3]")
[ "$same" = "$INCIDENTS" ] || die "the Citus incidents are not numbered in report order ($same of $INCIDENTS)"

# pgbench scripts: a report in a random grid; a supervision (督办, a step that writes the row and
# its event) of a random incident, with its county (routed) and without (looked up).
cat >"$run/report.sql" <<SQL
\set g random(0, 299)
SELECT id FROM shegu.report('other', 'pgbench', 'hotline', grid => ((CASE :g % 3 WHEN 0 THEN '430528' WHEN 1 THEN '431102' ELSE '110105' END) || '101001' || lpad((1 + :g / 3 % 100)::text, 3, '0'))::shegu.gridcode);
SQL
# a retried report: the same idempotency key, one of 300 (one a grid), sent again and again
cat >"$run/retry.sql" <<SQL
\set g random(0, 299)
SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => ((CASE :g % 3 WHEN 0 THEN '430528' WHEN 1 THEN '431102' ELSE '110105' END) || '101001' || lpad((1 + :g / 3 % 100)::text, 3, '0'))::shegu.gridcode, idempotency_key => 'bench-' || :g);
SQL
act_script() { # BASE WITH_COUNTY
	echo "\\set k random(0, $((INCIDENTS - 1)))"
	if [ "$2" = 1 ]; then
		echo "SELECT status FROM shegu.act($1 + :k, 'supervise', 'bench', NULL, NULL, CASE :k % 3 WHEN 0 THEN 430528 WHEN 1 THEN 431102 ELSE 110105 END);"
	else
		echo "SELECT status FROM shegu.act($1 + :k, 'supervise', 'bench');"
	fi
}
# Citus's own cost of one routed write, the floor under report() and act(): the same single-row
# INSERT (county given) and UPDATE of a free column by hand, through the same triggers.
cat >"$run/insert.sql" <<SQL
\set g random(0, 299)
INSERT INTO shegu.incident (category, title, source, grid, county) VALUES ('other', 'pgbench', 'hotline', ((CASE :g % 3 WHEN 0 THEN '430528' WHEN 1 THEN '431102' ELSE '110105' END) || '101001' || lpad((1 + :g / 3 % 100)::text, 3, '0'))::shegu.gridcode, CASE :g % 3 WHEN 0 THEN 430528 WHEN 1 THEN 431102 ELSE 110105 END);
SQL
update_script() { # BASE
	echo "\\set k random(0, $((INCIDENTS - 1)))"
	echo "UPDATE shegu.incident SET title = 'pgbench' WHERE id = $1 + :k AND county = CASE :k % 3 WHEN 0 THEN 430528 WHEN 1 THEN 431102 ELSE 110105 END;"
}
update_script "$plain_base" >"$run/update_plain.sql"
update_script "$citus_base" >"$run/update_citus.sql"
act_script "$plain_base" 1 >"$run/act_plain.sql"
act_script "$citus_base" 1 >"$run/act_citus.sql"
act_script "$citus_base" 0 >"$run/act_citus_lookup.sql"

# the workers log each session they start: the coordinator's backends open them
for i in 1 2; do citus_psql "$i" -d postgres -c "ALTER SYSTEM SET log_connections = on" -c "SELECT pg_reload_conf()" >/dev/null; done
opened() { cat "$run/citus/worker1.log" "$run/citus/worker2.log" | grep -c 'connection authorized'; }
# mean latency in ms of SECS seconds of one script: SIDE SCRIPT CLIENTS (on Citus, sets $sessions:
# the worker sessions opened meanwhile)
latency() {
	local host port before
	if [ "$1" = plain ]; then host=$run/plain; port=$plain_port; else host=$run/citus; port=${citus_ports[0]}; fi
	before=$(opened)
	"$bindir/pgbench" -n -h "$host" -p "$port" -U postgres -c "$3" -j "$3" -T "$SECS" -f "$2" "$db" >"$run/pgbench.out" 2>&1
	grep -q 'number of failed transactions: 0 ' "$run/pgbench.out" || { cat "$run/pgbench.out" >&2; die "pgbench failed: $2"; }
	awk -F'= ' '/^latency average/ { split($2, a, " "); print a[1] }' "$run/pgbench.out"
	sessions=$(( $(opened) - before ))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
say "citus bench: a coordinator and two workers on this machine ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)); SECS=$SECS, $INCIDENTS incidents in 3 counties"
printf '%-46s %9s %9s %7s %16s\n' "call (pgbench clients)" "single ms" "Citus ms" "ratio" "worker sessions"
line() { printf '%-46s %9s %9s %7s %16s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")" "$4"; }
# (latency runs in this shell, not in $(...), so that $sessions survives)
both() { # NAME PLAIN_SCRIPT CITUS_SCRIPT CLIENTS
	latency plain "$2" "$4" >"$run/p.ms" && latency citus "$3" "$4" >"$run/c.ms" || die "$1: pgbench failed"
	line "$1 ($4)" "$(cat "$run/p.ms")" "$(cat "$run/c.ms")" "$sessions"
}
both "INSERT by hand, county given" "$run/insert.sql" "$run/insert.sql" 1
both "UPDATE of a free column by hand, routed" "$run/update_plain.sql" "$run/update_citus.sql" 1
both "report()" "$run/report.sql" "$run/report.sql" 1
both "report() retried (its idempotency key again)" "$run/retry.sql" "$run/retry.sql" 1
both "act() with the county" "$run/act_plain.sql" "$run/act_citus.sql" 1
both "act() without the county (looked up)" "$run/act_plain.sql" "$run/act_citus_lookup.sql" 1
both "report()" "$run/report.sql" "$run/report.sql" "$CLIENTS"
both "act() with the county" "$run/act_plain.sql" "$run/act_citus.sql" "$CLIENTS"
both "act() without the county (looked up)" "$run/act_plain.sql" "$run/act_citus_lookup.sql" "$CLIENTS"
# the worker sessions the coordinator's backends opened and keep (all clients have gone)
w=0
for i in 1 2; do
	n=$(citus_psql "$i" -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
	w=$((w + n))
done
echo "worker sessions left open after the runs: $w (two workers; 'worker sessions' above: opened during each run)"
# the results agree: every supervision of the Citus runs is logged on its incident's shard
got=$(citus_psql 0 -d "$db" -c "SELECT (SELECT sum(supervisions) FROM shegu.incident) = (SELECT count(*) FROM shegu.incident_event WHERE action = 'supervise')")
echo "every supervision on Citus has its event: $got"
