-- pgTAP: roles × forbidden actions.  Every role of a small cast (dispatcher, grid worker,
-- township head, analyst, unmapped worker, a role with no shegu role at all) tries every action
-- it must not take; each must be refused (an error, or no row where the refusal is row-level
-- security hiding the rows).  The allowed actions are tried too, so the matrix cannot pass by
-- refusing everything.  Counts per role are printed as diagnostics.
-- test/pgtap/security.sql — one transaction, rolled back (roles included).
BEGIN;
SET search_path = shegu, public;
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';
SELECT plan(12);

INSERT INTO grid (code, name, kind) VALUES
    ('440305', '南山区', 'county'), ('440305001', '南头街道', 'township'),
    ('440305001001', '南头社区', 'community'), ('440305001001001', '第1网格', 'basic'),
    ('440305001002', '同乐社区', 'community'), ('440305002', '南山街道', 'township'),
    ('440305002001', '南山社区', 'community');
CREATE ROLE tap_sec_centre NOLOGIN IN ROLE shegu_centre;
CREATE ROLE tap_sec_worker NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE tap_sec_head NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE tap_sec_analyst NOLOGIN IN ROLE shegu_analyst;
CREATE ROLE tap_sec_unmapped NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE tap_sec_stranger NOLOGIN;
INSERT INTO grid_staff (code, person_name, role, phone, db_role, valid_from) VALUES
    ('440305001001001', '陈网格', 'grid_worker', '13800000001', 'tap_sec_worker', '2020-01-01'),
    ('440305001', '周街道', 'grid_head', '13800000002', 'tap_sec_head', '2020-01-01'),
    ('440305002001', '吴社区', 'grid_worker', '13800000003', NULL, '2020-01-01');
SET shegu.incident_clock = '2026-05-06 10:00+08';
INSERT INTO incident (category, title, source, grid, reporter, reported_at) VALUES
    ('environment.garbage', 'tap in',  'patrol', '440305001001001', '黄某', '2026-05-06 09:00+08'),
    ('environment.garbage', 'tap out', 'hotline', '440305002001', '林某', '2026-05-06 09:10+08');

CREATE TEMP TABLE cast_of (role name, label text);
INSERT INTO cast_of VALUES ('tap_sec_centre', 'centre'), ('tap_sec_worker', 'worker'),
    ('tap_sec_head', 'head'), ('tap_sec_analyst', 'analyst'), ('tap_sec_unmapped', 'unmapped'),
    ('tap_sec_stranger', 'stranger');

-- The actions.  %1$s: the incident in the worker's grid; %2$s: the one outside the head's
-- subtree.  kind 'rows': refused when the statement returns 0 (or errs).
CREATE TEMP TABLE action (key text, kind text, sql text);
INSERT INTO action VALUES
    ('insert event',        'error', $q$INSERT INTO shegu.incident_event (incident_id, action, actor, at, to_status, to_level, db_role) VALUES (%1$s, 'close', 'x', now(), 'closed', 'grid', 'x')$q$),
    ('update event',        'error', $q$UPDATE shegu.incident_event SET actor = 'x' WHERE incident_id = %1$s$q$),
    ('delete event',        'error', $q$DELETE FROM shegu.incident_event WHERE incident_id = %1$s$q$),
    ('truncate event',      'error', $q$TRUNCATE shegu.incident_event$q$),
    ('update status',       'error', $q$UPDATE shegu.incident SET status = 'closed' WHERE id = %1$s$q$),
    ('update grid',         'error', $q$UPDATE shegu.incident SET grid = '440305002001' WHERE id = %1$s$q$),
    ('delete incident',     'error', $q$DELETE FROM shegu.incident WHERE id = %1$s$q$),
    ('insert managed',      'error', $q$INSERT INTO shegu.incident (category, title, source, grid, suspended_work) VALUES ('environment.garbage', 't', 'patrol', '440305001001001', '1 hour')$q$),
    ('insert explicit id',  'error', $q$INSERT INTO shegu.incident (id, category, title, source, grid) VALUES (987654, 'environment.garbage', 't', 'patrol', '440305001001001')$q$),
    ('sweep',               'error', $q$SELECT shegu.sweep('2026-05-06 10:00+08')$q$),
    ('incident_step',       'error', $q$SELECT shegu.incident_step(%1$s, 'tick', now())$q$),
    ('disable guard',       'error', $q$ALTER TABLE shegu.incident_event DISABLE TRIGGER incident_event_10_guard$q$),
    ('create in shegu',     'error', $q$CREATE FUNCTION shegu.tap_plant() RETURNS int LANGUAGE sql RETURN 1$q$),
    ('act outside scope',   'error', $q$SELECT shegu.act(%2$s, 'supervise', '周街道')$q$),
    ('act as another',      'error', $q$SELECT shegu.act(%1$s, 'supervise', '冒名者')$q$),
    ('report outside',      'error', $q$INSERT INTO shegu.incident (category, title, source, grid) VALUES ('environment.garbage', 't', 'patrol', '440305002001')$q$),
    ('read outside',        'rows',  $q$SELECT 1 FROM shegu.incident WHERE id = %2$s$q$),
    ('read outside events', 'rows',  $q$SELECT 1 FROM shegu.incident_event WHERE incident_id = %2$s$q$),
    ('read staff phones',   'rows',  $q$SELECT 1 FROM shegu.grid_staff WHERE phone = '13800000003'$q$),
    ('read reporter',       'rows',  $q$SELECT 1 FROM shegu.incident WHERE reporter IS NOT NULL$q$),
    ('scope of another',    'rows',  $q$SELECT 1 FROM unnest(shegu.grid_scope('tap_sec_worker')) AS c WHERE current_user <> 'tap_sec_worker'$q$),
    ('masked views',        'rows',  $q$SELECT 1 FROM shegu.incident_masked$q$),
    ('act',                 'error', $q$SELECT shegu.act(%1$s, 'supervise', '陈网格')$q$),
    ('report inside',       'error', $q$INSERT INTO shegu.incident (category, title, source, grid) VALUES ('environment.garbage', 't', 'patrol', '440305001001001')$q$),
    ('read inside',         'rows',  $q$SELECT 1 FROM shegu.incident WHERE id = %1$s$q$);

-- Which actions each role may take; every other action is forbidden to it.
CREATE TEMP TABLE allowed (label text, key text);
INSERT INTO allowed VALUES
    ('centre', 'act outside scope'), ('centre', 'act as another'), ('centre', 'report outside'),
    ('centre', 'read outside'), ('centre', 'read outside events'), ('centre', 'read staff phones'),
    ('centre', 'read reporter'), ('centre', 'masked views'), ('centre', 'act'), ('centre', 'report inside'),
    ('centre', 'read inside'), ('centre', 'scope of another'),
    ('worker', 'act'), ('worker', 'report inside'), ('worker', 'read inside'), ('worker', 'read reporter'),
    ('head', 'report inside'), ('head', 'read inside'), ('head', 'read reporter'),
    ('analyst', 'masked views');

-- Runs one action as a role and undoes it: 'allowed', or 'refused <SQLSTATE>' / 'refused (no rows)'.
CREATE FUNCTION pg_temp.try_as(p_role name, p_kind text, p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    BEGIN
        EXECUTE format('SET LOCAL ROLE %I', p_role);
        IF p_kind = 'rows' THEN
            EXECUTE format('SELECT count(*) FROM (%s) AS q', p_sql) INTO n;
        ELSE
            EXECUTE p_sql;
            n := 1;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo', DETAIL = n::text;
    EXCEPTION WHEN OTHERS THEN
        DECLARE
            st text := SQLSTATE;
            msg text := SQLERRM;
            det text;
        BEGIN
            GET STACKED DIAGNOSTICS det = PG_EXCEPTION_DETAIL;
            IF msg = 'undo' THEN
                RETURN CASE WHEN det::bigint > 0 THEN 'allowed' ELSE 'refused (no rows)' END;
            END IF;
            RETURN 'refused ' || st;
        END;
    END;
END;
$$;

CREATE TEMP TABLE matrix AS
SELECT c.label, a.key, (l.key IS NOT NULL) AS may,
       pg_temp.try_as(c.role, a.kind, format(a.sql, (SELECT id FROM shegu.incident WHERE title = 'tap in'),
                                                    (SELECT id FROM shegu.incident WHERE title = 'tap out'))) AS outcome
FROM cast_of AS c CROSS JOIN action AS a
LEFT JOIN allowed AS l ON l.label = c.label AND l.key = a.key;

SELECT diag(format('%-9s forbidden %2s, refused %2s; allowed %2s, succeeded %2s', label,
                   count(*) FILTER (WHERE NOT may), count(*) FILTER (WHERE NOT may AND outcome LIKE 'refused%'),
                   count(*) FILTER (WHERE may), count(*) FILTER (WHERE may AND outcome = 'allowed')))
FROM matrix GROUP BY label ORDER BY min(CASE label WHEN 'centre' THEN 1 WHEN 'worker' THEN 2 WHEN 'head' THEN 3
                                                   WHEN 'analyst' THEN 4 WHEN 'unmapped' THEN 5 ELSE 6 END);

SELECT is((SELECT count(*) FROM matrix WHERE NOT may), 130::bigint, 'the matrix holds 130 forbidden (role, action) pairs');
SELECT is((SELECT string_agg(label || ': ' || key || ' -> ' || outcome, '; ' ORDER BY label, key)
           FROM matrix WHERE NOT may AND outcome NOT LIKE 'refused%'), NULL,
          'every forbidden action of every role is refused');
SELECT is((SELECT string_agg(label || ': ' || key || ' -> ' || outcome, '; ' ORDER BY label, key)
           FROM matrix WHERE may AND outcome <> 'allowed'), NULL,
          'every allowed action succeeds (the matrix does not pass by refusing everything)');
SELECT is((SELECT count(*) FROM matrix WHERE label = 'stranger' AND outcome LIKE 'refused%'), 25::bigint,
          'a role with no shegu role is refused all 25 actions');
SELECT is((SELECT count(*) FROM matrix WHERE label = 'unmapped' AND outcome LIKE 'refused%'), 25::bigint,
          'a grid-worker role with no staff row is refused all 25 actions (it sees no incident)');
SELECT is((SELECT outcome FROM matrix WHERE label = 'centre' AND key = 'insert event'), 'refused 42501',
          'the centre cannot write the event log directly (no privilege)');
SELECT is((SELECT outcome FROM matrix WHERE label = 'worker' AND key = 'act outside scope'), 'refused 42501',
          'a worker cannot act outside his grid');
SELECT is((SELECT outcome FROM matrix WHERE label = 'worker' AND key = 'report outside'), 'refused 42501',
          'a worker cannot report into another grid (row-level security WITH CHECK)');
SELECT is((SELECT outcome FROM matrix WHERE label = 'head' AND key = 'read outside'), 'refused (no rows)',
          'a township head does not see incidents of another township');

-- The guard holds for a role given INSERT on the log by mistake, and even the owner cannot
-- update or delete events.
GRANT INSERT ON shegu.incident_event TO tap_sec_centre;
SELECT is(pg_temp.try_as('tap_sec_centre', 'error', format(
    $q$INSERT INTO shegu.incident_event (incident_id, action, actor, at, to_status, to_level, db_role) VALUES (%s, 'close', 'x', now(), 'closed', 'grid', 'x')$q$,
    (SELECT id FROM shegu.incident WHERE title = 'tap in'))), 'refused SGI04',
    'with INSERT granted by mistake, the guard trigger still refuses a forged event');
SELECT throws_ok(format($q$UPDATE shegu.incident_event SET actor = 'x' WHERE incident_id = %s$q$,
                        (SELECT id FROM shegu.incident WHERE title = 'tap in')), 'SGI04', NULL,
                 'the owner cannot update an event');
SELECT throws_ok($q$INSERT INTO shegu.incident_event (incident_id, action, actor, at, to_status, to_level, db_role) VALUES (-1, 'close', 'x', now(), 'closed', 'grid', 'x')$q$,
                 '23503', NULL, 'an event of a missing incident is refused by the foreign key');

SELECT * FROM finish();
ROLLBACK;
