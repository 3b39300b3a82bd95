-- pgTAP: shegu.locate against the PostGIS definition on random and adversarial points, and the
-- index cache across sessions, rollbacks and parallel workers.
-- test/pgtap/lookup.sql — needs several sessions (dblink), so it commits and cleans up after itself.
\set QUIET 1
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET search_path = shegu, public;

-- A county of 300 basic grids under code 430529 (not the demo's), from the demo's generator.
\set grids 300
\set code 430529
\set seed 0.17
\ir ../../demo/county.sql
SET search_path = shegu, public;
SET client_min_messages = warning;

-- Micro-grids (level 7) inside one basic grid: one with a hole, one in two parts, one valid
-- only in 2020.  They are squares inside the basic grid's largest inscribed box.
CREATE TEMP TABLE host AS
SELECT code, boundary, ST_X(c) AS cx, ST_Y(c) AS cy, r
FROM (SELECT code, boundary, (ST_MaximumInscribedCircle(boundary)).center AS c,
             (ST_MaximumInscribedCircle(boundary)).radius * 0.6 AS r
      FROM grid WHERE code OPERATOR(shegu.<@) '430529'::gridcode AND shegu.level(code) = 6
      ORDER BY code LIMIT 1) s;
INSERT INTO grid (code, name, kind, boundary, valid_from, valid_to)
SELECT (to_bigint(h.code) * 1000 + 1)::gridcode, 'holed', 'micro',
       ST_Multi(ST_MakePolygon(ST_ExteriorRing(ST_MakeEnvelope(cx - r, cy - r, cx, cy, 4326)),
                               ARRAY[ST_ExteriorRing(ST_MakeEnvelope(cx - r / 2, cy - r / 2, cx - r / 4, cy - r / 4, 4326))])),
       '-infinity'::date, NULL::date
FROM host h
UNION ALL
SELECT (to_bigint(h.code) * 1000 + 2)::gridcode, 'two parts', 'micro',
       ST_Collect(ST_MakeEnvelope(cx, cy, cx + r / 2, cy + r / 2, 4326), ST_MakeEnvelope(cx + r / 2, cy + r / 2, cx + r, cy + r, 4326)),
       '-infinity', NULL
FROM host h
UNION ALL
SELECT (to_bigint(h.code) * 1000 + 3)::gridcode, 'only in 2020', 'micro',
       ST_Multi(ST_MakeEnvelope(cx - r, cy, cx, cy + r, 4326)), '2020-01-01', '2021-01-01'
FROM host h;

SELECT plan(27);

-- The oracle: the issue's PostGIS query.
CREATE FUNCTION pg_temp.oracle(pt geometry, at date) RETURNS gridcode LANGUAGE sql STABLE AS $$
    SELECT code FROM shegu.grid
    WHERE ST_Covers(boundary, pt) AND valid_from <= at AND (valid_to IS NULL OR valid_to > at)
    ORDER BY shegu.level(code) DESC, code LIMIT 1
$$;
-- Grids whose boundary passes within 1e-9 degrees of the point on that day.
CREATE FUNCTION pg_temp.near_boundary(pt geometry, at date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM shegu.grid
                   WHERE ST_DWithin(boundary, pt, 1e-9) AND ST_DWithin(ST_Boundary(boundary), pt, 1e-9)
                     AND valid_from <= at AND (valid_to IS NULL OR valid_to > at))
$$;

SELECT setseed(0.5);
CREATE TEMP TABLE probe AS
SELECT 'random' AS kind, ST_SetSRID(ST_MakePoint(110.54 + random() * 0.82, 26.24 + random() * 0.72), 4326) AS pt,
       (CASE WHEN random() < 0.2 THEN '2020-06-01' ELSE '2025-06-01' END)::date AS at
FROM generate_series(1, 3000)
UNION ALL
-- in and around the micro-grids: holes, both parts, the past-only one, on both days
SELECT 'micro', ST_SetSRID(ST_MakePoint(cx - r + random() * 2 * r, cy - r + random() * 2 * r), 4326), d
FROM host, generate_series(1, 300), unnest('{2020-06-01,2025-06-01}'::date[]) AS d;

-- every vertex of every grid, on both days
CREATE TEMP TABLE vertex AS
SELECT DISTINCT (ST_DumpPoints(boundary)).geom AS pt, d AS at
FROM grid, unnest('{2020-06-01,2025-06-01}'::date[]) AS d
WHERE code OPERATOR(shegu.<@) '430529'::gridcode;

-- midpoints of edges (mostly not representable: within 1e-9 of the edge, off it)
CREATE TEMP TABLE midpoint AS
SELECT ST_SetSRID(ST_MakePoint((ST_X(a) + ST_X(b)) / 2, (ST_Y(a) + ST_Y(b)) / 2), 4326) AS pt, '2025-06-01'::date AS at
FROM (SELECT ST_PointN(r, i) AS a, ST_PointN(r, i + 1) AS b
      FROM (SELECT ST_ExteriorRing((ST_Dump(boundary)).geom) AS r FROM grid
            WHERE code OPERATOR(shegu.<@) '430529'::gridcode AND shegu.level(code) >= 6) s,
           generate_series(1, 8) AS i) e;

CREATE TEMP TABLE answer AS
SELECT kind, pt, at, locate(pt, at::timestamptz) AS got, pg_temp.oracle(pt, at) AS want,
       pg_temp.near_boundary(pt, at) AS near
FROM probe;

SELECT cmp_ok((SELECT count(*) FROM answer WHERE NOT near AND got IS NOT NULL), '>', 2500::bigint,
              'most random points land in a grid, away from boundaries');
SELECT is((SELECT count(*) FROM answer WHERE NOT near AND got IS DISTINCT FROM want), 0::bigint,
          'locate agrees with the PostGIS query on every point farther than 1e-9 from all boundaries');
SELECT is((SELECT count(*) FROM answer WHERE near AND got IS DISTINCT FROM want), 0::bigint,
          'and on the random points near a boundary too');
SELECT cmp_ok((SELECT count(DISTINCT got) FROM answer WHERE kind = 'micro' AND shegu.level(got) = 7), '=', 3::bigint,
              'all three micro-grids are hit');
SELECT is((SELECT count(*) FROM answer a, host h
           WHERE a.kind = 'micro' AND a.at = '2025-06-01' AND to_bigint(a.got) = to_bigint(h.code) * 1000 + 3), 0::bigint,
          'the micro-grid valid only in 2020 is not found in 2025');
SELECT cmp_ok((SELECT count(*) FROM answer a, host h
               WHERE a.kind = 'micro' AND a.at = '2025-06-01' AND a.got = h.code
                 AND ST_Contains(ST_MakeEnvelope(h.cx - h.r / 2, h.cy - h.r / 2, h.cx - h.r / 4, h.cy - h.r / 4, 4326), a.pt)),
              '>', 0::bigint, 'points in the hole of a micro-grid belong to the basic grid around it');

-- Exact vertices: PostGIS decides them exactly too, so the answers must be equal.
SELECT is((SELECT count(*) FROM vertex WHERE locate(pt, at::timestamptz) IS DISTINCT FROM pg_temp.oracle(pt, at)), 0::bigint,
          format('locate agrees with PostGIS on all %s grid vertices (both days)', (SELECT count(*) FROM vertex)));
SELECT is((SELECT count(*) FROM vertex v
           WHERE locate(pt, at::timestamptz) IS DISTINCT FROM
                 (SELECT code FROM grid g WHERE ST_Intersects(g.boundary, v.pt) AND g.valid_from <= v.at
                    AND (g.valid_to IS NULL OR g.valid_to > v.at) ORDER BY shegu.level(code) DESC, code LIMIT 1)),
          0::bigint, 'a vertex shared by several grids goes to the deepest, then the smallest code');

-- Near-edge points: the answer is one of the deepest grids that reach within 1e-9 (or none,
-- just outside the county, where PostGIS agrees).
SELECT is((SELECT count(*) FROM midpoint m
           WHERE CASE WHEN locate(m.pt, m.at::timestamptz) IS NULL THEN pg_temp.oracle(m.pt, m.at) IS NOT NULL
                 ELSE shegu.level(locate(m.pt, m.at::timestamptz)) <>
                 (SELECT max(shegu.level(code)) FROM grid g WHERE ST_DWithin(g.boundary, m.pt, 1e-9)
                    AND g.valid_from <= m.at AND (g.valid_to IS NULL OR g.valid_to > m.at))
              OR NOT EXISTS (SELECT 1 FROM grid g WHERE g.code = locate(m.pt, m.at::timestamptz)
                               AND ST_DWithin(g.boundary, m.pt, 1e-9)) END),
          0::bigint, format('edge midpoints (%s) go to a deepest grid within 1e-9', (SELECT count(*) FROM midpoint)));

-- Same answer in another session (a different index build) for every adversarial point.
SELECT dblink_connect('other', format('dbname=%s host=%s port=%s user=%s', current_database(),
                      split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_user));
SELECT is((SELECT count(*) FROM (SELECT pt, at, locate(pt, at::timestamptz) AS got FROM midpoint
                                 UNION ALL SELECT pt, at, locate(pt, at::timestamptz) FROM vertex) m
           WHERE got IS DISTINCT FROM
                 (SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry, %L::timestamptz)::text', m.pt, m.at))
                            AS r(c text))::gridcode),
          0::bigint, 'another session answers every vertex and edge point the same');

-- Parallel workers build their own index (from the statement's snapshot) and agree.
CREATE TEMP TABLE serial AS SELECT pt, at, locate(pt, at::timestamptz) AS got FROM probe;
CREATE TABLE public.lookup_tap_probe AS SELECT pt, at FROM probe;
ANALYZE public.lookup_tap_probe;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
    RETURN coalesce((SELECT max((m[1])::int) FROM regexp_matches(plan::text, '"Workers Launched": ([0-9]+)', 'g') AS m), 0);
END
$$;
SELECT cmp_ok(pg_temp.workers_launched(
                  'SELECT sum(hashtext(coalesce(shegu.locate(pt, at::timestamptz)::text, $$-$$))::bigint) FROM public.lookup_tap_probe'),
              '>', 0, 'locate runs in parallel workers');
SELECT is((SELECT sum(hashtext(coalesce(locate(pt, at::timestamptz)::text, '-'))::bigint) FROM public.lookup_tap_probe),
          (SELECT sum(hashtext(coalesce(got::text, '-'))::bigint) FROM serial),
          'a parallel scan gives the serial answers');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE public.lookup_tap_probe;

-- fill_grid fills a table exactly as locate answers, on insert and on moves.
CREATE TEMP TABLE report (id int PRIMARY KEY, pt geometry(Point, 4326), grid gridcode, at timestamptz);
CREATE TRIGGER report_grid BEFORE INSERT OR UPDATE ON report
    FOR EACH ROW EXECUTE FUNCTION shegu.fill_grid('pt', 'grid', 'at');
INSERT INTO report (id, pt, at) SELECT row_number() OVER (), pt, at::timestamptz FROM probe;
SELECT is((SELECT count(*) FROM report WHERE grid IS DISTINCT FROM locate(pt, at)), 0::bigint,
          'fill_grid on insert agrees with locate on every probe point');
UPDATE report SET pt = ST_SetSRID(ST_MakePoint(ST_Y(pt) - 26.24 + 110.54, ST_X(pt) - 110.54 + 26.24), 4326) WHERE id % 2 = 0;
SELECT is((SELECT count(*) FROM report WHERE grid IS DISTINCT FROM locate(pt, at)), 0::bigint,
          'and after half of the points moved');

-- Invalidation across sessions.  The probe point sits inside the first micro-grid's square
-- (not in its hole); shrinking that micro-grid moves the point to its basic grid.
CREATE TEMP TABLE p AS
SELECT ST_SetSRID(ST_MakePoint(cx - r * 0.9, cy - r * 0.9), 4326) AS pt, (to_bigint(code) * 1000 + 1)::gridcode AS micro, code AS basic
FROM host;
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT micro::text FROM p), 'the other session finds the micro-grid');
UPDATE grid SET boundary = ST_Multi(ST_MakeEnvelope(h.cx - h.r * 0.5, h.cy - h.r * 0.5, h.cx, h.cy, 4326))
FROM host h WHERE grid.code = (SELECT micro FROM p);
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT basic::text FROM p), 'after a committed change, its next statement uses the new boundary');

-- Inside an open transaction of the other session, the next statement sees a new commit.
SELECT dblink_exec('other', 'BEGIN');
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT basic::text FROM p), 'the other session, in a transaction, finds the basic grid');
UPDATE grid SET boundary = (SELECT ST_Multi(ST_MakeEnvelope(cx - r, cy - r, cx, cy, 4326)) FROM host)
WHERE code = (SELECT micro FROM p);
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT micro::text FROM p), 'its next statement, in the same transaction, sees the commit');
SELECT dblink_exec('other', 'COMMIT');

-- A repeatable-read transaction that rebuilds after a commit it cannot see reads the latest
-- grids, so that its index does not outlive it with an old view.
SELECT dblink_exec('other', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT is((SELECT c FROM dblink('other', 'SELECT count(*)::text FROM shegu.grid') AS r(c text)) IS NOT NULL, true,
          'the repeatable-read transaction has taken its snapshot');
UPDATE grid SET boundary = ST_Multi(ST_MakeEnvelope(h.cx - h.r * 0.5, h.cy - h.r * 0.5, h.cx, h.cy, 4326))
FROM host h WHERE grid.code = (SELECT micro FROM p);
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT basic::text FROM p), 'inside it, locate uses the boundary committed after its snapshot');
SELECT dblink_exec('other', 'COMMIT');
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT basic::text FROM p), 'after it, the session still answers from the committed boundary');
UPDATE grid SET boundary = (SELECT ST_Multi(ST_MakeEnvelope(cx - r, cy - r, cx, cy, 4326)) FROM host)
WHERE code = (SELECT micro FROM p);

-- A rollback in the other session leaves no trace there, nor here.
SELECT dblink_exec('other', 'BEGIN');
SELECT dblink_exec('other', format('DELETE FROM shegu.grid WHERE code OPERATOR(shegu.=) %L::shegu.gridcode', (SELECT micro FROM p)));
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT basic::text FROM p), 'the deleting transaction sees its own delete');
SELECT dblink_exec('other', 'ROLLBACK');
SELECT is((SELECT c FROM dblink('other', format('SELECT shegu.locate(%L::geometry)::text', (SELECT pt FROM p))) AS r(c text)),
          (SELECT micro::text FROM p), 'after its rollback it finds the micro-grid again');
SELECT is(locate((SELECT pt FROM p))::text, (SELECT micro::text FROM p), 'and this session never lost it');

-- A build that fails half-way (a NaN vertex slipped in with the check trigger disabled) raises,
-- leaves no index behind, and the next call after the repair builds a good one.
ALTER TABLE grid DISABLE TRIGGER grid_check;
INSERT INTO grid (code, name, kind, boundary)
VALUES ('430529999', 'broken', 'township', 'SRID=4326;MULTIPOLYGON(((110 26,111 26,NaN 27,110 26)))');
ALTER TABLE grid ENABLE TRIGGER grid_check;
-- (With the preload the shared index keeps answering from the grids as they were, and
-- lookup_wait, which waits for the change to be taken up, raises the build's error.)
SELECT throws_ok(CASE WHEN current_setting('shared_preload_libraries') ~ '(^|[ ,])shegu($|[ ,])'
                      THEN 'SELECT shegu.lookup_wait()'
                      ELSE format('SELECT shegu.locate(%L::geometry)', (SELECT pt FROM p)) END, '22000',
                 'boundary of grid 430529999 (valid from -infinity) cannot be indexed',
                 'a boundary the engine refuses stops the build with an error naming the grid');
DELETE FROM grid WHERE code = '430529999';
SELECT is(locate((SELECT pt FROM p))::text, (SELECT micro::text FROM p), 'after the repair locate answers again');

SELECT dblink_disconnect('other');

-- Clean up: the county and its micro-grids.
DELETE FROM grid WHERE code OPERATOR(shegu.<@) '430529'::gridcode;
SELECT is((SELECT count(*) FROM grid WHERE code OPERATOR(shegu.<@) '430529'::gridcode), 0::bigint, 'cleaned up');

SELECT * FROM finish();
