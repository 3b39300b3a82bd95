-- Demo: the social governance index (社会治理指数).  A small model over three communities of
-- Xinning county: roll-up from grids, a veto, an imputed value, grades, the report, AHP and
-- entropy weights, effective weights and the stability of the ranking.
SET search_path = shegu, public;

INSERT INTO index_model (name, title, scale, level) VALUES ('demo', '平安指数 demo', 100, 5);
INSERT INTO index_node (model, code, parent, title, weight, aggregation) VALUES
('demo', 'S', NULL, '平安指数', 1, 'arithmetic'),
('demo', 'order', 'S', '治安秩序 public order', 2, 'arithmetic'),
('demo', 'service', 'S', '服务效能 service', 1, 'geometric');
INSERT INTO index_node (model, code, parent, title, direction, normalization, lo, hi, rollup, missing, veto_above) VALUES
('demo', 'cases',   'order',   '刑事案件数 criminal cases',        -1, 'minmax',   NULL, NULL, 'sum',  'omit',        4),
('demo', 'dispute', 'order',   '矛盾纠纷化解率 disputes resolved', 1, 'goalpost', 0.6,  1,    'mean', 'parent_mean', NULL),
('demo', 'hours',   'service', '平均办结工时 hours to close',      -1, 'minmax',   NULL, NULL, 'mean', 'omit',        NULL),
('demo', 'survey',  'service', '安全感 sense of security (1-5)',    1, 'goalpost', 1,    5,    'mean', 'omit',        NULL);
INSERT INTO index_grade (model, grade, min_score) VALUES ('demo', '优秀', 90), ('demo', '良好', 80), ('demo', '合格', 60), ('demo', '不合格', 0);
INSERT INTO index_unit_name VALUES ('430528101001', '金石社区'), ('430528101002', '城东社区'), ('430528102001', '回龙寺村')
ON CONFLICT (unit) DO NOTHING;

-- Two months of data: cases per basic grid (summed to the community), the rest per community;
-- 城东社区 has no dispute figure in June (imputed from the township's other community).
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'demo', i, u::gridcode, p::date, v FROM (VALUES
 ('cases', '430528101001001', '2025-05-01', 1), ('cases', '430528101001002', '2025-05-01', 0),
 ('cases', '430528101002001', '2025-05-01', 2), ('cases', '430528102001001', '2025-05-01', 1),
 ('dispute', '430528101001', '2025-05-01', 0.90), ('dispute', '430528101002', '2025-05-01', 0.78), ('dispute', '430528102001', '2025-05-01', 0.95),
 ('hours', '430528101001', '2025-05-01', 16), ('hours', '430528101002', '2025-05-01', 22), ('hours', '430528102001', '2025-05-01', 12),
 ('survey', '430528101001', '2025-05-01', 4.1), ('survey', '430528101002', '2025-05-01', 3.5), ('survey', '430528102001', '2025-05-01', 4.4),
 ('cases', '430528101001001', '2025-06-01', 2), ('cases', '430528101001002', '2025-06-01', 1),
 ('cases', '430528101002001', '2025-06-01', 5), ('cases', '430528102001001', '2025-06-01', 0),
 ('dispute', '430528101001', '2025-06-01', 0.93), ('dispute', '430528102001', '2025-06-01', 0.88),
 ('hours', '430528101001', '2025-06-01', 14.5), ('hours', '430528101002', '2025-06-01', 20), ('hours', '430528102001', '2025-06-01', 15),
 ('survey', '430528101001', '2025-06-01', 4.2), ('survey', '430528101002', '2025-06-01', 3.6), ('survey', '430528102001', '2025-06-01', 4.5)
) AS t(i, u, p, v);

-- Every node of every community, with raw values and flags.  城东社区's service is 0: its hours are
-- the worst, so min-max gives 0, and a geometric mean with a zero child is zero (the zero rule).
SELECT unit, node, round(score::numeric, 3) AS score, rank, raw, imputed, vetoed
FROM index_compute('demo', '2025-06-01') ORDER BY unit, node;

-- Store both months and publish: index on 100 points, grade (vetoed -> lowest), dimensions, change.
SELECT store_index('demo', '2025-05-01') + store_index('demo', '2025-06-01') AS rows_stored;
SELECT unit_name, period, round(index_value::numeric, 1) AS index, grade, vetoed, imputed, dimensions, rank,
       round(change::numeric, 1) AS change
FROM index_report WHERE model = 'demo' ORDER BY period, rank;

-- Weights: AHP judgement "order is twice as important as service", entropy of the data.
SELECT (SELECT array_agg(round(w::numeric, 3)) FROM unnest(weights) AS w) AS weights, round(cr::numeric, 4) AS cr FROM ahp_weights('{{1,2},{0.5,1}}');
SELECT child, round(weight::numeric, 3) AS weight FROM entropy_weights('demo', '2025-06-01', 'service');
-- What really drives the index, and how stable the ranking is when weights move by +-20%.
SELECT child, round(nominal_weight::numeric, 3) AS nominal, round(variance_share::numeric, 3) AS variance_share,
       round(correlation::numeric, 3) AS correlation, dominant
FROM effective_weights('demo', '2025-06-01');
SELECT u.unit, n.name, nominal_rank, mean_rank, rank_p05, rank_p95
FROM index_uncertainty('demo', '2025-06-01', 1000, 0.2, 1) AS u LEFT JOIN index_unit_name n USING (unit)
ORDER BY nominal_rank;

-- The shipped default model 社会治理指数 (70% incident measures, 30% resident survey), fed
-- from the incidents of the incident demo above (February 2026) and a small resident survey
-- (知晓度 awareness, 参与度 participation, 满意度 satisfaction; 1-5) in the same grids.
SELECT code, parent, title, weight, source_column, survey_question, veto_below
FROM index_node WHERE model = '社会治理指数' ORDER BY code;
INSERT INTO survey_response (unit, period, question, score)
SELECT u, '2026-02-01', q, 1 + (abs(hashtext(u::text || q || i)) % 5)
FROM unnest('{430528101002003,430528101002004,430528102001001}'::gridcode[]) AS u,
     unnest('{知晓度,参与度,满意度}'::text[]) AS q, generate_series(1, 20) AS i;
SELECT feed_index('社会治理指数', '2026-02-01') AS values_fed,
       store_index('社会治理指数', '2026-02-01') AS scores_stored;
-- Two of the three communities had no incident of their own in February: the objective half has
-- no data, so they get no index, and the report says why.
SELECT unit_path, round(index_value, 1) AS index, grade, vetoed, rank, unranked_reason
FROM report_index WHERE model = '社会治理指数' AND period_start = '2026-02-01' ORDER BY rank NULLS LAST, unit_code;
