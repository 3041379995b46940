#!/usr/bin/env bash
# Sets up StageBot with its development tools and the Debian packages the tests need (Dovecot for
# the IMAP tests), runs the whole test-suite, then the linters.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dovecot >/dev/null 2>&1 || ! command -v doveadm >/dev/null 2>&1; then
  echo "Installation de dovecot-imapd (serveur IMAP des tests)…" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # The package's own service is not started: the tests run their own Dovecot on a free port.
  apt_log=$(mktemp)
  { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd \
      || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; }
  } >"$apt_log" 2>&1 || {
    echo "Impossible d'installer dovecot-imapd : installez-le puis relancez. Journal : $apt_log" >&2
    tail -n 20 "$apt_log" >&2
    exit 1
  }
fi
scripts/setup.sh --dev
.venv/bin/python -m pytest "$@"
.venv/bin/ruff check bot knowledge rules tests bench
.venv/bin/mypy rules knowledge bot
