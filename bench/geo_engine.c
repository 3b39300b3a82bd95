/*
 * The lookup engine alone, outside the server: build time, memory and locate time on a registry
 * read from a file.  bench/geo_engine.c — built and run by bench/engine.sh; by hand:
 *   cc -O2 -Isrc/engine -o geo_engine bench/geo_engine.c src/engine/geo.c src/engine/ewkb.c -lm
 *   ./geo_engine registry.tsv [points] [day] [raster_bits] [raster_day]
 * registry.tsv: one grid version a line, tab-separated: code, level, valid_from, valid_to (days
 * from any epoch, -2147483648 / 2147483647 for open ends), boundary as hex EWKB — what
 * COPY (SELECT ... encode(ST_AsEWKB(boundary), 'hex') ...) TO STDOUT writes.
 * Points are uniform over the registry's extent (a fixed seed); day is the day they are located on;
 * raster_day the day the raster is built for (default: the latest day a version starts).
 */
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *
a_alloc(void *ctx, size_t n)
{
	(void) ctx;
	return malloc(n);
}

static void *
a_realloc(void *ctx, void *p, size_t n)
{
	(void) ctx;
	return realloc(p, n);
}

static void
a_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: a shared machine descheduling us does not count */
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* xorshift64*: the same points on every run */
static uint64_t rng = 0x9e3779b97f4a7c15u;

static double
uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double) ((rng * 0x2545f4914f6cdd1du) >> 11) * 0x1p-53;
}

int
main(int argc, char **argv)
{
	shegu_geo_allocator a = {a_alloc, a_realloc, a_free, NULL};
	shegu_geo_builder *b;
	shegu_geo_index *ix;
	shegu_geo_options opt;
	shegu_geo_stats st;
	shegu_geo_status status;
	FILE	   *f;
	char	   *line = NULL;
	size_t		cap = 0,
				bufcap = 0;
	uint8_t    *buf = NULL;
	ssize_t		len;
	long		points = argc > 2 ? atol(argv[2]) : 1000000;
	int32_t		day = argc > 3 ? (int32_t) atol(argv[3]) : 9000;
	double		t0,
				t1,
				minx = 1e300,
				miny = 1e300,
				maxx = -1e300,
				maxy = -1e300;
	double	   *px,
			   *py;
	long		i,
				found = 0;
	int64_t		check = 0;
	int			lines = 0;

	if (argc < 2 || (f = fopen(argv[1], "r")) == NULL)
	{
		fprintf(stderr, "usage: %s registry.tsv [points] [day] [raster_bits] [raster_day]\n", argv[0]);
		return 2;
	}
	b = shegu_geo_builder_new(&a);
	while ((len = getline(&line, &cap, f)) > 0)
	{
		long long	code;
		int			level;
		long		from,
					to;
		int			off = 0;
		char	   *hex;
		size_t		n,
					k;
		shegu_geo_error err;

		if (sscanf(line, "%lld\t%d\t%ld\t%ld\t%n", &code, &level, &from, &to, &off) < 4 || off == 0)
			continue;
		hex = line + off;
		n = strcspn(hex, "\r\n") / 2;
		if (n > bufcap)
		{
			bufcap = n * 2;
			buf = realloc(buf, bufcap);
		}
		for (k = 0; k < n; k++)
			buf[k] = (uint8_t) (hexval(hex[2 * k]) << 4 | hexval(hex[2 * k + 1]));
		if (shegu_geo_builder_add(b, buf, n, code, level, (int32_t) from, (int32_t) to, NULL, &err) != SHEGU_GEO_OK)
		{
			fprintf(stderr, "line %d: %s\n", lines + 1, shegu_geo_status_name(err.status));
			return 1;
		}
		lines++;
	}
	fclose(f);
	memset(&opt, 0, sizeof opt);
	if (argc > 4)
		opt.raster_bits = atoi(argv[4]);
	if (argc > 5)
	{
		opt.raster_day = (int32_t) atol(argv[5]);
		opt.raster_day_set = true;
	}
	t0 = now_ms();
	ix = shegu_geo_build(b, &opt, &status);
	t1 = now_ms();
	if (ix == NULL)
	{
		fprintf(stderr, "build failed: %s\n", shegu_geo_status_name(status));
		return 1;
	}
	shegu_geo_stats_get(ix, &st);
	printf("grids %lld  vertices %lld  nodes %lld  leaves %lld  entries %lld  edge_refs %lld  depth %d\n",
		   (long long) st.shapes, (long long) st.vertices, (long long) st.nodes, (long long) st.leaves,
		   (long long) st.entries, (long long) st.edge_refs, st.depth);
	printf("raster bits %d  cells %lld  direct %.1f%%  escaped from their tiles %lld  quarters %lld  direct %lld  budget spent %s\n",
		   st.raster_bits, (long long) st.raster_cells,
		   st.raster_cells ? 100.0 * st.raster_direct / st.raster_cells : 0.0, (long long) st.raster_escaped,
		   (long long) st.raster_sub_cells, (long long) st.raster_sub_direct, st.budget_spent ? "yes" : "no");
	printf("build %.1f ms  (%.2f s per 20k grids)  memory %.1f MiB  work %lld\n",
		   t1 - t0, (t1 - t0) / 1e3 * 20000.0 / (double) st.shapes, st.bytes / 1048576.0, (long long) st.work);

	printf("chains %lld  far values %lld\n", (long long) st.chains, (long long) st.far_values);
	printf("bytes a vertex %.1f: vertices %.1f, leaves %.1f, raster %.1f, nodes %.1f, grid records %.1f\n",
		   (double) st.bytes / st.vertices, (double) st.bytes_vertices / st.vertices,
		   (double) st.bytes_leaves / st.vertices, (double) st.bytes_raster / st.vertices,
		   (double) st.bytes_nodes / st.vertices, (double) st.bytes_shapes / st.vertices);

	/* points over the extent of the shapes (the root cell may be larger) */
	for (i = 0; i < shegu_geo_vertex_count(ix); i++)
	{
		double		x,
					y;

		shegu_geo_vertex(ix, i, &x, &y);
		minx = x < minx ? x : minx;
		miny = y < miny ? y : miny;
		maxx = x > maxx ? x : maxx;
		maxy = y > maxy ? y : maxy;
	}
	px = malloc(points * sizeof(double));
	py = malloc(points * sizeof(double));
	for (i = 0; i < points; i++)
	{
		px[i] = minx + uniform() * (maxx - minx);
		py[i] = miny + uniform() * (maxy - miny);
	}
	t0 = now_ms();
	for (i = 0; i < points; i++)
	{
		int64_t		c = shegu_geo_locate(ix, px[i], py[i], day);

		found += c != 0;
		check += c;
	}
	t1 = now_ms();
	printf("locate %ld points on day %d: %.1f ms, %.1f ns a point, %ld in a grid (checksum %lld)\n",
		   points, day, t1 - t0, (t1 - t0) * 1e6 / points, found, (long long) check);

	/*
	 * One point after the other: each point's coordinates depend on the previous answer (through a
	 * zero the compiler cannot see), so the processor cannot start a lookup before the previous one
	 * is done, as in the server, where a row's executor work lies between two lookups.  This is
	 * the latency of a lookup, where the loop above measures its throughput.
	 */
	{
		static volatile int64_t zero = 0;
		int64_t		z = zero,
					c = 0;
		uint64_t	sum = 0;

		t0 = now_ms();
		for (i = 0; i < points; i++)
		{
			c = shegu_geo_locate(ix, px[i] + (double) (c & z), py[i], day);
			sum += (uint64_t) c;
		}
		t1 = now_ms();
		printf("one after the other: %.1f ms, %.1f ns a point (checksum %llu)\n",
			   t1 - t0, (t1 - t0) * 1e6 / points, (unsigned long long) sum);
	}

	/*
	 * The same with a table scan's memory traffic beside it: each point also reads the next 96
	 * bytes of a large buffer, as a server reads a row of the points' table, which pushes the
	 * index out of the caches as a sequential scan does.
	 */
	{
		size_t		row = 96,
					nbuf = (size_t) points * row;
		uint8_t    *scan = malloc(nbuf);
		uint64_t	sink = 0;
		double		base;

		memset(scan, 1, nbuf);
		t0 = now_ms();
		for (i = 0; i < points; i++)
		{
			const uint64_t *r = (const uint64_t *) (scan + (size_t) i * row);
			size_t		w;

			for (w = 0; w < row / 8; w += 2)
				sink += r[w];
			sink += (uint64_t) (px[i] * 1e6);
		}
		t1 = now_ms();
		base = t1 - t0;
		t0 = now_ms();
		for (i = 0; i < points; i++)
		{
			const uint64_t *r = (const uint64_t *) (scan + (size_t) i * row);
			size_t		w;

			for (w = 0; w < row / 8; w += 2)
				sink += r[w];
			sink += (uint64_t) shegu_geo_locate(ix, px[i], py[i], day);
		}
		t1 = now_ms();
		printf("with a scan beside it: scan alone %.1f ms, scan and locate %.1f ms (%.1f ns a point more) [%llu]\n",
			   base, t1 - t0, (t1 - t0 - base) * 1e6 / points, (unsigned long long) (sink & 1));
		free(scan);
	}
	shegu_geo_free(ix);
	free(px);
	free(py);
	free(buf);
	free(line);
	return 0;
}
