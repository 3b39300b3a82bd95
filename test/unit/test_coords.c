/* Unit tests of the datum engine (WGS-84/GCJ-02/BD-09) and the EWKB coordinate walker.
 * test/unit/test_coords.c */
#include "unit.h"
#include "coords.h"
#include "ewkb.h"

#include <stdint.h>

/* Published pairs (wgs lon, wgs lat, gcj lon, gcj lat) used by the open-source converters. */
static const double wgs_gcj_pairs[][4] = {
	{121.5272106, 31.1774276, 121.531541859215, 31.17530398364597},	/* Shanghai */
	{113.912316, 22.543847, 113.9171764808363, 22.540796131694766},	/* Shenzhen */
	{116.377817, 39.911954, 116.38404722455657, 39.91334545536069},	/* Beijing */
};

static double
metres(double dlon, double dlat, double lat)
{
	double		x = dlon * 111320.0 * cos(lat * M_PI / 180.0),
				y = dlat * 110574.0;

	return sqrt(x * x + y * y);
}

static void
test_reference_pairs(void)
{
	double		lon,
				lat;

	for (size_t i = 0; i < sizeof(wgs_gcj_pairs) / sizeof(wgs_gcj_pairs[0]); i++)
	{
		const double *p = wgs_gcj_pairs[i];

		shegu_wgs84_to_gcj02(p[0], p[1], &lon, &lat);
		CHECK_NEAR(lon, p[2], 1e-9, "wgs84→gcj02 longitude matches the published pair");
		CHECK_NEAR(lat, p[3], 1e-9, "wgs84→gcj02 latitude matches the published pair");
		shegu_gcj02_to_wgs84(p[2], p[3], &lon, &lat);
		CHECK_NEAR(lon, p[0], 1e-9, "gcj02→wgs84 longitude inverts the pair");
		CHECK_NEAR(lat, p[1], 1e-9, "gcj02→wgs84 latitude inverts the pair");
	}
	/* gcoord's test: GCJ-02 (123, 45) to BD-09 */
	shegu_gcj02_to_bd09(123, 45, &lon, &lat);
	CHECK_NEAR(lon, 123.00636499, 1e-8, "gcj02→bd09 longitude (gcoord)");
	CHECK_NEAR(lat, 45.00636899, 1e-8, "gcj02→bd09 latitude (gcoord)");
}

/* Over a 0.1-degree lattice covering China, the inverses undo the forward transforms. */
static void
test_round_trips(void)
{
	double		worst_gcj = 0,
				worst_bd = 0;

	for (double lat = 18.0; lat <= 53.5; lat += 0.1)
		for (double lon = 73.5; lon <= 135.0; lon += 0.1)
		{
			double		a,
						b,
						c,
						d;

			shegu_wgs84_to_gcj02(lon, lat, &a, &b);
			shegu_gcj02_to_wgs84(a, b, &c, &d);
			if (metres(c - lon, d - lat, lat) > worst_gcj)
				worst_gcj = metres(c - lon, d - lat, lat);
			shegu_gcj02_to_bd09(lon, lat, &a, &b);
			shegu_bd09_to_gcj02(a, b, &c, &d);
			if (metres(c - lon, d - lat, lat) > worst_bd)
				worst_bd = metres(c - lon, d - lat, lat);
		}
	printf("# worst round trip: gcj02 %.3g m, bd09 %.3g m\n", worst_gcj, worst_bd);
	CHECK(worst_gcj < 0.001, "gcj02→wgs84 inverts wgs84→gcj02 to under 1 mm everywhere in China");
	CHECK(worst_bd < 0.001, "bd09→gcj02 inverts gcj02→bd09 to under 1 mm everywhere in China");
}

static void
test_outside_china(void)
{
	double		lon,
				lat;
	shegu_crs	crs;

	shegu_wgs84_to_gcj02(2.35, 48.85, &lon, &lat);
	CHECK(lon == 2.35 && lat == 48.85, "Paris is not shifted to GCJ-02");
	shegu_gcj02_to_wgs84(183, 45, &lon, &lat);
	CHECK(lon == 183 && lat == 45, "outside the box, GCJ-02 passes through");
	CHECK(shegu_coords_outside_china(72.0, 30), "west of 72.004 is outside");
	CHECK(!shegu_coords_outside_china(116.4, 39.9), "Beijing is inside");
	CHECK(shegu_crs_from_name("GCJ02", &crs) && crs == SHEGU_CRS_GCJ02, "crs names are case-insensitive");
	CHECK(shegu_crs_from_name("cgcs2000", &crs) && crs == SHEGU_CRS_WGS84, "CGCS2000 is WGS-84");
	CHECK(!shegu_crs_from_name("utm50", &crs), "unknown crs name");
	shegu_to_wgs84(SHEGU_CRS_WGS84, 116.4, 39.9, &lon, &lat);
	CHECK(lon == 116.4 && lat == 39.9, "wgs84 to wgs84 is the identity");
}

/* ---- EWKB walker ---- */

static size_t
put_u32(uint8_t *p, uint32_t v, int big)
{
	for (int i = 0; i < 4; i++)
		p[i] = big ? (uint8_t) (v >> (24 - 8 * i)) : (uint8_t) (v >> (8 * i));
	return 4;
}

static size_t
put_f64(uint8_t *p, double d, int big)
{
	uint64_t	v;

	memcpy(&v, &d, 8);
	for (int i = 0; i < 8; i++)
		p[i] = big ? (uint8_t) (v >> (56 - 8 * i)) : (uint8_t) (v >> (8 * i));
	return 8;
}

static double
get_f64(const uint8_t *p, int big)
{
	uint64_t	v = 0;
	double		d;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t) p[i] << (big ? (56 - 8 * i) : (8 * i));
	memcpy(&d, &v, 8);
	return d;
}

static int
shift_one(double *x, double *y, void *arg)
{
	int		   *count = (int *) arg;

	*x += 1.0;
	*y += 2.0;
	(*count)++;
	return 0;
}

static int
refuse(double *x, double *y, void *arg)
{
	(void) x;
	(void) y;
	(void) arg;
	return 1;
}

static void
test_ewkb(void)
{
	uint8_t		b[512];
	size_t		n;
	int			count = 0;
	int32_t		srid = -1;

	/* big-endian POINT Z with SRID 4326 */
	n = 0;
	b[n++] = 0;
	n += put_u32(b + n, 0x80000000u | 0x20000000u | 1, 1);
	n += put_u32(b + n, 4326, 1);
	n += put_f64(b + n, 10, 1);
	n += put_f64(b + n, 20, 1);
	n += put_f64(b + n, 30, 1);
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, &srid), SHEGU_EWKB_OK, "point Z XDR");
	CHECK_INT(srid, 4326, "SRID read");
	CHECK(get_f64(b + 9, 1) == 11 && get_f64(b + 17, 1) == 22 && get_f64(b + 25, 1) == 30,
		  "x and y shifted, z untouched");

	/* little-endian collection(polygon with 2 rings, ISO linestring M) */
	n = 0;
	b[n++] = 1;
	n += put_u32(b + n, 7, 0);
	n += put_u32(b + n, 2, 0);
	b[n++] = 1;
	n += put_u32(b + n, 3, 0);
	n += put_u32(b + n, 2, 0);
	for (int r = 0; r < 2; r++)
	{
		n += put_u32(b + n, 4, 0);
		for (int i = 0; i < 4; i++)
		{
			n += put_f64(b + n, i, 0);
			n += put_f64(b + n, r, 0);
		}
	}
	b[n++] = 1;
	n += put_u32(b + n, 2002, 0);
	n += put_u32(b + n, 2, 0);
	for (int i = 0; i < 2; i++)
	{
		n += put_f64(b + n, i, 0);
		n += put_f64(b + n, i, 0);
		n += put_f64(b + n, 99, 0);
	}
	count = 0;
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, &srid), SHEGU_EWKB_OK, "nested collection");
	CHECK_INT(count, 10, "every coordinate visited once");
	CHECK_INT(srid, 0, "no SRID");
	CHECK(get_f64(b + n - 8, 0) == 99, "the M value is untouched");
	CHECK_INT(shegu_ewkb_map_xy(b, n - 1, shift_one, &count, NULL), SHEGU_EWKB_TRUNCATED, "truncated");
	b[n] = 0;
	CHECK_INT(shegu_ewkb_map_xy(b, n + 1, shift_one, &count, NULL), SHEGU_EWKB_TRAILING, "trailing bytes");
	CHECK_INT(shegu_ewkb_map_xy(b, n, refuse, NULL, NULL), SHEGU_EWKB_CALLBACK, "callback stops the walk");
	b[0] = 7;
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, NULL), SHEGU_EWKB_BAD_BYTE_ORDER, "bad byte order");
	b[0] = 1;
	put_u32(b + 1, 99, 0);
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, NULL), SHEGU_EWKB_BAD_TYPE, "unknown type");

	/* a linestring claiming 2^32-1 points must not read past the buffer */
	n = 0;
	b[n++] = 1;
	n += put_u32(b + n, 2, 0);
	n += put_u32(b + n, 0xffffffffu, 0);
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, NULL), SHEGU_EWKB_TRUNCATED, "huge count");

	/* collections nested 40 deep */
	n = 0;
	for (int i = 0; i < 40; i++)
	{
		b[n++] = 1;
		n += put_u32(b + n, 7, 0);
		n += put_u32(b + n, 1, 0);
	}
	CHECK_INT(shegu_ewkb_map_xy(b, n, shift_one, &count, NULL), SHEGU_EWKB_TOO_DEEP, "too deep");
}

int
main(void)
{
	test_reference_pairs();
	test_round_trips();
	test_outside_china();
	test_ewkb();
	return UNIT_DONE();
}
