#!/usr/bin/env bash
# Upgrades: for every released version (a frozen shegu--V.sql), install it with the shegu.so of
# this checkout, fill it through its API, ALTER EXTENSION shegu UPDATE, and compare with a fresh
# CREATE EXTENSION of the default version: the catalog object by object (tools/catalog-diff.sh
# prints each difference), the user's rows kept, the shipped rows those of the fresh install.
# test/upgrade/run.sh — called by tools/test.sh with the throwaway server's settings in the
# environment; docs/upgrading.md.  A version V is filled by test/upgrade/fill-V.sql.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
pkglibdir=$("${PG_CONFIG:-pg_config}" --pkglibdir)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shegu_upgrade.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

default=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$top/shegu.control")
fresh=shegu_up_fresh
psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $fresh" -c "CREATE DATABASE $fresh" >/dev/null
psql -d $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
check $? "CREATE EXTENSION shegu (the default version $default) for comparison"

# Rows of a relation, as canonical JSON text, sorted; with a column list, only those columns.
rows_sql() { # table [columns-array-literal] [where]
	if [ -n "${2:-}" ]; then
		echo "SELECT (SELECT jsonb_object_agg(j.key, j.value) FROM jsonb_each(to_jsonb(x)) j WHERE j.key = ANY('$2'::text[]) AND j.key <> 'shipped')::text FROM $1 x ${3:-}"
	else
		echo "SELECT (to_jsonb(x) - 'shipped')::text FROM $1 x ${3:-}"
	fi
}
tables_sql="SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'shegu' ORDER BY 1"
columns_sql() { echo "SELECT '{' || string_agg(quote_ident(attname), ',' ORDER BY attnum) || '}' FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"; }

for script in "$top"/shegu--*.sql; do
	v=$(basename "$script" .sql); v=${v#shegu--}
	case "$v" in *--*) continue ;; esac
	[ "$v" = "$default" ] && continue
	old=shegu_up_$(echo "$v" | tr -c '0-9a-z\n' '_')

	# every C symbol the old version's script names is still exported by shegu.so
	missing=$(grep -oE "'MODULE_PATHNAME', *'[A-Za-z0-9_]+'" "$script" | sed -E "s/.*, *'//; s/'$//" | sort -u \
		| LC_ALL=C comm -23 - <(nm -D --defined-only "$pkglibdir/shegu.so" | awk '{print $3}' | LC_ALL=C sort -u))
	[ -z "$missing" ]
	check $? "$v: every C function of shegu--$v.sql is exported by the installed shegu.so"
	[ -z "$missing" ] || echo "$missing" | sed 's/^/#   missing: /'

	psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $old" -c "CREATE DATABASE $old" >/dev/null
	psql -d $old -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu VERSION '$v'" >/dev/null
	check $? "$v: CREATE EXTENSION shegu VERSION '$v' with the new shegu.so"
	if [ -f "$top/test/upgrade/fill-$v.sql" ]; then
		psql -d $old -f "$top/test/upgrade/fill-$v.sql" >/dev/null
		check $? "$v: filled through its API (test/upgrade/fill-$v.sql)"
	else
		check 1 "$v: test/upgrade/fill-$v.sql exists"
	fi

	# the rows before the update, on the old columns
	psql -d $old -At -c "$tables_sql" >"$tmp/tables.$v"
	while read -r t; do
		cols=$(psql -d $old -At -c "$(columns_sql "$t")")
		echo "$t $cols" >>"$tmp/columns.$v"
		psql -d $old -At -c "$(rows_sql "$t")" | LC_ALL=C sort >"$tmp/before.$t"
	done <"$tmp/tables.$v"

	psql -d $old -c "ALTER EXTENSION shegu UPDATE" >/dev/null \
		&& [ "$(psql -d $old -At -c "SELECT extversion FROM pg_extension WHERE extname = 'shegu'")" = "$default" ]
	check $? "$v: ALTER EXTENSION shegu UPDATE reaches $default"

	out=$(bash "$top/tools/catalog-diff.sh" $old $fresh "$v updated" "$default fresh" 2>&1)
	check $? "$v: the catalog of the updated extension is that of a fresh $default install"
	echo "$out" | sed 's/^/# /'

	# the user's rows are kept: every row before is there after (on the old columns); rows the
	# update added are shipped ones
	lost=0
	added=0
	while read -r t cols; do
		if [ "$(psql -d $old -At -c "SELECT to_regclass('$t') IS NOT NULL")" != t ]; then
			echo "#   $t: dropped by the update"; lost=$((lost + 1)); continue
		fi
		psql -d $old -At -c "$(rows_sql "$t" "$cols")" | LC_ALL=C sort >"$tmp/after.$t"
		n=$(LC_ALL=C comm -23 "$tmp/before.$t" "$tmp/after.$t" | tee "$tmp/lost" | grep -c '^')
		if [ "$n" -gt 0 ]; then
			lost=$((lost + n)); echo "#   $t: $n rows lost or changed by the update:"
			head -5 "$tmp/lost" | cut -c1-300 | sed 's/^/#     /'
		fi
		has_shipped=$(psql -d $old -At -c "SELECT count(*) FROM pg_attribute WHERE attrelid = '$t'::regclass AND attname = 'shipped'")
		where=""; [ "$has_shipped" = 1 ] && where="WHERE NOT shipped"
		psql -d $old -At -c "$(rows_sql "$t" "$cols" "$where")" | LC_ALL=C sort >"$tmp/after_user.$t"
		n=$(LC_ALL=C comm -13 "$tmp/before.$t" "$tmp/after_user.$t" | tee "$tmp/added" | grep -c '^')
		if [ "$n" -gt 0 ]; then
			added=$((added + n)); echo "#   $t: $n user rows the update added:"
			head -5 "$tmp/added" | cut -c1-300 | sed 's/^/#     /'
		fi
	done <"$tmp/columns.$v"
	[ $lost = 0 ] && [ $added = 0 ]
	check $? "$v: every row of every table is kept by the update ($lost lost or changed, $added user rows added)"

	# the shipped rows are the fresh install's, except those the user edited (now the user's)
	diffs=0
	edited=0
	for t in $(psql -d $fresh -At -c "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shegu' AND c.relkind = 'r' AND a.attname = 'shipped' ORDER BY 1"); do
		key="(SELECT jsonb_object_agg(j.key, j.value) FROM jsonb_each(to_jsonb(x)) j WHERE j.key = ANY(ARRAY(
			SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = '$t'::regclass AND i.indisprimary)))::text"
		psql -d $old -At -c "SELECT $key FROM $t x WHERE NOT shipped" | LC_ALL=C sort >"$tmp/userkeys"
		psql -d $fresh -At -c "SELECT $key || E'\t' || to_jsonb(x)::text FROM $t x WHERE shipped" | LC_ALL=C sort >"$tmp/fresh"
		LC_ALL=C join -t $'\t' -v 1 "$tmp/fresh" "$tmp/userkeys" | cut -f2 | LC_ALL=C sort >"$tmp/expected"
		edited=$((edited + $(LC_ALL=C join -t $'\t' "$tmp/fresh" "$tmp/userkeys" | grep -c '^')))
		psql -d $old -At -c "SELECT to_jsonb(x)::text FROM $t x WHERE shipped" | LC_ALL=C sort >"$tmp/updated"
		n=$(( $(LC_ALL=C comm -3 "$tmp/expected" "$tmp/updated" | grep -c '^') ))
		if [ "$n" -gt 0 ]; then
			diffs=$((diffs + n)); echo "#   $t: shipped rows differ from the fresh install's in $n rows:"
			LC_ALL=C comm -23 "$tmp/expected" "$tmp/updated" | head -5 | cut -c1-300 | sed 's/^/#     only fresh:   /'
			LC_ALL=C comm -13 "$tmp/expected" "$tmp/updated" | head -5 | cut -c1-300 | sed 's/^/#     only updated: /'
		fi
	done
	[ $diffs = 0 ]
	check $? "$v: the shipped rows are those of a fresh install ($diffs differences; $edited edited shipped rows are the user's now)"

	# the updated extension works: caches, numbering, the index
	out=$(psql -d $old -At -c "SET search_path = shegu, public" -c "SET shegu.incident_clock = '2026-04-01 09:00+08'" \
		-c "SELECT status FROM act(5, 'accept', '受理中心')" \
		-c "SELECT id FROM report('environment.dog', 'after update', 'patrol', grid => '430528101002003', reported_at => '2026-04-01 08:00+08')" \
		-c "SELECT locate(110.1, 26.1)" \
		-c "SELECT is_workday('2026-10-07'), add_work_time('2026-03-02 09:00+08', '1 hour')" \
		-c "SELECT count(*) > 0 FROM compute_index('dump', '2025-06-01')" 2>&1 | tr '\n' ' ')
	[ "$out" = "accepted 7 430528101002003 t|2026-03-02 10:00:00+08 t " ]
	check $? "$v: act(), report numbering, locate, the calendar and compute_index work after the update"
	[ "$out" = "accepted 7 430528101002003 t|2026-03-02 10:00:00+08 t " ] || echo "#   got: $out"

	psql -d postgres -c "DROP DATABASE $old" >/dev/null
done
psql -d postgres -c "DROP DATABASE $fresh" >/dev/null
exit $status
