-- Demo: importing boundaries (导入边界).  The county's basic grids come back as a web map ships
-- them — GCJ-02, coordinates rounded to three decimals (~100 m) — and are loaded as the grids'
-- version from 2026: the dry run names the ring the rounding broke, make_valid repairs it,
-- and a township and its communities are drawn again from the new grids.  Everything is rolled
-- back at the end: the rooms that follow see the county as it was.
SET search_path = shegu, public;
BEGIN;

-- The download: one GeoJSON FeatureCollection of the current basic grids.
CREATE TEMP TABLE download AS
SELECT jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(jsonb_build_object(
           'type', 'Feature',
           'properties', jsonb_build_object('code', to_bigint(code), 'name', name, 'population', population),
           'geometry', ST_AsGeoJSON(ST_SnapToGrid(wgs84_to_gcj02(boundary), 1e-3))::jsonb) ORDER BY code)) AS g
FROM grid WHERE level(code) = 6 AND valid_to IS NULL AND code <@ '430528';
SELECT count(*) AS features,
       count(*) FILTER (WHERE NOT (ST_IsValidDetail(ST_GeomFromGeoJSON(f->'geometry'))).valid) AS invalid_as_shipped,
       pg_size_pretty(sum(pg_column_size(f))::bigint) AS size
FROM download, jsonb_array_elements(g->'features') AS f;

-- Dry run, refusing invalid rings (the default): what would be refused, and why.
SELECT status, count(*) AS features, min(reason) AS for_example
FROM download, import_grids(g, 'code', '2026-01-01', datum => 'gcj02', dry_run => true)
GROUP BY status ORDER BY status;

-- The import itself, repairing what the rounding broke (one statement; all or nothing).
\timing on
CREATE TEMP TABLE report AS
SELECT r.* FROM download, import_grids(g, 'code', '2026-01-01', datum => 'gcj02', repair => 'make_valid') AS r;
\timing off
SELECT status, count(*) AS features, round(sum(area_change_m2)) AS area_change_m2,
       round(max(abs(area_change_m2))) AS largest_change_m2
FROM report GROUP BY status ORDER BY status;
SELECT ordinal, code, reason, round(area_change_m2) AS m2 FROM report WHERE status = 'repaired' ORDER BY ordinal LIMIT 5;

-- History: each grid's surveyed version now ends on 2026-01-01; the web map's starts there.
SELECT valid_from, valid_to, count(*) AS basic_grids FROM grid WHERE level(code) = 6 AND code <@ '430528'
GROUP BY 1, 2 ORDER BY 1;
SELECT round(avg(ST_HausdorffDistance(o.boundary, n.boundary)) * 111000) AS avg_metres_off,
       round(max(ST_HausdorffDistance(o.boundary, n.boundary)) * 111000) AS max_metres_off
FROM grid o JOIN grid n ON n.code = o.code AND n.valid_from = '2026-01-01'
WHERE level(o.code) = 6 AND o.valid_to = '2026-01-01';

-- The township with the most communities, and its communities, get 2026 versions without
-- boundaries (say, renamed), drawn again from the imported grids: communities first, then the
-- township.
\set ECHO none
SELECT ancestor(code, 4) AS township FROM grid WHERE level(code) = 5 AND code <@ '430528'
GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 \gset
\set ECHO queries
\echo the township with the most communities: :township
UPDATE grid SET valid_to = '2026-01-01'
WHERE code <@ :'township' AND level(code) IN (4, 5) AND valid_to IS NULL;
INSERT INTO grid (code, name, kind, valid_from)
SELECT code, name || '(2026)', kind, '2026-01-01' FROM grid
WHERE code <@ :'township' AND level(code) IN (4, 5) AND valid_to = '2026-01-01';
SELECT code, name, children, round((area_m2 / 1e6)::numeric, 2) AS km2, status
FROM derive_boundaries(:'township', '2026-06-01', max_hole_m2 => 1e4)
ORDER BY level(code), code;
SELECT v.valid_from, round((ST_Area(v.boundary::geography) / 1e6)::numeric, 2) AS township_km2
FROM grid v WHERE v.code = :'township' ORDER BY v.valid_from;
SELECT problem, count(*), round(sum(area_m2)) AS m2 FROM coverage_problems(:'township', '2026-06-01') GROUP BY problem;

ROLLBACK;
