// The extension-host runner (test/host/run-vscode-tests.js) must fail loudly: a failing test, a test module
// that throws on load and a hung test each make it exit non-zero with the failure counted in its closing
// line, and no process it started (code-server, extension host, chromium) is left afterwards. Each case is a
// real run against code-server with the fixture suites in test/host/fixtures/ (~10–25 s each).
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RUNNER = path.join(ROOT, 'test', 'host', 'run-vscode-tests.js');

interface RunnerRun { code: number | null; output: string; marker: string; failures: string }

function runRunner(fixture: string, extraArgs: string[] = []): Promise<RunnerRun> {
  const marker = randomUUID();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keyvault-runner-selftest-'));
  // where the runner lists failed tests for npm test's closing summary (scripts/test.js sets it)
  const failuresFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyvault-runner-failures-')), 'failures.txt');
  return new Promise((resolve, reject) => {
    // The marker is inherited by everything the runner starts: afterwards no live process may carry it.
    const child = spawn(process.execPath, [RUNNER, '--no-emulator', '--out', out,
      '--tests-dir', path.join(ROOT, 'test', 'host', 'fixtures', fixture), ...extraArgs],
    { cwd: ROOT, env: { ...process.env, KEYVAULT_RUN_MARKER: marker, KEYVAULT_TEST_GREP: '', TEST_FAILURES_FILE: failuresFile } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(out, { recursive: true, force: true });
      const failures = fs.existsSync(failuresFile) ? fs.readFileSync(failuresFile, 'utf8') : '';
      fs.rmSync(path.dirname(failuresFile), { recursive: true, force: true });
      resolve({ code, output, marker, failures });
    });
  });
}

/** Live processes (not zombies) whose environment carries the marker. */
function processesWithMarker(marker: string): string[] {
  const needle = `KEYVAULT_RUN_MARKER=${marker}`;
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) {
        found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 160)}`);
      }
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return found;
}

function closingLine(output: string): string {
  const lines = output.trim().split('\n');
  return lines[lines.length - 1];
}

describe('extension-host runner (test/host/run-vscode-tests.js)', function () {
  this.timeout(120000);

  before(function () {
    this.timeout(600000);
    // the runner needs code-server and the bundled tests index (scripts/test.js builds it only for host tiers)
    const install = spawnSync('bash', [path.join(ROOT, 'test', 'host', 'install-code-server.sh')], { stdio: 'ignore' });
    assert.strictEqual(install.status, 0, 'test/host/install-code-server.sh failed');
    const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--quiet', '--tests'], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, build.stderr);
  });

  it('exits non-zero when a test fails, and counts it', async () => {
    const run = await runRunner('failing');
    assert.notStrictEqual(run.code, 0, run.output);
    assert.strictEqual(closingLine(run.output), 'vscode: 1 passed, 1 failed', run.output);
    assert.match(run.output, /AssertionError/);
    // named for the summary at the end of npm test: the failed test only, with its message
    assert.match(run.failures, /^vscode: fixture: failing fails — Expected values to be strictly equal/m);
    assert.strictEqual(run.failures.trim().split('\n').length, 1, run.failures);
    assert.deepStrictEqual(processesWithMarker(run.marker), []);
  });

  it('exits non-zero when a test module throws on load', async () => {
    const run = await runRunner('throws-on-load');
    assert.notStrictEqual(run.code, 0, run.output);
    assert.strictEqual(closingLine(run.output), 'vscode: 0 passed, 1 failed', run.output);
    assert.match(run.output, /failed to load:[\s\S]*fixture module throws on load/);
    assert.match(run.failures, /^vscode: \(a test module failed to load\) — .*fixture module throws on load/m);
    assert.deepStrictEqual(processesWithMarker(run.marker), []);
  });

  it('exits non-zero on a hung test once the run times out, naming the test', async () => {
    const run = await runRunner('hung', ['--timeout', '30']);
    assert.notStrictEqual(run.code, 0, run.output);
    assert.strictEqual(closingLine(run.output), 'vscode: 1 passed, 1 failed', run.output);
    assert.match(run.output, /TIMEOUT after 30 s — still running "fixture: hung never settles"/);
    assert.match(run.failures, /^vscode: \(the run\) — TIMEOUT after 30 s/m);
    assert.deepStrictEqual(processesWithMarker(run.marker), []);
  });
});
