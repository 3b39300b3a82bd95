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
