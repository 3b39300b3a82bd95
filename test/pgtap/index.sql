-- pgTAP: the social governance index — HDI reproduced, AHP, entropy, roll-up, veto, grades,
-- imputation, uncertainty determinism, parallel plans of wmean/wgmean.
-- test/pgtap/index.sql
BEGIN;
SET search_path = shegu, public;
SELECT plan(40);

-- ==== UNDP HDI as a model (Human Development Report 2020, Table 1, data for 2019) ====
-- Goalposts of Technical note 1: life expectancy 20-85, expected schooling 0-18, mean schooling
-- 0-15, GNI per capita (2017 PPP $) 100-75,000 on a log scale; education = arithmetic mean of its
-- two indices; HDI = geometric mean of health, education and income.  Province codes stand in
-- for countries: 11 Norway, 62 Niger.
INSERT INTO index_model (name, title, scale, level, min_share) VALUES ('hdi', 'Human Development Index', 1, 1, 1);
INSERT INTO index_node (model, code, parent, aggregation) VALUES
('hdi', 'HDI', NULL, 'geometric'), ('hdi', 'health', 'HDI', 'arithmetic'),
('hdi', 'education', 'HDI', 'arithmetic'), ('hdi', 'income', 'HDI', 'arithmetic');
INSERT INTO index_node (model, code, parent, normalization, lo, hi, transform) VALUES
('hdi', 'le', 'health', 'goalpost', 20, 85, 'none'),
('hdi', 'eys', 'education', 'goalpost', 0, 18, 'none'),
('hdi', 'mys', 'education', 'goalpost', 0, 15, 'none'),
('hdi', 'gni', 'income', 'goalpost', 100, 75000, 'log');
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'hdi', i, u::gridcode, '2019-01-01', v FROM (VALUES
 ('le', '11', 82.4), ('eys', '11', 18.1), ('mys', '11', 12.9), ('gni', '11', 66494),
 ('le', '62', 62.4), ('eys', '62', 6.5), ('mys', '62', 2.1), ('gni', '62', 1201)) AS t(i, u, v);

SELECT is((SELECT round(score::numeric, 3) FROM compute_index('hdi', '2019-01-01') WHERE node = 'HDI' AND unit = '11'),
          0.957, 'HDI of Norway 2019 is the published 0.957');
SELECT is((SELECT round(score::numeric, 3) FROM compute_index('hdi', '2019-01-01') WHERE node = 'HDI' AND unit = '62'),
          0.394, 'HDI of Niger 2019 is the published 0.394');
SELECT is((SELECT round(score::numeric, 3) FROM compute_index('hdi', '2019-01-01') WHERE node = 'education' AND unit = '11'),
          0.930, 'education index of Norway: expected schooling capped at 18 years');
SELECT is((SELECT rank FROM compute_index('hdi', '2019-01-01') WHERE node = 'HDI' AND unit = '62'), 2, 'Niger ranks second of two');

-- ==== AHP and entropy ====
SELECT is((SELECT array(SELECT round(w::numeric, 3) FROM unnest(weights) AS w)
           FROM ahp_weights(ARRAY[[1, 9, 5, 2, 1, 1, 1/2.0], [1/9.0, 1, 1/3.0, 1/9.0, 1/9.0, 1/9.0, 1/9.0],
                                  [1/5.0, 3, 1, 1/3.0, 1/4.0, 1/3.0, 1/9.0], [1/2.0, 9, 3, 1, 1/2.0, 1, 1/3.0],
                                  [1, 9, 4, 2, 1, 2, 1/2.0], [1, 9, 3, 1, 1/2.0, 1, 1/3.0], [2, 9, 9, 3, 2, 3, 1]])),
          '{0.177,0.019,0.042,0.116,0.190,0.129,0.327}'::numeric[], 'AHP: Saaty''s drinks example to three decimals');
SELECT ok((SELECT cr > 0.1 FROM ahp_weights('{{1,9,0.111111111111},{0.111111111111,1,9},{9,0.111111111111,1}}')),
          'AHP: an intransitive matrix reports CR above 0.1');
SELECT throws_ok($$SELECT * FROM ahp_weights('{{1,2},{2,1}}')$$, '22023', NULL, 'AHP: a non-reciprocal matrix is refused');
SELECT is((SELECT array(SELECT round(w::numeric, 6) FROM unnest(entropy_weights('{{1,0,2},{2,1,2},{3,1,2}}')) AS w)),
          '{0.177010,0.822990,0.000000}'::numeric[], 'entropy: the hand-computed example');
-- random matrices: AHP from random judgements and entropy from random data sum to 1
SELECT is((SELECT count(*) FROM generate_series(1, 50) AS s,
           LATERAL (SELECT array_agg(r ORDER BY i) AS m
                    FROM (SELECT i, array_agg(CASE WHEN i = j THEN 1
                                                   WHEN i < j THEN (1 + (s * 7 + i * 13 + j * 5) % 9)::float8
                                                   ELSE 1 / (1 + (s * 7 + j * 13 + i * 5) % 9)::float8 END ORDER BY j) AS r
                          FROM generate_series(1, 2 + s % 8) AS i, generate_series(1, 2 + s % 8) AS j GROUP BY i) AS rows) AS mat,
           LATERAL ahp_weights(mat.m) AS a
           WHERE abs((SELECT sum(w) FROM unnest(a.weights) AS w) - 1) > 1e-9 OR a.cr < 0), 0::bigint,
          'AHP weights of 50 random reciprocal matrices sum to 1 with CR >= 0');
SELECT is((SELECT count(*) FROM generate_series(1, 50) AS s,
           LATERAL (SELECT array_agg(r ORDER BY i) AS m
                    FROM (SELECT i, array_agg(((s * 31 + i * 17 + j * 7) % 11)::float8 ORDER BY j) AS r
                          FROM generate_series(1, 3 + s % 5) AS i, generate_series(1, 2 + s % 4) AS j GROUP BY i) AS rows) AS mat
           WHERE abs((SELECT sum(w) FROM unnest(entropy_weights(mat.m)) AS w) - 1) > 1e-9), 0::bigint,
          'entropy weights of 50 data matrices sum to 1');

-- ==== a generated county: 2 townships x 5 communities x 8 grids, 3 indicators, 2 months ====
INSERT INTO index_model (name, title, level, population_indicator) VALUES ('gen', 'generated', 6, 'pop');
INSERT INTO index_node (model, code, parent, weight, aggregation) VALUES
('gen', 'G', NULL, 1, 'arithmetic'), ('gen', 'D1', 'G', 3, 'arithmetic'), ('gen', 'D2', 'G', 1, 'geometric');
INSERT INTO index_node (model, code, parent, direction, normalization, lo, hi, rollup, missing, veto_above) VALUES
('gen', 'x', 'D1', 1, 'minmax', NULL, NULL, 'sum', 'omit', NULL),
('gen', 'y', 'D1', -1, 'goalpost', 0, 100, 'mean', 'parent_mean', NULL),
('gen', 'z', 'D2', 1, 'minmax', NULL, NULL, 'wmean', 'carry_forward', NULL),
('gen', 'v', 'D2', -1, 'minmax', NULL, NULL, 'max', 'omit', 8);
INSERT INTO index_grade (model, grade, min_score) VALUES ('gen', 'A', 80), ('gen', 'B', 50), ('gen', 'C', 0);
CREATE TEMP TABLE grids AS
SELECT (430528000000000000 + t * 1000000000 + c * 1000000 + g * 1000)::bigint::gridcode AS unit, t, c, g
FROM generate_series(101::bigint, 102) AS t, generate_series(1::bigint, 5) AS c, generate_series(1::bigint, 8) AS g;
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'gen', i, unit, p, CASE i WHEN 'x' THEN (t * 7 + c * 3 + g * 5 + m) % 13
                                WHEN 'y' THEN (t * 11 + c * 5 + g * 3 + m * 7) % 97
                                WHEN 'z' THEN 1 + (c * 13 + g * 7 + m) % 5
                                WHEN 'v' THEN (c + g + m) % 10
                                ELSE 100 + (g * 37) % 400 END
FROM grids, unnest('{x,y,z,v,pop}'::text[]) AS i, generate_series(1, 2) AS m,
     LATERAL (SELECT make_date(2025, m, 1) AS p) AS pp
-- holes: y of grid 3 in every community, z of grid 5 in month 2
WHERE NOT (i = 'y' AND g = 3) AND NOT (i = 'z' AND g = 5 AND m = 2);

SELECT is((SELECT count(DISTINCT unit) FROM compute_index('gen', '2025-02-01')), 80::bigint, 'grid level: 80 units');
SELECT is((SELECT count(*) FROM compute_index('gen', '2025-02-01') WHERE score < 0 OR score > 1), 0::bigint,
          'minmax and goalpost scores stay in [0, 1]');
SELECT is((SELECT count(*) FROM (SELECT node, unit, rank, score,
                                        1 + count(*) FILTER (WHERE true) OVER (PARTITION BY node ORDER BY score DESC RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                                          - count(*) OVER (PARTITION BY node, score) AS expected
                                 FROM compute_index('gen', '2025-02-01') WHERE score IS NOT NULL) AS s
           WHERE rank <> expected), 0::bigint, 'rank = 1 + number of units with a higher score, for every node');
-- roll-up to communities (level 5) against the same roll-up in plain SQL
SELECT is((SELECT count(*)
           FROM index_compute('gen', '2025-02-01', 5) AS c
           JOIN (SELECT ancestor(v.unit, 5) AS unit, v.indicator,
                        CASE v.indicator WHEN 'x' THEN sum(v.value) WHEN 'y' THEN avg(v.value)
                                         WHEN 'v' THEN max(v.value)
                                         WHEN 'z' THEN sum(v.value * p.value) / sum(p.value) END AS raw
                 FROM indicator_value v
                 LEFT JOIN indicator_value p ON p.model = v.model AND p.indicator = 'pop' AND p.unit = v.unit AND p.period = v.period
                 WHERE v.model = 'gen' AND v.period = '2025-02-01' AND v.indicator <> 'pop'
                 GROUP BY 1, 2) AS q ON q.unit = c.unit AND q.indicator = c.node
           WHERE abs(c.raw - q.raw) > 1e-9), 0::bigint, 'roll-up by sum, mean, max and population-weighted mean agrees with SQL');
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01', 5) WHERE raw IS NOT NULL), 40::bigint,
          'every community has all four indicators');
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01', 4) WHERE node = 'G'), 2::bigint, 'township level: two units');
-- the whole index at community level against plain SQL (minmax / goalpost / arithmetic / geometric)
SELECT is((SELECT count(*) FROM compute_index('gen', '2025-02-01', 5) AS c
           JOIN (WITH r AS (SELECT unit, node, raw FROM index_compute('gen', '2025-02-01', 5) WHERE raw IS NOT NULL),
                      n AS (SELECT unit, node,
                                   -- minmax of a constant indicator gives every unit 1
                                   CASE node WHEN 'x' THEN coalesce((raw - min(raw) OVER w) / nullif(max(raw) OVER w - min(raw) OVER w, 0), 1)
                                             WHEN 'y' THEN (100 - raw) / 100
                                             WHEN 'z' THEN coalesce((raw - min(raw) OVER w) / nullif(max(raw) OVER w - min(raw) OVER w, 0), 1)
                                             WHEN 'v' THEN coalesce((max(raw) OVER w - raw) / nullif(max(raw) OVER w - min(raw) OVER w, 0), 1) END AS s
                            FROM r WINDOW w AS (PARTITION BY node))
                 SELECT unit, 0.75 * (sx + sy) / 2
                            + 0.25 * CASE WHEN sz = 0 OR sv = 0 THEN 0 ELSE sqrt(sz * sv) END AS g
                 FROM (SELECT unit, max(s) FILTER (WHERE node = 'x') AS sx, max(s) FILTER (WHERE node = 'y') AS sy,
                              max(s) FILTER (WHERE node = 'z') AS sz, max(s) FILTER (WHERE node = 'v') AS sv
                       FROM n GROUP BY unit) AS p) AS q ON q.unit = c.unit
           WHERE c.node = 'G' AND abs(c.score - q.g) > 1e-12), 0::bigint,
          'the index equals the same formula written in SQL');

-- imputation
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01') WHERE node = 'y' AND imputed), 10::bigint,
          'y of grid 3 is imputed from its community in all 10 communities');
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01') AS c
           JOIN (SELECT ancestor(unit, 5) AS com, avg(value) AS m FROM indicator_value
                 WHERE model = 'gen' AND indicator = 'y' AND period = '2025-02-01' GROUP BY 1) AS a ON a.com = parent(c.unit)
           WHERE c.node = 'y' AND c.imputed AND abs(c.raw - a.m) > 1e-9), 0::bigint,
          'the imputed value is the mean of the other grids of the community');
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01') AS c
           JOIN indicator_value p ON p.model = 'gen' AND p.indicator = 'z' AND p.unit = c.unit AND p.period = '2025-01-01'
           WHERE c.node = 'z' AND c.imputed AND c.raw = p.value), 10::bigint,
          'z of grid 5 is carried forward from January');
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01') WHERE node = 'G' AND imputed), 20::bigint,
          'the index reports the units with an imputed indicator');

-- veto and grades
SELECT is((SELECT count(*) FROM index_compute('gen', '2025-02-01') AS c
           JOIN indicator_value v ON v.model = 'gen' AND v.indicator = 'v' AND v.unit = c.unit AND v.period = '2025-02-01'
           WHERE c.node = 'G' AND c.vetoed <> (v.value > 8)), 0::bigint, 'vetoed exactly where v > 8');
SELECT cmp_ok((SELECT count(*) FROM index_compute('gen', '2025-02-01') WHERE node = 'G' AND vetoed), '>', 0::bigint,
              'some units are vetoed');
SELECT is(store_index('gen', '2025-01-01') + store_index('gen', '2025-02-01'), 2 * 80 * 7::bigint, 'both months stored');
SELECT is((SELECT count(*) FROM index_report WHERE model = 'gen' AND vetoed AND grade <> 'C'), 0::bigint,
          'a vetoed unit gets the lowest grade whatever its score');
SELECT is((SELECT count(*) FROM index_report WHERE model = 'gen' AND NOT vetoed
           AND grade <> CASE WHEN index_value >= 80 THEN 'A' WHEN index_value >= 50 THEN 'B' ELSE 'C' END), 0::bigint,
          'other units are graded by the thresholds');
SELECT is((SELECT count(*) FROM index_report r
           JOIN index_score s ON s.model = r.model AND s.unit = r.unit AND s.node = 'G' AND s.period = '2025-01-01'
           WHERE r.period = '2025-02-01' AND abs(r.change - (r.index_value - 100 * s.score)) > 1e-9), 0::bigint,
          'change is against the previous stored period');
SELECT is((SELECT count(*) FROM index_report WHERE model = 'gen' AND period = '2025-02-01'
           AND (dimensions ->> 'D1') IS NULL), 0::bigint, 'every unit reports its dimensions');
SELECT is((SELECT DISTINCT ranked_units FROM index_report WHERE model = 'gen' AND period = '2025-02-01'), 80::bigint,
          'the report says out of how many units a rank is');

-- ==== uncertainty ====
SELECT is((SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5) AS u),
          (SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5) AS u),
          'uncertainty: the same seed gives the same answer');
SELECT isnt((SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5) AS u),
            (SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 6) AS u),
            'uncertainty: another seed gives another sample');
SELECT is((SELECT count(*) FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5) AS u
           LEFT JOIN (SELECT unit, rank() OVER (ORDER BY score DESC)::int AS r FROM index_compute('gen', '2025-02-01')
                      WHERE node = 'G' AND NOT vetoed AND score IS NOT NULL) AS c ON c.unit = u.unit
           WHERE u.nominal_rank IS DISTINCT FROM c.r), 0::bigint,
          'uncertainty: the nominal rank is compute_index''s ranking of the units not vetoed');
SELECT is((SELECT count(*) FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5) AS u
           JOIN index_compute('gen', '2025-02-01') AS c ON c.unit = u.unit AND c.node = 'G'
           WHERE c.vetoed AND (u.nominal_rank IS NOT NULL OR u.runs_ranked <> 0 OR u.unranked_reason NOT LIKE '一票否决 vetoed: %')),
          0::bigint, 'uncertainty: a vetoed unit (一票否决) is in no run''s ranking, and says why');
SELECT ok((SELECT count(*) FROM index_compute('gen', '2025-02-01') WHERE node = 'G' AND vetoed) > 0,
          'uncertainty: (the generated model has vetoed units)');
SELECT is((SELECT count(*) FROM index_uncertainty('gen', '2025-02-01', 100, 0.3, 5)
           WHERE NOT (1 <= rank_p05 AND rank_p05 <= median_rank AND median_rank <= rank_p95 AND rank_p95 <= 80
                      AND 1 <= mean_rank AND mean_rank <= 80)),
          0::bigint, 'uncertainty: 1 <= p05 <= median <= p95 <= 80 and the mean within the ranks');
SELECT is((SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 60, 0.1, 9, NULL, true, true) AS u),
          (SELECT array_agg(u ORDER BY unit)::text FROM index_uncertainty('gen', '2025-02-01', 60, 0.1, 9, NULL, true, true) AS u),
          'uncertainty varying aggregation and normalisation: the same seed gives the same answer');
SELECT is((SELECT count(*) FROM index_uncertainty('gen', '2025-02-01', 50, 0, 1)
           WHERE rank_p05 <> nominal_rank OR rank_p95 <> nominal_rank), 0::bigint,
          'uncertainty: without noise every run is the nominal ranking');

-- ==== parallel aggregation uses the combine functions ====
-- a plain table: temporary tables are never scanned in parallel
CREATE TABLE public.index_tap_big AS SELECT (i % 1000) / 1000.0 + 0.001 AS x, 1 + i % 7 AS w FROM generate_series(1, 200000) AS i;
ANALYZE public.index_tap_big;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE l text; r text := '';
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP r := r || l || E'\n'; END LOOP;
    RETURN r;
END $$;
SELECT matches(pg_temp.plan('SELECT shegu.wmean(x, w), shegu.wgmean(x, w) FROM public.index_tap_big'),
               'Finalize Aggregate.*Gather.*Partial Aggregate',
               'wmean and wgmean get a parallel plan: partial aggregates combined after Gather');
SELECT ok((SELECT abs(wmean(x, w) - sum(x * w) / sum(w)) < 1e-12 AND abs(wgmean(x, w) - exp(sum(w * ln(x)) / sum(w))) < 1e-12 FROM public.index_tap_big),
          'the parallel results equal the closed forms');
RESET max_parallel_workers_per_gather;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT ok((SELECT abs(wmean(x, w) - sum(x * w) / sum(w)) < 1e-12 FROM public.index_tap_big), 'the serial result too');

SELECT * FROM finish();
ROLLBACK;
