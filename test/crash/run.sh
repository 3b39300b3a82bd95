#!/usr/bin/env bash
# kill -9 under load: pgbench clients report incidents and move them with act() on a private
# server, each client writing the id of every statement whose commit it saw acknowledged to a
# log on the client side; mid-load every server process is killed with SIGKILL (the postmaster
# and its children at once); the server is restarted (crash recovery) and every acknowledged
# report and step must be there, the event log consistent, numbering going on, and the
# extension's per-session caches (categories, calendar, lookup index) rebuilt.  At most ~60 s.
# test/crash/run.sh — called by tools/test.sh (PG_CONFIG, SHEGU_RUN_DIR, SHEGU_PORT in the
# environment); it never touches the suites' server: its cluster lives in $SHEGU_RUN_DIR/crash.
source "$(dirname "$0")/../../tools/lib.sh"
set +e
bindir=$("$PG_CONFIG" --bindir)
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }
CLIENTS=${CRASH_CLIENTS:-4}
LOAD_SECONDS=${CRASH_LOAD_SECONDS:-5}

choose_run_dir
dir=$SHEGU_RUN_DIR/crash
data=$dir/data
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$SHEGU_PORT" -U postgres "$@"; }
pmpid() { head -1 "$data/postmaster.pid" 2>/dev/null; }
stop() {
	[ -f "$data/postmaster.pid" ] && as_server_user "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
	true
}
trap stop EXIT

# ---- a private cluster with shegu and the data the load needs
stop
rm -rf "$dir"
mkdir -p "$dir" && chmod 700 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$(server_user)": "$dir"
as_server_user "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1
check $? "initdb of a private cluster in $dir"
cat >>"$data/postgresql.conf" <<-CONF
	listen_addresses = ''
	port = $SHEGU_PORT
	unix_socket_directories = '$dir'
	max_connections = 20
	timezone = 'Asia/Shanghai'
	lc_messages = 'C'
	restart_after_crash = off
CONF
as_server_user "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null
check $? "server started"
psql -d postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" \
	-c "INSERT INTO shegu.grid (code, name, kind, boundary) VALUES
	    ('430528101002', '城东社区', 'community', ST_Multi(ST_MakeEnvelope(110, 26, 110.5, 26.5, 4326))),
	    ('430528101002003', '第3网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26, 110.25, 26.25, 4326)))" \
	-c "INSERT INTO shegu.incident_category (code, parent, name_zh, name_en, handling_level, accept_limit, dispose_limit)
	    VALUES ('environment.crash', 'environment', '压力测试', 'Crash test', 'grid', '2 hours', '1 day')" \
	-c "UPDATE shegu.workday_override SET name = '元旦 (crash test)' WHERE day = '2026-01-01'" >/dev/null
check $? "extension, grids and a user category installed"

# ---- the load: each statement's id is logged by the client once its commit is acknowledged
ack=$dir/ack.log
: >"$ack"
[ "$(id -u)" -eq 0 ] && chown "$(server_user)": "$ack"
cat >"$dir/load.sql" <<-SQL
	\set n :n + 1
	SELECT id FROM shegu.report('environment.crash', 'crash load', 'patrol', grid => '430528101002003', reported_at => '2026-03-02 08:00+08', idempotency_key => 'c' || :client_id || '-' || :n) \gset
	\shell echo report :id >> $ack
	SELECT (shegu.act(:id, 'accept', 'crash')).status AS st \gset
	\shell echo accept :id >> $ack
	BEGIN;
	SELECT (shegu.act(:id, 'dispatch', 'crash', NULL, '{"level": "community"}')).status AS st \gset
	SELECT (shegu.act(:id, 'supervise', 'crash')).status AS st \gset
	COMMIT;
	\shell echo dispatch :id >> $ack
SQL
[ "$(id -u)" -eq 0 ] && chown "$(server_user)": "$dir/load.sql"
# pgbench runs as the server user so that its \shell can append to the log
as_server_user env PGHOST="$dir" PGPORT="$SHEGU_PORT" PGUSER=postgres "$bindir/pgbench" -n -c "$CLIENTS" -j 2 \
	-T $((LOAD_SECONDS + 20)) -D n=0 -f "$dir/load.sql" postgres >"$dir/pgbench.log" 2>&1 &
bench=$!
sleep "$LOAD_SECONDS"
pm=$(pmpid)
# the postmaster's children, from /proc (the parent pid is the second field after the name)
children=$(for st in /proc/[0-9]*/stat; do
	[ "$(sed -E 's/^.*\) [A-Za-z] ([0-9]+) .*$/\1/' "$st" 2>/dev/null)" = "$pm" ] && basename "$(dirname "$st")"
done | tr '\n' ' ')
before=$(grep -c '^report ' "$ack")
kill -9 "$pm" $children 2>/dev/null
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
for i in $(seq 1 20); do alive "$pm" || break; sleep 0.1; done
! alive "$pm"
check $? "kill -9 of the postmaster and its $(echo $children | wc -w) children after $LOAD_SECONDS s of load ($before reports acknowledged by then)"
wait $bench
# libpq and pgbench word a lost server several ways, depending on where each client was
grep -qE 'aborted in command|server closed the connection|terminating connection|connection to server was lost|could not receive data from server|perhaps the backend died|no connection to the server' "$dir/pgbench.log"
lost=$?
check $lost "the pgbench clients lost their connections (the load was running at the kill)"
[ $lost = 0 ] || tail -5 "$dir/pgbench.log" | sed 's/^/#   pgbench: /'

reports=$(grep -c '^report ' "$ack")
accepts=$(grep -c '^accept ' "$ack")
dispatches=$(grep -c '^dispatch ' "$ack")
[ "$reports" -gt 0 ] && [ "$accepts" -gt 0 ] && [ "$dispatches" -gt 0 ]
check $? "acknowledged before the crash: $reports reports, $accepts accepts, $dispatches dispatch transactions"

# ---- restart: crash recovery
# (a backend forked just before the kill exits by itself on seeing its postmaster gone)
for i in 1 2 3 4 5; do
	as_server_user "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null 2>&1 && break
	sleep 1
done
psql -d postgres -c "SELECT 1" >/dev/null
check $? "server restarted after the crash"
grep -q 'database system was interrupted\|was not properly shut down' "$dir/server.log"
check $? "the restart ran crash recovery (server.log)"

# ---- every acknowledged statement is there
psql -d postgres -c "CREATE TABLE ack (what text, id bigint)" >/dev/null
grep -E '^(report|accept|dispatch) [0-9]+$' "$ack" | tr ' ' '\t' | psql -d postgres -c "COPY ack FROM STDIN" >/dev/null
lost=$(psql -d postgres -At -c "
	SELECT count(*) FROM ack a LEFT JOIN shegu.incident i ON i.id = a.id
	WHERE i.id IS NULL
	   OR NOT EXISTS (SELECT 1 FROM shegu.incident_event e WHERE e.incident_id = a.id
	                  AND e.action = CASE a.what WHEN 'report' THEN 'report' WHEN 'accept' THEN 'accept' ELSE 'supervise' END)
	   OR (a.what = 'accept' AND i.accepted_at IS NULL)
	   OR (a.what = 'dispatch' AND (i.status <> 'dispatched' OR i.supervisions <> 1 OR i.level <> 'community'))")
[ "$lost" = 0 ]
check $? "every acknowledged report, accept and dispatch transaction survived ($lost lost of $((reports + accepts + dispatches)))"

# the log is consistent: one report event per incident, every step of an incident in order, a
# dispatch transaction either whole or absent
bad=$(psql -d postgres -At -c "
	SELECT (SELECT count(*) FROM shegu.incident i WHERE (SELECT count(*) FROM shegu.incident_event e
	            WHERE e.incident_id = i.id AND e.action = 'report') <> 1)
	     + (SELECT count(*) FROM shegu.incident i WHERE i.status = 'dispatched' AND i.supervisions <> 1)
	     + (SELECT count(*) FROM shegu.incident i WHERE i.status <> 'dispatched' AND (i.supervisions <> 0
	            OR EXISTS (SELECT 1 FROM shegu.incident_event e WHERE e.incident_id = i.id AND e.action IN ('dispatch', 'supervise'))))
	     + (SELECT count(*) FROM shegu.incident i WHERE i.status <> (SELECT e.to_status FROM shegu.incident_event e
	            WHERE e.incident_id = i.id ORDER BY e.id DESC LIMIT 1))")
[ "$bad" = 0 ]
check $? "the event log agrees with the incidents after recovery ($bad inconsistencies)"
total=$(psql -d postgres -At -c "SELECT count(*) FROM shegu.incident")
echo "# incidents after recovery: $total (acknowledged: $reports; the rest committed without the acknowledgement reaching the client)"

# ---- a fresh session rebuilds the caches from the recovered tables and numbering goes on
out=$(psql -d postgres -At -c "SET search_path = shegu, public" \
	-c "CREATE TEMP TABLE m AS SELECT max(id) AS id FROM incident" \
	-c "SELECT r.id > m.id FROM report('environment.crash', 'after crash', 'patrol', location => ST_SetSRID(ST_MakePoint(110.1, 26.1), 4326), reported_at => '2026-03-02 08:00+08') AS r, m" \
	-c "SELECT grid, accept_due_at FROM incident ORDER BY id DESC LIMIT 1" \
	-c "SELECT is_workday('2026-01-01'), add_work_time('2026-03-02 17:00+08', '1 hour')" \
	-c "SELECT builds > 0 AND grids = 2 FROM lookup_stats()" 2>&1 | tr '\n' ' ')
expect="t 430528101002003|2026-03-02 10:30:00+08 f|2026-03-03 09:00:00+08 t "
[ "$out" = "$expect" ]
check $? "after recovery: new ids follow the recovered ones, locate, category limits, calendar and lookup index rebuilt"
[ "$out" = "$expect" ] || echo "#   got: $out"
stop
[ $status = 0 ] && rm -rf "$data"    # kept for a look when something failed
exit $status
