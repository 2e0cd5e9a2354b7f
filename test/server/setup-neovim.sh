#!/usr/bin/env bash
# Installs Neovim (Debian's package, 0.7.2 on bookworm): the second real editor the language server is tested with.
# CI runs as root; elsewhere this needs sudo. Safe to run again.
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  nvim --version | head -1
  exit 0
fi
SUDO=''
if [ "$(id -u)" != 0 ]; then SUDO='sudo'; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends neovim >/dev/null
nvim --version | head -1
