// Pieces behind performance at scale: the tree filter (name, tag:, type:), the all-vaults name index, the
// emulator's sorted name index with its skip-token search, and nextLink read from a page's tail.
import * as assert from 'node:assert/strict';
import { compileFilter, parseFilter } from '../../src/tree/filter';
import { SecretNameIndex } from '../../src/tree/search';
import { MemoryStore, lowerBound } from '../../src/emulator/store';
import { fromDeletedListItem, fromListItem } from '../../src/azure/secretsService';
import type { SecretRecord } from '../../src/emulator/model';

const secret = (name: string, tags?: Record<string, string>, contentType?: string) => ({ name, tags, contentType });

describe('tree filter: name, tag: and type:', () => {
  it('parses words into name, tag and type terms', () => {
    assert.deepEqual(parseFilter('  DB tag:Owner=ETL type:JSON tag:env '), [
      { kind: 'name', text: 'db' }, { kind: 'tag', key: 'owner', value: 'etl' }, { kind: 'type', text: 'json' }, { kind: 'tag', key: 'env' },
    ]);
    assert.deepEqual(parseFilter('tag: type:'), [{ kind: 'name', text: 'tag:' }, { kind: 'name', text: 'type:' }]);
  });

  it('keeps a secret only when every term matches, case-insensitively', () => {
    const f = compileFilter('db tag:owner=et type:json');
    assert.equal(f(secret('prod-DB-password', { Owner: 'ETL-team' }, 'application/json')), true);
    assert.equal(f(secret('prod-DB-password', { Owner: 'ml' }, 'application/json')), false);
    assert.equal(f(secret('prod-DB-password', { Owner: 'ETL' }, 'text/plain')), false);
    assert.equal(f(secret('api-key', { Owner: 'ETL' }, 'application/json')), false);
    assert.equal(compileFilter('tag:env')(secret('x', { env: '' })), true);
    assert.equal(compileFilter('tag:env')(secret('x')), false);
    assert.equal(compileFilter(undefined)(secret('anything')), true);
    assert.equal(compileFilter('')(secret('anything')), true);
  });
});

describe('search all vaults: name index', () => {
  it('answers with vault and state, names starting with the query first, within the limit', () => {
    const index = new SecretNameIndex();
    index.set('a', 'vault-a', [{ name: 'db-password', state: 'enabled' }, { name: 'old-db', state: 'disabled' }]);
    index.set('b', 'vault-b', [{ name: 'DB-url', state: 'expired' }, { name: 'api', state: 'enabled' }]);
    assert.deepEqual(index.query('db').map((h) => `${h.vaultName}/${h.name}/${h.state}`), ['vault-a/db-password/enabled', 'vault-b/DB-url/expired', 'vault-a/old-db/disabled']);
    assert.equal(index.query('db', 1).length, 1);
    assert.equal(index.size, 4);
    index.set('a', 'vault-a', []); // a vault's new listing replaces its names
    assert.deepEqual(index.query('db').map((h) => h.name), ['DB-url']);
    index.delete('b');
    assert.equal(index.size, 0);
  });
});

describe('emulator: sorted name index', () => {
  const rec = (name: string, deleted = false): SecretRecord => ({
    name, versions: [{ version: 'v1', value: 'x', enabled: true, created: 1, updated: 1 }],
    ...(deleted ? { deleted: { deletedDate: 1, scheduledPurgeDate: 2 } } : {}),
  } as SecretRecord);
  const scanFrom = (store: MemoryStore, from?: string, n = 100) => {
    const out: string[] = [];
    store.scan('v', from, (k) => out.push(k) < n);
    return out;
  };

  it('lowerBound finds the first key >= the one asked for', () => {
    const keys = ['a', 'c', 'e'];
    assert.deepEqual(['0', 'a', 'b', 'c', 'd', 'e', 'f'].map((k) => lowerBound(keys, k)), [0, 0, 1, 1, 2, 2, 3]);
  });

  it('walks names in order from a skip key, through inserts and removals in any order', () => {
    const store = new MemoryStore();
    for (const n of ['m', 'B', 'z', 'a', 'k']) store.put('V', rec(n));
    assert.deepEqual(scanFrom(store), ['a', 'b', 'k', 'm', 'z']);
    assert.deepEqual(scanFrom(store, 'c'), ['k', 'm', 'z']);
    assert.deepEqual(scanFrom(store, 'k', 2), ['k', 'm']);
    store.remove('v', 'K');
    store.put('v', rec('M')); // same name again: replaced, not added twice
    assert.deepEqual(scanFrom(store), ['a', 'b', 'm', 'z']);
    assert.deepEqual(scanFrom(store, 'zz'), []);
  });

  it('keeps the deleted names apart (sweeps and deleted lists read only those)', () => {
    const store = new MemoryStore();
    store.putMany('v', [rec('a'), rec('b', true), rec('c', true)]);
    assert.deepEqual([...store.deletedKeys('v')].sort(), ['b', 'c']);
    store.put('v', rec('b')); // recovered
    store.remove('v', 'c'); // purged
    assert.deepEqual([...store.deletedKeys('v')], []);
  });
});

describe('services layer: list items as the service sends them', () => {
  it('takes name, version and the vault URL from the id, and dates from seconds', () => {
    const p = fromListItem({
      id: 'https://MyVault.vault.azure.net:443/secrets/db-password/0123abcd', contentType: 'text/plain', managed: false,
      attributes: { enabled: true, nbf: 1700000000, exp: 1800000000, created: 1600000000, updated: 1650000000, recoverableDays: 90, recoveryLevel: 'Recoverable' },
      tags: { env: 'prod' },
    });
    assert.equal(p.name, 'db-password');
    assert.equal(p.version, '0123abcd');
    assert.equal(p.vaultUrl, 'https://myvault.vault.azure.net/');
    assert.equal(p.id, 'https://MyVault.vault.azure.net:443/secrets/db-password/0123abcd');
    assert.equal(p.notBefore?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.equal(p.createdOn?.getTime(), 1600000000 * 1000);
    assert.deepEqual([p.enabled, p.managed, p.recoverableDays, p.recoveryLevel, p.contentType], [true, false, 90, 'Recoverable', 'text/plain']);
    assert.deepEqual(p.tags, { env: 'prod' });
  });

  it('a versionless item on a port; absent, null and empty fields read as unset', () => {
    const p = fromListItem({ id: 'https://app.vault.localhost:8443/secrets/x', attributes: { nbf: null as unknown as number }, tags: {}, contentType: '' });
    assert.deepEqual([p.name, p.version, p.vaultUrl], ['x', undefined, 'https://app.vault.localhost:8443/']);
    assert.equal(p.enabled, true, 'enabled unless the service says false');
    assert.deepEqual([p.notBefore, p.expiresOn, p.tags, p.contentType, p.managed], [undefined, undefined, undefined, undefined, false]);
    assert.equal(fromListItem({ id: 'https://v/secrets/y', attributes: { enabled: false } }).enabled, false);
  });

  it('deleted items carry the recovery id and their dates; an item without a secret id is refused', () => {
    const d = fromDeletedListItem({ id: 'https://v.vault.azure.net/secrets/gone', recoveryId: 'https://v.vault.azure.net/deletedsecrets/gone', deletedDate: 1700000000, scheduledPurgeDate: 1707776000 });
    assert.equal(d.name, 'gone');
    assert.equal(d.recoveryId, 'https://v.vault.azure.net/deletedsecrets/gone');
    assert.equal(d.deletedOn?.getTime(), 1700000000 * 1000);
    assert.equal(d.scheduledPurgeDate?.getTime(), 1707776000 * 1000);
    assert.throws(() => fromListItem({ id: 'https://v.vault.azure.net/keys/k' }), /without a secret id/);
    assert.throws(() => fromListItem({}), /without a secret id/);
  });
});
