#!/usr/bin/env bash
# Upgrades, as an operator does them: for every released version V (a frozen shegu--V.sql), build
# and install V's shegu.so from its release commit into a private relocated PostgreSQL
# (tools/dev-sandbox.sh), create and fill a database through V's API, stop the server, install
# this checkout over it, start again, check that the new shegu.so refuses the not yet updated
# database with a clear error, ALTER EXTENSION shegu UPDATE, and compare with a fresh CREATE
# EXTENSION of the default version in the same cluster: the catalog object by object
# (tools/catalog-diff.sh prints each difference), the user's rows kept, the shipped rows those of
# the fresh install, and a smoke test of the updated extension.
# test/upgrade/run.sh — called by tools/test.sh (uses its SHEGU_PORT; the server of tools/test.sh
# is left alone); docs/upgrading.md.  A version V is filled by test/upgrade/fill-V.sql.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
source "$top/tools/lib.sh"
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }
bail() { echo "not ok - $1"; exit 1; }

# The commit each released version was built from (its tag v<version> may not be in a clone).
release_commit() { case "$1" in 0.1.0) echo bc67b83 ;; 0.2.0) echo 8c189ac ;; *) return 1 ;; esac; }
# The column of shegu.incident that this library needs and version V's tables lack, if any: the
# new shegu.so must refuse such a database by naming it (empty: V's incident table serves as it is).
old_shape_column() { case "$1" in 0.1.0) echo county ;; 0.2.0) echo owner ;; *) echo "" ;; esac; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shegu_upgrade.XXXXXX")
chmod 755 "$tmp"    # the server user reads the private PostgreSQL and owns the cluster in it
sb_bindir=""
stop_private() {
	[ -n "$sb_bindir" ] && [ -f "$tmp/data/postmaster.pid" ] \
		&& as_server_user "$sb_bindir/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
trap 'stop_private; rm -rf "$tmp"' EXIT

# A private relocated PostgreSQL, without any shegu: each version is installed into it in turn.
sb_pg_config=$(SHEGU_SANDBOX_ROOT="$tmp" bash "$top/tools/dev-sandbox.sh" pg | sed -nE 's/^export PG_CONFIG=//p')
[ -x "$sb_pg_config" ] || bail "a private PostgreSQL in $tmp (tools/dev-sandbox.sh)"
export PG_CONFIG=$sb_pg_config    # for tools/catalog-diff.sh
sb_bindir=$("$sb_pg_config" --bindir)
sb_pkglibdir=$("$sb_pg_config" --pkglibdir)
sb_sharedir=$("$sb_pg_config" --sharedir)
remove_shegu() { rm -rf "$sb_pkglibdir/shegu.so" "$sb_pkglibdir/bitcode/shegu" "$sb_pkglibdir/bitcode/shegu.index.bc" "$sb_sharedir"/extension/shegu[.-]*; }
remove_shegu
psql() { "$sb_bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
export PGHOST=$tmp PGPORT=$SHEGU_PORT PGUSER=postgres PGDATABASE=postgres

# The private cluster: a Unix socket in $tmp only, as tools/lib.sh's throwaway server.
mkdir -m 700 "$tmp/data" && { [ "$(id -u)" -ne 0 ] || chown "$(server_user)": "$tmp/data" "$tmp"; }
as_server_user "$sb_bindir/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
	>"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; bail "initdb of the private cluster"; }
cat >>"$tmp/data/postgresql.conf" <<-CONF
	listen_addresses = ''
	port = $SHEGU_PORT
	unix_socket_directories = '$tmp'
	fsync = off
	timezone = 'Asia/Shanghai'
	lc_messages = 'C'
CONF
start_private() { # shared_preload_libraries
	as_server_user "$sb_bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -o "-c shared_preload_libraries='$1'" -w start >/dev/null \
		|| { tail -20 "$tmp/server.log" | sed 's/^/#   /'; return 1; }
}

default=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$top/shegu.control")
fresh=shegu_up_fresh

# Columns an update drops on purpose (their meaning moved elsewhere), left out of the rows kept:
# shegu.incident.step carried act()'s request to the update trigger until 0.3.0 (always NULL at rest).
dropped_keys() { case "$1" in shegu.incident) echo "'step'" ;; *) echo "'-'" ;; esac; }
# Columns an update renamed so that old rows keep their meaning ("table old new" per line): the
# rows after the update are read with the new column under its old name.  0.3.0: a frozen
# month's disposal_rate (over accepted cases) is disposal_rate_accepted now (docs/upgrading.md).
renamed_columns="shegu.report_month_figure disposal_rate disposal_rate_accepted"
renamed_json() { # table: an expression of x with the renamed columns (once there) under their old names
	local e="to_jsonb(x)" t old new
	while read -r t old new; do
		[ "$t" = "$1" ] && e="CASE WHEN to_jsonb(x) ? '$new' THEN (($e - '$old') - '$new') || jsonb_build_object('$old', to_jsonb(x) -> '$new') ELSE $e END"
	done <<<"$renamed_columns"
	echo "$e"
}

# Rows of a relation, as canonical JSON text, sorted; with a column list, only those columns.
rows_sql() { # table [columns-array-literal] [where]
	if [ -n "${2:-}" ]; then
		echo "SELECT (SELECT jsonb_object_agg(j.key, j.value) FROM jsonb_each($(renamed_json "$1")) j WHERE j.key = ANY('$2'::text[]) AND j.key <> 'shipped' AND j.key <> $(dropped_keys "$1"))::text FROM $1 x ${3:-}"
	else
		echo "SELECT (to_jsonb(x) - 'shipped' - $(dropped_keys "$1"))::text FROM $1 x ${3:-}"
	fi
}
# The lines of a file of rows (as rows_sql prints them) that an update may not change: not those
# whose primary key is a shipped row's now, nor the shipped rows of before that no user row took
# over (an update may change, re-key or drop shipped rows: they are compared with a fresh
# install's below); a shipped row of before that is the user's now is kept like any user row.
without_shipped_rows() { # table file file-of-the-shipped-rows-before
	if [ "$(psql -d $old -At -c "SELECT count(*) FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = 'shipped'")" != 1 ]; then
		cat "$2"; return
	fi
	local keys="ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '$1'::regclass AND i.indisprimary)"
	local key_x="(SELECT jsonb_object_agg(k.key, k.value) FROM jsonb_each($(renamed_json "$1")) k WHERE k.key = ANY($keys))"
	local key_l="(SELECT jsonb_object_agg(k.key, k.value) FROM jsonb_each(l.j::jsonb) k WHERE k.key = ANY($keys))"
	psql -d $old -At -c "CREATE TEMP TABLE lost_rows (j text)" -c "CREATE TEMP TABLE was_shipped (j text)" \
		-c "\\copy lost_rows FROM '$2' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
		-c "\\copy was_shipped FROM '$3' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
		-c "SELECT l.j FROM lost_rows l
		    WHERE NOT EXISTS (SELECT 1 FROM $1 x WHERE x.shipped AND $key_x = $key_l)
		      AND NOT (l.j IN (SELECT w.j FROM was_shipped w)
		               AND NOT EXISTS (SELECT 1 FROM $1 x WHERE NOT x.shipped AND $key_x = $key_l))"
}
tables_sql="SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'shegu' ORDER BY 1"
columns_sql() { echo "SELECT '{' || string_agg(quote_ident(attname), ',' ORDER BY attnum) || '}' FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"; }

for script in "$top"/shegu--*.sql; do
	v=$(basename "$script" .sql); v=${v#shegu--}
	case "$v" in *--*) continue ;; esac
	[ "$v" = "$default" ] && continue
	old=shegu_up_$(echo "$v" | tr -c '0-9a-z\n' '_')

	# 1. the released version, built from its own source, installed; the server without a
	#    preloaded shegu (0.1.0 did not document preloading)
	commit=$(release_commit "$v") && git -C "$top" cat-file -e "$commit^{commit}" 2>/dev/null
	check $? "$v: its release commit ${commit:-(unknown)} is in the history"
	src="$tmp/v$v"
	mkdir -p "$src" && git -C "$top" archive "$commit" | tar -x -C "$src" \
		&& make -C "$src" -s -j2 PG_CONFIG="$sb_pg_config" >"$tmp/build.$v" 2>&1 \
		&& { remove_shegu; make -C "$src" -s PG_CONFIG="$sb_pg_config" install >>"$tmp/build.$v" 2>&1; }
	check $? "$v: built from its source ($commit) and installed into the private PostgreSQL"
	[ -s "$tmp/build.$v" ] && sed 's/^/#   /' "$tmp/build.$v" | head -20
	cmp -s <(tail -n +2 "$src/shegu--$v.sql") <(tail -n +2 "$script")    # all but the header line
	check $? "$v: the frozen shegu--$v.sql is the install script $commit builds"
	start_private '' || bail "$v: the private server starts with the $v library"

	psql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $old" -c "CREATE DATABASE $old" >/dev/null
	psql -d $old -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu VERSION '$v'" >/dev/null \
		&& [ "$(psql -d $old -At -c "SELECT extversion FROM pg_extension WHERE extname = 'shegu'")" = "$v" ]
	check $? "$v: CREATE EXTENSION shegu VERSION '$v' with the $v shegu.so"
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
		psql -d $old -At -c "$(rows_sql "$t" "$cols")" | LC_ALL=C sort >"$tmp/before.$t"
		if [ "$(psql -d $old -At -c "SELECT count(*) FROM pg_attribute WHERE attrelid = '$t'::regclass AND attname = 'shipped'")" = 1 ]; then
			psql -d $old -At -c "$(rows_sql "$t" "$cols" "WHERE shipped")" >"$tmp/before_shipped.$t"
		else
			: >"$tmp/before_shipped.$t"
		fi
	done <"$tmp/tables.$v"

	# 2. the new package: stop, install this checkout, start with the preload tools/lib.sh uses
	as_server_user "$sb_bindir/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1
	remove_shegu
	make -C "$top" -s PG_CONFIG="$sb_pg_config" install >"$tmp/install" 2>&1
	check $? "$v: this checkout ($default) installed over it"
	sed 's/^/#   /' "$tmp/install" | head -20
	start_private "$( [ "${SHEGU_PRELOAD:-1}" = 0 ] || echo shegu )" || bail "$v: the private server starts with the $default library"

	# every C symbol the old version's script names is still exported by shegu.so (ALTER
	# EXTENSION UPDATE runs with the new shegu.so and the old declarations)
	missing=$(grep -oE "'MODULE_PATHNAME', *'[A-Za-z0-9_]+'" "$script" | sed -E "s/.*, *'//; s/'$//" | sort -u \
		| LC_ALL=C comm -23 - <(nm -D --defined-only "$sb_pkglibdir/shegu.so" | awk '{print $3}' | LC_ALL=C sort -u))
	[ -z "$missing" ]
	check $? "$v: every C function of shegu--$v.sql is exported by the new shegu.so"
	[ -z "$missing" ] || echo "$missing" | sed 's/^/#   missing: /'

	# before the update the new shegu.so refuses the database with a clear error, writing nothing
	# (in a copy: the refused report() still draws an incident number from the sequence)
	missing_col=$(old_shape_column "$v")
	psql -c "CREATE DATABASE ${old}_copy TEMPLATE $old" >/dev/null
	want="ERROR:  55000: column \"$missing_col\" is missing from table shegu.incident
DETAIL:  The extension shegu is at version $v in this database; the library shegu.so is version $default.
HINT:  Run ALTER EXTENSION shegu UPDATE."
	n_before=$(psql -d ${old}_copy -At -c "SELECT count(*) FROM shegu.incident")
	got=$(psql -d ${old}_copy -v VERBOSITY=verbose -c "SET search_path = shegu, public" \
		-c "SELECT report('environment.dog', 'before update', 'patrol', grid => '430528101002003', reported_at => '2026-04-01 08:00+08')" 2>&1 \
		| grep -E '^(ERROR|DETAIL|HINT):')
	if [ -z "$missing_col" ]; then
		echo "# $v: its incident table is what this library needs: no refusal to check before the update"
	else
	[ "$got" = "$want" ] && [ "$(psql -d ${old}_copy -At -c "SELECT count(*) FROM shegu.incident")" = "$n_before" ]
	check $? "$v: before the update, report() with the new shegu.so fails: missing column, both versions, hint to update"
	[ "$got" = "$want" ] || echo "$got" | sed 's/^/#   got: /'
	before=$(psql -d ${old}_copy -At -c "SELECT status, (SELECT count(*) FROM shegu.incident_event WHERE incident_id = 5) FROM shegu.incident WHERE id = 5")
	got=$(psql -d ${old}_copy -v VERBOSITY=verbose -c "SET search_path = shegu, public" -c "SET shegu.incident_clock = '2026-04-01 09:00+08'" \
		-c "SELECT status FROM act(5, 'accept', '受理中心')" 2>&1 | grep -E '^(ERROR|DETAIL|HINT):')
	[ "$got" = "$want" ] && [ "$(psql -d ${old}_copy -At -c "SELECT status, (SELECT count(*) FROM shegu.incident_event WHERE incident_id = 5) FROM shegu.incident WHERE id = 5")" = "$before" ]
	check $? "$v: before the update, act() with the new shegu.so fails with the same error"
	[ "$got" = "$want" ] || echo "$got" | sed 's/^/#   got: /'
	fi
	psql -c "DROP DATABASE ${old}_copy" >/dev/null

	# 3. the update, and a fresh install of the default version in the same cluster
	psql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $fresh" -c "CREATE DATABASE $fresh" >/dev/null
	psql -d $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
	check $? "CREATE EXTENSION shegu (the default version $default) for comparison"

	psql -d $old -c "ALTER EXTENSION shegu UPDATE" >/dev/null \
		&& [ "$(psql -d $old -At -c "SELECT extversion FROM pg_extension WHERE extname = 'shegu'")" = "$default" ]
	check $? "$v: ALTER EXTENSION shegu UPDATE reaches $default"

	out=$(bash "$top/tools/catalog-diff.sh" $old $fresh "$v updated" "$default fresh" 2>&1)
	check $? "$v: the catalog of the updated extension is that of a fresh $default install"
	echo "$out" | sed 's/^/# /'

	# the user's rows are kept: every row before is there after (on the old columns, renamed ones
	# under their old names), except shipped rows the update changed (compared with a fresh
	# install below); rows the update added are shipped ones
	lost=0
	added=0
	while read -r t cols; do
		if [ "$(psql -d $old -At -c "SELECT to_regclass('$t') IS NOT NULL")" != t ]; then
			echo "#   $t: dropped by the update"; lost=$((lost + 1)); continue
		fi
		psql -d $old -At -c "$(rows_sql "$t" "$cols")" | LC_ALL=C sort >"$tmp/after.$t"
		LC_ALL=C comm -23 "$tmp/before.$t" "$tmp/after.$t" >"$tmp/changed"
		n=$(without_shipped_rows "$t" "$tmp/changed" "$tmp/before_shipped.$t" | tee "$tmp/lost" | grep -c '^')
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

	# the updated extension works: caches, numbering (the next number after the fill's), the index
	next_id=$(( $(psql -d $old -At -c "SELECT coalesce(max(id), 0) FROM shegu.incident") + 1 ))
	out=$(psql -d $old -At -c "SET search_path = shegu, public" -c "SET shegu.incident_clock = '2026-04-01 09:00+08'" \
		-c "SELECT status FROM act(5, 'accept', '受理中心')" \
		-c "SELECT id FROM report('environment.dog', 'after update', 'patrol', grid => '430528101002003', reported_at => '2026-04-01 08:00+08')" \
		-c "SELECT locate(110.1, 26.1)" \
		-c "SELECT is_workday('2026-10-07'), add_work_time('2026-03-02 09:00+08', '1 hour')" \
		-c "SELECT count(*) > 0 FROM compute_index('dump', '2025-06-01')" 2>&1 | tr '\n' ' ')
	[ "$out" = "accepted $next_id 430528101002003 t|2026-03-02 10:00:00+08 t " ]
	check $? "$v: act(), report numbering, locate, the calendar and compute_index work after the update"
	[ "$out" = "accepted $next_id 430528101002003 t|2026-03-02 10:00:00+08 t " ] || echo "#   got: $out"

	psql -c "DROP DATABASE $old" -c "DROP DATABASE $fresh" >/dev/null
	as_server_user "$sb_bindir/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1
done
exit $status
