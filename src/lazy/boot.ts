// Entry of dist/extension.js: loads the extension itself (dist/core.js) with a V8 code cache kept next to it, so a
// start after the first does not parse and compile 180 KB again (what VS Code does for its own code). The cache's
// name holds V8's version and a hash of dist/core.js (V8 itself checks only the source's length, its version and
// flags); a missing or rejected one is written a few seconds after activation, with the functions activation
// compiled, and older ones are removed. Nothing in it is a secret: it is compiled code of dist/core.js. Where dist/
// is read-only there is no cache and every start compiles, as without one.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * How long after loading the cache is written: activation and the first renders have compiled what they use
 * (KEYVAULT_CODE_CACHE_WRITE_MS sets it for the loader's tests).
 */
const WRITE_AFTER_MS = Number(process.env.KEYVAULT_CODE_CACHE_WRITE_MS) || 5000;
const CACHE_PREFIX = 'core.js.';

function load(): unknown {
  const file = path.join(__dirname, 'core.js');
  const source = fs.readFileSync(file, 'utf8');
  const hash = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cacheFile = path.join(__dirname, `${CACHE_PREFIX}${process.versions.v8.replace(/[^\w.-]/g, '_')}.${hash}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const compileStart = performance.now();
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const compileMs = performance.now() - compileStart;
  const core = new Module(file, module);
  core.filename = file;
  core.paths = module.paths;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(core.exports, core.exports, Module.createRequire(file), core, file, __dirname);
  core.loaded = true;
  // for the benchmark: whether this start used the cache
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  Object.defineProperty(core.exports, 'boot', { value: { cache, compileMs }, enumerable: false });
  if (cachedData === undefined || script.cachedDataRejected) {
    setTimeout(() => writeCache(cacheFile, script), WRITE_AFTER_MS).unref();
  }
  return core.exports;
}

function writeCache(cacheFile: string, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
    // caches of earlier builds or other V8 versions
    for (const f of fs.readdirSync(__dirname)) {
      if (f.startsWith(CACHE_PREFIX) && f.endsWith('.cache') && path.join(__dirname, f) !== cacheFile) fs.rmSync(path.join(__dirname, f), { force: true });
    }
  } catch {
    // a read-only or full folder: starts compile as they did
    fs.rmSync(tmp, { force: true });
  }
}

module.exports = load();
