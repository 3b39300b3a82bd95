/* Module-wide helpers shared by the bindings: where PostGIS lives, and restore loads.
 * src/shegu.h */
#ifndef SHEGU_H
#define SHEGU_H

#include "postgres.h"

#include "utils/relcache.h"

/* The schema the postgis extension is installed in (errors if it is not installed). */
extern Oid	shegu_postgis_namespace(void);

/* PostGIS's geometry type. */
extern Oid	shegu_geometry_type(void);

/* Is the running statement a COPY FROM into rel by a role trusted to load stored rows (superuser,
 * owner of rel, owner of the database)?  Then rel's triggers take the rows as they come. */
extern bool shegu_restore_load(Relation rel);

#endif							/* SHEGU_H */
