-- User rows of the working-time calendar, and user edits of shipped rows, for the pg_dump round
-- trip: a notice loaded by the user (not shipped) is dumped, the shipped rows are not unless
-- edited.  test/dump/worktime.sql — run by test/dump/run.sh in install order.
SET search_path = shegu, public;
SELECT * FROM shegu.load_holiday_notice(2017, E'一、元旦：1月1日放假，1月2日（星期一）补休。\n二、劳动节：5月1日放假，与周末连休。');
INSERT INTO workday_override (day, is_workday, name) VALUES
('2027-01-01', false, '元旦 New Year'), ('2027-02-06', true, '春节 Spring Festival (make-up workday)');
-- edits of shipped rows are the user's from now on and must survive
UPDATE workday_override SET name = '元旦 New Year (local notice)' WHERE day = '2025-01-01';
UPDATE workday_override SET is_workday = true WHERE day = '2026-10-07';
UPDATE work_schedule SET periods = '09:00-12:00,13:30-17:30' WHERE name = 'default';
INSERT INTO work_schedule (name, time_zone, periods, workdays_only) VALUES
('hotline', 'Asia/Shanghai', '8:00-20:00', false);
