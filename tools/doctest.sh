#!/usr/bin/env bash
# Runs every ```sql block of docs/*.md, file by file, each file in a fresh database with
# postgis and shegu, stopping at the first error: documentation examples must run.
# tools/doctest.sh — called by tools/test.sh with the throwaway server's settings in the
# environment; prints "ok - docs/x.md" or "not ok - docs/x.md".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
psql_bin="$("${PG_CONFIG:-pg_config}" --bindir)/psql"
status=0
for doc in "$top"/docs/*.md; do
	sql=$(awk '/^```sql[[:space:]]*$/ {on=1; next} /^```/ {on=0} on' "$doc")
	[ -n "$sql" ] || continue
	name=docs/$(basename "$doc")
	"$psql_bin" -X -q -d postgres -c "DROP DATABASE IF EXISTS shegu_doc" -c "CREATE DATABASE shegu_doc" >/dev/null
	if out=$(printf '%s\n' "SET client_min_messages = warning;" "CREATE EXTENSION postgis;" \
			"CREATE EXTENSION shegu;" "$sql" | "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d shegu_doc 2>&1 >/dev/null); then
		echo "ok - $name"
	else
		echo "not ok - $name"
		echo "$out" | sed 's/^/#   /' | head -20
		status=1
	fi
done
exit $status
