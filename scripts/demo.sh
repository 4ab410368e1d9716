#!/usr/bin/env bash
# The whole pipeline on the embedded default: SQLite under var/, the offline replay source.
set -euo pipefail
cd "$(dirname "$0")/.."
vs=.venv/bin/voelspriet
$vs db upgrade
$vs collect
echo
echo "Store: ${VOELSPRIET_VAR_DIR:-var}/voelspriet.db"
