// Bundles the extension and the emulator CLI (and, with --tests, the extension-host tests).
//   node esbuild.js [--production] [--watch] [--emulator-only] [--tests] [--bench] [--quiet]
// --production (minified, no source maps) is the `vscode:prepublish` script: vsce runs it for every .vsix.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const quiet = args.has('--quiet');

const common = {
  absWorkingDir: __dirname,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: quiet ? 'error' : 'info',
};

function testEntries(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
}

const builds = [
  { ...common, entryPoints: ['src/emulator/cli.ts'], outfile: 'dist/emulator.js' },
];
/** The lazily loaded bundles (src/lazy/load.ts) stay `require('./x.js')` calls in dist/core.js. */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/(identity|arm|yaml|secrets|commands)\.js$/ }, (a) => ({ path: a.path, external: true }));
  },
};

/**
 * Every `import * as vscode from 'vscode'` of an external module costs a copy of the whole API object (esbuild's
 * __toESM: one getter per property, ~20 files): they all import one module instead, which re-exports it once.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (a) => (a.namespace === 'vscode-once' ? { path: 'vscode', external: true }
      : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

/**
 * dist/commands.js (the command handlers, src/lazy/commands.ts) takes every module it shares with the extension
 * (dist/core.js, whose exports dist/extension.js passes on) from it at run time instead of bundling a second copy:
 * one hub, one tree, one output channel, and `instanceof` works across the two. `coreInputs`: the modules of
 * dist/core.js; `used` collects those dist/commands.js needs, which dist/core.js then exports as `__shared` (see
 * extensionEntry).
 */
function sharedWithExtension(coreInputs, used) {
  return {
    name: 'shared-with-extension',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (a) => {
        if (a.namespace === 'shared') return { path: './extension.js', external: true };
        if (a.pluginData?.resolving || a.kind === 'entry-point' || a.path === 'vscode') return undefined;
        const r = await build.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: { resolving: true } });
        if (r.errors.length || r.external || r.namespace !== 'file') return undefined;
        const rel = path.relative(__dirname, r.path).split(path.sep).join('/');
        if (!coreInputs.has(rel)) return undefined;
        used.add(rel);
        return { path: rel, namespace: 'shared' };
      });
      build.onLoad({ filter: /.*/, namespace: 'shared' }, (a) => ({
        contents: `module.exports = require('./extension.js').__shared[${JSON.stringify(a.path)}];`, loader: 'js',
      }));
    },
  };
}

/** dist/core.js's entry: src/extension.ts, plus `__shared`, the namespaces of the modules dist/commands.js uses. */
function extensionEntry(used) {
  const files = [...used].sort();
  return {
    contents: [
      "export * from './extension';",
      ...files.map((f, i) => `import * as m${i} from ${JSON.stringify(path.relative('src', f).split(path.sep).join('/').replace(/^(?!\.)/, './'))};`),
      `export const __shared = { ${files.map((f, i) => `${JSON.stringify(f)}: m${i}`).join(', ')} };`,
    ].join('\n'),
    resolveDir: path.join(__dirname, 'src'), sourcefile: 'extension-entry.ts', loader: 'ts',
  };
}

const extensionOptions = {
  ...common, outfile: 'dist/core.js', external: ['vscode'],
  // @azure/identity (+ MSAL), the ARM clients, yaml, the Key Vault SDK and the command handlers are separate
  // bundles, loaded on first use
  define: { 'process.env.KEYVAULT_SPLIT_BUNDLE': '"1"' }, plugins: [lazyBundles, vscodeOnce],
  // the activation times the extension reports (api.activation): its first and last lines note the time
  banner: { js: 'var KEYVAULT_LOAD_START = performance.now();' },
  footer: { js: 'var KEYVAULT_LOAD_END = performance.now();' },
};

/** dist/extension.js: loads dist/core.js with a V8 code cache (src/lazy/boot.ts). */
const bootOptions = { ...common, entryPoints: ['src/lazy/boot.ts'], outfile: 'dist/extension.js', logLevel: 'error' };

/**
 * dist/core.js (the extension), dist/commands.js and dist/extension.js (its loader): the extension's modules, then
 * the handlers on them, then the extension with what the handlers take from it.
 */
async function buildExtension() {
  const probe = await esbuild.build({ ...extensionOptions, entryPoints: ['src/extension.ts'], write: false, metafile: true, logLevel: 'silent' });
  const coreInputs = new Set(Object.keys(probe.metafile.inputs));
  const used = new Set();
  await esbuild.build({
    ...common, entryPoints: ['src/lazy/commands.ts'], outfile: 'dist/commands.js', external: ['vscode'],
    define: extensionOptions.define, plugins: [vscodeOnce, lazyBundles, sharedWithExtension(coreInputs, used)],
  });
  await esbuild.build({ ...extensionOptions, stdin: extensionEntry(used) });
  await esbuild.build(bootOptions);
}

if (!args.has('--emulator-only')) {
  builds.push({ ...common, entryPoints: ['src/lazy/identity.ts'], outfile: 'dist/identity.js' });
  builds.push({ ...common, entryPoints: ['src/lazy/arm.ts'], outfile: 'dist/arm.js' });
  builds.push({ ...common, entryPoints: ['src/lazy/yaml.ts'], outfile: 'dist/yaml.js' });
  builds.push({ ...common, entryPoints: ['src/lazy/secrets.ts'], outfile: 'dist/secrets.js' });
}
if (args.has('--tests')) {
  // Extension-host tests run inside VS Code: one bundle per file; mocha and vscode come from the host side.
  builds.push({
    ...common, minify: false, entryPoints: testEntries('test/vscode'), outdir: 'out/test/vscode',
    outbase: 'test/vscode', external: ['vscode', 'mocha'],
  });
  // the reliability tier's extension-host part (test/reliability/host), run by the same runner as test/vscode
  const hostReliability = testEntries('test/reliability/host');
  if (hostReliability.length) {
    builds.push({
      ...common, minify: false, entryPoints: hostReliability, outdir: 'out/test/reliability/host',
      outbase: 'test/reliability/host', external: ['vscode', 'mocha'],
    });
  }
}

// the benchmark's extension-host suite (npm run bench), run by the same runner as test/vscode
if (args.has('--bench')) {
  builds.push({
    ...common, minify: false, entryPoints: testEntries('test/bench/host'), outdir: 'out/test/bench/host',
    outbase: 'test/bench/host', external: ['vscode', 'mocha'],
  });
}

async function main() {
  const withExtension = !args.has('--emulator-only');
  if (args.has('--watch')) {
    const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(ctxs.map((c) => c.watch()));
    if (withExtension) {
      // the extension's two bundles are built together: rebuilt whenever a file of the extension changes
      const rebuild = { name: 'rebuild-extension', setup: (b) => b.onEnd((r) => (r.errors.length ? undefined : buildExtension().catch((e) => console.error(e)))) };
      const ctx = await esbuild.context({ ...extensionOptions, entryPoints: ['src/extension.ts', 'src/lazy/commands.ts'], outfile: undefined,
        outdir: 'out/watch-probe', write: false, plugins: [...extensionOptions.plugins, rebuild] });
      await ctx.watch();
    }
    return;
  }
  await Promise.all([...builds.map((b) => esbuild.build(b)), ...(withExtension ? [buildExtension()] : [])]);
  // a production build has no source maps: drop the ones a dev build left, so none sits next to code it does not match
  if (production) for (const f of [...builds.map((b) => b.outfile), ...(withExtension ? ['dist/extension.js', 'dist/core.js', 'dist/commands.js'] : [])]) {
    if (f) fs.rmSync(f + '.map', { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
