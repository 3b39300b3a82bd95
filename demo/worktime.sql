-- Demo: working time (工作时) under the State Council's holiday calendar (工作日 / 调休).
-- Due times and time spent, exact across lunch breaks, nights, weekends, holidays and make-up days.
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';

-- The calendar shipped: 2025 and 2026; two schedules.
SELECT * FROM calendar_years();
SELECT name, time_zone, periods, workdays_only FROM work_schedule ORDER BY name;

-- A new year is loaded from the State Council's notice text; the shipped 2026 rows are what
-- the notice says (here its Spring Festival item).
SELECT p.day, p.is_workday, p.name, o.shipped AS also_shipped
FROM parse_holiday_notice(2026,
    '一、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。') AS p
LEFT JOIN workday_override o ON o.day = p.day AND o.is_workday = p.is_workday AND o.name = p.name;

-- The 2026 Spring Festival: make-up Saturday 02-14, nine days off, make-up Saturday 02-28.
SELECT d::date AS day, to_char(d, 'Dy') AS dow, is_workday(d::date) AS working,
       (SELECT name FROM workday_override WHERE day = d::date) AS why
FROM generate_series('2026-02-13'::date, '2026-02-28'::date, '1 day') AS d;

-- Due times of incidents reported on the Friday before the Spring Festival, by time limit.
SELECT lim AS time_limit, add_work_time('2026-02-13 10:00', lim) AS due_working_time,
       add_work_time('2026-02-13 10:00', lim, '24x7') AS due_natural_time
FROM unnest('{2 hours, 1 day, 2 days, 5 days}'::interval[]) AS lim;

-- Working time spent on a case open across National Day 2025 (make-up Sunday 09-28 and Saturday 10-11).
SELECT work_time_between('2025-09-26 16:00', '2025-10-13 10:00') AS working_hours,
       '2025-10-13 10:00'::timestamptz - '2025-09-26 16:00'::timestamptz AS elapsed;

-- A schedule of one's own: a hotline open 08:00-20:00 on working days.
INSERT INTO work_schedule (name, periods) VALUES ('demo hotline', '8:00-20:00');
SELECT add_work_time('2025-12-31 19:00', '3 hours', 'demo hotline') AS hotline_due;
DELETE FROM work_schedule WHERE name = 'demo hotline';

-- Per row, fast: due times of 200,000 incidents at random instants of 2025-2026.
SELECT count(*) AS incidents, min(due - reported) AS shortest_wait, max(due - reported) AS longest_wait
FROM (SELECT reported, add_work_time(reported, '1 day') AS due
      FROM (SELECT timestamptz '2025-01-01' + random() * interval '600 days' AS reported
            FROM generate_series(1, 200000)) AS r) AS s;

-- A year that is not loaded falls back to Monday-Friday and says so once.
SELECT add_work_time('2026-12-31 17:00', '1 hour') AS into_2027;
SELECT add_work_time('2027-01-04 17:00', '1 hour') AS again_no_warning;

-- A bad limit is refused with the reason.
DO $$
BEGIN
    PERFORM shegu.add_work_time(now(), '1 mon');
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'refused: % (%)', SQLERRM, SQLSTATE;
END;
$$;
