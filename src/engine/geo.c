/* Polygon-set index for point-in-grid lookup: EWKB reading, exact orient2d, adaptive quadtree.
 * src/engine/geo.c — pure C, no PostgreSQL headers. */
#include "geo.h"

#include "ewkb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * How it works.
 *
 * Every grid version is a "shape": a code, a depth, a validity period and a set of edges (the
 * edges of all rings of all parts; for a valid (Multi)Polygon the even-odd crossing rule over
 * all of them is the point-in-polygon test).  A point p is covered by a shape when it lies on
 * one of its edges or a ray from p towards +x crosses an odd number of its edges, an edge
 * crossing the line y = p.y when exactly one endpoint lies strictly above it.  The side of p
 * against an edge, and whether p lies on it, are decided by an exact orientation predicate, so
 * the answer is exact for every double input.
 *
 * The quadtree splits the extent of all shapes.  For each cell a shape is either
 *   - inside: none of its edges touches the closed cell and the cell lies inside it, or
 *   - outside: likewise, but outside (the shape is then forgotten below this cell), or
 *   - boundary: some edge touches the cell; the cell keeps the shape's edges that meet the
 *     half-infinite band [cell.min_x, +inf) x [cell.min_y, cell.max_y], which is every edge
 *     a ray from a point of the cell can cross, so the crossing test stays exact.
 * A cell is split while more than leaf_edges edges touch it.  A leaf lists its inside and
 * boundary shapes in answer order (deeper first, then smaller code), dropping those that an
 * earlier inside shape valid on at least the same days makes unreachable; the first valid
 * entry that covers the point is the answer.
 *
 * The root is a square whose side is a power of two and whose corner is a multiple of it, so
 * every split point is exact.  Over the shapes' extent lies a raster whose cells are the tree's
 * cells at one depth (about 64 a shape and one for every 32 edges, at most 2^24), kept in tiles
 * of 8 x 8 cells a cache line (see geo_tile): a cell that
 * one shape covers entirely, with every shape before it in answer order missing it, holds that
 * shape (the answer on the days of the raster's window, see choose_window); a cell no shape
 * reaches holds "none"; a cell a boundary crosses is split into
 * quarters that get the same treatment (SUB_LEVELS levels of them), where that gives some
 * quarter an answer, else it holds the tree node to go on from.  Most points are answered from
 * the raster with two memory reads (the tile, the answer's code).
 *
 * A leaf keeps, for each boundary shape, only the edges that touch its box, as runs of a ring's
 * consecutive edges (chains) named by their first vertex in v[] and their length: the vertices
 * are held once, shared by every leaf the edges touch (copies in each leaf cost 16 bytes a
 * vertex per leaf and made the index 85 bytes a vertex); a lookup asks for the chains of the
 * first entries it may test at once.  The band edges wholly right of the box only decide a
 * parity by the point's y, kept as a few sorted y values (see geo_entry).
 */

typedef struct geo_pt
{
	double		x,
				y;
} geo_pt;

typedef struct geo_shape
{
	int64_t		code;
	int32_t		level;
	int32_t		from;
	int32_t		to;
	uint32_t	edge_first;		/* into edges[] (only while building) */
	uint32_t	edge_count;
	uint32_t	ring_first;		/* its rings: ring_start[ring_first .. ring_first + ring_count) */
	uint32_t	ring_count;
	double		min_x,
				min_y,
				max_x,
				max_y;
} geo_shape;

/*
 * A leaf's entry while building (the built index packs it as geo_packed): an inside shape
 * (n_pts == 0 and n_far == 0) or a boundary shape with its band edges.  Of those, the edges that
 * touch the leaf's closed box are kept, as copies of their vertices in chains (for valuing the
 * raster; the built leaf names the same chains in v[], see geo_chain) (a ring's consecutive edges share their vertices; chains are separated by a
 * point whose x is NaN), next to each other in pts[] for the leaf's entries; the others lie
 * wholly right of the box (left x > the box's right x), so a ray from any point of the box crosses
 * one exactly when the point's y is in [low y, high y) of the edge: they are kept only as the
 * sorted y values (far[]) at which that parity changes, the endpoints' y with equal pairs
 * cancelled (a chain of such edges leaves its two ends).
 */
typedef struct geo_entry
{
	int64_t		code;
	int32_t		from;
	int32_t		to;
	uint32_t	pt_off;			/* into pts[] */
	uint32_t	n_pts;			/* chain points, separators included */
	uint32_t	shape;			/* into shapes[] */
	uint32_t	far_off;		/* into far[] */
	uint32_t	n_far;
	uint32_t	chain_off;		/* into chains[]: the same edges as runs of v[] */
	uint32_t	n_chains;
	uint32_t	far_odd;		/* 1: an odd number of far values lie at or below the box */
} geo_entry;

/*
 * A run of a ring's consecutive edges in v[]: from v[first] through v[first + n]; a built leaf
 * names its near edges this way instead of copying their vertices.
 */
typedef struct geo_chain
{
	uint32_t	first;
	uint32_t	n;
} geo_chain;

/*
 * A leaf's entry once built (see pack_leaves): 8 bytes.  Both counts 0: an inside entry.  A count
 * of LEAF_BIG means both counts are in the first word of the entry's data instead (far values
 * low, chains high).  The shape's period is not repeated: LEAF_WINDOW says whether it is valid
 * on the raster's days (on all of them or none, see choose_window), which is all a lookup on one
 * of those days needs; a lookup on another day reads the period from shapes[].
 */
typedef struct geo_packed
{
	uint32_t	shape;			/* into shapes[] and codes[], | LEAF_WINDOW, | LEAF_FAR_ODD */
	uint16_t	n_far;
	uint16_t	n_chains;
} geo_packed;

#define LEAF_BIG	0xffffu
#define LEAF_WINDOW	0x80000000u
#define LEAF_FAR_ODD	0x40000000u	/* geo_entry.far_odd */
#define LEAF_SHAPE		0x3fffffffu

/*
 * Raster values: a tree node to go on from (its index), or a direct answer on every day of the
 * raster's window (see choose_window): a grid (RASTER_DIRECT | shape: its code is codes[shape]),
 * none (no grid covers any point of the cell on those days), or a block of the cell's four
 * quarters in sub[4 * block].  (64-bit values holding codes measured slower: the cache holds
 * half as many.)
 */
#define RASTER_NONE		0xffffffffu
#define RASTER_KIND		0xc0000000u
#define RASTER_NODE		0x00000000u	/* | node index */
#define RASTER_LEAF		0x40000000u	/* | a leaf's block in leafmem[] (once packed) */
#define RASTER_DIRECT	0x80000000u	/* | shape index */
#define RASTER_SUB		0xc0000000u	/* | block */
#define RASTER_INDEX	0x3fffffffu

/*
 * A cell is split while more than leaf_edges edges touch it, counting an edge of a grid version
 * that is not valid on the raster's days (a past or future version) as 1/OTHER_DAYS_WEIGHT of
 * one: past versions of every boundary, drawn a few metres apart, would otherwise drive the tree
 * (and its build) as deep as several registries; lookups on other days scan a little more.
 */
#define OTHER_DAYS_WEIGHT	8

/* Words after the last leaf block (see leaf_locate), and how much of a block is fetched ahead. */
#define LEAF_PAD			32
#define LEAF_PREFETCH_WORDS	128

/*
 * The raster's cells at most (a byte each in their tiles, plus 4 bytes for each cell its tile's
 * palette does not hold; 4 bytes each while the raster is built).  A province of 300,000 grids
 * (306,971 versions, 16.9 M vertices) wants about 20 million: at 2^22 (of 4-byte cells) it got
 * 2.4 million of which 30 % answer at once (461 ns a random point on the engine alone), at 2^24
 * 9.4 million and 60 % (354 ns; 506-600 ns one after the other in 2026-12), kept at 2^24 in
 * tiles: 29.8 bytes a vertex in all (33.8 with 4-byte cells), 480-584 ns.  Tiles at 2^26 gave
 * 37.6 million cells, 78 % answering at once, 460-505 ns on the engine alone, but the same time
 * in the server (341-425 against 340-440 ms for 500,000 points: the province's index is read
 * from memory beyond the raster) for 34.7 bytes a vertex, so the cap stays.
 */
#ifndef RASTER_MAX_CELLS
#define RASTER_MAX_CELLS	(1 << 24)
#endif

/*
 * Levels of quarters below a raster cell that a boundary crosses.  With tiles a raster cell
 * costs a byte, not 4, so the raster has 4 times the cells it had with 16 a shape and two
 * levels of quarters: on the 20,000-grid county 2.35 M cells, 78 % answering at once, 34.3
 * bytes a vertex in all, 194 against 224 ns a random point one after the other on the engine
 * alone (the same county, tiles with the former plan: 32.7 bytes; 4-byte cells with the former
 * plan, main before the tiles: 33.5 bytes, 246 ns; medians of 5-7 runs).
 */
#ifndef SUB_LEVELS
#define SUB_LEVELS		1
#endif

/* Raster cells the raster is planned with for each shape (grid version), at least (see SUB_LEVELS). */
#ifndef RASTER_CELLS_A_SHAPE
#define RASTER_CELLS_A_SHAPE	64
#endif

/*
 * A block of four quarters is kept when at least this many of them answer or lead on to
 * quarters (first level), and at least this many answer (second level): a block costs 16 bytes,
 * and one that sends most of its points on to the tree anyway is not worth them (with 1 and 1,
 * the quarters held 13.9 bytes a vertex of the 50,000-grid city; with these, 6.4).  With one
 * level (SUB_LEVELS, since the tiles) only the first rule applies.
 */
#define SUB_KEEP_FIRST	2
#define SUB_KEEP_SECOND	3

/*
 * The built raster is kept in tiles of 8 x 8 cells, one cache line each (see tile_raster): each
 * cell a 4-bit code, the tile's most frequent values (up to TILE_PALETTE), and where the values
 * of its other cells begin in rest[].  A cell's code below TILE_PALETTE names its value in the
 * palette; TILE_ESCAPE sends it to rest[], at the tile's start plus the number of escaped cells
 * before it in the tile.  At a byte a cell instead of four, the raster of the 20,000-grid county
 * (2.35 M cells) takes 2.35 MiB in tiles and 1.2 MiB in rest[] (310,581 cells, 13 %) instead of
 * 9.4 MiB, so that the cache holds much more of it: three random points in four read nothing
 * else but the answer's code.
 *
 * An escaped cell whose value is a block of quarters (a boundary crosses it) has code
 * TILE_QUARTERS instead, and its block's four values stand in rest[] in its place (4 places
 * where an escaped cell takes 1): its quarter is then read where its value would have been, with
 * no second read in sub[] after it.  On the county these are 96 % of the escaped cells, and one
 * random point in eight goes through them.
 */
#define TILE_SHIFT		3
#define TILE_SIDE		(1u << TILE_SHIFT)
#define TILE_PALETTE	7
#define TILE_QUARTERS	14u
#define TILE_ESCAPE		15u

typedef struct geo_tile
{
	uint64_t	codes[4];		/* cell k = (j % 8) * 8 + i % 8: bits 4 (k % 16) of codes[k / 16] */
	uint32_t	pal[TILE_PALETTE];
	uint32_t	rest;			/* the tile's first value in rest[] */
} geo_tile;

_Static_assert(sizeof(geo_tile) == 64, "a tile is one cache line");

/* A raster value that answers (a grid, or none) rather than leading on. */
#define raster_is_sub(v)	(((v) & RASTER_KIND) == RASTER_SUB && (v) != RASTER_NONE)
#define raster_is_answer(v)	(((v) & RASTER_DIRECT) != 0 && !raster_is_sub(v))

typedef struct geo_node
{
	uint32_t	child;			/* first of 4 children (quadrant = (x > mid) | (y > mid) << 1); 0: leaf */
	uint32_t	entry_off;
	uint32_t	n_entries;
} geo_node;

struct shegu_geo_builder
{
	shegu_geo_allocator a;
	geo_pt	   *v;				/* vertices of every ring, each ring closed */
	size_t		nv,
				capv;
	uint32_t   *edges;			/* edge k runs from v[edges[k]] to v[edges[k] + 1] */
	size_t		ne,
				cape;
	geo_shape  *shapes;
	size_t		ns,
				caps;
	int64_t		rings;
	uint32_t   *ring_start;		/* ring k: v[ring_start[k] .. ring_start[k + 1]) (rings + 1 values) */
	size_t		capring;
};

struct shegu_geo_index
{
	shegu_geo_allocator a;
	geo_pt	   *v;
	size_t		nv;
	uint32_t   *edges;
	size_t		ne;
	geo_shape  *shapes;			/* sorted in answer order */
	size_t		ns;
	int64_t		rings;
	uint32_t   *ring_start;		/* as the builder's */
	geo_node   *nodes;
	size_t		nn,
				capn;
	geo_entry  *entries;
	size_t		nent,
				capent;
	geo_pt	   *pts;			/* chains of the leaves' near edges (geo_entry) */
	size_t		npt,
				cappt;
	geo_chain  *chains;			/* the same as runs of v[] (geo_chain), only while building */
	size_t		nchain,
				capchain;
	size_t		nref;			/* near edges held */
	double	   *far;			/* y values where the parity of far edges changes (geo_entry) */
	size_t		nfar,
				capfar;
	double		x0,
				y0,
				x1,
				y1;
	int			leaf_edges;
	int			max_depth;
	int			depth;
	/* raster of the quadtree's cells at depth raster_bits, over the shapes' extent */
	uint32_t   *raster;
	int			raster_bits;	/* 0: no raster */
	int32_t		raster_from,	/* the days [from, to) the raster answers for: no grid version */
				raster_to;		/* starts or ends inside them (to SHEGU_GEO_DAY_MAX: no end) */
	double		raster_cell;	/* side of a raster cell */
	double		raster_inv;		/* 1 / raster_cell */
	double		raster_x0,		/* corner of raster cell (0, 0), on the tree's cell lines */
				raster_y0;
	uint32_t	raster_nx,		/* cells a row, rows */
				raster_ny;
	int64_t		raster_direct;	/* raster cells answered without the tree */
	geo_tile   *tiles;			/* the built raster (raster[] only while building), 64-byte aligned */
	void	   *tiles_mem;		/* what was allocated for them (NULL in a view) */
	uint32_t	tiles_nx;		/* tiles a row */
	uint32_t   *rest;			/* values of the cells their tile's palette does not hold */
	size_t		nrest;
	size_t		nescaped;		/* cells whose values are in rest[] (4 places for TILE_QUARTERS) */
	uint32_t   *sub;			/* quarters of raster cells a boundary crosses (and theirs), 4 a block */
	size_t		nsub,
				capsub;
	size_t		nquarters;		/* quarter values built, those moved into rest[] included */
	int64_t		sub_direct;		/* quarters answered without the tree */
	int64_t    *codes;			/* code of each shape, for direct answers */
	/*
	 * The built index keeps each leaf in one block of 8-byte words (see pack_leaves): its entry
	 * count, its entries (geo_packed), then their far values and chains (geo_chain, runs of v[]),
	 * so that a lookup in a leaf reads one place in memory besides the chains' vertices.  A leaf
	 * node's entry_off is then its block's word offset; entries[], pts[], chains[] and far[]
	 * exist only while building.
	 */
	uint64_t   *leafmem;
	size_t		nleafmem;
	int64_t		leaves;
	int64_t		boundary_entries;
	bool		failed;			/* an allocation failed during build */
	/* bounds of the build (see "Bounded work" above) */
	int64_t		work;			/* edge tests so far */
	int64_t		deep_work;		/* of which in cells at raster_plan's depth or deeper */
	int64_t		budget;			/* past this deep_work, such cells stop splitting */
	int64_t		next_check;		/* work at which to call interrupt next */
	int			(*interrupt) (void *arg);
	void	   *interrupt_arg;
	bool		cancelled;
	bool		budget_spent;
	int			raster_plan;	/* the raster's depth, known before the tree is built (0: none) */
	int			split_depth;	/* deeper cells need twice the edges a level to be split */
	bool		view;			/* reads a flat image: only this header is ours */
};

/* ---- bounded work ---- */

/*
 * Count units of work; false when the interrupt callback cancels the build.  The callback is
 * called once per SHEGU_GEO_INTERRUPT_WORK units: after a large count (a candidate's thousands
 * of edges) the next ticks call it again until the calls have caught up with the work.
 */
static bool
tick(shegu_geo_index *ix, int64_t units)
{
	ix->work += units;
	if (ix->interrupt != NULL && ix->work >= ix->next_check)
	{
		ix->next_check += SHEGU_GEO_INTERRUPT_WORK;
		if (ix->interrupt(ix->interrupt_arg))
			ix->cancelled = true;
	}
	return !ix->cancelled;
}

/*
 * Ask the interrupt callback without counting work, in the parts of a build that do not test
 * edges (packing the leaves of a province takes a second): false when it cancels.
 */
static bool
poll_interrupt(shegu_geo_index *ix)
{
	if (ix->interrupt != NULL && !ix->cancelled && ix->interrupt(ix->interrupt_arg))
		ix->cancelled = true;
	return !ix->cancelled;
}

/* ---- memory ---- */

static bool
grow(const shegu_geo_allocator *a, void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t		ncap;
	void	   *p;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return false;
	p = *arr ? a->realloc(a->ctx, *arr, ncap * elem) : a->alloc(a->ctx, ncap * elem);
	if (p == NULL)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static void
release(const shegu_geo_allocator *a, void *p)
{
	if (p != NULL)
		a->free(a->ctx, p);
}

/* ---- exact orientation ---- */

/* Shewchuk's error bound for the first, plain floating-point stage. */
static const double ccw_err_bound = (3.0 + 16.0 * 0x1p-53) * 0x1p-53;

/* x + y = s + e exactly (Knuth's two-sum). */
static inline void
two_sum(double a, double b, double *s, double *e)
{
	double		x = a + b;
	double		bv = x - a;
	double		av = x - bv;

	*s = x;
	*e = (a - av) + (b - bv);
}

/* Add b to a nonoverlapping expansion e[0..n) (increasing magnitude), dropping zeros. */
static int
grow_expansion(double *e, int n, double b)
{
	double		q = b;
	int			m = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		double		s,
					h;

		two_sum(q, e[i], &s, &h);
		q = s;
		if (h != 0.0)
			e[m++] = h;
	}
	if (q != 0.0 || m == 0)
		e[m++] = q;
	return m;
}

/*
 * The exact sign of ax*by - ax*cy - cx*by - ay*bx + ay*cx + cy*bx: each product split exactly
 * into a rounded part and its error (fma), and all twelve terms summed as an expansion whose
 * largest component carries the sign.
 */
static int
orient2d_exact(double ax, double ay, double bx, double by, double cx, double cy)
{
	double		terms[12];
	double		e[16];
	int			n = 0;
	int			i;
	double		p;

	p = ax * by;
	terms[0] = p;
	terms[1] = fma(ax, by, -p);
	p = -(ax * cy);
	terms[2] = p;
	terms[3] = fma(-ax, cy, -p);
	p = -(cx * by);
	terms[4] = p;
	terms[5] = fma(-cx, by, -p);
	p = -(ay * bx);
	terms[6] = p;
	terms[7] = fma(-ay, bx, -p);
	p = ay * cx;
	terms[8] = p;
	terms[9] = fma(ay, cx, -p);
	p = cy * bx;
	terms[10] = p;
	terms[11] = fma(cy, bx, -p);

	for (i = 0; i < 12; i++)
		n = grow_expansion(e, n, terms[i]);
	for (i = n - 1; i >= 0; i--)
	{
		if (e[i] > 0.0)
			return 1;
		if (e[i] < 0.0)
			return -1;
	}
	return 0;
}

int
shegu_geo_orient2d(double ax, double ay, double bx, double by, double cx, double cy)
{
	double		detleft = (ax - cx) * (by - cy);
	double		detright = (ay - cy) * (bx - cx);
	double		det = detleft - detright;
	double		detsum;

	if (detleft > 0.0)
	{
		if (detright <= 0.0)
			return det > 0.0 ? 1 : (det < 0.0 ? -1 : 0);
		detsum = detleft + detright;
	}
	else if (detleft < 0.0)
	{
		if (detright >= 0.0)
			return det > 0.0 ? 1 : (det < 0.0 ? -1 : 0);
		detsum = -detleft - detright;
	}
	else
		return orient2d_exact(ax, ay, bx, by, cx, cy);

	if (det >= ccw_err_bound * detsum)
		return 1;
	if (-det >= ccw_err_bound * detsum)
		return -1;
	return orient2d_exact(ax, ay, bx, by, cx, cy);
}

/* ---- the point test ---- */

/* What edge (a, b) does to a ray from (px, py) towards +x: 0 nothing, 1 crosses it, 2 p on the edge. */
static inline int
edge_test(const geo_pt *a, const geo_pt *b, double px, double py)
{
	bool		a_above = a->y > py;
	bool		b_above = b->y > py;

	if (a_above != b_above)
	{
		const geo_pt *lo = a_above ? b : a;
		const geo_pt *hi = a_above ? a : b;
		int			o;

		if (a->x < px && b->x < px)
			return 0;			/* the edge lies left of p */
		if (a->x > px && b->x > px)
			return 1;			/* crosses right of p, p not on it */
		o = shegu_geo_orient2d(lo->x, lo->y, hi->x, hi->y, px, py);
		if (o == 0)
			return 2;			/* p on the edge */
		return o > 0;
	}
	else if (a->y == py || b->y == py)
	{
		/* no crossing, but p may lie on a horizontal edge or on a vertex */
		double		lx = a->x < b->x ? a->x : b->x;
		double		hx = a->x < b->x ? b->x : a->x;
		double		ly = a->y < b->y ? a->y : b->y;
		double		hy = a->y < b->y ? b->y : a->y;

		if (px >= lx && px <= hx && py >= ly && py <= hy
			&& shegu_geo_orient2d(a->x, a->y, b->x, b->y, px, py) == 0)
			return 2;
	}
	return 0;
}

/*
 * Is (px, py) on one of the edges or inside by the crossing rule, starting from parity inside?
 * refs are vertex indices: edge from v[r] to v[r + 1].
 */
static bool
covered_from(const geo_pt *v, const uint32_t *refs, uint32_t n, double px, double py, bool inside)
{
	uint32_t	k;

	for (k = 0; k < n; k++)
	{
		const geo_pt *a = &v[refs[k]];
		int			t = edge_test(a, a + 1, px, py);

		if (t == 2)
			return true;
		inside ^= (t == 1);
	}
	return inside;
}

/* The same over chains of points p[0..n) (see geo_entry). */
static bool
covered_chains(const geo_pt *p, uint32_t n, double px, double py, bool inside)
{
	uint32_t	k;

	for (k = 0; k + 1 < n; k++)
	{
		int			t;

		if (isnan(p[k + 1].x))
		{
			k++;				/* a separator: the next chain starts after it */
			continue;
		}
		t = edge_test(&p[k], &p[k + 1], px, py);
		if (t == 2)
			return true;
		inside ^= (t == 1);
	}
	return inside;
}

static inline bool
covered(const geo_pt *v, const uint32_t *refs, uint32_t n, double px, double py)
{
	return covered_from(v, refs, n, px, py, false);
}

/*
 * The same over a shape's n rings, ring k from v[start[k]] to v[start[k + 1] - 1] (its last
 * vertex repeats its first).
 */
static bool
covered_rings(const geo_pt *v, const uint32_t *start, uint32_t n, double px, double py)
{
	bool		inside = false;
	uint32_t	k,
				r;

	for (k = 0; k < n; k++)
		for (r = start[k]; r + 1 < start[k + 1]; r++)
		{
			int			t = edge_test(&v[r], &v[r + 1], px, py);

			if (t == 2)
				return true;
			inside ^= (t == 1);
		}
	return inside;
}

/* The parity of the far edges a ray from height py crosses: of the values in far[0..n) <= py. */
static inline bool
far_parity(const double *far, uint32_t n, double py)
{
	uint32_t	k,
				c = 0;

	for (k = 0; k < n; k++)
		c += far[k] <= py;
	return (c & 1) != 0;
}

static inline bool
valid_on(int32_t from, int32_t to, int32_t day)
{
	return from <= day && (day < to || to == SHEGU_GEO_DAY_MAX);
}

static inline bool
entry_is_boundary(const geo_entry *e)
{
	return e->n_pts != 0 || e->n_far != 0;
}

/*
 * Does boundary entry e of a leaf cover (px, py), a point of the leaf's closed box?  pts and far
 * are its chain points and far values.
 */
static inline bool
entry_covers_at(const geo_entry *e, const geo_pt *pts, const double *far, double px, double py)
{
	bool		inside = (e->far_odd != 0) ^ (e->n_far > 0 && far_parity(far, e->n_far, py));

	return e->n_pts > 0 ? covered_chains(pts, e->n_pts, px, py, inside) : inside;
}

/* The same while building (entries[], pts[], far[]). */
static inline bool
entry_covers(const shegu_geo_index *ix, const geo_entry *e, double px, double py)
{
	return entry_covers_at(e, e->n_pts > 0 ? ix->pts + e->pt_off : NULL,
						   e->n_far > 0 ? ix->far + e->far_off : NULL, px, py);
}

/*
 * a answers before b: deeper first, then the smaller code, then the later version (versions of
 * one code never overlap in time, so their order only decides which one a raster cell names:
 * the latest, which answers today's lookups without the tree).
 */
static inline bool
shape_before(const geo_shape *a, const geo_shape *b)
{
	if (a->level != b->level)
		return a->level > b->level;
	if (a->code != b->code)
		return a->code < b->code;
	return a->from > b->from;
}

/* d, an inside shape before s, hides s on every day s is valid. */
static inline bool
hides(const geo_shape *d, const geo_shape *s)
{
	return d->from <= s->from && (d->to == SHEGU_GEO_DAY_MAX || (s->to != SHEGU_GEO_DAY_MAX && d->to >= s->to));
}

/* ---- reading boundaries (through the one EWKB reader, src/engine/ewkb.c) ---- */

/* What the polygon reader's callbacks add to the builder, and what they found wrong. */
typedef struct add_state
{
	shegu_geo_builder *b;
	shegu_geo_error *err;
	shegu_geo_status st;		/* set by the callback that stopped the read */
	int			ring_no;		/* 1-based, over all parts */
	size_t		first;			/* the current ring's first vertex */
} add_state;

static int
add_ring(void *arg, uint32_t np)
{
	add_state  *a = (add_state *) arg;
	shegu_geo_builder *b = a->b;

	a->ring_no++;
	if (a->err)
		a->err->ring = a->ring_no;
	if (np < 4)
	{
		if (a->err)
			a->err->npoints = np;
		a->st = SHEGU_GEO_SHORT_RING;
		return 1;
	}
	if (b->nv + np >= UINT32_MAX - 1 || b->ne + np >= UINT32_MAX - 1)
	{
		a->st = SHEGU_GEO_TOO_LARGE;
		return 1;
	}
	if (!grow(&b->a, (void **) &b->v, &b->capv, b->nv + np, sizeof(geo_pt))
		|| !grow(&b->a, (void **) &b->edges, &b->cape, b->ne + np, sizeof(uint32_t)))
	{
		a->st = SHEGU_GEO_NO_MEMORY;
		return 1;
	}
	a->first = b->nv;
	return 0;
}

static int
add_point(void *arg, double x, double y)
{
	add_state  *a = (add_state *) arg;
	shegu_geo_builder *b = a->b;

	if (!isfinite(x) || !isfinite(y))
	{
		a->st = SHEGU_GEO_NOT_FINITE;
		return 1;
	}
	b->v[b->nv].x = x;
	b->v[b->nv].y = y;
	b->nv++;
	return 0;
}

static int
add_ring_end(void *arg)
{
	add_state  *a = (add_state *) arg;
	shegu_geo_builder *b = a->b;
	size_t		j,
				np = b->nv - a->first;

	if (b->v[a->first].x != b->v[b->nv - 1].x || b->v[a->first].y != b->v[b->nv - 1].y)
	{
		a->st = SHEGU_GEO_OPEN_RING;
		return 1;
	}
	if (!grow(&b->a, (void **) &b->ring_start, &b->capring, (size_t) b->rings + 2, sizeof(uint32_t)))
	{
		a->st = SHEGU_GEO_NO_MEMORY;
		return 1;
	}
	for (j = 0; j + 1 < np; j++)
		b->edges[b->ne++] = (uint32_t) (a->first + j);
	b->ring_start[b->rings] = (uint32_t) a->first;
	b->rings++;
	b->ring_start[b->rings] = (uint32_t) b->nv;	/* the end of the last ring, so far */
	return 0;
}

shegu_geo_builder *
shegu_geo_builder_new(const shegu_geo_allocator *alloc)
{
	shegu_geo_builder *b = alloc->alloc(alloc->ctx, sizeof(shegu_geo_builder));

	if (b == NULL)
		return NULL;
	memset(b, 0, sizeof *b);
	b->a = *alloc;
	return b;
}

void
shegu_geo_builder_free(shegu_geo_builder *b)
{
	shegu_geo_allocator a;

	if (b == NULL)
		return;
	a = b->a;
	release(&a, b->v);
	release(&a, b->edges);
	release(&a, b->ring_start);
	release(&a, b->shapes);
	release(&a, b);
}

shegu_geo_status
shegu_geo_builder_add(shegu_geo_builder *b, const uint8_t *ewkb, size_t len, int64_t code,
					  int level, int32_t valid_from, int32_t valid_to, int32_t *srid,
					  shegu_geo_error *err)
{
	size_t		nv0 = b->nv,
				ne0 = b->ne,
				offset = 0;
	int64_t		rings0 = b->rings;
	uint32_t	type = 0;
	int32_t		s = 0;
	add_state	as;
	shegu_ewkb_rings cb;
	shegu_ewkb_status es;
	shegu_geo_status st;
	geo_shape  *sh;
	size_t		k;

	if (err)
		memset(err, 0, sizeof *err);
	if (srid)
		*srid = 0;
	if (valid_to != SHEGU_GEO_DAY_MAX && valid_to <= valid_from)
	{
		if (err)
			err->status = SHEGU_GEO_BAD_PERIOD;
		return SHEGU_GEO_BAD_PERIOD;
	}
	memset(&as, 0, sizeof as);
	as.b = b;
	as.err = err;
	as.st = SHEGU_GEO_OK;
	cb.ring = add_ring;
	cb.point = add_point;
	cb.ring_end = add_ring_end;
	cb.arg = &as;
	es = shegu_ewkb_read_polygonal(ewkb, len, &cb, &s, &type, &offset);
	switch (es)
	{
		case SHEGU_EWKB_OK:
			st = SHEGU_GEO_OK;
			break;
		case SHEGU_EWKB_TRUNCATED:
			st = SHEGU_GEO_TRUNCATED;
			break;
		case SHEGU_EWKB_BAD_BYTE_ORDER:
			st = SHEGU_GEO_BAD_BYTE_ORDER;
			break;
		case SHEGU_EWKB_TRAILING:
			st = SHEGU_GEO_TRAILING;
			break;
		case SHEGU_EWKB_CALLBACK:
			st = as.st;
			break;
		default:
			if (err)
				err->type = type;
			st = SHEGU_GEO_NOT_POLYGONAL;
			break;
	}
	if (st == SHEGU_GEO_OK && b->ne == ne0)
		st = SHEGU_GEO_EMPTY;
	if (st == SHEGU_GEO_OK
		&& !grow(&b->a, (void **) &b->shapes, &b->caps, b->ns + 1, sizeof(geo_shape)))
		st = SHEGU_GEO_NO_MEMORY;
	if (st != SHEGU_GEO_OK)
	{
		if (err)
		{
			err->status = st;
			err->offset = offset;
		}
		b->nv = nv0;
		b->ne = ne0;
		b->rings = rings0;
		return st;
	}
	if (srid)
		*srid = s;
	sh = &b->shapes[b->ns++];
	sh->code = code;
	sh->level = level;
	sh->from = valid_from;
	sh->to = valid_to;
	sh->edge_first = (uint32_t) ne0;
	sh->edge_count = (uint32_t) (b->ne - ne0);
	sh->ring_first = (uint32_t) rings0;
	sh->ring_count = (uint32_t) (b->rings - rings0);
	sh->min_x = sh->max_x = b->v[nv0].x;
	sh->min_y = sh->max_y = b->v[nv0].y;
	for (k = nv0; k < b->nv; k++)
	{
		if (b->v[k].x < sh->min_x)
			sh->min_x = b->v[k].x;
		if (b->v[k].x > sh->max_x)
			sh->max_x = b->v[k].x;
		if (b->v[k].y < sh->min_y)
			sh->min_y = b->v[k].y;
		if (b->v[k].y > sh->max_y)
			sh->max_y = b->v[k].y;
	}
	if (err)
		err->ring = 0;
	return SHEGU_GEO_OK;
}

/* ---- building the quadtree ---- */

typedef struct cand
{
	uint32_t	shape;
	uint32_t	off;			/* into the ref stack */
	uint32_t	n;
	uint32_t	touching;
} cand;

typedef struct build_state
{
	shegu_geo_index *ix;
	cand	   *cands;			/* stack */
	size_t		ncand,
				capcand;
	uint32_t   *stack;			/* stack of edge refs (vertex indices) */
	size_t		nstack,
				capstack;
	uint32_t   *inside;			/* stack of inside shapes */
	size_t		ninside,
				capinside;
	uint32_t   *order;			/* scratch for a leaf's entries */
	size_t		caporder;
	double	   *ys;				/* scratch for an entry's far y values */
	size_t		capys;
} build_state;

typedef struct box
{
	double		x0,
				y0,
				x1,
				y1;
} box;

static inline void
edge_bbox(const geo_pt *v, uint32_t r, double *lx, double *ly, double *hx, double *hy)
{
	const geo_pt *a = &v[r],
			   *b = a + 1;

	*lx = a->x < b->x ? a->x : b->x;
	*hx = a->x < b->x ? b->x : a->x;
	*ly = a->y < b->y ? a->y : b->y;
	*hy = a->y < b->y ? b->y : a->y;
}

/*
 * Does edge (a, a + 1) meet the closed box b?  Exactly: its bounding box must meet b and its line
 * must not leave all four corners strictly on one side (a long diagonal edge's bounding box
 * covers many cells that the edge itself misses).
 */
static inline bool
edge_touches(const geo_pt *a, box b)
{
	const geo_pt *c = a + 1;
	double		lx = a->x < c->x ? a->x : c->x,
				hx = a->x < c->x ? c->x : a->x,
				ly = a->y < c->y ? a->y : c->y,
				hy = a->y < c->y ? c->y : a->y;
	int			s0,
				s;

	if (!(hx >= b.x0 && lx <= b.x1 && hy >= b.y0 && ly <= b.y1))
		return false;
	if (a->x == c->x || a->y == c->y || (lx >= b.x0 && hx <= b.x1) || (ly >= b.y0 && hy <= b.y1))
		return true;			/* axis-parallel, or spanning the box's width or height within it */
	s0 = shegu_geo_orient2d(a->x, a->y, c->x, c->y, b.x0, b.y0);
	if (s0 == 0)
		return true;
	s = shegu_geo_orient2d(a->x, a->y, c->x, c->y, b.x1, b.y0);
	if (s != s0)
		return true;
	s = shegu_geo_orient2d(a->x, a->y, c->x, c->y, b.x1, b.y1);
	if (s != s0)
		return true;
	s = shegu_geo_orient2d(a->x, a->y, c->x, c->y, b.x0, b.y1);
	return s != s0;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Sort y[0..n) ascending (the values are finite: boundaries are checked when read). */
static void
sort_doubles(double *y, size_t n)
{
	size_t		i,
				j;

	if (n > 24)
	{
		qsort(y, n, sizeof(double), compare_doubles);
		return;
	}
	/* most entries have a few: insertion sort, without qsort's calls */
	for (i = 1; i < n; i++)
	{
		double		v = y[i];

		for (j = i; j > 0 && y[j - 1] > v; j--)
			y[j] = y[j - 1];
		y[j] = v;
	}
}

/*
 * Append a boundary entry's band edges (a candidate's) to the index for a leaf whose box ends at
 * x = x1: the edges that reach x <= x1 as chains of points, the rest as far y values (see geo_entry).
 */
static bool
entry_edges(build_state *bs, geo_entry *e, const cand *c, box lb)
{
	double		x1 = lb.x1;
	shegu_geo_index *ix = bs->ix;
	size_t		nys = 0,
				i,
				m = 0;
	uint32_t	k,
				prev = 0;
	bool		open = false;

	/* at most two points and a separator an edge */
	if (ix->npt + 3 * (size_t) c->n >= UINT32_MAX
		|| !grow(&ix->a, (void **) &ix->pts, &ix->cappt, ix->npt + 3 * (size_t) c->n, sizeof(geo_pt))
		|| !grow(&ix->a, (void **) &bs->ys, &bs->capys, 2 * (size_t) c->n + 1, sizeof(double)))
		return false;
	if (ix->nchain + (size_t) c->n >= UINT32_MAX
		|| !grow(&ix->a, (void **) &ix->chains, &ix->capchain, ix->nchain + (size_t) c->n, sizeof(geo_chain)))
		return false;
	e->pt_off = (uint32_t) ix->npt;
	e->chain_off = (uint32_t) ix->nchain;
	for (k = 0; k < c->n; k++)
	{
		uint32_t	r = bs->stack[c->off + k];
		const geo_pt *a = &ix->v[r];
		const geo_pt *b = a + 1;

		if (a->x > x1 && b->x > x1)
		{
			bs->ys[nys++] = a->y;
			bs->ys[nys++] = b->y;
			continue;
		}
		if (!open || r != prev + 1)
		{
			if (open)
			{
				ix->pts[ix->npt].x = NAN;
				ix->pts[ix->npt].y = NAN;
				ix->npt++;
			}
			ix->pts[ix->npt++] = *a;
			ix->chains[ix->nchain].first = r;
			ix->chains[ix->nchain].n = 0;
			ix->nchain++;
		}
		ix->pts[ix->npt++] = *b;
		ix->chains[ix->nchain - 1].n++;
		ix->nref++;
		open = true;
		prev = r;
	}
	e->n_pts = (uint32_t) (ix->npt - e->pt_off);
	e->n_chains = (uint32_t) (ix->nchain - e->chain_off);
	/*
	 * Equal values cancel in pairs: the parity of the count <= py is all that matters.  A point
	 * of the leaf has y in [y0, y1]: a value at or below y0 always counts (kept as far_odd), one
	 * above y1 never (dropped); only those between need keeping (a chain of far edges across
	 * the box's height leaves its two ends, both outside).
	 */
	sort_doubles(bs->ys, nys);
	e->far_odd = 0;
	for (i = 0; i < nys; i++)
	{
		if (i + 1 < nys && bs->ys[i + 1] == bs->ys[i])
			i++;
		else if (bs->ys[i] <= lb.y0)
			e->far_odd ^= 1;
		else if (bs->ys[i] <= lb.y1)
			bs->ys[m++] = bs->ys[i];
	}
	if (ix->nfar + m >= UINT32_MAX
		|| !grow(&ix->a, (void **) &ix->far, &ix->capfar, ix->nfar + m, sizeof(double)))
		return false;
	e->far_off = (uint32_t) ix->nfar;
	e->n_far = (uint32_t) m;
	if (m > 0)
		memcpy(ix->far + ix->nfar, bs->ys, m * sizeof(double));
	ix->nfar += m;
	return true;
}

static bool
make_leaf(build_state *bs, uint32_t node, size_t cand_lo, size_t ins_lo, box lb)
{
	shegu_geo_index *ix = bs->ix;
	size_t		n = 0,
				i,
				j,
				total = (bs->ncand - cand_lo) + (bs->ninside - ins_lo);
	uint32_t   *ord;
	size_t		kept = 0;

	/* order[] holds (index << 1 | is_boundary) of every candidate entry */
	if (!grow(&ix->a, (void **) &bs->order, &bs->caporder, total + 1, sizeof(uint32_t)))
		return false;
	ord = bs->order;
	for (i = ins_lo; i < bs->ninside; i++)
		ord[n++] = (uint32_t) (i << 1);
	for (i = cand_lo; i < bs->ncand; i++)
		ord[n++] = (uint32_t) (i << 1 | 1);
	/* insertion sort in answer order (leaves hold few entries) */
	for (i = 1; i < n; i++)
	{
		uint32_t	x = ord[i];
		const geo_shape *sx = &ix->shapes[(x & 1) ? bs->cands[x >> 1].shape : bs->inside[x >> 1]];

		for (j = i; j > 0; j--)
		{
			uint32_t	y = ord[j - 1];
			const geo_shape *sy = &ix->shapes[(y & 1) ? bs->cands[y >> 1].shape : bs->inside[y >> 1]];

			if (!shape_before(sx, sy))
				break;
			ord[j] = y;
		}
		ord[j] = x;
	}
	/* drop entries hidden by an earlier inside entry */
	for (i = 0; i < n; i++)
	{
		const geo_shape *s = &ix->shapes[(ord[i] & 1) ? bs->cands[ord[i] >> 1].shape : bs->inside[ord[i] >> 1]];
		bool		hidden = false;

		for (j = 0; j < kept && !hidden; j++)
		{
			uint32_t	y = ord[j];

			if (!(y & 1) && hides(&ix->shapes[bs->inside[y >> 1]], s))
				hidden = true;
		}
		if (!hidden)
			ord[kept++] = ord[i];
	}

	if (!grow(&ix->a, (void **) &ix->entries, &ix->capent, ix->nent + kept, sizeof(geo_entry)))
		return false;
	ix->nodes[node].child = 0;
	ix->nodes[node].entry_off = (uint32_t) ix->nent;
	for (i = 0; i < kept; i++)
	{
		uint32_t	x = ord[i];
		geo_entry  *e = &ix->entries[ix->nent];
		const geo_shape *s;

		if (x & 1)
		{
			const cand *c = &bs->cands[x >> 1];

			s = &ix->shapes[c->shape];
			if (!entry_edges(bs, e, c, lb))
				return false;
			if (e->n_pts == 0 && e->n_far == 0 && !e->far_odd)
				continue;		/* no edge a ray can cross: outside the whole cell */
			if (e->n_pts == 0 && e->n_far == 0)
				e->far_odd = 0;	/* a ray from anywhere in it crosses an odd number: inside */
			else
				ix->boundary_entries++;
		}
		else
		{
			s = &ix->shapes[bs->inside[x >> 1]];
			e->pt_off = 0;
			e->n_pts = 0;
			e->far_off = 0;
			e->n_far = 0;
			e->chain_off = 0;
			e->n_chains = 0;
			e->far_odd = 0;
		}
		e->code = s->code;
		e->from = s->from;
		e->to = s->to;
		e->shape = (uint32_t) (s - ix->shapes);
		ix->nent++;
	}
	ix->nodes[node].n_entries = (uint32_t) (ix->nent - ix->nodes[node].entry_off);
	ix->leaves++;
	return true;
}

/*
 * Process cell `node` with box b: its candidates are cands[cand_lo..ncand) (band edges already
 * filtered for this cell), the inside shapes inherited from above are inside[ins_lo..ninside).
 */
static bool
build_cell(build_state *bs, uint32_t node, box b, int depth, size_t cand_lo, size_t ins_lo,
		   uint64_t parent_total, int stalls)
{
	shegu_geo_index *ix = bs->ix;
	size_t		i,
				k,
				kept;
	uint64_t	touching_total = 0;
	double		mx,
				my;
	uint32_t	first_child;
	int			q;

	if (depth > ix->depth)
		ix->depth = depth;

	/* classify: shapes whose edges do not touch the cell are inside or outside all of it */
	kept = cand_lo;
	for (i = cand_lo; i < bs->ncand; i++)
	{
		cand		c = bs->cands[i];
		uint32_t	t = 0;

		if (!tick(ix, (int64_t) c.n + 1))
			return false;
		if (depth >= ix->raster_plan)
			ix->deep_work += (int64_t) c.n + 1;

		for (k = 0; k < c.n; k++)
			if (edge_touches(&ix->v[bs->stack[c.off + k]], b))
				t++;
		if (t == 0)
		{
			if (covered(ix->v, bs->stack + c.off, c.n, b.x0, b.y0))
			{
				if (!grow(&ix->a, (void **) &bs->inside, &bs->capinside, bs->ninside + 1, sizeof(uint32_t)))
					return false;
				bs->inside[bs->ninside++] = c.shape;
			}
			continue;
		}
		/* edges of versions the raster's days do not see weigh less (see OTHER_DAYS_WEIGHT) */
		c.touching = valid_on(ix->shapes[c.shape].from, ix->shapes[c.shape].to, ix->raster_from)
			? t * OTHER_DAYS_WEIGHT : t;
		bs->cands[kept++] = c;
	}
	bs->ncand = kept;

	/* boundary shapes that an inside shape hides are no longer needed */
	kept = cand_lo;
	for (i = cand_lo; i < bs->ncand; i++)
	{
		const geo_shape *s = &ix->shapes[bs->cands[i].shape];
		bool		hidden = false;

		for (k = ins_lo; k < bs->ninside && !hidden; k++)
		{
			const geo_shape *d = &ix->shapes[bs->inside[k]];

			if (shape_before(d, s) && hides(d, s))
				hidden = true;
		}
		if (!hidden)
		{
			bs->cands[kept++] = bs->cands[i];
			touching_total += bs->cands[i].touching;
		}
	}
	bs->ncand = kept;

	/*
	 * Splitting stops paying where many edges meet: along an edge that several grids share (a
	 * grid's edge is also its neighbour's, its community's, its township's) and at a vertex where
	 * several grids meet, no split reduces the count.  Two splits in a row without a reduction
	 * end the descent.
	 */
	stalls = touching_total >= parent_total ? stalls + 1 : 0;
	mx = (b.x0 + b.x1) * 0.5;
	my = (b.y0 + b.y1) * 0.5;
	if (touching_total <= (uint64_t) ix->leaf_edges * OTHER_DAYS_WEIGHT || depth >= ix->max_depth
		|| !(mx > b.x0 && mx < b.x1 && my > b.y0 && my < b.y1))
		return make_leaf(bs, node, cand_lo, ins_lo, b);
	if (depth >= ix->raster_plan)
	{
		/* below the raster's depth: splitting must pay (see "Bounded work") */
		int			over = depth - ix->split_depth;

		if (stalls >= 2)
			return make_leaf(bs, node, cand_lo, ins_lo, b);
		if (over > 0 && touching_total <= ((uint64_t) ix->leaf_edges * OTHER_DAYS_WEIGHT << (over < 32 ? over : 32)))
			return make_leaf(bs, node, cand_lo, ins_lo, b);
		if (ix->deep_work > ix->budget)
		{
			ix->budget_spent = true;
			return make_leaf(bs, node, cand_lo, ins_lo, b);
		}
	}

	/* split */
	if (ix->nn + 4 >= UINT32_MAX
		|| !grow(&ix->a, (void **) &ix->nodes, &ix->capn, ix->nn + 4, sizeof(geo_node)))
		return false;
	first_child = (uint32_t) ix->nn;
	ix->nn += 4;
	ix->nodes[node].child = first_child;
	ix->nodes[node].entry_off = 0;
	ix->nodes[node].n_entries = 0;

	for (q = 0; q < 4; q++)
	{
		box			cb;
		size_t		cand_mark = bs->ncand,
					stack_mark = bs->nstack,
					ins_mark = bs->ninside;
		size_t		parent_hi = bs->ncand;

		cb.x0 = (q & 1) ? mx : b.x0;
		cb.x1 = (q & 1) ? b.x1 : mx;
		cb.y0 = (q & 2) ? my : b.y0;
		cb.y1 = (q & 2) ? b.y1 : my;

		for (i = cand_lo; i < parent_hi; i++)
		{
			cand		pc = bs->cands[i];
			cand		nc;

			if (!grow(&ix->a, (void **) &bs->stack, &bs->capstack, bs->nstack + pc.n, sizeof(uint32_t)))
				return false;
			nc.shape = pc.shape;
			nc.off = (uint32_t) bs->nstack;
			nc.touching = 0;
			if (!tick(ix, (int64_t) pc.n + 1))
				return false;
			if (depth >= ix->raster_plan)
				ix->deep_work += (int64_t) pc.n + 1;
			for (k = 0; k < pc.n; k++)
			{
				uint32_t	r = bs->stack[pc.off + k];
				double		lx,
							ly,
							hx,
							hy;

				edge_bbox(ix->v, r, &lx, &ly, &hx, &hy);
				if (hx >= cb.x0 && hy >= cb.y0 && ly <= cb.y1)
					bs->stack[bs->nstack++] = r;
			}
			nc.n = (uint32_t) (bs->nstack - nc.off);
			if (nc.n == 0)
				continue;		/* no ray from this cell crosses the shape: outside */
			if (!grow(&ix->a, (void **) &bs->cands, &bs->capcand, bs->ncand + 1, sizeof(cand)))
				return false;
			bs->cands[bs->ncand++] = nc;
		}
		if (!build_cell(bs, first_child + q, cb, depth + 1, cand_mark, ins_lo, touching_total, stalls))
			return false;
		bs->ncand = cand_mark;
		bs->nstack = stack_mark;
		bs->ninside = ins_mark;
	}
	return true;
}

static void
index_free_parts(shegu_geo_index *ix)
{
	release(&ix->a, ix->v);
	release(&ix->a, ix->edges);
	release(&ix->a, ix->ring_start);
	release(&ix->a, ix->shapes);
	release(&ix->a, ix->nodes);
	release(&ix->a, ix->entries);
	release(&ix->a, ix->pts);
	release(&ix->a, ix->chains);
	release(&ix->a, ix->far);
	release(&ix->a, ix->raster);
	release(&ix->a, ix->tiles_mem);
	release(&ix->a, ix->rest);
	release(&ix->a, ix->sub);
	release(&ix->a, ix->codes);
	release(&ix->a, ix->leafmem);
}

/* Shrink an array to its length (when the allocator gives the memory back). */
static void
shrink(const shegu_geo_allocator *a, void **arr, size_t *cap, size_t n, size_t elem)
{
	void	   *p;

	if (*arr == NULL || n == *cap || n == 0)
		return;
	p = a->realloc(a->ctx, *arr, n * elem);
	if (p != NULL)
	{
		*arr = p;
		*cap = n;
	}
}

/*
 * Make the root a square whose side is a power of two and whose corner is a multiple of it, so
 * that every split point is exact and a raster over the root lines up with the tree's cells.
 * Extents too large for that keep their plain bounding box.
 */
static void
align_root(box *b)
{
	double		side = fmax(b->x1 - b->x0, b->y1 - b->y0);
	double		s;
	int			e;

	if (!isfinite(side) || side <= 0)
		return;
	frexp(side, &e);
	s = ldexp(1.0, e);			/* a power of two above side */
	while (isfinite(s))
	{
		double		x0 = floor(b->x0 / s) * s;
		double		y0 = floor(b->y0 / s) * s;

		if (isfinite(x0 + s) && isfinite(y0 + s) && x0 + s >= b->x1 && y0 + s >= b->y1
			&& x0 <= b->x0 && y0 <= b->y0)
		{
			b->x0 = x0;
			b->y0 = y0;
			b->x1 = x0 + s;
			b->y1 = y0 + s;
			return;
		}
		s *= 2;
	}
}

/* The raster cell (i, j) whose closed box holds (x, y), or false. */
static inline bool
raster_cell_of(const shegu_geo_index *ix, double x, double y, uint32_t *i, uint32_t *j,
			   double *cx0, double *cy0)
{
	double		fx = (x - ix->raster_x0) * ix->raster_inv;
	double		fy = (y - ix->raster_y0) * ix->raster_inv;
	int64_t		ci,
				cj;
	double		lx,
				ly;

	if (!(fx >= 0 && fy >= 0 && fx <= (double) ix->raster_nx && fy <= (double) ix->raster_ny))
		return false;
	ci = (int64_t) fx;
	cj = (int64_t) fy;
	if (ci >= ix->raster_nx)
		ci = ix->raster_nx - 1;
	if (cj >= ix->raster_ny)
		cj = ix->raster_ny - 1;
	/* the cell's bounds are exact; the division above may be off by one at a cell line */
	lx = ix->raster_x0 + (double) ci * ix->raster_cell;
	ly = ix->raster_y0 + (double) cj * ix->raster_cell;
	if (x < lx && ci > 0)
		lx = ix->raster_x0 + (double) --ci * ix->raster_cell;
	else if (x > lx + ix->raster_cell && ci < ix->raster_nx - 1)
		lx = ix->raster_x0 + (double) ++ci * ix->raster_cell;
	if (y < ly && cj > 0)
		ly = ix->raster_y0 + (double) --cj * ix->raster_cell;
	else if (y > ly + ix->raster_cell && cj < ix->raster_ny - 1)
		ly = ix->raster_y0 + (double) ++cj * ix->raster_cell;
	if (!(x >= lx && x <= lx + ix->raster_cell && y >= ly && y <= ly + ix->raster_cell))
		return false;
	*i = (uint32_t) ci;
	*j = (uint32_t) cj;
	*cx0 = lx;
	*cy0 = ly;
	return true;
}

/*
 * Direct answers.  The grid that answers for every point of box b of leaf n on the days it is
 * valid, when there is one: walk the leaf's entries in answer order; one whose edges miss b is
 * inside or outside all of b, and the first inside one answers if every entry before it is
 * outside b.  On other days the tree answers.
 *
 * The raster's cells and their quarters are boxes nested in a leaf's box, valued top down: the
 * walk over a box leaves on a stack the entries that matter in it (those whose edges touch it, up
 * to the first that covers it, which ends the list), each with the near edges that touch it, and
 * the walk over a quarter reads that list instead of the leaf: the work a box is proportional to
 * the edges that touch the box around it, not to all of the leaf's.
 *
 * A list is a run of records on the stack: the entry's index in the leaf, its edge count t, then
 * t indices into pts[] (edge pts[k] to pts[k + 1]); t == 0 marks the entry that covers the box.
 */
typedef struct cell_lists
{
	uint32_t   *stack;
	size_t		n,
				cap;
} cell_lists;

static bool
lists_push(shegu_geo_index *ix, cell_lists *cl, uint32_t v)
{
	if (cl->n >= cl->cap && !grow(&ix->a, (void **) &cl->stack, &cl->cap, cl->n + 1, sizeof(uint32_t)))
		return false;
	cl->stack[cl->n++] = v;
	return true;
}

static bool sub_split(shegu_geo_index *ix, cell_lists *cl, uint32_t v, box b, int levels,
					  size_t mark, uint32_t *out);

/* Does entry e apply on every day of the raster's window (it is valid on one of them)? */
static inline bool
in_window(const shegu_geo_index *ix, const geo_entry *e)
{
	return valid_on(e->from, e->to, ix->raster_from);
}

/* Can entry e's shape be a raster value? */
static inline bool
answerable(const geo_entry *e)
{
	return e->shape <= RASTER_INDEX;
}

/*
 * Entry idx (e) covers all of box b: the answer when the list begun at mark is empty (no entry
 * before it touches b), else the end of that list.  Same returns as leaf_list.
 */
static bool
list_covered(shegu_geo_index *ix, cell_lists *cl, size_t mark, const geo_entry *e, uint32_t idx,
			 uint32_t *val, bool *ok)
{
	if (cl->n == mark && answerable(e))
	{
		*val = RASTER_DIRECT | e->shape;
		return true;
	}
	*ok = lists_push(ix, cl, idx) && lists_push(ix, cl, 0);
	return false;
}

/*
 * Value box b of leaf n on the days of the raster's window (entries of other days are passed
 * over): push its list (see above) onto cl, read from the list at cl->stack[parent..parent_end)
 * of a box around b, or from the leaf's entries when parent == parent_end == SIZE_MAX.  Returns
 * true with *val a code (the first entry covers b) or RASTER_NONE (no entry reaches b), and then
 * pushes nothing; false when the list is left on the stack.  *ok is false when out of memory.
 */
static bool
leaf_list(shegu_geo_index *ix, cell_lists *cl, const geo_node *n, box b, size_t parent,
		  size_t parent_end, uint32_t *val, bool *ok)
{
	const geo_entry *first = ix->entries + n->entry_off;
	size_t		mark = cl->n;
	size_t		r = parent;
	uint32_t	k = 0;
	bool		from_leaf = parent == SIZE_MAX;

	*ok = true;
	for (;;)
	{
		const geo_entry *e;
		size_t		rec;
		uint32_t	t,
					idx,
					nedges = 0;

		if (from_leaf)
		{
			if (k >= n->n_entries)
				break;
			idx = k++;
		}
		else
		{
			if (r >= parent_end)
				break;
			idx = cl->stack[r];
			nedges = cl->stack[r + 1];
			if (nedges == 0)	/* the entry that covers the box around b covers b */
				return list_covered(ix, cl, mark, first + idx, idx, val, ok);
		}
		e = first + idx;
		(void) tick(ix, 1);		/* a cancel is seen by the caller's next tick */
		if (from_leaf && !in_window(ix, e))
			continue;			/* not valid on the raster's days */
		if (!entry_is_boundary(e))
			return list_covered(ix, cl, mark, e, idx, val, ok);
		rec = cl->n;
		if (!lists_push(ix, cl, idx) || !lists_push(ix, cl, 0))
		{
			*ok = false;
			return false;
		}
		if (from_leaf)
		{
			const geo_pt *p = ix->pts + e->pt_off;
			uint32_t	j;

			(void) tick(ix, e->n_pts);
			for (j = 0; j + 1 < e->n_pts; j++)
			{
				if (isnan(p[j + 1].x))
				{
					j++;		/* a separator */
					continue;
				}
				if (edge_touches(&p[j], b) && !lists_push(ix, cl, e->pt_off + j))
				{
					*ok = false;
					return false;
				}
			}
		}
		else
		{
			uint32_t	j;

			(void) tick(ix, nedges);
			for (j = 0; j < nedges; j++)
			{
				uint32_t	pk = cl->stack[r + 2 + j];

				if (edge_touches(&ix->pts[pk], b) && !lists_push(ix, cl, pk))
				{
					*ok = false;
					return false;
				}
			}
			r += 2 + nedges;
		}
		t = (uint32_t) (cl->n - rec - 2);
		cl->stack[rec + 1] = t;
		if (t > 0)
			continue;			/* the entry's boundary crosses b: kept */
		cl->n = rec;
		(void) tick(ix, (int64_t) e->n_pts + e->n_far);
		if (!entry_covers(ix, e, b.x0, b.y0))
			continue;			/* outside all of b: forgotten */
		return list_covered(ix, cl, mark, e, idx, val, ok);
	}
	if (cl->n == mark)
	{
		*val = RASTER_NONE;
		return true;
	}
	return false;
}

/* Set every raster cell of box b (the tree's cell at depth d <= raster_bits) to v; how many. */
static int64_t
raster_put(shegu_geo_index *ix, box b, int d, uint32_t v)
{
	int64_t		span = (int64_t) 1 << (ix->raster_bits - d);
	int64_t		i0 = (int64_t) floor((b.x0 - ix->raster_x0) * ix->raster_inv),
				j0 = (int64_t) floor((b.y0 - ix->raster_y0) * ix->raster_inv),
				i,
				j,
				n = 0;

	for (j = j0 < 0 ? 0 : j0; j < j0 + span && j < ix->raster_ny; j++)
		for (i = i0 < 0 ? 0 : i0; i < i0 + span && i < ix->raster_nx; i++)
		{
			ix->raster[(size_t) j * ix->raster_nx + i] = v;
			n++;
		}
	return n;
}

/*
 * Fill the raster cells of box b (tree depth d) inside leaf node n from the list at
 * cl->stack[lo..hi) of b (or the leaf's entries, lo == hi == SIZE_MAX), quartering b down to the
 * raster's depth.
 */
static bool
fill_leaf_cells(shegu_geo_index *ix, cell_lists *cl, uint32_t node, box b, int d, size_t lo, size_t hi)
{
	double		rx1 = ix->raster_x0 + ix->raster_nx * ix->raster_cell;
	double		ry1 = ix->raster_y0 + ix->raster_ny * ix->raster_cell;
	size_t		mark = cl->n;
	uint32_t	v = 0;
	bool		ok,
				answered;

	if (b.x1 <= ix->raster_x0 || b.x0 >= rx1 || b.y1 <= ix->raster_y0 || b.y0 >= ry1)
		return true;			/* no raster cell here */
	if (!tick(ix, 1))
		return false;
	answered = leaf_list(ix, cl, &ix->nodes[node], b, lo, hi, &v, &ok);
	if (!ok)
		return false;
	if (!answered && d == ix->raster_bits)
	{
		/* a cell a boundary crosses: its quarters, from its list */
		if (!sub_split(ix, cl, node, b, SUB_LEVELS, mark, &v))
			return false;
		raster_put(ix, b, d, v);
		return true;
	}
	if (answered)
	{
		/* every raster cell of b gets v */
		ix->raster_direct += raster_put(ix, b, d, v);
		cl->n = mark;
		return true;
	}
	{
		double		mx = (b.x0 + b.x1) * 0.5;
		double		my = (b.y0 + b.y1) * 0.5;
		size_t		end = cl->n;
		int			q;

		for (q = 0; q < 4; q++)
		{
			box			cb;

			cb.x0 = (q & 1) ? mx : b.x0;
			cb.x1 = (q & 1) ? b.x1 : mx;
			cb.y0 = (q & 2) ? my : b.y0;
			cb.y1 = (q & 2) ? b.y1 : my;
			if (!fill_leaf_cells(ix, cl, node, cb, d + 1, mark, end))
				return false;
		}
	}
	cl->n = mark;
	return true;
}

/* Fill the raster cells under node (box b, depth d); false when cancelled. */
static bool
raster_fill(shegu_geo_index *ix, cell_lists *cl, uint32_t node, box b, int d)
{
	const geo_node *n = &ix->nodes[node];
	double		rx1 = ix->raster_x0 + ix->raster_nx * ix->raster_cell;
	double		ry1 = ix->raster_y0 + ix->raster_ny * ix->raster_cell;

	if (b.x1 <= ix->raster_x0 || b.x0 >= rx1 || b.y1 <= ix->raster_y0 || b.y0 >= ry1)
		return true;			/* no raster cell under this node */
	if (!tick(ix, 1))
		return false;
	if (n->child == 0)
		return fill_leaf_cells(ix, cl, node, b, d, SIZE_MAX, SIZE_MAX);
	if (d < ix->raster_bits)
	{
		double		mx = (b.x0 + b.x1) * 0.5;
		double		my = (b.y0 + b.y1) * 0.5;
		int			q;

		for (q = 0; q < 4; q++)
		{
			box			cb;

			cb.x0 = (q & 1) ? mx : b.x0;
			cb.x1 = (q & 1) ? b.x1 : mx;
			cb.y0 = (q & 2) ? my : b.y0;
			cb.y1 = (q & 2) ? b.y1 : my;
			if (!raster_fill(ix, cl, n->child + q, cb, d + 1))
				return false;
			n = &ix->nodes[node];
		}
		return true;
	}
	/* an inner node at the raster's depth: one cell, valued by its quarters or the tree */
	{
		uint32_t	v;

		if (!sub_split(ix, cl, node, b, SUB_LEVELS, cl->n, &v))
			return false;
		raster_put(ix, b, d, v);
	}
	return true;
}

/*
 * The raster value of cell b of node v (a tree node whose box holds b, the tree's cell at b's
 * depth where the tree goes that deep, else the leaf around it): a direct answer when one grid
 * covers b (see "Direct answers"), else, while levels remain, a block of b's four quarters
 * valued the same way when that gives any of them a direct answer, else v.  In a leaf, the list
 * of b's box around it is cl->stack[lo..hi) (SIZE_MAX: none, read the leaf).  Fails only out of
 * memory or when cancelled.
 */
static bool
sub_value(shegu_geo_index *ix, cell_lists *cl, uint32_t v, box b, int levels, size_t lo, size_t hi,
		  uint32_t *out)
{
	const geo_node *node = &ix->nodes[v];
	size_t		mark = cl->n;
	bool		ok;

	*out = RASTER_NODE | v;
	if (node->child == 0)
	{
		uint32_t	d;
		bool		answered = leaf_list(ix, cl, node, b, lo, hi, &d, &ok);

		if (!ok)
			return false;
		if (answered)
		{
			*out = d;
			return true;
		}
	}
	return sub_split(ix, cl, v, b, levels, mark, out);
}

/*
 * The rest of sub_value, for cell b of node v that has no direct answer: in a leaf, b's list is
 * on the stack from mark; quarter b while levels remain.  Pops the list.
 */
static bool
sub_split(shegu_geo_index *ix, cell_lists *cl, uint32_t v, box b, int levels, size_t mark, uint32_t *out)
{
	size_t		end = cl->n,
				block;
	double		mx,
				my;
	bool		any = false;
	int			q;

	*out = RASTER_NODE | v;
	if (!tick(ix, 1))
		return false;
	if (levels == 0 || ix->nsub / 4 >= RASTER_INDEX)
	{
		cl->n = mark;
		return true;
	}
	if (!grow(&ix->a, (void **) &ix->sub, &ix->capsub, ix->nsub + 4, sizeof(uint32_t)))
		return false;
	block = ix->nsub;
	ix->nsub += 4;
	mx = (b.x0 + b.x1) * 0.5;
	my = (b.y0 + b.y1) * 0.5;
	for (q = 0; q < 4; q++)
	{
		box			qb;
		uint32_t	qn = ix->nodes[v].child != 0 ? ix->nodes[v].child + (uint32_t) q : v,
					val;

		qb.x0 = (q & 1) ? mx : b.x0;
		qb.x1 = (q & 1) ? b.x1 : mx;
		qb.y0 = (q & 2) ? my : b.y0;
		qb.y1 = (q & 2) ? b.y1 : my;
		if (!sub_value(ix, cl, qn, qb, levels - 1, qn == v ? mark : SIZE_MAX, qn == v ? end : SIZE_MAX, &val))
			return false;
		ix->sub[block + q] = val;
		if (val != (RASTER_NODE | qn))
			any = true;
	}
	cl->n = mark;
	if (any)
	{
		int			direct = 0;

		for (q = 0; q < 4; q++)
			direct += raster_is_answer(ix->sub[block + q]) || raster_is_sub(ix->sub[block + q]);
		any = direct >= (levels < SUB_LEVELS ? SUB_KEEP_SECOND : SUB_KEEP_FIRST);
	}
	if (!any)
	{
		ix->nsub = block;		/* nothing below was kept either */
		return true;
	}
	for (q = 0; q < 4; q++)
		if (raster_is_answer(ix->sub[block + q]))
			ix->sub_direct++;
	*out = RASTER_SUB | (uint32_t) (block / 4);
	return true;
}

/*
 * A raster over the shapes' extent whose cells are the tree's cells at one depth, about 1/64 of a
 * grid's area each (at most RASTER_MAX_CELLS cells): a point's cell gives its answer at once where one grid
 * covers the whole cell on every day (or none does), else the tree node to go on from.  Only built
 * when the root is aligned (every cell's bounds exact); opt raster_bits < 0 disables it.
 */
static void
plan_raster(shegu_geo_index *ix)
{
	int			bits = ix->raster_bits;
	double		side = ix->x1 - ix->x0;
	double		min_x = ix->shapes[0].min_x,
				min_y = ix->shapes[0].min_y,
				max_x = ix->shapes[0].max_x,
				max_y = ix->shapes[0].max_y;
	double		cell;
	size_t		k;
	int			e;

	ix->raster_bits = 0;
	ix->raster_plan = 0;
	if (bits < 0 || ix->ns == 0 || side != ix->y1 - ix->y0 || frexp(side, &e) != 0.5)
		return;					/* disabled, empty, or not aligned */
	for (k = 1; k < ix->ns; k++)
	{
		min_x = fmin(min_x, ix->shapes[k].min_x);
		min_y = fmin(min_y, ix->shapes[k].min_y);
		max_x = fmax(max_x, ix->shapes[k].max_x);
		max_y = fmax(max_y, ix->shapes[k].max_y);
	}
	if (bits == 0)
	{
		/*
		 * the shallowest depth with ~64 cells a shape, and a cell for every 32 edges (large
		 * shapes, a county's thousands of vertices, need finer cells than their number says),
		 * over the extent, within RASTER_MAX_CELLS
		 */
		double		want = fmax((double) ix->ns * RASTER_CELLS_A_SHAPE, (double) ix->ne / 32);

		for (bits = 1; bits < 30; bits++)
		{
			double		c = ldexp(side, -bits);
			double		cells = (floor((max_x - ix->x0) / c) - floor((min_x - ix->x0) / c) + 1)
				* (floor((max_y - ix->y0) / c) - floor((min_y - ix->y0) / c) + 1);

			if (cells >= want)
				break;
			if (cells * 4 > (double) RASTER_MAX_CELLS)
				break;
		}
	}
	for (;;)
	{
		double		nx,
					ny;

		cell = ldexp(side, -bits);
		if (cell == 0 || fabs(ix->x0) / cell > 0x1p46 || fabs(ix->y0) / cell > 0x1p46)
			return;				/* cell bounds would not be exact */
		nx = floor((max_x - ix->x0) / cell) - floor((min_x - ix->x0) / cell) + 1;
		ny = floor((max_y - ix->y0) / cell) - floor((min_y - ix->y0) / cell) + 1;
		if (nx * ny <= (double) RASTER_MAX_CELLS || bits <= 1)
		{
			ix->raster_x0 = ix->x0 + floor((min_x - ix->x0) / cell) * cell;
			ix->raster_y0 = ix->y0 + floor((min_y - ix->y0) / cell) * cell;
			ix->raster_nx = (uint32_t) fmin(nx, (double) ((int64_t) 1 << bits) - floor((min_x - ix->x0) / cell));
			ix->raster_ny = (uint32_t) fmin(ny, (double) ((int64_t) 1 << bits) - floor((min_y - ix->y0) / cell));
			break;
		}
		bits--;
	}
	ix->raster_plan = bits;
	ix->raster_cell = cell;
}

/* Point raster value *v at its leaf's block when it names a leaf (see pack_leaves). */
static inline void
leaf_value(const shegu_geo_index *ix, uint32_t *v)
{
	if ((*v & RASTER_KIND) == RASTER_NODE && ix->nodes[*v].child == 0
		&& ix->nodes[*v].entry_off <= RASTER_INDEX)
		*v = RASTER_LEAF | ix->nodes[*v].entry_off;
}

/*
 * Lay every leaf out in one block of leafmem[] (see shegu_geo_index) and free entries[], pts[],
 * chains[] and far[]; raster values that name a leaf then name its block, so a lookup there
 * reads no node.  A block: a header word (entry count, block length in words), the entries as
 * geo_packed (two to a pair of words), then each entry's data in turn: its far values, then its
 * chains (geo_chain, one a word).  The near edges are not copied: a chain names a run of v[],
 * which every leaf the edges touch shares.
 */
static bool
pack_leaves(shegu_geo_index *ix)
{
	size_t		words = 0,
				k,
				at = 0;

	for (k = 0; k < ix->nn; k++)
		if (ix->nodes[k].child == 0)
		{
			const geo_node *n = &ix->nodes[k];
			uint32_t	i;

			if ((k & 16383) == 0 && !poll_interrupt(ix))
				return false;

			words += 1 + ((size_t) n->n_entries * sizeof(geo_packed) + 7) / 8;
			for (i = 0; i < n->n_entries; i++)
			{
				const geo_entry *e = &ix->entries[n->entry_off + i];

				words += (size_t) e->n_far + e->n_chains
					+ (e->n_far >= LEAF_BIG || e->n_chains >= LEAF_BIG);
			}
		}
	words += LEAF_PAD;
	if (words >= UINT32_MAX || ix->nv >= UINT32_MAX || ix->ns > LEAF_SHAPE)
		return false;			/* offsets are 32 bits, shape indices 30 */
	ix->leafmem = ix->a.alloc(ix->a.ctx, words * sizeof(uint64_t));
	if (ix->leafmem == NULL)
		return false;
	for (k = 0; k < ix->nn; k++)
	{
		geo_node   *n = &ix->nodes[k];
		geo_packed *out;
		uint32_t	i;
		size_t		start = at;

		if (n->child != 0)
			continue;
		if ((k & 16383) == 0 && !poll_interrupt(ix))
			return false;
		out = (geo_packed *) (ix->leafmem + at + 1);
		at += 1 + ((size_t) n->n_entries * sizeof(geo_packed) + 7) / 8;
		if (n->n_entries & 1)
			memset(&out[n->n_entries], 0, sizeof(geo_packed));
		for (i = 0; i < n->n_entries; i++)
		{
			const geo_entry *e = &ix->entries[n->entry_off + i];
			geo_packed *o = &out[i];
			bool		big = e->n_far >= LEAF_BIG || e->n_chains >= LEAF_BIG;

			o->shape = e->shape | (valid_on(e->from, e->to, ix->raster_from) ? LEAF_WINDOW : 0)
				| (e->far_odd ? LEAF_FAR_ODD : 0);
			o->n_far = big ? LEAF_BIG : (uint16_t) e->n_far;
			o->n_chains = big ? LEAF_BIG : (uint16_t) e->n_chains;
			if (big)
				ix->leafmem[at++] = (uint64_t) e->n_far | (uint64_t) e->n_chains << 32;
			/* far values first, then the chains: the test reads them in that order */
			if (e->n_far > 0)
				memcpy(ix->leafmem + at, ix->far + e->far_off, (size_t) e->n_far * sizeof(double));
			at += e->n_far;
			if (e->n_chains > 0)
				memcpy(ix->leafmem + at, ix->chains + e->chain_off, (size_t) e->n_chains * sizeof(geo_chain));
			at += e->n_chains;
		}
		n->entry_off = (uint32_t) start;
		/* the header: the entry count, and the block's length in words */
		ix->leafmem[start] = (uint64_t) n->n_entries | (uint64_t) (at - start) << 32;
	}
	memset(ix->leafmem + at, 0, LEAF_PAD * sizeof(uint64_t));
	at += LEAF_PAD;
	ix->nleafmem = at;
	release(&ix->a, ix->entries);
	release(&ix->a, ix->pts);
	release(&ix->a, ix->chains);
	release(&ix->a, ix->far);
	ix->entries = NULL;
	ix->pts = NULL;
	ix->chains = NULL;
	ix->far = NULL;
	ix->capent = ix->cappt = ix->capchain = ix->capfar = 0;
	if (ix->codes == NULL)
	{
		ix->codes = ix->a.alloc(ix->a.ctx, (ix->ns ? ix->ns : 1) * sizeof(int64_t));
		if (ix->codes == NULL)
			return false;
		for (k = 0; k < ix->ns; k++)
			ix->codes[k] = ix->shapes[k].code;
	}
	if (ix->raster != NULL)
	{
		size_t		cells = (size_t) ix->raster_nx * ix->raster_ny;

		for (k = 0; k < cells; k++)
			leaf_value(ix, &ix->raster[k]);
		for (k = 0; k < ix->nsub; k++)
			leaf_value(ix, &ix->sub[k]);
	}
	return true;
}

/*
 * Places in rest[] taken by the cells of the 16 codes of w: 1 for an escaped cell (code
 * TILE_ESCAPE, 1111), 4 for one with its quarters there (TILE_QUARTERS, 1110).
 */
static inline uint32_t
rest_places_in(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x1111111111111111);
	uint64_t	top = (w >> 1) & (w >> 2) & (w >> 3) & ones;	/* codes 111x */

	return (uint32_t) (__builtin_popcountll(top & w) + 4 * __builtin_popcountll(top & ~w));
}

/*
 * The value of raster cell (i, j), from its tile; for a cell with its quarters in rest[]
 * (*quarters set), their block.
 */
static inline uint32_t
raster_value(const shegu_geo_index *ix, uint32_t i, uint32_t j, const uint32_t **quarters)
{
	const geo_tile *t = &ix->tiles[(size_t) (j >> TILE_SHIFT) * ix->tiles_nx + (i >> TILE_SHIFT)];
	uint32_t	k = (j & (TILE_SIDE - 1)) * TILE_SIDE + (i & (TILE_SIDE - 1));
	uint64_t	w = t->codes[k >> 4];
	uint32_t	shift = (k & 15) * 4;
	uint32_t	c = (uint32_t) (w >> shift) & 15;
	uint32_t	at = t->rest;
	uint32_t	q;

	*quarters = NULL;
	if (c < TILE_PALETTE)
		return t->pal[c];
	for (q = 0; q < (k >> 4); q++)
		at += rest_places_in(t->codes[q]);
	at += rest_places_in(w & ((UINT64_C(1) << shift) - 1));
	if (c == TILE_QUARTERS)
	{
		*quarters = &ix->rest[at];
		return RASTER_NONE;
	}
	return ix->rest[at];
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a,
				y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

/* A raster value with its block of quarters renumbered by map (see compact_sub). */
static inline uint32_t
renumbered(uint32_t v, const uint32_t *map)
{
	return raster_is_sub(v) ? RASTER_SUB | map[v & RASTER_INDEX] : v;
}

/*
 * After tile_raster has copied the quarters of escaped cells into rest[], keep in sub[] only the
 * blocks something still names: a palette, a value in rest[] (the quarters copied there may lead
 * on to deeper blocks) or a kept block.  A block's own blocks come after it (sub_split allocates
 * depth first), so one pass in order marks them; the kept ones keep their order.
 */
static bool
compact_sub(shegu_geo_index *ix)
{
	size_t		nblocks = ix->nsub / 4,
				ntiles,
				b,
				k;
	uint32_t   *map;
	uint32_t	kept = 0;

	ix->nquarters = ix->nsub;
	if (nblocks == 0)
		return true;
	map = ix->a.alloc(ix->a.ctx, nblocks * sizeof(uint32_t));
	if (map == NULL)
		return false;
	for (b = 0; b < nblocks; b++)
		map[b] = UINT32_MAX;	/* not named (yet) */
	ntiles = (size_t) ix->tiles_nx * ((ix->raster_ny + TILE_SIDE - 1) / TILE_SIDE);
	for (k = 0; k < ntiles; k++)
		for (b = 0; b < TILE_PALETTE; b++)
			if (raster_is_sub(ix->tiles[k].pal[b]))
				map[ix->tiles[k].pal[b] & RASTER_INDEX] = 0;
	for (k = 0; k < ix->nrest; k++)
		if (raster_is_sub(ix->rest[k]))
			map[ix->rest[k] & RASTER_INDEX] = 0;
	for (b = 0; b < nblocks; b++)
	{
		if (map[b] == UINT32_MAX)
			continue;
		map[b] = kept;
		for (k = 0; k < 4; k++)
		{
			uint32_t	v = ix->sub[b * 4 + k];

			if (raster_is_sub(v))
				map[v & RASTER_INDEX] = 0;
		}
		memmove(&ix->sub[(size_t) kept * 4], &ix->sub[b * 4], 4 * sizeof(uint32_t));
		kept++;
	}
	for (k = 0; k < (size_t) kept * 4; k++)
		ix->sub[k] = renumbered(ix->sub[k], map);
	for (k = 0; k < ntiles; k++)
		for (b = 0; b < TILE_PALETTE; b++)
			ix->tiles[k].pal[b] = renumbered(ix->tiles[k].pal[b], map);
	for (k = 0; k < ix->nrest; k++)
		ix->rest[k] = renumbered(ix->rest[k], map);
	release(&ix->a, map);
	ix->nsub = (size_t) kept * 4;
	shrink(&ix->a, (void **) &ix->sub, &ix->capsub, ix->nsub, sizeof(uint32_t));
	return true;
}

/*
 * Put the built raster (raster[], its values final) into tiles and rest[], and free raster[].
 * Each tile's palette holds its most frequent values (ties: the smaller value), so that the
 * cells of a grid or of none, which make three quarters of a county's cells, are answered from
 * the tile's one cache line; leaves, tree nodes and blocks of quarters, mostly one cell each,
 * go to rest[].
 */
static bool
tile_raster(shegu_geo_index *ix)
{
	uint32_t	tnx = (ix->raster_nx + TILE_SIDE - 1) / TILE_SIDE,
				tny = (ix->raster_ny + TILE_SIDE - 1) / TILE_SIDE,
				ti,
				tj;
	size_t		ntiles = (size_t) tnx * tny,
				caprest = 0;
	uintptr_t	at;

	if (ix->raster == NULL)
		return true;
	ix->tiles_mem = ix->a.alloc(ix->a.ctx, ntiles * sizeof(geo_tile) + 63);
	if (ix->tiles_mem == NULL)
		return false;
	at = ((uintptr_t) ix->tiles_mem + 63) & ~(uintptr_t) 63;
	ix->tiles = (geo_tile *) at;
	ix->tiles_nx = tnx;
	ix->nrest = 0;
	for (tj = 0; tj < tny; tj++)
		for (ti = 0; ti < tnx; ti++)
		{
			geo_tile   *t = &ix->tiles[(size_t) tj * tnx + ti];
			uint32_t	vals[TILE_SIDE * TILE_SIDE],	/* (cells past the raster's edge: none) */
						sorted[TILE_SIDE * TILE_SIDE],
						best[TILE_PALETTE],
						nbest = 0,
						bestn[TILE_PALETTE],
						n = 0,
						k,
						r;
			uint64_t	inside = 0;	/* bit k: cell k lies in the raster */

			memset(t, 0, sizeof *t);
			t->rest = (uint32_t) ix->nrest;

			for (k = 0; k < TILE_SIDE * TILE_SIDE; k++)
			{
				uint32_t	i = ti * TILE_SIDE + k % TILE_SIDE,
							j = tj * TILE_SIDE + k / TILE_SIDE;

				vals[k] = RASTER_NONE;
				if (i < ix->raster_nx && j < ix->raster_ny)
				{
					inside |= UINT64_C(1) << k;
					vals[k] = ix->raster[(size_t) j * ix->raster_nx + i];
					sorted[n++] = vals[k];
				}
			}
			/* the most frequent values: runs of the sorted values, the longest kept */
			qsort(sorted, n, sizeof sorted[0], cmp_u32);
			for (k = 0; k < n; k = r)
			{
				uint32_t	len,
							p;

				for (r = k + 1; r < n && sorted[r] == sorted[k]; r++)
					;
				len = r - k;
				for (p = nbest; p > 0 && bestn[p - 1] < len; p--)
					;
				if (p >= TILE_PALETTE)
					continue;
				if (nbest < TILE_PALETTE)
					nbest++;
				memmove(&best[p + 1], &best[p], (nbest - 1 - p) * sizeof best[0]);
				memmove(&bestn[p + 1], &bestn[p], (nbest - 1 - p) * sizeof bestn[0]);
				best[p] = sorted[k];
				bestn[p] = len;
			}
			memcpy(t->pal, best, nbest * sizeof best[0]);
			for (k = 0; k < TILE_SIDE * TILE_SIDE; k++)
			{
				uint32_t	c;

				if (!(inside & (UINT64_C(1) << k)))
					continue;		/* never read: code 0 */
				for (c = 0; c < nbest && best[c] != vals[k]; c++)
					;
				if (c == nbest)
				{
					bool		quarters = raster_is_sub(vals[k]);
					uint32_t	places = quarters ? 4 : 1;

					c = quarters ? TILE_QUARTERS : TILE_ESCAPE;
					if (!grow(&ix->a, (void **) &ix->rest, &caprest, ix->nrest + places, sizeof(uint32_t)))
						return false;
					if (quarters)
						memcpy(&ix->rest[ix->nrest], &ix->sub[(size_t) (vals[k] & RASTER_INDEX) * 4],
							   4 * sizeof(uint32_t));
					else
						ix->rest[ix->nrest] = vals[k];
					ix->nrest += places;
					ix->nescaped++;
				}
				t->codes[k >> 4] |= (uint64_t) c << ((k & 15) * 4);
			}
			if (ix->interrupt != NULL && ((size_t) tj * tnx + ti) % 4096 == 4095
				&& ix->interrupt(ix->interrupt_arg))
			{
				ix->cancelled = true;
				return false;
			}
		}
	shrink(&ix->a, (void **) &ix->rest, &caprest, ix->nrest, sizeof(uint32_t));
	release(&ix->a, ix->raster);
	ix->raster = NULL;
	return compact_sub(ix);
}

/* Fill the raster that plan_raster laid out (nothing when it laid none out). */
static bool
build_raster(shegu_geo_index *ix)
{
	int			bits = ix->raster_plan;
	double		cell = ix->raster_cell;
	size_t		k,
				n;
	box			root;

	if (bits == 0 || ix->nn > RASTER_INDEX)
		return true;			/* (node indices must fit a raster value) */
	n = (size_t) ix->raster_nx * ix->raster_ny;
	ix->raster = ix->a.alloc(ix->a.ctx, n * sizeof(uint32_t));
	if (ix->raster == NULL)
		return false;
	for (k = 0; k < n; k++)
		ix->raster[k] = RASTER_NONE;
	ix->raster_bits = bits;
	ix->raster_cell = cell;
	ix->raster_inv = 1.0 / cell;
	root.x0 = ix->x0;
	root.y0 = ix->y0;
	root.x1 = ix->x1;
	root.y1 = ix->y1;
	{
		cell_lists	cl = {NULL, 0, 0};
		bool		ok = raster_fill(ix, &cl, 0, root, 0);

		release(&ix->a, cl.stack);
		if (!ok)
			return false;
	}
	shrink(&ix->a, (void **) &ix->sub, &ix->capsub, ix->nsub, sizeof(uint32_t));
	ix->codes = ix->a.alloc(ix->a.ctx, ix->ns * sizeof(int64_t));
	if (ix->codes == NULL)
		return false;
	for (k = 0; k < ix->ns; k++)
		ix->codes[k] = ix->shapes[k].code;
	return true;
}

/*
 * The raster answers for the days around one day (the options' raster_day, else the latest day a
 * grid version starts) on which no version starts or ends: every version valid on one of them is
 * valid on all, so a raster value is a grid's code, with no period to check.  On other days a
 * lookup goes through the tree.
 */
static void
choose_window(shegu_geo_index *ix, const shegu_geo_options *opt)
{
	int32_t		day = SHEGU_GEO_DAY_MIN,
				lo = SHEGU_GEO_DAY_MIN,
				hi = SHEGU_GEO_DAY_MAX;
	size_t		k;

	if (opt && opt->raster_day_set)
		day = opt->raster_day;
	else
		for (k = 0; k < ix->ns; k++)
			if (ix->shapes[k].from > day)
				day = ix->shapes[k].from;
	for (k = 0; k < ix->ns; k++)
	{
		int32_t		t[2] = {ix->shapes[k].from, ix->shapes[k].to};
		int			i;

		for (i = 0; i < 2; i++)
		{
			if (t[i] == SHEGU_GEO_DAY_MIN || t[i] == SHEGU_GEO_DAY_MAX)
				continue;		/* an open end */
			if (t[i] <= day && t[i] > lo)
				lo = t[i];
			else if (t[i] > day && t[i] < hi)
				hi = t[i];
		}
	}
	ix->raster_from = lo;
	ix->raster_to = hi;
}

/*
 * The depth below which a cell needs twice the edges a level to be split: three levels below
 * the one whose cells are as wide as a typical edge (the geometric mean of the edges' longer
 * sides), never above the raster's.
 */
static int
choose_split_depth(shegu_geo_index *ix)
{
	double		sum = 0,
				side = ix->x1 - ix->x0;
	size_t		n = 0,
				k;
	int			d;

	for (k = 0; k < ix->ne; k++)
	{
		const geo_pt *a = &ix->v[ix->edges[k]];
		double		len = fmax(fabs(a[1].x - a[0].x), fabs(a[1].y - a[0].y));

		if ((k & 0xfffff) == 0 && !poll_interrupt(ix))
			return ix->raster_plan;	/* the build looks at cancelled next */

		if (len > 0 && isfinite(len))
		{
			sum += log2(len);
			n++;
		}
	}
	if (n == 0 || !(side > 0) || !isfinite(side))
		return ix->raster_plan;
	d = (int) ceil(log2(side) - sum / (double) n) + 3;
	if (d < ix->raster_plan)
		d = ix->raster_plan;
	return d;
}

shegu_geo_index *
shegu_geo_build(shegu_geo_builder *b, const shegu_geo_options *opt, shegu_geo_status *status)
{
	shegu_geo_allocator a = b->a;
	shegu_geo_index *ix;
	build_state bs;
	size_t		i,
				j;
	bool		ok = true;
	box			root;

	if (status)
		*status = SHEGU_GEO_NO_MEMORY;
	ix = a.alloc(a.ctx, sizeof(shegu_geo_index));
	if (ix == NULL)
	{
		shegu_geo_builder_free(b);
		return NULL;
	}
	memset(ix, 0, sizeof *ix);
	ix->a = a;
	if (opt && opt->interrupt)
	{
		ix->interrupt = opt->interrupt;
		ix->interrupt_arg = opt->interrupt_arg;
		ix->next_check = SHEGU_GEO_INTERRUPT_WORK;
	}
	ix->v = b->v;
	ix->nv = b->nv;
	ix->edges = b->edges;
	ix->ne = b->ne;
	ix->shapes = b->shapes;
	ix->ns = b->ns;
	ix->rings = b->rings;
	ix->ring_start = b->ring_start;
	ix->leaf_edges = (opt && opt->leaf_edges > 0) ? opt->leaf_edges : 32;
	ix->max_depth = (opt && opt->max_depth > 0) ? opt->max_depth : 24;
	ix->raster_bits = opt ? opt->raster_bits : 0;
	/* the builder's arrays grew by doubling: give back what they will never use */
	shrink(&a, (void **) &ix->v, &b->capv, ix->nv, sizeof(geo_pt));
	shrink(&a, (void **) &ix->edges, &b->cape, ix->ne, sizeof(uint32_t));
	shrink(&a, (void **) &ix->ring_start, &b->capring, (size_t) ix->rings + 1, sizeof(uint32_t));
	release(&a, b);

	/* shapes in answer order (insertion into a sorted prefix would be quadratic: merge sort) */
	if (ix->ns > 1)
	{
		geo_shape  *tmp = a.alloc(a.ctx, ix->ns * sizeof(geo_shape));
		size_t		width;

		if (tmp == NULL)
			goto fail;
		for (width = 1; width < ix->ns; width *= 2)
		{
			for (i = 0; i < ix->ns; i += 2 * width)
			{
				size_t		lo = i,
							mid = i + width < ix->ns ? i + width : ix->ns,
							hi = i + 2 * width < ix->ns ? i + 2 * width : ix->ns,
							l = lo,
							r = mid,
							o = lo;

				while (l < mid && r < hi)
					tmp[o++] = shape_before(&ix->shapes[r], &ix->shapes[l]) ? ix->shapes[r++] : ix->shapes[l++];
				while (l < mid)
					tmp[o++] = ix->shapes[l++];
				while (r < hi)
					tmp[o++] = ix->shapes[r++];
			}
			memcpy(ix->shapes, tmp, ix->ns * sizeof(geo_shape));
		}
		release(&a, tmp);
	}

	if (!grow(&a, (void **) &ix->nodes, &ix->capn, 1, sizeof(geo_node)))
		goto fail;
	ix->nn = 1;
	memset(&ix->nodes[0], 0, sizeof(geo_node));
	if (ix->ns == 0)
	{
		ix->leaves = 1;
		if (status)
			*status = SHEGU_GEO_OK;
		return ix;
	}

	root.x0 = ix->shapes[0].min_x;
	root.y0 = ix->shapes[0].min_y;
	root.x1 = ix->shapes[0].max_x;
	root.y1 = ix->shapes[0].max_y;
	for (i = 1; i < ix->ns; i++)
	{
		if (ix->shapes[i].min_x < root.x0)
			root.x0 = ix->shapes[i].min_x;
		if (ix->shapes[i].min_y < root.y0)
			root.y0 = ix->shapes[i].min_y;
		if (ix->shapes[i].max_x > root.x1)
			root.x1 = ix->shapes[i].max_x;
		if (ix->shapes[i].max_y > root.y1)
			root.y1 = ix->shapes[i].max_y;
	}
	align_root(&root);
	choose_window(ix, opt);
	ix->x0 = root.x0;
	ix->y0 = root.y0;
	ix->x1 = root.x1;
	ix->y1 = root.y1;
	plan_raster(ix);
	ix->split_depth = choose_split_depth(ix);
	if (ix->cancelled)
		goto fail;
	ix->budget = (int64_t) SHEGU_GEO_WORK_PER_VERTEX * (int64_t) (ix->ne + ix->ns);

	memset(&bs, 0, sizeof bs);
	bs.ix = ix;
	if (!grow(&a, (void **) &bs.stack, &bs.capstack, ix->ne, sizeof(uint32_t))
		|| !grow(&a, (void **) &bs.cands, &bs.capcand, ix->ns, sizeof(cand)))
		ok = false;
	for (i = 0; ok && i < ix->ns; i++)
	{
		const geo_shape *s = &ix->shapes[i];
		cand		c;

		c.shape = (uint32_t) i;
		c.off = (uint32_t) bs.nstack;
		c.n = s->edge_count;
		c.touching = 0;
		for (j = 0; j < s->edge_count; j++)
			bs.stack[bs.nstack++] = ix->edges[s->edge_first + j];
		bs.cands[bs.ncand++] = c;
	}
	if (ok)
		ok = build_cell(&bs, 0, root, 0, 0, 0, UINT64_MAX, 0);
	release(&a, bs.stack);
	release(&a, bs.cands);
	release(&a, bs.inside);
	release(&a, bs.order);
	release(&a, bs.ys);
	if (!ok)
		goto fail;
	shrink(&a, (void **) &ix->nodes, &ix->capn, ix->nn, sizeof(geo_node));
	shrink(&a, (void **) &ix->entries, &ix->capent, ix->nent, sizeof(geo_entry));
	shrink(&a, (void **) &ix->pts, &ix->cappt, ix->npt, sizeof(geo_pt));
	shrink(&a, (void **) &ix->far, &ix->capfar, ix->nfar, sizeof(double));
	shrink(&a, (void **) &ix->chains, &ix->capchain, ix->nchain, sizeof(geo_chain));
	if (!build_raster(ix) || !pack_leaves(ix) || !tile_raster(ix))
		goto fail;
	/* lookups read the rings through the shapes' vertex ranges and the leaves' chains */
	release(&a, ix->edges);
	ix->edges = NULL;
	if (status)
		*status = SHEGU_GEO_OK;
	return ix;

fail:
	if (status && ix->cancelled)
		*status = SHEGU_GEO_CANCELLED;
	index_free_parts(ix);
	release(&a, ix);
	return NULL;
}

void
shegu_geo_free(shegu_geo_index *ix)
{
	shegu_geo_allocator a;

	if (ix == NULL)
		return;
	a = ix->a;
	if (!ix->view)
		index_free_parts(ix);
	release(&a, ix);
}

/* ---- flat images ---- */

#define FLAT_MAGIC		0x53474736u	/* "SGG6" */
#define FLAT_ARRAYS		10

/* The image: this header, a copy of the index's header (pointers zeroed), then the arrays. */
typedef struct geo_flat
{
	uint32_t	magic;
	uint32_t	header_size;	/* sizeof(shegu_geo_index) of the writer */
	uint64_t	total;			/* bytes of the image */
	uint64_t	off[FLAT_ARRAYS];	/* of each array, from the image's start (0: none) */
	uint64_t	len[FLAT_ARRAYS];	/* bytes of each array */
} geo_flat;

#define FLAT_ALIGN(n)	(((n) + 63) & ~(size_t) 63)	/* (a tile is one cache line) */

/* The arrays of an index, in image order, with their byte lengths. */
static void
flat_arrays(const shegu_geo_index *ix, const void **ptr, size_t *len)
{
	size_t		tiles = ix->tiles ? (size_t) ix->tiles_nx
		* ((ix->raster_ny + TILE_SIDE - 1) / TILE_SIDE) : 0;

	ptr[0] = ix->v;
	len[0] = ix->nv * sizeof(geo_pt);
	ptr[1] = ix->edges;
	len[1] = ix->edges ? ix->ne * sizeof(uint32_t) : 0;	/* (freed once built) */
	ptr[2] = ix->shapes;
	len[2] = ix->ns * sizeof(geo_shape);
	ptr[3] = ix->nodes;
	len[3] = ix->nn * sizeof(geo_node);
	ptr[4] = ix->leafmem;
	len[4] = ix->nleafmem * sizeof(uint64_t);
	ptr[5] = ix->tiles;
	len[5] = tiles * sizeof(geo_tile);
	ptr[6] = ix->sub;
	len[6] = ix->nsub * sizeof(uint32_t);
	ptr[8] = ix->ring_start;
	len[8] = ix->ring_start ? ((size_t) ix->rings + 1) * sizeof(uint32_t) : 0;
	ptr[7] = ix->codes;
	len[7] = ix->codes ? ix->ns * sizeof(int64_t) : 0;
	ptr[9] = ix->rest;
	len[9] = ix->nrest * sizeof(uint32_t);
}

size_t
shegu_geo_flat_size(const shegu_geo_index *ix)
{
	const void *ptr[FLAT_ARRAYS];
	size_t		len[FLAT_ARRAYS],
				n = FLAT_ALIGN(sizeof(geo_flat)) + FLAT_ALIGN(sizeof(shegu_geo_index));
	int			i;

	flat_arrays(ix, ptr, len);
	for (i = 0; i < FLAT_ARRAYS; i++)
		n += FLAT_ALIGN(len[i]);
	return n;
}

void
shegu_geo_flatten(const shegu_geo_index *ix, void *buf)
{
	const void *ptr[FLAT_ARRAYS];
	size_t		len[FLAT_ARRAYS],
				at;
	uint8_t    *out = buf;
	geo_flat	h;
	shegu_geo_index copy = *ix;
	int			i;

	flat_arrays(ix, ptr, len);
	memset(&h, 0, sizeof h);
	h.magic = FLAT_MAGIC;
	h.header_size = (uint32_t) sizeof(shegu_geo_index);
	at = FLAT_ALIGN(sizeof(geo_flat)) + FLAT_ALIGN(sizeof(shegu_geo_index));
	for (i = 0; i < FLAT_ARRAYS; i++)
	{
		h.off[i] = len[i] ? at : 0;
		h.len[i] = len[i];
		if (len[i])
			memcpy(out + at, ptr[i], len[i]);
		at += FLAT_ALIGN(len[i]);
	}
	h.total = at;
	/* the header copy holds no pointer: the view sets its own */
	copy.v = NULL;
	copy.edges = NULL;
	copy.shapes = NULL;
	copy.nodes = NULL;
	copy.entries = NULL;
	copy.pts = NULL;
	copy.far = NULL;
	copy.leafmem = NULL;
	copy.raster = NULL;
	copy.tiles = NULL;
	copy.tiles_mem = NULL;
	copy.rest = NULL;
	copy.sub = NULL;
	copy.codes = NULL;
	copy.ring_start = NULL;
	copy.interrupt = NULL;
	copy.interrupt_arg = NULL;
	memset(&copy.a, 0, sizeof copy.a);
	copy.capn = copy.nn;
	copy.capent = 0;
	copy.cappt = 0;
	copy.capfar = 0;
	copy.capsub = copy.nsub;
	memcpy(out, &h, sizeof h);
	memcpy(out + FLAT_ALIGN(sizeof(geo_flat)), &copy, sizeof copy);
}

shegu_geo_index *
shegu_geo_view(const void *buf, size_t len, const shegu_geo_allocator *a)
{
	const uint8_t *in = buf;
	geo_flat	h;
	shegu_geo_index *ix;
	void	   *arr[FLAT_ARRAYS];
	int			i;

	if (len < FLAT_ALIGN(sizeof(geo_flat)) + FLAT_ALIGN(sizeof(shegu_geo_index)))
		return NULL;
	memcpy(&h, in, sizeof h);
	if (h.magic != FLAT_MAGIC || h.header_size != sizeof(shegu_geo_index) || h.total != len)
		return NULL;
	for (i = 0; i < FLAT_ARRAYS; i++)
	{
		if (h.off[i] > len || h.len[i] > len - h.off[i])
			return NULL;
		arr[i] = h.len[i] ? (void *) (in + h.off[i]) : NULL;
	}
	ix = a->alloc(a->ctx, sizeof(shegu_geo_index));
	if (ix == NULL)
		return NULL;
	memcpy(ix, in + FLAT_ALIGN(sizeof(geo_flat)), sizeof(shegu_geo_index));
	ix->a = *a;
	ix->view = true;
	ix->v = arr[0];
	ix->edges = arr[1];
	ix->shapes = arr[2];
	ix->nodes = arr[3];
	ix->leafmem = arr[4];
	ix->raster = NULL;
	ix->tiles = arr[5];
	ix->tiles_mem = NULL;
	ix->rest = arr[9];
	ix->sub = arr[6];
	ix->codes = arr[7];
	ix->ring_start = arr[8];
	return ix;
}

/* ---- queries ---- */

/* The answer in the leaf whose block is blk (see pack_leaves). */
static inline int64_t
leaf_locate(const shegu_geo_index *ix, const uint64_t *blk, double x, double y, int32_t day)
{
	const geo_packed *e = (const geo_packed *) (blk + 1);
	const geo_packed *end;
	const uint64_t *d;
	const geo_pt *v = ix->v;
	bool		window = valid_on(ix->raster_from, ix->raster_to, day);
	uint64_t	h;
	size_t		w,
				words;

	/*
	 * The block spans a few cache lines, read in order: fetch them together rather than one
	 * after another (most of a lookup near a boundary is waiting for memory).  The first few
	 * before the header says how many (leafmem ends with LEAF_PAD words to spare).
	 */
	__builtin_prefetch(blk + 8);
	__builtin_prefetch(blk + 16);
	h = blk[0];
	words = (size_t) (h >> 32);
	for (w = 24; w < words && w < LEAF_PREFETCH_WORDS; w += 8)
		__builtin_prefetch(blk + w);
	end = e + (uint32_t) h;
	d = blk + 1 + ((size_t) (uint32_t) h * sizeof(geo_packed) + 7) / 8;

	/*
	 * The chains' vertices lie elsewhere in v[] (shared by the leaves their edges touch): ask for
	 * those of the first entries a lookup may test, up to the first inside one, all at once.
	 */
	{
		const geo_packed *p;
		const uint64_t *dd = d;
		int			asked = 0;

		for (p = e; p < end && asked < 12; p++)
		{
			uint32_t	nf = p->n_far,
						nc = p->n_chains,
						sh = p->shape & LEAF_SHAPE;
			uint32_t	i;

			if (nf == LEAF_BIG || nc == LEAF_BIG)
			{
				nf = (uint32_t) dd[0];
				nc = (uint32_t) (dd[0] >> 32);
				dd++;
			}
			if (window ? (p->shape & LEAF_WINDOW) : valid_on(ix->shapes[sh].from, ix->shapes[sh].to, day))
			{
				const geo_chain *ch = (const geo_chain *) (dd + nf);

				if (nf == 0 && nc == 0)
					break;
				for (i = 0; i < nc && asked < 12; i++, asked++)
				{
					__builtin_prefetch(&v[ch[i].first]);
					if (ch[i].n >= 4)
						__builtin_prefetch(&v[ch[i].first + 4]);
				}
			}
			dd += nf + nc;
		}
	}

	for (; e < end; e++)
	{
		uint32_t	nf = e->n_far,
					nc = e->n_chains,
					sh = e->shape & LEAF_SHAPE;
		const geo_chain *ch;
		bool		inside;
		uint32_t	i;

		if (nf == LEAF_BIG || nc == LEAF_BIG)
		{
			nf = (uint32_t) d[0];
			nc = (uint32_t) (d[0] >> 32);
			d++;
		}
		if (window ? !(e->shape & LEAF_WINDOW)
			: !valid_on(ix->shapes[sh].from, ix->shapes[sh].to, day))
		{
			d += nf + nc;
			continue;
		}
		if (nf == 0 && nc == 0)
			return ix->codes[sh];
		ch = (const geo_chain *) (d + nf);
		inside = ((e->shape & LEAF_FAR_ODD) != 0) ^ (nf > 0 && far_parity((const double *) d, nf, y));
		for (i = 0; i < nc; i++)
		{
			const geo_pt *p = &v[ch[i].first];
			const geo_pt *pe = p + ch[i].n;

			for (; p < pe; p++)
			{
				int			t = edge_test(p, p + 1, x, y);

				if (t == 2)
					return ix->codes[sh];
				inside ^= (t == 1);
			}
		}
		if (inside)
			return ix->codes[sh];
		d += nf + nc;
	}
	return 0;
}

void
shegu_geo_prefetch(const shegu_geo_index *ix, double x, double y)
{
	double		fx,
				fy;

	if (ix == NULL || ix->raster_bits <= 0 || ix->tiles == NULL)
		return;
	fx = (x - ix->raster_x0) * ix->raster_inv;
	fy = (y - ix->raster_y0) * ix->raster_inv;
	/* (the comparisons are false for NaN) */
	if (fx >= 0 && fy >= 0 && fx < (double) ix->raster_nx && fy < (double) ix->raster_ny)
		__builtin_prefetch(&ix->tiles[((size_t) fy >> TILE_SHIFT) * ix->tiles_nx + ((size_t) fx >> TILE_SHIFT)]);
}

/*
 * The quarter of the cell at (*cx0, *cy0) of side *cell that holds (x, y), with the tree's own
 * split rule (a point on the middle line goes low); the cell becomes that quarter.
 */
static inline uint32_t
quarter_of(double x, double y, double *cx0, double *cy0, double *cell)
{
	double		half = *cell * 0.5;
	uint32_t	q = 0;

	if (x > *cx0 + half)
	{
		q = 1;
		*cx0 += half;
	}
	if (y > *cy0 + half)
	{
		q |= 2;
		*cy0 += half;
	}
	*cell = half;
	return q;
}

int64_t
shegu_geo_locate(const shegu_geo_index *ix, double x, double y, int32_t day)
{
	const geo_node *n;
	double		x0 = ix->x0,
				y0 = ix->y0,
				x1 = ix->x1,
				y1 = ix->y1;

	if (ix->ns == 0 || !(x >= x0 && x <= x1 && y >= y0 && y <= y1))
		return 0;
	n = ix->nodes;
	if (ix->tiles != NULL && valid_on(ix->raster_from, ix->raster_to, day))
	{
		uint32_t	i,
					j,
					v;
		double		cx0,
					cy0;

		if (raster_cell_of(ix, x, y, &i, &j, &cx0, &cy0))
		{
			double		cell = ix->raster_cell;

			const uint32_t *quarters;

			v = raster_value(ix, i, j, &quarters);
			if (quarters != NULL)
			{
				/* the cell's quarters, in rest[] in its place (see TILE_QUARTERS) */
				v = quarters[quarter_of(x, y, &cx0, &cy0, &cell)];
			}
			while (raster_is_sub(v))
			{
				/* the quarter of the cell, with the tree's own split rule */
				const uint32_t *blk = &ix->sub[(size_t) (v & RASTER_INDEX) * 4];

				/*
				 * The quarters' own blocks follow their parent's (sub_split allocates depth
				 * first): ask for the next cache line now, with this one.
				 */
				__builtin_prefetch(blk + 16);
				v = blk[quarter_of(x, y, &cx0, &cy0, &cell)];
			}
			if (v == RASTER_NONE)
				return 0;
			if (v & RASTER_DIRECT)
				return ix->codes[v & RASTER_INDEX];
			if (v & RASTER_LEAF)
				return leaf_locate(ix, ix->leafmem + (v & RASTER_INDEX), x, y, day);
			n = &ix->nodes[v];
			x0 = cx0;
			y0 = cy0;
			x1 = cx0 + cell;
			y1 = cy0 + cell;
		}
	}
	while (n->child != 0)
	{
		double		mx = (x0 + x1) * 0.5;
		double		my = (y0 + y1) * 0.5;
		uint32_t	q = 0;

		if (x > mx)
		{
			q = 1;
			x0 = mx;
		}
		else
			x1 = mx;
		if (y > my)
		{
			q |= 2;
			y0 = my;
		}
		else
			y1 = my;
		n = &ix->nodes[n->child + q];
	}
	return leaf_locate(ix, ix->leafmem + n->entry_off, x, y, day);
}

int64_t
shegu_geo_locate_brute(const shegu_geo_index *ix, double x, double y, int32_t day)
{
	size_t		i;

	for (i = 0; i < ix->ns; i++)
	{
		const geo_shape *s = &ix->shapes[i];

		if (!valid_on(s->from, s->to, day))
			continue;
		if (!(x >= s->min_x && x <= s->max_x && y >= s->min_y && y <= s->max_y))
			continue;
		if (covered_rings(ix->v, ix->ring_start + s->ring_first, s->ring_count, x, y))
			return s->code;
	}
	return 0;
}

void
shegu_geo_stats_get(const shegu_geo_index *ix, shegu_geo_stats *out)
{
	memset(out, 0, sizeof *out);
	out->shapes = (int64_t) ix->ns;
	out->rings = ix->rings;
	out->vertices = (int64_t) ix->nv;
	out->nodes = (int64_t) ix->nn;
	out->leaves = ix->leaves;
	out->entries = (int64_t) ix->nent;
	out->boundary_entries = ix->boundary_entries;
	out->edge_refs = (int64_t) ix->nref;
	out->chains = (int64_t) ix->nchain;
	out->far_values = (int64_t) ix->nfar;
	out->depth = ix->depth;
	out->work = ix->work;
	out->split_depth = ix->split_depth;
	out->budget_spent = ix->budget_spent;
	out->bytes_vertices = ix->nv * sizeof(geo_pt) + (ix->edges ? ix->ne * sizeof(uint32_t) : 0)
		+ (ix->ring_start ? ((size_t) ix->rings + 1) * sizeof(uint32_t) : 0);
	out->bytes_shapes = ix->ns * sizeof(geo_shape);
	out->bytes_nodes = ix->capn * sizeof(geo_node);
	out->bytes_leaves = ix->nleafmem * sizeof(uint64_t);
	out->bytes_raster = (ix->tiles ? (size_t) ix->tiles_nx * ((ix->raster_ny + TILE_SIDE - 1) / TILE_SIDE)
		* sizeof(geo_tile) + ix->nrest * sizeof(uint32_t) + ix->capsub * sizeof(uint32_t) : 0) + (ix->codes ? ix->ns * sizeof(int64_t) : 0);
	out->bytes = sizeof(shegu_geo_index) + out->bytes_vertices + out->bytes_shapes + out->bytes_nodes
		+ out->bytes_leaves + out->bytes_raster;
	out->raster_from = ix->raster_from;
	out->raster_to = ix->raster_to;
	out->raster_sub_cells = (int64_t) ix->nquarters;
	out->raster_sub_direct = ix->sub_direct;
	out->raster_cells = ix->raster_bits ? (int64_t) ix->raster_nx * ix->raster_ny : 0;
	out->raster_bits = ix->raster_bits;
	out->raster_direct = ix->raster_direct;
	out->raster_escaped = (int64_t) ix->nescaped;
	out->min_x = ix->x0;
	out->min_y = ix->y0;
	out->max_x = ix->x1;
	out->max_y = ix->y1;
}

void
shegu_geo_raster_days(const shegu_geo_index *ix, int32_t *from, int32_t *to)
{
	*from = ix->raster_from;
	*to = ix->raster_to;
}

int64_t
shegu_geo_vertex_count(const shegu_geo_index *ix)
{
	return (int64_t) ix->nv;
}

void
shegu_geo_vertex(const shegu_geo_index *ix, int64_t i, double *x, double *y)
{
	*x = ix->v[i].x;
	*y = ix->v[i].y;
}

const char *
shegu_geo_status_name(shegu_geo_status status)
{
	switch (status)
	{
		case SHEGU_GEO_OK:
			return "ok";
		case SHEGU_GEO_TRUNCATED:
			return "the EWKB ends before the geometry does";
		case SHEGU_GEO_TRAILING:
			return "bytes follow the end of the geometry";
		case SHEGU_GEO_BAD_BYTE_ORDER:
			return "a byte-order byte is neither 0 nor 1";
		case SHEGU_GEO_NOT_POLYGONAL:
			return "the geometry is not a Polygon or MultiPolygon";
		case SHEGU_GEO_EMPTY:
			return "the geometry is empty";
		case SHEGU_GEO_SHORT_RING:
			return "a ring has fewer than 4 points";
		case SHEGU_GEO_OPEN_RING:
			return "a ring does not end where it starts";
		case SHEGU_GEO_NOT_FINITE:
			return "a coordinate is not finite";
		case SHEGU_GEO_BAD_PERIOD:
			return "valid_to is not after valid_from";
		case SHEGU_GEO_TOO_LARGE:
			return "more points than the index can address";
		case SHEGU_GEO_NO_MEMORY:
			return "out of memory";
		case SHEGU_GEO_CANCELLED:
			return "the build was cancelled";
	}
	return "unknown status";
}
