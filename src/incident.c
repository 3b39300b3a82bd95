/* Incidents: act(), the sweep's steps and the C triggers of the closed-loop workflow.
 * src/incident.c — declared by src/incident.sql; the rules are the engine's (src/engine/workflow.c),
 * clock rules in docs/incident.md. */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/tupconvert.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "rewrite/rewriteHandler.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "core.h"
#include "engine/workflow.h"
#include "gridcode.h"
#include "incident.h"
#include "lookup.h"
#include "refcache.h"
#include "worktime.h"

#define ST(s)		(shegu_wf_state_names[s])
#define LV(l)		(shegu_wf_level_names[l])
#define AN(a)		(shegu_wf_action_names[a])

/* Keeps a plan prepared by SPI_prepare for the life of the backend; what names it in the error. */
static SPIPlanPtr
keep_plan(SPIPlanPtr p, const char *what)
{
	if (p == NULL || SPI_keepplan(p) != 0)
		elog(ERROR, "%s: %s", what, SPI_result_code_string(SPI_result));
	return p;
}

/* ---------------------------------------------------------------------------------------------
 * The test clock: shegu.incident_clock, a superuser setting that replaces now() for act(). */

static char *incident_clock = NULL;

/*
 * The setting read as timestamptz_in reads it, kept while the text, the session's time zone, the
 * date order and the statement (whose transaction's start 'now', 'today' and the like depend on)
 * stay the same: a batch of reports reads it once, not once a row.
 */
static char clock_text[MAXDATELEN + 1];
static pg_tz *clock_tz = NULL;
static TimestampTz clock_stmt = 0;
static LocalTransactionId clock_lxid = InvalidLocalTransactionId;
static int	clock_date_order = -1;
static TimestampTz clock_value = 0;

static TimestampTz
clock_now(void)
{
	if (incident_clock != NULL && incident_clock[0] != '\0')
	{
		if (clock_tz != session_timezone || clock_stmt != GetCurrentStatementStartTimestamp() ||
			clock_lxid != MyProc->lxid || clock_date_order != DateOrder || strcmp(clock_text, incident_clock) != 0)
		{
			TimestampTz t = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																	CStringGetDatum(incident_clock),
																	ObjectIdGetDatum(InvalidOid),
																	Int32GetDatum(-1)));

			if (strlen(incident_clock) >= sizeof(clock_text))
				return t;		/* too long to keep: read every time */
			strlcpy(clock_text, incident_clock, sizeof(clock_text));
			clock_tz = session_timezone;
			clock_stmt = GetCurrentStatementStartTimestamp();
			clock_lxid = MyProc->lxid;
			clock_date_order = DateOrder;
			clock_value = t;
		}
		return clock_value;
	}
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
 * Per-backend cache of the limits: the categories (shegu.incident_category) and the stages
 * (shegu.workflow_limit), rebuilt whenever either table changes. */

typedef struct CategoryEntry
{
	char		code[64];		/* hash key */
	char		schedule[64];
	shegu_wf_limits limits;
} CategoryEntry;

static MemoryContext category_cxt = NULL;
static HTAB *category_cache = NULL;
static bool category_valid = false;
static Oid	category_relid = InvalidOid;
static Oid	limit_relid = InvalidOid;

static void
category_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == category_relid || relid == limit_relid)
		category_valid = false;
}

static shegu_wf_span
span_of(const Interval *iv)
{
	shegu_wf_span s = {iv->time, iv->day, iv->month};

	return s;
}

static Interval *
interval_of(shegu_wf_span s)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = s.usecs;
	iv->day = s.days;
	iv->month = s.months;
	return iv;
}

static void
category_cache_build(void)
{
	MemoryContext cxt;
	HASHCTL		ctl;
	HTAB	   *h;
	shegu_wf_span stage_limit[SHEGU_WF_NSTAGES];
	bool		stage_working[SHEGU_WF_NSTAGES];
	bool		stage_known[SHEGU_WF_NSTAGES] = {0};

	cxt = AllocSetContextCreate(CacheMemoryContext, "shegu incident categories",
								ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(((CategoryEntry *) NULL)->code);
	ctl.entrysize = sizeof(CategoryEntry);
	ctl.hcxt = cxt;
	h = hash_create("shegu incident categories", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	PG_TRY();
	{
		Oid			nsp = get_namespace_oid("shegu", false);

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT stage, time_limit, basis FROM shegu.workflow_limit", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "cannot read shegu.workflow_limit");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	td = SPI_tuptable->tupdesc;
			int			s = shegu_wf_lookup(shegu_wf_stage_names, SHEGU_WF_NSTAGES, SPI_getvalue(tup, td, 1));
			bool		isnull;

			if (s < 0)
				continue;		/* the CHECK constraint keeps stages known */
			stage_limit[s] = span_of(DatumGetIntervalP(SPI_getbinval(tup, td, 2, &isnull)));
			stage_working[s] = strcmp(SPI_getvalue(tup, td, 3), "working") == 0;
			stage_known[s] = true;
		}
		for (int s = 0; s < SHEGU_WF_NSTAGES; s++)
			if (!stage_known[s])
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("shegu.workflow_limit has no limit for stage \"%s\"", shegu_wf_stage_names[s]),
						 errhint("Every stage (review, ruling, mediation, fulfilment, part) needs one row.")));
		if (SPI_execute("SELECT code, handling_level, accept_limit, accept_basis, dispose_limit,"
						" dispose_basis, schedule, yellow_share, simple_handling FROM shegu.incident_category",
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
			shegu_wf_limits *l;

			if (strlen(code) >= sizeof(e->code))
				continue;		/* the CHECK constraint keeps codes short */
			e = hash_search(h, code, HASH_ENTER, &found);
			l = &e->limits;
			memset(l, 0, sizeof(*l));
			l->level = (shegu_wf_level) shegu_wf_lookup(shegu_wf_level_names, SHEGU_WF_NLEVELS, SPI_getvalue(tup, td, 2));
			l->accept_limit = span_of(DatumGetIntervalP(SPI_getbinval(tup, td, 3, &isnull)));
			l->accept_working = strcmp(SPI_getvalue(tup, td, 4), "working") == 0;
			l->dispose_limit = span_of(DatumGetIntervalP(SPI_getbinval(tup, td, 5, &isnull)));
			l->dispose_working = strcmp(SPI_getvalue(tup, td, 6), "working") == 0;
			strlcpy(e->schedule, SPI_getvalue(tup, td, 7), sizeof(e->schedule));
			l->yellow_share = DatumGetFloat8(SPI_getbinval(tup, td, 8, &isnull));
			l->simple_handling = DatumGetBool(SPI_getbinval(tup, td, 9, &isnull)) && !isnull;
			memcpy(l->stage_limit, stage_limit, sizeof(stage_limit));
			memcpy(l->stage_working, stage_working, sizeof(stage_working));
		}
		category_relid = get_relname_relid("incident_category", nsp);
		limit_relid = get_relname_relid("workflow_limit", nsp);
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

/* ---------------------------------------------------------------------------------------------
 * The engine's clock: working time through the calendar (src/worktime.h), natural time by
 * timestamptz arithmetic.  arg is the schedule's name. */

static shegu_wf_time
clock_add(void *arg, shegu_wf_time start, shegu_wf_span amount, bool working)
{
	Interval   *iv = interval_of(amount);

	if (working)
		return shegu_worktime_add(start, iv, (const char *) arg);
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(start),
												   IntervalPGetDatum(iv)));
}

static shegu_wf_span
clock_between(void *arg, shegu_wf_time a, shegu_wf_time b, bool working)
{
	shegu_wf_span s = {b - a, 0, 0};

	if (working)
		return span_of(shegu_worktime_between(a, b, (const char *) arg));
	return s;
}

static shegu_wf_clock
clock_of(CategoryEntry *cat)
{
	shegu_wf_clock c = {cat->schedule, clock_add, clock_between};

	return c;
}

static int64
interval_total_usecs(const Interval *iv)
{
	return shegu_wf_span_usecs(span_of(iv));
}

/* ---------------------------------------------------------------------------------------------
 * A new incident as the insert trigger sees it: the columns it reads or fills, by name. */

typedef enum IncCol
{
	C_ID, C_CATEGORY, C_TITLE, C_LOCATION, C_GRID, C_REPORTED_AT, C_STATUS, C_LEVEL, C_COUNTY,
	C_REPORTER, C_SOURCE,
	/* filled by the workflow: refused in an INSERT */
	C_ACCEPTED_AT, C_DISPATCHED_AT, C_RESOLVED_AT, C_VERIFIED_AT, C_CLOSED_AT, C_EVALUATED_AT,
	C_ACCEPT_DUE_AT, C_DUE_AT, C_LEVEL_DUE_AT, C_YELLOW_AT, C_LIGHT, C_CLOCK_STOPPED_AT,
	C_RESUME_STATUS, C_EXTENSION_REQUESTED, C_SATISFACTION, C_WORK_HOURS_TO_CLOSE, C_STATE_SINCE,
	C_OWNER, C_OWNER_SINCE, C_LEADER, C_LEADER_SINCE, C_STAGE_DUE_AT, C_STAGE_YELLOW_AT, C_STAGE_LIGHT,
	/* counters and totals: zero in an INSERT */
	C_ESCALATIONS, C_REWORK_COUNT, C_REOPEN_COUNT, C_SUPERVISIONS, C_EXTENSION_TOTAL, C_SUSPENDED_WORK,
	C_NCOLS
} IncCol;

#define C_FIRST_MANAGED C_ACCEPTED_AT
#define C_LAST_MANAGED C_STAGE_LIGHT

static const char *const col_names[C_NCOLS] = {
	"id", "category", "title", "location", "grid", "reported_at", "status", "level", "county",
	"reporter", "source",
	"accepted_at", "dispatched_at", "resolved_at", "verified_at", "closed_at", "evaluated_at",
	"accept_due_at", "due_at", "level_due_at", "yellow_at", "light", "clock_stopped_at",
	"resume_status", "extension_requested", "satisfaction", "work_hours_to_close", "state_since",
	"owner", "owner_since", "leader", "leader_since", "stage_due_at", "stage_yellow_at", "stage_light",
	"escalations", "rework_count", "reopen_count", "supervisions", "extension_total", "suspended_work"
};

typedef struct Row
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	int			att[C_NCOLS];	/* 0-based attribute index of each column */
} Row;

static Oid	att_relid = InvalidOid;
static int	att_cache[C_NCOLS];

static bool direct_stale = true;	/* the direct writer's cache (below) must be rebuilt */
static Oid	direct_inc_relid = InvalidOid;
static Oid	direct_ev_relid = InvalidOid;
static Oid	lock_relid = InvalidOid;
static bool rp_stale = true;	/* report()'s cache (below) must be rebuilt */
static Oid	rp_relid = InvalidOid;
static Oid	after_trig_relid = InvalidOid;	/* the report trigger's table (report_trigger_fires) */

static void
incident_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == att_relid)
		att_relid = InvalidOid;
	if (relid == InvalidOid || relid == lock_relid)
		lock_relid = InvalidOid;
	if (relid == InvalidOid || relid == direct_inc_relid || relid == direct_ev_relid)
		direct_stale = true;
	if (relid == InvalidOid || relid == rp_relid)
		rp_stale = true;
	if (relid == InvalidOid || relid == after_trig_relid)
		after_trig_relid = InvalidOid;
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
set_ts(Row *r, int c, TimestampTz t)
{
	if (t == SHEGU_WF_NOTIME)
	{
		R_VAL(r, c) = (Datum) 0;
		R_NULL(r, c) = true;
	}
	else
		set_datum(r, c, TimestampTzGetDatum(t));
}

static TimestampTz
get_ts(Row *r, int c)
{
	return DatumGetTimestampTz(R_VAL(r, c));
}

static char *
get_text(Row *r, int c)
{
	return R_NULL(r, c) ? NULL : TextDatumGetCString(R_VAL(r, c));
}

/*
 * The text datum of one of the engine's names (a state, a level, a light: static strings), made
 * once per backend: a new incident's row takes three of them.
 */
static Datum
engine_name_text(const char *name)
{
	static const char *names[64];
	static Datum texts[64];
	static int	n = 0;
	Datum		d;

	for (int i = 0; i < n; i++)
		if (names[i] == name)
			return texts[i];
	if (n == lengthof(names))
		return CStringGetTextDatum(name);
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		d = CStringGetTextDatum(name);
		MemoryContextSwitchTo(old);
	}
	names[n] = name;
	texts[n] = d;
	n++;
	return d;
}

static int32
get_int(Row *r, int c)
{
	return R_NULL(r, c) ? 0 : DatumGetInt32(R_VAL(r, c));
}

/* ---------------------------------------------------------------------------------------------
 * The event log. */

static SPIPlanPtr event_plan = NULL;
static SPIPlanPtr request_plan = NULL;

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


static SPIPlanPtr dispatcher_plan = NULL;

/* The level that made the last dispatch, which a return (回退) goes back to (connected to SPI). */
static int
dispatcher_level(int64 id, Datum county)
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
		return -1;
	i = shegu_wf_lookup(shegu_wf_level_names, SHEGU_WF_NLEVELS, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	return i;
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


/* ---------------------------------------------------------------------------------------------
 * The grid a new incident names must be registered: a version of it valid on the day it was
 * reported (the day in the session's time zone, as shegu.locate reads it). */

static SPIPlanPtr grid_plan = NULL;

/*
 * The versions of the grids new incidents named, per backend: a code's [valid_from, valid_to)
 * days, read once and kept until shegu.grid changes (its relcache invalidation, which the
 * table's grid_changed trigger sends).  A small registry (at most GRID_LOAD_BLOCKS pages and
 * GRID_LOAD_ROWS versions) is read whole by one query at the first report of a session, and then
 * a code the cache lacks is not registered (grid_complete); a larger one is read a code at a
 * time, as reports name them.
 */
typedef struct GridEntry
{
	int64		code;			/* hash key */
	int			n;				/* versions */
	int			max;			/* room in from and to */
	DateADT    *from;
	DateADT    *to;				/* DATEVAL_NOEND for an open version */
} GridEntry;

#define GRID_LOAD_BLOCKS 128	/* 1 MB of shegu.grid: one scan of it costs a few look-ups */
#define GRID_LOAD_ROWS 20000	/* about 1 MB of cache in a backend */

static MemoryContext grid_cxt = NULL;
static HTAB *grid_cache = NULL;
static Oid	grid_relid = InvalidOid;
static bool grid_complete = false;	/* the cache holds every version in shegu.grid */

static void
grid_relcache_cb(Oid relid)
{
	if ((relid == InvalidOid || relid == grid_relid) && grid_cxt != NULL)
	{
		MemoryContextDelete(grid_cxt);
		grid_cxt = NULL;
		grid_cache = NULL;
		grid_complete = false;
	}
}

/* The cache entry of a code, made (without versions) when missing. */
static GridEntry *
grid_entry(int64 code)
{
	bool		found;
	GridEntry  *e = hash_search(grid_cache, &code, HASH_ENTER, &found);

	if (!found)
	{
		e->n = 0;
		e->max = 1;
		e->from = MemoryContextAlloc(grid_cxt, sizeof(DateADT));
		e->to = MemoryContextAlloc(grid_cxt, sizeof(DateADT));
	}
	return e;
}

/* Adds the version of the SPI result row tup whose valid_from and valid_to are columns f, f + 1. */
static void
grid_add_version(GridEntry *e, HeapTuple tup, TupleDesc td, int f)
{
	bool		from_null,
				to_null;
	Datum		from = SPI_getbinval(tup, td, f, &from_null);
	Datum		to = SPI_getbinval(tup, td, f + 1, &to_null);

	if (from_null)
		return;					/* valid_from is NOT NULL */
	if (e->n == e->max)
	{
		e->max *= 2;
		e->from = repalloc(e->from, sizeof(DateADT) * e->max);
		e->to = repalloc(e->to, sizeof(DateADT) * e->max);
	}
	e->from[e->n] = DatumGetDateADT(from);
	e->to[e->n] = to_null ? DATEVAL_NOEND : DatumGetDateADT(to);
	e->n++;
}

/*
 * Reads the whole registry into the (empty) cache when it is small; true when it did.  The
 * query stops after GRID_LOAD_ROWS + 1 versions: a registry larger than that is read a code at
 * a time.  False also when an invalidation reset the cache meanwhile.
 */
static bool
grid_load_all(void)
{
	Relation	rel = table_open(grid_relid, AccessShareLock);
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);
	bool		loaded = false;

	table_close(rel, AccessShareLock);
	if (nblocks > GRID_LOAD_BLOCKS || grid_cache == NULL)
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT g.code, g.valid_from, g.valid_to FROM shegu.grid AS g",
					true, GRID_LOAD_ROWS + 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read the grids of new incidents");
	if (grid_cache != NULL && SPI_processed <= GRID_LOAD_ROWS)
	{
		SPITupleTable *tt = SPI_tuptable;

		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		code = SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull);

			if (!isnull)		/* code is NOT NULL */
				grid_add_version(grid_entry(DatumGetInt64(code)), tt->vals[i], tt->tupdesc, 2);
		}
		loaded = true;
	}
	SPI_finish();
	return loaded;
}

static GridEntry *
grid_versions(Oid gridtype, Datum grid)
{
	int64		code = DatumGetInt64(grid);
	GridEntry  *e;
	Datum		v[1];
	uint64		n;
	HeapTuple  *rows;
	TupleDesc	td;

	if (grid_cache == NULL)
	{
		HASHCTL		ctl;
		MemoryContext cxt = AllocSetContextCreate(CacheMemoryContext, "shegu incident grids",
												  ALLOCSET_DEFAULT_SIZES);

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(GridEntry);
		ctl.hcxt = cxt;
		grid_cache = hash_create("shegu incident grids", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		grid_cxt = cxt;
		grid_complete = false;
		grid_relid = get_relname_relid("grid", get_namespace_oid("shegu", false));
		if (!OidIsValid(grid_relid))
			elog(ERROR, "shegu.grid is missing");
		if (grid_load_all())
			grid_complete = true;
		if (grid_cache == NULL)
			return grid_versions(gridtype, grid);	/* reset by an invalidation: again */
	}
	e = hash_search(grid_cache, &code, HASH_FIND, NULL);
	if (e != NULL)
		return e;
	if (grid_complete)
		return grid_entry(code);	/* not registered */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (grid_plan == NULL)
	{
		Oid			types[1] = {gridtype};

		grid_plan = keep_plan(SPI_prepare("SELECT g.valid_from, g.valid_to FROM shegu.grid AS g"
										  " WHERE g.code OPERATOR(shegu.=) $1", 1, types),
							  "cannot prepare the grid check of new incidents");
	}
	v[0] = grid;
	if (SPI_execute_plan(grid_plan, v, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot look up the grid of a new incident");
	n = SPI_processed;
	rows = SPI_tuptable->vals;
	td = SPI_tuptable->tupdesc;
	/* the cache may have been reset by an invalidation read during the query */
	if (grid_cache == NULL)
	{
		SPI_finish();
		return grid_versions(gridtype, grid);
	}
	e = grid_entry(code);
	for (uint64 i = 0; i < n; i++)
		grid_add_version(e, rows[i], td, 1);
	SPI_finish();
	return e;
}

static void
grid_check(Oid gridtype, Datum grid, TimestampTz reported, Datum title_text)
{
	GridEntry  *e = grid_versions(gridtype, grid);
	bool		valid = false;
	DateADT		day;

	/* a version valid on every day (the registry's default, from -infinity) needs no day */
	for (int i = 0; i < e->n && !valid; i++)
		valid = DATE_IS_NOBEGIN(e->from[i]) && e->to[i] == DATEVAL_NOEND;
	if (valid)
		return;
	day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(reported)));
	for (int i = 0; i < e->n && !valid; i++)
		valid = e->from[i] <= day && (e->to[i] == DATEVAL_NOEND || e->to[i] > day);
	if (!valid)
	{
		const char *title = title_text == (Datum) 0 ? NULL : TextDatumGetCString(title_text);
		char		code[SHEGU_GRIDCODE_BUFLEN];
		int			versions = e->n;

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


/*
 * The report events of an INSERT without a transition table.  Every incident the insert trigger
 * lets through is noted here (its id and county, the table, and the command id of the statement's
 * snapshot, which tells the statement); the statement trigger at the end of the statement takes
 * its statement's notes, looks each id up in the table's primary key for the version this
 * statement stored (inserted by this transaction, not visible to the statement's snapshot) and
 * logs that version.  A noted row the statement did not store (ON CONFLICT DO NOTHING, a later
 * BEFORE trigger that skipped it) has no such version and no event, as it had no row in the
 * transition table.  The notes live in the transaction: a subtransaction that aborts drops its
 * own, and a note left at commit (a statement whose report trigger did not take it) is an error.
 */
typedef struct PendingReport
{
	int64		id;
	int64		county;
	bool		county_null;
	Oid			relid;			/* shegu.incident, or a shard of it on a Citus node */
	CommandId	cid;			/* curcid of the statement's snapshot */
	SubTransactionId subid;
	/*
	 * The event's columns as the insert trigger returned the row, when no BEFORE trigger that
	 * fires after shegu's can change it (then the row is stored as noted): reported_at, and the
	 * state and level as the engine's (SHEGU_WF_* numbers; -1: a level the INSERT gave, read
	 * from the stored row).  The actor (reporter, or source) is read from the stored row.
	 */
	bool		as_noted;
	int8		state;
	int8		level;
	bool		actor_null;
	TimestampTz at;
	Datum		actor;			/* a source's text made once, or a copy of the reporter */
} PendingReport;

static PendingReport *pending = NULL;	/* in TopTransactionContext */
static int64 npending = 0;
static int64 maxpending = 0;

/* The command id that names the running statement: its snapshot's. */
static CommandId
statement_cid(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot()->curcid : GetCurrentCommandId(false);
}

/* The sources of shegu.incident's CHECK constraint, whose text a note shares. */
static const char *const report_sources[] = {
	"patrol", "resident", "hotline", "wechat", "video", "leader", "media", "superior"
};

/* The actor of a report event in a note: a source's shared text, or a copy of the value. */
static Datum
note_actor(Datum v)
{
	text	   *t = DatumGetTextPP(v);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (!VARATT_IS_EXTENDED(DatumGetPointer(v)) || VARATT_IS_SHORT(DatumGetPointer(v)))
		for (int i = 0; i < (int) lengthof(report_sources); i++)
			if ((int) strlen(report_sources[i]) == len && memcmp(VARDATA_ANY(t), report_sources[i], len) == 0)
				return engine_name_text(report_sources[i]);
	return datumCopy(v, false, -1);
}

static void
pending_note(Relation rel, int64 id, bool county_null, int64 county, bool as_noted, int state,
			 int level, TimestampTz at, Datum actor, bool actor_null)
{
	PendingReport *p;

	if (npending == maxpending)
	{
		int64		more = Max(1024, maxpending * 2);

		if (pending == NULL)
			pending = MemoryContextAllocHuge(TopTransactionContext, more * sizeof(PendingReport));
		else
			pending = repalloc_huge(pending, more * sizeof(PendingReport));
		maxpending = more;
	}
	p = &pending[npending++];
	p->id = id;
	p->county = county;
	p->county_null = county_null;
	p->relid = RelationGetRelid(rel);
	p->cid = statement_cid();
	p->subid = GetCurrentSubTransactionId();
	p->as_noted = as_noted;
	p->state = (int8) state;
	p->level = (int8) level;
	p->at = at;
	p->actor_null = actor_null;
	p->actor = (Datum) 0;
	if (as_noted && !actor_null)
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		p->actor = note_actor(actor);
		MemoryContextSwitchTo(old);
	}
}

/*
 * Takes the notes of the statement now ending on rel (palloc'd, in the order noted).  Statements
 * nested in it have taken theirs already, so its notes are the last ones with its command id.
 */
static PendingReport *
pending_take(Relation rel, int64 *n)
{
	CommandId	cid = statement_cid();
	Oid			relid = RelationGetRelid(rel);
	int64		start = npending,
				k = 0,
				keep;
	PendingReport *out;

	while (start > 0 && pending[start - 1].cid == cid)
		start--;
	for (int64 i = start; i < npending; i++)
		k += (pending[i].relid == relid);
	*n = k;
	out = palloc(Max(k, 1) * sizeof(PendingReport));
	k = 0;
	keep = start;
	for (int64 i = start; i < npending; i++)
	{
		if (pending[i].relid == relid)
			out[k++] = pending[i];
		else
			pending[keep++] = pending[i];
	}
	npending = keep;
	return out;
}

/*
 * The statements the executor started in this transaction that insert (ExecutorStart_hook), by
 * the command id of their snapshot, and whether one of their INSERTs has ON CONFLICT.  A noted
 * row of a statement seen without ON CONFLICT was stored or the statement failed: the statement
 * trigger need not look it up (stored_known).  A statement not seen (COPY, or one that started
 * before this library was loaded) counts as one that may have skipped rows.
 */
typedef struct SeenInsert
{
	CommandId	cid;
	bool		on_conflict;
} SeenInsert;

static SeenInsert *seen = NULL;	/* in TopTransactionContext */
static int	nseen = 0;
static int	maxseen = 0;
static bool seen_unordered = false;	/* a statement started with an older command id */
static ExecutorStart_hook_type prev_executor_start = NULL;

static bool
plan_on_conflict(Plan *plan)
{
	return plan != NULL && IsA(plan, ModifyTable) && ((ModifyTable *) plan)->operation == CMD_INSERT &&
		((ModifyTable *) plan)->onConflictAction != ONCONFLICT_NONE;
}

static void
incident_executor_start(QueryDesc *qd, int eflags)
{
	if (prev_executor_start)
		prev_executor_start(qd, eflags);
	else
		standard_ExecutorStart(qd, eflags);
	if ((qd->operation == CMD_INSERT || qd->plannedstmt->hasModifyingCTE) && qd->snapshot != NULL &&
		!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
	{
		bool		oc = plan_on_conflict(qd->plannedstmt->planTree);
		ListCell   *lc;
		CommandId	cid = qd->snapshot->curcid;

		foreach(lc, qd->plannedstmt->subplans)
			oc |= plan_on_conflict((Plan *) lfirst(lc));
		/* command ids only grow in a transaction: the list stays sorted (else it is not used) */
		if (nseen > 0 && seen[nseen - 1].cid == cid)
		{
			seen[nseen - 1].on_conflict |= oc;
			return;
		}
		if (nseen > 0 && seen[nseen - 1].cid > cid)
		{
			seen_unordered = true;
			return;
		}
		if (nseen == maxseen)
		{
			int			more = Max(16, maxseen * 2);

			seen = seen == NULL ? MemoryContextAlloc(TopTransactionContext, more * sizeof(SeenInsert))
				: repalloc(seen, more * sizeof(SeenInsert));
			maxseen = more;
		}
		seen[nseen].cid = cid;
		seen[nseen].on_conflict = oc;
		nseen++;
	}
}

/* Was the statement of command id cid seen to start, without ON CONFLICT? */
static bool
seen_plain_insert(CommandId cid)
{
	int			lo = 0,
				hi = nseen - 1;

	if (seen_unordered)
		return false;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (seen[mid].cid == cid)
			return !seen[mid].on_conflict;
		if (seen[mid].cid < cid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Takes back the notes on rel of the running statement made since npending was from. */
static void
pending_drop_since(Relation rel, int64 from)
{
	CommandId	cid = statement_cid();
	int64		keep = from;

	for (int64 i = from; i < npending; i++)
		if (pending[i].cid != cid || pending[i].relid != RelationGetRelid(rel))
			pending[keep++] = pending[i];
	npending = keep;
}

static void
pending_xact_cb(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (npending > 0)
				ereport(ERROR,
						(errcode(ERRCODE_INTERNAL_ERROR),
						 errmsg("the report events of " INT64_FORMAT " new incidents were not written", npending),
						 errdetail("The statement trigger incident_10_after_insert did not take the incidents the insert trigger let through."),
						 errhint("Report the statement that inserted them.")));
			break;
		default:
			/* the memory goes with TopTransactionContext */
			pending = NULL;
			npending = maxpending = 0;
			seen = NULL;
			nseen = maxseen = 0;
			seen_unordered = false;
			break;
	}
}

static void
pending_subxact_cb(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	/*
	 * The notes of an aborted subtransaction and of its children (later subtransaction ids) go:
	 * they are the last ones, since no statement outside it notes rows while it runs.
	 */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		while (npending > 0 && pending[npending - 1].subid >= mySubid)
			npending--;
}

/* Does trigger tg fire in this session (its enabled state, session_replication_role)? */
static bool
trigger_would_fire(const Trigger *tg)
{
	if (tg->tgenabled == TRIGGER_DISABLED)
		return false;
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return tg->tgenabled == TRIGGER_FIRES_ON_REPLICA || tg->tgenabled == TRIGGER_FIRES_ALWAYS;
	return tg->tgenabled == TRIGGER_FIRES_ON_ORIGIN || tg->tgenabled == TRIGGER_FIRES_ALWAYS;
}

/* Is me the last BEFORE INSERT row trigger of rel that fires (none after it can change the row)? */
static bool
last_before_insert(Relation rel, const Trigger *me)
{
	TriggerDesc *t = rel->trigdesc;
	bool		after_me = false;

	for (int i = 0; t != NULL && i < t->numtriggers; i++)
	{
		const Trigger *tg = &t->triggers[i];

		if (tg->tgoid == me->tgoid)
			after_me = true;
		else if (after_me && TRIGGER_TYPE_MATCHES(tg->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_INSERT) &&
				 trigger_would_fire(tg))
			return false;
	}
	return after_me;
}

/*
 * Does the report trigger of rel (found by its function) fire now, and is me (the insert trigger)
 * the last BEFORE INSERT row trigger that fires (report_as_noted)?  Cached per relation, insert
 * trigger and session_replication_role (a trigger enabled or disabled invalidates the relation).
 */
static Oid	after_trig_oid = InvalidOid;
static Oid	after_trig_me = InvalidOid;
static int	after_trig_role = -1;
static bool after_trig_fires = false;
static bool report_as_noted = false;
static bool refuse_delete_fires = false;	/* shegu's refusal of DELETE fires: no incident goes */

/* Is function fn (a trigger's) shegu's C function prosrc, in this schema? */
static bool
is_shegu_fn(Oid fn, Oid nsp, const char *prosrc)
{
	HeapTuple	pt = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	bool		mine = false;

	if (HeapTupleIsValid(pt))
	{
		Form_pg_proc pp = (Form_pg_proc) GETSTRUCT(pt);
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, pt, Anum_pg_proc_prosrc, &isnull);

		mine = pp->prolang == ClanguageId && pp->pronamespace == nsp && !isnull &&
			strcmp(TextDatumGetCString(src), prosrc) == 0;
		ReleaseSysCache(pt);
	}
	return mine;
}

static bool
report_trigger_fires(Relation rel, const Trigger *me)
{
	TriggerDesc *t = rel->trigdesc;

	if (after_trig_relid == RelationGetRelid(rel) && after_trig_me == me->tgoid &&
		after_trig_role == SessionReplicationRole)
		return after_trig_fires;
	after_trig_oid = InvalidOid;
	after_trig_fires = false;
	refuse_delete_fires = false;
	for (int i = 0; t != NULL && i < t->numtriggers; i++)
	{
		Trigger    *tg = &t->triggers[i];
		bool		stmt_insert = TRIGGER_TYPE_MATCHES(tg->tgtype, TRIGGER_TYPE_STATEMENT, TRIGGER_TYPE_AFTER, TRIGGER_TYPE_INSERT);
		bool		row_delete = TRIGGER_TYPE_MATCHES(tg->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_DELETE);

		if (stmt_insert && !OidIsValid(after_trig_oid) &&
			is_shegu_fn(tg->tgfoid, RelationGetNamespace(rel), "incident_after_insert"))
		{
			after_trig_oid = tg->tgoid;
			after_trig_fires = trigger_would_fire(tg);
		}
		if (row_delete && tg->tgqual == NULL &&
			is_shegu_fn(tg->tgfoid, RelationGetNamespace(rel), "incident_refuse") && trigger_would_fire(tg))
			refuse_delete_fires = true;
	}
	report_as_noted = last_before_insert(rel, me);
	after_trig_relid = RelationGetRelid(rel);
	after_trig_me = me->tgoid;
	after_trig_role = SessionReplicationRole;
	return after_trig_fires;
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
	int			level_noted = -1;	/* the level as the engine's number, when shegu set it */
	int			state_noted = -1;

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

	for (int c = C_FIRST_MANAGED; c <= C_LAST_MANAGED; c++)
		if (!R_NULL(&r, c))
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
					 errmsg("column \"%s\" of a new incident is set by shegu", col_names[c]),
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
		{
			shegu_gridcode code = shegu_lookup_locate_point(R_VAL(&r, C_LOCATION), reported);

			if (code == SHEGU_GRIDCODE_NONE)
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("the location of incident \"%s\" lies in no grid", get_text(&r, C_TITLE)),
						 errdetail("No grid valid at %s contains it.", timestamptz_to_str(reported)),
						 errhint("Give the grid code directly, or check the point's coordinates (longitude first, WGS-84).")));
			g = GridcodeGetDatum(code);
		}
		set_datum(&r, C_GRID, g);
	}
	else
		grid_check(TupleDescAttr(r.desc, r.att[C_GRID])->atttypid, R_VAL(&r, C_GRID), reported,
				   R_NULL(&r, C_TITLE) ? (Datum) 0 : R_VAL(&r, C_TITLE));
	{
		/* the county: the grid's first six digits (shegu.incident_county), the Citus routing key */
		char		code[SHEGU_GRIDCODE_BUFLEN];
		int64		county = shegu_gridcode_county(DatumGetGridcode(R_VAL(&r, C_GRID)));

		if (R_NULL(&r, C_COUNTY))
			set_datum(&r, C_COUNTY, Int64GetDatum(county));
		else if (DatumGetInt64(R_VAL(&r, C_COUNTY)) != county)
		{
			shegu_gridcode_format(DatumGetGridcode(R_VAL(&r, C_GRID)), code);
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("county " INT64_FORMAT " of incident \"%s\" does not match its grid %s",
							DatumGetInt64(R_VAL(&r, C_COUNTY)), get_text(&r, C_TITLE), code),
					 errdetail("The county of grid %s is " INT64_FORMAT ".", code, county),
					 errhint("Leave county out; it is the first six digits of the grid code (shegu.incident_county).")));
		}
	}
	if (R_NULL(&r, C_LEVEL))
	{
		set_datum(&r, C_LEVEL, engine_name_text(LV(cat->limits.level)));
		level_noted = cat->limits.level;
	}
	{
		/* the engine starts the acceptance clock; a new report's light is set silently (a
		 * back-filled batch must not queue a NOTIFY per row) */
		shegu_wf_case c;
		shegu_wf_clock clk = clock_of(cat);

		memset(&c, 0, sizeof(c));
		c.reported_at = reported;
		c.stage_due_at = c.stage_yellow_at = SHEGU_WF_NOTIME;
		shegu_wf_report(&c, &cat->limits, &clk, now);
		set_datum(&r, C_STATUS, engine_name_text(ST(c.state)));
		state_noted = c.state;
		set_ts(&r, C_STATE_SINCE, c.state_since);
		set_datum(&r, C_ESCALATIONS, Int32GetDatum(0));
		set_datum(&r, C_REWORK_COUNT, Int32GetDatum(0));
		set_datum(&r, C_REOPEN_COUNT, Int32GetDatum(0));
		set_datum(&r, C_SUPERVISIONS, Int32GetDatum(0));
		set_ts(&r, C_ACCEPT_DUE_AT, c.accept_due_at);
		set_ts(&r, C_LEVEL_DUE_AT, c.level_due_at);
		set_ts(&r, C_YELLOW_AT, c.yellow_at);
		set_datum(&r, C_LIGHT, engine_name_text(shegu_wf_light_names[c.light]));
	}
	/* the statement trigger logs its report event (report()'s own write takes the note back) */
	if (!R_NULL(&r, C_ID) && report_trigger_fires(td->tg_relation, td->tg_trigger))
	{
		int			actor = R_NULL(&r, C_REPORTER) ? C_SOURCE : C_REPORTER;

		pending_note(td->tg_relation, DatumGetInt64(R_VAL(&r, C_ID)), R_NULL(&r, C_COUNTY),
					 R_NULL(&r, C_COUNTY) ? 0 : DatumGetInt64(R_VAL(&r, C_COUNTY)),
					 report_as_noted, state_noted, level_noted, reported, R_VAL(&r, actor), R_NULL(&r, actor));
	}

	return PointerGetDatum(heap_form_tuple(r.desc, r.values, r.nulls));
}


/*
 * A report event as the statement trigger writes it: from the version of a new incident the
 * statement stored (its columns id, coalesce(reporter, source), reported_at, status, level,
 * county), the values copied out of the table's buffers.
 */
typedef struct StoredReport
{
	Datum		id;
	Datum		actor;
	Datum		at;
	Datum		status;
	Datum		level;
	Datum		county;
	bool		id_null,
				actor_null,
				at_null,
				status_null,
				level_null,
				county_null;
	bool		alive;			/* not deleted nor updated when read (the events' key holds) */
} StoredReport;

/* the columns of shegu.incident a report event reads */
typedef struct ReportAtts
{
	AttrNumber	id,
				reporter,
				source,
				reported,
				status,
				level,
				county;
} ReportAtts;

static void
report_atts(Relation inc, ReportAtts *a)
{
	TupleDesc	d = RelationGetDescr(inc);

	a->id = SPI_fnumber(d, "id");
	a->reporter = SPI_fnumber(d, "reporter");
	a->source = SPI_fnumber(d, "source");
	a->reported = SPI_fnumber(d, "reported_at");
	a->status = SPI_fnumber(d, "status");
	a->level = SPI_fnumber(d, "level");
	a->county = SPI_fnumber(d, "county");
	if (a->id <= 0 || a->reporter <= 0 || a->source <= 0 || a->reported <= 0 || a->status <= 0 ||
		a->level <= 0 || a->county <= 0)
		shegu_error_old_shape(inc, "id, reporter, source, reported_at, status, level, county");
}

/* The event columns of an incident row in slot, copied into the current memory context. */
static void
report_from_slot(TupleTableSlot *slot, const ReportAtts *a, StoredReport *r)
{
	TupleDesc	d = slot->tts_tupleDescriptor;
	Datum		v;
	bool		isnull;

	r->alive = false;

#define RF_COPY(field, att) do { v = slot_getattr(slot, (att), &isnull); r->field##_null = isnull; \
		r->field = isnull ? (Datum) 0 : datumCopy(v, TupleDescAttr(d, (att) - 1)->attbyval, TupleDescAttr(d, (att) - 1)->attlen); } while (0)
	RF_COPY(id, a->id);
	RF_COPY(actor, a->reporter);
	if (r->actor_null)
		RF_COPY(actor, a->source);
	RF_COPY(at, a->reported);
	RF_COPY(status, a->status);
	RF_COPY(level, a->level);
	RF_COPY(county, a->county);
#undef RF_COPY
}

static int
pending_cmp(const void *x, const void *y)
{
	int64		a = ((const PendingReport *) x)->id,
				b = ((const PendingReport *) y)->id;

	return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * The versions the statement stored of the noted incidents notes[0..n-1] (ascending ids, no two
 * alike), written to out in that order; returns how many.  A version is the statement's when this
 * transaction inserted it at or after the statement's command id cid (the statement's snapshot
 * cannot see it); of several (an AFTER row trigger updated the row), the first inserted, as the
 * transition table held it.  The look-up reads every version (SnapshotAny): a version deleted
 * since (by an AFTER trigger) is still the row the statement stored, and gets its event, which the
 * foreign key's check then refuses, as before.  By the primary key: incident.id, or (county, id)
 * (the Citus layout); ids of one statement are nearly dense, then one range scan walks them.
 */
static int64
stored_reports(Relation inc, const ReportAtts *a, const PendingReport *notes, int64 n, CommandId cid,
			   StoredReport *out)
{
	Oid			pk = RelationGetPrimaryKeyIndex(inc);
	Relation	irel;
	int			nk;
	int			id_key = -1,
				county_key = -1;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData key[2];
	int64		found = 0;
	CommandId  *best = palloc(Max(n, 1) * sizeof(CommandId));
	bool	   *have = palloc0(Max(n, 1) * sizeof(bool));
	bool		range;

	if (n == 0)
		return 0;
	if (!OidIsValid(pk))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no primary key to find its new incidents by", RelationGetRelationName(inc)),
				 errhint("The report events need the primary key on (id), or on (county, id) as on Citus.")));
	irel = index_open(pk, AccessShareLock);
	nk = irel->rd_index->indnkeyatts;
	for (int k = 0; k < nk; k++)
	{
		if (irel->rd_index->indkey.values[k] == a->id)
			id_key = k;
		else if (irel->rd_index->indkey.values[k] == a->county)
			county_key = k;
	}
	if (id_key < 0 || nk > 2 || (nk == 2 && county_key < 0) ||
		TupleDescAttr(RelationGetDescr(inc), a->id - 1)->atttypid != INT8OID ||
		TupleDescAttr(RelationGetDescr(inc), a->county - 1)->atttypid != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("primary key %s of table %s is not on (id) or (county, id)", RelationGetRelationName(irel),
						RelationGetRelationName(inc)),
				 errhint("The report events find the new incidents by their primary key.")));
	slot = table_slot_create(inc, NULL);
	range = nk == 1 && n > 1 && (uint64) (notes[n - 1].id - notes[0].id) < (uint64) n * 2 + 64;
	scan = index_beginscan(inc, irel, SnapshotAny, range ? 2 : nk, 0);
	for (int64 i = 0, next = 0; range ? i < 1 : i < n; i++)
	{
		if (range)
		{
			ScanKeyInit(&key[0], id_key + 1, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(notes[0].id));
			ScanKeyInit(&key[1], id_key + 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(notes[n - 1].id));
			index_rescan(scan, key, 2, NULL, 0);
		}
		else
		{
			if (nk == 2 && notes[i].county_null)
				continue;		/* no key to find it by: NOT NULL refused it (county is in the key) */
			ScanKeyInit(&key[id_key], id_key + 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(notes[i].id));
			if (nk == 2)
				ScanKeyInit(&key[county_key], county_key + 1, BTEqualStrategyNumber, F_INT8EQ,
							Int64GetDatum(notes[i].county));
			index_rescan(scan, key, nk, NULL, 0);
			next = i;
		}
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			BufferHeapTupleTableSlot *bs = (BufferHeapTupleTableSlot *) slot;
			HeapTupleHeader h;
			bool		isnull;
			int64		v = DatumGetInt64(slot_getattr(slot, a->id, &isnull));
			bool		ours;
			bool		alive;
			CommandId	c = InvalidCommandId;

			if (isnull)
				continue;
			while (next < n && notes[next].id < v)
				next++;
			if (next >= n)
				break;
			if (notes[next].id != v)
				continue;		/* a row of no note: another statement's, another session's */
			if (!TTS_IS_BUFFERTUPLE(slot) || bs->base.tuple == NULL || !BufferIsValid(bs->buffer))
				elog(ERROR, "unexpected slot of an incident version");
			h = bs->base.tuple->t_data;
			LockBuffer(bs->buffer, BUFFER_LOCK_SHARE);
			ours = !HeapTupleHeaderXminInvalid(h) && !HeapTupleHeaderXminFrozen(h) &&
				TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(h));
			if (ours)
				c = HeapTupleHeaderGetCmin(h);
			/* neither deleted nor updated since (a lock is no change) */
			alive = (h->t_infomask & HEAP_XMAX_INVALID) || HEAP_XMAX_IS_LOCKED_ONLY(h->t_infomask) ||
				!TransactionIdIsValid(HeapTupleHeaderGetRawXmax(h));
			LockBuffer(bs->buffer, BUFFER_LOCK_UNLOCK);
			if (!ours || c < cid)
				continue;		/* inserted before the statement (or by another transaction) */
			if (have[next] && best[next] <= c)
				continue;
			if (notes[next].as_noted && notes[next].state >= 0 && notes[next].level >= 0)
			{
				StoredReport *o = &out[next];
				const PendingReport *p = &notes[next];
				Datum		actor = slot_getattr(slot, a->reporter, &o->actor_null);

				if (o->actor_null)
					actor = slot_getattr(slot, a->source, &o->actor_null);
				o->actor = o->actor_null ? (Datum) 0 : datumCopy(actor, false, -1);
				o->id = Int64GetDatum(v);
				o->at = TimestampTzGetDatum(p->at);
				o->status = engine_name_text(ST(p->state));
				o->level = engine_name_text(LV(p->level));
				o->county = Int64GetDatum(p->county);
				o->county_null = p->county_null;
				o->id_null = o->at_null = o->status_null = o->level_null = false;
			}
			else
				report_from_slot(slot, a, &out[next]);
			out[next].alive = alive;
			best[next] = c;
			have[next] = true;
		}
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(irel, AccessShareLock);
	for (int64 i = 0; i < n; i++)
		if (have[i])
			out[found++] = out[i];
	pfree(best);
	pfree(have);
	return found;
}

/* the direct write of events, defined with act()'s (below) */
static int	direct_depth = 0;		/* direct writes under way (a trigger of one may act() again) */
static bool direct_usable(Relation inc, Relation *evp);
/* fills rows[0..max-1] with the next report events to write; returns how many (0: no more) */
typedef int64 (*ReportSource) (void *arg, StoredReport *rows, int64 max);
static void direct_report_events(Relation inc, Relation ev, ReportSource next, void *arg, int64 nrows,
								 const char *db_role);

#define REPORT_CHUNK 8192		/* new incidents looked up and logged at a time */

/* The stored versions of a statement's notes, REPORT_CHUNK at a time (each chunk in cxt). */
typedef struct ReportChunks
{
	Relation	inc;
	const ReportAtts *a;
	const PendingReport *notes;
	int64		n;
	int64		done;
	CommandId	cid;
	MemoryContext cxt;
	bool		known;			/* every note is a row stored as noted, and alive */
} ReportChunks;

static int64
report_chunks_next(void *arg, StoredReport *rows, int64 max)
{
	ReportChunks *rc = (ReportChunks *) arg;
	int64		m = 0;

	/* the rows of the last chunk are written (copied into the log's slots) by now */
	MemoryContextReset(rc->cxt);
	if (rc->known)
	{
		for (; m < max && rc->done < rc->n; m++, rc->done++)
		{
			const PendingReport *p = &rc->notes[rc->done];
			StoredReport *o = &rows[m];

			o->id = Int64GetDatum(p->id);
			o->actor = p->actor;
			o->actor_null = p->actor_null;
			o->at = TimestampTzGetDatum(p->at);
			o->status = engine_name_text(ST(p->state));
			o->level = engine_name_text(LV(p->level));
			o->county = Int64GetDatum(p->county);
			o->county_null = p->county_null;
			o->id_null = o->at_null = o->status_null = o->level_null = false;
			o->alive = true;
		}
		return m;
	}
	while (m == 0 && rc->done < rc->n)
	{
		int64		len = Min(max, rc->n - rc->done);
		MemoryContext old = MemoryContextSwitchTo(rc->cxt);

		m = stored_reports(rc->inc, rc->a, rc->notes + rc->done, len, rc->cid, rows);
		MemoryContextSwitchTo(old);
		rc->done += len;
	}
	return m;
}

/* One row, given: report()'s own. */
static int64
report_one_next(void *arg, StoredReport *rows, int64 max)
{
	StoredReport **one = (StoredReport **) arg;

	if (*one == NULL)
		return 0;
	rows[0] = **one;
	*one = NULL;
	return 1;
}

/*
 * On Citus, while incident_step_on_shard runs a step on the node of the incident's shard: the
 * shards of shegu.incident and shegu.incident_event for the step's county, which the step locks
 * and writes directly, as a single server does its tables (InvalidOid otherwise); shard_ev_relid also while the report trigger of a shard of
 * shegu.incident writes its events.
 */
static Oid	shard_inc_relid = InvalidOid;
static Oid	shard_ev_relid = InvalidOid;

/*
 * The shard of shegu.incident_event on this node that holds the events of a county whose
 * incidents are in shard inc of shegu.incident (Citus), or InvalidOid when it is not here.
 * (connected to SPI)
 */
static Oid
event_shard_of(Relation inc, int64 county)
{
	Oid			types[1] = {INT8OID};
	Datum		v[1] = {Int64GetDatum(county)};
	bool		isnull;
	Datum		shardid;

	if (SPI_execute_with_args("SELECT pg_catalog.get_shard_id_for_distribution_column('shegu.incident_event', $1)",
							  1, types, v, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return InvalidOid;
	shardid = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return InvalidOid;
	return get_relname_relid(psprintf("incident_event_" INT64_FORMAT, DatumGetInt64(shardid)),
							 RelationGetNamespace(inc));
}

PG_FUNCTION_INFO_V1(incident_after_insert);
/* SQL: trigger AFTER INSERT ON shegu.incident FOR EACH STATEMENT — logs one report event per
 * incident the statement stored (the insert trigger noted them, above). */
Datum
incident_after_insert(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_after_insert");
	Relation	inc = td->tg_relation;
	CommandId	cid = statement_cid();
	PendingReport *notes;
	int64		n;
	ReportAtts	a;
	ReportChunks chunks;
	Relation	ev = NULL;
	/* the role that inserted, not the owner this SECURITY DEFINER trigger runs as */
	char	   *db_role;
	bool		shard;
	Oid			saved_ev;

	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		elog(ERROR, "incident_after_insert must fire AFTER INSERT FOR EACH STATEMENT");
	notes = pending_take(inc, &n);
	if (n == 0)
		return PointerGetDatum(NULL);	/* nothing new (restored incidents: their events are restored too) */
	/* in id order, each once (ids a statement gives itself may repeat: ON CONFLICT stored one) */
	{
		bool		sorted = true;
		int64		k = 0;

		for (int64 i = 1; i < n && sorted; i++)
			sorted = notes[i].id > notes[i - 1].id;
		if (!sorted)
		{
			qsort(notes, n, sizeof(PendingReport), pending_cmp);
			for (int64 i = 0; i < n; i++)
				if (k == 0 || notes[i].id != notes[k - 1].id)
					notes[k++] = notes[i];
			n = k;
		}
	}
	report_atts(inc, &a);
	db_role = GetUserNameFromId(GetOuterUserId(), false);
	shard = strcmp(RelationGetRelationName(inc), "incident") != 0;
	chunks.inc = inc;
	chunks.a = &a;
	chunks.notes = notes;
	chunks.n = n;
	chunks.done = 0;
	chunks.cid = cid;
	chunks.cxt = AllocSetContextCreate(CurrentMemoryContext, "shegu report events", ALLOCSET_DEFAULT_SIZES);
	/*
	 * Known without a look-up: a statement seen to start without ON CONFLICT stored every row
	 * its insert trigger let through and no later BEFORE trigger could change or skip (as_noted),
	 * or it failed; and while shegu's refusal of DELETE fires, none of them can have gone since.
	 */
	chunks.known = !shard && seen_plain_insert(cid) && after_trig_relid == RelationGetRelid(inc) &&
		after_trig_role == SessionReplicationRole && refuse_delete_fires;
	for (int64 i = 0; i < n && chunks.known; i++)
		chunks.known = notes[i].as_noted && notes[i].state >= 0 && notes[i].level >= 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The events in batches through the direct write, or one at a time through the prepared
	 * INSERT.  On a shard of the table on a Citus node (incident_<shard id>) the direct write goes
	 * to the co-located shard of the log on this node (every row of one shard of the incidents
	 * has its events in one shard of the log); without it, each event is routed by its county.
	 */
	saved_ev = shard_ev_relid;
	if (shard && !notes[0].county_null)
		shard_ev_relid = event_shard_of(inc, notes[0].county);
	if ((!shard || OidIsValid(shard_ev_relid)) && direct_usable(inc, &ev))
	{
		event_writing = true;
		direct_depth++;
		PG_TRY();
		{
			direct_report_events(inc, ev, report_chunks_next, &chunks, n, db_role);
		}
		PG_FINALLY();
		{
			event_writing = false;
			direct_depth--;
			shard_ev_relid = saved_ev;
		}
		PG_END_TRY();
	}
	else
	{
		StoredReport *rows = palloc(Min(n, REPORT_CHUNK) * sizeof(StoredReport));
		int64		m;

		while ((m = report_chunks_next(&chunks, rows, REPORT_CHUNK)) > 0)
			for (int64 i = 0; i < m; i++)
			{
				EventRec	e;

				memset(&e, 0, sizeof(e));
				e.incident_id = DatumGetInt64(rows[i].id);
				e.action = "report";
				e.actor = rows[i].actor_null ? NULL : TextDatumGetCString(rows[i].actor);
				e.at = DatumGetTimestampTz(rows[i].at);
				e.to_status = rows[i].status_null ? NULL : TextDatumGetCString(rows[i].status);
				e.to_level = rows[i].level_null ? NULL : TextDatumGetCString(rows[i].level);
				e.county = rows[i].county;
				e.county_null = rows[i].county_null;
				e.db_role = db_role;
				event_write(&e);
			}
	}
	shard_ev_relid = saved_ev;
	if (ev != NULL)
		table_close(ev, NoLock);
	SPI_finish();
	MemoryContextDelete(chunks.cxt);
	return PointerGetDatum(NULL);
}


/* True while act() or a sweep step writes its row (the update trigger lets that UPDATE in). */
static bool act_writing = false;

/* Columns an UPDATE outside act() may change. */
static bool
col_is_free(const char *name)
{
	return strcmp(name, "title") == 0 || strcmp(name, "description") == 0 ||
		strcmp(name, "reporter") == 0;
}

PG_FUNCTION_INFO_V1(incident_before_update);
/* SQL: trigger BEFORE UPDATE ON shegu.incident FOR EACH ROW — refuses a direct change of any
 * column but title, description and reporter; act() and the sweep write their rows themselves. */
Datum
incident_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_check(fcinfo, "incident_before_update");
	TupleDesc	desc;
	Datum	   *nv,
			   *ov;
	bool	   *nn,
			   *on;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		elog(ERROR, "incident_before_update must fire BEFORE UPDATE FOR EACH ROW");
	if (act_writing)
		return PointerGetDatum(td->tg_newtuple);
	desc = RelationGetDescr(td->tg_relation);
	nv = palloc(desc->natts * sizeof(Datum));
	ov = palloc(desc->natts * sizeof(Datum));
	nn = palloc(desc->natts * sizeof(bool));
	on = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(td->tg_newtuple, desc, nv, nn);
	heap_deform_tuple(td->tg_trigtuple, desc, ov, on);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		same;

		if (att->attisdropped || col_is_free(NameStr(att->attname)))
			continue;
		if (nn[i] || on[i])
			same = nn[i] == on[i];
		else
			same = datum_image_eq(nv[i], ov[i], att->attbyval, att->attlen);
		if (!same)
		{
			int			idatt = SPI_fnumber(desc, "id");
			bool		isnull;
			Datum		id = heap_getattr(td->tg_trigtuple, idatt, desc, &isnull);

			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_MANAGED_COLUMN),
					 errmsg("column \"%s\" of incident " INT64_FORMAT " cannot be changed directly",
							NameStr(att->attname), isnull ? 0 : DatumGetInt64(id)),
					 errdetail("Only title, description and reporter may be edited; the grid and report stay as reported."),
					 errhint("Move the workflow with shegu.act().")));
		}
	}
	return PointerGetDatum(td->tg_newtuple);
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
 * act() and the sweep's steps: lock the row, run the engine, write the row and its event in one
 * statement, then the side tables of joint cases and mediations, then NOTIFY. */

/* The workflow columns act() reads and writes, in the order of the lock's select list (after
 * id, category, grid, county, reported_at) and of the write's parameters (after id, county). */
typedef enum WCol
{
	W_STATUS, W_LEVEL, W_RESUME_STATUS, W_LIGHT, W_STAGE_LIGHT, W_DEPARTMENT, W_OWNER, W_LEADER,
	W_ACCEPTED_AT, W_DISPATCHED_AT, W_RESOLVED_AT, W_VERIFIED_AT, W_CLOSED_AT, W_EVALUATED_AT,
	W_ACCEPT_DUE_AT, W_DUE_AT, W_LEVEL_DUE_AT, W_YELLOW_AT, W_CLOCK_STOPPED_AT, W_STATE_SINCE,
	W_STAGE_DUE_AT, W_STAGE_YELLOW_AT, W_OWNER_SINCE, W_LEADER_SINCE,
	W_EXTENSION_REQUESTED, W_EXTENSION_TOTAL, W_SUSPENDED_WORK,
	W_ESCALATIONS, W_REWORK_COUNT, W_REOPEN_COUNT, W_SUPERVISIONS, W_SATISFACTION, W_WORK_HOURS,
	W_N
} WCol;

static const char *const w_names[W_N] = {
	"status", "level", "resume_status", "light", "stage_light", "department", "owner", "leader",
	"accepted_at", "dispatched_at", "resolved_at", "verified_at", "closed_at", "evaluated_at",
	"accept_due_at", "due_at", "level_due_at", "yellow_at", "clock_stopped_at", "state_since",
	"stage_due_at", "stage_yellow_at", "owner_since", "leader_since",
	"extension_requested", "extension_total", "suspended_work",
	"escalations", "rework_count", "reopen_count", "supervisions", "satisfaction", "work_hours_to_close"
};

#define W_HEAD 5				/* id, category, grid, county, reported_at */

static Oid
w_type(int w)
{
	if (w < W_ACCEPTED_AT)
		return TEXTOID;
	if (w <= W_LEADER_SINCE)
		return TIMESTAMPTZOID;
	if (w <= W_SUSPENDED_WORK)
		return INTERVALOID;
	if (w <= W_SUPERVISIONS)
		return INT4OID;
	return w == W_SATISFACTION ? INT2OID : FLOAT8OID;
}

static shegu_wf_time *
w_time(shegu_wf_case *c, int w)
{
	switch (w)
	{
		case W_ACCEPTED_AT: return &c->accepted_at;
		case W_DISPATCHED_AT: return &c->dispatched_at;
		case W_RESOLVED_AT: return &c->resolved_at;
		case W_VERIFIED_AT: return &c->verified_at;
		case W_CLOSED_AT: return &c->closed_at;
		case W_EVALUATED_AT: return &c->evaluated_at;
		case W_ACCEPT_DUE_AT: return &c->accept_due_at;
		case W_DUE_AT: return &c->due_at;
		case W_LEVEL_DUE_AT: return &c->level_due_at;
		case W_YELLOW_AT: return &c->yellow_at;
		case W_CLOCK_STOPPED_AT: return &c->clock_stopped_at;
		case W_STATE_SINCE: return &c->state_since;
		case W_STAGE_DUE_AT: return &c->stage_due_at;
		case W_STAGE_YELLOW_AT: return &c->stage_yellow_at;
		case W_OWNER_SINCE: return &c->owner_since;
		case W_LEADER_SINCE: return &c->leader_since;
	}
	elog(ERROR, "workflow column %d is not a time", w);
	return NULL;
}

static int32 *
w_int(shegu_wf_case *c, int w)
{
	switch (w)
	{
		case W_ESCALATIONS: return &c->escalations;
		case W_REWORK_COUNT: return &c->rework_count;
		case W_REOPEN_COUNT: return &c->reopen_count;
		case W_SUPERVISIONS: return &c->supervisions;
	}
	elog(ERROR, "workflow column %d is not a counter", w);
	return NULL;
}

static int
name_or_error(const char *const *names, int n, const char *s, int64 id, const char *what)
{
	int			i = shegu_wf_lookup(names, n, s);

	if (i < 0)
		elog(ERROR, "incident " INT64_FORMAT " has an unknown %s \"%s\"", id, what, s ? s : "(null)");
	return i;
}

/* The incident a step works on, as locked. */
typedef struct Locked
{
	int64		id;
	char	   *category;
	shegu_gridcode grid;
	Datum		county;
	bool		county_null;
	shegu_wf_case c;
} Locked;

/* A text column as a C string, or NULL. */
static char *
val_text(const Datum *v, const bool *n, int i)
{
	return n[i] ? NULL : TextDatumGetCString(v[i]);
}

/* Reads the locked row: v/n hold the lock's columns (id, category, grid, county, reported_at, then
 * the workflow columns) in that order. */
static void
case_read(Locked *l, const Datum *v, const bool *n)
{
	shegu_wf_case *c = &l->c;
	char	   *s;

#define WV(w) (W_HEAD + (w))
	memset(l, 0, sizeof(*l));
	l->id = DatumGetInt64(v[0]);
	l->category = val_text(v, n, 1);
	l->grid = DatumGetGridcode(v[2]);
	l->county = v[3];
	l->county_null = n[3];
	c->reported_at = DatumGetTimestampTz(v[4]);
	c->state = (shegu_wf_state) name_or_error(shegu_wf_state_names, SHEGU_WF_NSTATES,
											  val_text(v, n, WV(W_STATUS)), l->id, "status");
	c->level = (shegu_wf_level) name_or_error(shegu_wf_level_names, SHEGU_WF_NLEVELS,
											  val_text(v, n, WV(W_LEVEL)), l->id, "level");
	s = val_text(v, n, WV(W_RESUME_STATUS));
	c->resume_state = s ? (shegu_wf_state) name_or_error(shegu_wf_state_names, SHEGU_WF_NSTATES, s, l->id, "status")
		: SHEGU_WF_NSTATES;
	s = val_text(v, n, WV(W_LIGHT));
	c->light = s ? (shegu_wf_light) name_or_error(shegu_wf_light_names, 4, s, l->id, "light") : SHEGU_WF_NOLIGHT;
	s = val_text(v, n, WV(W_STAGE_LIGHT));
	c->stage_light = s ? (shegu_wf_light) name_or_error(shegu_wf_light_names, 4, s, l->id, "light") : SHEGU_WF_NOLIGHT;
	c->department = val_text(v, n, WV(W_DEPARTMENT));
	c->owner = val_text(v, n, WV(W_OWNER));
	c->leader = val_text(v, n, WV(W_LEADER));
	for (int w = W_ACCEPTED_AT; w <= W_LEADER_SINCE; w++)
		*w_time(c, w) = n[WV(w)] ? SHEGU_WF_NOTIME : DatumGetTimestampTz(v[WV(w)]);
	c->has_extension_requested = !n[WV(W_EXTENSION_REQUESTED)];
	if (c->has_extension_requested)
		c->extension_requested = span_of(DatumGetIntervalP(v[WV(W_EXTENSION_REQUESTED)]));
	if (!n[WV(W_EXTENSION_TOTAL)])
		c->extension_total = span_of(DatumGetIntervalP(v[WV(W_EXTENSION_TOTAL)]));
	if (!n[WV(W_SUSPENDED_WORK)])
		c->suspended_work = span_of(DatumGetIntervalP(v[WV(W_SUSPENDED_WORK)]));
	for (int w = W_ESCALATIONS; w <= W_SUPERVISIONS; w++)
		*w_int(c, w) = n[WV(w)] ? 0 : DatumGetInt32(v[WV(w)]);
	c->satisfaction = n[WV(W_SATISFACTION)] ? 0 : DatumGetInt16(v[WV(W_SATISFACTION)]);
	c->has_work_hours = !n[WV(W_WORK_HOURS)];
	c->work_hours_to_close = c->has_work_hours ? DatumGetFloat8(v[WV(W_WORK_HOURS)]) : 0;
#undef WV
}

/*
 * Locks the incident's row and reads it, on a single server: the primary key's index, then
 * table_tuple_lock on the row's latest version (a concurrent step commits first; in
 * REPEATABLE READ or SERIALIZABLE its update is a serialization failure, as for UPDATE).
 * False when there is no such incident.  (On Citus: on the shard, by incident_step_on_shard.)
 */
static AttrNumber lock_att[W_HEAD + W_N];

static const char *const head_names[W_HEAD] = {"id", "category", "grid", "county", "reported_at"};

/* The attribute numbers of the columns act() reads and writes (lock_att), once per table. */
static void
lock_atts(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (lock_relid == RelationGetRelid(rel))
		return;
	/* a database not yet updated to this library's version: say so, as the insert trigger does */
	shegu_require_columns("incident", col_names, C_NCOLS);
	for (int i = 0; i < W_HEAD + W_N; i++)
	{
		const char *name = i < W_HEAD ? head_names[i] : w_names[i - W_HEAD];
		int			att = SPI_fnumber(desc, name);

		if (att <= 0)
			shegu_error_old_shape(rel, name);
		lock_att[i] = (AttrNumber) att;
	}
	lock_relid = RelationGetRelid(rel);
}


/*
 * Locks incident id (in county, when the primary key starts with it: a Citus shard's
 * (county, id)) through the primary key and reads it into l.  False when there is none.
 */
static bool
lock_direct(int64 id, const Datum *county, Locked *l, TupleTableSlot **keep)
{
	Oid			relid = OidIsValid(shard_inc_relid) ? shard_inc_relid
		: get_relname_relid("incident", get_namespace_oid("shegu", false));
	Relation	rel;
	Relation	irel;
	Oid			pkey;
	IndexScanDesc scan;
	ScanKeyData key[2];
	int			nkeys;
	TupleTableSlot *slot;
	Snapshot	snap;
	bool		found = false;
	Datum		v[W_HEAD + W_N];
	bool		n[W_HEAD + W_N];

	if (!OidIsValid(relid))
		elog(ERROR, "table shegu.incident does not exist");
	rel = table_open(relid, RowExclusiveLock);
	lock_atts(rel);
	pkey = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkey))
		elog(ERROR, "table shegu.incident has no primary key");
	irel = index_open(pkey, AccessShareLock);
	nkeys = IndexRelationGetNumberOfKeyAttributes(irel);
	if (nkeys == 1 && irel->rd_index->indkey.values[0] == lock_att[0])
		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	else if (nkeys == 2 && county != NULL && irel->rd_index->indkey.values[0] == lock_att[3] &&
			 irel->rd_index->indkey.values[1] == lock_att[0])
	{
		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ, *county);
		ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	}
	else
		elog(ERROR, "the primary key of %s is neither (id) nor (county, id)", RelationGetRelationName(rel));
	CommandCounterIncrement();	/* see what the calling statement wrote so far */
	/* READ COMMITTED: the latest version, waited for; REPEATABLE READ and SERIALIZABLE: the
	 * version this transaction sees, so that a change committed since is a serialization failure */
	snap = RegisterSnapshot(IsolationUsesXactSnapshot() ? GetTransactionSnapshot() : GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, irel, snap, nkeys, 0);
	index_rescan(scan, key, nkeys, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		ItemPointerData tid = slot->tts_tid;
		TM_FailureData tmfd;
		TM_Result	r;

		index_endscan(scan);
		scan = NULL;
		r = table_tuple_lock(rel, &tid, snap, slot, GetCurrentCommandId(false), LockTupleNoKeyExclusive,
							 LockWaitBlock, IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
							 &tmfd);
		switch (r)
		{
			case TM_Ok:
			case TM_SelfModified:
				found = true;
				break;
			case TM_Updated:
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update of incident " INT64_FORMAT, id)));
				break;
			case TM_Deleted:
				break;
			default:
				elog(ERROR, "unexpected result %d locking incident " INT64_FORMAT, (int) r, id);
		}
		if (found && r == TM_SelfModified)
		{
			/* changed earlier in this command: read its latest version */
			found = table_tuple_fetch_row_version(rel, &tmfd.ctid, SnapshotAny, slot);
		}
	}
	if (scan)
		index_endscan(scan);
	if (found)
	{
		slot_getallattrs(slot);
		for (int i = 0; i < W_HEAD + W_N; i++)
		{
			v[i] = slot->tts_values[lock_att[i] - 1];
			n[i] = slot->tts_isnull[lock_att[i] - 1];
		}
		case_read(l, v, n);
	}
	if (found && keep != NULL)
		*keep = slot;			/* the caller writes the row from it, then drops it */
	else
		ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	index_close(irel, AccessShareLock);
	table_close(rel, NoLock);
	return found;
}

static void
param_text(Datum *v, char *n, int i, const char *s)
{
	v[i] = s ? CStringGetTextDatum(s) : (Datum) 0;
	n[i] = s ? ' ' : 'n';
}

/* The write's parameters $3.. from the case. */
static void
case_params(shegu_wf_case *c, Datum *v, char *n)
{
	param_text(v, n, W_STATUS, ST(c->state));
	param_text(v, n, W_LEVEL, LV(c->level));
	param_text(v, n, W_RESUME_STATUS, c->resume_state < SHEGU_WF_NSTATES ? ST(c->resume_state) : NULL);
	param_text(v, n, W_LIGHT, shegu_wf_light_names[c->light]);
	param_text(v, n, W_STAGE_LIGHT, shegu_wf_light_names[c->stage_light]);
	param_text(v, n, W_DEPARTMENT, c->department);
	param_text(v, n, W_OWNER, c->owner);
	param_text(v, n, W_LEADER, c->leader);
	for (int w = W_ACCEPTED_AT; w <= W_LEADER_SINCE; w++)
	{
		shegu_wf_time t = *w_time(c, w);

		v[w] = TimestampTzGetDatum(t);
		n[w] = (t == SHEGU_WF_NOTIME) ? 'n' : ' ';
	}
	v[W_EXTENSION_REQUESTED] = c->has_extension_requested ? IntervalPGetDatum(interval_of(c->extension_requested)) : (Datum) 0;
	n[W_EXTENSION_REQUESTED] = c->has_extension_requested ? ' ' : 'n';
	v[W_EXTENSION_TOTAL] = IntervalPGetDatum(interval_of(c->extension_total));
	n[W_EXTENSION_TOTAL] = ' ';
	v[W_SUSPENDED_WORK] = IntervalPGetDatum(interval_of(c->suspended_work));
	n[W_SUSPENDED_WORK] = ' ';
	for (int w = W_ESCALATIONS; w <= W_SUPERVISIONS; w++)
	{
		v[w] = Int32GetDatum(*w_int(c, w));
		n[w] = ' ';
	}
	v[W_SATISFACTION] = Int16GetDatum((int16) c->satisfaction);
	n[W_SATISFACTION] = c->satisfaction > 0 ? ' ' : 'n';
	v[W_WORK_HOURS] = Float8GetDatum(c->work_hours_to_close);
	n[W_WORK_HOURS] = c->has_work_hours ? ' ' : 'n';
}

/* Plans: the write [with its event] [by county], the re-read [by county]. */
static SPIPlanPtr write_plan[2][2];
static SPIPlanPtr reread_plan[2];

#define EV_NPARAMS 10			/* action, actor, at, from_status, from_level, work, note, detail, request_id, db_role */

/* The parameters of the write: id, county, the step's columns, the event's. */
static void
write_types(Oid *types)
{
	types[0] = INT8OID;
	types[1] = INT8OID;
	for (int w = 0; w < W_N; w++)
		types[2 + w] = w_type(w);
	types[2 + W_N + 0] = TEXTOID;	/* action */
	types[2 + W_N + 1] = TEXTOID;	/* actor */
	types[2 + W_N + 2] = TIMESTAMPTZOID;	/* at */
	types[2 + W_N + 3] = TEXTOID;	/* from_status */
	types[2 + W_N + 4] = TEXTOID;	/* from_level */
	types[2 + W_N + 5] = INTERVALOID;	/* work_time_in_state */
	types[2 + W_N + 6] = TEXTOID;	/* note */
	types[2 + W_N + 7] = JSONBOID;	/* detail */
	types[2 + W_N + 8] = TEXTOID;	/* request_id */
	types[2 + W_N + 9] = NAMEOID;	/* db_role */
}

/* UPDATE shegu.incident AS i SET <the step's columns> WHERE <the row> RETURNING i */
static void
write_update_sql(StringInfo q, bool by_county)
{
	appendStringInfoString(q, "UPDATE shegu.incident AS i SET ");
	for (int w = 0; w < W_N; w++)
		appendStringInfo(q, "%s%s = $%d", w ? ", " : "", w_names[w], w + 3);
	appendStringInfo(q, " WHERE i.id = $1 AND %s RETURNING i",
					 by_county ? "i.county = $2" : "i.county IS NULL AND $2 IS NULL");
}

/* The event's columns, and its values from the write's parameters (FROM: before the source). */
#define EVENT_COLS "incident_id, action, actor, at, from_status, to_status, from_level, to_level," \
	" work_time_in_state, note, detail, request_id, db_role, county"

static void
write_event_values(StringInfo q)
{
	int			e = 3 + W_N;	/* number of the first event parameter */

	appendStringInfo(q, "$1, $%d, $%d, $%d, $%d, $3, $%d, $4, $%d, $%d, $%d, $%d, $%d, $2",
					 e, e + 1, e + 2, e + 3, e + 4, e + 5, e + 6, e + 7, e + 8, e + 9);
}

static SPIPlanPtr
write_plan_get(bool with_event, bool by_county)
{
	if (write_plan[with_event][by_county] == NULL)
	{
		StringInfoData q;
		Oid			types[2 + W_N + EV_NPARAMS];

		write_types(types);
		initStringInfo(&q);
		appendStringInfoString(&q, "WITH u AS (");
		write_update_sql(&q, by_county);
		appendStringInfoChar(&q, ')');
		if (with_event)
		{
			appendStringInfoString(&q, ", e AS (INSERT INTO shegu.incident_event (" EVENT_COLS ") SELECT ");
			write_event_values(&q);
			appendStringInfoString(&q, " FROM u)");
		}
		appendStringInfoString(&q, " SELECT u.i FROM u");
		write_plan[with_event][by_county] =
			keep_plan(SPI_prepare(q.data, with_event ? 2 + W_N + EV_NPARAMS : 2 + W_N, types),
					  "cannot prepare the incident write");
	}
	return write_plan[with_event][by_county];
}

/*
 * On Citus the write is two statements on the incident's shard, the UPDATE and the INSERT of
 * its event, each routed by the county: Citus runs a data-modifying WITH across the cluster
 * (the UPDATE's rows sent to every node as an intermediate result, then a two-phase commit
 * over all of them: 60 ms a step on the test cluster).  [0]: the UPDATE, [1]: the event.
 */
static SPIPlanPtr split_plan[2];

static SPIPlanPtr
split_plan_get(int which)
{
	if (split_plan[which] == NULL)
	{
		StringInfoData q;
		Oid			types[2 + W_N + EV_NPARAMS];

		write_types(types);
		initStringInfo(&q);
		if (which == 0)
			write_update_sql(&q, true);
		else
		{
			appendStringInfoString(&q, "INSERT INTO shegu.incident_event (" EVENT_COLS ") VALUES (");
			write_event_values(&q);
			appendStringInfoChar(&q, ')');
		}
		/* the UPDATE takes only its own parameters: the event's are not set when it logs nothing */
		split_plan[which] = keep_plan(SPI_prepare(q.data, which == 0 ? 2 + W_N : 2 + W_N + EV_NPARAMS, types),
									  "cannot prepare the incident write");
	}
	return split_plan[which];
}

/*
 * The direct write: act()'s UPDATE of the locked row and the INSERT of its event through the
 * executor's single-row entry points (ExecSimpleRelationUpdate / ExecSimpleRelationInsert, as
 * logical replication applies rows), without planning or starting a plan per step.  Everything
 * a planned statement does to the row is done: BEFORE and AFTER row triggers (the event's
 * foreign key check among them, fired at the end as for a statement), NOT NULL and CHECK
 * constraints, every index with its predicate and expressions.  What a statement would rebuild
 * each time — the CHECK constraints read back from the catalog and planned, the partial indexes'
 * predicates and the expression index's expressions — is compiled once per backend and reused
 * until the table changes (relcache invalidation).  The statement path (write_plan_get) remains
 * for what this one does not cover: Citus, row-level security applying to act()'s owner,
 * statement-level or transition-table triggers, rules, generated or defaulted event columns,
 * missing privileges — each sends the step through the planned UPDATE, which then behaves as
 * before.
 */
#define EV_NCOLS 15
static const char *const ev_names[EV_NCOLS] = {
	"id", "incident_id", "action", "actor", "at", "from_status", "to_status", "from_level", "to_level",
	"work_time_in_state", "note", "detail", "request_id", "db_role", "county"
};
static const Oid ev_types[EV_NCOLS] = {
	INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	INTERVALOID, TEXTOID, JSONBOID, TEXTOID, NAMEOID, INT8OID
};

/* What is compiled once for one table. */
typedef struct DirectRel
{
	int			ncheck;
	ExprState **checks;
	int			nindex;
	Oid		   *index_oid;
	ExprState **index_pred;		/* NULL where the index has no predicate */
	List	  **index_exprs;	/* NIL where the index has no expressions */
} DirectRel;

static MemoryContext direct_cxt = NULL;
static ExprContext *direct_econtext = NULL;	/* per-query memory lives as long as the cache */
static bool direct_ok = false;	/* false: the tables have something the direct write does not do */
static DirectRel direct_inc;
static DirectRel direct_ev;
static AttrNumber direct_ev_att[EV_NCOLS];
static Oid	direct_ev_seq = InvalidOid;

/*
 * The event's foreign key to the incident (incident_event_incident_fkey), as the report events
 * check it: its check trigger on the event table, the incident's unique index it names, its name
 * for the error.  InvalidOid when the table has no such plain key (another shape, deferrable, a
 * different operator): then the trigger checks the report events as it checks every other row.
 */
static Oid	direct_fk_trigger = InvalidOid;
static Oid	direct_fk_index = InvalidOid;
static char direct_fk_name[NAMEDATALEN];
static AttrNumber direct_fk_pk_att = InvalidAttrNumber;	/* incident.id */
/* true when the log's only BEFORE INSERT row trigger is shegu's guard, which passes every row a
 * direct write stores (event_writing) unchanged: the report events need not call it */
static bool direct_ev_guard_only = false;

/* May the direct write do what a planned statement would on this table? */
static bool
direct_rel_plain(Relation rel, CmdType cmd)
{
	TriggerDesc *t = rel->trigdesc;

	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relispartition || rel->rd_rules != NULL)
		return false;
	if (rel->rd_att->constr && rel->rd_att->constr->has_generated_stored)
		return false;
	if (t == NULL)
		return true;
	if (cmd == CMD_UPDATE)
		return !t->trig_update_before_statement && !t->trig_update_after_statement &&
			!t->trig_update_old_table && !t->trig_update_new_table;
	return !t->trig_insert_before_statement && !t->trig_insert_after_statement &&
		!t->trig_insert_new_table && !t->trig_insert_instead_row;
}

static void
direct_rel_build(DirectRel *d, Relation rel)
{
	TupleConstr *constr = rel->rd_att->constr;
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	int			i = 0;

	d->ncheck = constr ? constr->num_check : 0;
	d->checks = palloc0(Max(d->ncheck, 1) * sizeof(ExprState *));
	for (int c = 0; c < d->ncheck; c++)
		d->checks[c] = ExecInitExpr(expression_planner(stringToNode(constr->check[c].ccbin)), NULL);
	d->nindex = list_length(indexes);
	d->index_oid = palloc0(Max(d->nindex, 1) * sizeof(Oid));
	d->index_pred = palloc0(Max(d->nindex, 1) * sizeof(ExprState *));
	d->index_exprs = palloc0(Max(d->nindex, 1) * sizeof(List *));
	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);
		List	   *pred = RelationGetIndexPredicate(irel);
		List	   *exprs = RelationGetIndexExpressions(irel);
		ListCell   *lc2;

		d->index_oid[i] = RelationGetRelid(irel);
		if (pred != NIL)
			d->index_pred[i] = ExecInitQual((List *) expression_planner((Expr *) pred), NULL);
		foreach(lc2, exprs)
			d->index_exprs[i] = lappend(d->index_exprs[i],
										ExecInitExpr(expression_planner((Expr *) lfirst(lc2)), NULL));
		index_close(irel, AccessShareLock);
		i++;
	}
}

/*
 * Finds the event table's foreign key to the incident that the report events can be checked by
 * directly (direct_report_events): one column, incident_id, referencing incident.id through
 * int8 equality, not deferrable, checked on insert by RI_FKey_check_ins.
 */
static void
direct_fk_find(Relation inc, Relation ev)
{
	TriggerDesc *t = ev->trigdesc;

	direct_fk_trigger = InvalidOid;
	direct_fk_index = InvalidOid;
	direct_fk_pk_att = InvalidAttrNumber;
	direct_ev_guard_only = false;
	/*
	 * A BEFORE trigger of the log could point an event at another incident, one this INSERT did
	 * not store: only shegu's guard (which passes the row unchanged) may be there.
	 */
	for (int i = 0; t != NULL && i < t->numtriggers; i++)
	{
		Trigger    *tg = &t->triggers[i];

		if (!TRIGGER_TYPE_MATCHES(tg->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_INSERT))
			continue;
		if (!is_shegu_fn(tg->tgfoid, RelationGetNamespace(ev), "incident_event_guard"))
			return;
	}
	direct_ev_guard_only = true;
	for (int i = 0; t != NULL && i < t->numtriggers; i++)
	{
		Trigger    *tg = &t->triggers[i];
		HeapTuple	ct;
		Form_pg_constraint con;
		int			nkeys = 0;
		AttrNumber	fk[INDEX_MAX_KEYS],
					pk[INDEX_MAX_KEYS];
		Oid			pf[INDEX_MAX_KEYS],
					pp[INDEX_MAX_KEYS],
					ff[INDEX_MAX_KEYS];
		bool		fits;

		if (!tg->tgisinternal || tg->tgfoid != F_RI_FKEY_CHECK_INS ||
			tg->tgconstrrelid != RelationGetRelid(inc) || !OidIsValid(tg->tgconstraint))
			continue;
		ct = SearchSysCache1(CONSTROID, ObjectIdGetDatum(tg->tgconstraint));
		if (!HeapTupleIsValid(ct))
			continue;
		con = (Form_pg_constraint) GETSTRUCT(ct);
		fits = con->contype == CONSTRAINT_FOREIGN && con->conrelid == RelationGetRelid(ev) &&
			con->confrelid == RelationGetRelid(inc) && !con->condeferrable && OidIsValid(con->conindid);
		if (fits)
		{
			DeconstructFkConstraintRow(ct, &nkeys, fk, pk, pf, pp, ff, NULL, NULL);
			fits = nkeys == 1 && fk[0] == direct_ev_att[1] && pk[0] == lock_att[0] &&
				get_opcode(pf[0]) == F_INT8EQ &&
				TupleDescAttr(RelationGetDescr(inc), pk[0] - 1)->atttypid == INT8OID;
		}
		if (fits)
		{
			direct_fk_trigger = tg->tgoid;
			direct_fk_index = con->conindid;
			direct_fk_pk_att = pk[0];
			strlcpy(direct_fk_name, NameStr(con->conname), NAMEDATALEN);
		}
		ReleaseSysCache(ct);
		if (OidIsValid(direct_fk_trigger))
			break;
	}
}

/* (Re)builds the cache; both tables are locked by the caller, so neither changes meanwhile. */
static void
direct_build(Relation inc, Relation ev)
{
	MemoryContext old;
	TupleDesc	id = RelationGetDescr(inc);
	TupleDesc	ed = RelationGetDescr(ev);

	lock_atts(inc);
	if (direct_cxt != NULL)
		MemoryContextDelete(direct_cxt);
	direct_cxt = NULL;
	direct_econtext = NULL;
	direct_ok = false;
	direct_inc_relid = RelationGetRelid(inc);
	direct_ev_relid = RelationGetRelid(ev);
	direct_stale = false;
	direct_cxt = AllocSetContextCreate(CacheMemoryContext, "shegu act() direct write", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(direct_cxt);
	PG_TRY();
	{
		bool		ok = direct_rel_plain(inc, CMD_UPDATE) && direct_rel_plain(ev, CMD_INSERT);

		/* the columns act() writes must have the types it writes */
		for (int w = 0; ok && w < W_N; w++)
			ok = TupleDescAttr(id, lock_att[W_HEAD + w] - 1)->atttypid == w_type(w);
		/* the event: the columns act() fills, each of its type; any other column must have no default */
		for (int c = 0; ok && c < EV_NCOLS; c++)
		{
			int			att = SPI_fnumber(ed, ev_names[c]);

			ok = att > 0 && TupleDescAttr(ed, att - 1)->atttypid == ev_types[c];
			if (ok)
				direct_ev_att[c] = (AttrNumber) att;
		}
		for (int a = 0; ok && a < ed->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(ed, a);
			bool		mine = false;

			for (int c = 0; c < EV_NCOLS; c++)
				mine |= (direct_ev_att[c] == att->attnum);
			/* a column act() does not fill is NULL, as in the statement: it must have no default */
			ok = mine || att->attisdropped || (!att->atthasdef && !att->attidentity && !att->attgenerated);
		}
		if (ok)
		{
			/* a Citus shard has no identity: its ids come from the identity sequence of the table
			 * it is a shard of, on this node (the layout gives each node a range of its own) */
			Oid			idrel = RelationGetRelid(ev) == shard_ev_relid
				? get_relname_relid("incident_event", RelationGetNamespace(ev)) : RelationGetRelid(ev);
			AttrNumber	idatt = get_attnum(idrel, ev_names[0]);

			/* (only an identity column's sequence is an internal dependency of it) */
			direct_ev_seq = getIdentitySequence(idrel, idatt, true);
			ok = OidIsValid(direct_ev_seq);
		}
		if (ok)
		{
			direct_rel_build(&direct_inc, inc);
			direct_rel_build(&direct_ev, ev);
			direct_econtext = CreateStandaloneExprContext();
			direct_fk_find(inc, ev);
		}
		direct_ok = ok;
	}
	PG_CATCH();
	{
		/* no half-built cache: the next step builds it again */
		MemoryContextSwitchTo(old);
		MemoryContextDelete(direct_cxt);
		direct_cxt = NULL;
		direct_econtext = NULL;
		direct_ok = false;
		direct_stale = true;
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
}

/* Puts what the cache compiled where the executor looks for it, index by index. */
static void
direct_inject(DirectRel *d, ResultRelInfo *rri)
{
	TupleConstr *constr = rri->ri_RelationDesc->rd_att->constr;

	if ((constr ? constr->num_check : 0) == d->ncheck && d->ncheck > 0)
		rri->ri_ConstraintExprs = d->checks;
	for (int i = 0; i < rri->ri_NumIndices; i++)
	{
		IndexInfo  *ii = rri->ri_IndexRelationInfo[i];

		if (i >= d->nindex || RelationGetRelid(rri->ri_IndexRelationDescs[i]) != d->index_oid[i])
			continue;			/* not what was compiled: the executor compiles its own */
		if (ii->ii_Predicate != NIL && d->index_pred[i] != NULL)
			ii->ii_PredicateState = d->index_pred[i];
		if (ii->ii_Expressions != NIL && list_length(ii->ii_Expressions) == list_length(d->index_exprs[i]))
			ii->ii_ExpressionsState = d->index_exprs[i];
	}
}

/* May this step take the direct write?  Opens and locks the event table as the write will. */
static bool
direct_usable(Relation inc, Relation *evp)
{
	Oid			evid = OidIsValid(shard_ev_relid) ? shard_ev_relid
		: get_relname_relid("incident_event", RelationGetNamespace(inc));
	Relation	ev;

	*evp = NULL;
	/* a step taken inside another's direct write (by a trigger) goes through the statement: the
	 * compiled cache and its expression context stay the outer write's */
	if (!OidIsValid(evid) || direct_depth > 0)
		return false;
	ev = table_open(evid, RowExclusiveLock);
	*evp = ev;
	if (direct_stale || direct_inc_relid != RelationGetRelid(inc) || direct_ev_relid != evid)
		direct_build(inc, ev);
	if (!direct_ok)
		return false;
	/* row-level security that applies to act()'s owner, or a privilege it lacks: the statement decides */
	if (check_enable_rls(RelationGetRelid(inc), InvalidOid, true) == RLS_ENABLED ||
		check_enable_rls(evid, InvalidOid, true) == RLS_ENABLED)
		return false;
	if (pg_class_aclcheck(RelationGetRelid(inc), GetUserId(), ACL_UPDATE) != ACLCHECK_OK ||
		pg_class_aclcheck(RelationGetRelid(inc), GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		pg_class_aclcheck(evid, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		return false;
	return true;
}

static RangeTblEntry *
direct_rte(Relation rel)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = 0;
	return rte;
}

/*
 * Writes the locked row (old: the slot lock_direct kept, its tid the locked version) with the
 * workflow columns of v/n (case_params, from $3 of the statement's numbering: v[2 + w]) and,
 * when ev_v is not NULL, its event (EV_NPARAMS values in the statement's order).  Returns the
 * new row as a composite datum in the caller's memory.
 */
static Datum
direct_write(Relation inc, Relation ev, TupleTableSlot *old, const Datum *v, const char *n,
			 bool with_event)
{
	EState	   *estate;
	EPQState	epq;
	RangeTblEntry *rte_inc = direct_rte(inc);
	RangeTblEntry *rte_ev = direct_rte(ev);
	ResultRelInfo *rri_inc = makeNode(ResultRelInfo);
	ResultRelInfo *rri_ev = makeNode(ResultRelInfo);
	TupleTableSlot *slot;
	TupleDesc	desc = RelationGetDescr(inc);
	Datum		result;

	for (int w = 0; w < W_N; w++)
		rte_inc->updatedCols = bms_add_member(rte_inc->updatedCols,
											  lock_att[W_HEAD + w] - FirstLowInvalidHeapAttributeNumber);
	for (int c = 0; c < EV_NCOLS; c++)
		rte_ev->insertedCols = bms_add_member(rte_ev->insertedCols,
											  direct_ev_att[c] - FirstLowInvalidHeapAttributeNumber);
	estate = CreateExecutorState();
	ResetExprContext(direct_econtext);
	estate->es_per_tuple_exprcontext = direct_econtext;
	ExecInitRangeTable(estate, list_make2(rte_inc, rte_ev));
	ExecInitResultRelation(estate, rri_inc, 1);
	ExecInitResultRelation(estate, rri_ev, 2);
	ExecOpenIndices(rri_inc, false);
	ExecOpenIndices(rri_ev, false);
	direct_inject(&direct_inc, rri_inc);
	direct_inject(&direct_ev, rri_ev);
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = GetActiveSnapshot();
	EvalPlanQualInit(&epq, estate, NULL, NIL, -1);
	AfterTriggerBeginQuery();

	/* the row: its columns as locked, the workflow ones as the engine left them */
	slot_getallattrs(old);
	slot = table_slot_create(inc, &estate->es_tupleTable);
	ExecClearTuple(slot);
	memcpy(slot->tts_values, old->tts_values, desc->natts * sizeof(Datum));
	memcpy(slot->tts_isnull, old->tts_isnull, desc->natts * sizeof(bool));
	for (int w = 0; w < W_N; w++)
	{
		int			a = lock_att[W_HEAD + w] - 1;

		slot->tts_isnull[a] = (n[2 + w] == 'n');
		slot->tts_values[a] = slot->tts_isnull[a] ? (Datum) 0 : v[2 + w];
	}
	ExecStoreVirtualTuple(slot);
	ExecSimpleRelationUpdate(rri_inc, estate, &epq, old, slot);

	if (with_event)
	{
		TupleTableSlot *es = table_slot_create(ev, &estate->es_tupleTable);
		/* the event columns from the statement's parameters: $1, $e.., status $3, level $4, county $2 */
		int			from[EV_NCOLS] = {-1, 0, 2 + W_N + 0, 2 + W_N + 1, 2 + W_N + 2, 2 + W_N + 3, 2 + W_STATUS,
		2 + W_N + 4, 2 + W_LEVEL, 2 + W_N + 5, 2 + W_N + 6, 2 + W_N + 7, 2 + W_N + 8, 2 + W_N + 9, 1};

		ExecClearTuple(es);
		for (int a = 0; a < es->tts_tupleDescriptor->natts; a++)
		{
			es->tts_values[a] = (Datum) 0;
			es->tts_isnull[a] = true;
		}
		es->tts_values[direct_ev_att[0] - 1] = Int64GetDatum(nextval_internal(direct_ev_seq, false));
		es->tts_isnull[direct_ev_att[0] - 1] = false;
		for (int c = 1; c < EV_NCOLS; c++)
		{
			int			a = direct_ev_att[c] - 1;

			es->tts_isnull[a] = (n[from[c]] == 'n');
			es->tts_values[a] = es->tts_isnull[a] ? (Datum) 0 : v[from[c]];
		}
		ExecStoreVirtualTuple(es);
		ExecSimpleRelationInsert(rri_ev, estate, es);
	}
	/* the event's foreign key and any other AFTER row trigger, as at the end of a statement */
	AfterTriggerEndQuery(estate);
	result = SPI_datumTransfer(ExecFetchSlotHeapTupleDatum(slot), false, -1);

	EvalPlanQualEnd(&epq);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	estate->es_per_tuple_exprcontext = NULL;
	FreeExecutorState(estate);
	ResetExprContext(direct_econtext);
	/* what follows in this step (side tables, a re-read) sees the new row version */
	CommandCounterIncrement();
	return result;
}

/*
 * The report events of the incidents one INSERT stored (its transition table), written as COPY
 * writes rows: in batches through table_multi_insert with a bulk-insert buffer, each row's BEFORE
 * triggers, constraints, index entries and AFTER triggers (the foreign key to the incident among
 * them, checked at the end) as for the set-based INSERT it replaces.
 */
#define EV_BATCH 1000

static void
direct_events_flush(ResultRelInfo *rri, EState *estate, TupleTableSlot **slots, int n,
					BulkInsertState bis)
{
	MemoryContext old;

	if (n == 0)
		return;
	/* the heap tuples it forms from virtual slots are garbage once it returns */
	old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
	table_multi_insert(rri->ri_RelationDesc, slots, n, estate->es_output_cid, 0, bis);
	MemoryContextSwitchTo(old);
	for (int i = 0; i < n; i++)
	{
		List	   *recheck = NIL;

		old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		if (rri->ri_NumIndices > 0)
			recheck = ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL);
		ExecARInsertTriggers(estate, rri, slots[i], recheck, NULL);
		MemoryContextSwitchTo(old);
		ResetPerTupleExprContext(estate);
		ExecClearTuple(slots[i]);
	}
}

/*
 * The foreign key of the report events, checked without a query per event.  Every report event
 * names an incident the same INSERT stored, in this transaction: no other transaction sees that
 * row before this one commits, so none can delete it or lock it, and the FOR KEY SHARE lock the
 * foreign-key trigger takes on it guards against nothing.  What can still happen is that this
 * transaction itself removed the incident meanwhile (with the refusing triggers disabled, an
 * AFTER trigger of the INSERT may delete it); so each event's incident is looked up in the key's
 * unique index, as the trigger's query would, after the events' own AFTER triggers (the trigger's
 * place), and a missing one is the same error.  The trigger is taken out only when it would fire
 * (enabled, not session_replication_role = replica) and only from this write's copy of the
 * table's triggers: every other insert of an event still goes through it.
 */
static bool
direct_fk_take_out(ResultRelInfo *rri)
{
	TriggerDesc *t = rri->ri_TrigDesc;
	int			found = -1;

	if (!OidIsValid(direct_fk_trigger) || t == NULL)
		return false;
	for (int i = 0; i < t->numtriggers && found < 0; i++)
		if (t->triggers[i].tgoid == direct_fk_trigger)
			found = i;
	if (found < 0)
		return false;
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA
		? (t->triggers[found].tgenabled == TRIGGER_FIRES_ON_ORIGIN || t->triggers[found].tgenabled == TRIGGER_DISABLED)
		: (t->triggers[found].tgenabled == TRIGGER_FIRES_ON_REPLICA || t->triggers[found].tgenabled == TRIGGER_DISABLED))
		return false;			/* it would not fire: nothing to replace */
	/* nothing has fired yet, so the per-trigger arrays of rri are still empty and stay aligned */
	memmove(&t->triggers[found], &t->triggers[found + 1], (t->numtriggers - found - 1) * sizeof(Trigger));
	t->numtriggers--;
	t->trig_insert_after_row = false;
	for (int i = 0; i < t->numtriggers; i++)
		if (TRIGGER_TYPE_MATCHES(t->triggers[i].tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_AFTER, TRIGGER_TYPE_INSERT))
			t->trig_insert_after_row = true;
	return true;
}

static void
direct_fk_violation(Relation inc, Relation ev, int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
					RelationGetRelationName(ev), direct_fk_name),
			 errdetail("Key (%s)=(" INT64_FORMAT ") is not present in table \"%s\".",
					   NameStr(TupleDescAttr(RelationGetDescr(ev), direct_ev_att[1] - 1)->attname), id,
					   RelationGetRelationName(inc)),
			 errtableconstraint(ev, direct_fk_name)));
}

/*
 * Are the incidents ids[0..n-1] (the events' incident_id, in the order written) all there?  Ids
 * taken from the sequence one after another by one INSERT are ascending and nearly dense: then
 * one scan of the unique index over [first, last] walks them in order (rows of other sessions in
 * between are passed over); otherwise each is looked up.
 */
static void
direct_fk_check(Relation inc, Relation ev, const int64 *ids, int64 n)
{
	Relation	irel;
	TupleTableSlot *found;
	IndexScanDesc scan;
	ScanKeyData key[2];
	Snapshot	snap;
	bool		ascending = true;

	if (n == 0)
		return;
	for (int64 i = 1; i < n && ascending; i++)
		ascending = ids[i] > ids[i - 1];
	irel = index_open(direct_fk_index, AccessShareLock);
	found = table_slot_create(inc, NULL);
	CommandCounterIncrement();	/* see all this transaction did, as the trigger's query does */
	snap = RegisterSnapshot(IsolationUsesXactSnapshot() ? GetTransactionSnapshot() : GetLatestSnapshot());
	if (ascending && n > 1 && (uint64) (ids[n - 1] - ids[0]) < (uint64) n * 2 + 64)
	{
		int64		next = 0;	/* the first id not yet seen */

		ScanKeyInit(&key[0], 1, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(ids[0]));
		ScanKeyInit(&key[1], 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(ids[n - 1]));
		scan = index_beginscan(inc, irel, snap, 2, 0);
		index_rescan(scan, key, 2, NULL, 0);
		while (next < n && index_getnext_slot(scan, ForwardScanDirection, found))
		{
			bool		isnull;
			int64		v = DatumGetInt64(slot_getattr(found, direct_fk_pk_att, &isnull));

			if (isnull || v < ids[next])
				continue;		/* another session's row, or one of no event */
			if (v > ids[next])
				direct_fk_violation(inc, ev, ids[next]);
			next++;
		}
		if (next < n)
			direct_fk_violation(inc, ev, ids[next]);
	}
	else
	{
		scan = index_beginscan(inc, irel, snap, 1, 0);
		for (int64 i = 0; i < n; i++)
		{
			ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(ids[i]));
			index_rescan(scan, key, 1, NULL, 0);
			if (!index_getnext_slot(scan, ForwardScanDirection, found))
				direct_fk_violation(inc, ev, ids[i]);
		}
	}
	index_endscan(scan);
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(found);
	index_close(irel, AccessShareLock);
}

static void
direct_report_events(Relation inc, Relation ev, ReportSource next, void *arg, int64 nrows, const char *db_role)
{
	StoredReport *rows = palloc(Max(Min(nrows, REPORT_CHUNK), 1) * sizeof(StoredReport));
	int64		m;
	EState	   *estate;
	RangeTblEntry *rte = direct_rte(ev);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot **slots;
	BulkInsertState bis;
	int			n = 0;
	Datum		action = CStringGetTextDatum("report");
	Datum		role = DirectFunctionCall1(namein, CStringGetDatum(db_role));
	/* the log's BEFORE row triggers, but shegu's guard alone, which lets this write's rows through */
	bool		has_br = ev->trigdesc && ev->trigdesc->trig_insert_before_row && !direct_ev_guard_only;
	bool		fk_direct;
	int64	   *ids = NULL;		/* the events' incidents, for the key's check */
	int64		nids = 0,
				maxids = 64;
	bool		all_alive = true;

	for (int c = 0; c < EV_NCOLS; c++)
		rte->insertedCols = bms_add_member(rte->insertedCols, direct_ev_att[c] - FirstLowInvalidHeapAttributeNumber);
	estate = CreateExecutorState();
	ResetExprContext(direct_econtext);
	estate->es_per_tuple_exprcontext = direct_econtext;
	ExecInitRangeTable(estate, list_make1(rte));
	ExecInitResultRelation(estate, rri, 1);
	ExecOpenIndices(rri, false);
	direct_inject(&direct_ev, rri);
	fk_direct = direct_fk_take_out(rri);
	if (fk_direct)
		ids = palloc(maxids * sizeof(int64));
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = GetActiveSnapshot();
	AfterTriggerBeginQuery();
	/* the bulk-insert buffer ring only for a load: a few rows go where any insert would put them */
	bis = nrows >= EV_BATCH ? GetBulkInsertState() : NULL;
	slots = palloc0(EV_BATCH * sizeof(TupleTableSlot *));	/* made as needed: a report is often one row */

	while ((m = next(arg, rows, Min(nrows, REPORT_CHUNK))) > 0)
	for (int64 r = 0; r < m; r++)
	{
		const StoredReport *in = &rows[r];
		TupleTableSlot *es;
		bool		isnull;
		Datum		d;

		all_alive &= in->alive;

		/*
		 * Virtual slots keep the values they are given (materializing one copies its by-reference
		 * values into it, not into a tuple that must be taken apart again for the NOT NULL checks
		 * and the index entries); a BEFORE trigger of the log gets the table's own slot.
		 */
		if (slots[n] == NULL)
			slots[n] = has_br ? table_slot_create(ev, &estate->es_tupleTable)
				: ExecAllocTableSlot(&estate->es_tupleTable, RelationGetDescr(ev), &TTSOpsVirtual);
		es = slots[n];

		ExecClearTuple(es);
		for (int a = 0; a < es->tts_tupleDescriptor->natts; a++)
		{
			es->tts_values[a] = (Datum) 0;
			es->tts_isnull[a] = true;
		}
#define EV_SET(c, val) do { es->tts_values[direct_ev_att[c] - 1] = (val); es->tts_isnull[direct_ev_att[c] - 1] = false; } while (0)
#define EV_COPY(c, field) do { es->tts_values[direct_ev_att[c] - 1] = in->field; es->tts_isnull[direct_ev_att[c] - 1] = in->field##_null; } while (0)
		EV_SET(0, Int64GetDatum(nextval_internal(direct_ev_seq, false)));
		EV_COPY(1, id);
		EV_SET(2, action);
		EV_COPY(3, actor);
		EV_COPY(4, at);
		EV_COPY(6, status);
		EV_COPY(8, level);
		EV_SET(13, role);
		EV_COPY(14, county);
#undef EV_SET
#undef EV_COPY
		ExecStoreVirtualTuple(es);
		ExecMaterializeSlot(es);	/* its own copy of the values (the chunk of rows is reset) */
		if (has_br && !ExecBRInsertTriggers(estate, rri, es))
			continue;			/* a BEFORE trigger skipped it, as in the statement */
		if (ev->rd_att->constr)
			ExecConstraints(rri, es, estate);
		if (fk_direct)
		{
			/* the incident as the event will be stored (a BEFORE trigger of the log may change it) */
			d = slot_getattr(es, direct_ev_att[1], &isnull);
			if (!isnull)
			{
				if (nids == maxids)
				{
					maxids *= 2;
					ids = repalloc_huge(ids, maxids * sizeof(int64));
				}
				ids[nids++] = DatumGetInt64(d);
			}
		}
		if (++n == EV_BATCH)
		{
			direct_events_flush(rri, estate, slots, n, bis);
			n = 0;
		}
	}
	direct_events_flush(rri, estate, slots, n, bis);
	if (bis != NULL)
		FreeBulkInsertState(bis);
	/* the events' foreign keys and any AFTER row trigger, as at the end of the statement */
	AfterTriggerEndQuery(estate);
	/*
	 * The key's check: each incident looked up again, unless the look-up that found the rows
	 * found every one alive and nothing has run since that could remove one (no AFTER row
	 * trigger of the log is left to fire).
	 */
	if (fk_direct && !(all_alive && !rri->ri_TrigDesc->trig_insert_after_row))
		direct_fk_check(inc, ev, ids, nids);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	estate->es_per_tuple_exprcontext = NULL;
	FreeExecutorState(estate);
	ResetExprContext(direct_econtext);
}

/* Runs a statement of a side table (joint parts, mediations): rare steps, not prepared. */
static void
side_exec(const char *sql, int n, Oid *types, Datum *v, const char *nulls, int expect)
{
	int			rc = SPI_execute_with_args(sql, n, types, v, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "incident side table statement failed: %s", SPI_result_code_string(rc));
}

/* ---- notifications ---- */

static void
json_time(StringInfo buf, const char *key, shegu_wf_time t)
{
	char		tsbuf[MAXDATELEN + 1];

	appendStringInfo(buf, ", \"%s\": ", key);
	if (t == SHEGU_WF_NOTIME)
		appendStringInfoString(buf, "null");
	else
		appendStringInfo(buf, "\"%s\"", JsonEncodeDateTime(tsbuf, TimestampTzGetDatum(t), TIMESTAMPTZOID, NULL));
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

static void
payload_head(StringInfo buf, Locked *l, shegu_wf_state st, shegu_wf_level lv)
{
	char		code[SHEGU_GRIDCODE_BUFLEN];

	initStringInfo(buf);
	appendStringInfo(buf, "{\"incident\": " INT64_FORMAT, l->id);
	json_str(buf, "category", l->category);
	shegu_gridcode_format(l->grid, code);
	json_str(buf, "grid", code);
	json_str(buf, "status", ST(st));
	json_str(buf, "level", LV(lv));
}

static const char *
stage_of(shegu_wf_state st)
{
	switch (st)
	{
		case SHEGU_WF_REVIEWING: return "review";
		case SHEGU_WF_RULING: return "ruling";
		case SHEGU_WF_MEDIATING: return "mediation";
		case SHEGU_WF_AGREED: return "fulfilment";
		default: return NULL;
	}
}

/*
 * On Citus a step runs on the node of its incident's shard (incident_step_on_shard), and a
 * notification queued there would reach only listeners of that node's session.  There the
 * notifications are collected instead ("channel", "payload", ... in step_notes) and handed back
 * to the coordinator's act() or sweep step, which sends them in the caller's session.
 */
static bool step_collecting = false;
static List *step_notes = NIL;
static MemoryContext step_notes_cxt = NULL;	/* the context of incident_step_on_shard's call */

static void
step_notify(const char *channel, const char *payload)
{
	if (step_collecting)
	{
		MemoryContext old = MemoryContextSwitchTo(step_notes_cxt);

		step_notes = lappend(lappend(step_notes, pstrdup(channel)), pstrdup(payload));
		MemoryContextSwitchTo(old);
	}
	else
		Async_Notify(channel, payload);
}

/* A light that turned: shegu_light for the case's deadline, shegu_limit for a stage's. */
static void
notify_turn(Locked *l, const shegu_wf_turn *t, shegu_wf_time at)
{
	StringInfoData buf;

	payload_head(&buf, l, t->state, t->level);
	if (t->stage)
		json_str(&buf, "stage", stage_of(t->state));
	json_str(&buf, "light", shegu_wf_light_names[t->to]);
	json_str(&buf, "previous", shegu_wf_light_names[t->from]);
	json_time(&buf, "due_at", t->due);
	json_time(&buf, "at", at);
	appendStringInfoChar(&buf, '}');
	step_notify(t->stage ? "shegu_limit" : "shegu_light", buf.data);
}

static void
notify_step(Locked *l, const shegu_wf_result *res, const char *actor, const char *note, bool overdue)
{
	shegu_wf_case *c = &l->c;
	StringInfoData buf;

	for (int i = 0; i < res->npre; i++)
		notify_turn(l, &res->turns[i], res->at);
	if (res->supervised)
	{
		payload_head(&buf, l, res->from_state, res->from_level);
		json_str(&buf, "by", actor);
		json_str(&buf, "note", note);
		json_time(&buf, "due_at", res->from_state == SHEGU_WF_REPORTED ? c->accept_due_at : c->due_at);
		appendStringInfo(&buf, ", \"supervisions\": %d", c->supervisions);
		json_time(&buf, "at", res->at);
		appendStringInfoChar(&buf, '}');
		step_notify("shegu_supervision", buf.data);
	}
	for (int i = res->npre; i < res->nturns; i++)
		notify_turn(l, &res->turns[i], res->at);
	if (res->escalated)
	{
		payload_head(&buf, l, c->state, c->level);
		json_str(&buf, "from_level", LV(res->from_level));
		json_str(&buf, "reason", overdue ? "overdue" : "manual");
		json_str(&buf, "by", actor);
		json_time(&buf, "due_at", c->due_at);
		json_time(&buf, "level_due_at", c->level_due_at);
		appendStringInfo(&buf, ", \"escalations\": %d", c->escalations);
		json_time(&buf, "at", res->at);
		appendStringInfoChar(&buf, '}');
		step_notify("shegu_escalation", buf.data);
	}
}

/* ---- errors ---- */

static void
illegal(int64 id, shegu_wf_action a, shegu_wf_state st, const char *detail)
{
	char		allowed[512];

	if (detail)
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
				 errmsg("cannot %s incident " INT64_FORMAT " in state \"%s\"", AN(a), id, ST(st)),
				 errdetail("%s", detail)));
	shegu_wf_allowed_list(st, allowed, sizeof(allowed));
	ereport(ERROR,
			(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
			 errmsg("cannot %s incident " INT64_FORMAT " in state \"%s\"", AN(a), id, ST(st)),
			 errdetail("From \"%s\" the allowed actions are: %s.", ST(st), allowed)));
}

/* Raises the error the engine found, in words. */
static void
step_error(Locked *l, const shegu_wf_input *in, const shegu_wf_result *res)
{
	int64		id = l->id;
	const char *an = AN(in->action);
	shegu_wf_state st = l->c.state;

	switch (res->error)
	{
		case SHEGU_WF_OK:
			return;
		case SHEGU_WF_E_STATE:
		case SHEGU_WF_E_TOP_LEVEL:
		case SHEGU_WF_E_NO_EXTENSION:
			illegal(id, in->action, st, res->detail);
			break;
		case SHEGU_WF_E_NEEDS_NOTE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs %s in note", an, id, res->detail)));
			break;
		case SHEGU_WF_E_NEEDS_AMOUNT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs detail member \"amount\"", an, id),
					 errhint("Give the extension as an interval, e.g. {\"amount\": \"14 hours\"}.")));
			break;
		case SHEGU_WF_E_BEFORE_LAST:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot %s incident " INT64_FORMAT " at %s, before its last step at %s", an, id,
							pstrdup(timestamptz_to_str(in->at)), pstrdup(timestamptz_to_str(l->c.state_since)))));
			break;
		case SHEGU_WF_E_SATISFACTION:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"evaluate\" on incident " INT64_FORMAT " needs detail member \"satisfaction\", a number from 1 to 5", id)));
			break;
		case SHEGU_WF_E_NEEDS_DEPARTMENT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs detail member \"department\"", an, id),
					 in->action == SHEGU_WF_RULE ? errdetail("A ruling (裁决) says which department handles the case.") : 0));
			break;
		case SHEGU_WF_E_NOT_SIMPLE:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("cannot simple_handle incident " INT64_FORMAT " of category \"%s\"", id, l->category),
					 errdetail("Category \"%s\" is not one the basic grid settles by simple handling (简易处理): its simple_handling is false in shegu.incident_category.",
							   l->category),
					 errhint("巡办分离 (seed 004): the basic grid passes it on; the %s level accepts and leads its handling.",
							 LV(l->c.level))));
			break;
		case SHEGU_WF_E_NO_SUPPORT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("joint dispatch of incident " INT64_FORMAT " needs detail member \"support\", a list of supporting departments", id),
					 errdetail("Joint enforcement (联动综合执法) has a lead department and at least one supporting department."),
					 errhint("For one department use action \"dispatch\".")));
			break;
		case SHEGU_WF_E_NEEDS_PERSON:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs detail member \"%s\"", an, id,
							in->action == SHEGU_WF_HAND_OVER ? "to" : "leader")));
			break;
		case SHEGU_WF_E_NOT_PARTY:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_NOT_PARTY),
					 errmsg("department \"%s\" is not in joint case " INT64_FORMAT, in->department, id),
					 errdetail("The departments of the case are those of its joint dispatch (shegu.incident_party)."),
					 errhint("Finish the part of the lead or a supporting department of this case.")));
			break;
		case SHEGU_WF_E_PART_DONE:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("department \"%s\" has finished its part of incident " INT64_FORMAT " already", in->department, id)));
			break;
		case SHEGU_WF_E_PARTS_OPEN:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("cannot %s incident " INT64_FORMAT ": %d department(s) of the joint case have not finished", an, id, in->parts_open),
					 errdetail("A joint case (联动综合执法) is disposed of when the lead and every supporting department have finished."),
					 errhint("Each department reports its part with action \"finish_part\".")));
			break;
		case SHEGU_WF_E_RULING_LATE:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_LIMIT_PASSED),
					 errmsg("the ruling on incident " INT64_FORMAT " is past its limit", id),
					 errdetail("The ruling (裁决) was due by %s at the %s level; it is now %s.",
							   pstrdup(timestamptz_to_str(l->c.stage_due_at)), LV(l->c.level),
							   pstrdup(timestamptz_to_str(in->at))),
					 errhint("Escalate it: the level above rules, with a limit of its own.")));
			break;
		case SHEGU_WF_E_NO_SESSION:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("cannot record a mediation agreement on incident " INT64_FORMAT " without a session", id),
					 errdetail("An agreement (调解协议) is reached in a mediation session; none is recorded for this mediation."),
					 errhint("Record the session with action \"mediation_session\" first.")));
			break;
		case SHEGU_WF_E_NEEDS_FLAG:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action \"%s\" on incident " INT64_FORMAT " needs detail member \"%s\", true or false", an, id,
							in->action == SHEGU_WF_AGREEMENT ? "reached" : "fulfilled")));
			break;
		case SHEGU_WF_E_LEADER_SET:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("incident " INT64_FORMAT " has its leader already: \"%s\"", id, l->c.leader),
					 errdetail("One problem, one leader (一个问题、一名领导): the leader stays with the case to its end (一抓到底).")));
			break;
		case SHEGU_WF_E_SAME_OWNER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("incident " INT64_FORMAT " is owned by \"%s\" already", id, in->person),
					 errdetail("首问负责: a hand-over names another owner.")));
			break;
		case SHEGU_WF_E_NEEDS_BODY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mediation of incident " INT64_FORMAT " needs detail member \"body\"", id),
					 errhint("The bodies are people (人民调解), administrative (行政调解), judicial (司法调解) and trade (行业性、专业性调解).")));
			break;
		case SHEGU_WF_E_NOT_CONFIRMABLE:
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_ILLEGAL_TRANSITION),
					 errmsg("the mediation agreement of incident " INT64_FORMAT " is judicially confirmed already", id)));
			break;
	}
	elog(ERROR, "unhandled workflow error %d", (int) res->error);
}

/* ---- detail members ---- */

static int
detail_bool(Jsonb *detail, const char *key, const char *action, int64 id)
{
	JsonbValue *v = detail ? getKeyJsonValueFromContainer(&detail->root, key, strlen(key), NULL) : NULL;

	if (v == NULL || v->type == jbvNull)
		return -1;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detail member \"%s\" of action \"%s\" on incident " INT64_FORMAT " must be true or false",
						key, action, id)));
	return v->val.boolean ? 1 : 0;
}

static int
detail_level(Jsonb *detail, const char *action, int64 id)
{
	char	   *lvs = detail_string(detail, "level", action, id);
	int			i;

	if (lvs == NULL)
		return -1;
	i = shegu_wf_lookup(shegu_wf_level_names, SHEGU_WF_NLEVELS, lvs);
	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown level \"%s\" in %s of incident " INT64_FORMAT, lvs,
						strcmp(action, "rule") == 0 ? "ruling" : "dispatch", id),
				 errhint("The levels are grid, community, township and county.")));
	return i;
}

/* The strings of an array member (joint dispatch's "support"). */
static List *
detail_strings(Jsonb *detail, const char *key, const char *action, int64 id)
{
	JsonbValue *v = detail ? getKeyJsonValueFromContainer(&detail->root, key, strlen(key), NULL) : NULL;
	List	   *out = NIL;
	uint32		n;

	if (v == NULL || v->type == jbvNull)
		return NIL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detail member \"%s\" of action \"%s\" on incident " INT64_FORMAT " must be an array of strings",
						key, action, id)));
	n = JsonContainerSize(v->val.binary.data);
	for (uint32 i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (e == NULL || e->type != jbvString || e->val.string.len == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("detail member \"%s\" of action \"%s\" on incident " INT64_FORMAT " must be an array of strings",
							key, action, id),
					 errdetail("Element %u is not a non-empty string.", i + 1)));
		out = lappend(out, pnstrdup(e->val.string.val, e->val.string.len));
	}
	return out;
}

/* A joint part's own limit (detail "limits": {"<department>": "3 days"}), or NULL. */
static Interval *
detail_part_limit(Jsonb *detail, const char *department, int64 id)
{
	JsonbValue *v = detail ? getKeyJsonValueFromContainer(&detail->root, "limits", 6, NULL) : NULL;
	JsonbValue *e;
	char	   *s;
	Interval   *iv;

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detail member \"limits\" of joint dispatch of incident " INT64_FORMAT " must be an object of department: interval", id)));
	e = getKeyJsonValueFromContainer(v->val.binary.data, department, strlen(department), NULL);
	if (e == NULL || e->type == jbvNull)
		return NULL;
	if (e->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit of department \"%s\" in joint dispatch of incident " INT64_FORMAT " must be an interval string", department, id)));
	s = pnstrdup(e->val.string.val, e->val.string.len);
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	if (iv->month != 0 || interval_total_usecs(iv) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit \"%s\" of department \"%s\" in joint dispatch of incident " INT64_FORMAT " is not a positive span of days and hours",
						s, department, id)));
	return iv;
}

static int
detail_satisfaction(Jsonb *detail, int64 id)
{
	JsonbValue *v = detail ? getKeyJsonValueFromContainer(&detail->root, "satisfaction", 12, NULL) : NULL;
	int32		score;

	if (v == NULL || v->type != jbvNumeric)
		return -1;
	score = DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v->val.numeric)));
	if (score < 1 || score > 5 ||
		!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(v->val.numeric),
										  DirectFunctionCall1(int4_numeric, Int32GetDatum(score)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("satisfaction %s of incident " INT64_FORMAT " is not a whole number from 1 to 5",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))), id)));
	return score;
}

/* ---- what a step needs to know of the side tables ---- */

static SPIPlanPtr parts_plan[2];	/* [by county] */

static void
parts_context(Locked *l, shegu_wf_input *in)
{
	Datum		v[3];
	bool		isnull;
	int			by = l->county_null ? 0 : 1;	/* with the county: one shard on Citus */

	if (parts_plan[by] == NULL)
	{
		Oid			types[3] = {INT8OID, TEXTOID, INT8OID};

		parts_plan[by] = keep_plan(SPI_prepare(by
											   ? "SELECT count(*) FILTER (WHERE finished_at IS NULL)::int,"
											   " coalesce(bool_or(department = $2), false),"
											   " coalesce(bool_or(department = $2 AND finished_at IS NOT NULL), false)"
											   " FROM shegu.incident_party WHERE incident_id = $1 AND county = $3"
											   : "SELECT count(*) FILTER (WHERE finished_at IS NULL)::int,"
											   " coalesce(bool_or(department = $2), false),"
											   " coalesce(bool_or(department = $2 AND finished_at IS NOT NULL), false)"
											   " FROM shegu.incident_party WHERE incident_id = $1", 2 + by, types),
								   "cannot prepare the parts lookup");
	}
	v[0] = Int64GetDatum(l->id);
	v[1] = in->department ? CStringGetTextDatum(in->department) : (Datum) 0;
	v[2] = l->county;
	/* not read-only: a fresh snapshot sees the parts a concurrent step committed while this one
	 * waited for the row lock */
	if (SPI_execute_plan(parts_plan[by], v, in->department ? NULL : " n ", false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read the parts of incident " INT64_FORMAT, l->id);
	in->parts_open = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	in->department_in_case = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	in->part_finished = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
}

static void
mediation_context(Locked *l, shegu_wf_input *in)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		v[2];
	bool		isnull;

	v[0] = Int64GetDatum(l->id);
	v[1] = l->county;
	if (SPI_execute_with_args(l->county_null
							  ? "SELECT sessions, confirmed_at IS NOT NULL, outcome FROM shegu.incident_mediation"
							  " WHERE incident_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1"
							  : "SELECT sessions, confirmed_at IS NOT NULL, outcome FROM shegu.incident_mediation"
							  " WHERE incident_id = $1 AND county = $2 ORDER BY started_at DESC, id DESC LIMIT 1",
							  l->county_null ? 1 : 2, types, v, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read the mediations of incident " INT64_FORMAT, l->id);
	if (SPI_processed == 0)
		return;
	in->sessions = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	in->confirmed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	{
		char	   *o = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		int			i = shegu_wf_lookup(shegu_wf_outcome_names, SHEGU_WF_NOUTCOMES, o);

		in->last_outcome = i < 0 ? SHEGU_WF_OUT_NONE : (shegu_wf_outcome) i;
		if (in->last_outcome != SHEGU_WF_OUT_NONE)
			in->sessions = 0;	/* sessions of an ended mediation do not count for a new one */
	}
}

/* ---- side-table writes ---- */

static void
parts_write(Locked *l, CategoryEntry *cat, const shegu_wf_result *res, List *support, Jsonb *detail,
			const char *actor)
{
	List	   *all = lcons(pstrdup(l->c.department), support);
	ListCell   *lc;
	int			k = 0;

	foreach(lc, all)
	{
		char	   *dept = lfirst(lc);
		Interval   *own = detail_part_limit(detail, dept, l->id);
		bool		working = cat->limits.stage_working[SHEGU_WF_STAGE_PART];
		shegu_wf_time due = own ? clock_add(cat->schedule, res->at, span_of(own), working) : res->part_due;
		shegu_wf_span allowed = clock_between(cat->schedule, res->at, due, working);
		shegu_wf_time yellow = clock_add(cat->schedule, res->at,
										 (shegu_wf_span) {(int64) floor((double) shegu_wf_span_usecs(allowed) * cat->limits.yellow_share), 0, 0},
										 working);
		Oid			types[8] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID};
		Datum		v[8];
		char		n[9] = "        ";
		ListCell   *lc2;

		for_each_cell(lc2, all, lnext(all, lc))
			if (strcmp(lfirst(lc2), dept) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("department \"%s\" is named twice in the joint dispatch of incident " INT64_FORMAT, dept, l->id),
						 errhint("Name the lead in \"department\" and each supporting department once in \"support\".")));
		v[0] = Int64GetDatum(l->id);
		v[1] = l->county;
		n[1] = l->county_null ? 'n' : ' ';
		v[2] = CStringGetTextDatum(dept);
		v[3] = CStringGetTextDatum(k == 0 ? "lead" : "support");
		v[4] = TimestampTzGetDatum(res->at);
		v[5] = TimestampTzGetDatum(due);
		v[6] = TimestampTzGetDatum(yellow);
		v[7] = CStringGetTextDatum(actor);
		side_exec("INSERT INTO shegu.incident_party (incident_id, county, department, role, assigned_at,"
				  " due_at, yellow_at, light, assigned_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'green', $8)",
				  8, types, v, n, SPI_OK_INSERT);
		k++;
	}
}

static void
part_finish_write(Locked *l, const shegu_wf_result *res, const char *department, const char *actor,
				  const char *note)
{
	Oid			types[6] = {INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, INT8OID};
	Datum		v[6];
	char		n[7] = "      ";

	v[0] = Int64GetDatum(l->id);
	v[1] = CStringGetTextDatum(department);
	v[2] = TimestampTzGetDatum(res->at);
	v[3] = CStringGetTextDatum(actor);
	param_text(v, n, 4, note);
	v[5] = l->county;
	side_exec(l->county_null
			  ? "UPDATE shegu.incident_party SET finished_at = $3, finished_by = $4, note = $5"
			  " WHERE incident_id = $1 AND department = $2"
			  : "UPDATE shegu.incident_party SET finished_at = $3, finished_by = $4, note = $5"
			  " WHERE incident_id = $1 AND department = $2 AND county = $6",
			  l->county_null ? 5 : 6, types, v, n, SPI_OK_UPDATE);
}

static void
mediation_write(Locked *l, const shegu_wf_input *in, const shegu_wf_result *res, Jsonb *detail)
{
	Oid			types[8] = {INT8OID, TIMESTAMPTZOID, TEXTOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		v[8];
	char		n[9] = "        ";
	/* with the county: one shard on Citus */
	const char *open = l->county_null ? " WHERE incident_id = $1 AND outcome IS NULL"
		: " WHERE incident_id = $1 AND county = $4 AND outcome IS NULL";
	StringInfoData q;

	v[0] = Int64GetDatum(l->id);
	v[1] = TimestampTzGetDatum(res->at);
	param_text(v, n, 2, in->note);
	v[3] = l->county;
	n[3] = l->county_null ? 'n' : ' ';
	param_text(v, n, 4, in->body >= 0 ? shegu_wf_body_names[in->body] : NULL);
	param_text(v, n, 5, detail_string(detail, "organisation", AN(in->action), l->id));
	param_text(v, n, 6, detail_string(detail, "mediator", AN(in->action), l->id));
	v[7] = TimestampTzGetDatum(l->c.stage_due_at);
	n[7] = l->c.stage_due_at == SHEGU_WF_NOTIME ? 'n' : ' ';
	initStringInfo(&q);
	if (res->mediation_start)
		appendStringInfo(&q, "INSERT INTO shegu.incident_mediation (incident_id, county, body, organisation,"
						 " mediator, started_at, due_at, request) VALUES ($1, $4, $5, $6, $7, $2, $8, $3)");
	else if (res->mediation_session)
		appendStringInfo(&q, "UPDATE shegu.incident_mediation SET sessions = sessions + 1, last_session_at = $2%s", open);
	else if (res->mediation_agreement)
		appendStringInfo(&q, "UPDATE shegu.incident_mediation SET agreement_reached = %s, agreement_at = $2,"
						 " agreement = $3, due_at = $8%s%s",
						 in->flag ? "true" : "false",
						 in->flag ? "" : ", outcome = 'not_reached', ended_at = $2", open);
	else if (res->mediation_confirm)
		appendStringInfo(&q, "UPDATE shegu.incident_mediation SET confirmed_at = $2%s", open);
	else if (in->action == SHEGU_WF_CHECK_FULFILMENT)
		appendStringInfo(&q, "UPDATE shegu.incident_mediation SET fulfilment_checks = fulfilment_checks + 1,"
						 " last_check_at = $2%s%s", in->flag ? ", outcome = 'fulfilled', ended_at = $2" : "", open);
	else if (res->mediation_end == SHEGU_WF_OUT_LITIGATION)
		appendStringInfo(&q, "UPDATE shegu.incident_mediation SET outcome = 'litigation', ended_at = $2%s", open);
	else
		return;
	side_exec(q.data, 8, types, v, n, res->mediation_start ? SPI_OK_INSERT : SPI_OK_UPDATE);
}

/* ---- the step ---- */

/* Is Citus installed in this database?  Then a step runs on the node of its incident's shard. */
static bool
citus_present(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

typedef struct StepArgs
{
	int64		id;
	const Datum *county;		/* NULL: not given */
	shegu_wf_action action;
	const char *actor;
	const char *note;
	Jsonb	   *detail;
	const char *request_id;
	const char *db_role;
	TimestampTz at;
	bool		at_is_now;
	bool		basic_staff;	/* the actor is staff of the basic grid (三级网格) only */
} StepArgs;

/*
 * 巡办分离 (seed 004: "三级网格负责发现问题,一、二级网格负责牵头联动解决问题"): the steps that belong
 * to the level that leads the handling — receiving or refusing a case, dispatching it, checking
 * and closing it.  Staff of a basic grid take them only on a category it may settle itself
 * (simple_handling); anything else they pass on.
 */
static bool
handling_level_step(shegu_wf_action a)
{
	return a == SHEGU_WF_ACCEPT || a == SHEGU_WF_REJECT || a == SHEGU_WF_DISPATCH ||
		a == SHEGU_WF_JOINT_DISPATCH || a == SHEGU_WF_VERIFY || a == SHEGU_WF_CLOSE;
}

/* ---- the step on Citus: on the node of the incident's shard ---- */

/* A text argument of the statement that sends a step to its shard: a literal, or NULL. */
static void
step_literal(StringInfo q, const char *v, const char *type)
{
	appendStringInfo(q, ", %s::%s", v ? quote_literal_cstr(v) : "NULL", type);
}

/*
 * On Citus a step runs on the node that holds its incident's shard: there its lock, its write
 * and its event are local statements of the node's own backend, whose triggers let act()'s
 * write in (act_writing), as on a single server.  The coordinator sends the step as one call of
 * shegu.incident_step_on_shard, a distributed function co-located with shegu.incident and
 * delegated by the county (docs/citus.md, the layout); its arguments are constants, so that
 * Citus delegates the call inside a transaction too (force_delegation).  Authorisation and the
 * step's time were settled here, by the caller's session; the notifications the step made
 * come back with its row and are sent here, to the caller's listeners.
 */
static Datum
step_remote(const StepArgs *s, bool *changed)
{
	StringInfoData q;
	int64		county;
	bool		isnull;
	Datum		result = (Datum) 0;
	Datum		notes;
	HeapTuple	tup;
	TupleDesc	td;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (s->county != NULL)
		county = DatumGetInt64(*s->county);
	else
	{
		/* without its county the incident is looked for on every shard (docs/citus.md: give it) */
		Oid			t[1] = {INT8OID};
		Datum		v[1] = {Int64GetDatum(s->id)};

		if (SPI_execute_with_args("SELECT county FROM shegu.incident WHERE id = $1", 1, t, v, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "cannot look up the county of incident " INT64_FORMAT, s->id);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_INCIDENT_NOT_FOUND),
					 errmsg("incident " INT64_FORMAT " does not exist", s->id)));
		county = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT r.incident, r.changed, r.notifications FROM shegu.incident_step_on_shard("
					 INT64_FORMAT "::bigint, " INT64_FORMAT "::bigint", county, s->id);
	step_literal(&q, AN(s->action), "text");
	step_literal(&q, s->actor, "text");
	step_literal(&q, s->note, "text");
	step_literal(&q, s->detail ? JsonbToCString(NULL, &s->detail->root, VARSIZE(s->detail)) : NULL, "jsonb");
	step_literal(&q, s->request_id, "text");
	step_literal(&q, s->db_role, "text");
	appendStringInfo(&q, ", %s", s->basic_staff ? "true" : "false");
	step_literal(&q, DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(s->at))), "timestamptz");
	appendStringInfo(&q, ", %s) AS r", s->at_is_now ? "true" : "false");
	if (SPI_execute(q.data, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot run the step of incident " INT64_FORMAT " on its shard", s->id);
	tup = SPI_tuptable->vals[0];
	td = SPI_tuptable->tupdesc;
	*changed = DatumGetBool(SPI_getbinval(tup, td, 2, &isnull));
	notes = SPI_getbinval(tup, td, 3, &isnull);
	if (!isnull)
	{
		Datum	   *e;
		bool	   *en;
		int			ne;

		deconstruct_array(DatumGetArrayTypeP(notes), TEXTOID, -1, false, TYPALIGN_INT, &e, &en, &ne);
		for (int i = 0; i + 1 < ne; i += 2)
			Async_Notify(TextDatumGetCString(e[i]), TextDatumGetCString(e[i + 1]));
	}
	{
		Datum		d = SPI_getbinval(tup, td, 1, &isnull);

		if (!isnull)
			result = SPI_datumTransfer(d, false, -1);
	}
	SPI_finish();
	return result;
}

/*
 * Runs one step.  Returns the incident's row after it (act) and sets *changed; a sweep step
 * with nothing to do writes nothing and returns the row as it is.
 */
static Datum
step_run(const StepArgs *s, bool *changed)
{
	Locked		l;
	CategoryEntry *cat;
	shegu_wf_input in;
	shegu_wf_result res;
	shegu_wf_clock clk;
	shegu_wf_case before;
	List	   *support = NIL;
	Datum		result = (Datum) 0;
	TupleTableSlot *locked = NULL;	/* single server: the locked row, for the direct write */
	bool		by_county = (s->county != NULL);
	const char *an = AN(s->action);
	bool		internal = (s->action >= SHEGU_WF_NPUBLIC);

	*changed = false;
	/* on Citus, unless this is already the step on the shard's node */
	if (!OidIsValid(shard_inc_relid) && citus_present())
		return step_remote(s, changed);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* a single server's table, or the incident's shard on its Citus node */
	if (!lock_direct(s->id, s->county, &l, &locked) || (by_county && (l.county_null || l.county != *s->county)))
		ereport(ERROR,
				(errcode(ERRCODE_SHEGU_INCIDENT_NOT_FOUND),
				 by_county
				 ? errmsg("incident " INT64_FORMAT " does not exist in county " INT64_FORMAT, s->id, DatumGetInt64(*s->county))
				 : errmsg("incident " INT64_FORMAT " does not exist", s->id)));
	cat = category_get(l.category);
	clk = clock_of(cat);
	if (s->basic_staff && !cat->limits.simple_handling && handling_level_step(s->action))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the basic grid cannot %s incident " INT64_FORMAT " of category \"%s\"", an, l.id, l.category),
				 errdetail("巡办分离 (seed 004): the basic grid (三级网格) discovers, reports and settles by simple handling (简易处理) only what its category allows; \"%s\" it passes on.",
						   l.category),
				 errhint("Leave it to the %s level, which leads its handling, or escalate it.", LV(l.c.level))));

	if (s->request_id != NULL &&
		request_seen(l.id, l.county, s->db_role, s->request_id, an))
		goto reread;			/* a retry: the step was applied, nothing to do twice */

	if (!internal && !(shegu_wf_allowed_from(s->action) & (UINT32_C(1) << l.c.state)))
		illegal(l.id, s->action, l.c.state, NULL);

	memset(&in, 0, sizeof(in));
	in.action = s->action;
	in.at = s->at;
	in.at_is_now = s->at_is_now;
	in.now = s->at_is_now ? GetCurrentTimestamp() : s->at;
	in.actor = s->actor;
	in.note = s->note;
	in.level = -1;
	in.satisfaction = -1;
	in.flag = -1;
	in.body = -1;
	in.dispatcher_level = -1;
	switch (s->action)
	{
		case SHEGU_WF_DISPATCH:
		case SHEGU_WF_RULE:
		case SHEGU_WF_JOINT_DISPATCH:
			in.level = detail_level(s->detail, an, l.id);
			in.department = detail_string(s->detail, "department", an, l.id);
			if (s->action == SHEGU_WF_JOINT_DISPATCH)
			{
				support = detail_strings(s->detail, "support", an, l.id);
				in.supporting = list_length(support);
			}
			break;
		case SHEGU_WF_REQUEST_EXTENSION:
		case SHEGU_WF_APPROVE_EXTENSION:
			{
				Interval   *iv = detail_amount(s->detail, an, l.id, s->action == SHEGU_WF_REQUEST_EXTENSION);

				in.has_amount = (iv != NULL);
				if (iv)
					in.amount = span_of(iv);
			}
			break;
		case SHEGU_WF_EVALUATE:
			in.satisfaction = detail_satisfaction(s->detail, l.id);
			break;
		case SHEGU_WF_RETURN:
			in.dispatcher_level = dispatcher_level(l.id, l.county);
			parts_context(&l, &in);
			break;
		case SHEGU_WF_RESOLVE:
			parts_context(&l, &in);
			break;
		case SHEGU_WF_FINISH_PART:
			in.department = detail_string(s->detail, "department", an, l.id);
			parts_context(&l, &in);
			break;
		case SHEGU_WF_HAND_OVER:
			in.person = detail_string(s->detail, "to", an, l.id);
			break;
		case SHEGU_WF_ASSIGN_LEADER:
			in.person = detail_string(s->detail, "leader", an, l.id);
			break;
		case SHEGU_WF_MEDIATE:
			{
				char	   *b = detail_string(s->detail, "body", an, l.id);

				in.body = shegu_wf_lookup(shegu_wf_body_names, SHEGU_WF_NBODIES, b);
				if (b != NULL && in.body < 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("unknown mediation body \"%s\" for incident " INT64_FORMAT, b, l.id),
							 errhint("The bodies are people (人民调解), administrative (行政调解), judicial (司法调解) and trade (行业性、专业性调解).")));
			}
			break;
		case SHEGU_WF_AGREEMENT:
			in.flag = detail_bool(s->detail, "reached", an, l.id);
			mediation_context(&l, &in);
			break;
		case SHEGU_WF_CHECK_FULFILMENT:
			in.flag = detail_bool(s->detail, "fulfilled", an, l.id);
			mediation_context(&l, &in);
			break;
		case SHEGU_WF_MEDIATION_SESSION:
		case SHEGU_WF_CONFIRM_JUDICIALLY:
		case SHEGU_WF_REFER_LITIGATION:
			mediation_context(&l, &in);
			break;
		default:
			break;
	}

	before = l.c;
	if (shegu_wf_step(&l.c, &in, &cat->limits, &clk, &res) != SHEGU_WF_OK)
	{
		l.c = before;
		step_error(&l, &in, &res);
	}
	if (res.skip)
		goto reread;

	{
		Datum		v[2 + W_N + EV_NPARAMS];
		char		n[2 + W_N + EV_NPARAMS + 1];
		int			e = 2 + W_N;
		int			rc;

		memset(n, ' ', sizeof(n) - 1);
		n[sizeof(n) - 1] = '\0';
		v[0] = Int64GetDatum(l.id);
		v[1] = l.county;
		n[1] = l.county_null ? 'n' : ' ';
		case_params(&l.c, v + 2, n + 2);
		if (res.log)
		{
			param_text(v, n, e + 0, res.event_action);
			param_text(v, n, e + 1, s->actor);
			v[e + 2] = TimestampTzGetDatum(res.at);
			param_text(v, n, e + 3, ST(res.from_state));
			param_text(v, n, e + 4, LV(res.from_level));
			v[e + 5] = IntervalPGetDatum(shegu_worktime_between(before.state_since, res.at, cat->schedule));
			param_text(v, n, e + 6, res.event_note);
			v[e + 7] = s->detail ? JsonbPGetDatum(s->detail) : (Datum) 0;
			n[e + 7] = s->detail ? ' ' : 'n';
			param_text(v, n, e + 8, s->request_id);
			v[e + 9] = DirectFunctionCall1(namein, CStringGetDatum(s->db_role));
		}
		if (locked != NULL)
		{
			Relation	inc = table_open(locked->tts_tableOid, NoLock);
			Relation	ev;

			if (direct_usable(inc, &ev))
			{
				act_writing = true;
				event_writing = true;
				direct_depth++;
				PG_TRY();
				{
					result = direct_write(inc, ev, locked, v, n, res.log);
				}
				PG_FINALLY();
				{
					act_writing = false;
					event_writing = false;
					direct_depth--;
				}
				PG_END_TRY();
			}
			if (ev != NULL)
				table_close(ev, NoLock);
			table_close(inc, NoLock);
			ExecDropSingleTupleTableSlot(locked);
			locked = NULL;
		}
		/* the shard on its Citus node, where the direct write did not apply */
		if (result == (Datum) 0 && OidIsValid(shard_inc_relid) && !l.county_null)
		{
			bool		isnull;

			act_writing = true;
			event_writing = true;
			PG_TRY();
			{
				rc = SPI_execute_plan(split_plan_get(0), v, n, false, 0);
				if (rc != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
					elog(ERROR, "cannot write incident " INT64_FORMAT, l.id);
				result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
										   false, -1);
				if (res.log && SPI_execute_plan(split_plan_get(1), v, n, false, 0) != SPI_OK_INSERT)
					elog(ERROR, "cannot log the step of incident " INT64_FORMAT, l.id);
			}
			PG_FINALLY();
			{
				act_writing = false;
				event_writing = false;
			}
			PG_END_TRY();
		}
		if (result == (Datum) 0)
		{
			act_writing = true;
			event_writing = true;
			PG_TRY();
			{
				rc = SPI_execute_plan(write_plan_get(res.log, !l.county_null), v, n, false, 0);
			}
			PG_FINALLY();
			{
				act_writing = false;
				event_writing = false;
			}
			PG_END_TRY();
			if (rc != SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "cannot write incident " INT64_FORMAT, l.id);
			{
				bool		isnull;
				Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

				result = SPI_datumTransfer(d, false, -1);
			}
		}
	}
	if (res.parts_start)
		parts_write(&l, cat, &res, support, s->detail, s->actor);
	if (res.part_finish)
		part_finish_write(&l, &res, in.department, s->actor, s->note);
	if (res.mediation_start || res.mediation_session || res.mediation_agreement || res.mediation_confirm ||
		res.mediation_end != SHEGU_WF_OUT_NONE || s->action == SHEGU_WF_CHECK_FULFILMENT)
		mediation_write(&l, &in, &res, s->detail);
	notify_step(&l, &res, s->actor, s->note, s->action == SHEGU_WF_OVERDUE_ESCALATE);
	*changed = true;
	SPI_finish();
	return result;

reread:
	if (locked != NULL)
		ExecDropSingleTupleTableSlot(locked);
	{
		Datum		v[2];
		bool		isnull;
		int			by = l.county_null ? 0 : 1;

		if (reread_plan[by] == NULL)
		{
			Oid			types[2] = {INT8OID, INT8OID};

			reread_plan[by] = keep_plan(SPI_prepare(by ? "SELECT i FROM shegu.incident AS i WHERE i.id = $1 AND i.county = $2"
													: "SELECT i FROM shegu.incident AS i WHERE i.id = $1", 1 + by, types),
										"cannot prepare the incident read");
		}
		v[0] = Int64GetDatum(l.id);
		v[1] = l.county;
		if (SPI_execute_plan(reread_plan[by], v, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "cannot read incident " INT64_FORMAT, l.id);
		result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	}
	SPI_finish();
	return result;
}

static SPIPlanPtr staff_plan = NULL;
static SPIPlanPtr staff_grid_plan[2];	/* [by county] */

/*
 * Who may act, and under which name.  Superusers and members of shegu_centre (the dispatch
 * centre 指挥中心) act on every incident, and the actor they give is recorded as given (the
 * person on whose behalf the centre acts).  Any other role must be grid staff (shegu.grid_staff
 * rows with db_role = the role, valid on the day of the step) assigned to a grid whose subtree
 * holds the incident's grid, and the actor is its staff name.  Everyone else is refused.
 */
static char *
act_authorise(int64 id, const Datum *county, const char *action, const char *actor, const char *role, bool *basic)
{
	Oid			centre = get_role_oid("shegu_centre", true);
	Oid			me = GetOuterUserId();
	MemoryContext caller = CurrentMemoryContext;
	Datum		v[3];
	bool		grid_null;
	char	   *name = NULL;
	bool		staff = false;
	bool		in_scope = false;
	bool		above_basic = false;	/* assigned to a community or above that holds the incident */

	*basic = false;
	if (superuser_arg(me) || (OidIsValid(centre) && has_privs_of_role(me, centre)))
		return pstrdup(actor);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The incident's grid first, then the staff rows: two plain queries rather than one with a
	 * correlated subquery, which Citus refuses between the reference table of the staff and the
	 * distributed incidents (docs/citus.md).
	 */
	if (staff_grid_plan[county != NULL] == NULL)
	{
		Oid			types[2] = {INT8OID, INT8OID};
		/* with the county: one shard on Citus */
		SPIPlanPtr	p = SPI_prepare(county ? "SELECT i.grid::text FROM shegu.incident AS i WHERE i.id = $1 AND i.county = $2"
									: "SELECT i.grid::text FROM shegu.incident AS i WHERE i.id = $1", county ? 2 : 1, types);

		staff_grid_plan[county != NULL] = keep_plan(p, "cannot prepare the staff lookup");
	}
	if (staff_plan == NULL)
	{
		Oid			types[3] = {NAMEOID, TEXTOID, TIMESTAMPTZOID};
		SPIPlanPtr	p = SPI_prepare("SELECT s.person_name,"
									" coalesce($2::shegu.gridcode OPERATOR(shegu.<@) s.code, false), s.code"
									" FROM shegu.grid_staff AS s"
									" WHERE s.db_role = $1 AND s.valid_from <= $3::date"
									"   AND (s.valid_to IS NULL OR s.valid_to > $3::date)"
									" ORDER BY s.person_name",
									3, types);

		staff_plan = keep_plan(p, "cannot prepare the staff lookup");
	}
	v[0] = Int64GetDatum(id);
	v[1] = county ? *county : (Datum) 0;
	if (SPI_execute_plan(staff_grid_plan[county != NULL], v, NULL, false, 1) != SPI_OK_SELECT)
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
			Datum		code = SPI_getbinval(tup, td, 3, &isnull);

			/* a basic grid (基础网格, level 6) or a micro-grid below it: 三级网格 of seed 004 */
			if (!isnull && shegu_gridcode_level(DatumGetGridcode(code)) < 6)
				above_basic = true;
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
	*basic = !above_basic;
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
/* SQL: shegu.act(incident_id, action, actor, note, detail, county) RETURNS shegu.incident. */
Datum
incident_act(PG_FUNCTION_ARGS)
{
	StepArgs	s;
	char	   *action;
	int			a;
	bool		changed;
	/* the role that called act(): the session user or the role it SET ROLE to, never the
	 * owner that SECURITY DEFINER runs act() as */
	char	   *role = GetUserNameFromId(GetOuterUserId(), false);

	arg_not_null(fcinfo, 0, "incident_id");
	arg_not_null(fcinfo, 1, "action");
	arg_not_null(fcinfo, 2, "actor");
	memset(&s, 0, sizeof(s));
	s.id = PG_GETARG_INT64(0);
	action = text_to_cstring(PG_GETARG_TEXT_PP(1));
	s.actor = text_to_cstring(PG_GETARG_TEXT_PP(2));
	s.note = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	a = shegu_wf_lookup(shegu_wf_action_names, SHEGU_WF_NPUBLIC, action);
	if (a < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown action \"%s\" on incident " INT64_FORMAT, action, s.id),
				 errhint("The actions are accept, reject, dispatch, resolve, verify, rework, close, evaluate, "
						 "return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise, "
						 "hand_over, review, conclude_review, request_ruling, rule, joint_dispatch, finish_part, "
						 "assign_leader, mediate, mediation_session, agreement, check_fulfilment, "
						 "confirm_judicially, refer_litigation and simple_handle.")));
	s.action = (shegu_wf_action) a;
	if (s.actor[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("actor of action \"%s\" on incident " INT64_FORMAT " is empty", action, s.id)));
	if (!PG_ARGISNULL(4))
	{
		s.detail = PG_GETARG_JSONB_P(4);
		if (!JB_ROOT_IS_OBJECT(s.detail))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("detail of action \"%s\" on incident " INT64_FORMAT " is not a JSON object", action, s.id)));
	}
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
		s.county = &fcinfo->args[5].value;
	s.request_id = detail_string(s.detail, "request_id", action, s.id);
	s.actor = act_authorise(s.id, s.county, action, s.actor, role, &s.basic_staff);
	s.db_role = role;
	s.at = clock_now();
	s.at_is_now = clock_is_real();
	PG_RETURN_DATUM(step_run(&s, &changed));
}

static SPIPlanPtr local_shard_plan = NULL;

/*
 * Does this node hold the shard of shegu.incident for this county?  Then *inc and *ev are the
 * shards of shegu.incident and shegu.incident_event for it (co-located: on this node too).
 * (Citus; connected to SPI)
 */
static bool
shard_is_local(Datum county, Oid *inc, Oid *ev)
{
	bool		isnull;
	HeapTuple	t;
	TupleDesc	d;
	Oid			ns = get_namespace_oid("shegu", false);

	if (local_shard_plan == NULL)
	{
		Oid			types[1] = {INT8OID};

		local_shard_plan = keep_plan(SPI_prepare("SELECT s.inc, s.ev, EXISTS (SELECT FROM pg_catalog.pg_dist_placement AS p"
												 " WHERE p.shardid OPERATOR(pg_catalog.=) s.inc"
												 " AND p.groupid OPERATOR(pg_catalog.=) (SELECT groupid FROM pg_catalog.pg_dist_local_group))"
												 " FROM (SELECT pg_catalog.get_shard_id_for_distribution_column('shegu.incident', $1) AS inc,"
												 " pg_catalog.get_shard_id_for_distribution_column('shegu.incident_event', $1) AS ev) AS s",
												 1, types),
									 "cannot prepare the shard lookup");
	}
	if (SPI_execute_plan(local_shard_plan, &county, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot look up the shard of county " INT64_FORMAT, DatumGetInt64(county));
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	*inc = get_relname_relid(psprintf("incident_" INT64_FORMAT, DatumGetInt64(SPI_getbinval(t, d, 1, &isnull))), ns);
	*ev = get_relname_relid(psprintf("incident_event_" INT64_FORMAT, DatumGetInt64(SPI_getbinval(t, d, 2, &isnull))), ns);
	return DatumGetBool(SPI_getbinval(t, d, 3, &isnull)) && OidIsValid(*inc) && OidIsValid(*ev);
}

/* A row of a shard of shegu.incident as a row of shegu.incident (their columns by name). */
static Datum
row_as_incident(Datum row)
{
	HeapTupleHeader h = DatumGetHeapTupleHeader(row);
	Oid			want = get_rel_type_id(get_relname_relid("incident", get_namespace_oid("shegu", false)));
	TupleDesc	from,
				to;
	HeapTupleData tup;
	TupleConversionMap *map;
	HeapTuple	conv;

	if (HeapTupleHeaderGetTypeId(h) == want)
		return row;
	from = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(h), HeapTupleHeaderGetTypMod(h));
	to = lookup_rowtype_tupdesc(want, -1);
	tup.t_len = HeapTupleHeaderGetDatumLength(h);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = InvalidOid;
	tup.t_data = h;
	map = convert_tuples_by_name(from, to);
	conv = map ? execute_attr_map_tuple(&tup, map) : heap_copytuple(&tup);
	row = heap_copy_tuple_as_datum(conv, to);
	ReleaseTupleDesc(from);
	ReleaseTupleDesc(to);
	return row;
}

PG_FUNCTION_INFO_V1(incident_step_on_shard);
/*
 * SQL: shegu.incident_step_on_shard(county, incident_id, action, actor, note, detail,
 * request_id, db_role, basic_staff, at, at_is_now, OUT incident, OUT changed, OUT
 * notifications) — Citus only: the step that act() or the sweep sends to the node of the
 * incident's shard (step_remote), run there; the caller authorised it and gives the role that
 * asked for it.  Owner only.
 */
Datum
incident_step_on_shard(PG_FUNCTION_ARGS)
{
	StepArgs	s;
	char	   *action;
	int			a;
	bool		changed = false;
	Datum		row = (Datum) 0;
	TupleDesc	td;
	Datum		out[3];
	bool		outnull[3] = {false, false, false};
	bool		local;
	Oid			inc,
				ev;
	MemoryContext cxt = CurrentMemoryContext;

	for (int i = 0; i < 11; i++)
		if (i != 4 && i != 5 && i != 6 && PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of shegu.incident_step_on_shard is NULL", i + 1)));
	if (!citus_present())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("shegu.incident_step_on_shard runs on Citus only"),
				 errhint("Use shegu.act().")));
	memset(&s, 0, sizeof(s));
	s.county = &fcinfo->args[0].value;
	s.id = PG_GETARG_INT64(1);
	action = text_to_cstring(PG_GETARG_TEXT_PP(2));
	a = shegu_wf_lookup(shegu_wf_action_names, SHEGU_WF_NACTIONS, action);
	if (a < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown action \"%s\" on incident " INT64_FORMAT, action, s.id)));
	s.action = (shegu_wf_action) a;
	s.actor = text_to_cstring(PG_GETARG_TEXT_PP(3));
	s.note = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	s.detail = PG_ARGISNULL(5) ? NULL : PG_GETARG_JSONB_P(5);
	s.request_id = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));
	s.db_role = text_to_cstring(PG_GETARG_TEXT_PP(7));
	s.basic_staff = PG_GETARG_BOOL(8);
	s.at = PG_GETARG_TIMESTAMPTZ(9);
	s.at_is_now = PG_GETARG_BOOL(10);
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "shegu.incident_step_on_shard must return a record");

	/* here, or the shard's triggers refuse the write: Citus delegates the call by the county */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	local = shard_is_local(*s.county, &inc, &ev);
	SPI_finish();
	if (!local)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the step of incident " INT64_FORMAT " did not reach the node of county " INT64_FORMAT "'s shard",
						s.id, DatumGetInt64(*s.county)),
				 errhint("Declare shegu.incident_step_on_shard a distributed function co-located with shegu.incident, "
						 "distributed by its county and force-delegated (docs/citus.md, the layout).")));
	step_notes = NIL;
	step_notes_cxt = cxt;
	step_collecting = true;
	shard_inc_relid = inc;
	shard_ev_relid = ev;
	PG_TRY();
	{
		row = step_run(&s, &changed);
	}
	PG_FINALLY();
	{
		step_collecting = false;
		shard_inc_relid = InvalidOid;
		shard_ev_relid = InvalidOid;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	if (row != (Datum) 0)
		row = row_as_incident(row);
	out[0] = row;
	outnull[0] = (row == (Datum) 0);
	out[1] = BoolGetDatum(changed);
	{
		int			n = list_length(step_notes);
		Datum	   *e = palloc(sizeof(Datum) * Max(n, 1));
		int			i = 0;
		ListCell   *lc;

		foreach(lc, step_notes)
			e[i++] = CStringGetTextDatum((char *) lfirst(lc));
		out[2] = PointerGetDatum(construct_array(e, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	step_notes = NIL;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), out, outnull)));
}

PG_FUNCTION_INFO_V1(incident_step);
/* SQL: shegu.incident_step(incident_id, action, at, county DEFAULT NULL) RETURNS boolean — sweep's
 * steps; NULL for a NULL incident, step or time. */
Datum
incident_step(PG_FUNCTION_ARGS)
{
	StepArgs	s;
	char	   *action;
	int			a;
	bool		changed = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	memset(&s, 0, sizeof(s));
	s.id = PG_GETARG_INT64(0);
	action = text_to_cstring(PG_GETARG_TEXT_PP(1));
	s.at = PG_GETARG_TIMESTAMPTZ(2);
	a = shegu_wf_lookup(shegu_wf_action_names, SHEGU_WF_NACTIONS, action);
	if (a < SHEGU_WF_NPUBLIC)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown sweep step \"%s\" on incident " INT64_FORMAT, action, s.id),
				 errhint("The steps are overdue_escalate and tick; use shegu.act() for the workflow.")));
	s.action = (shegu_wf_action) a;
	s.actor = "shegu.sweep";
	s.db_role = GetUserNameFromId(GetOuterUserId(), false);
	if (!PG_ARGISNULL(3))
		s.county = &fcinfo->args[3].value;
	(void) step_run(&s, &changed);
	PG_RETURN_BOOL(changed);
}

/* ---------------------------------------------------------------------------------------------
 * report(): one incident, written through this backend's executor as the INSERT ... ON CONFLICT
 * ON CONSTRAINT incident_idempotency_key_key DO NOTHING RETURNING * of the PL/pgSQL version was,
 * but with the CHECK constraints, index predicates and column defaults compiled once per session
 * (a statement re-reads and plans the CHECK constraints of shegu.incident every time), and its
 * report event written as the statement trigger would (direct_report_events), without the
 * trigger's SECURITY DEFINER set-up: the write switches to the trigger function's owner for the
 * event only.  Where the tables have anything that write does not do (a rule, another statement
 * trigger or transition table, row-level security for the caller, a privilege the caller has only
 * on some columns, the report trigger disabled), report() runs the same INSERT as a prepared
 * statement instead, which fires everything as any INSERT does.
 */
#define RP_NARGS 10				/* category, title, source, grid, location, reporter, description,
								 * reported_at, idempotency_key, county */
static const char *const rp_cols[RP_NARGS] = {"category", "title", "source", "grid", "location", "reporter",
"description", "reported_at", "idempotency_key", "county"};

typedef struct ReportCache
{
	bool		ok;				/* the direct write applies to the table as it is */
	Oid			relid;
	Oid			arbiter;		/* incident_idempotency_key_key's index */
	Oid			trigger;		/* incident_10_after_insert */
	Oid			trigger_fn;		/* its function (whose owner writes the event) */
	AttrNumber	att[RP_NARGS];	/* the columns the arguments go to */
	int			natts;
	ExprState **fill;			/* per attribute: the argument coerced to the column, its default, or NULL */
	ParamListInfo params;		/* the arguments, as $1..$10 of the fill expressions */
} ReportCache;

static ReportCache rp;
static MemoryContext rp_cxt = NULL;
static SPIPlanPtr rp_insert_plan = NULL;
static SPIPlanPtr rp_retry_plan[2] = {NULL, NULL};	/* by county, without */

static void
rp_build(Relation inc, const Oid *argtypes)
{
	TupleDesc	desc = RelationGetDescr(inc);
	TriggerDesc *t = inc->trigdesc;
	MemoryContext old;
	bool		ok;
	AttrNumber	given[RP_NARGS];
	Oid			con;

	if (rp_cxt != NULL)
		MemoryContextDelete(rp_cxt);
	memset(&rp, 0, sizeof(rp));
	rp_cxt = AllocSetContextCreate(CacheMemoryContext, "shegu report() direct write", ALLOCSET_SMALL_SIZES);
	rp.relid = rp_relid = RelationGetRelid(inc);
	rp_stale = false;
	old = MemoryContextSwitchTo(rp_cxt);
	PG_TRY();
	{
		ok = inc->rd_rel->relkind == RELKIND_RELATION && !inc->rd_rel->relispartition && inc->rd_rules == NULL &&
			!(desc->constr && desc->constr->has_generated_stored);
		/* statement-level INSERT triggers and transition tables: only shegu's report trigger */
		for (int i = 0; ok && t != NULL && i < t->numtriggers; i++)
		{
			Trigger    *tg = &t->triggers[i];

			if (!TRIGGER_FOR_INSERT(tg->tgtype))
				continue;
			if (TRIGGER_FOR_ROW(tg->tgtype))
			{
				ok = tg->tgnewtable == NULL && tg->tgoldtable == NULL;
				continue;
			}
			ok = !OidIsValid(rp.trigger) && TRIGGER_FOR_AFTER(tg->tgtype) && tg->tgqual == NULL &&
				tg->tgnewtable == NULL && tg->tgoldtable == NULL && tg->tgnargs == 0 &&
				is_shegu_fn(tg->tgfoid, RelationGetNamespace(inc), "incident_after_insert");
			if (ok)
			{
				rp.trigger = tg->tgoid;
				rp.trigger_fn = tg->tgfoid;
			}
		}
		ok = ok && OidIsValid(rp.trigger);
		con = ok ? get_relation_constraint_oid(rp.relid, "incident_idempotency_key_key", true) : InvalidOid;
		rp.arbiter = OidIsValid(con) ? get_constraint_index(con) : InvalidOid;
		ok = ok && OidIsValid(rp.arbiter);
		for (int i = 0; ok && i < RP_NARGS; i++)
		{
			given[i] = get_attnum(rp.relid, rp_cols[i]);
			rp.att[i] = given[i];
			ok = given[i] > 0;
		}
		if (ok)
		{
			rp.natts = desc->natts;
			rp.fill = palloc0(desc->natts * sizeof(ExprState *));
			rp.params = makeParamList(RP_NARGS);
			rp.params->numParams = RP_NARGS;
			for (int i = 0; i < RP_NARGS; i++)
			{
				rp.params->params[i].ptype = argtypes[i];
				rp.params->params[i].pflags = PARAM_FLAG_CONST;
				rp.params->params[i].isnull = true;
			}
		}
		for (int a = 0; ok && a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);
			Node	   *expr = NULL;
			int			arg = -1;

			if (att->attisdropped)
				continue;
			for (int i = 0; i < RP_NARGS; i++)
				if (given[i] == att->attnum)
					arg = i;
			if (arg >= 0)
			{
				/* the argument assigned to the column, as the INSERT's parser coerces it */
				Param	   *p = makeNode(Param);

				p->paramkind = PARAM_EXTERN;
				p->paramid = arg + 1;
				p->paramtype = argtypes[arg];
				p->paramtypmod = -1;
				p->paramcollid = get_typcollation(argtypes[arg]);
				p->location = -1;
				expr = coerce_to_target_type(NULL, (Node *) p, argtypes[arg], att->atttypid, att->atttypmod,
											 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
				ok = expr != NULL;
			}
			else
			{
				/* a column left out: its default (the identity's nextval among them), else NULL */
				expr = build_column_default(inc, att->attnum);
				if (expr == NULL && get_typtype(att->atttypid) == TYPTYPE_DOMAIN)
					ok = false;	/* a NULL the domain's constraints would judge: the statement does */
			}
			if (ok && expr != NULL)
				rp.fill[a] = ExecInitExprWithParams(expression_planner((Expr *) expr), rp.params);
		}
		rp.ok = ok;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(rp_cxt);
		rp_cxt = NULL;
		memset(&rp, 0, sizeof(rp));
		rp_stale = true;
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
}

/* ON CONFLICT DO NOTHING under REPEATABLE READ or SERIALIZABLE: the conflicting row must be one
 * this transaction can see (nodeModifyTable.c's ExecCheckTIDVisible). */
static void
rp_check_tid_visible(EState *estate, Relation rel, ItemPointer tid)
{
	TupleTableSlot *s;

	if (!IsolationUsesXactSnapshot())
		return;
	s = table_slot_create(rel, NULL);
	if (!table_tuple_fetch_row_version(rel, tid, SnapshotAny, s))
		elog(ERROR, "failed to fetch conflicting tuple for ON CONFLICT");
	if (!table_tuple_satisfies_snapshot(rel, s, estate->es_snapshot))
	{
		bool		isnull;
		TransactionId xmin = DatumGetTransactionId(slot_getsysattr(s, MinTransactionIdAttributeNumber, &isnull));

		if (!TransactionIdIsCurrentTransactionId(xmin))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
	}
	ExecDropSingleTupleTableSlot(s);
}

/* Does the report trigger fire now (its enabled state under session_replication_role)? */
static bool
rp_trigger_fires(Relation inc)
{
	TriggerDesc *t = inc->trigdesc;

	for (int i = 0; t != NULL && i < t->numtriggers; i++)
		if (t->triggers[i].tgoid == rp.trigger)
		{
			char		e = t->triggers[i].tgenabled;

			return SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA
				? (e == TRIGGER_FIRES_ON_REPLICA || e == TRIGGER_FIRES_ALWAYS)
				: (e == TRIGGER_FIRES_ON_ORIGIN || e == TRIGGER_FIRES_ALWAYS);
		}
	return false;
}

/*
 * The direct write of one report: *inserted false when the idempotency key conflicted (ON
 * CONFLICT DO NOTHING) or a BEFORE trigger skipped the row.  Returns the stored row, or 0.
 */
static Datum
rp_direct(Relation inc, Relation ev, Oid owner, const Datum *v, const bool *isnull, bool *inserted)
{
	EState	   *estate;
	RangeTblEntry *rte = direct_rte(inc);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot;
	ExprContext *econtext;
	MemoryContext old;
	List	   *recheck = NIL;
	bool		keyed = !isnull[8];
	Oid			arbiter = rp.arbiter;	/* a trigger that reports again may rebuild the cache */
	Datum		result = (Datum) 0;

	*inserted = false;
	rte->requiredPerms = 0;		/* the caller's INSERT and SELECT on the table were checked */
	for (int i = 0; i < RP_NARGS; i++)
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   rp.att[i] - FirstLowInvalidHeapAttributeNumber);
	estate = CreateExecutorState();
	ExecInitRangeTable(estate, list_make1(rte));
	ExecInitResultRelation(estate, rri, 1);
	ExecOpenIndices(rri, keyed);
	direct_inject(&direct_inc, rri);
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = GetActiveSnapshot();
	AfterTriggerBeginQuery();

	/* the row: the arguments and the defaults, as the statement's target list */
	for (int i = 0; i < RP_NARGS; i++)
	{
		rp.params->params[i].value = isnull[i] ? (Datum) 0 : v[i];
		rp.params->params[i].isnull = isnull[i];
	}
	econtext = GetPerTupleExprContext(estate);
	econtext->ecxt_param_list_info = rp.params;
	slot = table_slot_create(inc, &estate->es_tupleTable);
	ExecClearTuple(slot);
	old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
	for (int a = 0; a < rp.natts; a++)
	{
		slot->tts_isnull[a] = true;
		slot->tts_values[a] = (Datum) 0;
		if (rp.fill[a] != NULL)
			slot->tts_values[a] = ExecEvalExpr(rp.fill[a], econtext, &slot->tts_isnull[a]);
	}
	MemoryContextSwitchTo(old);
	ExecStoreVirtualTuple(slot);
	ExecMaterializeSlot(slot);
	econtext->ecxt_param_list_info = NULL;

	if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)
	{
		int64		noted = npending;
		bool		kept = ExecBRInsertTriggers(estate, rri, slot);

		/* the insert trigger noted the row for the statement trigger: this write logs it itself */
		pending_drop_since(inc, Min(noted, npending));
		if (!kept)
			slot = NULL;		/* a BEFORE trigger skipped it, as in the statement */
	}
	if (slot != NULL)
	{
		if (inc->rd_att->constr)
			ExecConstraints(rri, slot, estate);
		if (keyed)
		{
			/* ON CONFLICT ON CONSTRAINT incident_idempotency_key_key DO NOTHING, as ExecInsert does it */
			List	   *arbiters = list_make1_oid(arbiter);

			for (;;)
			{
				ItemPointerData conflict;
				bool		spec_conflict = false;
				uint32		token;

				CHECK_FOR_INTERRUPTS();
				if (!ExecCheckIndexConstraints(rri, slot, estate, &conflict, arbiters))
				{
					rp_check_tid_visible(estate, inc, &conflict);
					break;
				}
				token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
				table_tuple_insert_speculative(inc, slot, estate->es_output_cid, 0, NULL, token);
				recheck = ExecInsertIndexTuples(rri, slot, estate, false, true, &spec_conflict, arbiters);
				table_tuple_complete_speculative(inc, slot, token, !spec_conflict);
				SpeculativeInsertionLockRelease(GetCurrentTransactionId());
				if (!spec_conflict)
				{
					*inserted = true;
					break;
				}
				list_free(recheck);
				recheck = NIL;
			}
		}
		else
		{
			table_tuple_insert(inc, slot, estate->es_output_cid, 0, NULL);
			if (rri->ri_NumIndices > 0)
				recheck = ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
			*inserted = true;
		}
		if (*inserted)
			ExecARInsertTriggers(estate, rri, slot, recheck, NULL);
	}
	/* the incident's AFTER row triggers (the category's foreign key), as at the statement's end */
	AfterTriggerEndQuery(estate);

	if (*inserted)
	{
		/* the report trigger's part: the event, written as the trigger's owner writes it */
		char	   *db_role = GetUserNameFromId(GetOuterUserId(), false);
		Oid			save_user;
		int			save_sec;
		ReportAtts	a;
		StoredReport row;

		report_atts(inc, &a);
		report_from_slot(slot, &a, &row);
		GetUserIdAndSecContext(&save_user, &save_sec);
		SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		event_writing = true;
		direct_depth++;
		PG_TRY();
		{
			StoredReport *one = &row;

			direct_report_events(inc, ev, report_one_next, &one, 1, db_role);
		}
		PG_FINALLY();
		{
			event_writing = false;
			direct_depth--;
			SetUserIdAndSecContext(save_user, save_sec);
		}
		PG_END_TRY();
		result = ExecFetchSlotHeapTupleDatum(slot);
	}
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	CommandCounterIncrement();
	return result;
}

/* A row of shegu.incident as its composite type, from a query's i.* (dropped columns skipped). */
static Datum
rp_row_datum(HeapTuple tup, TupleDesc td, Oid relid)
{
	TupleDesc	rowdesc = lookup_rowtype_tupdesc(get_rel_type_id(relid), -1);
	Datum	   *vals = palloc(rowdesc->natts * sizeof(Datum));
	bool	   *nls = palloc(rowdesc->natts * sizeof(bool));
	int			col = 1;
	Datum		d;

	for (int a = 0; a < rowdesc->natts; a++)
	{
		nls[a] = true;
		vals[a] = (Datum) 0;
		if (!TupleDescAttr(rowdesc, a)->attisdropped)
			vals[a] = SPI_getbinval(tup, td, col++, &nls[a]);
	}
	d = SPI_datumTransfer(heap_copy_tuple_as_datum(heap_form_tuple(rowdesc, vals, nls), rowdesc), false, -1);
	ReleaseTupleDesc(rowdesc);
	return d;
}

static const char *
rp_value(HeapTuple tup, TupleDesc td, const char *col)
{
	char	   *s = SPI_getvalue(tup, td, SPI_fnumber(td, col));

	return s ? s : "";
}

/* The same INSERT as a statement (every trigger, policy and privilege as for any INSERT). */
static Datum
rp_statement(Oid relid, const Oid *argtypes, Datum *v, const bool *isnull, bool *inserted)
{
	char		nulls[RP_NARGS];
	Datum		result = (Datum) 0;

	for (int i = 0; i < RP_NARGS; i++)
		nulls[i] = isnull[i] ? 'n' : ' ';
	if (rp_insert_plan == NULL)
		rp_insert_plan = keep_plan(SPI_prepare("INSERT INTO shegu.incident AS i (category, title, source, grid, location,"
											   " reporter, description, reported_at, idempotency_key, county)"
											   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
											   " ON CONFLICT ON CONSTRAINT incident_idempotency_key_key DO NOTHING"
											   " RETURNING i.*", RP_NARGS, (Oid *) argtypes),
								   "cannot prepare the INSERT of shegu.report");
	if (SPI_execute_plan(rp_insert_plan, v, nulls, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "cannot insert the incident of shegu.report");
	*inserted = SPI_processed == 1;
	if (*inserted)
		result = rp_row_datum(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, relid);
	return result;
}

PG_FUNCTION_INFO_V1(incident_report);
/* SQL: shegu.report(category, title, source, grid, location, reporter, description, reported_at,
 * idempotency_key) RETURNS shegu.incident. */
Datum
incident_report(PG_FUNCTION_ARGS)
{
	Datum		v[RP_NARGS];
	bool		isnull[RP_NARGS];
	Oid			argtypes[RP_NARGS];
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			relid = get_relname_relid("incident", nsp);
	Relation	inc;
	Relation	ev = NULL;
	bool		direct = false;
	bool		inserted = false;
	Oid			owner = InvalidOid;
	Datum		result;
	MemoryContext callcxt = CurrentMemoryContext;

	if (!OidIsValid(relid))
		elog(ERROR, "table shegu.incident does not exist");
	for (int i = 0; i < RP_NARGS - 1; i++)
	{
		isnull[i] = PG_ARGISNULL(i);
		v[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	{
		/* the declared argument types (a call without an expression tree has none to read) */
		HeapTuple	pt = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
		Form_pg_proc pp;

		if (!HeapTupleIsValid(pt))
			elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
		pp = (Form_pg_proc) GETSTRUCT(pt);
		if (pp->pronargs != RP_NARGS - 1)
			elog(ERROR, "shegu.report must take %d arguments", RP_NARGS - 1);
		for (int i = 0; i < RP_NARGS - 1; i++)
			argtypes[i] = pp->proargtypes.values[i];
		ReleaseSysCache(pt);
	}
	argtypes[RP_NARGS - 1] = INT8OID;
	/* the report time is this session's clock (shegu.incident_clock, else the statement's time) */
	if (isnull[7])
	{
		v[7] = TimestampTzGetDatum(clock_now());
		isnull[7] = false;
	}
	/* the grid, and so the county, before the row is sent anywhere: on Citus the county routes it */
	if (isnull[3] && !isnull[4])
	{
		shegu_gridcode code = shegu_lookup_locate_point(v[4], DatumGetTimestampTz(v[7]));

		if (code != SHEGU_GRIDCODE_NONE)
		{
			v[3] = GridcodeGetDatum(code);
			isnull[3] = false;
		}
	}
	isnull[9] = isnull[3];
	v[9] = (Datum) 0;
	if (!isnull[3])
		v[9] = Int64GetDatum(shegu_gridcode_county(DatumGetGridcode(v[3])));

	inc = table_open(relid, RowExclusiveLock);
	if (rp_stale || rp.relid != relid)
		rp_build(inc, argtypes);
	/* on Citus the statement routes the row to its county's shard: only a plain server writes directly */
	if (rp.ok && !citus_present() && rp_trigger_fires(inc) && check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED &&
		pg_class_aclcheck(relid, GetUserId(), ACL_INSERT) == ACLCHECK_OK &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
	{
		/* the event as the report trigger writes it: as its function's owner */
		HeapTuple	pt = SearchSysCache1(PROCOID, ObjectIdGetDatum(rp.trigger_fn));
		Oid			save_user;
		int			save_sec;

		if (HeapTupleIsValid(pt))
		{
			owner = ((Form_pg_proc) GETSTRUCT(pt))->proowner;
			ReleaseSysCache(pt);
			GetUserIdAndSecContext(&save_user, &save_sec);
			SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
			PG_TRY();
			{
				direct = direct_usable(inc, &ev);
			}
			PG_FINALLY();
			{
				SetUserIdAndSecContext(save_user, save_sec);
			}
			PG_END_TRY();
		}
	}
	if (direct)
	{
		/* a statement of its own: it sees what came before, as the SPI statement would */
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		result = rp_direct(inc, ev, owner, v, isnull, &inserted);
		PopActiveSnapshot();
	}
	if (ev != NULL)
		table_close(ev, NoLock);
	table_close(inc, NoLock);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!direct)
		result = rp_statement(relid, argtypes, v, isnull, &inserted);
	if (!inserted)
	{
		/*
		 * A retry finds its own county's row only: on Citus the county routes this to one shard,
		 * and keys are unique per county there (docs/citus.md); here a key another county holds is
		 * refused.
		 */
		int			by = isnull[9] ? 1 : 0;
		Datum		kv[2] = {v[8], v[9]};
		char		kn[2] = {isnull[8] ? 'n' : ' ', ' '};
		Oid			kt[2] = {TEXTOID, INT8OID};
		HeapTuple	tup;
		TupleDesc	td;
		char	   *stored[3];
		int64		id;
		bool		nul;

		if (rp_retry_plan[by] == NULL)
			rp_retry_plan[by] = keep_plan(SPI_prepare(by == 0
													  ? "SELECT i.*, i.id FROM shegu.incident AS i WHERE i.idempotency_key OPERATOR(pg_catalog.=) $1"
													  " AND i.county OPERATOR(pg_catalog.=) $2"
													  : "SELECT i.*, i.id FROM shegu.incident AS i WHERE i.idempotency_key OPERATOR(pg_catalog.=) $1"
													  " AND i.county IS NULL", 2 - by, kt),
										  "cannot prepare the retry of shegu.report");
		if (SPI_execute_plan(rp_retry_plan[by], kv, kn, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "cannot look up the idempotency key of shegu.report");
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_IDEMPOTENCY_CONFLICT),
					 errmsg("idempotency key \"%s\" already names an incident of another county",
							isnull[8] ? "" : TextDatumGetCString(v[8])),
					 errdetail("This report is for county %s; the key was used by a report elsewhere.",
							   isnull[9] ? "(none: no grid)" : psprintf(INT64_FORMAT, DatumGetInt64(v[9]))),
					 errhint("Use a new key for a new submission.")));
		tup = SPI_tuptable->vals[0];
		td = SPI_tuptable->tupdesc;
		id = DatumGetInt64(SPI_getbinval(tup, td, td->natts, &nul));
		for (int i = 0; i < 3; i++)
		{
			int			att = SPI_fnumber(td, rp_cols[i]);

			stored[i] = SPI_getvalue(tup, td, att);
			if ((stored[i] == NULL) != isnull[i] ||
				(stored[i] != NULL && strcmp(stored[i], TextDatumGetCString(v[i])) != 0))
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_IDEMPOTENCY_CONFLICT),
						 errmsg("idempotency key \"%s\" already names incident " INT64_FORMAT,
								TextDatumGetCString(v[8]), id),
						 errdetail("Incident " INT64_FORMAT " has category \"%s\", title \"%s\" and source \"%s\"; the retry differs.",
								   id, rp_value(tup, td, rp_cols[0]), rp_value(tup, td, rp_cols[1]),
								   rp_value(tup, td, rp_cols[2])),
						 errhint("Use a new key for a new submission.")));
		}
		result = rp_row_datum(tup, td, relid);
	}
	SPI_finish();
	MemoryContextSwitchTo(callcxt);
	PG_RETURN_DATUM(result);
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
	shegu_refcache_subscribe(grid_relcache_cb);
	RegisterXactCallback(pending_xact_cb, NULL);
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = incident_executor_start;
	RegisterSubXactCallback(pending_subxact_cb, NULL);
}
