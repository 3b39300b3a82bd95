#!/usr/bin/env bash
# Benchmark of the duty room: one day of patrol tracks for BENCH_WORKERS workers (default 2,000),
# a fix every BENCH_FIX_S seconds (30) for BENCH_HOURS hours (10), each worker in its own basic
# grid of BENCH_GRID_M metres (600); ingested through shegu.record_fixes and every grid-day scored
# by shegu.score_patrol_day, against the same coverage written with plain PostGIS (ST_Buffer of the
# tracks, ST_Union per grid, ST_Intersection with the grid, ST_Area; in UTM 49N metres) over
# the first BENCH_BASELINE_GRIDS grids (default 200; timed per grid-day) in the same run; checks that the shares agree within
# 1 % and prints the ratio.
# bench/duty.sh — not part of tools/test.sh.  One backend, no parallel workers.
source "$(dirname "$0")/../tools/lib.sh"

WORKERS=${BENCH_WORKERS:-2000}
FIX_S=${BENCH_FIX_S:-30}
HOURS=${BENCH_HOURS:-10}
GRID_M=${BENCH_GRID_M:-600}
BASELINE_GRIDS=${BENCH_BASELINE_GRIDS:-200}
COLS=50

install_packages
build_install
start_server

run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_bench" -c "CREATE DATABASE shegu_bench"
run_psql -d shegu_bench -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"

FIXES=$(( HOURS * 3600 / FIX_S ))
say "data: $WORKERS basic grids of ${GRID_M} m in rows of $COLS, one worker each, $FIXES fixes a worker ($(( WORKERS * FIXES )) fixes)"
run_psql -d shegu_bench <<SQL
SET timezone = 'Asia/Shanghai';
SET max_parallel_workers_per_gather = 0;
-- metres to degrees near (111.80, 26.30)
CREATE TEMP TABLE k AS SELECT 111195.0 * cos(radians(26.3)) AS kx, 111195.0 AS ky;
INSERT INTO shegu.grid (code, name, kind, boundary)
SELECT '431121101' || lpad((1 + (i - 1) / $COLS)::text, 3, '0'), 'bench community ' || (1 + (i - 1) / $COLS), 'community',
       ST_Multi(ST_MakeEnvelope(111.80, 26.30 + ((i - 1) / $COLS) * $GRID_M / k.ky,
                                111.80 + $COLS * $GRID_M / k.kx, 26.30 + ((i - 1) / $COLS + 1) * $GRID_M / k.ky, 4326))
FROM generate_series(1, $WORKERS, $COLS) AS i, k;
INSERT INTO shegu.grid (code, name, kind, boundary)
SELECT '431121101' || lpad((1 + (i - 1) / $COLS)::text, 3, '0') || lpad((1 + (i - 1) % $COLS)::text, 3, '0'),
       'bench grid ' || i, 'basic',
       ST_Multi(ST_MakeEnvelope(111.80 + ((i - 1) % $COLS) * $GRID_M / k.kx, 26.30 + ((i - 1) / $COLS) * $GRID_M / k.ky,
                                111.80 + ((i - 1) % $COLS + 1) * $GRID_M / k.kx, 26.30 + ((i - 1) / $COLS + 1) * $GRID_M / k.ky, 4326))
FROM generate_series(1, $WORKERS) AS i, k;
INSERT INTO shegu.grid_staff (code, person_name, role, valid_from)
SELECT '431121101' || lpad((1 + (i - 1) / $COLS)::text, 3, '0') || lpad((1 + (i - 1) % $COLS)::text, 3, '0'),
       'w' || lpad(i::text, 4, '0'), 'grid_worker', '2026-01-01'
FROM generate_series(1, $WORKERS) AS i;
-- Each worker bounces inside its grid (a triangle wave on each axis, 0.3-1.0 m/s each), sent in
-- GCJ-02 like the apps; kept 5 m inside the edges.
SELECT setseed(0.15);
CREATE TABLE bench_worker AS
SELECT i, 'w' || lpad(i::text, 4, '0') AS worker,
       111.80 + ((i - 1) % $COLS) * $GRID_M / k.kx AS x0, 26.30 + ((i - 1) / $COLS) * $GRID_M / k.ky AS y0,
       0.3 + 0.7 * random() AS vx, 0.3 + 0.7 * random() AS vy, random() * 1000 AS px, random() * 1000 AS py
FROM generate_series(1, $WORKERS) AS i, k;
CREATE TABLE bench_fix AS
SELECT w.worker, timestamptz '2026-03-02 08:00+08' + j * interval '$FIX_S s' AS ts,
       w.x0 + (5 + ($GRID_M - 10) - abs(mod((w.px + w.vx * j * $FIX_S)::numeric, 2 * ($GRID_M - 10)) - ($GRID_M - 10))::float8) / k.kx AS lon,
       w.y0 + (5 + ($GRID_M - 10) - abs(mod((w.py + w.vy * j * $FIX_S)::numeric, 2 * ($GRID_M - 10)) - ($GRID_M - 10))::float8) / k.ky AS lat
FROM bench_worker AS w, generate_series(0, $FIXES - 1) AS j, k;
CREATE TABLE bench_batch AS
SELECT f.worker, array_agg(f.ts ORDER BY f.ts) AS ts, array_agg(ST_X(g) ORDER BY f.ts) AS lon, array_agg(ST_Y(g) ORDER BY f.ts) AS lat
FROM bench_fix AS f, LATERAL shegu.wgs84_to_gcj02(ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)) AS g
GROUP BY f.worker;
VACUUM ANALYZE;
SQL

ms() { date +%s%3N; }

say "shegu: ingest (record_fixes per worker, GCJ-02 converted and located) and score (score_patrol_day)"
t0=$(ms)
run_psql -d shegu_bench -c "SET timezone = 'Asia/Shanghai'" \
	-c "SELECT sum(shegu.record_fixes(b.worker, b.ts, b.lon, b.lat, 'gcj02')) AS fixes FROM bench_batch AS b"
t1=$(ms)
run_psql -d shegu_bench -c "SET timezone = 'Asia/Shanghai'" -c "SET max_parallel_workers_per_gather = 0" \
	-c "SELECT shegu.score_patrol_day('2026-03-02') AS grids_scored"
t2=$(ms)
ingest_ms=$(( t1 - t0 )); score_ms=$(( t2 - t1 ))
echo "shegu ingest: $ingest_ms ms, score: $score_ms ms"

say "PostGIS: ST_Buffer / ST_Union / ST_Intersection / ST_Area per grid-day, $BASELINE_GRIDS grids"
t3=$(ms)
run_psql -d shegu_bench <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TABLE bench_postgis AS
WITH g AS (
    SELECT g.code, ST_Transform(g.boundary, 32649) AS poly
    FROM shegu.grid AS g WHERE g.kind = 'basic' ORDER BY g.code LIMIT $BASELINE_GRIDS
), t AS (
    SELECT f.worker, f.grid, ST_Transform(ST_MakeLine(ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326) ORDER BY f.ts), 32649) AS line
    FROM shegu.patrol_fix AS f GROUP BY f.worker, f.grid
)
SELECT g.code, ST_Area(ST_Intersection(g.poly, u.cover)) / ST_Area(g.poly) AS share
FROM g CROSS JOIN LATERAL (SELECT ST_Union(ST_Buffer(t.line, 50, 'quad_segs=16')) AS cover
                           FROM t WHERE t.grid OPERATOR(shegu.=) g.code) AS u;
SQL
t4=$(ms)
postgis_ms=$(( t4 - t3 ))
echo "PostGIS: $postgis_ms ms"

run_psql -d shegu_bench -At <<SQL
SELECT 'grids compared: ' || count(*) || ', max |difference| of share: ' || round(max(abs(s.share - p.share))::numeric, 5)
       || ', max relative difference: ' || round(max(abs(s.share - p.share) / p.share)::numeric, 5)
       || ', mean share: ' || round(avg(s.share)::numeric, 4)
       || CASE WHEN max(abs(s.share - p.share) / p.share) <= 0.01 THEN ' (agree within 1 %)' ELSE ' (DISAGREE beyond 1 %)' END
FROM bench_postgis AS p JOIN shegu.patrol_score AS s ON s.grid OPERATOR(shegu.=) p.code::shegu.gridcode AND s.worker IS NULL;
SQL

# the same number of grids on both sides: scale shegu's scoring time to the grids compared
per_grid_shegu=$(awk -v s="$score_ms" -v n="$WORKERS" 'BEGIN { printf "%.3f", s / n }')
per_grid_postgis=$(awk -v s="$postgis_ms" -v n="$BASELINE_GRIDS" 'BEGIN { printf "%.3f", s / n }')
echo "per grid-day: shegu $per_grid_shegu ms (score; 2 rows a grid: the worker's and all tracks), PostGIS $per_grid_postgis ms"
awk -v a="$per_grid_postgis" -v b="$per_grid_shegu" 'BEGIN { printf "ratio postgis/shegu (scoring): %.1f\n", a / b }'
awk -v a="$per_grid_postgis" -v b="$per_grid_shegu" -v i="$ingest_ms" -v n="$WORKERS" \
	'BEGIN { printf "ratio postgis/shegu (ingest + scoring): %.1f\n", a / (b + i / n) }'
