-- pgTAP: the per-session cache of division names (shegu.division) across sessions, commits,
-- rollbacks and a failed load. test/pgtap/gridcode_sessions.sql — commits through dblink and
-- removes what it adds at the end.
SET search_path = shegu, public;
SELECT plan(18);

SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              trim(split_part(current_setting('unix_socket_directories'), ',', 1)),
              current_setting('port'), current_user) AS conninfo \gset
SELECT is(dblink_connect('gc_reader', :'conninfo'), 'OK', 'reader session connected');
SELECT is(dblink_connect('gc_writer', :'conninfo'), 'OK', 'writer session connected');

-- The reader caches a miss (not loaded), then sees what the writer commits.
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT coalesce(shegu.division_path('460400100'), '-')$$) AS t(v text)),
          '46/4604/460400100', 'reader: nothing loaded, the path shows codes');
SELECT is((SELECT v FROM dblink('gc_writer', $$SELECT row(inserted, updated, unchanged)::text FROM shegu.load_divisions(E'460000000000,海南省,0\n460400000000,儋州市,460000000000')$$) AS t(v text)),
          '(2,0,0)', 'writer loads 海南省 and 儋州市');
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT shegu.division_path('460400100')$$) AS t(v text)),
          '海南省/儋州市/460400100', 'reader sees the committed names at once');
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT shegu.division_name('4604')$$) AS t(v text)),
          '儋州市', 'division_name too');

-- Uncommitted changes: the writer sees its own, the reader does not; a rollback forgets them.
SELECT is(dblink_exec('gc_writer', 'BEGIN'), 'BEGIN', 'writer opens a transaction');
SELECT is((SELECT v FROM dblink('gc_writer', $$SELECT row(inserted, updated, unchanged)::text FROM shegu.load_divisions('460400000000,儋州,460000000000')$$) AS t(v text)),
          '(0,1,0)', 'writer renames 儋州市 without committing');
SELECT is((SELECT v FROM dblink('gc_writer', $$SELECT shegu.division_name('4604')$$) AS t(v text)),
          '儋州', 'writer sees its own rename');
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT shegu.division_name('4604')$$) AS t(v text)),
          '儋州市', 'reader does not see an uncommitted rename');
SELECT is(dblink_exec('gc_writer', 'ROLLBACK'), 'ROLLBACK', 'writer rolls back');
SELECT is((SELECT v FROM dblink('gc_writer', $$SELECT shegu.division_name('4604')$$) AS t(v text)),
          '儋州市', 'after ROLLBACK the writer''s cache forgets the rename');

-- A failed load writes nothing and leaves every cache right.
SELECT throws_ok($$SELECT * FROM shegu.load_divisions(E'460400000000,儋州,460000000000\n460400100000,那大镇,460000000000')$$,
                 '22023', NULL, 'a list with a wrong parent is refused');
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT shegu.division_path('460400100', ' > ')$$) AS t(v text)),
          '海南省 > 儋州市 > 460400100', 'reader still has the committed names');

-- Clean up what was committed.
SELECT is(dblink_exec('gc_writer', $$DELETE FROM shegu.division WHERE code OPERATOR(shegu.<@) '46'$$),
          'DELETE 2', 'writer removes its divisions');
SELECT is((SELECT v FROM dblink('gc_reader', $$SELECT coalesce(shegu.division_name('4604'), '-') || ' ' || shegu.division_path('460400100')$$) AS t(v text)),
          '- 46/4604/460400100', 'reader sees the delete');
SELECT is(dblink_disconnect('gc_reader'), 'OK', 'reader disconnected');
SELECT is(dblink_disconnect('gc_writer'), 'OK', 'writer disconnected');

SELECT * FROM finish();
