#!/usr/bin/env bash
# The main job: sets up everything, starts a throwaway PostgreSQL, creates shegu and walks
# through what it does, room by room (demo/<room>.sql in install order).
# tools/demo.sh — the README's first command.  SHEGU_KEEP=1 leaves the server running.
source "$(dirname "$0")/lib.sh"

install_packages
build_install
start_server

# files the demo writes (demo/report.sql: a GeoJSON and an SVG map)
export SHEGU_DEMO_OUT=${SHEGU_DEMO_OUT:-$SHEGU_TOP/build/demo}
mkdir -p "$SHEGU_DEMO_OUT" || die "cannot create $SHEGU_DEMO_OUT"

run_psql -d postgres -c "DROP DATABASE IF EXISTS shegu_demo" -c "CREATE DATABASE shegu_demo"
run_psql -d shegu_demo -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
for room in $(make -C "$SHEGU_TOP" -s print-rooms); do
	script="$SHEGU_TOP/demo/$room.sql"
	[ -f "$script" ] || continue
	say "demo: $room"
	run_psql -d shegu_demo -e -f "$script" || die "demo/$room.sql failed"
done

say "the demo ran on database shegu_demo"
echo "map files (open them in a browser or a GIS): $SHEGU_DEMO_OUT"
if [ "${SHEGU_KEEP:-0}" = 1 ]; then
	trap - EXIT
	echo "the server keeps running; connect with:"
	echo "  psql -h $SHEGU_RUN_DIR -p $SHEGU_PORT -U postgres shegu_demo"
	echo "stop it with:"
	echo "  runuser -u postgres -- $("$PG_CONFIG" --bindir)/pg_ctl -D $SHEGU_RUN_DIR/data stop"
else
	echo "the throwaway server stops now (SHEGU_KEEP=1 keeps it running)"
fi
