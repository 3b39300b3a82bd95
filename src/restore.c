/* Dump and restore: the guard of shipped rows, so that a user's edit of a row shegu ships is dumped
 * and comes back on restore.  src/restore.c — declared by src/restore.sql; rules in docs/restore.md. */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "core.h"

#define ERRCODE_SHEGU_SHIPPED_ROW	MAKE_SQLSTATE('S','G','R','0','1')

typedef struct Guarded
{
	Relation	rel;
	TupleDesc	desc;
	int			shipped;		/* 0-based attribute index of "shipped" */
	int			nkeys;
	AttrNumber	keys[INDEX_MAX_KEYS];	/* 1-based attribute numbers of the primary key */
} Guarded;

static void
guarded_open(Guarded *g, Relation rel)
{
	Oid			pk = RelationGetPrimaryKeyIndex(rel);
	Relation	irel;
	int			n;

	g->rel = rel;
	g->desc = RelationGetDescr(rel);
	n = SPI_fnumber(g->desc, "shipped");
	if (n <= 0 || TupleDescAttr(g->desc, n - 1)->atttypid != BOOLOID)
		elog(ERROR, "table %s has no boolean column \"shipped\"", RelationGetRelationName(rel));
	g->shipped = n - 1;
	if (!OidIsValid(pk))
		elog(ERROR, "table %s has no primary key", RelationGetRelationName(rel));
	irel = index_open(pk, AccessShareLock);
	g->nkeys = irel->rd_index->indnkeyatts;
	for (int i = 0; i < g->nkeys; i++)
		g->keys[i] = irel->rd_index->indkey.values[i];
	index_close(irel, AccessShareLock);
}

static bool
is_shipped(Guarded *g, HeapTuple tup)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, g->shipped + 1, g->desc, &isnull);

	return !isnull && DatumGetBool(d);
}

/* Are attribute attno (1-based) of a and b the same value (bit for bit, NULL equal to NULL)? */
static bool
same_value(Guarded *g, HeapTuple a, HeapTuple b, AttrNumber attno)
{
	Form_pg_attribute att = TupleDescAttr(g->desc, attno - 1);
	bool		na,
				nb;
	Datum		da = heap_getattr(a, attno, g->desc, &na);
	Datum		db = heap_getattr(b, attno, g->desc, &nb);

	if (na || nb)
		return na == nb;
	return datum_image_eq(da, db, att->attbyval, att->attlen);
}

/* The primary key of a row, for messages: (a, b). */
static char *
key_text(Guarded *g, HeapTuple tup)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (int i = 0; i < g->nkeys; i++)
	{
		char	   *v = SPI_getvalue(tup, g->desc, g->keys[i]);

		appendStringInfo(&s, "%s%s", i > 0 ? ", " : "", v ? v : "NULL");
	}
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * A restored row whose key is that of a shipped row: the user's edit of that row, dumped because
 * the edit made it the user's.  Writes its values over the shipped row CREATE EXTENSION put back;
 * true when there was such a row.
 */
static bool
restore_over_shipped(Guarded *g, HeapTuple tup)
{
	StringInfoData q;
	int			natts = g->desc->natts;
	Oid		   *types = palloc(sizeof(Oid) * natts);
	Datum	   *values = palloc(sizeof(Datum) * natts);
	char	   *nulls = palloc(sizeof(char) * natts);
	int			nargs = 0;
	bool		first = true;
	int			ret;

	initStringInfo(&q);
	appendStringInfo(&q, "UPDATE ONLY %s.%s SET ",
					 quote_identifier(get_namespace_name(RelationGetNamespace(g->rel))),
					 quote_identifier(RelationGetRelationName(g->rel)));
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(g->desc, i);
		bool		isnull;

		if (att->attisdropped || att->attgenerated)
			continue;
		values[nargs] = heap_getattr(tup, i + 1, g->desc, &isnull);
		nulls[nargs] = isnull ? 'n' : ' ';
		types[nargs] = att->atttypid;
		nargs++;
		appendStringInfo(&q, "%s%s = $%d", first ? "" : ", ", quote_identifier(NameStr(att->attname)), nargs);
		first = false;
	}
	appendStringInfoString(&q, " WHERE ");
	for (int i = 0; i < g->nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(g->desc, g->keys[i] - 1);
		bool		isnull;

		values[nargs] = heap_getattr(tup, g->keys[i], g->desc, &isnull);
		nulls[nargs] = isnull ? 'n' : ' ';
		types[nargs] = att->atttypid;
		nargs++;
		appendStringInfo(&q, "%s OPERATOR(pg_catalog.=) $%d AND ", quote_identifier(NameStr(att->attname)), nargs);
	}
	appendStringInfo(&q, "%s", quote_identifier(NameStr(TupleDescAttr(g->desc, g->shipped)->attname)));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(q.data, nargs, types, values, nulls, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "cannot restore over the shipped row: %s", SPI_result_code_string(ret));
	ret = SPI_processed > 0;
	SPI_finish();
	return ret;
}

/*
 * Is rel a Citus shard of a guarded table (name_<shard id>, which Citus fills when it makes the
 * table a reference table) rather than the table itself?  The guard's triggers are copied onto
 * shards, but only the extension's own table is a member of the extension.  Error paths only.
 */
static bool
citus_shard(Relation rel)
{
	return !OidIsValid(getExtensionOfObject(RelationRelationId, RelationGetRelid(rel)));
}

PG_FUNCTION_INFO_V1(restore_shipped_row_guard);
/* SQL: trigger BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on the tables with shipped rows. */
Datum
restore_shipped_row_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Guarded		g;
	const char *relname;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function shipped_row_guard was not called by the trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "shipped_row_guard must fire BEFORE ... FOR EACH ROW");
	guarded_open(&g, td->tg_relation);
	relname = RelationGetRelationName(td->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		HeapTuple	new = td->tg_trigtuple;

		if (is_shipped(&g, new) && !creating_extension && !citus_shard(td->tg_relation))
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_SHIPPED_ROW),
					 errmsg("a new row of shegu.%s cannot be marked shipped", relname),
					 errdetail("Only CREATE EXTENSION and ALTER EXTENSION UPDATE write shipped rows; pg_dump leaves them out."),
					 errhint("Leave shipped out of the INSERT (it defaults to false).")));
		if (!creating_extension && shegu_restore_load(td->tg_relation) && restore_over_shipped(&g, new))
			return PointerGetDatum(NULL);
		return PointerGetDatum(new);
	}
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (is_shipped(&g, td->tg_trigtuple) && !creating_extension && !citus_shard(td->tg_relation))
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_SHIPPED_ROW),
					 errmsg("cannot delete shipped row %s of shegu.%s", key_text(&g, td->tg_trigtuple), relname),
					 errdetail("CREATE EXTENSION would put it back on restore, so the deletion would not survive a dump."),
					 errhint("Change the row instead: an edited shipped row is yours and is dumped.")));
		return PointerGetDatum(td->tg_trigtuple);
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	old = td->tg_trigtuple;
		HeapTuple	new = td->tg_newtuple;
		bool		old_shipped = is_shipped(&g, old);
		bool		new_shipped = is_shipped(&g, new);

		if (creating_extension)
			return PointerGetDatum(new);
		if (!old_shipped && new_shipped)
			ereport(ERROR,
					(errcode(ERRCODE_SHEGU_SHIPPED_ROW),
					 errmsg("row %s of shegu.%s cannot be marked shipped", key_text(&g, old), relname),
					 errdetail("pg_dump leaves shipped rows out: the row would be lost on restore.")));
		if (!old_shipped)
			return PointerGetDatum(new);
		for (int i = 0; i < g.nkeys; i++)
			if (!same_value(&g, old, new, g.keys[i]))
				ereport(ERROR,
						(errcode(ERRCODE_SHEGU_SHIPPED_ROW),
						 errmsg("cannot change the key of shipped row %s of shegu.%s", key_text(&g, old), relname),
						 errdetail("CREATE EXTENSION would put the old key back on restore."),
						 errhint("Add a row with the new key instead.")));
		if (new_shipped)
		{
			bool		changed = false;

			for (int i = 1; i <= g.desc->natts && !changed; i++)
				if (i != g.shipped + 1 && !TupleDescAttr(g.desc, i - 1)->attisdropped)
					changed = !same_value(&g, old, new, i);
			if (changed)
			{
				/* the edited row is the user's now: pg_dump keeps it */
				int			col = g.shipped + 1;
				Datum		f = BoolGetDatum(false);
				bool		n = false;

				new = heap_modify_tuple_by_cols(new, g.desc, 1, &col, &f, &n);
			}
		}
		return PointerGetDatum(new);
	}
	elog(ERROR, "shipped_row_guard fired by an unexpected event");
	return PointerGetDatum(NULL);
}
