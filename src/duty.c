/* SQL binding of the duty room: fixes converted and located, patrol coverage of an area.
 * src/duty.c — the engines are src/engine/coverage.c and src/engine/coords.c. */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "engine/coords.h"
#include "engine/coverage.h"
#include "gridcode.h"
#include "lookup.h"
#include "core.h"

/* ---- helpers ---- */

static void *
duty_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return palloc_extended(size ? size : 1, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

/* The elements of a one-dimensional array argument without NULLs, as a C array. */
static void
array_arg(ArrayType *a, Oid elemtype, const char *what, Datum **values, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("array of %s has %d dimensions, not one", what, ARR_NDIM(a))));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, values, &nulls, n);
	for (int i = 0; i < *n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("element %d of the %s is NULL", i + 1, what),
					 errdetail("Every fix needs its time, longitude and latitude.")));
}

static void
same_length(int n, int m, const char *what)
{
	if (n != m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements, the times %d", what, m, n),
				 errdetail("The arrays describe one fix per position and must have the same length.")));
}

static shegu_crs
crs_arg(text *t)
{
	char	   *name = text_to_cstring(t);
	shegu_crs	crs;

	if (!shegu_crs_from_name(name, &crs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown coordinate system \"%s\"", name),
				 errhint("Use 'wgs84', 'cgcs2000' (read as WGS-84), 'gcj02' (WeChat, Amap, Tencent) or 'bd09' (Baidu).")));
	return crs;
}

/* The EWKB of a geometry argument, through PostGIS's binary output (looked up once). */
static bytea *
geometry_ewkb(FunctionCallInfo fcinfo, int argno)
{
	FmgrInfo   *send = (FmgrInfo *) fcinfo->flinfo->fn_extra;

	if (send == NULL)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, argno);
		Oid			sendfn;
		bool		varlena;

		if (!OidIsValid(type))
			type = shegu_geometry_type();
		send = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(FmgrInfo));
		getTypeBinaryOutputInfo(type, &sendfn, &varlena);
		fmgr_info_cxt(sendfn, send, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = send;
	}
	return SendFunctionCall(send, PG_GETARG_DATUM(argno));
}

/* A little reader of (E)WKB LineString / MultiLineString for the road layer. */
typedef struct line_rd
{
	const uint8_t *p;
	const uint8_t *end;
} line_rd;

static bool
rd_u32(line_rd *r, bool le, uint32_t *v)
{
	if (r->end - r->p < 4)
		return false;
	*v = le ? ((uint32_t) r->p[0] | (uint32_t) r->p[1] << 8 | (uint32_t) r->p[2] << 16 | (uint32_t) r->p[3] << 24)
		: ((uint32_t) r->p[3] | (uint32_t) r->p[2] << 8 | (uint32_t) r->p[1] << 16 | (uint32_t) r->p[0] << 24);
	r->p += 4;
	return true;
}

static double
rd_f64(const uint8_t *p, bool le)
{
	uint8_t		b[8];
	double		d;

	for (int i = 0; i < 8; i++)
		b[i] = le ? p[i] : p[7 - i];
#ifdef WORDS_BIGENDIAN
	for (int i = 0; i < 4; i++)
	{
		uint8_t		t = b[i];

		b[i] = b[7 - i];
		b[7 - i] = t;
	}
#endif
	memcpy(&d, b, 8);
	return d;
}

/* header: byte order, type (1..7) and the number of ordinates of a point */
static bool
rd_header(line_rd *r, bool *le, uint32_t *type, int *dims)
{
	uint32_t	t,
				srid;

	if (r->p >= r->end || (r->p[0] != 0 && r->p[0] != 1))
		return false;
	*le = r->p[0] == 1;
	r->p++;
	if (!rd_u32(r, *le, &t))
		return false;
	*dims = 2 + ((t & 0x80000000u) ? 1 : 0) + ((t & 0x40000000u) ? 1 : 0);
	if ((t & 0x20000000u) && !rd_u32(r, *le, &srid))
		return false;
	t &= 0x0fffffffu;
	if (t >= 3000)
		*dims = 4, t -= 3000;
	else if (t >= 2000)
		*dims = 3, t -= 2000;
	else if (t >= 1000)
		*dims = 3, t -= 1000;
	*type = t;
	return true;
}

/* Appends the lines of one geometry (LineString, MultiLineString or a collection of them). */
static bool
rd_lines(line_rd *r, int depth, double **xy, int *npts, int *room, int **starts, int *nlines, int *lroom)
{
	bool		le;
	uint32_t	type,
				n;
	int			dims;

	if (depth > 8 || !rd_header(r, &le, &type, &dims))
		return false;
	if (type == 5 || type == 7)
	{
		if (!rd_u32(r, le, &n))
			return false;
		for (uint32_t i = 0; i < n; i++)
			if (!rd_lines(r, depth + 1, xy, npts, room, starts, nlines, lroom))
				return false;
		return true;
	}
	if (type != 2)
		return false;
	if (!rd_u32(r, le, &n) || (size_t) (r->end - r->p) / (8 * (size_t) dims) < n)
		return false;
	while (*npts + (int) n > *room)
	{
		*room *= 2;
		*xy = repalloc_huge(*xy, sizeof(double) * 2 * (size_t) *room);
	}
	if (*nlines + 2 > *lroom)
	{
		*lroom *= 2;
		*starts = repalloc(*starts, sizeof(int) * (size_t) *lroom);
	}
	for (uint32_t i = 0; i < n; i++)
	{
		(*xy)[2 * (*npts + i)] = rd_f64(r->p, le);
		(*xy)[2 * (*npts + i) + 1] = rd_f64(r->p + 8, le);
		r->p += 8 * dims;
	}
	(*starts)[*nlines] = *npts;
	*npts += n;
	(*nlines)++;
	(*starts)[*nlines] = *npts;
	return true;
}

typedef struct fix_order
{
	const char *worker;
	int			wlen;
	int64		t;
	int			idx;
} fix_order;

static int
cmp_fix_order(const void *a, const void *b)
{
	const fix_order *x = a,
			   *y = b;
	int			c;

	if (x->wlen != y->wlen || x->worker != y->worker)
	{
		c = memcmp(x->worker, y->worker, Min(x->wlen, y->wlen));
		if (c != 0)
			return c;
		if (x->wlen != y->wlen)
			return x->wlen < y->wlen ? -1 : 1;
	}
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* ---- SQL-callable ---- */

PG_FUNCTION_INFO_V1(duty_fixes_wgs84);
/* shegu.duty_fixes_wgs84(ts timestamptz[], lon float8[], lat float8[], crs text)
 *   RETURNS TABLE (n int, ts timestamptz, lon float8, lat float8, grid shegu.gridcode) */
Datum
duty_fixes_wgs84(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ts,
			   *lon,
			   *lat;
	int			n,
				nlon,
				nlat;
	shegu_crs	crs;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("times, longitudes, latitudes and coordinate system of the fixes must not be NULL")));
	array_arg(PG_GETARG_ARRAYTYPE_P(0), TIMESTAMPTZOID, "fix times", &ts, &n);
	array_arg(PG_GETARG_ARRAYTYPE_P(1), FLOAT8OID, "fix longitudes", &lon, &nlon);
	array_arg(PG_GETARG_ARRAYTYPE_P(2), FLOAT8OID, "fix latitudes", &lat, &nlat);
	same_length(n, nlon, "the array of longitudes");
	same_length(n, nlat, "the array of latitudes");
	crs = crs_arg(PG_GETARG_TEXT_PP(3));

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		double		x = DatumGetFloat8(lon[i]),
					y = DatumGetFloat8(lat[i]),
					wx,
					wy;
		TimestampTz t = DatumGetTimestampTz(ts[i]);
		shegu_gridcode code;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (!(isfinite(x) && isfinite(y) && x >= -180 && x <= 180 && y >= -90 && y <= 90))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fix %d at (%g %g) is not a longitude/latitude", i + 1, x, y),
					 errdetail("A fix needs a finite longitude in [-180, 180] and latitude in [-90, 90].")));
		if (TIMESTAMP_NOT_FINITE(t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fix %d has an infinite time", i + 1),
					 errdetail("A fix needs the finite time the device took it.")));
		shegu_to_wgs84(crs, x, y, &wx, &wy);
		code = shegu_lookup_locate(wx, wy,
								   DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(t))));
		values[0] = Int32GetDatum(i + 1);
		values[1] = TimestampTzGetDatum(t);
		values[2] = Float8GetDatum(wx);
		values[3] = Float8GetDatum(wy);
		if (code == SHEGU_GRIDCODE_NONE)
			nulls[4] = true;
		else
			values[4] = GridcodeGetDatum(code);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(duty_track_coverage);
/* shegu.track_coverage(area geometry, worker text[], ts timestamptz[], lon float8[], lat float8[],
 *   accuracy float8[], radius_m float8, roads geometry, max_accuracy_m, jitter_m, max_speed_mps,
 *   max_gap_s) RETURNS record (area_m2, covered_m2, share, seconds_inside, gaps, max_gap_s,
 *   road_m, road_covered_m, road_share, fixes, kept) */
Datum
duty_track_coverage(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	bytea	   *area;
	Datum	   *workers,
			   *ts,
			   *lon,
			   *lat,
			   *acc = NULL;
	int			n,
				nw,
				nlon,
				nlat,
				nacc = 0;
	shegu_cov_rules rules;
	shegu_cov_params params;
	shegu_cov_polygon poly;
	shegu_cov_status st;
	shegu_cov_result res;
	fix_order  *ord;
	shegu_cov_fix *fx;
	uint8_t    *flags;
	shegu_cov_seg *segs;
	int			nseg = 0,
				kept = 0;
	double	   *road_xy = NULL;
	int		   *road_start = NULL;
	int			nroads = 0;
	Datum		values[11];
	bool		nulls[11] = {0};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "track_coverage: return type must be a row type");
	for (int i = 0; i < 12; i++)
		if (PG_ARGISNULL(i) && i != 5 && i != 7)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of shegu.track_coverage must not be NULL", i + 1),
					 errdetail("Only the accuracies and the roads may be NULL.")));
	rules.max_accuracy_m = PG_GETARG_FLOAT8(8);
	rules.jitter_m = PG_GETARG_FLOAT8(9);
	rules.max_speed_mps = PG_GETARG_FLOAT8(10);
	rules.max_gap_s = PG_GETARG_FLOAT8(11);
	if (shegu_cov_rules_check(&rules) != SHEGU_COV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("track cleaning rules (accuracy %g m, jitter %g m, speed %g m/s, gap %g s) are out of range",
						rules.max_accuracy_m, rules.jitter_m, rules.max_speed_mps, rules.max_gap_s),
				 errdetail("Each must be a finite number above 0 (jitter 0 or more).")));
	params.radius_m = PG_GETARG_FLOAT8(6);
	params.row_m = 0;
	if (!(isfinite(params.radius_m) && params.radius_m > 0 && params.radius_m <= 100000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coverage radius %g m is out of range", params.radius_m),
				 errdetail("The radius \"passed within N metres\" must be above 0 and at most 100000 m.")));

	array_arg(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, "workers", &workers, &nw);
	array_arg(PG_GETARG_ARRAYTYPE_P(2), TIMESTAMPTZOID, "fix times", &ts, &n);
	array_arg(PG_GETARG_ARRAYTYPE_P(3), FLOAT8OID, "fix longitudes", &lon, &nlon);
	array_arg(PG_GETARG_ARRAYTYPE_P(4), FLOAT8OID, "fix latitudes", &lat, &nlat);
	same_length(n, nw, "the array of workers");
	same_length(n, nlon, "the array of longitudes");
	same_length(n, nlat, "the array of latitudes");
	if (!PG_ARGISNULL(5))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(5);
		int16		typlen;
		bool		typbyval;
		char		typalign;
		bool	   *anulls;

		get_typlenbyvalalign(FLOAT8OID, &typlen, &typbyval, &typalign);
		deconstruct_array(a, FLOAT8OID, typlen, typbyval, typalign, &acc, &anulls, &nacc);
		same_length(n, nacc, "the array of accuracies");
		for (int i = 0; i < nacc; i++)
			if (anulls[i])
				acc[i] = Float8GetDatum(-1.0);
	}

	area = geometry_ewkb(fcinfo, 0);
	st = shegu_cov_polygon_from_wkb((const uint8_t *) VARDATA(area), VARSIZE(area) - VARHDRSZ,
									duty_alloc, NULL, &poly);
	if (st == SHEGU_COV_NOT_POLYGON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("area of shegu.track_coverage is not a polygon or multipolygon"),
				 errhint("Give the grid's boundary.")));
	if (st != SHEGU_COV_OK)
		elog(ERROR, "track_coverage: cannot read the area: %s", shegu_cov_status_text(st));

	if (!PG_ARGISNULL(7))
	{
		bytea	   *rw;
		line_rd		r;
		int			room = 256,
					lroom = 16,
					npts = 0;

		/* the roads' argument number is 7: geometry_ewkb caches by call site, so read it apart */
		{
			Oid			sendfn;
			bool		varlena;
			Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 7);

			if (!OidIsValid(type))
				type = shegu_geometry_type();
			getTypeBinaryOutputInfo(type, &sendfn, &varlena);
			rw = DatumGetByteaPP(OidFunctionCall1(sendfn, PG_GETARG_DATUM(7)));
		}
		r.p = (const uint8_t *) VARDATA_ANY(rw);
		r.end = r.p + VARSIZE_ANY_EXHDR(rw);
		road_xy = palloc(sizeof(double) * 2 * room);
		road_start = palloc(sizeof(int) * lroom);
		road_start[0] = 0;
		if (!rd_lines(&r, 0, &road_xy, &npts, &room, &road_start, &nroads, &lroom) || r.p != r.end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("roads of shegu.track_coverage are not lines"),
					 errdetail("The road layer must be a LineString, a MultiLineString or a collection of them.")));
	}

	/* the fixes, worker by worker, in time order (ties in arrival order) */
	ord = palloc_extended(sizeof(fix_order) * (size_t) Max(n, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		text	   *w = DatumGetTextPP(workers[i]);

		ord[i].worker = VARDATA_ANY(w);
		ord[i].wlen = VARSIZE_ANY_EXHDR(w);
		ord[i].t = DatumGetTimestampTz(ts[i]);
		ord[i].idx = i;
	}
	qsort(ord, n, sizeof(fix_order), cmp_fix_order);
	fx = palloc_extended(sizeof(shegu_cov_fix) * (size_t) Max(n, 1), MCXT_ALLOC_HUGE);
	flags = palloc_extended((size_t) Max(n, 1), MCXT_ALLOC_HUGE);
	segs = palloc_extended(sizeof(shegu_cov_seg) * 2 * (size_t) Max(n, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		int			k = ord[i].idx;

		if (TIMESTAMP_NOT_FINITE(ord[i].t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fix %d has an infinite time", k + 1)));
		fx[i].lon = DatumGetFloat8(lon[k]);
		fx[i].lat = DatumGetFloat8(lat[k]);
		/* seconds; the engine's time is any integer epoch */
		fx[i].t = ord[i].t / USECS_PER_SEC;
		fx[i].accuracy = acc ? DatumGetFloat8(acc[k]) : -1.0;
	}
	for (int a = 0; a < n;)
	{
		int			b = a + 1;

		while (b < n && ord[b].wlen == ord[a].wlen &&
			   memcmp(ord[b].worker, ord[a].worker, ord[a].wlen) == 0)
			b++;
		kept += shegu_cov_clean(fx + a, b - a, &rules, flags + a);
		nseg += shegu_cov_segments(fx + a, b - a, flags + a, &rules, segs + nseg);
		a = b;
	}
	st = shegu_cov_score(&poly, segs, nseg, road_xy, road_start, nroads, &params,
						 duty_alloc, NULL, &res);
	if (st == SHEGU_COV_BAD_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("area or track of shegu.track_coverage has coordinates out of range"),
				 errdetail("Coordinates are WGS-84 longitude/latitude degrees; latitudes beyond 89 degrees are refused.")));
	if (st != SHEGU_COV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory scoring a track: %s", shegu_cov_status_text(st))));

	values[0] = Float8GetDatum(res.area_m2);
	values[1] = Float8GetDatum(res.covered_m2);
	values[2] = Float8GetDatum(res.share);
	values[3] = Float8GetDatum(res.seconds_inside);
	values[4] = Int32GetDatum(res.gaps);
	values[5] = Float8GetDatum(res.max_gap_s);
	values[6] = Float8GetDatum(res.road_m);
	values[7] = Float8GetDatum(res.road_covered_m);
	if (res.road_share < 0)
		nulls[8] = true;
	else
		values[8] = Float8GetDatum(res.road_share);
	values[9] = Int32GetDatum(n);
	values[10] = Int32GetDatum(kept);
	if (nroads == 0)
		nulls[6] = nulls[7] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
