import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import ts from 'typescript';
import { appServiceReference, parseAppServiceReference, sdkSnippet } from '../../src/integrations/sdk';

/** Type-checks `source` as a module inside the repository (so @azure/* and @types/node resolve); returns the errors. */
function typeCheck(source: string): string[] {
  const file = path.resolve(__dirname, '__sdk_snippet__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['lib.es2023.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function pythonSyntaxError(source: string): string | undefined | 'no-python' {
  const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: source, encoding: 'utf8' });
  if (r.error) return 'no-python';
  return r.status === 0 ? undefined : r.stderr;
}

describe('integrations/sdk', () => {
  describe('sdkSnippet', () => {
    it('writes the Python quickstart flow exactly', () => {
      assert.equal(sdkSnippet('python', 'https://MyVault.vault.azure.net'), [
        '# Azure Key Vault quickstart: set, get, delete and recover a secret.',
        '# Roles on the vault: "Key Vault Secrets Officer" to set, delete and recover; "Key Vault Secrets User" to read.',
        '# pip install azure-identity azure-keyvault-secrets',
        'from azure.identity import DefaultAzureCredential',
        'from azure.keyvault.secrets import SecretClient',
        '',
        'vault_url = "https://myvault.vault.azure.net/"',
        'secret_name = "mySecret"',
        '',
        'client = SecretClient(vault_url=vault_url, credential=DefaultAzureCredential())',
        '',
        'client.set_secret(secret_name, "<your-secret-value>")',
        'secret = client.get_secret(secret_name)',
        'print(f"Read {secret.name}, version {secret.properties.version}")',
        '',
        '# A deleted secret stays recoverable; setting the same name fails until it is recovered or purged.',
        'client.begin_delete_secret(secret_name).result()',
        'client.begin_recover_deleted_secret(secret_name).result()',
        '',
      ].join('\n'));
    });

    it('writes the TypeScript flow in order: set, get, delete + poll, recover + poll', () => {
      const code = sdkSnippet('typescript', 'https://kv1.vault.azure.net/', 'db-password');
      assert.match(code, /^\/\/ .*\n\/\/ Roles on the vault: "Key Vault Secrets Officer" .* "Key Vault Secrets User" to read\./);
      assert.match(code, /import \{ DefaultAzureCredential \} from "@azure\/identity";/);
      assert.match(code, /import \{ SecretClient \} from "@azure\/keyvault-secrets";/);
      assert.match(code, /const vaultUrl = "https:\/\/kv1\.vault\.azure\.net\/";\nconst secretName = "db-password";/);
      const order = ['new SecretClient(vaultUrl, new DefaultAzureCredential())', 'client.setSecret(secretName, "<your-secret-value>")',
        'client.getSecret(secretName)', 'client.beginDeleteSecret(secretName)', 'deletePoller.pollUntilDone()',
        'client.beginRecoverDeletedSecret(secretName)', 'recoverPoller.pollUntilDone()'];
      const at = order.map((s) => code.indexOf(s));
      assert.ok(at.every((i) => i >= 0), `all steps present: ${at.join(',')}`);
      assert.deepEqual([...at].sort((a, b) => a - b), at);
    });

    it('type-checks the TypeScript snippet against the installed SDK', function () {
      this.timeout(60_000);
      assert.deepEqual(typeCheck(sdkSnippet('typescript', 'https://app.vault.localhost:1234/', 'mySecret')), []);
      // The checker is live: a wrong method name is reported.
      assert.ok(typeCheck(sdkSnippet('typescript', 'https://kv.vault.azure.net/').replace('beginRecoverDeletedSecret', 'recoverSecret')).length > 0);
    });

    it('is valid Python', function () {
      const err = pythonSyntaxError(sdkSnippet('python', 'https://kv.vault.usgovcloudapi.net/', 'a-b'));
      if (err === 'no-python') this.skip();
      assert.equal(err, undefined);
      assert.notEqual(pythonSyntaxError('client.set_secret(secret_name, "x"'), undefined);
    });

    it('keeps sovereign and local vault hosts as given', () => {
      assert.match(sdkSnippet('python', 'https://kv.vault.azure.cn'), /vault_url = "https:\/\/kv\.vault\.azure\.cn\/"/);
      assert.match(sdkSnippet('typescript', 'https://app.vault.localhost:1234/secrets/x'), /const vaultUrl = "https:\/\/app\.vault\.localhost:1234\/";/);
      assert.doesNotMatch(sdkSnippet('python', 'https://kv.vault.usgovcloudapi.net/'), /vault\.azure\.net/);
    });

    it('contains no value but the placeholder', () => {
      for (const lang of ['python', 'typescript'] as const) {
        const code = sdkSnippet(lang, 'https://kv.vault.azure.net/');
        assert.equal(code.match(/<your-secret-value>/g)?.length, 1);
        assert.doesNotMatch(code, /\.value\b/); // never prints the secret value
      }
    });

    it('rejects bad vault URLs and secret names', () => {
      assert.throws(() => sdkSnippet('python', 'http://kv.vault.azure.net/'), /must use https/);
      assert.throws(() => sdkSnippet('python', 'kv'), /not a URL/);
      assert.throws(() => sdkSnippet('typescript', 'https://kv.vault.azure.net/', 'my_secret'), /"_" at position 3/);
    });
  });

  describe('App Service Key Vault references', () => {
    const url = 'https://myvault.vault.azure.net/';

    it('writes the versionless SecretUri with the trailing slash the docs use', () => {
      assert.equal(appServiceReference('secretUri', url, 'mysecret'), '@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/mysecret/)');
      assert.equal(appServiceReference('secretUri', url, 'mysecret', 'ec96f02080254f109c51a1f14cdb1931'),
        '@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/mysecret/)');
    });

    it('writes the versioned SecretUri and requires a version for it', () => {
      assert.equal(appServiceReference('secretUriVersion', url, 'mysecret', 'ec96f02080254f109c51a1f14cdb1931'),
        '@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/mysecret/ec96f02080254f109c51a1f14cdb1931)');
      assert.throws(() => appServiceReference('secretUriVersion', url, 'mysecret'), /needs a secret version/);
    });

    it('writes the VaultName form with and without a version', () => {
      assert.equal(appServiceReference('vaultName', url, 'mysecret'), '@Microsoft.KeyVault(VaultName=myvault;SecretName=mysecret)');
      assert.equal(appServiceReference('vaultName', 'https://kv.vault.azure.cn', 'mysecret', 'v1'),
        '@Microsoft.KeyVault(VaultName=kv;SecretName=mysecret;SecretVersion=v1)');
    });

    it('keeps sovereign and local hosts in the SecretUri forms', () => {
      assert.equal(appServiceReference('secretUri', 'https://kv.vault.usgovcloudapi.net', 'a'),
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.usgovcloudapi.net/secrets/a/)');
      assert.equal(appServiceReference('secretUriVersion', 'https://app.vault.localhost:1234/', 'a', 'abc'),
        '@Microsoft.KeyVault(SecretUri=https://app.vault.localhost:1234/secrets/a/abc)');
    });

    it('rejects invalid names, versions and URLs', () => {
      assert.throws(() => appServiceReference('secretUri', url, 'a/b'), /"\/" at position 2/);
      assert.throws(() => appServiceReference('vaultName', url, 'a', 'v;1'), /version has only/);
      assert.throws(() => appServiceReference('secretUri', 'ftp://x/', 'a'), /must use https/);
    });

    it('parses every form it writes back to the same parts', () => {
      const vaults = ['https://myvault.vault.azure.net/', 'https://kv.vault.azure.cn/', 'https://app.vault.localhost:1234/'];
      for (const v of vaults) {
        const vaultName = new URL(v).hostname.split('.')[0];
        assert.deepEqual(parseAppServiceReference(appServiceReference('secretUri', v, 'db-pass')), { vaultName, vaultUrl: v, name: 'db-pass' });
        assert.deepEqual(parseAppServiceReference(appServiceReference('secretUriVersion', v, 'db-pass', 'abc123')),
          { vaultName, vaultUrl: v, name: 'db-pass', version: 'abc123' });
        assert.deepEqual(parseAppServiceReference(appServiceReference('vaultName', v, 'db-pass')), { vaultName, name: 'db-pass' });
        assert.deepEqual(parseAppServiceReference(appServiceReference('vaultName', v, 'db-pass', 'abc123')),
          { vaultName, name: 'db-pass', version: 'abc123' });
      }
    });

    it('parses hand-written references: no trailing slash, spaces, field order', () => {
      assert.deepEqual(parseAppServiceReference('  @Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/n)  '),
        { vaultName: 'v', vaultUrl: 'https://v.vault.azure.net/', name: 'n' });
      assert.deepEqual(parseAppServiceReference('@Microsoft.KeyVault(SecretName=n; VaultName=v; SecretVersion=1)'),
        { vaultName: 'v', name: 'n', version: '1' });
      assert.deepEqual(parseAppServiceReference('@Microsoft.KeyVault(VaultName=v;SecretName=n;)'), { vaultName: 'v', name: 'n' });
    });

    it('returns undefined for text that is not a reference', () => {
      for (const t of ['', 'mysecret', '@Microsoft.KeyVault()', '@Microsoft.KeyVault(SecretUri=)',
        '@Microsoft.KeyVault(SecretUri=http://v.vault.azure.net/secrets/n/)',
        '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/keys/n/)',
        '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/n/1/2)',
        '@Microsoft.KeyVault(VaultName=v)', '@Microsoft.KeyVault(SecretName=n)',
        '@Microsoft.KeyVault(VaultName=v;SecretName=n;Other=x)', '@Microsoft.KeyVault(VaultName=v;SecretName=a_b)',
        '@Microsoft.AppConfiguration(Endpoint=https://x.azconfig.io; Key=k)', 'prefix @Microsoft.KeyVault(VaultName=v;SecretName=n)']) {
        assert.equal(parseAppServiceReference(t), undefined, t);
      }
    });
  });
});
