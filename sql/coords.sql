-- Datum transforms (WGS-84 / GCJ-02 / BD-09) on every geometry type, and their errors.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu CASCADE;
SET search_path = shegu, public;
SET extra_float_digits = 0;

-- Published reference pairs (WGS-84 → GCJ-02): Shanghai, Shenzhen, Beijing.
SELECT name, round(ST_X(g)::numeric, 9) AS gcj_lon, round(ST_Y(g)::numeric, 9) AS gcj_lat,
       round(ST_X(w)::numeric, 9) AS back_lon, round(ST_Y(w)::numeric, 9) AS back_lat
FROM (VALUES ('shanghai', 121.5272106, 31.1774276), ('shenzhen', 113.912316, 22.543847),
             ('beijing', 116.377817, 39.911954)) AS t(name, lon, lat),
     LATERAL (SELECT wgs84_to_gcj02(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) AS g) AS a,
     LATERAL (SELECT gcj02_to_wgs84(g) AS w) AS b;

-- GCJ-02 → BD-09 and back; BD-09 ↔ WGS-84 composes both.
SELECT round(ST_X(b)::numeric, 8) AS bd_lon, round(ST_Y(b)::numeric, 8) AS bd_lat,
       ST_AsText(bd09_to_gcj02(b), 9) AS back,
       ST_AsText(bd09_to_wgs84(wgs84_to_bd09('SRID=4326;POINT(116.4 39.9)'::geometry)), 9) AS wgs_round_trip
FROM (SELECT gcj02_to_bd09('SRID=4326;POINT(123 45)'::geometry) AS b) AS t;

-- Every geometry type keeps its shape, Z/M values and SRID; only x and y move.
SELECT ST_AsEWKT(wgs84_to_gcj02(g), 6) AS gcj
FROM (VALUES ('SRID=4326;POINT(116.4 39.9)'::geometry),
             ('POINT(116.4 39.9)'),
             ('SRID=4326;POINT Z (116.4 39.9 50)'),
             ('SRID=4326;POINT M (116.4 39.9 7)'),
             ('SRID=4326;POINT ZM (116.4 39.9 50 7)'),
             ('SRID=4326;LINESTRING(116.4 39.9, 116.5 39.95)'),
             ('SRID=4326;POLYGON((116.4 39.9, 116.5 39.9, 116.5 40, 116.4 39.9), (116.45 39.92, 116.47 39.92, 116.47 39.94, 116.45 39.92))'),
             ('SRID=4326;MULTIPOLYGON(((116.4 39.9, 116.5 39.9, 116.5 40, 116.4 39.9)), ((117 39, 117.1 39, 117.1 39.1, 117 39)))'),
             ('SRID=4326;MULTIPOINT((116.4 39.9), (2.35 48.85))'),
             ('SRID=4326;GEOMETRYCOLLECTION(POINT(116.4 39.9), LINESTRING(116.4 39.9, 116.5 39.95))'),
             ('SRID=4326;CIRCULARSTRING(116.4 39.9, 116.45 39.95, 116.5 39.9)'),
             ('SRID=4326;POINT EMPTY'),
             ('SRID=4326;POLYGON EMPTY'),
             ('SRID=4326;GEOMETRYCOLLECTION EMPTY')) AS t(g);

-- Outside China nothing moves under GCJ-02 (Paris, and the 72.004° west edge).
SELECT ST_AsText(wgs84_to_gcj02('SRID=4326;POINT(2.35 48.85)'), 9) AS paris,
       ST_AsText(gcj02_to_wgs84('SRID=4326;POINT(72.0 30)'), 9) AS west_of_box;

-- NULL in, NULL out.
SELECT wgs84_to_gcj02(NULL) IS NULL AS a, gcj02_to_wgs84(NULL) IS NULL AS b,
       gcj02_to_bd09(NULL) IS NULL AS c, bd09_to_gcj02(NULL) IS NULL AS d,
       bd09_to_wgs84(NULL) IS NULL AS e, wgs84_to_bd09(NULL) IS NULL AS f;

-- Errors: projected SRIDs, coordinates that are not longitude/latitude, NaN.
SELECT gcj02_to_wgs84(ST_Transform('SRID=4326;POINT(116.4 39.9)'::geometry, 3857));
SELECT wgs84_to_gcj02('SRID=4326;POINT(12958175 4852834)');
SELECT wgs84_to_gcj02('SRID=4326;LINESTRING(116.4 39.9, 116.4 95)');
SELECT gcj02_to_bd09(ST_MakePoint('NaN', 39.9));
SELECT bd09_to_gcj02(ST_MakePoint('Infinity', 39.9));

-- Everything the room declares is commented.
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
