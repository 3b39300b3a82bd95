-- shegu 0.2.0, frozen: assembled from src/*.sql at tag v0.2.0 (8c189ac) by that commit's Makefile; never edit (docs/upgrading.md).
\echo Use "CREATE EXTENSION shegu" to load this file. \quit

-- ==== src/gridcode.sql
-- The grid code type (网格编码): I/O, navigation functions, operators, opclasses, casts.
-- src/gridcode.sql — declares what src/gridcode.c implements.

-- The search path of the rest of the install script, which the functions that call PostGIS keep
-- (SET search_path FROM CURRENT): shegu, then pg_catalog, then the schema PostGIS was installed
-- in, then pg_temp last.  Every other SQL and PL/pgSQL function pins shegu, pg_catalog, pg_temp
-- (docs/security.md).  CREATE EXTENSION restores the caller's path afterwards.
SELECT pg_catalog.set_config('search_path',
    pg_catalog.format('shegu, pg_catalog, %I, pg_temp', n.nspname), true)
FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';

CREATE TYPE shegu.gridcode;

CREATE FUNCTION shegu.gridcode_in(cstring) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_out(shegu.gridcode) RETURNS cstring
    AS 'MODULE_PATHNAME', 'gridcode_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_recv(internal) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_send(shegu.gridcode) RETURNS bytea
    AS 'MODULE_PATHNAME', 'gridcode_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE shegu.gridcode (
    INPUT = shegu.gridcode_in,
    OUTPUT = shegu.gridcode_out,
    RECEIVE = shegu.gridcode_recv,
    SEND = shegu.gridcode_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain
);

COMMENT ON TYPE shegu.gridcode IS
    'grid code (网格编码): 2-18 digits, province 2 | city 2 | county 2 | township 3 | village 3 | grid 3 | micro-grid 3; ordered so that every subtree is contiguous';
COMMENT ON FUNCTION shegu.gridcode_in(cstring) IS 'text input of shegu.gridcode: digits, optionally separated by "-", " " or "." between segments';
COMMENT ON FUNCTION shegu.gridcode_out(shegu.gridcode) IS 'text output of shegu.gridcode: the canonical shortest digits';
COMMENT ON FUNCTION shegu.gridcode_recv(internal) IS 'binary input of shegu.gridcode: a version byte, then the 18-digit value as int8';
COMMENT ON FUNCTION shegu.gridcode_send(shegu.gridcode) IS 'binary output of shegu.gridcode: a version byte, then the 18-digit value as int8';

-- Navigation.

CREATE FUNCTION shegu.level(shegu.gridcode) RETURNS int
    AS 'MODULE_PATHNAME', 'gridcode_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.level(shegu.gridcode) IS
    'level of a grid code: 1 province 省, 2 city 市, 3 county 县, 4 township/street 乡镇/街道, 5 village/community 村/社区, 6 basic grid 网格, 7 micro-grid 微网格';

CREATE FUNCTION shegu.parent(shegu.gridcode) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_parent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.parent(shegu.gridcode) IS
    'the code one level up (上级); NULL for a province';

CREATE FUNCTION shegu.ancestor(shegu.gridcode, level int) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_ancestor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.ancestor(shegu.gridcode, int) IS
    'the ancestor at a level 1-7 (the code itself at its own level); NULL when the code is above that level';

CREATE FUNCTION shegu.segment(shegu.gridcode, level int) RETURNS text
    AS 'MODULE_PATHNAME', 'gridcode_segment' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.segment(shegu.gridcode, int) IS
    'the digits of one segment (2 or 3 digits) at a level 1-7; NULL when the code is above that level';

CREATE FUNCTION shegu.is_ancestor(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_is_ancestor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.is_ancestor(shegu.gridcode, shegu.gridcode) IS
    'true when the first code is a proper ancestor of the second (not equal to it); a @> b also allows equality';

CREATE FUNCTION shegu.subtree_last(shegu.gridcode) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_subtree_last' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.subtree_last(shegu.gridcode) IS
    'the largest code in the subtree of a code: the subtree is exactly the range [code, subtree_last(code)]';

-- Comparison and hashing.

CREATE FUNCTION shegu.gridcode_eq(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_ne(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_lt(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_le(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_gt(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_ge(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_cmp(shegu.gridcode, shegu.gridcode) RETURNS int
    AS 'MODULE_PATHNAME', 'gridcode_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME', 'gridcode_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_hash(shegu.gridcode) RETURNS int
    AS 'MODULE_PATHNAME', 'gridcode_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION shegu.gridcode_hash_extended(shegu.gridcode, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'gridcode_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION shegu.gridcode_eq(shegu.gridcode, shegu.gridcode) IS 'implementation of = for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_ne(shegu.gridcode, shegu.gridcode) IS 'implementation of <> for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_lt(shegu.gridcode, shegu.gridcode) IS 'implementation of < for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_le(shegu.gridcode, shegu.gridcode) IS 'implementation of <= for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_gt(shegu.gridcode, shegu.gridcode) IS 'implementation of > for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_ge(shegu.gridcode, shegu.gridcode) IS 'implementation of >= for shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_cmp(shegu.gridcode, shegu.gridcode) IS 'B-tree comparison of shegu.gridcode: -1, 0 or 1 in hierarchy pre-order';
COMMENT ON FUNCTION shegu.gridcode_sortsupport(internal) IS 'B-tree sort support of shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_hash(shegu.gridcode) IS 'hash of shegu.gridcode';
COMMENT ON FUNCTION shegu.gridcode_hash_extended(shegu.gridcode, bigint) IS 'seeded hash of shegu.gridcode (hash partitioning)';

-- Hierarchy operators, with planner support that turns them into B-tree ranges.

CREATE FUNCTION shegu.gridcode_contained_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'gridcode_contained_support' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_contains_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'gridcode_contains_support' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.gridcode_contains(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
    SUPPORT shegu.gridcode_contains_support;
CREATE FUNCTION shegu.gridcode_contained(shegu.gridcode, shegu.gridcode) RETURNS boolean
    AS 'MODULE_PATHNAME', 'gridcode_contained' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
    SUPPORT shegu.gridcode_contained_support;

COMMENT ON FUNCTION shegu.gridcode_contained_support(internal) IS 'planner support: rewrites gridcode <@ x as a B-tree range scan';
COMMENT ON FUNCTION shegu.gridcode_contains_support(internal) IS 'planner support: rewrites x @> gridcode as a B-tree range scan';
COMMENT ON FUNCTION shegu.gridcode_contains(shegu.gridcode, shegu.gridcode) IS 'implementation of @>: the first code is the second or an ancestor of it';
COMMENT ON FUNCTION shegu.gridcode_contained(shegu.gridcode, shegu.gridcode) IS 'implementation of <@: the first code is the second or a descendant of it';

CREATE OPERATOR shegu.= (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_eq,
    COMMUTATOR = OPERATOR(shegu.=), NEGATOR = OPERATOR(shegu.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR shegu.<> (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_ne,
    COMMUTATOR = OPERATOR(shegu.<>), NEGATOR = OPERATOR(shegu.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR shegu.< (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_lt,
    COMMUTATOR = OPERATOR(shegu.>), NEGATOR = OPERATOR(shegu.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR shegu.<= (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_le,
    COMMUTATOR = OPERATOR(shegu.>=), NEGATOR = OPERATOR(shegu.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR shegu.> (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_gt,
    COMMUTATOR = OPERATOR(shegu.<), NEGATOR = OPERATOR(shegu.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR shegu.>= (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_ge,
    COMMUTATOR = OPERATOR(shegu.<=), NEGATOR = OPERATOR(shegu.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR shegu.@> (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_contains,
    COMMUTATOR = OPERATOR(shegu.<@),
    RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR shegu.<@ (
    LEFTARG = shegu.gridcode, RIGHTARG = shegu.gridcode, FUNCTION = shegu.gridcode_contained,
    COMMUTATOR = OPERATOR(shegu.@>),
    RESTRICT = contsel, JOIN = contjoinsel);

COMMENT ON OPERATOR shegu.= (shegu.gridcode, shegu.gridcode) IS 'equal';
COMMENT ON OPERATOR shegu.<> (shegu.gridcode, shegu.gridcode) IS 'not equal';
COMMENT ON OPERATOR shegu.< (shegu.gridcode, shegu.gridcode) IS 'before, in hierarchy pre-order (an ancestor sorts right before its descendants)';
COMMENT ON OPERATOR shegu.<= (shegu.gridcode, shegu.gridcode) IS 'before or equal, in hierarchy pre-order';
COMMENT ON OPERATOR shegu.> (shegu.gridcode, shegu.gridcode) IS 'after, in hierarchy pre-order';
COMMENT ON OPERATOR shegu.>= (shegu.gridcode, shegu.gridcode) IS 'after or equal, in hierarchy pre-order';
COMMENT ON OPERATOR shegu.@> (shegu.gridcode, shegu.gridcode) IS 'contains: the left code is the right one or an ancestor of it (a B-tree index on the right side serves it)';
COMMENT ON OPERATOR shegu.<@ (shegu.gridcode, shegu.gridcode) IS 'is contained in: the left code is the right one or a descendant of it (a B-tree index on the left side serves it)';

CREATE OPERATOR CLASS shegu.gridcode_ops
    DEFAULT FOR TYPE shegu.gridcode USING btree AS
        OPERATOR 1 shegu.<,
        OPERATOR 2 shegu.<=,
        OPERATOR 3 shegu.=,
        OPERATOR 4 shegu.>=,
        OPERATOR 5 shegu.>,
        FUNCTION 1 shegu.gridcode_cmp(shegu.gridcode, shegu.gridcode),
        FUNCTION 2 shegu.gridcode_sortsupport(internal);
COMMENT ON OPERATOR CLASS shegu.gridcode_ops USING btree IS 'B-tree order of grid codes: hierarchy pre-order, so subtrees are ranges';
COMMENT ON OPERATOR FAMILY shegu.gridcode_ops USING btree IS 'B-tree operator family of grid codes (holds only shegu.gridcode_ops): hierarchy pre-order';

CREATE OPERATOR CLASS shegu.gridcode_hash_ops
    DEFAULT FOR TYPE shegu.gridcode USING hash AS
        OPERATOR 1 shegu.=,
        FUNCTION 1 shegu.gridcode_hash(shegu.gridcode),
        FUNCTION 2 shegu.gridcode_hash_extended(shegu.gridcode, bigint);
COMMENT ON OPERATOR CLASS shegu.gridcode_hash_ops USING hash IS 'hash equality of grid codes';
COMMENT ON OPERATOR FAMILY shegu.gridcode_hash_ops USING hash IS 'hash operator family of grid codes (holds only shegu.gridcode_hash_ops): equality for hash joins and hash aggregation';

-- Casts.

CREATE FUNCTION shegu.gridcode(bigint) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'gridcode_from_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.gridcode(bigint) IS
    'grid code from its integer form, which has the same digits as its text: 430528101 is a township';
CREATE FUNCTION shegu.to_bigint(shegu.gridcode) RETURNS bigint
    AS 'MODULE_PATHNAME', 'gridcode_to_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.to_bigint(shegu.gridcode) IS
    'integer form of a grid code: the digits of its canonical text';

CREATE CAST (bigint AS shegu.gridcode) WITH FUNCTION shegu.gridcode(bigint);
CREATE CAST (shegu.gridcode AS bigint) WITH FUNCTION shegu.to_bigint(shegu.gridcode);
CREATE CAST (text AS shegu.gridcode) WITH INOUT AS ASSIGNMENT;
CREATE CAST (shegu.gridcode AS text) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST (bigint AS shegu.gridcode) IS 'explicit: same digits, 430528 is the county';
COMMENT ON CAST (shegu.gridcode AS bigint) IS 'explicit: same digits as the canonical text';
COMMENT ON CAST (text AS shegu.gridcode) IS 'by text input (assignment): separators allowed';
COMMENT ON CAST (shegu.gridcode AS text) IS 'by text output (assignment): canonical shortest digits';

-- ---------------------------------------------------------------------------------------------
-- Names of official divisions (区划名称): provinces down to villages/communities, loaded from
-- the statistical division code list (统计用区划代码) of the National Bureau of Statistics.

CREATE TABLE shegu.division (
    code   shegu.gridcode PRIMARY KEY,
    name   text NOT NULL,
    parent shegu.gridcode GENERATED ALWAYS AS (shegu.parent(code)) STORED,
    level  int GENERATED ALWAYS AS (shegu.level(code)) STORED,
    CONSTRAINT division_name CHECK (btrim(name) <> '' AND name !~ '[/\r\n]'),
    CONSTRAINT division_level CHECK (level <= 5)
);
CREATE INDEX division_parent_idx ON shegu.division (parent);
SELECT pg_catalog.pg_extension_config_dump('shegu.division', '');

COMMENT ON TABLE shegu.division IS
    'names of official divisions (区划名称) at levels 1-5 (province 省 to village/community 村/社区), one row per code; filled by shegu.load_divisions from the NBS statistical division code list (统计用区划代码); shegu ships no rows';
COMMENT ON COLUMN shegu.division.code IS 'the division''s code (levels 1-5; 441900003 is a township of 东莞市, whose county segment is 00)';
COMMENT ON COLUMN shegu.division.name IS 'official name, e.g. 新宁县 or 东城街道';
COMMENT ON COLUMN shegu.division.parent IS 'shegu.parent(code), kept for finding children by index (NULL for a province)';
COMMENT ON COLUMN shegu.division.level IS 'shegu.level(code): 1 province 省, 2 city 市, 3 county 县, 4 township/street 乡镇/街道, 5 village/community 村/社区';
COMMENT ON CONSTRAINT division_pkey ON shegu.division IS 'one name per code';
COMMENT ON INDEX shegu.division_pkey IS 'finds a division''s name by code';
COMMENT ON INDEX shegu.division_parent_idx IS 'finds the children of a division';
COMMENT ON CONSTRAINT division_name ON shegu.division IS 'a name is not blank and holds no "/" (the separator of shegu.division_path) and no line break';
COMMENT ON CONSTRAINT division_level ON shegu.division IS 'divisions are levels 1-5; grids (levels 6-7) are named in shegu.grid';

CREATE FUNCTION shegu.division_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'gridcode_division_invalidate' LANGUAGE C;
COMMENT ON FUNCTION shegu.division_invalidate() IS
    'statement trigger of shegu.division: tells every session to drop its cached division names';
CREATE TRIGGER division_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.division FOR EACH STATEMENT EXECUTE FUNCTION shegu.division_invalidate();
COMMENT ON TRIGGER division_invalidate ON shegu.division IS 'invalidates the cached division names of every session';

CREATE FUNCTION shegu.load_divisions(csv text)
    RETURNS TABLE (inserted int, updated int, unchanged int)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    ns int[];
    raws text[];
    code_texts text[];
    name_texts text[];
    parent_texts text[];
    codes shegu.gridcode[];
    names text[];
    parents shegu.gridcode[];
    bad record;
    detail text;
    why text;
BEGIN
    IF csv IS NULL THEN
        RAISE EXCEPTION 'division list is NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- Lines, numbered from 1; blank lines and a header line "code,name,parent" are skipped.
    SELECT array_agg(l.n ORDER BY l.n), array_agg(l.line ORDER BY l.n) INTO ns, raws
    FROM regexp_split_to_table(regexp_replace(csv, E'^\ufeff', ''), E'\r?\n') WITH ORDINALITY AS l(line, n)
    WHERE btrim(l.line, E' \t') <> ''
      AND NOT (l.n = 1 AND l.line ~* E'^\\s*code\\s*,\\s*name\\s*,\\s*parent\\s*$');
    IF ns IS NULL THEN
        RAISE EXCEPTION 'division list has no rows'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give lines of code,name,parent, e.g. 441900003000,东城街道,441900000000.';
    END IF;

    -- Fields: the code before the first comma, the parent after the last, the name between.
    SELECT array_agg(btrim(f.c, E' \t') ORDER BY u.n), array_agg(btrim(f.m, E' \t') ORDER BY u.n),
           array_agg(btrim(f.p, E' \t') ORDER BY u.n)
      INTO code_texts, name_texts, parent_texts
    FROM unnest(ns, raws) AS u(n, raw),
         LATERAL (SELECT split_part(u.raw, ',', 1) AS c, split_part(u.raw, ',', -1) AS p) AS s,
         LATERAL (SELECT s.c, s.p,
                         substr(u.raw, length(s.c) + 2, greatest(length(u.raw) - length(s.c) - length(s.p) - 2, 0)) AS m) AS f;

    SELECT u.n, u.raw INTO bad FROM unnest(ns, raws, name_texts) AS u(n, raw, name)
    WHERE u.raw NOT LIKE '%,%,%'
       OR (u.name LIKE '"%' AND (length(u.name) < 2 OR u.name NOT LIKE '%"'
                                 OR replace(substr(u.name, 2, length(u.name) - 2), '""', '') LIKE '%"%'))
       OR (u.name NOT LIKE '"%' AND u.name LIKE '%"%')
    ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list is not code,name,parent: "%"', bad.n, bad.raw
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'Three fields separated by commas; a name holding a quote is quoted ("...", "" inside).';
    END IF;
    names := (SELECT array_agg(CASE WHEN x LIKE '"%' THEN replace(substr(x, 2, length(x) - 2), '""', '"') ELSE x END
                               ORDER BY i)
              FROM unnest(name_texts) WITH ORDINALITY AS t(x, i));

    -- Codes and parents: all at once; on a bad one, find its line.
    BEGIN
        SELECT array_agg(u.c::shegu.gridcode ORDER BY u.i),
               array_agg(CASE WHEN u.p ~ '^0*$' THEN NULL ELSE u.p::shegu.gridcode END ORDER BY u.i)
          INTO codes, parents
        FROM unnest(code_texts, parent_texts) WITH ORDINALITY AS u(c, p, i);
    EXCEPTION WHEN invalid_text_representation THEN
        FOR bad IN SELECT u.n, u.c AS code, u.p AS parent
                   FROM unnest(ns, code_texts, parent_texts) AS u(n, c, p) ORDER BY u.n
        LOOP
            BEGIN
                PERFORM bad.code::shegu.gridcode;
                PERFORM CASE WHEN bad.parent ~ '^0*$' THEN NULL ELSE bad.parent::shegu.gridcode END;
            EXCEPTION WHEN invalid_text_representation THEN
                GET STACKED DIAGNOSTICS detail = MESSAGE_TEXT, why = PG_EXCEPTION_DETAIL;
                RAISE EXCEPTION 'line % of the division list: %', bad.n, detail
                    USING ERRCODE = 'invalid_text_representation', DETAIL = why;
            END;
        END LOOP;
        RAISE;
    END;

    SELECT u.n, u.code INTO bad FROM unnest(ns, codes) AS u(n, code)
    WHERE shegu.level(u.code) > 5 ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: % is a level-% grid, not a division', bad.n, bad.code, shegu.level(bad.code)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Divisions are levels 1-5 (province to village/community); grids are kept in shegu.grid.';
    END IF;
    SELECT u.n, u.name INTO bad FROM unnest(ns, names) AS u(n, name)
    WHERE btrim(u.name) = '' OR u.name ~ '[/\r\n]' ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: name "%" is blank or holds a "/"', bad.n, bad.name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT u.n, u.code, u.parent, shegu.parent(u.code) AS want INTO bad
    FROM unnest(ns, codes, parents) AS u(n, code, parent)
    WHERE u.parent IS DISTINCT FROM shegu.parent(u.code) ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: parent % of % is not its parent %',
                        bad.n, coalesce(bad.parent::text, '(none)'), bad.code, coalesce(bad.want::text, '(none)')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The parent of a code is the code cut after its last non-zero segment above its own (441900003 -> 4419, 810001 -> 81); a province has none (empty or 0).';
    END IF;
    SELECT a.n AS first, b.n AS second, a.code INTO bad
    FROM unnest(ns, codes) AS a(n, code) JOIN unnest(ns, codes) AS b(n, code) ON a.code = b.code AND a.n < b.n
    ORDER BY b.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'lines % and % of the division list both name %', bad.first, bad.second, bad.code
            USING ERRCODE = 'unique_violation';
    END IF;

    RETURN QUERY
    WITH up AS (
        INSERT INTO shegu.division AS d (code, name)
        SELECT u.code, u.name FROM unnest(codes, names) AS u(code, name)
        ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE d.name IS DISTINCT FROM excluded.name
        RETURNING (d.xmax = 0) AS is_new
    )
    SELECT count(*) FILTER (WHERE is_new)::int, count(*) FILTER (WHERE NOT is_new)::int,
           (cardinality(codes) - count(*))::int
    FROM up;
END;
$fn$;
COMMENT ON FUNCTION shegu.load_divisions(text) IS
    'loads the NBS statistical division code list (统计用区划代码) as CSV text, lines of code,name,parent (12-digit codes as published, a header line optional, a province''s parent empty or 0): checks every line (parent must be shegu.parent(code)), then inserts new codes and renames changed ones, all or nothing; returns the counts inserted, updated (renamed) and unchanged';

CREATE FUNCTION shegu.division_name(code shegu.gridcode) RETURNS text
    AS 'MODULE_PATHNAME', 'gridcode_division_name' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_name(shegu.gridcode) IS
    'the official name (区划名称) of a division code from shegu.division; NULL when the code is not loaded; cached per session';

CREATE FUNCTION shegu.division_path(code shegu.gridcode, separator text DEFAULT '/') RETURNS text
    AS 'MODULE_PATHNAME', 'gridcode_division_path' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_path(shegu.gridcode, text) IS
    'the names of the divisions containing a code, province first, down to its own level or village/community at most, joined by separator (湖南省/邵阳市/新宁县); skipped zero levels are left out; a division not loaded shows its code';

CREATE FUNCTION shegu.division_names(code shegu.gridcode,
        OUT province text, OUT city text, OUT county text, OUT township text, OUT village text)
    AS 'MODULE_PATHNAME', 'gridcode_division_names' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_names(shegu.gridcode) IS
    'the names of the divisions containing a code at levels 1-5 as columns province 省, city 市, county 县, township 乡镇/街道, village 村/社区; NULL below the code''s level, at a skipped zero level (东莞市 has no county) and for a division not loaded';

-- ==== src/coords.sql
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

-- ==== src/lookup.sql
-- The grid registry (网格) with boundaries and history, its staff (一格多元), boundary checks,
-- the coverage report, and point-in-grid lookup.
-- src/lookup.sql — declares what src/lookup.c implements.

-- Boundary check: every refusal is an error with its reason; nothing is repaired.

CREATE FUNCTION shegu.check_boundary(boundary geometry) RETURNS geometry
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
    kind text := pg_catalog.substr(ST_GeometryType(boundary), 4);
    reason text;
BEGIN
    IF ST_SRID(boundary) <> 4326 THEN
        RAISE EXCEPTION 'boundary has SRID %, not 4326', ST_SRID(boundary)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Grid boundaries are WGS-84/CGCS2000 longitude/latitude: ST_Transform(geom, 4326) a projected boundary, ST_SetSRID(geom, 4326) one whose SRID was merely not set, shegu.gcj02_to_wgs84(geom) one drawn on a Chinese web map.';
    END IF;
    IF kind NOT IN ('Polygon', 'MultiPolygon') THEN
        RAISE EXCEPTION 'boundary is a %, not a polygon or multipolygon', kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A grid is an area: give its outline as a Polygon or MultiPolygon (ST_CollectionExtract(geom, 3) takes the polygons out of a collection).';
    END IF;
    IF ST_IsEmpty(boundary) THEN
        RAISE EXCEPTION 'boundary is empty'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Leave the boundary NULL while a grid has none.';
    END IF;
    IF NOT ST_IsValid(boundary) THEN
        reason := ST_IsValidReason(boundary);
        RAISE EXCEPTION 'boundary is not valid'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('PostGIS says: %s.', reason),
                  HINT = 'Repair the drawing, or look at ST_MakeValid(boundary) and store that if it is right; shegu does not repair boundaries silently.';
    END IF;
    IF coalesce(pg_catalog.current_setting('shegu.china_bounds', true), 'off')::boolean
       AND (ST_XMin(boundary) < 73::float8 OR ST_XMax(boundary) > 136::float8
            OR ST_YMin(boundary) < 3::float8 OR ST_YMax(boundary) > 54::float8) THEN
        RAISE EXCEPTION 'boundary lies outside China'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Its extent is longitude %s to %s, latitude %s to %s; shegu.china_bounds asks for longitude 73 to 136 and latitude 3 to 54.',
                                  pg_catalog.round(ST_XMin(boundary)::numeric, 6), pg_catalog.round(ST_XMax(boundary)::numeric, 6),
                                  pg_catalog.round(ST_YMin(boundary)::numeric, 6), pg_catalog.round(ST_YMax(boundary)::numeric, 6)),
                  HINT = 'Check the axis order (longitude first) and that the coordinates are degrees, or SET shegu.china_bounds = off.';
    END IF;
    RETURN ST_Multi(ST_Force2D(boundary));
END
$$;
COMMENT ON FUNCTION shegu.check_boundary(geometry) IS
    'checks a grid boundary and returns it as a 2D MultiPolygon (SRID 4326); raises 22023 when it has another SRID, is not polygonal, is empty, is not valid (with PostGIS''s reason), or lies outside China while shegu.china_bounds is on';

-- The registry.

CREATE TABLE shegu.grid (
    code        shegu.gridcode NOT NULL,
    name        text NOT NULL,
    kind        text NOT NULL,
    boundary    geometry(MultiPolygon, 4326),
    valid_from  date NOT NULL DEFAULT '-infinity',
    valid_to    date,
    households  integer,
    population  integer,
    attrs       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (code, valid_from),
    CONSTRAINT grid_kind CHECK (kind IN ('province', 'city', 'county', 'township', 'community',
                                         'basic', 'dedicated', 'micro')),
    CONSTRAINT grid_kind_level CHECK (shegu.level(code) = CASE kind
        WHEN 'province' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3 WHEN 'township' THEN 4
        WHEN 'community' THEN 5 WHEN 'basic' THEN 6 WHEN 'dedicated' THEN 6 WHEN 'micro' THEN 7 END),
    CONSTRAINT grid_period CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT grid_counts CHECK (households >= 0 AND population >= 0),
    CONSTRAINT grid_versions_do_not_overlap EXCLUDE USING gist (
        int8range(shegu.to_bigint(code), shegu.to_bigint(code), '[]') WITH &&,
        daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX grid_boundary_idx ON shegu.grid USING gist (boundary);
SELECT pg_catalog.pg_extension_config_dump('shegu.grid', '');

COMMENT ON TABLE shegu.grid IS
    'grids (网格) at every level, with boundaries and history: one row per version of a code, versions of a code never overlap in time';
COMMENT ON COLUMN shegu.grid.code IS 'grid code (网格编码); its level must agree with kind';
COMMENT ON COLUMN shegu.grid.name IS 'name, e.g. 金石镇 or 城东社区第3网格';
COMMENT ON COLUMN shegu.grid.kind IS
    'province 省, city 市, county 县, township 乡镇/街道, community 村/社区, basic 基础网格, dedicated 专属网格 (school, hospital, park, market), micro 微网格';
COMMENT ON COLUMN shegu.grid.boundary IS
    'the area (WGS-84/CGCS2000 lon/lat); checked by shegu.check_boundary on write; NULL while not drawn (such a grid is never located)';
COMMENT ON COLUMN shegu.grid.valid_from IS 'first day this version applies (-infinity: since always)';
COMMENT ON COLUMN shegu.grid.valid_to IS 'first day it no longer applies; NULL while current';
COMMENT ON COLUMN shegu.grid.households IS 'households (户数) in the grid';
COMMENT ON COLUMN shegu.grid.population IS 'resident population (人口) in the grid';
COMMENT ON COLUMN shegu.grid.attrs IS 'free attributes (JSON)';
COMMENT ON CONSTRAINT grid_versions_do_not_overlap ON shegu.grid IS
    'no two versions of one code apply on the same day';
COMMENT ON CONSTRAINT grid_pkey ON shegu.grid IS 'a version is named by its code and its first day';
COMMENT ON CONSTRAINT grid_kind ON shegu.grid IS 'kind is one of the known grid kinds';
COMMENT ON CONSTRAINT grid_kind_level ON shegu.grid IS 'kind agrees with the level of the code';
COMMENT ON CONSTRAINT grid_period ON shegu.grid IS 'a version ends after it starts';
COMMENT ON CONSTRAINT grid_counts ON shegu.grid IS 'household and population counts are not negative';
COMMENT ON INDEX shegu.grid_pkey IS 'one row per (code, first day of the version)';
COMMENT ON INDEX shegu.grid_versions_do_not_overlap IS 'enforces grid_versions_do_not_overlap';
COMMENT ON INDEX shegu.grid_boundary_idx IS 'spatial index of boundaries (coverage report, PostGIS queries)';

CREATE FUNCTION shegu.grid_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.boundary IS NOT NULL THEN
        NEW.boundary := shegu.check_boundary(NEW.boundary);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION shegu.grid_check() IS
    'trigger of shegu.grid: refuses a boundary that shegu.check_boundary refuses';
CREATE TRIGGER grid_check BEFORE INSERT OR UPDATE OF boundary ON shegu.grid
    FOR EACH ROW EXECUTE FUNCTION shegu.grid_check();
COMMENT ON TRIGGER grid_check ON shegu.grid IS 'checks every boundary written';

CREATE FUNCTION shegu.grid_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lookup_grid_changed' LANGUAGE C;
COMMENT ON FUNCTION shegu.grid_changed() IS
    'trigger of shegu.grid: invalidates the relation''s cache entry so that every session rebuilds its lookup index after the change commits (and this one after each statement, or after a rollback)';
CREATE TRIGGER grid_changed AFTER INSERT OR UPDATE OF code, boundary, valid_from, valid_to OR DELETE OR TRUNCATE ON shegu.grid
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.grid_changed();
COMMENT ON TRIGGER grid_changed ON shegu.grid IS 'tells the lookup indexes (shared and per session) that grid codes, boundaries or validity changed; other columns do not invalidate them';

-- Staff (一格多元).

CREATE TABLE shegu.grid_staff (
    code        shegu.gridcode NOT NULL,
    person_name text NOT NULL,
    role        text NOT NULL,
    phone       text,
    db_role     name,
    valid_from  date NOT NULL DEFAULT current_date,
    valid_to    date,
    PRIMARY KEY (code, person_name, role, valid_from),
    CONSTRAINT grid_staff_role CHECK (role IN ('grid_head', 'grid_worker', 'police', 'auxiliary',
                                               'supervisor', 'other')),
    CONSTRAINT grid_staff_period CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX grid_staff_db_role_idx ON shegu.grid_staff (db_role);
SELECT pg_catalog.pg_extension_config_dump('shegu.grid_staff', '');
COMMENT ON TABLE shegu.grid_staff IS
    'the people responsible for a grid (一格多元), each with a role and a period';
COMMENT ON COLUMN shegu.grid_staff.code IS 'the grid (a code with at least one row in shegu.grid)';
COMMENT ON COLUMN shegu.grid_staff.person_name IS 'the person''s name';
COMMENT ON COLUMN shegu.grid_staff.role IS
    'grid_head 网格长, grid_worker 专职网格员, police 警员 (社区民警), auxiliary 协管员/辅警, supervisor 督导员, other';
COMMENT ON COLUMN shegu.grid_staff.phone IS 'contact phone';
COMMENT ON COLUMN shegu.grid_staff.db_role IS 'the database role the person''s apps connect as (for row-level security)';
COMMENT ON COLUMN shegu.grid_staff.valid_from IS 'first day of the assignment';
COMMENT ON COLUMN shegu.grid_staff.valid_to IS 'first day the person no longer holds the role; NULL while current';
COMMENT ON CONSTRAINT grid_staff_pkey ON shegu.grid_staff IS 'one row per grid, person, role and first day';
COMMENT ON CONSTRAINT grid_staff_role ON shegu.grid_staff IS 'role is one of the known roles';
COMMENT ON CONSTRAINT grid_staff_period ON shegu.grid_staff IS 'an assignment ends after it starts';
COMMENT ON INDEX shegu.grid_staff_pkey IS 'one row per (grid, person, role, first day)';
COMMENT ON INDEX shegu.grid_staff_db_role_idx IS 'finds a database role''s grids';

CREATE FUNCTION shegu.grid_staff_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM shegu.grid g WHERE g.code = NEW.code) THEN
        RAISE EXCEPTION 'grid % does not exist', NEW.code
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Staff member "%s" (%s) names a code with no row in shegu.grid.', NEW.person_name, NEW.role),
                  HINT = 'Insert the grid first.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION shegu.grid_staff_check() IS
    'trigger of shegu.grid_staff: the grid must exist (any version)';
CREATE TRIGGER grid_staff_check BEFORE INSERT OR UPDATE OF code ON shegu.grid_staff
    FOR EACH ROW EXECUTE FUNCTION shegu.grid_staff_check();
COMMENT ON TRIGGER grid_staff_check ON shegu.grid_staff IS 'refuses staff of an unknown grid';

-- Coverage (全覆盖, 无盲区, 不重叠).

CREATE FUNCTION shegu.coverage_problems(root shegu.gridcode DEFAULT NULL, at date DEFAULT current_date,
                                        sliver_m2 float8 DEFAULT 1)
RETURNS TABLE (problem text, code shegu.gridcode, other_code shegu.gridcode, area_m2 float8, geom geometry)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
#variable_conflict use_column
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'day of the coverage check is NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Give the day whose grid versions are checked, e.g. current_date.';
    END IF;
    IF sliver_m2 IS NULL OR sliver_m2 OPERATOR(pg_catalog.=) 'NaN'::float8 OR sliver_m2 OPERATOR(pg_catalog.<) 0::float8
       OR sliver_m2 OPERATOR(pg_catalog.=) 'Infinity'::float8 THEN
        RAISE EXCEPTION 'sliver_m2 % is not a finite area of 0 m² or more', coalesce(sliver_m2::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pieces of gap, overlap or outside up to sliver_m2 square metres are ignored; give e.g. 1.';
    END IF;
    RETURN QUERY
WITH g AS (
    SELECT g.code, g.boundary, shegu.parent(g.code) AS parent
    FROM shegu.grid g
    WHERE g.valid_from <= at AND (g.valid_to IS NULL OR g.valid_to > at)
      AND (root IS NULL OR g.code OPERATOR(shegu.<@) root)
), top AS (
    SELECT min(shegu.level(g.code)) AS level FROM g
), orphan AS (
    SELECT 'orphan'::text, c.code, c.parent, NULL::float8, NULL::geometry
    FROM g c, top
    WHERE shegu.level(c.code) > top.level
      AND NOT EXISTS (SELECT 1 FROM g p WHERE p.code = c.parent)
), gap AS (
    SELECT 'gap'::text, p.code, NULL::shegu.gridcode, ST_Area(d.geom::geography), d.geom
    FROM g p
    CROSS JOIN LATERAL (
        SELECT ST_Union(c.boundary) AS u FROM g c WHERE c.parent = p.code AND c.boundary IS NOT NULL
    ) k
    CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(p.boundary, k.u), 3)) AS d
    WHERE p.boundary IS NOT NULL AND k.u IS NOT NULL
), overlap AS (
    SELECT 'overlap'::text, a.code, b.code, ST_Area(i.geom::geography), i.geom
    FROM g a
    JOIN g b ON b.parent IS NOT DISTINCT FROM a.parent AND b.code > a.code AND a.boundary && b.boundary
    CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(a.boundary, b.boundary), 3) AS geom) i
    WHERE shegu.level(a.code) = shegu.level(b.code) AND NOT ST_IsEmpty(i.geom)
), outside AS (
    SELECT 'outside'::text, c.code, p.code, ST_Area(d.geom::geography), d.geom
    FROM g c
    JOIN g p ON p.code = c.parent
    CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Difference(c.boundary, p.boundary), 3) AS geom) d
    WHERE c.boundary IS NOT NULL AND p.boundary IS NOT NULL AND NOT ST_IsEmpty(d.geom)
)
SELECT * FROM (
    SELECT * FROM orphan
    UNION ALL SELECT * FROM gap
    UNION ALL SELECT * FROM overlap
    UNION ALL SELECT * FROM outside
) r (problem, code, other_code, area_m2, geom)
WHERE r.problem = 'orphan' OR r.area_m2 > sliver_m2
ORDER BY r.problem, r.code, r.other_code, r.area_m2 DESC;
END
$$;
COMMENT ON FUNCTION shegu.coverage_problems(shegu.gridcode, date, float8) IS
    'coverage check after redrawing boundaries (调整区划), for the grids under root (all when NULL) valid on a day: gap (area of a parent no child covers, one row per piece), overlap (area two siblings share), outside (area of a child beyond its parent), orphan (a code whose parent has no row; the top level present is exempt); areas in m² on the spheroid, pieces up to sliver_m2 ignored';

-- Lookup.

CREATE FUNCTION shegu.locate(pt geometry, at timestamptz DEFAULT now()) RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'lookup_locate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.locate(geometry, timestamptz) IS
    'the deepest grid whose boundary covers the point (SRID 4326) on the date of at (database time zone), the smallest code among equally deep ones; NULL outside every grid or for an empty point; exact on edges and vertices';

CREATE FUNCTION shegu.locate(lon float8, lat float8, crs text DEFAULT 'wgs84', at timestamptz DEFAULT now())
RETURNS shegu.gridcode
    AS 'MODULE_PATHNAME', 'lookup_locate_lonlat' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.locate(float8, float8, text, timestamptz) IS
    'shegu.locate for a longitude/latitude in crs wgs84, cgcs2000 (read as WGS-84), gcj02 (WeChat, Amap, Tencent) or bd09 (Baidu), converted to WGS-84 first';

CREATE FUNCTION shegu.fill_grid() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lookup_fill_grid' LANGUAGE C;
COMMENT ON FUNCTION shegu.fill_grid() IS
    'BEFORE INSERT OR UPDATE row trigger: fill_grid(''geom_column'', ''grid_column'' [, ''time_column'']) sets the grid column to shegu.locate(geom, time) on insert and whenever the point (or time) changes; without a time column, or when it is NULL, the transaction''s start time';

CREATE FUNCTION shegu.lookup_stats(
    OUT grids bigint, OUT rings bigint, OUT vertices bigint, OUT cells bigint, OUT leaves bigint,
    OUT entries bigint, OUT boundary_entries bigint, OUT edge_refs bigint, OUT depth int,
    OUT memory_bytes bigint, OUT build_ms float8, OUT built_at timestamptz,
    OUT builds bigint, OUT locates bigint, OUT raster_cells bigint, OUT raster_direct bigint,
    OUT raster_quarters bigint, OUT raster_quarters_direct bigint, OUT mode text)
    AS 'MODULE_PATHNAME', 'lookup_stats' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.lookup_stats() IS
    'this session''s lookup index (built first if missing or stale): grid versions, rings, vertices, quadtree cells and leaves, (leaf, grid) entries and how many are boundary ones, clipped edges held, depth, memory, build time; how many builds and locates this session has made; the raster over the quadtree (cells, and how many answer at once; quarters of boundary cells, and how many of those answer at once); mode: shared (one index per server in shared memory, with shegu in shared_preload_libraries), backend (this session''s own), transaction (this transaction changed the grids and reads its own), statement (a parallel query''s own)';

-- ==== src/import.sql
-- Loading boundaries (导入边界) from GeoJSON: datum conversion, checks or repair, a report per
-- feature, all or nothing; and deriving missing parent boundaries from their children.
-- src/import.sql — plain SQL and PL/pgSQL (no C).

-- Whether a GeoJSON "crs" name is longitude/latitude on WGS-84 or CGCS2000 (the only ones read).

CREATE FUNCTION shegu.geojson_crs_is_lonlat(crs_name text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN crs_name ~* '^\s*(urn:ogc:def:crs:OGC:1\.3:CRS84|urn:ogc:def:crs:OGC::CRS84|(OGC:)?CRS84|(urn:ogc:def:crs:)?EPSG:([0-9.]*:)?(4326|4490)|https?://www\.opengis\.net/def/crs/(OGC/1\.3/CRS84|EPSG/0/(4326|4490)))\s*$';
COMMENT ON FUNCTION shegu.geojson_crs_is_lonlat(text) IS
    'true when a GeoJSON crs name is longitude/latitude on WGS-84 or CGCS2000 (CRS84, EPSG:4326, EPSG:4490 and their URN/URL forms), the only coordinate systems shegu.import_grids reads';

-- A GeoJSON polygon's rings (an array of arrays of positions), each ending where it starts.

CREATE FUNCTION shegu.geojson_close_rings(rings jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT coalesce(jsonb_agg(CASE WHEN jsonb_array_length(r) = 0 OR r->0 = r->-1 THEN r
                                       ELSE r || jsonb_build_array(r->0) END ORDER BY i), '[]')
        FROM jsonb_array_elements(rings) WITH ORDINALITY AS t (r, i));
COMMENT ON FUNCTION shegu.geojson_close_rings(jsonb) IS
    'the rings of a GeoJSON polygon (its "coordinates": an array of arrays of positions), each closed by repeating its first position where the last differs; used by shegu.import_grids with repair => make_valid';

-- The import.

CREATE FUNCTION shegu.import_grids(
    geojson jsonb, code_property text, valid_from date,
    datum text DEFAULT 'wgs84', repair text DEFAULT 'refuse',
    name_property text DEFAULT 'name', max_area_change float8 DEFAULT 0.01,
    dry_run boolean DEFAULT false)
RETURNS TABLE (ordinal int, code shegu.gridcode, name text, kind text, status text, reason text,
               area_change_m2 float8, valid_to date, closes date)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path FROM CURRENT
AS $fn$
#variable_conflict use_column
DECLARE
    vf       date := import_grids.valid_from;
    dat      text := lower(import_grids.datum);
    rep      text := import_grids.repair;
    features jsonb;
    crs_name text;
    n        int;
    -- one element per feature
    a_code   shegu.gridcode[] := '{}';
    a_name   text[] := '{}';
    a_kind   text[] := '{}';
    a_status text[] := '{}';
    a_reason text[] := '{}';
    a_change float8[] := '{}';
    a_geom   geometry[] := '{}';
    a_attrs  jsonb[] := '{}';
    a_valid_to date[];
    a_closes date[];
    -- the feature at hand
    f        jsonb;
    props    jsonb;
    v        jsonb;
    g        jsonb;
    c        shegu.gridcode;
    nm       text;
    geom     geometry;
    fixed    geometry;
    vd       valid_detail;
    st       text;
    why      text;
    chg      float8;
    a0       float8;
    a1       float8;
    stage    text;
    fixes    text;
    china    boolean := coalesce(current_setting('shegu.china_bounds', true), 'off')::boolean;
    msg      text;
    det      text;
    refused  int;
    summary  text;
BEGIN
    -- Arguments: errors, nothing read.
    IF geojson IS NULL OR code_property IS NULL OR vf IS NULL OR dat IS NULL OR rep IS NULL
       OR max_area_change IS NULL OR dry_run IS NULL THEN
        RAISE EXCEPTION 'shegu.import_grids: % is NULL',
              CASE WHEN geojson IS NULL THEN 'geojson' WHEN code_property IS NULL THEN 'code_property'
                   WHEN vf IS NULL THEN 'valid_from' WHEN dat IS NULL THEN 'datum'
                   WHEN rep IS NULL THEN 'repair' WHEN max_area_change IS NULL THEN 'max_area_change'
                   ELSE 'dry_run' END
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Only name_property may be NULL (the codes are then the names).';
    END IF;
    IF vf = 'infinity' THEN
        RAISE EXCEPTION 'valid_from is infinity'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the first day the boundaries apply, or -infinity for since always.';
    END IF;
    IF dat NOT IN ('wgs84', 'cgcs2000', 'gcj02', 'bd09') THEN
        RAISE EXCEPTION 'unknown datum "%"', import_grids.datum
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use wgs84, cgcs2000 (read as WGS-84), gcj02 (Amap, Tencent, WeChat, most Chinese web-map data) or bd09 (Baidu).';
    END IF;
    IF rep NOT IN ('refuse', 'make_valid') THEN
        RAISE EXCEPTION 'unknown repair "%"', rep
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use refuse (an invalid boundary is refused with PostGIS''s reason) or make_valid (ST_MakeValid, polygons kept).';
    END IF;
    IF max_area_change = 'NaN' OR max_area_change < 0 THEN
        RAISE EXCEPTION 'max_area_change % is not a share of at least 0', max_area_change
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A repair may change the area by at most this share of it: 0.01 is 1 %; 1 allows any change.';
    END IF;
    IF jsonb_typeof(geojson) <> 'object' THEN
        RAISE EXCEPTION 'geojson is a JSON %, not a GeoJSON object', jsonb_typeof(geojson)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a FeatureCollection: {"type": "FeatureCollection", "features": [...]}.';
    END IF;
    IF (geojson->>'type') IS DISTINCT FROM 'FeatureCollection' THEN
        RAISE EXCEPTION 'geojson has type %, not FeatureCollection', coalesce('"' || (geojson->>'type') || '"', 'none')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Wrap a single Feature: {"type": "FeatureCollection", "features": [feature]}.';
    END IF;
    features := geojson->'features';
    IF jsonb_typeof(features) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'geojson has no "features" array'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its "features" member is %s.', coalesce('a JSON ' || jsonb_typeof(features), 'missing')),
                  HINT = 'A FeatureCollection lists its features in an array "features".';
    END IF;
    IF jsonb_typeof(geojson->'crs') IS NOT NULL AND jsonb_typeof(geojson->'crs') <> 'null' THEN
        crs_name := geojson->'crs'->'properties'->>'name';
        IF crs_name IS NULL OR NOT shegu.geojson_crs_is_lonlat(crs_name) THEN
            RAISE EXCEPTION 'geojson has crs %, not longitude/latitude on WGS-84 or CGCS2000',
                  coalesce('"' || crs_name || '"', (geojson->'crs')::text)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Reproject the file first, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson; GCJ-02 or BD-09 longitude/latitude is read with datum => ''gcj02'' or ''bd09''.';
        END IF;
    END IF;

    -- Each feature on its own: its code, name, kind and boundary, or why it is refused.
    n := 0;
    FOR f IN SELECT e FROM jsonb_array_elements(features) AS e LOOP
        n := n + 1;
        c := NULL; nm := NULL; geom := NULL; st := NULL; why := NULL; chg := NULL; props := '{}'; fixes := NULL;
        stage := NULL;
        BEGIN
            IF jsonb_typeof(f) <> 'object' OR (f->>'type') IS DISTINCT FROM 'Feature' THEN
                why := format('not a GeoJSON Feature (%s)',
                              CASE WHEN jsonb_typeof(f) = 'object' THEN coalesce('type "' || (f->>'type') || '"', 'no type')
                                   ELSE 'a JSON ' || jsonb_typeof(f) END);
            END IF;
            IF why IS NULL AND jsonb_typeof(f->'properties') = 'object' THEN
                props := f->'properties';
            END IF;
            -- the code
            IF why IS NULL THEN
                v := props->code_property;
                IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
                    why := format('no code: property "%s" is %s', code_property, CASE WHEN v IS NULL THEN 'missing' ELSE 'null' END);
                ELSIF jsonb_typeof(v) = 'string' THEN
                    stage := '';        -- gridcode_in names the value
                    c := (v #>> '{}')::shegu.gridcode;
                ELSIF jsonb_typeof(v) = 'number' THEN
                    IF v::numeric <> trunc(v::numeric) OR v::numeric < 0 OR v::numeric > 999999999999999999 THEN
                        why := format('invalid code %s: not a whole number of at most 18 digits', v);
                    ELSE
                        stage := '';    -- shegu.gridcode(bigint) names the value
                        c := shegu.gridcode(v::numeric::bigint);
                    END IF;
                ELSE
                    why := format('invalid code: property "%s" is a JSON %s, not a string or number', code_property, jsonb_typeof(v));
                END IF;
                stage := NULL;
            END IF;
            -- the name
            IF why IS NULL THEN
                IF name_property IS NULL THEN
                    nm := c::text;
                ELSE
                    v := props->name_property;
                    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
                        why := format('no name: property "%s" is %s', name_property, CASE WHEN v IS NULL THEN 'missing' ELSE 'null' END);
                    ELSIF jsonb_typeof(v) IN ('string', 'number') THEN
                        nm := btrim(v #>> '{}');
                        IF nm = '' THEN
                            why := format('no name: property "%s" is blank', name_property);
                        END IF;
                    ELSE
                        why := format('invalid name: property "%s" is a JSON %s, not a string', name_property, jsonb_typeof(v));
                    END IF;
                END IF;
            END IF;
            -- the geometry, as GeoJSON
            IF why IS NULL THEN
                g := f->'geometry';
                IF g IS NULL OR jsonb_typeof(g) = 'null' THEN
                    why := 'no geometry';
                ELSIF jsonb_typeof(g) <> 'object' THEN
                    why := format('geometry is a JSON %s, not a GeoJSON geometry', jsonb_typeof(g));
                ELSIF (g->>'type') IS NULL OR (g->>'type') NOT IN ('Polygon', 'MultiPolygon') THEN
                    why := format('geometry is a %s, not a Polygon or MultiPolygon', coalesce(g->>'type', 'geometry without type'));
                ELSIF jsonb_typeof(g->'coordinates') IS DISTINCT FROM 'array' THEN
                    why := 'geometry has no "coordinates" array';
                ELSIF (g->'coordinates')::text ~ '[^][0-9.,eE+ -]' THEN    -- json-c would read "1" or true as 0
                    why := 'geometry has a coordinate that is not a number';
                ELSIF jsonb_typeof(g->'crs') = 'object'
                      AND NOT coalesce(shegu.geojson_crs_is_lonlat(g->'crs'->'properties'->>'name'), false) THEN
                    why := format('geometry has crs %s, not longitude/latitude on WGS-84 or CGCS2000',
                                  coalesce('"' || (g->'crs'->'properties'->>'name') || '"', (g->'crs')::text));
                END IF;
            END IF;
            -- GeoJSON rings end where they start; some writers leave them open
            IF why IS NULL AND jsonb_path_exists(g->'coordinates',
                   CASE g->>'type' WHEN 'Polygon' THEN 'strict $[*] ? (@[0][0] != @[last][0] || @[0][1] != @[last][1])'
                                   ELSE 'strict $[*][*] ? (@[0][0] != @[last][0] || @[0][1] != @[last][1])' END::jsonpath,
                   '{}', true) THEN
                IF rep = 'refuse' THEN
                    why := 'not valid: a ring does not end where it starts';
                ELSE
                    fixes := 'a ring did not end where it starts (closed)';
                    g := jsonb_set(g, '{coordinates}', CASE g->>'type'
                        WHEN 'Polygon' THEN shegu.geojson_close_rings(g->'coordinates')
                        ELSE (SELECT coalesce(jsonb_agg(shegu.geojson_close_rings(p) ORDER BY i), '[]')
                              FROM jsonb_array_elements(g->'coordinates') WITH ORDINALITY AS t (p, i)) END);
                END IF;
            END IF;
            -- A ring of fewer than 4 positions encloses no area (and is not a valid ring, which
            -- ST_MakeValid may not mend): the repair drops it, and a polygon whose outer ring it was.
            IF why IS NULL AND rep = 'make_valid' AND jsonb_path_exists(g->'coordinates',
                   CASE g->>'type' WHEN 'Polygon' THEN 'strict $[*] ? (@.size() < 4)'
                                   ELSE 'strict $[*][*] ? (@.size() < 4)' END::jsonpath, '{}', true) THEN
                fixes := concat_ws('; ', fixes, 'a ring of fewer than 4 positions (no area) was dropped');
                g := jsonb_set(g, '{coordinates}', CASE g->>'type'
                    WHEN 'Polygon' THEN
                        CASE WHEN jsonb_array_length(g->'coordinates'->0) < 4 THEN '[]'::jsonb
                             ELSE (SELECT coalesce(jsonb_agg(r ORDER BY i), '[]')
                                   FROM jsonb_array_elements(g->'coordinates') WITH ORDINALITY AS t (r, i)
                                   WHERE jsonb_array_length(r) >= 4) END
                    ELSE (SELECT coalesce(jsonb_agg(q ORDER BY i), '[]')
                          FROM (SELECT i, (SELECT jsonb_agg(r ORDER BY k)
                                           FROM jsonb_array_elements(p) WITH ORDINALITY AS u (r, k)
                                           WHERE jsonb_array_length(r) >= 4) AS q
                                FROM jsonb_array_elements(g->'coordinates') WITH ORDINALITY AS t (p, i)
                                WHERE jsonb_array_length(p->0) >= 4) AS kept) END);
            END IF;
            IF why IS NULL THEN
                stage := 'geometry cannot be read: ';
                geom := ST_SetSRID(ST_GeomFromGeoJSON(g - 'crs'), 4326);
                stage := NULL;
                IF ST_IsEmpty(geom) THEN
                    why := 'geometry is empty';
                ELSIF NOT (ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180 AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90) THEN
                    why := format('coordinates out of range: longitude %s to %s, latitude %s to %s are not degrees (a projected file?)',
                                  ST_XMin(geom), ST_XMax(geom), ST_YMin(geom), ST_YMax(geom));
                END IF;
            END IF;
            -- to WGS-84, then valid (or repaired) and checked as shegu.grid will check it
            IF why IS NULL THEN
                stage := 'geometry cannot be checked: ';    -- GEOS may throw on odd input
                geom := ST_Force2D(geom);
                geom := CASE dat WHEN 'gcj02' THEN shegu.gcj02_to_wgs84(geom)
                                 WHEN 'bd09' THEN shegu.bd09_to_wgs84(geom)
                                 ELSE geom END;
                vd := ST_IsValidDetail(geom);
                IF vd.valid THEN
                    st := CASE WHEN fixes IS NULL THEN 'loaded' ELSE 'repaired' END;
                    why := fixes;
                    chg := 0;
                ELSE
                    msg := coalesce(fixes || '; ', '') || regexp_replace(vd.reason, '\s+$', '')
                           || coalesce(' at ' || ST_AsText(vd.location, 7), '');
                    IF rep = 'refuse' THEN
                        why := 'not valid: ' || msg;
                    ELSE
                        fixed := ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3);
                        -- GEOS's structure method can return parts that share an edge (not
                        -- valid): merge them, else take the linework method's polygons
                        IF fixed IS NOT NULL AND NOT ST_IsEmpty(fixed) AND NOT (ST_IsValidDetail(fixed)).valid THEN
                            fixed := ST_CollectionExtract(ST_UnaryUnion(fixed), 3);
                            IF fixed IS NULL OR ST_IsEmpty(fixed) OR NOT (ST_IsValidDetail(fixed)).valid THEN
                                fixed := ST_CollectionExtract(ST_MakeValid(geom, 'method=linework'), 3);
                            END IF;
                        END IF;
                        IF fixed IS NULL OR ST_IsEmpty(fixed) THEN
                            why := format('not valid: %s; ST_MakeValid leaves no area', msg);
                        ELSIF NOT (ST_IsValidDetail(fixed)).valid THEN
                            why := format('not valid: %s; ST_MakeValid gives no valid polygon (%s)',
                                          msg, ST_IsValidReason(fixed));
                        ELSE
                            a0 := ST_Area(geom::geography);
                            a1 := ST_Area(fixed::geography);
                            chg := a1 - a0;
                            IF abs(chg) > max_area_change * greatest(a0, a1) THEN
                                why := format('not valid: %s; ST_MakeValid changes the area by %s m² (%s %% of %s m²), more than max_area_change %s',
                                              msg, round(chg::numeric), round((100 * abs(chg) / greatest(a0, a1))::numeric, 2),
                                              round(greatest(a0, a1)::numeric), max_area_change);
                            ELSE
                                st := 'repaired';
                                why := msg;
                                geom := fixed;
                            END IF;
                        END IF;
                    END IF;
                END IF;
            END IF;
            stage := NULL;
            -- What else shegu.check_boundary (the table's trigger) refuses: SRID, kind, emptiness
            -- and validity are settled; the China bounds remain.
            IF st IS NOT NULL THEN
                IF china AND (ST_XMin(geom) < 73 OR ST_XMax(geom) > 136 OR ST_YMin(geom) < 3 OR ST_YMax(geom) > 54) THEN
                    why := format('boundary lies outside China: longitude %s to %s, latitude %s to %s; shegu.china_bounds asks for longitude 73 to 136 and latitude 3 to 54',
                                  round(ST_XMin(geom)::numeric, 6), round(ST_XMax(geom)::numeric, 6),
                                  round(ST_YMin(geom)::numeric, 6), round(ST_YMax(geom)::numeric, 6));
                    st := NULL;
                    chg := NULL;
                ELSE
                    geom := ST_Multi(geom);
                END IF;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
            IF stage IS NULL THEN
                RAISE;          -- not the input's fault
            END IF;
            why := stage || regexp_replace(msg, '[\s:]+$', '') || coalesce(': ' || nullif(regexp_replace(det, '[.\s]+$', ''), ''), '');
            st := NULL;
            chg := NULL;
        END;
        IF st IS NULL THEN
            st := 'refused';
        END IF;
        a_code[n] := c;
        a_name[n] := nm;
        a_kind[n] := CASE shegu.level(c) WHEN 1 THEN 'province' WHEN 2 THEN 'city' WHEN 3 THEN 'county'
                         WHEN 4 THEN 'township' WHEN 5 THEN 'community' WHEN 6 THEN 'basic' WHEN 7 THEN 'micro' END;
        a_status[n] := st;
        a_reason[n] := why;
        a_change[n] := chg;
        a_geom[n] := CASE WHEN st <> 'refused' THEN geom END;
        a_attrs[n] := props - code_property - coalesce(name_property, code_property);
    END LOOP;

    -- Across features and against the table: duplicate codes, versions starting on valid_from;
    -- a version applying on valid_from is closed there, and the new version ends where that one
    -- ended, or else where the code's next version starts.
    SELECT coalesce(array_agg(x.s ORDER BY t.i), '{}'), coalesce(array_agg(x.r ORDER BY t.i), '{}'),
           coalesce(array_agg(CASE WHEN x.s = t.s THEN t.a END ORDER BY t.i), '{}'),
           coalesce(array_agg(CASE WHEN x.s <> 'refused' THEN coalesce(cur.valid_to, nx.next_from) END ORDER BY t.i), '{}'),
           coalesce(array_agg(CASE WHEN x.s <> 'refused' THEN cur.valid_from END ORDER BY t.i), '{}')
    INTO a_status, a_reason, a_change, a_valid_to, a_closes
    FROM (SELECT u.*, array_agg(u.i) OVER (PARTITION BY u.c ORDER BY u.i
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS same
          FROM unnest(a_code, a_status, a_reason, a_change) WITH ORDINALITY AS u (c, s, r, a, i)) t
    CROSS JOIN LATERAL (
        SELECT CASE WHEN t.c IS NOT NULL AND cardinality(t.same) > 1 THEN array_remove(t.same, t.i) END AS others) d
    LEFT JOIN LATERAL (
        SELECT g.valid_from, g.valid_to FROM shegu.grid g
        WHERE g.code = t.c AND g.valid_from < vf AND (g.valid_to IS NULL OR g.valid_to > vf)) cur ON true
    LEFT JOIN LATERAL (
        SELECT min(g.valid_from) AS next_from FROM shegu.grid g WHERE g.code = t.c AND g.valid_from > vf) nx ON true
    CROSS JOIN LATERAL (
        SELECT CASE WHEN t.s = 'refused' THEN t.s
                    WHEN d.others IS NOT NULL THEN 'refused'
                    WHEN EXISTS (SELECT 1 FROM shegu.grid g WHERE g.code = t.c AND g.valid_from = vf) THEN 'refused'
                    ELSE t.s END AS s,
               CASE WHEN t.s = 'refused' THEN t.r
                    WHEN d.others IS NOT NULL THEN
                        format('duplicate code: also in feature%s %s',
                               CASE WHEN cardinality(d.others) > 1 THEN 's' ELSE '' END, array_to_string(d.others, ', '))
                    WHEN EXISTS (SELECT 1 FROM shegu.grid g WHERE g.code = t.c AND g.valid_from = vf) THEN
                        format('code already has a version from %s in shegu.grid', vf)
                    ELSE t.r END AS r) x;

    SELECT count(*),
           string_agg(format('feature %s%s: %s', t.i, coalesce(' (' || t.c || ')', ''), t.r), E'\n' ORDER BY t.i)
               FILTER (WHERE t.rank <= 5)
    INTO refused, summary
    FROM (SELECT t.*, row_number() OVER (ORDER BY t.i) AS rank
          FROM unnest(a_code, a_status, a_reason) WITH ORDINALITY AS t (c, s, r, i)
          WHERE t.s = 'refused') t;

    IF refused > 0 AND NOT dry_run THEN
        RAISE EXCEPTION 'import refused: % of % features cannot be loaded', refused, n
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = summary || CASE WHEN refused > 5 THEN format(E'\nand %s more', refused - 5) ELSE '' END,
                  HINT = 'Nothing was written. dry_run => true returns the report of every feature; repair => ''make_valid'' repairs invalid boundaries.';
    END IF;

    IF NOT dry_run AND n > 0 THEN
        UPDATE shegu.grid g SET valid_to = vf
        FROM unnest(a_code, a_closes) AS t (c, closes)
        WHERE g.code = t.c AND g.valid_from = t.closes;
        INSERT INTO shegu.grid (code, name, kind, boundary, valid_from, valid_to, attrs)
        SELECT t.c, t.nm, t.k, t.g, vf, t.vt, t.p
        FROM unnest(a_code, a_name, a_kind, a_geom, a_valid_to, a_attrs) WITH ORDINALITY AS t (c, nm, k, g, vt, p, i)
        ORDER BY t.i;
    END IF;

    RETURN QUERY
    SELECT t.i::int, t.c, t.nm, t.k, t.s, t.r, t.a, t.vt, t.cl
    FROM unnest(a_code, a_name, a_kind, a_status, a_reason, a_change, a_valid_to, a_closes)
         WITH ORDINALITY AS t (c, nm, k, s, r, a, vt, cl, i)
    ORDER BY t.i;
END
$fn$;
COMMENT ON FUNCTION shegu.import_grids(jsonb, text, date, text, text, text, float8, boolean) IS
    'loads the polygons of a GeoJSON FeatureCollection into shegu.grid as versions from valid_from (kind from the code''s level, datum converted to WGS-84, invalid boundaries refused or repaired with ST_MakeValid), all or nothing: returns one report row per feature, raises 22023 naming the refused ones when any is refused (dry_run only reports)';

CREATE FUNCTION shegu.import_grids(
    geojson text, code_property text, valid_from date,
    datum text DEFAULT 'wgs84', repair text DEFAULT 'refuse',
    name_property text DEFAULT 'name', max_area_change float8 DEFAULT 0.01,
    dry_run boolean DEFAULT false)
RETURNS TABLE (ordinal int, code shegu.gridcode, name text, kind text, status text, reason text,
               area_change_m2 float8, valid_to date, closes date)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT * FROM shegu.import_grids(geojson::jsonb, code_property, valid_from, datum, repair,
                                     name_property, max_area_change, dry_run);
END;
COMMENT ON FUNCTION shegu.import_grids(text, text, date, text, text, text, float8, boolean) IS
    'shegu.import_grids for GeoJSON text (e.g. pg_read_file or a psql variable); text that is not JSON raises 22P02';

-- Parents drawn from their children.

CREATE FUNCTION shegu.derive_boundaries(root shegu.gridcode, at date DEFAULT current_date,
                                        max_hole_m2 float8 DEFAULT 0, dry_run boolean DEFAULT false)
RETURNS TABLE (code shegu.gridcode, name text, valid_from date, children int, area_m2 float8,
               status text, reason text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path FROM CURRENT
AS $fn$
#variable_conflict use_column
DECLARE
    lvl       int;
    p         record;
    u         geometry;
    res_code  shegu.gridcode[] := '{}';
    res_name  text[] := '{}';
    res_from  date[] := '{}';
    res_kids  int[] := '{}';
    res_area  float8[] := '{}';
    res_st    text[] := '{}';
    res_why   text[] := '{}';
    k         int := 0;
    undoing   boolean := false;
BEGIN
    IF at IS NULL OR max_hole_m2 IS NULL OR dry_run IS NULL THEN
        RAISE EXCEPTION 'shegu.derive_boundaries: % is NULL',
              CASE WHEN at IS NULL THEN 'at' WHEN max_hole_m2 IS NULL THEN 'max_hole_m2' ELSE 'dry_run' END
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Only root may be NULL (every grid).';
    END IF;
    IF max_hole_m2 = 'NaN' OR max_hole_m2 < 0 THEN
        RAISE EXCEPTION 'max_hole_m2 % is not an area of at least 0', max_hole_m2
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Holes of the union up to this many square metres are filled; 0 keeps every hole.';
    END IF;
    BEGIN
        -- Deepest parents first, so that a derived boundary serves its own parent.
        FOR lvl IN REVERSE 6 .. coalesce(shegu.level(root), 1) LOOP
            FOR p IN
                SELECT g.code, g.name, g.valid_from, kids.n, kids.drawn, kids.undrawn, kids.u
                FROM shegu.grid g
                CROSS JOIN LATERAL (
                    SELECT count(*)::int AS n, count(c.boundary)::int AS drawn,
                           (array_agg(c.code ORDER BY c.code) FILTER (WHERE c.boundary IS NULL))[1:5] AS undrawn,
                           ST_Union(c.boundary) AS u
                    FROM shegu.grid c
                    WHERE c.code OPERATOR(shegu.<@) g.code AND shegu.parent(c.code) = g.code
                      AND c.valid_from <= at AND (c.valid_to IS NULL OR c.valid_to > at)) kids
                WHERE g.boundary IS NULL AND shegu.level(g.code) = lvl
                  AND (root IS NULL OR g.code OPERATOR(shegu.<@) root)
                  AND g.valid_from <= at AND (g.valid_to IS NULL OR g.valid_to > at)
                ORDER BY g.code
            LOOP
                k := k + 1;
                res_code[k] := p.code; res_name[k] := p.name; res_from[k] := p.valid_from; res_kids[k] := p.n;
                IF p.n = 0 THEN
                    res_st[k] := 'skipped';
                    res_why[k] := format('no children valid on %s', at);
                ELSIF p.drawn < p.n THEN
                    res_st[k] := 'skipped';
                    res_why[k] := format('%s of %s children have no boundary: %s%s', p.n - p.drawn, p.n,
                                         array_to_string(p.undrawn, ', '), CASE WHEN p.n - p.drawn > 5 THEN ', ...' ELSE '' END);
                ELSE
                    u := ST_CollectionExtract(ST_MakeValid(p.u), 3);
                    IF max_hole_m2 > 0 THEN
                        SELECT ST_Collect(ST_MakePolygon(ST_ExteriorRing(d.geom), ARRAY(
                                   SELECT ST_InteriorRingN(d.geom, i) FROM generate_series(1, ST_NumInteriorRings(d.geom)) AS i
                                   WHERE ST_Area(ST_MakePolygon(ST_InteriorRingN(d.geom, i))::geography) > max_hole_m2
                                   ORDER BY i)) ORDER BY d.path)
                        INTO u FROM ST_Dump(u) AS d;
                        u := ST_CollectionExtract(ST_MakeValid(u), 3);
                    END IF;
                    u := ST_Multi(u);
                    UPDATE shegu.grid g SET boundary = u WHERE g.code = p.code AND g.valid_from = p.valid_from;
                    res_st[k] := 'derived';
                    res_area[k] := ST_Area(u::geography);
                    res_why[k] := format('union of %s %s', p.n, CASE WHEN p.n = 1 THEN 'child' ELSE 'children' END);
                END IF;
            END LOOP;
        END LOOP;
        IF dry_run THEN
            undoing := true;
            RAISE EXCEPTION 'shegu.derive_boundaries dry run';
        END IF;
    EXCEPTION WHEN raise_exception THEN
        IF NOT undoing THEN
            RAISE;
        END IF;
    END;
    RETURN QUERY
    SELECT t.c, t.nm, t.vf, t.n, t.a, t.s, t.r
    FROM unnest(res_code, res_name, res_from, res_kids, res_area, res_st, res_why) WITH ORDINALITY AS t (c, nm, vf, n, a, s, r, i)
    ORDER BY t.i;
END
$fn$;
COMMENT ON FUNCTION shegu.derive_boundaries(shegu.gridcode, date, float8, boolean) IS
    'fills the NULL boundaries of the grid versions under root (all when NULL) valid on a day with the union of their children valid that day (deepest first, made valid, holes up to max_hole_m2 filled); a parent with no children or with a child without boundary is skipped; returns one row per parent considered (dry_run: writes nothing)';

-- ==== src/worktime.sql
-- The working-time calendar (工作日 / 调休 / 工作时): overrides, schedules, is_workday, add, between.
-- src/worktime.sql — declares what src/worktime.c implements.

-- Working-day overrides: the State Council's holidays and make-up working days (调休).

CREATE TABLE shegu.workday_override (
    day        date PRIMARY KEY CHECK (day BETWEEN '4713-11-24 BC' AND '294276-12-31'),
    is_workday boolean NOT NULL,
    name       text NOT NULL CHECK (name <> ''),
    shipped    boolean NOT NULL DEFAULT false
);
COMMENT ON CONSTRAINT workday_override_day_check ON shegu.workday_override IS 'the day lies in the range of timestamptz';
COMMENT ON CONSTRAINT workday_override_name_check ON shegu.workday_override IS 'a day has a name';
COMMENT ON TABLE shegu.workday_override IS
    'working-day calendar (工作日历): days whose status differs from Monday-Friday — holidays (is_workday false) and make-up working days 调休 (true); a year with at least one row is "loaded", other years fall back to Monday-Friday with a WARNING; users add each new year''s rows';
COMMENT ON INDEX shegu.workday_override_pkey IS 'one row per day';
COMMENT ON CONSTRAINT workday_override_pkey ON shegu.workday_override IS 'one override per calendar day';
COMMENT ON COLUMN shegu.workday_override.day IS 'the calendar day';
COMMENT ON COLUMN shegu.workday_override.is_workday IS 'true: a working day (e.g. a make-up working weekend day 调休); false: a day off (a public holiday)';
COMMENT ON COLUMN shegu.workday_override.name IS 'what the day is, e.g. 春节 Spring Festival';
COMMENT ON COLUMN shegu.workday_override.shipped IS 'true for the rows shegu ships (the State Council notices for 2025 and 2026); pg_dump keeps only rows where it is false';

INSERT INTO shegu.workday_override (day, is_workday, name, shipped) VALUES
    ('2025-01-01', false, '元旦 New Year', true),
    ('2025-01-26', true,  '春节 Spring Festival (make-up workday)', true),
    ('2025-01-28', false, '春节 Spring Festival', true),
    ('2025-01-29', false, '春节 Spring Festival', true),
    ('2025-01-30', false, '春节 Spring Festival', true),
    ('2025-01-31', false, '春节 Spring Festival', true),
    ('2025-02-01', false, '春节 Spring Festival', true),
    ('2025-02-02', false, '春节 Spring Festival', true),
    ('2025-02-03', false, '春节 Spring Festival', true),
    ('2025-02-04', false, '春节 Spring Festival', true),
    ('2025-02-08', true,  '春节 Spring Festival (make-up workday)', true),
    ('2025-04-04', false, '清明节 Qingming', true),
    ('2025-04-05', false, '清明节 Qingming', true),
    ('2025-04-06', false, '清明节 Qingming', true),
    ('2025-04-27', true,  '劳动节 Labour Day (make-up workday)', true),
    ('2025-05-01', false, '劳动节 Labour Day', true),
    ('2025-05-02', false, '劳动节 Labour Day', true),
    ('2025-05-03', false, '劳动节 Labour Day', true),
    ('2025-05-04', false, '劳动节 Labour Day', true),
    ('2025-05-05', false, '劳动节 Labour Day', true),
    ('2025-05-31', false, '端午节 Dragon Boat', true),
    ('2025-06-01', false, '端午节 Dragon Boat', true),
    ('2025-06-02', false, '端午节 Dragon Boat', true),
    ('2025-09-28', true,  '国庆节 National Day (make-up workday)', true),
    ('2025-10-01', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-02', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-03', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-04', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-05', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-06', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-07', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-08', false, '国庆节、中秋节 National Day and Mid-Autumn', true),
    ('2025-10-11', true,  '国庆节 National Day (make-up workday)', true),
    ('2026-01-01', false, '元旦 New Year', true),
    ('2026-01-02', false, '元旦 New Year', true),
    ('2026-01-03', false, '元旦 New Year', true),
    ('2026-01-04', true,  '元旦 New Year (make-up workday)', true),
    ('2026-02-14', true,  '春节 Spring Festival (make-up workday)', true),
    ('2026-02-15', false, '春节 Spring Festival', true),
    ('2026-02-16', false, '春节 Spring Festival', true),
    ('2026-02-17', false, '春节 Spring Festival', true),
    ('2026-02-18', false, '春节 Spring Festival', true),
    ('2026-02-19', false, '春节 Spring Festival', true),
    ('2026-02-20', false, '春节 Spring Festival', true),
    ('2026-02-21', false, '春节 Spring Festival', true),
    ('2026-02-22', false, '春节 Spring Festival', true),
    ('2026-02-23', false, '春节 Spring Festival', true),
    ('2026-02-28', true,  '春节 Spring Festival (make-up workday)', true),
    ('2026-04-04', false, '清明节 Qingming', true),
    ('2026-04-05', false, '清明节 Qingming', true),
    ('2026-04-06', false, '清明节 Qingming', true),
    ('2026-05-01', false, '劳动节 Labour Day', true),
    ('2026-05-02', false, '劳动节 Labour Day', true),
    ('2026-05-03', false, '劳动节 Labour Day', true),
    ('2026-05-04', false, '劳动节 Labour Day', true),
    ('2026-05-05', false, '劳动节 Labour Day', true),
    ('2026-05-09', true,  '劳动节 Labour Day (make-up workday)', true),
    ('2026-06-19', false, '端午节 Dragon Boat', true),
    ('2026-06-20', false, '端午节 Dragon Boat', true),
    ('2026-06-21', false, '端午节 Dragon Boat', true),
    ('2026-09-20', true,  '国庆节 National Day (make-up workday)', true),
    ('2026-09-25', false, '中秋节 Mid-Autumn', true),
    ('2026-09-26', false, '中秋节 Mid-Autumn', true),
    ('2026-09-27', false, '中秋节 Mid-Autumn', true),
    ('2026-10-01', false, '国庆节 National Day', true),
    ('2026-10-02', false, '国庆节 National Day', true),
    ('2026-10-03', false, '国庆节 National Day', true),
    ('2026-10-04', false, '国庆节 National Day', true),
    ('2026-10-05', false, '国庆节 National Day', true),
    ('2026-10-06', false, '国庆节 National Day', true),
    ('2026-10-07', false, '国庆节 National Day', true),
    ('2026-10-10', true,  '国庆节 National Day (make-up workday)', true);

SELECT pg_catalog.pg_extension_config_dump('shegu.workday_override', 'WHERE NOT shipped');

-- Schedules: daily working periods in a time zone.

CREATE TABLE shegu.work_schedule (
    name          text PRIMARY KEY CHECK (name <> ''),
    time_zone     text NOT NULL DEFAULT 'Asia/Shanghai',
    periods       text NOT NULL,
    workdays_only boolean NOT NULL DEFAULT true,
    shipped       boolean NOT NULL DEFAULT false
);
COMMENT ON CONSTRAINT work_schedule_name_check ON shegu.work_schedule IS 'a schedule has a name';
COMMENT ON TABLE shegu.work_schedule IS
    'working-hour schedules (作息时间): daily periods of working time (工作时) in a time zone; shegu.add_work_time and shegu.work_time_between name one';
COMMENT ON INDEX shegu.work_schedule_pkey IS 'schedules are named uniquely';
COMMENT ON CONSTRAINT work_schedule_pkey ON shegu.work_schedule IS 'a schedule is identified by its name';
COMMENT ON COLUMN shegu.work_schedule.name IS 'the name functions are given, e.g. default';
COMMENT ON COLUMN shegu.work_schedule.time_zone IS 'a time zone without daylight saving time now (e.g. Asia/Shanghai, UTC) or a fixed ISO offset (+08:00); the zone''s current offset is used for all dates';
COMMENT ON COLUMN shegu.work_schedule.periods IS 'daily working periods, ascending and not overlapping: 08:30-12:00,14:00-17:30 (H:MM or H:MM:SS; 24:00 may end a period); stored in canonical form';
COMMENT ON COLUMN shegu.work_schedule.workdays_only IS 'true: the periods work on working days (工作日) of shegu.workday_override only; false: on every day (natural time)';
COMMENT ON COLUMN shegu.work_schedule.shipped IS 'true for the schedules shegu ships (default, 24x7); pg_dump keeps only rows where it is false';

CREATE FUNCTION shegu.work_schedule_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'worktime_schedule_check' LANGUAGE C;
COMMENT ON FUNCTION shegu.work_schedule_check() IS
    'trigger of shegu.work_schedule: refuses an unknown or daylight-saving time zone and malformed periods, and stores the periods in canonical form';
CREATE TRIGGER work_schedule_check BEFORE INSERT OR UPDATE ON shegu.work_schedule
    FOR EACH ROW EXECUTE FUNCTION shegu.work_schedule_check();
COMMENT ON TRIGGER work_schedule_check ON shegu.work_schedule IS 'checks the time zone and the periods of each row';

INSERT INTO shegu.work_schedule (name, time_zone, periods, workdays_only, shipped) VALUES
    ('default', 'Asia/Shanghai', '08:30-12:00,14:00-17:30', true, true),
    ('24x7', 'Asia/Shanghai', '00:00-24:00', false, true);

SELECT pg_catalog.pg_extension_config_dump('shegu.work_schedule', 'WHERE NOT shipped');

-- Per-backend cache invalidation: any change to either table, committed or rolled back.

CREATE FUNCTION shegu.worktime_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'worktime_invalidate' LANGUAGE C;
COMMENT ON FUNCTION shegu.worktime_invalidate() IS
    'statement trigger of shegu.workday_override and shegu.work_schedule: tells every session to rebuild its cached calendar and schedules';
CREATE TRIGGER workday_override_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.workday_override FOR EACH STATEMENT EXECUTE FUNCTION shegu.worktime_invalidate();
CREATE TRIGGER work_schedule_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.work_schedule FOR EACH STATEMENT EXECUTE FUNCTION shegu.worktime_invalidate();
COMMENT ON TRIGGER workday_override_invalidate ON shegu.workday_override IS 'invalidates the cached calendar of every session';
COMMENT ON TRIGGER work_schedule_invalidate ON shegu.work_schedule IS 'invalidates the cached schedules of every session';

-- Functions.  Those in C read the tables (STABLE) and keep session state, the years already
-- warned about, that parallel workers cannot share: PARALLEL RESTRICTED, so they run in the
-- leader and the WARNING really comes once per session.

CREATE FUNCTION shegu.calendar_years() RETURNS SETOF int
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC SELECT DISTINCT extract(year FROM day)::int AS year FROM shegu.workday_override ORDER BY 1;
END;
COMMENT ON FUNCTION shegu.calendar_years() IS
    'the years the working-day calendar covers (those with at least one row in shegu.workday_override), ascending';

CREATE FUNCTION shegu.is_workday(day date) RETURNS boolean
    AS 'MODULE_PATHNAME', 'worktime_is_workday' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.is_workday(date) IS
    'true on a working day (工作日): the override of shegu.workday_override if any, else Monday-Friday (with a WARNING once per session for a year that is not loaded)';

CREATE FUNCTION shegu.add_work_time(start timestamptz, amount interval, schedule text DEFAULT 'default')
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'worktime_add' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.add_work_time(timestamptz, interval, text) IS
    'the earliest instant at which amount of working time (工作时) has passed since start under a schedule; amount''s days count as whole working days of the schedule (default: 7 hours each), months are refused; NULL start gives NULL, NULL or negative amount is an error';

CREATE FUNCTION shegu.work_time_between(a timestamptz, b timestamptz, schedule text DEFAULT 'default')
    RETURNS interval
    AS 'MODULE_PATHNAME', 'worktime_between' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.work_time_between(timestamptz, timestamptz, text) IS
    'working time (工作时) from a to b under a schedule, as hours, minutes and seconds (no day part); negative when b is before a; NULL when a or b is NULL';

-- ---------------------------------------------------------------------------------------------
-- The State Council's yearly notice (国务院办公厅关于X年部分节假日安排的通知), read into overrides.

CREATE FUNCTION shegu.parse_notice_date(year int, fragment text, after date DEFAULT NULL)
    RETURNS date
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp
AS $fn$
DECLARE
    m text[];
    y int;
    mo int;
    d int;
    result date;
    wd text;
    want int;
BEGIN
    m := regexp_match(fragment, '^(?:([0-9]{4})年)?(?:([0-9]{1,2})月)?([0-9]{1,2})日(?:（([^（）]*)）)?$');
    IF m IS NULL THEN
        RAISE EXCEPTION 'cannot read "%" of the holiday notice as a date', fragment
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'A date is written 1月28日, 2018年12月29日 or, after 至, 4日; a note in （） may follow.';
    END IF;
    y := coalesce(m[1]::int, extract(year FROM after)::int, year);
    mo := coalesce(m[2]::int, extract(month FROM after)::int);
    d := m[3]::int;
    IF mo IS NULL THEN
        RAISE EXCEPTION 'date "%" of the holiday notice has no month', fragment
            USING ERRCODE = 'invalid_text_representation';
    END IF;
    IF y NOT BETWEEN year - 1 AND year + 1 THEN
        RAISE EXCEPTION 'date "%" of the holiday notice for % lies in %', fragment, year, y
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A notice only names days of its year and the days next to it.';
    END IF;
    IF mo NOT BETWEEN 1 AND 12 OR d < 1 OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month' - interval '1 day') THEN
        RAISE EXCEPTION 'date "%" of the holiday notice does not exist in %', fragment, y
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    result := make_date(y, mo, d);
    IF after IS NOT NULL AND result < after THEN
        RAISE EXCEPTION 'date "%" of the holiday notice ends a range before its start %', fragment, after
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A weekday in the note (周三, 星期六) must be the date's.
    wd := (regexp_match(coalesce(m[4], ''), '(?:周|星期)([一二三四五六日天])'))[1];
    IF wd IS NOT NULL THEN
        want := strpos('日一二三四五六', CASE wd WHEN '天' THEN '日' ELSE wd END) - 1;
        IF extract(dow FROM result)::int <> want THEN
            RAISE EXCEPTION 'date "%" of the holiday notice: % is a %, not 周%', fragment, result,
                            to_char(result, 'FMDay'), wd
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN result;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_notice_date(int, text, date) IS
    'helper of shegu.parse_holiday_notice: one date of a holiday notice (1月28日（农历除夕、周二）, 2018年12月29日（星期六）, or 6日 after a start date) in the notice''s year; checks that the date exists and that a weekday in the note is right';

CREATE FUNCTION shegu.parse_holiday_notice(year int, notice text)
    RETURNS TABLE (day date, is_workday boolean, name text)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp
AS $fn$
DECLARE
    numerals constant text := '一二三四五六七八九十';
    festivals constant text[] := ARRAY['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
    english constant text[] := ARRAY['New Year', 'Spring Festival', 'Qingming', 'Labour Day',
                                     'Dragon Boat', 'Mid-Autumn', 'National Day'];
    text_norm text;
    line text;
    item text[];
    expected_no int := 1;
    no int;
    names text[];
    k int;
    zh text;
    en text;
    holiday_name text;
    makeup_name text;
    sentence text;
    clause text;
    m text[];
    d0 date;
    d1 date;
    item_days int;
    last_from date;
    last_to date;
    frag text;
    days date[] := '{}';
    works boolean[] := '{}';
    labels text[] := '{}';
    dd date;
    stated_year int;
BEGIN
    IF year IS NULL OR notice IS NULL THEN
        RAISE EXCEPTION 'year and notice text must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF year NOT BETWEEN 1950 AND 9998 THEN
        RAISE EXCEPTION 'holiday notice year % is out of range', year
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Years run from 1950 to 9998.';
    END IF;
    -- Half-width punctuation as reposted on the web reads like the full-width original.
    text_norm := translate(notice, '():,;', '（）：，；');
    -- An item starts a line, also where a repost ran the items together after a 。.
    text_norm := regexp_replace(text_norm, '。[[:space:]　]*([' || numerals || ']{1,3}、)', E'。\n\\1', 'g');
    stated_year := (regexp_match(text_norm, '([0-9]{4})年(?:部分节假日安排|元旦、)'))[1]::int;
    IF stated_year IS NOT NULL AND stated_year <> year THEN
        RAISE EXCEPTION 'the holiday notice is for %, not %', stated_year, year
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    FOR line IN SELECT l FROM regexp_split_to_table(text_norm, E'\\s*\\n\\s*') AS l LOOP
        line := regexp_replace(line, '[[:space:]　]+', '', 'g');
        IF line !~ ('^[' || numerals || ']+、') THEN
            CONTINUE;               -- the heading, the preamble, the closing words
        END IF;
        item := regexp_match(line, '^([' || numerals || ']{1,3})、([^：]+)：(.+)$');
        IF item IS NULL THEN
            RAISE EXCEPTION 'cannot read item "%" of the holiday notice', line
                USING ERRCODE = 'invalid_text_representation',
                      HINT = 'An item reads 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。';
        END IF;
        no := CASE WHEN length(item[1]) = 1 AND item[1] = '十' THEN 10
                   WHEN length(item[1]) = 1 THEN strpos(numerals, item[1])
                   WHEN item[1] ~ '^十.$' THEN 10 + strpos(numerals, substr(item[1], 2, 1))
                   ELSE -1 END;
        IF no <> expected_no THEN
            RAISE EXCEPTION 'item "%、" of the holiday notice comes where item % was expected', item[1], expected_no
                USING ERRCODE = 'invalid_text_representation',
                      DETAIL = 'Items are numbered 一、二、三、… without gaps.';
        END IF;
        expected_no := expected_no + 1;

        names := string_to_array(item[2], '、');
        zh := NULL;
        en := NULL;
        FOR k IN 1 .. cardinality(names) LOOP
            IF NOT names[k] = ANY (festivals) THEN
                RAISE EXCEPTION 'unknown festival "%" in item %、 of the holiday notice', names[k], item[1]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'The notice names 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节 and 国庆节.';
            END IF;
            en := CASE WHEN k = 1 THEN '' WHEN k = cardinality(names) THEN en || ' and ' ELSE en || ', ' END
                  || english[array_position(festivals, names[k])];
        END LOOP;
        holiday_name := item[2] || ' ' || en;
        makeup_name := names[1] || ' ' || english[array_position(festivals, names[1])] || ' (make-up workday)';

        item_days := 0;
        last_from := NULL;
        FOR sentence IN SELECT s FROM regexp_split_to_table(item[3], '。') AS s WHERE s <> '' LOOP
            FOR clause IN SELECT c FROM regexp_split_to_table(sentence, '，') AS c LOOP
                IF clause = '' THEN
                    RAISE EXCEPTION 'empty clause in item %、 of the holiday notice: "%"', item[1], sentence
                        USING ERRCODE = 'invalid_text_representation';
                END IF;
                -- holidays: 1月28日（…）至2月4日（…）放假调休 / 1月1日放假1天 / 1月2日（星期一）补休
                m := regexp_match(clause, '^(.+?)(?:至(.+?))?(?:放假(?:调休)?|补休)(?:([0-9]+)天)?$');
                IF m IS NOT NULL THEN
                    d0 := shegu.parse_notice_date(year, m[1]);
                    d1 := CASE WHEN m[2] IS NULL THEN d0 ELSE shegu.parse_notice_date(year, m[2], d0) END;
                    IF m[3] IS NOT NULL AND m[3]::int <> d1 - d0 + 1 THEN
                        RAISE EXCEPTION 'clause "%" of the holiday notice says % days, the dates give %',
                                        clause, m[3], d1 - d0 + 1
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    FOR dd IN SELECT g::date FROM generate_series(d0, d1, interval '1 day') AS g LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                    END LOOP;
                    item_days := item_days + (d1 - d0 + 1);
                    last_from := d0;
                    last_to := d1;
                    CONTINUE;
                END IF;
                -- 共3天: the item's holidays so far
                m := regexp_match(clause, '^共([0-9]+)天$');
                IF m IS NOT NULL THEN
                    IF m[1]::int <> item_days THEN
                        RAISE EXCEPTION 'clause "%" of item %、 of the holiday notice: the dates give % days', clause, item[1], item_days
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    CONTINUE;
                END IF;
                IF clause = '不调休' THEN
                    CONTINUE;
                END IF;
                -- 与周末连休: the weekend next to the holiday joins it (within the year)
                IF clause = '与周末连休' THEN
                    IF last_from IS NULL THEN
                        RAISE EXCEPTION '"%" in item %、 of the holiday notice follows no holiday', clause, item[1]
                            USING ERRCODE = 'invalid_text_representation';
                    END IF;
                    dd := last_from - 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd - 1;
                    END LOOP;
                    dd := last_to + 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd + 1;
                    END LOOP;
                    CONTINUE;
                END IF;
                -- make-up working days: 1月26日（周日）、2月8日（周六）上班
                m := regexp_match(clause, '^(.+)上班$');
                IF m IS NOT NULL THEN
                    FOREACH frag IN ARRAY regexp_split_to_array(m[1], '、(?![^（）]*）)') LOOP
                        dd := shegu.parse_notice_date(year, frag);
                        IF extract(isodow FROM dd) < 6 THEN
                            RAISE EXCEPTION 'make-up working day "%" of the holiday notice is a %, not a weekend day',
                                            frag, to_char(dd, 'FMDay')
                                USING ERRCODE = 'invalid_parameter_value';
                        END IF;
                        days := days || dd; works := works || true; labels := labels || makeup_name;
                    END LOOP;
                    CONTINUE;
                END IF;
                RAISE EXCEPTION 'cannot read "%" in item %、 of the holiday notice', clause, item[1]
                    USING ERRCODE = 'invalid_text_representation',
                          HINT = 'Clauses read like 1月1日（周四）至3日（周六）放假调休, 共3天, 放假1天, 不调休, 与周末连休, 1月2日（星期一）补休 or 1月4日（周日）、2月8日（周六）上班.';
            END LOOP;
        END LOOP;
    END LOOP;

    IF expected_no = 1 THEN
        RAISE EXCEPTION 'the holiday notice has no numbered items'
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'Give the notice text with its items 一、元旦：… 二、春节：… each on its own line.';
    END IF;
    SELECT u.d INTO dd FROM unnest(days) AS u(d) GROUP BY u.d HAVING count(*) > 1 ORDER BY u.d LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice names % twice', dd USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT u.d, u.w, u.l FROM unnest(days, works, labels) AS u(d, w, l) ORDER BY u.d;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_holiday_notice(int, text) IS
    'reads the State Council''s holiday notice for a year (国务院办公厅关于X年部分节假日安排的通知) into override rows: every day of each holiday (放假, 补休, 与周末连休) as a day off named after its festival, every make-up working day (上班) as a working day; checks weekdays, day counts (共N天) and item numbering, and refuses any clause it cannot read, naming it';

CREATE FUNCTION shegu.load_holiday_notice(year int, notice text)
    RETURNS TABLE (holidays int, workdays int, replaced int)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    parsed_days date[];
    parsed_work boolean[];
    parsed_name text[];
    clash record;
    removed int;
BEGIN
    SELECT array_agg(p.day ORDER BY p.day), array_agg(p.is_workday ORDER BY p.day), array_agg(p.name ORDER BY p.day)
      INTO parsed_days, parsed_work, parsed_name
    FROM shegu.parse_holiday_notice(year, notice) AS p;

    -- Shipped rows stand: the notice may repeat them, never contradict them.
    SELECT o.day, o.is_workday, o.name INTO clash
    FROM unnest(parsed_days, parsed_work) AS p(day, is_workday)
    JOIN shegu.workday_override AS o ON o.day = p.day AND o.shipped AND o.is_workday <> p.is_workday
    ORDER BY o.day LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice for % contradicts the shipped calendar on %', year, clash.day
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('shegu ships %s as %s (%s).', clash.day,
                                  CASE WHEN clash.is_workday THEN 'a working day' ELSE 'a day off' END, clash.name);
    END IF;

    DELETE FROM shegu.workday_override AS o
    WHERE NOT o.shipped AND o.day >= make_date(year, 1, 1) AND o.day < make_date(year + 1, 1, 1);
    GET DIAGNOSTICS removed = ROW_COUNT;

    INSERT INTO shegu.workday_override AS o (day, is_workday, name)
    SELECT p.day, p.is_workday, p.name FROM unnest(parsed_days, parsed_work, parsed_name) AS p(day, is_workday, name)
    ON CONFLICT ON CONSTRAINT workday_override_pkey DO UPDATE
        SET is_workday = excluded.is_workday, name = excluded.name
        WHERE NOT o.shipped;

    RETURN QUERY SELECT count(*) FILTER (WHERE NOT w)::int, count(*) FILTER (WHERE w)::int, removed
                 FROM unnest(parsed_work) AS u(w);
END;
$fn$;
COMMENT ON FUNCTION shegu.load_holiday_notice(int, text) IS
    'loads the State Council''s holiday notice for a year (see shegu.parse_holiday_notice) into shegu.workday_override, all or nothing: the year''s rows that are not shipped are replaced; shipped rows stay and a notice contradicting one is refused; days of a neighbouring year the notice names explicitly (2018年12月29日) replace only that day''s row; returns the notice''s holiday and make-up day counts and the number of rows it removed';

-- ==== src/incident.sql
-- Incidents (矛盾问题/事件): categories and time limits, the closed-loop workflow, the event log,
-- act(), report(), sweep(), time lights, measures and accountability.
-- src/incident.sql — declares what src/incident.c implements.

-- ---------------------------------------------------------------------------------------------
-- Categories and their time limits: the tiered handling list (矛盾问题分级处置清单).

CREATE TABLE shegu.incident_category (
    code            text PRIMARY KEY
                    CHECK (code ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' AND length(code) <= 63),
    parent          text REFERENCES shegu.incident_category (code) ON UPDATE CASCADE,
    name_zh         text NOT NULL CHECK (name_zh <> ''),
    name_en         text NOT NULL CHECK (name_en <> ''),
    handling_level  text NOT NULL CHECK (handling_level IN ('grid', 'community', 'township', 'county')),
    accept_limit    interval NOT NULL CHECK (accept_limit > interval '0'),
    accept_basis    text NOT NULL DEFAULT 'working' CHECK (accept_basis IN ('working', 'natural')),
    dispose_limit   interval NOT NULL CHECK (dispose_limit > interval '0'),
    dispose_basis   text NOT NULL DEFAULT 'working' CHECK (dispose_basis IN ('working', 'natural')),
    schedule        text NOT NULL DEFAULT 'default' CHECK (length(schedule) <= 63)
                    REFERENCES shegu.work_schedule (name) ON UPDATE CASCADE,
    yellow_share    float8 NOT NULL DEFAULT 0.8 CHECK (yellow_share > 0 AND yellow_share < 1),
    shipped         boolean NOT NULL DEFAULT false,
    CONSTRAINT incident_category_not_own_parent CHECK (parent IS DISTINCT FROM code)
);
COMMENT ON INDEX shegu.incident_category_pkey IS 'categories by code';
COMMENT ON TABLE shegu.incident_category IS
    'incident categories and their time limits: the tiered handling list (矛盾问题分级处置清单); rows with shipped = false are the user''s and are kept by pg_dump';
COMMENT ON COLUMN shegu.incident_category.code IS 'category code, dotted by parent: dispute.neighbour';
COMMENT ON COLUMN shegu.incident_category.parent IS 'parent category (NULL for a top-level category)';
COMMENT ON COLUMN shegu.incident_category.name_zh IS 'Chinese name (中文名称)';
COMMENT ON COLUMN shegu.incident_category.name_en IS 'English name';
COMMENT ON COLUMN shegu.incident_category.handling_level IS
    'level that handles it first (巡办分离): grid 网格, community 社区/村, township 乡镇/街道, county 县';
COMMENT ON COLUMN shegu.incident_category.accept_limit IS 'time allowed from report to acceptance (受理时限), in accept_basis';
COMMENT ON COLUMN shegu.incident_category.accept_basis IS 'working (工作时, by the schedule) or natural (自然时) time for accept_limit';
COMMENT ON COLUMN shegu.incident_category.dispose_limit IS 'time allowed from acceptance to disposal (处置时限), in dispose_basis';
COMMENT ON COLUMN shegu.incident_category.dispose_basis IS 'working (工作时, by the schedule) or natural (自然时) time for dispose_limit';
COMMENT ON COLUMN shegu.incident_category.schedule IS 'working-time schedule (shegu.work_schedule) that working limits are counted in';
COMMENT ON COLUMN shegu.incident_category.yellow_share IS 'share of the allowed time after which the time light turns yellow (default 0.8)';
COMMENT ON COLUMN shegu.incident_category.shipped IS 'true for the rows CREATE EXTENSION ships; pg_dump keeps only rows with false';

COMMENT ON CONSTRAINT incident_category_not_own_parent ON shegu.incident_category IS 'a category is not its own parent';
COMMENT ON CONSTRAINT incident_category_code_check ON shegu.incident_category IS 'codes are lower-case words joined by dots, at most 63 characters';
COMMENT ON CONSTRAINT incident_category_name_zh_check ON shegu.incident_category IS 'the Chinese name is not empty';
COMMENT ON CONSTRAINT incident_category_name_en_check ON shegu.incident_category IS 'the English name is not empty';
COMMENT ON CONSTRAINT incident_category_handling_level_check ON shegu.incident_category IS 'handling level is grid, community, township or county';
COMMENT ON CONSTRAINT incident_category_accept_limit_check ON shegu.incident_category IS 'the acceptance limit is positive';
COMMENT ON CONSTRAINT incident_category_accept_basis_check ON shegu.incident_category IS 'the acceptance limit counts working or natural time';
COMMENT ON CONSTRAINT incident_category_dispose_limit_check ON shegu.incident_category IS 'the disposal limit is positive';
COMMENT ON CONSTRAINT incident_category_dispose_basis_check ON shegu.incident_category IS 'the disposal limit counts working or natural time';
COMMENT ON CONSTRAINT incident_category_schedule_check ON shegu.incident_category IS 'schedule names are at most 63 characters (the triggers'' cache keys)';
COMMENT ON CONSTRAINT incident_category_yellow_share_check ON shegu.incident_category IS 'the yellow share lies strictly between 0 and 1';
COMMENT ON CONSTRAINT incident_category_pkey ON shegu.incident_category IS 'a category is identified by its code';
COMMENT ON CONSTRAINT incident_category_parent_fkey ON shegu.incident_category IS 'the parent is an existing category; renaming a code renames it in its children; a category with children cannot be deleted';
COMMENT ON CONSTRAINT incident_category_schedule_fkey ON shegu.incident_category IS 'working limits are counted in an existing schedule of shegu.work_schedule; renaming the schedule follows, a schedule in use cannot be deleted';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident_category', 'WHERE NOT shipped');

-- The shipped tree.  Working limits count working time of the schedule (a day is one working
-- day: 7 hours in the default schedule); natural limits are wall-clock time.
INSERT INTO shegu.incident_category
    (code, parent, name_zh, name_en, handling_level, accept_limit, accept_basis, dispose_limit, dispose_basis, schedule, shipped)
VALUES
    ('dispute',              NULL,           '矛盾纠纷',         'Disputes',                         'community', '4 hours',  'working', '5 days',   'working', 'default', true),
    ('dispute.neighbour',    'dispute',      '邻里纠纷',         'Neighbour dispute',                'grid',      '2 hours',  'working', '2 days',   'working', 'default', true),
    ('dispute.family',       'dispute',      '婚姻家庭纠纷',     'Marriage and family dispute',      'community', '4 hours',  'working', '3 days',   'working', 'default', true),
    ('dispute.land',         'dispute',      '土地山林纠纷',     'Land and forest dispute',          'township',  '7 hours',  'working', '10 days',  'working', 'default', true),
    ('dispute.labour',       'dispute',      '劳资纠纷',         'Labour and wage dispute',          'township',  '4 hours',  'working', '5 days',   'working', 'default', true),
    ('hazard',               NULL,           '安全隐患',         'Public safety hazards',            'community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('hazard.fire',          'hazard',       '消防安全隐患',     'Fire hazard',                      'community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('hazard.road',          'hazard',       '道路交通安全隐患', 'Road traffic hazard',              'township',  '2 hours',  'natural', '48 hours', 'natural', 'default', true),
    ('hazard.production',    'hazard',       '安全生产隐患',     'Workplace safety hazard',          'township',  '2 hours',  'natural', '72 hours', 'natural', 'default', true),
    ('hazard.gas',           'hazard',       '燃气安全隐患',     'Gas safety hazard',                'community', '30 minutes', 'natural', '12 hours', 'natural', 'default', true),
    ('environment',          NULL,           '环境卫生',         'Environment and sanitation',       'grid',      '2 hours',  'working', '2 days',   'working', 'default', true),
    ('environment.garbage',  'environment',  '垃圾乱堆乱放',     'Garbage dumping',                  'grid',      '2 hours',  'working', '1 day',    'working', 'default', true),
    ('environment.sewage',   'environment',  '污水外溢',         'Sewage overflow',                  'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('environment.air',      'environment',  '大气污染',         'Air pollution',                    'township',  '4 hours',  'working', '5 days',   'working', 'default', true),
    ('construction',         NULL,           '违法建设',         'Illegal construction',             'township',  '4 hours',  'working', '10 days',  'working', 'default', true),
    ('construction.building','construction', '违章搭建',         'Unauthorised building',            'township',  '4 hours',  'working', '10 days',  'working', 'default', true),
    ('construction.land_use','construction', '违法占地',         'Illegal land use',                 'county',    '7 hours',  'working', '20 days'  ,'working', 'default', true),
    ('special',              NULL,           '特殊人群',         'Special populations',              'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.correction',   'special',      '社区矫正人员',     'Person under community correction','community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.released',     'special',      '刑满释放人员',     'Released prisoner',                'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.drug',         'special',      '吸毒人员',         'Drug user',                        'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.mental',       'special',      '严重精神障碍患者', 'Person with severe mental illness','community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('petition',             NULL,           '信访',             'Petitions',                        'county',    '15 days',  'natural', '60 days',  'natural', 'default', true),
    ('public_service',       NULL,           '公共服务',         'Public services',                  'community', '4 hours',  'working', '5 days',   'working', 'default', true),
    ('public_service.facility','public_service','公共设施损坏', 'Damaged public facility',          'community', '4 hours',  'working', '3 days',   'working', 'default', true),
    ('public_service.utility','public_service','水电气暖',      'Water, power, gas and heating',    'township',  '2 hours',  'working', '2 days',   'working', 'default', true),
    ('other',                NULL,           '其他',             'Other',                            'community', '4 hours',  'working', '5 days',   'working', 'default', true);

-- ---------------------------------------------------------------------------------------------
-- Incidents and their event log.

CREATE FUNCTION shegu.incident_county(grid shegu.gridcode) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN rpad(left(grid::text, 6), 6, '0')::bigint;
COMMENT ON FUNCTION shegu.incident_county(shegu.gridcode) IS
    'county (县) number of a grid: the first six digits of its code, zero-padded for a province or city code (430528 for 430528101002003, 430000 for 43); the distribution key of incidents on Citus';

CREATE TABLE shegu.incident (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category            text NOT NULL REFERENCES shegu.incident_category (code) ON UPDATE CASCADE,
    title               text NOT NULL CHECK (title <> ''),
    description         text,
    location            geometry(Point, 4326),
    grid                shegu.gridcode NOT NULL,
    source              text NOT NULL
                        CHECK (source IN ('patrol', 'resident', 'hotline', 'wechat', 'video', 'leader', 'media', 'superior')),
    reporter            text,
    reported_at         timestamptz NOT NULL,
    status              text NOT NULL DEFAULT 'reported'
                        CHECK (status IN ('reported', 'accepted', 'rejected', 'dispatched', 'resolved',
                                          'verified', 'closed', 'evaluated', 'suspended')),
    level               text NOT NULL CHECK (level IN ('grid', 'community', 'township', 'county')),
    department          text,
    accepted_at         timestamptz,
    dispatched_at       timestamptz,
    resolved_at         timestamptz,
    verified_at         timestamptz,
    closed_at           timestamptz,
    evaluated_at        timestamptz,
    accept_due_at       timestamptz NOT NULL,
    due_at              timestamptz,
    level_due_at        timestamptz,
    yellow_at           timestamptz,
    light               text CHECK (light IN ('green', 'yellow', 'red')),
    clock_stopped_at    timestamptz,
    resume_status       text,
    extension_requested interval,
    extension_total     interval NOT NULL DEFAULT interval '0',
    suspended_work      interval NOT NULL DEFAULT interval '0',
    escalations         int NOT NULL DEFAULT 0,
    rework_count        int NOT NULL DEFAULT 0,
    reopen_count        int NOT NULL DEFAULT 0,
    satisfaction        smallint CHECK (satisfaction BETWEEN 1 AND 5),
    work_hours_to_close float8,
    state_since         timestamptz NOT NULL,
    idempotency_key     text UNIQUE CHECK (idempotency_key <> ''),
    supervisions        int NOT NULL DEFAULT 0,
    county              bigint,
    step                jsonb
);
COMMENT ON SEQUENCE shegu.incident_id_seq IS 'numbers of incidents';
COMMENT ON CONSTRAINT incident_title_check ON shegu.incident IS 'an incident has a title';
COMMENT ON CONSTRAINT incident_source_check ON shegu.incident IS 'the source is patrol, resident, hotline, wechat, video, leader, media or superior';
COMMENT ON CONSTRAINT incident_status_check ON shegu.incident IS 'the state is one of the workflow states';
COMMENT ON CONSTRAINT incident_level_check ON shegu.incident IS 'the responsible level is grid, community, township or county';
COMMENT ON CONSTRAINT incident_light_check ON shegu.incident IS 'the time light is green, yellow or red';
COMMENT ON CONSTRAINT incident_satisfaction_check ON shegu.incident IS 'satisfaction scores run from 1 to 5';
COMMENT ON CONSTRAINT incident_idempotency_key_check ON shegu.incident IS 'an idempotency key is not empty';
COMMENT ON CONSTRAINT incident_pkey ON shegu.incident IS 'an incident is identified by its number';
COMMENT ON CONSTRAINT incident_category_fkey ON shegu.incident IS 'the category is an existing one of shegu.incident_category; renaming a code follows, a category with incidents cannot be deleted';
COMMENT ON CONSTRAINT incident_idempotency_key_key ON shegu.incident IS 'one incident per client idempotency key: shegu.report returns the stored incident on a retry, a plain INSERT fails with 23505';
COMMENT ON TABLE shegu.incident IS
    'incidents (矛盾问题/事件) of the closed loop 发现→受理→交办→处置→反馈→核查→结案→评价; insert to report, change the workflow only through shegu.act()';
COMMENT ON COLUMN shegu.incident.id IS 'incident number, always from the sequence (an INSERT that gives one is refused)';
COMMENT ON COLUMN shegu.incident.category IS 'category (shegu.incident_category), which sets handling level and time limits';
COMMENT ON COLUMN shegu.incident.title IS 'short title (标题)';
COMMENT ON COLUMN shegu.incident.description IS 'description (问题描述)';
COMMENT ON COLUMN shegu.incident.location IS 'where it happened, WGS-84 point (SRID 4326); the grid is located from it when grid is not given';
COMMENT ON COLUMN shegu.incident.grid IS 'grid at report time (所属网格); never moves when boundaries are redrawn later';
COMMENT ON COLUMN shegu.incident.source IS
    'source (来源): patrol 巡查, resident 群众上报, hotline 12345热线, wechat 微信, video 视频, leader 领导批示, media 媒体, superior 上级交办';
COMMENT ON COLUMN shegu.incident.reporter IS 'who reported it (上报人)';
COMMENT ON COLUMN shegu.incident.reported_at IS 'when it was reported (上报时间); the acceptance clock starts here';
COMMENT ON COLUMN shegu.incident.status IS
    'workflow state: reported 已上报, accepted 已立案, rejected 不予立案, dispatched 已交办, resolved 已处置, verified 已核查, closed 已结案, evaluated 已评价, suspended 挂账';
COMMENT ON COLUMN shegu.incident.level IS 'level currently responsible (当前责任层级): grid, community, township or county';
COMMENT ON COLUMN shegu.incident.department IS 'department it was dispatched to (承办部门), if any';
COMMENT ON COLUMN shegu.incident.accepted_at IS 'last acceptance (立案) time; the disposal clock starts here';
COMMENT ON COLUMN shegu.incident.dispatched_at IS 'last dispatch (交办) time';
COMMENT ON COLUMN shegu.incident.resolved_at IS 'last disposal feedback (处置反馈) time';
COMMENT ON COLUMN shegu.incident.verified_at IS 'verification (核查) time';
COMMENT ON COLUMN shegu.incident.closed_at IS 'closure (结案) time';
COMMENT ON COLUMN shegu.incident.evaluated_at IS 'evaluation (评价) time';
COMMENT ON COLUMN shegu.incident.accept_due_at IS 'acceptance deadline (受理时限)';
COMMENT ON COLUMN shegu.incident.due_at IS 'disposal deadline of the case (处置时限), moved by extensions and stopped clocks; NULL before acceptance';
COMMENT ON COLUMN shegu.incident.level_due_at IS 'deadline of the level now responsible; sweep() escalates when it passes';
COMMENT ON COLUMN shegu.incident.yellow_at IS 'when the time light turns yellow';
COMMENT ON COLUMN shegu.incident.light IS 'time light (亮灯): green, yellow (share of time used), red (overdue); frozen while the clock is stopped';
COMMENT ON COLUMN shegu.incident.clock_stopped_at IS 'when the clock stopped (resolved or suspended); NULL while it runs';
COMMENT ON COLUMN shegu.incident.resume_status IS 'state a suspended incident resumes to';
COMMENT ON COLUMN shegu.incident.extension_requested IS 'pending extension request (延期申请), in the disposal basis';
COMMENT ON COLUMN shegu.incident.extension_total IS 'sum of approved extensions (延期)';
COMMENT ON COLUMN shegu.incident.suspended_work IS 'working time spent suspended (挂账), left out of working hours to close';
COMMENT ON COLUMN shegu.incident.escalations IS 'number of escalations (上报), manual and by sweep()';
COMMENT ON COLUMN shegu.incident.rework_count IS 'number of returns for rework (返工)';
COMMENT ON COLUMN shegu.incident.reopen_count IS 'number of reopenings';
COMMENT ON COLUMN shegu.incident.satisfaction IS 'satisfaction score at evaluation, 1 (very dissatisfied) to 5 (very satisfied); 4 and 5 count as satisfied';
COMMENT ON COLUMN shegu.incident.work_hours_to_close IS 'working hours from report to closure, suspension left out (set at closure)';
COMMENT ON COLUMN shegu.incident.state_since IS 'when the incident entered its present state';
COMMENT ON COLUMN shegu.incident.supervisions IS 'number of times a supervisor pressed it (督办, act ''supervise'')';
COMMENT ON COLUMN shegu.incident.county IS
    'county (县) of the grid, shegu.incident_county(grid); filled on insert (a given value must agree); the distribution key on Citus (docs/citus.md)';
COMMENT ON COLUMN shegu.incident.step IS
    'internal: the workflow step act() or sweep() asks the update trigger to apply; cleared by the trigger when it runs in the caller''s backend, else (on a Citus worker) replaced by the step''s outcome (changed, notifications); written only through shegu.act()';
COMMENT ON COLUMN shegu.incident.idempotency_key IS 'client key of the submission: a retry with the same key returns the existing incident (shegu.report)';

COMMENT ON INDEX shegu.incident_pkey IS 'incidents by number';
COMMENT ON INDEX shegu.incident_idempotency_key_key IS 'one incident per client idempotency key';
CREATE INDEX incident_grid_idx ON shegu.incident (grid);
CREATE INDEX incident_reported_at_idx ON shegu.incident (reported_at);
CREATE INDEX incident_level_due_idx ON shegu.incident (level_due_at)
    WHERE status IN ('reported', 'accepted', 'dispatched') AND level <> 'county';
CREATE INDEX incident_yellow_idx ON shegu.incident (yellow_at)
    WHERE status IN ('reported', 'accepted', 'dispatched') AND light = 'green';
CREATE INDEX incident_red_accept_idx ON shegu.incident (accept_due_at)
    WHERE status = 'reported' AND light <> 'red';
CREATE INDEX incident_red_due_idx ON shegu.incident (due_at)
    WHERE status IN ('accepted', 'dispatched') AND light <> 'red';
COMMENT ON INDEX shegu.incident_grid_idx IS 'incidents under a grid (range scans of <@)';
COMMENT ON INDEX shegu.incident_reported_at_idx IS 'incidents by report time (measures by month)';
COMMENT ON INDEX shegu.incident_level_due_idx IS 'sweep(): open incidents whose level deadline passes';
COMMENT ON INDEX shegu.incident_yellow_idx IS 'sweep(): green lights about to turn yellow';
COMMENT ON INDEX shegu.incident_red_accept_idx IS 'sweep(): lights about to turn red before acceptance';
COMMENT ON INDEX shegu.incident_red_due_idx IS 'sweep(): lights about to turn red during disposal';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_id_seq', '');

CREATE TABLE shegu.incident_event (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id         bigint NOT NULL
                        CONSTRAINT incident_event_incident_fkey REFERENCES shegu.incident (id),
    action              text NOT NULL,
    actor               text NOT NULL,
    at                  timestamptz NOT NULL,
    from_status         text,
    to_status           text NOT NULL,
    from_level          text,
    to_level            text NOT NULL,
    work_time_in_state  interval,
    note                text,
    detail              jsonb,
    request_id          text,
    db_role             name NOT NULL,
    county              bigint
);
COMMENT ON SEQUENCE shegu.incident_event_id_seq IS 'numbers of incident events';
COMMENT ON TABLE shegu.incident_event IS
    'append-only log of every step of every incident (流转记录): written by the triggers, never updated or deleted';
COMMENT ON COLUMN shegu.incident_event.id IS 'event number, increasing in commit-independent insertion order; always from the sequence';
COMMENT ON COLUMN shegu.incident_event.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_event.action IS 'report, or the act() action: accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise';
COMMENT ON COLUMN shegu.incident_event.actor IS 'who acted: the staff name of a grid-staff role, the name a shegu_centre member acted for, shegu.sweep for automatic escalation, the reporter (or source) of a report';
COMMENT ON COLUMN shegu.incident_event.at IS 'when';
COMMENT ON COLUMN shegu.incident_event.from_status IS 'state before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_status IS 'state after';
COMMENT ON COLUMN shegu.incident_event.from_level IS 'responsible level before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_level IS 'responsible level after';
COMMENT ON COLUMN shegu.incident_event.work_time_in_state IS 'working time (category schedule) spent in the state before; NULL for the report or without the calendar';
COMMENT ON COLUMN shegu.incident_event.note IS 'free text: the reason of a rejection, return, suspension';
COMMENT ON COLUMN shegu.incident_event.detail IS 'the detail argument of act()';
COMMENT ON COLUMN shegu.incident_event.county IS
    'county (县) of the incident (shegu.incident.county): keeps an incident''s events beside it when both tables are distributed on Citus';
COMMENT ON COLUMN shegu.incident_event.request_id IS 'client request id (detail ->> ''request_id''): a retried act() of the same role with it changes nothing twice';
COMMENT ON CONSTRAINT incident_event_pkey ON shegu.incident_event IS 'an event is identified by its number';
COMMENT ON CONSTRAINT incident_event_incident_fkey ON shegu.incident_event IS 'an event belongs to an existing incident';
COMMENT ON COLUMN shegu.incident_event.db_role IS
    'the database role that took the step (the session user, or the role it SET ROLE to), whatever actor says; for sweep() the role that ran it';

COMMENT ON INDEX shegu.incident_event_pkey IS 'events by number';
CREATE INDEX incident_event_incident_idx ON shegu.incident_event (incident_id, at);
CREATE UNIQUE INDEX incident_event_request_idx ON shegu.incident_event (county, incident_id, db_role, request_id)
    WHERE request_id IS NOT NULL;
COMMENT ON INDEX shegu.incident_event_request_idx IS 'a client request id of a role is applied to an incident once (the county, fixed per incident, leads so that Citus accepts it)';
COMMENT ON INDEX shegu.incident_event_incident_idx IS 'the history of one incident';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident_event', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_event_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- Triggers (C).

CREATE FUNCTION shegu.incident_before_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_before_insert' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_before_insert() IS
    'trigger: fills grid (locate), level, due times and light of a new incident';
CREATE FUNCTION shegu.incident_after_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_after_insert' LANGUAGE C
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
COMMENT ON FUNCTION shegu.incident_after_insert() IS
    'statement trigger: logs the report event of every incident the statement inserted, in one INSERT';
CREATE FUNCTION shegu.incident_before_update() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_before_update' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_before_update() IS
    'trigger: enforces the state machine for act() and refuses direct changes to workflow columns';
CREATE FUNCTION shegu.incident_refuse() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_refuse' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_refuse() IS
    'trigger: refuses to delete incidents and to update, delete or truncate their event log';
CREATE FUNCTION shegu.incident_event_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_event_guard' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_event_guard() IS
    'trigger: only act(), sweep() and the report trigger write the event log (and a restore: pg_restore or psql -f of a dump by the table''s owner, a superuser or the database''s owner)';
CREATE FUNCTION shegu.incident_category_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_category_changed' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_category_changed() IS
    'trigger: tells every backend to reload its cache of incident categories';

CREATE TRIGGER incident_10_before_insert BEFORE INSERT ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_before_insert();
CREATE TRIGGER incident_10_after_insert AFTER INSERT ON shegu.incident
    REFERENCING NEW TABLE AS new_incidents
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_after_insert();
CREATE TRIGGER incident_10_before_update BEFORE UPDATE ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_before_update();
CREATE TRIGGER incident_10_refuse_delete BEFORE DELETE ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_10_refuse_truncate BEFORE TRUNCATE ON shegu.incident
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_refuse BEFORE UPDATE OR DELETE ON shegu.incident_event
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_refuse_truncate BEFORE TRUNCATE ON shegu.incident_event
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_guard BEFORE INSERT ON shegu.incident_event
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_event_guard();
CREATE TRIGGER incident_category_10_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.incident_category
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_category_changed();
COMMENT ON TRIGGER incident_10_before_insert ON shegu.incident IS 'grid, level, due times, light of a new incident';
COMMENT ON TRIGGER incident_10_after_insert ON shegu.incident IS 'report events of the new incidents';
COMMENT ON TRIGGER incident_10_before_update ON shegu.incident IS 'the state machine';
COMMENT ON TRIGGER incident_10_refuse_delete ON shegu.incident IS 'incidents are never deleted';
COMMENT ON TRIGGER incident_10_refuse_truncate ON shegu.incident IS 'incidents are never truncated';
COMMENT ON TRIGGER incident_event_10_refuse ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_event_10_refuse_truncate ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_event_10_guard ON shegu.incident_event IS 'only shegu writes the event log';
COMMENT ON TRIGGER incident_category_10_changed ON shegu.incident_category IS 'invalidates the category caches';

-- ---------------------------------------------------------------------------------------------
-- The application entry points.

CREATE FUNCTION shegu.act(incident_id bigint, action text, actor text, note text DEFAULT NULL,
                          detail jsonb DEFAULT NULL) RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_act' LANGUAGE C VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.act(bigint, text, text, text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION shegu.act(bigint, text, text, text, jsonb) IS
    'the one workflow entry point: performs an action (accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise) and returns the incident; illegal steps raise SQLSTATE SGI01 and change nothing; runs as its owner (SECURITY DEFINER) for superusers, shegu_centre members and grid staff in their grids (docs/security.md)';

CREATE FUNCTION shegu.incident_step(incident_id bigint, action text, at timestamptz, county bigint DEFAULT NULL)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'incident_step' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.incident_step(bigint, text, timestamptz, bigint) IS
    'internal step of sweep(): overdue_escalate (escalate when the level deadline passed by at) or tick (recompute the time light at at); true when the incident changed; NULL when the incident, step or time is NULL; the county, when given, spares the lookup that routes the step on Citus';
REVOKE ALL ON FUNCTION shegu.incident_step(bigint, text, timestamptz, bigint) FROM PUBLIC;

CREATE FUNCTION shegu.report(category text, title text, source text,
                             grid shegu.gridcode DEFAULT NULL, location geometry DEFAULT NULL,
                             reporter text DEFAULT NULL, description text DEFAULT NULL,
                             reported_at timestamptz DEFAULT NULL, idempotency_key text DEFAULT NULL)
    RETURNS shegu.incident
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    r shegu.incident;
    v_grid shegu.gridcode := report.grid;
    v_at timestamptz := coalesce(report.reported_at,
                                 nullif(pg_catalog.current_setting('shegu.incident_clock', true), '')::timestamptz,
                                 pg_catalog.statement_timestamp());
BEGIN
    -- The grid, and so the county, is known before the row is sent anywhere: on Citus the county
    -- routes the insert to its shard (docs/citus.md); the report time is this session's clock.
    IF v_grid IS NULL AND report.location IS NOT NULL THEN
        v_grid := shegu.locate(report.location, v_at);
    END IF;
    INSERT INTO shegu.incident AS i (category, title, source, grid, location, reporter, description,
                                     reported_at, idempotency_key, county)
    VALUES (report.category, report.title, report.source, v_grid, report.location, report.reporter,
            report.description, v_at, report.idempotency_key, shegu.incident_county(v_grid))
    ON CONFLICT ON CONSTRAINT incident_idempotency_key_key DO NOTHING
    RETURNING i.* INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    SELECT i.* INTO r FROM shegu.incident AS i WHERE i.idempotency_key = report.idempotency_key;
    IF r.category IS DISTINCT FROM report.category OR r.title IS DISTINCT FROM report.title
       OR r.source IS DISTINCT FROM report.source THEN
        RAISE EXCEPTION USING ERRCODE = 'SGI05',
            MESSAGE = format('idempotency key "%s" already names incident %s', report.idempotency_key, r.id),
            DETAIL = format('Incident %s has category "%s", title "%s" and source "%s"; the retry differs.',
                            r.id, r.category, r.title, r.source),
            HINT = 'Use a new key for a new submission.';
    END IF;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.report(text, text, text, shegu.gridcode, geometry, text, text, timestamptz, text) IS
    'reports an incident (上报) and returns it; a retry with the same idempotency_key returns the incident already stored instead of a duplicate';

-- ---------------------------------------------------------------------------------------------
-- Escalation sweep (meant for pg_cron) and the time lights.

CREATE FUNCTION shegu.sweep(now timestamptz DEFAULT now()) RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_county bigint;
    escalated int := 0;
    -- On Citus (shegu.incident distributed) a multi-shard SELECT cannot lock rows: there the
    -- candidates are read unlocked, and each step's re-check on the locked row keeps it right.
    lock_clause text := ' FOR UPDATE SKIP LOCKED';
    distributed boolean := false;
BEGIN
    IF sweep.now IS NULL THEN
        RAISE EXCEPTION 'time of shegu.sweep is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Call shegu.sweep() for the present, or give the time to judge the deadlines at.';
    END IF;
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition'
                ' WHERE logicalrelid = ''shegu.incident''::regclass)' INTO distributed;
        IF distributed THEN
            lock_clause := '';
        END IF;
    END IF;
    -- Every open incident whose level deadline passed goes one level up; the step re-checks
    -- the deadline on the locked row, so a second sweep (or a concurrent one) does nothing twice.
    FOR v_id, v_county IN EXECUTE
        'SELECT i.id, i.county FROM shegu.incident AS i'
        ' WHERE i.status IN (''reported'', ''accepted'', ''dispatched'') AND i.level <> ''county'''
        '   AND i.level_due_at < $1'
        ' ORDER BY i.level_due_at, i.id' || lock_clause USING sweep.now
    LOOP
        IF shegu.incident_step(v_id, 'overdue_escalate', sweep.now, v_county) THEN
            escalated := escalated + 1;
        END IF;
    END LOOP;
    -- Lights that turn: each turn to yellow or red sends NOTIFY shegu_light once.
    FOR v_id, v_county IN EXECUTE
        'SELECT i.id, i.county FROM shegu.incident AS i'
        ' WHERE (i.status IN (''reported'', ''accepted'', ''dispatched'') AND i.light = ''green'' AND i.yellow_at <= $1)'
        '    OR (i.status = ''reported'' AND i.light <> ''red'' AND i.accept_due_at < $1)'
        '    OR (i.status IN (''accepted'', ''dispatched'') AND i.light <> ''red'' AND i.due_at < $1)'
        ' ORDER BY i.id' || lock_clause USING sweep.now
    LOOP
        PERFORM shegu.incident_step(v_id, 'tick', sweep.now, v_county);
    END LOOP;
    RETURN escalated;
END;
$$;
COMMENT ON FUNCTION shegu.sweep(timestamptz) IS
    'escalates every open incident whose level deadline passed one level up (grid → community → township → county), logs it and sends NOTIFY shegu_escalation; turns time lights; returns the number escalated; idempotent and safe in several sessions at once';
REVOKE ALL ON FUNCTION shegu.sweep(timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Grids: the responsible unit, and the grid re-derived as of a date.

CREATE FUNCTION shegu.incident_unit(grid shegu.gridcode, level text) RETURNS shegu.gridcode
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    l int := CASE level WHEN 'grid' THEN 6 WHEN 'community' THEN 5 WHEN 'township' THEN 4 WHEN 'county' THEN 3 END;
    a shegu.gridcode;
BEGIN
    IF l IS NULL THEN
        RAISE EXCEPTION 'unknown level "%"', level
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The levels are grid, community, township and county.';
    END IF;
    -- A level the code skips (the zero county segment of a city without counties, 441900003…)
    -- is served by the unit above it: the city (4419) answers at the county level.
    FOR k IN REVERSE least(shegu.level(grid), l) .. 1 LOOP
        a := shegu.ancestor(grid, k);
        IF a IS NOT NULL THEN
            RETURN a;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION shegu.incident_unit(shegu.gridcode, text) IS
    'the unit responsible at a level (grid, community, township, county) for an incident in a grid: the grid''s ancestor at that level, or where the code skips that level (a city without counties, 东莞 4419) the nearest ancestor above it';

CREATE FUNCTION shegu.incident_grid_as_of(incident_id bigint, at timestamptz) RETURNS shegu.gridcode
    LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    loc shegu.incident.location%TYPE;
    g shegu.gridcode;
BEGIN
    SELECT i.location INTO loc FROM shegu.incident AS i WHERE i.id = incident_grid_as_of.incident_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SGI02',
            MESSAGE = format('incident %s does not exist', incident_grid_as_of.incident_id);
    END IF;
    IF loc IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT shegu.locate($1, $2)' INTO g USING loc, at;
    RETURN g;
END;
$$;
COMMENT ON FUNCTION shegu.incident_grid_as_of(bigint, timestamptz) IS
    'the grid that contains the incident''s location by the boundaries valid at a date (NULL without a location); the stored grid never moves';

-- ---------------------------------------------------------------------------------------------
-- Supervision (督办): the open incidents with their lights and the time they have left.

CREATE VIEW shegu.incident_supervision AS
    SELECT i.id, i.category, c.name_zh AS category_zh, i.title, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level) AS responsible_unit, i.department, i.status, i.light,
           d.deadline, i.level_due_at, i.escalations, i.supervisions, i.extension_requested,
           i.status IN ('reported', 'accepted', 'dispatched') AS clock_running,
           CASE WHEN i.status NOT IN ('reported', 'accepted', 'dispatched') THEN NULL
                WHEN d.working THEN shegu.work_time_between(now(), d.deadline, c.schedule)
                ELSE d.deadline - now() END AS time_left
    FROM shegu.incident AS i
    JOIN shegu.incident_category AS c ON c.code = i.category
    CROSS JOIN LATERAL (
        SELECT CASE WHEN i.status = 'reported' OR i.resume_status = 'reported' THEN i.accept_due_at ELSE i.due_at END AS deadline,
               CASE WHEN i.status = 'reported' OR i.resume_status = 'reported' THEN c.accept_basis ELSE c.dispose_basis END
                   = 'working' AS working) AS d
    WHERE i.status NOT IN ('closed', 'evaluated', 'rejected');
COMMENT ON VIEW shegu.incident_supervision IS
    'supervision (督办) list: every open incident with its light, deadline, level deadline, escalations and time left (working or natural, by the category; negative when overdue; NULL while the clock is stopped)';
COMMENT ON COLUMN shegu.incident_supervision.id IS 'incident number (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_supervision.category IS 'category code (shegu.incident_category.code), e.g. environment.garbage';
COMMENT ON COLUMN shegu.incident_supervision.category_zh IS 'Chinese name of the category (分类), e.g. 垃圾乱堆乱放';
COMMENT ON COLUMN shegu.incident_supervision.title IS 'short title (标题)';
COMMENT ON COLUMN shegu.incident_supervision.grid IS 'grid (网格) at report time';
COMMENT ON COLUMN shegu.incident_supervision.level IS 'level now responsible (当前责任层级): grid 网格, community 社区/村, township 乡镇/街道 or county 县';
COMMENT ON COLUMN shegu.incident_supervision.responsible_unit IS 'grid code of the responsible unit: the grid''s ancestor at the responsible level (shegu.incident_unit)';
COMMENT ON COLUMN shegu.incident_supervision.department IS 'department it was dispatched to (承办部门); NULL if none';
COMMENT ON COLUMN shegu.incident_supervision.status IS 'workflow state: reported 已上报, accepted 已立案, dispatched 已交办, resolved 已处置, verified 已核查 or suspended 挂账 (closed, evaluated and rejected incidents are not listed)';
COMMENT ON COLUMN shegu.incident_supervision.light IS 'time light (亮灯): green, yellow once yellow_share of the allowed time is used, red when overdue; keeps its last colour while the clock is stopped';
COMMENT ON COLUMN shegu.incident_supervision.deadline IS 'the running deadline: acceptance deadline (受理时限, accept_due_at) while reported or suspended from reported, else the disposal deadline (处置时限, due_at)';
COMMENT ON COLUMN shegu.incident_supervision.level_due_at IS 'deadline of the level now responsible; shegu.sweep() escalates the incident one level up when it passes';
COMMENT ON COLUMN shegu.incident_supervision.escalations IS 'number of escalations (上报) so far, manual and by shegu.sweep()';
COMMENT ON COLUMN shegu.incident_supervision.supervisions IS 'number of times a supervisor pressed it (督办, act ''supervise'')';
COMMENT ON COLUMN shegu.incident_supervision.extension_requested IS 'pending extension request (延期申请) awaiting approval, in the disposal basis; NULL if none';
COMMENT ON COLUMN shegu.incident_supervision.clock_running IS 'true while the time limit (时限) runs: status reported, accepted or dispatched; false while resolved, verified or suspended';
COMMENT ON COLUMN shegu.incident_supervision.time_left IS 'time to the deadline: working time by the category''s schedule for a working-time limit, wall-clock time for a natural one; negative when overdue; NULL while the clock is stopped';

-- ---------------------------------------------------------------------------------------------
-- Measures (by grid at every level and by month of report) and accountability.

CREATE FUNCTION shegu.incident_measures_at(at timestamptz)
    RETURNS TABLE (unit shegu.gridcode, level int, month date, received bigint, accepted bigint,
                   closed bigint, closed_on_time bigint, overdue_open bigint, suspended bigint,
                   disposal_rate float8, on_time_rate float8, on_time_rate_incl_open float8,
                   rework_rate float8, avg_work_hours_to_close float8, satisfaction_rate float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
    -- PL/pgSQL, not SQL: Citus plans a query on the distributed incidents only with the
    -- parameter's value bound, which a SQL function does not give it (docs/citus.md).
#variable_conflict use_column
BEGIN
    IF incident_measures_at.at IS NULL THEN
        RAISE EXCEPTION 'incident measures need the time at which to judge open cases overdue, not NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a time, e.g. now() (what the view shegu.incident_measures uses).';
    END IF;
    RETURN QUERY
    SELECT shegu.ancestor(f.grid, l.l) AS unit, l.l AS level, f.month,
           count(*) AS received,
           count(*) FILTER (WHERE f.accepted) AS accepted,
           count(*) FILTER (WHERE f.closed) AS closed,
           count(*) FILTER (WHERE f.closed_on_time) AS closed_on_time,
           count(*) FILTER (WHERE f.overdue_open) AS overdue_open,
           count(*) FILTER (WHERE f.suspended) AS suspended,
           (count(*) FILTER (WHERE f.disposed))::float8
               / nullif(count(*) FILTER (WHERE f.accepted AND NOT f.suspended), 0) AS disposal_rate,
           (count(*) FILTER (WHERE f.closed_on_time))::float8
               / nullif(count(*) FILTER (WHERE f.closed), 0) AS on_time_rate,
           (count(*) FILTER (WHERE f.closed_on_time))::float8
               / nullif(count(*) FILTER (WHERE f.closed OR f.overdue_open), 0) AS on_time_rate_incl_open,
           (count(*) FILTER (WHERE f.reworked))::float8
               / nullif(count(*) FILTER (WHERE f.ever_resolved), 0) AS rework_rate,
           avg(f.work_hours_to_close) FILTER (WHERE f.closed) AS avg_work_hours_to_close,
           (count(*) FILTER (WHERE f.satisfaction >= 4))::float8
               / nullif(count(*) FILTER (WHERE f.satisfaction IS NOT NULL), 0) AS satisfaction_rate
    FROM (SELECT i.grid,
                 date_trunc('month', i.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
                 i.accepted_at IS NOT NULL AS accepted,
                 i.status IN ('closed', 'evaluated') AS closed,
                 i.status IN ('closed', 'evaluated') AND i.resolved_at <= i.due_at AS closed_on_time,
                 i.status = 'suspended' AS suspended,
                 i.status IN ('resolved', 'verified', 'closed', 'evaluated') AS disposed,
                 (i.status = 'reported' AND incident_measures_at.at > i.accept_due_at)
                 OR (i.status IN ('accepted', 'dispatched') AND incident_measures_at.at > i.due_at)
                 OR (i.status IN ('resolved', 'verified') AND i.resolved_at > i.due_at) AS overdue_open,
                 i.rework_count > 0 AS reworked,
                 i.resolved_at IS NOT NULL AS ever_resolved,
                 i.work_hours_to_close,
                 i.satisfaction
          FROM shegu.incident AS i) AS f
    CROSS JOIN LATERAL generate_series(1, shegu.level(f.grid)) AS l(l)
    GROUP BY 1, 2, 3;
END;
$$;
COMMENT ON FUNCTION shegu.incident_measures_at(timestamptz) IS
    'incident measures by unit (a grid at any level, rolled up by code prefix) and month of report, with overdue judged at a given time; definitions in docs/incident.md';

CREATE VIEW shegu.incident_measures AS
    SELECT * FROM shegu.incident_measures_at(now());
COMMENT ON VIEW shegu.incident_measures IS
    'incident measures now, by unit (grid at any level: level 1 province … 7 micro-grid) and month (first day) of report: received, accepted, closed, closed on time, overdue open, disposal rate 处置率, on-time closure rate 按期结案率 (over closed, and counting open overdue cases), rework rate 返工率, average working hours to close, satisfaction rate 满意率';
COMMENT ON COLUMN shegu.incident_measures.unit IS 'grid code of the unit, at any level: an incident counts in its grid (网格) and in every ancestor (community, township, county ...)';
COMMENT ON COLUMN shegu.incident_measures.level IS 'grid level of the unit: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.incident_measures.month IS 'first day of the month of report (reported_at in Asia/Shanghai time); all counts are over the incidents reported in that month, with their status now';
COMMENT ON COLUMN shegu.incident_measures.received IS '受理量 received: incidents reported';
COMMENT ON COLUMN shegu.incident_measures.accepted IS '立案量 accepted: of those, ever accepted (accepted_at set)';
COMMENT ON COLUMN shegu.incident_measures.closed IS '结案量 closed: status closed or evaluated';
COMMENT ON COLUMN shegu.incident_measures.closed_on_time IS '按期结案量 closed on time: closed, and the last disposal was within the time limit (resolved_at <= due_at)';
COMMENT ON COLUMN shegu.incident_measures.overdue_open IS '超期未结量 overdue open: not closed, evaluated, rejected or suspended and overdue now: reported past accept_due_at, accepted/dispatched past due_at, or resolved/verified with resolved_at > due_at';
COMMENT ON COLUMN shegu.incident_measures.suspended IS '挂账量 suspended: status suspended now';
COMMENT ON COLUMN shegu.incident_measures.disposal_rate IS '处置率 disposal rate: disposed (status resolved, verified, closed or evaluated) / (accepted - suspended), i.e. over the accepted incidents not suspended now; 0-1, NULL when the denominator is 0; target >= 0.95';
COMMENT ON COLUMN shegu.incident_measures.on_time_rate IS '按期结案率 on-time closure rate: closed_on_time / closed; 0-1, NULL when none closed';
COMMENT ON COLUMN shegu.incident_measures.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases 按期结案率(含超期未结): closed_on_time / (closed + overdue_open); 0-1, NULL when the denominator is 0';
COMMENT ON COLUMN shegu.incident_measures.rework_rate IS '返工率 rework rate: incidents reworked (返工) at least once / incidents resolved at least once; 0-1, NULL when none resolved';
COMMENT ON COLUMN shegu.incident_measures.avg_work_hours_to_close IS '办结平均工时 average working hours to close: mean work_hours_to_close of the closed ones (working time of the category''s schedule from report to closure, suspension left out), in hours';
COMMENT ON COLUMN shegu.incident_measures.satisfaction_rate IS '满意率 satisfaction rate: evaluated with satisfaction 4 or 5 / evaluated (scores 1-5); 0-1, NULL when none evaluated';

CREATE FUNCTION shegu.incident_accountability_at(at timestamptz, discovery_window interval DEFAULT interval '7 days')
    RETURNS TABLE (kind text, kind_zh text, incident_id bigint, category text, grid shegu.gridcode,
                   responsible_level text, responsible_unit shegu.gridcode, source text,
                   reported_at timestamptz, failed_at timestamptz, reason text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
    -- PL/pgSQL, not SQL, for Citus as incident_measures_at.
#variable_conflict use_column
BEGIN
    RETURN QUERY
    -- should have found but did not: an outside channel reported it and the grid's patrol had not
    SELECT 'not_discovered', '应发现未发现', i.id, i.category, i.grid, 'grid',
           shegu.incident_unit(i.grid, 'grid'), i.source, i.reported_at, i.reported_at,
           format('reported by %s with no patrol report of category %s in grid %s in the %s before',
                  i.source, split_part(i.category, '.', 1), i.grid, incident_accountability_at.discovery_window)
    FROM shegu.incident AS i
    WHERE i.source IN ('hotline', 'leader', 'media') AND i.status <> 'rejected'
      AND i.reported_at <= incident_accountability_at.at
      AND NOT EXISTS (SELECT 1 FROM shegu.incident AS p
                      WHERE p.source = 'patrol' AND p.id <> i.id AND p.grid OPERATOR(shegu.=) i.grid
                        AND p.county = i.county   -- implied by the grid; lets Citus join shard by shard
                        AND split_part(p.category, '.', 1) = split_part(i.category, '.', 1)
                        AND p.reported_at <= i.reported_at
                        AND p.reported_at >= i.reported_at - incident_accountability_at.discovery_window)
    UNION ALL
    -- should have reported (escalated) but did not: the level deadline passed and only the sweep moved it up
    SELECT 'not_reported', '应上报未上报', i.id, i.category, i.grid, e.from_level,
           shegu.incident_unit(i.grid, e.from_level), i.source, i.reported_at, e.at,
           format('level deadline passed at the %s level; escalated by the sweep', e.from_level)
    FROM shegu.incident_event AS e JOIN shegu.incident AS i ON i.id = e.incident_id AND i.county = e.county
    WHERE e.action = 'escalate' AND e.actor = 'shegu.sweep' AND e.at <= incident_accountability_at.at
    UNION ALL
    SELECT 'not_reported', '应上报未上报', i.id, i.category, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level), i.source, i.reported_at, i.level_due_at,
           format('level deadline passed at the %s level and it is neither escalated nor disposed', i.level)
    FROM shegu.incident AS i
    WHERE i.status IN ('reported', 'accepted', 'dispatched') AND i.level <> 'county'
      AND i.level_due_at < incident_accountability_at.at
    UNION ALL
    -- should have handled but did not: the disposal deadline passed before disposal
    SELECT 'not_handled', '应处置未处置', i.id, i.category, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level), i.source, i.reported_at, i.due_at,
           CASE WHEN i.status IN ('accepted', 'dispatched') THEN 'disposal deadline passed and it is still open'
                ELSE format('disposed %s after the deadline', (i.resolved_at - i.due_at)) END
    FROM shegu.incident AS i
    WHERE (i.status IN ('accepted', 'dispatched') AND i.due_at < incident_accountability_at.at)
       OR (i.status IN ('resolved', 'verified', 'closed', 'evaluated') AND i.resolved_at > i.due_at);
END;
$$;
COMMENT ON FUNCTION shegu.incident_accountability_at(timestamptz, interval) IS
    'accountability findings (应发现未发现、应上报未上报、应处置未处置) judged at a time, with the patrol look-back window for "should have found"; definitions in docs/incident.md';

CREATE VIEW shegu.incident_accountability AS
    SELECT * FROM shegu.incident_accountability_at(now());
COMMENT ON VIEW shegu.incident_accountability IS
    'accountability findings now: not_discovered 应发现未发现, not_reported 应上报未上报, not_handled 应处置未处置 (7-day patrol window); see docs/incident.md';
COMMENT ON COLUMN shegu.incident_accountability.kind IS 'finding: not_discovered (reported through hotline, leader or media with no patrol report of the same top-level category in the grid in the 7 days before), not_reported (a level let its level deadline pass without escalating), not_handled (the disposal deadline passed before disposal)';
COMMENT ON COLUMN shegu.incident_accountability.kind_zh IS 'the finding in Chinese: 应发现未发现, 应上报未上报 or 应处置未处置';
COMMENT ON COLUMN shegu.incident_accountability.incident_id IS 'the incident (shegu.incident.id); one incident can give several findings';
COMMENT ON COLUMN shegu.incident_accountability.category IS 'category code of the incident';
COMMENT ON COLUMN shegu.incident_accountability.grid IS 'grid (网格) of the incident at report time';
COMMENT ON COLUMN shegu.incident_accountability.responsible_level IS 'level held responsible: grid for not_discovered; for not_reported the level the sweep took it from, or the present level while not yet moved; for not_handled the present level';
COMMENT ON COLUMN shegu.incident_accountability.responsible_unit IS 'grid code of the responsible unit: the grid''s ancestor at responsible_level';
COMMENT ON COLUMN shegu.incident_accountability.source IS 'source (来源) of the report: patrol, resident, hotline, wechat, video, leader, media or superior (not_discovered: hotline, leader or media)';
COMMENT ON COLUMN shegu.incident_accountability.reported_at IS 'when the incident was reported (上报时间)';
COMMENT ON COLUMN shegu.incident_accountability.failed_at IS 'when the failure happened: the report time (not_discovered), the sweep''s escalation or the passed level_due_at (not_reported), the disposal deadline due_at (not_handled)';
COMMENT ON COLUMN shegu.incident_accountability.reason IS 'the finding in words, e.g. which channel reported it, at which level the deadline passed, how late the disposal was';

-- ==== src/index.sql
-- The social governance index (社会治理指数): models, raw data, computation, weights, reports.
-- src/index.sql — declares what src/index.c implements; formulas in docs/index.md.

-- ==== models ====

CREATE TABLE shegu.index_model (
    name                 text PRIMARY KEY,
    title                text NOT NULL,
    scale                float8 NOT NULL DEFAULT 100
                         CHECK (scale > 0 AND scale < 'Infinity'),
    level                int NOT NULL DEFAULT 6 CHECK (level BETWEEN 1 AND 7),
    min_share            float8 NOT NULL DEFAULT 0.5 CHECK (min_share >= 0 AND min_share <= 1),
    zero_floor           float8 NOT NULL DEFAULT 0 CHECK (zero_floor >= 0 AND zero_floor < 1),
    population_indicator text,
    description          text,
    shipped              boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE shegu.index_model IS
    'composite index models (指数模型): name, title, the scale the index is published on (100 = a 100-point score), the grid level whose units are scored by default (6 grid, 5 community, 4 township, 3 county), the minimum weight share of children that must be present for a parent to get a score, the zero floor of geometric means (0 = a zero child gives 0) and the indicator holding unit populations for population-weighted roll-up';
COMMENT ON COLUMN shegu.index_model.scale IS 'the index is published as score x scale (score in [0, 1])';
COMMENT ON COLUMN shegu.index_model.level IS 'default grid level of the scored units: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.index_model.min_share IS 'a parent gets a score only when its present children carry at least this share of the weight; otherwise the weights are re-spread over the present children';
COMMENT ON COLUMN shegu.index_model.zero_floor IS 'geometric means: scores below this floor are raised to it; 0 keeps the exact rule (a present zero makes the mean 0)';
COMMENT ON COLUMN shegu.index_model.population_indicator IS 'indicator code whose values are unit populations, used by rollup ''wmean''; it need not be a node';
COMMENT ON COLUMN shegu.index_model.shipped IS 'true for the models shegu ships; pg_dump keeps only the others';
COMMENT ON COLUMN shegu.index_model.name IS 'model name, the key every other index table refers to (e.g. 社会治理指数 social governance index); renaming cascades';
COMMENT ON COLUMN shegu.index_model.title IS 'display title of the index (e.g. 平安指数 safety index)';
COMMENT ON COLUMN shegu.index_model.description IS 'free text: what the model measures, its sources and how to adapt it';
COMMENT ON CONSTRAINT index_model_pkey ON shegu.index_model IS 'a model is identified by its name';
COMMENT ON CONSTRAINT index_model_scale_check ON shegu.index_model IS 'the publication scale is positive and finite';
COMMENT ON CONSTRAINT index_model_level_check ON shegu.index_model IS 'the scored level is a grid level from 1 (province) to 7 (micro-grid)';
COMMENT ON CONSTRAINT index_model_min_share_check ON shegu.index_model IS 'the minimum present weight share lies in [0, 1]';
COMMENT ON CONSTRAINT index_model_zero_floor_check ON shegu.index_model IS 'the zero floor of geometric means lies in [0, 1): 0 keeps the exact zero rule';
COMMENT ON INDEX shegu.index_model_pkey IS 'models by name';

CREATE TABLE shegu.index_node (
    model           text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    code            text NOT NULL CHECK (code <> ''),
    parent          text,
    title           text,
    weight          float8 NOT NULL DEFAULT 1 CHECK (weight >= 0 AND weight < 'Infinity'),
    aggregation     text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    direction       int NOT NULL DEFAULT 1 CHECK (direction IN (1, -1)),
    normalization   text NOT NULL DEFAULT 'minmax'
                    CHECK (normalization IN ('none', 'minmax', 'goalpost', 'zscore', 'rank', 'target')),
    transform       text NOT NULL DEFAULT 'none' CHECK (transform IN ('none', 'log')),
    clamp           boolean NOT NULL DEFAULT true,
    lo              float8 CHECK (lo > '-Infinity' AND lo < 'Infinity'),
    hi              float8 CHECK (hi > '-Infinity' AND hi < 'Infinity'),
    target          float8 CHECK (target > '-Infinity' AND target < 'Infinity'),
    winsor          float8 NOT NULL DEFAULT 0 CHECK (winsor >= 0 AND winsor < 0.5),
    rollup          text NOT NULL DEFAULT 'mean' CHECK (rollup IN ('sum', 'mean', 'wmean', 'max', 'min')),
    missing         text NOT NULL DEFAULT 'omit' CHECK (missing IN ('omit', 'parent_mean', 'carry_forward')),
    veto_below      float8 CHECK (veto_below > '-Infinity' AND veto_below < 'Infinity'),
    veto_above      float8 CHECK (veto_above > '-Infinity' AND veto_above < 'Infinity'),
    per_population  float8 CHECK (per_population > 0 AND per_population < 'Infinity'),
    source          text,
    source_column   text,
    survey_question text,
    shipped         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (model, code),
    -- deferred, so that a tree can be loaded in any order (and pg_dump's rows restored)
    FOREIGN KEY (model, parent) REFERENCES shegu.index_node (model, code) ON UPDATE CASCADE ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT index_node_not_own_parent CHECK (parent <> code),
    CONSTRAINT index_node_goalposts CHECK (normalization <> 'goalpost' OR (lo IS NOT NULL AND hi IS NOT NULL AND lo < hi)),
    CONSTRAINT index_node_target CHECK (normalization <> 'target' OR target IS NOT NULL),
    CONSTRAINT index_node_source CHECK ((source IS NULL) = (source_column IS NULL)),
    CONSTRAINT index_node_one_feed CHECK (source IS NULL OR survey_question IS NULL)
);
COMMENT ON TABLE shegu.index_node IS
    'the indicator tree of a model (指标体系): index -> dimensions -> sub-dimensions -> indicators; the node without parent is the index; leaves are indicators and carry direction, normalisation, transform, clamp, goalposts, winsorisation, roll-up, missing-data rule, veto thresholds and an optional feed';
COMMENT ON COLUMN shegu.index_node.weight IS 'weight among its siblings (any scale; siblings are normalised to sum 1 over the children present)';
COMMENT ON COLUMN shegu.index_node.aggregation IS 'of a node with children: weighted arithmetic or geometric mean of the children''s scores';
COMMENT ON COLUMN shegu.index_node.direction IS '+1 positive indicator (higher is better, 正向), -1 negative (lower is better, 逆向)';
COMMENT ON COLUMN shegu.index_node.normalization IS 'none, minmax (over the units of the period), goalpost (fixed lo/hi), zscore, rank (percentile), target (distance to target)';
COMMENT ON COLUMN shegu.index_node.transform IS 'none, or log: ln of the value (and of lo, hi, target) before normalising; a value <= 0 is an error';
COMMENT ON COLUMN shegu.index_node.clamp IS 'goalpost: cap the value to [lo, hi] before scaling; target: cap the score at 1';
COMMENT ON COLUMN shegu.index_node.winsor IS 'winsorisation: cap values at the p and 1-p quantiles of the period (0 = none)';
COMMENT ON COLUMN shegu.index_node.rollup IS 'how values of smaller units roll up to the scored level: sum, mean, wmean (weighted by the model''s population indicator), max, min';
COMMENT ON COLUMN shegu.index_node.missing IS 'omit (leave out, weights re-spread), parent_mean (mean of the units with the same parent unit) or carry_forward (value of the model''s previous period); imputed values are flagged';
COMMENT ON COLUMN shegu.index_node.veto_below IS 'one-vote veto (一票否决): a raw value below this vetoes the unit';
COMMENT ON COLUMN shegu.index_node.veto_above IS 'one-vote veto (一票否决): a raw value above this vetoes the unit';
COMMENT ON COLUMN shegu.index_node.per_population IS 'rate per population: after roll-up the value is divided by the unit''s population (the model''s population indicator, summed up the hierarchy) and multiplied by this, e.g. 1000 for incidents per 1,000 residents';
COMMENT ON COLUMN shegu.index_node.source IS 'feed: a relation (table or view) with columns unit, month and source_column, read by shegu.feed_index';
COMMENT ON COLUMN shegu.index_node.source_column IS 'feed: the column of source that holds the value';
COMMENT ON COLUMN shegu.index_node.survey_question IS 'feed: the question of shegu.survey_response whose mean score is the value';
COMMENT ON COLUMN shegu.index_node.model IS 'the model (shegu.index_model) the node belongs to';
COMMENT ON COLUMN shegu.index_node.code IS 'node code, unique in the model (e.g. SGI, D1, D1.1); the code of an indicator is what shegu.indicator_value.indicator names';
COMMENT ON COLUMN shegu.index_node.parent IS 'code of the parent node in the same model; NULL for the root, which is the index itself (exactly one per model)';
COMMENT ON COLUMN shegu.index_node.title IS 'display title, e.g. 处置率 disposal rate';
COMMENT ON COLUMN shegu.index_node.lo IS 'goalpost normalisation: the value that scores 0 (1 for a negative indicator); with clamp, values below are raised to it; must be below hi';
COMMENT ON COLUMN shegu.index_node.hi IS 'goalpost normalisation: the value that scores 1 (0 for a negative indicator); with clamp, values above are lowered to it; must be above lo';
COMMENT ON COLUMN shegu.index_node.target IS 'target normalisation (distance to target): the value that scores 1; the period''s worst value scores 0; required when normalization = target';
COMMENT ON COLUMN shegu.index_node.shipped IS 'true for the nodes of the models shegu ships; pg_dump keeps only the others';
COMMENT ON CONSTRAINT index_node_pkey ON shegu.index_node IS 'a node is identified by its model and code';
COMMENT ON CONSTRAINT index_node_model_fkey ON shegu.index_node IS 'the node belongs to an existing model; renaming the model renames it here, deleting the model deletes its tree';
COMMENT ON CONSTRAINT index_node_model_parent_fkey ON shegu.index_node IS 'the parent is a node of the same model; checked at commit (deferred) so a tree loads in any order; renaming a node''s code renames it in its children, deleting a node deletes its subtree';
COMMENT ON CONSTRAINT index_node_code_check ON shegu.index_node IS 'the code is not empty';
COMMENT ON CONSTRAINT index_node_weight_check ON shegu.index_node IS 'the weight is finite and not negative (0 takes the node out of its parent''s mean)';
COMMENT ON CONSTRAINT index_node_veto_below_check ON shegu.index_node IS 'the lower veto threshold is finite (NaN and infinities are refused)';
COMMENT ON CONSTRAINT index_node_veto_above_check ON shegu.index_node IS 'the upper veto threshold is finite (NaN and infinities are refused)';
COMMENT ON CONSTRAINT index_node_aggregation_check ON shegu.index_node IS 'aggregation is arithmetic or geometric';
COMMENT ON CONSTRAINT index_node_direction_check ON shegu.index_node IS 'direction is +1 (positive, 正向) or -1 (negative, 逆向)';
COMMENT ON CONSTRAINT index_node_normalization_check ON shegu.index_node IS 'normalization is none, minmax, goalpost, zscore, rank or target';
COMMENT ON CONSTRAINT index_node_transform_check ON shegu.index_node IS 'transform is none or log';
COMMENT ON CONSTRAINT index_node_lo_check ON shegu.index_node IS 'the lower goalpost is finite';
COMMENT ON CONSTRAINT index_node_hi_check ON shegu.index_node IS 'the upper goalpost is finite';
COMMENT ON CONSTRAINT index_node_target_check ON shegu.index_node IS 'the target is finite';
COMMENT ON CONSTRAINT index_node_winsor_check ON shegu.index_node IS 'the winsorisation share p lies in [0, 0.5)';
COMMENT ON CONSTRAINT index_node_rollup_check ON shegu.index_node IS 'rollup is sum, mean, wmean, max or min';
COMMENT ON CONSTRAINT index_node_missing_check ON shegu.index_node IS 'the missing-data rule is omit, parent_mean or carry_forward';
COMMENT ON CONSTRAINT index_node_per_population_check ON shegu.index_node IS 'the per-population multiplier is positive and finite';
COMMENT ON CONSTRAINT index_node_not_own_parent ON shegu.index_node IS 'a node is not its own parent';
COMMENT ON CONSTRAINT index_node_goalposts ON shegu.index_node IS 'goalpost normalisation needs both goalposts with lo < hi';
COMMENT ON CONSTRAINT index_node_target ON shegu.index_node IS 'target normalisation needs a target';
COMMENT ON CONSTRAINT index_node_source ON shegu.index_node IS 'a source relation and its source_column are given together or not at all';
COMMENT ON CONSTRAINT index_node_one_feed ON shegu.index_node IS 'a node is fed from a source relation or from a survey question, not both';
COMMENT ON INDEX shegu.index_node_pkey IS 'nodes by model and code';

CREATE TABLE shegu.index_grade (
    model     text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    grade     text NOT NULL,
    min_score float8 NOT NULL CHECK (min_score > '-Infinity' AND min_score < 'Infinity'),
    shipped   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (model, grade),
    UNIQUE (model, min_score)
);
COMMENT ON TABLE shegu.index_grade IS
    'grades of a model (等次, e.g. 优秀/良好/合格/不合格): a unit gets the grade with the highest min_score (on the model''s scale) not above its index; a vetoed unit gets the lowest grade';
COMMENT ON COLUMN shegu.index_grade.model IS 'the model (shegu.index_model) the grade belongs to';
COMMENT ON COLUMN shegu.index_grade.grade IS 'grade name (等次), e.g. 优秀 excellent, 良好 good, 合格 pass, 不合格 fail';
COMMENT ON COLUMN shegu.index_grade.min_score IS 'lowest index, on the model''s scale (e.g. 90 of 100), that earns this grade';
COMMENT ON COLUMN shegu.index_grade.shipped IS 'true for the grades of the models shegu ships; pg_dump keeps only the others';
COMMENT ON CONSTRAINT index_grade_pkey ON shegu.index_grade IS 'a grade is identified by its model and name';
COMMENT ON CONSTRAINT index_grade_model_fkey ON shegu.index_grade IS 'the grade belongs to an existing model; renaming or deleting the model cascades';
COMMENT ON CONSTRAINT index_grade_model_min_score_key ON shegu.index_grade IS 'no two grades of a model share a threshold, so the grade of an index is never ambiguous';
COMMENT ON CONSTRAINT index_grade_min_score_check ON shegu.index_grade IS 'the threshold is finite';
COMMENT ON INDEX shegu.index_grade_pkey IS 'grades by model and name';
COMMENT ON INDEX shegu.index_grade_model_min_score_key IS 'one grade per threshold of a model';

-- ==== raw data ====

CREATE TABLE shegu.indicator_value (
    model     text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    indicator text NOT NULL,
    unit      shegu.gridcode NOT NULL,
    period    date NOT NULL,
    value     float8 NOT NULL,
    PRIMARY KEY (model, indicator, unit, period),
    CONSTRAINT indicator_value_finite CHECK (value <> 'NaN' AND value <> 'Infinity' AND value <> '-Infinity')
);
CREATE INDEX indicator_value_period ON shegu.indicator_value (model, period);
COMMENT ON TABLE shegu.indicator_value IS
    'raw indicator values (原始数据) per model, indicator, unit (a grid code at any level) and period; a missing value is a missing row; NaN and infinities are refused';
COMMENT ON COLUMN shegu.indicator_value.model IS 'the model (shegu.index_model) the value is for';
COMMENT ON COLUMN shegu.indicator_value.indicator IS 'code of the indicator: a leaf of the model''s tree (shegu.index_node.code) or the model''s population_indicator';
COMMENT ON COLUMN shegu.indicator_value.unit IS 'grid code of the unit the value was recorded for, at any level (网格 grid, 社区 community, 乡镇 township ...); values below the scored level roll up by the indicator''s rollup rule';
COMMENT ON COLUMN shegu.indicator_value.period IS 'the period (考核期) as a date: by convention the first day of the month, quarter or year assessed';
COMMENT ON COLUMN shegu.indicator_value.value IS 'raw value in the indicator''s own unit (a rate 0-1, a count, hours ...), before transform and normalisation; finite';
COMMENT ON CONSTRAINT indicator_value_pkey ON shegu.indicator_value IS 'one value per model, indicator, unit and period';
COMMENT ON CONSTRAINT indicator_value_model_fkey ON shegu.indicator_value IS 'the value belongs to an existing model; renaming or deleting the model cascades';
COMMENT ON CONSTRAINT indicator_value_finite ON shegu.indicator_value IS 'the value is a finite number: NaN, Infinity and -Infinity are refused (a missing value is a missing row)';
COMMENT ON INDEX shegu.indicator_value_pkey IS 'values by model, indicator, unit and period';
COMMENT ON INDEX shegu.indicator_value_period IS 'the values of a model in one period (what a computation reads)';

CREATE TABLE shegu.survey_response (
    id       bigserial PRIMARY KEY,
    unit     shegu.gridcode NOT NULL,
    period   date NOT NULL,
    question text NOT NULL,
    score    int NOT NULL CHECK (score BETWEEN 1 AND 5)
);
CREATE INDEX survey_response_period ON shegu.survey_response (period, question);
COMMENT ON TABLE shegu.survey_response IS
    'resident survey answers (群众评价): unit, period, question (e.g. 知晓度 awareness, 参与度 participation, 满意度 satisfaction) and a score from 1 (worst) to 5 (best)';
COMMENT ON SEQUENCE shegu.survey_response_id_seq IS 'numbers of survey answers (shegu.survey_response.id)';
COMMENT ON COLUMN shegu.survey_response.id IS 'answer number, from shegu.survey_response_id_seq';
COMMENT ON COLUMN shegu.survey_response.unit IS 'grid code of the respondent''s unit, at any level (网格 grid, 社区 community ...)';
COMMENT ON COLUMN shegu.survey_response.period IS 'the survey period as a date, matching the index period it feeds (e.g. the first day of the month)';
COMMENT ON COLUMN shegu.survey_response.question IS 'the question, matched by shegu.index_node.survey_question: e.g. 知晓度 awareness, 参与度 participation, 满意度 satisfaction';
COMMENT ON COLUMN shegu.survey_response.score IS 'the answer on a 5-point scale: 1 (worst) to 5 (best)';
COMMENT ON CONSTRAINT survey_response_pkey ON shegu.survey_response IS 'an answer is identified by its number';
COMMENT ON CONSTRAINT survey_response_score_check ON shegu.survey_response IS 'a score runs from 1 to 5';
COMMENT ON INDEX shegu.survey_response_pkey IS 'answers by number';
COMMENT ON INDEX shegu.survey_response_period IS 'the answers to a question in a period (what feed_index reads)';

CREATE VIEW shegu.survey_measures AS
SELECT unit, period, question, count(*) AS responses, avg(score)::float8 AS mean_score
FROM shegu.survey_response
GROUP BY unit, period, question;
COMMENT ON VIEW shegu.survey_measures IS
    'survey answers per unit, period and question: number of responses and mean score (1-5)';
COMMENT ON COLUMN shegu.survey_measures.unit IS 'grid code of the unit as recorded in the answers (no roll-up to ancestors)';
COMMENT ON COLUMN shegu.survey_measures.period IS 'the survey period (shegu.survey_response.period)';
COMMENT ON COLUMN shegu.survey_measures.question IS 'the question, e.g. 满意度 satisfaction';
COMMENT ON COLUMN shegu.survey_measures.responses IS 'number of answers to the question in the unit and period';
COMMENT ON COLUMN shegu.survey_measures.mean_score IS 'mean of their scores, 1 (worst) to 5 (best): avg(score)';

CREATE TABLE shegu.index_unit_name (
    unit shegu.gridcode PRIMARY KEY,
    name text NOT NULL
);
COMMENT ON TABLE shegu.index_unit_name IS
    'display names of units for shegu.index_report (e.g. 新宁县, 金石镇); units without a row are reported without a name';
COMMENT ON COLUMN shegu.index_unit_name.unit IS 'grid code of the unit, at any level';
COMMENT ON COLUMN shegu.index_unit_name.name IS 'its display name in reports, e.g. 新宁县 Xinning County, 金石镇 Jinshi Town';
COMMENT ON CONSTRAINT index_unit_name_pkey ON shegu.index_unit_name IS 'one name per unit';
COMMENT ON INDEX shegu.index_unit_name_pkey IS 'names by unit';

-- ==== computation ====

CREATE FUNCTION shegu.index_compute(model text, period date, level int DEFAULT NULL)
RETURNS TABLE(unit shegu.gridcode, node text, score float8, rank int, raw float8, imputed boolean, vetoed boolean)
    AS 'MODULE_PATHNAME', 'index_compute' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_compute(text, date, int) IS
    'the full computation of a model for a period at a level (default the model''s): per unit and node the score in [0, 1], the rank among the units (1 = best), the raw rolled-up value of indicators, whether imputed values entered and whether a veto fired';

CREATE FUNCTION shegu.compute_index(model text, period date, level int DEFAULT NULL)
RETURNS TABLE(unit shegu.gridcode, node text, score float8, rank int)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC SELECT c.unit, c.node, c.score, c.rank FROM shegu.index_compute($1, $2, $3) AS c;
END;
COMMENT ON FUNCTION shegu.compute_index(text, date, int) IS
    'the score in [0, 1] of every node for every unit of a period (the root node is the index) and the rank among the units of the level (1 = best, ties share a rank); raw values roll up to the level by each indicator''s rollup rule';

CREATE TABLE shegu.index_score (
    model       text NOT NULL REFERENCES shegu.index_model (name) ON UPDATE CASCADE ON DELETE CASCADE,
    level       int NOT NULL,
    period      date NOT NULL,
    unit        shegu.gridcode NOT NULL,
    node        text NOT NULL,
    score       float8,
    rank        int,
    raw         float8,
    imputed     boolean NOT NULL,
    vetoed      boolean NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, level, period, unit, node)
);
COMMENT ON TABLE shegu.index_score IS
    'stored results of shegu.store_index: one row per model, level, period, unit and node';
COMMENT ON COLUMN shegu.index_score.model IS 'the model computed (shegu.index_model)';
COMMENT ON COLUMN shegu.index_score.level IS 'grid level of the scored units: 1 province .. 7 micro-grid (the model''s level unless store_index was given another)';
COMMENT ON COLUMN shegu.index_score.period IS 'the period computed (考核期), a date such as the first day of the month';
COMMENT ON COLUMN shegu.index_score.unit IS 'grid code of the scored unit, at the level';
COMMENT ON COLUMN shegu.index_score.node IS 'code of the node (shegu.index_node): the root is the index, the others dimensions and indicators';
COMMENT ON COLUMN shegu.index_score.score IS 'normalised and aggregated score, in [0, 1] except where zscore, none or an unclamped goalpost/target normalisation leaves it; NULL when the node has no score (too little of its weight present); multiply by the model''s scale to publish';
COMMENT ON COLUMN shegu.index_score.rank IS 'rank of the score among the units of the model, level and period for this node: 1 = best, ties share the best rank; NULL without a score';
COMMENT ON COLUMN shegu.index_score.raw IS 'indicators only: the value that was normalised, after roll-up to the level and rates per population, imputed when missing; NULL for dimensions, the index and missing values';
COMMENT ON COLUMN shegu.index_score.imputed IS 'true when an imputed value (missing rule parent_mean or carry_forward) entered the node: its own value or any indicator below it';
COMMENT ON COLUMN shegu.index_score.vetoed IS 'true when a one-vote veto (一票否决) fired on the node or any indicator below it: an actual value beyond veto_below/veto_above';
COMMENT ON COLUMN shegu.index_score.computed_at IS 'when store_index wrote the row (transaction time)';
COMMENT ON CONSTRAINT index_score_pkey ON shegu.index_score IS 'one score per model, level, period, unit and node';
COMMENT ON CONSTRAINT index_score_model_fkey ON shegu.index_score IS 'the results belong to an existing model; renaming or deleting the model cascades';
COMMENT ON INDEX shegu.index_score_pkey IS 'scores by model, level, period, unit and node';

CREATE FUNCTION shegu.store_index(model text, period date, level int DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    lvl int := coalesce(store_index.level,
                        (SELECT m.level FROM shegu.index_model m WHERE m.name = store_index.model));
    n bigint;
BEGIN
    -- one writer per model, level and period at a time: a second one waits and then replaces
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.index_score'),
        pg_catalog.hashtext(store_index.model || '/' || lvl || '/' || store_index.period));
    -- an error in the computation aborts the statement, so the delete never stands alone
    DELETE FROM shegu.index_score s
    WHERE s.model = store_index.model AND s.level = lvl AND s.period = store_index.period;
    INSERT INTO shegu.index_score (model, level, period, unit, node, score, rank, raw, imputed, vetoed)
    SELECT store_index.model, lvl, store_index.period, c.unit, c.node, c.score, c.rank, c.raw, c.imputed, c.vetoed
    FROM shegu.index_compute(store_index.model, store_index.period, store_index.level) AS c;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.store_index(text, date, int) IS
    'computes a model for a period and level and replaces its rows in shegu.index_score (concurrent calls for the same model, level and period take turns); returns the rows written';

CREATE VIEW shegu.index_report AS
WITH idx AS (
    SELECT s.model, s.level, s.period, s.unit, s.score * m.scale AS index_value, s.rank, s.vetoed, s.imputed
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node AND n.parent IS NULL
), dims AS (
    SELECT s.model, s.level, s.period, s.unit,
           jsonb_object_agg(s.node, s.score * m.scale ORDER BY s.node) AS dimensions
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node
    JOIN shegu.index_node r ON r.model = n.model AND r.code = n.parent AND r.parent IS NULL
    GROUP BY s.model, s.level, s.period, s.unit
)
SELECT i.model, i.unit, coalesce(u.name, gn.name) AS unit_name, i.level, i.period, i.index_value,
       CASE WHEN i.vetoed
            THEN (SELECT g.grade FROM shegu.index_grade g WHERE g.model = i.model ORDER BY g.min_score LIMIT 1)
            ELSE (SELECT g.grade FROM shegu.index_grade g
                  WHERE g.model = i.model AND g.min_score <= i.index_value
                  ORDER BY g.min_score DESC LIMIT 1)
       END AS grade,
       i.vetoed, i.imputed, d.dimensions, i.rank,
       count(i.rank) OVER (PARTITION BY i.model, i.level, i.period) AS ranked_units,
       lag(i.index_value) OVER w AS previous_index,
       i.index_value - lag(i.index_value) OVER w AS change,
       lag(i.rank) OVER w - i.rank AS rank_change
FROM idx i
LEFT JOIN dims d USING (model, level, period, unit)
LEFT JOIN shegu.index_unit_name u ON u.unit = i.unit
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g
                   WHERE g.code = i.unit AND g.valid_from <= i.period
                     AND (g.valid_to IS NULL OR g.valid_to > i.period)) gn ON true
WINDOW w AS (PARTITION BY i.model, i.level, i.unit ORDER BY i.period);
COMMENT ON VIEW shegu.index_report IS
    'the published index for BI tools: model, unit, unit name, level, period, index on the model''s scale, grade (the lowest when vetoed), veto and imputation flags, dimensions as a JSON object of code -> score on the scale, rank, the number of ranked units, the previous stored period''s index, its change and the change in rank (positive = moved up)';
COMMENT ON COLUMN shegu.index_report.model IS 'the model (shegu.index_model.name)';
COMMENT ON COLUMN shegu.index_report.unit IS 'grid code of the scored unit (e.g. a 社区 community at level 5)';
COMMENT ON COLUMN shegu.index_report.unit_name IS 'display name of the unit: from shegu.index_unit_name when it has one there, else the name of the shegu.grid version valid in the period; NULL when neither has it';
COMMENT ON COLUMN shegu.index_report.level IS 'grid level of the scored units: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.index_report.period IS 'the period (考核期) as stored by store_index';
COMMENT ON COLUMN shegu.index_report.index_value IS 'the index (指数): the root node''s score x the model''s scale, e.g. 0-100 points; NULL when too little of the weight had data';
COMMENT ON COLUMN shegu.index_report.grade IS 'grade (等次) from shegu.index_grade: the one with the highest min_score not above index_value; the lowest grade when vetoed; NULL when no grade applies';
COMMENT ON COLUMN shegu.index_report.vetoed IS 'true when a one-vote veto (一票否决) fired on any indicator of the unit; the index is unchanged but the grade is the lowest';
COMMENT ON COLUMN shegu.index_report.imputed IS 'true when an imputed value (missing rule parent_mean or carry_forward) entered the index';
COMMENT ON COLUMN shegu.index_report.dimensions IS 'the dimensions (维度, the root''s children) as a JSON object node code -> score x scale, e.g. {"D1": 82.5, "D2": 71.0}; null for a dimension without a score';
COMMENT ON COLUMN shegu.index_report.rank IS 'rank of the index among the units of the model, level and period: 1 = best, ties share the best rank; NULL without an index';
COMMENT ON COLUMN shegu.index_report.ranked_units IS 'number of units ranked in the model, level and period (rank is out of this)';
COMMENT ON COLUMN shegu.index_report.previous_index IS 'index_value of the same unit in its latest earlier stored period of the same model and level; NULL for its first period';
COMMENT ON COLUMN shegu.index_report.change IS 'index_value - previous_index, in points of the scale (positive = improved)';
COMMENT ON COLUMN shegu.index_report.rank_change IS 'previous rank - rank: positive = moved up, negative = moved down; NULL for the first period or without a rank';

-- ==== feeds: objective indicators from the system's own data ====

CREATE FUNCTION shegu.feed_index(model text, period date)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    n record;
    rel regclass;
    total bigint := 0;
    k bigint;
    lvl int := (SELECT m.level FROM shegu.index_model m WHERE m.name = feed_index.model);
BEGIN
    IF feed_index.period IS NULL THEN
        RAISE EXCEPTION 'period of shegu.feed_index is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Give the period to feed, e.g. the first day of the month.';
    END IF;
    IF lvl IS NULL THEN
        RAISE EXCEPTION 'index model "%" does not exist', feed_index.model
            USING ERRCODE = 'undefined_object', HINT = 'Models are rows of shegu.index_model.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.indicator_value'),
        pg_catalog.hashtext(feed_index.model || '/' || feed_index.period));
    FOR n IN SELECT x.code, x.source, x.source_column, x.survey_question
             FROM shegu.index_node x
             WHERE x.model = feed_index.model AND (x.source IS NOT NULL OR x.survey_question IS NOT NULL)
             ORDER BY x.code
    LOOP
        DELETE FROM shegu.indicator_value v
        WHERE v.model = feed_index.model AND v.indicator = n.code AND v.period = feed_index.period;
        IF n.source IS NOT NULL THEN
            rel := to_regclass(n.source);
            IF rel IS NULL THEN
                RAISE EXCEPTION 'source relation "%" of node "%" does not exist', n.source, n.code
                    USING ERRCODE = 'undefined_table',
                          DETAIL = format('Index model "%s" feeds node "%s" from column "%s" of it.', feed_index.model, n.code, n.source_column),
                          HINT = 'Install the room that provides it, or point the node at another relation.';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = rel AND a.attname = n.source_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
                RAISE EXCEPTION 'column "%" of source relation "%" of node "%" does not exist', n.source_column, n.source, n.code
                    USING ERRCODE = 'undefined_column',
                          HINT = 'A source relation has the columns unit (shegu.gridcode), month (date) and the value column.';
            END IF;
            EXECUTE format(
                'INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
                 SELECT $1, $2, s.unit, $3, s.%1$I::float8 FROM %2$s AS s
                 WHERE s.month = $3 AND s.%1$I IS NOT NULL
                   AND s.%1$I::float8 NOT IN (''NaN'', ''Infinity'', ''-Infinity'')',
                n.source_column, rel)
            USING feed_index.model, n.code, feed_index.period;
        ELSE
            -- the mean answer per unit where answers were recorded, and at the model's level
            -- the mean over every answer below it (weighted by answers, not a mean of means)
            INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
            SELECT feed_index.model, n.code, a.unit, feed_index.period, a.mean
            FROM (SELECT r.unit, avg(r.score)::float8 AS mean
                  FROM shegu.survey_response r
                  WHERE r.period = feed_index.period AND r.question = n.survey_question
                    AND shegu.level(r.unit) <> lvl
                  GROUP BY r.unit
                  UNION ALL
                  SELECT shegu.ancestor(r.unit, lvl), avg(r.score)::float8
                  FROM shegu.survey_response r
                  WHERE r.period = feed_index.period AND r.question = n.survey_question
                    AND shegu.level(r.unit) >= lvl
                  GROUP BY 1) AS a;
        END IF;
        GET DIAGNOSTICS k = ROW_COUNT;
        total := total + k;
    END LOOP;
    RETURN total;
END;
$$;
COMMENT ON FUNCTION shegu.feed_index(text, date) IS
    'reloads the fed indicators of a model for a period: nodes with a source read column source_column of that relation (columns unit, month; e.g. shegu.incident_measures), resolved when called; nodes with a survey_question take the mean score of shegu.survey_response per unit where answered, and at the model''s level the mean of all answers below each unit; NULL and non-finite source values are left missing; returns the rows written';

-- ==== periods: monthly data into quarters and years (月考核、季点评、年终总评) ====

CREATE FUNCTION shegu.aggregate_periods(model text, first date, last date, into_model text, period date)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    IF aggregate_periods.first IS NULL OR aggregate_periods.last IS NULL OR aggregate_periods.period IS NULL THEN
        RAISE EXCEPTION 'first, last and period of shegu.aggregate_periods must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  DETAIL = pg_catalog.format('Got first %s, last %s, period %s.',
                                             coalesce(aggregate_periods.first::text, 'NULL'),
                                             coalesce(aggregate_periods.last::text, 'NULL'),
                                             coalesce(aggregate_periods.period::text, 'NULL'));
    END IF;
    IF aggregate_periods.first > aggregate_periods.last THEN
        RAISE EXCEPTION 'first period % is after last period %', aggregate_periods.first, aggregate_periods.last
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF aggregate_periods.model = aggregate_periods.into_model
       AND aggregate_periods.period BETWEEN aggregate_periods.first AND aggregate_periods.last THEN
        RAISE EXCEPTION 'period % lies inside the periods it aggregates', aggregate_periods.period
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Aggregate into another model (e.g. a quarterly copy) or label the result with a date outside the range.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_model m WHERE m.name = aggregate_periods.model) THEN
        RAISE EXCEPTION 'index model "%" does not exist', aggregate_periods.model USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_model m WHERE m.name = aggregate_periods.into_model) THEN
        RAISE EXCEPTION 'index model "%" does not exist', aggregate_periods.into_model USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.indicator_value'),
        pg_catalog.hashtext(aggregate_periods.into_model || '/' || aggregate_periods.period));
    DELETE FROM shegu.indicator_value v
    WHERE v.model = aggregate_periods.into_model AND v.period = aggregate_periods.period;
    INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
    SELECT aggregate_periods.into_model, v.indicator, v.unit, aggregate_periods.period,
           CASE coalesce(n.rollup, 'mean')
                WHEN 'sum' THEN sum(v.value) WHEN 'max' THEN max(v.value) WHEN 'min' THEN min(v.value)
                ELSE avg(v.value) END
    FROM shegu.indicator_value v
    LEFT JOIN shegu.index_node n ON n.model = v.model AND n.code = v.indicator
    WHERE v.model = aggregate_periods.model AND v.period BETWEEN aggregate_periods.first AND aggregate_periods.last
    GROUP BY v.indicator, v.unit, n.rollup;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.aggregate_periods(text, date, date, text, date) IS
    'aggregates the raw values of a model over the periods first..last into one period of a model (the same or a copy, e.g. quarterly): per indicator and unit the sum for rollup sum, the max for max, the min for min, else the mean (the population indicator: the mean); replaces the target period''s values; returns the rows written';

-- ==== weights ====

CREATE FUNCTION shegu.ahp_weights(matrix float8[])
RETURNS TABLE(weights float8[], lambda_max float8, ci float8, cr float8)
    AS 'MODULE_PATHNAME', 'index_ahp_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.ahp_weights(float8[]) IS
    'AHP (层次分析法): the principal eigenvector of a positive reciprocal pairwise comparison matrix (n <= 15) normalised to sum 1, lambda_max, CI = (lambda_max - n)/(n - 1) and CR = CI/RI with Saaty''s random index; a CR above 0.1 means the judgements are inconsistent';

CREATE FUNCTION shegu.apply_ahp_weights(model text, node text, children text[], matrix float8[])
RETURNS TABLE(child text, weight float8, cr float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    kids text[];
    a record;
BEGIN
    SELECT array_agg(x.code ORDER BY x.code) INTO kids
    FROM shegu.index_node x WHERE x.model = apply_ahp_weights.model AND x.parent = apply_ahp_weights.node;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_node x
                   WHERE x.model = apply_ahp_weights.model AND x.code = apply_ahp_weights.node) THEN
        RAISE EXCEPTION 'node "%" does not exist in index model "%"', apply_ahp_weights.node, apply_ahp_weights.model
            USING ERRCODE = 'undefined_object', HINT = 'Nodes are rows of shegu.index_node.';
    END IF;
    IF kids IS NULL THEN
        RAISE EXCEPTION 'node "%" of index model "%" has no children', apply_ahp_weights.node, apply_ahp_weights.model
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT array_agg(c ORDER BY c) FROM unnest(apply_ahp_weights.children) AS c) IS DISTINCT FROM kids THEN
        RAISE EXCEPTION 'children % do not match the children % of node "%"', apply_ahp_weights.children, kids, apply_ahp_weights.node
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Name every child once, in the order of the matrix rows.';
    END IF;
    IF array_length(apply_ahp_weights.matrix, 1) IS DISTINCT FROM cardinality(kids) THEN
        RAISE EXCEPTION 'pairwise comparison matrix has % rows for % children',
            coalesce(array_length(apply_ahp_weights.matrix, 1), 0), cardinality(kids)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO a FROM shegu.ahp_weights(apply_ahp_weights.matrix);
    IF a.cr > 0.1 THEN
        RAISE WARNING 'consistency ratio % of the judgements for node "%" is above 0.1', round(a.cr::numeric, 4), apply_ahp_weights.node
            USING HINT = 'Saaty asks for CR <= 0.1; revise the comparisons.';
    END IF;
    RETURN QUERY
    UPDATE shegu.index_node x SET weight = a.weights[i]
    FROM unnest(apply_ahp_weights.children) WITH ORDINALITY AS c(code, i)
    WHERE x.model = apply_ahp_weights.model AND x.code = c.code
    RETURNING x.code, x.weight, a.cr;
END;
$$;
COMMENT ON FUNCTION shegu.apply_ahp_weights(text, text, text[], float8[]) IS
    'writes AHP weights into the children of a node (rows of the matrix in the order of children); warns when CR > 0.1; returns each child''s new weight and the CR';

CREATE FUNCTION shegu.entropy_weights(matrix float8[])
RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_entropy_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.entropy_weights(float8[]) IS
    'entropy weights (熵权法) of a units x indicators matrix of values >= 0: p = x / column sum, e = -sum p ln p / ln m (0 ln 0 = 0), w = (1 - e) / sum(1 - e); a constant indicator gets 0; fewer than two units is an error';

-- the children's scores of a node, one row per unit that has all of them
CREATE FUNCTION shegu.index_children_matrix(model text, period date, node text, level int,
                                            leaves boolean,
                                            OUT children text[], OUT weights float8[],
                                            OUT matrix float8[], OUT parent_scores float8[], OUT units int)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM shegu.index_node x WHERE x.model = index_children_matrix.model
                   AND x.code = index_children_matrix.node) THEN
        RAISE EXCEPTION 'node "%" does not exist in index model "%"', index_children_matrix.node, index_children_matrix.model
            USING ERRCODE = 'undefined_object';
    END IF;
    IF index_children_matrix.leaves THEN
        -- every indicator below the node, weighted by the product of the normalised weights
        -- on its path (its nominal weight in the node's score)
        WITH RECURSIVE nw AS (
            SELECT x.code, x.parent, x.weight / nullif(sum(x.weight) OVER (PARTITION BY x.parent), 0) AS w
            FROM shegu.index_node x WHERE x.model = index_children_matrix.model
        ), t AS (
            SELECT nw.code, coalesce(nw.w, 0) AS w FROM nw WHERE nw.parent = index_children_matrix.node
            UNION ALL
            SELECT nw.code, t.w * coalesce(nw.w, 0) FROM nw JOIN t ON nw.parent = t.code
        )
        SELECT array_agg(t.code ORDER BY t.code COLLATE "C"), array_agg(t.w ORDER BY t.code COLLATE "C")
        INTO children, weights
        FROM t WHERE NOT EXISTS (SELECT 1 FROM shegu.index_node y
                                 WHERE y.model = index_children_matrix.model AND y.parent = t.code);
    ELSE
        SELECT array_agg(x.code ORDER BY x.code COLLATE "C"), array_agg(x.weight ORDER BY x.code COLLATE "C")
        INTO children, weights
        FROM shegu.index_node x WHERE x.model = index_children_matrix.model AND x.parent = index_children_matrix.node;
    END IF;
    IF children IS NULL THEN
        RAISE EXCEPTION 'node "%" of index model "%" has no children', index_children_matrix.node, index_children_matrix.model
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Weights are set among the children of a node.';
    END IF;
    WITH c AS (
        SELECT s.unit, s.node, s.score
        FROM shegu.index_compute(index_children_matrix.model, index_children_matrix.period, index_children_matrix.level) AS s
        WHERE s.node = ANY (children) OR s.node = index_children_matrix.node
    ), r AS (
        SELECT c.unit,
               array_agg(c.score ORDER BY c.node COLLATE "C") FILTER (WHERE c.node <> index_children_matrix.node) AS row,
               count(c.score) FILTER (WHERE c.node <> index_children_matrix.node) AS k,
               max(c.score) FILTER (WHERE c.node = index_children_matrix.node) AS p
        FROM c GROUP BY c.unit
    )
    SELECT array_agg(r.row ORDER BY r.unit), array_agg(r.p ORDER BY r.unit), count(*)
    INTO matrix, parent_scores, units
    FROM r WHERE r.k = cardinality(children) AND r.p IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION shegu.index_children_matrix(text, date, text, int, boolean) IS
    'helper of the weight functions: the children of a node (code order) and their weights - or with leaves every indicator below it and the product of the normalised weights on its path - the matrix of their scores for the units that have all of them and the node''s own scores for those units';

CREATE FUNCTION shegu.entropy_weights(model text, period date, node text, level int DEFAULT NULL)
RETURNS TABLE(child text, weight float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    m record;
BEGIN
    SELECT * INTO m FROM shegu.index_children_matrix(entropy_weights.model, entropy_weights.period,
                                                     entropy_weights.node, entropy_weights.level, false);
    IF m.units < 2 THEN
        RAISE EXCEPTION 'entropy weights need at least two units, not %', m.units
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Units of period %s with a score for every child of node "%s": %s.', entropy_weights.period, entropy_weights.node, m.units);
    END IF;
    RETURN QUERY
    SELECT m.children[i], w[i]
    FROM (SELECT shegu.entropy_weights(m.matrix) AS w) AS e, generate_subscripts(m.children, 1) AS i
    ORDER BY i;
END;
$$;
COMMENT ON FUNCTION shegu.entropy_weights(text, date, text, int) IS
    'entropy weights (熵权法) of the children of a node from their normalised scores in a period (units with every child present)';

CREATE FUNCTION shegu.apply_entropy_weights(model text, period date, node text, level int DEFAULT NULL)
RETURNS TABLE(child text, old_weight float8, new_weight float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH e AS (SELECT * FROM shegu.entropy_weights(apply_entropy_weights.model, apply_entropy_weights.period,
                                                  apply_entropy_weights.node, apply_entropy_weights.level)),
         old AS (SELECT x.code, x.weight FROM shegu.index_node x
                 WHERE x.model = apply_entropy_weights.model AND x.parent = apply_entropy_weights.node),
         upd AS (UPDATE shegu.index_node x SET weight = e.weight FROM e
                 WHERE x.model = apply_entropy_weights.model AND x.code = e.child
                 RETURNING x.code, x.weight)
    SELECT upd.code, old.weight, upd.weight FROM upd JOIN old USING (code) ORDER BY upd.code COLLATE "C";
END;
$$;
COMMENT ON FUNCTION shegu.apply_entropy_weights(text, date, text, int) IS
    'writes the entropy weights of a period into the children of a node; returns the old and new weights';

CREATE FUNCTION shegu.effective_weights_of(matrix float8[], index float8[], weights float8[],
                                           log_scale boolean DEFAULT false)
RETURNS TABLE(child int, variance_share float8, correlation float8, dominant boolean, index_dominated boolean)
    AS 'MODULE_PATHNAME', 'index_effective_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.effective_weights_of(float8[], float8[], float8[], boolean) IS
    'effective weights of the columns of a units x children matrix in an index: share of the index variance cov(w_j x_j, I) / sum_k cov(w_k x_k, I), Pearson correlation with the index, dominant when the share exceeds twice the nominal weight share, and whether at most a third of the children carry 80% of the variance; with log_scale the same on ln x and ln I (exact for a geometric mean; values must be > 0)';

CREATE FUNCTION shegu.effective_weights(model text, period date, node text DEFAULT NULL, level int DEFAULT NULL,
                                        indicators boolean DEFAULT false)
RETURNS TABLE(child text, nominal_weight float8, variance_share float8, correlation float8,
              dominant boolean, index_dominated boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    nd text := effective_weights.node;
    m record;
    use_log boolean;
BEGIN
    IF nd IS NULL THEN
        SELECT x.code INTO nd FROM shegu.index_node x WHERE x.model = effective_weights.model AND x.parent IS NULL;
        IF nd IS NULL THEN
            RAISE EXCEPTION 'index model "%" does not exist or has no root node', effective_weights.model
                USING ERRCODE = 'undefined_object';
        END IF;
    END IF;
    SELECT * INTO m FROM shegu.index_children_matrix(effective_weights.model, effective_weights.period, nd,
                                                     effective_weights.level, effective_weights.indicators);
    IF m.units < 2 THEN
        RAISE EXCEPTION 'effective weights need at least two units, not %', m.units
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the children of a geometric node decompose exactly on the log scale when all are > 0
    use_log := NOT effective_weights.indicators
        AND (SELECT x.aggregation = 'geometric' FROM shegu.index_node x
             WHERE x.model = effective_weights.model AND x.code = nd)
        AND (SELECT min(v) > 0 FROM unnest(m.matrix) AS v)
        AND (SELECT min(v) > 0 FROM unnest(m.parent_scores) AS v);
    RETURN QUERY
    SELECT m.children[e.child], m.weights[e.child] / (SELECT sum(w) FROM unnest(m.weights) AS w),
           e.variance_share, e.correlation, e.dominant, e.index_dominated
    FROM shegu.effective_weights_of(m.matrix, m.parent_scores, m.weights, use_log) AS e
    ORDER BY e.child;
END;
$$;
COMMENT ON FUNCTION shegu.effective_weights(text, date, text, int, boolean) IS
    'effective weights report of the children of a node (default the index) in a period - or, with indicators, of every indicator below it, whose nominal weight is the product of the normalised weights on its path: nominal weight share, share of the variance of the node''s score (for a geometric node with all scores > 0: of its log, where the decomposition is exact), correlation with it, dominant flag and the dominated flag of the node';

-- ==== uncertainty ====

CREATE FUNCTION shegu.index_uncertainty(model text, period date, runs int DEFAULT 1000,
                                        weight_noise float8 DEFAULT 0.2, seed int DEFAULT 1,
                                        level int DEFAULT NULL, vary_aggregation boolean DEFAULT false,
                                        vary_normalization boolean DEFAULT false)
RETURNS TABLE(unit shegu.gridcode, nominal_rank int, mean_rank float8, median_rank float8,
              rank_p05 float8, rank_p95 float8, runs_ranked int)
    AS 'MODULE_PATHNAME', 'index_uncertainty' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_uncertainty(text, date, int, float8, int, int, boolean, boolean) IS
    'Monte Carlo robustness of the ranking: each run multiplies every weight by U(1 - weight_noise, 1 + weight_noise) (with vary_aggregation each parent switches between arithmetic and geometric, with vary_normalization each indicator between its normalisation and the alternative - percentile rank, or min-max for rank and zscore - each with probability 1/2) and ranks the units again; per unit the nominal rank and the mean, median, 5% and 95% quantiles of its rank; a seeded splitmix64 stream, so the same seed gives the same answer';

-- ==== aggregates ====

CREATE FUNCTION shegu.index_wmean_accum(float8[], float8, float8) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wmean_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_accum(float8[], float8, float8) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wgmean_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wmean_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wmean_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'index_wgmean_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wmean_final(float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'index_wmean_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION shegu.index_wgmean_final(float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'index_wgmean_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_wmean_accum(float8[], float8, float8) IS 'transition of shegu.wmean: state {sum w*x, sum w, rows}';
COMMENT ON FUNCTION shegu.index_wgmean_accum(float8[], float8, float8) IS 'transition of shegu.wgmean: state {sum w*ln x, sum w, zero seen}';
COMMENT ON FUNCTION shegu.index_wmean_combine(float8[], float8[]) IS 'combine of shegu.wmean: adds two partial states (parallel aggregation)';
COMMENT ON FUNCTION shegu.index_wgmean_combine(float8[], float8[]) IS 'combine of shegu.wgmean: adds two partial states, keeping the zero flag (parallel aggregation)';
COMMENT ON FUNCTION shegu.index_wmean_final(float8[]) IS 'final of shegu.wmean: sum w*x / sum w';
COMMENT ON FUNCTION shegu.index_wgmean_final(float8[]) IS 'final of shegu.wgmean: exp(sum w ln x / sum w), 0 when a value 0 had a positive weight';

CREATE AGGREGATE shegu.wmean(value float8, weight float8) (
    SFUNC = shegu.index_wmean_accum,
    STYPE = float8[],
    FINALFUNC = shegu.index_wmean_final,
    COMBINEFUNC = shegu.index_wmean_combine,
    INITCOND = '{0,0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE shegu.wmean(float8, float8) IS
    'weighted arithmetic mean sum(w x) / sum(w); rows with a NULL value or weight are skipped; NULL when no positive weight; a negative or non-finite weight or a non-finite value is an error; parallel-safe';

CREATE AGGREGATE shegu.wgmean(value float8, weight float8) (
    SFUNC = shegu.index_wgmean_accum,
    STYPE = float8[],
    FINALFUNC = shegu.index_wgmean_final,
    COMBINEFUNC = shegu.index_wgmean_combine,
    INITCOND = '{0,0,0}',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE shegu.wgmean(float8, float8) IS
    'weighted geometric mean exp(sum(w ln x) / sum(w)); a value 0 with a positive weight makes it 0; negative values are an error; rows with a NULL are skipped; parallel-safe';

-- ==== the default model: 社会治理指数 ====

INSERT INTO shegu.index_model (name, title, scale, level, min_share, description, shipped) VALUES
('社会治理指数', '社会治理指数 social governance index', 100, 5, 0.5,
 'Default model: 70% objective performance from shegu.incident_measures, 30% resident survey (seed 001: the public-opinion survey carries 30 of 100 points); communities (level 5) are scored; adapt it to local practice.',
 true);

INSERT INTO shegu.index_node (model, code, parent, title, weight, aggregation, direction, normalization,
                              lo, hi, rollup, missing, veto_below, source, source_column, survey_question, shipped) VALUES
('社会治理指数', 'SGI', NULL, '社会治理指数 social governance index', 1, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true),
('社会治理指数', 'D1', 'SGI', '客观治理绩效 objective performance', 0.7, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true),
('社会治理指数', 'D2', 'SGI', '群众评价 resident survey', 0.3, 'arithmetic', 1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, NULL, NULL, NULL, true),
('社会治理指数', 'D1.1', 'D1', '处置率 disposal rate', 0.25, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', 0.95, 'shegu.incident_measures', 'disposal_rate', NULL, true),
('社会治理指数', 'D1.2', 'D1', '按时办结率 on-time closure rate', 0.25, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', NULL, 'shegu.incident_measures', 'on_time_rate', NULL, true),
('社会治理指数', 'D1.3', 'D1', '返工率 rework rate', 0.15, 'arithmetic', -1, 'goalpost', 0, 0.2, 'mean', 'omit', NULL, 'shegu.incident_measures', 'rework_rate', NULL, true),
('社会治理指数', 'D1.4', 'D1', '办结平均工时 average working hours to close', 0.15, 'arithmetic', -1, 'minmax', NULL, NULL, 'mean', 'omit', NULL, 'shegu.incident_measures', 'avg_work_hours_to_close', NULL, true),
('社会治理指数', 'D1.5', 'D1', '事件满意率 reporters'' satisfaction rate', 0.20, 'arithmetic', 1, 'goalpost', 0, 1, 'mean', 'omit', NULL, 'shegu.incident_measures', 'satisfaction_rate', NULL, true),
('社会治理指数', 'D2.1', 'D2', '知晓度 awareness', 1, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '知晓度', true),
('社会治理指数', 'D2.2', 'D2', '参与度 participation', 1, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '参与度', true),
('社会治理指数', 'D2.3', 'D2', '满意度 satisfaction', 1, 'arithmetic', 1, 'goalpost', 1, 5, 'mean', 'parent_mean', NULL, NULL, NULL, '满意度', true);

INSERT INTO shegu.index_grade (model, grade, min_score, shipped) VALUES
('社会治理指数', '优秀', 90, true),
('社会治理指数', '良好', 80, true),
('社会治理指数', '合格', 60, true),
('社会治理指数', '不合格', 0, true);

SELECT pg_catalog.pg_extension_config_dump('shegu.index_model', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_node', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_grade', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('shegu.indicator_value', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.survey_response', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.survey_response_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_unit_name', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.index_score', '');

-- ==== src/security.sql
-- Security (安全与个人信息保护): the three group roles, their privileges, grid-scoped row-level
-- security (网格权限) and the masked views analysts read (PIPL 个人信息保护法).
-- src/security.sql — SQL only; act()'s authorisation lives in src/incident.c.

-- ---------------------------------------------------------------------------------------------
-- Roles.  Roles are cluster-wide: the first CREATE EXTENSION in the cluster creates them
-- (NOLOGIN), a later one in another database reuses them.  A role of that name that is a
-- superuser or may bypass row-level security would void the grid scope: it is refused.
-- DROP EXTENSION leaves the roles (other databases may use them).

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT v.name, v.what FROM (VALUES
                 ('shegu_centre', 'dispatch centre 指挥中心/调度员: every incident, acts on behalf of callers'),
                 ('shegu_grid_worker', 'grid staff 网格员/网格长: the incidents of the grids assigned in shegu.grid_staff'),
                 ('shegu_analyst', 'analyst 分析员: aggregates and masked personal fields only')) AS v(name, what)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS a WHERE a.rolname = r.name) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
            EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, 'shegu group role: ' || r.what);
        ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS a
                      WHERE a.rolname = r.name AND (a.rolsuper OR a.rolbypassrls)) THEN
            RAISE EXCEPTION 'role % exists and is a superuser or bypasses row-level security', r.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'shegu grants its group roles grid-scoped access; such a role would see every row.',
                      HINT = pg_catalog.format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS, or drop it, then CREATE EXTENSION shegu again.', r.name);
        END IF;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The grid scope of a role: the codes it is assigned to today (heads are assigned higher up and
-- so see the whole subtree below them).

CREATE FUNCTION shegu.grid_scope(who name DEFAULT NULL) RETURNS shegu.gridcode[]
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = shegu, pg_catalog, pg_temp
AS $$
    -- the calling role: the one SET ROLE chose, else the session user (SECURITY DEFINER changes
    -- current_user, not these)
    WITH me AS (SELECT CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
                            ELSE pg_catalog.current_setting('role')::name END AS r)
    SELECT coalesce(array_agg(DISTINCT s.code ORDER BY s.code), '{}')
    FROM me, shegu.grid_staff AS s
    WHERE s.db_role = coalesce(who, me.r)
      AND (who IS NULL OR who = me.r OR pg_catalog.pg_has_role(me.r, 'shegu_centre', 'MEMBER'))
      AND s.valid_from <= CURRENT_DATE AND (s.valid_to IS NULL OR s.valid_to > CURRENT_DATE)
$$;
COMMENT ON FUNCTION shegu.grid_scope(name) IS
    'grid codes the calling role (or, for superusers and shegu_centre members, the role named) is assigned to today in shegu.grid_staff: its grid scope 网格权限, a subtree each; empty for a role with no assignment';
REVOKE ALL ON FUNCTION shegu.grid_scope(name) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Masking of personal fields (个人信息去标识化).

CREATE FUNCTION shegu.mask_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN name IS NULL THEN NULL
                WHEN pg_catalog.char_length(name) <= 1 THEN '*'
                ELSE pg_catalog.left(name, 1) || pg_catalog.repeat('*', pg_catalog.char_length(name) - 1) END;
COMMENT ON FUNCTION shegu.mask_name(text) IS
    'a person''s name with all but its first character masked: 张三丰 → 张**, wang → w***; NULL stays NULL';

CREATE FUNCTION shegu.mask_phone(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN phone IS NULL THEN NULL
                WHEN pg_catalog.char_length(phone) >= 11
                    THEN pg_catalog.left(phone, 3) || pg_catalog.repeat('*', pg_catalog.char_length(phone) - 7)
                         || pg_catalog.right(phone, 4)
                WHEN pg_catalog.char_length(phone) > 2
                    THEN pg_catalog.repeat('*', pg_catalog.char_length(phone) - 2) || pg_catalog.right(phone, 2)
                ELSE pg_catalog.repeat('*', pg_catalog.char_length(phone)) END;
COMMENT ON FUNCTION shegu.mask_phone(text) IS
    'a phone number masked in the middle: 13812345678 → 138****5678 (11 or more characters keep the first 3 and last 4, shorter ones the last 2); NULL stays NULL';

-- ---------------------------------------------------------------------------------------------
-- Row-level security by grid subtree.  Superusers and the tables' owner bypass it; a role
-- with no policy (the analyst) sees no row.

ALTER TABLE shegu.incident ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.incident_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.grid_staff ENABLE ROW LEVEL SECURITY;

CREATE POLICY incident_centre ON shegu.incident TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY incident_grid ON shegu.incident TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]))
    WITH CHECK (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
CREATE POLICY incident_event_centre ON shegu.incident_event FOR SELECT TO shegu_centre USING (true);
CREATE POLICY incident_event_grid ON shegu.incident_event FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.incident AS i WHERE i.id = incident_id));
CREATE POLICY grid_staff_centre ON shegu.grid_staff TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY grid_staff_grid ON shegu.grid_staff FOR SELECT TO shegu_grid_worker
    USING (db_role = CURRENT_USER OR code OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
COMMENT ON POLICY incident_centre ON shegu.incident IS 'the dispatch centre sees and reports every incident';
COMMENT ON POLICY incident_grid ON shegu.incident IS 'grid staff see, report and edit only incidents in the subtrees of their grids (shegu.grid_scope())';
COMMENT ON POLICY incident_event_centre ON shegu.incident_event IS 'the dispatch centre reads every event';
COMMENT ON POLICY incident_event_grid ON shegu.incident_event IS 'grid staff read the events of the incidents they see';
COMMENT ON POLICY grid_staff_centre ON shegu.grid_staff IS 'the dispatch centre manages all staff';
COMMENT ON POLICY grid_staff_grid ON shegu.grid_staff IS 'grid staff see their own assignments and the staff of the grids under them';

-- ---------------------------------------------------------------------------------------------
-- Views.  Those that list incidents run with the caller's rights so that row-level security
-- applies (security_invoker); the aggregate and masked ones run with the owner's rights and
-- are granted to the centre and the analysts only.

ALTER VIEW shegu.incident_supervision SET (security_invoker = true);
ALTER VIEW shegu.incident_accountability SET (security_invoker = true);
ALTER FUNCTION shegu.incident_measures_at(timestamptz) SECURITY DEFINER;
ALTER FUNCTION shegu.incident_measures_at(timestamptz) SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.incident_measures_at(timestamptz) FROM PUBLIC;

CREATE VIEW shegu.incident_masked WITH (security_barrier) AS
    SELECT i.id, i.category, i.grid, i.source, shegu.mask_name(i.reporter) AS reporter,
           i.reported_at, i.status, i.level, i.accepted_at, i.resolved_at, i.closed_at, i.due_at,
           i.light, i.escalations, i.rework_count, i.satisfaction, i.work_hours_to_close
    FROM shegu.incident AS i;
COMMENT ON VIEW shegu.incident_masked IS
    'incidents for analysts (分析脱敏视图): workflow and timing columns, the reporter''s name masked; no title, description or location, which may name or place a person';
COMMENT ON COLUMN shegu.incident_masked.id IS 'incident number (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_masked.category IS 'category code';
COMMENT ON COLUMN shegu.incident_masked.grid IS 'grid (网格) at report time';
COMMENT ON COLUMN shegu.incident_masked.source IS 'source (来源)';
COMMENT ON COLUMN shegu.incident_masked.reporter IS 'reporter''s name masked by shegu.mask_name (上报人, 脱敏)';
COMMENT ON COLUMN shegu.incident_masked.reported_at IS 'when it was reported';
COMMENT ON COLUMN shegu.incident_masked.status IS 'workflow state';
COMMENT ON COLUMN shegu.incident_masked.level IS 'level now responsible';
COMMENT ON COLUMN shegu.incident_masked.accepted_at IS 'last acceptance time';
COMMENT ON COLUMN shegu.incident_masked.resolved_at IS 'last disposal time';
COMMENT ON COLUMN shegu.incident_masked.closed_at IS 'closure time';
COMMENT ON COLUMN shegu.incident_masked.due_at IS 'disposal deadline';
COMMENT ON COLUMN shegu.incident_masked.light IS 'time light';
COMMENT ON COLUMN shegu.incident_masked.escalations IS 'number of escalations';
COMMENT ON COLUMN shegu.incident_masked.rework_count IS 'number of returns for rework';
COMMENT ON COLUMN shegu.incident_masked.satisfaction IS 'satisfaction score 1-5';
COMMENT ON COLUMN shegu.incident_masked.work_hours_to_close IS 'working hours from report to closure';

CREATE VIEW shegu.grid_staff_masked WITH (security_barrier) AS
    SELECT s.code, s.role, shegu.mask_name(s.person_name) AS person_name, shegu.mask_phone(s.phone) AS phone,
           s.valid_from, s.valid_to
    FROM shegu.grid_staff AS s;
COMMENT ON VIEW shegu.grid_staff_masked IS
    'grid staff for analysts (一格多元, 脱敏): names and phones masked, no database role';
COMMENT ON COLUMN shegu.grid_staff_masked.code IS 'the grid';
COMMENT ON COLUMN shegu.grid_staff_masked.role IS 'grid_head 网格长, grid_worker 专职网格员, police, auxiliary, supervisor, other';
COMMENT ON COLUMN shegu.grid_staff_masked.person_name IS 'the name masked by shegu.mask_name';
COMMENT ON COLUMN shegu.grid_staff_masked.phone IS 'the phone masked by shegu.mask_phone';
COMMENT ON COLUMN shegu.grid_staff_masked.valid_from IS 'first day of the assignment';
COMMENT ON COLUMN shegu.grid_staff_masked.valid_to IS 'first day after it; NULL while current';

-- ---------------------------------------------------------------------------------------------
-- Privileges.  Nothing is granted to PUBLIC; the event log is written only by shegu itself
-- (act() and the report trigger run as the owner), and the workflow columns of an incident are
-- changed only by act().

REVOKE ALL ON shegu.incident, shegu.incident_event FROM PUBLIC;
GRANT USAGE ON SCHEMA shegu TO shegu_centre, shegu_grid_worker, shegu_analyst;

GRANT SELECT ON shegu.grid, shegu.incident_category, shegu.work_schedule, shegu.workday_override
    TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT SELECT ON shegu.incident, shegu.incident_event, shegu.grid_staff,
                shegu.incident_supervision, shegu.incident_accountability
    TO shegu_centre, shegu_grid_worker;
GRANT INSERT (category, title, description, location, grid, source, reporter, reported_at, level, idempotency_key, county),
      UPDATE (title, description, reporter)
    ON shegu.incident TO shegu_centre, shegu_grid_worker;
GRANT INSERT, UPDATE, DELETE ON shegu.grid_staff TO shegu_centre;
GRANT EXECUTE ON FUNCTION shegu.act(bigint, text, text, text, jsonb) TO shegu_centre, shegu_grid_worker;
GRANT EXECUTE ON FUNCTION shegu.grid_scope(name) TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.incident_masked, shegu.grid_staff_masked, shegu.incident_measures,
                shegu.index_model, shegu.index_node, shegu.index_grade, shegu.index_score,
                shegu.index_unit_name, shegu.index_report, shegu.survey_measures
    TO shegu_centre, shegu_analyst;
GRANT EXECUTE ON FUNCTION shegu.incident_measures_at(timestamptz) TO shegu_centre, shegu_analyst;

-- ==== src/restore.sql
-- Dump and restore (备份与恢复): the guard of shipped rows.  A row shegu ships (shipped = true)
-- is left out by pg_dump and put back by CREATE EXTENSION; a user's edit of it makes it the
-- user's (shipped = false), so pg_dump keeps it and the restore writes it over the shipped row.
-- src/restore.sql — declares what src/restore.c implements; docs/restore.md.

CREATE FUNCTION shegu.shipped_row_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'restore_shipped_row_guard' LANGUAGE C;
COMMENT ON FUNCTION shegu.shipped_row_guard() IS
    'trigger of the tables with shipped rows: an edited shipped row becomes the user''s (shipped = false) so that pg_dump keeps it; a restored row with the key of a shipped row is written over it; deleting or re-keying a shipped row, and marking a row shipped, are refused (SGR01) outside CREATE/ALTER EXTENSION';

CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workday_override
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.work_schedule
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.incident_category
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_model
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_node
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_grade
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.workday_override IS 'keeps users'' edits of shipped days through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.work_schedule IS 'keeps users'' edits of shipped schedules through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.incident_category IS 'keeps users'' edits of shipped categories through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_model IS 'keeps users'' edits of shipped models through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_node IS 'keeps users'' edits of shipped nodes through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_grade IS 'keeps users'' edits of shipped grades through dump and restore';

-- ==== src/report.sql
-- Reports for analysts and BI tools (报表): views with plain column types, frozen monthly
-- figures, veto-aware ranks, GeoJSON for web maps and choropleth SVG maps.
-- src/report.sql — plain SQL; the room has no C.  docs/report.md and docs/bi.md describe it.

-- ---------------------------------------------------------------------------------------------
-- Levels: one convention everywhere, int 1..7 with a name.

CREATE FUNCTION shegu.report_level_name(level int, zh boolean DEFAULT false) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN zh THEN (ARRAY['省', '市', '县', '乡镇/街道', '村/社区', '网格', '微网格'])[level]
            ELSE (ARRAY['province', 'city', 'county', 'township', 'community', 'grid', 'micro-grid'])[level] END;
COMMENT ON FUNCTION shegu.report_level_name(int, boolean) IS
    'name of a grid level (1 province 省 .. 7 micro-grid 微网格), in English or with zh in Chinese; NULL outside 1..7';

-- ---------------------------------------------------------------------------------------------
-- Units: one row per grid code, the latest version, with its parent and a path of names.

CREATE VIEW shegu.report_unit AS
SELECT l.code::text AS unit_code,
       coalesce(shegu.division_name(l.code), l.name) AS unit_name,
       CASE WHEN shegu.level(l.code) <= 4 THEN coalesce(shegu.division_name(l.code), l.name)
            ELSE concat_ws('/', coalesce(shegu.division_name(shegu.ancestor(l.code, 4)), a4.name, shegu.ancestor(l.code, 4)::text),
                           CASE WHEN shegu.level(l.code) > 5
                                THEN coalesce(shegu.division_name(shegu.ancestor(l.code, 5)), a5.name, shegu.ancestor(l.code, 5)::text) END,
                           CASE WHEN shegu.level(l.code) > 6 THEN coalesce(a6.name, shegu.ancestor(l.code, 6)::text) END,
                           coalesce(shegu.division_name(l.code), l.name)) END AS unit_path,
       shegu.parent(l.code)::text AS parent_code,
       coalesce(shegu.division_name(shegu.parent(l.code)), p.name) AS parent_name,
       shegu.level(l.code) AS level,
       shegu.report_level_name(shegu.level(l.code)) AS level_name,
       shegu.report_level_name(shegu.level(l.code), true) AS level_name_zh,
       l.kind,
       l.households,
       l.population,
       ST_X(c.pt) AS lon, ST_Y(c.pt) AS lat,
       ST_X(shegu.wgs84_to_gcj02(c.pt)) AS lon_gcj02, ST_Y(shegu.wgs84_to_gcj02(c.pt)) AS lat_gcj02,
       CASE WHEN l.valid_from > '-infinity' THEN l.valid_from END AS valid_from,
       l.valid_to,
       l.valid_to IS NULL AS current
FROM shegu.grid l
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g WHERE g.code OPERATOR(shegu.=) shegu.parent(l.code)
                   ORDER BY g.valid_from DESC LIMIT 1) p ON true
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g WHERE shegu.level(l.code) > 4 AND g.code OPERATOR(shegu.=) shegu.ancestor(l.code, 4)
                   ORDER BY g.valid_from DESC LIMIT 1) a4 ON true
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g WHERE shegu.level(l.code) > 5 AND g.code OPERATOR(shegu.=) shegu.ancestor(l.code, 5)
                   ORDER BY g.valid_from DESC LIMIT 1) a5 ON true
LEFT JOIN LATERAL (SELECT g.name FROM shegu.grid g WHERE shegu.level(l.code) > 6 AND g.code OPERATOR(shegu.=) shegu.ancestor(l.code, 6)
                   ORDER BY g.valid_from DESC LIMIT 1) a6 ON true
LEFT JOIN LATERAL (SELECT ST_PointOnSurface(l.boundary) AS pt) c ON true
WHERE NOT EXISTS (SELECT 1 FROM shegu.grid n WHERE n.code OPERATOR(shegu.=) l.code AND n.valid_from > l.valid_from);
CREATE INDEX report_grid_code_text_idx ON shegu.grid ((code::text));
COMMENT ON INDEX shegu.report_grid_code_text_idx IS
    'the report views'' text codes (unit_code = code::text): lets a report row find its unit''s names without reading every grid';

COMMENT ON VIEW shegu.report_unit IS
    'every unit (grid at any level, 网格/社区/乡镇 …) once, as its latest version: text code, name, path of names, parent, level, counts and a label point in WGS-84 and GCJ-02';
COMMENT ON COLUMN shegu.report_unit.unit_code IS 'grid code (网格编码) as text, e.g. 430528101002003';
COMMENT ON COLUMN shegu.report_unit.unit_name IS 'name (名称): for levels 1-5 the official division name (shegu.division) when loaded, else the name of the latest version in shegu.grid, e.g. 城东社区 or 第3网格';
COMMENT ON COLUMN shegu.report_unit.unit_path IS 'names (same rule as unit_name) from the township (level 4) down to the unit joined by /, e.g. 金石镇/城东社区/第3网格, which tells apart units of the same name; the own name above level 4; a code stands in for an ancestor without a name';
COMMENT ON COLUMN shegu.report_unit.parent_code IS 'code of the unit one level up as text; NULL for a province';
COMMENT ON COLUMN shegu.report_unit.parent_name IS 'name of the parent unit, by the same rule; NULL when neither shegu.division nor shegu.grid has it';
COMMENT ON COLUMN shegu.report_unit.level IS 'grid level: 1 province 省, 2 city 市, 3 county 县, 4 township 乡镇/街道, 5 community 村/社区, 6 grid 网格, 7 micro-grid 微网格';
COMMENT ON COLUMN shegu.report_unit.level_name IS 'the level in English: province, city, county, township, community, grid, micro-grid';
COMMENT ON COLUMN shegu.report_unit.level_name_zh IS 'the level in Chinese: 省, 市, 县, 乡镇/街道, 村/社区, 网格, 微网格';
COMMENT ON COLUMN shegu.report_unit.kind IS 'kind of grid (shegu.grid.kind): province, city, county, township, community, basic, dedicated, micro';
COMMENT ON COLUMN shegu.report_unit.households IS 'households (户数)';
COMMENT ON COLUMN shegu.report_unit.population IS 'resident population (人口)';
COMMENT ON COLUMN shegu.report_unit.lon IS 'longitude of a point inside the boundary (WGS-84), for pin maps; NULL without a boundary';
COMMENT ON COLUMN shegu.report_unit.lat IS 'latitude of a point inside the boundary (WGS-84); NULL without a boundary';
COMMENT ON COLUMN shegu.report_unit.lon_gcj02 IS 'the same longitude in GCJ-02 (火星坐标, for Amap/Tencent/WeChat base maps)';
COMMENT ON COLUMN shegu.report_unit.lat_gcj02 IS 'the same latitude in GCJ-02';
COMMENT ON COLUMN shegu.report_unit.valid_from IS 'first day of the latest version; NULL when it applies since always';
COMMENT ON COLUMN shegu.report_unit.valid_to IS 'first day the latest version no longer applies; NULL while current';
COMMENT ON COLUMN shegu.report_unit.current IS 'true when the latest version is still valid (valid_to NULL)';

-- ---------------------------------------------------------------------------------------------
-- Categories with their limits in hours.

CREATE VIEW shegu.report_category AS
SELECT c.code AS category_code,
       c.name_zh AS category_name,
       c.name_en AS category_name_en,
       coalesce(c.parent, c.code) AS top_category_code,
       coalesce(p.name_zh, c.name_zh) AS top_category_name,
       CASE c.handling_level WHEN 'grid' THEN 6 WHEN 'community' THEN 5 WHEN 'township' THEN 4 WHEN 'county' THEN 3 END
           AS handling_level,
       shegu.report_level_name(CASE c.handling_level WHEN 'grid' THEN 6 WHEN 'community' THEN 5
                                    WHEN 'township' THEN 4 WHEN 'county' THEN 3 END) AS handling_level_name,
       round(CASE WHEN c.accept_basis = 'working'
                  THEN extract(day FROM c.accept_limit) * d.hours
                       + (extract(epoch FROM c.accept_limit) - extract(day FROM c.accept_limit) * 86400) / 3600
                  ELSE extract(epoch FROM c.accept_limit) / 3600 END, 4) AS accept_limit_hours,
       c.accept_basis,
       round(CASE WHEN c.dispose_basis = 'working'
                  THEN extract(day FROM c.dispose_limit) * d.hours
                       + (extract(epoch FROM c.dispose_limit) - extract(day FROM c.dispose_limit) * 86400) / 3600
                  ELSE extract(epoch FROM c.dispose_limit) / 3600 END, 4) AS dispose_limit_hours,
       c.dispose_basis,
       c.schedule,
       round(d.hours, 4) AS schedule_day_hours
FROM shegu.incident_category c
LEFT JOIN shegu.incident_category p ON p.code = c.parent
JOIN shegu.work_schedule s ON s.name = c.schedule
CROSS JOIN LATERAL (
    SELECT sum(extract(epoch FROM split_part(x, '-', 2)::interval - split_part(x, '-', 1)::interval)) / 3600 AS hours
    FROM unnest(string_to_array(s.periods, ',')) AS x
) d;
COMMENT ON VIEW shegu.report_category IS
    'incident categories (事件分类) with names and their time limits as numbers of hours (working hours for a working-time limit, a day counted as one working day of the schedule), never as intervals';
COMMENT ON COLUMN shegu.report_category.category_code IS 'category code, e.g. environment.garbage';
COMMENT ON COLUMN shegu.report_category.category_name IS 'Chinese name (分类名称), e.g. 垃圾乱堆乱放';
COMMENT ON COLUMN shegu.report_category.category_name_en IS 'English name, e.g. Garbage dumping';
COMMENT ON COLUMN shegu.report_category.top_category_code IS 'code of the top-level category (大类): the parent, or the category itself at the top';
COMMENT ON COLUMN shegu.report_category.top_category_name IS 'Chinese name of the top-level category, e.g. 环境卫生';
COMMENT ON COLUMN shegu.report_category.handling_level IS 'level that handles it first, on the 1..7 scale: 6 grid, 5 community, 4 township, 3 county';
COMMENT ON COLUMN shegu.report_category.handling_level_name IS 'that level in English: grid, community, township or county';
COMMENT ON COLUMN shegu.report_category.accept_limit_hours IS 'acceptance limit (受理时限) in hours: working hours when accept_basis is working (a day = schedule_day_hours), wall-clock hours when natural';
COMMENT ON COLUMN shegu.report_category.accept_basis IS 'working (工作时) or natural (自然时)';
COMMENT ON COLUMN shegu.report_category.dispose_limit_hours IS 'disposal limit (处置时限) in hours: working hours when dispose_basis is working (a day = schedule_day_hours), wall-clock hours when natural';
COMMENT ON COLUMN shegu.report_category.dispose_basis IS 'working (工作时) or natural (自然时)';
COMMENT ON COLUMN shegu.report_category.schedule IS 'working-time schedule (shegu.work_schedule) of the working limits';
COMMENT ON COLUMN shegu.report_category.schedule_day_hours IS 'working hours of one working day of that schedule (7 for default)';

-- ---------------------------------------------------------------------------------------------
-- Monthly incident figures: computed live, frozen month by month.

CREATE TABLE shegu.report_frozen_month (
    month     date PRIMARY KEY CHECK (extract(day FROM month) = 1),
    frozen_at timestamptz NOT NULL DEFAULT now(),
    incidents bigint NOT NULL CHECK (incidents >= 0)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.report_frozen_month', '');
COMMENT ON TABLE shegu.report_frozen_month IS
    'months whose incident figures are frozen (月报已封账) by shegu.freeze_month: their rows of shegu.report_month_figure no longer move';
COMMENT ON COLUMN shegu.report_frozen_month.month IS 'first day of the frozen month';
COMMENT ON COLUMN shegu.report_frozen_month.frozen_at IS 'when it was frozen (transaction time)';
COMMENT ON COLUMN shegu.report_frozen_month.incidents IS 'incidents reported in the month at freezing time (the county total of received)';
COMMENT ON CONSTRAINT report_frozen_month_pkey ON shegu.report_frozen_month IS 'a month is frozen once';
COMMENT ON CONSTRAINT report_frozen_month_month_check ON shegu.report_frozen_month IS 'a month is named by its first day';
COMMENT ON CONSTRAINT report_frozen_month_incidents_check ON shegu.report_frozen_month IS 'the count is not negative';
COMMENT ON INDEX shegu.report_frozen_month_pkey IS 'frozen months by month';

CREATE INDEX report_incident_month_idx ON shegu.incident USING brin
    ((date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai')::date)) WITH (autosummarize = on);
COMMENT ON INDEX shegu.report_incident_month_idx IS
    'incidents by month of report in China time (BRIN: incidents arrive in time order, and it costs inserts next to nothing; autovacuum summarises each filled block range): a report question on one month (period_start = ...) reads only the blocks of that month';

-- The two views below share one definition: report_month_live over every incident,
-- report_month_open over the incidents from the first month not frozen on (a range of
-- report_incident_month_idx, so that reading frozen months does not read the incidents).
DO $do$
DECLARE
    body text := $q$
SELECT f.month,
       l.l AS level,
       shegu.ancestor(f.grid, least(l.l, shegu.level(f.grid)))::text AS unit_code,
       least(l.l, shegu.level(f.grid)) AS unit_level,
       count(*) AS received,
       count(*) FILTER (WHERE f.accepted) AS accepted,
       count(*) FILTER (WHERE f.closed) AS closed,
       count(*) FILTER (WHERE f.closed_on_time) AS closed_on_time,
       count(*) FILTER (WHERE f.overdue_open) AS overdue_open,
       count(*) FILTER (WHERE f.suspended) AS suspended,
       round(count(*) FILTER (WHERE f.disposed)
             / nullif(count(*) FILTER (WHERE f.accepted AND NOT f.suspended), 0)::numeric, 4) AS disposal_rate,
       round(count(*) FILTER (WHERE f.closed_on_time)
             / nullif(count(*) FILTER (WHERE f.closed), 0)::numeric, 4) AS on_time_rate,
       round(count(*) FILTER (WHERE f.closed_on_time)
             / nullif(count(*) FILTER (WHERE f.closed OR f.overdue_open), 0)::numeric, 4) AS on_time_rate_incl_open,
       round(count(*) FILTER (WHERE f.reworked)
             / nullif(count(*) FILTER (WHERE f.ever_resolved), 0)::numeric, 4) AS rework_rate,
       round((avg(f.work_hours_to_close) FILTER (WHERE f.closed))::numeric, 2) AS avg_hours_to_close,
       round(count(*) FILTER (WHERE f.satisfaction >= 4)
             / nullif(count(*) FILTER (WHERE f.satisfaction IS NOT NULL), 0)::numeric, 4) AS satisfaction_rate
FROM (SELECT i.grid,
             date_trunc('month', i.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
             i.accepted_at IS NOT NULL AS accepted,
             i.status IN ('closed', 'evaluated') AS closed,
             i.status IN ('closed', 'evaluated') AND i.resolved_at <= i.due_at AS closed_on_time,
             i.status = 'suspended' AS suspended,
             i.status IN ('resolved', 'verified', 'closed', 'evaluated') AS disposed,
             (i.status = 'reported' AND now() > i.accept_due_at)
             OR (i.status IN ('accepted', 'dispatched') AND now() > i.due_at)
             OR (i.status IN ('resolved', 'verified') AND i.resolved_at > i.due_at) AS overdue_open,
             i.rework_count > 0 AS reworked,
             i.resolved_at IS NOT NULL AS ever_resolved,
             i.work_hours_to_close,
             i.satisfaction
      FROM shegu.incident AS i %s) AS f
CROSS JOIN generate_series(1, 6) AS l(l)
GROUP BY f.month, l.l, shegu.ancestor(f.grid, least(l.l, shegu.level(f.grid))), least(l.l, shegu.level(f.grid))
$q$;
BEGIN
    EXECUTE 'CREATE VIEW shegu.report_month_live AS ' || pg_catalog.format(body, '');
    EXECUTE 'CREATE VIEW shegu.report_month_open AS ' || pg_catalog.format(body, $w$
      WHERE date_trunc('month', i.reported_at AT TIME ZONE 'Asia/Shanghai')::date >= (
          SELECT coalesce(min(m.m)::date, '-infinity')
          FROM generate_series((SELECT date_trunc('month', min(x.reported_at) AT TIME ZONE 'Asia/Shanghai') FROM shegu.incident x),
                               (SELECT max(f.month) + interval '1 month' FROM shegu.report_frozen_month f),
                               interval '1 month') AS m(m)
          WHERE NOT EXISTS (SELECT 1 FROM shegu.report_frozen_month f WHERE f.month = m.m::date))$w$);
END
$do$;
COMMENT ON VIEW shegu.report_month_live IS
    'internal: the incident figures of every month as they are now, per reporting level 1..6 and unit (what freeze_month stores; read shegu.report_incident_month instead)';
COMMENT ON COLUMN shegu.report_month_live.month IS 'first day of the month of report (Asia/Shanghai)';
COMMENT ON COLUMN shegu.report_month_live.level IS 'reporting level 1..6';
COMMENT ON COLUMN shegu.report_month_live.unit_code IS 'the unit at the reporting level, or the incident''s own grid when that is coarser';
COMMENT ON COLUMN shegu.report_month_live.unit_level IS 'level of unit_code (below level only for incidents recorded on a coarser unit)';
COMMENT ON COLUMN shegu.report_month_live.received IS 'incidents reported (受理量)';
COMMENT ON COLUMN shegu.report_month_live.accepted IS 'of those, ever accepted (立案量)';
COMMENT ON COLUMN shegu.report_month_live.closed IS 'closed or evaluated (结案量)';
COMMENT ON COLUMN shegu.report_month_live.closed_on_time IS 'closed with resolved_at <= due_at (按期结案量)';
COMMENT ON COLUMN shegu.report_month_live.overdue_open IS 'open and overdue now (超期未结量)';
COMMENT ON COLUMN shegu.report_month_live.suspended IS 'suspended now (挂账量)';
COMMENT ON COLUMN shegu.report_month_live.disposal_rate IS 'disposal rate 处置率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.on_time_rate IS 'on-time closure rate 按期结案率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.rework_rate IS 'rework rate 返工率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.avg_hours_to_close IS 'mean working hours to close, 2 decimals';
COMMENT ON COLUMN shegu.report_month_live.satisfaction_rate IS 'satisfaction rate 满意率, 4 decimals';

COMMENT ON VIEW shegu.report_month_open IS
    'internal: report_month_live for the months from the first one not frozen on (what report_incident_month reads for the months not frozen)';
COMMENT ON COLUMN shegu.report_month_open.month IS 'first day of the month of report (Asia/Shanghai)';
COMMENT ON COLUMN shegu.report_month_open.level IS 'reporting level 1..6';
COMMENT ON COLUMN shegu.report_month_open.unit_code IS 'the unit at the reporting level, or the incident''s own grid when that is coarser';
COMMENT ON COLUMN shegu.report_month_open.unit_level IS 'level of unit_code (below level only for incidents recorded on a coarser unit)';
COMMENT ON COLUMN shegu.report_month_open.received IS 'incidents reported (受理量)';
COMMENT ON COLUMN shegu.report_month_open.accepted IS 'of those, ever accepted (立案量)';
COMMENT ON COLUMN shegu.report_month_open.closed IS 'closed or evaluated (结案量)';
COMMENT ON COLUMN shegu.report_month_open.closed_on_time IS 'closed with resolved_at <= due_at (按期结案量)';
COMMENT ON COLUMN shegu.report_month_open.overdue_open IS 'open and overdue now (超期未结量)';
COMMENT ON COLUMN shegu.report_month_open.suspended IS 'suspended now (挂账量)';
COMMENT ON COLUMN shegu.report_month_open.disposal_rate IS 'disposal rate 处置率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.on_time_rate IS 'on-time closure rate 按期结案率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.rework_rate IS 'rework rate 返工率, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.avg_hours_to_close IS 'mean working hours to close, 2 decimals';
COMMENT ON COLUMN shegu.report_month_open.satisfaction_rate IS 'satisfaction rate 满意率, 4 decimals';

CREATE TABLE shegu.report_month_figure (
    month                  date NOT NULL REFERENCES shegu.report_frozen_month (month) ON DELETE CASCADE,
    level                  int NOT NULL CHECK (level BETWEEN 1 AND 6),
    unit_code              text NOT NULL,
    unit_level             int NOT NULL CHECK (unit_level BETWEEN 1 AND 7),
    unit_name              text,
    unit_path              text,
    parent_code            text,
    parent_name            text,
    received               bigint NOT NULL,
    accepted               bigint NOT NULL,
    closed                 bigint NOT NULL,
    closed_on_time         bigint NOT NULL,
    overdue_open           bigint NOT NULL,
    suspended              bigint NOT NULL,
    disposal_rate          numeric,
    on_time_rate           numeric,
    on_time_rate_incl_open numeric,
    rework_rate            numeric,
    avg_hours_to_close     numeric,
    satisfaction_rate      numeric,
    PRIMARY KEY (month, level, unit_code)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.report_month_figure', '');
COMMENT ON TABLE shegu.report_month_figure IS
    'frozen monthly incident figures (月报快照) written by shegu.freeze_month: one row per month, reporting level and unit, names as they were when frozen';
COMMENT ON COLUMN shegu.report_month_figure.month IS 'first day of the month of report (Asia/Shanghai)';
COMMENT ON COLUMN shegu.report_month_figure.level IS 'reporting level 1..6 (province .. grid); the rows of one level add up to the total';
COMMENT ON COLUMN shegu.report_month_figure.unit_code IS 'grid code of the unit as text';
COMMENT ON COLUMN shegu.report_month_figure.unit_level IS 'level of the unit''s code: level, or less for incidents recorded on a coarser unit';
COMMENT ON COLUMN shegu.report_month_figure.unit_name IS 'name of the unit when frozen';
COMMENT ON COLUMN shegu.report_month_figure.unit_path IS 'path of names from the township down when frozen';
COMMENT ON COLUMN shegu.report_month_figure.parent_code IS 'code of the parent unit as text';
COMMENT ON COLUMN shegu.report_month_figure.parent_name IS 'name of the parent unit when frozen';
COMMENT ON COLUMN shegu.report_month_figure.received IS 'incidents reported (受理量)';
COMMENT ON COLUMN shegu.report_month_figure.accepted IS 'of those, ever accepted (立案量)';
COMMENT ON COLUMN shegu.report_month_figure.closed IS 'closed or evaluated when frozen (结案量)';
COMMENT ON COLUMN shegu.report_month_figure.closed_on_time IS 'closed on time when frozen (按期结案量)';
COMMENT ON COLUMN shegu.report_month_figure.overdue_open IS 'open and overdue when frozen (超期未结量)';
COMMENT ON COLUMN shegu.report_month_figure.suspended IS 'suspended when frozen (挂账量)';
COMMENT ON COLUMN shegu.report_month_figure.disposal_rate IS 'disposal rate 处置率 when frozen, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.on_time_rate IS 'on-time closure rate 按期结案率 when frozen, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases when frozen, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.rework_rate IS 'rework rate 返工率 when frozen, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.avg_hours_to_close IS 'mean working hours to close when frozen, 2 decimals';
COMMENT ON COLUMN shegu.report_month_figure.satisfaction_rate IS 'satisfaction rate 满意率 when frozen, 0-1, 4 decimals';
COMMENT ON CONSTRAINT report_month_figure_pkey ON shegu.report_month_figure IS 'one row per month, reporting level and unit';
COMMENT ON CONSTRAINT report_month_figure_month_fkey ON shegu.report_month_figure IS 'the month is frozen in shegu.report_frozen_month; unfreezing it deletes its rows';
COMMENT ON CONSTRAINT report_month_figure_level_check ON shegu.report_month_figure IS 'reporting levels run from 1 province to 6 grid';
COMMENT ON CONSTRAINT report_month_figure_unit_level_check ON shegu.report_month_figure IS 'unit levels run from 1 to 7';
COMMENT ON INDEX shegu.report_month_figure_pkey IS 'frozen figures by month, level and unit';

CREATE FUNCTION shegu.freeze_month(month date DEFAULT NULL, replace boolean DEFAULT false) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    m date := coalesce(freeze_month.month,
                       (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month')::date);
    n bigint;
BEGIN
    IF extract(day FROM m) <> 1 THEN
        RAISE EXCEPTION 'month % is not the first day of a month', m
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = pg_catalog.format('Name a month by its first day: %s.', date_trunc('month', m)::date);
    END IF;
    IF (m + interval '1 month') AT TIME ZONE 'Asia/Shanghai' > now() THEN
        RAISE EXCEPTION 'month % has not ended yet', m
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A month is frozen after its last day (Asia/Shanghai), so that its figures stop moving.',
                  HINT = 'Schedule shegu.freeze_month() on the first day of the next month.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.report_frozen_month'),
                                             (m - date '2000-01-01'));
    IF EXISTS (SELECT 1 FROM shegu.report_frozen_month f WHERE f.month = m) THEN
        IF NOT freeze_month.replace THEN
            RETURN 0;
        END IF;
        DELETE FROM shegu.report_frozen_month f WHERE f.month = m;
    END IF;
    INSERT INTO shegu.report_frozen_month (month, incidents)
    SELECT m, coalesce(sum(v.received), 0) FROM shegu.report_month_live v WHERE v.month = m AND v.level = 1;
    INSERT INTO shegu.report_month_figure
        (month, level, unit_code, unit_level, unit_name, unit_path, parent_code, parent_name,
         received, accepted, closed, closed_on_time, overdue_open, suspended, disposal_rate, on_time_rate,
         on_time_rate_incl_open, rework_rate, avg_hours_to_close, satisfaction_rate)
    SELECT v.month, v.level, v.unit_code, v.unit_level,
           coalesce(u.unit_name, shegu.division_name(v.unit_code::shegu.gridcode)),
           coalesce(u.unit_path, shegu.division_name(v.unit_code::shegu.gridcode)),
           shegu.parent(v.unit_code::shegu.gridcode)::text,
           coalesce(u.parent_name, shegu.division_name(shegu.parent(v.unit_code::shegu.gridcode))),
           v.received, v.accepted, v.closed, v.closed_on_time, v.overdue_open, v.suspended, v.disposal_rate,
           v.on_time_rate, v.on_time_rate_incl_open, v.rework_rate, v.avg_hours_to_close, v.satisfaction_rate
    FROM shegu.report_month_live v
    LEFT JOIN shegu.report_unit u ON u.unit_code = v.unit_code
    WHERE v.month = m;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.freeze_month(date, boolean) IS
    'freezes the incident figures of a month (first day; NULL = the previous month in Asia/Shanghai) into shegu.report_month_figure; a month can be frozen once it has ended; idempotent: a frozen month is left alone (returns 0) unless replace; returns the rows written; meant for pg_cron on the first of each month';

CREATE VIEW shegu.report_incident_month AS
SELECT s.month AS period_start,
       (s.month + interval '1 month' - interval '1 day')::date AS period_end,
       s.level, shegu.report_level_name(s.level) AS level_name, shegu.report_level_name(s.level, true) AS level_name_zh,
       s.unit_code, s.unit_level, s.unit_name, s.unit_path, s.parent_code, s.parent_name,
       s.received, s.accepted, s.closed, s.closed_on_time, s.overdue_open, s.suspended,
       s.disposal_rate, s.on_time_rate, s.on_time_rate_incl_open, s.rework_rate, s.avg_hours_to_close,
       s.satisfaction_rate, true AS frozen, f.frozen_at
FROM shegu.report_month_figure s
JOIN shegu.report_frozen_month f ON f.month = s.month
UNION ALL
SELECT v.month, (v.month + interval '1 month' - interval '1 day')::date,
       v.level, shegu.report_level_name(v.level), shegu.report_level_name(v.level, true),
       v.unit_code, v.unit_level,
       coalesce(u.unit_name, shegu.division_name(v.unit_code::shegu.gridcode)),
       coalesce(u.unit_path, shegu.division_name(v.unit_code::shegu.gridcode)),
       shegu.parent(v.unit_code::shegu.gridcode)::text,
       coalesce(u.parent_name, shegu.division_name(shegu.parent(v.unit_code::shegu.gridcode))),
       v.received, v.accepted, v.closed, v.closed_on_time, v.overdue_open, v.suspended,
       v.disposal_rate, v.on_time_rate, v.on_time_rate_incl_open, v.rework_rate, v.avg_hours_to_close,
       v.satisfaction_rate, false, NULL::timestamptz
FROM shegu.report_month_open v
LEFT JOIN shegu.report_unit u ON u.unit_code = v.unit_code
WHERE NOT EXISTS (SELECT 1 FROM shegu.report_frozen_month f WHERE f.month = v.month);
COMMENT ON VIEW shegu.report_incident_month IS
    'monthly incident figures (月报) per reporting level and unit: frozen months from shegu.report_month_figure, other months as they are now; always filter on one level: the rows of a level add up to the county total, rows of several levels count an incident once per level';
COMMENT ON COLUMN shegu.report_incident_month.period_start IS 'first day of the month of report (Asia/Shanghai)';
COMMENT ON COLUMN shegu.report_incident_month.period_end IS 'last day of that month';
COMMENT ON COLUMN shegu.report_incident_month.level IS 'reporting level: 1 province, 2 city, 3 county, 4 township, 5 community, 6 grid; an incident counts once per level';
COMMENT ON COLUMN shegu.report_incident_month.level_name IS 'the reporting level in English';
COMMENT ON COLUMN shegu.report_incident_month.level_name_zh IS 'the reporting level in Chinese';
COMMENT ON COLUMN shegu.report_incident_month.unit_code IS 'grid code of the unit as text: the incident grid''s ancestor at the level, or the grid itself when it is coarser than the level (an incident recorded on a community appears under the community at level 6)';
COMMENT ON COLUMN shegu.report_incident_month.unit_level IS 'level of unit_code: equal to level except for incidents recorded on a coarser unit';
COMMENT ON COLUMN shegu.report_incident_month.unit_name IS 'name of the unit (frozen months: as when frozen)';
COMMENT ON COLUMN shegu.report_incident_month.unit_path IS 'path of names from the township down, unique where sibling names are';
COMMENT ON COLUMN shegu.report_incident_month.parent_code IS 'code of the parent unit as text';
COMMENT ON COLUMN shegu.report_incident_month.parent_name IS 'name of the parent unit';
COMMENT ON COLUMN shegu.report_incident_month.received IS '受理量 received: incidents reported in the month';
COMMENT ON COLUMN shegu.report_incident_month.accepted IS '立案量 accepted: of those, ever accepted';
COMMENT ON COLUMN shegu.report_incident_month.closed IS '结案量 closed: status closed or evaluated';
COMMENT ON COLUMN shegu.report_incident_month.closed_on_time IS '按期结案量 closed on time: resolved_at <= due_at';
COMMENT ON COLUMN shegu.report_incident_month.overdue_open IS '超期未结量 overdue open (definitions as shegu.incident_measures)';
COMMENT ON COLUMN shegu.report_incident_month.suspended IS '挂账量 suspended';
COMMENT ON COLUMN shegu.report_incident_month.disposal_rate IS '处置率 disposal rate, 0-1, 4 decimals; NULL when nothing was accepted';
COMMENT ON COLUMN shegu.report_incident_month.on_time_rate IS '按期结案率 on-time closure rate, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_incident_month.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_incident_month.rework_rate IS '返工率 rework rate, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_incident_month.avg_hours_to_close IS '办结平均工时 mean working hours to close, a number (not an interval), 2 decimals';
COMMENT ON COLUMN shegu.report_incident_month.satisfaction_rate IS '满意率 satisfaction rate, 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_incident_month.frozen IS 'true for a frozen month (the figures no longer move), false for figures as they are now';
COMMENT ON COLUMN shegu.report_incident_month.frozen_at IS 'when the month was frozen; NULL for a live month';

-- ---------------------------------------------------------------------------------------------
-- The backlog now: open incidents per level and unit (counts only, the owner's rights).

CREATE VIEW shegu.report_open_incident AS
SELECT l.l AS level,
       shegu.report_level_name(l.l) AS level_name,
       shegu.ancestor(i.grid, least(l.l, shegu.level(i.grid)))::text AS unit_code,
       least(l.l, shegu.level(i.grid)) AS unit_level,
       count(*) AS open_incidents,
       count(*) FILTER (WHERE i.light = 'yellow') AS yellow,
       count(*) FILTER (WHERE i.light = 'red') AS red,
       count(*) FILTER (WHERE i.status = 'suspended') AS suspended
FROM shegu.incident i
CROSS JOIN generate_series(1, 6) AS l(l)
WHERE i.status NOT IN ('closed', 'evaluated', 'rejected')
GROUP BY l.l, shegu.ancestor(i.grid, least(l.l, shegu.level(i.grid))), least(l.l, shegu.level(i.grid));
COMMENT ON VIEW shegu.report_open_incident IS
    'the backlog now (积压): open incidents (not closed, evaluated or rejected) per reporting level 1..6 and unit, with their time lights; counts only; filter on one level (the rows of a level add up to the total)';
COMMENT ON COLUMN shegu.report_open_incident.level IS 'reporting level 1 province .. 6 grid; an incident counts once per level';
COMMENT ON COLUMN shegu.report_open_incident.level_name IS 'the reporting level in English';
COMMENT ON COLUMN shegu.report_open_incident.unit_code IS 'grid code of the unit as text: the incident grid''s ancestor at the level, or the grid itself when it is coarser';
COMMENT ON COLUMN shegu.report_open_incident.unit_level IS 'level of unit_code: equal to level except for incidents recorded on a coarser unit';
COMMENT ON COLUMN shegu.report_open_incident.open_incidents IS 'open incidents (未结): reported, accepted, dispatched, resolved, verified or suspended';
COMMENT ON COLUMN shegu.report_open_incident.yellow IS 'of those, with a yellow time light (黄灯)';
COMMENT ON COLUMN shegu.report_open_incident.red IS 'of those, with a red time light (红灯, overdue)';
COMMENT ON COLUMN shegu.report_open_incident.suspended IS 'of those, suspended (挂账)';

-- ---------------------------------------------------------------------------------------------
-- Incidents one by one, with pins: runs with the caller's rights (row-level security applies).

CREATE VIEW shegu.report_incident WITH (security_invoker = true) AS
SELECT i.id AS incident_id,
       i.category AS category_code, c.category_name, c.category_name_en,
       c.top_category_code, c.top_category_name,
       i.title, i.source, i.status, i.light,
       i.grid::text AS unit_code, coalesce(u.unit_name, shegu.division_name(i.grid)) AS unit_name,
       coalesce(u.unit_path, shegu.division_name(i.grid)) AS unit_path,
       shegu.parent(i.grid)::text AS parent_code,
       coalesce(u.parent_name, shegu.division_name(shegu.parent(i.grid))) AS parent_name,
       shegu.level(i.grid) AS unit_level,
       CASE i.level WHEN 'grid' THEN 6 WHEN 'community' THEN 5 WHEN 'township' THEN 4 WHEN 'county' THEN 3 END
           AS responsible_level,
       i.level AS responsible_level_name,
       i.reported_at, date_trunc('month', i.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS reported_month,
       i.accepted_at, i.resolved_at, i.closed_at, i.accept_due_at, i.due_at,
       round(i.work_hours_to_close::numeric, 2) AS hours_to_close,
       i.satisfaction::int AS satisfaction,
       ST_X(i.location) AS lon, ST_Y(i.location) AS lat,
       ST_X(shegu.wgs84_to_gcj02(i.location)) AS lon_gcj02, ST_Y(shegu.wgs84_to_gcj02(i.location)) AS lat_gcj02
FROM shegu.incident i
LEFT JOIN shegu.report_category c ON c.category_code = i.category
LEFT JOIN shegu.report_unit u ON u.unit_code = i.grid::text;
COMMENT ON VIEW shegu.report_incident IS
    'incidents one by one for lists and pin maps (点位图), with names and WGS-84 and GCJ-02 coordinates; security_invoker: it runs with the caller''s rights, so the caller needs SELECT on shegu.incident and row-level security applies';
COMMENT ON COLUMN shegu.report_incident.incident_id IS 'incident number (shegu.incident.id)';
COMMENT ON COLUMN shegu.report_incident.category_code IS 'category code, e.g. environment.garbage';
COMMENT ON COLUMN shegu.report_incident.category_name IS 'Chinese name of the category, e.g. 垃圾乱堆乱放';
COMMENT ON COLUMN shegu.report_incident.category_name_en IS 'English name of the category';
COMMENT ON COLUMN shegu.report_incident.top_category_code IS 'top-level category code (大类)';
COMMENT ON COLUMN shegu.report_incident.top_category_name IS 'Chinese name of the top-level category';
COMMENT ON COLUMN shegu.report_incident.title IS 'short title (标题)';
COMMENT ON COLUMN shegu.report_incident.source IS 'source (来源): patrol, resident, hotline, wechat, video, leader, media, superior';
COMMENT ON COLUMN shegu.report_incident.status IS 'workflow state (reported, accepted, rejected, dispatched, resolved, verified, closed, evaluated, suspended)';
COMMENT ON COLUMN shegu.report_incident.light IS 'time light (亮灯): green, yellow or red';
COMMENT ON COLUMN shegu.report_incident.unit_code IS 'grid code of the incident''s grid as text';
COMMENT ON COLUMN shegu.report_incident.unit_name IS 'name of the grid';
COMMENT ON COLUMN shegu.report_incident.unit_path IS 'path of names from the township down to the grid';
COMMENT ON COLUMN shegu.report_incident.parent_code IS 'code of the grid''s parent as text';
COMMENT ON COLUMN shegu.report_incident.parent_name IS 'name of the grid''s parent';
COMMENT ON COLUMN shegu.report_incident.unit_level IS 'level of the incident''s grid, 1..7';
COMMENT ON COLUMN shegu.report_incident.responsible_level IS 'level now responsible on the 1..7 scale: 6 grid, 5 community, 4 township, 3 county';
COMMENT ON COLUMN shegu.report_incident.responsible_level_name IS 'that level in English: grid, community, township or county';
COMMENT ON COLUMN shegu.report_incident.reported_at IS 'when it was reported (上报时间)';
COMMENT ON COLUMN shegu.report_incident.reported_month IS 'first day of the month of report in Asia/Shanghai (the month of shegu.report_incident_month)';
COMMENT ON COLUMN shegu.report_incident.accepted_at IS 'when it was accepted (立案); NULL before';
COMMENT ON COLUMN shegu.report_incident.resolved_at IS 'when it was last disposed (处置); NULL before';
COMMENT ON COLUMN shegu.report_incident.closed_at IS 'when it was closed (结案); NULL before';
COMMENT ON COLUMN shegu.report_incident.accept_due_at IS 'acceptance deadline (受理时限)';
COMMENT ON COLUMN shegu.report_incident.due_at IS 'disposal deadline (处置时限); NULL before acceptance';
COMMENT ON COLUMN shegu.report_incident.hours_to_close IS 'working hours from report to closure, a number (not an interval), 2 decimals; NULL while open';
COMMENT ON COLUMN shegu.report_incident.satisfaction IS 'the reporter''s score 1-5 (满意度); NULL before evaluation';
COMMENT ON COLUMN shegu.report_incident.lon IS 'longitude of the location, WGS-84 (for OpenStreetMap-based pin maps); NULL without a location';
COMMENT ON COLUMN shegu.report_incident.lat IS 'latitude of the location, WGS-84';
COMMENT ON COLUMN shegu.report_incident.lon_gcj02 IS 'longitude in GCJ-02 (火星坐标, for Amap/Tencent/WeChat base maps)';
COMMENT ON COLUMN shegu.report_incident.lat_gcj02 IS 'latitude in GCJ-02';

-- ---------------------------------------------------------------------------------------------
-- The index with ranks that respect the one-vote veto.

CREATE VIEW shegu.report_index AS
WITH s AS (
    SELECT s.model, s.level, s.period, s.unit, s.score, s.vetoed, s.imputed, m.title, m.scale
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node AND n.parent IS NULL
)
SELECT s.model, s.title AS model_title, s.level, shegu.report_level_name(s.level) AS level_name,
       shegu.report_level_name(s.level, true) AS level_name_zh, s.period AS period_start,
       s.unit::text AS unit_code, coalesce(u.unit_name, shegu.division_name(s.unit), iu.name) AS unit_name,
       coalesce(u.unit_path, shegu.division_name(s.unit), iu.name) AS unit_path,
       shegu.parent(s.unit)::text AS parent_code,
       coalesce(u.parent_name, shegu.division_name(shegu.parent(s.unit))) AS parent_name,
       round((s.score * s.scale)::numeric, 2) AS index_value,
       CASE WHEN s.vetoed
            THEN (SELECT g.grade FROM shegu.index_grade g WHERE g.model = s.model ORDER BY g.min_score LIMIT 1)
            ELSE (SELECT g.grade FROM shegu.index_grade g
                  WHERE g.model = s.model AND g.min_score <= s.score * s.scale
                  ORDER BY g.min_score DESC LIMIT 1)
       END AS grade,
       s.vetoed, s.imputed,
       CASE WHEN NOT s.vetoed AND s.score IS NOT NULL
            THEN (rank() OVER (PARTITION BY s.model, s.level, s.period, (NOT s.vetoed AND s.score IS NOT NULL)
                               ORDER BY s.score DESC))::int END AS rank,
       (count(*) FILTER (WHERE NOT s.vetoed AND s.score IS NOT NULL)
            OVER (PARTITION BY s.model, s.level, s.period))::int AS ranked_units
FROM s
LEFT JOIN shegu.report_unit u ON u.unit_code = s.unit::text
LEFT JOIN shegu.index_unit_name iu ON iu.unit OPERATOR(shegu.=) s.unit;
COMMENT ON VIEW shegu.report_index IS
    'the stored index (社会治理指数) per model, level, period and unit with names, grade and a rank that respects the one-vote veto (一票否决): vetoed units get no rank and the lowest grade, the others are ranked among themselves';
COMMENT ON COLUMN shegu.report_index.model IS 'the model (shegu.index_model.name)';
COMMENT ON COLUMN shegu.report_index.model_title IS 'display title of the model';
COMMENT ON COLUMN shegu.report_index.level IS 'grid level of the scored units, 1..7';
COMMENT ON COLUMN shegu.report_index.level_name IS 'that level in English';
COMMENT ON COLUMN shegu.report_index.level_name_zh IS 'that level in Chinese';
COMMENT ON COLUMN shegu.report_index.period_start IS 'the period (考核期) as stored by store_index, by convention its first day';
COMMENT ON COLUMN shegu.report_index.unit_code IS 'grid code of the scored unit as text';
COMMENT ON COLUMN shegu.report_index.unit_name IS 'name of the unit: shegu.grid''s latest version, else shegu.index_unit_name';
COMMENT ON COLUMN shegu.report_index.unit_path IS 'path of names from the township down';
COMMENT ON COLUMN shegu.report_index.parent_code IS 'code of the parent unit as text';
COMMENT ON COLUMN shegu.report_index.parent_name IS 'name of the parent unit';
COMMENT ON COLUMN shegu.report_index.index_value IS 'the index on the model''s scale (e.g. 0-100 points), 2 decimals; NULL when too little of the weight had data';
COMMENT ON COLUMN shegu.report_index.grade IS 'grade (等次): the highest grade whose min_score the index reaches; the lowest grade when vetoed';
COMMENT ON COLUMN shegu.report_index.vetoed IS 'true when a one-vote veto (一票否决) fired';
COMMENT ON COLUMN shegu.report_index.imputed IS 'true when imputed values entered the index';
COMMENT ON COLUMN shegu.report_index.rank IS 'rank among the units of the model, level and period that are not vetoed and have an index: 1 = best, ties share the best rank; NULL for vetoed units and units without an index';
COMMENT ON COLUMN shegu.report_index.ranked_units IS 'number of units ranked (not vetoed, with an index) in the model, level and period';

CREATE VIEW shegu.report_index_dimension AS
SELECT s.model, s.level, s.period AS period_start, s.unit::text AS unit_code,
       coalesce(u.unit_name, shegu.division_name(s.unit)) AS unit_name,
       s.node, n.title AS node_title, n.parent AS parent_node,
       NOT EXISTS (SELECT 1 FROM shegu.index_node c WHERE c.model = n.model AND c.parent = n.code) AS indicator,
       round((s.score * m.scale)::numeric, 2) AS score, s.raw, s.vetoed, s.imputed
FROM shegu.index_score s
JOIN shegu.index_model m ON m.name = s.model
JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node
LEFT JOIN shegu.report_unit u ON u.unit_code = s.unit::text
WHERE n.parent IS NOT NULL;
COMMENT ON VIEW shegu.report_index_dimension IS
    'the stored scores of the dimensions (维度) and indicators (指标) below the index, one row per model, level, period, unit and node';
COMMENT ON COLUMN shegu.report_index_dimension.model IS 'the model';
COMMENT ON COLUMN shegu.report_index_dimension.level IS 'grid level of the scored units, 1..7';
COMMENT ON COLUMN shegu.report_index_dimension.period_start IS 'the period as stored';
COMMENT ON COLUMN shegu.report_index_dimension.unit_code IS 'grid code of the unit as text';
COMMENT ON COLUMN shegu.report_index_dimension.unit_name IS 'name of the unit (latest version in shegu.grid)';
COMMENT ON COLUMN shegu.report_index_dimension.node IS 'node code, e.g. D1 or D1.1';
COMMENT ON COLUMN shegu.report_index_dimension.node_title IS 'node title, e.g. 处置率 disposal rate';
COMMENT ON COLUMN shegu.report_index_dimension.parent_node IS 'code of the parent node';
COMMENT ON COLUMN shegu.report_index_dimension.indicator IS 'true for an indicator (a leaf), false for a dimension';
COMMENT ON COLUMN shegu.report_index_dimension.score IS 'the node''s score on the model''s scale, 2 decimals';
COMMENT ON COLUMN shegu.report_index_dimension.raw IS 'indicators: the raw value after roll-up (in the indicator''s own unit); NULL for dimensions';
COMMENT ON COLUMN shegu.report_index_dimension.vetoed IS 'true when a veto fired on the node or below';
COMMENT ON COLUMN shegu.report_index_dimension.imputed IS 'true when imputed values entered the node';

-- ---------------------------------------------------------------------------------------------
-- Access for BI tools.

CREATE FUNCTION shegu.grant_report_access(role name) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grant_report_access.role) THEN
        RAISE EXCEPTION 'role "%" does not exist', grant_report_access.role
            USING ERRCODE = 'undefined_object', HINT = 'CREATE ROLE it first (see docs/bi.md).';
    END IF;
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA shegu TO %I', grant_report_access.role);
    EXECUTE pg_catalog.format('GRANT SELECT ON shegu.report_unit, shegu.report_category, shegu.report_incident_month, '
                              'shegu.report_open_incident, shegu.report_index, shegu.report_index_dimension TO %I',
                              grant_report_access.role);
END;
$$;
COMMENT ON FUNCTION shegu.grant_report_access(name) IS
    'the minimal BI role recipe: grants a role USAGE on schema shegu and SELECT on the aggregate report views (report_unit, report_category, report_incident_month, report_open_incident, report_index, report_index_dimension), nothing else; run by the extension owner; idempotent (membership in shegu_analyst gives the same views and the masked ones)';

-- The security room's group roles: the aggregate views to the centre and the analysts, the
-- reference views to every role, incidents one by one (caller's rights, so row-level security
-- applies) to the centre and the grid workers.
GRANT SELECT ON shegu.report_unit, shegu.report_category TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT SELECT ON shegu.report_incident_month, shegu.report_open_incident, shegu.report_index,
                shegu.report_index_dimension
    TO shegu_centre, shegu_analyst;
GRANT SELECT ON shegu.report_incident TO shegu_centre, shegu_grid_worker;

-- ---------------------------------------------------------------------------------------------
-- Maps: GeoJSON for web maps, choropleth SVG.

CREATE FUNCTION shegu.grid_geojson(root shegu.gridcode, level int, at date DEFAULT current_date,
                                   period date DEFAULT NULL, datum text DEFAULT 'wgs84',
                                   max_bytes int DEFAULT 5000000)
RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
    tol float8 := 0;
    doc json;
    bytes int;
    codes text[];
    props json[];
    geoms geometry[];
    open_map jsonb;
    month_map jsonb;
BEGIN
    IF root IS NULL OR level IS NULL OR at IS NULL OR datum IS NULL OR max_bytes IS NULL THEN
        RAISE EXCEPTION 'root, level, at, datum and max_bytes of grid_geojson must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF level < shegu.level(root) OR level > 7 THEN
        RAISE EXCEPTION 'level % is outside %..7', level, shegu.level(root)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('The units shown lie under %s, a level-%s unit.', root, shegu.level(root));
    END IF;
    IF datum NOT IN ('wgs84', 'gcj02') THEN
        RAISE EXCEPTION 'unknown datum "%"', datum
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use wgs84 (OpenStreetMap, Mapbox, Leaflet) or gcj02 (Amap, Tencent, WeChat).';
    END IF;
    IF max_bytes < 1000 THEN
        RAISE EXCEPTION 'max_bytes % is below 1000', max_bytes USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF period IS NOT NULL AND extract(day FROM period) <> 1 THEN
        RAISE EXCEPTION 'period % is not the first day of a month', period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the features' ids, properties and boundaries once; only the simplification is repeated.
    -- Measures go through jsonb maps by code: the planner cannot tell how many grids a level
    -- has, and a nested loop over the measures would be quadratic.
    SELECT coalesce(jsonb_object_agg(o.unit_code, o.open_incidents), '{}') INTO open_map
    FROM shegu.report_open_incident o WHERE o.level = grid_geojson.level AND o.unit_level = grid_geojson.level;
    SELECT coalesce(jsonb_object_agg(r.unit_code, jsonb_build_object(
               'received', r.received, 'closed', r.closed, 'overdue_open', r.overdue_open,
               'disposal_rate', r.disposal_rate, 'on_time_rate', r.on_time_rate)), '{}')
    INTO month_map
    FROM shegu.report_incident_month r
    WHERE grid_geojson.period IS NOT NULL AND r.period_start = grid_geojson.period AND r.level = grid_geojson.level;
    SELECT array_agg(g.code::text ORDER BY g.code), array_agg(json_build_object(
               'code', g.code::text, 'name', g.name, 'parent', shegu.parent(g.code)::text,
               'parent_name', coalesce(p.name, shegu.division_name(shegu.parent(g.code))), 'level', shegu.level(g.code),
               'households', g.households, 'population', g.population,
               'open_incidents', coalesce((open_map ->> g.code::text)::bigint, 0),
               'period', grid_geojson.period,
               'received', (month_map -> g.code::text ->> 'received')::bigint,
               'closed', (month_map -> g.code::text ->> 'closed')::bigint,
               'overdue_open', (month_map -> g.code::text ->> 'overdue_open')::bigint,
               'disposal_rate', (month_map -> g.code::text ->> 'disposal_rate')::numeric,
               'on_time_rate', (month_map -> g.code::text ->> 'on_time_rate')::numeric) ORDER BY g.code),
           array_agg(CASE WHEN grid_geojson.datum = 'gcj02' THEN shegu.wgs84_to_gcj02(g.boundary) ELSE g.boundary END
                     ORDER BY g.code)
    INTO codes, props, geoms
    FROM shegu.grid g
    LEFT JOIN LATERAL (SELECT x.name FROM shegu.grid x
                       WHERE x.code OPERATOR(shegu.=) shegu.parent(g.code)
                         AND x.valid_from <= grid_geojson.at AND (x.valid_to IS NULL OR x.valid_to > grid_geojson.at)) p ON true
    WHERE g.code OPERATOR(shegu.<@) grid_geojson.root AND shegu.level(g.code) = grid_geojson.level
      AND g.valid_from <= grid_geojson.at AND (g.valid_to IS NULL OR g.valid_to > grid_geojson.at);
    LOOP
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
                   'type', 'Feature', 'id', f.code, 'properties', f.props,
                   'geometry', ST_AsGeoJSON(CASE WHEN tol > 0 THEN ST_SimplifyPreserveTopology(f.geom, tol)
                                                 ELSE f.geom END, 6)::json) ORDER BY f.n), '[]'))
        INTO doc
        FROM unnest(codes, props, geoms) WITH ORDINALITY AS f(code, props, geom, n);
        bytes := octet_length(doc::text);
        EXIT WHEN bytes <= max_bytes;
        IF tol >= 0.1 THEN
            RAISE EXCEPTION 'the map of % at level % does not fit in % bytes', root, level, max_bytes
                USING ERRCODE = 'program_limit_exceeded',
                      DETAIL = pg_catalog.format('Simplified with a tolerance of %s degrees it still takes %s bytes.', tol, bytes),
                      HINT = 'Show fewer units (a smaller root or a coarser level) or allow more bytes.';
        END IF;
        -- the tolerance that would shrink the vertex count enough, roughly, and at least double
        tol := CASE WHEN tol = 0 THEN 0.00001 ELSE tol * greatest(2, least(8, bytes::float8 / max_bytes)) END;
    END LOOP;
    RETURN doc;
END;
$$;
COMMENT ON FUNCTION shegu.grid_geojson(shegu.gridcode, int, date, date, text, int) IS
    'GeoJSON FeatureCollection of the grids at a level under root as drawn on day at: feature id = code, properties code, name, parent, parent_name, level, households, population, open_incidents (now) and, for a period (first day of a month), its received, closed, overdue_open, disposal_rate and on_time_rate; coordinates to 6 decimals (~0.1 m) in wgs84 or gcj02; boundaries simplified (ST_SimplifyPreserveTopology, tolerance raised step by step) until the text fits in max_bytes (default 5,000,000); reads shegu.grid and the report views with the caller''s rights';

CREATE FUNCTION shegu.choropleth_svg(model text, period date, level int DEFAULT NULL,
                                     root shegu.gridcode DEFAULT NULL, width int DEFAULT 800)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
    mdl record;
    lvl int;
    ext record;
    k float8;       -- cos(latitude) of the centre: equirectangular with true shape at the centre
    s float8;       -- pixels per degree of latitude
    map_w float8;
    map_h float8;
    top float8 := 44;
    margin float8 := 10;
    paths text;
    legend text;
    nclass int;
    classes text[];
    colours text[] := ARRAY['#d73027', '#fc8d59', '#fee08b', '#d9ef8b', '#91cf60', '#1a9850'];
    total_h float8;
    esc_title text;
    units jsonb;
    scores jsonb;
BEGIN
    IF model IS NULL OR period IS NULL OR width IS NULL THEN
        RAISE EXCEPTION 'model, period and width of choropleth_svg must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT m.name, m.title, m.scale, m.level INTO mdl FROM shegu.index_model m WHERE m.name = choropleth_svg.model;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'index model "%" does not exist', model
            USING ERRCODE = 'undefined_object', HINT = 'Models are rows of shegu.index_model.';
    END IF;
    lvl := coalesce(choropleth_svg.level, mdl.level);
    IF lvl NOT BETWEEN 1 AND 7 OR (root IS NOT NULL AND lvl < shegu.level(root)) THEN
        RAISE EXCEPTION 'level % is outside %..7', lvl, coalesce(shegu.level(root), 1)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF width < 200 OR width > 10000 THEN
        RAISE EXCEPTION 'width % is outside 200..10000 pixels', width USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_score x WHERE x.model = mdl.name AND x.level = lvl AND x.period = choropleth_svg.period) THEN
        RAISE EXCEPTION 'index model "%" has no stored scores at level % for period %', model, lvl, period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Compute them with shegu.store_index first.';
    END IF;

    -- classes: the model's grades from the lowest up, else five equal steps of its scale
    SELECT array_agg(g.grade ORDER BY g.min_score), count(*) INTO classes, nclass
    FROM shegu.index_grade g WHERE g.model = mdl.name;
    -- the scores as a jsonb map by code (a join to the ranking view could become a nested loop)
    SELECT coalesce(jsonb_object_agg(r.unit_code, jsonb_build_object(
               'name', r.unit_name, 'value', r.index_value, 'grade', r.grade, 'vetoed', r.vetoed, 'rank', r.rank)), '{}')
    INTO scores
    FROM shegu.report_index r
    WHERE r.model = mdl.name AND r.level = lvl AND r.period_start = choropleth_svg.period;
    SELECT jsonb_agg(jsonb_build_object(
               'code', g.code::text, 'name', coalesce(shegu.division_name(g.code), g.name), 'geom', g.boundary::text,
               'value', (sc ->> 'value')::numeric, 'grade', sc ->> 'grade', 'vetoed', (sc ->> 'vetoed')::boolean,
               'rank', (sc ->> 'rank')::int,
               'cls', CASE WHEN nclass > 0 THEN array_position(classes, sc ->> 'grade')
                           ELSE least(5, greatest(1, floor((sc ->> 'value')::numeric / mdl.scale * 5)::int + 1)) END))
    INTO units
    FROM shegu.grid g
    CROSS JOIN LATERAL (SELECT scores -> g.code::text AS sc) x
    WHERE shegu.level(g.code) = lvl AND g.boundary IS NOT NULL
      AND (root IS NULL OR g.code OPERATOR(shegu.<@) root)
      AND g.valid_from <= choropleth_svg.period AND (g.valid_to IS NULL OR g.valid_to > choropleth_svg.period)
      AND (root IS NOT NULL OR sc IS NOT NULL);
    IF units IS NULL THEN
        RAISE EXCEPTION 'no level-% grid with a boundary to draw%', lvl, coalesce(' under ' || root::text, '')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF nclass = 0 THEN
        nclass := 5;
        classes := NULL;
    END IF;
    nclass := least(nclass, 6);

    SELECT ST_XMin(e) AS x0, ST_XMax(e) AS x1, ST_YMin(e) AS y0, ST_YMax(e) AS y1 INTO ext
    FROM (SELECT ST_Extent(u.geom::geometry)::geometry AS e FROM jsonb_to_recordset(units) AS u(geom text)) x;
    k := cos(radians((ext.y0 + ext.y1) / 2));
    map_w := width - 2 * margin;
    s := map_w / greatest((ext.x1 - ext.x0) * k, 1e-9);
    map_h := (ext.y1 - ext.y0) * s;
    IF map_h > 2 * width THEN               -- a tall narrow area: fit the height instead
        s := s * 2 * width / map_h;
        map_h := 2 * width;
    END IF;

    -- ST_AsSVG writes y as -y: map latitude y to -(top + (y1 - y) * s)
    SELECT string_agg(pg_catalog.format('<path d="%s" fill="%s"><title>%s</title></path>',
               ST_AsSVG(ST_Affine(ST_SimplifyPreserveTopology(u.geom::geometry, 0.5 / s),
                                  k * s, 0, 0, s, margin - ext.x0 * k * s, -top - ext.y1 * s), 0, 1),
               CASE WHEN u.vetoed THEN '#6b3fa0'
                    WHEN u.cls IS NULL THEN '#d9d9d9'
                    ELSE colours[1 + round((u.cls - 1) * 5.0 / greatest(nclass - 1, 1))::int] END,
               replace(replace(replace(replace(
                   concat_ws(' ', coalesce(u.name, u.code), '(' || u.code || ')',
                             CASE WHEN u.value IS NULL THEN '无数据 no data'
                                  ELSE to_char(u.value, 'FM999990.0') END,
                             u.grade,
                             CASE WHEN u.vetoed THEN '一票否决 vetoed' END,
                             '第' || u.rank::text || '名'),
                   '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')),
               E'\n' ORDER BY u.code)
    INTO paths
    FROM jsonb_to_recordset(units) AS u(code text, name text, geom text, value numeric, grade text,
                                          vetoed boolean, rank int, cls int);

    -- legend: one swatch per class from the best down, then vetoed and no data
    SELECT string_agg(pg_catalog.format('<rect x="%s" y="%s" width="18" height="14" fill="%s" stroke="#333" stroke-width="0.5"/>'
                             '<text x="%s" y="%s">%s</text>',
                             margin, top + map_h + 16 + (n - 1) * 20, colour, margin + 24, top + map_h + 27 + (n - 1) * 20,
                             replace(replace(label, '&', '&amp;'), '<', '&lt;')), E'\n' ORDER BY n)
    INTO legend
    FROM (SELECT row_number() OVER (ORDER BY ord) AS n, colour, label FROM (
              SELECT -c AS ord, colours[1 + round((c - 1) * 5.0 / greatest(nclass - 1, 1))::int] AS colour,
                     CASE WHEN classes IS NOT NULL
                          THEN classes[c] || ' ≥ ' || (SELECT to_char(g.min_score, 'FM999990.##') FROM shegu.index_grade g
                                                       WHERE g.model = mdl.name AND g.grade = classes[c])
                          ELSE to_char((c - 1) * mdl.scale / 5, 'FM999990.##') || '–' || to_char(c * mdl.scale / 5, 'FM999990.##') END AS label
              FROM generate_series(1, nclass) AS c
              UNION ALL SELECT 100, '#6b3fa0', '一票否决 vetoed'
              UNION ALL SELECT 101, '#d9d9d9', '无数据 no data') x) y;

    total_h := top + map_h + 16 + (nclass + 2) * 20 + margin;
    esc_title := replace(replace(replace(mdl.title, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');
    RETURN pg_catalog.format(
        '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="12">' || E'\n'
        || '<rect width="100%%" height="100%%" fill="#ffffff"/>' || E'\n'
        || '<text x="%s" y="26" font-size="18" font-weight="bold">%s %s</text>' || E'\n'
        || '<g stroke="#ffffff" stroke-width="0.6" fill-rule="evenodd">' || E'\n' || '%s' || E'\n' || '</g>' || E'\n'
        || '%s' || E'\n' || '</svg>',
        width, ceil(total_h), width, ceil(total_h), margin, esc_title,
        replace(to_char(period, 'YYYY-MM') || ' ' || shegu.report_level_name(lvl, true), '&', '&amp;'),
        paths, legend);
END;
$$;
COMMENT ON FUNCTION shegu.choropleth_svg(text, date, int, shegu.gridcode, int) IS
    'a choropleth map (分级设色图) of a model''s stored index for a period as a standalone SVG document: the units at the level (default the model''s) under root (default: every scored unit) drawn as drawn in the period, equirectangular with cos(latitude) scaling, filled by grade (or five equal classes of the scale without grades), vetoed and no-data units in their own colours, a title, a legend and each unit''s name, code, index, grade and rank on hover (<title>); no external resources';
