-- pgTAP: two sessions recording the first fixes of the same day make its partition once (the
-- second waits for the first, then writes into the same partition); a missed duty is announced
-- to a listening session once.  test/pgtap/duty_sessions.sql
-- Commits through dblink and removes what it adds at the end.
SET search_path = shegu, public;
SELECT plan(7);

SELECT dblink_connect(c, format('dbname=%s host=%s port=%s', current_database(),
                                trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
                                current_setting('port')))
FROM unnest('{duty_a,duty_b,duty_l}'::text[]) AS c;
SELECT dblink_exec('duty_a', $$
    INSERT INTO shegu.grid (code, name, kind, boundary) VALUES
        ('650102109001001', 'sessions grid', 'basic', ST_Multi(ST_MakeEnvelope(87.85, 43.63, 87.852, 43.6318, 4326)));
    INSERT INTO shegu.grid_staff (code, person_name, role, valid_from) VALUES
        ('650102109001001', 'sess_a', 'grid_worker', '2025-11-01'),
        ('650102109001001', 'sess_b', 'grid_worker', '2025-11-01');
$$);

-- A stores the first fixes of 2025-11-12 in an open transaction; B stores fixes of the same day.
SELECT dblink_exec('duty_a', 'BEGIN');
SELECT * FROM dblink('duty_a', $$SELECT shegu.record_fixes('sess_a', ARRAY['2025-11-12 08:00+08']::timestamptz[], ARRAY[87.8505], ARRAY[43.6305])$$) AS r(n int);
SELECT dblink_send_query('duty_b', $$SELECT shegu.record_fixes('sess_b', ARRAY['2025-11-12 08:00+08']::timestamptz[], ARRAY[87.8506], ARRAY[43.6306])$$);
SELECT pg_sleep(0.3);
SELECT is(dblink_is_busy('duty_b'), 1, 'the second session waits for the first one''s new partition');
SELECT dblink_exec('duty_a', 'COMMIT');
SELECT is((SELECT n FROM dblink_get_result('duty_b') AS r(n int)), 1, 'then stores its fix without an error');
SELECT count(*) FROM dblink_get_result('duty_b') AS r(n int);   -- the end of the async result
SELECT is((SELECT count(*) FROM patrol_fix WHERE ts >= '2025-11-12 00:00+08' AND ts < '2025-11-13 00:00+08'), 2::bigint,
          'both fixes are stored');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'shegu.patrol_fix'::regclass
           AND inhrelid = 'shegu.patrol_fix_20251112'::regclass), 1::bigint, 'in one partition');

-- A listening session hears a missed duty once.
SELECT dblink_exec('duty_a', $$
    INSERT INTO shegu.duty_rule (county, activity, role, grid_kind, every, unit, valid_from, note)
    VALUES ('650102', 'patrol', 'grid_worker', 'basic', 1, 'day', '2025-11-12', 'duty_sessions');
$$);
SELECT dblink_exec('duty_l', 'LISTEN shegu_duty_missed');
SELECT * FROM dblink('duty_a', $$SELECT notified FROM shegu.duty_judge('2025-11-13 12:00+08', '2025-11-12')$$) AS r(n bigint);
SELECT * FROM dblink('duty_l', 'SELECT 1') AS r(x int);   -- a round trip delivers the notifications
SELECT is((SELECT count(*) FROM dblink_get_notify('duty_l') AS n
           WHERE n.notify_name = 'shegu_duty_missed' AND n.extra::jsonb ->> 'grid' = '650102109001001'),
          2::bigint, 'the listener hears each missed patrol of the grid (one per worker)');
SELECT * FROM dblink('duty_a', $$SELECT notified FROM shegu.duty_judge('2025-11-13 12:00+08', '2025-11-12')$$) AS r(n bigint);
SELECT * FROM dblink('duty_l', 'SELECT 1') AS r(x int);
SELECT is((SELECT count(*) FROM dblink_get_notify('duty_l') AS n WHERE n.notify_name = 'shegu_duty_missed'), 0::bigint,
          'judging again announces nothing');
SELECT is((SELECT count(*) FROM duty_status AS s JOIN duty_rule AS r ON r.id = s.rule
           WHERE r.note = 'duty_sessions' AND s.state = 'missed' AND s.notified_at IS NOT NULL), 2::bigint,
          'the missed duties carry their announcement');

SELECT dblink_exec('duty_a', $$
    SET search_path = shegu, public;
    DELETE FROM shegu.duty_rule WHERE note = 'duty_sessions';
    DROP TABLE shegu.patrol_fix_20251112;
    DELETE FROM shegu.grid_staff WHERE code = '650102109001001';
    DELETE FROM shegu.grid WHERE code = '650102109001001';
$$);
SELECT dblink_disconnect(c) FROM unnest('{duty_a,duty_b,duty_l}'::text[]) AS c;
SELECT * FROM finish();
