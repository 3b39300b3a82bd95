/* The working-time calendar as other bindings see it: load-time set-up and C entry points.
 * src/worktime.h */
#ifndef SHEGU_WORKTIME_BINDING_H
#define SHEGU_WORKTIME_BINDING_H

#include "postgres.h"
#include "datatype/timestamp.h"

#include "engine/worktime.h"

/* Registers the relcache callback that invalidates the per-backend cache (from _PG_init). */
extern void shegu_worktime_init(void);

/*
 * The SQL functions shegu.add_work_time and shegu.work_time_between for C callers, with the
 * same rules, errors and warnings.  The SQL functions are the contract between rooms; these are
 * a convenience for code linked into shegu.so.  schedule is a NUL-terminated name.
 */
extern TimestampTz shegu_worktime_add(TimestampTz start, const Interval *amount, const char *schedule);
extern Interval *shegu_worktime_between(TimestampTz a, TimestampTz b, const char *schedule);

#endif							/* SHEGU_WORKTIME_BINDING_H */
