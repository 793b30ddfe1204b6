import * as assert from 'node:assert/strict';
import { findReferences } from '../../src/references/index';
import type { SecretReference } from '../../src/references/model';

type Seen = Omit<SecretReference, 'start' | 'end' | 'kind'> & { slice: string };

function appService(text: string, languageId: string, fileName: string): Seen[] {
  return findReferences(text, languageId, fileName).filter((r) => r.kind === 'appService')
    .map(({ start, end, kind: _kind, ...rest }) => ({ ...rest, slice: text.slice(start, end) }));
}

const REF_A = '@Microsoft.KeyVault(SecretUri=https://MyVault.vault.azure.net/secrets/db-password/)';
const REF_B = '@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/api-key/ec96f02080254f109c51a1f14cdb1931)';
const REF_C = '@Microsoft.KeyVault(VaultName=myvault;SecretName=conn;SecretVersion=abc)';
const VAULT = 'https://myvault.vault.azure.net/';

describe('references/appService', () => {
  it('local.settings.json (any language id): SecretUri with and without version, VaultName form; range is the reference', () => {
    const text = `{\n  "IsEncrypted": false,\n  "Values": {\n    "A": "${REF_A}",\n    "B": "${REF_B}",\n    "C": "${REF_C}"\n  }\n}`;
    assert.deepEqual(appService(text, 'plaintext', '/fn/local.settings.json'), [
      { secretName: 'db-password', vaultUrl: VAULT, slice: REF_A },
      { secretName: 'api-key', version: 'ec96f02080254f109c51a1f14cdb1931', vaultUrl: VAULT, slice: REF_B },
      { secretName: 'conn', version: 'abc', vaultName: 'myvault', slice: REF_C },
    ]);
  });

  it('appsettings.Development.json with comments: commented references are skipped', () => {
    const text = `{\n  // "Old": "${REF_B}",\n  /* "Older": "${REF_C}", */\n  "Db": "${REF_A}"\n}`;
    assert.deepEqual(appService(text, 'jsonc', 'C:\\app\\appsettings.Development.json').map((r) => r.slice), [REF_A]);
    assert.deepEqual(appService(text, 'json', '/arm/azuredeploy.json').map((r) => r.slice), [REF_A]);
  });

  it('Bicep: literal references, and interpolated vaults (the secret name is still known)', () => {
    const text = [
      `var a = '${REF_A}'`,
      "var b = '@Microsoft.KeyVault(VaultName=${kv.name};SecretName=bicep-b)'",
      "var c = '@Microsoft.KeyVault(SecretUri=${kv.properties.vaultUri}secrets/bicep-c/)'",
      "var d = '@Microsoft.KeyVault(VaultName=v;SecretName=${name})'",
      `// var e = '${REF_B}'`,
    ].join('\n');
    assert.deepEqual(appService(text, 'bicep', 'main.bicep'), [
      { secretName: 'db-password', vaultUrl: VAULT, slice: REF_A },
      { secretName: 'bicep-b', slice: '@Microsoft.KeyVault(VaultName=${kv.name};SecretName=bicep-b)' },
      { secretName: 'bicep-c', slice: '@Microsoft.KeyVault(SecretUri=${kv.properties.vaultUri}secrets/bicep-c/)' },
    ]);
  });

  it('YAML: quoted and plain values; comments skipped; block scalars read', () => {
    const text = [
      `a: "${REF_A}"`,
      `# b: "${REF_B}"`,
      `c: '${REF_C}' # ${REF_B}`,
      'd: |',
      `  ${REF_B}`,
    ].join('\n');
    assert.deepEqual(appService(text, 'yaml', 'app.yaml').map((r) => r.slice), [REF_A, REF_C, REF_B]);
  });

  it('.env files by name, whatever the language id: quoted, unquoted, export; comments skipped', () => {
    const text = [`# A=${REF_A}`, `A=${REF_A} # note`, `export B="${REF_B}"`, `C='${REF_C}'`].join('\n');
    for (const [lang, file] of [['plaintext', '/p/.env'], ['properties', '/p/.env.production'], ['shellscript', '/p/prod.env']]) {
      assert.deepEqual(appService(text, lang!, file!).map((r) => r.slice), [REF_A, REF_B, REF_C], file);
    }
  });

  it('references in code strings count; in comments and docstrings they do not', () => {
    const py = `"""${REF_B}"""\nsettings = {"A": "${REF_A}"}  # "${REF_C}"\n`;
    assert.deepEqual(appService(py, 'python', 'infra.py').map((r) => r.slice), [REF_A]);
    const ts = `// ${REF_B}\nconst s = { A: '${REF_A}', B: \`@Microsoft.KeyVault(VaultName=\${kv};SecretName=ts-b)\` };`;
    assert.deepEqual(appService(ts, 'typescript', 'infra.ts').map((r) => [r.secretName, r.vaultName]), [['db-password', undefined], ['ts-b', undefined]]);
    const xml = `<!-- <add key="x" value="${REF_B}"/> -->\n<add key="y" value="${REF_C}"/>`;
    assert.deepEqual(appService(xml, 'xml', 'web.config').map((r) => r.slice), [REF_C]);
  });

  it('malformed references and invalid names are not references', () => {
    const text = [
      '"@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/bad_name/)"',
      '"@Microsoft.KeyVault(SecretUri=http://v.vault.azure.net/secrets/http/)"',
      '"@Microsoft.KeyVault(VaultName=v)"',
      '"@Microsoft.KeyVault(VaultName=v;SecretName=a;Other=b)"',
      '"@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/keys/k/)"',
      '"@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/unclosed/"',
    ].join(',\n');
    assert.deepEqual(appService(`[${text}]`, 'json', 'x.json'), []);
  });

  it('case-insensitive prefix and several references in one value', () => {
    const text = `"@microsoft.keyvault(VaultName=v1;SecretName=one) and ${REF_A}"`;
    assert.deepEqual(appService(text, 'json', 'x.json').map((r) => [r.secretName, r.slice.slice(0, 10)]),
      [['one', '@microsoft'], ['db-password', '@Microsoft']]);
  });
});
