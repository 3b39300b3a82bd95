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

-- ---------------------------------------------------------------------------------------------
-- The State Council's yearly notice (国务院办公厅关于X年部分节假日安排的通知), read into overrides.

CREATE FUNCTION shegu.parse_notice_date(year int, fragment text, after date DEFAULT NULL)
    RETURNS date
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp
AS $fn$
DECLARE
    m text[];
    y int;
    mo int;
    d int;
    result date;
    wd text;
    want int;
BEGIN
    m := regexp_match(fragment, '^(?:([0-9]{4})年)?(?:([0-9]{1,2})月)?([0-9]{1,2})日(?:（([^（）]*)）)?$');
    IF m IS NULL THEN
        RAISE EXCEPTION 'cannot read "%" of the holiday notice as a date', fragment
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'A date is written 1月28日, 2018年12月29日 or, after 至, 4日; a note in （） may follow.';
    END IF;
    y := coalesce(m[1]::int, extract(year FROM after)::int, year);
    mo := coalesce(m[2]::int, extract(month FROM after)::int);
    d := m[3]::int;
    IF mo IS NULL THEN
        RAISE EXCEPTION 'date "%" of the holiday notice has no month', fragment
            USING ERRCODE = 'invalid_text_representation';
    END IF;
    IF y NOT BETWEEN year - 1 AND year + 1 THEN
        RAISE EXCEPTION 'date "%" of the holiday notice for % lies in %', fragment, year, y
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A notice only names days of its year and the days next to it.';
    END IF;
    IF mo NOT BETWEEN 1 AND 12 OR d < 1 OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month' - interval '1 day') THEN
        RAISE EXCEPTION 'date "%" of the holiday notice does not exist in %', fragment, y
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    result := make_date(y, mo, d);
    IF after IS NOT NULL AND result < after THEN
        RAISE EXCEPTION 'date "%" of the holiday notice ends a range before its start %', fragment, after
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A weekday in the note (周三, 星期六) must be the date's.
    wd := (regexp_match(coalesce(m[4], ''), '(?:周|星期)([一二三四五六日天])'))[1];
    IF wd IS NOT NULL THEN
        want := strpos('日一二三四五六', CASE wd WHEN '天' THEN '日' ELSE wd END) - 1;
        IF extract(dow FROM result)::int <> want THEN
            RAISE EXCEPTION 'date "%" of the holiday notice: % is a %, not 周%', fragment, result,
                            to_char(result, 'FMDay'), wd
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN result;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_notice_date(int, text, date) IS
    'helper of shegu.parse_holiday_notice: one date of a holiday notice (1月28日（农历除夕、周二）, 2018年12月29日（星期六）, or 6日 after a start date) in the notice''s year; checks that the date exists and that a weekday in the note is right';

CREATE FUNCTION shegu.parse_holiday_notice(year int, notice text)
    RETURNS TABLE (day date, is_workday boolean, name text)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp
AS $fn$
DECLARE
    numerals constant text := '一二三四五六七八九十';
    festivals constant text[] := ARRAY['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
    english constant text[] := ARRAY['New Year', 'Spring Festival', 'Qingming', 'Labour Day',
                                     'Dragon Boat', 'Mid-Autumn', 'National Day'];
    text_norm text;
    line text;
    item text[];
    expected_no int := 1;
    no int;
    names text[];
    k int;
    zh text;
    en text;
    holiday_name text;
    makeup_name text;
    sentence text;
    clause text;
    m text[];
    d0 date;
    d1 date;
    item_days int;
    last_from date;
    last_to date;
    frag text;
    days date[] := '{}';
    works boolean[] := '{}';
    labels text[] := '{}';
    dd date;
    stated_year int;
BEGIN
    IF year IS NULL OR notice IS NULL THEN
        RAISE EXCEPTION 'year and notice text must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF year NOT BETWEEN 1950 AND 9998 THEN
        RAISE EXCEPTION 'holiday notice year % is out of range', year
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Years run from 1950 to 9998.';
    END IF;
    -- Half-width punctuation as reposted on the web reads like the full-width original.
    text_norm := translate(notice, '():,;', '（）：，；');
    -- An item starts a line, also where a repost ran the items together after a 。.
    text_norm := regexp_replace(text_norm, '。[[:space:]　]*([' || numerals || ']{1,3}、)', E'。\n\\1', 'g');
    stated_year := (regexp_match(text_norm, '([0-9]{4})年(?:部分节假日安排|元旦、)'))[1]::int;
    IF stated_year IS NOT NULL AND stated_year <> year THEN
        RAISE EXCEPTION 'the holiday notice is for %, not %', stated_year, year
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    FOR line IN SELECT l FROM regexp_split_to_table(text_norm, E'\\s*\\n\\s*') AS l LOOP
        line := regexp_replace(line, '[[:space:]　]+', '', 'g');
        IF line !~ ('^[' || numerals || ']+、') THEN
            CONTINUE;               -- the heading, the preamble, the closing words
        END IF;
        item := regexp_match(line, '^([' || numerals || ']{1,3})、([^：]+)：(.+)$');
        IF item IS NULL THEN
            RAISE EXCEPTION 'cannot read item "%" of the holiday notice', line
                USING ERRCODE = 'invalid_text_representation',
                      HINT = 'An item reads 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。';
        END IF;
        no := CASE WHEN length(item[1]) = 1 AND item[1] = '十' THEN 10
                   WHEN length(item[1]) = 1 THEN strpos(numerals, item[1])
                   WHEN item[1] ~ '^十.$' THEN 10 + strpos(numerals, substr(item[1], 2, 1))
                   ELSE -1 END;
        IF no <> expected_no THEN
            RAISE EXCEPTION 'item "%、" of the holiday notice comes where item % was expected', item[1], expected_no
                USING ERRCODE = 'invalid_text_representation',
                      DETAIL = 'Items are numbered 一、二、三、… without gaps.';
        END IF;
        expected_no := expected_no + 1;

        names := string_to_array(item[2], '、');
        zh := NULL;
        en := NULL;
        FOR k IN 1 .. cardinality(names) LOOP
            IF NOT names[k] = ANY (festivals) THEN
                RAISE EXCEPTION 'unknown festival "%" in item %、 of the holiday notice', names[k], item[1]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'The notice names 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节 and 国庆节.';
            END IF;
            en := CASE WHEN k = 1 THEN '' WHEN k = cardinality(names) THEN en || ' and ' ELSE en || ', ' END
                  || english[array_position(festivals, names[k])];
        END LOOP;
        holiday_name := item[2] || ' ' || en;
        makeup_name := names[1] || ' ' || english[array_position(festivals, names[1])] || ' (make-up workday)';

        item_days := 0;
        last_from := NULL;
        FOR sentence IN SELECT s FROM regexp_split_to_table(item[3], '。') AS s WHERE s <> '' LOOP
            FOR clause IN SELECT c FROM regexp_split_to_table(sentence, '，') AS c LOOP
                IF clause = '' THEN
                    RAISE EXCEPTION 'empty clause in item %、 of the holiday notice: "%"', item[1], sentence
                        USING ERRCODE = 'invalid_text_representation';
                END IF;
                -- holidays: 1月28日（…）至2月4日（…）放假调休 / 1月1日放假1天 / 1月2日（星期一）补休
                m := regexp_match(clause, '^(.+?)(?:至(.+?))?(?:放假(?:调休)?|补休)(?:([0-9]+)天)?$');
                IF m IS NOT NULL THEN
                    d0 := shegu.parse_notice_date(year, m[1]);
                    d1 := CASE WHEN m[2] IS NULL THEN d0 ELSE shegu.parse_notice_date(year, m[2], d0) END;
                    IF m[3] IS NOT NULL AND m[3]::int <> d1 - d0 + 1 THEN
                        RAISE EXCEPTION 'clause "%" of the holiday notice says % days, the dates give %',
                                        clause, m[3], d1 - d0 + 1
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    FOR dd IN SELECT g::date FROM generate_series(d0, d1, interval '1 day') AS g LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                    END LOOP;
                    item_days := item_days + (d1 - d0 + 1);
                    last_from := d0;
                    last_to := d1;
                    CONTINUE;
                END IF;
                -- 共3天: the item's holidays so far
                m := regexp_match(clause, '^共([0-9]+)天$');
                IF m IS NOT NULL THEN
                    IF m[1]::int <> item_days THEN
                        RAISE EXCEPTION 'clause "%" of item %、 of the holiday notice: the dates give % days', clause, item[1], item_days
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    CONTINUE;
                END IF;
                IF clause = '不调休' THEN
                    CONTINUE;
                END IF;
                -- 与周末连休: the weekend next to the holiday joins it (within the year)
                IF clause = '与周末连休' THEN
                    IF last_from IS NULL THEN
                        RAISE EXCEPTION '"%" in item %、 of the holiday notice follows no holiday', clause, item[1]
                            USING ERRCODE = 'invalid_text_representation';
                    END IF;
                    dd := last_from - 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd - 1;
                    END LOOP;
                    dd := last_to + 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd + 1;
                    END LOOP;
                    CONTINUE;
                END IF;
                -- make-up working days: 1月26日（周日）、2月8日（周六）上班
                m := regexp_match(clause, '^(.+)上班$');
                IF m IS NOT NULL THEN
                    FOREACH frag IN ARRAY regexp_split_to_array(m[1], '、(?![^（）]*）)') LOOP
                        dd := shegu.parse_notice_date(year, frag);
                        IF extract(isodow FROM dd) < 6 THEN
                            RAISE EXCEPTION 'make-up working day "%" of the holiday notice is a %, not a weekend day',
                                            frag, to_char(dd, 'FMDay')
                                USING ERRCODE = 'invalid_parameter_value';
                        END IF;
                        days := days || dd; works := works || true; labels := labels || makeup_name;
                    END LOOP;
                    CONTINUE;
                END IF;
                RAISE EXCEPTION 'cannot read "%" in item %、 of the holiday notice', clause, item[1]
                    USING ERRCODE = 'invalid_text_representation',
                          HINT = 'Clauses read like 1月1日（周四）至3日（周六）放假调休, 共3天, 放假1天, 不调休, 与周末连休, 1月2日（星期一）补休 or 1月4日（周日）、2月8日（周六）上班.';
            END LOOP;
        END LOOP;
    END LOOP;

    IF expected_no = 1 THEN
        RAISE EXCEPTION 'the holiday notice has no numbered items'
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'Give the notice text with its items 一、元旦：… 二、春节：… each on its own line.';
    END IF;
    SELECT u.d INTO dd FROM unnest(days) AS u(d) GROUP BY u.d HAVING count(*) > 1 ORDER BY u.d LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice names % twice', dd USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT u.d, u.w, u.l FROM unnest(days, works, labels) AS u(d, w, l) ORDER BY u.d;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_holiday_notice(int, text) IS
    'reads the State Council''s holiday notice for a year (国务院办公厅关于X年部分节假日安排的通知) into override rows: every day of each holiday (放假, 补休, 与周末连休) as a day off named after its festival, every make-up working day (上班) as a working day; checks weekdays, day counts (共N天) and item numbering, and refuses any clause it cannot read, naming it';

CREATE FUNCTION shegu.load_holiday_notice(year int, notice text)
    RETURNS TABLE (holidays int, workdays int, replaced int)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    parsed_days date[];
    parsed_work boolean[];
    parsed_name text[];
    clash record;
    removed int;
BEGIN
    SELECT array_agg(p.day ORDER BY p.day), array_agg(p.is_workday ORDER BY p.day), array_agg(p.name ORDER BY p.day)
      INTO parsed_days, parsed_work, parsed_name
    FROM shegu.parse_holiday_notice(year, notice) AS p;

    -- Shipped rows stand: the notice may repeat them, never contradict them.
    SELECT o.day, o.is_workday, o.name INTO clash
    FROM unnest(parsed_days, parsed_work) AS p(day, is_workday)
    JOIN shegu.workday_override AS o ON o.day = p.day AND o.shipped AND o.is_workday <> p.is_workday
    ORDER BY o.day LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice for % contradicts the shipped calendar on %', year, clash.day
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('shegu ships %s as %s (%s).', clash.day,
                                  CASE WHEN clash.is_workday THEN 'a working day' ELSE 'a day off' END, clash.name);
    END IF;

    DELETE FROM shegu.workday_override AS o
    WHERE NOT o.shipped AND o.day >= make_date(year, 1, 1) AND o.day < make_date(year + 1, 1, 1);
    GET DIAGNOSTICS removed = ROW_COUNT;

    INSERT INTO shegu.workday_override AS o (day, is_workday, name)
    SELECT p.day, p.is_workday, p.name FROM unnest(parsed_days, parsed_work, parsed_name) AS p(day, is_workday, name)
    ON CONFLICT ON CONSTRAINT workday_override_pkey DO UPDATE
        SET is_workday = excluded.is_workday, name = excluded.name
        WHERE NOT o.shipped;

    RETURN QUERY SELECT count(*) FILTER (WHERE NOT w)::int, count(*) FILTER (WHERE w)::int, removed
                 FROM unnest(parsed_work) AS u(w);
END;
$fn$;
COMMENT ON FUNCTION shegu.load_holiday_notice(int, text) IS
    'loads the State Council''s holiday notice for a year (see shegu.parse_holiday_notice) into shegu.workday_override, all or nothing: the year''s rows that are not shipped are replaced; shipped rows stay and a notice contradicting one is refused; days of a neighbouring year the notice names explicitly (2018年12月29日) replace only that day''s row; returns the notice''s holiday and make-up day counts and the number of rows it removed';
