/* Unit tests of the layered lookup index: a base index, the mask of the boxes of edited grids
 * and a delta index of the grids the mask touches answer like a full rebuild, after random edit
 * sequences; so do stacked layers (one per commit, merged now and then).  test/unit/test_geo_layers.c */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "geo.h"
#include "geo_mask.h"

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

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double) (rng >> 11) * 0x1p-53;
}

/* One grid version: a polygon of up to 8 vertices (a box or a jagged star inside a box). */
typedef struct rec
{
	int64_t		code;
	int			level;
	int32_t		from,
				to;
	int			n;
	double		xy[16];
	bool		alive;
} rec;

#define MAXREC 600
static rec recs[MAXREC];
static int add_failed;
static int nrec;

static void
put_u32(uint8_t *buf, size_t *len, uint32_t v)
{
	memcpy(buf + *len, &v, 4);	/* little-endian machines: the WKB says so below */
	*len += 4;
}

static void
put_double(uint8_t *buf, size_t *len, double d)
{
	memcpy(buf + *len, &d, 8);
	*len += 8;
}

static size_t
rec_wkb(const rec *r, uint8_t *buf)
{
	size_t		len = 0;
	int			i;
	uint16_t	one = 1;

	buf[len++] = *(uint8_t *) &one;	/* the machine's own byte order */
	put_u32(buf, &len, 3);
	put_u32(buf, &len, 1);
	put_u32(buf, &len, (uint32_t) r->n + 1);
	for (i = 0; i <= r->n; i++)
	{
		put_double(buf, &len, r->xy[2 * (i % r->n)]);
		put_double(buf, &len, r->xy[2 * (i % r->n) + 1]);
	}
	return len;
}

static void
rec_box(const rec *r, shegu_geo_box *b)
{
	int			i;

	b->x0 = b->x1 = r->xy[0];
	b->y0 = b->y1 = r->xy[1];
	for (i = 1; i < r->n; i++)
	{
		b->x0 = fmin(b->x0, r->xy[2 * i]);
		b->x1 = fmax(b->x1, r->xy[2 * i]);
		b->y0 = fmin(b->y0, r->xy[2 * i + 1]);
		b->y1 = fmax(b->y1, r->xy[2 * i + 1]);
	}
}

static bool
boxes_meet(const shegu_geo_box *a, const shegu_geo_box *b)
{
	return a->x0 <= b->x1 && b->x0 <= a->x1 && a->y0 <= b->y1 && b->y0 <= a->y1;
}

/* A random shape: a box, or a star of 8 vertices around a centre (simple: angles increase). */
static void
random_shape(rec *r, double cx, double cy, double size)
{
	if (urand() < 0.5)
	{
		double		w = size * (0.3 + urand()),
					h = size * (0.3 + urand());

		r->n = 4;
		r->xy[0] = cx - w; r->xy[1] = cy - h;
		r->xy[2] = cx + w; r->xy[3] = cy - h;
		r->xy[4] = cx + w; r->xy[5] = cy + h;
		r->xy[6] = cx - w; r->xy[7] = cy + h;
	}
	else
	{
		int			i;

		r->n = 8;
		for (i = 0; i < 8; i++)
		{
			double		a = 2 * M_PI * i / 8,
						rad = size * (0.4 + urand());

			r->xy[2 * i] = cx + rad * cos(a);
			r->xy[2 * i + 1] = cy + rad * sin(a);
		}
	}
}

static void
random_period(rec *r)
{
	double		u = urand();

	r->from = SHEGU_GEO_DAY_MIN;
	r->to = SHEGU_GEO_DAY_MAX;
	if (u < 0.2)
		r->to = 100;				/* a past version */
	else if (u < 0.3)
		r->from = 100;				/* from day 100 on */
}

/* Set by the delta's builds: a grid that covers this box is read as the box (as the binding does). */
static const shegu_geo_box *hull = NULL;
static int substituted = 0;
static int substituted_rects = 0;
typedef struct rects
{
	shegu_geo_box *r;
	size_t		n;
} rects;
static const rects *hull_rects = NULL;		/* ... and one that covers each rectangle its box meets, as those */

static shegu_geo_index *
build(bool (*take) (const rec *r, void *arg), void *arg)
{
	shegu_geo_builder *b = shegu_geo_builder_new(&heap);
	shegu_geo_options opt = {0};
	uint8_t		buf[1024];
	int			i;

	opt.raster_day = 200;
	opt.raster_day_set = true;
	for (i = 0; i < nrec; i++)
		if (recs[i].alive && (take == NULL || take(&recs[i], arg)))
		{
			size_t		len = rec_wkb(&recs[i], buf);

			if (hull != NULL && shegu_geo_covers_box(buf, len, hull))
			{
				len = shegu_geo_box_ewkb(hull, 4326, buf);
				substituted++;
			}
			else if (hull != NULL && hull_rects != NULL)
			{
				int			met[32];
				int			m = shegu_geo_covered_rects(buf, len, hull_rects->r, hull_rects->n, met, 32),
							j;

				if (m >= 0)
				{
					/* as the rectangles its box meets, one box each (as the binding does) */
					for (j = 0; j < m; j++)
					{
						uint8_t		bx[SHEGU_GEO_BOX_EWKB_LEN];
						size_t		bl = shegu_geo_box_ewkb(&hull_rects->r[met[j]], 4326, bx);

						if (shegu_geo_builder_add(b, bx, bl, recs[i].code, recs[i].level, recs[i].from,
												  recs[i].to, NULL, NULL) != SHEGU_GEO_OK)
							add_failed++;
					}
					substituted_rects++;
					continue;
				}
			}
			if (shegu_geo_builder_add(b, buf, len, recs[i].code, recs[i].level, recs[i].from,
									  recs[i].to, NULL, NULL) != SHEGU_GEO_OK)
				add_failed++;
		}
	return shegu_geo_build(b, &opt, NULL);
}


static bool
in_rects(const rec *r, void *arg)
{
	const rects *rs = (const rects *) arg;
	shegu_geo_box b;
	size_t		k;

	rec_box(r, &b);
	for (k = 0; k < rs->n; k++)
		if (boxes_meet(&b, &rs->r[k]))
			return true;
	return false;
}

static int64_t
layered(const shegu_geo_index *base, const void *mask, const shegu_geo_index *delta,
		double x, double y, int32_t day)
{
	if (delta != NULL && shegu_geo_mask_covers(mask, x, y))
		return shegu_geo_locate(delta, x, y, day);
	return shegu_geo_locate(base, x, y, day);
}

/* A delta layer: the mask of boxes[from, to) and the delta of what its rectangles meet. */
typedef struct layer
{
	void	   *mask;
	shegu_geo_index *delta;
	size_t		from,
				to;
} layer;

static layer
build_layer(const shegu_geo_box *boxes, size_t from, size_t to)
{
	layer		l;
	shegu_geo_box *rs;
	size_t		nr,
				q;
	rects		rr;
	shegu_geo_box h;

	l.mask = malloc(shegu_geo_mask_size());
	l.from = from;
	l.to = to;
	shegu_geo_mask_build(l.mask, boxes + from, to - from);
	nr = shegu_geo_mask_rects(l.mask, NULL, 0);
	rs = malloc(sizeof(shegu_geo_box) * (nr + 1));
	shegu_geo_mask_rects(l.mask, rs, nr);
	rr.r = rs;
	rr.n = nr;
	h = rs[0];
	for (q = 1; q < nr; q++)
	{
		h.x0 = fmin(h.x0, rs[q].x0);
		h.y0 = fmin(h.y0, rs[q].y0);
		h.x1 = fmax(h.x1, rs[q].x1);
		h.y1 = fmax(h.y1, rs[q].y1);
	}
	hull = &h;
	hull_rects = &rr;
	l.delta = build(in_rects, &rr);
	hull = NULL;
	hull_rects = NULL;
	free(rs);
	return l;
}

static void
free_layer(layer *l)
{
	shegu_geo_free(l->delta);
	free(l->mask);
}

/* The newest layer whose mask holds the point answers, else the base (as the binding does). */
static int64_t
stacked(const shegu_geo_index *base, const layer *ls, int n, double x, double y, int32_t day)
{
	int			i;

	for (i = n - 1; i >= 0; i--)
		if (shegu_geo_mask_covers(ls[i].mask, x, y))
			return shegu_geo_locate(ls[i].delta, x, y, day);
	return shegu_geo_locate(base, x, y, day);
}

static void
test_mask(void)
{
	void	   *m = malloc(shegu_geo_mask_size());
	shegu_geo_box b[3] = {{1, 1, 2, 2}, {5, 5, 5, 5}, {1.5, 8, 9, 9}};
	shegu_geo_box out[64];
	size_t		n,
				k;
	int			i,
				bad = 0,
				outside = 0;

	shegu_geo_mask_build(m, b, 0);
	CHECK(shegu_geo_mask_empty(m) && !shegu_geo_mask_covers(m, 0, 0), "mask: empty covers nothing");
	CHECK_INT(shegu_geo_mask_rects(m, out, 64), 0, "mask: empty has no rectangles");
	shegu_geo_mask_build(m, b, 1);
	n = shegu_geo_mask_rects(m, out, 64);
	CHECK_INT(n, 1, "mask: one box gives one rectangle");
	CHECK(out[0].x0 <= 1 && out[0].x1 >= 2 && out[0].y0 <= 1 && out[0].y1 >= 2 && out[0].x1 < 2.001,
		  "mask: the rectangle of one box is that box, a little enlarged");
	shegu_geo_mask_build(m, b, 3);
	n = shegu_geo_mask_rects(m, out, 64);
	CHECK(n >= 3 && n <= 64, "mask: three boxes give a few rectangles");
	for (i = 0; i < 200000; i++)
	{
		double		x = urand() * 10,
					y = urand() * 10;
		bool		in_box = false,
					in_rect = false;

		if (i < 3 * 4)
		{
			/* the corners of each box */
			x = (i & 1) ? b[i / 4].x1 : b[i / 4].x0;
			y = (i & 2) ? b[i / 4].y1 : b[i / 4].y0;
		}
		for (k = 0; k < 3; k++)
			in_box |= (x >= b[k].x0 && x <= b[k].x1 && y >= b[k].y0 && y <= b[k].y1);
		for (k = 0; k < n; k++)
			in_rect |= (x >= out[k].x0 && x <= out[k].x1 && y >= out[k].y0 && y <= out[k].y1);
		if (in_box && !shegu_geo_mask_covers(m, x, y))
			bad++;
		if (shegu_geo_mask_covers(m, x, y) && !in_rect)
			outside++;
	}
	CHECK_INT(bad, 0, "mask: every point of every box (corners included) is covered");
	CHECK_INT(outside, 0, "mask: every covered point lies in a rectangle");
	free(m);
}

/*
 * The registry every sequence starts from: a county (3) of four townships (40-43) and 150 basic
 * grids of random shapes and periods (larger ones in every third sequence).
 */
static void
seed_registry(int seq)
{
	int			i;

	nrec = 0;
	recs[nrec++] = (rec) {3, 3, SHEGU_GEO_DAY_MIN, SHEGU_GEO_DAY_MAX, 4, {0, 0, 16, 0, 16, 16, 0, 16}, true};
	for (i = 0; i < 4; i++)
	{
		double		x = (i & 1) * 8,
					y = (i >> 1) * 8;

		recs[nrec++] = (rec) {40 + i, 4, SHEGU_GEO_DAY_MIN, SHEGU_GEO_DAY_MAX, 4,
		{x, y, x + 8, y, x + 8, y + 8, x, y + 8}, true};
	}
	for (i = 0; i < 150; i++)
	{
		rec		   *r = &recs[nrec++];

		r->code = 600 + i;
		r->level = 6;
		r->alive = true;
		random_shape(r, urand() * 16, urand() * 16, 0.3 + urand() * (seq % 3 == 0 ? 2 : 0.6));
		random_period(r);
	}
}

/*
 * One random edit of the registry, its boxes appended: a grid deleted, redrawn nearby, closed on
 * day 150 with a new version from then, or a new grid.
 */
static void
random_edit(shegu_geo_box *boxes, size_t *nboxes)
{
	double		u = urand();
	rec		   *r = &recs[5 + (int) (urand() * (nrec - 5))];

	if (!r->alive || nrec >= MAXREC)
		return;
	rec_box(r, &boxes[(*nboxes)++]);	/* the old boundary */
	if (u < 0.3)
		r->alive = false;
	else if (u < 0.6)
	{
		shegu_geo_box ob = boxes[*nboxes - 1];

		random_shape(r, (ob.x0 + ob.x1) / 2 + urand() - 0.5, (ob.y0 + ob.y1) / 2 + urand() - 0.5,
					 0.3 + urand() * 0.6);
		rec_box(r, &boxes[(*nboxes)++]);
	}
	else if (u < 0.8 && r->to == SHEGU_GEO_DAY_MAX && r->from < 150)
	{
		rec		   *n = &recs[nrec++];

		*n = *r;
		r->to = 150;
		n->from = 150;
		random_shape(n, urand() * 16, urand() * 16, 0.3 + urand() * 0.6);
		rec_box(n, &boxes[(*nboxes)++]);
	}
	else
	{
		rec		   *n = &recs[nrec++];

		n->code = 2000 + nrec;
		n->level = urand() < 0.2 ? 7 : 6;
		n->alive = true;
		random_shape(n, urand() * 16, urand() * 16, 0.2 + urand() * 0.6);
		random_period(n);
		rec_box(n, &boxes[(*nboxes)++]);
	}
}

/*
 * A registry of a county, 4 townships and random basic grids; random edits (redraws, deletions,
 * new grids, closed versions) in rounds; after each round the layered index (base of the start,
 * mask of every box touched since, delta of what the mask's rectangles meet) must answer like
 * the brute force over the registry as it is, on random points and on every vertex.
 */
static void
test_edit_sequences(void)
{
	int			seq,
				bad = 0,
				probes = 0,
				rounds = 0;

	for (seq = 0; seq < 12; seq++)
	{
		shegu_geo_index *base;
		shegu_geo_box *boxes = malloc(sizeof(shegu_geo_box) * 20000);
		size_t		nboxes = 0;
		void	   *mask = malloc(shegu_geo_mask_size());
		int			i,
					round;

		seed_registry(seq);
		base = build(NULL, NULL);
		for (round = 0; round < 5; round++)
		{
			int			k = 1 + (int) (urand() * (round == 4 ? 40 : 4));
			shegu_geo_index *full,
					   *delta;
			shegu_geo_box *rs;
			size_t		nr;
			rects		rr;

			for (i = 0; i < k && nrec < MAXREC; i++)
				random_edit(boxes, &nboxes);
			shegu_geo_mask_build(mask, boxes, nboxes);
			nr = shegu_geo_mask_rects(mask, NULL, 0);
			rs = malloc(sizeof(shegu_geo_box) * (nr + 1));
			shegu_geo_mask_rects(mask, rs, nr);
			rr.r = rs;
			rr.n = nr;
			{
				shegu_geo_box h = rs[0];
				size_t		q;

				for (q = 1; q < nr; q++)
				{
					h.x0 = fmin(h.x0, rs[q].x0);
					h.y0 = fmin(h.y0, rs[q].y0);
					h.x1 = fmax(h.x1, rs[q].x1);
					h.y1 = fmax(h.y1, rs[q].y1);
				}
				hull = &h;
				hull_rects = &rr;
				delta = build(in_rects, &rr);
				hull = NULL;
				hull_rects = NULL;
			}
			full = build(NULL, NULL);
			for (i = 0; i < 6000; i++)
			{
				double		x = urand() * 17 - 0.5,
							y = urand() * 17 - 0.5;
				int32_t		day = (i % 3 == 0) ? 50 : (i % 3 == 1) ? 120 : 200;
				int64_t		want,
							got;

				if (i % 4 == 0)
				{
					/* a vertex of a live grid */
					rec		   *r = &recs[(int) (urand() * nrec)];
					int			v = (int) (urand() * r->n);

					x = r->xy[2 * v];
					y = r->xy[2 * v + 1];
				}
				want = shegu_geo_locate_brute(full, x, y, day);
				got = layered(base, mask, delta, x, y, day);
				probes++;
				if (want != got)
				{
					if (bad < 5)
						printf("#   seq %d round %d (%.17g %.17g) day %d: layered %lld, rebuilt %lld\n",
							   seq, round, x, y, day, (long long) got, (long long) want);
					bad++;
				}
			}
			rounds++;
			shegu_geo_free(full);
			shegu_geo_free(delta);
			free(rs);
		}
		shegu_geo_free(base);
		free(boxes);
		free(mask);
	}
	CHECK_INT(add_failed, 0, "layers: every grid version was taken by the builder");
	CHECK(rounds == 60, "layers: 12 registries, 5 rounds of random edits each");
	CHECK_INT(bad, 0, "layers: base + mask + delta answer like the brute force after every round");
	printf("#   %d probes compared\n", probes);
	CHECK(substituted > 0, "layers: grids that cover the whole dirty region were read as its hull");
	printf("#   %d grids read as the hull\n", substituted);
	CHECK(substituted_rects > 0, "layers: grids that cover each dirty rectangle they meet were read as those rectangles");
	printf("#   %d grids read as rectangles\n", substituted_rects);
}

/* One random edit of recs (a redraw, deletion, closed version or new grid); its boxes appended. */
/*
 * Stacked layers, as the shared index keeps them: after each commit (a few random edits) a new
 * layer over only that commit's boxes goes on top; when the stack is full the newest layer is
 * rebuilt over its boxes and the new ones; now and then (a quiet moment) every layer is merged
 * into one over all the boxes since the base.  After every commit the stack must answer like the
 * brute force over the registry as it is, on random points and on every vertex, on three days.
 */
#define STACK_MAX 4
static void
test_stacked_sequences(void)
{
	int			seq,
				bad = 0,
				probes = 0,
				commits = 0,
				merges = 0,
				absorbed = 0;

	for (seq = 0; seq < 8; seq++)
	{
		shegu_geo_index *base;
		shegu_geo_box *boxes = malloc(sizeof(shegu_geo_box) * 20000);
		size_t		nboxes = 0;
		layer		ls[STACK_MAX];
		int			nl = 0,
					i,
					c;

		seed_registry(seq);
		base = build(NULL, NULL);
		for (c = 0; c < 10; c++)
		{
			size_t		start = nboxes,
						from;
			int			k = 1 + (int) (urand() * (c == 9 ? 30 : 3));
			shegu_geo_index *full;

			for (i = 0; i < k; i++)
				random_edit(boxes, &nboxes);
			if (nboxes == start)
				continue;			/* nothing changed */
			from = start;
			if (nl == STACK_MAX)
			{
				/* the stack is full: the newest layer is rebuilt with the new boxes */
				from = ls[nl - 1].from;
				free_layer(&ls[--nl]);
				absorbed++;
			}
			ls[nl++] = build_layer(boxes, from, nboxes);
			if (c % 4 == 3 && nl > 1)
			{
				/* a quiet moment: every layer merged into one */
				while (nl > 0)
					free_layer(&ls[--nl]);
				ls[nl++] = build_layer(boxes, 0, nboxes);
				merges++;
			}
			full = build(NULL, NULL);
			for (i = 0; i < 4000; i++)
			{
				double		x = urand() * 17 - 0.5,
							y = urand() * 17 - 0.5;
				int32_t		day = (i % 3 == 0) ? 50 : (i % 3 == 1) ? 120 : 200;
				int64_t		want,
							got;

				if (i % 4 == 0)
				{
					rec		   *r = &recs[(int) (urand() * nrec)];
					int			v = (int) (urand() * r->n);

					x = r->xy[2 * v];
					y = r->xy[2 * v + 1];
				}
				want = shegu_geo_locate_brute(full, x, y, day);
				got = stacked(base, ls, nl, x, y, day);
				probes++;
				if (want != got)
				{
					if (bad < 5)
						printf("#   stacked seq %d commit %d (%.17g %.17g) day %d: layers %lld, rebuilt %lld\n",
							   seq, c, x, y, day, (long long) got, (long long) want);
					bad++;
				}
			}
			commits++;
			shegu_geo_free(full);
		}
		while (nl > 0)
			free_layer(&ls[--nl]);
		shegu_geo_free(base);
		free(boxes);
	}
	CHECK(commits >= 70, "stacked: 8 registries, about 10 commits of random edits each");
	CHECK(absorbed > 0, "stacked: a full stack had its newest layer rebuilt with the new boxes");
	CHECK(merges > 0, "stacked: layers were merged into one");
	CHECK_INT(bad, 0, "stacked: base + layers (newest mask first) answer like the brute force after every commit");
	printf("#   %d probes compared over %d commits, %d merges, %d absorbed\n", probes, commits, merges, absorbed);
}

static void
test_covers_box(void)
{
	rec			r = {1, 6, 0, 0, 4, {0, 0, 10, 0, 10, 10, 0, 10}, true};
	uint8_t		buf[1024];
	size_t		len = rec_wkb(&r, buf);
	shegu_geo_box in = {1, 1, 2, 2},
				edge = {0, 1, 2, 2},
				corner = {-1, -1, 0, 0},
				out = {11, 11, 12, 12},
				around = {-1, -1, 11, 11};
	uint8_t		hb[SHEGU_GEO_BOX_EWKB_LEN];
	size_t		hl;

	CHECK(shegu_geo_covers_box(buf, len, &in), "covers_box: a box inside a square");
	CHECK(!shegu_geo_covers_box(buf, len, &edge), "covers_box: a box touching the edge is not taken (conservative)");
	CHECK(!shegu_geo_covers_box(buf, len, &corner), "covers_box: a box touching a corner from outside");
	CHECK(!shegu_geo_covers_box(buf, len, &out), "covers_box: a box outside");
	CHECK(!shegu_geo_covers_box(buf, len, &around), "covers_box: a box around the square");
	CHECK(!shegu_geo_covers_box(buf, len - 1, &in), "covers_box: truncated EWKB says no");
	hl = shegu_geo_box_ewkb(&around, 4326, hb);
	CHECK_INT(hl, SHEGU_GEO_BOX_EWKB_LEN, "box_ewkb: its length");
	CHECK(shegu_geo_covers_box(hb, hl, &in), "box_ewkb: reads back as a polygon that covers what it holds");
	/* a ring with a hole around the box */
	{
		uint8_t		hole[1024];
		size_t		l = 0;
		double		outer[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0},
					inner[] = {0.5, 0.5, 3, 0.5, 3, 3, 0.5, 3, 0.5, 0.5};
		uint32_t	v;
		int			i;

		hole[l++] = 1;
		v = 3; memcpy(hole + l, &v, 4); l += 4;
		v = 2; memcpy(hole + l, &v, 4); l += 4;
		v = 5; memcpy(hole + l, &v, 4); l += 4;
		for (i = 0; i < 10; i++) { memcpy(hole + l, &outer[i], 8); l += 8; }
		v = 5; memcpy(hole + l, &v, 4); l += 4;
		for (i = 0; i < 10; i++) { memcpy(hole + l, &inner[i], 8); l += 8; }
		CHECK(!shegu_geo_covers_box(hole, l, &in), "covers_box: a box in a hole is not covered");
		CHECK(shegu_geo_covers_box(hole, l, &(shegu_geo_box) {5, 5, 6, 6}), "covers_box: a box beside the hole is");
	}
}

int
main(void)
{
	test_mask();
	test_covers_box();
	test_edit_sequences();
	test_stacked_sequences();
	return UNIT_DONE();
}
