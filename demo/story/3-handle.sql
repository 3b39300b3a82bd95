-- The story, part 3: handle and escalate (处置与上报).  Through January the centre accepts
-- (受理), dispatches (交办), the grids dispose (处置), the centre verifies (核查) and closes
-- (结案), residents evaluate (评价); a few cases are never accepted or never finished.  The
-- centre's pg_cron job sweeps (shegu.sweep) every hour of the working day: what passes its
-- level's deadline goes one level up (grid → community → township → county), and lights turn.
-- demo/story/3-handle.sql — run by tools/demo.sh after 2-locate.sql.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\echo
\echo '== 3. Handle and escalate 处置与上报'
\echo 'Every step goes through act(), in time order, with the hourly sweep in between (08:00-20:00 every day of January).'
\o /dev/null
-- Some communities do worse than others (weak = 0): slower, more left undone.
CREATE TEMP TABLE plan AS
WITH i AS (
    SELECT x.id, x.reported_at, m.r, m.q, abs(hashtext(ancestor(x.grid, 5)::text)) % 4 = 0 AS weak
    FROM incident x JOIN month_report m ON x.idempotency_key = 'jan-' || m.k
    WHERE x.grid IS NOT NULL
), steps AS (
    SELECT i.*, i.reported_at + interval '40 minutes' + CASE WHEN i.weak THEN i.q * interval '5 hours' ELSE interval '0' END AS accept_at,
           interval '2 hours' + i.q * i.q * interval '60 hours' AS work
    FROM i
    WHERE i.r >= 0.01 + 0.03 * i.weak::int                        -- else never accepted
)
SELECT id, accept_at AS at, 1 AS ord, 'accept' AS action, '受理中心' AS actor, NULL::jsonb AS detail FROM steps
UNION ALL SELECT id, accept_at + interval '10 minutes', 2, 'dispatch', '受理中心', NULL FROM steps
UNION ALL SELECT id, accept_at + work, 3, 'resolve', '网格员', NULL FROM steps WHERE r >= 0.02 + 0.05 * weak::int
UNION ALL SELECT id, accept_at + work + interval '1 hour', 4, 'verify', '受理中心', NULL FROM steps WHERE r >= 0.02 + 0.05 * weak::int
UNION ALL SELECT id, accept_at + work + interval '70 minutes', 5, 'close', '受理中心', NULL FROM steps WHERE r >= 0.02 + 0.05 * weak::int
UNION ALL SELECT id, accept_at + work + interval '1 day', 6, 'evaluate', '居民',
                 jsonb_build_object('satisfaction', greatest(1, 5 - (q * q * 3)::int - weak::int)) FROM steps WHERE r >= 0.02 + 0.05 * weak::int
UNION ALL SELECT NULL, h, 0, 'sweep', 'pg_cron', NULL
          FROM generate_series(timestamptz '2026-01-05 08:00+08', '2026-02-01 00:00+08', interval '1 hour') AS h
          WHERE extract(hour FROM h AT TIME ZONE 'Asia/Shanghai') BETWEEN 8 AND 20;
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT * FROM plan WHERE at < '2026-02-01 00:00+08' ORDER BY at, ord, id LOOP
        PERFORM set_config('shegu.incident_clock', s.at::text, true);
        IF s.action = 'sweep' THEN
            PERFORM shegu.sweep(s.at);
        ELSE
            PERFORM shegu.act(s.id, s.action, s.actor, NULL, s.detail);
        END IF;
    END LOOP;
END;
$$;
\o
\echo 'At the end of January (31 Jan 24:00), where the reports stand:'
SELECT status, count(*) AS incidents FROM incident WHERE idempotency_key LIKE 'jan-%' GROUP BY status ORDER BY count(*) DESC;

\echo 'What the sweep did: escalations by the level they left (应上报未上报 when the sweep had to do it):'
SELECT e.from_level, e.to_level, count(*) AS escalations, count(DISTINCT e.incident_id) AS incidents
FROM incident_event e JOIN incident i ON i.id = e.incident_id
WHERE e.action = 'escalate' AND i.idempotency_key LIKE 'jan-%'
GROUP BY e.from_level, e.to_level ORDER BY min(e.at);

\echo 'The trail of one report nobody accepted: each escalation names who had it and when:'
SELECT e.action, e.actor, to_char(e.at AT TIME ZONE 'Asia/Shanghai', 'MM-DD HH24:MI') AS at_beijing,
       e.from_level, e.to_level, u.unit_path AS "responsible unit 责任单位"
FROM incident_event e
JOIN incident i ON i.id = e.incident_id
LEFT JOIN report_unit u ON u.unit_code = incident_unit(i.grid, e.to_level)::text
WHERE e.incident_id = (SELECT min(x.id) FROM incident x WHERE x.idempotency_key LIKE 'jan-%' AND x.status = 'reported'
                         AND x.source = 'hotline')
ORDER BY e.id;
RESET shegu.incident_clock;
