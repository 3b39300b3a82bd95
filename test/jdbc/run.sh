#!/usr/bin/env bash
# pgJDBC end to end, the way a BI tool (Metabase) syncs: a role made by the documented recipe
# (shegu.grant_report_access) connects over the Unix socket (junixsocket, no TCP) and
# test/jdbc/ReportSync.java reads metadata, samples every report view and filters with String
# parameters.  test/jdbc/run.sh — called by tools/test.sh with the throwaway server's settings
# in the environment; prints TAP lines and "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
classpath=/usr/share/java/postgresql.jar:/usr/share/java/junixsocket-common.jar
role=report_jdbc_bi

psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS shegu_jdbc" -c "DROP ROLE IF EXISTS $role" -c "CREATE DATABASE shegu_jdbc" >/dev/null
psql -d shegu_jdbc -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
psql -d shegu_jdbc -f "$top/test/jdbc/fixture.sql" >/dev/null || { echo "not ok - fixture"; exit 1; }
# the recipe of docs/bi.md
psql -d shegu_jdbc -c "CREATE ROLE $role LOGIN" -c "SELECT shegu.grant_report_access('$role')" >/dev/null

mkdir -p "$top/build/jdbc"
if ! javac -encoding UTF-8 -d "$top/build/jdbc" -cp "$classpath" "$top/test/jdbc/ReportSync.java" 2>"$top/build/jdbc/javac.log"; then
	echo "not ok - javac test/jdbc/ReportSync.java"; sed 's/^/#   /' "$top/build/jdbc/javac.log" | head -20
	echo "0 passed, 1 failed"; status=1
else
	# the JVM in UTC, as Metabase usually runs: the reports must not depend on it
	java -Duser.timezone=UTC -cp "$top/build/jdbc:$classpath" ReportSync "$PGHOST" "$PGPORT" shegu_jdbc "$role"
	status=$?
fi
psql -d postgres -c "DROP DATABASE shegu_jdbc" -c "DROP ROLE $role" >/dev/null
exit $status
