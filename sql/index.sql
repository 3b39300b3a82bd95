-- The social governance index (社会治理指数): AHP, entropy, the wmean/wgmean aggregates, models,
-- roll-up, missing data, vetoes, grades, stored results and the report, feeds, effective
-- weights, uncertainty, and every error.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
SET search_path = shegu, public;
SET extra_float_digits = 0;

-- ==== AHP ====
-- Consistent: w = (4, 2, 1) / 7, lambda_max = 3, CI = CR = 0.
SELECT weights, lambda_max, ci, cr FROM ahp_weights('{{1,2,4},{0.5,1,2},{0.25,0.5,1}}');
-- The textbook 3 x 3: w = (0.6370, 0.2583, 0.1047), lambda_max 3.0385, CR 0.0332.
SELECT weights, lambda_max, ci, cr FROM ahp_weights(ARRAY[[1, 3, 5], [1/3.0, 1, 3], [1/5.0, 1/3.0, 1]]);
-- Saaty (2008), drinks consumption in the US: .177 .019 .042 .116 .190 .129 .327.
SELECT array(SELECT round(w::numeric, 3) FROM unnest(weights) AS w) AS weights,
       round(lambda_max::numeric, 4) AS lambda_max, round(cr::numeric, 4) AS cr
FROM ahp_weights(ARRAY[[1, 9, 5, 2, 1, 1, 1/2.0],
                       [1/9.0, 1, 1/3.0, 1/9.0, 1/9.0, 1/9.0, 1/9.0],
                       [1/5.0, 3, 1, 1/3.0, 1/4.0, 1/3.0, 1/9.0],
                       [1/2.0, 9, 3, 1, 1/2.0, 1, 1/3.0],
                       [1, 9, 4, 2, 1, 2, 1/2.0],
                       [1, 9, 3, 1, 1/2.0, 1, 1/3.0],
                       [2, 9, 9, 3, 2, 3, 1]]);
-- An intransitive judgement (A > B > C > A): weights are given, and the CR above 0.1 is reported.
SELECT weights, round(cr::numeric, 3) AS cr FROM ahp_weights('{{1,9,0.111111111111},{0.111111111111,1,9},{9,0.111111111111,1}}');
-- 0.333 stands for 1/3; a 1 x 1 matrix has weight 1; NULL in, no row out.
SELECT weights, round(cr::numeric, 4) AS cr FROM ahp_weights('{{1,3},{0.333,1}}');
SELECT * FROM ahp_weights('{{1}}');
SELECT count(*) FROM ahp_weights(NULL);
-- Errors.
SELECT * FROM ahp_weights('{1,2,3}');
SELECT * FROM ahp_weights('{{1,2,3},{0.5,1,2}}');
SELECT * FROM ahp_weights('{{1,NULL},{1,1}}');
SELECT * FROM ahp_weights('{{1,-2},{-0.5,1}}');
SELECT * FROM ahp_weights('{{1,0},{0,1}}');
SELECT * FROM ahp_weights('{{1,NaN},{1,1}}');
SELECT * FROM ahp_weights('{{1,2},{2,1}}');
SELECT * FROM ahp_weights('{{2,1},{1,1}}');
SELECT * FROM ahp_weights(array_fill(1::float8, ARRAY[16, 16]));

-- ==== entropy weights ====
-- The hand-computed example of docs/index.md: (0.177010, 0.822990, 0).
SELECT array(SELECT round(w::numeric, 6) FROM unnest(entropy_weights('{{1,0,2},{2,1,2},{3,1,2}}')) AS w);
SELECT entropy_weights(NULL) IS NULL AS null_in_null_out;
SELECT entropy_weights('{{1,2,3}}');
SELECT entropy_weights('{{1,2},{-1,3}}');
SELECT entropy_weights('{{1,2},{Infinity,3}}');
SELECT entropy_weights('{{1,2},{1,2}}');
SELECT entropy_weights('{1,2}');

-- ==== wmean / wgmean ====
SELECT wmean(x, w), round(wgmean(x, w)::numeric, 10) AS wgmean
FROM (VALUES (0.2, 1), (0.5, 1), (0.8, 2)) AS v(x, w);
-- NULLs are skipped; nothing with a positive weight gives NULL.
SELECT wmean(x, w), wgmean(x, w) FROM (VALUES (0.4, 1), (NULL, 5), (0.9, NULL)) AS v(x, w);
SELECT wmean(x, w) IS NULL AS empty, wgmean(x, w) IS NULL AS empty_g FROM (VALUES (0.5, 0)) AS v(x, w);
SELECT wmean(x, w) IS NULL AS no_rows FROM (SELECT 1.0::float8, 1.0::float8 WHERE false) AS v(x, w);
-- The zero rule: a value 0 with a positive weight makes the geometric mean 0; with weight 0 it is ignored.
SELECT wgmean(x, w) FROM (VALUES (0.5, 1), (0, 1)) AS v(x, w);
SELECT wgmean(x, w) FROM (VALUES (0.5, 1), (0, 0)) AS v(x, w);
-- Errors.
SELECT wmean(x, w) FROM (VALUES (0.5, -1)) AS v(x, w);
SELECT wmean(x, w) FROM (VALUES ('NaN'::float8, 1)) AS v(x, w);
SELECT wmean(x, w) FROM (VALUES (1, 'Infinity'::float8)) AS v(x, w);
SELECT wgmean(x, w) FROM (VALUES (-0.5, 1)) AS v(x, w);

-- ==== a model: tree, roll-up, missing data, veto ====
-- Xinning county 430528: townships 101 and 102; communities 101001, 101002, 102001;
-- basic grids under them carry the raw values, plus a population per grid.
INSERT INTO index_model (name, title, level, min_share, population_indicator)
VALUES ('t', 'test model', 5, 0.5, 'pop');
INSERT INTO index_node (model, code, parent, title, weight, aggregation) VALUES
('t', 'T', NULL, 'index', 1, 'arithmetic'),
('t', 'A', 'T', 'dimension A', 2, 'geometric'),
('t', 'B', 'T', 'dimension B', 1, 'arithmetic');
INSERT INTO index_node (model, code, parent, title, direction, normalization, lo, hi, target,
                        rollup, missing, veto_above, weight) VALUES
('t', 'a1', 'A', 'incidents (sum, minmax, negative)', -1, 'minmax', NULL, NULL, NULL, 'sum', 'omit', NULL, 1),
('t', 'a2', 'A', 'disposal rate % (mean, goalpost)', 1, 'goalpost', 50, 100, NULL, 'mean', 'parent_mean', NULL, 1),
('t', 'b1', 'B', 'satisfaction (population-weighted, rank)', 1, 'rank', NULL, NULL, NULL, 'wmean', 'carry_forward', NULL, 1),
('t', 'b2', 'B', 'major cases (max, target 0, veto above 0)', -1, 'target', NULL, NULL, 0, 'max', 'omit', 0, 1);
INSERT INTO index_grade (model, grade, min_score) VALUES
('t', '优秀', 90), ('t', '良好', 75), ('t', '合格', 50), ('t', '不合格', 0);
INSERT INTO index_unit_name VALUES ('430528101001', '金石社区'), ('430528101002', '城东社区'), ('430528102001', '回龙寺村');
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
-- previous period: only b1, for carry-forward
('t', 'b1', '430528102001', '2025-05-01', 4.0),
-- grids of community 101001
('t', 'a1',  '430528101001001', '2025-06-01', 3),
('t', 'a1',  '430528101001002', '2025-06-01', 2),
('t', 'a2',  '430528101001001', '2025-06-01', 90),
('t', 'a2',  '430528101001002', '2025-06-01', 100),
('t', 'b1',  '430528101001001', '2025-06-01', 4.5),
('t', 'b1',  '430528101001002', '2025-06-01', 3.5),
('t', 'pop', '430528101001001', '2025-06-01', 300),
('t', 'pop', '430528101001002', '2025-06-01', 100),
('t', 'b2',  '430528101001001', '2025-06-01', 0),
('t', 'b2',  '430528101001002', '2025-06-01', 0),
-- community 101002: no a2 (imputed from the mean of township 101's communities), a major case
('t', 'a1',  '430528101002001', '2025-06-01', 10),
('t', 'b1',  '430528101002001', '2025-06-01', 3.0),
('t', 'pop', '430528101002001', '2025-06-01', 500),
('t', 'b2',  '430528101002001', '2025-06-01', 1),
-- community 102001: a value recorded at the community itself wins over its grids; no b1 (carried forward)
('t', 'a1',  '430528102001', '2025-06-01', 1),
('t', 'a1',  '430528102001001', '2025-06-01', 50),
('t', 'a2',  '430528102001001', '2025-06-01', 60),
('t', 'b2',  '430528102001001', '2025-06-01', 0),
-- a value above the scored level is ignored
('t', 'a1',  '430528101', '2025-06-01', 999);

SELECT unit, node, round(score::numeric, 6) AS score, rank, raw, imputed, vetoed
FROM index_compute('t', '2025-06-01') ORDER BY unit, node;
-- compute_index: the four published columns.
SELECT unit, node, round(score::numeric, 6) AS score, rank FROM compute_index('t', '2025-06-01') WHERE node IN ('T', 'A', 'B') ORDER BY node, rank;
-- At township level (4): the grids roll up further; a value at the township itself is used directly.
SELECT unit, node, round(score::numeric, 6) AS score, rank, raw, imputed, vetoed
FROM index_compute('t', '2025-06-01', 4) ORDER BY unit, node;
-- A period without data: no rows.
SELECT count(*) FROM compute_index('t', '2020-01-01');
-- min_share: with 0.9, community 101002 (a2 missing without imputation) has no A score.
UPDATE index_node SET missing = 'omit' WHERE model = 't' AND code = 'a2';
UPDATE index_model SET min_share = 0.9 WHERE name = 't';
SELECT unit, node, score, rank FROM compute_index('t', '2025-06-01') WHERE unit = '430528101002' AND node IN ('T', 'A', 'B');
UPDATE index_model SET min_share = 0.5 WHERE name = 't';
UPDATE index_node SET missing = 'parent_mean' WHERE model = 't' AND code = 'a2';
-- Geometric zero rule: community 101002 has the most incidents, so a1 = 0 and A = 0.
SELECT unit, round(score::numeric, 6) AS a FROM compute_index('t', '2025-06-01') WHERE node = 'A' ORDER BY unit;
-- zero_floor 0.1 raises the zero to 0.1 instead.
UPDATE index_model SET zero_floor = 0.1 WHERE name = 't';
SELECT unit, round(score::numeric, 6) AS a FROM compute_index('t', '2025-06-01') WHERE node = 'A' ORDER BY unit;
UPDATE index_model SET zero_floor = 0 WHERE name = 't';
-- Winsorisation at 0.25 and a log transform change a1.
UPDATE index_node SET winsor = 0.25 WHERE model = 't' AND code = 'a1';
SELECT unit, round(score::numeric, 6) AS a1 FROM compute_index('t', '2025-06-01') WHERE node = 'a1' ORDER BY unit;
UPDATE index_node SET winsor = 0, transform = 'log' WHERE model = 't' AND code = 'a1';
SELECT unit, round(score::numeric, 6) AS a1 FROM compute_index('t', '2025-06-01') WHERE node = 'a1' ORDER BY unit;
-- zscore (sample standard deviation) with arithmetic aggregation, and none (values taken as scores).
UPDATE index_node SET transform = 'none', normalization = 'zscore' WHERE model = 't' AND code = 'a1';
UPDATE index_node SET aggregation = 'arithmetic' WHERE model = 't' AND code = 'A';
SELECT unit, node, round(score::numeric, 6) AS score FROM compute_index('t', '2025-06-01') WHERE node IN ('a1', 'A') ORDER BY node, unit;
UPDATE index_node SET normalization = 'none' WHERE model = 't' AND code = 'a2';
SELECT unit, node, round(score::numeric, 6) AS score FROM compute_index('t', '2025-06-01') WHERE node = 'a2' ORDER BY unit;
UPDATE index_node SET normalization = 'goalpost' WHERE model = 't' AND code = 'a2';

-- ==== errors of the computation (each writes nothing) ====
-- zscore makes negative scores, which a geometric mean refuses.
UPDATE index_node SET aggregation = 'geometric' WHERE model = 't' AND code = 'A';
SELECT * FROM compute_index('t', '2025-06-01');
UPDATE index_node SET normalization = 'minmax' WHERE model = 't' AND code = 'a1';
SELECT * FROM compute_index('nope', '2025-06-01');
SELECT * FROM compute_index(NULL, '2025-06-01');
SELECT * FROM compute_index('t', '2025-06-01', 8);
-- log of a value that is not positive, and of a target that is not positive
UPDATE index_node SET transform = 'log', normalization = 'minmax' WHERE model = 't' AND code = 'b2';
SELECT * FROM compute_index('t', '2025-06-01');
UPDATE index_node SET normalization = 'target' WHERE model = 't' AND code = 'b2';
SELECT * FROM compute_index('t', '2025-06-01');
UPDATE index_node SET transform = 'none' WHERE model = 't' AND code = 'b2';
-- a value for an indicator the model does not have, and for a node with children
INSERT INTO indicator_value VALUES ('t', 'zz', '430528101001001', '2025-07-01', 1);
SELECT * FROM compute_index('t', '2025-07-01');
DELETE FROM indicator_value WHERE indicator = 'zz';
INSERT INTO indicator_value VALUES ('t', 'A', '430528101001001', '2025-07-01', 1);
SELECT * FROM compute_index('t', '2025-07-01');
DELETE FROM indicator_value WHERE period = '2025-07-01';
-- population-weighted roll-up without a population indicator
UPDATE index_model SET population_indicator = NULL WHERE name = 't';
SELECT * FROM compute_index('t', '2025-06-01');
UPDATE index_model SET population_indicator = 'pop' WHERE name = 't';
-- every child weighs 0
UPDATE index_node SET weight = 0 WHERE model = 't' AND parent = 'B';
SELECT * FROM compute_index('t', '2025-06-01');
UPDATE index_node SET weight = 1 WHERE model = 't' AND parent = 'B';
-- two roots, and a cycle that never reaches the root
INSERT INTO index_node (model, code, parent) VALUES ('t', 'X', NULL);
SELECT * FROM compute_index('t', '2025-06-01');
INSERT INTO index_node (model, code, parent) VALUES ('t', 'Y', 'X');
UPDATE index_node SET parent = 'Y' WHERE model = 't' AND code = 'X';
SELECT * FROM compute_index('t', '2025-06-01');
DELETE FROM index_node WHERE model = 't' AND code IN ('X', 'Y');
-- a model without nodes
INSERT INTO index_model (name, title) VALUES ('empty', 'no nodes');
SELECT * FROM compute_index('empty', '2025-06-01');
DELETE FROM index_model WHERE name = 'empty';
-- the tables refuse what cannot be computed
INSERT INTO indicator_value VALUES ('t', 'a1', '430528101001001', '2025-08-01', 'NaN');
INSERT INTO indicator_value VALUES ('t', 'a1', '430528101001001', '2025-08-01', '-Infinity');
INSERT INTO index_node (model, code, parent, normalization, lo, hi) VALUES ('t', 'g', 'B', 'goalpost', 5, 1);
INSERT INTO index_node (model, code, parent, normalization) VALUES ('t', 'g', 'B', 'target');
INSERT INTO index_node (model, code, parent, normalization) VALUES ('t', 'g', 'B', 'lognormal');
INSERT INTO index_node (model, code, parent, weight) VALUES ('t', 'g', 'B', -1);
INSERT INTO index_node (model, code, parent) VALUES ('t', 'g', 'nowhere');
-- (the parent key is deferred: inside a transaction the computation says it first)
BEGIN;
INSERT INTO index_node (model, code, parent) VALUES ('t', 'g', 'nowhere');
SELECT * FROM compute_index('t', '2025-06-01');
ROLLBACK;
INSERT INTO index_node (model, code, parent, source) VALUES ('t', 'g', 'B', 'some.view');
INSERT INTO index_model (name, title, level) VALUES ('bad', 'bad', 9);
INSERT INTO survey_response (unit, period, question, score) VALUES ('430528101001', '2025-06-01', '满意度', 6);

-- ==== stored results, grades, the report ====
SELECT store_index('t', '2025-06-01');
SELECT store_index('t', '2025-06-01');   -- replaces, does not add
UPDATE indicator_value SET value = 8 WHERE model = 't' AND indicator = 'a1' AND unit = '430528101001001' AND period = '2025-06-01';
INSERT INTO indicator_value
SELECT model, indicator, unit, '2025-07-01', value FROM indicator_value WHERE model = 't' AND period = '2025-06-01';
UPDATE indicator_value SET value = 2 WHERE model = 't' AND indicator = 'a1' AND unit = '430528101001001' AND period = '2025-07-01';
SELECT store_index('t', '2025-07-01');
SELECT count(*) FROM index_score WHERE model = 't';
SELECT unit, unit_name, level, period, round(index_value::numeric, 2) AS index_value, grade, vetoed, imputed,
       (SELECT jsonb_object_agg(k, round(v::numeric, 2)) FROM jsonb_each_text(dimensions) AS d(k, v)) AS dimensions,
       rank, round(previous_index::numeric, 2) AS previous_index, round(change::numeric, 2) AS change, rank_change
FROM index_report WHERE model = 't' ORDER BY period, rank;
-- a failing store writes nothing: the rows of 2025-07-01 stay
UPDATE index_node SET transform = 'log' WHERE model = 't' AND code = 'b2';
SELECT store_index('t', '2025-07-01');
UPDATE index_node SET transform = 'none' WHERE model = 't' AND code = 'b2';
SELECT count(*) FROM index_score WHERE model = 't' AND period = '2025-07-01';

-- ==== quarters from months ====
INSERT INTO index_model (name, title, level, population_indicator) VALUES ('tq', 'test model, quarterly', 5, 'pop');
INSERT INTO index_node SELECT 'tq', code, parent, title, weight, aggregation, direction, normalization, transform, clamp,
       lo, hi, target, winsor, rollup, missing, veto_below, veto_above, per_population, source, source_column,
       survey_question, false
FROM index_node WHERE model = 't' ORDER BY parent NULLS FIRST, code;
SELECT aggregate_periods('t', '2025-05-01', '2025-07-01', 'tq', '2025-04-01');
SELECT indicator, unit, value FROM indicator_value WHERE model = 'tq' AND unit <@ '430528101001' ORDER BY indicator, unit;
SELECT unit, round(score::numeric, 6) AS score, rank FROM compute_index('tq', '2025-04-01') WHERE node = 'T' ORDER BY unit;
SELECT aggregate_periods('t', '2025-07-01', '2025-05-01', 'tq', '2025-04-01');
SELECT aggregate_periods('t', '2025-05-01', '2025-07-01', 't', '2025-06-01');
SELECT aggregate_periods('t', '2025-05-01', '2025-07-01', 'nope', '2025-04-01');
DELETE FROM index_model WHERE name = 'tq';

-- ==== weights from data ====
SELECT child, round(weight::numeric, 6) AS weight FROM entropy_weights('t', '2025-06-01', 'B');
SELECT child, old_weight, round(new_weight::numeric, 6) AS new_weight FROM apply_entropy_weights('t', '2025-06-01', 'B');
SELECT code, round(weight::numeric, 6) AS weight FROM index_node WHERE model = 't' AND parent = 'B' ORDER BY code;
UPDATE index_node SET weight = 1 WHERE model = 't' AND parent = 'B';
SELECT * FROM entropy_weights('t', '2025-06-01', 'a1');
SELECT * FROM entropy_weights('t', '2025-06-01', 'nope');
SELECT * FROM entropy_weights('t', '2025-06-01', 'B', 3);
-- AHP into the model: A is twice as important as B.
SELECT child, round(weight::numeric, 6) AS weight, cr FROM apply_ahp_weights('t', 'T', '{A,B}', '{{1,2},{0.5,1}}');
SELECT * FROM apply_ahp_weights('t', 'A', '{a1,a2}', '{{1,3,5},{0.333,1,3},{0.2,0.333,1}}');
SELECT * FROM apply_ahp_weights('t', 'A', '{a1,b1}', '{{1,3},{0.333,1}}');
SELECT * FROM apply_ahp_weights('t', 'a1', '{}', '{{1}}');
-- an inconsistent judgement is applied, with a warning
INSERT INTO index_node (model, code, parent, weight) VALUES ('t', 'b3', 'B', 1);
SELECT child, round(weight::numeric, 4) AS weight, round(cr::numeric, 3) AS cr
FROM apply_ahp_weights('t', 'B', '{b1,b2,b3}', '{{1,9,0.111111111111},{0.111111111111,1,9},{9,0.111111111111,1}}');
DELETE FROM index_node WHERE model = 't' AND code = 'b3';
UPDATE index_node SET weight = 1 WHERE model = 't' AND parent = 'B';
-- Effective weights: the index's variance comes from its dimensions in these shares.
SELECT child, round(nominal_weight::numeric, 6) AS nominal, round(variance_share::numeric, 6) AS variance_share,
       round(correlation::numeric, 6) AS correlation, dominant, index_dominated
FROM effective_weights('t', '2025-06-01');
SELECT child, round(nominal_weight::numeric, 6) AS nominal, round(variance_share::numeric, 6) AS variance_share,
       round(correlation::numeric, 6) AS correlation, dominant, index_dominated
FROM effective_weights('t', '2025-06-01', 'B', 6);
-- every indicator against the index: nominal weight = product of the normalised weights on its path
SELECT child, round(nominal_weight::numeric, 6) AS nominal, round(variance_share::numeric, 6) AS variance_share,
       round(correlation::numeric, 6) AS correlation, dominant, index_dominated
FROM effective_weights('t', '2025-06-01', indicators => true);
-- node A is geometric: with every score > 0 its shares are those of ln A = (ln a1 + ln a2) / 2
UPDATE index_node SET normalization = 'goalpost', lo = 0, hi = 100 WHERE model = 't' AND code = 'a1';
SELECT child, round(variance_share::numeric, 6) AS variance_share, round(correlation::numeric, 6) AS correlation
FROM effective_weights('t', '2025-06-01', 'A', 6);
WITH d AS (SELECT unit, max(score) FILTER (WHERE node = 'a1') AS a1, max(score) FILTER (WHERE node = 'a2') AS a2,
                  max(score) FILTER (WHERE node = 'A') AS a
           FROM index_compute('t', '2025-06-01', 6) GROUP BY unit
           HAVING count(score) FILTER (WHERE node IN ('a1', 'a2')) = 2)
SELECT abs((SELECT variance_share FROM effective_weights('t', '2025-06-01', 'A', 6) WHERE child = 'a1')
           - covar_samp(ln(a1), ln(a)) / (covar_samp(ln(a1), ln(a)) + covar_samp(ln(a2), ln(a)))) < 1e-12 AS log_scale_shares
FROM d;
UPDATE index_node SET normalization = 'minmax', lo = NULL, hi = NULL WHERE model = 't' AND code = 'a1';
SELECT * FROM effective_weights_of('{{0,0.5},{1,0.5},{2,0.5}}', '{0.25,0.75,1.25}', '{1,1}');
SELECT child, round(variance_share::numeric, 6) AS variance_share
FROM effective_weights_of('{{1,2},{2,2},{4,2}}', ARRAY[sqrt(2), 2, sqrt(8)], '{1,1}', true);
SELECT * FROM effective_weights_of('{{0,2},{2,2}}', '{0,2}', '{1,1}', true);
SELECT * FROM effective_weights_of('{{1,2},{3,4}}', '{1}', '{1,1}');
SELECT * FROM effective_weights_of('{{1,2}}', '{1}', '{1,1}');
SELECT * FROM effective_weights_of('{{1,2},{3,4}}', '{1,2}', '{-1,1}');
SELECT * FROM effective_weights('t', '2025-06-01', 'B', 3);

-- ==== uncertainty ====
-- At grid level 101002001 is vetoed (b2, major cases, above 0): a veto (一票否决) is a hard gate,
-- so it is left out of every run's ranking, as report_index leaves it unranked, and the other
-- three rank among themselves.
SELECT unit, nominal_rank, round(mean_rank::numeric, 4) AS mean_rank, median_rank, rank_p05, rank_p95, runs_ranked
FROM index_uncertainty('t', '2025-06-01', 200, 0.5, 42, 6) ORDER BY unit;
-- the same seed gives the same answer; another seed another stream
SELECT (SELECT array_agg(u ORDER BY unit) FROM index_uncertainty('t', '2025-06-01', 300, 0.5, 7, 6) AS u)
     = (SELECT array_agg(u ORDER BY unit) FROM index_uncertainty('t', '2025-06-01', 300, 0.5, 7, 6) AS u) AS same_seed_same_answer,
       (SELECT array_agg(u ORDER BY unit) FROM index_uncertainty('t', '2025-06-01', 300, 0.5, 7, 6) AS u)
     = (SELECT array_agg(u ORDER BY unit) FROM index_uncertainty('t', '2025-06-01', 300, 0.5, 8, 6) AS u) AS other_seed_same_answer;
SELECT unit, nominal_rank, rank_p05, rank_p95
FROM index_uncertainty('t', '2025-06-01', 200, 0, 1, 6, true) ORDER BY unit;
-- varying the normalisation (without weight noise) moves the trading grids
SELECT unit, nominal_rank, round(mean_rank::numeric, 4) AS mean_rank, rank_p05, rank_p95
FROM index_uncertainty('t', '2025-06-01', 200, 0, 3, 6, false, true) ORDER BY unit;
-- why a unit has no rank: the veto and the indicator that fired it
SELECT unit, nominal_rank, runs_ranked, unranked_reason
FROM index_uncertainty('t', '2025-06-01', 50, 0.5, 42, 6) ORDER BY unit;
-- the register of major events (seed 003) vetoes too, in a model gated on it (veto_register)
BEGIN;
UPDATE index_model SET veto_register = true WHERE name = 't';
SELECT (sanction_major_event(id, 'veto', '2025-06-05')).vetoed_on
FROM (SELECT (sanction_major_event(id, 'delisting', '2025-06-04')).id
      FROM (SELECT (sanction_major_event(id, 'yellow_card', '2025-06-03')).id
            FROM register_major_event('430528101001002', 'major_case', '2025-06-02', '持械伤人 armed assault') r) y) d;
SELECT unit, nominal_rank, rank_p05, rank_p95, runs_ranked, unranked_reason
FROM index_uncertainty('t', '2025-06-01', 50, 0.5, 42, 6) ORDER BY unit;
ROLLBACK;
-- (the rolled-back registration took a number: give it back, the later suites count events from 1)
SELECT setval(pg_get_serial_sequence('shegu.major_event', 'id'), coalesce(max(id), 0) + 1, false) > 0 AS numbers_given_back
FROM shegu.major_event;
SELECT * FROM index_uncertainty('t', '2025-06-01', 0);
SELECT * FROM index_uncertainty('t', '2025-06-01', 10, 1);
SELECT * FROM index_uncertainty('t', '2025-06-01', 10, 'NaN');
SELECT * FROM index_uncertainty('t', '2025-06-01', 10, 0.2, NULL);
-- every run's ranks are kept: units x runs is bounded
INSERT INTO index_model (name, title, level) VALUES ('many', 'many units', 6);
INSERT INTO index_node (model, code, parent) VALUES ('many', 'M', NULL), ('many', 'm', 'M');
INSERT INTO indicator_value SELECT 'many', 'm', (430528101001000 + g)::bigint::gridcode, '2025-06-01', g
FROM generate_series(1, 999) AS g;
INSERT INTO indicator_value SELECT 'many', 'm', (430528101002000 + g)::bigint::gridcode, '2025-06-01', g
FROM generate_series(1, 999) AS g;
INSERT INTO indicator_value SELECT 'many', 'm', (430528101003000 + g)::bigint::gridcode, '2025-06-01', g
FROM generate_series(1, 999) AS g;
SELECT * FROM index_uncertainty('many', '2025-06-01', 100000);
DELETE FROM index_model WHERE name = 'many';

-- ==== rates per population: incidents per 1,000 residents ====
-- The count rolls up by its rule (sum), the population by sum; a value at the unit itself wins.
INSERT INTO index_model (name, title, level, population_indicator) VALUES ('rate', 'per population', 5, 'pop');
INSERT INTO index_node (model, code, parent) VALUES ('rate', 'R', NULL);
INSERT INTO index_node (model, code, parent, direction, rollup, per_population) VALUES ('rate', 'inc', 'R', -1, 'sum', 1000);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('rate', 'inc', '430528101001001', '2025-06-01', 3), ('rate', 'inc', '430528101001002', '2025-06-01', 1),
('rate', 'pop', '430528101001001', '2025-06-01', 1500), ('rate', 'pop', '430528101001002', '2025-06-01', 500),
('rate', 'inc', '430528101002', '2025-06-01', 9), ('rate', 'pop', '430528101002', '2025-06-01', 3000),
('rate', 'inc', '430528102001', '2025-06-01', 2);   -- no population: no rate
SELECT unit, node, raw, round(score::numeric, 6) AS score, rank FROM index_compute('rate', '2025-06-01') ORDER BY unit, node;
UPDATE index_model SET population_indicator = NULL WHERE name = 'rate';
SELECT * FROM compute_index('rate', '2025-06-01');
DELETE FROM index_model WHERE name = 'rate';
INSERT INTO index_node (model, code, parent, per_population) VALUES ('t', 'g', 'B', 0);

-- ==== feeds and the default model ====
-- The shipped model (seed 001, 100 points): 70 objective performance (incident measures), 30 public
-- opinion: the resident survey and the reporters' satisfaction (D2.R); gated on the register (veto_register).
SELECT code, parent, title, weight, direction, normalization, lo, hi, missing, veto_below, source, source_column, survey_question
FROM index_node WHERE model = '社会治理指数' ORDER BY code;
SELECT grade, min_score FROM index_grade WHERE model = '社会治理指数' ORDER BY min_score DESC;
-- A stand-in for the incident room's view (same columns), in a schema of its own; a copy of
-- the default model reads it.
CREATE SCHEMA standin;
CREATE VIEW standin.incident_measures AS
SELECT unit::gridcode AS unit, level(unit::gridcode) AS level, month::date AS month,
       received::bigint, accepted::bigint, closed::bigint, closed_on_time::bigint, overdue_open::bigint,
       disposal_rate::float8, on_time_rate::float8, on_time_rate_incl_open::float8, rework_rate::float8,
       avg_work_hours_to_close::float8, satisfaction_rate::float8
FROM (VALUES
  ('430528101001', '2025-06-01', 40, 40, 39, 36, 1, 0.975, 0.92, 0.90, 0.02, 10.5, 0.95),
  ('430528101002', '2025-06-01', 20, 20, 18, 15, 2, 0.90, 0.83, 0.75, 0.10, 20.0, 0.80),
  ('430528102001', '2025-06-01', 10, 10, 10, 10, 0, 1.0, 1.0, 1.0, 0.0, 8.0, NULL),
  ('430528102002', '2025-06-01', 0, 0, 0, 0, 0, 'NaN', 'NaN', 'NaN', 'NaN', NULL, NULL),
  ('430528101001', '2025-05-01', 30, 30, 30, 30, 0, 1.0, 1.0, 1.0, 0.0, 9.0, 1.0))
  AS v(unit, month, received, accepted, closed, closed_on_time, overdue_open, disposal_rate, on_time_rate,
       on_time_rate_incl_open, rework_rate, avg_work_hours_to_close, satisfaction_rate);
INSERT INTO index_model (name, title, scale, level, min_share)
SELECT 'sgi', title, scale, level, min_share FROM index_model WHERE name = '社会治理指数';
INSERT INTO index_node (model, code, parent, title, weight, aggregation, direction, normalization, transform,
                        clamp, lo, hi, target, winsor, rollup, missing, veto_below, veto_above,
                        source, source_column, survey_question)
SELECT 'sgi', code, parent, title, weight, aggregation, direction, normalization, transform,
       clamp, lo, hi, target, winsor, rollup, missing, veto_below, veto_above,
       replace(source, 'shegu.', 'standin.'), source_column, survey_question
FROM index_node WHERE model = '社会治理指数' ORDER BY parent NULLS FIRST, code;
INSERT INTO index_grade (model, grade, min_score) SELECT 'sgi', grade, min_score FROM index_grade WHERE model = '社会治理指数';
INSERT INTO survey_response (unit, period, question, score)
SELECT u::gridcode, '2025-06-01', q, s
FROM (VALUES ('430528101001001', '知晓度', 5), ('430528101001001', '知晓度', 4), ('430528101001002', '参与度', 3),
             ('430528101001001', '满意度', 5), ('430528101001001', '满意度', 5), ('430528101001002', '满意度', 4),
             ('430528101002', '知晓度', 2), ('430528101002', '满意度', 2), ('430528101002', '参与度', 1),
             ('430528102001', '知晓度', 4), ('430528102001', '满意度', 4)) AS v(u, q, s);
SELECT * FROM survey_measures ORDER BY unit, question;
-- Survey means: per grid where answered, and per community over all its answers (5, 5, 4 -> 4.667,
-- not the mean of the grids' means 4.5).
SELECT feed_index('sgi', '2025-06-01');
SELECT feed_index('sgi', '2025-06-01');   -- reloads, does not add
SELECT indicator, unit, value FROM indicator_value WHERE model = 'sgi' ORDER BY indicator, unit;
SELECT unit, node, round(score::numeric, 4) AS score, rank, raw, imputed, vetoed
FROM index_compute('sgi', '2025-06-01') WHERE node IN ('SGI', 'D1', 'D2', 'D1.1', 'D2.2') ORDER BY node, unit;
SELECT store_index('sgi', '2025-06-01');
SELECT unit, unit_name, round(index_value::numeric, 2) AS index_value, grade, vetoed, imputed,
       (SELECT jsonb_object_agg(k, round(v::numeric, 2)) FROM jsonb_each_text(dimensions) AS d(k, v)) AS dimensions, rank
FROM index_report WHERE model = 'sgi' ORDER BY rank;
-- feed errors
SELECT feed_index('nope', '2025-06-01');
UPDATE index_node SET source = 'standin.nothing' WHERE model = 'sgi' AND code = 'D1.1';
SELECT feed_index('sgi', '2025-06-01');
UPDATE index_node SET source = 'standin.incident_measures', source_column = 'no_such_column' WHERE model = 'sgi' AND code = 'D1.1';
SELECT feed_index('sgi', '2025-06-01');
SELECT count(*) FROM indicator_value WHERE model = 'sgi';

-- ==== clean-up; every object of the room is commented ====
DROP SCHEMA standin CASCADE;
DELETE FROM index_model WHERE name IN ('t', 'sgi');
DELETE FROM survey_response;
DELETE FROM index_unit_name;
SELECT count(*) AS left_over FROM indicator_value;
SELECT c.oid::regclass AS undocumented
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
