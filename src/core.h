/* Module-wide helpers shared by the bindings: where PostGIS lives, and restore loads.
 * src/core.h — defined in src/core.c. */
#ifndef SHEGU_CORE_H
#define SHEGU_CORE_H

#include "postgres.h"

#include "utils/rel.h"
#include "utils/relcache.h"

/* The schema the postgis extension is installed in (errors if it is not installed). */
extern Oid	shegu_postgis_namespace(void);

/* PostGIS's geometry type. */
extern Oid	shegu_geometry_type(void);

/* Is the running statement a COPY FROM into rel by a role trusted to load stored rows (superuser,
 * owner of rel, owner of the database)?  Then rel's triggers take the rows as they come. */
extern bool shegu_restore_load(Relation rel);
/* From a cache-invalidation trigger: invalidates the relcache entry of the table the trigger
 * fired on and, when that is a Citus shard (name_<shard id>), of the table it is a shard of, on
 * which the caches key. */
extern void shegu_invalidate_table(Relation rel);

/* The relation that holds a table's rows on this node: the local shard (name_<shard id>) when
 * the table is a Citus reference table, else the table itself.  For C code that scans a table
 * directly instead of through a query (which Citus would route). */
extern Oid	shegu_table_storage(Oid relid);

/* The version of this shegu.so (EXTVERSION of the Makefile it was built by). */
#ifndef SHEGU_LIBRARY_VERSION
#define SHEGU_LIBRARY_VERSION "unknown"
#endif

/* The version of shegu installed in the current database (pg_extension.extversion), palloc'd;
 * "(none)" when it is not installed.  Scans pg_extension: for error paths only. */
extern char *shegu_installed_version(void);

/* Reports that rel lacks a column this shegu.so needs: the database's extension is older than
 * the library (a new package installed, ALTER EXTENSION shegu UPDATE not yet run). */
extern void shegu_error_old_shape(Relation rel, const char *column) pg_attribute_noreturn();

/* Calls shegu_error_old_shape() when table shegu.relname lacks one of the n columns; for C
 * that names them in queries it prepares once (call it only before preparing). */
extern void shegu_require_columns(const char *relname, const char *const *columns, int n);

#endif							/* SHEGU_CORE_H */
