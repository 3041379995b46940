#!/usr/bin/env bash
# Sets up StageBot with its development tools and runs the whole test-suite, then the linters.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/python -m pytest "$@"
.venv/bin/ruff check bot knowledge rules tests bench
.venv/bin/mypy rules knowledge
