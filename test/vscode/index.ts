// extensionTestsPath module: VS Code's extension host loads it and calls run(). Resolving makes the workbench
// report exit code 0 (codeAutomationExit), rejecting 1. Because the host's console only reaches the browser,
// the run is also written as JSON to the file named by KEYVAULT_TEST_RESULT — after every test, so a runner
// that times out still knows what passed and which test hung. test/host/run-vscode-tests.js reads both.
//   KEYVAULT_TEST_RESULT    result file (required)
//   KEYVAULT_TEST_GREP      mocha grep
//   KEYVAULT_TEST_DIR       folder of *.test.js files (default: this bundle's folder; the runner's self-test
//                           points it at test/host/fixtures/*)
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

interface TestResult {
  done: boolean;
  exitCode?: number;
  error?: string;
  current?: string;
  host: { node: string; pid: number };
  files: string[];
  passes: { title: string; ms?: number }[];
  failures: { title: string; message: string; stack?: string }[];
  pending: { title: string }[];
  output: string[];
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String)
    .filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
}

export async function run(): Promise<void> {
  const resultFile = process.env.KEYVAULT_TEST_RESULT;
  const dir = process.env.KEYVAULT_TEST_DIR || __dirname;
  const result: TestResult = { done: false, host: { node: process.version, pid: process.pid }, files: [],
    passes: [], failures: [], pending: [], output: [] };
  const write = (): void => {
    if (!resultFile) return;
    fs.writeFileSync(resultFile + '.tmp', JSON.stringify(result, null, 2));
    fs.renameSync(resultFile + '.tmp', resultFile);
  };
  const finish = (exitCode: number, error?: unknown): void => {
    result.done = true;
    result.exitCode = exitCode;
    if (error !== undefined) result.error = error instanceof Error ? String(error.stack || error.message) : String(error);
    write();
  };

  // The spec reporter prints through Base.consoleLog: keep its text for the runner as well.
  const Base = Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void };
  const consoleLog = Base.consoleLog;
  Base.consoleLog = (...a: unknown[]) => { result.output.push(util.format(...a)); consoleLog(...a); };

  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 20000,
    grep: process.env.KEYVAULT_TEST_GREP || undefined });
  try {
    result.files = testFiles(dir).map((f) => path.relative(dir, f));
    if (result.files.length === 0) throw new Error(`no *.test.js files under ${dir}`);
    for (const f of result.files) mocha.addFile(path.join(dir, f));
    write();
    await mocha.loadFilesAsync();
  } catch (e) {
    Base.consoleLog = consoleLog;
    finish(1, e);
    throw e;
  }

  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('test', (t) => { result.current = t.fullTitle(); write(); });
    runner.on('pass', (t) => { result.passes.push({ title: t.fullTitle(), ms: t.duration }); write(); });
    runner.on('pending', (t) => { result.pending.push({ title: t.fullTitle() }); write(); });
    runner.on('fail', (t, err: Error) => {
      result.failures.push({ title: t.fullTitle(), message: String(err?.message), stack: String(err?.stack) });
      write();
    });
  });
  Base.consoleLog = consoleLog;
  result.current = undefined;
  finish(failures > 0 ? 1 : 0);
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
