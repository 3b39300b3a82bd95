#!/usr/bin/env bash
# The choropleth SVG as a browser draws it: shegu.choropleth_svg over a generated county
# (demo/county.sql, 300 grids) and a scored model, rendered by headless Chromium to PNG, whose
# pixels test/svg/PngColours.java counts: the page is not blank and every class colour of the
# map's polygons covers more than a legend swatch.  test/svg/run.sh — called by tools/test.sh
# with the throwaway server's settings in the environment; prints TAP lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
out=$top/build/svg
mkdir -p "$out"
status=0
n=0
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; status=1; fi; }

psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS shegu_svg" -c "CREATE DATABASE shegu_svg" >/dev/null
psql -d shegu_svg -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
psql -d shegu_svg -v grids=300 -f "$top/demo/county.sql" >/dev/null
psql -d shegu_svg >/dev/null <<'SQL'
SET search_path = shegu, public;
INSERT INTO index_model (name, title, scale, level) VALUES ('svg', '平安指数 SVG test', 100, 6);
INSERT INTO index_node (model, code, parent, normalization, lo, hi, veto_above) VALUES
('svg', 'S', NULL, 'minmax', NULL, NULL, NULL), ('svg', 'x', 'S', 'goalpost', 0, 100, NULL),
('svg', 'cases', 'S', 'goalpost', 0, 100, 95);
INSERT INTO index_grade (model, grade, min_score) VALUES ('svg', '优秀', 90), ('svg', '良好', 75), ('svg', '合格', 60), ('svg', '不合格', 0);
INSERT INTO indicator_value (model, indicator, unit, period, value)
SELECT 'svg', i, code, '2025-01-01', CASE WHEN i = 'x' THEN abs(hashtext(code::text)) % 101 ELSE abs(hashtext(code::text || 'c')) % 100 END
FROM grid, unnest('{x,cases}'::text[]) AS i WHERE kind = 'basic' AND abs(hashtext(code::text)) % 10 <> 0;
SELECT store_index('svg', '2025-01-01');
SQL
psql -d shegu_svg -c "SELECT shegu.choropleth_svg('svg', '2025-01-01', 6, '430528', 900)" >"$out/map.svg"
check $? "choropleth_svg writes the map of 300 grids ($(wc -c <"$out/map.svg") bytes)"
psql -d postgres -c "DROP DATABASE shegu_svg" >/dev/null

w=$(sed -nE '1s/.* width="([0-9]+)".*/\1/p' "$out/map.svg")
h=$(sed -nE '1s/.* height="([0-9]+)".*/\1/p' "$out/map.svg")
rm -f "$out/map.png"
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$w,$h" \
	--screenshot="$out/map.png" "file://$out/map.svg" >"$out/chromium.log" 2>&1
[ -s "$out/map.png" ]
check $? "headless Chromium renders it to PNG (${w}x${h})"

if javac -d "$out" "$top/test/svg/PngColours.java" 2>"$out/javac.log" && [ -s "$out/map.png" ]; then
	java -cp "$out" PngColours "$out/map.png" >"$out/colours.txt"
	total=$((w * h))
	white=$(awk '$1 == "colour" && $2 == "#ffffff" {print $3}' "$out/colours.txt")
	[ $(( ${white:-0} * 100 / total )) -lt 70 ]
	check $? "the page is not blank: $(( 100 - ${white:-0} * 100 / total ))% of the pixels are not white"
	# the fills the polygons use (not the legend's): each must cover more than a swatch (18x14 px)
	for fill in $(grep -o '<path d="[^"]*" fill="#[0-9a-f]*"' "$out/map.svg" | grep -o '#[0-9a-f]*' | sort -u); do
		px=$(awk -v c="$fill" '$1 == "colour" && $2 == c {print $3}' "$out/colours.txt")
		[ "${px:-0}" -gt 500 ]
		check $? "fill $fill is drawn on the map: ${px:-0} pixels"
	done
	kinds=$(grep -o '<path d="[^"]*" fill="#[0-9a-f]*"' "$out/map.svg" | grep -o '#[0-9a-f]*' | sort -u | wc -l)
	[ "$kinds" -ge 4 ]
	check $? "the map uses $kinds fill classes (grades, vetoed, no data)"
else
	check 1 "javac test/svg/PngColours.java and a PNG to read"
fi
exit $status
