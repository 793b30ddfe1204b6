#!/usr/bin/env node
// `npm test`: lint, typecheck, build, then the test tiers in order. Each tier ends with its own line
// `<tier>: N passed, N failed`. Starts with the setup (scripts/bootstrap.js: apt packages, Node 22, npm ci,
// code-server; each only when missing), then runs everything on Node 22 (re-executes itself there if needed).
//   node scripts/test.js [tier…]      tiers: lint typecheck unit conformance host vscode ui demo reliability electron
//   (no tier = lint typecheck unit conformance host vscode reliability ui demo)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./node22');
const { onNode22 } = require('./bootstrap');

const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const REPORTER = path.join(ROOT, 'test', 'support', 'tier-reporter.js');
const ALL = ['lint', 'typecheck', 'unit', 'conformance', 'host', 'vscode', 'reliability', 'ui', 'demo'];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === null ? 1 : r.status;
}

function npx(bin, args) {
  return run(process.execPath, [path.join(ROOT, 'node_modules', '.bin', bin), ...args]);
}

function testFiles(dir) {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true }).map(String)
    .filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
}

/** Runs a mocha tier in plain Node 22 (TypeScript through tsx). */
function mochaTier(tier, dir, extraArgs = []) {
  const files = testFiles(dir);
  if (files.length === 0) {
    console.log(`${tier}: 0 passed, 0 failed`);
    return 0;
  }
  const code = run(process.execPath, ['--import', 'tsx', MOCHA, '--reporter', REPORTER, '--timeout', '30000',
    ...extraArgs, ...files], { MOCHA_TIER: tier });
  return code;
}

function build() {
  return run(process.execPath, [path.join(ROOT, 'esbuild.js'), '--quiet', '--tests']);
}

/** Installs code-server on first use (fast when installed); on failure the tier counts one failure. */
function hostInstall(tier) {
  const install = run('bash', [path.join(ROOT, 'test', 'host', 'install-code-server.sh')]);
  if (install !== 0) console.log(`${tier}: 0 passed, 1 failed`);
  return install;
}

function hostTier(tier, script) {
  return hostInstall(tier) || run(process.execPath, [path.join(ROOT, script)]);
}

/**
 * Reliability: plain-Node tests (test/reliability/*.test.ts: emulator durability and hardening, the services layer
 * under faults) and extension-host tests (test/reliability/host: canary, token routing, faults, bad input), one
 * closing line for both.
 */
const RELIABILITY_TOKEN_LIFETIME = 20;

function reliabilityTier() {
  const counts = [];
  const code = build() || hostInstall('reliability');
  if (code) return code;
  const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'keyvault-reliability-'));
  const part = (name) => path.join(tmp, `${name}.json`);
  const files = testFiles('test/reliability').filter((f) => !f.startsWith(path.join('test', 'reliability', 'host')));
  if (files.length) {
    run(process.execPath, ['--import', 'tsx', MOCHA, '--reporter', REPORTER, '--timeout', '180000', ...files],
      { MOCHA_TIER: 'reliability (node)', TIER_COUNTS_FILE: part('node') });
    counts.push(readCounts(part('node')));
  }
  if (fs.existsSync(path.join(ROOT, 'out', 'test', 'reliability', 'host'))) {
    run(process.execPath, [path.join(ROOT, 'test', 'host', 'run-vscode-tests.js'), '--tier', 'reliability',
      '--tests-dir', path.join(ROOT, 'out', 'test', 'reliability', 'host'), '--counts', part('host'),
      // tokens expire every 20 s: every host test meets expired tokens mid-session (token-lifecycle.test checks it)
      '--emulator-args', `--token-lifetime ${RELIABILITY_TOKEN_LIFETIME}`,
      '--out', path.join(ROOT, 'test-output', 'reliability')]);
    counts.push(readCounts(part('host')));
  }
  const passed = counts.reduce((n, c) => n + c.passed, 0);
  const failed = counts.reduce((n, c) => n + c.failed, 0);
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`\nreliability: ${passed} passed, ${failed} failed`);
  return failed > 0 || counts.length === 0 ? 1 : 0;
}

/**
 * UI: the workbench with the demo emulator (test/ui/*.test.ts), then a first-run workbench with no emulator and
 * nobody signed in (test/ui/first-run: the welcome view), one closing line for both.
 */
function uiTier() {
  const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'keyvault-ui-'));
  const parts = [
    { name: 'workbench', args: [] },
    { name: 'first run', args: ['--unannounced', ...testFiles('test/ui/first-run')] },
  ];
  const counts = parts.map((p, i) => {
    const file = path.join(tmp, `${i}.json`);
    run(process.execPath, [path.join(ROOT, 'test', 'host', 'run-ui-tests.js'), ...p.args],
      { MOCHA_TIER: `ui (${p.name})`, TIER_COUNTS_FILE: file });
    return readCounts(file);
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  const passed = counts.reduce((n, c) => n + c.passed, 0);
  const failed = counts.reduce((n, c) => n + c.failed, 0);
  console.log(`\nui: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** A part that wrote no counts (crashed before its reporter ran) counts as one failure. */
function readCounts(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return { passed: 0, failed: 1 }; }
}

const steps = {
  lint: () => npx('eslint', ['.']),
  typecheck: () => npx('tsc', ['-p', '.', '--noEmit']),
  unit: () => mochaTier('unit', 'test/unit'),
  conformance: () => build() || mochaTier('conformance', 'test/conformance'),
  // the test host's own runner must fail loudly (failing, throwing and hung suites) and leave nothing running
  host: () => build() || hostInstall('host') || mochaTier('host', 'test/host/selftest'),
  vscode: () => build() || hostTier('vscode', 'test/host/run-vscode-tests.js'),
  ui: () => build() || hostInstall('ui') || uiTier(),
  reliability: () => reliabilityTier(),
  // `npm run demo -- --check` as the README gives it, two tests: `package` (the .vsix of `npm run package`: under
  // 3 MB, production dist/extension.js and dist/emulator.js, installed with code-server --install-extension) and
  // `demo` (the URL serves the workbench and the installed extension's view lists the vaults of the emulator the
  // .vsix ships; headless check), then everything stops. demo.js builds (through vscode:prepublish) by itself.
  demo: () => {
    if (hostInstall('demo')) return 1; // it printed the tier's line
    const counts = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'keyvault-demo-tier-')), 'counts.json');
    const code = run(process.execPath, [path.join(ROOT, 'scripts', 'demo.js'), '--check', '--counts', counts]);
    const c = fs.existsSync(counts) ? readCounts(counts) : { passed: 0, failed: 2 };
    fs.rmSync(path.dirname(counts), { recursive: true, force: true });
    if (code !== 0 && c.failed === 0) c.failed = 1; // demo.js failed after its checks passed (e.g. did not stop)
    console.log(`demo: ${c.passed} passed, ${c.failed} failed`);
    return c.failed > 0 ? 1 : 0;
  },
  electron: () => build() || run(process.execPath, [path.join(ROOT, 'test', 'host', 'run-electron-tests.js')]),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = wanted.filter((name) => !steps[name]);
if (unknown.length) {
  console.error(`unknown tier ${unknown.join(', ')}; known: ${Object.keys(steps).join(' ')}`);
  process.exit(2);
}

function main() {
  const failedSteps = [];
  // every failed test of every tier, named again at the end (the tail of a long log is what CI shows)
  const failuresFile = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'keyvault-failures-')), 'failures.txt');
  process.env.TEST_FAILURES_FILE = failuresFile;
  for (const name of wanted) {
    console.log(`\n===== ${name} =====`);
    if (steps[name]() !== 0) failedSteps.push(name);
  }
  const failures = fs.existsSync(failuresFile) ? fs.readFileSync(failuresFile, 'utf8').trim() : '';
  fs.rmSync(path.dirname(failuresFile), { recursive: true, force: true });
  if (failures) console.log(`\nfailed tests:\n  ${failures.split('\n').join('\n  ')}`);
  console.log(failedSteps.length ? `\nFAILED: ${failedSteps.join(', ')}` : '\nall steps passed');
  process.exit(failedSteps.length ? 1 : 0);
}

// code-server up front when a tier needs it (the tiers' own install calls are then instant)
onNode22(__filename, main, { codeServer: wanted.some((t) => !['lint', 'typecheck', 'unit', 'conformance'].includes(t)) });
