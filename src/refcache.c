/* The reference-data cache layer: the module's single relcache callback and its subscribers.
 * src/refcache.c */
#include "postgres.h"

#include "utils/inval.h"

#include "refcache.h"

#define MAX_SUBSCRIBERS 8

static shegu_refcache_inval_fn subscribers[MAX_SUBSCRIBERS];
static int	n_subscribers = 0;

static void
refcache_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < n_subscribers; i++)
		subscribers[i] (relid);
}

void
shegu_refcache_subscribe(shegu_refcache_inval_fn fn)
{
	if (n_subscribers >= MAX_SUBSCRIBERS)
		elog(ERROR, "too many shegu reference-data caches");
	if (n_subscribers == 0)
		CacheRegisterRelcacheCallback(refcache_relcache_callback, (Datum) 0);
	subscribers[n_subscribers++] = fn;
}
