#!/usr/bin/env bash
# pg_dump round trip: user data in shegu's configuration tables survives dump and restore, and
# the extension drops and re-creates cleanly.  test/dump/run.sh — called by tools/test.sh with
# the throwaway server's settings in the environment.  Each room may add test/dump/<room>.sql,
# which writes user rows into its tables (run in install order).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }

psql -d postgres -c "DROP DATABASE IF EXISTS shegu_dump_a" -c "DROP DATABASE IF EXISTS shegu_dump_b" \
	-c "CREATE DATABASE shegu_dump_a" -c "CREATE DATABASE shegu_dump_b" >/dev/null
psql -d shegu_dump_a -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
for room in $(make -C "$top" -s print-rooms); do
	[ -f "$top/test/dump/$room.sql" ] || continue
	psql -d shegu_dump_a -f "$top/test/dump/$room.sql" >/dev/null || check 1 "fixture test/dump/$room.sql"
done

# A fingerprint of every configuration table the extension registered: its name, row count
# and an md5 over its rows in a fixed order.
fingerprint_sql="
SELECT coalesce(string_agg(format('%s %s', c.oid::regclass, pg_temp.shegu_dump_fp(c.oid::regclass)), E'\n' ORDER BY c.relname), '(none)')
FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'shegu' AND c.relkind IN ('r', 'p');"
fp_function="
CREATE FUNCTION pg_temp.shegu_dump_fp(t regclass) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE r text;
BEGIN
    EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text)), ''-'') FROM %s x', t) INTO r;
    RETURN r;
END \$\$;"
fingerprint() { psql -d "$1" -At -c "$fp_function" -c "$fingerprint_sql"; }

before=$(fingerprint shegu_dump_a)
check $? "fingerprint of the configuration tables before dump"
"$bindir/pg_dump" -Fc -d shegu_dump_a -f "${TMPDIR:-/tmp}/shegu_dump.$$" \
	&& "$bindir/pg_restore" -d shegu_dump_b --exit-on-error "${TMPDIR:-/tmp}/shegu_dump.$$"
check $? "pg_dump and pg_restore of a database using shegu"
rm -f "${TMPDIR:-/tmp}/shegu_dump.$$"
after=$(fingerprint shegu_dump_b)
[ $? = 0 ] && [ "$before" = "$after" ]
check $? "configuration tables hold the same rows after restore"
[ "$before" = "$after" ] || { echo "# before:"; echo "$before" | sed 's/^/#   /'; echo "# after:"; echo "$after" | sed 's/^/#   /'; }
echo "$before" | sed 's/^/# /'

# Dropping the extension leaves nothing of it behind; it can be created again.
psql -d shegu_dump_b -c "SET client_min_messages = warning" -c "DROP EXTENSION shegu CASCADE" >/dev/null \
	&& left=$(psql -d shegu_dump_b -At -c "SELECT count(*) FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = 'shegu'") \
	&& [ "$left" = 0 ]
check $? "DROP EXTENSION shegu leaves no relation in schema shegu"
psql -d shegu_dump_b -c "SET client_min_messages = warning" -c "CREATE EXTENSION shegu" >/dev/null
check $? "CREATE EXTENSION shegu again after DROP"

psql -d postgres -c "DROP DATABASE shegu_dump_a" -c "DROP DATABASE shegu_dump_b" >/dev/null
exit $status
