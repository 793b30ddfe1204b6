// Bundles the extension and the emulator CLI (and, with --tests, the extension-host tests).
//   node esbuild.js [--production] [--watch] [--emulator-only] [--tests] [--quiet]
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
if (!args.has('--emulator-only')) {
  builds.push({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
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
