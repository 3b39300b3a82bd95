-- The social governance index (社会治理指数): models, raw data, computation, weights, reports.
-- src/index.sql — declares what src/index.c implements; formulas in docs/index.md.

-- ==== models ====

CREATE TABLE shegu.index_model (
    name                 text PRIMARY KEY,
    title                text NOT NULL,
    scale                float8 NOT NULL DEFAULT 100
                         CHECK (scale > 0 AND scale < 'Infinity'),
    level                int NOT NULL DEFAULT 6 CHECK (level BETWEEN 1 AND 7),
    min_share            float8 NOT NULL DEFAULT 0.5 CHECK (min_share >= 0 AND min_share <= 1),
    zero_floor           float8 NOT NULL DEFAULT 0 CHECK (zero_floor >= 0 AND zero_floor < 1),
    population_indicator text,
    description          text,
    shipped              boolean NOT NULL DEFAULT false,
    veto_register        boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE shegu.index_model IS
    'composite index models (指数模型): name, title, the scale the index is published on (100 = a 100-point score), the grid level whose units are scored by default (6 grid, 5 community, 4 township, 3 county), the minimum weight share of children that must be present for a parent to get a score, the zero floor of geometric means (0 = a zero child gives 0) and the indicator holding unit populations for population-weighted roll-up';
COMMENT ON COLUMN shegu.index_model.scale IS 'the index is published as score x scale (score in [0, 1])';
COMMENT ON COLUMN shegu.index_model.level IS 'default grid level of the scored units: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.index_model.min_share IS 'a parent gets a score only when its present children carry at least this share of the weight; otherwise the weights are re-spread over the present children';
COMMENT ON COLUMN shegu.index_model.zero_floor IS 'geometric means: scores below this floor are raised to it; 0 keeps the exact rule (a present zero makes the mean 0)';
COMMENT ON COLUMN shegu.index_model.population_indicator IS 'indicator code whose values are unit populations, used by rollup ''wmean''; it need not be a node';
COMMENT ON COLUMN shegu.index_model.shipped IS 'true for the models shegu ships; pg_dump keeps only the others';
COMMENT ON COLUMN shegu.index_model.veto_register IS 'gate on the register of major events (seed 003, shegu.major_event): a unit with a veto (一票否决) in force in the period is vetoed, whatever its indicators; false: only the indicators'' veto thresholds veto';
COMMENT ON COLUMN shegu.index_model.name IS 'model name, the key every other index table refers to (e.g. 社会治理指数 social governance index); renaming cascades';
COMMENT ON COLUMN shegu.index_model.title IS 'display title of the index (e.g. 平安指数 safety index)';
COMMENT ON COLUMN shegu.index_model.description IS 'free text: what the model measures, its sources and how to adapt it';
COMMENT ON CONSTRAINT index_model_pkey ON shegu.index_model IS 'a model is identified by its name';
COMMENT ON CONSTRAINT index_model_scale_check ON shegu.index_model IS 'the publication scale is positive and finite';
COMMENT ON CONSTRAINT index_model_level_check ON shegu.index_model IS 'the scored level is a grid level from 1 (province) to 7 (micro-grid)';
COMMENT ON CONSTRAINT index_model_min_share_check ON shegu.index_model IS 'the minimum present weight share lies in [0, 1]';
COMMENT ON CONSTRAINT index_model_zero_floor_check ON shegu.index_model IS 'the zero floor of geometric means lies in [0, 1): 0 keeps the exact zero rule';
COMMENT ON INDEX shegu.index_model_pkey IS 'models by name';

CREATE TABLE shegu.index_node (
    model           text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    parent          text,
    title           text,
    weight          float8 NOT NULL DEFAULT 1 CHECK (weight >= 0 AND weight < 'Infinity'),
    aggregation     text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    direction       int NOT NULL DEFAULT 1 CHECK (direction IN (1, -1)),
    normalization   text NOT NULL DEFAULT 'minmax'
                    CHECK (normalization IN ('none', 'minmax', 'goalpost', 'zscore', 'rank', 'target')),
    transform       text NOT NULL DEFAULT 'none' CHECK (transform IN ('none', 'log')),
    clamp           boolean NOT NULL DEFAULT true,
    lo              float8 CHECK (lo > '-Infinity' AND lo < 'Infinity'),
    hi              float8 CHECK (hi > '-Infinity' AND hi < 'Infinity'),
    target          float8 CHECK (target > '-Infinity' AND target < 'Infinity'),
    winsor          float8 NOT NULL DEFAULT 0 CHECK (winsor >= 0 AND winsor < 0.5),
    rollup          text NOT NULL DEFAULT 'mean' CHECK (rollup IN ('sum', 'mean', 'wmean', 'max', 'min')),
    missing         text NOT NULL DEFAULT 'omit' CHECK (missing IN ('omit', 'parent_mean', 'carry_forward')),
    veto_below      float8 CHECK (veto_below > '-Infinity' AND veto_below < 'Infinity'),
    veto_above      float8 CHECK (veto_above > '-Infinity' AND veto_above < 'Infinity'),
    per_population  float8 CHECK (per_population > 0 AND per_population < 'Infinity'),
    source          text,
    source_column   text,
    survey_question text,
    shipped         boolean NOT NULL DEFAULT false,
    weight_basis    text,
    PRIMARY KEY (model, code),
    -- deferred, so that a tree can be loaded in any order (and pg_dump's rows restored)
    FOREIGN KEY (model, parent) REFERENCES shegu.index_node (model, code) ON UPDATE CASCADE ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT index_node_not_own_parent CHECK (parent <> code),
    CONSTRAINT index_node_goalposts CHECK (normalization <> 'goalpost' OR (lo IS NOT NULL AND hi IS NOT NULL AND lo < hi)),
    CONSTRAINT index_node_target CHECK (normalization <> 'target' OR target IS NOT NULL),
    CONSTRAINT index_node_source CHECK ((source IS NULL) = (source_column IS NULL)),
    CONSTRAINT index_node_one_feed CHECK (source IS NULL OR survey_question IS NULL)
);
COMMENT ON TABLE shegu.index_node IS
    'the indicator tree of a model (指标体系): index -> dimensions -> sub-dimensions -> indicators; the node without parent is the index; leaves are indicators and carry direction, normalisation, transform, clamp, goalposts, winsorisation, roll-up, missing-data rule, veto thresholds and an optional feed';
COMMENT ON COLUMN shegu.index_node.weight IS 'weight among its siblings (any scale; siblings are normalised to sum 1 over the children present)';
COMMENT ON COLUMN shegu.index_node.aggregation IS 'of a node with children: weighted arithmetic or geometric mean of the children''s scores';
COMMENT ON COLUMN shegu.index_node.direction IS '+1 positive indicator (higher is better, 正向), -1 negative (lower is better, 逆向)';
COMMENT ON COLUMN shegu.index_node.normalization IS 'none, minmax (over the units of the period), goalpost (fixed lo/hi), zscore, rank (percentile), target (distance to target)';
COMMENT ON COLUMN shegu.index_node.transform IS 'none, or log: ln of the value (and of lo, hi, target) before normalising; a value <= 0 is an error';
COMMENT ON COLUMN shegu.index_node.clamp IS 'goalpost: cap the value to [lo, hi] before scaling; target: cap the score at 1';
COMMENT ON COLUMN shegu.index_node.winsor IS 'winsorisation: cap values at the p and 1-p quantiles of the period (0 = none)';
COMMENT ON COLUMN shegu.index_node.rollup IS 'how values of smaller units roll up to the scored level: sum, mean, wmean (weighted by the model''s population indicator), max, min';
COMMENT ON COLUMN shegu.index_node.missing IS 'omit (leave out, weights re-spread), parent_mean (mean of the units with the same parent unit) or carry_forward (value of the model''s previous period); imputed values are flagged';
COMMENT ON COLUMN shegu.index_node.veto_below IS 'one-vote veto (一票否决): a raw value below this vetoes the unit';
COMMENT ON COLUMN shegu.index_node.veto_above IS 'one-vote veto (一票否决): a raw value above this vetoes the unit';
COMMENT ON COLUMN shegu.index_node.per_population IS 'rate per population: after roll-up the value is divided by the unit''s population (the model''s population indicator, summed up the hierarchy) and multiplied by this, e.g. 1000 for incidents per 1,000 residents';
COMMENT ON COLUMN shegu.index_node.source IS 'feed: a relation (table or view) with columns unit, month and source_column, read by shegu.feed_index';
COMMENT ON COLUMN shegu.index_node.source_column IS 'feed: the column of source that holds the value';
COMMENT ON COLUMN shegu.index_node.survey_question IS 'feed: the question of shegu.survey_response whose mean score is the value';
COMMENT ON COLUMN shegu.index_node.model IS 'the model (shegu.index_model) the node belongs to';
COMMENT ON COLUMN shegu.index_node.code IS 'node code, unique in the model (e.g. SGI, D1, D1.1); the code of an indicator is what shegu.indicator_value.indicator names';
COMMENT ON COLUMN shegu.index_node.parent IS 'code of the parent node in the same model; NULL for the root, which is the index itself (exactly one per model)';
COMMENT ON COLUMN shegu.index_node.title IS 'display title, e.g. 处置率 disposal rate';
COMMENT ON COLUMN shegu.index_node.lo IS 'goalpost normalisation: the value that scores 0 (1 for a negative indicator); with clamp, values below are raised to it; must be below hi';
COMMENT ON COLUMN shegu.index_node.hi IS 'goalpost normalisation: the value that scores 1 (0 for a negative indicator); with clamp, values above are lowered to it; must be above lo';
COMMENT ON COLUMN shegu.index_node.target IS 'target normalisation (distance to target): the value that scores 1; the period''s worst value scores 0; required when normalization = target';
COMMENT ON COLUMN shegu.index_node.shipped IS 'true for the nodes of the models shegu ships; pg_dump keeps only the others';
COMMENT ON COLUMN shegu.index_node.weight_basis IS 'where the weight comes from: the seed it follows, quoted, or "local default, not from the seeds" for a number a county replaces; NULL when not stated';
COMMENT ON CONSTRAINT index_node_pkey ON shegu.index_node IS 'a node is identified by its model and code';
COMMENT ON CONSTRAINT index_node_model_fkey ON shegu.index_node IS 'the node belongs to an existing model; renaming the model renames it here, deleting the model deletes its tree';
COMMENT ON CONSTRAINT index_node_model_parent_fkey ON shegu.index_node IS 'the parent is a node of the same model; checked at commit (deferred) so a tree loads in any order; renaming a node''s code renames it in its children, deleting a node deletes its subtree';
COMMENT ON CONSTRAINT index_node_code_check ON shegu.index_node IS 'the code is not empty';
COMMENT ON CONSTRAINT index_node_weight_check ON shegu.index_node IS 'the weight is finite and not negative (0 takes the node out of its parent''s mean)';
COMMENT ON CONSTRAINT index_node_veto_below_check ON shegu.index_node IS 'the lower veto threshold is finite (NaN and infinities are refused)';
COMMENT ON CONSTRAINT index_node_veto_above_check ON shegu.index_node IS 'the upper veto threshold is finite (NaN and infinities are refused)';
COMMENT ON CONSTRAINT index_node_aggregation_check ON shegu.index_node IS 'aggregation is arithmetic or geometric';
COMMENT ON CONSTRAINT index_node_direction_check ON shegu.index_node IS 'direction is +1 (positive, 正向) or -1 (negative, 逆向)';
COMMENT ON CONSTRAINT index_node_normalization_check ON shegu.index_node IS 'normalization is none, minmax, goalpost, zscore, rank or target';
COMMENT ON CONSTRAINT index_node_transform_check ON shegu.index_node IS 'transform is none or log';
COMMENT ON CONSTRAINT index_node_lo_check ON shegu.index_node IS 'the lower goalpost is finite';
COMMENT ON CONSTRAINT index_node_hi_check ON shegu.index_node IS 'the upper goalpost is finite';
COMMENT ON CONSTRAINT index_node_target_check ON shegu.index_node IS 'the target is finite';
COMMENT ON CONSTRAINT index_node_winsor_check ON shegu.index_node IS 'the winsorisation share p lies in [0, 0.5)';
COMMENT ON CONSTRAINT index_node_rollup_check ON shegu.index_node IS 'rollup is sum, mean, wmean, max or min';
COMMENT ON CONSTRAINT index_node_missing_check ON shegu.index_node IS 'the missing-data rule is omit, parent_mean or carry_forward';
COMMENT ON CONSTRAINT index_node_per_population_check ON shegu.index_node IS 'the per-population multiplier is positive and finite';
COMMENT ON CONSTRAINT index_node_not_own_parent ON shegu.index_node IS 'a node is not its own parent';
COMMENT ON CONSTRAINT index_node_goalposts ON shegu.index_node IS 'goalpost normalisation needs both goalposts with lo < hi';
COMMENT ON CONSTRAINT index_node_target ON shegu.index_node IS 'target normalisation needs a target';
COMMENT ON CONSTRAINT index_node_source ON shegu.index_node IS 'a source relation and its source_column are given together or not at all';
COMMENT ON CONSTRAINT index_node_one_feed ON shegu.index_node IS 'a node is fed from a source relation or from a survey question, not both';
COMMENT ON INDEX shegu.index_node_pkey IS 'nodes by model and code';

CREATE TABLE shegu.index_grade (
    model     text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    grade     text NOT NULL,
    min_score float8 NOT NULL CHECK (min_score > '-Infinity' AND min_score < 'Infinity'),
    shipped   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (model, grade),
    UNIQUE (model, min_score)
);
COMMENT ON TABLE shegu.index_grade IS
    'grades of a model (等次, e.g. 优秀/良好/合格/不合格): a unit gets the grade with the highest min_score (on the model''s scale) not above its index; a vetoed unit gets the lowest grade';
COMMENT ON COLUMN shegu.index_grade.model IS 'the model (shegu.index_model) the grade belongs to';
COMMENT ON COLUMN shegu.index_grade.grade IS 'grade name (等次), e.g. 优秀 excellent, 良好 good, 合格 pass, 不合格 fail';
COMMENT ON COLUMN shegu.index_grade.min_score IS 'lowest index, on the model''s scale (e.g. 90 of 100), that earns this grade';
COMMENT ON COLUMN shegu.index_grade.shipped IS 'true for the grades of the models shegu ships; pg_dump keeps only the others';
COMMENT ON CONSTRAINT index_grade_pkey ON shegu.index_grade IS 'a grade is identified by its model and name';
COMMENT ON CONSTRAINT index_grade_model_fkey ON shegu.index_grade IS 'the grade belongs to an existing model; renaming or deleting the model cascades';
COMMENT ON CONSTRAINT index_grade_model_min_score_key ON shegu.index_grade IS 'no two grades of a model share a threshold, so the grade of an index is never ambiguous';
COMMENT ON CONSTRAINT index_grade_min_score_check ON shegu.index_grade IS 'the threshold is finite';
COMMENT ON INDEX shegu.index_grade_pkey IS 'grades by model and name';
COMMENT ON INDEX shegu.index_grade_model_min_score_key IS 'one grade per threshold of a model';

-- ==== raw data ====

CREATE TABLE shegu.indicator_value (
    model     text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    indicator text NOT NULL,
    unit      shegu.gridcode NOT NULL,
    period    date NOT NULL,
    value     float8 NOT NULL,
    PRIMARY KEY (model, indicator, unit, period),
    CONSTRAINT indicator_value_finite CHECK (value <> 'NaN' AND value <> 'Infinity' AND value <> '-Infinity')
);
CREATE INDEX indicator_value_period ON shegu.indicator_value (model, period);
COMMENT ON TABLE shegu.indicator_value IS
    'raw indicator values (原始数据) per model, indicator, unit (a grid code at any level) and period; a missing value is a missing row; NaN and infinities are refused';
COMMENT ON COLUMN shegu.indicator_value.model IS 'the model (shegu.index_model) the value is for';
COMMENT ON COLUMN shegu.indicator_value.indicator IS 'code of the indicator: a leaf of the model''s tree (shegu.index_node.code) or the model''s population_indicator';
COMMENT ON COLUMN shegu.indicator_value.unit IS 'grid code of the unit the value was recorded for, at any level (网格 grid, 社区 community, 乡镇 township ...); values below the scored level roll up by the indicator''s rollup rule';
COMMENT ON COLUMN shegu.indicator_value.period IS 'the period (考核期) as a date: by convention the first day of the month, quarter or year assessed';
COMMENT ON COLUMN shegu.indicator_value.value IS 'raw value in the indicator''s own unit (a rate 0-1, a count, hours ...), before transform and normalisation; finite';
COMMENT ON CONSTRAINT indicator_value_pkey ON shegu.indicator_value IS 'one value per model, indicator, unit and period';
COMMENT ON CONSTRAINT indicator_value_model_fkey ON shegu.indicator_value IS 'the value belongs to an existing model; renaming or deleting the model cascades';
COMMENT ON CONSTRAINT indicator_value_finite ON shegu.indicator_value IS 'the value is a finite number: NaN, Infinity and -Infinity are refused (a missing value is a missing row)';
COMMENT ON INDEX shegu.indicator_value_pkey IS 'values by model, indicator, unit and period';
COMMENT ON INDEX shegu.indicator_value_period IS 'the values of a model in one period (what a computation reads)';

CREATE TABLE shegu.survey_response (
    id       bigserial PRIMARY KEY,
    unit     shegu.gridcode NOT NULL,
    period   date NOT NULL,
    question text NOT NULL,
    score    int NOT NULL CHECK (score BETWEEN 1 AND 5)
);
CREATE INDEX survey_response_period ON shegu.survey_response (period, question);
COMMENT ON TABLE shegu.survey_response IS
    'resident survey answers (群众评价): unit, period, question (e.g. 知晓度 awareness, 参与度 participation, 满意度 satisfaction) and a score from 1 (worst) to 5 (best)';
COMMENT ON SEQUENCE shegu.survey_response_id_seq IS 'numbers of survey answers (shegu.survey_response.id)';
COMMENT ON COLUMN shegu.survey_response.id IS 'answer number, from shegu.survey_response_id_seq';
COMMENT ON COLUMN shegu.survey_response.unit IS 'grid code of the respondent''s unit, at any level (网格 grid, 社区 community ...)';
COMMENT ON COLUMN shegu.survey_response.period IS 'the survey period as a date, matching the index period it feeds (e.g. the first day of the month)';
COMMENT ON COLUMN shegu.survey_response.question IS 'the question, matched by shegu.index_node.survey_question: e.g. 知晓度 awareness, 参与度 participation, 满意度 satisfaction';
COMMENT ON COLUMN shegu.survey_response.score IS 'the answer on a 5-point scale: 1 (worst) to 5 (best)';
COMMENT ON CONSTRAINT survey_response_pkey ON shegu.survey_response IS 'an answer is identified by its number';
COMMENT ON CONSTRAINT survey_response_score_check ON shegu.survey_response IS 'a score runs from 1 to 5';
COMMENT ON INDEX shegu.survey_response_pkey IS 'answers by number';
COMMENT ON INDEX shegu.survey_response_period IS 'the answers to a question in a period (what feed_index reads)';

CREATE VIEW shegu.survey_measures AS
SELECT unit, period, question, count(*) AS responses, avg(score)::float8 AS mean_score
FROM shegu.survey_response
GROUP BY unit, period, question;
COMMENT ON VIEW shegu.survey_measures IS
    'survey answers per unit, period and question: number of responses and mean score (1-5)';
COMMENT ON COLUMN shegu.survey_measures.unit IS 'grid code of the unit as recorded in the answers (no roll-up to ancestors)';
COMMENT ON COLUMN shegu.survey_measures.period IS 'the survey period (shegu.survey_response.period)';
COMMENT ON COLUMN shegu.survey_measures.question IS 'the question, e.g. 满意度 satisfaction';
COMMENT ON COLUMN shegu.survey_measures.responses IS 'number of answers to the question in the unit and period';
COMMENT ON COLUMN shegu.survey_measures.mean_score IS 'mean of their scores, 1 (worst) to 5 (best): avg(score)';

CREATE TABLE shegu.index_unit_name (
    unit shegu.gridcode PRIMARY KEY,
    name text NOT NULL
);
COMMENT ON TABLE shegu.index_unit_name IS
    'display names of units for shegu.index_report (e.g. 新宁县, 金石镇); units without a row are reported without a name';
COMMENT ON COLUMN shegu.index_unit_name.unit IS 'grid code of the unit, at any level';
COMMENT ON COLUMN shegu.index_unit_name.name IS 'its display name in reports, e.g. 新宁县 Xinning County, 金石镇 Jinshi Town';
COMMENT ON CONSTRAINT index_unit_name_pkey ON shegu.index_unit_name IS 'one name per unit';
COMMENT ON INDEX shegu.index_unit_name_pkey IS 'names by unit';

-- ==== computation ====

CREATE FUNCTION shegu.index_compute(model text, period date, level int DEFAULT NULL)
RETURNS TABLE(unit shegu.gridcode, node text, score float8, rank int, raw float8, imputed boolean, vetoed boolean)
    AS 'MODULE_PATHNAME', 'index_compute' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_compute(text, date, int) IS
    'the full computation of a model for a period at a level (default the model''s): per unit and node the score in [0, 1], the rank among the units (1 = best), the raw rolled-up value of indicators, whether imputed values entered and whether a veto fired';

CREATE FUNCTION shegu.compute_index(model text, period date, level int DEFAULT NULL)
RETURNS TABLE(unit shegu.gridcode, node text, score float8, rank int)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC SELECT c.unit, c.node, c.score, c.rank FROM shegu.index_compute($1, $2, $3) AS c;
END;
COMMENT ON FUNCTION shegu.compute_index(text, date, int) IS
    'the score in [0, 1] of every node for every unit of a period (the root node is the index) and the rank among the units of the level (1 = best, ties share a rank); raw values roll up to the level by each indicator''s rollup rule';

CREATE TABLE shegu.index_score (
    model       text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    level       int NOT NULL,
    period      date NOT NULL,
    unit        shegu.gridcode NOT NULL,
    node        text NOT NULL,
    score       float8,
    rank        int,
    raw         float8,
    imputed     boolean NOT NULL,
    vetoed      boolean NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, level, period, unit, node)
);
COMMENT ON TABLE shegu.index_score IS
    'stored results of shegu.store_index: one row per model, level, period, unit and node';
COMMENT ON COLUMN shegu.index_score.model IS 'the model computed (shegu.index_model)';
COMMENT ON COLUMN shegu.index_score.level IS 'grid level of the scored units: 1 province .. 7 micro-grid (the model''s level unless store_index was given another)';
COMMENT ON COLUMN shegu.index_score.period IS 'the period computed (考核期), a date such as the first day of the month';
COMMENT ON COLUMN shegu.index_score.unit IS 'grid code of the scored unit, at the level';
COMMENT ON COLUMN shegu.index_score.node IS 'code of the node (shegu.index_node): the root is the index, the others dimensions and indicators';
COMMENT ON COLUMN shegu.index_score.score IS 'normalised and aggregated score, in [0, 1] except where zscore, none or an unclamped goalpost/target normalisation leaves it; NULL when the node has no score (too little of its weight present); multiply by the model''s scale to publish';
COMMENT ON COLUMN shegu.index_score.rank IS 'rank of the score among the units of the model, level and period for this node: 1 = best, ties share the best rank; NULL without a score';
COMMENT ON COLUMN shegu.index_score.raw IS 'indicators only: the value that was normalised, after roll-up to the level and rates per population, imputed when missing; NULL for dimensions, the index and missing values';
COMMENT ON COLUMN shegu.index_score.imputed IS 'true when an imputed value (missing rule parent_mean or carry_forward) entered the node: its own value or any indicator below it';
COMMENT ON COLUMN shegu.index_score.vetoed IS 'true when a one-vote veto (一票否决) fired on the node or any indicator below it: an actual value beyond veto_below/veto_above';
COMMENT ON COLUMN shegu.index_score.computed_at IS 'when store_index wrote the row (transaction time)';
COMMENT ON CONSTRAINT index_score_pkey ON shegu.index_score IS 'one score per model, level, period, unit and node';
COMMENT ON CONSTRAINT index_score_model_fkey ON shegu.index_score IS 'the results belong to an existing model; renaming or deleting the model cascades';
COMMENT ON INDEX shegu.index_score_pkey IS 'scores by model, level, period, unit and node';

CREATE FUNCTION shegu.store_index(model text, period date, level int DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    lvl int := coalesce(store_index.level,
                        (SELECT m.level FROM shegu.index_model m WHERE m.name = store_index.model));
    n bigint;
BEGIN
    -- one writer per model, level and period at a time: a second one waits and then replaces
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.index_score'),
        pg_catalog.hashtext(store_index.model || '/' || lvl || '/' || store_index.period));
    -- an error in the computation aborts the statement, so the delete never stands alone
    DELETE FROM shegu.index_score s
    WHERE s.model = store_index.model AND s.level = lvl AND s.period = store_index.period;
    INSERT INTO shegu.index_score (model, level, period, unit, node, score, rank, raw, imputed, vetoed)
    SELECT store_index.model, lvl, store_index.period, c.unit, c.node, c.score, c.rank, c.raw, c.imputed, c.vetoed
    FROM shegu.index_compute(store_index.model, store_index.period, store_index.level) AS c;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.store_index(text, date, int) IS
    'computes a model for a period and level and replaces its rows in shegu.index_score (concurrent calls for the same model, level and period take turns); returns the rows written';

CREATE VIEW shegu.index_report AS
WITH idx AS (
    SELECT s.model, s.level, s.period, s.unit, s.score * m.scale AS index_value, s.rank, s.vetoed, s.imputed
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node AND n.parent IS NULL
), dims AS (
    SELECT s.model, s.level, s.period, s.unit,
           jsonb_object_agg(s.node, round((s.score * m.scale)::numeric, 2) ORDER BY s.node) AS dimensions
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node
    JOIN shegu.index_node r ON r.model = n.model AND r.code = n.parent AND r.parent IS NULL
    GROUP BY s.model, s.level, s.period, s.unit
)
SELECT i.model, i.unit, coalesce(u.name, shegu.division_name(i.unit), gn.name) AS unit_name, i.level, i.period, i.index_value,
       CASE WHEN i.vetoed
            THEN (SELECT g.grade FROM shegu.index_grade g WHERE g.model = i.model ORDER BY g.min_score LIMIT 1)
            ELSE (SELECT g.grade FROM shegu.index_grade g
                  WHERE g.model = i.model AND g.min_score <= i.index_value
                  ORDER BY g.min_score DESC LIMIT 1)
       END AS grade,
       i.vetoed, i.imputed, d.dimensions, i.rank,
       count(i.rank) OVER (PARTITION BY i.model, i.level, i.period) AS ranked_units,
       lag(i.index_value) OVER w AS previous_index,
       i.index_value - lag(i.index_value) OVER w AS change,
       lag(i.rank) OVER w - i.rank AS rank_change
FROM idx i
LEFT JOIN dims d USING (model, level, period, unit)
LEFT JOIN shegu.index_unit_name u ON u.unit = i.unit
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g
                   WHERE g.code = i.unit AND g.valid_from <= i.period
                     AND (g.valid_to IS NULL OR g.valid_to > i.period)) gn ON true
WINDOW w AS (PARTITION BY i.model, i.level, i.unit ORDER BY i.period);
COMMENT ON VIEW shegu.index_report IS
    'the published index for BI tools: model, unit, unit name, level, period, index on the model''s scale, grade (the lowest when vetoed), veto and imputation flags, dimensions as a JSON object of code -> score on the scale, rank, the number of ranked units, the previous stored period''s index, its change and the change in rank (positive = moved up)';
COMMENT ON COLUMN shegu.index_report.model IS 'the model (shegu.index_model.name)';
COMMENT ON COLUMN shegu.index_report.unit IS 'grid code of the scored unit (e.g. a 社区 community at level 5)';
COMMENT ON COLUMN shegu.index_report.unit_name IS 'display name of the unit: from shegu.index_unit_name when it has one there, else the official division name (shegu.division) when loaded, else the name of the shegu.grid version valid in the period (the rule of shegu.report_unit_name, with the period''s version of the grid); NULL when none has it';
COMMENT ON COLUMN shegu.index_report.level IS 'grid level of the scored units: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.index_report.period IS 'the period (考核期) as stored by store_index';
COMMENT ON COLUMN shegu.index_report.index_value IS 'the index (指数): the root node''s score x the model''s scale, e.g. 0-100 points; NULL when too little of the weight had data';
COMMENT ON COLUMN shegu.index_report.grade IS 'grade (等次) from shegu.index_grade: the one with the highest min_score not above index_value; the lowest grade when vetoed; NULL when no grade applies';
COMMENT ON COLUMN shegu.index_report.vetoed IS 'true when a one-vote veto (一票否决) fired on any indicator of the unit; the index is unchanged but the grade is the lowest';
COMMENT ON COLUMN shegu.index_report.imputed IS 'true when an imputed value (missing rule parent_mean or carry_forward) entered the index';
COMMENT ON COLUMN shegu.index_report.dimensions IS 'the dimensions (维度, the root''s children) as a JSON object node code -> score x scale, e.g. {"D1": 82.5, "D2": 71.0}; null for a dimension without a score; scores to 2 decimals';
COMMENT ON COLUMN shegu.index_report.rank IS 'rank of the index among the units of the model, level and period: 1 = best, ties share the best rank; NULL without an index';
COMMENT ON COLUMN shegu.index_report.ranked_units IS 'number of units ranked in the model, level and period (rank is out of this)';
COMMENT ON COLUMN shegu.index_report.previous_index IS 'index_value of the same unit in its latest earlier stored period of the same model and level; NULL for its first period';
COMMENT ON COLUMN shegu.index_report.change IS 'index_value - previous_index, in points of the scale (positive = improved)';
COMMENT ON COLUMN shegu.index_report.rank_change IS 'previous rank - rank: positive = moved up, negative = moved down; NULL for the first period or without a rank';

-- ==== feeds: objective indicators from the system's own data ====

CREATE FUNCTION shegu.feed_index(model text, period date)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    n record;
    rel regclass;
    total bigint := 0;
    k bigint;
    lvl int := (SELECT m.level FROM shegu.index_model m WHERE m.name = feed_index.model);
BEGIN
    IF feed_index.period IS NULL THEN
        RAISE EXCEPTION 'period of shegu.feed_index is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Give the period to feed, e.g. the first day of the month.';
    END IF;
    IF lvl IS NULL THEN
        RAISE EXCEPTION 'index model "%" does not exist', feed_index.model
            USING ERRCODE = 'undefined_object', HINT = 'Models are rows of shegu.index_model.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.indicator_value'),
        pg_catalog.hashtext(feed_index.model || '/' || feed_index.period));
    FOR n IN SELECT x.code, x.source, x.source_column, x.survey_question
             FROM shegu.index_node x
             WHERE x.model = feed_index.model AND (x.source IS NOT NULL OR x.survey_question IS NOT NULL)
             ORDER BY x.code
    LOOP
        DELETE FROM shegu.indicator_value v
        WHERE v.model = feed_index.model AND v.indicator = n.code AND v.period = feed_index.period;
        IF n.source IS NOT NULL THEN
            rel := to_regclass(n.source);
            IF rel IS NULL THEN
                RAISE EXCEPTION 'source relation "%" of node "%" does not exist', n.source, n.code
                    USING ERRCODE = 'undefined_table',
                          DETAIL = format('Index model "%s" feeds node "%s" from column "%s" of it.', feed_index.model, n.code, n.source_column),
                          HINT = 'Install the room that provides it, or point the node at another relation.';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = rel AND a.attname = n.source_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
                RAISE EXCEPTION 'column "%" of source relation "%" of node "%" does not exist', n.source_column, n.source, n.code
                    USING ERRCODE = 'undefined_column',
                          HINT = 'A source relation has the columns unit (shegu.gridcode), month (date) and the value column.';
            END IF;
            EXECUTE format(
                'INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
                 SELECT $1, $2, s.unit, $3, s.%1$I::float8 FROM %2$s AS s
                 WHERE s.month = $3 AND s.%1$I IS NOT NULL
                   AND s.%1$I::float8 NOT IN (''NaN'', ''Infinity'', ''-Infinity'')',
                n.source_column, rel)
            USING feed_index.model, n.code, feed_index.period;
        ELSE
            -- the mean answer per unit where answers were recorded, and at the model's level
            -- the mean over every answer below it (weighted by answers, not a mean of means)
            INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
            SELECT feed_index.model, n.code, a.unit, feed_index.period, a.mean
            FROM (SELECT r.unit, avg(r.score)::float8 AS mean
                  FROM shegu.survey_response r
                  WHERE r.period = feed_index.period AND r.question = n.survey_question
                    AND shegu.level(r.unit) <> lvl
                  GROUP BY r.unit
                  UNION ALL
                  SELECT shegu.ancestor(r.unit, lvl), avg(r.score)::float8
                  FROM shegu.survey_response r
                  WHERE r.period = feed_index.period AND r.question = n.survey_question
                    AND shegu.level(r.unit) >= lvl
                  GROUP BY 1) AS a;
        END IF;
        GET DIAGNOSTICS k = ROW_COUNT;
        total := total + k;
    END LOOP;
    RETURN total;
END;
$$;
COMMENT ON FUNCTION shegu.feed_index(text, date) IS
    'reloads the fed indicators of a model for a period: nodes with a source read column source_column of that relation (columns unit, month; e.g. shegu.incident_measures), resolved when called; nodes with a survey_question take the mean score of shegu.survey_response per unit where answered, and at the model''s level the mean of all answers below each unit; NULL and non-finite source values are left missing; returns the rows written';

-- ==== periods: monthly data into quarters and years (月考核、季点评、年终总评) ====

CREATE FUNCTION shegu.aggregate_periods(model text, first date, last date, into_model text, period date)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    IF aggregate_periods.first IS NULL OR aggregate_periods.last IS NULL OR aggregate_periods.period IS NULL THEN
        RAISE EXCEPTION 'first, last and period of shegu.aggregate_periods must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = pg_catalog.format('Got first %s, last %s, period %s.',
                                             coalesce(aggregate_periods.first::text, 'NULL'),
                                             coalesce(aggregate_periods.last::text, 'NULL'),
                                             coalesce(aggregate_periods.period::text, 'NULL'));
    END IF;
    IF aggregate_periods.first > aggregate_periods.last THEN
        RAISE EXCEPTION 'first period % is after last period %', aggregate_periods.first, aggregate_periods.last
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF aggregate_periods.model = aggregate_periods.into_model
       AND aggregate_periods.period BETWEEN aggregate_periods.first AND aggregate_periods.last THEN
        RAISE EXCEPTION 'period % lies inside the periods it aggregates', aggregate_periods.period
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Aggregate into another model (e.g. a quarterly copy) or label the result with a date outside the range.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_model m WHERE m.name = aggregate_periods.model) THEN
        RAISE EXCEPTION 'index model "%" does not exist', aggregate_periods.model USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_model m WHERE m.name = aggregate_periods.into_model) THEN
        RAISE EXCEPTION 'index model "%" does not exist', aggregate_periods.into_model USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.indicator_value'),
        pg_catalog.hashtext(aggregate_periods.into_model || '/' || aggregate_periods.period));
    DELETE FROM shegu.indicator_value v
    WHERE v.model = aggregate_periods.into_model AND v.period = aggregate_periods.period;
    INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
    SELECT aggregate_periods.into_model, v.indicator, v.unit, aggregate_periods.period,
           CASE coalesce(n.rollup, 'mean')
                WHEN 'sum' THEN sum(v.value) WHEN 'max' THEN max(v.value) WHEN 'min' THEN min(v.value)
                ELSE avg(v.value) END
    FROM shegu.indicator_value v
    LEFT JOIN shegu.index_node n ON n.model = v.model AND n.code = v.indicator
    WHERE v.model = aggregate_periods.model AND v.period BETWEEN aggregate_periods.first AND aggregate_periods.last
    GROUP BY v.indicator, v.unit, n.rollup;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.aggregate_periods(text, date, date, text, date) IS
    'aggregates the raw values of a model over the periods first..last into one period of a model (the same or a copy, e.g. quarterly): per indicator and unit the sum for rollup sum, the max for max, the min for min, else the mean (the population indicator: the mean); replaces the target period''s values; returns the rows written';

-- ==== weights ====

CREATE FUNCTION shegu.ahp_weights(matrix float8[])
RETURNS TABLE(weights float8[], lambda_max float8, ci float8, cr float8)
    AS 'MODULE_PATHNAME', 'index_ahp_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.ahp_weights(float8[]) IS
    'AHP (层次分析法): the principal eigenvector of a positive reciprocal pairwise comparison matrix (n <= 15) normalised to sum 1, lambda_max, CI = (lambda_max - n)/(n - 1) and CR = CI/RI with Saaty''s random index; a CR above 0.1 means the judgements are inconsistent';

CREATE FUNCTION shegu.apply_ahp_weights(model text, node text, children text[], matrix float8[])
RETURNS TABLE(child text, weight float8, cr float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    kids text[];
    a record;
BEGIN
    SELECT array_agg(x.code ORDER BY x.code) INTO kids
    FROM shegu.index_node x WHERE x.model = apply_ahp_weights.model AND x.parent = apply_ahp_weights.node;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_node x
                   WHERE x.model = apply_ahp_weights.model AND x.code = apply_ahp_weights.node) THEN
        RAISE EXCEPTION 'node "%" does not exist in index model "%"', apply_ahp_weights.node, apply_ahp_weights.model
            USING ERRCODE = 'undefined_object', HINT = 'Nodes are rows of shegu.index_node.';
    END IF;
    IF kids IS NULL THEN
        RAISE EXCEPTION 'node "%" of index model "%" has no children', apply_ahp_weights.node, apply_ahp_weights.model
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT array_agg(c ORDER BY c) FROM unnest(apply_ahp_weights.children) AS c) IS DISTINCT FROM kids THEN
        RAISE EXCEPTION 'children % do not match the children % of node "%"', apply_ahp_weights.children, kids, apply_ahp_weights.node
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Name every child once, in the order of the matrix rows.';
    END IF;
    IF array_length(apply_ahp_weights.matrix, 1) IS DISTINCT FROM cardinality(kids) THEN
        RAISE EXCEPTION 'pairwise comparison matrix has % rows for % children',
            coalesce(array_length(apply_ahp_weights.matrix, 1), 0), cardinality(kids)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO a FROM shegu.ahp_weights(apply_ahp_weights.matrix);
    IF a.cr > 0.1 THEN
        RAISE WARNING 'consistency ratio % of the judgements for node "%" is above 0.1', round(a.cr::numeric, 4), apply_ahp_weights.node
            USING HINT = 'Saaty asks for CR <= 0.1; revise the comparisons.';
    END IF;
    RETURN QUERY
    UPDATE shegu.index_node x SET weight = a.weights[i]
    FROM unnest(apply_ahp_weights.children) WITH ORDINALITY AS c(code, i)
    WHERE x.model = apply_ahp_weights.model AND x.code = c.code
    RETURNING x.code, x.weight, a.cr;
END;
$$;
COMMENT ON FUNCTION shegu.apply_ahp_weights(text, text, text[], float8[]) IS
    'writes AHP weights into the children of a node (rows of the matrix in the order of children); warns when CR > 0.1; returns each child''s new weight and the CR';

CREATE FUNCTION shegu.entropy_weights(matrix float8[])
RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_entropy_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.entropy_weights(float8[]) IS
    'entropy weights (熵权法) of a units x indicators matrix of values >= 0: p = x / column sum, e = -sum p ln p / ln m (0 ln 0 = 0), w = (1 - e) / sum(1 - e); a constant indicator gets 0; fewer than two units is an error';

-- the children's scores of a node, one row per unit that has all of them
CREATE FUNCTION shegu.index_children_matrix(model text, period date, node text, level int,
                                            leaves boolean,
                                            OUT children text[], OUT weights float8[],
                                            OUT matrix float8[], OUT parent_scores float8[], OUT units int)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM shegu.index_node x WHERE x.model = index_children_matrix.model
                   AND x.code = index_children_matrix.node) THEN
        RAISE EXCEPTION 'node "%" does not exist in index model "%"', index_children_matrix.node, index_children_matrix.model
            USING ERRCODE = 'undefined_object';
    END IF;
    IF index_children_matrix.leaves THEN
        -- every indicator below the node, weighted by the product of the normalised weights
        -- on its path (its nominal weight in the node's score)
        WITH RECURSIVE nw AS (
            SELECT x.code, x.parent, x.weight / nullif(sum(x.weight) OVER (PARTITION BY x.parent), 0) AS w
            FROM shegu.index_node x WHERE x.model = index_children_matrix.model
        ), t AS (
            SELECT nw.code, coalesce(nw.w, 0) AS w FROM nw WHERE nw.parent = index_children_matrix.node
            UNION ALL
            SELECT nw.code, t.w * coalesce(nw.w, 0) FROM nw JOIN t ON nw.parent = t.code
        )
        SELECT array_agg(t.code ORDER BY t.code COLLATE "C"), array_agg(t.w ORDER BY t.code COLLATE "C")
        INTO children, weights
        FROM t WHERE NOT EXISTS (SELECT 1 FROM shegu.index_node y
                                 WHERE y.model = index_children_matrix.model AND y.parent = t.code);
    ELSE
        SELECT array_agg(x.code ORDER BY x.code COLLATE "C"), array_agg(x.weight ORDER BY x.code COLLATE "C")
        INTO children, weights
        FROM shegu.index_node x WHERE x.model = index_children_matrix.model AND x.parent = index_children_matrix.node;
    END IF;
    IF children IS NULL THEN
        RAISE EXCEPTION 'node "%" of index model "%" has no children', index_children_matrix.node, index_children_matrix.model
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Weights are set among the children of a node.';
    END IF;
    WITH c AS (
        SELECT s.unit, s.node, s.score
        FROM shegu.index_compute(index_children_matrix.model, index_children_matrix.period, index_children_matrix.level) AS s
        WHERE s.node = ANY (children) OR s.node = index_children_matrix.node
    ), r AS (
        SELECT c.unit,
               array_agg(c.score ORDER BY c.node COLLATE "C") FILTER (WHERE c.node <> index_children_matrix.node) AS row,
               count(c.score) FILTER (WHERE c.node <> index_children_matrix.node) AS k,
               max(c.score) FILTER (WHERE c.node = index_children_matrix.node) AS p
        FROM c GROUP BY c.unit
    )
    SELECT array_agg(r.row ORDER BY r.unit), array_agg(r.p ORDER BY r.unit), count(*)
    INTO matrix, parent_scores, units
    FROM r WHERE r.k = cardinality(children) AND r.p IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION shegu.index_children_matrix(text, date, text, int, boolean) IS
    'helper of the weight functions: the children of a node (code order) and their weights - or with leaves every indicator below it and the product of the normalised weights on its path - the matrix of their scores for the units that have all of them and the node''s own scores for those units';

CREATE FUNCTION shegu.entropy_weights(model text, period date, node text, level int DEFAULT NULL)
RETURNS TABLE(child text, weight float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    m record;
BEGIN
    SELECT * INTO m FROM shegu.index_children_matrix(entropy_weights.model, entropy_weights.period,
                                                     entropy_weights.node, entropy_weights.level, false);
    IF m.units < 2 THEN
        RAISE EXCEPTION 'entropy weights need at least two units, not %', m.units
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Units of period %s with a score for every child of node "%s": %s.', entropy_weights.period, entropy_weights.node, m.units);
    END IF;
    RETURN QUERY
    SELECT m.children[i], w[i]
    FROM (SELECT shegu.entropy_weights(m.matrix) AS w) AS e, generate_subscripts(m.children, 1) AS i
    ORDER BY i;
END;
$$;
COMMENT ON FUNCTION shegu.entropy_weights(text, date, text, int) IS
    'entropy weights (熵权法) of the children of a node from their normalised scores in a period (units with every child present)';

CREATE FUNCTION shegu.apply_entropy_weights(model text, period date, node text, level int DEFAULT NULL)
RETURNS TABLE(child text, old_weight float8, new_weight float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH e AS (SELECT * FROM shegu.entropy_weights(apply_entropy_weights.model, apply_entropy_weights.period,
                                                  apply_entropy_weights.node, apply_entropy_weights.level)),
         old AS (SELECT x.code, x.weight FROM shegu.index_node x
                 WHERE x.model = apply_entropy_weights.model AND x.parent = apply_entropy_weights.node),
         upd AS (UPDATE shegu.index_node x SET weight = e.weight FROM e
                 WHERE x.model = apply_entropy_weights.model AND x.code = e.child
                 RETURNING x.code, x.weight)
    SELECT upd.code, old.weight, upd.weight FROM upd JOIN old USING (code) ORDER BY upd.code COLLATE "C";
END;
$$;
COMMENT ON FUNCTION shegu.apply_entropy_weights(text, date, text, int) IS
    'writes the entropy weights of a period into the children of a node; returns the old and new weights';

CREATE FUNCTION shegu.effective_weights_of(matrix float8[], index float8[], weights float8[],
                                           log_scale boolean DEFAULT false)
RETURNS TABLE(child int, variance_share float8, correlation float8, dominant boolean, index_dominated boolean)
    AS 'MODULE_PATHNAME', 'index_effective_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.effective_weights_of(float8[], float8[], float8[], boolean) IS
    'effective weights of the columns of a units x children matrix in an index: share of the index variance cov(w_j x_j, I) / sum_k cov(w_k x_k, I), Pearson correlation with the index, dominant when the share exceeds twice the nominal weight share, and whether at most a third of the children carry 80% of the variance; with log_scale the same on ln x and ln I (exact for a geometric mean; values must be > 0)';

CREATE FUNCTION shegu.effective_weights(model text, period date, node text DEFAULT NULL, level int DEFAULT NULL,
                                        indicators boolean DEFAULT false)
RETURNS TABLE(child text, nominal_weight float8, variance_share float8, correlation float8,
              dominant boolean, index_dominated boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    nd text := effective_weights.node;
    m record;
    use_log boolean;
BEGIN
    IF nd IS NULL THEN
        SELECT x.code INTO nd FROM shegu.index_node x WHERE x.model = effective_weights.model AND x.parent IS NULL;
        IF nd IS NULL THEN
            RAISE EXCEPTION 'index model "%" does not exist or has no root node', effective_weights.model
                USING ERRCODE = 'undefined_object';
        END IF;
    END IF;
    SELECT * INTO m FROM shegu.index_children_matrix(effective_weights.model, effective_weights.period, nd,
                                                     effective_weights.level, effective_weights.indicators);
    IF m.units < 2 THEN
        RAISE EXCEPTION 'effective weights need at least two units, not %', m.units
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the children of a geometric node decompose exactly on the log scale when all are > 0
    use_log := NOT effective_weights.indicators
        AND (SELECT x.aggregation = 'geometric' FROM shegu.index_node x
             WHERE x.model = effective_weights.model AND x.code = nd)
        AND (SELECT min(v) > 0 FROM unnest(m.matrix) AS v)
        AND (SELECT min(v) > 0 FROM unnest(m.parent_scores) AS v);
    RETURN QUERY
    SELECT m.children[e.child], m.weights[e.child] / (SELECT sum(w) FROM unnest(m.weights) AS w),
           e.variance_share, e.correlation, e.dominant, e.index_dominated
    FROM shegu.effective_weights_of(m.matrix, m.parent_scores, m.weights, use_log) AS e
    ORDER BY e.child;
END;
$$;
COMMENT ON FUNCTION shegu.effective_weights(text, date, text, int, boolean) IS
    'effective weights report of the children of a node (default the index) in a period - or, with indicators, of every indicator below it, whose nominal weight is the product of the normalised weights on its path: nominal weight share, share of the variance of the node''s score (for a geometric node with all scores > 0: of its log, where the decomposition is exact), correlation with it, dominant flag and the dominated flag of the node';

-- ==== uncertainty ====

CREATE FUNCTION shegu.index_uncertainty(model text, period date, runs int DEFAULT 1000,
                                        weight_noise float8 DEFAULT 0.2, seed int DEFAULT 1,
                                        level int DEFAULT NULL, vary_aggregation boolean DEFAULT false,
                                        vary_normalization boolean DEFAULT false)
RETURNS TABLE(unit shegu.gridcode, nominal_rank int, mean_rank float8, median_rank float8,
              rank_p05 float8, rank_p95 float8, runs_ranked int, unranked_reason text)
    AS 'MODULE_PATHNAME', 'index_uncertainty' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_uncertainty(text, date, int, float8, int, int, boolean, boolean) IS
    'Monte Carlo robustness of the ranking: each run multiplies every weight by U(1 - weight_noise, 1 + weight_noise) (with vary_aggregation each parent switches between arithmetic and geometric, with vary_normalization each indicator between its normalisation and the alternative - percentile rank, or min-max for rank and zscore - each with probability 1/2) and ranks the units again; per unit the nominal rank and the mean, median, 5% and 95% quantiles of its rank; a vetoed unit (一票否决: an indicator''s veto threshold, or with veto_register the register of major events) is a hard gate, left out of every run''s ranking as report_index leaves it unranked (the others rank among themselves), and unranked_reason says why (the indicators and events of the veto, or 无指数 no index); a seeded splitmix64 stream, so the same seed gives the same answer';

-- ==== aggregates ====

CREATE FUNCTION shegu.index_wmean_accum(float8[], float8, float8) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wmean_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_accum(float8[], float8, float8) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wgmean_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wmean_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wmean_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wgmean_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wmean_final(float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'index_wmean_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_final(float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'index_wgmean_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_wmean_accum(float8[], float8, float8) IS 'transition of shegu.wmean: state {sum w*x, sum w, rows}';
COMMENT ON FUNCTION shegu.index_wgmean_accum(float8[], float8, float8) IS 'transition of shegu.wgmean: state {sum w*ln x, sum w, zero seen}';
COMMENT ON FUNCTION shegu.index_wmean_combine(float8[], float8[]) IS 'combine of shegu.wmean: adds two partial states (parallel aggregation)';
COMMENT ON FUNCTION shegu.index_wgmean_combine(float8[], float8[]) IS 'combine of shegu.wgmean: adds two partial states, keeping the zero flag (parallel aggregation)';
COMMENT ON FUNCTION shegu.index_wmean_final(float8[]) IS 'final of shegu.wmean: sum w*x / sum w';
COMMENT ON FUNCTION shegu.index_wgmean_final(float8[]) IS 'final of shegu.wgmean: exp(sum w ln x / sum w), 0 when a value 0 had a positive weight';

CREATE AGGREGATE shegu.wmean(value float8, weight float8) (
    SFUNC = shegu.index_wmean_accum,
    STYPE = float8[],
    FINALFUNC = shegu.index_wmean_final,
    COMBINEFUNC = shegu.index_wmean_combine,
    INITCOND = '{0,0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE shegu.wmean(float8, float8) IS
    'weighted arithmetic mean sum(w x) / sum(w); rows with a NULL value or weight are skipped; NULL when no positive weight; a negative or non-finite weight or a non-finite value is an error; parallel-safe';

CREATE AGGREGATE shegu.wgmean(value float8, weight float8) (
    SFUNC = shegu.index_wgmean_accum,
    STYPE = float8[],
    FINALFUNC = shegu.index_wgmean_final,
    COMBINEFUNC = shegu.index_wgmean_combine,
    INITCOND = '{0,0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE shegu.wgmean(float8, float8) IS
    'weighted geometric mean exp(sum(w ln x) / sum(w)); a value 0 with a positive weight makes it 0; negative values are an error; rows with a NULL are skipped; parallel-safe';

-- ==== the register of major events and its one-vote veto (一票否决) ====
-- Seed 003: "坚持实行平安创建工作动态考评管理机制,对平安创建工作滑坡、治安问题突出、安全隐患整改不力,
-- 以致发生重大群体性事件和其他重大案件的单位和部门予以黄牌警告、摘牌、实施'一票否决'", and
-- "坚决防止发生重大公共安全事故".  A major event is registered against a unit; the unit is sanctioned
-- step by step (yellow card, de-listing, veto); a veto in force gates every model with
-- veto_register: the unit is vetoed whatever its indicators say.

CREATE TABLE shegu.major_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit            shegu.gridcode NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('mass_incident', 'major_case', 'safety_accident')),
    occurred_on     date NOT NULL CHECK (occurred_on > '-infinity' AND occurred_on < 'infinity'),
    title           text NOT NULL CHECK (title <> ''),
    incident_id     bigint,
    note            text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    yellow_card_on  date,
    delisted_on     date,
    vetoed_on       date,
    veto_from       date,
    veto_to         date,
    stage           text NOT NULL GENERATED ALWAYS AS (
                        CASE WHEN vetoed_on IS NOT NULL THEN 'veto'
                             WHEN delisted_on IS NOT NULL THEN 'delisting'
                             WHEN yellow_card_on IS NOT NULL THEN 'yellow_card'
                             ELSE 'registered' END) STORED,
    CONSTRAINT major_event_yellow_card_after_event
        CHECK (yellow_card_on IS NULL OR yellow_card_on >= occurred_on),
    CONSTRAINT major_event_delisting_after_yellow_card
        CHECK (delisted_on IS NULL OR (yellow_card_on IS NOT NULL AND delisted_on >= yellow_card_on)),
    CONSTRAINT major_event_veto_after_delisting
        CHECK (vetoed_on IS NULL OR (delisted_on IS NOT NULL AND vetoed_on >= delisted_on)),
    CONSTRAINT major_event_veto_window
        CHECK ((vetoed_on IS NULL AND veto_from IS NULL AND veto_to IS NULL)
               OR (vetoed_on IS NOT NULL AND veto_from IS NOT NULL AND veto_to IS NOT NULL AND veto_from < veto_to))
);
CREATE INDEX major_event_unit_idx ON shegu.major_event (unit);
CREATE INDEX major_event_veto_idx ON shegu.major_event (veto_from, veto_to) WHERE vetoed_on IS NOT NULL;
COMMENT ON TABLE shegu.major_event IS
    'register of major events (重大事件登记) and their sanctions (seed 003): a 重大群体性事件, 重大案件 or 重大公共安全事故 registered against a unit, which is then given a yellow card (黄牌警告), de-listed (摘牌) and vetoed (一票否决), in that order; a veto in force gates the index of every model with veto_register (docs/index.md)';
COMMENT ON SEQUENCE shegu.major_event_id_seq IS 'numbers of major events (shegu.major_event.id)';
COMMENT ON COLUMN shegu.major_event.id IS 'event number, always from the sequence';
COMMENT ON COLUMN shegu.major_event.unit IS 'grid code of the unit held responsible (单位), at any level: a veto reaches the unit and every ancestor scored at a coarser level (a community''s event vetoes its township too)';
COMMENT ON COLUMN shegu.major_event.kind IS 'mass_incident 重大群体性事件, major_case 重大案件 (其他重大案件) or safety_accident 重大公共安全事故';
COMMENT ON COLUMN shegu.major_event.occurred_on IS 'day the event happened (发生日期)';
COMMENT ON COLUMN shegu.major_event.title IS 'what happened, in a line';
COMMENT ON COLUMN shegu.major_event.incident_id IS 'the incident (shegu.incident.id) it was reported as, if any; checked when registered (no foreign key, so that incidents can be distributed on Citus)';
COMMENT ON COLUMN shegu.major_event.note IS 'free text: the finding, the decision''s reference';
COMMENT ON COLUMN shegu.major_event.recorded_at IS 'when the event was registered (transaction time)';
COMMENT ON COLUMN shegu.major_event.yellow_card_on IS 'day of the yellow card (黄牌警告), the first sanction; NULL before';
COMMENT ON COLUMN shegu.major_event.delisted_on IS 'day of the de-listing (摘牌: the unit loses its 平安 title), after a yellow card; NULL before';
COMMENT ON COLUMN shegu.major_event.vetoed_on IS 'day of the one-vote veto (一票否决), after the de-listing; NULL before';
COMMENT ON COLUMN shegu.major_event.veto_from IS 'first day of the assessment the veto covers: index periods p with veto_from <= p < veto_to are vetoed';
COMMENT ON COLUMN shegu.major_event.veto_to IS 'first day after the assessment the veto covers; by default (a local default, not from the seeds) the first day of the year after the event, the year''s assessment (年终总评)';
COMMENT ON COLUMN shegu.major_event.stage IS 'the sanction reached: registered, yellow_card 黄牌警告, delisting 摘牌 or veto 一票否决 (generated from the days)';
COMMENT ON CONSTRAINT major_event_pkey ON shegu.major_event IS 'an event is identified by its number';
COMMENT ON CONSTRAINT major_event_kind_check ON shegu.major_event IS 'the kind is mass_incident, major_case or safety_accident';
COMMENT ON CONSTRAINT major_event_occurred_on_check ON shegu.major_event IS 'the day of the event is a finite date';
COMMENT ON CONSTRAINT major_event_title_check ON shegu.major_event IS 'an event has a title';
COMMENT ON CONSTRAINT major_event_yellow_card_after_event ON shegu.major_event IS 'the yellow card comes on or after the day of the event';
COMMENT ON CONSTRAINT major_event_delisting_after_yellow_card ON shegu.major_event IS 'de-listing (摘牌) follows a yellow card (黄牌警告), on or after its day';
COMMENT ON CONSTRAINT major_event_veto_after_delisting ON shegu.major_event IS 'the veto (一票否决) follows the de-listing (摘牌), on or after its day';
COMMENT ON CONSTRAINT major_event_veto_window ON shegu.major_event IS 'a veto has the assessment it covers (veto_from < veto_to), and only a veto has one';
COMMENT ON INDEX shegu.major_event_pkey IS 'events by number';
COMMENT ON INDEX shegu.major_event_unit_idx IS 'the events of a unit';
COMMENT ON INDEX shegu.major_event_veto_idx IS 'vetoes in force in a period (what the index computation reads)';
SELECT pg_catalog.pg_extension_config_dump('shegu.major_event', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.major_event_id_seq', '');

CREATE FUNCTION shegu.register_major_event(unit shegu.gridcode, kind text, occurred_on date, title text,
                                           incident_id bigint DEFAULT NULL, note text DEFAULT NULL)
RETURNS shegu.major_event
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    r shegu.major_event;
BEGIN
    IF register_major_event.unit IS NULL OR register_major_event.kind IS NULL
       OR register_major_event.occurred_on IS NULL OR register_major_event.title IS NULL THEN
        RAISE EXCEPTION 'unit, kind, occurred_on and title of a major event must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF register_major_event.title = '' THEN
        RAISE EXCEPTION 'title of a major event must not be empty'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Say what happened in a line.';
    END IF;
    IF register_major_event.kind NOT IN ('mass_incident', 'major_case', 'safety_accident') THEN
        RAISE EXCEPTION 'unknown kind of major event "%"', register_major_event.kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The kinds are mass_incident (重大群体性事件), major_case (重大案件) and safety_accident (重大公共安全事故).';
    END IF;
    IF register_major_event.occurred_on > current_date OR NOT pg_catalog.isfinite(register_major_event.occurred_on) THEN
        RAISE EXCEPTION 'major event day % is not a past day', register_major_event.occurred_on
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'An event is registered once it has happened.';
    END IF;
    IF register_major_event.incident_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM shegu.incident i WHERE i.id = register_major_event.incident_id) THEN
        RAISE EXCEPTION 'incident % does not exist', register_major_event.incident_id
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Give the number of the incident the event was reported as, or none.';
    END IF;
    INSERT INTO shegu.major_event AS e (unit, kind, occurred_on, title, incident_id, note)
    VALUES (register_major_event.unit, register_major_event.kind, register_major_event.occurred_on,
            register_major_event.title, register_major_event.incident_id, register_major_event.note)
    RETURNING e.* INTO r;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text) IS
    'registers a major event (重大群体性事件 mass_incident, 重大案件 major_case, 重大公共安全事故 safety_accident) against a unit and returns it, at stage registered; sanctions follow with shegu.sanction_major_event';

CREATE FUNCTION shegu.sanction_major_event(event_id bigint, stage text, decided_on date,
                                           veto_from date DEFAULT NULL, veto_to date DEFAULT NULL)
RETURNS shegu.major_event
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    e shegu.major_event;
    next_stage text;
    last_day date;
    r shegu.major_event;
BEGIN
    IF sanction_major_event.event_id IS NULL OR sanction_major_event.stage IS NULL
       OR sanction_major_event.decided_on IS NULL THEN
        RAISE EXCEPTION 'event_id, stage and decided_on of a sanction must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF sanction_major_event.stage NOT IN ('yellow_card', 'delisting', 'veto') THEN
        RAISE EXCEPTION 'unknown sanction "%"', sanction_major_event.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The sanctions are yellow_card (黄牌警告), delisting (摘牌) and veto (一票否决), in that order.';
    END IF;
    SELECT * INTO e FROM shegu.major_event m WHERE m.id = sanction_major_event.event_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SGV02',
            MESSAGE = pg_catalog.format('major event %s does not exist', sanction_major_event.event_id),
            HINT = 'Register it first with shegu.register_major_event.';
    END IF;
    next_stage := CASE e.stage WHEN 'registered' THEN 'yellow_card' WHEN 'yellow_card' THEN 'delisting'
                               WHEN 'delisting' THEN 'veto' END;
    IF next_stage IS DISTINCT FROM sanction_major_event.stage THEN
        RAISE EXCEPTION USING ERRCODE = 'SGV01',
            MESSAGE = pg_catalog.format('cannot give major event %s the sanction "%s" at stage "%s"',
                                        e.id, sanction_major_event.stage, e.stage),
            DETAIL = CASE WHEN next_stage IS NULL THEN 'The event is vetoed already: no sanction follows a veto.'
                          ELSE pg_catalog.format('Sanctions follow one another: yellow_card, delisting, veto; the next one is "%s".', next_stage) END;
    END IF;
    last_day := coalesce(e.delisted_on, e.yellow_card_on, e.occurred_on);
    IF sanction_major_event.decided_on < last_day OR NOT pg_catalog.isfinite(sanction_major_event.decided_on) THEN
        RAISE EXCEPTION 'sanction day % is before %', sanction_major_event.decided_on, last_day
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Major event %s is at stage "%s" since %s.', e.id, e.stage, last_day);
    END IF;
    IF sanction_major_event.stage <> 'veto'
       AND (sanction_major_event.veto_from IS NOT NULL OR sanction_major_event.veto_to IS NOT NULL) THEN
        RAISE EXCEPTION 'a % covers no assessment', sanction_major_event.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Only a veto takes veto_from and veto_to.';
    END IF;
    IF sanction_major_event.stage = 'veto' THEN
        -- local default, not from the seeds (a county replaces it by giving the window): the
        -- assessment of the event's year, from the month of the event on
        veto_from := coalesce(sanction_major_event.veto_from, date_trunc('month', e.occurred_on)::date);
        veto_to := coalesce(sanction_major_event.veto_to, (date_trunc('year', e.occurred_on) + interval '1 year')::date);
        IF veto_from >= veto_to OR NOT pg_catalog.isfinite(veto_from) OR NOT pg_catalog.isfinite(veto_to) THEN
            RAISE EXCEPTION 'veto window from % to % is empty', veto_from, veto_to
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'veto_from is the first day covered, veto_to the first day after; both finite.';
        END IF;
    END IF;
    UPDATE shegu.major_event AS m
    SET yellow_card_on = CASE WHEN sanction_major_event.stage = 'yellow_card' THEN sanction_major_event.decided_on ELSE m.yellow_card_on END,
        delisted_on = CASE WHEN sanction_major_event.stage = 'delisting' THEN sanction_major_event.decided_on ELSE m.delisted_on END,
        vetoed_on = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.decided_on ELSE m.vetoed_on END,
        veto_from = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.veto_from ELSE m.veto_from END,
        veto_to = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.veto_to ELSE m.veto_to END
    WHERE m.id = e.id
    RETURNING m.* INTO r;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.sanction_major_event(bigint, text, date, date, date) IS
    'gives a registered major event its next sanction (seed 003: 黄牌警告 yellow_card, then 摘牌 delisting, then 一票否决 veto) on a day and returns it; a veto covers the index periods from veto_from to veto_to (default, a local default: the month of the event to the end of its year); a sanction out of order raises SGV01, an unknown event SGV02';

CREATE FUNCTION shegu.major_event_vetoes(period date, level int)
RETURNS TABLE(unit shegu.gridcode, event_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT shegu.ancestor(e.unit, major_event_vetoes.level), e.id
    FROM shegu.major_event e
    WHERE e.vetoed_on IS NOT NULL
      AND e.veto_from <= major_event_vetoes.period AND major_event_vetoes.period < e.veto_to
      AND shegu.level(e.unit) >= major_event_vetoes.level
    ORDER BY 1, 2;
END;
COMMENT ON FUNCTION shegu.major_event_vetoes(date, int) IS
    'the units at a level vetoed (一票否决) in an index period by the register of major events: for each veto in force (veto_from <= period < veto_to) of an event registered at that level or below, the unit''s ancestor at the level and the event; what shegu.index_compute reads for a model with veto_register';

-- ==== the default model: 社会治理指数 ====

INSERT INTO shegu.index_model (name, title, scale, level, min_share, description, shipped, veto_register) VALUES
('社会治理指数', '社会治理指数 social governance index', 100, 5, 0.5,
 'Default model on 100 points (seed 001: "在100分的考评总分值中民调占了30分的比重", the public-opinion survey carries 30 of 100 points): 70 points of objective performance from shegu.incident_measures, 30 points of public opinion (群众评价: the resident survey''s awareness, participation and satisfaction, seed 004 "居民知晓度、参与度、满意度", and the reporters'' satisfaction with their cases); a unit with a major event vetoed in the register (shegu.major_event, seed 003 一票否决) is vetoed; communities (level 5) are scored; the split of each dimension''s points among its indicators is a local default a county replaces.',
 true, true);

INSERT INTO shegu.index_node (model, code, parent, title, weight, aggregation, direction, normalization,
                              lo, hi, rollup, missing, veto_below, source, source_column, survey_question, shipped,
                              weight_basis) VALUES
('社会治理指数', 'SGI', NULL, '社会治理指数 social governance index', 1, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true,
 'seed 001: the evaluation is scored on 100 points (100分的考评总分值)'),
('社会治理指数', 'D1', 'SGI', '客观治理绩效 objective performance', 0.7, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true,
 'seed 001: "在100分的考评总分值中民调占了30分的比重"; the other 70 of 100 points are objective performance'),
('社会治理指数', 'D2', 'SGI', '群众评价 public opinion (民调)', 0.3, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true,
 'seed 001: "在100分的考评总分值中民调占了30分的比重" (the public-opinion survey carries 30 of 100 points); every subjective indicator is under it'),
('社会治理指数', 'D1.1', 'D1', '上报问题处置率 disposal rate', 0.3, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', NULL, 'shegu.incident_measures', 'disposal_rate', NULL, true,
 'local default, not from the seeds; a county replaces it (21 of the 70 objective points)'),
('社会治理指数', 'D1.2', 'D1', '按时办结率 on-time closure rate', 0.3, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', NULL, 'shegu.incident_measures', 'on_time_rate', NULL, true,
 'local default, not from the seeds; a county replaces it (21 of the 70 objective points)'),
('社会治理指数', 'D1.3', 'D1', '返工率 rework rate', 0.2, 'arithmetic', -1, 'goalpost', 0, 0.2, 'mean', 'omit', NULL, 'shegu.incident_measures', 'rework_rate', NULL, true,
 'local default, not from the seeds; a county replaces it (14 of the 70 objective points)'),
('社会治理指数', 'D1.4', 'D1', '办结平均工时 average working hours to close', 0.2, 'arithmetic', -1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, 'shegu.incident_measures', 'avg_work_hours_to_close', NULL, true,
 'local default, not from the seeds; a county replaces it (14 of the 70 objective points)'),
('社会治理指数', 'D2.1', 'D2', '知晓度 awareness', 0.25, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '知晓度', true,
 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)'),
('社会治理指数', 'D2.2', 'D2', '参与度 participation', 0.25, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '参与度', true,
 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)'),
('社会治理指数', 'D2.3', 'D2', '满意度 satisfaction', 0.25, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '满意度', true,
 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)'),
('社会治理指数', 'D2.R', 'D2', '事件满意率 reporters'' satisfaction rate', 0.25, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', NULL, 'shegu.incident_measures', 'satisfaction_rate', NULL, true,
 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points: the reporters'' opinion of their cases is public opinion, not objective performance)');

INSERT INTO shegu.index_grade (model, grade, min_score, shipped) VALUES
('社会治理指数', '优秀', 90, true),
('社会治理指数', '良好', 80, true),
('社会治理指数', '合格', 60, true),
('社会治理指数', '不合格', 0, true);

SELECT pg_catalog.pg_extension_config_dump('shegu.index_model', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_node', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_grade', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.indicator_value', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.survey_response', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.survey_response_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_unit_name', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_score', '');
