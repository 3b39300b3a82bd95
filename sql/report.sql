-- Reports: level names, the unit registry, categories in hours, monthly figures (live, frozen,
-- per level), incidents with pins, veto-aware ranks, BI access, GeoJSON and SVG maps, and every
-- error.  A small district of its own (330106, 西湖区) keeps it apart from the other rooms' data.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;
-- error positions inside the PL/pgSQL functions are not part of their contract
\set SHOW_CONTEXT never

-- Level names, one convention: int 1..7.
SELECT l, report_level_name(l) AS en, report_level_name(l, true) AS zh FROM generate_series(0, 8) AS l;
SELECT report_level_name(NULL) IS NULL AS null_level;

-- The district: two townships, three communities (two named alike), four basic grids, squares.
INSERT INTO grid (code, name, kind, boundary) VALUES
('330106', '西湖区', 'county', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.20, 30.30, 4326))),
('330106001', '北山街道', 'township', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.10, 30.30, 4326))),
('330106002', '西溪街道', 'township', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326))),
('330106001001', '新村社区', 'community', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.05, 30.30, 4326))),
('330106001002', '宝石社区', 'community', ST_Multi(ST_MakeEnvelope(120.05, 30.20, 120.10, 30.30, 4326))),
('330106002001', '新村社区', 'community', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326))),
('330106001001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.05, 30.25, 4326))),
('330106001001002', '第2网格', 'basic', ST_Multi(ST_MakeEnvelope(120.00, 30.25, 120.05, 30.30, 4326))),
('330106001002001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.05, 30.20, 120.10, 30.30, 4326))),
('330106002001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326)));
-- A community renamed in 2025: two versions, one row in the report (the latest).
UPDATE grid SET valid_to = '2025-01-01' WHERE code = '330106001002';
INSERT INTO grid (code, name, kind, boundary, valid_from)
SELECT code, '宝石山社区', kind, boundary, '2025-01-01' FROM grid WHERE code = '330106001002';

-- Units: text codes, names, a path that tells the two 新村社区 apart, plain numbers.
SELECT unit_code, unit_name, unit_path, parent_code, parent_name, level, level_name, level_name_zh, kind,
       round(lon::numeric, 3) AS lon, round(lat::numeric, 3) AS lat,
       round((lon_gcj02 - lon)::numeric, 4) AS gcj_dlon, valid_from, current
FROM report_unit WHERE unit_code LIKE '330106%' ORDER BY unit_code;
SELECT count(*) = count(DISTINCT unit_code) AS one_row_per_unit, count(*) > 0 AS some FROM report_unit;
-- Text compares with text: no shegu operator needed, a varchar parameter works.
SELECT unit_name FROM report_unit WHERE unit_code = '330106002001'::varchar;

-- Categories: limits in hours (working limits in working hours, a day = 7 under default).
SELECT category_code, category_name, top_category_code, top_category_name, handling_level, handling_level_name,
       accept_limit_hours, accept_basis, dispose_limit_hours, dispose_basis, schedule_day_hours
FROM report_category
WHERE category_code IN ('dispute', 'dispute.neighbour', 'hazard.gas', 'environment.garbage', 'construction.land_use', 'petition')
ORDER BY category_code;

-- Incidents in March 2025 (the demo clock of act()): a fire hazard closed on time, garbage never
-- accepted, a dispute recorded on a community, a point located by the trigger, and a gas smell
-- reported at 00:30 on 1 April in Shanghai (still March in UTC: it counts in April).
SET shegu.incident_clock = '2025-04-02 09:00+08';
INSERT INTO incident (category, title, source, grid, location, reported_at) VALUES
('hazard.fire', '楼道堆物 blocked stairwell', 'patrol', '330106001001001', NULL, '2025-03-03 09:00+08'),
('environment.garbage', '垃圾 garbage', 'hotline', '330106001001002', NULL, '2025-03-04 10:00+08'),
('dispute.neighbour', '噪音 noise', 'resident', '330106001002', NULL, '2025-03-05 10:00+08'),
('public_service.facility', '路灯 street light', 'wechat', NULL, ST_SetSRID(ST_MakePoint(120.15, 30.25), 4326), '2025-03-10 10:00+08'),
('hazard.gas', '燃气味 gas', 'wechat', '330106002001001', NULL, '2025-04-01 00:30+08');
SET shegu.incident_clock = '2025-03-03 09:30+08';
SELECT count(*) AS steps FROM (
    SELECT act(id, 'accept', 't') FROM incident WHERE title = '楼道堆物 blocked stairwell'
    UNION ALL SELECT act(id, 'dispatch', 't', NULL, '{"level": "community"}') FROM incident WHERE title = '楼道堆物 blocked stairwell') s;
SET shegu.incident_clock = '2025-03-03 15:00+08';
SELECT count(*) AS steps FROM (
    SELECT act(id, 'resolve', 't') FROM incident WHERE title = '楼道堆物 blocked stairwell'
    UNION ALL SELECT act(id, 'verify', 't') FROM incident WHERE title = '楼道堆物 blocked stairwell'
    UNION ALL SELECT act(id, 'close', 't') FROM incident WHERE title = '楼道堆物 blocked stairwell'
    UNION ALL SELECT act(id, 'evaluate', 't', NULL, '{"satisfaction": 5}') FROM incident WHERE title = '楼道堆物 blocked stairwell') s;
RESET shegu.incident_clock;

-- One by one, with pins in WGS-84 and GCJ-02.
SELECT category_code, category_name, top_category_name, unit_code, unit_name, parent_name, unit_level,
       responsible_level, responsible_level_name, status, reported_month, hours_to_close, satisfaction,
       round(lon::numeric, 3) AS lon, round(lat::numeric, 3) AS lat,
       round(lon_gcj02::numeric, 4) AS lon_gcj02, round(lat_gcj02::numeric, 4) AS lat_gcj02
FROM report_incident WHERE unit_code LIKE '330106%' ORDER BY reported_at;

-- The backlog now, by level: open incidents and their lights.
SELECT level, level_name, unit_code, unit_level, open_incidents, yellow, red, suspended, unit_name, unit_path
FROM report_open_incident WHERE unit_code LIKE '330106%' AND level >= 4 ORDER BY level, unit_code;

-- Monthly figures, live: one row per level and unit; an incident recorded on a community shows
-- under the community at level 6 (unit_level 5), so every level adds up to the same total.
SELECT period_start, period_end, level, level_name, unit_code, unit_level, unit_name, parent_name,
       received, accepted, disposed, closed, closed_on_time, overdue_open, disposal_rate, disposal_rate_accepted,
       on_time_rate, avg_hours_to_close, satisfaction_rate, frozen
FROM report_incident_month WHERE unit_code LIKE '330106%' ORDER BY period_start, level, unit_code;
SELECT period_start, level, sum(received) AS received, sum(closed) AS closed, count(*) AS units
FROM report_incident_month WHERE unit_code LIKE '330106%' AND level >= 3 GROUP BY 1, 2 ORDER BY 1, 2;

-- Freezing: a month that has ended, once; a second call changes nothing; later acts do not move it.
SELECT freeze_month('2025-03-01') > 0 AS frozen_rows, freeze_month('2025-03-01') AS again;
SET shegu.incident_clock = '2025-05-06 09:00+08';
SELECT status FROM act((SELECT id FROM incident WHERE title = '垃圾 garbage'), 'accept', 't');
RESET shegu.incident_clock;
SELECT level, unit_code, received, accepted, overdue_open, frozen, frozen_at IS NOT NULL AS has_time
FROM report_incident_month
WHERE period_start = '2025-03-01' AND unit_code IN ('330106', '330106001001002') ORDER BY level;
-- replace re-freezes with the figures as they are now.
SELECT freeze_month('2025-03-01', replace => true) > 0 AS refrozen;
SELECT level, unit_code, received, accepted, frozen FROM report_incident_month
WHERE period_start = '2025-03-01' AND unit_code IN ('330106', '330106001001002') ORDER BY level;
-- April is not frozen: live.
SELECT DISTINCT period_start, frozen FROM report_incident_month WHERE unit_code LIKE '330106%' ORDER BY 1;
-- Errors.
SELECT freeze_month('2025-03-02');
SELECT freeze_month('2999-01-01');

-- The index: a vetoed unit gets no rank and the lowest grade; the others are ranked among themselves.
INSERT INTO index_model (name, title, scale, level) VALUES ('rpt', '报表测试 report test', 100, 5);
INSERT INTO index_node (model, code, parent, title, normalization, lo, hi, direction, veto_above) VALUES
('rpt', 'S', NULL, '指数', 'minmax', NULL, NULL, 1, NULL),
('rpt', 'x', 'S', '处置 disposal', 'goalpost', 0, 1, 1, NULL),
('rpt', 'safety', 'S', '命案 cases', 'goalpost', 0, 10, -1, 0);
INSERT INTO index_grade (model, grade, min_score) VALUES ('rpt', '好', 85), ('rpt', '中', 60), ('rpt', '差', 0);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('rpt', 'x', '330106001001', '2025-03-01', 0.8), ('rpt', 'safety', '330106001001', '2025-03-01', 0),
('rpt', 'x', '330106001002', '2025-03-01', 0.6), ('rpt', 'safety', '330106001002', '2025-03-01', 0),
('rpt', 'x', '330106002001', '2025-03-01', 1.0), ('rpt', 'safety', '330106002001', '2025-03-01', 1);
SELECT store_index('rpt', '2025-03-01') AS stored;
SELECT unit, rank AS engine_rank, vetoed FROM index_score WHERE model = 'rpt' AND node = 'S' ORDER BY unit;
SELECT model, model_title, level, level_name, period_start, unit_code, unit_name, unit_path, parent_name,
       index_value, grade, vetoed, rank, ranked_units, unranked_reason
FROM report_index WHERE model = 'rpt' ORDER BY rank NULLS LAST, unit_code;
SELECT unit_code, node, node_title, parent_node, indicator, score, raw, vetoed
FROM report_index_dimension WHERE model = 'rpt' ORDER BY unit_code, node;
-- A unit with too little data has a blank index, grade and rank, and says why.
INSERT INTO index_model (name, title, scale, level) VALUES ('rptb', '空白测试 blank test', 100, 5);
INSERT INTO index_node (model, code, parent, title, weight, normalization, lo, hi) VALUES
('rptb', 'S', NULL, '指数', 1, 'minmax', NULL, NULL),
('rptb', 'a', 'S', '处置 disposal', 3, 'goalpost', 0, 1), ('rptb', 'b', 'S', '满意 satisfaction', 1, 'goalpost', 0, 1);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('rptb', 'a', '330106001001', '2025-03-01', 0.9), ('rptb', 'b', '330106001001', '2025-03-01', 0.8),
('rptb', 'b', '330106002001', '2025-03-01', 0.7);
SELECT store_index('rptb', '2025-03-01') AS stored;
SELECT unit_code, index_value, grade, vetoed, rank, unranked_reason
FROM report_index WHERE model = 'rptb' ORDER BY rank NULLS LAST, unit_code;

-- One rule of names (report_unit_name): a display name set in index_unit_name shows in every
-- view; without it the registry's name; NULL for a code nothing names.
INSERT INTO index_unit_name VALUES ('330106001002', '宝石山社区（试点）');
SELECT (SELECT unit_name FROM report_unit WHERE unit_code = '330106001002') AS report_unit,
       (SELECT unit_path FROM report_unit WHERE unit_code = '330106001002001') AS grid_path,
       (SELECT unit_name FROM report_index WHERE model = 'rpt' AND unit_code = '330106001002' AND period_start = '2025-03-01') AS report_index,
       (SELECT unit_name FROM index_report WHERE model = 'rpt' AND unit = '330106001002' AND period = '2025-03-01') AS index_report,
       (SELECT unit_name FROM report_open_incident WHERE unit_code = '330106001002' AND level = 5) AS open_incident;
DELETE FROM index_unit_name WHERE unit = '330106001002';
SELECT report_unit_name('330106001002') AS registry, report_unit_name('330106009') AS unknown, report_unit_name(NULL) AS null_code;
-- Paths for units the registry does not hold: a community only named in index_unit_name still
-- shows its township.
INSERT INTO index_unit_name VALUES ('330106001009', '未划社区');
SELECT report_unit_path('330106001002001') AS registered, report_unit_path('330106001009') AS unregistered,
       report_unit_path('330106001008') AS nameless, report_unit_path(NULL) AS null_code;
DELETE FROM index_unit_name WHERE unit = '330106001009';

-- BI access: the recipe's function, and its error.
SELECT grant_report_access('no_such_role_rpt');

-- GeoJSON: one feature per grid at the level under root, id = code, names, measures of a month.
SELECT jsonb_array_length(j -> 'features') AS features,
       (SELECT array_agg(f ->> 'id' ORDER BY f ->> 'id') FROM jsonb_array_elements(j -> 'features') AS f) AS ids
FROM (SELECT grid_geojson('330106', 6, '2025-03-01', '2025-03-01')::jsonb AS j) x;
SELECT f -> 'properties' AS properties, f -> 'geometry' ->> 'type' AS geometry
FROM jsonb_array_elements(grid_geojson('330106', 5, '2025-03-01', '2025-03-01')::jsonb -> 'features') AS f
ORDER BY f ->> 'id';
-- The community as drawn before its renaming carries its old name.
SELECT f -> 'properties' ->> 'name' AS name_2024
FROM jsonb_array_elements(grid_geojson('330106001', 5, '2024-06-01')::jsonb -> 'features') AS f WHERE f ->> 'id' = '330106001002';
-- GCJ-02 moves the corner about 0.005 degrees east; WGS-84 keeps it.
SELECT (grid_geojson('330106', 3, '2025-03-01')::jsonb #> '{features,0,geometry,coordinates,0,0,0}') AS wgs84,
       (grid_geojson('330106', 3, '2025-03-01', datum => 'gcj02')::jsonb #> '{features,0,geometry,coordinates,0,0,0}') AS gcj02;
-- Nothing at the level: an empty collection.
SELECT grid_geojson('330106', 7, '2025-03-01')::text AS empty;
-- Errors.
SELECT grid_geojson(NULL, 6);
SELECT grid_geojson('330106', 2);
SELECT grid_geojson('330106', 8);
SELECT grid_geojson('330106', 6, datum => 'bd09');
SELECT grid_geojson('330106', 6, max_bytes => 999);
SELECT grid_geojson('330106', 6, '2025-03-01', '2025-03-15');
SELECT grid_geojson('330106', 6, '2025-03-01', max_bytes => 1500);

-- The choropleth: a well-formed standalone SVG, one path per community, a hover title each,
-- the legend, no external resource.
SELECT xml_is_well_formed_document(svg) AS well_formed,
       (SELECT count(*) FROM regexp_matches(svg, '<path ', 'g')) AS paths,
       (SELECT array_agg(m[1] ORDER BY m[1]) FROM regexp_matches(svg, '<title>([^<]*)</title>', 'g') AS m) AS titles,
       (SELECT array_agg(m[1] ORDER BY m[1]) FROM regexp_matches(svg, '<text [^>]*>([^<]*)</text>', 'g') AS m) AS texts,
       svg ~ '(href|url\(|<image|<script)' AS external
FROM (SELECT choropleth_svg('rpt', '2025-03-01', root => '330106') AS svg) x;
SELECT substr(choropleth_svg('rpt', '2025-03-01', width => 400), 1, 80) AS head;
SELECT substring(svg FROM '^<svg [^>]*>') AS frame, svg ~ '<g id="legend">' AS legend, svg ~ '<g id="north"' AS north_arrow,
       svg ~ '<g id="scale"' AS scale_bar,
       (SELECT array_agg(m[1] ORDER BY m[1]) FROM regexp_matches(svg, '<text x="[0-9.]+" y="[0-9.]+">([^<]*)<', 'g') AS m) AS unit_labels
FROM (SELECT choropleth_svg('rpt', '2025-03-01', 5, '330106', 1200, 900) AS svg) x;
-- Errors.
SELECT choropleth_svg('no such model', '2025-03-01');
SELECT choropleth_svg('rpt', '2025-04-01');
SELECT choropleth_svg('rpt', '2025-03-01', 9);
SELECT choropleth_svg('rpt', '2025-03-01', 4, '330106001');
SELECT choropleth_svg('rpt', '2025-03-01', width => 10);
SELECT choropleth_svg('rpt', '2025-03-01', height => 299);
SELECT choropleth_svg('rpt', NULL);

-- Official division names (shegu.division, levels 1-5) take precedence over grid names, and name
-- the province and city, which have no grid rows.
SELECT * FROM load_divisions($csv$code,name,parent
330000000000,浙江省,
330100000000,杭州市,330000000000
330106000000,西湖区,330100000000
330106001000,北山街道办事处,330106000000
$csv$);
SELECT unit_code, unit_name, unit_path, parent_name FROM report_unit
WHERE unit_code IN ('330106001', '330106001001', '330106001001001') ORDER BY unit_code;
SELECT level, unit_code, unit_name, parent_name FROM report_incident_month
WHERE period_start = '2025-04-01' AND unit_code LIKE '33%' AND level <= 4 ORDER BY level;
SELECT (grid_geojson('330106', 4, '2025-03-01')::jsonb #>> '{features,0,properties,parent_name}') AS township_parent;

-- Every view of the room has plain column types only (no gridcode, interval, jsonb, geometry).
SELECT c.table_name, c.data_type, count(*) AS columns
FROM information_schema.columns c
WHERE c.table_schema = 'shegu' AND c.table_name LIKE 'report\_%'
GROUP BY 1, 2 ORDER BY 1, 2;
-- Every object of the room has a comment.
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname LIKE 'report\_%' AND obj_description(c.oid) IS NULL;
SELECT p.proname FROM pg_proc p
WHERE p.pronamespace = 'shegu'::regnamespace
  AND p.proname IN ('report_level_name', 'report_unit_name', 'report_unit_path', 'freeze_month', 'grant_report_access', 'grid_geojson', 'choropleth_svg')
  AND obj_description(p.oid, 'pg_proc') IS NULL;
