// The extension's credential chain, without vscode: the UI injects the VS Code account as a SessionTokenProvider,
// the other members come from @azure/identity. Members are tried in the configured order; the one that worked
// is tried first next time. A failure lists why each member failed — never a token or a secret.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { loadIdentity } from '../lazy/load';
import { isMicrosoftAuthority } from '../azure/clouds';
import { redact } from '../azure/errors';
import { localEmulatorPolicy } from '../azure/localTransport';
import type { CloudEnvironment } from '../azure/model';

export type ChainMember = 'vscode' | 'azureCli' | 'azureDeveloperCli' | 'environment' | 'managedIdentity';

export const ALL_CHAIN_MEMBERS: readonly ChainMember[] = ['vscode', 'azureCli', 'azureDeveloperCli', 'environment', 'managedIdentity'];

export const CHAIN_MEMBER_LABELS: Record<ChainMember, string> = {
  vscode: 'VS Code account',
  azureCli: 'Azure CLI',
  azureDeveloperCli: 'Azure Developer CLI',
  environment: 'Environment (service principal)',
  managedIdentity: 'Managed identity',
};

/** Implemented by the UI over vscode.authentication.getSession. Resolves null when no session is available. */
export interface SessionTokenProvider {
  getToken(scopes: string[], tenantId?: string, options?: { abortSignal?: AbortSignal; claims?: string; interactive?: boolean }):
  Promise<AccessToken | null>;
}

export interface ChainOptions {
  sessionProvider?: SessionTokenProvider;
  cloud: CloudEnvironment;
  /** Home tenant for the identity members; a challenge may still name another (see additionallyAllowedTenants). */
  tenantId?: string;
  /** Tenants a vault challenge may ask for besides tenantId; default ['*'] (tokens still only go to allowed hosts). */
  additionallyAllowedTenants?: string[];
  /** Client id of a user-assigned managed identity. */
  managedIdentityClientId?: string;
  /** CA to trust for the identity members' own requests (e.g. a custom cloud served by the emulator). */
  ca?: string | Buffer;
  /** Timeout for the CLI members (ms). */
  processTimeoutInMs?: number;
}

export interface MemberFailure {
  member: ChainMember;
  reason: string;
}

/** Raised when no member of the chain could get a token. */
export class ChainCredentialError extends Error {
  override readonly name = 'ChainCredentialError';
  constructor(readonly failures: MemberFailure[], scopes: readonly string[]) {
    super(failures.length === 0
      ? 'No sign-in method is configured (keyVault.credentialChain is empty).'
      : `Could not sign in for ${scopes.join(' ')}:\n` +
        failures.map((f) => `- ${CHAIN_MEMBER_LABELS[f.member]}: ${f.reason}`).join('\n'));
  }
}

export interface ChainCredential extends TokenCredential {
  readonly members: readonly ChainMember[];
  /** The member that produced the last token, if any. */
  readonly lastSuccessful: ChainMember | undefined;
  /** Forget the remembered member (e.g. after sign-out). */
  reset(): void;
}

const HINTS: Partial<Record<ChainMember, string>> = {
  environment: 'set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate path)',
  azureCli: 'run "az login"',
  azureDeveloperCli: 'run "azd auth login"',
};

function reasonOf(err: unknown, member: ChainMember): string {
  const base = firstReason(err);
  const hint = HINTS[member];
  return hint && /unavailable|not (be )?found|not installed|please run|az login|azd auth login/i.test(base) ? `${base} (${hint})` : base;
}

function firstReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // First meaningful line, without tokens or troubleshooting links.
  const line = msg.split('\n').map((l) => l.trim()).find((l) => l && !/^https?:\/\//.test(l)) ?? 'failed';
  return redact(line.replace(/\s*To troubleshoot, visit https?:\/\/\S+/i, '')).slice(0, 300);
}

function effectiveAuthority(cloud: CloudEnvironment): string {
  // AZURE_AUTHORITY_HOST is part of the environment-credential contract; the cloud's authority otherwise.
  return process.env.AZURE_AUTHORITY_HOST || cloud.authorityHost;
}

function buildMember(member: ChainMember, o: ChainOptions): TokenCredential {
  const additionallyAllowedTenants = o.additionallyAllowedTenants ?? ['*'];
  const additionalPolicies = o.ca ? [{ policy: localEmulatorPolicy(o.ca), position: 'perCall' as const }] : undefined;
  switch (member) {
    case 'vscode': {
      const provider = o.sessionProvider;
      return {
        async getToken(scopes, options) {
          if (!provider) throw new Error('not available in this host.');
          const list = Array.isArray(scopes) ? scopes : [scopes];
          const token = await provider.getToken(list, options?.tenantId ?? o.tenantId,
            { abortSignal: options?.abortSignal as AbortSignal | undefined, claims: options?.claims });
          if (!token) throw new Error('not signed in (run "Key Vault: Sign In").');
          return token;
        },
      };
    }
    case 'azureCli':
      return new (loadIdentity().AzureCliCredential)({ tenantId: o.tenantId, additionallyAllowedTenants, processTimeoutInMs: o.processTimeoutInMs });
    case 'azureDeveloperCli':
      return new (loadIdentity().AzureDeveloperCliCredential)({ tenantId: o.tenantId, additionallyAllowedTenants, processTimeoutInMs: o.processTimeoutInMs });
    case 'environment': {
      const authorityHost = effectiveAuthority(o.cloud);
      const env = new (loadIdentity().EnvironmentCredential)({
        authorityHost,
        disableInstanceDiscovery: !isMicrosoftAuthority(authorityHost),
        additionallyAllowedTenants,
        additionalPolicies,
      });
      // ARM calls carry no tenant: use the tenant this chain is for (AZURE_TENANT_ID is only the home tenant)
      return {
        getToken: (scopes, options) => env.getToken(scopes, options?.tenantId || !o.tenantId ? options : { ...options, tenantId: o.tenantId }),
      };
    }
    case 'managedIdentity':
      return o.managedIdentityClientId
        ? new (loadIdentity().ManagedIdentityCredential)({ clientId: o.managedIdentityClientId, additionalPolicies })
        : new (loadIdentity().ManagedIdentityCredential)({ additionalPolicies });
  }
}

/** The chain credential. `members` order is the configured order; unknown ids are ignored. */
export function createChainCredential(members: readonly ChainMember[], options: ChainOptions): ChainCredential {
  const order = [...new Set(members.filter((m) => ALL_CHAIN_MEMBERS.includes(m)))];
  const built = new Map<ChainMember, TokenCredential>();
  const get = (m: ChainMember) => {
    let c = built.get(m);
    if (!c) { c = buildMember(m, options); built.set(m, c); }
    return c;
  };
  let remembered: ChainMember | undefined;
  let last: ChainMember | undefined;
  return {
    members: order,
    get lastSuccessful() { return last; },
    reset() { remembered = undefined; last = undefined; },
    async getToken(scopes: string | string[], getOptions?: GetTokenOptions): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      const tryOrder = remembered ? [remembered, ...order.filter((m) => m !== remembered)] : order;
      const failures: MemberFailure[] = [];
      for (const m of tryOrder) {
        if (getOptions?.abortSignal?.aborted) {
          const e = new Error('The operation was aborted.'); e.name = 'AbortError'; throw e;
        }
        try {
          const token = await get(m).getToken(list, getOptions);
          if (!token) throw new Error('returned no token.');
          remembered = m;
          last = m;
          return token;
        } catch (err) {
          if ((err as Error)?.name === 'AbortError') throw err;
          failures.push({ member: m, reason: reasonOf(err, m) });
        }
      }
      throw new ChainCredentialError(failures, list);
    },
  };
}
