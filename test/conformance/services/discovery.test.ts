// DiscoveryService against the emulator's ARM: tenants, subscriptions, one Resource Graph request for all,
// and the listBySubscription fallback when Resource Graph fails (admin faults API).
import * as assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import type { Emulator } from '../support/emulator';
import { createDiscoveryService, type DiscoveryService } from '../../../src/azure/discovery';
import { emulatorCloud } from '../../../src/auth/emulatorCredential';
import { localEmulatorPolicy } from '../../../src/azure/localTransport';
import type { SubscriptionRef } from '../../../src/azure/model';
import { ADMIN, readyInfo, startServicesEmulator, SUB_A1, SUB_A2, SUB_B1, TENANT_A, TENANT_B } from './support';

function rgCount(stats: Record<string, unknown>): number {
  const req = stats.requests as Record<string, number>;
  return req.resourceGraph ?? 0;
}

function count(stats: Record<string, unknown>, op: string): number {
  return (stats.requests as Record<string, number>)[op] ?? 0;
}

describe('services: DiscoveryService against the emulator ARM', function () {
  let emu: Emulator;
  let discovery: DiscoveryService;
  const credentials = new Map<string, ClientSecretCredential>();

  before(async function () {
    emu = await startServicesEmulator();
    const info = readyInfo(emu);
    const admin = info.principals.find((p) => p.clientId === ADMIN)!;
    discovery = createDiscoveryService({
      cloud: emulatorCloud(info),
      ca: emu.caPem,
      retryOptions: { maxRetries: 0 },
      credentialForTenant: (tenantId) => {
        const t = tenantId ?? TENANT_A;
        let c = credentials.get(t);
        if (!c) {
          c = new ClientSecretCredential(t, admin.clientId, admin.clientSecret, {
            authorityHost: info.authorityHost, disableInstanceDiscovery: true,
            additionalPolicies: [{ policy: localEmulatorPolicy(emu.caPem), position: 'perCall' }],
          });
          credentials.set(t, c);
        }
        return c;
      },
    });
  });
  after(async function () { await emu?.stop(); });
  afterEach(async function () { await emu.setFaults([]); });

  it('lists tenants and the subscriptions of each tenant', async () => {
    const tenants = await discovery.listTenants();
    assert.deepEqual(tenants.map((t) => t.tenantId).sort(), [TENANT_A, TENANT_B]);
    assert.ok(tenants.some((t) => t.displayName === 'Services Tenant A'));
    const subsA = await discovery.listSubscriptions(TENANT_A);
    assert.deepEqual(subsA.map((s) => s.subscriptionId).sort(), [SUB_A1, SUB_A2]);
    assert.ok(subsA.every((s) => s.tenantId === TENANT_A));
    const subsB = await discovery.listSubscriptions(TENANT_B);
    assert.deepEqual(subsB.map((s) => s.subscriptionId), [SUB_B1]);
  });

  it('discovers vaults of two subscriptions of a tenant with exactly one Resource Graph request', async () => {
    const subs = await discovery.listSubscriptions(TENANT_A);
    await emu.resetStats();
    const r = await discovery.discoverVaults(subs);
    const stats = await emu.stats();
    assert.equal(rgCount(stats), 1);
    assert.equal(count(stats, 'vaults.listBySubscription'), 0);
    assert.equal(r.path, 'resourceGraph');
    const names = r.vaults.map((v) => v.name);
    assert.ok(names.includes('svc-main') && names.includes('svc-suba2'), names.join(','));
    const main = r.vaults.find((v) => v.name === 'svc-main')!;
    assert.equal(main.url, emu.vaultUrl('svc-main').toLowerCase());
    assert.equal(main.source, 'arm');
    assert.equal(main.subscriptionId, SUB_A1);
    assert.equal(main.tenantId, TENANT_A);
    assert.match(main.resourceId ?? '', /\/providers\/Microsoft\.KeyVault\/vaults\/svc-main$/i);
    assert.equal(r.vaults.find((v) => v.name === 'svc-protected')?.purgeProtection, true);
    assert.equal(r.vaults.find((v) => v.name === 'svc-policy')?.rbacAuthorization, false);
  });

  it('discovers across two tenants with one Resource Graph request', async () => {
    const subs: SubscriptionRef[] = [...await discovery.listSubscriptions(TENANT_A), ...await discovery.listSubscriptions(TENANT_B)];
    await emu.resetStats();
    const r = await discovery.discoverVaults(subs);
    const stats = await emu.stats();
    assert.equal(rgCount(stats), 1);
    assert.equal(count(stats, 'vaults.listBySubscription'), 0, 'tenant B\'s vaults came back from the one query');
    assert.deepEqual(r.tenants.map((t) => t.path), ['resourceGraph', 'resourceGraph']);
    const b = r.vaults.find((v) => v.name === 'svc-tenantb');
    assert.equal(b?.tenantId, TENANT_B);
    assert.equal(b?.subscriptionId, SUB_B1);
    assert.equal(new Set(r.vaults.map((v) => v.subscriptionId)).size, 3);
  });

  it('follows Resource Graph $skipToken pages', async () => {
    const info = readyInfo(emu);
    const paged = createDiscoveryService({
      cloud: emulatorCloud(info), ca: emu.caPem, resourceGraphPageSize: 2,
      credentialForTenant: () => credentials.get(TENANT_A)!,
    });
    const subs = await discovery.listSubscriptions(TENANT_A);
    await emu.resetStats();
    const r = await paged.discoverVaults(subs);
    // svc-main, svc-protected, svc-policy, svc-firewall, svc-suba2: 5 rows in pages of 2.
    assert.equal(r.vaults.length, 5);
    assert.equal(rgCount(await emu.stats()), 3);
    assert.equal(r.path, 'resourceGraph');
  });

  for (const status of [403, 500]) {
    it(`falls back to vaults.listBySubscription when Resource Graph answers ${status}`, async () => {
      const subs = await discovery.listSubscriptions(TENANT_A);
      await emu.setFaults([{ operation: 'resourceGraph', status }]);
      await emu.resetStats();
      const r = await discovery.discoverVaults(subs);
      const stats = await emu.stats();
      assert.equal(r.path, 'listBySubscription');
      assert.equal(r.tenants[0]?.resourceGraphError?.statusCode, status);
      assert.equal(count(stats, 'vaults.listBySubscription'), 2);
      assert.ok(rgCount(stats) >= 1);
      const names = r.vaults.map((v) => v.name).sort();
      assert.ok(names.includes('svc-main') && names.includes('svc-suba2'), names.join(','));
      assert.equal(r.vaults.find((v) => v.name === 'svc-main')?.url, emu.vaultUrl('svc-main').toLowerCase());
      assert.equal(r.vaults.find((v) => v.name === 'svc-protected')?.purgeProtection, true);
      assert.deepEqual(r.failures, []);
    });
  }
});
