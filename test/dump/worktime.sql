-- pg_dump fixture of the worktime room: a notice loaded by the user (not shipped) is dumped,
-- the shipped rows are not. test/dump/worktime.sql
SELECT * FROM shegu.load_holiday_notice(2017, E'一、元旦：1月1日放假，1月2日（星期一）补休。\n二、劳动节：5月1日放假，与周末连休。');
