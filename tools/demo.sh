#!/usr/bin/env bash
# The main job: sets up everything, starts a throwaway PostgreSQL, creates shegu and tells the
# story of one county's month as a centre's analyst follows it (demo/story/*.sql in order, one
# session): set up the grids, locate the reports, handle and escalate, measure, index, publish,
# and a summary board.
# tools/demo.sh — the README's first command.  Settings (environment):
#   SHEGU_KEEP=1       leave the server running (the try-it page, docs/try-it.md, runs on it)
#   SHEGU_DEMO_ECHO=1  also print every SQL statement as it runs
#   SHEGU_DEMO_OUT     where the files go (default build/demo in the checkout)
# `bash tools/demo.sh rooms` runs the room-by-room tours instead (demo/<room>.sql in install
# order, database shegu_rooms): what each room can do, statement by statement.
source "$(dirname "$0")/lib.sh"

install_packages
# the CJK font the maps name: wanted, not required (the SVG still opens elsewhere)
if ! (install_packages "${SHEGU_DEMO_PACKAGES[@]}") 2>/dev/null; then
	echo "shegu: ${SHEGU_DEMO_PACKAGES[*]} is missing (run as root to install it): Chinese labels of a PNG drawn here may show as boxes"
fi
build_install
start_server

export SHEGU_DEMO_OUT=${SHEGU_DEMO_OUT:-$SHEGU_TOP/build/demo}
mkdir -p "$SHEGU_DEMO_OUT" || die "cannot create $SHEGU_DEMO_OUT"
echo_flag=()
[ "${SHEGU_DEMO_ECHO:-0}" = 1 ] && echo_flag=(-e)

if [ "${1:-}" = rooms ]; then
	db=shegu_rooms
	run_psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	run_psql -d $db -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
	for room in $(make -C "$SHEGU_TOP" -s print-rooms); do
		script="$SHEGU_TOP/demo/$room.sql"
		[ -f "$script" ] || continue
		say "room tour: $room (demo/$room.sql)"
		run_psql -d $db -e -f "$script" || die "demo/$room.sql failed"
	done
else
	db=shegu_demo
	run_psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	run_psql -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu"
	say "一个县的一月 One county's January (the SQL of each step: demo/story/)"
	files=()
	for f in "$SHEGU_TOP"/demo/story/[0-9]*.sql; do files+=(-f "$f"); done
	run_psql -d $db "${echo_flag[@]}" "${files[@]}" || die "the story stopped (demo/story/)"
	if command -v chromium >/dev/null 2>&1; then
		timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,900 \
			--screenshot="$SHEGU_DEMO_OUT/index_2026-01.png" "file://$SHEGU_DEMO_OUT/index_2026-01.svg" \
			>"$SHEGU_DEMO_OUT/chromium.log" 2>&1 \
			&& echo "drew the map as a picture too: $SHEGU_DEMO_OUT/index_2026-01.png"
	fi
fi

say "the demo ran on database $db"
echo "files (open them in a browser or a GIS): $SHEGU_DEMO_OUT"
if [ "${SHEGU_KEEP:-0}" = 1 ]; then
	trap - EXIT
	echo "the server keeps running; connect with:"
	echo "  psql -h $SHEGU_RUN_DIR -p $SHEGU_PORT -U postgres $db"
	echo "stop it with:"
	echo "  runuser -u postgres -- $("$PG_CONFIG" --bindir)/pg_ctl -D $SHEGU_RUN_DIR/data stop"
else
	echo "the throwaway server stops now (SHEGU_KEEP=1 keeps it running)"
fi
