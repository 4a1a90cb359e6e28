#!/usr/bin/env bash
# Stop the server that serve.sh started on PORT (default 8765), by its PID file only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${LLM_VENV:-$REPO/.venv-llm}"
PORT="${1:-${LLM_PORT:-8765}}"
PIDFILE="$VENV/server-$PORT.pid"
if [[ ! -f "$PIDFILE" ]]; then echo "no PID file $PIDFILE" >&2; exit 0; fi
PID="$(cat "$PIDFILE")"
if kill -0 "$PID" 2>/dev/null; then
  kill "$PID"
  for _ in $(seq 1 20); do kill -0 "$PID" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$PID" 2>/dev/null && kill -9 "$PID"
  echo "stopped server pid $PID (port $PORT)" >&2
fi
rm -f "$PIDFILE"
