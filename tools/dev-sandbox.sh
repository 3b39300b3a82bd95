#!/usr/bin/env bash
# Makes a private PostgreSQL 15 install (a relocated copy of Debian's, with PostGIS, pgTAP and
# pg_cron) so that several developers on one machine can `make install` and run servers without
# overwriting each other's shegu.so.  tools/dev-sandbox.sh NAME — prints the settings to export.
# It lives in $SHEGU_SANDBOX_ROOT/NAME (default /opt/shegu-pg/NAME; test/upgrade/run.sh makes a
# throwaway one in its temporary directory).
set -euo pipefail
name=${1:?usage: tools/dev-sandbox.sh NAME}
root=${SHEGU_SANDBOX_ROOT:-/opt/shegu-pg}/$name
if [ ! -x "$root/usr/lib/postgresql/15/bin/pg_config" ]; then
	mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
	cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/"
	cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
	ln -sfn /usr/include/postgresql "$root/usr/include/postgresql"
fi
echo "export PG_CONFIG=$root/usr/lib/postgresql/15/bin/pg_config"
