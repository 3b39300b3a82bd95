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
-- Names: one rule for every view and map of the room.

CREATE FUNCTION shegu.report_unit_name(code shegu.gridcode) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
RETURN coalesce((SELECT n.name FROM shegu.index_unit_name n WHERE n.unit OPERATOR(shegu.=) report_unit_name.code),
                shegu.division_name(report_unit_name.code),
                (SELECT g.name FROM shegu.grid g WHERE g.code OPERATOR(shegu.=) report_unit_name.code
                 ORDER BY g.valid_from DESC LIMIT 1));
COMMENT ON FUNCTION shegu.report_unit_name(shegu.gridcode) IS
    'the name every report view and map gives a unit (名称), by one rule: a display name set in shegu.index_unit_name, else the official division name (shegu.division, levels 1-5) when loaded, else the name of the unit''s latest version in the grid registry shegu.grid; NULL when none has it; runs as its owner (SECURITY DEFINER), so that the views that run with their owner''s rights give any reader the names without a right on those tables (a unit''s name is no secret: shegu.grid is readable by every shegu role)';

CREATE FUNCTION shegu.report_unit_path(code shegu.gridcode) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN shegu.report_unit_name(report_unit_path.code) IS NULL THEN NULL
            WHEN shegu.level(report_unit_path.code) <= 4 THEN shegu.report_unit_name(report_unit_path.code)
            ELSE concat_ws('/',
                     coalesce(shegu.report_unit_name(shegu.ancestor(report_unit_path.code, 4)), shegu.ancestor(report_unit_path.code, 4)::text),
                     CASE WHEN shegu.level(report_unit_path.code) > 5
                          THEN coalesce(shegu.report_unit_name(shegu.ancestor(report_unit_path.code, 5)), shegu.ancestor(report_unit_path.code, 5)::text) END,
                     CASE WHEN shegu.level(report_unit_path.code) > 6
                          THEN coalesce(shegu.report_unit_name(shegu.ancestor(report_unit_path.code, 6)), shegu.ancestor(report_unit_path.code, 6)::text) END,
                     shegu.report_unit_name(report_unit_path.code)) END;
COMMENT ON FUNCTION shegu.report_unit_path(shegu.gridcode) IS
    'the path of names of a unit from the township (level 4) down, as report_unit.unit_path, by the rule of shegu.report_unit_name, for units the grid registry does not hold (e.g. 金石镇/城东社区 for a community scored but never drawn); a code stands in for an ancestor nothing names; NULL when nothing names the unit itself';

-- ---------------------------------------------------------------------------------------------
-- Units: one row per grid code, the latest version, with its parent and a path of names.

CREATE VIEW shegu.report_unit AS
SELECT l.code::text AS unit_code,
       coalesce(iu.name, shegu.division_name(l.code), l.name) AS unit_name,
       CASE WHEN shegu.level(l.code) <= 4 THEN coalesce(iu.name, shegu.division_name(l.code), l.name)
            ELSE concat_ws('/', coalesce(iu4.name, shegu.division_name(shegu.ancestor(l.code, 4)), a4.name, shegu.ancestor(l.code, 4)::text),
                           CASE WHEN shegu.level(l.code) > 5
                                THEN coalesce(iu5.name, shegu.division_name(shegu.ancestor(l.code, 5)), a5.name, shegu.ancestor(l.code, 5)::text) END,
                           CASE WHEN shegu.level(l.code) > 6 THEN coalesce(iu6.name, a6.name, shegu.ancestor(l.code, 6)::text) END,
                           coalesce(iu.name, shegu.division_name(l.code), l.name)) END AS unit_path,
       shegu.parent(l.code)::text AS parent_code,
       coalesce(ip.name, shegu.division_name(shegu.parent(l.code)), p.name) AS parent_name,
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
-- names by the rule of shegu.report_unit_name, written as joins (the view reads the tables with
-- its owner's rights, and a join is cheaper than a call per name)
LEFT JOIN shegu.index_unit_name iu ON iu.unit OPERATOR(shegu.=) l.code
LEFT JOIN shegu.index_unit_name ip ON ip.unit OPERATOR(shegu.=) shegu.parent(l.code)
LEFT JOIN shegu.index_unit_name iu4 ON shegu.level(l.code) > 4 AND iu4.unit OPERATOR(shegu.=) shegu.ancestor(l.code, 4)
LEFT JOIN shegu.index_unit_name iu5 ON shegu.level(l.code) > 5 AND iu5.unit OPERATOR(shegu.=) shegu.ancestor(l.code, 5)
LEFT JOIN shegu.index_unit_name iu6 ON shegu.level(l.code) > 6 AND iu6.unit OPERATOR(shegu.=) shegu.ancestor(l.code, 6)
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
COMMENT ON COLUMN shegu.report_unit.unit_name IS 'name (名称) by the rule of shegu.report_unit_name: a display name set in shegu.index_unit_name, else the official division name (shegu.division, levels 1-5) when loaded, else the name of the latest version in shegu.grid, e.g. 城东社区 or 第3网格';
COMMENT ON COLUMN shegu.report_unit.unit_path IS 'names (same rule as unit_name) from the township (level 4) down to the unit joined by /, e.g. 金石镇/城东社区/第3网格, which tells apart units of the same name; the own name above level 4; a code stands in for an ancestor without a name';
COMMENT ON COLUMN shegu.report_unit.parent_code IS 'code of the unit one level up as text; NULL for a province';
COMMENT ON COLUMN shegu.report_unit.parent_name IS 'name of the parent unit, by the same rule; NULL when no source has it';
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

-- The two views below read the one definition of the measures, shegu.incident_figures
-- (src/incident.sql), and round its rates for reading: report_month_live over every month,
-- report_month_open from the first month not frozen on (the filter on the month reaches the
-- incidents as a range of report_incident_month_idx, so that frozen months are not read).
CREATE VIEW shegu.report_month_live AS
SELECT f.month, f.level, f.unit::text AS unit_code, f.unit_level,
       f.received, f.accepted, f.closed, f.closed_on_time, f.overdue_open, f.suspended,
       round(f.disposal_rate::numeric, 4) AS disposal_rate,
       round(f.on_time_rate::numeric, 4) AS on_time_rate,
       round(f.on_time_rate_incl_open::numeric, 4) AS on_time_rate_incl_open,
       round(f.rework_rate::numeric, 4) AS rework_rate,
       round(f.avg_work_hours_to_close::numeric, 2) AS avg_hours_to_close,
       round(f.satisfaction_rate::numeric, 4) AS satisfaction_rate,
       -- since 0.3.0, after the columns of 0.2.0 (CREATE OR REPLACE VIEW keeps the order)
       f.disposed,
       round(f.disposal_rate_accepted::numeric, 4) AS disposal_rate_accepted
FROM shegu.incident_figures f
WHERE f.level <= 6;
CREATE VIEW shegu.report_month_open AS
SELECT v.*
FROM shegu.report_month_live v
WHERE v.month >= (
    SELECT coalesce(min(m.m)::date, '-infinity')
    FROM generate_series((SELECT date_trunc('month', min(x.reported_at) AT TIME ZONE 'Asia/Shanghai') FROM shegu.incident x),
                         (SELECT max(f.month) + interval '1 month' FROM shegu.report_frozen_month f),
                         interval '1 month') AS m(m)
    WHERE NOT EXISTS (SELECT 1 FROM shegu.report_frozen_month f WHERE f.month = m.m::date));
COMMENT ON VIEW shegu.report_month_live IS
    'internal: the incident figures of every month as they are now, per reporting level 1..6 and unit: shegu.incident_figures with its rates rounded (what freeze_month stores; read shegu.report_incident_month instead)';
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
COMMENT ON COLUMN shegu.report_month_live.disposed IS 'disposal verified: status verified, closed or evaluated (处置量)';
COMMENT ON COLUMN shegu.report_month_live.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004), disposed / received, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 4 decimals';
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
COMMENT ON COLUMN shegu.report_month_open.disposed IS 'disposal verified: status verified, closed or evaluated (处置量)';
COMMENT ON COLUMN shegu.report_month_open.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004), disposed / received, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 4 decimals';
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
    disposal_rate_accepted numeric,
    on_time_rate           numeric,
    on_time_rate_incl_open numeric,
    rework_rate            numeric,
    avg_hours_to_close     numeric,
    satisfaction_rate      numeric,
    -- since 0.3.0 (after the columns of 0.2.0, where ALTER TABLE puts them)
    disposed               bigint,
    disposal_rate          numeric,
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
COMMENT ON COLUMN shegu.report_month_figure.disposal_rate_accepted IS 'disposal rate of accepted cases when frozen (the 0.2.0 disposal_rate: resolved or later / (accepted - suspended)), 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.disposed IS 'disposal verified when frozen (处置量: verified, closed or evaluated); NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_month_figure.disposal_rate IS '上报问题处置率 disposal rate over every reported problem when frozen (seed 004: disposed / received), 0-1, 4 decimals; NULL for a month frozen before 0.3.0, whose figures did not count verified disposals (its disposal_rate_accepted holds what 0.2.0 called disposal_rate)';
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
         received, accepted, disposed, closed, closed_on_time, overdue_open, suspended, disposal_rate,
         disposal_rate_accepted, on_time_rate, on_time_rate_incl_open, rework_rate, avg_hours_to_close,
         satisfaction_rate)
    SELECT v.month, v.level, v.unit_code, v.unit_level,
           coalesce(u.unit_name, shegu.report_unit_name(v.unit_code::shegu.gridcode)),
           coalesce(u.unit_path, shegu.report_unit_path(v.unit_code::shegu.gridcode)),
           shegu.parent(v.unit_code::shegu.gridcode)::text,
           coalesce(u.parent_name, shegu.report_unit_name(shegu.parent(v.unit_code::shegu.gridcode))),
           v.received, v.accepted, v.disposed, v.closed, v.closed_on_time, v.overdue_open, v.suspended,
           v.disposal_rate, v.disposal_rate_accepted, v.on_time_rate, v.on_time_rate_incl_open, v.rework_rate,
           v.avg_hours_to_close, v.satisfaction_rate
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
       s.satisfaction_rate, true AS frozen, f.frozen_at,
       s.disposed, s.disposal_rate_accepted
FROM shegu.report_month_figure s
JOIN shegu.report_frozen_month f ON f.month = s.month
UNION ALL
SELECT v.month, (v.month + interval '1 month' - interval '1 day')::date,
       v.level, shegu.report_level_name(v.level), shegu.report_level_name(v.level, true),
       v.unit_code, v.unit_level,
       coalesce(u.unit_name, shegu.report_unit_name(v.unit_code::shegu.gridcode)),
       coalesce(u.unit_path, shegu.report_unit_path(v.unit_code::shegu.gridcode)),
       shegu.parent(v.unit_code::shegu.gridcode)::text,
       coalesce(u.parent_name, shegu.report_unit_name(shegu.parent(v.unit_code::shegu.gridcode))),
       v.received, v.accepted, v.closed, v.closed_on_time, v.overdue_open, v.suspended,
       v.disposal_rate, v.on_time_rate, v.on_time_rate_incl_open, v.rework_rate, v.avg_hours_to_close,
       v.satisfaction_rate, false, NULL::timestamptz,
       v.disposed, v.disposal_rate_accepted
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
COMMENT ON COLUMN shegu.report_incident_month.disposed IS '处置量 disposed: disposal verified (verified, closed or evaluated); NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_incident_month.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004, target >= 0.95): disposed / received, 0-1, 4 decimals; NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_incident_month.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 0-1, 4 decimals; NULL when nothing accepted is left unsuspended';
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
SELECT o.level, o.level_name, o.unit_code, o.unit_level, o.open_incidents, o.yellow, o.red, o.suspended,
       coalesce(u.unit_name, shegu.report_unit_name(o.unit_code::shegu.gridcode)) AS unit_name,
       coalesce(u.unit_path, shegu.report_unit_path(o.unit_code::shegu.gridcode)) AS unit_path
FROM (SELECT l.l AS level,
             shegu.report_level_name(l.l) AS level_name,
             shegu.ancestor(i.grid, least(l.l, shegu.level(i.grid)))::text AS unit_code,
             least(l.l, shegu.level(i.grid)) AS unit_level,
             count(*) AS open_incidents,
             count(*) FILTER (WHERE shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) = 'yellow') AS yellow,
             count(*) FILTER (WHERE shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) = 'red') AS red,
             count(*) FILTER (WHERE i.status = 'suspended') AS suspended
      FROM shegu.incident i
      CROSS JOIN generate_series(1, 6) AS l(l)
      WHERE i.status NOT IN ('closed', 'evaluated', 'rejected')
      GROUP BY l.l, shegu.ancestor(i.grid, least(l.l, shegu.level(i.grid))), least(l.l, shegu.level(i.grid))) o
LEFT JOIN shegu.report_unit u ON u.unit_code = o.unit_code;
COMMENT ON VIEW shegu.report_open_incident IS
    'the backlog now (积压): open incidents (not closed, evaluated or rejected) per reporting level 1..6 and unit, with their time lights; counts only; filter on one level (the rows of a level add up to the total)';
COMMENT ON COLUMN shegu.report_open_incident.level IS 'reporting level 1 province .. 6 grid; an incident counts once per level';
COMMENT ON COLUMN shegu.report_open_incident.level_name IS 'the reporting level in English';
COMMENT ON COLUMN shegu.report_open_incident.unit_code IS 'grid code of the unit as text: the incident grid''s ancestor at the level, or the grid itself when it is coarser';
COMMENT ON COLUMN shegu.report_open_incident.unit_level IS 'level of unit_code: equal to level except for incidents recorded on a coarser unit';
COMMENT ON COLUMN shegu.report_open_incident.open_incidents IS 'open incidents (未结): reported, accepted, dispatched, resolved, verified or suspended';
COMMENT ON COLUMN shegu.report_open_incident.yellow IS 'of those, with a yellow time light (黄灯) as of now (shegu.incident_light_at), whether or not shegu.sweep() has run';
COMMENT ON COLUMN shegu.report_open_incident.red IS 'of those, with a red time light (红灯, overdue) as of now (shegu.incident_light_at), whether or not shegu.sweep() has run';
COMMENT ON COLUMN shegu.report_open_incident.suspended IS 'of those, suspended (挂账)';
COMMENT ON COLUMN shegu.report_open_incident.unit_name IS 'name of the unit by the rule of shegu.report_unit_name';
COMMENT ON COLUMN shegu.report_open_incident.unit_path IS 'path of names from the township down (as report_unit.unit_path)';

-- ---------------------------------------------------------------------------------------------
-- Incidents one by one, with pins: runs with the caller's rights (row-level security applies).

CREATE VIEW shegu.report_incident WITH (security_invoker = true) AS
SELECT i.id AS incident_id,
       i.category AS category_code, c.category_name, c.category_name_en,
       c.top_category_code, c.top_category_name,
       i.title, i.source, i.status,
       shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
       i.grid::text AS unit_code, coalesce(u.unit_name, shegu.report_unit_name(i.grid)) AS unit_name,
       coalesce(u.unit_path, shegu.report_unit_path(i.grid)) AS unit_path,
       shegu.parent(i.grid)::text AS parent_code,
       coalesce(u.parent_name, shegu.report_unit_name(shegu.parent(i.grid))) AS parent_name,
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
COMMENT ON COLUMN shegu.report_incident.light IS 'time light (亮灯) as of now (shegu.incident_light_at): green, yellow or red, whether or not shegu.sweep() has run';
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
    SELECT s.model, s.level, s.period, s.unit, s.score, s.vetoed, s.imputed, m.title, m.scale, m.veto_register
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node AND n.parent IS NULL
)
SELECT s.model, s.title AS model_title, s.level, shegu.report_level_name(s.level) AS level_name,
       shegu.report_level_name(s.level, true) AS level_name_zh, s.period AS period_start,
       s.unit::text AS unit_code, coalesce(u.unit_name, shegu.report_unit_name(s.unit)) AS unit_name,
       coalesce(u.unit_path, shegu.report_unit_path(s.unit)) AS unit_path,
       shegu.parent(s.unit)::text AS parent_code,
       coalesce(u.parent_name, shegu.report_unit_name(shegu.parent(s.unit))) AS parent_name,
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
            OVER (PARTITION BY s.model, s.level, s.period))::int AS ranked_units,
       CASE WHEN s.vetoed
            THEN '一票否决 vetoed' || coalesce(': ' || (
                     SELECT string_agg(n.title || ' = ' || coalesce(to_char(round(x.raw::numeric, 4), 'FM999999990.0999'), 'no data'),
                                       '; ' ORDER BY n.code)
                     FROM shegu.index_score x
                     JOIN shegu.index_node n ON n.model = x.model AND n.code = x.node
                     WHERE x.model = s.model AND x.level = s.level AND x.period = s.period
                       AND x.unit OPERATOR(shegu.=) s.unit AND x.vetoed
                       AND NOT EXISTS (SELECT 1 FROM shegu.index_node c WHERE c.model = n.model AND c.parent = n.code)), '')
                 -- the register of major events (seed 003), as shegu.major_event_vetoes reads it
                 || coalesce(': ' || (
                     SELECT string_agg(CASE e.kind WHEN 'mass_incident' THEN '重大群体性事件'
                                                   WHEN 'major_case' THEN '重大案件'
                                                   WHEN 'safety_accident' THEN '重大公共安全事故' END
                                       || ' ' || e.title || ' (' || e.occurred_on || ')', '; ' ORDER BY e.id)
                     FROM shegu.major_event e
                     WHERE s.veto_register AND e.vetoed_on IS NOT NULL
                       AND e.veto_from <= s.period AND s.period < e.veto_to
                       AND shegu.level(e.unit) >= s.level
                       AND shegu.ancestor(e.unit, s.level) OPERATOR(shegu.=) s.unit), '')
            WHEN s.score IS NULL
            THEN '无指数 no index: ' || coalesce('no data for ' || (
                     SELECT string_agg(n.title, '; ' ORDER BY n.code)
                     FROM shegu.index_node n
                     WHERE n.model = s.model
                       AND NOT EXISTS (SELECT 1 FROM shegu.index_node c WHERE c.model = n.model AND c.parent = n.code)
                       AND NOT EXISTS (SELECT 1 FROM shegu.index_score x
                                       WHERE x.model = s.model AND x.level = s.level AND x.period = s.period
                                         AND x.unit OPERATOR(shegu.=) s.unit AND x.node = n.code AND x.raw IS NOT NULL)),
                     'too little of the weight had data')
       END AS unranked_reason
FROM s
LEFT JOIN shegu.report_unit u ON u.unit_code = s.unit::text;
COMMENT ON VIEW shegu.report_index IS
    'the stored index (社会治理指数) per model, level, period and unit with names, grade and a rank that respects the one-vote veto (一票否决): vetoed units get no rank and the lowest grade, the others are ranked among themselves';
COMMENT ON COLUMN shegu.report_index.model IS 'the model (shegu.index_model.name)';
COMMENT ON COLUMN shegu.report_index.model_title IS 'display title of the model';
COMMENT ON COLUMN shegu.report_index.level IS 'grid level of the scored units, 1..7';
COMMENT ON COLUMN shegu.report_index.level_name IS 'that level in English';
COMMENT ON COLUMN shegu.report_index.level_name_zh IS 'that level in Chinese';
COMMENT ON COLUMN shegu.report_index.period_start IS 'the period (考核期) as stored by store_index, by convention its first day';
COMMENT ON COLUMN shegu.report_index.unit_code IS 'grid code of the scored unit as text';
COMMENT ON COLUMN shegu.report_index.unit_name IS 'name of the unit by the rule of shegu.report_unit_name (shegu.index_unit_name, else shegu.division, else shegu.grid''s latest version)';
COMMENT ON COLUMN shegu.report_index.unit_path IS 'path of names from the township down';
COMMENT ON COLUMN shegu.report_index.parent_code IS 'code of the parent unit as text';
COMMENT ON COLUMN shegu.report_index.parent_name IS 'name of the parent unit';
COMMENT ON COLUMN shegu.report_index.index_value IS 'the index on the model''s scale (e.g. 0-100 points), 2 decimals; NULL when too little of the weight had data';
COMMENT ON COLUMN shegu.report_index.grade IS 'grade (等次): the highest grade whose min_score the index reaches; the lowest grade when vetoed';
COMMENT ON COLUMN shegu.report_index.vetoed IS 'true when a one-vote veto (一票否决) fired';
COMMENT ON COLUMN shegu.report_index.imputed IS 'true when imputed values entered the index';
COMMENT ON COLUMN shegu.report_index.rank IS 'rank among the units of the model, level and period that are not vetoed and have an index: 1 = best, ties share the best rank; NULL for vetoed units and units without an index';
COMMENT ON COLUMN shegu.report_index.ranked_units IS 'number of units ranked (not vetoed, with an index) in the model, level and period';
COMMENT ON COLUMN shegu.report_index.unranked_reason IS 'why a unit has no rank (and, without an index, why the index, grade and rank are blank): 一票否决 vetoed with the indicators whose veto fired and their raw values and the major events of the register (shegu.major_event) whose veto is in force, or 无指数 no index with the indicators that had no data; NULL for a ranked unit';

CREATE VIEW shegu.report_index_dimension AS
SELECT s.model, s.level, s.period AS period_start, s.unit::text AS unit_code,
       coalesce(u.unit_name, shegu.report_unit_name(s.unit)) AS unit_name,
       s.node, n.title AS node_title, n.parent AS parent_node,
       NOT EXISTS (SELECT 1 FROM shegu.index_node c WHERE c.model = n.model AND c.parent = n.code) AS indicator,
       round((s.score * m.scale)::numeric, 2) AS score, round(s.raw::numeric, 4) AS raw, s.vetoed, s.imputed
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
COMMENT ON COLUMN shegu.report_index_dimension.unit_name IS 'name of the unit by the rule of shegu.report_unit_name';
COMMENT ON COLUMN shegu.report_index_dimension.node IS 'node code, e.g. D1 or D1.1';
COMMENT ON COLUMN shegu.report_index_dimension.node_title IS 'node title, e.g. 处置率 disposal rate';
COMMENT ON COLUMN shegu.report_index_dimension.parent_node IS 'code of the parent node';
COMMENT ON COLUMN shegu.report_index_dimension.indicator IS 'true for an indicator (a leaf), false for a dimension';
COMMENT ON COLUMN shegu.report_index_dimension.score IS 'the node''s score on the model''s scale, 2 decimals';
COMMENT ON COLUMN shegu.report_index_dimension.raw IS 'indicators: the raw value after roll-up (in the indicator''s own unit), 4 decimals; NULL for dimensions';
COMMENT ON COLUMN shegu.report_index_dimension.vetoed IS 'true when a veto fired on the node or below';
COMMENT ON COLUMN shegu.report_index_dimension.imputed IS 'true when imputed values entered the node';

-- ---------------------------------------------------------------------------------------------
-- The incident room's measures get the unit's name here, where the rule of names lives (the
-- view is replaced with the same columns and the name after them).

CREATE OR REPLACE VIEW shegu.incident_measures AS
    SELECT m.*, shegu.report_unit_name(m.unit) AS unit_name
    FROM shegu.incident_measures_at(now()) AS m;
COMMENT ON COLUMN shegu.incident_measures.unit_name IS 'name of the unit (名称) by the rule of shegu.report_unit_name (shegu.index_unit_name, else shegu.division, else the grid registry)';

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
               'code', g.code::text, 'name', coalesce(iu.name, shegu.division_name(g.code), g.name),
               'parent', shegu.parent(g.code)::text,
               'parent_name', coalesce(piu.name, shegu.division_name(shegu.parent(g.code)), p.name), 'level', shegu.level(g.code),
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
    -- names by the rule of shegu.report_unit_name, with the versions drawn on day at
    LEFT JOIN shegu.index_unit_name iu ON iu.unit OPERATOR(shegu.=) g.code
    LEFT JOIN shegu.index_unit_name piu ON piu.unit OPERATOR(shegu.=) shegu.parent(g.code)
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
    'GeoJSON FeatureCollection of the grids at a level under root as drawn on day at: feature id = code, properties code, name and parent_name (the rule of shegu.report_unit_name, with the grid versions of day at), parent, level, households, population, open_incidents (now) and, for a period (first day of a month), its received, closed, overdue_open, disposal_rate and on_time_rate; coordinates to 6 decimals (~0.1 m) in wgs84 or gcj02; boundaries simplified (ST_SimplifyPreserveTopology, tolerance raised step by step) until the text fits in max_bytes (default 5,000,000); reads shegu.grid and the report views with the caller''s rights';

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
