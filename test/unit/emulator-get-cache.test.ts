// The serialized answer secrets.get reuses (secrets.ts bundleCache) must follow every change: an update of the
// version, a new version, another origin, another api-version shape and the vault's retention settings.
import * as assert from 'node:assert/strict';
import { routeSecrets, type HandlerResult, type SecretsContext } from '../../src/emulator/secrets';
import { MemoryStore } from '../../src/emulator/store';
import { shapeOf } from '../../src/emulator/apiversions';
import { decodeQuery } from '../../src/emulator/server';
import type { VaultConfig } from '../../src/emulator/model';

const vault = (): VaultConfig => ({
  name: 'cachevault', subscriptionId: 's1', tenantId: 't1', resourceGroup: 'rg', location: 'westeurope', sku: 'standard',
  softDeleteRetentionDays: 90, purgeProtection: false, rbac: true, accessPolicies: [], firewall: 'allow',
  deleteDelayMs: 0, recoverDelayMs: 0, purgeDelayMs: 0, tags: {},
});

describe('emulator: secrets.get answers from a cached serialization that follows changes', () => {
  const store = new MemoryStore();
  const v = vault();
  const call = (method: string, path: string, body?: unknown, opts: { origin?: string; apiVersion?: string } = {}): HandlerResult => {
    const route = routeSecrets(method, path.split('/'));
    assert.ok(route, `${method} ${path} routes`);
    const ctx: SecretsContext = {
      vault: v, store, origin: opts.origin ?? 'https://cachevault.vault.localhost:1', sealKey: Buffer.alloc(32), query: new Map(),
      readBody: () => body, shape: shapeOf(opts.apiVersion ?? '7.6'),
    };
    return route.run(ctx);
  };
  const get = (opts?: { origin?: string; apiVersion?: string }) => {
    const r = call('GET', 'secrets/s', undefined, opts);
    assert.equal(r.status, 200);
    assert.equal(r.json, JSON.stringify(r.body), 'the text sent is the body');
    return JSON.parse(r.json!) as { value: string; id: string; tags?: Record<string, string>; attributes: Record<string, unknown> };
  };

  it('the same answer twice, then the update, the new version, origin, api-version and retention show', () => {
    call('PUT', 'secrets/s', { value: 'one', tags: { a: '1' } });
    const first = get();
    assert.deepEqual(get(), first);
    assert.deepEqual(first.tags, { a: '1' });

    call('PATCH', 'secrets/s', { tags: { a: '2' } });
    assert.deepEqual(get().tags, { a: '2' });

    call('PUT', 'secrets/s', { value: 'two' });
    const second = get();
    assert.equal(second.value, 'two');
    assert.notEqual(second.id, first.id);

    assert.ok(get({ origin: 'https://cachevault.vault.localhost:2' }).id.startsWith('https://cachevault.vault.localhost:2/secrets/s/'));
    assert.equal(get({ apiVersion: '7.0' }).attributes.recoverableDays, undefined);
    assert.equal(get({ apiVersion: '7.6' }).attributes.recoverableDays, 90);

    v.softDeleteRetentionDays = 7;
    v.purgeProtection = true;
    const after = get();
    assert.equal(after.attributes.recoverableDays, 7);
    assert.equal(after.attributes.recoveryLevel, 'CustomizedRecoverable');
  });

  it('a disabled version is refused even after it was answered', () => {
    call('PUT', 'secrets/d', { value: 'x' });
    assert.equal(call('GET', 'secrets/d').status, 200);
    call('PATCH', 'secrets/d', { attributes: { enabled: false } });
    assert.throws(() => call('GET', 'secrets/d'), /disabled secret/);
  });
});

describe('emulator: query decoding without escapes', () => {
  it('plain, plus and escaped keys and values decode as before', () => {
    const q = decodeQuery('?api-version=7.6&a+b=c+d&x=%41&y&z=');
    assert.equal(q.get('api-version'), '7.6');
    assert.equal(q.get('a b'), 'c d');
    assert.equal(q.get('x'), 'A');
    assert.equal(q.get('y'), '');
    assert.equal(q.get('z'), '');
    assert.equal(decodeQuery('api-version=7.6').get('api-version'), '7.6', 'without a leading ?');
    assert.equal(decodeQuery('?bad=%E0%A4%A').get('bad'), '%E0%A4%A', 'a broken escape stays as it is');
  });
});
