/* What the lookup binding's files share: src/lookup.c (SQL entry points, private indexes,
 * points), src/lookup_shmem.c (the one shared index per server) and src/lookup_build.c (reading
 * the grids and building an index, which both use).  src/lookup_int.h */
#ifndef SHEGU_LOOKUP_INT_H
#define SHEGU_LOOKUP_INT_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/timestamp.h"

#include "engine/geo.h"
#include "engine/geo_mask.h"

/*
 * What a statement reads: a base index and, when grids were edited since the base was built, up
 * to LK_MAX_LAYERS delta layers stacked on it, oldest first.  Layer i is the mask of the boxes of
 * the boundaries edited in its span of commits (where they lie) and the delta index of every grid
 * version that meets that region, built after those commits.  A point is answered by the newest
 * layer whose mask holds it, else by the base.  nlayers is 0 when nothing was edited since the
 * base.
 */
#define LK_MAX_LAYERS	8
typedef struct lk_layers
{
	shegu_geo_index *base;
	int			nlayers;
	const void *mask[LK_MAX_LAYERS];
	shegu_geo_index *delta[LK_MAX_LAYERS];
} lk_layers;

/* The grid of (lon, lat) on day in the layers: the newest layer whose mask holds it, else the base. */
static inline int64_t
shegu_lookup_layers_locate(const lk_layers *l, double lon, double lat, int32_t day)
{
	int			i;

	for (i = l->nlayers - 1; i >= 0; i--)
		if (shegu_geo_mask_covers(l->mask[i], lon, lat))
			return shegu_geo_locate(l->delta[i], lon, lat, day);
	return shegu_geo_locate(l->base, lon, lat, day);
}

/* Start the first memory read of that lookup in the base (see shegu_geo_prefetch). */
static inline void
shegu_lookup_layers_prefetch(const lk_layers *l, double lon, double lat)
{
	shegu_geo_prefetch(l->base, lon, lat);
}

/* What lookup_stats reports of the shared index this backend reads. */
typedef struct lk_shared_info
{
	int64		memory;			/* bytes of the base image and of the delta */
	double		build_ms;		/* of the base */
	TimestampTz built_at;		/* when the version read was published */
	int64		delta_grids;	/* grid versions in the delta layers (0: none) */
	int64		delta_boxes;	/* boxes of edited boundaries their masks were made from */
	int			delta_layers;	/* delta layers stacked on the base */
	double		delta_ms;		/* build of the newest layer */
	int64		builds;			/* builds this backend made for the shared index */
} lk_shared_info;

/* lookup_build.c */
extern int	shegu_lookup_leaf_edges;
extern Oid	shegu_lookup_namespace(void);
extern void shegu_lookup_allocator(MemoryContext cxt, shegu_geo_allocator *alloc);
extern Oid	shegu_lookup_grid_relid(void);
extern DateADT shegu_lookup_today(void);
extern bool shegu_lookup_raster_stale(const shegu_geo_index *geo, DateADT day);

/*
 * Read the grid versions with a boundary (all of them, or those whose bounding box meets one
 * of nrects rectangles) and build an index in cxt; *rows receives the versions read.  With
 * abandon set, the build stops and returns NULL as soon as *abandon() says so.
 */
extern shegu_geo_index *shegu_lookup_build(MemoryContext cxt, bool parallel, int64 *rows,
										   const shegu_geo_box *rects, size_t nrects,
										   bool (*abandon) (void));

extern void shegu_lookup_warm(void);

/* lookup_shmem.c */
extern void shegu_lookup_shmem_init(void);
extern bool shegu_lookup_shmem_ready(void);
extern bool shegu_lookup_shared_layers(lk_layers *out);
extern void shegu_lookup_shared_info(lk_shared_info *info);
extern void shegu_lookup_note_change(void);
extern void shegu_lookup_note_box(const shegu_geo_box *box);
extern void shegu_lookup_note_full(void);
extern bool shegu_lookup_xact_changed(void);
extern bool shegu_lookup_wait_published(int timeout_ms);

#endif							/* SHEGU_LOOKUP_INT_H */
