-- Demo: grids and point-in-grid lookup (网格与落格).  A synthetic county of 1,000 basic grids in
-- communities and townships (left in place for the rooms that follow), its coverage check,
-- locating points (WGS-84 and WeChat's GCJ-02), a redrawn grid, and a table kept filled by a trigger.
SET search_path = shegu, public;
\set grids 1000
-- The synthetic county: demo/county.sql (not echoed; read it for how it is built).
\set ECHO none
\o /dev/null
\ir county.sql
\o
\set ECHO queries
SET search_path = shegu, public;

SELECT kind, count(*) AS grids, round(avg(ST_NPoints(boundary))) AS avg_vertices,
       sum(population) AS population
FROM grid GROUP BY kind ORDER BY min(level(code));

-- Full coverage, no overlaps: the county as generated has no problem larger than 1 m².
SELECT count(*) AS coverage_problems FROM coverage_problems('430528');

-- Which grid? At every level, for one point.
SELECT ancestor(g, 4) AS township, ancestor(g, 5) AS community, g AS grid,
       (SELECT name FROM grid WHERE code = g) AS name
FROM (SELECT locate(ST_SetSRID(ST_MakePoint(110.95, 26.6), 4326)) AS g) s;

-- A WeChat report arrives in GCJ-02 (here: the first of some points along a street where the
-- ~500 m offset matters); read as WGS-84 it lands in another grid, converted it does not.
SELECT round(ST_X(p)::numeric, 5) AS lon, round(ST_Y(p)::numeric, 5) AS lat,
       locate(p) AS true_grid,
       locate(ST_X(w), ST_Y(w), 'gcj02') AS from_wechat_converted,
       locate(w) AS from_wechat_unconverted
FROM (SELECT p, wgs84_to_gcj02(p) AS w
      FROM (SELECT ST_SetSRID(ST_MakePoint(110.9 + i * 0.001, 26.6), 4326) AS p FROM generate_series(0, 100) AS i) s) t
WHERE locate(p) IS DISTINCT FROM locate(w)
LIMIT 1;

-- Redrawing (调整区划): the grid holding the point is closed on 2026-01-01 and its area handed
-- to a new grid; the old answer stays right for earlier dates.
BEGIN;
UPDATE grid SET valid_to = '2026-01-01'
WHERE code = locate(ST_SetSRID(ST_MakePoint(110.95, 26.6), 4326), '2025-06-01') AND valid_to IS NULL;
INSERT INTO grid (code, name, kind, boundary, valid_from)
SELECT (to_bigint(parent(code)) * 1000 + 900)::gridcode, '新划网格', 'basic', boundary, '2026-01-01'
FROM grid WHERE code = locate(ST_SetSRID(ST_MakePoint(110.95, 26.6), 4326), '2025-06-01');
SELECT locate(ST_SetSRID(ST_MakePoint(110.95, 26.6), 4326), '2025-06-01') AS in_2025,
       locate(ST_SetSRID(ST_MakePoint(110.95, 26.6), 4326), '2026-06-01') AS in_2026;
ROLLBACK;

-- Any table can keep its grid column filled: 20,000 reports located on insert.
CREATE TABLE demo_report (id int PRIMARY KEY, pt geometry(Point, 4326), grid gridcode);
CREATE TRIGGER demo_report_grid BEFORE INSERT OR UPDATE ON demo_report
    FOR EACH ROW EXECUTE FUNCTION fill_grid('pt', 'grid');
\timing on
INSERT INTO demo_report (id, pt)
SELECT i, ST_SetSRID(ST_MakePoint(110.55 + random() * 0.8, 26.25 + random() * 0.7), 4326)
FROM generate_series(1, 20000) AS i;
\timing off
SELECT ancestor(grid, 4) AS township, count(*) AS reports
FROM demo_report GROUP BY 1 ORDER BY 2 DESC LIMIT 5;
DROP TABLE demo_report;

-- What this session's index holds.
SELECT grids, vertices, cells, raster_direct * 100 / nullif(raster_cells, 0) AS pct_raster_direct,
       round(memory_bytes / 1048576.0, 1) AS mib, round(build_ms) AS build_ms
FROM lookup_stats();
