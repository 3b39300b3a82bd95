/* SQL binding of the working-time calendar (工作日 / 调休 / 工作时): per-backend cache, triggers, functions.
 * src/worktime.c — the engine is src/engine/worktime.c. */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "common/int.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "refcache.h"
#include "core.h"
#include "worktime.h"

/*
 * The cache: the calendar and the schedules, read from shegu.workday_override and
 * shegu.work_schedule with a fresh MVCC snapshot, kept in a child of CacheMemoryContext until a
 * relcache invalidation of either table (sent by their statement triggers, also replayed locally
 * when a transaction or subtransaction aborts) marks it stale.  It is then rebuilt, never patched.
 */
typedef struct wt_schedule_entry
{
	char	   *name;
	char	   *zone;
	char	   *periods;
	bool		workdays_only;
	bool		ready;			/* sched is parsed and its zone resolved */
	shegu_wt_schedule sched;
} wt_schedule_entry;

typedef struct wt_cache
{
	MemoryContext cxt;
	uint64		generation;
	shegu_wt_calendar cal;
	int			nsched;
	wt_schedule_entry *sched;
} wt_cache;

/* Per call site (fn_extra): the schedule the last call named. */
typedef struct wt_callsite
{
	uint64		generation;
	int			len;
	char	   *name;
	wt_schedule_entry *entry;
} wt_callsite;

static wt_cache *cache = NULL;
static bool cache_valid = false;
static uint64 cache_generation = 0;
static uint64 inval_count = 0;
static Oid	override_relid = InvalidOid;
static Oid	schedule_relid = InvalidOid;

/* Years already warned about in this session: a bitmap over PostgreSQL's years. */
#define WT_FIRST_YEAR (-4713)
#define WT_LAST_YEAR 294277
static uint8 *warned_years = NULL;

/* shegu.calendar_fallback: what a day in a year without calendar rows does. */
typedef enum wt_fallback
{
	WT_FALLBACK_WARNING,		/* Monday-Friday, WARNING once per session per year */
	WT_FALLBACK_ERROR,			/* refuse */
	WT_FALLBACK_SILENT			/* Monday-Friday, quietly */
} wt_fallback;

static const struct config_enum_entry fallback_options[] = {
	{"warning", WT_FALLBACK_WARNING, false},
	{"error", WT_FALLBACK_ERROR, false},
	{"silent", WT_FALLBACK_SILENT, false},
	{NULL, 0, false}
};
static int	calendar_fallback = WT_FALLBACK_WARNING;

static void
worktime_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == override_relid || relid == schedule_relid)
	{
		cache_valid = false;
		inval_count++;
	}
}

void
shegu_worktime_init(void)
{
	shegu_refcache_subscribe(worktime_relcache_cb);
	DefineCustomEnumVariable("shegu.calendar_fallback",
							 "What working-time functions do on a day of a year that shegu.workday_override does not cover.",
							 "warning: Monday to Friday, with a WARNING once per session per year; error: refuse; silent: Monday to Friday.",
							 &calendar_fallback, WT_FALLBACK_WARNING, fallback_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
}

static void *
wt_palloc(void *ctx, size_t size)
{
	return MemoryContextAlloc((MemoryContext) ctx, size);
}

static Oid
worktime_table(const char *name)
{
	Oid			nsp = get_namespace_oid("shegu", false);
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "table shegu.%s is missing", name);
	return relid;
}

static AttrNumber
column(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of shegu's working-time tables is missing", name);
	return att;
}

static char *
year_text(int32 y)
{
	return y <= 0 ? psprintf("%d BC", 1 - y) : psprintf("%d", y);
}

/* Read both tables into a new cache built in a context that survives only on success. */
static void
build_cache(void)
{
	MemoryContext cxt;
	wt_cache   *c;
	Relation	rel;
	Snapshot	snap;
	TableScanDesc scan;
	TupleTableSlot *slot;
	shegu_wt_override *rows;
	int			nrows = 0,
				cap = 128;
	int			schedcap = 8;
	uint64		seen;
	AttrNumber	a_day,
				a_work,
				a_name,
				a_zone,
				a_periods,
				a_only;
	shegu_wt_error err;
	Oid			override_rows,
				schedule_rows;

	override_relid = worktime_table("workday_override");
	schedule_relid = worktime_table("work_schedule");
	/* the relations that hold the rows: on a Citus node, the local shards of the tables */
	override_rows = shegu_table_storage(override_relid);
	schedule_rows = shegu_table_storage(schedule_relid);
	a_day = column(override_rows, "day");
	a_work = column(override_rows, "is_workday");
	a_name = column(schedule_rows, "name");
	a_zone = column(schedule_rows, "time_zone");
	a_periods = column(schedule_rows, "periods");
	a_only = column(schedule_rows, "workdays_only");

	/*
	 * Until re-parented, the new cache dies with the statement if anything below fails.  Only
	 * what the cache keeps is allocated in it; scans and temporary rows use the caller's context.
	 */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "shegu worktime cache", ALLOCSET_SMALL_SIZES);
	c = MemoryContextAllocZero(cxt, sizeof(wt_cache));
	c->cxt = cxt;
	c->sched = MemoryContextAlloc(cxt, sizeof(wt_schedule_entry) * schedcap);
	rows = palloc(sizeof(shegu_wt_override) * cap);

	/*
	 * Lock first (which accepts pending invalidations), then count invalidations, then take a
	 * fresh snapshot: a change committed before the snapshot is in it, one after it bumps the
	 * count.
	 */
	rel = table_open(override_rows, AccessShareLock);
	seen = inval_count;
	snap = RegisterSnapshot(GetCatalogSnapshot(override_relid));
	scan = table_beginscan(rel, snap, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull_day,
					isnull_work;
		Datum		day = slot_getattr(slot, a_day, &isnull_day);
		Datum		work = slot_getattr(slot, a_work, &isnull_work);

		if (isnull_day || isnull_work)
			continue;
		if (nrows == cap)
		{
			cap *= 2;
			rows = repalloc(rows, sizeof(shegu_wt_override) * cap);
		}
		rows[nrows].day = DatumGetDateADT(day);
		rows[nrows].is_workday = DatumGetBool(work);
		nrows++;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);

	if (shegu_wt_calendar_build(&c->cal, rows, nrows, wt_palloc, cxt, &err) != SHEGU_WT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid working-day calendar row for day %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(err.day)))),
				 errdetail(err.status == SHEGU_WT_DUPLICATE_DAY
						   ? "The day has two rows in shegu.workday_override."
						   : "The day lies outside the range of timestamps.")));
	pfree(rows);

	rel = table_open(schedule_rows, AccessShareLock);
	snap = RegisterSnapshot(GetCatalogSnapshot(schedule_relid));
	scan = table_beginscan(rel, snap, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		n1,
					n2,
					n3,
					n4;
		Datum		name = slot_getattr(slot, a_name, &n1);
		Datum		zone = slot_getattr(slot, a_zone, &n2);
		Datum		periods = slot_getattr(slot, a_periods, &n3);
		Datum		only = slot_getattr(slot, a_only, &n4);
		wt_schedule_entry *e;

		if (n1 || n2 || n3 || n4)
			continue;
		if (c->nsched == schedcap)
		{
			schedcap *= 2;
			c->sched = repalloc(c->sched, sizeof(wt_schedule_entry) * schedcap);	/* stays in cxt */
		}
		e = &c->sched[c->nsched++];
		memset(e, 0, sizeof(*e));
		e->name = MemoryContextStrdup(cxt, TextDatumGetCString(name));
		e->zone = MemoryContextStrdup(cxt, TextDatumGetCString(zone));
		e->periods = MemoryContextStrdup(cxt, TextDatumGetCString(periods));
		e->workdays_only = DatumGetBool(only);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);

	/* Success: keep it, drop the previous one. */
	MemoryContextSetParent(cxt, CacheMemoryContext);
	if (cache != NULL)
		MemoryContextDelete(cache->cxt);
	c->generation = ++cache_generation;
	cache = c;
	/* Valid unless an invalidation came in while reading. */
	cache_valid = (inval_count == seen);
}

static wt_cache *
get_cache(void)
{
	if (!cache_valid || cache == NULL)
		build_cache();
	return cache;
}

/*
 * The fixed UTC offset of a schedule's zone: an ISO offset as written, or a zone name whose
 * offset will not change after now (no daylight saving time now or later).
 */
static int32
zone_offset(const char *zone, const char *schedule)
{
	int32		off;
	pg_tz	   *tz;
	pg_time_t	now,
				boundary;
	long		before_off,
				after_off;
	int			before_dst,
				after_dst,
				r;

	if (shegu_wt_parse_offset(zone, strlen(zone), &off))
		return off;
	tz = (zone[0] == '+' || zone[0] == '-') ? NULL : pg_tzset(zone);
	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" of schedule \"%s\" is not recognized", zone, schedule),
				 errhint("Give a time zone name such as Asia/Shanghai, or a fixed offset from UTC such as +08:00 (east positive, at most 18 hours).")));
	now = (pg_time_t) timestamptz_to_time_t(GetCurrentTransactionStartTimestamp());
	r = pg_next_dst_boundary(&now, &before_off, &before_dst, &boundary, &after_off, &after_dst, tz);
	if (r < 0)
		elog(ERROR, "cannot read time zone \"%s\"", zone);
	if (r == 1 && after_off != before_off)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" of schedule \"%s\" changes its UTC offset", zone, schedule),
				 errdetail("The zone's offset from UTC changes after now (daylight saving time); a working-time schedule keeps one offset."),
				 errhint("Give a zone without daylight saving time, or a fixed offset such as +01:00.")));
	if (before_off > SHEGU_WT_MAX_OFFSET_SEC || before_off < -SHEGU_WT_MAX_OFFSET_SEC)
		elog(ERROR, "time zone \"%s\" has an offset beyond 18 hours", zone);
	return (int32) before_off;
}

static void
parse_periods_or_error(const char *periods, const char *schedule, shegu_wt_schedule *s)
{
	shegu_wt_error err;

	if (shegu_wt_parse_periods(periods, strlen(periods), s, &err) != SHEGU_WT_OK)
	{
		if (err.position > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid working periods \"%s\" of schedule \"%s\"", periods, schedule),
					 errdetail("At character %d: %s", err.position, err.reason),
					 errhint("Write periods as 08:30-12:00,14:00-17:30.")));
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid working periods \"%s\" of schedule \"%s\"", periods, schedule),
					 errdetail("At the end: %s", err.reason),
					 errhint("Write periods as 08:30-12:00,14:00-17:30.")));
	}
}

static void
prepare_entry(wt_schedule_entry *e)
{
	shegu_wt_schedule s;

	memset(&s, 0, sizeof(s));
	parse_periods_or_error(e->periods, e->name, &s);
	s.offset_usec = (int64) zone_offset(e->zone, e->name) * USECS_PER_SEC;
	s.workdays_only = e->workdays_only;
	e->sched = s;
	e->ready = true;
}

static wt_schedule_entry *
find_schedule(wt_cache *c, const char *name, int len)
{
	int			i;

	for (i = 0; i < c->nsched; i++)
	{
		wt_schedule_entry *e = &c->sched[i];

		if ((int) strlen(e->name) == len && memcmp(e->name, name, len) == 0)
		{
			if (!e->ready)
				prepare_entry(e);
			return e;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("working-time schedule \"%.*s\" does not exist", len, name),
			 errhint("The schedules are the rows of shegu.work_schedule, e.g. default and 24x7.")));
	return NULL;				/* not reached */
}

/* The schedule named by argument argno, remembered per call site. */
static wt_schedule_entry *
schedule_arg(FunctionCallInfo fcinfo, int argno, wt_cache *c)
{
	text	   *t;
	const char *name;
	int			len;
	wt_callsite *site = (wt_callsite *) fcinfo->flinfo->fn_extra;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("working-time schedule must not be NULL"),
				 errhint("Name a row of shegu.work_schedule, e.g. default.")));
	t = PG_GETARG_TEXT_PP(argno);
	name = VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	if (site != NULL && site->generation == c->generation && site->len == len
		&& memcmp(site->name, name, len) == 0)
		return site->entry;
	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(wt_callsite));
		fcinfo->flinfo->fn_extra = site;
	}
	site->entry = find_schedule(c, name, len);
	if (site->name != NULL)
		pfree(site->name);
	site->name = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
	memcpy(site->name, name, len);
	site->name[len] = '\0';
	site->len = len;
	site->generation = c->generation;
	return site->entry;
}

/* WARNING once per session for each year in [first, last] that has no calendar rows. */
static void
warn_unloaded_years(const wt_cache *c, int32 first_day, int32 last_day)
{
	int32		y0 = shegu_wt_year_of_day(first_day),
				y1 = shegu_wt_year_of_day(last_day),
				y,
				count = 0,
				first = 0,
				last = 0;

	if (calendar_fallback == WT_FALLBACK_SILENT)
		return;
	if (y0 > y1)
	{
		y = y0;
		y0 = y1;
		y1 = y;
	}
	if (y0 < WT_FIRST_YEAR)
		y0 = WT_FIRST_YEAR;
	if (y1 > WT_LAST_YEAR)
		y1 = WT_LAST_YEAR;
	if (calendar_fallback == WT_FALLBACK_ERROR)
	{
		for (y = y0; y <= y1; y++)
			if (!shegu_wt_year_loaded(&c->cal, y))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("no working-day calendar loaded for year %s", year_text(y)),
						 errdetail("shegu.calendar_fallback is \"error\", so the working days of a year without calendar rows are not guessed."),
						 errhint("Add the year's holidays and make-up working days to shegu.workday_override, or set shegu.calendar_fallback to \"warning\".")));
		return;
	}
	for (y = y0; y <= y1; y++)
	{
		int			bit = y - WT_FIRST_YEAR;

		if (shegu_wt_year_loaded(&c->cal, y))
			continue;
		if (warned_years != NULL && (warned_years[bit / 8] & (1 << (bit % 8))))
			continue;
		if (count == 0)
			first = y;
		last = y;
		count++;
	}
	if (count == 0)
		return;
	if (warned_years == NULL)
		warned_years = MemoryContextAllocZero(TopMemoryContext,
											  (WT_LAST_YEAR - WT_FIRST_YEAR) / 8 + 1);
	for (y = first; y <= last; y++)
	{
		int			bit = y - WT_FIRST_YEAR;

		if (shegu_wt_year_loaded(&c->cal, y) || (warned_years[bit / 8] & (1 << (bit % 8))))
			continue;
		warned_years[bit / 8] |= (1 << (bit % 8));
		if (count <= 3)
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg("no working-day calendar loaded for year %s", year_text(y)),
					 errdetail("Monday to Friday are taken as the working days (工作日) of %s, without holidays or make-up working days (调休).",
							   year_text(y)),
					 errhint("Add the year's holidays and make-up working days to shegu.workday_override; shegu.calendar_years() lists the years loaded.")));
	}
	if (count > 3)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("no working-day calendar loaded for %d years from %s to %s",
						count, year_text(first), year_text(last)),
				 errdetail("Monday to Friday are taken as the working days (工作日) of those years, without holidays or make-up working days (调休)."),
				 errhint("Add the years' holidays and make-up working days to shegu.workday_override; shegu.calendar_years() lists the years loaded.")));
}

static void
check_finite(TimestampTz t, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s \"%s\" is not a finite timestamp", what, timestamptz_to_str(t)),
				 errdetail("Working time is only measured between finite instants.")));
}

static char *
interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv)));
}

/* The amount in microseconds of working time: days are working days of the schedule. */
static int64
amount_usec(const Interval *amount, const shegu_wt_schedule *s)
{
	int64		days_usec,
				total;

	if (amount->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount of working time \"%s\" has a month part", interval_text(amount)),
				 errdetail("A month has no fixed number of working days."),
				 errhint("Give working days as days (each is one working day of the schedule) and working hours as hours.")));
	if (amount->day < 0 || amount->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("negative amount of working time \"%s\"", interval_text(amount)),
				 errdetail("An amount of working time and each of its parts must be zero or positive.")));
	if (pg_mul_s64_overflow((int64) amount->day, s->day_usec, &days_usec)
		|| pg_add_s64_overflow(days_usec, amount->time, &total))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("amount of working time \"%s\" is out of range", interval_text(amount)),
				 errdetail("Its days, as working days of the schedule, and its hours add up to more microseconds than a timestamp can hold.")));
	return total;
}

static TimestampTz
add_work_time(wt_cache *c, const shegu_wt_schedule *s, TimestampTz start, const Interval *amount,
			  int64 x)
{
	TimestampTz end = 0;
	shegu_wt_status st;

	check_finite(start, "start");
	st = shegu_wt_add(&c->cal, s, start, x, &end);
	if (st != SHEGU_WT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range: %s plus \"%s\" of working time",
						pstrdup(timestamptz_to_str(start)), interval_text(amount)),
				 errdetail("The end would lie after 294276 AD, the last year a timestamp holds.")));
	if (s->workdays_only)		/* the days of [start, end): an end at 24:00 is its day's */
		warn_unloaded_years(c, shegu_wt_local_day(s, start),
							shegu_wt_local_day(s, end > start ? end - 1 : start));
	return end;
}

static Interval *
work_time_between(wt_cache *c, const shegu_wt_schedule *s, TimestampTz a, TimestampTz b)
{
	int64		x = 0;
	Interval   *result;

	check_finite(a, "a");
	check_finite(b, "b");
	if (shegu_wt_between(&c->cal, s, a, b, &x) != SHEGU_WT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("working time from %s to %s is out of range for an interval",
						pstrdup(timestamptz_to_str(a)), pstrdup(timestamptz_to_str(b)))));
	if (s->workdays_only)
	{
		/* The days whose status counted: those of [min, max), or min's alone. */
		TimestampTz lo = Min(a, b),
					hi = Max(a, b);

		warn_unloaded_years(c, shegu_wt_local_day(s, lo), shegu_wt_local_day(s, hi > lo ? hi - 1 : lo));
	}
	result = palloc(sizeof(Interval));
	result->month = 0;
	result->day = 0;
	result->time = x;
	return result;
}

/* ---- C entry points for other rooms ---- */

TimestampTz
shegu_worktime_add(TimestampTz start, const Interval *amount, const char *schedule)
{
	wt_cache   *c = get_cache();
	wt_schedule_entry *e = find_schedule(c, schedule, strlen(schedule));

	return add_work_time(c, &e->sched, start, amount, amount_usec(amount, &e->sched));
}

Interval *
shegu_worktime_between(TimestampTz a, TimestampTz b, const char *schedule)
{
	wt_cache   *c = get_cache();
	wt_schedule_entry *e = find_schedule(c, schedule, strlen(schedule));

	return work_time_between(c, &e->sched, a, b);
}

/* ---- SQL-callable ---- */

PG_FUNCTION_INFO_V1(worktime_is_workday);
/* shegu.is_workday(date) -> boolean */
Datum
worktime_is_workday(PG_FUNCTION_ARGS)
{
	DateADT		day = PG_GETARG_DATEADT(0);
	wt_cache   *c;

	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("day \"%s\" is not a finite date",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))))));
	c = get_cache();
	warn_unloaded_years(c, day, day);
	PG_RETURN_BOOL(shegu_wt_is_workday(&c->cal, day));
}

PG_FUNCTION_INFO_V1(worktime_add);
/* shegu.add_work_time(start timestamptz, amount interval, schedule text) -> timestamptz */
Datum
worktime_add(PG_FUNCTION_ARGS)
{
	wt_cache   *c;
	wt_schedule_entry *e;
	Interval   *amount;
	int64		x;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("amount of working time must not be NULL"),
				 errdetail("A due time needs a time limit; a missing limit is refused rather than giving no due time.")));
	c = get_cache();
	e = schedule_arg(fcinfo, 2, c);
	amount = PG_GETARG_INTERVAL_P(1);
	/* The amount is checked even when the start is NULL. */
	x = amount_usec(amount, &e->sched);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(add_work_time(c, &e->sched, PG_GETARG_TIMESTAMPTZ(0), amount, x));
}

PG_FUNCTION_INFO_V1(worktime_between);
/* shegu.work_time_between(a timestamptz, b timestamptz, schedule text) -> interval */
Datum
worktime_between(PG_FUNCTION_ARGS)
{
	wt_cache   *c = get_cache();
	wt_schedule_entry *e = schedule_arg(fcinfo, 2, c);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(work_time_between(c, &e->sched, PG_GETARG_TIMESTAMPTZ(0),
										   PG_GETARG_TIMESTAMPTZ(1)));
}

PG_FUNCTION_INFO_V1(worktime_schedule_check);
/* trigger shegu.work_schedule_check(): BEFORE INSERT OR UPDATE FOR EACH ROW on shegu.work_schedule */
Datum
worktime_schedule_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	int			a_name,
				a_zone,
				a_periods;
	char	   *name,
			   *zone,
			   *periods;
	shegu_wt_schedule s;
	char		canonical[SHEGU_WT_PERIODS_BUFLEN];
	Datum		value;
	bool		replace_null = false;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event)
		|| !TRIGGER_FIRED_FOR_ROW(td->tg_event)
		|| TRIGGER_FIRED_BY_DELETE(td->tg_event) || TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		elog(ERROR, "shegu.work_schedule_check() must fire BEFORE INSERT OR UPDATE FOR EACH ROW");
	desc = RelationGetDescr(td->tg_relation);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	a_name = SPI_fnumber(desc, "name");
	a_zone = SPI_fnumber(desc, "time_zone");
	a_periods = SPI_fnumber(desc, "periods");
	if (a_name <= 0 || a_zone <= 0 || a_periods <= 0)
		elog(ERROR, "shegu.work_schedule_check() fired on a table without name, time_zone and periods");

	/* NOT NULL constraints report NULLs after this trigger. */
	name = SPI_getvalue(tuple, desc, a_name);
	zone = SPI_getvalue(tuple, desc, a_zone);
	periods = SPI_getvalue(tuple, desc, a_periods);
	if (name == NULL || zone == NULL || periods == NULL)
		return PointerGetDatum(tuple);

	memset(&s, 0, sizeof(s));
	parse_periods_or_error(periods, name, &s);
	(void) zone_offset(zone, name);

	shegu_wt_format_periods(&s, canonical, sizeof(canonical));
	if (strcmp(canonical, periods) == 0)
		return PointerGetDatum(tuple);
	value = CStringGetTextDatum(canonical);
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 1, &a_periods, &value, &replace_null));
}

PG_FUNCTION_INFO_V1(worktime_invalidate);
/* trigger shegu.worktime_invalidate(): AFTER ... FOR EACH STATEMENT on the calendar tables */
Datum
worktime_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "shegu.worktime_invalidate() must be called as a trigger");
	shegu_invalidate_table(td->tg_relation);
	return PointerGetDatum(NULL);
}
