/* SQL binding of the grid registry's lookup: the per-backend index of shegu.grid, its
 * invalidation, reading the grids for a build (whole, or a delta's), locate(), the fill_grid()
 * and grid_changed triggers, lookup_stats() and lookup_wait().
 * src/lookup.c — the shared index is src/lookup_shmem.c, the engine src/engine/geo.c. */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "pgtime.h"
#include "portability/instr_time.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/dsa.h"
#include "utils/wait_event.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "engine/coords.h"
#include "engine/ewkb.h"
#include "engine/geo.h"
#include "gridcode.h"
#include "lookup.h"
#include "lookup_int.h"
#include "refcache.h"
#include "core.h"

#define WGS84_SRID		4326

/* The index of one backend: rebuilt, never patched, when shegu.grid changes. */
typedef struct lookup_index
{
	MemoryContext cxt;			/* holds everything below; a child of CacheMemoryContext */
	shegu_geo_index *geo;
	int64		rows;			/* grid versions read */
	double		build_ms;
	TimestampTz built_at;
	bool		stmt_bound;		/* read with the statement's snapshot: good for it only */
	LocalTransactionId lxid;	/* the statement it was built in */
	TimestampTz stmt;
	TimestampTz checked_stmt;	/* the last statement that checked its raster's days */
	bool		rebuilt_for_day;	/* built again because today had left them */
} lookup_index;

static lookup_index *current = NULL;
static bool current_valid = false;
static uint64 inval_count = 0;	/* bumped by every invalidation of shegu.grid */
static Oid	grid_relid = InvalidOid;

/* The statement whose start last made us read pending invalidations. */
static LocalTransactionId seen_lxid = InvalidLocalTransactionId;
static TimestampTz seen_stmt = 0;

static int64 n_builds = 0;
static int64 n_locates = 0;

/* geometry_send, for what is not a point */
static bool send_ready = false;
static FmgrInfo send_finfo;

/* PostGIS's accessors of a point: GeometryType, ST_SRID, ST_X, ST_Y (see read_point) */
static bool access_ready = false;
static FmgrInfo type_finfo,
			srid_finfo,
			x_finfo,
			y_finfo;

/* GUCs */
static bool china_bounds = false;
static bool fast_point = true;

static const char *const wkb_type_names[] = {
	"geometry", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
	"MultiPolygon", "GeometryCollection", "CircularString", "CompoundCurve", "CurvePolygon",
	"MultiCurve", "MultiSurface", "PolyhedralSurface", "Triangle", "Tin"
};

static const char *const srid_hint =
"Grids are WGS-84 longitude/latitude (SRID 4326): use ST_SetSRID(pt, 4326) for WGS-84 or "
"CGCS2000 coordinates, ST_Transform(pt, 4326) for projected ones, and shegu.gcj02_to_wgs84 "
"or shegu.bd09_to_wgs84 for points from WeChat, Amap or Baidu.";

/* ---- invalidation ---- */

/* Relcache callback: any invalidation of shegu.grid (or of everything) drops the index. */
static void
lookup_relcache_callback(Oid relid)
{
	if (relid == InvalidOid || relid == grid_relid)
	{
		current_valid = false;
		inval_count++;
		send_ready = false;
	}
}

/*
 * Once per statement, read the invalidations other sessions have committed since: a statement
 * that calls locate() without touching any table would otherwise not look for them.
 */
static void
accept_changes(void)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (MyProc == NULL || MyProc->lxid != seen_lxid || stmt != seen_stmt)
	{
		AcceptInvalidationMessages();
		seen_lxid = MyProc ? MyProc->lxid : InvalidLocalTransactionId;
		seen_stmt = stmt;
	}
}

/*
 * This backend's own index (the mode without shared memory, and the one of a transaction that
 * has changed the grids).  Everything is allocated in a context below the caller's until the
 * build succeeds, so an error half-way leaves nothing.
 */
static lookup_index *
build_index(void)
{
	uint64		gen = inval_count;
	MemoryContext cxt;
	lookup_index *li;
	instr_time	start,
				dur;
	int64		rows = 0;
	bool		parallel;
	shegu_geo_index *geo;

	if (current != NULL)
	{
		MemoryContextDelete(current->cxt);
		current = NULL;
	}
	current_valid = false;
	grid_relid = shegu_lookup_grid_relid();

	INSTR_TIME_SET_CURRENT(start);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "shegu lookup index", ALLOCSET_DEFAULT_SIZES);
	/*
	 * Read with the latest snapshot, not the statement's or the transaction's: an invalidation
	 * we have just processed must be in what we read (its commit is visible to any snapshot taken
	 * after the message arrived), and an index built inside a repeatable-read transaction must
	 * not outlive it with that transaction's old view of the grids.  No new snapshot can be taken
	 * during a parallel query (in its workers, or in the leader while it runs): then the statement's
	 * snapshot is used and the index serves this statement only.
	 */
	parallel = IsInParallelMode();
	geo = shegu_lookup_build(cxt, parallel, &rows, NULL, (size_t) -1, NULL);
	li = MemoryContextAllocZero(cxt, sizeof(lookup_index));
	li->cxt = cxt;
	li->geo = geo;
	INSTR_TIME_SET_CURRENT(dur);
	INSTR_TIME_SUBTRACT(dur, start);
	li->rows = rows;
	li->build_ms = INSTR_TIME_GET_MILLISEC(dur);
	li->built_at = GetCurrentTimestamp();
	li->stmt_bound = parallel;
	li->lxid = MyProc ? MyProc->lxid : InvalidLocalTransactionId;
	li->stmt = GetCurrentStatementStartTimestamp();

	/* success: from now on the index outlives the statement */
	MemoryContextSetParent(cxt, CacheMemoryContext);
	current = li;
	/* a change that arrived while we read is not in it: use it once, rebuild next time */
	current_valid = (inval_count == gen);
	n_builds++;
	return li;
}

static lookup_index *
get_index(void)
{
	accept_changes();
	if (current != NULL && current_valid
		&& (!current->stmt_bound
			|| (MyProc != NULL && current->lxid == MyProc->lxid
				&& current->stmt == GetCurrentStatementStartTimestamp())))
	{
		TimestampTz stmt = GetCurrentStatementStartTimestamp();

		/* once a statement: has a grid version started or ended since it was built? */
		if (current->checked_stmt != stmt)
		{
			current->checked_stmt = stmt;
			if (!current->rebuilt_for_day && shegu_lookup_raster_stale(current->geo, shegu_lookup_today()))
			{
				build_index();	/* once more, for today */
				current->rebuilt_for_day = true;
				current->checked_stmt = stmt;
			}
		}
		return current;
	}
	return build_index();
}

/* The layers this statement reads (checked once a statement), and the mode for lookup_stats. */
static lk_layers stmt_layers;
static bool stmt_layers_set = false;
static LocalTransactionId stmt_layers_lxid = InvalidLocalTransactionId;
static TimestampTz stmt_layers_stmt = 0;
static const char *last_mode = "backend";

/*
 * The index this statement reads: the shared one when there is one and this transaction has not
 * changed the grids (a parallel worker cannot tell whether its leader has: it reads the shared
 * one only when the transaction has written nothing at all), else this backend's own.
 */
static const lk_layers *
get_layers(void)
{
	LocalTransactionId lxid;
	TimestampTz stmt;

	accept_changes();
	lxid = MyProc ? MyProc->lxid : InvalidLocalTransactionId;
	stmt = GetCurrentStatementStartTimestamp();
	if (stmt_layers_set && stmt_layers_lxid == lxid && stmt_layers_stmt == stmt)
		return &stmt_layers;
	stmt_layers_set = false;
	if (shegu_lookup_shmem_ready() && !shegu_lookup_xact_changed() && shegu_lookup_leaf_edges == 0
		&& !(IsParallelWorker() && TransactionIdIsValid(GetTopTransactionIdIfAny()))
		&& shegu_lookup_shared_layers(&stmt_layers))
	{
		last_mode = "shared";
		stmt_layers_set = true;
		stmt_layers_lxid = lxid;
		stmt_layers_stmt = stmt;
		return &stmt_layers;
	}
	last_mode = shegu_lookup_xact_changed() ? "transaction"
		: (IsInParallelMode() && shegu_lookup_shmem_ready()) ? "statement" : "backend";
	/* this backend's own index: checked at every call, as a relcache message can drop it */
	memset(&stmt_layers, 0, sizeof stmt_layers);
	stmt_layers.base = get_index()->geo;
	return &stmt_layers;
}

/*
 * The layers this statement has already read, or NULL: what a point's reader may start the first
 * memory read of the lookup in (shegu_lookup_layers_prefetch) before its own checks are done,
 * without building or looking for anything.
 */
static const lk_layers *
peek_layers(void)
{
	if (stmt_layers_set && MyProc != NULL && stmt_layers_lxid == MyProc->lxid
		&& stmt_layers_stmt == GetCurrentStatementStartTimestamp())
		return &stmt_layers;
	if (current != NULL && current_valid && !current->stmt_bound && stmt_layers.base == current->geo)
		return &stmt_layers;
	return NULL;
}

/* ---- points ---- */

/* The date of a timestamptz in the session's time zone (cached: a column of now() repeats). */
static DateADT
day_of(TimestampTz at)
{
	static TimestampTz last_at = 0;
	static DateADT last_day = 0;
	static pg_tz *last_tz = NULL;

	if (last_tz != session_timezone || at != last_at)
	{
		last_day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(at)));
		last_at = at;
		last_tz = session_timezone;
	}
	return last_day;
}

static void
check_srid(int32 srid)
{
	if (srid != WGS84_SRID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("point has SRID %d, not 4326", srid),
				 errhint("%s", srid_hint)));
}

/* ewkb walk callback: keep the (first) coordinate of a point */
static int
point_xy(double *x, double *y, void *arg)
{
	double	   *xy = (double *) arg;

	xy[0] = *x;
	xy[1] = *y;
	xy[2] += 1;
	return 0;
}

/* A point through geometry_send (EWKB), read by the engine's one EWKB reader: every form PostGIS can hold. */
static void
read_point_ewkb(Datum geom, double *x, double *y, bool *empty)
{
	bytea	   *w;
	double		xy[3] = {0, 0, 0};
	int32_t		srid = 0;
	uint32_t	type = 0;
	shegu_ewkb_status st;

	if (!send_ready)
	{
		Oid			sendfn;
		bool		varlena;

		getTypeBinaryOutputInfo(shegu_geometry_type(), &sendfn, &varlena);
		fmgr_info_cxt(sendfn, &send_finfo, TopMemoryContext);
		send_ready = true;
	}
	w = SendFunctionCall(&send_finfo, geom);
	st = shegu_ewkb_walk((const uint8_t *) VARDATA_ANY(w), VARSIZE_ANY_EXHDR(w), point_xy, NULL, xy,
						 &srid, &type);
	if (st != SHEGU_EWKB_OK)
		elog(ERROR, "geometry_send returned EWKB that does not read: %s", shegu_ewkb_status_text(st));
	if (type != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shegu.locate takes a point, not a %s",
						type < lengthof(wkb_type_names) ? wkb_type_names[type] : "geometry"),
				 errhint("Locate a representative point, e.g. ST_PointOnSurface(geom).")));
	check_srid(srid);
	*x = xy[0];
	*y = xy[1];
	/* WKB writes POINT EMPTY as NaN, NaN */
	*empty = xy[2] == 0 || (isnan(*x) && isnan(*y));
	pfree(w);
}

/* The function name(geometry) of the postgis extension's schema, into *f (for the session). */
static void
postgis_accessor(const char *name, FmgrInfo *f)
{
	Oid			geom = shegu_geometry_type();
	char	   *nsp = get_namespace_name(shegu_postgis_namespace());
	Oid			fn = LookupFuncName(list_make2(makeString(nsp), makeString(pstrdup(name))), 1, &geom, false);

	fmgr_info_cxt(fn, f, TopMemoryContext);
}

/* Call an accessor on one (detoasted) geometry; *isnull as the function says. */
static inline Datum
call_accessor(FmgrInfo *f, Datum geom, bool *isnull)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		d;

	InitFunctionCallInfoData(*fcinfo, f, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = geom;
	fcinfo->args[0].isnull = false;
	d = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	return d;
}

/*
 * A point, through PostGIS's public accessors only (no private format is read): the geometry is
 * detoasted once, GeometryType says whether it is a point ('POINT', or 'POINTM' with a measure;
 * Z is ignored), ST_SRID gives its SRID, ST_X and ST_Y its coordinates (NULL for POINT EMPTY).
 * Each looks at the serialized header and the first point without building a geometry, where
 * geometry_send builds one and writes it out: about 0.6 microseconds a point more.  Anything but
 * a point goes through geometry_send, whose EWKB names its type in the error.  With
 * shegu.lookup_fast_point off every point does (for measurements).
 */
static void
read_point(Datum geom, double *x, double *y, bool *empty)
{
	struct varlena *v = PG_DETOAST_DATUM(geom);
	Datum		g = PointerGetDatum(v);

	if (fast_point)
	{
		bool		isnull;
		text	   *type;
		char	   *t;
		int			n;

		if (!access_ready)
		{
			postgis_accessor("geometrytype", &type_finfo);
			postgis_accessor("st_srid", &srid_finfo);
			postgis_accessor("st_x", &x_finfo);
			postgis_accessor("st_y", &y_finfo);
			access_ready = true;
		}
		type = DatumGetTextPP(call_accessor(&type_finfo, g, &isnull));
		t = VARDATA_ANY(type);
		n = VARSIZE_ANY_EXHDR(type);
		if (!isnull && n >= 5 && memcmp(t, "POINT", 5) == 0 && (n == 5 || (n == 6 && t[5] == 'M')))
		{
			Datum		d;
			const lk_layers *l;

			pfree(type);
			d = call_accessor(&x_finfo, g, &isnull);
			*empty = isnull;
			if (!isnull)
			{
				*x = DatumGetFloat8(d);
				*y = DatumGetFloat8(call_accessor(&y_finfo, g, &isnull));
				/*
				 * The index's first read is most of a random point's time (a cache miss): start
				 * it now, so that it overlaps the SRID's check and the rest before the lookup.
				 */
				if ((l = peek_layers()) != NULL)
					shegu_lookup_layers_prefetch(l, *x, *y);
			}
			check_srid(DatumGetInt32(call_accessor(&srid_finfo, g, &isnull)));
			if ((Pointer) v != DatumGetPointer(geom))
				pfree(v);
			return;
		}
		pfree(type);
	}
	read_point_ewkb(g, x, y, empty);
	if ((Pointer) v != DatumGetPointer(geom))
		pfree(v);
}

shegu_gridcode
shegu_lookup_locate(double lon, double lat, DateADT day)
{
	const lk_layers *layers;

	if (!isfinite(lon) || !isfinite(lat))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot locate point (%g %g): a coordinate is not finite", lon, lat),
				 errdetail("Longitude and latitude must be finite numbers.")));
	if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot locate point (%g %g): %s %g is outside %s", lon, lat,
						(lat < -90.0 || lat > 90.0) ? "latitude" : "longitude",
						(lat < -90.0 || lat > 90.0) ? lat : lon,
						(lat < -90.0 || lat > 90.0) ? "-90 to 90" : "-180 to 180"),
				 errdetail("Points are longitude/latitude degrees, longitude first."),
				 errhint("Check the axis order and that the coordinates are degrees, not projected metres.")));
	layers = get_layers();
	n_locates++;
	return (shegu_gridcode) shegu_lookup_layers_locate(layers, lon, lat, (int32) day);
}

shegu_gridcode
shegu_lookup_locate_point(Datum point, TimestampTz at)
{
	double		x = 0,
				y = 0;
	bool		empty;

	read_point(point, &x, &y, &empty);
	if (empty)
		return SHEGU_GRIDCODE_NONE;
	return shegu_lookup_locate(x, y, day_of(at));
}

/* ---- set-up ---- */

/* A new leaf size takes effect at the next build. */
static void
leaf_edges_assign(int newval, void *extra)
{
	if (newval != shegu_lookup_leaf_edges)
		current_valid = false;
}

void
shegu_lookup_init(void)
{
	DefineCustomBoolVariable("shegu.china_bounds",
							 "Refuse grid boundaries outside longitude 73-136, latitude 3-54.",
							 "Catches swapped axes and projected coordinates loaded as degrees.",
							 &china_bounds, false, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("shegu.lookup_fast_point",
							 "Read points for shegu.locate through PostGIS's accessors ST_X, ST_Y and ST_SRID.",
							 "Off: every point goes through geometry_send (for measurements).",
							 &fast_point, true, PGC_USERSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomIntVariable("shegu.lookup_leaf_edges",
							"Edges a lookup index cell may hold before it is split (0: the engine's default).",
							"More edges make a smaller index and slower probes (for measurements).",
							&shegu_lookup_leaf_edges, 0, 0, 4096, PGC_USERSET, GUC_NOT_IN_SAMPLE,
							NULL, leaf_edges_assign, NULL);
	shegu_refcache_subscribe(lookup_relcache_callback);
	shegu_lookup_shmem_init();
}

/* ---- SQL-callable ---- */

PG_FUNCTION_INFO_V1(lookup_locate);
/* shegu.locate(pt geometry, at timestamptz) RETURNS shegu.gridcode */
Datum
lookup_locate(PG_FUNCTION_ARGS)
{
	shegu_gridcode code;

	code = shegu_lookup_locate_point(PG_GETARG_DATUM(0), PG_GETARG_TIMESTAMPTZ(1));
	if (code == SHEGU_GRIDCODE_NONE)
		PG_RETURN_NULL();
	PG_RETURN_GRIDCODE(code);
}

PG_FUNCTION_INFO_V1(lookup_locate_lonlat);
/* shegu.locate(lon float8, lat float8, crs text, at timestamptz) RETURNS shegu.gridcode */
Datum
lookup_locate_lonlat(PG_FUNCTION_ARGS)
{
	double		lon = PG_GETARG_FLOAT8(0);
	double		lat = PG_GETARG_FLOAT8(1);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	shegu_crs	crs;
	double		x,
				y;
	shegu_gridcode code;

	if (!shegu_crs_from_name(name, &crs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown coordinate system \"%s\"", name),
				 errhint("Use 'wgs84', 'cgcs2000' (read as WGS-84), 'gcj02' (WeChat, Amap, Tencent) or 'bd09' (Baidu).")));
	if (!isfinite(lon) || !isfinite(lat))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot locate point (%g %g): a coordinate is not finite", lon, lat),
				 errdetail("Longitude and latitude must be finite numbers.")));
	shegu_to_wgs84(crs, lon, lat, &x, &y);
	code = shegu_lookup_locate(x, y, day_of(PG_GETARG_TIMESTAMPTZ(3)));
	if (code == SHEGU_GRIDCODE_NONE)
		PG_RETURN_NULL();
	PG_RETURN_GRIDCODE(code);
}

/* The attribute number of a trigger argument's column, with the type it must have. */
static int
trigger_column(Relation rel, const char *name, const char *role)
{
	int			att = SPI_fnumber(RelationGetDescr(rel), name);

	if (att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist", name,
						RelationGetRelationName(rel)),
				 errdetail("shegu.fill_grid() was given \"%s\" as its %s column.", name, role)));
	return att;
}

PG_FUNCTION_INFO_V1(lookup_fill_grid);
/* shegu.fill_grid() RETURNS trigger: BEFORE INSERT OR UPDATE ... FOR EACH ROW */
Datum
lookup_fill_grid(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Trigger    *tg;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			geom_att,
				grid_att,
				time_att = 0;
	Oid			geom_type,
				time_type = InvalidOid;
	Datum		geom,
				value = (Datum) 0;
	bool		geom_null,
				value_null = true;
	DateADT		day;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shegu.fill_grid() was not called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	tg = td->tg_trigger;
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event)
		|| !(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on \"%s\" must fire BEFORE INSERT OR UPDATE FOR EACH ROW",
						tg->tgname, RelationGetRelationName(rel))));
	if (tg->tgnargs < 2 || tg->tgnargs > 3)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg_plural("trigger \"%s\" on \"%s\" passes %d argument to shegu.fill_grid(), not 2 or 3",
							   "trigger \"%s\" on \"%s\" passes %d arguments to shegu.fill_grid(), not 2 or 3",
							   tg->tgnargs, tg->tgname, RelationGetRelationName(rel), tg->tgnargs),
				 errhint("Use EXECUTE FUNCTION shegu.fill_grid('geom_column', 'grid_column') or add a third argument, 'time_column', to locate at the row's own time.")));

	geom_att = trigger_column(rel, tg->tgargs[0], "point");
	grid_att = trigger_column(rel, tg->tgargs[1], "grid");
	geom_type = getBaseType(TupleDescAttr(desc, geom_att - 1)->atttypid);
	if (geom_type != shegu_geometry_type())
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"%s\" is of type %s, not geometry",
						tg->tgargs[0], RelationGetRelationName(rel), format_type_be(geom_type))));
	if (getBaseType(TupleDescAttr(desc, grid_att - 1)->atttypid)
		!= GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("gridcode"),
						   ObjectIdGetDatum(shegu_lookup_namespace())))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"%s\" is of type %s, not shegu.gridcode",
						tg->tgargs[1], RelationGetRelationName(rel),
						format_type_be(TupleDescAttr(desc, grid_att - 1)->atttypid))));
	if (tg->tgnargs == 3)
	{
		time_att = trigger_column(rel, tg->tgargs[2], "time");
		time_type = getBaseType(TupleDescAttr(desc, time_att - 1)->atttypid);
		if (time_type != TIMESTAMPTZOID && time_type != TIMESTAMPOID && time_type != DATEOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is of type %s, not timestamptz, timestamp or date",
							tg->tgargs[2], RelationGetRelationName(rel), format_type_be(time_type))));
	}

	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	geom = heap_getattr(tup, geom_att, desc, &geom_null);

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		/* only a move (or a new time) relocates: an unchanged point keeps its grid */
		bool		old_null,
					oldt_null = true,
					newt_null = true;
		Datum		old = heap_getattr(td->tg_trigtuple, geom_att, desc, &old_null);
		Datum		oldt = (Datum) 0,
					newt = (Datum) 0;
		bool		same;

		same = (old_null && geom_null)
			|| (!old_null && !geom_null && datumIsEqual(old, geom, false, -1));
		if (same && time_att)
		{
			Form_pg_attribute ta = TupleDescAttr(desc, time_att - 1);

			oldt = heap_getattr(td->tg_trigtuple, time_att, desc, &oldt_null);
			newt = heap_getattr(tup, time_att, desc, &newt_null);
			same = (oldt_null && newt_null)
				|| (!oldt_null && !newt_null && datumIsEqual(oldt, newt, ta->attbyval, ta->attlen));
		}
		if (same)
			return PointerGetDatum(tup);
	}

	if (!geom_null)
	{
		double		x = 0,
					y = 0;
		bool		empty,
					tnull = true;
		Datum		t = (Datum) 0;

		if (time_att)
			t = heap_getattr(tup, time_att, desc, &tnull);
		if (tnull)
			day = day_of(GetCurrentTransactionStartTimestamp());
		else if (time_type == DATEOID)
			day = DatumGetDateADT(t);
		else if (time_type == TIMESTAMPOID)
			day = DatumGetDateADT(DirectFunctionCall1(timestamp_date, t));
		else
			day = day_of(DatumGetTimestampTz(t));

		read_point(geom, &x, &y, &empty);
		if (!empty)
		{
			shegu_gridcode code = shegu_lookup_locate(x, y, day);

			if (code != SHEGU_GRIDCODE_NONE)
			{
				value = GridcodeGetDatum(code);
				value_null = false;
			}
		}
	}
	tup = heap_modify_tuple_by_cols(tup, desc, 1, &grid_att, &value, &value_null);
	return PointerGetDatum(tup);
}

PG_FUNCTION_INFO_V1(lookup_grid_changed);
/* shegu.grid_changed() RETURNS trigger: AFTER ... FOR EACH STATEMENT on shegu.grid */
Datum
lookup_grid_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shegu.grid_changed() was not called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	/* sent to every session at commit, applied here at the end of the statement, and undone at abort */
	shegu_invalidate_table(td->tg_relation);
	/* this transaction now reads a private index; its commit starts a new shared generation */
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		shegu_lookup_note_full();
	else
		shegu_lookup_note_change();
	stmt_layers_set = false;
	return PointerGetDatum(NULL);
}

/* ewkb walk callback: grow a box by every coordinate */
static int
box_grow(double *x, double *y, void *arg)
{
	shegu_geo_box *b = (shegu_geo_box *) arg;

	if (*x < b->x0)
		b->x0 = *x;
	if (*x > b->x1)
		b->x1 = *x;
	if (*y < b->y0)
		b->y0 = *y;
	if (*y > b->y1)
		b->y1 = *y;
	return 0;
}

/* Hand the bounding box of a boundary (read as EWKB through geometry_send) to the shared index. */
static void
note_boundary_box(Datum boundary)
{
	bytea	   *w;
	shegu_geo_box b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
	int32_t		srid;

	if (!send_ready)
	{
		Oid			sendfn;
		bool		varlena;

		getTypeBinaryOutputInfo(shegu_geometry_type(), &sendfn, &varlena);
		fmgr_info_cxt(sendfn, &send_finfo, TopMemoryContext);
		send_ready = true;
	}
	w = SendFunctionCall(&send_finfo, boundary);
	if (shegu_ewkb_map_xy((uint8_t *) VARDATA_ANY(w), VARSIZE_ANY_EXHDR(w), box_grow, &b, &srid) != SHEGU_EWKB_OK
		|| !(b.x0 <= b.x1 && b.y0 <= b.y1))
		shegu_lookup_note_full();	/* no box to tell: the next version is a full build */
	else
		shegu_lookup_note_box(&b);
	pfree(w);
}

PG_FUNCTION_INFO_V1(lookup_grid_changed_row);
/* shegu.grid_changed_row() RETURNS trigger: AFTER ... FOR EACH ROW on shegu.grid */
Datum
lookup_grid_changed_row(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	TupleDesc	desc;
	int			att;
	bool		isnull;
	Datum		d;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shegu.grid_changed_row() was not called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	shegu_lookup_note_change();
	stmt_layers_set = false;
	if (!shegu_lookup_shmem_ready())
		return PointerGetDatum(NULL);	/* no shared index to tell */
	desc = RelationGetDescr(td->tg_relation);
	att = SPI_fnumber(desc, "boundary");
	if (att <= 0)
		elog(ERROR, "shegu.grid has no column \"boundary\"");
	/* the boundary removed (delete, update) and the one written (insert, update) */
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		d = heap_getattr(td->tg_trigtuple, att, desc, &isnull);
		if (!isnull)
			note_boundary_box(d);
	}
	if (!TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		HeapTuple	t = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;

		d = heap_getattr(t, att, desc, &isnull);
		if (!isnull)
			note_boundary_box(d);
	}
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(lookup_wait);
/* shegu.lookup_wait(timeout_ms int) RETURNS boolean: until the shared index holds every commit */
Datum
lookup_wait(PG_FUNCTION_ARGS)
{
	int32		timeout = PG_GETARG_INT32(0);

	if (timeout < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("timeout %d ms is negative", timeout),
				 errdetail("shegu.lookup_wait takes the milliseconds it may wait, 0 or more.")));
	accept_changes();
	PG_RETURN_BOOL(shegu_lookup_wait_published(timeout));
}

PG_FUNCTION_INFO_V1(lookup_stats);
/* shegu.lookup_stats() RETURNS record: what this backend's index holds (built if needed) */
Datum
lookup_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	const lk_layers *layers;
	shegu_geo_index *geo;
	shegu_geo_stats st;
	Datum		values[21];
	bool		nulls[21] = {false};
	int64		memory;
	double		build_ms;
	TimestampTz built_at;
	lk_shared_info info;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "lookup_stats must return a record");
	layers = get_layers();
	geo = layers->base;
	shegu_lookup_shared_info(&info);
	if (strcmp(last_mode, "shared") == 0)
	{
		/* the shared image and its delta: their size, and the build of whichever process made it */
		memory = info.memory;
		build_ms = info.build_ms;
		built_at = info.built_at;
	}
	else
	{
		info.delta_grids = 0;
		info.delta_boxes = 0;
		memory = (int64) MemoryContextMemAllocated(current->cxt, true);
		build_ms = current->build_ms;
		built_at = current->built_at;
	}
	shegu_geo_stats_get(geo, &st);
	values[0] = Int64GetDatum(st.shapes);
	values[1] = Int64GetDatum(st.rings);
	values[2] = Int64GetDatum(st.vertices);
	values[3] = Int64GetDatum(st.nodes);
	values[4] = Int64GetDatum(st.leaves);
	values[5] = Int64GetDatum(st.entries);
	values[6] = Int64GetDatum(st.boundary_entries);
	values[7] = Int64GetDatum(st.edge_refs);
	values[8] = Int32GetDatum(st.depth);
	values[9] = Int64GetDatum(memory);
	values[10] = Float8GetDatum(build_ms);
	values[11] = TimestampTzGetDatum(built_at);
	values[12] = Int64GetDatum(n_builds + info.builds);
	values[13] = Int64GetDatum(n_locates);
	values[14] = Int64GetDatum(st.raster_cells);
	values[15] = Int64GetDatum(st.raster_direct);
	values[16] = Int64GetDatum(st.raster_sub_cells);
	values[17] = Int64GetDatum(st.raster_sub_direct);
	values[18] = CStringGetTextDatum(last_mode);
	values[19] = Int64GetDatum(info.delta_grids);
	values[20] = Int64GetDatum(info.delta_boxes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
