import * as assert from 'node:assert/strict';
import { findReferences } from '../../src/references/index';
import type { SecretReference } from '../../src/references/model';

type Seen = Omit<SecretReference, 'start' | 'end' | 'kind'> & { slice: string };

function flyte(text: string): Seen[] {
  return findReferences(text, 'python', '/wf/tasks.py').filter((r) => r.kind === 'flyte')
    .map(({ start, end, kind: _kind, ...rest }) => ({ ...rest, slice: text.slice(start, end) }));
}

const URI = 'https://MyVault.vault.azure.net/secrets/db-password';
const VAULT = 'https://myvault.vault.azure.net/';

describe('references/flyte', () => {
  it('Secret(group=<secret URI>, group_version=…): name, version and vault; the range is the URI', () => {
    const text = `@task(secret_requests=[Secret(group="${URI}", group_version="abc123", mount_requirement=Secret.MountType.FILE)])\ndef t(): ...`;
    assert.deepEqual(flyte(text), [{ secretName: 'db-password', version: 'abc123', vaultUrl: VAULT, slice: URI }]);
  });

  it('positional group and version, a trailing slash, no version, flytekit.Secret', () => {
    const text = [
      `a = Secret("${URI}/", None, "v2")`,
      'b = flytekit.Secret(group="https://other.vault.azure.net:8443/secrets/api-key")',
    ].join('\n');
    assert.deepEqual(flyte(text), [
      { secretName: 'db-password', version: 'v2', vaultUrl: VAULT, slice: `${URI}/` },
      { secretName: 'api-key', vaultUrl: 'https://other.vault.azure.net:8443/', slice: 'https://other.vault.azure.net:8443/secrets/api-key' },
    ]);
  });

  it('a group that is not a versionless Key Vault secret URI is not a reference', () => {
    const text = [
      'Secret(group="db-creds", key="password")',
      `Secret(group="${URI}/0123456789abcdef")`,
      'Secret(group="https://v.vault.azure.net/keys/k")',
      'Secret(group="https://v.vault.azure.net/secrets/bad_name")',
      'Secret(group="http://v.vault.azure.net/secrets/plain-http")',
      'Secret(group=f"https://{vault}.vault.azure.net/secrets/db")',
      'Secret(group="https://v.vault.azure.net/secrets/" + name)',
      '# Secret(group="https://v.vault.azure.net/secrets/commented")',
    ].join('\n');
    assert.deepEqual(flyte(text), []);
  });

  it('current_context().secrets.get(name) is a reference when the file requests that name', () => {
    const text = [
      `@task(secret_requests=[Secret(group="${URI}")])`,
      'def t():',
      '    pw = current_context().secrets.get("db-password")',
      '    ctx = current_context()',
      '    again = ctx.secrets.get(group="DB-Password")',
    ].join('\n');
    const refs = flyte(text);
    assert.deepEqual(refs.slice(1), [
      { secretName: 'db-password', vaultUrl: VAULT, slice: 'db-password' },
      { secretName: 'DB-Password', vaultUrl: VAULT, slice: 'DB-Password' },
    ]);
  });

  it('the read must ask for the requested version (the webhook writes <name>/<version>)', () => {
    const text = [
      `Secret(group="${URI}", group_version="v1")`,
      'current_context().secrets.get("db-password", group_version="v1")',
      'current_context().secrets.get("db-password")',
      'current_context().secrets.get("db-password", group_version="v9")',
      'current_context().secrets.get("db-password", None, "V1")',
    ].join('\n');
    assert.deepEqual(flyte(text).slice(1).map((r) => [r.slice, r.version]), [['db-password', 'v1'], ['db-password', 'V1']]);
  });

  it('reads of names the file does not request, with a key, or not literal, are not references', () => {
    const text = [
      `Secret(group="${URI}")`,
      'current_context().secrets.get("other-secret")',
      'current_context().secrets.get("db-password", "password")',
      'current_context().secrets.get(f"db-{x}")',
      'os.environ.get("db-password")',
      'cache.get("db-password")',
      '# current_context().secrets.get("db-password")',
    ].join('\n');
    assert.deepEqual(flyte(text).map((r) => r.slice), [URI]);
  });

  it('a name requested from two vaults reads without a vault', () => {
    const text = [
      'Secret(group="https://a.vault.azure.net/secrets/shared")',
      'Secret(group="https://b.vault.azure.net/secrets/shared")',
      'current_context().secrets.get("shared")',
    ].join('\n');
    assert.deepEqual(flyte(text)[2], { secretName: 'shared', slice: 'shared' });
  });
});
