#!/usr/bin/env bash
# Benchmark of the working-time calendar: shegu.add_work_time and shegu.work_time_between called
# per row over BENCH_ROWS rows (default 1,000,000) against the natural baselines written in
# PL/pgSQL (add: a day-by-day loop) and plain SQL (between: days x periods), in one run; checks
# that they agree on BENCH_CHECK_ROWS rows and prints the ratios.
# bench/worktime.sh — not part of tools/test.sh.  One backend, no parallel workers.
source "$(dirname "$0")/../tools/lib.sh"

ROWS=${BENCH_ROWS:-1000000}
CHECK_ROWS=${BENCH_CHECK_ROWS:-100000}

install_packages
build_install
start_server

run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_bench" -c "CREATE DATABASE shegu_bench"
run_psql -d shegu_bench -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"

say "data: $ROWS rows of (start, amount, end) in 2025-2026, Asia/Shanghai"
run_psql -d shegu_bench <<SQL
SET timezone = 'Asia/Shanghai';
SELECT setseed(0.2025) AS seed \gset
-- Starts over 2025-01-01..2026-10-31, amounts up to 5 working days (35 h, in seconds),
-- ends up to 10 days after the start: every result stays inside the loaded years.
CREATE TABLE bench_rows AS
SELECT i AS id,
       timestamptz '2025-01-01 00:00+08' + random() * interval '668 days' AS a,
       make_interval(secs => floor(random() * 35 * 3600)) AS x,
       random() * interval '10 days' AS span
FROM generate_series(1, $ROWS) AS i;
ALTER TABLE bench_rows ADD COLUMN b timestamptz;
UPDATE bench_rows SET b = a + span;
VACUUM ANALYZE bench_rows;

CREATE SCHEMA bench;
-- The natural PL/pgSQL: walk the days, look each one up, consume the periods of working days.
CREATE FUNCTION bench.add_plpgsql(start timestamptz, amount interval) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS \$\$
DECLARE
    local     timestamp := start AT TIME ZONE 'Asia/Shanghai';
    d         date := (start AT TIME ZONE 'Asia/Shanghai')::date;
    remaining interval := amount;
    periods   time[] := ARRAY['08:30', '12:00', '14:00', '17:30']::time[];
    w         boolean;
    ps        timestamp;
    pe        timestamp;
BEGIN
    IF remaining <= interval '0' THEN
        RETURN start;
    END IF;
    LOOP
        SELECT o.is_workday INTO w FROM shegu.workday_override o WHERE o.day = d;
        IF NOT FOUND THEN
            w := extract(isodow FROM d) < 6;
        END IF;
        IF w THEN
            FOR i IN 1..2 LOOP
                ps := greatest(d + periods[2 * i - 1], local);
                pe := d + periods[2 * i];
                IF pe > ps THEN
                    IF remaining <= pe - ps THEN
                        RETURN (ps + remaining) AT TIME ZONE 'Asia/Shanghai';
                    END IF;
                    remaining := remaining - (pe - ps);
                END IF;
            END LOOP;
        END IF;
        d := d + 1;
    END LOOP;
END
\$\$;
-- The natural plain SQL: every day of the span times every period, clipped to [a, b).
CREATE FUNCTION bench.between_sql(a timestamptz, b timestamptz) RETURNS interval
LANGUAGE sql STABLE AS \$\$
    SELECT coalesce(sum(greatest(interval '0',
                                 least(b AT TIME ZONE 'Asia/Shanghai', d + p.e)
                                 - greatest(a AT TIME ZONE 'Asia/Shanghai', d + p.s))), interval '0')
    FROM generate_series((a AT TIME ZONE 'Asia/Shanghai')::date::timestamp,
                         (b AT TIME ZONE 'Asia/Shanghai')::date::timestamp, '1 day') AS d,
         (VALUES (time '08:30', time '12:00'), (time '14:00', time '17:30')) AS p(s, e)
    WHERE coalesce((SELECT o.is_workday FROM shegu.workday_override o WHERE o.day = d::date),
                   extract(isodow FROM d) < 6)
\$\$;
SQL

# Runs a query once to warm up on a small prefix, then times it over all rows; prints seconds.
time_query() {
	local expr=$1 start end
	run_psql -d shegu_bench -At -c "SET timezone = 'Asia/Shanghai'" -c "SET max_parallel_workers_per_gather = 0" \
		-c "SELECT max($expr) FROM bench_rows WHERE id <= 1000" >/dev/null || die "query failed: $expr"
	start=$(date +%s.%N)
	run_psql -d shegu_bench -At -c "SET timezone = 'Asia/Shanghai'" -c "SET max_parallel_workers_per_gather = 0" \
		-c "SELECT max($expr) FROM bench_rows" >/dev/null || die "query failed: $expr"
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}

say "agreement on $CHECK_ROWS rows"
run_psql -d shegu_bench -At <<SQL || die "agreement check failed"
SET timezone = 'Asia/Shanghai';
SELECT 'add_work_time disagreements: ' || count(*) FILTER (WHERE shegu.add_work_time(a, x) <> bench.add_plpgsql(a, x))
FROM bench_rows WHERE id <= $CHECK_ROWS;
SELECT 'work_time_between disagreements: ' || count(*) FILTER (WHERE shegu.work_time_between(a, b) <> bench.between_sql(a, b))
FROM bench_rows WHERE id <= $CHECK_ROWS;
SQL
bad=$(run_psql -d shegu_bench -At -c "SET timezone = 'Asia/Shanghai'" -c "
	SELECT count(*) FROM bench_rows WHERE id <= $CHECK_ROWS
	AND (shegu.add_work_time(a, x) <> bench.add_plpgsql(a, x) OR shegu.work_time_between(a, b) <> bench.between_sql(a, b))")
[ "$bad" = 0 ] || die "shegu and the baselines disagree on $bad rows"

say "timing over $ROWS rows (one backend)"
t_scan=$(time_query "a + x")
t_add=$(time_query "shegu.add_work_time(a, x)")
t_add_base=$(time_query "bench.add_plpgsql(a, x)")
t_btw=$(time_query "shegu.work_time_between(a, b)")
t_btw_base=$(time_query "bench.between_sql(a, b)")

printf 'scan with plain a + x:          %8.2f s\n' "$t_scan"
printf 'shegu.add_work_time:            %8.2f s  (%.2f us/row)\n' "$t_add" "$(echo "$t_add * 1000000 / $ROWS" | bc -l)"
printf 'PL/pgSQL add (baseline):        %8.2f s  (%.2f us/row)\n' "$t_add_base" "$(echo "$t_add_base * 1000000 / $ROWS" | bc -l)"
printf 'shegu.work_time_between:        %8.2f s  (%.2f us/row)\n' "$t_btw" "$(echo "$t_btw * 1000000 / $ROWS" | bc -l)"
printf 'plain SQL between (baseline):   %8.2f s  (%.2f us/row)\n' "$t_btw_base" "$(echo "$t_btw_base * 1000000 / $ROWS" | bc -l)"
printf 'ratio plpgsql/shegu (add):      %8.1f\n' "$(echo "$t_add_base / $t_add" | bc -l)"
printf 'ratio sql/shegu (between):      %8.1f\n' "$(echo "$t_btw_base / $t_btw" | bc -l)"
