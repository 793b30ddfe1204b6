// ARM and authority edges real tools hit: Managed HSM listing and get (arm-keyvault's managedHsms), the
// authority paths MSAL-based tools use (/common, /organizations, /adfs, a tenant's domain) with their discovery
// documents, and api-version required and checked the service's way on the data plane and ARM
// (src/emulator/apiversions.ts names the sources).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ClientSecretCredential } from '@azure/identity';
import { DATA_PLANE_PREVIEW, DATA_PLANE_STABLE } from '../../src/emulator/apiversions';
import { COMBOS, Emulator, emulatorForSuite } from './support/emulator';
import { rejectsWith } from './support/errors';
import { ADMIN, READER, SEED_TAGGED, SUB_A1, SUB_A2, TENANT_A, VAULT_MAIN } from './support/fixtures';

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

type Json = Record<string, unknown>;

describe('conformance: ARM and authority edges, api-version', function () {
  this.timeout(30000);
  const emu = emulatorForSuite();

  describe('managed HSMs (arm-keyvault managedHsms)', () => {
    it('listBySubscription is an empty list for a subscription without HSMs; get of a missing one is 404 ResourceNotFound', async () => {
      const client = new KeyVaultManagementClient(emu.credential(ADMIN), SUB_A1, emu.armOptions());
      assert.deepEqual(await collect(client.managedHsms.listBySubscription()), []);
      assert.deepEqual(await collect(client.managedHsms.listByResourceGroup('rg-keyvault-emulator')), []);
      await rejectsWith(client.managedHsms.get('rg-keyvault-emulator', 'no-such-hsm'), { status: 404, code: 'ResourceNotFound' });
    });

    it('seeded HSMs are listed and read with a role on their subscription, and hidden without one', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-hsm-'));
      const seed = path.join(dir, 'seed.json');
      fs.writeFileSync(seed, JSON.stringify({
        tenants: [{ id: TENANT_A }],
        subscriptions: [{ id: SUB_A1, tenantId: TENANT_A }, { id: SUB_A2, tenantId: TENANT_A }],
        vaults: [{ name: 'hsm-neighbour', subscriptionId: SUB_A2 }],
        managedHsms: [{ name: 'contoso-hsm', subscriptionId: SUB_A1, resourceGroup: 'rg-hsm', location: 'westeurope', tags: { env: 'dev' } }],
        principals: [
          { clientId: ADMIN, clientSecret: 'a', roles: [{ role: 'Key Vault Reader', subscription: SUB_A1 }, { role: 'Key Vault Reader', subscription: SUB_A2 }] },
          { clientId: READER, clientSecret: 'r', roles: [{ role: 'Key Vault Reader', vault: 'hsm-neighbour' }] },
        ],
      }));
      const other = await Emulator.start({ seed });
      try {
        const client = new KeyVaultManagementClient(other.credential(ADMIN), SUB_A1, other.armOptions());
        const list = await collect(client.managedHsms.listBySubscription());
        assert.deepEqual(list.map((h) => h.name), ['contoso-hsm']);
        assert.equal(list[0].type, 'Microsoft.KeyVault/managedHSMs');
        assert.equal(list[0].id, `/subscriptions/${SUB_A1}/resourceGroups/rg-hsm/providers/Microsoft.KeyVault/managedHSMs/contoso-hsm`);
        const one = await client.managedHsms.get('rg-hsm', 'contoso-hsm');
        assert.equal(one.properties?.tenantId, TENANT_A);
        assert.deepEqual(one.tags, { env: 'dev' });
        const sub2 = new KeyVaultManagementClient(other.credential(ADMIN), SUB_A2, other.armOptions());
        assert.deepEqual(await collect(sub2.managedHsms.listBySubscription()), []);
        const reader = new KeyVaultManagementClient(other.credential(READER), SUB_A2, other.armOptions());
        assert.deepEqual(await collect(reader.managedHsms.listBySubscription()), []);
      } finally {
        await other.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('authority paths and discovery documents', () => {
    const discovery = async (tenant: string, v2 = true) => {
      const res = await emu.request(`${emu.origin}/${tenant}${v2 ? '/v2.0' : ''}/.well-known/openid-configuration`);
      assert.equal(res.status, 200, `${tenant}: ${res.text.slice(0, 200)}`);
      return res.json() as Json;
    };

    it('/common and /organizations: Entra\'s multi-tenant document (issuer with {tenantid}, endpoints under the alias)', async () => {
      for (const alias of ['common', 'organizations']) {
        const doc = await discovery(alias);
        assert.equal(doc.issuer, `${emu.origin}/{tenantid}/v2.0`);
        assert.equal(doc.token_endpoint, `${emu.origin}/${alias}/oauth2/v2.0/token`);
        for (const k of ['authorization_endpoint', 'jwks_uri']) assert.equal(typeof doc[k], 'string', k);
      }
    });

    it('/adfs: the AD FS document MSAL reads (no v2.0), token endpoint /adfs/oauth2/token, a JWKS', async () => {
      const doc = await discovery('adfs', false);
      assert.equal(doc.issuer, `${emu.origin}/adfs`);
      assert.equal(doc.token_endpoint, `${emu.origin}/adfs/oauth2/token`);
      const keys = await emu.request(doc.jwks_uri as string);
      assert.equal(keys.status, 200);
      assert.ok((keys.json() as { keys: unknown[] }).keys.length > 0);
    });

    it('a tenant\'s domain works like its id; an unknown tenant is AADSTS90002', async () => {
      const ready = emu.ready as unknown as { tenants: { id: string; defaultDomain: string }[] };
      const domain = ready.tenants.find((t) => t.id === TENANT_A)!.defaultDomain;
      const doc = await discovery(domain);
      assert.equal(doc.token_endpoint, `${emu.origin}/${domain}/oauth2/v2.0/token`);
      const bad = await emu.request(`${emu.origin}/nosuch.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
      assert.equal(bad.status, 400);
      assert.match(bad.text, /AADSTS90002/);
    });

    for (const combo of COMBOS.filter((c) => c.serviceVersion === undefined)) {
      it(`${combo.title}: ClientSecretCredential with tenant "adfs" (no instance discovery flag) and with the tenant's domain reads a secret`, async () => {
        const p = emu.principal(ADMIN);
        const ready = emu.ready as unknown as { tenants: { id: string; defaultDomain: string }[] };
        const domain = ready.tenants.find((t) => t.id === TENANT_A)!.defaultDomain;
        const transport = { additionalPolicies: [{ policy: emu.policy, position: 'perCall' as const }] };
        const adfs = new ClientSecretCredential('adfs', p.clientId, p.clientSecret, { authorityHost: emu.ready.authorityHost, ...transport });
        const byDomain = new ClientSecretCredential(domain, p.clientId, p.clientSecret, {
          authorityHost: emu.ready.authorityHost, disableInstanceDiscovery: true, additionallyAllowedTenants: [TENANT_A], ...transport,
        });
        for (const credential of [adfs, byDomain]) {
          const got = await emu.secretClient(combo, VAULT_MAIN, { credential }).getSecret(SEED_TAGGED);
          assert.equal(got.value, 'tagged-value');
        }
      });
    }
  });

  describe('api-version on the data plane', () => {
    let token: string;
    before(async () => {
      token = await emu.vaultToken(VAULT_MAIN);
    });
    const get = (query: string) => emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets/${SEED_TAGGED}/${query}`, { token });

    it('missing or empty → 400 BadParameter; unknown → 400 BadParameter "The specified version (x) is not recognized…"', async () => {
      for (const q of ['', '?api-version=']) {
        const res = await get(q);
        assert.equal(res.status, 400, q);
        const e = (res.json() as { error: Json }).error;
        assert.equal(e.code, 'BadParameter');
        assert.match(String(e.message), /api-version/);
      }
      for (const v of ['7.7', '2024-01-01', 'latest', '7.5 ']) {
        const res = await get(`?api-version=${encodeURIComponent(v)}`);
        assert.equal(res.status, 400, v);
        const e = (res.json() as { error: Json }).error;
        assert.equal(e.code, 'BadParameter');
        assert.equal(e.message, `The specified version (${v}) is not recognized. Consider using the latest supported version (2026-04-01).`);
      }
    });

    it('a request without api-version and without a token still gets the 401 challenge first', async () => {
      const res = await emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets`);
      assert.equal(res.status, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer /);
    });

    it('every api-version the service knows for secrets is accepted (2015-06-01, 2016-10-01, 7.0 … 7.6, 2025-07-01, 2026-04-01 and previews)', async () => {
      for (const v of [...DATA_PLANE_STABLE, ...DATA_PLANE_PREVIEW]) {
        const res = await get(`?api-version=${v}`);
        assert.equal(res.status, 200, `${v}: ${res.text.slice(0, 200)}`);
      }
    });
  });

  describe('api-version on ARM', () => {
    let armToken: string;
    before(async () => {
      armToken = (await emu.credential(ADMIN).getToken(`${emu.ready.armEndpoint}/.default`))!.token;
    });
    const arm = (pathAndQuery: string) => emu.request(`${emu.ready.armEndpoint}${pathAndQuery}`, { token: armToken });
    const vaultsPath = `/subscriptions/${SUB_A1}/providers/Microsoft.KeyVault/vaults`;

    it('missing → 400 MissingApiVersionParameter with ARM\'s message', async () => {
      for (const p of ['/subscriptions', vaultsPath, `/subscriptions/${SUB_A1}/providers/Microsoft.KeyVault/managedHSMs`]) {
        const res = await arm(p);
        assert.equal(res.status, 400, p);
        assert.deepEqual((res.json() as { error: Json }).error,
          { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' });
      }
    });

    it('unknown on ARM\'s own resources → InvalidApiVersionParameter; on Microsoft.KeyVault types → NoRegisteredProviderFound', async () => {
      const own = await arm('/subscriptions?api-version=2099-01-01');
      assert.equal(own.status, 400);
      const e1 = (own.json() as { error: Json }).error;
      assert.equal(e1.code, 'InvalidApiVersionParameter');
      assert.match(String(e1.message), /^The api-version '2099-01-01' is invalid\. The supported versions are '.*2022-12-01.*'\.$/);
      const rp = await arm(`${vaultsPath}?api-version=7.6`);
      assert.equal(rp.status, 400);
      const e2 = (rp.json() as { error: Json }).error;
      assert.equal(e2.code, 'NoRegisteredProviderFound');
      assert.match(String(e2.message), /API version '7\.6' for type 'vaults'.*2026-02-01/);
    });

    it('the versions the extension\'s ARM clients send are accepted (arm-keyvault 2026-02-01, /resources 2015-11-01, subscriptions 2022-12-01, Resource Graph 2024-04-01)', async () => {
      for (const p of [`${vaultsPath}?api-version=2026-02-01`, `/subscriptions/${SUB_A1}/resources?api-version=2015-11-01`,
        '/subscriptions?api-version=2022-12-01', '/tenants?api-version=2022-12-01', `${vaultsPath}?api-version=2023-07-01`]) {
        const res = await arm(p);
        assert.equal(res.status, 200, `${p}: ${res.text.slice(0, 200)}`);
      }
      const graph = await emu.request(`${emu.ready.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
        method: 'POST', token: armToken, json: { subscriptions: [SUB_A1], query: 'resources | limit 1' },
      });
      assert.equal(graph.status, 200, graph.text.slice(0, 200));
      const badGraph = await emu.request(`${emu.ready.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2026-02-01`, {
        method: 'POST', token: armToken, json: { subscriptions: [SUB_A1], query: 'resources | limit 1' },
      });
      assert.equal((badGraph.json() as { error: Json }).error.code, 'NoRegisteredProviderFound');
    });
  });
});
