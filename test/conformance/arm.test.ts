// ARM side for vault discovery, with the unmodified management clients: tenants, subscriptions,
// vaults.listBySubscription / list / get, and the Resource Graph query the extension sends.
import * as assert from 'node:assert/strict';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { emulatorForSuite, Recorder } from './support/emulator';
import { rejectsWith } from './support/errors';
import {
  ADMIN, ADMIN_B, READER, SECRETS_USER, SUB_A1, SUB_A2, SUB_B1, TENANT_A, TENANT_B, VAULT_FIREWALL, VAULT_MAIN,
  VAULT_POLICY, VAULT_PROTECTED, VAULT_SLOW, VAULT_SUB_A2, VAULT_TENANT_B,
} from './support/fixtures';

const KQL = "resources | where type =~ 'microsoft.keyvault/vaults' | project id, name, subscriptionId, tenantId, vaultUri = properties.vaultUri";
const SUB_A1_VAULTS = [VAULT_FIREWALL, VAULT_MAIN, VAULT_POLICY, VAULT_PROTECTED, VAULT_SLOW].sort();

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

describe('conformance: ARM (arm-keyvault, arm-resources-subscriptions, arm-resourcegraph)', function () {
  const emu = emulatorForSuite();

  const subscriptionClient = (clientId: string, tenant?: string) =>
    new SubscriptionClient(emu.credential(clientId, tenant), emu.armOptions());
  const kvClient = (clientId: string, sub: string, rec?: Recorder, tenant?: string) =>
    new KeyVaultManagementClient(emu.credential(clientId, tenant), sub, emu.armOptions(rec));
  const graphClient = (clientId: string, tenant?: string) =>
    new ResourceGraphClient(emu.credential(clientId, tenant), emu.armOptions());

  it('tenants.list: a guest principal sees its home and guest tenants', async () => {
    const tenants = await collect(subscriptionClient(ADMIN).tenants.list());
    assert.deepEqual(tenants.map((t) => t.tenantId?.toLowerCase()).sort(), [TENANT_A, TENANT_B].sort());
    for (const t of tenants) {
      assert.equal(t.id, `/tenants/${t.tenantId}`);
      assert.ok(t.displayName);
    }
    const single = await collect(subscriptionClient(READER).tenants.list());
    assert.deepEqual(single.map((t) => t.tenantId?.toLowerCase()), [TENANT_A]);
  });

  it('subscriptions.list: the subscriptions of the token tenant the principal has roles in', async () => {
    const subsA = await collect(subscriptionClient(ADMIN).subscriptions.list());
    assert.deepEqual(subsA.map((s) => s.subscriptionId).sort(), [SUB_A1, SUB_A2].sort());
    for (const s of subsA) {
      assert.equal(s.id, `/subscriptions/${s.subscriptionId}`);
      assert.equal(s.tenantId?.toLowerCase(), TENANT_A);
      assert.equal(s.state, 'Enabled');
      assert.ok(s.displayName);
    }
    const subsB = await collect(subscriptionClient(ADMIN, TENANT_B).subscriptions.list());
    assert.deepEqual(subsB.map((s) => s.subscriptionId), [SUB_B1]);
    const subsHomeB = await collect(subscriptionClient(ADMIN_B, TENANT_B).subscriptions.list());
    assert.deepEqual(subsHomeB.map((s) => s.subscriptionId), [SUB_B1]);
  });

  it('subscriptions.list: a data-plane-only role assignment shows no subscription', async () => {
    const subs = await collect(subscriptionClient(SECRETS_USER).subscriptions.list());
    assert.deepEqual(subs, []);
  });

  it('vaults.listBySubscription: full vault objects with vaultUri, tenantId, sku and the soft-delete/RBAC settings', async () => {
    const rec = new Recorder();
    const vaults = await collect(kvClient(ADMIN, SUB_A1, rec).vaults.listBySubscription());
    assert.deepEqual(vaults.map((v) => v.name).sort(), SUB_A1_VAULTS);
    const byName = new Map(vaults.map((v) => [v.name!, v]));
    for (const v of vaults) {
      assert.match(v.id!, new RegExp(`^/subscriptions/${SUB_A1}/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/${v.name}$`));
      assert.equal(v.type, 'Microsoft.KeyVault/vaults');
      assert.equal(v.properties.vaultUri, emu.vaultUrl(v.name!));
      assert.equal(v.properties.tenantId.toLowerCase(), TENANT_A);
      assert.ok(v.properties.sku?.name);
      assert.equal(v.properties.enableSoftDelete, true);
    }
    assert.equal(byName.get(VAULT_PROTECTED)!.properties.enablePurgeProtection, true);
    assert.notEqual(byName.get(VAULT_MAIN)!.properties.enablePurgeProtection, true);
    assert.equal(byName.get(VAULT_SLOW)!.properties.softDeleteRetentionInDays, 7);
    assert.equal(byName.get(VAULT_MAIN)!.properties.softDeleteRetentionInDays, 90);
    assert.equal(byName.get(VAULT_MAIN)!.properties.enableRbacAuthorization, true);
    assert.equal(byName.get(VAULT_POLICY)!.properties.enableRbacAuthorization, false);
    const req = rec.exchanges.find((x) => x.status === 200)!;
    assert.equal(new URL(req.url).pathname, `/subscriptions/${SUB_A1}/providers/Microsoft.KeyVault/vaults`);
    assert.ok(rec.exchanges.every((x) => x.hadAuthorization), 'ARM sends the bearer without a challenge');
  });

  it('vaults.listBySubscription pages with $top and all vaults arrive once', async () => {
    const rec = new Recorder();
    const pages: string[][] = [];
    for await (const page of kvClient(ADMIN, SUB_A1, rec).vaults.listBySubscription({ top: 2 }).byPage()) {
      pages.push(page.map((v) => v.name!));
    }
    assert.ok(pages.length >= 3, `pages ${pages.length}`);
    assert.deepEqual(pages.flat().sort(), SUB_A1_VAULTS);
    for (const x of rec.exchanges) assert.equal(new URL(x.url).origin, emu.ready.armEndpoint);
  });

  it('vaults.list (generic resources of type Microsoft.KeyVault/vaults): same vaults, no vaultUri', async () => {
    const rec = new Recorder();
    const resources = await collect(kvClient(ADMIN, SUB_A1, rec).vaults.list());
    assert.deepEqual(resources.map((r) => r.name).sort(), SUB_A1_VAULTS);
    for (const r of resources) {
      assert.equal(r.type, 'Microsoft.KeyVault/vaults');
      assert.equal((r as { properties?: unknown }).properties, undefined);
    }
    const req = new URL(rec.exchanges[rec.exchanges.length - 1].url);
    assert.equal(req.pathname, `/subscriptions/${SUB_A1}/resources`);
    assert.match(req.searchParams.get('$filter') ?? '', /resourceType eq 'Microsoft\.KeyVault\/vaults'/);
  });

  it('vaults.get by resource group and name; unknown vault is 404 ResourceNotFound', async () => {
    const client = kvClient(ADMIN, SUB_A1);
    const [listed] = (await collect(client.vaults.listBySubscription())).filter((v) => v.name === VAULT_MAIN);
    const rg = listed.id!.split('/')[4];
    const v = await client.vaults.get(rg, VAULT_MAIN);
    assert.equal(v.name, VAULT_MAIN);
    assert.equal(v.properties.vaultUri, emu.vaultUrl(VAULT_MAIN));
    await rejectsWith(client.vaults.get(rg, 'no-such-vault'), { status: 404, code: 'ResourceNotFound' });
  });

  it('a vault in the second subscription and the guest tenant are listed under their own subscriptions', async () => {
    const a2 = await collect(kvClient(ADMIN, SUB_A2).vaults.listBySubscription());
    assert.deepEqual(a2.map((v) => v.name), [VAULT_SUB_A2]);
    const b1 = await collect(kvClient(ADMIN, SUB_B1, undefined, TENANT_B).vaults.listBySubscription());
    assert.deepEqual(b1.map((v) => v.name), [VAULT_TENANT_B]);
    assert.equal(b1[0].properties.tenantId.toLowerCase(), TENANT_B);
  });

  it('a role on one vault shows that vault only; an unknown subscription is 404', async () => {
    const vaults = await collect(kvClient(READER, SUB_A1).vaults.listBySubscription());
    assert.deepEqual(vaults.map((v) => v.name), [VAULT_MAIN]);
    await rejectsWith(collect(kvClient(ADMIN, '00000000-0000-4000-8000-000000000000').vaults.listBySubscription()), { status: 404 });
  });

  it('Resource Graph: the extension\'s KQL returns id, name, subscriptionId, tenantId, vaultUri over several subscriptions', async () => {
    const res = await graphClient(ADMIN).resources({ subscriptions: [SUB_A1, SUB_A2], query: KQL });
    const rows = res.data as Record<string, unknown>[];
    assert.ok(Array.isArray(rows));
    assert.equal(res.totalRecords, SUB_A1_VAULTS.length + 1);
    assert.equal(res.count, rows.length);
    assert.deepEqual(rows.map((r) => r.name).sort(), [...SUB_A1_VAULTS, VAULT_SUB_A2].sort());
    for (const r of rows) {
      assert.deepEqual(Object.keys(r).sort(), ['id', 'name', 'subscriptionId', 'tenantId', 'vaultUri']);
      assert.equal(r.vaultUri, emu.vaultUrl(String(r.name)));
      assert.equal(String(r.tenantId).toLowerCase(), TENANT_A);
      assert.match(String(r.id), /\/providers\/Microsoft\.KeyVault\/vaults\//i);
    }
  });

  it('Resource Graph: without subscriptions it covers every subscription visible in the token tenant', async () => {
    const res = await graphClient(ADMIN).resources({ query: KQL });
    assert.deepEqual((res.data as { name: string }[]).map((r) => r.name).sort(), [...SUB_A1_VAULTS, VAULT_SUB_A2].sort());
    const inB = await graphClient(ADMIN, TENANT_B).resources({ query: KQL });
    assert.deepEqual((inB.data as { name: string }[]).map((r) => r.name), [VAULT_TENANT_B]);
  });

  it('Resource Graph: a data-plane-only principal sees no vault; a reader sees its vault', async () => {
    const none = await graphClient(SECRETS_USER).resources({ query: KQL });
    assert.equal(none.totalRecords, 0);
    assert.deepEqual(none.data, []);
    const reader = await graphClient(READER).resources({ query: KQL });
    assert.deepEqual((reader.data as { name: string }[]).map((r) => r.name), [VAULT_MAIN]);
  });

  it('Resource Graph: an invalid query is 400', async () => {
    await rejectsWith(graphClient(ADMIN).resources({ query: 'resources | where (' }), { status: 400 });
  });
});
