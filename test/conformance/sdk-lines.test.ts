// The matrix runs two SDK lines because they carry different @azure/keyvault-common challenge and paging rules
// (2.1.1 adds the nextLink origin check): make sure each line really loads its own.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

function resolvedVersion(pkg: string, from: string): string {
  const file = require.resolve(`${pkg}/package.json`, { paths: [require.resolve(from)] });
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

describe('conformance: SDK lines under test', () => {
  it('keyvault-secrets 4.12.0 runs on keyvault-common 2.1.1', () => {
    assert.equal(resolvedVersion('@azure/keyvault-secrets', '@azure/keyvault-secrets'), '4.12.0');
    assert.equal(resolvedVersion('@azure/keyvault-common', '@azure/keyvault-secrets'), '2.1.1');
  });

  it('keyvault-secrets 4.11.2 runs on keyvault-common 2.1.0 (package.json overrides)', () => {
    assert.equal(resolvedVersion('@azure/keyvault-common', 'keyvault-secrets-4-11'), '2.1.0');
  });
});
