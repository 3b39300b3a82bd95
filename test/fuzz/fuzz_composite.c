/* libFuzzer target for the composite engine: AHP, entropy and normalisation on arbitrary
 * matrices never crash, and whatever they accept yields weights that sum to 1.
 * test/fuzz/fuzz_composite.c */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "composite.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
fuzz_alloc(void *ctx, size_t size)
{
	void	   *p;

	(void) ctx;
	p = malloc(size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

static void
fuzz_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static void
check_weights(const double *w, int n)
{
	double		s = 0;

	for (int i = 0; i < n; i++)
	{
		if (!(w[i] >= 0 && w[i] <= 1 + 1e-12))
			abort();
		s += w[i];
	}
	if (fabs(s - 1) > 1e-9)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double		a[SHEGU_AHP_MAX_N * SHEGU_AHP_MAX_N],
				w[SHEGU_AHP_MAX_N],
				work[2 * SHEGU_AHP_MAX_N * SHEGU_AHP_MAX_N];
	bool		present[SHEGU_AHP_MAX_N * SHEGU_AHP_MAX_N];
	shegu_ahp_result r;
	shegu_comp_error err;
	int			n,
				cells;

	if (size < 2)
		return 0;
	n = 1 + data[0] % SHEGU_AHP_MAX_N;
	cells = n * n;
	data++;
	size--;

	/* 1. raw doubles from the bytes: anything at all, NaN and infinities included */
	for (int i = 0; i < cells; i++)
	{
		double		v = 0;

		if ((size_t) (i + 1) * sizeof(double) <= size)
			memcpy(&v, data + i * sizeof(double), sizeof(double));
		a[i] = v;
		present[i] = (i % 3) != 1;
	}
	if (shegu_ahp(a, n, w, work, &r, &err) == SHEGU_COMP_OK)
		check_weights(w, n);
	if (shegu_entropy_weights(a, n, n, w, &err) == SHEGU_COMP_OK)
		check_weights(w, n);
	for (int m = 0; m <= 5; m++)
	{
		shegu_norm_spec s = {(shegu_norm_method) m, (data[0] & 1) ? 1 : -1, (data[0] & 2) != 0,
		(data[0] & 4) != 0, a[0], a[1], a[2], (data[0] >> 3) / 64.0};

		if (shegu_normalize(&s, a, present, cells, work, work + cells, &err) == SHEGU_COMP_OK)
			for (int i = 0; i < cells; i++)
				if (present[i] && isnan(work[i]))
					abort();
	}

	/* weighted means of the raw doubles as scores and weights lie between their extremes */
	for (int m = 0; m < 2; m++)
	{
		double		out,
					lo = INFINITY,
					hi = -INFINITY;
		bool		has;
		int			k = n < cells / 2 ? n : cells / 2;

		if (k < 1)
			break;
		if (shegu_aggregate((shegu_agg_method) m, a, present, a + k, k, 0.25, 0, &out, &has, &err)
			!= SHEGU_COMP_OK || !has)
			continue;
		for (int i = 0; i < k; i++)
			if (present[i] && a[k + i] > 0)
			{
				lo = fmin(lo, a[i]);
				hi = fmax(hi, a[i]);
			}
		/* relative slack for rounding, and overflow of huge weights makes inf / nan */
		if (isfinite(out) && isfinite(lo) && isfinite(hi)
			&& (out < lo - 1e-9 * fabs(lo) - 1e-300 || out > hi + 1e-9 * fabs(hi) + 1e-300))
			abort();
	}

	/* a two-level tree over n units fed with the raw doubles: Monte Carlo ranks stay sane */
	{
		int			parent[4] = {-1, 0, 0, 1};
		int			post[4] = {3, 1, 2, 0};
		int			cs[5] = {0, 2, 3, 3, 3};
		int			ch[3] = {1, 2, 3};
		bool		leaf[4] = {false, false, true, true};
		shegu_agg_method agg[4] = {(shegu_agg_method) (data[0] & 1), (shegu_agg_method) ((data[0] >> 1) & 1)};
		double		ms[4] = {(data[0] >> 2) / 64.0, (data[0] >> 2) / 64.0};
		double		w[4] = {1, 1 + (data[0] & 7), 1, 1};
		shegu_tree	t = {4, parent, post, cs, ch, leaf, agg, ms, 0};
		shegu_mc_spec spec = {5, 0.5, (data[0] & 8) != 0, (data[0] & 16) != 0, data[0], NULL, NULL};
		shegu_norm_spec ns[4];
		double		sc[4 * SHEGU_AHP_MAX_N],
					rw[4 * SHEGU_AHP_MAX_N];
		bool		pr[4 * SHEGU_AHP_MAX_N];
		shegu_mc_unit res[SHEGU_AHP_MAX_N];

		memset(ns, 0, sizeof(ns));
		ns[2].method = ns[3].method = SHEGU_NORM_MINMAX;
		ns[2].direction = ns[3].direction = 1;
		for (int u = 0; u < n; u++)
			for (int v = 0; v < 4; v++)
			{
				double		x = a[(u * 4 + v) % cells];

				rw[u * 4 + v] = x;
				/* leaf scores in [0, 1] as a normalisation would give */
				sc[u * 4 + v] = isfinite(x) ? fabs(fmod(x, 1.0)) : 0.5;
				pr[u * 4 + v] = v >= 2 && isfinite(x) && ((u + v) % 5) != 0;
			}
		if (shegu_monte_carlo(&t, w, &spec, n, sc, pr, rw, ns, fuzz_alloc, fuzz_free, NULL, res, &err)
			== SHEGU_COMP_OK)
			for (int u = 0; u < n; u++)
			{
				if (res[u].nominal_rank < 0 || res[u].nominal_rank > n || res[u].runs_ranked > spec.runs)
					abort();
				if (res[u].runs_ranked > 0
					&& !(1 <= res[u].p05 && res[u].p05 <= res[u].median_rank
						 && res[u].median_rank <= res[u].p95 && res[u].p95 <= n))
					abort();
			}
	}

	/* 2. a positive reciprocal matrix built from the bytes: AHP must accept it */
	for (int i = 0; i < n; i++)
	{
		a[i * n + i] = 1;
		for (int j = i + 1; j < n; j++)
		{
			uint8_t		b = data[(i * n + j) % size];
			double		v = 1 + b % 9;

			if (b & 0x80)
				v = 1 / v;
			a[i * n + j] = v;
			a[j * n + i] = 1 / v;
		}
	}
	if (shegu_ahp(a, n, w, work, &r, &err) != SHEGU_COMP_OK)
		abort();
	check_weights(w, n);
	if (!(r.lambda_max >= n - 1e-9) || (n > 2 && !(r.cr >= 0)))
		abort();
	return 0;
}
