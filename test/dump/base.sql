-- User rows in the base room's tables, for the pg_dump round trip: located objects (one moved by a
-- redraw, so with grid history), people with sealed numbers, residences with a move, a rental, a
-- local category of attention with a person in it, an edited shipped grade, the access log.
-- test/dump/base.sql — run by test/dump/run.sh in install order (after lookup's grids).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SET search_path = shegu, public;
INSERT INTO building (id, road, road_number, lon, lat, since) VALUES
 (1, '城东路', '1号', 110.10, 26.10, '2025-01-01'), (2, '城东路', '3号', 110.28, 26.30, '2025-01-01');
INSERT INTO house (id, building, unit, room, use) VALUES (1, 1, '1', '101', 'owner_occupied'), (2, 2, '', '', 'rental');
INSERT INTO household (id, number, house, since) VALUES (1, 'H1', 1, '2025-01-01');
INSERT INTO person (id, name, id_number, phone, household, since) VALUES
 (1, '居民甲', '430528199001011233', '13800000011', 1, '2025-01-01'),
 (2, '居民乙', '11010519491231002X', NULL, 1, '2025-01-01');
INSERT INTO residence (person, house, valid_from) VALUES (1, 1, '2025-01-01'), (2, 1, '2025-01-01');
SELECT move_person(2, 2, '2025-09-01');
INSERT INTO rental (id, house, landlord, valid_from, filing, filed_on) VALUES (1, 2, 1, '2025-02-01', 'filed', '2025-02-03');
INSERT INTO rental_tenant VALUES (1, 2, '2025-09-01', NULL);
INSERT INTO organisation (id, name, kind, lon, lat, since) VALUES (1, '城东商店', 'shop', 110.11, 26.11, '2025-01-01');
INSERT INTO place (id, name, kind, lon, lat, since) VALUES (1, '城东小学', 'school', 110.12, 26.12, '2025-01-01');
INSERT INTO camera (id, code, lon, lat, range_m, since) VALUES (1, 'C1', 110.12, 26.12, 80, '2025-01-01');
INSERT INTO attention_category (code, name_zh, name_en) VALUES ('petitioner', '重点信访人员', 'key petitioners');
INSERT INTO attention_grade (category, grade, name_zh, followup_every, followup_unit) VALUES ('petitioner', 'A', '严管', 2, 'week');
UPDATE attention_grade SET followup_every = 2 WHERE category = 'drug_user' AND grade = 'A';
SELECT set_attention(1, 'petitioner', 'A', '2025-03-01');
SELECT count(*) FROM person_clear(ARRAY[1]::bigint[]);
SELECT * FROM relocate_base('2026-01-01');
SELECT setval('shegu.building_id_seq', 2), setval('shegu.person_id_seq', 2), setval('shegu.house_id_seq', 2);
