#!/usr/bin/env bash
# Compares the catalog of extension shegu in two databases (test/upgrade/catalog.sql: every
# member and every object of schema shegu, aspect by aspect) and prints each difference: aspects
# only in one database, and for an aspect in both whose definition differs, a unified diff of the
# two definitions.  Exit status 0 when they are identical, 1 when not, 2 on error.
# tools/catalog-diff.sh DB_A DB_B [LABEL_A LABEL_B] — with PGHOST/PGPORT/PGUSER of the server.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: tools/catalog-diff.sh DB_A DB_B [LABEL_A LABEL_B]}
b=${2:?usage: tools/catalog-diff.sh DB_A DB_B [LABEL_A LABEL_B]}
la=${3:-$a}
lb=${4:-$b}
psql_bin="$("${PG_CONFIG:-pg_config}" --bindir)/psql"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shegu_catalog.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
catalog() {
	PGOPTIONS="-c search_path=pg_catalog" "$psql_bin" -X -q -At -v ON_ERROR_STOP=1 -d "$1" \
		-f "$top/test/upgrade/catalog.sql" >"$2" || { echo "catalog-diff: cannot read the catalog of $1" >&2; exit 2; }
	[ -s "$2" ] || { echo "catalog-diff: extension shegu is not installed in $1" >&2; exit 2; }
}
catalog "$a" "$tmp/a"
catalog "$b" "$tmp/b"
awk -F '\t' -v la="$la" -v lb="$lb" -v dir="$tmp" '
	FNR == NR { k = $1 "\t" $2; A[k] = $3; next }
	{ k = $1 "\t" $2; B[k] = $3 }
	END {
		n = 0
		for (k in A) if (!(k in B)) { split(k, p, "\t"); print "only in " la ": " p[1] " — " p[2] > (dir "/report.only"); n++ }
		for (k in B) if (!(k in A)) { split(k, p, "\t"); print "only in " lb ": " p[1] " — " p[2] > (dir "/report.only"); n++ }
		i = 0
		for (k in A) if ((k in B) && A[k] != B[k]) {
			i++; split(k, p, "\t")
			print p[1] " — " p[2] > (dir "/diff." i ".name")
			x = A[k]; gsub(/\036/, "\n", x); print x > (dir "/diff." i ".a")
			y = B[k]; gsub(/\036/, "\n", y); print y > (dir "/diff." i ".b")
			n++
		}
		print n > (dir "/count")
	}' "$tmp/a" "$tmp/b"
n=$(cat "$tmp/count")
lines=$(wc -l <"$tmp/a")
if [ "$n" = 0 ]; then
	echo "identical: $lines catalog lines of extension shegu ($la, $lb)"
	exit 0
fi
echo "$n differences between $la and $lb ($lines catalog lines in $la):"
[ -f "$tmp/report.only" ] && sort "$tmp/report.only" | sed 's/^/  /'
for f in "$tmp"/diff.*.name; do
	[ -e "$f" ] || continue
	i=${f%.name}
	echo "  differs: $(cat "$f")"
	diff -u --label "$la" --label "$lb" "$i.a" "$i.b" | sed 's/^/    /'
done
exit 1
