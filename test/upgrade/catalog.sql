-- The catalog of extension shegu, one line per aspect of every object: "object<TAB>aspect<TAB>
-- definition", newlines of definitions written as the control character RS (\x1e), no OIDs,
-- sorted; run with search_path = pg_catalog so that every name outside it is qualified.  Two databases whose
-- shegu was installed differently (CREATE EXTENSION at a version, or an older version and ALTER
-- EXTENSION UPDATE) must print the same lines.  test/upgrade/catalog.sql — run by
-- test/upgrade/run.sh (psql -At); tools/catalog-diff.sh compares two databases with it.
WITH ext AS (
    SELECT e.oid, e.extnamespace AS nsp FROM pg_catalog.pg_extension e WHERE e.extname = 'shegu'
), member AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d, ext
    WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rel AS (          -- every relation of schema shegu, member or not
    SELECT c.oid, c.relname, c.relkind, format('%s %s', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table'
               WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
               WHEN 'c' THEN 'type' WHEN 'f' THEN 'foreign table' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index'
               ELSE 'relation ' || c.relkind::text END, c.oid::pg_catalog.regclass) AS obj
    FROM pg_catalog.pg_class c, ext WHERE c.relnamespace = ext.nsp
), fn AS (
    SELECT p.oid, p.prokind, 'function ' || p.oid::pg_catalog.regprocedure::text AS obj
    FROM pg_catalog.pg_proc p, ext WHERE p.pronamespace = ext.nsp
), lines (obj, aspect, def) AS (
    -- the extension itself and what pg_dump keeps of its tables
    SELECT 'extension shegu', 'schema', e.extnamespace::pg_catalog.regnamespace::text || ' relocatable ' || e.extrelocatable
    FROM pg_catalog.pg_extension e WHERE e.extname = 'shegu'
    UNION ALL
    SELECT 'extension shegu', 'config dump ' || c.oid::pg_catalog.regclass::text, coalesce(x.cond, '')
    FROM pg_catalog.pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond)
    JOIN pg_catalog.pg_class c ON c.oid = x.oid WHERE e.extname = 'shegu'
    UNION ALL
    -- every member, named
    SELECT 'extension shegu', 'member ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0), 'member'
    FROM member m
    UNION ALL
    SELECT 'schema shegu', 'acl', coalesce(n.nspacl::text, 'default') || ' owner ' || pg_catalog.pg_get_userbyid(n.nspowner)
    FROM pg_catalog.pg_namespace n, ext WHERE n.oid = ext.nsp
    UNION ALL
    SELECT 'schema shegu', 'comment', coalesce(pg_catalog.obj_description(ext.nsp, 'pg_namespace'), '(none)') FROM ext
    UNION ALL
    -- functions, procedures, aggregates
    SELECT fn.obj, 'definition', pg_catalog.pg_get_functiondef(fn.oid) FROM fn WHERE fn.prokind <> 'a'
    UNION ALL
    SELECT fn.obj, 'aggregate', format('kind %s direct %s sfunc %s stype %s sspace %s finalfunc %s finalextra %s finalmodify %s combinefunc %s serialfunc %s deserialfunc %s msfunc %s minvfunc %s mstype %s mfinalfunc %s sortop %s initcond %s minitcond %s parallel %s',
               a.aggkind, a.aggnumdirectargs, a.aggtransfn::regprocedure, a.aggtranstype::pg_catalog.regtype, a.aggtransspace,
               nullif(a.aggfinalfn, 0)::regprocedure, a.aggfinalextra, a.aggfinalmodify, nullif(a.aggcombinefn, 0)::regprocedure,
               nullif(a.aggserialfn, 0)::regprocedure, nullif(a.aggdeserialfn, 0)::regprocedure, nullif(a.aggmtransfn, 0)::regprocedure,
               nullif(a.aggminvtransfn, 0)::regprocedure, nullif(a.aggmtranstype, 0)::pg_catalog.regtype, nullif(a.aggmfinalfn, 0)::regprocedure,
               nullif(a.aggsortop, 0)::pg_catalog.regoperator, a.agginitval, a.aggminitval, p.proparallel)
    FROM fn JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = fn.oid JOIN pg_catalog.pg_proc p ON p.oid = fn.oid
    UNION ALL
    SELECT fn.obj, 'acl', coalesce(p.proacl::text, 'default') || ' owner ' || pg_catalog.pg_get_userbyid(p.proowner)
    FROM fn JOIN pg_catalog.pg_proc p ON p.oid = fn.oid
    UNION ALL
    SELECT fn.obj, 'comment', coalesce(pg_catalog.obj_description(fn.oid, 'pg_proc'), '(none)') FROM fn
    UNION ALL
    -- relations: kind and options, columns, constraints, indexes, triggers, policies, rules, views
    SELECT rel.obj, 'relation', format('persistence %s rowsecurity %s force %s options %s acl %s owner %s',
               c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, coalesce(c.relacl::text, 'default'),
               pg_catalog.pg_get_userbyid(c.relowner))
    FROM rel JOIN pg_catalog.pg_class c ON c.oid = rel.oid
    UNION ALL
    SELECT rel.obj, 'comment', coalesce(pg_catalog.obj_description(rel.oid, 'pg_class'), '(none)') FROM rel
    UNION ALL
    SELECT rel.obj, 'column ' || a.attname,
           format('position %s type %s not null %s default %s identity %s generated %s collation %s acl %s comment %s',
                  row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                  pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_catalog.pg_get_expr(d.adbin, d.adrelid), nullif(a.attidentity, ''), nullif(a.attgenerated, ''),
                  CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::pg_catalog.regcollation::text END,
                  a.attacl, pg_catalog.col_description(a.attrelid, a.attnum))
    FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE rel.relkind <> 'i' AND rel.relkind <> 'I'
    UNION ALL
    SELECT rel.obj, 'constraint ' || k.conname,
           pg_catalog.pg_get_constraintdef(k.oid) || ' -- ' || coalesce(pg_catalog.obj_description(k.oid, 'pg_constraint'), '(no comment)')
    FROM rel JOIN pg_catalog.pg_constraint k ON k.conrelid = rel.oid
    UNION ALL
    SELECT rel.obj, 'definition', pg_catalog.pg_get_indexdef(rel.oid) FROM rel WHERE rel.relkind IN ('i', 'I')
    UNION ALL
    SELECT rel.obj, 'trigger ' || g.tgname,
           pg_catalog.pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text || ' -- ' || coalesce(pg_catalog.obj_description(g.oid, 'pg_trigger'), '(no comment)')
    FROM rel JOIN pg_catalog.pg_trigger g ON g.tgrelid = rel.oid AND NOT g.tgisinternal
    UNION ALL
    SELECT rel.obj, 'policy ' || p.polname,
           format('%s %s to %s using %s with check %s -- %s', p.polcmd, CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
                  (SELECT string_agg(CASE r WHEN 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END, ',' ORDER BY 1) FROM unnest(p.polroles) AS r),
                  pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
                  coalesce(pg_catalog.obj_description(p.oid, 'pg_policy'), '(no comment)'))
    FROM rel JOIN pg_catalog.pg_policy p ON p.polrelid = rel.oid
    UNION ALL
    SELECT rel.obj, 'rule ' || r.rulename, pg_catalog.pg_get_ruledef(r.oid)
    FROM rel JOIN pg_catalog.pg_rewrite r ON r.ev_class = rel.oid WHERE r.rulename <> '_RETURN'
    UNION ALL
    SELECT rel.obj, 'view', pg_catalog.pg_get_viewdef(rel.oid) FROM rel WHERE rel.relkind IN ('v', 'm')
    UNION ALL
    SELECT rel.obj, 'sequence', format('type %s start %s increment %s min %s max %s cache %s cycle %s owned by %s',
               s.seqtypid::pg_catalog.regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
               (SELECT string_agg(d.refobjid::pg_catalog.regclass::text || '.' || a.attname || ' ' || d.deptype::text, ',')
                FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = rel.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
                  AND d.deptype IN ('a', 'i')))
    FROM rel JOIN pg_catalog.pg_sequence s ON s.seqrelid = rel.oid
    UNION ALL
    -- types (not the row types of relations, not arrays), domains' constraints, enums' labels
    SELECT 'type ' || t.oid::pg_catalog.regtype::text, 'definition',
           format('type %s len %s byval %s align %s storage %s category %s preferred %s input %s output %s receive %s send %s typmodin %s typmodout %s analyze %s subscript %s element %s delimiter %s base %s not null %s default %s collation %s acl %s owner %s',
                  t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred,
                  t.typinput::regprocedure, t.typoutput::regprocedure, nullif(t.typreceive, 0)::regprocedure, nullif(t.typsend, 0)::regprocedure,
                  nullif(t.typmodin, 0)::regprocedure, nullif(t.typmodout, 0)::regprocedure, nullif(t.typanalyze, 0)::regprocedure,
                  nullif(t.typsubscript, 0)::regprocedure, nullif(t.typelem, 0)::pg_catalog.regtype, t.typdelim,
                  nullif(t.typbasetype, 0)::pg_catalog.regtype, t.typnotnull, t.typdefault, nullif(t.typcollation, 0),
                  t.typacl, pg_catalog.pg_get_userbyid(t.typowner))
    FROM pg_catalog.pg_type t, ext
    WHERE t.typnamespace = ext.nsp
      AND NOT (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) <> 'c')
      AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
    UNION ALL
    SELECT 'type ' || t.oid::pg_catalog.regtype::text, 'comment', coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), '(none)')
    FROM pg_catalog.pg_type t, ext
    WHERE t.typnamespace = ext.nsp
      AND NOT (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) <> 'c')
      AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
    UNION ALL
    SELECT 'type ' || t.oid::pg_catalog.regtype::text, 'constraint ' || k.conname, pg_catalog.pg_get_constraintdef(k.oid)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_constraint k ON k.contypid = t.oid, ext WHERE t.typnamespace = ext.nsp
    UNION ALL
    SELECT 'type ' || t.oid::pg_catalog.regtype::text, 'enum labels', string_agg(l.enumlabel, ',' ORDER BY l.enumsortorder)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum l ON l.enumtypid = t.oid, ext WHERE t.typnamespace = ext.nsp
    GROUP BY t.oid
    UNION ALL
    -- operators
    SELECT 'operator ' || o.oid::pg_catalog.regoperator::text, 'definition',
           format('kind %s merges %s hashes %s result %s function %s commutator %s negator %s restrict %s join %s -- %s',
                  o.oprkind, o.oprcanmerge, o.oprcanhash, o.oprresult::pg_catalog.regtype, o.oprcode::regprocedure,
                  nullif(o.oprcom, 0)::pg_catalog.regoperator, nullif(o.oprnegate, 0)::pg_catalog.regoperator,
                  nullif(o.oprrest, 0)::regprocedure, nullif(o.oprjoin, 0)::regprocedure,
                  coalesce(pg_catalog.obj_description(o.oid, 'pg_operator'), '(no comment)'))
    FROM pg_catalog.pg_operator o, ext WHERE o.oprnamespace = ext.nsp
    UNION ALL
    -- operator classes and families with their members
    SELECT format('operator class %s using %s', c.opcname, am.amname), 'definition',
           format('for %s default %s storage %s family %s -- %s', c.opcintype::pg_catalog.regtype, c.opcdefault,
                  nullif(c.opckeytype, 0)::pg_catalog.regtype, f.opfname, coalesce(pg_catalog.obj_description(c.oid, 'pg_opclass'), '(no comment)'))
    FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
    JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily, ext WHERE c.opcnamespace = ext.nsp
    UNION ALL
    SELECT format('operator family %s using %s', f.opfname, am.amname), 'comment',
           coalesce(pg_catalog.obj_description(f.oid, 'pg_opfamily'), '(none)')
    FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod, ext WHERE f.opfnamespace = ext.nsp
    UNION ALL
    SELECT format('operator family %s using %s', f.opfname, am.amname),
           format('operator %s (%s, %s)', o.amopstrategy, o.amoplefttype::pg_catalog.regtype, o.amoprighttype::pg_catalog.regtype),
           format('%s purpose %s sortfamily %s', o.amopopr::pg_catalog.regoperator, o.amoppurpose, nullif(o.amopsortfamily, 0))
    FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_opfamily f ON f.oid = o.amopfamily
    JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod, ext WHERE f.opfnamespace = ext.nsp
    UNION ALL
    SELECT format('operator family %s using %s', f.opfname, am.amname),
           format('function %s (%s, %s)', p.amprocnum, p.amproclefttype::pg_catalog.regtype, p.amprocrighttype::pg_catalog.regtype),
           p.amproc::regprocedure::text
    FROM pg_catalog.pg_amproc p JOIN pg_catalog.pg_opfamily f ON f.oid = p.amprocfamily
    JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod, ext WHERE f.opfnamespace = ext.nsp
    UNION ALL
    -- casts that are members
    SELECT format('cast (%s as %s)', c.castsource::pg_catalog.regtype, c.casttarget::pg_catalog.regtype), 'definition',
           format('function %s context %s method %s -- %s', nullif(c.castfunc, 0)::regprocedure, c.castcontext, c.castmethod,
                  coalesce(pg_catalog.obj_description(c.oid, 'pg_cast'), '(no comment)'))
    FROM pg_catalog.pg_cast c JOIN member m ON m.classid = 'pg_catalog.pg_cast'::regclass AND m.objid = c.oid
)
SELECT obj || E'\t' || aspect || E'\t' || replace(coalesce(def, '(null)'), E'\n', E'\x1e')
FROM lines ORDER BY 1;
