-- shegu 0.2.0 -> 0.3.0, hand-written: everything src/*.sql changed since tag v0.2.0, so that
-- ALTER EXTENSION shegu UPDATE gives what CREATE EXTENSION shegu gives (test/upgrade/run.sh
-- checks the catalog object by object; docs/upgrading.md).  One section per room, in install
-- order; each room writes only inside its own section.
\echo Use "ALTER EXTENSION shegu UPDATE TO '0.3.0'" to load this file. \quit


-- ==== gridcode, coords, lookup, import, worktime (lower rooms)

-- ==== end gridcode, coords, lookup, import, worktime


-- ==== incident (workflow v2: engine, act(), joint handling, mediation)
-- Workflow v2 (issue 18 A, B).  act() no longer talks to its trigger through incident.step:
-- the column goes; the states, stage limits, side tables of joint cases and mediations, the
-- owner (首问负责) and leader (一名领导) of a case come in.  Existing incidents keep their states
-- (the nine of 0.2.0 are all still states, with the same meaning) and their event history; the
-- owner of an accepted incident is the actor of its last acceptance, as the events say.

CREATE TABLE shegu.workflow_limit (
    stage       text PRIMARY KEY CHECK (stage IN ('review', 'ruling', 'mediation', 'fulfilment', 'part')),
    name_zh     text NOT NULL CHECK (name_zh <> ''),
    time_limit  interval NOT NULL CHECK (time_limit > interval '0'),
    basis       text NOT NULL DEFAULT 'working' CHECK (basis IN ('working', 'natural')),
    source      text NOT NULL CHECK (source <> ''),
    shipped     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE shegu.workflow_limit IS
    'time limits of the workflow''s stages (会商研判, 裁决, 调解, 协议履行核查, 联动执法 parts), one row per stage; the shipped rows are local defaults, not from the seeds: a county replaces them (UPDATE sets shipped = false, and pg_dump keeps the row)';
COMMENT ON COLUMN shegu.workflow_limit.stage IS 'review 会商研判, ruling 裁决, mediation 调解, fulfilment 协议履行核查, part (one department''s part of a joint case 联动综合执法)';
COMMENT ON COLUMN shegu.workflow_limit.name_zh IS 'Chinese name of the stage';
COMMENT ON COLUMN shegu.workflow_limit.time_limit IS 'time allowed for the stage, from its start; in working time a day is one working day of the category''s schedule';
COMMENT ON COLUMN shegu.workflow_limit.basis IS 'working (工作时) or natural (自然时) time';
COMMENT ON COLUMN shegu.workflow_limit.source IS 'where the figure comes from: the shipped rows say "local default, not from the seeds; a county replaces it"';
COMMENT ON COLUMN shegu.workflow_limit.shipped IS 'true for the rows CREATE EXTENSION ships; pg_dump keeps only rows with false';
COMMENT ON INDEX shegu.workflow_limit_pkey IS 'stage limits by stage';
COMMENT ON CONSTRAINT workflow_limit_pkey ON shegu.workflow_limit IS 'one limit per stage';
COMMENT ON CONSTRAINT workflow_limit_stage_check ON shegu.workflow_limit IS 'the stages are review, ruling, mediation, fulfilment and part';
COMMENT ON CONSTRAINT workflow_limit_name_zh_check ON shegu.workflow_limit IS 'the Chinese name is not empty';
COMMENT ON CONSTRAINT workflow_limit_time_limit_check ON shegu.workflow_limit IS 'a stage limit is positive';
COMMENT ON CONSTRAINT workflow_limit_basis_check ON shegu.workflow_limit IS 'a stage limit counts working or natural time';
COMMENT ON CONSTRAINT workflow_limit_source_check ON shegu.workflow_limit IS 'every limit says where it comes from';
SELECT pg_catalog.pg_extension_config_dump('shegu.workflow_limit', 'WHERE NOT shipped');

INSERT INTO shegu.workflow_limit (stage, name_zh, time_limit, basis, source, shipped) VALUES
    ('review',     '会商研判',     '3 days',  'working', 'local default, not from the seeds; a county replaces it', true),
    ('ruling',     '裁决',         '2 days',  'working', 'local default, not from the seeds (seed 004 asks responsibility to be settled 实时界定责任, without a figure); a county replaces it', true),
    ('mediation',  '调解',         '10 days', 'working', 'local default, not from the seeds; a county replaces it', true),
    ('fulfilment', '协议履行核查', '20 days', 'working', 'local default, not from the seeds; a county replaces it', true),
    ('part',       '联动执法分工', '5 days',  'working', 'local default, not from the seeds (a joint dispatch may give each department its own limit); a county replaces it', true);

CREATE TRIGGER workflow_limit_10_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.workflow_limit
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_category_changed();
COMMENT ON TRIGGER workflow_limit_10_changed ON shegu.workflow_limit IS 'invalidates the caches of limits';
COMMENT ON FUNCTION shegu.incident_category_changed() IS
    'trigger: tells every backend to reload its cache of incident categories and stage limits (shegu.workflow_limit)';

ALTER TABLE shegu.incident DROP COLUMN step;
ALTER TABLE shegu.incident
    ADD COLUMN owner               text,
    ADD COLUMN owner_since         timestamptz,
    ADD COLUMN leader              text,
    ADD COLUMN leader_since        timestamptz,
    ADD COLUMN stage_due_at        timestamptz,
    ADD COLUMN stage_yellow_at     timestamptz,
    ADD COLUMN stage_light         text CHECK (stage_light IN ('green', 'yellow', 'red'));
ALTER TABLE shegu.incident DROP CONSTRAINT incident_status_check;
ALTER TABLE shegu.incident ADD CONSTRAINT incident_status_check
    CHECK (status IN ('reported', 'accepted', 'rejected', 'dispatched', 'resolved',
                      'verified', 'closed', 'evaluated', 'suspended',
                      'reviewing', 'ruling', 'mediating', 'agreed'));
COMMENT ON CONSTRAINT incident_status_check ON shegu.incident IS 'the state is one of the workflow states';
COMMENT ON CONSTRAINT incident_stage_light_check ON shegu.incident IS 'the stage light is green, yellow or red';
COMMENT ON COLUMN shegu.incident.status IS
    'workflow state: reported 已上报, accepted 已立案, rejected 不予立案, dispatched 已交办, resolved 已处置, verified 已核查, closed 已结案, evaluated 已评价, suspended 挂账, reviewing 会商研判中, ruling 待裁决 (responsibility unclear), mediating 调解中, agreed 已达成调解协议 (fulfilment being checked)';
COMMENT ON COLUMN shegu.incident.owner IS
    'first-receiver owner (首问负责人): whoever accepted the case owns it until a hand_over names another; NULL before acceptance';
COMMENT ON COLUMN shegu.incident.owner_since IS 'when the present owner took the case (acceptance or the last hand_over)';
COMMENT ON COLUMN shegu.incident.leader IS
    'the one leader of the case (包案领导: 一个问题、一名领导、一套班子、一抓到底, seed 001); set once by assign_leader and kept to the end';
COMMENT ON COLUMN shegu.incident.leader_since IS 'when the leader was assigned';
COMMENT ON COLUMN shegu.incident.stage_due_at IS
    'deadline of the present stage: joint review (会商研判), ruling (裁决), mediation (调解) or the fulfilment check of an agreement; NULL outside those states';
COMMENT ON COLUMN shegu.incident.stage_yellow_at IS 'when the stage light turns yellow (the category''s yellow_share of the stage''s time)';
COMMENT ON COLUMN shegu.incident.stage_light IS 'light of the stage''s own limit (green, yellow, red); a turn to yellow or red sends NOTIFY shegu_limit; NULL outside a stage';

-- 首问负责 for the incidents accepted under 0.2.0: the actor of the last acceptance owns them.
ALTER TABLE shegu.incident DISABLE TRIGGER incident_10_before_update;
UPDATE shegu.incident AS i SET owner = e.actor, owner_since = e.at
FROM (SELECT DISTINCT ON (incident_id) incident_id, actor, at FROM shegu.incident_event
      WHERE action = 'accept' ORDER BY incident_id, at DESC, id DESC) AS e
WHERE e.incident_id = i.id AND i.accepted_at IS NOT NULL;
ALTER TABLE shegu.incident ENABLE TRIGGER incident_10_before_update;

DROP INDEX shegu.incident_level_due_idx, shegu.incident_yellow_idx, shegu.incident_red_due_idx;
CREATE INDEX incident_level_due_idx ON shegu.incident (level_due_at)
    WHERE status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND level <> 'county';
CREATE INDEX incident_yellow_idx ON shegu.incident (yellow_at)
    WHERE status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light = 'green';
CREATE INDEX incident_red_due_idx ON shegu.incident (due_at)
    WHERE status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light <> 'red';
CREATE INDEX incident_stage_idx ON shegu.incident (stage_yellow_at)
    WHERE stage_light IN ('green', 'yellow');
COMMENT ON INDEX shegu.incident_stage_idx IS 'sweep(): stage lights about to turn (review, ruling, mediation, fulfilment)';
COMMENT ON INDEX shegu.incident_level_due_idx IS 'sweep(): open incidents whose level deadline passes';
COMMENT ON INDEX shegu.incident_yellow_idx IS 'sweep(): green lights about to turn yellow';
COMMENT ON INDEX shegu.incident_red_due_idx IS 'sweep(): lights about to turn red during disposal';

CREATE TABLE shegu.incident_party (
    incident_id     bigint NOT NULL CONSTRAINT incident_party_incident_fkey REFERENCES shegu.incident (id),
    department      text NOT NULL CHECK (department <> ''),
    county          bigint,
    role            text NOT NULL CHECK (role IN ('lead', 'support')),
    assigned_at     timestamptz NOT NULL,
    assigned_by     text NOT NULL,
    due_at          timestamptz NOT NULL,
    yellow_at       timestamptz NOT NULL,
    light           text NOT NULL DEFAULT 'green' CHECK (light IN ('green', 'yellow', 'red')),
    finished_at     timestamptz,
    finished_by     text,
    note            text,
    CONSTRAINT incident_party_pkey PRIMARY KEY (incident_id, department)
);
COMMENT ON TABLE shegu.incident_party IS
    'departments of joint cases (联动综合执法): the lead (牵头部门) and the supporting ones (配合部门), each with its own limit; written only by shegu.act() (joint_dispatch, finish_part)';
COMMENT ON COLUMN shegu.incident_party.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_party.department IS 'the department (部门)';
COMMENT ON COLUMN shegu.incident_party.county IS 'county of the incident (shegu.incident.county), the distribution key on Citus';
COMMENT ON COLUMN shegu.incident_party.role IS 'lead 牵头 or support 配合';
COMMENT ON COLUMN shegu.incident_party.assigned_at IS 'when the joint dispatch gave it its part';
COMMENT ON COLUMN shegu.incident_party.assigned_by IS 'who dispatched (the actor of joint_dispatch)';
COMMENT ON COLUMN shegu.incident_party.due_at IS 'the department''s own deadline: detail limits of the joint dispatch, else the stage limit part of shegu.workflow_limit';
COMMENT ON COLUMN shegu.incident_party.yellow_at IS 'when its light turns yellow (the category''s yellow_share of its time)';
COMMENT ON COLUMN shegu.incident_party.light IS 'its light: green, yellow, red; shegu.sweep() turns it and sends NOTIFY shegu_limit';
COMMENT ON COLUMN shegu.incident_party.finished_at IS 'when it reported its part done (finish_part); NULL while open';
COMMENT ON COLUMN shegu.incident_party.finished_by IS 'who reported it done';
COMMENT ON COLUMN shegu.incident_party.note IS 'the note of finish_part';
COMMENT ON CONSTRAINT incident_party_pkey ON shegu.incident_party IS 'a department takes part in a case once';
COMMENT ON INDEX shegu.incident_party_pkey IS 'the departments of a case';
COMMENT ON CONSTRAINT incident_party_incident_fkey ON shegu.incident_party IS 'a part belongs to an existing incident';
COMMENT ON CONSTRAINT incident_party_department_check ON shegu.incident_party IS 'a department is named';
COMMENT ON CONSTRAINT incident_party_role_check ON shegu.incident_party IS 'the role is lead or support';
COMMENT ON CONSTRAINT incident_party_light_check ON shegu.incident_party IS 'the light is green, yellow or red';
CREATE INDEX incident_party_open_idx ON shegu.incident_party (due_at) WHERE finished_at IS NULL;
COMMENT ON INDEX shegu.incident_party_open_idx IS 'sweep(): open parts by deadline';
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_party', '');

-- The mediation system (大调解, seeds 000, 001, 003): 人民调解, 行政调解, 司法调解 and trade or
-- professional mediation bodies; sessions, an agreement (调解协议) reached or not, its fulfilment
-- checked, judicial confirmation (司法确认), or transfer to litigation (诉讼).

CREATE TABLE shegu.incident_mediation (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id         bigint NOT NULL CONSTRAINT incident_mediation_incident_fkey REFERENCES shegu.incident (id),
    county              bigint,
    body                text NOT NULL CHECK (body IN ('people', 'administrative', 'judicial', 'trade')),
    organisation        text,
    mediator            text,
    request             text,
    started_at          timestamptz NOT NULL,
    due_at              timestamptz,
    sessions            int NOT NULL DEFAULT 0,
    last_session_at     timestamptz,
    agreement_reached   boolean,
    agreement_at        timestamptz,
    agreement           text,
    confirmed_at        timestamptz,
    fulfilment_checks   int NOT NULL DEFAULT 0,
    last_check_at       timestamptz,
    outcome             text CHECK (outcome IN ('not_reached', 'fulfilled', 'litigation')),
    ended_at            timestamptz
);
COMMENT ON SEQUENCE shegu.incident_mediation_id_seq IS 'numbers of mediations';
COMMENT ON TABLE shegu.incident_mediation IS
    'mediations of disputes (大调解): one row per mediation of an incident, written only by shegu.act() (mediate, mediation_session, agreement, check_fulfilment, confirm_judicially, refer_litigation)';
COMMENT ON COLUMN shegu.incident_mediation.id IS 'mediation number';
COMMENT ON COLUMN shegu.incident_mediation.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_mediation.county IS 'county of the incident, the distribution key on Citus';
COMMENT ON COLUMN shegu.incident_mediation.body IS 'kind of body: people 人民调解, administrative 行政调解, judicial 司法调解, trade 行业性专业性调解';
COMMENT ON COLUMN shegu.incident_mediation.organisation IS 'the mediation organisation (调解组织), e.g. 某村人民调解委员会 (detail organisation)';
COMMENT ON COLUMN shegu.incident_mediation.mediator IS 'the mediator (调解员) (detail mediator)';
COMMENT ON COLUMN shegu.incident_mediation.request IS 'the note of mediate: what the parties ask';
COMMENT ON COLUMN shegu.incident_mediation.started_at IS 'when the dispute went to the body';
COMMENT ON COLUMN shegu.incident_mediation.due_at IS 'the mediation''s deadline, then (after an agreement) that of the fulfilment check';
COMMENT ON COLUMN shegu.incident_mediation.sessions IS 'number of sessions held (调解次数)';
COMMENT ON COLUMN shegu.incident_mediation.last_session_at IS 'when the last session was held';
COMMENT ON COLUMN shegu.incident_mediation.agreement_reached IS 'true when an agreement (调解协议) was reached, false when not; NULL before';
COMMENT ON COLUMN shegu.incident_mediation.agreement_at IS 'when the agreement was reached or found impossible';
COMMENT ON COLUMN shegu.incident_mediation.agreement IS 'the note of agreement: its terms, or why none';
COMMENT ON COLUMN shegu.incident_mediation.confirmed_at IS 'judicial confirmation (司法确认) of the agreement; NULL if none';
COMMENT ON COLUMN shegu.incident_mediation.fulfilment_checks IS 'number of fulfilment checks (履行回访)';
COMMENT ON COLUMN shegu.incident_mediation.last_check_at IS 'when fulfilment was last checked';
COMMENT ON COLUMN shegu.incident_mediation.outcome IS 'how it ended: not_reached 调解不成, fulfilled 协议履行 (化解), litigation 转诉讼; NULL while open';
COMMENT ON COLUMN shegu.incident_mediation.ended_at IS 'when it ended';
COMMENT ON CONSTRAINT incident_mediation_pkey ON shegu.incident_mediation IS 'a mediation is identified by its number';
COMMENT ON INDEX shegu.incident_mediation_pkey IS 'mediations by number';
COMMENT ON CONSTRAINT incident_mediation_incident_fkey ON shegu.incident_mediation IS 'a mediation belongs to an existing incident';
COMMENT ON CONSTRAINT incident_mediation_body_check ON shegu.incident_mediation IS 'the body is people, administrative, judicial or trade';
COMMENT ON CONSTRAINT incident_mediation_outcome_check ON shegu.incident_mediation IS 'the outcome is not_reached, fulfilled or litigation';
CREATE UNIQUE INDEX incident_mediation_open_idx ON shegu.incident_mediation (incident_id) WHERE outcome IS NULL;
COMMENT ON INDEX shegu.incident_mediation_open_idx IS 'an incident has at most one open mediation';
CREATE INDEX incident_mediation_incident_idx ON shegu.incident_mediation (incident_id, started_at);
COMMENT ON INDEX shegu.incident_mediation_incident_idx IS 'the mediations of one incident';
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_mediation', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_mediation_id_seq', '');

COMMENT ON FUNCTION shegu.incident_before_update() IS
    'trigger: refuses a direct change of any column but title, description and reporter (act() and the sweep write their rows themselves)';
COMMENT ON TRIGGER incident_10_before_update ON shegu.incident IS 'guards the workflow columns against direct writes';

DROP FUNCTION shegu.act(bigint, text, text, text, jsonb);
CREATE FUNCTION shegu.act(incident_id bigint, action text, actor text, note text DEFAULT NULL,
                          detail jsonb DEFAULT NULL, county bigint DEFAULT NULL) RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_act' LANGUAGE C VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) FROM PUBLIC;
COMMENT ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) IS
    'the one workflow entry point: locks the incident, applies an action (accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise; hand_over 首问负责, review/conclude_review 会商研判, request_ruling/rule 裁决, joint_dispatch/finish_part 联动综合执法, assign_leader 一名领导, mediate/mediation_session/agreement/check_fulfilment/confirm_judicially/refer_litigation 大调解) by the workflow engine, writes the row and its event once and returns the incident; illegal steps raise SQLSTATE SGI01 and change nothing; county, when given, finds the row by (county, id), the routing key on Citus; runs as its owner (SECURITY DEFINER) for superusers, shegu_centre members and grid staff in their grids (docs/security.md)';

GRANT EXECUTE ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) TO shegu_centre, shegu_grid_worker;

CREATE OR REPLACE FUNCTION shegu.sweep(now timestamptz DEFAULT now()) RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_county bigint;
    v_part record;
    escalated int := 0;
    -- On Citus (shegu.incident distributed) a multi-shard SELECT cannot lock rows: there the
    -- candidates are read unlocked, and each step's re-check on the locked row keeps it right.
    lock_clause text := ' FOR UPDATE SKIP LOCKED';
    distributed boolean := false;
BEGIN
    IF sweep.now IS NULL THEN
        RAISE EXCEPTION 'time of shegu.sweep is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Call shegu.sweep() for the present, or give the time to judge the deadlines at.';
    END IF;
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition'
                ' WHERE logicalrelid = ''shegu.incident''::regclass)' INTO distributed;
        IF distributed THEN
            lock_clause := '';
        END IF;
    END IF;
    -- Every open incident whose level deadline passed goes one level up; the step re-checks
    -- the deadline on the locked row, so a second sweep (or a concurrent one) does nothing twice.
    FOR v_id, v_county IN EXECUTE
        'SELECT i.id, i.county FROM shegu.incident AS i'
        ' WHERE i.status IN (''reported'', ''accepted'', ''dispatched'', ''reviewing'', ''ruling'', ''mediating'')'
        '   AND i.level <> ''county'' AND i.level_due_at < $1'
        ' ORDER BY i.level_due_at, i.id' || lock_clause USING sweep.now
    LOOP
        IF shegu.incident_step(v_id, 'overdue_escalate', sweep.now, v_county) THEN
            escalated := escalated + 1;
        END IF;
    END LOOP;
    -- Lights that turn: each turn to yellow or red sends NOTIFY shegu_light once.
    FOR v_id, v_county IN EXECUTE
        'SELECT i.id, i.county FROM shegu.incident AS i'
        ' WHERE (i.status IN (''reported'', ''accepted'', ''dispatched'', ''reviewing'', ''ruling'', ''mediating'')'
        '        AND i.light = ''green'' AND i.yellow_at <= $1)'
        '    OR (i.status = ''reported'' AND i.light <> ''red'' AND i.accept_due_at < $1)'
        '    OR (i.status IN (''accepted'', ''dispatched'', ''reviewing'', ''ruling'', ''mediating'')'
        '        AND i.light <> ''red'' AND i.due_at < $1)'
        '    OR (i.stage_light IN (''green'', ''yellow'') AND i.stage_yellow_at <= $1'
        '        AND (i.stage_light = ''green'' OR i.stage_due_at < $1))'
        ' ORDER BY i.id' || lock_clause USING sweep.now
    LOOP
        PERFORM shegu.incident_step(v_id, 'tick', sweep.now, v_county);
    END LOOP;
    -- The departments of joint cases (联动综合执法): each part's own light, NOTIFY shegu_limit once a turn.
    FOR v_part IN
        WITH c AS (SELECT p.incident_id, p.department, p.light AS previous FROM shegu.incident_party AS p
                   WHERE p.finished_at IS NULL AND p.light <> 'red' AND p.yellow_at <= sweep.now
                     AND (p.light = 'green' OR p.due_at < sweep.now)
                   FOR UPDATE OF p SKIP LOCKED)
        UPDATE shegu.incident_party AS p
        SET light = CASE WHEN sweep.now > p.due_at THEN 'red' ELSE 'yellow' END
        FROM c WHERE p.incident_id = c.incident_id AND p.department = c.department
        RETURNING p.incident_id, p.department, p.role, p.light, c.previous, p.due_at
    LOOP
        PERFORM pg_catalog.pg_notify('shegu_limit', pg_catalog.json_build_object(
            'incident', v_part.incident_id, 'stage', 'part', 'department', v_part.department,
            'role', v_part.role, 'light', v_part.light, 'previous', v_part.previous,
            'due_at', v_part.due_at, 'at', sweep.now)::text);
    END LOOP;
    RETURN escalated;
END;
$$;
COMMENT ON FUNCTION shegu.sweep(timestamptz) IS
    'escalates every open incident whose level deadline passed one level up (grid → community → township → county), logs it and sends NOTIFY shegu_escalation; turns time lights (NOTIFY shegu_light), the lights of stage limits and of the departments of joint cases (NOTIFY shegu_limit); returns the number escalated; idempotent and safe in several sessions at once';

CREATE VIEW shegu.mediation_measures AS
    SELECT shegu.ancestor(i.grid, l.l) AS unit, l.l AS level,
           date_trunc('month', m.started_at AT TIME ZONE 'Asia/Shanghai')::date AS month, m.body,
           count(*) AS mediations,
           coalesce(sum(m.sessions), 0)::bigint AS sessions,
           count(*) FILTER (WHERE m.agreement_reached) AS agreements,
           count(*) FILTER (WHERE m.confirmed_at IS NOT NULL) AS confirmed,
           count(*) FILTER (WHERE m.outcome = 'fulfilled') AS fulfilled,
           count(*) FILTER (WHERE m.outcome = 'not_reached') AS not_reached,
           count(*) FILTER (WHERE m.outcome = 'litigation') AS litigation,
           count(*) FILTER (WHERE m.outcome IS NULL) AS open,
           (count(*) FILTER (WHERE m.outcome = 'fulfilled'))::float8
               / nullif(count(*) FILTER (WHERE m.outcome IS NOT NULL), 0) AS resolution_rate,
           (count(*) FILTER (WHERE m.agreement_reached))::float8
               / nullif(count(*) FILTER (WHERE m.agreement_reached IS NOT NULL), 0) AS agreement_rate
    FROM shegu.incident_mediation AS m
    JOIN shegu.incident AS i ON i.id = m.incident_id
    CROSS JOIN LATERAL generate_series(1, shegu.level(i.grid)) AS l(l)
    GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW shegu.mediation_measures IS
    'mediation measures (大调解): by unit (a grid at any level, rolled up by code prefix), month the mediation started (Asia/Shanghai) and body; 化解率 resolution_rate = fulfilled / ended mediations; aggregates only (no names), for analysts';
COMMENT ON COLUMN shegu.mediation_measures.unit IS 'grid code of the unit: a mediation counts in its incident''s grid and every ancestor';
COMMENT ON COLUMN shegu.mediation_measures.level IS 'grid level of the unit: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.mediation_measures.month IS 'first day of the month the mediation started';
COMMENT ON COLUMN shegu.mediation_measures.body IS 'people 人民调解, administrative 行政调解, judicial 司法调解, trade 行业性专业性调解';
COMMENT ON COLUMN shegu.mediation_measures.mediations IS '调解量: mediations started';
COMMENT ON COLUMN shegu.mediation_measures.sessions IS 'sessions held, summed';
COMMENT ON COLUMN shegu.mediation_measures.agreements IS '达成协议量: mediations that reached an agreement (调解协议)';
COMMENT ON COLUMN shegu.mediation_measures.confirmed IS '司法确认量: agreements judicially confirmed';
COMMENT ON COLUMN shegu.mediation_measures.fulfilled IS '化解量: agreements checked fulfilled';
COMMENT ON COLUMN shegu.mediation_measures.not_reached IS '调解不成: mediations ended without agreement';
COMMENT ON COLUMN shegu.mediation_measures.litigation IS '转诉讼: mediations transferred to litigation';
COMMENT ON COLUMN shegu.mediation_measures.open IS 'mediations not ended (under mediation, or an agreement being fulfilled)';
COMMENT ON COLUMN shegu.mediation_measures.resolution_rate IS '化解率: fulfilled / (fulfilled + not_reached + litigation), over ended mediations; 0-1, NULL when none ended';
COMMENT ON COLUMN shegu.mediation_measures.agreement_rate IS '调解成功率: agreements / mediations whose agreement was decided (reached or not); 0-1, NULL when none decided';

-- Privileges and row-level security of the new tables (src/security.sql).
REVOKE ALL ON shegu.incident_party, shegu.incident_mediation FROM PUBLIC;
GRANT SELECT ON shegu.workflow_limit TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT SELECT ON shegu.incident_party, shegu.incident_mediation TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.mediation_measures TO shegu_centre, shegu_analyst;
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

