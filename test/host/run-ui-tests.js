#!/usr/bin/env node
// UI tier: Playwright tests (test/ui/**/*.test.ts, mocha under tsx, in this process) that click the real
// workbench: code-server with this repo as the extension under development (no tests path), the emulator of
// the run (seed test/fixtures/demo-seed.json when present) and the test `microsoft` auth provider, driven by
// headless chromium. Screenshots go to test-output/ui/. Ends with one line `ui: N passed, N failed`.
//
//   node test/host/run-ui-tests.js [--no-emulator | --unannounced | --emulator SCRIPT] [--keep] [files…]
// --unannounced: the emulator backs the test sign-in and the custom cloud only; the extension is not told about it
// (a first run: nothing under "Local emulator", nobody signed in — the welcome view).
// Env: KEYVAULT_TEST_GREP (mocha grep), KEYVAULT_TEST_TIMEOUT (per test, seconds; default 90).
// Tests reach what was started through test/ui/support/session.ts (session()) and click through
// test/ui/support/workbench.ts (Workbench).
'use strict';
const fs = require('fs');
const path = require('path');
const H = require('./harness');
const TierReporter = require('../support/tier-reporter.js');
const { recordFailure } = TierReporter;

const argv = process.argv.slice(2);
const flag = (name) => argv.includes('--' + name);
const TIER = 'ui';
const OUT = path.join(H.ROOT, 'test-output', 'ui');
const SEED = path.join(H.ROOT, 'test', 'fixtures', 'demo-seed.json');
const AUTH_PROVIDER = path.join(H.ROOT, 'test', 'auth-provider');
const log = (...a) => console.log('[ui-host]', ...a);

const started = { emulator: null, server: null, browser: null };
let tmp;

function teardown() {
  return H.stopRun(started, tmp, { keep: flag('keep'), log });
}

function testFiles() {
  const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--emulator').map((f) => path.resolve(f));
  if (named.length) return named;
  // test/ui/first-run/ needs a workbench with nothing to show: scripts/test.js runs it with --no-emulator
  const dir = path.join(H.ROOT, 'test', 'ui');
  return fs.readdirSync(dir, { recursive: true }).map(String)
    .filter((f) => f.endsWith('.test.ts') && !f.startsWith(`first-run${path.sep}`)).sort().map((f) => path.join(dir, f));
}

async function startHost() {
  if (!fs.existsSync(path.join(H.ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run node esbuild.js');
  fs.mkdirSync(OUT, { recursive: true });
  tmp = H.makeTmp('keyvault-ui-');
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);

  let ready;
  let line;
  if (!flag('no-emulator')) {
    const seed = fs.existsSync(SEED) ? SEED : undefined;
    const i = argv.indexOf('--emulator');
    started.emulator = await H.startEmulator({ seed, logFile: path.join(OUT, 'emulator.log'),
      script: i >= 0 ? path.resolve(argv[i + 1]) : undefined });
    ({ ready, line } = started.emulator);
    log(`emulator on port ${ready.port}` + (seed ? ` (seed ${path.relative(H.ROOT, seed)})` : ' (no seed)'));
  }
  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(extensionsDir);
  if (fs.existsSync(path.join(AUTH_PROVIDER, 'package.json'))) {
    H.installVsix(H.packageVsix(AUTH_PROVIDER), extensionsDir, path.join(tmp, 'user-data'));
  }
  started.server = await H.startCodeServer({ tmp, workspace, extensionsDir,
    env: { KEYVAULT_TEST_EMULATOR: line, KEYVAULT_EMULATOR_READY: flag('unannounced') ? undefined : line,
      VSCODE_SKIP_BUILTIN_EXTENSIONS: 'vscode.microsoft-authentication' },
    settings: { ...H.emulatorSettings(ready), ...emulatorCloudSettings(ready) },
    // the cloud's CA: a machine setting, so in the remote window's Machine settings (the user settings lose it)
    machineSettings: ready ? { 'keyVault.cloud.caCertificateFile': ready.ca } : {} });
  const info = H.codeServerInfo();
  log(`code-server ${info.codeServer} (VS Code ${info.vscode}) on port ${started.server.port}, up in ${started.server.startMs} ms`);
  started.browser = await H.launchBrowser(path.join(tmp, 'chromium-profile'));
  const workbenchUrl = H.workbenchUrl(started.server.base, workspace,
    [['extensionDevelopmentPath', H.remoteUri(H.ROOT)]]);
  return { browser: started.browser, workbenchUrl, workspace, emulator: ready, outDir: OUT, logsDir: path.join(started.server.userDataDir, 'logs') };
}

/**
 * A custom cloud whose ARM, authority and vault suffix are the emulator, as a user would configure VS Code for a
 * private cloud: the sign-in test then goes through the real consent dialog to discovered vaults. (Signed out,
 * which is how the UI tier starts, it changes nothing.)
 */
function emulatorCloudSettings(ready) {
  if (!ready) return {};
  require('tsx/cjs/api').register();
  const { emulatorCustomEnvironment } = require('../../src/auth/emulatorCredential.ts');
  return {
    'microsoft-sovereign-cloud.environment': 'custom',
    'microsoft-sovereign-cloud.customEnvironment': emulatorCustomEnvironment(ready),
  };
}

async function runMocha(files) {
  require('tsx/cjs/api').register();
  const Mocha = require('mocha');
  const { setSession } = require('../ui/support/session.ts');
  process.env.MOCHA_TIER ||= TIER; // a part of the tier (scripts/test.js) names itself
  const mocha = new Mocha({
    ui: 'bdd', color: false, reporter: TierReporter,
    timeout: Number(process.env.KEYVAULT_TEST_TIMEOUT || '90') * 1000,
    grep: process.env.KEYVAULT_TEST_GREP || undefined,
  });
  for (const f of files) mocha.addFile(f);
  return { mocha, setSession };
}

async function main() {
  const files = testFiles();
  if (files.length === 0) { console.log(`${TIER}: 0 passed, 0 failed`); return 0; }
  let session;
  try {
    session = await startHost();
  } catch (e) {
    recordFailure(process.env.MOCHA_TIER || TIER, '(the UI host did not start)', e && e.message ? e.message : e);
    console.log(`\n  the UI host did not start: ${e && e.message ? e.message : e}\n\n${process.env.MOCHA_TIER || TIER}: 0 passed, 1 failed`);
    return 1;
  }
  const { mocha, setSession } = await runMocha(files);
  setSession(session);
  // The tier reporter prints the closing line; a module that throws on load fails the tier here.
  let failures;
  try {
    failures = await new Promise((resolve) => { mocha.run(resolve); });
  } catch (e) {
    recordFailure(process.env.MOCHA_TIER || TIER, '(a UI test module failed to load)', e && e.message ? e.message : e);
    console.log(`\n  a UI test module failed to load: ${e && e.stack ? e.stack : e}\n\n${process.env.MOCHA_TIER || TIER}: 0 passed, 1 failed`);
    return 1;
  } finally {
    setSession(undefined);
  }
  if (failures > 0) keepLogs();
  return failures > 0 ? 1 : 0;
}

/** After a failure: the code-server logs (extension host, the Key Vault output channel) go to test-output/ui/logs. */
function keepLogs() {
  const from = started.server && started.server.userDataDir && path.join(started.server.userDataDir, 'logs');
  if (!from || !fs.existsSync(from)) return;
  const to = path.join(OUT, 'logs');
  try {
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(from, to, { recursive: true });
    log(`code-server logs kept in ${path.relative(H.ROOT, to)}`);
  } catch (e) {
    log(`could not keep the code-server logs: ${e && e.message ? e.message : e}`);
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { void teardown().finally(() => process.exit(130)); });
}
main().then(async (code) => {
  await teardown();
  process.exit(code);
}, async (e) => {
  console.log(e && e.stack ? e.stack : e);
  await teardown();
  console.log(`\n${process.env.MOCHA_TIER || TIER}: 0 passed, 1 failed`);
  process.exit(1);
});
