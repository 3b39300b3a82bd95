/* Walking the coordinates of an (E)WKB geometry in place, for every geometry type.
 * src/engine/ewkb.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_EWKB_H
#define SHEGU_ENGINE_EWKB_H

#include <stddef.h>
#include <stdint.h>

typedef enum shegu_ewkb_status
{
	SHEGU_EWKB_OK = 0,
	SHEGU_EWKB_TRUNCATED,		/* the buffer ends inside the geometry */
	SHEGU_EWKB_BAD_BYTE_ORDER,	/* a byte-order mark other than 0 or 1 */
	SHEGU_EWKB_BAD_TYPE,		/* an unknown geometry type number */
	SHEGU_EWKB_TOO_DEEP,		/* collections nested deeper than 32 */
	SHEGU_EWKB_TRAILING,		/* bytes left after the geometry */
	SHEGU_EWKB_CALLBACK			/* the callback refused a coordinate */
} shegu_ewkb_status;

/*
 * Called for every coordinate; may rewrite x and y.  Returns 0 to go on, non-zero to stop
 * the walk (the walk then returns SHEGU_EWKB_CALLBACK).
 */
typedef int (*shegu_ewkb_xy_fn) (double *x, double *y, void *arg);

/*
 * Visit every (x, y) of the geometry in buf (len bytes), in either byte order, with or
 * without Z, M and an SRID, writing back what the callback changes.  *srid receives the
 * top-level SRID (0 when there is none).
 */
extern shegu_ewkb_status shegu_ewkb_map_xy(uint8_t *buf, size_t len, shegu_ewkb_xy_fn fn,
										   void *arg, int32_t *srid);

/* Called before each sequence of points (a ring, a line string, a point); non-zero stops. */
typedef int (*shegu_ewkb_part_fn) (void *arg);

/*
 * The same walk over a buffer that is only read (the callback's changes are not written back),
 * with part (may be NULL) called before each sequence of points; *type (when not NULL)
 * receives the top-level type number (1 point ... 6 multipolygon ..., without Z/M/SRID flags).
 */
extern shegu_ewkb_status shegu_ewkb_walk(const uint8_t *buf, size_t len, shegu_ewkb_xy_fn fn,
										 shegu_ewkb_part_fn part, void *arg, int32_t *srid,
										 uint32_t *type);

/*
 * What a reader of polygons is told, in order: each ring's point count (after the count has been
 * checked against the bytes left), each of its points (Z and M dropped), and the ring's end.
 * Each callback returns 0 to go on, non-zero to stop the read (which then returns
 * SHEGU_EWKB_CALLBACK).  Callbacks may be NULL.
 */
typedef struct shegu_ewkb_rings
{
	int			(*ring) (void *arg, uint32_t npoints);
	int			(*point) (void *arg, double x, double y);
	int			(*ring_end) (void *arg);
	void	   *arg;
} shegu_ewkb_rings;

/*
 * Read a Polygon or a MultiPolygon of Polygons, (E)WKB or ISO WKB, either byte order, with or
 * without Z, M and SRID.  Returns SHEGU_EWKB_OK, _TRUNCATED, _BAD_BYTE_ORDER, _BAD_TYPE (not
 * polygonal: *type receives the type number found), _TRAILING or _CALLBACK.  *srid (may be NULL)
 * receives the top-level SRID (0 when none); *offset (may be NULL) the byte offset reached when
 * it returned (after the item a callback was told of, or where a fault was found).
 */
extern shegu_ewkb_status shegu_ewkb_read_polygonal(const uint8_t *buf, size_t len,
												   const shegu_ewkb_rings *cb, int32_t *srid,
												   uint32_t *type, size_t *offset);

extern const char *shegu_ewkb_status_text(shegu_ewkb_status status);

#endif							/* SHEGU_ENGINE_EWKB_H */
