/* Patrol coverage: track cleaning, WKB polygons, and the scanline scorer.
 * src/engine/coverage.c — pure C, no PostgreSQL headers.
 *
 * Coverage is measured on horizontal scanlines of a local equirectangular projection centred
 * on the polygon (exact scale at the centre; a grid is a few km across, so the distortion is far
 * below the 1 % the benchmark asks).  On each scanline, the points within radius r of a piece
 * of track form one interval (the "capsule" around a segment is convex, so its trace on a line
 * is the hull of the traces of its two end discs and its middle rectangle).  The covered length
 * of a line is the measure of (union of those intervals) intersected with the polygon's inside
 * intervals on that line (even-odd crossings); area = sum of lengths x spacing.  The polygon's
 * own area comes from the shoelace formula; the share is covered / inside on the same lines, so
 * the sampling error of the lines cancels between the two. */
#include "coverage.h"

#include "ewkb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_R		6371008.8
#define DEG			(M_PI / 180.0)
#define MAX_ROWS	20000
#define MAX_RINGS	1000000

typedef struct ival
{
	double		lo,
				hi;
} ival;

const char *
shegu_cov_status_text(shegu_cov_status s)
{
	switch (s)
	{
		case SHEGU_COV_OK:
			return "ok";
		case SHEGU_COV_TRUNCATED:
			return "the WKB ends inside the geometry";
		case SHEGU_COV_BAD_BYTE_ORDER:
			return "a WKB byte-order mark is neither 0 nor 1";
		case SHEGU_COV_NOT_POLYGON:
			return "the geometry is not a Polygon or MultiPolygon";
		case SHEGU_COV_TRAILING:
			return "bytes follow the geometry";
		case SHEGU_COV_BAD_VALUE:
			return "a coordinate or parameter is NaN, infinite or out of range";
		case SHEGU_COV_NO_MEMORY:
			return "out of memory";
	}
	return "unknown status";
}

const char *
shegu_cov_flag_name(int flag)
{
	switch (flag)
	{
		case SHEGU_COV_KEPT:
			return "kept";
		case SHEGU_COV_INACCURATE:
			return "inaccurate";
		case SHEGU_COV_DUPLICATE:
			return "duplicate";
		case SHEGU_COV_JITTER:
			return "jitter";
		case SHEGU_COV_TELEPORT:
			return "teleport";
		case SHEGU_COV_BAD_FIX:
			return "bad_fix";
	}
	return "unknown";
}

double
shegu_cov_distance_m(double lon0, double lat0, double lon1, double lat1)
{
	double		dlat = (lat1 - lat0) * DEG,
				dlon = (lon1 - lon0) * DEG;
	double		a = sin(dlat / 2) * sin(dlat / 2) +
		cos(lat0 * DEG) * cos(lat1 * DEG) * sin(dlon / 2) * sin(dlon / 2);

	if (a > 1)
		a = 1;
	return 2 * EARTH_R * asin(sqrt(a));
}

shegu_cov_status
shegu_cov_rules_check(const shegu_cov_rules *r)
{
	if (!(isfinite(r->max_accuracy_m) && r->max_accuracy_m > 0 &&
		  isfinite(r->jitter_m) && r->jitter_m >= 0 &&
		  isfinite(r->max_speed_mps) && r->max_speed_mps > 0 &&
		  isfinite(r->max_gap_s) && r->max_gap_s > 0))
		return SHEGU_COV_BAD_VALUE;
	return SHEGU_COV_OK;
}

static int
fix_ok(const shegu_cov_fix *f)
{
	return isfinite(f->lon) && isfinite(f->lat) && fabs(f->lat) <= 90 && fabs(f->lon) <= 360;
}

static double
speed(const shegu_cov_fix *a, const shegu_cov_fix *b)
{
	double		d = shegu_cov_distance_m(a->lon, a->lat, b->lon, b->lat);
	double		dt = (double) (b->t - a->t);

	if (dt <= 0)
		return d > 0 ? INFINITY : 0;
	return d / dt;
}

/*
 * The rules, in order, each fix against the previous kept one (p):
 *   bad coordinates -> bad_fix; accuracy > max_accuracy_m -> inaccurate; same second as p ->
 *   duplicate; within jitter_m of p -> jitter; reached from p faster than max_speed_mps AND the
 *   next usable fix is also left faster than max_speed_mps while p -> next is not -> teleport
 *   (a spike); otherwise kept.  A fast piece that is not a spike stays, as a break.
 */
int
shegu_cov_clean(const shegu_cov_fix *fixes, int n, const shegu_cov_rules *r, uint8_t *flags)
{
	int			kept = 0,
				prev = -1;

	for (int i = 0; i < n; i++)
	{
		const shegu_cov_fix *f = &fixes[i];

		if (!fix_ok(f))
		{
			flags[i] = SHEGU_COV_BAD_FIX;
			continue;
		}
		if (f->accuracy >= 0 && f->accuracy > r->max_accuracy_m)
		{
			flags[i] = SHEGU_COV_INACCURATE;
			continue;
		}
		if (prev >= 0 && f->t == fixes[prev].t)
		{
			flags[i] = SHEGU_COV_DUPLICATE;
			continue;
		}
		if (prev >= 0 &&
			shegu_cov_distance_m(fixes[prev].lon, fixes[prev].lat, f->lon, f->lat) < r->jitter_m)
		{
			flags[i] = SHEGU_COV_JITTER;
			continue;
		}
		if (prev >= 0 && speed(&fixes[prev], f) > r->max_speed_mps)
		{
			int			nx = -1;

			for (int j = i + 1; j < n; j++)
			{
				if (fix_ok(&fixes[j]) &&
					!(fixes[j].accuracy >= 0 && fixes[j].accuracy > r->max_accuracy_m) &&
					fixes[j].t != f->t)
				{
					nx = j;
					break;
				}
			}
			if (nx >= 0 && speed(f, &fixes[nx]) > r->max_speed_mps &&
				speed(&fixes[prev], &fixes[nx]) <= r->max_speed_mps)
			{
				flags[i] = SHEGU_COV_TELEPORT;
				continue;
			}
		}
		flags[i] = SHEGU_COV_KEPT;
		prev = i;
		kept++;
	}
	return kept;
}

int
shegu_cov_segments(const shegu_cov_fix *fixes, int n, const uint8_t *flags,
				   const shegu_cov_rules *r, shegu_cov_seg *out)
{
	int			m = 0,
				prev = -1,
				prev_drawn = 0;

	for (int i = 0; i < n; i++)
	{
		int			drawn;

		if (flags[i] != SHEGU_COV_KEPT)
			continue;
		if (prev < 0)
		{
			prev = i;
			prev_drawn = 0;
			continue;
		}
		drawn = (double) (fixes[i].t - fixes[prev].t) <= r->max_gap_s &&
			speed(&fixes[prev], &fixes[i]) <= r->max_speed_mps;
		if (!drawn && !prev_drawn)
		{
			/* prev has no drawn piece on either side: a point */
			out[m++] = (shegu_cov_seg)
			{
				fixes[prev].lon, fixes[prev].lat, fixes[prev].lon, fixes[prev].lat,
					fixes[prev].t, fixes[prev].t, 1
			};
		}
		out[m++] = (shegu_cov_seg)
		{
			fixes[prev].lon, fixes[prev].lat, fixes[i].lon, fixes[i].lat,
				fixes[prev].t, fixes[i].t, drawn
		};
		prev_drawn = drawn;
		prev = i;
	}
	if (prev >= 0 && !prev_drawn)
		out[m++] = (shegu_cov_seg)
	{
		fixes[prev].lon, fixes[prev].lat, fixes[prev].lon, fixes[prev].lat,
			fixes[prev].t, fixes[prev].t, 1
	};
	return m;
}

/* ---- WKB (read by the one EWKB reader, src/engine/ewkb.c) ---- */

/* A pass over the polygon's rings: counting (fill 0), then filling out (fill 1). */
typedef struct cov_pass
{
	shegu_cov_polygon *out;
	int			nr,
				np;
	int			fill;
} cov_pass;

static int
cov_ring(void *arg, uint32_t pts)
{
	cov_pass   *c = (cov_pass *) arg;

	(void) pts;
	if (c->nr >= MAX_RINGS)
		return 1;
	if (c->fill)
		c->out->ring_start[c->nr] = c->np;
	c->nr++;
	return 0;
}

static int
cov_point(void *arg, double x, double y)
{
	cov_pass   *c = (cov_pass *) arg;

	if (c->fill)
	{
		if (!isfinite(x) || !isfinite(y))
			return 1;
		c->out->xy[2 * c->np] = x;
		c->out->xy[2 * c->np + 1] = y;
	}
	c->np++;
	return 0;
}

static shegu_cov_status
rd_all(const uint8_t *buf, size_t len, shegu_cov_polygon *out, int *nr, int *np, int fill)
{
	cov_pass	c = {out, 0, 0, fill};
	shegu_ewkb_rings cb = {cov_ring, cov_point, NULL, &c};
	shegu_cov_status s;

	switch (shegu_ewkb_read_polygonal(buf, len, &cb, NULL, NULL, NULL))
	{
		case SHEGU_EWKB_OK:
			s = SHEGU_COV_OK;
			break;
		case SHEGU_EWKB_TRUNCATED:
			s = SHEGU_COV_TRUNCATED;
			break;
		case SHEGU_EWKB_BAD_BYTE_ORDER:
			s = SHEGU_COV_BAD_BYTE_ORDER;
			break;
		case SHEGU_EWKB_TRAILING:
			s = SHEGU_COV_TRAILING;
			break;
		case SHEGU_EWKB_CALLBACK:
			s = SHEGU_COV_BAD_VALUE;	/* too many rings, or a coordinate not finite */
			break;
		default:
			s = SHEGU_COV_NOT_POLYGON;
			break;
	}
	*nr = c.nr;
	*np = c.np;
	return s;
}

shegu_cov_status
shegu_cov_polygon_from_wkb(const uint8_t *buf, size_t len, shegu_cov_alloc_fn alloc, void *ctx,
						   shegu_cov_polygon *out)
{
	int			nr,
				np;
	shegu_cov_status s;

	memset(out, 0, sizeof(*out));
	if ((s = rd_all(buf, len, out, &nr, &np, 0)) != SHEGU_COV_OK)
		return s;
	out->ring_start = alloc(ctx, sizeof(int) * (size_t) (nr + 1));
	out->xy = alloc(ctx, sizeof(double) * 2 * (size_t) (np > 0 ? np : 1));
	if (!out->ring_start || !out->xy)
		return SHEGU_COV_NO_MEMORY;
	if ((s = rd_all(buf, len, out, &nr, &np, 1)) != SHEGU_COV_OK)
		return s;
	out->nrings = nr;
	out->ring_start[nr] = np;
	return SHEGU_COV_OK;
}

int
shegu_cov_point_in(const shegu_cov_polygon *poly, double x, double y)
{
	int			in = 0;

	for (int k = 0; k < poly->nrings; k++)
	{
		int			a = poly->ring_start[k],
					b = poly->ring_start[k + 1];

		for (int i = a, j = b - 1; i < b; j = i++)
		{
			double		xi = poly->xy[2 * i],
						yi = poly->xy[2 * i + 1],
						xj = poly->xy[2 * j],
						yj = poly->xy[2 * j + 1];

			if ((yi > y) != (yj > y) && x < xj + (y - yj) * (xi - xj) / (yi - yj))
				in = !in;
		}
	}
	return in;
}

/* ---- scoring ---- */

typedef struct proj
{
	double		lon0,
				lat0,
				kx,
				ky;
} proj;

static void
project(const proj *pj, double lon, double lat, double *x, double *y)
{
	*x = (lon - pj->lon0) * pj->kx;
	*y = (lat - pj->lat0) * pj->ky;
}

static int
cmp_ival(const void *a, const void *b)
{
	double		x = ((const ival *) a)->lo,
				y = ((const ival *) b)->lo;

	return (x > y) - (x < y);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The trace of the capsule (segment a-b, radius r) on the line y = yl; 0 when it misses. */
static int
capsule_trace(double ax, double ay, double bx, double by, double r, double yl, ival *out)
{
	double		lo = INFINITY,
				hi = -INFINITY;
	double		dx = bx - ax,
				dy = by - ay,
				len = sqrt(dx * dx + dy * dy);

	for (int e = 0; e < 2; e++)
	{
		double		cx = e ? bx : ax,
					cy = e ? by : ay,
					h = r * r - (yl - cy) * (yl - cy);

		if (h >= 0)
		{
			double		w = sqrt(h);

			if (cx - w < lo)
				lo = cx - w;
			if (cx + w > hi)
				hi = cx + w;
		}
	}
	if (len > 0)
	{
		double		nx = -dy / len * r,
					ny = dx / len * r;
		double		qx[4] = {ax + nx, bx + nx, bx - nx, ax - nx};
		double		qy[4] = {ay + ny, by + ny, by - ny, ay - ny};

		for (int i = 0, j = 3; i < 4; j = i++)
		{
			if ((qy[i] >= yl) != (qy[j] >= yl) || (qy[i] == yl && qy[j] == yl))
			{
				double		x;

				if (qy[i] == qy[j])
				{
					x = qx[i] < qx[j] ? qx[i] : qx[j];
					if (x < lo)
						lo = x;
					x = qx[i] < qx[j] ? qx[j] : qx[i];
					if (x > hi)
						hi = x;
					continue;
				}
				x = qx[j] + (yl - qy[j]) * (qx[i] - qx[j]) / (qy[i] - qy[j]);
				if (x < lo)
					lo = x;
				if (x > hi)
					hi = x;
			}
		}
	}
	if (!(lo <= hi))
		return 0;
	out->lo = lo;
	out->hi = hi;
	return 1;
}

/* Length of (union of u, sorted and merged) inside (p, sorted disjoint). */
static double
overlap_len(const ival *u, int nu, const ival *p, int np)
{
	double		s = 0;
	int			i = 0,
				j = 0;

	while (i < nu && j < np)
	{
		double		lo = u[i].lo > p[j].lo ? u[i].lo : p[j].lo;
		double		hi = u[i].hi < p[j].hi ? u[i].hi : p[j].hi;

		if (hi > lo)
			s += hi - lo;
		if (u[i].hi < p[j].hi)
			i++;
		else
			j++;
	}
	return s;
}

static int
in_ivals(const ival *v, int n, double x)
{
	for (int i = 0; i < n; i++)
		if (x >= v[i].lo && x <= v[i].hi)
			return 1;
	return 0;
}

/* Time of a drawn piece inside the polygon: split at edge crossings, test each part. */
static double
piece_inside_fraction(const shegu_cov_polygon *poly, const double *pxy, int npts,
					  double ax, double ay, double bx, double by, double *ts, int tsroom)
{
	int			nt = 0;
	double		dx = bx - ax,
				dy = by - ay,
				f = 0;
	shegu_cov_polygon pp = *poly;

	pp.xy = (double *) pxy;
	(void) npts;
	if (dx == 0 && dy == 0)
		return shegu_cov_point_in(&pp, ax, ay) ? 1 : 0;
	ts[nt++] = 0;
	for (int k = 0; k < poly->nrings; k++)
	{
		int			a = poly->ring_start[k],
					b = poly->ring_start[k + 1];

		for (int i = a, j = b - 1; i < b; j = i++)
		{
			double		cx = pxy[2 * j],
						cy = pxy[2 * j + 1],
						ex = pxy[2 * i] - cx,
						ey = pxy[2 * i + 1] - cy;
			double		den = dx * ey - dy * ex;

			if (den == 0)
				continue;
			{
				double		t = ((cx - ax) * ey - (cy - ay) * ex) / den;
				double		u = ((cx - ax) * dy - (cy - ay) * dx) / den;

				if (t > 0 && t < 1 && u >= 0 && u <= 1 && nt < tsroom - 1)
					ts[nt++] = t;
			}
		}
	}
	ts[nt++] = 1;
	qsort(ts, (size_t) nt, sizeof(double), cmp_double);
	for (int i = 0; i + 1 < nt; i++)
	{
		double		m = (ts[i] + ts[i + 1]) / 2;

		if (ts[i + 1] > ts[i] && shegu_cov_point_in(&pp, ax + m * dx, ay + m * dy))
			f += ts[i + 1] - ts[i];
	}
	return f;
}

shegu_cov_status
shegu_cov_score(const shegu_cov_polygon *poly, const shegu_cov_seg *segs, int nseg,
				const double *road_xy, const int *road_start, int nroads,
				const shegu_cov_params *p, shegu_cov_alloc_fn alloc, void *ctx,
				shegu_cov_result *out)
{
	double		minx = INFINITY,
				miny = INFINITY,
				maxx = -INFINITY,
				maxy = -INFINITY;
	double		r = p->radius_m,
				h;
	int			npts,
				nrows,
				nedges = 0;
	proj		pj;
	double	   *xy;
	int		   *ecount,
			   *estart,
			   *eidx,
			   *scount,
			   *sstart;
	ival	   *sival,
			   *pbuf;
	int		   *ustart,
			   *enext;
	ival	   *uall;
	double	   *pxs,
				inside_len = 0,
				cover_len = 0,
				area = 0;
	int			maxrow_s = 0,
				maxrow_e = 0,
				ntotal_s = 0;
	double	   *ts;
	int			tsroom;

	memset(out, 0, sizeof(*out));
	out->road_share = -1;
	if (!(isfinite(r) && r > 0 && r <= 100000) || !(isfinite(p->row_m) && p->row_m >= 0))
		return SHEGU_COV_BAD_VALUE;
	npts = poly->nrings > 0 ? poly->ring_start[poly->nrings] : 0;
	for (int i = 0; i < npts; i++)
	{
		double		x = poly->xy[2 * i],
					y = poly->xy[2 * i + 1];

		if (!isfinite(x) || !isfinite(y) || fabs(y) > 89 || fabs(x) > 360)
			return SHEGU_COV_BAD_VALUE;
		if (x < minx)
			minx = x;
		if (x > maxx)
			maxx = x;
		if (y < miny)
			miny = y;
		if (y > maxy)
			maxy = y;
	}
	for (int i = 0; i < nseg; i++)
		if (!isfinite(segs[i].lon0) || !isfinite(segs[i].lat0) ||
			!isfinite(segs[i].lon1) || !isfinite(segs[i].lat1) ||
			fabs(segs[i].lat0) > 90 || fabs(segs[i].lat1) > 90 ||
			fabs(segs[i].lon0) > 360 || fabs(segs[i].lon1) > 360)
			return SHEGU_COV_BAD_VALUE;
	if (npts < 3)
	{
		/* an empty polygon: nothing to cover, no time inside */
		return SHEGU_COV_OK;
	}
	pj.lon0 = (minx + maxx) / 2;
	pj.lat0 = (miny + maxy) / 2;
	pj.ky = EARTH_R * DEG;
	pj.kx = EARTH_R * DEG * cos(pj.lat0 * DEG);

	xy = alloc(ctx, sizeof(double) * 2 * (size_t) npts);
	enext = alloc(ctx, sizeof(int) * (size_t) npts);
	if (!xy || !enext)
		return SHEGU_COV_NO_MEMORY;
	for (int k = 0; k < poly->nrings; k++)
		for (int i = poly->ring_start[k]; i < poly->ring_start[k + 1]; i++)
			enext[i] = i + 1 < poly->ring_start[k + 1] ? i + 1 : poly->ring_start[k];
	for (int i = 0; i < npts; i++)
		project(&pj, poly->xy[2 * i], poly->xy[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
	/* shoelace area (even-odd: holes are rings of the other orientation or nested) */
	{
		shegu_cov_polygon pp = *poly;

		pp.xy = xy;
		for (int k = 0; k < poly->nrings; k++)
		{
			int			a = poly->ring_start[k],
						b = poly->ring_start[k + 1];
			double		s = 0,
						rx = 0,
						ry = 0;

			for (int i = a, j = b - 1; i < b; j = i++)
				s += (xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1]);
			s = fabs(s) / 2;
			/* a ring inside an odd number of others is a hole */
			if (b - a >= 1)
			{
				int			depth = 0;

				rx = xy[2 * a];
				ry = xy[2 * a + 1];
				for (int k2 = 0; k2 < poly->nrings; k2++)
				{
					shegu_cov_polygon one;
					int			rs[2];

					if (k2 == k)
						continue;
					rs[0] = poly->ring_start[k2];
					rs[1] = poly->ring_start[k2 + 1];
					one.nrings = 1;
					one.ring_start = rs;
					one.xy = xy;
					depth += shegu_cov_point_in(&one, rx, ry);
				}
				area += (depth % 2) ? -s : s;
			}
		}
		(void) pp;
	}
	if (area < 0)
		area = 0;
	out->area_m2 = area;

	{
		double		ymin = (miny - pj.lat0) * pj.ky,
					ymax = (maxy - pj.lat0) * pj.ky;

		h = p->row_m > 0 ? p->row_m : r / 10;
		if ((ymax - ymin) / h > MAX_ROWS)
			h = (ymax - ymin) / MAX_ROWS;
		nrows = (int) ceil((ymax - ymin) / h);
		if (nrows < 1)
			nrows = 1;

		/* edges bucketed by row (CSR) */
		ecount = alloc(ctx, sizeof(int) * (size_t) (nrows + 1));
		estart = alloc(ctx, sizeof(int) * (size_t) (nrows + 1));
		scount = alloc(ctx, sizeof(int) * (size_t) (nrows + 1));
		sstart = alloc(ctx, sizeof(int) * (size_t) (nrows + 1));
		ustart = alloc(ctx, sizeof(int) * (size_t) (nrows + 1));
		if (!ecount || !estart || !scount || !sstart || !ustart)
			return SHEGU_COV_NO_MEMORY;
		memset(ecount, 0, sizeof(int) * (size_t) (nrows + 1));
		memset(scount, 0, sizeof(int) * (size_t) (nrows + 1));
#define ROW_RANGE(lo_y, hi_y, r0, r1) \
	do { \
		double a_ = ((lo_y) - ymin) / h - 0.5, b_ = ((hi_y) - ymin) / h - 0.5; \
		r0 = a_ < 0 ? 0 : (a_ > nrows ? nrows : (int) ceil(a_)); \
		r1 = b_ < 0 ? -1 : (b_ >= nrows - 1 ? nrows - 1 : (int) floor(b_)); \
	} while (0)
		for (int pass = 0; pass < 2; pass++)
		{
			if (pass == 1)
			{
				int			acc = 0;

				for (int k = 0; k < nrows; k++)
				{
					estart[k] = acc;
					acc += ecount[k];
					if (ecount[k] > maxrow_e)
						maxrow_e = ecount[k];
					ecount[k] = 0;
				}
				estart[nrows] = acc;
				nedges = acc;
				eidx = alloc(ctx, sizeof(int) * (size_t) (acc > 0 ? acc : 1));
				if (!eidx)
					return SHEGU_COV_NO_MEMORY;
			}
			for (int k = 0; k < poly->nrings; k++)
			{
				int			a = poly->ring_start[k],
							b = poly->ring_start[k + 1];

				for (int i = a, j = b - 1; i < b; j = i++)
				{
					double		y0 = xy[2 * j + 1],
								y1 = xy[2 * i + 1];
					int			r0,
								r1;

					if (y0 == y1)
						continue;
					ROW_RANGE(y0 < y1 ? y0 : y1, y0 < y1 ? y1 : y0, r0, r1);
					for (int row = r0; row <= r1; row++)
					{
						if (pass == 1)
							eidx[estart[row] + ecount[row]] = j;
						ecount[row]++;
					}
				}
			}
		}

		/* piece traces bucketed by row */
		for (int pass = 0; pass < 2; pass++)
		{
			if (pass == 1)
			{
				int			acc = 0;

				for (int k = 0; k < nrows; k++)
				{
					sstart[k] = acc;
					acc += scount[k];
					if (scount[k] > maxrow_s)
						maxrow_s = scount[k];
					scount[k] = 0;
				}
				sstart[nrows] = acc;
				ntotal_s = acc;
				sival = alloc(ctx, sizeof(ival) * (size_t) (acc > 0 ? acc : 1));
				if (!sival)
					return SHEGU_COV_NO_MEMORY;
			}
			for (int i = 0; i < nseg; i++)
			{
				double		ax,
							ay,
							bx,
							by;
				int			r0,
							r1;

				if (!segs[i].drawn)
					continue;
				project(&pj, segs[i].lon0, segs[i].lat0, &ax, &ay);
				project(&pj, segs[i].lon1, segs[i].lat1, &bx, &by);
				ROW_RANGE((ay < by ? ay : by) - r, (ay < by ? by : ay) + r, r0, r1);
				for (int row = r0; row <= r1; row++)
				{
					double		yl = ymin + (row + 0.5) * h;
					ival		v;

					if (!capsule_trace(ax, ay, bx, by, r, yl, &v))
						continue;
					if (pass == 1)
						sival[sstart[row] + scount[row]] = v;
					scount[row]++;
				}
			}
		}

		pxs = alloc(ctx, sizeof(double) * (size_t) (maxrow_e + 1));
		pbuf = alloc(ctx, sizeof(ival) * (size_t) (maxrow_e / 2 + 1));
		uall = alloc(ctx, sizeof(ival) * (size_t) (ntotal_s + 1));
		if (!pxs || !pbuf || !uall)
			return SHEGU_COV_NO_MEMORY;
		{
			int			uacc = 0;

			for (int row = 0; row < nrows; row++)
			{
				double		yl = ymin + (row + 0.5) * h;
				int			ne = 0,
							np2 = 0,
							nu = 0;
				ival	   *u = uall + uacc;

				for (int e = estart[row]; e < estart[row + 1]; e++)
				{
					int			j = eidx[e];
					int			i;
					double		x0,
								y0,
								x1,
								y1;

					/* the edge j -> next point in its ring */
					i = enext[j];
					x0 = xy[2 * j];
					y0 = xy[2 * j + 1];
					x1 = xy[2 * i];
					y1 = xy[2 * i + 1];
					if ((y0 > yl) != (y1 > yl))
						pxs[ne++] = x0 + (yl - y0) * (x1 - x0) / (y1 - y0);
				}
				qsort(pxs, (size_t) ne, sizeof(double), cmp_double);
				for (int k = 0; k + 1 < ne; k += 2)
				{
					pbuf[np2].lo = pxs[k];
					pbuf[np2].hi = pxs[k + 1];
					inside_len += pxs[k + 1] - pxs[k];
					np2++;
				}
				/* union of the traces */
				{
					ival	   *s = sival + sstart[row];
					int			ns = sstart[row + 1] - sstart[row];

					qsort(s, (size_t) ns, sizeof(ival), cmp_ival);
					for (int k = 0; k < ns; k++)
					{
						if (nu > 0 && s[k].lo <= u[nu - 1].hi)
						{
							if (s[k].hi > u[nu - 1].hi)
								u[nu - 1].hi = s[k].hi;
						}
						else
							u[nu++] = s[k];
					}
				}
				ustart[row] = uacc;
				uacc += nu;
				cover_len += overlap_len(u, nu, pbuf, np2);
				(void) yl;
			}
			ustart[nrows] = uacc;
		}
		out->share = inside_len > 0 ? cover_len / inside_len : 0;
		if (out->share > 1)
			out->share = 1;
		out->covered_m2 = out->share * area;

		/* roads: sample pieces of at most h/2 */
		if (nroads > 0)
		{
			double		road = 0,
						covered = 0;
			shegu_cov_polygon pp = *poly;

			pp.xy = xy;
			for (int k = 0; k < nroads; k++)
			{
				for (int i = road_start[k]; i + 1 < road_start[k + 1]; i++)
				{
					double		ax,
								ay,
								bx,
								by,
								len;
					int			pieces;

					if (!isfinite(road_xy[2 * i]) || !isfinite(road_xy[2 * i + 1]) ||
						!isfinite(road_xy[2 * i + 2]) || !isfinite(road_xy[2 * i + 3]))
						return SHEGU_COV_BAD_VALUE;
					project(&pj, road_xy[2 * i], road_xy[2 * i + 1], &ax, &ay);
					project(&pj, road_xy[2 * i + 2], road_xy[2 * i + 3], &bx, &by);
					len = sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
					if (len > 1e7)
						return SHEGU_COV_BAD_VALUE;
					pieces = (int) ceil(len / (h / 2));
					if (pieces < 1)
						pieces = 1;
					for (int q = 0; q < pieces; q++)
					{
						double		m = (q + 0.5) / pieces;
						double		x = ax + m * (bx - ax),
									y = ay + m * (by - ay);
						int			row;

						if (!shegu_cov_point_in(&pp, x, y))
							continue;
						road += len / pieces;
						row = (int) floor((y - ymin) / h);
						if (row < 0)
							row = 0;
						if (row >= nrows)
							row = nrows - 1;
						if (in_ivals(uall + ustart[row], ustart[row + 1] - ustart[row], x))
							covered += len / pieces;
					}
				}
			}
			out->road_m = road;
			out->road_covered_m = covered;
			out->road_share = road > 0 ? covered / road : -1;
		}
	}

	/* time inside and gaps */
	tsroom = nedges + npts + 4;
	ts = alloc(ctx, sizeof(double) * (size_t) tsroom);
	if (!ts)
		return SHEGU_COV_NO_MEMORY;
	for (int i = 0; i < nseg; i++)
	{
		double		ax,
					ay,
					bx,
					by;
		shegu_cov_polygon pp = *poly;

		pp.xy = xy;
		project(&pj, segs[i].lon0, segs[i].lat0, &ax, &ay);
		project(&pj, segs[i].lon1, segs[i].lat1, &bx, &by);
		if (segs[i].drawn)
		{
			if (segs[i].t1 > segs[i].t0)
				out->seconds_inside += (double) (segs[i].t1 - segs[i].t0) *
					piece_inside_fraction(poly, xy, npts, ax, ay, bx, by, ts, tsroom);
		}
		else if (shegu_cov_point_in(&pp, ax, ay) || shegu_cov_point_in(&pp, bx, by))
		{
			double		g = (double) (segs[i].t1 - segs[i].t0);

			out->gaps++;
			if (g > out->max_gap_s)
				out->max_gap_s = g;
		}
	}
	return SHEGU_COV_OK;
}
