-- Data for the pgJDBC test: a district (330106) with grids, incidents of March and April 2025
-- and a stored index.  test/jdbc/fixture.sql — loaded by test/jdbc/run.sh.
SET search_path = shegu, public;
SET client_min_messages = warning;
INSERT INTO grid (code, name, kind, boundary) VALUES
('330106', '西湖区', 'county', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.20, 30.30, 4326))),
('330106001', '北山街道', 'township', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.10, 30.30, 4326))),
('330106002', '西溪街道', 'township', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326))),
('330106001001', '新村社区', 'community', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.05, 30.30, 4326))),
('330106001002', '宝石社区', 'community', ST_Multi(ST_MakeEnvelope(120.05, 30.20, 120.10, 30.30, 4326))),
('330106002001', '新村社区', 'community', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326))),
('330106001001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.00, 30.20, 120.05, 30.25, 4326))),
('330106001001002', '第2网格', 'basic', ST_Multi(ST_MakeEnvelope(120.00, 30.25, 120.05, 30.30, 4326))),
('330106001002001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.05, 30.20, 120.10, 30.30, 4326))),
('330106002001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.20, 30.30, 4326)));
-- the last one at 00:30 on 1 April in Shanghai: 31 March in UTC, April in the reports
INSERT INTO incident (category, title, source, grid, location, reported_at) VALUES
('hazard.fire', 'blocked stairwell', 'patrol', '330106001001001', NULL, '2025-03-03 09:00+08'),
('environment.garbage', 'garbage', 'hotline', '330106001001002', NULL, '2025-03-04 10:00+08'),
('dispute.neighbour', 'noise', 'resident', '330106001002', NULL, '2025-03-05 10:00+08'),
('public_service.facility', 'street light', 'wechat', NULL, ST_SetSRID(ST_MakePoint(120.15, 30.25), 4326), '2025-03-10 10:00+08'),
('hazard.gas', 'gas', 'wechat', '330106002001001', NULL, '2025-04-01 00:30+08');
INSERT INTO index_model (name, title, scale, level) VALUES ('jdbc', 'JDBC test', 100, 5);
INSERT INTO index_node (model, code, parent, normalization, lo, hi, direction, veto_above) VALUES
('jdbc', 'S', NULL, 'minmax', NULL, NULL, 1, NULL),
('jdbc', 'x', 'S', 'goalpost', 0, 1, 1, NULL),
('jdbc', 'safety', 'S', 'goalpost', 0, 10, -1, 0);
INSERT INTO indicator_value (model, indicator, unit, period, value) VALUES
('jdbc', 'x', '330106001001', '2025-03-01', 0.8), ('jdbc', 'safety', '330106001001', '2025-03-01', 0),
('jdbc', 'x', '330106001002', '2025-03-01', 0.6), ('jdbc', 'safety', '330106001002', '2025-03-01', 0),
('jdbc', 'x', '330106002001', '2025-03-01', 1.0), ('jdbc', 'safety', '330106002001', '2025-03-01', 1);
SELECT store_index('jdbc', '2025-03-01');
SELECT freeze_month('2025-03-01');
