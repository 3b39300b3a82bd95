/* SQL binding of the social governance index (社会治理指数): compute_index, uncertainty,
 * AHP and entropy weights, effective weights, the wmean/wgmean aggregates.
 * src/index.c — the mathematics is src/engine/composite.c. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "engine/composite.h"
#include "gridcode.h"
#include "index.h"

/* ---- a model and one period's data, loaded and normalised ---- */

typedef enum rollup_rule
{
	ROLLUP_SUM,
	ROLLUP_MEAN,
	ROLLUP_WMEAN,
	ROLLUP_MAX,
	ROLLUP_MIN
} rollup_rule;

typedef enum missing_rule
{
	MISSING_OMIT,
	MISSING_PARENT_MEAN,
	MISSING_CARRY_FORWARD
} missing_rule;

typedef struct node_def
{
	char	   *code;
	char	   *parent_code;
	double		weight;
	shegu_agg_method agg;
	shegu_norm_spec norm;
	rollup_rule rollup;
	missing_rule missing;
	bool		has_veto_below,
				has_veto_above;
	double		veto_below,
				veto_above;
	double		per_population; /* > 0: value x per_population / population */
} node_def;

typedef struct loaded
{
	char	   *model;
	DateADT		period;
	int			level;
	double		scale;
	double		min_share;
	double		zero_floor;
	char	   *population;		/* indicator code of the population, or NULL */
	bool		veto_register;	/* units vetoed in the register of major events are vetoed */
	bool		pop_column;		/* cells carry the units' population in column nnodes */

	int			nnodes;			/* nodes in preorder: 0 is the root */
	node_def   *node;
	int		   *parent;
	int		   *postorder;
	int		   *child_start;
	int		   *child;
	bool	   *is_leaf;
	shegu_agg_method *agg;
	double	   *min_share_of;
	double	   *weight;
	int		   *by_code;		/* node indices sorted by code (strcmp) */

	int			nunits;
	shegu_gridcode *unit;		/* sorted */
	double	   *raw;			/* nunits x nnodes, leaves only */
	bool	   *raw_present;
	bool	   *imputed;		/* nunits x nnodes; non-leaf: any descendant */
	bool	   *vetoed;			/* nunits x nnodes; non-leaf: any descendant */
	char	  **register_veto;	/* nunits, NULL when none: the major events vetoing the unit */
	double	   *score;			/* nunits x nnodes */
	bool	   *present;
	shegu_tree	tree;
} loaded;

/* per (unit, leaf) accumulator of the roll-up */
typedef struct cell
{
	double		acc;			/* sum, max, min, or population-weighted sum */
	double		aux;			/* count, or population sum */
	double		direct;			/* the value recorded at the unit itself */
	bool		has_direct;
} cell;

typedef struct unit_entry
{
	int64		code;
	int			idx;
} unit_entry;

typedef struct pop_entry
{
	int64		code;
	double		pop;
} pop_entry;

static void *
huge_alloc(size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size ? size : 1,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void *
engine_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size ? size : 1, MCXT_ALLOC_HUGE);
}

static void
engine_free(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

static char *
unit_text(shegu_gridcode code)
{
	char	   *buf = palloc(SHEGU_GRIDCODE_BUFLEN);

	shegu_gridcode_format(code, buf);
	return buf;
}

static char *
period_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

/* A NOT NULL column as text (the check constraints keep these columns non-NULL). */
static const char *
spi_text(HeapTuple tup, TupleDesc td, int col)
{
	char	   *v = SPI_getvalue(tup, td, col);

	if (v == NULL)
		elog(ERROR, "unexpected NULL in column %d of shegu.index_node", col);
	return v;
}

static double
spi_float(HeapTuple tup, TupleDesc td, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, td, col, isnull);

	return *isnull ? 0 : DatumGetFloat8(d);
}

/* The node with a code (bytes, not NUL-terminated), or -1. */
static int
find_node(const loaded *L, const char *s, int len)
{
	int			lo = 0,
				hi = L->nnodes - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const char *c = L->node[L->by_code[mid]].code;
		int			clen = strlen(c);
		int			r = memcmp(s, c, Min(len, clen));

		if (r == 0)
			r = (len > clen) - (len < clen);
		if (r == 0)
			return L->by_code[mid];
		if (r < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* A name the model's CHECK constraints allow, and the enum value it stands for. */
typedef struct name_value
{
	const char *name;
	int			value;
} name_value;

static const name_value norm_names[] = {
	{"none", SHEGU_NORM_NONE}, {"minmax", SHEGU_NORM_MINMAX}, {"goalpost", SHEGU_NORM_GOALPOST},
	{"zscore", SHEGU_NORM_ZSCORE}, {"rank", SHEGU_NORM_RANK}, {"target", SHEGU_NORM_TARGET},
	{NULL, 0}
};
static const name_value rollup_names[] = {
	{"sum", ROLLUP_SUM}, {"mean", ROLLUP_MEAN}, {"wmean", ROLLUP_WMEAN},
	{"max", ROLLUP_MAX}, {"min", ROLLUP_MIN}, {NULL, 0}
};
static const name_value missing_names[] = {
	{"omit", MISSING_OMIT}, {"parent_mean", MISSING_PARENT_MEAN},
	{"carry_forward", MISSING_CARRY_FORWARD}, {NULL, 0}
};

/* The value of a name; the tables' CHECK constraints make an unknown name impossible. */
static int
parse_name(const char *s, const name_value *names, const char *what)
{
	for (; names->name != NULL; names++)
		if (strcmp(s, names->name) == 0)
			return names->value;
	elog(ERROR, "unexpected %s \"%s\"", what, s);
	return 0;
}

#define parse_norm(s)		((shegu_norm_method) parse_name((s), norm_names, "normalization"))
#define parse_rollup(s)		((rollup_rule) parse_name((s), rollup_names, "rollup"))
#define parse_missing(s)	((missing_rule) parse_name((s), missing_names, "missing rule"))

/* Read the model row and its nodes; check the tree; lay it out in preorder. */
static void
load_model(loaded *L, int level_arg, bool level_given)
{
	Oid			argt[1] = {TEXTOID};
	Datum		argv[1] = {CStringGetTextDatum(L->model)};
	int			ret;
	SPITupleTable *tt;
	TupleDesc	td;
	bool		isnull;
	int			n,
				nroots = 0,
				root = -1;
	node_def   *raw;
	int		   *rawparent;

	ret = SPI_execute_with_args("SELECT scale, level, min_share, zero_floor, population_indicator, veto_register "
								"FROM shegu.index_model WHERE name = $1",
								1, argt, argv, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading shegu.index_model failed: %d", ret);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index model \"%s\" does not exist", L->model),
				 errhint("Models are rows of shegu.index_model.")));
	tt = SPI_tuptable;
	td = tt->tupdesc;
	L->scale = spi_float(tt->vals[0], td, 1, &isnull);
	L->level = DatumGetInt32(SPI_getbinval(tt->vals[0], td, 2, &isnull));
	L->min_share = spi_float(tt->vals[0], td, 3, &isnull);
	L->zero_floor = spi_float(tt->vals[0], td, 4, &isnull);
	L->population = SPI_getvalue(tt->vals[0], td, 5);
	L->veto_register = DatumGetBool(SPI_getbinval(tt->vals[0], td, 6, &isnull));
	if (level_given)
	{
		if (level_arg < 1 || level_arg > SHEGU_GRIDCODE_LEVELS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("grid code level %d is out of range", level_arg),
					 errdetail("Levels run from 1 (province) to 7 (micro-grid).")));
		L->level = level_arg;
	}

	ret = SPI_execute_with_args("SELECT code, parent, weight, aggregation, direction, normalization, "
								"transform, clamp, lo, hi, target, winsor, rollup, missing, "
								"veto_below, veto_above, per_population "
								"FROM shegu.index_node WHERE model = $1 ORDER BY code COLLATE \"C\"",
								1, argt, argv, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading shegu.index_node failed: %d", ret);
	tt = SPI_tuptable;
	td = tt->tupdesc;
	n = (int) SPI_processed;
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index model \"%s\" has no nodes", L->model),
				 errhint("Add the tree to shegu.index_node.")));
	raw = palloc0(n * sizeof(node_def));
	for (int i = 0; i < n; i++)
	{
		HeapTuple	t = tt->vals[i];
		node_def   *d = &raw[i];
		const char *dir;

		d->code = SPI_getvalue(t, td, 1);
		d->parent_code = SPI_getvalue(t, td, 2);
		d->weight = spi_float(t, td, 3, &isnull);
		d->agg = strcmp(spi_text(t, td, 4), "geometric") == 0 ? SHEGU_AGG_GEOMETRIC : SHEGU_AGG_ARITHMETIC;
		dir = spi_text(t, td, 5);
		d->norm.direction = strcmp(dir, "-1") == 0 ? -1 : 1;
		d->norm.method = parse_norm(spi_text(t, td, 6));
		d->norm.log_transform = strcmp(spi_text(t, td, 7), "log") == 0;
		d->norm.clamp = DatumGetBool(SPI_getbinval(t, td, 8, &isnull));
		d->norm.lo = spi_float(t, td, 9, &isnull);
		if (isnull)
			d->norm.lo = NAN;
		d->norm.hi = spi_float(t, td, 10, &isnull);
		if (isnull)
			d->norm.hi = NAN;
		d->norm.target = spi_float(t, td, 11, &isnull);
		if (isnull)
			d->norm.target = NAN;
		d->norm.winsor = spi_float(t, td, 12, &isnull);
		d->rollup = parse_rollup(spi_text(t, td, 13));
		d->missing = parse_missing(spi_text(t, td, 14));
		d->veto_below = spi_float(t, td, 15, &isnull);
		d->has_veto_below = !isnull;
		d->veto_above = spi_float(t, td, 16, &isnull);
		d->has_veto_above = !isnull;
		d->per_population = spi_float(t, td, 17, &isnull);
		if (isnull)
			d->per_population = 0;
		if (d->parent_code == NULL)
		{
			nroots++;
			root = i;
		}
	}
	if (nroots != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index model \"%s\" has %d root nodes", L->model, nroots),
				 errdetail("A model is one tree: exactly one node has no parent.")));

	/* parents by binary search over the code-sorted raw array */
	rawparent = palloc(n * sizeof(int));
	for (int i = 0; i < n; i++)
	{
		rawparent[i] = -1;
		if (raw[i].parent_code)
		{
			int			lo = 0,
						hi = n - 1;

			while (lo <= hi)
			{
				int			mid = (lo + hi) / 2;
				int			r = strcmp(raw[i].parent_code, raw[mid].code);

				if (r == 0)
				{
					rawparent[i] = mid;
					break;
				}
				if (r < 0)
					hi = mid - 1;
				else
					lo = mid + 1;
			}
			/* the (deferred) foreign key catches this at commit at the latest */
			if (rawparent[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
						 errmsg("parent \"%s\" of node \"%s\" of index model \"%s\" does not exist",
								raw[i].parent_code, raw[i].code, L->model)));
		}
	}

	/* preorder walk from the root, children in code order; a node never reached is in a cycle */
	{
		int		   *stack = palloc(n * sizeof(int));
		int		   *newidx = palloc(n * sizeof(int));
		int		   *ccount = palloc0((n + 1) * sizeof(int));
		int		   *cstart = palloc0((n + 1) * sizeof(int));
		int		   *clist = palloc(n * sizeof(int));
		int		   *cfill;
		int			sp = 0,
					m = 0;

		for (int i = 0; i < n; i++)
		{
			newidx[i] = -1;
			if (rawparent[i] >= 0)
				ccount[rawparent[i]]++;
		}
		for (int i = 0; i < n; i++)
			cstart[i + 1] = cstart[i] + ccount[i];
		cfill = palloc(n * sizeof(int));
		for (int i = 0; i < n; i++)
			cfill[i] = cstart[i];
		for (int i = 0; i < n; i++)
			if (rawparent[i] >= 0)
				clist[cfill[rawparent[i]]++] = i;

		L->node = palloc(n * sizeof(node_def));
		stack[sp++] = root;
		while (sp > 0)
		{
			int			v = stack[--sp];

			newidx[v] = m;
			L->node[m++] = raw[v];
			/* push children in reverse so they pop in code order */
			for (int c = cstart[v + 1] - 1; c >= cstart[v]; c--)
				stack[sp++] = clist[c];
		}
		if (m != n)
		{
			for (int i = 0; i < n; i++)
				if (newidx[i] < 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("node \"%s\" of index model \"%s\" is not below its root",
									raw[i].code, L->model),
							 errdetail("Its parent chain is a cycle that never reaches the root \"%s\".",
									   raw[root].code)));
		}
		L->nnodes = n;
		L->parent = palloc(n * sizeof(int));
		L->is_leaf = palloc(n * sizeof(bool));
		L->child_start = palloc((n + 1) * sizeof(int));
		L->child = palloc(n * sizeof(int));
		L->postorder = palloc(n * sizeof(int));
		L->agg = palloc(n * sizeof(shegu_agg_method));
		L->min_share_of = palloc(n * sizeof(double));
		L->weight = palloc(n * sizeof(double));
		L->by_code = palloc(n * sizeof(int));
		for (int i = 0; i < n; i++)
		{
			int			v = newidx[i];

			L->parent[v] = rawparent[i] >= 0 ? newidx[rawparent[i]] : -1;
			L->is_leaf[v] = ccount[i] == 0;
			L->agg[v] = raw[i].agg;
			L->min_share_of[v] = L->min_share;
			L->weight[v] = raw[i].weight;
			L->by_code[i] = v;	/* raw is in code order, so by_code is too */
		}
		/* children lists in the new numbering (preorder keeps them in code order) */
		memset(ccount, 0, (n + 1) * sizeof(int));
		for (int v = 1; v < n; v++)
			ccount[L->parent[v]]++;
		L->child_start[0] = 0;
		for (int v = 0; v < n; v++)
			L->child_start[v + 1] = L->child_start[v] + ccount[v];
		for (int v = 0; v < n; v++)
			cfill[v] = L->child_start[v];
		for (int v = 1; v < n; v++)
			L->child[cfill[L->parent[v]]++] = v;
		/* reverse preorder puts every child before its parent */
		for (int v = 0; v < n; v++)
			L->postorder[v] = n - 1 - v;
		/* a parent whose children all weigh 0 cannot aggregate */
		for (int v = 0; v < n; v++)
		{
			double		s = 0;

			if (L->is_leaf[v])
				continue;
			for (int c = L->child_start[v]; c < L->child_start[v + 1]; c++)
				s += L->weight[L->child[c]];
			if (!(s > 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("every child of node \"%s\" of index model \"%s\" has weight 0",
								L->node[v].code, L->model),
						 errhint("Give at least one child a positive weight.")));
		}
	}

	L->tree.nnodes = L->nnodes;
	L->tree.parent = L->parent;
	L->tree.postorder = L->postorder;
	L->tree.child_start = L->child_start;
	L->tree.child = L->child;
	L->tree.is_leaf = L->is_leaf;
	L->tree.agg = L->agg;
	L->tree.min_share = L->min_share_of;
	L->tree.zero_floor = L->zero_floor;
}

/*
 * Read the population of every unit of a period (when the model names a population
 * indicator) into a hash table keyed by the unit's own code.
 */
static HTAB *
load_population(loaded *L, DateADT period)
{
	HASHCTL		ctl;
	HTAB	   *h;
	Oid			argt[3] = {TEXTOID, DATEOID, TEXTOID};
	Datum		argv[3];
	Portal		portal;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(pop_entry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("shegu index population", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	if (L->population == NULL)
		return h;
	argv[0] = CStringGetTextDatum(L->model);
	argv[1] = DateADTGetDatum(period);
	argv[2] = CStringGetTextDatum(L->population);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT unit, value FROM shegu.indicator_value "
									   "WHERE model = $1 AND period = $2 AND indicator = $3",
									   3, argt, argv, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			int64		code = DatumGetGridcode(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
			double		v = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
			pop_entry  *e = hash_search(h, &code, HASH_ENTER, NULL);

			e->pop = v;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	return h;
}

typedef struct raw_row
{
	int64		code;
	int			leaf;
	double		value;
} raw_row;

typedef struct shadow_key
{
	int64		code;
	int64		leaf;
} shadow_key;

/*
 * Roll the raw values of one period up to the model's level.  A value recorded at a unit
 * stands for that unit: it replaces the values of the units below it (no double counting
 * when a community and its grids both have one).  Units are added when add_units (the
 * current period); otherwise only known units are filled (the previous period, for
 * carry-forward).  Returns the cells, nunits x nnodes.
 */
static cell *
accumulate(loaded *L, DateADT period, HTAB *units, bool add_units, int *ncap, cell *cells,
		   shegu_gridcode **unitcodes)
{
	Oid			argt[3] = {TEXTOID, DATEOID, INT4OID};
	Datum		argv[3];
	Portal		portal;
	HTAB	   *pop = NULL;
	HTAB	   *shadow = NULL;
	int			nn = L->nnodes;
	int			cs = nn + 1;	/* cells per unit: the nodes, then the population */
	bool		need_pop = false;
	int			poplen = L->population ? strlen(L->population) : 0;
	raw_row    *rows;
	size_t		nrows = 0,
				rowcap = 65536;
	int			deepest = L->level;

	for (int v = 0; v < nn; v++)
		if (L->is_leaf[v] && L->node[v].rollup == ROLLUP_WMEAN)
			need_pop = true;
	if (need_pop)
	{
		if (L->population == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("index model \"%s\" rolls up by population but names no population indicator",
							L->model),
					 errhint("Set shegu.index_model.population_indicator.")));
		pop = load_population(L, period);
	}

	/* pass 1: read and check every value of the period at or below the level */
	rows = huge_alloc(rowcap * sizeof(raw_row));
	argv[0] = CStringGetTextDatum(L->model);
	argv[1] = DateADTGetDatum(period);
	argv[2] = Int32GetDatum(L->level);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT indicator, unit, value FROM shegu.indicator_value "
									   "WHERE model = $1 AND period = $2 AND shegu.level(unit) >= $3",
									   3, argt, argv, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	t = SPI_tuptable->vals[r];
			TupleDesc	td = SPI_tuptable->tupdesc;
			bool		isnull;
			text	   *ind = DatumGetTextPP(SPI_getbinval(t, td, 1, &isnull));
			int64		code = DatumGetGridcode(SPI_getbinval(t, td, 2, &isnull));
			double		v = DatumGetFloat8(SPI_getbinval(t, td, 3, &isnull));
			int			leaf = find_node(L, VARDATA_ANY(ind), VARSIZE_ANY_EXHDR(ind));
			bool		is_pop = L->population && VARSIZE_ANY_EXHDR(ind) == poplen
				&& memcmp(VARDATA_ANY(ind), L->population, poplen) == 0;
			int			lv;

			if (is_pop && L->pop_column && isfinite(v))
			{
				/* the population itself, rolled up by sum into column nn */
				if (nrows == rowcap)
				{
					raw_row    *nr = huge_alloc(2 * rowcap * sizeof(raw_row));

					memcpy(nr, rows, rowcap * sizeof(raw_row));
					pfree(rows);
					rows = nr;
					rowcap *= 2;
				}
				rows[nrows].code = code;
				rows[nrows].leaf = nn;
				rows[nrows].value = v;
				nrows++;
			}
			if (leaf < 0)
			{
				char	   *s;

				if (is_pop)
					continue;
				s = text_to_cstring(ind);
				ereport(ERROR,
						(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
						 errmsg("indicator \"%s\" of shegu.indicator_value is not a node of index model \"%s\"",
								s, L->model),
						 errdetail("Unit %s, period %s.", unit_text(code), period_text(period)),
						 errhint("Add the indicator to shegu.index_node, or delete its values.")));
			}
			if (!L->is_leaf[leaf])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("node \"%s\" of index model \"%s\" has children and cannot take raw values",
								L->node[leaf].code, L->model),
						 errdetail("Unit %s, period %s has a value for it.", unit_text(code), period_text(period))));
			if (!isfinite(v))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value %s of indicator \"%s\" is not finite", float8out_internal(v), L->node[leaf].code),
						 errdetail("Unit %s, period %s.", unit_text(code), period_text(period))));
			if (nrows == rowcap)
			{
				raw_row    *nr = huge_alloc(2 * rowcap * sizeof(raw_row));

				memcpy(nr, rows, rowcap * sizeof(raw_row));
				pfree(rows);
				rows = nr;
				rowcap *= 2;
			}
			rows[nrows].code = code;
			rows[nrows].leaf = leaf;
			rows[nrows].value = v;
			nrows++;
			lv = shegu_gridcode_level(code);
			if (lv > deepest)
				deepest = lv;
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);

	/* values strictly between the level and the deepest level may shadow those below */
	for (size_t i = 0; i < nrows; i++)
	{
		int			lv = shegu_gridcode_level(rows[i].code);

		if (lv > L->level && lv < deepest)
		{
			shadow_key	k;

			if (shadow == NULL)
			{
				HASHCTL		ctl;

				memset(&ctl, 0, sizeof(ctl));
				ctl.keysize = sizeof(shadow_key);
				ctl.entrysize = sizeof(shadow_key);
				ctl.hcxt = CurrentMemoryContext;
				shadow = hash_create("shegu index shadow", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			}
			memset(&k, 0, sizeof(k));
			k.code = rows[i].code;
			k.leaf = rows[i].leaf;
			hash_search(shadow, &k, HASH_ENTER, NULL);
		}
	}

	/* pass 2: roll up */
	for (size_t i = 0; i < nrows; i++)
	{
		int64		code = rows[i].code;
		int			leaf = rows[i].leaf;
		double		v = rows[i].value;
		shegu_gridcode anc = shegu_gridcode_ancestor(code, L->level);
		unit_entry *ue;
		bool		found;
		cell	   *c;

		if (shadow && anc != code)
		{
			bool		hidden = false;

			for (shegu_gridcode a = shegu_gridcode_parent(code); a != anc && a != SHEGU_GRIDCODE_NONE;
				 a = shegu_gridcode_parent(a))
			{
				shadow_key	k;

				memset(&k, 0, sizeof(k));
				k.code = a;
				k.leaf = leaf;
				if (hash_search(shadow, &k, HASH_FIND, NULL))
				{
					hidden = true;
					break;
				}
			}
			if (hidden)
				continue;
		}
		ue = hash_search(units, &anc, add_units ? HASH_ENTER : HASH_FIND, &found);
		if (ue == NULL)
			continue;
		if (!found)
		{
			ue->idx = L->nunits++;
			if (L->nunits > *ncap)
			{
				int			newcap = *ncap * 2;
				cell	   *nc = huge_alloc((size_t) newcap * cs * sizeof(cell));
				shegu_gridcode *nu = huge_alloc((size_t) newcap * sizeof(shegu_gridcode));

				memcpy(nc, cells, (size_t) *ncap * cs * sizeof(cell));
				memcpy(nu, *unitcodes, (size_t) *ncap * sizeof(shegu_gridcode));
				pfree(cells);
				pfree(*unitcodes);
				cells = nc;
				*unitcodes = nu;
				*ncap = newcap;
			}
			(*unitcodes)[ue->idx] = anc;
		}
		c = &cells[(size_t) ue->idx * cs + leaf];
		if (anc == code)
		{
			c->direct = v;
			c->has_direct = true;
			continue;
		}
		if (leaf == nn)
		{
			c->acc += v;		/* populations add up */
			c->aux += 1;
			continue;
		}
		switch (L->node[leaf].rollup)
		{
			case ROLLUP_SUM:
			case ROLLUP_MEAN:
				c->acc += v;
				c->aux += 1;
				break;
			case ROLLUP_MAX:
				c->acc = c->aux > 0 ? Max(c->acc, v) : v;
				c->aux += 1;
				break;
			case ROLLUP_MIN:
				c->acc = c->aux > 0 ? Min(c->acc, v) : v;
				c->aux += 1;
				break;
			case ROLLUP_WMEAN:
				{
					pop_entry  *pe = hash_search(pop, &code, HASH_FIND, NULL);

					if (pe && pe->pop > 0 && isfinite(pe->pop))
					{
						c->acc += pe->pop * v;
						c->aux += pe->pop;
					}
				}
				break;
		}
	}
	pfree(rows);
	if (shadow)
		hash_destroy(shadow);
	if (pop)
		hash_destroy(pop);
	return cells;
}

/* The rolled-up value of a cell, or false when there is none. */
static bool
cell_value(const loaded *L, int leaf, const cell *c, double *out)
{
	if (c->has_direct)
	{
		*out = c->direct;
		return true;
	}
	if (!(c->aux > 0))
		return false;
	switch (L->node[leaf].rollup)
	{
		case ROLLUP_SUM:
		case ROLLUP_MAX:
		case ROLLUP_MIN:
			*out = c->acc;
			break;
		case ROLLUP_MEAN:
		case ROLLUP_WMEAN:
			*out = c->acc / c->aux;
			break;
	}
	return true;
}

/*
 * The value of a leaf for a unit, from the unit's row of cells: rolled up, then divided by
 * the unit's population when the indicator is per population.
 */
static bool
unit_value(const loaded *L, int leaf, const cell *row, double *out)
{
	const cell *p = &row[L->nnodes];
	double		pop;

	if (!cell_value(L, leaf, &row[leaf], out))
		return false;
	if (!(L->node[leaf].per_population > 0))
		return true;
	if (p->has_direct)
		pop = p->direct;
	else if (p->aux > 0)
		pop = p->acc;
	else
		return false;
	if (!(pop > 0))
		return false;
	*out = *out * L->node[leaf].per_population / pop;
	return true;
}

static int
cmp_gridcode(const void *a, const void *b)
{
	shegu_gridcode x = *(const shegu_gridcode *) a,
				y = *(const shegu_gridcode *) b;

	return (x > y) - (x < y);
}

/* Say what the engine refused, naming the unit, node and value. */
static void
report_engine_error(const loaded *L, const shegu_comp_error *err, int leaf, const char *where)
{
	const char *node = leaf >= 0 ? L->node[leaf].code : "?";
	char	   *unit = (err->row >= 0 && err->row < L->nunits) ? unit_text(L->unit[err->row]) : NULL;

	switch (err->status)
	{
		case SHEGU_COMP_LOG_NONPOSITIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
					 errmsg("cannot take the logarithm of %s for indicator \"%s\"",
							float8out_internal(err->value), node),
					 unit ? errdetail("Unit %s, period %s, index model \"%s\".", unit, period_text(L->period), L->model)
					 : errdetail("A goalpost or target of the indicator is not positive."),
					 errhint("Use transform 'none' for an indicator that can be zero or negative.")));
			break;
		case SHEGU_COMP_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value %s of indicator \"%s\" is not finite after %s",
							float8out_internal(err->value), node, where),
					 unit ? errdetail("Unit %s, period %s.", unit, period_text(L->period)) : 0));
			break;
		case SHEGU_COMP_BAD_SPEC:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid normalisation parameters of indicator \"%s\" of index model \"%s\"", node, L->model),
					 errdetail("The goalposts lo < hi and the target must be finite numbers.")));
			break;
		case SHEGU_COMP_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("negative score %s in the geometric mean of node \"%s\"",
							float8out_internal(err->value),
							(err->col >= 0 && err->col < L->nnodes) ? L->node[err->col].code : node),
					 unit ? errdetail("Unit %s, period %s; a geometric mean needs scores >= 0.", unit, period_text(L->period)) : 0,
					 errhint("Normalise the children with minmax, goalpost, rank or target, not zscore.")));
			break;
		case SHEGU_COMP_BAD_WEIGHT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid weight %s in index model \"%s\"", float8out_internal(err->value), L->model)));
			break;
		default:
			elog(ERROR, "composite engine: %s", shegu_comp_status_name(err->status));
	}
}

/*
 * The register of major events (seed 003): a unit with a veto in force in the period is vetoed
 * at the root, whatever its indicators say (shegu.major_event_vetoes).
 */
static void
apply_register_vetoes(loaded *L)
{
	Oid			argt[2] = {DATEOID, INT4OID};
	Datum		argv[2] = {DateADTGetDatum(L->period), Int32GetDatum(L->level)};
	int			ret;

	ret = SPI_execute_with_args("SELECT v.unit, string_agg(CASE e.kind WHEN 'mass_incident' THEN '重大群体性事件'"
								" WHEN 'major_case' THEN '重大案件' WHEN 'safety_accident' THEN '重大公共安全事故' END"
								" || ' ' || e.title || ' (' || to_char(e.occurred_on, 'YYYY-MM-DD') || ')', '; ' ORDER BY e.id)"
								" FROM shegu.major_event_vetoes($1, $2) AS v JOIN shegu.major_event AS e ON e.id = v.event_id"
								" GROUP BY v.unit",
								2, argt, argv, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading shegu.major_event_vetoes failed: %d", ret);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		shegu_gridcode code;
		shegu_gridcode *hit;

		if (isnull)
			continue;
		code = DatumGetGridcode(d);
		hit = bsearch(&code, L->unit, L->nunits, sizeof(shegu_gridcode), cmp_gridcode);
		if (hit != NULL)
		{
			size_t		u = (size_t) (hit - L->unit);
			char	   *events = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			L->vetoed[u * L->nnodes] = true;
			if (L->register_veto == NULL)
				L->register_veto = MemoryContextAllocZero(GetMemoryChunkContext(L), L->nunits * sizeof(char *));
			L->register_veto[u] = MemoryContextStrdup(GetMemoryChunkContext(L), events ? events : "");
		}
	}
}

/*
 * The whole computation for one model, period and level: load, roll up, treat missing
 * values, check vetoes, normalise, aggregate.  Runs inside SPI.
 */
static void
compute(loaded *L, bool level_given, int level)
{
	HASHCTL		ctl;
	HTAB	   *units;
	int			nn,
				ncap = 256;
	cell	   *cells,
			   *prev = NULL;
	shegu_gridcode *codes;
	int		   *order;
	bool		need_prev = false;
	double	   *work,
			   *col,
			   *out;
	bool	   *pcol;
	shegu_comp_error err;

	load_model(L, level, level_given);
	nn = L->nnodes;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(unit_entry);
	ctl.hcxt = CurrentMemoryContext;
	units = hash_create("shegu index units", 4096, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int v = 0; v < nn; v++)
		if (L->is_leaf[v] && L->node[v].per_population > 0)
			L->pop_column = true;
	if (L->pop_column && L->population == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index model \"%s\" has indicators per population but names no population indicator",
						L->model),
				 errhint("Set shegu.index_model.population_indicator.")));
	cells = huge_alloc((size_t) ncap * (nn + 1) * sizeof(cell));
	codes = huge_alloc((size_t) ncap * sizeof(shegu_gridcode));
	L->nunits = 0;
	cells = accumulate(L, L->period, units, true, &ncap, cells, &codes);

	for (int v = 0; v < nn; v++)
		if (L->is_leaf[v] && L->node[v].missing == MISSING_CARRY_FORWARD)
			need_prev = true;
	if (need_prev && L->nunits > 0)
	{
		Oid			argt[2] = {TEXTOID, DATEOID};
		Datum		argv[2] = {CStringGetTextDatum(L->model), DateADTGetDatum(L->period)};
		bool		isnull;
		int			ret = SPI_execute_with_args("SELECT max(period) FROM shegu.indicator_value "
												"WHERE model = $1 AND period < $2",
												2, argt, argv, NULL, true, 1);

		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading the previous period failed: %d", ret);
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				int			pcap = ncap;
				int			nunits = L->nunits;
				shegu_gridcode *pcodes = huge_alloc((size_t) ncap * sizeof(shegu_gridcode));

				prev = huge_alloc((size_t) ncap * (nn + 1) * sizeof(cell));
				prev = accumulate(L, DatumGetDateADT(d), units, false, &pcap, prev, &pcodes);
				Assert(L->nunits == nunits);
				L->nunits = nunits;
			}
		}
	}

	/* units in code order */
	L->unit = palloc(Max(L->nunits, 1) * sizeof(shegu_gridcode));
	memcpy(L->unit, codes, L->nunits * sizeof(shegu_gridcode));
	qsort(L->unit, L->nunits, sizeof(shegu_gridcode), cmp_gridcode);
	order = palloc(Max(L->nunits, 1) * sizeof(int));
	for (int u = 0; u < L->nunits; u++)
	{
		unit_entry *ue = hash_search(units, &L->unit[u], HASH_FIND, NULL);

		order[u] = ue->idx;
	}

	{
		size_t		cellsn = (size_t) Max(L->nunits, 1) * nn;

		L->raw = huge_alloc(cellsn * sizeof(double));
		L->raw_present = huge_alloc(cellsn * sizeof(bool));
		L->imputed = huge_alloc(cellsn * sizeof(bool));
		L->vetoed = huge_alloc(cellsn * sizeof(bool));
		L->score = huge_alloc(cellsn * sizeof(double));
		L->present = huge_alloc(cellsn * sizeof(bool));
	}
	work = palloc(2 * Max(L->nunits, 1) * sizeof(double));
	col = palloc(Max(L->nunits, 1) * sizeof(double));
	out = palloc(Max(L->nunits, 1) * sizeof(double));
	pcol = palloc(Max(L->nunits, 1) * sizeof(bool));

	for (int v = 0; v < nn; v++)
	{
		node_def   *d = &L->node[v];

		if (!L->is_leaf[v])
			continue;
		CHECK_FOR_INTERRUPTS();
		for (int u = 0; u < L->nunits; u++)
		{
			size_t		k = (size_t) u * nn + v;

			pcol[u] = unit_value(L, v, &cells[(size_t) order[u] * (nn + 1)], &col[u]);
			L->raw_present[k] = pcol[u];
			if (pcol[u])
				L->vetoed[k] = (d->has_veto_below && col[u] < d->veto_below)
					|| (d->has_veto_above && col[u] > d->veto_above);
		}
		if (d->missing == MISSING_CARRY_FORWARD && prev)
		{
			for (int u = 0; u < L->nunits; u++)
				if (!pcol[u] && unit_value(L, v, &prev[(size_t) order[u] * (nn + 1)], &col[u]))
				{
					pcol[u] = true;
					L->imputed[(size_t) u * nn + v] = true;
				}
		}
		else if (d->missing == MISSING_PARENT_MEAN && L->level > 1)
		{
			/* units of one parent are contiguous in code order */
			int			g0 = 0;

			while (g0 < L->nunits)
			{
				shegu_gridcode par = shegu_gridcode_parent(L->unit[g0]);
				int			g1 = g0;
				double		s = 0;
				int			cnt = 0;

				while (g1 < L->nunits && shegu_gridcode_parent(L->unit[g1]) == par)
				{
					if (L->raw_present[(size_t) g1 * nn + v])
					{
						s += col[g1];
						cnt++;
					}
					g1++;
				}
				if (cnt > 0)
					for (int u = g0; u < g1; u++)
						if (!pcol[u])
						{
							col[u] = s / cnt;
							pcol[u] = true;
							L->imputed[(size_t) u * nn + v] = true;
						}
				g0 = g1;
			}
		}
		for (int u = 0; u < L->nunits; u++)
		{
			size_t		k = (size_t) u * nn + v;

			L->raw[k] = pcol[u] ? col[u] : NAN;
			L->raw_present[k] = pcol[u];
		}
		if (shegu_normalize(&d->norm, col, pcol, L->nunits, out, work, &err) != SHEGU_COMP_OK)
			report_engine_error(L, &err, v, "normalisation");
		for (int u = 0; u < L->nunits; u++)
		{
			size_t		k = (size_t) u * nn + v;

			L->score[k] = out[u];
			L->present[k] = pcol[u];
		}
	}

	/* imputed and vetoed flags propagate up the tree */
	for (int u = 0; u < L->nunits; u++)
		for (int o = 0; o < nn; o++)
		{
			int			v = L->postorder[o];
			size_t		k = (size_t) u * nn;

			if (v > 0)
			{
				L->imputed[k + L->parent[v]] |= L->imputed[k + v];
				L->vetoed[k + L->parent[v]] |= L->vetoed[k + v];
			}
		}

	if (L->veto_register && L->nunits > 0)
		apply_register_vetoes(L);

	{
		double	   *wd = palloc(2 * nn * sizeof(double));
		bool	   *wb = palloc(nn * sizeof(bool));

		if (shegu_tree_eval(&L->tree, L->weight, NULL, L->nunits, L->score, L->present, wd, wb, &err) != SHEGU_COMP_OK)
			report_engine_error(L, &err, err.col, "aggregation");
	}
	hash_destroy(units);
}

/* Start SPI and a memory context for one computation; the caller finishes both. */
static loaded *
begin_compute(FunctionCallInfo fcinfo, MemoryContext *work_cxt)
{
	loaded	   *L;

	*work_cxt = AllocSetContextCreate(CurrentMemoryContext, "shegu index", ALLOCSET_DEFAULT_SIZES);
	L = MemoryContextAllocZero(*work_cxt, sizeof(loaded));
	L->model = MemoryContextStrdup(*work_cxt, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	L->period = PG_GETARG_DATEADT(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return L;
}

/* Run the computation in the work context (SPI allocations go to SPI's own contexts). */
static void
run_compute(loaded *L, MemoryContext work_cxt, bool level_given, int level)
{
	MemoryContext old = MemoryContextSwitchTo(work_cxt);

	compute(L, level_given, level);
	MemoryContextSwitchTo(old);
}

/* ---- compute_index ---- */

PG_FUNCTION_INFO_V1(index_compute);
/* shegu.index_compute(model, period, level): every node of every unit, with raw values and flags */
Datum
index_compute(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work_cxt;
	loaded	   *L;
	int		   *rank;
	int		   *order;
	double	   *col;
	bool	   *pcol;
	Datum	   *codes;
	int			nn;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model and period of shegu.index_compute must not be NULL")));
	InitMaterializedSRF(fcinfo, 0);
	L = begin_compute(fcinfo, &work_cxt);
	run_compute(L, work_cxt, !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));
	nn = L->nnodes;

	{
		MemoryContext old = MemoryContextSwitchTo(work_cxt);
		int			nu = Max(L->nunits, 1);

		rank = palloc((size_t) nu * nn * sizeof(int));
		order = palloc(nu * sizeof(int));
		col = palloc(nu * sizeof(double));
		pcol = palloc(nu * sizeof(bool));
		for (int v = 0; v < nn; v++)
		{
			int		   *r = palloc(nu * sizeof(int));

			for (int u = 0; u < L->nunits; u++)
			{
				col[u] = L->score[(size_t) u * nn + v];
				pcol[u] = L->present[(size_t) u * nn + v];
			}
			shegu_rank_desc(col, pcol, L->nunits, r, order);
			for (int u = 0; u < L->nunits; u++)
				rank[(size_t) u * nn + v] = r[u];
			pfree(r);
		}
		MemoryContextSwitchTo(old);
	}

	/* the node codes as text, made once */
	{
		MemoryContext old = MemoryContextSwitchTo(work_cxt);

		codes = palloc(nn * sizeof(Datum));
		for (int v = 0; v < nn; v++)
			codes[v] = CStringGetTextDatum(L->node[v].code);
		MemoryContextSwitchTo(old);
	}
	for (int u = 0; u < L->nunits; u++)
	{
		for (int v = 0; v < nn; v++)
		{
			size_t		k = (size_t) u * nn + v;
			Datum		values[7];
			bool		nulls[7] = {false, false, false, false, false, false, false};

			values[0] = GridcodeGetDatum(L->unit[u]);
			values[1] = codes[v];
			values[2] = Float8GetDatum(L->score[k]);
			nulls[2] = !L->present[k];
			values[3] = Int32GetDatum(rank[k]);
			nulls[3] = rank[k] == 0;
			values[4] = Float8GetDatum(L->raw[k]);
			nulls[4] = !L->is_leaf[v] || !L->raw_present[k];
			values[5] = BoolGetDatum(L->imputed[k]);
			values[6] = BoolGetDatum(L->vetoed[k]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}

/* ---- uncertainty ---- */

/* Called by the engine before every Monte Carlo run. */
static void
mc_tick(void *ctx)
{
	(void) ctx;
	CHECK_FOR_INTERRUPTS();
}

/* The rank store of the Monte Carlo loop is units x runs ints; keep it under 1 GB. */
#define MC_MAX_CELLS ((int64) 256 * 1024 * 1024)

PG_FUNCTION_INFO_V1(index_uncertainty);
/* shegu.index_uncertainty(model, period, runs, weight_noise, seed, level, vary_aggregation, vary_normalization) */
Datum
index_uncertainty(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work_cxt;
	loaded	   *L;
	shegu_mc_spec spec;
	shegu_mc_unit *res;
	shegu_norm_spec *norm;
	shegu_comp_error err;
	bool		isnull_any = false;

	for (int i = 0; i < 5; i++)
		isnull_any |= PG_ARGISNULL(i);
	if (isnull_any || PG_ARGISNULL(6) || PG_ARGISNULL(7))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("only the level of shegu.index_uncertainty may be NULL")));
	spec.runs = PG_GETARG_INT32(2);
	spec.weight_noise = PG_GETARG_FLOAT8(3);
	spec.seed = (uint64) (int64) PG_GETARG_INT32(4);
	spec.vary_aggregation = PG_GETARG_BOOL(6);
	spec.vary_normalization = PG_GETARG_BOOL(7);
	spec.tick = mc_tick;
	spec.unranked = NULL;
	if (spec.runs < 1 || spec.runs > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runs %d is out of range", spec.runs),
				 errdetail("Between 1 and 100000 runs are allowed.")));
	if (!(spec.weight_noise >= 0 && spec.weight_noise < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight_noise %s is out of range", float8out_internal(spec.weight_noise)),
				 errdetail("Each weight is multiplied by a factor drawn uniformly from [1 - noise, 1 + noise]; the noise must lie in [0, 1).")));

	InitMaterializedSRF(fcinfo, 0);
	L = begin_compute(fcinfo, &work_cxt);
	run_compute(L, work_cxt, !PG_ARGISNULL(5), PG_ARGISNULL(5) ? 0 : PG_GETARG_INT32(5));

	if ((int64) L->nunits * spec.runs > MC_MAX_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d runs on %d units are too many", spec.runs, L->nunits),
				 errdetail("The ranks of every run are kept: units x runs must stay below %lld.",
						   (long long) MC_MAX_CELLS),
				 errhint("Use fewer runs, or a coarser level.")));
	res = MemoryContextAllocExtended(work_cxt, Max(L->nunits, 1) * sizeof(shegu_mc_unit), MCXT_ALLOC_HUGE);
	/* a vetoed unit (一票否决, by an indicator or by the register) is a hard gate: it is left out
	 * of every run's ranking, as report_index leaves it unranked; the others rank among themselves */
	{
		bool	   *out = MemoryContextAllocZero(work_cxt, Max(L->nunits, 1) * sizeof(bool));

		for (int u = 0; u < L->nunits; u++)
			out[u] = L->vetoed[(size_t) u * L->nnodes];
		spec.unranked = out;
	}
	norm = MemoryContextAlloc(work_cxt, L->nnodes * sizeof(shegu_norm_spec));
	for (int v = 0; v < L->nnodes; v++)
		norm[v] = L->node[v].norm;
	if (L->nunits > 0 &&
		shegu_monte_carlo(&L->tree, L->weight, &spec, L->nunits, L->score, L->present,
						  L->raw, norm, engine_alloc, engine_free, work_cxt, res, &err) != SHEGU_COMP_OK)
		report_engine_error(L, &err, err.col, "the uncertainty analysis");

	for (int u = 0; u < L->nunits; u++)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, true};
		size_t		k = (size_t) u * L->nnodes;

		values[0] = GridcodeGetDatum(L->unit[u]);
		values[1] = Int32GetDatum(res[u].nominal_rank);
		nulls[1] = res[u].nominal_rank == 0;
		values[2] = Float8GetDatum(res[u].mean_rank);
		values[3] = Float8GetDatum(res[u].median_rank);
		values[4] = Float8GetDatum(res[u].p05);
		values[5] = Float8GetDatum(res[u].p95);
		nulls[2] = nulls[3] = nulls[4] = nulls[5] = res[u].runs_ranked == 0;
		values[6] = Int32GetDatum(res[u].runs_ranked);
		/* why a unit has no rank: the veto and what fired it, or no index */
		if (L->vetoed[k])
		{
			StringInfoData why;
			bool		first = true;

			initStringInfo(&why);
			appendStringInfoString(&why, "一票否决 vetoed");
			for (int v = 0; v < L->nnodes; v++)
				if (L->is_leaf[v] && L->vetoed[k + v])
				{
					appendStringInfo(&why, "%s%s = %s", first ? ": " : "; ", L->node[v].code,
									 L->raw_present[k + v] ? float8out_internal(L->raw[k + v]) : "no data");
					first = false;
				}
			if (L->register_veto && L->register_veto[u])
				appendStringInfo(&why, "%s%s", first ? ": " : "; ", L->register_veto[u]);
			values[7] = CStringGetTextDatum(why.data);
			nulls[7] = false;
		}
		else if (res[u].nominal_rank == 0)
		{
			values[7] = CStringGetTextDatum(res[u].runs_ranked > 0
											? "无指数 no index with the nominal weights (too little of the weight had data)"
											: "无指数 no index: too little of the weight had data");
			nulls[7] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}

/* ---- matrices from SQL arrays ---- */

/* A float8[] of 2 dimensions (or 1 x 1) without NULLs, as a row-major C array. */
static double *
matrix_arg(ArrayType *a, const char *what, int *rows, int *cols)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double	   *m;

	if (ARR_NDIM(a) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a two-dimensional array, not %d-dimensional", what, ARR_NDIM(a)),
				 errhint("Write it as ARRAY[[1, 3], [1/3.0, 1]] or '{{1,3},{0.333,1}}'.")));
	*rows = ARR_DIMS(a)[0];
	*cols = ARR_DIMS(a)[1];
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	m = palloc(Max(n, 1) * sizeof(double));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s has a NULL at row %d, column %d", what, i / *cols + 1, i % *cols + 1)));
		m[i] = DatumGetFloat8(elems[i]);
	}
	return m;
}

static double *
vector_arg(ArrayType *a, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *v;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, n);
	v = palloc(Max(*n, 1) * sizeof(double));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s has a NULL at position %d", what, i + 1)));
		v[i] = DatumGetFloat8(elems[i]);
	}
	return v;
}

static ArrayType *
float8_array(const double *v, int n)
{
	Datum	   *d = palloc(Max(n, 1) * sizeof(Datum));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_array(d, n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

PG_FUNCTION_INFO_V1(index_ahp_weights);
/* shegu.ahp_weights(matrix float8[][]): principal eigenvector, lambda_max, CI, CR */
Datum
index_ahp_weights(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			rows,
				cols;
	double	   *a = matrix_arg(PG_GETARG_ARRAYTYPE_P(0), "pairwise comparison matrix", &rows, &cols);
	double		w[SHEGU_AHP_MAX_N],
				work[SHEGU_AHP_MAX_N];
	shegu_ahp_result r;
	shegu_comp_error err;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (rows != cols)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pairwise comparison matrix is %d x %d, not square", rows, cols)));
	if (rows > SHEGU_AHP_MAX_N)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("pairwise comparison matrix of order %d is too large", rows),
				 errdetail("Saaty's random index is tabulated up to order %d.", SHEGU_AHP_MAX_N),
				 errhint("Group the criteria into a hierarchy with fewer children per node.")));
	switch (shegu_ahp(a, rows, w, work, &r, &err))
	{
		case SHEGU_COMP_OK:
			break;
		case SHEGU_COMP_NOT_FINITE:
		case SHEGU_COMP_NOT_POSITIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pairwise comparison %s at row %d, column %d is not a positive number",
							float8out_internal(err.value), err.row + 1, err.col + 1),
					 errdetail("Every entry says how many times more important the row is than the column.")));
			break;
		case SHEGU_COMP_NOT_RECIPROCAL:
			if (err.row == err.col)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("pairwise comparison matrix has %s on the diagonal at row %d",
								float8out_internal(err.value), err.row + 1),
						 errdetail("A criterion compared with itself is 1.")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pairwise comparison matrix is not reciprocal at row %d, column %d",
							err.row + 1, err.col + 1),
					 errdetail("Entry (%d, %d) is %s, so entry (%d, %d) must be its reciprocal, not %s.",
							   err.row + 1, err.col + 1, float8out_internal(err.value),
							   err.col + 1, err.row + 1, float8out_internal(a[err.col * rows + err.row])),
					 errhint("a[j][i] must be 1 / a[i][j] to within 1%%.")));
			break;
		default:
			elog(ERROR, "AHP: %s", shegu_comp_status_name(err.status));
	}
	InitMaterializedSRF(fcinfo, 0);
	values[0] = PointerGetDatum(float8_array(w, rows));
	values[1] = Float8GetDatum(r.lambda_max);
	values[2] = Float8GetDatum(r.ci);
	values[3] = Float8GetDatum(r.cr);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(index_entropy_weights);
/* shegu.entropy_weights(matrix float8[][]): units in rows, indicators in columns */
Datum
index_entropy_weights(PG_FUNCTION_ARGS)
{
	int			rows,
				cols;
	double	   *x = matrix_arg(PG_GETARG_ARRAYTYPE_P(0), "entropy data matrix", &rows, &cols);
	double	   *w = palloc(Max(cols, 1) * sizeof(double));
	shegu_comp_error err;

	switch (shegu_entropy_weights(x, rows, cols, w, &err))
	{
		case SHEGU_COMP_OK:
			break;
		case SHEGU_COMP_TOO_FEW_UNITS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("entropy weights need at least two units, not %d", rows),
					 errdetail("With one unit every indicator has the same entropy.")));
			break;
		case SHEGU_COMP_NOT_FINITE:
		case SHEGU_COMP_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("entropy data value %s at row %d, column %d is not a number >= 0",
							float8out_internal(err.value), err.row + 1, err.col + 1),
					 errhint("Normalise the indicators first (minmax or goalpost).")));
			break;
		case SHEGU_COMP_ALL_CONSTANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("entropy weights are undefined: every one of the %d indicators is constant", cols),
					 errdetail("A constant indicator carries no information and gets weight 0.")));
			break;
		default:
			elog(ERROR, "entropy: %s", shegu_comp_status_name(err.status));
	}
	PG_RETURN_ARRAYTYPE_P(float8_array(w, cols));
}

PG_FUNCTION_INFO_V1(index_effective_weights);
/* shegu.effective_weights_of(matrix, index, weights, log_scale): variance share and correlation per column */
Datum
index_effective_weights(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			rows,
				cols,
				ni,
				nw;
	double	   *x = matrix_arg(PG_GETARG_ARRAYTYPE_P(0), "children's score matrix", &rows, &cols);
	double	   *idx = vector_arg(PG_GETARG_ARRAYTYPE_P(1), "index vector", &ni);
	double	   *w = vector_arg(PG_GETARG_ARRAYTYPE_P(2), "weight vector", &nw);
	shegu_effective *e;
	bool		dominated;
	shegu_comp_error err;

	if (ni != rows || nw != cols)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("effective weights need %d index values and %d weights, not %d and %d",
						rows, cols, ni, nw),
				 errdetail("The matrix has a row per unit and a column per child.")));
	if (PG_GETARG_BOOL(3))
	{
		/* a geometric mean is arithmetic on the log scale: decompose ln I = sum w ln x */
		for (int i = 0; i < rows; i++)
		{
			if (!(idx[i] > 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
						 errmsg("index value %s at row %d is not positive on the log scale",
								float8out_internal(idx[i]), i + 1)));
			idx[i] = log(idx[i]);
			for (int j = 0; j < cols; j++)
			{
				if (!(x[i * cols + j] > 0))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
							 errmsg("score %s at row %d, column %d is not positive on the log scale",
									float8out_internal(x[i * cols + j]), i + 1, j + 1)));
				x[i * cols + j] = log(x[i * cols + j]);
			}
		}
	}
	e = palloc(Max(cols, 1) * sizeof(shegu_effective));
	switch (shegu_effective_weights(x, idx, rows, cols, w, e, &dominated, &err))
	{
		case SHEGU_COMP_OK:
			break;
		case SHEGU_COMP_TOO_FEW_UNITS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("effective weights need at least two units, not %d", rows)));
			break;
		case SHEGU_COMP_BAD_WEIGHT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight %s is negative, not finite, or all weights are zero",
							float8out_internal(err.value))));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value %s at row %d is not finite", float8out_internal(err.value), err.row + 1)));
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int j = 0; j < cols; j++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(j + 1);
		values[1] = Float8GetDatum(e[j].variance_share);
		nulls[1] = isnan(e[j].variance_share);
		values[2] = Float8GetDatum(e[j].correlation);
		nulls[2] = isnan(e[j].correlation);
		values[3] = BoolGetDatum(e[j].dominant);
		values[4] = BoolGetDatum(dominated);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- wmean / wgmean: float8[3] states, combinable in parallel ---- */

/* The state array, modified in place when called as an aggregate (like float8_accum). */
static float8 *
state_of(ArrayType *a, const char *fn)
{
	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != SHEGU_INDEX_STATE_LEN || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID)
		elog(ERROR, "%s: expected a 3-element float8 state array", fn);
	return (float8 *) ARR_DATA_PTR(a);
}

static void
check_pair(double x, double w, const char *fn)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value %s passed to %s is not finite", float8out_internal(x), fn)));
	if (isnan(w) || isinf(w) || w < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight %s passed to %s is not a finite number >= 0", float8out_internal(w), fn)));
}

PG_FUNCTION_INFO_V1(index_wmean_accum);
/* transition of shegu.wmean: state {sum w*x, sum w, rows} */
Datum
index_wmean_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *s;
	double		x = PG_GETARG_FLOAT8(1),
				w = PG_GETARG_FLOAT8(2);

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "index_wmean_accum called in non-aggregate context");
	s = state_of(a, "wmean");
	check_pair(x, w, "shegu.wmean");
	s[0] += w * x;
	s[1] += w;
	s[2] += 1;
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(index_wgmean_accum);
/* transition of shegu.wgmean: state {sum w*ln x, sum w, zero seen} */
Datum
index_wgmean_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *s;
	double		x = PG_GETARG_FLOAT8(1),
				w = PG_GETARG_FLOAT8(2);

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "index_wgmean_accum called in non-aggregate context");
	s = state_of(a, "wgmean");
	check_pair(x, w, "shegu.wgmean");
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value %s passed to shegu.wgmean is negative", float8out_internal(x)),
				 errdetail("A geometric mean is defined for values >= 0.")));
	if (w == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (x == 0)
		s[2] = 1;
	else
		s[0] += w * log(x);
	s[1] += w;
	PG_RETURN_ARRAYTYPE_P(a);
}

static Datum
combine_states(FunctionCallInfo fcinfo, bool geometric)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	float8	   *s,
			   *t;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "combine of shegu.wmean/wgmean called in non-aggregate context");
	s = state_of(a, "combine");
	t = state_of(b, "combine");
	s[0] += t[0];
	s[1] += t[1];
	s[2] = geometric ? Max(s[2], t[2]) : s[2] + t[2];
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(index_wmean_combine);
/* combine of shegu.wmean: element sums of two partial states */
Datum
index_wmean_combine(PG_FUNCTION_ARGS)
{
	return combine_states(fcinfo, false);
}

PG_FUNCTION_INFO_V1(index_wgmean_combine);
/* combine of shegu.wgmean: sums, and the zero flag of either */
Datum
index_wgmean_combine(PG_FUNCTION_ARGS)
{
	return combine_states(fcinfo, true);
}

PG_FUNCTION_INFO_V1(index_wmean_final);
/* final of shegu.wmean: sum w*x / sum w, NULL when no positive weight */
Datum
index_wmean_final(PG_FUNCTION_ARGS)
{
	float8	   *s = state_of(PG_GETARG_ARRAYTYPE_P(0), "wmean");

	if (!(s[1] > 0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s[0] / s[1]);
}

PG_FUNCTION_INFO_V1(index_wgmean_final);
/* final of shegu.wgmean: exp(sum w ln x / sum w); 0 when a positive weight met a 0 */
Datum
index_wgmean_final(PG_FUNCTION_ARGS)
{
	float8	   *s = state_of(PG_GETARG_ARRAYTYPE_P(0), "wgmean");

	if (!(s[1] > 0))
		PG_RETURN_NULL();
	if (s[2] > 0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(exp(s[0] / s[1]));
}
