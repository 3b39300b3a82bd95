/* Reading the grid versions and building an engine index from them: the part of the lookup
 * binding that both the SQL entry points (src/lookup.c, a backend's own index) and the one shared
 * index per server (src/lookup_shmem.c) use, so that neither calls back into the other.
 * src/lookup_build.c — declared in src/lookup_int.h; design in docs/lookup.md. */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "engine/geo.h"
#include "gridcode.h"
#include "lookup_int.h"
#include "core.h"

#define FETCH_ROWS		1000

/* shegu.lookup_leaf_edges (defined in lookup.c's set-up): the engine's leaf size, 0 = its own */
int			shegu_lookup_leaf_edges = 0;

/* ---- memory for the engine ---- */

static void *
lk_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void *
lk_realloc(void *ctx, void *p, size_t size)
{
	(void) ctx;
	return repalloc_huge(p, size);
}

static void
lk_free(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

/*
 * The engine's interrupt callback: a cancel or terminate request ends the build with an error
 * (a longjmp out of the engine; its memory is in the build's context, which the error frees).
 */
static int
lk_interrupt(void *arg)
{
	bool		(*abandon) (void) = (bool (*) (void)) arg;

	CHECK_FOR_INTERRUPTS();
	return (abandon != NULL && abandon()) ? 1 : 0;
}

void
shegu_lookup_allocator(MemoryContext cxt, shegu_geo_allocator *alloc)
{
	alloc->alloc = lk_alloc;
	alloc->realloc = lk_realloc;
	alloc->free = lk_free;
	alloc->ctx = cxt;
}

/* ---- building ---- */

Oid
shegu_lookup_namespace(void)
{
	return get_namespace_oid("shegu", false);
}

static void
report_geo_error(shegu_gridcode code, DateADT from, const shegu_geo_error *err)
{
	char		buf[SHEGU_GRIDCODE_BUFLEN];

	shegu_gridcode_format(code, buf);
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("boundary of grid %s (valid from %s) cannot be indexed", buf,
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(from)))),
			 errdetail("The EWKB is refused at byte %zu: %s.", err->offset,
					   shegu_geo_status_name(err->status)),
			 errhint("Check the row with shegu.check_boundary(boundary); rows written with triggers disabled skip that check.")));
}

/* The date the transaction started on, in the session's time zone (locate's default day). */
DateADT
shegu_lookup_today(void)
{
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
											   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
}

/* A float8[] of one coordinate of every rectangle (0: x0, 1: y0, 2: x1, 3: y1). */
static Datum
rect_array(const shegu_geo_box *rects, size_t n, int which)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	size_t		i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(which == 0 ? rects[i].x0 : which == 1 ? rects[i].y0
							  : which == 2 ? rects[i].x1 : rects[i].y1);
	return PointerGetDatum(construct_array(d, (int) n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * The rows whose boxes meet one of the rectangles $1..$4 (x0, y0, x1, y1 arrays), each once,
 * with their row version (ctid, xmin); a boundary stored in more than BIG_BOUNDARY bytes comes as
 * NULL (see big_boundary).
 */
#define BIG_BOUNDARY	16384
static char *
delta_query(const char *pg)
{
	return psprintf("SELECT code, valid_from, valid_to, "
					"CASE WHEN pg_catalog.pg_column_size(boundary) > %d THEN NULL ELSE %s.st_asewkb(boundary) END, "
					"ctid, xmin FROM shegu.grid "
					"WHERE ctid = ANY (ARRAY(SELECT DISTINCT g.ctid "
					"FROM unnest($1, $2, $3, $4) AS r(x0, y0, x1, y1) "
					"JOIN shegu.grid g ON g.boundary OPERATOR(%s.&&) %s.st_makeenvelope(r.x0, r.y0, r.x1, r.y1, 4326)))",
					BIG_BOUNDARY, pg, pg, pg);
}

/*
 * The EWKB of the large boundaries (a county's 25,000 vertices, a township's thousands) that
 * deltas read again and again, kept by this process (the index builder) by row version: a row
 * version never changes, so (ctid, xmin) names one boundary for good.  Every delta of a
 * province read the county (detoasted and written as EWKB: 9 ms, three times that under load);
 * now once.  Emptied when it passes BIG_CACHE_BYTES.
 */
#define BIG_CACHE_BYTES	(64 * 1024 * 1024)
typedef struct big_key
{
	ItemPointerData tid;
	TransactionId xmin;
} big_key;
typedef struct big_entry
{
	big_key		key;
	bytea	   *ewkb;
} big_entry;
static HTAB *big_cache = NULL;
static MemoryContext big_cxt = NULL;
static Size big_bytes = 0;

static bytea *
big_boundary(const char *pg, ItemPointer tid, TransactionId xmin)
{
	big_key		key;
	big_entry  *e;
	bool		found;

	if (big_cache == NULL || big_bytes > BIG_CACHE_BYTES)
	{
		HASHCTL		ctl;

		if (big_cxt != NULL)
			MemoryContextDelete(big_cxt);
		big_cxt = AllocSetContextCreate(TopMemoryContext, "shegu lookup large boundaries",
										ALLOCSET_DEFAULT_SIZES);
		memset(&ctl, 0, sizeof ctl);
		ctl.keysize = sizeof(big_key);
		ctl.entrysize = sizeof(big_entry);
		ctl.hcxt = big_cxt;
		big_cache = hash_create("shegu lookup large boundaries", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		big_bytes = 0;
	}
	memset(&key, 0, sizeof key);
	key.tid = *tid;
	key.xmin = xmin;
	e = hash_search(big_cache, &key, HASH_FIND, NULL);
	if (e == NULL)
	{
		Oid			argtypes[1] = {TIDOID};
		Datum		args[1] = {PointerGetDatum(tid)};
		bytea	   *w;
		bool		isnull;
		Datum		d;

		/* inside the build's SPI connection and snapshot: the row version is visible there */
		if (SPI_execute_with_args(psprintf("SELECT %s.st_asewkb(boundary) FROM shegu.grid WHERE ctid = $1", pg),
								  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "a grid version read for the lookup index is gone");
		{
			SPITupleTable *tt = SPI_tuptable;

			d = SPI_getbinval(tt->vals[0], tt->tupdesc, 1, &isnull);
			if (isnull)
				elog(ERROR, "a grid version read for the lookup index has no boundary");
			w = DatumGetByteaPP(d);
			e = hash_search(big_cache, &key, HASH_ENTER, &found);
			e->ewkb = MemoryContextAlloc(big_cxt, VARSIZE_ANY(w));
			memcpy(e->ewkb, w, VARSIZE_ANY(w));
			big_bytes += VARSIZE_ANY(w);
			SPI_freetuptable(tt);
		}
	}
	return e->ewkb;
}

/*
 * Run the query of a delta once over no rectangles: loads PostGIS and the catalog entries a
 * delta needs, so that the first edit does not wait for them (the index builder at its start).
 */
void
shegu_lookup_warm(void)
{
	const char *pg = quote_identifier(get_namespace_name(shegu_postgis_namespace()));
	Oid			argtypes[4] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		args[4];
	int			i;

	for (i = 0; i < 4; i++)
		args[i] = rect_array(NULL, 0, i);
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) SPI_execute_with_args(delta_query(pg), 4, argtypes, args, NULL, true, 0);
	SPI_finish();
	PopActiveSnapshot();
}

/*
 * Read the grid versions with a boundary (every one when nrects is (size_t) -1, else those whose
 * bounding box meets one of the rectangles) and build an engine index in cxt (everything it
 * holds is allocated there).  Reads with the latest snapshot, or the statement's in parallel mode
 * (see build_index).  *rows receives the versions read.  With abandon, the build gives up and
 * returns NULL as soon as abandon() is true (checked every FETCH_ROWS / 5 rows and in the engine).
 */
shegu_geo_index *
shegu_lookup_build(MemoryContext cxt, bool parallel, int64 *rows_out,
				   const shegu_geo_box *rects, size_t nrects, bool (*abandon) (void))
{
	shegu_geo_allocator alloc;
	shegu_geo_builder *b;
	shegu_geo_options opt = {shegu_lookup_leaf_edges, 0, 0, lk_interrupt, NULL, 0, false};
	shegu_geo_status status;
	shegu_geo_index *geo;
	char	   *query;
	const char *pg = quote_identifier(get_namespace_name(shegu_postgis_namespace()));
	Portal		portal;
	int64		rows = 0;
	bool		some = nrects != (size_t) -1;
	Oid			argtypes[4] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		args[4];
	bool		gave_up = false;
	shegu_geo_box hull = {0, 0, 0, 0};
	uint8_t		hull_ewkb[SHEGU_GEO_BOX_EWKB_LEN];
	size_t		hull_len = 0,
				k;
	instr_time	t_start,
				t_read,
				t_built;

	INSTR_TIME_SET_CURRENT(t_start);
	opt.interrupt_arg = (void *) abandon;
	shegu_lookup_allocator(cxt, &alloc);
	b = shegu_geo_builder_new(&alloc);

	if (!some)
		query = psprintf("SELECT code, valid_from, valid_to, %s.st_asewkb(boundary) "
						 "FROM shegu.grid WHERE boundary IS NOT NULL", pg);
	else
	{
		/*
		 * The rows whose boxes meet a rectangle, each once, read through the GiST index.  A row
		 * of many vertices that covers the rectangles' hull (a county, a township around a
		 * redrawn basic grid) is read as the hull instead (see below).
		 */
		query = delta_query(pg);
		hull = rects[0];
		for (k = 1; k < nrects; k++)
		{
			hull.x0 = Min(hull.x0, rects[k].x0);
			hull.y0 = Min(hull.y0, rects[k].y0);
			hull.x1 = Max(hull.x1, rects[k].x1);
			hull.y1 = Max(hull.y1, rects[k].y1);
		}
		hull_len = shegu_geo_box_ewkb(&hull, 4326, hull_ewkb);
		args[0] = rect_array(rects, nrects, 0);
		args[1] = rect_array(rects, nrects, 1);
		args[2] = rect_array(rects, nrects, 2);
		args[3] = rect_array(rects, nrects, 3);
	}
	PushActiveSnapshot(parallel ? GetActiveSnapshot() : GetLatestSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (some)
	{
		/* a delta's query is planned once a process (the index builder runs one after another) */
		static SPIPlanPtr delta_plan = NULL;

		if (delta_plan == NULL)
		{
			SPIPlanPtr	plan = SPI_prepare(query, 4, argtypes);

			if (plan == NULL || SPI_keepplan(plan) != 0)
				elog(ERROR, "cannot plan the lookup index's delta query: %s", SPI_result_code_string(SPI_result));
			delta_plan = plan;
		}
		portal = SPI_cursor_open(NULL, delta_plan, args, NULL, true);
	}
	else
		portal = SPI_cursor_open_with_args(NULL, query, 0, argtypes, args, NULL, true, 0);
	for (;;)
	{
		uint64		i;

		SPITupleTable *tt;
		uint64		fetched;

		/*
		 * A compaction that a commit abandons looks at it after every batch: smaller batches
		 * there (a batch of 1,000 province rows took 15-30 ms under load, which a one-grid
		 * edit's delta waited for before it could start)
		 */
		SPI_cursor_fetch(portal, true, abandon != NULL ? FETCH_ROWS / 5 : FETCH_ROWS);
		/* (big_boundary runs queries of its own: keep this batch's table) */
		tt = SPI_tuptable;
		fetched = SPI_processed;
		if (fetched == 0)
			break;
		for (i = 0; i < fetched; i++)
		{
			HeapTuple	tup = tt->vals[i];
			TupleDesc	desc = tt->tupdesc;
			bool		isnull;
			shegu_gridcode code;
			DateADT		from,
						to;
			bytea	   *ewkb;
			const uint8_t *p;
			size_t		len;
			shegu_geo_error err;
			Datum		d;

			code = DatumGetGridcode(SPI_getbinval(tup, desc, 1, &isnull));
			from = DatumGetDateADT(SPI_getbinval(tup, desc, 2, &isnull));
			d = SPI_getbinval(tup, desc, 3, &isnull);
			to = isnull ? DATEVAL_NOEND : DatumGetDateADT(d);
			d = SPI_getbinval(tup, desc, 4, &isnull);
			if (isnull && some)
			{
				bool		n1,
							n2;
				ItemPointer tid = (ItemPointer) DatumGetPointer(SPI_getbinval(tup, desc, 5, &n1));
				TransactionId xmin = DatumGetTransactionId(SPI_getbinval(tup, desc, 6, &n2));

				d = PointerGetDatum(big_boundary(pg, tid, xmin));
			}
			ewkb = DatumGetByteaPP(d);
			p = (const uint8_t *) VARDATA_ANY(ewkb);
			len = VARSIZE_ANY_EXHDR(ewkb);
			/*
			 * The delta answers only for points in the rectangles: a boundary that covers their
			 * hull entirely (decided exactly, see shegu_geo_covers_box) covers each of those
			 * points just as the hull does, with 4 vertices instead of thousands.
			 */
			if (some && len > 64 * 16 && shegu_geo_covers_box(p, len, &hull))
			{
				p = hull_ewkb;
				len = hull_len;
			}
			else if (some && len > 64 * 16)
			{
				/*
				 * Edits far apart (two townships) make a hull that the county does not cover
				 * (its outline is not convex), which read it and its 25,000 vertices into every
				 * delta: 0.5-1.1 s to build on a province.  A boundary that covers each
				 * rectangle its box meets enters as those rectangles, one box each (boxes, not
				 * rings of one polygon: the rectangles overlap a little, and the crossing rule
				 * would count an overlap out); one that meets none enters not at all.
				 */
				int			met[32];
				int			m = shegu_geo_covered_rects(p, len, rects, nrects, met, lengthof(met));

				if (m >= 0)
				{
					int			j;

					for (j = 0; j < m; j++)
					{
						uint8_t		box_ewkb[SHEGU_GEO_BOX_EWKB_LEN];
						size_t		box_len = shegu_geo_box_ewkb(&rects[met[j]], 4326, box_ewkb);

						if (shegu_geo_builder_add(b, box_ewkb, box_len, code, shegu_gridcode_level(code),
												  from, to, NULL, &err) != SHEGU_GEO_OK)
							report_geo_error(code, from, &err);
					}
					if ((Pointer) ewkb != DatumGetPointer(d))
						pfree(ewkb);
					rows++;
					continue;
				}
			}
			if (shegu_geo_builder_add(b, p, len,
									  code, shegu_gridcode_level(code), from, to, NULL,
									  &err) != SHEGU_GEO_OK)
				report_geo_error(code, from, &err);
			if ((Pointer) ewkb != DatumGetPointer(d))
				pfree(ewkb);		/* a detoasted copy: do not keep all of them until the end */
			rows++;
		}
		SPI_freetuptable(tt);
		CHECK_FOR_INTERRUPTS();
		if (abandon != NULL && abandon())
		{
			gave_up = true;
			break;
		}
	}
	SPI_cursor_close(portal);
	SPI_finish();
	PopActiveSnapshot();
	if (gave_up)
	{
		shegu_geo_builder_free(b);
		return NULL;
	}

	/* the raster answers for today (and the days around it with the same grids) */
	opt.raster_day = shegu_lookup_today();
	opt.raster_day_set = true;
	INSTR_TIME_SET_CURRENT(t_read);
	geo = shegu_geo_build(b, &opt, &status);
	INSTR_TIME_SET_CURRENT(t_built);
	INSTR_TIME_SUBTRACT(t_built, t_read);
	INSTR_TIME_SUBTRACT(t_read, t_start);
	elog(DEBUG1, "shegu lookup: read %lld grid versions in %.1f ms, built in %.1f ms",
		 (long long) rows, INSTR_TIME_GET_MILLISEC(t_read), INSTR_TIME_GET_MILLISEC(t_built));
	if (geo == NULL && status == SHEGU_GEO_CANCELLED && abandon != NULL && abandon())
		return NULL;
	if (geo == NULL && status == SHEGU_GEO_CANCELLED)
		ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("canceling the build of the grid index")));
	if (geo == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory building the grid index")));
	*rows_out = rows;
	return geo;
}

Oid
shegu_lookup_grid_relid(void)
{
	Oid			relid = get_relname_relid("grid", shegu_lookup_namespace());

	if (!OidIsValid(relid))
		elog(ERROR, "table shegu.grid does not exist");
	return relid;
}

/*
 * An index's raster answers for the days around the one it was built on on which no grid version
 * starts or ends (other days go through its tree, more slowly).  Has today left them?
 */
bool
shegu_lookup_raster_stale(const shegu_geo_index *geo, DateADT day)
{
	int32		from,
				to;

	shegu_geo_raster_days(geo, &from, &to);
	return !(from <= day && (day < to || to == DATEVAL_NOEND));
}

