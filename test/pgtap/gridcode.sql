-- pgTAP: invariants of shegu.gridcode over many generated codes.
-- test/pgtap/gridcode.sql
BEGIN;
SET search_path = shegu, public;
SELECT plan(33);

CREATE TEMP TABLE sample AS
SELECT DISTINCT padded / unit * unit AS padded, d, unit
FROM (SELECT p * 10000000000000000 + c AS padded, d, (10::numeric ^ (18 - d))::bigint AS unit
      FROM (SELECT (ARRAY[11, 31, 43, 50, 65, 82])[1 + (i % 6)]::bigint AS p,
                   -- segments are all non-zero, so every cut is a valid code
                   (1 + (i * 7919) % 99) * 100000000000000
                 + (1 + (i * 104729) % 99) * 1000000000000
                 + (1 + (i * 1299709) % 999) * 1000000000
                 + (1 + (i * 15485863) % 999) * 1000000
                 + (1 + (i * 32452843) % 999) * 1000
                 + (1 + (i * 49979687) % 999) AS c,
                   (ARRAY[2, 4, 6, 9, 12, 15, 18])[1 + (i % 7)] AS d
            FROM generate_series(1::bigint, 5000) AS i) AS r) AS s;
CREATE TEMP TABLE codes AS
SELECT (padded / unit)::gridcode AS code, d FROM sample;

SELECT is((SELECT count(*) FROM codes), (SELECT count(*) FROM sample), 'every generated code is accepted');
SELECT is((SELECT count(*) FROM codes WHERE code::text::gridcode <> code), 0::bigint,
          'text output parses back to the same code');
SELECT is((SELECT count(*) FROM codes WHERE code::bigint::gridcode <> code), 0::bigint,
          'bigint form converts back to the same code');
SELECT is((SELECT count(*) FROM codes WHERE length(code::text) <> d), 0::bigint,
          'output has exactly the digits of the code''s own level');
SELECT is((SELECT count(*) FROM codes WHERE level(code) > 1 AND NOT (parent(code) @> code)), 0::bigint,
          'parent contains the code');
SELECT is((SELECT count(*) FROM codes WHERE level(code) > 1 AND level(parent(code)) <> level(code) - 1), 0::bigint,
          'parent is one level up');
SELECT is((SELECT count(*) FROM codes WHERE level(code) > 1 AND NOT is_ancestor(parent(code), code)), 0::bigint,
          'parent is a proper ancestor');
SELECT is((SELECT count(*) FROM codes, generate_series(1, 7) AS l
           WHERE l <= level(code) AND NOT (ancestor(code, l) @> code AND level(ancestor(code, l)) = l)), 0::bigint,
          'every ancestor contains the code at its own level');
SELECT is((SELECT count(*) FROM codes, generate_series(1, 7) AS l
           WHERE l <= level(code)
             AND left(code::text, (ARRAY[2, 4, 6, 9, 12, 15, 18])[l]) <> (SELECT string_agg(segment(code, k), '' ORDER BY k) FROM generate_series(1, l) AS k)),
          0::bigint, 'segments concatenate to the prefix of the code');
SELECT is((SELECT count(*) FROM codes a JOIN codes b ON a.code @> b.code
           WHERE NOT (b.code >= a.code AND b.code <= subtree_last(a.code))), 0::bigint,
          'a subtree is the range [code, subtree_last(code)]');
SELECT is((SELECT count(*) FROM codes a JOIN codes b ON b.code > a.code AND b.code <= subtree_last(a.code)
           WHERE NOT a.code @> b.code), 0::bigint,
          'everything in the range is in the subtree');
SELECT is((SELECT count(*) FROM codes a JOIN codes b ON a.code @> b.code WHERE NOT b.code <@ a.code), 0::bigint,
          '@> and <@ are commutators');
SELECT is((SELECT count(*) FROM codes a JOIN codes b ON a.code = b.code
           WHERE gridcode_hash(a.code) <> gridcode_hash(b.code)), 0::bigint, 'equal codes hash equal');
SELECT is((SELECT count(*) FROM (SELECT code, lag(code) OVER (ORDER BY code::text) AS prev FROM codes) s
           WHERE prev IS NOT NULL AND prev >= code), 0::bigint,
          'order agrees with the order of the zero-padded digits');

-- Real codes with a skipped zero segment: townships of cities without counties (4419 东莞,
-- 4420 中山, 4604 儋州) under county 00, districts of 81/82 under city 00, everything below
-- them, mixed with ordinary codes of the same cities and provinces.
CREATE TEMP TABLE zcodes AS
SELECT DISTINCT shegu.gridcode(full_value / unit) AS code
FROM (SELECT (ARRAY[44, 44, 46, 44, 81, 82, 81])[1 + k] * 10000000000000000
           + (ARRAY[19, 20, 4, 19, 0, 0, 1])[1 + k] * 100000000000000
           + (ARRAY[0, 0, 0, 1, 1 + i % 18, 1 + i % 8, 1])[1 + k] * 1000000000000
           + (1 + (i * 104729) % 999) * 1000000000 + (1 + (i * 15485863) % 999) * 1000000
           + (1 + (i * 32452843) % 999) * 1000 + (1 + (i * 49979687) % 999) AS full_value,
             (10::numeric ^ (18 - (ARRAY[2, 4, 6, 9, 12, 15, 18])[1 + (i / 7) % 7]))::bigint AS unit
      FROM generate_series(1::bigint, 3000) AS i, LATERAL (SELECT (i % 7)::int AS k) AS kk) AS r;
INSERT INTO zcodes SELECT DISTINCT ancestor(code, l) FROM zcodes, generate_series(1, 7) AS l
WHERE ancestor(code, l) IS NOT NULL AND ancestor(code, l) NOT IN (SELECT code FROM zcodes);

SELECT ok((SELECT count(*) FROM zcodes WHERE segment(code, 3) = '00' AND level(code) >= 4) > 100
          AND (SELECT count(*) FROM zcodes WHERE segment(code, 2) = '00' AND level(code) >= 3) > 100,
          'the sample holds many codes with a zero county and with a zero city');
SELECT is((SELECT count(*) FROM zcodes WHERE code::text::gridcode <> code OR code::bigint::gridcode <> code),
          0::bigint, 'zero-segment codes round-trip through text and bigint');
SELECT is((SELECT count(*) FROM zcodes WHERE level(code) > 1
           AND NOT (is_ancestor(parent(code), code) AND level(parent(code)) < level(code))),
          0::bigint, 'the parent is a proper ancestor at a higher level');
SELECT is((SELECT count(*) FROM zcodes WHERE level(code) > 1
           AND level(parent(code)) <> (SELECT max(l) FROM generate_series(1, level(code) - 1) AS l
                                       WHERE segment(code, l) <> repeat('0', length(segment(code, l))))),
          0::bigint, 'the parent is at the nearest level above with a non-zero segment');
SELECT is((SELECT count(*) FROM zcodes, generate_series(1, 7) AS l
           WHERE l <= level(code)
             AND (ancestor(code, l) IS NULL) <> (segment(code, l) ~ '^0+$')),
          0::bigint, 'ancestor is NULL exactly at the skipped levels, whose segment is 00');
SELECT is((SELECT count(*) FROM zcodes, generate_series(1, 7) AS l
           WHERE l <= level(code)
             AND left(code::text, (ARRAY[2, 4, 6, 9, 12, 15, 18])[l]) <> (SELECT string_agg(segment(code, k), '' ORDER BY k) FROM generate_series(1, l) AS k)),
          0::bigint, 'segments (00 included) concatenate to the prefix of the code');
WITH RECURSIVE chain(code, a) AS (
    SELECT code, code FROM zcodes
    UNION ALL SELECT c.code, parent(c.a) FROM chain c WHERE parent(c.a) IS NOT NULL
)
SELECT is((SELECT count(*) FROM zcodes a JOIN zcodes b ON a.code @> b.code
           WHERE NOT EXISTS (SELECT 1 FROM chain c WHERE c.code = b.code AND c.a = a.code)),
          0::bigint, '@> holds only along parent chains');
WITH RECURSIVE chain(code, a) AS (
    SELECT code, code FROM zcodes
    UNION ALL SELECT c.code, parent(c.a) FROM chain c WHERE parent(c.a) IS NOT NULL
)
SELECT is((SELECT count(*) FROM chain WHERE NOT (a @> code AND code <@ a)), 0::bigint,
          'every code on a parent chain contains the code');
SELECT is((SELECT count(*) FROM zcodes a JOIN zcodes b ON b.code >= a.code AND b.code <= subtree_last(a.code)
           WHERE NOT a.code @> b.code), 0::bigint,
          'the range [code, subtree_last] is exactly the subtree');
SELECT is((SELECT count(*) FROM zcodes WHERE level(code) > 1 AND NOT parent(code) < code), 0::bigint,
          'pre-order: a code sorts after its parent');

-- The lookup room's grids: a community of 东莞 (county 00) is a community.
SELECT lives_ok($$INSERT INTO shegu.grid (code, name, kind) VALUES
                  ('4419', '东莞市', 'city'), ('441900003', '东城街道', 'township'),
                  ('441900003001', '岗贝社区', 'community'), ('441900003001001', '第一网格', 'basic'),
                  ('810001', '中西区', 'county')$$,
                'grids of a city without counties and of Hong Kong are accepted at their levels');
SELECT throws_ok($$INSERT INTO shegu.grid (code, name, kind) VALUES ('441900004', 'x', 'county')$$,
                 '23514', NULL, 'a township of 东莞 is not a county');
SELECT is((SELECT count(*) FROM shegu.coverage_problems('4419') WHERE problem = 'orphan'), 0::bigint,
          'coverage check: the township''s parent is the city 4419');

-- Names of divisions.
SELECT is((SELECT row(inserted, updated, unchanged)::text FROM load_divisions(
              E'code,name,parent\n440000000000,广东省,0\n441900000000,东莞市,440000000000\n'
              '441900003000,东城街道,441900000000\n441900003001,岗贝社区居民委员会,441900003000\n'
              '810000000000,香港特别行政区,\n810001000000,中西区,810000000000')),
          '(6,0,0)', 'load_divisions inserts six divisions');
SELECT is((SELECT count(*) FROM division WHERE parent IS DISTINCT FROM shegu.parent(code)
           OR level <> shegu.level(code)), 0::bigint, 'stored parent and level are the code''s');
SELECT is(division_path('441900003001001'), '广东省/东莞市/东城街道/岗贝社区居民委员会',
          'a grid''s path stops at its community and leaves out the missing county');
SELECT is((division_names('441900003001')).county, NULL, 'no county name in 东莞');
SELECT throws_ok($$SELECT * FROM shegu.load_divisions(E'441900004000,南城街道,441900000000\n441900005000,万江街道,441900005000')$$,
                 '22023', 'line 2 of the division list: parent 441900005 of 441900005 is not its parent 4419',
                 'a wrong parent is refused, naming the line');
SELECT is((SELECT count(*) FROM division), 6::bigint, 'and nothing of that list was written');

SELECT * FROM finish();
ROLLBACK;
