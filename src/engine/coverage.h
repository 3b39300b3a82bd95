/* Patrol coverage: GPS tracks cleaned by stated rules, then the share of a polygon passed
 * within N metres, time inside, gaps and road share.  src/engine/coverage.h — pure C. */
#ifndef SHEGU_ENGINE_COVERAGE_H
#define SHEGU_ENGINE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

typedef enum shegu_cov_status
{
	SHEGU_COV_OK = 0,
	SHEGU_COV_TRUNCATED,		/* WKB ends inside the geometry */
	SHEGU_COV_BAD_BYTE_ORDER,	/* WKB byte-order mark other than 0 or 1 */
	SHEGU_COV_NOT_POLYGON,		/* WKB of another type than Polygon or MultiPolygon */
	SHEGU_COV_TRAILING,			/* bytes after the geometry */
	SHEGU_COV_BAD_VALUE,		/* a NaN or infinite coordinate, a bad parameter */
	SHEGU_COV_NO_MEMORY			/* the allocator returned NULL */
} shegu_cov_status;

/* Memory comes from the caller (palloc in the server, an arena in tests); never freed here. */
typedef void *(*shegu_cov_alloc_fn) (void *ctx, size_t size);

/* What a fix is judged to be by shegu_cov_clean. */
typedef enum shegu_cov_flag
{
	SHEGU_COV_KEPT = 0,
	SHEGU_COV_INACCURATE,		/* reported accuracy worse than max_accuracy_m */
	SHEGU_COV_DUPLICATE,		/* same second as the previous kept fix (the first one wins) */
	SHEGU_COV_JITTER,			/* closer than jitter_m to the previous kept fix */
	SHEGU_COV_TELEPORT,			/* a spike: reached too fast and left too fast */
	SHEGU_COV_BAD_FIX			/* NaN/infinite coordinate or latitude beyond +-90 */
} shegu_cov_flag;

/* A GPS fix: WGS-84 degrees, seconds since any epoch, accuracy in metres (< 0: unknown). */
typedef struct shegu_cov_fix
{
	double		lon;
	double		lat;
	int64_t		t;
	double		accuracy;
} shegu_cov_fix;

/* The stated rules (docs/duty.md); every value > 0, except jitter_m >= 0. */
typedef struct shegu_cov_rules
{
	double		max_accuracy_m; /* drop fixes reporting a worse accuracy */
	double		jitter_m;		/* drop fixes this close to the previous kept one */
	double		max_speed_mps;	/* faster than this is not walking/riding a patrol */
	double		max_gap_s;		/* a longer silence breaks the track (a gap) */
} shegu_cov_rules;

/*
 * A piece of track between two kept fixes.  drawn = 1: walked, it covers ground and counts
 * time; drawn = 0: a break (silence longer than max_gap_s or faster than max_speed_mps), a gap.
 * A lone kept fix with no drawn piece on either side becomes a drawn point (t0 == t1).
 */
typedef struct shegu_cov_seg
{
	double		lon0,
				lat0,
				lon1,
				lat1;
	int64_t		t0,
				t1;
	int			drawn;
} shegu_cov_seg;

/* A polygon set read by shegu_cov_polygon_from_wkb: rings under the even-odd rule. */
typedef struct shegu_cov_polygon
{
	int			nrings;
	int		   *ring_start;		/* nrings + 1 offsets into the points */
	double	   *xy;				/* lon, lat pairs */
} shegu_cov_polygon;

typedef struct shegu_cov_params
{
	double		radius_m;		/* "passed within N metres" */
	double		row_m;			/* scanline spacing; 0: radius_m / 10 (at most 20000 rows) */
} shegu_cov_params;

typedef struct shegu_cov_result
{
	double		area_m2;		/* area of the polygon (local projection) */
	double		covered_m2;		/* area within radius_m of a drawn piece */
	double		share;			/* covered / area, 0..1 (0 for an empty polygon) */
	double		seconds_inside; /* time of drawn pieces spent inside the polygon */
	int			gaps;			/* breaks with an end inside the polygon */
	double		max_gap_s;		/* the longest of them */
	double		road_m;			/* road length inside the polygon */
	double		road_covered_m; /* of it, within radius_m of a drawn piece */
	double		road_share;		/* road_covered_m / road_m; -1 when no road inside */
} shegu_cov_result;

/* Checks rules; SHEGU_COV_BAD_VALUE when one is NaN, infinite or out of range. */
extern shegu_cov_status shegu_cov_rules_check(const shegu_cov_rules *r);

/*
 * Judges n fixes of one worker, sorted by t (ties in arrival order), into flags[n]; returns
 * the number kept.
 */
extern int	shegu_cov_clean(const shegu_cov_fix *fixes, int n, const shegu_cov_rules *r,
							uint8_t *flags);

/*
 * The pieces of a cleaned track into out (room for 2 * n), returns how many.  A piece
 * between two kept fixes is drawn unless it is a break; a lone kept fix is a drawn point.
 */
extern int	shegu_cov_segments(const shegu_cov_fix *fixes, int n, const uint8_t *flags,
							   const shegu_cov_rules *r, shegu_cov_seg *out);

/* Reads a WKB or EWKB Polygon or MultiPolygon (Z/M ignored) into out. */
extern shegu_cov_status shegu_cov_polygon_from_wkb(const uint8_t *buf, size_t len,
												   shegu_cov_alloc_fn alloc, void *ctx,
												   shegu_cov_polygon *out);

/* Even-odd point-in-polygon test in degrees (edges count as inside within rounding). */
extern int	shegu_cov_point_in(const shegu_cov_polygon *poly, double lon, double lat);

/*
 * Scores pieces against a polygon.  roads: nroads polylines, road_start[nroads + 1] offsets
 * (in points) into road_xy (lon, lat pairs); nroads = 0 for none.
 */
extern shegu_cov_status shegu_cov_score(const shegu_cov_polygon *poly,
										const shegu_cov_seg *segs, int nseg,
										const double *road_xy, const int *road_start, int nroads,
										const shegu_cov_params *p,
										shegu_cov_alloc_fn alloc, void *ctx,
										shegu_cov_result *out);

/* Distance in metres between two WGS-84 points (haversine on a 6371008.8 m sphere). */
extern double shegu_cov_distance_m(double lon0, double lat0, double lon1, double lat1);

extern const char *shegu_cov_status_text(shegu_cov_status s);
extern const char *shegu_cov_flag_name(int flag);

#endif							/* SHEGU_ENGINE_COVERAGE_H */
