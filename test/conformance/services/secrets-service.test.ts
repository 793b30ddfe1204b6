// SecretsService (the real SDK through createSecretsService) against the emulator, and the errors the real SDK
// raises, classified.
import * as assert from 'node:assert/strict';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Emulator } from '../support/emulator';
import { KeyVaultError } from '../../../src/azure/errors';
import { createSecretsService } from '../../../src/azure/secretsService';
import { createEmulatorCredential } from '../../../src/auth/emulatorCredential';
import { localhostLookup } from '../../../src/azure/localTransport';
import { READER, readyInfo, SECRETS_USER, service, startServicesEmulator, WireCounter } from './support';

async function rejectsWith(p: Promise<unknown>, kind: KeyVaultError['kind']): Promise<KeyVaultError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof KeyVaultError, `expected KeyVaultError, got ${String(err)}`);
    assert.equal(err.kind, kind, `${err.message}\n${err.detail}`);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('services: SecretsService against the emulator', function () {
  let emu: Emulator;
  before(async function () { emu = await startServicesEmulator(); });
  after(async function () { await emu?.stop(); });

  it('lists the first page after one list request, then follows continuation tokens', async () => {
    const counter = new WireCounter();
    const svc = service(emu, 'svc-main', { counter });
    const first = await svc.listSecrets({ maxPageSize: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.continuationToken, 'first page has a continuation token');
    assert.equal(counter.count((e) => e.method === 'GET' && e.path === '/secrets' && e.status === 200), 1);
    const names = new Set(first.items.map((s) => s.name));
    let token: string | undefined = first.continuationToken;
    let pages = 1;
    while (token) {
      const page = await svc.listSecrets({ continuationToken: token, maxPageSize: 10 });
      for (const s of page.items) {
        assert.ok(!names.has(s.name), `duplicate ${s.name}`);
        names.add(s.name);
      }
      token = page.continuationToken;
      pages++;
    }
    // 30 paged + disabled, cert, versions, tagged (the deleted one is not listed).
    assert.equal(names.size, 34);
    assert.ok(pages >= 4);
    assert.equal(counter.count((e) => e.method === 'GET' && e.path === '/secrets' && e.status === 200), pages);
    assert.ok(!names.has('svc-gone'));
  });

  it('maps list items to SecretProps without values: managed, disabled, tags, dates', async () => {
    const svc = service(emu, 'svc-main');
    const all = [];
    let token: string | undefined;
    do {
      const p = await svc.listSecrets({ continuationToken: token });
      all.push(...p.items);
      token = p.continuationToken;
    } while (token);
    const byName = new Map(all.map((s) => [s.name, s]));
    assert.equal(byName.get('svc-cert')?.managed, true);
    assert.equal(byName.get('svc-disabled')?.enabled, false);
    assert.deepEqual(byName.get('svc-tagged')?.tags, { team: 'data' });
    assert.equal(byName.get('svc-tagged')?.contentType, 'text/plain');
    assert.ok(byName.get('svc-tagged')?.expiresOn instanceof Date);
    assert.equal(byName.get('page-001')?.version, undefined);
    for (const s of all) assert.ok(!('value' in s), `${s.name} carries a value`);
    assert.ok(!JSON.stringify(all).includes('paged-value-'), 'no value in list results');
  });

  it('lists versions lazily and reads a value only on request', async () => {
    const svc = service(emu, 'svc-main');
    const versions = await svc.listVersions('svc-versions', { maxPageSize: 5 });
    assert.equal(versions.items.length, 5);
    assert.ok(versions.continuationToken);
    const rest = await svc.listVersions('svc-versions', { continuationToken: versions.continuationToken });
    assert.equal(versions.items.length + rest.items.length, 7);
    assert.ok(versions.items.every((v) => /^[0-9a-f]{32}$/.test(v.version ?? '')));
    const latest = await svc.getSecretValue('svc-versions');
    assert.equal(latest.value, 'v-7');
    const v1 = [...versions.items, ...rest.items].find((v) => v.createdOn && v.createdOn.getTime() === Math.min(...[...versions.items, ...rest.items].map((x) => x.createdOn!.getTime())));
    assert.equal((await svc.getSecretValue('svc-versions', v1!.version)).value, 'v-1');
  });

  it('set, new version, update properties (disable → disabled error), clear a date', async () => {
    const svc = service(emu, 'svc-main');
    const created = await svc.setSecret('svc-new', { value: 'first', contentType: 'text/plain', tags: { a: '1' } });
    assert.equal(created.name, 'svc-new');
    assert.match(created.version!, /^[0-9a-f]{32}$/);
    const second = await svc.setSecret('svc-new', { value: 'second', expiresOn: new Date(Date.now() + 86400_000) });
    assert.notEqual(second.version, created.version);
    assert.equal((await svc.getSecretValue('svc-new')).value, 'second');
    const updated = await svc.updateProperties('svc-new', undefined, { enabled: false, tags: { b: '2' } });
    assert.equal(updated.enabled, false);
    assert.deepEqual(updated.tags, { b: '2' });
    const err = await rejectsWith(svc.getSecretValue('svc-new'), 'disabled');
    assert.match(err.message, /"svc-new" in vault "svc-main" is disabled/);
    const old = await svc.getSecretValue('svc-new', created.version);
    assert.equal(old.value, 'first');
    const cleared = await svc.updateProperties('svc-new', second.version, { enabled: true, expiresOn: null });
    assert.equal(cleared.expiresOn, undefined);
  });

  it('delete (poller with progress) → name conflict → recover; delete → purge', async () => {
    const svc = service(emu, 'svc-main');
    await svc.setSecret('svc-lifecycle', { value: 'life' });
    const progress: string[] = [];
    const deleted = await svc.deleteSecret('svc-lifecycle', { onProgress: (m) => progress.push(m) });
    assert.equal(deleted.name, 'svc-lifecycle');
    assert.match(deleted.recoveryId ?? '', /\/deletedsecrets\/svc-lifecycle$/);
    assert.ok(deleted.scheduledPurgeDate instanceof Date);
    assert.ok(progress.length >= 1);
    const conflict = await rejectsWith(svc.setSecret('svc-lifecycle', { value: 'again' }), 'conflictDeleted');
    assert.match(conflict.message, /Recover the deleted secret, or purge it/);
    const listed = await svc.listDeletedSecrets({ maxPageSize: 25 });
    assert.ok(listed.items.some((d) => d.name === 'svc-lifecycle' && d.deletedOn instanceof Date));
    assert.equal((await svc.getDeletedSecret('svc-lifecycle'))?.name, 'svc-lifecycle');
    const recovered = await svc.recoverSecret('svc-lifecycle');
    assert.equal(recovered.name, 'svc-lifecycle');
    assert.equal((await svc.getSecretValue('svc-lifecycle')).value, 'life');
    assert.equal(await svc.getDeletedSecret('svc-lifecycle'), undefined);
    await svc.deleteSecret('svc-lifecycle');
    await svc.purgeSecret('svc-lifecycle');
    assert.equal(await svc.getDeletedSecret('svc-lifecycle'), undefined);
    await rejectsWith(svc.getSecretValue('svc-lifecycle'), 'notFound');
  });

  it('purge under purge protection → purgeProtected', async () => {
    const svc = service(emu, 'svc-protected');
    const err = await rejectsWith(svc.purgeSecret('prot-gone'), 'purgeProtected');
    assert.match(err.message, /purge protection/);
  });

  it('backup → restore round trip; a corrupt backup → badRequest', async () => {
    const svc = service(emu, 'svc-main');
    await svc.setSecret('svc-backup', { value: 'to-back-up' });
    const blob = await svc.backupSecret('svc-backup');
    assert.ok(blob.byteLength > 0);
    assert.ok(!Buffer.from(blob).toString('utf8').includes('to-back-up'), 'backup is not plain text');
    await svc.deleteSecret('svc-backup');
    await svc.purgeSecret('svc-backup');
    const restored = await svc.restoreSecretBackup(blob);
    assert.equal(restored.name, 'svc-backup');
    assert.equal((await svc.getSecretValue('svc-backup')).value, 'to-back-up');
    await rejectsWith(svc.restoreSecretBackup(new Uint8Array([1, 2, 3, 4])), 'badRequest');
  });

  it('errors from the real SDK: RBAC role, access policy, firewall, not found, invalid name', async () => {
    const reader = service(emu, 'svc-main', { clientId: READER });
    const page = await reader.listSecrets({ maxPageSize: 3 });
    assert.equal(page.items.length, 3);
    const rbac = await rejectsWith(reader.getSecretValue('page-001'), 'rbac');
    assert.equal(rbac.role, 'Key Vault Secrets User');
    assert.match(rbac.action ?? '', /getSecret\/action/);
    assert.match(rbac.message, /"Key Vault Secrets User"/);
    // The innererror code the SDK drops is recovered from the response body.
    assert.match(rbac.detail, /innererror=ForbiddenByRbac/);
    const user = service(emu, 'svc-main', { clientId: SECRETS_USER });
    const officer = await rejectsWith(user.setSecret('user-write', { value: 'x' }), 'rbac');
    assert.equal(officer.role, 'Key Vault Secrets Officer');
    const policy = await rejectsWith(service(emu, 'svc-policy', { clientId: READER }).getSecretValue('pol-secret'), 'accessPolicy');
    assert.match(policy.message, /access policy/);
    // A paged call: the SDK's own message is "Pagination failed…"; the service's message is recovered.
    const fw = await rejectsWith(service(emu, 'svc-firewall').listSecrets(), 'firewall');
    assert.match(fw.detail, /innererror=ForbiddenByFirewall/);
    assert.doesNotMatch(fw.detail, /Pagination failed/);
    const nf = await rejectsWith(service(emu, 'svc-main').getSecretValue('no-such-secret'), 'notFound');
    assert.match(nf.message, /Refresh/);
    assert.match(nf.detail, /status=404/);
    await rejectsWith(service(emu, 'svc-main').getSecretValue('bad_name'), 'badRequest');
  });

  it('setting a certificate-backed secret → managedSecret', async () => {
    const err = await rejectsWith(service(emu, 'svc-main').setSecret('svc-cert', { value: 'x' }), 'managedSecret');
    assert.match(err.message, /certificate/);
  });

  it('throttling is retried by the SDK and classified when it persists', async () => {
    await emu.setFaults([{ operation: '*', status: 429, retryAfterSeconds: 0, count: 3, vault: 'svc-main' }]);
    try {
      const svc = service(emu, 'svc-main', { retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 } });
      await rejectsWith(svc.getSecretValue('page-002'), 'throttled');
    } finally {
      await emu.setFaults([]);
    }
  });

  it('an aborted call → cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(service(emu, 'svc-main').listSecrets({ abortSignal: ac.signal }), 'cancelled');
  });

  it('a listing cancelled while a later page is on the wire ends at once as cancelled', async () => {
    const svc = service(emu, 'svc-main');
    const first = await svc.listSecrets({ maxPageSize: 5 });
    assert.ok(first.continuationToken);
    // the next page is held for 10 s: only the abort signal can end the call before that
    await emu.setFaults([{ operation: 'secrets.list', delayMs: 10_000, count: 1, vault: 'svc-main' }]);
    try {
      const ac = new AbortController();
      const next = svc.listSecrets({ continuationToken: first.continuationToken, maxPageSize: 5, abortSignal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      await rejectsWith(next, 'cancelled');
    } finally {
      await emu.setFaults([]);
    }
  });

  it('a continuation token on another host is not followed (no request, no token sent)', async () => {
    const counter = new WireCounter();
    const svc = service(emu, 'svc-main', { counter });
    const first = await svc.listSecrets({ maxPageSize: 5 });
    const foreign = first.continuationToken!.replace(/^https:\/\/[^/]+/, 'https://attacker.example');
    counter.clear();
    const err = await rejectsWith(svc.listSecrets({ continuationToken: foreign }), 'hostNotAllowed');
    assert.match(err.message + err.detail, /another host \(attacker\.example\)/);
    assert.equal(counter.seen.length, 0);
  });

  it('an untrusted emulator CA → certificateUntrusted; a closed port → network', async () => {
    // Resolves *.localhost but does not trust the emulator's CA.
    const lookupOnly: PipelinePolicy = { name: 'lookupOnly', sendRequest: (req, next) => {
      req.requestOverrides = { ...req.requestOverrides, lookup: localhostLookup };
      return next(req);
    } };
    const cred = createEmulatorCredential(readyInfo(emu), { ca: emu.caPem });
    const untrusted = createSecretsService({ name: 'svc-main', url: emu.vaultUrl('svc-main'), source: 'emulator' }, cred,
      { additionalPolicies: [{ policy: lookupOnly, position: 'perCall' }], retryOptions: { maxRetries: 0 } });
    const cert = await rejectsWith(untrusted.listSecrets(), 'certificateUntrusted');
    assert.match(cert.message, /svc-main\.vault\.localhost/);
    const closed = createSecretsService({ name: 'nothere', url: 'https://nothere.vault.localhost:1/', source: 'emulator' }, cred,
      { ca: emu.caPem, retryOptions: { maxRetries: 0 } });
    const net = await rejectsWith(closed.listSecrets(), 'network');
    assert.match(net.message, /Cannot reach nothere\.vault\.localhost:1/);
  });
});
