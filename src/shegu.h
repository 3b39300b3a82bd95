/* Module-wide helpers shared by the bindings: where PostGIS lives.
 * src/shegu.h */
#ifndef SHEGU_H
#define SHEGU_H

#include "postgres.h"

/* The schema the postgis extension is installed in (errors if it is not installed). */
extern Oid	shegu_postgis_namespace(void);

/* PostGIS's geometry type. */
extern Oid	shegu_geometry_type(void);

#endif							/* SHEGU_H */
