-- Duty cadence: rule templates and rules, campaigns, periods, fixes and their partitions, track
-- coverage, scoring a day, activities and findings, judging duties, NOTIFY once, compliance views,
-- and every error.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
RESET client_min_messages;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
\set SHOW_CONTEXT never

-- The shipped templates quote their seed; grace and thresholds are labelled local defaults.
SELECT name, activity, role, grid_kind, every, unit, times, grace_days, min_share, radius_m, min_minutes
FROM duty_rule_template ORDER BY name;
SELECT name, seed FROM duty_rule_template WHERE template = 'seed004' ORDER BY name;
SELECT count(*) AS templates, count(*) FILTER (WHERE defaults LIKE '%local default%') AS labelled
FROM duty_rule_template;
SELECT name, value, unit, source FROM duty_settings ORDER BY name;
-- a county's own value, and a bad one
INSERT INTO duty_setting (name, value, note) VALUES ('fix_retention_days', 60, 'county notice 2026-1');
SELECT name, value, source, note FROM duty_settings WHERE name = 'fix_retention_days';
INSERT INTO duty_setting (name, value) VALUES ('fix_max_gap_s', 0);
INSERT INTO duty_setting (name, value) VALUES ('no_such', 1);
DELETE FROM duty_setting;
SELECT duty_setting('fix_max_gap_s');
SELECT duty_setting('no_such');

-- A small county: township, community, two basic grids of about 200 m x 200 m.
INSERT INTO grid (code, name, kind, boundary) VALUES
    ('650102', '天山区', 'county', ST_Multi(ST_MakeEnvelope(87.64, 43.82, 87.67, 43.84, 4326))),
    ('650102101', '金石镇', 'township', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.654, 43.8318, 4326))),
    ('650102101002', '城东社区', 'community', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.654, 43.8318, 4326))),
    ('650102101002001', '城东一网格', 'basic', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.652, 43.8318, 4326))),
    ('650102101002002', '城东二网格', 'basic', ST_Multi(ST_MakeEnvelope(87.652, 43.83, 87.654, 43.8318, 4326)));
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from) VALUES
    ('650102101002001', 'dt_wang', 'grid_worker', 'duty_wang', '2026-01-01'),
    ('650102101002002', 'dt_zhou', 'grid_worker', NULL, '2026-03-03'),
    ('650102101002', 'dt_li', 'grid_head', NULL, '2026-01-01'),
    ('650102101002', 'dt_zhao', 'other', NULL, '2026-01-01'),
    ('650102101', 'dt_sun', 'grid_head', NULL, '2026-01-01');

-- Adopting templates: per county, idempotent; errors.
SELECT adopt_duty_rules('650102', 'seed004', '2026-01-01');
SELECT adopt_duty_rules('650102', 'seed001', '2026-01-01');
SELECT adopt_duty_rules('650102', 'seed004', '2026-01-01');
SELECT adopt_duty_rules('650102', 'seed999');
SELECT adopt_duty_rules(NULL, 'seed004');
SELECT id, activity, role, grid_kind, every, unit, times, grace_days, min_share, template FROM duty_rule ORDER BY id;

-- Bad rules: nothing written, the value named.
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 0, 'day');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'patrol', 'grid_worker', 'basic', -2, 'week');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, times) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', 0);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, grace_days) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', -1);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, min_share) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', 1.5);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, radius_m) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', 0);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, min_minutes) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', -5);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102101', 'patrol', 'grid_worker', 'basic', 1, 'day');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, min_share) VALUES ('650102', 'screening', 'grid_head', 'community', 1, 'week', 0.5);
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'fortnight');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'dance', 'grid_worker', 'basic', 1, 'day');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'patrol', 'mayor', 'basic', 1, 'day');
SELECT count(*) AS rules FROM duty_rule;

-- A campaign: daily screening in the community for a week (重要时段随时排查); another county's is refused.
INSERT INTO duty_campaign (county, name, grids, starts, ends)
VALUES ('650102', '两会期间排查', '{650102101002}', '2026-03-02', '2026-03-09') RETURNING id;
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, campaign, note)
VALUES ('650102', 'screening', 'grid_head', 'community', 1, 'day', 1, 'campaign: daily screening');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, campaign)
VALUES ('650103', 'screening', 'grid_head', 'community', 1, 'day', 1);
INSERT INTO duty_campaign (county, name, grids, starts, ends) VALUES ('650102', 'bad', '{}', '2026-03-09', '2026-03-02');

-- Periods: calendar units, every N, working days (2026-05-01..05 is the Labour Day holiday).
SELECT * FROM duty_periods(1, 'week', false, '2026-03-01', '2026-03-16');
SELECT * FROM duty_periods(2, 'week', false, '2026-03-01', '2026-03-16');
SELECT * FROM duty_periods(1, 'half_month', false, '2026-02-10', '2026-03-20');
SELECT * FROM duty_periods(1, 'quarter', false, '2026-03-01', '2026-07-01');
SELECT * FROM duty_periods(1, 'year', false, '2026-03-01', '2026-03-01');
SELECT * FROM duty_periods(1, 'day', true, '2026-04-29', '2026-05-11');
SELECT * FROM duty_periods(1, 'day', false, '2026-03-02', '2026-03-01');
SELECT duty_due('2026-04-30', 2, true) AS working_grace, duty_due('2026-04-30', 2, false) AS calendar_grace;
SELECT * FROM duty_periods(0, 'week', false, '2026-03-01', '2026-03-16');
SELECT * FROM duty_periods(1, 'fortnight', false, '2026-03-01', '2026-03-16');
SELECT * FROM duty_periods(1, 'week', false, NULL, '2026-03-16');

-- Fixes: wang walks three rows across grid 001 on 2026-03-02, a fix every 30 s at 1.2 m/s,
-- sent in GCJ-02 as the app does; one out-and-back spike (teleport) and one duplicate.
CREATE TEMP TABLE walk AS
WITH p AS (
    SELECT k, row_ AS r, step
    FROM generate_series(0, 2) AS row_, generate_series(0, 5) AS step, LATERAL (SELECT row_ * 6 + step AS k) AS kk
)
SELECT k, '2026-03-02 08:00+08'::timestamptz + k * interval '30 s' AS ts,
       87.65 + (CASE WHEN r % 2 = 0 THEN step ELSE 5 - step END) * 36.0 / 80216 + 10.0 / 80216 AS lon,
       43.83 + (30 + r * 70) / 111195.0 AS lat
FROM p;
SELECT count(*) FROM walk;
CREATE TEMP TABLE walk_gcj AS
SELECT w.k, w.ts, ST_X(g) AS lon, ST_Y(g) AS lat FROM walk AS w,
       LATERAL shegu.wgs84_to_gcj02(ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326)) AS g;
SELECT record_fixes('dt_wang', array_agg(ts ORDER BY k), array_agg(lon ORDER BY k), array_agg(lat ORDER BY k), 'gcj02')
FROM walk_gcj;
-- the spike and the duplicate
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 08:04:15+08', '2026-03-02 08:00:00+08']::timestamptz[],
                    ARRAY[87.7, 87.65 + 10.0 / 80216], ARRAY[43.83 + 30 / 111195.0, 43.83 + 30 / 111195.0]);
-- converted back to WGS-84 within centimetres, located in grid 001
SELECT count(*) AS fixes, count(*) FILTER (WHERE grid = '650102101002001') AS in_grid_001,
       max(ST_Distance(ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)::geography,
                       ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326)::geography)) < 0.5 AS back_to_wgs84
FROM patrol_fix AS f LEFT JOIN walk AS w ON w.ts = f.ts AND f.lon < 87.66 AND f.crs = 'gcj02'
WHERE f.worker = 'dt_wang';
SELECT tableoid::regclass AS partition, count(*) FROM patrol_fix GROUP BY 1;
SELECT relname, obj_description(oid, 'pg_class') FROM pg_class WHERE relname = 'patrol_fix_20260302';

-- Bad fixes: nothing written.
SELECT record_fixes('dt_wang', ARRAY['2999-01-01 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes('dt_wang', ARRAY['2025-12-31 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes('dt_zhou', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.653], ARRAY[43.831]);
SELECT record_fixes('nobody', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[190.0], ARRAY[43.831]);
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.651, 87.652], ARRAY[43.831]);
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831], 'utm');
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831], 'wgs84', ARRAY[1, 2]::real[]);
SELECT record_fixes('dt_wang', ARRAY['infinity']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes('dt_wang', ARRAY[NULL]::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes(NULL, ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT record_fixes('dt_wang', '{}', '{}', '{}');
SELECT count(*) FROM patrol_fix;

-- Track coverage directly: a straight walk across the middle of grid 001 (160 m x 200 m) covers a
-- 100 m band, half of it.
SELECT round(area_m2::numeric, -2) AS area, round(share::numeric, 2) AS share, seconds_inside, gaps, fixes, kept
FROM grid AS g, track_coverage(g.boundary, ARRAY['a', 'a'], ARRAY['2026-03-02 08:00+08', '2026-03-02 08:02:30+08']::timestamptz[],
                               ARRAY[87.65, 87.652], ARRAY[43.8309, 43.8309], NULL, 50, NULL, 100, 5, 15, 300)
WHERE g.code = '650102101002001';
-- with a road along the walk and one far from it
SELECT round(road_m::numeric, -1) AS road_m, round(road_share::numeric, 2) AS road_share
FROM grid AS g, track_coverage(g.boundary, ARRAY['a', 'a'], ARRAY['2026-03-02 08:00+08', '2026-03-02 08:02:30+08']::timestamptz[],
                               ARRAY[87.65, 87.652], ARRAY[43.8309, 43.8309], NULL, 50,
                               ST_Collect(ST_MakeLine(ST_MakePoint(87.65, 43.8309), ST_MakePoint(87.652, 43.8309)),
                                          ST_MakeLine(ST_MakePoint(87.65, 43.8317), ST_MakePoint(87.652, 43.8317))),
                               100, 5, 15, 300)
WHERE g.code = '650102101002001';
-- errors
SELECT * FROM track_coverage(ST_MakePoint(87.65, 43.83), ARRAY['a'], ARRAY[now()], ARRAY[87.65], ARRAY[43.83], NULL, 50, NULL, 100, 5, 15, 300);
SELECT * FROM track_coverage(ST_MakeEnvelope(0, 0, 1, 1), ARRAY['a'], ARRAY[now()], ARRAY[0.5], ARRAY[0.5], NULL, 0, NULL, 100, 5, 15, 300);
SELECT * FROM track_coverage(ST_MakeEnvelope(0, 0, 1, 1), ARRAY['a'], ARRAY[now()], ARRAY[0.5], ARRAY[0.5], NULL, 50, NULL, 100, 5, -1, 300);
SELECT * FROM track_coverage(ST_MakeEnvelope(0, 0, 1, 1), ARRAY['a'], ARRAY[now()], ARRAY[0.5], ARRAY[0.5], NULL, 50, ST_MakePoint(0, 0), 100, 5, 15, 300);
SELECT * FROM track_coverage(ST_MakeEnvelope(0, 0, 1, 1), ARRAY['a', 'b'], ARRAY[now()], ARRAY[0.5], ARRAY[0.5], NULL, 50, NULL, 100, 5, 15, 300);
SELECT * FROM track_coverage(ST_MakeEnvelope(0, 0, 1, 1), NULL, ARRAY[now()], ARRAY[0.5], ARRAY[0.5], NULL, 50, NULL, 100, 5, 15, 300);

-- Scoring the day: wang in grid 001 and, where the walk crosses its edge, 002 (his and all-tracks
-- rows); the spike and the duplicate are dropped.
SELECT score_patrol_day('2026-03-02');
SELECT grid, day, worker, radius_m, round(share::numeric, 2) AS share, round(seconds_inside) AS seconds_inside, gaps, fixes, kept
FROM patrol_score ORDER BY grid, worker NULLS LAST;
SELECT day, fixes, scored_at IS NOT NULL AS scored, dropped_at FROM patrol_day;
-- scoring again replaces, not adds
SELECT score_patrol_day('2026-03-02');
SELECT count(*) FROM patrol_score;
SELECT score_patrol_day(NULL);
SELECT score_patrol_day('2026-03-02', -1);

-- Activities: visits need a target in the worker's grids; screenings with findings.
-- The base data visited: a household and a person living in grid 002, a person in grid 001.
INSERT INTO building (id, lon, lat, since) VALUES (910001, 87.653, 43.831, '2026-01-01'), (910002, 87.651, 43.831, '2026-01-01');
INSERT INTO house (id, building) VALUES (910001, 910001), (910002, 910002);
INSERT INTO household (id, house, since) VALUES (910001, 910001, '2026-01-01');
INSERT INTO person (id, name, household, since) VALUES (910001, '赵六', 910001, '2026-01-01'), (910002, '钱七', NULL, '2026-01-01');
INSERT INTO residence (person, house, valid_from) VALUES (910001, 910001, '2026-01-01'), (910002, 910002, '2026-01-01');
SELECT person_grid(910001, '2026-03-02') AS grid_of_910001, person_grid(910002, '2026-03-02') AS grid_of_910002;
SELECT id, kind, worker, grid, target_kind, target_id
FROM record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'household', 910001);
SELECT id, kind, worker, grid FROM record_activity('screening', 'dt_li', '2026-03-02 15:00+08', grid => '650102101002',
                                                   idempotency_key => 'app-1');
SELECT id, kind, worker, grid FROM record_activity('screening', 'dt_li', '2026-03-02 15:00+08', grid => '650102101002',
                                                   idempotency_key => 'app-1');
SELECT id FROM record_activity('screening', 'dt_li', '2026-03-02 16:00+08', grid => '650102101002', idempotency_key => 'app-1');
SELECT id, kind, worker, grid FROM record_activity('screening', 'dt_li', '2026-03-03 15:00+08', grid => '650102101002');
SELECT id, kind, worker, grid FROM record_activity('joint_patrol', 'dt_zhao', '2026-03-04 09:00+08', grid => '650102101002001');
-- Follow-ups (随访): person 910001 (grid 002) is under community correction at grade A (weekly, by
-- the grid worker of the person's basic grid); the county's followup rule turns them on.
INSERT INTO person_attention (id, person, category, grade, valid_from)
VALUES (910001, 910001, 'community_correction', 'A', '2026-03-02');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, grace_days, note)
VALUES ('650102', 'followup', 'grid_worker', 'basic', 1, 'week', 1, 'follow-ups at the grade''s frequency');
SELECT id, kind, worker, grid, target_kind, target_id
FROM record_activity('followup', 'dt_zhou', '2026-03-04 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', 910001);
-- a visit to a person of the worker's grids; to a person living elsewhere it is refused
SELECT id, kind, worker, grid, target_kind, target_id
FROM record_activity('visit_appointment', 'dt_wang', '2026-03-05 10:00+08', 87.651, 43.831, 'wgs84', NULL, 'person', 910002);
SELECT record_activity('visit_appointment', 'dt_wang', '2026-03-05 10:00+08', 87.651, 43.831, 'wgs84', NULL, 'person', 910001);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-05 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'household', 999999);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-05 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', 999999);
-- errors: nothing written
SELECT record_activity('visit_walk', 'dt_wang', '2026-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 87.653, 43.831);
SELECT record_activity('visit_walk', 'dt_li', '2999-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2025-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 88.9, 43.831, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', NULL, NULL, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 87.653, NULL, 'wgs84', NULL, 'person', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'cat', 1);
SELECT record_activity('visit_walk', 'dt_li', '2026-03-02 10:00+08', 87.653, 43.831, 'wgs84', NULL, 'person', NULL);
SELECT record_activity('patrol', 'dt_li', '2026-03-02 10:00+08', 87.653, 43.831);
SELECT record_activity('screening', 'dt_li', NULL);
SELECT count(*) FROM duty_activity;

-- Findings: one kept, one reported as an incident through report() (source patrol).
SELECT id, activity, category, title, incident FROM add_finding(2, 'dispute', '邻里纠纷', 'two neighbours quarrel over a wall');
SELECT id, activity, title, incident IS NOT NULL AS reported
FROM add_finding(2, 'dispute', '宅基地纠纷', NULL, 87.651, 43.831, 'wgs84', true);
SELECT f.id, i.source, i.grid, i.reporter, i.reported_at, i.category, i.title, i.idempotency_key
FROM screening_finding AS f JOIN incident AS i ON i.id = f.incident ORDER BY f.id;
-- reporting again returns the finding as it is; reporting the first one now
SELECT id, incident = (SELECT max(id) FROM incident) AS same_incident FROM report_finding(2);
SELECT id, incident IS NOT NULL AS reported FROM report_finding(1);
SELECT count(*) AS incidents FROM incident WHERE idempotency_key LIKE 'shegu.screening_finding:%';
SELECT add_finding(1, 'dispute', 'x');
SELECT add_finding(2, 'no.such.category', 'x');
SELECT add_finding(99, 'dispute', 'x');
SELECT report_finding(99);

-- Patrol evidence for 应发现未发现 (should have found): reports in grid 001 on 2026-03-02 through other
-- channels; dt_wang's track (08:00-08:09) passed within 50 m of each place.  A resident's report
-- at 10:00 is a finding; a hotline report of a category dt_wang reported by patrol at 09:00 is
-- not; a hotline report at 07:00, before the patrol passed, is not.  The day is scored again.
SELECT i.source, i.category, i.grid FROM report('dispute', '楼道堆物', 'resident', NULL,
    ST_SetSRID(ST_MakePoint(87.6505, 43.8304), 4326), 'resident a', NULL, '2026-03-02 10:00+08') AS i;
SELECT i.source, i.category, i.grid FROM report('hazard', '井盖缺失', 'patrol', NULL,
    ST_SetSRID(ST_MakePoint(87.6515, 43.8304), 4326), 'dt_wang', NULL, '2026-03-02 09:00+08') AS i;
SELECT i.source, i.category, i.grid FROM report('hazard', '井盖破损', 'hotline', NULL,
    ST_SetSRID(ST_MakePoint(87.6512, 43.8304), 4326), NULL, NULL, '2026-03-02 11:00+08') AS i;
SELECT i.source, i.category, i.grid FROM report('dispute', '夜间噪音', 'hotline', NULL,
    ST_SetSRID(ST_MakePoint(87.6510, 43.8317), 4326), NULL, NULL, '2026-03-02 07:00+08') AS i;
SELECT score_patrol_day('2026-03-02');
SELECT i.title, p.worker, p.day, p.grid, round(p.distance_m) AS distance_m, p.nearest_at
FROM patrol_pass AS p JOIN incident AS i ON i.id = p.incident ORDER BY i.reported_at;
SELECT kind, kind_zh, category, grid, source, reported_at, worker, round(distance_m) AS distance_m, nearest_at
FROM patrol_accountability ORDER BY reported_at;
SELECT reason FROM patrol_accountability;

-- A night visit on Monday 2026-03-09: late for the week before (grace 1 day), on time for its own.
SELECT id, kind FROM record_activity('visit_night', 'dt_li', '2026-03-09 20:00+08', grid => '650102101002',
                                     target_kind => 'person', target_id => 910001);

-- Judging: as of 2026-03-09 (campaign over, week 1 due).  Each missed duty is announced once
-- (NOTIFY shegu_duty_missed; the payloads are not shown here, they name the server's PID).
SELECT * FROM duty_judge('2026-03-09 23:30+08', '2026-03-02');
SELECT r.template, s.activity, s.grid, s.person_name, s.target_id, s.period_start, s.period_end, s.due_on, s.owed,
       s.done_on_time, s.done_late, s.state, s.notified_at IS NOT NULL AS notified
FROM duty_status AS s JOIN duty_rule AS r ON r.id = s.rule
WHERE s.period_start < '2026-03-05' OR s.activity <> 'patrol'
ORDER BY s.activity, s.grid, s.person_name NULLS LAST, s.period_start;
-- judged again: same rows, nothing announced twice
SELECT * FROM duty_judge('2026-03-09 23:30+08', '2026-03-02');
SELECT * FROM duty_judge('2026-03-09 23:30+08', '2026-03-10');
SELECT * FROM duty_judge(NULL);

-- Compliance views.
SELECT person_name, role, activity, month, owed, done, late, missed, open, round(on_time_rate::numeric, 3) AS rate
FROM duty_compliance_person WHERE month = '2026-03-01' ORDER BY person_name NULLS LAST, activity;
SELECT grid, activity, owed, done, late, missed, open FROM duty_compliance_grid
WHERE activity = 'patrol' ORDER BY grid;
SELECT unit, level, activity, owed, done, missed FROM duty_compliance_unit
WHERE activity = 'patrol' ORDER BY level, unit;
SELECT indicator, unit, period, round(value::numeric, 3) AS value FROM duty_measures
WHERE unit IN ('650102', '650102101002001') ORDER BY indicator, unit;

-- Partition maintenance: scored days past the retention are dropped, unscored ones kept.
SELECT record_fixes('dt_wang', ARRAY['2026-03-03 08:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT * FROM patrol_maintain('2026-05-01 00:30+08');
SELECT * FROM patrol_maintain('2026-05-01 00:30+08');
SELECT day, fixes, dropped_at IS NOT NULL AS dropped FROM patrol_day ORDER BY day;
SELECT count(*) AS scores_kept FROM patrol_score WHERE day = '2026-03-02';
SELECT record_fixes('dt_wang', ARRAY['2026-03-02 09:00+08']::timestamptz[], ARRAY[87.651], ARRAY[43.831]);
SELECT score_patrol_day('2026-03-02');
SELECT * FROM patrol_maintain(NULL);

-- Every object of the room has a comment.
SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'shegu' AND obj_description(c.oid, 'pg_class') IS NULL
  AND (c.relkind IN ('r', 'p', 'v', 'i')
       OR c.relkind = 'S' AND (c.relname LIKE 'duty%' OR c.relname LIKE 'patrol%' OR c.relname LIKE 'screening%'))
ORDER BY 1;
SELECT p.oid::regprocedure FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = 'shegu' AND obj_description(p.oid, 'pg_proc') IS NULL ORDER BY 1;
