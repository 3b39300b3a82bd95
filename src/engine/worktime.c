/* Working-time arithmetic (工作时): calendars, schedules, add and between; see worktime.h.
 * src/engine/worktime.c — pure C, no PostgreSQL headers. */
#include "worktime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to 2000-01-01. */
#define UNIX_TO_2000_DAYS 10957

int64_t
shegu_wt_floordiv(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int
shegu_wt_isodow(int32_t day)
{
	/* 2000-01-01 (day 0) was a Saturday, ISO day 6. */
	int64_t		r = ((int64_t) day + 5) % 7;

	if (r < 0)
		r += 7;
	return (int) r + 1;
}

/* Proleptic Gregorian calendar, astronomical years (1 BC is year 0). */
int32_t
shegu_wt_year_of_day(int32_t day)
{
	int64_t		z = (int64_t) day + UNIX_TO_2000_DAYS + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int64_t		m = mp < 10 ? mp + 3 : mp - 9;

	return (int32_t) (yoe + era * 400 + (m <= 2));
}

int32_t
shegu_wt_day_of_date(int32_t year, int month, int mday)
{
	int64_t		y = (int64_t) year - (month <= 2);
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + mday - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t) (era * 146097 + doe - 719468 - UNIX_TO_2000_DAYS);
}

/* Monday-Friday days in [0, day) (negative for day < 0): 5 per week plus the partial week. */
static int64_t
weekdays_before(int64_t day)
{
	/* Weeks start on Saturday, as day 0 does: Sat, Sun, Mon, Tue, Wed, Thu, Fri. */
	static const int partial[7] = {0, 0, 0, 1, 2, 3, 4};
	int64_t		w = shegu_wt_floordiv(day, 7);

	return 5 * w + partial[day - 7 * w];
}

/* Index of the first override at or after day. */
static int32_t
lower_bound(const shegu_wt_calendar *cal, int64_t day)
{
	int32_t		lo = 0,
				hi = cal->n;

	while (lo < hi)
	{
		int32_t		mid = lo + (hi - lo) / 2;

		if (cal->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
default_workday(int64_t day)
{
	return shegu_wt_isodow((int32_t) day) <= 5;
}

bool
shegu_wt_is_workday(const shegu_wt_calendar *cal, int32_t day)
{
	if (cal != NULL && cal->n > 0)
	{
		int32_t		i = lower_bound(cal, day);

		if (i < cal->n && cal->days[i] == day)
			return cal->work[i];
	}
	return default_workday(day);
}

bool
shegu_wt_year_loaded(const shegu_wt_calendar *cal, int32_t year)
{
	int32_t		lo = 0,
				hi;

	if (cal == NULL)
		return false;
	hi = cal->nyears;
	while (lo < hi)
	{
		int32_t		mid = lo + (hi - lo) / 2;

		if (cal->years[mid] < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cal->nyears && cal->years[lo] == year;
}

static int
cmp_override(const void *a, const void *b)
{
	int32_t		x = ((const shegu_wt_override *) a)->day;
	int32_t		y = ((const shegu_wt_override *) b)->day;

	return (x > y) - (x < y);
}

static void
set_error(shegu_wt_error *err, shegu_wt_status st, int position, const char *reason, int32_t day)
{
	if (err == NULL)
		return;
	err->status = st;
	err->position = position;
	err->reason = reason;
	err->day = day;
}

shegu_wt_status
shegu_wt_calendar_build(shegu_wt_calendar *cal, const shegu_wt_override *rows, int32_t n,
						shegu_wt_alloc_fn alloc, void *ctx, shegu_wt_error *err)
{
	shegu_wt_override *sorted;
	int32_t		i;

	memset(cal, 0, sizeof(*cal));
	if (n < 0)
		n = 0;
	sorted = alloc(ctx, sizeof(shegu_wt_override) * (size_t) (n > 0 ? n : 1));
	cal->days = alloc(ctx, sizeof(int32_t) * (size_t) (n > 0 ? n : 1));
	cal->work = alloc(ctx, sizeof(bool) * (size_t) (n > 0 ? n : 1));
	cal->prefix = alloc(ctx, sizeof(int32_t) * (size_t) (n + 1));
	cal->years = alloc(ctx, sizeof(int32_t) * (size_t) (n > 0 ? n : 1));
	if (n > 0)
		memcpy(sorted, rows, sizeof(shegu_wt_override) * (size_t) n);
	qsort(sorted, (size_t) n, sizeof(shegu_wt_override), cmp_override);

	cal->prefix[0] = 0;
	for (i = 0; i < n; i++)
	{
		int32_t		d = sorted[i].day;
		int32_t		y;

		if (d < SHEGU_WT_MIN_DAY - 1 || d > SHEGU_WT_END_DAY)
		{
			set_error(err, SHEGU_WT_OUT_OF_RANGE, 0, NULL, d);
			return SHEGU_WT_OUT_OF_RANGE;
		}
		if (i > 0 && sorted[i - 1].day == d)
		{
			set_error(err, SHEGU_WT_DUPLICATE_DAY, 0, NULL, d);
			return SHEGU_WT_DUPLICATE_DAY;
		}
		cal->days[i] = d;
		cal->work[i] = sorted[i].is_workday;
		cal->prefix[i + 1] = cal->prefix[i]
			+ (sorted[i].is_workday ? 1 : 0) - (default_workday(d) ? 1 : 0);
		y = shegu_wt_year_of_day(d);
		if (cal->nyears == 0 || cal->years[cal->nyears - 1] != y)
			cal->years[cal->nyears++] = y;
	}
	cal->n = n;
	set_error(err, SHEGU_WT_OK, 0, NULL, 0);
	return SHEGU_WT_OK;
}

/* ---- periods ---- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read H:MM or H:MM:SS at *i; on failure set err and return false. */
static bool
parse_clock(const char *t, size_t len, size_t *i, bool is_end, int64_t *usec, shegu_wt_error *err)
{
	size_t		p = *i;
	int			h = 0,
				m = 0,
				s = 0;
	int			nd = 0;
	size_t		begin = p;

	while (p < len && is_digit(t[p]) && nd < 2)
	{
		h = h * 10 + (t[p] - '0');
		p++;
		nd++;
	}
	if (nd == 0 || p >= len || t[p] != ':')
	{
		set_error(err, SHEGU_WT_BAD_PERIODS, p < len ? (int) p + 1 : 0,
				  "A clock time is written H:MM or H:MM:SS.", 0);
		return false;
	}
	p++;
	if (p + 1 >= len + 0 || !is_digit(t[p]) || p + 1 >= len || !is_digit(t[p + 1]))
	{
		size_t		q = (p < len && is_digit(t[p])) ? p + 1 : p;

		set_error(err, SHEGU_WT_BAD_PERIODS, q < len ? (int) q + 1 : 0,
				  "A clock time is written H:MM or H:MM:SS.", 0);
		return false;
	}
	m = (t[p] - '0') * 10 + (t[p + 1] - '0');
	p += 2;
	if (p < len && t[p] == ':')
	{
		p++;
		if (p + 1 >= len || !is_digit(t[p]) || !is_digit(t[p + 1]))
		{
			size_t		q = (p < len && is_digit(t[p])) ? p + 1 : p;

			set_error(err, SHEGU_WT_BAD_PERIODS, q < len ? (int) q + 1 : 0,
					  "A clock time is written H:MM or H:MM:SS.", 0);
			return false;
		}
		s = (t[p] - '0') * 10 + (t[p + 1] - '0');
		p += 2;
	}
	if (h > 24 || m > 59 || s > 59)
	{
		set_error(err, SHEGU_WT_BAD_PERIODS, (int) begin + 1,
				  "A clock time must lie between 0:00 and 24:00.", 0);
		return false;
	}
	if (h == 24 && (m != 0 || s != 0))
	{
		set_error(err, SHEGU_WT_BAD_PERIODS, (int) begin + 1,
				  "A clock time must lie between 0:00 and 24:00.", 0);
		return false;
	}
	if (h == 24 && !is_end)
	{
		set_error(err, SHEGU_WT_BAD_PERIODS, (int) begin + 1,
				  "24:00 may only end a period.", 0);
		return false;
	}
	*usec = ((int64_t) h * 3600 + m * 60 + s) * SHEGU_WT_USEC_PER_SEC;
	*i = p;
	return true;
}

shegu_wt_status
shegu_wt_parse_periods(const char *t, size_t len, shegu_wt_schedule *s, shegu_wt_error *err)
{
	size_t		i = 0;
	int32_t		n = 0;
	int64_t		total = 0;

	for (;;)
	{
		int64_t		a,
					b;
		size_t		begin;

		while (i < len && is_space(t[i]))
			i++;
		if (i >= len)
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, 0,
					  n == 0 ? "There are no periods." : "A period is missing after the last \",\".", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		begin = i;
		if (n >= SHEGU_WT_MAX_PERIODS)
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, (int) i + 1,
					  "A day has at most 24 periods.", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		if (!parse_clock(t, len, &i, false, &a, err))
			return SHEGU_WT_BAD_PERIODS;
		while (i < len && is_space(t[i]))
			i++;
		if (i >= len || t[i] != '-')
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, i < len ? (int) i + 1 : 0,
					  "A period is written start-end, e.g. 08:30-12:00.", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		i++;
		while (i < len && is_space(t[i]))
			i++;
		if (!parse_clock(t, len, &i, true, &b, err))
			return SHEGU_WT_BAD_PERIODS;
		if (b <= a)
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, (int) begin + 1,
					  "A period must end after it starts; a period across midnight is written as two, e.g. 22:00-24:00,00:00-06:00.", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		if (n > 0 && a < s->end_usec[n - 1])
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, (int) begin + 1,
					  "Periods must be in ascending order and must not overlap.", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		s->start_usec[n] = a;
		s->end_usec[n] = b;
		s->before_usec[n] = total;
		total += b - a;
		n++;
		while (i < len && is_space(t[i]))
			i++;
		if (i >= len)
			break;
		if (t[i] != ',')
		{
			set_error(err, SHEGU_WT_BAD_PERIODS, (int) i + 1,
					  "Periods are separated by \",\".", 0);
			return SHEGU_WT_BAD_PERIODS;
		}
		i++;
	}
	s->nperiods = n;
	s->day_usec = total;
	set_error(err, SHEGU_WT_OK, 0, NULL, 0);
	return SHEGU_WT_OK;
}

static int
format_clock(char *buf, size_t buflen, int64_t usec)
{
	int64_t		sec = usec / SHEGU_WT_USEC_PER_SEC;
	int			h = (int) (sec / 3600),
				m = (int) (sec / 60 % 60),
				s = (int) (sec % 60);

	if (s != 0)
		return snprintf(buf, buflen, "%02d:%02d:%02d", h, m, s);
	return snprintf(buf, buflen, "%02d:%02d", h, m);
}

int
shegu_wt_format_periods(const shegu_wt_schedule *s, char *buf, size_t buflen)
{
	size_t		used = 0;
	int32_t		i;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < s->nperiods && used < buflen; i++)
	{
		if (i > 0)
			used += (size_t) snprintf(buf + used, buflen - used, ",");
		if (used < buflen)
			used += (size_t) format_clock(buf + used, buflen - used, s->start_usec[i]);
		if (used < buflen)
			used += (size_t) snprintf(buf + used, buflen - used, "-");
		if (used < buflen)
			used += (size_t) format_clock(buf + used, buflen - used, s->end_usec[i]);
	}
	return (int) (used < buflen ? used : buflen - 1);
}

bool
shegu_wt_parse_offset(const char *t, size_t len, int32_t *seconds)
{
	int			sign,
				h,
				m = 0;

	if (len != 3 && len != 5 && len != 6)
		return false;
	if (t[0] != '+' && t[0] != '-')
		return false;
	sign = t[0] == '-' ? -1 : 1;
	if (!is_digit(t[1]) || !is_digit(t[2]))
		return false;
	h = (t[1] - '0') * 10 + (t[2] - '0');
	if (len == 5)
	{
		if (!is_digit(t[3]) || !is_digit(t[4]))
			return false;
		m = (t[3] - '0') * 10 + (t[4] - '0');
	}
	else if (len == 6)
	{
		if (t[3] != ':' || !is_digit(t[4]) || !is_digit(t[5]))
			return false;
		m = (t[4] - '0') * 10 + (t[5] - '0');
	}
	if (m > 59 || h * 3600 + m * 60 > SHEGU_WT_MAX_OFFSET_SEC)
		return false;
	*seconds = sign * (h * 3600 + m * 60);
	return true;
}

/* ---- arithmetic ---- */

int32_t
shegu_wt_local_day(const shegu_wt_schedule *s, int64_t instant)
{
	return (int32_t) shegu_wt_floordiv(instant + s->offset_usec, SHEGU_WT_USEC_PER_DAY);
}

/* Working days in [0, day) (negative for day < 0). */
static int64_t
workdays_before(const shegu_wt_calendar *cal, const shegu_wt_schedule *s, int64_t day)
{
	int64_t		n;

	if (!s->workdays_only)
		return day;
	n = weekdays_before(day);
	if (cal != NULL && cal->n > 0)
		n += cal->prefix[lower_bound(cal, day)];
	return n;
}

static bool
works_on(const shegu_wt_calendar *cal, const shegu_wt_schedule *s, int64_t day)
{
	if (!s->workdays_only)
		return true;
	return shegu_wt_is_workday(cal, (int32_t) day);
}

/* Working time in [local midnight, local midnight + tod) of a working day. */
static int64_t
work_in_day_before(const shegu_wt_schedule *s, int64_t tod)
{
	int32_t		j;

	for (j = 0; j < s->nperiods; j++)
	{
		if (tod <= s->start_usec[j])
			return s->before_usec[j];
		if (tod < s->end_usec[j])
			return s->before_usec[j] + (tod - s->start_usec[j]);
	}
	return s->day_usec;
}

/* F(local): working time from the origin to a local time (see worktime.h). */
static int64_t
work_before(const shegu_wt_calendar *cal, const shegu_wt_schedule *s, int64_t local)
{
	int64_t		day = shegu_wt_floordiv(local, SHEGU_WT_USEC_PER_DAY);
	int64_t		tod = local - day * SHEGU_WT_USEC_PER_DAY;
	int64_t		f = s->day_usec * workdays_before(cal, s, day);

	if (works_on(cal, s, day))
		f += work_in_day_before(s, tod);
	return f;
}

static bool
in_range(int64_t instant)
{
	return instant >= SHEGU_WT_MIN_USEC && instant < SHEGU_WT_END_USEC;
}

shegu_wt_status
shegu_wt_between(const shegu_wt_calendar *cal, const shegu_wt_schedule *s,
				 int64_t a, int64_t b, int64_t *amount)
{
	int64_t		fa,
				fb;

	if (!in_range(a) || !in_range(b))
		return SHEGU_WT_OUT_OF_RANGE;
	if (s->day_usec <= 0)
		return SHEGU_WT_NO_WORK;
	fa = work_before(cal, s, a + s->offset_usec);
	fb = work_before(cal, s, b + s->offset_usec);
	/* INT64_MIN is refused too, so that between(b, a) = -between(a, b) always holds. */
	if (__builtin_sub_overflow(fb, fa, amount) || *amount == INT64_MIN)
		return SHEGU_WT_OUT_OF_RANGE;
	return SHEGU_WT_OK;
}

shegu_wt_status
shegu_wt_add(const shegu_wt_calendar *cal, const shegu_wt_schedule *s,
			 int64_t start, int64_t amount, int64_t *end)
{
	int64_t		local,
				target,
				n,
				rem,
				lo,
				hi,
				step,
				t,
				result;
	int32_t		j;
	const int64_t last_day = SHEGU_WT_END_DAY + 1;

	if (amount < 0)
		return SHEGU_WT_NEGATIVE;
	if (!in_range(start))
		return SHEGU_WT_OUT_OF_RANGE;
	if (s->day_usec <= 0)
		return SHEGU_WT_NO_WORK;
	if (amount == 0)
	{
		*end = start;
		return SHEGU_WT_OK;
	}
	local = start + s->offset_usec;
	if (__builtin_add_overflow(work_before(cal, s, local), amount, &target))
		return SHEGU_WT_OUT_OF_RANGE;

	/* The end lies on the working day with n working days before it, rem into its work. */
	n = shegu_wt_floordiv(target - 1, s->day_usec);
	rem = target - n * s->day_usec;

	/* Smallest day D >= the start's day with workdays_before(D + 1) > n: gallop, then bisect. */
	lo = shegu_wt_floordiv(local, SHEGU_WT_USEC_PER_DAY);
	hi = lo;
	step = 1;
	while (workdays_before(cal, s, hi + 1) <= n)
	{
		lo = hi + 1;
		if (hi >= last_day)
			return SHEGU_WT_OUT_OF_RANGE;
		hi = hi + step > last_day ? last_day : hi + step;
		step *= 2;
	}
	while (lo < hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;

		if (workdays_before(cal, s, mid + 1) > n)
			hi = mid;
		else
			lo = mid + 1;
	}

	t = s->day_usec;
	for (j = 0; j < s->nperiods; j++)
	{
		int64_t		len = s->end_usec[j] - s->start_usec[j];

		if (rem <= s->before_usec[j] + len)
		{
			t = s->start_usec[j] + (rem - s->before_usec[j]);
			break;
		}
	}
	result = lo * SHEGU_WT_USEC_PER_DAY + t - s->offset_usec;
	if (!in_range(result))
		return SHEGU_WT_OUT_OF_RANGE;
	*end = result;
	return SHEGU_WT_OK;
}
