-- The grid code type (网格编码): input forms, output, errors, functions, operators, casts,
-- binary I/O and the B-tree range plan for <@.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION shegu;
SET search_path = shegu, public;

-- Every level, in each accepted form; output is canonical and shortest.
SELECT s AS input, s::gridcode AS code, level(s::gridcode)
FROM (VALUES ('43'), ('4305'), ('430528'), ('430528101'), ('430528101002'),
             ('430528101002003'), ('430528101002003007'),
             ('430528000000'), ('430528000000000000'), ('430528101000'),
             ('43-05-28-101-002-003-007'), ('43 05 28 101 002'), ('430528.101.002'),
             ('4305-28'), ('  430528101  '), ('11'), ('65'), ('71'), ('81'), ('82')) AS t(s);

-- Errors: each names the value and says why.
SELECT ''::gridcode;
SELECT '   '::gridcode;
SELECT '4'::gridcode;
SELECT '4305281'::gridcode;
SELECT '4305281010'::gridcode;
SELECT '4305281010020030071'::gridcode;
SELECT '43a528'::gridcode;
SELECT '4305２8'::gridcode;
SELECT '4-30528'::gridcode;
SELECT '43--0528'::gridcode;
SELECT '430528-'::gridcode;
SELECT '-430528'::gridcode;
SELECT '43_05_28'::gridcode;
SELECT '99'::gridcode;
SELECT '00'::gridcode;
SELECT '000000000000000000'::gridcode;
SELECT '430528000002'::gridcode;
SELECT '430028'::gridcode;
SELECT '430528101000003'::gridcode;

-- NULL in, NULL out, for every function.
SELECT NULL::gridcode IS NULL AS null_code,
       level(NULL) IS NULL AS level, parent(NULL) IS NULL AS parent,
       ancestor(NULL, 3) IS NULL AS ancestor, ancestor('43', NULL) IS NULL AS ancestor_level,
       segment(NULL, 3) IS NULL AS segment, is_ancestor(NULL, '43') IS NULL AS is_ancestor,
       ('43'::gridcode @> NULL) IS NULL AS contains, (NULL <@ '43'::gridcode) IS NULL AS contained;

-- Navigation.
SELECT c AS code, level(c), parent(c),
       ancestor(c, 1) AS a1, ancestor(c, 3) AS a3, ancestor(c, 5) AS a5, ancestor(c, 7) AS a7,
       segment(c, 1) AS s1, segment(c, 4) AS s4, segment(c, 6) AS s6, segment(c, 7) AS s7,
       subtree_last(c)
FROM unnest('{43,4305,430528,430528101,430528101002,430528101002003,430528101002003007}'::gridcode[]) AS c;
SELECT ancestor('430528101', 0);
SELECT ancestor('430528101', 8);
SELECT segment('430528101', -1);

-- Ancestry: @> and <@ include equality, is_ancestor is strict.
SELECT a, b, a @> b AS contains, b <@ a AS contained, is_ancestor(a, b), is_ancestor(b, a) AS reverse
FROM (VALUES ('430528', '430528101002'), ('430528101002', '430528101002'),
             ('430528101', '430528102001'), ('43', '430528101002003007'),
             ('430528101002003', '430528101002')) AS t(x, y),
     LATERAL (SELECT x::gridcode AS a, y::gridcode AS b) AS c;

-- Order is hierarchy pre-order: every subtree follows its root, contiguously.
SELECT c FROM unnest('{430528102,43,430528101002,4305,430528101,430528101002001,4306,430528,430528101001,44}'::gridcode[]) AS c
ORDER BY c;
SELECT a, b, a = b AS eq, a <> b AS ne, a < b AS lt, a <= b AS le, a > b AS gt, a >= b AS ge,
       gridcode_cmp(a, b) AS cmp
FROM (VALUES ('430528', '430528101'), ('430528101', '430528101'), ('430529', '430528999')) AS t(x, y),
     LATERAL (SELECT x::gridcode AS a, y::gridcode AS b) AS c;

-- Hash: equal codes hash equal whatever their input form; hash aggregation and joins work.
SELECT gridcode_hash('430528101') = gridcode_hash('43-05-28-101-000') AS same_hash,
       gridcode_hash_extended('430528101', 7) = gridcode_hash_extended('430528101000', 7) AS same_ext;
SET enable_sort = off;
SELECT c, count(*) FROM unnest('{430528,43-05-28,430528000000,430528101}'::gridcode[]) AS c
GROUP BY c ORDER BY c;
RESET enable_sort;

-- Casts: bigint has the digits of the text form.
SELECT '430528101002003'::gridcode::bigint AS to_bigint, 430528101002003::bigint::gridcode AS from_bigint,
       43::bigint::gridcode AS province, '430528000000'::gridcode::bigint AS county,
       '430528101'::gridcode::text AS to_text, '43 05 28'::text::gridcode AS from_text;
SELECT 4305281::bigint::gridcode;
SELECT 0::bigint::gridcode;
SELECT (-430528)::bigint::gridcode;
SELECT 9999999999999999999::numeric::bigint::gridcode;
SELECT 1000000000000000000::bigint::gridcode;
SELECT 430528000002::bigint::gridcode;
SELECT 990528::bigint::gridcode;
CREATE TEMP TABLE assign_test (c gridcode);
INSERT INTO assign_test SELECT '430528101'::text;
SELECT * FROM assign_test;

-- Binary send/receive: a version byte, then the padded value; round trip and bad input.
SELECT gridcode_send('430528101002') AS wire,
       gridcode_recv_test.c
FROM (SELECT '430528101002'::gridcode AS c) AS gridcode_recv_test;
COPY (SELECT unnest('{43,430528101,430528101002003007}'::gridcode[]) AS c)
  TO '/tmp/shegu_gridcode_regress.bin' WITH (FORMAT binary);
CREATE TEMP TABLE bin_copy (c gridcode);
COPY bin_copy FROM '/tmp/shegu_gridcode_regress.bin' WITH (FORMAT binary);
SELECT c FROM bin_copy ORDER BY c;
-- Hand-made binary COPY files: one field of 9 bytes, version byte first.
CREATE FUNCTION pg_temp.binary_copy_file(payload text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo oid := lo_from_bytea(0, decode('5047434f50590aff0d0a00' || '00000000' || '00000000'
                                      || '0001' || '00000009' || payload || 'ffff', 'hex'));
BEGIN
    PERFORM lo_export(lo, '/tmp/shegu_gridcode_regress.bin');
    PERFORM lo_unlink(lo);
END;
$$;
SELECT pg_temp.binary_copy_file('01' || '05f98b06de0c3680');
COPY bin_copy FROM '/tmp/shegu_gridcode_regress.bin' WITH (FORMAT binary);
SELECT pg_temp.binary_copy_file('02' || '05f98b06de0c3680');
COPY bin_copy FROM '/tmp/shegu_gridcode_regress.bin' WITH (FORMAT binary);
SELECT pg_temp.binary_copy_file('01' || '0de0b6b3a763ffff');
COPY bin_copy FROM '/tmp/shegu_gridcode_regress.bin' WITH (FORMAT binary);
SELECT c FROM bin_copy ORDER BY c;

-- A million codes: <@ and @> become a B-tree range scan.
CREATE TABLE codes (code gridcode);
INSERT INTO codes
SELECT (430528000000000000 + t * 1000000000 + v * 1000000 + g * 1000 + m)::bigint::gridcode
FROM generate_series(101::bigint, 120) AS t, generate_series(1::bigint, 50) AS v,
     generate_series(1::bigint, 20) AS g, generate_series(1::bigint, 50) AS m;
CREATE INDEX codes_code_idx ON codes (code);
VACUUM ANALYZE codes;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM codes WHERE code <@ '430528101';
SELECT count(*) FROM codes WHERE code <@ '430528101';
EXPLAIN (COSTS OFF) SELECT count(*) FROM codes WHERE '430528101002' @> code;
SELECT count(*) FROM codes WHERE '430528101002' @> code;
-- The same answer without the index.
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SET enable_indexonlyscan = off;
SELECT count(*) FROM codes WHERE code <@ '430528101';
SELECT count(*) FROM codes WHERE '430528101002' @> code;
RESET enable_indexscan;
RESET enable_bitmapscan;
RESET enable_indexonlyscan;
-- A parameter (prepared statement) is bound at run time; the range still serves it.
PREPARE under(gridcode) AS SELECT count(*) FROM codes WHERE code <@ $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE under('430528120050');
EXECUTE under('430528120050');
EXECUTE under('430528120050020050');
EXECUTE under('430529');
RESET plan_cache_mode;
-- Equality and ORDER BY use the index too.
EXPLAIN (COSTS OFF) SELECT code FROM codes WHERE code = '430528101001001001';
SELECT code FROM codes WHERE code <@ '430528101' ORDER BY code DESC LIMIT 2;
DROP TABLE codes;

-- Zero segments of real codes: a city without counties (东莞 4419, 中山 4420, 儋州 4604) puts
-- its townships under county 00; Hong Kong and Macao put their districts under city 00.
SELECT c AS code, level(c), parent(c), ancestor(c, 2) AS a2, ancestor(c, 3) AS a3,
       ancestor(c, 4) AS a4, segment(c, 2) AS s2, segment(c, 3) AS s3, c::bigint AS int_form,
       subtree_last(c)
FROM unnest('{4419,441900003,441900003001,4419-00-003-001-002,442000001,460400100,81,810001,820008,810001001}'::gridcode[]) AS c;
SELECT '441900000000'::gridcode AS padded_city, 441900003001::bigint::gridcode AS from_bigint,
       '441900003001'::gridcode = '4419 00 003 001'::gridcode AS same;
-- Still refused: city 00 outside 81/82, two zero segments in a row, zero township/village/grid.
SELECT '430028'::gridcode;
SELECT '810000001'::gridcode;
SELECT '441900000001'::gridcode;
SELECT '441900003000001'::gridcode;
SELECT 430028::bigint::gridcode;
-- Order: the county-less townships of 4419 come right after it, before any county 4419xx.
SELECT c FROM unnest('{441901,4420,441900003001,4419,441900101,441900003,44,810001,8101,81}'::gridcode[]) AS c ORDER BY c;
SELECT a, b, a @> b AS contains, is_ancestor(a, b)
FROM (VALUES ('4419', '441900003001'), ('44', '441900003'), ('441901', '441900003'),
             ('81', '810001'), ('810001', '810001001')) AS t(x, y),
     LATERAL (SELECT x::gridcode AS a, y::gridcode AS b) AS c;

-- Names of divisions (区划名称): the NBS list as code,name,parent (a real sample, test data only).
\set csv `cat test/fixtures/divisions_sample.csv`
SELECT * FROM load_divisions(:'csv');
SELECT * FROM load_divisions(:'csv');   -- idempotent
SELECT level, count(*) FROM division GROUP BY level ORDER BY level;
SELECT code, name, parent, level FROM division WHERE code <@ '4419' ORDER BY code LIMIT 4;
SELECT c AS code, division_name(c), division_path(c), division_path(c, ' > ') AS arrows
FROM unnest('{44,4419,441900003,441900003001,441900003001002,810001,430528,430528101,4306}'::gridcode[]) AS c;
SELECT c AS code, (division_names(c)).*
FROM unnest('{441900003001,810001,430528,44}'::gridcode[]) AS c;
SELECT division_name(NULL) IS NULL AS name_null, division_path(NULL) IS NULL AS path_null,
       division_path('43', NULL) IS NULL AS sep_null;
-- A rename is an update; a header line and blank lines are optional; quoted names.
SELECT * FROM load_divisions(E'\n430528000000,"新宁县",430500000000\n430529000000,城步县,430500000000\n\n');
SELECT division_name('430529');
SELECT * FROM load_divisions('430529000000,城步苗族自治县,430500000000');
-- A byte-order mark and a header; a comma in a name; a quoted name with a quote in it.
BEGIN;
SELECT * FROM load_divisions(E'\ufeffcode,name,parent\r\n810002000000,湾仔,区,810000000000\r\n810003000000,"东""区""",81');
SELECT code, name FROM division WHERE code IN ('810002', '810003') ORDER BY code;
ROLLBACK;
SELECT * FROM load_divisions(E'810002000000,湾"仔区,810000000000');
SELECT * FROM load_divisions(E'810002000000,"湾仔区,810000000000');
-- Errors name the line; nothing is written.
SELECT * FROM load_divisions(E'code,name,parent\n43,湖南省,\n4305,邵阳市,44');
SELECT * FROM load_divisions(E'441900003000,东城街道,441900000000\n441900003001,岗贝社区,441900000000');
SELECT * FROM load_divisions(E'43,湖南省\n');
SELECT * FROM load_divisions(E'43,湖南省,\n43x5,邵阳市,43');
SELECT * FROM load_divisions(E'43,湖南省,\n4305,邵阳市,4x');
SELECT * FROM load_divisions(E'430528101002003,第三网格,430528101002');
SELECT * FROM load_divisions(E'43,湖南省,\n4305,,43');
SELECT * FROM load_divisions(E'43,湖南/省,');
SELECT * FROM load_divisions(E'43,湖南省,\n43,湖南,');
SELECT * FROM load_divisions(E'code,name,parent\n');
SELECT * FROM load_divisions(NULL);
SELECT * FROM load_divisions(E'44,广东省,\n4420,中山市,44\n442000000001,x,4420');
SELECT count(*) AS rows_after_errors, count(*) FILTER (WHERE name = '城步苗族自治县') AS renamed_back FROM division;
-- The table is dumped with the user's data (shegu ships no rows).
SELECT extcondition[array_position(extconfig, 'shegu.division'::regclass)] AS division_dump_filter
FROM pg_extension WHERE extname = 'shegu';
-- A report over codes at levels 1-5 uses the primary key.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM division WHERE code = '441900003';
RESET enable_seqscan;

-- Everything the type declares is commented.
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
SELECT o.oid::regoperator AS undocumented
FROM pg_operator o JOIN pg_depend d ON d.objid = o.oid AND d.classid = 'pg_operator'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE obj_description(o.oid, 'pg_operator') IS NULL;
