// Built-in and custom Azure clouds, and the rule that decides where a bearer token may go.
import type { CloudEnvironment } from './model';

function cloud(name: string, arm: string, authority: string, kvSuffix: string, portal: string): CloudEnvironment {
  return {
    name,
    resourceManagerEndpoint: arm,
    authorityHost: authority,
    keyVaultDnsSuffix: kvSuffix,
    managementScope: `${arm.replace(/\/+$/, '')}/.default`,
    keyVaultResource: `https://${kvSuffix}`,
    portalUrl: portal,
  };
}

export const AzureCloud: CloudEnvironment = cloud('AzureCloud', 'https://management.azure.com/',
  'https://login.microsoftonline.com/', 'vault.azure.net', 'https://portal.azure.com');
export const AzureChinaCloud: CloudEnvironment = cloud('AzureChinaCloud', 'https://management.chinacloudapi.cn/',
  'https://login.chinacloudapi.cn/', 'vault.azure.cn', 'https://portal.azure.cn');
export const AzureUSGovernment: CloudEnvironment = cloud('AzureUSGovernment', 'https://management.usgovcloudapi.net/',
  'https://login.microsoftonline.us/', 'vault.usgovcloudapi.net', 'https://portal.azure.us');

export const builtInClouds: readonly CloudEnvironment[] = [AzureCloud, AzureChinaCloud, AzureUSGovernment];

/** Authority hosts of Microsoft's public clouds: the only ones where MSAL instance discovery makes sense. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com', 'login.chinacloudapi.cn', 'login.microsoftonline.us', 'login.windows.net',
  'login.partner.microsoftonline.cn',
]);

export function isMicrosoftAuthority(authorityHost: string): boolean {
  try {
    return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Maps the `microsoft-sovereign-cloud.environment` setting value to a built-in cloud
 * (`ChinaCloud`, `USGovernment`; unset → public). `custom` needs {@link customCloud}.
 */
export function cloudFromSetting(environment: string | undefined, customEnvironment?: unknown): CloudEnvironment {
  switch ((environment ?? '').trim()) {
    case '': case 'AzureCloud': return AzureCloud;
    case 'ChinaCloud': case 'AzureChinaCloud': return AzureChinaCloud;
    case 'USGovernment': case 'AzureUSGovernment': return AzureUSGovernment;
    case 'custom': return customCloud(customEnvironment);
    default: throw new Error(`Unknown cloud "${environment}": use ChinaCloud, USGovernment or custom.`);
  }
}

/**
 * A cloud from `microsoft-sovereign-cloud.customEnvironment` (the @azure/ms-rest-azure-env `Environment` shape
 * VS Code and vscode-azext-azureauth use): name, portalUrl, resourceManagerEndpointUrl (or
 * managementEndpointUrl), activeDirectoryEndpointUrl, keyVaultDnsSuffix (".vault.example" — leading dot optional),
 * activeDirectoryResourceId.
 */
export function customCloud(settings: unknown): CloudEnvironment {
  if (!settings || typeof settings !== 'object') {
    throw new Error('The custom cloud is not configured: set microsoft-sovereign-cloud.customEnvironment.');
  }
  const s = settings as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof s[k] === 'string' && (s[k] as string).trim()) ? (s[k] as string).trim() : undefined;
  const missing: string[] = [];
  const arm = str('resourceManagerEndpointUrl') ?? str('managementEndpointUrl');
  const authority = str('activeDirectoryEndpointUrl');
  const kvSuffix = str('keyVaultDnsSuffix')?.replace(/^\.+/, '').toLowerCase();
  if (!arm) missing.push('resourceManagerEndpointUrl');
  if (!authority) missing.push('activeDirectoryEndpointUrl');
  if (!kvSuffix) missing.push('keyVaultDnsSuffix');
  if (missing.length) {
    throw new Error(`The custom cloud in microsoft-sovereign-cloud.customEnvironment lacks ${missing.join(', ')}.`);
  }
  for (const [k, v] of [['resourceManagerEndpointUrl', arm], ['activeDirectoryEndpointUrl', authority]] as const) {
    let u: URL;
    try { u = new URL(v!); } catch { throw new Error(`The custom cloud's ${k} is not a URL: ${v}`); }
    if (u.protocol !== 'https:') throw new Error(`The custom cloud's ${k} must use https: ${v}`);
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*(:\d+)?$/.test(kvSuffix!)) {
    throw new Error(`The custom cloud's keyVaultDnsSuffix is not a DNS suffix: ${kvSuffix}`);
  }
  const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);
  const armUrl = withSlash(arm!);
  return {
    name: str('name') ?? 'custom',
    resourceManagerEndpoint: armUrl,
    authorityHost: withSlash(authority!),
    keyVaultDnsSuffix: kvSuffix!,
    // Azure Stack Hub and other custom clouds name the ARM token audience separately from the endpoint
    managementScope: `${(str('activeDirectoryResourceId') ?? armUrl).replace(/\/+$/, '')}/.default`,
    keyVaultResource: `https://${kvSuffix}`,
    portalUrl: str('portalUrl'),
  };
}

export type TokenKind = 'keyVault' | 'arm';

/** Host part of a Key Vault DNS suffix (a custom cloud's suffix may carry a port, e.g. vault.localhost:8443). */
function suffixHost(suffix: string): { host: string; port?: string } {
  const m = /^(.*?)(?::(\d+))?$/.exec(suffix.replace(/^\.+/, '').toLowerCase())!;
  return { host: m[1]!, port: m[2] };
}

/**
 * Whether a bearer token of `kind` may be sent to `url`. Key Vault tokens go only to https hosts strictly under
 * `.<keyVaultDnsSuffix>` (or listed in `extraAllowedHosts`, e.g. the emulator's vault hosts for the emulator
 * credential); ARM tokens only to the ARM endpoint's origin.
 */
/** Whether a URL's host (with or without its port) matches one of `patterns`: "host", "host:port", "*.suffix[:port]". */
export function hostMatches(u: URL, patterns: readonly string[]): boolean {
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  const hostPort = u.port ? `${host}:${u.port}` : host;
  return patterns.some((h) => {
    const x = h.toLowerCase();
    return x.startsWith('*.') ? host.endsWith(x.slice(1)) || hostPort.endsWith(x.slice(1)) : x === host || x === hostPort;
  });
}

export function isTokenAllowedForHost(url: string, cloud: CloudEnvironment, extraAllowedHosts: readonly string[] = [],
  kind: TokenKind = 'keyVault'): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (hostMatches(u, extraAllowedHosts)) return true;
  if (kind === 'arm') {
    const arm = new URL(cloud.resourceManagerEndpoint);
    return arm.protocol === 'https:' && arm.hostname.toLowerCase() === host && arm.port === u.port;
  }
  const { host: sfx, port } = suffixHost(cloud.keyVaultDnsSuffix);
  if (port !== undefined && port !== u.port) return false;
  if (!host.endsWith(`.${sfx}`)) return false;
  // Exactly one label (the vault name) in front of the suffix.
  const label = host.slice(0, host.length - sfx.length - 1);
  return label.length > 0 && !label.includes('.');
}

/** Portal link for a vault resource id or, without one, the vault's Key Vault browse blade. */
export function portalUrlFor(cloud: CloudEnvironment, resourceId?: string): string | undefined {
  if (!cloud.portalUrl) return undefined;
  const base = cloud.portalUrl.replace(/\/+$/, '');
  return resourceId ? `${base}/#@/resource${resourceId}` : `${base}/#browse/Microsoft.KeyVault%2Fvaults`;
}
