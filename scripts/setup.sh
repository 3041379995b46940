#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) and installs StageBot into it; idempotent, and silent when up to date.
# The first install says so in one French line; the tools' own output (pip, setuptools, apt-get) goes
# to .venv/installation.log and is shown only when something fails.
# Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "StageBot demande Python 3.11 ou plus récent (trouvé : $("$PY" --version 2>&1 || echo aucun))." >&2
  exit 1
fi
fail() {
  echo "$1 Journal : $2" >&2
  [ -f "$2" ] && tail -n 20 "$2" >&2
  exit 1
}
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian splits venv/ensurepip into python3-venv.
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installation de python3-venv (apt-get)…" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    apt_log=$(mktemp)
    { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } \
      >"$apt_log" 2>&1 || fail "Impossible d'installer python3-venv : installez-le puis relancez." "$apt_log"
  fi
fi
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
stamp=".venv/.installed${extra}"
installed() { [ -x .venv/bin/python ] && [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ]; }
# The development install holds the plain one: scripts/run.sh after scripts/test.sh installs nothing.
if ! installed "$stamp" && ! { [ -z "$extra" ] && installed ".venv/.installed[dev]"; }; then
  if [ -n "$extra" ]; then
    echo "Installation de StageBot et de ses outils de test dans .venv (la première fois : une à deux minutes)…" >&2
  else
    echo "Installation de StageBot dans .venv (la première fois : une à deux minutes)…" >&2
  fi
  if [ ! -x .venv/bin/python ]; then
    venv_log=$(mktemp)
    "$PY" -m venv .venv >"$venv_log" 2>&1 || fail "Impossible de créer l'environnement .venv." "$venv_log"
  fi
  log=.venv/installation.log
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_PYTHON_VERSION_WARNING=1 PIP_PROGRESS_BAR=off
  {
    .venv/bin/python -m pip install --upgrade pip
    .venv/bin/python -m pip install -e ".${extra}"
  } >"$log" 2>&1 || fail "L'installation de StageBot a échoué (réseau ? place disque ?)." "$log"
  # The start-up cache (knowledge/cache.py): the first question is then answered as fast as the next.
  .venv/bin/python -c "from bot.assistant.answer import index; index()" >>"$log" 2>&1 || true
  touch "$stamp"
fi
