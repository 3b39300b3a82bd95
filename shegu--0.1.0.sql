-- shegu 0.1.0, frozen: assembled from src/*.sql at tag v0.1.0 (bc67b83) by that commit's Makefile; never edit (docs/upgrading.md).
\echo Use "CREATE EXTENSION shegu" to load this file. \quit

-- ==== src/gridcode.sql
-- The grid code type (网格编码): I/O, navigation functions, operators, opclasses, casts.
-- src/gridcode.sql — declares what src/gridcode.c implements.

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
    kind text := substr(ST_GeometryType(boundary), 4);
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
                  DETAIL = format('PostGIS says: %s.', reason),
                  HINT = 'Repair the drawing, or look at ST_MakeValid(boundary) and store that if it is right; shegu does not repair boundaries silently.';
    END IF;
    IF coalesce(current_setting('shegu.china_bounds', true), 'off')::boolean
       AND (ST_XMin(boundary) < 73 OR ST_XMax(boundary) > 136 OR ST_YMin(boundary) < 3 OR ST_YMax(boundary) > 54) THEN
        RAISE EXCEPTION 'boundary lies outside China'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its extent is longitude %s to %s, latitude %s to %s; shegu.china_bounds asks for longitude 73 to 136 and latitude 3 to 54.',
                                  round(ST_XMin(boundary)::numeric, 6), round(ST_XMax(boundary)::numeric, 6),
                                  round(ST_YMin(boundary)::numeric, 6), round(ST_YMax(boundary)::numeric, 6)),
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
SET search_path FROM CURRENT
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
CREATE TRIGGER grid_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.grid
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.grid_changed();
COMMENT ON TRIGGER grid_changed ON shegu.grid IS 'tells every session''s lookup index that the grids changed';

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
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
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
ORDER BY r.problem, r.code, r.other_code, r.area_m2 DESC
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
    OUT raster_quarters bigint, OUT raster_quarters_direct bigint)
    AS 'MODULE_PATHNAME', 'lookup_stats' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.lookup_stats() IS
    'this session''s lookup index (built first if missing or stale): grid versions, rings, vertices, quadtree cells and leaves, (leaf, grid) entries and how many are boundary ones, clipped edges held, depth, memory, build time; how many builds and locates this session has made; the raster over the quadtree (cells, and how many answer at once; quarters of boundary cells, and how many of those answer at once)';

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
    AS $$ SELECT DISTINCT extract(year FROM day)::int AS year FROM shegu.workday_override ORDER BY 1 $$;
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

CREATE TABLE shegu.incident (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
    supervisions        int NOT NULL DEFAULT 0
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
COMMENT ON COLUMN shegu.incident.id IS 'incident number';
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
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    incident_id         bigint NOT NULL,
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
    request_id          text
);
COMMENT ON SEQUENCE shegu.incident_event_id_seq IS 'numbers of incident events';
COMMENT ON TABLE shegu.incident_event IS
    'append-only log of every step of every incident (流转记录): written by the triggers, never updated or deleted';
COMMENT ON COLUMN shegu.incident_event.id IS 'event number, increasing in commit-independent insertion order';
COMMENT ON COLUMN shegu.incident_event.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_event.action IS 'report, or the act() action: accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise';
COMMENT ON COLUMN shegu.incident_event.actor IS 'who acted (shegu.sweep for automatic escalation)';
COMMENT ON COLUMN shegu.incident_event.at IS 'when';
COMMENT ON COLUMN shegu.incident_event.from_status IS 'state before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_status IS 'state after';
COMMENT ON COLUMN shegu.incident_event.from_level IS 'responsible level before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_level IS 'responsible level after';
COMMENT ON COLUMN shegu.incident_event.work_time_in_state IS 'working time (category schedule) spent in the state before; NULL for the report or without the calendar';
COMMENT ON COLUMN shegu.incident_event.note IS 'free text: the reason of a rejection, return, suspension';
COMMENT ON COLUMN shegu.incident_event.detail IS 'the detail argument of act()';
COMMENT ON COLUMN shegu.incident_event.request_id IS 'client request id (detail ->> ''request_id''): a retried act() with it changes nothing twice';
COMMENT ON CONSTRAINT incident_event_pkey ON shegu.incident_event IS 'an event is identified by its number';

COMMENT ON INDEX shegu.incident_event_pkey IS 'events by number';
CREATE INDEX incident_event_incident_idx ON shegu.incident_event (incident_id, at);
CREATE UNIQUE INDEX incident_event_request_idx ON shegu.incident_event (incident_id, request_id)
    WHERE request_id IS NOT NULL;
COMMENT ON INDEX shegu.incident_event_request_idx IS 'a client request id is applied to an incident once';
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
    AS 'MODULE_PATHNAME', 'incident_after_insert' LANGUAGE C;
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
CREATE TRIGGER incident_category_10_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.incident_category
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_category_changed();
COMMENT ON TRIGGER incident_10_before_insert ON shegu.incident IS 'grid, level, due times, light of a new incident';
COMMENT ON TRIGGER incident_10_after_insert ON shegu.incident IS 'report events of the new incidents';
COMMENT ON TRIGGER incident_10_before_update ON shegu.incident IS 'the state machine';
COMMENT ON TRIGGER incident_10_refuse_delete ON shegu.incident IS 'incidents are never deleted';
COMMENT ON TRIGGER incident_10_refuse_truncate ON shegu.incident IS 'incidents are never truncated';
COMMENT ON TRIGGER incident_event_10_refuse ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_event_10_refuse_truncate ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_category_10_changed ON shegu.incident_category IS 'invalidates the category caches';

-- ---------------------------------------------------------------------------------------------
-- The application entry points.

CREATE FUNCTION shegu.act(incident_id bigint, action text, actor text, note text DEFAULT NULL,
                          detail jsonb DEFAULT NULL) RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_act' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.act(bigint, text, text, text, jsonb) IS
    'the one workflow entry point: performs an action (accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise) and returns the incident; illegal steps raise SQLSTATE SGI01 and change nothing';

CREATE FUNCTION shegu.incident_step(incident_id bigint, action text, at timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'incident_step' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.incident_step(bigint, text, timestamptz) IS
    'internal step of sweep(): overdue_escalate (escalate when the level deadline passed by at) or tick (recompute the time light at at); true when the incident changed';
REVOKE ALL ON FUNCTION shegu.incident_step(bigint, text, timestamptz) FROM PUBLIC;

CREATE FUNCTION shegu.report(category text, title text, source text,
                             grid shegu.gridcode DEFAULT NULL, location geometry DEFAULT NULL,
                             reporter text DEFAULT NULL, description text DEFAULT NULL,
                             reported_at timestamptz DEFAULT NULL, idempotency_key text DEFAULT NULL)
    RETURNS shegu.incident
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path FROM CURRENT AS $$
DECLARE
    r shegu.incident;
BEGIN
    INSERT INTO shegu.incident AS i (category, title, source, grid, location, reporter, description,
                                     reported_at, idempotency_key)
    VALUES (report.category, report.title, report.source, report.grid, report.location, report.reporter,
            report.description, report.reported_at, report.idempotency_key)
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
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
DECLARE
    v_id bigint;
    escalated int := 0;
BEGIN
    -- Every open incident whose level deadline passed goes one level up; the step re-checks
    -- the deadline on the locked row, so a second sweep (or a concurrent one) does nothing twice.
    FOR v_id IN
        SELECT i.id FROM shegu.incident AS i
        WHERE i.status IN ('reported', 'accepted', 'dispatched') AND i.level <> 'county'
          AND i.level_due_at < sweep.now
        ORDER BY i.level_due_at, i.id
        FOR UPDATE SKIP LOCKED
    LOOP
        IF shegu.incident_step(v_id, 'overdue_escalate', sweep.now) THEN
            escalated := escalated + 1;
        END IF;
    END LOOP;
    -- Lights that turn: each turn to yellow or red sends NOTIFY shegu_light once.
    FOR v_id IN
        SELECT i.id FROM shegu.incident AS i
        WHERE (i.status IN ('reported', 'accepted', 'dispatched') AND i.light = 'green' AND i.yellow_at <= sweep.now)
           OR (i.status = 'reported' AND i.light <> 'red' AND i.accept_due_at < sweep.now)
           OR (i.status IN ('accepted', 'dispatched') AND i.light <> 'red' AND i.due_at < sweep.now)
        ORDER BY i.id
        FOR UPDATE SKIP LOCKED
    LOOP
        PERFORM shegu.incident_step(v_id, 'tick', sweep.now);
    END LOOP;
    RETURN escalated;
END;
$$;
COMMENT ON FUNCTION shegu.sweep(timestamptz) IS
    'escalates every open incident whose level deadline passed one level up (grid → community → township → county), logs it and sends NOTIFY shegu_escalation; turns time lights; returns the number escalated; idempotent and safe in several sessions at once';

-- ---------------------------------------------------------------------------------------------
-- Grids: the responsible unit, and the grid re-derived as of a date.

CREATE FUNCTION shegu.incident_unit(grid shegu.gridcode, level text) RETURNS shegu.gridcode
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN shegu.ancestor(grid, least(shegu.level(grid),
                                      CASE level WHEN 'grid' THEN 6 WHEN 'community' THEN 5
                                                 WHEN 'township' THEN 4 WHEN 'county' THEN 3 END));
COMMENT ON FUNCTION shegu.incident_unit(shegu.gridcode, text) IS
    'the unit responsible at a level (grid, community, township, county) for an incident in a grid: the grid''s ancestor at that level';

CREATE FUNCTION shegu.incident_grid_as_of(incident_id bigint, at timestamptz) RETURNS shegu.gridcode
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    loc geometry;
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
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
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
    GROUP BY 1, 2, 3
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
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
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
                        AND split_part(p.category, '.', 1) = split_part(i.category, '.', 1)
                        AND p.reported_at <= i.reported_at
                        AND p.reported_at >= i.reported_at - incident_accountability_at.discovery_window)
    UNION ALL
    -- should have reported (escalated) but did not: the level deadline passed and only the sweep moved it up
    SELECT 'not_reported', '应上报未上报', i.id, i.category, i.grid, e.from_level,
           shegu.incident_unit(i.grid, e.from_level), i.source, i.reported_at, e.at,
           format('level deadline passed at the %s level; escalated by the sweep', e.from_level)
    FROM shegu.incident_event AS e JOIN shegu.incident AS i ON i.id = e.incident_id
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
       OR (i.status IN ('resolved', 'verified', 'closed', 'evaluated') AND i.resolved_at > i.due_at)
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
    veto_below      float8,
    veto_above      float8,
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
AS $$ SELECT c.unit, c.node, c.score, c.rank FROM shegu.index_compute($1, $2, $3) AS c $$;
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
AS $$
DECLARE
    n record;
    rel regclass;
    total bigint := 0;
    k bigint;
    lvl int := (SELECT m.level FROM shegu.index_model m WHERE m.name = feed_index.model);
BEGIN
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
AS $$
DECLARE
    n bigint;
BEGIN
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
AS $$
DECLARE
    kids text[];
    a record;
BEGIN
    SELECT array_agg(x.code ORDER BY x.code) INTO kids
    FROM shegu.index_node x WHERE x.model = apply_ahp_weights.model AND x.parent = apply_ahp_weights.node;
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
