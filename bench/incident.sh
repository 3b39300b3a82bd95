#!/usr/bin/env bash
# Benchmark of the incident room: N incidents through the full trigger path (grid, level, due
# times by the working-time calendar, light, event log) against a plain INSERT of the same rows
# into a table of the same shape, with the grid given and with only a point (locate); their
# lifecycle through act() against the same steps by hand (the same row lock, the step's columns,
# the same event row under the same foreign key); sweep() over OPEN open incidents; and ONE
# reports one at a time through shegu.report() against single-row INSERTs.
# bench/incident.sh — prints ratios; sizes from the environment.
#   N=200000 LIFE=200000 OPEN=1000000 ONE=5000 bash bench/incident.sh
SHEGU_RUN_DIR=${BENCH_RUN_DIR:-/tmp/shegu-bench-incident}
SHEGU_PORT=${BENCH_PORT:-54349}
source "$(dirname "$0")/../tools/lib.sh"

N=${N:-200000}          # incidents inserted both ways
LIFE=${LIFE:-$N}        # of those, how many go through accept/dispatch/resolve/verify/close
OPEN=${OPEN:-1000000}   # open incidents the sweep runs over
OVERDUE_EVERY=${OVERDUE_EVERY:-100}   # one in this many open incidents is overdue
GRIDS=${GRIDS:-2000}    # basic grids of the generated county that locate() searches

build_install
start_server
q() { run_psql -d postgres -At "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

q -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
# The 200 basic grids the generated rows name, registered (a new incident's grid must be).
q -c "INSERT INTO shegu.grid (code, name, kind)
      SELECT DISTINCT (430528000000000 + (101 + g % 10) * 1000000 + (1 + g / 10 % 20) * 1000 + 1 + g % 5)::bigint::text::shegu.gridcode,
             'bench grid', 'basic'
      FROM generate_series(1, 1000) AS g" >/dev/null
say "incident bench: N=$N LIFE=$LIFE OPEN=$OPEN on $(nproc) cores, $("$PG_CONFIG" --version)"

# The same rows both ways: categories with working-time (calendar) and natural-time limits,
# 1,000 grids of one county, report times spread over working hours of March 2026.
ROWS="SELECT (ARRAY['environment.garbage','dispute.neighbour','hazard.fire','public_service.facility'])[1 + g % 4] AS category,
             'incident ' || g AS title, 'patrol' AS source,
             (430528000000000 + (101 + g % 10) * 1000000 + (1 + g / 10 % 20) * 1000 + 1 + g % 5)::bigint::text::shegu.gridcode AS grid,
             timestamptz '2026-03-02 08:30+08' + (g % 20) * interval '1 day' + (g % 420) * interval '1 minute' AS reported_at
      FROM generate_series(1, $N) AS g"

q >/dev/null <<SQL
SET search_path = shegu, public;
CREATE TABLE public.bench_plain (LIKE shegu.incident INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY);
ALTER TABLE public.bench_plain ADD FOREIGN KEY (category) REFERENCES shegu.incident_category (code);
CREATE TABLE public.bench_plain_event (LIKE shegu.incident_event INCLUDING ALL);
-- the same constraint as shegu's event log: an event belongs to an existing incident
ALTER TABLE public.bench_plain_event ADD FOREIGN KEY (incident_id) REFERENCES public.bench_plain (id);
CHECKPOINT;
SQL

SET_CLOCK="SET shegu.incident_clock = '2026-03-22 08:00+08';"   # after every report time (reports are never in the future)
# The plain row carries what shegu's row carries, as an application doing the work itself would
# fill it: the level (the handling level of all four categories: community), the acceptance and
# level deadlines, the yellow time, the light as of the bench clock (so that the row sits in the
# same partial indexes: nearly all of shegu's are red by then), the county.  Until 2026-12-07 it
# left level_due_at, yellow_at and county NULL and the light green: a narrower row in two more
# partial indexes than shegu's (see docs/benchmarks.md).
PLAIN_COLS="level, accept_due_at, level_due_at, yellow_at, state_since, light, county"
PLAIN_VALS="'community', reported_at + interval '2 hours', reported_at + interval '2 hours', reported_at + interval '96 minutes', reported_at,
            CASE WHEN reported_at + interval '2 hours' <= timestamptz '2026-03-22 08:00+08' THEN 'red'
                 WHEN reported_at + interval '96 minutes' <= timestamptz '2026-03-22 08:00+08' THEN 'yellow' ELSE 'green' END, 430528"
t0=$(now)
q -c "INSERT INTO bench_plain (category, title, source, grid, reported_at, $PLAIN_COLS)
      SELECT category, title, source, grid, reported_at, $PLAIN_VALS
      FROM ($ROWS) AS r" >/dev/null || die "plain insert failed"
t1=$(now)
q -c "$SET_CLOCK" -c "INSERT INTO shegu.incident (category, title, source, grid, reported_at)
      SELECT category, title, source, grid, reported_at FROM ($ROWS) AS r" >/dev/null || die "trigger insert failed"
t2=$(now)
plain=$(secs "$t0" "$t1"); trig=$(secs "$t1" "$t2")
agree=$(q -c "SELECT count(*) FROM ((SELECT title, grid::text FROM bench_plain) EXCEPT (SELECT title, grid::text FROM shegu.incident)) d")
events=$(q -c "SELECT count(*) FROM shegu.incident_event")
[ "$agree" = 0 ] || die "the two tables differ in $agree rows"
[ "$events" = "$N" ] || die "expected $N report events, found $events"
shape=$(q -c "SELECT count(*) FILTER (WHERE p.light IS DISTINCT FROM i.light) || ' of ' || count(*) || ' lights, '
                   || count(*) FILTER (WHERE p.level IS DISTINCT FROM i.level OR (p.level_due_at IS NULL) <> (i.level_due_at IS NULL)
                                          OR (p.yellow_at IS NULL) <> (i.yellow_at IS NULL) OR p.county IS DISTINCT FROM i.county) || ' other'
               FROM bench_plain AS p JOIN shegu.incident AS i ON i.title = p.title")
echo "insert $N: plain ${plain}s, trigger path ${trig}s ($events events logged, rows agree; plain rows differing from shegu's in $shape)"
awk -v p="$plain" -v t="$trig" -v n="$N" 'BEGIN {
	printf "rows/s plain: %.0f, trigger path: %.0f\n", n / p, n / t;
	printf "ratio trigger/plain speed: %.2f (aim >= 0.80; before, 0.2.0 with the JSON step channel: 0.48 in issue 18)\n", p / t }'

# Lifecycle: five steps per incident through act(), against the same steps done by hand one
# incident at a time (a SQL function per step: UPDATE the row where the state matches — its
# state, the step's time and state_since —, INSERT the event with the columns act() fills but
# the working time in the state, under the same foreign key to the incident).
q >/dev/null <<'SQL' || die "cannot create the plain step function"
CREATE FUNCTION public.bench_step(p_id bigint, p_from text, p_to text, p_action text) RETURNS int
LANGUAGE sql VOLATILE AS $$
    UPDATE public.bench_plain SET status = p_to, state_since = now(),
           accepted_at = CASE p_action WHEN 'accept' THEN now() ELSE accepted_at END,
           dispatched_at = CASE p_action WHEN 'dispatch' THEN now() ELSE dispatched_at END,
           resolved_at = CASE p_action WHEN 'resolve' THEN now() ELSE resolved_at END,
           verified_at = CASE p_action WHEN 'verify' THEN now() ELSE verified_at END,
           closed_at = CASE p_action WHEN 'close' THEN now() ELSE closed_at END
     WHERE id = p_id AND status = p_from;
    INSERT INTO public.bench_plain_event (incident_id, action, actor, at, from_status, to_status, from_level,
                                          to_level, db_role, county)
    VALUES (p_id, p_action, 'centre', now(), p_from, p_to, 'grid', 'grid', session_user, 430528);
    SELECT 1;
$$;
SQL
t0=$(now)
q >/dev/null <<SQL || die "plain lifecycle failed"
SELECT count(bench_step(id, 'reported', 'accepted', 'accept')) FROM bench_plain WHERE id <= $LIFE;
SELECT count(bench_step(id, 'accepted', 'dispatched', 'dispatch')) FROM bench_plain WHERE id <= $LIFE;
SELECT count(bench_step(id, 'dispatched', 'resolved', 'resolve')) FROM bench_plain WHERE id <= $LIFE;
SELECT count(bench_step(id, 'resolved', 'verified', 'verify')) FROM bench_plain WHERE id <= $LIFE;
SELECT count(bench_step(id, 'verified', 'closed', 'close')) FROM bench_plain WHERE id <= $LIFE;
SQL
t1=$(now)
q >/dev/null <<SQL || die "lifecycle through act() failed"
SET shegu.incident_clock = '2026-04-01 09:00+08';
SELECT count(shegu.act(id, 'accept', 'centre')) FROM shegu.incident WHERE id <= $LIFE;
SELECT count(shegu.act(id, 'dispatch', 'centre')) FROM shegu.incident WHERE id <= $LIFE;
SELECT count(shegu.act(id, 'resolve', 'grid staff')) FROM shegu.incident WHERE id <= $LIFE;
SELECT count(shegu.act(id, 'verify', 'centre')) FROM shegu.incident WHERE id <= $LIFE;
SELECT count(shegu.act(id, 'close', 'centre')) FROM shegu.incident WHERE id <= $LIFE;
SQL
t2=$(now)
plain=$(secs "$t0" "$t1"); trig=$(secs "$t1" "$t2")
closed=$(q -c "SELECT count(*) FROM shegu.incident WHERE status = 'closed'")
[ "$closed" = "$LIFE" ] || die "expected $LIFE closed incidents, found $closed"
pclosed=$(q -c "SELECT count(*) FROM bench_plain WHERE status = 'closed'")
[ "$pclosed" = "$LIFE" ] || die "expected $LIFE closed plain rows, found $pclosed"
echo "lifecycle of $LIFE incidents (5 steps each): plain UPDATE+INSERT per step ${plain}s, act() ${trig}s"
awk -v p="$plain" -v t="$trig" -v n="$LIFE" 'BEGIN {
	printf "steps/s plain: %.0f, act(): %.0f\n", 5 * n / p, 5 * n / t;
	printf "ratio act()/plain speed: %.2f (aim >= 1.00; before, 0.2.0 with the JSON step channel: 0.72 in issue 18; session 1 of v2: 0.50-0.73)\n", p / t }'

# Sweep over OPEN open incidents, one in OVERDUE_EVERY overdue (reported long before now).
q -c "DROP FUNCTION bench_step" -c "DROP TABLE bench_plain_event" -c "TRUNCATE bench_plain" >/dev/null
t0=$(now)
q -c "SET shegu.incident_clock = '2026-05-13 09:00+08';" -c "INSERT INTO shegu.incident (category, title, source, grid, reported_at)
      SELECT 'environment.garbage', 'open ' || g, 'patrol',
             (430528000000000 + (101 + g % 10) * 1000000 + (1 + g / 10 % 20) * 1000 + 1 + g % 5)::bigint::text::shegu.gridcode,
             CASE WHEN g % $OVERDUE_EVERY = 0 THEN timestamptz '2026-05-11 08:30+08' ELSE timestamptz '2026-05-13 08:30+08' END
      FROM generate_series(1, $OPEN) AS g" >/dev/null || die "loading open incidents failed"
q -c "VACUUM ANALYZE shegu.incident" >/dev/null
t1=$(now)
n1=$(q -c "SELECT shegu.sweep('2026-05-12 09:00+08')")
t2=$(now)
n2=$(q -c "SELECT shegu.sweep('2026-05-12 09:00+08')")
t3=$(now)
expect=$((OPEN / OVERDUE_EVERY + N - LIFE))   # the first N - LIFE incidents are still open, from March
[ "$n1" = "$expect" ] || die "first sweep escalated $n1, expected $expect"
[ "$n2" = 0 ] || die "second sweep escalated $n2, expected 0"
echo "loaded $OPEN open incidents through the trigger path in $(secs "$t0" "$t1")s (with VACUUM ANALYZE)"
echo "sweep over $OPEN open incidents: escalated $n1 in $(secs "$t1" "$t2")s; repeated sweep (nothing to do) $(secs "$t2" "$t3")s"

# The grid from the location: incidents that give only a point, located by shegu.locate in the
# trigger, against the plain INSERT of the same rows with the grid already known.
run_psql -d postgres -v grids="$GRIDS" -f "$SHEGU_TOP/demo/county.sql" >/dev/null || die "county generation failed"
q >/dev/null <<SQL || die "cannot pick the points"
CREATE TABLE public.bench_points AS
SELECT row_number() OVER (ORDER BY code) AS k, code, ST_PointOnSurface(boundary) AS pt
FROM shegu.grid WHERE kind = 'basic' AND valid_to IS NULL;
SQL
PTS="SELECT (ARRAY['environment.garbage','dispute.neighbour','hazard.fire','public_service.facility'])[1 + g % 4] AS category,
            'located ' || g AS title, 'wechat' AS source, p.code AS grid, p.pt AS location,
            timestamptz '2026-03-02 08:30+08' + (g % 20) * interval '1 day' + (g % 420) * interval '1 minute' AS reported_at
     FROM generate_series(1, $N) AS g JOIN bench_points AS p ON p.k = 1 + g % (SELECT count(*) FROM bench_points)"
t0=$(now)
q -c "INSERT INTO bench_plain (category, title, source, grid, location, reported_at, $PLAIN_COLS)
      SELECT category, title, source, grid, location, reported_at, $PLAIN_VALS
      FROM ($PTS) AS r" >/dev/null || die "plain located insert failed"
t1=$(now)
q -c "$SET_CLOCK" -c "INSERT INTO shegu.incident (category, title, source, location, reported_at)
      SELECT category, title, source, location, reported_at FROM ($PTS) AS r" >/dev/null || die "located insert failed"
t2=$(now)
plain=$(secs "$t0" "$t1"); trig=$(secs "$t1" "$t2")
agree=$(q -c "SELECT count(*) FROM ((SELECT title, grid::text FROM bench_plain) EXCEPT (SELECT title, grid::text FROM shegu.incident WHERE title LIKE 'located %')) d")
[ "$agree" = 0 ] || die "the located grids differ from the known ones in $agree rows"
echo "insert $N with a location among $(q -c "SELECT count(*) FROM bench_points") basic grids: plain (grid known) ${plain}s, trigger path (locate) ${trig}s (grids agree)"
awk -v p="$plain" -v t="$trig" -v n="$N" 'BEGIN {
	printf "rows/s plain: %.0f, trigger path with locate: %.0f\n", n / p, n / t;
	printf "ratio trigger-with-locate/plain speed: %.2f\n", p / t }'

# One report at a time, as the apps send them: shegu.report() (the trigger path, the report
# event, the idempotency key) in a loop, against the plain single-row INSERT ... RETURNING of the
# same row into the table of the same shape, also in a loop.
ONE=${ONE:-5000}
q >/dev/null <<SQL || die "one-at-a-time reports failed"
CREATE FUNCTION public.bench_one_plain(n int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE r public.bench_plain;
BEGIN
    FOR g IN 1..n LOOP
        INSERT INTO public.bench_plain (category, title, source, grid, reported_at, level, accept_due_at, level_due_at, yellow_at,
                                        state_since, light, county, idempotency_key)
        VALUES ('environment.garbage', 'one ' || g, 'wechat', '430528101001001', timestamptz '2026-03-02 08:30+08' + g * interval '1 second',
                'community', timestamptz '2026-03-02 10:30+08' + g * interval '1 second', timestamptz '2026-03-02 10:30+08' + g * interval '1 second',
                timestamptz '2026-03-02 10:06+08' + g * interval '1 second', timestamptz '2026-03-02 08:30+08' + g * interval '1 second',
                'red', 430528, 'one-' || g)
        RETURNING * INTO r;
    END LOOP;
END \$\$;
CREATE FUNCTION public.bench_one_report(n int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE r shegu.incident;
BEGIN
    FOR g IN 1..n LOOP
        r := shegu.report('environment.garbage', 'one ' || g, 'wechat', '430528101001001', NULL, NULL, NULL,
                          timestamptz '2026-03-02 08:30+08' + g * interval '1 second', 'one-' || g);
    END LOOP;
END \$\$;
SQL
t0=$(now)
q -c "SELECT public.bench_one_plain($ONE)" >/dev/null || die "plain single inserts failed"
t1=$(now)
q -c "$SET_CLOCK" -c "SELECT public.bench_one_report($ONE)" >/dev/null || die "single reports failed"
t2=$(now)
plain=$(secs "$t0" "$t1"); trig=$(secs "$t1" "$t2")
ones=$(q -c "SELECT count(*) FROM shegu.incident_event e JOIN shegu.incident i ON i.id = e.incident_id WHERE i.title LIKE 'one %' AND e.action = 'report'")
[ "$ones" = "$ONE" ] || die "expected $ONE report events of single reports, found $ones"
echo "$ONE reports one at a time: plain INSERT ... RETURNING ${plain}s, shegu.report() ${trig}s ($ones events)"
awk -v p="$plain" -v t="$trig" -v n="$ONE" 'BEGIN {
	printf "reports/s plain: %.0f, shegu.report(): %.0f\n", n / p, n / t;
	printf "ratio report()/plain speed, one at a time: %.2f (aim >= 0.80)\n", p / t }'
