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

-- The time light as of a time; the views show it as of now() (sweep() still turns the stored
-- light and notifies).  incident_masked belongs to the security room; its light column follows.
CREATE FUNCTION shegu.incident_light_at(status text, light text, yellow_at timestamptz,
                                        accept_due_at timestamptz, due_at timestamptz, at timestamptz)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN status NOT IN ('reported', 'accepted', 'dispatched')
                  OR (CASE WHEN status = 'reported' THEN accept_due_at ELSE due_at END) IS NULL
                  OR at IS NULL THEN light
                WHEN at > (CASE WHEN status = 'reported' THEN accept_due_at ELSE due_at END) THEN 'red'
                WHEN yellow_at IS NOT NULL AND at >= yellow_at THEN 'yellow'
                ELSE 'green' END;
COMMENT ON FUNCTION shegu.incident_light_at(text, text, timestamptz, timestamptz, timestamptz, timestamptz) IS
    'the time light (亮灯) of an incident at a time, by the rule of the triggers: while the clock runs (reported, accepted, dispatched) red once the running deadline (accept_due_at while reported, else due_at) is passed, yellow from yellow_at, else green; while the clock is stopped (or without a deadline or time) the stored light; the views call it with now(), so an overdue incident shows red before shegu.sweep() runs';
CREATE OR REPLACE VIEW shegu.incident_supervision WITH (security_invoker = true) AS
    SELECT i.id, i.category, c.name_zh AS category_zh, i.title, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level) AS responsible_unit, i.department, i.status,
           shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
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
COMMENT ON COLUMN shegu.incident_supervision.light IS 'time light (亮灯) as of now (shegu.incident_light_at): green, yellow once yellow_share of the allowed time is used, red when overdue, whether or not shegu.sweep() has run; keeps its last colour while the clock is stopped';

CREATE OR REPLACE VIEW shegu.incident_masked WITH (security_barrier) AS
    SELECT i.id, i.category, i.grid, i.source, shegu.mask_name(i.reporter) AS reporter,
           i.reported_at, i.status, i.level, i.accepted_at, i.resolved_at, i.closed_at, i.due_at,
           shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
           i.escalations, i.rework_count, i.satisfaction, i.work_hours_to_close
    FROM shegu.incident AS i;
COMMENT ON COLUMN shegu.incident_masked.light IS 'time light as of now (shegu.incident_light_at)';

-- One definition of the measures: incident_measures_at changes its columns, so it and its view
-- are made anew, and the privileges granted on them (by shegu or by the user) are put back.
DO $acl$
BEGIN
    PERFORM pg_catalog.set_config('shegu.upgrade_measures_acl',
        coalesce((SELECT c.relacl::text FROM pg_catalog.pg_class c WHERE c.oid = 'shegu.incident_measures'::regclass), '{}'), true);
    PERFORM pg_catalog.set_config('shegu.upgrade_measures_at_acl',
        coalesce((SELECT p.proacl::text FROM pg_catalog.pg_proc p WHERE p.oid = 'shegu.incident_measures_at(timestamptz)'::regprocedure), '{}'), true);
END
$acl$;
DROP VIEW shegu.incident_measures;
DROP FUNCTION shegu.incident_measures_at(timestamptz);

DO $do$
DECLARE
    body text := $q$
SELECT f.month,
       l.l AS level,
       shegu.ancestor(f.grid, least(l.l, shegu.level(f.grid))) AS unit,
       least(l.l, shegu.level(f.grid)) AS unit_level,
       count(*) AS received,
       count(*) FILTER (WHERE f.accepted) AS accepted,
       count(*) FILTER (WHERE f.disposed) AS disposed,
       count(*) FILTER (WHERE f.closed) AS closed,
       count(*) FILTER (WHERE f.closed_on_time) AS closed_on_time,
       count(*) FILTER (WHERE f.overdue_open) AS overdue_open,
       count(*) FILTER (WHERE f.suspended) AS suspended,
       -- seed 004: 上报问题处置率 = problems disposed / every problem reported
       (count(*) FILTER (WHERE f.disposed))::float8 / count(*) AS disposal_rate,
       -- the 0.2.0 definition: resolved (verified or not) / (accepted - suspended)
       (count(*) FILTER (WHERE f.resolved_or_after))::float8
           / nullif(count(*) FILTER (WHERE f.accepted AND NOT f.suspended), 0) AS disposal_rate_accepted,
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
             i.status IN ('verified', 'closed', 'evaluated') AS disposed,
             i.status IN ('resolved', 'verified', 'closed', 'evaluated') AS resolved_or_after,
             i.status IN ('closed', 'evaluated') AS closed,
             i.status IN ('closed', 'evaluated') AND i.resolved_at <= i.due_at AS closed_on_time,
             i.status = 'suspended' AS suspended,
             (i.status = 'reported' AND %1$s > i.accept_due_at)
             OR (i.status IN ('accepted', 'dispatched') AND %1$s > i.due_at)
             OR (i.status IN ('resolved', 'verified') AND i.resolved_at > i.due_at) AS overdue_open,
             i.rework_count > 0 AS reworked,
             i.resolved_at IS NOT NULL AS ever_resolved,
             i.work_hours_to_close,
             i.satisfaction
      FROM shegu.incident AS i) AS f
CROSS JOIN generate_series(1, 7) AS l(l)
GROUP BY f.month, l.l, shegu.ancestor(f.grid, least(l.l, shegu.level(f.grid))), least(l.l, shegu.level(f.grid))
$q$;
BEGIN
    EXECUTE 'CREATE VIEW shegu.incident_figures AS ' || pg_catalog.format(body, 'now()');
    EXECUTE pg_catalog.format($f$
CREATE FUNCTION shegu.incident_measures_at(at timestamptz)
    RETURNS TABLE (unit shegu.gridcode, level int, month date, received bigint, accepted bigint,
                   disposed bigint, closed bigint, closed_on_time bigint, overdue_open bigint,
                   suspended bigint, disposal_rate float8, disposal_rate_accepted float8,
                   on_time_rate float8, on_time_rate_incl_open float8, rework_rate float8,
                   avg_work_hours_to_close float8, satisfaction_rate float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $fn$
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
    SELECT m.unit, m.level, m.month, m.received, m.accepted, m.disposed, m.closed, m.closed_on_time,
           m.overdue_open, m.suspended, m.disposal_rate, m.disposal_rate_accepted, m.on_time_rate,
           m.on_time_rate_incl_open, m.rework_rate, m.avg_work_hours_to_close, m.satisfaction_rate
    FROM (%s) AS m
    WHERE m.unit_level = m.level;
END;
$fn$$f$, pg_catalog.format(body, 'incident_measures_at.at'));
END
$do$;
COMMENT ON VIEW shegu.incident_figures IS
    'the one definition of the incident measures (docs/incident.md), now: per month of report, reporting level 1..7 and unit; an incident counts once per level, under its grid''s ancestor at the level or, when its grid is coarser than the level, under its grid itself (unit_level < level); shegu.incident_measures keeps the rows with unit_level = level, the report views round it for reading';
COMMENT ON COLUMN shegu.incident_figures.month IS 'first day of the month of report (reported_at in Asia/Shanghai time)';
COMMENT ON COLUMN shegu.incident_figures.level IS 'reporting level 1 province .. 7 micro-grid; the rows of one level add up to the total';
COMMENT ON COLUMN shegu.incident_figures.unit IS 'the incident grid''s ancestor at the level, or the grid itself when it is coarser than the level';
COMMENT ON COLUMN shegu.incident_figures.unit_level IS 'level of unit: equal to level except for incidents recorded on a coarser unit';
COMMENT ON COLUMN shegu.incident_figures.received IS '受理量 received: incidents reported';
COMMENT ON COLUMN shegu.incident_figures.accepted IS '立案量 accepted: of those, ever accepted (accepted_at set)';
COMMENT ON COLUMN shegu.incident_figures.disposed IS '处置量 disposed: the disposal is verified (status verified, closed or evaluated); an unverified resolved case is not counted';
COMMENT ON COLUMN shegu.incident_figures.closed IS '结案量 closed: status closed or evaluated';
COMMENT ON COLUMN shegu.incident_figures.closed_on_time IS '按期结案量 closed on time: closed, and the last disposal was within the time limit (resolved_at <= due_at)';
COMMENT ON COLUMN shegu.incident_figures.overdue_open IS '超期未结量 overdue open: reported past accept_due_at or accepted/dispatched past due_at now, or resolved/verified with resolved_at > due_at';
COMMENT ON COLUMN shegu.incident_figures.suspended IS '挂账量 suspended: status suspended now';
COMMENT ON COLUMN shegu.incident_figures.disposal_rate IS '上报问题处置率 disposal rate of reported problems (seed 004: "全市社会公共管理四级信息平台上报问题处置率不低于95%"): disposed / received, over every problem reported, rejected and suspended ones included; 0-1; target >= 0.95';
COMMENT ON COLUMN shegu.incident_figures.disposal_rate_accepted IS 'disposal rate of accepted cases (立案处置率, the 0.2.0 disposal_rate): resolved, verified, closed or evaluated / (accepted - suspended now); counts an unverified resolution as disposed; 0-1, NULL when the denominator is 0';
COMMENT ON COLUMN shegu.incident_figures.on_time_rate IS '按期结案率 on-time closure rate: closed_on_time / closed; 0-1, NULL when none closed';
COMMENT ON COLUMN shegu.incident_figures.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases 按期结案率(含超期未结): closed_on_time / (closed + overdue_open); 0-1, NULL when the denominator is 0';
COMMENT ON COLUMN shegu.incident_figures.rework_rate IS '返工率 rework rate: incidents reworked (返工) at least once / incidents resolved at least once; 0-1, NULL when none resolved';
COMMENT ON COLUMN shegu.incident_figures.avg_work_hours_to_close IS '办结平均工时 average working hours to close: mean work_hours_to_close of the closed ones, in hours';
COMMENT ON COLUMN shegu.incident_figures.satisfaction_rate IS '满意率 satisfaction rate: evaluated with satisfaction 4 or 5 / evaluated (scores 1-5); 0-1, NULL when none evaluated';
COMMENT ON FUNCTION shegu.incident_measures_at(timestamptz) IS
    'incident measures by unit (a grid at any level, rolled up by code prefix) and month of report, with overdue judged at a given time: the query of shegu.incident_figures at that time, rows with unit_level = level; definitions in docs/incident.md';

CREATE VIEW shegu.incident_measures AS
    SELECT * FROM shegu.incident_measures_at(now());
COMMENT ON VIEW shegu.incident_measures IS
    'incident measures now, by unit (grid at any level: level 1 province … 7 micro-grid) and month (first day) of report: received, accepted, disposed, closed, closed on time, overdue open, suspended, 上报问题处置率 disposal rate over every reported problem (seed 004, target 95%), the disposal rate of accepted cases, on-time closure rate 按期结案率 (over closed, and counting open overdue cases), rework rate 返工率, average working hours to close, satisfaction rate 满意率';
COMMENT ON COLUMN shegu.incident_measures.unit IS 'grid code of the unit, at any level: an incident counts in its grid (网格) and in every ancestor (community, township, county ...)';
COMMENT ON COLUMN shegu.incident_measures.level IS 'grid level of the unit: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.incident_measures.month IS 'first day of the month of report (reported_at in Asia/Shanghai time); all counts are over the incidents reported in that month, with their status now';
COMMENT ON COLUMN shegu.incident_measures.received IS '受理量 received: incidents reported';
COMMENT ON COLUMN shegu.incident_measures.accepted IS '立案量 accepted: of those, ever accepted (accepted_at set)';
COMMENT ON COLUMN shegu.incident_measures.disposed IS '处置量 disposed: the disposal is verified (status verified, closed or evaluated)';
COMMENT ON COLUMN shegu.incident_measures.closed IS '结案量 closed: status closed or evaluated';
COMMENT ON COLUMN shegu.incident_measures.closed_on_time IS '按期结案量 closed on time: closed, and the last disposal was within the time limit (resolved_at <= due_at)';
COMMENT ON COLUMN shegu.incident_measures.overdue_open IS '超期未结量 overdue open: not closed, evaluated, rejected or suspended and overdue now: reported past accept_due_at, accepted/dispatched past due_at, or resolved/verified with resolved_at > due_at';
COMMENT ON COLUMN shegu.incident_measures.suspended IS '挂账量 suspended: status suspended now';
COMMENT ON COLUMN shegu.incident_measures.disposal_rate IS '上报问题处置率 disposal rate (seed 004: "上报问题处置率不低于95%"): disposed / received, over every reported problem; 0-1; target >= 0.95';
COMMENT ON COLUMN shegu.incident_measures.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved, verified, closed or evaluated / (accepted - suspended now); 0-1, NULL when the denominator is 0';
COMMENT ON COLUMN shegu.incident_measures.on_time_rate IS '按期结案率 on-time closure rate: closed_on_time / closed; 0-1, NULL when none closed';
COMMENT ON COLUMN shegu.incident_measures.on_time_rate_incl_open IS 'on-time closure rate counting open overdue cases 按期结案率(含超期未结): closed_on_time / (closed + overdue_open); 0-1, NULL when the denominator is 0';
COMMENT ON COLUMN shegu.incident_measures.rework_rate IS '返工率 rework rate: incidents reworked (返工) at least once / incidents resolved at least once; 0-1, NULL when none resolved';
COMMENT ON COLUMN shegu.incident_measures.avg_work_hours_to_close IS '办结平均工时 average working hours to close: mean work_hours_to_close of the closed ones (working time of the category''s schedule from report to closure, suspension left out), in hours';
COMMENT ON COLUMN shegu.incident_measures.satisfaction_rate IS '满意率 satisfaction rate: evaluated with satisfaction 4 or 5 / evaluated (scores 1-5); 0-1, NULL when none evaluated';
ALTER FUNCTION shegu.incident_measures_at(timestamptz) SECURITY DEFINER;
REVOKE ALL ON FUNCTION shegu.incident_measures_at(timestamptz) FROM PUBLIC;
GRANT SELECT ON shegu.incident_figures TO shegu_centre, shegu_analyst;
DO $acl$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT x.grantee, x.privilege_type
             FROM pg_catalog.aclexplode(pg_catalog.current_setting('shegu.upgrade_measures_acl')::aclitem[]) AS x
             WHERE x.grantee <> (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'shegu.incident_measures'::regclass)
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON shegu.incident_measures TO %s', a.privilege_type,
                                  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(a.grantee::regrole::text) END);
    END LOOP;
    FOR a IN SELECT x.grantee, x.privilege_type
             FROM pg_catalog.aclexplode(pg_catalog.current_setting('shegu.upgrade_measures_at_acl')::aclitem[]) AS x
             WHERE x.grantee <> (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid = 'shegu.incident_measures_at(timestamptz)'::regprocedure)
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON FUNCTION shegu.incident_measures_at(timestamptz) TO %s', a.privilege_type,
                                  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(a.grantee::regrole::text) END);
    END LOOP;
END
$acl$;

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

-- Monthly figures read the one definition of the measures (shegu.incident_figures).  A frozen
-- month keeps what it meant: the 0.2.0 disposal_rate (over accepted cases) is renamed
-- disposal_rate_accepted; the headline disposal_rate of seed 004 is NULL for months frozen before.
ALTER TABLE shegu.report_month_figure RENAME COLUMN disposal_rate TO disposal_rate_accepted;
ALTER TABLE shegu.report_month_figure ADD COLUMN disposed bigint;
ALTER TABLE shegu.report_month_figure ADD COLUMN disposal_rate numeric;
COMMENT ON COLUMN shegu.report_month_figure.disposal_rate_accepted IS 'disposal rate of accepted cases when frozen (the 0.2.0 disposal_rate: resolved or later / (accepted - suspended)), 0-1, 4 decimals';
COMMENT ON COLUMN shegu.report_month_figure.disposed IS 'disposal verified when frozen (处置量: verified, closed or evaluated); NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_month_figure.disposal_rate IS '上报问题处置率 disposal rate over every reported problem when frozen (seed 004: disposed / received), 0-1, 4 decimals; NULL for a month frozen before 0.3.0, whose figures did not count verified disposals (its disposal_rate_accepted holds what 0.2.0 called disposal_rate)';

CREATE OR REPLACE VIEW shegu.report_month_live AS
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
CREATE OR REPLACE VIEW shegu.report_month_open AS
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
COMMENT ON COLUMN shegu.report_month_live.disposed IS 'disposal verified: status verified, closed or evaluated (处置量)';
COMMENT ON COLUMN shegu.report_month_live.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004), disposed / received, 4 decimals';
COMMENT ON COLUMN shegu.report_month_live.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.disposed IS 'disposal verified: status verified, closed or evaluated (处置量)';
COMMENT ON COLUMN shegu.report_month_open.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004), disposed / received, 4 decimals';
COMMENT ON COLUMN shegu.report_month_open.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 4 decimals';

CREATE OR REPLACE FUNCTION shegu.freeze_month(month date DEFAULT NULL, replace boolean DEFAULT false) RETURNS bigint
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
           coalesce(u.unit_name, shegu.division_name(v.unit_code::shegu.gridcode)),
           coalesce(u.unit_path, shegu.division_name(v.unit_code::shegu.gridcode)),
           shegu.parent(v.unit_code::shegu.gridcode)::text,
           coalesce(u.parent_name, shegu.division_name(shegu.parent(v.unit_code::shegu.gridcode))),
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

CREATE OR REPLACE VIEW shegu.report_incident_month AS
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
       coalesce(u.unit_name, shegu.division_name(v.unit_code::shegu.gridcode)),
       coalesce(u.unit_path, shegu.division_name(v.unit_code::shegu.gridcode)),
       shegu.parent(v.unit_code::shegu.gridcode)::text,
       coalesce(u.parent_name, shegu.division_name(shegu.parent(v.unit_code::shegu.gridcode))),
       v.received, v.accepted, v.closed, v.closed_on_time, v.overdue_open, v.suspended,
       v.disposal_rate, v.on_time_rate, v.on_time_rate_incl_open, v.rework_rate, v.avg_hours_to_close,
       v.satisfaction_rate, false, NULL::timestamptz,
       v.disposed, v.disposal_rate_accepted
FROM shegu.report_month_open v
LEFT JOIN shegu.report_unit u ON u.unit_code = v.unit_code
WHERE NOT EXISTS (SELECT 1 FROM shegu.report_frozen_month f WHERE f.month = v.month);
COMMENT ON COLUMN shegu.report_incident_month.disposed IS '处置量 disposed: disposal verified (verified, closed or evaluated); NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_incident_month.disposal_rate IS '上报问题处置率 disposal rate over every reported problem (seed 004, target >= 0.95): disposed / received, 0-1, 4 decimals; NULL for a month frozen before 0.3.0';
COMMENT ON COLUMN shegu.report_incident_month.disposal_rate_accepted IS 'disposal rate of accepted cases (the 0.2.0 disposal_rate): resolved or later / (accepted - suspended), 0-1, 4 decimals; NULL when nothing accepted is left unsuspended';

-- Lights as of now.
CREATE OR REPLACE VIEW shegu.report_open_incident AS
SELECT l.l AS level,
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
GROUP BY l.l, shegu.ancestor(i.grid, least(l.l, shegu.level(i.grid))), least(l.l, shegu.level(i.grid));
COMMENT ON COLUMN shegu.report_open_incident.yellow IS 'of those, with a yellow time light (黄灯) as of now (shegu.incident_light_at), whether or not shegu.sweep() has run';
COMMENT ON COLUMN shegu.report_open_incident.red IS 'of those, with a red time light (红灯, overdue) as of now (shegu.incident_light_at), whether or not shegu.sweep() has run';

CREATE OR REPLACE VIEW shegu.report_incident WITH (security_invoker = true) AS
SELECT i.id AS incident_id,
       i.category AS category_code, c.category_name, c.category_name_en,
       c.top_category_code, c.top_category_name,
       i.title, i.source, i.status,
       shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
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
COMMENT ON COLUMN shegu.report_incident.light IS 'time light (亮灯) as of now (shegu.incident_light_at): green, yellow or red, whether or not shegu.sweep() has run';

-- ==== end report

