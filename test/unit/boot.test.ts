// dist/extension.js (src/lazy/boot.ts) loads dist/core.js with a V8 code cache: run here on a small core.js in a
// temporary folder, each load in a fresh Node process as each VS Code start is.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

describe('extension loader (V8 code cache of dist/core.js)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-boot-'));
    buildSync({ entryPoints: [path.join(ROOT, 'src', 'lazy', 'boot.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(dir, 'extension.js'), logLevel: 'error' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeCore = (answer: number) => fs.writeFileSync(path.join(dir, 'core.js'),
    `exports.answer = () => ${answer}; exports.dir = __dirname; exports.file = __filename; exports.req = typeof require('node:path').join;\n` +
    // something for the cache to hold beyond the top level
    `exports.work = () => { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s; }; exports.work();\n`);
  const caches = () => fs.readdirSync(dir).filter((f) => f.endsWith('.cache'));
  /** Loads dist/extension.js in a new process; the process stays until the cache would be written (50 ms). */
  const load = () => {
    const r = spawnSync(process.execPath, ['-e',
      `const m = require(${JSON.stringify(path.join(dir, 'extension.js'))}); console.log(JSON.stringify({ answer: m.answer(), dir: m.dir, file: m.file, req: m.req, boot: m.boot })); setTimeout(() => {}, 300);`],
    { encoding: 'utf8', env: { ...process.env, KEYVAULT_CODE_CACHE_WRITE_MS: '50' } });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { answer: number; dir: string; file: string; req: string; boot: { cache: string } };
  };

  it('compiles on the first start and writes a cache; the next start uses it; the module is the same either way', () => {
    writeCore(42);
    const first = load();
    assert.deepStrictEqual({ ...first, boot: first.boot.cache }, { answer: 42, dir, file: path.join(dir, 'core.js'), req: 'function', boot: 'none' });
    assert.strictEqual(caches().length, 1);
    const second = load();
    assert.strictEqual(second.answer, 42);
    assert.strictEqual(second.boot.cache, 'used');
  });

  it('a damaged cache is rejected by V8, the start compiles and the cache is written anew', () => {
    const file = path.join(dir, caches()[0]);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    const r = load();
    assert.strictEqual(r.answer, 42);
    assert.strictEqual(r.boot.cache, 'rejected');
    assert.notDeepStrictEqual(fs.readFileSync(file), Buffer.alloc(4096, 7));
    assert.strictEqual(load().boot.cache, 'used');
  });

  it('a changed core.js (even of the same length) does not use the old cache, which is then removed', () => {
    const before = caches();
    writeCore(43); // same length as 42
    const r = load();
    assert.strictEqual(r.answer, 43);
    assert.strictEqual(r.boot.cache, 'none');
    const after = caches();
    assert.strictEqual(after.length, 1);
    assert.notStrictEqual(after[0], before[0]);
  });
});
