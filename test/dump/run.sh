#!/usr/bin/env bash
# pg_dump round trip: a database using shegu is dumped (custom and plain format) and restored the
# documented ways (docs/restore.md) — pg_restore and psql -f, as a superuser and as a
# non-superuser database owner — and every table is compared row by row with the source; the
# restored database still works; the extension drops and re-creates cleanly.
# test/dump/run.sh — called by tools/test.sh with the throwaway server's settings in the
# environment.  Each room may add test/dump/<room>.sql, which writes user rows into its tables
# (run in install order, as a superuser).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shegu_dump.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

src=shegu_dump_a
owner=shegu_dump_owner
dbs="$src shegu_dump_su_fc shegu_dump_su_sql shegu_dump_own_fc shegu_dump_own_sql"
for db in $dbs; do psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
psql -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $owner" -c "CREATE ROLE $owner LOGIN" >/dev/null

# ---- the source database, filled by the rooms' fixtures
psql -d postgres -c "CREATE DATABASE $src" >/dev/null
psql -d $src -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
for room in $(make -C "$top" -s print-rooms); do
	[ -f "$top/test/dump/$room.sql" ] || continue
	psql -d $src -f "$top/test/dump/$room.sql" >/dev/null || check 1 "fixture test/dump/$room.sql"
done

# the user's own objects built on shegu, owned by the database owner: a table whose grid column
# the fill_grid trigger keeps, a foreign key to the incidents, a view
psql -d $src -c "SET search_path = public, shegu" -c "
	CREATE TABLE patrol_point (id serial PRIMARY KEY, incident bigint REFERENCES shegu.incident,
	                           pt geometry(Point, 4326) NOT NULL, grid shegu.gridcode);
	CREATE TRIGGER patrol_point_grid BEFORE INSERT OR UPDATE ON patrol_point
	    FOR EACH ROW EXECUTE FUNCTION shegu.fill_grid('pt', 'grid');
	INSERT INTO patrol_point (incident, pt) VALUES (1, ST_SetSRID(ST_MakePoint(110.1, 26.1), 4326)),
	                                               (NULL, ST_SetSRID(ST_MakePoint(110.3, 26.1), 4326));
	CREATE VIEW patrol_incident AS SELECT p.id, p.grid, i.title FROM patrol_point p JOIN shegu.incident i ON i.id = p.incident;
	ALTER TABLE patrol_point OWNER TO $owner; ALTER VIEW patrol_incident OWNER TO $owner;
	GRANT SELECT, REFERENCES ON shegu.incident TO $owner" >/dev/null
check $? "the user's table with a fill_grid trigger, a foreign key to shegu.incident and a view"

"$bindir/pg_dump" -Fc -d $src -f "$tmp/dump.fc" 2>"$tmp/pg_dump.log"
check $? "pg_dump -Fc of a database using shegu"
"$bindir/pg_dump" -d $src -f "$tmp/dump.sql" 2>>"$tmp/pg_dump.log"
check $? "pg_dump (plain SQL) of a database using shegu"
# the base room's people (test/dump/base.sql): no identity number in clear in the dump, nor the key
! grep -q -e '430528199001011233' -e '11010519491231002X' "$tmp/dump.sql" \
	&& ! grep -q "$(psql -d postgres -At -c 'SHOW shegu.pii_key')" "$tmp/dump.sql"
check $? "the dump holds no identity number in clear and not the key that seals them"

# ---- the four restores
psql -d postgres -c "CREATE DATABASE shegu_dump_su_fc" >/dev/null \
	&& "$bindir/pg_restore" --exit-on-error -d shegu_dump_su_fc "$tmp/dump.fc"
check $? "superuser: pg_restore --exit-on-error into a new database"
psql -d postgres -c "CREATE DATABASE shegu_dump_su_sql" >/dev/null \
	&& psql -d shegu_dump_su_sql -f "$tmp/dump.sql" >/dev/null
check $? "superuser: psql -v ON_ERROR_STOP=1 -f of the plain dump into a new database"

# A database owner cannot create untrusted extensions (PostGIS, shegu): a superuser creates the
# database for the owner, installs the extensions and grants the owner the writes a restore
# needs (and BYPASSRLS: dumps load with row_security = off, which fails on a table whose row
# security applies to the loading role); the owner restores everything but the schema and
# extensions (the TOC list leaves them out).
prepare_owner_db() {
	psql -d postgres -c "CREATE DATABASE $1 OWNER $owner" -c "ALTER ROLE $owner BYPASSRLS" >/dev/null \
	&& psql -d "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" \
		-c "GRANT USAGE ON SCHEMA shegu TO $owner" \
		-c "GRANT SELECT, INSERT, UPDATE, REFERENCES ON ALL TABLES IN SCHEMA shegu TO $owner" \
		-c "GRANT SELECT, USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA shegu TO $owner" \
		-c "GRANT SELECT, INSERT ON public.spatial_ref_sys TO $owner" >/dev/null
}
"$bindir/pg_restore" -l "$tmp/dump.fc" | grep -vE '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - shegu |EXTENSION - |COMMENT - EXTENSION )' >"$tmp/owner.toc"
prepare_owner_db shegu_dump_own_fc \
	&& "$bindir/pg_restore" --exit-on-error -U $owner -L "$tmp/owner.toc" -d shegu_dump_own_fc "$tmp/dump.fc"
check $? "database owner: pg_restore --exit-on-error -L (schema and extensions left out) into a prepared database"
prepare_owner_db shegu_dump_own_sql \
	&& "$bindir/pg_restore" -L "$tmp/owner.toc" -f "$tmp/owner.sql" "$tmp/dump.fc" \
	&& psql -U $owner -d shegu_dump_own_sql -f "$tmp/owner.sql" >/dev/null
check $? "database owner: psql -v ON_ERROR_STOP=1 -f of the same as a plain script into a prepared database"

# ---- row-by-row comparison of every table and sequence outside the system schemas
relations_sql="SELECT format('%I.%I', n.nspname, c.relname) || ' ' || c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1"
# rows of a relation as text, sorted (a sequence: its last value and whether it was called)
rows() {
	if [ "$3" = S ]; then psql -d "$1" -At -c "SELECT last_value || ' ' || is_called FROM $2"
	else psql -d "$1" -At -c "COPY (SELECT x::text FROM $2 x) TO STDOUT"; fi | LC_ALL=C sort
}
psql -d $src -At -c "$relations_sql" >"$tmp/relations" && grep -q '^shegu\.incident r$' "$tmp/relations" \
	&& grep -q '^public\.patrol_point r$' "$tmp/relations"
check $? "list of the tables and sequences to compare"
echo "# rows in the source database:"
while read -r rel kind; do
	rows $src "$rel" "$kind" >"$tmp/src.$rel"
	[ "$kind" = S ] || echo "#   $rel $(wc -l <"$tmp/src.$rel")"
done <"$tmp/relations"
for db in shegu_dump_su_fc shegu_dump_su_sql shegu_dump_own_fc shegu_dump_own_sql; do
	diffs=0
	ntables=0
	psql -d $db -At -c "$relations_sql" >"$tmp/relations.$db"
	if ! cmp -s "$tmp/relations" "$tmp/relations.$db"; then
		echo "# $db: tables and sequences differ from the source's:"
		diff "$tmp/relations" "$tmp/relations.$db" | grep '^[<>]' | sed 's/^/#   /'
		diffs=$((diffs + 1))
	fi
	while read -r rel kind; do
		ntables=$((ntables + 1))
		rows $db "$rel" "$kind" >"$tmp/dst"
		only_src=$(LC_ALL=C comm -23 "$tmp/src.$rel" "$tmp/dst")
		only_dst=$(LC_ALL=C comm -13 "$tmp/src.$rel" "$tmp/dst")
		n=$(( $(printf '%s' "$only_src" | grep -c '^') + $(printf '%s' "$only_dst" | grep -c '^') ))
		if [ "$n" -gt 0 ]; then
			diffs=$((diffs + n))
			echo "# $db: $rel differs in $n rows"
			printf '%s\n' "$only_src" | grep -v '^$' | head -5 | cut -c1-300 | sed 's/^/#   only in the source:   /'
			printf '%s\n' "$only_dst" | grep -v '^$' | head -5 | cut -c1-300 | sed 's/^/#   only in the restored: /'
		fi
	done <"$tmp/relations"
	[ "$diffs" = 0 ] && [ "$ntables" -gt 0 ]
	check $? "$db: $ntables tables and sequences identical to the source row by row ($diffs differences)"

	# the restored database works: its caches build from the restored rows, numbering goes on
	out=$(psql -d $db -At -c "SET search_path = shegu, public" -c "SET shegu.incident_clock = '2026-04-01 09:00+08'" \
		-c "SELECT status FROM act(5, 'accept', '受理中心')" \
		-c "SELECT id FROM report('environment.dog', 'after restore', 'patrol', grid => '430528101002003', reported_at => '2026-04-01 08:00+08')" \
		-c "SELECT count(*) FROM incident_event WHERE incident_id = 7" \
		-c "SELECT locate(110.1, 26.1)" \
		-c "SELECT is_workday('2026-10-07'), add_work_time('2026-03-02 09:00+08', '1 hour')" \
		-c "SELECT dispose_limit FROM incident_category WHERE code = 'environment.garbage'" 2>&1 | tr '\n' ' ')
	[ "$out" = "accepted 7 1 430528101002003 t|2026-03-02 10:00:00+08 3 days " ]
	check $? "$db: act(), report numbering, locate, the edited calendar, schedule and category work after restore"
	[ "$out" = "accepted 7 1 430528101002003 t|2026-03-02 10:00:00+08 3 days " ] || echo "#   got: $out"
done

# Dropping the extension leaves nothing of it behind; it can be created again.
psql -d shegu_dump_su_fc -c "SET client_min_messages = warning" -c "DROP EXTENSION shegu CASCADE" >/dev/null \
	&& left=$(psql -d shegu_dump_su_fc -At -c "SELECT count(*) FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = 'shegu'") \
	&& [ "$left" = 0 ]
check $? "DROP EXTENSION shegu leaves no relation in schema shegu"
psql -d shegu_dump_su_fc -c "SET client_min_messages = warning" -c "CREATE EXTENSION shegu" >/dev/null
check $? "CREATE EXTENSION shegu again after DROP"

for db in $dbs; do psql -d postgres -c "DROP DATABASE $db" >/dev/null; done
psql -d postgres -c "DROP ROLE $owner" >/dev/null
exit $status
