-- pgTAP: the report room — plain column types, levels that add up, one row per unit, frozen
-- months that do not move, veto-aware ranks, the BI role recipe, row-level security through
-- the detail view, GeoJSON size cap and simplification, SVG structure.
-- test/pgtap/report.sql
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SELECT plan(39);

-- A district (530102): 2 townships x 2 communities x 3 basic grids; grids are 256-gons (circles),
-- communities and townships boxes; names repeat (第1网格 in every community).
INSERT INTO grid (code, name, kind, boundary)
SELECT '530102', '五华区', 'county', ST_Multi(ST_MakeEnvelope(102.0, 25.0, 102.4, 25.2, 4326));
INSERT INTO grid (code, name, kind, boundary)
SELECT ('530102' || (100 + t))::gridcode, format('第%s街道', t), 'township',
       ST_Multi(ST_MakeEnvelope(102.0 + (t - 1) * 0.2, 25.0, 102.2 + (t - 1) * 0.2, 25.2, 4326))
FROM generate_series(1, 2) AS t;
INSERT INTO grid (code, name, kind, boundary)
SELECT ('530102' || (100 + t) || lpad(c::text, 3, '0'))::gridcode, format('第%s社区', c), 'community',
       ST_Multi(ST_MakeEnvelope(102.0 + (t - 1) * 0.2 + (c - 1) * 0.1, 25.0, 102.1 + (t - 1) * 0.2 + (c - 1) * 0.1, 25.2, 4326))
FROM generate_series(1, 2) AS t, generate_series(1, 2) AS c;
INSERT INTO grid (code, name, kind, boundary)
SELECT ('530102' || (100 + t) || lpad(c::text, 3, '0') || lpad(g::text, 3, '0'))::gridcode, format('第%s网格', g), 'basic',
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(102.05 + (t - 1) * 0.2 + (c - 1) * 0.1, 25.0 + g * 0.05), 4326), 0.02, 64))
FROM generate_series(1, 2) AS t, generate_series(1, 2) AS c, generate_series(1, 3) AS g;

-- 72 incidents over January to March 2025, 6 per grid, a few on a community code; some closed.
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT (ARRAY['dispute.neighbour', 'environment.garbage', 'hazard.fire'])[1 + k % 3], 'tap ' || k, 'patrol',
       CASE WHEN k % 10 = 0 THEN shegu.parent(u.code) ELSE u.code END,
       timestamptz '2025-01-06 09:00+08' + (k * interval '25 hours')
FROM (SELECT code, row_number() OVER (ORDER BY code) AS r FROM grid WHERE kind = 'basic' AND code OPERATOR(shegu.<@) '530102') u,
     generate_series(0, 5) AS j, LATERAL (SELECT (u.r - 1) * 6 + j AS k) kk;
SET shegu.incident_clock = '2025-03-31 09:00+08';
SELECT ok(count(*) > 0, 'setup: a quarter of the incidents accepted') FROM (SELECT act(id, 'accept', 'tap') FROM incident WHERE title LIKE 'tap %' AND id % 4 = 0) s;
RESET shegu.incident_clock;

-- ==== plain types ====
SELECT is_empty($$
    SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
    WHERE table_schema = 'shegu' AND table_name LIKE 'report\_%'
      AND data_type NOT IN ('text', 'integer', 'bigint', 'numeric', 'date', 'timestamp with time zone', 'boolean', 'double precision')
$$, 'every column of the report relations has a plain type (no gridcode, interval, jsonb, geometry)');
SELECT is_empty($$
    SELECT 'report_incident_month' FROM report_incident_month WHERE level_name IS DISTINCT FROM report_level_name(level)
    UNION ALL SELECT 'report_unit' FROM report_unit WHERE level_name IS DISTINCT FROM report_level_name(level)
    UNION ALL SELECT 'report_index' FROM report_index WHERE level_name IS DISTINCT FROM report_level_name(level)
$$, 'level_name agrees with the int level in every view');

-- ==== levels add up, one row per unit ====
SELECT is_empty($$
    SELECT m.period_start, m.level FROM report_incident_month m
    WHERE m.unit_code LIKE '53%'
    GROUP BY m.period_start, m.level
    HAVING sum(m.received) <> (SELECT count(*) FROM incident i WHERE i.grid OPERATOR(shegu.<@) '53'
                               AND date_trunc('month', i.reported_at AT TIME ZONE 'Asia/Shanghai') = m.period_start)
$$, 'live: in every month the units of each level 1..6 add up to the number of incidents');
SELECT is((SELECT count(DISTINCT level)::int FROM report_incident_month WHERE unit_code LIKE '53%'), 6, 'levels 1..6 are reported');
SELECT is_empty($$
    SELECT period_start, level, unit_code FROM report_incident_month GROUP BY 1, 2, 3 HAVING count(*) > 1
$$, 'one row per month, level and unit');
SELECT is_empty($$ SELECT unit_code FROM report_unit GROUP BY 1 HAVING count(*) > 1 $$, 'report_unit: one row per unit');
SELECT is((SELECT count(DISTINCT unit_name)::int FROM report_unit WHERE unit_code LIKE '530102%' AND level = 6), 3,
          'basic grid names repeat across communities ...');
SELECT is((SELECT count(DISTINCT unit_path)::int FROM report_unit WHERE unit_code LIKE '530102%' AND level = 6), 12,
          '... and unit_path tells all 12 apart');
UPDATE grid SET valid_to = '2025-02-01' WHERE code = '530102101001001';
INSERT INTO grid (code, name, kind, boundary, valid_from)
SELECT code, '新一网格', kind, boundary, '2025-02-01' FROM grid WHERE code = '530102101001001';
SELECT results_eq($$ SELECT unit_name, unit_path FROM report_unit WHERE unit_code = '530102101001001' $$,
                  $$ VALUES ('新一网格'::text, '第1街道/第1社区/新一网格'::text) $$,
                  'a grid with two versions is one row with the latest name');

-- ==== frozen months ====
CREATE TEMP TABLE before_freeze AS
SELECT level, unit_code, received, accepted, closed, overdue_open, disposal_rate
FROM report_incident_month WHERE period_start = '2025-01-01';
SELECT cmp_ok(freeze_month('2025-01-01'), '>', 0::bigint, 'freeze_month writes the rows of January');
SELECT is(freeze_month('2025-01-01'), 0::bigint, 'a second freeze_month of January writes nothing');
SELECT set_eq($$ SELECT level, unit_code, received, accepted, closed, overdue_open, disposal_rate
                 FROM report_incident_month WHERE period_start = '2025-01-01' AND frozen $$,
              $$ SELECT * FROM before_freeze $$, 'the frozen January equals the live figures at freezing');
SET shegu.incident_clock = '2025-04-02 09:00+08';
SELECT ok(count(*) > 0, 'January''s open incidents accepted in April')
FROM (SELECT act(id, 'accept', 'tap') FROM incident
      WHERE title LIKE 'tap %' AND status = 'reported' AND reported_at < '2025-02-01') s;
RESET shegu.incident_clock;
SELECT set_eq($$ SELECT level, unit_code, received, accepted, closed, overdue_open, disposal_rate
                 FROM report_incident_month WHERE period_start = '2025-01-01' $$,
              $$ SELECT * FROM before_freeze $$, 'accepting January''s incidents later does not move the frozen month');
SELECT isnt_empty($$ SELECT 1 FROM report_month_live v JOIN before_freeze b USING (level, unit_code)
                    WHERE v.month = '2025-01-01' AND v.accepted <> b.accepted $$,
                  '... while the live figures did move');
SELECT is_empty($$
    SELECT m.level FROM report_incident_month m WHERE m.period_start = '2025-01-01' AND m.unit_code LIKE '53%'
    GROUP BY m.level HAVING sum(m.received) <> (SELECT incidents FROM report_frozen_month WHERE month = '2025-01-01')
$$, 'frozen: every level adds up to the month''s frozen total');

-- ==== ranks respect the veto ====
INSERT INTO index_model (name, title, scale, level) VALUES ('rtap', 'rank test', 100, 6);
INSERT INTO index_node (model, code, parent, normalization, lo, hi, veto_above) VALUES
('rtap', 'S', NULL, 'minmax', NULL, NULL, NULL), ('rtap', 'x', 'S', 'goalpost', 0, 100, NULL),
('rtap', 'bad', 'S', 'goalpost', 0, 100, 50);
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'rtap', 'x', code, '2025-01-01', (row_number() OVER (ORDER BY code)) * 7 % 100 FROM grid
WHERE kind = 'basic' AND code OPERATOR(shegu.<@) '530102' AND valid_to IS NULL;
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'rtap', 'bad', code, '2025-01-01', CASE WHEN row_number() OVER (ORDER BY code) % 4 = 0 THEN 90 ELSE 10 END FROM grid
WHERE kind = 'basic' AND code OPERATOR(shegu.<@) '530102' AND valid_to IS NULL;
SELECT cmp_ok(store_index('rtap', '2025-01-01'), '>', 0::bigint, 'scores stored');
SELECT is((SELECT count(*)::int FROM report_index WHERE model = 'rtap' AND vetoed AND rank IS NOT NULL), 0, 'vetoed units get no rank');
SELECT is_empty($$
    SELECT r.unit_code FROM report_index r
    JOIN (SELECT unit_code, rank() OVER (ORDER BY index_value DESC)::int AS expected
          FROM report_index WHERE model = 'rtap' AND NOT vetoed) e USING (unit_code)
    WHERE r.model = 'rtap' AND r.rank IS DISTINCT FROM e.expected
$$, 'the others are ranked among themselves by the index');
SELECT results_eq($$ SELECT DISTINCT ranked_units FROM report_index WHERE model = 'rtap' $$,
                  $$ SELECT count(*)::int FROM report_index WHERE model = 'rtap' AND NOT vetoed $$,
                  'ranked_units counts the units that are not vetoed');

-- ==== the BI role recipe: only USAGE and the views ====
CREATE ROLE report_tap_bi;
SELECT grant_report_access('report_tap_bi');
SELECT grant_report_access('report_tap_bi');   -- idempotent
SET ROLE report_tap_bi;
SELECT lives_ok($$ SELECT count(*) FROM shegu.report_unit UNION ALL SELECT count(*) FROM shegu.report_category
                   UNION ALL SELECT count(*) FROM shegu.report_incident_month UNION ALL SELECT count(*) FROM shegu.report_index
                   UNION ALL SELECT count(*) FROM shegu.report_index_dimension
                   UNION ALL SELECT count(*) FROM shegu.report_open_incident $$,
                'a role with only the recipe''s grants reads every aggregate report view');
SELECT throws_ok($$ SELECT count(*) FROM shegu.incident $$, '42501', NULL, '... but not the incident table');
SELECT throws_ok($$ SELECT count(*) FROM shegu.report_incident $$, '42501', NULL,
                 '... nor incidents one by one: report_incident runs with the caller''s rights');
RESET ROLE;

-- ==== the security room's roles: grid workers see their incidents, analysts aggregates ====
CREATE ROLE report_tap_worker IN ROLE shegu_grid_worker;
CREATE ROLE report_tap_analyst IN ROLE shegu_analyst;
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from)
VALUES ('530102101001', '报表测试员', 'grid_worker', 'report_tap_worker', '2020-01-01');
CREATE TEMP TABLE own_incidents AS
SELECT count(*)::int AS n FROM incident WHERE grid OPERATOR(shegu.<@) '530102101001';
GRANT SELECT ON own_incidents TO report_tap_worker;
SET ROLE report_tap_worker;
SELECT is((SELECT count(*)::int FROM shegu.report_incident), (SELECT n FROM own_incidents),
          'a grid worker sees through report_incident exactly the incidents of his grids (row-level security applies)');
SELECT throws_ok($$ SELECT count(*) FROM shegu.report_incident_month $$, '42501', NULL,
                 '... and not the county''s aggregates');
RESET ROLE;
SET ROLE report_tap_analyst;
SELECT lives_ok($$ SELECT count(*) FROM shegu.report_incident_month UNION ALL SELECT count(*) FROM shegu.report_open_incident
                   UNION ALL SELECT count(*) FROM shegu.report_index UNION ALL SELECT count(*) FROM shegu.report_unit
                   UNION ALL SELECT count(*) FROM shegu.report_category UNION ALL SELECT count(*) FROM shegu.report_index_dimension
                   UNION ALL SELECT length(shegu.grid_geojson('530102', 5, '2025-03-01', '2025-01-01')::text) $$,
                'an analyst reads every aggregate report view and the GeoJSON');
SELECT throws_ok($$ SELECT count(*) FROM shegu.report_incident $$, '42501', NULL,
                 '... but no incident one by one');
RESET ROLE;

-- ==== GeoJSON ====
CREATE TEMP TABLE gj AS
SELECT grid_geojson('530102', 6, '2025-03-01', '2025-01-01')::text AS full_text,
       grid_geojson('530102', 6, '2025-03-01', '2025-01-01', max_bytes => 12000)::text AS small_text;
SELECT results_eq($$ SELECT (SELECT array_agg(f ->> 'id' ORDER BY f ->> 'id') FROM jsonb_array_elements(full_text::jsonb -> 'features') f) FROM gj $$,
                  $$ SELECT array_agg(code::text ORDER BY code::text) FROM grid WHERE kind = 'basic' AND code OPERATOR(shegu.<@) '530102'
                     AND valid_from <= '2025-03-01' AND (valid_to IS NULL OR valid_to > '2025-03-01') $$,
                  'one feature per grid drawn that day, id = code');
SELECT ok((SELECT octet_length(small_text) <= 12000 AND octet_length(full_text) > 12000 FROM gj),
          'a small max_bytes simplifies the boundaries until the document fits');
SELECT ok((SELECT jsonb_array_length(small_text::jsonb -> 'features') = 12
                  AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(small_text::jsonb -> 'features') f
                                  WHERE ST_IsEmpty(ST_GeomFromGeoJSON(f ->> 'geometry'))
                                     OR NOT ST_IsValid(ST_GeomFromGeoJSON(f ->> 'geometry')))
           FROM gj), '... keeping every feature with a valid, non-empty geometry');
SELECT ok((SELECT full_text !~ '\d\.\d{7}' FROM gj), 'coordinates have at most 6 decimals');

-- ==== SVG ====
SELECT ok((SELECT xml_is_well_formed_document(svg)
                  AND (SELECT count(*) FROM regexp_matches(svg, '<path ', 'g')) = 12
                  AND (SELECT count(*) FROM regexp_matches(svg, '<title>', 'g')) = 12
           FROM (SELECT choropleth_svg('rtap', '2025-01-01', root => '530102') AS svg) x),
          'choropleth_svg: a well-formed document with a path and a hover title per grid');

-- ==== one name per unit everywhere ====
INSERT INTO index_unit_name VALUES ('530102101001', '翠湖社区'), ('530102102', '华山街道'), ('530102101001001', '翠湖一格');
SELECT is((SELECT count(*) FROM report_unit WHERE unit_name IS DISTINCT FROM report_unit_name(unit_code::gridcode)), 0::bigint,
          'names: report_unit gives every unit the name of report_unit_name');
SELECT is((SELECT count(*) FROM (
               SELECT unit_code, unit_name FROM report_incident_month WHERE NOT frozen
               UNION ALL SELECT unit_code, unit_name FROM report_open_incident
               UNION ALL SELECT unit_code, unit_name FROM report_index
               UNION ALL SELECT unit_code, unit_name FROM report_index_dimension
               UNION ALL SELECT unit_code, unit_name FROM report_incident
               UNION ALL SELECT unit::text, unit_name FROM incident_measures) v
           WHERE v.unit_code LIKE '530102%' AND v.unit_name IS DISTINCT FROM report_unit_name(v.unit_code::gridcode)), 0::bigint,
          '... and so does every other view that shows a unit, display names included');
SELECT is((SELECT count(*) FROM report_unit WHERE unit_code LIKE '530102101001%' AND level = 6
           AND unit_path NOT LIKE '第1街道/翠湖社区/%'), 0::bigint,
          '... and the paths of the grids below carry it');
SELECT ok((SELECT bool_and(f #>> '{properties,parent_name}' = '翠湖社区')
           FROM jsonb_array_elements(grid_geojson('530102101001', 6, '2025-03-01')::jsonb -> 'features') f),
          '... and the GeoJSON of the grids names their community by it');
SELECT ok((SELECT svg ~ '<title>翠湖一格 \(530102101001001\)' FROM (SELECT choropleth_svg('rtap', '2025-01-01', root => '530102') AS svg) x),
          '... and the map names the unit by it');

-- ==== a veto of the register of major events names the event ====
INSERT INTO index_model (name, title, scale, level, veto_register) VALUES ('rtapv', 'veto test', 100, 5, true);
INSERT INTO index_node (model, code, parent, normalization, lo, hi) VALUES
('rtapv', 'S', NULL, 'minmax', NULL, NULL), ('rtapv', 'x', 'S', 'goalpost', 0, 1);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('rtapv', 'x', '530102101001', '2025-01-01', 0.9), ('rtapv', 'x', '530102102002', '2025-01-01', 0.7);
SELECT sanction_major_event(id, 'veto', '2025-01-05')
FROM (SELECT (sanction_major_event(id, 'delisting', '2025-01-04')).id
      FROM (SELECT (sanction_major_event(id, 'yellow_card', '2025-01-03')).id
            FROM register_major_event('530102102002001', 'safety_accident', '2025-01-02', '仓库火灾 warehouse fire') r) y) d;
SELECT store_index('rtapv', '2025-01-01');
SELECT results_eq($$ SELECT unit_code, vetoed, rank, unranked_reason FROM report_index WHERE model = 'rtapv' ORDER BY unit_code $$,
                  $$ VALUES ('530102101001', false, 1, NULL::text),
                            ('530102102002', true, NULL::int, '一票否决 vetoed: 重大公共安全事故 仓库火灾 warehouse fire (2025-01-02)') $$,
                  'a unit vetoed by the register of major events says which event');

SELECT * FROM finish();
ROLLBACK;
