#!/usr/bin/env bash
# Benchmark of the grid-code hot paths against the natural baseline — the same codes kept as
# text with a text_pattern_ops index — in one run on one server: subtree counts ("everything
# under this township"), roll-up by level, and size.  bench/gridcode.sh [number of codes]
source "$(dirname "$0")/../tools/lib.sh"
SHEGU_RUN_DIR=${SHEGU_BENCH_RUN_DIR:-$SHEGU_TOP/.run-bench}
SHEGU_PORT=${SHEGU_BENCH_PORT:-54399}
N=${1:-2000000}

install_packages
build_install
start_server
run_psql -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
run_psql -v n="$N" <<'SQL'
\pset footer off
SET search_path = shegu, public;
SET max_parallel_workers_per_gather = 0;   -- single core, as the issue measures
-- n micro-grids spread over 30 townships x 40 communities x 30 grids x m micro-grids
CREATE TABLE codes AS
SELECT c AS code, c::text AS code_text
FROM (SELECT (430528000000000000 + (101 + i % 30) * 1000000000 + (1 + i / 30 % 40) * 1000000
              + (1 + i / 1200 % 30) * 1000 + (1 + i / 36000))::bigint::gridcode AS c
      FROM generate_series(0::bigint, :n - 1) AS i) s;
CREATE INDEX ON codes (code);
CREATE INDEX ON codes (code_text text_pattern_ops);
VACUUM ANALYZE codes;

-- Milliseconds per execution of a query, best of 3 rounds of reps executions.
CREATE FUNCTION pg_temp.time_ms(q text, reps int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE best float8 := 'Infinity'; t0 timestamptz;
BEGIN
    FOR round IN 1..3 LOOP
        t0 := clock_timestamp();
        FOR i IN 1..reps LOOP EXECUTE q; END LOOP;
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000 / reps);
    END LOOP;
    RETURN best;
END $$;

-- Both forms must agree before anything is timed.
SELECT CASE WHEN (SELECT count(*) FROM codes WHERE code <@ '430528117023')
              = (SELECT count(*) FROM codes WHERE code_text LIKE '430528117023%')
            AND (SELECT count(DISTINCT ancestor(code, 4)) FROM codes)
              = (SELECT count(DISTINCT left(code_text, 9)) FROM codes)
       THEN 'answers agree' ELSE 'ANSWERS DIFFER' END AS check;

WITH t AS (
    SELECT 'subtree count, one community (~1/1200 of rows)' AS what,
           pg_temp.time_ms($q$SELECT count(*) FROM shegu.codes WHERE code OPERATOR(shegu.<@) '430528117023'$q$, 200) AS shegu_ms,
           pg_temp.time_ms($q$SELECT count(*) FROM shegu.codes WHERE code_text LIKE '430528117023%'$q$, 200) AS baseline_ms
    UNION ALL
    SELECT 'subtree count, one township (~1/30 of rows)',
           pg_temp.time_ms($q$SELECT count(*) FROM shegu.codes WHERE code OPERATOR(shegu.<@) '430528117'$q$, 10),
           pg_temp.time_ms($q$SELECT count(*) FROM shegu.codes WHERE code_text LIKE '430528117%'$q$, 10)
    UNION ALL
    SELECT 'roll-up to communities (GROUP BY ancestor/left)',
           pg_temp.time_ms($q$SELECT shegu.ancestor(code, 5), count(*) FROM shegu.codes GROUP BY 1$q$, 1),
           pg_temp.time_ms($q$SELECT left(code_text, 12), count(*) FROM shegu.codes GROUP BY 1$q$, 1)
    UNION ALL
    SELECT 'sort all codes',
           pg_temp.time_ms($q$SELECT code FROM shegu.codes ORDER BY code OFFSET 1e9$q$, 1),
           pg_temp.time_ms($q$SELECT code_text FROM shegu.codes ORDER BY code_text COLLATE "C" OFFSET 1e9$q$, 1))
SELECT what, round(shegu_ms::numeric, 3) AS shegu_ms, round(baseline_ms::numeric, 3) AS text_ms,
       round((baseline_ms / shegu_ms)::numeric, 2) AS "ratio text/shegu"
FROM t;

-- Names for reports (区划名称): the division path of 100,000 codes (levels 5-7) from
-- shegu.division (loaded by load_divisions) against the natural baseline, a text-keyed name
-- table joined once per level on the code's prefix.
SELECT * FROM load_divisions((
    SELECT string_agg(format('%s,%s,%s', c, 'u' || c, coalesce(shegu.parent(c)::text, '')), E'\n')
    FROM (SELECT DISTINCT ancestor(code, l) AS c FROM codes, generate_series(1, 5) AS l) s));
CREATE TABLE names_text AS SELECT code::text AS code_text, name FROM division;
ALTER TABLE names_text ADD PRIMARY KEY (code_text);
CREATE TABLE report_codes AS SELECT code, code_text FROM codes TABLESAMPLE SYSTEM (50) REPEATABLE (7) LIMIT 100000;
VACUUM ANALYZE division, names_text, report_codes;
SELECT CASE WHEN (SELECT count(*) FROM report_codes r
                  LEFT JOIN names_text n1 ON n1.code_text = left(r.code_text, 2)
                  LEFT JOIN names_text n2 ON n2.code_text = left(r.code_text, 4)
                  LEFT JOIN names_text n3 ON n3.code_text = left(r.code_text, 6)
                  LEFT JOIN names_text n4 ON n4.code_text = left(r.code_text, 9)
                  LEFT JOIN names_text n5 ON n5.code_text = left(r.code_text, 12)
                  WHERE concat_ws('/', n1.name, n2.name, n3.name, n4.name, n5.name) <> division_path(r.code)) = 0
       THEN 'name paths agree' ELSE 'NAME PATHS DIFFER' END AS check;
WITH t AS (
    SELECT 'division path of 100,000 codes' AS what,
           pg_temp.time_ms($q$SELECT max(shegu.division_path(code)) FROM shegu.report_codes$q$, 1) AS shegu_ms,
           pg_temp.time_ms($q$SELECT max(concat_ws('/', n1.name, n2.name, n3.name, n4.name, n5.name))
                              FROM shegu.report_codes r
                              LEFT JOIN shegu.names_text n1 ON n1.code_text = left(r.code_text, 2)
                              LEFT JOIN shegu.names_text n2 ON n2.code_text = left(r.code_text, 4)
                              LEFT JOIN shegu.names_text n3 ON n3.code_text = left(r.code_text, 6)
                              LEFT JOIN shegu.names_text n4 ON n4.code_text = left(r.code_text, 9)
                              LEFT JOIN shegu.names_text n5 ON n5.code_text = left(r.code_text, 12)$q$, 1) AS baseline_ms
    UNION ALL
    SELECT 'name of one code (primary key)',
           pg_temp.time_ms($q$SELECT shegu.division_name('430528117023')$q$, 2000),
           pg_temp.time_ms($q$SELECT name FROM shegu.names_text WHERE code_text = '430528117023'$q$, 2000)
)
SELECT what, round(shegu_ms::numeric, 3) AS shegu_ms, round(baseline_ms::numeric, 3) AS text_ms,
       round((baseline_ms / shegu_ms)::numeric, 2) AS "ratio text/shegu"
FROM t;

SELECT pg_size_pretty(pg_relation_size('codes_code_idx')) AS gridcode_index,
       pg_size_pretty(pg_relation_size('codes_code_text_idx')) AS text_index,
       (SELECT avg(pg_column_size(code)) FROM codes) AS gridcode_bytes,
       (SELECT avg(pg_column_size(code_text)) FROM codes)::numeric(4,1) AS text_bytes;
SQL
