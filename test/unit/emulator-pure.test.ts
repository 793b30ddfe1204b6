// Pure pieces of the emulator: KQL subset, paging tokens, name rules and limits, backup blob integrity,
// seed parsing, fault rules.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { KqlError, parseQuery, runQuery, splitTop } from '../../src/emulator/kql';
import { decodeSkipToken, encodeSkipToken, nextLink, page, parseMaxResults } from '../../src/emulator/paging';
import { checkContentType, checkTags, checkValue, isValidSecretName, isValidVaultName } from '../../src/emulator/names';
import { decodeBackup, encodeBackup } from '../../src/emulator/backup';
import { KvError } from '../../src/emulator/errors';
import { parseSeed, parseTime, SeedError, defaultSeed } from '../../src/emulator/seed';
import { Faults } from '../../src/emulator/faults';
import { decodeQuery } from '../../src/emulator/server';
import { rbacAllows, Actions } from '../../src/emulator/rbac';
import type { Principal, VaultConfig } from '../../src/emulator/model';

const rows = [
  { id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/alpha', name: 'alpha', type: 'microsoft.keyvault/vaults',
    subscriptionId: 's1', tenantId: 't1', location: 'westeurope', resourceGroup: 'rg', properties: { vaultUri: 'https://alpha.vault.localhost:1/' } },
  { id: '/subscriptions/s2/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/beta', name: 'beta', type: 'microsoft.keyvault/vaults',
    subscriptionId: 's2', tenantId: 't1', location: 'northeurope', resourceGroup: 'rg', properties: { vaultUri: 'https://beta.vault.localhost:1/' } },
];

function kvError(fn: () => unknown): KvError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KvError, `expected KvError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('emulator: KQL subset for Resource Graph', () => {
  it('projects the discovery query with aliases and nested paths', () => {
    const q = parseQuery("resources | where type =~ 'Microsoft.KeyVault/vaults' | project id, name, subscriptionId, tenantId, location, resourceGroup, vaultUri = properties.vaultUri");
    const out = runQuery(q, rows);
    assert.equal(out.length, 2);
    assert.deepEqual(Object.keys(out[0]), ['id', 'name', 'subscriptionId', 'tenantId', 'location', 'resourceGroup', 'vaultUri']);
    assert.equal(out[1].vaultUri, 'https://beta.vault.localhost:1/');
  });

  it('filters with in~, and, order by and limit; multi-line queries work', () => {
    const q = parseQuery(`Resources
      | where type =~ 'microsoft.keyvault/vaults' and subscriptionId in~ ('S2', 's3')
      | extend uri = tostring(properties.vaultUri)
      | order by name desc
      | limit 5`);
    const out = runQuery(q, rows);
    assert.deepEqual(out.map((r) => r.name), ['beta']);
    assert.equal(out[0].uri, 'https://beta.vault.localhost:1/');
  });

  it('rejects unknown tables, operators and expressions', () => {
    assert.throws(() => parseQuery('securityresources | project id'), KqlError);
    assert.throws(() => parseQuery("resources | summarize count() by type"), KqlError);
    assert.throws(() => parseQuery("resources | where name startswith 'a'"), KqlError);
    assert.throws(() => parseQuery("resources | project x = strcat(name, 'y')"), KqlError);
  });

  it('splits on separators outside quotes and parentheses only', () => {
    assert.deepEqual(splitTop("a | where x == 'p|q' | project f(b, c)", '|').map((s) => s.trim()),
      ['a', "where x == 'p|q'", 'project f(b, c)']);
  });
});

describe('emulator: paging', () => {
  it('maxresults 1..25, default 25; anything else is 400 BadParameter', () => {
    assert.equal(parseMaxResults(undefined), 25);
    assert.equal(parseMaxResults('1'), 1);
    assert.equal(parseMaxResults('25'), 25);
    for (const bad of ['0', '26', '-1', 'x', '2.5']) assert.equal(kvError(() => parseMaxResults(bad)).status, 400);
  });

  it('skip tokens round-trip and bad ones are 400', () => {
    assert.equal(decodeSkipToken(encodeSkipToken('abc-1')), 'abc-1');
    assert.equal(kvError(() => decodeSkipToken('%%%')).code, 'BadParameter');
  });

  it('pages cover every item once and the last page has no next key', () => {
    const items = Array.from({ length: 53 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const seen: string[] = [];
    let from: string | undefined;
    let pages = 0;
    do {
      const p = page(items, (x) => x, 25, from);
      seen.push(...p.items);
      from = p.next;
      pages++;
    } while (from !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual(seen, items);
  });

  it('nextLink keeps the origin, path and api-version; null on the last page', () => {
    const link = nextLink('https://dev.vault.localhost:9443', '/secrets', '7.6', 'abc', 5)!;
    const u = new URL(link);
    assert.equal(u.origin, 'https://dev.vault.localhost:9443');
    assert.equal(u.pathname, '/secrets');
    assert.equal(u.searchParams.get('api-version'), '7.6');
    assert.equal(decodeSkipToken(u.searchParams.get('$skiptoken')!), 'abc');
    assert.equal(nextLink('https://x', '/secrets', '7.6', undefined, 5), null);
  });

  it('decodes URL-encoded query keys (api%2Dversion)', () => {
    const q = decodeQuery('?api%2Dversion=2025-07-01&%24skiptoken=a%3D&maxresults=3');
    assert.equal(q.get('api-version'), '2025-07-01');
    assert.equal(q.get('$skiptoken'), 'a=');
    assert.equal(q.get('maxresults'), '3');
  });
});

describe('emulator: names and limits', () => {
  it('secret names: 1-127 of [0-9a-zA-Z-]', () => {
    for (const ok of ['a', 'A-1', 'x'.repeat(127), 'airflow-connections-smtp-default']) assert.ok(isValidSecretName(ok), ok);
    for (const bad of ['', 'x'.repeat(128), 'a_b', 'a.b', 'a b', 'é']) assert.ok(!isValidSecretName(bad), bad);
  });

  it('vault names: 3-24, start with a letter, no trailing or double hyphen', () => {
    for (const ok of ['dev', 'contoso-orchestr-dev', 'a1b']) assert.ok(isValidVaultName(ok), ok);
    for (const bad of ['ab', '1ab', 'ab-', 'a--b', 'x'.repeat(25)]) assert.ok(!isValidVaultName(bad), bad);
  });

  it('value ≤ 25 KiB (bytes, not characters), contentType ≤ 255, ≤ 15 tags of ≤ 512 chars', () => {
    checkValue('x'.repeat(25 * 1024));
    assert.equal(kvError(() => checkValue('x'.repeat(25 * 1024 + 1))).code, 'BadParameter');
    assert.equal(kvError(() => checkValue('é'.repeat(13 * 1024))).status, 400);
    checkContentType('c'.repeat(255));
    assert.equal(kvError(() => checkContentType('c'.repeat(256))).status, 400);
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));
    checkTags(tags(15));
    assert.equal(kvError(() => checkTags(tags(16))).status, 400);
    assert.equal(kvError(() => checkTags({ ['k'.repeat(513)]: 'v' })).status, 400);
    assert.equal(kvError(() => checkTags({ k: 'v'.repeat(513) })).status, 400);
  });
});

describe('emulator: backup blobs', () => {
  const key = crypto.randomBytes(32);
  const record = { name: 'db-password', versions: [{ version: 'a'.repeat(32), value: 'blob-test-value-123', enabled: true, created: 1, updated: 1 }] };

  it('round-trips and never carries the plaintext value', () => {
    const blob = encodeBackup({ record }, key);
    assert.match(blob, /^[A-Za-z0-9_-]+$/);
    assert.ok(!Buffer.from(blob, 'base64url').toString('latin1').includes('blob-test-value-123'));
    assert.deepEqual(decodeBackup(blob, key).record, record);
  });

  it('a flipped byte, a truncated blob, garbage or another key → 400 "corrupt version"', () => {
    const blob = encodeBackup({ record }, key);
    const raw = Buffer.from(blob, 'base64url');
    raw[raw.length - 3] ^= 0x01;
    const cases = [raw.toString('base64url'), blob.slice(0, blob.length - 10), 'bm90IGEgYmFja3Vw', ''];
    for (const c of cases) {
      const e = kvError(() => decodeBackup(c, key));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Backup blob contains invalid or corrupt version.');
    }
    assert.equal(kvError(() => decodeBackup(blob, crypto.randomBytes(32))).status, 400);
  });
});

describe('emulator: seed', () => {
  it('time offsets, ISO dates and Unix seconds', () => {
    const now = 1_700_000_000;
    assert.equal(parseTime('-30d', now), now - 30 * 86400);
    assert.equal(parseTime('+2h', now), now + 7200);
    assert.equal(parseTime(123, now), 123);
    assert.equal(parseTime('2024-01-01T00:00:00Z', now), 1704067200);
    assert.throws(() => parseTime('soon', now), SeedError);
  });

  it('the default seed has one vault dev and an administrator on it', () => {
    const s = parseSeed(defaultSeed());
    assert.deepEqual(s.config.vaults.map((v) => v.name), ['dev']);
    assert.equal(s.config.principals[0].roles[0].role, 'Key Vault Administrator');
  });

  it('versions are ordered by created; deleted secrets get a purge date from the retention', () => {
    const s = parseSeed({
      vaults: [{ name: 'seedv', softDeleteRetentionDays: 7, secrets: [
        { name: 'multi', versions: [{ value: 'new', created: '-1d' }, { value: 'old', created: '-9d' }] },
        { name: 'gone', value: 'x', deleted: { deletedDate: '-2d' } },
      ] }],
    }, 1_700_000_000);
    const [multi, gone] = s.secrets.get('seedv')!;
    assert.deepEqual(multi.versions.map((v) => v.value), ['old', 'new']);
    assert.equal(gone.deleted!.scheduledPurgeDate - gone.deleted!.deletedDate, 7 * 86400);
  });

  it('rejects invalid names, limits and unknown roles with a message', () => {
    assert.throws(() => parseSeed({ vaults: [{ name: 'ok-vault', secrets: [{ name: 'bad_name', value: 'x' }] }] }), /invalid secret name/);
    assert.throws(() => parseSeed({ vaults: [{ name: 'x' }] }), /invalid vault name/);
    assert.throws(() => parseSeed({ vaults: [{ name: 'ok-vault', softDeleteRetentionDays: 3 }] }), /7-90/);
    assert.throws(() => parseSeed({ principals: [{ clientId: 'c', clientSecret: 's', roles: [{ role: 'Owner', vault: 'v' }] }] }), /unknown role/);
  });
});

describe('emulator: RBAC and faults', () => {
  const vault = { name: 'v1', subscriptionId: 's1' } as VaultConfig;
  const p = (role: Principal['roles'][number]['role'], scope: { vault?: string; subscription?: string }): Principal =>
    ({ clientId: 'c', clientSecret: 's', objectId: 'o', displayName: 'd', tenants: ['t'], roles: [{ role, ...scope }] });

  it('built-in roles grant the data actions of their definitions', () => {
    assert.ok(rbacAllows(p('Key Vault Secrets Officer', { vault: 'V1' }), vault, Actions.purge));
    assert.ok(rbacAllows(p('Key Vault Administrator', { subscription: 's1' }), vault, Actions.set));
    assert.ok(rbacAllows(p('Key Vault Secrets User', { vault: 'v1' }), vault, Actions.get));
    assert.ok(!rbacAllows(p('Key Vault Secrets User', { vault: 'v1' }), vault, Actions.set));
    assert.ok(rbacAllows(p('Key Vault Reader', { vault: 'v1' }), vault, Actions.readMetadata));
    assert.ok(!rbacAllows(p('Key Vault Reader', { vault: 'v1' }), vault, Actions.get));
    assert.ok(!rbacAllows(p('Key Vault Administrator', { vault: 'other' }), vault, Actions.get));
  });

  it('count rules fire N times then disappear; vault filters apply', () => {
    const f = new Faults([{ operation: 'secrets.get', status: 429, count: 2, vault: 'v1' }]);
    assert.equal(f.match('secrets.get', 'v2'), undefined);
    assert.equal(f.match('secrets.list', 'v1'), undefined);
    assert.equal(f.match('secrets.get', 'V1')?.status, 429);
    assert.equal(f.match('secrets.get', 'v1')?.status, 429);
    assert.equal(f.match('secrets.get', 'v1'), undefined);
    assert.equal(f.list().length, 0);
    assert.throws(() => f.add({ operation: 'x', status: 200 }), /status/);
  });
});
