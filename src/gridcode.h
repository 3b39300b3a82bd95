/* The shegu.gridcode SQL type as other bindings see it: Datum and fmgr macros.
 * src/gridcode.h */
#ifndef SHEGU_GRIDCODE_BINDING_H
#define SHEGU_GRIDCODE_BINDING_H

#include "postgres.h"
#include "fmgr.h"

#include "engine/gridcode.h"

#define DatumGetGridcode(X)		((shegu_gridcode) DatumGetInt64(X))
#define GridcodeGetDatum(X)		Int64GetDatum((int64) (X))
#define PG_GETARG_GRIDCODE(n)	DatumGetGridcode(PG_GETARG_DATUM(n))
#define PG_RETURN_GRIDCODE(x)	return GridcodeGetDatum(x)

/* Raise the error that a failed parse or check deserves (never returns). */
extern void shegu_gridcode_report(const char *input, const shegu_gridcode_error *err,
								  int sqlstate) pg_attribute_noreturn();

#endif							/* SHEGU_GRIDCODE_BINDING_H */
