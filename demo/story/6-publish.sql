-- The story, part 6: publish (发布).  What leaves the centre: the map of the index (SVG, and a PNG
-- when Chromium is installed), the communities as GeoJSON for web maps, the ranking as CSV, and a
-- BI role that reads the report views and nothing else.
-- demo/story/6-publish.sql — run by tools/demo.sh after 5-index.sql; files go to $SHEGU_DEMO_OUT
-- (tools/demo.sh: build/demo in the checkout), else the working directory.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\getenv out SHEGU_DEMO_OUT
\if :{?out}
\else
\set out .
\endif
\echo
\echo '== 6. Publish 发布'
\set svg_file :out '/index_2026-01.svg'
\set geojson_file :out '/communities_2026-01.geojson'
\set csv_file :out '/ranking_2026-01.csv'
\pset format unaligned
\pset tuples_only on
\o :svg_file
SELECT choropleth_svg('社会治理指数', '2026-01-01', 5, '430528', 1200, 900);
\o :geojson_file
SELECT grid_geojson('430528', 5, '2026-01-31', '2026-01-01');
\o
\pset format aligned
\pset tuples_only off
\o :csv_file
COPY (SELECT rank, unit_code, unit_path, round(index_value, 1) AS index_value, grade, vetoed, unranked_reason
      FROM shegu.report_index WHERE model = '社会治理指数' AND period_start = '2026-01-01'
      ORDER BY rank NULLS LAST, unit_code) TO STDOUT WITH (FORMAT csv, HEADER);
\o
\echo 'Wrote the map (分级设色图, 1200×900, names on the communities, legend, north arrow, scale bar):' :svg_file
\echo 'Wrote the communities with their January figures, for web maps (WGS-84):' :geojson_file
\echo 'Wrote the ranking as CSV:' :csv_file

\echo 'A BI tool (Metabase …) gets a role with only the report views (docs/bi.md):'
\o /dev/null
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shegu_demo_bi') THEN CREATE ROLE shegu_demo_bi; END IF;
END $$;
SELECT grant_report_access('shegu_demo_bi');
\o
SET ROLE shegu_demo_bi;
SELECT count(*) AS index_rows_it_reads, (SELECT count(*) FROM shegu.report_incident_month) AS month_rows_it_reads
FROM shegu.report_index;
SELECT has_table_privilege('shegu.incident', 'SELECT') AS can_read_incidents_one_by_one;
RESET ROLE;
