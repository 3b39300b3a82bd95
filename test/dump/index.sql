-- User rows in the index room's configuration tables, for the pg_dump round trip.
-- test/dump/index.sql — run by test/dump/run.sh after the rooms installed before it.
SET search_path = shegu, public;
INSERT INTO index_model (name, title, level, population_indicator) VALUES ('dump', 'dump model', 5, 'pop');
INSERT INTO index_node (model, code, parent, weight, aggregation) VALUES
('dump', 'R', NULL, 1, 'arithmetic'), ('dump', 'D', 'R', 1, 'geometric');
INSERT INTO index_node (model, code, parent, direction, normalization, lo, hi, rollup, missing, veto_above) VALUES
('dump', 'x', 'D', 1, 'minmax', NULL, NULL, 'sum', 'omit', NULL),
('dump', 'y', 'D', -1, 'goalpost', 0, 10, 'wmean', 'parent_mean', 8);
-- parents updated after their children are written: the restore must not depend on row order
UPDATE index_node SET weight = 2 WHERE model = 'dump' AND code IN ('R', 'D');
-- a user's indicator added to the shipped default model is the user's row
INSERT INTO index_node (model, code, parent, title, normalization, lo, hi, survey_question)
VALUES ('社会治理指数', 'D2.4', 'D2', '安全感 sense of security', 'goalpost', 1, 5, '安全感');
INSERT INTO index_grade (model, grade, min_score) VALUES ('dump', 'A', 80), ('dump', 'B', 0);
INSERT INTO index_unit_name VALUES ('430528101001', '金石社区');
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'dump', i, (430528101001000 + g)::bigint::gridcode, '2025-06-01', g * k
FROM unnest('{x,y,pop}'::text[]) WITH ORDINALITY AS t(i, k), generate_series(1, 5) AS g;
INSERT INTO survey_response (unit, period, question, score) VALUES ('430528101001', '2025-06-01', '安全感', 4);
SELECT store_index('dump', '2025-06-01');
-- edits of the shipped model, one of its nodes and one of its grades must survive
UPDATE index_model SET min_share = 0.6 WHERE name = '社会治理指数';
UPDATE index_node SET weight = 0.35 WHERE model = '社会治理指数' AND code = 'D1';
UPDATE index_grade SET min_score = 92 WHERE model = '社会治理指数' AND grade = (SELECT grade FROM index_grade WHERE model = '社会治理指数' ORDER BY min_score DESC LIMIT 1);
-- the register of major events (a generated stage column, sanctions in order)
SELECT (register_major_event('430528101001', 'mass_incident', '2025-05-10', '群体性上访')).id AS dump_event \gset
SELECT stage FROM sanction_major_event(:dump_event, 'yellow_card', '2025-05-12');
SELECT stage FROM sanction_major_event(:dump_event, 'delisting', '2025-05-20');
SELECT stage FROM sanction_major_event(:dump_event, 'veto', '2025-06-01');
SELECT stage FROM register_major_event('430528101002', 'major_case', '2025-05-11', '重大案件');
