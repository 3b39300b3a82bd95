/* Unit tests of the working-time engine: calendar, periods, add and between, hand-checked and
 * against a day-by-day reference.  test/unit/test_worktime.c */
#include <stdlib.h>

#include "unit.h"
#include "worktime.h"
#include "worktime_reference.h"

#define HOUR	(3600 * SHEGU_WT_USEC_PER_SEC)
#define MINUTE	(60 * SHEGU_WT_USEC_PER_SEC)
#define SEC		SHEGU_WT_USEC_PER_SEC

/* The State Council's 2025 and 2026 notices, as data/cn_workday_calendar.csv has them. */
static const struct
{
	int			y, m, d;
	bool		work;
}			cn_days[] = {
	{2025, 1, 1, false},
	{2025, 1, 26, true},
	{2025, 1, 28, false},
	{2025, 1, 29, false},
	{2025, 1, 30, false},
	{2025, 1, 31, false},
	{2025, 2, 1, false},
	{2025, 2, 2, false},
	{2025, 2, 3, false},
	{2025, 2, 4, false},
	{2025, 2, 8, true},
	{2025, 4, 4, false},
	{2025, 4, 5, false},
	{2025, 4, 6, false},
	{2025, 4, 27, true},
	{2025, 5, 1, false},
	{2025, 5, 2, false},
	{2025, 5, 3, false},
	{2025, 5, 4, false},
	{2025, 5, 5, false},
	{2025, 5, 31, false},
	{2025, 6, 1, false},
	{2025, 6, 2, false},
	{2025, 9, 28, true},
	{2025, 10, 1, false},
	{2025, 10, 2, false},
	{2025, 10, 3, false},
	{2025, 10, 4, false},
	{2025, 10, 5, false},
	{2025, 10, 6, false},
	{2025, 10, 7, false},
	{2025, 10, 8, false},
	{2025, 10, 11, true},
	{2026, 1, 1, false},
	{2026, 1, 2, false},
	{2026, 1, 3, false},
	{2026, 1, 4, true},
	{2026, 2, 14, true},
	{2026, 2, 15, false},
	{2026, 2, 16, false},
	{2026, 2, 17, false},
	{2026, 2, 18, false},
	{2026, 2, 19, false},
	{2026, 2, 20, false},
	{2026, 2, 21, false},
	{2026, 2, 22, false},
	{2026, 2, 23, false},
	{2026, 2, 28, true},
	{2026, 4, 4, false},
	{2026, 4, 5, false},
	{2026, 4, 6, false},
	{2026, 5, 1, false},
	{2026, 5, 2, false},
	{2026, 5, 3, false},
	{2026, 5, 4, false},
	{2026, 5, 5, false},
	{2026, 5, 9, true},
	{2026, 6, 19, false},
	{2026, 6, 20, false},
	{2026, 6, 21, false},
	{2026, 9, 20, true},
	{2026, 9, 25, false},
	{2026, 9, 26, false},
	{2026, 9, 27, false},
	{2026, 10, 1, false},
	{2026, 10, 2, false},
	{2026, 10, 3, false},
	{2026, 10, 4, false},
	{2026, 10, 5, false},
	{2026, 10, 6, false},
	{2026, 10, 7, false},
	{2026, 10, 10, true},
};

static shegu_wt_calendar cn;
static shegu_wt_schedule office;	/* 08:30-12:00, 14:00-17:30, UTC+8, working days */
static shegu_wt_schedule always;	/* 00:00-24:00, UTC+8, every day */

static void *
test_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static int32_t
D(int y, int m, int d)
{
	return shegu_wt_day_of_date(y, m, d);
}

/* An instant given as local clock time at UTC+8. */
static int64_t
T(int y, int m, int d, int hh, int mm, int ss)
{
	return (int64_t) D(y, m, d) * SHEGU_WT_USEC_PER_DAY
		+ ((int64_t) hh * 3600 + mm * 60 + ss) * SEC - 8 * HOUR;
}

static void
make_schedule(shegu_wt_schedule *s, const char *periods, int offset_sec, bool workdays_only)
{
	memset(s, 0, sizeof(*s));
	if (shegu_wt_parse_periods(periods, strlen(periods), s, NULL) != SHEGU_WT_OK)
	{
		printf("# bad periods in test: %s\n", periods);
		exit(2);
	}
	s->offset_usec = (int64_t) offset_sec * SEC;
	s->workdays_only = workdays_only;
}

static int64_t
add(const shegu_wt_schedule *s, int64_t start, int64_t amount)
{
	int64_t		end = INT64_MIN;

	if (shegu_wt_add(&cn, s, start, amount, &end) != SHEGU_WT_OK)
		return INT64_MIN;
	return end;
}

static int64_t
between(const shegu_wt_schedule *s, int64_t a, int64_t b)
{
	int64_t		x = INT64_MIN;

	if (shegu_wt_between(&cn, s, a, b, &x) != SHEGU_WT_OK)
		return INT64_MIN;
	return x;
}

/* ---- a day-by-day reference, written independently of the engine's prefix sums ---- */

static bool
ref_works(const shegu_wt_schedule *s, int64_t day)
{
	size_t		i;

	if (!s->workdays_only)
		return true;
	for (i = 0; i < sizeof(cn_days) / sizeof(cn_days[0]); i++)
		if (D(cn_days[i].y, cn_days[i].m, cn_days[i].d) == day)
			return cn_days[i].work;
	return shegu_wt_isodow((int32_t) day) <= 5;
}

static int64_t
ref_between(const shegu_wt_schedule *s, int64_t a, int64_t b)
{
	return ref_between_days(s, a, b, ref_works);
}

static int64_t
ref_add(const shegu_wt_schedule *s, int64_t a, int64_t x)
{
	int64_t		la = a + s->offset_usec,
				day;
	int			j;

	if (x == 0)
		return a;
	for (day = shegu_wt_floordiv(la, SHEGU_WT_USEC_PER_DAY);; day++)
	{
		if (!ref_works(s, day))
			continue;
		for (j = 0; j < s->nperiods; j++)
		{
			int64_t		ps = day * SHEGU_WT_USEC_PER_DAY + s->start_usec[j];
			int64_t		pe = day * SHEGU_WT_USEC_PER_DAY + s->end_usec[j];
			int64_t		from = ps > la ? ps : la;

			if (pe <= from)
				continue;
			if (x <= pe - from)
				return from + x - s->offset_usec;
			x -= pe - from;
		}
	}
}

/* ---- tests ---- */

static void
test_days(void)
{
	CHECK_INT(D(2000, 1, 1), 0, "day 0 is 2000-01-01");
	CHECK_INT(D(1970, 1, 1), -10957, "1970-01-01");
	CHECK_INT(D(2026, 2, 17), 9544, "2026-02-17 (Spring Festival)");
	CHECK_INT(shegu_wt_isodow(0), 6, "2000-01-01 was a Saturday");
	CHECK_INT(shegu_wt_isodow(D(2026, 11, 22)), 7, "2026-11-22 is a Sunday");
	CHECK_INT(shegu_wt_isodow(D(2025, 1, 26)), 7, "2025-01-26 is a Sunday");
	CHECK_INT(shegu_wt_isodow(D(1969, 12, 31)), 3, "1969-12-31 was a Wednesday");
	CHECK_INT(shegu_wt_year_of_day(D(2025, 12, 31)), 2025, "year of 2025-12-31");
	CHECK_INT(shegu_wt_year_of_day(D(2026, 1, 1)), 2026, "year of 2026-01-01");
	CHECK_INT(shegu_wt_year_of_day(D(2024, 2, 29)), 2024, "year of a leap day");
	CHECK_INT(shegu_wt_year_of_day(SHEGU_WT_MIN_DAY), -4713, "year of the earliest day (4714 BC)");
	CHECK_INT(shegu_wt_year_of_day(SHEGU_WT_END_DAY - 1), 294276, "year of the last day");
	CHECK_INT(D(-4713, 11, 24), SHEGU_WT_MIN_DAY, "the earliest day");
	CHECK_INT(D(294277, 1, 1), SHEGU_WT_END_DAY, "the end day");
	CHECK_INT(shegu_wt_floordiv(-1, 7), -1, "floor division of a negative");
	CHECK_INT(shegu_wt_floordiv(-7, 7), -1, "floor division, exact negative");
	CHECK_INT(shegu_wt_floordiv(13, 7), 1, "floor division of a positive");
}

static void
test_calendar(void)
{
	shegu_wt_override dup[2] = {{100, true}, {100, false}};
	shegu_wt_calendar c;
	shegu_wt_error err;

	CHECK(shegu_wt_is_workday(&cn, D(2025, 1, 1)) == false, "2025-01-01 New Year is a holiday");
	CHECK(shegu_wt_is_workday(&cn, D(2025, 1, 26)) == true, "2025-01-26 Sunday is a make-up working day");
	CHECK(shegu_wt_is_workday(&cn, D(2025, 1, 25)) == false, "2025-01-25 Saturday is a weekend day");
	CHECK(shegu_wt_is_workday(&cn, D(2025, 1, 27)) == true, "2025-01-27 Monday works");
	CHECK(shegu_wt_is_workday(&cn, D(2025, 2, 4)) == false, "2025-02-04 is the last Spring Festival day");
	CHECK(shegu_wt_is_workday(&cn, D(2025, 2, 8)) == true, "2025-02-08 Saturday is a make-up working day");
	CHECK(shegu_wt_is_workday(&cn, D(2026, 10, 10)) == true, "2026-10-10 Saturday is a make-up working day");
	CHECK(shegu_wt_is_workday(&cn, D(2026, 10, 8)) == true, "2026-10-08 Thursday works (holiday ended on the 7th)");
	CHECK(shegu_wt_is_workday(&cn, D(2027, 1, 1)) == true, "2027-01-01 Friday: no calendar, Monday-Friday");
	CHECK(shegu_wt_is_workday(&cn, D(2027, 1, 2)) == false, "2027-01-02 Saturday: no calendar");
	CHECK(shegu_wt_is_workday(NULL, D(2025, 1, 1)) == true, "no calendar at all: a Wednesday works");
	CHECK_INT(cn.nyears, 2, "two loaded years");
	CHECK(shegu_wt_year_loaded(&cn, 2025) && shegu_wt_year_loaded(&cn, 2026), "2025 and 2026 loaded");
	CHECK(!shegu_wt_year_loaded(&cn, 2024) && !shegu_wt_year_loaded(&cn, 2027), "2024 and 2027 not loaded");
	CHECK_INT(shegu_wt_calendar_build(&c, dup, 2, test_alloc, NULL, &err), SHEGU_WT_DUPLICATE_DAY, "duplicate day refused");
	CHECK_INT(err.day, 100, "duplicate names the day");
	CHECK_INT(shegu_wt_calendar_build(&c, dup, 0, test_alloc, NULL, &err), SHEGU_WT_OK, "empty calendar");
	CHECK_INT(c.nyears, 0, "empty calendar loads no year");
}

static void
expect_periods(const char *text, const char *canonical, int64_t day_usec, const char *what)
{
	shegu_wt_schedule s;
	char		buf[SHEGU_WT_PERIODS_BUFLEN];
	shegu_wt_error err;

	memset(&s, 0, sizeof(s));
	CHECK_INT(shegu_wt_parse_periods(text, strlen(text), &s, &err), SHEGU_WT_OK, what);
	shegu_wt_format_periods(&s, buf, sizeof(buf));
	CHECK_STR(buf, canonical, "canonical text");
	CHECK_INT(s.day_usec, day_usec, "working time of a day");
}

static void
expect_bad_periods(const char *text, int position, const char *what)
{
	shegu_wt_schedule s;
	shegu_wt_error err;

	memset(&s, 0, sizeof(s));
	memset(&err, 0, sizeof(err));
	CHECK_INT(shegu_wt_parse_periods(text, strlen(text), &s, &err), SHEGU_WT_BAD_PERIODS, what);
	CHECK_INT(err.position, position, "position of the culprit");
	CHECK(err.reason != NULL && err.reason[strlen(err.reason) - 1] == '.', "reason is a sentence");
}

static void
test_periods(void)
{
	char		buf[8];
	int32_t		off = 0;

	expect_periods("08:30-12:00,14:00-17:30", "08:30-12:00,14:00-17:30", 7 * HOUR, "the default schedule");
	expect_periods(" 8:30 - 12:00 , 14:00-17:30 ", "08:30-12:00,14:00-17:30", 7 * HOUR, "spaces and one-digit hours");
	expect_periods("00:00-24:00", "00:00-24:00", 24 * HOUR, "the whole day");
	expect_periods("09:00:30-09:00:45", "09:00:30-09:00:45", 15 * SEC, "seconds");
	expect_periods("08:00-12:00,12:00-13:00", "08:00-12:00,12:00-13:00", 5 * HOUR, "touching periods");
	expect_bad_periods("", 0, "empty");
	expect_bad_periods("   ", 0, "only spaces");
	expect_bad_periods("08:30", 0, "no end");
	expect_bad_periods("08:30-", 0, "end missing");
	expect_bad_periods("08:30-12:00,", 0, "trailing comma");
	expect_bad_periods("8-12", 2, "no minutes");
	expect_bad_periods("08:3-12:00", 5, "one minute digit");
	expect_bad_periods("08:60-12:00", 1, "minute 60");
	expect_bad_periods("25:00-26:00", 1, "hour 25");
	expect_bad_periods("24:00-24:00", 1, "24:00 as a start");
	expect_bad_periods("08:00-24:01", 7, "past 24:00");
	expect_bad_periods("12:00-08:30", 1, "ends before it starts");
	expect_bad_periods("12:00-12:00", 1, "empty period");
	expect_bad_periods("14:00-17:30,08:30-12:00", 13, "out of order");
	expect_bad_periods("22:00-24:00,00:00-06:00", 13, "a night shift written in the wrong order");
	expect_bad_periods("08:00-12:00,11:00-13:00", 13, "overlap");
	expect_bad_periods("08:00-12:00;13:00-14:00", 12, "wrong separator");
	expect_bad_periods("08:00~12:00", 6, "wrong dash");
	expect_bad_periods("ab", 1, "letters");
	expect_bad_periods("08:00-12:00:6", 0, "one second digit at the end");
	expect_bad_periods("00:00-00:01,00:01-00:02,00:02-00:03,00:03-00:04,00:04-00:05,00:05-00:06,"
					   "00:06-00:07,00:07-00:08,00:08-00:09,00:09-00:10,00:10-00:11,00:11-00:12,"
					   "00:12-00:13,00:13-00:14,00:14-00:15,00:15-00:16,00:16-00:17,00:17-00:18,"
					   "00:18-00:19,00:19-00:20,00:20-00:21,00:21-00:22,00:22-00:23,00:23-00:24,"
					   "00:24-00:25", 289, "25 periods");
	CHECK(shegu_wt_format_periods(&office, buf, sizeof(buf)) == 7, "format truncates to the buffer");
	CHECK_STR(buf, "08:30-1", "truncated text");

	CHECK(shegu_wt_parse_offset("+08:00", 6, &off) && off == 28800, "+08:00");
	CHECK(shegu_wt_parse_offset("+08", 3, &off) && off == 28800, "+08");
	CHECK(shegu_wt_parse_offset("-0530", 5, &off) && off == -19800, "-0530");
	CHECK(shegu_wt_parse_offset("+18:00", 6, &off) && off == 64800, "+18:00");
	CHECK(!shegu_wt_parse_offset("+18:01", 6, &off), "+18:01 too far");
	CHECK(!shegu_wt_parse_offset("+08:60", 6, &off), "minute 60");
	CHECK(!shegu_wt_parse_offset("08:00", 5, &off), "no sign");
	CHECK(!shegu_wt_parse_offset("Asia/Shanghai", 13, &off), "a zone name is no offset");
	CHECK(!shegu_wt_parse_offset("+8", 2, &off), "one digit");
}

static void
test_office_day(void)
{
	const shegu_wt_schedule *s = &office;

	/* Monday 2025-01-06 */
	CHECK_INT(between(s, T(2025, 1, 6, 9, 0, 0), T(2025, 1, 6, 11, 0, 0)), 2 * HOUR, "morning");
	CHECK_INT(between(s, T(2025, 1, 6, 11, 0, 0), T(2025, 1, 6, 15, 0, 0)), 2 * HOUR, "across lunch");
	CHECK_INT(between(s, T(2025, 1, 6, 12, 30, 0), T(2025, 1, 6, 13, 30, 0)), 0, "inside lunch");
	CHECK_INT(between(s, T(2025, 1, 6, 0, 0, 0), T(2025, 1, 7, 0, 0, 0)), 7 * HOUR, "a whole working day");
	CHECK_INT(between(s, T(2025, 1, 6, 17, 0, 0), T(2025, 1, 7, 9, 0, 0)), HOUR, "across a night");
	CHECK_INT(between(s, T(2025, 1, 7, 9, 0, 0), T(2025, 1, 6, 17, 0, 0)), -HOUR, "backwards is negative");
	CHECK_INT(between(s, T(2025, 1, 6, 8, 30, 0), T(2025, 1, 6, 8, 30, 1)), SEC, "one second");
	CHECK_INT(between(s, T(2025, 1, 6, 8, 29, 59), T(2025, 1, 6, 8, 30, 0)), 0, "the second before opening");
	CHECK_INT(between(s, T(2025, 1, 6, 17, 29, 59), T(2025, 1, 6, 17, 30, 1)), SEC, "the second before closing");
	CHECK_INT(between(s, T(2025, 1, 6, 10, 0, 0) + 1, T(2025, 1, 6, 10, 0, 0) + 3), 2, "microseconds");
	CHECK_INT(add(s, T(2025, 1, 6, 11, 30, 0), HOUR), T(2025, 1, 6, 14, 30, 0), "add across lunch");
	CHECK_INT(add(s, T(2025, 1, 6, 11, 0, 0), HOUR), T(2025, 1, 6, 12, 0, 0), "add ends at the end of a period, not after lunch");
	CHECK_INT(add(s, T(2025, 1, 6, 12, 30, 0), 0), T(2025, 1, 6, 12, 30, 0), "add zero is the start itself");
	CHECK_INT(add(s, T(2025, 1, 6, 12, 30, 0), SEC), T(2025, 1, 6, 14, 0, 1), "add from lunch");
	CHECK_INT(add(s, T(2025, 1, 6, 6, 0, 0), 7 * HOUR), T(2025, 1, 6, 17, 30, 0), "a day's work from before opening");
	CHECK_INT(add(s, T(2025, 1, 6, 8, 30, 0), 7 * HOUR + SEC), T(2025, 1, 7, 8, 30, 1), "a day and a second");
	CHECK_INT(add(s, T(2025, 1, 6, 20, 0, 0), 30 * MINUTE), T(2025, 1, 7, 9, 0, 0), "from the evening");
}

static void
test_weekends_and_holidays(void)
{
	const shegu_wt_schedule *s = &office;

	CHECK_INT(between(s, T(2025, 1, 10, 17, 0, 0), T(2025, 1, 13, 9, 0, 0)), HOUR, "across a weekend");
	CHECK_INT(add(s, T(2025, 1, 10, 17, 0, 0), HOUR), T(2025, 1, 13, 9, 0, 0), "add across a weekend");
	CHECK_INT(add(s, T(2025, 1, 11, 10, 0, 0), SEC), T(2025, 1, 13, 8, 30, 1), "add from a Saturday");
	CHECK_INT(between(s, T(2025, 1, 11, 0, 0, 0), T(2025, 1, 13, 0, 0, 0)), 0, "a weekend has no work");

	/* Spring Festival 2025: holidays 01-28..02-04, make-up Sunday 01-26 and Saturday 02-08. */
	CHECK_INT(add(s, T(2025, 1, 24, 10, 0, 0), 14 * HOUR), T(2025, 1, 27, 10, 0, 0),
			  "two working days from Friday 2025-01-24 use make-up Sunday 01-26");
	CHECK_INT(add(s, T(2025, 1, 27, 17, 0, 0), HOUR), T(2025, 2, 5, 9, 0, 0),
			  "one hour from the last day before the Spring Festival ends 2025-02-05");
	CHECK_INT(between(s, T(2025, 1, 27, 17, 30, 0), T(2025, 2, 5, 8, 30, 0)), 0, "the Spring Festival 2025 has no work");
	CHECK_INT(between(s, T(2025, 2, 3, 0, 0, 0), T(2025, 2, 10, 0, 0, 0)), 4 * 7 * HOUR,
			  "week of 2025-02-03: holiday Monday-Tuesday, Wednesday-Friday, make-up Saturday 02-08");

	/* Spring Festival 2026: make-up Saturday 02-14, holidays 02-15..02-23, make-up Saturday 02-28. */
	CHECK_INT(add(s, T(2026, 2, 13, 10, 0, 0), 14 * HOUR), T(2026, 2, 24, 10, 0, 0),
			  "two working days from Friday 2026-02-13 end Tuesday 02-24");
	CHECK_INT(add(s, T(2026, 2, 13, 17, 30, 0), 7 * HOUR), T(2026, 2, 14, 17, 30, 0),
			  "one working day from Friday closing ends on make-up Saturday 02-14");
	CHECK_INT(between(s, T(2026, 2, 13, 8, 30, 0), T(2026, 3, 2, 8, 30, 0)), 7 * 7 * HOUR,
			  "2026-02-13..03-01 works on 02-13, 14 (make-up), 24, 25, 26, 27 and 28 (make-up)");

	/* National Day 2025: make-up Sunday 09-28, holidays 10-01..10-08, make-up Saturday 10-11. */
	CHECK_INT(between(s, T(2025, 9, 30, 8, 30, 0), T(2025, 10, 9, 8, 30, 0)), 7 * HOUR, "National Day 2025");
	CHECK_INT(between(s, T(2025, 9, 26, 8, 30, 0), T(2025, 10, 13, 8, 30, 0)), 7 * 7 * HOUR,
			  "2025-09-26..10-12 has seven working days");

	/* Year end into 2026: 01-01..03 holidays, make-up Sunday 01-04. */
	CHECK_INT(add(s, T(2025, 12, 31, 17, 0, 0), HOUR), T(2026, 1, 4, 9, 0, 0), "year end: New Year 2026 and make-up Sunday");
	/* Year end into 2027, which no calendar covers: Monday-Friday. */
	CHECK_INT(add(s, T(2026, 12, 31, 17, 0, 0), HOUR), T(2027, 1, 1, 9, 0, 0), "year end into an unloaded year");
	CHECK_INT(add(s, T(2024, 12, 31, 17, 0, 0), HOUR), T(2025, 1, 2, 9, 0, 0), "from an unloaded year into New Year 2025");
	CHECK_INT(between(s, T(2025, 1, 1, 0, 0, 0), T(2026, 1, 1, 0, 0, 0)), 248 * 7 * HOUR, "2025 has 248 working days (261 weekdays - 18 holidays + 5 make-up days)");
	CHECK_INT(between(s, T(2026, 1, 1, 0, 0, 0), T(2027, 1, 1, 0, 0, 0)), 248 * 7 * HOUR, "2026 has 248 working days (261 weekdays - 19 holidays + 6 make-up days)");
}

static void
test_other_schedules(void)
{
	shegu_wt_schedule utc,
				night;

	CHECK_INT(add(&always, T(2025, 1, 28, 10, 0, 0), 25 * HOUR), T(2025, 1, 29, 11, 0, 0), "24x7 ignores holidays");
	CHECK_INT(between(&always, T(2025, 1, 1, 0, 0, 0), T(2026, 1, 1, 0, 0, 0)), 365 * 24 * HOUR, "24x7 year");
	CHECK_INT(between(&always, 123, 456), 333, "24x7 is elapsed time");

	/* The same clock in UTC: 08:30 UTC is 16:30 at UTC+8. */
	make_schedule(&utc, "08:30-12:00,14:00-17:30", 0, true);
	CHECK_INT(add(&utc, T(2025, 1, 6, 16, 30, 0), HOUR), T(2025, 1, 6, 17, 30, 0), "UTC schedule");
	CHECK_INT(between(&utc, T(2025, 1, 6, 8, 0, 0), T(2025, 1, 7, 8, 0, 0)), 7 * HOUR, "UTC day seen from UTC+8");
	/* Local day decides: Friday 2025-01-10 23:00 UTC is already Saturday at UTC+8. */
	make_schedule(&night, "00:00-24:00", 0, true);
	CHECK_INT(between(&night, T(2025, 1, 11, 6, 0, 0), T(2025, 1, 11, 8, 0, 0)), 2 * HOUR,
			  "a UTC whole-day schedule: Friday (UTC) lasts until Saturday 08:00 at UTC+8");
	CHECK_INT(between(&night, T(2025, 1, 11, 8, 0, 0), T(2025, 1, 13, 8, 0, 0)), 0,
			  "and its weekend is Saturday 08:00 to Monday 08:00 at UTC+8");
	make_schedule(&night, "00:00-06:00,22:00-24:00", 28800, true);
	CHECK_INT(add(&night, T(2025, 1, 10, 23, 0, 0), 2 * HOUR), T(2025, 1, 13, 1, 0, 0),
			  "night shift: Friday 23:00 + 2h skips the weekend's hours");
}

static void
test_errors(void)
{
	int64_t		out = 0;
	shegu_wt_schedule empty;

	memset(&empty, 0, sizeof(empty));
	empty.workdays_only = true;
	CHECK_INT(shegu_wt_add(&cn, &office, 0, -1, &out), SHEGU_WT_NEGATIVE, "negative amount");
	CHECK_INT(shegu_wt_add(&cn, &office, SHEGU_WT_END_USEC, 1, &out), SHEGU_WT_OUT_OF_RANGE, "start past the end");
	CHECK_INT(shegu_wt_add(&cn, &office, SHEGU_WT_MIN_USEC - 1, 1, &out), SHEGU_WT_OUT_OF_RANGE, "start before the beginning");
	CHECK_INT(shegu_wt_add(&cn, &office, 0, INT64_MAX, &out), SHEGU_WT_OUT_OF_RANGE, "huge amount");
	CHECK_INT(shegu_wt_add(&cn, &always, SHEGU_WT_END_USEC - 10, 9, &out), SHEGU_WT_OK, "last microseconds");
	CHECK_INT(out, SHEGU_WT_END_USEC - 1, "the last instant");
	CHECK_INT(shegu_wt_add(&cn, &always, SHEGU_WT_END_USEC - 10, 10, &out), SHEGU_WT_OUT_OF_RANGE, "one past the last instant");
	CHECK_INT(shegu_wt_add(&cn, &office, SHEGU_WT_MIN_USEC, 0, &out), SHEGU_WT_OK, "add zero at the earliest instant");
	CHECK_INT(shegu_wt_between(&cn, &always, SHEGU_WT_MIN_USEC, SHEGU_WT_END_USEC - 1, &out), SHEGU_WT_OUT_OF_RANGE,
			  "the whole range overflows");
	CHECK_INT(shegu_wt_between(&cn, &office, SHEGU_WT_MIN_USEC, SHEGU_WT_END_USEC - 1, &out), SHEGU_WT_OK,
			  "the whole range in office hours fits");
	CHECK_INT(shegu_wt_add(&cn, &empty, 0, 1, &out), SHEGU_WT_NO_WORK, "a schedule without work");
	CHECK_INT(shegu_wt_between(&cn, &empty, 0, 1, &out), SHEGU_WT_NO_WORK, "between without work");
	CHECK_INT(shegu_wt_add(NULL, &office, T(2025, 1, 24, 10, 0, 0), 14 * HOUR, &out), SHEGU_WT_OK,
			  "no calendar at all");
	CHECK_INT(out, T(2025, 1, 28, 10, 0, 0), "no calendar: Monday-Friday, Spring Festival unknown");
}

/* xorshift64*, deterministic. */
static uint64_t rng = 88172645463325252ULL;
static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static void
test_against_reference(void)
{
	const shegu_wt_schedule *scheds[2] = {&office, &always};
	int			i,
				bad_between = 0,
				bad_add = 0,
				bad_round = 0;
	int64_t		lo = T(2024, 11, 1, 0, 0, 0),
				span = T(2027, 3, 1, 0, 0, 0) - lo;

	for (i = 0; i < 4000; i++)
	{
		const shegu_wt_schedule *s = scheds[i % 2];
		/* instants on whole minutes half the time, so period edges are hit */
		int64_t		a = lo + (int64_t) (next_rand() % (uint64_t) span);
		int64_t		b = a + (int64_t) (next_rand() % (uint64_t) (40 * SHEGU_WT_USEC_PER_DAY));
		int64_t		x = (int64_t) (next_rand() % (uint64_t) (30 * 7 * HOUR));

		if (i % 4 < 2)
		{
			a -= a % MINUTE;
			b -= b % MINUTE;
			x -= x % MINUTE;
		}
		if (between(s, a, b) != ref_between(s, a, b))
			bad_between++;
		if (add(s, a, x) != ref_add(s, a, x))
			bad_add++;
		if (between(s, a, add(s, a, x)) != x)
			bad_round++;
	}
	CHECK_INT(bad_between, 0, "between agrees with the day-by-day reference on 4000 cases");
	CHECK_INT(bad_add, 0, "add agrees with the day-by-day reference on 4000 cases");
	CHECK_INT(bad_round, 0, "between(a, add(a, x)) = x on 4000 cases");
}

static void
test_long_amounts(void)
{
	int64_t		a = T(2025, 1, 2, 8, 30, 0);
	int64_t		end = add(&office, a, 1000 * 7 * HOUR);

	CHECK_INT(end, ref_add(&office, a, 1000 * 7 * HOUR), "a thousand working days");
	CHECK_INT(between(&office, a, end), 1000 * 7 * HOUR, "and back");
	end = add(&office, a, (int64_t) 10000000 * 7 * HOUR);
	CHECK(end != INT64_MIN, "ten million working days");
	CHECK_INT(between(&office, a, end), (int64_t) 10000000 * 7 * HOUR, "and back");
	/* 496 working days in 2025-2026 from 01-02, then 95 cycles of 400 years (104,355 weekdays
	 * each) and 85,779 weekdays from 2027-01-01, which end on 2355-10-19 + 38,000 years. */
	CHECK_INT(end, T(40355, 10, 19, 17, 30, 0), "ten million working days end 40355-10-19 17:30");
}

int
main(void)
{
	shegu_wt_override rows[sizeof(cn_days) / sizeof(cn_days[0])];
	size_t		i;

	for (i = 0; i < sizeof(cn_days) / sizeof(cn_days[0]); i++)
	{
		rows[i].day = D(cn_days[i].y, cn_days[i].m, cn_days[i].d);
		rows[i].is_workday = cn_days[i].work;
	}
	if (shegu_wt_calendar_build(&cn, rows, (int32_t) i, test_alloc, NULL, NULL) != SHEGU_WT_OK)
		return 2;
	make_schedule(&office, "08:30-12:00,14:00-17:30", 8 * 3600, true);
	make_schedule(&always, "00:00-24:00", 8 * 3600, false);

	test_days();
	test_calendar();
	test_periods();
	test_office_day();
	test_weekends_and_holidays();
	test_other_schedules();
	test_errors();
	test_against_reference();
	test_long_amounts();
	return UNIT_DONE();
}
