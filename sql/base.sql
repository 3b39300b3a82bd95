-- Base data (人、地、物、事、情、组织): identity numbers, located objects, people and their homes,
-- categories of attention, personal fields under PIPL, workload, camera coverage, bulk load.
-- It runs in a database of its own (its numbers do not depend on the suites before it).
\set regress_db :DBNAME
CREATE DATABASE regress_shegu_base;
\c regress_shegu_base
SET client_min_messages = warning;
CREATE EXTENSION postgis;
CREATE EXTENSION pgcrypto;
CREATE EXTENSION shegu;
RESET client_min_messages;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET shegu.pii_key = 'regress-secret-0123456789';

-- 1. Identity numbers (GB 11643): canonical form, and every refusal with its reason.
SELECT id_number_check('11010519491231002x'), id_number_valid('11010519491231002X'),
       id_number_birth_date('440524188001010014');
SELECT id_number_valid('110105194912310021') AS wrong_check, id_number_valid('') AS empty;
\set VERBOSITY default
SELECT id_number_check('110105194912310021');
SELECT id_number_check('430528900101123');
SELECT id_number_check('43052819900230123X');
SELECT id_number_check('430528203001011234');
SELECT id_number_check('99052819900101123X');
SELECT id_number_check('4305281990010112A4');
SELECT uscc_check('91350100m000100y43');
SELECT uscc_check('91350100M000100Y44');
SELECT uscc_check('91350100I000100Y43');
-- with shegu.division loaded for province 43, an address code it does not hold is refused
INSERT INTO division (code, name) VALUES ('43', '湖南省'), ('4305', '邵阳市'), ('430528', '新宁县');
SELECT id_number_check('430528199001011233');
SELECT id_number_check('43052919900101123X');
SELECT id_number_check('11010519491231002X');   -- province 11 not loaded: nothing to check against
DELETE FROM division;

-- 2. A county with one township, one community and two basic grids.
INSERT INTO grid (code, name, kind, boundary) VALUES
 ('430528', '新宁县', 'county', ST_Multi(ST_MakeEnvelope(110.50, 26.20, 111.40, 26.90, 4326))),
 ('430528101', '金石镇', 'township', ST_Multi(ST_MakeEnvelope(110.80, 26.40, 111.00, 26.60, 4326))),
 ('430528101001', '金石社区', 'community', ST_Multi(ST_MakeEnvelope(110.80, 26.40, 110.90, 26.50, 4326))),
 ('430528101001001', '金石社区第1网格', 'basic', ST_Multi(ST_MakeEnvelope(110.80, 26.40, 110.85, 26.50, 4326))),
 ('430528101001002', '金石社区第2网格', 'basic', ST_Multi(ST_MakeEnvelope(110.85, 26.40, 110.90, 26.50, 4326)));

-- 3. Buildings are located in their grid; a building outside every grid, off the map or
--    without a position is refused.
INSERT INTO building (id, road, road_number, compound, building_no, lon, lat, since) VALUES
 (1, '金石路', '18号', '金石小区', '3', 110.82, 26.45, '2026-01-01'),
 (2, '金石路', '20号', '金石小区', '4', 110.87, 26.45, '2026-01-01');
INSERT INTO building (id, footprint, since)
VALUES (3, ST_Multi(ST_MakeEnvelope(110.86, 26.46, 110.861, 26.461, 4326)), '2026-01-01');
SELECT id, grid, round(lon::numeric, 4) AS lon FROM building ORDER BY id;
INSERT INTO building (lon, lat, since) VALUES (120.0, 30.0, '2026-01-01');
INSERT INTO building (lon, lat) VALUES (210.0, 30.0);
INSERT INTO building (lon, lat) VALUES ('NaN', 30.0);
INSERT INTO building (road) VALUES ('无坐标路');
INSERT INTO building (lon, lat, floors, since) VALUES (110.82, 26.45, 0, '2026-01-01');
INSERT INTO house (id, building, unit, room, use) VALUES
 (1, 1, '2', '501', 'owner_occupied'), (2, 1, '2', '502', 'rental'), (3, 2, '1', '101', 'owner_occupied'),
 (4, 3, '', '', 'vacant');
SELECT standard_address(1), standard_address(4), standard_address(999);
INSERT INTO house (building, use) VALUES (1, 'palace');
INSERT INTO house (id, building) VALUES (99, 999);

-- 4. People: the identity number is checked, sealed, masked; birth date and sex are taken from it.
INSERT INTO household (id, number, kind, house, since) VALUES (1, 'H001', 'family', 1, '2026-01-01'),
 (2, 'H002', 'floating', 2, '2026-01-01'), (3, 'H003', 'family', 3, '2026-01-01');
INSERT INTO person (id, name, id_number, phone, household, residence_kind, since) VALUES
 (1, '张三丰', '43052819900101123 3', '13812345678', 1, 'registered', '2026-01-01');
INSERT INTO person (id, name, id_number, phone, household, residence_kind, since) VALUES
 (1, '张三丰', '430528199001011233', '13812345678', 1, 'registered', '2026-01-01'),
 (2, '李四', '11010519491231002x', '13900001111', 2, 'floating', '2026-01-01'),
 (3, '王五', '440524188001010014', NULL, 3, 'registered', '2026-01-01');
INSERT INTO person (id, name, id_kind, id_number, residence_kind, nationality, since)
VALUES (4, 'John Smith', 'passport', ' e1234567 ', 'overseas', 'GBR', '2026-01-01');
SELECT id, name, id_kind, id_number, id_masked, sex, birth_date, length(id_hash) AS hash_bytes,
       length(id_sealed) > 16 AS sealed FROM person ORDER BY id;
SELECT find_person('resident_id', '11010519491231002X') AS found, find_person('passport', 'E1234567') AS passport,
       find_person('resident_id', '440524188001010014') AS wang;
SELECT find_person('resident_id', '11010519491231002Y');
INSERT INTO person (id, name, id_number) VALUES (90, '重复', '430528199001011233');
INSERT INTO person (id, name, id_number, birth_date) VALUES (91, '生日不符', '430528199001021239', '1990-01-01');
INSERT INTO person (id, name, id_number, sex) VALUES (92, '性别不符', '430528199001011233', 'female');
INSERT INTO person (id, name, id_number, since) VALUES (93, '', '430528198503150028', '2026-01-01');
-- without pgcrypto's key nothing is sealed
SET shegu.pii_key = '';
INSERT INTO person (id, name, id_number) VALUES (94, '无钥', '430528198503150028');
SET shegu.pii_key = 'short';
INSERT INTO person (id, name, id_number) VALUES (94, '短钥', '430528198503150028');
SET shegu.pii_key = 'regress-secret-0123456789';

-- 5. Residences: one main home at a time; a second needs a reason; moving keeps history.
INSERT INTO residence (person, house, valid_from) VALUES (1, 1, '2026-01-01'), (2, 2, '2026-01-01'),
 (3, 3, '2026-01-01');
INSERT INTO residence (person, house, valid_from) VALUES (1, 3, '2026-03-01');
INSERT INTO residence (person, house, valid_from, reason) VALUES (1, 3, '2026-03-01', '务工宿舍');
SELECT move_person(3, 4, '2026-06-01') AS new_home;
SELECT move_person(3, 4, '2026-06-01') AS again_same;
SELECT person, house, valid_from, valid_to, reason FROM residence ORDER BY person, valid_from, id;
SELECT person_grid(3, '2026-05-31') AS before_move, person_grid(3, '2026-06-01') AS after_move,
       person_grid(3, '2025-01-01') AS before_arrival;
SELECT move_person(999, 1, '2026-06-01');
SELECT move_person(3, 999, '2026-06-01');

-- Residence permits and their expiry.
INSERT INTO residence_permit (person, number, issued_on, expires_on) VALUES
 (2, 'JZZ-001', '2025-07-01', '2026-07-15'), (2, 'JZZ-002', '2024-07-01', '2025-07-01');
SELECT * FROM residence_permits_expiring(interval '30 days', '2026-07-01');
SELECT * FROM residence_permits_expiring(interval '30 days', '2026-05-01');
INSERT INTO residence_permit (person, number, issued_on, expires_on) VALUES (2, 'JZZ-003', '2026-07-15', '2026-07-15');

-- 6. Rentals: a let that ends before it starts is refused; closing is idempotent.
INSERT INTO rental (id, house, landlord, valid_from, filing, filed_on) VALUES (1, 2, 1, '2026-01-01', 'filed', '2026-01-05');
INSERT INTO rental_tenant VALUES (1, 2, '2026-01-01', NULL);
INSERT INTO rental (house, landlord, valid_from, valid_to) VALUES (2, 1, '2026-05-01', '2026-04-01');
INSERT INTO rental (house, valid_from, filing) VALUES (2, '2026-05-01', 'filed');
SELECT close_rental(1, '2026-09-01');
SELECT close_rental(1, '2026-09-01');
SELECT close_rental(1, '2026-10-01');
SELECT id, valid_from, valid_to FROM rental;
SELECT * FROM rental_tenant;
SELECT close_rental(999);

-- 7. Organisations, key places and cameras; a camera with range 0 is refused.
INSERT INTO organisation (id, name, kind, uscc, lon, lat, since) VALUES
 (1, '金石超市', 'shop', '91350100M000100Y43', 110.821, 26.451, '2026-01-01'),
 (2, '金石机械厂', 'factory', NULL, 110.871, 26.452, '2026-01-01');
INSERT INTO organisation (name, kind, uscc, lon, lat) VALUES ('坏代码', 'shop', '91350100M000100Y44', 110.82, 26.45);
INSERT INTO organisation (name, kind, lon, lat, since) VALUES ('未知类', 'bank', 110.82, 26.45, '2026-01-01');
INSERT INTO place (id, name, kind, lon, lat, since) VALUES
 (1, '金石小学', 'school', 110.823, 26.452, '2026-01-01'), (2, '金石卫生院', 'hospital', 110.88, 26.48, '2026-01-01');
INSERT INTO camera (id, code, lon, lat, direction_deg, fov_deg, range_m, owner, since) VALUES
 (1, 'C001', 110.8225, 26.4515, NULL, 360, 100, '公安', '2026-01-01'),
 (2, 'C002', 110.88, 26.4790, 0, 90, 200, '金石镇', '2026-01-01'),
 (3, 'C003', 110.88, 26.4810, 0, 90, 200, '金石镇', '2026-01-01');
INSERT INTO camera (lon, lat, range_m, since) VALUES (110.82, 26.45, 0, '2026-01-01');
INSERT INTO camera (lon, lat, range_m, direction_deg, since) VALUES (110.82, 26.45, 50, 360, '2026-01-01');
SELECT place, name, grid, cameras, seen FROM place_camera_coverage_at('2026-07-01');
SELECT code, name, key_places, key_places_seen, key_place_share, area_share > 0 AS some_area, road_km, road_share
FROM grid_camera_coverage_at('2026-07-01', 6);
INSERT INTO road (name, geom) VALUES ('金石路', ST_Multi(ST_MakeLine(ST_MakePoint(110.80, 26.4515), ST_MakePoint(110.85, 26.4515))::geometry(LineString, 4326)));
SELECT code, road_km, road_share FROM grid_camera_coverage_at('2026-07-01', 6);
SELECT ST_NPoints(camera_view(110.8, 26.4, 0, 90, 100)) AS sector_points, ST_IsValid(camera_view(110.8, 26.4, NULL, 360, 100)) AS disc_valid;

-- 8. Categories of attention: shipped 9+X with seed quotes, grades with local-default duties.
SELECT count(*) AS categories, count(*) FILTER (WHERE source LIKE 'seed%') AS quoting_a_seed FROM attention_category;
SELECT category, grade, name_zh, followup_every, followup_unit, followup_role FROM attention_grade
WHERE category = 'community_correction' ORDER BY grade;
SELECT set_attention(1, 'community_correction', 'A', '2026-02-01') AS first;
SELECT set_attention(1, 'community_correction', 'A', '2026-02-01') AS same_again;
SELECT set_attention(1, 'community_correction', 'B', '2026-05-01') IS NOT NULL AS regraded;
SELECT category, grade, valid_from, valid_to FROM person_attention ORDER BY valid_from;
SELECT set_attention(1, 'alien_abduction', 'A');
SELECT set_attention(1, 'community_correction', 'Z');
INSERT INTO person_attention (person, category, grade, valid_from) VALUES (1, 'community_correction', 'C', '2026-06-01');
INSERT INTO attention_category (code, name_zh, name_en) VALUES ('petitioner', '重点信访人员', 'key petitioners');
INSERT INTO attention_grade (category, grade, name_zh, followup_every, followup_unit) VALUES ('petitioner', 'A', '严管', 0, 'week');
INSERT INTO attention_grade (category, grade, name_zh, followup_every, followup_unit) VALUES ('petitioner', 'A', '严管', 2, 'week');
SELECT set_attention(2, 'petitioner', 'A', '2026-03-01') IS NOT NULL AS local_x;
SELECT end_attention(2, 'petitioner', '2026-08-01');
SELECT end_attention(2, 'petitioner', '2026-08-01');
SELECT person, category, grade, valid_from, valid_to FROM person_attention WHERE person = 2;

-- 9. Workload per grid and the balance flags; the index's denominators.
SELECT code, households, residents, floating, overseas, rentals, businesses, key_places, cameras, special, special_a,
       special_b, area_km2, incidents_per_1000
FROM grid_workload_at('2026-07-01') ORDER BY code;
SELECT code, score, siblings, sibling_median, ratio, flag FROM grid_workload_balance('2026-07-01');
SELECT * FROM grid_workload_balance('2026-07-01', 'no such rule');

-- 10. Boundaries redrawn: relocate_base moves objects and keeps their grid history.
UPDATE grid SET valid_to = '2026-09-01' WHERE code IN ('430528101001001', '430528101001002');
INSERT INTO grid (code, name, kind, boundary, valid_from) VALUES
 ('430528101001001', '金石社区第1网格', 'basic', ST_Multi(ST_MakeEnvelope(110.80, 26.40, 110.875, 26.50, 4326)), '2026-09-01'),
 ('430528101001002', '金石社区第2网格', 'basic', ST_Multi(ST_MakeEnvelope(110.875, 26.40, 110.90, 26.50, 4326)), '2026-09-01');
SELECT * FROM relocate_base('2026-09-01');
SELECT * FROM relocate_base('2026-09-01');
SELECT * FROM base_grid_history ORDER BY kind, id;
SELECT base_grid_at('building', 2, '2026-08-31') AS before, base_grid_at('building', 2, '2026-09-01') AS after;
SELECT person_grid(3, '2026-07-01') AS then, person_grid(3, '2026-10-01') AS now;
SELECT base_grid_at('spaceship', 1, '2026-01-01');

-- 11. Bulk load: all rows, or none and a report of every bad one.
CREATE TEMP TABLE stage_building (line int, id text, road text, lon text, lat text, since text);
INSERT INTO stage_building VALUES (1, '10', '新路', '110.81', '26.41', '2026-01-01'), (2, '11', '新路', '110.82', '26.42', '2026-01-01');
SELECT * FROM base_load('building', 'stage_building');
SELECT count(*) FROM building WHERE road = '新路';
TRUNCATE stage_building;
INSERT INTO stage_building VALUES (1, '12', '坏路', '110.81', '26.41', '2026-01-01'), (2, '13', '坏路', '120.0', '30.0', '2026-01-01'),
 (3, '14', '坏路', 'abc', '26.4', '2026-01-01'), (4, '15', '坏路', '110.83', '26.43', '2026-01-01');
SELECT * FROM base_load('building', 'stage_building');
SELECT count(*) AS none_loaded FROM building WHERE road = '坏路';
TRUNCATE stage_building;
INSERT INTO stage_building VALUES (1, '16', '重号路', '110.81', '26.41', '2026-01-01'), (2, '16', '重号路', '110.82', '26.42', '2026-01-01');
SELECT * FROM base_load('building', 'stage_building');
SELECT * FROM base_load('spaceship', 'stage_building');
CREATE TEMP TABLE stage_bad (colour text);
SELECT * FROM base_load('building', 'stage_bad');

-- 12. PIPL: grid staff read the clear fields of their own residents only, and every read is
--     logged; analysts see masked people; the log is append-only; departed people are anonymised.
CREATE ROLE regress_base_worker1 LOGIN IN ROLE shegu_grid_worker;
CREATE ROLE regress_base_analyst LOGIN IN ROLE shegu_analyst;
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from) VALUES
 ('430528101001001', '网格员甲', 'grid_worker', 'regress_base_worker1', '2026-01-01');
SET ROLE regress_base_worker1;
SELECT person, name, phone, id_masked, grid FROM my_residents();
SELECT id, id_masked FROM person ORDER BY id;
SELECT name FROM person;
SELECT person, name, id_number FROM person_clear(ARRAY[1]::bigint[]);
SELECT person_clear(ARRAY[2]::bigint[]);
SELECT person_clear(ARRAY[2, 4]::bigint[]);   -- John Smith lives in none of the worker's grids
DELETE FROM person_access_log;
RESET ROLE;
SELECT reader, person, fields, via FROM person_access_log ORDER BY id;
DELETE FROM person_access_log;
UPDATE person_access_log SET reader = 'x';
SET ROLE regress_base_analyst;
SELECT id, name, id_masked, phone, birth_year, grid FROM person_masked ORDER BY id;
SELECT count(*) FROM person;
SELECT code, residents FROM grid_workload WHERE level = 6 ORDER BY code;
RESET ROLE;
UPDATE person SET left_on = '2020-01-01', left_reason = 'moved_away', since = '2019-01-01' WHERE id = 3;
SELECT * FROM purge_departed();
SELECT * FROM purge_departed();
SELECT id, name, id_masked, id_hash IS NULL AS no_hash, birth_date, anonymised_at IS NOT NULL AS anonymised FROM person WHERE id = 3;
SELECT * FROM purge_departed(interval '-1 day');

-- 13. Every object of the room has a comment.
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'shegu' AND c.relkind IN ('r', 'v', 'i') AND obj_description(c.oid, 'pg_class') IS NULL;

\c :regress_db
DROP DATABASE regress_shegu_base;
DROP ROLE regress_base_worker1;
DROP ROLE regress_base_analyst;
