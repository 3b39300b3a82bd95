/* libFuzzer target for the working-time engine: the periods parser never crashes and round-trips,
 * and add/between keep their invariants (and agree with a day-by-day reference on short spans)
 * over fuzzed calendars, schedules, instants and amounts.  test/fuzz/fuzz_worktime.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "worktime.h"
#include "worktime_reference.h"

/* Abort, saying which invariant broke. */
#define FAIL() (fprintf(stderr, "fuzz_worktime: invariant at line %d broken\n", __LINE__), abort())

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OVERRIDES 64
#define BASE_DAY 9131			/* 2025-01-01 */

/* A bump arena, reset for every input: no leaks for LeakSanitizer to find. */
static unsigned char arena[64 * 1024];
static size_t arena_used;

static void *
arena_alloc(void *ctx, size_t size)
{
	void	   *p;

	(void) ctx;
	size = (size + 15) & ~(size_t) 15;
	if (arena_used + size > sizeof(arena))
		FAIL();
	p = arena + arena_used;
	arena_used += size;
	return p;
}

typedef struct reader
{
	const uint8_t *p;
	size_t		left;
} reader;

static uint64_t
take(reader *r, int nbytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < nbytes; i++)
	{
		v = (v << 8) | (r->left > 0 ? *r->p : 0);
		if (r->left > 0)
		{
			r->p++;
			r->left--;
		}
	}
	return v;
}

static shegu_wt_override rows[MAX_OVERRIDES];
static int	nrows;

static bool
ref_works(const shegu_wt_schedule *s, int64_t day)
{
	int			i;
	bool		found = false,
				work = false;

	if (!s->workdays_only)
		return true;
	for (i = 0; i < nrows; i++)
		if (rows[i].day == day)
		{
			found = true;
			work = rows[i].is_workday;
		}
	return found ? work : shegu_wt_isodow((int32_t) day) <= 5;
}

static int64_t
ref_between(const shegu_wt_schedule *s, int64_t a, int64_t b)
{
	return ref_between_days(s, a, b, ref_works);
}

static int64_t
instant(reader *r, bool wide)
{
	uint64_t	v = take(r, 8);

	if (wide)
		return (int64_t) ((uint64_t) SHEGU_WT_MIN_USEC
						  + v % ((uint64_t) SHEGU_WT_END_USEC - (uint64_t) SHEGU_WT_MIN_USEC));
	/* within 2024-2027, on a whole minute half of the time so that period edges are hit */
	v %= (uint64_t) (4 * 366) * (uint64_t) SHEGU_WT_USEC_PER_DAY;
	if (v & 1)
		v -= v % (60 * (uint64_t) SHEGU_WT_USEC_PER_SEC);
	return (int64_t) (BASE_DAY - 366) * SHEGU_WT_USEC_PER_DAY + (int64_t) v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader		r = {data, size};
	shegu_wt_schedule s,
				back;
	shegu_wt_calendar cal;
	shegu_wt_error err;
	char		buf[SHEGU_WT_PERIODS_BUFLEN];
	size_t		tlen = 0;
	uint64_t	flags;
	int64_t		a,
				b,
				c,
				x,
				end,
				end2,
				ab,
				ba,
				bc,
				ac,
				back_end;
	int			i,
				n;
	bool		wide;

	arena_used = 0;

	/* The periods text: up to the first '|' (or all of the input). */
	while (tlen < size && data[tlen] != '|')
		tlen++;

	/* The same bytes as a UTC offset: accepted only within 18 hours, in whole minutes. */
	{
		int32_t		off = INT32_MIN;

		if (shegu_wt_parse_offset((const char *) data, tlen, &off)
			&& (off > SHEGU_WT_MAX_OFFSET_SEC || off < -SHEGU_WT_MAX_OFFSET_SEC || off % 60 != 0))
			FAIL();
	}
	memset(&s, 0, sizeof(s));
	if (shegu_wt_parse_periods((const char *) data, tlen, &s, &err) != SHEGU_WT_OK)
	{
		if (err.status != SHEGU_WT_BAD_PERIODS || err.reason == NULL
			|| err.position < 0 || (size_t) err.position > tlen)
			FAIL();
		return 0;
	}
	if (s.nperiods < 1 || s.nperiods > SHEGU_WT_MAX_PERIODS || s.day_usec <= 0
		|| s.day_usec > SHEGU_WT_USEC_PER_DAY)
		FAIL();
	shegu_wt_format_periods(&s, buf, sizeof(buf));
	memset(&back, 0, sizeof(back));
	if (shegu_wt_parse_periods(buf, strlen(buf), &back, NULL) != SHEGU_WT_OK
		|| back.nperiods != s.nperiods || back.day_usec != s.day_usec
		|| memcmp(back.start_usec, s.start_usec, sizeof(s.start_usec)) != 0
		|| memcmp(back.end_usec, s.end_usec, sizeof(s.end_usec)) != 0)
		FAIL();

	r.p = data + tlen;
	r.left = size - tlen;
	take(&r, 1);				/* the '|' */
	flags = take(&r, 2);
	s.workdays_only = (flags & 1) == 0;
	s.offset_usec = ((int64_t) ((flags >> 1) % (2 * SHEGU_WT_MAX_OFFSET_SEC / 900 + 1)) * 900
					 - SHEGU_WT_MAX_OFFSET_SEC) * SHEGU_WT_USEC_PER_SEC;
	wide = (flags & 0x8000) != 0;

	/* The calendar: up to 64 distinct days around 2025-2026. */
	n = (int) (take(&r, 1) % (MAX_OVERRIDES + 1));
	nrows = 0;
	for (i = 0; i < n; i++)
	{
		uint64_t	v = take(&r, 2);
		int32_t		day = BASE_DAY - 30 + (int32_t) ((v >> 1) % 800);
		int			k;
		bool		dup = false;

		for (k = 0; k < nrows; k++)
			dup |= rows[k].day == day;
		if (dup)
			continue;
		rows[nrows].day = day;
		rows[nrows].is_workday = (v & 1) != 0;
		nrows++;
	}
	if (shegu_wt_calendar_build(&cal, rows, nrows, arena_alloc, NULL, &err) != SHEGU_WT_OK)
		FAIL();

	a = instant(&r, wide);
	b = instant(&r, wide);
	c = instant(&r, false);
	x = (int64_t) (take(&r, 8) % (wide ? (uint64_t) INT64_MAX : (uint64_t) (90 * SHEGU_WT_USEC_PER_DAY)));

	/* add: between(a, add(a, x)) = x, add(a, x) >= a, monotone in x and in a */
	if (shegu_wt_add(&cal, &s, a, x, &end) == SHEGU_WT_OK)
	{
		int64_t		back_x;

		if (end < a)
			FAIL();
		if (shegu_wt_between(&cal, &s, a, end, &back_x) != SHEGU_WT_OK || back_x != x)
			FAIL();
		if (x > 0 && shegu_wt_add(&cal, &s, a, x - 1, &end2) == SHEGU_WT_OK && end2 >= end)
			FAIL();
		if (shegu_wt_add(&cal, &s, a, x + 1, &end2) == SHEGU_WT_OK && end2 <= end)
			FAIL();
		if (b >= a && shegu_wt_add(&cal, &s, b, x, &end2) == SHEGU_WT_OK && end2 < end)
			FAIL();
	}

	/* between: antisymmetric, additive, bounded by elapsed time, inverted by add */
	if (shegu_wt_between(&cal, &s, a, b, &ab) == SHEGU_WT_OK)
	{
		if (shegu_wt_between(&cal, &s, b, a, &ba) != SHEGU_WT_OK || ba != -ab)
			FAIL();
		if (a <= b)
		{
			int64_t		elapsed;

			if (ab < 0 || (!__builtin_sub_overflow(b, a, &elapsed) && ab > elapsed))
				FAIL();
			if (shegu_wt_add(&cal, &s, a, ab, &back_end) != SHEGU_WT_OK || back_end > b)
				FAIL();
			if (shegu_wt_between(&cal, &s, back_end, b, &ba) != SHEGU_WT_OK || ba != 0)
				FAIL();
			if (!wide && b - a < 60 * SHEGU_WT_USEC_PER_DAY && ab != ref_between(&s, a, b))
				FAIL();
		}
		if (!wide && shegu_wt_between(&cal, &s, b, c, &bc) == SHEGU_WT_OK
			&& shegu_wt_between(&cal, &s, a, c, &ac) == SHEGU_WT_OK && ab + bc != ac)
			FAIL();
	}
	return 0;
}
