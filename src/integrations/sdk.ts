// Code and settings that point at a Key Vault secret: the Azure SDK quickstart flow (Python, TypeScript) and
// App Service / Azure Functions Key Vault references. Pure (no vscode).
import * as l10n from '@vscode/l10n';
import { validateSecretName } from '../azure/names';

export type SdkLanguage = 'python' | 'typescript';

/** https origin with a trailing slash; throws when `vaultUrl` is not an https URL. */
function vaultOrigin(vaultUrl: string): URL {
  let u: URL;
  try { u = new URL(vaultUrl.trim()); } catch { throw new Error(l10n.t('The vault URL is not a URL.')); }
  if (u.protocol !== 'https:') throw new Error(l10n.t('A vault URL must use https.'));
  return u;
}

function checkName(name: string): void {
  const err = validateSecretName(name);
  if (err) throw new Error(err);
}

function checkVersion(version: string): void {
  if (!/^[0-9A-Za-z-]+$/.test(version)) throw new Error(l10n.t('A secret version has only letters, digits and hyphens.'));
}

/** A string literal valid in both Python 3 and TypeScript. */
function lit(s: string): string {
  return JSON.stringify(s);
}

const ROLES = 'Roles on the vault: "Key Vault Secrets Officer" to set, delete and recover; "Key Vault Secrets User" to read.';

/**
 * The quickstart flow for a vault (and a secret name, default "mySecret"): SecretClient with DefaultAzureCredential for
 * the vault URL (any cloud, custom host or port, as given); set, get, delete then recover. The only value is a
 * placeholder; the code prints the name and version it read, not the value.
 */
export function sdkSnippet(language: SdkLanguage, vaultUrl: string, secretName = 'mySecret'): string {
  const url = `${vaultOrigin(vaultUrl).origin}/`;
  checkName(secretName);
  const placeholder = lit('<your-secret-value>');
  if (language === 'python') {
    return [
      '# Azure Key Vault quickstart: set, get, delete and recover a secret.',
      `# ${ROLES}`,
      '# pip install azure-identity azure-keyvault-secrets',
      'from azure.identity import DefaultAzureCredential',
      'from azure.keyvault.secrets import SecretClient',
      '',
      `vault_url = ${lit(url)}`,
      `secret_name = ${lit(secretName)}`,
      '',
      'client = SecretClient(vault_url=vault_url, credential=DefaultAzureCredential())',
      '',
      `client.set_secret(secret_name, ${placeholder})`,
      'secret = client.get_secret(secret_name)',
      'print(f"Read {secret.name}, version {secret.properties.version}")',
      '',
      '# A deleted secret stays recoverable; setting the same name fails until it is recovered or purged.',
      'client.begin_delete_secret(secret_name).result()',
      'client.begin_recover_deleted_secret(secret_name).result()',
      '',
    ].join('\n');
  }
  return [
    '// Azure Key Vault quickstart: set, get, delete and recover a secret.',
    `// ${ROLES}`,
    '// npm install @azure/identity @azure/keyvault-secrets',
    'import { DefaultAzureCredential } from "@azure/identity";',
    'import { SecretClient } from "@azure/keyvault-secrets";',
    '',
    `const vaultUrl = ${lit(url)};`,
    `const secretName = ${lit(secretName)};`,
    '',
    'async function main(): Promise<void> {',
    '  const client = new SecretClient(vaultUrl, new DefaultAzureCredential());',
    '',
    `  await client.setSecret(secretName, ${placeholder});`,
    '  const secret = await client.getSecret(secretName);',
    '  console.log(`Read ${secret.name}, version ${secret.properties.version}`);',
    '',
    '  // A deleted secret stays recoverable; setting the same name fails until it is recovered or purged.',
    '  const deletePoller = await client.beginDeleteSecret(secretName);',
    '  await deletePoller.pollUntilDone();',
    '  const recoverPoller = await client.beginRecoverDeletedSecret(secretName);',
    '  await recoverPoller.pollUntilDone();',
    '}',
    '',
    'main().catch((err: unknown) => {',
    '  console.error(err);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}

export type AppServiceForm = 'secretUri' | 'secretUriVersion' | 'vaultName';

/**
 * An App Service / Functions Key Vault reference, as Microsoft's docs write it:
 * - secretUri:        @Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/name/)  (versionless, trailing
 *                     slash as in the docs' example; follows the latest version, refetched within 24 h);
 * - secretUriVersion: @Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/name/<version>) (needs a version);
 * - vaultName:        @Microsoft.KeyVault(VaultName=v;SecretName=name[;SecretVersion=<version>]).
 * The SecretUri forms keep the given host (sovereign cloud, custom port); the VaultName form carries only the vault's
 * name, which App Service resolves in the app's own cloud.
 */
export function appServiceReference(form: AppServiceForm, vaultUrl: string, name: string, version?: string): string {
  const u = vaultOrigin(vaultUrl);
  checkName(name);
  const v = version?.trim() || undefined;
  if (v !== undefined) checkVersion(v);
  switch (form) {
    case 'secretUri':
      return `@Microsoft.KeyVault(SecretUri=${u.origin}/secrets/${name}/)`;
    case 'secretUriVersion':
      if (!v) throw new Error(l10n.t('This reference form needs a secret version.'));
      return `@Microsoft.KeyVault(SecretUri=${u.origin}/secrets/${name}/${v})`;
    case 'vaultName': {
      const vaultName = u.hostname.split('.')[0]!;
      return `@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${name}${v ? `;SecretVersion=${v}` : ''})`;
    }
  }
}

export interface AppServiceReference { vaultName?: string; vaultUrl?: string; name: string; version?: string }

/**
 * Parses either reference form (surrounding whitespace allowed; the docs do not say whether App Service matches the
 * prefix and keys case-sensitively, so this accepts any case). Undefined when the text is not a well-formed reference.
 */
export function parseAppServiceReference(text: string): AppServiceReference | undefined {
  const m = /^\s*@Microsoft\.KeyVault\((.*)\)\s*$/is.exec(text);
  if (!m) return undefined;
  const inner = m[1]!.trim();
  const uri = /^SecretUri=(.*)$/is.exec(inner);
  if (uri) {
    let u: URL;
    try { u = new URL(uri[1]!.trim()); } catch { return undefined; }
    if (u.protocol !== 'https:' || u.search || u.hash || u.username || u.password) return undefined;
    const parts = u.pathname.split('/');
    // '', 'secrets', name, [version], with at most one trailing ''
    if (parts[0] !== '' || parts[1]?.toLowerCase() !== 'secrets') return undefined;
    const rest = parts.slice(2);
    if (rest.length > 1 && rest[rest.length - 1] === '') rest.pop();
    if (rest.length < 1 || rest.length > 2) return undefined;
    let name: string;
    try { name = decodeURIComponent(rest[0]!); } catch { return undefined; }
    if (validateSecretName(name)) return undefined;
    const version = rest[1];
    if (version !== undefined && !/^[0-9A-Za-z-]+$/.test(version)) return undefined;
    return { vaultName: u.hostname.split('.')[0]!, vaultUrl: `${u.origin}/`, name, ...(version ? { version } : {}) };
  }
  const fields = new Map<string, string>();
  const segments = inner.split(';');
  if (segments.length > 1 && segments[segments.length - 1]!.trim() === '') segments.pop();
  for (const seg of segments) {
    const eq = seg.indexOf('=');
    if (eq <= 0) return undefined;
    const key = seg.slice(0, eq).trim().toLowerCase();
    if (!['vaultname', 'secretname', 'secretversion'].includes(key) || fields.has(key)) return undefined;
    fields.set(key, seg.slice(eq + 1).trim());
  }
  const vaultName = fields.get('vaultname');
  const name = fields.get('secretname');
  const version = fields.get('secretversion');
  if (!vaultName || !name || validateSecretName(name) || !/^[0-9A-Za-z-]+$/.test(vaultName)) return undefined;
  if (version !== undefined && !/^[0-9A-Za-z-]+$/.test(version)) return undefined;
  return { vaultName, name, ...(version ? { version } : {}) };
}
