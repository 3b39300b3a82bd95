/* The dirty region of a layered lookup index: where a small delta index of the grids an edit
 * touched answers instead of the base.  src/engine/geo_mask.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_GEO_MASK_H
#define SHEGU_ENGINE_GEO_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A closed box [x0, x1] x [y0, y1]. */
typedef struct shegu_geo_box
{
	double		x0,
				y0,
				x1,
				y1;
} shegu_geo_box;

/* The mask is a SIDE x SIDE bitmap of cells over the union of the boxes it was built from. */
#define SHEGU_GEO_MASK_SIDE 128

/*
 * A mask is a flat block of shegu_geo_mask_size() bytes (8-byte aligned, no pointers: it can
 * live in shared memory).  A point is in the mask when it lies in a cell that one of the boxes
 * touches (so every point of every box is in it, boundaries included) and, when the mask was
 * built from at most 64 boxes, in one of them.
 */
extern size_t shegu_geo_mask_size(void);

/* Write the mask of n boxes (n may be 0: an empty mask) into buf. */
extern void shegu_geo_mask_build(void *buf, const shegu_geo_box *boxes, size_t n);

/* Is (x, y) in the mask? */
extern bool shegu_geo_mask_covers(const void *mask, double x, double y);

/* Is the mask empty? */
extern bool shegu_geo_mask_empty(const void *mask);

/*
 * Rectangles whose union holds the mask's points (the boxes themselves when there are at most
 * 64, else the marked cells, slightly enlarged; a grid whose box meets one of them may matter
 * in the mask): at most max are written to out; returns how many
 * there are (the caller passes a larger out when that is more than max).  At most
 * SHEGU_GEO_MASK_SIDE * SHEGU_GEO_MASK_SIDE / 2 + 1.
 */
extern size_t shegu_geo_mask_rects(const void *mask, shegu_geo_box *out, size_t max);

/*
 * Does the (E)WKB Polygon or MultiPolygon cover the closed box entirely?  Exact and
 * conservative: true only when no edge of the boundary meets the box and the box's centre is
 * inside (even-odd rule over every ring, decided with the exact orientation predicate); false
 * for any other geometry type and for EWKB that does not read.
 */
extern bool shegu_geo_covers_box(const uint8_t *ewkb, size_t len, const shegu_geo_box *box);

/*
 * How a boundary can stand in a delta that answers only in rects[0..n): the number of rectangles
 * its bounding box meets (their indices in met[], which has room for max) when it covers each of
 * them entirely (shegu_geo_covers_box), so that those rectangles, as boxes of the same grid,
 * answer every point of the rectangles as the boundary does (and none: it matters nowhere);
 * -1 when it does not cover one of them, meets more than max, or does not read.
 */
extern int	shegu_geo_covered_rects(const uint8_t *ewkb, size_t len, const shegu_geo_box *rects,
									size_t n, int *met, int max);

/*
 * Write the EWKB (little-endian, SRID srid) of the box as a Polygon into out, which has room for
 * SHEGU_GEO_BOX_EWKB_LEN bytes; returns the length.
 */
#define SHEGU_GEO_BOX_EWKB_LEN (1 + 4 + 4 + 4 + 4 + 5 * 16)
extern size_t shegu_geo_box_ewkb(const shegu_geo_box *box, int32_t srid, uint8_t *out);

#endif							/* SHEGU_ENGINE_GEO_MASK_H */
