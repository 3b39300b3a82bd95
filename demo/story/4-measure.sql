-- The story, part 4: measure (考核).  The month is over: its figures are frozen on the 1st
-- (shegu.freeze_month, pg_cron at 00:30), then read by township and for the county against
-- seed 004's target (处置率 ≥ 95%), with the accountability findings (应发现未发现 …).
-- demo/story/4-measure.sql — run by tools/demo.sh after 3-handle.sql.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\echo
\echo '== 4. Measure 月度考核'
\echo 'Freeze January: later steps of its incidents no longer move its figures (a second call changes nothing).'
SELECT freeze_month('2026-01-01') AS rows_frozen, freeze_month('2026-01-01') AS again;

\echo 'January by township (rates in %, hours are working hours):'
SELECT unit_name AS "township 乡镇", received AS "received 受理", closed AS "closed 结案",
       overdue_open AS "overdue 超期未结", round(100 * disposal_rate, 1) AS "disposal 处置率 %",
       round(100 * on_time_rate, 1) AS "on time 按期 %", round(avg_hours_to_close, 1) AS "avg hours 平均工时",
       round(100 * satisfaction_rate, 1) AS "satisfied 满意 %"
FROM report_incident_month WHERE period_start = '2026-01-01' AND level = 4 ORDER BY unit_code;

\echo 'The county against the 95 % disposal target of seed 004 (四级平台问题处置率达到95%以上):'
SELECT unit_name AS county, received, round(100 * disposal_rate, 1) AS "disposal 处置率 %",
       CASE WHEN disposal_rate >= 0.95 THEN '达标 meets 95 %' ELSE '未达标 below 95 %' END AS target
FROM report_incident_month WHERE period_start = '2026-01-01' AND level = 3;

\echo 'Communities below the target (95 % is the platform''s target, not a veto: the index scores them lower; the veto is the register''s, part 5):'
SELECT unit_path AS "community 社区/村", received, round(100 * disposal_rate, 1) AS "disposal 处置率 %"
FROM report_incident_month WHERE period_start = '2026-01-01' AND level = 5 AND disposal_rate < 0.95
ORDER BY disposal_rate, unit_code;

\echo 'Accountability findings for January, by kind and township (三个应当):'
SELECT a.kind_zh, a.kind, count(*) AS findings, count(DISTINCT a.incident_id) AS incidents,
       (SELECT u.unit_name FROM report_unit u WHERE u.unit_code = mode() WITHIN GROUP (ORDER BY ancestor(a.grid, 4)::text)) AS "most in 最多"
FROM incident_accountability_at('2026-02-01 00:00+08') a
JOIN incident i ON i.id = a.incident_id
WHERE i.idempotency_key LIKE 'jan-%'
GROUP BY a.kind_zh, a.kind ORDER BY a.kind;
