// The emulator's data model: configuration (tenants, subscriptions, vaults, principals) that comes from the
// seed on every start, and secret state that lives in a store (and survives restarts with --data).

export interface Tenant {
  id: string;
  displayName: string;
  defaultDomain: string;
}

export interface Subscription {
  id: string;
  tenantId: string;
  displayName: string;
}

export type RoleName =
  | 'Key Vault Administrator'
  | 'Key Vault Secrets Officer'
  | 'Key Vault Secrets User'
  | 'Key Vault Reader';

export interface RoleAssignment {
  role: RoleName;
  /** Exactly one of vault / subscription. */
  vault?: string;
  subscription?: string;
  /** false: data plane only — the vault stays invisible through ARM (default true). */
  arm?: boolean;
}

/**
 * A federated identity credential of a principal (Entra's "federated credential" on an app registration or a
 * user-assigned managed identity): a client assertion whose `iss`, `sub` and `aud` match one of these is
 * accepted instead of a client secret (workload identity federation).
 */
export interface FederatedCredential {
  /** `"local"` = the emulator's own issuer (`https://localhost:<port>/federation`), or an issuer URL. */
  issuer: string;
  subject: string;
  /** Default `["api://AzureADTokenExchange"]`. */
  audiences: string[];
  /** Public keys (a JWKS) that verify assertions of a non-local issuer (no key is ever fetched). */
  jwks?: { keys: Record<string, unknown>[] };
}

export interface Principal {
  clientId: string;
  clientSecret: string;
  objectId: string;
  displayName: string;
  /** Tenants the principal can get tokens in; the first is its home tenant. */
  tenants: string[];
  roles: RoleAssignment[];
  /** Federated credentials (workload identity federation); none by default. */
  federatedCredentials?: FederatedCredential[];
  /**
   * Served by the managed-identity endpoint: `system` answers requests without a client id (one principal at
   * most), `user` answers requests naming its client id, object id or resource id.
   */
  managedIdentity?: 'system' | 'user';
}

export type SecretPermission = 'get' | 'list' | 'set' | 'delete' | 'backup' | 'restore' | 'recover' | 'purge';

export interface AccessPolicy {
  /** Principal object id or client id. */
  objectId: string;
  secrets: SecretPermission[];
}

export interface VaultConfig {
  name: string;
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  sku: 'standard' | 'premium';
  softDeleteRetentionDays: number;
  purgeProtection: boolean;
  /** true: Azure RBAC; false: access policies. */
  rbac: boolean;
  accessPolicies: AccessPolicy[];
  /** 'deny': every data-plane request gets 403 ForbiddenByFirewall (after authentication). */
  firewall: 'allow' | 'deny';
  /** Delete takes this long before the deleted secret shows up (pollers poll meanwhile). */
  deleteDelayMs: number;
  /** Recover takes this long before the secret answers again (get → 404, set → 409 meanwhile). */
  recoverDelayMs: number;
  /** After a purge (204) the name cannot be reused for this long (set/restore → 409). */
  purgeDelayMs: number;
  tags: Record<string, string>;
}

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface DeletedInfo {
  deletedDate: number;
  scheduledPurgeDate: number;
  /** ms epoch before which the delete is still "in progress" (get-deleted → 404, set → 409). */
  pendingUntil?: number;
}

/** One secret name with all its versions (in creation order; the last one is the current version). */
export interface SecretRecord {
  name: string;
  versions: SecretVersion[];
  managed?: boolean;
  /** For certificate-backed secrets: the certificate's key id base (…/keys/<name>). */
  kidName?: string;
  deleted?: DeletedInfo;
}

export interface FaultRule {
  id?: string;
  /** Operation name from the stats (e.g. "secrets.get"), or "*" for all. */
  operation: string;
  vault?: string;
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Reset the connection instead of answering. */
  reset?: boolean;
  /** Answer normally but cut the JSON body short (a response the client cannot parse). Data plane only. */
  corruptBody?: boolean;
  /** Apply this many times, then drop the rule (default: unlimited). */
  count?: number;
  /** 0..1: chance to apply per matching request (default 1). */
  probability?: number;
  /** Extra response headers of a status fault (validated: token names, no CR/LF or control characters). */
  headers?: Record<string, string>;
}

/** A Managed HSM resource (ARM only: listed and read, no data plane). */
export interface ManagedHsmConfig {
  name: string;
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
}

export interface EmulatorConfig {
  tenants: Tenant[];
  subscriptions: Subscription[];
  vaults: VaultConfig[];
  /** Seed `managedHsms` (default none: ARM lists answer an empty list, as for a subscription without HSMs). */
  managedHsms?: ManagedHsmConfig[];
  principals: Principal[];
  faults: FaultRule[];
  /** Lifetime of issued access tokens (seed `tokenLifetimeSeconds`; default 3600). */
  tokenLifetimeSeconds?: number;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Latest Unix time the service takes in attributes (9999-12-31T23:59:59Z); times before 0 are refused too. */
export const MAX_UNIX_TIME = 253402300799;

export const isUnixTimeInRange = (t: number): boolean => Number.isFinite(t) && t >= 0 && t <= MAX_UNIX_TIME;

/** Bounds of `tokenLifetimeSeconds` (seed, CLI `--token-lifetime`, option). */
export const MIN_TOKEN_LIFETIME_S = 1;
export const MAX_TOKEN_LIFETIME_S = 86_400;

export function latest(rec: SecretRecord): SecretVersion {
  return rec.versions[rec.versions.length - 1];
}
