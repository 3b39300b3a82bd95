-- Demo: datums (坐标系).  A resident's WeChat report arrives in GCJ-02; read as WGS-84 it
-- would be hundreds of metres off.  Convert it, and see how far the datums are apart.
SET search_path = shegu, public;

WITH report AS (SELECT 'SRID=4326;POINT(111.3749 26.4339)'::geometry AS gcj)   -- in Xinning county
SELECT ST_AsText(gcj) AS wechat_gcj02,
       ST_AsText(gcj02_to_wgs84(gcj), 7) AS wgs84,
       ST_AsText(gcj02_to_bd09(gcj), 7) AS baidu_bd09,
       round(ST_Distance(gcj::geography, gcj02_to_wgs84(gcj)::geography)) AS metres_off_if_not_converted,
       round(ST_Distance(gcj::geography, wgs84_to_gcj02(gcj02_to_wgs84(gcj))::geography)::numeric, 6) AS round_trip_m
FROM report;
