#!/usr/bin/env node
// `npm run demo`: first the setup it needs (scripts/bootstrap.js: apt packages, Node 22, npm ci, code-server;
// each only when missing), then, on Node 22: packages the extension as `npm run package` does (scripts/package.js:
// production build, vsce, checked) and installs the .vsix into a demo extensions dir with code-server
// --install-extension, starts the emulator the .vsix ships (its dist/emulator.js) with test/fixtures/demo-seed.json,
// starts code-server with the emulator announced through KEYVAULT_EMULATOR_READY, and prints the workbench URL.
// The "Key Vault" activity-bar view then shows the demo vaults under "Local emulator", read with the emulator's
// own credential. Ctrl-C (or SIGTERM) stops everything.
//   node scripts/demo.js [--port N] [--check [--counts FILE]]
//   --check: start, verify the URL serves the workbench and the view lists the demo vaults (headless chromium,
//            screenshot test-output/demo.png), then stop. Two checks, each printed ✓/✗: `package` (the .vsix is
//            under 3 MB, holds dist/extension.js and dist/emulator.js in their production build, and installs as
//            keyvault-tools.vscode-keyvault-<version>) and `demo` (the view of the installed extension lists the
//            vaults). --counts FILE writes {passed, failed} there (the `demo` tier of scripts/test.js).
//   Env: KEYVAULT_DEMO_PORT.
'use strict';
const fs = require('fs');
const path = require('path');
const { onNode22 } = require('./bootstrap');
const H = require('../test/host/harness');
const { packageExtension, checkInstalled, MAX_BYTES } = require('./package');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf('--' + name); return i >= 0 ? argv[i + 1] : def; };
const CHECK = argv.includes('--check');
const SEED = path.join(H.ROOT, 'test', 'fixtures', 'demo-seed.json');
const WORKSPACE = path.join(H.ROOT, 'test', 'fixtures', 'demo-workspace');

/** Copies the demo workspace, writing each `{{vaultUrl:NAME}}` as that emulator vault's URL (its port changes per run). */
function copyWorkspace(from, to, ready) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) { copyWorkspace(src, dst, ready); continue; }
    const text = fs.readFileSync(src, 'utf8').replace(/\{\{vaultUrl:([a-z0-9-]+)\}\}/g, (m, name) => {
      const vault = ready.vaults.find((v) => v.name === name);
      if (!vault) throw new Error(`demo workspace ${path.relative(from, src)}: the emulator has no vault ${name}`);
      return `https://${new URL(vault.url).host}/`;
    });
    fs.writeFileSync(dst, text);
  }
}
const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const step = (msg) => console.log(`[demo ${secs()}] ${msg}`);

const started = { emulator: null, server: null };
let tmp;
let stopping = false;

// --check: the checks and how they went
const CHECKS = ['package', 'demo'];
const results = new Map();
function record(name, ok, detail) {
  results.set(name, ok);
  console.log(`  ${ok ? '✓' : '✗'} ${name}: ${detail}`);
}

function reportChecks() {
  const passed = CHECKS.filter((c) => results.get(c) === true).length;
  const failed = CHECKS.length - passed; // a check that never ran (an earlier step failed) counts as failed
  for (const c of CHECKS.filter((c) => !results.has(c))) console.log(`  ✗ ${c}: not reached`);
  console.log(`(demo --check: ${passed} passed, ${failed} failed)`);
  const counts = opt('counts');
  if (counts) fs.writeFileSync(counts, JSON.stringify({ passed, failed }));
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  step('stopping');
  if (CHECK) reportChecks();
  await H.stopGroup(started.server && started.server.proc);
  await H.stopGroup(started.emulator && started.emulator.proc);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

/** Packages the extension (production build, vsce), installs the .vsix; returns the installed extension's folder. */
function packageAndInstall(extensionsDir) {
  step('packaging the extension (production build through vscode:prepublish, vsce)');
  let pkg;
  let installed;
  try {
    pkg = packageExtension();
    step(`installing ${path.basename(pkg.vsix)} (${(pkg.size / 1e6).toFixed(2)} MB, ${pkg.entries.length} files) ` +
      'with code-server --install-extension');
    H.installVsix(pkg.vsix, extensionsDir, path.join(tmp, 'user-data'));
    installed = checkInstalled(extensionsDir);
  } catch (e) {
    if (CHECK) record('package', false, e && e.message ? e.message : String(e));
    throw e;
  }
  if (CHECK) {
    record('package', true, `${path.basename(pkg.vsix)} is ${(pkg.size / 1e6).toFixed(2)} MB (under ` +
      `${MAX_BYTES / 1e6} MB), holds the production dist/extension.js and dist/emulator.js, and installed as ` +
      `${path.basename(installed)} (extensions dir: ${fs.readdirSync(extensionsDir).join(', ')})`);
  }
  return installed;
}

async function main() {
  tmp = H.makeTmp('keyvault-demo-');
  const extensionsDir = path.join(tmp, 'extensions');
  const installed = packageAndInstall(extensionsDir);

  const seed = fs.existsSync(SEED) ? SEED : undefined;
  // the emulator the .vsix ships, as "Start Local Emulator" in VS Code runs it
  started.emulator = await H.startEmulator({ seed, logFile: path.join(tmp, 'emulator.log'),
    script: path.join(installed, 'dist', 'emulator.js') });
  const { ready, line } = started.emulator;
  step(`emulator on https://localhost:${ready.port} (${seed ? path.relative(H.ROOT, seed) : 'no seed'}; ` +
    `vaults: ${ready.vaults.map((v) => v.name).join(', ')})`);

  // the demo workspace: an Astro-style .env pointing Airflow at the emulator's vault, a DAG, a Flyte task
  const workspace = path.join(tmp, 'workspace');
  copyWorkspace(WORKSPACE, workspace, ready);

  const port = Number(opt('port', process.env.KEYVAULT_DEMO_PORT || '0')) || undefined;
  started.server = await H.startCodeServer({ tmp, workspace, extensionsDir, port,
    env: { KEYVAULT_EMULATOR_READY: line } });
  const url = H.workbenchUrl(started.server.base, workspace);
  await H.waitFor('the workbench page', () => H.workbenchServed(url), { timeoutMs: 60000 });
  step('workbench served');
  console.log(`\n  Key Vault for VS Code demo: ${url}\n\n  (Ctrl-C stops the demo)\n`);

  if (CHECK) return check(url, ready);
  await new Promise(() => {}); // until a signal
  return 0;
}

/** Opens the URL headless and checks the view lists the demo vaults; screenshot test-output/demo.png. */
async function check(url, ready) {
  const browser = await H.launchBrowser(path.join(tmp, 'chromium-profile'));
  try {
    const page = browser.pages()[0] || await browser.newPage();
    await page.goto(url);
    const tab = page.locator('.part.activitybar .action-item a[aria-label^="Key Vault"]').first();
    await tab.click({ timeout: 60000 });
    for (const v of ready.vaults) {
      await page.locator('.part.sidebar .monaco-list-row[role="treeitem"] .label-name', { hasText: v.name }).first()
        .waitFor({ timeout: 60000 });
    }
    await page.mouse.move(900, 700);
    await H.sleep(700);
    const shot = path.join(H.ROOT, 'test-output', 'demo.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    record('demo', true, `the workbench is served and the Key Vault view of the installed extension lists the ` +
      `${ready.vaults.length} vaults of its emulator (${ready.vaults.map((v) => v.name).join(', ')}); ` +
      `screenshot ${path.relative(H.ROOT, shot)}`);
    return 0;
  } catch (e) {
    record('demo', false, e && e.message ? e.message.split('\n')[0] : String(e));
    throw e;
  } finally {
    await browser.close().catch(() => {});
  }
}

function start() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { void stop(0); });
  // `npm run demo` starts us as npm → sh → demo.js (machine Node) → demo.js (Node 22), and npm does not pass
  // SIGTERM on: when the parent or grandparent goes away, stop too (Linux: /proc).
  const ppidOf = (pid) => { try { return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]); } catch { return 0; } };
  const ancestors = [process.ppid, ppidOf(process.ppid)].filter((p) => p > 1);
  setInterval(() => {
    for (const p of ancestors) {
      try { process.kill(p, 0); } catch { void stop(0); }
    }
  }, 1000).unref();
  main().then((code) => stop(code), (e) => {
    console.error(`\n[demo] ${e && e.message ? e.message : e}`);
    void stop(1);
  });
}

onNode22(__filename, start, { codeServer: true });
