/* Unit tests of the polygon-set engine: exact orient2d, EWKB reading, the tie rule, validity
 * periods, holes, multipolygons, and the quadtree against a brute-force scan.
 * test/unit/test_geo.c */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "geo.h"

static void *
t_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void *
t_realloc(void *ctx, void *p, size_t size)
{
	(void) ctx;
	if (p == NULL)
		abort();				/* the engine never asks (the server's repalloc would crash) */
	return realloc(p, size);
}

static void
t_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const shegu_geo_allocator heap = {t_alloc, t_realloc, t_free, NULL};

/* ---- a little WKB writer ---- */

typedef struct wkb
{
	uint8_t		buf[1 << 21];
	size_t		len;
	int			big;
} wkb;

static void
put_u32(wkb *w, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		w->buf[w->len++] = w->big ? (uint8_t) (v >> (24 - 8 * i)) : (uint8_t) (v >> (8 * i));
}

static void
put_double(wkb *w, double d)
{
	uint64_t	u;
	int			i;

	memcpy(&u, &d, 8);
	for (i = 0; i < 8; i++)
		w->buf[w->len++] = w->big ? (uint8_t) (u >> (56 - 8 * i)) : (uint8_t) (u >> (8 * i));
}

static void
put_header(wkb *w, uint32_t type)
{
	w->buf[w->len++] = w->big ? 0 : 1;
	put_u32(w, type);
}

/* A ring from n (x, y) pairs, closed here. */
static void
put_ring(wkb *w, const double *xy, int n)
{
	int			i;

	put_u32(w, (uint32_t) n + 1);
	for (i = 0; i < n; i++)
	{
		put_double(w, xy[2 * i]);
		put_double(w, xy[2 * i + 1]);
	}
	put_double(w, xy[0]);
	put_double(w, xy[1]);
}

static void
start_polygon(wkb *w, int nrings)
{
	w->len = 0;
	put_header(w, 3);
	put_u32(w, (uint32_t) nrings);
}

/* Axis-aligned rectangle polygon. */
static void
rect(wkb *w, double x0, double y0, double x1, double y1)
{
	double		xy[8] = {x0, y0, x1, y0, x1, y1, x0, y1};

	start_polygon(w, 1);
	put_ring(w, xy, 4);
}

static shegu_geo_status
add(shegu_geo_builder *b, const wkb *w, int64_t code, int level, int32_t from, int32_t to)
{
	return shegu_geo_builder_add(b, w->buf, w->len, code, level, from, to, NULL, NULL);
}

#define DMIN SHEGU_GEO_DAY_MIN
#define DMAX SHEGU_GEO_DAY_MAX

/* ---- tests ---- */

static void
test_orient(void)
{
	int			i,
				j,
				bad = 0;

	CHECK_INT(shegu_geo_orient2d(0, 0, 1, 0, 0, 1), 1, "orient2d: left turn is +1");
	CHECK_INT(shegu_geo_orient2d(0, 0, 1, 0, 0, -1), -1, "orient2d: right turn is -1");
	CHECK_INT(shegu_geo_orient2d(0, 0, 1, 1, 0.3, 0.3), 0, "orient2d: collinear is 0");
	CHECK_INT(shegu_geo_orient2d(113.1, 28.2, 113.1, 28.2, 113.1, 28.2), 0, "orient2d: one point thrice");
	/* the classic near-degenerate grid: naive evaluation gets many of these wrong */
	for (i = 0; i < 64; i++)
		for (j = 0; j < 64; j++)
		{
			double		px = 0.5 + i * 0x1p-53,
						py = 0.5 + j * 0x1p-53;
			int			want = (j > i) - (j < i);

			if (shegu_geo_orient2d(12, 12, 24, 24, px, py) != want)
				bad++;
		}
	CHECK_INT(bad, 0, "orient2d: exact on the 64x64 near-degenerate grid around y = x");
	/* a point one ulp off a long edge, at China's coordinates */
	CHECK_INT(shegu_geo_orient2d(110.0, 26.0, 111.0, 27.0, 110.5, nextafter(26.5, 27.0)), 1,
			  "orient2d: one ulp above an edge at lon 110");
	CHECK_INT(shegu_geo_orient2d(110.0, 26.0, 111.0, 27.0, 110.5, nextafter(26.5, 26.0)), -1,
			  "orient2d: one ulp below an edge at lon 110");
	CHECK_INT(shegu_geo_orient2d(110.0, 26.0, 111.0, 27.0, 110.5, 26.5), 0,
			  "orient2d: exactly on an edge at lon 110");
}

static void
test_ewkb_errors(void)
{
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	wkb			w;
	shegu_geo_error err;
	int32_t		srid;
	double		open[10] = {0, 0, 1, 0, 1, 1, 0, 1, 0, 0.5};
	size_t		i;

	w.big = 0;
	rect(&w, 0, 0, 1, 1);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len - 1, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_TRUNCATED,
			  "ewkb: one byte short is truncated");
	CHECK_INT(shegu_geo_builder_add(b, w.buf, 0, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_TRUNCATED,
			  "ewkb: no bytes is truncated");
	w.buf[w.len] = 0;
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len + 1, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_TRAILING,
			  "ewkb: an extra byte is trailing");
	w.buf[0] = 2;
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_BAD_BYTE_ORDER,
			  "ewkb: byte order 2 is refused");
	w.len = 0;
	put_header(&w, 1);
	put_double(&w, 1);
	put_double(&w, 2);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_NOT_POLYGONAL,
			  "ewkb: a point is not polygonal");
	CHECK_INT(err.type, 1, "ewkb: the error names type 1");
	start_polygon(&w, 0);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_EMPTY,
			  "ewkb: POLYGON EMPTY is empty");
	w.len = 0;
	put_header(&w, 6);
	put_u32(&w, 0);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_EMPTY,
			  "ewkb: MULTIPOLYGON EMPTY is empty");
	start_polygon(&w, 1);
	put_ring(&w, open, 2);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_SHORT_RING,
			  "ewkb: a 3-point ring is short");
	CHECK_INT(err.npoints, 3, "ewkb: the error counts 3 points");
	start_polygon(&w, 1);
	put_u32(&w, 5);
	for (i = 0; i < 5; i++)
	{
		put_double(&w, open[2 * i]);
		put_double(&w, open[2 * i + 1]);
	}
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_OPEN_RING,
			  "ewkb: a ring that does not close is open");
	rect(&w, 0, 0, NAN, 1);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_NOT_FINITE,
			  "ewkb: NaN is not finite");
	rect(&w, 0, 0, INFINITY, 1);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_NOT_FINITE,
			  "ewkb: infinity is not finite");
	rect(&w, 0, 0, 1, 1);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, 10, 10, NULL, &err), SHEGU_GEO_BAD_PERIOD,
			  "ewkb: valid_to = valid_from is an empty period");
	/* a huge ring count must not allocate: it is truncated */
	start_polygon(&w, 1);
	w.len -= 4;
	put_u32(&w, 0x7fffffffu);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 1, 1, DMIN, DMAX, NULL, &err), SHEGU_GEO_TRUNCATED,
			  "ewkb: 2^31 rings in a few bytes are truncated");

	/* accepted forms: big-endian, EWKB with SRID and Z, ISO ZM */
	w.big = 1;
	rect(&w, 0, 0, 1, 1);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 11, 1, DMIN, DMAX, &srid, &err), SHEGU_GEO_OK,
			  "ewkb: big-endian polygon");
	w.big = 0;
	w.len = 0;
	put_header(&w, 3 | 0x80000000u | 0x20000000u);
	put_u32(&w, 4326);
	put_u32(&w, 1);
	put_u32(&w, 4);
	put_double(&w, 2); put_double(&w, 0); put_double(&w, 9);
	put_double(&w, 3); put_double(&w, 0); put_double(&w, 9);
	put_double(&w, 3); put_double(&w, 1); put_double(&w, 9);
	put_double(&w, 2); put_double(&w, 0); put_double(&w, 9);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 12, 1, DMIN, DMAX, &srid, &err), SHEGU_GEO_OK,
			  "ewkb: EWKB polygon Z with SRID");
	CHECK_INT(srid, 4326, "ewkb: the SRID is read");
	w.len = 0;
	put_header(&w, 3006);		/* ISO MultiPolygon ZM */
	put_u32(&w, 1);
	put_header(&w, 3003);
	put_u32(&w, 1);
	put_u32(&w, 4);
	put_double(&w, 4); put_double(&w, 0); put_double(&w, 9); put_double(&w, 8);
	put_double(&w, 5); put_double(&w, 0); put_double(&w, 9); put_double(&w, 8);
	put_double(&w, 5); put_double(&w, 1); put_double(&w, 9); put_double(&w, 8);
	put_double(&w, 4); put_double(&w, 0); put_double(&w, 9); put_double(&w, 8);
	CHECK_INT(shegu_geo_builder_add(b, w.buf, w.len, 13, 1, DMIN, DMAX, &srid, &err), SHEGU_GEO_OK,
			  "ewkb: ISO MultiPolygon ZM");
	CHECK_INT(srid, 0, "ewkb: no SRID reads as 0");
	{
		shegu_geo_index *ix = shegu_geo_build(b, NULL, NULL);
		shegu_geo_stats st;

		shegu_geo_stats_get(ix, &st);
		CHECK_INT(st.shapes, 3, "ewkb: failed adds left nothing behind: 3 shapes");
		CHECK_INT(st.vertices, 13, "ewkb: 13 vertices");
		CHECK_INT(shegu_geo_locate(ix, 0.5, 0.5, 0), 11, "ewkb: big-endian square found");
		CHECK_INT(shegu_geo_locate(ix, 2.9, 0.5, 0), 12, "ewkb: Z triangle found");
		CHECK_INT(shegu_geo_locate(ix, 4.9, 0.5, 0), 13, "ewkb: ZM triangle found");
		CHECK_INT(shegu_geo_locate(ix, 2.1, 0.5, 0), 0, "ewkb: outside the triangle");
		shegu_geo_free(ix);
	}
}

static void
test_rules(void)
{
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	shegu_geo_index *ix;
	wkb			w;
	double		outer[8] = {10, 0, 14, 0, 14, 4, 10, 4};
	double		hole[8] = {11, 1, 11, 3, 13, 3, 13, 1};
	double		tri[6] = {20, 0, 21, 0, 20, 1};

	w.big = 0;
	/* two level-6 squares sharing the edge x = 1, inside a level-5 rectangle */
	rect(&w, 0, 0, 1, 1);
	CHECK_INT(add(b, &w, 200, 6, DMIN, DMAX), SHEGU_GEO_OK, "rules: add square 200");
	rect(&w, 1, 0, 2, 1);
	CHECK_INT(add(b, &w, 100, 6, DMIN, DMAX), SHEGU_GEO_OK, "rules: add square 100");
	rect(&w, 0, 0, 2, 2);
	CHECK_INT(add(b, &w, 50, 5, DMIN, DMAX), SHEGU_GEO_OK, "rules: add parent 50");
	/* a square with a hole */
	start_polygon(&w, 2);
	put_ring(&w, outer, 4);
	put_ring(&w, hole, 4);
	CHECK_INT(add(b, &w, 300, 6, DMIN, DMAX), SHEGU_GEO_OK, "rules: add holed square 300");
	/* a multipolygon: a triangle and a square far apart */
	w.len = 0;
	put_header(&w, 6);
	put_u32(&w, 2);
	put_header(&w, 3);
	put_u32(&w, 1);
	put_ring(&w, tri, 3);
	put_header(&w, 3);
	put_u32(&w, 1);
	{
		double		sq[8] = {30, 0, 31, 0, 31, 1, 30, 1};

		put_ring(&w, sq, 4);
	}
	CHECK_INT(add(b, &w, 400, 6, DMIN, DMAX), SHEGU_GEO_OK, "rules: add multipolygon 400");
	/* versions of code 500: days [0, 10) one square, [10, inf) another */
	rect(&w, 40, 0, 41, 1);
	CHECK_INT(add(b, &w, 500, 6, 0, 10), SHEGU_GEO_OK, "rules: add 500 version 1");
	rect(&w, 41, 0, 42, 1);
	CHECK_INT(add(b, &w, 500, 6, 10, DMAX), SHEGU_GEO_OK, "rules: add 500 version 2");
	ix = shegu_geo_build(b, NULL, NULL);
	CHECK(ix != NULL, "rules: built");

	CHECK_INT(shegu_geo_locate(ix, 0.5, 0.5, 0), 200, "inside square 200");
	CHECK_INT(shegu_geo_locate(ix, 1.5, 0.5, 0), 100, "inside square 100");
	CHECK_INT(shegu_geo_locate(ix, 1.0, 0.5, 0), 100, "shared edge: the smaller code");
	CHECK_INT(shegu_geo_locate(ix, 1.0, 0.0, 0), 100, "shared vertex: the smaller code");
	CHECK_INT(shegu_geo_locate(ix, 1.0, 1.0, 0), 100, "shared top vertex: the smaller code");
	CHECK_INT(shegu_geo_locate(ix, 0.0, 0.0, 0), 200, "corner vertex of one child: the child, not the parent");
	CHECK_INT(shegu_geo_locate(ix, 0.5, 1.0, 0), 200, "top edge of a child: the child");
	CHECK_INT(shegu_geo_locate(ix, 0.5, 1.5, 0), 50, "parent area no child covers: the parent");
	CHECK_INT(shegu_geo_locate(ix, 2.0, 2.0, 0), 50, "parent's far corner: the parent");
	CHECK_INT(shegu_geo_locate(ix, 2.0, nextafter(2.0, 3.0), 0), 0, "one ulp above the parent: none");
	CHECK_INT(shegu_geo_locate(ix, nextafter(2.0, 3.0), 1.0, 0), 0, "one ulp right of the parent: none");
	CHECK_INT(shegu_geo_locate(ix, nextafter(1.0, 0.0), 0.5, 0), 200, "one ulp left of the shared edge");
	CHECK_INT(shegu_geo_locate(ix, nextafter(1.0, 2.0), 0.5, 0), 100, "one ulp right of the shared edge");
	CHECK_INT(shegu_geo_locate(ix, -1, 0.5, 0), 0, "left of everything");
	CHECK_INT(shegu_geo_locate(ix, NAN, 0.5, 0), 0, "NaN is nowhere");

	CHECK_INT(shegu_geo_locate(ix, 10.5, 0.5, 0), 300, "holed square, in its ring");
	CHECK_INT(shegu_geo_locate(ix, 12, 2, 0), 0, "holed square, in the hole");
	CHECK_INT(shegu_geo_locate(ix, 11, 2, 0), 300, "holed square, on the hole's edge");
	CHECK_INT(shegu_geo_locate(ix, 13, 3, 0), 300, "holed square, on the hole's vertex");
	CHECK_INT(shegu_geo_locate(ix, nextafter(11.0, 12.0), 2, 0), 0, "one ulp into the hole");

	CHECK_INT(shegu_geo_locate(ix, 20.2, 0.2, 0), 400, "multipolygon, triangle part");
	CHECK_INT(shegu_geo_locate(ix, 20.5, 0.5, 0), 400, "multipolygon, on the hypotenuse (exactly representable)");
	CHECK_INT(shegu_geo_locate(ix, 20.75, 0.25, 0), 400, "multipolygon, on the hypotenuse (quarter)");
	CHECK_INT(shegu_geo_locate(ix, 20.5, nextafter(0.5, 1.0), 0), 0, "multipolygon, one ulp beyond the hypotenuse");
	CHECK_INT(shegu_geo_locate(ix, 30.5, 0.5, 0), 400, "multipolygon, square part");
	CHECK_INT(shegu_geo_locate(ix, 25, 0.5, 0), 0, "between the parts");

	CHECK_INT(shegu_geo_locate(ix, 40.5, 0.5, 5), 500, "version 1 on day 5");
	CHECK_INT(shegu_geo_locate(ix, 40.5, 0.5, 10), 0, "version 1 not on day 10");
	CHECK_INT(shegu_geo_locate(ix, 40.5, 0.5, -1), 0, "version 1 not before day 0");
	CHECK_INT(shegu_geo_locate(ix, 41.5, 0.5, 10), 500, "version 2 on day 10");
	CHECK_INT(shegu_geo_locate(ix, 41.5, 0.5, DMAX), 500, "open version on day +infinity");
	CHECK_INT(shegu_geo_locate(ix, 41.5, 0.5, 9), 0, "version 2 not on day 9");
	CHECK_INT(shegu_geo_locate(ix, 41.0, 0.5, 9), 500, "shared edge of versions, day 9");
	CHECK_INT(shegu_geo_locate(ix, 41.0, 0.5, 10), 500, "shared edge of versions, day 10");
	shegu_geo_free(ix);

	/* an empty index answers nothing */
	ix = shegu_geo_build(shegu_geo_builder_new(&heap), NULL, NULL);
	CHECK_INT(shegu_geo_locate(ix, 0, 0, 0), 0, "empty index: none");
	shegu_geo_free(ix);
}

/* xorshift, for reproducible random cases */
static uint64_t rng = 88172645463325252ull;
static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double) (rng >> 11) * 0x1p-53;
}

static void check_flat(const shegu_geo_index *ix, const char *name);

/*
 * The raster answers for the days around its day on which no version starts or ends; lookups on
 * other days go through the tree and answer the same.
 */
static void
test_raster_days(void)
{
	static const struct
	{
		int32_t		day;
		bool		set;
		int32_t		from,
					to;
	}			cases[] = {
		{0, false, 20, DMAX},		/* default: around the latest day a version starts */
		{5, true, 0, 10},
		{15, true, 10, 20},
		{-50, true, DMIN, 0},
		{25, true, 20, DMAX},
	};
	size_t		c;

	for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
	{
		shegu_geo_builder *b = shegu_geo_builder_new(&heap);
		shegu_geo_options opt = {0, 0, 0, NULL, NULL, cases[c].day, cases[c].set};
		shegu_geo_index *ix;
		wkb			w;
		int32_t		from,
					to,
					day;
		int			bad = 0;
		char		what[160];

		w.big = 0;
		/* code 500: [0, 10) one square, [10, 20) the next, [20, inf) the third; 600 always, under */
		rect(&w, 0, 0, 1, 1);
		add(b, &w, 500, 6, 0, 10);
		rect(&w, 1, 0, 2, 1);
		add(b, &w, 500, 6, 10, 20);
		rect(&w, 2, 0, 3, 1);
		add(b, &w, 500, 6, 20, DMAX);
		rect(&w, 0, 0, 3, 1);
		add(b, &w, 600, 5, DMIN, DMAX);
		ix = shegu_geo_build(b, &opt, NULL);
		shegu_geo_raster_days(ix, &from, &to);
		snprintf(what, sizeof what, "raster days around %d%s: [%d, %d)", (int) cases[c].day,
				 cases[c].set ? "" : " (default)", (int) cases[c].from, (int) cases[c].to);
		CHECK(from == cases[c].from && to == cases[c].to, what);
		for (day = -60; day < 40; day++)
		{
			double		x;

			for (x = 0.25; x < 3; x += 0.5)
			{
				int64_t		want = (x < 1 && day >= 0 && day < 10) || (x > 1 && x < 2 && day >= 10 && day < 20)
					|| (x > 2 && day >= 20) ? 500 : 600;

				if (shegu_geo_locate(ix, x, 0.5, day) != want
					|| shegu_geo_locate_brute(ix, x, 0.5, day) != want)
					bad++;
			}
		}
		snprintf(what, sizeof what, "raster days around %d: every day from -60 to 39 answers as it should",
				 (int) cases[c].day);
		CHECK_INT(bad, 0, what);
		shegu_geo_free(ix);
	}
}

/*
 * A jittered lattice of N x N cells (level 6, some with a hole, valid on all days or
 * only on days [0, 100)), 2 x 2 blocks of it as level-5 parents, and the whole as a level-4
 * grandparent.  Compare the quadtree with the brute-force scan on random points, every vertex,
 * and points on axis-parallel lattice lines.
 */
#define N 24
static void
test_against_brute(int leaf_edges, int raster_bits, int32_t raster_day)
{
	static double px[N + 1][N + 1],
				py[N + 1][N + 1];
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	shegu_geo_index *ix;
	shegu_geo_options opt = {leaf_edges, 0, raster_bits, NULL, NULL, raster_day, raster_day != DMIN};
	shegu_geo_stats st;
	wkb			w;
	int			i,
				j,
				k,
				bad = 0,
				found = 0,
				probes = 0,
				bad_add = 0;
	char		what[300];

	w.big = 0;
	for (i = 0; i <= N; i++)
		for (j = 0; j <= N; j++)
		{
			/* every 4th lattice line stays straight, so exact points lie on edges */
			px[i][j] = 113.0 + i * 0.01 + ((i % 4 && j % 4) ? (urand() - 0.5) * 0.006 : 0);
			py[i][j] = 26.0 + j * 0.01 + ((i % 4 && j % 4) ? (urand() - 0.5) * 0.006 : 0);
		}
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
		{
			double		ring[8] = {px[i][j], py[i][j], px[i + 1][j], py[i + 1][j],
			px[i + 1][j + 1], py[i + 1][j + 1], px[i][j + 1], py[i][j + 1]};
			int64_t		code = 1000 + (int64_t) ((i * 7 + j * 13) % (N * N)) * 3 + (i + j) % 2;
			int			holed = (i + 2 * j) % 5 == 0;

			start_polygon(&w, holed ? 2 : 1);
			put_ring(&w, ring, 4);
			if (holed)
			{
				double		cx = (px[i][j] + px[i + 1][j + 1]) / 2,
							cy = (py[i][j] + py[i + 1][j + 1]) / 2;
				double		h[8] = {cx - 0.002, cy - 0.002, cx - 0.002, cy + 0.002,
				cx + 0.002, cy + 0.002, cx + 0.002, cy - 0.002};

				put_ring(&w, h, 4);
			}
			if (shegu_geo_builder_add(b, w.buf, w.len, code, 6, (i * j) % 7 == 0 ? 0 : DMIN,
									  (i * j) % 7 == 0 ? 100 : DMAX, NULL, NULL) != SHEGU_GEO_OK)
				bad_add++;
		}
	for (i = 0; i < N; i += 2)
		for (j = 0; j < N; j += 2)
		{
			double		ring[16] = {px[i][j], py[i][j], px[i + 1][j], py[i + 1][j], px[i + 2][j], py[i + 2][j],
				px[i + 2][j + 1], py[i + 2][j + 1], px[i + 2][j + 2], py[i + 2][j + 2],
				px[i + 1][j + 2], py[i + 1][j + 2], px[i][j + 2], py[i][j + 2],
			px[i][j + 1], py[i][j + 1]};

			start_polygon(&w, 1);
			put_ring(&w, ring, 8);
			if (shegu_geo_builder_add(b, w.buf, w.len, 500 + i * N + j, 5, DMIN, DMAX, NULL, NULL) != SHEGU_GEO_OK)
				bad_add++;
		}
	rect(&w, 113.0, 26.0, 113.0 + N * 0.01, 26.0 + N * 0.01);
	if (shegu_geo_builder_add(b, w.buf, w.len, 43, 4, DMIN, DMAX, NULL, NULL) != SHEGU_GEO_OK)
		bad_add++;
	CHECK_INT(bad_add, 0, "brute: every lattice polygon is accepted");
	ix = shegu_geo_build(b, &opt, NULL);
	CHECK(ix != NULL, "brute: built");
	shegu_geo_stats_get(ix, &st);

	for (k = 0; k < 20000; k++)
	{
		double		x = 112.99 + urand() * (N * 0.01 + 0.02);
		double		y = 25.99 + urand() * (N * 0.01 + 0.02);
		int32_t		day = (k % 3 == 0) ? 50 : 200;
		int64_t		a = shegu_geo_locate(ix, x, y, day);

		probes++;
		found += a != 0;
		if (a != shegu_geo_locate_brute(ix, x, y, day))
			bad++;
	}
	for (k = 0; k < shegu_geo_vertex_count(ix); k++)
	{
		double		x,
					y;

		shegu_geo_vertex(ix, k, &x, &y);
		probes += 2;
		if (shegu_geo_locate(ix, x, y, 50) != shegu_geo_locate_brute(ix, x, y, 50))
			bad++;
		if (shegu_geo_locate(ix, x, y, 200) != shegu_geo_locate_brute(ix, x, y, 200))
			bad++;
	}
	for (i = 0; i <= N; i += 4)
		for (k = 0; k < 200; k++)
		{
			double		t = 26.0 + urand() * N * 0.01;

			probes += 2;
			if (shegu_geo_locate(ix, px[i][0], t, 200) != shegu_geo_locate_brute(ix, px[i][0], t, 200))
				bad++;
			if (shegu_geo_locate(ix, t + 87.0, py[0][i], 200) != shegu_geo_locate_brute(ix, t + 87.0, py[0][i], 200))
				bad++;
		}
	snprintf(what, sizeof what, "brute (leaf_edges %d, raster %d): quadtree agrees on %d probes (%lld nodes, depth %d, raster depth %d, %lld direct, %lld of %lld quarters direct)",
			 leaf_edges, raster_bits, probes, (long long) st.nodes, st.depth, st.raster_bits, (long long) st.raster_direct, (long long) st.raster_sub_direct, (long long) st.raster_sub_cells);
	CHECK_INT(bad, 0, what);
	CHECK(found > 15000, "brute: most random points land in some grid");
	/* the four corners of the grandparent */
	CHECK_INT(shegu_geo_locate(ix, 113.0, 26.0, 200) != 0, 1, "brute: lattice corner is covered");
	CHECK_INT(shegu_geo_locate(ix, 113.0 + N * 0.01, 26.0 + N * 0.01, 200) != 0, 1, "brute: far corner is covered");
	if (leaf_edges == 32 || raster_bits < 0)
		check_flat(ix, "brute");
	shegu_geo_free(ix);
}

/* ---- bounded work ---- */

static int	interrupt_calls;
static int	interrupt_cancel_at;

static int
count_interrupt(void *arg)
{
	(void) arg;
	interrupt_calls++;
	return interrupt_cancel_at > 0 && interrupt_calls >= interrupt_cancel_at;
}

/* A ring of n points on the circle (cx, cy, r) from angle a0 to a1, plus (cx, cy) when pie. */
static int
arc(double *xy, int n, double cx, double cy, double r, double a0, double a1, int pie)
{
	int			i,
				m = 0;

	if (pie)
	{
		xy[m++] = cx;
		xy[m++] = cy;
	}
	for (i = 0; i < n; i++)
	{
		double		a = a0 + (a1 - a0) * i / (pie ? n - 1 : n);

		xy[m++] = cx + r * cos(a);
		xy[m++] = cy + r * sin(a);
	}
	return m / 2;
}

/*
 * The shape mixes that made the build super-linear, all in one registry: a sunburst of slices
 * meeting at one vertex (every cell near it holds all their edges, so no split reduces them),
 * versions of a densified ring shifted by far less than their edges' length (near-coincident
 * edges that no cell above the shift's size separates), and a grid with many holes, each filled
 * by a deeper grid.  The build must stay within a fixed amount of work a vertex (and a raster
 * cell) and agree with the brute-force scan; the interrupt callback must be called and must be
 * able to cancel it.
 */
static shegu_geo_builder *
pathological(int64_t *vertices)
{
	static double xy[2 * 4100];
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	wkb			w;
	int			k,
				n,
				bad = 0;
	const double pi = 3.14159265358979323846;

	w.big = 0;
	*vertices = 0;
	/* 1500 slices around (113.5, 26.5) */
	for (k = 0; k < 1500; k++)
	{
		n = arc(xy, 3, 113.5, 26.5, 0.2, 2 * pi * k / 1500, 2 * pi * (k + 1) / 1500, 1);
		start_polygon(&w, 1);
		put_ring(&w, xy, n);
		*vertices += n + 1;
		bad += add(b, &w, 10000 + k, 6, DMIN, DMAX) != SHEGU_GEO_OK;
	}
	/* 40 versions of a 4000-gon, each 1e-9 to the north-east of the one before */
	for (k = 0; k < 40; k++)
	{
		n = arc(xy, 4000, 113.55 + k * 1e-9, 26.45 + k * 1e-9, 0.15, 0, 2 * pi, 0);
		start_polygon(&w, 1);
		put_ring(&w, xy, n);
		*vertices += n + 1;
		bad += add(b, &w, 500, 5, k * 10, k * 10 + 10) != SHEGU_GEO_OK;
	}
	/* a square with 60 hexagonal holes, each filled by a deeper grid */
	start_polygon(&w, 61);
	{
		double		sq[8] = {113.2, 26.2, 113.8, 26.2, 113.8, 26.8, 113.2, 26.8};

		put_ring(&w, sq, 4);
		*vertices += 5;
	}
	for (k = 0; k < 60; k++)
	{
		n = arc(xy, 6, 113.25 + (k % 10) * 0.06, 26.25 + (k / 10) * 0.09, 0.02, 0, 2 * pi, 0);
		put_ring(&w, xy, n);
		*vertices += n + 1;
	}
	bad += add(b, &w, 40, 4, DMIN, DMAX) != SHEGU_GEO_OK;
	for (k = 0; k < 60; k++)
	{
		n = arc(xy, 6, 113.25 + (k % 10) * 0.06, 26.25 + (k / 10) * 0.09, 0.02, 0, 2 * pi, 0);
		start_polygon(&w, 1);
		put_ring(&w, xy, n);
		*vertices += n + 1;
		bad += add(b, &w, 4000 + k, 7, DMIN, DMAX) != SHEGU_GEO_OK;
	}
	CHECK_INT(bad, 0, "pathological: every shape is accepted");
	return b;
}

/* A flat image of ix, viewed in place, answers as ix does; a damaged image is refused. */
static void
check_flat(const shegu_geo_index *ix, const char *name)
{
	size_t		n = shegu_geo_flat_size(ix);
	uint64_t   *buf = malloc(n);
	shegu_geo_index *vw;
	shegu_geo_stats a,
				b;
	int			k,
				bad = 0;
	char		what[200];

	shegu_geo_flatten(ix, buf);
	vw = shegu_geo_view(buf, n, &heap);
	snprintf(what, sizeof what, "%s: a flat image (%zu bytes) can be viewed", name, n);
	CHECK(vw != NULL, what);
	if (vw == NULL)
	{
		free(buf);
		return;
	}
	shegu_geo_stats_get(ix, &a);
	shegu_geo_stats_get(vw, &b);
	snprintf(what, sizeof what, "%s: the view holds what the index holds", name);
	CHECK(a.shapes == b.shapes && a.nodes == b.nodes && a.entries == b.entries
		  && a.raster_cells == b.raster_cells && a.vertices == b.vertices, what);
	for (k = 0; k < 20000; k++)
	{
		double		x = a.min_x + urand() * (a.max_x - a.min_x),
					y = a.min_y + urand() * (a.max_y - a.min_y);
		int32_t		day = (int32_t) (k % 450) - 10;

		if (shegu_geo_locate(vw, x, y, day) != shegu_geo_locate(ix, x, y, day))
			bad++;
	}
	for (k = 0; k < shegu_geo_vertex_count(ix); k += 3)
	{
		double		x,
					y;

		shegu_geo_vertex(ix, k, &x, &y);
		if (shegu_geo_locate(vw, x, y, 50) != shegu_geo_locate(ix, x, y, 50))
			bad++;
	}
	snprintf(what, sizeof what, "%s: the view answers every probe as the index does", name);
	CHECK_INT(bad, 0, what);
	shegu_geo_free(vw);
	snprintf(what, sizeof what, "%s: a truncated or damaged image is refused", name);
	CHECK(shegu_geo_view(buf, n - 8, &heap) == NULL
		  && (((uint8_t *) buf)[0] ^= 1, shegu_geo_view(buf, n, &heap) == NULL), what);
	free(buf);
}

static void
test_bounded_build(void)
{
	shegu_geo_options opt = {0, 0, 0, count_interrupt, NULL, 0, false};
	shegu_geo_status st;
	shegu_geo_stats s;
	shegu_geo_index *ix;
	int64_t		v,
				k,
				bad = 0;
	double		bound;

	interrupt_calls = 0;
	interrupt_cancel_at = 0;
	ix = shegu_geo_build(pathological(&v), &opt, &st);
	CHECK(ix != NULL && st == SHEGU_GEO_OK, "pathological: built");
	if (ix == NULL)
		return;
	shegu_geo_stats_get(ix, &s);
	CHECK_INT(s.vertices, v, "pathological: every vertex held");
	/*
	 * the tree down to the raster's depth and below it (the budget: SHEGU_GEO_WORK_PER_VERTEX),
	 * and the raster's cells and quarters (at most 2^22 cells, each with at most 20 quarters)
	 */
	bound = (double) SHEGU_GEO_WORK_PER_VERTEX * 8 * (double) v
		+ 64.0 * ((double) s.raster_cells + (double) s.raster_sub_cells);
	printf("# pathological: %lld vertices, %lld edge tests (bound %.0f), %lld leaves, depth %d, %.1f MiB\n",
		   (long long) v, (long long) s.work, bound, (long long) s.leaves, s.depth,
		   (double) s.bytes / 1048576.0);
	CHECK(s.work > 0 && (double) s.work <= bound, "pathological: work within a fixed amount a vertex and a raster cell");
	CHECK(interrupt_calls >= s.work / SHEGU_GEO_INTERRUPT_WORK && interrupt_calls > 0,
		  "pathological: the interrupt callback is called as the work goes");
	for (k = 0; k < 20000; k++)
	{
		double		x = 113.15 + urand() * 0.7,
					y = 26.15 + urand() * 0.7;
		int32_t		day = (int32_t) (k % 450) - 10;

		if (shegu_geo_locate(ix, x, y, day) != shegu_geo_locate_brute(ix, x, y, day))
			bad++;
	}
	for (k = 0; k < shegu_geo_vertex_count(ix); k += 7)
	{
		double		x,
					y;

		shegu_geo_vertex(ix, k, &x, &y);
		if (shegu_geo_locate(ix, x, y, (int32_t) (k % 400)) != shegu_geo_locate_brute(ix, x, y, (int32_t) (k % 400)))
			bad++;
	}
	CHECK_INT(bad, 0, "pathological: the index agrees with the brute-force scan");
	check_flat(ix, "pathological");
	shegu_geo_free(ix);

	/* cancelled on the third call: nothing is returned */
	interrupt_calls = 0;
	interrupt_cancel_at = 3;
	ix = shegu_geo_build(pathological(&v), &opt, &st);
	CHECK(ix == NULL, "pathological: a cancelled build returns nothing");
	CHECK_INT(st, SHEGU_GEO_CANCELLED, "pathological: and says it was cancelled");
	CHECK_INT(interrupt_calls, 3, "pathological: it stops at the call that cancels");
	CHECK_STR(shegu_geo_status_name(SHEGU_GEO_CANCELLED), "the build was cancelled", "status name of a cancelled build");
}

/*
 * A leaf whose entry holds more far values than a leaf's entry has room to count (65,535): a
 * polygon whose boundary zigzags up along x = 8, the middle of the root, one edge in three
 * wholly right of the lower-left quarter (a far edge) and the two others reaching into it (near
 * edges), 100,503 vertices in all, with the tree kept to one level so that the quarter is one
 * leaf: its entry holds 33,500 chains and 67,000 far values, and the counts go into the entry's
 * data.  The lookups must still agree with the brute-force scan.
 */
static void
test_many_far_values(void)
{
	static wkb	w;
	static double xy[2 * 100600];
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	shegu_geo_index *ix;
	shegu_geo_stats st;
	shegu_geo_options opt;
	int			zigs = 33500,
				n = 0,
				i,
				k,
				bad = 0;
	double		e = 7.0 / (3.0 * zigs);

	for (i = 0; i < zigs; i++)
	{
		double		y = 0.5 + 3 * i * e;

		xy[n++] = 7.0;
		xy[n++] = y;
		xy[n++] = 9.0;
		xy[n++] = y + e;
		xy[n++] = 9.5;
		xy[n++] = y + 2 * e;
	}
	xy[n++] = 7.0;
	xy[n++] = 7.5;
	xy[n++] = 0.5;
	xy[n++] = 7.5;
	xy[n++] = 0.5;
	xy[n++] = 0.5;
	start_polygon(&w, 1);
	put_ring(&w, xy, n / 2);
	CHECK_INT(add(b, &w, 2, 6, DMIN, DMAX), SHEGU_GEO_OK, "many far values: the zigzag is accepted");
	rect(&w, 0, 14, 15, 15);	/* makes the root 16 wide */
	CHECK_INT(add(b, &w, 1, 6, DMIN, DMAX), SHEGU_GEO_OK, "many far values: the strip is accepted");
	memset(&opt, 0, sizeof opt);
	opt.max_depth = 1;
	opt.raster_bits = -1;
	ix = shegu_geo_build(b, &opt, NULL);
	CHECK(ix != NULL, "many far values: built");
	if (ix == NULL)
		return;
	shegu_geo_stats_get(ix, &st);
	printf("#   many far values: %lld far values, %lld chains\n", (long long) st.far_values, (long long) st.chains);
	CHECK(st.far_values > 65535 && st.chains > 30000, "many far values: a leaf entry holds more than 65,535");
	for (k = 0; k < 40000; k++)
	{
		double		x = urand() * 10.0,
					y = urand() * 8.0;

		if (shegu_geo_locate(ix, x, y, 0) != shegu_geo_locate_brute(ix, x, y, 0))
			bad++;
	}
	for (k = 0; k < shegu_geo_vertex_count(ix); k++)
	{
		double		x,
					y;

		shegu_geo_vertex(ix, k, &x, &y);
		if (shegu_geo_locate(ix, x, y, 0) != shegu_geo_locate_brute(ix, x, y, 0))
			bad++;
	}
	CHECK_INT(bad, 0, "many far values: the index agrees with the brute-force scan");
	CHECK_INT(shegu_geo_locate(ix, 4.0, 4.0, 0), 2, "many far values: inside the zigzag");
	CHECK_INT(shegu_geo_locate(ix, 9.9, 4.0, 0), 0, "many far values: right of it");
	check_flat(ix, "many far values");
	shegu_geo_free(ix);
}


/*
 * The raster's tiles (8 x 8 cells) keep up to 7 values each and send the others to rest[].  A
 * board of 63 x 63 squares in the root [0, 1], each two raster cells wide and set half a cell
 * off the cells' lines, covers one whole cell each: every tile holds 16 squares' direct answers
 * (and the leaves of the cells their edges cross), so at least 9 of its cells answer from
 * rest[].  Every square's centre (in its direct cell), the corners and random points must agree
 * with the brute-force scan, through the index and through its flat image.
 */
static void
test_tile_palette(void)
{
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	shegu_geo_index *ix;
	shegu_geo_options opt = {32, 0, 7, NULL, NULL, DMIN, false};
	shegu_geo_stats st;
	wkb			w;
	int			n = 63,
				i,
				j,
				k,
				bad = 0,
				probes = 0;
	double		side = 1.0 / 64,
				off = 1.0 / 256;
	char		what[200];

	w.big = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
		{
			rect(&w, off + i * side, off + j * side, off + (i + 1) * side, off + (j + 1) * side);
			if (add(b, &w, 100000 + i * n + j, 6, DMIN, DMAX) != SHEGU_GEO_OK)
				bad++;
		}
	ix = shegu_geo_build(b, &opt, NULL);
	CHECK(ix != NULL && bad == 0, "tiles: the board is built");
	if (ix == NULL)
		return;
	shegu_geo_stats_get(ix, &st);
	CHECK(st.min_x == 0 && st.max_x == 1 && st.raster_bits == 7, "tiles: raster cells of 1/128 in the root [0, 1]");
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
		{
			double		x = off + (i + 0.5) * side,
						y = off + (j + 0.5) * side;

			probes += 2;
			bad += shegu_geo_locate(ix, x, y, 0) != 100000 + i * n + j;
			x = off + i * side;
			y = off + j * side;
			bad += shegu_geo_locate(ix, x, y, 0) != shegu_geo_locate_brute(ix, x, y, 0);
		}
	for (k = 0; k < 20000; k++)
	{
		double		x = urand() * 1.02 - 0.01,
					y = urand() * 1.02 - 0.01;

		probes++;
		bad += shegu_geo_locate(ix, x, y, 0) != shegu_geo_locate_brute(ix, x, y, 0);
	}
	snprintf(what, sizeof what, "tiles: %d probes agree (%lld raster cells, %lld direct, %lld escaped)",
			 probes, (long long) st.raster_cells, (long long) st.raster_direct, (long long) st.raster_escaped);
	CHECK_INT(bad, 0, what);
	CHECK(st.raster_direct >= n * n, "tiles: every square answers one cell directly");
	CHECK(st.raster_escaped >= 9 * 15 * 15, "tiles: at least 9 cells of each full tile answer from rest[]");
	check_flat(ix, "tiles");
	shegu_geo_free(ix);
}

int
main(void)
{
	test_orient();
	test_ewkb_errors();
	test_rules();
	test_against_brute(1, -1, DMIN);
	test_against_brute(8, -1, DMIN);
	test_against_brute(64, -1, DMIN);
	test_against_brute(8, 0, DMIN);
	test_against_brute(32, 0, DMIN);
	test_against_brute(32, 3, DMIN);
	test_against_brute(64, 9, DMIN);
	/* the raster for the days after [0, 100) instead of those */
	test_against_brute(32, 0, 150);
	test_against_brute(8, 9, 150);
	test_raster_days();
	test_tile_palette();
	test_bounded_build();
	test_many_far_values();
	return UNIT_DONE();
}
