-- shegu 0.2.0 -> 0.3.0, hand-written: everything src/*.sql changed since tag v0.2.0, so that
-- ALTER EXTENSION shegu UPDATE gives what CREATE EXTENSION shegu gives (test/upgrade/run.sh
-- checks the catalog object by object; docs/upgrading.md).  One section per room, in install
-- order; each room writes only inside its own section.
\echo Use "ALTER EXTENSION shegu UPDATE TO '0.3.0'" to load this file. \quit


-- ==== gridcode, coords, lookup, import, worktime (lower rooms)

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

-- The search path of the rest of the section, as src/gridcode.sql sets it for an install: the
-- functions created with SET search_path FROM CURRENT keep it.
SELECT pg_catalog.set_config('search_path',
    pg_catalog.format('shegu, pg_catalog, %I, pg_temp', n.nspname), true)
FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';

-- choropleth_svg: a height, everything inside the frame, labels, north arrow, scale bar, CJK fonts
DROP FUNCTION shegu.choropleth_svg(text, date, int, shegu.gridcode, int);

CREATE FUNCTION shegu.choropleth_svg(model text, period date, level int DEFAULT NULL,
                                     root shegu.gridcode DEFAULT NULL, width int DEFAULT 800,
                                     height int DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
    mdl record;
    lvl int;
    ext record;
    w int;          -- the frame: width x h pixels, everything is drawn inside it
    h int;
    k float8;       -- cos(latitude) of the centre: equirectangular with true shape at the centre
    s float8;       -- pixels per degree of latitude
    top float8 := 44;
    margin float8 := 10;
    legend_w float8 := 190;
    box_w float8;   -- the map's box: left of the legend column, between title and scale bar
    box_h float8;
    ox float8;      -- where the map's west edge and north edge land (the map is centred in its box)
    oy float8;
    paths text;
    labels text;
    legend text;
    legend_h float8;
    scale_bar text;
    north text;
    km_per_px float8;
    bar_km float8;
    bar_px float8;
    nclass int;
    classes text[];
    colours text[] := ARRAY['#d73027', '#fc8d59', '#fee08b', '#d9ef8b', '#91cf60', '#1a9850'];
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
    IF width < 400 OR width > 10000 THEN
        RAISE EXCEPTION 'width % is outside 400..10000 pixels', width
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The legend takes a column of 190 pixels beside the map.';
    END IF;
    IF choropleth_svg.height IS NOT NULL AND (choropleth_svg.height < 300 OR choropleth_svg.height > 10000) THEN
        RAISE EXCEPTION 'height % is outside 300..10000 pixels', choropleth_svg.height
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Leave it NULL for three quarters of the width.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.index_score x WHERE x.model = mdl.name AND x.level = lvl AND x.period = choropleth_svg.period) THEN
        RAISE EXCEPTION 'index model "%" has no stored scores at level % for period %', model, lvl, period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Compute them with shegu.store_index first.';
    END IF;
    w := width;
    h := coalesce(choropleth_svg.height, round(width * 0.75)::int);

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
               'code', g.code::text, 'name', coalesce(x.sc ->> 'name', shegu.division_name(g.code), g.name),
               'geom', g.boundary::text,
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

    -- the map fills its box (frame minus title, legend column and scale-bar strip), centred
    SELECT ST_XMin(e) AS x0, ST_XMax(e) AS x1, ST_YMin(e) AS y0, ST_YMax(e) AS y1 INTO ext
    FROM (SELECT ST_Extent(u.geom::geometry)::geometry AS e FROM jsonb_to_recordset(units) AS u(geom text)) x;
    k := cos(radians((ext.y0 + ext.y1) / 2));
    box_w := w - 3 * margin - legend_w;
    box_h := h - top - margin - 34;
    s := least(box_w / greatest((ext.x1 - ext.x0) * k, 1e-9), box_h / greatest(ext.y1 - ext.y0, 1e-9));
    ox := margin + (box_w - (ext.x1 - ext.x0) * k * s) / 2;
    oy := top + (box_h - (ext.y1 - ext.y0) * s) / 2;

    -- ST_AsSVG writes y as -y: map latitude y to -(oy + (y1 - y) * s)
    SELECT string_agg(pg_catalog.format('<path d="%s" fill="%s"><title>%s</title></path>',
               ST_AsSVG(ST_Affine(ST_SimplifyPreserveTopology(u.geom::geometry, 0.5 / s),
                                  k * s, 0, 0, s, ox - ext.x0 * k * s, -oy - ext.y1 * s), 0, 1),
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

    -- labels: the unit's name at a point inside it (and its index below when there is room),
    -- wherever the unit is wide enough on the page for the name (a CJK character is 1 em wide,
    -- others about 0.6 em; 11-pixel type); the rest keep their name on hover
    SELECT string_agg(pg_catalog.format('<text x="%s" y="%s">%s%s</text>',
               round(l.px::numeric, 1), round(l.py::numeric, 1), l.esc_name,
               CASE WHEN l.bh >= 36 AND l.value IS NOT NULL
                    THEN pg_catalog.format('<tspan x="%s" dy="12" font-size="10">%s</tspan>',
                                           round(l.px::numeric, 1), to_char(l.value, 'FM999990.0')) ELSE '' END),
               E'\n' ORDER BY l.code)
    INTO labels
    FROM (SELECT u.code, u.value,
                 replace(replace(replace(coalesce(u.name, u.code), '&', '&amp;'), '<', '&lt;'), '>', '&gt;') AS esc_name,
                 ox + (ST_X(p.pt) - ext.x0) * k * s AS px,
                 oy + (ext.y1 - ST_Y(p.pt)) * s + 4 AS py,
                 (ST_XMax(u.geom::geometry) - ST_XMin(u.geom::geometry)) * k * s AS bw,
                 (ST_YMax(u.geom::geometry) - ST_YMin(u.geom::geometry)) * s AS bh,
                 11 * (char_length(coalesce(u.name, u.code)) * 0.6
                       + 0.4 * char_length(regexp_replace(coalesce(u.name, u.code), '[\x01-\x7f]', '', 'g'))) AS tw
          FROM jsonb_to_recordset(units) AS u(code text, name text, geom text, value numeric)
          CROSS JOIN LATERAL (SELECT ST_PointOnSurface(u.geom::geometry) AS pt) p) l
    WHERE l.bw >= l.tw + 6 AND l.bh >= 24 AND l.bw * l.bh >= 3 * l.tw * 14;

    -- legend: a panel in the right-hand column, one swatch per class from the best down, then
    -- vetoed and no data
    legend_h := 30 + (nclass + 2) * 20 + 6;
    SELECT string_agg(pg_catalog.format('<rect x="%s" y="%s" width="18" height="14" fill="%s" stroke="#333333" stroke-width="0.5"/>'
                             '<text x="%s" y="%s">%s</text>',
                             w - margin - legend_w + 10, top + 30 + (n - 1) * 20, colour,
                             w - margin - legend_w + 34, top + 41 + (n - 1) * 20,
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
    legend := pg_catalog.format('<g id="legend"><rect x="%s" y="%s" width="%s" height="%s" fill="#f7f7f7" stroke="#999999" stroke-width="1"/>'
                                '<text x="%s" y="%s" font-weight="bold">图例 legend</text>' || E'\n' || '%s</g>',
                                w - margin - legend_w, top, legend_w, legend_h,
                                w - margin - legend_w + 10, top + 19, legend);

    -- north arrow (the map is drawn north up) below the legend
    north := pg_catalog.format('<g id="north" transform="translate(%s,%s)">'
                               '<polygon points="0,-22 9,6 0,0 -9,6" fill="#333333"/>'
                               '<text x="0" y="22" text-anchor="middle" font-weight="bold">N 北</text></g>',
                               w - margin - legend_w / 2, top + legend_h + 40);

    -- scale bar: a round length (1, 2 or 5 times a power of ten) near a fifth of the box, true
    -- along the parallel at the centre (1 degree of latitude = 111.32 km)
    km_per_px := 111.32 / s;
    bar_km := box_w / 5 * km_per_px;
    bar_km := (SELECT max(f * 10 ^ floor(log(bar_km))) FROM unnest(ARRAY[1, 2, 5]) AS f
               WHERE f * 10 ^ floor(log(bar_km)) <= bar_km);
    bar_px := bar_km / km_per_px;
    scale_bar := pg_catalog.format('<g id="scale" transform="translate(%s,%s)">'
                                   '<rect x="0" y="0" width="%s" height="5" fill="#ffffff" stroke="#333333" stroke-width="1"/>'
                                   '<rect x="0" y="0" width="%s" height="5" fill="#333333"/>'
                                   '<text x="0" y="18">0</text><text x="%s" y="18" text-anchor="end">%s</text></g>',
                                   margin, h - margin - 20, round(bar_px::numeric, 1), round((bar_px / 2)::numeric, 1),
                                   round(bar_px::numeric, 1),
                                   CASE WHEN bar_km >= 1 THEN to_char(bar_km, 'FM999999990') || ' km 公里'
                                        ELSE to_char(bar_km * 1000, 'FM999990') || ' m 米' END);

    esc_title := replace(replace(replace(mdl.title, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');
    RETURN pg_catalog.format(
        '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" '
        'font-family="''Noto Sans CJK SC'', ''Noto Sans SC'', ''WenQuanYi Micro Hei'', sans-serif" font-size="12">' || E'\n'
        || '<rect width="100%%" height="100%%" fill="#ffffff"/>' || E'\n'
        || '<text x="%s" y="26" font-size="18" font-weight="bold">%s %s</text>' || E'\n'
        || '<g stroke="#ffffff" stroke-width="0.6" fill-rule="evenodd">' || E'\n' || '%s' || E'\n' || '</g>' || E'\n'
        || '<g id="labels" font-size="11" text-anchor="middle" fill="#222222" stroke="#ffffff" stroke-width="2.5" '
        || 'stroke-linejoin="round" paint-order="stroke">' || E'\n' || '%s' || E'\n' || '</g>' || E'\n'
        || '%s' || E'\n' || '%s' || E'\n' || '%s' || E'\n' || '</svg>',
        w, h, w, h, margin, esc_title,
        replace(to_char(period, 'YYYY-MM') || ' ' || shegu.report_level_name(lvl, true), '&', '&amp;'),
        paths, coalesce(labels, ''), legend, north, scale_bar);
END;
$$;
COMMENT ON FUNCTION shegu.choropleth_svg(text, date, int, shegu.gridcode, int, int) IS
    'a choropleth map (分级设色图) of a model''s stored index for a period as a standalone SVG document of width x height pixels (height default three quarters of the width), everything inside that frame: the units at the level (default the model''s) under root (default: every scored unit) drawn as drawn in the period, equirectangular with cos(latitude) scaling, filled by grade (or five equal classes of the scale without grades), vetoed and no-data units in their own colours, each unit''s name written on it where it fits (and its index where there is room), on hover its name, code, index, grade and rank (<title>), a title, a legend panel, a north arrow and a scale bar; text in the font list Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, sans-serif; no external resources';

-- ==== end report

