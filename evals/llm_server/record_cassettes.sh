#!/usr/bin/env bash
# Re-record the vcrpy cassettes of the LLM tests against a real local server.
#
# Usage: evals/llm_server/record_cassettes.sh [PYTEST ARGS...]   (default args: tests/)
#   1. starts the server with serve.sh (port $LLM_PORT, default 8765) unless one already
#      answers there; a server this script started is stopped again at the end;
#   2. asks /v1/models for the model id;
#   3. runs: CROSSWALK_RECORD=1 CROSSWALK_LLM_BASE_URL=... CROSSWALK_LLM_MODEL=...
#            .venv/bin/python -m pytest -m vcr --record-mode=rewrite [PYTEST ARGS]
# Env:   LLM_PORT, RECORD_MODE (default rewrite; "once" records only missing cassettes),
#        PYTEST_MARK (default vcr), plus serve.sh's LLM_* variables.
# Then replay with the network blocked:  .venv/bin/python -m pytest -m vcr --block-network
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PORT="${LLM_PORT:-8765}"
BASE="http://127.0.0.1:$PORT/v1"
PY="$REPO/.venv/bin/python"
cd "$REPO"

[[ -x "$PY" ]] || { echo "project venv missing: run 'make test' once first" >&2; exit 1; }

started=0
if curl -fsS --max-time 3 "$BASE/models" >/dev/null 2>&1; then
  echo "using the server already answering on $BASE" >&2
else
  "$HERE/serve.sh" "$PORT" >/dev/null
  started=1
fi
cleanup() { if [[ $started == 1 ]]; then "$HERE/stop.sh" "$PORT"; fi; }
trap cleanup EXIT

MODEL="${CROSSWALK_LLM_MODEL:-$(curl -fsS "$BASE/models" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')}"
echo "recording against $BASE model=$MODEL" >&2

if [[ $# -eq 0 ]]; then set -- tests/; fi
start=$(date +%s)
set +e
CROSSWALK_RECORD=1 \
CROSSWALK_LLM_BASE_URL="$BASE" \
CROSSWALK_LLM_MODEL="$MODEL" \
CROSSWALK_LLM_API_KEY="${CROSSWALK_LLM_API_KEY:-sk-local-no-key}" \
  "$PY" -m pytest -m "${PYTEST_MARK:-vcr}" --record-mode="${RECORD_MODE:-rewrite}" "$@"
rc=$?
set -e
echo "pytest exit $rc after $(( $(date +%s) - start ))s" >&2
if [[ $rc == 5 ]]; then echo "no test carries the '${PYTEST_MARK:-vcr}' marker yet" >&2; fi
exit $rc
