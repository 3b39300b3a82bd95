/* libFuzzer target for the coverage engine: the WKB polygon reader never crashes, and scoring
 * fuzzed tracks against what it reads keeps its invariants.  test/fuzz/fuzz_coverage.c */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"

#define FAIL() (fprintf(stderr, "fuzz_coverage: invariant at line %d broken\n", __LINE__), abort())

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A bump arena, reset for every input. */
static unsigned char arena[4 * 1024 * 1024];
static size_t arena_used;

static void *
arena_alloc(void *ctx, size_t size)
{
	void	   *p;

	(void) ctx;
	size = (size + 15) & ~(size_t) 15;
	if (arena_used + size > sizeof(arena))
		return NULL;
	p = arena + arena_used;
	arena_used += size;
	return p;
}

/*
 * Input: 2 bytes n (WKB length), the WKB, then fixes of 6 bytes each: dx, dy (int16, metres /
 * 4 around the polygon's first point), dt (uint8 seconds * 4), accuracy (uint8).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	shegu_cov_polygon poly;
	shegu_cov_fix fx[256];
	uint8_t		fl[256];
	shegu_cov_seg sg[512];
	shegu_cov_result res;
	shegu_cov_params par = {50, 0};
	shegu_cov_rules rules = {50, 3, 15, 300};
	size_t		wl;
	int			n = 0,
				m,
				kept;
	double		lon0 = 110.85,
				lat0 = 26.43;
	int64_t		t = 0;
	shegu_cov_status s;

	arena_used = 0;
	if (size < 2)
		return 0;
	wl = (size_t) data[0] | (size_t) data[1] << 8;
	if (wl > size - 2)
		wl = size - 2;
	s = shegu_cov_polygon_from_wkb(data + 2, wl, arena_alloc, NULL, &poly);
	if (s != SHEGU_COV_OK)
		return 0;
	if (poly.nrings > 0 && poly.ring_start[poly.nrings] > 0)
	{
		lon0 = poly.xy[0];
		lat0 = poly.xy[1];
	}
	if (!(fabs(lat0) < 80) || !(fabs(lon0) < 360))
		return 0;
	for (size_t p = 2 + wl; p + 6 <= size && n < 256; p += 6)
	{
		int16_t		dx = (int16_t) (data[p] | data[p + 1] << 8),
					dy = (int16_t) (data[p + 2] | data[p + 3] << 8);

		t += data[p + 4] * 4;
		fx[n].lon = lon0 + dx * 4 / (111195.0 * cos(lat0 * M_PI / 180));
		fx[n].lat = lat0 + dy * 4 / 111195.0;
		fx[n].t = t;
		fx[n].accuracy = data[p + 5] == 255 ? -1 : data[p + 5];
		n++;
	}
	kept = shegu_cov_clean(fx, n, &rules, fl);
	if (kept < 0 || kept > n)
		FAIL();
	m = shegu_cov_segments(fx, n, fl, &rules, sg);
	if (m < 0 || m > 2 * n)
		FAIL();
	s = shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, arena_alloc, NULL, &res);
	if (s == SHEGU_COV_OK)
	{
		if (!(res.share >= 0 && res.share <= 1) || !(res.area_m2 >= 0) || res.seconds_inside < 0 ||
			res.seconds_inside > (double) t + 1 || res.gaps < 0)
			FAIL();
	}
	return 0;
}
