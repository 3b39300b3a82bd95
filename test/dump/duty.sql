-- User rows in the duty room's tables, for the pg_dump round trip: settings, rules adopted from a
-- template, a campaign and its rule, activities with a finding, scores, evidence and judged duties.
-- Raw fixes (daily partitions made at run time) are left out: see docs/duty.md.
-- test/dump/duty.sql — run by test/dump/run.sh in install order.
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
INSERT INTO duty_setting (name, value, note) VALUES ('fix_retention_days', 60, 'county notice');
INSERT INTO grid (code, name, kind, boundary) VALUES
('650102101', '燕儿窝街道', 'township', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.654, 43.8318, 4326))),
('650102101002', '南湖社区', 'community', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.654, 43.8318, 4326))),
('650102101002001', '南湖一网格', 'basic', ST_Multi(ST_MakeEnvelope(87.65, 43.83, 87.652, 43.8318, 4326)));
INSERT INTO grid_staff (code, person_name, role, valid_from) VALUES
('650102101002001', '马网格员', 'grid_worker', '2026-01-01'),
('650102101002', '丁书记', 'grid_head', '2026-01-01');
SELECT adopt_duty_rules('650102', 'seed004', '2026-01-01');
INSERT INTO duty_campaign (county, name, grids, starts, ends)
VALUES ('650102', '国庆前排查', '{650102101002}', '2026-09-24', '2026-10-01');
INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit, campaign)
SELECT '650102', 'screening', 'grid_head', 'community', 1, 'day', id FROM duty_campaign WHERE name = '国庆前排查';
SELECT (record_activity('screening', '丁书记', '2026-03-02 15:00+08', grid => '650102101002', idempotency_key => 'dump-1')).id;
SELECT (add_finding((SELECT id FROM duty_activity WHERE idempotency_key = 'dump-1'), 'dispute', '邻里纠纷')).id;
INSERT INTO patrol_score (grid, day, worker, radius_m, area_m2, covered_m2, share, seconds_inside, gaps,
                          max_gap_seconds, fixes, kept)
VALUES ('650102101002001', '2026-03-02', '马网格员', 50, 32000, 20000, 0.625, 3600, 1, 600, 120, 118),
       ('650102101002001', '2026-03-02', NULL, 50, 32000, 20000, 0.625, 3600, 1, 600, 120, 118);
INSERT INTO patrol_day (day, scored_at, fixes, dropped_at) VALUES ('2026-03-02', '2026-03-03 01:10+08', 120, '2026-05-02 00:30+08');
SELECT * FROM duty_judge('2026-03-04 12:00+08', '2026-03-02');
