/* The reference-data cache layer: one relcache callback for the whole module, dispatching to
 * the caches of lookup (grids), worktime (calendar) and incident (categories, columns).
 * src/refcache.h */
#ifndef SHEGU_REFCACHE_H
#define SHEGU_REFCACHE_H

#include "postgres.h"

/*
 * Told of every relcache invalidation: relid is the relation, or InvalidOid for "every
 * relation" (a cache reset).  A cache drops itself when relid is InvalidOid or one it reads;
 * it is rebuilt, never patched, on its next use.
 */
typedef void (*shegu_refcache_inval_fn) (Oid relid);

/*
 * Subscribe a cache (at _PG_init).  PostgreSQL has room for 10 relcache callbacks in a backend
 * for every extension together (Citus takes several): shegu takes one, whatever its rooms.
 */
extern void shegu_refcache_subscribe(shegu_refcache_inval_fn fn);

#endif							/* SHEGU_REFCACHE_H */
