-- Incidents in every kind of state with their event logs, user categories and an edited shipped
-- category, for the pg_dump round trip.  test/dump/incident.sql — run by test/dump/run.sh.
SET search_path = shegu, public;
INSERT INTO incident_category (code, parent, name_zh, name_en, handling_level, accept_limit, dispose_limit, schedule)
VALUES ('environment.dog', 'environment', '犬只扰民', 'Dog nuisance', 'grid', '2 hours', '1 day', 'hotline'),
       ('local', NULL, '本地事项', 'Local matters', 'community', '4 hours', '3 days', 'default'),
       ('local.market', 'local', '集市管理', 'Market management', 'township', '4 hours', '5 days', 'default');
-- a user's edit of a shipped category (a changed limit) must survive
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
-- the sweep escalates and colours what is overdue by then
SELECT sweep('2026-03-20 09:00+08') > 0 AS swept;
-- a title edited after the report
UPDATE incident SET title = '楼道堆放垃圾（已清理）' WHERE id = 1;
