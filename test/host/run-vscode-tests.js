#!/usr/bin/env node
// Extension-host tier: runs out/test/vscode/**/*.test.js inside the real VS Code extension host (code-server
// 4.117.0 = VS Code 1.117, Node 22), with this repo as the extension under development, against an emulator
// started for the run, driven by headless chromium. Prints the mocha report, then one closing line
// `vscode: N passed, N failed`. Exit 0 only when every test passed; non-zero on a failing test, a test module
// that fails to load, a timeout, or a host that did not come up.
//
//   node test/host/run-vscode-tests.js [--tests-dir DIR] [--tier NAME] [--counts FILE] [--emulator-args "…"] [--timeout SEC] [--no-emulator | --emulator SCRIPT] [--out DIR] [--keep] [--verbose]
// Env: KEYVAULT_TEST_GREP (mocha grep), KEYVAULT_TEST_TIMEOUT (whole run, seconds; default 600).
// Needs: node esbuild.js --tests (scripts/test.js does it), test/host/install-code-server.sh.
//
// The extension host gets (environment of code-server, passed down to the host):
//   KEYVAULT_TEST_EMULATOR   the emulator's ready JSON line
//   KEYVAULT_TEST_RESULT     where test/vscode/index.ts writes the result JSON
//   KEYVAULT_TEST_GREP, KEYVAULT_TEST_DIR
//   VSCODE_SKIP_BUILTIN_EXTENSIONS=vscode.microsoft-authentication and KEYVAULT_TEST_AUTH_SIGNED_IN=1: our
//   test provider test/auth-provider registers `microsoft` and `microsoft-sovereign-cloud` instead, backed by
//   the emulator, signed in as the ready line's first principal
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const H = require('./harness');
const { recordFailure } = require('../support/tier-reporter.js');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf('--' + name); return i >= 0 ? argv[i + 1] : def; };
const flag = (name) => argv.includes('--' + name);

// --tier names the closing line (the reliability tier runs its extension-host part here); --counts FILE writes
// {passed, failed} there instead of printing it, for a tier made of several parts
const TIER = opt('tier', 'vscode');
const COUNTS_FILE = opt('counts');
// --emulator-args "…": more flags for the run's emulator (the reliability tier gives it short-lived tokens)
const EMULATOR_ARGS = (opt('emulator-args', '') || '').split(/\s+/).filter(Boolean);
const TESTS_INDEX = path.join(H.ROOT, 'out', 'test', 'vscode', 'index.js');
const TESTS_DIR = opt('tests-dir') ? path.resolve(opt('tests-dir')) : undefined;
const TIMEOUT_S = Number(opt('timeout', process.env.KEYVAULT_TEST_TIMEOUT || '600'));
const OUT = path.resolve(opt('out', path.join(H.ROOT, 'test-output', 'vscode')));
const SEED = path.join(H.ROOT, 'test', 'fixtures', 'vscode-seed.json');
const DEMO_SEED = path.join(H.ROOT, 'test', 'fixtures', 'demo-seed.json');
const DEMO_VAULTS = ['contoso-orchestr-dev', 'contoso-analytics-prd'];
const AUTH_PROVIDER = path.join(H.ROOT, 'test', 'auth-provider');
const VERBOSE = flag('verbose');
const log = (...a) => console.log('[vscode-host]', ...a);

const started = { emulator: null, server: null, browser: null };
let tmp;

function teardown() {
  return H.stopRun(started, tmp, { keep: flag('keep'), log });
}

/**
 * The test seed plus the demo seed's orchestration vaults (Airflow, Union/Flyte, ZenML secrets), so the
 * orchestrator tests run against the very data `npm run demo` shows. They go into a subscription of their own
 * (the discovery tests count the others) on which the test seed's first principal — the one the extension
 * signs in as — is Key Vault Administrator.
 */
function withDemoVaults(seedFile, outFile) {
  const seed = JSON.parse(fs.readFileSync(seedFile, 'utf8'));
  if (!fs.existsSync(DEMO_SEED)) return seedFile;
  const demo = JSON.parse(fs.readFileSync(DEMO_SEED, 'utf8'));
  const sub = { id: 'dddd0001-0000-4000-8000-000000000001', tenantId: seed.tenants[0].id, displayName: 'Demo orchestration' };
  seed.subscriptions.push(sub);
  for (const name of DEMO_VAULTS) {
    const vault = demo.vaults.find((v) => v.name === name);
    if (!vault) throw new Error(`${path.relative(H.ROOT, DEMO_SEED)} has no vault ${name}`);
    seed.vaults.push({ ...vault, subscriptionId: sub.id });
  }
  seed.principals[0].roles.push({ role: 'Key Vault Administrator', subscription: sub.id });
  fs.writeFileSync(outFile, JSON.stringify(seed));
  return outFile;
}

/** Returns { passed, failed }; prints the report. */
async function main() {
  if (!fs.existsSync(TESTS_INDEX)) throw new Error(`${TESTS_INDEX} is missing: run node esbuild.js --tests`);
  if (TESTS_DIR && !fs.existsSync(TESTS_DIR)) throw new Error(`no tests folder ${TESTS_DIR}`);
  tmp = H.makeTmp('keyvault-vscode-');
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  const resultFile = path.join(tmp, 'result.json');
  const info = H.codeServerInfo();

  let emulatorLine;
  if (!flag('no-emulator')) {
    const seed = fs.existsSync(SEED) ? withDemoVaults(SEED, path.join(tmp, 'seed.json')) : undefined;
    started.emulator = await H.startEmulator({ seed, logFile: path.join(tmp, 'emulator.log'), extraArgs: EMULATOR_ARGS,
      script: opt('emulator') && path.resolve(opt('emulator')) });
    emulatorLine = started.emulator.line;
    log(`emulator on port ${started.emulator.ready.port}` + (seed ? ` (seed ${path.relative(H.ROOT, seed)})` : ' (no seed)'));
  }

  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(extensionsDir);
  if (fs.existsSync(path.join(AUTH_PROVIDER, 'package.json'))) {
    H.installVsix(H.packageVsix(AUTH_PROVIDER), extensionsDir, path.join(tmp, 'user-data'));
  }

  const env = {
    KEYVAULT_TEST_RESULT: resultFile,
    KEYVAULT_TEST_EMULATOR: emulatorLine,
    // the product's own variable: the extension shows this emulator under "Local emulator"
    KEYVAULT_EMULATOR_READY: emulatorLine,
    KEYVAULT_TEST_GREP: process.env.KEYVAULT_TEST_GREP || undefined,
    KEYVAULT_TEST_DIR: TESTS_DIR,
    VSCODE_SKIP_BUILTIN_EXTENSIONS: 'vscode.microsoft-authentication',
    // the test auth provider starts signed in: this workbench refuses every dialog (see test/auth-provider)
    KEYVAULT_TEST_AUTH_SIGNED_IN: '1',
  };
  started.server = await H.startCodeServer({ tmp, workspace, env, extensionsDir,
    settings: H.emulatorSettings(started.emulator && started.emulator.ready) });
  const server = started.server;
  log(`code-server ${info.codeServer} (VS Code ${info.vscode}) on port ${server.port}, up in ${server.startMs} ms`);

  started.browser = await H.launchBrowser(path.join(tmp, 'chromium-profile'));
  const page = started.browser.pages()[0] || await started.browser.newPage();
  let workbenchExit = null;
  await page.exposeFunction('codeAutomationExit', (code) => { workbenchExit = code; });
  const consoleLines = [];
  page.on('console', (m) => {
    const t = m.text().replace(/^%c\s*(\w+)\s*color:[^ ]+\s*/, '$1 ');
    consoleLines.push(`[${m.type()}] ${t}`);
    if (VERBOSE) console.log('  | ' + t);
  });
  page.on('pageerror', (e) => consoleLines.push('[pageerror] ' + e.message));

  const url = H.workbenchUrl(server.base, workspace, [
    ['extensionDevelopmentPath', H.remoteUri(H.ROOT)],
    ['extensionTestsPath', H.remoteUri(TESTS_INDEX)],
  ]);
  const tOpen = Date.now();
  await page.goto(url);

  // Both channels: the result file says done AND the workbench called codeAutomationExit. If only one
  // arrives, the other gets 10 s of grace; the whole run gets TIMEOUT_S.
  const readResult = () => { try { return JSON.parse(fs.readFileSync(resultFile, 'utf8')); } catch { return null; } };
  const deadline = tOpen + TIMEOUT_S * 1000;
  let result = null;
  let graceUntil = 0;
  let problem = null;
  for (;;) {
    result = readResult();
    const done = !!(result && result.done);
    const exited = workbenchExit !== null;
    if (done && exited) break;
    if (done || exited) {
      graceUntil = graceUntil || Date.now() + 10000;
      if (Date.now() > graceUntil) break;
    }
    if (server.proc.exitCode !== null) { problem = `code-server exited (${server.proc.exitCode})`; break; }
    if (Date.now() > deadline) {
      problem = `TIMEOUT after ${TIMEOUT_S} s` + (result && result.current ? ` — still running "${result.current}"` : '');
      break;
    }
    await H.sleep(250);
  }
  const tookMs = Date.now() - tOpen;
  fs.writeFileSync(path.join(tmp, 'browser-console.log'), consoleLines.join('\n') + '\n');

  // ---- report ----
  const passed = result ? result.passes.length : 0;
  let failed = result ? result.failures.length : 0;
  if (result && result.output.length) console.log(result.output.join('\n'));
  if (result) for (const f of result.failures) recordFailure(TIER, f.title, f.message);
  if (result && result.error) {
    failed++;
    const stack = String(result.error).split('\n');
    recordFailure(TIER, '(a test module failed to load)', stack[0]);
    console.log(`\n  test module failed to load:\n    ${stack.slice(0, 6).join('\n    ')}` +
      (stack.length > 6 ? '\n    …' : ''));
  }
  if (!problem && !result) problem = 'the workbench ended the run without a result file';
  if (!problem && !result.done) problem = 'the result file is incomplete';
  if (!problem && workbenchExit === null) log('warning: the workbench never called codeAutomationExit');
  if (!problem && workbenchExit !== null && workbenchExit !== 0 && failed === 0) {
    problem = `the workbench reported exit code ${workbenchExit} though no test failed`;
  }
  if (problem) {
    failed++;
    recordFailure(TIER, '(the run)', problem);
    console.log(`\n  ${problem}`);
    // offline noise: the workbench asks open-vsx for updates and fails to resolve it
    const noise = /open-vsx|ENOTFOUND|ERR_NAME_NOT_RESOLVED|Failed to load resource/;
    const errors = consoleLines.map((l) => l.split('\n')[0])
      .filter((l) => /^\[(error|pageerror)\]/.test(l) && !noise.test(l)).slice(-10);
    if (errors.length) console.log('\n  last errors in the browser console:\n    ' + errors.join('\n    '));
  }
  if (failed > 0) {
    // keep the evidence of a failed run (the temp dir goes away)
    fs.mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'workbench.png') }).catch(() => {});
    for (const f of ['code-server.log', 'browser-console.log', 'emulator.log']) {
      if (fs.existsSync(path.join(tmp, f))) fs.copyFileSync(path.join(tmp, f), path.join(OUT, f));
    }
    console.log(`  logs: ${path.relative(H.ROOT, OUT)}/ (browser-console.log, code-server.log, emulator.log, workbench.png)`);
  }
  log(`run took ${(tookMs / 1000).toFixed(1)} s in the workbench; Node ${result ? result.host.node : '?'} in the extension host`);
  return { passed, failed };
}

let summary = { passed: 0, failed: 1 };
const hardTimer = setTimeout(() => {
  console.log(`\n  runner hard timeout\n\n${TIER}: 0 passed, 1 failed`);
  void teardown().finally(() => process.exit(2));
}, (TIMEOUT_S + 180) * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { void teardown().finally(() => process.exit(130)); });
}
main().then((s) => { summary = s; }, (e) => {
  console.log(`\n  the test host did not run: ${util.format(e && e.message ? e.message : e)}`);
  if (VERBOSE && e && e.stack) console.log(e.stack);
}).finally(async () => {
  clearTimeout(hardTimer);
  await teardown();
  if (COUNTS_FILE) {
    fs.writeFileSync(COUNTS_FILE, JSON.stringify(summary));
    console.log(`\n(${TIER} extension host: passed ${summary.passed}, failed ${summary.failed})`);
  } else {
    console.log(`\n${TIER}: ${summary.passed} passed, ${summary.failed} failed`);
  }
  process.exit(summary.failed > 0 ? 1 : 0);
});
