# Shared by tools/demo.sh and tools/test.sh: Debian packages, the build, and a throwaway
# PostgreSQL server on a private socket directory.  tools/lib.sh — sourced, not run.
#
# Settings (environment):
#   PG_CONFIG      pg_config of the PostgreSQL 15 to build against (Debian's by default)
#   SHEGU_RUN_DIR  where the throwaway cluster and its socket live (default: .run in the checkout)
#   SHEGU_PORT     the port number that names the socket (default 54315; no TCP is opened)
#   SHEGU_PRELOAD  1 (default): shegu in shared_preload_libraries (one shared lookup index per
#                  server); 0: not preloaded (every session builds its own)
#   SHEGU_FAKETIME a date-time (e.g. '2027-03-15 10:00:00') the server's clock starts at, through
#                  libfaketime (Debian package faketime): shows that no test depends on today

set -uo pipefail

SHEGU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}
SHEGU_PORT=${SHEGU_PORT:-54315}
SHEGU_RUN_DIR=${SHEGU_RUN_DIR:-$SHEGU_TOP/.run}
SHEGU_PACKAGES=(
	make gcc libc6-dev clang libclang-rt-14-dev
	postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	postgresql-$PG_MAJOR-postgis-3 postgresql-$PG_MAJOR-pgtap postgresql-$PG_MAJOR-cron
	postgresql-$PG_MAJOR-partman postgresql-$PG_MAJOR-pgaudit
	libtap-parser-sourcehandler-pgtap-perl locales
)
# What only tools/test.sh needs: the boundary guide's shp2pgsql (postgis) and ogr2ogr (gdal-bin);
# pgJDBC and a JDK for the BI-tool test (test/jdbc, over the Unix socket through junixsocket);
# headless Chromium and a CJK font (fonts-noto-cjk: without it every Chinese label is an empty
# box) for the SVG map test (test/svg); libfaketime for SHEGU_FAKETIME.
SHEGU_TEST_PACKAGES=(postgis gdal-bin default-jdk-headless libpostgresql-jdbc-java libjunixsocket-java
	chromium fonts-noto-cjk faketime)
# What tools/demo.sh adds: the CJK font its maps name (the SVG and, when Chromium is installed,
# a PNG drawn from it).
SHEGU_DEMO_PACKAGES=(fonts-noto-cjk)

say() { printf '\n== %s\n' "$*"; }
die() { printf 'shegu: %s\n' "$*" >&2; exit 1; }

# The OS user that runs the throwaway server: postgres when we are root, else ourselves.
server_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# Install whatever of the given packages (default: SHEGU_PACKAGES) is missing (needs root when
# anything is).
install_packages() {
	local missing=() p wanted=("$@")
	[ ${#wanted[@]} -gt 0 ] || wanted=("${SHEGU_PACKAGES[@]}")
	for p in "${wanted[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages (${missing[*]}); run as root to install them"
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install failed"
}

# Build and install the extension into the PostgreSQL that PG_CONFIG names.
build_install() {
	say "building shegu against $("$PG_CONFIG" --version)"
	make -C "$SHEGU_TOP" -s PG_CONFIG="$PG_CONFIG" || die "build failed"
	make -C "$SHEGU_TOP" -s PG_CONFIG="$PG_CONFIG" install >/dev/null || die "install failed"
}

# Pick a run directory the server user can reach and whose socket path is short enough; when
# the checkout is out of reach (say, under /root), a fixed directory in /tmp named after it.
choose_run_dir() {
	mkdir -p "$SHEGU_RUN_DIR" || die "cannot create $SHEGU_RUN_DIR"
	[ "$(id -u)" -eq 0 ] && chown "$(server_user)": "$SHEGU_RUN_DIR"
	if ! as_server_user test -w "$SHEGU_RUN_DIR" || [ ${#SHEGU_RUN_DIR} -gt 80 ]; then
		SHEGU_RUN_DIR=/tmp/shegu-run-$(printf '%s' "$SHEGU_RUN_DIR" | cksum | cut -d' ' -f1)
		mkdir -p "$SHEGU_RUN_DIR" && chmod 700 "$SHEGU_RUN_DIR"
		[ "$(id -u)" -eq 0 ] && chown "$(server_user)": "$SHEGU_RUN_DIR"
		echo "shegu: the checkout is out of the server user's reach; using $SHEGU_RUN_DIR"
	fi
}

# Stop a server left in the run directory (a previous run that was killed).
stop_server() {
	local bindir; bindir=$("$PG_CONFIG" --bindir)
	if [ -f "$SHEGU_RUN_DIR/data/postmaster.pid" ]; then
		as_server_user "$bindir/pg_ctl" -D "$SHEGU_RUN_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

# initdb a fresh cluster and start it on a Unix socket only; exports PGHOST/PGPORT/PGUSER.
start_server() {
	local bindir; bindir=$("$PG_CONFIG" --bindir)
	choose_run_dir
	stop_server
	rm -rf "$SHEGU_RUN_DIR/data"
	say "starting a throwaway PostgreSQL in $SHEGU_RUN_DIR (socket port $SHEGU_PORT)"
	as_server_user "$bindir/initdb" -D "$SHEGU_RUN_DIR/data" -A trust -U postgres -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$SHEGU_RUN_DIR/initdb.log" 2>&1 \
		|| { cat "$SHEGU_RUN_DIR/initdb.log"; die "initdb failed"; }
	cat >>"$SHEGU_RUN_DIR/data/postgresql.conf" <<-CONF
		listen_addresses = ''
		port = $SHEGU_PORT
		unix_socket_directories = '$SHEGU_RUN_DIR'
		shared_preload_libraries = '$( [ "${SHEGU_PRELOAD:-1}" = 0 ] && echo pg_cron || echo pg_cron,shegu )'
		cron.database_name = 'postgres'
		cron.use_background_workers = on
		max_worker_processes = 20
		fsync = off
		max_connections = 50
		timezone = 'Asia/Shanghai'
		lc_messages = 'C'
		shegu.pii_key = '$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')'
	CONF
	local faketime=()
	if [ -n "${SHEGU_FAKETIME:-}" ]; then
		[ -f /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || die "SHEGU_FAKETIME needs the faketime package"
		faketime=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="@$SHEGU_FAKETIME")
		echo "shegu: the server's clock starts at $SHEGU_FAKETIME"
	fi
	as_server_user "${faketime[@]}" "$bindir/pg_ctl" -D "$SHEGU_RUN_DIR/data" -l "$SHEGU_RUN_DIR/server.log" -w start >/dev/null \
		|| { tail -20 "$SHEGU_RUN_DIR/server.log"; die "the server did not start"; }
	export PGHOST=$SHEGU_RUN_DIR PGPORT=$SHEGU_PORT PGUSER=postgres PGDATABASE=postgres
	trap stop_server EXIT
}

# psql with the settings of the throwaway server; stops on the first error.
run_psql() { "$("$PG_CONFIG" --bindir)/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
