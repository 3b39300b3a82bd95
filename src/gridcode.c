/* SQL binding of the grid code type (网格编码): I/O, operators, index support, functions.
 * src/gridcode.c — the engine is src/engine/gridcode.c. */
#include "postgres.h"

#include "access/genam.h"
#include "access/hash.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_opfamily.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/sortsupport.h"
#include "utils/syscache.h"

#include "gridcode.h"
#include "refcache.h"
#include "core.h"

/* Version byte that leads the binary wire form. */
#define GRIDCODE_WIRE_VERSION 1

static const char *const length_hint =
"A grid code has 2, 4, 6, 9, 12, 15 or 18 digits: province 2, city 2, county 2, "
"township 3, village 3, grid 3, micro-grid 3.";
static const char *const zero_hint =
"A zero segment ends the code, except a zero city between 81 or 82 and a district "
"(810001) and a zero county between a city and a township (441900003).";
static const char *const separator_hint =
"Only digits, and one \"-\", \" \" or \".\" between two segments, are allowed.";

void
shegu_gridcode_report(const char *input, const shegu_gridcode_error *err, int sqlstate)
{
	switch (err->status)
	{
		case SHEGU_GC_EMPTY:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("The input is empty."),
					 errhint("%s", length_hint)));
			break;
		case SHEGU_GC_NON_DIGIT:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("Character \"%s\" at position %d is neither a digit nor a separator.",
							   err->character, err->position),
					 errhint("%s", separator_hint)));
			break;
		case SHEGU_GC_BAD_SEPARATOR:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("Separator \"%s\" at position %d does not stand alone between two segments.",
							   err->character, err->position),
					 errhint("%s", separator_hint)));
			break;
		case SHEGU_GC_TOO_LONG:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("It is too long: digit %d at position %d is past the 18 a grid code has.",
							   err->ndigits, err->position)));
			break;
		case SHEGU_GC_BAD_LENGTH:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail_plural("It has %d digit, which ends no level.",
									  "It has %d digits, which end no level.",
									  err->ndigits, err->ndigits),
					 errhint("%s", length_hint)));
			break;
		case SHEGU_GC_UNKNOWN_PROVINCE:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("\"%02d\" is not a province code of GB/T 2260.", err->province)));
			break;
		case SHEGU_GC_ZERO_GAP:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("Segment \"%s\" is non-zero under a zero \"%s\" segment.",
							   shegu_gridcode_level_name(err->level),
							   shegu_gridcode_level_name(err->zero_level)),
					 errhint("%s", zero_hint)));
			break;
		case SHEGU_GC_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("invalid grid code \"%s\"", input),
					 errdetail("A grid code is a positive number of at most 18 digits.")));
			break;
		case SHEGU_GC_OK:
			break;
	}
	elog(ERROR, "unexpected grid code status %d", (int) err->status);
}

/* The level argument of ancestor() and segment() must name a level. */
static void
check_level_argument(int32 level)
{
	if (level < 1 || level > SHEGU_GRIDCODE_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grid code level %d is out of range", level),
				 errdetail("Levels run from 1 (province) to 7 (micro-grid).")));
}

/* Is an operator family a B-tree one? */
static bool
opfamily_is_btree(Oid opfamily)
{
	HeapTuple	tup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
	bool		result;

	if (!HeapTupleIsValid(tup))
		return false;
	result = ((Form_pg_opfamily) GETSTRUCT(tup))->opfmethod == BTREE_AM_OID;
	ReleaseSysCache(tup);
	return result;
}

static int
gridcode_fastcmp(Datum a, Datum b, SortSupport ssup)
{
	shegu_gridcode x = DatumGetGridcode(a);
	shegu_gridcode y = DatumGetGridcode(b);

	return (x > y) - (x < y);
}

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(gridcode_in);
/* gridcode_in(cstring) → gridcode: digits with optional separators */
Datum
gridcode_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	shegu_gridcode code;
	shegu_gridcode_error err;

	if (shegu_gridcode_parse(s, strlen(s), &code, &err) != SHEGU_GC_OK)
		shegu_gridcode_report(s, &err, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_GRIDCODE(code);
}

PG_FUNCTION_INFO_V1(gridcode_out);
/* gridcode_out(gridcode) → cstring: canonical shortest digits */
Datum
gridcode_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(SHEGU_GRIDCODE_BUFLEN);

	shegu_gridcode_format(PG_GETARG_GRIDCODE(0), buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(gridcode_recv);
/* gridcode_recv(internal) → gridcode: version byte, then int8 of the padded digits */
Datum
gridcode_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	shegu_gridcode code;
	shegu_gridcode_error err;

	if (version != GRIDCODE_WIRE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary grid code version %d", version),
				 errdetail("This server reads version %d.", GRIDCODE_WIRE_VERSION)));
	code = (shegu_gridcode) pq_getmsgint64(buf);
	if (shegu_gridcode_check(code, &err) != SHEGU_GC_OK)
	{
		char		num[32];

		snprintf(num, sizeof(num), INT64_FORMAT, (int64) code);
		shegu_gridcode_report(num, &err, ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	PG_RETURN_GRIDCODE(code);
}

PG_FUNCTION_INFO_V1(gridcode_send);
/* gridcode_send(gridcode) → bytea */
Datum
gridcode_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, GRIDCODE_WIRE_VERSION);
	pq_sendint64(&buf, (int64) PG_GETARG_GRIDCODE(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- casts ---- */

PG_FUNCTION_INFO_V1(gridcode_from_int8);
/* gridcode(bigint): 430528 → '430528' */
Datum
gridcode_from_int8(PG_FUNCTION_ARGS)
{
	int64		v = PG_GETARG_INT64(0);
	shegu_gridcode code;
	shegu_gridcode_error err;

	if (shegu_gridcode_from_int(v, &code, &err) != SHEGU_GC_OK)
	{
		char		num[32];

		snprintf(num, sizeof(num), INT64_FORMAT, v);
		shegu_gridcode_report(num, &err, ERRCODE_INVALID_PARAMETER_VALUE);
	}
	PG_RETURN_GRIDCODE(code);
}

PG_FUNCTION_INFO_V1(gridcode_to_int8);
/* bigint(gridcode): '430528101' → 430528101 */
Datum
gridcode_to_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(shegu_gridcode_to_int(PG_GETARG_GRIDCODE(0)));
}

/* ---- comparison and hashing ---- */

#define GRIDCODE_CMP_FUNCTION(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(PG_GETARG_GRIDCODE(0) op PG_GETARG_GRIDCODE(1)); \
}

/* gridcode = < <= > >= <> gridcode: pre-order of the hierarchy */
GRIDCODE_CMP_FUNCTION(gridcode_eq, ==)
GRIDCODE_CMP_FUNCTION(gridcode_ne, !=)
GRIDCODE_CMP_FUNCTION(gridcode_lt, <)
GRIDCODE_CMP_FUNCTION(gridcode_le, <=)
GRIDCODE_CMP_FUNCTION(gridcode_gt, >)
GRIDCODE_CMP_FUNCTION(gridcode_ge, >=)

PG_FUNCTION_INFO_V1(gridcode_cmp);
/* B-tree support 1: -1, 0, 1 */
Datum
gridcode_cmp(PG_FUNCTION_ARGS)
{
	shegu_gridcode a = PG_GETARG_GRIDCODE(0);
	shegu_gridcode b = PG_GETARG_GRIDCODE(1);

	PG_RETURN_INT32((a > b) - (a < b));
}

PG_FUNCTION_INFO_V1(gridcode_sortsupport);
/* B-tree support 2: a fast comparator for sorts */
Datum
gridcode_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = gridcode_fastcmp;
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(gridcode_hash);
/* hash support 1: as bigint hashes */
Datum
gridcode_hash(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(hashint8, Int64GetDatum(PG_GETARG_GRIDCODE(0)));
}

PG_FUNCTION_INFO_V1(gridcode_hash_extended);
/* hash support 2: seeded, for hash partitioning */
Datum
gridcode_hash_extended(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall2(hashint8extended, Int64GetDatum(PG_GETARG_GRIDCODE(0)),
							   PG_GETARG_DATUM(1));
}

/* ---- hierarchy ---- */

PG_FUNCTION_INFO_V1(gridcode_contains);
/* a @> b: a is b or an ancestor of b */
Datum
gridcode_contains(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(shegu_gridcode_contains(PG_GETARG_GRIDCODE(0), PG_GETARG_GRIDCODE(1)));
}

PG_FUNCTION_INFO_V1(gridcode_contained);
/* b <@ a: b is a or a descendant of a */
Datum
gridcode_contained(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(shegu_gridcode_contains(PG_GETARG_GRIDCODE(1), PG_GETARG_GRIDCODE(0)));
}

PG_FUNCTION_INFO_V1(gridcode_subtree_last);
/* subtree_last(a): the largest code in a's subtree, the upper bound of a range scan */
Datum
gridcode_subtree_last(PG_FUNCTION_ARGS)
{
	PG_RETURN_GRIDCODE(shegu_gridcode_subtree_last(PG_GETARG_GRIDCODE(0)));
}

/*
 * Planner support for @> and <@: turn "col <@ x" (or "x @> col") into the B-tree
 * range "col >= x AND col <= subtree_last(x)", exactly (no recheck).  A constant x is
 * folded here; any other expression free of variables and volatile functions
 * (a prepared statement's parameter, say) is bound at run time.  column_arg is the
 * position (0 or 1) the indexed column must have in the operator's arguments.
 */
static Node *
subtree_range_quals(Node *rawreq, int column_arg)
{
	SupportRequestIndexCondition *req;
	OpExpr	   *clause;
	Node	   *column;
	Node	   *root;
	Node	   *upper;
	Oid			type,
				ge_op,
				le_op;

	if (!IsA(rawreq, SupportRequestIndexCondition))
		return NULL;
	req = (SupportRequestIndexCondition *) rawreq;
	if (!is_opclause(req->node) || req->indexarg != column_arg
		|| !opfamily_is_btree(req->opfamily))
		return NULL;
	clause = (OpExpr *) req->node;
	if (list_length(clause->args) != 2)
		return NULL;
	column = (Node *) list_nth(clause->args, column_arg);
	root = (Node *) list_nth(clause->args, 1 - column_arg);
	if (contain_var_clause(root) || contain_volatile_functions(root))
		return NULL;

	type = exprType(root);
	ge_op = get_opfamily_member(req->opfamily, type, type, BTGreaterEqualStrategyNumber);
	le_op = get_opfamily_member(req->opfamily, type, type, BTLessEqualStrategyNumber);
	if (!OidIsValid(ge_op) || !OidIsValid(le_op))
		return NULL;

	if (IsA(root, Const))
	{
		Const	   *c = (Const *) root;
		shegu_gridcode last;

		if (c->constisnull)
			return NULL;
		last = shegu_gridcode_subtree_last(DatumGetGridcode(c->constvalue));
		upper = (Node *) makeConst(type, -1, InvalidOid, sizeof(int64),
								   GridcodeGetDatum(last), false, true);
	}
	else
	{
		List	   *name = list_make2(makeString("shegu"), makeString("subtree_last"));
		Oid			argtypes[1] = {type};
		Oid			fn = LookupFuncName(name, 1, argtypes, true);

		if (!OidIsValid(fn))
			return NULL;
		upper = (Node *) makeFuncExpr(fn, type, list_make1(copyObject(root)),
									  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}

	req->lossy = false;
	return (Node *) list_make2(make_opclause(ge_op, BOOLOID, false,
											 (Expr *) copyObject(column),
											 (Expr *) copyObject(root),
											 InvalidOid, InvalidOid),
							   make_opclause(le_op, BOOLOID, false,
											 (Expr *) copyObject(column),
											 (Expr *) upper,
											 InvalidOid, InvalidOid));
}

PG_FUNCTION_INFO_V1(gridcode_contained_support);
/* planner support of <@ (column on the left): a B-tree range */
Datum
gridcode_contained_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(subtree_range_quals((Node *) PG_GETARG_POINTER(0), 0));
}

PG_FUNCTION_INFO_V1(gridcode_contains_support);
/* planner support of @> (column on the right): a B-tree range */
Datum
gridcode_contains_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(subtree_range_quals((Node *) PG_GETARG_POINTER(0), 1));
}

/* ---- navigation functions ---- */

PG_FUNCTION_INFO_V1(gridcode_level);
/* level(gridcode) → 1 province .. 7 micro-grid */
Datum
gridcode_level(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(shegu_gridcode_level(PG_GETARG_GRIDCODE(0)));
}

PG_FUNCTION_INFO_V1(gridcode_parent);
/* parent(gridcode) → the code one level up; NULL for a province */
Datum
gridcode_parent(PG_FUNCTION_ARGS)
{
	shegu_gridcode p = shegu_gridcode_parent(PG_GETARG_GRIDCODE(0));

	if (p == SHEGU_GRIDCODE_NONE)
		PG_RETURN_NULL();
	PG_RETURN_GRIDCODE(p);
}

PG_FUNCTION_INFO_V1(gridcode_ancestor);
/* ancestor(gridcode, level) → the code at that level; NULL if the code is higher */
Datum
gridcode_ancestor(PG_FUNCTION_ARGS)
{
	int32		level = PG_GETARG_INT32(1);
	shegu_gridcode a;

	check_level_argument(level);
	a = shegu_gridcode_ancestor(PG_GETARG_GRIDCODE(0), level);
	if (a == SHEGU_GRIDCODE_NONE)
		PG_RETURN_NULL();
	PG_RETURN_GRIDCODE(a);
}

PG_FUNCTION_INFO_V1(gridcode_segment);
/* segment(gridcode, level) → that segment's digits as text ('00' for a skipped level);
 * NULL if the code is higher */
Datum
gridcode_segment(PG_FUNCTION_ARGS)
{
	shegu_gridcode code = PG_GETARG_GRIDCODE(0);
	int32		level = PG_GETARG_INT32(1);
	char		buf[8];

	check_level_argument(level);
	if (level > shegu_gridcode_level(code))
		PG_RETURN_NULL();
	snprintf(buf, sizeof(buf), "%0*d", shegu_gridcode_segment_width(level),
			 shegu_gridcode_segment(code, level));
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

PG_FUNCTION_INFO_V1(gridcode_is_ancestor);
/* is_ancestor(a, b) → a is a proper ancestor of b (a <> b) */
Datum
gridcode_is_ancestor(PG_FUNCTION_ARGS)
{
	shegu_gridcode a = PG_GETARG_GRIDCODE(0);
	shegu_gridcode b = PG_GETARG_GRIDCODE(1);

	PG_RETURN_BOOL(a != b && shegu_gridcode_contains(a, b));
}

/* ---- names of divisions (区划名称): a per-backend cache over shegu.division ---- */

/*
 * Names are looked up by primary key on first use and remembered, found or not, in a hash
 * table in a child of CacheMemoryContext.  A relcache invalidation of shegu.division (sent by
 * its statement trigger on every change, and replayed locally when a transaction aborts) drops
 * the whole table; it is refilled lazily.  Lookups read the latest committed rows (and the
 * session's own uncommitted ones), as the working-day calendar does.
 */
typedef struct division_entry
{
	int64		code;			/* hash key */
	char	   *name;			/* NULL: no such division */
} division_entry;

static MemoryContext division_cxt = NULL;
static HTAB *division_names = NULL;
static bool division_valid = false;
static bool division_callback_registered = false;
static Oid	division_relid = InvalidOid;
static Oid	division_rows = InvalidOid;	/* holds the rows: the local shard on a Citus node */

static void
division_relcache_cb(Oid relid)
{
	if (relid == InvalidOid || relid == division_relid)
		division_valid = false;
}

/* A fresh, empty cache (the previous one, if any, is dropped). */
static void
division_reset(void)
{
	HASHCTL		ctl;

	if (!division_callback_registered)
	{
		shegu_refcache_subscribe(division_relcache_cb);
		division_callback_registered = true;
	}
	if (division_cxt == NULL)
		division_cxt = AllocSetContextCreate(CacheMemoryContext, "shegu division names",
											 ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(division_cxt);
	division_names = NULL;
	division_relid = get_relname_relid("division", get_namespace_oid("shegu", false));
	if (!OidIsValid(division_relid))
		elog(ERROR, "table shegu.division is missing");
	division_rows = shegu_table_storage(division_relid);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(division_entry);
	ctl.hcxt = division_cxt;
	division_names = hash_create("shegu division names", 256, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	division_valid = true;
}

/* Read one name by primary key; NULL when there is none.  Allocated in the caller's context. */
static char *
division_fetch(shegu_gridcode code)
{
	Relation	rel,
				idx;
	Oid			pkey;
	Oid			eq;
	Snapshot	snap;
	ScanKeyData key;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	a_name;
	char	   *result = NULL;

	rel = table_open(division_rows, AccessShareLock);
	pkey = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkey))
		elog(ERROR, "table shegu.division has no primary key");
	idx = index_open(pkey, AccessShareLock);
	eq = get_opfamily_member(idx->rd_opfamily[0], idx->rd_opcintype[0], idx->rd_opcintype[0],
							 BTEqualStrategyNumber);
	if (!OidIsValid(eq))
		elog(ERROR, "no equality operator for the primary key of shegu.division");
	a_name = get_attnum(division_rows, "name");
	if (a_name == InvalidAttrNumber)
		elog(ERROR, "column name of shegu.division is missing");

	snap = RegisterSnapshot(GetCatalogSnapshot(division_rows));
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, get_opcode(eq), GridcodeGetDatum(code));
	scan = index_beginscan(rel, idx, snap, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	slot = table_slot_create(rel, NULL);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		name = slot_getattr(slot, a_name, &isnull);

		if (!isnull)
			result = TextDatumGetCString(name);
	}
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	UnregisterSnapshot(snap);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return result;
}

/* The name of a division code, or NULL; from the cache when it can. */
static const char *
division_lookup(shegu_gridcode code)
{
	division_entry *e;
	bool		found;
	char	   *name;

	if (!division_valid || division_names == NULL)
		division_reset();
	e = hash_search(division_names, &code, HASH_FIND, &found);
	if (found)
		return e->name;
	name = division_fetch(code);
	/* Opening the table may have accepted an invalidation: start over, keep this answer. */
	if (!division_valid)
		division_reset();
	e = hash_search(division_names, &code, HASH_ENTER, &found);
	e->name = name != NULL ? MemoryContextStrdup(division_cxt, name) : NULL;
	if (name != NULL)
		pfree(name);
	return e->name;
}

PG_FUNCTION_INFO_V1(gridcode_division_name);
/* division_name(gridcode) → text: the division's name; NULL when not loaded */
Datum
gridcode_division_name(PG_FUNCTION_ARGS)
{
	const char *name = division_lookup(PG_GETARG_GRIDCODE(0));

	if (name == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(name));
}

PG_FUNCTION_INFO_V1(gridcode_division_path);
/* division_path(gridcode, separator) → text: names province first, down to level 5 at most */
Datum
gridcode_division_path(PG_FUNCTION_ARGS)
{
	shegu_gridcode code = PG_GETARG_GRIDCODE(0);
	char	   *sep = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			top = Min(shegu_gridcode_level(code), 5);
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	for (int level = 1; level <= top; level++)
	{
		shegu_gridcode a = shegu_gridcode_ancestor(code, level);
		const char *name;

		if (a == SHEGU_GRIDCODE_NONE)
			continue;			/* a skipped zero level */
		if (!first)
			appendStringInfoString(&buf, sep);
		first = false;
		name = division_lookup(a);
		if (name != NULL)
			appendStringInfoString(&buf, name);
		else
		{
			char		digits[SHEGU_GRIDCODE_BUFLEN];

			shegu_gridcode_format(a, digits);
			appendStringInfoString(&buf, digits);
		}
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(gridcode_division_names);
/* division_names(gridcode) → (province, city, county, township, village) */
Datum
gridcode_division_names(PG_FUNCTION_ARGS)
{
	shegu_gridcode code = PG_GETARG_GRIDCODE(0);
	TupleDesc	desc;
	Datum		values[5];
	bool		nulls[5];
	int			top = Min(shegu_gridcode_level(code), 5);

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "shegu.division_names must return a record");
	desc = BlessTupleDesc(desc);
	for (int level = 1; level <= 5; level++)
	{
		shegu_gridcode a = level <= top ? shegu_gridcode_ancestor(code, level) : SHEGU_GRIDCODE_NONE;
		const char *name = a != SHEGU_GRIDCODE_NONE ? division_lookup(a) : NULL;

		nulls[level - 1] = (name == NULL);
		values[level - 1] = name != NULL ? PointerGetDatum(cstring_to_text(name)) : (Datum) 0;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

PG_FUNCTION_INFO_V1(gridcode_division_invalidate);
/* trigger shegu.division_invalidate(): AFTER ... FOR EACH STATEMENT on shegu.division */
Datum
gridcode_division_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "shegu.division_invalidate() must be called as a trigger");
	shegu_invalidate_table(td->tg_relation);	/* on a Citus shard, the table's too */
	return PointerGetDatum(NULL);
}
