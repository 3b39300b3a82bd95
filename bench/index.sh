#!/usr/bin/env bash
# Benchmark of the social governance index: compute_index per period against the same
# computation written as plain SQL (window functions and GROUP BY), in the same run, and the
# Monte Carlo uncertainty analysis.  bench/index.sh
#
# Sizes (environment): UNITS (default 50000 grids), INDICATORS (40, a multiple of 4),
# MONTHS (12), MC_RUNS (1000); the uncertainty runs on the communities (UNITS / 10 units).
# Scale down while iterating: UNITS=5000 MONTHS=2 bash bench/index.sh
source "$(dirname "$0")/../tools/lib.sh"

UNITS=${UNITS:-50000}
INDICATORS=${INDICATORS:-40}
MONTHS=${MONTHS:-12}
MC_RUNS=${MC_RUNS:-1000}
[ $((INDICATORS % 4)) -eq 0 ] || die "INDICATORS must be a multiple of 4"
[ $((UNITS % 10)) -eq 0 ] || die "UNITS must be a multiple of 10"

build_install
start_server
run_psql -d postgres -c "CREATE DATABASE shegu_bench"
export PGDATABASE=shegu_bench
run_psql -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

say "model: 4 dimensions x $((INDICATORS / 4)) indicators; $UNITS grids x $INDICATORS indicators x $MONTHS months"
# Dimension 1-3 arithmetic, dimension 4 geometric; indicators alternate minmax / goalpost and
# positive / negative; weights 1..3 so that they matter.
run_psql <<SQL
INSERT INTO shegu.index_model (name, title, level, min_share) VALUES ('bench', 'benchmark', 6, 0.5);
INSERT INTO shegu.index_node (model, code, parent, weight, aggregation) VALUES ('bench', 'I', NULL, 1, 'arithmetic');
INSERT INTO shegu.index_node (model, code, parent, weight, aggregation)
SELECT 'bench', 'D' || d, 'I', d, CASE WHEN d = 4 THEN 'geometric' ELSE 'arithmetic' END FROM generate_series(1, 4) AS d;
INSERT INTO shegu.index_node (model, code, parent, weight, direction, normalization, lo, hi)
SELECT 'bench', 'x' || lpad(k::text, 3, '0'), 'D' || (1 + (k - 1) % 4), 1 + k % 3,
       CASE WHEN k % 3 = 0 THEN -1 ELSE 1 END,
       CASE WHEN k % 2 = 0 THEN 'goalpost' ELSE 'minmax' END,
       CASE WHEN k % 2 = 0 THEN 10 END, CASE WHEN k % 2 = 0 THEN 90 END
FROM generate_series(1, $INDICATORS) AS k;
SQL

say "loading $((UNITS * INDICATORS * MONTHS)) indicator values"
t0=$(now)
run_psql <<SQL
ALTER TABLE shegu.indicator_value SET (autovacuum_enabled = false);
INSERT INTO shegu.indicator_value (model, indicator, unit, period, value)
SELECT 'bench', 'x' || lpad(k::text, 3, '0'),
       (430528000000000000 + (101 + u / 1000) * 1000000000 + (1 + (u / 10) % 100) * 1000000 + (1 + u % 10) * 1000)::bigint::shegu.gridcode,
       make_date(2025, m, 1),
       -- a deterministic spread over [0, 100] with a unit effect, an indicator effect and noise
       ((u * 7919 + k * 104729 + m * 1299709) % 10007) / 100.07 * 0.7 + (u % 97) * 0.3
FROM generate_series(0::bigint, $UNITS - 1) AS u, generate_series(1::bigint, $INDICATORS) AS k, generate_series(1, $MONTHS) AS m;
ANALYZE shegu.indicator_value;
SQL
[ $? -eq 0 ] || die "loading failed"
echo "loaded in $(secs "$t0" "$(now)") s"

# The same computation as plain SQL: normalise with window functions, aggregate with GROUP BY,
# rank with a window; no missing data here, so no re-spreading is needed.
plain_sql() {
	cat <<SQL
WITH v AS (
    SELECT v.unit, v.indicator AS node, n.parent, n.weight, n.direction, n.normalization, n.lo, n.hi, v.value
    FROM shegu.indicator_value v JOIN shegu.index_node n ON n.model = v.model AND n.code = v.indicator
    WHERE v.model = 'bench' AND v.period = '$1'
), leaf AS (
    SELECT unit, node, parent, weight,
           CASE WHEN normalization = 'goalpost'
                THEN CASE WHEN direction = 1 THEN (least(greatest(value, lo), hi) - lo) / (hi - lo)
                          ELSE (hi - least(greatest(value, lo), hi)) / (hi - lo) END
                ELSE coalesce(CASE WHEN direction = 1 THEN (value - min(value) OVER w) ELSE (max(value) OVER w - value) END
                              / nullif(max(value) OVER w - min(value) OVER w, 0), 1) END AS score
    FROM v WINDOW w AS (PARTITION BY node)
), dim AS (
    SELECT l.unit, l.parent AS node, p.parent, p.weight,
           CASE WHEN p.aggregation = 'geometric'
                THEN CASE WHEN bool_or(l.score = 0) THEN 0 ELSE exp(sum(l.weight * ln(nullif(l.score, 0))) / sum(l.weight)) END
                ELSE sum(l.weight * l.score) / sum(l.weight) END AS score
    FROM leaf l JOIN shegu.index_node p ON p.model = 'bench' AND p.code = l.parent
    GROUP BY l.unit, l.parent, p.parent, p.weight, p.aggregation
), root AS (
    SELECT unit, parent AS node, sum(weight * score) / sum(weight) AS score FROM dim GROUP BY unit, parent
), everything AS (
    SELECT unit, node, score FROM leaf UNION ALL SELECT unit, node, score FROM dim UNION ALL SELECT unit, node, score FROM root
)
SELECT unit, node, score, rank() OVER (PARTITION BY node ORDER BY score DESC) AS rank FROM everything
SQL
}
export PGOPTIONS="-c search_path=shegu,public"

say "agreement: compute_index and plain SQL on month 1"
run_psql -At <<SQL || die "agreement check failed"
SET search_path = shegu, public;
CREATE TEMP TABLE a AS SELECT * FROM shegu.compute_index('bench', '2025-01-01');
CREATE TEMP TABLE b AS $(plain_sql 2025-01-01);
SELECT 'rows: ' || (SELECT count(*) FROM a) || ' and ' || (SELECT count(*) FROM b);
SELECT 'largest score difference: ' || max(abs(a.score - b.score)) || ', rank differences: ' || count(*) FILTER (WHERE a.rank <> b.rank)
FROM a JOIN b USING (unit, node);
SELECT CASE WHEN max(abs(a.score - b.score)) < 1e-9 AND (SELECT count(*) FROM a) = (SELECT count(*) FROM b)
            THEN 'agree' ELSE 'DISAGREE' END
FROM a JOIN b USING (unit, node);
SQL

say "compute_index per period versus plain SQL ($MONTHS months, each producing every node of every unit)"
total_c=0
total_s=0
for m in $(seq 1 "$MONTHS"); do
	p=$(printf '2025-%02d-01' "$m")
	t0=$(now)
	run_psql -At -c "SELECT count(*) FROM shegu.compute_index('bench', '$p')" >/dev/null
	t1=$(now)
	run_psql -At -c "SELECT count(*) FROM ($(plain_sql "$p")) AS q" >/dev/null
	t2=$(now)
	c=$(secs "$t0" "$t1"); s=$(secs "$t1" "$t2")
	echo "period $p: compute_index $c s, plain SQL $s s"
	total_c=$(awk -v a="$total_c" -v b="$c" 'BEGIN { print a + b }')
	total_s=$(awk -v a="$total_s" -v b="$s" 'BEGIN { print a + b }')
done
echo "compute_index: $total_c s for $MONTHS periods, $(awk -v a="$total_c" -v n="$MONTHS" 'BEGIN { printf "%.2f", a / n }') s per period"
echo "plain SQL:     $total_s s for $MONTHS periods, $(awk -v a="$total_s" -v n="$MONTHS" 'BEGIN { printf "%.2f", a / n }') s per period"
echo "ratio plainsql/shegu: $(awk -v a="$total_s" -v b="$total_c" 'BEGIN { printf "%.1f", a / b }')"

say "uncertainty: $MC_RUNS runs on the $((UNITS / 10)) communities (level 5)"
t0=$(now)
run_psql -At -c "SELECT count(*) FROM shegu.compute_index('bench', '2025-01-01', 5) WHERE node = 'I'" | sed 's/^/units: /'
t1=$(now)
run_psql -At -c "SELECT 'ranked units: ' || count(*) || ', mean width of the 5-95% rank interval: ' || round(avg(rank_p95 - rank_p05)::numeric, 1)
                 FROM shegu.index_uncertainty('bench', '2025-01-01', $MC_RUNS, 0.2, 1, 5)"
t2=$(now)
echo "one computation at level 5: $(secs "$t0" "$t1") s"
echo "index_uncertainty, $MC_RUNS runs: $(secs "$t1" "$t2") s"
