-- Incidents (矛盾问题/事件): categories and time limits, the closed-loop workflow, the event log,
-- act(), report(), sweep(), time lights, measures and accountability.
-- src/incident.sql — declares what src/incident.c implements.

-- ---------------------------------------------------------------------------------------------
-- Categories and their time limits: the tiered handling list (矛盾问题分级处置清单).

CREATE TABLE shegu.incident_category (
    code            text PRIMARY KEY
                    CHECK (code ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' AND length(code) <= 63),
    parent          text REFERENCES shegu.incident_category (code) ON UPDATE CASCADE,
    name_zh         text NOT NULL CHECK (name_zh <> ''),
    name_en         text NOT NULL CHECK (name_en <> ''),
    handling_level  text NOT NULL CHECK (handling_level IN ('grid', 'community', 'township', 'county')),
    accept_limit    interval NOT NULL CHECK (accept_limit > interval '0'),
    accept_basis    text NOT NULL DEFAULT 'working' CHECK (accept_basis IN ('working', 'natural')),
    dispose_limit   interval NOT NULL CHECK (dispose_limit > interval '0'),
    dispose_basis   text NOT NULL DEFAULT 'working' CHECK (dispose_basis IN ('working', 'natural')),
    schedule        text NOT NULL DEFAULT 'default' CHECK (length(schedule) <= 63)
                    REFERENCES shegu.work_schedule (name) ON UPDATE CASCADE,
    yellow_share    float8 NOT NULL DEFAULT 0.8 CHECK (yellow_share > 0 AND yellow_share < 1),
    shipped         boolean NOT NULL DEFAULT false,
    simple_handling boolean NOT NULL DEFAULT false,
    limits_basis    text,
    CONSTRAINT incident_category_not_own_parent CHECK (parent IS DISTINCT FROM code)
);
COMMENT ON INDEX shegu.incident_category_pkey IS 'categories by code';
COMMENT ON TABLE shegu.incident_category IS
    'incident categories and their time limits: the tiered handling list (矛盾问题分级处置清单); rows with shipped = false are the user''s and are kept by pg_dump';
COMMENT ON COLUMN shegu.incident_category.code IS 'category code, dotted by parent: dispute.neighbour';
COMMENT ON COLUMN shegu.incident_category.parent IS 'parent category (NULL for a top-level category)';
COMMENT ON COLUMN shegu.incident_category.name_zh IS 'Chinese name (中文名称)';
COMMENT ON COLUMN shegu.incident_category.name_en IS 'English name';
COMMENT ON COLUMN shegu.incident_category.handling_level IS
    'level that leads its handling first (巡办分离, seed 004: the basic grid discovers and does only simple handling, the community 二级网格 or township 一级网格 leads, complex problems go up): grid 网格, community 社区/村, township 乡镇/街道, county 县; no shipped category is handled at the grid level';
COMMENT ON COLUMN shegu.incident_category.accept_limit IS 'time allowed from report to acceptance (受理时限), in accept_basis';
COMMENT ON COLUMN shegu.incident_category.accept_basis IS 'working (工作时, by the schedule) or natural (自然时) time for accept_limit';
COMMENT ON COLUMN shegu.incident_category.dispose_limit IS 'time allowed from acceptance to disposal (处置时限), in dispose_basis';
COMMENT ON COLUMN shegu.incident_category.dispose_basis IS 'working (工作时, by the schedule) or natural (自然时) time for dispose_limit';
COMMENT ON COLUMN shegu.incident_category.schedule IS 'working-time schedule (shegu.work_schedule) that working limits are counted in';
COMMENT ON COLUMN shegu.incident_category.yellow_share IS 'share of the allowed time after which the time light turns yellow (default 0.8, a local default, not from the seeds)';
COMMENT ON COLUMN shegu.incident_category.shipped IS 'true for the rows CREATE EXTENSION ships; pg_dump keeps only rows with false';
COMMENT ON COLUMN shegu.incident_category.simple_handling IS
    'true when the basic grid (三级网格) that discovers it may settle it on the spot by simple handling (简易处理: act(id, ''simple_handle'', ...) closes it at the grid level); otherwise simple_handle is refused and staff of a basic grid cannot accept, reject, dispatch, verify or close it: the handling level leads (seed 004 巡办分离: "三级网格负责发现问题,一、二级网格负责牵头联动解决问题", "负责网格内矛盾问题的排查、上报及简易处理")';
COMMENT ON COLUMN shegu.incident_category.limits_basis IS
    'where the time limits and yellow share come from: "local default, not from the seeds; a county replaces it" on every shipped row (no seed gives a limit); NULL when not stated';

COMMENT ON CONSTRAINT incident_category_not_own_parent ON shegu.incident_category IS 'a category is not its own parent';
COMMENT ON CONSTRAINT incident_category_code_check ON shegu.incident_category IS 'codes are lower-case words joined by dots, at most 63 characters';
COMMENT ON CONSTRAINT incident_category_name_zh_check ON shegu.incident_category IS 'the Chinese name is not empty';
COMMENT ON CONSTRAINT incident_category_name_en_check ON shegu.incident_category IS 'the English name is not empty';
COMMENT ON CONSTRAINT incident_category_handling_level_check ON shegu.incident_category IS 'handling level is grid, community, township or county';
COMMENT ON CONSTRAINT incident_category_accept_limit_check ON shegu.incident_category IS 'the acceptance limit is positive';
COMMENT ON CONSTRAINT incident_category_accept_basis_check ON shegu.incident_category IS 'the acceptance limit counts working or natural time';
COMMENT ON CONSTRAINT incident_category_dispose_limit_check ON shegu.incident_category IS 'the disposal limit is positive';
COMMENT ON CONSTRAINT incident_category_dispose_basis_check ON shegu.incident_category IS 'the disposal limit counts working or natural time';
COMMENT ON CONSTRAINT incident_category_schedule_check ON shegu.incident_category IS 'schedule names are at most 63 characters (the triggers'' cache keys)';
COMMENT ON CONSTRAINT incident_category_yellow_share_check ON shegu.incident_category IS 'the yellow share lies strictly between 0 and 1';
COMMENT ON CONSTRAINT incident_category_pkey ON shegu.incident_category IS 'a category is identified by its code';
COMMENT ON CONSTRAINT incident_category_parent_fkey ON shegu.incident_category IS 'the parent is an existing category; renaming a code renames it in its children; a category with children cannot be deleted';
COMMENT ON CONSTRAINT incident_category_schedule_fkey ON shegu.incident_category IS 'working limits are counted in an existing schedule of shegu.work_schedule; renaming the schedule follows, a schedule in use cannot be deleted';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident_category', 'WHERE NOT shipped');

-- The shipped tree.  Working limits count working time of the schedule (a day is one working
-- day: 7 hours in the default schedule); natural limits are wall-clock time.
INSERT INTO shegu.incident_category
    (code, parent, name_zh, name_en, handling_level, accept_limit, accept_basis, dispose_limit, dispose_basis, schedule, shipped)
VALUES
    ('dispute',              NULL,           '矛盾纠纷',         'Disputes',                         'community', '4 hours',  'working', '5 days',   'working', 'default', true),
    ('dispute.neighbour',    'dispute',      '邻里纠纷',         'Neighbour dispute',                'grid',      '2 hours',  'working', '2 days',   'working', 'default', true),
    ('dispute.family',       'dispute',      '婚姻家庭纠纷',     'Marriage and family dispute',      'community', '4 hours',  'working', '3 days',   'working', 'default', true),
    ('dispute.land',         'dispute',      '土地山林纠纷',     'Land and forest dispute',          'township',  '7 hours',  'working', '10 days',  'working', 'default', true),
    ('dispute.labour',       'dispute',      '劳资纠纷',         'Labour and wage dispute',          'township',  '4 hours',  'working', '5 days',   'working', 'default', true),
    ('hazard',               NULL,           '安全隐患',         'Public safety hazards',            'community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('hazard.fire',          'hazard',       '消防安全隐患',     'Fire hazard',                      'community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('hazard.road',          'hazard',       '道路交通安全隐患', 'Road traffic hazard',              'township',  '2 hours',  'natural', '48 hours', 'natural', 'default', true),
    ('hazard.production',    'hazard',       '安全生产隐患',     'Workplace safety hazard',          'township',  '2 hours',  'natural', '72 hours', 'natural', 'default', true),
    ('hazard.gas',           'hazard',       '燃气安全隐患',     'Gas safety hazard',                'community', '30 minutes', 'natural', '12 hours', 'natural', 'default', true),
    ('environment',          NULL,           '环境卫生',         'Environment and sanitation',       'grid',      '2 hours',  'working', '2 days',   'working', 'default', true),
    ('environment.garbage',  'environment',  '垃圾乱堆乱放',     'Garbage dumping',                  'grid',      '2 hours',  'working', '1 day',    'working', 'default', true),
    ('environment.sewage',   'environment',  '污水外溢',         'Sewage overflow',                  'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('environment.air',      'environment',  '大气污染',         'Air pollution',                    'township',  '4 hours',  'working', '5 days',   'working', 'default', true),
    ('construction',         NULL,           '违法建设',         'Illegal construction',             'township',  '4 hours',  'working', '10 days',  'working', 'default', true),
    ('construction.building','construction', '违章搭建',         'Unauthorised building',            'township',  '4 hours',  'working', '10 days',  'working', 'default', true),
    ('construction.land_use','construction', '违法占地',         'Illegal land use',                 'county',    '7 hours',  'working', '20 days'  ,'working', 'default', true),
    ('special',              NULL,           '特殊人群',         'Special populations',              'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.correction',   'special',      '社区矫正人员',     'Person under community correction','community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.released',     'special',      '刑满释放人员',     'Released prisoner',                'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.drug',         'special',      '吸毒人员',         'Drug user',                        'community', '2 hours',  'working', '2 days',   'working', 'default', true),
    ('special.mental',       'special',      '严重精神障碍患者', 'Person with severe mental illness','community', '1 hour',   'natural', '24 hours', 'natural', 'default', true),
    ('petition',             NULL,           '信访',             'Petitions',                        'county',    '15 days',  'natural', '60 days',  'natural', 'default', true),
    ('public_service',       NULL,           '公共服务',         'Public services',                  'community', '4 hours',  'working', '5 days',   'working', 'default', true),
    ('public_service.facility','public_service','公共设施损坏', 'Damaged public facility',          'community', '4 hours',  'working', '3 days',   'working', 'default', true),
    ('public_service.utility','public_service','水电气暖',      'Water, power, gas and heating',    'township',  '2 hours',  'working', '2 days',   'working', 'default', true),
    ('other',                NULL,           '其他',             'Other',                            'community', '4 hours',  'working', '5 days',   'working', 'default', true);

-- ---- incident figures: what the shipped rows rest on.  No seed gives a time limit: every limit
-- above (2 h / 2 days, 15 / 60 days, the 7-hour working day of the default schedule, yellow at
-- 80 %) is a local default a county replaces.  巡办分离 (seed 004): the basic grid discovers and
-- does only simple handling (简易处理); the community leads what the grid used to dispose of.
UPDATE shegu.incident_category
SET limits_basis = 'local default, not from the seeds; a county replaces it'
WHERE shipped;
UPDATE shegu.incident_category
SET handling_level = 'community', simple_handling = true
WHERE shipped AND code IN ('dispute.neighbour', 'environment', 'environment.garbage');
-- ---- end incident figures

-- ---------------------------------------------------------------------------------------------
-- Limits of the workflow's stages: joint review, ruling, mediation, the fulfilment check of an
-- agreement, one department's part of a joint case.  Counted in the category's schedule.

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

-- ---------------------------------------------------------------------------------------------
-- Incidents and their event log.

CREATE FUNCTION shegu.incident_county(grid shegu.gridcode) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN rpad(left(grid::text, 6), 6, '0')::bigint;
COMMENT ON FUNCTION shegu.incident_county(shegu.gridcode) IS
    'county (县) number of a grid: the first six digits of its code, zero-padded for a province or city code (430528 for 430528101002003, 430000 for 43); the distribution key of incidents on Citus';

CREATE TABLE shegu.incident (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category            text NOT NULL REFERENCES shegu.incident_category (code) ON UPDATE CASCADE,
    title               text NOT NULL CHECK (title <> ''),
    description         text,
    location            geometry(Point, 4326),
    grid                shegu.gridcode NOT NULL,
    source              text NOT NULL
                        CHECK (source IN ('patrol', 'resident', 'hotline', 'wechat', 'video', 'leader', 'media', 'superior')),
    reporter            text,
    reported_at         timestamptz NOT NULL,
    status              text NOT NULL DEFAULT 'reported'
                        CHECK (status IN ('reported', 'accepted', 'rejected', 'dispatched', 'resolved',
                                          'verified', 'closed', 'evaluated', 'suspended',
                                          'reviewing', 'ruling', 'mediating', 'agreed')),
    level               text NOT NULL CHECK (level IN ('grid', 'community', 'township', 'county')),
    department          text,
    accepted_at         timestamptz,
    dispatched_at       timestamptz,
    resolved_at         timestamptz,
    verified_at         timestamptz,
    closed_at           timestamptz,
    evaluated_at        timestamptz,
    accept_due_at       timestamptz NOT NULL,
    due_at              timestamptz,
    level_due_at        timestamptz,
    yellow_at           timestamptz,
    light               text CHECK (light IN ('green', 'yellow', 'red')),
    clock_stopped_at    timestamptz,
    resume_status       text,
    extension_requested interval,
    extension_total     interval NOT NULL DEFAULT interval '0',
    suspended_work      interval NOT NULL DEFAULT interval '0',
    escalations         int NOT NULL DEFAULT 0,
    rework_count        int NOT NULL DEFAULT 0,
    reopen_count        int NOT NULL DEFAULT 0,
    satisfaction        smallint CHECK (satisfaction BETWEEN 1 AND 5),
    work_hours_to_close float8,
    state_since         timestamptz NOT NULL,
    idempotency_key     text UNIQUE CHECK (idempotency_key <> ''),
    supervisions        int NOT NULL DEFAULT 0,
    county              bigint,
    owner               text,
    owner_since         timestamptz,
    leader              text,
    leader_since        timestamptz,
    stage_due_at        timestamptz,
    stage_yellow_at     timestamptz,
    stage_light         text CHECK (stage_light IN ('green', 'yellow', 'red'))
);
COMMENT ON SEQUENCE shegu.incident_id_seq IS 'numbers of incidents';
COMMENT ON CONSTRAINT incident_title_check ON shegu.incident IS 'an incident has a title';
COMMENT ON CONSTRAINT incident_source_check ON shegu.incident IS 'the source is patrol, resident, hotline, wechat, video, leader, media or superior';
COMMENT ON CONSTRAINT incident_status_check ON shegu.incident IS 'the state is one of the workflow states';
COMMENT ON CONSTRAINT incident_level_check ON shegu.incident IS 'the responsible level is grid, community, township or county';
COMMENT ON CONSTRAINT incident_light_check ON shegu.incident IS 'the time light is green, yellow or red';
COMMENT ON CONSTRAINT incident_stage_light_check ON shegu.incident IS 'the stage light is green, yellow or red';
COMMENT ON CONSTRAINT incident_satisfaction_check ON shegu.incident IS 'satisfaction scores run from 1 to 5';
COMMENT ON CONSTRAINT incident_idempotency_key_check ON shegu.incident IS 'an idempotency key is not empty';
COMMENT ON CONSTRAINT incident_pkey ON shegu.incident IS 'an incident is identified by its number';
COMMENT ON CONSTRAINT incident_category_fkey ON shegu.incident IS 'the category is an existing one of shegu.incident_category; renaming a code follows, a category with incidents cannot be deleted';
COMMENT ON CONSTRAINT incident_idempotency_key_key ON shegu.incident IS 'one incident per client idempotency key: shegu.report returns the stored incident on a retry, a plain INSERT fails with 23505';
COMMENT ON TABLE shegu.incident IS
    'incidents (矛盾问题/事件) of the closed loop 发现→受理→交办→处置→反馈→核查→结案→评价; insert to report, change the workflow only through shegu.act()';
COMMENT ON COLUMN shegu.incident.id IS 'incident number, always from the sequence (an INSERT that gives one is refused)';
COMMENT ON COLUMN shegu.incident.category IS 'category (shegu.incident_category), which sets handling level and time limits';
COMMENT ON COLUMN shegu.incident.title IS 'short title (标题)';
COMMENT ON COLUMN shegu.incident.description IS 'description (问题描述)';
COMMENT ON COLUMN shegu.incident.location IS 'where it happened, WGS-84 point (SRID 4326); the grid is located from it when grid is not given';
COMMENT ON COLUMN shegu.incident.grid IS 'grid at report time (所属网格); never moves when boundaries are redrawn later';
COMMENT ON COLUMN shegu.incident.source IS
    'source (来源): patrol 巡查, resident 群众上报, hotline 12345热线, wechat 微信, video 视频, leader 领导批示, media 媒体, superior 上级交办';
COMMENT ON COLUMN shegu.incident.reporter IS 'who reported it (上报人)';
COMMENT ON COLUMN shegu.incident.reported_at IS 'when it was reported (上报时间); the acceptance clock starts here';
COMMENT ON COLUMN shegu.incident.status IS
    'workflow state: reported 已上报, accepted 已立案, rejected 不予立案, dispatched 已交办, resolved 已处置, verified 已核查, closed 已结案, evaluated 已评价, suspended 挂账, reviewing 会商研判中, ruling 待裁决 (responsibility unclear), mediating 调解中, agreed 已达成调解协议 (fulfilment being checked)';
COMMENT ON COLUMN shegu.incident.level IS 'level currently responsible (当前责任层级): grid, community, township or county';
COMMENT ON COLUMN shegu.incident.department IS 'department it was dispatched to (承办部门), if any';
COMMENT ON COLUMN shegu.incident.accepted_at IS 'last acceptance (立案) time; the disposal clock starts here';
COMMENT ON COLUMN shegu.incident.dispatched_at IS 'last dispatch (交办) time';
COMMENT ON COLUMN shegu.incident.resolved_at IS 'last disposal feedback (处置反馈) time';
COMMENT ON COLUMN shegu.incident.verified_at IS 'verification (核查) time';
COMMENT ON COLUMN shegu.incident.closed_at IS 'closure (结案) time';
COMMENT ON COLUMN shegu.incident.evaluated_at IS 'evaluation (评价) time';
COMMENT ON COLUMN shegu.incident.accept_due_at IS 'acceptance deadline (受理时限)';
COMMENT ON COLUMN shegu.incident.due_at IS 'disposal deadline of the case (处置时限), moved by extensions and stopped clocks; NULL before acceptance';
COMMENT ON COLUMN shegu.incident.level_due_at IS 'deadline of the level now responsible; sweep() escalates when it passes';
COMMENT ON COLUMN shegu.incident.yellow_at IS 'when the time light turns yellow';
COMMENT ON COLUMN shegu.incident.light IS 'time light (亮灯): green, yellow (share of time used), red (overdue); frozen while the clock is stopped';
COMMENT ON COLUMN shegu.incident.clock_stopped_at IS 'when the clock stopped (resolved or suspended); NULL while it runs';
COMMENT ON COLUMN shegu.incident.resume_status IS 'state a suspended incident resumes to';
COMMENT ON COLUMN shegu.incident.extension_requested IS 'pending extension request (延期申请), in the disposal basis';
COMMENT ON COLUMN shegu.incident.extension_total IS 'sum of approved extensions (延期)';
COMMENT ON COLUMN shegu.incident.suspended_work IS 'working time spent suspended (挂账), left out of working hours to close';
COMMENT ON COLUMN shegu.incident.escalations IS 'number of escalations (上报), manual and by sweep()';
COMMENT ON COLUMN shegu.incident.rework_count IS 'number of returns for rework (返工)';
COMMENT ON COLUMN shegu.incident.reopen_count IS 'number of reopenings';
COMMENT ON COLUMN shegu.incident.satisfaction IS 'satisfaction score at evaluation, 1 (very dissatisfied) to 5 (very satisfied); 4 and 5 count as satisfied';
COMMENT ON COLUMN shegu.incident.work_hours_to_close IS 'working hours from report to closure, suspension left out (set at closure)';
COMMENT ON COLUMN shegu.incident.state_since IS 'when the incident entered its present state';
COMMENT ON COLUMN shegu.incident.supervisions IS 'number of times a supervisor pressed it (督办, act ''supervise'')';
COMMENT ON COLUMN shegu.incident.county IS
    'county (县) of the grid, shegu.incident_county(grid); filled on insert (a given value must agree); the distribution key on Citus (docs/citus.md)';
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
COMMENT ON COLUMN shegu.incident.idempotency_key IS 'client key of the submission: a retry with the same key returns the existing incident (shegu.report)';

COMMENT ON INDEX shegu.incident_pkey IS 'incidents by number';
COMMENT ON INDEX shegu.incident_idempotency_key_key IS 'one incident per client idempotency key';
CREATE INDEX incident_grid_idx ON shegu.incident (grid);
CREATE INDEX incident_reported_at_idx ON shegu.incident (reported_at);
CREATE INDEX incident_level_due_idx ON shegu.incident (level_due_at)
    WHERE status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND level <> 'county';
CREATE INDEX incident_yellow_idx ON shegu.incident (yellow_at)
    WHERE status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light = 'green';
CREATE INDEX incident_red_accept_idx ON shegu.incident (accept_due_at)
    WHERE status = 'reported' AND light <> 'red';
CREATE INDEX incident_red_due_idx ON shegu.incident (due_at)
    WHERE status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light <> 'red';
CREATE INDEX incident_stage_idx ON shegu.incident (stage_yellow_at)
    WHERE stage_light IN ('green', 'yellow');
COMMENT ON INDEX shegu.incident_stage_idx IS 'sweep(): stage lights about to turn (review, ruling, mediation, fulfilment)';
COMMENT ON INDEX shegu.incident_grid_idx IS 'incidents under a grid (range scans of <@)';
COMMENT ON INDEX shegu.incident_reported_at_idx IS 'incidents by report time (measures by month)';
COMMENT ON INDEX shegu.incident_level_due_idx IS 'sweep(): open incidents whose level deadline passes';
COMMENT ON INDEX shegu.incident_yellow_idx IS 'sweep(): green lights about to turn yellow';
COMMENT ON INDEX shegu.incident_red_accept_idx IS 'sweep(): lights about to turn red before acceptance';
COMMENT ON INDEX shegu.incident_red_due_idx IS 'sweep(): lights about to turn red during disposal';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_id_seq', '');

CREATE TABLE shegu.incident_event (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id         bigint NOT NULL
                        CONSTRAINT incident_event_incident_fkey REFERENCES shegu.incident (id),
    action              text NOT NULL,
    actor               text NOT NULL,
    at                  timestamptz NOT NULL,
    from_status         text,
    to_status           text NOT NULL,
    from_level          text,
    to_level            text NOT NULL,
    work_time_in_state  interval,
    note                text,
    detail              jsonb,
    request_id          text,
    db_role             name NOT NULL,
    county              bigint
);
COMMENT ON SEQUENCE shegu.incident_event_id_seq IS 'numbers of incident events';
COMMENT ON TABLE shegu.incident_event IS
    'append-only log of every step of every incident (流转记录): written by the triggers, never updated or deleted';
COMMENT ON COLUMN shegu.incident_event.id IS 'event number, increasing in commit-independent insertion order; always from the sequence';
COMMENT ON COLUMN shegu.incident_event.incident_id IS 'the incident (shegu.incident.id)';
COMMENT ON COLUMN shegu.incident_event.action IS 'report, or the act() action: accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise';
COMMENT ON COLUMN shegu.incident_event.actor IS 'who acted: the staff name of a grid-staff role, the name a shegu_centre member acted for, shegu.sweep for automatic escalation, the reporter (or source) of a report';
COMMENT ON COLUMN shegu.incident_event.at IS 'when';
COMMENT ON COLUMN shegu.incident_event.from_status IS 'state before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_status IS 'state after';
COMMENT ON COLUMN shegu.incident_event.from_level IS 'responsible level before (NULL for the report)';
COMMENT ON COLUMN shegu.incident_event.to_level IS 'responsible level after';
COMMENT ON COLUMN shegu.incident_event.work_time_in_state IS 'working time (category schedule) spent in the state before; NULL for the report or without the calendar';
COMMENT ON COLUMN shegu.incident_event.note IS 'free text: the reason of a rejection, return, suspension';
COMMENT ON COLUMN shegu.incident_event.detail IS 'the detail argument of act()';
COMMENT ON COLUMN shegu.incident_event.county IS
    'county (县) of the incident (shegu.incident.county): keeps an incident''s events beside it when both tables are distributed on Citus';
COMMENT ON COLUMN shegu.incident_event.request_id IS 'client request id (detail ->> ''request_id''): a retried act() of the same role with it changes nothing twice';
COMMENT ON CONSTRAINT incident_event_pkey ON shegu.incident_event IS 'an event is identified by its number';
COMMENT ON CONSTRAINT incident_event_incident_fkey ON shegu.incident_event IS 'an event belongs to an existing incident';
COMMENT ON COLUMN shegu.incident_event.db_role IS
    'the database role that took the step (the session user, or the role it SET ROLE to), whatever actor says; for sweep() the role that ran it';

COMMENT ON INDEX shegu.incident_event_pkey IS 'events by number';
CREATE INDEX incident_event_incident_idx ON shegu.incident_event (incident_id, at);
CREATE UNIQUE INDEX incident_event_request_idx ON shegu.incident_event (county, incident_id, db_role, request_id)
    WHERE request_id IS NOT NULL;
COMMENT ON INDEX shegu.incident_event_request_idx IS 'a client request id of a role is applied to an incident once (the county, fixed per incident, leads so that Citus accepts it)';
COMMENT ON INDEX shegu.incident_event_incident_idx IS 'the history of one incident';

SELECT pg_catalog.pg_extension_config_dump('shegu.incident_event', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.incident_event_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- Joint enforcement (联动综合执法, seed 004): one case, a lead department and supporting ones,
-- each with its own limit; the case is disposed of when all have finished.

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

-- ---------------------------------------------------------------------------------------------
-- Triggers (C).

CREATE FUNCTION shegu.incident_before_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_before_insert' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_before_insert() IS
    'trigger: fills grid (locate), level, due times and light of a new incident, and notes it for its report event';
CREATE FUNCTION shegu.incident_after_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_after_insert' LANGUAGE C
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
COMMENT ON FUNCTION shegu.incident_after_insert() IS
    'statement trigger: logs the report event of every incident the statement inserted (noted by the insert trigger, read back by primary key)';
CREATE FUNCTION shegu.incident_before_update() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_before_update' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_before_update() IS
    'trigger: refuses a direct change of any column but title, description and reporter (act() and the sweep write their rows themselves)';
CREATE FUNCTION shegu.incident_refuse() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_refuse' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_refuse() IS
    'trigger: refuses to delete incidents and to update, delete or truncate their event log';
CREATE FUNCTION shegu.incident_event_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_event_guard' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_event_guard() IS
    'trigger: only act(), sweep() and the report trigger write the event log (and a restore: pg_restore or psql -f of a dump by the table''s owner, a superuser or the database''s owner)';
CREATE FUNCTION shegu.incident_category_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'incident_category_changed' LANGUAGE C;
COMMENT ON FUNCTION shegu.incident_category_changed() IS
    'trigger: tells every backend to reload its cache of incident categories and stage limits (shegu.workflow_limit)';

CREATE TRIGGER incident_10_before_insert BEFORE INSERT ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_before_insert();
CREATE TRIGGER incident_10_after_insert AFTER INSERT ON shegu.incident
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_after_insert();
CREATE TRIGGER incident_10_before_update BEFORE UPDATE ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_before_update();
CREATE TRIGGER incident_10_refuse_delete BEFORE DELETE ON shegu.incident
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_10_refuse_truncate BEFORE TRUNCATE ON shegu.incident
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_refuse BEFORE UPDATE OR DELETE ON shegu.incident_event
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_refuse_truncate BEFORE TRUNCATE ON shegu.incident_event
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_refuse();
CREATE TRIGGER incident_event_10_guard BEFORE INSERT ON shegu.incident_event
    FOR EACH ROW EXECUTE FUNCTION shegu.incident_event_guard();
CREATE TRIGGER incident_category_10_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.incident_category
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_category_changed();
CREATE TRIGGER workflow_limit_10_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shegu.workflow_limit
    FOR EACH STATEMENT EXECUTE FUNCTION shegu.incident_category_changed();
COMMENT ON TRIGGER workflow_limit_10_changed ON shegu.workflow_limit IS 'invalidates the caches of limits';
COMMENT ON TRIGGER incident_10_before_insert ON shegu.incident IS 'grid, level, due times, light of a new incident';
COMMENT ON TRIGGER incident_10_after_insert ON shegu.incident IS 'report events of the new incidents';
COMMENT ON TRIGGER incident_10_before_update ON shegu.incident IS 'guards the workflow columns against direct writes';
COMMENT ON TRIGGER incident_10_refuse_delete ON shegu.incident IS 'incidents are never deleted';
COMMENT ON TRIGGER incident_10_refuse_truncate ON shegu.incident IS 'incidents are never truncated';
COMMENT ON TRIGGER incident_event_10_refuse ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_event_10_refuse_truncate ON shegu.incident_event IS 'the event log is append-only';
COMMENT ON TRIGGER incident_event_10_guard ON shegu.incident_event IS 'only shegu writes the event log';
COMMENT ON TRIGGER incident_category_10_changed ON shegu.incident_category IS 'invalidates the category caches';

-- ---------------------------------------------------------------------------------------------
-- The application entry points.

CREATE FUNCTION shegu.act(incident_id bigint, action text, actor text, note text DEFAULT NULL,
                          detail jsonb DEFAULT NULL, county bigint DEFAULT NULL) RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_act' LANGUAGE C VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = shegu, pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) FROM PUBLIC;
COMMENT ON FUNCTION shegu.act(bigint, text, text, text, jsonb, bigint) IS
    'the one workflow entry point: locks the incident, applies an action (accept, reject, dispatch, resolve, verify, rework, close, evaluate, return, escalate, request_extension, approve_extension, suspend, resume, reopen, supervise; hand_over 首问负责, review/conclude_review 会商研判, request_ruling/rule 裁决, joint_dispatch/finish_part 联动综合执法, assign_leader 一名领导, mediate/mediation_session/agreement/check_fulfilment/confirm_judicially/refer_litigation 大调解, simple_handle 简易处理 by the basic grid of a category with simple_handling) by the workflow engine, writes the row and its event once and returns the incident; illegal steps raise SQLSTATE SGI01 and change nothing; county, when given, finds the row by (county, id), the routing key on Citus; runs as its owner (SECURITY DEFINER) for superusers, shegu_centre members and grid staff in their grids (docs/security.md)';

CREATE FUNCTION shegu.incident_step(incident_id bigint, action text, at timestamptz, county bigint DEFAULT NULL)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'incident_step' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.incident_step(bigint, text, timestamptz, bigint) IS
    'internal step of sweep(): overdue_escalate (escalate when the level deadline passed by at) or tick (recompute the time light at at); true when the incident changed; NULL when the incident, step or time is NULL; the county, when given, spares the lookup that routes the step on Citus';
REVOKE ALL ON FUNCTION shegu.incident_step(bigint, text, timestamptz, bigint) FROM PUBLIC;

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

CREATE FUNCTION shegu.report(category text, title text, source text,
                             grid shegu.gridcode DEFAULT NULL, location geometry DEFAULT NULL,
                             reporter text DEFAULT NULL, description text DEFAULT NULL,
                             reported_at timestamptz DEFAULT NULL, idempotency_key text DEFAULT NULL)
    RETURNS shegu.incident
    AS 'MODULE_PATHNAME', 'incident_report' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION shegu.report(text, text, text, shegu.gridcode, geometry, text, text, timestamptz, text) IS
    'reports an incident (上报) and returns it; a retry with the same idempotency_key returns the incident already stored instead of a duplicate';

-- ---------------------------------------------------------------------------------------------
-- Escalation sweep (meant for pg_cron) and the time lights.

CREATE FUNCTION shegu.sweep(now timestamptz DEFAULT now()) RETURNS int
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
REVOKE ALL ON FUNCTION shegu.sweep(timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Grids: the responsible unit, and the grid re-derived as of a date.

CREATE FUNCTION shegu.incident_unit(grid shegu.gridcode, level text) RETURNS shegu.gridcode
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    l int := CASE level WHEN 'grid' THEN 6 WHEN 'community' THEN 5 WHEN 'township' THEN 4 WHEN 'county' THEN 3 END;
    a shegu.gridcode;
BEGIN
    IF l IS NULL THEN
        RAISE EXCEPTION 'unknown level "%"', level
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The levels are grid, community, township and county.';
    END IF;
    -- A level the code skips (the zero county segment of a city without counties, 441900003…)
    -- is served by the unit above it: the city (4419) answers at the county level.
    FOR k IN REVERSE least(shegu.level(grid), l) .. 1 LOOP
        a := shegu.ancestor(grid, k);
        IF a IS NOT NULL THEN
            RETURN a;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION shegu.incident_unit(shegu.gridcode, text) IS
    'the unit responsible at a level (grid, community, township, county) for an incident in a grid: the grid''s ancestor at that level, or where the code skips that level (a city without counties, 东莞 4419) the nearest ancestor above it';

CREATE FUNCTION shegu.incident_grid_as_of(incident_id bigint, at timestamptz) RETURNS shegu.gridcode
    LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = shegu, pg_catalog, pg_temp
AS $$
DECLARE
    loc shegu.incident.location%TYPE;
    g shegu.gridcode;
BEGIN
    SELECT i.location INTO loc FROM shegu.incident AS i WHERE i.id = incident_grid_as_of.incident_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SGI02',
            MESSAGE = format('incident %s does not exist', incident_grid_as_of.incident_id);
    END IF;
    IF loc IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT shegu.locate($1, $2)' INTO g USING loc, at;
    RETURN g;
END;
$$;
COMMENT ON FUNCTION shegu.incident_grid_as_of(bigint, timestamptz) IS
    'the grid that contains the incident''s location by the boundaries valid at a date (NULL without a location); the stored grid never moves';

-- ---------------------------------------------------------------------------------------------
-- ---- incident figures: the time light as of a time.  The stored light is what sweep() last
-- set (it sends NOTIFY shegu_light on each turn); views show the light as of now().

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
-- ---- end incident figures

-- ---------------------------------------------------------------------------------------------
-- Supervision (督办): the open incidents with their lights and the time they have left.

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

-- ---------------------------------------------------------------------------------------------
-- Measures (by grid at every level and by month of report) and accountability.
-- ---- incident figures: the one definition of every incident measure (docs/incident.md).
-- The query below is written once and instantiated twice: as the view shegu.incident_figures
-- (overdue judged at now(); the report room's monthly views read it, so that a filter on the
-- month reaches the incidents) and inside shegu.incident_measures_at(at) (overdue judged at a
-- given time).  %1$s is the time overdue is judged at.

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
-- ---- end incident figures

CREATE FUNCTION shegu.incident_accountability_at(at timestamptz, discovery_window interval DEFAULT interval '7 days')
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

CREATE VIEW shegu.incident_accountability AS
    SELECT * FROM shegu.incident_accountability_at(now());
COMMENT ON VIEW shegu.incident_accountability IS
    'accountability findings now: not_discovered 应发现未发现, not_reported 应上报未上报, not_handled 应处置未处置 (7-day patrol window); see docs/incident.md';
COMMENT ON COLUMN shegu.incident_accountability.kind IS 'finding: not_discovered (reported through hotline, leader or media with no patrol report of the same top-level category in the grid in the 7 days before), not_reported (a level let its level deadline pass without escalating), not_handled (the disposal deadline passed before disposal)';
COMMENT ON COLUMN shegu.incident_accountability.kind_zh IS 'the finding in Chinese: 应发现未发现, 应上报未上报 or 应处置未处置';
COMMENT ON COLUMN shegu.incident_accountability.incident_id IS 'the incident (shegu.incident.id); one incident can give several findings';
COMMENT ON COLUMN shegu.incident_accountability.category IS 'category code of the incident';
COMMENT ON COLUMN shegu.incident_accountability.grid IS 'grid (网格) of the incident at report time';
COMMENT ON COLUMN shegu.incident_accountability.responsible_level IS 'level held responsible: grid for not_discovered; for not_reported the level the sweep took it from, or the present level while not yet moved; for not_handled the present level';
COMMENT ON COLUMN shegu.incident_accountability.responsible_unit IS 'grid code of the responsible unit: the grid''s ancestor at responsible_level';
COMMENT ON COLUMN shegu.incident_accountability.source IS 'source (来源) of the report: patrol, resident, hotline, wechat, video, leader, media or superior (not_discovered: hotline, leader or media)';
COMMENT ON COLUMN shegu.incident_accountability.reported_at IS 'when the incident was reported (上报时间)';
COMMENT ON COLUMN shegu.incident_accountability.failed_at IS 'when the failure happened: the report time (not_discovered), the sweep''s escalation or the passed level_due_at (not_reported), the disposal deadline due_at (not_handled)';
COMMENT ON COLUMN shegu.incident_accountability.reason IS 'the finding in words, e.g. which channel reported it, at which level the deadline passed, how late the disposal was';

-- ---------------------------------------------------------------------------------------------
-- Mediation measures (大调解): 化解率, by unit, month and body.

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
