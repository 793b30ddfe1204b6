#!/usr/bin/env node
// `npm run test:electron` — for machines WITH internet: the same extension-host tests (out/test/vscode) in
// desktop VS Code, downloaded by @vscode/test-electron into .vscode-test/ (on Linux under xvfb-run when there
// is no display). Same contract as the code-server tier (test/host/run-vscode-tests.js): the emulator of the
// run in KEYVAULT_TEST_EMULATOR, results in KEYVAULT_TEST_RESULT, the test `microsoft` auth provider
// installed, the built-in one disabled, our extension trusted for auth in the downloaded copy's product.json.
// Ends with `electron: N passed, N failed`. Not run in CI here: offline, the download fails with a clear
// message. Env: KEYVAULT_VSCODE_VERSION (default 1.117.0), KEYVAULT_TEST_GREP, KEYVAULT_TEST_TIMEOUT.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const H = require('./harness');

const TIER = 'electron';
const VERSION = process.env.KEYVAULT_VSCODE_VERSION || '1.117.0';
const TESTS_INDEX = path.join(H.ROOT, 'out', 'test', 'vscode', 'index.js');
const SEED = path.join(H.ROOT, 'test', 'fixtures', 'vscode-seed.json');
const log = (...a) => console.log('[electron]', ...a);

// Electron needs a display: re-run ourselves under xvfb-run when there is none.
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.KEYVAULT_UNDER_XVFB) {
  const has = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).status === 0;
  if (!has) {
    console.log(`\n  no display and no xvfb-run: apt-get install -y xvfb (or set DISPLAY)\n\n${TIER}: 0 passed, 1 failed`);
    process.exit(1);
  }
  const r = spawnSync('xvfb-run', ['-a', process.execPath, __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, KEYVAULT_UNDER_XVFB: '1' } });
  process.exit(r.status === null ? 1 : r.status);
}

/** Lets our extension use the `microsoft` providers without the consent dialog tests cannot answer. */
function trustForAuth(vscodeExecutable) {
  const candidates = [
    path.join(path.dirname(vscodeExecutable), 'resources', 'app', 'product.json'), // Linux, Windows
    path.join(path.dirname(vscodeExecutable), '..', 'Resources', 'app', 'product.json'), // macOS
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no product.json next to ${vscodeExecutable}`);
  const product = JSON.parse(fs.readFileSync(file, 'utf8'));
  const t = product.trustedExtensionAuthAccess;
  const add = (list) => (list.includes(H.EXTENSION_ID) ? list : [...list, H.EXTENSION_ID]);
  if (Array.isArray(t) || t === undefined) product.trustedExtensionAuthAccess = add(t || []);
  else for (const id of ['microsoft', 'microsoft-sovereign-cloud']) t[id] = add(t[id] || []);
  fs.writeFileSync(file, JSON.stringify(product, null, '\t'));
}

async function main() {
  const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } = require('@vscode/test-electron');
  if (!fs.existsSync(TESTS_INDEX)) throw new Error(`${TESTS_INDEX} is missing: run node esbuild.js --tests`);

  let vscodeExecutable;
  try {
    vscodeExecutable = await downloadAndUnzipVSCode({ version: VERSION, cachePath: path.join(H.CACHE, 'electron'), timeout: 30000 });
  } catch (e) {
    throw new Error(`could not download VS Code ${VERSION} from update.code.visualstudio.com ` +
      `(${e && e.message ? e.message : e}). This path needs internet; offline, use npm run test:vscode (code-server).`);
  }
  trustForAuth(vscodeExecutable);

  const tmp = H.makeTmp('keyvault-electron-');
  const resultFile = path.join(tmp, 'result.json');
  const emulator = await H.startEmulator({ seed: fs.existsSync(SEED) ? SEED : undefined, logFile: path.join(tmp, 'emulator.log') });
  try {
    const extensionsDir = path.join(tmp, 'extensions');
    const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutable);
    const vsix = H.packageVsix(path.join(H.ROOT, 'test', 'auth-provider'));
    const inst = spawnSync(cli, [...cliArgs, '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { encoding: 'utf8', shell: process.platform === 'win32' });
    if (inst.status !== 0) throw new Error(`installing the test auth provider failed: ${inst.stderr}`);

    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    const userDir = path.join(tmp, 'user-data', 'User');
    fs.mkdirSync(userDir, { recursive: true });
    fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...H.BASE_SETTINGS, ...H.emulatorSettings(emulator.ready) }, null, 2));

    let code;
    try {
      code = await runTests({
        vscodeExecutablePath: vscodeExecutable,
        extensionDevelopmentPath: H.ROOT,
        extensionTestsPath: TESTS_INDEX,
        extensionTestsEnv: {
          KEYVAULT_TEST_EMULATOR: emulator.line,
          KEYVAULT_EMULATOR_READY: emulator.line,
          KEYVAULT_TEST_RESULT: resultFile,
          KEYVAULT_TEST_GREP: process.env.KEYVAULT_TEST_GREP || '',
          KEYVAULT_TEST_AUTH_SIGNED_IN: '1',
        },
        launchArgs: [workspace, '--disable-extension', 'vscode.microsoft-authentication', '--extensions-dir', extensionsDir,
          '--user-data-dir', path.join(tmp, 'user-data'), '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
        timeout: Number(process.env.KEYVAULT_TEST_TIMEOUT || '600') * 1000,
      });
    } catch (e) {
      code = e && typeof e.code === 'number' ? e.code : 1;
      log(e && e.message ? e.message : e);
    }
    let result = null;
    try { result = JSON.parse(fs.readFileSync(resultFile, 'utf8')); } catch { /* reported below */ }
    if (result && result.output) console.log(result.output.join('\n'));
    const passed = result ? result.passes.length : 0;
    let failed = result ? result.failures.length : 0;
    if (!result || !result.done || result.error || (code !== 0 && failed === 0)) failed++;
    if (result && result.error) console.log(`\n  test module failed to load:\n    ${String(result.error).split('\n').slice(0, 6).join('\n    ')}`);
    return { passed, failed };
  } finally {
    await H.stopGroup(emulator.proc);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(({ passed, failed }) => {
  console.log(`\n${TIER}: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}, (e) => {
  console.log(`\n  ${e && e.message ? e.message : e}\n\n${TIER}: 0 passed, 1 failed`);
  process.exit(1);
});
