#!/usr/bin/env bash
# Benchmark of what the first day added to the reports: the one rule of names and the labelled
# map.  (1) report_unit, whose names follow shegu.report_unit_name (display names, division
# names, the registry) written as joins, against the view of 0.2.0 (division, then registry, no display
# names) and against the rule called once per name (the function in the select list: the same
# rows, checked).  (2) choropleth_svg with its labels, legend, north arrow
# and scale bar, against the bare map of paths and titles built by a plain query.
# The natural baseline of (1) is report_unit as 0.2.0 shipped it, read from shegu--0.2.0.sql.
# bench/firstday.sh — prints timings (best of 3) and ratios; GRIDS=2000 bash bench/firstday.sh
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-firstday}
SHEGU_PORT=${BENCH_PORT:-54376}
source "$(dirname "$0")/../tools/lib.sh"

GRIDS=${GRIDS:-2000}    # basic grids of the generated county

build_install
start_server
q() { run_psql -d postgres -At "$@"; }
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
say "firstday bench: GRIDS=$GRIDS on $(nproc) cores, $("$PG_CONFIG" --version)"
q -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county failed"
# the natural baseline: report_unit as 0.2.0 shipped it (names: division, then registry), from
# the frozen install script, as a view of its own
awk '/^CREATE VIEW shegu.report_unit AS/ {on=1} on {print} on && /;$/ {exit}' "$SHEGU_TOP/shegu--0.2.0.sql" \
	| sed 's/^CREATE VIEW shegu.report_unit AS/CREATE VIEW public.report_unit_020 AS/' | q >/dev/null || die "0.2.0 view failed"
q >/dev/null <<'SQL' || die "set-up failed"
SET search_path = shegu, public;
-- a few display names, as a county sets them
INSERT INTO index_unit_name SELECT code, name || '（试点）' FROM grid WHERE kind = 'community' AND to_bigint(code) % 3 = 0;
-- the rule called once per name
CREATE VIEW public.unit_names_call AS
SELECT l.code::text AS unit_code, shegu.report_unit_name(l.code) AS unit_name,
       shegu.report_unit_name(shegu.parent(l.code)) AS parent_name
FROM shegu.grid l
WHERE NOT EXISTS (SELECT 1 FROM shegu.grid n WHERE n.code OPERATOR(shegu.=) l.code AND n.valid_from > l.valid_from);
-- a scored model at community level for the maps
INSERT INTO index_model (name, title, scale, level) VALUES ('bench', '基准 bench', 100, 5);
INSERT INTO index_node (model, code, parent, normalization, lo, hi) VALUES
('bench', 'S', NULL, 'minmax', NULL, NULL), ('bench', 'x', 'S', 'goalpost', 0, 100);
INSERT INTO index_grade (model, grade, min_score) VALUES ('bench', '好', 80), ('bench', '中', 60), ('bench', '差', 0);
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'bench', 'x', code, '2026-01-01', abs(hashtext(code::text)) % 101 FROM grid WHERE kind = 'community';
SELECT store_index('bench', '2026-01-01');
ANALYZE;
SQL

NEW="SELECT unit_code, unit_name, parent_name FROM shegu.report_unit"
CALL="SELECT unit_code, unit_name, parent_name FROM public.unit_names_call"
OLD="SELECT unit_code, unit_name, parent_name FROM public.report_unit_020"
diff=$(q -c "SELECT count(*) FROM (($NEW) EXCEPT ($CALL)) a" -c "SELECT count(*) FROM (($CALL) EXCEPT ($NEW)) b" | paste -sd+ | bc)
[ "$diff" = 0 ] || die "report_unit and the rule called per name differ in $diff rows"
changed=$(q -c "SELECT count(*) FROM (($NEW) EXCEPT ($OLD)) a")
units=$(q -c "SELECT count(*) FROM ($NEW) v")
ALL="count(*), max(unit_name), max(unit_path), max(parent_name), sum(lon), sum(lat_gcj02)"
t_old=$(best "SELECT $ALL FROM public.report_unit_020")
t_new=$(best "SELECT $ALL FROM shegu.report_unit")
t_call=$(best "SELECT count(*), max(unit_name), max(parent_name) FROM ($CALL) v")
t_new_names=$(best "SELECT count(*), max(unit_name), max(parent_name) FROM ($NEW) v")
echo "names of $units units ($changed named otherwise than by 0.2.0: display names and their children)"
echo "  report_unit of 0.2.0, every column     ${t_old} ms"
echo "  report_unit now (the rule as joins)    ${t_new} ms"
echo "  names only: report_unit now            ${t_new_names} ms"
echo "  names only: the rule called per name   ${t_call} ms"
echo "ratio report_unit now/0.2.0: $(ratio "$t_new" "$t_old")"
echo "ratio call/joins (names only): $(ratio "$t_call" "$t_new_names")"

MAP="SELECT length(shegu.choropleth_svg('bench', '2026-01-01', 5, '430528', 1200, 900))"
BARE="SELECT length(string_agg(format('<path d=\"%s\" fill=\"#888888\"><title>%s</title></path>',
              ST_AsSVG(ST_Affine(ST_SimplifyPreserveTopology(g.boundary, 0.0005), 1000, 0, 0, 1000, 0, 0), 0, 1), g.name), E'\n'))
       FROM shegu.grid g WHERE shegu.level(g.code) = 5"
labels=$(q -c "SELECT (SELECT count(*) FROM regexp_matches(s, '<text x=\"[0-9.]+\" y=\"[0-9.]+\">', 'g')) FROM ($MAP) x(s)" 2>/dev/null || echo "?")
t_bare=$(best "$BARE")
t_map=$(best "$MAP")
echo "map of the communities, 1200x900 (labels, legend, north arrow, scale bar)"
echo "  bare paths and titles, plain query   ${t_bare} ms"
echo "  choropleth_svg                       ${t_map} ms"
echo "ratio choropleth_svg/bare: $(ratio "$t_map" "$t_bare")"
