#!/usr/bin/env bash
# Runs every ```sql block of docs/*.md, file by file, stopping at the first error: documentation
# examples must run.  A page runs in a fresh database with postgis and shegu, except a page whose
# first line is "<!-- doctest: demo ... -->" (docs/try-it.md): it runs on a database the demo's
# story filled (demo/story/*.sql, as tools/demo.sh runs it), as its reader runs it.
# tools/doctest.sh — called by tools/test.sh with the throwaway server's settings in the
# environment; prints "ok - docs/x.md" or "not ok - docs/x.md".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
psql_bin="$("${PG_CONFIG:-pg_config}" --bindir)/psql"
status=0
demo_ready=
fresh_db() {   # NAME: drop and create it with postgis and shegu
	"$psql_bin" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
		-c "CREATE DATABASE $1" >/dev/null &&
	"$psql_bin" -X -q -d "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" \
		-c "CREATE EXTENSION shegu" >/dev/null
}
demo_db() {    # the story once per run, into shegu_doc_demo, its files into a scratch directory
	[ -n "$demo_ready" ] && return "$demo_ready"
	local files=() f out
	out=$(mktemp -d)
	for f in "$top"/demo/story/[0-9]*.sql; do files+=(-f "$f"); done
	if fresh_db shegu_doc_demo && SHEGU_DEMO_OUT=$out "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d shegu_doc_demo \
			"${files[@]}" >"$out/story.log" 2>&1; then
		demo_ready=0
	else
		tail -5 "$out/story.log" | sed 's/^/#   /'
		demo_ready=1
	fi
	return "$demo_ready"
}
for doc in "$top"/docs/*.md; do
	sql=$(awk '/^```sql[[:space:]]*$/ {on=1; next} /^```/ {on=0} on' "$doc")
	[ -n "$sql" ] || continue
	name=docs/$(basename "$doc")
	if head -1 "$doc" | grep -q '^<!-- doctest: demo'; then
		db=shegu_doc_demo
		demo_db || { echo "not ok - $name (the demo's story did not run)"; status=1; continue; }
	else
		db=shegu_doc
		fresh_db $db
	fi
	if out=$(printf '%s\n' "SET client_min_messages = warning;" "$sql" \
			| "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d $db 2>&1 >/dev/null); then
		echo "ok - $name"
	else
		echo "not ok - $name"
		echo "$out" | sed 's/^/#   /' | head -20
		status=1
	fi
done
"$psql_bin" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS shegu_doc_demo" >/dev/null
exit $status
