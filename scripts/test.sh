#!/usr/bin/env bash
# Set up on first use, then run the tests: `bash scripts/test.sh [pytest options]`.
# This is the README's test command and the core of .ci/run. pytest exits 5 when it
# collects no tests, which fails this script as it should.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m pytest "$@"
