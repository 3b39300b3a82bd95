/* libFuzzer target for the EWKB coordinate walker and the datum transforms: arbitrary
 * bytes never crash the walker, and every coordinate it finds survives a round trip.
 * test/fuzz/fuzz_ewkb.c */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coords.h"
#include "ewkb.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
round_trip(double *x, double *y, void *arg)
{
	double		a,
				b,
				c,
				d;

	(void) arg;
	if (!(*x >= 73 && *x <= 135 && *y >= 18 && *y <= 53))
		return 0;
	shegu_wgs84_to_gcj02(*x, *y, &a, &b);
	shegu_gcj02_to_wgs84(a, b, &c, &d);
	if (fabs(c - *x) > 1e-8 || fabs(d - *y) > 1e-8)
		abort();
	shegu_gcj02_to_bd09(*x, *y, &a, &b);
	shegu_bd09_to_gcj02(a, b, &c, &d);
	if (fabs(c - *x) > 1e-8 || fabs(d - *y) > 1e-8)
		abort();
	*x = c;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *copy = malloc(size ? size : 1);
	int32_t		srid;

	memcpy(copy, data, size);
	(void) shegu_ewkb_map_xy(copy, size, round_trip, NULL, &srid);
	free(copy);
	return 0;
}
