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
