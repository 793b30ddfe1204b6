import * as assert from 'node:assert/strict';
import { findReferences } from '../../src/references/index';

/** name@vault[#version] = slice, for every SDK reference; the slice comes from the reported range. */
function sdk(text: string, languageId: string, fileName = 'app'): string[] {
  return findReferences(text, languageId, fileName).filter((r) => r.kind === 'sdk')
    .map((r) => `${r.secretName}@${r.vaultUrl}${r.version ? `#${r.version}` : ''}=${text.slice(r.start, r.end)}`);
}

describe('references/sdk (Python)', () => {
  it('get_secret on a client built with a literal vault URL or a string constant', () => {
    const text = [
      'from azure.keyvault.secrets import SecretClient',
      'KV_URI = "https://MyVault.vault.azure.net"',
      'client = SecretClient(vault_url=KV_URI, credential=DefaultAzureCredential())',
      'other_client = SecretClient("https://other.vault.azure.net/", cred)',
      'a = client.get_secret("db-password")',
      'b = other_client.get_secret(name="api-key", version="v1")',
      'c = client.get_secret("positional", "v2").value',
    ].join('\n');
    assert.deepEqual(sdk(text, 'python'), [
      'db-password@https://myvault.vault.azure.net/=db-password',
      'api-key@https://other.vault.azure.net/#v1=api-key',
      'positional@https://myvault.vault.azure.net/#v2=positional',
    ]);
  });

  it('self.client, with … as client, and an inline client', () => {
    const text = [
      'class Store:',
      '    def __init__(self):',
      '        self.client = SecretClient(vault_url="https://store.vault.azure.net", credential=cred)',
      '    def read(self):',
      "        return self.client.get_secret('from-self')",
      'with SecretClient("https://with.vault.azure.net", cred) as wc:',
      '    wc.get_secret("from-with")',
      'SecretClient(vault_url="https://inline.vault.azure.net").get_secret("inline")',
    ].join('\n');
    assert.deepEqual(sdk(text, 'python'), [
      'from-self@https://store.vault.azure.net/=from-self',
      'from-with@https://with.vault.azure.net/=from-with',
      'inline@https://inline.vault.azure.net/=inline',
    ]);
  });

  it('no reference without a vault URL in the file, on other objects, in comments, or with a computed name', () => {
    const text = [
      'import os',
      'env_client = SecretClient(vault_url=os.environ["KV_URL"], credential=cred)',
      'f_client = SecretClient(vault_url=f"https://{name}.vault.azure.net", credential=cred)',
      'client = SecretClient(vault_url="https://v.vault.azure.net", credential=cred)',
      'env_client.get_secret("no-url")',
      'f_client.get_secret("f-url")',
      'other.get_secret("unrelated")',
      'get_secret("bare-function")',
      '# client.get_secret("commented")',
      'client.get_secret("a" + suffix)',
      'client.get_secret(f"x-{env}")',
      'client.get_secret("bad_name")',
      'client.get_secret(name)',
    ].join('\n');
    assert.deepEqual(sdk(text, 'python'), []);
  });

  it('a constant assigned two different URLs, or a receiver reassigned, is followed correctly', () => {
    const text = [
      'URL = "https://one.vault.azure.net"',
      'URL = "https://two.vault.azure.net"',
      'c1 = SecretClient(vault_url=URL, credential=cred)',
      'c1.get_secret("ambiguous-url")',
      'client = SecretClient(vault_url="https://first.vault.azure.net", credential=cred)',
      'client.get_secret("first")',
      'client = BlobServiceClient(account_url="https://acct.blob.core.windows.net")',
      'client.get_secret("after-reassignment")',
    ].join('\n');
    assert.deepEqual(sdk(text, 'python'), ['first@https://first.vault.azure.net/=first']);
  });
});

describe('references/sdk (TypeScript / JavaScript)', () => {
  it('getSecret on const/let/this clients, with a version option; comments and regexes skipped', () => {
    const text = [
      'import { SecretClient } from "@azure/keyvault-secrets";',
      'const vaultUrl = "https://ts.vault.azure.net/";',
      'const client = new SecretClient(vaultUrl, new DefaultAzureCredential());',
      'class Repo {',
      '  private readonly kv: SecretClient;',
      "  constructor() { this.kv = new SecretClient('https://repo.vault.azure.net', cred); }",
      "  read() { return this.kv.getSecret('from-this'); }",
      '}',
      '// await client.getSecret("line-comment");',
      '/* await client.getSecret("block-comment"); */',
      'const re = /client.getSecret("in-regex")/;',
      'const s = await client.getSecret("ts-name", { version: "abc" });',
      'const t = await client.getSecret(`plain-template`);',
    ].join('\n');
    assert.deepEqual(sdk(text, 'typescript'), [
      'from-this@https://repo.vault.azure.net/=from-this',
      'ts-name@https://ts.vault.azure.net/#abc=ts-name',
      'plain-template@https://ts.vault.azure.net/=plain-template',
    ]);
  });

  it('template literals with interpolation, concatenation and unrelated receivers are skipped', () => {
    const text = [
      'const client = new SecretClient("https://js.vault.azure.net", cred);',
      'const url = `https://${name}.vault.azure.net`;',
      'const dyn = new SecretClient(url, cred);',
      'client.getSecret(`x-${env}`);',
      'client.getSecret("a" + b);',
      'dyn.getSecret("dynamic-vault");',
      'cache.getSecret("cache");',
      'new SecretClient("https://inline.vault.azure.net", cred).getSecret("inline-js");',
    ].join('\n');
    assert.deepEqual(sdk(text, 'javascript', 'a.js'), ['inline-js@https://inline.vault.azure.net/=inline-js']);
  });

  it('JSX/TSX files use the same rules', () => {
    const text = 'const c = new SecretClient("https://x.vault.azure.net", cred);\nexport const A = () => <div>{c.getSecret("tsx")}</div>;';
    assert.deepEqual(sdk(text, 'typescriptreact', 'a.tsx'), ['tsx@https://x.vault.azure.net/=tsx']);
  });
});

describe('references/sdk (C#)', () => {
  it('GetSecret / GetSecretAsync on var, typed and target-typed clients; new Uri(const)', () => {
    const text = [
      'using Azure.Security.KeyVault.Secrets;',
      'const string KvUri = "https://cs.vault.azure.net";',
      'var client = new SecretClient(new Uri(KvUri), new DefaultAzureCredential());',
      'SecretClient typed = new(new System.Uri("https://typed.vault.azure.net/"), cred);',
      'KeyVaultSecret a = client.GetSecret("cs-name");',
      'var b = await typed.GetSecretAsync(name: "cs-async", version: "v2");',
      'var c = client.GetSecret(@"verbatim", "v3").Value;',
      'class Kv {',
      '  static readonly Uri VaultUri = new Uri("https://uri-const.vault.azure.net/");',
      '  private readonly SecretClient _client = new SecretClient(VaultUri, cred);',
      '  public string Read() => _client.GetSecret("via-uri-const").Value.Value;',
      '}',
    ].join('\n');
    assert.deepEqual(sdk(text, 'csharp', 'Program.cs'), [
      'cs-name@https://cs.vault.azure.net/=cs-name',
      'cs-async@https://typed.vault.azure.net/#v2=cs-async',
      'verbatim@https://cs.vault.azure.net/#v3=verbatim',
      'via-uri-const@https://uri-const.vault.azure.net/=via-uri-const',
    ]);
  });

  it('interpolated names, computed URLs, comments and other receivers are skipped', () => {
    const text = [
      'var client = new SecretClient(new Uri("https://cs.vault.azure.net"), cred);',
      'var computed = new SecretClient(new Uri("https://" + name + ".vault.azure.net"), cred);',
      'var interp = new SecretClient(new Uri($"https://{name}.vault.azure.net"), cred);',
      'client.GetSecret($"x-{env}");',
      'client.GetSecret("a" + b);',
      '// client.GetSecret("commented");',
      '/* client.GetSecret("block"); */',
      'computed.GetSecret("computed-url");',
      'interp.GetSecret("interp-url");',
      'other.GetSecret("other");',
      'client.GetSecret("not_valid");',
    ].join('\n');
    assert.deepEqual(sdk(text, 'csharp', 'Program.cs'), []);
  });
});
