/* Chinese map datums: WGS-84 (CGCS2000), GCJ-02 ("Mars") and BD-09 point conversions.
 * src/engine/coords.c — pure C, no PostgreSQL headers.
 *
 * GCJ-02 and BD-09 follow the public algorithm (the one in every open-source converter):
 * a closed-form offset on the Krasovsky ellipsoid for GCJ-02, applied only inside a
 * rectangle around China, and a small rotation/scaling of GCJ-02 for BD-09.  The
 * inverses have no closed form; they are solved by fixed-point iteration on the forward
 * transform until the round trip is within 1e-10 degrees (about 0.01 mm). */
#include "coords.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define GCJ_A		6378245.0			/* Krasovsky 1940 semi-major axis */
#define GCJ_EE		0.00669342162296594323	/* its first eccentricity squared */
#define BD_X_PI		(M_PI * 3000.0 / 180.0)
#define INVERSE_TOLERANCE 1e-10
#define INVERSE_MAX_STEPS 30

static double
offset_lat(double x, double y)
{
	double		r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double
offset_lon(double x, double y)
{
	double		r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	return r;
}

/* A forward transform, for the generic inverse below. */
typedef void (*forward_fn) (double lon, double lat, double *out_lon, double *out_lat);

/*
 * Solve forward(p) = target for p, starting from target itself: each step moves p by the
 * residual.  The offsets vary slowly (their derivatives are ~1e-5), so this contracts
 * fast; a handful of steps reach the tolerance.
 */
static void
invert(forward_fn forward, double lon, double lat, double *out_lon, double *out_lat)
{
	double		plon = lon,
				plat = lat;

	for (int i = 0; i < INVERSE_MAX_STEPS; i++)
	{
		double		flon,
					flat,
					dlon,
					dlat;

		forward(plon, plat, &flon, &flat);
		dlon = flon - lon;
		dlat = flat - lat;
		if (fabs(dlon) < INVERSE_TOLERANCE && fabs(dlat) < INVERSE_TOLERANCE)
			break;
		plon -= dlon;
		plat -= dlat;
	}
	*out_lon = plon;
	*out_lat = plat;
}

bool
shegu_crs_from_name(const char *name, shegu_crs *out)
{
	if (strcasecmp(name, "wgs84") == 0 || strcasecmp(name, "cgcs2000") == 0)
		*out = SHEGU_CRS_WGS84;
	else if (strcasecmp(name, "gcj02") == 0)
		*out = SHEGU_CRS_GCJ02;
	else if (strcasecmp(name, "bd09") == 0)
		*out = SHEGU_CRS_BD09;
	else
		return false;
	return true;
}

bool
shegu_coords_outside_china(double lon, double lat)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

void
shegu_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
	double		dlat,
				dlon,
				radlat,
				magic,
				sqrt_magic;

	if (shegu_coords_outside_china(lon, lat))
	{
		*out_lon = lon;
		*out_lat = lat;
		return;
	}
	dlat = offset_lat(lon - 105.0, lat - 35.0);
	dlon = offset_lon(lon - 105.0, lat - 35.0);
	radlat = lat / 180.0 * M_PI;
	magic = sin(radlat);
	magic = 1 - GCJ_EE * magic * magic;
	sqrt_magic = sqrt(magic);
	dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrt_magic) * M_PI);
	dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * cos(radlat) * M_PI);
	*out_lon = lon + dlon;
	*out_lat = lat + dlat;
}

void
shegu_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
	double		z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
	double		theta = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);

	*out_lon = z * cos(theta) + 0.0065;
	*out_lat = z * sin(theta) + 0.006;
}

void
shegu_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
	if (shegu_coords_outside_china(lon, lat))
	{
		*out_lon = lon;
		*out_lat = lat;
		return;
	}
	invert(shegu_wgs84_to_gcj02, lon, lat, out_lon, out_lat);
}

void
shegu_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
	invert(shegu_gcj02_to_bd09, lon, lat, out_lon, out_lat);
}

void
shegu_to_wgs84(shegu_crs crs, double lon, double lat, double *out_lon, double *out_lat)
{
	switch (crs)
	{
		case SHEGU_CRS_GCJ02:
			shegu_gcj02_to_wgs84(lon, lat, out_lon, out_lat);
			return;
		case SHEGU_CRS_BD09:
			shegu_bd09_to_gcj02(lon, lat, &lon, &lat);
			shegu_gcj02_to_wgs84(lon, lat, out_lon, out_lat);
			return;
		case SHEGU_CRS_WGS84:
			break;
	}
	*out_lon = lon;
	*out_lat = lat;
}
