-- Demo: grid codes (网格编码).  Every level of Xinning county's hierarchy, its navigation,
-- and the range scan that answers "everything under this township".
SET search_path = shegu, public;

SELECT c AS code, level(c), parent(c), segment(c, level(c)) AS own_segment
FROM unnest('{43,4305,430528,430528101,430528101002,430528101002003,430528101002003007}'::gridcode[]) AS c;

-- Separators are accepted; output is canonical.
SELECT '43-05-28 101.002'::gridcode AS community, '430528000000'::gridcode AS county;

-- A table of 100,000 micro-grid codes, and a count under one township through its index.
CREATE TABLE demo_codes AS
SELECT (430528000000000000 + t * 1000000000 + v * 1000000 + g * 1000 + m)::bigint::gridcode AS code
FROM generate_series(101::bigint, 110) AS t, generate_series(1::bigint, 20) AS v,
     generate_series(1::bigint, 10) AS g, generate_series(1::bigint, 50) AS m;
CREATE INDEX ON demo_codes (code);
ANALYZE demo_codes;
EXPLAIN (COSTS OFF) SELECT count(*) FROM demo_codes WHERE code <@ '430528103';
SELECT count(*) AS under_township_103 FROM demo_codes WHERE code <@ '430528103';

-- Roll-up by township: ancestor() groups any level.
SELECT ancestor(code, 4) AS township, count(*) FROM demo_codes GROUP BY 1 ORDER BY 1 LIMIT 3;

-- A bad code is refused with the reason.
DO $$
BEGIN
    PERFORM '430528000002'::shegu.gridcode;
EXCEPTION WHEN invalid_text_representation THEN
    RAISE NOTICE 'refused: % (%)', SQLERRM, SQLSTATE;
END;
$$;
DROP TABLE demo_codes;

-- Real codes that skip a level: the towns of 东莞 (a city without counties) sit under county 00,
-- the districts of Hong Kong under city 00.  Level, parent and order follow the real hierarchy.
SELECT c AS code, level(c), parent(c), ancestor(c, 3) AS county, '4419'::gridcode @> c AS in_dongguan
FROM unnest('{4419,441900003,441900003001,810001}'::gridcode[]) AS c;

-- Names for reports (区划名称), from the NBS code list (code,name,parent); here a few real rows.
BEGIN;
SELECT * FROM load_divisions($csv$code,name,parent
430000000000,湖南省,0
430500000000,邵阳市,430000000000
430528000000,新宁县,430500000000
440000000000,广东省,0
441900000000,东莞市,440000000000
441900003000,东城街道,441900000000
441900003001,岗贝社区居民委员会,441900003000
810000000000,香港特别行政区,0
810001000000,中西区,810000000000
$csv$);
SELECT c AS code, division_path(c) AS path, n.*
FROM unnest('{430528101002,441900003001,810001}'::gridcode[]) AS c, LATERAL division_names(c) AS n;
ROLLBACK;
