/* Incidents: the C triggers of the closed-loop workflow, act(), the sweep step and their caches.
 * src/incident.c — declared by src/incident.sql; clock rules in docs/incident.md. */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "gridcode.h"
#include "incident.h"
#include "refcache.h"
#include "shegu.h"

/* ---------------------------------------------------------------------------------------------
 * Names: states, levels, actions. */

typedef enum IncStatus
{
	ST_REPORTED, ST_ACCEPTED, ST_REJECTED, ST_DISPATCHED, ST_RESOLVED, ST_VERIFIED,
	ST_CLOSED, ST_EVALUATED, ST_SUSPENDED, ST_COUNT
} IncStatus;

static const char *const status_names[ST_COUNT] = {
	"reported", "accepted", "rejected", "dispatched", "resolved", "verified",
	"closed", "evaluated", "suspended"
};

typedef enum IncLevel
{
	LV_GRID, LV_COMMUNITY, LV_TOWNSHIP, LV_COUNTY, LV_COUNT
} IncLevel;

static const char *const level_names[LV_COUNT] = {"grid", "community", "township", "county"};

typedef enum IncAction
{
	A_ACCEPT, A_REJECT, A_DISPATCH, A_RESOLVE, A_VERIFY, A_REWORK, A_CLOSE, A_EVALUATE,
	A_RETURN, A_ESCALATE, A_REQUEST_EXTENSION, A_APPROVE_EXTENSION, A_SUSPEND, A_RESUME,
	A_REOPEN, A_SUPERVISE,
	A_PUBLIC_COUNT,
	/* internal steps of sweep(), not reachable through act() */
	A_OVERDUE_ESCALATE = A_PUBLIC_COUNT, A_TICK,
	A_COUNT
} IncAction;

static const char *const action_names[A_COUNT] = {
	"accept", "reject", "dispatch", "resolve", "verify", "rework", "close", "evaluate",
	"return", "escalate", "request_extension", "approve_extension", "suspend", "resume",
	"reopen", "supervise", "overdue_escalate", "tick"
};

#define SB(s) (1u << (s))
#define RUNNING_STATES (SB(ST_REPORTED) | SB(ST_ACCEPTED) | SB(ST_DISPATCHED))

/* The states each action may start from: the state machine. */
static const uint32 action_from[A_COUNT] = {
	[A_ACCEPT] = SB(ST_REPORTED),
	[A_REJECT] = SB(ST_REPORTED),
	[A_DISPATCH] = SB(ST_ACCEPTED),
	[A_RESOLVE] = SB(ST_DISPATCHED),
	[A_VERIFY] = SB(ST_RESOLVED),
	[A_REWORK] = SB(ST_RESOLVED),
	[A_CLOSE] = SB(ST_VERIFIED),
	[A_EVALUATE] = SB(ST_CLOSED),
	[A_RETURN] = SB(ST_DISPATCHED),
	[A_ESCALATE] = RUNNING_STATES,
	[A_REQUEST_EXTENSION] = SB(ST_ACCEPTED) | SB(ST_DISPATCHED),
	[A_APPROVE_EXTENSION] = SB(ST_ACCEPTED) | SB(ST_DISPATCHED),
	[A_SUSPEND] = RUNNING_STATES,
	[A_RESUME] = SB(ST_SUSPENDED),
	[A_REOPEN] = SB(ST_CLOSED) | SB(ST_EVALUATED) | SB(ST_REJECTED),
	[A_SUPERVISE] = RUNNING_STATES | SB(ST_RESOLVED) | SB(ST_VERIFIED) | SB(ST_SUSPENDED),
	[A_OVERDUE_ESCALATE] = RUNNING_STATES,
	[A_TICK] = RUNNING_STATES,
};

static int
name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* "accept, reject" — the public actions allowed from a state. */
static char *
allowed_list(IncStatus st)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int a = 0; a < A_PUBLIC_COUNT; a++)
		if (action_from[a] & SB(st))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", action_names[a]);
	if (buf.len == 0)
		appendStringInfoString(&buf, "none");
	return buf.data;
}

/* ---------------------------------------------------------------------------------------------
 * The test clock: shegu.incident_clock, a superuser setting that replaces now() for act(). */

static char *incident_clock = NULL;

static TimestampTz
clock_now(void)
{
	if (incident_clock != NULL && incident_clock[0] != '\0')
		return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
													   CStringGetDatum(incident_clock),
													   ObjectIdGetDatum(InvalidOid),
													   Int32GetDatum(-1)));
	return GetCurrentStatementStartTimestamp();
}

/* True when act() runs on the real clock (shegu.incident_clock not set). */
static bool
clock_is_real(void)
{
	return incident_clock == NULL || incident_clock[0] == '\0';
}

static bool
check_incident_clock(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	{
		/* accept only what timestamptz_in accepts, without raising */
		fsec_t		fsec;
		struct pg_tm tt;
		int			tz, dtype, nf;
		char	   *field[MAXDATEFIELDS];
		int			ftype[MAXDATEFIELDS];
		char		workbuf[MAXDATELEN + MAXDATEFIELDS];

		if (ParseDateTime(*newval, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0 ||
			DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz) != 0 ||
			dtype != DTK_DATE)
		{
			GUC_check_errdetail("\"%s\" is not a timestamp with time zone.", *newval);
			return false;
		}
	}
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * Per-backend caches: categories, the other rooms' functions, the event insert plan. */

typedef struct CategoryEntry
{
	char		code[64];		/* hash key */
	IncLevel	level;
	Interval	accept_limit;
	bool		accept_working;
	Interval	dispose_limit;
	bool		dispose_working;
	char		schedule[64];
	double		yellow_share;
} CategoryEntry;

static MemoryContext category_cxt = NULL;
static HTAB *category_cache = NULL;
static bool category_valid = false;
static Oid	category_relid = InvalidOid;

typedef struct ExtFunc
{
	Oid			oid;
	FmgrInfo	flinfo;
} ExtFunc;

static MemoryContext func_cxt = NULL;
static bool funcs_valid = false;
static Oid	funcs_geometry = InvalidOid;
static ExtFunc fn_add_work_time;
static ExtFunc fn_work_time_between;
static ExtFunc fn_locate;

/* Keeps a plan prepared by SPI_prepare for the life of the backend; what names it in the error. */
static SPIPlanPtr
keep_plan(SPIPlanPtr p, const char *what)
{
	if (p == NULL || SPI_keepplan(p) != 0)
		elog(ERROR, "%s: %s", what, SPI_result_code_string(SPI_result));
	return p;
}

static SPIPlanPtr event_plan = NULL;
static SPIPlanPtr request_plan = NULL;
static SPIPlanPtr act_plan = NULL;
static SPIPlanPtr fetch_plan = NULL;

static void
category_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == category_relid)
		category_valid = false;
}

static void
proc_syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	funcs_valid = false;
}

static void
category_cache_build(void)
{
	MemoryContext cxt;
	HASHCTL		ctl;
	HTAB	   *h;

	cxt = AllocSetContextCreate(CacheMemoryContext, "shegu incident categories",
								ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(((CategoryEntry *) NULL)->code);
	ctl.entrysize = sizeof(CategoryEntry);
	ctl.hcxt = cxt;
	h = hash_create("shegu incident categories", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT code, handling_level, accept_limit, accept_basis, dispose_limit,"
						" dispose_basis, schedule, yellow_share FROM shegu.incident_category",
						true, 0) != SPI_OK_SELECT)
			elog(ERROR, "cannot read shegu.incident_category");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	td = SPI_tuptable->tupdesc;
			char	   *code = SPI_getvalue(tup, td, 1);
			bool		found;
			bool		isnull;
			CategoryEntry *e;

			if (strlen(code) >= sizeof(e->code))
				continue;		/* the CHECK constraint keeps codes short */
			e = hash_search(h, code, HASH_ENTER, &found);
			e->level = (IncLevel) name_index(level_names, LV_COUNT, SPI_getvalue(tup, td, 2));
			e->accept_limit = *DatumGetIntervalP(SPI_getbinval(tup, td, 3, &isnull));
			e->accept_working = strcmp(SPI_getvalue(tup, td, 4), "working") == 0;
			e->dispose_limit = *DatumGetIntervalP(SPI_getbinval(tup, td, 5, &isnull));
			e->dispose_working = strcmp(SPI_getvalue(tup, td, 6), "working") == 0;
			strlcpy(e->schedule, SPI_getvalue(tup, td, 7), sizeof(e->schedule));
			e->yellow_share = DatumGetFloat8(SPI_getbinval(tup, td, 8, &isnull));
		}
		category_relid = get_relname_relid("incident_category", get_namespace_oid("shegu", false));
		SPI_finish();
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (category_cxt != NULL)
		MemoryContextDelete(category_cxt);
	category_cxt = cxt;
	category_cache = h;
	category_valid = true;
}

/* The category of a code, or an error that names it. */
static CategoryEntry *
category_get(const char *code)
{
	CategoryEntry *e = NULL;

	if (!category_valid)
		category_cache_build();
	if (strlen(code) < sizeof(e->code))
		e = hash_search(category_cache, code, HASH_FIND, NULL);
	if (e == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("unknown incident category \"%s\"", code),
				 errhint("The categories are the codes of shegu.incident_category.")));
	return e;
}

static void
ext_func_lookup(ExtFunc *f, const char *name, int nargs, Oid *argtypes)
{
	f->oid = LookupFuncName(list_make2(makeString("shegu"), makeString(pstrdup(name))),
							nargs, argtypes, true);
	if (OidIsValid(f->oid))
		fmgr_info_cxt(f->oid, &f->flinfo, func_cxt);
}

/* Looks up add_work_time, work_time_between and locate by name, once per backend. */
static void
funcs_ensure(Oid geometry)
{
	Oid			a3[3];
	Oid			a2[2];

	if (funcs_valid && (geometry == InvalidOid || geometry == funcs_geometry))
		return;
	if (func_cxt != NULL)
		MemoryContextReset(func_cxt);
	else
		func_cxt = AllocSetContextCreate(CacheMemoryContext, "shegu incident functions",
										 ALLOCSET_SMALL_SIZES);
	fn_add_work_time.oid = fn_work_time_between.oid = fn_locate.oid = InvalidOid;

	a3[0] = TIMESTAMPTZOID;
	a3[1] = INTERVALOID;
	a3[2] = TEXTOID;
	ext_func_lookup(&fn_add_work_time, "add_work_time", 3, a3);
	a3[1] = TIMESTAMPTZOID;
	ext_func_lookup(&fn_work_time_between, "work_time_between", 3, a3);
	if (OidIsValid(geometry))
	{
		a2[0] = geometry;
		a2[1] = TIMESTAMPTZOID;
		ext_func_lookup(&fn_locate, "locate", 2, a2);
	}
	funcs_geometry = geometry;
	funcs_valid = true;
}

/* ---------------------------------------------------------------------------------------------
 * Time arithmetic in working or natural time. */

static Interval *
interval_usecs(int64 usecs)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = usecs;
	return iv;
}

static int64
interval_total_usecs(const Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY + (int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}

static TimestampTz
clock_add(TimestampTz ts, const Interval *amount, bool working, const char *schedule)
{
	if (!working)
		return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													   TimestampTzGetDatum(ts),
													   IntervalPGetDatum(amount)));
	funcs_ensure(InvalidOid);
	if (!OidIsValid(fn_add_work_time.oid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("working-time limit cannot be computed: shegu.add_work_time(timestamptz, interval, text) is not installed"),
				 errhint("Install the working-time calendar, or give the category natural-time limits.")));
	return DatumGetTimestampTz(FunctionCall3(&fn_add_work_time.flinfo, TimestampTzGetDatum(ts),
											 IntervalPGetDatum(amount),
											 CStringGetTextDatum(schedule)));
}

/* Time between a and b (a <= b); NULL for working time without the calendar when !required. */
static Interval *
clock_between(TimestampTz a, TimestampTz b, bool working, const char *schedule, bool required)
{
	if (!working)
		return interval_usecs(b - a);
	funcs_ensure(InvalidOid);
	if (!OidIsValid(fn_work_time_between.oid))
	{
		if (!required)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("working time cannot be measured: shegu.work_time_between(timestamptz, timestamptz, text) is not installed"),
				 errhint("Install the working-time calendar, or give the category natural-time limits.")));
	}
	return DatumGetIntervalP(FunctionCall3(&fn_work_time_between.flinfo, TimestampTzGetDatum(a),
										   TimestampTzGetDatum(b), CStringGetTextDatum(schedule)));
}

/* When the light turns yellow: start + share of the time from start to deadline. */
static TimestampTz
clock_yellow(TimestampTz start, TimestampTz deadline, bool working, const char *schedule, double share)
{
	Interval   *allowed;

	if (deadline <= start)
		return deadline;
	allowed = clock_between(start, deadline, working, schedule, true);
	return clock_add(start, interval_usecs((int64) floor(interval_total_usecs(allowed) * share)),
					 working, schedule);
}

/* ---------------------------------------------------------------------------------------------
 * The incident row as the triggers see it. */

typedef enum IncCol
{
	C_ID, C_CATEGORY, C_TITLE, C_DESCRIPTION, C_LOCATION, C_GRID, C_SOURCE, C_REPORTER,
	C_REPORTED_AT, C_STATUS, C_LEVEL, C_DEPARTMENT, C_ACCEPTED_AT, C_DISPATCHED_AT,
	C_RESOLVED_AT, C_VERIFIED_AT, C_CLOSED_AT, C_EVALUATED_AT, C_ACCEPT_DUE_AT, C_DUE_AT,
	C_LEVEL_DUE_AT, C_YELLOW_AT, C_LIGHT, C_CLOCK_STOPPED_AT, C_RESUME_STATUS,
	C_EXTENSION_REQUESTED, C_EXTENSION_TOTAL, C_SUSPENDED_WORK, C_ESCALATIONS, C_REWORK_COUNT,
	C_REOPEN_COUNT, C_SATISFACTION, C_WORK_HOURS_TO_CLOSE, C_STATE_SINCE, C_IDEMPOTENCY_KEY,
	C_SUPERVISIONS, C_COUNTY, C_STEP,
	C_NCOLS
} IncCol;

static const char *const col_names[C_NCOLS] = {
	"id", "category", "title", "description", "location", "grid", "source", "reporter",
	"reported_at", "status", "level", "department", "accepted_at", "dispatched_at",
	"resolved_at", "verified_at", "closed_at", "evaluated_at", "accept_due_at", "due_at",
	"level_due_at", "yellow_at", "light", "clock_stopped_at", "resume_status",
	"extension_requested", "extension_total", "suspended_work", "escalations", "rework_count",
	"reopen_count", "satisfaction", "work_hours_to_close", "state_since", "idempotency_key",
	"supervisions", "county", "step"
};

/* Columns an UPDATE outside act() may change. */
static bool
col_is_free(int c)
{
	return c == C_TITLE || c == C_DESCRIPTION || c == C_REPORTER;
}

typedef struct Row
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	int			att[C_NCOLS];	/* 0-based attribute index of each column */
} Row;

static Oid	att_relid = InvalidOid;
static int	att_cache[C_NCOLS];

static void
incident_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == att_relid)
		att_relid = InvalidOid;
}

static void
row_load(Row *r, Relation rel, HeapTuple tup)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (att_relid != RelationGetRelid(rel))
	{
		for (int c = 0; c < C_NCOLS; c++)
		{
			int			n = SPI_fnumber(desc, col_names[c]);

			if (n <= 0)
				shegu_error_old_shape(rel, col_names[c]);
			att_cache[c] = n - 1;
		}
		att_relid = RelationGetRelid(rel);
	}
	memcpy(r->att, att_cache, sizeof(att_cache));
	r->desc = desc;
	r->values = palloc(desc->natts * sizeof(Datum));
	r->nulls = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(tup, desc, r->values, r->nulls);
}

#define R_NULL(r, c)	((r)->nulls[(r)->att[c]])
#define R_VAL(r, c)		((r)->values[(r)->att[c]])

static void
set_datum(Row *r, int c, Datum d)
{
	R_VAL(r, c) = d;
	R_NULL(r, c) = false;
}

static void
set_null(Row *r, int c)
{
	R_VAL(r, c) = (Datum) 0;
	R_NULL(r, c) = true;
}

static TimestampTz
get_ts(Row *r, int c)
{
	return DatumGetTimestampTz(R_VAL(r, c));
}

static void
set_ts(Row *r, int c, TimestampTz t)
{
	set_datum(r, c, TimestampTzGetDatum(t));
}

static char *
get_text(Row *r, int c)
{
	return R_NULL(r, c) ? NULL : TextDatumGetCString(R_VAL(r, c));
}

static void
set_text(Row *r, int c, const char *s)
{
	if (s == NULL)
		set_null(r, c);
	else
		set_datum(r, c, CStringGetTextDatum(s));
}

static int32
get_int(Row *r, int c)
{
	return R_NULL(r, c) ? 0 : DatumGetInt32(R_VAL(r, c));
}

static IncStatus
get_status(Row *r)
{
	char	   *s = get_text(r, C_STATUS);
	int			i = s ? name_index(status_names, ST_COUNT, s) : -1;

	if (i < 0)
		elog(ERROR, "incident has an unknown status \"%s\"", s ? s : "(null)");
	return (IncStatus) i;
}

static IncLevel
get_level(Row *r)
{
	char	   *s = get_text(r, C_LEVEL);
	int			i = s ? name_index(level_names, LV_COUNT, s) : -1;

	if (i < 0)
		elog(ERROR, "incident has an unknown level \"%s\"", s ? s : "(null)");
	return (IncLevel) i;
}

/* ---------------------------------------------------------------------------------------------
 * Lights, notifications and the event log. */

static void
json_ts(StringInfo buf, const char *key, Row *r, int c)
{
	char		tsbuf[MAXDATELEN + 1];

	appendStringInfo(buf, ", \"%s\": ", key);
	if (R_NULL(r, c))
		appendStringInfoString(buf, "null");
	else
		appendStringInfo(buf, "\"%s\"", JsonEncodeDateTime(tsbuf, R_VAL(r, c), TIMESTAMPTZOID, NULL));
}

static void
json_str(StringInfo buf, const char *key, const char *val)
{
	appendStringInfo(buf, ", \"%s\": ", key);
	if (val == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, val);
}

static char *
incident_payload_head(Row *r)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"incident\": " INT64_FORMAT, DatumGetInt64(R_VAL(r, C_ID)));
	json_str(&buf, "category", get_text(r, C_CATEGORY));
	{
		char		code[32];

		shegu_gridcode_format(DatumGetGridcode(R_VAL(r, C_GRID)), code);
		json_str(&buf, "grid", code);
	}
	json_str(&buf, "status", get_text(r, C_STATUS));
	json_str(&buf, "level", get_text(r, C_LEVEL));
	return buf.data;
}

/* The light at a time, for a running clock; NULL keeps the light while the clock is stopped. */
static const char *
light_at(Row *r, IncStatus st, TimestampTz at)
{
	int			dc = (st == ST_REPORTED) ? C_ACCEPT_DUE_AT : C_DUE_AT;

	if (!(SB(st) & RUNNING_STATES) || R_NULL(r, dc))
		return NULL;
	if (at > get_ts(r, dc))
		return "red";
	if (!R_NULL(r, C_YELLOW_AT) && at >= get_ts(r, C_YELLOW_AT))
		return "yellow";
	return "green";
}

/*
 * Notifications of the step being applied.  The update trigger may run on another node (a Citus
 * worker holding the incident's shard), so it does not NOTIFY: it collects the notifications
 * into the step's outcome, and act() or sweep's step sends them in the caller's session.
 */
static StringInfo step_notes = NULL;

static void
step_notify(const char *channel, const char *payload)
{
	if (step_notes == NULL)
	{
		Async_Notify(channel, payload);
		return;
	}
	appendStringInfoString(step_notes, step_notes->len > 0 ? ", " : "");
	appendStringInfoString(step_notes, "{\"channel\": ");
	escape_json(step_notes, channel);
	appendStringInfoString(step_notes, ", \"payload\": ");
	escape_json(step_notes, payload);
	appendStringInfoChar(step_notes, '}');
}

/* Sets the light at a time; a turn to yellow or red sends NOTIFY shegu_light once (if notify). */
static void
light_update(Row *r, TimestampTz at, bool notify)
{
	IncStatus	st = get_status(r);
	const char *now = light_at(r, st, at);
	char	   *before = get_text(r, C_LIGHT);

	if (now == NULL || (before != NULL && strcmp(before, now) == 0))
		return;
	set_text(r, C_LIGHT, now);
	if (notify && strcmp(now, "green") != 0)
	{
		StringInfoData buf;
		char		tsbuf[MAXDATELEN + 1];

		initStringInfo(&buf);
		appendStringInfoString(&buf, incident_payload_head(r));
		json_str(&buf, "light", now);
		json_str(&buf, "previous", before);
		json_ts(&buf, "due_at", r, st == ST_REPORTED ? C_ACCEPT_DUE_AT : C_DUE_AT);
		appendStringInfo(&buf, ", \"at\": \"%s\"}",
						 JsonEncodeDateTime(tsbuf, TimestampTzGetDatum(at), TIMESTAMPTZOID, NULL));
		step_notify("shegu_light", buf.data);
	}
}

static void
notify_escalation(Row *r, const char *from_level, const char *actor, const char *reason, TimestampTz at)
{
	StringInfoData buf;
	char		tsbuf[MAXDATELEN + 1];

	initStringInfo(&buf);
	appendStringInfoString(&buf, incident_payload_head(r));
	json_str(&buf, "from_level", from_level);
	json_str(&buf, "reason", reason);
	json_str(&buf, "by", actor);
	json_ts(&buf, "due_at", r, C_DUE_AT);
	json_ts(&buf, "level_due_at", r, C_LEVEL_DUE_AT);
	appendStringInfo(&buf, ", \"escalations\": %d", get_int(r, C_ESCALATIONS));
	appendStringInfo(&buf, ", \"at\": \"%s\"}",
					 JsonEncodeDateTime(tsbuf, TimestampTzGetDatum(at), TIMESTAMPTZOID, NULL));
	step_notify("shegu_escalation", buf.data);
}

typedef struct EventRec
{
	int64		incident_id;
	Datum		county;			/* bigint; (Datum) 0 with county_null */
	bool		county_null;
	const char *action;
	const char *actor;
	TimestampTz at;
	const char *from_status;
	const char *to_status;
	const char *from_level;
	const char *to_level;
	Interval   *work;
	const char *note;
	Jsonb	   *detail;
	const char *request_id;
	const char *db_role;
} EventRec;

/* True while shegu itself writes to the event log (the guard trigger lets those rows in). */
static bool event_writing = false;

/* Appends one row to shegu.incident_event (the caller is connected to SPI). */
static void
event_write(const EventRec *ev)
{
	Datum		v[14];
	char		n[14];
	int			rc;

	if (event_plan == NULL)
	{
		Oid			types[14] = {INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID, INTERVALOID, TEXTOID, JSONBOID, TEXTOID, NAMEOID, INT8OID};
		SPIPlanPtr	p = SPI_prepare("INSERT INTO shegu.incident_event (incident_id, action, actor, at,"
									" from_status, to_status, from_level, to_level, work_time_in_state,"
									" note, detail, request_id, db_role, county)"
									" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
									14, types);

		event_plan = keep_plan(p, "cannot prepare the incident event insert");
	}
#define EV_TEXT(i, s) (v[i] = (s) ? CStringGetTextDatum(s) : (Datum) 0, n[i] = (s) ? ' ' : 'n')
	v[0] = Int64GetDatum(ev->incident_id);
	n[0] = ' ';
	EV_TEXT(1, ev->action);
	EV_TEXT(2, ev->actor);
	v[3] = TimestampTzGetDatum(ev->at);
	n[3] = ' ';
	EV_TEXT(4, ev->from_status);
	EV_TEXT(5, ev->to_status);
	EV_TEXT(6, ev->from_level);
	EV_TEXT(7, ev->to_level);
	v[8] = ev->work ? IntervalPGetDatum(ev->work) : (Datum) 0;
	n[8] = ev->work ? ' ' : 'n';
	EV_TEXT(9, ev->note);
	v[10] = ev->detail ? JsonbPGetDatum(ev->detail) : (Datum) 0;
	n[10] = ev->detail ? ' ' : 'n';
	EV_TEXT(11, ev->request_id);
#undef EV_TEXT
	v[12] = DirectFunctionCall1(namein, CStringGetDatum(ev->db_role));
	n[12] = ' ';
	v[13] = ev->county;
	n[13] = ev->county_null ? 'n' : ' ';
	event_writing = true;
	PG_TRY();
	{
		rc = SPI_execute_plan(event_plan, v, n, false, 0);
	}
	PG_FINALLY();
	{
		event_writing = false;
	}
	PG_END_TRY();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "cannot log the incident event");
}

/* ---------------------------------------------------------------------------------------------
 * The step being applied by the update trigger: taken from the request in the row, or, when
 * act() runs in this backend, from local_step. */

typedef struct Stage
{
	bool		active;			/* the trigger is applying it */
	bool		duplicate;		/* its request id was applied before */
	int64		id;
	bool		clock_real;		/* the caller's clock is the real one (no shegu.incident_clock) */
	IncAction	action;
	const char *actor;
	const char *note;
	Jsonb	   *detail;
	const char *request_id;
	const char *db_role;
	TimestampTz at;
} Stage;

static Stage stage;

/* ---------------------------------------------------------------------------------------------
 * Steps carried in the row: act() and sweep's step write {"request": {...}} into shegu.incident.step
 * with an UPDATE, and the update trigger — on this node or on the Citus worker holding the
 * incident's shard — applies it and writes {"outcome": {...}} back. */

static JsonbValue *
jsonb_member(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

static char *
jsonb_member_text(JsonbContainer *c, const char *key)
{
	JsonbValue *v = jsonb_member(c, key);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("member \"%s\" of an incident step is not a string", key)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The request of a step column value, or NULL when it holds none (an outcome, say). */
static JsonbContainer *
step_request(Jsonb *step)
{
	JsonbValue *v;

	if (!JB_ROOT_IS_OBJECT(step))
		return NULL;
	v = jsonb_member(&step->root, "request");
	if (v == NULL || v->type != jbvBinary)
		return NULL;
	return v->val.binary.data;
}

/*
 * Where a step comes from.  act() names itself in the request (backend pid and a call number);
 * when the trigger runs in that same backend (a single server, or a shard local to the session)
 * it notifies directly, hands the outcome back through these variables and clears the column;
 * elsewhere (a Citus worker) it leaves the outcome in the column for act() to read.
 */
static bool stage_running = false;		/* act() or sweep's step is running in this backend */
static uint64 local_call = 0;			/* the number of that step */
static Stage local_step;				/* and the step itself */
static bool local_changed = false;

static bool
step_is_local(JsonbContainer *req)
{
	char	   *origin = jsonb_member_text(req, "origin");
	char		mine[64];

	if (origin == NULL || !stage_running)
		return false;
	snprintf(mine, sizeof(mine), "%d:" UINT64_FORMAT, MyProcPid, local_call);
	return strcmp(origin, mine) == 0;
}

/* Fills the stage from a request, which must name this incident and a known action. */
static void
step_request_load(JsonbContainer *req, int64 id)
{
	char	   *s;
	JsonbValue *v;
	int			a;

	s = jsonb_member_text(req, "incident");
	if (s == NULL || strtoi64(s, NULL, 10) != id)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("the step written to incident " INT64_FORMAT " names incident %s", id, s ? s : "none"),
				 errhint("Move the workflow with shegu.act().")));
	s = jsonb_member_text(req, "action");
	a = s ? name_index(action_names, A_COUNT, s) : -1;
	if (a < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("unknown step \"%s\" written to incident " INT64_FORMAT, s ? s : "", id),
				 errhint("Move the workflow with shegu.act().")));
	stage.id = id;
	stage.action = (IncAction) a;
	stage.actor = jsonb_member_text(req, "actor");
	if (stage.actor == NULL || stage.actor[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("the step written to incident " INT64_FORMAT " has no actor", id)));
	stage.note = jsonb_member_text(req, "note");
	stage.request_id = jsonb_member_text(req, "request_id");
	stage.db_role = jsonb_member_text(req, "db_role");
	if (stage.db_role == NULL || stage.db_role[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("the step written to incident " INT64_FORMAT " has no role", id)));
	s = jsonb_member_text(req, "at");
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("the step written to incident " INT64_FORMAT " has no time", id)));
	stage.at = (TimestampTz) strtoi64(s, NULL, 10);
	v = jsonb_member(req, "real_clock");
	stage.clock_real = (v != NULL && v->type == jbvBool && v->val.boolean);
	v = jsonb_member(req, "detail");
	stage.detail = (v == NULL || v->type == jbvNull) ? NULL : JsonbValueToJsonb(v);
}

/* The request of a step as a jsonb datum. */
static Datum
step_request_make(int64 id, IncAction a, const char *actor, const char *note, Jsonb *detail,
				  const char *request_id, const char *db_role, TimestampTz at, bool full)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"request\": {\"incident\": \"" INT64_FORMAT "\"", id);
	appendStringInfo(&buf, ", \"origin\": \"%d:" UINT64_FORMAT "\"", MyProcPid, local_call);
	if (!full)
	{
		/* no other node can be asked: the trigger here takes the step from local_step */
		appendStringInfoString(&buf, "}}");
		return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	}
	json_str(&buf, "action", action_names[a]);
	json_str(&buf, "actor", actor);
	json_str(&buf, "note", note);
	json_str(&buf, "request_id", request_id);
	json_str(&buf, "db_role", db_role);
	appendStringInfo(&buf, ", \"at\": \"" INT64_FORMAT "\"", (int64) at);
	appendStringInfo(&buf, ", \"real_clock\": %s", clock_is_real() ? "true" : "false");
	appendStringInfoString(&buf, ", \"detail\": ");
	if (detail == NULL)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfoString(&buf, JsonbToCString(NULL, &detail->root, VARSIZE(detail)));
	appendStringInfoString(&buf, "}}");
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* Reads a step's outcome: whether it changed the incident, and sends its notifications here. */
static bool
step_outcome(Jsonb *step, bool *duplicate)
{
	JsonbValue *o = JB_ROOT_IS_OBJECT(step) ? jsonb_member(&step->root, "outcome") : NULL;
	JsonbValue *v;
	JsonbContainer *c;
	bool		changed;

	if (o == NULL || o->type != jbvBinary)
		elog(ERROR, "the incident step left no outcome");
	c = o->val.binary.data;
	v = jsonb_member(c, "changed");
	changed = (v != NULL && v->type == jbvBool && v->val.boolean);
	v = jsonb_member(c, "duplicate");
	*duplicate = (v != NULL && v->type == jbvBool && v->val.boolean);
	v = jsonb_member(c, "notify");
	if (v != NULL && v->type == jbvBinary)
	{
		uint32		n = JsonContainerSize(v->val.binary.data);

		for (uint32 i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);
			char	   *channel;
			char	   *payload;

			if (e == NULL || e->type != jbvBinary)
				continue;
			channel = jsonb_member_text(e->val.binary.data, "channel");
			payload = jsonb_member_text(e->val.binary.data, "payload");
			if (channel != NULL)
				Async_Notify(channel, payload);
		}
	}
	return changed;
}

/* A string member of a detail object, or NULL. */
static char *
detail_string(Jsonb *detail, const char *key, const char *action, int64 id)
{
	JsonbValue *v;

	if (detail == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(&detail->root, key, strlen(key), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detail member \"%s\" of action \"%s\" on incident " INT64_FORMAT " must be a string",
						key, action, id)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static Interval *
detail_amount(Jsonb *detail, const char *action, int64 id, bool required)
{
	char	   *s = detail_string(detail, "amount", action, id);
	Interval   *iv;

	if (s == NULL)
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs detail member \"amount\"", action, id),
					 errhint("Give the extension as an interval, e.g. {\"amount\": \"14 hours\"}.")));
		return NULL;
	}
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("extension amount \"%s\" of incident " INT64_FORMAT " has a month part", s, id),
				 errdetail("A calendar month is neither a fixed stretch of working time nor of natural time."),
				 errhint("Give the extension in days and hours, e.g. {\"amount\": \"3 days\"}.")));
	if (interval_total_usecs(iv) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("extension amount \"%s\" of incident " INT64_FORMAT " is not positive", s, id)));
	return iv;
}

static void
need_note(const char *note, const char *action, int64 id, const char *what)
{
	if (note == NULL || note[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action \"%s\" on incident " INT64_FORMAT " needs %s in note", action, id, what)));
}

static void
illegal(int64 id, IncAction a, IncStatus st, const char *detail)
{
	if (detail)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
				 errmsg("cannot %s incident " INT64_FORMAT " in state \"%s\"", action_names[a], id, status_names[st]),
				 errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
			 errmsg("cannot %s incident " INT64_FORMAT " in state \"%s\"", action_names[a], id, status_names[st]),
			 errdetail("From \"%s\" the allowed actions are: %s.", status_names[st], allowed_list(st))));
}

static SPIPlanPtr dispatcher_plan = NULL;

/* The level that made the last dispatch, which a return (回退) goes back to (connected to SPI). */
static IncLevel
dispatcher_level(int64 id, Datum county, IncLevel fallback)
{
	Datum		v[2];
	int			i;

	if (dispatcher_plan == NULL)
	{
		Oid			types[2] = {INT8OID, INT8OID};
		SPIPlanPtr	p = SPI_prepare("SELECT from_level FROM shegu.incident_event"
									" WHERE incident_id = $1 AND county = $2 AND action = 'dispatch'"
									" ORDER BY at DESC, id DESC LIMIT 1",
									2, types);

		dispatcher_plan = keep_plan(p, "cannot prepare the dispatcher lookup");
	}
	v[0] = Int64GetDatum(id);
	v[1] = county;
	if (SPI_execute_plan(dispatcher_plan, v, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot look up the dispatch of incident " INT64_FORMAT, id);
	if (SPI_processed == 0)
		return fallback;
	i = name_index(level_names, LV_COUNT, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	return i < 0 ? fallback : (IncLevel) i;
}

/* Moves the running deadlines on by the time the clock stood still, [stopped, at). */
static void
clock_restart(Row *r, CategoryEntry *cat, IncStatus phase, TimestampTz at)
{
	TimestampTz stopped;
	bool		working;
	Interval   *gap;

	if (R_NULL(r, C_CLOCK_STOPPED_AT))
		return;
	stopped = get_ts(r, C_CLOCK_STOPPED_AT);
	working = (phase == ST_REPORTED) ? cat->accept_working : cat->dispose_working;
	gap = clock_between(stopped, at, working, cat->schedule, true);
	if (phase == ST_REPORTED)
		set_ts(r, C_ACCEPT_DUE_AT, clock_add(get_ts(r, C_ACCEPT_DUE_AT), gap, working, cat->schedule));
	else if (!R_NULL(r, C_DUE_AT))
		set_ts(r, C_DUE_AT, clock_add(get_ts(r, C_DUE_AT), gap, working, cat->schedule));
	if (!R_NULL(r, C_LEVEL_DUE_AT))
		set_ts(r, C_LEVEL_DUE_AT, clock_add(get_ts(r, C_LEVEL_DUE_AT), gap, working, cat->schedule));
	if (!R_NULL(r, C_YELLOW_AT))
		set_ts(r, C_YELLOW_AT, clock_add(get_ts(r, C_YELLOW_AT), gap, working, cat->schedule));
	set_null(r, C_CLOCK_STOPPED_AT);
}

/* Starts the disposal clock at a time: due_at, level_due_at, yellow_at. */
static void
disposal_start(Row *r, CategoryEntry *cat, TimestampTz at)
{
	TimestampTz due = clock_add(at, &cat->dispose_limit, cat->dispose_working, cat->schedule);

	set_ts(r, C_ACCEPTED_AT, at);
	set_ts(r, C_DUE_AT, due);
	set_ts(r, C_LEVEL_DUE_AT, due);
	set_ts(r, C_YELLOW_AT, clock_yellow(at, due, cat->dispose_working, cat->schedule, cat->yellow_share));
	set_null(r, C_CLOCK_STOPPED_AT);
}

/* Starts the acceptance clock at a time. */
static void
acceptance_start(Row *r, CategoryEntry *cat, TimestampTz at)
{
	TimestampTz due = clock_add(at, &cat->accept_limit, cat->accept_working, cat->schedule);

	set_ts(r, C_ACCEPT_DUE_AT, due);
	set_ts(r, C_LEVEL_DUE_AT, due);
	set_ts(r, C_YELLOW_AT, clock_yellow(at, due, cat->accept_working, cat->schedule, cat->yellow_share));
	set_null(r, C_CLOCK_STOPPED_AT);
}

/*
 * Applies the staged action to the row: checks the machine, computes the new columns and logs
 * the event.  Returns false when the step is to be skipped (a sweep step with nothing to do).
 */
static bool
apply_action(Row *r)
{
	int64		id = DatumGetInt64(R_VAL(r, C_ID));
	IncAction	a = stage.action;
	const char *an = action_names[a];
	IncStatus	st = get_status(r);
	IncStatus	to = st;
	IncLevel	lv = get_level(r);
	IncLevel	to_lv = lv;
	TimestampTz at = stage.at;
	CategoryEntry *cat = category_get(get_text(r, C_CATEGORY));
	TimestampTz since = get_ts(r, C_STATE_SINCE);
	const char *actor = stage.actor;
	const char *note = stage.note;
	bool		internal = (a >= A_PUBLIC_COUNT);
	EventRec	ev;

	if (!(action_from[a] & SB(st)))
	{
		if (internal)
			return false;
		illegal(id, a, st, NULL);
	}
	if (at < since && !internal && stage.clock_real)
	{
		/* A concurrent act() committed a later step while this one waited for the row lock:
		 * the lock was granted after that commit, so the present time is the honest stamp. */
		TimestampTz t = GetCurrentTimestamp();

		if (t >= since)
			at = stage.at = t;
	}
	if (at < since)
	{
		if (internal)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot %s incident " INT64_FORMAT " at %s, before its last step at %s", an, id,
						pstrdup(timestamptz_to_str(at)), pstrdup(timestamptz_to_str(since)))));
	}

	if (a == A_OVERDUE_ESCALATE &&
		(lv == LV_COUNTY || R_NULL(r, C_LEVEL_DUE_AT) || get_ts(r, C_LEVEL_DUE_AT) >= at))
		return false;
	/* the light as it stands when the step is taken, under the state before it */
	if (a != A_TICK)
		light_update(r, at, true);

	switch (a)
	{
		case A_ACCEPT:
			to = ST_ACCEPTED;
			disposal_start(r, cat, at);
			break;
		case A_REJECT:
			need_note(note, an, id, "the reason (不予立案理由)");
			to = ST_REJECTED;
			set_ts(r, C_CLOCK_STOPPED_AT, at);
			break;
		case A_DISPATCH:
			{
				char	   *lvs = detail_string(stage.detail, "level", an, id);
				char	   *dept = detail_string(stage.detail, "department", an, id);

				if (lvs != NULL)
				{
					int			i = name_index(level_names, LV_COUNT, lvs);

					if (i < 0)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("unknown level \"%s\" in dispatch of incident " INT64_FORMAT, lvs, id),
								 errhint("The levels are grid, community, township and county.")));
					to_lv = (IncLevel) i;
				}
				set_text(r, C_DEPARTMENT, dept);
				set_ts(r, C_DISPATCHED_AT, at);
				to = ST_DISPATCHED;
			}
			break;
		case A_RESOLVE:
			to = ST_RESOLVED;
			set_ts(r, C_RESOLVED_AT, at);
			set_ts(r, C_CLOCK_STOPPED_AT, at);
			set_null(r, C_EXTENSION_REQUESTED);
			break;
		case A_VERIFY:
			to = ST_VERIFIED;
			set_ts(r, C_VERIFIED_AT, at);
			break;
		case A_REWORK:
			to = ST_DISPATCHED;
			clock_restart(r, cat, ST_DISPATCHED, at);
			set_datum(r, C_REWORK_COUNT, Int32GetDatum(get_int(r, C_REWORK_COUNT) + 1));
			break;
		case A_CLOSE:
			{
				Interval   *w;

				to = ST_CLOSED;
				set_ts(r, C_CLOSED_AT, at);
				w = clock_between(get_ts(r, C_REPORTED_AT), at, true, cat->schedule, false);
				if (w != NULL)
					set_datum(r, C_WORK_HOURS_TO_CLOSE,
							  Float8GetDatum((double) (interval_total_usecs(w) -
													   interval_total_usecs(DatumGetIntervalP(R_VAL(r, C_SUSPENDED_WORK))))
											 / (double) USECS_PER_HOUR));
			}
			break;
		case A_EVALUATE:
			{
				JsonbValue *v = stage.detail ? getKeyJsonValueFromContainer(&stage.detail->root, "satisfaction", 12, NULL) : NULL;
				int32		score;

				if (v == NULL || v->type != jbvNumeric)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("action \"evaluate\" on incident " INT64_FORMAT " needs detail member \"satisfaction\", a number from 1 to 5", id)));
				score = DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v->val.numeric)));
				if (score < 1 || score > 5 ||
					!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(v->val.numeric),
													  DirectFunctionCall1(int4_numeric, Int32GetDatum(score)))))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("satisfaction %s of incident " INT64_FORMAT " is not a whole number from 1 to 5",
									DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))), id)));
				set_datum(r, C_SATISFACTION, Int16GetDatum((int16) score));
				set_ts(r, C_EVALUATED_AT, at);
				to = ST_EVALUATED;
			}
			break;
		case A_RETURN:
			need_note(note, an, id, "the reason (回退理由)");
			to = ST_ACCEPTED;
			to_lv = dispatcher_level(id, R_VAL(r, C_COUNTY), lv);
			set_null(r, C_DEPARTMENT);
			break;
		case A_ESCALATE:
		case A_OVERDUE_ESCALATE:
			{
				bool		intake = (st == ST_REPORTED);

				if (lv == LV_COUNTY)
					illegal(id, a, st, "It is at the county level already, the highest a grid escalates to.");
				to_lv = (IncLevel) (lv + 1);
				set_ts(r, C_LEVEL_DUE_AT,
					   clock_add(at, intake ? &cat->accept_limit : &cat->dispose_limit,
								 intake ? cat->accept_working : cat->dispose_working, cat->schedule));
				set_datum(r, C_ESCALATIONS, Int32GetDatum(get_int(r, C_ESCALATIONS) + 1));
				if (a == A_OVERDUE_ESCALATE)
				{
					an = "escalate";
					note = "level deadline passed";
				}
			}
			break;
		case A_REQUEST_EXTENSION:
			set_datum(r, C_EXTENSION_REQUESTED,
					  IntervalPGetDatum(detail_amount(stage.detail, an, id, true)));
			break;
		case A_APPROVE_EXTENSION:
			{
				Interval   *amount;
				TimestampTz due;

				if (R_NULL(r, C_EXTENSION_REQUESTED))
					illegal(id, a, st, "No extension request is pending.");
				amount = detail_amount(stage.detail, an, id, false);
				if (amount == NULL)
					amount = DatumGetIntervalP(R_VAL(r, C_EXTENSION_REQUESTED));
				due = clock_add(get_ts(r, C_DUE_AT), amount, cat->dispose_working, cat->schedule);
				set_ts(r, C_DUE_AT, due);
				set_ts(r, C_LEVEL_DUE_AT, clock_add(get_ts(r, C_LEVEL_DUE_AT), amount,
													cat->dispose_working, cat->schedule));
				set_ts(r, C_YELLOW_AT, clock_yellow(get_ts(r, C_ACCEPTED_AT), due, cat->dispose_working,
													cat->schedule, cat->yellow_share));
				set_datum(r, C_EXTENSION_TOTAL,
						  DirectFunctionCall2(interval_pl, R_VAL(r, C_EXTENSION_TOTAL), IntervalPGetDatum(amount)));
				set_null(r, C_EXTENSION_REQUESTED);
			}
			break;
		case A_SUSPEND:
			need_note(note, an, id, "the reason (挂账理由)");
			to = ST_SUSPENDED;
			set_text(r, C_RESUME_STATUS, status_names[st]);
			set_ts(r, C_CLOCK_STOPPED_AT, at);
			break;
		case A_RESUME:
			{
				char	   *back = get_text(r, C_RESUME_STATUS);
				int			i = back ? name_index(status_names, ST_COUNT, back) : -1;
				Interval   *w;

				if (i < 0)
					elog(ERROR, "suspended incident " INT64_FORMAT " has no state to resume to", id);
				to = (IncStatus) i;
				w = clock_between(get_ts(r, C_CLOCK_STOPPED_AT), at, true, cat->schedule, false);
				if (w != NULL)
					set_datum(r, C_SUSPENDED_WORK,
							  DirectFunctionCall2(interval_pl, R_VAL(r, C_SUSPENDED_WORK), IntervalPGetDatum(w)));
				clock_restart(r, cat, to, at);
				set_null(r, C_RESUME_STATUS);
			}
			break;
		case A_REOPEN:
			set_datum(r, C_REOPEN_COUNT, Int32GetDatum(get_int(r, C_REOPEN_COUNT) + 1));
			if (st == ST_REJECTED)
			{
				to = ST_REPORTED;
				acceptance_start(r, cat, at);
				set_text(r, C_LIGHT, "green");
			}
			else
			{
				to = ST_ACCEPTED;
				disposal_start(r, cat, at);
				set_text(r, C_LIGHT, "green");
				set_null(r, C_VERIFIED_AT);
				set_null(r, C_CLOSED_AT);
				set_null(r, C_EVALUATED_AT);
				set_null(r, C_SATISFACTION);
				set_null(r, C_WORK_HOURS_TO_CLOSE);
			}
			break;
		case A_SUPERVISE:
			set_datum(r, C_SUPERVISIONS, Int32GetDatum(get_int(r, C_SUPERVISIONS) + 1));
			{
				StringInfoData buf;
				char		tsbuf[MAXDATELEN + 1];

				initStringInfo(&buf);
				appendStringInfoString(&buf, incident_payload_head(r));
				json_str(&buf, "by", actor);
				json_str(&buf, "note", note);
				json_ts(&buf, "due_at", r, (st == ST_REPORTED) ? C_ACCEPT_DUE_AT : C_DUE_AT);
				appendStringInfo(&buf, ", \"supervisions\": %d", get_int(r, C_SUPERVISIONS));
				appendStringInfo(&buf, ", \"at\": \"%s\"}",
								 JsonEncodeDateTime(tsbuf, TimestampTzGetDatum(at), TIMESTAMPTZOID, NULL));
				step_notify("shegu_supervision", buf.data);
			}
			break;
		case A_TICK:
			{
				char	   *before = get_text(r, C_LIGHT);
				const char *now = light_at(r, st, at);

				if (now == NULL || (before != NULL && strcmp(before, now) == 0))
					return false;
				light_update(r, at, true);
				return true;	/* a light turn is not a step: no event */
			}
		default:
			elog(ERROR, "unhandled incident action %d", (int) a);
	}

	set_text(r, C_STATUS, status_names[to]);
	set_text(r, C_LEVEL, level_names[to_lv]);
	if (to != st)
		set_ts(r, C_STATE_SINCE, at);
	light_update(r, at, true);

	memset(&ev, 0, sizeof(ev));
	ev.incident_id = id;
	ev.action = an;
	ev.actor = actor;
	ev.at = at;
	ev.from_status = status_names[st];
	ev.to_status = status_names[to];
	ev.from_level = level_names[lv];
	ev.to_level = level_names[to_lv];
	ev.work = clock_between(since, at, true, cat->schedule, false);
	ev.note = note;
	ev.detail = stage.detail;
	ev.request_id = stage.request_id;
	ev.db_role = stage.db_role;
	ev.county = R_VAL(r, C_COUNTY);
	ev.county_null = R_NULL(r, C_COUNTY);
	event_write(&ev);

	if (to_lv > lv && (a == A_ESCALATE || a == A_OVERDUE_ESCALATE))
		notify_escalation(r, level_names[lv], actor,
						  a == A_OVERDUE_ESCALATE ? "overdue" : "manual", at);
	return true;
}

/* Has this role applied a request id to this incident already?  A request id sent again with
 * the same action is a retry (true); with another action it is an error.  Request ids are
 * scoped by incident and role, so another role cannot silence a request by using its id
 * first.  (connected to SPI) */
static bool
request_seen(int64 id, Datum county, const char *db_role, const char *request_id, const char *action)
{
	Datum		v[4];
	char	   *seen;

	if (request_plan == NULL)
	{
		Oid			types[4] = {INT8OID, NAMEOID, TEXTOID, INT8OID};

		/* county = $4 keeps the lookup on the incident's own shard on Citus */
		SPIPlanPtr	p = SPI_prepare("SELECT action FROM shegu.incident_event"
									" WHERE incident_id = $1 AND db_role = $2 AND request_id = $3 AND county = $4",
									4, types);

		request_plan = keep_plan(p, "cannot prepare the request lookup");
	}
	v[0] = Int64GetDatum(id);
	v[1] = DirectFunctionCall1(namein, CStringGetDatum(db_role));
	v[2] = CStringGetTextDatum(request_id);
	v[3] = county;
	if (SPI_execute_plan(request_plan, v, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot look up the request id");
	if (SPI_processed == 0)
		return false;
	seen = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (strcmp(seen, action) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_IDEMPOTENCY_CONFLICT),
				 errmsg("request id \"%s\" of role \"%s\" already applied action \"%s\" to incident " INT64_FORMAT,
						request_id, db_role, seen, id),
				 errdetail("This call asks for action \"%s\" with the same request id.", action),
				 errhint("Use a new request id for a new request.")));
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * The grid a new incident names must be registered: a version of it valid on the day it was
 * reported (the day in the session's time zone, as shegu.locate reads it). */

static SPIPlanPtr grid_plan = NULL;

static void
grid_check(Oid gridtype, Datum grid, TimestampTz reported, const char *title)
{
	Datum		v[2];
	int64		versions;
	bool		valid;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (grid_plan == NULL)
	{
		Oid			types[2] = {gridtype, TIMESTAMPTZOID};
		SPIPlanPtr	p = SPI_prepare("SELECT count(*), coalesce(bool_or(g.valid_from <= $2::date"
									"                          AND (g.valid_to IS NULL OR g.valid_to > $2::date)), false)"
									" FROM shegu.grid AS g WHERE g.code OPERATOR(shegu.=) $1",
									2, types);

		grid_plan = keep_plan(p, "cannot prepare the grid check of new incidents");
	}
	v[0] = grid;
	v[1] = TimestampTzGetDatum(reported);
	if (SPI_execute_plan(grid_plan, v, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot look up the grid of a new incident");
	versions = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	valid = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	SPI_finish();
	if (!valid)
	{
		char		code[SHEGU_GRIDCODE_BUFLEN];

		shegu_gridcode_format(DatumGetGridcode(grid), code);
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("grid %s of incident \"%s\" is not registered", code, title),
				 versions == 0
				 ? errdetail("shegu.grid has no row with code %s.", code)
				 : errdetail("Grid %s has %lld version(s) in shegu.grid, none valid on the day of %s.",
							 code, (long long) versions, timestamptz_to_str(reported)),
				 errhint("Register the grid in shegu.grid first, or give a location and let shegu.locate find the grid.")));
	}
}

/* ---------------------------------------------------------------------------------------------
 * Trigger functions. */

static TriggerData *
trigger_check(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function %s was not called by the trigger manager", name)));
	return (TriggerData *) fcinfo->context;
}

/*
 * A restore load (shegu_restore_load) brings stored incidents back: rows that carry state_since,
 * taken as they are, their events coming back with shegu.incident_event's data.  A COPY may also
 * report new incidents (rows without state_since), but one COPY does not mix the two: the first
 * row decides, and the statement trigger logs report events only for new reports.
 */
static LocalTransactionId copy_lxid = InvalidLocalTransactionId;
static Portal copy_portal = NULL;
static TimestampTz copy_started = 0;
static bool copy_restores = false;

/* Is the remembered kind that of the running COPY (the statement's portal in this transaction)? */
static bool
copy_same(void)
{
	return copy_lxid == MyProc->lxid && copy_portal == ActivePortal && ActivePortal != NULL &&
		copy_started == ActivePortal->creation_time;
}

static void
copy_note(bool restored)
{
	if (copy_same())
	{
		if (copy_restores != restored)
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
					 errmsg("a COPY into shegu.incident cannot mix stored incidents and new reports"),
					 errdetail("Rows with state_since are stored incidents coming back and are taken as they are; rows without it are new reports."),
					 errhint("Load them with two COPY commands.")));
		return;
	}
	copy_lxid = MyProc->lxid;
	copy_portal = ActivePortal;
	copy_started = ActivePortal->creation_time;
	copy_restores = restored;
}

static bool
copy_restored(void)
{
	return copy_restores && copy_same();
}

PG_FUNCTION_INFO_V1(incident_before_insert);
/* SQL: trigger BEFORE INSERT ON shegu.incident FOR EACH ROW. */
Datum
incident_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_before_insert");
	Row			r;
	CategoryEntry *cat;
	TimestampTz now = clock_now();
	TimestampTz reported;
	static const int managed[] = {
		C_ACCEPTED_AT, C_DISPATCHED_AT, C_RESOLVED_AT, C_VERIFIED_AT, C_CLOSED_AT, C_EVALUATED_AT,
		C_ACCEPT_DUE_AT, C_DUE_AT, C_LEVEL_DUE_AT, C_YELLOW_AT, C_LIGHT, C_CLOCK_STOPPED_AT,
		C_RESUME_STATUS, C_EXTENSION_REQUESTED, C_SATISFACTION, C_WORK_HOURS_TO_CLOSE, C_STATE_SINCE,
		C_STEP
	};

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		elog(ERROR, "incident_before_insert must fire BEFORE INSERT FOR EACH ROW");
	row_load(&r, td->tg_relation, td->tg_trigtuple);
	if (shegu_restore_load(td->tg_relation))
	{
		copy_note(!R_NULL(&r, C_STATE_SINCE));
		if (!R_NULL(&r, C_STATE_SINCE))
			return PointerGetDatum(td->tg_trigtuple);
	}

	for (int i = 0; i < (int) lengthof(managed); i++)
		if (!R_NULL(&r, managed[i]))
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
					 errmsg("column \"%s\" of a new incident is set by shegu", col_names[managed[i]]),
					 errhint("Leave it out of the INSERT; the workflow fills it.")));
	if (!R_NULL(&r, C_STATUS) && strcmp(get_text(&r, C_STATUS), "reported") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
				 errmsg("a new incident cannot start in state \"%s\"", get_text(&r, C_STATUS)),
				 errdetail("Every incident starts as \"reported\"; shegu.act() moves it on.")));
	/* the counters and the clock totals start at zero: a value given is refused, not overwritten */
	{
		static const int counters[] = {C_ESCALATIONS, C_REWORK_COUNT, C_REOPEN_COUNT, C_SUPERVISIONS};
		static const int totals[] = {C_EXTENSION_TOTAL, C_SUSPENDED_WORK};

		for (int i = 0; i < (int) lengthof(counters); i++)
			if (!R_NULL(&r, counters[i]) && get_int(&r, counters[i]) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
						 errmsg("column \"%s\" of a new incident is set by shegu", col_names[counters[i]]),
						 errdetail("A new incident starts with %s = 0, not %d.", col_names[counters[i]],
								   get_int(&r, counters[i])),
						 errhint("Leave it out of the INSERT; the workflow fills it.")));
		for (int i = 0; i < (int) lengthof(totals); i++)
		{
			Interval   *iv;

			if (R_NULL(&r, totals[i]))
				continue;
			iv = DatumGetIntervalP(R_VAL(&r, totals[i]));
			if (iv->month != 0 || iv->day != 0 || iv->time != 0)
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
						 errmsg("column \"%s\" of a new incident is set by shegu", col_names[totals[i]]),
						 errdetail("A new incident starts with %s = 0, not %s.", col_names[totals[i]],
								   DatumGetCString(DirectFunctionCall1(interval_out, R_VAL(&r, totals[i])))),
						 errhint("Leave it out of the INSERT; the workflow fills it.")));
		}
	}
	if (R_NULL(&r, C_CATEGORY))
		return PointerGetDatum(td->tg_trigtuple);	/* the NOT NULL constraint reports it */
	cat = category_get(get_text(&r, C_CATEGORY));

	if (R_NULL(&r, C_REPORTED_AT))
		set_ts(&r, C_REPORTED_AT, now);
	reported = get_ts(&r, C_REPORTED_AT);
	if (TIMESTAMP_NOT_FINITE(reported) || reported > now)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reported_at %s of incident \"%s\" is not a past time", pstrdup(timestamptz_to_str(reported)),
						get_text(&r, C_TITLE)),
				 errdetail("An incident is reported at or before the moment it is stored (now %s).",
						   pstrdup(timestamptz_to_str(now))),
				 errhint("Leave reported_at out to use the present time, or give the time the report was made.")));

	if (R_NULL(&r, C_GRID))
	{
		Datum		g;

		if (R_NULL(&r, C_LOCATION))
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("incident \"%s\" has neither a grid nor a location", get_text(&r, C_TITLE)),
					 errhint("Give the grid code, or a location (a point in SRID 4326) to locate it by.")));
		funcs_ensure(TupleDescAttr(r.desc, r.att[C_LOCATION])->atttypid);
		if (!OidIsValid(fn_locate.oid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("incident \"%s\" has no grid and shegu.locate(geometry, timestamptz) is not installed",
							get_text(&r, C_TITLE)),
					 errhint("Give the grid code directly.")));
		{
			LOCAL_FCINFO(lf, 2);

			InitFunctionCallInfoData(*lf, &fn_locate.flinfo, 2, InvalidOid, NULL, NULL);
			lf->args[0].value = R_VAL(&r, C_LOCATION);
			lf->args[0].isnull = false;
			lf->args[1].value = TimestampTzGetDatum(reported);
			lf->args[1].isnull = false;
			g = FunctionCallInvoke(lf);
			if (lf->isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("the location of incident \"%s\" lies in no grid", get_text(&r, C_TITLE)),
						 errdetail("No grid valid at %s contains it.", timestamptz_to_str(reported)),
						 errhint("Give the grid code directly, or check the point's coordinates (longitude first, WGS-84).")));
		}
		set_datum(&r, C_GRID, g);
	}
	else
		grid_check(TupleDescAttr(r.desc, r.att[C_GRID])->atttypid, R_VAL(&r, C_GRID), reported,
				   get_text(&r, C_TITLE));
	{
		/* the county: the grid's first six digits (shegu.incident_county), the Citus routing key */
		char		code[32];
		char		digits[7] = "000000";
		int64		county;

		shegu_gridcode_format(DatumGetGridcode(R_VAL(&r, C_GRID)), code);
		memcpy(digits, code, Min(strlen(code), 6));
		county = strtol(digits, NULL, 10);
		if (R_NULL(&r, C_COUNTY))
			set_datum(&r, C_COUNTY, Int64GetDatum(county));
		else if (DatumGetInt64(R_VAL(&r, C_COUNTY)) != county)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("county " INT64_FORMAT " of incident \"%s\" does not match its grid %s",
							DatumGetInt64(R_VAL(&r, C_COUNTY)), get_text(&r, C_TITLE), code),
					 errdetail("The county of grid %s is " INT64_FORMAT ".", code, county),
					 errhint("Leave county out; it is the first six digits of the grid code (shegu.incident_county).")));
	}
	if (R_NULL(&r, C_LEVEL))
		set_text(&r, C_LEVEL, level_names[cat->level]);
	set_text(&r, C_STATUS, "reported");
	set_ts(&r, C_STATE_SINCE, reported);
	set_datum(&r, C_ESCALATIONS, Int32GetDatum(0));
	set_datum(&r, C_REWORK_COUNT, Int32GetDatum(0));
	set_datum(&r, C_REOPEN_COUNT, Int32GetDatum(0));
	set_datum(&r, C_SUPERVISIONS, Int32GetDatum(0));
	acceptance_start(&r, cat, reported);
	/* a new report's light is set silently: a back-filled batch must not queue a NOTIFY per row */
	light_update(&r, Max(now, reported), false);

	return PointerGetDatum(heap_form_tuple(r.desc, r.values, r.nulls));
}

PG_FUNCTION_INFO_V1(incident_after_insert);
/* SQL: trigger AFTER INSERT ON shegu.incident FOR EACH STATEMENT, with the new rows as
 * transition table new_incidents — logs one report event per inserted incident in one INSERT. */
Datum
incident_after_insert(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_after_insert");

	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) || td->tg_newtable == NULL)
		elog(ERROR, "incident_after_insert must fire AFTER INSERT FOR EACH STATEMENT with a NEW TABLE");
	if (shegu_restore_load(td->tg_relation) && copy_restored())
		return PointerGetDatum(NULL);	/* restored incidents: their events are restored too */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
		elog(ERROR, "cannot register the transition table");
	{
		Oid			types[1] = {NAMEOID};
		Datum		v[1];
		int			rc;
		/* the role that inserted, not the owner this SECURITY DEFINER trigger runs as */
		char	   *db_role = GetUserNameFromId(GetOuterUserId(), false);

		if (strcmp(RelationGetRelationName(td->tg_relation), "incident") == 0)
		{
			/* the table itself: one set-based INSERT */
			v[0] = DirectFunctionCall1(namein, CStringGetDatum(db_role));
			event_writing = true;
			PG_TRY();
			{
				rc = SPI_execute_with_args("INSERT INTO shegu.incident_event (incident_id, action, actor, at,"
										   " to_status, to_level, db_role, county)"
										   " SELECT id, 'report', coalesce(reporter, source), reported_at, status, level, $1, county"
										   " FROM new_incidents", 1, types, v, NULL, false, 0);
			}
			PG_FINALLY();
			{
				event_writing = false;
			}
			PG_END_TRY();
			if (rc != SPI_OK_INSERT)
				elog(ERROR, "cannot log the report events");
		}
		else
		{
			/*
			 * A shard of the table on a Citus node (incident_<shard id>): Citus cannot plan an
			 * INSERT ... SELECT from a transition table into a distributed table, so the events
			 * go in one row at a time, each routed by its county to the co-located shard beside
			 * this one.
			 */
			SPITupleTable *tt;
			uint64		n;

			if (SPI_execute("SELECT id, coalesce(reporter, source), reported_at, status, level, county"
							" FROM new_incidents", true, 0) != SPI_OK_SELECT)
				elog(ERROR, "cannot read the new incidents");
			tt = SPI_tuptable;
			n = SPI_processed;
			for (uint64 i = 0; i < n; i++)
			{
				EventRec	ev;
				bool		isnull;

				memset(&ev, 0, sizeof(ev));
				ev.incident_id = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
				ev.action = "report";
				ev.actor = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
				ev.at = DatumGetTimestampTz(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
				ev.to_status = SPI_getvalue(tt->vals[i], tt->tupdesc, 4);
				ev.to_level = SPI_getvalue(tt->vals[i], tt->tupdesc, 5);
				ev.county = SPI_getbinval(tt->vals[i], tt->tupdesc, 6, &ev.county_null);
				ev.db_role = db_role;
				event_write(&ev);
			}
		}
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(incident_before_update);
/* SQL: trigger BEFORE UPDATE ON shegu.incident FOR EACH ROW — the state machine.  A step comes
 * in the row itself (step = {"request": ...}, written by act() or sweep's step), so it reaches
 * the trigger wherever the row lives; the trigger leaves {"outcome": ...} in its place. */
Datum
incident_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_before_update");
	Row			r;
	int64		id;
	JsonbContainer *req;
	bool		changed = false;
	bool		local;
	StringInfoData notes;
	StringInfoData out;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		elog(ERROR, "incident_before_update must fire BEFORE UPDATE FOR EACH ROW");
	row_load(&r, td->tg_relation, td->tg_newtuple);
	id = DatumGetInt64(R_VAL(&r, C_ID));
	req = R_NULL(&r, C_STEP) ? NULL : step_request(DatumGetJsonbP(R_VAL(&r, C_STEP)));

	if (req == NULL)
	{
		/* Outside act(): only the free columns may change. */
		Row			o;

		row_load(&o, td->tg_relation, td->tg_trigtuple);
		for (int c = 0; c < C_NCOLS; c++)
		{
			Form_pg_attribute att = TupleDescAttr(r.desc, r.att[c]);
			bool		same;

			if (col_is_free(c))
				continue;
			if (R_NULL(&r, c) || R_NULL(&o, c))
				same = R_NULL(&r, c) == R_NULL(&o, c);
			else
				same = datum_image_eq(R_VAL(&r, c), R_VAL(&o, c), att->attbyval, att->attlen);
			if (!same)
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
						 errmsg("column \"%s\" of incident " INT64_FORMAT " cannot be changed directly",
								col_names[c], DatumGetInt64(R_VAL(&o, C_ID))),
						 errdetail("Only title, description and reporter may be edited; the grid and report stay as reported."),
						 errhint("Move the workflow with shegu.act().")));
		}
		return PointerGetDatum(td->tg_newtuple);
	}

	if (stage.active)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot apply a step to incident " INT64_FORMAT " while a step of incident " INT64_FORMAT " is being applied",
						id, stage.id)));
	local = step_is_local(req);
	if (local && local_step.id == id)
		stage = local_step;
	else
	{
		memset(&stage, 0, sizeof(stage));
		step_request_load(req, id);
	}
	initStringInfo(&notes);
	PG_TRY();
	{
		stage.active = true;
		step_notes = local ? NULL : &notes;
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		/* the action works on the locked, current row: reload the old tuple's values */
		row_load(&r, td->tg_relation, td->tg_trigtuple);
		if (stage.request_id != NULL &&
			request_seen(id, R_VAL(&r, C_COUNTY), stage.db_role, stage.request_id, action_names[stage.action]))
			stage.duplicate = true;
		else if (apply_action(&r))
			changed = true;
		else
			row_load(&r, td->tg_relation, td->tg_trigtuple);
		SPI_finish();
	}
	PG_FINALLY();
	{
		stage.active = false;
		step_notes = NULL;
	}
	PG_END_TRY();

	if (local)
	{
		/* the caller is this backend: the notifications are queued, the outcome goes back here */
		local_changed = changed;
		set_null(&r, C_STEP);
		return PointerGetDatum(heap_form_tuple(r.desc, r.values, r.nulls));
	}
	initStringInfo(&out);
	appendStringInfo(&out, "{\"outcome\": {\"action\": \"%s\", \"changed\": %s, \"duplicate\": %s, \"notify\": [%s]}}",
					 action_names[stage.action], changed ? "true" : "false",
					 stage.duplicate ? "true" : "false", notes.data);
	set_datum(&r, C_STEP, DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
	return PointerGetDatum(heap_form_tuple(r.desc, r.values, r.nulls));
}

PG_FUNCTION_INFO_V1(incident_refuse);
/* SQL: trigger that refuses deleting incidents and changing the event log. */
Datum
incident_refuse(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_refuse");
	const char *relname = RelationGetRelationName(td->tg_relation);
	/* incident_event, or one of its shards on Citus (incident_event_<shard id>) */
	bool		is_log = strncmp(relname, "incident_event", strlen("incident_event")) == 0;

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_APPEND_ONLY),
				 errmsg("cannot truncate shegu.%s", relname),
				 errdetail("%s", is_log ? "The incident event log is append-only."
						   : "Incidents and their history are kept.")));
	if (is_log)
	{
		bool		isnull;
		Datum		evid = heap_getattr(td->tg_trigtuple, 1, RelationGetDescr(td->tg_relation), &isnull);
		Datum		inc = heap_getattr(td->tg_trigtuple, 2, RelationGetDescr(td->tg_relation), &isnull);

		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_APPEND_ONLY),
				 errmsg("cannot %s event " INT64_FORMAT " of incident " INT64_FORMAT ": the event log is append-only",
						TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "update" : "delete",
						DatumGetInt64(evid), DatumGetInt64(inc))));
	}
	{
		bool		isnull;
		Datum		inc = heap_getattr(td->tg_trigtuple, 1, RelationGetDescr(td->tg_relation), &isnull);

		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_APPEND_ONLY),
				 errmsg("cannot delete incident " INT64_FORMAT, DatumGetInt64(inc)),
				 errdetail("Incidents and their history are kept."),
				 errhint("Reject or close it with shegu.act() instead.")));
	}
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(incident_event_guard);
/* SQL: trigger BEFORE INSERT ON shegu.incident_event FOR EACH ROW — only shegu writes the log.
 * Rows come in from act(), sweep() and the report trigger; a restore (pg_restore, psql -f of a
 * dump) runs as the table's owner or a superuser, or is a restore load of the database's owner
 * (shegu_restore_load), and is let in too. */
Datum
incident_event_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_event_guard");
	bool		isnull;
	Datum		inc;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		elog(ERROR, "incident_event_guard must fire BEFORE INSERT FOR EACH ROW");
	if (event_writing || superuser() ||
		has_privs_of_role(GetUserId(), td->tg_relation->rd_rel->relowner) ||
		shegu_restore_load(td->tg_relation))
		return PointerGetDatum(td->tg_trigtuple);
	inc = heap_getattr(td->tg_trigtuple, 2, RelationGetDescr(td->tg_relation), &isnull);
	ereport(ERROR,
			(errcode(ERRCODE_SHEGU_APPEND_ONLY),
			 errmsg("cannot write an event of incident " INT64_FORMAT " directly", isnull ? 0 : DatumGetInt64(inc)),
			 errdetail("The incident event log is written only by shegu.act(), shegu.sweep() and the report of an incident."),
			 errhint("Call shegu.act().")));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(incident_category_changed);
/* SQL: trigger AFTER ... ON shegu.incident_category FOR EACH STATEMENT — cache invalidation. */
Datum
incident_category_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_category_changed");

	shegu_invalidate_table(td->tg_relation);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------------------------------
 * act() and the sweep step. */

/* Runs a step: UPDATE ... SET step = {"request": ...} on the row — with Citus installed, after
 * looking up its county, so that Citus routes it to the shard; the trigger does the work and
 * leaves the outcome. */
static SPIPlanPtr county_plan = NULL;

static Datum
stage_run(int64 id, IncAction a, const char *actor, const char *note, Jsonb *detail,
		  const char *request_id, const char *db_role, TimestampTz at, const Datum *known_county,
		  bool *isnull, bool *changed)
{
	Datum		result = (Datum) 0;
	Datum		v[3];
	Datum		county;
	bool		county_null;
	bool		duplicate;
	bool		citus;

	if (stage_running || stage.active)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s incident " INT64_FORMAT " while a step of an incident is being applied",
						action_names[a], id)));
	*isnull = true;
	*changed = false;

	PG_TRY();
	{
		stage_running = true;
		local_call++;
		local_changed = false;
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (county_plan == NULL || act_plan == NULL || fetch_plan == NULL)
		{
			static const char *const columns[] = {"county", "step"};

			/* a database not yet updated to this library's version: say so */
			shegu_require_columns("incident", columns, lengthof(columns));
		}
		if (county_plan == NULL)
		{
			Oid			types[1] = {INT8OID};
			SPIPlanPtr	p = SPI_prepare("SELECT i.county FROM shegu.incident AS i WHERE i.id = $1", 1, types);

			county_plan = keep_plan(p, "cannot prepare the incident county lookup");
		}
		if (act_plan == NULL)
		{
			Oid			types[3] = {INT8OID, INT8OID, JSONBOID};

			/* county = $2 routes the update to the incident's shard on Citus */
			SPIPlanPtr	p = SPI_prepare("UPDATE shegu.incident AS i SET step = $3"
										" WHERE i.id = $1 AND i.county = $2 RETURNING i, i.step",
										3, types);

			act_plan = keep_plan(p, "cannot prepare the incident step");
		}
		if (fetch_plan == NULL)
		{
			Oid			types[2] = {INT8OID, JSONBOID};

			/* the same without the county: on a single server (or a row without one) */
			SPIPlanPtr	p = SPI_prepare("UPDATE shegu.incident AS i SET step = $2"
										" WHERE i.id = $1 RETURNING i, i.step",
										2, types);

			fetch_plan = keep_plan(p, "cannot prepare the incident step");
		}
		memset(&local_step, 0, sizeof(local_step));
		local_step.id = id;
		local_step.action = a;
		local_step.actor = actor;
		local_step.note = note;
		local_step.detail = detail;
		local_step.request_id = request_id;
		local_step.db_role = db_role;
		local_step.at = at;
		local_step.clock_real = clock_is_real();
		v[0] = Int64GetDatum(id);
		citus = OidIsValid(get_extension_oid("citus", true));
		if (!citus)
		{
			/* a single server: no routing, the update finds the row by its number */
			county = (Datum) 0;
			county_null = true;
		}
		else if (known_county != NULL)
		{
			/* the caller read it with the incident (the sweep): no lookup across the shards */
			county = *known_county;
			county_null = false;
		}
		else
		{
			/* not read-only: like the update, it sees rows written earlier in the calling statement */
			if (SPI_execute_plan(county_plan, v, NULL, false, 1) != SPI_OK_SELECT)
				elog(ERROR, "cannot read incident " INT64_FORMAT, id);
			if (SPI_processed == 0)
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_INCIDENT_NOT_FOUND),
						 errmsg("incident " INT64_FORMAT " does not exist", id)));
			county = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &county_null);
		}
		if (county_null)
		{
			v[1] = step_request_make(id, a, actor, note, detail, request_id, db_role, at, citus);
			if (SPI_execute_plan(fetch_plan, v, NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
				elog(ERROR, "cannot update incident " INT64_FORMAT, id);
		}
		else
		{
			v[1] = county;
			v[2] = step_request_make(id, a, actor, note, detail, request_id, db_role, at, true);
			if (SPI_execute_plan(act_plan, v, NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
				elog(ERROR, "cannot update incident " INT64_FORMAT, id);
		}
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_INCIDENT_NOT_FOUND),
					 errmsg("incident " INT64_FORMAT " does not exist", id)));
		{
			bool		n;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &n);

			if (n)
				*changed = local_changed;	/* applied in this backend (see step_is_local) */
			else
				*changed = step_outcome(DatumGetJsonbP(d), &duplicate);
			d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n);
			if (!n)
			{
				result = SPI_datumTransfer(d, false, -1);
				*isnull = false;
			}
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		stage_running = false;
	}
	PG_END_TRY();
	return result;
}

static SPIPlanPtr staff_plan = NULL;
static SPIPlanPtr staff_grid_plan = NULL;

/*
 * Who may act, and under which name.  Superusers and members of shegu_centre (the dispatch
 * centre 指挥中心) act on every incident, and the actor they give is recorded as given (the
 * person on whose behalf the centre acts).  Any other role must be grid staff (shegu.grid_staff
 * rows with db_role = the role, valid on the day of the step) assigned to a grid whose subtree
 * holds the incident's grid, and the actor is its staff name.  Everyone else is refused.
 */
static char *
act_authorise(int64 id, const char *action, const char *actor, const char *role)
{
	Oid			centre = get_role_oid("shegu_centre", true);
	Oid			me = GetOuterUserId();
	MemoryContext caller = CurrentMemoryContext;
	Datum		v[3];
	bool		grid_null;
	char	   *name = NULL;
	bool		staff = false;
	bool		in_scope = false;

	if (superuser_arg(me) || (OidIsValid(centre) && has_privs_of_role(me, centre)))
		return pstrdup(actor);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The incident's grid first, then the staff rows: two plain queries rather than one with a
	 * correlated subquery, which Citus refuses between the reference table of the staff and the
	 * distributed incidents (docs/citus.md).
	 */
	if (staff_grid_plan == NULL)
	{
		Oid			types[1] = {INT8OID};
		SPIPlanPtr	p = SPI_prepare("SELECT i.grid::text FROM shegu.incident AS i WHERE i.id = $1", 1, types);

		staff_grid_plan = keep_plan(p, "cannot prepare the staff lookup");
	}
	if (staff_plan == NULL)
	{
		Oid			types[3] = {NAMEOID, TEXTOID, TIMESTAMPTZOID};
		SPIPlanPtr	p = SPI_prepare("SELECT s.person_name,"
									" coalesce($2::shegu.gridcode OPERATOR(shegu.<@) s.code, false)"
									" FROM shegu.grid_staff AS s"
									" WHERE s.db_role = $1 AND s.valid_from <= $3::date"
									"   AND (s.valid_to IS NULL OR s.valid_to > $3::date)"
									" ORDER BY s.person_name",
									3, types);

		staff_plan = keep_plan(p, "cannot prepare the staff lookup");
	}
	v[0] = Int64GetDatum(id);
	if (SPI_execute_plan(staff_grid_plan, v, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot look up the grid of incident " INT64_FORMAT, id);
	grid_null = (SPI_processed == 0);
	if (!grid_null)
		v[1] = CStringGetTextDatum(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	else
		v[1] = (Datum) 0;
	v[0] = DirectFunctionCall1(namein, CStringGetDatum(role));
	v[2] = TimestampTzGetDatum(clock_now());
	if (SPI_execute_plan(staff_plan, v, grid_null ? " n " : NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot look up the grid staff of role %s", role);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *pn = SPI_getvalue(tup, td, 1);
		bool		here = DatumGetBool(SPI_getbinval(tup, td, 2, &isnull));

		staff = true;
		if (here)
		{
			in_scope = true;
			if (name == NULL || strcmp(pn, actor) == 0)
				name = MemoryContextStrdup(caller, pn);
		}
	}
	SPI_finish();
	if (!staff)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not act on incidents", role),
				 errdetail("It is neither a member of shegu_centre nor grid staff (shegu.grid_staff.db_role) on %s.",
						   pstrdup(timestamptz_to_str(clock_now()))),
				 errhint("Map the role to its person in shegu.grid_staff, or grant it shegu_centre.")));
	if (!in_scope)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not %s incident " INT64_FORMAT, role, action, id),
				 errdetail("The incident does not exist in the grids the role is assigned to.")));
	if (strcmp(name, actor) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot act as \"%s\"", role, actor),
				 errdetail("Grid staff act under their own name: \"%s\".", name)));
	return name;
}

static void
arg_not_null(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" of shegu.act() must not be NULL", name)));
}

PG_FUNCTION_INFO_V1(incident_act);
/* SQL: shegu.act(incident_id, action, actor, note, detail) RETURNS shegu.incident. */
Datum
incident_act(PG_FUNCTION_ARGS)
{
	int64		id;
	char	   *action;
	char	   *actor;
	char	   *note;
	Jsonb	   *detail = NULL;
	char	   *request_id;
	int			a;
	bool		isnull;
	bool		changed;
	Datum		result;
	/* the role that called act(): the session user or the role it SET ROLE to, never the
	 * owner that SECURITY DEFINER runs act() as */
	char	   *role = GetUserNameFromId(GetOuterUserId(), false);

	arg_not_null(fcinfo, 0, "incident_id");
	arg_not_null(fcinfo, 1, "action");
	arg_not_null(fcinfo, 2, "actor");
	id = PG_GETARG_INT64(0);
	action = text_to_cstring(PG_GETARG_TEXT_PP(1));
	actor = text_to_cstring(PG_GETARG_TEXT_PP(2));
	note = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	a = name_index(action_names, A_PUBLIC_COUNT, action);
	if (a < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown action \"%s\" on incident " INT64_FORMAT, action, id),
				 errhint("The actions are accept, reject, dispatch, resolve, verify, rework, close, evaluate, "
						 "return, escalate, request_extension, approve_extension, suspend, resume, reopen and supervise.")));
	if (actor[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("actor of action \"%s\" on incident " INT64_FORMAT " is empty", action, id)));
	if (!PG_ARGISNULL(4))
	{
		detail = PG_GETARG_JSONB_P(4);
		if (!JB_ROOT_IS_OBJECT(detail))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("detail of action \"%s\" on incident " INT64_FORMAT " is not a JSON object", action, id)));
	}
	request_id = detail_string(detail, "request_id", action, id);
	actor = act_authorise(id, action, actor, role);
	result = stage_run(id, (IncAction) a, actor, note, detail, request_id, role, clock_now(), NULL,
					   &isnull, &changed);
	if (isnull)
		elog(ERROR, "incident " INT64_FORMAT " vanished during the step", id);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(incident_step);
/* SQL: shegu.incident_step(incident_id, action, at, county DEFAULT NULL) RETURNS boolean — sweep's
 * steps; NULL for a NULL incident, step or time. */
Datum
incident_step(PG_FUNCTION_ARGS)
{
	int64		id;
	char	   *action;
	TimestampTz at;
	int			a;
	bool		isnull;
	bool		changed = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	id = PG_GETARG_INT64(0);
	action = text_to_cstring(PG_GETARG_TEXT_PP(1));
	at = PG_GETARG_TIMESTAMPTZ(2);
	a = name_index(action_names, A_COUNT, action);
	if (a < A_PUBLIC_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown sweep step \"%s\" on incident " INT64_FORMAT, action, id),
				 errhint("The steps are overdue_escalate and tick; use shegu.act() for the workflow.")));
	(void) stage_run(id, (IncAction) a, "shegu.sweep", NULL, NULL, NULL,
					 GetUserNameFromId(GetOuterUserId(), false), at,
					 PG_ARGISNULL(3) ? NULL : &fcinfo->args[3].value, &isnull, &changed);
	PG_RETURN_BOOL(changed);
}

/* ---------------------------------------------------------------------------------------------
 * Load-time set-up. */

void
shegu_incident_init(void)
{
	DefineCustomStringVariable("shegu.incident_clock",
							   "Time that shegu.act() and new incidents use as now (testing and back-filling).",
							   "Empty means the transaction's start time, as now() gives.",
							   &incident_clock, "", PGC_SUSET, 0,
							   check_incident_clock, NULL, NULL);
	shegu_refcache_subscribe(category_relcache_cb);
	shegu_refcache_subscribe(incident_relcache_cb);
	CacheRegisterSyscacheCallback(PROCOID, proc_syscache_cb, (Datum) 0);
}
