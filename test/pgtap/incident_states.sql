-- pgTAP: the disposal clock keeps running through review, ruling and mediation (会商研判、裁决、
-- 调解; docs/incident.md), so the supervision list shows it running and overdue, and accountability
-- (应处置未处置、应上报未上报) finds a case left past its deadline in one of those states; a retried
-- report() finds its own county's incident only.
-- test/pgtap/incident_states.sql — one transaction, rolled back.
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SELECT plan(11);

INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, accept_basis,
                               dispose_limit, dispose_basis)
VALUES ('tapst', '测试', 'Test', 'grid', '10 hours', 'natural', '100 hours', 'natural');
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528602001001', 'tap states', 'basic', '-infinity');
SET shegu.incident_clock = '2026-05-04 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapst', 'st ' || g, 'patrol', '430528602001001', '2026-05-04 09:00+08' FROM generate_series(1, 3) AS g;
CREATE TEMP TABLE ids AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM incident WHERE category = 'tapst';
SELECT count(act(id, 'accept', 'desk')) FROM ids;
SELECT status FROM act((SELECT id FROM ids WHERE k = 1), 'review', 'desk', 'needs several departments');
SELECT status FROM act((SELECT id FROM ids WHERE k = 2), 'request_ruling', 'desk', 'responsibility unclear');
SELECT status FROM act((SELECT id FROM ids WHERE k = 3), 'mediate', 'desk', 'a dispute between neighbours',
                       '{"body": "people", "organisation": "调委会", "mediator": "Wang"}');
RESET shegu.incident_clock;

SELECT is((SELECT array_agg(status ORDER BY id) FROM incident WHERE category = 'tapst'),
          '{reviewing,ruling,mediating}'::text[], 'one case in review, one awaiting a ruling, one in mediation');
SELECT is((SELECT count(*) FROM incident_supervision WHERE category = 'tapst' AND clock_running), 3::bigint,
          'the supervision list shows their clocks running');
SELECT ok((SELECT bool_and(time_left_hours < 0) FROM incident_supervision WHERE category = 'tapst'),
          'and months past the 100-hour limit, the hours left are negative');
SELECT is((SELECT count(*) FROM incident_supervision WHERE category = 'tapst' AND light = 'red'), 3::bigint,
          'all three red');
SELECT is((SELECT count(DISTINCT incident_id) FROM incident_accountability
           WHERE kind = 'not_handled' AND category = 'tapst'), 3::bigint,
          '应处置未处置: each is found past its disposal deadline');
SELECT ok((SELECT bool_and(reason = 'disposal deadline passed and it is still open') FROM incident_accountability
           WHERE kind = 'not_handled' AND category = 'tapst'), 'as still open');
SELECT is((SELECT count(DISTINCT incident_id) FROM incident_accountability
           WHERE kind = 'not_reported' AND category = 'tapst'), 3::bigint,
          '应上报未上报: and past the grid level''s deadline without being escalated');
SELECT is((SELECT count(*) FROM incident_accountability_at('2026-05-04 10:00+08') WHERE category = 'tapst'), 0::bigint,
          'an hour after the report nothing is late yet');

-- idempotency keys: a retry returns its own county's incident; another county's key is refused
INSERT INTO grid (code, name, kind, valid_from) VALUES ('110105001001001', 'tap other county', 'basic', '-infinity');
CREATE TEMP TABLE first_report AS
SELECT id FROM report('tapst', 'retry me', 'hotline', grid => '430528602001001', idempotency_key => 'tap-key-1');
SELECT is((SELECT id FROM report('tapst', 'retry me', 'hotline', grid => '430528602001001', idempotency_key => 'tap-key-1')),
          (SELECT id FROM first_report), 'a retry in the same county returns the stored incident');
SELECT throws_ok($$SELECT report('tapst', 'retry me', 'hotline', grid => '110105001001001', idempotency_key => 'tap-key-1')$$,
                 'SGI05', 'idempotency key "tap-key-1" already names an incident of another county',
                 'the same key from another county is refused, not answered with the first county''s incident');
SELECT is((SELECT count(*) FROM incident WHERE idempotency_key = 'tap-key-1'), 1::bigint, 'and nothing is written');

SELECT * FROM finish();
ROLLBACK;
