-- Demo: reports for analysts and BI tools (报表).  A month of incidents over the demo county
-- (January 2026) goes round the loop, feeds the default 社会治理指数 at community level; then the
-- views a BI tool reads, the frozen month, a BI role with only the report grants, and the two
-- map files: a GeoJSON of the communities and a choropleth SVG of the index.
-- Files go to $SHEGU_DEMO_OUT (tools/demo.sh: build/demo in the checkout), else the working directory.
SET search_path = shegu, public;
\getenv out SHEGU_DEMO_OUT
\if :{?out}
\else
\set out .
\endif

-- Units: text codes, names, parents and levels as plain columns.
SELECT unit_code, unit_name, parent_name, level, level_name_zh, households, population
FROM report_unit WHERE level <= 4 ORDER BY unit_code;

-- Categories with their limits in hours (working hours for working-time limits).
SELECT category_code, category_name, accept_limit_hours, accept_basis, dispose_limit_hours, dispose_basis
FROM report_category WHERE category_code = top_category_code ORDER BY category_code;

-- January 2026: 600 reports at points across the county (the trigger finds each grid); most are
-- handled within a day, some late, a few left open; some communities do worse than others.
SELECT setseed(0.2026);
CREATE TEMP TABLE demo_report_point AS
SELECT k, ST_SetSRID(ST_MakePoint(110.56 + random() * 0.78, 26.26 + random() * 0.68), 4326) AS pt,
       timestamptz '2026-01-05 08:30+08' + (random() * 20)::int * interval '1 day' + random() * interval '8 hours' AS at,
       random() AS r, random() AS q
FROM generate_series(1, 600) AS k;
INSERT INTO incident (category, title, source, location, reported_at)
SELECT (ARRAY['dispute.neighbour', 'environment.garbage', 'public_service.facility', 'hazard.fire', 'construction.building'])[1 + k % 5],
       format('演示事件 demo incident %s', k), (ARRAY['patrol', 'resident', 'hotline', 'wechat'])[1 + k % 4], pt, at
FROM demo_report_point;
DO $$
DECLARE
    i record;
    t timestamptz;
BEGIN
    FOR i IN SELECT x.id, x.reported_at, p.r, p.q, abs(hashtext(shegu.ancestor(x.grid, 5)::text)) % 4 AS weak
             FROM shegu.incident x JOIN demo_report_point p ON x.title = format('演示事件 demo incident %s', p.k)
             WHERE x.grid IS NOT NULL ORDER BY x.id
    LOOP
        CONTINUE WHEN i.r < 0.02 + 0.06 * (i.weak = 0)::int;                 -- never accepted
        t := i.reported_at + interval '40 minutes';
        PERFORM set_config('shegu.incident_clock', t::text, true);
        PERFORM shegu.act(i.id, 'accept', '受理中心');
        PERFORM shegu.act(i.id, 'dispatch', '受理中心', NULL, '{"level": "grid"}');
        CONTINUE WHEN i.r < 0.05 + 0.10 * (i.weak = 0)::int;                 -- still open
        t := t + interval '2 hours' + i.q * i.q * interval '60 hours';       -- mostly fast, a tail of late ones
        PERFORM set_config('shegu.incident_clock', t::text, true);
        PERFORM shegu.act(i.id, 'resolve', '网格员');
        PERFORM shegu.act(i.id, 'verify', '受理中心');
        PERFORM shegu.act(i.id, 'close', '受理中心');
        PERFORM shegu.act(i.id, 'evaluate', '居民', NULL,
                          jsonb_build_object('satisfaction', 5 - (i.q * 3)::int - (i.weak = 0)::int));
    END LOOP;
END;
$$;
RESET shegu.incident_clock;
SELECT status, count(*) FROM incident WHERE title LIKE '演示事件%' GROUP BY status ORDER BY status;

-- A resident survey in every community, then the default index for January at community level.
INSERT INTO survey_response (unit, period, question, score)
SELECT u.unit_code::gridcode, '2026-01-01', q, 2 + (abs(hashtext(u.unit_code || q || i)) % 4)
FROM report_unit u, unnest('{知晓度,参与度,满意度}'::text[]) AS q, generate_series(1, 20) AS i
WHERE u.level = 5;
SELECT feed_index('社会治理指数', '2026-01-01') AS values_fed, store_index('社会治理指数', '2026-01-01') AS scores_stored;

-- The index for BI: names, grade, and a rank that skips vetoed communities (一票否决: disposal
-- rate below 95%): they get the lowest grade and no rank.
SELECT unit_code, unit_path, index_value, grade, vetoed, rank, ranked_units
FROM report_index WHERE model = '社会治理指数' AND period_start = '2026-01-01'
ORDER BY rank NULLS LAST, unit_code;

-- Freeze January (pg_cron: SELECT cron.schedule('shegu-freeze', '30 0 1 * *', 'SELECT shegu.freeze_month()'));
-- a second call changes nothing.
SELECT freeze_month('2026-01-01') AS rows_frozen, freeze_month('2026-01-01') AS again;
-- Monthly figures by township: one level at a time, so the rows add up to the county.
SELECT unit_code, unit_name, received, closed, closed_on_time, overdue_open, disposal_rate, on_time_rate,
       avg_hours_to_close, frozen
FROM report_incident_month WHERE period_start = '2026-01-01' AND level = 4 ORDER BY unit_code;
SELECT level, level_name, sum(received) AS received, count(*) AS units
FROM report_incident_month WHERE period_start = '2026-01-01' GROUP BY level, level_name ORDER BY level;

-- Pins for a map: WGS-84 for OpenStreetMap tiles, GCJ-02 for Amap/Tencent tiles.
SELECT incident_id, category_name, unit_path, status, round(lon::numeric, 5) AS lon, round(lat::numeric, 5) AS lat,
       round(lon_gcj02::numeric, 5) AS lon_gcj02, round(lat_gcj02::numeric, 5) AS lat_gcj02
FROM report_incident WHERE reported_month = '2026-01-01' ORDER BY incident_id LIMIT 5;

-- A BI role with only the report grants (docs/bi.md) reads the views and nothing else.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shegu_demo_bi') THEN CREATE ROLE shegu_demo_bi; END IF;
END $$;
SELECT grant_report_access('shegu_demo_bi');
SET ROLE shegu_demo_bi;
SELECT count(*) AS index_rows FROM shegu.report_index;
DO $$ BEGIN
    PERFORM count(*) FROM shegu.incident;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'the BI role cannot read shegu.incident (%)', SQLERRM;
END $$;
RESET ROLE;

-- The map files.
SELECT octet_length(grid_geojson('430528', 5, '2026-01-31', '2026-01-01')::text) AS geojson_bytes,
       octet_length(grid_geojson('430528', 6, '2026-01-31', '2026-01-01', 'gcj02')::text) AS grids_gcj02_bytes;
\set geojson_file :out '/communities_2026-01.geojson'
\set svg_file :out '/index_2026-01.svg'
\pset format unaligned
\pset tuples_only on
\o :geojson_file
SELECT grid_geojson('430528', 5, '2026-01-31', '2026-01-01');
\o :svg_file
SELECT choropleth_svg('社会治理指数', '2026-01-01', 5, '430528');
\o
\pset format aligned
\pset tuples_only off
\echo wrote :geojson_file and :svg_file
