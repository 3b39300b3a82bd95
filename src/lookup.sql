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
CREATE FUNCTION shegu.grid_changed_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lookup_grid_changed_row' LANGUAGE C;
COMMENT ON FUNCTION shegu.grid_changed_row() IS
    'trigger of shegu.grid: hands the bounding boxes of the boundaries a row change removes and writes to the shared lookup index, whose next version rebuilds only what they touch (a delta)';
CREATE TRIGGER grid_changed_rows AFTER INSERT OR UPDATE OF code, boundary, valid_from, valid_to OR DELETE ON shegu.grid
    FOR EACH ROW EXECUTE FUNCTION shegu.grid_changed_row();
COMMENT ON TRIGGER grid_changed_rows ON shegu.grid IS 'tells the shared lookup index where grid codes, boundaries or validity changed';

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
    OUT raster_quarters bigint, OUT raster_quarters_direct bigint, OUT mode text,
    OUT delta_grids bigint, OUT delta_boxes bigint)
    AS 'MODULE_PATHNAME', 'lookup_stats' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.lookup_stats() IS
    'this session''s lookup index (built first if missing): grid versions, rings, vertices, quadtree cells and leaves, (leaf, grid) entries and how many are boundary ones, clipped edges held, depth, memory, build time; how many builds and locates this session has made; the raster over the quadtree (cells, and how many answer at once; quarters of boundary cells, and how many of those answer at once); mode: shared (one index per server in shared memory, with shegu in shared_preload_libraries), backend (this session''s own), transaction (this transaction changed the grids and reads its own), statement (a parallel query''s own); of the shared index, the grid versions of its delta (the grids that edits since its base touch) and the boxes of edited boundaries the delta covers';

CREATE FUNCTION shegu.lookup_wait(timeout_ms int DEFAULT 10000) RETURNS boolean
    AS 'MODULE_PATHNAME', 'lookup_wait' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION shegu.lookup_wait(int) IS
    'waits at most timeout_ms until the shared lookup index holds every change of shegu.grid committed so far; true when it does (always without the preload)';
