/* Helpers every binding uses: where PostGIS lives, versions, table checks, restore loads, cache
 * invalidation.  src/core.c — declared in src/core.h; apart from _PG_init, so no circle. */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "core.h"

Oid
shegu_postgis_namespace(void)
{
	Oid			ext = get_extension_oid("postgis", false);
	Oid			nsp = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	/* pg_extension has no syscache in PostgreSQL 15: scan its OID index. */
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(nsp))
		elog(ERROR, "extension postgis has no schema");
	return nsp;
}

char *
shegu_installed_version(void)
{
	char	   *version = pstrdup("(none)");
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("shegu"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);

		if (!isnull)
			version = TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

void
shegu_error_old_shape(Relation rel, const char *column)
{
	char	   *nsp = get_namespace_name(RelationGetNamespace(rel));
	char	   *installed = shegu_installed_version();	/* before ereport starts */

	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("column \"%s\" is missing from table %s.%s", column,
					nsp ? nsp : "?", RelationGetRelationName(rel)),
			 errdetail("The extension shegu is at version %s in this database; the library shegu.so is version %s.",
					   installed, SHEGU_LIBRARY_VERSION),
			 errhint("Run ALTER EXTENSION shegu UPDATE.")));
}

void
shegu_require_columns(const char *relname, const char *const *columns, int n)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid("shegu", false));

	if (!OidIsValid(relid))
		return;					/* the query names it and reports it */
	for (int i = 0; i < n; i++)
		if (get_attnum(relid, columns[i]) == InvalidAttrNumber)
			shegu_error_old_shape(table_open(relid, AccessShareLock), columns[i]);
}

Oid
shegu_geometry_type(void)
{
	Oid			type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum("geometry"),
									   ObjectIdGetDatum(shegu_postgis_namespace()));

	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type geometry of extension postgis was not found")));
	return type;
}

/*
 * Is the statement running now a restore load into rel?  True when the top-level statement is
 * COPY ... FROM into rel itself (as pg_restore and the scripts of pg_dump load every table) and
 * the user is a superuser, owns rel or owns the database: roles that could disable the table's
 * triggers anyway, or who restore the database they own.  Such rows are stored rows coming back,
 * not new input: the triggers take them as they are.
 */
bool
shegu_restore_load(Relation rel)
{
	PlannedStmt *ps;
	CopyStmt   *copy;
	Oid			user = GetUserId();

	if (ActivePortal == NULL || ActivePortal->commandTag != CMDTAG_COPY ||
		list_length(ActivePortal->stmts) != 1)
		return false;
	ps = linitial_node(PlannedStmt, ActivePortal->stmts);
	if (ps->commandType != CMD_UTILITY || ps->utilityStmt == NULL || !IsA(ps->utilityStmt, CopyStmt))
		return false;
	copy = (CopyStmt *) ps->utilityStmt;
	if (!copy->is_from || copy->relation == NULL ||
		RangeVarGetRelid(copy->relation, NoLock, true) != RelationGetRelid(rel))
		return false;
	return superuser() || pg_class_ownercheck(RelationGetRelid(rel), user) ||
		pg_database_ownercheck(MyDatabaseId, user);
}

void
shegu_invalidate_table(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	const char *us = strrchr(name, '_');

	CacheInvalidateRelcache(rel);
	if (us != NULL && us > name && us[1] != '\0' && strspn(us + 1, "0123456789") == strlen(us + 1))
	{
		char	   *table = pnstrdup(name, us - name);
		Oid			relid = get_relname_relid(table, RelationGetNamespace(rel));

		if (OidIsValid(relid))
			CacheInvalidateRelcacheByRelid(relid);
	}
}

Oid
shegu_table_storage(Oid relid)
{
	Oid			storage = relid;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];

	if (!OidIsValid(get_extension_oid("citus", true)))
		return relid;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(relid);
	/* a reference table has one shard, with a placement on every node of the metadata */
	if (SPI_execute_with_args("SELECT s.shardid FROM pg_catalog.pg_dist_shard AS s"
							  " JOIN pg_catalog.pg_dist_partition AS p USING (logicalrelid)"
							  " WHERE s.logicalrelid = $1 AND p.partmethod = 'n'",
							  1, argtypes, args, NULL, true, 2) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		bool		isnull;
		int64		shard = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		char	   *name = psprintf("%s_" INT64_FORMAT, get_rel_name(relid), shard);
		Oid			shard_relid = get_relname_relid(name, get_rel_namespace(relid));

		if (!isnull && OidIsValid(shard_relid))
			storage = shard_relid;
	}
	SPI_finish();
	return storage;
}
