// Injected faults through the admin API, and the SDK's own retry behaviour against them: 429 + Retry-After,
// 503 + Retry-After, retries running out, a reset connection, a delay that outlasts the caller's patience.
import * as assert from 'node:assert/strict';
import { COMBOS, emulatorForSuite, Recorder, forEachCombo, totalRequests, type Stats } from './support/emulator';
import { rejectsWith } from './support/errors';
import { SEED_TAGGED, VAULT_MAIN } from './support/fixtures';

function opCount(stats: Stats, operation: string): number {
  const req = stats.requests as Record<string, number> | undefined;
  return req?.[operation] ?? 0;
}

describe('conformance: faults and SDK retries', function () {
  const emu = emulatorForSuite();

  afterEach(async () => {
    if (emu.isRunning) await emu.setFaults([]);
  });

  forEachCombo((combo) => {
    it('one 429 with Retry-After: the SDK waits, retries and succeeds; the emulator counted 2 requests', async function () {
      this.timeout(15000);
      const rec = new Recorder();
      const c = emu.secretClient(combo, VAULT_MAIN, { recorder: rec });
      await c.getSecret(SEED_TAGGED); // challenge + token now, so only the call under test is counted
      rec.clear();
      await emu.resetStats();
      await emu.setFaults([{ operation: 'secrets.get', status: 429, retryAfterSeconds: 1, count: 1 }]);
      const s = await c.getSecret(SEED_TAGGED);
      assert.equal(s.value, 'tagged-value');
      assert.deepEqual(rec.exchanges.map((x) => x.status), [429, 200]);
      assert.equal(rec.exchanges[0].retryAfter, '1');
      const stats = await emu.stats();
      assert.equal(totalRequests(stats), 2);
      assert.equal(opCount(stats, 'secrets.get'), 2);
    });

    it('429 on every attempt: the SDK gives up after its retries with 429 Throttled', async function () {
      this.timeout(15000);
      const rec = new Recorder();
      const c = emu.secretClient(combo, VAULT_MAIN, { recorder: rec, retryOptions: { maxRetries: 2 } });
      await c.getSecret(SEED_TAGGED);
      rec.clear();
      await emu.resetStats();
      await emu.setFaults([{ operation: 'secrets.get', status: 429, retryAfterSeconds: 0, count: 50 }]);
      await rejectsWith(c.getSecret(SEED_TAGGED), { status: 429, code: 'Throttled' });
      assert.deepEqual(rec.exchanges.map((x) => x.status), [429, 429, 429]);
      assert.equal(opCount(await emu.stats(), 'secrets.get'), 3);
    });

    it('one 503 with Retry-After on a write: retried and the write lands once', async () => {
      const rec = new Recorder();
      const c = emu.secretClient(combo, VAULT_MAIN, { recorder: rec });
      await c.getSecret(SEED_TAGGED);
      rec.clear();
      await emu.setFaults([{ operation: 'secrets.set', status: 503, retryAfterSeconds: 0, count: 1 }]);
      const s = await c.setSecret(`${combo.prefix}-after-503`, 'landed');
      assert.equal(s.value, 'landed');
      assert.deepEqual(rec.exchanges.map((x) => x.status), [503, 200]);
      let versions = 0;
      for await (const _ of c.listPropertiesOfSecretVersions(`${combo.prefix}-after-503`)) versions++;
      assert.equal(versions, 1);
    });
  });

  describe('fault mechanics (4.12.0, default service version)', () => {
    const combo = COMBOS[3];

    it('the admin API lists the rules it was given; a counted rule disappears once used up', async () => {
      await emu.setFaults([{ operation: 'secrets.list', status: 503, retryAfterSeconds: 0, count: 1 }]);
      const before = JSON.stringify(await emu.getFaults());
      assert.match(before, /secrets\.list/);
      const c = emu.secretClient(combo, VAULT_MAIN);
      for await (const _ of c.listPropertiesOfSecrets()) { /* drain */ }
      const afterUse = JSON.stringify(await emu.getFaults());
      assert.doesNotMatch(afterUse, /secrets\.list/);
    });

    it('a rule with probability 0 never fires', async () => {
      await emu.setFaults([{ operation: 'secrets.get', status: 500, probability: 0 }]);
      const c = emu.secretClient(combo, VAULT_MAIN, { retryOptions: { maxRetries: 0 } });
      for (let i = 0; i < 5; i++) assert.equal((await c.getSecret(SEED_TAGGED)).value, 'tagged-value');
    });

    it('an invalid rule is refused by the admin API', async () => {
      const res = await emu.admin('/_admin/faults', { method: 'PUT', json: { rules: [{ status: 429 }] } });
      assert.equal(res.status, 400);
    });

    it('a reset connection is retried by the SDK and the call succeeds', async () => {
      const rec = new Recorder();
      const c = emu.secretClient(combo, VAULT_MAIN, { recorder: rec, retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 50 } });
      await c.getSecret(SEED_TAGGED);
      rec.clear();
      await emu.setFaults([{ operation: 'secrets.get', reset: true, count: 1 }]);
      assert.equal((await c.getSecret(SEED_TAGGED)).value, 'tagged-value');
      assert.equal(rec.exchanges.filter((x) => x.status === 200).length, 1);
    });

    it('a delay longer than the caller waits ends in an abort, not an answer', async () => {
      const c = emu.secretClient(combo, VAULT_MAIN);
      await c.getSecret(SEED_TAGGED);
      await emu.setFaults([{ operation: 'secrets.get', delayMs: 3000, count: 1 }]);
      await assert.rejects(c.getSecret(SEED_TAGGED, { abortSignal: AbortSignal.timeout(200) }), (e: Error) => e.name === 'AbortError');
    });

    it('faults can target one vault only', async () => {
      await emu.setFaults([{ operation: '*', vault: 'conf-protected', status: 503, retryAfterSeconds: 0 }]);
      const main = emu.secretClient(combo, VAULT_MAIN, { retryOptions: { maxRetries: 0 } });
      assert.equal((await main.getSecret(SEED_TAGGED)).value, 'tagged-value');
      const hit = emu.secretClient(combo, 'conf-protected', { retryOptions: { maxRetries: 0 } });
      await rejectsWith(hit.getSecret('anything'), { status: 503 });
    });
  });
});
