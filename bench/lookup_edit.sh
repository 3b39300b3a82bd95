#!/usr/bin/env bash
# Edit-to-visible and the longest reader wait during an index rebuild: sourced by bench/lookup.sh
# (or run alone against a running server: bench/lookup_edit.sh DB).  Readers (pgbench, READERS
# clients) locate random points over the registry's extent while one session redraws grids:
# basic grids deleted and put back one at a time, then a whole township's basic grids shifted by
# 1e-5 degrees and shifted back.  After each committed edit the editing session locates a point
# the edit changes, transaction after transaction, until the answer changes: that is the
# edit-to-visible time.  pgbench's per-statement log gives the longest wait of any reader.
# EDIT_GRIDS=10 basic grids are each deleted and put back (20 one-grid edits), with pauses of
# 0.2-1.7 s between them so that some edits come while the builder compacts.
# bench/lookup_edit.sh
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	source "$(dirname "$0")/../tools/lib.sh"
	export PGHOST=$SHEGU_RUN_DIR PGPORT=$SHEGU_PORT PGUSER=postgres
	edit_db=${1:?usage: bench/lookup_edit.sh DB}
else
	edit_db=${edit_db:-${db:-}}
fi
READERS=${READERS:-4}

eq() { PGOPTIONS="-c search_path=public,shegu" run_psql -d "$edit_db" -At "$@"; }

edit_bench() {
	local label=$1 ext rd
	eq <<-'SQL' >/dev/null
		CREATE TABLE IF NOT EXISTS bench_saved (LIKE shegu.grid);
		-- run the edit, then from just before its COMMIT locate p transaction after transaction
		-- until it answers want: the milliseconds from the COMMIT to the first such answer
		CREATE OR REPLACE PROCEDURE bench_visible(edit text, p geometry, want shegu.gridcode, INOUT ms float8 DEFAULT NULL)
		LANGUAGE plpgsql AS $$
		DECLARE t0 timestamptz; got shegu.gridcode;
		BEGIN
		    EXECUTE edit;
		    t0 := clock_timestamp();
		    COMMIT;
		    LOOP
		        got := shegu.locate(p);
		        EXIT WHEN got IS NOT DISTINCT FROM want;
		        COMMIT;
		        IF clock_timestamp() - t0 > interval '120 s' THEN RAISE EXCEPTION 'never visible'; END IF;
		    END LOOP;
		    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		END $$;
	SQL
	ext=$(eq -F ' ' -c "SELECT ST_XMin(e), ST_XMax(e) - ST_XMin(e), ST_YMin(e), ST_YMax(e) - ST_YMin(e)
	                    FROM (SELECT ST_Extent(boundary) AS e FROM shegu.grid) s")
	set -- $ext
	printf '%s\n' "\\set rx random(0, 1000000)" "\\set ry random(0, 1000000)" \
		"SELECT shegu.locate(ST_SetSRID(ST_MakePoint($1 + $2 * :rx / 1e6, $3 + $4 * :ry / 1e6), 4326));" \
		>"$SHEGU_RUN_DIR/edit_reader.sql"
	eq -c "SELECT shegu.locate(ST_SetSRID(ST_MakePoint($1, $3), 4326))" >/dev/null	# the first build
	# the readers alone first: their longest wait without any edit (the machine's own noise)
	rd="$SHEGU_RUN_DIR/edit_readers"; rm -rf "$rd"; mkdir -p "$rd"
	( cd "$rd" && "$("$PG_CONFIG" --bindir)/pgbench" -n -c "$READERS" -j "$READERS" -T 8 -l \
		-f "$SHEGU_RUN_DIR/edit_reader.sql" "$edit_db" >"$rd/out.txt" 2>&1 )
	edit_quiet=$(cat "$rd"/pgbench_log.* | awk '{ if ($3 > m) m = $3 } END { printf "%.1f", m / 1000 }')
	edit_quiet_slow=$(cat "$rd"/pgbench_log.* | awk '$3 > 100000 { n++ } END { print n + 0 }')
	rm -rf "$rd"; mkdir -p "$rd"
	( cd "$rd" && "$("$PG_CONFIG" --bindir)/pgbench" -n -c "$READERS" -j "$READERS" -T "${EDIT_SECONDS:-60}" -l \
		-f "$SHEGU_RUN_DIR/edit_reader.sql" "$edit_db" >"$rd/out.txt" 2>&1 ) &
	local pgb=$! i g p comm ms vis=() pause
	sleep 2
	for i in $(seq 1 "${EDIT_GRIDS:-10}"); do
		# a current basic grid with a current community, and a point inside it
		read -r g p comm < <(eq -F ' ' -c "SELECT g.code, encode(ST_AsEWKB(ST_PointOnSurface(g.boundary)), 'hex'), shegu.parent(g.code)
			FROM shegu.grid g WHERE g.kind = 'basic' AND g.valid_to IS NULL ORDER BY g.code OFFSET $((i * 997)) LIMIT 1")
		eq -c "DELETE FROM bench_saved; INSERT INTO bench_saved SELECT * FROM shegu.grid WHERE code = '$g'" >/dev/null
		ms=$(eq -c "CALL bench_visible(\$\$DELETE FROM shegu.grid WHERE code = '$g'\$\$, '$p', '$comm')")
		vis+=("$ms")
		ms=$(eq -c "CALL bench_visible('INSERT INTO shegu.grid SELECT * FROM bench_saved', '$p', '$g')")
		vis+=("$ms")
		# pauses of 0.2 to 1.7 s: some edits come while the builder compacts (after 1 s of quiet)
		pause=$(( (i % 4) * 5 + 2 ))
		sleep "$((pause / 10)).$((pause % 10))"
	done
	# a township redrawn: every basic grid of one township deleted, then put back
	local town n
	read -r town n < <(eq -F ' ' -c "SELECT shegu.parent(shegu.parent(code)), count(*) FROM shegu.grid WHERE kind = 'basic' GROUP BY 1 ORDER BY 1 OFFSET 1 LIMIT 1")
	read -r g p < <(eq -F ' ' -c "SELECT code, encode(ST_AsEWKB(ST_PointOnSurface(boundary)), 'hex') FROM shegu.grid
		WHERE kind = 'basic' AND shegu.parent(shegu.parent(code)) = '$town' ORDER BY code LIMIT 1")
	local town_ms=()
	eq -c "DELETE FROM bench_saved; INSERT INTO bench_saved SELECT * FROM shegu.grid WHERE kind = 'basic' AND shegu.parent(shegu.parent(code)) = '$town'" >/dev/null
	ms=$(eq -c "CALL bench_visible(\$\$DELETE FROM shegu.grid WHERE kind = 'basic' AND shegu.parent(shegu.parent(code)) = '$town'\$\$, '$p', shegu.parent('$g'))")
	town_ms+=("$ms")
	sleep 1
	ms=$(eq -c "CALL bench_visible('INSERT INTO shegu.grid SELECT * FROM bench_saved', '$p', '$g')")
	town_ms+=("$ms")
	wait "$pgb"
	local worst n_stmts n_slow
	worst=$(cat "$rd"/pgbench_log.* | awk '{ if ($3 > m) m = $3 } END { printf "%.1f", m / 1000 }')
	n_slow=$(cat "$rd"/pgbench_log.* | awk '$3 > 100000 { n++ } END { print n + 0 }')
	n_stmts=$(cat "$rd"/pgbench_log.* | wc -l)
	echo "$label: one-grid edit to visible (ms): ${vis[*]}"
	edit_vis_summary="$(printf '%s\n' "${vis[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "min %.1f, median %.1f, max %.1f ms", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }') over ${#vis[@]} edits"
	echo "$label: one-grid edits to visible: $edit_vis_summary"
	echo "$label: township redraw ($n basic grids) to visible (ms): ${town_ms[*]}"
	echo "$label: longest wait of $READERS readers during the edits: $worst ms ($n_stmts statements, $n_slow over 100 ms; $edit_quiet ms in 8 s without edits, $edit_quiet_slow statements over 100 ms)"
	edit_worst=$worst
	edit_vis_max=$(printf '%s\n' "${vis[@]}" | sort -g | tail -1)
	edit_town_max=$(printf '%s\n' "${town_ms[@]}" | sort -g | tail -1)
	# the edits are undone, but the index now answers there from its delta: compare it with
	# PostGIS on random points over the redrawn township and on every vertex there
	local agree
	agree=$(eq -F ' ' <<-SQL
		SELECT CASE WHEN to_regprocedure('shegu.lookup_wait(int)') IS NOT NULL THEN shegu.lookup_wait(10000) END;
		CREATE TEMP TABLE ep AS
		SELECT ST_SetSRID(ST_MakePoint(ST_XMin(e) + random() * (ST_XMax(e) - ST_XMin(e)),
		                               ST_YMin(e) + random() * (ST_YMax(e) - ST_YMin(e))), 4326) AS pt
		FROM (SELECT ST_Extent(boundary) AS e FROM shegu.grid WHERE kind = 'basic' AND shegu.parent(shegu.parent(code)) = '$town') x,
		     generate_series(1, 20000)
		UNION ALL
		SELECT DISTINCT (ST_DumpPoints(boundary)).geom FROM shegu.grid WHERE kind = 'basic' AND shegu.parent(shegu.parent(code)) = '$town';
		SELECT 'points compared:', count(*), ' disagreeing with PostGIS:',
		       count(*) FILTER (WHERE shegu.locate(pt) IS DISTINCT FROM (
		           SELECT code FROM shegu.grid g WHERE ST_Covers(g.boundary, ep.pt) AND g.valid_from <= current_date
		           AND (g.valid_to IS NULL OR g.valid_to > current_date) ORDER BY shegu.level(code) DESC, code LIMIT 1)),
		       ' delta grids:', (SELECT to_jsonb(s) ->> 'delta_grids' FROM shegu.lookup_stats() s)
		FROM ep;
	SQL
	)
	echo "$label: after the edits, $(echo "$agree" | tail -1)"
	edit_disagree=$(echo "$agree" | tail -1 | awk '{ print $6 }')
	eq -c "DROP PROCEDURE bench_visible" -c "DROP TABLE bench_saved" >/dev/null
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	edit_bench "${LABEL:-edits}"
fi
