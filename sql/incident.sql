-- Incidents: categories, report, every act() action and every error, the event log, the
-- clock rules (working and natural time, extension, suspension), sweep, measures, accountability.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- The shipped tree: top-level categories with their limits.
SELECT code, name_zh, name_en, handling_level, accept_limit, accept_basis, dispose_limit, dispose_basis, schedule
FROM incident_category WHERE parent IS NULL ORDER BY code;
SELECT count(*) AS shipped_rows, count(*) FILTER (WHERE parent IS NOT NULL) AS subcategories
FROM incident_category WHERE shipped;

-- Test categories: natural time, round numbers.
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, accept_basis,
                               dispose_limit, dispose_basis)
VALUES ('t', '测试', 'Test', 'grid', '10 hours', 'natural', '100 hours', 'natural');
-- Bad categories are refused by their constraints.
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, dispose_limit)
VALUES ('Bad Code', '坏', 'Bad', 'grid', '1 hour', '1 hour');
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, dispose_limit)
VALUES ('t2', '坏', 'Bad', 'village', '1 hour', '1 hour');
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, dispose_limit)
VALUES ('t2', '坏', 'Bad', 'grid', '-1 hour', '1 hour');
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, dispose_limit, schedule)
VALUES ('t2', '坏', 'Bad', 'grid', '1 hour', '1 hour', 'no-such-schedule');

-- The basic grids the incidents below name (no boundary needed: they are given, not located).
INSERT INTO grid (code, name, kind, valid_from) VALUES
    ('430528101002003', '测试网格三', 'basic', '-infinity'), ('430528101002004', '测试网格四', 'basic', '-infinity'),
    ('430528101002005', '测试网格五', 'basic', '-infinity'), ('430528101002006', '测试网格六', 'basic', '-infinity');

-- Report: the trigger fills status, level, deadlines and light; the event log gets "report".
SET shegu.incident_clock = '2026-03-02 08:00+08';
INSERT INTO incident (category, title, source, grid, reporter, reported_at)
VALUES ('t', 'one', 'patrol', '430528101002003', 'wang', '2026-03-02 08:00+08')
RETURNING id, status, level, accept_due_at, due_at, level_due_at, yellow_at, light, state_since;
SELECT id, incident_id, action, actor, at, from_status, to_status, from_level, to_level, work_time_in_state
FROM incident_event ORDER BY id;

-- Report errors: unknown category, bad source, no grid, managed columns, bad start state.
INSERT INTO incident (category, title, source, grid) VALUES ('nope', 'x', 'patrol', '430528101002003');
INSERT INTO incident (category, title, source, grid) VALUES ('t', 'x', 'rumour', '430528101002003');
INSERT INTO incident (category, title, source) VALUES ('t', 'no grid', 'patrol');
INSERT INTO incident (category, title, source, grid, due_at) VALUES ('t', 'x', 'patrol', '430528101002003', now());
INSERT INTO incident (category, title, source, grid, status) VALUES ('t', 'x', 'patrol', '430528101002003', 'closed');
INSERT INTO incident (category, title, source, grid) VALUES ('t', '', 'patrol', '430528101002003');
SELECT count(*) AS incidents, (SELECT count(*) FROM incident_event) AS events FROM incident;

-- The happy path: accept, dispatch, resolve, verify, close, evaluate.
SET shegu.incident_clock = '2026-03-02 09:00+08';
SELECT status, level, accepted_at, due_at, level_due_at, yellow_at, light FROM act(1, 'accept', 'centre');
SELECT status, level, department, dispatched_at FROM act(1, 'dispatch', 'centre', NULL,
    '{"level": "community", "department": "城管"}');
SET shegu.incident_clock = '2026-03-03 09:00+08';
SELECT status, resolved_at, clock_stopped_at, light FROM act(1, 'resolve', 'li', 'cleared');
SELECT status, verified_at FROM act(1, 'verify', 'centre');
SELECT status, closed_at, work_hours_to_close FROM act(1, 'close', 'centre');
SELECT status, satisfaction, evaluated_at FROM act(1, 'evaluate', 'resident', NULL, '{"satisfaction": 5}');
SELECT action, actor, at, from_status, to_status, from_level, to_level, work_time_in_state, note, detail
FROM incident_event WHERE incident_id = 1 ORDER BY id;

-- Reopen a closed case: a fresh disposal clock from now.
SET shegu.incident_clock = '2026-03-04 10:00+08';
SELECT status, accepted_at, due_at, closed_at, satisfaction, reopen_count, light FROM act(1, 'reopen', 'centre', 'resident complained again');

-- Reject (needs a reason) and reopen a rejected report.
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'two', 'hotline', '430528101002003', '2026-03-04 10:00+08') RETURNING id AS two \gset
SELECT act(:two, 'reject', 'centre');
SELECT status, clock_stopped_at FROM act(:two, 'reject', 'centre', 'duplicate of 1');
SET shegu.incident_clock = '2026-03-04 12:00+08';
SELECT status, accept_due_at, level_due_at, reopen_count FROM act(:two, 'reopen', 'centre', 'not a duplicate');

-- Return (回退, needs a reason), rework (返工) and their clocks.
SELECT status FROM act(:two, 'accept', 'centre');
SELECT status, level, department FROM act(:two, 'dispatch', 'centre', NULL, '{"department": "水务"}');
SELECT act(:two, 'return', 'water office');
SELECT status, department FROM act(:two, 'return', 'water office', 'not ours');
SELECT status, department FROM act(:two, 'dispatch', 'centre', NULL, '{"department": "城管"}');
SELECT status, due_at FROM act(:two, 'resolve', 'li');
SET shegu.incident_clock = '2026-03-04 22:00+08';
-- 10 hours waiting for verification do not count against the handler: due_at moves by 10 hours.
SELECT status, due_at, rework_count, clock_stopped_at FROM act(:two, 'rework', 'centre', 'still leaking');

-- Extension (延期): request, then approve; the approved amount moves due_at and level_due_at.
SELECT act(:two, 'approve_extension', 'centre');
SELECT act(:two, 'request_extension', 'li');
SELECT act(:two, 'request_extension', 'li', NULL, '{"amount": "soon"}');
SELECT act(:two, 'request_extension', 'li', NULL, '{"amount": "-1 day"}');
SELECT act(:two, 'request_extension', 'li', NULL, '{"amount": 3}');
SELECT status, due_at, extension_requested FROM act(:two, 'request_extension', 'li', NULL, '{"amount": "2 days"}');
-- the supervisor's list shows the request in hours (a natural-time category: two days are 48 hours)
SELECT extension_requested_hours FROM incident_supervision WHERE id = :two;
SELECT status, due_at, level_due_at, extension_requested, extension_total
FROM act(:two, 'approve_extension', 'centre', NULL, '{"amount": "1 day"}');

-- Suspension (挂账) stops the clock: resuming moves the deadlines by the time suspended.
SELECT act(:two, 'suspend', 'centre');
SELECT status, resume_status, clock_stopped_at FROM act(:two, 'suspend', 'centre', 'waiting for court ruling');
SELECT act(:two, 'resolve', 'li');
SET shegu.incident_clock = '2026-03-05 22:00+08';
SELECT status, resume_status, due_at, level_due_at, clock_stopped_at FROM act(:two, 'resume', 'centre');

-- Supervise (督办): a supervisor presses; the state stays, the press is counted, logged and notified.
SELECT status, supervisions FROM act(:two, 'supervise', 'county centre', 'please hurry');

-- Escalate (上报) by hand: one level up, a fresh level deadline; never above the county.
SELECT status, level, level_due_at, escalations FROM act(:two, 'escalate', 'li', 'needs the township');
SELECT status, level, escalations FROM act(:two, 'escalate', 'community', 'needs the county');
SELECT level FROM act(:two, 'escalate', 'township', 'needs the county');
SELECT act(:two, 'escalate', 'county');

-- Every illegal step names the incident and its state, and changes nothing.
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'three', 'wechat', '430528101002004', '2026-03-05 22:00+08') RETURNING id AS three \gset
SELECT act(:three, 'dispatch', 'x');
SELECT act(:three, 'resolve', 'x');
SELECT act(:three, 'verify', 'x');
SELECT act(:three, 'rework', 'x');
SELECT act(:three, 'close', 'x');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 3}');
SELECT act(:three, 'return', 'x', 'why');
SELECT act(:three, 'request_extension', 'x', NULL, '{"amount": "1 day"}');
SELECT act(:three, 'resume', 'x');
SELECT act(:three, 'reopen', 'x');
SELECT status FROM act(:three, 'accept', 'x');
SELECT act(:three, 'accept', 'x');
SELECT act(:three, 'reject', 'x', 'late');
SELECT status FROM act(:three, 'dispatch', 'x');
SELECT act(:three, 'dispatch', 'x');
SELECT status FROM act(:three, 'resolve', 'x');
SELECT act(:three, 'suspend', 'x', 'why');
SELECT act(:three, 'escalate', 'x');
SELECT act(:three, 'close', 'x');
SELECT status FROM act(:three, 'verify', 'x');
SELECT act(:three, 'rework', 'x');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 3}');
SELECT status FROM act(:three, 'close', 'x');
SELECT act(:three, 'close', 'x');
SELECT act(:three, 'evaluate', 'x');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 6}');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 4.5}');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": "good"}');
SELECT status, satisfaction FROM act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 3}');
SELECT act(:three, 'evaluate', 'x', NULL, '{"satisfaction": 3}');
SELECT act(:three, 'suspend', 'x', 'why');
SELECT act(:three, 'supervise', 'x');

-- Argument errors.
SELECT act(NULL, 'accept', 'x');
SELECT act(:three, NULL, 'x');
SELECT act(:three, 'accept', NULL);
SELECT act(:three, 'accept', '');
SELECT act(:three, 'approve', 'x');
SELECT act(:three, 'tick', 'x');
SELECT act(:three, 'reopen', 'x', NULL, '[1, 2]');
SELECT act(:three, 'reopen', 'x', NULL, '{"request_id": 7}');
SELECT act(999, 'accept', 'x');
SELECT act(1, 'dispatch', 'x', NULL, '{"level": "village"}');
SET shegu.incident_clock = '2026-01-01 00:00+08';
SELECT act(1, 'dispatch', 'x');
SET shegu.incident_clock = 'yesterday-ish';
RESET shegu.incident_clock;

-- Retried requests: the same request_id changes nothing twice and returns the incident.
SET shegu.incident_clock = '2026-03-06 09:00+08';
SELECT status, level FROM act(1, 'dispatch', 'centre', NULL, '{"request_id": "r-1"}');
SELECT status, level FROM act(1, 'dispatch', 'centre', NULL, '{"request_id": "r-1"}');
SELECT count(*) AS dispatch_events FROM incident_event WHERE incident_id = 1 AND request_id = 'r-1';

-- Direct changes: free text may be edited; workflow columns, the grid and the log may not.
UPDATE incident SET title = 'one (edited)', description = 'at the gate' WHERE id = 1 RETURNING id, title;
UPDATE incident SET status = 'closed' WHERE id = 1;
UPDATE incident SET grid = '430528101002009' WHERE id = 1;
UPDATE incident SET due_at = due_at + interval '1 day' WHERE id = 1;
DELETE FROM incident WHERE id = 1;
TRUNCATE incident_event;
UPDATE incident_event SET actor = 'someone else' WHERE id = 1;
DELETE FROM incident_event WHERE id = 1;

-- Idempotent report: a retry with the same key returns the stored incident.
SELECT id, title, status FROM report('t', 'four', 'resident', grid => '430528101002003',
    reported_at => '2026-03-06 08:00+08', idempotency_key => 'phone-42');
SELECT id, title, status FROM report('t', 'four', 'resident', grid => '430528101002003',
    reported_at => '2026-03-06 08:00+08', idempotency_key => 'phone-42');
SELECT report('t', 'something else', 'resident', grid => '430528101002003', idempotency_key => 'phone-42');
INSERT INTO incident (category, title, source, grid, idempotency_key)
VALUES ('t', 'four', 'resident', '430528101002003', 'phone-42');
SELECT count(*) AS with_key FROM incident WHERE idempotency_key = 'phone-42';
SELECT id AS four FROM incident WHERE idempotency_key = 'phone-42' \gset

-- Working time: a 2-working-day limit from the Friday before the 2026 Spring Festival runs over
-- the make-up Saturday (2-14) and the holiday (2-15..2-23).
INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, dispose_limit)
VALUES ('tw', '测试工作时', 'Test working time', 'grid', '4 hours', '2 days');
SET shegu.incident_clock = '2026-02-13 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('tw', 'festival', 'patrol', '430528101002003', '2026-02-13 08:00+08')
RETURNING id AS fest, accept_due_at, yellow_at \gset
SELECT :'accept_due_at' AS accept_due_at, :'yellow_at' AS yellow_at;
SELECT status, due_at, yellow_at FROM act(:fest, 'accept', 'centre');
SELECT is_workday('2026-02-14') AS sat_0214, is_workday('2026-02-23') AS mon_0223;
-- Suspended over a working day: 7 working hours suspended, due_at moves by exactly that.
SET shegu.incident_clock = '2026-02-24 08:30+08';
SELECT status FROM act(:fest, 'suspend', 'centre', 'waiting');
SET shegu.incident_clock = '2026-02-25 08:30+08';
SELECT status, due_at, suspended_work FROM act(:fest, 'resume', 'centre');
SELECT status FROM act(:fest, 'dispatch', 'centre');
SELECT status FROM act(:fest, 'resolve', 'li');
SELECT status FROM act(:fest, 'verify', 'centre');
SET shegu.incident_clock = '2026-02-26 10:00+08';
SELECT status, closed_at, work_hours_to_close FROM act(:fest, 'close', 'centre');
SELECT action, at, from_status, work_time_in_state FROM incident_event WHERE incident_id = :fest ORDER BY id;

-- Finish the open incidents, so that the sweep below sees only its own: incident 1 is disposed
-- late (due 03-08 14:00), incident "two" on time (due 03-11 02:00), "four" is rejected.
SET shegu.incident_clock = '2026-03-09 10:00+08';
SELECT id, status, resolved_at <= due_at AS on_time FROM act(1, 'resolve', 'li');
SELECT status FROM act(1, 'verify', 'centre');
SELECT status FROM act(1, 'close', 'centre');
SELECT id, status, resolved_at <= due_at AS on_time FROM act(:two, 'resolve', 'li');
SELECT status FROM act(:two, 'verify', 'centre');
SELECT status FROM act(:four, 'reject', 'centre', 'duplicate');
-- A leader's instruction in a grid whose patrol reported nothing: should have been found.
SET shegu.incident_clock = '2026-03-12 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'seven', 'leader', '430528101002006', '2026-03-12 08:00+08') RETURNING id AS seven \gset
SELECT status FROM act(:seven, 'accept', 'centre');
SELECT status FROM act(:seven, 'suspend', 'centre', 'waiting for the owner');

-- Sweep: escalates overdue open incidents one level, once per level deadline.
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'five', 'patrol', '430528101002005', '2026-03-10 08:00+08'),
       ('t', 'six', 'patrol', '430528101002005', '2026-03-10 08:00+08') RETURNING level, accept_due_at;
SELECT min(id) AS five, max(id) AS six FROM incident WHERE title IN ('five', 'six') \gset
SET shegu.incident_clock = '2026-03-10 09:00+08';
SELECT status FROM act(:six, 'accept', 'centre');
SELECT sweep('2026-03-10 17:59+08') AS before_deadline;
SELECT sweep('2026-03-10 18:01+08') AS escalated;
SELECT sweep('2026-03-10 18:01+08') AS again;
SELECT id, status, level, level_due_at, escalations, light FROM incident WHERE id IN (:five, :six) ORDER BY id;
SELECT sweep('2026-03-11 04:02+08') AS next_level;
SELECT sweep('2026-03-11 14:03+08') AS to_county;
SELECT sweep('2026-03-20 00:00+08') AS county_stays;
SELECT id, level, escalations FROM incident WHERE id IN (:five, :six) ORDER BY id;
SELECT incident_id, action, actor, at, from_level, to_level, note
FROM incident_event WHERE incident_id = :five AND action = 'escalate' ORDER BY id;

-- Lights: yellow at 80% of the allowed time, red when overdue; the sweep turns them.
SELECT id, light, yellow_at, due_at FROM incident WHERE id = :six;
-- Supervision (督办): the open incidents, their lights and deadlines (time_left_hours moves with now()).
SELECT id, title, status, level, responsible_unit, light, deadline, level_due_at, escalations, clock_running,
       time_left_hours IS NULL AS no_time_left, pg_typeof(time_left_hours) AS hours_type
FROM incident_supervision ORDER BY id;

-- Measures, by unit at every level and month, judged at a fixed time: the disposal rate over
-- every reported problem (seed 004) and the rate over accepted cases (0.2.0's disposal_rate).
SELECT unit, level, month, received, accepted, disposed, closed, closed_on_time, overdue_open, suspended,
       round(disposal_rate::numeric, 3) AS disposal, round(disposal_rate_accepted::numeric, 3) AS disposal_acc,
       round(on_time_rate::numeric, 3) AS on_time,
       round(on_time_rate_incl_open::numeric, 3) AS on_time_incl_open, round(rework_rate::numeric, 3) AS rework,
       round(avg_work_hours_to_close::numeric, 2) AS hours, round(satisfaction_rate::numeric, 3) AS satisfied
FROM incident_measures_at('2026-03-20 00:00+08') WHERE level IN (3, 6) ORDER BY month, level, unit;
-- Without a time there is nothing to judge overdue cases by: refused.
SELECT count(*) FROM incident_measures_at(NULL);

-- Accountability at a fixed time.
SELECT kind, kind_zh, incident_id, responsible_level, responsible_unit, failed_at, reason
FROM incident_accountability_at('2026-03-20 00:00+08') ORDER BY kind, incident_id, failed_at;

-- The grid from the location (shegu.locate at the report time); it stays when the boundaries are
-- redrawn, and can be re-derived as of any date.  From July the line between the two grids moves.
INSERT INTO grid (code, name, kind, boundary, valid_from, valid_to) VALUES
    ('430528101009001', '测试网格一', 'basic', ST_Multi(ST_MakeEnvelope(111.00, 26.00, 111.01, 26.01, 4326)), '-infinity', '2026-07-01'),
    ('430528101009002', '测试网格二', 'basic', ST_Multi(ST_MakeEnvelope(111.01, 26.00, 111.02, 26.01, 4326)), '-infinity', '2026-07-01'),
    ('430528101009001', '测试网格一', 'basic', ST_Multi(ST_MakeEnvelope(111.00, 26.00, 111.005, 26.01, 4326)), '2026-07-01', NULL),
    ('430528101009002', '测试网格二', 'basic', ST_Multi(ST_MakeEnvelope(111.005, 26.00, 111.02, 26.01, 4326)), '2026-07-01', NULL);
SET shegu.incident_clock = '2026-06-10 09:00+08';
INSERT INTO incident (category, title, source, location, reported_at)
VALUES ('t', 'located', 'wechat', ST_SetSRID(ST_MakePoint(111.008, 26.005), 4326), '2026-06-10 09:00+08')
RETURNING grid;
SELECT grid, incident_grid_as_of(id, '2026-06-10') AS june, incident_grid_as_of(id, '2026-08-01') AS august
FROM incident WHERE title = 'located';
-- A grid given directly wins over the location.
INSERT INTO incident (category, title, source, grid, location, reported_at)
VALUES ('t', 'given', 'wechat', '430528101009002', ST_SetSRID(ST_MakePoint(111.008, 26.005), 4326), '2026-06-10 09:00+08')
RETURNING grid;
INSERT INTO incident (category, title, source, location, reported_at)
VALUES ('t', 'nowhere', 'wechat', ST_SetSRID(ST_MakePoint(100, 20), 4326), '2026-06-10 09:00+08');
SET shegu.incident_clock = '2026-08-10 09:00+08';
INSERT INTO incident (category, title, source, location, reported_at)
VALUES ('t', 'located later', 'wechat', ST_SetSRID(ST_MakePoint(111.008, 26.005), 4326), '2026-08-10 09:00+08')
RETURNING grid;
SELECT title, grid FROM incident WHERE title LIKE 'located%' ORDER BY id;

-- A grid given must be registered, and valid on the day of the report.
INSERT INTO incident (category, title, source, grid) VALUES ('t', 'x', 'patrol', '430528101002007');
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528101002008', '新网格', 'basic', '2026-04-01');
INSERT INTO incident (category, title, source, grid, reported_at) VALUES ('t', 'x', 'patrol', '430528101002008', '2026-03-01 12:00+08');

-- Units and re-derivation.
SELECT incident_unit('430528101002003', 'grid') AS grid, incident_unit('430528101002003', 'community') AS community,
       incident_unit('430528101002003', 'township') AS township, incident_unit('430528101002003', 'county') AS county,
       incident_unit('430528101', 'grid') AS coarse;
-- A city without counties (东莞 4419): the city answers at the county level it skips.
SELECT incident_unit('441900003001001', 'township') AS township, incident_unit('441900003001001', 'county') AS county;
SELECT incident_grid_as_of(1, now()) AS no_location;
SELECT incident_grid_as_of(999, now());
SELECT incident_step(1, 'accept', now());

-- The county (县): the Citus distribution key, filled from the grid and checked against it.
SELECT incident_county('430528101002003') AS county, incident_county('4305') AS city,
       incident_county('43') AS province, incident_county(NULL) AS none;
INSERT INTO incident (category, title, source, grid, county, reported_at)
VALUES ('t', 'county given', 'patrol', '430528101002003', 430528, '2026-03-06 09:00+08') RETURNING county, id AS four \gset
SELECT :county AS county;
INSERT INTO incident (category, title, source, grid, county)
VALUES ('t', 'wrong county', 'patrol', '430528101002003', 110105);
SELECT count(*) AS events_without_their_county FROM incident_event AS e
WHERE e.county IS DISTINCT FROM (SELECT i.county FROM incident AS i WHERE i.id = e.incident_id);
-- act() locks the row and writes it itself; a direct UPDATE may change only title, description
-- and reporter, and an INSERT sets none of the workflow's columns.
SELECT status, owner FROM act(:four, 'accept', 'centre');
UPDATE incident SET status = 'closed' WHERE id = :four;
UPDATE incident SET owner = 'someone else' WHERE id = :four;
UPDATE incident SET stage_light = 'red' WHERE id = :four;
UPDATE incident SET title = 'county given (edited)' WHERE id = :four RETURNING title, status;
INSERT INTO incident (category, title, source, grid, owner) VALUES ('t', 'with an owner', 'patrol', '430528101002003', 'x');
INSERT INTO incident (category, title, source, grid, stage_due_at) VALUES ('t', 'with a stage', 'patrol', '430528101002003', now());
-- With the county (the routing key on Citus), act() finds the row by (county, id) only.
SELECT status FROM act(:four, 'dispatch', 'centre', NULL, NULL, 430528);
SELECT act(:four, 'resolve', 'centre', NULL, NULL, 110105);

-- ---- Joint handling and mediation (seeds 004, 001, 000, 003) ----
-- Stage limits are local defaults (not from the seeds); here natural round numbers.
SELECT stage, name_zh, time_limit, basis, source LIKE 'local default, not from the seeds%' AS labelled
FROM workflow_limit ORDER BY stage;
CREATE TEMP TABLE saved_limits AS SELECT * FROM workflow_limit;
UPDATE workflow_limit SET time_limit = '10 hours', basis = 'natural';
UPDATE workflow_limit SET time_limit = '-1 hour' WHERE stage = 'review';
INSERT INTO workflow_limit (stage, name_zh, time_limit, source) VALUES ('appeal', '复议', '1 day', 'x');
SET shegu.incident_clock = '2026-04-01 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'joint', 'patrol', '430528101002005', '2026-04-01 09:00+08') RETURNING id AS j \gset
-- 首问负责: the first receiver owns the case until it is handed on.
SELECT status, owner, owner_since FROM act(:j, 'accept', 'zhang');
SELECT act(:j, 'hand_over', 'zhang');
SELECT act(:j, 'hand_over', 'zhang', NULL, '{"to": "zhang"}');
SELECT owner FROM act(:j, 'hand_over', 'zhang', 'township handles it', '{"to": "town office"}');
-- 一个问题、一名领导 (seed 001): one leader, kept to the end.
SELECT leader FROM act(:j, 'assign_leader', 'centre', NULL, '{"leader": "Vice-mayor Li"}');
SELECT act(:j, 'assign_leader', 'centre', NULL, '{"leader": "Vice-mayor Wu"}');
-- 会商研判 then 裁决 (seed 004): responsibility unclear, ruled within a limit.
SELECT status, stage_due_at, stage_light FROM act(:j, 'review', 'centre', 'who owns the drain?');
SELECT act(:j, 'conclude_review', 'centre');
SELECT act(:j, 'request_ruling', 'centre');
SELECT status, stage_due_at, stage_yellow_at FROM act(:j, 'request_ruling', 'centre', 'two bureaus each say it is the other');
SET shegu.incident_clock = '2026-04-01 20:00+08';
SELECT act(:j, 'rule', 'centre', NULL, '{"department": "water bureau"}');
SELECT count(*) AS events_of_refused_ruling FROM incident_event WHERE incident_id = :j AND action = 'rule';
SELECT level, stage_due_at FROM act(:j, 'escalate', 'centre');
SELECT act(:j, 'rule', 'county office');
SELECT status, department, stage_due_at FROM act(:j, 'rule', 'county office', 'drain belongs to water bureau', '{"department": "water bureau"}');
-- 联动综合执法 (seed 004): a lead and supporting departments, each with its own limit.
SELECT status, level, department FROM act(:j, 'return', 'water bureau', 'joint case needed');
SELECT act(:j, 'joint_dispatch', 'centre', NULL, '{"department": "enforcement team"}');
SELECT act(:j, 'joint_dispatch', 'centre', NULL, '{"department": "enforcement team", "support": ["water bureau", "enforcement team"]}');
SELECT act(:j, 'joint_dispatch', 'centre', NULL, '{"department": "enforcement team", "support": "water bureau"}');
SELECT status, department FROM act(:j, 'joint_dispatch', 'centre', NULL,
    '{"department": "enforcement team", "support": ["water bureau", "environment bureau"], "limits": {"water bureau": "4 hours"}}');
SELECT department, role, assigned_at, due_at, light, finished_at FROM incident_party WHERE incident_id = :j ORDER BY department;
SELECT act(:j, 'resolve', 'enforcement team');
SELECT act(:j, 'finish_part', 'police', NULL, '{"department": "police"}');
SELECT act(:j, 'finish_part', 'x');
SELECT status FROM act(:j, 'finish_part', 'water bureau', 'pipe fixed', '{"department": "water bureau"}');
SELECT act(:j, 'finish_part', 'water bureau', NULL, '{"department": "water bureau"}');
SET shegu.incident_clock = '2026-04-02 09:00+08';
SELECT sweep('2026-04-02 09:00+08') >= 0 AS swept;
SELECT department, light FROM incident_party WHERE incident_id = :j ORDER BY department;
SELECT status FROM act(:j, 'finish_part', 'environment bureau', NULL, '{"department": "environment bureau"}');
SELECT status, resolved_at FROM act(:j, 'finish_part', 'enforcement team', NULL, '{"department": "enforcement team"}');
SELECT action, actor, from_status, to_status, from_level, to_level, note FROM incident_event
WHERE incident_id = :j ORDER BY id;
-- 大调解 (seeds 000, 003): a mediation body, sessions, an agreement, its fulfilment.
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'dispute', 'resident', '430528101002006', '2026-04-02 09:00+08') RETURNING id AS m \gset
SELECT status FROM act(:m, 'accept', 'centre');
SELECT act(:m, 'mediate', 'centre');
SELECT act(:m, 'mediate', 'centre', NULL, '{"body": "church"}');
SELECT status, stage_due_at FROM act(:m, 'mediate', 'centre', 'boundary wall', '{"body": "people", "organisation": "村人民调解委员会", "mediator": "Chen"}');
SELECT act(:m, 'agreement', 'Chen', NULL, '{"reached": true}');
SELECT act(:m, 'agreement', 'Chen', NULL, '{"reached": "yes"}');
SELECT status FROM act(:m, 'mediation_session', 'Chen', 'both parties heard');
SELECT act(:m, 'agreement', 'Chen');
SELECT status, resolved_at, clock_stopped_at, stage_due_at FROM act(:m, 'agreement', 'Chen', 'wall moved 30 cm', '{"reached": true}');
SELECT status FROM act(:m, 'confirm_judicially', 'court');
SELECT act(:m, 'confirm_judicially', 'court');
SELECT status FROM act(:m, 'check_fulfilment', 'Chen', 'not yet moved', '{"fulfilled": false}');
SELECT status FROM act(:m, 'check_fulfilment', 'Chen', 'moved', '{"fulfilled": true}');
SELECT body, organisation, mediator, sessions, agreement_reached, agreement, confirmed_at IS NOT NULL AS confirmed,
       fulfilment_checks, outcome, ended_at FROM incident_mediation WHERE incident_id = :m;
-- A mediation without agreement; the dispute goes to litigation (诉讼).
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('t', 'dispute two', 'resident', '430528101002006', '2026-04-02 09:00+08') RETURNING id AS m2 \gset
SELECT status FROM act(:m2, 'accept', 'centre');
SELECT act(:m2, 'refer_litigation', 'centre');
SELECT status FROM act(:m2, 'mediate', 'centre', NULL, '{"body": "trade"}');
SELECT status FROM act(:m2, 'mediation_session', 'Chen');
SELECT status FROM act(:m2, 'agreement', 'Chen', 'no agreement', '{"reached": false}');
SELECT status, resolved_at FROM act(:m2, 'refer_litigation', 'centre', 'parties sue');
SELECT body, sessions, agreement_reached, outcome FROM incident_mediation WHERE incident_id = :m2;
-- 化解率: fulfilled over ended mediations.
SELECT unit, level, month, body, mediations, sessions, agreements, confirmed, fulfilled, not_reached, litigation,
       open, resolution_rate, agreement_rate
FROM mediation_measures WHERE level = 6 ORDER BY unit, body;
SELECT level, sum(mediations) AS mediations, sum(fulfilled) AS fulfilled FROM mediation_measures GROUP BY level ORDER BY level;
-- The side tables are written only through act().
SET ROLE shegu_centre;
INSERT INTO incident_party (incident_id, department, role, assigned_at, assigned_by, due_at, yellow_at)
VALUES (:j, 'x', 'support', now(), 'x', now(), now());
UPDATE incident_mediation SET outcome = 'fulfilled';
RESET ROLE;
-- An edited shipped limit is the county's own (pg_dump keeps it); put the shipped values back.
SELECT stage, shipped FROM workflow_limit ORDER BY stage;
SET session_replication_role = replica;
UPDATE workflow_limit AS w SET time_limit = s.time_limit, basis = s.basis, shipped = true
FROM saved_limits AS s WHERE s.stage = w.stage;
RESET session_replication_role;

-- 简易处理 (巡办分离, seed 004): the basic grid settles on the spot only a category whose
-- simple_handling is true (the shipped environment.garbage): received, disposed of and closed at
-- once, at the grid level.  Anything else it passes on: simple_handle is refused, and staff of a
-- basic grid cannot take the handling level's steps (accept, reject, dispatch, verify, close) on it.
SET shegu.incident_clock = '2026-03-06 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at) VALUES
    ('environment.garbage', 'simple 1', 'patrol', '430528101002004', '2026-03-06 08:00+08'),
    ('hazard.fire', 'not simple', 'patrol', '430528101002004', '2026-03-06 08:10+08'),
    ('environment.garbage', 'simple 2', 'patrol', '430528101002004', '2026-03-06 08:20+08');
SELECT id AS simple1 FROM incident WHERE title = 'simple 1' \gset
SELECT id AS notsimple FROM incident WHERE title = 'not simple' \gset
SELECT id AS simple2 FROM incident WHERE title = 'simple 2' \gset
SELECT status, level, owner, accepted_at, resolved_at, closed_at, work_hours_to_close, light, clock_stopped_at
FROM act(:simple1, 'simple_handle', 'grid worker 1');
SELECT action, actor, from_status, to_status, from_level, to_level, work_time_in_state
FROM incident_event WHERE incident_id = :simple1 ORDER BY id;
SELECT act(:notsimple, 'simple_handle', 'grid worker 1');
SELECT act(:simple1, 'simple_handle', 'grid worker 1');
INSERT INTO grid (code, name, kind, valid_from)
SELECT '430528101002', '测试社区', 'community', '-infinity' WHERE NOT EXISTS (SELECT 1 FROM grid WHERE code = '430528101002');
CREATE ROLE regress_inc_grid NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE regress_inc_community NOLOGIN IN ROLE shegu_grid_worker;
INSERT INTO grid_staff (code, person_name, role, db_role, valid_from) VALUES
    ('430528101002004', '网格员甲', 'grid_worker', 'regress_inc_grid', '2020-01-01'),
    ('430528101002', '社区书记乙', 'grid_head', 'regress_inc_community', '2020-01-01');
SET ROLE regress_inc_grid;
SELECT status FROM act(:notsimple, 'accept', '网格员甲');
SELECT status FROM act(:notsimple, 'reject', '网格员甲', 'not ours');
SELECT status, level FROM act(:simple2, 'simple_handle', '网格员甲');
SELECT status, level FROM act(:notsimple, 'supervise', '网格员甲', 'still burning');
RESET ROLE;
SET ROLE regress_inc_community;
SELECT status, owner FROM act(:notsimple, 'accept', '社区书记乙');
RESET ROLE;
SET ROLE regress_inc_grid;
SELECT status FROM act(:notsimple, 'dispatch', '网格员甲', NULL, '{"department": "消防"}');
RESET ROLE;
SELECT title, status, level, owner FROM incident WHERE id IN (:simple1, :notsimple, :simple2) ORDER BY id;
DELETE FROM grid_staff WHERE db_role IN ('regress_inc_grid', 'regress_inc_community');
DROP ROLE regress_inc_grid;
DROP ROLE regress_inc_community;
DELETE FROM grid WHERE code = '430528101002' AND name = '测试社区';

-- Everything the incident room declares is commented.
SELECT c.oid::regclass AS undocumented FROM pg_class c
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relname LIKE 'incident%' AND c.relkind IN ('r', 'v', 'i', 'S')
  AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT a.attrelid::regclass, a.attname AS undocumented FROM pg_attribute a
WHERE a.attrelid IN ('shegu.incident'::regclass, 'shegu.incident_event'::regclass, 'shegu.incident_category'::regclass,
                     'shegu.incident_party'::regclass, 'shegu.incident_mediation'::regclass, 'shegu.workflow_limit'::regclass,
                     'shegu.mediation_measures'::regclass)
  AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL;
SELECT conname AS undocumented FROM pg_constraint
WHERE conrelid IN ('shegu.incident'::regclass, 'shegu.incident_event'::regclass, 'shegu.incident_category'::regclass)
  AND obj_description(oid, 'pg_constraint') IS NULL AND contype IN ('c', 'x');
SELECT p.oid::regprocedure AS undocumented FROM pg_proc p
WHERE p.pronamespace = 'shegu'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT t.tgname AS undocumented FROM pg_trigger t
WHERE t.tgrelid IN ('shegu.incident'::regclass, 'shegu.incident_event'::regclass, 'shegu.incident_category'::regclass)
  AND NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL;

-- Leave the database as it was (the guards are origin-only triggers; an administrator purges so).
SET session_replication_role = replica;
TRUNCATE incident, incident_event, incident_party, incident_mediation;
RESET session_replication_role;
DELETE FROM incident_category WHERE NOT shipped;
DELETE FROM grid WHERE code <@ '430528101009';
RESET shegu.incident_clock;
-- The step act() sends to a shard's node on Citus: without Citus it refuses; its arguments but
-- note, detail and request_id must be given.
SELECT * FROM incident_step_on_shard(430528, 1, 'accept', 'x', NULL, NULL, NULL, 'x', false, '2026-03-02 09:00+08', false);
SELECT * FROM incident_step_on_shard(430528, 1, 'accept', NULL, NULL, NULL, NULL, 'x', false, '2026-03-02 09:00+08', false);
