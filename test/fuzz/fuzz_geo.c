/* libFuzzer target for the polygon-set engine: never crash on any EWKB, and for polygons built
 * from fuzzed coordinates the quadtree answers exactly what a scan of every grid answers.
 * test/fuzz/fuzz_geo.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
f_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void *
f_realloc(void *ctx, void *p, size_t size)
{
	(void) ctx;
	return realloc(p, size);
}

static void
f_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const shegu_geo_allocator heap = {f_alloc, f_realloc, f_free, NULL};

static void
put_u32(uint8_t *buf, size_t *len, uint32_t v)
{
	memcpy(buf + *len, &v, 4);	/* little-endian host assumed by the fuzz harness only */
	*len += 4;
}

static void
put_double(uint8_t *buf, size_t *len, double d)
{
	memcpy(buf + *len, &d, 8);
	*len += 8;
}

/* Probe the index at p and compare with the scan; abort on disagreement. */
static void
probe(const shegu_geo_index *ix, double x, double y)
{
	if (shegu_geo_locate(ix, x, y, 5) != shegu_geo_locate_brute(ix, x, y, 5))
		abort();
	if (shegu_geo_locate(ix, x, y, 20) != shegu_geo_locate_brute(ix, x, y, 20))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	shegu_geo_builder *b;
	shegu_geo_index *ix;
	shegu_geo_error err;
	static const int raster_choices[4] = {-1, 0, 2, 5};
	shegu_geo_options opt = {1, 12, 0, NULL, NULL, 0, false};

	if (size < 1)
		return 0;
	opt.raster_bits = raster_choices[(data[0] >> 1) & 3];
	/* the raster for days [0, 10) (the default here) or for the days after */
	opt.raster_day = 20;
	opt.raster_day_set = (data[0] & 8) != 0;
	b = shegu_geo_builder_new(&heap);
	if (data[0] & 1)
	{
		/* raw (E)WKB */
		if (shegu_geo_builder_add(b, data + 1, size - 1, 43, 4, SHEGU_GEO_DAY_MIN, SHEGU_GEO_DAY_MAX,
								  NULL, &err) != SHEGU_GEO_OK)
		{
			if (err.status == SHEGU_GEO_OK || err.offset > size - 1)
				abort();
		}
	}
	else
	{
		/* shapes from byte pairs on a small lattice: rings of up to 12 points, any shape at all */
		size_t		i = 1;
		int64_t		code = 1;

		while (i + 6 <= size && code < 8)
		{
			uint8_t		buf[4 + 1 + 4 + 4 + 4 + 13 * 16];
			size_t		len = 0;
			int			n = 3 + data[i] % 10,
						k;
			double		x0 = 0,
						y0 = 0;

			i++;
			if (i + 2 * (size_t) n > size)
				break;
			buf[len++] = 1;
			put_u32(buf, &len, 3);
			put_u32(buf, &len, 1);
			put_u32(buf, &len, (uint32_t) n + 1);
			for (k = 0; k < n; k++)
			{
				double		x = (data[i + 2 * k] % 16) * 0.25,
							y = (data[i + 2 * k + 1] % 16) * 0.25;

				if (k == 0)
				{
					x0 = x;
					y0 = y;
				}
				put_double(buf, &len, x);
				put_double(buf, &len, y);
			}
			put_double(buf, &len, x0);
			put_double(buf, &len, y0);
			i += 2 * (size_t) n;
			/* every third shape is valid only on days [0, 10) */
			if (shegu_geo_builder_add(b, buf, len, code, 1 + (int) (code % 3),
									  code % 3 == 0 ? 0 : SHEGU_GEO_DAY_MIN,
									  code % 3 == 0 ? 10 : SHEGU_GEO_DAY_MAX, NULL, &err) != SHEGU_GEO_OK)
				abort();		/* closed rings of finite points are always accepted */
			code++;
		}
	}
	ix = shegu_geo_build(b, &opt, NULL);
	if (ix == NULL)
		abort();
	{
		int64_t		k,
					nv = shegu_geo_vertex_count(ix);
		int			gx,
					gy;

		for (k = 0; k < nv; k++)
		{
			double		x,
						y;

			shegu_geo_vertex(ix, k, &x, &y);
			probe(ix, x, y);
		}
		/* every point of the 1/8 lattice: on vertices, edges and in between */
		if (!(data[0] & 1))
			for (gx = -1; gx <= 32; gx++)
				for (gy = -1; gy <= 32; gy++)
					probe(ix, gx * 0.125, gy * 0.125);
	}
	{
		/* its flat image, viewed in place, answers as it does */
		size_t		n = shegu_geo_flat_size(ix);
		uint64_t   *img = malloc(n);
		shegu_geo_index *vw;
		int			gx,
					gy;

		if (img == NULL)
			abort();
		shegu_geo_flatten(ix, img);
		vw = shegu_geo_view(img, n, &heap);
		if (vw == NULL)
			abort();
		for (gx = -1; gx <= 32; gx += 3)
			for (gy = -1; gy <= 32; gy += 3)
				if (shegu_geo_locate(vw, gx * 0.125, gy * 0.125, 5) != shegu_geo_locate(ix, gx * 0.125, gy * 0.125, 5))
					abort();
		shegu_geo_free(vw);
		free(img);
	}
	shegu_geo_free(ix);
	return 0;
}
