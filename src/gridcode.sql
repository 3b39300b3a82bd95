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
