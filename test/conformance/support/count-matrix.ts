// Prints the conformance counts per SDK line × service version (and the cases outside the matrix).
//   node --import tsx test/conformance/support/count-matrix.ts            runs the suite (builds the emulator first)
//   node --import tsx test/conformance/support/count-matrix.ts --dry-run  counts cases without running them
// It runs mocha with the JSON reporter and groups tests by the combo title in their full title
// ("keyvault-secrets 4.12.0 / service 7.5").
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMBOS, ROOT } from './emulator';

interface JsonTest { fullTitle: string; err?: { message?: string } }
interface JsonReport { stats: { tests: number; passes: number; failures: number; pending: number }; tests: JsonTest[]; passes: JsonTest[]; failures: JsonTest[]; pending: JsonTest[] }

const dryRun = process.argv.includes('--dry-run');
const dir = path.join(ROOT, 'test', 'conformance');
const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conf-matrix-')), 'report.json');

if (!dryRun) {
  const b = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--quiet', '--emulator-only'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
  '--reporter', 'json', '--reporter-option', `output=${out}`, '--timeout', '30000', ...(dryRun ? ['--dry-run'] : []), ...files],
{ cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
if (!fs.existsSync(out)) {
  console.error(`mocha produced no report (exit ${r.status})`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(out, 'utf8')) as JsonReport;
fs.rmSync(path.dirname(out), { recursive: true, force: true });

const rows = new Map<string, { passed: number; failed: number; total: number }>();
for (const c of [...COMBOS.map((x) => x.title), 'outside the matrix']) rows.set(c, { passed: 0, failed: 0, total: 0 });
const rowOf = (t: JsonTest) => COMBOS.find((c) => t.fullTitle.includes(c.title))?.title ?? 'outside the matrix';
const failedTitles = new Set(report.failures.map((t) => t.fullTitle));
const passedTitles = new Set(report.passes.map((t) => t.fullTitle));
for (const t of report.tests) {
  const row = rows.get(rowOf(t))!;
  row.total++;
  if (passedTitles.has(t.fullTitle)) row.passed++;
  if (failedTitles.has(t.fullTitle)) row.failed++;
}
// hook failures are reported as failures without a matching test
const hookFailures = report.failures.filter((t) => !report.tests.some((x) => x.fullTitle === t.fullTitle));

const w = Math.max(...[...rows.keys()].map((k) => k.length));
console.log(`${'SDK line / service version'.padEnd(w)}  cases${dryRun ? '' : '  passed  failed'}`);
for (const [k, v] of rows) {
  console.log(`${k.padEnd(w)}  ${String(v.total).padStart(5)}${dryRun ? '' : `  ${String(v.passed).padStart(6)}  ${String(v.failed).padStart(6)}`}`);
}
const total = [...rows.values()].reduce((a, v) => ({ total: a.total + v.total, passed: a.passed + v.passed, failed: a.failed + v.failed }), { total: 0, passed: 0, failed: 0 });
console.log(`${'total'.padEnd(w)}  ${String(total.total).padStart(5)}${dryRun ? '' : `  ${String(total.passed).padStart(6)}  ${String(total.failed).padStart(6)}`}`);
if (hookFailures.length) console.log(`hook failures: ${hookFailures.map((h) => h.fullTitle).join('; ')}`);
if (!dryRun && total.failed) {
  console.log('\nfailed:');
  for (const f of report.failures) console.log(`- ${f.fullTitle}: ${String(f.err?.message ?? '').split('\n')[0].slice(0, 200)}`);
}
process.exit(dryRun ? 0 : (total.failed || hookFailures.length ? 1 : 0));
