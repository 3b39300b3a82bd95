-- Figures true to the seeds (issue 18 C): one definition of each incident measure, the
-- disposal rate of seed 004, the time light as of now, the register of major events and its
-- veto (seed 003), the default weights (seed 001), and the shipped limits labelled as local
-- defaults.  A district of its own (320102) keeps it apart from the other rooms' data; no
-- result depends on today's date (fixed times, or times relative to now()).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;
\set SHOW_CONTEXT never

INSERT INTO grid (code, name, kind, boundary) VALUES
('320102', '玄武区', 'county', ST_Multi(ST_MakeEnvelope(118.70, 32.00, 118.90, 32.10, 4326))),
('320102001', '梅园街道', 'township', ST_Multi(ST_MakeEnvelope(118.70, 32.00, 118.80, 32.10, 4326))),
('320102001001', '梅园社区', 'community', ST_Multi(ST_MakeEnvelope(118.70, 32.00, 118.75, 32.10, 4326))),
('320102001002', '大行宫社区', 'community', ST_Multi(ST_MakeEnvelope(118.75, 32.00, 118.80, 32.10, 4326))),
('320102001001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(118.70, 32.00, 118.75, 32.05, 4326))),
('320102001002001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(118.75, 32.00, 118.80, 32.05, 4326)));

-- ==== 1. one definition of each measure
-- Five reports in May 2026: one closed (verified), one resolved but not verified, one rejected,
-- one suspended, one still reported.
SET shegu.incident_clock = '2026-05-04 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at) VALUES
('hazard.fire', 'f1 closed', 'patrol', '320102001001001', '2026-05-04 08:00+08'),
('hazard.fire', 'f2 resolved', 'patrol', '320102001001001', '2026-05-04 08:10+08'),
('other', 'f3 rejected', 'hotline', '320102001001001', '2026-05-04 08:20+08'),
('hazard.gas', 'f4 suspended', 'wechat', '320102001002001', '2026-05-04 08:30+08'),
('other', 'f5 reported', 'resident', '320102001002001', '2026-05-04 08:40+08');
SELECT min(id) AS f1 FROM incident WHERE title = 'f1 closed' \gset
SELECT count(*) AS acted FROM (
    SELECT act(:f1, 'accept', 'centre'), act(:f1, 'dispatch', 'centre'), act(:f1, 'resolve', 'grid'), act(:f1, 'verify', 'centre'),
           act(:f1, 'close', 'centre'),
           act(:f1 + 1, 'accept', 'centre'), act(:f1 + 1, 'dispatch', 'centre'), act(:f1 + 1, 'resolve', 'grid'),
           act(:f1 + 2, 'reject', 'centre', 'not ours'),
           act(:f1 + 3, 'accept', 'centre'), act(:f1 + 3, 'suspend', 'centre', 'gas company')) AS s;
RESET shegu.incident_clock;
-- Seed 004: "全市社会公共管理四级信息平台上报问题处置率不低于95%": disposed (verified, closed or
-- evaluated) over every reported problem, 1 of 5; the 0.2.0 rate counted the unverified
-- resolution and left out the rejected, unaccepted and suspended ones: 2 of 2.
SELECT unit, level, received, accepted, disposed, suspended, disposal_rate, disposal_rate_accepted
FROM incident_measures_at('2026-05-05 09:00+08')
WHERE unit OPERATOR(<@) '320102'::gridcode AND month = '2026-05-01' ORDER BY level, unit;
-- The report views read the same definition, rounded to 4 decimals where people read them.
SELECT level, unit_code, received, disposed, disposal_rate, disposal_rate_accepted, frozen
FROM report_incident_month WHERE unit_code LIKE '320102%' AND period_start = '2026-05-01' ORDER BY level, unit_code;
-- One definition: the measures are the figures' rows at their own level, and the monthly
-- report their rounding, row for row, over every incident of every room's tests.
SELECT count(*) AS measures_not_in_figures FROM (
    SELECT unit, level, month, received, accepted, disposed, closed, closed_on_time, suspended,
           disposal_rate, disposal_rate_accepted, rework_rate FROM incident_measures
    EXCEPT
    SELECT unit, level, month, received, accepted, disposed, closed, closed_on_time, suspended,
           disposal_rate, disposal_rate_accepted, rework_rate FROM incident_figures WHERE unit_level = level) AS x;
SELECT count(*) AS figures_not_in_measures FROM (
    SELECT unit, level, month FROM incident_figures WHERE unit_level = level
    EXCEPT SELECT unit, level, month FROM incident_measures) AS x;
SELECT count(*) AS report_rows_off FROM (
    SELECT month, level, unit_code, received, disposed, disposal_rate, disposal_rate_accepted, on_time_rate FROM report_month_live
    EXCEPT
    SELECT month, level, unit::text, received, disposed, round(disposal_rate::numeric, 4),
           round(disposal_rate_accepted::numeric, 4), round(on_time_rate::numeric, 4)
    FROM incident_figures WHERE level <= 6) AS x;
SELECT level, sum(received) = (SELECT count(*) FROM incident) AS adds_up
FROM incident_figures GROUP BY level ORDER BY level;

-- ==== 2. the time light as of a time
-- The rule of the triggers: while the clock runs, red past the running deadline, yellow from
-- yellow_at; a stopped clock keeps the stored light.
SELECT s, incident_light_at(s, 'green', '2026-05-04 12:00+08', '2026-05-04 10:00+08', '2026-05-06 10:00+08', t) AS light
FROM (VALUES ('reported'), ('accepted'), ('dispatched'), ('resolved'), ('suspended')) AS a(s),
     (VALUES ('2026-05-04 09:00+08'::timestamptz), ('2026-05-04 11:00+08'), ('2026-05-05 09:00+08'), ('2026-05-07 09:00+08')) AS b(t)
ORDER BY s, t;
SELECT incident_light_at('accepted', 'green', NULL, '2026-05-04 10:00+08', '2026-05-06 10:00+08', '2026-05-05 09:00+08') AS no_yellow,
       incident_light_at('accepted', 'yellow', NULL, '2026-05-04 10:00+08', NULL, '2026-05-07 09:00+08') AS no_deadline,
       incident_light_at('accepted', 'yellow', NULL, '2026-05-04 10:00+08', '2026-05-06 10:00+08', NULL) AS no_time,
       incident_light_at(NULL, NULL, NULL, NULL, NULL, NULL) AS all_null;
-- An incident reported 11 months ago on the clock of that day: the trigger stored green; nobody
-- swept since.  Every view shows it red now, the stored light stays until sweep() turns it.
SELECT set_config('shegu.incident_clock', (now() - interval '330 days')::text, false) IS NOT NULL AS clock_set;
INSERT INTO incident (category, title, source, grid) VALUES ('other', 'f6 forgotten', 'resident', '320102001002001');
RESET shegu.incident_clock;
SELECT light AS stored, accept_due_at < now() - interval '300 days' AS long_overdue FROM incident WHERE title = 'f6 forgotten';
SELECT light FROM incident_supervision WHERE title = 'f6 forgotten';
SELECT light FROM report_incident WHERE title = 'f6 forgotten';
SELECT m.light FROM incident_masked m JOIN incident i USING (id) WHERE i.title = 'f6 forgotten';
SELECT unit_code, open_incidents, yellow, red FROM report_open_incident WHERE unit_code = '320102001002' AND level = 5;
-- sweep() still turns the stored light (and notifies); the views agree before and after.
SELECT sweep(now()) >= 0 AS swept;
SELECT light AS stored_after_sweep FROM incident WHERE title = 'f6 forgotten';
-- A report just made is green everywhere.
INSERT INTO incident (category, title, source, grid) VALUES ('other', 'f7 fresh', 'resident', '320102001002001');
SELECT i.light AS stored, s.light AS shown FROM incident i JOIN incident_supervision s USING (id) WHERE i.title = 'f7 fresh';
-- The views stay STABLE: one statement sees one now().
SELECT provolatile FROM pg_proc WHERE oid = 'incident_light_at(text, text, timestamptz, timestamptz, timestamptz, timestamptz)'::regprocedure;

-- ==== 3. the register of major events (seed 003: 黄牌警告、摘牌、一票否决)
SELECT (register_major_event('320102001001', 'mass_incident', '2026-03-10', '群体性上访 mass petition')).id AS e1 \gset
SELECT id = :e1 AS same, unit, kind, occurred_on, stage, vetoed_on FROM major_event WHERE id = :e1;
-- Sanctions one after the other; a veto covers, by default, the month of the event to the end of its year.
SELECT stage, yellow_card_on FROM sanction_major_event(:e1, 'yellow_card', '2026-03-12');
SELECT stage, delisted_on FROM sanction_major_event(:e1, 'delisting', '2026-03-20');
SELECT stage, vetoed_on, veto_from, veto_to FROM sanction_major_event(:e1, 'veto', '2026-04-01');
-- A second event with its own window, registered on a basic grid and linked to an incident.
SELECT (register_major_event('320102001002001', 'safety_accident', '2026-02-01', '燃气爆炸 gas explosion', :f1 + 3, 'ref 12')).id AS e2 \gset
SELECT count(*) FROM (SELECT sanction_major_event(:e2, 'yellow_card', '2026-02-02'),
                             sanction_major_event(:e2, 'delisting', '2026-02-03'),
                             sanction_major_event(:e2, 'veto', '2026-02-05', '2026-01-01', '2026-04-01')) AS s;
SELECT (register_major_event('320102001002', 'major_case', '2026-01-15', '重大案件 major case')).id AS e3 \gset
SELECT stage FROM sanction_major_event(:e3, 'yellow_card', '2026-01-20');
SELECT id - :e1 AS n, unit, kind, stage, incident_id - :f1 AS incident, veto_from, veto_to FROM major_event
WHERE unit OPERATOR(<@) '320102'::gridcode ORDER BY id;
-- Vetoes in force in a period, at a level: an event below the level vetoes its ancestor there.
SELECT p, l, array_agg(v.unit::text ORDER BY v.unit) AS vetoed
FROM (VALUES ('2025-12-01'::date), ('2026-01-01'), ('2026-03-01'), ('2026-04-01'), ('2026-12-01'), ('2027-01-01')) AS a(p),
     (VALUES (4), (5), (6)) AS b(l)
LEFT JOIN LATERAL major_event_vetoes(p, l) v ON v.unit OPERATOR(<@) '320102'::gridcode
GROUP BY p, l ORDER BY p, l;
-- Errors: nothing is written.
SELECT register_major_event(NULL, 'major_case', '2026-01-01', 'x');
SELECT register_major_event('320102001001', 'riot', '2026-01-01', 'x');
-- (tomorrow, whichever day today is: the message names the day, so only its SQLSTATE is shown)
DO $$ BEGIN PERFORM register_major_event('320102001001', 'major_case', current_date + 1, 'x');
EXCEPTION WHEN invalid_parameter_value THEN RAISE WARNING 'tomorrow refused: %', SQLSTATE; END $$;
SELECT register_major_event('320102001001', 'major_case', 'infinity', 'x');
SELECT register_major_event('320102001001', 'major_case', '2026-01-01', '');
SELECT register_major_event('320102001001', 'major_case', '2026-01-01', 'x', -1);
SELECT sanction_major_event(:e1, NULL, '2026-05-01');
SELECT sanction_major_event(:e1, 'warning', '2026-05-01');
SELECT sanction_major_event(-1, 'veto', '2026-05-01');
SELECT sanction_major_event(:e3, 'veto', '2026-05-01');
SELECT sanction_major_event(:e3, 'yellow_card', '2026-05-01');
SELECT sanction_major_event(:e1, 'veto', '2026-05-01');
SELECT sanction_major_event(:e3, 'delisting', '2026-01-19');
SELECT sanction_major_event(:e3, 'delisting', '2026-02-01', '2026-01-01');
SELECT (register_major_event('320102001001', 'major_case', '2026-01-15', 'window')).id AS e4 \gset
SELECT count(*) FROM (SELECT sanction_major_event(:e4, 'yellow_card', '2026-01-16'), sanction_major_event(:e4, 'delisting', '2026-01-17')) AS s;
SELECT sanction_major_event(:e4, 'veto', '2026-01-18', '2026-06-01', '2026-06-01');
SELECT stage FROM major_event WHERE id = :e4;
-- The table's checks keep the order of the sanctions for direct writes too.
-- (terse: the failing row would show recorded_at, today's time)
\set VERBOSITY terse
UPDATE major_event SET vetoed_on = '2026-02-01', veto_from = '2026-01-01', veto_to = '2027-01-01' WHERE id = :e3;
UPDATE major_event SET delisted_on = '2026-01-01' WHERE id = :e3;
UPDATE major_event SET vetoed_on = NULL WHERE id = :e1;
INSERT INTO major_event (unit, kind, occurred_on, title) VALUES ('320102001001', 'flood', '2026-01-01', 'x');
\set VERBOSITY default
DELETE FROM major_event WHERE id = :e4;

-- ==== 4. the gate: a model with veto_register vetoes what the register vetoes
INSERT INTO index_model (name, title, level, veto_register) VALUES ('fig', 'figures model', 5, true);
INSERT INTO index_node (model, code, parent, weight) VALUES ('fig', 'R', NULL, 1);
INSERT INTO index_node (model, code, parent, normalization, lo, hi) VALUES ('fig', 'x', 'R', 'goalpost', 0, 1);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('fig', 'x', '320102001001', '2026-03-01', 0.9), ('fig', 'x', '320102001002', '2026-03-01', 0.5),
('fig', 'x', '320102001001', '2026-02-01', 0.9), ('fig', 'x', '320102001002', '2026-02-01', 0.5);
-- March: 梅园社区 (e1's veto) and 大行宫社区 (e2's, on its basic grid) are vetoed, February only 大行宫.
SELECT period, unit, round(score::numeric, 2) AS score, vetoed
FROM (SELECT '2026-02-01'::date AS period UNION ALL SELECT '2026-03-01') p, index_compute('fig', p.period) c
WHERE c.node = 'R' ORDER BY period, unit;
SELECT store_index('fig', '2026-02-01') > 0 AS stored;
SELECT unit_code, index_value, vetoed, rank, ranked_units FROM report_index WHERE model = 'fig' ORDER BY unit_code;
-- At the township level the township is vetoed through either community.
SELECT unit, vetoed FROM index_compute('fig', '2026-02-01', 4) WHERE node = 'R';
-- Without veto_register the register does not reach the model.
UPDATE index_model SET veto_register = false WHERE name = 'fig';
SELECT unit, vetoed FROM index_compute('fig', '2026-03-01') WHERE node = 'R' ORDER BY unit;
DELETE FROM index_model WHERE name = 'fig';
-- The default model is gated on the register, and no longer vetoes a disposal rate below 0.95.
SELECT name, veto_register FROM index_model WHERE name = '社会治理指数';
SELECT count(*) AS threshold_vetoes FROM index_node WHERE model = '社会治理指数' AND (veto_below IS NOT NULL OR veto_above IS NOT NULL);

-- ==== 5. the weights of seed 001: 民调 30 of 100 points, every subjective indicator under it
WITH RECURSIVE w AS (
    SELECT n.code, n.parent, 1.0::float8 AS share FROM index_node n WHERE n.model = '社会治理指数' AND n.parent IS NULL
    UNION ALL
    SELECT n.code, n.parent, w.share * n.weight / sum(n.weight) OVER (PARTITION BY n.parent)
    FROM index_node n JOIN w ON n.parent = w.code WHERE n.model = '社会治理指数'
)
SELECT w.code, n.title, round((100 * w.share)::numeric, 2) AS points, coalesce(n.source_column, n.survey_question) AS feed, n.weight_basis
FROM w JOIN index_node n ON n.model = '社会治理指数' AND n.code = w.code ORDER BY w.code;

-- ==== 6. the shipped categories: limits labelled, no disposal at the grid level (巡办分离)
SELECT count(*) AS shipped, count(*) FILTER (WHERE limits_basis = 'local default, not from the seeds; a county replaces it') AS labelled,
       count(*) FILTER (WHERE handling_level = 'grid') AS at_grid
FROM incident_category WHERE shipped;
SELECT code, handling_level, simple_handling FROM incident_category WHERE shipped AND simple_handling ORDER BY code;
-- A new report of a simple-handling category is led by the community.
INSERT INTO incident (category, title, source, grid) VALUES ('environment.garbage', 'f8 garbage', 'patrol', '320102001001001');
SELECT level, responsible_unit FROM incident_supervision WHERE title = 'f8 garbage';
