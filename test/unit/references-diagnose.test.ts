import * as assert from 'node:assert/strict';
import type { SecretProps } from '../../src/azure/model';
import { referenceProblem } from '../../src/references/diagnose';

const DAY = 86400e3;
const now = Date.parse('2026-12-01T12:00:00Z');
const s = (over: Partial<SecretProps> = {}): SecretProps => ({ name: 'db', vaultUrl: 'https://v.vault.azure.net/', id: 'x', enabled: true, managed: false, ...over });

describe('references/diagnose', () => {
  it('a secret that reads fine has no problem', () => {
    assert.equal(referenceProblem('v', 'db', undefined, { secret: s() }, false, now), undefined);
  });
  it('missing, with what Airflow does about it', () => {
    assert.equal(referenceProblem('v', 'db', undefined, {}, false, now)?.problem, 'missing');
    assert.match(referenceProblem('v', 'db', undefined, {}, true, now)!.message, /next secrets backend/);
  });
  it('deleted but recoverable, with the purge date', () => {
    const r = referenceProblem('v', 'db', undefined, { deleted: { ...s(), scheduledPurgeDate: new Date(now + 7 * DAY), deletedOn: new Date(now - DAY) } }, false, now);
    assert.equal(r?.problem, 'deleted');
    assert.match(r!.message, /recovered until 2026-12-08/);
  });
  it('disabled, expired and not yet valid, in that order', () => {
    assert.equal(referenceProblem('v', 'db', undefined, { secret: s({ enabled: false, expiresOn: new Date(now - DAY) }) }, false, now)?.problem, 'disabled');
    assert.equal(referenceProblem('v', 'db', undefined, { secret: s({ expiresOn: new Date(now - DAY) }) }, false, now)?.problem, 'expired');
    assert.equal(referenceProblem('v', 'db', undefined, { secret: s({ notBefore: new Date(now + DAY) }) }, false, now)?.problem, 'notYetValid');
    assert.equal(referenceProblem('v', 'db', undefined, { secret: s({ expiresOn: new Date(now + DAY) }) }, false, now), undefined, 'expiring is not a problem');
  });
  it('a referenced version: not found, or judged by that version\'s own state', () => {
    const versions = [s({ version: 'aaa' }), s({ version: 'bbb', enabled: false })];
    assert.equal(referenceProblem('v', 'db', 'ccc', { secret: s(), versions }, false, now)?.problem, 'versionNotFound');
    assert.equal(referenceProblem('v', 'db', 'AAA', { secret: s(), versions }, false, now), undefined, 'versions compare case-insensitively');
    assert.equal(referenceProblem('v', 'db', 'bbb', { secret: s(), versions }, false, now)?.problem, 'disabled');
  });
});
