#!/usr/bin/env bash
# shegu on Citus: a coordinator and two workers on private Unix sockets, the layout of
# docs/citus.md (registry and configuration as reference tables, incidents and their events
# distributed by county and co-located), then the workflow: report, act, sweep, notifications.
# test/citus/run.sh — called by tools/test.sh.  Needs a Citus already installed in the PostgreSQL
# that PG_CONFIG names (it builds nothing); without one it prints "# skip" and passes nothing.
# Settings: PG_CONFIG; SHEGU_PORT (the coordinator's port; the workers take the next two);
# SHEGU_RUN_DIR (the clusters go to its citus/ subdirectory).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
	echo "# skip: citus not installed in $("$PG_CONFIG" --pkglibdir)"
	echo "citus: 0 passed, 0 failed"
	exit 0
fi
SHEGU_PORT=${SHEGU_PORT:-54315}
SHEGU_RUN_DIR=${SHEGU_RUN_DIR:-$top/.run}/citus
[ ${#SHEGU_RUN_DIR} -le 80 ] || SHEGU_RUN_DIR=/tmp/shegu-citus-$(printf '%s' "$SHEGU_RUN_DIR" | cksum | cut -d' ' -f1)
source "$top/test/citus/cluster.sh"

passed=0
failed=0
check() {
	if [ "$1" = 0 ]; then echo "ok - $2"; passed=$((passed + 1)); else echo "not ok - $2"; failed=$((failed + 1)); fi
}
# check_eq GOT WANT NAME
check_eq() {
	[ "$1" = "$2" ]; local s=$?
	check $s "$3"
	[ $s = 0 ] || printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
}
finish() { [ -n "${SHEGU_CITUS_KEEP:-}" ] || citus_stop; echo "citus: $passed passed, $failed failed"; }
trap finish EXIT

db=shegu_citus
node() { local i=$1; shift; "$citus_bindir/psql" -X -q -At -h "$SHEGU_RUN_DIR" -p "${citus_ports[$i]}" -U postgres "$@"; }
# coordinator sessions act at a fixed time (the shard triggers get it through the request)
coord() { PGOPTIONS="-c shegu.incident_clock=2026-03-03T10:00+08" node 0 -d "$db" "$@"; }
# coord_sqlstate SQL: the SQLSTATE the statement fails with (VERBOSITY verbose prints it).
coord_sqlstate() {
	coord -v VERBOSITY=verbose -c "$1" 2>&1 | sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p' | head -1
}

citus_start
check $? "a coordinator and two workers start with citus preloaded (and shegu unless SHEGU_PRELOAD=0)"
for i in 0 1 2; do
	node "$i" -d postgres -c "CREATE DATABASE $db" && node "$i" -d "$db" -c "CREATE EXTENSION citus"
done
coord -c "SELECT citus_set_coordinator_host('$SHEGU_RUN_DIR', ${citus_ports[0]})" \
	-c "SELECT citus_add_node('$SHEGU_RUN_DIR', ${citus_ports[1]})" \
	-c "SELECT citus_add_node('$SHEGU_RUN_DIR', ${citus_ports[2]})" >/dev/null
check $? "the workers join the coordinator"
coord -c "SET client_min_messages = warning" -c "CREATE EXTENSION shegu CASCADE"
check $? "CREATE EXTENSION shegu on the coordinator (Citus creates it on the workers; the backends survive)"
n=$(node 1 -d "$db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'shegu'")
check_eq "$n" 1 "the extension is on the workers too"

# The layout: the psql block of docs/citus.md under "Distributing the tables", run as written.
layout=$(awk '/<!-- citus-layout -->/ {want=1; next} want && /^```psql/ {on=1; next} on && /^```/ {exit} on' "$top/docs/citus.md")
[ -n "$layout" ]
check $? "docs/citus.md has the layout block"
out=$(printf '%s\n' "$layout" | coord -v ON_ERROR_STOP=1 2>&1); status=$?
check $status "the documented layout runs on the coordinator"
[ $status = 0 ] || echo "$out" | grep -v NOTICE | sed 's/^/#   /' | head -20
got=$(coord -c "SELECT count(*) FILTER (WHERE partmethod = 'h') || ' ' || count(DISTINCT colocationid) FROM pg_dist_partition
                WHERE logicalrelid IN ('shegu.incident'::regclass, 'shegu.incident_event'::regclass)")
check_eq "$got" "2 1" "incident and incident_event are hash-distributed and co-located"
refs=$(coord -c "SELECT string_agg(logicalrelid::text, ' ' ORDER BY logicalrelid::text) FROM pg_dist_partition WHERE partmethod = 'n' AND logicalrelid::text LIKE 'shegu.%'")
check_eq "$refs" "shegu.division shegu.grid shegu.grid_staff shegu.incident_category shegu.work_schedule shegu.workday_override" \
	"the registry and the configuration are reference tables"

# The grids the reports name, registered (a reported grid must be; shegu.grid is a reference table).
coord -c "INSERT INTO shegu.grid (code, name, kind, valid_from)
          SELECT (c || n)::shegu.gridcode, 'test grid ' || c || n, 'basic', '2020-01-01'
          FROM unnest(ARRAY['430528101002', '431102001002', '110105001002', '430528001002']) AS c,
               unnest(ARRAY['003', '004', '005', '006', '007', '009']) AS n"
check $? "grids are registered in the reference table"

# Reports in three counties: each lands on its county's shard with its report event beside it.
a=$(coord -c "SELECT id FROM shegu.report('dispute.neighbour', 'noise', 'patrol', grid => '430528101002003', reported_at => '2026-03-02 09:00+08')")
b=$(coord -c "SELECT id FROM shegu.report('dispute.neighbour', 'fence', 'hotline', grid => '431102001002003', reported_at => '2026-03-02 09:00+08')")
c=$(coord -c "SELECT id FROM shegu.report('environment.garbage', 'rubbish', 'patrol', grid => '110105001002003', reported_at => '2026-03-02 09:00+08')")
check_eq "$(coord -c "SELECT string_agg(county::text, ',' ORDER BY id) FROM shegu.incident")" "430528,431102,110105" \
	"report() fills the county from the grid"
nodes=$(coord -c "SELECT count(DISTINCT groupid) FROM pg_dist_placement WHERE shardid IN
                   (SELECT get_shard_id_for_distribution_column('shegu.incident', c) FROM unnest(ARRAY[430528, 431102, 110105]) AS c)")
check_eq "$nodes" 2 "the three counties' incidents are spread over both workers"
same=$(coord -c "SELECT bool_and(pi.groupid = pe.groupid) FROM shegu.incident_event AS e
                 JOIN pg_dist_placement AS pi ON pi.shardid = get_shard_id_for_distribution_column('shegu.incident', e.county)
                 JOIN pg_dist_placement AS pe ON pe.shardid = get_shard_id_for_distribution_column('shegu.incident_event', e.county)")
check_eq "$same" t "each event lies on the node of its incident"
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident_event WHERE action = 'report'")" 3 "one report event per report() (statement trigger on the shards)"

# A multi-row INSERT across counties: the statement trigger on every shard logs each row.
coord -c "INSERT INTO shegu.incident (category, title, source, grid, county, reported_at) VALUES
          ('other', 'batch 1', 'resident', '430528101002004', 430528, '2026-03-02 10:00+08'),
          ('other', 'batch 2', 'resident', '110105001002004', 110105, '2026-03-02 10:00+08'),
          ('other', 'batch 3', 'resident', '110105001002005', 110105, '2026-03-02 10:00+08')"
check $? "a multi-row INSERT into the distributed table works"
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident_event AS e JOIN shegu.incident AS i ON i.county = e.county AND i.id = e.incident_id WHERE i.title LIKE 'batch%' AND e.action = 'report'")" 3 \
	"each batch row has its report event, in its county"
check_eq "$(coord -v ON_ERROR_STOP=1 -c "INSERT INTO shegu.incident (category, title, source, grid, county) VALUES ('other', 'wrong', 'resident', '430528101002004', 110105)" 2>&1 | grep -c 'does not match its grid')" 1 \
	"a county that disagrees with the grid is refused"

# act() routed to the worker: the step happens there, the event is written beside it.
st=$(coord -c "SELECT status || '/' || level FROM shegu.act($a, 'accept', 'centre')")
# (巡办分离, seed 004: a neighbour dispute is led by the community, docs/incident.md)
check_eq "$st" "accepted/community" "act() accepts an incident on its worker"
check_eq "$(coord -c "SELECT status FROM shegu.incident WHERE id = $a")" accepted "the accepted state is stored"
check_eq "$(coord -c "SELECT string_agg(action || ':' || actor, ',' ORDER BY at, id) FROM shegu.incident_event WHERE incident_id = $a AND county = 430528")" \
	"report:patrol,accept:centre" "act() logs its event with the incident's county"
coord -c "SELECT shegu.act($a, 'dispatch', 'centre', NULL, '{\"department\": \"water\", \"request_id\": \"r-1\"}')" >/dev/null
coord -c "SELECT shegu.act($a, 'dispatch', 'centre', NULL, '{\"department\": \"water\", \"request_id\": \"r-1\"}')" >/dev/null
check $? "a retried act() with the same request_id answers without an error"
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident_event WHERE incident_id = $a AND action = 'dispatch'")" 1 \
	"the retried request is applied once"
check_eq "$(coord_sqlstate "SELECT shegu.act($a, 'close', 'centre')")" SGI01 "an illegal step fails with SGI01 from the worker"
check_eq "$(coord_sqlstate "SELECT shegu.act(999999, 'accept', 'centre')")" SGI02 "an unknown incident fails with SGI02"
check_eq "$(coord_sqlstate "UPDATE shegu.incident SET status = 'closed' WHERE id = $b")" SGI03 "a direct change of the state is refused on the shard"
check_eq "$(coord_sqlstate "UPDATE shegu.incident SET status = 'closed' WHERE id = $b AND county = 431102")" SGI03 \
	"a direct change of the state routed to its shard by the county is refused there too"
coord -c "CREATE ROLE citus_step_forger LOGIN" -c "GRANT shegu_centre TO citus_step_forger" >/dev/null
check_eq "$(coord_sqlstate "SET ROLE citus_step_forger; SELECT * FROM shegu.incident_step_on_shard(431102, $b, 'close', 'x', NULL, NULL, NULL, 'x', false, now(), true)")" 42501 \
	"only the owner may send a step to a shard (shegu.incident_step_on_shard)"
check_eq "$(coord_sqlstate "DELETE FROM shegu.incident WHERE id = $b")" SGI04 "incidents are not deleted"
check_eq "$(coord_sqlstate "UPDATE shegu.incident_event SET note = 'x'")" SGI04 "the event log stays append-only on the shards"
coord -c "UPDATE shegu.incident SET title = 'fence (east)' WHERE id = $b"
check $? "free columns are still edited directly"
check_eq "$(coord -c "BEGIN" -c "SELECT shegu.act($b, 'accept', 'centre')" -c "ROLLBACK" -c "SELECT status FROM shegu.incident WHERE id = $b" | tail -1)" reported \
	"a rolled-back act() leaves the incident as it was"

# A dispatch-centre role (docs/security.md), created on the coordinator (Citus creates it on the
# workers): report() and act() as that role; the events record it.
coord -c "CREATE ROLE citus_centre_staff LOGIN" -c "GRANT shegu_centre TO citus_centre_staff" >/dev/null
r=$(coord -c "SET ROLE citus_centre_staff" -c "SELECT id FROM shegu.report('other', 'centre report', 'hotline', grid => '431102001002007', reported_at => '2026-03-03 09:00+08')" 2>&1)
check_eq "$(coord -c "SELECT db_role FROM shegu.incident_event WHERE incident_id = ${r:-0} AND action = 'report'" 2>&1)" citus_centre_staff \
	"a shegu_centre role reports through report(); the event records the role ($r)"
got=$(coord -c "SET ROLE citus_centre_staff" -c "SELECT status FROM shegu.act(${r:-0}, 'accept', '调度员 dispatcher')" 2>&1)
check_eq "$got" accepted "the role accepts it with act() on the worker"
check_eq "$(coord -c "SELECT db_role || ' ' || actor FROM shegu.incident_event WHERE incident_id = ${r:-0} AND action = 'accept'")" \
	"citus_centre_staff 调度员 dispatcher" "the worker's event records the calling role and the actor"

# A grid worker (网格员) acts on an incident of its grid; act() checks it on the coordinator.
coord -c "CREATE ROLE citus_grid_li LOGIN" -c "GRANT shegu_grid_worker TO citus_grid_li" \
	-c "INSERT INTO shegu.grid (code, name, kind, boundary, valid_from) VALUES
	    ('431102001002', '东区社区', 'community', 'SRID=4326;MULTIPOLYGON(((112 26,113 26,113 27,112 27,112 26)))', '2020-01-01')" \
	-c "INSERT INTO shegu.grid_staff (code, person_name, role, db_role, valid_from) VALUES ('431102001002', '李网格员', 'grid_worker', 'citus_grid_li', '2026-01-01')" >/dev/null
got=$(coord -c "SET ROLE citus_grid_li" -c "SELECT status FROM shegu.act($r, 'dispatch', '李网格员', NULL, '{\"department\": \"water\"}')" 2>&1)
check_eq "$got" dispatched "grid staff act on an incident of their grid (the step runs on the worker)"
check_eq "$(coord_sqlstate "SET ROLE citus_grid_li; SELECT shegu.act($a, 'supervise', '李网格员')")" 42501 \
	"grid staff are refused an incident outside their grid"

# act() over a set of incidents: the ids are read first, then each step is routed (docs/citus.md).
n=$(coord -c "SELECT count(*) FROM (SELECT shegu.act(id, 'supervise', 'centre') FROM
              (SELECT id FROM shegu.incident WHERE status = 'reported' OFFSET 0) AS s) AS t")
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident WHERE status = 'reported' AND supervisions > 0") $((${n:-0} > 0))" "$n 1" \
	"act() over the ids read by a subquery supervises each of the $n reported incidents"

# Idempotent reports: a retry with the same key and grid returns the stored incident.
k1=$(coord -c "SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => '430528101002003', idempotency_key => 'app-1', reported_at => '2026-03-03 09:00+08')")
k2=$(coord -c "SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => '430528101002003', idempotency_key => 'app-1', reported_at => '2026-03-03 09:00+08')")
check_eq "$k2" "$k1" "report() with the same idempotency key returns the stored incident"
# Keys are unique per county (the layout's UNIQUE (county, idempotency_key)): the same key in another
# county is another incident, and a retry finds only its own county's row.
k3=$(coord -c "SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => '110105001002003', idempotency_key => 'app-1', reported_at => '2026-03-03 09:00+08')")
[ -n "$k3" ] && [ "$k3" != "$k1" ]
check $? "the same key in another county reports another incident ($k1, $k3)"
k4=$(coord -c "SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => '110105001002003', idempotency_key => 'app-1', reported_at => '2026-03-03 09:00+08')")
k5=$(coord -c "SELECT id FROM shegu.report('other', 'retry', 'wechat', grid => '430528101002003', idempotency_key => 'app-1', reported_at => '2026-03-03 09:00+08')")
check_eq "$k4 $k5" "$k3 $k1" "each county's retry returns its own county's incident"
check_eq "$(coord_sqlstate "SELECT shegu.report('other', 'another title', 'wechat', grid => '110105001002003', idempotency_key => 'app-1')")" SGI05 \
	"a retry that differs from its own county's stored report is refused (SGI05)"

# Notifications: sent in the coordinator session, at commit, whatever node the row is on.
out=$(coord -c "LISTEN shegu_escalation" -c "SELECT shegu.act($c, 'escalate', 'centre')" 2>&1)
check_eq "$(echo "$out" | grep -c 'notification "shegu_escalation".*"incident": '"$c"',')" 1 \
	"LISTEN on the coordinator hears act()'s escalation"
out=$(coord -c "LISTEN shegu_escalation" -c "BEGIN" -c "SELECT shegu.act($b, 'escalate', 'centre')" -c "ROLLBACK" -c "SELECT 1" 2>&1)
check_eq "$(echo "$out" | grep -c 'notification')" 0 "a rolled-back step sends nothing"

# The test clock reaches the shard triggers with SET LOCAL and citus.propagate_set_commands.
l=$(coord -c "SET citus.propagate_set_commands = 'local'" -c "BEGIN" -c "SET LOCAL shegu.incident_clock = '2026-03-16 09:00+08'" \
	-c "SELECT id || ' ' || light FROM shegu.report('hazard.fire', 'smoke', 'video', grid => '431102001002009')" -c "COMMIT")
check_eq "${l#* }" green "a report under a propagated test clock gets its light at that clock"
l=${l%% *}

# sweep(): the multi-shard candidates, each step routed to its shard.
out=$(coord -c "LISTEN shegu_escalation" -c "LISTEN shegu_light" -c "SELECT shegu.sweep('2026-03-20 09:00+08')" 2>&1)
swept=$(echo "$out" | grep -E '^[0-9]+$' | head -1)
open=$(coord -c "SELECT count(*) FROM shegu.incident WHERE status IN ('reported', 'accepted', 'dispatched') AND level <> 'county' AND level_due_at < '2026-03-20 09:00+08'")
check_eq "$open" 0 "sweep() escalates every overdue incident on both workers (returned ${swept:-nothing})"
[ "${swept:-0}" -ge 4 ]
check $? "sweep() counts its escalations"
check_eq "$(echo "$out" | grep -c 'notification "shegu_escalation".*"by": "shegu.sweep"')" "$swept" \
	"each sweep escalation is heard on the coordinator"
check_eq "$(echo "$out" | grep -c 'notification "shegu_light".*"incident": '"$l"',.*"light": "red"')" 1 \
	"the light the sweep turns red is heard on the coordinator"
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident_event WHERE actor = 'shegu.sweep'")" "$swept" "the sweep's escalations are logged"
check_eq "$(coord -c "SELECT shegu.sweep('2026-03-20 09:00+08')")" 0 "a second sweep at the same time does nothing"

# Two sweeps at once over both workers: every overdue incident goes up exactly one level.
coord -c "SET shegu.incident_clock = '2026-04-03 10:00+08'" -c "INSERT INTO shegu.incident (category, title, source, grid, county, reported_at)
          SELECT 'dispute.neighbour', 'race ' || g, 'patrol', (c || '001002003')::shegu.gridcode, c::bigint, '2026-04-02 09:00+08'
          FROM generate_series(1, 10) AS g, unnest(ARRAY['430528', '431102', '110105']) AS c"
coord -c "SELECT shegu.sweep('2026-05-20 09:00+08')" >/tmp/shegu-citus-sweep1.$$ 2>&1 &
coord -c "SELECT shegu.sweep('2026-05-20 09:00+08')" >/tmp/shegu-citus-sweep2.$$ 2>&1
wait
s1=$(cat /tmp/shegu-citus-sweep1.$$); s2=$(cat /tmp/shegu-citus-sweep2.$$); rm -f /tmp/shegu-citus-sweep[12].$$
check_eq "$(coord -c "SELECT count(*) FILTER (WHERE n = 1) || '/' || count(*) FROM (SELECT count(e.id) AS n FROM shegu.incident AS i
          LEFT JOIN shegu.incident_event AS e ON e.county = i.county AND e.incident_id = i.id AND e.actor = 'shegu.sweep' AND e.at = '2026-05-20 09:00+08'
          WHERE i.title LIKE 'race %' GROUP BY i.county, i.id) AS x")" "30/30" \
	"two concurrent sweeps escalate each of 30 overdue incidents once (the sweeps returned $s1 and $s2)"

# One transaction acting on two workers commits on both (two-phase commit) or on neither.
x=$(coord -c "SELECT id FROM shegu.incident WHERE title = 'race 1' AND county = 430528"); y=$(coord -c "SELECT id FROM shegu.incident WHERE title = 'race 1' AND county = 110105")
coord -c "SET shegu.incident_clock = '2026-05-21 10:00+08'" -c "BEGIN" -c "SELECT shegu.act($x, 'accept', 'centre')" -c "SELECT shegu.act($y, 'accept', 'centre')" -c "COMMIT" >/dev/null
check_eq "$(coord -c "SELECT string_agg(status, ',') FROM shegu.incident WHERE id IN ($x, $y)")" "accepted,accepted" "a transaction over two workers commits both steps"
coord -c "SET shegu.incident_clock = '2026-05-21 10:00+08'" -c "BEGIN" -c "SELECT shegu.act($x, 'dispatch', 'centre')" -c "SELECT shegu.act($y, 'close', 'centre')" -c "COMMIT" >/dev/null 2>&1
check_eq "$(coord -c "SELECT string_agg(status, ',') FROM shegu.incident WHERE id IN ($x, $y)")" "accepted,accepted" "when its second step fails on the other worker, the first is undone"

# Event numbers: each node numbers from its own range, so ids never collide.
check_eq "$(coord -c "SELECT count(*) = count(DISTINCT id) AND count(DISTINCT id >> 48) = 2 FROM shegu.incident_event")" t \
	"event ids are unique across the workers (two id ranges in use)"
w=$(node 1 -d "$db" -c "SELECT id FROM shegu.report('other', 'from a worker', 'resident', grid => '430528101002006', reported_at => '2026-03-02 11:00+08')")
check_eq "$(coord -c "SELECT count(*) FROM shegu.incident WHERE id = $w")" 1 "report() works from a worker session too, with an id of the worker's range"

# Configuration changes reach the workers' caches.
before=$(coord -c "SELECT accept_due_at FROM shegu.report('hazard.gas', 'gas 1', 'patrol', grid => '430528101002003', reported_at => '2026-03-02 09:00+08')")
coord -c "UPDATE shegu.incident_category SET accept_limit = '2 hours' WHERE code = 'hazard.gas'"
after=$(coord -c "SELECT accept_due_at - reported_at FROM shegu.report('hazard.gas', 'gas 2', 'patrol', grid => '430528101002003', reported_at => '2026-03-02 09:00+08')")
check_eq "$after" "02:00:00" "a changed category limit is used by the worker's trigger at once"

# The calendar is a reference table too: a day made a holiday counts as one everywhere.
coord -c "INSERT INTO shegu.workday_override (day, is_workday, name) VALUES ('2026-06-03', false, 'test holiday')"
check_eq "$(coord -c "SELECT shegu.is_workday('2026-06-03')")" f "a new holiday is seen on the coordinator"
check_eq "$(coord -c "SELECT accept_due_at FROM shegu.report('dispute.family', 'calendar', 'patrol', grid => '430528101002003', reported_at => '2026-06-02 16:30+08')")" \
	"2026-06-04 11:30:00+08" "the worker's trigger counts working time around the new holiday"

# Division names (a reference table read by a C cache): loaded, renamed, seen at once, on every node.
coord -c "INSERT INTO shegu.division (code, name) VALUES ('43', '湖南省'), ('4305', '邵阳市'), ('430528', '新宁县')"
check_eq "$(coord -c "SELECT shegu.division_path('430528')")" "湖南省/邵阳市/新宁县" "division names answer on the coordinator"
check_eq "$(node 2 -d "$db" -c "SELECT shegu.division_name('430528')")" "新宁县" "and on a worker"
check_eq "$(coord -c "SELECT shegu.division_name('430528')" -c "UPDATE shegu.division SET name = '新宁' WHERE code OPERATOR(shegu.=) '430528'" -c "SELECT shegu.division_name('430528')" | tail -1)" "新宁" \
	"a renamed division is seen at once (the shard trigger invalidates the table's cache)"

# Reports located on the coordinator from a point.
coord -c "INSERT INTO shegu.grid (code, name, kind, boundary, valid_from) VALUES
          ('430528101', '金石镇', 'township', 'SRID=4326;MULTIPOLYGON(((110 26,111 26,111 27,110 27,110 26)))', '2020-01-01')"
got=$(coord -c "SELECT grid || ' ' || county FROM shegu.report('other', 'located', 'patrol', location => 'SRID=4326;POINT(110.5 26.5)'::geometry, reported_at => '2026-03-02 09:00+08')")
check_eq "$got" "430528101 430528" "report() with only a location finds the grid and the county"

# Reading across the shards from the coordinator.
n=$(coord -c "SELECT count(*) FROM shegu.incident_supervision")
[ "${n:-0}" -ge 1 ]
check $? "shegu.incident_supervision reads all shards ($n open)"
n=$(coord -c "SELECT received FROM shegu.incident_measures_at('2026-03-20') WHERE unit::text = '110105' AND month = '2026-03-01'")
# county 110105 in March: "rubbish", "batch 2", "batch 3" and the idempotent "retry"
check_eq "$n" 4 "shegu.incident_measures_at counts a county's incidents across shards"
n=$(coord -c "SELECT count(*) FROM shegu.incident_accountability_at('2026-03-21') WHERE kind = 'not_reported' AND reason LIKE '%escalated by the sweep'")
check_eq "$n" "$swept" "shegu.incident_accountability_at joins the sweep's events to their incidents across shards"
n=$(coord -c "SELECT shegu.feed_index('社会治理指数', '2026-03-01')")
[ "${n:-0}" -ge 1 ]
check $? "shegu.feed_index loads the default model's month from the distributed incidents into the coordinator's tables ($n values)"

# The demo's synthetic county (demo/county.sql) draws its grids into the reference table on Citus,
# and a report located in it lands in that county's shard.
out=$(coord -v ON_ERROR_STOP=1 -v grids=60 -v code=430529 -f "$top/demo/county.sql" 2>&1); status=$?
check $status "demo/county.sql runs on the coordinator"
[ $status = 0 ] || echo "$out" | tail -5 | sed 's/^/#   /'
check_eq "$(node 2 -d "$db" -c "SELECT count(*) > 60 FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430529'")" t \
	"its grids are on a worker too (reference table)"
got=$(coord -c "SELECT county FROM shegu.report('other', 'demo county', 'patrol',
                  location => (SELECT ST_PointOnSurface(boundary) FROM shegu.grid WHERE kind = 'basic' AND code OPERATOR(shegu.<@) '430529' ORDER BY code LIMIT 1),
                  reported_at => '2026-03-02 09:00+08')")
check_eq "$got" 430529 "a report located in the demo county is stored in its county"
