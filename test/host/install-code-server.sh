#!/usr/bin/env bash
# Installs code-server (a real VS Code: web workbench + Node extension host) offline into
# .vscode-test/code-server, from the npm registry with --ignore-scripts, then does by hand what its
# postinstall would have done (that one downloads ripgrep from GitHub and fails offline).
# Idempotent: a finished install leaves a stamp and the script returns at once.
# Env: CODE_SERVER_VERSION (4.117.0 = VS Code 1.117, the newest release built for Node 22).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CS_VERSION="${CODE_SERVER_VERSION:-4.117.0}"
CACHE="$ROOT/.vscode-test"
CS_DIR="$CACHE/code-server"
CS="$CS_DIR/node_modules/code-server"
STAMP="$CS_DIR/.installed-$CS_VERSION"
t0=$(date +%s)
step() { echo "=== [code-server $(( $(date +%s) - t0 ))s] $*"; }
die() { echo "install-code-server: $*" >&2; exit 1; }

# Test host only: the workbench refuses every dialog while extension tests run, so the "wants to sign in"
# consent for the `microsoft` provider can never be granted there. Adding our extension id to the product's
# trustedExtensionAuthAccess list (baked into this copy's workbench.js) grants it up front, as VS Code does
# for vscode.git. Idempotent; runs on every call, also when the install is already done.
patch_trusted_auth() {
  local wb="$CS/lib/vscode/out/vs/code/browser/workbench/workbench.js" id="keyvault-tools.vscode-keyvault"
  [ -f "$wb" ] || die "missing $wb"
  grep -q "trustedExtensionAuthAccess:\[\"$id\"" "$wb" && return 0
  grep -q 'trustedExtensionAuthAccess:\[' "$wb" || die "trustedExtensionAuthAccess not found in $wb (code-server layout changed?)"
  sed -i "s/trustedExtensionAuthAccess:\[/trustedExtensionAuthAccess:[\"$id\",/" "$wb"
  grep -q "trustedExtensionAuthAccess:\[\"$id\"" "$wb" || die "could not patch trustedExtensionAuthAccess in $wb"
  echo "install-code-server: test host trusts $id for authentication (patched workbench.js)"
}

if [ -f "$STAMP" ] && [ -f "$CS/out/node/entry.js" ]; then
  patch_trusted_auth
  echo "install-code-server: code-server $CS_VERSION already installed at $CS"
  exit 0
fi

# apt packages the native rebuilds need; say which are missing instead of failing deep in node-gyp
missing=""
for p in libkrb5-dev pkg-config ripgrep build-essential python3; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] || die "missing apt packages:$missing — run: apt-get update && apt-get install -y$missing (or bash scripts/setup.sh)"

[ -f "$CACHE/env.sh" ] || bash "$ROOT/scripts/install-node22.sh"
# shellcheck disable=SC1091
source "$CACHE/env.sh"
node --version | grep -q '^v22\.' || die "Node 22 is not first on PATH"
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
export npm_config_devdir="$CACHE/node-gyp-devdir"

rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"; cd "$CS_DIR"
echo '{"name":"code-server-host","private":true}' > package.json
step "npm install code-server@$CS_VERSION --ignore-scripts"
npm_config_unsafe_perm=true npm install --no-audit --no-fund --ignore-scripts "code-server@$CS_VERSION"
want=$(node -p "require('$CS/package.json').engines.node")
[ "$want" = 22 ] || die "code-server $CS_VERSION wants Node $want"

step "argon2 from source"
npm rebuild argon2 --build-from-source

cd "$CS/lib/vscode"
step "lib/vscode dependencies"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
# missing from the 4.117.0 package; without it the built-in git extension fails to activate
npm install --no-save --no-audit --no-fund --omit=dev --ignore-scripts @vscode/fs-copyfile@2.0.0

step "native modules"
# node-pty's install can end non-zero after its binary exists: check the binaries instead
npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog @vscode/native-watchdog @vscode/sqlite3 ssh2 \
  || echo "(npm rebuild returned non-zero; checking the binaries)"
PTY=node_modules/node-pty/build/Release/pty.node
[ -f "$PTY" ] || PTY=node_modules/node-pty/prebuilds/linux-x64/pty.node
NATIVE="node_modules/kerberos/build/Release/kerberos.node $PTY
  node_modules/@vscode/spdlog/build/Release/spdlog.node
  node_modules/@vscode/native-watchdog/build/Release/watchdog.node
  node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node
  node_modules/@parcel/watcher-linux-x64-glibc/watcher.node"
for f in $NATIVE; do [ -f "$f" ] || die "native module missing: $f"; done
node -e 'const p=require("path"); for (const f of process.argv.slice(1)) require(p.resolve(f));' $NATIVE
node -e 'require(require.resolve("argon2", { paths: [process.argv[1]] }))' "$CS"

step "ripgrep from Debian"
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg

step "postinstall steps"
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts && node postinstall.mjs >/dev/null)

patch_trusted_auth
touch "$STAMP"
step "done: code-server $CS_VERSION (VS Code $(node -p "require('$CS/lib/vscode/package.json').version")) at $CS"
