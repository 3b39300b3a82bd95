/* Walking the coordinates of an (E)WKB geometry in place, for every geometry type.
 * src/engine/ewkb.c — pure C, no PostgreSQL headers.
 *
 * Understands PostGIS's EWKB (flag bits for Z, M and SRID in the type word) and ISO WKB
 * (Z/M as +1000/+2000/+3000), every OGC/SQL-MM type PostGIS emits: points, line strings,
 * polygons, their multi forms, collections, circular strings, compound curves, curve
 * polygons, multicurves, multisurfaces, polyhedral surfaces, TINs and triangles. */
#include "ewkb.h"

#include <stdbool.h>
#include <string.h>

#define EWKB_Z_FLAG		0x80000000u
#define EWKB_M_FLAG		0x40000000u
#define EWKB_SRID_FLAG	0x20000000u
#define MAX_DEPTH		32

typedef struct walker
{
	uint8_t    *buf;
	size_t		len;
	size_t		pos;
	shegu_ewkb_xy_fn fn;
	void	   *arg;
	shegu_ewkb_part_fn part;	/* called before each sequence of points (NULL: none) */
	bool		readonly;		/* never write coordinates back */
	uint32_t	top_type;		/* the top-level type number, Z/M/SRID flags removed */
} walker;

static bool
host_is_little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *) &one == 1;
}

static shegu_ewkb_status
read_u32(walker *w, bool swap, uint32_t *out)
{
	uint8_t		b[4];

	if (w->len - w->pos < 4)
		return SHEGU_EWKB_TRUNCATED;
	memcpy(b, w->buf + w->pos, 4);
	if (swap)
	{
		uint8_t		t = b[0];

		b[0] = b[3];
		b[3] = t;
		t = b[1];
		b[1] = b[2];
		b[2] = t;
	}
	memcpy(out, b, 4);
	w->pos += 4;
	return SHEGU_EWKB_OK;
}

static double
load_double(const uint8_t *p, bool swap)
{
	uint8_t		b[8];
	double		d;

	for (int i = 0; i < 8; i++)
		b[i] = swap ? p[7 - i] : p[i];
	memcpy(&d, b, 8);
	return d;
}

static void
store_double(uint8_t *p, double d, bool swap)
{
	uint8_t		b[8];

	memcpy(b, &d, 8);
	for (int i = 0; i < 8; i++)
		p[i] = swap ? b[7 - i] : b[i];
}

/* npoints coordinates of ndims doubles each. */
static shegu_ewkb_status
walk_points(walker *w, bool swap, uint32_t npoints, int ndims)
{
	size_t		size = (size_t) ndims * 8;

	if (npoints > (w->len - w->pos) / size)
		return SHEGU_EWKB_TRUNCATED;
	if (w->part != NULL && w->part(w->arg) != 0)
		return SHEGU_EWKB_CALLBACK;
	for (uint32_t i = 0; i < npoints; i++)
	{
		uint8_t    *p = w->buf + w->pos;
		double		x = load_double(p, swap),
					y = load_double(p + 8, swap);

		if (w->fn(&x, &y, w->arg) != 0)
			return SHEGU_EWKB_CALLBACK;
		if (!w->readonly)
		{
			store_double(p, x, swap);
			store_double(p + 8, y, swap);
		}
		w->pos += size;
	}
	return SHEGU_EWKB_OK;
}

static shegu_ewkb_status
walk_counted_points(walker *w, bool swap, int ndims)
{
	uint32_t	n;
	shegu_ewkb_status st = read_u32(w, swap, &n);

	return st != SHEGU_EWKB_OK ? st : walk_points(w, swap, n, ndims);
}

static shegu_ewkb_status
walk_geometry(walker *w, int depth, int32_t *srid)
{
	uint8_t		order;
	bool		swap;
	uint32_t	type,
				base,
				n;
	int			ndims = 2;
	shegu_ewkb_status st;

	if (depth > MAX_DEPTH)
		return SHEGU_EWKB_TOO_DEEP;
	if (w->pos >= w->len)
		return SHEGU_EWKB_TRUNCATED;
	order = w->buf[w->pos++];
	if (order > 1)
		return SHEGU_EWKB_BAD_BYTE_ORDER;
	swap = (order == 1) != host_is_little_endian();
	if ((st = read_u32(w, swap, &type)) != SHEGU_EWKB_OK)
		return st;
	if (type & EWKB_SRID_FLAG)
	{
		uint32_t	s;

		if ((st = read_u32(w, swap, &s)) != SHEGU_EWKB_OK)
			return st;
		if (srid && depth == 0)
			*srid = (int32_t) s;
	}
	ndims += (type & EWKB_Z_FLAG) ? 1 : 0;
	ndims += (type & EWKB_M_FLAG) ? 1 : 0;
	base = type & 0x0fffffffu;
	if (base >= 1000)
	{
		/* ISO WKB: 1000s Z, 2000s M, 3000s ZM */
		uint32_t	thousands = base / 1000;

		if (thousands > 3)
			return SHEGU_EWKB_BAD_TYPE;
		ndims = 2 + (thousands == 1 || thousands == 3) + (thousands == 2 || thousands == 3);
		base %= 1000;
	}
	if (depth == 0)
		w->top_type = base;

	switch (base)
	{
		case 1:					/* point */
			return walk_points(w, swap, 1, ndims);
		case 2:					/* line string */
		case 8:					/* circular string */
			return walk_counted_points(w, swap, ndims);
		case 3:					/* polygon */
		case 17:				/* triangle */
			if ((st = read_u32(w, swap, &n)) != SHEGU_EWKB_OK)
				return st;
			for (uint32_t i = 0; i < n; i++)
				if ((st = walk_counted_points(w, swap, ndims)) != SHEGU_EWKB_OK)
					return st;
			return SHEGU_EWKB_OK;
		case 4:					/* multipoint */
		case 5:					/* multilinestring */
		case 6:					/* multipolygon */
		case 7:					/* geometry collection */
		case 9:					/* compound curve */
		case 10:				/* curve polygon */
		case 11:				/* multicurve */
		case 12:				/* multisurface */
		case 15:				/* polyhedral surface */
		case 16:				/* TIN */
			if ((st = read_u32(w, swap, &n)) != SHEGU_EWKB_OK)
				return st;
			for (uint32_t i = 0; i < n; i++)
				if ((st = walk_geometry(w, depth + 1, NULL)) != SHEGU_EWKB_OK)
					return st;
			return SHEGU_EWKB_OK;
		default:
			return SHEGU_EWKB_BAD_TYPE;
	}
}

shegu_ewkb_status
shegu_ewkb_map_xy(uint8_t *buf, size_t len, shegu_ewkb_xy_fn fn, void *arg, int32_t *srid)
{
	walker		w = {buf, len, 0, fn, arg, NULL, false, 0};
	shegu_ewkb_status st;

	if (srid)
		*srid = 0;
	st = walk_geometry(&w, 0, srid);
	if (st == SHEGU_EWKB_OK && w.pos != len)
		return SHEGU_EWKB_TRAILING;
	return st;
}

shegu_ewkb_status
shegu_ewkb_walk(const uint8_t *buf, size_t len, shegu_ewkb_xy_fn fn, shegu_ewkb_part_fn part,
				void *arg, int32_t *srid, uint32_t *type)
{
	/* readonly: the buffer is never written through this pointer */
	walker		w = {(uint8_t *) buf, len, 0, fn, arg, part, true, 0};
	shegu_ewkb_status st;

	if (srid)
		*srid = 0;
	st = walk_geometry(&w, 0, srid);
	if (type)
		*type = w.top_type;
	if (st == SHEGU_EWKB_OK && w.pos != len)
		return SHEGU_EWKB_TRAILING;
	return st;
}

/* ---- polygons ---- */

typedef struct poly_reader
{
	const uint8_t *buf;
	size_t		len;
	size_t		pos;
	const shegu_ewkb_rings *cb;
} poly_reader;

static shegu_ewkb_status
poly_u32(poly_reader *r, bool swap, uint32_t *out)
{
	uint8_t		b[4];

	if (r->len - r->pos < 4)
		return SHEGU_EWKB_TRUNCATED;
	memcpy(b, r->buf + r->pos, 4);
	if (swap)
	{
		uint8_t		t = b[0];

		b[0] = b[3];
		b[3] = t;
		t = b[1];
		b[1] = b[2];
		b[2] = t;
	}
	memcpy(out, b, 4);
	r->pos += 4;
	return SHEGU_EWKB_OK;
}

/* Byte order and type word: *swap, the plain type number, the doubles a point has. */
static shegu_ewkb_status
poly_header(poly_reader *r, bool *swap, uint32_t *base, int *ndims, bool *has_srid, uint32_t *srid)
{
	uint32_t	t;
	shegu_ewkb_status st;
	int			z,
				m;

	if (r->pos >= r->len)
		return SHEGU_EWKB_TRUNCATED;
	if (r->buf[r->pos] > 1)
		return SHEGU_EWKB_BAD_BYTE_ORDER;
	*swap = (r->buf[r->pos] == 1) != host_is_little_endian();
	r->pos++;
	if ((st = poly_u32(r, *swap, &t)) != SHEGU_EWKB_OK)
		return st;
	z = (t & EWKB_Z_FLAG) != 0;
	m = (t & EWKB_M_FLAG) != 0;
	*has_srid = (t & EWKB_SRID_FLAG) != 0;
	t &= 0x0fffffffu;
	if (t >= 1000 && t < 4000)
	{
		/* ISO WKB: 1000s Z, 2000s M, 3000s ZM */
		z |= (t / 1000 == 1 || t / 1000 == 3);
		m |= (t / 1000 == 2 || t / 1000 == 3);
		t %= 1000;
	}
	*base = t;
	*ndims = 2 + z + m;
	if (*has_srid && (st = poly_u32(r, *swap, srid)) != SHEGU_EWKB_OK)
		return st;
	return SHEGU_EWKB_OK;
}

/* The rings of one polygon, after its header. */
static shegu_ewkb_status
poly_body(poly_reader *r, bool swap, int ndims)
{
	uint32_t	nrings,
				i,
				j;
	shegu_ewkb_status st;
	size_t		size = (size_t) ndims * 8;

	if ((st = poly_u32(r, swap, &nrings)) != SHEGU_EWKB_OK)
		return st;
	/* each ring takes at least its 4-byte count */
	if ((r->len - r->pos) / 4 < nrings)
		return SHEGU_EWKB_TRUNCATED;
	for (i = 0; i < nrings; i++)
	{
		uint32_t	np;

		if ((st = poly_u32(r, swap, &np)) != SHEGU_EWKB_OK)
			return st;
		if ((r->len - r->pos) / size < np)
			return SHEGU_EWKB_TRUNCATED;
		if (r->cb->ring && r->cb->ring(r->cb->arg, np) != 0)
			return SHEGU_EWKB_CALLBACK;
		for (j = 0; j < np; j++)
		{
			const uint8_t *p = r->buf + r->pos;
			double		x = load_double(p, swap),
						y = load_double(p + 8, swap);

			r->pos += size;
			if (r->cb->point && r->cb->point(r->cb->arg, x, y) != 0)
				return SHEGU_EWKB_CALLBACK;
		}
		if (r->cb->ring_end && r->cb->ring_end(r->cb->arg) != 0)
			return SHEGU_EWKB_CALLBACK;
	}
	return SHEGU_EWKB_OK;
}

static shegu_ewkb_status
poly_read(poly_reader *r, int32_t *srid, uint32_t *type)
{
	bool		swap,
				has_srid;
	uint32_t	base,
				s = 0,
				nparts,
				i;
	int			ndims;
	shegu_ewkb_status st;

	if ((st = poly_header(r, &swap, &base, &ndims, &has_srid, &s)) != SHEGU_EWKB_OK)
		return st;
	if (has_srid && srid)
		*srid = (int32_t) s;
	*type = base;
	if (base == 3)
		return poly_body(r, swap, ndims);
	if (base != 6)
		return SHEGU_EWKB_BAD_TYPE;
	if ((st = poly_u32(r, swap, &nparts)) != SHEGU_EWKB_OK)
		return st;
	/* a part takes at least 9 bytes */
	if ((r->len - r->pos) / 9 < nparts)
		return SHEGU_EWKB_TRUNCATED;
	for (i = 0; i < nparts; i++)
	{
		bool		pswap,
					phas;
		uint32_t	pbase,
					ps;
		int			pdims;

		if ((st = poly_header(r, &pswap, &pbase, &pdims, &phas, &ps)) != SHEGU_EWKB_OK)
			return st;
		if (pbase != 3)
		{
			*type = pbase;
			return SHEGU_EWKB_BAD_TYPE;
		}
		if ((st = poly_body(r, pswap, pdims)) != SHEGU_EWKB_OK)
			return st;
	}
	return SHEGU_EWKB_OK;
}

shegu_ewkb_status
shegu_ewkb_read_polygonal(const uint8_t *buf, size_t len, const shegu_ewkb_rings *cb,
						  int32_t *srid, uint32_t *type, size_t *offset)
{
	poly_reader r = {buf, len, 0, cb};
	uint32_t	t = 0;
	shegu_ewkb_status st;

	if (srid)
		*srid = 0;
	st = poly_read(&r, srid, &t);
	if (st == SHEGU_EWKB_OK && r.pos != len)
		st = SHEGU_EWKB_TRAILING;
	if (type)
		*type = t;
	if (offset)
		*offset = r.pos;
	return st;
}

const char *
shegu_ewkb_status_text(shegu_ewkb_status status)
{
	switch (status)
	{
		case SHEGU_EWKB_OK:
			return "ok";
		case SHEGU_EWKB_TRUNCATED:
			return "the geometry is truncated";
		case SHEGU_EWKB_BAD_BYTE_ORDER:
			return "a byte-order mark is neither 0 nor 1";
		case SHEGU_EWKB_BAD_TYPE:
			return "a geometry type number is unknown";
		case SHEGU_EWKB_TOO_DEEP:
			return "collections are nested too deeply";
		case SHEGU_EWKB_TRAILING:
			return "bytes follow the end of the geometry";
		case SHEGU_EWKB_CALLBACK:
			return "a coordinate was refused";
	}
	return "unknown";
}
