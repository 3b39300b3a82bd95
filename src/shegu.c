/* The module's entry: its magic block and the load-time set-up of every room.
 * src/shegu.c — the shared helpers live in src/core.c. */
#include "postgres.h"

#include "fmgr.h"

#include "base.h"
#include "incident.h"
#include "lookup.h"
#include "worktime.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Called once when a backend loads shegu.so. */
void
_PG_init(void)
{
	shegu_lookup_init();
	shegu_worktime_init();
	shegu_incident_init();
	shegu_base_init();
}
