#!/usr/bin/env bash
# Load test of act() under concurrency: CLIENTS pgbench sessions suspend and resume the same
# INCIDENTS incidents for DURATION seconds, every step a legal one when it was chosen.  A step
# that loses the race for the row fails honestly (SGI01: the state moved on); a step refused
# only because its time stamp lies before the step committed while it waited for the row lock
# ("before its last step") is the failure issue 9 measured at 1.07 %.  Prints both counts.
# bench/security.sh — CLIENTS=8 INCIDENTS=20 DURATION=20 bash bench/security.sh
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-security}
SHEGU_PORT=${BENCH_PORT:-54348}
source "$(dirname "$0")/../tools/lib.sh"

CLIENTS=${CLIENTS:-8}
INCIDENTS=${INCIDENTS:-20}
SECONDS_RUN=${DURATION:-20}

[ "${SKIP_BUILD:-0}" = 1 ] || build_install
start_server
q() { run_psql -d postgres -At "$@"; }

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
say "act() load: $CLIENTS clients on $INCIDENTS incidents for ${SECONDS_RUN}s, $(nproc) cores, $("$PG_CONFIG" --version)"

q >/dev/null <<SQL
SET search_path = shegu, public;
INSERT INTO shegu.grid (code, name, kind) VALUES ('430528101001001', 'load grid', 'basic');
INSERT INTO shegu.incident (category, title, source, grid, reported_at)
SELECT 'environment.garbage', 'load ' || g, 'patrol', '430528101001001', now() - interval '1 hour'
FROM generate_series(1, $INCIDENTS) AS g;
SELECT count(shegu.act(id, 'accept', 'load')) FROM shegu.incident;
CREATE UNLOGGED TABLE public.load_outcome (outcome text NOT NULL);
-- One step: suspend an accepted incident or resume a suspended one, as its state was read.
CREATE FUNCTION public.load_step(p_id bigint) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    st text;
BEGIN
    SELECT status INTO st FROM shegu.incident WHERE id = p_id;
    BEGIN
        IF st = 'accepted' THEN
            PERFORM shegu.act(p_id, 'suspend', 'load', 'waiting');
        ELSE
            PERFORM shegu.act(p_id, 'resume', 'load');
        END IF;
        INSERT INTO public.load_outcome VALUES ('ok');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO public.load_outcome VALUES (CASE
            WHEN SQLERRM LIKE '%before its last step%' THEN 'time order'
            WHEN SQLSTATE = 'SGI01' THEN 'state raced'
            ELSE 'other ' || SQLSTATE || ' ' || SQLERRM END);
    END;
END;
\$\$;
SQL

script=$(mktemp)
printf '%s\n' "\\set id random(1, $INCIDENTS)" "SELECT public.load_step(:id);" >"$script"
"$("$PG_CONFIG" --bindir)/pgbench" -n -d postgres -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" -f "$script" >"$SHEGU_RUN_DIR/pgbench.log" 2>&1 \
	|| { tail -5 "$SHEGU_RUN_DIR/pgbench.log"; die "pgbench failed"; }
rm -f "$script"
q -c "SELECT format('%s: %s (%s %%)', outcome, count(*), round(100.0 * count(*) / sum(count(*)) OVER (), 3))
      FROM public.load_outcome GROUP BY outcome ORDER BY count(*) DESC"
total=$(q -c "SELECT count(*) FROM public.load_outcome")
late=$(q -c "SELECT count(*) FROM public.load_outcome WHERE outcome = 'time order'")
events=$(q -c "SELECT count(*) FROM shegu.incident_event WHERE action IN ('suspend', 'resume')")
ok=$(q -c "SELECT count(*) FROM public.load_outcome WHERE outcome = 'ok'")
[ "$events" = "$ok" ] || die "$ok steps succeeded but $events were logged"
echo "legal steps refused for time order: $late of $total"
