// The credential chain and guard against the emulator, with the real @azure/identity credentials: the
// environment-credential path, fall-through to a working member, the challenge's tenant and scope reaching the
// VS Code member, and the guard refusing foreign hosts.
import * as assert from 'node:assert/strict';
import type { AccessToken } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import type { Emulator } from '../support/emulator';
import { createChainCredential, type SessionTokenProvider } from '../../../src/auth/chain';
import { createEmulatorCredential, emulatorCloud, emulatorCustomEnvironment } from '../../../src/auth/emulatorCredential';
import { credentialForVault } from '../../../src/auth/guard';
import { AzureCloud, customCloud } from '../../../src/azure/clouds';
import { KeyVaultError } from '../../../src/azure/errors';
import { localEmulatorPolicy } from '../../../src/azure/localTransport';
import type { VaultRef } from '../../../src/azure/model';
import { createSecretsService } from '../../../src/azure/secretsService';
import { ADMIN, readyInfo, startServicesEmulator, TENANT_A, TENANT_B } from './support';

const ENV_KEYS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST', 'AZURE_ADDITIONALLY_ALLOWED_TENANTS'];

/** Stands in for the VS Code account: tokens from the emulator's token endpoint, recording what was asked. */
class EmulatorSessions implements SessionTokenProvider {
  readonly asked: { scopes: string[]; tenantId?: string }[] = [];
  constructor(private readonly emu: Emulator) {}
  async getToken(scopes: string[], tenantId?: string): Promise<AccessToken | null> {
    this.asked.push({ scopes, tenantId });
    const info = readyInfo(this.emu);
    const admin = info.principals.find((p) => p.clientId === ADMIN)!;
    const cred = new ClientSecretCredential(tenantId ?? info.tenantId, admin.clientId, admin.clientSecret, {
      authorityHost: info.authorityHost, disableInstanceDiscovery: true,
      additionalPolicies: [{ policy: localEmulatorPolicy(this.emu.caPem), position: 'perCall' }],
    });
    return cred.getToken(scopes);
  }
}

describe('services: credential chain and guard against the emulator', function () {
  let emu: Emulator;
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    for (const k of ENV_KEYS) { saved[k] = process.env[k]; delete process.env[k]; }
    emu = await startServicesEmulator();
  });
  after(async function () {
    for (const k of ENV_KEYS) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
    await emu?.stop();
  });
  afterEach(() => { for (const k of ENV_KEYS) delete process.env[k]; });

  function setEnvPrincipal(): void {
    const info = readyInfo(emu);
    const admin = info.principals.find((p) => p.clientId === ADMIN)!;
    process.env.AZURE_TENANT_ID = TENANT_A;
    process.env.AZURE_CLIENT_ID = admin.clientId;
    process.env.AZURE_CLIENT_SECRET = admin.clientSecret;
    process.env.AZURE_AUTHORITY_HOST = info.authorityHost;
  }

  /** A vault added by URL in a custom cloud whose endpoints are the emulator (the VS Code test path). */
  function urlVault(name: string): VaultRef {
    return { name, url: emu.vaultUrl(name), source: 'url' };
  }

  it('environment credential (AZURE_* + AZURE_AUTHORITY_HOST at the emulator, CA per client) reads a secret', async () => {
    setEnvPrincipal();
    const cloud = customCloud(emulatorCustomEnvironment(readyInfo(emu)));
    const chain = createChainCredential(['environment'], { cloud, ca: emu.caPem });
    const cred = credentialForVault(urlVault('svc-main'), { azureCredential: chain, cloud });
    const svc = createSecretsService(urlVault('svc-main'), cred, { ca: emu.caPem });
    assert.equal((await svc.getSecretValue('page-001')).value, 'paged-value-1');
    assert.equal(chain.lastSuccessful, 'environment');
  });

  it('falls through failing members (VS Code not signed in, CLIs absent) to a working one', async () => {
    setEnvPrincipal();
    const cloud = emulatorCloud(readyInfo(emu));
    const noSession: SessionTokenProvider = { getToken: async () => null };
    const chain = createChainCredential(['vscode', 'azureCli', 'azureDeveloperCli', 'environment'],
      { cloud, ca: emu.caPem, sessionProvider: noSession, processTimeoutInMs: 10_000 });
    const svc = createSecretsService(urlVault('svc-main'), chain, { ca: emu.caPem });
    const page = await svc.listSecrets({ maxPageSize: 2 });
    assert.equal(page.items.length, 2);
    assert.equal(chain.lastSuccessful, 'environment');
  });

  it('the VS Code member gets the scope and tenant of each vault\'s challenge', async () => {
    const sessions = new EmulatorSessions(emu);
    const cloud = emulatorCloud(readyInfo(emu));
    const chain = createChainCredential(['vscode'], { cloud, sessionProvider: sessions });
    await createSecretsService(urlVault('svc-main'), chain, { ca: emu.caPem }).getSecretValue('page-002');
    await createSecretsService(urlVault('svc-tenantb'), chain, { ca: emu.caPem }).getSecretValue('b-secret');
    const resource = `https://vault.localhost:${readyInfo(emu).port}/.default`;
    assert.deepEqual(sessions.asked.map((a) => a.tenantId), [TENANT_A, TENANT_B]);
    assert.ok(sessions.asked.every((a) => a.scopes.length === 1 && a.scopes[0] === resource), JSON.stringify(sessions.asked));
  });

  it('a chain with no working member raises one sign-in error listing each member', async () => {
    const chain = createChainCredential(['vscode', 'environment'], { cloud: emulatorCloud(readyInfo(emu)), sessionProvider: { getToken: async () => null } });
    const svc = createSecretsService(urlVault('svc-main'), chain, { ca: emu.caPem, retryOptions: { maxRetries: 0 } });
    await assert.rejects(svc.listSecrets(), (err: unknown) => {
      assert.ok(err instanceof KeyVaultError);
      assert.equal(err.kind, 'signIn');
      assert.match(err.message, /VS Code account: not signed in/);
      assert.match(err.message, /Environment/);
      return true;
    });
  });

  it('the guard refuses a foreign host and keeps the Azure credential away from emulator vaults', () => {
    const info = readyInfo(emu);
    const azure = createChainCredential(['environment'], { cloud: AzureCloud });
    const emulatorCredential = createEmulatorCredential(info, { ca: emu.caPem });
    assert.throws(() => credentialForVault({ url: 'https://evil.example.com/', source: 'url' }, { azureCredential: azure, cloud: AzureCloud }),
      /Refusing to send an Azure token to evil\.example\.com/);
    // The Azure public cloud's credential never goes to an emulator host…
    assert.throws(() => credentialForVault(urlVault('svc-main'), { azureCredential: azure, cloud: AzureCloud }), /Refusing/);
    // …emulator vaults get the emulator's own credential.
    assert.equal(credentialForVault({ ...urlVault('svc-main'), source: 'emulator' },
      { azureCredential: azure, emulatorCredential, cloud: AzureCloud }), emulatorCredential);
    // And the emulator credential never goes to an Azure host.
    assert.throws(() => credentialForVault({ url: 'https://kv.vault.azure.net/', source: 'emulator' },
      { azureCredential: azure, emulatorCredential, cloud: AzureCloud }), /Refusing/);
  });
});
