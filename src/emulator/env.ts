// The environment block that makes unmodified Azure SDK credentials reach a running emulator
// (`--print-env`, `--write-env`, `GET /_admin/env`). See docs/emulator.md ("Credentials for pipelines").
//
// Why each variable (checked in @azure/identity 4.14.1 and @azure/msal-node 7.2.1):
// - AZURE_AUTHORITY_HOST: every @azure/identity credential takes its authority host from it.
// - AZURE_TENANT_ID=adfs: with tenant "adfs" @azure/identity passes the authority host to MSAL as a known
//   authority (msal/utils.js getKnownAuthorities), so MSAL skips instance discovery (which would ask
//   login.microsoftonline.com) and reads `<host>/adfs/.well-known/openid-configuration`; identity also never
//   switches tenant on a Key Vault challenge (processMultiTenantRequest.js). The emulator issues the token in
//   the client's home tenant, the vault's tenant.
// - AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE: WorkloadIdentityCredential (and DefaultAzureCredential).
// - AZURE_CLIENT_SECRET: EnvironmentCredential (first in DefaultAzureCredential's chain).
// - IDENTITY_ENDPOINT + IDENTITY_HEADER: ManagedIdentityCredential picks MSAL's App Service source.
// - NODE_EXTRA_CA_CERTS (Node, read at process start), REQUESTS_CA_BUNDLE (Python requests: azure-identity,
//   azure-keyvault-secrets, the Azure CLI), SSL_CERT_FILE (Python's ssl, aiohttp): trust the emulator's CA.
//   The two Python variables replace the default bundle for that process, so set them only where the
//   process talks to the emulator alone.
import type { ReadyInfo } from './server';

export type EnvKind = 'workload' | 'secret' | 'managedIdentity';
export type EnvFormat = 'sh' | 'dotenv' | 'powershell';

export interface EnvBlock {
  /** Ordered variables. */
  vars: [string, string][];
  /** Comment lines (no secrets). */
  notes: string[];
}

export class EnvError extends Error {}

export interface EnvOptions {
  /** Client id, object id or display name; default: the first principal that fits `kind`. */
  principal?: string;
  /** Default: workload when the principal has a minted federated token file, else secret. */
  kind?: EnvKind;
  /** The vault named in KEYVAULT_URL (default: the first). */
  vault?: string;
}

type ReadyPrincipal = ReadyInfo['principals'][number];

export function findPrincipal(info: Pick<ReadyInfo, 'principals'>, who: string): ReadyPrincipal | undefined {
  const w = who.toLowerCase();
  return info.principals.find((p) => p.clientId === w || p.objectId === w || p.displayName.toLowerCase() === w);
}

export function environmentBlock(info: ReadyInfo, opts: EnvOptions = {}): EnvBlock {
  let principal: ReadyPrincipal | undefined;
  if (opts.principal) {
    principal = findPrincipal(info, opts.principal);
    if (!principal) throw new EnvError(`unknown principal ${opts.principal} (give its client id, object id or display name)`);
  } else if (opts.kind === 'workload') {
    principal = info.principals.find((p) => info.federatedTokenFiles[p.clientId]);
  } else if (opts.kind === 'managedIdentity') {
    principal = info.principals.find((p) => p.managedIdentity === 'system') ?? info.principals.find((p) => p.managedIdentity);
  } else {
    principal = info.principals.find((p) => info.federatedTokenFiles[p.clientId]) ?? info.principals[0];
  }
  if (!principal) throw new EnvError(`no principal fits ${opts.kind ?? 'the environment block'}`);
  const kind: EnvKind = opts.kind ?? (info.federatedTokenFiles[principal.clientId] ? 'workload' : 'secret');
  const vault = opts.vault ? info.vaults.find((v) => v.name.toLowerCase() === opts.vault!.toLowerCase()) : info.vaults[0];
  if (opts.vault && !vault) throw new EnvError(`unknown vault ${opts.vault}`);
  const vars: [string, string][] = [];
  const notes = [
    `Key Vault emulator on port ${info.port}: ${kind === 'workload' ? 'workload identity federation' : kind === 'secret' ? 'client secret' : 'managed identity (App Service)'} ` +
    `as ${principal.displayName} (${principal.clientId}).`,
  ];
  if (kind === 'managedIdentity') {
    if (!principal.managedIdentity) throw new EnvError(`principal ${principal.displayName} is not a managed identity (seed "managedIdentity")`);
    vars.push(['IDENTITY_ENDPOINT', info.identityEndpoint], ['IDENTITY_HEADER', info.identityHeader]);
    if (principal.managedIdentity === 'user') vars.push(['AZURE_CLIENT_ID', principal.clientId]);
  } else {
    vars.push(['AZURE_AUTHORITY_HOST', info.authorityHost], ['AZURE_TENANT_ID', 'adfs'], ['AZURE_CLIENT_ID', principal.clientId]);
    if (kind === 'workload') {
      const file = info.federatedTokenFiles[principal.clientId];
      if (!file) throw new EnvError(`no federated token file for ${principal.displayName}: start with --mint-federated-token ${principal.clientId}`);
      vars.push(['AZURE_FEDERATED_TOKEN_FILE', file]);
    } else {
      vars.push(['AZURE_CLIENT_SECRET', principal.clientSecret]);
    }
  }
  vars.push(['NODE_EXTRA_CA_CERTS', info.ca], ['REQUESTS_CA_BUNDLE', info.ca], ['SSL_CERT_FILE', info.ca]);
  if (vault) vars.push(['KEYVAULT_URL', vault.url]);
  notes.push('AZURE_TENANT_ID=adfs makes MSAL skip instance discovery; tokens are issued in the vault\'s tenant.');
  notes.push('REQUESTS_CA_BUNDLE / SSL_CERT_FILE replace Python\'s CA bundle: use them in processes that only talk to the emulator.');
  const hosts = info.vaults.map((v) => `${v.name}.vault.localhost`).join(' ');
  notes.push(`Vault hosts must resolve to loopback: add "127.0.0.1 ${hosts}" to /etc/hosts if your resolver does not map *.localhost.`);
  return { vars, notes };
}

function quoteSh(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function renderEnv(block: EnvBlock, format: EnvFormat = 'sh'): string {
  const lines = block.notes.map((n) => `# ${n}`);
  for (const [k, v] of block.vars) {
    if (format === 'sh') lines.push(`export ${k}=${quoteSh(v)}`);
    else if (format === 'powershell') lines.push(`$env:${k} = '${v.replace(/'/g, "''")}'`);
    else lines.push(`${k}=${/[\s"'#]/.test(v) ? JSON.stringify(v) : v}`);
  }
  return lines.join('\n') + '\n';
}
