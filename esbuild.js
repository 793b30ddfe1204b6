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
/** The lazily loaded bundles (src/lazy/load.ts) stay `require('./x.js')` calls in dist/extension.js. */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/(identity|arm|yaml|secrets)\.js$/ }, (a) => ({ path: a.path, external: true }));
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

if (!args.has('--emulator-only')) {
  builds.push({
    ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'],
    // @azure/identity (+ MSAL), the ARM clients, yaml and the Key Vault SDK are separate bundles, loaded on first use
    define: { 'process.env.KEYVAULT_SPLIT_BUNDLE': '"1"' }, plugins: [lazyBundles, vscodeOnce],
    // the activation time the extension reports (activationMs) starts when the bundle starts loading
    banner: { js: 'var KEYVAULT_LOAD_START = performance.now();' },
  });
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
  if (args.has('--watch')) {
    const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(ctxs.map((c) => c.watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // a production build has no source maps: drop the ones a dev build left, so none sits next to code it does not match
  if (production) for (const b of builds) if (b.outfile) fs.rmSync(b.outfile + '.map', { force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
