-- pgTAP: the working-time calendar — holiday cases of 2025 and 2026, invariants over random
-- instants against a plain-SQL reference, and cache invalidation across sessions (dblink).
-- test/pgtap/worktime.sql — commits through dblink and removes what it adds at the end.
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SELECT plan(75);

-- Deadlines across the 2025 and 2026 holidays and make-up working days (调休).
SELECT is(add_work_time('2025-01-24 10:00', '2 days'), '2025-01-27 10:00+08',
          '2 working days from Friday 2025-01-24 (before the Spring Festival) use make-up Sunday 01-26');
SELECT is(add_work_time('2025-01-24 17:00', '2 days'), '2025-01-27 17:00+08',
          '2 working days from Friday 2025-01-24 17:00: 0.5 h, make-up Sunday 01-26, Monday 01-27 until 17:00');
SELECT is(add_work_time('2025-01-24 17:00', '3 days'), '2025-02-05 17:00+08',
          '3 working days from Friday 2025-01-24 17:00 end after the Spring Festival, 2025-02-05');
SELECT is(add_work_time('2026-02-13 10:00', '2 days'), '2026-02-24 10:00+08',
          '2 working days from Friday 2026-02-13 (before the Spring Festival) end Tuesday 02-24');
SELECT is(add_work_time('2026-02-13 10:00', '1 day'), '2026-02-14 10:00+08',
          '1 working day from Friday 2026-02-13 ends on make-up Saturday 02-14');
SELECT is(add_work_time('2026-02-27 16:00', '3 hours'), '2026-02-28 10:00+08',
          'make-up Saturday 2026-02-28 works');
SELECT is(add_work_time('2025-04-03 16:00', '2 hours'), '2025-04-07 09:00+08',
          'Qingming 2025 (04-04..06) is skipped');
SELECT is(add_work_time('2025-04-25 17:00', '1 hour'), '2025-04-27 09:00+08',
          'make-up Sunday 2025-04-27 before Labour Day works');
SELECT is(add_work_time('2025-04-30 17:00', '1 hour'), '2025-05-06 09:00+08',
          'Labour Day 2025 (05-01..05) is skipped');
SELECT is(add_work_time('2025-05-30 17:00', '1 hour'), '2025-06-03 09:00+08',
          'Dragon Boat 2025 (05-31..06-02) is skipped');
SELECT is(add_work_time('2025-09-26 17:00', '1 hour'), '2025-09-28 09:00+08',
          'make-up Sunday 2025-09-28 works');
SELECT is(add_work_time('2025-09-30 17:00', '1 hour'), '2025-10-09 09:00+08',
          'National Day and Mid-Autumn 2025 (10-01..08) are skipped');
SELECT is(add_work_time('2025-10-10 17:00', '1 hour'), '2025-10-11 09:00+08',
          'make-up Saturday 2025-10-11 works');
SELECT is(add_work_time('2025-12-31 16:00', '10 hours'), '2026-01-05 10:00+08',
          'year end: New Year 2026 (01-01..03), make-up Sunday 01-04, then Monday');
SELECT is(add_work_time('2026-04-03 17:00', '1 hour'), '2026-04-07 09:00+08',
          'Qingming 2026 (04-04..06) is skipped');
SELECT is(add_work_time('2026-04-30 17:00', '8 hours'), '2026-05-07 09:00+08',
          'Labour Day 2026 (05-01..05) is skipped: 0.5 h, 7 h on 05-06, 0.5 h on 05-07');
SELECT is(add_work_time('2026-05-08 17:00', '1 hour'), '2026-05-09 09:00+08',
          'make-up Saturday 2026-05-09 works');
SELECT is(add_work_time('2026-06-18 17:00', '1 hour'), '2026-06-22 09:00+08',
          'Dragon Boat 2026 (06-19..21) is skipped');
SELECT is(add_work_time('2026-09-18 17:00', '1 hour'), '2026-09-20 09:00+08',
          'make-up Sunday 2026-09-20 works');
SELECT is(add_work_time('2026-09-24 17:00', '1 hour'), '2026-09-28 09:00+08',
          'Mid-Autumn 2026 (09-25..27) is skipped');
SELECT is(add_work_time('2026-09-30 17:00', '1 hour'), '2026-10-08 09:00+08',
          'National Day 2026 (10-01..07) is skipped');
SELECT is(add_work_time('2026-10-09 17:00', '1 hour'), '2026-10-10 09:00+08',
          'make-up Saturday 2026-10-10 works');
SELECT is(work_time_between('2025-01-27 08:30', '2025-02-10 08:30'), '35:00:00'::interval,
          '2025-01-27..02-09: 01-27, 02-05, 06, 07 and make-up 02-08 = 5 working days');
SELECT is(work_time_between('2025-01-01', '2026-01-01'), '1736:00:00'::interval,
          '2025 has 248 working days of 7 hours');
SELECT is(work_time_between('2026-01-01', '2027-01-01'), '1736:00:00'::interval,
          '2026 has 248 working days of 7 hours');
SELECT is((SELECT count(*) FROM generate_series('2025-01-01'::date, '2026-12-31', '1 day') AS d
           WHERE is_workday(d::date) <> coalesce((SELECT o.is_workday FROM workday_override o WHERE o.day = d::date),
                                                 extract(isodow FROM d) < 6)),
          0::bigint, 'is_workday agrees with the overrides and Monday-Friday on every day of 2025-2026');

-- A plain-SQL reference of working time under the default schedule, day by day.
CREATE FUNCTION pg_temp.ref_between(a timestamptz, b timestamptz) RETURNS interval
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(greatest(interval '0',
                                 least(b AT TIME ZONE 'Asia/Shanghai', d + p.e)
                                 - greatest(a AT TIME ZONE 'Asia/Shanghai', d + p.s))), interval '0')
    FROM generate_series((a AT TIME ZONE 'Asia/Shanghai')::date::timestamp,
                         (b AT TIME ZONE 'Asia/Shanghai')::date::timestamp, '1 day') AS d,
         (VALUES (time '08:30', time '12:00'), (time '14:00', time '17:30')) AS p(s, e)
    WHERE coalesce((SELECT o.is_workday FROM shegu.workday_override o WHERE o.day = d::date),
                   extract(isodow FROM d) < 6)
$$;

-- Random instants in 2025-2026 (deterministic), amounts up to 20 working days.
SELECT setseed(0.4242);
CREATE TEMP TABLE pairs AS
SELECT i, timestamptz '2025-01-01 00:00+08' + random() * interval '650 days' AS a,
       make_interval(secs => floor(random() * 20 * 7 * 3600)) AS x
FROM generate_series(1, 1500) AS i;
-- Some on whole minutes, some right on period edges (12:00 and 17:30), so edges are hit.
UPDATE pairs SET a = date_trunc('minute', a) WHERE i % 2 = 0;
UPDATE pairs SET a = date_trunc('day', a) + interval '12 hours' WHERE i % 10 = 1;
UPDATE pairs SET a = date_trunc('day', a) + interval '17 hours 30 minutes' WHERE i % 10 = 3;
ALTER TABLE pairs ADD COLUMN b timestamptz;
UPDATE pairs SET b = a + random() * interval '35 days';
UPDATE pairs SET b = date_trunc('minute', b) WHERE i % 2 = 0 AND date_trunc('minute', b) >= a;

SELECT is((SELECT count(*) FROM pairs WHERE work_time_between(a, add_work_time(a, x)) <> x), 0::bigint,
          'between(a, add(a, x)) = x on 1500 random instants');
SELECT is((SELECT count(*) FROM pairs WHERE add_work_time(a, x) < a), 0::bigint,
          'add(a, x) >= a');
SELECT is((SELECT count(*) FROM pairs WHERE add_work_time(a, x) >= add_work_time(a, x + interval '1 second')),
          0::bigint, 'add is strictly increasing in the amount');
SELECT is((SELECT count(*) FROM pairs WHERE add_work_time(a, x) > add_work_time(b, x)), 0::bigint,
          'add is non-decreasing in the start');
SELECT is((SELECT count(*) FROM pairs WHERE work_time_between(a, b) <> pg_temp.ref_between(a, b)), 0::bigint,
          'work_time_between agrees with the plain-SQL reference on 1500 random pairs');
SELECT is((SELECT count(*) FROM pairs WHERE work_time_between(b, a) <> -work_time_between(a, b)), 0::bigint,
          'between(b, a) = -between(a, b)');
SELECT is((SELECT count(*) FROM pairs WHERE work_time_between(a, b) > b - a), 0::bigint,
          'working time never exceeds elapsed time');
SELECT is((SELECT count(*) FROM pairs
           WHERE add_work_time(a, work_time_between(a, b)) > b
              OR work_time_between(add_work_time(a, work_time_between(a, b)), b) <> interval '0'),
          0::bigint, 'add(a, between(a, b)) is the earliest instant with as much work as b');
SELECT is((SELECT count(*) FROM pairs WHERE work_time_between(a, b, '24x7') <> b - a), 0::bigint,
          '24x7 working time is elapsed time');
SELECT is((SELECT count(*) FROM pairs
           WHERE add_work_time(a, x) <> add_work_time(a, make_interval(days => (extract(epoch FROM x)::bigint / 25200)::int,
                                                                       secs => extract(epoch FROM x)::bigint % 25200))),
          0::bigint, 'a day of amount is 7 working hours under default');

-- Years without calendar rows: Monday-Friday (with a WARNING, see sql/worktime.sql), or refused.
SET shegu.calendar_fallback = error;
SELECT throws_ok($$SELECT shegu.add_work_time('2026-12-31 17:00', '1 hour')$$, '55000',
                 'no working-day calendar loaded for year 2027',
                 'calendar_fallback = error: a deadline running into 2027 is refused, naming the year');
SELECT throws_ok($$SELECT shegu.work_time_between('2024-12-30', '2025-01-06')$$, '55000',
                 'no working-day calendar loaded for year 2024',
                 'calendar_fallback = error: a span starting in 2024 is refused, naming the year');
SELECT lives_ok($$SELECT shegu.add_work_time('2025-12-31 17:00', '1 hour')$$,
                'calendar_fallback = error: loaded years work');
SET shegu.calendar_fallback = silent;
SELECT is(add_work_time('2026-12-31 17:00', '1 hour'), '2027-01-01 09:00+08',
          'calendar_fallback = silent: Friday 2027-01-01 works (Monday-Friday)');
RESET shegu.calendar_fallback;

-- Cache invalidation across sessions.
-- The server's own socket, so that the connections do not depend on its environment.
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
              current_setting('port'), current_user) AS conninfo \gset
SELECT is(dblink_connect('wt_reader', :'conninfo'), 'OK', 'reader session connected');
SELECT is(dblink_connect('wt_writer', :'conninfo'), 'OK', 'writer session connected');
SELECT is(dblink_exec('wt_reader', 'SET timezone = ''Asia/Shanghai'''), 'SET', 'reader in Asia/Shanghai');
SELECT is(dblink_exec('wt_writer', 'SET timezone = ''Asia/Shanghai'''), 'SET', 'writer in Asia/Shanghai');

SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2027-02-10')::text$$) AS t(v text)),
          'true', 'reader: Wednesday 2027-02-10 works while 2027 is not loaded (and is now cached)');
SELECT is(dblink_exec('wt_writer', $$INSERT INTO shegu.workday_override VALUES ('2027-02-10', false, 'pgtap test holiday')$$),
          'INSERT 0 1', 'writer commits a holiday on 2027-02-10');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2027-02-10')::text$$) AS t(v text)),
          'false', 'reader sees an override another session committed');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.add_work_time('2027-02-09 17:00', '1 hour')::text$$) AS t(v text)),
          '2027-02-11 09:00:00+08', 'and its deadlines move');

SELECT is(dblink_exec('wt_writer', 'BEGIN'), 'BEGIN', 'writer opens a transaction');
SELECT is(dblink_exec('wt_writer', $$INSERT INTO shegu.workday_override VALUES ('2027-02-11', false, 'pgtap test holiday')$$),
          'INSERT 0 1', 'writer adds a holiday on 2027-02-11 without committing');
SELECT is((SELECT v FROM dblink('wt_writer', $$SELECT shegu.is_workday('2027-02-11')::text$$) AS t(v text)),
          'false', 'writer sees its own uncommitted override');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2027-02-11')::text$$) AS t(v text)),
          'true', 'reader does not see an uncommitted override');
SELECT is(dblink_exec('wt_writer', 'ROLLBACK'), 'ROLLBACK', 'writer rolls back');
SELECT is((SELECT v FROM dblink('wt_writer', $$SELECT shegu.is_workday('2027-02-11')::text$$) AS t(v text)),
          'true', 'after ROLLBACK the writer''s cache forgets the override');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2027-02-11')::text$$) AS t(v text)),
          'true', 'and the reader never saw it');

SELECT is(dblink_exec('wt_writer', $$INSERT INTO shegu.work_schedule (name, periods) VALUES ('pgtap', '09:00-10:00')$$),
          'INSERT 0 1', 'writer creates schedule pgtap');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.add_work_time('2025-03-03 09:30', '1 hour', 'pgtap')::text$$) AS t(v text)),
          '2025-03-04 09:30:00+08', 'reader uses a schedule another session created');
SELECT is(dblink_exec('wt_writer', $$UPDATE shegu.work_schedule SET periods = '09:00-11:00' WHERE name = 'pgtap'$$),
          'UPDATE 1', 'writer changes schedule pgtap');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.add_work_time('2025-03-03 09:30', '1 hour', 'pgtap')::text$$) AS t(v text)),
          '2025-03-03 10:30:00+08', 'and follows its change');

-- A year's notice loaded by another session (the real 2017 notice, which shegu does not ship):
-- the reader's cached calendar sees the new year at once.
\set n2017 '一、元旦：1月1日放假，1月2日（星期一）补休。\n二、春节：1月27日至2月2日放假调休，共7天。1月22日（星期日）、2月4日（星期六）上班。\n三、清明节：4月2日至4日放假调休，共3天。4月1日（星期六）上班。\n四、劳动节：5月1日放假，与周末连休。\n五、端午节：5月28日至30日放假调休，共3天。5月27日（星期六）上班。\n六、中秋节、国庆节：10月1日至8日放假调休，共8天。9月30日（星期六）上班。'
SELECT is((SELECT v FROM dblink('wt_reader', $$SET shegu.calendar_fallback = silent; SELECT shegu.is_workday('2017-01-02')::text$$) AS t(v text)),
          'true', 'reader: Monday 2017-01-02 works while 2017 is not loaded');
SELECT is((SELECT v FROM dblink('wt_writer', format('SELECT row(holidays, workdays, replaced)::text FROM shegu.load_holiday_notice(2017, %L)', E:'n2017')) AS t(v text)),
          '(26,5,0)', 'writer loads the 2017 notice: 26 days off, 5 make-up working days');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2017-01-02')::text || shegu.is_workday('2017-01-22')::text$$) AS t(v text)),
          'falsetrue', 'reader sees the 2017 holiday (补休 Monday) and make-up Sunday');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT (2017 = ANY (ARRAY(SELECT shegu.calendar_years())))::text$$) AS t(v text)),
          'true', 'reader: 2017 is loaded');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.add_work_time('2017-01-26 17:00', '1 hour')::text$$) AS t(v text)),
          '2017-02-03 09:00:00+08', 'a deadline across the 2017 Spring Festival');
SELECT is((SELECT v FROM dblink('wt_writer', format('SELECT row(holidays, workdays, replaced)::text FROM shegu.load_holiday_notice(2017, %L)', E:'n2017')) AS t(v text)),
          '(26,5,31)', 'loading the same notice again replaces the year''s 31 rows');
SELECT is((SELECT v FROM dblink('wt_writer', $$SELECT count(*)::text FROM shegu.workday_override WHERE day BETWEEN '2017-01-01' AND '2017-12-31'$$) AS t(v text)),
          '31', 'and leaves 31 rows');
SELECT throws_ok(format('SELECT * FROM shegu.load_holiday_notice(2017, %L)', '一、元旦：1月1日放假，1月2日（星期二）补休。'),
                 '22023', NULL, 'a wrong weekday is refused');
SELECT is((SELECT count(*) FROM shegu.workday_override WHERE day BETWEEN '2017-01-01' AND '2017-12-31'), 31::bigint,
          'and nothing was written');
SELECT is(dblink_exec('wt_writer', $$DELETE FROM shegu.workday_override WHERE day BETWEEN '2017-01-01' AND '2017-12-31' AND NOT shipped$$),
          'DELETE 31', 'writer removes the 2017 rows');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2017-01-02')::text$$) AS t(v text)),
          'true', 'reader sees 2017 unloaded again');

-- Clean up what was committed.
SELECT is(dblink_exec('wt_writer', $$DELETE FROM shegu.workday_override WHERE name = 'pgtap test holiday'$$),
          'DELETE 1', 'writer removes its holiday');
SELECT is(dblink_exec('wt_writer', $$DELETE FROM shegu.work_schedule WHERE name = 'pgtap'$$),
          'DELETE 1', 'writer removes its schedule');
SELECT is((SELECT v FROM dblink('wt_reader', $$SELECT shegu.is_workday('2027-02-10')::text$$) AS t(v text)),
          'true', 'reader sees the delete');
SELECT is(dblink_disconnect('wt_reader'), 'OK', 'reader disconnected');
SELECT is(dblink_disconnect('wt_writer'), 'OK', 'writer disconnected');

SELECT * FROM finish();
