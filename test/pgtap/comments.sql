-- pgTAP: every SQL object of extension shegu has a COMMENT (analysts read them in BI tools).
-- test/pgtap/comments.sql
--
-- One test per category lists the uncommented objects by name in its diagnostics ("have:"), in
-- the form a COMMENT ON statement takes. Members are what pg_depend records as belonging to the
-- extension (deptype 'e'); columns, constraints, indexes and non-internal triggers are checked
-- on every member table and view. Array types and the row types of tables are skipped (they are
-- created with their element type or table and cannot carry a comment of their own that BI tools
-- show). A canary at the end adds uncommented objects of every category to the extension and
-- checks that each test finds exactly them, then comments them and checks that they disappear.
BEGIN;
SET LOCAL search_path = public;
SELECT plan(26);

CREATE TEMP VIEW member AS
SELECT d.classid, d.objid
FROM pg_catalog.pg_depend d
WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
  AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'shegu')
  AND d.deptype = 'e';

-- Member tables, views, materialised views and foreign tables, whose parts are checked.
CREATE TEMP VIEW member_relation AS
SELECT c.oid, c.relname
FROM pg_catalog.pg_class c JOIN member m ON m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f');

CREATE TEMP VIEW uncommented (category, name) AS
SELECT 'relation', c.oid::regclass::text
FROM pg_catalog.pg_class c JOIN member m ON m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid
WHERE pg_catalog.obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column', format('%s.%I', a.attrelid::regclass, a.attname)
FROM pg_catalog.pg_attribute a JOIN member_relation r ON r.oid = a.attrelid
WHERE a.attnum > 0 AND NOT a.attisdropped AND pg_catalog.col_description(a.attrelid, a.attnum) IS NULL
UNION ALL
SELECT 'constraint', format('%I ON %s', k.conname, k.conrelid::regclass)
FROM pg_catalog.pg_constraint k JOIN member_relation r ON r.oid = k.conrelid
WHERE pg_catalog.obj_description(k.oid, 'pg_constraint') IS NULL
UNION ALL
SELECT 'index', i.indexrelid::regclass::text
FROM pg_catalog.pg_index i JOIN member_relation r ON r.oid = i.indrelid
WHERE pg_catalog.obj_description(i.indexrelid, 'pg_class') IS NULL
UNION ALL
SELECT 'trigger', format('%I ON %s', t.tgname, t.tgrelid::regclass)
FROM pg_catalog.pg_trigger t JOIN member_relation r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal AND pg_catalog.obj_description(t.oid, 'pg_trigger') IS NULL
UNION ALL
SELECT 'function', format('%s %s', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                          p.oid::regprocedure)
FROM pg_catalog.pg_proc p JOIN member m ON m.classid = 'pg_catalog.pg_proc'::regclass AND m.objid = p.oid
WHERE pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'type', t.oid::regtype::text
FROM pg_catalog.pg_type t JOIN member m ON m.classid = 'pg_catalog.pg_type'::regclass AND m.objid = t.oid
WHERE pg_catalog.obj_description(t.oid, 'pg_type') IS NULL
  AND t.typcategory <> 'A'                                             -- array types
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c                  -- row types of relations
                  WHERE c.oid = t.typrelid AND c.relkind <> 'c')
UNION ALL
SELECT 'operator', o.oid::regoperator::text
FROM pg_catalog.pg_operator o JOIN member m ON m.classid = 'pg_catalog.pg_operator'::regclass AND m.objid = o.oid
WHERE pg_catalog.obj_description(o.oid, 'pg_operator') IS NULL
UNION ALL
SELECT 'operator class', format('%I.%I USING %s', n.nspname, o.opcname, a.amname)
FROM pg_catalog.pg_opclass o JOIN member m ON m.classid = 'pg_catalog.pg_opclass'::regclass AND m.objid = o.oid
JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace JOIN pg_catalog.pg_am a ON a.oid = o.opcmethod
WHERE pg_catalog.obj_description(o.oid, 'pg_opclass') IS NULL
UNION ALL
SELECT 'operator family', format('%I.%I USING %s', n.nspname, o.opfname, a.amname)
FROM pg_catalog.pg_opfamily o JOIN member m ON m.classid = 'pg_catalog.pg_opfamily'::regclass AND m.objid = o.oid
JOIN pg_catalog.pg_namespace n ON n.oid = o.opfnamespace JOIN pg_catalog.pg_am a ON a.oid = o.opfmethod
WHERE pg_catalog.obj_description(o.oid, 'pg_opfamily') IS NULL
UNION ALL
SELECT 'cast', format('(%s AS %s)', k.castsource::regtype, k.casttarget::regtype)
FROM pg_catalog.pg_cast k JOIN member m ON m.classid = 'pg_catalog.pg_cast'::regclass AND m.objid = k.oid
WHERE pg_catalog.obj_description(k.oid, 'pg_cast') IS NULL
UNION ALL
-- any other kind of member (text search objects, event triggers, ...): described generically
SELECT 'other', pg_catalog.pg_describe_object(m.classid, m.objid, 0)
FROM member m
WHERE m.classid NOT IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_type'::regclass,
                        'pg_catalog.pg_operator'::regclass, 'pg_catalog.pg_opclass'::regclass,
                        'pg_catalog.pg_opfamily'::regclass, 'pg_catalog.pg_cast'::regclass)
  AND pg_catalog.obj_description(m.objid, m.classid::regclass::text::name) IS NULL;

CREATE TEMP VIEW category (category, what) AS VALUES
    ('relation', 'table, view and sequence'), ('column', 'column of a table or view'),
    ('constraint', 'constraint of a table'), ('index', 'index of a table'),
    ('trigger', 'trigger of a table'), ('function', 'function, procedure and aggregate'),
    ('type', 'type'), ('operator', 'operator'), ('operator class', 'operator class'),
    ('operator family', 'operator family'), ('cast', 'cast'), ('other', 'other member');

-- The suite looks at the installed extension, not at an empty set.
SELECT ok((SELECT count(*) FILTER (WHERE classid = 'pg_catalog.pg_class'::regclass) > 10
              AND count(*) FILTER (WHERE classid = 'pg_catalog.pg_proc'::regclass) > 50
              AND count(*) FILTER (WHERE classid = 'pg_catalog.pg_type'::regclass) > 0
              AND count(*) FILTER (WHERE classid = 'pg_catalog.pg_operator'::regclass) > 0
              AND count(*) FILTER (WHERE classid = 'pg_catalog.pg_opclass'::regclass) > 0
           FROM member),
          'extension shegu has relations, functions, types, operators and operator classes');

-- ==== the extension as installed: one test per category ====
SELECT is(ARRAY(SELECT u.name FROM uncommented u WHERE u.category = c.category ORDER BY u.name COLLATE "C"),
          '{}'::text[], format('every %s of extension shegu has a comment', c.what))
FROM category c ORDER BY c.category;

-- ==== canary: each test finds an uncommented object of its category, and only that ====
CREATE TEMP TABLE before AS SELECT * FROM uncommented;

CREATE TABLE shegu.comments_canary (id int CONSTRAINT comments_canary_pkey PRIMARY KEY,
                                    v int CONSTRAINT comments_canary_v_check CHECK (v > 0));
CREATE INDEX comments_canary_v_idx ON shegu.comments_canary (v);
CREATE SEQUENCE shegu.comments_canary_seq;
CREATE VIEW shegu.comments_canary_view AS SELECT id FROM shegu.comments_canary;
CREATE FUNCTION shegu.comments_canary_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER comments_canary_trigger BEFORE INSERT ON shegu.comments_canary
    FOR EACH ROW EXECUTE FUNCTION shegu.comments_canary_trigger();
CREATE TYPE shegu.comments_canary_kind AS ENUM ('a');
CREATE OPERATOR shegu.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
CREATE OPERATOR CLASS shegu.comments_canary_ops FOR TYPE int USING hash AS
    OPERATOR 1 =, FUNCTION 1 hashint4(int);
CREATE CAST (shegu.comments_canary_kind AS int) WITH INOUT;
CREATE TEXT SEARCH CONFIGURATION shegu.comments_canary (COPY = pg_catalog.simple);
ALTER EXTENSION shegu ADD TABLE shegu.comments_canary;
ALTER EXTENSION shegu ADD SEQUENCE shegu.comments_canary_seq;
ALTER EXTENSION shegu ADD VIEW shegu.comments_canary_view;
ALTER EXTENSION shegu ADD FUNCTION shegu.comments_canary_trigger();
ALTER EXTENSION shegu ADD TYPE shegu.comments_canary_kind;
ALTER EXTENSION shegu ADD OPERATOR shegu.=== (int, int);
ALTER EXTENSION shegu ADD OPERATOR CLASS shegu.comments_canary_ops USING hash;
ALTER EXTENSION shegu ADD OPERATOR FAMILY shegu.comments_canary_ops USING hash;
ALTER EXTENSION shegu ADD CAST (shegu.comments_canary_kind AS int);
ALTER EXTENSION shegu ADD TEXT SEARCH CONFIGURATION shegu.comments_canary;

CREATE TEMP VIEW canary_found AS
SELECT category, name FROM uncommented EXCEPT SELECT category, name FROM before;

SELECT is(ARRAY(SELECT f.name FROM canary_found f WHERE f.category = c.category ORDER BY f.name COLLATE "C"),
          c.expected, format('the %s test finds the uncommented canary', c.category))
FROM (VALUES
    ('relation', '{shegu.comments_canary,shegu.comments_canary_seq,shegu.comments_canary_view}'::text[]),
    ('column', '{shegu.comments_canary.id,shegu.comments_canary.v,shegu.comments_canary_view.id}'),
    ('constraint', '{"comments_canary_pkey ON shegu.comments_canary","comments_canary_v_check ON shegu.comments_canary"}'),
    ('index', '{shegu.comments_canary_pkey,shegu.comments_canary_v_idx}'),
    ('trigger', '{"comments_canary_trigger ON shegu.comments_canary"}'),
    ('function', '{"FUNCTION shegu.comments_canary_trigger()"}'),
    ('type', '{shegu.comments_canary_kind}'),
    ('operator', '{"shegu.===(integer,integer)"}'),
    ('operator class', '{"shegu.comments_canary_ops USING hash"}'),
    ('operator family', '{"shegu.comments_canary_ops USING hash"}'),
    ('cast', '{"(shegu.comments_canary_kind AS integer)"}'),
    ('other', '{"text search configuration shegu.comments_canary"}')
) AS c (category, expected)
ORDER BY c.category;

COMMENT ON TABLE shegu.comments_canary IS 'canary';
COMMENT ON COLUMN shegu.comments_canary.id IS 'canary';
COMMENT ON COLUMN shegu.comments_canary.v IS 'canary';
COMMENT ON CONSTRAINT comments_canary_pkey ON shegu.comments_canary IS 'canary';
COMMENT ON CONSTRAINT comments_canary_v_check ON shegu.comments_canary IS 'canary';
COMMENT ON INDEX shegu.comments_canary_pkey IS 'canary';
COMMENT ON INDEX shegu.comments_canary_v_idx IS 'canary';
COMMENT ON SEQUENCE shegu.comments_canary_seq IS 'canary';
COMMENT ON VIEW shegu.comments_canary_view IS 'canary';
COMMENT ON COLUMN shegu.comments_canary_view.id IS 'canary';
COMMENT ON FUNCTION shegu.comments_canary_trigger() IS 'canary';
COMMENT ON TRIGGER comments_canary_trigger ON shegu.comments_canary IS 'canary';
COMMENT ON TYPE shegu.comments_canary_kind IS 'canary';
COMMENT ON OPERATOR shegu.=== (int, int) IS 'canary';
COMMENT ON OPERATOR CLASS shegu.comments_canary_ops USING hash IS 'canary';
COMMENT ON OPERATOR FAMILY shegu.comments_canary_ops USING hash IS 'canary';
COMMENT ON CAST (shegu.comments_canary_kind AS int) IS 'canary';
COMMENT ON TEXT SEARCH CONFIGURATION shegu.comments_canary IS 'canary';
SELECT is(ARRAY(SELECT f.category || ': ' || f.name FROM canary_found f ORDER BY f.category || ': ' || f.name COLLATE "C"), '{}'::text[],
          'commented, the canary objects are found by no test');

SELECT * FROM finish();
ROLLBACK;
