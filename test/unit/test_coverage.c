/* Unit tests of the patrol coverage engine: cleaning rules, WKB, areas, time inside, roads.
 * test/unit/test_coverage.c */
#include <stdint.h>
#include <stdlib.h>

#include "coverage.h"
#include "unit.h"

#define LON0 110.85
#define LAT0 26.43
#define R_EARTH 6371008.8
#define DEGR (M_PI / 180.0)

static void *blocks[100000];
static int nblocks;

static void *
test_alloc(void *ctx, size_t size)
{
	(void) ctx;
	if (nblocks >= 100000)
		return NULL;
	return blocks[nblocks++] = malloc(size ? size : 1);
}

static void
free_all(void)
{
	while (nblocks > 0)
		free(blocks[--nblocks]);
}

/* metres east/north of (LON0, LAT0) to degrees */
static double
lon_of(double x)
{
	return LON0 + x / (R_EARTH * DEGR * cos(LAT0 * DEGR));
}
static double
lat_of(double y)
{
	return LAT0 + y / (R_EARTH * DEGR);
}

/* WKB writer, little-endian */
static uint8_t wkb[4096];
static size_t wlen;
static void
w_u8(uint8_t v)
{
	wkb[wlen++] = v;
}
static void
w_u32(uint32_t v)
{
	for (int i = 0; i < 4; i++)
		w_u8((uint8_t) (v >> (8 * i)));
}
static void
w_f64(double d)
{
	uint8_t		b[8];

	memcpy(b, &d, 8);
	for (int i = 0; i < 8; i++)
		w_u8(b[i]);
}

/* a polygon of rings of metre squares [x0,x1]x[y0,y1] */
static void
square_polygon(int nr, const double (*sq)[4])
{
	wlen = 0;
	w_u8(1);
	w_u32(3);
	w_u32((uint32_t) nr);
	for (int k = 0; k < nr; k++)
	{
		double		x0 = sq[k][0],
					y0 = sq[k][1],
					x1 = sq[k][2],
					y1 = sq[k][3];

		w_u32(5);
		w_f64(lon_of(x0));
		w_f64(lat_of(y0));
		w_f64(lon_of(x1));
		w_f64(lat_of(y0));
		w_f64(lon_of(x1));
		w_f64(lat_of(y1));
		w_f64(lon_of(x0));
		w_f64(lat_of(y1));
		w_f64(lon_of(x0));
		w_f64(lat_of(y0));
	}
}

static const shegu_cov_rules rules = {50, 3, 15, 300};
static const shegu_cov_rules nojitter = {50, 0, 15, 300};

/* a track of fixes every dt seconds along a straight line in metres */
static int
line_track(shegu_cov_fix *f, int start, double x0, double y0, double x1, double y1, int n,
		   int64_t t0, int64_t dt)
{
	for (int i = 0; i < n; i++)
	{
		double		m = n > 1 ? (double) i / (n - 1) : 0;

		f[start + i] = (shegu_cov_fix)
		{
			lon_of(x0 + m * (x1 - x0)), lat_of(y0 + m * (y1 - y0)), t0 + i * dt, 5
		};
	}
	return start + n;
}

static double
seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
	double		dx = bx - ax,
				dy = by - ay,
				l2 = dx * dx + dy * dy,
				t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;

	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	return hypot(px - ax - t * dx, py - ay - t * dy);
}

int
main(void)
{
	shegu_cov_polygon poly;
	shegu_cov_result res;
	shegu_cov_params par = {50, 0};
	shegu_cov_fix fx[4000];
	uint8_t		fl[4000];
	shegu_cov_seg sg[8000];
	int			n,
				m;
	static const double unit_sq[1][4] = {{0, 0, 1000, 1000}};

	/* ---- WKB ---- */
	square_polygon(1, unit_sq);
	CHECK_INT(shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly), SHEGU_COV_OK, "polygon WKB read");
	CHECK_INT(poly.nrings, 1, "one ring");
	CHECK_INT(poly.ring_start[1], 5, "five points");
	CHECK(shegu_cov_point_in(&poly, lon_of(500), lat_of(500)), "centre is inside");
	CHECK(!shegu_cov_point_in(&poly, lon_of(1500), lat_of(500)), "east of it is outside");
	CHECK_INT(shegu_cov_polygon_from_wkb(wkb, wlen - 1, test_alloc, NULL, &poly), SHEGU_COV_TRUNCATED, "truncated WKB refused");
	wkb[wlen++] = 0;
	CHECK_INT(shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly), SHEGU_COV_TRAILING, "trailing byte refused");
	wkb[0] = 7;
	CHECK_INT(shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly), SHEGU_COV_BAD_BYTE_ORDER, "bad byte order refused");
	{
		uint8_t		pt[21] = {1, 1, 0, 0, 0};

		CHECK_INT(shegu_cov_polygon_from_wkb(pt, 21, test_alloc, NULL, &poly), SHEGU_COV_NOT_POLYGON, "a point is not a polygon");
	}
	/* EWKB MultiPolygon with SRID, big-endian inner polygon */
	{
		uint8_t		buf[200];
		size_t		k = 0;
		double		c[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 0}};

		buf[k++] = 1;
		buf[k++] = 6;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 0x20;
		buf[k++] = 0xE6;
		buf[k++] = 0x10;
		buf[k++] = 0;
		buf[k++] = 0;			/* SRID 4326 */
		buf[k++] = 1;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 0;			/* 1 polygon */
		buf[k++] = 0;			/* big-endian */
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 3;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 1;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 0;
		buf[k++] = 4;
		for (int i = 0; i < 4; i++)
			for (int d = 0; d < 2; d++)
			{
				uint8_t		b[8];

				memcpy(b, &c[i][d], 8);
				for (int q = 7; q >= 0; q--)
					buf[k++] = b[q];
			}
		CHECK_INT(shegu_cov_polygon_from_wkb(buf, k, test_alloc, NULL, &poly), SHEGU_COV_OK, "EWKB MultiPolygon with SRID, mixed byte order");
		CHECK_NEAR(poly.xy[2 * 2], 1.0, 0, "big-endian coordinate read");
	}

	/* ---- cleaning ---- */
	n = 0;
	n = line_track(fx, n, 0, 0, 400, 0, 5, 0, 100);	/* 0,100,..,400 m at 0..400 s */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(400), lat_of(0), 400, 5
	};							/* duplicate second */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(401), lat_of(0), 430, 5
	};							/* jitter: 1 m */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(5400), lat_of(0), 460, 5
	};							/* spike 5 km away */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(450), lat_of(0), 490, 5
	};							/* back on the road */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(480), lat_of(0), 520, 500
	};							/* inaccurate */
	fx[n++] = (shegu_cov_fix)
	{
		NAN, lat_of(0), 530, 5
	};							/* bad */
	fx[n++] = (shegu_cov_fix)
	{
		lon_of(500), lat_of(0), 1200, 5
	};							/* after a 710 s silence: break */
	CHECK_INT(shegu_cov_clean(fx, n, &rules, fl), 7, "seven fixes kept");
	CHECK_INT(fl[5], SHEGU_COV_DUPLICATE, "same second: duplicate");
	CHECK_INT(fl[6], SHEGU_COV_JITTER, "1 m move: jitter");
	CHECK_INT(fl[7], SHEGU_COV_TELEPORT, "5 km spike: teleport");
	CHECK_INT(fl[8], SHEGU_COV_KEPT, "back on the road: kept");
	CHECK_INT(fl[9], SHEGU_COV_INACCURATE, "500 m accuracy: inaccurate");
	CHECK_INT(fl[10], SHEGU_COV_BAD_FIX, "NaN: bad fix");
	CHECK_INT(fl[11], SHEGU_COV_KEPT, "after silence: kept");
	m = shegu_cov_segments(fx, n, fl, &rules, sg);
	CHECK_INT(m, 7, "5 drawn pieces, one break, one point");
	CHECK_INT(sg[5].drawn, 0, "the silence is a break");
	CHECK(sg[6].drawn && sg[6].t0 == sg[6].t1, "the lone last fix is a point");
	CHECK_STR(shegu_cov_flag_name(SHEGU_COV_TELEPORT), "teleport", "flag name");
	/* a fast move that is not a spike (the worker took a bus) stays, as a break */
	n = 0;
	n = line_track(fx, n, 0, 0, 100, 0, 2, 0, 60);
	n = line_track(fx, n, 3000, 0, 3100, 0, 2, 180, 60);
	CHECK_INT(shegu_cov_clean(fx, n, &rules, fl), 4, "a real jump is kept");
	m = shegu_cov_segments(fx, n, fl, &rules, sg);
	CHECK(m == 3 && sg[0].drawn && !sg[1].drawn && sg[2].drawn, "the jump is a break between two drawn pieces");
	{
		shegu_cov_rules bad = rules;

		bad.max_gap_s = 0;
		CHECK_INT(shegu_cov_rules_check(&bad), SHEGU_COV_BAD_VALUE, "zero gap refused");
		CHECK_INT(shegu_cov_rules_check(&rules), SHEGU_COV_OK, "rules ok");
	}

	/* ---- areas ---- */
	square_polygon(1, unit_sq);
	shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly);
	n = line_track(fx, 0, -500, 500, 1500, 500, 21, 0, 100);
	shegu_cov_clean(fx, n, &rules, fl);
	m = shegu_cov_segments(fx, n, fl, &rules, sg);
	CHECK_INT(shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res), SHEGU_COV_OK, "score ok");
	CHECK_NEAR(res.area_m2, 1e6, 1e6 * 1e-4, "square area 1 km2");
	CHECK_NEAR(res.share, 0.1, 0.1 * 0.005, "a 100 m strip across: 10 %");
	CHECK_NEAR(res.covered_m2, 1e5, 1e5 * 0.005, "covered 0.1 km2");
	CHECK_NEAR(res.seconds_inside, 1000, 1, "half of the 2000 s inside");
	CHECK_INT(res.gaps, 0, "no gap");
	CHECK_NEAR(res.road_share, -1, 0, "no road layer: -1");

	/* a lone fix: a disc */
	fx[0] = (shegu_cov_fix)
	{
		lon_of(500), lat_of(500), 0, 5
	};
	shegu_cov_clean(fx, 1, &rules, fl);
	m = shegu_cov_segments(fx, 1, fl, &rules, sg);
	shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res);
	CHECK_NEAR(res.covered_m2, M_PI * 2500, M_PI * 2500 * 0.01, "a lone fix covers a disc of 50 m");
	CHECK_NEAR(res.seconds_inside, 0, 0, "a point spends no time");

	/* a hole in the middle: 1 km2 minus 0.36 km2 */
	{
		static const double holed[2][4] = {{0, 0, 1000, 1000}, {200, 200, 800, 800}};

		square_polygon(2, holed);
		shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly);
		n = line_track(fx, 0, -500, 500, 1500, 500, 21, 0, 100);
		shegu_cov_clean(fx, n, &rules, fl);
		m = shegu_cov_segments(fx, n, fl, &rules, sg);
		shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res);
		CHECK_NEAR(res.area_m2, 640000, 640000 * 1e-4, "holed area");
		CHECK_NEAR(res.covered_m2, 40000, 40000 * 0.01, "strip minus the hole: 2 x 200 m x 100 m");
		CHECK_NEAR(res.seconds_inside, 400, 1, "400 s inside outside the hole");
	}

	/* gaps inside, roads */
	square_polygon(1, unit_sq);
	shegu_cov_polygon_from_wkb(wkb, wlen, test_alloc, NULL, &poly);
	n = line_track(fx, 0, 100, 500, 400, 500, 4, 0, 100);
	n = line_track(fx, n, 600, 500, 900, 500, 4, 1300, 100);
	shegu_cov_clean(fx, n, &rules, fl);
	m = shegu_cov_segments(fx, n, fl, &rules, sg);
	{
		double		road[8] = {lon_of(-100), lat_of(500), lon_of(1100), lat_of(500),
		lon_of(-100), lat_of(900), lon_of(1100), lat_of(900)};
		int			rs[3] = {0, 2, 4};

		shegu_cov_score(&poly, sg, m, road, rs, 2, &par, test_alloc, NULL, &res);
		CHECK_INT(res.gaps, 1, "one gap inside");
		CHECK_NEAR(res.max_gap_s, 1000, 0, "the gap lasts 1000 s");
		CHECK_NEAR(res.seconds_inside, 600, 1, "600 s walked");
		CHECK_NEAR(res.road_m, 2000, 2, "2 km of road inside");
		CHECK_NEAR(res.road_covered_m, 2 * 400, 10, "two 400 m stretches of one road covered (300 m walked + 50 m each side)");
	}

	/* ---- against a Monte Carlo reference on random walks ---- */
	srand(12345);
	for (int trial = 0; trial < 5; trial++)
	{
		double		x = 500,
					y = 500,
					hits = 0,
					inside = 0;
		double		mx[400],
					my[400];

		n = 0;
		for (int i = 0; i < 300; i++)
		{
			x += (rand() % 81) - 40;
			y += (rand() % 81) - 40;
			mx[i] = x;
			my[i] = y;
			fx[n++] = (shegu_cov_fix)
			{
				lon_of(x), lat_of(y), i * 30, 5
			};
		}
		CHECK_INT(shegu_cov_clean(fx, n, &nojitter, fl), n, "random walk: all fixes kept");
		m = shegu_cov_segments(fx, n, fl, &nojitter, sg);
		shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res);
		for (int s = 0; s < 200000; s++)
		{
			double		px = (rand() / (double) RAND_MAX) * 1000,
						py = (rand() / (double) RAND_MAX) * 1000;

			inside++;
			for (int i = 0; i + 1 < n; i++)
				if (seg_dist(px, py, mx[i], my[i], mx[i + 1], my[i + 1]) <= 50)
				{
					hits++;
					break;
				}
		}
		CHECK_NEAR(res.share, hits / inside, 0.006, "random walk share agrees with Monte Carlo (+-0.006)");
	}

	/* ---- bad parameters ---- */
	par.radius_m = 0;
	CHECK_INT(shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res), SHEGU_COV_BAD_VALUE, "radius 0 refused");
	par.radius_m = NAN;
	CHECK_INT(shegu_cov_score(&poly, sg, m, NULL, NULL, 0, &par, test_alloc, NULL, &res), SHEGU_COV_BAD_VALUE, "radius NaN refused");
	CHECK_NEAR(shegu_cov_distance_m(0, 0, 0, 1), 111195, 1, "one degree of latitude");
	CHECK_STR(shegu_cov_status_text(SHEGU_COV_TRUNCATED), "the WKB ends inside the geometry", "status text");

	free_all();
	return UNIT_DONE();
}
