#!/usr/bin/env bash
# Benchmark of point-in-grid lookup: shegu.locate against the best plain PostGIS query (ST_Covers
# with a GiST index), single-core, on the same synthetic county and the same points, with an
# agreement check, the ratio to PostgreSQL's own per-row cost (sum(ST_X(pt))), where the time goes,
# the index's build time and memory at two county sizes and on registries with history, and one
# index per server (shegu preloaded) against one per session: the first locate in a new
# connection and the memory of many connections.
# bench/lookup.sh — settings (environment):
#   GRIDS=20000      basic grids of the county the lookups run on
#   POINTS=1000000   random points
#   VERTICES=20000   extra probes placed exactly on grid vertices
#   BIG_GRIDS=50000  a second county, for build time and memory only (0 skips it)
#   HIST_GRIDS=4000  basic grids of the registries with history (bench/history.sql; 0 skips them)
#   CONNS=100        connections for the memory comparison with shegu preloaded (0 skips it)
#   EDITS=1          edits on the BIG_GRIDS city while READERS=4 sessions locate: edit-to-visible and
#                    the readers' longest wait (bench/lookup_edit.sh; 0 skips it)
#   PROVINCE_GRIDS=0 a province of that many basic grids (300000: ~15 M vertices) in its own database:
#                    build time, memory, locate ratio, edit-to-visible (0 skips it; it takes minutes)
#   BE_CONNS=10      connections for the same without the preload (each builds its own index:
#                    100 of them would take 100 times the memory; the ratio is per connection)
source "$(dirname "$0")/../tools/lib.sh"

GRIDS=${GRIDS:-20000}
POINTS=${POINTS:-1000000}
VERTICES=${VERTICES:-20000}
BIG_GRIDS=${BIG_GRIDS:-50000}
HIST_GRIDS=${HIST_GRIDS:-4000}
CONNS=${CONNS:-100}
BE_CONNS=${BE_CONNS:-10}
READERS=${READERS:-4}
PROVINCE_GRIDS=${PROVINCE_GRIDS:-0}

install_packages
build_install
start_server

db=shegu_bench
run_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
run_psql -d $db -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
q() { run_psql -d $db -At "$@"; }

# Milliseconds of one statement, from psql's \timing, run after the given set-up statements.
time_ms() {
	local setup=$1 stmt=$2
	printf '%s\n' "SET max_parallel_workers_per_gather = 0;" "$setup" '\timing on' "$stmt" \
		| run_psql -d $db -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

say "county of $GRIDS basic grids (demo/county.sql)"
t0=$(date +%s)
run_psql -d $db -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
echo "generated in $(( $(date +%s) - t0 )) s"
q -c "SELECT kind, count(*), round(avg(ST_NPoints(boundary))) AS avg_vertices FROM shegu.grid GROUP BY kind ORDER BY min(shegu.level(code))"

say "$POINTS random points and $VERTICES points on grid vertices"
q <<-SQL
	SELECT setseed(0.25);
	CREATE TABLE pts AS
	SELECT i AS id, ST_SetSRID(ST_MakePoint(110.54 + random() * 0.82, 26.24 + random() * 0.72), 4326) AS pt
	FROM generate_series(1, $POINTS) AS i;
	CREATE TABLE vpts AS
	SELECT row_number() OVER () AS id, pt
	FROM (SELECT DISTINCT (ST_DumpPoints(boundary)).geom AS pt FROM shegu.grid) v
	ORDER BY random() LIMIT $VERTICES;
	VACUUM ANALYZE pts;
	VACUUM ANALYZE vpts;
	VACUUM ANALYZE shegu.grid;
SQL

oracle="(SELECT code FROM shegu.grid g WHERE ST_Covers(g.boundary, p.pt) AND g.valid_from <= current_date
          AND (g.valid_to IS NULL OR g.valid_to > current_date) ORDER BY shegu.level(code) DESC, code LIMIT 1)"

say "timings (single core; each query in a fresh session, best of the runs shown)"
# shegu's index is built once per session: warm it in the same session before timing.
warm="SELECT shegu.locate(ST_SetSRID(ST_MakePoint(111, 26.5), 4326));"
stx=$(time_ms "" "SELECT sum(ST_X(pt)) FROM pts;")
stx2=$(time_ms "" "SELECT sum(ST_X(pt)) FROM pts;")
stx=$(awk -v a="$stx" -v b="$stx2" 'BEGIN { print (a < b ? a : b) }')
sg=$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pts;")
sg2=$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pts;")
sg=$(awk -v a="$sg" -v b="$sg2" 'BEGIN { print (a < b ? a : b) }')
echo "sum(ST_X(pt))             : $stx ms"
echo "count(shegu.locate(pt))   : $sg ms"
pg=$(time_ms "" "CREATE TABLE ans_postgis AS SELECT p.id, $oracle AS code FROM pts p;")
echo "PostGIS ST_Covers + GiST  : $pg ms"

say "agreement"
q <<-SQL
	CREATE TABLE ans_shegu AS SELECT id, shegu.locate(pt) AS code FROM pts;
	CREATE TABLE vans AS SELECT p.id, shegu.locate(p.pt) AS got, $oracle AS want FROM vpts p;
SQL
q -F ' ' <<-SQL
	SET search_path = shegu, public;
	SELECT 'random points compared:', count(*),
	       ' located:', count(s.code),
	       ' disagreeing:', count(*) FILTER (WHERE s.code IS DISTINCT FROM g.code),
	       ' of which farther than 1e-9 from every boundary:',
	       count(*) FILTER (WHERE s.code IS DISTINCT FROM g.code AND NOT EXISTS (
	           SELECT 1 FROM shegu.grid b WHERE ST_DWithin(ST_Boundary(b.boundary), p.pt, 1e-9)))
	FROM ans_shegu s JOIN ans_postgis g USING (id) JOIN pts p USING (id);
	SELECT 'vertex points compared:', count(*), ' disagreeing:', count(*) FILTER (WHERE got IS DISTINCT FROM want)
	FROM vans;
SQL

say "where the time goes"
same=$(time_ms "$warm CREATE TEMP TABLE same AS SELECT id, ST_SetSRID(ST_MakePoint(110.9, 26.6), 4326) AS pt FROM pts;" \
	"SELECT count(shegu.locate(pt)) FROM same;")
sorted=$(time_ms "$warm CREATE TEMP TABLE sorted AS SELECT id, pt FROM pts ORDER BY ST_GeoHash(pt, 12);" \
	"SELECT count(shegu.locate(pt)) FROM sorted;")
slow=$(time_ms "$warm SET shegu.lookup_fast_point = off;" "SELECT count(shegu.locate(pt)) FROM pts;")
same_send=$(time_ms "$warm SET shegu.lookup_fast_point = off; CREATE TEMP TABLE same AS SELECT id, ST_SetSRID(ST_MakePoint(110.9, 26.6), 4326) AS pt FROM pts;" \
	"SELECT count(shegu.locate(pt)) FROM same;")
lonlat=$(time_ms "$warm CREATE TEMP TABLE ll AS SELECT id, ST_X(pt) AS x, ST_Y(pt) AS y FROM pts;" \
	"SELECT count(shegu.locate(x, y)) FROM ll;")
gcj=$(time_ms "$warm CREATE TEMP TABLE ll AS SELECT id, ST_X(pt) AS x, ST_Y(pt) AS y FROM pts;" \
	"SELECT count(shegu.locate(x, y, 'gcj02')) FROM ll;")
echo "the same point every row (index in cache)   : $same ms"
echo "points in geohash order (neighbours cached) : $sorted ms"
echo "random points, points through geometry_send : $slow ms"
echo "the same point every row, through geometry_send: $same_send ms (the accessors' saving: $(awk -v a="$same_send" -v b="$same" -v n="$POINTS" 'BEGIN { printf "%.2f", (a - b) * 1000 / n }') us a point)"
echo "random points as lon/lat float8             : $lonlat ms"
echo "random points as GCJ-02 lon/lat             : $gcj ms"

say "index build and memory"
stats() { q -F ' | ' -c "SELECT grids, vertices, cells, leaves, edge_refs, depth, raster_cells, round(100.0 * raster_direct / raster_cells) AS pct_direct, raster_quarters, raster_quarters_direct, round(memory_bytes / 1048576.0, 1) AS mib, round(memory_bytes::numeric / vertices, 1) AS bytes_a_vertex, round(build_ms) AS build_ms FROM shegu.lookup_stats()"; }
echo "grids | vertices | cells | leaves | edge_refs | depth | raster cells | % of them answering at once | quarters (both levels) | of which answering | MiB | bytes a vertex | build ms"
echo "$(stats)   ($GRIDS basic grids + their communities, townships and county)"

# The engine alone, outside the server (bench/geo_engine.c): the same registry, read from a file.
say "the lookup engine alone (bench/geo_engine.c, no server)"
q -c "COPY (SELECT shegu.to_bigint(code), shegu.level(code),
                   CASE WHEN isfinite(valid_from) THEN valid_from - DATE '2000-01-01' ELSE -2147483648 END,
                   CASE WHEN valid_to IS NULL OR NOT isfinite(valid_to) THEN 2147483647 ELSE valid_to - DATE '2000-01-01' END,
                   encode(ST_AsEWKB(boundary), 'hex')
            FROM shegu.grid WHERE boundary IS NOT NULL) TO STDOUT" >"$SHEGU_RUN_DIR/registry.tsv"
cc -O2 -I"$SHEGU_TOP/src/engine" -o "$SHEGU_RUN_DIR/geo_engine" "$SHEGU_TOP/bench/geo_engine.c" \
	"$SHEGU_TOP"/src/engine/geo.c "$SHEGU_TOP"/src/engine/ewkb.c -lm || die "bench/geo_engine.c does not build"
today=$(q -c "SELECT current_date - DATE '2000-01-01'")
"$SHEGU_RUN_DIR/geo_engine" "$SHEGU_RUN_DIR/registry.tsv" "$POINTS" "$today" 0 "$today"
if [ "$BIG_GRIDS" -gt 0 ]; then
	t0=$(date +%s)
	run_psql -d $db -v grids="$BIG_GRIDS" -v code=430529 -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
	q -c "DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430528'::shegu.gridcode" >/dev/null
	echo "$(stats)   ($BIG_GRIDS basic grids + parents; generated in $(( $(date +%s) - t0 )) s)"
	city_bpv=$(q -c "SELECT round(memory_bytes::numeric / vertices, 1) FROM shegu.lookup_stats()")
	if [ "${EDITS:-1}" = 1 ]; then
		say "edits on the $BIG_GRIDS-grid city while $READERS sessions locate (bench/lookup_edit.sh)"
		source "$SHEGU_TOP/bench/lookup_edit.sh"
		edit_db=$db
		edit_bench "city of $BIG_GRIDS"
		city_edit_vis=$edit_vis_max city_edit_town=$edit_town_max city_edit_worst=$edit_worst city_edit_quiet=$edit_quiet
		city_edit_summary=$edit_vis_summary
		q -c "SELECT mode, grids, delta_grids, delta_boxes, round(memory_bytes / 1048576.0, 1) AS mib FROM shegu.lookup_stats()"
	fi
fi

if [ "$HIST_GRIDS" -gt 0 ]; then
	for variant in "2 0.0004" "5 0.00001"; do
		set -- $variant
		db2=shegu_bench_hist
		run_psql -d postgres -c "DROP DATABASE IF EXISTS $db2" -c "CREATE DATABASE $db2" >/dev/null
		run_psql -d $db2 -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
		run_psql -d $db2 -v grids="$HIST_GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
		run_psql -d $db2 -v versions="$1" -v shift="$2" -f "$SHEGU_TOP/bench/history.sql" >/dev/null || die "history generation failed"
		run_psql -d $db2 -At -c "SELECT shegu.locate(ST_SetSRID(ST_MakePoint(111, 26.5), 4326))" >/dev/null
		echo "$(run_psql -d $db2 -At -F ' | ' -c "SELECT grids, vertices, cells, leaves, edge_refs, depth, raster_cells, round(100.0 * raster_direct / raster_cells) AS pct_direct, raster_quarters, raster_quarters_direct, round(memory_bytes / 1048576.0, 1) AS mib, round(build_ms) AS build_ms FROM shegu.lookup_stats()")   ($HIST_GRIDS basic grids, 60 holed with dedicated grids, $1 past versions shifted by $2 degrees)"
		echo "    build per 20,000 grid versions: $(run_psql -d $db2 -At -c "SELECT round((build_ms * 20000 / grids)::numeric) FROM shegu.lookup_stats()") ms"
		# today's lookups and a past day's, 200,000 points of the county's extent
		hq() { printf '%s\n' "SET max_parallel_workers_per_gather = 0;" \
			"CREATE TEMP TABLE hp AS SELECT ST_SetSRID(ST_MakePoint(110.54 + random() * 0.82, 26.24 + random() * 0.72), 4326) AS pt FROM generate_series(1, 200000);" \
			"SELECT shegu.locate(ST_SetSRID(ST_MakePoint(111, 26.5), 4326));" '\timing on' "$@" \
			| run_psql -d $db2 -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tr '\n' ' '; }
		set -- $(hq "SELECT sum(ST_X(pt)) FROM hp;" "SELECT count(shegu.locate(pt)) FROM hp;" \
			"SELECT count(shegu.locate(pt, '2022-06-01')) FROM hp;")
		echo "    200,000 points: sum(ST_X) $1 ms, locate today $2 ms ($(ratio "$2" "$1")x), locate on 2022-06-01 $3 ms ($(ratio "$3" "$1")x)"
		run_psql -d postgres -c "DROP DATABASE $db2" >/dev/null
	done
fi

if [ "$PROVINCE_GRIDS" -gt 0 ]; then
	say "a province of $PROVINCE_GRIDS basic grids (demo/county.sql, in its own database)"
	pdb=shegu_bench_province
	run_psql -d postgres -c "DROP DATABASE IF EXISTS $pdb" -c "CREATE DATABASE $pdb" >/dev/null
	run_psql -d $pdb -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
	t0=$(date +%s)
	run_psql -d $pdb -v grids="$PROVINCE_GRIDS" -v code=430599 -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "province generation failed"
	echo "generated in $(( $(date +%s) - t0 )) s"
	run_psql -d $pdb -At -c "SELECT shegu.locate(ST_SetSRID(ST_MakePoint(111, 26.5), 4326))" >/dev/null
	read -r prov_build prov_mib prov_bpv < <(run_psql -d $pdb -At -F ' ' -c "SELECT round(build_ms), round(memory_bytes / 1048576.0), round(memory_bytes::numeric / vertices, 1) FROM shegu.lookup_stats()")
	run_psql -d $pdb -At -F ' | ' -c "SELECT grids, vertices, cells, leaves, depth, raster_cells, round(memory_bytes / 1048576.0, 1) AS mib, round(build_ms) AS build_ms FROM shegu.lookup_stats()"
	pq() { printf '%s\n' "SET max_parallel_workers_per_gather = 0;" \
		"CREATE TEMP TABLE pp AS SELECT ST_SetSRID(ST_MakePoint(ST_XMin(e) + random() * (ST_XMax(e) - ST_XMin(e)), ST_YMin(e) + random() * (ST_YMax(e) - ST_YMin(e))), 4326) AS pt FROM (SELECT ST_Extent(boundary) AS e FROM shegu.grid) x, generate_series(1, 500000);" \
		'\timing on' "$@" | run_psql -d $pdb -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tr '\n' ' '; }
	# the first pass over a freshly built index also maps its 600 MiB into this backend
	set -- $(pq "SELECT sum(ST_X(pt)) FROM pp;" "SELECT count(shegu.locate(pt)) FROM pp;" \
		"SELECT sum(ST_X(pt)) FROM pp;" "SELECT count(shegu.locate(pt)) FROM pp;")
	prov_stx=$3 prov_loc=$4
	echo "500,000 points: sum(ST_X) $3 ms, locate $4 ms ($(ratio "$4" "$3")x; the first pass $2 ms)"
	source "$SHEGU_TOP/bench/lookup_edit.sh"
	edit_db=$pdb EDIT_SECONDS=${EDIT_SECONDS:-60}
	edit_bench "province of $PROVINCE_GRIDS"
	prov_vis=$edit_vis_max prov_summary=$edit_vis_summary
	run_psql -d postgres -c "DROP DATABASE $pdb" >/dev/null
fi

# One index per server: the first locate of a new connection, and the memory of many sessions
# (the sum of their backends' proportional set sizes, shared pages divided among their users).
first_locate() {
	local i t best=""
	for i in 1 2 3 4 5; do
		t=$(printf '%s\n' '\timing on' "SELECT shegu.locate(ST_SetSRID(ST_MakePoint(110.9 + $i * 0.01, 26.6), 4326));" \
			| run_psql -d $db -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
		best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (b == "" || a < b ? a : b) }')
	done
	echo "$best"
}
# KiB of n sessions (sum of their backends' PSS) that each ran the given statement and wait.
many_sessions_kib() {
	local n=$1 stmt=$2 pids p i total=0 mine="query LIKE '%pg_sleep(61)%' AND pid <> pg_backend_pid()"
	for i in $(seq 1 "$n"); do
		run_psql -d $db -At -c "$stmt" -c "SELECT pg_sleep(61)" >/dev/null 2>&1 &
	done
	for i in $(seq 1 1200); do
		[ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND state = 'active' AND $mine")" -ge "$n" ] && break
		sleep 0.5
	done
	pids=$(q -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND state = 'active' AND $mine")
	for p in $pids; do
		total=$((total + $(awk '/^Pss:/ { print $2 }' /proc/$p/smaps_rollup 2>/dev/null || echo 0)))
	done
	q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND $mine" >/dev/null
	wait 2>/dev/null
	echo "$total"
}
restart_with() {
	run_psql -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = $1" -c "ALTER SYSTEM SET max_connections = $((CONNS + 20))" >/dev/null
	as_server_user "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$SHEGU_RUN_DIR/data" -w restart -l "$SHEGU_RUN_DIR/server.log" >/dev/null \
		|| die "the server did not restart"
}
if [ "$CONNS" -gt 0 ]; then
	run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_bench_hist" >/dev/null
	q -c "DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430529'::shegu.gridcode" >/dev/null
	run_psql -d $db -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null
	say "one index per server ($GRIDS basic grids): shegu preloaded, then not"
	restart_with "pg_cron, shegu"
	q -c "SELECT mode, round(build_ms) AS build_ms, round(memory_bytes / 1048576.0, 1) AS shared_mib FROM shegu.lookup_stats()"
	touch="SELECT count(shegu.locate(pt)) FROM (SELECT pt FROM pts LIMIT 20000) p"
	idle="SELECT 1"
	sh_first=$(first_locate)
	sh_base=$(many_sessions_kib "$CONNS" "$idle")
	sh_one=$(many_sessions_kib 1 "$touch")
	sh_many=$(many_sessions_kib "$CONNS" "$touch")
	restart_with "pg_cron"
	q -c "SELECT mode, round(build_ms) AS build_ms, round(memory_bytes / 1048576.0, 1) AS session_mib FROM shegu.lookup_stats()"
	be_first=$(first_locate)
	be_base=$(many_sessions_kib "$BE_CONNS" "$idle")
	be_one=$(many_sessions_kib 1 "$touch")
	be_many=$(many_sessions_kib "$BE_CONNS" "$touch")
	restart_with "pg_cron, shegu"
	# what the sessions hold beyond idle backends of the same server
	sh_idx_many=$((sh_many - sh_base)); be_idx_many=$((be_many - be_base))
	sh_idx_one=$((sh_one - sh_base / CONNS)); be_idx_one=$((be_one - be_base / BE_CONNS))
	echo "first locate in a new connection: shared $sh_first ms, per session $be_first ms"
	echo "idle backends: $CONNS use $((sh_base / 1024)) MiB (preloaded), $BE_CONNS use $((be_base / 1024)) MiB (not)"
	echo "memory of the sessions beyond idle ones (PSS, each located 20000 points):"
	echo "  shared index:      1 session $((sh_idx_one / 1024)) MiB, $CONNS sessions $((sh_idx_many / 1024)) MiB"
	echo "  per-session index: 1 session $((be_idx_one / 1024)) MiB, $BE_CONNS sessions $((be_idx_many / 1024)) MiB"
fi

say "summary"
echo "points: $POINTS, grids: $GRIDS basic"
echo "ratio postgis/shegu: $(ratio "$pg" "$sg")"
echo "ratio shegu/sum(ST_X): $(ratio "$sg" "$stx")"
if [ "$CONNS" -gt 0 ]; then
	echo "ratio first locate per-session/shared: $(ratio "$be_first" "$sh_first")"
	echo "ratio memory of $CONNS sessions / 1 session, shared index: $(ratio "$sh_idx_many" "$sh_idx_one")"
	echo "ratio memory of $BE_CONNS sessions / 1 session, per-session index: $(ratio "$be_idx_many" "$be_idx_one")"
fi
if [ -n "${city_edit_vis:-}" ]; then
	echo "edit to visible on the $BIG_GRIDS-grid city: one grid $city_edit_summary, a township $city_edit_town ms at most"
	echo "memory on the $BIG_GRIDS-grid city: ${city_bpv:-?} bytes a vertex"
	echo "longest reader wait during the edits: $city_edit_worst ms ($city_edit_quiet ms without edits; main 5e4f36c waited 12,618 ms, docs/benchmarks.md)"
	echo "ratio reader wait during edits / without: $(ratio "$city_edit_worst" "$city_edit_quiet")"
fi
if [ -n "${prov_build:-}" ]; then
	echo "province of $PROVINCE_GRIDS grids: build $prov_build ms, $prov_mib MiB ($prov_bpv bytes a vertex), locate $(ratio "$prov_loc" "$prov_stx")x sum(ST_X), one-grid edit to visible $prov_summary"
fi
echo "per point: shegu $(awk -v a="$sg" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns, PostGIS $(awk -v a="$pg" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns, sum(ST_X) $(awk -v a="$stx" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns"
