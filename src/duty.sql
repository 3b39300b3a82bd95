-- Duty cadence (巡查、排查、走访): duty rules per county, campaigns, patrol tracks in daily
-- partitions, visits and screenings, patrol coverage per grid and day, compliance and its NOTIFY.
-- src/duty.sql — declares what src/duty.c implements; docs/duty.md.

-- ---------------------------------------------------------------------------------------------
-- Settings: the numbers no seed gives, each a labelled local default a county replaces.

CREATE TABLE shegu.duty_setting (
    name  text PRIMARY KEY,
    value float8 NOT NULL,
    unit  text NOT NULL,
    note  text NOT NULL,
    CONSTRAINT duty_setting_value CHECK (value >= 0 AND value < 'Infinity'
        AND (value > 0 OR name IN ('fix_jitter_m', 'fix_retention_days')))
);
SELECT pg_catalog.pg_extension_config_dump('shegu.duty_setting', '');
COMMENT ON TABLE shegu.duty_setting IS
    'settings of the duty room (巡查参数): the track cleaning rules, the clock tolerance, retention of raw fixes; every shipped value is a local default, not from the seeds: a county replaces it with UPDATE';
COMMENT ON COLUMN shegu.duty_setting.name IS 'name of the setting';
COMMENT ON COLUMN shegu.duty_setting.value IS 'its value, in unit';
COMMENT ON COLUMN shegu.duty_setting.unit IS 'unit of the value (m, s, m/s, days)';
COMMENT ON COLUMN shegu.duty_setting.note IS 'what it does and where the value comes from';
COMMENT ON CONSTRAINT duty_setting_pkey ON shegu.duty_setting IS 'one value per setting';
COMMENT ON CONSTRAINT duty_setting_value ON shegu.duty_setting IS 'a finite value above 0 (jitter and retention may be 0)';
COMMENT ON INDEX shegu.duty_setting_pkey IS 'one value per setting';

INSERT INTO shegu.duty_setting (name, value, unit, note) VALUES
    ('fix_future_s', 300, 's', 'a fix or activity may be stamped up to this far ahead of the server clock (phone clocks drift); later is refused. Local default, not from the seeds; a county replaces it'),
    ('fix_max_accuracy_m', 100, 'm', 'fixes reporting a worse accuracy are dropped by the cleaning rules. Local default, not from the seeds; a county replaces it'),
    ('fix_jitter_m', 5, 'm', 'fixes closer than this to the previous kept fix are jitter and dropped. Local default, not from the seeds; a county replaces it'),
    ('fix_max_speed_mps', 15, 'm/s', 'faster than this (54 km/h) is not a patrol on foot, bicycle or e-bike: a spike is dropped, a fast piece is a gap. Local default, not from the seeds; a county replaces it'),
    ('fix_max_gap_s', 300, 's', 'a silence longer than this breaks the track (a gap). Local default, not from the seeds; a county replaces it'),
    ('fix_retention_days', 30, 'days', 'raw fixes of a scored day are dropped (their partition) this many days after the day (PIPL data minimisation); unscored days are kept. Local default, not from the seeds; a county replaces it'),
    ('partitions_ahead_days', 3, 'days', 'shegu.patrol_maintain() creates the fix partitions of today and this many days ahead. Local default, not from the seeds'),
    ('coverage_radius_m', 50, 'm', 'a patrol covers ground within this distance of its track ("passed within N metres") when a rule gives no radius. Local default, not from the seeds; a county replaces it');

CREATE FUNCTION shegu.duty_setting(setting text) RETURNS float8
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = shegu, pg_catalog, pg_temp AS $$
DECLARE
    v float8;
BEGIN
    SELECT s.value INTO v FROM shegu.duty_setting AS s WHERE s.name = duty_setting.setting;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown duty setting "%"', setting
            USING ERRCODE = 'undefined_object',
                  HINT = 'The settings are the rows of shegu.duty_setting.';
    END IF;
    RETURN v;
END;
$$;
COMMENT ON FUNCTION shegu.duty_setting(text) IS
    'the value of a row of shegu.duty_setting; 42704 for an unknown name';

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
     'seed 000: 乡镇每半月、县每月要组织一次排查 (the county screens every month)', 'grace 3 days: local default, not from the seeds');

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
COMMENT ON TABLE shegu.duty_rule IS
    'what every grid and person owes (职责频次), per county: an activity of a kind, by the holders of a role in each grid of a kind, times per period of every N units; optionally only inside a campaign';
COMMENT ON COLUMN shegu.duty_rule.id IS 'the rule';
COMMENT ON COLUMN shegu.duty_rule.county IS 'the county (level-3 code) whose grids owe it';
COMMENT ON COLUMN shegu.duty_rule.activity IS 'patrol 巡查 (proven by track coverage), joint_patrol 协同巡查, screening 排查, visit_walk 走访, visit_night 夜访, visit_appointment 约访, visit_inspection 查访, visit_evaluation 评访 (五访), followup 重点人员随访';
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
                  DETAIL = pg_catalog.format('The server''s clock says %s; up to %s s ahead is accepted (setting fix_future_s).',
                                             pg_catalog.statement_timestamp(), future),
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
CREATE INDEX patrol_fix_worker_idx ON shegu.patrol_fix (worker, ts);
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
COMMENT ON INDEX shegu.patrol_fix_worker_idx IS 'a worker''s track in time order';

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
-- Roads (when a road layer is loaded) and patrol coverage per grid and day.

CREATE TABLE shegu.road (
    id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text,
    geom geometry(LineString, 4326) NOT NULL
);
CREATE INDEX road_geom_idx ON shegu.road USING gist (geom);
SELECT pg_catalog.pg_extension_config_dump('shegu.road', '');
SELECT pg_catalog.pg_extension_config_dump('shegu.road_id_seq', '');
COMMENT ON TABLE shegu.road IS 'the road network (道路), WGS-84 lines, for the road share of patrol coverage; empty: no road share';
COMMENT ON COLUMN shegu.road.id IS 'the road piece';
COMMENT ON COLUMN shegu.road.name IS 'its name';
COMMENT ON COLUMN shegu.road.geom IS 'its line (WGS-84)';
COMMENT ON CONSTRAINT road_pkey ON shegu.road IS 'road pieces by id';
COMMENT ON INDEX shegu.road_pkey IS 'road pieces by id';
COMMENT ON INDEX shegu.road_geom_idx IS 'the roads near a grid';

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
    acc float8 := shegu.duty_setting('fix_max_accuracy_m');
    jit float8 := shegu.duty_setting('fix_jitter_m');
    spd float8 := shegu.duty_setting('fix_max_speed_mps');
    gap float8 := shegu.duty_setting('fix_max_gap_s');
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
                                            t.acc, r, rd.roads, acc, jit, spd, gap) AS v;
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
                                            acc, jit, spd, gap) AS v;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO nf FROM shegu.patrol_fix AS f WHERE f.ts >= t0 AND f.ts < t1;
    INSERT INTO shegu.patrol_day AS p (day, scored_at, fixes) VALUES (score_patrol_day.day, pg_catalog.clock_timestamp(), nf)
    ON CONFLICT (day) DO UPDATE SET scored_at = excluded.scored_at, fixes = excluded.fixes;
    DROP TABLE pg_temp.duty_track, pg_temp.duty_cand;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION shegu.score_patrol_day(date, float8) IS
    'scores the patrol tracks of a day (Asia/Shanghai) into shegu.patrol_score: for every worker, each grid the fixes fell in and each grid assigned; for every such grid, all tracks together (worker NULL); replaces the day''s scores, marks the day scored; returns the grids scored (all-tracks rows); meant for pg_cron after midnight';
