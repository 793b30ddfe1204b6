#!/usr/bin/env node
// `npm run demo` (on Node 22 through scripts/node22.js): builds the extension, packages it as a .vsix and
// installs it into a demo extensions dir, starts the emulator with test/fixtures/demo-seed.json, starts
// code-server (installing it on first use) with the emulator announced through KEYVAULT_EMULATOR_READY, and
// prints the workbench URL. The "Key Vault" activity-bar view then shows the demo vaults under "Local
// emulator", read with the emulator's own credential. Ctrl-C (or SIGTERM) stops everything.
//   node scripts/demo.js [--port N] [--check]
//   --check: start, verify the URL serves the workbench and the view lists the demo vaults (headless chromium,
//            screenshot test-output/demo.png), then stop. Env: KEYVAULT_DEMO_PORT.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const H = require('../test/host/harness');

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

async function stop(code) {
  if (stopping) return;
  stopping = true;
  step('stopping');
  await H.stopGroup(started.server && started.server.proc);
  await H.stopGroup(started.emulator && started.emulator.proc);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

function run(what, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: H.ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
}

async function main() {
  step('building the extension and the emulator');
  run('build', process.execPath, [path.join(H.ROOT, 'esbuild.js'), '--quiet']);
  run('code-server install', 'bash', [path.join(H.ROOT, 'test', 'host', 'install-code-server.sh')]);

  tmp = H.makeTmp('keyvault-demo-');
  const extensionsDir = path.join(tmp, 'extensions');
  step('packaging the extension (vsce) and installing it into the demo extensions dir');
  const vsix = H.packageVsix(H.ROOT, { cache: false });
  H.installVsix(vsix, extensionsDir, path.join(tmp, 'user-data'));

  const seed = fs.existsSync(SEED) ? SEED : undefined;
  started.emulator = await H.startEmulator({ seed, logFile: path.join(tmp, 'emulator.log') });
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
    step(`check passed: the view lists ${ready.vaults.length} vault(s); screenshot ${path.relative(H.ROOT, shot)}`);
    return 0;
  } finally {
    await browser.close().catch(() => {});
  }
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { void stop(0); });
// `npm run demo` starts us as npm → scripts/node22.js → demo.js, and npm does not pass SIGTERM on: when the
// parent or grandparent goes away, stop too (Linux: /proc).
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
