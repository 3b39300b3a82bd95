#!/usr/bin/env bash
# Base data of a county (issue 14): buildings, houses, households, residents with their identity
# numbers, residences, rentals, organisations and cameras bulk-loaded by COPY into shegu's tables
# (every row checked, located and its number sealed by the row triggers) against the same COPY into
# plain tables of the same columns, primary, unique and foreign keys (no checks, no triggers);
# then the workload of every grid, and a grid worker's "my residents" under row-level security
# against the same query as the centre.  Prints the ratios.
# bench/base.sh — SCALE=1 (500,000 residents) by default; SCALE=0.1 for a tenth.
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-base}
SHEGU_PORT=${BENCH_PORT:-54349}
source "$(dirname "$0")/../tools/lib.sh"

SCALE=${SCALE:-1}
REPEAT=${REPEAT:-20}
n() { awk -v s="$SCALE" -v n="$1" 'BEGIN { printf "%d", n * s }'; }
PEOPLE=$(n 500000) HOUSEHOLDS=$(n 200000) BUILDINGS=$(n 150000) RENTALS=$(n 20000)
ORGS=$(n 5000) CAMERAS=$(n 3000)

[ "${SKIP_BUILD:-0}" = 1 ] || build_install
start_server
q() { run_psql -d postgres -At "$@"; }
csv=$SHEGU_RUN_DIR/csv
mkdir -p "$csv" && chown "$(server_user)" "$csv" 2>/dev/null

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION pgcrypto" \
  -c "CREATE EXTENSION shegu" >/dev/null || die "CREATE EXTENSION failed"
say "base data of a county: $PEOPLE residents, $HOUSEHOLDS households, $BUILDINGS buildings, $RENTALS rentals, $ORGS organisations, $CAMERAS cameras; $(nproc) cores, $("$PG_CONFIG" --version)"

# The county: 20 townships x 10 communities x 5 basic grids (1,000 basic grids) in a lattice.
q >/dev/null <<SQL || die "grids failed"
SET search_path = shegu, public;
INSERT INTO grid (code, name, kind, boundary)
SELECT '430528', '新宁县', 'county', ST_Multi(ST_MakeEnvelope(110.5, 26.0, 111.5, 27.0, 4326));
INSERT INTO grid (code, name, kind, boundary)
SELECT '430528' || lpad((t + 1)::text, 3, '0'), '第' || (t + 1) || '镇', 'township',
       ST_Multi(ST_MakeEnvelope(110.5 + (t % 5) * 0.2, 26.0 + (t / 5) * 0.25, 110.7 + (t % 5) * 0.2, 26.25 + (t / 5) * 0.25, 4326))
FROM generate_series(0, 19) AS t;
INSERT INTO grid (code, name, kind, boundary)
SELECT '430528' || lpad((t + 1)::text, 3, '0') || lpad((c + 1)::text, 3, '0'), '第' || (t + 1) || '镇第' || (c + 1) || '社区', 'community',
       ST_Multi(ST_MakeEnvelope(110.5 + (t % 5) * 0.2 + (c % 5) * 0.04, 26.0 + (t / 5) * 0.25 + (c / 5) * 0.125,
                                110.54 + (t % 5) * 0.2 + (c % 5) * 0.04, 26.125 + (t / 5) * 0.25 + (c / 5) * 0.125, 4326))
FROM generate_series(0, 19) AS t, generate_series(0, 9) AS c;
CREATE TABLE public.bench_basic AS
SELECT b, '430528' || lpad((b / 50 + 1)::text, 3, '0') || lpad(((b / 5) % 10 + 1)::text, 3, '0') || lpad((b % 5 + 1)::text, 3, '0') AS code,
       110.5 + ((b / 50) % 5) * 0.2 + (((b / 5) % 10) % 5) * 0.04 + (b % 5) * 0.008 AS x0,
       26.0 + ((b / 50) / 5) * 0.25 + (((b / 5) % 10) / 5) * 0.125 AS y0
FROM generate_series(0, 999) AS b;
INSERT INTO grid (code, name, kind, boundary)
SELECT code, '第' || (b + 1) || '网格', 'basic', ST_Multi(ST_MakeEnvelope(x0, y0, x0 + 0.008, y0 + 0.125, 4326))
FROM public.bench_basic;
SQL

# The input files, as an app's export would give them (identity numbers in clear, no grid).
q >/dev/null <<SQL || die "data generation failed"
SELECT setseed(0.14);
CREATE FUNCTION public.bench_id(i bigint) RETURNS text LANGUAGE sql IMMUTABLE
RETURN (SELECT n || substr('10X98765432', (1 + (SELECT sum(substr(n, k::int, 1)::int * w)
          FROM unnest(ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]) WITH ORDINALITY AS x(w, k)) % 11)::int, 1)
        FROM (SELECT '430528' || to_char(date '1940-01-01' + (i / 1000)::int * 50, 'YYYYMMDD') || lpad((i % 1000)::text, 3, '0') AS n) AS q);
COPY (SELECT i, '金石路', i || '号', '小区' || (i % 300), (i % 30)::text,
             round((bb.x0 + 0.0005 + random() * 0.007)::numeric, 6), round((bb.y0 + 0.0005 + random() * 0.124)::numeric, 6), '2026-01-01'
      FROM generate_series(1, $BUILDINGS) AS i JOIN public.bench_basic AS bb ON bb.b = i % 1000)
  TO '$csv/building.csv' (FORMAT csv);
COPY (SELECT i, 1 + i % $BUILDINGS, (i % 4)::text, (i / $BUILDINGS + 1)::text,
             CASE WHEN i % 10 = 0 THEN 'rental' ELSE 'owner_occupied' END
      FROM generate_series(1, $HOUSEHOLDS) AS i) TO '$csv/house.csv' (FORMAT csv);
COPY (SELECT i, 'H' || i, CASE WHEN i % 10 = 0 THEN 'floating' ELSE 'family' END, i, '2026-01-01'
      FROM generate_series(1, $HOUSEHOLDS) AS i) TO '$csv/household.csv' (FORMAT csv);
COPY (SELECT i, '居民' || i, public.bench_id(i), '139' || lpad(i::text, 8, '0'), 1 + i % $HOUSEHOLDS,
             CASE WHEN i % 5 = 0 THEN 'floating' ELSE 'registered' END, '2026-01-01'
      FROM generate_series(1, $PEOPLE) AS i) TO '$csv/person.csv' (FORMAT csv);
COPY (SELECT i, i, 1 + i % $HOUSEHOLDS, '2026-01-01' FROM generate_series(1, $PEOPLE) AS i)
  TO '$csv/residence.csv' (FORMAT csv);
COPY (SELECT i, i * 10 % $HOUSEHOLDS + 1, i, '2026-01-01', 'filed', '2026-01-05' FROM generate_series(1, $RENTALS) AS i)
  TO '$csv/rental.csv' (FORMAT csv);
COPY (SELECT i, '商户' || i, (ARRAY['shop', 'factory', 'non_public_enterprise', 'social_organisation'])[1 + i % 4],
             round((bb.x0 + 0.0005 + random() * 0.007)::numeric, 6), round((bb.y0 + 0.0005 + random() * 0.124)::numeric, 6), '2026-01-01'
      FROM generate_series(1, $ORGS) AS i JOIN public.bench_basic AS bb ON bb.b = i % 1000) TO '$csv/organisation.csv' (FORMAT csv);
COPY (SELECT i, 'C' || i, round((bb.x0 + 0.0005 + random() * 0.007)::numeric, 6), round((bb.y0 + 0.0005 + random() * 0.124)::numeric, 6),
             CASE WHEN i % 3 = 0 THEN NULL ELSE round((random() * 359)::numeric, 1) END, CASE WHEN i % 3 = 0 THEN 360 ELSE 90 END,
             100 + i % 200, '公安', '2026-01-01'
      FROM generate_series(1, $CAMERAS) AS i JOIN public.bench_basic AS bb ON bb.b = i % 1000) TO '$csv/camera.csv' (FORMAT csv);
SQL

# The plain tables: the same columns, primary, unique, exclusion and foreign keys; no checks, no
# triggers, grid columns nullable (nothing locates them).
q >/dev/null <<'SQL' || die "plain tables failed"
CREATE SCHEMA plain;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['building', 'house', 'household', 'person', 'residence', 'rental', 'organisation', 'camera'] LOOP
        EXECUTE format('CREATE TABLE plain.%I (LIKE shegu.%I INCLUDING DEFAULTS INCLUDING INDEXES)', t, t);
    END LOOP;
END $$;
ALTER TABLE plain.building ALTER grid DROP NOT NULL;
ALTER TABLE plain.organisation ALTER grid DROP NOT NULL;
ALTER TABLE plain.camera ALTER grid DROP NOT NULL;
ALTER TABLE plain.house ADD FOREIGN KEY (building) REFERENCES plain.building;
ALTER TABLE plain.household ADD FOREIGN KEY (house) REFERENCES plain.house;
ALTER TABLE plain.person ADD FOREIGN KEY (household) REFERENCES plain.household;
ALTER TABLE plain.residence ADD FOREIGN KEY (person) REFERENCES plain.person, ADD FOREIGN KEY (house) REFERENCES plain.house;
ALTER TABLE plain.rental ADD FOREIGN KEY (house) REFERENCES plain.house, ADD FOREIGN KEY (landlord) REFERENCES plain.person;
SQL

cols_building="id, road, road_number, compound, building_no, lon, lat, since"
cols_house="id, building, unit, room, use"
cols_household="id, number, kind, house, since"
cols_person="id, name, id_number, phone, household, residence_kind, since"
cols_residence="id, person, house, valid_from"
cols_rental="id, house, landlord, valid_from, filing, filed_on"
cols_organisation="id, name, kind, lon, lat, since"
cols_camera="id, code, lon, lat, direction_deg, fov_deg, range_m, owner, since"

now_ms() { date +%s%3N; }
total_shegu=0 total_plain=0
for t in building house household person residence rental organisation camera; do
	eval "cols=\$cols_$t"
	for schema in plain shegu; do
		start=$(now_ms)
		q -c "COPY $schema.$t ($cols) FROM '$csv/$t.csv' (FORMAT csv)" >/dev/null || die "COPY into $schema.$t failed"
		ms=$(( $(now_ms) - start ))
		if [ $schema = shegu ]; then total_shegu=$((total_shegu + ms)); s_ms=$ms; else total_plain=$((total_plain + ms)); p_ms=$ms; fi
	done
	rows=$(q -c "SELECT count(*) FROM shegu.$t")
	printf '  %-13s %8d rows   plain COPY %6d ms   shegu COPY %6d ms   ratio plain/shegu %s\n' "$t" "$rows" "$p_ms" "$s_ms" \
		"$(awk -v a="$p_ms" -v b="$s_ms" 'BEGIN { printf "%.2f", a / b }')"
done
printf 'bulk load, all tables: plain COPY %d ms, shegu COPY (checked, located, sealed) %d ms\n' "$total_plain" "$total_shegu"
printf 'ratio plain/shegu: %s (the target: at least 0.5)\n' "$(awk -v a="$total_plain" -v b="$total_shegu" 'BEGIN { printf "%.2f", a / b }')"
q -c "SELECT 'check: ' || (SELECT count(*) FROM shegu.building WHERE grid IS NULL) || ' buildings without a grid, '
             || (SELECT count(*) FROM shegu.person WHERE id_hash IS NULL) || ' people without a sealed number, '
             || (SELECT count(*) FROM shegu.person WHERE id_number IS NOT NULL) || ' numbers in clear'"
q -c "SELECT 'setval ' || setval('shegu.person_id_seq', (SELECT max(id) FROM shegu.person))" >/dev/null
q -c "ANALYZE" >/dev/null

# The workload of every grid (1,221 grids), best of 3 in one session (psql's \timing: the
# server's time, without the connection).
best_of_3() {  # SQL [SET command]: the best of three runs in one session, in whole ms
	{ echo "${2:-SELECT 1;}"; echo '\timing on'; for _ in 1 2 3; do echo "$1;"; done; } | q \
		| awk '/^Time: / { ms = $2 + 0; if (best == "" || ms < best) best = ms } END { printf "%d", best }'
}
rows=$(q -c "SELECT count(*) FROM shegu.grid_workload_at(current_date)")
best=$(best_of_3 "SELECT count(*) FROM shegu.grid_workload_at(current_date)")
printf 'workload of every grid (%s grids): %d ms (best of 3; the target: under 1000 ms)\n' "$rows" "$best"
# The baseline: the same households, residents by kind and rentals per basic grid counted by plain
# SQL joining every row to its house and building (how the workload was computed before the tally).
direct_sql="SELECT b.grid, sum(x.hh) AS hh, sum(x.rs) AS rs, sum(x.fl) AS fl, sum(x.os) AS os, sum(x.rn) AS rn FROM (
    SELECT hh.house, 1 AS hh, 0 AS rs, 0 AS fl, 0 AS os, 0 AS rn FROM shegu.household AS hh
    WHERE hh.since <= current_date AND (hh.left_on IS NULL OR hh.left_on > current_date)
    UNION ALL
    SELECT r.house, 0, 1, (p.residence_kind = 'floating')::int, (p.residence_kind = 'overseas')::int, 0
    FROM shegu.residence AS r JOIN shegu.person AS p ON p.id = r.person
    WHERE r.reason IS NULL AND r.valid_from <= current_date AND (r.valid_to IS NULL OR r.valid_to > current_date)
    UNION ALL
    SELECT re.house, 0, 0, 0, 0, 1 FROM shegu.rental AS re
    WHERE re.valid_from <= current_date AND (re.valid_to IS NULL OR re.valid_to > current_date)) AS x
  JOIN shegu.house AS h ON h.id = x.house JOIN shegu.building AS b ON b.id = h.building GROUP BY b.grid"
base=$(best_of_3 "SELECT count(*) FROM ($direct_sql) AS d" "SET work_mem = '256MB';")
printf 'the same counts by plain SQL joining every row: %d ms (best of 3, work_mem 256MB as the function has); ratio plain/workload %s\n' \
	"$base" "$(awk -v a="$base" -v b="$best" 'BEGIN { printf "%.2f", a / b }')"
q -c "SELECT 'check: ' || count(*) || ' basic grids, ' || count(*) FILTER (WHERE w.code IS NULL OR (w.households, w.residents, w.floating, w.overseas, w.rentals) IS DISTINCT FROM (d.hh, d.rs, d.fl, d.os, d.rn)) || ' differ from the plain count'
      FROM ($direct_sql) AS d LEFT JOIN shegu.grid_workload_at(current_date) AS w ON w.code OPERATOR(shegu.=) d.grid"
q -c "SELECT 'check: county residents ' || residents || ', households ' || households || ', rentals ' || rentals
             || ', businesses ' || businesses || ', cameras ' || cameras
      FROM shegu.grid_workload_at(current_date) WHERE code OPERATOR(shegu.=) '430528'"

# Single-row writes pay the tally's statement trigger: 2,000 one-row UPDATEs that close a main
# home, with the trigger and with it disabled (each in a transaction rolled back), best of 3.
one_rows="DO \$\$ BEGIN FOR i IN 1..2000 LOOP UPDATE shegu.residence SET valid_to = current_date + 30 WHERE id = i; END LOOP; END \$\$"
best_in_tx() {  # SQL [set-up inside the transaction]: best of three, each timed alone and rolled back
	{ for _ in 1 2 3; do echo "BEGIN;"; echo "${2:-SELECT 1;}"; echo '\timing on'; echo "$1;"; echo '\timing off'; echo "ROLLBACK;"; done; } \
		| q | awk '/^Time: / { ms = $2 + 0; if (best == "" || ms < best) best = ms } END { printf "%d", best }'
}
with_t=$(best_in_tx "$one_rows")
without_t=$(best_in_tx "$one_rows" "ALTER TABLE shegu.residence DISABLE TRIGGER house_tally_update;")
printf 'single-row writes (2,000 one-row UPDATEs of residences): with the tally trigger %d ms, without %d ms; ratio without/with %s\n' \
	"$with_t" "$without_t" "$(awk -v a="$without_t" -v b="$with_t" 'BEGIN { printf "%.2f", a / b }')"

# "My residents": a grid worker of one basic grid under row-level security, against the centre
# asking for the same grid; each REPEAT times in one session.
q >/dev/null <<'SQL'
CREATE ROLE bench_worker LOGIN IN ROLE shegu_grid_worker;
CREATE ROLE bench_centre LOGIN IN ROLE shegu_centre;
INSERT INTO shegu.grid_staff (code, person_name, role, db_role, valid_from)
VALUES ('430528001001001', '网格员', 'grid_worker', 'bench_worker', '2020-01-01');
SQL
time_as() {  # role, query: ms for REPEAT runs
	local start; start=$(now_ms)
	for _ in $(seq "$REPEAT"); do echo "$2;"; done | run_psql -d postgres -U "$1" -At >/dev/null || die "$2 as $1 failed"
	echo $(( $(now_ms) - start ))
}
mine=$(q -c "SELECT count(*) FROM shegu.my_residents(current_date, '430528001001001')")
w=$(time_as bench_worker "SELECT count(*) FROM shegu.my_residents()")
c=$(time_as bench_centre "SELECT count(*) FROM shegu.my_residents(current_date, '430528001001001')")
printf 'my residents (%s people, %d runs): grid worker %d ms, centre %d ms, ratio worker/centre %s (the target: within 2)\n' \
	"$mine" "$REPEAT" "$w" "$c" "$(awk -v a="$w" -v b="$c" 'BEGIN { printf "%.2f", a / b }')"
w=$(time_as bench_worker "SELECT count(*) FROM shegu.person")
c=$(time_as bench_centre "SELECT count(*) FROM shegu.person AS p WHERE EXISTS (SELECT 1 FROM shegu.residence r JOIN shegu.house h ON h.id = r.house JOIN shegu.building b ON b.id = h.building WHERE r.person = p.id AND (r.valid_to IS NULL OR r.valid_to > current_date) AND b.grid OPERATOR(shegu.<@) '430528001001001')")
printf 'people under row-level security (%d runs): grid worker %d ms, centre with the same filter %d ms, ratio %s\n' \
	"$REPEAT" "$w" "$c" "$(awk -v a="$w" -v b="$c" 'BEGIN { printf "%.2f", a / b }')"

if [ "${BENCH_KEEP:-0}" = 1 ]; then
	trap - EXIT
	echo "kept: psql -h $SHEGU_RUN_DIR -p $SHEGU_PORT -U postgres postgres"
fi
