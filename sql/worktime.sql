-- The working-time calendar (工作日 / 调休 / 工作时): shipped rows, is_workday, add_work_time,
-- work_time_between, schedules, the once-per-session WARNING, every error, cache invalidation.
-- Quietly: run alone or after sql/gridcode.sql, which creates them.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
RESET client_min_messages;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- What ships: the 2025 and 2026 notices, two schedules.
SELECT extract(year FROM day)::int AS year, count(*) AS rows,
       count(*) FILTER (WHERE is_workday) AS make_up_days,
       count(*) FILTER (WHERE NOT is_workday) AS days_off,
       count(*) FILTER (WHERE NOT is_workday AND extract(isodow FROM day) < 6) AS weekdays_off,
       bool_and(shipped) AS shipped
FROM workday_override GROUP BY 1 ORDER BY 1;
SELECT * FROM calendar_years();
-- The shipped rows are exactly data/cn_workday_calendar.csv, the notices as published.
CREATE TEMP TABLE published (day date, is_workday boolean, name text);
\copy published FROM 'data/cn_workday_calendar.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS published_rows,
       count(*) FILTER (WHERE o.day IS NULL OR p.day IS NULL OR o.is_workday <> p.is_workday
                        OR o.name <> p.name OR NOT o.shipped) AS differences
FROM published p FULL JOIN workday_override o USING (day);
SELECT name, time_zone, periods, workdays_only, shipped FROM work_schedule ORDER BY name;
-- (only this room's tables: rooms installed later register their own)
SELECT extname, array_agg(t ORDER BY n) AS config_tables, array_agg(c ORDER BY n) AS extcondition
FROM pg_extension, unnest(extconfig::regclass[], extcondition) WITH ORDINALITY AS u(t, c, n)
WHERE extname = 'shegu' AND t IN ('shegu.workday_override'::regclass, 'shegu.work_schedule'::regclass)
GROUP BY extname;

-- is_workday around the 2026 Spring Festival: make-up Saturday 02-14, holidays 02-15..23,
-- make-up Saturday 02-28.
SELECT d::date AS day, to_char(d, 'Dy') AS dow, is_workday(d::date),
       (SELECT name FROM workday_override WHERE day = d::date) AS why
FROM generate_series('2026-02-12'::date, '2026-03-02'::date, '1 day') AS d;
-- Year ends, and the National Day 2025 make-up Sunday and Saturday.
SELECT d AS day, to_char(d, 'Dy') AS dow, is_workday(d)
FROM unnest('{2025-01-01,2025-01-02,2025-09-28,2025-10-08,2025-10-09,2025-10-11,2025-12-31,2026-01-01,2026-01-04,2026-12-31}'::date[]) AS d;
-- Working days per loaded year: 261 weekdays less holidays plus make-up days.
SELECT y, count(*) FILTER (WHERE is_workday(d::date)) AS working_days
FROM generate_series(2025, 2026) AS y,
     generate_series(make_date(y, 1, 1), make_date(y, 12, 31), '1 day') AS d
GROUP BY y ORDER BY y;

-- add_work_time under the default schedule (08:30-12:00, 14:00-17:30, Asia/Shanghai).
SELECT s AS start, a AS amount, add_work_time(s, a) AS due, note
FROM (VALUES
    ('2025-01-06 09:00'::timestamptz, '2 hours'::interval, 'Monday morning'),
    ('2025-01-06 11:30', '1 hour', 'across the lunch break'),
    ('2025-01-06 11:00', '1 hour', 'ends at 12:00, not at 14:00'),
    ('2025-01-06 12:30', '1 second', 'from the lunch break'),
    ('2025-01-06 12:30', '0', 'zero is the start itself'),
    ('2025-01-06 06:00', '7 hours', 'a whole day from before opening'),
    ('2025-01-06 17:00', '1 hour', 'across a night'),
    ('2025-01-06 20:00', '30 minutes', 'from the evening'),
    ('2025-01-10 17:00', '1 hour', 'across a weekend'),
    ('2025-01-11 10:00', '1 second', 'from a Saturday'),
    ('2025-01-06 10:00:00.25', '0.5 seconds', 'microseconds are kept'),
    ('2025-01-24 10:00', '2 days', 'Friday before the 2025 Spring Festival: make-up Sunday 01-26'),
    ('2025-01-27 17:00', '1 hour', 'the 2025 Spring Festival holidays'),
    ('2026-02-13 10:00', '2 days', 'Friday before the 2026 Spring Festival'),
    ('2026-02-13 17:30', '1 day', 'onto make-up Saturday 02-14'),
    ('2025-09-30 10:00', '1 day', 'across National Day 2025'),
    ('2025-12-31 17:00', '1 hour', 'New Year 2026 and make-up Sunday 01-04'),
    ('2025-01-06 09:00', '1 day 2 hours', 'days and hours: 9 working hours'),
    ('2025-01-06 09:00', '300 days', 'three hundred working days')) AS t(s, a, note);
-- days count as working days of the schedule: 7 hours under default, 24 under 24x7.
SELECT add_work_time('2025-01-06 09:00', '1 day') AS default_day,
       add_work_time('2025-01-06 09:00', '7 hours') AS seven_hours,
       add_work_time('2025-01-06 09:00', '1 day', '24x7') AS natural_day;

-- work_time_between.
SELECT a, b, work_time_between(a, b) AS working, note
FROM (VALUES
    ('2025-01-06 09:00'::timestamptz, '2025-01-06 11:00'::timestamptz, 'morning'),
    ('2025-01-06 11:00', '2025-01-06 15:00', 'across lunch'),
    ('2025-01-06 12:10', '2025-01-06 13:50', 'inside lunch'),
    ('2025-01-06 17:00', '2025-01-07 09:00', 'across a night'),
    ('2025-01-07 09:00', '2025-01-06 17:00', 'backwards: negative'),
    ('2025-01-10 17:00', '2025-01-13 09:00', 'across a weekend'),
    ('2025-09-26 08:30', '2025-10-13 08:30', 'National Day 2025 with make-up 09-28 and 10-11'),
    ('2026-02-13 08:30', '2026-03-02 08:30', 'Spring Festival 2026 with make-up 02-14 and 02-28'),
    ('2025-01-01 00:00', '2026-01-01 00:00', 'the year 2025: 248 working days'),
    ('2025-01-06 10:00:00.1', '2025-01-06 10:00:00.3', 'microseconds'),
    ('2025-01-06 10:00', '2025-01-06 10:00', 'empty')) AS t(a, b, note);
SELECT work_time_between('2025-01-24 10:00', '2025-01-27 10:00', '24x7') AS natural_time,
       work_time_between('2025-01-24 10:00', add_work_time('2025-01-24 10:00', '2 days')) AS round_trip;

-- NULLs: a NULL instant gives NULL; a NULL amount or schedule is an error (below).
SELECT add_work_time(NULL, '1 hour') IS NULL AS null_start,
       work_time_between(NULL, now()) IS NULL AS null_a,
       work_time_between(now(), NULL) IS NULL AS null_b,
       is_workday(NULL) IS NULL AS null_day;

-- Outside the loaded years: Monday-Friday, and a WARNING once per session per year.
SELECT is_workday('2027-01-01') AS jan1_2027_friday;
SELECT is_workday('2027-10-01') AS oct1_2027_friday_no_warning_again;
SELECT add_work_time('2026-12-31 17:00', '1 hour') AS into_2027;
SELECT add_work_time('2024-12-31 17:00', '1 hour') AS from_2024;
SELECT add_work_time('2024-12-31 17:00', '1 hour', '24x7') AS natural_time_never_warns;
SELECT work_time_between('2000-01-01', '2024-01-01') AS many_years_one_warning;
SELECT work_time_between('2000-01-01', '2024-01-01') AS no_second_warning;
SELECT work_time_between('2026-01-01', '2027-01-01') AS up_to_midnight_of_2027_consults_no_2027_day;
-- shegu.calendar_fallback: error refuses (even a year already warned about), silent says nothing.
SET shegu.calendar_fallback = error;
SELECT is_workday('2026-12-31') AS loaded_year_still_works;
SELECT is_workday('2027-01-01');
SELECT add_work_time('2026-12-31 17:00', '1 hour');
SELECT work_time_between('2024-12-31', '2025-01-02');
SELECT add_work_time('2026-12-31 17:00', '1 hour', '24x7') AS natural_time_needs_no_calendar;
SELECT work_time_between('2026-01-01', '2027-01-01') AS until_midnight_needs_no_2027_day;
INSERT INTO work_schedule (name, periods) VALUES ('late', '22:00-24:00');
SELECT add_work_time('2026-12-31 22:00', '2 hours', 'late') AS ends_at_midnight_needs_no_2027_day;
SELECT add_work_time('2026-12-31 22:00', '2 hours 1 second', 'late');
DELETE FROM work_schedule WHERE name = 'late';
SET shegu.calendar_fallback = silent;
SELECT is_workday('2031-01-01') AS silent_2031;
SET shegu.calendar_fallback = sometimes;
RESET shegu.calendar_fallback;
SHOW shegu.calendar_fallback;

-- Errors.
SELECT add_work_time('2025-01-06 09:00', NULL);
SELECT add_work_time('2025-01-06 09:00', '-1 hour');
SELECT add_work_time('2025-01-06 09:00', '1 day -1 hour');
SELECT add_work_time('2025-01-06 09:00', '-1 day 10 hours');
SELECT add_work_time('2025-01-06 09:00', '1 mon');
SELECT add_work_time('2025-01-06 09:00', '1 year');
SELECT add_work_time('2025-01-06 09:00', '1 hour', 'night shift');
SELECT add_work_time('2025-01-06 09:00', '1 hour', NULL);
SELECT add_work_time(NULL, '1 hour', 'no such');
SELECT add_work_time(NULL, '-1 hour');
SELECT add_work_time('infinity', '1 hour');
SELECT add_work_time('-infinity', '1 hour');
SELECT add_work_time('2025-01-06 09:00', '2000000000 days');
SELECT add_work_time('294276-12-31 12:00+00', '13 hours', '24x7');
SELECT work_time_between('2025-01-06', 'infinity');
SELECT work_time_between('-infinity', '2025-01-06');
SELECT work_time_between('2025-01-06', '2025-01-07', 'nope');
SELECT work_time_between('2025-01-06', '2025-01-07', NULL);
SELECT work_time_between('4713-11-24 08:00:00+00 BC', '294276-12-31', '24x7');
SELECT is_workday('infinity');
SELECT is_workday('-infinity');

-- Schedules: periods are checked and stored in canonical form; zones must keep one offset.
INSERT INTO work_schedule (name, periods) VALUES ('hotline', ' 8:00-12:00 , 13:00 - 20:00:30 ')
RETURNING name, time_zone, periods, workdays_only, shipped;
INSERT INTO work_schedule (name, time_zone, periods) VALUES ('utc', 'UTC', '09:00-17:00'),
    ('india', '+05:30', '09:30-18:00'), ('tokyo', 'Asia/Tokyo', '09:00-12:00,13:00-18:00');
INSERT INTO work_schedule (name, periods, workdays_only) VALUES ('night', '00:00-06:00,22:00-24:00', false);
SELECT name, time_zone, periods FROM work_schedule WHERE NOT shipped ORDER BY name;
SELECT sc, add_work_time('2025-06-03 10:00', '1 hour', sc) AS due,
       work_time_between('2025-06-03 00:00', '2025-06-04 00:00', sc) AS first_tuesday_day
FROM unnest('{default,24x7,hotline,utc,india,tokyo,night}'::text[]) AS sc;
UPDATE work_schedule SET periods = '9:00-17:00' WHERE name = 'utc' RETURNING periods;
INSERT INTO work_schedule (name, periods) VALUES ('bad', '');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '08:30');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '8-12');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '08:60-12:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '25:00-26:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '24:00-24:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '12:00-08:30');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '22:00-06:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '14:00-17:30,08:30-12:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '08:00-12:00,11:00-13:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '08:00-12:00;13:00-17:00');
INSERT INTO work_schedule (name, periods) VALUES ('bad', '08:00-12:00,');
INSERT INTO work_schedule (name, time_zone, periods) VALUES ('bad', 'Europe/Berlin', '08:00-16:00');
INSERT INTO work_schedule (name, time_zone, periods) VALUES ('bad', 'Mars/Olympus', '08:00-16:00');
INSERT INTO work_schedule (name, time_zone, periods) VALUES ('bad', '+19:00', '08:00-16:00');
INSERT INTO work_schedule (name, time_zone, periods) VALUES ('bad', NULL, '08:00-16:00');
INSERT INTO work_schedule (name, periods) VALUES ('', '08:00-16:00');
UPDATE work_schedule SET time_zone = 'America/New_York' WHERE name = 'utc';

-- Calendar rows are checked too.
INSERT INTO workday_override VALUES ('2025-01-01', true, 'again');
INSERT INTO workday_override VALUES ('2027-01-01', false, '');
INSERT INTO workday_override VALUES ('294277-01-01', false, 'too late');

-- The cache follows the tables, within the transaction and across its end.
BEGIN;
INSERT INTO workday_override (day, is_workday, name) VALUES
    ('2027-01-01', false, '元旦 New Year'), ('2027-01-02', false, '元旦 New Year');
SELECT is_workday('2027-01-01') AS new_year_2027_in_transaction,
       add_work_time('2026-12-31 17:00', '1 hour') AS due_in_transaction;
SELECT * FROM calendar_years();
ROLLBACK;
SELECT is_workday('2027-01-01') AS after_rollback, add_work_time('2026-12-31 17:00', '1 hour') AS due_after_rollback;
BEGIN;
SAVEPOINT s;
UPDATE workday_override SET is_workday = true WHERE day = '2026-02-16';
SELECT is_workday('2026-02-16') AS in_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT is_workday('2026-02-16') AS after_savepoint_rollback;
COMMIT;
INSERT INTO workday_override (day, is_workday, name) VALUES ('2027-01-01', false, '元旦 New Year');
SELECT is_workday('2027-01-01') AS committed, add_work_time('2026-12-31 17:00', '1 hour') AS due_committed;
DELETE FROM workday_override WHERE day = '2027-01-01';
SELECT is_workday('2027-01-01') AS deleted;
UPDATE work_schedule SET periods = '10:00-11:00' WHERE name = 'hotline';
SELECT add_work_time('2025-01-06 09:00', '1 hour', 'hotline') AS schedule_changed;
DELETE FROM work_schedule WHERE name = 'hotline';
SELECT add_work_time('2025-01-06 09:00', '1 hour', 'hotline');
BEGIN;
TRUNCATE workday_override;
SELECT is_workday('2025-01-01') AS truncated_new_year;
ROLLBACK;
SELECT is_workday('2025-01-01') AS restored_new_year;
DELETE FROM work_schedule WHERE NOT shipped;

-- The State Council's yearly notice, read into overrides.  The real 2025 and 2026 notices
-- give exactly the shipped rows, names included.
\set n2025 `cat test/fixtures/holiday_notice_2025.txt`
\set n2026 `cat test/fixtures/holiday_notice_2026.txt`
\set n2017 `cat test/fixtures/holiday_notice_2017.txt`
SELECT y AS year, count(*) AS rows,
       count(*) FILTER (WHERE o.day IS NULL OR p.day IS NULL OR o.is_workday <> p.is_workday
                        OR o.name <> p.name) AS differences
FROM (VALUES (2025, :'n2025'), (2026, :'n2026')) AS n(y, t)
CROSS JOIN LATERAL (
    SELECT * FROM parse_holiday_notice(n.y, n.t) AS p
    FULL JOIN (SELECT * FROM workday_override WHERE shipped AND extract(year FROM day) = n.y) AS o
    USING (day)) AS j(day, is_workday, name, o_is_workday, o_name, shipped)
CROSS JOIN LATERAL (SELECT j.day, j.is_workday, j.name) AS p(day, is_workday, name)
CROSS JOIN LATERAL (SELECT CASE WHEN j.shipped THEN j.day END, j.o_is_workday, j.o_name) AS o(day, is_workday, name)
GROUP BY y ORDER BY y;
-- 2017 (国办发明电〔2016〕17号): 补休, 与周末连休, 星期X, and items without weekdays.
SELECT * FROM parse_holiday_notice(2017, :'n2017') WHERE day < '2017-05-02';
-- Half-width punctuation as reposted on the web; white space inside a line.
SELECT count(*) FROM parse_holiday_notice(2026, translate(:'n2026', '（）：，', '():,'));
SELECT * FROM parse_holiday_notice(2024, E'一、元旦：1月1日放假，与周末连休。\n二、 春节 ：2月10日至17日放假调休，共8天。2月4日（周日）、2月18日（周日）上班。') LIMIT 3;
SELECT * FROM parse_holiday_notice(2019, '一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。');
-- Refused, naming the fragment.
SELECT * FROM parse_holiday_notice(2026, :'n2025');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月1日（周四）放假1天，不调休。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月1日（周三）放假2天，不调休。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月1日（周三）至2日放假，共3天。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：2月30日放假。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月3日至1日放假。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月1日放假，请大家注意安全。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：1月1日放假。2月3日（周一）上班。');
SELECT * FROM parse_holiday_notice(2025, '一、圣诞节：12月25日放假。');
SELECT * FROM parse_holiday_notice(2025, E'一、元旦：1月1日放假。\n三、清明节：4月4日放假。');
SELECT * FROM parse_holiday_notice(2025, E'一、元旦：1月1日放假。\n二、春节：1月1日至2日放假。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦1月1日放假。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：2023年1月1日放假。');
SELECT * FROM parse_holiday_notice(2025, '放假安排另行通知。');
SELECT * FROM parse_holiday_notice(2025, '一、元旦：，1月1日放假。');
SELECT * FROM parse_holiday_notice(1900, :'n2025');
SELECT * FROM parse_holiday_notice(NULL, :'n2025');

-- Loading: 2027 is not loaded, so is_workday warns and falls back to Monday-Friday; a notice
-- for 2027 (here a made-up one) loads it, and the calendar cache sees it at once.
SELECT 2027 = ANY (ARRAY(SELECT calendar_years())) AS loaded_2027, is_workday('2027-01-01') AS new_year_2027;
BEGIN;
SELECT * FROM load_holiday_notice(2027, '一、元旦：1月1日（周五）至3日（周日）放假，共3天。');
SELECT 2027 = ANY (ARRAY(SELECT calendar_years())) AS loaded_2027, is_workday('2027-01-01') AS new_year_2027;
-- Loading again replaces the year's rows (not shipped) with the new text.
INSERT INTO workday_override VALUES ('2027-06-01', false, '本地假日 local holiday');
SELECT * FROM load_holiday_notice(2027, '一、元旦：1月1日（周五）放假1天。二、春节：2月6日（周六）上班。');
SELECT day, is_workday, name, shipped FROM workday_override WHERE day >= '2027-01-01' ORDER BY day;
-- An error writes nothing.
SAVEPOINT before_error;
SELECT * FROM load_holiday_notice(2027, '一、元旦：1月1日（周五）放假1天，补班。');
ROLLBACK TO SAVEPOINT before_error;
SELECT count(*) AS rows_2027 FROM workday_override WHERE day >= '2027-01-01';
ROLLBACK;
-- Shipped years: a notice repeating the shipped rows changes nothing; one contradicting them is refused.
SELECT * FROM load_holiday_notice(2026, :'n2026');
SELECT count(*) FILTER (WHERE shipped) AS shipped, count(*) FILTER (WHERE NOT shipped) AS users
FROM workday_override WHERE extract(year FROM day) = 2026;
SELECT * FROM load_holiday_notice(2026, '一、元旦：1月1日（周四）放假1天。1月4日（周日）上班。二、春节：1月3日（周六）上班。');
-- A notice of an unshipped year, with a day of the year before (2018-12-29 make-up Saturday).
BEGIN;
SELECT * FROM load_holiday_notice(2019, '一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。');
SELECT day, is_workday, name FROM workday_override WHERE NOT shipped ORDER BY day;
SELECT is_workday('2018-12-29') AS saturday_2018_12_29, is_workday('2018-12-31') AS monday_2018_12_31;
ROLLBACK;

-- Volatility: they read tables, so STABLE; the C ones keep the session's warned years, so
-- PARALLEL RESTRICTED; NULL handling is their own except for is_workday.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict
FROM pg_proc p
WHERE p.pronamespace = 'shegu'::regnamespace
  AND p.proname IN ('calendar_years', 'is_workday', 'add_work_time', 'work_time_between',
                    'work_schedule_check', 'worktime_invalidate', 'parse_notice_date',
                    'parse_holiday_notice', 'load_holiday_notice')
ORDER BY 1::text;

-- Everything the room declares is commented: tables, indexes, columns, triggers, functions.
SELECT c.oid::regclass AS undocumented_relation FROM pg_class c
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relkind IN ('r', 'i')
  AND c.relname IN ('workday_override', 'work_schedule', 'workday_override_pkey', 'work_schedule_pkey')
  AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT a.attrelid::regclass, a.attname AS undocumented_column FROM pg_attribute a
WHERE a.attrelid IN ('shegu.workday_override'::regclass, 'shegu.work_schedule'::regclass)
  AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL;
SELECT t.tgname AS undocumented_trigger FROM pg_trigger t
WHERE t.tgrelid IN ('shegu.workday_override'::regclass, 'shegu.work_schedule'::regclass)
  AND NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL;
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
