/* The grid registry's lookup binding as other bindings see it: locate a point from C.
 * src/lookup.h */
#ifndef SHEGU_LOOKUP_H
#define SHEGU_LOOKUP_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/date.h"

#include "engine/gridcode.h"

/* Load-time set-up of the room: GUCs and the relcache callback. */
extern void shegu_lookup_init(void);

/*
 * The deepest grid covering WGS-84 (lon, lat) on a day (a date in the database's calendar),
 * from this backend's index of shegu.grid (built or rebuilt as needed); SHEGU_GRIDCODE_NONE
 * when no grid covers it.  Errors on a non-finite coordinate.
 */
extern shegu_gridcode shegu_lookup_locate(double lon, double lat, DateADT day);

/*
 * shegu.locate(geometry, timestamptz) for C callers: the deepest grid covering a PostGIS point
 * (a geometry datum) at a time (its day in the session's time zone); SHEGU_GRIDCODE_NONE for an
 * empty point or when no grid covers it.
 */
extern shegu_gridcode shegu_lookup_locate_point(Datum point, TimestampTz at);

#endif							/* SHEGU_LOOKUP_H */
