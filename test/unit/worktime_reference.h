/* A day-by-day reference for working time between two instants: slow and obviously right,
 * the oracle of the worktime unit test and fuzz target.  test/unit/worktime_reference.h */
#ifndef SHEGU_WORKTIME_REFERENCE_H
#define SHEGU_WORKTIME_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "worktime.h"

/* Is this day (days since the engine's epoch) a working day for the schedule? */
typedef bool (*ref_works_fn) (const shegu_wt_schedule *s, int64_t day);

/* Working microseconds in [a, b] by walking every day; negative when b < a. */
static int64_t
ref_between_days(const shegu_wt_schedule *s, int64_t a, int64_t b, ref_works_fn works)
{
	int64_t		la,
				lb,
				day,
				sum = 0;

	if (b < a)
		return -ref_between_days(s, b, a, works);
	la = a + s->offset_usec;
	lb = b + s->offset_usec;
	for (day = shegu_wt_floordiv(la, SHEGU_WT_USEC_PER_DAY); day * SHEGU_WT_USEC_PER_DAY < lb; day++)
	{
		if (!works(s, day))
			continue;
		for (int j = 0; j < s->nperiods; j++)
		{
			int64_t		ps = day * SHEGU_WT_USEC_PER_DAY + s->start_usec[j];
			int64_t		pe = day * SHEGU_WT_USEC_PER_DAY + s->end_usec[j];
			int64_t		lo = ps > la ? ps : la;
			int64_t		hi = pe < lb ? pe : lb;

			if (hi > lo)
				sum += hi - lo;
		}
	}
	return sum;
}

#endif							/* SHEGU_WORKTIME_REFERENCE_H */
