#!/usr/bin/env bash
# Opt-in check of the Spark linkage backend: `crosswalk eval-link` on the same synthetic forces
# (same seed) with DuckDB and with Spark, each result table and its wall time, then the
# in-process comparison (same blocked pairs; same probabilities under the same parameters).
#
#   bash evals/spark/setup.sh                      # once: makes .venv-spark
#   bash evals/spark/check_spark.sh [PEOPLE] [SEED]  # default 2000 people, seed 7
#
# Spark runs locally (local[2], 2g driver, no UI, 127.0.0.1); nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/../.."

PEOPLE="${1:-2000}"
SEED="${2:-7}"
PY=".venv-spark/bin"
test -x "$PY/crosswalk" || { echo "no .venv-spark: run bash evals/spark/setup.sh first" >&2; exit 1; }

for backend in duckdb spark; do
  echo "== $backend: crosswalk eval-link --people $PEOPLE --seed $SEED"
  TIMEFORMAT="wall time ($backend, process start included): %R s"
  time CROSSWALK_LINK_BACKEND="$backend" "$PY/crosswalk" eval-link --people "$PEOPLE" --seed "$SEED" \
    2> >(grep -v -E "WARN|log4j|setLogLevel|incubator" >&2)
done

echo "== in-process comparison (evals.spark.compare_backends --people $PEOPLE --seed $SEED)"
"$PY/python" -m evals.spark.compare_backends --people "$PEOPLE" --seed "$SEED" 2> >(grep -v -E "WARN|log4j|setLogLevel|incubator" >&2)
