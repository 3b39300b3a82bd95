-- Security (安全与个人信息保护): the three group roles, their privileges, grid-scoped row-level
-- security (网格权限) and the masked views analysts read (PIPL 个人信息保护法).
-- src/security.sql — SQL only; act()'s authorisation lives in src/incident.c.

-- ---------------------------------------------------------------------------------------------
-- Roles.  Roles are cluster-wide: the first CREATE EXTENSION in the cluster creates them
-- (NOLOGIN), a later one in another database reuses them.  A role of that name that is a
-- superuser or may bypass row-level security would void the grid scope: it is refused.
-- DROP EXTENSION leaves the roles (other databases may use them).

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT v.name, v.what FROM (VALUES
                 ('shegu_centre', 'dispatch centre 指挥中心/调度员: every incident, acts on behalf of callers'),
                 ('shegu_grid_worker', 'grid staff 网格员/网格长: the incidents of the grids assigned in shegu.grid_staff'),
                 ('shegu_analyst', 'analyst 分析员: aggregates and masked personal fields only')) AS v(name, what)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS a WHERE a.rolname = r.name) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
            EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, 'shegu group role: ' || r.what);
        ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS a
                      WHERE a.rolname = r.name AND (a.rolsuper OR a.rolbypassrls)) THEN
            RAISE EXCEPTION 'role % exists and is a superuser or bypasses row-level security', r.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'shegu grants its group roles grid-scoped access; such a role would see every row.',
                      HINT = pg_catalog.format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS, or drop it, then CREATE EXTENSION shegu again.', r.name);
        END IF;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The grid scope of a role: the codes it is assigned to today (heads are assigned higher up and
-- so see the whole subtree below them).

CREATE FUNCTION shegu.grid_scope(who name DEFAULT NULL) RETURNS shegu.gridcode[]
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = shegu, pg_catalog, pg_temp
AS $$
    -- the calling role: the one SET ROLE chose, else the session user (SECURITY DEFINER changes
    -- current_user, not these)
    WITH me AS (SELECT CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
                            ELSE pg_catalog.current_setting('role')::name END AS r)
    SELECT coalesce(array_agg(DISTINCT s.code ORDER BY s.code), '{}')
    FROM me, shegu.grid_staff AS s
    WHERE s.db_role = coalesce(who, me.r)
      AND (who IS NULL OR who = me.r OR pg_catalog.pg_has_role(me.r, 'shegu_centre', 'MEMBER'))
      AND s.valid_from <= CURRENT_DATE AND (s.valid_to IS NULL OR s.valid_to > CURRENT_DATE)
$$;
COMMENT ON FUNCTION shegu.grid_scope(name) IS
    'grid codes the calling role (or, for superusers and shegu_centre members, the role named) is assigned to today in shegu.grid_staff: its grid scope 网格权限, a subtree each; empty for a role with no assignment';
REVOKE ALL ON FUNCTION shegu.grid_scope(name) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Masking of personal fields (个人信息去标识化).

CREATE FUNCTION shegu.mask_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN name IS NULL THEN NULL
                WHEN pg_catalog.char_length(name) <= 1 THEN '*'
                ELSE pg_catalog.left(name, 1) || pg_catalog.repeat('*', pg_catalog.char_length(name) - 1) END;
COMMENT ON FUNCTION shegu.mask_name(text) IS
    'a person''s name with all but its first character masked: 张三丰 → 张**, wang → w***; NULL stays NULL';

CREATE FUNCTION shegu.mask_phone(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN phone IS NULL THEN NULL
                WHEN pg_catalog.char_length(phone) >= 11
                    THEN pg_catalog.left(phone, 3) || pg_catalog.repeat('*', pg_catalog.char_length(phone) - 7)
                         || pg_catalog.right(phone, 4)
                WHEN pg_catalog.char_length(phone) > 2
                    THEN pg_catalog.repeat('*', pg_catalog.char_length(phone) - 2) || pg_catalog.right(phone, 2)
                ELSE pg_catalog.repeat('*', pg_catalog.char_length(phone)) END;
COMMENT ON FUNCTION shegu.mask_phone(text) IS
    'a phone number masked in the middle: 13812345678 → 138****5678 (11 or more characters keep the first 3 and last 4, shorter ones the last 2); NULL stays NULL';

-- ---------------------------------------------------------------------------------------------
-- Row-level security by grid subtree.  Superusers and the tables' owner bypass it; a role
-- with no policy (the analyst) sees no row.

ALTER TABLE shegu.incident ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.incident_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.grid_staff ENABLE ROW LEVEL SECURITY;

CREATE POLICY incident_centre ON shegu.incident TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY incident_grid ON shegu.incident TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]))
    WITH CHECK (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
ALTER TABLE shegu.incident_party ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.incident_mediation ENABLE ROW LEVEL SECURITY;
CREATE POLICY incident_party_centre ON shegu.incident_party FOR SELECT TO shegu_centre USING (true);
CREATE POLICY incident_party_grid ON shegu.incident_party FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.incident AS i WHERE i.id = incident_id));
CREATE POLICY incident_mediation_centre ON shegu.incident_mediation FOR SELECT TO shegu_centre USING (true);
CREATE POLICY incident_mediation_grid ON shegu.incident_mediation FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.incident AS i WHERE i.id = incident_id));
COMMENT ON POLICY incident_party_centre ON shegu.incident_party IS 'the dispatch centre reads every joint case''s departments';
COMMENT ON POLICY incident_party_grid ON shegu.incident_party IS 'grid staff read the departments of the incidents they see';
COMMENT ON POLICY incident_mediation_centre ON shegu.incident_mediation IS 'the dispatch centre reads every mediation';
COMMENT ON POLICY incident_mediation_grid ON shegu.incident_mediation IS 'grid staff read the mediations of the incidents they see';
CREATE POLICY incident_event_centre ON shegu.incident_event FOR SELECT TO shegu_centre USING (true);
CREATE POLICY incident_event_grid ON shegu.incident_event FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.incident AS i WHERE i.id = incident_id));
CREATE POLICY grid_staff_centre ON shegu.grid_staff TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY grid_staff_grid ON shegu.grid_staff FOR SELECT TO shegu_grid_worker
    USING (db_role = CURRENT_USER OR code OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
COMMENT ON POLICY incident_centre ON shegu.incident IS 'the dispatch centre sees and reports every incident';
COMMENT ON POLICY incident_grid ON shegu.incident IS 'grid staff see, report and edit only incidents in the subtrees of their grids (shegu.grid_scope())';
COMMENT ON POLICY incident_event_centre ON shegu.incident_event IS 'the dispatch centre reads every event';
COMMENT ON POLICY incident_event_grid ON shegu.incident_event IS 'grid staff read the events of the incidents they see';
COMMENT ON POLICY grid_staff_centre ON shegu.grid_staff IS 'the dispatch centre manages all staff';
COMMENT ON POLICY grid_staff_grid ON shegu.grid_staff IS 'grid staff see their own assignments and the staff of the grids under them';

-- ---------------------------------------------------------------------------------------------
-- Views.  Those that list incidents run with the caller's rights so that row-level security
-- applies (security_invoker); the aggregate and masked ones run with the owner's rights and
-- are granted to the centre and the analysts only.

ALTER VIEW shegu.incident_supervision SET (security_invoker = true);
ALTER VIEW shegu.incident_accountability SET (security_invoker = true);
ALTER FUNCTION shegu.incident_measures_at(timestamptz) SECURITY DEFINER;
ALTER FUNCTION shegu.incident_measures_at(timestamptz) SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.incident_measures_at(timestamptz) FROM PUBLIC;

CREATE VIEW shegu.incident_masked WITH (security_barrier) AS
    SELECT i.id, i.category, i.grid, i.source, shegu.mask_name(i.reporter) AS reporter,
           i.reported_at, i.status, i.level, i.accepted_at, i.resolved_at, i.closed_at, i.due_at,
           shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
           i.escalations, i.rework_count, i.satisfaction, i.work_hours_to_close
    FROM shegu.incident AS i;
COMMENT ON VIEW shegu.incident_masked IS
    'incidents for analysts (分析脱敏视图): workflow and timing columns, the reporter''s name masked; no title, description or location, which may name or place a person';
COMMENT ON COLUMN shegu.incident_masked.id IS 'incident number (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_masked.category IS 'category code';
COMMENT ON COLUMN shegu.incident_masked.grid IS 'grid (网格) at report time';
COMMENT ON COLUMN shegu.incident_masked.source IS 'source (来源)';
COMMENT ON COLUMN shegu.incident_masked.reporter IS 'reporter''s name masked by shegu.mask_name (上报人, 脱敏)';
COMMENT ON COLUMN shegu.incident_masked.reported_at IS 'when it was reported';
COMMENT ON COLUMN shegu.incident_masked.status IS 'workflow state';
COMMENT ON COLUMN shegu.incident_masked.level IS 'level now responsible';
COMMENT ON COLUMN shegu.incident_masked.accepted_at IS 'last acceptance time';
COMMENT ON COLUMN shegu.incident_masked.resolved_at IS 'last disposal time';
COMMENT ON COLUMN shegu.incident_masked.closed_at IS 'closure time';
COMMENT ON COLUMN shegu.incident_masked.due_at IS 'disposal deadline';
COMMENT ON COLUMN shegu.incident_masked.light IS 'time light as of now (shegu.incident_light_at)';
COMMENT ON COLUMN shegu.incident_masked.escalations IS 'number of escalations';
COMMENT ON COLUMN shegu.incident_masked.rework_count IS 'number of returns for rework';
COMMENT ON COLUMN shegu.incident_masked.satisfaction IS 'satisfaction score 1-5';
COMMENT ON COLUMN shegu.incident_masked.work_hours_to_close IS 'working hours from report to closure';

CREATE VIEW shegu.grid_staff_masked WITH (security_barrier) AS
    SELECT s.code, s.role, shegu.mask_name(s.person_name) AS person_name, shegu.mask_phone(s.phone) AS phone,
           s.valid_from, s.valid_to
    FROM shegu.grid_staff AS s;
COMMENT ON VIEW shegu.grid_staff_masked IS
    'grid staff for analysts (一格多元, 脱敏): names and phones masked, no database role';
COMMENT ON COLUMN shegu.grid_staff_masked.code IS 'the grid';
COMMENT ON COLUMN shegu.grid_staff_masked.role IS 'grid_head 网格长, grid_worker 专职网格员, police, auxiliary, supervisor, other';
COMMENT ON COLUMN shegu.grid_staff_masked.person_name IS 'the name masked by shegu.mask_name';
COMMENT ON COLUMN shegu.grid_staff_masked.phone IS 'the phone masked by shegu.mask_phone';
COMMENT ON COLUMN shegu.grid_staff_masked.valid_from IS 'first day of the assignment';
COMMENT ON COLUMN shegu.grid_staff_masked.valid_to IS 'first day after it; NULL while current';

-- ---------------------------------------------------------------------------------------------
-- Privileges.  Nothing is granted to PUBLIC; the event log is written only by shegu itself
-- (act() and the report trigger run as the owner), and the workflow columns of an incident are
-- changed only by act().

REVOKE ALL ON shegu.incident, shegu.incident_event FROM PUBLIC;
GRANT USAGE ON SCHEMA shegu TO shegu_centre, shegu_grid_worker, shegu_analyst;

GRANT SELECT ON shegu.grid, shegu.incident_category, shegu.work_schedule, shegu.workday_override
    TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT SELECT ON shegu.incident, shegu.incident_event, shegu.grid_staff,
                shegu.incident_supervision, shegu.incident_accountability
    TO shegu_centre, shegu_grid_worker;
GRANT INSERT (category, title, description, location, grid, source, reporter, reported_at, level, idempotency_key, county),
      UPDATE (title, description, reporter)
    ON shegu.incident TO shegu_centre, shegu_grid_worker;
GRANT INSERT, UPDATE, DELETE ON shegu.grid_staff TO shegu_centre;
GRANT EXECUTE ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) TO shegu_centre, shegu_grid_worker;
REVOKE ALL ON shegu.incident_party, shegu.incident_mediation FROM PUBLIC;
GRANT SELECT ON shegu.workflow_limit TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT SELECT ON shegu.incident_party, shegu.incident_mediation TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.mediation_measures TO shegu_centre, shegu_analyst;
GRANT EXECUTE ON FUNCTION shegu.grid_scope(name) TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.incident_masked, shegu.grid_staff_masked, shegu.incident_measures, shegu.incident_figures,
                shegu.index_model, shegu.index_node, shegu.index_grade, shegu.index_score,
                shegu.index_unit_name, shegu.index_report, shegu.survey_measures
    TO shegu_centre, shegu_analyst;
GRANT EXECUTE ON FUNCTION shegu.incident_measures_at(timestamptz) TO shegu_centre, shegu_analyst;

-- The register of major events (index room, seed 003 一票否决): the centre registers events and
-- sanctions them (the table's checks keep the order of the sanctions, whoever writes); the
-- analysts read it, and the index computation reads it for them.
GRANT SELECT ON shegu.major_event TO shegu_centre, shegu_analyst;
GRANT INSERT, UPDATE ON shegu.major_event TO shegu_centre;
REVOKE ALL ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text),
                       shegu.sanction_major_event(bigint, text, date, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.register_major_event(shegu.gridcode, text, date, text, bigint, text),
                          shegu.sanction_major_event(bigint, text, date, date, date) TO shegu_centre;
