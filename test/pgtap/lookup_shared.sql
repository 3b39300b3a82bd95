-- pgTAP: one lookup index per server (shegu in shared_preload_libraries) or one per session
-- (the fallback): which mode serves, what invalidates the index and what does not, a session
-- that changed the grids reads its own, and a cancelled build leaves the old index in place.
-- test/pgtap/lookup_shared.sql — uses dblink sessions, commits and cleans up after itself.
\set QUIET 1
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET search_path = shegu, public;
SELECT plan(23);

CREATE TEMP TABLE mode AS
SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])shegu($|[ ,])' AS preloaded;

-- Two grids under county 430598, committed (so that the other sessions see them).
SELECT dblink_connect(c, format('dbname=%s host=%s port=%s user=%s', current_database(),
                                trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
                                current_setting('port'), current_user))
FROM unnest('{shared_a,shared_b}'::text[]) AS c;
SELECT dblink_exec('shared_a', $$
    DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430598'::shegu.gridcode;
    INSERT INTO shegu.grid (code, name, kind, boundary, population) VALUES
    ('430598', 'county', 'county', 'SRID=4326;MULTIPOLYGON(((120 30,121 30,121 31,120 31,120 30)))', 10),
    ('430598101', 'west', 'township', 'SRID=4326;MULTIPOLYGON(((120 30,120.5 30,120.5 31,120 31,120 30)))', 5)$$);

CREATE FUNCTION pg_temp.remote(conn text, q text) RETURNS text LANGUAGE sql AS $$
    SELECT c FROM dblink(conn, q) AS r(c text)
$$;
CREATE TEMP TABLE probe AS SELECT 'SRID=4326;POINT(120.25 30.5)'::geometry AS west, 'SRID=4326;POINT(120.75 30.5)'::geometry AS east;

SELECT is(locate((SELECT west FROM probe))::text, '430598101', 'locate finds the township');
SELECT is((SELECT mode FROM lookup_stats()),
          CASE WHEN (SELECT preloaded FROM mode) THEN 'shared' ELSE 'backend' END,
          'lookup_stats says which mode serves: shared when preloaded, else this session''s own');

-- Another session: with the preload it reads the index already built (it builds nothing).
SELECT is(pg_temp.remote('shared_a', format('SELECT shegu.locate(%L::geometry)::text', (SELECT east FROM probe))),
          '430598', 'another session finds the county');
SELECT is(pg_temp.remote('shared_a', 'SELECT builds::text FROM shegu.lookup_stats()'),
          CASE WHEN (SELECT preloaded FROM mode) THEN '0' ELSE '1' END,
          'with the preload another session builds nothing (without, it builds its own)');
SELECT is(pg_temp.remote('shared_a', 'SELECT built_at::text FROM shegu.lookup_stats()') = (SELECT built_at::text FROM lookup_stats()),
          (SELECT preloaded FROM mode),
          'with the preload both sessions read the same build');

-- Other columns do not invalidate the index; boundaries do.
CREATE TEMP TABLE before AS SELECT built_at FROM lookup_stats();
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET population = population + 1, attrs = '{"x": 1}', name = 'county 2'
                                 WHERE code OPERATOR(shegu.<@) '430598'::shegu.gridcode$$);
SELECT is((SELECT built_at FROM lookup_stats()), (SELECT built_at FROM before),
          'changing population, attrs and names keeps the index');
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET boundary = 'SRID=4326;MULTIPOLYGON(((120 30,120.8 30,120.8 31,120 31,120 30)))'
                                 WHERE code OPERATOR(shegu.=) '430598101'::shegu.gridcode$$);
SELECT is(locate((SELECT east FROM probe))::text, '430598101', 'a committed boundary change is seen by the next statement');
SELECT isnt((SELECT built_at FROM lookup_stats()), (SELECT built_at FROM before), 'and it rebuilt the index');
SELECT is((SELECT delta_grids > 0 FROM lookup_stats()), (SELECT preloaded FROM mode),
          'with the preload, as a delta over what the edit touched (none without: every session rebuilds its own)');
SELECT is(lookup_wait(10000), true, 'lookup_wait: the shared index holds every commit');

-- A transaction that changed the grids reads its own index, with its uncommitted change; the
-- other sessions do not see it, and after its rollback it reads the shared one again.
SELECT dblink_exec('shared_b', 'BEGIN');
SELECT dblink_exec('shared_b', $$DELETE FROM shegu.grid WHERE code OPERATOR(shegu.=) '430598101'::shegu.gridcode$$);
SELECT is(pg_temp.remote('shared_b', format('SELECT shegu.locate(%L::geometry)::text', (SELECT west FROM probe))),
          '430598', 'the deleting transaction sees its delete');
SELECT is(pg_temp.remote('shared_b', 'SELECT mode FROM shegu.lookup_stats()'), 'transaction',
          'from an index of its own (mode transaction)');
SELECT is(pg_temp.remote('shared_a', format('SELECT shegu.locate(%L::geometry)::text', (SELECT west FROM probe))),
          '430598101', 'another session does not see the uncommitted delete');
SELECT dblink_exec('shared_b', 'ROLLBACK');
SELECT is(pg_temp.remote('shared_b', 'SELECT mode FROM shegu.lookup_stats()'),
          CASE WHEN (SELECT preloaded FROM mode) THEN 'shared' ELSE 'backend' END,
          'after the rollback it reads the shared index again');

-- A statement cancelled (statement_timeout) while the index is stale, so maybe while building
-- it, leaves nothing half-built: the next statement answers.
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET boundary = boundary WHERE code OPERATOR(shegu.=) '430598'::shegu.gridcode$$);
SELECT dblink_exec('shared_b', $$SET statement_timeout = '1ms'$$);
SELECT is((SELECT count(*) FROM dblink('shared_b', 'SELECT shegu.locate(ST_SetSRID(ST_MakePoint(120.25, 30.5), 4326))::text, pg_sleep(0.05)::text', false) AS r(c text, s text)),
          0::bigint, 'a statement cancelled by statement_timeout returns nothing');
SELECT dblink_exec('shared_b', 'RESET statement_timeout');
SELECT is(pg_temp.remote('shared_b', format('SELECT shegu.locate(%L::geometry)::text', (SELECT west FROM probe))),
          '430598101', 'and the next statement answers');

-- Three new sessions asking at once after a change: with the preload none builds (the
-- background worker has built the next version before the change's COMMIT returned, and no
-- session waits for a build); without, each builds its own.
SELECT dblink_connect(c, format('dbname=%s host=%s port=%s user=%s', current_database(),
                                trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
                                current_setting('port'), current_user))
FROM unnest('{shared_1,shared_2,shared_3}'::text[]) AS c;
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET boundary = boundary WHERE code OPERATOR(shegu.=) '430598'::shegu.gridcode$$);
SELECT dblink_send_query(c, 'SELECT builds::text FROM shegu.lookup_stats()') FROM unnest('{shared_1,shared_2,shared_3}'::text[]) AS c;
SELECT is((SELECT sum(b::int) FROM unnest('{shared_1,shared_2,shared_3}'::text[]) AS c,
                  LATERAL dblink_get_result(c) AS r(b text)),
          CASE WHEN (SELECT preloaded FROM mode) THEN 0::bigint ELSE 3::bigint END,
          'sessions asking at once: no build with the preload (three without)');
SELECT dblink_disconnect(c) FROM unnest('{shared_1,shared_2,shared_3}'::text[]) AS c;

-- Edits far apart under a large county that is not convex (an L of 4,006 vertices, stored in
-- more than 16 KB): the delta reads the county once and keeps it, and, since it does not cover
-- the hull of the two edits (the notch of the L lies between them), takes it as the two
-- rectangles it does cover.
SELECT dblink_exec('shared_a', $$
    DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430597'::shegu.gridcode;
    INSERT INTO shegu.grid (code, name, kind, boundary)
    SELECT '430597', 'L county', 'county', ST_Multi(ST_MakePolygon(ST_MakeLine(array_agg(p ORDER BY o))))
    FROM (SELECT i AS o, ST_SetSRID(ST_MakePoint(122 + i * 0.0005, 30 - 0.00001 * ((i * 7919) % 997)), 4326) AS p
          FROM generate_series(0, 4000) AS i
          UNION ALL VALUES (4001, 'SRID=4326;POINT(124 31)'::geometry), (4002, 'SRID=4326;POINT(123 31)'),
                           (4003, 'SRID=4326;POINT(123 32)'), (4004, 'SRID=4326;POINT(122 32)'),
                           (4005, 'SRID=4326;POINT(122 30)')) AS s;
    INSERT INTO shegu.grid (code, name, kind, boundary) VALUES
    ('430597101', 'south-east', 'township', 'SRID=4326;MULTIPOLYGON(((123.7 30.1,123.9 30.1,123.9 30.3,123.7 30.3,123.7 30.1)))'),
    ('430597102', 'north-west', 'township', 'SRID=4326;MULTIPOLYGON(((122.1 31.7,122.3 31.7,122.3 31.9,122.1 31.9,122.1 31.7)))')$$);
SELECT ok((SELECT pg_column_size(boundary) > 16384 FROM grid WHERE code OPERATOR(shegu.=) '430597'::gridcode),
          'the L county is stored in more than 16 KB');
SELECT is(lookup_wait(10000), true, 'lookup_wait: the L county is in the shared index');
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET boundary = 'SRID=4326;MULTIPOLYGON(((123.6 30.1,123.9 30.1,123.9 30.4,123.6 30.4,123.6 30.1)))'
                                 WHERE code OPERATOR(shegu.=) '430597101'::shegu.gridcode$$);
SELECT dblink_exec('shared_a', $$UPDATE shegu.grid SET boundary = 'SRID=4326;MULTIPOLYGON(((122.1 31.6,122.4 31.6,122.4 31.9,122.1 31.9,122.1 31.6)))'
                                 WHERE code OPERATOR(shegu.=) '430597102'::shegu.gridcode$$);
SELECT is(locate('SRID=4326;POINT(123.65 30.35)')::text || ' ' || locate('SRID=4326;POINT(122.35 31.65)')::text,
          '430597101 430597102', 'both redrawn townships answer where they grew');
SELECT is(locate('SRID=4326;POINT(123.65 30.05)')::text || ' ' || locate('SRID=4326;POINT(122.05 31.65)')::text,
          '430597 430597', 'the county answers beside them');
SELECT is(locate('SRID=4326;POINT(123.5 31.5)'), NULL, 'the notch of the L is no grid''s');
SELECT is((SELECT count(*) FROM (SELECT 122 + x * 0.05 AS x, 30 + y * 0.05 AS y FROM generate_series(0, 40) x, generate_series(0, 40) y) p
           WHERE locate(ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) IS DISTINCT FROM
                 (SELECT code FROM grid g WHERE ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
                  ORDER BY level(code) DESC, code LIMIT 1)),
          0::bigint, 'a lattice over the county agrees with PostGIS after the edits');
SELECT dblink_exec('shared_a', $$DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430597'::shegu.gridcode$$);

SELECT dblink_exec('shared_a', $$DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) '430598'::shegu.gridcode$$);
SELECT dblink_disconnect('shared_a');
SELECT dblink_disconnect('shared_b');
SELECT * FROM finish();
