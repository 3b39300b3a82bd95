-- pgTAP: the tally of houses under two sessions.  A residence written while another session
-- changes the same person's kind waits for it (the share lock on the person), so either order of
-- commits leaves the tally equal to a direct count.  test/pgtap/base_sessions.sql
-- Commits its own rows through dblink and removes them at the end.
SET search_path = shegu, public;
SELECT plan(7);

SELECT dblink_connect(c, format('dbname=%s host=%s port=%s', current_database(),
                                trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
                                current_setting('port')))
FROM unnest('{tally_a,tally_b}'::text[]) AS c;
SELECT dblink_exec('tally_a', $$
    INSERT INTO shegu.grid (code, name, kind, boundary) VALUES
     ('430529', '两会话县', 'county', ST_Multi(ST_MakeEnvelope(100.0, 20.0, 100.2, 20.2, 4326)));
    INSERT INTO shegu.building (id, lon, lat, since) VALUES (990001, 100.1, 20.1, '2026-01-01');
    INSERT INTO shegu.house (id, building) VALUES (990001, 990001);
    INSERT INTO shegu.person (id, name, residence_kind) VALUES (990001, '甲', 'registered'), (990002, '乙', 'registered');
$$);
CREATE TEMP VIEW tally_vs_count AS
SELECT (SELECT row(t.residents, t.floating, t.overseas)::text FROM house_tally AS t WHERE t.house = 990001) AS tally,
       (SELECT row(count(*), count(*) FILTER (WHERE p.residence_kind = 'floating'),
                   count(*) FILTER (WHERE p.residence_kind = 'overseas'))::text
        FROM residence AS r JOIN person AS p ON p.id = r.person
        WHERE r.house = 990001 AND r.reason IS NULL AND r.valid_to IS NULL) AS direct;

-- A changes the kind of 甲 and has not committed; B records 甲's home.
SELECT dblink_exec('tally_a', 'BEGIN');
SELECT dblink_exec('tally_a', $$UPDATE shegu.person SET residence_kind = 'floating' WHERE id = 990001$$);
SELECT dblink_send_query('tally_b', $$INSERT INTO shegu.residence (person, house, valid_from) VALUES (990001, 990001, '2026-02-01')$$);
SELECT pg_sleep(0.3);
SELECT is(dblink_is_busy('tally_b'), 1, 'a home written while the person''s kind is being changed waits for that change');
SELECT dblink_exec('tally_a', 'COMMIT');
SELECT count(*) FROM dblink_get_result('tally_b') AS r(x text);
SELECT count(*) FROM dblink_get_result('tally_b') AS r(x text);
SELECT is((SELECT tally FROM tally_vs_count), '(1,1,0)', 'then it is counted with the new kind');

-- B records 乙's home and has not committed; A changes 乙's kind.
SELECT dblink_exec('tally_b', 'BEGIN');
SELECT dblink_exec('tally_b', $$INSERT INTO shegu.residence (person, house, valid_from) VALUES (990002, 990001, '2026-02-01')$$);
SELECT dblink_send_query('tally_a', $$UPDATE shegu.person SET residence_kind = 'overseas' WHERE id = 990002$$);
SELECT pg_sleep(0.3);
SELECT is(dblink_is_busy('tally_a'), 1, 'a change of kind waits for a home being written for that person');
SELECT dblink_exec('tally_b', 'COMMIT');
SELECT count(*) FROM dblink_get_result('tally_a') AS r(x text);
SELECT count(*) FROM dblink_get_result('tally_a') AS r(x text);
SELECT is((SELECT tally FROM tally_vs_count), '(2,1,1)', 'then it moves that home to the new kind');
SELECT is((SELECT tally FROM tally_vs_count), (SELECT direct FROM tally_vs_count), 'the tally equals a direct count');

-- a move out empties the house: the tally drops its row, as a rebuild would have none
SELECT dblink_exec('tally_a', $$UPDATE shegu.residence SET valid_to = '2026-03-01' WHERE house = 990001$$);
SELECT is((SELECT count(*) FROM house_tally WHERE house = 990001), 0::bigint, 'an emptied house leaves the tally');
SELECT is((SELECT residents FROM grid_workload_at('2026-02-15') WHERE code OPERATOR(shegu.=) '430529'), 2::bigint,
          'and the workload of a day before the move still counts both');

SELECT dblink_exec('tally_a', $$
    DELETE FROM shegu.residence WHERE house = 990001;
    DELETE FROM shegu.person WHERE id IN (990001, 990002);
    DELETE FROM shegu.house WHERE id = 990001;
    DELETE FROM shegu.building WHERE id = 990001;
    DELETE FROM shegu.grid WHERE code OPERATOR(shegu.=) '430529';
$$);
SELECT dblink_disconnect('tally_a');
SELECT dblink_disconnect('tally_b');
SELECT * FROM finish();
