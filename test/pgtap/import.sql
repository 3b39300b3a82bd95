-- pgTAP: shegu.import_grids and shegu.derive_boundaries on a synthetic county — round trips,
-- all-or-nothing, dry runs, datums with quantised coordinates, history, derived parents.
-- test/pgtap/import.sql — one transaction, rolled back.
\set QUIET 1
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = shegu, public;

-- A county of 150 basic grids under code 430524 (no other suite's), from the demo's generator.
\set grids 150
\set code 430524
\set seed 0.31
\ir ../../demo/county.sql
SET LOCAL search_path = shegu, public;
SET LOCAL client_min_messages = warning;

SELECT plan(27);

CREATE TEMP TABLE orig AS SELECT * FROM grid WHERE code <@ '430524'::gridcode;
-- A FeatureCollection of the county's grids, their codes as strings or numbers, coordinates
-- optionally moved to another datum and quantised.
CREATE FUNCTION pg_temp.export(datum text, quantum float8, numeric_codes boolean) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(jsonb_build_object(
               'type', 'Feature',
               'properties', jsonb_build_object('code', CASE WHEN numeric_codes THEN to_jsonb(to_bigint(code)) ELSE to_jsonb(code::text) END,
                                                'name', name, 'population', population),
               'geometry', ST_AsGeoJSON(CASE WHEN quantum > 0 THEN ST_SnapToGrid(b, quantum) ELSE b END, 15)::jsonb) ORDER BY code))
    FROM (SELECT code, name, population,
                 CASE datum WHEN 'gcj02' THEN wgs84_to_gcj02(boundary) WHEN 'bd09' THEN wgs84_to_bd09(boundary) ELSE boundary END AS b
          FROM orig) s
$$;
-- 2,000 random points over the county, and where they are now.
SELECT setseed(0.6);
CREATE TEMP TABLE probe AS
SELECT i, ST_SetSRID(ST_MakePoint(110.55 + random() * 0.8, 26.25 + random() * 0.7), 4326) AS pt
FROM generate_series(1, 2000) AS i;
CREATE TEMP TABLE before AS SELECT i, locate(pt, '2025-06-01') AS grid FROM probe;

-- 1. Round trip: export, delete, import; every boundary, kind and answer comes back.
CREATE TEMP TABLE wgs AS SELECT pg_temp.export('wgs84', 0, false) AS g;
DELETE FROM grid WHERE code <@ '430524'::gridcode;
CREATE TEMP TABLE report AS SELECT r.* FROM wgs, import_grids(g, 'code', '-infinity') AS r;
SELECT is((SELECT count(*) FROM report), (SELECT count(*) FROM orig), 'one report row per feature');
SELECT is((SELECT array_agg(ordinal ORDER BY ordinal) FROM report),
          (SELECT array_agg(i::int ORDER BY i) FROM generate_series(1, (SELECT count(*) FROM orig)) AS i),
          'ordinals number the features from 1');
SELECT is((SELECT count(*) FROM report WHERE status = 'loaded' AND reason IS NULL AND area_change_m2 = 0), (SELECT count(*) FROM orig),
          'every feature of a valid file is loaded, unchanged');
SELECT is((SELECT count(*) FROM orig o JOIN grid g USING (code)
           WHERE g.kind = o.kind AND g.name = o.name AND g.valid_from = '-infinity' AND g.valid_to IS NULL
             AND ST_HausdorffDistance(g.boundary, o.boundary) < 1e-12
             AND g.attrs = jsonb_build_object('population', o.population)),
          (SELECT count(*) FROM orig),
          'boundaries, kinds (from the code''s level), names and other properties come back');
SELECT is((SELECT count(*) FROM probe p JOIN before b USING (i) WHERE locate(p.pt, '2025-06-01') IS DISTINCT FROM b.grid), 0::bigint,
          'locate answers as before on 2,000 random points');

-- 2. Codes as JSON numbers load the same.
DELETE FROM grid WHERE code <@ '430524'::gridcode;
SELECT is((SELECT count(*) FROM import_grids(pg_temp.export('wgs84', 0, true), 'code', '-infinity') WHERE status = 'loaded'),
          (SELECT count(*) FROM orig), 'numeric codes load');
SELECT is((SELECT count(*) FROM orig o JOIN grid g USING (code) WHERE ST_AsBinary(g.boundary) = ST_AsBinary(o.boundary)),
          (SELECT count(*) FROM orig), 'numeric codes give the same boundaries, to the bit');

-- 3. All or nothing: one bad feature among the county refuses the whole file.
CREATE TEMP TABLE spoilt AS
SELECT jsonb_set(g, '{features,40,geometry}',
                 '{"type": "Polygon", "coordinates": [[[110.6, 26.3], [110.7, 26.4], [110.7, 26.3], [110.6, 26.4], [110.6, 26.3]]]}') AS g
FROM (SELECT pg_temp.export('wgs84', 0, false) AS g) s;
DELETE FROM grid WHERE code <@ '430524'::gridcode AND shegu.level(code) = 6;
CREATE TEMP TABLE fp2 AS SELECT md5(string_agg(g::text, ',' ORDER BY g.code, g.valid_from)) AS fp FROM grid g;
SELECT throws_ok($$SELECT * FROM spoilt, import_grids(g, 'code', '2025-01-01')$$, '22023',
                 format('import refused: 1 of %s features cannot be loaded', (SELECT count(*) FROM orig)),
                 'a file with one bow-tie is refused as a whole');
SELECT is((SELECT md5(string_agg(g::text, ',' ORDER BY g.code, g.valid_from)) FROM grid g), (SELECT fp FROM fp2),
          'and nothing of it is written (no version closed, none inserted)');
SELECT is((SELECT array_agg(ordinal || ' ' || status) FROM spoilt, import_grids(g, 'code', '2025-01-01', dry_run => true) WHERE status <> 'loaded'),
          ARRAY['41 refused'], 'the dry run names the refused feature');
SELECT is((SELECT md5(string_agg(g::text, ',' ORDER BY g.code, g.valid_from)) FROM grid g), (SELECT fp FROM fp2),
          'a dry run writes nothing');

-- 4. A dry run reports what the real run then does.
CREATE TEMP TABLE dry AS SELECT r.* FROM wgs, import_grids(g, 'code', '2025-01-01', dry_run => true) AS r;
CREATE TEMP TABLE wet AS SELECT r.* FROM wgs, import_grids(g, 'code', '2025-01-01') AS r;
SELECT set_eq('SELECT * FROM dry', 'SELECT * FROM wet', 'the dry run''s report is the real run''s report');
SELECT is((SELECT count(*) FROM wet WHERE shegu.level(code) < 6 AND closes = '-infinity' AND valid_to IS NULL),
          (SELECT count(*) FROM orig WHERE shegu.level(code) < 6), 'current versions are closed on valid_from');
SELECT is((SELECT count(*) FROM grid g JOIN orig o USING (code) WHERE shegu.level(code) < 6 AND g.valid_from = '-infinity' AND g.valid_to = '2025-01-01'),
          (SELECT count(*) FROM orig WHERE shegu.level(code) < 6), 'and keep their boundary for the days before');

-- 5. GCJ-02 and BD-09 files quantised to 1e-6 degrees (as web maps ship them) land within half a
--    metre of the truth; answers differ only for points within a metre of a boundary.
CREATE FUNCTION pg_temp.reload(g jsonb, datum text) RETURNS SETOF text LANGUAGE sql AS $$
    DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430524'::shegu.gridcode;
    SELECT r.status FROM shegu.import_grids(g, 'code', '2020-01-01', datum, 'make_valid') AS r;
$$;
SELECT is((SELECT array_agg(DISTINCT s) FROM pg_temp.reload(pg_temp.export('gcj02', 1e-6, false), 'gcj02') AS s), ARRAY['loaded'],
          'the quantised GCJ-02 county loads');
SELECT cmp_ok((SELECT max(ST_HausdorffDistance(g.boundary, o.boundary)) * 111000 FROM grid g JOIN orig o USING (code)),
              '<', 0.5::float8, 'GCJ-02: every boundary within 0.5 m of the truth');
SELECT is((SELECT count(*) FROM probe p JOIN before b USING (i)
           WHERE locate(p.pt, '2025-06-01') IS DISTINCT FROM b.grid
             AND NOT EXISTS (SELECT 1 FROM orig o WHERE ST_DWithin(ST_Boundary(o.boundary)::geography, p.pt::geography, 1))),
          0::bigint, 'GCJ-02: locate answers as before, away from boundaries');
SELECT is((SELECT array_agg(DISTINCT s) FROM pg_temp.reload(pg_temp.export('bd09', 1e-6, false), 'bd09') AS s), ARRAY['loaded'],
          'the quantised BD-09 county loads');
SELECT cmp_ok((SELECT max(ST_HausdorffDistance(g.boundary, o.boundary)) * 111000 FROM grid g JOIN orig o USING (code)),
              '<', 0.5::float8, 'BD-09: every boundary within 0.5 m of the truth');
SELECT cmp_ok((SELECT min(ST_HausdorffDistance(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326), o.boundary)) * 111000
               FROM jsonb_array_elements(pg_temp.export('gcj02', 1e-6, false)->'features') AS f
               JOIN orig o ON o.code = (f->'properties'->>'code')::gridcode),
              '>', 100::float8, 'read as WGS-84, every GCJ-02 boundary would be over 100 m off');

-- 6. History: one code imported on ten days in random order ends up as ten contiguous versions,
--    each with the boundary imported for its day.
DELETE FROM grid WHERE code <@ '430524'::gridcode;
SELECT setseed(0.7);
CREATE TEMP TABLE days AS
SELECT d::date AS day, row_number() OVER (ORDER BY random()) AS turn
FROM generate_series('2016-03-01'::date, '2025-03-01', interval '1 year') AS d;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM days ORDER BY turn LOOP
        PERFORM * FROM shegu.import_grids(jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_build_array(
            jsonb_build_object('type', 'Feature', 'properties', jsonb_build_object('code', '430524101', 'name', r.day::text),
                               'geometry', ST_AsGeoJSON(ST_Buffer(ST_SetSRID(ST_MakePoint(111, 26.5), 4326), 0.01 + extract(year FROM r.day) / 1e5))::jsonb))),
            'code', r.day);
    END LOOP;
END $$;
SELECT is((SELECT array_agg(valid_from::text || '..' || coalesce(valid_to::text, '') ORDER BY valid_from) FROM grid WHERE code = '430524101'),
          (SELECT array_agg(day::text || '..' || coalesce(nxt::text, '') ORDER BY day)
           FROM (SELECT day, lead(day) OVER (ORDER BY day) AS nxt FROM days) s),
          'ten imports in random order give ten contiguous versions');
SELECT is((SELECT count(*) FROM grid WHERE code = '430524101' AND name = valid_from::text), 10::bigint,
          'each version holds what was imported for its day');

-- 7. derive_boundaries: the county, its townships and communities without boundary are drawn
--    again from the basic grids, deepest first, equal to the originals (which are unions).
DELETE FROM grid WHERE code <@ '430524'::gridcode;
INSERT INTO grid SELECT * FROM orig;
UPDATE grid SET boundary = NULL WHERE code <@ '430524'::gridcode AND shegu.level(code) < 6;
SELECT is((SELECT array_agg(DISTINCT status) FROM derive_boundaries('430524', '2025-06-01', dry_run => true)), ARRAY['derived'],
          'a dry run derives every parent');
SELECT is((SELECT count(*) FROM grid WHERE code <@ '430524'::gridcode AND boundary IS NULL),
          (SELECT count(*) FROM orig WHERE shegu.level(code) < 6), 'and writes nothing');
CREATE TEMP TABLE derived AS SELECT * FROM derive_boundaries('430524', '2025-06-01');
SELECT is((SELECT array_agg(shegu.level(code) ORDER BY k) FROM (SELECT code, row_number() OVER () AS k FROM derived) d),
          (SELECT array_agg(shegu.level(code) ORDER BY shegu.level(code) DESC, code) FROM orig WHERE shegu.level(code) < 6),
          'parents are derived deepest first');
SELECT is((SELECT count(*) FROM orig o JOIN grid g USING (code)
           WHERE shegu.level(code) < 6 AND ST_HausdorffDistance(g.boundary, o.boundary) < 1e-12
             AND abs(ST_Area(g.boundary::geography) - ST_Area(o.boundary::geography)) < 1),
          (SELECT count(*) FROM orig WHERE shegu.level(code) < 6), 'derived boundaries equal the unions they replace');
SELECT is((SELECT count(*) FROM coverage_problems('430524', '2025-06-01')), 0::bigint, 'and the coverage check finds nothing');

SELECT * FROM finish();
ROLLBACK;
