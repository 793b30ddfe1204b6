// Token routing: a repository's .vscode/settings.json must not decide where the user's tokens, the environment
// member's client secret or trust go. The workspace points every such setting at a decoy HTTPS server on
// loopback (with a CA the workspace names); the decoy must never see an Authorization header or a client secret,
// and the extension keeps using the user's cloud.
import * as assert from 'assert';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { emulatorCustomEnvironment } from '../../../src/auth/emulatorCredential';
import { loadOrCreateKeys } from '../../../src/emulator/tls';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import { children, emulatorInfo, EXTENSION_ID, extensionApi, findNode, label, runWith, waitFor } from '../../vscode/support/harness';

const G = vscode.ConfigurationTarget.Global;

interface Seen { method?: string; url?: string; authorization: boolean; clientSecret: boolean }

/** An HTTPS server that records what reaches it (and answers 401 to everything). */
async function startDecoy(dir: string): Promise<{ port: number; caPath: string; seen: Seen[]; connections: () => number; close: () => Promise<void> }> {
  const keys = loadOrCreateKeys(dir);
  const seen: Seen[] = [];
  let connections = 0;
  const secret = emulatorInfo().principals[0].clientSecret;
  const server = https.createServer({ key: keys.serverKey, cert: keys.serverCert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization !== undefined,
        clientSecret: /client_secret|client_assertion/.test(body) || body.includes(secret) });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"decoy"}');
    });
  });
  server.on('secureConnection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { port, caPath: keys.caPath, seen, connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())) };
}

function workspaceFolder(): string {
  const f = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(f, 'the test workspace has a folder');
  return f;
}

describe('reliability: token routing (workspace settings cannot redirect tokens)', function () {
  this.timeout(120000);
  let api: KeyVaultExtensionApi;
  let decoy: Awaited<ReturnType<typeof startDecoy>>;
  const envVars = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'];
  const savedEnv: Record<string, string | undefined> = {};
  let tmp: string;

  before(async () => {
    api = await extensionApi();
    const info = emulatorInfo();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyvault-decoy-'));
    decoy = await startDecoy(tmp);
    // the user's own cloud: the emulator, signed in by the environment member (a client secret) and the VS Code account
    for (const v of envVars) savedEnv[v] = process.env[v];
    process.env.AZURE_TENANT_ID = info.tenantId;
    process.env.AZURE_CLIENT_ID = info.principals[0].clientId;
    process.env.AZURE_CLIENT_SECRET = info.principals[0].clientSecret;
    process.env.AZURE_AUTHORITY_HOST = info.authorityHost;
    await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('customEnvironment', emulatorCustomEnvironment(info), G);
    await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update('environment', 'custom', G);
    await vscode.workspace.getConfiguration('keyVault').update('cloud.caCertificateFile', info.ca, G);
    await vscode.workspace.getConfiguration('keyVault').update('auth.credentialChain', ['environment', 'vscode'], G);
    // the repository's settings: everything pointed at the decoy
    const d = `https://localhost:${decoy.port}/`;
    const settings = {
      'microsoft-sovereign-cloud.environment': 'custom',
      'microsoft-sovereign-cloud.customEnvironment': {
        name: 'Decoy', portalUrl: d, resourceManagerEndpointUrl: d, managementEndpointUrl: d, activeDirectoryEndpointUrl: d,
        activeDirectoryResourceId: d, keyVaultDnsSuffix: `.vault.localhost:${decoy.port}`,
      },
      'keyVault.cloud.caCertificateFile': decoy.caPath,
      'keyVault.vaultUrls': [`https://decoy.vault.localhost:${decoy.port}/`],
      'keyVault.auth.credentialChain': ['environment'],
      'keyVault.auth.tenants': ['00000000-0000-0000-0000-00000000dec0'],
      'keyVault.clipboard.clearAfterSeconds': 0,
    };
    fs.mkdirSync(path.join(workspaceFolder(), '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspaceFolder(), '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
    await waitFor('VS Code to read the workspace settings', () =>
      vscode.workspace.getConfiguration('microsoft-sovereign-cloud').inspect<unknown>('customEnvironment')?.workspaceValue !== undefined || undefined);
    api.tree.refresh();
  });

  after(async () => {
    fs.rmSync(path.join(workspaceFolder(), '.vscode'), { recursive: true, force: true });
    await waitFor('the workspace settings to go', () =>
      vscode.workspace.getConfiguration('microsoft-sovereign-cloud').inspect<unknown>('customEnvironment')?.workspaceValue === undefined || undefined);
    for (const v of envVars) {
      if (savedEnv[v] === undefined) delete process.env[v];
      else process.env[v] = savedEnv[v];
    }
    for (const k of ['environment', 'customEnvironment']) await vscode.workspace.getConfiguration('microsoft-sovereign-cloud').update(k, undefined, G);
    for (const k of ['cloud.caCertificateFile', 'auth.credentialChain']) await vscode.workspace.getConfiguration('keyVault').update(k, undefined, G);
    await decoy?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    api.tree.refresh();
  });

  it('keeps the user\'s cloud: ARM, authority and vault suffix are the emulator\'s, not the workspace\'s', () => {
    const cloud = api.hub.cloud();
    const info = emulatorInfo();
    assert.strictEqual(new URL(cloud.resourceManagerEndpoint).host, new URL(info.armEndpoint).host);
    assert.strictEqual(new URL(cloud.authorityHost).host, new URL(info.authorityHost).host);
    assert.ok(!cloud.keyVaultDnsSuffix.includes(String(decoy.port)), cloud.keyVaultDnsSuffix);
  });

  it('ignores workspace values of the settings that decide credentials, vaults and trust', () => {
    const kv = vscode.workspace.getConfiguration('keyVault');
    assert.strictEqual(kv.get('cloud.caCertificateFile'), emulatorInfo().ca);
    assert.deepStrictEqual(kv.get('auth.credentialChain'), ['environment', 'vscode']);
    assert.deepStrictEqual(kv.get('vaultUrls'), []);
    assert.deepStrictEqual(kv.get('auth.tenants'), []);
    assert.strictEqual(kv.get('clipboard.clearAfterSeconds'), 30);
    assert.ok(!api.hub.urlVaults().some((v) => v.url.includes(String(decoy.port))));
  });

  it('signs in, discovers and reads through the user\'s cloud with the workspace pointing elsewhere', async () => {
    api.tree.refresh();
    const secret = await findNode(api, ['Azure', 'Fabrikam ML', 'ML Experiments', 'team', 'flyte-token']);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', secret);
    assert.strictEqual(editor.document.getText(), 'flyte-token-value');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const roots = (await children(api)).map(label);
    assert.ok(!roots.includes('Vaults added by URL'), `no workspace vault: ${roots.join(', ')}`);
  });

  it('the decoy never received a token or a client secret', async () => {
    // give anything in flight a moment, then look
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepStrictEqual(decoy.seen.filter((s) => s.authorization), [], 'no Authorization header reached the decoy');
    assert.deepStrictEqual(decoy.seen.filter((s) => s.clientSecret), [], 'no client secret reached the decoy');
    assert.strictEqual(decoy.connections(), 0, `the decoy got no TLS connection at all (requests: ${JSON.stringify(decoy.seen)})`);
  });
});

describe('reliability: settings scopes and capabilities in the manifest', () => {
  const pkg = () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'our extension');
    return ext.packageJSON as { capabilities?: Record<string, unknown>; contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
  };
  const decisive: [string, string[]][] = [
    ['keyVault.auth.credentialChain', ['application', 'machine']],
    ['keyVault.auth.tenants', ['application', 'machine']],
    ['keyVault.vaultUrls', ['application', 'machine']],
    ['keyVault.cloud.caCertificateFile', ['machine', 'application']],
    ['keyVault.emulator.seedFile', ['machine', 'application']],
    ['keyVault.emulator.port', ['machine', 'application']],
    ['keyVault.emulator.autoAttach', ['application', 'machine']],
    ['keyVault.clipboard.clearAfterSeconds', ['application', 'machine']],
  ];
  for (const [key, allowed] of decisive) {
    it(`${key} is read from user or machine settings only (scope ${allowed[0]})`, () => {
      const scope = pkg().contributes.configuration.properties[key]?.scope;
      assert.ok(scope && allowed.includes(scope), `${key}: scope ${scope}`);
    });
  }

  it('every setting declares a scope', () => {
    const props = pkg().contributes.configuration.properties;
    assert.deepStrictEqual(Object.keys(props).filter((k) => !props[k].scope), []);
  });

  it('declares limited support for untrusted workspaces (Airflow workspace files) and support for virtual workspaces', () => {
    const caps = pkg().capabilities as { untrustedWorkspaces?: { supported: unknown; restrictedConfigurations?: string[] }; virtualWorkspaces?: unknown };
    assert.strictEqual(caps?.untrustedWorkspaces?.supported, 'limited');
    assert.deepStrictEqual(caps.untrustedWorkspaces.restrictedConfigurations, ['keyVault.airflow.backendKwargs']);
    assert.deepStrictEqual(caps.virtualWorkspaces, { supported: true });
  });

  it('reads Airflow configuration files only in a trusted workspace (this test host trusts its workspace)', async () => {
    const api = await extensionApi();
    assert.strictEqual(vscode.workspace.isTrusted, true);
    const env = path.join(workspaceFolder(), 'trusted.env');
    fs.writeFileSync(env, 'AIRFLOW__SECRETS__BACKEND_KWARGS={"connections_prefix": "trusted-prefix"}\n');
    try {
      api.hub.integrations.airflow.invalidate();
      const sources = await api.hub.integrations.airflow.workspaceSources();
      assert.ok(sources.some((s) => s.config?.connectionsPrefix === 'trusted-prefix'), JSON.stringify(sources));
    } finally {
      fs.rmSync(env, { force: true });
      api.hub.integrations.airflow.invalidate();
    }
  });
});
