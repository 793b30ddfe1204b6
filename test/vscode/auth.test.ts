// Sign-in and discovery through the real path: VS Code's Microsoft authentication provider (the test host's
// provider, backed by the emulator's token endpoint) and a custom cloud whose endpoints are the emulator;
// then the environment-credential member; then a reader principal meeting RBAC.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { emulatorCustomEnvironment } from '../../src/auth/emulatorCredential';
import type { KeyVaultExtensionApi } from '../../src/extension';
import {
  adminRequest, adminStats, children, emulatorInfo, extensionApi, findNode, label, runExpectingError, runWith, waitFor,
  kind,
} from './support/harness';

const G = vscode.ConfigurationTarget.Global;

async function configureEmulatorCloud(members: string[]): Promise<void> {
  const info = emulatorInfo();
  await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('customEnvironment', emulatorCustomEnvironment(info), G);
  await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('environment', 'custom', G);
  await vscode.workspace.getConfiguration('keyVault').update('cloud.caCertificateFile', info.ca, G);
  await vscode.workspace.getConfiguration('keyVault').update('auth.credentialChain', members, G);
}

async function resetCloud(): Promise<void> {
  await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('environment', undefined, G);
  await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('customEnvironment', undefined, G);
  await vscode.workspace.getConfiguration('keyVault').update('cloud.caCertificateFile', undefined, G);
  await vscode.workspace.getConfiguration('keyVault').update('auth.credentialChain', undefined, G);
  await vscode.workspace.getConfiguration('keyVault').update('vaultUrls', undefined, G);
}

describe('sign-in: which VS Code authentication provider is asked', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  before(async () => { api = await extensionApi(); });
  after(async () => { await resetCloud(); api.tree.refresh(); });

  const asked = async () => (await vscode.commands.executeCommand<{ providerId: string; scopes: string[] }[]>('keyvaultTestAuth.requests'));

  it('the public cloud uses the `microsoft` provider with the ARM scope', async () => {
    await resetCloud();
    await asked();
    api.tree.refresh();
    await children(api);
    const requests = await asked();
    assert.ok(requests.length > 0, 'the silent sign-in probe asked a provider');
    assert.ok(requests.every((r) => r.providerId === 'microsoft'), JSON.stringify(requests));
    assert.ok(requests.some((r) => r.scopes.includes('https://management.azure.com/.default')), JSON.stringify(requests));
  });

  it('a sovereign or custom cloud uses `microsoft-sovereign-cloud` with that cloud\'s scope', async () => {
    await configureEmulatorCloud(['vscode']);
    await asked();
    api.tree.refresh();
    await children(api);
    const requests = await asked();
    assert.ok(requests.length > 0);
    assert.ok(requests.every((r) => r.providerId === 'microsoft-sovereign-cloud'), JSON.stringify(requests));
    assert.ok(requests.some((r) => r.scopes.includes(`https://localhost:${emulatorInfo().port}/.default`)), JSON.stringify(requests));
  });
});

describe('sign-in and discovery (custom cloud = the emulator)', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
    await configureEmulatorCloud(['vscode']);
  });

  after(async () => {
    await adminRequest('PUT', '/_admin/faults', { rules: [] });
    await resetCloud();
    api.tree.refresh();
  });

  it('signs in through the VS Code Microsoft authentication provider and shows the Azure root', async () => {
    await runWith(api, [], 'keyVault.signIn');
    const roots = await waitFor('the Azure root', async () => {
      api.tree.refresh();
      const r = (await children(api)).map(label);
      return r.includes('Azure') ? r : undefined;
    });
    assert.ok(roots.includes('Azure'));
    assert.strictEqual(api.tree.getTreeItem((await children(api)).find((r) => label(r) === 'Azure')!).description, 'LocalEmulator');
  });

  it('discovers vaults in subscriptions of two tenants with exactly one Resource Graph request', async () => {
    await adminRequest('POST', '/_admin/stats/reset');
    api.tree.refresh();
    const tenants = await children(api, await findNode(api, ['Azure']));
    assert.deepStrictEqual(tenants.map(label).sort(), ['Contoso Data', 'Fabrikam ML'], 'grouped by tenant');
    assert.ok(tenants.every((t) => kind(t) === 'tenant'));
    const found = new Map<string, string[]>();
    for (const t of tenants) {
      for (const sub of await children(api, t)) {
        assert.strictEqual(kind(sub), 'subscription');
        found.set(label(sub), (await children(api, sub)).filter((v) => kind(v) === 'vault').map(label));
      }
    }
    assert.deepStrictEqual(found.get('Data Platform (dev)'), ['app', 'big']);
    assert.deepStrictEqual(found.get('Data Platform (prod)'), ['locked']);
    assert.deepStrictEqual(found.get('ML Experiments'), ['team']);
    const stats = await adminStats();
    assert.strictEqual(stats.resourceGraph, 1, JSON.stringify(stats));
    assert.strictEqual(stats['vaults.listBySubscription'] ?? 0, 0);
    assert.strictEqual(api.hub.lastDiscoveryPath, 'resourceGraph');
  });

  it('falls back to vaults.listBySubscription when Resource Graph fails', async () => {
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'resourceGraph', status: 500 }] });
    try {
      await adminRequest('POST', '/_admin/stats/reset');
      api.tree.refresh();
      const dev = await findNode(api, ['Azure', 'Contoso Data', 'Data Platform (dev)']);
      assert.deepStrictEqual((await children(api, dev)).map(label), ['app', 'big']);
      const team = await findNode(api, ['Azure', 'Fabrikam ML', 'ML Experiments']);
      assert.deepStrictEqual((await children(api, team)).map(label), ['team']);
      assert.strictEqual(api.hub.lastDiscoveryPath, 'listBySubscription');
      const stats = await adminStats();
      assert.ok((stats['vaults.listBySubscription'] ?? 0) >= 3, JSON.stringify(stats));
    } finally {
      await adminRequest('PUT', '/_admin/faults', { rules: [] });
    }
  });

  it('a subscription whose vaults cannot be listed says why instead of looking empty', async () => {
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'resourceGraph', status: 500 },
      { operation: 'vaults.listBySubscription', status: 403 }] });
    try {
      api.tree.refresh();
      const sub = await findNode(api, ['Azure', 'Fabrikam ML', 'ML Experiments']);
      const rows = await children(api, sub);
      assert.strictEqual(rows.length, 1);
      assert.strictEqual(kind(rows[0]), 'message');
      assert.doesNotMatch(label(rows[0]), /No key vaults/);
      assert.match(label(rows[0]), /denied|role|permission|authori/i);
    } finally {
      await adminRequest('PUT', '/_admin/faults', { rules: [] });
      api.tree.refresh();
    }
  });

  it('reads a secret of a discovered vault with the VS Code account (challenge scope and tenant)', async () => {
    api.tree.refresh();
    const secret = await findNode(api, ['Azure', 'Fabrikam ML', 'ML Experiments', 'team', 'flyte-token']);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', secret);
    assert.strictEqual(editor.document.getText(), 'flyte-token-value');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('adds a vault by URL, lists it, and removes it', async () => {
    const team = emulatorInfo().vaults.find((v) => v.name === 'team')!;
    const url = await runWith<string>(api, [{ inputBox: team.url }], 'keyVault.addVaultByUrl');
    assert.strictEqual(url, team.url.toLowerCase());
    const node = await findNode(api, ['Vaults added by URL', 'team']);
    assert.ok((await children(api, node)).some((n) => label(n) === 'flyte-token'));
    await runWith(api, [], 'keyVault.removeVault', node);
    assert.ok(!(await children(api)).some((r) => label(r) === 'Vaults added by URL'));
  });

  it('refuses to add a vault outside the cloud\'s vault suffix (the token would leave the cloud)', async () => {
    const message = await runExpectingError(api, [{ inputBox: 'https://myvault.vault.azure.net/' }], 'keyVault.addVaultByUrl');
    assert.match(message, /not under \.vault\.localhost/);
  });
});

describe('sign-in through the environment credential', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  const saved: Record<string, string | undefined> = {};
  const vars = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'];

  before(async () => {
    api = await extensionApi();
    const info = emulatorInfo();
    for (const v of vars) saved[v] = process.env[v];
    process.env.AZURE_TENANT_ID = info.tenantId;
    process.env.AZURE_CLIENT_ID = info.principals[0].clientId;
    process.env.AZURE_CLIENT_SECRET = info.principals[0].clientSecret;
    process.env.AZURE_AUTHORITY_HOST = info.authorityHost;
    await configureEmulatorCloud(['environment']);
  });

  after(async () => {
    for (const v of vars) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    await resetCloud();
    api.tree.refresh();
  });

  it('lists subscriptions and reads a secret with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET', async () => {
    api.tree.refresh();
    const subs = await waitFor('subscriptions through the environment credential', async () => {
      api.tree.refresh();
      const roots = await children(api);
      if (!roots.some((r) => label(r) === 'Azure')) return undefined;
      return children(api, await findNode(api, ['Azure']));
    });
    assert.ok(subs.length >= 1);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret',
      await findNode(api, ['Azure', 'Contoso Data', 'Data Platform (dev)', 'app', 'api-key']));
    assert.strictEqual(editor.document.getText(), 'api-key-v3');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

describe('RBAC for a reader principal', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
  });

  after(() => {
    api.hub.setEmulator(emulatorInfo(), false);
  });

  it('lists secrets, but reading a value says which role is missing', async () => {
    const info = emulatorInfo();
    const reader = info.principals.find((p) => p.roles.some((r) => /Reader/.test(r)))
      ?? info.principals.find((p) => /reader/.test(p.clientSecret))!;
    api.hub.setEmulator({ ...info, principals: [reader] }, false);
    const app = await findNode(api, ['Local emulator', 'app']);
    const secrets = await children(api, app);
    assert.ok(secrets.some((s) => label(s) === 'api-key'), 'a reader can list metadata');
    const message = await runExpectingError(api, [], 'keyVault.revealSecret', secrets.find((s) => label(s) === 'api-key'));
    assert.match(message, /Key Vault Secrets User/);
    assert.match(message, /getSecret/i);
  });
});
