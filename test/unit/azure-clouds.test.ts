import * as assert from 'node:assert/strict';
import {
  AzureChinaCloud, AzureCloud, AzureUSGovernment, cloudFromSetting, customCloud, isMicrosoftAuthority, isTokenAllowedForHost,
} from '../../src/azure/clouds';

describe('azure/clouds', () => {
  it('has the built-in clouds with their vault suffixes and scopes', () => {
    assert.equal(AzureCloud.keyVaultDnsSuffix, 'vault.azure.net');
    assert.equal(AzureCloud.keyVaultResource, 'https://vault.azure.net');
    assert.equal(AzureCloud.managementScope, 'https://management.azure.com/.default');
    assert.equal(AzureChinaCloud.keyVaultDnsSuffix, 'vault.azure.cn');
    assert.equal(AzureChinaCloud.authorityHost, 'https://login.chinacloudapi.cn/');
    assert.equal(AzureUSGovernment.keyVaultDnsSuffix, 'vault.usgovcloudapi.net');
    assert.equal(AzureUSGovernment.resourceManagerEndpoint, 'https://management.usgovcloudapi.net/');
    assert.equal(cloudFromSetting(undefined), AzureCloud);
    assert.equal(cloudFromSetting('ChinaCloud'), AzureChinaCloud);
    assert.equal(cloudFromSetting('USGovernment'), AzureUSGovernment);
    assert.throws(() => cloudFromSetting('Mars'), /Unknown cloud "Mars"/);
  });

  it('reads the microsoft-sovereign-cloud.customEnvironment shape', () => {
    const c = customCloud({
      name: 'Contoso', portalUrl: 'https://portal.contoso', resourceManagerEndpointUrl: 'https://arm.contoso',
      activeDirectoryEndpointUrl: 'https://login.contoso', keyVaultDnsSuffix: '.vault.contoso',
      activeDirectoryResourceId: 'https://arm.contoso/',
    });
    assert.deepEqual(c, {
      name: 'Contoso', resourceManagerEndpoint: 'https://arm.contoso/', authorityHost: 'https://login.contoso/',
      keyVaultDnsSuffix: 'vault.contoso', managementScope: 'https://arm.contoso/.default',
      keyVaultResource: 'https://vault.contoso', portalUrl: 'https://portal.contoso',
    });
    assert.equal(cloudFromSetting('custom', { managementEndpointUrl: 'https://m.x', activeDirectoryEndpointUrl: 'https://l.x',
      keyVaultDnsSuffix: 'vault.localhost:8443' }).keyVaultResource, 'https://vault.localhost:8443');
    assert.throws(() => customCloud({ name: 'x' }), /lacks resourceManagerEndpointUrl, activeDirectoryEndpointUrl, keyVaultDnsSuffix/);
    assert.throws(() => customCloud(undefined), /not configured/);
    assert.throws(() => customCloud({ resourceManagerEndpointUrl: 'http://arm', activeDirectoryEndpointUrl: 'https://l',
      keyVaultDnsSuffix: 'v.x' }), /must use https/);
  });

  it('lets Key Vault tokens go only to one-label hosts under the vault suffix over https', () => {
    assert.ok(isTokenAllowedForHost('https://myvault.vault.azure.net/', AzureCloud));
    assert.ok(isTokenAllowedForHost('https://MyVault.vault.azure.net:443/secrets/x', AzureCloud));
    assert.ok(!isTokenAllowedForHost('http://myvault.vault.azure.net/', AzureCloud));
    assert.ok(!isTokenAllowedForHost('https://vault.azure.net/', AzureCloud));
    assert.ok(!isTokenAllowedForHost('https://myvault.vault.azure.net.evil.com/', AzureCloud));
    assert.ok(!isTokenAllowedForHost('https://evilvault.azure.net/', AzureCloud));
    assert.ok(!isTokenAllowedForHost('https://a.b.vault.azure.net/', AzureCloud));
    assert.ok(!isTokenAllowedForHost('https://myvault.vault.azure.cn/', AzureCloud));
    assert.ok(isTokenAllowedForHost('https://myvault.vault.azure.cn/', AzureChinaCloud));
    assert.ok(!isTokenAllowedForHost('not a url', AzureCloud));
    const local = customCloud({ resourceManagerEndpointUrl: 'https://localhost:8443', activeDirectoryEndpointUrl: 'https://localhost:8443',
      keyVaultDnsSuffix: '.vault.localhost:8443' });
    assert.ok(isTokenAllowedForHost('https://kv1.vault.localhost:8443/', local));
    assert.ok(!isTokenAllowedForHost('https://kv1.vault.localhost:9999/', local));
    assert.ok(isTokenAllowedForHost('https://kv1.vault.localhost:9999/', AzureCloud, ['*.vault.localhost:9999']));
  });

  it('lets ARM tokens go only to the ARM endpoint', () => {
    assert.ok(isTokenAllowedForHost('https://management.azure.com/subscriptions', AzureCloud, [], 'arm'));
    assert.ok(!isTokenAllowedForHost('https://myvault.vault.azure.net/', AzureCloud, [], 'arm'));
    assert.ok(!isTokenAllowedForHost('https://management.azure.com.evil/', AzureCloud, [], 'arm'));
  });

  it('knows which authorities are Microsoft public ones (instance discovery)', () => {
    assert.ok(isMicrosoftAuthority('https://login.microsoftonline.com/'));
    assert.ok(!isMicrosoftAuthority('https://localhost:8443'));
  });
});
