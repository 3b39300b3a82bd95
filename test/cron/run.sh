#!/usr/bin/env bash
# pg_cron end to end: the one-line schedule from docs/incident.md makes pg_cron run
# shegu.sweep(), which escalates an overdue incident; the monthly job of docs/report.md runs
# shegu.freeze_month().  test/cron/run.sh — called by
# tools/test.sh with the throwaway server's settings in the environment (pg_cron preloaded,
# cron.database_name = postgres, cron.use_background_workers = on).  Takes up to ~70 s: pg_cron
# 1.4 schedules by the minute.
set -uo pipefail
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
status=0
check() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; status=1; fi; }

psql -d postgres -c "DROP DATABASE IF EXISTS shegu_cron" -c "CREATE DATABASE shegu_cron" >/dev/null
psql -d shegu_cron -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION shegu" >/dev/null
# A dispute reported a month ago and never accepted: far past its acceptance limit.
psql -d shegu_cron -c "INSERT INTO shegu.grid (code, name, kind) VALUES ('430528101002003', 'cron grid', 'basic')" >/dev/null
id=$(psql -d shegu_cron -c "SELECT id FROM shegu.report('dispute', 'cron test', 'patrol', grid => '430528101002003', reported_at => now() - interval '30 days')")
level_before=$(psql -d shegu_cron -c "SELECT level FROM shegu.incident WHERE id = $id")

# The documented line, run in the cron database.
psql -d postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null
job=$(psql -d postgres -c "SELECT cron.schedule_in_database('shegu-sweep', '* * * * *', 'SELECT shegu.sweep()', 'shegu_cron')")
check $? "cron.schedule_in_database('shegu-sweep', '* * * * *', 'SELECT shegu.sweep()', ...) is accepted"

# The monthly freeze of docs/report.md, scheduled every minute here: it freezes the previous month.
fjob=$(psql -d postgres -c "SELECT cron.schedule_in_database('shegu-freeze-month', '* * * * *', 'SELECT shegu.freeze_month()', 'shegu_cron')")
check $? "cron.schedule_in_database('shegu-freeze-month', ..., 'SELECT shegu.freeze_month()', ...) is accepted"

escalated=0
for _ in $(seq 1 90); do
	escalated=$(psql -d shegu_cron -c "SELECT count(*) FROM shegu.incident_event WHERE incident_id = $id AND action = 'escalate'")
	[ "$escalated" -ge 1 ] && break
	sleep 1
done
[ "$escalated" -ge 1 ]
check $? "pg_cron ran the sweep within 90 s and it escalated the overdue incident"
run=$(psql -d postgres -c "SELECT status FROM cron.job_run_details WHERE jobid = $job ORDER BY runid DESC LIMIT 1")
[ "$run" = succeeded ]
check $? "cron.job_run_details records the run as succeeded (got: ${run:-none})"
level_after=$(psql -d shegu_cron -c "SELECT level FROM shegu.incident WHERE id = $id")
[ "$level_before" != "$level_after" ]
check $? "the incident moved up one level ($level_before -> $level_after)"

frozen=0
for _ in $(seq 1 30); do
	frozen=$(psql -d shegu_cron -c "SELECT count(*) FROM shegu.report_frozen_month
	    WHERE month = (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month')::date")
	[ "$frozen" -ge 1 ] && break
	sleep 1
done
[ "$frozen" = 1 ]
check $? "pg_cron ran shegu.freeze_month() and the previous month (Asia/Shanghai) is frozen"
runs=$(psql -d postgres -c "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM cron.job_run_details WHERE jobid = $fjob")
[ "${runs%%/*}" -ge 1 ] && [ "${runs%%/*}" = "${runs##*/}" ]
check $? "every run of the freeze job succeeded (succeeded/runs: $runs; a second run changes nothing)"
psql -d postgres -c "SELECT cron.unschedule($fjob)" >/dev/null
psql -d postgres -c "SELECT cron.unschedule($job)" >/dev/null
psql -d postgres -c "DROP DATABASE shegu_cron" >/dev/null
exit $status
