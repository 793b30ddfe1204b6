import * as assert from 'node:assert/strict';
import { AzureChinaCloud, AzureCloud } from '../../src/azure/clouds';
import {
  normalizeVaultUrl, parseSecretId, parseTags, parseVaultUrl, secretNamesEqual, SECRET_VALUE_MAX_BYTES,
  validateContentType, validateSecretName, validateSecretValue, validateTags, validateVaultName,
} from '../../src/azure/names';

describe('azure/names', () => {
  it('accepts valid secret names and names the offending character', () => {
    assert.equal(validateSecretName('db-Password-2'), undefined);
    assert.equal(validateSecretName('a'.repeat(127)), undefined);
    assert.match(validateSecretName('')!, /Enter a secret name/);
    assert.match(validateSecretName('my_secret')!, /"_" at position 3/);
    assert.match(validateSecretName('my secret')!, /a space at position 3/);
    assert.match(validateSecretName('a'.repeat(128))!, /at most 127 characters; this one has 128/);
    assert.match(validateSecretName('naïve')!, /"ï" at position 3/);
  });

  it('limits values to 25 KiB of UTF-8 and allows an empty value', () => {
    assert.equal(validateSecretValue(''), undefined);
    assert.equal(validateSecretValue('x'.repeat(SECRET_VALUE_MAX_BYTES)), undefined);
    assert.match(validateSecretValue('x'.repeat(SECRET_VALUE_MAX_BYTES + 1))!, /25\.0 KiB \(25601 bytes\).*at most 25\.0 KiB/);
    // 3 bytes each in UTF-8: fewer characters than the limit, but too many bytes.
    const euro = '€'.repeat(9000);
    assert.ok(euro.length < SECRET_VALUE_MAX_BYTES);
    assert.match(validateSecretValue(euro)!, /27000 bytes/);
  });

  it('checks content type and tags', () => {
    assert.equal(validateContentType('application/json'), undefined);
    assert.match(validateContentType('x'.repeat(256))!, /at most 255/);
    assert.equal(validateTags({ env: 'prod' }), undefined);
    const many = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
    assert.match(validateTags(many)!, /at most 15 tags; this one has 16/);
    assert.match(validateTags({ '': 'v' })!, /must not be empty/);
    assert.match(validateTags({ k: 'v'.repeat(513) })!, /value of tag "k" is longer than 512/);
    assert.deepEqual(parseTags('env=prod, team = core'), { env: 'prod', team: 'core' });
    assert.throws(() => parseTags('novalue'), /"novalue" is not name=value/);
  });

  it('validates vault names', () => {
    assert.equal(validateVaultName('my-vault-1'), undefined);
    assert.match(validateVaultName('ab')!, /3–24/);
    assert.match(validateVaultName('1vault')!, /start with a letter/);
    assert.match(validateVaultName('my--vault')!, /consecutive hyphens/);
    assert.match(validateVaultName('myvault-')!, /end with a letter or digit/);
    assert.match(validateVaultName('my_vault')!, /"_"/);
  });

  it('parses vault URLs, host names and bare names in the cloud suffix', () => {
    assert.deepEqual(parseVaultUrl('https://MyVault.vault.azure.net', AzureCloud), { name: 'myvault', url: 'https://myvault.vault.azure.net/' });
    assert.deepEqual(parseVaultUrl('myvault.vault.azure.net', AzureCloud), { name: 'myvault', url: 'https://myvault.vault.azure.net/' });
    assert.deepEqual(parseVaultUrl('myvault', AzureChinaCloud), { name: 'myvault', url: 'https://myvault.vault.azure.cn/' });
    assert.deepEqual(parseVaultUrl('https://kv1.vault.localhost:8443/secrets/x', { keyVaultDnsSuffix: 'vault.localhost:8443' }),
      { name: 'kv1', url: 'https://kv1.vault.localhost:8443/' });
    assert.throws(() => parseVaultUrl('http://myvault.vault.azure.net', AzureCloud), /must use https/);
    assert.throws(() => parseVaultUrl('my--vault', AzureCloud), /consecutive hyphens/);
    assert.throws(() => parseVaultUrl('https://myvault.vault.azure.net/foo', AzureCloud), /not a vault URL/);
    assert.throws(() => parseVaultUrl('', AzureCloud), /Enter a vault URL/);
  });

  it('parses secret ids with and without version', () => {
    assert.deepEqual(parseSecretId('https://kv.vault.azure.net/secrets/db-pass/0123456789abcdef0123456789abcdef'),
      { vaultUrl: 'https://kv.vault.azure.net/', name: 'db-pass', version: '0123456789abcdef0123456789abcdef' });
    assert.deepEqual(parseSecretId('https://kv.vault.azure.net/secrets/db-pass'),
      { vaultUrl: 'https://kv.vault.azure.net/', name: 'db-pass', version: undefined });
    assert.equal(parseSecretId('https://kv.vault.azure.net/deletedsecrets/old').name, 'old');
    assert.throws(() => parseSecretId('https://kv.vault.azure.net/keys/k'), /not a secret identifier/);
    assert.throws(() => parseSecretId('nonsense'), /not a secret identifier/);
  });

  it('compares names case-insensitively and normalises URLs', () => {
    assert.ok(secretNamesEqual('DB-Pass', 'db-pass'));
    assert.ok(!secretNamesEqual('db-pass', 'db-pass2'));
    assert.equal(normalizeVaultUrl('https://KV.Vault.Azure.NET/secrets/x?y=1'), 'https://kv.vault.azure.net/');
  });
});
