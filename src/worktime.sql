-- The working-time calendar (工作日 / 调休 / 工作时): overrides, schedules, is_workday, add, between.
-- src/worktime.sql — declares what src/worktime.c implements.

-- Working-day overrides: the State Council's holidays and make-up working days (调休).

CREATE TABLE shegu.workday_override (
    day        date PRIMARY KEY CHECK (day BETWEEN '4713-11-24 BC' AND '294276-12-31'),
    is_workday boolean NOT NULL,
    name       text NOT NULL CHECK (name <> ''),
    shipped    boolean NOT NULL DEFAULT false
);
COMMENT ON CONSTRAINT workday_override_day_check ON shegu.workday_override IS 'the day lies in the range of timestamptz';
COMMENT ON CONSTRAINT workday_override_name_check ON shegu.workday_override IS 'a day has a name';
COMMENT ON TABLE shegu.workday_override IS
    'working-day calendar (工作日历): days whose status differs from Monday-Friday — holidays (is_workday false) and make-up working days 调休 (true); a year with at least one row is "loaded", other years fall back to Monday-Friday with a WARNING; users add each new year''s rows';
COMMENT ON INDEX shegu.workday_override_pkey IS 'one row per day';
COMMENT ON CONSTRAINT workday_override_pkey ON shegu.workday_override IS 'one override per calendar day';
COMMENT ON COLUMN shegu.workday_override.day IS 'the calendar day';
COMMENT ON COLUMN shegu.workday_override.is_workday IS 'true: a working day (e.g. a make-up working weekend day 调休); false: a day off (a public holiday)';
COMMENT ON COLUMN shegu.workday_override.name IS 'what the day is, e.g. 春节 Spring Festival';
COMMENT ON COLUMN shegu.workday_override.shipped IS 'true for the rows shegu ships (the State Council notices for 2025 and 2026); pg_dump keeps only rows where it is false';

INSERT INTO shegu.workday_override (day, is_workday, name, shipped) VALUES
    ('2025-01-01', false, '元旦 New Year', true),
    ('2025-01-26', true,  '春节 Spring Festival (make-up workday)', true),
    ('2025-01-28', false, '春节 Spring Festival', true),
    ('2025-01-29', false, '春节 Spring Festival', true),
    ('2025-01-30', false, '春节 Spring Festival', true),
    ('2025-01-31', false, '春节 Spring Festival', true),
    ('2025-02-01', false, '春节 Spring Festival', true),
    ('2025-02-02', false, '春节 Spring Festival', true),
    ('2025-02-03', false, '春节 Spring Festival', true),
    ('2025-02-04', false, '春节 Spring Festival', true),
    ('2025-02-08', true,  '春节 Spring Festival (make-up workday)', true),
    ('2025-04-04', false, '清明节 Qingming', true),
    ('2025-04-05', false, '清明节 Qingming', true),
    ('2025-04-06', false, '清明节 Qingming', true),
    ('2025-04-27', true,  '劳动节 Labour Day (make-up workday)', true),
    ('2025-05-01', false, '劳动节 Labour Day', true),
    ('2025-05-02', false, '劳动节 Labour Day', true),
    ('2025-05-03', false, '劳动节 Labour Day', true),
    ('2025-05-04', false, '劳动节 Labour Day', true),
    ('2025-05-05', false, '劳动节 Labour Day', true),
    ('2025-05-31', false, '端午节 Dragon Boat', true),
    ('2025-06-01', false, '端午节 Dragon Boat', true),
    ('2025-06-02', false, '端午节 Dragon Boat', true),
    ('2025-09-28', true,  '国庆节 National Day (make-up workday)', true),
    ('2025-10-01', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-02', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-03', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-04', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-05', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-06', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-07', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-08', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-11', true,  '国庆节 National Day (make-up workday)', true),
    ('2026-01-01', false, '元旦 New Year', true),
    ('2026-01-02', false, '元旦 New Year', true),
    ('2026-01-03', false, '元旦 New Year', true),
    ('2026-01-04', true,  '元旦 New Year (make-up workday)', true),
    ('2026-02-14', true,  '春节 Spring Festival (make-up workday)', true),
    ('2026-02-15', false, '春节 Spring Festival', true),
    ('2026-02-16', false, '春节 Spring Festival', true),
    ('2026-02-17', false, '春节 Spring Festival', true),
    ('2026-02-18', false, '春节 Spring Festival', true),
    ('2026-02-19', false, '春节 Spring Festival', true),
    ('2026-02-20', false, '春节 Spring Festival', true),
    ('2026-02-21', false, '春节 Spring Festival', true),
    ('2026-02-22', false, '春节 Spring Festival', true),
    ('2026-02-23', false, '春节 Spring Festival', true),
    ('2026-02-28', true,  '春节 Spring Festival (make-up workday)', true),
    ('2026-04-04', false, '清明节 Qingming', true),
    ('2026-04-05', false, '清明节 Qingming', true),
    ('2026-04-06', false, '清明节 Qingming', true),
    ('2026-05-01', false, '劳动节 Labour Day', true),
    ('2026-05-02', false, '劳动节 Labour Day', true),
    ('2026-05-03', false, '劳动节 Labour Day', true),
    ('2026-05-04', false, '劳动节 Labour Day', true),
    ('2026-05-05', false, '劳动节 Labour Day', true),
    ('2026-05-09', true,  '劳动节 Labour Day (make-up workday)', true),
    ('2026-06-19', false, '端午节 Dragon Boat', true),
    ('2026-06-20', false, '端午节 Dragon Boat', true),
    ('2026-06-21', false, '端午节 Dragon Boat', true),
    ('2026-09-20', true,  '国庆节 National Day (make-up workday)', true),
    ('2026-09-25', false, '中秋节 Mid-Autumn', true),
    ('2026-09-26', false, '中秋节 Mid-Autumn', true),
    ('2026-09-27', false, '中秋节 Mid-Autumn', true),
    ('2026-10-01', false, '国庆节 National Day', true),
    ('2026-10-02', false, '国庆节 National Day', true),
    ('2026-10-03', false, '国庆节 National Day', true),
    ('2026-10-04', false, '国庆节 National Day', true),
    ('2026-10-05', false, '国庆节 National Day', true),
    ('2026-10-06', false, '国庆节 National Day', true),
    ('2026-10-07', false, '国庆节 National Day', true),
    ('2026-10-10', true,  '国庆节 National Day (make-up workday)', true);

SELECT pg_catalog.pg_extension_config_dump('shegu.workday_override', 'WHERE NOT shipped');

-- Schedules: daily working periods in a time zone.

CREATE TABLE shegu.work_schedule (
    name          text PRIMARY KEY CHECK (name <> ''),
    time_zone     text NOT NULL DEFAULT 'Asia/Shanghai',
    periods       text NOT NULL,
    workdays_only boolean NOT NULL DEFAULT true,
    shipped       boolean NOT NULL DEFAULT false
);
COMMENT ON CONSTRAINT work_schedule_name_check ON shegu.work_schedule IS 'a schedule has a name';
COMMENT ON TABLE shegu.work_schedule IS
    'working-hour schedules (作息时间): daily periods of working time (工作时) in a time zone; shegu.add_work_time and shegu.work_time_between name one';
COMMENT ON INDEX shegu.work_schedule_pkey IS 'schedules are named uniquely';
COMMENT ON CONSTRAINT work_schedule_pkey ON shegu.work_schedule IS 'a schedule is identified by its name';
COMMENT ON COLUMN shegu.work_schedule.name IS 'the name functions are given, e.g. default';
COMMENT ON COLUMN shegu.work_schedule.time_zone IS 'a time zone without daylight saving time now (e.g. Asia/Shanghai, UTC) or a fixed ISO offset (+08:00); the zone''s current offset is used for all dates';
COMMENT ON COLUMN shegu.work_schedule.periods IS 'daily working periods, ascending and not overlapping: 08:30-12:00,14:00-17:30 (H:MM or H:MM:SS; 24:00 may end a period); stored in canonical form';
COMMENT ON COLUMN shegu.work_schedule.workdays_only IS 'true: the periods work on working days (工作日) of shegu.workday_override only; false: on every day (natural time)';
COMMENT ON COLUMN shegu.work_schedule.shipped IS 'true for the schedules shegu ships (default, 24x7); pg_dump keeps only rows where it is false';

CREATE FUNCTION shegu.work_schedule_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'worktime_schedule_check' LANGUAGE C;
COMMENT ON FUNCTION shegu.work_schedule_check() IS
    'trigger of shegu.work_schedule: refuses an unknown or daylight-saving time zone and malformed periods, and stores the periods in canonical form';
CREATE TRIGGER work_schedule_check BEFORE INSERT OR UPDATE ON shegu.work_schedule
    FOR EACH ROW EXECUTE FUNCTION shegu.work_schedule_check();
COMMENT ON TRIGGER work_schedule_check ON shegu.work_schedule IS 'checks the time zone and the periods of each row';

INSERT INTO shegu.work_schedule (name, time_zone, periods, workdays_only, shipped) VALUES
    ('default', 'Asia/Shanghai', '08:30-12:00,14:00-17:30', true, true),
    ('24x7', 'Asia/Shanghai', '00:00-24:00', false, true);

SELECT pg_catalog.pg_extension_config_dump('shegu.work_schedule', 'WHERE NOT shipped');

-- Per-backend cache invalidation: any change to either table, committed or rolled back.

CREATE FUNCTION shegu.worktime_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'worktime_invalidate' LANGUAGE C;
COMMENT ON FUNCTION shegu.worktime_invalidate() IS
    'statement trigger of shegu.workday_override and shegu.work_schedule: tells every session to rebuild its cached calendar and schedules';
CREATE TRIGGER workday_override_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.workday_override FOR EACH STATEMENT EXECUTE FUNCTION shegu.worktime_invalidate();
CREATE TRIGGER work_schedule_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.work_schedule FOR EACH STATEMENT EXECUTE FUNCTION shegu.worktime_invalidate();
COMMENT ON TRIGGER workday_override_invalidate ON shegu.workday_override IS 'invalidates the cached calendar of every session';
COMMENT ON TRIGGER work_schedule_invalidate ON shegu.work_schedule IS 'invalidates the cached schedules of every session';

-- Functions.  Those in C read the tables (STABLE) and keep session state, the years already
-- warned about, that parallel workers cannot share: PARALLEL RESTRICTED, so they run in the
-- leader and the WARNING really comes once per session.

CREATE FUNCTION shegu.calendar_years() RETURNS SETOF int
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC SELECT DISTINCT extract(year FROM day)::int AS year FROM shegu.workday_override ORDER BY 1;
END;
COMMENT ON FUNCTION shegu.calendar_years() IS
    'the years the working-day calendar covers (those with at least one row in shegu.workday_override), ascending';

CREATE FUNCTION shegu.is_workday(day date) RETURNS boolean
    AS 'MODULE_PATHNAME', 'worktime_is_workday' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.is_workday(date) IS
    'true on a working day (工作日): the override of shegu.workday_override if any, else Monday-Friday (with a WARNING once per session for a year that is not loaded)';

CREATE FUNCTION shegu.add_work_time(start timestamptz, amount interval, schedule text DEFAULT 'default')
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'worktime_add' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.add_work_time(timestamptz, interval, text) IS
    'the earliest instant at which amount of working time (工作时) has passed since start under a schedule; amount''s days count as whole working days of the schedule (default: 7 hours each), months are refused; NULL start gives NULL, NULL or negative amount is an error';

CREATE FUNCTION shegu.work_time_between(a timestamptz, b timestamptz, schedule text DEFAULT 'default')
    RETURNS interval
    AS 'MODULE_PATHNAME', 'worktime_between' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.work_time_between(timestamptz, timestamptz, text) IS
    'working time (工作时) from a to b under a schedule, as hours, minutes and seconds (no day part); negative when b is before a; NULL when a or b is NULL';
