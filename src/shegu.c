/* The module's entry: its magic block and load-time set-up of every room.
 * src/shegu.c */
#include "postgres.h"
#include "fmgr.h"

#include "worktime.h"
#include "incident.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Called once when a backend loads shegu.so. */
void
_PG_init(void)
{
	shegu_worktime_init();
	shegu_incident_init();
}
