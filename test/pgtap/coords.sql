-- pgTAP: the datum transforms' accuracy, measured in metres on the ellipsoid, and their
-- agreement across geometry types.  test/pgtap/coords.sql
BEGIN;
SET search_path = shegu, public;
SELECT plan(6);

-- 20,000 pseudo-random points over China's mainland box.
CREATE TEMP TABLE pts AS
SELECT ST_SetSRID(ST_MakePoint(73.6 + 61.3 * ((i * 0.6180339887) % 1),
                               18.2 + 35.3 * ((i * 0.7548776662) % 1)), 4326) AS p
FROM generate_series(1, 20000) AS i;

SELECT cmp_ok((SELECT max(ST_Distance(p::geography, gcj02_to_wgs84(wgs84_to_gcj02(p))::geography)) FROM pts),
              '<', 0.005::float8, 'gcj02_to_wgs84 inverts wgs84_to_gcj02 to under 5 mm (geodesic)');
SELECT cmp_ok((SELECT max(ST_Distance(p::geography, bd09_to_gcj02(gcj02_to_bd09(p))::geography)) FROM pts),
              '<', 0.005::float8, 'bd09_to_gcj02 inverts gcj02_to_bd09 to under 5 mm (geodesic)');
SELECT cmp_ok((SELECT max(ST_Distance(p::geography, bd09_to_wgs84(wgs84_to_bd09(p))::geography)) FROM pts),
              '<', 0.005::float8, 'bd09_to_wgs84 inverts wgs84_to_bd09 to under 5 mm (geodesic)');
-- The GCJ-02 offset is what makes WeChat points land in the wrong grid: 100-700 m.
SELECT ok((SELECT min(d) > 1 AND max(d) < 1000
           FROM (SELECT ST_Distance(p::geography, wgs84_to_gcj02(p)::geography) AS d FROM pts) s),
          'the GCJ-02 offset is between 1 m and 1 km everywhere in the box');
-- A multipoint transforms as its points do.
SELECT is((SELECT count(*) FROM (
             SELECT (ST_Dump(wgs84_to_gcj02(ST_Collect(p)))).geom AS a,
                    (SELECT array_agg(wgs84_to_gcj02(p)) FROM (SELECT p FROM pts LIMIT 500) q) AS b
             FROM (SELECT p FROM pts LIMIT 500) q) s
           WHERE NOT a = ANY (b)), 0::bigint, 'transforming a multipoint equals transforming its points');
SELECT is((SELECT ST_NPoints(wgs84_to_gcj02(ST_Segmentize(ST_MakeEnvelope(116, 39, 117, 40, 4326), 0.01)))),
          (SELECT ST_NPoints(ST_Segmentize(ST_MakeEnvelope(116, 39, 117, 40, 4326), 0.01))),
          'a polygon keeps its vertex count');

SELECT * FROM finish();
ROLLBACK;
