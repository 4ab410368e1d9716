#!/usr/bin/env bash
# Runs every benchmark in benchmarks/ one after the other; each prints its own figures.
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in benchmarks/bench_*.py; do
  echo "== $bench"
  .venv/bin/python "$bench"
done
