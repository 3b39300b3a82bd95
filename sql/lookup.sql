-- Grids with boundaries and history, staff, boundary checks, coverage, locate, fill_grid, stats.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu CASCADE;
SET search_path = shegu, public;
SET extra_float_digits = 0;
-- Dates of `at` are read in the session's time zone: a county's.
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';

-- A small county: two townships, two communities in the first, basic grids in those (one with
-- a hole, one in two parts), and a community of the second township redrawn on 2024-01-01.
--   county 430528            110..112 x 26..28
--   township 101             110..111 x 26..28      township 102   111..112 x 26..28
--   community 101001         110..111 x 26..27      community 101002  110..111 x 27..28
--   grid 101001001           110..110.5 x 26..27, hole 110.2..110.3 x 26.4..26.5
--   grid 101001002           110.5..111 x 26..27
--   grid 101002001           two parts: 110..110.5 x 27..27.5 and 110.5..111 x 27.5..28
--   community 102001 v1      111..112 x 26..27, [2020-01-01, 2024-01-01)
--   community 102001 v2      111..112 x 26..27.5, from 2024-01-01
INSERT INTO grid (code, name, kind, boundary, valid_from, valid_to, households, population) VALUES
('430528', '新宁县', 'county', 'SRID=4326;MULTIPOLYGON(((110 26,112 26,112 28,110 28,110 26)))', '-infinity', NULL, NULL, NULL),
('430528101', '金石镇', 'township', 'SRID=4326;MULTIPOLYGON(((110 26,111 26,111 28,110 28,110 26)))', '-infinity', NULL, 9000, 30000),
('430528102', '回龙寺镇', 'township', 'SRID=4326;MULTIPOLYGON(((111 26,112 26,112 28,111 28,111 26)))', '-infinity', NULL, NULL, NULL),
('430528101001', '城东社区', 'community', 'SRID=4326;MULTIPOLYGON(((110 26,111 26,111 27,110 27,110 26)))', '-infinity', NULL, 1200, 4000),
('430528101002', '城西社区', 'community', 'SRID=4326;MULTIPOLYGON(((110 27,111 27,111 28,110 28,110 27)))', '-infinity', NULL, NULL, NULL),
('430528101001001', '第1网格', 'basic', 'SRID=4326;MULTIPOLYGON(((110 26,110.5 26,110.5 27,110 27,110 26),(110.2 26.4,110.2 26.5,110.3 26.5,110.3 26.4,110.2 26.4)))', '-infinity', NULL, 300, 900),
('430528101001002', '第2网格', 'basic', 'SRID=4326;MULTIPOLYGON(((110.5 26,111 26,111 27,110.5 27,110.5 26)))', '-infinity', NULL, 280, 850),
('430528101002001', '第1网格', 'basic', 'SRID=4326;MULTIPOLYGON(((110 27,110.5 27,110.5 27.5,110 27.5,110 27)),((110.5 27.5,111 27.5,111 28,110.5 28,110.5 27.5)))', '-infinity', NULL, NULL, NULL),
('430528102001', '白沙村', 'community', 'SRID=4326;MULTIPOLYGON(((111 26,112 26,112 27,111 27,111 26)))', '2020-01-01', '2024-01-01', NULL, NULL),
('430528102001', '白沙村', 'community', 'SRID=4326;MULTIPOLYGON(((111 26,112 26,112 27.5,111 27.5,111 26)))', '2024-01-01', NULL, NULL, NULL);

SELECT code, name, kind, ST_NPoints(boundary) AS points, valid_from, valid_to FROM grid ORDER BY code, valid_from;

-- locate: inside, on shared edges and vertices (the smaller code among the deepest),
-- in the hole and on its edge, in either part of the multipolygon, between the parts.
SELECT label, locate(ST_SetSRID(ST_MakePoint(x, y), 4326), '2025-06-01 12:00+08') AS grid
FROM (VALUES ('inside grid 1', 110.1, 26.1), ('inside grid 2', 110.7, 26.7),
             ('edge between grids 1 and 2', 110.5, 26.5), ('vertex of grids 1 and 2', 110.5, 26),
             ('corner of the county', 110, 26), ('far corner of the county', 112, 28),
             ('in the hole', 110.25, 26.45), ('on the hole''s edge', 110.2, 26.45),
             ('on the hole''s vertex', 110.3, 26.5), ('multipolygon, first part', 110.2, 27.2),
             ('multipolygon, second part', 110.7, 27.7), ('between the parts', 110.7, 27.2),
             ('vertex where the parts touch', 110.5, 27.5), ('township 102, no community', 111.5, 27.8),
             ('community 102001 (v2 only)', 111.5, 27.2), ('edge of townships 101 and 102', 111, 27.8),
             ('outside the county', 113, 27), ('one ulp outside', 112.00000000000001, 27)) AS t(label, x, y);

-- Versions: the answer depends on the day (read in the database's time zone).
SELECT at, locate(ST_SetSRID(ST_MakePoint(111.5, 27.2), 4326), at) AS redrawn_area,
       locate(ST_SetSRID(ST_MakePoint(111.5, 26.5), 4326), at) AS always_102001
FROM (VALUES ('2019-12-31 12:00+08'::timestamptz), ('2020-01-01 12:00+08'), ('2023-12-31 12:00+08'),
             ('2024-01-01 12:00+08'), ('infinity'), ('-infinity')) AS t(at);
SET timezone = 'Asia/Shanghai';
SELECT locate(ST_SetSRID(ST_MakePoint(111.5, 27.2), 4326), '2023-12-31 17:00+00') AS shanghai_new_year;
SET timezone = 'UTC';
SELECT locate(ST_SetSRID(ST_MakePoint(111.5, 27.2), 4326), '2023-12-31 17:00+00') AS utc_old_year;
SET timezone = 'Asia/Shanghai';

-- Points from every constructor give the same answer; Z and M are ignored.
SELECT label, locate(pt, '2025-06-01') AS grid
FROM (VALUES ('ST_MakePoint + ST_SetSRID', ST_SetSRID(ST_MakePoint(110.7, 26.7), 4326)),
             ('ST_Point with SRID', ST_Point(110.7, 26.7, 4326)),
             ('ST_GeomFromText', ST_GeomFromText('POINT(110.7 26.7)', 4326)),
             ('EWKT literal', 'SRID=4326;POINT(110.7 26.7)'::geometry),
             ('ST_GeomFromEWKB', ST_GeomFromEWKB(ST_AsEWKB('SRID=4326;POINT(110.7 26.7)'::geometry))),
             ('ST_Transform from 3857', ST_Transform(ST_Transform('SRID=4326;POINT(110.7 26.7)'::geometry, 3857), 4326)),
             ('POINT Z', 'SRID=4326;POINT Z (110.7 26.7 50)'::geometry),
             ('POINT M', 'SRID=4326;POINT M (110.7 26.7 3)'::geometry),
             ('POINT ZM', 'SRID=4326;POINT ZM (110.7 26.7 50 3)'::geometry),
             ('ST_PointOnSurface', ST_PointOnSurface((SELECT boundary FROM grid WHERE code = '430528101001002'))),
             ('with a cached bbox', postgis_addbbox('SRID=4326;POINT(110.7 26.7)'::geometry))) AS t(label, pt);
SET shegu.lookup_fast_point = off;
SELECT locate('SRID=4326;POINT ZM (110.7 26.7 50 3)'::geometry, '2025-06-01') AS through_geometry_send;
RESET shegu.lookup_fast_point;

-- locate(lon, lat, crs): WGS-84 and CGCS2000 as given; GCJ-02 and BD-09 converted first.
SELECT crs, locate(110.7, 26.7, crs, '2025-06-01') AS grid FROM unnest('{wgs84,cgcs2000,WGS84,gcj02,bd09}'::text[]) AS crs;
-- a WGS-84 point 1 m west of the edge x = 110.5, reported in GCJ-02 (about 500 m east of it):
SELECT locate(wgs84_to_gcj02(ST_SetSRID(ST_MakePoint(110.49999, 26.5), 4326)), '2025-06-01') AS gcj02_read_as_wgs84,
       locate(ST_X(g), ST_Y(g), 'gcj02', '2025-06-01') AS gcj02_converted
FROM (SELECT wgs84_to_gcj02(ST_SetSRID(ST_MakePoint(110.49999, 26.5), 4326)) AS g) s;

-- NULL in, NULL out; an empty point has no grid.
SELECT locate(NULL::geometry) IS NULL AS null_point, locate('SRID=4326;POINT(110.1 26.1)'::geometry, NULL) IS NULL AS null_at,
       locate(NULL::float8, 26.1) IS NULL AS null_lon, locate(110.1, 26.1, NULL) IS NULL AS null_crs,
       locate('SRID=4326;POINT EMPTY'::geometry) IS NULL AS empty_point;

-- Errors of locate.
SELECT locate('POINT(110.1 26.1)'::geometry);
SELECT locate('SRID=3857;POINT(12245000 3040000)'::geometry);
SELECT locate('SRID=4326;LINESTRING(110.1 26.1,110.2 26.2)'::geometry);
SELECT locate('SRID=4326;POLYGON((110 26,110.1 26,110.1 26.1,110 26))'::geometry);
SELECT locate(ST_SetSRID(ST_MakePoint('NaN', 26.1), 4326));
SELECT locate('NaN'::float8, 26.1);
SELECT locate(110.1, 'Infinity'::float8);
SELECT locate(110.1, 26.1, 'utm50n');

-- Boundary checks: each refusal says why.
SELECT ST_AsText(check_boundary('SRID=4326;POLYGON Z ((110 26 1,111 26 1,111 27 1,110 26 1))')) AS promoted;
SELECT check_boundary(NULL) IS NULL AS null_boundary;
SELECT check_boundary('POLYGON((110 26,111 26,111 27,110 26))');
SELECT check_boundary('SRID=3857;POLYGON((0 0,1 0,1 1,0 0))');
SELECT check_boundary('SRID=4326;LINESTRING(110 26,111 26)');
SELECT check_boundary('SRID=4326;GEOMETRYCOLLECTION(POLYGON((110 26,111 26,111 27,110 26)))');
SELECT check_boundary('SRID=4326;POLYGON EMPTY');
SELECT check_boundary('SRID=4326;POLYGON((110 26,111 27,111 26,110 27,110 26))');
SELECT ST_AsText(check_boundary('SRID=4326;POLYGON((26 110,27 110,27 111,26 110))')) AS swapped_axes_pass_when_off;
SET shegu.china_bounds = on;
SELECT check_boundary('SRID=4326;POLYGON((26 110,27 110,27 111,26 110))');
SELECT ST_AsText(check_boundary('SRID=4326;POLYGON((110 26,111 26,111 27,110 26))')) AS inside_china;
RESET shegu.china_bounds;

-- The registry refuses bad rows.
INSERT INTO grid (code, name, kind, boundary) VALUES ('430528103', 'bowtie', 'township', 'SRID=4326;MULTIPOLYGON(((110 26,111 27,111 26,110 27,110 26)))');
INSERT INTO grid (code, name, kind, boundary) VALUES ('430528103', 'empty', 'township', 'SRID=4326;MULTIPOLYGON EMPTY');
INSERT INTO grid (code, name, kind, boundary) VALUES ('430528103', 'projected', 'township', 'SRID=3857;MULTIPOLYGON(((0 0,1 0,1 1,0 0)))');
INSERT INTO grid (code, name, kind, boundary) VALUES ('430528103', 'a line', 'township', 'SRID=4326;LINESTRING(110 26,111 26)');
INSERT INTO grid (code, name, kind) VALUES ('430528103', 'wrong kind', 'community');
INSERT INTO grid (code, name, kind) VALUES ('430528103', 'unknown kind', 'street');
INSERT INTO grid (code, name, kind, valid_from, valid_to) VALUES ('430528103', 'backwards', 'township', '2024-01-01', '2023-01-01');
INSERT INTO grid (code, name, kind, population) VALUES ('430528103', 'negative', 'township', -1);
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528102001', '白沙村', 'community', '2023-06-01');
UPDATE grid SET boundary = 'SRID=4326;MULTIPOLYGON(((110 26,111 27,111 26,110 27,110 26)))' WHERE code = '430528101';
-- a grid without a boundary is allowed, and never located
INSERT INTO grid (code, name, kind) VALUES ('430528102002', '未划界村', 'community');

-- Staff (一格多元).
INSERT INTO grid_staff (code, person_name, role, phone, db_role, valid_from) VALUES
('430528101001001', '李四', 'grid_worker', '13800000001', 'gw_lisi', '2024-01-01'),
('430528101001001', '王五', 'police', '13800000002', NULL, '2024-01-01'),
('430528101001', '张三', 'grid_head', NULL, 'gh_zhangsan', '2024-01-01');
SELECT code, person_name, role, db_role FROM grid_staff ORDER BY code, role;
INSERT INTO grid_staff (code, person_name, role) VALUES ('430528101009001', '赵六', 'grid_worker');
INSERT INTO grid_staff (code, person_name, role, valid_from) VALUES ('430528101001001', '赵六', 'cook', '2024-01-01');
-- valid_from defaults to today (the row is rolled back; only the comparison is shown).
BEGIN;
INSERT INTO grid_staff (code, person_name, role) VALUES ('430528101001001', '赵六', 'auxiliary') RETURNING valid_from = current_date AS starts_today;
ROLLBACK;
INSERT INTO grid_staff (code, person_name, role, valid_from, valid_to) VALUES ('430528101001001', '赵六', 'auxiliary', '2024-01-01', '2024-01-01');

-- Coverage on 2025-06-01: gaps in township 102 (community 102001 v2 ends at 27.5, 102002 has
-- no boundary), in community 101001 (the hole of grid 1) and in 101002 (beside the two parts).
SELECT problem, code, other_code, round(area_m2 / 1e6) AS km2, ST_AsText(ST_Envelope(geom)) AS envelope
FROM coverage_problems(at => '2025-06-01');
-- Plant an overlap, an outsider and an orphan, look under township 101 only, then drop them.
BEGIN;
INSERT INTO grid (code, name, kind, boundary) VALUES
('430528101001003', 'overlaps grid 2', 'basic', 'SRID=4326;MULTIPOLYGON(((110.9 26.9,111 26.9,111 27,110.9 27,110.9 26.9)))'),
('430528101002002', 'reaches outside', 'basic', 'SRID=4326;MULTIPOLYGON(((110.9 27.1,111.1 27.1,111.1 27.2,110.9 27.2,110.9 27.1)))'),
('430528101003001', 'orphan', 'basic', NULL);
SELECT problem, code, other_code, round(area_m2 / 1e6) AS km2
FROM coverage_problems('430528101', '2025-06-01');
-- slivers up to the tolerance are not problems
SELECT count(*) AS above_2000_km2 FROM coverage_problems('430528101', '2025-06-01', 2e9);
-- the planted grids are located at once, in this transaction
SELECT locate(ST_SetSRID(ST_MakePoint(110.95, 26.95), 4326)) AS overlap_smaller_code,
       locate(ST_SetSRID(ST_MakePoint(111.05, 27.15), 4326)) AS outsider_is_deeper;
ROLLBACK;
-- and forgotten after the rollback
SELECT locate(ST_SetSRID(ST_MakePoint(110.95, 26.95), 4326)) AS after_rollback,
       locate(ST_SetSRID(ST_MakePoint(111.05, 27.15), 4326)) AS after_rollback_2;
SELECT count(*) FROM coverage_problems('430528109');
-- a rolled-back savepoint is forgotten too
BEGIN;
SAVEPOINT s;
DELETE FROM grid WHERE code = '430528101001002';
SELECT locate(ST_SetSRID(ST_MakePoint(110.7, 26.7), 4326)) AS after_delete;
ROLLBACK TO SAVEPOINT s;
SELECT locate(ST_SetSRID(ST_MakePoint(110.7, 26.7), 4326)) AS after_rollback_to_savepoint;
COMMIT;

-- A changed boundary is seen by the next statement.
UPDATE grid SET boundary = 'SRID=4326;MULTIPOLYGON(((110.5 26,111 26,111 26.5,110.5 26.5,110.5 26)))' WHERE code = '430528101001002';
SELECT locate(ST_SetSRID(ST_MakePoint(110.7, 26.7), 4326)) AS after_update;
UPDATE grid SET boundary = 'SRID=4326;MULTIPOLYGON(((110.5 26,111 26,111 27,110.5 27,110.5 26)))' WHERE code = '430528101001002';
SELECT locate(ST_SetSRID(ST_MakePoint(110.7, 26.7), 4326)) AS restored;

-- fill_grid: any table keeps its grid column filled.
CREATE TABLE report (id int PRIMARY KEY, pt geometry(Point, 4326), grid gridcode, seen_at timestamptz, note text);
CREATE TRIGGER report_grid BEFORE INSERT OR UPDATE ON report
    FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'grid', 'seen_at');
INSERT INTO report (id, pt, seen_at) VALUES
(1, 'SRID=4326;POINT(110.7 26.7)', NULL),
(2, 'SRID=4326;POINT(111.5 27.2)', '2022-05-01 10:00+08'),
(3, 'SRID=4326;POINT(111.5 27.2)', '2025-05-01 10:00+08'),
(4, NULL, NULL),
(5, 'SRID=4326;POINT(113 27)', NULL),
(6, 'SRID=4326;POINT EMPTY', NULL);
INSERT INTO report (id, pt, grid) VALUES (7, 'SRID=4326;POINT(110.1 26.1)', '430528');
SELECT id, grid FROM report ORDER BY id;
UPDATE report SET pt = 'SRID=4326;POINT(110.1 26.1)' WHERE id = 1;
UPDATE report SET note = 'unchanged point keeps its grid', grid = '430528' WHERE id = 3;
UPDATE report SET seen_at = '2021-01-01' WHERE id = 2;
UPDATE report SET pt = NULL WHERE id = 5;
SELECT id, grid, note FROM report ORDER BY id;
-- errors of fill_grid
SELECT fill_grid();
CREATE TABLE bad (pt geometry, grid gridcode, label text, t timestamptz, d date);
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('pt');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('geom', 'grid');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('label', 'grid');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'label');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'grid', 'label');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'grid');
INSERT INTO bad (pt) VALUES ('SRID=4326;POINT(110.1 26.1)');
DROP TRIGGER t ON bad;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'grid', 'd');
INSERT INTO bad (pt, d) VALUES ('SRID=4326;POINT(111.5 27.2)', '2021-01-01') RETURNING grid;
INSERT INTO bad (pt) VALUES ('POINT(110.1 26.1)');
DROP TABLE bad, report;

-- What the index holds (counts are exact for this data; memory and times vary, so only checked).
SELECT grids, rings, vertices, cells > 0 AS has_cells, leaves > 0 AS has_leaves, depth >= 0 AS has_depth,
       memory_bytes > 0 AS has_memory, build_ms >= 0 AS timed, built_at <= now() AS built_before_now,
       builds > 0 AS built, locates > 0 AS located
FROM lookup_stats();

-- lookup_wait: the shared index has taken up every commit (at once without the preload); a
-- negative timeout is refused, NULL gives NULL.
SELECT lookup_wait(10000) AS up_to_date;
SELECT lookup_wait(-1);
SELECT lookup_wait(NULL) IS NULL AS strict;

-- Everything the room declares is commented (its relations are grid and grid_staff; functions:
-- all of the extension's).
SELECT p.oid::regprocedure AS uncommented_function
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
SELECT c.oid::regclass AS uncommented_relation
FROM pg_class c WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname ~ '^grid' AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT a.attrelid::regclass AS relation, a.attname AS uncommented_column
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname ~ '^grid' AND c.relkind = 'r' AND a.attnum > 0
  AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL;
SELECT conname AS uncommented_constraint FROM pg_constraint
WHERE connamespace = 'shegu'::regnamespace AND contype IN ('c', 'x', 'p') AND obj_description(oid, 'pg_constraint') IS NULL
  AND conrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'shegu'::regnamespace AND relname ~ '^grid');
SELECT tgname AS uncommented_trigger FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname ~ '^grid' AND NOT t.tgisinternal
  AND obj_description(t.oid, 'pg_trigger') IS NULL;

-- pg_dump keeps the user's grids and staff.
SELECT ARRAY(SELECT c FROM unnest(extconfig::regclass[]) AS c
             WHERE c IN ('shegu.grid'::regclass, 'shegu.grid_staff'::regclass)) AS extconfig
FROM pg_extension WHERE extname = 'shegu';
