#!/usr/bin/env node
// `npm run package`: the .vsix a user installs (`code --install-extension vscode-keyvault-0.1.0.vsix`), built
// offline with @vscode/vsce. vsce runs the `vscode:prepublish` script first, so the package always holds the
// production build (minified, no source maps) whatever was built before. .vscodeignore is an allowlist.
// Checks the package (checkVsix) and prints its size and files.
//   node scripts/package.js [--out FILE]        (default: ./vscode-keyvault-<version>.vsix)
// The same code packages the extension for `npm run demo`, whose --check (the `demo` tier) also installs the
// .vsix into code-server and checks what got installed (checkInstalled).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
// the marketplace takes far more; this keeps the download small and catches a stray file (source maps, tests)
const MAX_BYTES = 3 * 1000 * 1000;
/** The bundles: the entry point, the emulator, and the ones the entry point loads on first use (src/lazy/load.ts). */
const DIST = ['dist/extension.js', 'dist/core.js', 'dist/commands.js', 'dist/emulator.js', 'dist/identity.js', 'dist/arm.js', 'dist/yaml.js', 'dist/secrets.js'];

const manifest = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const kb = (n) => `${(n / 1e3).toFixed(1)} kB`;

/** Files the package must hold: the entry point, the emulator, and everything the manifest and README name. */
function requiredFiles() {
  const pkg = manifest();
  const files = new Set(['package.json', 'README.md', ...DIST]);
  if (pkg.main) files.add(path.posix.normalize(pkg.main));
  if (fs.existsSync(path.join(ROOT, 'package.nls.json'))) files.add('package.nls.json');
  // paths in the manifest (icons, walkthrough images and markdown, l10n bundles) that name files in the repo
  const visit = (v) => {
    if (typeof v === 'string') {
      const rel = path.posix.normalize(v.replace(/^\.\//, ''));
      if (/^[\w@.-]+(\/[\w@.-]+)+$|^[\w-]+\.\w+$/.test(rel) && !rel.startsWith('..') && isFile(rel)) files.add(rel);
      if (/^[\w-]+$/.test(rel) && v.startsWith('./') && isDir(rel)) {
        for (const f of fs.readdirSync(path.join(ROOT, rel))) if (isFile(`${rel}/${f}`)) files.add(`${rel}/${f}`);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit([pkg.contributes, pkg.icon, pkg.l10n, pkg.browser]);
  // README images given relative to the repo: VS Code shows the README of the installed extension from its folder
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/!\[[^\]]*\]\(([^)\s#]+)[^)]*\)|<img[^>]+src="([^"]+)"/g)) {
    const ref = m[1] || m[2];
    if (/^[a-z]+:/i.test(ref) || ref.startsWith('/')) continue;
    const rel = path.posix.normalize(ref.replace(/^\.\//, ''));
    if (isFile(rel)) files.add(rel);
  }
  return [...files].sort();
}

function isFile(rel) { try { return fs.statSync(path.join(ROOT, rel)).isFile(); } catch { return false; } }
function isDir(rel) { try { return fs.statSync(path.join(ROOT, rel)).isDirectory(); } catch { return false; } }

// what must never ship: sources, tests, source maps, dependencies, build and test output
const FORBIDDEN = /^extension\/(src|test|out|scripts|node_modules|docs|\.vscode-test|test-output|\.ci)\/|\.map$|\.ts$|\.vsix$|\.cache$/;

/**
 * Checks a .vsix of this extension; throws naming what is wrong. Returns { size, entries } (entries from
 * harness.vsixEntries).
 */
function checkVsix(vsix) {
  const H = require('../test/host/harness');
  const size = fs.statSync(vsix).size;
  const entries = H.vsixEntries(vsix);
  const names = new Set(entries.map((e) => e.name));
  const problems = [];
  if (size >= MAX_BYTES) problems.push(`it is ${mb(size)}, the limit is ${mb(MAX_BYTES)}`);
  // vsce stores README.md and CHANGELOG.md as readme.md and changelog.md
  const missing = requiredFiles().filter((f) => !names.has(`extension/${f}`) && !names.has(`extension/${f.toLowerCase()}`));
  if (missing.length) problems.push(`it lacks ${missing.join(', ')}`);
  const forbidden = entries.map((e) => e.name).filter((n) => FORBIDDEN.test(n));
  if (forbidden.length) problems.push(`it must not hold ${forbidden.join(', ')}`);
  for (const name of DIST.map((f) => `extension/${f}`)) {
    const entry = entries.find((e) => e.name === name);
    if (entry && /\/\/# sourceMappingURL=/.test(entry.read().toString('utf8'))) {
      problems.push(`${name} is not the production build (it names a source map)`);
    }
  }
  if (problems.length) throw new Error(`${path.basename(vsix)}: ${problems.join('; ')}`);
  return { size, entries };
}

/**
 * Checks that code-server installed this extension from a .vsix into extensionsDir: its folder
 * `<publisher>.<name>-<version>` holds the entry point and the emulator, and extensions.json records it with
 * source "vsix". Returns that folder.
 */
function checkInstalled(extensionsDir) {
  const pkg = manifest();
  const folder = `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
  const listing = fs.readdirSync(extensionsDir);
  if (!listing.includes(folder)) {
    throw new Error(`${extensionsDir} has no ${folder} (it has: ${listing.join(', ') || 'nothing'})`);
  }
  const dir = path.join(extensionsDir, folder);
  const missing = ['package.json', ...DIST].filter((f) => !isFileAt(dir, f));
  if (missing.length) throw new Error(`the installed ${folder} lacks ${missing.join(', ')}`);
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (installed.version !== pkg.version) throw new Error(`installed ${folder} says version ${installed.version}`);
  // the extensions dir's index: this extension, installed from a .vsix
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  let index = [];
  try { index = JSON.parse(fs.readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8')); } catch { /* checked below */ }
  const entry = index.find((e) => e && e.identifier && String(e.identifier.id).toLowerCase() === id);
  if (!entry || entry.version !== pkg.version || !entry.metadata || entry.metadata.source !== 'vsix') {
    throw new Error(`${extensionsDir}/extensions.json does not record ${id} ${pkg.version} as installed from a .vsix` +
      (entry ? `: ${JSON.stringify({ version: entry.version, metadata: entry.metadata })}` : ''));
  }
  return dir;
}

function isFileAt(dir, rel) { try { return fs.statSync(path.join(dir, rel)).isFile(); } catch { return false; } }

/** Packages the repo (production build through vscode:prepublish) and checks the result. */
function packageExtension({ out } = {}) {
  const H = require('../test/host/harness');
  const vsix = H.packageVsix(ROOT, { out, cache: false });
  return { vsix, ...checkVsix(vsix) };
}

function describe({ vsix, size, entries }) {
  const lines = [`${path.relative(process.cwd(), vsix) || vsix}: ${mb(size)} (limit ${mb(MAX_BYTES)}), ${entries.length} files`,
    `  ${'size'.padStart(10)} ${'zipped'.padStart(10)}`];
  for (const e of entries) lines.push(`  ${kb(e.size).padStart(10)} ${kb(e.compressed).padStart(10)}  ${e.name}`);
  return lines.join('\n');
}

module.exports = { packageExtension, checkVsix, checkInstalled, describe, requiredFiles, MAX_BYTES };

if (require.main === module) {
  require('./bootstrap').onNode22(__filename, () => {
    const argv = process.argv.slice(2);
    const i = argv.indexOf('--out');
    const pkg = manifest();
    const out = path.resolve(i >= 0 ? argv[i + 1] : path.join(ROOT, `${pkg.name}-${pkg.version}.vsix`));
    console.log(`[package] vsce package (production build through vscode:prepublish), offline`);
    try {
      console.log(describe(packageExtension({ out })));
    } catch (e) {
      console.error(`[package] ${e && e.message ? e.message : e}`);
      process.exit(1);
    }
  }, { codeServer: false });
}
