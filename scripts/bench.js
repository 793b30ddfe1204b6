#!/usr/bin/env node
// `npm run bench`: the performance benchmarks (test/bench/run.ts) on Node 22, after the same setup as npm test
// (scripts/bootstrap.js; code-server for the extension-host part). Writes bench-results.json and prints a table.
//   npm run bench [-- --rounds N] [-- --skip-host] [-- --only list,cpu,copy,host] [-- --out FILE]
'use strict';
const { spawn } = require('child_process');
const path = require('path');
const { onNode22 } = require('./bootstrap');

const ROOT = path.resolve(__dirname, '..');

function main() {
  // --expose-gc: a full collection before each timed run, so one side does not pay for the other's garbage
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'test', 'bench', 'run.ts'), ...process.argv.slice(2)],
    { cwd: ROOT, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal ? 128 : 1) : code));
}

onNode22(__filename, main, { codeServer: !process.argv.includes('--skip-host') });
