-- Dump and restore: the guard of shipped rows (an edit makes a shipped row the user's, so that
-- pg_dump keeps it; deleting, re-keying or marking rows shipped is refused) and the restore of
-- stored incidents by COPY.  The round trip itself is test/dump/run.sh.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS shegu;
RESET client_min_messages;
SET search_path = shegu, public;
SET timezone = 'Asia/Shanghai';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

BEGIN;
-- Every shipped row is shipped and kept out of the dump until it is edited.
SELECT 'workday_override' AS t, count(*) FILTER (WHERE shipped) AS shipped, count(*) FILTER (WHERE NOT shipped) AS users FROM workday_override
UNION ALL SELECT 'work_schedule', count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM work_schedule
UNION ALL SELECT 'incident_category', count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM incident_category
UNION ALL SELECT 'index_model', count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM index_model
UNION ALL SELECT 'index_node', count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM index_node
UNION ALL SELECT 'index_grade', count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM index_grade;

-- An edit of a shipped row makes it the user's; an UPDATE that changes nothing does not.
UPDATE workday_override SET name = name WHERE day = '2025-01-01' RETURNING day, name, shipped;
UPDATE workday_override SET name = '元旦 (local)' WHERE day = '2025-01-01' RETURNING day, name, shipped;
UPDATE incident_category SET dispose_limit = '3 days' WHERE code = 'environment.garbage'
RETURNING code, dispose_limit, shipped;
UPDATE work_schedule SET periods = '9:00-17:00' WHERE name = 'default' RETURNING name, periods, shipped;
UPDATE index_node SET weight = weight * 2 WHERE model = '社会治理指数' AND code = 'D1' RETURNING code, shipped;
-- ... and so is a row the user marks as no longer shipped, unchanged otherwise
UPDATE index_model SET shipped = false WHERE name = '社会治理指数' RETURNING name, shipped;
-- The user's rows are what pg_dump keeps (the filter pg_extension_config_dump registered).
SELECT c.relname, x.cond
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond) JOIN pg_class c ON c.oid = x.oid
WHERE e.extname = 'shegu' AND x.cond <> '' ORDER BY 1;
ROLLBACK;

-- Refused: deleting or re-keying a shipped row (a restore would bring the old row back), and
-- marking rows shipped (pg_dump would leave them out).
DELETE FROM workday_override WHERE day = '2025-10-01';
DELETE FROM index_model WHERE name = '社会治理指数';
UPDATE incident_category SET code = 'environment.trash' WHERE code = 'environment.garbage';
UPDATE workday_override SET day = '2025-01-02' WHERE day = '2025-01-01';
INSERT INTO work_schedule (name, periods, shipped) VALUES ('mine', '9:00-17:00', true);
BEGIN;
INSERT INTO work_schedule (name, periods) VALUES ('mine', '9:00-17:00');
UPDATE work_schedule SET shipped = true WHERE name = 'mine';
ROLLBACK;
-- User rows are the user's to delete and re-key.
BEGIN;
INSERT INTO workday_override (day, is_workday, name) VALUES ('2027-01-01', false, '元旦 New Year');
UPDATE workday_override SET day = '2027-01-02' WHERE day = '2027-01-01' RETURNING day, shipped;
DELETE FROM workday_override WHERE day = '2027-01-02' RETURNING day;
ROLLBACK;
-- An INSERT with the key of a shipped row is an error as before (only a restore writes over it).
INSERT INTO workday_override (day, is_workday, name) VALUES ('2025-01-01', true, 'mine');

-- A COPY of stored incidents (what a restore does) takes them as they are and logs no report
-- event: their events come back with shegu.incident_event's data.  A COPY of new reports (no
-- state_since) goes through the workflow and logs them.  One COPY cannot mix both.
BEGIN;
INSERT INTO grid (code, name, kind) VALUES ('430528101002003', 'g', 'basic') ON CONFLICT DO NOTHING;
COPY incident (id, category, title, grid, source, reported_at, status, level, accepted_at, accept_due_at, due_at, level_due_at, yellow_at, light, state_since) FROM stdin;
900	environment.garbage	stored	430528101002003	patrol	2026-03-02 08:10:00+08	accepted	grid	2026-03-02 09:00:00+08	2026-03-02 10:10:00+08	2026-03-03 09:00:00+08	2026-03-03 09:00:00+08	2026-03-03 08:00:00+08	green	2026-03-02 09:00:00+08
\.
SELECT id, status, accepted_at, due_at, light, state_since FROM incident WHERE id = 900;
SELECT count(*) AS events_of_900 FROM incident_event WHERE incident_id = 900;
COPY incident (id, category, title, grid, source, reported_at) FROM stdin;
901	environment.garbage	new	430528101002003	patrol	2026-03-02 08:10:00+08
\.
SELECT id, status, accept_due_at FROM incident WHERE id = 901;
SELECT incident_id, action, to_status FROM incident_event WHERE incident_id = 901;
SAVEPOINT mixed;
COPY incident (id, category, title, grid, source, reported_at, status, level, accept_due_at, state_since) FROM stdin;
902	environment.garbage	stored	430528101002003	patrol	2026-03-02 08:10:00+08	reported	grid	2026-03-02 10:10:00+08	2026-03-02 08:10:00+08
903	environment.garbage	new	430528101002003	patrol	2026-03-02 08:10:00+08	\N	\N	\N	\N
\.
ROLLBACK TO SAVEPOINT mixed;
-- An INSERT (not a restore) is still refused the workflow columns.
INSERT INTO incident (category, title, grid, source, reported_at, status, level, accept_due_at, state_since)
VALUES ('environment.garbage', 'forged', '430528101002003', 'patrol', '2026-03-02 08:10+08', 'closed', 'grid', '2026-03-02 10:10+08', '2026-03-02 08:10+08');
ROLLBACK;

-- A role that neither is a superuser nor owns the table or the database gets no restore: its
-- COPY of a stored incident is refused like an INSERT (it bypasses row security, so that the
-- COPY reaches the trigger).
CREATE ROLE shegu_restore_clerk BYPASSRLS;
GRANT USAGE ON SCHEMA shegu TO shegu_restore_clerk;
GRANT SELECT, INSERT ON shegu.incident, shegu.incident_event, shegu.grid TO shegu_restore_clerk;
BEGIN;
INSERT INTO grid (code, name, kind) VALUES ('430528101002003', 'g', 'basic') ON CONFLICT DO NOTHING;
SET LOCAL ROLE shegu_restore_clerk;
COPY incident (id, category, title, grid, source, reported_at, status, level, accept_due_at, state_since) FROM stdin;
904	environment.garbage	stored	430528101002003	patrol	2026-03-02 08:10:00+08	closed	grid	2026-03-02 10:10:00+08	2026-03-02 08:10:00+08
\.
ROLLBACK;
DROP OWNED BY shegu_restore_clerk;
DROP ROLE shegu_restore_clerk;

-- The trigger function refuses to be called otherwise.
SELECT shipped_row_guard();
