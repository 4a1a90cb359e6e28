#!/usr/bin/env bash
# A separate venv (.venv-spark) with the project, its locked dependencies and pyspark, for the
# Spark linkage backend. The main .venv is never touched. Needs Java 17+ (`java -version`).
#
#   bash evals/spark/setup.sh            # from the repository root
#
# pyspark 4.0.x: Spark 4 runs on Java 17/21, bundles its jars (nothing is fetched at run time)
# and matches the Spark 4 similarity UDF jar that Splink 5 ships (jaro_winkler & co.).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYSPARK_VERSION="4.0.1"
VENV=".venv-spark"
PYTHON="${PYTHON:-python3}"

java -version >/dev/null 2>&1 || { echo "Java 17+ is needed for pyspark $PYSPARK_VERSION (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }

test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
"$VENV/bin/python" -c "import pyspark, splink; print('pyspark', pyspark.__version__, '| splink', splink.__version__)"
