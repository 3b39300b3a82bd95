#!/usr/bin/env bash
# Runs every test of shegu: C unit tests and fuzzing of the pure engines, then pg_regress, pgTAP,
# dump/restore, upgrades, kill -9 under load (on a private cluster), pg_cron and the documentation
# examples against a throwaway server that is stopped afterwards, pass or fail.
# tools/test.sh — the README's test command; .ci/run calls it.
source "$(dirname "$0")/lib.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
passed=0
failed=0
tally() { passed=$((passed + $1)); failed=$((failed + $2)); }

install_packages
install_packages "${SHEGU_TEST_PACKAGES[@]}"
build_install

say "C unit tests of the engines (test/unit)"
out=$(make -C "$SHEGU_TOP" -s unittest 2>&1); status=$?
echo "$out" | grep -v '^ok '
bad=$(echo "$out" | grep -c '^not ok ')
[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1    # a test that did not build or crashed
tally "$(echo "$out" | grep -c '^ok ')" "$bad"

say "fuzzing the engines' parsers, ${FUZZ_SECONDS}s each (test/fuzz)"
out=$(make -C "$SHEGU_TOP" -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

start_server

say "pg_regress: the SQL surface (sql/, expected/)"
out=$(make -C "$SHEGU_TOP" -s PG_CONFIG="$PG_CONFIG" installcheck 2>&1); status=$?
echo "$out"
ran=$(echo "$out" | grep -cE '^(ok|not ok|test) ' || true)
bad=$(echo "$out" | grep -cE '^not ok |\.\.\. FAILED' || true)
[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
tally $((ran - bad > 0 ? ran - bad : 0)) "$bad"
[ $status -eq 0 ] || cat "$SHEGU_TOP/regression.diffs" 2>/dev/null | head -100

say "pgTAP: behaviour and invariants (test/pgtap)"
run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_tap" -c "CREATE DATABASE shegu_tap"
run_psql -d shegu_tap -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION dblink"
out=$(pg_prove -d shegu_tap --ext .sql -r "$SHEGU_TOP/test/pgtap" 2>&1); status=$?
echo "$out"
tests=$(echo "$out" | sed -nE 's/^Files=[0-9]+, Tests=([0-9]+).*/\1/p')
bad=$(echo "$out" | sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' | awk '{s+=$1} END {print s+0}')
[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
tally $(( ${tests:-0} - bad > 0 ? ${tests:-0} - bad : 0 )) "$bad"

say "pg_dump round trip and DROP/CREATE EXTENSION (test/dump)"
out=$(bash "$SHEGU_TOP/test/dump/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "upgrades from every released version: catalog, data, shipped rows (test/upgrade)"
out=$(bash "$SHEGU_TOP/test/upgrade/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "kill -9 under load: every acknowledged commit survives (test/crash)"
out=$(bash "$SHEGU_TOP/test/crash/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "pg_cron runs the documented sweep job (test/cron)"
out=$(bash "$SHEGU_TOP/test/cron/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "pgJDBC as a BI tool syncs the report views (test/jdbc)"
out=$(bash "$SHEGU_TOP/test/jdbc/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"
echo "$out" | grep -qE '^[0-9]+ passed, 0 failed$' || tally 0 1    # it did not run to its end

say "headless Chromium draws the choropleth SVG (test/svg)"
out=$(bash "$SHEGU_TOP/test/svg/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "the boundary guide with shp2pgsql and ogr2ogr (test/import)"
out=$(bash "$SHEGU_TOP/test/import/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "Citus: a coordinator and two workers run the documented layout (test/citus; skipped without citus)"
out=$(SHEGU_RUN_DIR="$SHEGU_RUN_DIR" SHEGU_PORT="$SHEGU_PORT" PG_CONFIG="$PG_CONFIG" bash "$SHEGU_TOP/test/citus/run.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "documentation examples (docs/*.md)"
out=$(bash "$SHEGU_TOP/tools/doctest.sh" 2>&1); echo "$out"
tally "$(echo "$out" | grep -c '^ok ')" "$(echo "$out" | grep -c '^not ok ')"

say "lookup without shegu in shared_preload_libraries: every session its own index (pgTAP)"
SHEGU_PRELOAD=0 start_server >/dev/null
run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_tap" -c "CREATE DATABASE shegu_tap"
run_psql -d shegu_tap -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION dblink"
out=$(pg_prove -d shegu_tap --ext .sql "$SHEGU_TOP/test/pgtap/lookup.sql" "$SHEGU_TOP/test/pgtap/lookup_shared.sql" 2>&1); status=$?
echo "$out"
tests=$(echo "$out" | sed -nE 's/^Files=[0-9]+, Tests=([0-9]+).*/\1/p')
bad=$(echo "$out" | sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' | awk '{s+=$1} END {print s+0}')
[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
tally $(( ${tests:-0} - bad > 0 ? ${tests:-0} - bad : 0 )) "$bad"

say "summary"
echo "shegu: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
