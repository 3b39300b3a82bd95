-- Security: pinned search paths and hijack traps, the group roles, act()'s authorisation,
-- the event log's guard, grid-scoped row-level security, masked views for analysts, and the
-- inputs other rooms used to accept silently.
-- It runs in a database of its own so that its incident numbers do not depend on the suites
-- run before it.
\set regress_db :DBNAME
CREATE DATABASE regress_shegu_security;
\c regress_shegu_security
SET client_min_messages = warning;
CREATE EXTENSION postgis;
CREATE EXTENSION shegu;
RESET client_min_messages;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- 1. Every SQL and PL/pgSQL function, and every SECURITY DEFINER one, either has a standard
--    body (bound when created) or pins its search path to shegu, pg_catalog, ... with pg_temp
--    last; no path names a schema that PUBLIC may create in.  (Checked over every member, so
--    rooms added later are held to it too.)
CREATE TEMP VIEW member_function AS
SELECT p.oid, p.oid::regprocedure AS function, l.lanname, p.prosecdef, p.prosqlbody IS NOT NULL AS standard_body,
       (SELECT substr(c, 13) FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') AS path
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'shegu'
WHERE l.lanname IN ('sql', 'plpgsql') OR p.prosecdef;
SELECT function, lanname, path FROM member_function
WHERE NOT standard_body AND (path IS NULL OR path NOT LIKE 'shegu, pg_catalog, %' OR path NOT LIKE '%, pg_temp');
SELECT DISTINCT path FROM member_function WHERE path IS NOT NULL ORDER BY 1;
SELECT DISTINCT s.schema FROM member_function, unnest(string_to_array(path, ', ')) AS s(schema)
WHERE s.schema <> 'pg_temp' AND has_schema_privilege('public', s.schema, 'CREATE');
SELECT function, path FROM member_function WHERE prosecdef ORDER BY 1::text;
SELECT count(*) > 20 AS many_checked, count(*) FILTER (WHERE standard_body) > 0 AS some_standard FROM member_function;

-- 2. Traps: a role that may create in public plants operators and functions that would be
--    better matches than pg_catalog's for calls in shegu's function bodies.
CREATE ROLE regress_sec_evil NOLOGIN;
GRANT CREATE ON SCHEMA public TO regress_sec_evil;
SET ROLE regress_sec_evil;
CREATE FUNCTION public.trap_cat(a text, b int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'HIJACKED: %(text, int) ran as %', '||', current_user; END $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = int, FUNCTION = public.trap_cat);
CREATE FUNCTION public.format(a text, b bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'HIJACKED: format(text, bigint) ran as %', current_user; END $$;
CREATE FUNCTION public.trap_eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'HIJACKED: =(bigint, bigint) ran as %', current_user; END $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.trap_eq);
RESET ROLE;
-- The traps work where the path is open: the superuser's own query falls in.
SET search_path = public, shegu;
SELECT 'x' || 1;
-- shegu's functions do not: store_index (text || int), incident_grid_as_of (format(text, bigint)),
-- act() (bigint = bigint in its C queries, caller's path with public first) all reach their own errors.
SELECT shegu.store_index('no such model', '2026-01-01');
SELECT shegu.incident_grid_as_of(999, '2026-01-01');
SET search_path = public, pg_catalog, shegu;
SELECT shegu.act(999, 'accept', 'centre');
SET search_path = shegu, public;
DROP OPERATOR public.|| (text, int);
DROP OPERATOR public.= (bigint, bigint);
DROP FUNCTION public.trap_cat(text, int), public.format(text, bigint), public.trap_eq(bigint, bigint);
REVOKE CREATE ON SCHEMA public FROM regress_sec_evil;
DROP ROLE regress_sec_evil;

-- The grid code operators are found through the path: without shegu on it, OPERATOR(shegu.=)
-- is needed (docs/security.md explains why no cast can stand in for them).
SET search_path = public;
SELECT '430528101'::shegu.gridcode = '430528101'::shegu.gridcode;
SELECT '430528101'::shegu.gridcode OPERATOR(shegu.=) '430528101';
SELECT '430528101001'::shegu.gridcode OPERATOR(shegu.<@) '430528101';
SET search_path = shegu, public;

-- 3. The group roles exist, cannot log in and do not bypass row-level security.
SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolinherit
FROM pg_roles WHERE rolname IN ('shegu_centre', 'shegu_grid_worker', 'shegu_analyst') ORDER BY 1;
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c WHERE c.oid IN ('shegu.incident'::regclass, 'shegu.incident_event'::regclass, 'shegu.grid_staff'::regclass) ORDER BY 1;
SELECT tablename, policyname, roles, cmd FROM pg_policies
WHERE schemaname = 'shegu' AND tablename IN ('incident', 'incident_event', 'grid_staff') ORDER BY 1, 2;
SELECT c.relname, c.reloptions FROM pg_class c
WHERE c.relnamespace = 'shegu'::regnamespace AND c.relkind = 'v'
  AND c.relname IN ('incident_supervision', 'incident_accountability', 'incident_measures',
                    'incident_masked', 'grid_staff_masked') ORDER BY 1;

-- Test people: a dispatcher, two grid workers, a township head, an analyst, an unmapped role.
INSERT INTO grid (code, name, kind) VALUES
    ('430528101', '金石镇', 'township'), ('430528101001', '城东社区', 'community'),
    ('430528101001001', '第1网格', 'basic'), ('430528101001002', '第2网格', 'basic'),
    ('430528102', '回龙寺镇', 'township'), ('430528102001', '白沙村', 'community');
CREATE ROLE regress_sec_centre NOLOGIN IN ROLE shegu_centre;
CREATE ROLE regress_sec_wang NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE regress_sec_li NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE regress_sec_head NOLOGIN IN ROLE shegu_grid_worker;
CREATE ROLE regress_sec_analyst NOLOGIN IN ROLE shegu_analyst;
CREATE ROLE regress_sec_nobody NOLOGIN IN ROLE shegu_grid_worker;
INSERT INTO grid_staff (code, person_name, role, phone, db_role, valid_from, valid_to) VALUES
    ('430528101001001', '王小明', 'grid_worker', '13812345678', 'regress_sec_wang', '2020-01-01', NULL),
    ('430528102001', '李四', 'grid_worker', '13987654321', 'regress_sec_li', '2020-01-01', NULL),
    ('430528101', '赵镇长', 'grid_head', '0739-1234567', 'regress_sec_head', '2020-01-01', NULL),
    ('430528101001002', '王小明', 'grid_worker', '13812345678', 'regress_sec_wang', '2020-01-01', '2021-01-01');
SET shegu.incident_clock = '2026-03-02 09:00+08';
INSERT INTO incident (category, title, source, grid, reporter, description, reported_at) VALUES
    ('environment.garbage', 'east 1', 'patrol', '430528101001001', '张三丰', '张三丰 13700001111 举报', '2026-03-02 08:00+08'),
    ('environment.garbage', 'east 2', 'hotline', '430528101001002', '钱五', NULL, '2026-03-02 08:10+08'),
    ('environment.garbage', 'baisha', 'resident', '430528102001', 'liu', NULL, '2026-03-02 08:20+08');
SELECT id AS east1 FROM incident WHERE title = 'east 1' \gset
SELECT id AS east2 FROM incident WHERE title = 'east 2' \gset
SELECT id AS baisha FROM incident WHERE title = 'baisha' \gset

-- 4. Grid scope: each worker sees the incidents, events and staff of his grids only; the head
--    of the township sees its whole subtree; an assignment that ended gives nothing.
SET ROLE regress_sec_wang;
SELECT shegu.grid_scope();
SELECT title, grid FROM incident ORDER BY id;
SELECT incident_id, action, actor FROM incident_event ORDER BY id;
SELECT person_name, code FROM grid_staff ORDER BY 1, 2;
SELECT title, status FROM incident_supervision ORDER BY id;
SELECT shegu.grid_scope('regress_sec_li');
RESET ROLE;
SET ROLE regress_sec_head;
SELECT title, grid FROM incident ORDER BY id;
RESET ROLE;
SET ROLE regress_sec_nobody;
SELECT count(*) AS incidents_seen FROM incident;
RESET ROLE;

-- 5. act(): a worker acts in his grid under his own name; not elsewhere, not as someone else;
--    a role that is neither centre nor staff is refused; the centre acts for anyone.
SET ROLE regress_sec_wang;
SELECT status FROM act(:east1, 'accept', '王小明');
SELECT status FROM act(:east1, 'dispatch', '张三');
SELECT status FROM act(:east2, 'accept', '王小明');
SELECT status FROM act(:baisha, 'accept', '王小明');
RESET ROLE;
SET ROLE regress_sec_nobody;
SELECT status FROM act(:east1, 'dispatch', 'nobody');
RESET ROLE;
SET ROLE regress_sec_analyst;
SELECT status FROM act(:east1, 'dispatch', 'analyst');
RESET ROLE;
SET ROLE regress_sec_centre;
SELECT status FROM act(:baisha, 'accept', '12345热线 operator 7');
SELECT status FROM act(:east2, 'accept', 'centre desk');
RESET ROLE;
SET ROLE regress_sec_head;
SELECT status FROM act(:east2, 'dispatch', '赵镇长', NULL, '{"level": "grid"}');
RESET ROLE;
-- the log names the role that acted, whatever actor says
SELECT incident_id, action, actor, db_role FROM incident_event WHERE action <> 'report' ORDER BY id;

-- 6. The log is written only by shegu: direct writes are refused by privilege, and by the
--    guard trigger for a role that was granted INSERT by mistake; events of missing incidents
--    are refused by the foreign key; the workflow columns change only through act().
SET ROLE regress_sec_centre;
INSERT INTO incident_event (incident_id, action, actor, at, to_status, to_level, db_role)
VALUES (:east1, 'close', 'forger', now(), 'closed', 'grid', 'regress_sec_centre');
UPDATE incident SET status = 'closed' WHERE id = :east1;
UPDATE incident SET title = 'east 1 (renamed)' WHERE id = :east1 RETURNING title;
DELETE FROM incident WHERE id = :east1;
TRUNCATE incident_event;
RESET ROLE;
GRANT INSERT ON incident_event TO regress_sec_centre;
SET ROLE regress_sec_centre;
INSERT INTO incident_event (incident_id, action, actor, at, to_status, to_level, db_role)
VALUES (:east1, 'close', 'forger', now(), 'closed', 'grid', 'regress_sec_centre');
RESET ROLE;
REVOKE INSERT ON incident_event FROM regress_sec_centre;
INSERT INTO incident_event (incident_id, action, actor, at, to_status, to_level, db_role)
VALUES (999999, 'close', 'forger', now(), 'closed', 'grid', 'postgres');
INSERT INTO incident_event (id, incident_id, action, actor, at, to_status, to_level, db_role)
VALUES (1, :east1, 'close', 'forger', now(), 'closed', 'grid', 'postgres');
UPDATE incident_event SET actor = 'someone else' WHERE incident_id = :east1;

-- 7. Request ids: a retry of the same role is answered without a second step; the same id
--    from another role is its own request (it cannot silence the first); the same id for
--    another action is an error.
SET ROLE regress_sec_centre;
SELECT status FROM act(:east1, 'supervise', 'centre desk', 'hurry', '{"request_id": "r-1"}');
RESET ROLE;
SET ROLE regress_sec_wang;
SELECT status FROM act(:east1, 'supervise', '王小明', 'on my way', '{"request_id": "r-1"}');
SELECT status FROM act(:east1, 'supervise', '王小明', 'on my way', '{"request_id": "r-1"}');
SELECT status FROM act(:east1, 'dispatch', '王小明', NULL, '{"request_id": "r-1"}');
RESET ROLE;
SELECT action, actor, db_role, request_id FROM incident_event
WHERE incident_id = :east1 AND request_id IS NOT NULL ORDER BY id;

-- 8. Reports by grid workers land only in their grids.
SET ROLE regress_sec_wang;
INSERT INTO incident (category, title, source, grid) VALUES ('environment.garbage', 'mine', 'patrol', '430528101001001')
RETURNING title, grid, status;
INSERT INTO incident (category, title, source, grid) VALUES ('environment.garbage', 'not mine', 'patrol', '430528102001');
SELECT title FROM report('environment.garbage', 'via report()', 'patrol', grid => '430528102001');
RESET ROLE;
SELECT db_role, actor FROM incident_event WHERE action = 'report' AND incident_id = (SELECT id FROM incident WHERE title = 'mine');

-- 9. Analysts: no incident rows, masked views and aggregates only.
SET ROLE regress_sec_analyst;
SELECT count(*) FROM incident;
SELECT count(*) FROM grid_staff;
SELECT count(*) FROM incident_supervision;
SELECT id = :east1 AS east1, grid, reporter, status FROM incident_masked ORDER BY id LIMIT 3;
SELECT code, role, person_name, phone FROM grid_staff_masked ORDER BY code, valid_from;
SELECT unit, received, accepted FROM incident_measures WHERE level = 4 ORDER BY unit;
SELECT * FROM incident_masked WHERE description IS NOT NULL;
RESET ROLE;
SELECT mask_name('张三丰'), mask_name('wang'), mask_name('x'), mask_name(''), mask_name(NULL),
       mask_phone('13812345678'), mask_phone('0739-1234567'), mask_phone('110'), mask_phone('1'), mask_phone(NULL);
-- workers and the centre do not get the masked views' owner rights around row-level security
SET ROLE regress_sec_wang;
SELECT count(*) FROM incident_masked;
SELECT count(*) FROM incident_measures;
RESET ROLE;

-- 10. New incidents: workflow columns, counters, explicit ids and future report times are refused.
INSERT INTO incident (category, title, source, grid, suspended_work) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', '1 hour');
INSERT INTO incident (category, title, source, grid, extension_total) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', '1 mon');
INSERT INTO incident (category, title, source, grid, escalations) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', 2);
INSERT INTO incident (category, title, source, grid, supervisions) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', -1);
INSERT INTO incident (id, category, title, source, grid) VALUES (424242, 'environment.garbage', 'x', 'patrol', '430528101001001');
INSERT INTO incident (category, title, source, grid, reported_at) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', '2026-03-02 09:00:01+08');
INSERT INTO incident (category, title, source, grid, reported_at) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', 'infinity');
INSERT INTO incident (category, title, source, grid, reported_at) VALUES ('environment.garbage', 'x', 'patrol', '430528101001001', '-infinity');
-- extensions in calendar months
SELECT status FROM act(:east1, 'request_extension', 'centre', NULL, '{"amount": "1 mon"}');
SELECT status FROM act(:east1, 'request_extension', 'centre', NULL, '{"amount": "1 mon -30 days"}');
-- points off the globe
SELECT locate(112.0, 110.0);
SELECT locate(-181.0, 26.0);
SELECT locate(ST_SetSRID(ST_MakePoint(26.0, 112.0), 4326));
SELECT locate(112.0, 90.0) IS NULL AS pole_is_in_no_grid;
-- coverage: NaN, negative and infinite slivers, and a NULL day
SELECT count(*) FROM coverage_problems(NULL, '2026-01-01', 'NaN');
SELECT count(*) FROM coverage_problems(NULL, '2026-01-01', -1);
SELECT count(*) FROM coverage_problems(NULL, '2026-01-01', 'Infinity');
SELECT count(*) FROM coverage_problems(NULL, NULL);
-- index: NaN and infinite veto thresholds, a NULL feed period, an unknown AHP node
INSERT INTO index_model (name, title) VALUES ('sec', 'sec');
INSERT INTO index_node (model, code, parent, veto_below) VALUES ('sec', 'R', NULL, 'NaN');
INSERT INTO index_node (model, code, parent, veto_above) VALUES ('sec', 'R', NULL, '-Infinity');
SELECT feed_index('sec', NULL);
SELECT * FROM apply_ahp_weights('sec', 'nope', '{a,b}', '{{1,1},{1,1}}');
SELECT aggregate_periods('sec', '2026-01-01', '2026-03-01', 'sec', NULL);
DELETE FROM index_model WHERE name = 'sec';
-- incidents: a sweep at no time, an unknown level of responsibility
SELECT sweep(NULL);
SELECT incident_unit('430528101001001', 'village');
SELECT incident_unit('430528101001001', 'community');

-- Clean up: the database, then the roles (cluster-wide).
\c :regress_db
DROP DATABASE regress_shegu_security;
DROP ROLE regress_sec_centre, regress_sec_wang, regress_sec_li, regress_sec_head, regress_sec_analyst, regress_sec_nobody;
