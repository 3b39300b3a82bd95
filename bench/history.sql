-- A county whose registry has history: the synthetic county of demo/county.sql (Voronoi basic
-- grids, ~45 vertices each), some basic grids with a hole that a dedicated grid (专属网格) fills,
-- and past versions of every grid, each shifted a little (boundaries redrawn over the years).
-- bench/history.sql — run with psql after demo/county.sql; settings (psql variables, optional):
--   holes     basic grids given a hole filled by a dedicated grid (default 60)
--   versions  past versions of every grid (default 2)
--   shift     how far each past version is moved, in degrees (default 0.0004)
--   code      county code (default 430528)
-- Current versions are valid from 2024-01-01; past version k (1 = the latest) is valid for the
-- year before the one after it, shifted by k * shift to the north-east.
\set ON_ERROR_STOP 1
\if :{?holes}
\else
\set holes 60
\endif
\if :{?versions}
\else
\set versions 2
\endif
\if :{?shift}
\else
\set shift 0.0004
\endif
\if :{?code}
\else
\set code 430528
\endif

SET client_min_messages = warning;
SET search_path = shegu, public;
SET session_replication_role = replica;		-- bulk rewrite: no per-row triggers
SELECT setseed(0.17);

-- Holes: the basic grids with the most area, a hole of a third of the grid's size around an inner
-- point, drawn as a 24-gon; the dedicated grid (level 6, numbers 900 up) is the hole itself.
CREATE TEMP TABLE hist_hole AS
SELECT g.code, g.valid_from, h.geom AS hole,
       row_number() OVER (PARTITION BY shegu.parent(g.code) ORDER BY g.code) AS k
FROM (SELECT code, valid_from, boundary FROM shegu.grid
      WHERE kind = 'basic' AND code OPERATOR(shegu.<@) :code::bigint::shegu.gridcode
      ORDER BY ST_Area(boundary) DESC LIMIT :holes) g,
     LATERAL (SELECT ST_Buffer(ST_PointOnSurface(g.boundary),
                               sqrt(ST_Area(g.boundary) / pi()) / 3, 6) AS geom) h
WHERE ST_Covers(g.boundary, h.geom);

UPDATE shegu.grid g SET boundary = ST_Multi(ST_Difference(g.boundary, h.hole))
FROM hist_hole h WHERE g.code = h.code AND g.valid_from = h.valid_from;

INSERT INTO shegu.grid (code, name, kind, boundary, households, population)
SELECT (shegu.to_bigint(shegu.parent(h.code)) * 1000 + 900 + h.k)::shegu.gridcode,
       format('专属网格%s', h.k), 'dedicated', ST_Multi(h.hole), 0, 0
FROM hist_hole h;

-- Past versions: every grid of the county, shifted, valid for one year each before 2024.
UPDATE shegu.grid SET valid_from = DATE '2024-01-01'
WHERE code OPERATOR(shegu.<@) :code::bigint::shegu.gridcode AND valid_to IS NULL;
INSERT INTO shegu.grid (code, name, kind, boundary, valid_from, valid_to, households, population, attrs)
SELECT g.code, g.name, g.kind, ST_Translate(g.boundary, v * :shift, v * :shift),
       make_date(2024 - v, 1, 1), make_date(2025 - v, 1, 1), g.households, g.population, g.attrs
FROM shegu.grid g, generate_series(1, :versions) AS v
WHERE g.code OPERATOR(shegu.<@) :code::bigint::shegu.gridcode AND g.valid_from = DATE '2024-01-01';

DROP TABLE hist_hole;
RESET session_replication_role;
RESET client_min_messages;
RESET search_path;
-- the triggers were off: tell the sessions' lookup indexes once
UPDATE shegu.grid SET name = name WHERE false;
ANALYZE shegu.grid;
