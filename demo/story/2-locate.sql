-- The story, part 2: locate reports (落格).  January 2026: residents report through WeChat
-- (GCJ-02 coordinates), the 12345 hotline geocodes addresses with Baidu (BD-09), grid workers
-- patrol (WGS-84 from the app); every report is placed in its grid by shegu.locate.
-- demo/story/2-locate.sql — run by tools/demo.sh after 1-grids.sql.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\echo
\echo '== 2. Locate the reports 事件落格'
\echo 'One WeChat report: the mini-program sends GCJ-02 (火星坐标); read as WGS-84 it would land hundreds of metres off, in another grid.'
SELECT round(ST_X(w)::numeric, 5) AS wechat_lon, round(ST_Y(w)::numeric, 5) AS wechat_lat,
       (SELECT unit_path FROM report_unit WHERE unit_code = locate(ST_X(w), ST_Y(w), 'gcj02', '2026-01-10')::text) AS "converted: the right grid",
       (SELECT unit_path FROM report_unit WHERE unit_code = locate(w, '2026-01-10')::text) AS "not converted: wrong grid",
       round(ST_Distance(w::geography, p::geography)) AS metres_apart
FROM (SELECT p, wgs84_to_gcj02(p) AS w
      FROM (SELECT ST_SetSRID(ST_MakePoint(110.9 + i * 0.001, 26.6), 4326) AS p FROM generate_series(0, 100) AS i) s) t
WHERE locate(p, '2026-01-10') IS DISTINCT FROM locate(w, '2026-01-10')
LIMIT 1;

\echo 'The month: 600 reports from patrols 巡查, WeChat 微信, the 12345 hotline and residents 群众, each through shegu.report() in its own datum.'
\o /dev/null
SELECT setseed(0.2026);
CREATE TEMP TABLE month_report AS
SELECT k, ST_SetSRID(ST_MakePoint(110.56 + random() * 0.78, 26.26 + random() * 0.68), 4326) AS pt,
       timestamptz '2026-01-05 08:30+08' + (random() * 24)::int * interval '1 day' + random() * interval '9 hours' AS at,
       (ARRAY['patrol', 'patrol', 'patrol', 'wechat', 'wechat', 'hotline', 'hotline', 'resident', 'video', 'patrol'])[1 + k % 10] AS source,
       (ARRAY['dispute.neighbour', 'environment.garbage', 'public_service.facility', 'hazard.fire',
              'construction.building', 'environment.garbage', 'dispute.neighbour'])[1 + (k * 3) % 7] AS category,
       random() AS r, random() AS q
FROM generate_series(1, 600) AS k;
SELECT report(m.category, format('一月事件 January report %s', m.k), m.source,
              location => CASE m.source WHEN 'wechat' THEN gcj02_to_wgs84(wgs84_to_gcj02(m.pt))
                                        WHEN 'hotline' THEN bd09_to_wgs84(wgs84_to_bd09(m.pt))
                                        ELSE m.pt END,
              reporter => CASE m.source WHEN 'patrol' THEN '网格员' WHEN 'hotline' THEN '12345' END,
              reported_at => m.at, idempotency_key => 'jan-' || m.k)
FROM month_report m ORDER BY m.at;
\o
\echo 'The apps retry when the network drops: the same idempotency key gives the same incident, not a second one.'
SELECT (SELECT id FROM incident WHERE idempotency_key = 'jan-1') AS stored_first,
       (report(m.category, format('一月事件 January report %s', m.k), m.source, location => m.pt,
               reported_at => m.at, idempotency_key => 'jan-' || m.k)).id AS returned_on_retry,
       (SELECT count(*) FROM incident WHERE idempotency_key = 'jan-1') AS rows_with_the_key
FROM month_report m WHERE m.k = 1;

\echo 'Where they landed, by township and channel (every report found its grid):'
SELECT CASE WHEN grouping(u.unit_code) = 1 THEN '县 county total' ELSE coalesce(u.unit_name, '(no grid)') END AS "township 乡镇",
       count(*) AS reports,
       count(*) FILTER (WHERE i.source = 'patrol') AS patrol,
       count(*) FILTER (WHERE i.source = 'wechat') AS wechat,
       count(*) FILTER (WHERE i.source = 'hotline') AS hotline,
       count(*) FILTER (WHERE i.source NOT IN ('patrol', 'wechat', 'hotline')) AS other
FROM incident i LEFT JOIN report_unit u ON u.unit_code = ancestor(i.grid, 4)::text
WHERE i.idempotency_key LIKE 'jan-%'
GROUP BY ROLLUP ((u.unit_code, u.unit_name)) ORDER BY grouping(u.unit_code), u.unit_code;
