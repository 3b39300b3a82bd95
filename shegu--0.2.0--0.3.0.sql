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
    'time limits of the workflow''s stages (会商研判, 裁决, 调解, 协议履行核查, 联动执法 parts), one row per stage; the shipped rows are local defaults, not from the seeds: a county replaces them by UPDATE (an edited shipped row becomes the county''s, shipped = false, and pg_dump keeps it)';
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
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workflow_limit
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.workflow_limit IS 'keeps users'' edits of shipped stage limits through dump and restore';
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

-- The report events without a transition table (2026-12-07): the insert trigger notes each new
-- incident, the statement trigger reads the stored rows back by primary key (docs/incident.md).
DROP TRIGGER incident_10_after_insert ON shegu.incident;
CREATE TRIGGER incident_10_after_insert AFTER INSERT ON shegu.incident
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_after_insert();
COMMENT ON TRIGGER incident_10_after_insert ON shegu.incident IS 'report events of the new incidents';
COMMENT ON FUNCTION shegu.incident_before_insert() IS
    'trigger: fills grid (locate), level, due times and light of a new incident, and notes it for its report event';
COMMENT ON FUNCTION shegu.incident_after_insert() IS
    'statement trigger: logs the report event of every incident the statement inserted (noted by the insert trigger, read back by primary key)';

DROP FUNCTION shegu.act(bigint, text, text, text, jsonb);
CREATE FUNCTION shegu.act(incident_id bigint, action text, actor text, note text DEFAULT NULL,
                          detail jsonb DEFAULT NULL, county bigint DEFAULT NULL) RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_act' LANGUAGE C VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) FROM PUBLIC;
COMMENT ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) IS
    'the one workflow entry point: locks the incident, applies an action (accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise; hand_over 首问负责, review/conclude_review 会商研判, request_ruling/rule 裁决, joint_dispatch/finish_part 联动综合执法, assign_leader 一名领导, mediate/mediation_session/agreement/check_fulfilment/confirm_judicially/refer_litigation 大调解, simple_handle 简易处理 by the basic grid of a category with simple_handling) by the workflow engine, writes the row and its event once and returns the incident; illegal steps raise SQLSTATE SGI01 and change nothing; county, when given, finds the row by (county, id), the routing key on Citus; runs as its owner (SECURITY DEFINER) for superusers, shegu_centre members and grid staff in their grids (docs/security.md)';

GRANT EXECUTE ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) TO shegu_centre, shegu_grid_worker;

CREATE FUNCTION shegu.incident_step_on_shard(county bigint, incident_id bigint, action text, actor text,
                                             note text, detail jsonb, request_id text, db_role text,
                                             basic_staff boolean, at timestamptz, at_is_now boolean,
                                             OUT incident shegu.incident, OUT changed boolean,
                                             OUT notifications text[])
    AS 'MODULE_PATHNAME', 'incident_step_on_shard' LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.incident_step_on_shard(bigint, bigint, text, text, text, jsonb, text, text, boolean, timestamptz, boolean) FROM PUBLIC;
COMMENT ON FUNCTION shegu.incident_step_on_shard(bigint, bigint, text, text, text, jsonb, text, text, boolean, timestamptz, boolean) IS
    'Citus only (docs/citus.md): the step act() or sweep() sends to the node of its incident''s shard, where it is run, declared a distributed function co-located with shegu.incident by county; returns the row after the step, whether it changed and the notifications (channel, payload, …) for the caller''s session to send; the caller authorised the step and names the role that asked for it; owner only';

CREATE OR REPLACE FUNCTION shegu.sweep(now timestamptz DEFAULT now()) RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_county bigint;
    v_part record;
    v_turn record;
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
    -- A single server turns them in one statement over the rows it could lock; on Citus they are
    -- read unlocked across the shards and each turns by one update routed by its county, only
    -- while its light is still the one read, so concurrent sweeps turn it once.
    FOR v_part IN EXECUTE CASE WHEN distributed THEN
        'SELECT p.county, p.incident_id, p.department, p.light AS previous FROM shegu.incident_party AS p'
        ' WHERE p.finished_at IS NULL AND p.light <> ''red'' AND p.yellow_at <= $1'
        '   AND (p.light = ''green'' OR p.due_at < $1)'
    ELSE
        'WITH c AS (SELECT p.incident_id, p.department, p.light AS previous FROM shegu.incident_party AS p'
        '           WHERE p.finished_at IS NULL AND p.light <> ''red'' AND p.yellow_at <= $1'
        '             AND (p.light = ''green'' OR p.due_at < $1)'
        '           FOR UPDATE OF p SKIP LOCKED)'
        ' UPDATE shegu.incident_party AS p'
        ' SET light = CASE WHEN $1 > p.due_at THEN ''red'' ELSE ''yellow'' END'
        ' FROM c WHERE p.incident_id = c.incident_id AND p.department = c.department'
        ' RETURNING p.incident_id, p.department, p.role, p.light, c.previous, p.due_at'
    END USING sweep.now
    LOOP
        IF distributed THEN
            UPDATE shegu.incident_party AS p
            SET light = CASE WHEN sweep.now > p.due_at THEN 'red' ELSE 'yellow' END
            WHERE p.county = v_part.county AND p.incident_id = v_part.incident_id
              AND p.department = v_part.department AND p.light = v_part.previous AND p.finished_at IS NULL
            RETURNING p.role, p.light, p.due_at INTO v_turn;
            CONTINUE WHEN NOT FOUND;
        ELSE
            v_turn := v_part;
        END IF;
        PERFORM pg_catalog.pg_notify('shegu_limit', pg_catalog.json_build_object(
            'incident', v_part.incident_id, 'stage', 'part', 'department', v_part.department,
            'role', v_turn.role, 'light', v_turn.light, 'previous', v_part.previous,
            'due_at', v_turn.due_at, 'at', sweep.now)::text);
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

-- The time light as of a time; the views show it as of now() (sweep() still turns the stored
-- light and notifies).  incident_masked belongs to the security room; its light column follows.
CREATE FUNCTION shegu.incident_light_at(status text, light text, yellow_at timestamptz,
                                        accept_due_at timestamptz, due_at timestamptz, at timestamptz)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- the states where the clock runs; reviewing, ruling and mediating are those of the workflow v2
    -- (issue 18 A/B), listed so that the rule holds once they land
    RETURN CASE WHEN status NOT IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating')
                  OR (CASE WHEN status = 'reported' THEN accept_due_at ELSE due_at END) IS NULL
                  OR at IS NULL THEN light
                WHEN at > (CASE WHEN status = 'reported' THEN accept_due_at ELSE due_at END) THEN 'red'
                WHEN yellow_at IS NOT NULL AND at >= yellow_at THEN 'yellow'
                ELSE 'green' END;
COMMENT ON FUNCTION shegu.incident_light_at(text, text, timestamptz, timestamptz, timestamptz, timestamptz) IS
    'the time light (亮灯) of an incident at a time, by the rule of the triggers: while the clock runs (reported, accepted, dispatched, and the workflow v2''s reviewing, ruling, mediating) red once the running deadline (accept_due_at while reported, else due_at) is passed, yellow from yellow_at, else green; while the clock is stopped (or without a deadline or time) the stored light; the views call it with now(), so an overdue incident shows red before shegu.sweep() runs';
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
             OR (i.status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND %1$s > i.due_at)
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
    'true when the basic grid (三级网格) that discovers it may settle it on the spot by simple handling (简易处理: act(id, ''simple_handle'', ...) closes it at the grid level); otherwise simple_handle is refused and staff of a basic grid cannot accept, reject, dispatch, verify or close it: the handling level leads (seed 004 巡办分离: "三级网格负责发现问题,一、二级网格负责牵头联动解决问题", "负责网格内矛盾问题的排查、上报及简易处理")';
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


-- index_uncertainty leaves vetoed units unranked (a hard gate, as report_index does) and says why:
-- its result gains the column unranked_reason, so the function is made again.
DROP FUNCTION shegu.index_uncertainty(text, date, int, float8, int, int, boolean, boolean);
CREATE FUNCTION shegu.index_uncertainty(model text, period date, runs int DEFAULT 1000,
                                        weight_noise float8 DEFAULT 0.2, seed int DEFAULT 1,
                                        level int DEFAULT NULL, vary_aggregation boolean DEFAULT false,
                                        vary_normalization boolean DEFAULT false)
RETURNS TABLE(unit shegu.gridcode, nominal_rank int, mean_rank float8, median_rank float8,
              rank_p05 float8, rank_p95 float8, runs_ranked int, unranked_reason text)
    AS 'MODULE_PATHNAME', 'index_uncertainty' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.index_uncertainty(text, date, int, float8, int, int, boolean, boolean) IS
    'Monte Carlo robustness of the ranking: each run multiplies every weight by U(1 - weight_noise, 1 + weight_noise) (with vary_aggregation each parent switches between arithmetic and geometric, with vary_normalization each indicator between its normalisation and the alternative - percentile rank, or min-max for rank and zscore - each with probability 1/2) and ranks the units again; per unit the nominal rank and the mean, median, 5% and 95% quantiles of its rank; a vetoed unit (一票否决: an indicator''s veto threshold, or with veto_register the register of major events) is a hard gate, left out of every run''s ranking as report_index leaves it unranked (the others rank among themselves), and unranked_reason says why (the indicators and events of the veto, or 无指数 no index); a seeded splitmix64 stream, so the same seed gives the same answer';

-- ==== end index


-- ==== security

-- ==== end security


-- ==== base (people, places, things)

-- The search path the functions that call PostGIS keep (SET search_path FROM CURRENT), as the
-- install script sets it in src/gridcode.sql.
SELECT pg_catalog.set_config('search_path',
    pg_catalog.format('shegu, pg_catalog, %I, pg_temp', n.nspname), true)
FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';

-- src/base.sql as it is (the room is new in 0.3.0):
-- Base data in the grid (人、地、物、事、情、组织): standard addresses, buildings, houses, rentals,
-- organisations, key places, cameras, people with their households and residences, residence
-- permits and the categories of attention (9+X), all located in the grid; personal fields sealed
-- and their clear reads logged (PIPL); workload per grid and camera coverage.
-- src/base.sql — declares what src/base.c implements.
--
-- One style of writing (docs/base.md): plain INSERT, UPDATE and COPY into the tables.  Row
-- triggers check and locate every row whatever wrote it; the four changes that close one period
-- and open the next (move_person, close_rental, set_attention, end_attention) are functions, and
-- repeating one changes nothing.

-- ---------------------------------------------------------------------------------------------
-- Checks of identity numbers and credit codes (src/engine/idcard.c).

CREATE FUNCTION shegu.id_number_check(number text) RETURNS text
    AS 'MODULE_PATHNAME', 'base_id_number_check' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.id_number_check(text) IS
    'a citizen identity number (公民身份号码, GB 11643-1999) in canonical form (upper-case X, no white space), or error 22023 saying what is wrong: length, characters, province, a date of birth that is no real date or in the future, the ISO 7064 MOD 11-2 check character, an address code shegu.division does not hold (when it holds the province); error messages show the number masked';

CREATE FUNCTION shegu.id_number_valid(number text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'base_id_number_valid' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.id_number_valid(text) IS
    'true when shegu.id_number_check would accept the number';

CREATE FUNCTION shegu.id_number_birth_date(number text) RETURNS date
    AS 'MODULE_PATHNAME', 'base_id_number_birth_date' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.id_number_birth_date(text) IS
    'the date of birth a valid citizen identity number holds (digits 7-14); errors as shegu.id_number_check';

CREATE FUNCTION shegu.uscc_check(code text) RETURNS text
    AS 'MODULE_PATHNAME', 'base_uscc_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.uscc_check(text) IS
    'a unified social credit code (统一社会信用代码, GB 32100-2015) in upper case, or error 22023 naming what is wrong (length, characters, check character)';

CREATE FUNCTION shegu.id_hash(id_kind text, number text) RETURNS bytea
    AS 'MODULE_PATHNAME', 'base_id_hash' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.id_hash(text, text) IS
    'the lookup key of a document number: HMAC-SHA256 (pgcrypto) of its kind and canonical form under shegu.pii_key; shegu.person.id_hash holds it, indexed, so a person is found by number without the number being stored in clear';

CREATE FUNCTION shegu.id_open(sealed bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'base_id_open' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.id_open(bytea) IS
    'internal: the clear number of a sealed one (pgcrypto AES-256-CBC under a key derived from shegu.pii_key); granted to nobody, called by shegu.person_clear, which checks the caller''s grid scope and logs the read';
REVOKE ALL ON FUNCTION shegu.id_open(bytea) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Places and things (地、物).

CREATE TABLE shegu.road (
    id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name  text,
    kind  text NOT NULL DEFAULT 'street',
    geom  geometry(MultiLineString, 4326) NOT NULL,
    CONSTRAINT road_kind CHECK (kind IN ('highway', 'main', 'street', 'lane', 'path', 'other')),
    CONSTRAINT road_geom CHECK (NOT ST_IsEmpty(geom))
);
CREATE INDEX road_geom_idx ON shegu.road USING gist (geom);
SELECT pg_catalog.pg_extension_config_dump('shegu.road', '');
COMMENT ON TABLE shegu.road IS
    'the road layer (道路), when one is loaded: camera coverage and patrol coverage measure the share of road length they reach';
COMMENT ON COLUMN shegu.road.id IS 'road number';
COMMENT ON COLUMN shegu.road.name IS 'road name, e.g. 金石路';
COMMENT ON COLUMN shegu.road.kind IS 'highway, main (主干道), street (街道), lane (巷), path (小路), other';
COMMENT ON COLUMN shegu.road.geom IS 'centre line (WGS-84 lon/lat)';
COMMENT ON CONSTRAINT road_kind ON shegu.road IS 'kind is one of the known road kinds';
COMMENT ON CONSTRAINT road_geom ON shegu.road IS 'a road has a line';
COMMENT ON CONSTRAINT road_pkey ON shegu.road IS 'one row per road';
COMMENT ON INDEX shegu.road_pkey IS 'finds a road by number';
COMMENT ON INDEX shegu.road_geom_idx IS 'spatial index of road lines';

CREATE FUNCTION shegu.base_locate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'base_locate' LANGUAGE C;
COMMENT ON FUNCTION shegu.base_locate() IS
    'BEFORE INSERT OR UPDATE row trigger of the located base tables: sets grid to shegu.locate(lon, lat) on the day of since; refuses (23514) a position outside every grid, (22003) one off the map and (23502) a missing one; the optional argument names the object in messages';

CREATE TABLE shegu.building (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    code        text UNIQUE,
    road        text,
    road_number text,
    compound    text,
    building_no text,
    name        text,
    lon         float8,
    lat         float8,
    footprint   geometry(MultiPolygon, 4326),
    floors      int,
    since       date NOT NULL DEFAULT current_date,
    valid_to    date,
    grid        shegu.gridcode NOT NULL,
    CONSTRAINT building_floors CHECK (floors > 0),
    CONSTRAINT building_period CHECK (valid_to IS NULL OR valid_to > since),
    CONSTRAINT building_footprint CHECK (footprint IS NULL OR (ST_IsValid(footprint) AND NOT ST_IsEmpty(footprint)))
);
CREATE INDEX building_grid_idx ON shegu.building (grid);
SELECT pg_catalog.pg_extension_config_dump('shegu.building', '');
COMMENT ON TABLE shegu.building IS
    'buildings (楼栋) with their standard address (标准地址: road and number, compound, building number), point and footprint, each in its grid (以房管人, seed 000)';
COMMENT ON COLUMN shegu.building.id IS 'building number';
COMMENT ON COLUMN shegu.building.code IS 'the building''s code in the local standard-address system (标准地址编码), when it has one';
COMMENT ON COLUMN shegu.building.road IS 'road or street of the address (路/街), e.g. 金石路';
COMMENT ON COLUMN shegu.building.road_number IS 'number on the road (门牌号), e.g. 18号';
COMMENT ON COLUMN shegu.building.compound IS 'residential compound or village group (小区/院落/组)';
COMMENT ON COLUMN shegu.building.building_no IS 'building number within the compound (栋/幢)';
COMMENT ON COLUMN shegu.building.name IS 'a name, when it has one';
COMMENT ON COLUMN shegu.building.lon IS 'WGS-84 longitude of its point (taken from the footprint when NULL and a footprint is given)';
COMMENT ON COLUMN shegu.building.lat IS 'WGS-84 latitude of its point';
COMMENT ON COLUMN shegu.building.footprint IS 'outline (WGS-84), when drawn';
COMMENT ON COLUMN shegu.building.floors IS 'storeys above ground';
COMMENT ON COLUMN shegu.building.since IS 'first day it is on record; the day it is located on';
COMMENT ON COLUMN shegu.building.valid_to IS 'first day it is no longer standing (demolished); NULL while standing';
COMMENT ON COLUMN shegu.building.grid IS 'the grid its point lies in on the day of since (shegu.locate), kept up to date by shegu.relocate_base; earlier grids in shegu.base_grid_history';
COMMENT ON CONSTRAINT building_floors ON shegu.building IS 'a building has at least one storey';
COMMENT ON CONSTRAINT building_period ON shegu.building IS 'a building is demolished after it is on record';
COMMENT ON CONSTRAINT building_footprint ON shegu.building IS 'a footprint is a valid, non-empty polygon';
COMMENT ON CONSTRAINT building_pkey ON shegu.building IS 'one row per building';
COMMENT ON CONSTRAINT building_code_key ON shegu.building IS 'a standard-address code names one building';
COMMENT ON INDEX shegu.building_pkey IS 'finds a building by number';
COMMENT ON INDEX shegu.building_code_key IS 'finds a building by its address code';
COMMENT ON INDEX shegu.building_grid_idx IS 'the buildings of a grid subtree (a range scan, operator <@)';

CREATE FUNCTION shegu.building_point() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    NEW.lon := ST_X(ST_PointOnSurface(NEW.footprint));
    NEW.lat := ST_Y(ST_PointOnSurface(NEW.footprint));
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION shegu.building_point() IS
    'trigger of shegu.building: a building given by its footprint alone gets a point inside it (ST_PointOnSurface)';
CREATE TRIGGER building_a_point BEFORE INSERT OR UPDATE OF footprint, lon, lat ON shegu.building
    FOR EACH ROW WHEN (NEW.lon IS NULL AND NEW.lat IS NULL AND NEW.footprint IS NOT NULL)
    EXECUTE FUNCTION shegu.building_point();
COMMENT ON TRIGGER building_a_point ON shegu.building IS 'fills the point of a building given by its footprint (runs before building_locate)';
CREATE TRIGGER building_locate BEFORE INSERT OR UPDATE OF lon, lat, since, footprint ON shegu.building
    FOR EACH ROW EXECUTE FUNCTION shegu.base_locate('building');
COMMENT ON TRIGGER building_locate ON shegu.building IS 'locates the building in its grid; refuses one outside every grid';

CREATE TABLE shegu.house (
    id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    building  bigint NOT NULL REFERENCES shegu.building,
    unit      text NOT NULL DEFAULT '',
    room      text NOT NULL DEFAULT '',
    use       text NOT NULL DEFAULT 'owner_occupied',
    area_m2   numeric,
    owner     bigint,
    CONSTRAINT house_use CHECK (use IN ('owner_occupied', 'rental', 'vacant', 'business', 'other')),
    CONSTRAINT house_area CHECK (area_m2 > 0),
    UNIQUE (building, unit, room)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.house', '');
COMMENT ON TABLE shegu.house IS
    'houses (房屋): a unit and room of a building, its use (自住/出租/空置) and owner; its grid is its building''s';
COMMENT ON COLUMN shegu.house.id IS 'house number';
COMMENT ON COLUMN shegu.house.building IS 'the building (shegu.building)';
COMMENT ON COLUMN shegu.house.unit IS 'staircase unit (单元); empty for a house with none';
COMMENT ON COLUMN shegu.house.room IS 'room number (室/户); empty for a whole building (a rural house)';
COMMENT ON COLUMN shegu.house.use IS 'owner_occupied 自住, rental 出租, vacant 空置, business 经营, other';
COMMENT ON COLUMN shegu.house.area_m2 IS 'floor area in m²';
COMMENT ON COLUMN shegu.house.owner IS 'the owner (shegu.person), when recorded';
COMMENT ON CONSTRAINT house_use ON shegu.house IS 'use is one of the known uses';
COMMENT ON CONSTRAINT house_area ON shegu.house IS 'a floor area is positive';
COMMENT ON CONSTRAINT house_pkey ON shegu.house IS 'one row per house';
COMMENT ON CONSTRAINT house_building_unit_room_key ON shegu.house IS 'a unit and room name one house of a building';
COMMENT ON CONSTRAINT house_building_fkey ON shegu.house IS 'a house is in a known building';
COMMENT ON INDEX shegu.house_pkey IS 'finds a house by number';
COMMENT ON INDEX shegu.house_building_unit_room_key IS 'finds the houses of a building';

CREATE TABLE shegu.organisation (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    kind         text NOT NULL,
    uscc         text UNIQUE,
    building     bigint REFERENCES shegu.building,
    lon          float8,
    lat          float8,
    employees    int,
    legal_person text,
    phone        text,
    since        date NOT NULL DEFAULT current_date,
    valid_to     date,
    grid         shegu.gridcode NOT NULL,
    CONSTRAINT organisation_kind CHECK (kind IN ('non_public_enterprise', 'social_organisation', 'shop',
                                                 'factory', 'special_trade', 'public_institution', 'other')),
    CONSTRAINT organisation_uscc CHECK (uscc IS NULL OR shegu.uscc_check(uscc) = uscc),
    CONSTRAINT organisation_employees CHECK (employees >= 0),
    CONSTRAINT organisation_period CHECK (valid_to IS NULL OR valid_to > since)
);
CREATE INDEX organisation_grid_idx ON shegu.organisation (grid);
SELECT pg_catalog.pg_extension_config_dump('shegu.organisation', '');
COMMENT ON TABLE shegu.organisation IS
    'organisations (组织): non-public economic and social organisations (两新组织, seed 003), shops and factories (以业管人, seed 000), special trades, each in its grid';
COMMENT ON COLUMN shegu.organisation.id IS 'organisation number';
COMMENT ON COLUMN shegu.organisation.name IS 'registered name';
COMMENT ON COLUMN shegu.organisation.kind IS
    'non_public_enterprise 非公有制经济组织, social_organisation 社会组织, shop 商铺, factory 工厂, special_trade 特种行业 (hotels, second-hand trade: seed 000), public_institution 机关事业单位, other';
COMMENT ON COLUMN shegu.organisation.uscc IS 'unified social credit code (统一社会信用代码), checked by shegu.uscc_check';
COMMENT ON COLUMN shegu.organisation.building IS 'the building it occupies, when known';
COMMENT ON COLUMN shegu.organisation.lon IS 'WGS-84 longitude of its entrance';
COMMENT ON COLUMN shegu.organisation.lat IS 'WGS-84 latitude of its entrance';
COMMENT ON COLUMN shegu.organisation.employees IS 'number of employees';
COMMENT ON COLUMN shegu.organisation.legal_person IS 'legal representative (法定代表人), as registered';
COMMENT ON COLUMN shegu.organisation.phone IS 'contact phone';
COMMENT ON COLUMN shegu.organisation.since IS 'first day on record; the day it is located on';
COMMENT ON COLUMN shegu.organisation.valid_to IS 'first day it no longer operates; NULL while it does';
COMMENT ON COLUMN shegu.organisation.grid IS 'its grid (shegu.locate on the day of since)';
COMMENT ON CONSTRAINT organisation_kind ON shegu.organisation IS 'kind is one of the known kinds';
COMMENT ON CONSTRAINT organisation_uscc ON shegu.organisation IS 'a credit code is valid and in canonical form';
COMMENT ON CONSTRAINT organisation_employees ON shegu.organisation IS 'employees are not negative';
COMMENT ON CONSTRAINT organisation_period ON shegu.organisation IS 'an organisation closes after it is on record';
COMMENT ON CONSTRAINT organisation_pkey ON shegu.organisation IS 'one row per organisation';
COMMENT ON CONSTRAINT organisation_uscc_key ON shegu.organisation IS 'a credit code names one organisation';
COMMENT ON CONSTRAINT organisation_building_fkey ON shegu.organisation IS 'the building is known';
COMMENT ON INDEX shegu.organisation_pkey IS 'finds an organisation by number';
COMMENT ON INDEX shegu.organisation_uscc_key IS 'finds an organisation by credit code';
COMMENT ON INDEX shegu.organisation_grid_idx IS 'the organisations of a grid subtree';
CREATE TRIGGER organisation_locate BEFORE INSERT OR UPDATE OF lon, lat, since ON shegu.organisation
    FOR EACH ROW EXECUTE FUNCTION shegu.base_locate('organisation');
COMMENT ON TRIGGER organisation_locate ON shegu.organisation IS 'locates the organisation in its grid; refuses one outside every grid';

CREATE TABLE shegu.place (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    kind          text NOT NULL,
    organisation  bigint REFERENCES shegu.organisation,
    lon           float8,
    lat           float8,
    area          geometry(MultiPolygon, 4326),
    since         date NOT NULL DEFAULT current_date,
    valid_to      date,
    grid          shegu.gridcode NOT NULL,
    CONSTRAINT place_kind CHECK (kind IN ('school', 'hospital', 'station', 'market', 'key_site',
                                          'government', 'hotel', 'other')),
    CONSTRAINT place_period CHECK (valid_to IS NULL OR valid_to > since)
);
CREATE INDEX place_grid_idx ON shegu.place (grid);
SELECT pg_catalog.pg_extension_config_dump('shegu.place', '');
COMMENT ON TABLE shegu.place IS
    'key places (重点场所) and vital sites (要害部位, seed 003): schools, hospitals, stations, markets, each in its grid; seed 000 asks for video surveillance of all of them (电子监控全覆盖)';
COMMENT ON COLUMN shegu.place.id IS 'place number';
COMMENT ON COLUMN shegu.place.name IS 'name';
COMMENT ON COLUMN shegu.place.kind IS 'school 学校, hospital 医院, station 车站, market 市场, key_site 要害部位, government 党政机关, hotel 宾馆, other';
COMMENT ON COLUMN shegu.place.organisation IS 'the organisation that runs it, when recorded';
COMMENT ON COLUMN shegu.place.lon IS 'WGS-84 longitude of the place';
COMMENT ON COLUMN shegu.place.lat IS 'WGS-84 latitude of the place';
COMMENT ON COLUMN shegu.place.area IS 'its outline, when drawn';
COMMENT ON COLUMN shegu.place.since IS 'first day on record; the day it is located on';
COMMENT ON COLUMN shegu.place.valid_to IS 'first day it is no longer a key place; NULL while it is';
COMMENT ON COLUMN shegu.place.grid IS 'its grid (shegu.locate on the day of since)';
COMMENT ON CONSTRAINT place_kind ON shegu.place IS 'kind is one of the known kinds';
COMMENT ON CONSTRAINT place_period ON shegu.place IS 'a place ends after it is on record';
COMMENT ON CONSTRAINT place_pkey ON shegu.place IS 'one row per place';
COMMENT ON CONSTRAINT place_organisation_fkey ON shegu.place IS 'the organisation is known';
COMMENT ON INDEX shegu.place_pkey IS 'finds a place by number';
COMMENT ON INDEX shegu.place_grid_idx IS 'the places of a grid subtree';
CREATE TRIGGER place_locate BEFORE INSERT OR UPDATE OF lon, lat, since ON shegu.place
    FOR EACH ROW EXECUTE FUNCTION shegu.base_locate('place');
COMMENT ON TRIGGER place_locate ON shegu.place IS 'locates the place in its grid; refuses one outside every grid';

CREATE TABLE shegu.camera (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    code           text UNIQUE,
    lon            float8,
    lat            float8,
    direction_deg  float8,
    fov_deg        float8 NOT NULL DEFAULT 360,
    range_m        float8 NOT NULL,
    owner          text,
    since          date NOT NULL DEFAULT current_date,
    valid_to       date,
    grid           shegu.gridcode NOT NULL,
    CONSTRAINT camera_range_positive CHECK (range_m > 0 AND range_m <= 5000),
    CONSTRAINT camera_direction CHECK (direction_deg >= 0 AND direction_deg < 360),
    CONSTRAINT camera_fov CHECK (fov_deg > 0 AND fov_deg <= 360),
    CONSTRAINT camera_period CHECK (valid_to IS NULL OR valid_to > since)
);
CREATE INDEX camera_grid_idx ON shegu.camera (grid);
SELECT pg_catalog.pg_extension_config_dump('shegu.camera', '');
COMMENT ON TABLE shegu.camera IS
    'video cameras (天网/雪亮工程, seed 003: 视频监控摄像系统, 技防全覆盖): position, direction, field of view, range and owner, each in its grid';
COMMENT ON COLUMN shegu.camera.id IS 'camera number';
COMMENT ON COLUMN shegu.camera.code IS 'the camera''s code in the video platform';
COMMENT ON COLUMN shegu.camera.lon IS 'WGS-84 longitude';
COMMENT ON COLUMN shegu.camera.lat IS 'WGS-84 latitude';
COMMENT ON COLUMN shegu.camera.direction_deg IS 'direction it faces, degrees clockwise from north; NULL for a dome that turns all round';
COMMENT ON COLUMN shegu.camera.fov_deg IS 'field of view in degrees (360: all round)';
COMMENT ON COLUMN shegu.camera.range_m IS 'distance in metres within which it sees (0 < range ≤ 5000)';
COMMENT ON COLUMN shegu.camera.owner IS 'owner (公安, a township, a business)';
COMMENT ON COLUMN shegu.camera.since IS 'first day in service; the day it is located on';
COMMENT ON COLUMN shegu.camera.valid_to IS 'first day out of service; NULL while in service';
COMMENT ON COLUMN shegu.camera.grid IS 'its grid (shegu.locate on the day of since)';
COMMENT ON CONSTRAINT camera_range_positive ON shegu.camera IS 'a camera sees some distance: range_m > 0 (and at most 5 km)';
COMMENT ON CONSTRAINT camera_direction ON shegu.camera IS 'a direction is in [0, 360)';
COMMENT ON CONSTRAINT camera_fov ON shegu.camera IS 'a field of view is in (0, 360]';
COMMENT ON CONSTRAINT camera_period ON shegu.camera IS 'a camera goes out of service after it goes in';
COMMENT ON CONSTRAINT camera_pkey ON shegu.camera IS 'one row per camera';
COMMENT ON CONSTRAINT camera_code_key ON shegu.camera IS 'a platform code names one camera';
COMMENT ON INDEX shegu.camera_pkey IS 'finds a camera by number';
COMMENT ON INDEX shegu.camera_code_key IS 'finds a camera by platform code';
COMMENT ON INDEX shegu.camera_grid_idx IS 'the cameras of a grid subtree';
CREATE TRIGGER camera_locate BEFORE INSERT OR UPDATE OF lon, lat, since ON shegu.camera
    FOR EACH ROW EXECUTE FUNCTION shegu.base_locate('camera');
COMMENT ON TRIGGER camera_locate ON shegu.camera IS 'locates the camera in its grid; refuses one outside every grid';

-- ---------------------------------------------------------------------------------------------
-- People (人): households, persons, residences, residence permits.

CREATE TABLE shegu.household (
    id       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    number   text UNIQUE,
    kind     text NOT NULL DEFAULT 'family',
    house    bigint REFERENCES shegu.house,
    since    date NOT NULL DEFAULT current_date,
    left_on  date,
    CONSTRAINT household_kind CHECK (kind IN ('family', 'collective', 'floating')),
    CONSTRAINT household_period CHECK (left_on IS NULL OR left_on > since)
);
CREATE INDEX household_house_idx ON shegu.household (house);
SELECT pg_catalog.pg_extension_config_dump('shegu.household', '');
COMMENT ON TABLE shegu.household IS 'households (户): the people who live together in a house';
COMMENT ON COLUMN shegu.household.id IS 'household number';
COMMENT ON COLUMN shegu.household.number IS 'household-register number (户号), when registered';
COMMENT ON COLUMN shegu.household.kind IS 'family 家庭户, collective 集体户, floating 流动人口户';
COMMENT ON COLUMN shegu.household.house IS 'the house it lives in (shegu.house)';
COMMENT ON COLUMN shegu.household.since IS 'first day on record';
COMMENT ON COLUMN shegu.household.left_on IS 'first day it no longer lives here; NULL while it does';
COMMENT ON CONSTRAINT household_kind ON shegu.household IS 'kind is one of the known kinds';
COMMENT ON CONSTRAINT household_period ON shegu.household IS 'a household leaves after it arrives';
COMMENT ON CONSTRAINT household_pkey ON shegu.household IS 'one row per household';
COMMENT ON CONSTRAINT household_number_key ON shegu.household IS 'a register number names one household';
COMMENT ON CONSTRAINT household_house_fkey ON shegu.household IS 'the house is known';
COMMENT ON INDEX shegu.household_pkey IS 'finds a household by number';
COMMENT ON INDEX shegu.household_number_key IS 'finds a household by register number';
COMMENT ON INDEX shegu.household_house_idx IS 'the households of a house';

CREATE FUNCTION shegu.person_seal() RETURNS trigger
    AS 'MODULE_PATHNAME', 'base_person_seal' LANGUAGE C;
COMMENT ON FUNCTION shegu.person_seal() IS
    'BEFORE INSERT OR UPDATE trigger of shegu.person: checks id_number (GB 11643 for resident_id and foreign_permanent), seals it into id_hash and id_sealed (pgcrypto, key shegu.pii_key), writes id_masked, fills or checks birth_date and sex, and leaves id_number NULL';

CREATE TABLE shegu.person (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name            text NOT NULL,
    id_kind         text NOT NULL DEFAULT 'resident_id',
    id_number       text,
    id_hash         bytea,
    id_sealed       bytea,
    id_masked       text,
    sex             text,
    birth_date      date,
    phone           text,
    residence_kind  text NOT NULL DEFAULT 'registered',
    nationality     text NOT NULL DEFAULT 'CHN',
    household       bigint REFERENCES shegu.household,
    relation        text,
    employer        bigint REFERENCES shegu.organisation,
    since           date NOT NULL DEFAULT current_date,
    left_on         date,
    left_reason     text,
    anonymised_at   timestamptz,
    CONSTRAINT person_id_kind CHECK (id_kind IN ('resident_id', 'foreign_permanent', 'passport',
                                                 'hmt_permit', 'other')),
    CONSTRAINT person_id_number_sealed CHECK (id_number IS NULL),
    CONSTRAINT person_sex CHECK (sex IN ('male', 'female')),
    CONSTRAINT person_residence_kind CHECK (residence_kind IN ('registered', 'floating', 'overseas')),
    CONSTRAINT person_nationality CHECK (nationality ~ '^[A-Z]{3}$'),
    CONSTRAINT person_left CHECK (left_on IS NULL OR left_on >= since),
    CONSTRAINT person_left_reason CHECK (left_reason IN ('moved_away', 'died', 'other')),
    CONSTRAINT person_name CHECK (btrim(name) <> '')
);
CREATE UNIQUE INDEX person_id_hash_idx ON shegu.person (id_kind, id_hash);
CREATE INDEX person_household_idx ON shegu.person (household);
SELECT pg_catalog.pg_extension_config_dump('shegu.person', '');
COMMENT ON TABLE shegu.person IS
    'people (实有人口): residents registered here (户籍), floating (流动) and from abroad (境外), with their papers (以证管人, seed 000); the identity number is stored only sealed (PIPL 个人信息保护法)';
COMMENT ON COLUMN shegu.person.id IS 'person number';
COMMENT ON COLUMN shegu.person.name IS 'name (personal: read in clear through shegu.person_clear or shegu.my_residents)';
COMMENT ON COLUMN shegu.person.id_kind IS 'kind of document: resident_id 居民身份证, foreign_permanent 外国人永久居留身份证, passport 护照, hmt_permit 港澳台居民居住证/通行证, other';
COMMENT ON COLUMN shegu.person.id_number IS 'write-only: the document number as written; the trigger checks and seals it and stores NULL here';
COMMENT ON COLUMN shegu.person.id_hash IS 'HMAC-SHA256 of the number under shegu.pii_key (shegu.id_hash): finds a person by number, indexed';
COMMENT ON COLUMN shegu.person.id_sealed IS 'the number sealed with AES-256 (pgcrypto) under a key derived from shegu.pii_key, which is not in the database';
COMMENT ON COLUMN shegu.person.id_masked IS 'the number masked: 430528********1234 (address code and last four)';
COMMENT ON COLUMN shegu.person.sex IS 'male or female; from the identity number when it holds one';
COMMENT ON COLUMN shegu.person.birth_date IS 'date of birth; from the identity number when it holds one';
COMMENT ON COLUMN shegu.person.phone IS 'phone (personal: read in clear through shegu.person_clear or shegu.my_residents)';
COMMENT ON COLUMN shegu.person.residence_kind IS 'registered 户籍人口, floating 流动人口, overseas 境外人员';
COMMENT ON COLUMN shegu.person.nationality IS 'ISO 3166 alpha-3 country, CHN by default';
COMMENT ON COLUMN shegu.person.household IS 'the household (shegu.household) the person belongs to';
COMMENT ON COLUMN shegu.person.relation IS 'relation to the head of the household (与户主关系)';
COMMENT ON COLUMN shegu.person.employer IS 'the organisation the person works for (以业管人)';
COMMENT ON COLUMN shegu.person.since IS 'first day on record';
COMMENT ON COLUMN shegu.person.left_on IS 'the day the person moved away for good or died; shegu.purge_departed anonymises the person some years later';
COMMENT ON COLUMN shegu.person.left_reason IS 'moved_away 迁出, died 死亡, other';
COMMENT ON COLUMN shegu.person.anonymised_at IS 'when shegu.purge_departed removed the personal fields; NULL while they are kept';
COMMENT ON CONSTRAINT person_id_kind ON shegu.person IS 'id_kind is one of the known kinds of document';
COMMENT ON CONSTRAINT person_id_number_sealed ON shegu.person IS 'no document number is stored in clear';
COMMENT ON CONSTRAINT person_sex ON shegu.person IS 'sex is male or female';
COMMENT ON CONSTRAINT person_residence_kind ON shegu.person IS 'residence_kind is registered, floating or overseas';
COMMENT ON CONSTRAINT person_nationality ON shegu.person IS 'nationality is three capital letters (ISO 3166 alpha-3)';
COMMENT ON CONSTRAINT person_left ON shegu.person IS 'a person leaves after arriving';
COMMENT ON CONSTRAINT person_left_reason ON shegu.person IS 'left_reason is one of the known reasons';
COMMENT ON CONSTRAINT person_name ON shegu.person IS 'a name is not blank';
COMMENT ON CONSTRAINT person_pkey ON shegu.person IS 'one row per person';
COMMENT ON CONSTRAINT person_household_fkey ON shegu.person IS 'the household is known';
COMMENT ON CONSTRAINT person_employer_fkey ON shegu.person IS 'the employer is a known organisation';
COMMENT ON INDEX shegu.person_pkey IS 'finds a person by number';
COMMENT ON INDEX shegu.person_id_hash_idx IS 'one person per document; finds a person by document number (shegu.id_hash)';
COMMENT ON INDEX shegu.person_household_idx IS 'the members of a household';
CREATE TRIGGER person_seal BEFORE INSERT OR UPDATE OF id_number, id_kind, birth_date, sex ON shegu.person
    FOR EACH ROW EXECUTE FUNCTION shegu.person_seal();
COMMENT ON TRIGGER person_seal ON shegu.person IS 'checks and seals the identity number';
ALTER TABLE shegu.house ADD CONSTRAINT house_owner_fkey FOREIGN KEY (owner) REFERENCES shegu.person;
COMMENT ON CONSTRAINT house_owner_fkey ON shegu.house IS 'the owner is a known person';

CREATE TABLE shegu.residence (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person      bigint NOT NULL REFERENCES shegu.person,
    house       bigint NOT NULL REFERENCES shegu.house,
    valid_from  date NOT NULL DEFAULT current_date,
    valid_to    date,
    reason      text,
    CONSTRAINT residence_period CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT residence_one_home_at_a_time EXCLUDE USING gist (
        int8range(person, person, '[]') WITH &&, daterange(valid_from, valid_to) WITH &&)
        WHERE (reason IS NULL)
);
CREATE INDEX residence_house_idx ON shegu.residence (house);
CREATE INDEX residence_person_idx ON shegu.residence (person, valid_from);
SELECT pg_catalog.pg_extension_config_dump('shegu.residence', '');
COMMENT ON TABLE shegu.residence IS
    'where people live (居住), with periods: a move ends one row and starts another (shegu.move_person), so history is kept; a person lives in one home at a time unless a second one gives a reason';
COMMENT ON COLUMN shegu.residence.id IS 'residence number';
COMMENT ON COLUMN shegu.residence.person IS 'the person';
COMMENT ON COLUMN shegu.residence.house IS 'the house';
COMMENT ON COLUMN shegu.residence.valid_from IS 'first day living there';
COMMENT ON COLUMN shegu.residence.valid_to IS 'first day no longer living there; NULL while living there';
COMMENT ON COLUMN shegu.residence.reason IS 'why the person has this home besides the main one (e.g. 务工宿舍, 陪读); NULL for the main home';
COMMENT ON CONSTRAINT residence_period ON shegu.residence IS 'a residence ends after it starts';
COMMENT ON CONSTRAINT residence_one_home_at_a_time ON shegu.residence IS 'a person has one main home (reason NULL) on any day';
COMMENT ON CONSTRAINT residence_pkey ON shegu.residence IS 'one row per residence';
COMMENT ON CONSTRAINT residence_person_fkey ON shegu.residence IS 'the person is known';
COMMENT ON CONSTRAINT residence_house_fkey ON shegu.residence IS 'the house is known';
COMMENT ON INDEX shegu.residence_pkey IS 'finds a residence by number';
COMMENT ON INDEX shegu.residence_one_home_at_a_time IS 'enforces residence_one_home_at_a_time; finds a person''s homes';
COMMENT ON INDEX shegu.residence_house_idx IS 'the residents of a house';
COMMENT ON INDEX shegu.residence_person_idx IS 'the homes of a person, in time order';

CREATE TABLE shegu.residence_permit (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person      bigint NOT NULL REFERENCES shegu.person,
    number      text,
    issued_on   date NOT NULL,
    expires_on  date NOT NULL,
    issuer      text,
    CONSTRAINT residence_permit_period CHECK (expires_on > issued_on)
);
CREATE INDEX residence_permit_person_idx ON shegu.residence_permit (person);
SELECT pg_catalog.pg_extension_config_dump('shegu.residence_permit', '');
COMMENT ON TABLE shegu.residence_permit IS 'residence permits (居住证) of the floating population, with their expiry';
COMMENT ON COLUMN shegu.residence_permit.id IS 'permit row number';
COMMENT ON COLUMN shegu.residence_permit.person IS 'the holder';
COMMENT ON COLUMN shegu.residence_permit.number IS 'permit number';
COMMENT ON COLUMN shegu.residence_permit.issued_on IS 'day of issue';
COMMENT ON COLUMN shegu.residence_permit.expires_on IS 'first day it is no longer valid';
COMMENT ON COLUMN shegu.residence_permit.issuer IS 'issuing police station';
COMMENT ON CONSTRAINT residence_permit_period ON shegu.residence_permit IS 'a permit expires after it is issued';
COMMENT ON CONSTRAINT residence_permit_pkey ON shegu.residence_permit IS 'one row per permit';
COMMENT ON CONSTRAINT residence_permit_person_fkey ON shegu.residence_permit IS 'the holder is a known person';
COMMENT ON INDEX shegu.residence_permit_pkey IS 'finds a permit row';
COMMENT ON INDEX shegu.residence_permit_person_idx IS 'the permits of a person';

CREATE TABLE shegu.rental (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    house       bigint NOT NULL REFERENCES shegu.house,
    landlord    bigint REFERENCES shegu.person,
    valid_from  date NOT NULL,
    valid_to    date,
    filing      text NOT NULL DEFAULT 'pending',
    filed_on    date,
    CONSTRAINT rental_ends_after_it_starts CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT rental_filing CHECK (filing IN ('pending', 'filed', 'refused')),
    CONSTRAINT rental_filed_on CHECK ((filing = 'filed') = (filed_on IS NOT NULL))
);
CREATE INDEX rental_house_idx ON shegu.rental (house);
SELECT pg_catalog.pg_extension_config_dump('shegu.rental', '');
COMMENT ON TABLE shegu.rental IS
    'rental registrations (出租屋登记备案, seed 000: 出租房屋档案): a let of a house, its landlord and period and its filing state; tenants in shegu.rental_tenant';
COMMENT ON COLUMN shegu.rental.id IS 'rental number';
COMMENT ON COLUMN shegu.rental.house IS 'the house let';
COMMENT ON COLUMN shegu.rental.landlord IS 'the landlord (shegu.person)';
COMMENT ON COLUMN shegu.rental.valid_from IS 'first day of the let';
COMMENT ON COLUMN shegu.rental.valid_to IS 'first day after it (shegu.close_rental); NULL while it runs';
COMMENT ON COLUMN shegu.rental.filing IS 'pending 待备案, filed 已备案, refused 不予备案';
COMMENT ON COLUMN shegu.rental.filed_on IS 'the day it was filed (备案), when filed';
COMMENT ON CONSTRAINT rental_ends_after_it_starts ON shegu.rental IS 'a rental ends after it starts';
COMMENT ON CONSTRAINT rental_filing ON shegu.rental IS 'filing is pending, filed or refused';
COMMENT ON CONSTRAINT rental_filed_on ON shegu.rental IS 'a filed rental has its filing day, and only a filed one';
COMMENT ON CONSTRAINT rental_pkey ON shegu.rental IS 'one row per rental';
COMMENT ON CONSTRAINT rental_house_fkey ON shegu.rental IS 'the house is known';
COMMENT ON CONSTRAINT rental_landlord_fkey ON shegu.rental IS 'the landlord is a known person';
COMMENT ON INDEX shegu.rental_pkey IS 'finds a rental by number';
COMMENT ON INDEX shegu.rental_house_idx IS 'the rentals of a house';

CREATE TABLE shegu.rental_tenant (
    rental      bigint NOT NULL REFERENCES shegu.rental,
    person      bigint NOT NULL REFERENCES shegu.person,
    valid_from  date NOT NULL,
    valid_to    date,
    PRIMARY KEY (rental, person, valid_from),
    CONSTRAINT rental_tenant_period CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX rental_tenant_person_idx ON shegu.rental_tenant (person);
SELECT pg_catalog.pg_extension_config_dump('shegu.rental_tenant', '');
COMMENT ON TABLE shegu.rental_tenant IS 'the tenants (承租人) of a rental, each with a period';
COMMENT ON COLUMN shegu.rental_tenant.rental IS 'the rental';
COMMENT ON COLUMN shegu.rental_tenant.person IS 'the tenant';
COMMENT ON COLUMN shegu.rental_tenant.valid_from IS 'first day as tenant';
COMMENT ON COLUMN shegu.rental_tenant.valid_to IS 'first day no longer a tenant; NULL while one';
COMMENT ON CONSTRAINT rental_tenant_period ON shegu.rental_tenant IS 'a tenancy ends after it starts';
COMMENT ON CONSTRAINT rental_tenant_pkey ON shegu.rental_tenant IS 'one row per rental, tenant and first day';
COMMENT ON CONSTRAINT rental_tenant_rental_fkey ON shegu.rental_tenant IS 'the rental is known';
COMMENT ON CONSTRAINT rental_tenant_person_fkey ON shegu.rental_tenant IS 'the tenant is a known person';
COMMENT ON INDEX shegu.rental_tenant_pkey IS 'the tenants of a rental';
COMMENT ON INDEX shegu.rental_tenant_person_idx IS 'the tenancies of a person';

-- ---------------------------------------------------------------------------------------------
-- Categories of attention (9+X 特殊人群, 重点人群): configurable, each with control grades and the
-- follow-up duty a grade owes (read by the duty-cadence room).

CREATE TABLE shegu.attention_category (
    code     text PRIMARY KEY,
    parent   text REFERENCES shegu.attention_category ON UPDATE CASCADE,
    name_zh  text NOT NULL,
    name_en  text NOT NULL,
    source   text NOT NULL DEFAULT 'local',
    shipped  boolean NOT NULL DEFAULT false,
    CONSTRAINT attention_category_code CHECK (code ~ '^[a-z][a-z0-9_]*$')
);
SELECT pg_catalog.pg_extension_config_dump('shegu.attention_category', 'WHERE NOT shipped');
COMMENT ON TABLE shegu.attention_category IS
    'categories of attention (特殊人群/重点人群, the "9+X" of GB/T 31000): the shipped ones each quote the seed that names them; a county adds its own "X" (shipped false)';
COMMENT ON COLUMN shegu.attention_category.code IS 'category code, lower case, e.g. community_correction';
COMMENT ON COLUMN shegu.attention_category.parent IS 'a broader category, when this one refines it';
COMMENT ON COLUMN shegu.attention_category.name_zh IS 'Chinese name, e.g. 社区矫正人员';
COMMENT ON COLUMN shegu.attention_category.name_en IS 'English name';
COMMENT ON COLUMN shegu.attention_category.source IS 'where the category comes from: the seed quoted, or local';
COMMENT ON COLUMN shegu.attention_category.shipped IS 'true for rows shegu ships (pg_dump keeps only the others)';
COMMENT ON CONSTRAINT attention_category_code ON shegu.attention_category IS 'a code is lower-case letters, digits and underscores';
COMMENT ON CONSTRAINT attention_category_pkey ON shegu.attention_category IS 'one row per category';
COMMENT ON CONSTRAINT attention_category_parent_fkey ON shegu.attention_category IS 'the broader category is known';
COMMENT ON INDEX shegu.attention_category_pkey IS 'finds a category by code';

INSERT INTO shegu.attention_category (code, name_zh, name_en, source, shipped) VALUES
    ('community_correction', '社区矫正人员', 'people under community correction',
     'seed 003: 加强刑释解教、社区矫正人员管理服务; seed 000: 实施分级管控、跟踪监管', true),
    ('released_prisoner', '刑满释放人员', 'people released from prison (安置帮教)',
     'seed 003: 加强刑释解教、社区矫正人员管理服务', true),
    ('drug_user', '吸毒人员', 'drug users', 'seed 003: 加强吸毒人员管理服务,努力降低复吸率', true),
    ('severe_mental_illness', '严重精神障碍患者', 'people with severe mental illness',
     'seed 003: 加强精神病人管理服务; seed 000: 肇事肇祸精神病患人员', true),
    ('hiv_offender', '违法犯罪艾滋病人员', 'offenders living with HIV', 'seed 000: 违法犯罪艾滋病人员等高危人群', true),
    ('key_youth', '重点青少年', 'key youth (社会闲散青少年)',
     'seed 003: 加强重点青少年群体管理服务; seed 000: 社会闲散青少年', true),
    ('left_behind_child', '农村留守儿童', 'left-behind children', 'seed 003: 农村留守儿童的关爱帮扶', true),
    ('prisoner_child', '服刑在教人员未成年子女', 'minor children of prisoners', 'seed 003: 服刑在教人员未成年子女', true),
    ('street_child', '流浪乞讨少年儿童', 'street children', 'seed 003: 加强对流浪乞讨少年儿童的救助管理', true),
    ('cult_member', '邪教人员', 'members of cults', 'seed 003: 加强对“法轮功”等邪教组织、有害气功的防范控制', true),
    ('extreme_risk', '个人极端事件风险人员', 'people at risk of extreme acts',
     'seed 003: 有效预防和减少个人极端事件(案件)的发生', true);

CREATE TABLE shegu.attention_grade (
    category          text NOT NULL REFERENCES shegu.attention_category ON UPDATE CASCADE ON DELETE CASCADE,
    grade             text NOT NULL,
    name_zh           text NOT NULL,
    followup_every    int NOT NULL,
    followup_unit     text NOT NULL,
    followup_working  boolean NOT NULL DEFAULT false,
    followup_role     text NOT NULL DEFAULT 'grid_worker',
    source            text NOT NULL DEFAULT 'local',
    shipped           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (category, grade),
    CONSTRAINT attention_grade_every CHECK (followup_every > 0),
    CONSTRAINT attention_grade_unit CHECK (followup_unit IN ('day', 'week', 'month', 'quarter', 'year')),
    CONSTRAINT attention_grade_role CHECK (followup_role IN ('grid_head', 'grid_worker', 'police', 'auxiliary',
                                                            'supervisor', 'other'))
);
SELECT pg_catalog.pg_extension_config_dump('shegu.attention_grade', 'WHERE NOT shipped');
COMMENT ON TABLE shegu.attention_grade IS
    'control grades (管控等级, seed 000: 实施分级管控、跟踪监管) of each category and the follow-up each grade owes (how often, by which role); the shipped frequencies are local defaults, not from the seeds, which set none: a county replaces them';
COMMENT ON COLUMN shegu.attention_grade.category IS 'the category';
COMMENT ON COLUMN shegu.attention_grade.grade IS 'grade code within the category: shipped A (严管), B (重点), C (一般)';
COMMENT ON COLUMN shegu.attention_grade.name_zh IS 'Chinese name of the grade';
COMMENT ON COLUMN shegu.attention_grade.followup_every IS 'a follow-up (走访/帮教) is owed every this many units (> 0)';
COMMENT ON COLUMN shegu.attention_grade.followup_unit IS 'day, week, month, quarter or year';
COMMENT ON COLUMN shegu.attention_grade.followup_working IS 'true when the period counts working days (shegu.is_workday), false for calendar ones';
COMMENT ON COLUMN shegu.attention_grade.followup_role IS 'the grid_staff role that owes it';
COMMENT ON COLUMN shegu.attention_grade.source IS 'where the rule comes from ("local default" for the shipped frequencies)';
COMMENT ON COLUMN shegu.attention_grade.shipped IS 'true for rows shegu ships (pg_dump keeps only the others)';
COMMENT ON CONSTRAINT attention_grade_every ON shegu.attention_grade IS 'a follow-up period is positive';
COMMENT ON CONSTRAINT attention_grade_unit ON shegu.attention_grade IS 'the unit is day, week, month, quarter or year';
COMMENT ON CONSTRAINT attention_grade_role ON shegu.attention_grade IS 'the role is a grid_staff role';
COMMENT ON CONSTRAINT attention_grade_pkey ON shegu.attention_grade IS 'one row per category and grade';
COMMENT ON CONSTRAINT attention_grade_category_fkey ON shegu.attention_grade IS 'the category is known';
COMMENT ON INDEX shegu.attention_grade_pkey IS 'finds a grade of a category';

INSERT INTO shegu.attention_grade (category, grade, name_zh, followup_every, followup_unit, followup_role, source, shipped)
SELECT c.code, g.grade, g.name_zh, g.every, g.unit, 'grid_worker',
       'local default (the seeds ask for graded control, 分级管控, but set no frequency): a county replaces it', true
FROM shegu.attention_category AS c,
     (VALUES ('A', '严管', 1, 'week'), ('B', '重点', 1, 'month'), ('C', '一般', 1, 'quarter'))
         AS g(grade, name_zh, every, unit)
WHERE c.shipped;

CREATE TABLE shegu.person_attention (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person      bigint NOT NULL REFERENCES shegu.person,
    category    text NOT NULL,
    grade       text NOT NULL,
    valid_from  date NOT NULL DEFAULT current_date,
    valid_to    date,
    note        text,
    FOREIGN KEY (category, grade) REFERENCES shegu.attention_grade ON UPDATE CASCADE,
    CONSTRAINT person_attention_period CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX person_attention_person_idx ON shegu.person_attention (person, category, valid_from);
SELECT pg_catalog.pg_extension_config_dump('shegu.person_attention', '');
COMMENT ON TABLE shegu.person_attention IS
    'the categories of attention a person is in and the grade, over periods (分类建立高危人群档案, seed 000): a change of grade ends one row and starts another (shegu.set_attention)';
COMMENT ON COLUMN shegu.person_attention.id IS 'row number';
COMMENT ON COLUMN shegu.person_attention.person IS 'the person';
COMMENT ON COLUMN shegu.person_attention.category IS 'the category (shegu.attention_category)';
COMMENT ON COLUMN shegu.person_attention.grade IS 'the control grade (shegu.attention_grade)';
COMMENT ON COLUMN shegu.person_attention.valid_from IS 'first day in this grade';
COMMENT ON COLUMN shegu.person_attention.valid_to IS 'first day no longer in it; NULL while in it';
COMMENT ON COLUMN shegu.person_attention.note IS 'free note';
COMMENT ON CONSTRAINT person_attention_period ON shegu.person_attention IS 'a period ends after it starts';
COMMENT ON CONSTRAINT person_attention_pkey ON shegu.person_attention IS 'one row per period';
COMMENT ON CONSTRAINT person_attention_person_fkey ON shegu.person_attention IS 'the person is known';
COMMENT ON CONSTRAINT person_attention_category_grade_fkey ON shegu.person_attention IS 'the category and grade are known';
COMMENT ON INDEX shegu.person_attention_pkey IS 'finds a row by number';
COMMENT ON INDEX shegu.person_attention_person_idx IS 'the categories of a person';

CREATE FUNCTION shegu.person_attention_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    other record;
BEGIN
    SELECT a.* INTO other FROM shegu.person_attention AS a
    WHERE a.person = NEW.person AND a.category = NEW.category AND a.id <> NEW.id
      AND daterange(a.valid_from, a.valid_to) && daterange(NEW.valid_from, NEW.valid_to)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'person % is already in category % (grade %) from % to %',
                NEW.person, NEW.category, other.grade, other.valid_from, coalesce(other.valid_to::text, 'now')
            USING ERRCODE = 'exclusion_violation',
                  DETAIL = 'A person has one grade of a category on any day.',
                  HINT = 'Change the grade with shegu.set_attention(person, category, grade, on), which ends the current period.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION shegu.person_attention_check() IS
    'trigger of shegu.person_attention: refuses two periods of one category for one person that overlap';
CREATE CONSTRAINT TRIGGER person_attention_check AFTER INSERT OR UPDATE ON shegu.person_attention
    FOR EACH ROW EXECUTE FUNCTION shegu.person_attention_check();
COMMENT ON TRIGGER person_attention_check ON shegu.person_attention IS 'one grade of a category per person on any day';
COMMENT ON CONSTRAINT person_attention_check ON shegu.person_attention IS 'the constraint of the trigger person_attention_check: one grade of a category per person on any day';

-- ---------------------------------------------------------------------------------------------
-- Grid history of located objects, and the grid of a person.

CREATE TABLE shegu.base_grid_history (
    kind        text NOT NULL,
    id          bigint NOT NULL,
    grid        shegu.gridcode NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date NOT NULL,
    PRIMARY KEY (kind, id, valid_to),
    CONSTRAINT base_grid_history_kind CHECK (kind IN ('building', 'organisation', 'place', 'camera')),
    CONSTRAINT base_grid_history_period CHECK (valid_to > valid_from)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.base_grid_history', '');
COMMENT ON TABLE shegu.base_grid_history IS
    'the grids an object was in before boundaries were redrawn (shegu.relocate_base): the current grid is in the object''s own row';
COMMENT ON COLUMN shegu.base_grid_history.kind IS 'building, organisation, place or camera';
COMMENT ON COLUMN shegu.base_grid_history.id IS 'the object''s number in its table';
COMMENT ON COLUMN shegu.base_grid_history.grid IS 'the grid it was in';
COMMENT ON COLUMN shegu.base_grid_history.valid_from IS 'first day in that grid';
COMMENT ON COLUMN shegu.base_grid_history.valid_to IS 'first day in the next grid';
COMMENT ON CONSTRAINT base_grid_history_kind ON shegu.base_grid_history IS 'kind names a located table';
COMMENT ON CONSTRAINT base_grid_history_period ON shegu.base_grid_history IS 'a period ends after it starts';
COMMENT ON CONSTRAINT base_grid_history_pkey ON shegu.base_grid_history IS 'one row per object and end of period';
COMMENT ON INDEX shegu.base_grid_history_pkey IS 'finds the grid of an object on a day';

CREATE FUNCTION shegu.relocate_base(at date DEFAULT current_date)
    RETURNS TABLE (kind text, relocated bigint, outside bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    t text;
    n bigint;
    m bigint;
BEGIN
    IF at IS NULL OR NOT pg_catalog.isfinite(at) THEN
        RAISE EXCEPTION 'relocate_base needs a finite day, not %', coalesce(at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH t IN ARRAY ARRAY['building', 'organisation', 'place', 'camera'] LOOP
        EXECUTE pg_catalog.format($q$
            WITH moved AS (
                SELECT o.id, o.grid AS old, shegu.locate(o.lon, o.lat, 'wgs84', $1::timestamptz) AS new,
                       coalesce((SELECT max(h.valid_to) FROM shegu.base_grid_history AS h
                                 WHERE h.kind = %1$L AND h.id = o.id), o.since) AS was_since
                FROM shegu.%1$I AS o
                WHERE o.since < $1 AND (o.valid_to IS NULL OR o.valid_to > $1)),
            changed AS (SELECT * FROM moved WHERE new IS NOT NULL AND new OPERATOR(shegu.<>) old AND was_since < $1),
            kept AS (INSERT INTO shegu.base_grid_history (kind, id, grid, valid_from, valid_to)
                     SELECT %1$L, c.id, c.old, c.was_since, $1 FROM changed AS c),
            upd AS (UPDATE shegu.%1$I AS o SET grid = c.new FROM changed AS c WHERE o.id = c.id RETURNING o.id)
            SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM moved WHERE new IS NULL)$q$, t)
        INTO n, m USING at;
        kind := t; relocated := n; outside := m;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION shegu.relocate_base(date) IS
    'after boundaries are redrawn (调整区划): locates every building, organisation, place and camera again as of a day, moves those whose grid changed (the old grid goes to shegu.base_grid_history, ending that day) and counts, per table, the objects moved and those now outside every grid (left in their old grid); a function pg_cron can run nightly';

CREATE FUNCTION shegu.base_grid_at(kind text, id bigint, at date) RETURNS shegu.gridcode
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    g shegu.gridcode;
BEGIN
    IF kind NOT IN ('building', 'organisation', 'place', 'camera') THEN
        RAISE EXCEPTION 'unknown kind of located object "%"', kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use building, organisation, place or camera.';
    END IF;
    SELECT h.grid INTO g FROM shegu.base_grid_history AS h
    WHERE h.kind = base_grid_at.kind AND h.id = base_grid_at.id AND h.valid_from <= at AND h.valid_to > at;
    IF FOUND THEN
        RETURN g;
    END IF;
    EXECUTE pg_catalog.format('SELECT grid FROM shegu.%I WHERE id = $1', kind) INTO g USING id;
    RETURN g;
END
$$;
COMMENT ON FUNCTION shegu.base_grid_at(text, bigint, date) IS
    'the grid a building, organisation, place or camera was in on a day: from shegu.base_grid_history before its last move, else its current grid; NULL for an unknown number';

CREATE FUNCTION shegu.person_grid(person bigint, at date DEFAULT current_date) RETURNS shegu.gridcode
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce((SELECT h.grid FROM shegu.base_grid_history AS h
                     WHERE h.kind = 'building' AND h.id = b.id AND h.valid_from <= person_grid.at
                       AND h.valid_to > person_grid.at), b.grid)
    FROM shegu.residence AS r
    JOIN shegu.house AS ho ON ho.id = r.house
    JOIN shegu.building AS b ON b.id = ho.building
    WHERE r.person = person_grid.person AND r.valid_from <= person_grid.at
      AND (r.valid_to IS NULL OR r.valid_to > person_grid.at)
    ORDER BY r.reason IS NULL DESC, r.valid_from DESC
    LIMIT 1;
END;
COMMENT ON FUNCTION shegu.person_grid(bigint, date) IS
    'the grid of a person''s main home on a day (a second home when there is no main one): the grid of the building as it was drawn then; NULL when the person lived nowhere on record';

CREATE FUNCTION shegu.standard_address(house bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT concat_ws('', b.road, b.road_number, b.compound,
                     CASE WHEN b.building_no IS NOT NULL THEN b.building_no || '栋' END,
                     CASE WHEN h.unit <> '' THEN h.unit || '单元' END,
                     CASE WHEN h.room <> '' THEN h.room || '室' END)
    FROM shegu.house AS h JOIN shegu.building AS b ON b.id = h.building
    WHERE h.id = standard_address.house;
END;
COMMENT ON FUNCTION shegu.standard_address(bigint) IS
    'the standard address (标准地址) of a house: road and number, compound, building (栋), unit (单元), room (室), e.g. 金石路18号金石小区3栋2单元501室; NULL for an unknown house';

CREATE FUNCTION shegu.residence_permits_expiring(within interval DEFAULT interval '30 days',
                                                at date DEFAULT current_date)
    RETURNS TABLE (person bigint, permit bigint, number text, expires_on date, days_left int,
                   grid shegu.gridcode)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT ON (rp.person) rp.person, rp.id, rp.number, rp.expires_on,
           (rp.expires_on - residence_permits_expiring.at)::int, shegu.person_grid(rp.person, residence_permits_expiring.at)
    FROM shegu.residence_permit AS rp
    WHERE rp.issued_on <= residence_permits_expiring.at
      AND NOT EXISTS (SELECT 1 FROM shegu.residence_permit AS later
                      WHERE later.person = rp.person AND later.expires_on > rp.expires_on)
      AND rp.expires_on < (residence_permits_expiring.at + residence_permits_expiring.within)::date
    ORDER BY rp.person, rp.expires_on DESC;
END;
COMMENT ON FUNCTION shegu.residence_permits_expiring(interval, date) IS
    'the people whose latest residence permit (居住证) expires within an interval of a day, or has expired: the permit, its expiry, the days left (negative once expired) and the grid of the holder''s home; the 30-day default is a local default, not from the seeds; row-level security applies (grid staff see their own residents)';

-- ---------------------------------------------------------------------------------------------
-- The four changes of period (idempotent: repeating one changes nothing).

CREATE FUNCTION shegu.move_person(person bigint, house bigint, on_day date DEFAULT current_date)
    RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    cur record;
    new_id bigint;
BEGIN
    IF person IS NULL OR on_day IS NULL OR NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'move_person needs a person and a finite day'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM 1 FROM shegu.person AS p WHERE p.id = move_person.person FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'person % does not exist', person USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF house IS NOT NULL AND NOT EXISTS (SELECT 1 FROM shegu.house AS h WHERE h.id = move_person.house) THEN
        RAISE EXCEPTION 'house % does not exist', house USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT r.* INTO cur FROM shegu.residence AS r
    WHERE r.person = move_person.person AND r.reason IS NULL AND r.valid_from <= on_day
      AND (r.valid_to IS NULL OR r.valid_to > on_day);
    IF FOUND AND cur.house IS NOT DISTINCT FROM house THEN
        RETURN cur.id;                         -- already living there: nothing to do
    END IF;
    IF NOT FOUND AND house IS NULL THEN
        RETURN NULL;                           -- already moved out
    END IF;
    IF FOUND THEN
        IF cur.valid_from = on_day THEN
            DELETE FROM shegu.residence AS r WHERE r.id = cur.id;
        ELSE
            UPDATE shegu.residence AS r SET valid_to = on_day WHERE r.id = cur.id;
        END IF;
    END IF;
    IF house IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO shegu.residence (person, house, valid_from, valid_to)
    VALUES (person, house, on_day,
            (SELECT min(r.valid_from) FROM shegu.residence AS r
             WHERE r.person = move_person.person AND r.reason IS NULL AND r.valid_from > on_day))
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION shegu.move_person(bigint, bigint, date) IS
    'moves a person''s main home to a house from a day (搬迁): ends the current residence that day and starts the new one, keeping history; house NULL moves the person out; returns the residence that applies from that day (NULL when none); repeating the call changes nothing';

CREATE FUNCTION shegu.close_rental(rental bigint, on_day date DEFAULT current_date) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    SELECT x.* INTO r FROM shegu.rental AS x WHERE x.id = close_rental.rental FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rental % does not exist', rental USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF r.valid_to IS NOT NULL AND r.valid_to = on_day THEN
        RETURN;                                -- already closed that day
    END IF;
    IF r.valid_to IS NOT NULL THEN
        RAISE EXCEPTION 'rental % was closed on %, not %', rental, r.valid_to, on_day
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A closed rental is not closed again on another day: correct valid_to with UPDATE when the first day was wrong.';
    END IF;
    IF on_day <= r.valid_from THEN
        RAISE EXCEPTION 'rental % cannot end on %, on or before it started (%)', rental, on_day, r.valid_from
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE shegu.rental AS x SET valid_to = on_day WHERE x.id = r.id;
    UPDATE shegu.rental_tenant AS t SET valid_to = on_day
    WHERE t.rental = r.id AND (t.valid_to IS NULL OR t.valid_to > on_day) AND t.valid_from < on_day;
END
$$;
COMMENT ON FUNCTION shegu.close_rental(bigint, date) IS
    'ends a rental (退租) and its tenancies on a day; repeating it with the same day changes nothing; refuses a day on or before the start and a second, different end';

CREATE FUNCTION shegu.set_attention(person bigint, category text, grade text, on_day date DEFAULT current_date,
                                    note text DEFAULT NULL)
    RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    cur record;
    had boolean;
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM shegu.attention_category AS c WHERE c.code = set_attention.category) THEN
        RAISE EXCEPTION 'unknown category of attention "%"', category
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'The categories are in shegu.attention_category; a county adds its own there.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.attention_grade AS g
                   WHERE g.category = set_attention.category AND g.grade = set_attention.grade) THEN
        RAISE EXCEPTION 'category % has no grade "%"', category, grade
            USING ERRCODE = 'foreign_key_violation',
                  HINT = pg_catalog.format('Its grades: %s.', (SELECT string_agg(g.grade, ', ' ORDER BY g.grade)
                                                               FROM shegu.attention_grade AS g
                                                               WHERE g.category = set_attention.category));
    END IF;
    PERFORM 1 FROM shegu.person AS p WHERE p.id = set_attention.person FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'person % does not exist', person USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT a.* INTO cur FROM shegu.person_attention AS a
    WHERE a.person = set_attention.person AND a.category = set_attention.category
      AND a.valid_from <= on_day AND (a.valid_to IS NULL OR a.valid_to > on_day);
    had := FOUND;
    IF had AND cur.grade = grade THEN
        RETURN cur.id;
    END IF;
    IF had THEN
        IF cur.valid_from = on_day THEN
            DELETE FROM shegu.person_attention AS a WHERE a.id = cur.id;
        ELSE
            UPDATE shegu.person_attention AS a SET valid_to = on_day WHERE a.id = cur.id;
        END IF;
    END IF;
    INSERT INTO shegu.person_attention (person, category, grade, valid_from, valid_to, note)
    VALUES (person, category, grade, on_day, CASE WHEN had THEN cur.valid_to END, note)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION shegu.set_attention(bigint, text, text, date, text) IS
    'puts a person in a category of attention at a control grade from a day, or changes the grade (调整管控等级): ends the current period that day and starts the new one; returns the period that applies; repeating the call changes nothing; unknown category or grade: 23503';

CREATE FUNCTION shegu.end_attention(person bigint, category text, on_day date DEFAULT current_date) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE shegu.person_attention AS a SET valid_to = on_day
    WHERE a.person = end_attention.person AND a.category = end_attention.category
      AND a.valid_from < on_day AND (a.valid_to IS NULL OR a.valid_to > on_day);
    DELETE FROM shegu.person_attention AS a
    WHERE a.person = end_attention.person AND a.category = end_attention.category AND a.valid_from = on_day;
END
$$;
COMMENT ON FUNCTION shegu.end_attention(bigint, text, date) IS
    'takes a person out of a category of attention from a day (解除管控); repeating it changes nothing';

-- ---------------------------------------------------------------------------------------------
-- Personal information (PIPL): the scope of a reader, clear reads logged, masked views, retention.

CREATE FUNCTION shegu.person_home_grids(at date DEFAULT current_date)
    RETURNS TABLE (person bigint, grid shegu.gridcode)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT r.person, b.grid
    FROM shegu.residence AS r
    JOIN shegu.house AS h ON h.id = r.house
    JOIN shegu.building AS b ON b.id = h.building
    WHERE r.valid_from <= person_home_grids.at AND (r.valid_to IS NULL OR r.valid_to > person_home_grids.at);
END;
COMMENT ON FUNCTION shegu.person_home_grids(date) IS
    'every (person, grid of a home) on a day, main and second homes: the grids whose staff may read the person';

CREATE TABLE shegu.person_access_log (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    reader  name NOT NULL,
    person  bigint NOT NULL,
    fields  text NOT NULL,
    via     text NOT NULL
);
CREATE INDEX person_access_log_person_idx ON shegu.person_access_log (person, at);
CREATE INDEX person_access_log_reader_idx ON shegu.person_access_log (reader, at);
SELECT pg_catalog.pg_extension_config_dump('shegu.person_access_log', '');
COMMENT ON TABLE shegu.person_access_log IS
    'append-only log of every read of a person''s clear fields (who, whom, when, which fields, through which function): written by shegu.person_clear and shegu.my_residents, never updated; kept by pg_dump';
COMMENT ON COLUMN shegu.person_access_log.id IS 'log row number';
COMMENT ON COLUMN shegu.person_access_log.at IS 'when the fields were read';
COMMENT ON COLUMN shegu.person_access_log.reader IS 'the role that read them (SET ROLE, else the session user)';
COMMENT ON COLUMN shegu.person_access_log.person IS 'whose fields were read';
COMMENT ON COLUMN shegu.person_access_log.fields IS 'which clear fields: name, phone, id_number';
COMMENT ON COLUMN shegu.person_access_log.via IS 'the function that returned them';
COMMENT ON CONSTRAINT person_access_log_pkey ON shegu.person_access_log IS 'one row per read of one person';
COMMENT ON INDEX shegu.person_access_log_pkey IS 'finds a log row';
COMMENT ON INDEX shegu.person_access_log_person_idx IS 'who read a person''s fields, and when';
COMMENT ON INDEX shegu.person_access_log_reader_idx IS 'whose fields a role read, and when';

CREATE FUNCTION shegu.person_access_log_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.current_setting('shegu.purging', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'shegu.person_access_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Old rows go only through shegu.purge_departed.';
END
$$;
COMMENT ON FUNCTION shegu.person_access_log_guard() IS
    'trigger of shegu.person_access_log: refuses UPDATE and DELETE (the log is append-only) except the retention purge';
CREATE TRIGGER person_access_log_guard BEFORE UPDATE OR DELETE ON shegu.person_access_log
    FOR EACH ROW EXECUTE FUNCTION shegu.person_access_log_guard();
COMMENT ON TRIGGER person_access_log_guard ON shegu.person_access_log IS 'keeps the log append-only';

-- The caller as row-level security sees it: the SET ROLE role, else the session user.
CREATE FUNCTION shegu.base_reader() RETURNS name
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
            ELSE pg_catalog.current_setting('role')::name END;
COMMENT ON FUNCTION shegu.base_reader() IS
    'the role that reads: the one SET ROLE chose, else the session user (SECURITY DEFINER functions change current_user, not this)';

CREATE FUNCTION shegu.base_reader_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = shegu.base_reader())
       OR pg_catalog.pg_has_role(shegu.base_reader(), 'shegu_centre', 'MEMBER');
COMMENT ON FUNCTION shegu.base_reader_sees_all() IS
    'true when the reader is a superuser or a member of shegu_centre (the centre reads every person)';

CREATE FUNCTION shegu.my_residents(at date DEFAULT current_date, root shegu.gridcode DEFAULT NULL)
    RETURNS TABLE (person bigint, name text, phone text, id_masked text, sex text, birth_date date,
                   residence_kind text, house bigint, address text, grid shegu.gridcode)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    scope shegu.gridcode[];
    reader name := shegu.base_reader();
BEGIN
    IF shegu.base_reader_sees_all() THEN
        -- the centre: root's subtree, or every province that has buildings
        scope := CASE WHEN root IS NOT NULL THEN ARRAY[root]
                      ELSE (SELECT coalesce(array_agg(DISTINCT shegu.ancestor(b.grid, 1)), '{}') FROM shegu.building AS b) END;
    ELSE
        SELECT coalesce(array_agg(s.code), '{}') INTO scope FROM unnest(shegu.grid_scope()) AS s(code)
        WHERE root IS NULL OR s.code OPERATOR(shegu.<@) root OR root OPERATOR(shegu.<@) s.code;
        IF root IS NOT NULL THEN
            -- the part of the root's subtree inside the scope
            scope := (SELECT coalesce(array_agg(CASE WHEN root OPERATOR(shegu.<@) s THEN root ELSE s END), '{}')
                      FROM unnest(scope) AS s);
        END IF;
    END IF;
    RETURN QUERY
    WITH homes AS (
        -- the buildings of each code in scope (a range scan of the grid index)
        SELECT b.id AS building, b.grid
        FROM unnest(scope) AS s(code)
        JOIN shegu.building AS b
          ON b.grid OPERATOR(shegu.>=) s.code AND b.grid OPERATOR(shegu.<=) shegu.subtree_last(s.code)),
    rows AS (
        SELECT DISTINCT ON (p.id) p.id, p.name, p.phone, p.id_masked, p.sex, p.birth_date, p.residence_kind,
               h.id AS house, shegu.standard_address(h.id) AS address, m.grid
        FROM homes AS m
        JOIN shegu.house AS h ON h.building = m.building
        JOIN shegu.residence AS r ON r.house = h.id
        JOIN shegu.person AS p ON p.id = r.person
        WHERE r.valid_from <= at AND (r.valid_to IS NULL OR r.valid_to > at)
          AND p.anonymised_at IS NULL
        ORDER BY p.id, r.reason IS NULL DESC, r.valid_from DESC),
    logged AS (
        INSERT INTO shegu.person_access_log (reader, person, fields, via)
        SELECT DISTINCT reader, x.id, 'name,phone', 'my_residents' FROM rows AS x)
    SELECT x.* FROM rows AS x ORDER BY x.grid, x.address, x.id;
END
$$;
COMMENT ON FUNCTION shegu.my_residents(date, shegu.gridcode) IS
    'the people living on a day in the caller''s grids (网格员"我的居民"), each once, at the main home when it is in those grids: names and phones in clear, the identity number masked; a grid worker sees the subtrees of shegu.grid_scope(), the centre everything (or root''s subtree); every person returned is logged in shegu.person_access_log';

CREATE FUNCTION shegu.person_clear(persons bigint[])
    RETURNS TABLE (person bigint, name text, phone text, id_kind text, id_number text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    scope shegu.gridcode[];
    reader name := shegu.base_reader();
    denied bigint;
BEGIN
    IF NOT shegu.base_reader_sees_all() THEN
        scope := shegu.grid_scope();
        SELECT x INTO denied FROM unnest(persons) AS x
        WHERE NOT EXISTS (SELECT 1 FROM shegu.person_home_grids(current_date) AS g
                          WHERE g.person = x AND g.grid OPERATOR(shegu.<@) ANY (scope))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'person % does not live in the grids of %', denied, reader
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'Grid staff read the personal fields of the people living in their grids only.';
        END IF;
    END IF;
    INSERT INTO shegu.person_access_log (reader, person, fields, via)
    SELECT reader, p.id, 'name,phone,id_number', 'person_clear'
    FROM shegu.person AS p WHERE p.id = ANY (persons);
    RETURN QUERY
    SELECT p.id, p.name, p.phone, p.id_kind, CASE WHEN p.id_sealed IS NOT NULL THEN shegu.id_open(p.id_sealed) END
    FROM shegu.person AS p WHERE p.id = ANY (persons) ORDER BY p.id;
END
$$;
COMMENT ON FUNCTION shegu.person_clear(bigint[]) IS
    'the clear name, phone and identity number of people (个人信息明文): for the centre, or for grid staff of the grids the people live in (others: 42501, nothing returned); every person returned is logged in shegu.person_access_log';

CREATE FUNCTION shegu.find_person(id_kind text, number text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p.id FROM shegu.person AS p
    WHERE p.id_kind = find_person.id_kind AND p.id_hash = shegu.id_hash(find_person.id_kind, find_person.number);
END;
COMMENT ON FUNCTION shegu.find_person(text, text) IS
    'the person with a document number (by its HMAC, indexed), among the rows the caller may see; NULL when none; the number is checked first (an invalid identity number is an error)';

CREATE VIEW shegu.person_masked WITH (security_barrier) AS
    SELECT p.id, shegu.mask_name(p.name) AS name, p.id_masked, shegu.mask_phone(p.phone) AS phone, p.sex,
           pg_catalog.date_part('year', p.birth_date)::int AS birth_year, p.residence_kind, p.nationality,
           p.household, home.grid, p.since, p.left_on
    FROM shegu.person AS p
    LEFT JOIN (SELECT DISTINCT ON (r.person) r.person, b.grid
               FROM shegu.residence AS r
               JOIN shegu.house AS h ON h.id = r.house
               JOIN shegu.building AS b ON b.id = h.building
               WHERE r.valid_from <= CURRENT_DATE AND (r.valid_to IS NULL OR r.valid_to > CURRENT_DATE)
               ORDER BY r.person, r.reason IS NULL DESC, r.valid_from DESC) AS home ON home.person = p.id
    WHERE p.anonymised_at IS NULL;
COMMENT ON VIEW shegu.person_masked IS
    'people for analysts (脱敏): name, identity number and phone masked, year of birth only, the grid of the main home today';
COMMENT ON COLUMN shegu.person_masked.id IS 'person number';
COMMENT ON COLUMN shegu.person_masked.name IS 'name masked by shegu.mask_name';
COMMENT ON COLUMN shegu.person_masked.id_masked IS 'identity number masked';
COMMENT ON COLUMN shegu.person_masked.phone IS 'phone masked by shegu.mask_phone';
COMMENT ON COLUMN shegu.person_masked.sex IS 'male or female';
COMMENT ON COLUMN shegu.person_masked.birth_year IS 'year of birth';
COMMENT ON COLUMN shegu.person_masked.residence_kind IS 'registered, floating or overseas';
COMMENT ON COLUMN shegu.person_masked.nationality IS 'ISO 3166 alpha-3 country';
COMMENT ON COLUMN shegu.person_masked.household IS 'household number';
COMMENT ON COLUMN shegu.person_masked.grid IS 'grid of the main home today (shegu.person_grid)';
COMMENT ON COLUMN shegu.person_masked.since IS 'first day on record';
COMMENT ON COLUMN shegu.person_masked.left_on IS 'the day the person left, if so';

CREATE FUNCTION shegu.purge_departed(after interval DEFAULT interval '3 years', log_after interval DEFAULT interval '3 years')
    RETURNS TABLE (anonymised bigint, log_rows_deleted bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    a bigint;
    d bigint;
BEGIN
    IF after IS NULL OR after < interval '0' OR log_after IS NULL OR log_after < interval '0' THEN
        RAISE EXCEPTION 'retention periods must be positive intervals, not % and %', after, log_after
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE shegu.person AS p
    SET name = '(已匿名)', phone = NULL, id_hash = NULL, id_sealed = NULL, id_masked = NULL,
        birth_date = pg_catalog.date_trunc('year', p.birth_date)::date, household = NULL, employer = NULL,
        relation = NULL, anonymised_at = pg_catalog.now()
    WHERE p.left_on IS NOT NULL AND p.left_on < (CURRENT_DATE - after)::date AND p.anonymised_at IS NULL;
    GET DIAGNOSTICS a = ROW_COUNT;
    PERFORM pg_catalog.set_config('shegu.purging', 'on', true);
    DELETE FROM shegu.person_access_log AS l WHERE l.at < pg_catalog.now() - log_after;
    GET DIAGNOSTICS d = ROW_COUNT;
    PERFORM pg_catalog.set_config('shegu.purging', 'off', true);
    anonymised := a; log_rows_deleted := d;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION shegu.purge_departed(interval, interval) IS
    'retention (PIPL 最小必要): anonymises the people who left (moved away or died) more than after ago — name replaced, phone and identity number removed, birth date cut to the year, household and employer links cut; history rows stay, now pointing at an anonymous person — and deletes access-log rows older than log_after; the 3-year defaults are local defaults, not from the seeds: a county sets its own; a function pg_cron runs nightly';

-- ---------------------------------------------------------------------------------------------
-- Workload per grid (seed 003: 根据辖区面积、居住人口状况、出租屋底数、工厂商铺数、治安情况、地理环境及
-- 管理难易度等因素,按照权责明确、任务均衡、便于管理、全面覆盖的原则划分网格).

CREATE TABLE shegu.workload_rule (
    name                text PRIMARY KEY,
    w_households        float8 NOT NULL,
    w_floating          float8 NOT NULL,
    w_rentals           float8 NOT NULL,
    w_businesses        float8 NOT NULL,
    w_special           float8 NOT NULL,
    w_incidents         float8 NOT NULL,
    w_area_km2          float8 NOT NULL,
    low_ratio           float8 NOT NULL,
    high_ratio          float8 NOT NULL,
    source              text NOT NULL DEFAULT 'local',
    shipped             boolean NOT NULL DEFAULT false,
    CONSTRAINT workload_rule_weights CHECK (w_households >= 0 AND w_floating >= 0 AND w_rentals >= 0
        AND w_businesses >= 0 AND w_special >= 0 AND w_incidents >= 0 AND w_area_km2 >= 0),
    CONSTRAINT workload_rule_ratios CHECK (low_ratio > 0 AND low_ratio < 1 AND high_ratio > 1)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.workload_rule', 'WHERE NOT shipped');
COMMENT ON TABLE shegu.workload_rule IS
    'how a grid''s workload is scored and when it is out of line (任务均衡, seed 003): a weighted sum of the factors seed 003 names, compared with the median of the grid''s siblings; the shipped rule "default" is a local default, not from the seeds (which name the factors but give no weights): a county replaces it';
COMMENT ON COLUMN shegu.workload_rule.name IS 'rule name; shegu.grid_workload_balance uses "default" unless told otherwise';
COMMENT ON COLUMN shegu.workload_rule.w_households IS 'weight of a household (居住人口状况)';
COMMENT ON COLUMN shegu.workload_rule.w_floating IS 'extra weight of a floating or overseas resident';
COMMENT ON COLUMN shegu.workload_rule.w_rentals IS 'weight of a running rental (出租屋底数)';
COMMENT ON COLUMN shegu.workload_rule.w_businesses IS 'weight of a shop, factory or special trade (工厂商铺数)';
COMMENT ON COLUMN shegu.workload_rule.w_special IS 'weight of a person in a category of attention';
COMMENT ON COLUMN shegu.workload_rule.w_incidents IS 'weight of an incident reported in the month (治安情况)';
COMMENT ON COLUMN shegu.workload_rule.w_area_km2 IS 'weight of a km² of area (辖区面积)';
COMMENT ON COLUMN shegu.workload_rule.low_ratio IS 'a grid below this share of its siblings'' median is flagged underloaded';
COMMENT ON COLUMN shegu.workload_rule.high_ratio IS 'a grid above this multiple of its siblings'' median is flagged overloaded';
COMMENT ON COLUMN shegu.workload_rule.source IS 'where the numbers come from';
COMMENT ON COLUMN shegu.workload_rule.shipped IS 'true for the rule shegu ships (pg_dump keeps only the others)';
COMMENT ON CONSTRAINT workload_rule_weights ON shegu.workload_rule IS 'weights are not negative';
COMMENT ON CONSTRAINT workload_rule_ratios ON shegu.workload_rule IS '0 < low_ratio < 1 < high_ratio';
COMMENT ON CONSTRAINT workload_rule_pkey ON shegu.workload_rule IS 'one row per rule';
COMMENT ON INDEX shegu.workload_rule_pkey IS 'finds a rule by name';
INSERT INTO shegu.workload_rule VALUES
    ('default', 1, 0.5, 1, 1, 2, 1, 5, 0.5, 1.5,
     'local default, not from the seeds (seed 003 names the factors, not their weights): a county replaces it', true);

-- The tally of houses (住户台账汇总).  For every house, its grid and how many households, main-home
-- residents (in all, floating, from abroad) and rentals are open (no end date), kept by statement
-- triggers, so that the workload of every grid of a county sums one row a house instead of joining
-- every resident to its house and building (issue 14: under 1 s at 500,000 residents).  Rows that
-- began after the day asked, or ended after it, are corrected from the rows themselves through the
-- partial indexes below, so shegu.grid_workload_at is exact on any day; today's correction is a
-- handful of rows.  Each trigger counts its own table's rows, reading the person's kind and the
-- house's grid when they are there; the person trigger adds the kind of residences recorded before
-- their person (a restore loads tables in any order) and moves them when the kind changes, and the
-- house and building triggers keep each house's grid, so the tally does not depend on the order of
-- writes.  pg_dump leaves the tally out: the restore's COPY builds it again.
CREATE TABLE shegu.house_tally (
    house       bigint PRIMARY KEY,
    grid        shegu.gridcode,
    households  integer NOT NULL DEFAULT 0,
    residents   integer NOT NULL DEFAULT 0,
    floating    integer NOT NULL DEFAULT 0,
    overseas    integer NOT NULL DEFAULT 0,
    rentals     integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE shegu.house_tally IS
    'per house, its open rows (no end date): households, main-home residences (in all, of floating and of overseas people) and rentals; kept by triggers and read by grid_workload_at; derived data that pg_dump leaves out and a restore rebuilds; shegu.house_tally_rebuild() recomputes it';
COMMENT ON COLUMN shegu.house_tally.house IS 'the house (shegu.house.id); no foreign key, since a restore may load residences before houses';
COMMENT ON COLUMN shegu.house_tally.grid IS 'the grid of the house''s building (building.grid), kept when the house moves to another building or the building is relocated; NULL only while a restore has not yet loaded the house or its building';
CREATE INDEX house_tally_ungridded_idx ON shegu.house_tally (house) WHERE grid IS NULL;
COMMENT ON INDEX shegu.house_tally_ungridded_idx IS 'the houses whose grid is not known yet (during a restore): grid_workload_at looks theirs up';
COMMENT ON COLUMN shegu.house_tally.households IS 'households of the house that have not left (left_on IS NULL)';
COMMENT ON COLUMN shegu.house_tally.residents IS 'main-home residences (reason IS NULL) with no end date';
COMMENT ON COLUMN shegu.house_tally.floating IS 'of those, the residences of people whose residence_kind is floating (流动人口)';
COMMENT ON COLUMN shegu.house_tally.overseas IS 'of those, the residences of people whose residence_kind is overseas (境外人员)';
COMMENT ON COLUMN shegu.house_tally.rentals IS 'rentals of the house with no end date';
COMMENT ON CONSTRAINT house_tally_pkey ON shegu.house_tally IS 'one row per house';
COMMENT ON INDEX shegu.house_tally_pkey IS 'finds a house''s tally';
REVOKE ALL ON shegu.house_tally FROM PUBLIC;
GRANT SELECT ON shegu.house_tally TO shegu_centre;

CREATE INDEX residence_open_from_idx ON shegu.residence (valid_from) WHERE reason IS NULL AND valid_to IS NULL;
COMMENT ON INDEX shegu.residence_open_from_idx IS 'open main homes by start: those the tally counts that had not begun on an earlier day';
CREATE INDEX residence_closed_to_idx ON shegu.residence (valid_to) WHERE reason IS NULL AND valid_to IS NOT NULL;
COMMENT ON INDEX shegu.residence_closed_to_idx IS 'ended main homes by end: those still running on an earlier day, which the tally no longer counts';
CREATE INDEX household_open_since_idx ON shegu.household (since) WHERE left_on IS NULL;
COMMENT ON INDEX shegu.household_open_since_idx IS 'open households by start, for the tally''s correction on an earlier day';
CREATE INDEX household_closed_left_idx ON shegu.household (left_on) WHERE left_on IS NOT NULL;
COMMENT ON INDEX shegu.household_closed_left_idx IS 'households that left, by the day they left, for the tally''s correction on an earlier day';
CREATE INDEX rental_open_from_idx ON shegu.rental (valid_from) WHERE valid_to IS NULL;
COMMENT ON INDEX shegu.rental_open_from_idx IS 'open rentals by start, for the tally''s correction on an earlier day';
CREATE INDEX rental_closed_to_idx ON shegu.rental (valid_to) WHERE valid_to IS NOT NULL;
COMMENT ON INDEX shegu.rental_closed_to_idx IS 'ended rentals by end, for the tally''s correction on an earlier day';

CREATE FUNCTION shegu.house_tally_rebuild() RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    LOCK TABLE shegu.residence, shegu.household, shegu.rental, shegu.person, shegu.house, shegu.building IN SHARE MODE;
    LOCK TABLE shegu.house_tally IN EXCLUSIVE MODE;
    DELETE FROM shegu.house_tally;
    INSERT INTO shegu.house_tally (house, grid, households, residents, floating, overseas, rentals)
    SELECT y.house, b.grid, y.households, y.residents, y.floating, y.overseas, y.rentals
    FROM (SELECT x.house, sum(x.households) AS households, sum(x.residents) AS residents,
                 sum(x.floating) AS floating, sum(x.overseas) AS overseas, sum(x.rentals) AS rentals
          FROM (SELECT hh.house, 1 AS households, 0 AS residents, 0 AS floating, 0 AS overseas, 0 AS rentals
                FROM shegu.household AS hh WHERE hh.house IS NOT NULL AND hh.left_on IS NULL
                UNION ALL
                SELECT r.house, 0, 1, (p.residence_kind IS NOT DISTINCT FROM 'floating')::int,
                       (p.residence_kind IS NOT DISTINCT FROM 'overseas')::int, 0
                FROM shegu.residence AS r LEFT JOIN shegu.person AS p ON p.id = r.person
                WHERE r.reason IS NULL AND r.valid_to IS NULL
                UNION ALL
                SELECT re.house, 0, 0, 0, 0, 1 FROM shegu.rental AS re WHERE re.valid_to IS NULL) AS x
          GROUP BY x.house) AS y
    LEFT JOIN shegu.house AS h ON h.id = y.house LEFT JOIN shegu.building AS b ON b.id = h.building;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_rebuild() IS
    'recomputes shegu.house_tally from the households, residences, people and rentals (the triggers keep it; run it after a data-only restore with triggers disabled, or from pg_cron if people''s kinds are changed under REPEATABLE READ while their residences are written); returns the houses tallied';
REVOKE ALL ON FUNCTION shegu.house_tally_rebuild() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.house_tally_rebuild() TO shegu_centre;

-- Adds per-house differences to the tally (in house order, so that two writers of the same houses
-- lock them in the same order) and drops the houses left with nothing, so that the tally holds
-- what a rebuild would.  A NULL array counts as zeros.  Its plans are generic for a few houses
-- (the arrays' sizes would otherwise have each call planned again: a single-row write paid 0.4 ms
-- for it, 0.1 now) and planned for the arrays of a bulk load; the arrays are joined as rows,
-- never searched with = ANY, which a generic plan cannot hash.
CREATE FUNCTION shegu.house_tally_add(houses bigint[], households int[], residents int[], floating int[],
                                      overseas int[], rentals int[]) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    emptied bigint[];
BEGIN
    IF houses IS NULL THEN
        RETURN;
    END IF;
    IF pg_catalog.cardinality(houses) > 1000 THEN
        -- a bulk load: plan for these arrays (the function's SET restores the mode on return)
        PERFORM pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
    END IF;
    -- a house new to the tally takes the grid of its building, read under a share lock so that a
    -- concurrent move of the house or relocation of the building waits for this write (and its
    -- trigger then sees this row) or is seen by it
    PERFORM FROM unnest(houses) AS x(house) JOIN shegu.house AS h ON h.id = x.house
                 JOIN shegu.building AS b ON b.id = h.building
    WHERE NOT EXISTS (SELECT FROM shegu.house_tally AS t WHERE t.house = x.house)
    FOR SHARE OF h, b;
    WITH up AS (
        INSERT INTO shegu.house_tally AS t (house, grid, households, residents, floating, overseas, rentals)
        SELECT d.house, b.grid, coalesce(d.hh, 0), coalesce(d.rs, 0), coalesce(d.fl, 0), coalesce(d.os, 0),
               coalesce(d.rn, 0)
        FROM unnest(houses, households, residents, floating, overseas, rentals) AS d(house, hh, rs, fl, os, rn)
        LEFT JOIN shegu.house AS h ON h.id = d.house LEFT JOIN shegu.building AS b ON b.id = h.building
        ORDER BY d.house
        ON CONFLICT (house) DO UPDATE
        SET households = t.households + excluded.households, residents = t.residents + excluded.residents,
            floating = t.floating + excluded.floating, overseas = t.overseas + excluded.overseas,
            rentals = t.rentals + excluded.rentals
        RETURNING t.house, t.households = 0 AND t.residents = 0 AND t.floating = 0 AND t.overseas = 0
                  AND t.rentals = 0 AS empty)
    SELECT pg_catalog.array_agg(up.house) INTO emptied FROM up WHERE up.empty;
    IF emptied IS NOT NULL THEN
        DELETE FROM shegu.house_tally AS t USING unnest(emptied) AS e(house) WHERE t.house = e.house;
    END IF;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_add(bigint[], int[], int[], int[], int[], int[]) IS
    'internal: adds per-house differences (parallel arrays; NULL counts as zeros) to shegu.house_tally, in house order, and drops houses left with nothing';
REVOKE ALL ON FUNCTION shegu.house_tally_add(bigint[], int[], int[], int[], int[], int[]) FROM PUBLIC;

-- The statement triggers.  Each counts the open rows of its statement's new rows in and its old
-- rows out (static SQL, so each plan is made once a session and table).
CREATE FUNCTION shegu.house_tally_residence() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    -- the people's kinds are read under a share lock: a concurrent change of a kind either waits
    -- for this write to commit (and the person trigger then sees this row) or is seen by it
    IF TG_OP = 'INSERT' THEN
        PERFORM FROM shegu.person AS p
        WHERE p.id IN (SELECT n.person FROM new_rows AS n WHERE n.reason IS NULL AND n.valid_to IS NULL)
        FOR SHARE OF p;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM FROM shegu.person AS p
        WHERE p.id IN (SELECT o.person FROM old_rows AS o WHERE o.reason IS NULL AND o.valid_to IS NULL)
        FOR SHARE OF p;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM FROM shegu.person AS p
        WHERE p.id IN (SELECT n.person FROM new_rows AS n WHERE n.reason IS NULL AND n.valid_to IS NULL
                       UNION ALL
                       SELECT o.person FROM old_rows AS o WHERE o.reason IS NULL AND o.valid_to IS NULL)
        FOR SHARE OF p;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, array_agg(d.rs), array_agg(d.fl), array_agg(d.os), NULL)
        FROM (SELECT n.house, count(*)::int AS rs,
                     count(*) FILTER (WHERE p.residence_kind = 'floating')::int AS fl,
                     count(*) FILTER (WHERE p.residence_kind = 'overseas')::int AS os
              FROM new_rows AS n LEFT JOIN shegu.person AS p ON p.id = n.person
              WHERE n.reason IS NULL AND n.valid_to IS NULL GROUP BY n.house) AS d;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, array_agg(d.rs), array_agg(d.fl), array_agg(d.os), NULL)
        FROM (SELECT o.house, -count(*)::int AS rs,
                     -count(*) FILTER (WHERE p.residence_kind = 'floating')::int AS fl,
                     -count(*) FILTER (WHERE p.residence_kind = 'overseas')::int AS os
              FROM old_rows AS o LEFT JOIN shegu.person AS p ON p.id = o.person
              WHERE o.reason IS NULL AND o.valid_to IS NULL GROUP BY o.house) AS d;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, array_agg(d.rs), array_agg(d.fl), array_agg(d.os), NULL)
        FROM (SELECT x.house, sum(x.s)::int AS rs,
                     sum(x.s) FILTER (WHERE p.residence_kind = 'floating')::int AS fl,
                     sum(x.s) FILTER (WHERE p.residence_kind = 'overseas')::int AS os
              FROM (SELECT n.house, n.person, 1 AS s FROM new_rows AS n WHERE n.reason IS NULL AND n.valid_to IS NULL
                    UNION ALL
                    SELECT o.house, o.person, -1 FROM old_rows AS o WHERE o.reason IS NULL AND o.valid_to IS NULL) AS x
              LEFT JOIN shegu.person AS p ON p.id = x.person
              GROUP BY x.house HAVING sum(x.s) <> 0 OR sum(x.s) FILTER (WHERE p.residence_kind <> 'registered') <> 0) AS d;
    ELSE
        PERFORM shegu.house_tally_rebuild();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_residence() IS
    'statement trigger of shegu.residence: counts the open main homes it adds or removes (by the people''s kinds) in shegu.house_tally; a TRUNCATE rebuilds it';

CREATE FUNCTION shegu.house_tally_household() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), array_agg(d.n), NULL, NULL, NULL, NULL)
        FROM (SELECT n.house, count(*)::int AS n FROM new_rows AS n
              WHERE n.house IS NOT NULL AND n.left_on IS NULL GROUP BY n.house) AS d;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), array_agg(d.n), NULL, NULL, NULL, NULL)
        FROM (SELECT o.house, -count(*)::int AS n FROM old_rows AS o
              WHERE o.house IS NOT NULL AND o.left_on IS NULL GROUP BY o.house) AS d;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), array_agg(d.n), NULL, NULL, NULL, NULL)
        FROM (SELECT x.house, sum(x.s)::int AS n
              FROM (SELECT n.house, 1 AS s FROM new_rows AS n WHERE n.house IS NOT NULL AND n.left_on IS NULL
                    UNION ALL
                    SELECT o.house, -1 FROM old_rows AS o WHERE o.house IS NOT NULL AND o.left_on IS NULL) AS x
              GROUP BY x.house HAVING sum(x.s) <> 0) AS d;
    ELSE
        PERFORM shegu.house_tally_rebuild();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_household() IS
    'statement trigger of shegu.household: counts the households that have not left in shegu.house_tally; a TRUNCATE rebuilds it';

CREATE FUNCTION shegu.house_tally_rental() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, NULL, NULL, NULL, array_agg(d.n))
        FROM (SELECT n.house, count(*)::int AS n FROM new_rows AS n WHERE n.valid_to IS NULL GROUP BY n.house) AS d;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, NULL, NULL, NULL, array_agg(d.n))
        FROM (SELECT o.house, -count(*)::int AS n FROM old_rows AS o WHERE o.valid_to IS NULL GROUP BY o.house) AS d;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, NULL, NULL, NULL, array_agg(d.n))
        FROM (SELECT x.house, sum(x.s)::int AS n
              FROM (SELECT n.house, 1 AS s FROM new_rows AS n WHERE n.valid_to IS NULL
                    UNION ALL
                    SELECT o.house, -1 FROM old_rows AS o WHERE o.valid_to IS NULL) AS x
              GROUP BY x.house HAVING sum(x.s) <> 0) AS d;
    ELSE
        PERFORM shegu.house_tally_rebuild();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_rental() IS
    'statement trigger of shegu.rental: counts the rentals with no end date in shegu.house_tally; a TRUNCATE rebuilds it';

CREATE FUNCTION shegu.house_tally_person() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- residences recorded before their person (a restore loads tables in any order)
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, NULL, array_agg(d.fl), array_agg(d.os), NULL)
        FROM (SELECT r.house, count(*) FILTER (WHERE n.residence_kind = 'floating')::int AS fl,
                     count(*) FILTER (WHERE n.residence_kind = 'overseas')::int AS os
              FROM new_rows AS n JOIN shegu.residence AS r ON r.person = n.id AND r.reason IS NULL AND r.valid_to IS NULL
              WHERE n.residence_kind <> 'registered' GROUP BY r.house) AS d;
    ELSIF TG_OP = 'UPDATE' THEN
        -- a change of kind moves the person's open main home
        PERFORM shegu.house_tally_add(array_agg(d.house), NULL, NULL, array_agg(d.fl), array_agg(d.os), NULL)
        FROM (SELECT r.house,
                     sum((n.residence_kind = 'floating')::int - (o.residence_kind = 'floating')::int)::int AS fl,
                     sum((n.residence_kind = 'overseas')::int - (o.residence_kind = 'overseas')::int)::int AS os
              FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id AND o.residence_kind <> n.residence_kind
              JOIN shegu.residence AS r ON r.person = n.id AND r.reason IS NULL AND r.valid_to IS NULL
              GROUP BY r.house) AS d;
    ELSE
        PERFORM shegu.house_tally_rebuild();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_person() IS
    'statement trigger of shegu.person: counts the kind of residences recorded before their person, and moves a person''s open main home between floating, overseas and registered when the kind changes; a TRUNCATE rebuilds the tally';

CREATE FUNCTION shegu.house_tally_grid() RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'house' THEN
        -- a house moved to another building, or one a restore loaded after its residents
        UPDATE shegu.house_tally AS t SET grid = b.grid
        FROM new_rows AS n JOIN shegu.building AS b ON b.id = n.building
        WHERE t.house = n.id AND t.grid IS DISTINCT FROM b.grid;
    ELSE
        -- a building relocated (relocate_base, a new position), or one a restore loaded late
        UPDATE shegu.house_tally AS t SET grid = n.grid
        FROM new_rows AS n JOIN shegu.house AS h ON h.building = n.id
        WHERE t.house = h.id AND t.grid IS DISTINCT FROM n.grid;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION shegu.house_tally_grid() IS
    'statement trigger of shegu.house and shegu.building: keeps the grid of each house in shegu.house_tally when a house changes building or a building its grid (and when a restore loads them after the residents)';

CREATE TRIGGER house_tally_grid_insert AFTER INSERT ON shegu.house
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_grid();
CREATE TRIGGER house_tally_grid_update AFTER UPDATE ON shegu.house
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_grid();
CREATE TRIGGER house_tally_grid_insert AFTER INSERT ON shegu.building
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_grid();
CREATE TRIGGER house_tally_grid_update AFTER UPDATE ON shegu.building
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_grid();
COMMENT ON TRIGGER house_tally_grid_insert ON shegu.house IS 'gives houses a restore loaded after their residents their grid in shegu.house_tally';
COMMENT ON TRIGGER house_tally_grid_update ON shegu.house IS 'moves a house''s tally to the grid of its new building';
COMMENT ON TRIGGER house_tally_grid_insert ON shegu.building IS 'gives the houses of buildings a restore loaded late their grid in shegu.house_tally';
COMMENT ON TRIGGER house_tally_grid_update ON shegu.building IS 'moves the tally of a relocated building''s houses to its new grid';

CREATE TRIGGER house_tally_insert AFTER INSERT ON shegu.residence
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_residence();
CREATE TRIGGER house_tally_update AFTER UPDATE ON shegu.residence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_residence();
CREATE TRIGGER house_tally_delete AFTER DELETE ON shegu.residence
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_residence();
CREATE TRIGGER house_tally_truncate AFTER TRUNCATE ON shegu.residence
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_residence();
CREATE TRIGGER house_tally_insert AFTER INSERT ON shegu.household
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_household();
CREATE TRIGGER house_tally_update AFTER UPDATE ON shegu.household
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_household();
CREATE TRIGGER house_tally_delete AFTER DELETE ON shegu.household
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_household();
CREATE TRIGGER house_tally_truncate AFTER TRUNCATE ON shegu.household
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_household();
CREATE TRIGGER house_tally_insert AFTER INSERT ON shegu.rental
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_rental();
CREATE TRIGGER house_tally_update AFTER UPDATE ON shegu.rental
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_rental();
CREATE TRIGGER house_tally_delete AFTER DELETE ON shegu.rental
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_rental();
CREATE TRIGGER house_tally_truncate AFTER TRUNCATE ON shegu.rental
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_rental();
CREATE TRIGGER house_tally_insert AFTER INSERT ON shegu.person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_person();
CREATE TRIGGER house_tally_update AFTER UPDATE ON shegu.person
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_person();
CREATE TRIGGER house_tally_truncate AFTER TRUNCATE ON shegu.person
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.house_tally_person();
COMMENT ON TRIGGER house_tally_insert ON shegu.residence IS 'counts new main homes in shegu.house_tally';
COMMENT ON TRIGGER house_tally_update ON shegu.residence IS 'moves changed residences in shegu.house_tally';
COMMENT ON TRIGGER house_tally_delete ON shegu.residence IS 'takes deleted residences out of shegu.house_tally';
COMMENT ON TRIGGER house_tally_truncate ON shegu.residence IS 'rebuilds shegu.house_tally';
COMMENT ON TRIGGER house_tally_insert ON shegu.household IS 'counts new households in shegu.house_tally';
COMMENT ON TRIGGER house_tally_update ON shegu.household IS 'moves changed households in shegu.house_tally';
COMMENT ON TRIGGER house_tally_delete ON shegu.household IS 'takes deleted households out of shegu.house_tally';
COMMENT ON TRIGGER house_tally_truncate ON shegu.household IS 'rebuilds shegu.house_tally';
COMMENT ON TRIGGER house_tally_insert ON shegu.rental IS 'counts new rentals in shegu.house_tally';
COMMENT ON TRIGGER house_tally_update ON shegu.rental IS 'moves changed rentals in shegu.house_tally';
COMMENT ON TRIGGER house_tally_delete ON shegu.rental IS 'takes deleted rentals out of shegu.house_tally';
COMMENT ON TRIGGER house_tally_truncate ON shegu.rental IS 'rebuilds shegu.house_tally';
COMMENT ON TRIGGER house_tally_insert ON shegu.person IS 'counts the kind of residences recorded before their person (a restore in any order)';
COMMENT ON TRIGGER house_tally_update ON shegu.person IS 'moves a person''s open main home in shegu.house_tally when their residence kind changes';
COMMENT ON TRIGGER house_tally_truncate ON shegu.person IS 'rebuilds shegu.house_tally';

CREATE FUNCTION shegu.grid_workload_at(at date, root shegu.gridcode DEFAULT NULL)
    RETURNS TABLE (code shegu.gridcode, name text, kind text, level int, households bigint, residents bigint,
                   floating bigint, overseas bigint, rentals bigint, businesses bigint, organisations bigint,
                   key_places bigint, cameras bigint, special bigint, special_a bigint, special_b bigint,
                   special_c bigint, incidents bigint, area_km2 float8, incidents_per_1000 float8,
                   special_per_1000 float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path FROM CURRENT
SET work_mem = '256MB'
AS $fn$
BEGIN
    -- planned for the day given (EXECUTE ... USING plans with the values), so that the few rows
    -- correcting the tally on that day are estimated as few
    RETURN QUERY EXECUTE $q$
    WITH g AS (
        SELECT gr.code, gr.name, gr.kind, shegu.level(gr.code) AS level, gr.boundary
        FROM shegu.grid AS gr
        WHERE gr.valid_from <= $1 AND (gr.valid_to IS NULL OR gr.valid_to > $1)
          AND ($2 IS NULL OR gr.code OPERATOR(shegu.<@) $2)),
    leaf AS (
        SELECT x.grid, sum(x.households) AS households, sum(x.residents) AS residents, sum(x.floating) AS floating,
               sum(x.overseas) AS overseas, sum(x.rentals) AS rentals, sum(x.businesses) AS businesses,
               sum(x.organisations) AS organisations, sum(x.key_places) AS key_places, sum(x.cameras) AS cameras,
               sum(x.special) AS special, sum(x.special_a) AS special_a, sum(x.special_b) AS special_b,
               sum(x.special_c) AS special_c, sum(x.incidents) AS incidents
        FROM (
            -- households, residents and rentals: the tally of open rows, corrected by the rows
            -- that had not begun on that day and those that ended after it
            SELECT ht.grid, sum(ht.households) AS households, sum(ht.residents) AS residents,
                   sum(ht.floating) AS floating, sum(ht.overseas) AS overseas, sum(ht.rentals) AS rentals,
                   0 AS businesses, 0 AS organisations, 0 AS key_places, 0 AS cameras, 0 AS special,
                   0 AS special_a, 0 AS special_b, 0 AS special_c, 0 AS incidents
            FROM shegu.house_tally AS ht
            WHERE ht.grid IS NOT NULL
            GROUP BY ht.grid
            UNION ALL
            SELECT b.grid, sum(t.households), sum(t.residents), sum(t.floating), sum(t.overseas), sum(t.rentals),
                   0, 0, 0, 0, 0, 0, 0, 0, 0
            FROM (
                SELECT ht.house, ht.households, ht.residents, ht.floating, ht.overseas, ht.rentals
                FROM shegu.house_tally AS ht WHERE ht.grid IS NULL
                UNION ALL
                SELECT r.house, 0, r.sign, r.sign * (p.residence_kind = 'floating')::int,
                       r.sign * (p.residence_kind = 'overseas')::int, 0
                FROM (SELECT r1.house, r1.person, -1 AS sign FROM shegu.residence AS r1
                      WHERE r1.reason IS NULL AND r1.valid_to IS NULL AND r1.valid_from > $1
                      UNION ALL
                      SELECT r2.house, r2.person, 1 FROM shegu.residence AS r2
                      WHERE r2.reason IS NULL AND r2.valid_to IS NOT NULL AND r2.valid_to > $1
                        AND r2.valid_from <= $1) AS r
                JOIN shegu.person AS p ON p.id = r.person
                UNION ALL
                SELECT hh.house, -1, 0, 0, 0, 0 FROM shegu.household AS hh
                WHERE hh.house IS NOT NULL AND hh.left_on IS NULL AND hh.since > $1
                UNION ALL
                SELECT hh.house, 1, 0, 0, 0, 0 FROM shegu.household AS hh
                WHERE hh.house IS NOT NULL AND hh.left_on IS NOT NULL AND hh.left_on > $1
                  AND hh.since <= $1
                UNION ALL
                SELECT re.house, 0, 0, 0, 0, -1 FROM shegu.rental AS re
                WHERE re.valid_to IS NULL AND re.valid_from > $1
                UNION ALL
                SELECT re.house, 0, 0, 0, 0, 1 FROM shegu.rental AS re
                WHERE re.valid_to IS NOT NULL AND re.valid_to > $1
                  AND re.valid_from <= $1) AS t
            JOIN shegu.house AS h ON h.id = t.house
            JOIN shegu.building AS b ON b.id = h.building
            GROUP BY b.grid
            UNION ALL
            SELECT o.grid, 0, 0, 0, 0, 0, count(*) FILTER (WHERE o.kind IN ('shop', 'factory', 'special_trade')),
                   count(*), 0, 0, 0, 0, 0, 0, 0
            FROM shegu.organisation AS o
            WHERE o.since <= $1 AND (o.valid_to IS NULL OR o.valid_to > $1)
            GROUP BY o.grid
            UNION ALL
            SELECT pl.grid, 0, 0, 0, 0, 0, 0, 0, count(*), 0, 0, 0, 0, 0, 0
            FROM shegu.place AS pl
            WHERE pl.since <= $1 AND (pl.valid_to IS NULL OR pl.valid_to > $1)
            GROUP BY pl.grid
            UNION ALL
            SELECT c.grid, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 0, 0, 0, 0, 0
            FROM shegu.camera AS c
            WHERE c.since <= $1 AND (c.valid_to IS NULL OR c.valid_to > $1)
            GROUP BY c.grid
            UNION ALL
            SELECT b.grid, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(DISTINCT a.person),
                   count(DISTINCT a.person) FILTER (WHERE a.grade = 'A'),
                   count(DISTINCT a.person) FILTER (WHERE a.grade = 'B'),
                   count(DISTINCT a.person) FILTER (WHERE a.grade = 'C'), 0
            FROM shegu.person_attention AS a
            JOIN shegu.residence AS r ON r.person = a.person AND r.reason IS NULL
             AND r.valid_from <= $1 AND (r.valid_to IS NULL OR r.valid_to > $1)
            JOIN shegu.house AS h ON h.id = r.house
            JOIN shegu.building AS b ON b.id = h.building
            WHERE a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1)
            GROUP BY b.grid
            UNION ALL
            SELECT i.grid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*)
            FROM shegu.incident AS i
            WHERE i.grid IS NOT NULL
              AND i.reported_at >= pg_catalog.date_trunc('month', $1::timestamp)::timestamptz
              AND i.reported_at < (pg_catalog.date_trunc('month', $1::timestamp) + interval '1 month')::timestamptz
            GROUP BY i.grid) AS x
        GROUP BY x.grid),
    up AS (
        SELECT shegu.ancestor(l.grid, lv) AS code, l.*
        FROM leaf AS l, pg_catalog.generate_series(1, shegu.level(l.grid)) AS lv)
    SELECT g.code, g.name, g.kind, g.level,
           coalesce(sum(up.households), 0)::bigint, coalesce(sum(up.residents), 0)::bigint,
           coalesce(sum(up.floating), 0)::bigint, coalesce(sum(up.overseas), 0)::bigint,
           coalesce(sum(up.rentals), 0)::bigint, coalesce(sum(up.businesses), 0)::bigint,
           coalesce(sum(up.organisations), 0)::bigint, coalesce(sum(up.key_places), 0)::bigint,
           coalesce(sum(up.cameras), 0)::bigint, coalesce(sum(up.special), 0)::bigint,
           coalesce(sum(up.special_a), 0)::bigint, coalesce(sum(up.special_b), 0)::bigint,
           coalesce(sum(up.special_c), 0)::bigint, coalesce(sum(up.incidents), 0)::bigint,
           round((ST_Area(g.boundary::geography) / 1e6)::numeric, 3)::float8,
           CASE WHEN sum(up.residents) > 0 THEN round((1000.0 * sum(up.incidents) / sum(up.residents))::numeric, 2)::float8 END,
           CASE WHEN sum(up.residents) > 0 THEN round((1000.0 * sum(up.special) / sum(up.residents))::numeric, 2)::float8 END
    FROM g LEFT JOIN up ON up.code OPERATOR(shegu.=) g.code
    GROUP BY g.code, g.name, g.kind, g.level, g.boundary
    ORDER BY g.code
$q$ USING at, root;
END
$fn$;
COMMENT ON FUNCTION shegu.grid_workload_at(date, shegu.gridcode) IS
    'per grid valid on a day (under root when given), for its whole subtree: households, residents (main homes), floating and overseas residents, running rentals, businesses (shops, factories, special trades) and all organisations, key places, cameras, people in categories of attention (in all and at the shipped grades A/B/C), incidents reported in that calendar month, area in km², and incidents and special population per 1,000 residents (the index''s denominators)';

CREATE VIEW shegu.grid_workload AS
    SELECT * FROM shegu.grid_workload_at(current_date);
COMMENT ON VIEW shegu.grid_workload IS 'shegu.grid_workload_at(today): the workload of every grid as it stands (plain types, for BI tools)';
COMMENT ON COLUMN shegu.grid_workload.code IS 'grid code';
COMMENT ON COLUMN shegu.grid_workload.name IS 'grid name';
COMMENT ON COLUMN shegu.grid_workload.kind IS 'grid kind';
COMMENT ON COLUMN shegu.grid_workload.level IS 'level of the code (1 province .. 7 micro-grid)';
COMMENT ON COLUMN shegu.grid_workload.households IS 'households (户)';
COMMENT ON COLUMN shegu.grid_workload.residents IS 'residents (实有人口) by main home';
COMMENT ON COLUMN shegu.grid_workload.floating IS 'floating residents (流动人口)';
COMMENT ON COLUMN shegu.grid_workload.overseas IS 'overseas residents (境外人员)';
COMMENT ON COLUMN shegu.grid_workload.rentals IS 'running rentals (出租屋)';
COMMENT ON COLUMN shegu.grid_workload.businesses IS 'shops, factories and special trades (工厂商铺)';
COMMENT ON COLUMN shegu.grid_workload.organisations IS 'organisations of every kind';
COMMENT ON COLUMN shegu.grid_workload.key_places IS 'key places (重点场所)';
COMMENT ON COLUMN shegu.grid_workload.cameras IS 'cameras in service';
COMMENT ON COLUMN shegu.grid_workload.special IS 'people in a category of attention (特殊人群)';
COMMENT ON COLUMN shegu.grid_workload.special_a IS 'of them at grade A (严管)';
COMMENT ON COLUMN shegu.grid_workload.special_b IS 'of them at grade B (重点)';
COMMENT ON COLUMN shegu.grid_workload.special_c IS 'of them at grade C (一般)';
COMMENT ON COLUMN shegu.grid_workload.incidents IS 'incidents reported this calendar month';
COMMENT ON COLUMN shegu.grid_workload.area_km2 IS 'area in km²';
COMMENT ON COLUMN shegu.grid_workload.incidents_per_1000 IS 'incidents per 1,000 residents';
COMMENT ON COLUMN shegu.grid_workload.special_per_1000 IS 'special population per 1,000 residents';

CREATE FUNCTION shegu.grid_workload_balance(at date DEFAULT current_date, rule text DEFAULT 'default',
                                            root shegu.gridcode DEFAULT NULL)
    RETURNS TABLE (code shegu.gridcode, name text, parent shegu.gridcode, parent_name text, score float8,
                   siblings int, sibling_median float8, ratio float8, flag text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    r shegu.workload_rule;
BEGIN
    SELECT * INTO r FROM shegu.workload_rule AS w WHERE w.name = rule;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown workload rule "%"', rule
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The rules are in shegu.workload_rule.';
    END IF;
    RETURN QUERY
    WITH w AS (
        SELECT x.code, x.name, shegu.parent(x.code) AS parent, x.level,
               round((r.w_households * x.households + r.w_floating * (x.floating + x.overseas)
                      + r.w_rentals * x.rentals + r.w_businesses * x.businesses + r.w_special * x.special
                      + r.w_incidents * x.incidents + r.w_area_km2 * coalesce(x.area_km2, 0))::numeric, 1)::float8 AS score
        FROM shegu.grid_workload_at(at, root) AS x
        WHERE x.kind IN ('basic', 'dedicated', 'micro')),
    m AS (
        SELECT w.parent, count(*)::int AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY w.score) AS median
        FROM w GROUP BY w.parent)
    SELECT w.code, w.name, w.parent, pg.name, w.score, m.n, round(m.median::numeric, 1)::float8,
           CASE WHEN m.median > 0 THEN round((w.score / m.median)::numeric, 2)::float8 END,
           CASE WHEN m.n < 2 THEN 'alone'
                WHEN m.median = 0 THEN CASE WHEN w.score > 0 THEN 'overloaded' ELSE 'balanced' END
                WHEN w.score / m.median > r.high_ratio THEN 'overloaded'
                WHEN w.score / m.median < r.low_ratio THEN 'underloaded'
                ELSE 'balanced' END
    FROM w JOIN m ON m.parent OPERATOR(shegu.=) w.parent
    LEFT JOIN shegu.grid AS pg ON pg.code OPERATOR(shegu.=) w.parent
         AND pg.valid_from <= at AND (pg.valid_to IS NULL OR pg.valid_to > at)
    ORDER BY w.code;
END
$$;
COMMENT ON FUNCTION shegu.grid_workload_balance(date, text, shegu.gridcode) IS
    'the division rule of seed 003 (任务均衡): every basic, dedicated and micro grid''s workload score (shegu.workload_rule), the median of its siblings (the grids of its community) and the flag overloaded, underloaded, balanced, or alone (no sibling to compare with)';

-- ---------------------------------------------------------------------------------------------
-- Camera coverage (seed 000: 重点场所...电子监控全覆盖).

CREATE FUNCTION shegu.camera_view(lon float8, lat float8, direction_deg float8, fov_deg float8, range_m float8)
    RETURNS geometry
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
    centre geography := ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
    pts geometry[];
    steps int;
    a float8;
BEGIN
    IF lon IS NULL OR lat IS NULL OR range_m IS NULL THEN
        RETURN NULL;
    END IF;
    IF range_m <= 0 OR range_m = 'NaN'::float8 THEN
        RAISE EXCEPTION 'camera range % m is not positive', range_m USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF direction_deg IS NULL OR fov_deg IS NULL OR fov_deg >= 360 THEN
        RETURN ST_Buffer(centre, range_m, 'quad_segs=16')::geometry;
    END IF;
    steps := greatest(2, ceil(fov_deg / 5)::int);
    pts := ARRAY[ST_SetSRID(ST_MakePoint(lon, lat), 4326)];
    FOR i IN 0..steps LOOP
        a := direction_deg - fov_deg / 2 + fov_deg * i / steps;
        pts := pts || ST_Project(centre, range_m, radians(a))::geometry;
    END LOOP;
    pts := pts || ST_SetSRID(ST_MakePoint(lon, lat), 4326);
    RETURN ST_MakePolygon(ST_MakeLine(pts));
END
$$;
COMMENT ON FUNCTION shegu.camera_view(float8, float8, float8, float8, float8) IS
    'the area a camera sees: a sector of range_m metres facing direction_deg (clockwise from north) fov_deg wide, or a disc for a dome (direction NULL or fov 360); WGS-84 polygon, arcs in 5° steps';

CREATE FUNCTION shegu.camera_sees(c shegu.camera, lon float8, lat float8) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ST_DWithin(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography,
                  ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, c.range_m)
       AND (c.direction_deg IS NULL OR c.fov_deg >= 360
            OR (c.lon = lon AND c.lat = lat)
            OR abs(((degrees(ST_Azimuth(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography,
                                        ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography))
                     - c.direction_deg + 540)::numeric % 360) - 180) <= c.fov_deg / 2);
COMMENT ON FUNCTION shegu.camera_sees(shegu.camera, float8, float8) IS
    'does the camera see the point: within its range (on the spheroid) and within its field of view';

CREATE FUNCTION shegu.place_camera_coverage_at(at date DEFAULT current_date)
    RETURNS TABLE (place bigint, name text, kind text, grid shegu.gridcode, cameras bigint, seen boolean)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p.id, p.name, p.kind, p.grid, count(c.id), count(c.id) > 0
    FROM shegu.place AS p
    LEFT JOIN shegu.camera AS c
           ON c.since <= place_camera_coverage_at.at
          AND (c.valid_to IS NULL OR c.valid_to > place_camera_coverage_at.at)
          AND ST_DWithin(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326),
                         c.range_m / 50000.0)
          AND shegu.camera_sees(c, p.lon, p.lat)
    WHERE p.since <= place_camera_coverage_at.at AND (p.valid_to IS NULL OR p.valid_to > place_camera_coverage_at.at)
    GROUP BY p.id, p.name, p.kind, p.grid
    ORDER BY p.id;
END;
COMMENT ON FUNCTION shegu.place_camera_coverage_at(date) IS
    'every key place on a day and how many cameras in service see it (shegu.camera_sees); seen is true for at least one';

CREATE FUNCTION shegu.grid_camera_coverage_at(at date DEFAULT current_date, level int DEFAULT NULL,
                                              root shegu.gridcode DEFAULT NULL)
    RETURNS TABLE (code shegu.gridcode, name text, key_places bigint, key_places_seen bigint,
                   key_place_share float8, area_share float8, road_km float8, road_share float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH g AS (
        SELECT gr.code, gr.name, gr.boundary
        FROM shegu.grid AS gr
        WHERE gr.valid_from <= grid_camera_coverage_at.at
          AND (gr.valid_to IS NULL OR gr.valid_to > grid_camera_coverage_at.at) AND gr.boundary IS NOT NULL
          AND (grid_camera_coverage_at.level IS NULL OR shegu.level(gr.code) = grid_camera_coverage_at.level)
          AND (grid_camera_coverage_at.root IS NULL OR gr.code OPERATOR(shegu.<@) grid_camera_coverage_at.root)),
    views AS (
        SELECT g.code, ST_Union(shegu.camera_view(c.lon, c.lat, c.direction_deg, c.fov_deg, c.range_m)) AS seen
        FROM g JOIN shegu.camera AS c
             ON ST_DWithin(g.boundary, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), c.range_m / 50000.0)
            AND c.since <= grid_camera_coverage_at.at
            AND (c.valid_to IS NULL OR c.valid_to > grid_camera_coverage_at.at)
        GROUP BY g.code),
    places AS (
        SELECT pc.grid, count(*) AS n, count(*) FILTER (WHERE pc.seen) AS seen
        FROM shegu.place_camera_coverage_at(grid_camera_coverage_at.at) AS pc GROUP BY pc.grid),
    roads AS (
        SELECT g.code, sum(ST_Length(ST_Intersection(r.geom, g.boundary)::geography)) AS len,
               sum(ST_Length(ST_Intersection(ST_Intersection(r.geom, g.boundary), v.seen)::geography)) AS seen_len
        FROM g JOIN shegu.road AS r ON ST_Intersects(r.geom, g.boundary)
        LEFT JOIN views AS v ON v.code OPERATOR(shegu.=) g.code
        GROUP BY g.code)
    SELECT g.code, g.name,
           coalesce((SELECT sum(p.n) FROM places AS p WHERE p.grid OPERATOR(shegu.<@) g.code), 0)::bigint,
           coalesce((SELECT sum(p.seen) FROM places AS p WHERE p.grid OPERATOR(shegu.<@) g.code), 0)::bigint,
           (SELECT round((sum(p.seen)::numeric / sum(p.n)), 4)::float8 FROM places AS p
            WHERE p.grid OPERATOR(shegu.<@) g.code HAVING sum(p.n) > 0),
           round(coalesce(ST_Area(ST_Intersection(g.boundary, v.seen)::geography) / nullif(ST_Area(g.boundary::geography), 0), 0)::numeric, 4)::float8,
           round((rd.len / 1000)::numeric, 3)::float8,
           CASE WHEN rd.len > 0 THEN round((coalesce(rd.seen_len, 0) / rd.len)::numeric, 4)::float8 END
    FROM g LEFT JOIN views AS v ON v.code OPERATOR(shegu.=) g.code
    LEFT JOIN roads AS rd ON rd.code OPERATOR(shegu.=) g.code
    ORDER BY g.code;
END;
COMMENT ON FUNCTION shegu.grid_camera_coverage_at(date, int, shegu.gridcode) IS
    'camera coverage (技防覆盖) per grid valid on a day (of one level, under root, when given): key places in its subtree and how many at least one camera sees, the share of its area inside some camera''s view (cameras of neighbouring grids count), and, when shegu.road holds roads, their length in the grid and the share within a camera''s view';

-- ---------------------------------------------------------------------------------------------
-- Bulk load with a per-row report: rows staged in a table of text columns are loaded into a base
-- table all together, or, when any row is bad, none is and every bad row is reported.

CREATE FUNCTION shegu.base_load(target text, staging regclass)
    RETURNS TABLE (line bigint, ok boolean, sqlstate text, message text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    cols text;
    exprs text;
    n bigint;
    rec record;
    bad bigint := 0;
    report_line bigint[] := '{}';
    report_state text[] := '{}';
    report_msg text[] := '{}';
BEGIN
    IF target NOT IN ('building', 'house', 'household', 'person', 'residence', 'residence_permit', 'rental',
                      'rental_tenant', 'organisation', 'place', 'camera', 'road', 'person_attention') THEN
        RAISE EXCEPTION 'unknown base table "%"', target
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'building, house, household, person, residence, residence_permit, rental, rental_tenant, organisation, place, camera, road or person_attention.';
    END IF;
    SELECT string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg(pg_catalog.format('s.%I::%s', a.attname, pg_catalog.format_type(t.atttypid, t.atttypmod)), ', '
                      ORDER BY a.attnum)
    INTO cols, exprs
    FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_attribute AS t ON t.attrelid = pg_catalog.format('shegu.%I', target)::regclass
                                     AND t.attname = a.attname AND t.attnum > 0 AND NOT t.attisdropped
    WHERE a.attrelid = staging AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'line';
    IF cols IS NULL THEN
        RAISE EXCEPTION 'staging table % has no column of shegu.%', staging, target
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the staging table''s columns as the target table''s.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
               WHERE a.attrelid = staging AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'line'
                 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS t
                                 WHERE t.attrelid = pg_catalog.format('shegu.%I', target)::regclass
                                   AND t.attname = a.attname AND NOT t.attisdropped)) THEN
        RAISE EXCEPTION 'staging table % has columns shegu.% does not: %', staging, target,
                (SELECT string_agg(a.attname, ', ') FROM pg_catalog.pg_attribute AS a
                 WHERE a.attrelid = staging AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'line'
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS t
                                   WHERE t.attrelid = pg_catalog.format('shegu.%I', target)::regclass
                                     AND t.attname = a.attname AND NOT t.attisdropped))
            USING ERRCODE = 'undefined_column';
    END IF;
    -- the fast path: every row in one statement
    BEGIN
        EXECUTE pg_catalog.format('INSERT INTO shegu.%I (%s) SELECT %s FROM %s AS s', target, cols, exprs, staging);
        GET DIAGNOSTICS n = ROW_COUNT;
        line := NULL; ok := true; sqlstate := '00000'; message := pg_catalog.format('%s rows loaded into shegu.%s', n, target);
        RETURN NEXT;
        RETURN;
    EXCEPTION WHEN OTHERS THEN
        NULL;                                   -- some row is bad: find every one below
    END;
    -- the report: each row alone, inside a block that is rolled back whatever happens
    BEGIN
        FOR rec IN EXECUTE pg_catalog.format(
            'SELECT %s AS line, to_jsonb(s) AS data FROM %s AS s ORDER BY 1',
            CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                              WHERE a.attrelid = staging AND a.attname = 'line' AND NOT a.attisdropped)
                 THEN 'line::bigint' ELSE 'row_number() OVER ()' END, staging)
        LOOP
            BEGIN
                EXECUTE pg_catalog.format('INSERT INTO shegu.%I (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) AS s',
                                          target, cols, exprs, staging) USING rec.data;
            EXCEPTION WHEN OTHERS THEN
                bad := bad + 1;
                report_line := report_line || rec.line;
                report_state := report_state || SQLSTATE;
                report_msg := report_msg || SQLERRM;
            END;
        END LOOP;
        RAISE EXCEPTION USING ERRCODE = 'SG999', MESSAGE = 'roll back the trial';
    EXCEPTION WHEN SQLSTATE 'SG999' THEN
        NULL;
    END;
    FOR i IN 1 .. coalesce(array_length(report_line, 1), 0) LOOP
        line := report_line[i]; ok := false; sqlstate := report_state[i]; message := report_msg[i];
        RETURN NEXT;
    END LOOP;
    IF bad = 0 THEN
        -- every row passed alone but not together (two rows in conflict): say so
        line := NULL; ok := false; sqlstate := '23000';
        message := 'the rows are valid one by one but not together (e.g. two rows with one key); nothing loaded';
        RETURN NEXT;
    END IF;
END
$$;
COMMENT ON FUNCTION shegu.base_load(text, regclass) IS
    'bulk load with a per-row report (批量导入): inserts every row of a staging table (columns named as the target''s, any types that cast; an optional column line numbers the rows) into shegu.<target> through its triggers; when all pass: one row "N rows loaded"; when any fails: nothing is loaded and one row per bad row (its line, SQLSTATE and message)';

-- ---------------------------------------------------------------------------------------------
-- Report views for BI tools (plain types).

CREATE VIEW shegu.report_base_grid AS
    SELECT w.code::text AS grid_code, w.name AS grid_name, w.kind AS grid_kind, w.level, w.households,
           w.residents, w.floating, w.overseas, w.rentals, w.businesses, w.organisations, w.key_places,
           w.cameras, w.special, w.special_a, w.special_b, w.special_c, w.incidents, w.area_km2,
           w.incidents_per_1000, w.special_per_1000
    FROM shegu.grid_workload_at(current_date) AS w;
COMMENT ON VIEW shegu.report_base_grid IS
    'base data per grid today for BI tools (网格基础数据): shegu.grid_workload with the code as text';
COMMENT ON COLUMN shegu.report_base_grid.grid_code IS 'grid code as text';
COMMENT ON COLUMN shegu.report_base_grid.grid_name IS 'grid name';
COMMENT ON COLUMN shegu.report_base_grid.grid_kind IS 'grid kind';
COMMENT ON COLUMN shegu.report_base_grid.level IS 'level of the code';
COMMENT ON COLUMN shegu.report_base_grid.households IS 'households';
COMMENT ON COLUMN shegu.report_base_grid.residents IS 'residents';
COMMENT ON COLUMN shegu.report_base_grid.floating IS 'floating residents';
COMMENT ON COLUMN shegu.report_base_grid.overseas IS 'overseas residents';
COMMENT ON COLUMN shegu.report_base_grid.rentals IS 'running rentals';
COMMENT ON COLUMN shegu.report_base_grid.businesses IS 'shops, factories and special trades';
COMMENT ON COLUMN shegu.report_base_grid.organisations IS 'organisations';
COMMENT ON COLUMN shegu.report_base_grid.key_places IS 'key places';
COMMENT ON COLUMN shegu.report_base_grid.cameras IS 'cameras';
COMMENT ON COLUMN shegu.report_base_grid.special IS 'special population';
COMMENT ON COLUMN shegu.report_base_grid.special_a IS 'special population at grade A';
COMMENT ON COLUMN shegu.report_base_grid.special_b IS 'special population at grade B';
COMMENT ON COLUMN shegu.report_base_grid.special_c IS 'special population at grade C';
COMMENT ON COLUMN shegu.report_base_grid.incidents IS 'incidents this month';
COMMENT ON COLUMN shegu.report_base_grid.area_km2 IS 'area in km²';
COMMENT ON COLUMN shegu.report_base_grid.incidents_per_1000 IS 'incidents per 1,000 residents';
COMMENT ON COLUMN shegu.report_base_grid.special_per_1000 IS 'special population per 1,000 residents';


-- The sequences that number the rows (a bulk load that gives its own numbers sets them after:
-- SELECT setval('shegu.person_id_seq', max(id)) FROM shegu.person).
COMMENT ON SEQUENCE shegu.road_id_seq IS 'numbers the roads (shegu.road.id)';
COMMENT ON SEQUENCE shegu.building_id_seq IS 'numbers the buildings (shegu.building.id)';
COMMENT ON SEQUENCE shegu.house_id_seq IS 'numbers the houses (shegu.house.id)';
COMMENT ON SEQUENCE shegu.organisation_id_seq IS 'numbers the organisations (shegu.organisation.id)';
COMMENT ON SEQUENCE shegu.place_id_seq IS 'numbers the places (shegu.place.id)';
COMMENT ON SEQUENCE shegu.camera_id_seq IS 'numbers the cameras (shegu.camera.id)';
COMMENT ON SEQUENCE shegu.household_id_seq IS 'numbers the households (shegu.household.id)';
COMMENT ON SEQUENCE shegu.person_id_seq IS 'numbers the people (shegu.person.id)';
COMMENT ON SEQUENCE shegu.residence_id_seq IS 'numbers the residences (shegu.residence.id)';
COMMENT ON SEQUENCE shegu.residence_permit_id_seq IS 'numbers the residence permits (shegu.residence_permit.id)';
COMMENT ON SEQUENCE shegu.rental_id_seq IS 'numbers the rentals (shegu.rental.id)';
COMMENT ON SEQUENCE shegu.person_attention_id_seq IS 'numbers the periods of attention (shegu.person_attention.id)';
COMMENT ON SEQUENCE shegu.person_access_log_id_seq IS 'numbers the access-log rows (shegu.person_access_log.id)';
SELECT pg_catalog.pg_extension_config_dump('shegu.road_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.building_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.house_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.organisation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.place_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.camera_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.household_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.person_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.residence_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.residence_permit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.rental_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.person_attention_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.person_access_log_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- Privileges and row-level security.  Grid staff read the base data of their grids; the clear
-- personal fields (name, phone, sealed number) only through the logging functions above.
-- Analysts read aggregates and masked people.

-- The rows a grid worker's policies admit, computed once per statement (an init plan) from the
-- buildings of the worker's grids, so that the policy is an index condition, not a filter.
CREATE FUNCTION shegu.scope_houses() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(array_agg(h.id), '{}')
    FROM unnest(shegu.grid_scope()) AS s(code)
    JOIN shegu.building AS b
      ON b.grid OPERATOR(shegu.>=) s.code AND b.grid OPERATOR(shegu.<=) shegu.subtree_last(s.code)
    JOIN shegu.house AS h ON h.building = b.id;
END;
COMMENT ON FUNCTION shegu.scope_houses() IS
    'the houses in the buildings of the calling role''s grid subtrees (shegu.grid_scope()): what row-level security lets grid staff see of residences';
CREATE FUNCTION shegu.scope_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = shegu, pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(array_agg(DISTINCT r.person), '{}')
    FROM unnest(shegu.grid_scope()) AS s(code)
    JOIN shegu.building AS b
      ON b.grid OPERATOR(shegu.>=) s.code AND b.grid OPERATOR(shegu.<=) shegu.subtree_last(s.code)
    JOIN shegu.house AS h ON h.building = b.id
    JOIN shegu.residence AS r ON r.house = h.id
    WHERE r.valid_from <= CURRENT_DATE AND (r.valid_to IS NULL OR r.valid_to > CURRENT_DATE);
END;
COMMENT ON FUNCTION shegu.scope_people() IS
    'the people living today (main or second home) in the buildings of the calling role''s grid subtrees: what row-level security lets grid staff see of people';
REVOKE ALL ON FUNCTION shegu.scope_houses(), shegu.scope_people() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.scope_houses(), shegu.scope_people() TO shegu_grid_worker;

ALTER TABLE shegu.person ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.residence ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.person_attention ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.residence_permit ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.rental_tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.person_access_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY person_centre ON shegu.person TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY person_grid ON shegu.person TO shegu_grid_worker
    USING (id = ANY ((SELECT shegu.scope_people())::bigint[]));
CREATE POLICY residence_centre ON shegu.residence TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY residence_grid ON shegu.residence TO shegu_grid_worker
    USING (house = ANY ((SELECT shegu.scope_houses())::bigint[]));
CREATE POLICY person_attention_centre ON shegu.person_attention TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY person_attention_grid ON shegu.person_attention FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.person AS p WHERE p.id = person_attention.person));
CREATE POLICY residence_permit_centre ON shegu.residence_permit TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY residence_permit_grid ON shegu.residence_permit FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.person AS p WHERE p.id = residence_permit.person));
CREATE POLICY rental_tenant_centre ON shegu.rental_tenant TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY rental_tenant_grid ON shegu.rental_tenant FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.person AS p WHERE p.id = rental_tenant.person));
CREATE POLICY person_access_log_centre ON shegu.person_access_log FOR SELECT TO shegu_centre USING (true);
COMMENT ON POLICY person_centre ON shegu.person IS 'the centre reads and writes every person';
COMMENT ON POLICY person_grid ON shegu.person IS 'grid staff see the people who live (today) in the subtrees of their grids';
COMMENT ON POLICY residence_centre ON shegu.residence IS 'the centre reads and writes every residence';
COMMENT ON POLICY residence_grid ON shegu.residence IS 'grid staff see and record the residences of houses in their grids';
COMMENT ON POLICY person_attention_centre ON shegu.person_attention IS 'the centre manages every category of attention';
COMMENT ON POLICY person_attention_grid ON shegu.person_attention IS 'grid staff see the categories of the people they see';
COMMENT ON POLICY residence_permit_centre ON shegu.residence_permit IS 'the centre manages every permit';
COMMENT ON POLICY residence_permit_grid ON shegu.residence_permit IS 'grid staff see the permits of the people they see';
COMMENT ON POLICY rental_tenant_centre ON shegu.rental_tenant IS 'the centre manages every tenancy';
COMMENT ON POLICY rental_tenant_grid ON shegu.rental_tenant IS 'grid staff see the tenancies of the people they see';
COMMENT ON POLICY person_access_log_centre ON shegu.person_access_log IS 'the centre audits every read';

REVOKE ALL ON shegu.person, shegu.person_access_log, shegu.residence, shegu.person_attention,
              shegu.residence_permit, shegu.rental_tenant FROM PUBLIC;
GRANT SELECT ON shegu.road, shegu.building, shegu.house, shegu.organisation, shegu.place, shegu.camera,
                shegu.household, shegu.rental, shegu.attention_category, shegu.attention_grade,
                shegu.base_grid_history, shegu.workload_rule
    TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT INSERT, UPDATE, DELETE ON shegu.road, shegu.building, shegu.house, shegu.organisation, shegu.place,
                shegu.camera, shegu.household, shegu.rental, shegu.rental_tenant, shegu.residence,
                shegu.residence_permit, shegu.person_attention, shegu.attention_category, shegu.attention_grade,
                shegu.workload_rule
    TO shegu_centre;
GRANT SELECT, INSERT, UPDATE, DELETE ON shegu.person TO shegu_centre;
GRANT SELECT ON shegu.residence, shegu.person_attention, shegu.residence_permit, shegu.rental_tenant,
                shegu.person_access_log
    TO shegu_centre;
GRANT SELECT ON shegu.residence, shegu.person_attention, shegu.residence_permit, shegu.rental_tenant
    TO shegu_grid_worker;
GRANT SELECT (id, id_kind, id_masked, sex, birth_date, residence_kind, nationality, household, relation, employer,
              since, left_on, left_reason, anonymised_at)
    ON shegu.person TO shegu_grid_worker;
GRANT INSERT (house, person, valid_from, valid_to, reason) ON shegu.residence TO shegu_grid_worker;
GRANT SELECT ON shegu.person_masked, shegu.grid_workload, shegu.report_base_grid TO shegu_centre, shegu_analyst;
GRANT EXECUTE ON FUNCTION shegu.my_residents(date, shegu.gridcode), shegu.person_clear(bigint[]),
                          shegu.find_person(text, text), shegu.id_hash(text, text)
    TO shegu_centre, shegu_grid_worker;
GRANT EXECUTE ON FUNCTION shegu.residence_permits_expiring(interval, date) TO shegu_centre, shegu_grid_worker;
GRANT EXECUTE ON FUNCTION shegu.move_person(bigint, bigint, date), shegu.close_rental(bigint, date),
                          shegu.set_attention(bigint, text, text, date, text), shegu.end_attention(bigint, text, date),
                          shegu.base_load(text, regclass), shegu.relocate_base(date), shegu.purge_departed(interval, interval)
    TO shegu_centre;
REVOKE ALL ON FUNCTION shegu.purge_departed(interval, interval), shegu.relocate_base(date),
                       shegu.base_load(text, regclass), shegu.my_residents(date, shegu.gridcode),
                       shegu.person_clear(bigint[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.my_residents(date, shegu.gridcode), shegu.person_clear(bigint[])
    TO shegu_centre, shegu_grid_worker;
GRANT EXECUTE ON FUNCTION shegu.purge_departed(interval, interval), shegu.relocate_base(date),
                          shegu.base_load(text, regclass)
    TO shegu_centre;
REVOKE ALL ON FUNCTION shegu.grid_workload_at(date, shegu.gridcode) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegu.grid_workload_at(date, shegu.gridcode)
    TO shegu_centre, shegu_grid_worker, shegu_analyst;

-- ==== end base


-- ==== duty (duty cadence)
-- The whole of src/duty.sql (the room is new in 0.3.0), after the search path the install
-- script's src/gridcode.sql sets: functions that call PostGIS pin it (SET search_path FROM CURRENT).
SELECT pg_catalog.set_config('search_path',
    pg_catalog.format('shegu, pg_catalog, %I, pg_temp', n.nspname), true)
FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';

-- Duty cadence (巡查、排查、走访): duty rules per county, campaigns, patrol tracks in daily
-- partitions, visits and screenings, patrol coverage per grid and day, compliance and its NOTIFY.
-- src/duty.sql — declares what src/duty.c implements; docs/duty.md.

-- ---------------------------------------------------------------------------------------------
-- Settings: the numbers no seed gives, each a labelled local default a county replaces.

CREATE TABLE shegu.duty_setting_default (
    name  text PRIMARY KEY,
    value float8 NOT NULL,
    unit  text NOT NULL,
    note  text NOT NULL
);
COMMENT ON TABLE shegu.duty_setting_default IS
    'the shipped values of the duty room''s settings (巡查参数): track cleaning rules, clock tolerance, retention of raw fixes, radii; every one a local default, not from the seeds, read only: a county sets its own in shegu.duty_setting';
COMMENT ON COLUMN shegu.duty_setting_default.name IS 'name of the setting';
COMMENT ON COLUMN shegu.duty_setting_default.value IS 'the shipped value, in unit';
COMMENT ON COLUMN shegu.duty_setting_default.unit IS 'unit of the value (m, s, m/s, days)';
COMMENT ON COLUMN shegu.duty_setting_default.note IS 'what it does and where the value comes from';
COMMENT ON CONSTRAINT duty_setting_default_pkey ON shegu.duty_setting_default IS 'one value per setting';
COMMENT ON INDEX shegu.duty_setting_default_pkey IS 'one value per setting';

INSERT INTO shegu.duty_setting_default (name, value, unit, note) VALUES
    ('fix_future_s', 300, 's', 'a fix or activity may be stamped up to this far ahead of the server clock (phone clocks drift); later is refused. Local default, not from the seeds; a county replaces it'),
    ('fix_max_accuracy_m', 100, 'm', 'fixes reporting a worse accuracy are dropped by the cleaning rules. Local default, not from the seeds; a county replaces it'),
    ('fix_jitter_m', 5, 'm', 'fixes closer than this to the previous kept fix are jitter and dropped. Local default, not from the seeds; a county replaces it'),
    ('fix_max_speed_mps', 15, 'm/s', 'faster than this (54 km/h) is not a patrol on foot, bicycle or e-bike: a spike is dropped, a fast piece is a gap. Local default, not from the seeds; a county replaces it'),
    ('fix_max_gap_s', 300, 's', 'a silence longer than this breaks the track (a gap). Local default, not from the seeds; a county replaces it'),
    ('fix_retention_days', 30, 'days', 'raw fixes of a scored day are dropped (their partition) this many days after the day (PIPL data minimisation); unscored days are kept. Local default, not from the seeds; a county replaces it'),
    ('partitions_ahead_days', 3, 'days', 'shegu.patrol_maintain() creates the fix partitions of today and this many days ahead. Local default, not from the seeds'),
    ('discovery_radius_m', 50, 'm', 'a patrol "passed" a place when one of its fixes lay this close to it (应发现未发现 from patrol evidence). Local default, not from the seeds; a county replaces it'),
    ('coverage_radius_m', 50, 'm', 'a patrol covers ground within this distance of its track ("passed within N metres") when a rule gives no radius. Local default, not from the seeds; a county replaces it');

CREATE TABLE shegu.duty_setting (
    name  text PRIMARY KEY REFERENCES shegu.duty_setting_default (name),
    value float8 NOT NULL,
    note  text,
    CONSTRAINT duty_setting_value CHECK (value >= 0 AND value < 'Infinity'
        AND (value > 0 OR name IN ('fix_jitter_m', 'fix_retention_days')))
);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_setting', '');
COMMENT ON TABLE shegu.duty_setting IS
    'the county''s own values of the duty room''s settings, over the shipped local defaults of shegu.duty_setting_default (empty: every default applies); shegu.duty_settings shows the values in force';
COMMENT ON COLUMN shegu.duty_setting.name IS 'name of the setting (shegu.duty_setting_default.name)';
COMMENT ON COLUMN shegu.duty_setting.value IS 'the value in force, in the default''s unit';
COMMENT ON COLUMN shegu.duty_setting.note IS 'why (e.g. the county''s notice)';
COMMENT ON CONSTRAINT duty_setting_pkey ON shegu.duty_setting IS 'one value per setting';
COMMENT ON CONSTRAINT duty_setting_name_fkey ON shegu.duty_setting IS 'a known setting';
COMMENT ON CONSTRAINT duty_setting_value ON shegu.duty_setting IS 'a finite value above 0 (jitter and retention may be 0)';
COMMENT ON INDEX shegu.duty_setting_pkey IS 'one value per setting';

CREATE VIEW shegu.duty_settings AS
SELECT d.name, coalesce(s.value, d.value) AS value, d.unit,
       CASE WHEN s.name IS NULL THEN 'local default' ELSE 'county' END AS source,
       coalesce(s.note, d.note) AS note
FROM shegu.duty_setting_default AS d LEFT JOIN shegu.duty_setting AS s ON s.name = d.name;
COMMENT ON VIEW shegu.duty_settings IS 'the duty room''s settings in force: the county''s value, else the shipped local default';
COMMENT ON COLUMN shegu.duty_settings.name IS 'name of the setting';
COMMENT ON COLUMN shegu.duty_settings.value IS 'the value in force';
COMMENT ON COLUMN shegu.duty_settings.unit IS 'its unit';
COMMENT ON COLUMN shegu.duty_settings.source IS 'county (shegu.duty_setting) or local default (shegu.duty_setting_default)';
COMMENT ON COLUMN shegu.duty_settings.note IS 'the county''s note, else what the setting does';

CREATE FUNCTION shegu.duty_setting(setting text) RETURNS float8
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    v float8;
BEGIN
    SELECT coalesce(s.value, d.value) INTO v
    FROM shegu.duty_setting_default AS d LEFT JOIN shegu.duty_setting AS s ON s.name = d.name
    WHERE d.name = duty_setting.setting;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown duty setting "%"', setting
            USING ERRCODE = 'undefined_object',
                  HINT = 'The settings are the rows of shegu.duty_settings.';
    END IF;
    RETURN v;
END;
$$;
COMMENT ON FUNCTION shegu.duty_setting(text) IS
    'the value in force of a duty setting: the county''s (shegu.duty_setting), else the shipped local default; 42704 for an unknown name';

-- ---------------------------------------------------------------------------------------------
-- Duty rules: templates shipped from the seeds, adopted per county; campaigns.

CREATE TABLE shegu.duty_rule_template (
    name        text PRIMARY KEY,
    template    text NOT NULL,
    activity    text NOT NULL,
    role        text NOT NULL,
    grid_kind   text NOT NULL,
    every       int NOT NULL,
    unit        text NOT NULL,
    working     boolean NOT NULL DEFAULT false,
    times       int NOT NULL DEFAULT 1,
    grace_days  int NOT NULL,
    min_share   float8,
    radius_m    float8,
    min_minutes float8,
    seed        text NOT NULL,
    defaults    text NOT NULL
);
COMMENT ON TABLE shegu.duty_rule_template IS
    'the seeds'' rhythms (巡查、排查、五访频次) as rule templates, read only: a county adopts a template set with shegu.adopt_duty_rules(); the seeds differ (seed 001 townships monthly, seed 000 half-monthly), so none applies by itself';
COMMENT ON COLUMN shegu.duty_rule_template.name IS 'name of the template rule, e.g. seed004.patrol';
COMMENT ON COLUMN shegu.duty_rule_template.template IS 'the template set (seed004, seed001, seed000): what adopt_duty_rules copies';
COMMENT ON COLUMN shegu.duty_rule_template.activity IS 'activity kind, as shegu.duty_rule.activity';
COMMENT ON COLUMN shegu.duty_rule_template.role IS 'owing role, as shegu.duty_rule.role';
COMMENT ON COLUMN shegu.duty_rule_template.grid_kind IS 'kind of grid that owes it, as shegu.duty_rule.grid_kind';
COMMENT ON COLUMN shegu.duty_rule_template.every IS 'number of units per period';
COMMENT ON COLUMN shegu.duty_rule_template.unit IS 'unit of the period';
COMMENT ON COLUMN shegu.duty_rule_template.working IS 'whether the period counts working days';
COMMENT ON COLUMN shegu.duty_rule_template.times IS 'activities owed per period (至少N次)';
COMMENT ON COLUMN shegu.duty_rule_template.grace_days IS 'grace after the period (local default, see defaults)';
COMMENT ON COLUMN shegu.duty_rule_template.min_share IS 'coverage threshold of a patrol (local default, see defaults)';
COMMENT ON COLUMN shegu.duty_rule_template.radius_m IS 'coverage radius of a patrol (local default, see defaults)';
COMMENT ON COLUMN shegu.duty_rule_template.min_minutes IS 'time inside the grid a patrol needs (local default, see defaults)';
COMMENT ON COLUMN shegu.duty_rule_template.seed IS 'the seed''s words the rhythm comes from, quoted';
COMMENT ON COLUMN shegu.duty_rule_template.defaults IS 'which numbers are local defaults, not from the seeds (a county replaces them)';
COMMENT ON CONSTRAINT duty_rule_template_pkey ON shegu.duty_rule_template IS 'one row per template rule';
COMMENT ON INDEX shegu.duty_rule_template_pkey IS 'one row per template rule';

INSERT INTO shegu.duty_rule_template (name, template, activity, role, grid_kind, every, unit, times, grace_days, min_share, radius_m, min_minutes, seed, defaults) VALUES
    ('seed004.patrol', 'seed004', 'patrol', 'grid_worker', 'basic', 1, 'day', 1, 0, 0.5, 50, NULL,
     'seed 004: 三级网格建立日巡查制度 (level-3 grids patrol every day)',
     'grace 0 days, coverage share 0.5 within 50 m: local defaults, not from the seeds; a county replaces them'),
    ('seed004.joint_patrol', 'seed004', 'joint_patrol', 'other', 'community', 1, 'week', 1, 0, NULL, 50, 60,
     'seed 004: 在二级网格,职能部门下沉人员每周至少参加1次协同巡查 (staff sent down join a coordinated patrol in the level-2 grid at least once a week)',
     'grace 0 days, 60 minutes inside the grid: local defaults, not from the seeds; role other stands for 职能部门下沉人员'),
    ('seed001.screening_village', 'seed001', 'screening', 'grid_head', 'community', 1, 'week', 1, 1, NULL, NULL, NULL,
     'seed 001: 村(居)实行周排查制度 (villages and residents'' committees screen weekly)',
     'grace 1 day: local default, not from the seeds'),
    ('seed001.screening_township', 'seed001', 'screening', 'grid_head', 'township', 1, 'month', 1, 3, NULL, NULL, NULL,
     'seed 001: 乡镇(综治办、司法所为牵头部门)和部门实行月排查制度 (townships and departments screen monthly)',
     'grace 3 days: local default, not from the seeds'),
    ('seed001.visit_walk', 'seed001', 'visit_walk', 'grid_head', 'community', 1, 'day', 1, 0, NULL, NULL, NULL,
     'seed 001: “五访” 每天一走访 (a walk-round visit every day)', 'grace 0 days: local default, not from the seeds; owed by the community head'),
    ('seed001.visit_night', 'seed001', 'visit_night', 'grid_head', 'community', 1, 'week', 1, 1, NULL, NULL, NULL,
     'seed 001: “五访” 每周一夜访 (a night visit every week)', 'grace 1 day: local default, not from the seeds; owed by the community head'),
    ('seed001.visit_appointment', 'seed001', 'visit_appointment', 'grid_head', 'community', 1, 'month', 1, 3, NULL, NULL, NULL,
     'seed 001: “五访” 每月一约访 (an appointment visit every month)', 'grace 3 days: local default, not from the seeds; owed by the community head'),
    ('seed001.visit_inspection', 'seed001', 'visit_inspection', 'grid_head', 'community', 1, 'quarter', 1, 5, NULL, NULL, NULL,
     'seed 001: “五访” 每季一查访 (an inspection visit every quarter)', 'grace 5 days: local default, not from the seeds; owed by the community head'),
    ('seed001.visit_evaluation', 'seed001', 'visit_evaluation', 'grid_head', 'community', 1, 'year', 1, 10, NULL, NULL, NULL,
     'seed 001: “五访” 每年一评访 (an evaluation visit every year)', 'grace 10 days: local default, not from the seeds; owed by the community head'),
    ('seed000.screening_township', 'seed000', 'screening', 'grid_head', 'township', 1, 'half_month', 1, 2, NULL, NULL, NULL,
     'seed 000: 乡镇每半月、县每月要组织一次排查 (townships screen every half month)', 'grace 2 days: local default, not from the seeds'),
    ('seed000.screening_county', 'seed000', 'screening', 'grid_head', 'county', 1, 'month', 1, 3, NULL, NULL, NULL,
     'seed 000: 乡镇每半月、县每月要组织一次排查 (the county screens every month)', 'grace 3 days: local default, not from the seeds'),
    ('seed000.followup', 'seed000', 'followup', 'grid_worker', 'basic', 1, 'week', 1, 1, NULL, NULL, NULL,
     'seed 000: 实施分级管控、跟踪监管 (graded control and follow-up of special populations); how often and by whom comes from each person''s grade in shegu.attention_grade',
     'grace 1 day: local default, not from the seeds; every, unit and role are not used (the grade''s followup_every, followup_unit and followup_role are)');

CREATE TABLE shegu.duty_campaign (
    id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    county  shegu.gridcode NOT NULL,
    name    text NOT NULL CHECK (name <> ''),
    grids   shegu.gridcode[] NOT NULL,
    starts  date NOT NULL,
    ends    date NOT NULL,
    note    text,
    CONSTRAINT duty_campaign_period CHECK (ends > starts)
);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_campaign', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_campaign_id_seq', '');
COMMENT ON SEQUENCE shegu.duty_campaign_id_seq IS 'campaign numbers of shegu.duty_campaign (identity)';
COMMENT ON TABLE shegu.duty_campaign IS
    'campaigns (专项行动, 重要时段随时排查): a period of extra duties for a set of grids; its rules are rows of shegu.duty_rule naming it';
COMMENT ON COLUMN shegu.duty_campaign.id IS 'the campaign';
COMMENT ON COLUMN shegu.duty_campaign.county IS 'the county (level-3 code) running it';
COMMENT ON COLUMN shegu.duty_campaign.name IS 'name, e.g. 春节前矛盾纠纷集中排查';
COMMENT ON COLUMN shegu.duty_campaign.grids IS 'the grids it covers: each a subtree (a township covers its communities and grids)';
COMMENT ON COLUMN shegu.duty_campaign.starts IS 'first day';
COMMENT ON COLUMN shegu.duty_campaign.ends IS 'first day after it';
COMMENT ON COLUMN shegu.duty_campaign.note IS 'free text';
COMMENT ON CONSTRAINT duty_campaign_pkey ON shegu.duty_campaign IS 'a campaign is named by its id';
COMMENT ON CONSTRAINT duty_campaign_period ON shegu.duty_campaign IS 'a campaign ends after it starts';
COMMENT ON CONSTRAINT duty_campaign_name_check ON shegu.duty_campaign IS 'a campaign has a name';
COMMENT ON INDEX shegu.duty_campaign_pkey IS 'campaigns by id';

CREATE TABLE shegu.duty_rule (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    county      shegu.gridcode NOT NULL,
    activity    text NOT NULL,
    role        text NOT NULL,
    grid_kind   text NOT NULL,
    every       int NOT NULL,
    unit        text NOT NULL,
    working     boolean NOT NULL DEFAULT false,
    times       int NOT NULL DEFAULT 1,
    grace_days  int NOT NULL DEFAULT 0,
    min_share   float8,
    radius_m    float8,
    min_minutes float8,
    campaign    bigint REFERENCES shegu.duty_campaign (id) ON DELETE CASCADE,
    valid_from  date NOT NULL DEFAULT '-infinity',
    valid_to    date,
    template    text,
    note        text,
    CONSTRAINT duty_rule_activity CHECK (activity IN ('patrol', 'joint_patrol', 'screening', 'visit_walk',
        'visit_night', 'visit_appointment', 'visit_inspection', 'visit_evaluation', 'followup')),
    CONSTRAINT duty_rule_role CHECK (role IN ('grid_head', 'grid_worker', 'police', 'auxiliary', 'supervisor', 'other')),
    CONSTRAINT duty_rule_grid_kind CHECK (grid_kind IN ('province', 'city', 'county', 'township', 'community',
                                                        'basic', 'dedicated', 'micro')),
    CONSTRAINT duty_rule_unit CHECK (unit IN ('day', 'week', 'half_month', 'month', 'quarter', 'year')),
    CONSTRAINT duty_rule_period CHECK (every > 0 AND times > 0 AND grace_days >= 0),
    CONSTRAINT duty_rule_validity CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX duty_rule_county_idx ON shegu.duty_rule (county);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_rule', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_rule_id_seq', '');
COMMENT ON SEQUENCE shegu.duty_rule_id_seq IS 'rule numbers of shegu.duty_rule (identity)';
COMMENT ON TABLE shegu.duty_rule IS
    'what every grid and person owes (职责频次), per county: an activity of a kind, by the holders of a role in each grid of a kind, times per period of every N units; optionally only inside a campaign';
COMMENT ON COLUMN shegu.duty_rule.id IS 'the rule';
COMMENT ON COLUMN shegu.duty_rule.county IS 'the county (level-3 code) whose grids owe it';
COMMENT ON COLUMN shegu.duty_rule.activity IS 'patrol 巡查 (proven by track coverage), joint_patrol 协同巡查, screening 排查, visit_walk 走访, visit_night 夜访, visit_appointment 约访, visit_inspection 查访, visit_evaluation 评访 (五访), followup 重点人员随访 (owed per person under attention at the frequency and by the role of the person''s grade, shegu.attention_grade: the rule''s every, unit and role are not used; grid_kind is the level of the person''s grid that owes it)';
COMMENT ON COLUMN shegu.duty_rule.role IS 'owing role of shegu.grid_staff: grid_head 网格长, grid_worker 专职网格员, police, auxiliary, supervisor, other (e.g. 职能部门下沉人员)';
COMMENT ON COLUMN shegu.duty_rule.grid_kind IS 'kind of grid (shegu.grid.kind) whose staff owe it: township 一级网格, community 二级网格, basic 三级网格 ...';
COMMENT ON COLUMN shegu.duty_rule.every IS 'N of "every N units": a positive number';
COMMENT ON COLUMN shegu.duty_rule.unit IS 'day, week (Monday to Sunday), half_month (1st-15th, 16th-end), month, quarter or year';
COMMENT ON COLUMN shegu.duty_rule.working IS 'true: working days count (shegu.is_workday): a day period is a working day, a longer period with no working day owes nothing, grace counts working days';
COMMENT ON COLUMN shegu.duty_rule.times IS 'activities owed per period (每周至少N次)';
COMMENT ON COLUMN shegu.duty_rule.grace_days IS 'days after the period in which the activity still counts, as late (迟办)';
COMMENT ON COLUMN shegu.duty_rule.min_share IS 'patrol: the share 0-1 of the grid''s area the day''s track must pass within radius_m for the day to count (the coverage rule); NULL: no area threshold';
COMMENT ON COLUMN shegu.duty_rule.radius_m IS 'patrol: the N of "passed within N metres"; NULL: the setting coverage_radius_m';
COMMENT ON COLUMN shegu.duty_rule.min_minutes IS 'patrol: minutes the day''s track must spend inside the grid; NULL: no time threshold';
COMMENT ON COLUMN shegu.duty_rule.campaign IS 'the campaign (shegu.duty_campaign) this rule belongs to: owed only in its grids and period; NULL: a standing rule';
COMMENT ON COLUMN shegu.duty_rule.valid_from IS 'first day the rule applies';
COMMENT ON COLUMN shegu.duty_rule.valid_to IS 'first day it no longer applies; NULL while current';
COMMENT ON COLUMN shegu.duty_rule.template IS 'the template rule (shegu.duty_rule_template.name) it was adopted from, if any';
COMMENT ON COLUMN shegu.duty_rule.note IS 'free text';
COMMENT ON CONSTRAINT duty_rule_pkey ON shegu.duty_rule IS 'a rule is named by its id';
COMMENT ON CONSTRAINT duty_rule_campaign_fkey ON shegu.duty_rule IS 'a campaign rule belongs to an existing campaign and goes with it';
COMMENT ON CONSTRAINT duty_rule_activity ON shegu.duty_rule IS 'the activity is one of the known kinds';
COMMENT ON CONSTRAINT duty_rule_role ON shegu.duty_rule IS 'the role is one of shegu.grid_staff''s roles';
COMMENT ON CONSTRAINT duty_rule_grid_kind ON shegu.duty_rule IS 'the grid kind is one of shegu.grid''s kinds';
COMMENT ON CONSTRAINT duty_rule_unit ON shegu.duty_rule IS 'the unit is day, week, half_month, month, quarter or year';
COMMENT ON CONSTRAINT duty_rule_period ON shegu.duty_rule IS 'a positive period and count, a grace of 0 or more (the trigger says which)';
COMMENT ON CONSTRAINT duty_rule_validity ON shegu.duty_rule IS 'a rule ends after it starts';
COMMENT ON INDEX shegu.duty_rule_pkey IS 'rules by id';
COMMENT ON INDEX shegu.duty_rule_county_idx IS 'the rules of a county';

CREATE FUNCTION shegu.duty_rule_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    c shegu.duty_campaign;
BEGIN
    IF NEW.every IS NOT NULL AND NEW.every <= 0 THEN
        RAISE EXCEPTION 'duty period "every % %" is not a positive number of periods', NEW.every, NEW.unit
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('A %s rule for %s in %s grids must come back after 1 or more %s.', NEW.activity, NEW.role, NEW.grid_kind, NEW.unit),
                  HINT = 'Give every = 1 for "every week", 2 for "every other week".';
    END IF;
    IF NEW.times IS NOT NULL AND NEW.times <= 0 THEN
        RAISE EXCEPTION 'duty count % per period is not positive', NEW.times
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'times is how many activities a period owes (每周至少1次: 1).';
    END IF;
    IF NEW.grace_days IS NOT NULL AND NEW.grace_days < 0 THEN
        RAISE EXCEPTION 'duty grace of % days is negative', NEW.grace_days
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give 0 for no grace.';
    END IF;
    IF NEW.min_share IS NOT NULL AND NOT (NEW.min_share > 0 AND NEW.min_share <= 1) THEN
        RAISE EXCEPTION 'coverage share % is not in (0, 1]', NEW.min_share
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'min_share is the share of the grid''s area a patrol must pass, e.g. 0.5.';
    END IF;
    IF NEW.radius_m IS NOT NULL AND NOT (NEW.radius_m > 0 AND NEW.radius_m <= 100000) THEN
        RAISE EXCEPTION 'coverage radius % m is not in (0, 100000]', NEW.radius_m
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.min_minutes IS NOT NULL AND NOT (NEW.min_minutes > 0 AND NEW.min_minutes < 'Infinity') THEN
        RAISE EXCEPTION 'patrol time of % minutes is not positive', NEW.min_minutes
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF shegu.level(NEW.county) <> 3 THEN
        RAISE EXCEPTION 'duty rule county % is not a county code', NEW.county
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Code %s is of level %s; a county is level 3 (6 digits, e.g. 430528).', NEW.county, shegu.level(NEW.county)),
                  HINT = 'Rules are per county; use shegu.ancestor(code, 3).';
    END IF;
    IF NEW.activity NOT IN ('patrol', 'joint_patrol') AND (NEW.min_share IS NOT NULL OR NEW.min_minutes IS NOT NULL) THEN
        RAISE EXCEPTION 'a % rule has no coverage rule', NEW.activity
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'min_share and min_minutes judge patrol tracks; other activities are records.',
                  HINT = 'Leave min_share and min_minutes NULL.';
    END IF;
    IF NEW.campaign IS NOT NULL THEN
        SELECT * INTO c FROM shegu.duty_campaign AS k WHERE k.id = NEW.campaign;
        IF FOUND AND c.county OPERATOR(shegu.<>) NEW.county THEN
            RAISE EXCEPTION 'rule of county % names campaign % of county %', NEW.county, c.id, c.county
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION shegu.duty_rule_check() IS
    'trigger of shegu.duty_rule: a zero or negative period or count, a negative grace, a share outside (0, 1], a county code of another level, a coverage rule on a non-patrol activity, a campaign of another county are refused (22023) with the value named';
CREATE TRIGGER duty_rule_check BEFORE INSERT OR UPDATE ON shegu.duty_rule
    FOR EACH ROW EXECUTE FUNCTION shegu.duty_rule_check();
COMMENT ON TRIGGER duty_rule_check ON shegu.duty_rule IS 'refuses rules that owe nothing or cannot be judged';

CREATE FUNCTION shegu.adopt_duty_rules(county shegu.gridcode, template text, valid_from date DEFAULT '-infinity')
    RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    n int;
BEGIN
    IF county IS NULL OR template IS NULL OR valid_from IS NULL THEN
        RAISE EXCEPTION 'county, template and first day of shegu.adopt_duty_rules must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM shegu.duty_rule_template AS t WHERE t.template = adopt_duty_rules.template) THEN
        RAISE EXCEPTION 'unknown duty rule template "%"', template
            USING ERRCODE = 'undefined_object',
                  HINT = 'The templates are seed004, seed001 and seed000 (SELECT DISTINCT template FROM shegu.duty_rule_template).';
    END IF;
    INSERT INTO shegu.duty_rule (county, activity, role, grid_kind, every, unit, working, times, grace_days,
                                 min_share, radius_m, min_minutes, valid_from, template, note)
    SELECT adopt_duty_rules.county, t.activity, t.role, t.grid_kind, t.every, t.unit, t.working, t.times, t.grace_days,
           t.min_share, t.radius_m, t.min_minutes, adopt_duty_rules.valid_from, t.name, t.seed || '; ' || t.defaults
    FROM shegu.duty_rule_template AS t
    WHERE t.template = adopt_duty_rules.template
      AND NOT EXISTS (SELECT 1 FROM shegu.duty_rule AS r
                      WHERE r.county OPERATOR(shegu.=) adopt_duty_rules.county AND r.template = t.name AND r.valid_to IS NULL);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.adopt_duty_rules(shegu.gridcode, text, date) IS
    'copies a template set (seed004, seed001, seed000) into shegu.duty_rule for a county from a day; a template rule the county already holds (current) is skipped; returns the rules added';

-- ---------------------------------------------------------------------------------------------
-- Who works where: the assignments of a worker (shegu.grid_staff.person_name).

CREATE FUNCTION shegu.duty_check_worker(worker text, first timestamptz, last timestamptz)
    RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    earliest date;
    latest date;
    future float8 := shegu.duty_setting('fix_future_s');
    gap date;
BEGIN
    IF last > pg_catalog.statement_timestamp() + pg_catalog.make_interval(secs => future) THEN
        RAISE EXCEPTION 'record of worker "%" at % is in the future', worker, last
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Up to %s s ahead of the server''s clock is accepted (setting fix_future_s).', future),
                  HINT = 'Check the device''s clock and time zone.';
    END IF;
    SELECT min(s.valid_from), max(coalesce(s.valid_to, 'infinity')) INTO earliest, latest
    FROM shegu.grid_staff AS s WHERE s.person_name = worker;
    IF earliest IS NULL THEN
        RAISE EXCEPTION 'worker "%" has no assignment in shegu.grid_staff', worker
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'A worker is the person_name of a grid_staff row; assign the worker to a grid first.';
    END IF;
    IF (first AT TIME ZONE 'Asia/Shanghai')::date < earliest THEN
        RAISE EXCEPTION 'record of worker "%" at % is before the worker''s assignment', worker, first
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('The first assignment of "%s" starts on %s.', worker, earliest);
    END IF;
    SELECT d::date INTO gap
    FROM pg_catalog.generate_series((first AT TIME ZONE 'Asia/Shanghai')::date,
                                    (last AT TIME ZONE 'Asia/Shanghai')::date, interval '1 day') AS d
    WHERE NOT EXISTS (SELECT 1 FROM shegu.grid_staff AS s
                      WHERE s.person_name = worker AND s.valid_from <= d::date
                        AND (s.valid_to IS NULL OR s.valid_to > d::date))
    LIMIT 1;
    IF gap IS NOT NULL THEN
        RAISE EXCEPTION 'worker "%" holds no assignment on %', worker, gap
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('The assignments of "%s" run from %s to %s with none on that day.', worker, earliest,
                                             CASE WHEN latest = 'infinity' THEN 'now' ELSE latest::text END);
    END IF;
END;
$$;
COMMENT ON FUNCTION shegu.duty_check_worker(text, timestamptz, timestamptz) IS
    'refuses records of a worker from first to last (22023): later than the server clock plus fix_future_s, before the worker''s first assignment, or on a day the worker holds none (days in Asia/Shanghai); 23503 for a name with no assignment at all';

-- The grids a worker is assigned to on a day (each a subtree).
CREATE FUNCTION shegu.worker_grids(worker text, day date) RETURNS shegu.gridcode[]
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(array_agg(DISTINCT s.code ORDER BY s.code), '{}')
    FROM shegu.grid_staff AS s
    WHERE s.person_name = worker_grids.worker AND s.valid_from <= worker_grids.day
      AND (s.valid_to IS NULL OR s.valid_to > worker_grids.day);
END;
COMMENT ON FUNCTION shegu.worker_grids(text, date) IS
    'the grid codes a worker (shegu.grid_staff.person_name) is assigned to on a day, each standing for its subtree; empty when none';

-- ---------------------------------------------------------------------------------------------
-- Patrol tracks: fixes in daily partitions (Asia/Shanghai days), kept until their day is scored
-- and the retention has passed.

CREATE TABLE shegu.patrol_fix (
    worker      text NOT NULL,
    ts          timestamptz NOT NULL,
    lon         float8 NOT NULL,
    lat         float8 NOT NULL,
    accuracy    real,
    crs         text NOT NULL,
    grid        shegu.gridcode,
    received_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (ts);
COMMENT ON TABLE shegu.patrol_fix IS
    'GPS fixes of patrol tracks (巡查轨迹), converted to WGS-84 and located; partitioned by day (Asia/Shanghai), one partition patrol_fix_YYYYMMDD a day made by shegu.patrol_maintain() or on the first fix; a scored day''s partition is dropped after fix_retention_days (PIPL data minimisation). Written through shegu.record_fixes()';
COMMENT ON COLUMN shegu.patrol_fix.worker IS 'the worker (shegu.grid_staff.person_name)';
COMMENT ON COLUMN shegu.patrol_fix.ts IS 'when the device took the fix';
COMMENT ON COLUMN shegu.patrol_fix.lon IS 'WGS-84 longitude (converted from the crs received)';
COMMENT ON COLUMN shegu.patrol_fix.lat IS 'WGS-84 latitude';
COMMENT ON COLUMN shegu.patrol_fix.accuracy IS 'accuracy the device reported, metres; NULL unknown';
COMMENT ON COLUMN shegu.patrol_fix.crs IS 'the coordinate system it arrived in: wgs84, cgcs2000, gcj02 or bd09';
COMMENT ON COLUMN shegu.patrol_fix.grid IS 'the deepest grid containing the fix on its day (shegu.locate); NULL outside every grid';
COMMENT ON COLUMN shegu.patrol_fix.received_at IS 'when the server stored it';

CREATE TABLE shegu.patrol_day (
    day        date PRIMARY KEY,
    scored_at  timestamptz,
    fixes      bigint,
    dropped_at timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('shegu.patrol_day', '');
COMMENT ON TABLE shegu.patrol_day IS
    'the days of patrol tracks: when scored, and when their raw fixes were dropped';
COMMENT ON COLUMN shegu.patrol_day.day IS 'the day (Asia/Shanghai)';
COMMENT ON COLUMN shegu.patrol_day.scored_at IS 'when shegu.score_patrol_day last scored it; NULL: not scored, or fixes arrived since';
COMMENT ON COLUMN shegu.patrol_day.fixes IS 'fixes scored';
COMMENT ON COLUMN shegu.patrol_day.dropped_at IS 'when its partition of raw fixes was dropped; NULL while kept';
COMMENT ON CONSTRAINT patrol_day_pkey ON shegu.patrol_day IS 'one row per day';
COMMENT ON INDEX shegu.patrol_day_pkey IS 'one row per day';

-- The partition of a day, created when missing.
CREATE FUNCTION shegu.patrol_partition(day date) RETURNS regclass
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    name text := 'patrol_fix_' || pg_catalog.to_char(day, 'YYYYMMDD');
    r regclass := pg_catalog.to_regclass('shegu.' || name);
BEGIN
    IF day IS NULL OR NOT pg_catalog.isfinite(day) THEN
        RAISE EXCEPTION 'day % of a fix partition is not a finite date', coalesce(day::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF r IS NOT NULL THEN
        RETURN r;
    END IF;
    -- two sessions making the same day's partition: the second waits, then finds it
    -- (read pg_class afresh: the name lookup's cache does not hear of the other's commit until
    -- this session next takes a lock on a relation)
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shegu.' || name));
    SELECT c.oid::regclass INTO r FROM pg_catalog.pg_class AS c
    WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname = name;
    IF r IS NOT NULL THEN
        RETURN r;
    END IF;
    IF EXISTS (SELECT 1 FROM shegu.patrol_day AS p WHERE p.day = patrol_partition.day AND p.dropped_at IS NOT NULL) THEN
        RAISE EXCEPTION 'fixes of % were dropped on %', day,
              (SELECT p.dropped_at FROM shegu.patrol_day AS p WHERE p.day = patrol_partition.day)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The day was scored and its raw fixes dropped after the retention (setting fix_retention_days).',
                  HINT = 'Fixes older than the retention are not accepted.';
    END IF;
    EXECUTE pg_catalog.format('CREATE TABLE shegu.%I PARTITION OF shegu.patrol_fix FOR VALUES FROM (%L) TO (%L)',
                              name, (day::timestamp AT TIME ZONE 'Asia/Shanghai'),
                              ((day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'));
    EXECUTE pg_catalog.format('COMMENT ON TABLE shegu.%I IS %L', name, 'patrol fixes of ' || day || ' (Asia/Shanghai), a partition of shegu.patrol_fix');
    -- the index is the partition's own, not one inherited from the parent: pg_dump keeps the
    -- partitions (they are not members of the extension) with their indexes, and a restore that
    -- attaches them must not meet an index made by the attachment
    EXECUTE pg_catalog.format('CREATE INDEX %I ON shegu.%I (worker, ts)', name || '_worker_ts_idx', name);
    EXECUTE pg_catalog.format('COMMENT ON INDEX shegu.%I IS %L', name || '_worker_ts_idx',
                              'a worker''s track in time order on ' || day);
    RETURN pg_catalog.to_regclass('shegu.' || name);
END;
$$;
COMMENT ON FUNCTION shegu.patrol_partition(date) IS
    'the partition of shegu.patrol_fix holding a day (Asia/Shanghai), created when missing; refused for a day whose fixes were already dropped';
REVOKE ALL ON FUNCTION shegu.patrol_partition(date) FROM PUBLIC;

CREATE FUNCTION shegu.duty_fixes_wgs84(ts timestamptz[], lon float8[], lat float8[], crs text)
    RETURNS TABLE (n int, ts timestamptz, lon float8, lat float8, grid shegu.gridcode)
    AS 'MODULE_PATHNAME', 'duty_fixes_wgs84' LANGUAGE C STABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION shegu.duty_fixes_wgs84(timestamptz[], float8[], float8[], text) IS
    'the fixes of parallel arrays (position n from 1) converted from crs (wgs84, cgcs2000, gcj02, bd09) to WGS-84 and located (shegu.locate on the day of each fix); 22023 for a coordinate that is not longitude/latitude, an infinite time or an unknown crs';

CREATE FUNCTION shegu.record_fixes(worker text, ts timestamptz[], lon float8[], lat float8[],
                                   crs text DEFAULT 'wgs84', accuracy real[] DEFAULT NULL)
    RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    n int;
    t0 timestamptz;
    t1 timestamptz;
    d date;
    me name := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
                    ELSE pg_catalog.current_setting('role')::name END;
BEGIN
    IF worker IS NULL OR ts IS NULL OR lon IS NULL OR lat IS NULL OR crs IS NULL THEN
        RAISE EXCEPTION 'worker, times, longitudes, latitudes and crs of shegu.record_fixes must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accuracy IS NOT NULL AND pg_catalog.cardinality(accuracy) <> pg_catalog.cardinality(ts) THEN
        RAISE EXCEPTION 'array of accuracies has % elements, the times %', pg_catalog.cardinality(accuracy), pg_catalog.cardinality(ts)
            USING ERRCODE = 'array_subscript_error';
    END IF;
    -- grid staff write their own track only; the centre writes anyone's
    IF NOT pg_catalog.pg_has_role(me, 'shegu_centre', 'MEMBER')
       AND NOT EXISTS (SELECT 1 FROM shegu.grid_staff AS s WHERE s.person_name = worker AND s.db_role = me) THEN
        RAISE EXCEPTION 'role "%" may not record the track of worker "%"', me, worker
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Grid staff record their own track (shegu.grid_staff.db_role); the centre records anyone''s.';
    END IF;
    IF pg_catalog.cardinality(ts) = 0 THEN
        RETURN 0;
    END IF;
    SELECT min(x), max(x) INTO t0, t1 FROM pg_catalog.unnest(ts) AS x;
    IF t0 IS NULL OR NOT pg_catalog.isfinite(t0) OR NOT pg_catalog.isfinite(t1) THEN
        RAISE EXCEPTION 'fix times of worker "%" include NULL or infinity', worker
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM shegu.duty_check_worker(worker, t0, t1);
    FOR d IN SELECT DISTINCT (x AT TIME ZONE 'Asia/Shanghai')::date FROM pg_catalog.unnest(ts) AS x LOOP
        PERFORM shegu.patrol_partition(d);
        UPDATE shegu.patrol_day AS p SET scored_at = NULL WHERE p.day = d AND p.scored_at IS NOT NULL;
    END LOOP;
    INSERT INTO shegu.patrol_fix (worker, ts, lon, lat, accuracy, crs, grid)
    SELECT record_fixes.worker, f.ts, f.lon, f.lat, record_fixes.accuracy[f.n], pg_catalog.lower(record_fixes.crs), f.grid
    FROM shegu.duty_fixes_wgs84(record_fixes.ts, record_fixes.lon, record_fixes.lat, record_fixes.crs) AS f;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.record_fixes(text, timestamptz[], float8[], float8[], text, real[]) IS
    'stores a batch of one worker''s GPS fixes (parallel arrays), converted to WGS-84 and located; refuses (nothing written) fixes in the future, before the worker''s assignment or on a day without one, bad coordinates, another worker''s track unless called by the centre; a day already scored is marked for scoring again; returns the fixes stored';
REVOKE ALL ON FUNCTION shegu.record_fixes(text, timestamptz[], float8[], float8[], text, real[]) FROM PUBLIC;

CREATE FUNCTION shegu.patrol_maintain(at timestamptz DEFAULT now())
    RETURNS TABLE (action text, day date, partition text)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    today date := (at AT TIME ZONE 'Asia/Shanghai')::date;
    ahead int := shegu.duty_setting('partitions_ahead_days')::int;
    keep int := shegu.duty_setting('fix_retention_days')::int;
    r record;
    d date;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'time of shegu.patrol_maintain is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Call shegu.patrol_maintain() for the present.';
    END IF;
    FOR d IN SELECT x::date FROM pg_catalog.generate_series(today, today + ahead, interval '1 day') AS x LOOP
        IF pg_catalog.to_regclass('shegu.patrol_fix_' || pg_catalog.to_char(d, 'YYYYMMDD')) IS NULL THEN
            PERFORM shegu.patrol_partition(d);
            action := 'created'; day := d; partition := 'patrol_fix_' || pg_catalog.to_char(d, 'YYYYMMDD');
            RETURN NEXT;
        END IF;
    END LOOP;
    FOR r IN SELECT c.relname,
                    pg_catalog.to_date(pg_catalog.substr(c.relname, 12), 'YYYYMMDD') AS pday
             FROM pg_catalog.pg_inherits AS i
             JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'shegu.patrol_fix'::regclass AND c.relname ~ '^patrol_fix_[0-9]{8}$'
             ORDER BY 2 LOOP
        CONTINUE WHEN r.pday >= today - keep;
        IF EXISTS (SELECT 1 FROM shegu.patrol_day AS p WHERE p.day = r.pday AND p.scored_at IS NOT NULL) THEN
            EXECUTE pg_catalog.format('DROP TABLE shegu.%I', r.relname);
            UPDATE shegu.patrol_day AS p SET dropped_at = at WHERE p.day = r.pday;
            action := 'dropped'; day := r.pday; partition := r.relname;
        ELSE
            action := 'kept_unscored'; day := r.pday; partition := r.relname;
        END IF;
        RETURN NEXT;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION shegu.patrol_maintain(timestamptz) IS
    'maintenance of the fix partitions, meant for pg_cron (e.g. daily at 00:30): creates today''s and partitions_ahead_days more, drops the partitions of scored days older than fix_retention_days (PIPL data minimisation; kept_unscored for a day not yet scored); one row per partition acted on';

-- ---------------------------------------------------------------------------------------------
-- Patrol coverage per grid and day (with road share when shegu.road has rows).

-- The road layer is shegu.road of the base room (src/base.sql): MultiLineStrings, WGS-84.

CREATE FUNCTION shegu.track_coverage(area geometry, worker text[], ts timestamptz[], lon float8[], lat float8[],
                                     accuracy float8[], radius_m float8, roads geometry,
                                     max_accuracy_m float8, jitter_m float8, max_speed_mps float8, max_gap_s float8,
                                     OUT area_m2 float8, OUT covered_m2 float8, OUT share float8,
                                     OUT seconds_inside float8, OUT gaps int, OUT max_gap_seconds float8,
                                     OUT road_m float8, OUT road_covered_m float8, OUT road_share float8,
                                     OUT fixes int, OUT kept int)
    AS 'MODULE_PATHNAME', 'duty_track_coverage' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION shegu.track_coverage(geometry, text[], timestamptz[], float8[], float8[], float8[], float8, geometry, float8, float8, float8, float8) IS
    'patrol coverage of an area by tracks (parallel arrays of WGS-84 fixes, several workers together): each worker''s fixes are cleaned by the stated rules (accuracy, jitter, duplicates, teleporting spikes, gaps: docs/duty.md), then the share of the area passed within radius_m, time inside, gaps with an end inside and, with roads, the road length inside and its share covered; fixes given and kept';

CREATE TABLE shegu.patrol_score (
    grid            shegu.gridcode NOT NULL,
    day             date NOT NULL,
    worker          text,
    radius_m        float8 NOT NULL,
    area_m2         float8 NOT NULL,
    covered_m2      float8 NOT NULL,
    share           float8 NOT NULL,
    seconds_inside  float8 NOT NULL,
    gaps            int NOT NULL,
    max_gap_seconds float8 NOT NULL,
    road_m          float8,
    road_covered_m  float8,
    road_share      float8,
    fixes           int NOT NULL,
    kept            int NOT NULL,
    scored_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patrol_score_key UNIQUE NULLS NOT DISTINCT (grid, day, worker)
);
CREATE INDEX patrol_score_day_idx ON shegu.patrol_score (day, grid);
CREATE INDEX patrol_score_worker_idx ON shegu.patrol_score (worker, day);
SELECT pg_catalog.pg_extension_config_dump('shegu.patrol_score', '');
COMMENT ON TABLE shegu.patrol_score IS
    'patrol coverage per grid and day (巡查覆盖率): one row per worker who patrolled the grid or is assigned to it, and one (worker NULL) for all tracks in it together; written by shegu.score_patrol_day(), kept after the raw fixes are dropped';
COMMENT ON COLUMN shegu.patrol_score.grid IS 'the grid (its version of that day)';
COMMENT ON COLUMN shegu.patrol_score.day IS 'the day (Asia/Shanghai)';
COMMENT ON COLUMN shegu.patrol_score.worker IS 'the worker (shegu.grid_staff.person_name); NULL: every worker''s track together';
COMMENT ON COLUMN shegu.patrol_score.radius_m IS 'N of "passed within N metres"';
COMMENT ON COLUMN shegu.patrol_score.area_m2 IS 'area of the grid, m²';
COMMENT ON COLUMN shegu.patrol_score.covered_m2 IS 'of it, within radius_m of the cleaned track, m²';
COMMENT ON COLUMN shegu.patrol_score.share IS 'covered_m2 / area_m2, 0-1 (覆盖率)';
COMMENT ON COLUMN shegu.patrol_score.seconds_inside IS 'time the track spent inside the grid, s';
COMMENT ON COLUMN shegu.patrol_score.gaps IS 'breaks of the track (silence over fix_max_gap_s or too fast) with an end inside the grid';
COMMENT ON COLUMN shegu.patrol_score.max_gap_seconds IS 'the longest of them, s';
COMMENT ON COLUMN shegu.patrol_score.road_m IS 'road length (shegu.road) inside the grid, m; NULL without a road layer';
COMMENT ON COLUMN shegu.patrol_score.road_covered_m IS 'of it, within radius_m of the track, m';
COMMENT ON COLUMN shegu.patrol_score.road_share IS 'road_covered_m / road_m; NULL without roads in the grid';
COMMENT ON COLUMN shegu.patrol_score.fixes IS 'fixes scored';
COMMENT ON COLUMN shegu.patrol_score.kept IS 'of them, kept by the cleaning rules';
COMMENT ON COLUMN shegu.patrol_score.scored_at IS 'when it was scored';
COMMENT ON CONSTRAINT patrol_score_key ON shegu.patrol_score IS 'one row per grid, day and worker (and one for all workers)';
COMMENT ON INDEX shegu.patrol_score_key IS 'one row per grid, day and worker';
COMMENT ON INDEX shegu.patrol_score_day_idx IS 'the scores of a day';
COMMENT ON INDEX shegu.patrol_score_worker_idx IS 'a worker''s scores';

CREATE TABLE shegu.patrol_pass (
    incident   bigint NOT NULL,
    worker     text NOT NULL,
    day        date NOT NULL,
    grid       shegu.gridcode NOT NULL,
    distance_m float8 NOT NULL,
    nearest_at timestamptz NOT NULL,
    PRIMARY KEY (incident, worker)
);
CREATE INDEX patrol_pass_day_idx ON shegu.patrol_pass (day);
SELECT pg_catalog.pg_extension_config_dump('shegu.patrol_pass', '');
COMMENT ON TABLE shegu.patrol_pass IS
    'patrol evidence for accountability (应发现未发现): a worker whose fix in the grid of an incident reported through another channel lay within discovery_radius_m of its place, that day before the report; written by shegu.score_patrol_day(), kept after the raw fixes are dropped';
COMMENT ON COLUMN shegu.patrol_pass.incident IS 'the incident (shegu.incident.id), reported other than by patrol';
COMMENT ON COLUMN shegu.patrol_pass.worker IS 'the worker who passed (shegu.grid_staff.person_name)';
COMMENT ON COLUMN shegu.patrol_pass.day IS 'the day (Asia/Shanghai)';
COMMENT ON COLUMN shegu.patrol_pass.grid IS 'the incident''s grid, where the fix was too';
COMMENT ON COLUMN shegu.patrol_pass.distance_m IS 'distance of the nearest fix to the incident''s place, m';
COMMENT ON COLUMN shegu.patrol_pass.nearest_at IS 'time of that fix';
COMMENT ON CONSTRAINT patrol_pass_pkey ON shegu.patrol_pass IS 'one row per incident and worker';
COMMENT ON INDEX shegu.patrol_pass_pkey IS 'one row per incident and worker';
COMMENT ON INDEX shegu.patrol_pass_day_idx IS 'the evidence of a day';

CREATE FUNCTION shegu.score_patrol_day(day date, radius_m float8 DEFAULT NULL)
    RETURNS int
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT AS $$
DECLARE
    n int;
    nf bigint;
    r float8 := coalesce(radius_m, shegu.duty_setting('coverage_radius_m'));
    t0 timestamptz;
    t1 timestamptz;
    has_roads boolean := EXISTS (SELECT 1 FROM shegu.road);
    v_acc float8 := shegu.duty_setting('fix_max_accuracy_m');
    v_jit float8 := shegu.duty_setting('fix_jitter_m');
    v_spd float8 := shegu.duty_setting('fix_max_speed_mps');
    v_gap float8 := shegu.duty_setting('fix_max_gap_s');
    v_pass float8 := shegu.duty_setting('discovery_radius_m');
BEGIN
    IF day IS NULL OR NOT pg_catalog.isfinite(day) THEN
        RAISE EXCEPTION 'day % to score is not a finite date', coalesce(day::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (r > 0 AND r <= 100000) THEN
        RAISE EXCEPTION 'coverage radius % m is not in (0, 100000]', r
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM shegu.patrol_day AS p WHERE p.day = score_patrol_day.day AND p.dropped_at IS NOT NULL) THEN
        RAISE EXCEPTION 'fixes of % were dropped: its scores stand', day
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The raw fixes of a scored day are dropped after fix_retention_days; shegu.patrol_score keeps the scores.';
    END IF;
    t0 := day::timestamp AT TIME ZONE 'Asia/Shanghai';
    t1 := (day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai';
    DELETE FROM shegu.patrol_score AS s WHERE s.day = score_patrol_day.day;
    CREATE TEMP TABLE IF NOT EXISTS pg_temp.duty_track (worker text, ts timestamptz[], lon float8[], lat float8[], acc float8[]) ON COMMIT DROP;
    CREATE TEMP TABLE IF NOT EXISTS pg_temp.duty_cand (worker text, grid shegu.gridcode) ON COMMIT DROP;
    TRUNCATE pg_temp.duty_track, pg_temp.duty_cand;
    INSERT INTO pg_temp.duty_track
    SELECT f.worker, array_agg(f.ts ORDER BY f.ts), array_agg(f.lon ORDER BY f.ts), array_agg(f.lat ORDER BY f.ts),
           array_agg(f.accuracy::float8 ORDER BY f.ts)
    FROM shegu.patrol_fix AS f WHERE f.ts >= t0 AND f.ts < t1 GROUP BY f.worker;
    -- the grids a worker is scored in: where the fixes fell, and the grids assigned that day
    INSERT INTO pg_temp.duty_cand
    SELECT DISTINCT f.worker, f.grid FROM shegu.patrol_fix AS f
    WHERE f.ts >= t0 AND f.ts < t1 AND f.grid IS NOT NULL
    UNION
    SELECT t.worker, s.code FROM pg_temp.duty_track AS t
    JOIN shegu.grid_staff AS s ON s.person_name = t.worker AND s.valid_from <= score_patrol_day.day
                              AND (s.valid_to IS NULL OR s.valid_to > score_patrol_day.day);
    ANALYZE pg_temp.duty_track;
    ANALYZE pg_temp.duty_cand;
    -- one row per worker and grid
    INSERT INTO shegu.patrol_score (grid, day, worker, radius_m, area_m2, covered_m2, share, seconds_inside, gaps,
                                    max_gap_seconds, road_m, road_covered_m, road_share, fixes, kept)
    SELECT c.grid, score_patrol_day.day, c.worker, r, v.area_m2, v.covered_m2, v.share, v.seconds_inside, v.gaps,
           v.max_gap_seconds, v.road_m, v.road_covered_m, v.road_share, v.fixes, v.kept
    FROM pg_temp.duty_cand AS c
    JOIN pg_temp.duty_track AS t ON t.worker = c.worker
    JOIN shegu.grid AS g ON g.code OPERATOR(shegu.=) c.grid AND g.valid_from <= score_patrol_day.day
                        AND (g.valid_to IS NULL OR g.valid_to > score_patrol_day.day) AND g.boundary IS NOT NULL
    CROSS JOIN LATERAL (SELECT CASE WHEN has_roads THEN
                            (SELECT ST_Collect(w.geom) FROM shegu.road AS w WHERE w.geom && g.boundary) END AS roads) AS rd
    CROSS JOIN LATERAL shegu.track_coverage(g.boundary, array_fill(t.worker, ARRAY[cardinality(t.ts)]), t.ts, t.lon, t.lat,
                                            t.acc, r, rd.roads, v_acc, v_jit, v_spd, v_gap) AS v;
    -- one row per grid for every track in it together
    INSERT INTO shegu.patrol_score (grid, day, worker, radius_m, area_m2, covered_m2, share, seconds_inside, gaps,
                                    max_gap_seconds, road_m, road_covered_m, road_share, fixes, kept)
    SELECT k.grid, score_patrol_day.day, NULL, r, v.area_m2, v.covered_m2, v.share, v.seconds_inside, v.gaps,
           v.max_gap_seconds, v.road_m, v.road_covered_m, v.road_share, v.fixes, v.kept
    FROM (SELECT c.grid, array_agg(w.worker) AS worker, array_agg(w.ts) AS ts, array_agg(w.lon) AS lon,
                 array_agg(w.lat) AS lat, array_agg(w.acc) AS acc
          FROM (SELECT DISTINCT c.grid FROM pg_temp.duty_cand AS c) AS c
          CROSS JOIN LATERAL (SELECT t.worker, u.ts, u.lon, u.lat, u.acc
                              FROM pg_temp.duty_cand AS c2
                              JOIN pg_temp.duty_track AS t ON t.worker = c2.worker
                              CROSS JOIN LATERAL unnest(t.ts, t.lon, t.lat, t.acc) AS u (ts, lon, lat, acc)
                              WHERE c2.grid OPERATOR(shegu.=) c.grid) AS w
          GROUP BY c.grid) AS k
    JOIN shegu.grid AS g ON g.code OPERATOR(shegu.=) k.grid AND g.valid_from <= score_patrol_day.day
                        AND (g.valid_to IS NULL OR g.valid_to > score_patrol_day.day) AND g.boundary IS NOT NULL
    CROSS JOIN LATERAL (SELECT CASE WHEN has_roads THEN
                            (SELECT ST_Collect(w.geom) FROM shegu.road AS w WHERE w.geom && g.boundary) END AS roads) AS rd
    CROSS JOIN LATERAL shegu.track_coverage(g.boundary, k.worker, k.ts, k.lon, k.lat, k.acc, r, rd.roads,
                                            v_acc, v_jit, v_spd, v_gap) AS v;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO nf FROM shegu.patrol_fix AS f WHERE f.ts >= t0 AND f.ts < t1;
    INSERT INTO shegu.patrol_day AS p (day, scored_at, fixes) VALUES (score_patrol_day.day, pg_catalog.clock_timestamp(), nf)
    ON CONFLICT ON CONSTRAINT patrol_day_pkey DO UPDATE SET scored_at = excluded.scored_at, fixes = excluded.fixes;
    -- patrol evidence: who passed within discovery_radius_m of a place reported that day through another channel
    DELETE FROM shegu.patrol_pass AS pp WHERE pp.day = score_patrol_day.day;
    INSERT INTO shegu.patrol_pass (incident, worker, day, grid, distance_m, nearest_at)
    SELECT DISTINCT ON (i.id, f.worker) i.id, f.worker, score_patrol_day.day, i.grid,
           ST_Distance(ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)::geography, i.location::geography), f.ts
    FROM shegu.incident AS i
    JOIN shegu.patrol_fix AS f ON f.grid OPERATOR(shegu.=) i.grid AND f.ts >= t0 AND f.ts <= i.reported_at
    WHERE i.reported_at >= t0 AND i.reported_at < t1 AND i.location IS NOT NULL AND i.grid IS NOT NULL
      AND i.source <> 'patrol'
      AND ST_DWithin(ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)::geography, i.location::geography, v_pass)
    ORDER BY i.id, f.worker, 5, f.ts;
    DROP TABLE pg_temp.duty_track, pg_temp.duty_cand;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.score_patrol_day(date, float8) IS
    'scores the patrol tracks of a day (Asia/Shanghai) into shegu.patrol_score: for every worker, each grid the fixes fell in and each grid assigned; for every such grid, all tracks together (worker NULL); replaces the day''s scores, marks the day scored, and records the patrol evidence of the day''s incidents (shegu.patrol_pass); returns the grids scored (all-tracks rows); meant for pg_cron after midnight';

-- ---------------------------------------------------------------------------------------------
-- Activities from the apps: visits (五访, follow-ups), screenings with findings, joint patrols.

CREATE TABLE shegu.duty_activity (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL,
    worker          text NOT NULL,
    at              timestamptz NOT NULL,
    location        geometry(Point, 4326),
    grid            shegu.gridcode NOT NULL,
    target_kind     text,
    target_id       bigint,
    note            text,
    idempotency_key text UNIQUE,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_activity_kind CHECK (kind IN ('joint_patrol', 'screening', 'visit_walk', 'visit_night',
        'visit_appointment', 'visit_inspection', 'visit_evaluation', 'followup')),
    CONSTRAINT duty_activity_target CHECK ((target_kind IS NULL) = (target_id IS NULL)
        AND (target_kind IS NULL OR target_kind IN ('person', 'household', 'organisation', 'place')))
);
CREATE INDEX duty_activity_grid_idx ON shegu.duty_activity (grid, at);
CREATE INDEX duty_activity_worker_idx ON shegu.duty_activity (worker, at);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_activity', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_activity_id_seq', '');
COMMENT ON SEQUENCE shegu.duty_activity_id_seq IS 'activity numbers of shegu.duty_activity (identity)';
COMMENT ON TABLE shegu.duty_activity IS
    'activities recorded by the apps (走访、排查、协同巡查): a visit of one of the five kinds or a follow-up to a person, household, organisation or place of the base data, a screening session (its findings in shegu.screening_finding), a joint patrol; bound to a grid at its time. Written through shegu.record_activity()';
COMMENT ON COLUMN shegu.duty_activity.id IS 'the activity';
COMMENT ON COLUMN shegu.duty_activity.kind IS 'joint_patrol 协同巡查, screening 排查, visit_walk 走访, visit_night 夜访, visit_appointment 约访, visit_inspection 查访, visit_evaluation 评访, followup 随访';
COMMENT ON COLUMN shegu.duty_activity.worker IS 'who did it (shegu.grid_staff.person_name)';
COMMENT ON COLUMN shegu.duty_activity.at IS 'when';
COMMENT ON COLUMN shegu.duty_activity.location IS 'where (WGS-84, converted from the app''s crs); NULL when only the grid was given';
COMMENT ON COLUMN shegu.duty_activity.grid IS 'the grid: shegu.locate(location, at), or the grid given';
COMMENT ON COLUMN shegu.duty_activity.target_kind IS 'what was visited: person, household, organisation or place (the base-data room''s tables); NULL for a screening or joint patrol';
COMMENT ON COLUMN shegu.duty_activity.target_id IS 'its id in shegu.person, shegu.household, shegu.organisation or shegu.place';
COMMENT ON COLUMN shegu.duty_activity.note IS 'free text';
COMMENT ON COLUMN shegu.duty_activity.idempotency_key IS 'the app''s key of the submission: a retry returns the stored activity';
COMMENT ON COLUMN shegu.duty_activity.recorded_at IS 'when the server stored it';
COMMENT ON CONSTRAINT duty_activity_pkey ON shegu.duty_activity IS 'activities by id';
COMMENT ON CONSTRAINT duty_activity_idempotency_key_key ON shegu.duty_activity IS 'one activity per idempotency key';
COMMENT ON CONSTRAINT duty_activity_kind ON shegu.duty_activity IS 'the kind is one of the recorded activity kinds (patrols are proven by tracks)';
COMMENT ON CONSTRAINT duty_activity_target ON shegu.duty_activity IS 'a target has a kind and an id, or neither';
COMMENT ON INDEX shegu.duty_activity_pkey IS 'activities by id';
COMMENT ON INDEX shegu.duty_activity_idempotency_key_key IS 'one activity per idempotency key';
COMMENT ON INDEX shegu.duty_activity_grid_idx IS 'the activities of a grid in time order';
COMMENT ON INDEX shegu.duty_activity_worker_idx IS 'a worker''s activities in time order';

CREATE TABLE shegu.screening_finding (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    activity    bigint NOT NULL REFERENCES shegu.duty_activity (id) ON DELETE CASCADE,
    category    text NOT NULL,
    title       text NOT NULL CHECK (title <> ''),
    description text,
    location    geometry(Point, 4326),
    incident    bigint,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX screening_finding_activity_idx ON shegu.screening_finding (activity);
SELECT pg_catalog.pg_extension_config_dump('shegu.screening_finding', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.screening_finding_id_seq', '');
COMMENT ON SEQUENCE shegu.screening_finding_id_seq IS 'finding numbers of shegu.screening_finding (identity)';
COMMENT ON TABLE shegu.screening_finding IS
    'findings of a screening session (排查发现的矛盾纠纷、隐患): each can open an incident through shegu.report() (source patrol)';
COMMENT ON COLUMN shegu.screening_finding.id IS 'the finding';
COMMENT ON COLUMN shegu.screening_finding.activity IS 'the screening (shegu.duty_activity of kind screening)';
COMMENT ON COLUMN shegu.screening_finding.category IS 'incident category code (shegu.incident_category) it would be reported as';
COMMENT ON COLUMN shegu.screening_finding.title IS 'short title';
COMMENT ON COLUMN shegu.screening_finding.description IS 'what was found';
COMMENT ON COLUMN shegu.screening_finding.location IS 'where (WGS-84); NULL: the screening''s place';
COMMENT ON COLUMN shegu.screening_finding.incident IS 'the incident (shegu.incident.id) it opened; NULL while not reported';
COMMENT ON COLUMN shegu.screening_finding.recorded_at IS 'when the server stored it';
COMMENT ON CONSTRAINT screening_finding_pkey ON shegu.screening_finding IS 'findings by id';
COMMENT ON CONSTRAINT screening_finding_activity_fkey ON shegu.screening_finding IS 'a finding belongs to a recorded screening and goes with it';
COMMENT ON CONSTRAINT screening_finding_title_check ON shegu.screening_finding IS 'a finding has a title';
COMMENT ON INDEX shegu.screening_finding_pkey IS 'findings by id';
COMMENT ON INDEX shegu.screening_finding_activity_idx IS 'the findings of a screening';

-- The calling role as grid_scope() sees it, and whether it may write for a worker.
CREATE FUNCTION shegu.duty_check_writer(worker text) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    me name := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
                    ELSE pg_catalog.current_setting('role')::name END;
BEGIN
    IF NOT pg_catalog.pg_has_role(me, 'shegu_centre', 'MEMBER')
       AND NOT EXISTS (SELECT 1 FROM shegu.grid_staff AS s WHERE s.person_name = worker AND s.db_role = me) THEN
        RAISE EXCEPTION 'role "%" may not record for worker "%"', me, worker
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Grid staff record their own work (shegu.grid_staff.db_role); the centre records anyone''s.';
    END IF;
END;
$$;
COMMENT ON FUNCTION shegu.duty_check_writer(text) IS
    'refuses (42501) a caller recording for a worker other than its own grid_staff person, unless it is a shegu_centre member';
REVOKE ALL ON FUNCTION shegu.duty_check_writer(text) FROM PUBLIC;

CREATE FUNCTION shegu.record_activity(kind text, worker text, at timestamptz,
                                      lon float8 DEFAULT NULL, lat float8 DEFAULT NULL, crs text DEFAULT 'wgs84',
                                      grid shegu.gridcode DEFAULT NULL,
                                      target_kind text DEFAULT NULL, target_id bigint DEFAULT NULL,
                                      note text DEFAULT NULL, idempotency_key text DEFAULT NULL)
    RETURNS shegu.duty_activity
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path FROM CURRENT AS $$
DECLARE
    r shegu.duty_activity;
    v_grid shegu.gridcode := record_activity.grid;
    v_loc geometry;
    v_day date;
    mine shegu.gridcode[];
    tgrid shegu.gridcode;
    ok boolean;
BEGIN
    IF kind IS NULL OR worker IS NULL OR at IS NULL THEN
        RAISE EXCEPTION 'kind, worker and time of an activity must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF kind NOT IN ('joint_patrol', 'screening', 'visit_walk', 'visit_night', 'visit_appointment',
                    'visit_inspection', 'visit_evaluation', 'followup') THEN
        RAISE EXCEPTION 'unknown activity kind "%"', kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Kinds: joint_patrol, screening, visit_walk, visit_night, visit_appointment, visit_inspection, visit_evaluation, followup (patrols are recorded as tracks with shegu.record_fixes).';
    END IF;
    PERFORM shegu.duty_check_writer(worker);
    IF idempotency_key IS NOT NULL THEN
        SELECT a.* INTO r FROM shegu.duty_activity AS a WHERE a.idempotency_key = record_activity.idempotency_key;
        IF FOUND THEN
            IF r.kind <> record_activity.kind OR r.worker <> record_activity.worker OR r.at <> record_activity.at THEN
                RAISE EXCEPTION 'idempotency key "%" already names activity %', idempotency_key, r.id
                    USING ERRCODE = 'unique_violation',
                          DETAIL = pg_catalog.format('Activity %s is a %s of "%s" at %s; the retry differs.', r.id, r.kind, r.worker, r.at),
                          HINT = 'Use a new key for a new submission.';
            END IF;
            RETURN r;
        END IF;
    END IF;
    PERFORM shegu.duty_check_worker(worker, at, at);
    IF (lon IS NULL) <> (lat IS NULL) THEN
        RAISE EXCEPTION 'activity has a longitude or a latitude but not both'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lon IS NOT NULL THEN
        SELECT ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), coalesce(v_grid, f.grid) INTO v_loc, v_grid
        FROM shegu.duty_fixes_wgs84(ARRAY[at], ARRAY[lon], ARRAY[lat], crs) AS f;
    END IF;
    IF v_grid IS NULL THEN
        RAISE EXCEPTION 'activity of worker "%" at % has no grid', worker, at
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = CASE WHEN lon IS NULL THEN 'Neither a location nor a grid was given.'
                                ELSE pg_catalog.format('The point (%s %s) lies in no grid on that day.', lon, lat) END,
                  HINT = 'Give the location of the activity, or its grid.';
    END IF;
    IF (target_kind IS NULL) <> (target_id IS NULL) THEN
        RAISE EXCEPTION 'target of the activity needs both its kind and its id'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF target_kind IS NOT NULL AND target_kind NOT IN ('person', 'household', 'organisation', 'place') THEN
        RAISE EXCEPTION 'unknown target kind "%"', target_kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A visit goes to a person, household, organisation or place.';
    END IF;
    IF kind LIKE 'visit%' OR kind = 'followup' THEN
        IF target_kind IS NULL THEN
            RAISE EXCEPTION 'a % needs its target', kind
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Give target_kind (person, household, organisation, place) and target_id.';
        END IF;
    END IF;
    v_day := (at AT TIME ZONE 'Asia/Shanghai')::date;
    mine := shegu.worker_grids(worker, v_day);
    IF NOT v_grid OPERATOR(shegu.<@) ANY (mine) THEN
        RAISE EXCEPTION 'activity of worker "%" in grid % is outside the worker''s grids', worker, v_grid
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('On %s "%s" is assigned to %s.', v_day, worker, pg_catalog.array_to_string(mine, ', ')),
                  HINT = 'Record the activity under the worker who holds the grid, or assign the worker to it in shegu.grid_staff.';
    END IF;
    -- the target must exist in the base data and, for a person, live in the worker's grids
    IF target_kind IS NOT NULL AND pg_catalog.to_regclass('shegu.' || target_kind) IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM shegu.%I WHERE id = $1)', target_kind)
            INTO ok USING target_id;
        IF NOT ok THEN
            RAISE EXCEPTION '% % does not exist', target_kind, target_id
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = pg_catalog.format('The %s visit names shegu.%s id %s.', kind, target_kind, target_id);
        END IF;
        IF target_kind = 'person' AND pg_catalog.to_regprocedure('shegu.person_grid(bigint,date)') IS NOT NULL THEN
            EXECUTE 'SELECT shegu.person_grid($1, $2)' INTO tgrid USING target_id, v_day;
            IF tgrid IS NULL OR NOT tgrid OPERATOR(shegu.<@) ANY (mine) THEN
                RAISE EXCEPTION 'visit of worker "%" to person % is outside the worker''s grids', worker, target_id
                    USING ERRCODE = 'invalid_parameter_value',
                          DETAIL = pg_catalog.format('On %s the person lives in %s; "%s" is assigned to %s.', v_day,
                                                     coalesce(tgrid::text, 'no grid'), worker, pg_catalog.array_to_string(mine, ', ')),
                          HINT = 'The visit belongs to the staff of the person''s grid.';
            END IF;
        END IF;
    END IF;
    INSERT INTO shegu.duty_activity AS a (kind, worker, at, location, grid, target_kind, target_id, note, idempotency_key)
    VALUES (kind, worker, at, v_loc, v_grid, target_kind, target_id, note, idempotency_key)
    RETURNING a.* INTO r;
    RETURN r;
END;
$$;
COMMENT ON FUNCTION shegu.record_activity(text, text, timestamptz, float8, float8, text, shegu.gridcode, text, bigint, text, text) IS
    'records a visit, follow-up, screening or joint patrol of a worker, located (crs wgs84, cgcs2000, gcj02, bd09) or in the grid given; refuses (nothing written) a time in the future, before the worker''s assignment or on a day without one, a grid outside the worker''s grids, a visit without a target, a target missing from the base data, a person living outside the worker''s grids; a retry with the same idempotency_key returns the stored activity';
REVOKE ALL ON FUNCTION shegu.record_activity(text, text, timestamptz, float8, float8, text, shegu.gridcode, text, bigint, text, text) FROM PUBLIC;

CREATE FUNCTION shegu.add_finding(screening bigint, category text, title text, description text DEFAULT NULL,
                                  lon float8 DEFAULT NULL, lat float8 DEFAULT NULL, crs text DEFAULT 'wgs84',
                                  report boolean DEFAULT false)
    RETURNS shegu.screening_finding
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path FROM CURRENT AS $$
DECLARE
    a shegu.duty_activity;
    f shegu.screening_finding;
    v_loc geometry;
BEGIN
    IF screening IS NULL OR category IS NULL OR title IS NULL OR report IS NULL THEN
        RAISE EXCEPTION 'screening, category, title and report of a finding must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT x.* INTO a FROM shegu.duty_activity AS x WHERE x.id = screening;
    IF NOT FOUND OR a.kind <> 'screening' THEN
        RAISE EXCEPTION 'activity % is not a recorded screening', screening
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = CASE WHEN a.id IS NULL THEN 'No activity has that id.' ELSE pg_catalog.format('It is a %s.', a.kind) END;
    END IF;
    PERFORM shegu.duty_check_writer(a.worker);
    IF NOT EXISTS (SELECT 1 FROM shegu.incident_category AS c WHERE c.code = add_finding.category) THEN
        RAISE EXCEPTION 'unknown incident category "%"', category
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'A finding is classified by a code of shegu.incident_category.';
    END IF;
    IF lon IS NOT NULL AND lat IS NOT NULL THEN
        SELECT ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326) INTO v_loc
        FROM shegu.duty_fixes_wgs84(ARRAY[a.at], ARRAY[lon], ARRAY[lat], crs) AS w;
    END IF;
    INSERT INTO shegu.screening_finding AS s (activity, category, title, description, location)
    VALUES (screening, category, title, description, v_loc)
    RETURNING s.* INTO f;
    IF report THEN
        f := shegu.report_finding(f.id);
    END IF;
    RETURN f;
END;
$$;

CREATE FUNCTION shegu.report_finding(finding bigint) RETURNS shegu.screening_finding
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path FROM CURRENT AS $$
DECLARE
    f shegu.screening_finding;
    a shegu.duty_activity;
    i shegu.incident;
BEGIN
    SELECT x.* INTO f FROM shegu.screening_finding AS x WHERE x.id = finding FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'finding % does not exist', coalesce(finding::text, 'NULL')
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT x.* INTO a FROM shegu.duty_activity AS x WHERE x.id = f.activity;
    PERFORM shegu.duty_check_writer(a.worker);
    IF f.incident IS NOT NULL THEN
        RETURN f;
    END IF;
    i := shegu.report(f.category, f.title, 'patrol',
                      CASE WHEN f.location IS NULL THEN a.grid END, f.location, a.worker, f.description,
                      a.at, 'shegu.screening_finding:' || f.id);
    UPDATE shegu.screening_finding AS x SET incident = i.id WHERE x.id = f.id RETURNING x.* INTO f;
    RETURN f;
END;
$$;
COMMENT ON FUNCTION shegu.report_finding(bigint) IS
    'opens an incident for a screening finding through shegu.report() (source patrol, reporter the worker, at the screening''s time, in the finding''s place or the screening''s grid; idempotency key shegu.screening_finding:<id>) and returns the finding with its incident; a finding already reported is returned as it is';
COMMENT ON FUNCTION shegu.add_finding(bigint, text, text, text, float8, float8, text, boolean) IS
    'adds a finding to a recorded screening (category of shegu.incident_category); with report, opens its incident through shegu.report_finding()';
REVOKE ALL ON FUNCTION shegu.report_finding(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION shegu.add_finding(bigint, text, text, text, float8, float8, text, boolean) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Periods, duties owed and compliance.

-- The start of the period numbered idx of a unit (day and week count from Monday 2000-01-03).
CREATE FUNCTION shegu.duty_unit_start(unit text, idx bigint) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE unit
    WHEN 'day' THEN DATE '2000-01-03' + idx::int
    WHEN 'week' THEN DATE '2000-01-03' + 7 * idx::int
    WHEN 'half_month' THEN pg_catalog.make_date((pg_catalog.div(idx, 24))::int, (pg_catalog.mod(pg_catalog.div(idx, 2), 12))::int + 1,
                                                CASE WHEN pg_catalog.mod(idx, 2) = 0 THEN 1 ELSE 16 END)
    WHEN 'month' THEN pg_catalog.make_date((pg_catalog.div(idx, 12))::int, (pg_catalog.mod(idx, 12))::int + 1, 1)
    WHEN 'quarter' THEN pg_catalog.make_date((pg_catalog.div(idx, 4))::int, 3 * (pg_catalog.mod(idx, 4))::int + 1, 1)
    WHEN 'year' THEN pg_catalog.make_date(idx::int, 1, 1)
END;
COMMENT ON FUNCTION shegu.duty_unit_start(text, bigint) IS
    'first day of period number idx of a unit: days and weeks from Monday 2000-01-03, half months, months, quarters and years from year 0';

-- The number of the period of a unit holding a day.
CREATE FUNCTION shegu.duty_unit_index(unit text, day date) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE unit
    WHEN 'day' THEN (day - DATE '2000-01-03')::bigint
    WHEN 'week' THEN pg_catalog.floor((day - DATE '2000-01-03') / 7.0)::bigint
    WHEN 'half_month' THEN (2 * (12 * pg_catalog.date_part('year', day) + pg_catalog.date_part('month', day) - 1)
                            + CASE WHEN pg_catalog.date_part('day', day) > 15 THEN 1 ELSE 0 END)::bigint
    WHEN 'month' THEN (12 * pg_catalog.date_part('year', day) + pg_catalog.date_part('month', day) - 1)::bigint
    WHEN 'quarter' THEN (4 * pg_catalog.date_part('year', day) + pg_catalog.floor((pg_catalog.date_part('month', day) - 1) / 3))::bigint
    WHEN 'year' THEN pg_catalog.date_part('year', day)::bigint
END;
COMMENT ON FUNCTION shegu.duty_unit_index(text, date) IS
    'number of the period of a unit (day, week, half_month, month, quarter, year) holding a day; the inverse of shegu.duty_unit_start';

CREATE FUNCTION shegu.duty_periods(every int, unit text, working boolean, first date, last date)
    RETURNS TABLE (period_start date, period_end date)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    g bigint;
BEGIN
    IF every IS NULL OR every <= 0 THEN
        RAISE EXCEPTION 'duty period "every % %" is not a positive number of periods', coalesce(every::text, 'NULL'), unit
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF unit IS NULL OR unit NOT IN ('day', 'week', 'half_month', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'unknown duty period unit "%"', coalesce(unit, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Units: day, week, half_month, month, quarter, year.';
    END IF;
    IF first IS NULL OR last IS NULL OR NOT pg_catalog.isfinite(first) OR NOT pg_catalog.isfinite(last) THEN
        RAISE EXCEPTION 'days of shegu.duty_periods must be finite dates'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF last < first THEN
        RETURN;
    END IF;
    IF working AND unit = 'day' THEN
        -- every N working days, counted from the first working day of each year
        RETURN QUERY
        WITH w AS (
            SELECT d::date AS d, pg_catalog.date_part('year', d) AS y,
                   pg_catalog.row_number() OVER (PARTITION BY pg_catalog.date_part('year', d) ORDER BY d) - 1 AS k
            FROM pg_catalog.generate_series(pg_catalog.make_date(pg_catalog.date_part('year', first)::int, 1, 1),
                                            last, interval '1 day') AS d
            WHERE shegu.is_workday(d::date)
        ), p AS (
            SELECT min(w.d) AS s, max(w.d) + 1 AS e FROM w GROUP BY w.y, w.k / every
        )
        SELECT p.s, p.e FROM p WHERE p.e > first ORDER BY p.s;
        RETURN;
    END IF;
    g := pg_catalog.div(shegu.duty_unit_index(unit, first), every);
    WHILE shegu.duty_unit_start(unit, g * every) <= last LOOP
        period_start := shegu.duty_unit_start(unit, g * every);
        period_end := shegu.duty_unit_start(unit, (g + 1) * every);
        IF NOT working OR EXISTS (SELECT 1 FROM pg_catalog.generate_series(period_start, period_end - 1, interval '1 day') AS d
                                  WHERE shegu.is_workday(d::date)) THEN
            RETURN NEXT;
        END IF;
        g := g + 1;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION shegu.duty_periods(int, text, boolean, date, date) IS
    'the periods of "every N units" overlapping the days first..last, each [period_start, period_end); working: every N working days (numbered from each year''s first), or for longer units only the periods holding a working day';

CREATE FUNCTION shegu.duty_due(period_end date, grace_days int, working boolean) RETURNS date
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    d date := period_end;
    n int := 0;
BEGIN
    IF NOT working OR grace_days = 0 THEN
        RETURN period_end + grace_days;
    END IF;
    WHILE n < grace_days LOOP
        IF shegu.is_workday(d) THEN
            n := n + 1;
        END IF;
        d := d + 1;
    END LOOP;
    RETURN d;
END;
$$;
COMMENT ON FUNCTION shegu.duty_due(date, int, boolean) IS
    'the first day a duty of a period ending (exclusive) at period_end is missed: grace_days later, counting working days when working';

CREATE TABLE shegu.duty_status (
    rule         bigint NOT NULL REFERENCES shegu.duty_rule (id) ON DELETE CASCADE,
    county       shegu.gridcode NOT NULL,
    activity     text NOT NULL,
    grid         shegu.gridcode NOT NULL,
    person_name  text,
    role         text NOT NULL,
    target_id    bigint,
    period_start date NOT NULL,
    period_end   date NOT NULL,
    due_on       date NOT NULL,
    owed         int NOT NULL,
    done_on_time int NOT NULL,
    done_late    int NOT NULL,
    state        text NOT NULL CHECK (state IN ('open', 'done', 'late', 'missed')),
    judged_at    timestamptz NOT NULL,
    notified_at  timestamptz,
    CONSTRAINT duty_status_key UNIQUE NULLS NOT DISTINCT (rule, grid, person_name, period_start, target_id)
);
CREATE INDEX duty_status_grid_idx ON shegu.duty_status (grid, period_start);
CREATE INDEX duty_status_person_idx ON shegu.duty_status (person_name, period_start);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_status', '');
COMMENT ON TABLE shegu.duty_status IS
    'every duty owed (应履职) and what was done, one row per rule, grid, owing person and period (and, for a follow-up, person followed up): written by shegu.duty_judge()';
COMMENT ON COLUMN shegu.duty_status.rule IS 'the rule (shegu.duty_rule)';
COMMENT ON COLUMN shegu.duty_status.county IS 'its county';
COMMENT ON COLUMN shegu.duty_status.activity IS 'the activity owed';
COMMENT ON COLUMN shegu.duty_status.grid IS 'the grid that owes it (a grid of the rule''s kind)';
COMMENT ON COLUMN shegu.duty_status.person_name IS 'who owes it: a holder of the role in the grid during the period (shegu.grid_staff.person_name); NULL: nobody held it (the grid owes it unstaffed)';
COMMENT ON COLUMN shegu.duty_status.role IS 'the owing role (for a follow-up, the grade''s followup_role)';
COMMENT ON COLUMN shegu.duty_status.target_id IS 'for a follow-up: the person followed up (shegu.person.id); NULL otherwise';
COMMENT ON COLUMN shegu.duty_status.period_start IS 'first day of the period';
COMMENT ON COLUMN shegu.duty_status.period_end IS 'first day after it';
COMMENT ON COLUMN shegu.duty_status.due_on IS 'first day the duty is missed (period_end plus grace)';
COMMENT ON COLUMN shegu.duty_status.owed IS 'activities owed in the period (the rule''s times)';
COMMENT ON COLUMN shegu.duty_status.done_on_time IS 'activities (for patrols: days whose coverage met the rule) inside the period';
COMMENT ON COLUMN shegu.duty_status.done_late IS 'those after the period, within the grace';
COMMENT ON COLUMN shegu.duty_status.state IS 'done 按时 (done_on_time >= owed), late 迟办 (with the late ones), missed 未履职 (neither by due_on), open (not yet due)';
COMMENT ON COLUMN shegu.duty_status.judged_at IS 'when shegu.duty_judge() last judged it';
COMMENT ON COLUMN shegu.duty_status.notified_at IS 'when the missed duty was announced (NOTIFY shegu_duty_missed); announced once';
COMMENT ON CONSTRAINT duty_status_key ON shegu.duty_status IS 'one row per rule, grid, person, period and person followed up';
COMMENT ON CONSTRAINT duty_status_rule_fkey ON shegu.duty_status IS 'the duty follows its rule';
COMMENT ON CONSTRAINT duty_status_state_check ON shegu.duty_status IS 'state is open, done, late or missed';
COMMENT ON INDEX shegu.duty_status_key IS 'one row per rule, grid, person, period and person followed up';
COMMENT ON INDEX shegu.duty_status_grid_idx IS 'the duties of a grid';
COMMENT ON INDEX shegu.duty_status_person_idx IS 'the duties of a person';

CREATE FUNCTION shegu.duty_kind_level(kind text) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE kind WHEN 'province' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3 WHEN 'township' THEN 4
                 WHEN 'community' THEN 5 WHEN 'basic' THEN 6 WHEN 'dedicated' THEN 6 WHEN 'micro' THEN 7 END;
COMMENT ON FUNCTION shegu.duty_kind_level(text) IS
    'the level of a grid kind (shegu.grid.kind): province 1, city 2, county 3, township 4, community 5, basic and dedicated 6, micro 7';

CREATE FUNCTION shegu.duty_judge(at timestamptz DEFAULT now(), since date DEFAULT NULL)
    RETURNS TABLE (judged bigint, missed bigint, notified bigint)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    today date := (at AT TIME ZONE 'Asia/Shanghai')::date;
    first date := coalesce(since, today - 400);
    rad float8 := shegu.duty_setting('coverage_radius_m');
    n bigint;
    m bigint;
    k bigint := 0;
    s record;
BEGIN
    IF at IS NULL OR NOT pg_catalog.isfinite(at) THEN
        RAISE EXCEPTION 'time of shegu.duty_judge must be a finite time'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Call shegu.duty_judge() for the present.';
    END IF;
    IF first > today THEN
        RAISE EXCEPTION 'first day % of shegu.duty_judge is after the day judged %', first, today
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO shegu.duty_status AS t (rule, county, activity, grid, person_name, role, target_id, period_start,
                                        period_end, due_on, owed, done_on_time, done_late, state, judged_at)
    SELECT o.rule, o.county, o.activity, o.grid, o.person_name, o.role, o.target_id, o.period_start, o.period_end,
           o.due_on, o.times, e.on_time, e.late,
           CASE WHEN e.on_time >= o.times THEN 'done'
                WHEN e.on_time + e.late >= o.times THEN 'late'
                WHEN today >= o.due_on THEN 'missed'
                ELSE 'open' END,
           at
    FROM (
        -- the standing and campaign rules: every grid of the rule's kind
        SELECT r.id AS rule, r.county, r.activity, r.role, r.times, r.min_share, r.min_minutes,
               coalesce(r.radius_m, rad) AS radius_m, g.code AS grid, st.person_name, NULL::bigint AS target_id,
               p.period_start, p.period_end, shegu.duty_due(p.period_end, r.grace_days, r.working) AS due_on
        FROM shegu.duty_rule AS r
        LEFT JOIN shegu.duty_campaign AS c ON c.id = r.campaign
        CROSS JOIN LATERAL shegu.duty_periods(r.every, r.unit, r.working,
                                              greatest(first, r.valid_from, c.starts),
                                              least(today, r.valid_to - 1, c.ends - 1)) AS p
        JOIN LATERAL (SELECT DISTINCT g.code FROM shegu.grid AS g
                      WHERE g.kind = r.grid_kind AND g.code OPERATOR(shegu.<@) r.county
                        AND g.valid_from < p.period_end AND (g.valid_to IS NULL OR g.valid_to > p.period_start)
                        AND (c.id IS NULL OR g.code OPERATOR(shegu.<@) ANY (c.grids))) AS g ON true
        LEFT JOIN LATERAL (SELECT DISTINCT s.person_name FROM shegu.grid_staff AS s
                           WHERE s.code OPERATOR(shegu.=) g.code AND s.role = r.role
                             AND s.valid_from < p.period_end AND (s.valid_to IS NULL OR s.valid_to > p.period_start)) AS st ON true
        WHERE p.period_start <= today AND r.activity <> 'followup'
        UNION ALL
        -- follow-ups (随访): every person under attention (shegu.person_attention) in the county, at the
        -- frequency of the grade (shegu.attention_grade), owed by the grade's role in the person's grid
        -- at the rule's grid kind
        SELECT r.id, r.county, r.activity, ag.followup_role, 1, NULL::float8, NULL::float8, rad, pg.grid,
               st.person_name, pa.person, p.period_start, p.period_end,
               shegu.duty_due(p.period_end, r.grace_days, ag.followup_working)
        FROM shegu.duty_rule AS r
        JOIN shegu.person_attention AS pa ON pa.valid_from <= least(today, r.valid_to - 1)
                                         AND (pa.valid_to IS NULL OR pa.valid_to > greatest(first, r.valid_from))
        JOIN shegu.attention_grade AS ag ON ag.category = pa.category AND ag.grade = pa.grade
        CROSS JOIN LATERAL shegu.duty_periods(ag.followup_every, ag.followup_unit, ag.followup_working,
                                              greatest(first, r.valid_from, pa.valid_from),
                                              least(today, r.valid_to - 1, pa.valid_to - 1)) AS p
        CROSS JOIN LATERAL (SELECT coalesce(shegu.ancestor(h.home, shegu.duty_kind_level(r.grid_kind)), h.home) AS grid
                            FROM (SELECT shegu.person_grid(pa.person, p.period_start) AS home) AS h) AS pg
        LEFT JOIN LATERAL (SELECT DISTINCT s.person_name FROM shegu.grid_staff AS s
                           WHERE s.code OPERATOR(shegu.=) pg.grid AND s.role = ag.followup_role
                             AND s.valid_from < p.period_end AND (s.valid_to IS NULL OR s.valid_to > p.period_start)) AS st ON true
        WHERE r.activity = 'followup' AND r.campaign IS NULL AND p.period_start <= today
          AND pg.grid IS NOT NULL AND pg.grid OPERATOR(shegu.<@) r.county
    ) AS o
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE x.day < o.period_end) AS on_time,
               count(*) FILTER (WHERE x.day >= o.period_end) AS late
        FROM (
            -- patrols: the days whose coverage met the rule
            SELECT DISTINCT ps.day
            FROM shegu.patrol_score AS ps
            WHERE o.activity IN ('patrol', 'joint_patrol')
              AND ps.grid OPERATOR(shegu.<@) o.grid AND ps.day >= o.period_start AND ps.day < o.due_on
              AND ps.worker IS NOT DISTINCT FROM o.person_name
              AND ps.radius_m <= o.radius_m
              AND (o.min_share IS NULL OR ps.share >= o.min_share)
              AND (o.min_minutes IS NULL OR ps.seconds_inside >= 60 * o.min_minutes)
            UNION ALL
            -- the activities recorded: in the owing grid, or for a follow-up, to the person followed up
            SELECT (a.at AT TIME ZONE 'Asia/Shanghai')::date
            FROM shegu.duty_activity AS a
            WHERE a.kind = o.activity
              AND (CASE WHEN o.target_id IS NULL THEN a.grid OPERATOR(shegu.<@) o.grid
                        ELSE a.target_kind = 'person' AND a.target_id = o.target_id END)
              AND (o.person_name IS NULL OR a.worker = o.person_name)
              AND a.at >= (o.period_start::timestamp AT TIME ZONE 'Asia/Shanghai')
              AND a.at < (o.due_on::timestamp AT TIME ZONE 'Asia/Shanghai')
        ) AS x
    ) AS e
    ON CONFLICT ON CONSTRAINT duty_status_key DO UPDATE
        SET due_on = excluded.due_on, owed = excluded.owed, done_on_time = excluded.done_on_time,
            done_late = excluded.done_late, state = excluded.state, judged_at = excluded.judged_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO m FROM shegu.duty_status AS t WHERE t.state = 'missed' AND t.period_start >= first;
    -- announce each missed duty once
    FOR s IN UPDATE shegu.duty_status AS t SET notified_at = at
             WHERE t.state = 'missed' AND t.notified_at IS NULL
             RETURNING t.* LOOP
        PERFORM pg_catalog.pg_notify('shegu_duty_missed', pg_catalog.json_build_object(
            'rule', s.rule, 'activity', s.activity, 'grid', s.grid::text, 'person', s.person_name, 'role', s.role,
            'period_start', s.period_start, 'period_end', s.period_end, 'due_on', s.due_on,
            'owed', s.owed, 'done', s.done_on_time + s.done_late)::text);
        k := k + 1;
    END LOOP;
    judged := n; missed := m; notified := k;
    RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION shegu.duty_judge(timestamptz, date) IS
    'judges every duty of every county rule whose period started between since (default 400 days back) and the day of at (Asia/Shanghai) into shegu.duty_status, and NOTIFYs shegu_duty_missed once per newly missed duty (a JSON payload: rule, activity, grid, person, role, period, due_on, owed, done); idempotent; meant for pg_cron daily; returns the duties judged, missed since then, and announced now';

-- Compliance views.

CREATE VIEW shegu.duty_compliance_person WITH (security_invoker = true) AS
SELECT s.person_name, s.role, s.county, s.activity,
       pg_catalog.date_trunc('month', s.period_start)::date AS month,
       count(*) AS owed,
       count(*) FILTER (WHERE s.state = 'done') AS done,
       count(*) FILTER (WHERE s.state = 'late') AS late,
       count(*) FILTER (WHERE s.state = 'missed') AS missed,
       count(*) FILTER (WHERE s.state = 'open') AS open,
       (count(*) FILTER (WHERE s.state = 'done'))::float8
           / NULLIF(count(*) FILTER (WHERE s.state <> 'open'), 0) AS on_time_rate
FROM shegu.duty_status AS s
GROUP BY 1, 2, 3, 4, 5;
COMMENT ON VIEW shegu.duty_compliance_person IS
    'duties by person (履职情况), role, activity and month of the period''s start: owed, done on time, late, missed, still open; security_invoker (grid staff see the rows of their grids)';
COMMENT ON COLUMN shegu.duty_compliance_person.person_name IS 'who owed them (NULL: grids with nobody in the role)';
COMMENT ON COLUMN shegu.duty_compliance_person.role IS 'the owing role';
COMMENT ON COLUMN shegu.duty_compliance_person.county IS 'the county of the rules';
COMMENT ON COLUMN shegu.duty_compliance_person.activity IS 'the activity';
COMMENT ON COLUMN shegu.duty_compliance_person.month IS 'first day of the month the periods started in';
COMMENT ON COLUMN shegu.duty_compliance_person.owed IS 'duties owed (应履职数)';
COMMENT ON COLUMN shegu.duty_compliance_person.done IS 'done on time (按时履职)';
COMMENT ON COLUMN shegu.duty_compliance_person.late IS 'done late, within the grace (迟办)';
COMMENT ON COLUMN shegu.duty_compliance_person.missed IS 'missed (未履职)';
COMMENT ON COLUMN shegu.duty_compliance_person.open IS 'not yet due';
COMMENT ON COLUMN shegu.duty_compliance_person.on_time_rate IS 'done / (owed - open), 0-1 (按时履职率); NULL while none is due';

CREATE VIEW shegu.duty_compliance_grid WITH (security_invoker = true) AS
SELECT s.grid, s.county, s.activity,
       pg_catalog.date_trunc('month', s.period_start)::date AS month,
       count(*) AS owed,
       count(*) FILTER (WHERE s.state = 'done') AS done,
       count(*) FILTER (WHERE s.state = 'late') AS late,
       count(*) FILTER (WHERE s.state = 'missed') AS missed,
       count(*) FILTER (WHERE s.state = 'open') AS open,
       (count(*) FILTER (WHERE s.state = 'done'))::float8
           / NULLIF(count(*) FILTER (WHERE s.state <> 'open'), 0) AS on_time_rate
FROM shegu.duty_status AS s
GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW shegu.duty_compliance_grid IS
    'duties by owing grid, activity and month of the period''s start: owed, done on time, late, missed, open';
COMMENT ON COLUMN shegu.duty_compliance_grid.grid IS 'the owing grid';
COMMENT ON COLUMN shegu.duty_compliance_grid.county IS 'its county';
COMMENT ON COLUMN shegu.duty_compliance_grid.activity IS 'the activity';
COMMENT ON COLUMN shegu.duty_compliance_grid.month IS 'first day of the month the periods started in';
COMMENT ON COLUMN shegu.duty_compliance_grid.owed IS 'duties owed (应履职数)';
COMMENT ON COLUMN shegu.duty_compliance_grid.done IS 'done on time (按时履职)';
COMMENT ON COLUMN shegu.duty_compliance_grid.late IS 'done late, within the grace (迟办)';
COMMENT ON COLUMN shegu.duty_compliance_grid.missed IS 'missed (未履职)';
COMMENT ON COLUMN shegu.duty_compliance_grid.open IS 'not yet due';
COMMENT ON COLUMN shegu.duty_compliance_grid.on_time_rate IS 'done / (owed - open), 0-1 (按时履职率); NULL while none is due';

CREATE VIEW shegu.duty_compliance_unit WITH (security_invoker = true) AS
SELECT u.unit, shegu.level(u.unit) AS level, s.activity,
       pg_catalog.date_trunc('month', s.period_start)::date AS month,
       count(*) AS owed,
       count(*) FILTER (WHERE s.state = 'done') AS done,
       count(*) FILTER (WHERE s.state = 'late') AS late,
       count(*) FILTER (WHERE s.state = 'missed') AS missed,
       count(*) FILTER (WHERE s.state = 'open') AS open,
       (count(*) FILTER (WHERE s.state = 'done'))::float8
           / NULLIF(count(*) FILTER (WHERE s.state <> 'open'), 0) AS on_time_rate
FROM shegu.duty_status AS s
CROSS JOIN LATERAL (SELECT shegu.ancestor(s.grid, l) AS unit
                    FROM pg_catalog.generate_series(1, shegu.level(s.grid)) AS l) AS u
WHERE u.unit IS NOT NULL
GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW shegu.duty_compliance_unit IS
    'duties rolled up by code prefix (按区划汇总): a duty counts in its grid and in every ancestor (community, township, county, city, province), by activity and month';
COMMENT ON COLUMN shegu.duty_compliance_unit.unit IS 'the unit: the owing grid or one of its ancestors';
COMMENT ON COLUMN shegu.duty_compliance_unit.level IS 'its level, 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.duty_compliance_unit.activity IS 'the activity';
COMMENT ON COLUMN shegu.duty_compliance_unit.month IS 'first day of the month the periods started in';
COMMENT ON COLUMN shegu.duty_compliance_unit.owed IS 'duties owed (应履职数)';
COMMENT ON COLUMN shegu.duty_compliance_unit.done IS 'done on time (按时履职)';
COMMENT ON COLUMN shegu.duty_compliance_unit.late IS 'done late, within the grace (迟办)';
COMMENT ON COLUMN shegu.duty_compliance_unit.missed IS 'missed (未履职)';
COMMENT ON COLUMN shegu.duty_compliance_unit.open IS 'not yet due';
COMMENT ON COLUMN shegu.duty_compliance_unit.on_time_rate IS 'done / (owed - open), 0-1 (按时履职率); NULL while none is due';

CREATE VIEW shegu.duty_measures WITH (security_invoker = true) AS
SELECT 'duty_on_time_rate'::text AS indicator, c.unit, c.month AS period, c.on_time_rate AS value
FROM (SELECT u.unit, u.month, sum(u.done)::float8 / NULLIF(sum(u.owed - u.open), 0) AS on_time_rate
      FROM shegu.duty_compliance_unit AS u GROUP BY 1, 2) AS c
WHERE c.on_time_rate IS NOT NULL
UNION ALL
SELECT 'duty_missed', u.unit, u.month, sum(u.missed)::float8
FROM shegu.duty_compliance_unit AS u GROUP BY 2, 3
UNION ALL
SELECT 'patrol_coverage', a.unit, pg_catalog.date_trunc('month', p.day)::date, avg(p.share)
FROM shegu.patrol_score AS p
CROSS JOIN LATERAL (SELECT shegu.ancestor(p.grid, l) AS unit
                    FROM pg_catalog.generate_series(1, shegu.level(p.grid)) AS l) AS a
WHERE p.worker IS NULL AND a.unit IS NOT NULL
GROUP BY 2, 3;
COMMENT ON VIEW shegu.duty_measures IS
    'objective indicators of duty performance (履职指标) by unit (any level) and month, shaped for shegu.indicator_value (INSERT ... SELECT model, indicator, unit, period, value): duty_on_time_rate (positive, 0-1), duty_missed (negative, a count), patrol_coverage (positive, mean share 0-1 of a grid-day''s area passed)';
COMMENT ON COLUMN shegu.duty_measures.indicator IS 'duty_on_time_rate 按时履职率, duty_missed 未履职数 or patrol_coverage 巡查覆盖率';
COMMENT ON COLUMN shegu.duty_measures.unit IS 'the unit: a grid code at any level';
COMMENT ON COLUMN shegu.duty_measures.period IS 'first day of the month';
COMMENT ON COLUMN shegu.duty_measures.value IS 'the value: a rate 0-1 or a count';

CREATE VIEW shegu.patrol_accountability WITH (security_invoker = true) AS
SELECT 'not_discovered'::text AS kind, '应发现未发现'::text AS kind_zh, i.id AS incident_id, i.category, i.grid,
       i.source, i.reported_at, p.worker, p.distance_m, p.nearest_at,
       pg_catalog.format('reported by %s; patrol worker %s passed %s m from the place at %s the same day and reported nothing of category %s in grid %s before',
                         i.source, p.worker, pg_catalog.round(p.distance_m::numeric), p.nearest_at,
                         pg_catalog.split_part(i.category, '.', 1), i.grid) AS reason
FROM shegu.patrol_pass AS p
JOIN shegu.incident AS i ON i.id = p.incident
WHERE i.status <> 'rejected'
  AND NOT EXISTS (SELECT 1 FROM shegu.incident AS q
                  WHERE q.source = 'patrol' AND q.id <> i.id AND q.grid OPERATOR(shegu.=) i.grid
                    AND q.county = i.county
                    AND pg_catalog.split_part(q.category, '.', 1) = pg_catalog.split_part(i.category, '.', 1)
                    AND q.reported_at >= (p.day::timestamp AT TIME ZONE 'Asia/Shanghai')
                    AND q.reported_at <= i.reported_at);
COMMENT ON VIEW shegu.patrol_accountability IS
    '应发现未发现 judged from patrol evidence: an incident reported through another channel (resident, hotline, wechat, video, leader, media, superior) in a grid whose patrol passed within discovery_radius_m of its place that day before the report (shegu.patrol_pass), with no patrol report of the same top-level category in the grid that day before it; one row per worker who passed; the evidence outlives the raw fixes';
COMMENT ON COLUMN shegu.patrol_accountability.kind IS 'not_discovered';
COMMENT ON COLUMN shegu.patrol_accountability.kind_zh IS '应发现未发现';
COMMENT ON COLUMN shegu.patrol_accountability.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.patrol_accountability.category IS 'its category';
COMMENT ON COLUMN shegu.patrol_accountability.grid IS 'its grid';
COMMENT ON COLUMN shegu.patrol_accountability.source IS 'the channel that reported it';
COMMENT ON COLUMN shegu.patrol_accountability.reported_at IS 'when it was reported';
COMMENT ON COLUMN shegu.patrol_accountability.worker IS 'the patrol worker who passed it';
COMMENT ON COLUMN shegu.patrol_accountability.distance_m IS 'how close the nearest fix came, m';
COMMENT ON COLUMN shegu.patrol_accountability.nearest_at IS 'when';
COMMENT ON COLUMN shegu.patrol_accountability.reason IS 'the finding in words';

-- ---------------------------------------------------------------------------------------------
-- Row-level security and privileges (the roles and grid_scope() come from src/security.sql).

ALTER TABLE shegu.duty_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.screening_finding ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.duty_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.patrol_score ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegu.patrol_pass ENABLE ROW LEVEL SECURITY;
CREATE POLICY patrol_pass_centre ON shegu.patrol_pass TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY patrol_pass_grid ON shegu.patrol_pass FOR SELECT TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
COMMENT ON POLICY patrol_pass_centre ON shegu.patrol_pass IS 'the centre sees all patrol evidence';
COMMENT ON POLICY patrol_pass_grid ON shegu.patrol_pass IS 'grid staff see the evidence of the subtrees of their grids';
CREATE POLICY duty_activity_centre ON shegu.duty_activity TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY duty_activity_grid ON shegu.duty_activity FOR SELECT TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
CREATE POLICY screening_finding_centre ON shegu.screening_finding TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY screening_finding_grid ON shegu.screening_finding FOR SELECT TO shegu_grid_worker
    USING (EXISTS (SELECT 1 FROM shegu.duty_activity AS a WHERE a.id = activity));
CREATE POLICY duty_status_centre ON shegu.duty_status TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY duty_status_analyst ON shegu.duty_status FOR SELECT TO shegu_analyst USING (true);
CREATE POLICY duty_status_grid ON shegu.duty_status FOR SELECT TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
CREATE POLICY patrol_score_centre ON shegu.patrol_score TO shegu_centre USING (true) WITH CHECK (true);
CREATE POLICY patrol_score_analyst ON shegu.patrol_score FOR SELECT TO shegu_analyst USING (worker IS NULL);
CREATE POLICY patrol_score_grid ON shegu.patrol_score FOR SELECT TO shegu_grid_worker
    USING (grid OPERATOR(shegu.<@) ANY ((SELECT shegu.grid_scope())::shegu.gridcode[]));
COMMENT ON POLICY duty_activity_centre ON shegu.duty_activity IS 'the centre sees and manages every activity';
COMMENT ON POLICY duty_activity_grid ON shegu.duty_activity IS 'grid staff see the activities in the subtrees of their grids';
COMMENT ON POLICY screening_finding_centre ON shegu.screening_finding IS 'the centre sees and manages every finding';
COMMENT ON POLICY screening_finding_grid ON shegu.screening_finding IS 'grid staff see the findings of the screenings they see';
COMMENT ON POLICY duty_status_centre ON shegu.duty_status IS 'the centre sees every duty';
COMMENT ON POLICY duty_status_analyst ON shegu.duty_status IS 'analysts read duties (staff, not residents) through the compliance views';
COMMENT ON POLICY duty_status_grid ON shegu.duty_status IS 'grid staff see the duties of the subtrees of their grids';
COMMENT ON POLICY patrol_score_centre ON shegu.patrol_score IS 'the centre sees every score';
COMMENT ON POLICY patrol_score_analyst ON shegu.patrol_score IS 'analysts see the all-tracks scores of grid-days, not a worker''s';
COMMENT ON POLICY patrol_score_grid ON shegu.patrol_score IS 'grid staff see the scores of the subtrees of their grids';

GRANT SELECT ON shegu.duty_setting_default, shegu.duty_setting, shegu.duty_settings, shegu.duty_rule_template,
    shegu.duty_rule, shegu.duty_campaign
    TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT INSERT, UPDATE, DELETE ON shegu.duty_setting, shegu.duty_rule, shegu.duty_campaign TO shegu_centre;
GRANT SELECT ON shegu.duty_activity, shegu.screening_finding, shegu.duty_status, shegu.patrol_score
    TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.duty_status, shegu.patrol_score, shegu.patrol_day TO shegu_analyst;
GRANT SELECT ON shegu.patrol_fix, shegu.patrol_day TO shegu_centre;
GRANT SELECT ON shegu.duty_compliance_person, shegu.patrol_pass, shegu.patrol_accountability TO shegu_centre, shegu_grid_worker;
GRANT SELECT ON shegu.duty_compliance_grid, shegu.duty_compliance_unit, shegu.duty_measures
    TO shegu_centre, shegu_grid_worker, shegu_analyst;
GRANT EXECUTE ON FUNCTION shegu.record_fixes(text, timestamptz[], float8[], float8[], text, real[]),
    shegu.record_activity(text, text, timestamptz, float8, float8, text, shegu.gridcode, text, bigint, text, text),
    shegu.add_finding(bigint, text, text, text, float8, float8, text, boolean),
    shegu.report_finding(bigint),
    shegu.duty_check_writer(text)
    TO shegu_centre, shegu_grid_worker;
GRANT EXECUTE ON FUNCTION shegu.adopt_duty_rules(shegu.gridcode, text, date) TO shegu_centre;
-- score_patrol_day, duty_judge and patrol_maintain run as the extension's owner (pg_cron jobs).
REVOKE ALL ON FUNCTION shegu.score_patrol_day(date, float8), shegu.duty_judge(timestamptz, date),
    shegu.patrol_maintain(timestamptz) FROM PUBLIC;

-- ==== end duty


-- ==== restore

-- the shipped-row guard on the base room's tables with shipped rows
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.attention_category
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.attention_grade
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workload_rule
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.attention_category IS 'keeps users'' edits of shipped categories of attention through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.attention_grade IS 'keeps users'' edits of shipped control grades through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.workload_rule IS 'keeps users'' edits of the shipped workload rule through dump and restore';

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

-- ---- firstday (issue 17: names, maps): regenerated from src/report.sql

-- The search path of the rest of the section, as src/gridcode.sql sets it for an install: the
-- functions created with SET search_path FROM CURRENT keep it.
SELECT pg_catalog.set_config('search_path',
    pg_catalog.format('shegu, pg_catalog, %I, pg_temp', n.nspname), true)
FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';

-- one rule of names (shegu.report_unit_name) in every view of the room; report_open_incident
-- gets names, report_index the reason a unit has no rank

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

CREATE OR REPLACE VIEW shegu.report_unit AS
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

-- report_index_dimension.raw is rounded (numeric, 4 decimals): the view is made again
DROP VIEW shegu.report_index_dimension;

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

CREATE OR REPLACE VIEW shegu.report_open_incident AS
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

CREATE OR REPLACE VIEW shegu.report_incident WITH (security_invoker = true) AS
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

CREATE OR REPLACE VIEW shegu.report_index AS
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

CREATE OR REPLACE VIEW shegu.report_index_dimension AS
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

CREATE OR REPLACE VIEW shegu.incident_measures AS
    SELECT m.*, shegu.report_unit_name(m.unit) AS unit_name
    FROM shegu.incident_measures_at(now()) AS m;
COMMENT ON COLUMN shegu.incident_measures.unit_name IS 'name of the unit (名称) by the rule of shegu.report_unit_name (shegu.index_unit_name, else shegu.division, else the grid registry)';

GRANT SELECT ON shegu.report_index_dimension TO shegu_centre, shegu_analyst;

-- grid_geojson: names by the rule of names

CREATE OR REPLACE FUNCTION shegu.grid_geojson(root shegu.gridcode, level int, at date DEFAULT current_date,
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

-- incident_supervision: durations in numeric hours (time_left_hours, extension_requested_hours
-- instead of intervals); made again, so the security room's setting and grant are made again
DROP VIEW shegu.incident_supervision;

CREATE VIEW shegu.incident_supervision AS
    SELECT i.id, i.category, c.name_zh AS category_zh, i.title, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level) AS responsible_unit, i.department, i.status,
           shegu.incident_light_at(i.status, i.light, i.yellow_at, i.accept_due_at, i.due_at, now()) AS light,
           d.deadline, i.level_due_at, i.escalations, i.supervisions,
           round(CASE WHEN c.dispose_basis = 'working'
                      THEN extract(day FROM i.extension_requested) * h.day_hours
                           + (extract(epoch FROM i.extension_requested) - extract(day FROM i.extension_requested) * 86400) / 3600
                      ELSE extract(epoch FROM i.extension_requested) / 3600 END, 1)::numeric(10,1) AS extension_requested_hours,
           i.status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AS clock_running,
           round(extract(epoch FROM CASE WHEN i.status NOT IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') THEN NULL
                                         WHEN d.working THEN shegu.work_time_between(now(), d.deadline, c.schedule)
                                         ELSE d.deadline - now() END) / 3600, 1)::numeric(10,1) AS time_left_hours
    FROM shegu.incident AS i
    JOIN shegu.incident_category AS c ON c.code = i.category
    CROSS JOIN LATERAL (
        SELECT CASE WHEN i.status = 'reported' OR i.resume_status = 'reported' THEN i.accept_due_at ELSE i.due_at END AS deadline,
               CASE WHEN i.status = 'reported' OR i.resume_status = 'reported' THEN c.accept_basis ELSE c.dispose_basis END
                   = 'working' AS working) AS d
    -- the working hours of one day of the category's schedule: an extension of '2 days' in working
    -- time is two working days
    LEFT JOIN LATERAL (
        SELECT sum(extract(epoch FROM split_part(x, '-', 2)::interval - split_part(x, '-', 1)::interval)) / 3600 AS day_hours
        FROM shegu.work_schedule AS ws, unnest(string_to_array(ws.periods, ',')) AS x
        WHERE ws.name = c.schedule AND i.extension_requested IS NOT NULL) AS h ON true
    WHERE i.status NOT IN ('closed', 'evaluated', 'rejected');
COMMENT ON VIEW shegu.incident_supervision IS
    'supervision (督办) list: every open incident with its light, deadline, level deadline, escalations and the hours left (working or natural, by the category; negative when overdue; NULL while the clock is stopped); durations in numeric hours, as in every view';
COMMENT ON COLUMN shegu.incident_supervision.id IS 'incident number (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_supervision.category IS 'category code (shegu.incident_category.code), e.g. environment.garbage';
COMMENT ON COLUMN shegu.incident_supervision.category_zh IS 'Chinese name of the category (分类), e.g. 垃圾乱堆乱放';
COMMENT ON COLUMN shegu.incident_supervision.title IS 'short title (标题)';
COMMENT ON COLUMN shegu.incident_supervision.grid IS 'grid (网格) at report time';
COMMENT ON COLUMN shegu.incident_supervision.level IS 'level now responsible (当前责任层级): grid 网格, community 社区/村, township 乡镇/街道 or county 县';
COMMENT ON COLUMN shegu.incident_supervision.responsible_unit IS 'grid code of the responsible unit: the grid''s ancestor at the responsible level (shegu.incident_unit)';
COMMENT ON COLUMN shegu.incident_supervision.department IS 'department it was dispatched to (承办部门); NULL if none';
COMMENT ON COLUMN shegu.incident_supervision.status IS 'workflow state: reported 已上报, accepted 已立案, dispatched 已交办, reviewing 会商研判, ruling 裁决, mediating 调解, agreed 已达成调解协议, resolved 已处置, verified 已核查 or suspended 挂账 (closed, evaluated and rejected incidents are not listed)';
COMMENT ON COLUMN shegu.incident_supervision.light IS 'time light (亮灯) as of now (shegu.incident_light_at): green, yellow once yellow_share of the allowed time is used, red when overdue, whether or not shegu.sweep() has run; keeps its last colour while the clock is stopped';
COMMENT ON COLUMN shegu.incident_supervision.deadline IS 'the running deadline: acceptance deadline (受理时限, accept_due_at) while reported or suspended from reported, else the disposal deadline (处置时限, due_at)';
COMMENT ON COLUMN shegu.incident_supervision.level_due_at IS 'deadline of the level now responsible; shegu.sweep() escalates the incident one level up when it passes';
COMMENT ON COLUMN shegu.incident_supervision.escalations IS 'number of escalations (上报) so far, manual and by shegu.sweep()';
COMMENT ON COLUMN shegu.incident_supervision.supervisions IS 'number of times a supervisor pressed it (督办, act ''supervise'')';
COMMENT ON COLUMN shegu.incident_supervision.extension_requested_hours IS 'pending extension request (延期申请) awaiting approval, in hours of the disposal basis (working hours for a working-time limit, a day counted as one working day of the category''s schedule), 1 decimal; NULL if none';
COMMENT ON COLUMN shegu.incident_supervision.clock_running IS 'true while the time limit (时限) runs: status reported, accepted, dispatched, reviewing, ruling or mediating (the disposal clock keeps running through review, ruling and mediation); false while agreed, resolved, verified or suspended';
COMMENT ON COLUMN shegu.incident_supervision.time_left_hours IS 'hours to the deadline, 1 decimal: working hours by the category''s schedule for a working-time limit, wall-clock hours for a natural one; negative when overdue (e.g. -1590.5); NULL while the clock is stopped';

ALTER VIEW shegu.incident_supervision SET (security_invoker = true);
GRANT SELECT ON shegu.incident_supervision TO shegu_centre, shegu_grid_worker;

-- index_report (the index room's view): the dimensions' scores to 2 decimals in its JSON, and the
-- division names in unit_name (the rule of names)

CREATE OR REPLACE VIEW shegu.index_report AS
WITH idx AS (
    SELECT s.model, s.level, s.period, s.unit, s.score * m.scale AS index_value, s.rank, s.vetoed, s.imputed
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node AND n.parent IS NULL
), dims AS (
    SELECT s.model, s.level, s.period, s.unit,
           jsonb_object_agg(s.node, round((s.score * m.scale)::numeric, 2) ORDER BY s.node) AS dimensions
    FROM shegu.index_score s
    JOIN shegu.index_model m ON m.name = s.model
    JOIN shegu.index_node n ON n.model = s.model AND n.code = s.node
    JOIN shegu.index_node r ON r.model = n.model AND r.code = n.parent AND r.parent IS NULL
    GROUP BY s.model, s.level, s.period, s.unit
)
SELECT i.model, i.unit, coalesce(u.name, shegu.division_name(i.unit), gn.name) AS unit_name, i.level, i.period, i.index_value,
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
COMMENT ON COLUMN shegu.index_report.unit_name IS 'display name of the unit: from shegu.index_unit_name when it has one there, else the official division name (shegu.division) when loaded, else the name of the shegu.grid version valid in the period (the rule of shegu.report_unit_name, with the period''s version of the grid); NULL when none has it';
COMMENT ON COLUMN shegu.index_report.level IS 'grid level of the scored units: 1 province .. 7 micro-grid';
COMMENT ON COLUMN shegu.index_report.period IS 'the period (考核期) as stored by store_index';
COMMENT ON COLUMN shegu.index_report.index_value IS 'the index (指数): the root node''s score x the model''s scale, e.g. 0-100 points; NULL when too little of the weight had data';
COMMENT ON COLUMN shegu.index_report.grade IS 'grade (等次) from shegu.index_grade: the one with the highest min_score not above index_value; the lowest grade when vetoed; NULL when no grade applies';
COMMENT ON COLUMN shegu.index_report.vetoed IS 'true when a one-vote veto (一票否决) fired on any indicator of the unit; the index is unchanged but the grade is the lowest';
COMMENT ON COLUMN shegu.index_report.imputed IS 'true when an imputed value (missing rule parent_mean or carry_forward) entered the index';
COMMENT ON COLUMN shegu.index_report.dimensions IS 'the dimensions (维度, the root''s children) as a JSON object node code -> score x scale, e.g. {"D1": 82.5, "D2": 71.0}; null for a dimension without a score; scores to 2 decimals';
COMMENT ON COLUMN shegu.index_report.rank IS 'rank of the index among the units of the model, level and period: 1 = best, ties share the best rank; NULL without an index';
COMMENT ON COLUMN shegu.index_report.ranked_units IS 'number of units ranked in the model, level and period (rank is out of this)';
COMMENT ON COLUMN shegu.index_report.previous_index IS 'index_value of the same unit in its latest earlier stored period of the same model and level; NULL for its first period';
COMMENT ON COLUMN shegu.index_report.change IS 'index_value - previous_index, in points of the scale (positive = improved)';
COMMENT ON COLUMN shegu.index_report.rank_change IS 'previous rank - rank: positive = moved up, negative = moved down; NULL for the first period or without a rank';

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

-- ---- end firstday

-- incident_supervision and incident_accountability_at: the disposal clock keeps running through
-- review, ruling and mediation (会商研判、裁决、调解), so those states count as running and overdue.
CREATE OR REPLACE FUNCTION shegu.incident_accountability_at(at timestamptz, discovery_window interval DEFAULT interval '7 days')
    RETURNS TABLE (kind text, kind_zh text, incident_id bigint, category text, grid shegu.gridcode,
                   responsible_level text, responsible_unit shegu.gridcode, source text,
                   reported_at timestamptz, failed_at timestamptz, reason text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
    -- PL/pgSQL, not SQL, for Citus as incident_measures_at.
#variable_conflict use_column
BEGIN
    RETURN QUERY
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
                        AND p.county = i.county   -- implied by the grid; lets Citus join shard by shard
                        AND split_part(p.category, '.', 1) = split_part(i.category, '.', 1)
                        AND p.reported_at <= i.reported_at
                        AND p.reported_at >= i.reported_at - incident_accountability_at.discovery_window)
    UNION ALL
    -- should have reported (escalated) but did not: the level deadline passed and only the sweep moved it up
    SELECT 'not_reported', '应上报未上报', i.id, i.category, i.grid, e.from_level,
           shegu.incident_unit(i.grid, e.from_level), i.source, i.reported_at, e.at,
           format('level deadline passed at the %s level; escalated by the sweep', e.from_level)
    FROM shegu.incident_event AS e JOIN shegu.incident AS i ON i.id = e.incident_id AND i.county = e.county
    WHERE e.action = 'escalate' AND e.actor = 'shegu.sweep' AND e.at <= incident_accountability_at.at
    UNION ALL
    SELECT 'not_reported', '应上报未上报', i.id, i.category, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level), i.source, i.reported_at, i.level_due_at,
           format('level deadline passed at the %s level and it is neither escalated nor disposed', i.level)
    FROM shegu.incident AS i
    WHERE i.status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND i.level <> 'county'
      AND i.level_due_at < incident_accountability_at.at
    UNION ALL
    -- should have handled but did not: the disposal deadline passed before disposal
    SELECT 'not_handled', '应处置未处置', i.id, i.category, i.grid, i.level,
           shegu.incident_unit(i.grid, i.level), i.source, i.reported_at, i.due_at,
           CASE WHEN i.status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating')
                THEN 'disposal deadline passed and it is still open'
                ELSE format('disposed %s after the deadline', (i.resolved_at - i.due_at)) END
    FROM shegu.incident AS i
    WHERE (i.status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND i.due_at < incident_accountability_at.at)
       OR (i.status IN ('resolved', 'verified', 'closed', 'evaluated') AND i.resolved_at > i.due_at);
END;
$$;
COMMENT ON FUNCTION shegu.incident_accountability_at(timestamptz, interval) IS
    'accountability findings (应发现未发现、应上报未上报、应处置未处置) judged at a time, with the patrol look-back window for "should have found"; definitions in docs/incident.md';

-- report(): a retry finds its own county's row only (keys are unique per county on Citus).
CREATE OR REPLACE FUNCTION shegu.report(category text, title text, source text,
                             grid shegu.gridcode DEFAULT NULL, location geometry DEFAULT NULL,
                             reporter text DEFAULT NULL, description text DEFAULT NULL,
                             reported_at timestamptz DEFAULT NULL, idempotency_key text DEFAULT NULL)
    RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_report' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.report(text, text, text, shegu.gridcode, geometry, text, text, timestamptz, text) IS
    'reports an incident (上报) and returns it; a retry with the same idempotency_key returns the incident already stored instead of a duplicate';

-- ==== end report

