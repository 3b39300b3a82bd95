-- pgTAP: the incident state machine (every legal and illegal transition), idempotent retries,
-- concurrent actions and sweeps in several sessions (dblink), NOTIFY payloads, the working-time
-- calendar cases, and the measures on a small hand-checked data set.
-- test/pgtap/incident.sql — several sessions, so it commits and cleans up after itself.
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SELECT plan(64);

INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, accept_basis,
                               dispose_limit, dispose_basis)
VALUES ('tap', '测试', 'Test', 'grid', '10 hours', 'natural', '100 hours', 'natural'),
       ('tap.sub', '测试子类', 'Test child', 'grid', '10 hours', 'natural', '100 hours', 'natural'),
       ('tapw', '测试工作时', 'Test working', 'grid', '2 hours', 'working', '2 days', 'working');

-- The basic grids the incidents name (given, not located: no boundary needed).
INSERT INTO grid (code, name, kind, valid_from)
SELECT g::gridcode, 'tap ' || g, 'basic', '-infinity'
FROM unnest('{430528201001001,430528201001002,430528301001001,430528301001002,430528301002001,
              430528401001001,430528401001002,430528401001003,430528501001001}'::text[]) AS g;

-- Tries an action and undoes it: 'ok' when legal, else the SQLSTATE.
CREATE FUNCTION pg_temp.try_act(p_id bigint, p_action text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shegu.act(p_id, p_action, 'tap', 'a reason',
                      CASE p_action WHEN 'evaluate' THEN '{"satisfaction": 4}'
                                    WHEN 'request_extension' THEN '{"amount": "1 hour"}' END::jsonb);
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo';
EXCEPTION WHEN OTHERS THEN
    IF SQLERRM = 'undo' THEN RETURN 'ok'; END IF;
    RETURN SQLSTATE;
END;
$$;

-- An incident brought to a state by legal steps.
CREATE FUNCTION pg_temp.in_state(p_state text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    i bigint;
    path text[] := CASE p_state
        WHEN 'reported' THEN '{}'
        WHEN 'accepted' THEN '{accept}'
        WHEN 'rejected' THEN '{reject}'
        WHEN 'dispatched' THEN '{accept,dispatch}'
        WHEN 'resolved' THEN '{accept,dispatch,resolve}'
        WHEN 'verified' THEN '{accept,dispatch,resolve,verify}'
        WHEN 'closed' THEN '{accept,dispatch,resolve,verify,close}'
        WHEN 'evaluated' THEN '{accept,dispatch,resolve,verify,close,evaluate}'
        WHEN 'suspended' THEN '{accept,suspend}' END;
    a text;
BEGIN
    INSERT INTO shegu.incident (category, title, source, grid, reported_at)
    VALUES ('tap', 'state ' || p_state, 'patrol', '430528201001001', '2026-04-01 08:00+08') RETURNING id INTO i;
    FOREACH a IN ARRAY path LOOP
        PERFORM shegu.act(i, a, 'tap', 'a reason', CASE a WHEN 'evaluate' THEN '{"satisfaction": 4}' END::jsonb);
    END LOOP;
    RETURN i;
END;
$$;

SET shegu.incident_clock = '2026-04-01 09:00+08';
CREATE TEMP TABLE machine AS
SELECT s.state, a.action, pg_temp.try_act(s.id, a.action) AS outcome
FROM (SELECT st AS state, pg_temp.in_state(st) AS id
      FROM unnest('{reported,accepted,rejected,dispatched,resolved,verified,closed,evaluated,suspended}'::text[]) AS st) AS s
CROSS JOIN unnest('{accept,reject,dispatch,resolve,verify,rework,close,evaluate,return,escalate,request_extension,approve_extension,suspend,resume,reopen,supervise}'::text[]) AS a(action);

CREATE TEMP TABLE legal (state text, actions text[]);
INSERT INTO legal VALUES
    ('reported',   '{accept,escalate,reject,supervise,suspend}'),
    ('accepted',   '{dispatch,escalate,request_extension,supervise,suspend}'),
    ('rejected',   '{reopen}'),
    ('dispatched', '{escalate,request_extension,resolve,return,supervise,suspend}'),
    ('resolved',   '{rework,supervise,verify}'),
    ('verified',   '{close,supervise}'),
    ('closed',     '{evaluate,reopen}'),
    ('evaluated',  '{reopen}'),
    ('suspended',  '{resume,supervise}');

SELECT is((SELECT array_agg(m.action ORDER BY m.action) FROM machine m WHERE m.state = l.state AND m.outcome = 'ok'),
          l.actions, format('legal actions from %s', l.state))
FROM legal l ORDER BY l.state;
SELECT is((SELECT count(*) FROM machine WHERE outcome NOT IN ('ok', 'SGI01')), 0::bigint,
          'every illegal step fails with SQLSTATE SGI01');
SELECT is((SELECT count(*) FROM machine), 144::bigint, '9 states x 16 actions tried');
SELECT is((SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id
           WHERE i.title LIKE 'state %' AND e.action NOT IN ('report')),
          24::bigint, 'tried steps left no event behind (only the 24 steps that built the states)');
SELECT is((SELECT array_agg(status ORDER BY id) FROM incident WHERE title LIKE 'state %'),
          '{reported,accepted,rejected,dispatched,resolved,verified,closed,evaluated,suspended}'::text[],
          'tried steps changed no state');

-- approve_extension needs a pending request; the approval moves due_at by the approved amount.
SELECT throws_ok(format('SELECT shegu.act(%s, ''approve_extension'', ''tap'')', pg_temp.in_state('dispatched')),
                 'SGI01', NULL, 'approve_extension without a request is illegal');
CREATE TEMP TABLE ext0 AS SELECT pg_temp.in_state('dispatched') AS id;
CREATE TEMP TABLE ext AS SELECT i.id, i.due_at FROM incident i JOIN ext0 USING (id);
SELECT NULL FROM ext, act(ext.id, 'request_extension', 'tap', NULL, '{"amount": "5 hours"}');
SELECT is((SELECT a.due_at - ext.due_at FROM ext, act(ext.id, 'approve_extension', 'tap') AS a),
          interval '5 hours', 'approved extension moves due_at');

-- A return (回退) goes back to the level that dispatched.
CREATE TEMP TABLE ret AS SELECT pg_temp.in_state('accepted') AS id;
SELECT NULL FROM ret, act(ret.id, 'escalate', 'tap');
SELECT NULL FROM ret, act(ret.id, 'dispatch', 'tap', NULL, '{"level": "grid"}');
SELECT is((SELECT row(a.status, a.level)::text FROM ret, act(ret.id, 'return', 'tap', 'not ours') AS a),
          '(accepted,community)', 'a return goes back to the community that dispatched it to the grid');

-- Retries.
SELECT is((SELECT (report('tap', 'retry', 'wechat', grid => '430528201001001', idempotency_key => 'tap-k1')).id),
          (SELECT (report('tap', 'retry', 'wechat', grid => '430528201001001', idempotency_key => 'tap-k1')).id),
          'a report retried with its idempotency key returns the same incident');
SELECT is((SELECT count(*) FROM incident WHERE idempotency_key = 'tap-k1'), 1::bigint, 'and stores it once');
SELECT throws_ok($$SELECT report('tap', 'other', 'wechat', grid => '430528201001001', idempotency_key => 'tap-k1')$$,
                 'SGI05', NULL, 'a different submission under a used key is refused');
CREATE TEMP TABLE rq AS SELECT pg_temp.in_state('reported') AS id;
SELECT is((SELECT (act(id, 'escalate', 'tap', NULL, '{"request_id": "esc-1"}')).level FROM rq), 'community',
          'first escalate with a request id');
SELECT is((SELECT (act(id, 'escalate', 'tap', NULL, '{"request_id": "esc-1"}')).level FROM rq), 'community',
          'the retry returns the incident unchanged (no second escalation)');
SELECT is((SELECT escalations FROM incident WHERE id = (SELECT id FROM rq)), 1, 'escalated once');

-- The append-only log and the guarded columns.
SELECT throws_ok('UPDATE shegu.incident_event SET note = ''x''', 'SGI04', NULL, 'events cannot be updated');
SELECT throws_ok('DELETE FROM shegu.incident_event', 'SGI04', NULL, 'events cannot be deleted');
SELECT throws_ok('DELETE FROM shegu.incident', 'SGI04', NULL, 'incidents cannot be deleted');
SELECT throws_ok('UPDATE shegu.incident SET light = ''red''', 'SGI03', NULL, 'workflow columns cannot be set directly');
SELECT throws_ok('SELECT shegu.act(-1, ''accept'', ''tap'')', 'SGI02', NULL, 'unknown incident');

-- Working-time calendar cases (2025 and 2026 holidays and make-up days).
SET shegu.incident_clock = '2026-02-13 16:30+08';
SELECT is((SELECT accept_due_at FROM report('tapw', 'cal 0', 'patrol', grid => '430528201001002',
                                            reported_at => '2026-02-13 16:30+08')),
          '2026-02-14 09:30+08'::timestamptz, '2 working hours from Friday 16:30 before the 2026 Spring Festival end on the make-up Saturday');
SET shegu.incident_clock = '2026-02-13 09:00+08';
SELECT is((SELECT accept_due_at FROM report('tapw', 'cal 1', 'patrol', grid => '430528201001002',
                                            reported_at => '2026-02-13 08:00+08')),
          '2026-02-13 10:30+08'::timestamptz, 'working time starts at 08:30');
SELECT is((SELECT due_at FROM act((SELECT id FROM incident WHERE title = 'cal 1'), 'accept', 'tap')),
          '2026-02-24 09:00+08'::timestamptz, '2 working days from Friday 09:00 run over the make-up Saturday and the holiday');
SET shegu.incident_clock = '2025-01-26 08:00+08';
SELECT is((SELECT accept_due_at FROM report('tapw', 'cal 2', 'patrol', grid => '430528201001002',
                                            reported_at => '2025-01-26 08:00+08')),
          '2025-01-26 10:30+08'::timestamptz, 'Sunday 2025-01-26 is a make-up working day');
SET shegu.incident_clock = '2025-01-27 09:00+08';
SELECT is((SELECT due_at FROM act((SELECT id FROM incident WHERE title = 'cal 2'), 'accept', 'tap')),
          '2025-02-06 09:00+08'::timestamptz, '2 working days from the Monday before the 2025 Spring Festival end on 02-06');
SET shegu.incident_clock = '2026-09-30 09:00+08';
SELECT is((SELECT due_at FROM act((SELECT id FROM report('tapw', 'cal 3', 'patrol', grid => '430528201001002',
                                                         reported_at => '2026-09-30 08:30+08')), 'accept', 'tap')),
          '2026-10-09 09:00+08'::timestamptz, '2 working days from 2026-09-30 run over National Day');
SET shegu.incident_clock = '2026-10-09 08:30+08';
SELECT is((SELECT due_at FROM act((SELECT id FROM incident WHERE title = 'cal 3'), 'suspend', 'tap', 'wait')), '2026-10-09 09:00+08'::timestamptz,
          'suspended before the deadline');
SET shegu.incident_clock = '2026-10-13 08:30+08';
SELECT is((SELECT due_at FROM act((SELECT id FROM incident WHERE title = 'cal 3'), 'resume', 'tap')),
          '2026-10-13 09:00+08'::timestamptz, 'resumed after 3 working days (10-09, make-up 10-10, 10-12): deadline moved by 21 working hours');
SELECT is((SELECT suspended_work FROM incident WHERE title = 'cal 3'), interval '21 hours', 'suspended working time recorded');
RESET shegu.incident_clock;

-- Measures on a small hand-checked data set, in a township of its own (430528301), 2026-05.
SET shegu.incident_clock = '2026-05-04 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at) VALUES
    ('tap', 'm1', 'patrol',  '430528301001001', '2026-05-04 08:00+08'),
    ('tap', 'm2', 'patrol',  '430528301001001', '2026-05-04 08:00+08'),
    ('tap', 'm3', 'hotline', '430528301001002', '2026-05-04 08:00+08'),
    ('tap', 'm4', 'media',   '430528301002001', '2026-05-04 08:00+08'),
    ('tap', 'm5', 'patrol',  '430528301002001', '2026-05-04 08:00+08');
CREATE FUNCTION pg_temp.steps(p_title text, p_steps text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE a text;
BEGIN
    FOREACH a IN ARRAY p_steps LOOP
        PERFORM shegu.act((SELECT id FROM shegu.incident WHERE title = p_title), split_part(a, ':', 1), 'tap', 'a reason',
                          CASE WHEN a LIKE 'evaluate:%' THEN jsonb_build_object('satisfaction', split_part(a, ':', 2)::int) END);
    END LOOP;
END;
$$;
-- m1: closed on time, satisfied (5).  m2: reworked once, closed on time, dissatisfied (2).
-- m3: accepted, suspended.  m4: rejected.  m5: accepted, overdue and open at the judging time.
SELECT pg_temp.steps('m1', '{accept,dispatch,resolve,verify,close,evaluate:5}');
SELECT pg_temp.steps('m2', '{accept,dispatch,resolve,rework,resolve,verify,close,evaluate:2}');
SELECT pg_temp.steps('m3', '{accept,suspend}');
SELECT pg_temp.steps('m4', '{reject}');
SELECT pg_temp.steps('m5', '{accept,dispatch}');
RESET shegu.incident_clock;
SELECT results_eq(
    $$SELECT unit::text, level, received, accepted, closed, closed_on_time, overdue_open, disposal_rate,
             disposal_rate_accepted, on_time_rate, on_time_rate_incl_open, rework_rate, satisfaction_rate
      FROM shegu.incident_measures_at('2026-05-20 00:00+08') WHERE unit <@ '430528301' ORDER BY unit$$,
    -- disposal_rate (seed 004): verified disposals / every report; disposal_rate_accepted (0.2.0):
    -- resolved or later / (accepted - suspended)
    $$VALUES ('430528301', 4, 5::bigint, 4::bigint, 2::bigint, 2::bigint, 1::bigint, 2::float8 / 5, 2::float8 / 3, 1.0::float8, 2::float8 / 3, 0.5::float8, 0.5::float8),
             ('430528301001', 5, 3::bigint, 3::bigint, 2::bigint, 2::bigint, 0::bigint, 2::float8 / 3, 1.0::float8, 1.0::float8, 1.0::float8, 0.5::float8, 0.5::float8),
             ('430528301001001', 6, 2::bigint, 2::bigint, 2::bigint, 2::bigint, 0::bigint, 1.0::float8, 1.0::float8, 1.0::float8, 1.0::float8, 0.5::float8, 0.5::float8),
             ('430528301001002', 6, 1::bigint, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0.0::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8),
             ('430528301002', 5, 2::bigint, 1::bigint, 0::bigint, 0::bigint, 1::bigint, 0.0::float8, 0.0::float8, NULL::float8, 0.0::float8, NULL::float8, NULL::float8),
             ('430528301002001', 6, 2::bigint, 1::bigint, 0::bigint, 0::bigint, 1::bigint, 0.0::float8, 0.0::float8, NULL::float8, 0.0::float8, NULL::float8, NULL::float8)$$,
    'measures roll up by code prefix: received, accepted, closed, on time, overdue, rates');
SELECT is((SELECT array_agg(kind ORDER BY kind) FROM incident_accountability_at('2026-05-20 00:00+08')
           WHERE grid <@ '430528301'),
          '{not_discovered,not_handled,not_reported}'::text[],
          'accountability: m3 (hotline, grid without patrol) not discovered; m5 overdue: not handled and not escalated; m4 rejected and m3 suspended flag nothing else');

-- The month is China's, whatever the session's time zone.
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('tap', 'midnight', 'patrol', '430528501001001', '2026-07-01 00:30+08');
SET timezone = 'UTC';
SELECT is((SELECT month FROM incident_measures_at('2026-07-02') WHERE unit = '430528501001001'), date '2026-07-01',
          'an incident reported at 00:30 on 1 July in China counts in July in a UTC session');
SET timezone = 'Asia/Shanghai';

-- Several sessions: everything above is committed so that they see it.
CREATE TEMP TABLE conn AS
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_user) AS s;
SELECT dblink_connect('c1', s) FROM conn;
SELECT dblink_connect('c2', s) FROM conn;
SELECT dblink_connect('l', s) FROM conn;

-- Two sessions accept the same incident: the second waits for the first, then fails cleanly.
CREATE TEMP TABLE conc AS SELECT pg_temp.in_state('reported') AS id;
SELECT dblink_exec('c1', 'BEGIN');
SELECT * FROM conc, dblink('c1', format('SELECT shegu.act(%s, ''accept'', ''first'')::text', id)) AS t(s text);
SELECT dblink_send_query('c2', format('SELECT status FROM shegu.act(%s, ''accept'', ''second'')', id)) FROM conc;
SELECT pg_sleep(0.5);
SELECT is(dblink_is_busy('c2'), 1, 'the second accept waits for the first one''s row lock');
SELECT dblink_exec('c1', 'COMMIT');
CREATE FUNCTION pg_temp.remote(p_conn text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    BEGIN
        SELECT s INTO r FROM dblink_get_result(p_conn) AS t(s text);
    EXCEPTION WHEN OTHERS THEN
        r := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
    END;
    PERFORM * FROM dblink_get_result(p_conn) AS t(s text);
    RETURN r;
END;
$$;
SELECT matches(pg_temp.remote('c2'), 'SGI01.*cannot accept incident [0-9]+ in state "accepted"',
               'then it fails with SGI01, naming the incident and its state');
SELECT is((SELECT count(*) FROM incident_event e WHERE e.incident_id = (SELECT id FROM conc) AND e.action = 'accept'), 1::bigint,
          'one accept logged');

-- Two compatible steps at once: both take effect, one after the other (no lost update).
SELECT dblink_exec('c1', 'BEGIN');
SELECT * FROM conc, dblink('c1', format('SELECT shegu.act(%s, ''request_extension'', ''first'', NULL, ''{"amount": "2 hours"}'')::text', id)) AS t(s text);
SELECT dblink_send_query('c2', format('SELECT level FROM shegu.act(%s, ''escalate'', ''second'')', id)) FROM conc;
SELECT pg_sleep(0.5);
SELECT dblink_exec('c1', 'COMMIT');
SELECT is(pg_temp.remote('c2'), 'community', 'the waiting escalate goes through after the commit');
SELECT is((SELECT extension_requested FROM incident WHERE id = (SELECT id FROM conc)), interval '2 hours',
          'and the first step''s change is still there');

-- Under REPEATABLE READ the later session gets a serialization failure (40001) to retry.
CREATE TEMP TABLE rr AS SELECT pg_temp.in_state('accepted') AS id;
SELECT dblink_exec('c2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT * FROM dblink('c2', 'SELECT count(*)::text FROM shegu.incident') AS t(n text);
SELECT * FROM rr, dblink('c1', format('SELECT shegu.act(%s, ''dispatch'', ''first'')::text', id)) AS t(s text);
SELECT dblink_send_query('c2', format('SELECT status FROM shegu.act(%s, ''escalate'', ''second'')', id)) FROM rr;
SELECT matches(pg_temp.remote('c2'), '^ERROR 40001', 'a repeatable-read session acting on a changed incident fails with 40001');
SELECT dblink_exec('c2', 'ROLLBACK');
SELECT is((SELECT row(status, escalations)::text FROM incident WHERE id = (SELECT id FROM rr)), '(dispatched,0)',
          'and only the first step took effect');

-- Two sessions report under one idempotency key at once: the second waits for the first's
-- insertion, then returns its incident (ON CONFLICT DO NOTHING), stored and logged once.
SELECT dblink_exec('c1', 'BEGIN');
CREATE TEMP TABLE crep AS SELECT * FROM dblink('c1',
    'SELECT id::text FROM shegu.report(''tap'', ''at once'', ''wechat'', grid => ''430528201001001'', idempotency_key => ''tap-conc-1'')') AS t(id text);
SELECT dblink_send_query('c2',
    'SELECT id::text FROM shegu.report(''tap'', ''at once'', ''wechat'', grid => ''430528201001001'', idempotency_key => ''tap-conc-1'')');
SELECT pg_sleep(0.5);
SELECT is(dblink_is_busy('c2'), 1, 'a second report under the same key waits for the first one''s insertion');
SELECT dblink_exec('c1', 'COMMIT');
SELECT is(pg_temp.remote('c2'), (SELECT id FROM crep), 'then returns the first one''s incident');
SELECT is((SELECT count(*)::text || ' incident, ' || (SELECT count(*) FROM incident_event AS e WHERE e.incident_id = min(i.id)) || ' event'
           FROM incident AS i WHERE i.idempotency_key = 'tap-conc-1'), '1 incident, 1 event', 'stored and logged once');
-- Under REPEATABLE READ, a key another session stored after the snapshot is a serialization failure.
SELECT dblink_exec('c2', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT * FROM dblink('c2', 'SELECT count(*)::text FROM shegu.incident') AS t(n text);
SELECT * FROM dblink('c1',
    'SELECT id::text FROM shegu.report(''tap'', ''rr'', ''wechat'', grid => ''430528201001001'', idempotency_key => ''tap-conc-2'')') AS t(id text);
SELECT dblink_send_query('c2',
    'SELECT id::text FROM shegu.report(''tap'', ''rr'', ''wechat'', grid => ''430528201001001'', idempotency_key => ''tap-conc-2'')');
SELECT matches(pg_temp.remote('c2'), '^ERROR 40001', 'a repeatable-read retry of a key stored after its snapshot fails with 40001');
SELECT dblink_exec('c2', 'ROLLBACK');

-- Sweeps: two at once escalate every overdue incident exactly once; a third does nothing.
SET shegu.incident_clock = '2026-06-01 08:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tap', 'sweep ' || g, 'patrol', '430528401001001', '2026-06-01 08:00+08' FROM generate_series(1, 40) AS g;
SELECT dblink_exec('l', 'LISTEN shegu_escalation');
SELECT dblink_exec('l', 'LISTEN shegu_light');
SELECT dblink_exec('l', 'LISTEN shegu_supervision');
SELECT dblink_send_query('c1', 'SELECT shegu.sweep(''2026-06-01 18:30+08'')::text');
SELECT dblink_send_query('c2', 'SELECT shegu.sweep(''2026-06-01 18:30+08'')::text');
CREATE TEMP TABLE swept AS SELECT pg_temp.remote('c1')::int + pg_temp.remote('c2')::int AS n;
SELECT is((SELECT count(*) FROM incident WHERE title LIKE 'sweep %' AND level = 'community' AND escalations = 1), 40::bigint,
          'concurrent sweeps escalated every overdue incident one level');
SELECT is((SELECT n FROM swept), (SELECT count(*)::int FROM incident_event WHERE action = 'escalate' AND actor = 'shegu.sweep'),
          'the two sweeps together report exactly the escalations they made');
SELECT is((SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id
           WHERE i.title LIKE 'sweep %' AND e.action = 'escalate'), 40::bigint, 'each exactly once in the log');
SELECT is(sweep('2026-06-01 18:30+08'), 0, 'a repeated sweep at the same time escalates nothing');
SELECT pg_sleep(0.5);
CREATE TEMP TABLE notes AS SELECT notify_name, extra::jsonb AS payload FROM dblink_get_notify('l');
SELECT is((SELECT count(*) FROM notes WHERE notify_name = 'shegu_escalation'
             AND payload ->> 'incident' IN (SELECT id::text FROM incident WHERE title LIKE 'sweep %')), 40::bigint,
          'one shegu_escalation notification per escalated incident');
SELECT is((SELECT payload - 'incident' FROM notes WHERE notify_name = 'shegu_escalation' AND payload ->> 'grid' = '430528401001001' LIMIT 1),
          '{"at": "2026-06-01T18:30:00+08:00", "by": "shegu.sweep", "grid": "430528401001001", "level": "community",
            "reason": "overdue", "status": "reported", "due_at": null, "category": "tap", "from_level": "grid",
            "escalations": 1, "level_due_at": "2026-06-02T04:30:00+08:00"}'::jsonb,
          'the escalation payload: incident, category, grid, status, levels, reason, by, deadlines, time');
SELECT is((SELECT count(*) FROM notes WHERE notify_name = 'shegu_light' AND payload ->> 'light' = 'red'
             AND payload ->> 'grid' = '430528401001001'), 40::bigint,
          'each overdue incident turned red once');
SELECT is((SELECT payload - 'incident' FROM notes WHERE notify_name = 'shegu_light' AND payload ->> 'grid' = '430528401001001' LIMIT 1),
          '{"at": "2026-06-01T18:30:00+08:00", "grid": "430528401001001", "level": "grid", "light": "red",
            "due_at": "2026-06-01T18:00:00+08:00", "status": "reported", "category": "tap", "previous": "green"}'::jsonb,
          'the light payload: incident, category, grid, status, level, light, previous, deadline, time');
SELECT is(sweep('2026-06-01 18:31+08'), 0, 'a later sweep before the next level deadline escalates nothing');
SELECT pg_sleep(0.5);
SELECT is((SELECT count(*) FROM dblink_get_notify('l')), 0::bigint, 'and turns no light twice');

-- Yellow comes before red, once.
SET shegu.incident_clock = '2026-06-02 08:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('tap', 'light', 'patrol', '430528401001002', '2026-06-02 08:00+08');
SELECT sweep('2026-06-02 16:00+08');
SELECT sweep('2026-06-02 16:30+08');
SELECT pg_sleep(0.5);
SELECT is((SELECT array_agg(extra::jsonb ->> 'light') FROM dblink_get_notify('l') WHERE notify_name = 'shegu_light'),
          '{yellow}'::text[], 'at 80% of the 10 hours the light turns yellow, once');
SELECT NULL FROM incident i, act(i.id, 'supervise', 'county centre', 'hurry up') WHERE i.title = 'light';
SELECT pg_sleep(0.5);
SELECT is((SELECT (extra::jsonb - 'incident')::text FROM dblink_get_notify('l') WHERE notify_name = 'shegu_supervision'),
          '{"at": "2026-06-02T08:00:00+08:00", "by": "county centre", "grid": "430528401001002", "note": "hurry up", "level": "grid", "due_at": "2026-06-02T18:00:00+08:00", "status": "reported", "category": "tap", "supervisions": 1}',
          'a supervisor''s press (督办) is notified on shegu_supervision');
RESET shegu.incident_clock;
INSERT INTO incident (category, title, source, grid, reported_at)
VALUES ('tap', 'back-filled', 'patrol', '430528401001003', '2026-06-03 08:00+08');
SELECT pg_sleep(0.5);
SELECT is((SELECT row(light, (SELECT count(*) FROM dblink_get_notify('l')))::text FROM incident WHERE title = 'back-filled'),
          '(red,0)', 'a back-filled report starts red without a notification');

-- The documented pg_cron line schedules the sweep (pg_cron lives in database postgres, as
-- cron.database_name says; the job runs in this database).
SELECT dblink_connect('cron', replace(s, 'dbname=' || current_database(), 'dbname=postgres')) FROM conn;
SELECT dblink_exec('cron', 'CREATE EXTENSION IF NOT EXISTS pg_cron');
SELECT * FROM dblink('cron', format($q$SELECT cron.schedule_in_database('shegu-sweep-tap', '* * * * *', 'SELECT shegu.sweep()', %L)::text$q$,
                                    current_database())) AS t(jobid text);
SELECT is((SELECT row(schedule, command, database)::text FROM dblink('cron',
               'SELECT schedule, command, database FROM cron.job WHERE jobname = ''shegu-sweep-tap''')
               AS t(schedule text, command text, database text)),
          row('* * * * *', 'SELECT shegu.sweep()', current_database())::text,
          'pg_cron holds the every-minute sweep job for this database');
SELECT * FROM dblink('cron', $q$SELECT cron.unschedule('shegu-sweep-tap')::text$q$) AS t(ok text);
SELECT dblink_disconnect('cron');

RESET shegu.incident_clock;
SELECT dblink_disconnect('c1');
SELECT dblink_disconnect('c2');
SELECT dblink_disconnect('l');

SELECT * FROM finish();

-- Clean up (the guards are origin-only triggers, as for any administrator's purge).
SET session_replication_role = replica;
TRUNCATE incident, incident_event, incident_party, incident_mediation;
RESET session_replication_role;
DELETE FROM incident_category WHERE code IN ('tap.sub', 'tap', 'tapw');
DELETE FROM grid WHERE name LIKE 'tap %';
