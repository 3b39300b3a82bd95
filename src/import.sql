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
