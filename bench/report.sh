#!/usr/bin/env bash
# Benchmark of the report room against plain SQL over the same data: the monthly figures of one
# level (report_incident_month, live and frozen) against a hand-written GROUP BY over
# shegu.incident, and grid_geojson against the same FeatureCollection built by a plain query.
# bench/report.sh — prints timings (best of 3) and ratios; sizes from the environment:
#   N=200000 GRIDS=2000 bash bench/report.sh
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-report}
SHEGU_PORT=${BENCH_PORT:-54366}
source "$(dirname "$0")/../tools/lib.sh"

N=${N:-200000}          # incidents, spread over the 12 months of 2025
GRIDS=${GRIDS:-2000}    # basic grids of the generated county

build_install
start_server
q() { run_psql -d postgres -At "$@"; }
# best of three runs of a query, in ms (psql's \timing, the result thrown away)
best() {
	local t b=""
	for _ in 1 2 3; do
		t=$(q -c '\timing on' -c "$1" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
		b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (a == "" || t < a) ? t : a }')
	done
	echo "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
say "report bench: N=$N GRIDS=$GRIDS on $(nproc) cores, $("$PG_CONFIG" --version)"
q -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county failed"
q >/dev/null <<SQL || die "incidents failed"
SET search_path = shegu, public;
SET shegu.incident_clock = '2026-01-05 08:00+08';
INSERT INTO incident (category, title, source, grid, reported_at)
SELECT (ARRAY['environment.garbage','dispute.neighbour','hazard.fire','public_service.facility'])[1 + k % 4],
       'bench ' || k, 'patrol', g.code, timestamptz '2025-01-01 08:00+08' + (k % 365) * interval '1 day' + (k % 600) * interval '1 minute'
FROM generate_series(1, $N) AS k
JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS r, count(*) OVER () AS n FROM grid WHERE kind = 'basic') g
  ON g.r = (k * 7919) % g.n
ORDER BY 5;    -- in time order, as incidents arrive
SQL
q -c "VACUUM ANALYZE" >/dev/null    # what autovacuum does (it also summarises the BRIN ranges)

VIEW="SELECT unit_code, received, closed, overdue_open, disposal_rate, disposal_rate_accepted FROM shegu.report_incident_month
      WHERE period_start = '2025-06-01' AND level = 4"
PLAIN="SELECT shegu.ancestor(grid, 4)::text AS unit_code, count(*) AS received,
              count(*) FILTER (WHERE status IN ('closed', 'evaluated')) AS closed,
              count(*) FILTER (WHERE (status = 'reported' AND now() > accept_due_at)
                                  OR (status IN ('accepted', 'dispatched') AND now() > due_at)
                                  OR (status IN ('resolved', 'verified') AND resolved_at > due_at)) AS overdue_open,
              round(((count(*) FILTER (WHERE status IN ('verified', 'closed', 'evaluated')))::float8
                    / count(*))::numeric, 4) AS disposal_rate,
              round(((count(*) FILTER (WHERE status IN ('resolved', 'verified', 'closed', 'evaluated')))::float8
                    / nullif(count(*) FILTER (WHERE accepted_at IS NOT NULL AND status <> 'suspended'), 0))::numeric, 4) AS disposal_rate_accepted
       FROM shegu.incident
       WHERE reported_at >= '2025-06-01 00:00+08' AND reported_at < '2025-07-01 00:00+08'
       GROUP BY 1"
diff=$(q -c "SELECT count(*) FROM (($VIEW) EXCEPT ($PLAIN)) a" -c "SELECT count(*) FROM (($PLAIN) EXCEPT ($VIEW)) b" | paste -sd+ | bc)
[ "$diff" = 0 ] || die "report_incident_month and the plain GROUP BY differ in $diff rows"
rows=$(q -c "SELECT count(*) FROM ($VIEW) v")
plain=$(best "$PLAIN")
live=$(best "$VIEW")
# the monthly job has run for January to June
q -c "SELECT shegu.freeze_month(m::date) FROM generate_series(date '2025-01-01', date '2025-06-01', interval '1 month') AS m" >/dev/null
diff=$(q -c "SELECT count(*) FROM (($VIEW) EXCEPT ($PLAIN)) a" | head -1)
[ "$diff" = 0 ] || die "the frozen month differs from the plain GROUP BY in $diff rows"
frozen=$(best "$VIEW")
echo "monthly figures of June 2025 by township ($rows rows, $N incidents in the year):"
echo "  plain GROUP BY over shegu.incident: ${plain} ms"
echo "  report_incident_month, live: ${live} ms; frozen: ${frozen} ms"
echo "ratio live view/plain: $(ratio "$live" "$plain")"
echo "ratio plain/frozen view: $(ratio "$plain" "$frozen")"

GJ="SELECT octet_length(shegu.grid_geojson('430528', 6, '2025-06-01')::text)"
# the same document by hand: parents' names and open incidents joined in, no size check
GP="WITH o AS (SELECT shegu.ancestor(grid, 6) AS unit, count(*) AS open FROM shegu.incident
              WHERE status NOT IN ('closed', 'evaluated', 'rejected') AND shegu.level(grid) >= 6 GROUP BY 1)
    SELECT octet_length(json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
        'type', 'Feature', 'id', g.code::text,
        'properties', json_build_object('code', g.code::text, 'name', g.name, 'parent', shegu.parent(g.code)::text,
                                        'parent_name', p.name, 'open_incidents', coalesce(o.open, 0)),
        'geometry', ST_AsGeoJSON(g.boundary, 6)::json) ORDER BY g.code))::text)
    FROM shegu.grid g
    LEFT JOIN shegu.grid p ON p.code OPERATOR(shegu.=) shegu.parent(g.code)
    LEFT JOIN o ON o.unit OPERATOR(shegu.=) g.code
    WHERE g.kind = 'basic'"
bytes=$(q -c "$GJ")
pbytes=$(q -c "$GP")
gplain=$(best "$GP")
gshegu=$(best "$GJ")
echo "GeoJSON of $GRIDS basic grids: grid_geojson ${gshegu} ms (${bytes} bytes, with parents and open incidents),"
echo "  plain SQL with the parents' names and open incidents joined in: ${gplain} ms (${pbytes} bytes)"
echo "ratio grid_geojson/plain: $(ratio "$gshegu" "$gplain")"
