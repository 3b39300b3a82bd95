/* Composite-indicator mathematics: normalisation, aggregation, AHP, entropy, Monte Carlo.
 * src/engine/composite.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_COMPOSITE_H
#define SHEGU_ENGINE_COMPOSITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every routine works on caller-supplied arrays and returns a status; none allocates
 * unless it takes an allocator.  Missing values are marked by present[i] == false (the
 * value is then ignored, whatever it holds).
 */
typedef enum shegu_comp_status
{
	SHEGU_COMP_OK = 0,
	SHEGU_COMP_NOT_FINITE,		/* NaN or an infinity among the inputs (index in err) */
	SHEGU_COMP_LOG_NONPOSITIVE, /* log transform of a value <= 0 */
	SHEGU_COMP_BAD_SPEC,		/* lo >= hi, missing target, winsor outside [0, 0.5) ... */
	SHEGU_COMP_NEGATIVE,		/* a negative value where only >= 0 is meaningful */
	SHEGU_COMP_NOT_SQUARE,		/* AHP matrix not n x n, or n out of range */
	SHEGU_COMP_NOT_POSITIVE,	/* AHP entry <= 0 */
	SHEGU_COMP_NOT_RECIPROCAL,	/* AHP a_ij * a_ji not 1, or diagonal not 1 */
	SHEGU_COMP_TOO_FEW_UNITS,	/* entropy: fewer than two units */
	SHEGU_COMP_ALL_CONSTANT,	/* entropy: every indicator constant, no weight defined */
	SHEGU_COMP_NO_CONVERGENCE,	/* power iteration did not settle */
	SHEGU_COMP_BAD_WEIGHT		/* a weight negative or not finite, or all zero */
} shegu_comp_status;

typedef struct shegu_comp_error
{
	shegu_comp_status status;
	int			row;			/* 0-based index of the culprit (unit, or matrix row), or -1 */
	int			col;			/* 0-based matrix column, or -1 */
	double		value;			/* the culprit value */
} shegu_comp_error;

/* A one-line English description of a status. */
extern const char *shegu_comp_status_name(shegu_comp_status status);

/* ---- normalisation of one indicator over the units of one period ---- */

typedef enum shegu_norm_method
{
	SHEGU_NORM_NONE = 0,		/* the value already is a score: x (or 1 - x when negative) */
	SHEGU_NORM_MINMAX,			/* (x - min) / (max - min) over the present units */
	SHEGU_NORM_GOALPOST,		/* (x - lo) / (hi - lo), fixed goalposts */
	SHEGU_NORM_ZSCORE,			/* (x - mean) / sd, sample sd; unbounded */
	SHEGU_NORM_RANK,			/* percentile rank (r - 1) / (n - 1), ties share the mean rank */
	SHEGU_NORM_TARGET			/* distance to target: (x - min) / (target - min), capped at 1 */
} shegu_norm_method;

typedef struct shegu_norm_spec
{
	shegu_norm_method method;
	int			direction;		/* +1 higher is better, -1 lower is better */
	bool		log_transform;	/* ln(x) first (and of lo, hi, target) */
	bool		clamp;			/* goalpost: cap x to [lo, hi]; target: cap score to [0, 1] */
	double		lo,
				hi;				/* goalposts (raw units) */
	double		target;			/* distance-to-target reference (raw units) */
	double		winsor;			/* 0 = none; p in (0, 0.5): cap at the p and 1-p quantiles */
} shegu_norm_spec;

/*
 * Normalise x[0..n-1] (present[i] marks the values to use) into out[]; out[i] of an
 * absent unit is set to NaN.  work must hold 2 * n doubles.  Rules (docs/index.md):
 * minmax with max == min gives every present unit 1; rank with one unit gives 1;
 * zscore with sd == 0 gives 0; target with target == min gives 1.
 */
extern shegu_comp_status shegu_normalize(const shegu_norm_spec *spec, const double *x,
										 const bool *present, int n, double *out,
										 double *work, shegu_comp_error *err);

/* Quantile (type 7, linear interpolation) of sorted[0..n-1], p in [0, 1]. */
extern double shegu_quantile_sorted(const double *sorted, int n, double p);

/* ---- aggregation ---- */

typedef enum shegu_agg_method
{
	SHEGU_AGG_ARITHMETIC = 0,
	SHEGU_AGG_GEOMETRIC
} shegu_agg_method;

/*
 * Weighted mean of the present scores.  Weights are re-spread over the present children:
 * when the weight share present (sum of present weights / sum of all weights) is below
 * min_share, there is no result (*out = NaN, *has = false).  Geometric: a present score of
 * 0 (or below zero_floor when zero_floor > 0, which raises it to zero_floor) is the zero
 * rule: with zero_floor == 0 the mean is 0; negative scores are an error.  Children with
 * weight 0 take no part.
 */
extern shegu_comp_status shegu_aggregate(shegu_agg_method method, const double *score,
										 const bool *present, const double *weight, int n,
										 double min_share, double zero_floor, double *out,
										 bool *has, shegu_comp_error *err);

/* ---- AHP (analytic hierarchy process) ---- */

#define SHEGU_AHP_MAX_N 15

typedef struct shegu_ahp_result
{
	double		lambda_max;
	double		ci;				/* (lambda_max - n) / (n - 1); 0 for n <= 2 */
	double		ri;				/* Saaty's random index for n */
	double		cr;				/* ci / ri; 0 for n <= 2 */
	int			iterations;
} shegu_ahp_result;

/* Saaty's random consistency index for n = 1..15. */
extern double shegu_ahp_random_index(int n);

/*
 * Principal eigenvector of the n x n pairwise comparison matrix a (row major), normalised
 * to sum 1, into w[n].  a must be positive with a_ii = 1 and a_ij * a_ji within 1 +- 0.01
 * (so 0.333 stands for 1/3).  work must hold n doubles.
 */
extern shegu_comp_status shegu_ahp(const double *a, int n, double *w, double *work,
								   shegu_ahp_result *res, shegu_comp_error *err);

/* ---- entropy weights (熵权法) ---- */

/*
 * x is m units x k indicators, row major, all values >= 0 and finite (normalised scores).
 * p_ij = x_ij / sum_i x_ij, e_j = -sum_i p_ij ln p_ij / ln m (0 ln 0 = 0), d_j = 1 - e_j,
 * w_j = d_j / sum d.  An indicator whose column is constant (or all zero) gets weight 0.
 * Fewer than two units, or every indicator constant, is an error.
 */
extern shegu_comp_status shegu_entropy_weights(const double *x, int m, int k, double *w,
											   shegu_comp_error *err);

/* ---- effective weights ---- */

typedef struct shegu_effective
{
	double		variance_share; /* cov(w_j x_j, I) / sum_j cov(w_j x_j, I) */
	double		correlation;	/* Pearson r(x_j, I); NaN when either is constant */
	bool		dominant;		/* variance share above twice the nominal share */
} shegu_effective;

/*
 * x is m units x k children (row major) with index values idx[m] and nominal weights
 * w[k] (any positive scale).  Only units with every child present are given.  Returns
 * whether the index is dominated: fewer than a third of the children carry 80% of the
 * variance share.
 */
extern shegu_comp_status shegu_effective_weights(const double *x, const double *idx, int m,
												 int k, const double *w,
												 shegu_effective *out, bool *dominated,
												 shegu_comp_error *err);

/* ---- ranks ---- */

/*
 * Competition ranks (1 = highest score, ties share the best rank) of the present scores
 * into rank[] (0 for absent).  order is work for n ints.
 */
extern void shegu_rank_desc(const double *score, const bool *present, int n, int *rank,
							int *order);

/* ---- a tree of nodes, evaluated for many units ---- */

typedef struct shegu_tree
{
	int			nnodes;			/* nodes 0..nnodes-1; node 0 is the root */
	const int  *parent;			/* parent index, -1 for the root */
	const int  *postorder;		/* every node, children before their parent */
	const int  *child_start;	/* children of v: child[child_start[v] .. child_start[v+1]) */
	const int  *child;
	const bool *is_leaf;
	const shegu_agg_method *agg;	/* of non-leaf nodes */
	const double *min_share;	/* of non-leaf nodes */
	double		zero_floor;
} shegu_tree;

/*
 * score and present are nunits x nnodes (row major).  Leaf columns are inputs; every
 * non-leaf column is computed from its children with weights w[nnodes] (the weight of a
 * node within its parent) and methods agg (t->agg when NULL).  wd must hold 2 * nnodes
 * doubles and wb nnodes bools.
 */
extern shegu_comp_status shegu_tree_eval(const shegu_tree *t, const double *w,
										 const shegu_agg_method *agg, int nunits,
										 double *score, bool *present, double *wd,
										 bool *wb, shegu_comp_error *err);

/* ---- seeded PRNG (splitmix64): the same seed gives the same stream everywhere ---- */

typedef struct shegu_rng
{
	uint64_t	state;
} shegu_rng;

extern void shegu_rng_seed(shegu_rng *r, uint64_t seed);
extern uint64_t shegu_rng_next(shegu_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
extern double shegu_rng_uniform(shegu_rng *r);

/* ---- Monte Carlo uncertainty of the ranks ---- */

typedef struct shegu_mc_spec
{
	int			runs;
	double		weight_noise;	/* each weight times U(1 - noise, 1 + noise) */
	bool		vary_aggregation;	/* each run, each non-leaf node flips method with p 1/2 */
	bool		vary_normalization; /* each run, each leaf switches to its alternative
									 * normalisation with p 1/2 (needs raw values) */
	uint64_t	seed;
	void		(*tick) (void *ctx);	/* called before every run (may be NULL); the binding
										 * checks for interrupts here */
	const bool *unranked;		/* nunits, may be NULL: units left out of every ranking (a veto,
								 * 一票否决: a hard gate, not a low score); they still count in
								 * the normalisation */
} shegu_mc_spec;

typedef struct shegu_mc_unit
{
	int			nominal_rank;	/* 0 when the unit has no index */
	double		mean_rank;
	double		median_rank;
	double		p05;
	double		p95;
	int			runs_ranked;	/* runs in which the unit had an index */
} shegu_mc_unit;

typedef void *(*shegu_alloc_fn) (void *ctx, size_t size);
typedef void (*shegu_free_fn) (void *ctx, void *p);

/*
 * The alternative normalisation of the uncertainty analysis: percentile rank for minmax,
 * goalpost, target and none; minmax for rank and zscore.  Direction, transform and
 * winsorisation are kept.
 */
extern shegu_norm_spec shegu_norm_alternative(const shegu_norm_spec *spec);

/*
 * leaf_score/leaf_present are nunits x nnodes as for shegu_tree_eval (leaf columns set).
 * w are the nominal weights.  With spec->vary_normalization, raw (nunits x nnodes, leaf
 * columns: the values before normalisation, present where leaf_present) and norm[nnodes]
 * (the leaves' specifications) are used; otherwise they may be NULL.  Ranks of the root
 * per run; out[nunits] gets the summary.  Memory comes from alloc (and goes back through
 * free, which may be NULL for an arena).
 */
extern shegu_comp_status shegu_monte_carlo(const shegu_tree *t, const double *w,
										   const shegu_mc_spec *spec, int nunits,
										   const double *leaf_score,
										   const bool *leaf_present,
										   const double *raw,
										   const shegu_norm_spec *norm,
										   shegu_alloc_fn alloc, shegu_free_fn free_fn,
										   void *ctx, shegu_mc_unit *out,
										   shegu_comp_error *err);

#endif							/* SHEGU_ENGINE_COMPOSITE_H */
