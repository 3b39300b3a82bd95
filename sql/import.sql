-- Loading boundaries from GeoJSON (import_grids) and deriving parents (derive_boundaries).
-- Quietly: run alone or after the suites that create the extensions.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu CASCADE;
RESET client_min_messages;
SET search_path = shegu, public;
SET extra_float_digits = 0;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
\pset null '(null)'
\set SHOW_CONTEXT never

-- Test helpers: a Feature from a code (any JSON), a name and a geometry; a FeatureCollection.
CREATE FUNCTION pg_temp.feat(code jsonb, name text, g geometry) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', 'Feature', 'properties', jsonb_build_object('adcode', code, 'name', name),
                              'geometry', ST_AsGeoJSON(g, 9)::jsonb)
$$;
CREATE FUNCTION pg_temp.fc(VARIADIC features jsonb[]) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', 'FeatureCollection', 'features', to_jsonb(features))
$$;

-- ---------------------------------------------------------------------------------------------
-- A county of our own (430524, away from the other suites' grids), removed at the end.
-- 1. A clean file: a county, two townships, three communities (DataV style: numeric "adcode",
--    other properties kept in attrs).  Kinds come from the codes' levels.
SELECT ordinal, code, name, kind, status, reason, area_change_m2, valid_to, closes
FROM import_grids(pg_temp.fc(
    jsonb_set(pg_temp.feat('430524', '隆回县', 'POLYGON((114 24,116 24,116 26,114 26,114 24))'), '{properties,level}', '"district"'),
    pg_temp.feat('430524101', '金石镇', 'POLYGON((114 24,115 24,115 26,114 26,114 24))'),
    pg_temp.feat('"430524102"', '回龙寺镇', 'POLYGON((115 24,116 24,116 26,115 26,115 24))'),
    pg_temp.feat('430524101001', '城东社区', 'POLYGON((114 24,115 24,115 25,114 25,114 24))'),
    pg_temp.feat('"430524-101-002"', '城西社区', 'MULTIPOLYGON(((114 25,115 25,115 26,114 26,114 25)))'),
    pg_temp.feat('430524102001', '白沙村', 'POLYGON((115 24,116 24,116 26,115 26,115 24))')),
  'adcode', '2020-01-01');
SELECT code, name, kind, ST_AsText(boundary) AS boundary, valid_from, valid_to, attrs FROM grid WHERE code <@ '430524' ORDER BY code;
SELECT locate(114.5, 24.5, 'wgs84', '2024-06-01') AS community_101001;

-- ---------------------------------------------------------------------------------------------
-- 2. Errors about the whole call: nothing is read, nothing written.
SELECT * FROM import_grids(NULL::jsonb, 'adcode', '2020-01-01');
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), NULL, '2020-01-01');
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', NULL);
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01', NULL);
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', 'infinity');
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01', 'wgs-84');
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01', 'wgs84', 'fix');
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01', max_area_change => -0.5);
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01', max_area_change => 'NaN');
SELECT * FROM import_grids('[1, 2]'::jsonb, 'adcode', '2020-01-01');
SELECT * FROM import_grids(pg_temp.feat('430524', 'x', 'POLYGON((114 24,116 24,116 26,114 24))'), 'adcode', '2020-01-01');
SELECT * FROM import_grids('{"type": "FeatureCollection"}'::jsonb, 'adcode', '2020-01-01');
SELECT * FROM import_grids('{"type": "FeatureCollection", "features": {}}'::jsonb, 'adcode', '2020-01-01');
SELECT * FROM import_grids('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}, "features": []}'::jsonb, 'adcode', '2020-01-01');
SELECT * FROM import_grids('{"type": "FeatureCollection", "features": [}', 'adcode', '2020-01-01');
-- An empty collection reads nothing and writes nothing; accepted CRS names.
SELECT * FROM import_grids(pg_temp.fc(VARIADIC '{}'), 'adcode', '2020-01-01');
SELECT name, geojson_crs_is_lonlat(name) AS lonlat
FROM unnest('{urn:ogc:def:crs:OGC:1.3:CRS84,EPSG:4326,urn:ogc:def:crs:EPSG::4326,EPSG:4490,urn:ogc:def:crs:EPSG:9.9.1:4490,http://www.opengis.net/def/crs/EPSG/0/4326,EPSG:3857,EPSG:43260,urn:ogc:def:crs:EPSG::4214}'::text[]) AS name;

-- ---------------------------------------------------------------------------------------------
-- 3. Every per-feature refusal, in one dry run (nothing written); the real run raises with the
--    first five and writes nothing either.
CREATE TEMP TABLE bad AS SELECT pg_temp.fc(
    '"not a feature"'::jsonb,                                                                      -- 1
    '{"type": "Point", "coordinates": [114, 24]}'::jsonb,                                          -- 2
    '{"type": "Feature", "properties": null, "geometry": null}'::jsonb,                            -- 3
    pg_temp.feat('null', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),                           -- 4
    pg_temp.feat('true', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),                           -- 5
    pg_temp.feat('"430524000002"', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),                -- 6
    pg_temp.feat('1234567', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),                        -- 7
    pg_temp.feat('430524.5', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),                       -- 8
    pg_temp.feat('430524103', NULL, 'POLYGON((114 24,115 24,115 25,114 24))'),                     -- 9
    pg_temp.feat('430524104', '  ', 'POLYGON((114 24,115 24,115 25,114 24))'),                     -- 10
    pg_temp.feat('430524105', 'x', NULL),                                                           -- 11
    pg_temp.feat('430524106', 'x', 'LINESTRING(114 24,115 24)'),                                   -- 12
    pg_temp.feat('430524107', 'x', 'GEOMETRYCOLLECTION(POLYGON((114 24,115 24,115 25,114 24)))'),  -- 13
    pg_temp.feat('430524108', 'x', 'POLYGON EMPTY'),                                               -- 14
    pg_temp.feat('430524109', 'x', 'POLYGON((12245000 2999000,12246000 2999000,12246000 3000000,12245000 2999000))'), -- 15
    pg_temp.feat('430524110', 'x', 'POLYGON((24 114,25 114,25 115,24 114))'),                      -- 16
    jsonb_set(pg_temp.feat('430524111', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),
              '{geometry,coordinates,0,1,0}', '"115"'),                                            -- 17
    jsonb_set(pg_temp.feat('430524112', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),
              '{geometry,crs}', '{"type": "name", "properties": {"name": "EPSG:3857"}}'),         -- 18
    '{"type": "Feature", "properties": {"adcode": 430524113, "name": "x"},
      "geometry": {"type": "Polygon", "coordinates": [[[114, 24], [115, 24], [115, 25], [114, 25]]]}}'::jsonb, -- 19 (ring not closed)
    '{"type": "Feature", "properties": {"adcode": 430524114, "name": "x"},
      "geometry": {"type": "Polygon"}}'::jsonb,                                                    -- 20
    pg_temp.feat('430524115', 'x', 'POLYGON((114 24,115 25,115 24,114 25,114 24))'),               -- 21 (bow-tie)
    pg_temp.feat('430524116', 'dup', 'POLYGON((114 24,115 24,115 25,114 24))'),                    -- 22
    pg_temp.feat('"430524116"', 'dup', 'POLYGON((114 24,115 24,115 25,114 24))'),                  -- 23
    pg_temp.feat('430524101', 'existing', 'POLYGON((114 24,115 24,115 25,114 24))'),               -- 24 (version from 2020-01-01)
    pg_temp.feat('430524117', 'fine', 'POLYGON((114 24,115 24,115 25,114 24))'),                   -- 25
    '{"type": "Feature", "properties": {"adcode": 430524118, "name": "x"},
      "geometry": {"type": "Polygon", "coordinates": [[[114]]]}}'::jsonb,                           -- 26
    '{"type": "Feature", "properties": {"adcode": 430524119, "name": "x"},
      "geometry": {"type": "MultiPolygon", "coordinates": [[[[114, 24], [115, 24], [115, 25], [114, 24]]],
                                                           [[[115, 24], [116, 24], [116, 25]]]]}}'::jsonb -- 27 (second part open)
) AS g;
SELECT ordinal, code, name, kind, status, reason, area_change_m2 FROM bad, import_grids(g, 'adcode', '2020-01-01', dry_run => true);
SELECT * FROM bad, import_grids(g, 'adcode', '2020-01-01');
SELECT count(*) AS grid_rows_unchanged FROM grid WHERE code <@ '430524';
-- Outside China while shegu.china_bounds is on (as shegu.check_boundary would refuse it).
SET shegu.china_bounds = on;
SELECT ordinal, code, status, reason FROM import_grids(pg_temp.fc(pg_temp.feat('430524118', 'x', 'POLYGON((10 24,11 24,11 25,10 24))')),
                                                       'adcode', '2020-01-01', dry_run => true);
RESET shegu.china_bounds;
-- Geometry CRS members that are longitude/latitude are read (PostGIS gives CRS84 SRID 0).
SELECT ordinal, status, reason FROM import_grids(pg_temp.fc(
    jsonb_set(pg_temp.feat('430524118', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),
              '{geometry,crs}', '{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}'),
    jsonb_set(pg_temp.feat('430524119', 'x', 'POLYGON((114 24,115 24,115 25,114 24))'),
              '{geometry,crs}', '{"type": "name", "properties": {"name": "EPSG:4490"}}')),
  'adcode', '2020-01-01', dry_run => true);

-- ---------------------------------------------------------------------------------------------
-- 4. Realistic invalid input.  A township with a narrow neck, valid as drawn; its coordinates
--    quantised to 1e-5 degrees (~1 m, as web-map tiles and files do) bring the two sides of the
--    neck onto one point: the ring touches itself.  A second township has a spike 0.000008° wide
--    that quantising collapses to a line (a ring that runs back over itself).
CREATE TEMP TABLE drawn AS
SELECT 'neck' AS what, 'SRID=4326;POLYGON((115 24, 115.5 24, 115.5 24.5, 115.250014 24.5, 115.5 25, 115 25, 115.250012 24.5, 115 24.5, 115 24))'::geometry AS g
UNION ALL
SELECT 'spike', 'SRID=4326;POLYGON((115 25, 116 25, 116 26, 115.500004 26, 115.500004 26.2, 115.499996 26.2, 115.5 25.999996, 115 26, 115 25))';
SELECT what, (ST_IsValidDetail(g)).valid AS valid_as_drawn, (ST_IsValidDetail(ST_SnapToGrid(g, 1e-5))).valid AS valid_quantised,
       (ST_IsValidDetail(ST_SnapToGrid(g, 1e-5))).reason AS why FROM drawn ORDER BY what;
CREATE TEMP TABLE quantised AS
SELECT pg_temp.fc(pg_temp.feat('430524201', '颈镇', (SELECT ST_SnapToGrid(g, 1e-5) FROM drawn WHERE what = 'neck')),
                  pg_temp.feat('430524202', '刺镇', (SELECT ST_SnapToGrid(g, 1e-5) FROM drawn WHERE what = 'spike'))) AS g;
-- repair => 'refuse' (the default): both refused with PostGIS's reason and where.
SELECT ordinal, code, status, reason, area_change_m2 FROM quantised, import_grids(g, 'adcode', '2025-01-01', dry_run => true);
-- repair => 'make_valid': the neck's ring becomes two polygons that touch at the point, and the
-- spike's line is dropped; neither changes the area.
SELECT ordinal, code, status, reason, round(area_change_m2::numeric, 3) AS area_change_m2
FROM quantised, import_grids(g, 'adcode', '2025-01-01', repair => 'make_valid');
SELECT code, valid_from, ST_IsValid(boundary) AS valid, ST_NumGeometries(boundary) AS parts,
       round((ST_Area(boundary::geography) / 1e6)::numeric, 3) AS km2
FROM grid WHERE code IN ('430524201', '430524202') ORDER BY code;
-- A bow-tie is a drawing error, not a rounding artefact: its lobes run opposite ways, so its
-- drawn (net) area is zero and make_valid's two lobes change the area by 100 %, which
-- max_area_change (1 % by default) refuses; allowing any change loads both lobes.
SELECT ordinal, status, reason, round(area_change_m2::numeric) AS area_change_m2
FROM import_grids(pg_temp.fc(pg_temp.feat('430524203', '蝴蝶', 'POLYGON((114 24,115 25,115 24,114 25,114 24))')),
                  'adcode', '2025-01-01', repair => 'make_valid', dry_run => true);
SELECT ordinal, status, reason, round(area_change_m2::numeric) AS area_change_m2
FROM import_grids(pg_temp.fc(pg_temp.feat('430524203', '蝴蝶', 'POLYGON((114 24,115 25,115 24,114 25,114 24))')),
                  'adcode', '2025-01-01', repair => 'make_valid', max_area_change => 1, dry_run => true);
-- A ring left unclosed (GeoJSON requires closed rings): refused, or closed by make_valid.
SELECT ordinal, status, reason, round(area_change_m2::numeric) AS area_change_m2
FROM unnest('{refuse,make_valid}'::text[]) AS r,
     import_grids('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"adcode": 430524204, "name": "x"},
      "geometry": {"type": "Polygon", "coordinates": [[[114, 24], [115, 24], [115, 25], [114, 25]]]}}]}'::jsonb,
                  'adcode', '2025-01-01', repair => r, dry_run => true);

-- Rings of three positions (a quantised web map collapses small parts so: 4 Hong Kong and 3
-- Chongqing districts of one): not valid, so refused; make_valid drops them, a part whose
-- outer ring collapsed with them, and refuses a geometry left with nothing.
SELECT r, ordinal, status, reason
FROM unnest('{refuse,make_valid}'::text[]) AS r,
     import_grids('{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"adcode": 430524205, "name": "part collapsed"},
       "geometry": {"type": "MultiPolygon", "coordinates": [[[[114, 24], [115, 24], [115, 25], [114, 24]]],
                                                            [[[116, 24], [116.5, 24], [116, 24]]]]}},
      {"type": "Feature", "properties": {"adcode": 430524206, "name": "hole collapsed"},
       "geometry": {"type": "Polygon", "coordinates": [[[114, 24], [115, 24], [115, 25], [114, 24]],
                                                       [[114.5, 24.2], [114.6, 24.2], [114.5, 24.2]]]}},
      {"type": "Feature", "properties": {"adcode": 430524207, "name": "all collapsed"},
       "geometry": {"type": "Polygon", "coordinates": [[[114, 24], [115, 24], [114, 24]]]}}]}'::jsonb,
                  'adcode', '2025-01-01', repair => r, dry_run => true)
ORDER BY r DESC, ordinal;

-- ---------------------------------------------------------------------------------------------
-- 5. Datums.  Four basic grids drawn in WGS-84, shipped in GCJ-02 (as Amap, Tencent and most
--    Chinese web-map data) and in BD-09 (Baidu), quantised to 1e-6 degrees.  Loaded with their
--    datum they land within a few decimetres of the drawing (the quantisation); the GCJ-02 file
--    loaded as if it were WGS-84 lands hundreds of metres off.  Versions: GCJ-02 from 2025, BD-09
--    from 2026, the mistake from 2027.
CREATE TEMP TABLE truth AS
SELECT (430524101001000 + i)::bigint::gridcode AS code, format('第%s网格', i) AS name,
       ST_Segmentize(ST_SetSRID(ST_MakeEnvelope(114 + (i - 1) * 0.25, 24, 114 + i * 0.25, 25), 4326), 0.05) AS g
FROM generate_series(1, 4) AS i;
CREATE TEMP TABLE shipped AS
SELECT d AS datum, pg_temp.fc(VARIADIC array_agg(pg_temp.feat(to_jsonb(code::text), name,
           ST_SnapToGrid(CASE d WHEN 'gcj02' THEN wgs84_to_gcj02(g) ELSE wgs84_to_bd09(g) END, 1e-6)) ORDER BY code)) AS g
FROM truth, unnest('{gcj02,bd09}'::text[]) AS d GROUP BY d;
SELECT r.code, r.status, r.closes FROM shipped s, import_grids(s.g, 'adcode', '2025-01-01', 'gcj02') AS r WHERE s.datum = 'gcj02';
SELECT r.code, r.status, r.closes FROM shipped s, import_grids(s.g, 'adcode', '2026-01-01', 'bd09') AS r WHERE s.datum = 'bd09';
SELECT count(*) AS wrongly_loaded FROM shipped s, import_grids(s.g, 'adcode', '2027-01-01', 'wgs84') AS r WHERE s.datum = 'gcj02';
SELECT g.valid_from, count(*) AS grids,
       round(max(ST_HausdorffDistance(ST_Transform(t.g, 32650), ST_Transform(g.boundary, 32650)))::numeric, 1) AS max_off_m
FROM grid g JOIN truth t ON t.code = g.code GROUP BY 1 ORDER BY 1;
-- A point 2 m west of the edge x = 114.5 (WGS-84) is in grid 2, not 3 — except in 2027.
SELECT at, locate(114.49998, 24.5, 'wgs84', at) AS west_of_edge, locate(114.50002, 24.5, 'wgs84', at) AS east_of_edge
FROM unnest('{2025-06-01,2026-06-01,2027-06-01}'::timestamptz[]) AS at;

-- ---------------------------------------------------------------------------------------------
-- 6. History.  Redrawing 430524101001 from 2025-01-01 closes the version from 2020-01-01; a
--    version inserted in the past ends where the next one starts; the same day is refused.
SELECT ordinal, code, status, valid_to, closes
FROM import_grids(pg_temp.fc(pg_temp.feat('430524101001', '城东社区', 'POLYGON((114 24,115.2 24,115.2 25,114 25,114 24))')),
                  'adcode', '2025-01-01');
SELECT ordinal, code, status, valid_to, closes
FROM import_grids(pg_temp.fc(pg_temp.feat('430524101001', '城东社区(旧)', 'POLYGON((114 24,114.9 24,114.9 25,114 25,114 24))')),
                  'adcode', '2010-01-01');
SELECT ordinal, code, status, valid_to, closes
FROM import_grids(pg_temp.fc(pg_temp.feat('430524101001', '城东社区', 'POLYGON((114 24,115.1 24,115.1 25,114 25,114 24))')),
                  'adcode', '2022-07-01');
SELECT * FROM import_grids(pg_temp.fc(pg_temp.feat('430524101001', '城东社区', 'POLYGON((114 24,115 24,115 25,114 25,114 24))')),
                           'adcode', '2025-01-01');
SELECT code, name, ST_XMax(boundary) AS east, valid_from, valid_to FROM grid WHERE code = '430524101001' ORDER BY valid_from;
SELECT at, locate(115.05, 24.5, 'wgs84', at) AS grid
FROM unnest('{2015-01-01,2021-01-01,2023-01-01,2025-06-01}'::timestamptz[]) AS at;

-- name_property NULL: the codes are the names; the text overload reads GeoJSON text.
SELECT ordinal, code, name, status
FROM import_grids('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"gb": "430524101002001"},
      "geometry": {"type": "Polygon", "coordinates": [[[114, 25], [114.5, 25], [114.5, 26], [114, 26], [114, 25]]]}}]}',
                  'gb', '2020-01-01', name_property => NULL, dry_run => true);

-- ---------------------------------------------------------------------------------------------
-- 7. derive_boundaries: a township (430524103) and its two communities have no boundary; the
--    communities' basic grids do.  Deepest first: each community is the union of its grids,
--    then the township the union of its communities.  A community with an undrawn grid is
--    skipped (and so is its township).  The gap between two grids is a hole unless filled.
INSERT INTO grid (code, name, kind, boundary, valid_from) VALUES
('430524103', '新镇', 'township', NULL, '2020-01-01'),
('430524103001', '一村', 'community', NULL, '2020-01-01'),
('430524103002', '二村', 'community', NULL, '2020-01-01'),
('430524103001001', '一村第1网格', 'basic', 'SRID=4326;MULTIPOLYGON(((116 24,116.5 24,116.5 25,116 25,116 24)))', '2020-01-01'),
('430524103001002', '一村第2网格', 'basic', 'SRID=4326;MULTIPOLYGON(((116.5 24,117 24,117 25,116.5 25,116.5 24)))', '2020-01-01'),
('430524103002001', '二村第1网格', 'basic', 'SRID=4326;MULTIPOLYGON(((116 25,116.5 25,116.5 25.5,116.4999 25.5,116.4999 25.499,116.49 25.499,116.49 25.5,116 25.5,116 25)))', '2020-01-01'),
('430524103002002', '二村第2网格', 'basic', 'SRID=4326;MULTIPOLYGON(((116.5 25,117 25,117 26,116 26,116 25.5,116.5 25.5,116.5 25)))', '2020-01-01'),
('430524104', '空镇', 'township', NULL, '2020-01-01');
SELECT code, name, valid_from, children, round((area_m2 / 1e6)::numeric, 1) AS km2, status, reason
FROM derive_boundaries('430524', '2025-06-01', dry_run => true);
SELECT count(*) AS still_undrawn FROM grid WHERE boundary IS NULL AND code <@ '430524';
SELECT code, status, round((area_m2 / 1e6)::numeric, 3) AS km2
FROM derive_boundaries('430524103', '2025-06-01', max_hole_m2 => 1e6);
SELECT code, ST_NumInteriorRings(ST_GeometryN(boundary, 1)) AS holes, ST_NumGeometries(boundary) AS parts,
       round((ST_Area(boundary::geography) / 1e6)::numeric, 3) AS km2
FROM grid WHERE code IN ('430524103', '430524103001', '430524103002') ORDER BY code;
-- The filled hole is area of the township that no community covers: coverage_problems says so.
SELECT problem, code, round(area_m2) AS m2 FROM coverage_problems('430524103', '2025-06-01');
-- Nothing left to derive under the township; a skipped parent; an undrawn child.
SELECT * FROM derive_boundaries('430524103', '2025-06-01');
UPDATE grid SET boundary = NULL WHERE code = '430524103';
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430524103003', '三村', 'community', '2020-01-01');
SELECT code, children, status, reason FROM derive_boundaries('430524103', '2025-06-01');
-- On a day before these grids existed there is nothing to derive.
SELECT code, children, status, reason FROM derive_boundaries('430524103', '2019-06-01');
-- Errors.
SELECT * FROM derive_boundaries('430524', NULL);
SELECT * FROM derive_boundaries('430524', '2025-06-01', -1);
SELECT * FROM derive_boundaries('430524', '2025-06-01', dry_run => NULL);

DELETE FROM grid WHERE code <@ '430524';

-- Codes that skip the county segment (东莞 Dongguan has no counties): kinds still follow the
-- level, and the city is derived from its township through shegu.parent.
INSERT INTO grid (code, name, kind, valid_from) VALUES ('4419', '东莞市', 'city', '2020-01-01');
SELECT ordinal, code, name, kind, status FROM import_grids(pg_temp.fc(
    pg_temp.feat('"441900003"', '东城街道', 'POLYGON((113.7 22.9,113.8 22.9,113.8 23.0,113.7 23.0,113.7 22.9))'),
    pg_temp.feat('441900003001', '岗贝社区', 'POLYGON((113.7 22.9,113.75 22.9,113.75 23.0,113.7 23.0,113.7 22.9))')),
  'adcode', '2020-01-01');
SELECT code, children, status, reason FROM derive_boundaries('4419', '2025-06-01');
SELECT code, kind, ST_AsText(boundary) AS boundary FROM grid WHERE code <@ '4419' ORDER BY code;
DELETE FROM grid WHERE code <@ '4419';

-- A ring (长洲区 of a real web-map file, cut to ten vertices) whose ST_MakeValid structure
-- repair has two parts sharing an edge (not valid): the repair merges them, so the dry run and
-- the import agree, and what is stored is valid.
CREATE TEMP TABLE changzhou AS SELECT pg_temp.fc(pg_temp.feat('450405', '长洲区',
    'POLYGON((111.234375 23.611328125,111.240234375 23.6123046875,111.240234375 23.609375,111.2412109375 23.611328125,111.2412109375 23.6103515625,111.240234375 23.6103515625,111.240234375 23.609375,111.2431640625 23.6103515625,111.248046875 23.6015625,111.25390625 23.5888671875,111.234375 23.611328125))')) AS g;
SELECT status, reason, round(area_change_m2) AS m2
FROM changzhou, import_grids(g, 'adcode', '2025-01-01', repair => 'make_valid', dry_run => true);
SELECT status, reason, round(area_change_m2) AS m2
FROM changzhou, import_grids(g, 'adcode', '2025-01-01', repair => 'make_valid');
SELECT code, ST_IsValid(boundary) AS valid, ST_NumGeometries(boundary) AS parts FROM grid WHERE code = '450405';
DELETE FROM grid WHERE code = '450405';
DROP TABLE changzhou;

-- Everything the room declares is commented.
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
