#!/usr/bin/env bash
# The boundary guide of docs/import.md, end to end: every ```sh block of its "Guide" section is
# run, as written, on a small generated file — communities drawn on a web map (GCJ-02,
# quantised, one ring touching itself) as grids.geojson, and the same in CGCS2000 as grids.shp —
# each import block in a fresh database "county", followed by the closing block (derive the
# township, check coverage); then the grids must be where they were drawn.
# test/import/run.sh — called by tools/test.sh with the throwaway server's settings in the
# environment; needs ogr2ogr (gdal-bin) and shp2pgsql (postgis), which tools/test.sh installs.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
export PATH="$bindir:$PATH"                      # the guide says psql
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

for tool in ogr2ogr shp2pgsql; do
	command -v "$tool" >/dev/null
	check $? "$tool is installed (the guide uses it)"
done
[ $status = 0 ] || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/shegu-guide.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The guide's ```sh blocks, in order: all but the last import a file; the last one follows each.
blocks=$(awk '/^## Guide/ {g=1} /^## / && !/^## Guide/ {g=0}
	g && /^```sh[[:space:]]*$/ {on=1; n++; next} on && /^```/ {on=0; next}
	on {print > (dir "/block" n ".sh")} END {print n}' dir="$work" "$top/docs/import.md")
[ "${blocks:-0}" -ge 2 ]
check $? "docs/import.md's guide has import blocks and a closing block ($blocks sh blocks)"
[ $status = 0 ] || exit 1

fresh_county() {
	q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS county" -c "CREATE DATABASE county" >/dev/null &&
	q -d county -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" \
		-c "INSERT INTO shegu.grid (code, name, kind, valid_from) VALUES ('430528101', '金石镇', 'township', '2025-01-01')"
}

# The drawing, in GCJ-02: four communities, quarters of 110.2..110.4 x 26.2..26.4; the third has
# a notch whose tip touches its own outline (a self-touching ring, as quantised data have).
fresh_county || { check 1 "a database county with shegu"; exit 1; }
q -d county > "$work/drawn.txt" <<'SQL'
CREATE TEMP TABLE drawn AS
SELECT * FROM (VALUES
  ('430528101001', '城东社区', 'SRID=4326;POLYGON((110.2 26.2,110.3 26.2,110.3 26.3,110.2 26.3,110.2 26.2))'::geometry),
  ('430528101002', '城西社区', 'SRID=4326;POLYGON((110.3 26.2,110.4 26.2,110.4 26.3,110.3 26.3,110.3 26.2))'),
  ('430528101003', '白沙村',   'SRID=4326;POLYGON((110.2 26.3,110.3 26.3,110.3 26.4,110.25 26.4,110.27 26.35,110.23 26.35,110.25 26.4,110.2 26.4,110.2 26.3))'),
  ('430528101004', '石门村',   'SRID=4326;POLYGON((110.3 26.3,110.4 26.3,110.4 26.4,110.3 26.4,110.3 26.3))')) AS t (code, name, g);
-- grids.geojson (GCJ-02, 1e-5 degrees), then the CGCS2000 coordinates for the shapefile, then
-- each community where it really is (WGS-84), one line each.
SELECT jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(jsonb_build_object('type', 'Feature',
           'properties', jsonb_build_object('code', code, 'name', name),
           'geometry', ST_AsGeoJSON(ST_SnapToGrid(g, 1e-5))::jsonb) ORDER BY code)) FROM drawn;
SELECT jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(jsonb_build_object('type', 'Feature',
           'properties', jsonb_build_object('code', code, 'name', name),
           'geometry', ST_AsGeoJSON(ST_SnapToGrid(shegu.gcj02_to_wgs84(g), 1e-7), 7)::jsonb) ORDER BY code)) FROM drawn;
SELECT string_agg(code || ' ' || ST_AsText(shegu.gcj02_to_wgs84(g)), ';' ORDER BY code) FROM drawn;
SQL
check $? "the generated file"
sed -n 1p "$work/drawn.txt" > "$work/grids.geojson"
sed -n 2p "$work/drawn.txt" > "$work/cgcs.geojson"
probes=$(sed -n 3p "$work/drawn.txt")
(cd "$work" && ogr2ogr -f "ESRI Shapefile" -a_srs EPSG:4490 -lco ENCODING=UTF-8 grids.shp cgcs.geojson) 
check $? "grids.shp (CGCS2000) written by ogr2ogr"
last=$blocks
for b in $(seq 1 $((blocks - 1))); do
	what=$(grep -m1 -oE 'ogr2ogr|shp2pgsql|\\set grids' "$work/block$b.sh" | head -1)
	fresh_county >/dev/null
	out=$(cd "$work" && bash -e -o pipefail "$work/block$b.sh" 2>&1 && bash -e -o pipefail "$work/block$last.sh" 2>&1)
	rc=$?
	check $rc "guide block $b ($what) and the closing block run"
	[ $rc = 0 ] || { echo "$out" | sed 's/^/#   /' | head -30; continue; }
	echo "$out" | sed 's/^/#   /' | head -12
	if [ "$what" = '\set grids' ]; then
		grep -qE '^ *repaired *\| *1 *\| Ring Self-intersection' <<<"$out"    # not a pipe: grep -q may exit first
		check $? "block $b: its dry run reports the self-touching ring as the one feature to repair"
	fi
	got=$(q -d county -c "SELECT count(*) FROM shegu.grid WHERE shegu.level(code) = 5 AND boundary IS NOT NULL AND ST_IsValid(boundary)")
	[ "$got" = 4 ]
	check $? "block $b: the four communities are loaded, valid ($got)"
	got=$(q -d county -c "SELECT count(*) FROM shegu.grid WHERE code::text = '430528101' AND boundary IS NOT NULL")
	[ "$got" = 1 ]
	check $? "block $b: the township is derived from them"
	off=$(q -d county -c "SELECT round((max(ST_HausdorffDistance(g.boundary, s.truth)) * 111000)::numeric, 2)
	                       FROM unnest(string_to_array('$probes', ';')) AS p,
	                       LATERAL (SELECT split_part(p, ' ', 1) AS code, ST_GeomFromText(substr(p, strpos(p, ' ') + 1), 4326) AS truth) s
	                       JOIN shegu.grid g ON g.code::text = s.code")
	awk -v m="${off:-x}" 'BEGIN { exit !(m ~ /^[0-9.]+$/ && m < 2) }'
	check $? "block $b: every community within 2 m of where it was drawn (datum converted; ${off:-?} m)"
done

q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS county" >/dev/null
exit $status
