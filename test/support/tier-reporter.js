// Mocha reporter: the spec reporter's output, then one closing line `<tier>: N passed, N failed`
// (tier from the MOCHA_TIER environment variable). CI and reviewers read that line. With TIER_COUNTS_FILE the
// run is one part of a tier: the counts are written there as JSON and the tier's runner prints the line.
// With TEST_FAILURES_FILE (scripts/test.js sets it) each failure's title and first message line are appended there,
// so `npm test` can name every failed test again at its very end.
'use strict';
const fs = require('fs');

/** Appends `<tier>: <title> — <first line of the message>` to TEST_FAILURES_FILE, when set. */
function recordFailure(tier, title, message) {
  const file = process.env.TEST_FAILURES_FILE;
  if (!file) return;
  const first = String(message ?? '').split('\n')[0].slice(0, 300);
  try { fs.appendFileSync(file, `${tier}: ${title} — ${first}\n`); } catch { /* the summary is a convenience */ }
}
const Mocha = require('mocha');

class TierReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tier = process.env.MOCHA_TIER || 'tests';
    let passed = 0;
    let failed = 0;
    runner.on('pass', () => { passed++; });
    runner.on('fail', (test, err) => { failed++; recordFailure(tier, test.fullTitle(), err && err.message); });
    runner.once('end', () => {
      // a part of a tier (TIER_COUNTS_FILE set): the counts go to the file, the tier prints the one closing line
      if (process.env.TIER_COUNTS_FILE) {
        fs.writeFileSync(process.env.TIER_COUNTS_FILE, JSON.stringify({ passed, failed }));
        process.stdout.write(`\n(${tier}: passed ${passed}, failed ${failed})\n`);
      } else {
        process.stdout.write(`\n${tier}: ${passed} passed, ${failed} failed\n`);
      }
    });
  }
}

module.exports = TierReporter;
module.exports.recordFailure = recordFailure;
