/* Composite-indicator mathematics: normalisation, aggregation, AHP, entropy, Monte Carlo.
 * src/engine/composite.c — pure C, no PostgreSQL headers; formulas in docs/index.md. */
#include "composite.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static shegu_comp_status
fail(shegu_comp_error *err, shegu_comp_status st, int row, int col, double value)
{
	if (err)
	{
		err->status = st;
		err->row = row;
		err->col = col;
		err->value = value;
	}
	return st;
}

static shegu_comp_status
ok(shegu_comp_error *err)
{
	return fail(err, SHEGU_COMP_OK, -1, -1, 0.0);
}

const char *
shegu_comp_status_name(shegu_comp_status status)
{
	switch (status)
	{
		case SHEGU_COMP_OK:
			return "ok";
		case SHEGU_COMP_NOT_FINITE:
			return "value is NaN or infinite";
		case SHEGU_COMP_LOG_NONPOSITIVE:
			return "log of a value that is not positive";
		case SHEGU_COMP_BAD_SPEC:
			return "invalid normalisation parameters";
		case SHEGU_COMP_NEGATIVE:
			return "negative value where none is allowed";
		case SHEGU_COMP_NOT_SQUARE:
			return "matrix is not square or too large";
		case SHEGU_COMP_NOT_POSITIVE:
			return "matrix entry is not positive";
		case SHEGU_COMP_NOT_RECIPROCAL:
			return "matrix is not reciprocal";
		case SHEGU_COMP_TOO_FEW_UNITS:
			return "fewer than two units";
		case SHEGU_COMP_ALL_CONSTANT:
			return "every indicator is constant";
		case SHEGU_COMP_NO_CONVERGENCE:
			return "eigenvector iteration did not converge";
		case SHEGU_COMP_BAD_WEIGHT:
			return "weight is negative, not finite, or all weights are zero";
	}
	return "unknown status";
}

/* ---- sorting helpers (no qsort context, so small hand-written heapsorts) ---- */

/* Restore the max-heap below root in a[0..n). */
static void
sift_down_doubles(double *a, int root, int n)
{
	for (;;)
	{
		int			c = 2 * root + 1;
		double		t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[root] >= a[c])
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

static void
sort_doubles(double *a, int n)
{
	/* heapsort, ascending */
	for (int start = n / 2 - 1; start >= 0; start--)
		sift_down_doubles(a, start, n);
	for (int end = n - 1; end > 0; end--)
	{
		double		t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down_doubles(a, 0, end);
	}
}

/* order[] of indices sorted by key descending; ties by index ascending (stable result). */
static int
before(const double *key, int a, int b)
{
	/* true when a sorts after b in the heap's max order, i.e. a "greater" than b */
	if (key[a] < key[b])
		return 1;
	if (key[a] > key[b])
		return 0;
	return a > b;
}

/* Restore the heap (max by "before") below root in order[0..n). */
static void
sift_down_order(const double *key, int *order, int root, int n)
{
	for (;;)
	{
		int			c = 2 * root + 1;
		int			t;

		if (c >= n)
			return;
		if (c + 1 < n && before(key, order[c + 1], order[c]))
			c++;
		if (!before(key, order[c], order[root]))
			return;
		t = order[root];
		order[root] = order[c];
		order[c] = t;
		root = c;
	}
}

static void
sort_index_desc(const double *key, int *order, int n)
{
	/* heapsort building a max-heap by "before" so the final array runs descending */
	for (int start = n / 2 - 1; start >= 0; start--)
		sift_down_order(key, order, start, n);
	for (int end = n - 1; end > 0; end--)
	{
		int			t = order[0];

		order[0] = order[end];
		order[end] = t;
		sift_down_order(key, order, 0, end);
	}
}

double
shegu_quantile_sorted(const double *sorted, int n, double p)
{
	double		h,
				frac;
	int			lo;

	if (n <= 0)
		return NAN;
	if (n == 1 || p <= 0)
		return sorted[0];
	if (p >= 1)
		return sorted[n - 1];
	h = (n - 1) * p;
	lo = (int) floor(h);
	frac = h - lo;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* first index in sorted[0..n) with sorted[i] >= v (or > v when strict) */
static int
bound(const double *sorted, int n, double v, int strict)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strict ? sorted[mid] <= v : sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- normalisation ---- */

shegu_comp_status
shegu_normalize(const shegu_norm_spec *spec, const double *x, const bool *present, int n,
				double *out, double *work, shegu_comp_error *err)
{
	int			np = 0;
	double		mn,
				mx;
	double		lo = spec->lo,
				hi = spec->hi,
				target = spec->target;
	int			dir = spec->direction < 0 ? -1 : 1;

	if (spec->winsor < 0 || spec->winsor >= 0.5 || isnan(spec->winsor))
		return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, spec->winsor);
	if (spec->method == SHEGU_NORM_GOALPOST)
	{
		if (!isfinite(lo) || !isfinite(hi))
			return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, isfinite(lo) ? hi : lo);
		if (spec->log_transform)
		{
			if (lo <= 0)
				return fail(err, SHEGU_COMP_LOG_NONPOSITIVE, -1, -1, lo);
			if (hi <= 0)
				return fail(err, SHEGU_COMP_LOG_NONPOSITIVE, -1, -1, hi);
			lo = log(lo);
			hi = log(hi);
		}
		if (!(lo < hi))
			return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, spec->lo);
	}
	if (spec->method == SHEGU_NORM_TARGET)
	{
		if (!isfinite(target))
			return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, target);
		if (spec->log_transform)
		{
			if (target <= 0)
				return fail(err, SHEGU_COMP_LOG_NONPOSITIVE, -1, -1, target);
			target = log(target);
		}
	}

	/* transform and check */
	for (int i = 0; i < n; i++)
	{
		double		v = x[i];

		if (!present[i])
		{
			out[i] = NAN;
			continue;
		}

		if (!isfinite(v))
			return fail(err, SHEGU_COMP_NOT_FINITE, i, -1, v);
		if (spec->log_transform)
		{
			if (v <= 0)
				return fail(err, SHEGU_COMP_LOG_NONPOSITIVE, i, -1, v);
			v = log(v);
		}
		out[i] = v;
		work[np++] = v;
	}
	if (np == 0)
		return ok(err);
	sort_doubles(work, np);

	/* winsorisation: cap at the p and 1 - p quantiles of the present values */
	if (spec->winsor > 0)
	{
		double		qlo = shegu_quantile_sorted(work, np, spec->winsor);
		double		qhi = shegu_quantile_sorted(work, np, 1 - spec->winsor);

		for (int i = 0; i < n; i++)
		{
			if (!present[i])
				continue;
			if (out[i] < qlo)
				out[i] = qlo;
			if (out[i] > qhi)
				out[i] = qhi;
		}
		for (int i = 0; i < np; i++)
		{
			if (work[i] < qlo)
				work[i] = qlo;
			if (work[i] > qhi)
				work[i] = qhi;
		}
	}

	mn = work[0];
	mx = work[np - 1];

	switch (spec->method)
	{
		case SHEGU_NORM_NONE:
			for (int i = 0; i < n; i++)
				if (present[i])
					out[i] = dir > 0 ? out[i] : 1 - out[i];
			break;
		case SHEGU_NORM_MINMAX:
			for (int i = 0; i < n; i++)
				if (present[i])
				{
					if (mx == mn)
						out[i] = 1;
					else
						out[i] = dir > 0 ? (out[i] - mn) / (mx - mn) : (mx - out[i]) / (mx - mn);
				}
			break;
		case SHEGU_NORM_GOALPOST:
			for (int i = 0; i < n; i++)
				if (present[i])
				{
					double		v = out[i];

					if (spec->clamp)
						v = v < lo ? lo : (v > hi ? hi : v);
					out[i] = dir > 0 ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo);
				}
			break;
		case SHEGU_NORM_ZSCORE:
			{
				double		sum = 0,
							ss = 0,
							mean,
							sd;

				for (int i = 0; i < np; i++)
					sum += work[i];
				mean = sum / np;
				for (int i = 0; i < np; i++)
					ss += (work[i] - mean) * (work[i] - mean);
				sd = np > 1 ? sqrt(ss / (np - 1)) : 0;
				for (int i = 0; i < n; i++)
					if (present[i])
						out[i] = sd > 0 ? dir * (out[i] - mean) / sd : 0;
			}
			break;
		case SHEGU_NORM_RANK:
			for (int i = 0; i < n; i++)
				if (present[i])
				{
					int			less,
								upto;
					double		r,
								y;

					if (np == 1)
					{
						out[i] = 1;
						continue;
					}
					less = bound(work, np, out[i], 0);
					upto = bound(work, np, out[i], 1);
					r = less + (upto - less + 1) / 2.0;		/* mean 1-based rank */
					y = (r - 1) / (np - 1);
					out[i] = dir > 0 ? y : 1 - y;
				}
			break;
		case SHEGU_NORM_TARGET:
			for (int i = 0; i < n; i++)
				if (present[i])
				{
					double		y;

					if (dir > 0)
						y = target > mn ? (out[i] - mn) / (target - mn) : 1;
					else
						y = target < mx ? (mx - out[i]) / (mx - target) : 1;
					if (spec->clamp && y > 1)
						y = 1;
					out[i] = y;
				}
			break;
		default:
			return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, (double) spec->method);
	}
	/* values near the range of a double can overflow a difference or a sum */
	for (int i = 0; i < n; i++)
		if (present[i] && !isfinite(out[i]))
			return fail(err, SHEGU_COMP_NOT_FINITE, i, -1, x[i]);
	return ok(err);
}

/* ---- aggregation ---- */

shegu_comp_status
shegu_aggregate(shegu_agg_method method, const double *score, const bool *present,
				const double *weight, int n, double min_share, double zero_floor,
				double *out, bool *has, shegu_comp_error *err)
{
	double		total = 0,
				wp = 0,
				maxw = 0,
				scale;
	int			e;

	*out = NAN;
	*has = false;
	for (int i = 0; i < n; i++)
	{
		if (!isfinite(weight[i]) || weight[i] < 0)
			return fail(err, SHEGU_COMP_BAD_WEIGHT, i, -1, weight[i]);
		if (weight[i] > maxw)
			maxw = weight[i];
		if (present[i] && weight[i] > 0)
		{
			if (!isfinite(score[i]))
				return fail(err, SHEGU_COMP_NOT_FINITE, i, -1, score[i]);
			if (method == SHEGU_AGG_GEOMETRIC && score[i] < 0)
				return fail(err, SHEGU_COMP_NEGATIVE, i, -1, score[i]);
		}
	}
	if (!(maxw > 0))
		return fail(err, SHEGU_COMP_BAD_WEIGHT, -1, -1, maxw);

	/*
	 * Scale the weights by a power of two so that the largest is in [0.5, 1): exact, so
	 * ordinary results are bit for bit sum(w s) / sum(w) (equal scores tie), and tiny or huge
	 * weights neither underflow nor overflow.
	 */
	frexp(maxw, &e);
	scale = ldexp(1.0, -e);
	for (int i = 0; i < n; i++)
	{
		total += weight[i] * scale;
		if (present[i] && weight[i] > 0)
			wp += weight[i] * scale;
	}
	if (wp <= 0 || wp / total < min_share - 1e-12)
		return ok(err);

	if (method == SHEGU_AGG_ARITHMETIC)
	{
		double		s = 0;

		for (int i = 0; i < n; i++)
			if (present[i] && weight[i] > 0)
				s += (weight[i] * scale) * score[i];
		*out = s / wp;
	}
	else
	{
		double		s = 0;
		bool		zero = false;

		for (int i = 0; i < n; i++)
			if (present[i] && weight[i] > 0)
			{
				double		v = score[i];

				if (zero_floor > 0 && v < zero_floor)
					v = zero_floor;
				if (v == 0)
				{
					zero = true;
					break;
				}
				s += (weight[i] * scale) * log(v);
			}
		*out = zero ? 0 : exp(s / wp);
	}
	*has = true;
	return ok(err);
}

/* ---- AHP ---- */

/* Saaty (1980), random consistency index by matrix order 1..15. */
static const double saaty_ri[SHEGU_AHP_MAX_N + 1] = {
	0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59
};

double
shegu_ahp_random_index(int n)
{
	if (n < 1 || n > SHEGU_AHP_MAX_N)
		return NAN;
	return saaty_ri[n];
}

shegu_comp_status
shegu_ahp(const double *a, int n, double *w, double *work, shegu_ahp_result *res,
		  shegu_comp_error *err)
{
	double		sum = 0,
				lambda = n,
				lm = 0;
	int			it;

	if (n < 1 || n > SHEGU_AHP_MAX_N)
		return fail(err, SHEGU_COMP_NOT_SQUARE, n, n, (double) n);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
		{
			double		v = a[i * n + j];

			if (!isfinite(v))
				return fail(err, SHEGU_COMP_NOT_FINITE, i, j, v);
			if (v <= 0)
				return fail(err, SHEGU_COMP_NOT_POSITIVE, i, j, v);
		}
	for (int i = 0; i < n; i++)
		for (int j = i; j < n; j++)
		{
			double		prod = a[i * n + j] * a[j * n + i];

			if (i == j ? fabs(a[i * n + i] - 1) > 1e-9 : fabs(prod - 1) > 0.01)
				return fail(err, SHEGU_COMP_NOT_RECIPROCAL, i, j, a[i * n + j]);
		}

	/* start from the normalised row geometric means, then power iteration */

	for (int i = 0; i < n; i++)
	{
		double		lg = 0;

		for (int j = 0; j < n; j++)
			lg += log(a[i * n + j]);
		w[i] = exp(lg / n);
		sum += w[i];
	}
	for (int i = 0; i < n; i++)
		w[i] /= sum;

	for (it = 1; it <= 10000; it++)
	{
		double		s = 0,
					diff = 0;

		for (int i = 0; i < n; i++)
		{
			double		v = 0;

			for (int j = 0; j < n; j++)
				v += a[i * n + j] * w[j];
			work[i] = v;
			s += v;
		}
		lambda = s;				/* w sums to 1, so sum(Aw) = lambda at the fixed point */
		for (int i = 0; i < n; i++)
		{
			double		v = work[i] / s;

			diff = fmax(diff, fabs(v - w[i]));
			w[i] = v;
		}
		if (diff < 1e-15)
			break;
	}
	if (it > 10000)
		return fail(err, SHEGU_COMP_NO_CONVERGENCE, -1, -1, lambda);

	/* lambda_max as the mean of (Aw)_i / w_i at the converged w */
	for (int i = 0; i < n; i++)
	{
		double		v = 0;

		for (int j = 0; j < n; j++)
			v += a[i * n + j] * w[j];
		lm += v / w[i];
	}
	lm /= n;
	res->lambda_max = lm;
	res->iterations = it;
	res->ri = saaty_ri[n];
	if (n <= 2)
	{
		res->ci = 0;
		res->cr = 0;
	}
	else
	{
		res->ci = (lm - n) / (n - 1);
		if (fabs(res->ci) < 1e-12)
			res->ci = 0;
		res->cr = res->ci / res->ri;
	}
	return ok(err);
}

/* ---- entropy weights ---- */

shegu_comp_status
shegu_entropy_weights(const double *x, int m, int k, double *w, shegu_comp_error *err)
{
	double		lnm,
				dsum = 0;

	if (m < 2)
		return fail(err, SHEGU_COMP_TOO_FEW_UNITS, m, -1, (double) m);
	if (k < 1)
		return fail(err, SHEGU_COMP_NOT_SQUARE, -1, k, (double) k);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < k; j++)
		{
			double		v = x[i * k + j];

			if (!isfinite(v))
				return fail(err, SHEGU_COMP_NOT_FINITE, i, j, v);
			if (v < 0)
				return fail(err, SHEGU_COMP_NEGATIVE, i, j, v);
		}

	lnm = log((double) m);

	for (int j = 0; j < k; j++)
	{
		double		s = 0,
					h = 0,
					d;
		bool		constant = true;

		for (int i = 0; i < m; i++)
		{
			s += x[i * k + j];
			if (x[i * k + j] != x[j])
				constant = false;
		}
		if (constant || !(s > 0))
		{
			w[j] = 0;
			continue;
		}
		for (int i = 0; i < m; i++)
		{
			double		p = x[i * k + j] / s;

			if (p > 0)			/* 0 ln 0 = 0 */
				h -= p * log(p);
		}
		d = 1 - h / lnm;
		w[j] = d > 0 ? d : 0;
		dsum += w[j];
	}
	if (!(dsum > 0))
		return fail(err, SHEGU_COMP_ALL_CONSTANT, -1, -1, 0);
	for (int j = 0; j < k; j++)
		w[j] /= dsum;
	return ok(err);
}

/* ---- effective weights ---- */

shegu_comp_status
shegu_effective_weights(const double *x, const double *idx, int m, int k, const double *w,
						shegu_effective *out, bool *dominated, shegu_comp_error *err)
{
	double		wsum = 0,
				imean = 0,
				ivar = 0,
				csum = 0,
				reached = 0;
	int			needed = 0;

	*dominated = false;
	if (m < 2)
		return fail(err, SHEGU_COMP_TOO_FEW_UNITS, m, -1, (double) m);
	for (int j = 0; j < k; j++)
	{
		if (!isfinite(w[j]) || w[j] < 0)
			return fail(err, SHEGU_COMP_BAD_WEIGHT, -1, j, w[j]);
		wsum += w[j];
	}
	if (!(wsum > 0))
		return fail(err, SHEGU_COMP_BAD_WEIGHT, -1, -1, wsum);
	for (int i = 0; i < m; i++)
	{
		if (!isfinite(idx[i]))
			return fail(err, SHEGU_COMP_NOT_FINITE, i, -1, idx[i]);
		for (int j = 0; j < k; j++)
			if (!isfinite(x[i * k + j]))
				return fail(err, SHEGU_COMP_NOT_FINITE, i, j, x[i * k + j]);
		imean += idx[i];
	}
	imean /= m;
	for (int i = 0; i < m; i++)
		ivar += (idx[i] - imean) * (idx[i] - imean);

	for (int j = 0; j < k; j++)
	{
		double		xm = 0,
					xv = 0,
					c = 0;

		for (int i = 0; i < m; i++)
			xm += x[i * k + j];
		xm /= m;
		for (int i = 0; i < m; i++)
		{
			double		d = x[i * k + j] - xm;

			xv += d * d;
			c += d * (idx[i] - imean);
		}
		out[j].correlation = (xv > 0 && ivar > 0) ? c / sqrt(xv * ivar) : NAN;
		out[j].variance_share = w[j] / wsum * c;	/* normalised below */
		csum += out[j].variance_share;
	}

	for (int j = 0; j < k; j++)
	{
		out[j].variance_share = csum != 0 ? out[j].variance_share / csum : NAN;
		out[j].dominant = csum != 0 && out[j].variance_share > 2 * w[j] / wsum;
	}
	if (csum != 0)
	{
		/* greedy: the largest shares first until 80% is reached */
		bool		used[64];
		int			kk = k < 64 ? k : 64;

		memset(used, 0, sizeof(used));
		while (reached < 0.8 && needed < kk)
		{
			int			best = -1;

			for (int j = 0; j < kk; j++)
				if (!used[j] && (best < 0 || out[j].variance_share > out[best].variance_share))
					best = j;
			used[best] = true;
			reached += out[best].variance_share;
			needed++;
		}
		*dominated = k < 64 && reached >= 0.8 && needed * 3 <= k;
	}
	return ok(err);
}

/* ---- ranks ---- */

void
shegu_rank_desc(const double *score, const bool *present, int n, int *rank, int *order)
{
	int			np = 0;

	for (int i = 0; i < n; i++)
	{
		rank[i] = 0;
		if (present[i])
			order[np++] = i;
	}
	sort_index_desc(score, order, np);
	for (int p = 0; p < np; p++)
	{
		int			i = order[p];

		if (p > 0 && score[order[p - 1]] == score[i])
			rank[i] = rank[order[p - 1]];
		else
			rank[i] = p + 1;
	}
}

/* ---- tree evaluation ---- */

shegu_comp_status
shegu_tree_eval(const shegu_tree *t, const double *w, const shegu_agg_method *agg,
				int nunits, double *score, bool *present, double *wd, bool *wb,
				shegu_comp_error *err)
{
	int			nn = t->nnodes;

	if (agg == NULL)
		agg = t->agg;
	for (int u = 0; u < nunits; u++)
	{
		double	   *s = score + (size_t) u * nn;
		bool	   *p = present + (size_t) u * nn;

		for (int o = 0; o < nn; o++)
		{
			int			v = t->postorder[o];
			int			c0 = t->child_start[v],
						c1 = t->child_start[v + 1];
			int			nc = c1 - c0;
			shegu_comp_status st;

			if (t->is_leaf[v])
				continue;
			for (int c = 0; c < nc; c++)
			{
				int			ch = t->child[c0 + c];

				wd[c] = s[ch];
				wd[nn + c] = w[ch];
				wb[c] = p[ch];
			}
			st = shegu_aggregate(agg[v], wd, wb, wd + nn, nc, t->min_share[v],
								 t->zero_floor, &s[v], &p[v], err);
			if (st != SHEGU_COMP_OK)
			{
				if (err)
				{
					/* say which unit and which node */
					err->row = u;
					err->col = v;
				}
				return st;
			}
		}
	}
	return ok(err);
}

/* ---- PRNG: splitmix64 (Steele, Lea, Flood 2014) ---- */

void
shegu_rng_seed(shegu_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t
shegu_rng_next(shegu_rng *r)
{
	uint64_t	z = (r->state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

double
shegu_rng_uniform(shegu_rng *r)
{
	return (double) (shegu_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- Monte Carlo ---- */

static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a,
				y = *(const int *) b;

	return (x > y) - (x < y);
}

shegu_norm_spec
shegu_norm_alternative(const shegu_norm_spec *spec)
{
	shegu_norm_spec alt = *spec;

	alt.method = (spec->method == SHEGU_NORM_RANK || spec->method == SHEGU_NORM_ZSCORE)
		? SHEGU_NORM_MINMAX : SHEGU_NORM_RANK;
	return alt;
}

/* Normalise one leaf column of the nunits x nn matrices with a specification. */
static shegu_comp_status
normalize_column(const shegu_norm_spec *spec, int leaf, int nunits, int nn, const double *raw,
				 const bool *present, double *score, double *x, bool *p, double *y,
				 double *work, shegu_comp_error *err)
{
	shegu_comp_status st;

	for (int u = 0; u < nunits; u++)
	{
		x[u] = raw[(size_t) u * nn + leaf];
		p[u] = present[(size_t) u * nn + leaf];
	}
	st = shegu_normalize(spec, x, p, nunits, y, work, err);
	if (st != SHEGU_COMP_OK)
	{
		if (err)
			err->col = leaf;
		return st;
	}
	for (int u = 0; u < nunits; u++)
		score[(size_t) u * nn + leaf] = y[u];
	return SHEGU_COMP_OK;
}

shegu_comp_status
shegu_monte_carlo(const shegu_tree *t, const double *w, const shegu_mc_spec *spec,
				  int nunits, const double *leaf_score, const bool *leaf_present,
				  const double *raw, const shegu_norm_spec *norm,
				  shegu_alloc_fn alloc, shegu_free_fn free_fn, void *ctx,
				  shegu_mc_unit *out, shegu_comp_error *err)
{
	int			nn = t->nnodes;
	int			runs = spec->runs;
	size_t		cells = (size_t) nunits * nn;
	shegu_comp_status st;
	shegu_rng	rng;
	double	   *score,
			   *wd,
			   *wr,
			   *root;
	bool	   *present,
			   *wb,
			   *rootp;
	shegu_agg_method *ag;
	int		   *rank,
			   *order,
			   *ranks,
			   *mine;
	double	   *cx = NULL,
			   *cy = NULL,
			   *cw = NULL,
			   *alt_score = NULL;
	bool	   *cp = NULL,
			   *switched = NULL;
	bool		vary_norm = spec->vary_normalization && raw != NULL && norm != NULL;

	if (runs < 1)
		return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, (double) runs);
	if (!isfinite(spec->weight_noise) || spec->weight_noise < 0 || spec->weight_noise >= 1)
		return fail(err, SHEGU_COMP_BAD_SPEC, -1, -1, spec->weight_noise);

	score = alloc(ctx, cells * sizeof(double));
	present = alloc(ctx, cells * sizeof(bool));
	wd = alloc(ctx, 2 * (size_t) nn * sizeof(double));
	wb = alloc(ctx, (size_t) nn * sizeof(bool));
	wr = alloc(ctx, (size_t) nn * sizeof(double));
	ag = alloc(ctx, (size_t) nn * sizeof(shegu_agg_method));
	root = alloc(ctx, (size_t) nunits * sizeof(double));
	rootp = alloc(ctx, (size_t) nunits * sizeof(bool));
	rank = alloc(ctx, (size_t) nunits * sizeof(int));
	order = alloc(ctx, (size_t) nunits * sizeof(int));
	ranks = alloc(ctx, (size_t) nunits * runs * sizeof(int));
	mine = alloc(ctx, (size_t) runs * sizeof(int));
	if (vary_norm)
	{
		cx = alloc(ctx, (size_t) nunits * sizeof(double));
		cy = alloc(ctx, (size_t) nunits * sizeof(double));
		cw = alloc(ctx, 2 * (size_t) nunits * sizeof(double));
		cp = alloc(ctx, (size_t) nunits * sizeof(bool));
		switched = alloc(ctx, (size_t) nn * sizeof(bool));
		alt_score = alloc(ctx, cells * sizeof(double));
		/* the alternative scores of every leaf, once: a run only copies columns */
		for (int v = 0; v < nn; v++)
		{
			switched[v] = false;
			if (t->is_leaf[v])
			{
				shegu_norm_spec a = shegu_norm_alternative(&norm[v]);

				st = normalize_column(&a, v, nunits, nn, raw, leaf_present, alt_score, cx, cp, cy, cw, err);
				if (st != SHEGU_COMP_OK)
					goto done;
			}
		}
	}

	memcpy(score, leaf_score, cells * sizeof(double));
	memcpy(present, leaf_present, cells * sizeof(bool));

	/* nominal */
	st = shegu_tree_eval(t, w, NULL, nunits, score, present, wd, wb, err);
	if (st != SHEGU_COMP_OK)
		goto done;
	for (int u = 0; u < nunits; u++)
	{
		root[u] = score[(size_t) u * nn];
		rootp[u] = present[(size_t) u * nn] && !(spec->unranked && spec->unranked[u]);
	}
	shegu_rank_desc(root, rootp, nunits, rank, order);
	for (int u = 0; u < nunits; u++)
		out[u].nominal_rank = rank[u];

	shegu_rng_seed(&rng, spec->seed);
	for (int r = 0; r < runs; r++)
	{
		if (spec->tick)
			spec->tick(ctx);
		/* the draw order is fixed: one factor per node, then one flip per node */
		for (int v = 0; v < nn; v++)
			wr[v] = w[v] * (1 + spec->weight_noise * (2 * shegu_rng_uniform(&rng) - 1));
		for (int v = 0; v < nn; v++)
		{
			ag[v] = t->agg[v];
			if (spec->vary_aggregation && !t->is_leaf[v] && shegu_rng_uniform(&rng) < 0.5)
				ag[v] = ag[v] == SHEGU_AGG_ARITHMETIC ? SHEGU_AGG_GEOMETRIC : SHEGU_AGG_ARITHMETIC;
		}
		/* then one draw per leaf for its normalisation; a leaf is renormalised only on change */
		if (vary_norm)
			for (int v = 0; v < nn; v++)
			{
				bool		alt;

				if (!t->is_leaf[v])
					continue;
				alt = shegu_rng_uniform(&rng) < 0.5;
				if (alt == switched[v])
					continue;
				for (int u = 0; u < nunits; u++)
					score[(size_t) u * nn + v] = (alt ? alt_score : leaf_score)[(size_t) u * nn + v];
				switched[v] = alt;
			}
		st = shegu_tree_eval(t, wr, ag, nunits, score, present, wd, wb, err);
		if (st != SHEGU_COMP_OK)
			goto done;
		for (int u = 0; u < nunits; u++)
		{
			root[u] = score[(size_t) u * nn];
			rootp[u] = present[(size_t) u * nn] && !(spec->unranked && spec->unranked[u]);
		}
		shegu_rank_desc(root, rootp, nunits, rank, order);
		for (int u = 0; u < nunits; u++)
			ranks[(size_t) u * runs + r] = rank[u];
	}

	for (int u = 0; u < nunits; u++)
	{
		int			k = 0;
		double		sum = 0;

		for (int r = 0; r < runs; r++)
			if (ranks[(size_t) u * runs + r] > 0)
			{
				mine[k++] = ranks[(size_t) u * runs + r];
				sum += ranks[(size_t) u * runs + r];
			}
		out[u].runs_ranked = k;
		if (k == 0)
		{
			out[u].mean_rank = out[u].median_rank = out[u].p05 = out[u].p95 = NAN;
			continue;
		}
		qsort(mine, k, sizeof(int), cmp_int);
		/* quantiles of the integer ranks, type 7 (linear interpolation) */
		out[u].mean_rank = sum / k;
		{
			double		h;
			int			lo;

#define RANK_Q(p, dst) \
			h = (k - 1) * (p); lo = (int) floor(h); \
			dst = lo + 1 < k ? mine[lo] + (h - lo) * (mine[lo + 1] - mine[lo]) : mine[k - 1];
			RANK_Q(0.5, out[u].median_rank);
			RANK_Q(0.05, out[u].p05);
			RANK_Q(0.95, out[u].p95);
#undef RANK_Q
		}
	}
	st = ok(err);

done:
	if (free_fn)
	{
		if (vary_norm)
		{
			free_fn(ctx, alt_score);
			free_fn(ctx, switched);
			free_fn(ctx, cp);
			free_fn(ctx, cw);
			free_fn(ctx, cy);
			free_fn(ctx, cx);
		}
		free_fn(ctx, mine);
		free_fn(ctx, ranks);
		free_fn(ctx, order);
		free_fn(ctx, rank);
		free_fn(ctx, rootp);
		free_fn(ctx, root);
		free_fn(ctx, ag);
		free_fn(ctx, wr);
		free_fn(ctx, wb);
		free_fn(ctx, wd);
		free_fn(ctx, present);
		free_fn(ctx, score);
	}
	return st;
}
