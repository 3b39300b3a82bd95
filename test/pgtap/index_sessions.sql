-- pgTAP: two sessions storing the same model and period take turns (store_index's lock), and
-- a reader sees the old results until the writer commits.  test/pgtap/index_sessions.sql
-- Commits its own model through dblink and removes it at the end.
SET search_path = shegu, public;
SELECT plan(6);

-- the server's own socket, whatever the environment of the server process says
SELECT dblink_connect(c, format('dbname=%s host=%s port=%s', current_database(),
                                trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
                                current_setting('port')))
FROM unnest('{index_a,index_b}'::text[]) AS c;
SELECT dblink_exec('index_a', $$
    INSERT INTO shegu.index_model (name, title, level) VALUES ('index_sessions', 'two sessions', 6);
    INSERT INTO shegu.index_node (model, code, parent) VALUES ('index_sessions', 'R', NULL), ('index_sessions', 'x', 'R');
    INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
    SELECT 'index_sessions', 'x', (430528101001000 + g)::bigint::shegu.gridcode, '2025-01-01', g
    FROM generate_series(1, 50) AS g;
$$);
SELECT * FROM dblink('index_a', $$SELECT shegu.store_index('index_sessions', '2025-01-01')$$) AS r(n bigint);

-- A recomputes inside an open transaction after the data changed; B starts the same store.
SELECT dblink_exec('index_a', 'BEGIN');
SELECT dblink_exec('index_a', $$UPDATE shegu.indicator_value SET value = 100 - value WHERE model = 'index_sessions'$$);
SELECT * FROM dblink('index_a', $$SELECT shegu.store_index('index_sessions', '2025-01-01')$$) AS r(n bigint);
SELECT dblink_send_query('index_b', $$SELECT shegu.store_index('index_sessions', '2025-01-01')$$);
SELECT pg_sleep(0.3);
SELECT is(dblink_is_busy('index_b'), 1, 'the second store waits for the first');
SELECT is((SELECT unit::text FROM index_score WHERE model = 'index_sessions' AND node = 'R' AND rank = 1),
          '430528101001050', 'a reader still sees the committed ranking');
SELECT dblink_exec('index_a', 'COMMIT');
SELECT is((SELECT n FROM dblink_get_result('index_b') AS r(n bigint)), 100::bigint,
          'after the commit the second store replaces the rows without a key conflict');
SELECT count(*) FROM dblink_get_result('index_b') AS r(n bigint);   -- the end of the async result
SELECT is((SELECT count(*) FROM dblink('index_b', 'SELECT 1') AS r(x int)), 1::bigint, 'the second session is usable again');
SELECT is((SELECT count(*) FROM index_score WHERE model = 'index_sessions'), 100::bigint, 'one set of results, not two');
SELECT is((SELECT unit::text FROM index_score WHERE model = 'index_sessions' AND node = 'R' AND rank = 1),
          '430528101001001', 'the stored ranking is the recomputed one');

SELECT dblink_exec('index_a', $$DELETE FROM shegu.index_model WHERE name = 'index_sessions'$$);
SELECT dblink_disconnect('index_a');
SELECT dblink_disconnect('index_b');
SELECT * FROM finish();
