/* The dirty region of a layered lookup index: a bitmap of cells over the union of the boxes of
 * edited grids, and the rectangles to read again.  src/engine/geo_mask.c — pure C. */
#include "geo_mask.h"

#include "ewkb.h"
#include "geo.h"

#include <math.h>
#include <string.h>

#define SIDE	SHEGU_GEO_MASK_SIDE
#define WORDS	(SIDE * SIDE / 64)
#define MAGIC	0x4b53414d55474553ull	/* "SEGUMASK" */

/*
 * Up to this many boxes the mask also keeps the boxes themselves: a point is in the mask when it
 * is in a marked cell and in one of the boxes, and the rectangles to read again are the boxes.
 * Edits far apart (a basic grid here, another across the province) make a union whose cells are
 * each as wide as a township: read again as cells, one edit read some twenty grids and the
 * townships around them in full, and the delta took 100-300 ms to build on a province.
 */
#define LIST	64

typedef struct geo_mask
{
	uint64_t	magic;
	uint64_t	nboxes;			/* boxes it was built from (0: empty) */
	double		x0,
				y0,
				x1,
				y1;				/* the union of the boxes */
	double		sx,
				sy;				/* cells per unit of x and y */
	uint64_t	bits[WORDS];	/* row j, column i at bit j * SIDE + i */
	uint64_t	nlist;			/* boxes kept in list[] (0: more than LIST, the cells decide) */
	shegu_geo_box list[LIST];
} geo_mask;

size_t
shegu_geo_mask_size(void)
{
	return sizeof(geo_mask);
}

/*
 * The cell column of x: the same monotone computation for box corners and points, so a point
 * between two corners falls in a column between theirs.
 */
static int
col(double v, double lo, double s)
{
	double		c = (v - lo) * s;

	if (!(c >= 0))
		return 0;
	if (c >= SIDE - 1)
		return SIDE - 1;
	return (int) c;
}

void
shegu_geo_mask_build(void *buf, const shegu_geo_box *boxes, size_t n)
{
	geo_mask   *m = (geo_mask *) buf;
	size_t		k;

	memset(m, 0, sizeof *m);
	m->magic = MAGIC;
	m->nboxes = n;
	if (n == 0)
		return;
	m->x0 = boxes[0].x0;
	m->y0 = boxes[0].y0;
	m->x1 = boxes[0].x1;
	m->y1 = boxes[0].y1;
	for (k = 1; k < n; k++)
	{
		m->x0 = fmin(m->x0, boxes[k].x0);
		m->y0 = fmin(m->y0, boxes[k].y0);
		m->x1 = fmax(m->x1, boxes[k].x1);
		m->y1 = fmax(m->y1, boxes[k].y1);
	}
	/* a degenerate union (a point, a line) still has cells of positive size */
	m->sx = (m->x1 > m->x0) ? SIDE / (m->x1 - m->x0) : 1.0;
	m->sy = (m->y1 > m->y0) ? SIDE / (m->y1 - m->y0) : 1.0;
	if (!isfinite(m->sx) || m->sx <= 0)
		m->sx = 1.0;
	if (!isfinite(m->sy) || m->sy <= 0)
		m->sy = 1.0;
	for (k = 0; k < n; k++)
	{
		int			i0 = col(boxes[k].x0, m->x0, m->sx),
					i1 = col(boxes[k].x1, m->x0, m->sx),
					j0 = col(boxes[k].y0, m->y0, m->sy),
					j1 = col(boxes[k].y1, m->y0, m->sy),
					i,
					j;

		for (j = j0; j <= j1; j++)
			for (i = i0; i <= i1; i++)
				m->bits[(j * SIDE + i) >> 6] |= (uint64_t) 1 << ((j * SIDE + i) & 63);
	}
	if (n <= LIST)
	{
		m->nlist = n;
		memcpy(m->list, boxes, n * sizeof(shegu_geo_box));
	}
}

bool
shegu_geo_mask_empty(const void *mask)
{
	return ((const geo_mask *) mask)->nboxes == 0;
}

bool
shegu_geo_mask_covers(const void *mask, double x, double y)
{
	const geo_mask *m = (const geo_mask *) mask;
	int			i,
				j;

	if (m->nboxes == 0 || !(x >= m->x0 && x <= m->x1 && y >= m->y0 && y <= m->y1))
		return false;
	i = col(x, m->x0, m->sx);
	j = col(y, m->y0, m->sy);
	if (!((m->bits[(j * SIDE + i) >> 6] >> ((j * SIDE + i) & 63)) & 1))
		return false;
	if (m->nlist > 0)
	{
		uint64_t	k;

		for (k = 0; k < m->nlist; k++)
			if (x >= m->list[k].x0 && x <= m->list[k].x1 && y >= m->list[k].y0 && y <= m->list[k].y1)
				return true;
		return false;
	}
	return true;
}

static bool
bit(const geo_mask *m, int i, int j)
{
	return (m->bits[(j * SIDE + i) >> 6] >> ((j * SIDE + i) & 63)) & 1;
}

/*
 * Runs of marked cells in each row, merged with the same run of the rows above while they
 * repeat: one box gives one rectangle.
 */
size_t
shegu_geo_mask_rects(const void *mask, shegu_geo_box *out, size_t max)
{
	const geo_mask *m = (const geo_mask *) mask;
	size_t		count = 0;
	int			j;
	/* the run starting at column i of the row below, open since row open_j[i] (-1: none) */
	int			open_end[SIDE],
				open_j[SIDE];
	double		wx,
				wy,
				mx,
				my;

	if (m->nboxes == 0)
		return 0;
	if (m->nlist > 0)
	{
		/* the boxes themselves: a point is in the mask only inside one of them */
		for (count = 0; count < m->nlist && count < max; count++)
			out[count] = m->list[count];
		return (size_t) m->nlist;
	}
	wx = 1.0 / m->sx;
	wy = 1.0 / m->sy;
	/* enlarged by a cell's millionth and a little more, beyond any rounding of the cells */
	mx = wx * 1e-6 + 1e-9 * (fabs(m->x0) + fabs(m->x1) + 1);
	my = wy * 1e-6 + 1e-9 * (fabs(m->y0) + fabs(m->y1) + 1);
	for (j = 0; j < SIDE; j++)
		open_j[j] = -1;
	for (j = 0; j <= SIDE; j++)
	{
		int			i = 0;
		int			row_end[SIDE];
		int			k;

		for (k = 0; k < SIDE; k++)
			row_end[k] = -1;
		while (j < SIDE && i < SIDE)
		{
			int			a;

			if (!bit(m, i, j))
			{
				i++;
				continue;
			}
			a = i;
			while (i < SIDE && bit(m, i, j))
				i++;
			row_end[a] = i;
		}
		/* close the open runs that this row does not repeat */
		for (k = 0; k < SIDE; k++)
		{
			if (open_j[k] >= 0 && row_end[k] != open_end[k])
			{
				if (count < max)
				{
					shegu_geo_box *b = &out[count];

					b->x0 = (k == 0 ? m->x0 : m->x0 + k * wx) - mx;
					b->x1 = (open_end[k] == SIDE ? m->x1 : m->x0 + open_end[k] * wx) + mx;
					b->y0 = (open_j[k] == 0 ? m->y0 : m->y0 + open_j[k] * wy) - my;
					b->y1 = (j == SIDE ? m->y1 : m->y0 + j * wy) + my;
				}
				count++;
				open_j[k] = -1;
			}
			if (row_end[k] >= 0 && open_j[k] < 0)
			{
				open_j[k] = j;
				open_end[k] = row_end[k];
			}
		}
	}
	return count;
}

/* ---- does a polygon cover a box? ---- */

typedef struct cover_walk
{
	shegu_geo_box box;
	double		cx,
				cy;				/* the box's centre */
	bool		have_prev;
	double		px,
				py;
	bool		touched;		/* an edge meets the box */
	bool		inside;			/* crossings of the ray from the centre towards +x, mod 2 */
} cover_walk;

static int
cover_part(void *arg)
{
	((cover_walk *) arg)->have_prev = false;
	return 0;
}

/* Does the segment (a, b) meet the closed box?  Exact. */
static bool
segment_meets_box(double ax, double ay, double bx, double by, const shegu_geo_box *b)
{
	int			s0,
				s1,
				s2,
				s3;

	if (fmax(ax, bx) < b->x0 || fmin(ax, bx) > b->x1 || fmax(ay, by) < b->y0 || fmin(ay, by) > b->y1)
		return false;
	/* the bounding boxes meet: the segment meets the box unless all corners lie strictly on one side */
	s0 = shegu_geo_orient2d(ax, ay, bx, by, b->x0, b->y0);
	s1 = shegu_geo_orient2d(ax, ay, bx, by, b->x1, b->y0);
	s2 = shegu_geo_orient2d(ax, ay, bx, by, b->x1, b->y1);
	s3 = shegu_geo_orient2d(ax, ay, bx, by, b->x0, b->y1);
	return !((s0 > 0 && s1 > 0 && s2 > 0 && s3 > 0) || (s0 < 0 && s1 < 0 && s2 < 0 && s3 < 0));
}

static int
cover_xy(double *x, double *y, void *arg)
{
	cover_walk *c = (cover_walk *) arg;

	if (!isfinite(*x) || !isfinite(*y))
	{
		c->touched = true;		/* not a boundary we can judge: say no */
		return 1;
	}
	if (c->have_prev && !c->touched)
	{
		double		ax = c->px,
					ay = c->py,
					bx = *x,
					by = *y;

		if (segment_meets_box(ax, ay, bx, by, &c->box))
			c->touched = true;
		else if ((ay > c->cy) != (by > c->cy))
		{
			/* the edge straddles the centre's height: does it cross to the centre's right? */
			int			o = shegu_geo_orient2d(ax, ay, bx, by, c->cx, c->cy);

			if ((by > ay) ? o > 0 : o < 0)
				c->inside = !c->inside;
		}
	}
	c->px = *x;
	c->py = *y;
	c->have_prev = true;
	return c->touched ? 1 : 0;
}

bool
shegu_geo_covers_box(const uint8_t *ewkb, size_t len, const shegu_geo_box *box)
{
	cover_walk	c;
	uint32_t	type = 0;
	shegu_ewkb_status st;

	memset(&c, 0, sizeof c);
	c.box = *box;
	c.cx = box->x0 + (box->x1 - box->x0) / 2;
	c.cy = box->y0 + (box->y1 - box->y0) / 2;
	if (!(c.cx >= box->x0 && c.cx <= box->x1 && c.cy >= box->y0 && c.cy <= box->y1))
		return false;
	st = shegu_ewkb_walk(ewkb, len, cover_xy, cover_part, &c, NULL, &type);
	if (st != SHEGU_EWKB_OK || c.touched || (type != 3 && type != 6))
		return false;
	return c.inside;
}

/* ewkb walk callback: grow a box by a point */
static int
box_grow(double *x, double *y, void *arg)
{
	shegu_geo_box *b = (shegu_geo_box *) arg;

	b->x0 = fmin(b->x0, *x);
	b->x1 = fmax(b->x1, *x);
	b->y0 = fmin(b->y0, *y);
	b->y1 = fmax(b->y1, *y);
	return 0;
}

int
shegu_geo_covered_rects(const uint8_t *ewkb, size_t len, const shegu_geo_box *rects, size_t n,
						int *met, int max)
{
	shegu_geo_box bb = {INFINITY, INFINITY, -INFINITY, -INFINITY};
	uint32_t	type = 0;
	int			m = 0;
	size_t		k;

	if (shegu_ewkb_walk(ewkb, len, box_grow, NULL, &bb, NULL, &type) != SHEGU_EWKB_OK
		|| (type != 3 && type != 6) || !(bb.x0 <= bb.x1 && bb.y0 <= bb.y1))
		return -1;
	for (k = 0; k < n; k++)
	{
		const shegu_geo_box *r = &rects[k];

		if (r->x1 < bb.x0 || r->x0 > bb.x1 || r->y1 < bb.y0 || r->y0 > bb.y1)
			continue;			/* no point of the boundary's area lies in it */
		if (m >= max || !shegu_geo_covers_box(ewkb, len, r))
			return -1;
		met[m++] = (int) k;
	}
	return m;
}

static size_t
put_le(uint8_t *out, size_t pos, const void *v, size_t n)
{
	const uint16_t one = 1;
	size_t		i;

	for (i = 0; i < n; i++)
		out[pos + i] = (*(const uint8_t *) &one == 1) ? ((const uint8_t *) v)[i]
			: ((const uint8_t *) v)[n - 1 - i];
	return pos + n;
}

size_t
shegu_geo_box_ewkb(const shegu_geo_box *box, int32_t srid, uint8_t *out)
{
	uint32_t	type = 3 | 0x20000000u,
				one = 1,
				five = 5;
	double		xy[10] = {box->x0, box->y0, box->x1, box->y0, box->x1, box->y1,
	box->x0, box->y1, box->x0, box->y0};
	size_t		pos = 0;
	int			i;

	out[pos++] = 1;
	pos = put_le(out, pos, &type, 4);
	pos = put_le(out, pos, &srid, 4);
	pos = put_le(out, pos, &one, 4);
	pos = put_le(out, pos, &five, 4);
	for (i = 0; i < 10; i++)
		pos = put_le(out, pos, &xy[i], 8);
	return pos;
}
