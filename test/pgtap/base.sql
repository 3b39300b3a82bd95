-- pgTAP: the base-data room's invariants.  Random buildings, organisations, places and cameras
-- are located exactly where shegu.locate puts them; no identity number is stored in clear and
-- every sealed one opens to itself; random move sequences keep one main home at a time with a
-- continuous history; grid staff read only their residents, and every clear read is logged; a
-- refused write or load writes nothing; relocation after a redraw keeps the grid history.
-- test/pgtap/base.sql — one transaction, rolled back (roles and pgcrypto included).
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SET shegu.pii_key = 'tap-secret-abcdefghijklmnop';
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SELECT plan(31);
SELECT setseed(0.14);

-- A community of four basic grids in a 2 x 2 pattern.
INSERT INTO grid (code, name, kind, boundary) VALUES
 ('430528', '新宁县', 'county', ST_Multi(ST_MakeEnvelope(110.0, 26.0, 111.0, 27.0, 4326))),
 ('430528101', '金石镇', 'township', ST_Multi(ST_MakeEnvelope(110.0, 26.0, 110.5, 26.5, 4326))),
 ('430528101001', '金石社区', 'community', ST_Multi(ST_MakeEnvelope(110.0, 26.0, 110.2, 26.2, 4326))),
 ('430528101001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(110.0, 26.0, 110.1, 26.1, 4326))),
 ('430528101001002', '第2网格', 'basic', ST_Multi(ST_MakeEnvelope(110.1, 26.0, 110.2, 26.1, 4326))),
 ('430528101001003', '第3网格', 'basic', ST_Multi(ST_MakeEnvelope(110.0, 26.1, 110.1, 26.2, 4326))),
 ('430528101001004', '第4网格', 'basic', ST_Multi(ST_MakeEnvelope(110.1, 26.1, 110.2, 26.2, 4326)));

-- 1. Located objects: every row's grid is what locate says, at its own day.
INSERT INTO building (lon, lat, since)
SELECT 110.0 + random() * 0.2, 26.0 + random() * 0.2, date '2026-01-01' FROM generate_series(1, 400);
INSERT INTO organisation (name, kind, lon, lat, since)
SELECT 'org' || i, (ARRAY['shop', 'factory', 'social_organisation'])[1 + i % 3], 110.0 + random() * 0.2,
       26.0 + random() * 0.2, date '2026-01-01' FROM generate_series(1, 100) AS i;
INSERT INTO place (name, kind, lon, lat, since)
SELECT 'place' || i, 'school', 110.0 + random() * 0.2, 26.0 + random() * 0.2, date '2026-01-01' FROM generate_series(1, 50) AS i;
INSERT INTO camera (lon, lat, range_m, direction_deg, fov_deg, since)
SELECT 110.0 + random() * 0.2, 26.0 + random() * 0.2, 50 + random() * 300,
       CASE WHEN i % 2 = 0 THEN random() * 359 END, CASE WHEN i % 2 = 0 THEN 60 + random() * 90 ELSE 360 END,
       date '2026-01-01' FROM generate_series(1, 100) AS i;
SELECT is((SELECT count(*) FROM (
             SELECT grid, lon, lat, since FROM building UNION ALL SELECT grid, lon, lat, since FROM organisation
             UNION ALL SELECT grid, lon, lat, since FROM place UNION ALL SELECT grid, lon, lat, since FROM camera) AS o
           WHERE o.grid IS DISTINCT FROM locate(o.lon, o.lat, 'wgs84', o.since::timestamptz)), 0::bigint,
          'all 650 located objects are in the grid shegu.locate gives for their point and day');
SELECT ok((SELECT count(DISTINCT grid) = 4 FROM building), 'the random buildings fall in all four grids');
SELECT throws_ok($$INSERT INTO building (lon, lat, since) VALUES (112.0, 26.5, '2026-01-01')$$, '23514', NULL,
                 'a building outside every grid is refused');

-- 2. People: sealed numbers, no number in clear anywhere in the row.
CREATE TEMP TABLE numbers AS
SELECT i, n || substr('10X98765432', (1 + (SELECT sum(substr(n, k::int, 1)::int * w) FROM unnest(ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])
                                              WITH ORDINALITY AS x(w, k)) % 11)::int, 1) AS number
FROM (SELECT i, '430528' || to_char(date '1950-01-01' + (random() * 20000)::int, 'YYYYMMDD')
                || lpad((i % 1000)::text, 3, '0') AS n
      FROM generate_series(1, 300) AS i) AS q;
SELECT ok((SELECT bool_and(id_number_valid(number)) FROM numbers), 'the generated numbers are valid GB 11643 numbers');
INSERT INTO house (building) SELECT id FROM building;
INSERT INTO person (id, name, id_number, phone, since)
SELECT i, '居民' || i, number, '139' || lpad(i::text, 8, '0'), date '2026-01-01' FROM numbers;
SELECT is((SELECT count(*) FROM person WHERE id_number IS NOT NULL), 0::bigint, 'no row keeps id_number');
SELECT is((SELECT count(*) FROM person AS p JOIN numbers AS n ON n.i = p.id
           WHERE position(n.number IN p::text) > 0 OR position(convert_to(n.number, 'UTF8') IN p.id_sealed) > 0),
          0::bigint, 'no row holds its number in clear, in any column');
SELECT is((SELECT count(*) FROM person AS p JOIN numbers AS n ON n.i = p.id WHERE id_open(p.id_sealed) <> n.number),
          0::bigint, 'every sealed number opens to the number given');
SELECT is((SELECT count(*) FROM numbers AS n WHERE find_person('resident_id', n.number) IS DISTINCT FROM n.i),
          0::bigint, 'every person is found by number');
SELECT is((SELECT count(*) FROM person AS p JOIN numbers AS n ON n.i = p.id
           WHERE p.birth_date <> to_date(substr(n.number, 7, 8), 'YYYYMMDD')), 0::bigint, 'birth dates come from the numbers');
SET ROLE shegu_centre;
SELECT throws_ok($$SELECT current_setting('shegu.pii_key')$$, '42501', NULL, 'the key is hidden from non-superusers');
RESET ROLE;

-- 3. Random moves: one main home at a time, continuous history, moves idempotent.
INSERT INTO residence (person, house, valid_from)
SELECT p.id, (SELECT h.id FROM house AS h ORDER BY h.id OFFSET p.id LIMIT 1), date '2026-01-01' FROM person AS p;
CREATE TEMP TABLE moves AS
SELECT DISTINCT ON (person, on_day) * FROM (
SELECT (1 + random() * 299)::bigint AS person, (SELECT min(id) FROM house) + (random() * 399)::bigint AS house,
       date '2026-01-02' + (random() * 300)::int AS on_day
FROM generate_series(1, 600)) AS q;
SELECT lives_ok($$SELECT count(move_person(m.person, m.house, m.on_day)) FROM (SELECT * FROM moves ORDER BY on_day) AS m$$,
                'some 600 random moves in date order are taken');
SELECT is((SELECT count(*) FROM residence AS a JOIN residence AS b
           ON a.person = b.person AND a.id < b.id AND a.reason IS NULL AND b.reason IS NULL
          AND daterange(a.valid_from, a.valid_to) && daterange(b.valid_from, b.valid_to)), 0::bigint,
          'no person has two main homes on one day');
SELECT is((SELECT count(*) FROM (
             SELECT person, valid_to, lead(valid_from) OVER (PARTITION BY person ORDER BY valid_from) AS next_from
             FROM residence WHERE reason IS NULL) AS q
           WHERE next_from IS NOT NULL AND next_from <> valid_to), 0::bigint,
          'each main home ends the day the next begins');
CREATE TEMP TABLE before_again AS SELECT * FROM residence;
CREATE TEMP TABLE again AS
SELECT move_person(m.person, m.house, m.on_day) FROM (SELECT DISTINCT ON (person) * FROM moves ORDER BY person, on_day DESC) AS m;
SELECT is((SELECT count(*) FROM ((TABLE residence EXCEPT TABLE before_again) UNION ALL (TABLE before_again EXCEPT TABLE residence)) AS d),
          0::bigint, 'repeating each person''s last move changes nothing');

-- 3b. The tally of houses: kept by the triggers through inserts, moves, changes of kind, updates
-- and deletes equal to a rebuild, whatever the order the tables are written in; the workload of
-- every grid on any day equal to a direct count of the rows.
INSERT INTO household (house, since, left_on)
SELECT h.id, date '2026-01-01' + (random() * 100)::int,
       CASE WHEN random() < 0.3 THEN date '2026-05-01' + (random() * 200)::int END
FROM house AS h;
INSERT INTO rental (house, valid_from, valid_to)
SELECT h.id, date '2026-02-01' + (random() * 60)::int,
       CASE WHEN random() < 0.4 THEN date '2026-06-01' + (random() * 200)::int END
FROM house AS h WHERE random() < 0.5;
UPDATE person SET residence_kind = (ARRAY['registered', 'floating', 'overseas'])[1 + (id % 3)::int] WHERE id % 4 = 0;
UPDATE household SET left_on = NULL WHERE id % 7 = 0;
UPDATE residence SET valid_from = valid_from + 1 WHERE id % 11 = 0 AND (valid_to IS NULL OR valid_to > valid_from + 1);
DELETE FROM residence WHERE id IN (SELECT id FROM residence WHERE valid_to IS NOT NULL ORDER BY id LIMIT 20);
DELETE FROM rental WHERE id % 5 = 0;
UPDATE person SET residence_kind = 'floating' WHERE id % 10 = 1;
-- a restore may load residences before their people: a residence of a person not yet there,
-- then the person (the foreign key's trigger is off for this, as during a restore)
DO $$
DECLARE fk name := (SELECT t.tgname FROM pg_trigger AS t JOIN pg_constraint AS c ON c.oid = t.tgconstraint
                    WHERE c.conname = 'residence_person_fkey' AND t.tgrelid = 'shegu.residence'::regclass LIMIT 1);
BEGIN
    EXECUTE format('ALTER TABLE shegu.residence DISABLE TRIGGER %I', fk);
    INSERT INTO shegu.residence (person, house, valid_from) VALUES (900001, (SELECT min(id) FROM shegu.house), '2026-03-01');
    EXECUTE format('ALTER TABLE shegu.residence ENABLE TRIGGER %I', fk);
    INSERT INTO shegu.person (id, name, residence_kind, nationality) VALUES (900001, '后到者', 'overseas', 'USA');
END
$$;
CREATE TEMP TABLE tally_kept AS SELECT * FROM house_tally;
SELECT ok(house_tally_rebuild() > 0, 'the tally rebuilds');
SELECT is((SELECT count(*) FROM ((TABLE tally_kept EXCEPT TABLE house_tally) UNION ALL (TABLE house_tally EXCEPT TABLE tally_kept)) AS d),
          0::bigint, 'the tally the triggers kept (through moves, changes of kind, deletes and a resident before their person) is the rebuilt one');
CREATE TEMP TABLE days (day) AS VALUES (date '2026-01-01'), (date '2026-03-15'), (date '2026-06-30'),
                                       (date '2026-10-31'), (current_date), (date '2030-01-01');
CREATE TEMP TABLE direct_counts AS
SELECT d.day, x.grid AS code, sum(x.hh)::bigint AS households, sum(x.rs)::bigint AS residents,
       sum(x.fl)::bigint AS floating, sum(x.os)::bigint AS overseas, sum(x.rn)::bigint AS rentals
FROM days AS d CROSS JOIN LATERAL (
    SELECT b.grid, 1 AS hh, 0 AS rs, 0 AS fl, 0 AS os, 0 AS rn
    FROM household AS hh JOIN house AS h ON h.id = hh.house JOIN building AS b ON b.id = h.building
    WHERE hh.since <= d.day AND (hh.left_on IS NULL OR hh.left_on > d.day)
    UNION ALL
    SELECT b.grid, 0, 1, (p.residence_kind = 'floating')::int, (p.residence_kind = 'overseas')::int, 0
    FROM residence AS r JOIN person AS p ON p.id = r.person JOIN house AS h ON h.id = r.house
    JOIN building AS b ON b.id = h.building
    WHERE r.reason IS NULL AND r.valid_from <= d.day AND (r.valid_to IS NULL OR r.valid_to > d.day)
    UNION ALL
    SELECT b.grid, 0, 0, 0, 0, 1
    FROM rental AS re JOIN house AS h ON h.id = re.house JOIN building AS b ON b.id = h.building
    WHERE re.valid_from <= d.day AND (re.valid_to IS NULL OR re.valid_to > d.day)) AS x
GROUP BY d.day, x.grid;
CREATE TEMP TABLE workload_counts AS
SELECT d.day, w.code, w.households, w.residents, w.floating, w.overseas, w.rentals
FROM days AS d CROSS JOIN LATERAL grid_workload_at(d.day) AS w
WHERE w.kind = 'basic' AND w.households + w.residents + w.rentals > 0;
SELECT is((SELECT count(*) FROM ((SELECT * FROM direct_counts EXCEPT SELECT * FROM workload_counts)
                                 UNION ALL (SELECT * FROM workload_counts EXCEPT SELECT * FROM direct_counts)) AS diff), 0::bigint,
    'the workload of every basic grid on six days (past, today, future) equals a direct count of households, residents by kind and rentals');
SELECT ok((SELECT sum(w.residents) > 0 AND sum(w.floating) > 0 AND sum(w.overseas) > 0 AND sum(w.rentals) > 0
           FROM grid_workload_at('2026-06-30') AS w WHERE w.kind = 'basic'), 'and those days have residents of every kind and rentals');
TRUNCATE tally_kept;
INSERT INTO tally_kept SELECT * FROM house_tally;
CREATE TEMP TABLE rental_copy AS SELECT * FROM rental;
TRUNCATE rental_tenant, rental;
SELECT is((SELECT sum(rentals) FROM house_tally), 0::bigint, 'a TRUNCATE of the rentals empties their column');
INSERT INTO rental SELECT * FROM rental_copy;
SELECT is((SELECT count(*) FROM ((TABLE tally_kept EXCEPT TABLE house_tally) UNION ALL (TABLE house_tally EXCEPT TABLE tally_kept)) AS d),
          0::bigint, 'and loading them again gives the same tally');

-- 4. Grid staff read their own residents only; every clear read is logged.
CREATE ROLE tap_base_worker NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE tap_base_analyst NOLOGIN IN ROLE shegu_analyst;
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from)
VALUES ('430528101001001', '网格员', 'grid_worker', 'tap_base_worker', '2020-01-01');
CREATE TEMP TABLE mine AS
SELECT DISTINCT r.person FROM residence AS r JOIN house AS h ON h.id = r.house JOIN building AS b ON b.id = h.building
WHERE b.grid = '430528101001001' AND r.valid_from <= current_date AND (r.valid_to IS NULL OR r.valid_to > current_date);
GRANT SELECT ON mine TO tap_base_worker;
SET ROLE tap_base_worker;
SELECT set_eq('SELECT person FROM my_residents()', 'SELECT person FROM mine', 'my_residents() lists exactly the people living in the worker''s grid');
SELECT set_eq('SELECT id FROM person', 'SELECT person FROM mine', 'row security shows the worker exactly those people');
SELECT throws_ok('SELECT name FROM person', '42501', NULL, 'the worker may not read names directly');
SELECT throws_ok($$SELECT * FROM person_clear(ARRAY(SELECT p.id FROM generate_series(1, 300) AS p(id) WHERE p.id NOT IN (SELECT person FROM mine) LIMIT 1)::bigint[])$$,
                 '42501', NULL, 'nor through person_clear the fields of someone living elsewhere');
RESET ROLE;
SELECT is((SELECT count(*) FROM person_access_log WHERE reader = 'tap_base_worker' AND via = 'my_residents'),
          (SELECT count(*) * 1 FROM mine), 'each person my_residents returned is logged once');
SELECT is((SELECT count(*) FROM person_access_log WHERE via = 'person_clear'), 0::bigint, 'the refused read logged nothing');
SET ROLE tap_base_analyst;
SELECT is((SELECT count(*) FROM person_masked WHERE name !~ '\*' AND name <> '(已匿名)'), 0::bigint, 'analysts see only masked names');
RESET ROLE;

-- 5. A failed bulk load writes nothing; relocation keeps history.
CREATE TEMP TABLE stage AS SELECT 110.0 + random() * 0.2 AS lon, 26.0 + random() * 0.2 AS lat, date '2026-01-01' AS since
FROM generate_series(1, 99);
INSERT INTO stage VALUES (113.0, 26.0, '2026-01-01');
SELECT is((SELECT count(*) FROM base_load('building', 'stage') WHERE NOT ok), 1::bigint, 'the one bad row of 100 is reported');
SELECT is((SELECT count(*) FROM building), 400::bigint, 'and none of the 100 is loaded');
UPDATE grid SET valid_to = '2026-07-01' WHERE code IN ('430528101001001', '430528101001002');
INSERT INTO grid (code, name, kind, boundary, valid_from) VALUES
 ('430528101001001', '第1网格', 'basic', ST_Multi(ST_MakeEnvelope(110.0, 26.0, 110.15, 26.1, 4326)), '2026-07-01'),
 ('430528101001002', '第2网格', 'basic', ST_Multi(ST_MakeEnvelope(110.15, 26.0, 110.2, 26.1, 4326)), '2026-07-01');
CREATE TEMP TABLE relocated AS SELECT * FROM relocate_base('2026-07-01');
SELECT is((SELECT count(*) FROM building AS b
           WHERE base_grid_at('building', b.id, '2026-06-30') IS DISTINCT FROM locate(b.lon, b.lat, 'wgs84', '2026-06-30')
              OR base_grid_at('building', b.id, '2026-07-01') IS DISTINCT FROM locate(b.lon, b.lat, 'wgs84', '2026-07-01')),
          0::bigint, 'after the redraw every building''s grid on either side of the day is the one locate gives then');
UPDATE house SET building = (SELECT max(id) FROM building), unit = 'moved'
WHERE id = (SELECT min(t.house) FROM house_tally AS t JOIN house AS h ON h.id = t.house
            WHERE h.building <> (SELECT max(id) FROM building));
TRUNCATE tally_kept;
INSERT INTO tally_kept SELECT * FROM house_tally;
SELECT house_tally_rebuild();
SELECT is((SELECT count(*) FROM ((TABLE tally_kept EXCEPT TABLE house_tally) UNION ALL (TABLE house_tally EXCEPT TABLE tally_kept)) AS d),
          0::bigint, 'after the redraw and a house moved to another building each house''s tally is in its building''s grid');

SELECT * FROM finish();
ROLLBACK;
