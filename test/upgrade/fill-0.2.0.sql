-- Data written through the API of shegu 0.2.0, before ALTER EXTENSION shegu UPDATE: grids with
-- history and staff, user calendar rows and schedules, categories, incidents in every kind of
-- state with their events, an index model with values, survey answers and stored scores, and
-- edits of shipped rows (which 0.2.0 marks as the user's).  test/upgrade/fill-0.2.0.sql — run by
-- test/upgrade/run.sh; uses only what 0.2.0 has, never changes with later versions.
SET search_path = shegu, public;

-- ==== as test/dump/lookup.sql
INSERT INTO grid (code, name, kind, boundary, households, population, attrs) VALUES
('430528101', '金石镇', 'township', ST_Multi(ST_MakeEnvelope(110, 26, 111, 27, 4326)), 5000, 15000, '{"seat": "金石"}'),
('430528101002', '城东社区', 'community', ST_Multi(ST_MakeEnvelope(110, 26, 110.5, 26.5, 4326)), 800, 2400, '{}'),
('430528101002003', '城东社区第3网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26, 110.25, 26.25, 4326)), 300, 900, '{}'),
('430528101002004', '城东社区第4网格', 'basic', ST_Multi(ST_MakeEnvelope(110.25, 26, 110.5, 26.25, 4326)), NULL, NULL, '{}');
INSERT INTO grid (code, name, kind, boundary, valid_from, valid_to) VALUES
('430528101002005', '城东社区第5网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26.25, 110.25, 26.5, 4326)), '-infinity', '2025-07-01');
INSERT INTO grid (code, name, kind, boundary, valid_from) VALUES
('430528101002005', '城东社区第5网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26.25, 110.3, 26.5, 4326)), '2025-07-01');
INSERT INTO grid_staff (code, person_name, role, phone, db_role, valid_from, valid_to) VALUES
('430528101002003', '王网格员', 'grid_worker', '13800000001', 'wang', '2025-01-01', NULL),
('430528101002003', '李警官', 'police', NULL, NULL, '2025-01-01', '2025-09-01'),
('430528101002', '赵书记', 'grid_head', '13800000002', NULL, '2024-03-01', NULL);

-- ==== as test/dump/worktime.sql
INSERT INTO workday_override (day, is_workday, name) VALUES
('2027-01-01', false, '元旦 New Year'), ('2027-02-06', true, '春节 Spring Festival (make-up workday)');
UPDATE workday_override SET name = '元旦 New Year (local notice)' WHERE day = '2025-01-01';
UPDATE workday_override SET is_workday = true WHERE day = '2026-10-07';
UPDATE work_schedule SET periods = '09:00-12:00,13:30-17:30' WHERE name = 'default';
INSERT INTO work_schedule (name, time_zone, periods, workdays_only) VALUES
('hotline', 'Asia/Shanghai', '8:00-20:00', false);

-- ==== as test/dump/incident.sql
INSERT INTO incident_category (code, parent, name_zh, name_en, handling_level, accept_limit, dispose_limit, schedule)
VALUES ('environment.dog', 'environment', '犬只扰民', 'Dog nuisance', 'grid', '2 hours', '1 day', 'hotline'),
       ('local', NULL, '本地事项', 'Local matters', 'community', '4 hours', '3 days', 'default'),
       ('local.market', 'local', '集市管理', 'Market management', 'township', '4 hours', '5 days', 'default');
UPDATE incident_category SET dispose_limit = '3 days', yellow_share = 0.7 WHERE code = 'environment.garbage';

SET shegu.incident_clock = '2026-03-02 09:00+08';
INSERT INTO incident (category, title, source, grid, reporter, reported_at) VALUES
('environment.garbage', '楼道堆放垃圾', 'patrol', '430528101002003', '王网格员', '2026-03-02 08:10+08'),
('environment.dog', '犬只夜间吠叫', 'hotline', '430528101002003', NULL, '2026-03-02 08:20+08'),
('dispute.neighbour', '噪音纠纷', 'resident', '430528101002004', '张三', '2026-03-02 08:30+08'),
('hazard.gas', '燃气泄漏', 'wechat', '430528101002003', NULL, '2026-03-02 08:40+08'),
('local.market', '占道经营', 'leader', '430528101002004', NULL, '2026-03-02 08:50+08');
INSERT INTO incident (category, title, source, location, reported_at, idempotency_key)
VALUES ('public_service.facility', '路灯损坏', 'resident', ST_SetSRID(ST_MakePoint(110.1, 26.1), 4326),
        '2026-03-02 08:55+08', 'app-0001');
SELECT count(*) FROM (
    SELECT act(1, 'accept', '受理中心'),
           act(1, 'dispatch', '受理中心', NULL, '{"level": "grid", "department": "物业"}'),
           act(1, 'request_extension', '王网格员', 'cleaners busy', '{"amount": "4 hours"}'),
           act(1, 'approve_extension', '受理中心'),
           act(1, 'resolve', '王网格员', 'cleared', '{"request_id": "r-1"}'),
           act(1, 'verify', '受理中心'),
           act(1, 'close', '受理中心'),
           act(1, 'evaluate', '居民', NULL, '{"satisfaction": 4}')) AS s;
SELECT count(*) FROM (SELECT act(2, 'reject', '受理中心', 'not a nuisance')) AS s;
SELECT count(*) FROM (SELECT act(3, 'accept', '受理中心'), act(3, 'escalate', '社区'), act(3, 'supervise', '督导员')) AS s;
SELECT count(*) FROM (SELECT act(4, 'accept', '受理中心'), act(4, 'suspend', '受理中心', 'gas company on site')) AS s;
SELECT count(*) FROM (SELECT act(6, 'accept', '受理中心'),
                             act(6, 'dispatch', '受理中心', NULL, '{"level": "community"}'),
                             act(6, 'resolve', '社区', 'replaced'),
                             act(6, 'rework', '受理中心', 'still dark')) AS s;
RESET shegu.incident_clock;
SELECT sweep('2026-03-20 09:00+08') > 0 AS swept;
UPDATE incident SET title = '楼道堆放垃圾（已清理）' WHERE id = 1;

-- ==== as test/dump/index.sql
INSERT INTO index_model (name, title, level, population_indicator) VALUES ('dump', 'dump model', 5, 'pop');
INSERT INTO index_node (model, code, parent, weight, aggregation) VALUES
('dump', 'R', NULL, 1, 'arithmetic'), ('dump', 'D', 'R', 1, 'geometric');
INSERT INTO index_node (model, code, parent, direction, normalization, lo, hi, rollup, missing, veto_above) VALUES
('dump', 'x', 'D', 1, 'minmax', NULL, NULL, 'sum', 'omit', NULL),
('dump', 'y', 'D', -1, 'goalpost', 0, 10, 'wmean', 'parent_mean', 8);
UPDATE index_node SET weight = 2 WHERE model = 'dump' AND code IN ('R', 'D');
INSERT INTO index_node (model, code, parent, title, normalization, lo, hi, survey_question)
VALUES ('社会治理指数', 'D2.4', 'D2', '安全感 sense of security', 'goalpost', 1, 5, '安全感');
INSERT INTO index_grade (model, grade, min_score) VALUES ('dump', 'A', 80), ('dump', 'B', 0);
INSERT INTO index_unit_name VALUES ('430528101001', '金石社区');
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'dump', i, (430528101001000 + g)::bigint::gridcode, '2025-06-01', g * k
FROM unnest('{x,y,pop}'::text[]) WITH ORDINALITY AS t(i, k), generate_series(1, 5) AS g;
INSERT INTO survey_response (unit, period, question, score) VALUES ('430528101001', '2025-06-01', '安全感', 4);
SELECT store_index('dump', '2025-06-01');
UPDATE index_model SET min_share = 0.6 WHERE name = '社会治理指数';
UPDATE index_node SET weight = 0.35 WHERE model = '社会治理指数' AND code = 'D1';
UPDATE index_grade SET min_score = 92 WHERE model = '社会治理指数' AND grade = (SELECT grade FROM index_grade WHERE model = '社会治理指数' ORDER BY min_score DESC LIMIT 1);

-- ==== what 0.2.0 added: division names, an incident located by the report() procedure with an
-- idempotency key, and a frozen month of the report
SELECT inserted FROM load_divisions(E'code,name,parent\n430000000000,湖南省,\n430500000000,邵阳市,430000000000\n430528000000,新宁县,430500000000\n430528101000,金石镇,430528000000\n430528101002,城东社区,430528101000\n');
SELECT (report('environment.garbage', '垃圾满溢', 'wechat', location => ST_SetSRID(ST_MakePoint(110.3, 26.1), 4326), reported_at => '2026-03-03 10:00+08', idempotency_key => 'wx-0001')).id > 0 AS reported;
SELECT freeze_month('2026-03-01') >= 0 AS frozen;
