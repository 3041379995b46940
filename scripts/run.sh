#!/usr/bin/env bash
# Sets up StageBot and starts the main job: the Discord bot and the mailbox when config.toml
# holds a Discord token, the console assistant otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/stagebot run --console-fallback "$@"
