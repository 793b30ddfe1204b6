// Mocha reporter: the spec reporter's output, then one closing line `<tier>: N passed, N failed`
// (tier from the MOCHA_TIER environment variable). CI and reviewers read that line.
'use strict';
const Mocha = require('mocha');

class TierReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tier = process.env.MOCHA_TIER || 'tests';
    let passed = 0;
    let failed = 0;
    runner.on('pass', () => { passed++; });
    runner.on('fail', () => { failed++; });
    runner.once('end', () => {
      process.stdout.write(`\n${tier}: ${passed} passed, ${failed} failed\n`);
    });
  }
}

module.exports = TierReporter;
