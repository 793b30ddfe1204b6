import * as assert from 'node:assert/strict';
import type { AccessToken } from '@azure/core-auth';
import { AzureCloud, customCloud } from '../../src/azure/clouds';
import { classifyError } from '../../src/azure/errors';
import { ChainCredentialError, createChainCredential, type SessionTokenProvider } from '../../src/auth/chain';
import { credentialForVault } from '../../src/auth/guard';

const ENV_KEYS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_USERNAME', 'AZURE_PASSWORD', 'AZURE_AUTHORITY_HOST'];

class RecordingSessions implements SessionTokenProvider {
  calls: { scopes: string[]; tenantId?: string }[] = [];
  constructor(private readonly token: AccessToken | null) {}
  async getToken(scopes: string[], tenantId?: string): Promise<AccessToken | null> {
    this.calls.push({ scopes, tenantId });
    return this.token;
  }
}

describe('auth/chain', () => {
  const saved: Record<string, string | undefined> = {};
  before(() => { for (const k of ENV_KEYS) { saved[k] = process.env[k]; delete process.env[k]; } });
  after(() => { for (const k of ENV_KEYS) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; } });

  it('falls through a failing member and remembers the one that worked', async () => {
    const sessions = new RecordingSessions({ token: 'tok-1', expiresOnTimestamp: Date.now() + 3600_000 });
    const chain = createChainCredential(['environment', 'vscode'], { cloud: AzureCloud, sessionProvider: sessions });
    const t = await chain.getToken('https://vault.azure.net/.default', { tenantId: 'tenant-from-challenge' });
    assert.equal(t?.token, 'tok-1');
    assert.equal(chain.lastSuccessful, 'vscode');
    // The challenge's tenant and scope reach the VS Code member.
    assert.deepEqual(sessions.calls[0], { scopes: ['https://vault.azure.net/.default'], tenantId: 'tenant-from-challenge' });
    await chain.getToken(['https://management.azure.com/.default']);
    assert.equal(sessions.calls.length, 2);
    assert.equal(sessions.calls[1]!.tenantId, undefined);
  });

  it('raises one error listing why each member failed, without tokens', async () => {
    const chain = createChainCredential(['vscode', 'environment'], { cloud: AzureCloud, sessionProvider: new RecordingSessions(null) });
    await assert.rejects(chain.getToken('https://vault.azure.net/.default'), (err: unknown) => {
      assert.ok(err instanceof ChainCredentialError);
      assert.deepEqual(err.failures.map((f) => f.member), ['vscode', 'environment']);
      assert.match(err.message, /VS Code account: not signed in/);
      assert.match(err.message, /Environment \(service principal\): EnvironmentCredential is unavailable.*AZURE_CLIENT_SECRET/);
      assert.equal(classifyError(err).kind, 'signIn');
      return true;
    });
    assert.equal(chain.lastSuccessful, undefined);
  });

  it('an empty chain says so; unknown members are ignored', async () => {
    const chain = createChainCredential(['nope' as never], { cloud: AzureCloud });
    assert.deepEqual(chain.members, []);
    await assert.rejects(chain.getToken('x/.default'), /No sign-in method is configured/);
  });
});

describe('auth/guard credentialForVault', () => {
  const azure = { getToken: async () => ({ token: 'azure', expiresOnTimestamp: 0 }) };
  const emulator = { getToken: async () => ({ token: 'emu', expiresOnTimestamp: 0 }) };

  it('gives the Azure credential only to vaults under the cloud suffix', () => {
    assert.equal(credentialForVault({ url: 'https://kv.vault.azure.net/', source: 'url' }, { azureCredential: azure, emulatorCredential: emulator, cloud: AzureCloud }), azure);
    assert.throws(() => credentialForVault({ url: 'https://kv.evil.example/', source: 'url' }, { azureCredential: azure, cloud: AzureCloud }),
      (e: Error) => e.name === 'TokenHostNotAllowedError' && /kv\.evil\.example/.test(e.message) && /\.vault\.azure\.net/.test(e.message));
    assert.throws(() => credentialForVault({ url: 'https://kv1.vault.localhost:8443/', source: 'url' }, { azureCredential: azure, cloud: AzureCloud }),
      /Refusing to send an Azure token/);
  });

  it('gives emulator vaults only the emulator credential', () => {
    assert.equal(credentialForVault({ url: 'https://kv1.vault.localhost:8443/', source: 'emulator' },
      { azureCredential: azure, emulatorCredential: emulator, cloud: AzureCloud, emulatorHosts: ['*.vault.localhost:8443'] }), emulator);
    assert.throws(() => credentialForVault({ url: 'https://kv.vault.azure.net/', source: 'emulator' },
      { azureCredential: azure, emulatorCredential: emulator, cloud: AzureCloud, emulatorHosts: ['*.vault.localhost:8443'] }), /Refusing/);
    assert.throws(() => credentialForVault({ url: 'https://kv1.vault.localhost:8443/', source: 'emulator' }, { azureCredential: azure, cloud: AzureCloud }),
      /not running/);
  });

  it('a custom cloud pointing at the emulator lets the Azure chain reach emulator vault hosts', () => {
    const cloud = customCloud({ resourceManagerEndpointUrl: 'https://localhost:8443', activeDirectoryEndpointUrl: 'https://localhost:8443',
      keyVaultDnsSuffix: '.vault.localhost:8443' });
    assert.equal(credentialForVault({ url: 'https://kv1.vault.localhost:8443/', source: 'url' }, { azureCredential: azure, cloud }), azure);
  });
});
