-- Datum transforms between WGS-84 (CGCS2000), GCJ-02 and BD-09, for any geometry type.
-- src/coords.sql — declares what src/coords.c implements.

CREATE FUNCTION shegu.wgs84_to_gcj02(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_wgs84_to_gcj02' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gcj02_to_wgs84(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_gcj02_to_wgs84' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gcj02_to_bd09(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_gcj02_to_bd09' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.bd09_to_gcj02(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_bd09_to_gcj02' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.bd09_to_wgs84(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_bd09_to_wgs84' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.wgs84_to_bd09(geometry) RETURNS geometry
    AS 'MODULE_PATHNAME', 'coords_wgs84_to_bd09' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION shegu.wgs84_to_gcj02(geometry) IS
    'WGS-84/CGCS2000 longitude/latitude to GCJ-02 (国测局坐标, "Mars"), every coordinate of any geometry; points outside China unchanged; SRID 4326 or 0 kept';
COMMENT ON FUNCTION shegu.gcj02_to_wgs84(geometry) IS
    'GCJ-02 (WeChat, Amap, Tencent maps) to WGS-84, the exact inverse of wgs84_to_gcj02 (iterated to 1e-10 degrees); points outside China unchanged';
COMMENT ON FUNCTION shegu.gcj02_to_bd09(geometry) IS
    'GCJ-02 to BD-09 (百度坐标, Baidu maps), every coordinate of any geometry';
COMMENT ON FUNCTION shegu.bd09_to_gcj02(geometry) IS
    'BD-09 (Baidu maps) to GCJ-02, the exact inverse of gcj02_to_bd09 (iterated to 1e-10 degrees)';
COMMENT ON FUNCTION shegu.bd09_to_wgs84(geometry) IS
    'BD-09 (Baidu maps) to WGS-84: bd09_to_gcj02 then gcj02_to_wgs84';
COMMENT ON FUNCTION shegu.wgs84_to_bd09(geometry) IS
    'WGS-84 to BD-09 (Baidu maps): wgs84_to_gcj02 then gcj02_to_bd09';
