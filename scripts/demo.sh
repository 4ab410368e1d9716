#!/usr/bin/env bash
# The whole pipeline through the Airflow DAGs, on the embedded default: SQLite under var/,
# the offline replay source, mail written to var/reports/ (sent too if smtp_default exists).
# Each DAG runs once with `airflow dags test` at a fixed moment inside the replay sample.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export VOELSPRIET_VAR_DIR=${VOELSPRIET_VAR_DIR:-$root/var}
export AIRFLOW_HOME=$root/var/airflow AIRFLOW_CONFIG=$root/airflow.cfg
logs=$AIRFLOW_HOME/demo
mkdir -p "$logs"

.venv/bin/voelspriet db upgrade
.venv/bin/airflow db migrate >"$logs/db-migrate.log" 2>&1

run() {  # run DAG_ID LOGICAL_DATE: one `airflow dags test`, its log kept, one line shown
    local dag=$1 moment=$2
    if .venv/bin/airflow dags test "$dag" "$moment" >"$logs/$dag.log" 2>&1; then
        echo "DAG $dag ($moment): gelukt"
    else
        tail -n 40 "$logs/$dag.log"
        echo "DAG $dag ($moment) is mislukt; het hele log staat in $logs/$dag.log" >&2
        exit 1
    fi
}

run collect 2026-11-23T10:00:00+01:00        # replay -> store -> classify -> triage -> alerts
run daily_triage 2026-11-24T08:00:00+01:00   # the morning mail for 23 Nov 07:30 - 24 Nov 07:30
run weekly_report 2026-11-23T09:00:00+01:00  # week 2026-W47
run retrain 2026-11-22T05:00:00+01:00        # skipped unless labels were corrected
run retention 2026-11-23T04:00:00+01:00

echo
echo "voelspriet classify (JSON-regels in, labels en actie uit):"
echo '{"id": "demo-1", "text": "Waarom moet ik ineens betalen om voor mijn eigen huis aan de Binnenweg te parkeren? Wie kan dat uitleggen?"}' \
    | .venv/bin/voelspriet classify
echo
echo "Store:        $VOELSPRIET_VAR_DIR/voelspriet.db"
echo "Rapporten:    $VOELSPRIET_VAR_DIR/reports/ (open de .html in een browser)"
find "$VOELSPRIET_VAR_DIR/reports" -type f \( -name '*.html' -o -name '*.pdf' \) | sort | sed 's/^/  /'
echo "Airflow-logs: $logs/ (en $AIRFLOW_HOME/logs/)"
echo "Airflow-UI:   make airflow"
echo "Webapp:       .venv/bin/voelspriet users add NAAM --role webcare, dan make web (http://127.0.0.1:8000/)"
