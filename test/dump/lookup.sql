-- User rows in the lookup room's tables, for the pg_dump round trip: grids with history and
-- boundaries, and their staff.  test/dump/lookup.sql — run by test/dump/run.sh in install order.
SET search_path = shegu, public;
INSERT INTO grid (code, name, kind, boundary, households, population, attrs) VALUES
('430528101', '金石镇', 'township', ST_Multi(ST_MakeEnvelope(110, 26, 111, 27, 4326)), 5000, 15000, '{"seat": "金石"}'),
('430528101002', '城东社区', 'community', ST_Multi(ST_MakeEnvelope(110, 26, 110.5, 26.5, 4326)), 800, 2400, '{}'),
('430528101002003', '城东社区第3网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26, 110.25, 26.25, 4326)), 300, 900, '{}'),
('430528101002004', '城东社区第4网格', 'basic', ST_Multi(ST_MakeEnvelope(110.25, 26, 110.5, 26.25, 4326)), NULL, NULL, '{}');
-- a redrawn grid: the old version ends, a new one starts
INSERT INTO grid (code, name, kind, boundary, valid_from, valid_to) VALUES
('430528101002005', '城东社区第5网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26.25, 110.25, 26.5, 4326)), '-infinity', '2025-07-01');
INSERT INTO grid (code, name, kind, boundary, valid_from) VALUES
('430528101002005', '城东社区第5网格', 'basic', ST_Multi(ST_MakeEnvelope(110, 26.25, 110.3, 26.5, 4326)), '2025-07-01');
INSERT INTO grid_staff (code, person_name, role, phone, db_role, valid_from, valid_to) VALUES
('430528101002003', '王网格员', 'grid_worker', '13800000001', 'wang', '2025-01-01', NULL),
('430528101002003', '李警官', 'police', NULL, NULL, '2025-01-01', '2025-09-01'),
('430528101002', '赵书记', 'grid_head', '13800000002', NULL, '2024-03-01', NULL);
