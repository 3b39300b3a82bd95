-- pgTAP: act()'s direct write (ExecSimpleRelationUpdate/Insert with constraints and index
-- predicates compiled once per backend) does what the planned UPDATE and INSERT did: CHECK
-- constraints added later are enforced, row triggers fire (also UPDATE OF a column), the
-- partial and expression indexes agree with the table, and a statement trigger sends the step
-- through the planned statement.  test/pgtap/incident_write.sql — one transaction, rolled back.
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SELECT plan(44);

INSERT INTO incident_category (code, name_zh, name_en, handling_level, accept_limit, accept_basis,
                               dispose_limit, dispose_basis)
VALUES ('tapdw', '测试', 'Test', 'grid', '10 hours', 'natural', '100 hours', 'natural');
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528701001001', 'tap dw', 'basic', '-infinity');
SET shegu.incident_clock = '2026-05-04 09:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapdw', 'dw ' || g, 'patrol', '430528701001001', '2026-05-04 08:00+08' FROM generate_series(1, 40) AS g;
CREATE TEMP TABLE dw AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM incident WHERE category = 'tapdw';

-- The row act() returns is the row stored, and its event is logged once with the right states.
CREATE TEMP TABLE returned AS SELECT act(id, 'accept', 'desk')::text AS r FROM dw WHERE k = 1;
SELECT is((SELECT r FROM returned), (SELECT i::text FROM incident AS i WHERE i.id = (SELECT id FROM dw WHERE k = 1)),
          'act() returns the row as stored');
SELECT is((SELECT array_agg(e.action || ':' || e.from_status || '>' || e.to_status || ':' || e.to_level ORDER BY e.id)
           FROM incident_event AS e WHERE e.incident_id = (SELECT id FROM dw WHERE k = 1) AND e.action <> 'report'),
          '{accept:reported>accepted:grid}'::text[], 'one event, from the state before to the state after');

-- Steps for many rows at once; then every index agrees with a scan of the table.
SELECT is((SELECT count(act(id, 'accept', 'desk')) FROM dw WHERE k > 1), 39::bigint, 'accept 39 more');
CREATE TEMP TABLE steps AS SELECT count(act(id, 'dispatch', 'desk', NULL, '{"department": "city"}')) AS n FROM dw WHERE k % 2 = 0
UNION ALL SELECT 0;
INSERT INTO steps SELECT count(act(id, 'resolve', 'crew')) FROM dw WHERE k % 4 = 0;
CREATE TEMP TABLE by_seq AS
SELECT (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status = 'dispatched') AS dispatched,
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light <> 'red' AND due_at > '2026-01-01') AS red_due,
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light = 'green' AND yellow_at > '2026-01-01') AS yellow,
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND level <> 'county' AND level_due_at > '2026-01-01') AS level_due;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT row(
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status = 'dispatched'),
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light <> 'red' AND due_at > '2026-01-01'),
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND light = 'green' AND yellow_at > '2026-01-01'),
       (SELECT count(*) FROM incident WHERE category = 'tapdw' AND status IN ('reported', 'accepted', 'dispatched', 'reviewing', 'ruling', 'mediating') AND level <> 'county' AND level_due_at > '2026-01-01'))::text),
          (SELECT row(dispatched, red_due, yellow, level_due)::text FROM by_seq),
          'the partial indexes of the sweep find what a scan of the table finds');
SELECT is((SELECT count(*) FROM incident_event AS e JOIN dw ON dw.id = e.incident_id WHERE e.action = 'dispatch'),
          20::bigint, 'the event index finds every dispatch');
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT is((SELECT count(*) FROM incident_event AS e WHERE e.incident_id IN (SELECT id FROM dw) AND e.action <> 'report'),
          (40 + 20 + 10)::bigint, 'one event a step');

-- A CHECK constraint added later is enforced on the next step (the compiled ones are rebuilt).
ALTER TABLE incident ADD CONSTRAINT tap_no_verify CHECK (status <> 'verified');
SELECT throws_ok(format($$SELECT act(%s, 'verify', 'desk')$$, (SELECT id FROM dw WHERE k = 4)),
                 '23514', 'new row for relation "incident" violates check constraint "tap_no_verify"',
                 'a CHECK constraint added later refuses the step');
SELECT is((SELECT status FROM incident WHERE id = (SELECT id FROM dw WHERE k = 4)), 'resolved', 'and nothing is written');
ALTER TABLE incident DROP CONSTRAINT tap_no_verify;

-- Row triggers fire, also those on UPDATE OF a column.
CREATE TEMP TABLE fired (what text, id bigint, status text);
CREATE FUNCTION pg_temp.note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fired VALUES (TG_NAME, NEW.id, NEW.status);
    RETURN NEW;
END;
$$;
CREATE FUNCTION pg_temp.note_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fired VALUES (TG_NAME, NEW.incident_id, NEW.to_status);
    RETURN NEW;
END;
$$;
CREATE TRIGGER tap_after_status AFTER UPDATE OF status ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.note_row();
CREATE TRIGGER tap_before_event BEFORE INSERT ON incident_event FOR EACH ROW EXECUTE FUNCTION pg_temp.note_event();
INSERT INTO steps SELECT count(act(id, 'verify', 'desk')) FROM dw WHERE k = 4;
SELECT is((SELECT array_agg(what || ':' || status ORDER BY what) FROM fired),
          '{tap_after_status:verified,tap_before_event:verified}'::text[],
          'an AFTER UPDATE OF status trigger and a BEFORE INSERT trigger of the event fire');
DROP TRIGGER tap_after_status ON incident;
DROP TRIGGER tap_before_event ON incident_event;

-- A statement trigger: the step goes through the planned UPDATE, which fires it.
CREATE FUNCTION pg_temp.note_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fired VALUES (TG_NAME, NULL, NULL);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tap_stmt AFTER UPDATE ON incident FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.note_stmt();
SELECT is((SELECT status FROM act((SELECT id FROM dw WHERE k = 4), 'close', 'desk')), 'closed',
          'with a statement trigger the step still goes through');
SELECT is((SELECT count(*) FROM fired WHERE what = 'tap_stmt'), 1::bigint, 'and the statement trigger fired once');
DROP TRIGGER tap_stmt ON incident;
SELECT is((SELECT status FROM act((SELECT id FROM dw WHERE k = 8), 'verify', 'desk')), 'verified',
          'without it the next step takes the direct write again');

-- A row trigger that acts on another incident: the inner step goes through the planned
-- statement (the outer direct write keeps its compiled cache), both are written and logged.
CREATE FUNCTION pg_temp.press_neighbour() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'verified' THEN
        PERFORM shegu.act((SELECT id FROM dw WHERE k = 12), 'supervise', 'trigger', 'a neighbour was verified');
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER tap_nested AFTER UPDATE ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.press_neighbour();
SELECT is((SELECT status FROM act((SELECT id FROM dw WHERE k = 16), 'verify', 'desk')), 'verified',
          'a step whose row trigger acts on another incident goes through');
SELECT is((SELECT i.supervisions || ' / ' || (SELECT count(*) FROM incident_event AS e
                                               WHERE e.incident_id = i.id AND e.action = 'supervise')
           FROM incident AS i WHERE i.id = (SELECT id FROM dw WHERE k = 12)), '1 / 1',
          'and so does the step the trigger took, logged once');
DROP TRIGGER tap_nested ON incident;

-- Report events of a multi-row INSERT, written in batches: one per incident, as the statement would.
INSERT INTO incident (category, title, source, reporter, grid, reported_at)
SELECT 'tapdw', 'batch ' || g, 'hotline', CASE WHEN g % 2 = 0 THEN 'caller ' || g END, '430528701001001',
       '2026-05-04 08:00+08'::timestamptz + g * interval '1 second'
FROM generate_series(1, 2500) AS g;
SELECT is((SELECT count(*) FROM incident_event AS e JOIN incident AS i ON i.id = e.incident_id
           WHERE i.title LIKE 'batch %' AND e.action = 'report' AND e.at = i.reported_at AND e.to_status = 'reported'
             AND e.to_level = i.level AND e.county = i.county AND e.db_role = session_user
             AND e.actor = coalesce(i.reporter, i.source)),
          2500::bigint, 'a 2,500-row report logs 2,500 report events with the reporter (or source), time, state, level, county and role');
SELECT is((SELECT count(DISTINCT e.id) FROM incident_event AS e JOIN incident AS i ON i.id = e.incident_id
           WHERE i.title LIKE 'batch %'), 2500::bigint, 'each with its own event number');

-- The report events' foreign key is checked without a query per event (direct_fk_check): the
-- key stays declared, other AFTER triggers of the event still fire, and an incident gone before
-- its event is checked is the same foreign-key error, with nothing written.
SELECT fk_ok('shegu', 'incident_event', 'incident_id', 'shegu', 'incident', 'id');
SELECT is((SELECT condeferrable FROM pg_constraint WHERE conname = 'incident_event_incident_fkey'), false,
          'the event''s foreign key is checked at once (not deferrable)');
-- (note_event, above, serves as an AFTER trigger too: the value an AFTER trigger returns is ignored)
CREATE TRIGGER tap_after_event AFTER INSERT ON incident_event FOR EACH ROW EXECUTE FUNCTION pg_temp.note_event();
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapdw', 'fk ' || g, 'patrol', '430528701001001', '2026-05-04 08:00+08' FROM generate_series(1, 3) AS g;
SELECT is((SELECT count(*) FROM fired AS f JOIN incident AS i ON i.id = f.id
           WHERE f.what = 'tap_after_event' AND i.title LIKE 'fk %' AND f.status = 'reported'),
          3::bigint, 'an AFTER INSERT trigger of the event log fires for each report event');
DROP TRIGGER tap_after_event ON incident_event;
-- with a BEFORE trigger of the log (which could point an event elsewhere) the key's own trigger checks
CREATE TRIGGER tap_before_event BEFORE INSERT ON incident_event FOR EACH ROW EXECUTE FUNCTION pg_temp.note_event();
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapdw', 'fkb ' || g, 'patrol', '430528701001001', '2026-05-04 08:00+08' FROM generate_series(1, 3) AS g;
SELECT is((SELECT count(*) FROM incident_event AS e JOIN incident AS i ON i.id = e.incident_id
           WHERE i.title LIKE 'fkb %' AND e.action = 'report'), 3::bigint,
          'with a BEFORE trigger on the log, the report events are written and checked by the key''s trigger');
DROP TRIGGER tap_before_event ON incident_event;
CREATE FUNCTION pg_temp.remove_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM shegu.incident WHERE id = NEW.id AND title = 'gone 2';
    RETURN NULL;
END;
$$;
ALTER TABLE incident DISABLE TRIGGER incident_10_refuse_delete;
CREATE TRIGGER tap_remove AFTER INSERT ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.remove_new();
SELECT throws_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                   SELECT 'tapdw', 'gone ' || g, 'patrol', '430528701001001', '2026-05-04 08:00+08' FROM generate_series(1, 3) AS g$$,
                 '23503', NULL, 'a report event whose incident was removed meanwhile violates the foreign key');
DROP TRIGGER tap_remove ON incident;
ALTER TABLE incident ENABLE TRIGGER incident_10_refuse_delete;
SELECT is((SELECT count(*) FROM incident WHERE title LIKE 'gone %'), 0::bigint, 'and nothing is written');

-- shegu.report() in C (its own write, with the checks and defaults compiled once per session):
-- the row it returns is the row stored, its event is the one the statement trigger writes.
SET shegu.incident_clock = '2026-05-04 09:00+08';
CREATE TEMP TABLE rep AS
SELECT (report('tapdw', 'rep 1', 'wechat', grid => '430528701001001', reporter => '张三',
               reported_at => '2026-05-04 08:30+08', idempotency_key => 'tap-rep-1'))::text AS r;
SELECT is((SELECT r FROM rep), (SELECT i::text FROM incident AS i WHERE i.idempotency_key = 'tap-rep-1'),
          'report() returns the row as stored');
SELECT is((SELECT string_agg(e.action || ':' || e.actor || ':' || e.to_status || ':' || e.to_level || ':' || e.db_role || ':' || e.county, ',')
           FROM incident_event AS e JOIN incident AS i ON i.id = e.incident_id WHERE i.idempotency_key = 'tap-rep-1'),
          'report:张三:reported:grid:' || session_user || ':430528',
          'one report event: the reporter as actor, the session role, the county');
SET search_path = public;
SELECT is((SELECT (shegu.report('tapdw', 'rep 1', 'wechat', grid => '430528701001001', idempotency_key => 'tap-rep-1')).id),
          (SELECT id FROM shegu.incident WHERE idempotency_key = 'tap-rep-1'),
          'a retry under a search_path without shegu returns the stored incident');
SET search_path = shegu, public;
ALTER TABLE incident ALTER COLUMN level SET DEFAULT 'township';
SELECT is((SELECT level || ':' || coalesce(description, 'NULL') FROM report('tapdw', 'rep 2', 'wechat', grid => '430528701001001')),
          'township:NULL', 'report() fills a column default added later, as its INSERT does (not for an argument given as NULL)');
ALTER TABLE incident ALTER COLUMN level DROP DEFAULT;
ALTER TABLE incident ADD CONSTRAINT tap_no_x CHECK (title <> 'x');
SELECT throws_ok($$SELECT shegu.report('tapdw', 'x', 'wechat', grid => '430528701001001')$$, '23514', NULL,
                 'report() enforces a CHECK constraint added later');
ALTER TABLE incident DROP CONSTRAINT tap_no_x;
-- a site's BEFORE trigger that changes the row: the stored row, returned and logged, is the changed one
CREATE FUNCTION pg_temp.sign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reporter := coalesce(NEW.reporter, 'signed');
    RETURN NEW;
END;
$$;
CREATE TRIGGER incident_20_sign BEFORE INSERT ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.sign();
CREATE TEMP TABLE rep4 AS SELECT id, reporter FROM report('tapdw', 'rep 4', 'wechat', grid => '430528701001001');
SELECT is((SELECT reporter || ':' || (SELECT e.actor FROM incident_event AS e WHERE e.incident_id = rep4.id) FROM rep4),
          'signed:signed', 'a later BEFORE trigger''s change is returned and logged');
DROP TRIGGER incident_20_sign ON incident;
-- another statement trigger of incident: report() runs the INSERT as a statement, logged once
CREATE FUNCTION pg_temp.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER tap_stmt AFTER INSERT ON incident FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.noop();
CREATE TEMP TABLE rep5 AS SELECT (report('tapdw', 'rep 5', 'wechat', grid => '430528701001001', idempotency_key => 'tap-rep-5'))::text AS r;
SELECT is((SELECT r FROM rep5), (SELECT i::text FROM incident AS i WHERE i.idempotency_key = 'tap-rep-5'),
          'through the statement, report() returns the row as stored');
SELECT is((SELECT count(*) FROM incident_event AS e JOIN incident AS i ON i.id = e.incident_id
           WHERE i.idempotency_key = 'tap-rep-5' AND e.action = 'report'), 1::bigint, 'and logs one report event');
DROP TRIGGER tap_stmt ON incident;

-- The grid check's cache: a small registry is read whole at a session's first report, a larger
-- one a code at a time; either follows every change of shegu.grid.
SELECT throws_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                   VALUES ('tapdw', 'late grid', 'patrol', '430528701001002', '2026-05-04 08:00+08')$$,
                 '23503', NULL, 'a grid the (whole) registry lacks is refused');
INSERT INTO grid (code, name, kind, valid_from) VALUES ('430528701001002', 'tap dw 2', 'basic', '2026-05-01');
SELECT lives_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                  VALUES ('tapdw', 'late grid', 'patrol', '430528701001002', '2026-05-04 08:00+08')$$,
                'registered later in the session, it is taken');
UPDATE grid SET valid_to = '2026-05-03' WHERE code = '430528701001002';
SELECT throws_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                   VALUES ('tapdw', 'closed grid', 'patrol', '430528701001002', '2026-05-04 08:00+08')$$,
                 '23503', NULL, 'closed later, it is refused for a report after its last day');
INSERT INTO grid (code, name, kind)
SELECT (430528702000000 + (1 + g / 999) * 1000 + 1 + g % 999)::text::gridcode, repeat('大', 200), 'basic'
FROM generate_series(0, 2999) AS g;
SELECT cmp_ok((pg_relation_size('shegu.grid') / current_setting('block_size')::int)::int, '>', 128,
              'a registry of more than 128 pages');
SELECT lives_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                  VALUES ('tapdw', 'big registry', 'patrol', '430528702001005', '2026-05-04 08:00+08')$$,
                'in a larger registry a grid is looked up by its code');
SELECT throws_ok($$INSERT INTO shegu.incident (category, title, source, grid, reported_at)
                   VALUES ('tapdw', 'big registry', 'patrol', '430528702009005', '2026-05-04 08:00+08')$$,
                 '23503', NULL, 'and one it lacks is refused');

-- The report events without a transition table: the insert trigger notes each new incident, the
-- statement trigger logs the versions the statement stored (one event each, none for a row the
-- statement did not store), wherever the INSERT runs.
CREATE FUNCTION pg_temp.logged(pattern text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(i.title || ':' || coalesce((SELECT string_agg(e.actor, '+') FROM shegu.incident_event AS e
                                                  WHERE e.incident_id = i.id AND e.action = 'report'), '-'), ',' ORDER BY i.title)
    FROM shegu.incident AS i WHERE i.title LIKE pattern
$$;
CREATE TRIGGER incident_20_sign BEFORE INSERT ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.sign();
INSERT INTO incident (category, title, source, grid, reported_at, reporter)
VALUES ('tapdw', 'nt sign 1', 'patrol', '430528701001001', '2026-05-04 08:00+08', NULL),
       ('tapdw', 'nt sign 2', 'patrol', '430528701001001', '2026-05-04 08:00+08', '李四');
DROP TRIGGER incident_20_sign ON incident;
SELECT is(pg_temp.logged('nt sign %'), 'nt sign 1:signed,nt sign 2:李四',
          'a later BEFORE trigger''s change is logged: the event is of the row stored');
INSERT INTO incident (category, title, source, grid, reported_at, idempotency_key)
VALUES ('tapdw', 'nt conflict 1', 'patrol', '430528701001001', '2026-05-04 08:00+08', 'tap-nt-1'),
       ('tapdw', 'nt conflict 2', 'patrol', '430528701001001', '2026-05-04 08:00+08', 'tap-nt-1'),
       ('tapdw', 'nt conflict 3', 'patrol', '430528701001001', '2026-05-04 08:00+08', 'tap-nt-3')
ON CONFLICT (idempotency_key) DO NOTHING;
SELECT is(pg_temp.logged('nt conflict %'), 'nt conflict 1:patrol,nt conflict 3:patrol',
          'ON CONFLICT DO NOTHING: an event for each row stored, none for the row skipped');
CREATE FUNCTION pg_temp.nested(g int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shegu.incident (category, title, source, grid, reported_at)
    VALUES ('tapdw', 'nt inner ' || g, 'hotline', '430528701001001', '2026-05-04 08:00+08');
    BEGIN
        INSERT INTO shegu.incident (category, title, source, grid, reported_at)
        VALUES ('tapdw', 'nt undone ' || g, 'hotline', '430528701001001', '2026-05-04 08:00+08');
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN NULL;
    END;
    RETURN 'nt outer ' || g;
END;
$$;
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapdw', pg_temp.nested(g), 'patrol', '430528701001001', '2026-05-04 08:00+08' FROM generate_series(1, 2) AS g;
SELECT is(pg_temp.logged('nt %er %'), 'nt inner 1:hotline,nt inner 2:hotline,nt outer 1:patrol,nt outer 2:patrol',
          'an INSERT inside an INSERT: each statement logs its own rows once; a rolled-back subtransaction''s rows are gone');
WITH first AS (INSERT INTO incident (category, title, source, grid, reported_at)
               VALUES ('tapdw', 'nt cte 1', 'video', '430528701001001', '2026-05-04 08:00+08') RETURNING id)
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT 'tapdw', 'nt cte 2', 'video', '430528701001001', '2026-05-04 08:00+08' FROM first;
SELECT is(pg_temp.logged('nt cte %'), 'nt cte 1:video,nt cte 2:video', 'two INSERTs of one statement: both logged');
CREATE FUNCTION pg_temp.rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE shegu.incident SET reporter = 'renamed' WHERE id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tap_rename AFTER INSERT ON incident FOR EACH ROW EXECUTE FUNCTION pg_temp.rename();
INSERT INTO incident (category, title, source, grid, reported_at, reporter)
VALUES ('tapdw', 'nt renamed', 'patrol', '430528701001001', '2026-05-04 08:00+08', '王五');
DROP TRIGGER tap_rename ON incident;
SELECT is(pg_temp.logged('nt renamed') || '/' || (SELECT reporter FROM incident WHERE title = 'nt renamed'), 'nt renamed:王五/renamed',
          'an AFTER row trigger''s update comes after the report: the event is of the row as inserted');
COPY incident (category, title, source, grid, reported_at) FROM stdin;
tapdw	nt copy 1	media	430528701001001	2026-05-04 08:00+08
tapdw	nt copy 2	media	430528701001001	2026-05-04 08:00+08
\.
SELECT is(pg_temp.logged('nt copy %'), 'nt copy 1:media,nt copy 2:media', 'COPY of new reports logs them');

INSERT INTO incident (category, title, source, grid, reported_at, reporter)
SELECT 'tapdw', 'nt plain ' || g, 'wechat', '430528701001001', '2026-05-04 08:00+08', CASE WHEN g = 2 THEN '赵六' END
FROM generate_series(1, 3) AS g;
SELECT is(pg_temp.logged('nt plain %'), 'nt plain 1:wechat,nt plain 2:赵六,nt plain 3:wechat',
          'a plain INSERT (its rows taken as noted): the reporter, or the source, as actor');
MERGE INTO incident AS t USING (SELECT 'nt merged' AS title) AS s ON t.title = s.title
WHEN NOT MATCHED THEN INSERT (category, title, source, grid, reported_at)
    VALUES ('tapdw', s.title, 'leader', '430528701001001', '2026-05-04 08:00+08');
SELECT is(pg_temp.logged('nt merged'), 'nt merged:leader', 'MERGE that inserts an incident logs it');

SELECT * FROM finish();
ROLLBACK;
