/* SQL binding of the datum transforms (WGS-84 / GCJ-02 / BD-09) on PostGIS geometries.
 * src/coords.c — the engines are src/engine/coords.c and src/engine/ewkb.c. */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "engine/coords.h"
#include "engine/ewkb.h"
#include "core.h"

typedef void (*point_transform) (double lon, double lat, double *out_lon, double *out_lat);

/* The geometry type's binary I/O, looked up once per call site. */
typedef struct geometry_io
{
	FmgrInfo	send;
	FmgrInfo	recv;
	Oid			ioparam;
} geometry_io;

/* What the coordinate callback needs, and the first coordinate it refused. */
typedef struct transform_state
{
	point_transform fn;
	double		bad_x;
	double		bad_y;
} transform_state;

/* PostGIS's geometry type: from the call's argument type, else from the postgis schema. */
static Oid
geometry_type_oid(FunctionCallInfo fcinfo)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);

	return OidIsValid(type) ? type : shegu_geometry_type();
}

static geometry_io *
get_geometry_io(FunctionCallInfo fcinfo)
{
	geometry_io *io = (geometry_io *) fcinfo->flinfo->fn_extra;

	if (io == NULL)
	{
		Oid			type = geometry_type_oid(fcinfo);
		Oid			sendfn,
					recvfn;
		bool		varlena;

		io = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(geometry_io));
		getTypeBinaryOutputInfo(type, &sendfn, &varlena);
		getTypeBinaryInputInfo(type, &recvfn, &io->ioparam);
		fmgr_info_cxt(sendfn, &io->send, fcinfo->flinfo->fn_mcxt);
		fmgr_info_cxt(recvfn, &io->recv, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = io;
	}
	return io;
}

/* Transform one coordinate; an empty point (NaN, NaN) is left alone. */
static int
transform_xy(double *x, double *y, void *arg)
{
	transform_state *st = (transform_state *) arg;

	if (isnan(*x) && isnan(*y))
		return 0;
	if (!(*x >= -180.0 && *x <= 180.0 && *y >= -90.0 && *y <= 90.0))
	{
		st->bad_x = *x;
		st->bad_y = *y;
		return 1;
	}
	st->fn(*x, *y, x, y);
	return 0;
}

/* Apply a point transform to every coordinate of the geometry argument. */
static Datum
transform_geometry(FunctionCallInfo fcinfo, point_transform fn, const char *fname)
{
	geometry_io *io = get_geometry_io(fcinfo);
	bytea	   *wkb = SendFunctionCall(&io->send, PG_GETARG_DATUM(0));
	transform_state st = {fn, 0, 0};
	int32_t		srid = 0;
	shegu_ewkb_status status;
	StringInfoData buf;

	status = shegu_ewkb_map_xy((uint8_t *) VARDATA(wkb), VARSIZE(wkb) - VARHDRSZ,
							   transform_xy, &st, &srid);
	if (srid != 0 && srid != 4326)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("geometry with SRID %d is not longitude/latitude", srid),
				 errdetail("%s() takes longitude/latitude degrees with SRID 4326 (or 0).", fname),
				 errhint("Use ST_Transform(geom, 4326) first.")));
	if (status == SHEGU_EWKB_CALLBACK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coordinate (%.10g, %.10g) is not a longitude/latitude", st.bad_x, st.bad_y),
				 errdetail("%s() needs longitude in [-180, 180] and latitude in [-90, 90].", fname)));
	if (status != SHEGU_EWKB_OK)
		elog(ERROR, "%s: cannot read the geometry's EWKB: %s", fname,
			 shegu_ewkb_status_text(status));

	buf.data = VARDATA(wkb);
	buf.len = VARSIZE(wkb) - VARHDRSZ;
	buf.maxlen = buf.len;
	buf.cursor = 0;
	return ReceiveFunctionCall(&io->recv, &buf, io->ioparam, -1);
}

/* Both legs of BD-09 → WGS-84 and back, for the composite functions. */
static void
bd09_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
	shegu_to_wgs84(SHEGU_CRS_BD09, lon, lat, out_lon, out_lat);
}

static void
wgs84_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
	shegu_wgs84_to_gcj02(lon, lat, &lon, &lat);
	shegu_gcj02_to_bd09(lon, lat, out_lon, out_lat);
}

PG_FUNCTION_INFO_V1(coords_wgs84_to_gcj02);
/* wgs84_to_gcj02(geometry) → geometry */
Datum
coords_wgs84_to_gcj02(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, shegu_wgs84_to_gcj02, "wgs84_to_gcj02");
}

PG_FUNCTION_INFO_V1(coords_gcj02_to_wgs84);
/* gcj02_to_wgs84(geometry) → geometry */
Datum
coords_gcj02_to_wgs84(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, shegu_gcj02_to_wgs84, "gcj02_to_wgs84");
}

PG_FUNCTION_INFO_V1(coords_gcj02_to_bd09);
/* gcj02_to_bd09(geometry) → geometry */
Datum
coords_gcj02_to_bd09(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, shegu_gcj02_to_bd09, "gcj02_to_bd09");
}

PG_FUNCTION_INFO_V1(coords_bd09_to_gcj02);
/* bd09_to_gcj02(geometry) → geometry */
Datum
coords_bd09_to_gcj02(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, shegu_bd09_to_gcj02, "bd09_to_gcj02");
}

PG_FUNCTION_INFO_V1(coords_bd09_to_wgs84);
/* bd09_to_wgs84(geometry) → geometry */
Datum
coords_bd09_to_wgs84(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, bd09_to_wgs84, "bd09_to_wgs84");
}

PG_FUNCTION_INFO_V1(coords_wgs84_to_bd09);
/* wgs84_to_bd09(geometry) → geometry */
Datum
coords_wgs84_to_bd09(PG_FUNCTION_ARGS)
{
	return transform_geometry(fcinfo, wgs84_to_bd09, "wgs84_to_bd09");
}
