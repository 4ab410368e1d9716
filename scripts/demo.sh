#!/usr/bin/env bash
# The whole pipeline on the embedded default: SQLite under var/, the offline replay source.
set -euo pipefail
cd "$(dirname "$0")/.."
vs=.venv/bin/voelspriet
$vs db upgrade
$vs collect
$vs classify --store
$vs triage
$vs report daily
$vs report alerts
echo
echo "Store: ${VOELSPRIET_VAR_DIR:-var}/voelspriet.db"
echo "Emails (.eml and .html to open in a browser): ${VOELSPRIET_VAR_DIR:-var}/reports/"
find "${VOELSPRIET_VAR_DIR:-var}/reports" -name '*.html' 2>/dev/null | sort | sed 's/^/  /'

