#!/usr/bin/env bash
# Benchmark of boundary import: shegu.import_grids against the plain load it replaces — an
# INSERT ... SELECT of the same features through ST_GeomFromGeoJSON (shegu.grid's trigger still
# checks every boundary) — on the basic grids of the synthetic county, in the same run, with a
# check that both store the same boundaries.  Also the GCJ-02 case (datum conversion and
# make_valid) against the plain load with gcj02_to_wgs84, and a dry run.
# bench/import.sh — settings (environment):
#   GRIDS=5000   basic grids of the county (each ~46 vertices), all imported as one file
#   RUNS=3       timed runs of each statement (the best is kept)
source "$(dirname "$0")/../tools/lib.sh"

GRIDS=${GRIDS:-5000}
RUNS=${RUNS:-3}

install_packages
build_install
start_server

db=shegu_bench
run_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
run_psql -d $db -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
q() { run_psql -d $db -At "$@"; }

# Best of RUNS: milliseconds of one statement, each run in its own transaction, rolled back.
time_ms() {
	local stmt=$1 best='' t i
	for i in $(seq 1 "$RUNS"); do
		t=$(printf '%s\n' "SET max_parallel_workers_per_gather = 0;" "BEGIN;" '\timing on' "$stmt" '\timing off' "ROLLBACK;" \
			| run_psql -d $db -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
		[ -n "$t" ] || die "statement failed: $stmt"
		best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
	done
	echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

say "county of $GRIDS basic grids (demo/county.sql), exported as GeoJSON"
run_psql -d $db -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
q <<-'SQL'
	CREATE TABLE fc AS
	SELECT d AS datum, jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(jsonb_build_object(
	           'type', 'Feature', 'properties', jsonb_build_object('code', code::text, 'name', name),
	           'geometry', ST_AsGeoJSON(CASE d WHEN 'gcj02' THEN ST_SnapToGrid(shegu.wgs84_to_gcj02(boundary), 1e-6) ELSE boundary END, 15)::jsonb)
	           ORDER BY code)) AS g
	FROM shegu.grid, unnest('{wgs84,gcj02}'::text[]) AS d
	WHERE shegu.level(code) = 6 GROUP BY d;
	CREATE TABLE truth AS SELECT code, boundary FROM shegu.grid WHERE shegu.level(code) = 6;
	DELETE FROM shegu.grid WHERE shegu.level(code) = 6;
	VACUUM ANALYZE shegu.grid;
SQL
q -c "SELECT datum, jsonb_array_length(g->'features') AS features, pg_size_pretty(pg_column_size(g)::bigint) AS jsonb_size FROM fc ORDER BY datum"

plain="INSERT INTO shegu.grid (code, name, kind, boundary, valid_from)
SELECT (f->'properties'->>'code')::shegu.gridcode, f->'properties'->>'name', 'basic',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)), '2025-01-01'
FROM fc, jsonb_array_elements(fc.g->'features') AS f WHERE fc.datum = 'wgs84';"
plain_gcj="INSERT INTO shegu.grid (code, name, kind, boundary, valid_from)
SELECT (f->'properties'->>'code')::shegu.gridcode, f->'properties'->>'name', 'basic',
       ST_Multi(shegu.gcj02_to_wgs84(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326))), '2025-01-01'
FROM fc, jsonb_array_elements(fc.g->'features') AS f WHERE fc.datum = 'gcj02';"
imp="SELECT count(*) FROM fc, shegu.import_grids(fc.g, 'code', '2025-01-01') WHERE fc.datum = 'wgs84';"
imp_gcj="SELECT count(*) FROM fc, shegu.import_grids(fc.g, 'code', '2025-01-01', 'gcj02', 'make_valid') WHERE fc.datum = 'gcj02';"
imp_dry="SELECT count(*) FROM fc, shegu.import_grids(fc.g, 'code', '2025-01-01', dry_run => true) WHERE fc.datum = 'wgs84';"

say "agreement"
q <<-SQL || die "agreement check failed"
	SET search_path = shegu, public;
	BEGIN;
	$plain
	CREATE TEMP TABLE a AS SELECT code, boundary FROM shegu.grid WHERE shegu.level(code) = 6;
	DELETE FROM shegu.grid WHERE shegu.level(code) = 6;
	CREATE TEMP TABLE r AS SELECT r.* FROM fc, shegu.import_grids(fc.g, 'code', '2025-01-01') AS r WHERE fc.datum = 'wgs84';
	SELECT 'wgs84: features', count(*), 'loaded', count(*) FILTER (WHERE status = 'loaded'),
	       'boundaries identical to the plain load', (SELECT count(*) FROM a JOIN shegu.grid g USING (code) WHERE ST_AsBinary(a.boundary) = ST_AsBinary(g.boundary)),
	       'identical to the county', (SELECT count(*) FROM truth t JOIN shegu.grid g USING (code) WHERE ST_AsBinary(t.boundary) = ST_AsBinary(g.boundary))
	FROM r;
	DELETE FROM shegu.grid WHERE shegu.level(code) = 6;
	CREATE TEMP TABLE r2 AS SELECT r.* FROM fc, shegu.import_grids(fc.g, 'code', '2025-01-01', 'gcj02', 'make_valid') AS r WHERE fc.datum = 'gcj02';
	SELECT 'gcj02: features', count(*), 'loaded', count(*) FILTER (WHERE status = 'loaded'), 'repaired', count(*) FILTER (WHERE status = 'repaired'),
	       'max metres from the county', (SELECT round((max(ST_HausdorffDistance(t.boundary, g.boundary)) * 111000)::numeric, 2) FROM truth t JOIN shegu.grid g USING (code))
	FROM r2;
	ROLLBACK;
SQL

say "timings (single core, best of $RUNS, each in a transaction rolled back)"
t_plain=$(time_ms "$plain");         echo "plain INSERT ... ST_GeomFromGeoJSON             : $t_plain ms"
t_imp=$(time_ms "$imp");             echo "shegu.import_grids                              : $t_imp ms"
t_dry=$(time_ms "$imp_dry");         echo "shegu.import_grids, dry run                     : $t_dry ms"
t_plain_gcj=$(time_ms "$plain_gcj"); echo "plain INSERT ... gcj02_to_wgs84(ST_GeomFromGeoJSON) : $t_plain_gcj ms"
t_imp_gcj=$(time_ms "$imp_gcj");     echo "shegu.import_grids, gcj02, make_valid           : $t_imp_gcj ms"

say "summary"
echo "features: $(q -c "SELECT jsonb_array_length(g->'features') FROM fc WHERE datum = 'wgs84'") basic grids"
echo "ratio import/plain (wgs84): $(ratio "$t_imp" "$t_plain")   ($t_imp ms against $t_plain ms)"
echo "ratio import/plain (gcj02): $(ratio "$t_imp_gcj" "$t_plain_gcj")   ($t_imp_gcj ms against $t_plain_gcj ms)"
echo "ratio dry run/plain:        $(ratio "$t_dry" "$t_plain")"
echo "per feature: import $(awk -v a="$t_imp" -v n="$GRIDS" 'BEGIN { printf "%.0f", a * 1000 / n }') µs, plain $(awk -v a="$t_plain" -v n="$GRIDS" 'BEGIN { printf "%.0f", a * 1000 / n }') µs"
