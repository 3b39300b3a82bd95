-- pgTAP: figures true to the seeds (issue 18 C) across roles and statements — a BI role reads
-- the monthly figures (one definition, owner's rights); the light is as of the statement's
-- now(); the register of major events is written by the centre only and gates the index an
-- analyst computes; the default model's points; the shipped categories.
-- test/pgtap/figures.sql
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SELECT plan(19);

INSERT INTO grid (code, name, kind, boundary) VALUES
('320104', '秦淮区', 'county', ST_Multi(ST_MakeEnvelope(118.70, 31.90, 118.90, 32.00, 4326))),
('320104001', '夫子庙街道', 'township', ST_Multi(ST_MakeEnvelope(118.70, 31.90, 118.80, 32.00, 4326))),
('320104001001', '东社区', 'community', ST_Multi(ST_MakeEnvelope(118.70, 31.90, 118.75, 32.00, 4326))),
('320104001002', '西社区', 'community', ST_Multi(ST_MakeEnvelope(118.75, 31.90, 118.80, 32.00, 4326))),
('320104001001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(118.70, 31.90, 118.75, 31.95, 4326))),
('320104001002001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(118.75, 31.90, 118.80, 31.95, 4326)));

-- ==== the measures: one definition, read by a BI role through the report views
SET shegu.incident_clock = '2026-06-01 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at) VALUES
('hazard.fire', 'tf1', 'patrol', '320104001001001', '2026-06-01 08:00+08'),
('hazard.fire', 'tf2', 'patrol', '320104001001001', '2026-06-01 08:00+08'),
('other', 'tf3', 'patrol', '320104001002001', '2026-06-01 08:00+08'),
('other', 'tf4', 'patrol', '320104001002001', '2026-06-01 08:00+08');
SELECT ok(count(*) = 2, 'setup: two cases resolved')
FROM (SELECT act(i.id, 'accept', 'tap'), act(i.id, 'dispatch', 'tap'), act(i.id, 'resolve', 'tap')
      FROM incident i WHERE i.title IN ('tf1', 'tf2')) s;
SELECT ok((act((SELECT id FROM incident WHERE title = 'tf1'), 'verify', 'tap')).status = 'verified',
          'setup: one of them verified');
RESET shegu.incident_clock;
CREATE ROLE figures_tap_bi;
SELECT grant_report_access('figures_tap_bi');
SET ROLE figures_tap_bi;
SELECT results_eq(
    $$SELECT unit_code, received, disposed, disposal_rate, disposal_rate_accepted FROM shegu.report_incident_month
      WHERE period_start = '2026-06-01' AND level IN (3, 5) AND unit_code LIKE '320104%' ORDER BY unit_code$$,
    $$VALUES ('320104', 4::bigint, 1::bigint, 0.2500::numeric, 1.0000::numeric),
             ('320104001001', 2::bigint, 1::bigint, 0.5000::numeric, 1.0000::numeric),
             ('320104001002', 2::bigint, 0::bigint, 0.0000::numeric, NULL::numeric)$$,
    'a BI role reads the monthly figures: seed 004''s rate over every report, the 0.2.0 rate beside it');
SELECT throws_ok($$SELECT count(*) FROM shegu.incident_figures$$, '42501', NULL,
                 'the unrounded figures are not among the BI role''s views');
RESET ROLE;
SELECT is((SELECT count(*) FROM (
              SELECT month, level, unit_code, received, disposed, disposal_rate FROM report_month_live
              EXCEPT SELECT month, level, unit::text, received, disposed, round(disposal_rate::numeric, 4)
                     FROM incident_figures WHERE level <= 6) x), 0::bigint,
          'report_month_live is incident_figures rounded, row for row');
-- a frozen month keeps its figures when the definition's inputs move on
SELECT ok(freeze_month('2026-06-01') > 0, 'June frozen');
SET shegu.incident_clock = '2026-07-02 09:00+08';
SELECT ok((act((SELECT id FROM incident WHERE title = 'tf2'), 'verify', 'tap')).status = 'verified', 'tf2 verified in July');
RESET shegu.incident_clock;
SELECT is((SELECT disposal_rate FROM report_incident_month WHERE period_start = '2026-06-01' AND level = 3 AND unit_code = '320104'),
          0.2500::numeric, 'the frozen June keeps its disposal rate');
SELECT is((SELECT disposal_rate FROM incident_measures WHERE month = '2026-06-01' AND unit = '320104'),
          0.5::float8, 'the live measure counts the July verification');

-- ==== the light as of now, within one statement and across statements
SELECT ok(set_config('shegu.incident_clock', (now() - interval '40 days')::text, true) IS NOT NULL, 'setup: a clock 40 days back');
INSERT INTO incident (category, title, source, grid) VALUES ('other', 'tf5 old', 'resident', '320104001002001');
RESET shegu.incident_clock;
SELECT results_eq(
    $$SELECT i.light, s.light, r.light FROM incident i JOIN incident_supervision s USING (id)
      JOIN report_incident r ON r.incident_id = i.id WHERE i.title = 'tf5 old'$$,
    $$VALUES ('green'::text, 'red'::text, 'red'::text)$$,
    'stored green, shown red in every view before any sweep');
SELECT is((SELECT red FROM report_open_incident WHERE level = 5 AND unit_code = '320104001002'), 3::bigint,
          'the backlog counts it red, with tf3 and tf4 (never accepted, overdue since June)');

-- ==== the register: the centre writes, others do not; the analyst's index sees it
CREATE ROLE figures_tap_centre IN ROLE shegu_centre;
CREATE ROLE figures_tap_worker IN ROLE shegu_grid_worker;
CREATE ROLE figures_tap_analyst IN ROLE shegu_analyst;
SET ROLE figures_tap_worker;
SELECT throws_ok($$SELECT shegu.register_major_event('320104001001', 'major_case', '2026-06-02', 'x')$$, '42501', NULL,
                 'a grid worker cannot register a major event');
RESET ROLE;
SET ROLE figures_tap_centre;
SELECT lives_ok($$SELECT shegu.sanction_major_event(e.id, s, '2026-06-10')
                  FROM shegu.register_major_event('320104001001', 'mass_incident', '2026-06-02', '群体性事件') e,
                       unnest('{yellow_card,delisting,veto}'::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n$$,
                'the centre registers an event and sanctions it through to a veto');
RESET ROLE;
SELECT is((SELECT stage FROM major_event WHERE unit = '320104001001'), 'veto', 'the event reached the veto');
INSERT INTO index_model (name, title, level, veto_register) VALUES ('figtap', 'figures tap', 5, true);
INSERT INTO index_node (model, code, parent) VALUES ('figtap', 'R', NULL);
INSERT INTO index_node (model, code, parent, normalization, lo, hi) VALUES ('figtap', 'x', 'R', 'goalpost', 0, 1);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('figtap', 'x', '320104001001', '2026-06-01', 1), ('figtap', 'x', '320104001002', '2026-06-01', 0.2);
SET ROLE figures_tap_analyst;
SELECT is((SELECT stage FROM shegu.major_event WHERE unit = '320104001002' OR unit = '320104001001'), 'veto',
          'an analyst reads the register');
RESET ROLE;
SELECT results_eq($$SELECT unit::text, vetoed FROM shegu.index_compute('figtap', '2026-06-01') WHERE node = 'R' ORDER BY unit$$,
                  $$VALUES ('320104001001', true), ('320104001002', false)$$,
                  'the computation is gated on the register: the best unit is vetoed');

-- ==== the shipped figures
SELECT is((SELECT round(sum(n.weight / (SELECT sum(m.weight) FROM index_node m WHERE m.model = n.model AND m.parent = n.parent))::numeric, 4)
           FROM index_node n WHERE n.model = '社会治理指数' AND n.parent = 'SGI' AND n.code = 'D2'), 0.3000::numeric,
          'seed 001: public opinion carries 30 of 100 points');
SELECT is_empty($$SELECT code FROM index_node WHERE model = '社会治理指数' AND parent = 'D1'
                  AND (survey_question IS NOT NULL OR source_column = 'satisfaction_rate')$$,
                'no subjective indicator under the objective dimension');

SELECT * FROM finish();
ROLLBACK;
