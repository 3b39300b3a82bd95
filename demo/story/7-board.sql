-- The story, part 7: the summary board (看板).  What the centre's screen shows the morning the
-- demo runs: the backlog by time light (after the sweep a centre's pg_cron runs every few
-- minutes, so nothing long overdue shows green), January against the 95 % target, the ranking,
-- and where the files are.
-- demo/story/7-board.sql — run by tools/demo.sh last.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\getenv out SHEGU_DEMO_OUT
\if :{?out}
\else
\set out .
\endif
\echo
\echo '== 7. Summary board 看板'
\echo 'The sweep runs now, as pg_cron would (SELECT cron.schedule(''shegu-sweep'', ''*/5 * * * *'', ''SELECT shegu.sweep()'')):'
SELECT sweep() AS escalated_now;

\echo 'Open incidents by time light, now (亮灯: 绿 green, 黄 yellow, 红 red overdue):'
SELECT o.unit_name AS "unit 单位", o.open_incidents AS "open 未结",
       o.open_incidents - o.yellow - o.red - o.suspended AS "green 绿", o.yellow AS "yellow 黄", o.red AS "red 红",
       o.suspended AS "suspended 挂账"
FROM report_open_incident o WHERE o.level = 3 AND o.unit_code = '430528'
UNION ALL
SELECT '  ' || o.unit_name, o.open_incidents, o.open_incidents - o.yellow - o.red - o.suspended, o.yellow, o.red, o.suspended
FROM (SELECT * FROM report_open_incident WHERE level = 4 AND unit_code LIKE '430528%' ORDER BY red DESC, unit_code LIMIT 3) o;

\echo 'The supervisor''s list (督办): the five most overdue, hours left by the category''s clock (negative: overdue; working hours for working-time limits):'
SELECT s.id, s.category_zh AS "category 分类", u.unit_path AS "grid 网格", s.status, s.level AS "held by 责任层级",
       s.time_left_hours AS "hours left 剩余时长"
FROM incident_supervision s LEFT JOIN report_unit u ON u.unit_code = s.grid::text
WHERE s.time_left_hours IS NOT NULL ORDER BY s.time_left_hours, s.id LIMIT 5;

\echo 'January: disposal rate against the 95 % target (处置率 ≥ 95%, seed 004), county and townships:'
SELECT CASE WHEN level = 3 THEN unit_name ELSE '  ' || unit_name END AS "unit 单位",
       round(100 * disposal_rate, 1) AS "disposal 处置率 %",
       CASE WHEN disposal_rate >= 0.95 THEN '达标 ✓' ELSE '未达标 ✗ (' || round(100 * (0.95 - disposal_rate), 1) || ' points short)' END AS "target 95 %"
FROM report_incident_month WHERE period_start = '2026-01-01' AND level IN (3, 4) AND unit_code LIKE '430528%'
ORDER BY level, disposal_rate;

\echo 'The index ranking of January: the top three, and how many communities are vetoed or blank:'
SELECT rank AS "rank 名次", unit_path AS "community 社区/村", round(index_value, 1) AS "index 指数", grade AS "grade 等次"
FROM report_index WHERE model = '社会治理指数' AND period_start = '2026-01-01' AND rank <= 3 ORDER BY rank;
SELECT max(ranked_units) AS ranked, count(*) FILTER (WHERE vetoed) AS "vetoed 一票否决",
       count(*) FILTER (WHERE index_value IS NULL) AS "no index 无指数", count(*) AS communities
FROM report_index WHERE model = '社会治理指数' AND period_start = '2026-01-01';

\echo 'Files:'
\set line '  map of the index      ' :out '/index_2026-01.svg (index_2026-01.png beside it when Chromium is installed)'
\echo :line
\set line '  communities GeoJSON   ' :out '/communities_2026-01.geojson'
\echo :line
\set line '  ranking CSV           ' :out '/ranking_2026-01.csv'
\echo :line
\echo 'Try the queries of docs/try-it.md on this database (shegu_demo).'
