-- pgTAP: the duty room — who may record what, row-level security of activities and duties, a
-- refused record writes nothing, coverage invariants over random tracks, judging is idempotent
-- and announces a missed duty once.
-- test/pgtap/duty.sql — one transaction, rolled back.
BEGIN;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SELECT plan(23);

INSERT INTO grid (code, name, kind, boundary) VALUES
    ('650102102', 'tap 镇', 'township', ST_Multi(ST_MakeEnvelope(87.75, 43.93, 87.754, 43.9318, 4326))),
    ('650102102001', 'tap 社区', 'community', ST_Multi(ST_MakeEnvelope(87.75, 43.93, 87.754, 43.9318, 4326))),
    ('650102102001001', 'tap 一网格', 'basic', ST_Multi(ST_MakeEnvelope(87.75, 43.93, 87.752, 43.9318, 4326))),
    ('650102102001002', 'tap 二网格', 'basic', ST_Multi(ST_MakeEnvelope(87.752, 43.93, 87.754, 43.9318, 4326)));
CREATE ROLE duty_tap_a LOGIN IN ROLE shegu_grid_worker;
CREATE ROLE duty_tap_b LOGIN IN ROLE shegu_grid_worker;
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from) VALUES
    ('650102102001001', 'tap_a', 'grid_worker', 'duty_tap_a', '2026-01-01'),
    ('650102102001002', 'tap_b', 'grid_worker', 'duty_tap_b', '2026-01-01'),
    ('650102102001001', 'tap_c', 'grid_worker', NULL, '2026-01-01');
SELECT lives_ok($$SELECT adopt_duty_rules('650102', 'seed004', '2026-01-01')$$, 'the county adopts seed 004');

-- Grid staff record their own track only.
SET ROLE duty_tap_a;
SELECT is(record_fixes('tap_a', ARRAY['2026-03-02 08:00+08', '2026-03-02 08:01+08']::timestamptz[],
                       ARRAY[87.7501, 87.7515], ARRAY[43.9309, 43.9309]), 2, 'a worker records its own fixes');
SELECT throws_ok($$SELECT record_fixes('tap_b', ARRAY['2026-03-02 08:00+08']::timestamptz[], ARRAY[87.753], ARRAY[43.9309])$$,
                 '42501', NULL, 'a worker may not record another worker''s track');
SELECT throws_ok($$SELECT * FROM patrol_fix$$, '42501', NULL, 'grid staff do not read raw fixes');
SELECT isnt((record_activity('screening', 'tap_a', '2026-03-02 10:00+08', grid => '650102102001001')).id, NULL,
            'a worker records its own activity');
SELECT throws_ok($$SELECT record_activity('screening', 'tap_b', '2026-03-02 10:00+08', grid => '650102102001002')$$,
                 '42501', NULL, 'a worker may not record for another');
RESET ROLE;
SELECT isnt((record_activity('screening', 'tap_b', '2026-03-02 11:00+08', grid => '650102102001002')).id, NULL,
            'the owner (as the centre) records for anyone');
SET ROLE duty_tap_a;
SELECT is((SELECT count(*) FROM duty_activity WHERE grid OPERATOR(shegu.<@) '650102102'::gridcode), 1::bigint,
          'row-level security: a worker sees the activities of its own grid only');
RESET ROLE;

-- A refused record writes nothing: a batch with one future fix stores none of it.
SELECT throws_ok($$SELECT record_fixes('tap_a', ARRAY['2026-03-02 09:00+08', '2999-01-01 00:00+08']::timestamptz[],
                                       ARRAY[87.7501, 87.7502], ARRAY[43.9309, 43.9309])$$,
                 '22023', NULL, 'a batch with a fix in the future is refused');
SELECT is((SELECT count(*) FROM patrol_fix WHERE worker = 'tap_a'), 2::bigint, 'and none of it is stored');
SELECT throws_ok($$SELECT record_activity('visit_walk', 'tap_a', '2026-03-02 10:00+08', 87.753, 43.931, 'wgs84', NULL, 'household', 1)$$,
                 '22023', NULL, 'a visit outside the worker''s grids is refused');
SELECT is((SELECT count(*) FROM duty_activity WHERE worker = 'tap_a'), 1::bigint, 'and nothing is written');
SELECT throws_ok($$INSERT INTO duty_rule (county, activity, role, grid_kind, every, unit) VALUES ('650102', 'patrol', 'grid_worker', 'basic', 0, 'week')$$,
                 '22023', 'duty period "every 0 week" is not a positive number of periods', 'a zero period is refused');

-- Coverage invariants over random tracks of two workers in grid 001.
SELECT setseed(0.42);
CREATE TEMP TABLE rnd AS
SELECT w, timestamptz '2026-03-03 08:00+08' + j * interval '30 s' AS ts,
       87.7502 + 0.0016 * (0.5 + 0.5 * sin(j / (7.0 + w) + w)) AS lon,
       43.9302 + 0.0014 * (0.5 + 0.5 * cos(j / (11.0 + w))) + 0.00001 * random() AS lat
FROM generate_series(1, 2) AS w, generate_series(0, 400) AS j;
SELECT record_fixes(CASE w WHEN 1 THEN 'tap_a' ELSE 'tap_c' END, array_agg(ts ORDER BY ts), array_agg(lon ORDER BY ts), array_agg(lat ORDER BY ts))
FROM rnd GROUP BY w;
SELECT ok(score_patrol_day('2026-03-03') >= 1, 'the day is scored');
SELECT ok((SELECT bool_and(share BETWEEN 0 AND 1 AND covered_m2 <= area_m2 + 1e-6) FROM patrol_score WHERE day = '2026-03-03'),
          'every share lies in [0, 1] and the covered area within the area');
SELECT ok((SELECT bool_and(s.share <= t.share + 1e-9)
           FROM patrol_score AS s JOIN patrol_score AS t ON t.grid OPERATOR(shegu.=) s.grid AND t.day = s.day AND t.worker IS NULL
           WHERE s.day = '2026-03-03' AND s.worker IS NOT NULL),
          'a worker covers no more of a grid than every track together');
SELECT ok((SELECT s.fixes FROM patrol_score AS s WHERE s.day = '2026-03-03' AND s.worker IS NULL AND s.grid = '650102102001001') =
          (SELECT sum(s.fixes) FROM patrol_score AS s WHERE s.day = '2026-03-03' AND s.worker IN ('tap_a', 'tap_c') AND s.grid = '650102102001001'),
          'the all-tracks row of a grid scores the fixes of both its workers');
SELECT is((SELECT count(*) FROM patrol_score WHERE day = '2026-03-03' AND worker IS NULL),
          (SELECT count(DISTINCT grid) FROM patrol_score WHERE day = '2026-03-03'), 'one all-tracks row per grid scored');
SELECT cmp_ok((SELECT share FROM patrol_score WHERE day = '2026-03-03' AND worker = 'tap_a' AND grid = '650102102001001'),
              '>', (SELECT share FROM grid AS g, track_coverage(g.boundary, ARRAY['x'], ARRAY['2026-03-03 08:00+08']::timestamptz[],
                                                                ARRAY[87.751], ARRAY[43.931], NULL, 50, NULL, 100, 5, 15, 300)
                    WHERE g.code = '650102102001001'),
              'a day-long track covers more than a single fix');
-- a larger radius covers at least as much
SELECT ok((SELECT a.share <= b.share FROM grid AS g,
               track_coverage(g.boundary, ARRAY['x', 'x'], ARRAY['2026-03-03 08:00+08', '2026-03-03 08:03+08']::timestamptz[],
                              ARRAY[87.7502, 87.7518], ARRAY[43.9305, 43.9312], NULL, 20, NULL, 100, 5, 15, 300) AS a,
               track_coverage(g.boundary, ARRAY['x', 'x'], ARRAY['2026-03-03 08:00+08', '2026-03-03 08:03+08']::timestamptz[],
                              ARRAY[87.7502, 87.7518], ARRAY[43.9305, 43.9312], NULL, 60, NULL, 100, 5, 15, 300) AS b
           WHERE g.code = '650102102001001'), 'a larger radius covers at least as much');

-- Judging is idempotent and announces a missed duty once.
SELECT is((SELECT notified FROM duty_judge('2026-03-05 12:00+08', '2026-03-02')) > 0, true, 'missed duties are announced');
SELECT is((SELECT notified FROM duty_judge('2026-03-05 12:00+08', '2026-03-02')), 0::bigint, 'judging again announces nothing');
SELECT is((SELECT count(*) FROM duty_status WHERE state = 'missed' AND notified_at IS NULL), 0::bigint,
          'every missed duty carries its announcement time');

SELECT * FROM finish();
ROLLBACK;
