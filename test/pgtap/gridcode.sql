-- pgTAP: invariants of shegu.gridcode over many generated codes.
-- test/pgtap/gridcode.sql
BEGIN;
SET search_path = shegu, public;
SELECT plan(14);

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

SELECT * FROM finish();
ROLLBACK;
