/* Working-time arithmetic (工作时): calendars of working days (工作日, 调休), daily schedules, add and between.
 * src/engine/worktime.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_WORKTIME_H
#define SHEGU_ENGINE_WORKTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Units and origin.  Instants are microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's
 * TimestampTz), days are whole days since 2000-01-01 (PostgreSQL's DateADT).  A schedule has a
 * fixed UTC offset: its local time is the instant plus the offset; its days are local days.
 *
 * The supported instants are PostgreSQL's: [SHEGU_WT_MIN_USEC, SHEGU_WT_END_USEC).  Anything
 * outside, as input or as result, is SHEGU_WT_OUT_OF_RANGE.
 *
 * Working time.  A day is a working day (工作日) when the calendar says so: an override (a
 * holiday, or a make-up working weekend day 调休) decides; a day with no override is a working day
 * from Monday to Friday.  On a working day the schedule's periods [start, end) are working time;
 * nothing else is.  A schedule that is not "workdays_only" (24x7) works its periods on every day
 * and ignores the calendar.
 *
 * F(t), the working time from the origin to instant t, is continuous and non-decreasing:
 *   between(a, b) = F(b) - F(a)             (negative when b < a)
 *   add(a, x)     = the earliest t >= a with F(t) = F(a) + x   (x >= 0; add(a, 0) = a)
 * so between(a, add(a, x)) = x exactly, and add is non-decreasing in a and in x.
 * Both cost O(log n) in the number n of overrides (a gallop and a binary search over days for
 * add), whatever the amount.
 */

#define SHEGU_WT_USEC_PER_SEC	INT64_C(1000000)
#define SHEGU_WT_USEC_PER_DAY	INT64_C(86400000000)
#define SHEGU_WT_MIN_USEC		INT64_C(-211813488000000000)	/* 4714-11-24 00:00 BC UTC */
#define SHEGU_WT_END_USEC		INT64_C(9223371331200000000)	/* 294277-01-01 00:00 UTC */
#define SHEGU_WT_MIN_DAY		(-2451545)	/* 4714-11-24 BC */
#define SHEGU_WT_END_DAY		106751983	/* 294277-01-01, exclusive */
#define SHEGU_WT_MAX_OFFSET_SEC	(18 * 3600)	/* |UTC offset| of a schedule */
#define SHEGU_WT_MAX_PERIODS	24			/* periods per day */
#define SHEGU_WT_PERIODS_BUFLEN	(SHEGU_WT_MAX_PERIODS * 18 + 1)

typedef enum shegu_wt_status
{
	SHEGU_WT_OK = 0,
	SHEGU_WT_OUT_OF_RANGE,		/* an instant, day or result outside the supported range */
	SHEGU_WT_NEGATIVE,			/* a negative amount of working time */
	SHEGU_WT_BAD_PERIODS,		/* periods text that cannot be read; see reason and position */
	SHEGU_WT_DUPLICATE_DAY,		/* two overrides for one day */
	SHEGU_WT_NO_WORK			/* a schedule without working time */
} shegu_wt_status;

typedef struct shegu_wt_error
{
	shegu_wt_status status;
	int			position;		/* BAD_PERIODS: 1-based byte position of the culprit, 0 at the end */
	const char *reason;			/* BAD_PERIODS: a whole English sentence */
	int32_t		day;			/* DUPLICATE_DAY, OUT_OF_RANGE of a day: the day */
} shegu_wt_error;

/* One row of the calendar: a day whose status differs from (or confirms) the default. */
typedef struct shegu_wt_override
{
	int32_t		day;
	bool		is_workday;
} shegu_wt_override;

/*
 * The calendar: overrides sorted by day with the prefix sums of their corrections to the
 * Monday-Friday count, and the years that have at least one override ("loaded" years).
 * Built by shegu_wt_calendar_build into memory from the caller's allocator; read-only after.
 */
typedef struct shegu_wt_calendar
{
	int32_t		n;
	int32_t    *days;			/* n, ascending */
	bool	   *work;			/* n */
	int32_t    *prefix;			/* n + 1: prefix[i] = sum of corrections of days[0..i-1] */
	int32_t		nyears;
	int32_t    *years;			/* nyears, ascending */
} shegu_wt_calendar;

/* A daily schedule with a fixed UTC offset. */
typedef struct shegu_wt_schedule
{
	int64_t		offset_usec;	/* local time = UTC + offset */
	bool		workdays_only;	/* false: every day works (24x7), the calendar is ignored */
	int32_t		nperiods;
	int64_t		start_usec[SHEGU_WT_MAX_PERIODS];	/* from local midnight, ascending */
	int64_t		end_usec[SHEGU_WT_MAX_PERIODS];
	int64_t		before_usec[SHEGU_WT_MAX_PERIODS];	/* working time in the periods before */
	int64_t		day_usec;		/* working time of one working day */
} shegu_wt_schedule;

typedef void *(*shegu_wt_alloc_fn) (void *ctx, size_t size);

/* Build a calendar from n rows (any order).  Memory comes from alloc(ctx, size). */
extern shegu_wt_status shegu_wt_calendar_build(shegu_wt_calendar *cal,
											   const shegu_wt_override *rows, int32_t n,
											   shegu_wt_alloc_fn alloc, void *ctx,
											   shegu_wt_error *err);

/*
 * Read daily periods: "08:30-12:00,14:00-17:30" (H:MM or H:MM:SS, 24:00 allowed as an end,
 * white space around items allowed).  Periods must be non-empty, in ascending order and must
 * not overlap (touching is allowed).  Fills the period fields of *s and leaves the others.
 */
extern shegu_wt_status shegu_wt_parse_periods(const char *text, size_t len,
											  shegu_wt_schedule *s, shegu_wt_error *err);

/* Canonical text of the periods: "08:30-12:00,14:00-17:30" (seconds only when non-zero). */
extern int	shegu_wt_format_periods(const shegu_wt_schedule *s, char *buf, size_t buflen);

/*
 * Read a fixed UTC offset in ISO form: "+08", "+08:00", "-05:30", "+0800" (east positive).
 * False when the text is not of that form or |offset| > 18 hours.
 */
extern bool shegu_wt_parse_offset(const char *text, size_t len, int32_t *seconds);

/* Day helpers. */
extern int	shegu_wt_isodow(int32_t day);	/* 1 Monday .. 7 Sunday */
extern int32_t shegu_wt_year_of_day(int32_t day);
extern int32_t shegu_wt_day_of_date(int32_t year, int month, int mday);
extern bool shegu_wt_year_loaded(const shegu_wt_calendar *cal, int32_t year);
extern bool shegu_wt_is_workday(const shegu_wt_calendar *cal, int32_t day);

/* Floor division by a positive divisor. */
extern int64_t shegu_wt_floordiv(int64_t a, int64_t b);

/* The local day of an instant under a schedule (the instant must be in range). */
extern int32_t shegu_wt_local_day(const shegu_wt_schedule *s, int64_t instant);

/*
 * start + amount of working time (amount >= 0) -> *end.  cal may be NULL for a schedule that
 * is not workdays_only, or to mean "no overrides".
 */
extern shegu_wt_status shegu_wt_add(const shegu_wt_calendar *cal, const shegu_wt_schedule *s,
									int64_t start, int64_t amount, int64_t *end);

/* Working time from a to b (negative when b < a) -> *amount. */
extern shegu_wt_status shegu_wt_between(const shegu_wt_calendar *cal, const shegu_wt_schedule *s,
										int64_t a, int64_t b, int64_t *amount);

#endif							/* SHEGU_ENGINE_WORKTIME_H */
