// Secrets data plane, driven by the unmodified SDK (two lines × four service versions) against one emulator.
// Each combo creates its own names (prefix c0…c7) in the shared vaults; seeded data is only read.
import * as assert from 'node:assert/strict';
import type { SecretClient } from '@azure/keyvault-secrets';
import { emulatorForSuite, Recorder, forEachCombo } from './support/emulator';
import { rejectsWith } from './support/errors';
import {
  SEED_CERT, SEED_DELETED, SEED_DISABLED, SEED_EXPIRED, SEED_FUTURE, SEED_MANY, SEED_MANY_COUNT, SEED_TAGGED,
  VAULT_MAIN, VAULT_PROTECTED, VAULT_SLOW,
} from './support/fixtures';

const VERSION = /^[0-9a-f]{32}$/;
const FAST = { intervalInMs: 20 };

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

async function collectPages<T>(iter: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of iter) out.push(page);
  return out;
}

const wholeSeconds = (offsetMs: number) => new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000);

describe('conformance: secrets data plane', function () {
  const emu = emulatorForSuite();

  forEachCombo((combo) => {
    const p = combo.prefix;
    const rec = new Recorder();
    let client: SecretClient;
    let vaultUrl: string;

    before(() => {
      client = emu.secretClient(combo, VAULT_MAIN, { recorder: rec });
      vaultUrl = emu.vaultUrl(VAULT_MAIN);
    });
    beforeEach(() => rec.clear());

    // ----- challenge and wire -----

    it('answers the first (token-less) request with a 401 challenge, then accepts the bearer; api-version as configured', async () => {
      const fresh = new Recorder();
      const c = emu.secretClient(combo, VAULT_MAIN, { recorder: fresh });
      const s = await c.setSecret(`${p}-wire`, 'wire-value');
      assert.equal(s.value, 'wire-value');
      const [first, second] = fresh.exchanges;
      assert.equal(first.status, 401);
      assert.equal(first.hadAuthorization, false);
      assert.equal(second.status, 200);
      assert.equal(second.hadAuthorization, true);
      for (const x of fresh.exchanges) {
        assert.equal(new URL(x.url).searchParams.get('api-version'), combo.apiVersion);
      }
    });

    // ----- set / get -----

    it('setSecret then getSecret returns the value and the service shapes', async () => {
      const set = await client.setSecret(`${p}-basic`, 'basic-value');
      assert.equal(set.name, `${p}-basic`);
      assert.equal(set.value, 'basic-value');
      assert.match(set.properties.version!, VERSION);
      assert.equal(set.properties.id, `${vaultUrl}secrets/${p}-basic/${set.properties.version}`);
      assert.equal(set.properties.vaultUrl, vaultUrl.replace(/\/$/, ''));
      assert.equal(set.properties.enabled, true);
      assert.ok(set.properties.createdOn instanceof Date);
      assert.ok(set.properties.updatedOn instanceof Date);
      assert.equal(set.properties.recoveryLevel, 'Recoverable+Purgeable');
      assert.equal(set.properties.recoverableDays, 90);
      const got = await client.getSecret(`${p}-basic`);
      assert.equal(got.value, 'basic-value');
      assert.equal(got.properties.version, set.properties.version);
      assert.equal(got.properties.createdOn?.getTime(), set.properties.createdOn?.getTime());
    });

    it('a new value makes a new version; get by version returns the old value; previous versions stay', async () => {
      const v1 = await client.setSecret(`${p}-versioned`, 'one');
      const v2 = await client.setSecret(`${p}-versioned`, 'two');
      assert.notEqual(v1.properties.version, v2.properties.version);
      assert.equal((await client.getSecret(`${p}-versioned`)).value, 'two');
      assert.equal((await client.getSecret(`${p}-versioned`, { version: v1.properties.version })).value, 'one');
      const versions = await collect(client.listPropertiesOfSecretVersions(`${p}-versioned`));
      assert.deepEqual(new Set(versions.map((v) => v.version)), new Set([v1.properties.version, v2.properties.version]));
      for (const v of versions) assert.equal((v as { value?: string }).value, undefined);
    });

    it('tags and contentType round-trip through set, get and list', async () => {
      const tags = { env: 'test', owner: 'conformance', empty: '' };
      await client.setSecret(`${p}-tagged`, 'x', { tags, contentType: 'application/json' });
      const got = await client.getSecret(`${p}-tagged`);
      assert.deepEqual(got.properties.tags, tags);
      assert.equal(got.properties.contentType, 'application/json');
      const listed = (await collect(client.listPropertiesOfSecrets())).find((s) => s.name === `${p}-tagged`);
      assert.ok(listed, 'listed');
      assert.deepEqual(listed.tags, tags);
      assert.equal(listed.contentType, 'application/json');
    });

    it('notBefore and expiresOn round-trip (whole seconds) and a set secret without them has neither', async () => {
      const nbf = wholeSeconds(-3600_000);
      const exp = wholeSeconds(86400_000);
      const s = await client.setSecret(`${p}-dated`, 'd', { notBefore: nbf, expiresOn: exp });
      assert.equal(s.properties.notBefore?.getTime(), nbf.getTime());
      assert.equal(s.properties.expiresOn?.getTime(), exp.getTime());
      const got = await client.getSecret(`${p}-dated`);
      assert.equal(got.properties.notBefore?.getTime(), nbf.getTime());
      assert.equal(got.properties.expiresOn?.getTime(), exp.getTime());
      const plain = await client.getSecret(`${p}-basic`);
      assert.equal(plain.properties.notBefore, undefined);
      assert.equal(plain.properties.expiresOn, undefined);
    });

    it('get works outside the nbf/exp window, like the service (expired and not-yet-valid secrets)', async () => {
      const expired = await client.getSecret(SEED_EXPIRED);
      assert.equal(expired.value, 'expired-value');
      assert.ok(expired.properties.expiresOn!.getTime() < Date.now());
      const future = await client.getSecret(SEED_FUTURE);
      assert.equal(future.value, 'future-value');
      assert.ok(future.properties.notBefore!.getTime() > Date.now());
    });

    it('names are case-insensitive: get and set under another casing hit the same secret', async () => {
      await client.setSecret(`${p}-MixedCase`, 'first');
      assert.equal((await client.getSecret(`${p}-mixedcase`)).value, 'first');
      await client.setSecret(`${p}-MIXEDCASE`, 'second');
      assert.equal((await client.getSecret(`${p}-MixedCase`)).value, 'second');
      const versions = await collect(client.listPropertiesOfSecretVersions(`${p}-mixedCASE`));
      assert.equal(versions.length, 2);
      const listed = (await collect(client.listPropertiesOfSecrets()))
        .filter((s) => s.name.toLowerCase() === `${p}-mixedcase`);
      assert.equal(listed.length, 1);
    });

    it('a name of 127 characters is accepted', async () => {
      const name = `${p}-${'n'.repeat(127 - p.length - 1)}`;
      assert.equal(name.length, 127);
      const s = await client.setSecret(name, 'long-name');
      assert.equal(s.name, name);
      assert.equal((await client.getSecret(name)).value, 'long-name');
    });

    // ----- update -----

    it('updateSecretProperties changes contentType, tags, enabled, dates; the value stays', async () => {
      const s = await client.setSecret(`${p}-upd`, 'keep-me', { tags: { a: '1' } });
      const exp = wholeSeconds(7 * 86400_000);
      const props = await client.updateSecretProperties(`${p}-upd`, s.properties.version!, {
        contentType: 'text/plain', tags: { b: '2' }, expiresOn: exp,
      });
      assert.equal(props.contentType, 'text/plain');
      assert.deepEqual(props.tags, { b: '2' });
      assert.equal(props.expiresOn?.getTime(), exp.getTime());
      assert.equal(props.version, s.properties.version);
      const got = await client.getSecret(`${p}-upd`);
      assert.equal(got.value, 'keep-me');
      assert.equal(got.properties.contentType, 'text/plain');
      assert.ok(got.properties.updatedOn!.getTime() >= got.properties.createdOn!.getTime());
      const versions = await collect(client.listPropertiesOfSecretVersions(`${p}-upd`));
      assert.equal(versions.length, 1, 'an update does not create a version');
    });

    it('update with an empty version updates the latest version', async () => {
      await client.setSecret(`${p}-upd-latest`, 'v1');
      const v2 = await client.setSecret(`${p}-upd-latest`, 'v2');
      const props = await client.updateSecretProperties(`${p}-upd-latest`, '', { contentType: 'latest/ct' });
      assert.equal(props.version, v2.properties.version);
      assert.equal((await client.getSecret(`${p}-upd-latest`)).properties.contentType, 'latest/ct');
    });

    it('disabling a version makes get fail with 403 SecretDisabled; re-enabling restores it', async () => {
      const s = await client.setSecret(`${p}-toggle`, 'toggle-value');
      const off = await client.updateSecretProperties(`${p}-toggle`, s.properties.version!, { enabled: false });
      assert.equal(off.enabled, false);
      await rejectsWith(client.getSecret(`${p}-toggle`), { status: 403, code: 'Forbidden', inner: 'SecretDisabled' });
      const listed = (await collect(client.listPropertiesOfSecrets())).find((x) => x.name === `${p}-toggle`);
      assert.equal(listed?.enabled, false);
      await client.updateSecretProperties(`${p}-toggle`, s.properties.version!, { enabled: true });
      assert.equal((await client.getSecret(`${p}-toggle`)).value, 'toggle-value');
    });

    it('update of an unknown secret or version is 404 SecretNotFound', async () => {
      await rejectsWith(client.updateSecretProperties(`${p}-nope`, '0123456789abcdef0123456789abcdef', { enabled: true }),
        { status: 404, code: 'SecretNotFound' });
      await client.setSecret(`${p}-upd-unknown-version`, 'x');
      await rejectsWith(client.updateSecretProperties(`${p}-upd-unknown-version`, 'ffffffffffffffffffffffffffffffff', { enabled: true }),
        { status: 404, code: 'SecretNotFound' });
    });

    // ----- errors -----

    it('a seeded disabled secret: get is 403 Forbidden/SecretDisabled, its properties still list', async () => {
      const e = await rejectsWith(client.getSecret(SEED_DISABLED), { status: 403, code: 'Forbidden', inner: 'SecretDisabled' });
      assert.doesNotMatch(String(e.message), /disabled-value/, 'the value never appears in errors');
      const listed = (await collect(client.listPropertiesOfSecrets())).find((x) => x.name === SEED_DISABLED);
      assert.equal(listed?.enabled, false);
    });

    it('get of an unknown secret or version is 404 SecretNotFound', async () => {
      await rejectsWith(client.getSecret(`${p}-does-not-exist`), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(client.getSecret(`${p}-basic`, { version: '0123456789abcdef0123456789abcdef' }),
        { status: 404, code: 'SecretNotFound' });
    });

    it('an invalid name is 400 BadParameter (underscore, 128 characters)', async () => {
      await rejectsWith(client.setSecret(`${p}_bad_name`, 'x'),
        { status: 400, code: 'BadParameter', message: /invalid name/ });
      await rejectsWith(client.getSecret(`${p}_bad_name`), { status: 400, code: 'BadParameter' });
      await rejectsWith(client.setSecret('n'.repeat(128), 'x'), { status: 400, code: 'BadParameter' });
    });

    it('a value over 25 KiB is 400 BadParameter; 20 000 bytes are accepted', async () => {
      await rejectsWith(client.setSecret(`${p}-huge`, 'x'.repeat(30_000)), { status: 400, code: 'BadParameter' });
      await rejectsWith(client.getSecret(`${p}-huge`), { status: 404, code: 'SecretNotFound' });
      const ok = await client.setSecret(`${p}-big`, 'y'.repeat(20_000));
      assert.equal(ok.value?.length, 20_000);
    });

    it('more than 15 tags, or a tag over 512 characters, is 400 BadParameter; 15 tags are accepted', async () => {
      const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, `v${i}`]));
      await rejectsWith(client.setSecret(`${p}-tags16`, 'x', { tags: tags(16) }), { status: 400, code: 'BadParameter' });
      await rejectsWith(client.setSecret(`${p}-tagbig`, 'x', { tags: { big: 'v'.repeat(513) } }), { status: 400, code: 'BadParameter' });
      const ok = await client.setSecret(`${p}-tags15`, 'x', { tags: tags(15) });
      assert.equal(Object.keys(ok.properties.tags ?? {}).length, 15);
      const s = await client.setSecret(`${p}-tags-upd`, 'x');
      await rejectsWith(client.updateSecretProperties(`${p}-tags-upd`, s.properties.version!, { tags: tags(16) }),
        { status: 400, code: 'BadParameter' });
    });

    it('a contentType over 255 characters is 400 BadParameter', async () => {
      await rejectsWith(client.setSecret(`${p}-ct`, 'x', { contentType: 'c'.repeat(256) }), { status: 400, code: 'BadParameter' });
    });

    // ----- managed (certificate-backed) -----

    it('a certificate-backed secret is managed, with the certificate key id, in get and in list', async () => {
      const got = await client.getSecret(SEED_CERT);
      assert.equal(got.properties.managed, true);
      assert.ok(got.properties.certificateKeyId, 'kid present');
      assert.match(got.properties.certificateKeyId!, new RegExp(`/keys/${SEED_CERT}/[0-9a-f]{32}$`));
      const listed = await collect(client.listPropertiesOfSecrets());
      assert.equal(listed.find((s) => s.name === SEED_CERT)?.managed, true);
      const plain = listed.find((s) => s.name === `${p}-basic`);
      assert.ok(plain);
      assert.notEqual(plain.managed, true);
    });

    it('set on a certificate-backed secret is 403 Forbidden/SecretManagedByKeyVault and leaves it unchanged', async () => {
      await rejectsWith(client.setSecret(SEED_CERT, 'overwrite'), { status: 403, code: 'Forbidden', inner: 'SecretManagedByKeyVault' });
      const versions = await collect(client.listPropertiesOfSecretVersions(SEED_CERT));
      assert.equal(versions.length, 1);
    });

    // ----- list and paging -----

    it('list: items carry the base id (no version) and no value; seeded and created secrets all appear once', async () => {
      const all = await collect(client.listPropertiesOfSecrets());
      const names = all.map((s) => s.name.toLowerCase());
      assert.equal(new Set(names).size, names.length, 'no duplicates');
      for (const n of [`${p}-basic`, `${p}-tagged`, SEED_DISABLED, SEED_MANY, SEED_TAGGED]) assert.ok(names.includes(n.toLowerCase()), n);
      for (const s of all) {
        assert.equal(s.id, `${vaultUrl}secrets/${s.name}`);
        assert.equal(s.version, undefined);
        assert.equal((s as { value?: string }).value, undefined);
      }
      assert.ok(!names.includes(SEED_DELETED[0]), 'deleted secrets are not listed');
    });

    it('list pages with maxPageSize: ≥ 3 pages, none larger than asked, same items as the unpaged list, nextLink on the vault origin', async () => {
      const all = (await collect(client.listPropertiesOfSecrets())).map((s) => s.id).sort();
      rec.clear();
      const pages = await collectPages(client.listPropertiesOfSecrets().byPage({ maxPageSize: 4 }));
      assert.ok(pages.length >= 3, `pages: ${pages.length}`);
      for (const page of pages) assert.ok(page.length <= 4 && page.length > 0, `page size ${page.length}`);
      assert.deepEqual(pages.flat().map((s) => s.id).sort(), all);
      const gets = rec.exchanges.filter((x) => x.method === 'GET' && x.status === 200);
      assert.equal(gets.length, pages.length);
      assert.equal(new URL(gets[0].url).searchParams.get('maxresults'), '4');
      for (const g of gets) assert.equal(new URL(g.url).origin, new URL(vaultUrl).origin);
    });

    it(`versions of a secret with ${SEED_MANY_COUNT} versions page across ≥ 3 pages and all arrive`, async () => {
      const pages = await collectPages(client.listPropertiesOfSecretVersions(SEED_MANY).byPage({ maxPageSize: 7 }));
      assert.ok(pages.length >= 3, `pages: ${pages.length}`);
      for (const page of pages) assert.ok(page.length <= 7);
      const versions = pages.flat();
      assert.equal(versions.length, SEED_MANY_COUNT);
      assert.equal(new Set(versions.map((v) => v.version)).size, SEED_MANY_COUNT);
      for (const v of versions) {
        assert.match(v.version!, VERSION);
        assert.equal(v.id, `${vaultUrl}secrets/${SEED_MANY}/${v.version}`);
      }
      const latest = await client.getSecret(SEED_MANY);
      assert.equal(latest.value, `value-${SEED_MANY_COUNT}`);
    });

    it('the default page size is 25 (a 30-version secret takes 2 pages without maxPageSize)', async () => {
      const pages = await collectPages(client.listPropertiesOfSecretVersions(SEED_MANY).byPage());
      assert.equal(pages.length, 2);
      assert.equal(pages[0].length, 25);
      assert.equal(pages[1].length, SEED_MANY_COUNT - 25);
    });

    it('raw paging: nextLink is absolute on the request origin, carries $skiptoken, and the last page has nextLink null', async () => {
      const token = await emu.vaultToken(VAULT_MAIN);
      let url: string | null = `${vaultUrl}secrets/${SEED_MANY}/versions?api-version=${combo.apiVersion}&maxresults=10`;
      let pages = 0;
      let items = 0;
      while (url) {
        const res = await emu.request(url, { token });
        assert.equal(res.status, 200, res.text.slice(0, 200));
        const body = res.json() as { value: unknown[]; nextLink: string | null };
        pages++;
        items += body.value.length;
        if (body.nextLink !== null) {
          const next = new URL(body.nextLink);
          assert.equal(next.origin, new URL(vaultUrl).origin);
          assert.ok(next.searchParams.get('$skiptoken'), 'has $skiptoken');
        }
        assert.ok('nextLink' in body, 'nextLink always present');
        url = body.nextLink;
        assert.ok(pages < 20, 'terminates');
      }
      assert.equal(pages, 3);
      assert.equal(items, SEED_MANY_COUNT);
    });

    it('deleted secrets page with maxPageSize across ≥ 3 pages and include the seeded deleted ones', async () => {
      const pages = await collectPages(client.listDeletedSecrets().byPage({ maxPageSize: 2 }));
      assert.ok(pages.length >= 3, `pages: ${pages.length}`);
      for (const page of pages) assert.ok(page.length <= 2);
      const names = pages.flat().map((d) => d.name);
      assert.equal(new Set(names).size, names.length);
      for (const n of SEED_DELETED) assert.ok(names.includes(n), n);
      for (const d of pages.flat()) {
        assert.equal(d.recoveryId, `${vaultUrl}deletedsecrets/${d.name}`);
        assert.ok(d.deletedOn instanceof Date);
        assert.ok(d.scheduledPurgeDate instanceof Date);
        assert.equal(d.value, undefined);
      }
    });

    it('getDeletedSecret of a seeded deleted secret returns the deleted bundle', async () => {
      const d = await client.getDeletedSecret(SEED_DELETED[0]);
      assert.equal(d.name, SEED_DELETED[0]);
      assert.equal(d.recoveryId, `${vaultUrl}deletedsecrets/${SEED_DELETED[0]}`);
      assert.ok(d.deletedOn && d.scheduledPurgeDate && d.scheduledPurgeDate > d.deletedOn);
      assert.equal(d.properties.recoveryLevel, 'Recoverable+Purgeable');
      await rejectsWith(client.getSecret(SEED_DELETED[0]), { status: 404, code: 'SecretNotFound' });
    });

    // ----- delete, recover, purge -----

    it('beginDeleteSecret polls to completion: recoveryId, deletedOn, scheduledPurgeDate = deletedOn + 90 days', async () => {
      await client.setSecret(`${p}-del`, 'to-delete');
      const poller = await client.beginDeleteSecret(`${p}-del`, FAST);
      const deleted = await poller.pollUntilDone();
      assert.equal(deleted.name, `${p}-del`);
      assert.equal(deleted.recoveryId, `${vaultUrl}deletedsecrets/${p}-del`);
      const days = (deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime()) / 86400_000;
      assert.ok(Math.abs(days - 90) < 0.01, `days ${days}`);
      await rejectsWith(client.getSecret(`${p}-del`), { status: 404, code: 'SecretNotFound' });
      const d = await client.getDeletedSecret(`${p}-del`);
      assert.equal(d.properties.recoveryId ?? d.recoveryId, `${vaultUrl}deletedsecrets/${p}-del`);
      const listed = await collect(client.listDeletedSecrets());
      assert.ok(listed.some((x) => x.name === `${p}-del`));
      const live = await collect(client.listPropertiesOfSecrets());
      assert.ok(!live.some((x) => x.name === `${p}-del`));
    });

    it('set on a deleted-but-recoverable name is 409 Conflict/ObjectIsDeletedButRecoverable', async () => {
      await rejectsWith(client.setSecret(`${p}-del`, 'again'),
        { status: 409, code: 'Conflict', inner: 'ObjectIsDeletedButRecoverable' });
    });

    it('beginRecoverDeletedSecret polls to completion and the secret is back with its value and versions', async () => {
      const poller = await client.beginRecoverDeletedSecret(`${p}-del`, FAST);
      const props = await poller.pollUntilDone();
      assert.equal(props.name, `${p}-del`);
      assert.equal((await client.getSecret(`${p}-del`)).value, 'to-delete');
      await rejectsWith(client.getDeletedSecret(`${p}-del`), { status: 404, code: 'SecretNotFound' });
    });

    it('purgeDeletedSecret removes the deleted secret for good; the name is free again', async () => {
      await client.setSecret(`${p}-purge`, 'old');
      await (await client.beginDeleteSecret(`${p}-purge`, FAST)).pollUntilDone();
      await client.purgeDeletedSecret(`${p}-purge`);
      await rejectsWith(client.getDeletedSecret(`${p}-purge`), { status: 404, code: 'SecretNotFound' });
      const again = await client.setSecret(`${p}-purge`, 'new');
      assert.equal(again.value, 'new');
      assert.equal((await collect(client.listPropertiesOfSecretVersions(`${p}-purge`))).length, 1);
    });

    it('delete, get-deleted, purge and recover of unknown names are 404', async () => {
      await rejectsWith(client.beginDeleteSecret(`${p}-ghost`, FAST), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(client.getDeletedSecret(`${p}-ghost`), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(client.purgeDeletedSecret(`${p}-ghost`), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(client.beginRecoverDeletedSecret(`${p}-ghost`, FAST), { status: 404, code: 'SecretNotFound' });
      // a live secret is not in the deleted collection either
      await rejectsWith(client.purgeDeletedSecret(`${p}-basic`), { status: 404, code: 'SecretNotFound' });
    });

    it('a vault with purge protection: recoveryLevel Recoverable, purge refused with 403, recover works', async () => {
      const pc = emu.secretClient(combo, VAULT_PROTECTED);
      const s = await pc.setSecret(`${p}-pp`, 'protected-value');
      assert.equal(s.properties.recoveryLevel, 'Recoverable');
      assert.equal(s.properties.recoverableDays, 90);
      const deleted = await (await pc.beginDeleteSecret(`${p}-pp`, FAST)).pollUntilDone();
      assert.equal(deleted.properties.recoveryLevel, 'Recoverable');
      await rejectsWith(pc.purgeDeletedSecret(`${p}-pp`), { status: 403, code: 'Forbidden', message: /purge protection/ });
      assert.equal((await pc.getDeletedSecret(`${p}-pp`)).name, `${p}-pp`);
      await (await pc.beginRecoverDeletedSecret(`${p}-pp`, FAST)).pollUntilDone();
      assert.equal((await pc.getSecret(`${p}-pp`)).value, 'protected-value');
    });

    it('a vault with 7-day retention and slow deletes: CustomizedRecoverable+Purgeable, pollers wait through 404s, 409 while deleting', async () => {
      const sc = emu.secretClient(combo, VAULT_SLOW);
      const s = await sc.setSecret(`${p}-slow`, 'slow-value');
      assert.equal(s.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');
      assert.equal(s.properties.recoverableDays, 7);
      const slowRec = new Recorder();
      const sc2 = emu.secretClient(combo, VAULT_SLOW, { recorder: slowRec });
      const poller = await sc2.beginDeleteSecret(`${p}-slow`, FAST);
      await rejectsWith(sc.setSecret(`${p}-slow`, 'during-delete'), { status: 409, code: 'Conflict' });
      const deleted = await poller.pollUntilDone();
      const days = (deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime()) / 86400_000;
      assert.ok(Math.abs(days - 7) < 0.01, `days ${days}`);
      const polls = slowRec.exchanges.filter((x) => x.method === 'GET' && new URL(x.url).pathname.startsWith('/deletedsecrets/'));
      assert.ok(polls.some((x) => x.status === 404), 'the poller saw the delete in progress');
      assert.equal(polls[polls.length - 1].status, 200);
      await (await sc.beginRecoverDeletedSecret(`${p}-slow`, FAST)).pollUntilDone();
      assert.equal((await sc.getSecret(`${p}-slow`)).value, 'slow-value');
    });

    // ----- backup / restore -----

    it('backup and restore round-trip all versions after the secret is purged', async () => {
      await client.setSecret(`${p}-bk`, 'b1', { tags: { k: 'v' } });
      await client.setSecret(`${p}-bk`, 'b2', { contentType: 'text/plain' });
      const blob = await client.backupSecret(`${p}-bk`);
      assert.ok(blob instanceof Uint8Array && blob.length > 0);
      await (await client.beginDeleteSecret(`${p}-bk`, FAST)).pollUntilDone();
      await client.purgeDeletedSecret(`${p}-bk`);
      await rejectsWith(client.getSecret(`${p}-bk`), { status: 404, code: 'SecretNotFound' });
      const restored = await client.restoreSecretBackup(blob);
      assert.equal(restored.name, `${p}-bk`);
      assert.equal(restored.contentType, 'text/plain');
      assert.equal((await client.getSecret(`${p}-bk`)).value, 'b2');
      assert.equal((await collect(client.listPropertiesOfSecretVersions(`${p}-bk`))).length, 2);
    });

    it('restore over an existing secret is 409 Conflict', async () => {
      const blob = await client.backupSecret(`${p}-bk`);
      await rejectsWith(client.restoreSecretBackup(blob!), { status: 409, code: 'Conflict' });
    });

    it('restore of a corrupt blob is 400 BadParameter; backup of an unknown secret is 404', async () => {
      const blob = await client.backupSecret(`${p}-basic`);
      const corrupt = Uint8Array.from(blob!);
      corrupt[Math.floor(corrupt.length / 2)] ^= 0xff;
      await rejectsWith(client.restoreSecretBackup(corrupt), { status: 400, code: 'BadParameter' });
      await rejectsWith(client.restoreSecretBackup(new TextEncoder().encode('not a backup at all')), { status: 400, code: 'BadParameter' });
      await rejectsWith(client.backupSecret(`${p}-ghost`), { status: 404, code: 'SecretNotFound' });
    });

    it('a backup blob does not carry the secret value in clear', async () => {
      const marker = `plain-marker-${p}-0123456789`;
      await client.setSecret(`${p}-bk-clear`, marker);
      const blob = await client.backupSecret(`${p}-bk-clear`);
      const bytes = Buffer.from(blob!);
      assert.ok(!bytes.toString('latin1').includes(marker), 'value in clear');
      assert.ok(!bytes.toString('latin1').includes(Buffer.from(marker).toString('base64').slice(0, 20)), 'value in base64');
    });
  });
});
