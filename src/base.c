/* The base-data room's binding (人、地、物、事、情、组织): identity numbers checked and sealed at
 * rest with pgcrypto, and the objects of the grid located by the lookup engine.
 * src/base.c */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "parser/parse_func.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine/gridcode.h"
#include "engine/idcard.h"
#include "base.h"
#include "gridcode.h"
#include "lookup.h"
#include "refcache.h"
#include "core.h"

/* shegu.pii_key: the secret the identity numbers are sealed with (superusers only). */
static char *pii_key = NULL;

/* pgcrypto's functions, found once per backend in the schema the extension lives in. */
static bool crypto_ready = false;
static FmgrInfo crypto_hmac;
static FmgrInfo crypto_encrypt_iv;
static FmgrInfo crypto_decrypt_iv;

/* The county codes (six digits) shegu.division holds, sorted; loaded once, dropped when the
 * table changes.  n_counties < 0: not loaded. */
static int *counties = NULL;
static int	n_counties = -1;
static Oid	division_relid = InvalidOid;

/* ---- static helpers ---- */

static void
base_relcache_callback(Oid relid)
{
	if (relid == InvalidOid || relid == division_relid)
	{
		if (counties)
			pfree(counties);
		counties = NULL;
		n_counties = -1;
	}
}

static int
int_cmp(const void *a, const void *b)
{
	int			x = *(const int *) a,
				y = *(const int *) b;

	return (x > y) - (x < y);
}

/* Loads the county codes of shegu.division (a failed load leaves nothing behind). */
static void
load_counties(void)
{
	MemoryContext old;
	int		   *buf;
	uint64		n;

	division_relid = get_relname_relid("division", get_namespace_oid("shegu", false));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT shegu.to_bigint(code)::int FROM shegu.division WHERE level = 3",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read shegu.division");
	n = SPI_processed;
	old = MemoryContextSwitchTo(TopMemoryContext);
	buf = palloc(sizeof(int) * (n > 0 ? n : 1));
	MemoryContextSwitchTo(old);
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		buf[i] = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	qsort(buf, n, sizeof(int), int_cmp);
	counties = buf;
	n_counties = (int) n;
}

/* Is the address code known: in shegu.division, or its province not loaded there at all? */
static bool
region_known(int region)
{
	int			lo = 0,
				hi;
	int			province = region / 10000;

	if (n_counties < 0)
		load_counties();
	hi = n_counties;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (counties[mid] < region)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n_counties && counties[lo] == region)
		return true;
	/* no county of this province loaded: nothing to check against */
	for (int i = 0; i < n_counties; i++)
		if (counties[i] / 10000 == province)
			return false;
	return true;
}

/* Today in the session's time zone as yyyymmdd. */
static int
today_ymd(void)
{
	DateADT		d = DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
														TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	return y * 10000 + m * 100 + dd;
}

/* What an error message may show of an identity number: its address code and last four. */
static char *
shown(const char *s)
{
	size_t		n = strlen(s);

	if (n != SHEGU_IDCARD_LEN)
		return psprintf("%.6s… (%zu characters)", n >= 6 ? s : "", n);
	return psprintf("%.6s%s%s", s, "********", s + n - 4);
}

/*
 * Checks a citizen identity number; returns its canonical form, or raises 22023 naming what is
 * wrong (the number shown masked, so that server logs hold no full number).  With fill, the
 * parsed fields go to *out.
 */
static char *
check_id_number(const char *s, shegu_idcard *out, bool raise)
{
	shegu_idcard id;
	shegu_idcard_status st = shegu_idcard_parse(s, strlen(s), today_ymd(), &id);

	if (out)
		*out = id;
	if (st == SHEGU_IDC_OK && !region_known(id.region))
	{
		if (!raise)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("identity number %s is not valid: its address code %06d is not in shegu.division",
						shown(id.canon), id.region),
				 errdetail("shegu.division holds counties of province %02d, but not %06d.",
						   id.region / 10000, id.region),
				 errhint("A person born in a county since abolished keeps its old code: load the division list of the year that still has it (shegu.load_divisions adds codes), or correct the number.")));
	}
	if (st == SHEGU_IDC_OK)
		return pstrdup(id.canon);
	if (!raise)
		return NULL;
	if (st == SHEGU_IDC_CHECK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("identity number %s is not valid: %s", shown(id.canon), shegu_idcard_status_text(st)),
				 errdetail("Its first 17 digits call for the check character %c, not %c (GB 11643, ISO 7064 MOD 11-2).",
						   id.check, id.canon[17]),
				 errhint("A digit was probably mistyped: read the card again.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("identity number %s is not valid: %s", shown(s), shegu_idcard_status_text(st)),
			 errdetail("A citizen identity number (公民身份号码, GB 11643) is 18 characters: a six-digit address code, the date of birth as yyyymmdd, a three-digit sequence and a check character (0-9 or X)."),
			 st == SHEGU_IDC_LENGTH && strlen(s) == 15
			 ? errhint("A 15-digit first-generation number is no longer valid: ask for the 18-digit number on the second-generation card.")
			 : 0));
	return NULL;				/* not reached */
}

/* Canonical form of a document number of id_kind (errors name what is wrong). */
static char *
canonical_number(const char *kind, const char *number, shegu_idcard *parsed)
{
	if (strcmp(kind, "resident_id") == 0 || strcmp(kind, "foreign_permanent") == 0)
		return check_id_number(number, parsed, true);
	else
	{
		const char *s = number;
		size_t		n;
		char	   *out;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0 || n > 32)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("document number of kind %s is %s", kind, n == 0 ? "empty" : "longer than 32 characters")));
		out = pnstrdup(s, n);
		for (size_t i = 0; i < n; i++)
		{
			char		c = out[i];

			if (c >= 'a' && c <= 'z')
				out[i] = c - 'a' + 'A';
			else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("document number of kind %s holds the character \"%c\"", kind, c),
						 errdetail("Passport and permit numbers are letters, digits and hyphens.")));
		}
		return out;
	}
}

static void
require_key(void)
{
	if (pii_key == NULL || strlen(pii_key) < 16)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shegu.pii_key is %s", pii_key == NULL || *pii_key == '\0' ? "not set" : "shorter than 16 characters"),
				 errdetail("Identity numbers are stored sealed with this key (pgcrypto), which is kept outside the database and its dumps."),
				 errhint("Put shegu.pii_key = '<32 or more random characters>' in postgresql.conf and reload (openssl rand -base64 32 makes one).")));
}

static void
lookup_crypto(FmgrInfo *finfo, Oid nsp, const char *name, int nargs, Oid *types)
{
	Oid			fn = LookupFuncName(list_make2(makeString(get_namespace_name(nsp)), makeString(pstrdup(name))),
									nargs, types, false);

	fmgr_info_cxt(fn, finfo, TopMemoryContext);
}

static void
require_crypto(void)
{
	Oid			ext,
				nsp;
	Oid			t3[3] = {BYTEAOID, BYTEAOID, TEXTOID};
	Oid			t4[4] = {BYTEAOID, BYTEAOID, BYTEAOID, TEXTOID};

	require_key();
	if (crypto_ready)
		return;
	ext = get_extension_oid("pgcrypto", true);
	if (!OidIsValid(ext))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension pgcrypto is not installed in this database"),
				 errdetail("shegu seals identity numbers at rest with pgcrypto."),
				 errhint("CREATE EXTENSION pgcrypto;")));
	/* the schema pgcrypto lives in (get_extension_schema is not exported in PostgreSQL 15) */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT extnamespace FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto'", true, 1)
		!= SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not find the schema of pgcrypto");
	{
		bool		isnull;

		nsp = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	lookup_crypto(&crypto_hmac, nsp, "hmac", 3, t3);
	lookup_crypto(&crypto_encrypt_iv, nsp, "encrypt_iv", 4, t4);
	lookup_crypto(&crypto_decrypt_iv, nsp, "decrypt_iv", 4, t4);
	crypto_ready = true;
}

static bytea *
bytes(const void *p, size_t n)
{
	bytea	   *b = palloc(VARHDRSZ + n);

	SET_VARSIZE(b, VARHDRSZ + n);
	memcpy(VARDATA(b), p, n);
	return b;
}

/* The AES-256 key: SHA-256 of "shegu-seal:" and the secret (the MAC uses the secret itself). */
static bytea *
seal_key(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0
		|| pg_cryptohash_update(ctx, (const uint8 *) "shegu-seal:", 11) < 0
		|| pg_cryptohash_update(ctx, (const uint8 *) pii_key, strlen(pii_key)) < 0
		|| pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256");
	pg_cryptohash_free(ctx);
	return bytes(digest, sizeof(digest));
}

/* HMAC-SHA256 of "kind:number" under the secret: the indexed lookup key. */
static bytea *
number_hash(const char *kind, const char *canon)
{
	char	   *msg = psprintf("%s:%s", kind, canon);

	return DatumGetByteaPP(FunctionCall3(&crypto_hmac, PointerGetDatum(bytes(msg, strlen(msg))),
										 PointerGetDatum(bytes(pii_key, strlen(pii_key))),
										 CStringGetTextDatum("sha256")));
}

/* iv (16 bytes, the head of the hash) || AES-256-CBC of the number. */
static bytea *
number_seal(const char *canon, bytea *hash)
{
	bytea	   *iv = bytes(VARDATA_ANY(hash), 16);
	bytea	   *ct = DatumGetByteaPP(FunctionCall4(&crypto_encrypt_iv,
												   PointerGetDatum(bytes(canon, strlen(canon))),
												   PointerGetDatum(seal_key()), PointerGetDatum(iv),
												   CStringGetTextDatum("aes-cbc/pad:pkcs")));
	size_t		n = VARSIZE_ANY_EXHDR(ct);
	bytea	   *out = palloc(VARHDRSZ + 16 + n);

	SET_VARSIZE(out, VARHDRSZ + 16 + n);
	memcpy(VARDATA(out), VARDATA(iv), 16);
	memcpy(VARDATA(out) + 16, VARDATA_ANY(ct), n);
	return out;
}

static int
column(Relation rel, const char *name)
{
	int			att = SPI_fnumber(RelationGetDescr(rel), name);

	if (att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("relation \"%s\" has no column \"%s\"", RelationGetRelationName(rel), name)));
	return att;
}

static void
require_row_trigger(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s was not called as a trigger", fname)));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event)
		|| !(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must fire BEFORE INSERT OR UPDATE FOR EACH ROW", fname)));
}

/* ---- load-time set-up ---- */

void
shegu_base_init(void)
{
	DefineCustomStringVariable("shegu.pii_key",
							   "Secret that seals identity numbers at rest (pgcrypto AES-256 and HMAC-SHA256).",
							   "Keep it in postgresql.conf, outside the database and its dumps; 16 characters at least.",
							   &pii_key, NULL, PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);
	shegu_refcache_subscribe(base_relcache_callback);
}

/* ---- SQL-callable functions ---- */

PG_FUNCTION_INFO_V1(base_id_number_check);
/* shegu.id_number_check(text) RETURNS text: the canonical number, or an error saying what is wrong */
Datum
base_id_number_check(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(check_id_number(s, NULL, true)));
}

PG_FUNCTION_INFO_V1(base_id_number_valid);
/* shegu.id_number_valid(text) RETURNS boolean */
Datum
base_id_number_valid(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(check_id_number(s, NULL, false) != NULL);
}

PG_FUNCTION_INFO_V1(base_id_number_birth_date);
/* shegu.id_number_birth_date(text) RETURNS date: the date of birth a valid number holds */
Datum
base_id_number_birth_date(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	shegu_idcard id;

	check_id_number(s, &id, true);
	PG_RETURN_DATEADT(date2j(id.year, id.month, id.day) - POSTGRES_EPOCH_JDATE);
}

PG_FUNCTION_INFO_V1(base_uscc_check);
/* shegu.uscc_check(text) RETURNS text: a unified social credit code, canonical, or an error */
Datum
base_uscc_check(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		canon[SHEGU_USCC_LEN + 1];
	char		expected;
	shegu_uscc_status st = shegu_uscc_parse(s, strlen(s), canon, &expected);

	if (st == SHEGU_USCC_CHECK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unified social credit code \"%s\" is not valid: %s", canon, shegu_uscc_status_text(st)),
				 errdetail("Its first 17 characters call for the check character %c, not %c (GB 32100).",
						   expected, canon[17])));
	if (st != SHEGU_USCC_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unified social credit code \"%s\" is not valid: %s", s, shegu_uscc_status_text(st)),
				 errdetail("A unified social credit code (统一社会信用代码, GB 32100) is 18 characters of 0-9 and A-Z without I, O, S, V and Z.")));
	PG_RETURN_TEXT_P(cstring_to_text(canon));
}

PG_FUNCTION_INFO_V1(base_id_hash);
/* shegu.id_hash(id_kind text, number text) RETURNS bytea: the indexed lookup key of a number */
Datum
base_id_hash(PG_FUNCTION_ARGS)
{
	char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *number = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *canon;

	require_crypto();
	canon = canonical_number(kind, number, NULL);
	PG_RETURN_BYTEA_P(number_hash(kind, canon));
}

PG_FUNCTION_INFO_V1(base_id_open);
/* shegu.id_open(sealed bytea) RETURNS text: the clear number (owner and definer functions only) */
Datum
base_id_open(PG_FUNCTION_ARGS)
{
	bytea	   *sealed = PG_GETARG_BYTEA_PP(0);
	size_t		n = VARSIZE_ANY_EXHDR(sealed);
	bytea	   *clear;

	require_crypto();
	if (n <= 16)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("sealed identity number of %zu bytes is too short", n)));
	clear = DatumGetByteaPP(FunctionCall4(&crypto_decrypt_iv,
										  PointerGetDatum(bytes(VARDATA_ANY(sealed) + 16, n - 16)),
										  PointerGetDatum(seal_key()),
										  PointerGetDatum(bytes(VARDATA_ANY(sealed), 16)),
										  CStringGetTextDatum("aes-cbc/pad:pkcs")));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(VARDATA_ANY(clear), VARSIZE_ANY_EXHDR(clear)));
}

PG_FUNCTION_INFO_V1(base_person_seal);
/* shegu.person_seal() RETURNS trigger: checks and seals id_number into id_hash, id_sealed and
 * id_masked, fills or checks birth_date and sex, and leaves id_number NULL */
Datum
base_person_seal(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			a_number,
				a_kind,
				a_hash,
				a_sealed,
				a_masked,
				a_birth,
				a_sex;
	bool		isnull;
	Datum		d;
	char	   *kind,
			   *canon;
	shegu_idcard id;
	bool		citizen;
	int			cols[5];
	Datum		vals[5];
	bool		nulls[5] = {false, false, false, false, false};
	int			ncols = 0;
	char		masked[SHEGU_IDCARD_LEN + 1];
	bytea	   *hash;

	require_row_trigger(fcinfo, "shegu.person_seal()");
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;

	/* a stored row coming back in a restore has id_number NULL and passes below as it is; a row
	 * with a number in clear is sealed whoever loads it */
	a_number = column(rel, "id_number");
	d = heap_getattr(tup, a_number, desc, &isnull);
	if (isnull)
		return PointerGetDatum(tup);
	a_kind = column(rel, "id_kind");
	a_hash = column(rel, "id_hash");
	a_sealed = column(rel, "id_sealed");
	a_masked = column(rel, "id_masked");
	a_birth = column(rel, "birth_date");
	a_sex = column(rel, "sex");

	{
		Datum		k = heap_getattr(tup, a_kind, desc, &isnull);

		kind = isnull ? "resident_id" : TextDatumGetCString(k);
	}
	require_crypto();
	memset(&id, 0, sizeof(id));
	canon = canonical_number(kind, TextDatumGetCString(d), &id);
	citizen = strcmp(kind, "resident_id") == 0 || strcmp(kind, "foreign_permanent") == 0;
	hash = number_hash(kind, canon);

	cols[ncols] = a_number, nulls[ncols] = true, vals[ncols++] = (Datum) 0;
	cols[ncols] = a_hash, vals[ncols++] = PointerGetDatum(hash);
	cols[ncols] = a_sealed, vals[ncols++] = PointerGetDatum(number_seal(canon, hash));
	if (citizen)
	{
		DateADT		born = date2j(id.year, id.month, id.day) - POSTGRES_EPOCH_JDATE;
		Datum		given;

		shegu_idcard_mask(&id, masked);
		given = heap_getattr(tup, a_birth, desc, &isnull);
		if (!isnull && DatumGetDateADT(given) != born)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("birth date %s disagrees with identity number %s, which says %04d-%02d-%02d",
							DatumGetCString(DirectFunctionCall1(date_out, given)), shown(canon),
							id.year, id.month, id.day),
					 errhint("Leave birth_date NULL: it is taken from the number.")));
		given = heap_getattr(tup, a_sex, desc, &isnull);
		if (!isnull && strcmp(TextDatumGetCString(given), id.sex == 1 ? "male" : "female") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("sex %s disagrees with identity number %s, whose 17th digit says %s",
							TextDatumGetCString(given), shown(canon), id.sex == 1 ? "male" : "female"),
					 errhint("Leave sex NULL: it is taken from the number.")));
		cols[ncols] = a_masked, vals[ncols++] = CStringGetTextDatum(masked);
		cols[ncols] = a_birth, vals[ncols++] = DateADTGetDatum(born);
		tup = heap_modify_tuple_by_cols(tup, desc, ncols, cols, vals, nulls);
		cols[0] = a_sex;
		vals[0] = CStringGetTextDatum(id.sex == 1 ? "male" : "female");
		nulls[0] = false;
		tup = heap_modify_tuple_by_cols(tup, desc, 1, cols, vals, nulls);
	}
	else
	{
		size_t		n = strlen(canon);

		/* a passport or permit: its first two and last two characters */
		snprintf(masked, sizeof(masked), "%.2s%s%s", canon, n > 4 ? "****" : "", n > 4 ? canon + n - 2 : "");
		cols[ncols] = a_masked, vals[ncols++] = CStringGetTextDatum(masked);
		tup = heap_modify_tuple_by_cols(tup, desc, ncols, cols, vals, nulls);
	}
	return PointerGetDatum(tup);
}

PG_FUNCTION_INFO_V1(base_locate);
/* shegu.base_locate() RETURNS trigger: sets grid to the grid covering (lon, lat) on the day of
 * column since; refuses a point outside every grid or off the map */
Datum
base_locate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			a_lon,
				a_lat,
				a_since,
				a_grid;
	bool		lon_null,
				lat_null,
				since_null;
	double		lon,
				lat;
	DateADT		day;
	shegu_gridcode code;
	int			cols[1];
	Datum		vals[1];
	bool		nulls[1] = {false};
	const char *what;

	require_row_trigger(fcinfo, "shegu.base_locate()");
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	a_grid = column(rel, "grid");
	/* a restore brings rows back with the grid they had (perhaps drawn since): taken as they are;
	 * a row without a grid is located whoever loads it */
	if (shegu_restore_load(rel) && !heap_attisnull(tup, a_grid, RelationGetDescr(rel)))
		return PointerGetDatum(tup);
	what = td->tg_trigger->tgnargs > 0 ? td->tg_trigger->tgargs[0] : RelationGetRelationName(rel);
	a_lon = column(rel, "lon");
	a_lat = column(rel, "lat");
	a_since = column(rel, "since");
	lon = DatumGetFloat8(heap_getattr(tup, a_lon, desc, &lon_null));
	lat = DatumGetFloat8(heap_getattr(tup, a_lat, desc, &lat_null));
	if (lon_null || lat_null)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("a %s needs its position: lon and lat are NULL", what),
				 errhint("Give the WGS-84 longitude and latitude (shegu.gcj02_to_wgs84 converts a point read off a Chinese web map).")));
	if (isnan(lon) || isnan(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s position (%g, %g) is not a longitude and latitude", what, lon, lat),
				 errdetail("Longitude must lie in -180..180 and latitude in -90..90 (WGS-84 degrees).")));
	day = DatumGetDateADT(heap_getattr(tup, a_since, desc, &since_null));
	if (since_null || DATE_NOT_FINITE(day))
		day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
												  TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
	code = shegu_lookup_locate(lon, lat, day);
	if (code == SHEGU_GRIDCODE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("%s at (%g, %g) lies outside every grid on %s", what, lon, lat,
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
				 errdetail("Every object of the base data belongs to a grid (全部纳入网格管理, seed 003)."),
				 errhint("Check the position (longitude first), or draw the grid that covers it first.")));
	cols[0] = a_grid;
	vals[0] = GridcodeGetDatum(code);
	return PointerGetDatum(heap_modify_tuple_by_cols(tup, desc, 1, cols, vals, nulls));
}
