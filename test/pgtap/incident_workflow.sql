-- pgTAP: workflow v2 — the engine's rules as act() applies them across sessions: 首问负责,
-- 会商研判 and 裁决 within a limit, 联动综合执法 parts finished in two sessions at once, 一名领导,
-- 大调解 to 化解, NOTIFY shegu_limit of a stage and of a part, and that a refused step writes nothing.
-- test/pgtap/incident_workflow.sql — several sessions (dblink), so it commits and cleans up.
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SELECT plan(20);

INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, accept_basis,
                               dispose_limit, dispose_basis)
VALUES ('tapwf', '测试', 'Test', 'grid', '10 hours', 'natural', '100 hours', 'natural');
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528601001001', 'tap wf', 'basic', '-infinity');
CREATE TEMP TABLE saved_limits AS SELECT * FROM workflow_limit;
UPDATE workflow_limit SET time_limit = '10 hours', basis = 'natural';
SET shegu.incident_clock = '2026-05-04 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapwf', 'wf ' || g, 'patrol', '430528601001001', '2026-05-04 09:00+08' FROM generate_series(1, 4) AS g;
CREATE TEMP TABLE ids AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM incident WHERE category = 'tapwf';
SELECT count(act(id, 'accept', 'first desk')) FROM ids;

SELECT is((SELECT owner FROM incident WHERE id = (SELECT id FROM ids WHERE k = 1)), 'first desk',
          '首问负责: the first receiver owns the case');
SELECT is((SELECT owner FROM act((SELECT id FROM ids WHERE k = 1), 'hand_over', 'first desk', 'township',
                                 '{"to": "town office"}')), 'town office', 'until it hands the case on');
SELECT throws_ok(format($$SELECT act(%s, 'assign_leader', 'centre')$$, (SELECT id FROM ids WHERE k = 1)),
                 '22023', NULL, 'a leader is named');
SELECT is((SELECT leader FROM act((SELECT id FROM ids WHERE k = 1), 'assign_leader', 'centre', NULL,
                                  '{"leader": "Li"}')), 'Li', 'one leader per case');
SELECT throws_ok(format($$SELECT act(%s, 'assign_leader', 'centre', NULL, '{"leader": "Wu"}')$$,
                        (SELECT id FROM ids WHERE k = 1)), 'SGI01', NULL, '... and no second one');

-- A refused step writes nothing: neither the row nor an event.
CREATE TEMP TABLE before_refusal AS
SELECT (SELECT to_jsonb(i) FROM incident i WHERE i.id = (SELECT id FROM ids WHERE k = 2)) AS row,
       (SELECT count(*) FROM incident_event WHERE incident_id = (SELECT id FROM ids WHERE k = 2)) AS events;
SELECT throws_ok(format($$SELECT act(%s, 'finish_part', 'x', NULL, '{"department": "x"}')$$, (SELECT id FROM ids WHERE k = 2)),
                 'SGI01', NULL, 'finish_part outside a joint case is an illegal step');
SELECT throws_ok(format($$SELECT act(%s, 'agreement', 'x', NULL, '{"reached": true}')$$, (SELECT id FROM ids WHERE k = 2)),
                 'SGI01', NULL, 'an agreement outside a mediation is an illegal step');
SELECT is((SELECT to_jsonb(i) FROM incident i WHERE i.id = (SELECT id FROM ids WHERE k = 2)), (SELECT row FROM before_refusal),
          'refused steps leave the row as it was');
SELECT is((SELECT count(*) FROM incident_event WHERE incident_id = (SELECT id FROM ids WHERE k = 2)),
          (SELECT events FROM before_refusal), '... and log nothing');

-- 会商研判 → 裁决 past its limit is refused, the level above rules.
SELECT is((SELECT status FROM act((SELECT id FROM ids WHERE k = 2), 'request_ruling', 'centre', 'unclear')), 'ruling',
          'a ruling is requested');
SET shegu.incident_clock = '2026-05-04 20:00+08';
SELECT throws_ok(format($$SELECT act(%s, 'rule', 'centre', NULL, '{"department": "water"}')$$, (SELECT id FROM ids WHERE k = 2)),
                 'SGI07', NULL, 'a ruling past its limit is refused');
SELECT is((SELECT stage_due_at FROM act((SELECT id FROM ids WHERE k = 2), 'escalate', 'centre')),
          timestamptz '2026-05-05 06:00+08', 'escalated, the level above has a fresh limit');
SELECT is((SELECT status FROM act((SELECT id FROM ids WHERE k = 2), 'rule', 'county', NULL, '{"department": "water"}')),
          'dispatched', 'and rules within it');

-- 联动综合执法 with three departments; a joint dispatch that names one twice writes nothing.
SET shegu.incident_clock = '2026-05-04 09:00+08';
RESET shegu.incident_clock;
SELECT throws_ok(format($$SELECT act(%s, 'joint_dispatch', 'centre', NULL, '{"department": "a", "support": ["b", "a"]}')$$,
                        (SELECT id FROM ids WHERE k = 3)), '22023', NULL, 'a department named twice is refused');
SELECT is((SELECT count(*) FROM incident_party WHERE incident_id = (SELECT id FROM ids WHERE k = 3)), 0::bigint,
          '... and no part is written');
SET shegu.incident_clock = '2026-05-04 21:00+08';
SELECT is((SELECT status FROM act((SELECT id FROM ids WHERE k = 3), 'joint_dispatch', 'centre', NULL,
                                  '{"department": "a", "support": ["b", "c"]}')), 'dispatched', 'a joint dispatch');
RESET shegu.incident_clock;

-- Several sessions: everything above is committed so that they see it.
CREATE TEMP TABLE conn AS
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_user) AS s;
SELECT dblink_connect('w1', s) FROM conn;
SELECT dblink_connect('w2', s) FROM conn;
SELECT dblink_connect('wl', s) FROM conn;
SELECT dblink_exec('wl', 'LISTEN shegu_limit');
SELECT dblink_exec('w1', $$SET shegu.incident_clock = '2026-05-04 22:00+08'$$);
SELECT dblink_exec('w2', $$SET shegu.incident_clock = '2026-05-04 22:00+08'$$);
SELECT * FROM dblink('w1', format($$SELECT status FROM shegu.act(%s, 'finish_part', 'a', NULL, '{"department": "a"}')$$,
                                  (SELECT id FROM ids WHERE k = 3))) AS t(status text);
-- the last two parts, in two sessions at once: the second waits for the first's row lock
SELECT dblink_exec('w1', 'BEGIN');
SELECT * FROM dblink('w1', format($$SELECT status FROM shegu.act(%s, 'finish_part', 'b', NULL, '{"department": "b"}')$$,
                                  (SELECT id FROM ids WHERE k = 3))) AS t(status text);
SELECT dblink_send_query('w2', format($$SELECT status FROM shegu.act(%s, 'finish_part', 'c', NULL, '{"department": "c"}')$$,
                                      (SELECT id FROM ids WHERE k = 3)));
SELECT pg_sleep(0.3);
SELECT dblink_exec('w1', 'COMMIT');
SELECT is((SELECT status FROM dblink_get_result('w2') AS t(status text)), 'resolved',
          'the part finished last, after waiting for the other, resolves the joint case');
SELECT is((SELECT count(*) FROM incident_party WHERE incident_id = (SELECT id FROM ids WHERE k = 3) AND finished_at IS NOT NULL),
          3::bigint, 'every part is finished once');

-- NOTIFY shegu_limit: a mediation's limit turns yellow at sweep time.
SELECT * FROM dblink('w1', format($$SELECT status FROM shegu.act(%s, 'mediate', 'centre', NULL, '{"body": "people"}')$$,
                                  (SELECT id FROM ids WHERE k = 4))) AS t(status text);
SELECT * FROM dblink('w1', $$SELECT shegu.sweep('2026-05-05 06:30+08')$$) AS t(n int);
SELECT pg_sleep(0.2);
SELECT is((SELECT count(*) FROM dblink_get_notify('wl') AS n
           WHERE n.notify_name = 'shegu_limit' AND (n.extra::jsonb ->> 'stage') = 'mediation'
             AND (n.extra::jsonb ->> 'light') = 'yellow'
             AND (n.extra::jsonb ->> 'incident')::bigint = (SELECT id FROM ids WHERE k = 4)), 1::bigint,
          'the mediation''s limit near: NOTIFY shegu_limit with stage and light');
SELECT is((SELECT stage_light FROM incident WHERE id = (SELECT id FROM ids WHERE k = 4)), 'yellow', 'its stage light is yellow');

SELECT dblink_disconnect('w1');
SELECT dblink_disconnect('w2');
SELECT dblink_disconnect('wl');
SELECT * FROM finish();

SET session_replication_role = replica;
DELETE FROM incident_party WHERE incident_id IN (SELECT id FROM ids);
DELETE FROM incident_mediation WHERE incident_id IN (SELECT id FROM ids);
DELETE FROM incident_event WHERE incident_id IN (SELECT id FROM ids);
DELETE FROM incident WHERE id IN (SELECT id FROM ids);
UPDATE workflow_limit AS w SET time_limit = s.time_limit, basis = s.basis, shipped = true
FROM saved_limits AS s WHERE s.stage = w.stage;
RESET session_replication_role;
DELETE FROM incident_category WHERE code = 'tapwf';
DELETE FROM grid WHERE code = '430528601001001';
