-- Demo: incidents (矛盾问题).  Three reports in Xinning county during the week before the 2026
-- Spring Festival go round the closed loop; the sweep escalates the one nobody handles and the
-- supervisor's app hears about it (LISTEN); then the centre's measures and accountability.
SET search_path = shegu, public;
LISTEN shegu_escalation;
LISTEN shegu_light;

-- The tiered handling list (分级处置清单), top level.
SELECT code, name_zh, handling_level, accept_limit, accept_basis, dispose_limit, dispose_basis
FROM incident_category WHERE parent IS NULL ORDER BY code;

-- Reports from a patrol, the 12345 hotline and WeChat (the demo fixes the clock).
SET shegu.incident_clock = '2026-02-12 09:00+08';
INSERT INTO incident (category, title, source, grid, reporter, reported_at) VALUES
    ('dispute.neighbour', '楼上漏水 leaking ceiling between neighbours', 'patrol', '430528101001003', '王网格员', '2026-02-12 08:40+08'),
    ('environment.garbage', '河边垃圾 garbage by the river', 'hotline', '430528101001004', '12345', '2026-02-12 08:45+08'),
    ('hazard.gas', '燃气味 smell of gas in a stairwell', 'wechat', '430528102001001', NULL, '2026-02-12 08:50+08')
RETURNING id, category, level, accept_due_at, light;

-- A WeChat report with only a point: the trigger locates its grid (shegu.locate) as drawn on the
-- report date, here in the county the lookup demo generated (no row when there are no grids).
INSERT INTO incident (category, title, source, location, reported_at)
SELECT 'public_service.facility', '路灯不亮 street light out', 'wechat', ST_PointOnSurface(g.boundary),
       '2026-02-12 08:55+08'
FROM grid AS g WHERE g.kind = 'basic' AND g.valid_to IS NULL ORDER BY g.code LIMIT 1
RETURNING id, grid, level, accept_due_at;

-- The dispute goes round the loop: accepted, dispatched to the grid, resolved, verified, closed, evaluated.
SELECT id, status, due_at FROM act(1, 'accept', '受理中心');
SELECT status, level FROM act(1, 'dispatch', '受理中心', NULL, '{"level": "grid"}');
SET shegu.incident_clock = '2026-02-13 11:00+08';
SELECT status FROM act(1, 'resolve', '王网格员', 'mediated; plumber booked');
SELECT status FROM act(1, 'verify', '受理中心');
SELECT status, round(work_hours_to_close::numeric, 1) AS work_hours_to_close FROM act(1, 'close', '受理中心');
SELECT status, satisfaction FROM act(1, 'evaluate', '居民', NULL, '{"satisfaction": 5}');

-- The gas smell is accepted and suspended (挂账) while the gas company investigates.
SET shegu.incident_clock = '2026-02-12 09:10+08';
SELECT status, due_at FROM act(3, 'accept', '受理中心');
SELECT status FROM act(3, 'suspend', '受理中心', 'gas company on site');

-- An illegal step is refused with SQLSTATE SGI01 and changes nothing.
DO $$
BEGIN
    PERFORM shegu.act(2, 'close', '受理中心');
EXCEPTION WHEN SQLSTATE 'SGI01' THEN
    RAISE NOTICE 'refused (%): %', SQLSTATE, SQLERRM;
END;
$$;

-- Nobody accepts the hotline report (2 working hours, due 10:45): at 10:30 its light is yellow,
-- at 11:00 red and the sweep takes it to the community (2 working hours more, over lunch: 15:00),
-- then after the Spring Festival holiday to the township.
SELECT sweep('2026-02-12 10:30+08') AS escalated;
SELECT sweep('2026-02-12 11:00+08') AS escalated;
SELECT id, status, level, light, level_due_at, escalations FROM incident WHERE id = 2;
SELECT sweep('2026-02-24 09:00+08') AS escalated;
SELECT action, actor, at, from_level, to_level FROM incident_event WHERE incident_id = 2 ORDER BY id;

-- What the centre reports: measures by township for February, and accountability findings.
SELECT unit, received, accepted, closed, closed_on_time, overdue_open, suspended,
       round(disposal_rate::numeric, 2) AS disposal_rate, round(on_time_rate_incl_open::numeric, 2) AS on_time_incl_open
FROM incident_measures_at('2026-02-24 09:00+08') WHERE level = 4 ORDER BY unit;
SELECT kind, kind_zh, incident_id, responsible_level, responsible_unit, failed_at
FROM incident_accountability_at('2026-02-24 09:00+08') ORDER BY incident_id, failed_at;
RESET shegu.incident_clock;
UNLISTEN *;
