-- pgTAP: the index report names units from the grid registry (the version valid in the
-- period), unless shegu.index_unit_name overrides it.  test/pgtap/index_names.sql
BEGIN;
SET search_path = shegu, public;
SELECT plan(4);

INSERT INTO index_model (name, title, scale, level) VALUES ('names', 'names test', 100, 5);
INSERT INTO index_node (model, code, parent, title) VALUES ('names', 'R', NULL, 'root');
INSERT INTO index_node (model, code, parent, title, normalization, lo, hi, rollup)
VALUES ('names', 'x', 'R', 'x', 'goalpost', 0, 10, 'mean');
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
    ('names', 'x', '430528101001', '2025-06-01', 4), ('names', 'x', '430528101002', '2025-06-01', 6),
    ('names', 'x', '430528101001', '2026-06-01', 5), ('names', 'x', '430528101002', '2026-06-01', 7);
-- Community 001 was renamed on 2026-01-01; community 002 has a report name of its own.
INSERT INTO grid (code, name, kind, valid_from, valid_to) VALUES
    ('430528101001', '老街社区', 'community', '2020-01-01', '2026-01-01'),
    ('430528101001', '金石社区', 'community', '2026-01-01', NULL),
    ('430528101002', '城东社区', 'community', '2020-01-01', NULL);
INSERT INTO index_unit_name (unit, name) VALUES ('430528101002', '城东社区（试点）');
SELECT store_index('names', '2025-06-01') + store_index('names', '2026-06-01');

SELECT is((SELECT unit_name FROM index_report WHERE model = 'names' AND unit = '430528101001' AND period = '2025-06-01'),
          '老街社区', 'a 2025 score carries the name the grid had in 2025');
SELECT is((SELECT unit_name FROM index_report WHERE model = 'names' AND unit = '430528101001' AND period = '2026-06-01'),
          '金石社区', 'a 2026 score carries the name after the renaming');
SELECT is((SELECT unit_name FROM index_report WHERE model = 'names' AND unit = '430528101002' AND period = '2026-06-01'),
          '城东社区（试点）', 'index_unit_name overrides the registry');
SELECT is((SELECT count(*) FROM index_report WHERE model = 'names'), 4::bigint,
          'one report row per unit and period (no duplicates from grid versions)');

SELECT * FROM finish();
ROLLBACK;
