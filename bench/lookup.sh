#!/usr/bin/env bash
# Benchmark of point-in-grid lookup: shegu.locate against the best plain PostGIS query (ST_Covers
# with a GiST index), single-core, on the same synthetic county and the same points, with an
# agreement check, the ratio to PostgreSQL's own per-row cost (sum(ST_X(pt))), where the time goes,
# and the index's build time and memory at two county sizes.
# bench/lookup.sh — settings (environment):
#   GRIDS=20000      basic grids of the county the lookups run on
#   POINTS=1000000   random points
#   VERTICES=20000   extra probes placed exactly on grid vertices
#   BIG_GRIDS=50000  a second county, for build time and memory only (0 skips it)
source "$(dirname "$0")/../tools/lib.sh"

GRIDS=${GRIDS:-20000}
POINTS=${POINTS:-1000000}
VERTICES=${VERTICES:-20000}
BIG_GRIDS=${BIG_GRIDS:-50000}

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
lonlat=$(time_ms "$warm CREATE TEMP TABLE ll AS SELECT id, ST_X(pt) AS x, ST_Y(pt) AS y FROM pts;" \
	"SELECT count(shegu.locate(x, y)) FROM ll;")
gcj=$(time_ms "$warm CREATE TEMP TABLE ll AS SELECT id, ST_X(pt) AS x, ST_Y(pt) AS y FROM pts;" \
	"SELECT count(shegu.locate(x, y, 'gcj02')) FROM ll;")
echo "the same point every row (index in cache)   : $same ms"
echo "points in geohash order (neighbours cached) : $sorted ms"
echo "random points, points through geometry_send : $slow ms"
echo "random points as lon/lat float8             : $lonlat ms"
echo "random points as GCJ-02 lon/lat             : $gcj ms"

say "index build and memory"
stats() { q -F ' | ' -c "SELECT grids, vertices, cells, leaves, edge_refs, depth, raster_cells, round(100.0 * raster_direct / raster_cells) AS pct_direct, raster_quarters, raster_quarters_direct, round(memory_bytes / 1048576.0, 1) AS mib, round(build_ms) AS build_ms FROM shegu.lookup_stats()"; }
echo "grids | vertices | cells | leaves | edge_refs | depth | raster cells | % of them answering at once | quarters (both levels) | of which answering | MiB | build ms"
echo "$(stats)   ($GRIDS basic grids + their communities, townships and county)"
if [ "$BIG_GRIDS" -gt 0 ]; then
	t0=$(date +%s)
	run_psql -d $db -v grids="$BIG_GRIDS" -v code=430529 -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
	q -c "DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430528'::shegu.gridcode" >/dev/null
	echo "$(stats)   ($BIG_GRIDS basic grids + parents; generated in $(( $(date +%s) - t0 )) s)"
fi

say "summary"
echo "points: $POINTS, grids: $GRIDS basic"
echo "ratio postgis/shegu: $(ratio "$pg" "$sg")"
echo "ratio shegu/sum(ST_X): $(ratio "$sg" "$stx")"
echo "per point: shegu $(awk -v a="$sg" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns, PostGIS $(awk -v a="$pg" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns, sum(ST_X) $(awk -v a="$stx" -v n="$POINTS" 'BEGIN { printf "%.0f", a * 1e6 / n }') ns"
