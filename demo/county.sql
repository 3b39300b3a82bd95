-- A synthetic county for demos, tests and benchmarks: townships, communities and basic grids that
-- nest exactly (each parent is the union of its children, neighbours share every vertex), drawn
-- as Voronoi cells whose edges are densified and jittered so that a grid has ~45 vertices.
-- demo/county.sql — run with psql; settings (psql variables, all optional):
--   grids   number of basic grids (default 2000)
--   seed    random seed in [-1, 1] (default 0.42)
--   code    county code (default 430528, Xinning)
-- It replaces every row of shegu.grid under the county code (the county, its townships,
-- communities and basic grids, all valid since always).
\set ON_ERROR_STOP 1
\if :{?grids}
\else
\set grids 2000
\endif
\if :{?seed}
\else
\set seed 0.42
\endif
\if :{?code}
\else
\set code 430528
\endif

SET client_min_messages = warning;
SELECT setseed(:seed);

-- The county's extent (about Xinning's: 0.8 x 0.7 degrees) and the sizes that follow from it.
CREATE TEMP TABLE county_param AS
SELECT :grids::int AS grids,
       greatest(1, round(:grids / 45.0))::int AS communities,
       greatest(1, round(:grids / 1000.0 + 8))::int AS townships,
       ST_MakeEnvelope(110.55, 26.25, 111.35, 26.95, 4326) AS extent,
       -- ~45 vertices a grid: a Voronoi cell has ~6 edges, each cut into ~6.5 pieces
       0.62 * sqrt(0.8 * 0.7 / :grids) / 6.5 AS step,
       :code::bigint AS county;

-- Seeds of grids, communities, townships.
CREATE TEMP TABLE county_grid_seed AS
SELECT i, ST_SetSRID(ST_MakePoint(110.55 + random() * 0.8, 26.25 + random() * 0.7), 4326) AS pt
FROM county_param, generate_series(1, grids) AS i;
CREATE TEMP TABLE county_community_seed AS
SELECT i, ST_SetSRID(ST_MakePoint(110.55 + random() * 0.8, 26.25 + random() * 0.7), 4326) AS pt
FROM county_param, generate_series(1, communities) AS i;
CREATE TEMP TABLE county_township_seed AS
SELECT i, ST_SetSRID(ST_MakePoint(110.55 + random() * 0.8, 26.25 + random() * 0.7), 4326) AS pt
FROM county_param, generate_series(1, townships) AS i;

CREATE INDEX ON county_grid_seed USING gist (pt);
CREATE INDEX ON county_community_seed USING gist (pt);
CREATE INDEX ON county_township_seed USING gist (pt);
ANALYZE county_grid_seed;
ANALYZE county_community_seed;
ANALYZE county_township_seed;

-- Every edge of the Voronoi diagram once, noded, clipped to the extent.
CREATE TEMP TABLE county_edge AS
SELECT row_number() OVER () AS id, d.geom
FROM (SELECT ST_Union(ST_Boundary(ST_Intersection(c.geom, p.extent))) AS lines
      FROM county_param p,
           ST_Dump(ST_VoronoiPolygons((SELECT ST_Collect(pt) FROM county_grid_seed), 0, p.extent)) AS c) u,
     ST_Dump(u.lines) AS d;

-- Densify each edge once and move its inner points sideways a little: both neighbours then
-- share exactly the same vertices.
CREATE TEMP TABLE county_wiggle AS
SELECT e.id,
       ST_MakeLine(ARRAY[ST_StartPoint(e.geom)]
                   || coalesce((SELECT array_agg(ST_SetSRID(ST_MakePoint(
                            x0 + (x1 - x0) * k / n + (y0 - y1) / len * p.step * 0.25 * (random() - 0.5),
                            y0 + (y1 - y0) * k / n + (x1 - x0) / len * p.step * 0.25 * (random() - 0.5)), 4326) ORDER BY k)
                                FROM generate_series(1, n - 1) AS k), '{}')
                   || ARRAY[ST_EndPoint(e.geom)]) AS geom
FROM county_edge e, county_param p,
     LATERAL (SELECT ST_X(ST_StartPoint(e.geom)) AS x0, ST_Y(ST_StartPoint(e.geom)) AS y0,
                     ST_X(ST_EndPoint(e.geom)) AS x1, ST_Y(ST_EndPoint(e.geom)) AS y1,
                     ST_Length(e.geom) AS len,
                     greatest(1, ceil(ST_Length(e.geom) / p.step))::int AS n) AS s;

-- The basic grids: the faces of the densified linework, each named after the seed inside it.
CREATE TEMP TABLE county_cell AS
SELECT s.i, f.geom
FROM (SELECT (ST_Dump(ST_Polygonize(geom))).geom FROM county_wiggle) AS f
JOIN county_grid_seed s ON ST_Contains(f.geom, s.pt);

-- A grid belongs to the community whose seed is nearest to its own, a community to the
-- nearest township seed; codes follow the seeds' order.
CREATE TEMP TABLE county_member AS
SELECT g.i AS grid,
       (SELECT c.i FROM county_community_seed c ORDER BY c.pt <-> s.pt LIMIT 1) AS community
FROM county_cell g JOIN county_grid_seed s USING (i);
CREATE TEMP TABLE county_community AS
SELECT c.i AS community,
       (SELECT t.i FROM county_township_seed t ORDER BY t.pt <-> c.pt LIMIT 1) AS township
FROM county_community_seed c WHERE c.i IN (SELECT community FROM county_member);

CREATE TEMP TABLE county_code AS
WITH t AS (
    SELECT township, 100 + row_number() OVER (ORDER BY township) AS tno
    FROM (SELECT DISTINCT township FROM county_community) x
), c AS (
    SELECT cc.community, t.tno, row_number() OVER (PARTITION BY t.tno ORDER BY cc.community) AS cno
    FROM county_community cc JOIN t USING (township)
)
SELECT m.grid, c.community, c.tno, c.cno,
       row_number() OVER (PARTITION BY c.community ORDER BY m.grid) AS gno
FROM county_member m JOIN c USING (community);

-- (the code from the psql variable, not from the temporary table: on Citus a DELETE on a distributed
-- or reference table cannot read a local table, docs/citus.md)
DELETE FROM shegu.grid WHERE code OPERATOR(shegu.<@) (:code::bigint)::shegu.gridcode;

INSERT INTO shegu.grid (code, name, kind, boundary, households, population)
SELECT ((p.county * 1000 + k.tno) * 1000000 + k.cno * 1000 + k.gno)::shegu.gridcode,
       format('第%s网格', k.gno), 'basic', ST_Multi(g.geom),
       30 + (k.grid::bigint * 7919) % 300, 80 + (k.grid::bigint * 104729) % 900
FROM county_code k JOIN county_cell g ON g.i = k.grid, county_param p;

INSERT INTO shegu.grid (code, name, kind, boundary, households, population)
SELECT ((p.county * 1000 + k.tno) * 1000 + k.cno)::shegu.gridcode, format('第%s社区', k.cno), 'community',
       ST_Multi(ST_Union(g.geom)), sum(30 + (k.grid::bigint * 7919) % 300), sum(80 + (k.grid::bigint * 104729) % 900)
FROM county_code k JOIN county_cell g ON g.i = k.grid, county_param p
GROUP BY p.county, k.tno, k.cno;

INSERT INTO shegu.grid (code, name, kind, boundary, households, population)
SELECT ((p.county * 1000 + k.tno))::shegu.gridcode, format('第%s乡镇', k.tno - 100), 'township',
       ST_Multi(ST_Union(g.geom)), sum(30 + (k.grid::bigint * 7919) % 300), sum(80 + (k.grid::bigint * 104729) % 900)
FROM county_code k JOIN county_cell g ON g.i = k.grid, county_param p
GROUP BY p.county, k.tno;

INSERT INTO shegu.grid (code, name, kind, boundary, households, population)
SELECT (p.county)::shegu.gridcode, '示范县', 'county', ST_Multi(ST_Union(g.geom)),
       sum(30 + (g.i::bigint * 7919) % 300), sum(80 + (g.i::bigint * 104729) % 900)
FROM county_cell g, county_param p
GROUP BY p.county;

DROP TABLE county_param, county_grid_seed, county_community_seed, county_township_seed,
    county_edge, county_wiggle, county_cell, county_member, county_community, county_code;
RESET client_min_messages;
ANALYZE shegu.grid;
