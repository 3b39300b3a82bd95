-- shegu 0.2.0 -> 0.3.0, hand-written: everything src/*.sql changed since tag v0.2.0, so that
-- ALTER EXTENSION shegu UPDATE gives what CREATE EXTENSION shegu gives (test/upgrade/run.sh
-- checks the catalog object by object; docs/upgrading.md).  One section per room, in install
-- order; each room writes only inside its own section.
\echo Use "ALTER EXTENSION shegu UPDATE TO '0.3.0'" to load this file. \quit


-- ==== gridcode, coords, lookup, import, worktime (lower rooms)

-- lookup: a lookup index that never stalls (docs/lookup.md): the row trigger that hands the
-- boxes of edited boundaries to the shared index, lookup_stats with the delta's columns, lookup_wait
CREATE FUNCTION shegu.grid_changed_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lookup_grid_changed_row' LANGUAGE C;
COMMENT ON FUNCTION shegu.grid_changed_row() IS
    'trigger of shegu.grid: hands the bounding boxes of the boundaries a row change removes and writes to the shared lookup index, whose next version rebuilds only what they touch (a delta)';
CREATE TRIGGER grid_changed_rows AFTER INSERT OR UPDATE OF code, boundary, valid_from, valid_to OR DELETE ON shegu.grid
    FOR EACH ROW EXECUTE FUNCTION shegu.grid_changed_row();
COMMENT ON TRIGGER grid_changed_rows ON shegu.grid IS 'tells the shared lookup index where grid codes, boundaries or validity changed';
DROP FUNCTION shegu.lookup_stats();
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

-- ==== end gridcode, coords, lookup, import, worktime


-- ==== incident (workflow v2: engine, act(), joint handling, mediation)

-- ==== end incident


-- ==== incident figures (disposal rate, lights as of now, labelled defaults)

-- ==== end incident figures


-- ==== index (veto register, weights)

-- ==== end index


-- ==== security

-- ==== end security


-- ==== base (people, places, things)

-- ==== end base


-- ==== duty (duty cadence)

-- ==== end duty


-- ==== restore

-- ==== end restore


-- ==== report

-- ==== end report

