-- Room tour: base data (人、地、物、事、情、组织).  A small county of its own (示例县, away from the
-- other tours' grids): buildings located, people with sealed identity numbers, a move, a rental,
-- a category of attention, the workload of each grid, camera coverage, the log of clear reads.
-- demo/base.sql — run by `bash tools/demo.sh rooms`.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
RESET client_min_messages;
SET search_path = shegu, public;
SET datestyle = 'ISO, YMD';

\echo '== 1. 网格: a county, a township, a community, two basic grids'
INSERT INTO grid (code, name, kind, boundary) VALUES
 ('430599', '示例县', 'county', ST_Multi(ST_MakeEnvelope(112.00, 27.00, 112.20, 27.20, 4326))),
 ('430599101', '示例镇', 'township', ST_Multi(ST_MakeEnvelope(112.00, 27.00, 112.10, 27.10, 4326))),
 ('430599101001', '示例社区', 'community', ST_Multi(ST_MakeEnvelope(112.00, 27.00, 112.05, 27.05, 4326))),
 ('430599101001001', '示例社区第1网格', 'basic', ST_Multi(ST_MakeEnvelope(112.00, 27.00, 112.025, 27.05, 4326))),
 ('430599101001002', '示例社区第2网格', 'basic', ST_Multi(ST_MakeEnvelope(112.025, 27.00, 112.05, 27.05, 4326)));

\echo '== 2. 以房管人: buildings are located in their grid; houses have a standard address'
INSERT INTO building (id, road, road_number, compound, building_no, lon, lat, since) VALUES
 (9001, '和平路', '8号', '和平小区', '1', 112.010, 27.020, '2026-01-01'),
 (9002, '和平路', '12号', '和平小区', '2', 112.040, 27.030, '2026-01-01');
INSERT INTO house (id, building, unit, room, use) VALUES
 (9001, 9001, '1', '101', 'owner_occupied'), (9002, 9001, '1', '102', 'rental'), (9003, 9002, '2', '201', 'owner_occupied');
SELECT b.id, b.grid, standard_address(h.id) AS address, h.use FROM building AS b JOIN house AS h ON h.building = b.id ORDER BY h.id;

\echo '== 3. 以证管人: identity numbers checked (GB 11643) and sealed; only the masked form is readable'
INSERT INTO household (id, number, house, since) VALUES (9001, 'D001', 9001, '2026-01-01'), (9002, 'D002', 9002, '2026-01-01');
INSERT INTO person (id, name, id_number, phone, household, residence_kind, since) VALUES
 (9001, '赵一', '430528199001011233', '13812345678', 9001, 'registered', '2026-01-01'),
 (9002, '钱二', '11010519491231002X', '13900001111', 9002, 'floating', '2026-01-01');
INSERT INTO residence (person, house, valid_from) VALUES (9001, 9001, '2026-01-01'), (9002, 9002, '2026-01-01');
SELECT id, name, id_number, id_masked, sex, birth_date FROM person WHERE id >= 9001 ORDER BY id;
\echo 'a wrong check character is refused, naming what is wrong:'
\set ON_ERROR_STOP 0
INSERT INTO person (name, id_number) VALUES ('孙三', '110105194912310021');
\set ON_ERROR_STOP 1

\echo '== 4. a move keeps history; a rental is filed (出租屋备案) and closed'
SELECT move_person(9002, 9003, '2026-06-01') AS new_residence;
SELECT person, house, valid_from, valid_to FROM residence WHERE person = 9002 ORDER BY valid_from;
INSERT INTO rental (id, house, landlord, valid_from, filing, filed_on) VALUES (9001, 9002, 9001, '2026-01-01', 'filed', '2026-01-03');
SELECT close_rental(9001, '2026-06-01');

\echo '== 5. 特殊人群: a category of attention (9+X) at a control grade, and the follow-up it owes'
SELECT set_attention(9001, 'community_correction', 'A', '2026-02-01') AS period;
SELECT a.category, c.name_zh, a.grade, g.followup_every, g.followup_unit, g.followup_role, g.source
FROM person_attention AS a JOIN attention_category AS c ON c.code = a.category
JOIN attention_grade AS g ON (g.category, g.grade) = (a.category, a.grade) WHERE a.person = 9001;

\echo '== 6. 天网: a camera sees the school'
INSERT INTO place (id, name, kind, lon, lat, since) VALUES (9001, '示例小学', 'school', 112.011, 27.021, '2026-01-01');
INSERT INTO camera (id, code, lon, lat, fov_deg, range_m, owner, since) VALUES (9001, 'SL-0001', 112.0105, 27.0205, 360, 150, '公安', '2026-01-01');
SELECT place, name, cameras, seen FROM place_camera_coverage_at('2026-07-01') WHERE place = 9001;

\echo '== 7. 任务均衡: the workload of each grid, and whether it is in line with its community'
SELECT code, name, households, residents, floating, rentals, special, area_km2
FROM grid_workload_at('2026-07-01', '430599') ORDER BY code;
SELECT code, score, sibling_median, ratio, flag FROM grid_workload_balance('2026-07-01', 'default', '430599');

\echo '== 8. PIPL: the clear fields are read through logged functions; analysts see masked people'
SELECT person, name, phone FROM my_residents('2026-07-01', '430599');
SELECT reader, person, fields, via FROM person_access_log WHERE person >= 9001 ORDER BY id;
SELECT id, name, id_masked, phone, birth_year FROM person_masked WHERE id >= 9001 ORDER BY id;
