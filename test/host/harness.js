// The project's VS Code host harness, shared by the extension-host runner, the UI runner and `npm run demo`:
// the emulator and code-server as detached process groups, free ports, waiting, vsix packaging and
// installing, headless Debian chromium through playwright-core, and a teardown that ends every group it
// started (also on Ctrl-C, SIGTERM and process exit). Plain CommonJS so the runners need no build step.
// The recipe, the contract for tests and the pitfalls: test/host/README.md.
'use strict';
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const readline = require('readline');
const zlib = require('zlib');
const { node22, node22Env, ROOT } = require('../../scripts/node22');

const CACHE = path.join(ROOT, '.vscode-test');
const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server');
const CS_ENTRY = path.join(CODE_SERVER, 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const EXTENSION_ID = 'keyvault-tools.vscode-keyvault';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

// Workbench settings for every run: no welcome page, no update checks, no Chat side bar (VS Code 1.117 opens
// one by default), no telemetry.
const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** GET a URL; resolves {status, body} (status 0 when nothing answers). */
function httpGet(url, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.setTimeout(timeoutMs, () => req.destroy());
  });
}

/** Polls `check` until it returns a truthy value; throws `what` after timeoutMs. */
async function waitFor(what, check, { timeoutMs = 60000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---- process groups -------------------------------------------------------------------------------------

const groups = new Set(); // pgids of everything started through spawnGroup and not yet stopped

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function killGroupNow(pgid, signal = 'SIGKILL') {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

// Last line of defence: whatever way this process ends, its groups end too (process.kill is synchronous).
process.on('exit', () => { for (const g of groups) killGroupNow(g); });

/** Spawns a command as the leader of a new process group, output to logFile; returns the ChildProcess. */
function spawnGroup(cmd, args, { logFile, env = process.env, cwd = ROOT, stdout = 'log' } = {}) {
  const fd = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(cmd, args, { cwd, env, detached: true,
    stdio: ['ignore', stdout === 'pipe' ? 'pipe' : fd, fd] });
  if (typeof fd === 'number') fs.closeSync(fd);
  groups.add(child.pid);
  child.pgid = child.pid;
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** SIGTERM to the whole group, SIGKILL after graceMs; resolves when no member is left. */
async function stopGroup(child, graceMs = 5000) {
  if (!child || !child.pgid) return;
  const pgid = child.pgid;
  killGroupNow(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) killGroupNow(pgid, 'SIGKILL');
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
  groups.delete(pgid);
}

/** Pids of live processes whose command line mentions `needle` (for leak checks). */
function processesMentioning(needle) {
  const r = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'))
    .map((l) => l.trim()).filter(Boolean);
}

// ---- the emulator ---------------------------------------------------------------------------------------

/**
 * Starts `node dist/emulator.js --port 0 [--seed FILE]` and waits for its ready line.
 * Returns { proc, ready (parsed), line (the raw JSON line) }.
 */
async function startEmulator({ seed, logFile, script, extraArgs = [], timeoutMs = 30000 } = {}) {
  script = script || path.join(ROOT, 'dist', 'emulator.js');
  if (!fs.existsSync(script)) throw new Error(`emulator not built: ${script} (run node esbuild.js)`);
  const args = [script, '--port', '0', ...extraArgs];
  if (seed) args.push('--seed', seed);
  const proc = spawnGroup(node22(), args, { logFile, stdout: 'pipe' });
  const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  const lines = readline.createInterface({ input: proc.stdout });
  try {
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator printed no ready line within ${timeoutMs / 1000} s`)), timeoutMs);
      lines.on('line', (l) => {
        let msg;
        try { msg = JSON.parse(l); } catch { if (logStream) logStream.write(l + '\n'); return; }
        // the ready line carries the principals' client secrets: never into a log file
        if (logStream) logStream.write(l.replace(/("(?:clientSecret|adminToken)"\s*:\s*)"[^"]*"/g, '$1"***"') + '\n');
        if (msg && msg.ready === true) { clearTimeout(timer); resolve(l.trim()); }
      });
      void proc.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`emulator exited (${signal || code}) before it was ready` + (logFile ? `; see ${logFile}` : '')));
      });
    });
    // keep draining stdout into the log so the emulator never blocks on a full pipe
    return { proc, ready: JSON.parse(line), line };
  } catch (e) {
    await stopGroup(proc);
    throw e;
  }
}

// ---- code-server ----------------------------------------------------------------------------------------

function codeServerInfo() {
  if (!fs.existsSync(CS_ENTRY)) {
    throw new Error(`code-server is not installed at ${CODE_SERVER}: run bash test/host/install-code-server.sh`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(CODE_SERVER, 'package.json'), 'utf8'));
  const vscode = JSON.parse(fs.readFileSync(path.join(CODE_SERVER, 'lib', 'vscode', 'package.json'), 'utf8'));
  return { codeServer: pkg.version, vscode: vscode.version };
}

/** code-server's own environment for a run: Node 22 first on PATH (so "node" in the host is 22 as well). */
function codeServerEnv(extra = {}) {
  const bin = node22();
  const env = { ...process.env, PATH: path.dirname(bin) + path.delimiter + (process.env.PATH || ''), ...extra };
  // our own knobs must not leak into the host unless a runner passes them on purpose
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/**
 * Starts code-server on a free port with a throw-away user-data dir under `tmp` (`settings`: user settings;
 * `machineSettings`: the remote window's Machine settings, for `machine`-scoped ones).
 * Returns { proc, port, base, logFile, startMs, userDataDir, extensionsDir }.
 */
async function startCodeServer({ tmp, workspace, env = {}, settings = {}, machineSettings = {}, extensionsDir, port, timeoutMs = 60000 }) {
  codeServerInfo();
  port = port || await freePort();
  const userDataDir = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
  // code-server's window is a remote one: a `machine`-scoped setting belongs in the remote (Machine) settings,
  // where a user of a remote window sets it (VS Code does not apply one from the user settings there).
  if (Object.keys(machineSettings).length) {
    fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
  }
  extensionsDir = extensionsDir || path.join(tmp, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const logFile = path.join(tmp, 'code-server.log');
  const args = [CS_ENTRY, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--config', path.join(tmp, 'config.yaml'), // without it code-server writes ~/.config/code-server/config.yaml
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, workspace];
  const t0 = Date.now();
  const proc = spawnGroup(node22(), args, { logFile, env: codeServerEnv(env) });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor('code-server /healthz', async () => {
      if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}; see ${logFile}`);
      return (await httpGet(base + '/healthz')).status === 200;
    }, { timeoutMs });
  } catch (e) {
    await stopGroup(proc);
    throw e;
  }
  return { proc, port, base, logFile, startMs: Date.now() - t0, userDataDir, extensionsDir };
}

/** True once the workbench page (not just the server) is served at url. */
async function workbenchServed(url) {
  const r = await httpGet(url);
  return r.status === 200 && r.body.includes('vscode-workbench-web-configuration');
}

// code-server's remote authority is the literal "remote".
const remoteUri = (p) => 'vscode-remote://remote' + path.resolve(p);

function workbenchUrl(base, folder, payload) {
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (payload && payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

// ---- extensions -----------------------------------------------------------------------------------------

function hashDir(dir) {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex').slice(0, 12);
}

/**
 * Packages an extension folder with @vscode/vsce into .vscode-test/vsix/ (or `out`), cached by content hash
 * (use `cache: false` for folders whose build output changes, e.g. the repo itself). vsce runs the folder's
 * `vscode:prepublish` script first (the repo's: the production build), on Node 22.
 */
function packageVsix(dir, { out, cache = true } = {}) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const outDir = path.join(CACHE, 'vsix');
  fs.mkdirSync(outDir, { recursive: true });
  out = out || path.join(outDir, `${pkg.name}-${pkg.version}-${cache ? hashDir(dir) : 'latest'}.vsix`);
  if (cache && fs.existsSync(out)) return out;
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --no-rewrite-relative-links: a local package keeps the README's relative images (no repository URL needed)
  const r = spawnSync(node22(), [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links',
    '--skip-license', '--out', out], { cwd: dir, encoding: 'utf8', env: node22Env() });
  if (r.status !== 0) throw new Error(`vsce package failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  // drop older cached packages of the same extension
  for (const f of fs.readdirSync(outDir)) {
    if (f.startsWith(`${pkg.name}-`) && f.endsWith('.vsix') && path.join(outDir, f) !== out) fs.rmSync(path.join(outDir, f));
  }
  return out;
}

/**
 * The entries of a .vsix (a zip), read from its central directory with Node built-ins:
 * [{ name, size, compressed, read() → Buffer }] in archive order.
 */
function vsixEntries(vsix) {
  const buf = fs.readFileSync(vsix);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buf.length) throw new Error(`${vsix} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) throw new Error(`${vsix}: bad zip central directory entry ${i}`);
    const nameLen = buf.readUInt16LE(off + 28);
    const entry = { name: buf.toString('utf8', off + 46, off + 46 + nameLen),
      compressed: buf.readUInt32LE(off + 20), size: buf.readUInt32LE(off + 24) };
    const method = buf.readUInt16LE(off + 10);
    const local = buf.readUInt32LE(off + 42);
    // the contents, on demand: local header (30 bytes + name + extra), then the data, stored or deflated
    entry.read = () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + entry.compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${vsix}: ${entry.name} uses zip method ${method}`);
    };
    entries.push(entry);
    off += 46 + nameLen + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return entries;
}

/** Installs a .vsix into an extensions dir with code-server's own installer (works offline). */
function installVsix(vsix, extensionsDir, userDataDir) {
  const r = spawnSync(node22(), [CS_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    '--install-extension', vsix, '--force'], { encoding: 'utf8', env: codeServerEnv(), timeout: 120000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
}

// ---- the browser ----------------------------------------------------------------------------------------

async function launchBrowser(profileDir, { width = 1400, height = 900 } = {}) {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, viewport: { width, height }, args: CHROMIUM_ARGS,
  });
}

function makeTmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Settings every run gives the workbench for the extension to see the emulator: none — the ready line in the
 * environment (KEYVAULT_TEST_EMULATOR) carries everything. (keyVault.emulator.port is the port for "Start Local
 * Emulator", so setting it to the run's port would make a second emulator collide with the first.)
 */
function emulatorSettings(_ready) {
  return {};
}

/**
 * Ends what a run started (browser, code-server and emulator process groups) and removes its temp folder unless
 * `keep`. `started` is the run's { emulator, server, browser } record; it is emptied.
 */
async function stopRun(started, tmp, { keep = false, log = console.log } = {}) {
  if (started.browser) { await started.browser.close().catch(() => {}); started.browser = null; }
  await stopGroup(started.server && started.server.proc);
  await stopGroup(started.emulator && started.emulator.proc);
  started.server = started.emulator = null;
  if (tmp && !keep) fs.rmSync(tmp, { recursive: true, force: true });
  else if (tmp) log('kept', tmp);
}

module.exports = {
  stopRun,
  ROOT, CACHE, CODE_SERVER, CS_ENTRY, CHROMIUM, EXTENSION_ID, BASE_SETTINGS,
  sleep, freePort, httpGet, waitFor,
  spawnGroup, stopGroup, groupAlive, processesMentioning,
  startEmulator, emulatorSettings,
  codeServerInfo, codeServerEnv, startCodeServer, workbenchServed, remoteUri, workbenchUrl,
  packageVsix, vsixEntries, installVsix, launchBrowser, makeTmp,
};
