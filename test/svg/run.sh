#!/usr/bin/env bash
# The choropleth SVG as a browser draws it: shegu.choropleth_svg over a generated county
# (demo/county.sql, 300 grids) and a scored model, 1200x900, rendered by headless Chromium to
# PNG, whose pixels test/svg/PngColours.java counts: the page is not blank, every class colour of
# the map's polygons covers more than a legend swatch, the legend panel, north arrow and scale
# bar lie inside the frame and are drawn, and the Chinese text is real glyphs, not tofu (empty
# boxes): a line of the map's text drawn in its font list differs from the same line drawn with
# only a font that has no CJK glyphs, and from a line of characters no font has.
# test/svg/run.sh — called by tools/test.sh with the throwaway server's settings in the
# environment; prints TAP lines.
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
psql -d shegu_svg -c "SELECT shegu.choropleth_svg('svg', '2025-01-01', 6, '430528', 1200, 900)" >"$out/map.svg"
check $? "choropleth_svg writes the map of 300 grids ($(wc -c <"$out/map.svg") bytes)"
psql -d postgres -c "DROP DATABASE shegu_svg" >/dev/null

w=$(sed -nE '1s/.* width="([0-9]+)".*/\1/p' "$out/map.svg")
h=$(sed -nE '1s/.* height="([0-9]+)".*/\1/p' "$out/map.svg")
[ "$w" = 1200 ] && [ "$h" = 900 ]
check $? "the document is 1200x900 as asked (${w}x${h})"

# render FILE.svg to FILE.png in a 1200x900 window; extra arguments go before chromium (env)
render() {
	local f=$1; shift
	rm -f "$f.png"
	timeout 120 "$@" chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,900 \
		--screenshot="$f.png" "file://$f.svg" >"$f.log" 2>&1
	[ -s "$f.png" ]
}
render "$out/map"
check $? "headless Chromium renders it to PNG (1200x900)"

# text lines for the tofu check: the map's own font list, a title in Chinese
font=$(grep -o "font-family=\"[^\"]*\"" "$out/map.svg" | head -1)
probe() {    # FILE TEXT
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900" %s font-size="40">' "$font" >"$1.svg"
	printf '<rect width="100%%" height="100%%" fill="#ffffff"/><text x="20" y="80">%s</text></svg>\n' "$2" >>"$1.svg"
}
probe "$out/cjk" "社会治理指数 第3社区 图例 北 公里"
probe "$out/nothing" "                              "
probe "$out/tofu" "$(printf '\xee\x80\x80\xee\x80\x81\xee\x80\x82\xee\x80\x83\xee\x80\x84\xee\x80\x85 \xee\x80\x86\xee\x80\x87\xee\x80\x88\xee\x80\x89')"
# a font configuration that knows only DejaVu (no CJK glyphs): what a server without a CJK font shows
cat >"$out/fonts-nocjk.conf" <<CONF
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>$out/fc-cache</cachedir></fontconfig>
CONF
cp "$out/cjk.svg" "$out/cjk-nofont.svg"
render "$out/cjk" && render "$out/nothing" && render "$out/tofu" \
	&& render "$out/cjk-nofont" env FONTCONFIG_FILE="$out/fonts-nocjk.conf"
check $? "headless Chromium renders the text probes"

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

	# the legend panel: inside the frame by its coordinates, and drawn (its background #f7f7f7
	# covers most of it: swatches and text take the rest)
	read -r lx ly lw lh < <(grep -o '<g id="legend"><rect x="[0-9.]*" y="[0-9.]*" width="[0-9.]*" height="[0-9.]*"' "$out/map.svg" \
		| sed -E 's/.*x="([0-9.]*)" y="([0-9.]*)" width="([0-9.]*)" height="([0-9.]*)"/\1 \2 \3 \4/')
	awk -v x="${lx:-0}" -v y="${ly:-0}" -v a="${lw:-0}" -v b="${lh:-0}" -v w="$w" -v h="$h" \
		'BEGIN { exit !(a > 0 && b > 0 && x >= 0 && y >= 0 && x + a <= w && y + b <= h) }'
	check $? "the legend panel ($lw x $lh at $lx,$ly) lies inside the ${w}x${h} frame"
	panel=$(awk '$1 == "colour" && $2 == "#f7f7f7" {print $3}' "$out/colours.txt")
	awk -v p="${panel:-0}" -v a="${lw:-0}" -v b="${lh:-0}" 'BEGIN { exit !(p >= 0.5 * a * b) }'
	check $? "the legend panel is drawn: ${panel:-0} pixels of its background (panel $(awk -v a="${lw:-0}" -v b="${lh:-0}" 'BEGIN { print a * b }'))"
	last=$(grep -o '<text [^>]*>无数据 no data</text>' "$out/map.svg" | sed -nE 's/.* y="([0-9.]*)".*/\1/p' | tail -1)
	awk -v y="${last:-99999}" -v h="$h" 'BEGIN { exit !(y + 4 <= h) }'
	check $? "the legend's last row (无数据 no data, y=${last:-none}) is inside the frame"
	for part in north scale; do
		t=$(grep -o "<g id=\"$part\" transform=\"translate([0-9.]*,[0-9.]*)\"" "$out/map.svg" | sed -E 's/.*translate\(([0-9.]*),([0-9.]*)\).*/\1 \2/')
		awk -v t="${t:-x}" -v w="$w" -v h="$h" 'BEGIN { split(t, a, " "); exit !(t != "x" && a[1] > 0 && a[1] < w && a[2] > 0 && a[2] + 20 <= h) }'
		check $? "the $part ($( [ $part = north ] && echo north arrow || echo scale bar)) is inside the frame at ${t:-nowhere}"
	done
	labels=$(sed -n '/<g id="labels"/,/<\/g>/p' "$out/map.svg" | grep -c '<text ')
	[ "$labels" -ge 10 ]
	check $? "units carry their names on the map: $labels labels"

	# not tofu: the CJK line differs from the same line without a CJK font and from characters
	# no font has, and from a blank line
	diff_px() { java -cp "$out" PngColours "$1" "$2" | awk '$1 == "differ" {print $2}'; }
	d_nofont=$(diff_px "$out/cjk.png" "$out/cjk-nofont.png")
	d_tofu=$(diff_px "$out/cjk.png" "$out/tofu.png")
	d_blank=$(diff_px "$out/cjk.png" "$out/nothing.png")
	[ "${d_nofont:-0}" -gt 2000 ] && [ "${d_tofu:-0}" -gt 2000 ] && [ "${d_blank:-0}" -gt 2000 ]
	check $? "Chinese text is drawn in real glyphs (pixels differing from: no CJK font ${d_nofont:-?}, tofu ${d_tofu:-?}, blank ${d_blank:-?})"
	d_nofont_tofu=$(diff_px "$out/cjk-nofont.png" "$out/nothing.png")
	[ "${d_nofont_tofu:-0}" -gt 0 ]
	check $? "the check can fail: without a CJK font the line still draws boxes (${d_nofont_tofu:-?} pixels), which the check tells apart"
else
	check 1 "javac test/svg/PngColours.java and a PNG to read"
fi
exit $status
