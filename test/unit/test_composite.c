/* Unit tests of the composite-indicator engine: Saaty's matrices, a hand-computed entropy
 * example, UNDP's HDI from published inputs, the zero rule, re-spreading, Monte Carlo.
 * test/unit/test_composite.c */
#include <stdlib.h>

#include "composite.h"
#include "unit.h"

static void *
test_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void
test_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static shegu_norm_spec
spec_of(shegu_norm_method m, int dir)
{
	shegu_norm_spec s;

	memset(&s, 0, sizeof(s));
	s.method = m;
	s.direction = dir;
	s.clamp = true;
	s.lo = NAN;
	s.hi = NAN;
	s.target = NAN;
	return s;
}

static void
test_normalize(void)
{
	double		x[5] = {10, 20, 30, 40, 50},
				out[5],
				work[10];
	bool		all[5] = {true, true, true, true, true};
	bool		some[5] = {true, false, true, true, true};
	shegu_norm_spec s = spec_of(SHEGU_NORM_MINMAX, 1);
	shegu_comp_error err;

	CHECK_INT(shegu_normalize(&s, x, all, 5, out, work, &err), SHEGU_COMP_OK, "minmax ok");
	CHECK_NEAR(out[0], 0, 1e-15, "minmax: the minimum is 0");
	CHECK_NEAR(out[1], 0.25, 1e-15, "minmax: (20-10)/(50-10)");
	CHECK_NEAR(out[4], 1, 1e-15, "minmax: the maximum is 1");
	s.direction = -1;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	CHECK_NEAR(out[0], 1, 1e-15, "minmax negative: the minimum is best");
	CHECK_NEAR(out[1], 0.75, 1e-15, "minmax negative: (50-20)/(50-10)");
	s.direction = 1;
	shegu_normalize(&s, x, some, 5, out, work, &err);
	CHECK(isnan(out[1]), "an absent unit gets NaN");
	CHECK_NEAR(out[2], 0.5, 1e-15, "minmax over present units only");
	{
		double		c[3] = {7, 7, 7};

		shegu_normalize(&s, c, all, 3, out, work, &err);
		CHECK_NEAR(out[0] + out[1] + out[2], 3, 0, "minmax of a constant indicator: every unit 1");
	}

	s = spec_of(SHEGU_NORM_GOALPOST, 1);
	s.lo = 20;
	s.hi = 40;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	CHECK_NEAR(out[0], 0, 0, "goalpost with clamp: below lo is 0");
	CHECK_NEAR(out[2], 0.5, 1e-15, "goalpost: (30-20)/(40-20)");
	CHECK_NEAR(out[4], 1, 0, "goalpost with clamp: above hi is 1");
	s.clamp = false;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	CHECK_NEAR(out[4], 1.5, 1e-15, "goalpost without clamp runs past 1");
	s.lo = 40;
	s.hi = 20;
	CHECK_INT(shegu_normalize(&s, x, all, 5, out, work, &err), SHEGU_COMP_BAD_SPEC, "goalpost lo >= hi refused");

	s = spec_of(SHEGU_NORM_ZSCORE, 1);
	shegu_normalize(&s, x, all, 5, out, work, &err);
	/* mean 30, sample sd sqrt(1000/4) = 15.8113883 */
	CHECK_NEAR(out[4], 20 / sqrt(250.0), 1e-12, "zscore: (50-30)/sd with the sample sd");
	CHECK_NEAR(out[2], 0, 1e-15, "zscore of the mean is 0");

	s = spec_of(SHEGU_NORM_RANK, 1);
	{
		double		t[5] = {3, 1, 3, 2, 5};

		shegu_normalize(&s, t, all, 5, out, work, &err);
		/* ranks 1:1, 2:2, 3:3.5 (tie), 5:5 -> (r-1)/4 */
		CHECK_NEAR(out[1], 0, 1e-15, "rank: the lowest is 0");
		CHECK_NEAR(out[0], 0.625, 1e-15, "rank: ties share the mean rank 3.5");
		CHECK_NEAR(out[2], 0.625, 1e-15, "rank: the other tie");
		CHECK_NEAR(out[4], 1, 1e-15, "rank: the highest is 1");
	}

	s = spec_of(SHEGU_NORM_TARGET, 1);
	s.target = 30;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	CHECK_NEAR(out[1], 0.5, 1e-15, "distance to target: (20-10)/(30-10)");
	CHECK_NEAR(out[4], 1, 0, "distance to target: beyond the target is capped at 1");
	s.direction = -1;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	CHECK_NEAR(out[3], 0.5, 1e-15, "distance to target, negative: (50-40)/(50-30)");

	s = spec_of(SHEGU_NORM_MINMAX, 1);
	s.winsor = 0.25;
	shegu_normalize(&s, x, all, 5, out, work, &err);
	/* quantiles 0.25 and 0.75 of 10..50 are 20 and 40: 10 -> 20, 50 -> 40 */
	CHECK_NEAR(out[0], 0, 1e-15, "winsorised low value takes the 25% quantile");
	CHECK_NEAR(out[1], 0, 1e-15, "the quantile itself is the new minimum");
	CHECK_NEAR(out[2], 0.5, 1e-15, "winsorised middle");
	CHECK_NEAR(out[4], 1, 1e-15, "winsorised high value");

	s = spec_of(SHEGU_NORM_MINMAX, 1);
	s.log_transform = true;
	{
		double		t[3] = {1, 10, 100};

		shegu_normalize(&s, t, all, 3, out, work, &err);
		CHECK_NEAR(out[1], 0.5, 1e-15, "log then minmax: 10 is halfway between 1 and 100");
		t[0] = 0;
		CHECK_INT(shegu_normalize(&s, t, all, 3, out, work, &err), SHEGU_COMP_LOG_NONPOSITIVE, "log of 0 refused");
		CHECK_INT(err.row, 0, "the culprit unit is named");
	}
	{
		double		t[3] = {1, NAN, 3};

		CHECK_INT(shegu_normalize(&s, t, all, 3, out, work, &err), SHEGU_COMP_NOT_FINITE, "NaN refused");
		CHECK_INT(err.row, 1, "the NaN unit is named");
		t[1] = INFINITY;
		CHECK_INT(shegu_normalize(&s, t, all, 3, out, work, &err), SHEGU_COMP_NOT_FINITE, "infinity refused");
	}
}

static void
test_aggregate(void)
{
	double		sc[3] = {0.2, 0.5, 0.8},
				w[3] = {1, 1, 2},
				out;
	bool		all[3] = {true, true, true},
				two[3] = {true, false, true},
				one[3] = {false, false, true},
				has;
	shegu_comp_error err;

	shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, all, w, 3, 0, 0, &out, &has, &err);
	CHECK_NEAR(out, (0.2 + 0.5 + 1.6) / 4, 1e-15, "weighted arithmetic mean");
	shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, all, w, 3, 0, 0, &out, &has, &err);
	CHECK_NEAR(out, pow(0.2 * 0.5 * 0.8 * 0.8, 0.25), 1e-15, "weighted geometric mean");

	/* missing data: weights 1 and 2 are re-spread to 1/3 and 2/3 */
	shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, two, w, 3, 0.5, 0, &out, &has, &err);
	CHECK(has, "share present 3/4 >= 0.5 gives a score");
	CHECK_NEAR(out, (0.2 + 1.6) / 3, 1e-15, "weights re-spread over the present children");
	shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, one, w, 3, 0.5, 0, &out, &has, &err);
	CHECK(has, "share present exactly 0.5 is enough");
	CHECK_NEAR(out, 0.8, 1e-15, "the only present child");
	shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, one, w, 3, 0.75, 0, &out, &has, &err);
	CHECK(!has && isnan(out), "share present 0.5 < 0.75: no score");

	/* weights at the ends of the double range neither underflow nor overflow */
	{
		double		tiny[3] = {1e-300, 1e-300, 2e-300},
					huge[3] = {1e308, 1e308, 1.5e308};

		shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, all, tiny, 3, 0, 0, &out, &has, &err);
		CHECK_NEAR(out, (0.2 + 0.5 + 1.6) / 4, 1e-15, "tiny weights: the same weighted mean");
		shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, all, huge, 3, 0.9, 0, &out, &has, &err);
		CHECK(has, "huge weights: the share present is still 1");
		CHECK_NEAR(out, (0.2 + 0.5 + 1.2) / 3.5, 1e-15, "huge weights: the weighted mean");
	}

	/* the zero rule */
	sc[1] = 0;
	shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, all, w, 3, 0, 0, &out, &has, &err);
	CHECK(has, "a zero child still gives a geometric score");
	CHECK_NEAR(out, 0, 0, "zero rule: a present 0 makes the geometric mean 0");
	shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, two, w, 3, 0, 0, &out, &has, &err);
	CHECK_NEAR(out, pow(0.2 * 0.8 * 0.8, 1.0 / 3), 1e-15, "an absent 0 is left out, not a zero");
	shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, all, w, 3, 0, 0.01, &out, &has, &err);
	CHECK_NEAR(out, pow(0.2 * 0.01 * 0.8 * 0.8, 0.25), 1e-15, "zero floor 0.01 replaces the 0");
	w[1] = 0;
	shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, all, w, 3, 0, 0, &out, &has, &err);
	CHECK_NEAR(out, pow(0.2 * 0.8 * 0.8, 1.0 / 3), 1e-15, "a zero with weight 0 takes no part");
	sc[1] = -0.1;
	w[1] = 1;
	CHECK_INT(shegu_aggregate(SHEGU_AGG_GEOMETRIC, sc, all, w, 3, 0, 0, &out, &has, &err),
			  SHEGU_COMP_NEGATIVE, "negative score in a geometric mean refused");
	w[1] = -1;
	CHECK_INT(shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, all, w, 3, 0, 0, &out, &has, &err),
			  SHEGU_COMP_BAD_WEIGHT, "negative weight refused");
	w[0] = w[1] = w[2] = 0;
	CHECK_INT(shegu_aggregate(SHEGU_AGG_ARITHMETIC, sc, all, w, 3, 0, 0, &out, &has, &err),
			  SHEGU_COMP_BAD_WEIGHT, "all weights zero refused");
}

static void
test_ahp(void)
{
	double		w[SHEGU_AHP_MAX_N],
				work[SHEGU_AHP_MAX_N];
	shegu_ahp_result r;
	shegu_comp_error err;

	/* a consistent matrix: w = (4, 2, 1) / 7, lambda_max = n, CI = CR = 0 */
	double		c[9] = {1, 2, 4, 0.5, 1, 2, 0.25, 0.5, 1};

	CHECK_INT(shegu_ahp(c, 3, w, work, &r, &err), SHEGU_COMP_OK, "consistent matrix ok");
	CHECK_NEAR(w[0], 4.0 / 7, 1e-12, "consistent: 4/7");
	CHECK_NEAR(w[2], 1.0 / 7, 1e-12, "consistent: 1/7");
	CHECK_NEAR(r.lambda_max, 3, 1e-12, "consistent: lambda_max = 3");
	CHECK_NEAR(r.cr, 0, 1e-12, "consistent: CR = 0");

	/*
	 * The 3 x 3 textbook matrix [1 3 5; 1/3 1 3; 1/5 1/3 1].  For n = 3 the eigenvector is
	 * the normalised row geometric means (15^(1/3), 1, 15^(-1/3)) / sum = (0.6370, 0.2583,
	 * 0.1047) and lambda_max = 1 + t + 1/t with t = (a13 / (a12 a23))^(1/3) = (5/9)^(1/3):
	 * 3.0385, CI = 0.0193, CR = 0.0332 with RI(3) = 0.58.
	 */
	double		t3[9] = {1, 3, 5, 1.0 / 3, 1, 3, 1.0 / 5, 1.0 / 3, 1};
	double		t = cbrt(5.0 / 9);
	double		g = cbrt(15.0);

	shegu_ahp(t3, 3, w, work, &r, &err);
	CHECK_NEAR(w[0], g / (g + 1 + 1 / g), 1e-12, "3x3: first weight 0.6370");
	CHECK_NEAR(w[1], 1 / (g + 1 + 1 / g), 1e-12, "3x3: second weight 0.2583");
	CHECK_NEAR(r.lambda_max, 1 + t + 1 / t, 1e-12, "3x3: lambda_max 3.0385");
	CHECK_NEAR(r.ci, (t + 1 / t - 2) / 2, 1e-12, "3x3: CI");
	CHECK_NEAR(r.cr, 0.0332, 5e-5, "3x3: CR 0.0332");

	/*
	 * Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
	 * Sciences 1(1), Table 2: relative consumption of drinks in the United States.  The
	 * published eigenvector is coffee .177, wine .019, tea .042, beer .116, sodas .190,
	 * milk .129, water .327.
	 */
	double		drinks[49] = {
		1, 9, 5, 2, 1, 1, 1.0 / 2,
		1.0 / 9, 1, 1.0 / 3, 1.0 / 9, 1.0 / 9, 1.0 / 9, 1.0 / 9,
		1.0 / 5, 3, 1, 1.0 / 3, 1.0 / 4, 1.0 / 3, 1.0 / 9,
		1.0 / 2, 9, 3, 1, 1.0 / 2, 1, 1.0 / 3,
		1, 9, 4, 2, 1, 2, 1.0 / 2,
		1, 9, 3, 1, 1.0 / 2, 1, 1.0 / 3,
		2, 9, 9, 3, 2, 3, 1};
	double		published[7] = {.177, .019, .042, .116, .190, .129, .327};

	CHECK_INT(shegu_ahp(drinks, 7, w, work, &r, &err), SHEGU_COMP_OK, "drinks matrix ok");
	for (int i = 0; i < 7; i++)
		CHECK_NEAR(w[i], published[i], 0.0005, "drinks: published weight to three decimals");
	CHECK(r.cr < 0.1, "drinks: acceptably consistent");
	CHECK_NEAR(shegu_ahp_random_index(7), 1.32, 0, "RI(7) = 1.32");

	/* an intransitive matrix: A > B > C > A, CR far above 0.1 and reported */
	double		bad[9] = {1, 9, 1.0 / 9, 1.0 / 9, 1, 9, 9, 1.0 / 9, 1};

	CHECK_INT(shegu_ahp(bad, 3, w, work, &r, &err), SHEGU_COMP_OK, "intransitive matrix still gives weights");
	CHECK(r.cr > 0.1, "intransitive: CR above 0.1");
	CHECK_NEAR(w[0], 1.0 / 3, 1e-12, "intransitive cycle: equal weights");

	double		one[1] = {1};

	shegu_ahp(one, 1, w, work, &r, &err);
	CHECK_NEAR(w[0], 1, 0, "1x1: weight 1");
	CHECK_NEAR(r.cr, 0, 0, "1x1: CR 0");

	double		neg[4] = {1, -2, -0.5, 1};

	CHECK_INT(shegu_ahp(neg, 2, w, work, &r, &err), SHEGU_COMP_NOT_POSITIVE, "negative entry refused");
	CHECK(err.row == 0 && err.col == 1, "the entry is named");
	double		nonrec[4] = {1, 2, 2, 1};

	CHECK_INT(shegu_ahp(nonrec, 2, w, work, &r, &err), SHEGU_COMP_NOT_RECIPROCAL, "non-reciprocal refused");
	double		third[9] = {1, 3, 1, 0.333, 1, 1, 1, 1, 1};

	CHECK_INT(shegu_ahp(third, 3, w, work, &r, &err), SHEGU_COMP_OK, "0.333 is accepted for 1/3");
	CHECK_INT(shegu_ahp(c, 16, w, work, &r, &err), SHEGU_COMP_NOT_SQUARE, "n = 16 refused");
}

static void
test_entropy(void)
{
	/*
	 * By hand, 3 units x 3 indicators:
	 *   column 1 (1, 2, 3): p = (1/6, 1/3, 1/2),
	 *     H = (1/6) ln 6 + (1/3) ln 3 + (1/2) ln 2 = 0.298627 + 0.366204 + 0.346574 = 1.011404,
	 *     e = H / ln 3 = 1.011404 / 1.098612 = 0.920620, d = 0.079380;
	 *   column 2 (0, 1, 1): p = (0, 1/2, 1/2), 0 ln 0 = 0, H = ln 2 = 0.693147,
	 *     e = 0.630930, d = 0.369070;
	 *   column 3 (2, 2, 2): constant, d = 0.
	 *   sum d = 0.448450: w = (0.177010, 0.822990, 0).
	 */
	double		x[9] = {1, 0, 2, 2, 1, 2, 3, 1, 2},
				w[3];
	shegu_comp_error err;

	CHECK_INT(shegu_entropy_weights(x, 3, 3, w, &err), SHEGU_COMP_OK, "entropy ok");
	CHECK_NEAR(w[0], 0.177010, 1e-6, "entropy: hand-computed w1 = 0.177010");
	CHECK_NEAR(w[1], 0.822990, 1e-6, "entropy: hand-computed w2 = 0.822990");
	CHECK_NEAR(w[2], 0, 0, "entropy: a constant indicator gets weight 0");
	CHECK_NEAR(w[0] + w[1] + w[2], 1, 1e-15, "entropy weights sum to 1");
	CHECK_INT(shegu_entropy_weights(x, 1, 3, w, &err), SHEGU_COMP_TOO_FEW_UNITS, "one unit refused");
	double		c[4] = {1, 1, 1, 1};

	CHECK_INT(shegu_entropy_weights(c, 2, 2, w, &err), SHEGU_COMP_ALL_CONSTANT, "all constant refused");
	x[4] = -1;
	CHECK_INT(shegu_entropy_weights(x, 3, 3, w, &err), SHEGU_COMP_NEGATIVE, "negative value refused");
	CHECK(err.row == 1 && err.col == 1, "the value is named");
}

/*
 * UNDP, Human Development Report 2020, Table 1 (data for 2019), and its Technical note 1:
 * goalposts life expectancy 20-85, expected years of schooling 0-18, mean years 0-15,
 * GNI per capita (2017 PPP $) 100-75,000 on a log scale; education is the arithmetic mean
 * of its two indices, the HDI the geometric mean of the three dimension indices.
 * Norway: 82.4, 18.1, 12.9, 66,494 -> HDI 0.957; Niger: 62.4, 6.5, 2.1, 1,201 -> 0.394.
 * (Some rows of the table do not reproduce from the rounded inputs printed in it.)
 */
static void
test_hdi(void)
{
	/* nodes: 0 HDI, 1 health, 2 education, 3 income, 4 LE, 5 EYS, 6 MYS, 7 GNI */
	int			parent[8] = {-1, 0, 0, 0, 1, 2, 2, 3};
	int			post[8] = {4, 1, 5, 6, 2, 7, 3, 0};
	int			cs[9] = {0, 3, 4, 6, 7, 7, 7, 7, 7};
	int			ch[7] = {1, 2, 3, 4, 5, 6, 7};
	bool		leaf[8] = {false, false, false, false, true, true, true, true};
	shegu_agg_method agg[8] = {SHEGU_AGG_GEOMETRIC, SHEGU_AGG_ARITHMETIC, SHEGU_AGG_ARITHMETIC,
	SHEGU_AGG_ARITHMETIC};
	double		ms[8] = {1, 1, 1, 1};
	double		w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	shegu_tree	t = {8, parent, post, cs, ch, leaf, agg, ms, 0};
	double		raw[4][2] = {{82.4, 62.4}, {18.1, 6.5}, {12.9, 2.1}, {66494, 1201}};
	double		lo[4] = {20, 0, 0, 100},
				hi[4] = {85, 18, 15, 75000};
	double		score[16],
				work[4],
				norm[2],
				wd[16];
	bool		present[16],
				wb[8],
				both[2] = {true, true};
	shegu_comp_error err;

	for (int i = 0; i < 16; i++)
		present[i] = false;
	for (int k = 0; k < 4; k++)
	{
		shegu_norm_spec s = spec_of(SHEGU_NORM_GOALPOST, 1);

		s.lo = lo[k];
		s.hi = hi[k];
		s.log_transform = (k == 3);
		CHECK_INT(shegu_normalize(&s, raw[k], both, 2, norm, work, &err), SHEGU_COMP_OK, "HDI indicator normalised");
		for (int u = 0; u < 2; u++)
		{
			score[u * 8 + 4 + k] = norm[u];
			present[u * 8 + 4 + k] = true;
		}
	}
	CHECK_NEAR(score[5], 1, 0, "Norway's expected years 18.1 are capped at 18");
	CHECK_INT(shegu_tree_eval(&t, w, NULL, 2, score, present, wd, wb, &err), SHEGU_COMP_OK, "HDI tree evaluated");
	CHECK_NEAR(score[1], 0.96, 1e-12, "Norway: life expectancy index 0.960");
	CHECK_NEAR(score[2], 0.93, 1e-12, "Norway: education index (1 + 0.86) / 2 = 0.930");
	CHECK_NEAR(round(score[0] * 1000) / 1000, 0.957, 1e-9, "Norway: HDI 0.957 as published");
	CHECK_NEAR(round(score[8] * 1000) / 1000, 0.394, 1e-9, "Niger: HDI 0.394 as published");
	CHECK_NEAR(round(score[8 + 3] * 1000) / 1000, 0.375, 1e-9, "Niger: income index ln(12.01)/ln(750) = 0.375");
}

static void
test_tree_missing(void)
{
	/* root arithmetic over a (weight 3) and b (weight 1), min share 0.5 */
	int			parent[3] = {-1, 0, 0};
	int			post[3] = {1, 2, 0};
	int			cs[4] = {0, 2, 2, 2};
	int			ch[2] = {1, 2};
	bool		leaf[3] = {false, true, true};
	shegu_agg_method agg[3] = {SHEGU_AGG_ARITHMETIC};
	double		ms[3] = {0.5};
	double		w[3] = {1, 3, 1};
	shegu_tree	t = {3, parent, post, cs, ch, leaf, agg, ms, 0};
	double		s[9] = {0, 0.4, 0.8, 0, 0, 0.8, 0, 0.4, 0},
				wd[6];
	bool		p[9] = {false, true, true, false, false, true, false, true, false},
				wb[3];
	shegu_comp_error err;

	shegu_tree_eval(&t, w, NULL, 3, s, p, wd, wb, &err);
	CHECK_NEAR(s[0], 0.5, 1e-15, "both present: (3 x 0.4 + 0.8) / 4");
	CHECK(!p[3], "only b present: share 1/4 < 0.5, no score");
	CHECK(p[6], "only a present: share 3/4 >= 0.5");
	CHECK_NEAR(s[6], 0.4, 1e-15, "only a present: a's weight re-spread to 1");
}

static void
test_rank_and_rng(void)
{
	double		sc[5] = {0.5, 0.9, 0.5, 0.1, 0.7};
	bool		pr[5] = {true, true, true, true, false};
	int			rank[5],
				order[5];
	shegu_rng	a,
				b;

	shegu_rank_desc(sc, pr, 5, rank, order);
	CHECK_INT(rank[1], 1, "highest score ranks 1");
	CHECK(rank[0] == 2 && rank[2] == 2, "ties share rank 2");
	CHECK_INT(rank[3], 4, "after a tie of two, rank 4");
	CHECK_INT(rank[4], 0, "absent unit has no rank");

	shegu_rng_seed(&a, 1);
	shegu_rng_seed(&b, 1);
	CHECK(shegu_rng_next(&a) == shegu_rng_next(&b), "same seed, same first number");
	/* splitmix64 from seed 1234567: published reference first output 6457827717110365317 */
	shegu_rng_seed(&a, 1234567);
	CHECK(shegu_rng_next(&a) == UINT64_C(6457827717110365317), "splitmix64 reference value");
	double		u = shegu_rng_uniform(&a);

	CHECK(u >= 0 && u < 1, "uniform in [0, 1)");
}

static void
test_monte_carlo(void)
{
	int			parent[3] = {-1, 0, 0};
	int			post[3] = {1, 2, 0};
	int			cs[4] = {0, 2, 2, 2};
	int			ch[2] = {1, 2};
	bool		leaf[3] = {false, true, true};
	shegu_agg_method agg[3] = {SHEGU_AGG_ARITHMETIC};
	double		ms[3] = {0};
	double		w[3] = {1, 1, 1};
	shegu_tree	t = {3, parent, post, cs, ch, leaf, agg, ms, 0};

	/* unit 0 is best on both, units 1 and 2 trade off, unit 3 is worst on both */
	double		s[12] = {0, 1, 1, 0, 0.6, 0.4, 0, 0.4, 0.6, 0, 0, 0};
	bool		p[12] = {0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1};
	shegu_mc_spec spec = {200, 0.5, false, false, 7, NULL, NULL};
	shegu_mc_unit r1[4],
				r2[4];
	shegu_comp_error err;

	CHECK_INT(shegu_monte_carlo(&t, w, &spec, 4, s, p, NULL, NULL, test_alloc, test_free, NULL, r1, &err),
			  SHEGU_COMP_OK, "Monte Carlo ok");
	shegu_monte_carlo(&t, w, &spec, 4, s, p, NULL, NULL, test_alloc, test_free, NULL, r2, &err);
	{
		bool		same = true;

		for (int u = 0; u < 4; u++)
			same = same && r1[u].nominal_rank == r2[u].nominal_rank
				&& r1[u].mean_rank == r2[u].mean_rank && r1[u].median_rank == r2[u].median_rank
				&& r1[u].p05 == r2[u].p05 && r1[u].p95 == r2[u].p95;
		CHECK(same, "same seed, same summary");
	}
	CHECK(r1[0].p05 == 1 && r1[0].p95 == 1, "a dominant unit ranks 1 in every run");
	CHECK(r1[3].p05 == 4 && r1[3].p95 == 4, "a dominated unit ranks last in every run");
	CHECK(r1[1].p05 == 2 && r1[1].p95 == 3, "trading units move between 2 and 3");
	CHECK_INT(r1[1].nominal_rank, 2, "nominal: the tie 0.5/0.5 ranks 2 for both");
	CHECK(r1[1].mean_rank > 2 && r1[1].mean_rank < 3, "mean rank strictly between");
	spec.seed = 8;
	shegu_monte_carlo(&t, w, &spec, 4, s, p, NULL, NULL, test_alloc, test_free, NULL, r2, &err);
	CHECK(r1[1].mean_rank != r2[1].mean_rank, "another seed, another stream");
	{
		/* a vetoed unit (一票否决) is left out of every ranking; the others rank among themselves */
		bool		out[4] = {true, false, false, false};
		shegu_mc_unit r5[4];

		spec.unranked = out;
		CHECK_INT(shegu_monte_carlo(&t, w, &spec, 4, s, p, NULL, NULL, test_alloc, test_free, NULL, r5, &err),
				  SHEGU_COMP_OK, "Monte Carlo with an unranked unit ok");
		CHECK(r5[0].nominal_rank == 0 && r5[0].runs_ranked == 0, "the vetoed unit has no rank in any run");
		CHECK(r5[3].nominal_rank == 3 && r5[3].p05 == 3 && r5[3].p95 == 3, "the worst is third of three");
		CHECK(r5[1].p05 == 1 && r5[1].p95 == 2, "the trading units move between 1 and 2");
		spec.unranked = NULL;
	}
	/*
	 * Varying the normalisation: raw values whose min-max scores and percentile ranks
	 * order unit 1 and 2 differently on the first indicator (an outlier at unit 0).
	 */
	{
		double		raw[12] = {0, 100, 1, 0, 3, 0.4, 0, 2, 0.6, 0, 1, 0};
		double		sc[12];
		shegu_norm_spec ns[3];
		shegu_mc_unit r3[4],
					r4[4];
		bool		differs = false;

		ns[1] = spec_of(SHEGU_NORM_MINMAX, 1);
		ns[2] = spec_of(SHEGU_NORM_MINMAX, 1);
		memcpy(sc, s, sizeof(sc));
		for (int k = 1; k <= 2; k++)
		{
			double		col[4],
						outc[4],
						wk[8];
			bool		pc[4] = {true, true, true, true};

			for (int u = 0; u < 4; u++)
				col[u] = raw[u * 3 + k];
			shegu_normalize(&ns[k], col, pc, 4, outc, wk, &err);
			for (int u = 0; u < 4; u++)
				sc[u * 3 + k] = outc[u];
		}
		CHECK_NEAR(shegu_norm_alternative(&ns[1]).method, SHEGU_NORM_RANK, 0, "the alternative of minmax is rank");
		spec.weight_noise = 0;
		spec.vary_normalization = true;
		CHECK_INT(shegu_monte_carlo(&t, w, &spec, 4, sc, p, raw, ns, test_alloc, test_free, NULL, r3, &err),
				  SHEGU_COMP_OK, "Monte Carlo with varying normalisation ok");
		shegu_monte_carlo(&t, w, &spec, 4, sc, p, raw, ns, test_alloc, test_free, NULL, r4, &err);
		for (int u = 0; u < 4; u++)
			differs = differs || r3[u].p05 != r3[u].p95;
		CHECK(differs, "switching normalisations moves some rank without weight noise");
		CHECK(r3[2].mean_rank == r4[2].mean_rank, "same seed, same answer with varying normalisation");
		spec.vary_normalization = false;
		spec.weight_noise = 0.5;
	}
	spec.weight_noise = 1;
	CHECK_INT(shegu_monte_carlo(&t, w, &spec, 4, s, p, NULL, NULL, test_alloc, test_free, NULL, r2, &err),
			  SHEGU_COMP_BAD_SPEC, "noise 1 refused (weights could reach 0)");
}

static void
test_effective(void)
{
	/* three children, equal weights; the last two are constant so carry no variance */
	double		x[12] = {0, 0.5, 0.2, 1, 0.5, 0.2, 2, 0.5, 0.2, 3, 0.5, 0.2},
				idx[4],
				w[3] = {1, 1, 1};
	shegu_effective e[3];
	bool		dom;
	shegu_comp_error err;

	for (int i = 0; i < 4; i++)
		idx[i] = (x[3 * i] + x[3 * i + 1] + x[3 * i + 2]) / 3;
	CHECK_INT(shegu_effective_weights(x, idx, 4, 3, w, e, &dom, &err), SHEGU_COMP_OK, "effective weights ok");
	CHECK_NEAR(e[0].variance_share, 1, 1e-12, "the varying child carries all the variance");
	CHECK_NEAR(e[1].variance_share, 0, 1e-12, "a constant child carries none");
	CHECK_NEAR(e[0].correlation, 1, 1e-12, "correlation 1 with the index");
	CHECK(isnan(e[1].correlation), "correlation of a constant is undefined");
	CHECK(e[0].dominant, "share 1 > twice the nominal 1/3");
	CHECK(!e[1].dominant, "a constant child is not dominant");
	CHECK(dom, "one child of three carries 80%: the index is dominated");
	/* equal contributions: x2 = x1 */
	for (int i = 0; i < 4; i++)
	{
		x[3 * i + 1] = x[3 * i];
		x[3 * i + 2] = x[3 * i];
		idx[i] = x[3 * i];
	}
	shegu_effective_weights(x, idx, 4, 3, w, e, &dom, &err);
	CHECK_NEAR(e[2].variance_share, 1.0 / 3, 1e-12, "identical children share equally");
	CHECK(!dom, "equal shares: not dominated");
}

int
main(void)
{
	test_normalize();
	test_aggregate();
	test_ahp();
	test_entropy();
	test_hdi();
	test_tree_missing();
	test_rank_and_rng();
	test_monte_carlo();
	test_effective();
	return UNIT_DONE();
}
