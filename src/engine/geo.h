/* Polygon-set index for point-in-grid lookup: EWKB reading, an exact orientation predicate,
 * and an adaptive quadtree of inside / boundary cells.  src/engine/geo.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_GEO_H
#define SHEGU_ENGINE_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Memory comes from the caller: alloc/realloc/free with an opaque context.  alloc and realloc
 * may return NULL (the engine then reports SHEGU_GEO_NO_MEMORY) or never return (palloc); realloc
 * is never asked to grow NULL.
 */
typedef struct shegu_geo_allocator
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *ptr, size_t size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
} shegu_geo_allocator;

/* Days since any fixed epoch; SHEGU_GEO_DAY_MIN/MAX stand for -infinity/+infinity. */
#define SHEGU_GEO_DAY_MIN	INT32_MIN
#define SHEGU_GEO_DAY_MAX	INT32_MAX

typedef enum shegu_geo_status
{
	SHEGU_GEO_OK = 0,
	SHEGU_GEO_TRUNCATED,		/* the EWKB ends before the geometry does */
	SHEGU_GEO_TRAILING,			/* bytes after the geometry */
	SHEGU_GEO_BAD_BYTE_ORDER,	/* byte-order byte is neither 0 nor 1 */
	SHEGU_GEO_NOT_POLYGONAL,	/* not a Polygon or MultiPolygon */
	SHEGU_GEO_EMPTY,			/* no ring at all */
	SHEGU_GEO_SHORT_RING,		/* a ring of fewer than 4 points */
	SHEGU_GEO_OPEN_RING,		/* a ring whose last point is not its first */
	SHEGU_GEO_NOT_FINITE,		/* a NaN or infinite coordinate */
	SHEGU_GEO_BAD_PERIOD,		/* valid_to not after valid_from */
	SHEGU_GEO_TOO_LARGE,		/* more rings or points than the index can address */
	SHEGU_GEO_NO_MEMORY,		/* the allocator returned NULL */
	SHEGU_GEO_CANCELLED			/* the build's interrupt callback asked to stop */
} shegu_geo_status;

/* What went wrong while reading a boundary, with enough to say where. */
typedef struct shegu_geo_error
{
	shegu_geo_status status;
	size_t		offset;			/* byte offset in the EWKB where it was noticed */
	uint32_t	type;			/* NOT_POLYGONAL: the WKB type number read */
	int			ring;			/* SHORT_RING/OPEN_RING/NOT_FINITE: 1-based ring (over all parts) */
	uint32_t	npoints;		/* SHORT_RING: points in the ring */
} shegu_geo_error;

typedef struct shegu_geo_builder shegu_geo_builder;
typedef struct shegu_geo_index shegu_geo_index;

/* Build-time knobs; zeros pick the defaults. */
typedef struct shegu_geo_options
{
	int			leaf_edges;		/* split a cell while more edges than this touch it (default 32) */
	int			max_depth;		/* never split deeper than this (default 24) */
	int			raster_bits;	/* raster of the tree's cells at this depth over the shapes'
								 * extent: 0 automatic (about 16 cells a grid, and one
								 * every 32 edges, at most 2^24 cells), < 0 none */
	/*
	 * Called every SHEGU_GEO_INTERRUPT_WORK units of work during the build (NULL: never).  It
	 * returns nonzero to cancel the build, which then frees what it allocated and returns NULL
	 * with SHEGU_GEO_CANCELLED; it may also not return (a longjmp, e.g. PostgreSQL's
	 * CHECK_FOR_INTERRUPTS), when the caller's allocator reclaims the memory.
	 */
	int			(*interrupt) (void *arg);
	void	   *interrupt_arg;
	/*
	 * The raster answers for the days around raster_day on which no grid version starts or ends
	 * (without raster_day_set: around the latest day a version starts); lookups on other days
	 * go through the tree.  Give today.
	 */
	int32_t		raster_day;
	bool		raster_day_set;
} shegu_geo_options;

/*
 * Units of work (edge tests, cells valued) between two calls of the interrupt callback: a few
 * milliseconds of a build on a loaded machine (2^18 was 100-120 ms there, which a commit waited
 * for when it abandoned a compaction).
 */
#define SHEGU_GEO_INTERRUPT_WORK	(1 << 14)

/*
 * The build does at most this many edge tests a vertex (plus a fixed part a raster cell) below
 * the raster's depth: past it, cells deeper than the raster stop splitting (see geo.c).
 */
#define SHEGU_GEO_WORK_PER_VERTEX	48

/* What an index holds and costs. */
typedef struct shegu_geo_stats
{
	int64_t		shapes;			/* grid versions with a boundary */
	int64_t		rings;
	int64_t		vertices;
	int64_t		nodes;			/* quadtree cells, internal and leaf */
	int64_t		leaves;
	int64_t		entries;		/* (cell, grid) pairs kept in leaves */
	int64_t		boundary_entries;	/* of which boundary (the rest are inside) */
	int64_t		edge_refs;		/* clipped edges held by boundary entries (those touching their leaf) */
	int64_t		chains;			/* runs of consecutive edges those make (what a leaf names of them) */
	int64_t		far_values;		/* y values of edges wholly right of their leaf (see geo.c) */
	int			depth;			/* deepest leaf */
	int			raster_bits;	/* the raster's cells are the tree's at this depth (0: no raster) */
	int64_t		raster_cells;
	int64_t		raster_direct;	/* raster cells that answer without the tree */
	int64_t		raster_escaped;	/* raster cells whose value their tile's palette does not hold */
	int64_t		raster_sub_cells;	/* quarters (at every level) of raster cells a boundary crosses */
	int64_t		raster_sub_direct;	/* of which answer without the tree */
	size_t		bytes;			/* memory the index holds, of which: */
	size_t		bytes_vertices;	/* the boundaries' vertices (and what addresses their rings) */
	size_t		bytes_leaves;	/* the leaves' blocks (entries, far y values, edge chains) */
	size_t		bytes_raster;	/* raster cells, their quarters and the codes they answer */
	size_t		bytes_nodes;	/* quadtree cells */
	size_t		bytes_shapes;	/* one record a grid version */
	int64_t		work;			/* edge tests the build made (tree and raster) */
	int			split_depth;	/* below this depth a cell needs more edges to be split (doubling a level) */
	bool		budget_spent;	/* the build ran out of work budget and stopped splitting early */
	double		min_x, min_y, max_x, max_y; /* extent of the root cell */
	int32_t		raster_from,	/* the days [raster_from, raster_to) the raster answers for */
				raster_to;		/* (SHEGU_GEO_DAY_MIN/MAX: open) */
} shegu_geo_stats;

/* Exact sign of the orientation of (a, b, c): +1 counter-clockwise, -1 clockwise, 0 collinear. */
extern int	shegu_geo_orient2d(double ax, double ay, double bx, double by, double cx, double cy);

/* A one-line English description of a status. */
extern const char *shegu_geo_status_name(shegu_geo_status status);

/* Start a builder; NULL when out of memory. */
extern shegu_geo_builder *shegu_geo_builder_new(const shegu_geo_allocator *alloc);

/*
 * Add one grid version: its boundary as (E)WKB Polygon or MultiPolygon (Z/M allowed and ignored),
 * its code, its depth (deeper wins), and the days [valid_from, valid_to) it applies on.
 * *srid receives the EWKB SRID (0 when none) when srid is not NULL.  On failure nothing is added.
 */
extern shegu_geo_status shegu_geo_builder_add(shegu_geo_builder *b, const uint8_t *ewkb, size_t len,
											  int64_t code, int level, int32_t valid_from,
											  int32_t valid_to, int32_t *srid, shegu_geo_error *err);

/*
 * Build the index and consume the builder (also on failure); NULL when out of memory or cancelled,
 * *status (when not NULL) says which.  The work is O(V log V) in the vertices V (see geo.c).
 */
extern shegu_geo_index *shegu_geo_build(shegu_geo_builder *b, const shegu_geo_options *opt,
										shegu_geo_status *status);

/* Free a builder that will not be built. */
extern void shegu_geo_builder_free(shegu_geo_builder *b);

/*
 * The code of the deepest grid covering (x, y) on that day (boundary included), the smallest code
 * among equally deep ones; 0 when none.  Exact: edges and vertices are decided with exact arithmetic.
 */
extern int64_t shegu_geo_locate(const shegu_geo_index *idx, double x, double y, int32_t day);

/*
 * Ask the memory for the raster cell that shegu_geo_locate(idx, x, y, ...) reads first, without
 * waiting for it: a caller that knows the point before it has finished its own checks calls this
 * first, so that the first (and often the slowest) read of the lookup overlaps that work.  Reads
 * nothing and changes nothing; any x, y (NaN, out of range) is allowed.
 */
extern void shegu_geo_prefetch(const shegu_geo_index *idx, double x, double y);

/* The same answer by testing every grid, without the quadtree (for tests). */
extern int64_t shegu_geo_locate_brute(const shegu_geo_index *idx, double x, double y, int32_t day);

extern void shegu_geo_stats_get(const shegu_geo_index *idx, shegu_geo_stats *out);

/* The days [*from, *to) the index's raster answers for (see shegu_geo_options.raster_day). */
extern void shegu_geo_raster_days(const shegu_geo_index *idx, int32_t *from, int32_t *to);

/* Number of vertices held, and vertex i (for tests that probe exact vertices). */
extern int64_t shegu_geo_vertex_count(const shegu_geo_index *idx);
extern void shegu_geo_vertex(const shegu_geo_index *idx, int64_t i, double *x, double *y);

/*
 * Free an index (a view: only its header; the flat image stays the caller's).
 */
extern void shegu_geo_free(shegu_geo_index *idx);

/*
 * A flat image of an index: one block without pointers (arrays at offsets from its start, 8-byte
 * aligned), which can be placed in shared memory mapped at different addresses in different
 * processes.  shegu_geo_flat_size is the image's size; shegu_geo_flatten writes it into buf
 * (that many bytes, 8-byte aligned).
 */
extern size_t shegu_geo_flat_size(const shegu_geo_index *idx);
extern void shegu_geo_flatten(const shegu_geo_index *idx, void *buf);

/*
 * An index that reads a flat image in place (read-only, never copied): its header comes from
 * alloc, the image must outlive it.  NULL when alloc fails or the image is not one (wrong size
 * or version).
 */
extern shegu_geo_index *shegu_geo_view(const void *buf, size_t len, const shegu_geo_allocator *alloc);

#endif							/* SHEGU_ENGINE_GEO_H */
