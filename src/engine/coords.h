/* Chinese map datums: WGS-84 (CGCS2000), GCJ-02 ("Mars") and BD-09 point conversions.
 * src/engine/coords.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_COORDS_H
#define SHEGU_ENGINE_COORDS_H

#include <stdbool.h>

typedef enum shegu_crs
{
	SHEGU_CRS_WGS84 = 0,		/* also CGCS2000: they differ by centimetres */
	SHEGU_CRS_GCJ02,
	SHEGU_CRS_BD09
} shegu_crs;

/* Reads "wgs84", "cgcs2000", "gcj02", "bd09" (case-insensitive); false if unknown. */
extern bool shegu_crs_from_name(const char *name, shegu_crs *out);

/* The public algorithm's "outside China" box: such points are not shifted by GCJ-02. */
extern bool shegu_coords_outside_china(double lon, double lat);

/* Forward transforms, as the public algorithm defines them. */
extern void shegu_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);
extern void shegu_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat);

/* Inverses, iterated to better than 1e-9 degrees against the forward transform. */
extern void shegu_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat);
extern void shegu_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);

/* Any datum to WGS-84 (identity for WGS-84). */
extern void shegu_to_wgs84(shegu_crs crs, double lon, double lat, double *out_lon, double *out_lat);

#endif							/* SHEGU_ENGINE_COORDS_H */
