/* libFuzzer target for the EWKB coordinate walker, the polygon reader and the datum transforms:
 * arbitrary bytes never crash the walker or the reader (which reads the same points as the
 * read-only walk, and stays inside the buffer), and every coordinate survives a round trip.
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

typedef struct counts
{
	uint64_t	points;
	uint64_t	rings;
	uint64_t	ends;
} counts;

static int
count_ring(void *arg, uint32_t np)
{
	(void) np;
	((counts *) arg)->rings++;
	return 0;
}

static int
count_point(void *arg, double x, double y)
{
	(void) x;
	(void) y;
	((counts *) arg)->points++;
	return 0;
}

static int
count_end(void *arg)
{
	((counts *) arg)->ends++;
	return 0;
}

static int
count_xy(double *x, double *y, void *arg)
{
	(void) x;
	(void) y;
	(*(uint64_t *) arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *copy = malloc(size ? size : 1);
	int32_t		srid;
	counts		c = {0, 0, 0};
	shegu_ewkb_rings cb = {count_ring, count_point, count_end, &c};
	uint32_t	type;
	size_t		offset;
	uint64_t	walked = 0;

	memcpy(copy, data, size);
	if (shegu_ewkb_read_polygonal(copy, size, &cb, &srid, &type, &offset) == SHEGU_EWKB_OK)
	{
		/* a polygon read whole: the general walk over it sees the same points */
		if (offset != size || c.rings != c.ends
			|| shegu_ewkb_walk(copy, size, count_xy, NULL, &walked, NULL, NULL) != SHEGU_EWKB_OK
			|| walked != c.points)
			abort();
	}
	else if (offset > size)
		abort();
	(void) shegu_ewkb_map_xy(copy, size, round_trip, NULL, &srid);
	free(copy);
	return 0;
}
