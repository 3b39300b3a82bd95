-- The story of one county's month, part 1: set up the grids (网格).  A synthetic county under
-- code 430528 (demo/county.sql: 9 townships, 22 communities, 1,000 basic grids that nest
-- exactly), its townships and communities named in the grid registry (shegu.grid.name: the one
-- source of names every report view shows), a coverage check and the calendar.
-- demo/story/1-grids.sql — run by tools/demo.sh on database shegu_demo.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\echo
\echo '== 1. Set up the grids 建网格'
\echo 'The county is drawn (demo/county.sql, Voronoi cells) into townships 乡镇, communities and villages 社区/村, and basic grids 基础网格.'
\set grids 1000
\o /dev/null
\ir ../county.sql
\o
SET search_path = shegu, public;

-- Names: the registry is the one source (report_unit, report_index, index_report, the maps and
-- GeoJSON all read shegu.grid.name, or shegu.division where official names are loaded).
UPDATE grid g SET name = n.name
FROM (SELECT t.code, (ARRAY['城关镇', '金石镇', '回龙镇', '白沙镇', '清江镇', '高桥镇', '水口乡', '麻林乡', '丰田乡',
                           '黄龙镇', '石门乡', '龙潭镇'])[row_number() OVER (ORDER BY t.code)] AS name
      FROM grid t WHERE t.kind = 'township' AND t.code <@ '430528') n
WHERE g.code = n.code AND n.name IS NOT NULL;
UPDATE grid g SET name = n.name
FROM (SELECT c.code,
             CASE WHEN parent(c.code) = '430528101'
                  THEN (ARRAY['城东社区', '城西社区', '城南社区', '城北社区', '解放社区', '人民社区', '新华社区', '金山社区'])
                       [row_number() OVER (PARTITION BY parent(c.code) ORDER BY c.code)]
                  ELSE (ARRAY['回龙寺村', '白沙村', '清江村', '石门村', '大塘村', '枫树村', '竹山村', '杨柳村', '桃花村',
                              '松林村', '龙潭村', '新田村', '长冲村', '石塘村', '下湾村', '上坪村', '梅林村', '古楼村',
                              '沙田村', '荷叶村', '木瓜村', '茶园村', '双江村', '马头村', '井头村', '花园村', '岩门村',
                              '坪上村', '水竹村', '金盆村'])[row_number() OVER (PARTITION BY c.kind ORDER BY c.code)] END AS name
      FROM grid c WHERE c.kind = 'community' AND c.code <@ '430528') n
WHERE g.code = n.code AND n.name IS NOT NULL;
UPDATE grid SET name = '示范县 (演示 synthetic)' WHERE code = '430528';
ANALYZE grid;

\echo
\echo 'What the county holds, level by level:'
SELECT level_name_zh AS "level 层级", count(*) AS units, sum(population) AS population,
       round(avg(population)) AS avg_population
FROM report_unit WHERE unit_code LIKE '430528%' GROUP BY level, level_name_zh ORDER BY level;

\echo 'The townships and how many communities and grids each has (names from the registry):'
SELECT t.unit_code, t.unit_name AS "township 乡镇",
       (SELECT count(*) FROM report_unit u WHERE u.level = 5 AND u.parent_code = t.unit_code) AS communities,
       (SELECT count(*) FROM report_unit u WHERE u.level = 6 AND u.unit_code LIKE t.unit_code || '%') AS grids,
       t.population
FROM report_unit t WHERE t.level = 4 AND t.unit_code LIKE '430528%' ORDER BY t.unit_code;

\echo 'No blind spots, no overlaps (管理无盲区): coverage problems larger than 1 m² (expect 0):'
SELECT count(*) AS coverage_problems FROM coverage_problems('430528');

\echo 'Working time follows the State Council holiday notice; the years loaded:'
SELECT y AS year, (SELECT count(*) FROM workday_override o WHERE extract(year FROM o.day) = y) AS days_off_or_make_up
FROM calendar_years() AS y;
