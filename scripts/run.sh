#!/usr/bin/env bash
# Set up on first use, then run the chat page: `bash scripts/run.sh [app.py options]`.
# With no options it serves the demo catalog on http://127.0.0.1:7860; a missing index
# is built before the page opens. Options and SHOP_* variables: `python app.py --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python app.py "$@"
