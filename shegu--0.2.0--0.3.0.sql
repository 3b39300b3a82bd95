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

-- Categories: what the shipped rows rest on (limits: local defaults; 巡办分离: the basic grid does
-- only simple handling).  Only shipped rows change: a row the user edited is the user's.
ALTER TABLE shegu.incident_category ADD COLUMN simple_handling boolean NOT NULL DEFAULT false;
ALTER TABLE shegu.incident_category ADD COLUMN limits_basis text;
COMMENT ON COLUMN shegu.incident_category.simple_handling IS
    'true when the basic grid (三级网格) that discovers it may settle it on the spot by simple handling (简易处理); otherwise, and when it cannot, the handling level leads (seed 004 巡办分离: "三级网格负责发现问题,一、二级网格负责牵头联动解决问题", "负责网格内矛盾问题的排查、上报及简易处理")';
COMMENT ON COLUMN shegu.incident_category.limits_basis IS
    'where the time limits and yellow share come from: "local default, not from the seeds; a county replaces it" on every shipped row (no seed gives a limit); NULL when not stated';
COMMENT ON COLUMN shegu.incident_category.yellow_share IS 'share of the allowed time after which the time light turns yellow (default 0.8, a local default, not from the seeds)';
COMMENT ON COLUMN shegu.incident_category.handling_level IS
    'level that leads its handling first (巡办分离, seed 004: the basic grid discovers and does only simple handling, the community 二级网格 or township 一级网格 leads, complex problems go up): grid 网格, community 社区/村, township 乡镇/街道, county 县; no shipped category is handled at the grid level';
UPDATE shegu.incident_category
SET limits_basis = 'local default, not from the seeds; a county replaces it'
WHERE shipped;
UPDATE shegu.incident_category
SET handling_level = 'community', simple_handling = true
WHERE shipped AND code IN ('dispute.neighbour', 'environment', 'environment.garbage');

-- ==== end incident figures


-- ==== index (veto register, weights)

-- The default model is gated on a register of major events (seed 003), not on a disposal rate;
-- its weights say what seed 001 says.  User models keep veto_register false and behave as before.
ALTER TABLE shegu.index_model ADD COLUMN veto_register boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN shegu.index_model.veto_register IS 'gate on the register of major events (seed 003, shegu.major_event): a unit with a veto (一票否决) in force in the period is vetoed, whatever its indicators; false: only the indicators'' veto thresholds veto';
ALTER TABLE shegu.index_node ADD COLUMN weight_basis text;
COMMENT ON COLUMN shegu.index_node.weight_basis IS 'where the weight comes from: the seed it follows, quoted, or "local default, not from the seeds" for a number a county replaces; NULL when not stated';

-- ==== the register of major events and its one-vote veto (一票否决) ====
-- Seed 003: "坚持实行平安创建工作动态考评管理机制,对平安创建工作滑坡、治安问题突出、安全隐患整改不力,
-- 以致发生重大群体性事件和其他重大案件的单位和部门予以黄牌警告、摘牌、实施'一票否决'", and
-- "坚决防止发生重大公共安全事故".  A major event is registered against a unit; the unit is sanctioned
-- step by step (yellow card, de-listing, veto); a veto in force gates every model with
-- veto_register: the unit is vetoed whatever its indicators say.

CREATE TABLE shegu.major_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit            shegu.gridcode NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('mass_incident', 'major_case', 'safety_accident')),
    occurred_on     date NOT NULL CHECK (occurred_on > '-infinity' AND occurred_on < 'infinity'),
    title           text NOT NULL CHECK (title <> ''),
    incident_id     bigint,
    note            text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    yellow_card_on  date,
    delisted_on     date,
    vetoed_on       date,
    veto_from       date,
    veto_to         date,
    stage           text NOT NULL GENERATED ALWAYS AS (
                        CASE WHEN vetoed_on IS NOT NULL THEN 'veto'
                             WHEN delisted_on IS NOT NULL THEN 'delisting'
                             WHEN yellow_card_on IS NOT NULL THEN 'yellow_card'
                             ELSE 'registered' END) STORED,
    CONSTRAINT major_event_yellow_card_after_event
        CHECK (yellow_card_on IS NULL OR yellow_card_on >= occurred_on),
    CONSTRAINT major_event_delisting_after_yellow_card
        CHECK (delisted_on IS NULL OR (yellow_card_on IS NOT NULL AND delisted_on >= yellow_card_on)),
    CONSTRAINT major_event_veto_after_delisting
        CHECK (vetoed_on IS NULL OR (delisted_on IS NOT NULL AND vetoed_on >= delisted_on)),
    CONSTRAINT major_event_veto_window
        CHECK ((vetoed_on IS NULL AND veto_from IS NULL AND veto_to IS NULL)
               OR (vetoed_on IS NOT NULL AND veto_from IS NOT NULL AND veto_to IS NOT NULL AND veto_from < veto_to))
);
CREATE INDEX major_event_unit_idx ON shegu.major_event (unit);
CREATE INDEX major_event_veto_idx ON shegu.major_event (veto_from, veto_to) WHERE vetoed_on IS NOT NULL;
COMMENT ON TABLE shegu.major_event IS
    'register of major events (重大事件登记) and their sanctions (seed 003): a 重大群体性事件, 重大案件 or 重大公共安全事故 registered against a unit, which is then given a yellow card (黄牌警告), de-listed (摘牌) and vetoed (一票否决), in that order; a veto in force gates the index of every model with veto_register (docs/index.md)';
COMMENT ON SEQUENCE shegu.major_event_id_seq IS 'numbers of major events (shegu.major_event.id)';
COMMENT ON COLUMN shegu.major_event.id IS 'event number, always from the sequence';
COMMENT ON COLUMN shegu.major_event.unit IS 'grid code of the unit held responsible (单位), at any level: a veto reaches the unit and every ancestor scored at a coarser level (a community''s event vetoes its township too)';
COMMENT ON COLUMN shegu.major_event.kind IS 'mass_incident 重大群体性事件, major_case 重大案件 (其他重大案件) or safety_accident 重大公共安全事故';
COMMENT ON COLUMN shegu.major_event.occurred_on IS 'day the event happened (发生日期)';
COMMENT ON COLUMN shegu.major_event.title IS 'what happened, in a line';
COMMENT ON COLUMN shegu.major_event.incident_id IS 'the incident (shegu.incident.id) it was reported as, if any; checked when registered (no foreign key, so that incidents can be distributed on Citus)';
COMMENT ON COLUMN shegu.major_event.note IS 'free text: the finding, the decision''s reference';
COMMENT ON COLUMN shegu.major_event.recorded_at IS 'when the event was registered (transaction time)';
COMMENT ON COLUMN shegu.major_event.yellow_card_on IS 'day of the yellow card (黄牌警告), the first sanction; NULL before';
COMMENT ON COLUMN shegu.major_event.delisted_on IS 'day of the de-listing (摘牌: the unit loses its 平安 title), after a yellow card; NULL before';
COMMENT ON COLUMN shegu.major_event.vetoed_on IS 'day of the one-vote veto (一票否决), after the de-listing; NULL before';
COMMENT ON COLUMN shegu.major_event.veto_from IS 'first day of the assessment the veto covers: index periods p with veto_from <= p < veto_to are vetoed';
COMMENT ON COLUMN shegu.major_event.veto_to IS 'first day after the assessment the veto covers; by default (a local default, not from the seeds) the first day of the year after the event, the year''s assessment (年终总评)';
COMMENT ON COLUMN shegu.major_event.stage IS 'the sanction reached: registered, yellow_card 黄牌警告, delisting 摘牌 or veto 一票否决 (generated from the days)';
COMMENT ON CONSTRAINT major_event_pkey ON shegu.major_event IS 'an event is identified by its number';
COMMENT ON CONSTRAINT major_event_kind_check ON shegu.major_event IS 'the kind is mass_incident, major_case or safety_accident';
COMMENT ON CONSTRAINT major_event_occurred_on_check ON shegu.major_event IS 'the day of the event is a finite date';
COMMENT ON CONSTRAINT major_event_title_check ON shegu.major_event IS 'an event has a title';
COMMENT ON CONSTRAINT major_event_yellow_card_after_event ON shegu.major_event IS 'the yellow card comes on or after the day of the event';
COMMENT ON CONSTRAINT major_event_delisting_after_yellow_card ON shegu.major_event IS 'de-listing (摘牌) follows a yellow card (黄牌警告), on or after its day';
COMMENT ON CONSTRAINT major_event_veto_after_delisting ON shegu.major_event IS 'the veto (一票否决) follows the de-listing (摘牌), on or after its day';
COMMENT ON CONSTRAINT major_event_veto_window ON shegu.major_event IS 'a veto has the assessment it covers (veto_from < veto_to), and only a veto has one';
COMMENT ON INDEX shegu.major_event_pkey IS 'events by number';
COMMENT ON INDEX shegu.major_event_unit_idx IS 'the events of a unit';
COMMENT ON INDEX shegu.major_event_veto_idx IS 'vetoes in force in a period (what the index computation reads)';
SELECT pg_catalog.pg_extension_config_dump('shegu.major_event', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.major_event_id_seq', '');

CREATE FUNCTION shegu.register_major_event(unit shegu.gridcode, kind text, occurred_on date, title text,
                                           incident_id bigint DEFAULT NULL, note text DEFAULT NULL)
RETURNS shegu.major_event
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    r shegu.major_event;
BEGIN
    IF register_major_event.unit IS NULL OR register_major_event.kind IS NULL
       OR register_major_event.occurred_on IS NULL OR register_major_event.title IS NULL THEN
        RAISE EXCEPTION 'unit, kind, occurred_on and title of a major event must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF register_major_event.title = '' THEN
        RAISE EXCEPTION 'title of a major event must not be empty'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Say what happened in a line.';
    END IF;
    IF register_major_event.kind NOT IN ('mass_incident', 'major_case', 'safety_accident') THEN
        RAISE EXCEPTION 'unknown kind of major event "%"', register_major_event.kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The kinds are mass_incident (重大群体性事件), major_case (重大案件) and safety_accident (重大公共安全事故).';
    END IF;
    IF register_major_event.occurred_on > current_date OR NOT pg_catalog.isfinite(register_major_event.occurred_on) THEN
        RAISE EXCEPTION 'major event day % is not a past day', register_major_event.occurred_on
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'An event is registered once it has happened.';
    END IF;
    IF register_major_event.incident_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM shegu.incident i WHERE i.id = register_major_event.incident_id) THEN
        RAISE EXCEPTION 'incident % does not exist', register_major_event.incident_id
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Give the number of the incident the event was reported as, or none.';
    END IF;
    INSERT INTO shegu.major_event AS e (unit, kind, occurred_on, title, incident_id, note)
    VALUES (register_major_event.unit, register_major_event.kind, register_major_event.occurred_on,
            register_major_event.title, register_major_event.incident_id, register_major_event.note)
    RETURNING e.* INTO r;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text) IS
    'registers a major event (重大群体性事件 mass_incident, 重大案件 major_case, 重大公共安全事故 safety_accident) against a unit and returns it, at stage registered; sanctions follow with shegu.sanction_major_event';

CREATE FUNCTION shegu.sanction_major_event(event_id bigint, stage text, decided_on date,
                                           veto_from date DEFAULT NULL, veto_to date DEFAULT NULL)
RETURNS shegu.major_event
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    e shegu.major_event;
    next_stage text;
    last_day date;
    r shegu.major_event;
BEGIN
    IF sanction_major_event.event_id IS NULL OR sanction_major_event.stage IS NULL
       OR sanction_major_event.decided_on IS NULL THEN
        RAISE EXCEPTION 'event_id, stage and decided_on of a sanction must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF sanction_major_event.stage NOT IN ('yellow_card', 'delisting', 'veto') THEN
        RAISE EXCEPTION 'unknown sanction "%"', sanction_major_event.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The sanctions are yellow_card (黄牌警告), delisting (摘牌) and veto (一票否决), in that order.';
    END IF;
    SELECT * INTO e FROM shegu.major_event m WHERE m.id = sanction_major_event.event_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SGV02',
            MESSAGE = pg_catalog.format('major event %s does not exist', sanction_major_event.event_id),
            HINT = 'Register it first with shegu.register_major_event.';
    END IF;
    next_stage := CASE e.stage WHEN 'registered' THEN 'yellow_card' WHEN 'yellow_card' THEN 'delisting'
                               WHEN 'delisting' THEN 'veto' END;
    IF next_stage IS DISTINCT FROM sanction_major_event.stage THEN
        RAISE EXCEPTION USING ERRCODE = 'SGV01',
            MESSAGE = pg_catalog.format('cannot give major event %s the sanction "%s" at stage "%s"',
                                        e.id, sanction_major_event.stage, e.stage),
            DETAIL = CASE WHEN next_stage IS NULL THEN 'The event is vetoed already: no sanction follows a veto.'
                          ELSE pg_catalog.format('Sanctions follow one another: yellow_card, delisting, veto; the next one is "%s".', next_stage) END;
    END IF;
    last_day := coalesce(e.delisted_on, e.yellow_card_on, e.occurred_on);
    IF sanction_major_event.decided_on < last_day OR NOT pg_catalog.isfinite(sanction_major_event.decided_on) THEN
        RAISE EXCEPTION 'sanction day % is before %', sanction_major_event.decided_on, last_day
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Major event %s is at stage "%s" since %s.', e.id, e.stage, last_day);
    END IF;
    IF sanction_major_event.stage <> 'veto'
       AND (sanction_major_event.veto_from IS NOT NULL OR sanction_major_event.veto_to IS NOT NULL) THEN
        RAISE EXCEPTION 'a % covers no assessment', sanction_major_event.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Only a veto takes veto_from and veto_to.';
    END IF;
    IF sanction_major_event.stage = 'veto' THEN
        -- local default, not from the seeds (a county replaces it by giving the window): the
        -- assessment of the event's year, from the month of the event on
        veto_from := coalesce(sanction_major_event.veto_from, date_trunc('month', e.occurred_on)::date);
        veto_to := coalesce(sanction_major_event.veto_to, (date_trunc('year', e.occurred_on) + interval '1 year')::date);
        IF veto_from >= veto_to OR NOT pg_catalog.isfinite(veto_from) OR NOT pg_catalog.isfinite(veto_to) THEN
            RAISE EXCEPTION 'veto window from % to % is empty', veto_from, veto_to
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'veto_from is the first day covered, veto_to the first day after; both finite.';
        END IF;
    END IF;
    UPDATE shegu.major_event AS m
    SET yellow_card_on = CASE WHEN sanction_major_event.stage = 'yellow_card' THEN sanction_major_event.decided_on ELSE m.yellow_card_on END,
        delisted_on = CASE WHEN sanction_major_event.stage = 'delisting' THEN sanction_major_event.decided_on ELSE m.delisted_on END,
        vetoed_on = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.decided_on ELSE m.vetoed_on END,
        veto_from = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.veto_from ELSE m.veto_from END,
        veto_to = CASE WHEN sanction_major_event.stage = 'veto' THEN sanction_major_event.veto_to ELSE m.veto_to END
    WHERE m.id = e.id
    RETURNING m.* INTO r;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.sanction_major_event(bigint, text, date, date, date) IS
    'gives a registered major event its next sanction (seed 003: 黄牌警告 yellow_card, then 摘牌 delisting, then 一票否决 veto) on a day and returns it; a veto covers the index periods from veto_from to veto_to (default, a local default: the month of the event to the end of its year); a sanction out of order raises SGV01, an unknown event SGV02';

CREATE FUNCTION shegu.major_event_vetoes(period date, level int)
RETURNS TABLE(unit shegu.gridcode, event_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT shegu.ancestor(e.unit, major_event_vetoes.level), e.id
    FROM shegu.major_event e
    WHERE e.vetoed_on IS NOT NULL
      AND e.veto_from <= major_event_vetoes.period AND major_event_vetoes.period < e.veto_to
      AND shegu.level(e.unit) >= major_event_vetoes.level
    ORDER BY 1, 2;
END;
COMMENT ON FUNCTION shegu.major_event_vetoes(date, int) IS
    'the units at a level vetoed (一票否决) in an index period by the register of major events: for each veto in force (veto_from <= period < veto_to) of an event registered at that level or below, the unit''s ancestor at the level and the event; what shegu.index_compute reads for a model with veto_register';

GRANT SELECT ON shegu.major_event TO shegu_centre, shegu_analyst;
GRANT INSERT, UPDATE ON shegu.major_event TO shegu_centre;
REVOKE ALL ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text),
                       shegu.sanction_major_event(bigint, text, date, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text),
                          shegu.sanction_major_event(bigint, text, date, date, date) TO shegu_centre;

-- The shipped rows of the default model (a row the user edited is the user's and stays).
UPDATE shegu.index_model
SET veto_register = true,
    description = 'Default model on 100 points (seed 001: "在100分的考评总分值中民调占了30分的比重", the public-opinion survey carries 30 of 100 points): 70 points of objective performance from shegu.incident_measures, 30 points of public opinion (群众评价: the resident survey''s awareness, participation and satisfaction, seed 004 "居民知晓度、参与度、满意度", and the reporters'' satisfaction with their cases); a unit with a major event vetoed in the register (shegu.major_event, seed 003 一票否决) is vetoed; communities (level 5) are scored; the split of each dimension''s points among its indicators is a local default a county replaces.'
WHERE name = '社会治理指数' AND shipped;
-- The reporters' satisfaction (D1.5 under the objective dimension) moves under public opinion as
-- D2.R, with its values; where the user has a D2.R of their own, theirs stays and D1.5 goes.
DO $move$
BEGIN
    IF EXISTS (SELECT 1 FROM shegu.index_node n WHERE n.model = '社会治理指数' AND n.code = 'D2.R') THEN
        IF EXISTS (SELECT 1 FROM shegu.index_node n WHERE n.model = '社会治理指数' AND n.code = 'D1.5' AND n.shipped) THEN
            DELETE FROM shegu.index_node n WHERE n.model = '社会治理指数' AND n.code = 'D1.5' AND n.shipped;
            RAISE NOTICE 'node D1.5 (reporters'' satisfaction) of the default model 社会治理指数 is dropped: it moves to D2.R, which is the user''s'
                USING HINT = 'Add it back under public opinion (D2) with another code if wanted; rename or delete its values in shegu.indicator_value.';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM shegu.index_node n WHERE n.model = '社会治理指数' AND n.code = 'D1.5' AND n.shipped) THEN
        UPDATE shegu.index_node n SET code = 'D2.R', parent = 'D2', title = '事件满意率 reporters'' satisfaction rate', weight = 0.25,
                                      weight_basis = 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points: the reporters'' opinion of their cases is public opinion, not objective performance)'
        WHERE n.model = '社会治理指数' AND n.code = 'D1.5' AND n.shipped;
        UPDATE shegu.indicator_value v SET indicator = 'D2.R'
        WHERE v.model = '社会治理指数' AND v.indicator = 'D1.5';
    END IF;
END
$move$;
UPDATE shegu.index_node n
SET title = x.title, weight = x.weight, weight_basis = x.basis, veto_below = NULL
FROM (VALUES
    ('SGI', '社会治理指数 social governance index', 1, 'seed 001: the evaluation is scored on 100 points (100分的考评总分值)'),
    ('D1', '客观治理绩效 objective performance', 0.7, 'seed 001: "在100分的考评总分值中民调占了30分的比重"; the other 70 of 100 points are objective performance'),
    ('D2', '群众评价 public opinion (民调)', 0.3, 'seed 001: "在100分的考评总分值中民调占了30分的比重" (the public-opinion survey carries 30 of 100 points); every subjective indicator is under it'),
    ('D1.1', '上报问题处置率 disposal rate', 0.3, 'local default, not from the seeds; a county replaces it (21 of the 70 objective points)'),
    ('D1.2', '按时办结率 on-time closure rate', 0.3, 'local default, not from the seeds; a county replaces it (21 of the 70 objective points)'),
    ('D1.3', '返工率 rework rate', 0.2, 'local default, not from the seeds; a county replaces it (14 of the 70 objective points)'),
    ('D1.4', '办结平均工时 average working hours to close', 0.2, 'local default, not from the seeds; a county replaces it (14 of the 70 objective points)'),
    ('D2.1', '知晓度 awareness', 0.25, 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)'),
    ('D2.2', '参与度 participation', 0.25, 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)'),
    ('D2.3', '满意度 satisfaction', 0.25, 'local default, not from the seeds; a county replaces it (7.5 of the 30 public-opinion points)')) AS x(code, title, weight, basis)
WHERE n.model = '社会治理指数' AND n.code = x.code AND n.shipped;

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

