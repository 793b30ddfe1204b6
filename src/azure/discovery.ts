// Vault discovery over ARM: tenants, subscriptions, and vaults with ONE Resource Graph query per tenant
// (≤ 1000 subscriptions per query), falling back to vaults.listBySubscription when Resource Graph fails.
import type { TokenCredential } from '@azure/core-auth';
import type { Vault } from '@azure/arm-keyvault';
import { loadArm } from '../lazy/load';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { classifyError, type KeyVaultError } from './errors';
import { localEmulatorPolicy } from './localTransport';
import type { CloudEnvironment, SubscriptionRef, TenantRef, VaultRef } from './model';
import { normalizeVaultUrl } from './names';

export interface AdditionalPolicyConfig { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }

/** Returns the credential for ARM calls in a tenant (undefined = the home/default tenant). */
export type TenantCredentialFactory = (tenantId: string | undefined) => TokenCredential;

export interface DiscoveryOptions {
  cloud: CloudEnvironment;
  credentialForTenant: TenantCredentialFactory;
  /** Emulator CA, when the cloud's ARM endpoint is the local emulator: trusted for these clients only. */
  ca?: string | Buffer;
  userAgentPrefix?: string;
  /** Extra pipeline policies (e.g. request counting in tests). */
  additionalPolicies?: AdditionalPolicyConfig[];
  /** Parallel listBySubscription calls in the fallback. */
  fallbackConcurrency?: number;
  /** Rows per Resource Graph page (1–1000, default 1000); more pages follow $skipToken. */
  resourceGraphPageSize?: number;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

export type DiscoveryPath = 'resourceGraph' | 'listBySubscription';

export interface TenantDiscovery {
  tenantId: string;
  path: DiscoveryPath;
  /** Why Resource Graph was not used (fallback only). */
  resourceGraphError?: KeyVaultError;
}

export interface DiscoveryResult {
  vaults: VaultRef[];
  /** Which path each tenant used. */
  tenants: TenantDiscovery[];
  /** 'resourceGraph' only if every tenant used it. */
  path: DiscoveryPath | 'mixed' | 'none';
  /** Subscriptions whose fallback listing failed. */
  failures: { subscriptionId: string; error: KeyVaultError }[];
}

export interface DiscoveryService {
  listTenants(options?: { abortSignal?: AbortSignal }): Promise<TenantRef[]>;
  listSubscriptions(tenantId: string, options?: { abortSignal?: AbortSignal }): Promise<SubscriptionRef[]>;
  discoverVaults(subscriptions: SubscriptionRef[], options?: { abortSignal?: AbortSignal }): Promise<DiscoveryResult>;
}

export const RESOURCE_GRAPH_BATCH = 1000;

export const VAULT_QUERY = "resources | where type =~ 'microsoft.keyvault/vaults' " +
  '| project id, name, subscriptionId, tenantId, resourceGroup, location, ' +
  'vaultUri = tostring(properties.vaultUri), enablePurgeProtection = properties.enablePurgeProtection, ' +
  'softDeleteRetentionInDays = properties.softDeleteRetentionInDays, enableRbacAuthorization = properties.enableRbacAuthorization ' +
  '| order by name asc';

function resourceGroupOf(id: string | undefined): string | undefined {
  return id ? /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] : undefined;
}

function vaultUrlFor(name: string, vaultUri: string | undefined, cloud: CloudEnvironment): string {
  if (vaultUri) {
    try { return normalizeVaultUrl(vaultUri); } catch { /* fall through */ }
  }
  return `https://${name.toLowerCase()}.${cloud.keyVaultDnsSuffix}/`;
}

interface GraphRow {
  id?: string; name?: string; subscriptionId?: string; tenantId?: string; resourceGroup?: string; location?: string;
  vaultUri?: string; enablePurgeProtection?: boolean; softDeleteRetentionInDays?: number; enableRbacAuthorization?: boolean;
}

function fromGraphRow(r: GraphRow, tenantId: string, cloud: CloudEnvironment): VaultRef | undefined {
  if (!r.name) return undefined;
  return {
    name: r.name,
    url: vaultUrlFor(r.name, r.vaultUri, cloud),
    source: 'arm',
    subscriptionId: r.subscriptionId,
    tenantId: r.tenantId ?? tenantId,
    resourceId: r.id,
    resourceGroup: r.resourceGroup ?? resourceGroupOf(r.id),
    location: r.location,
    purgeProtection: r.enablePurgeProtection === true,
    softDeleteRetentionDays: typeof r.softDeleteRetentionInDays === 'number' ? r.softDeleteRetentionInDays : undefined,
    rbacAuthorization: typeof r.enableRbacAuthorization === 'boolean' ? r.enableRbacAuthorization : undefined,
  };
}

function fromArmVault(v: Vault, sub: SubscriptionRef, cloud: CloudEnvironment): VaultRef | undefined {
  if (!v.name) return undefined;
  const p = v.properties;
  return {
    name: v.name,
    url: vaultUrlFor(v.name, p?.vaultUri, cloud),
    source: 'arm',
    subscriptionId: sub.subscriptionId,
    tenantId: p?.tenantId ?? sub.tenantId,
    resourceId: v.id,
    resourceGroup: resourceGroupOf(v.id),
    location: v.location,
    purgeProtection: p?.enablePurgeProtection === true,
    softDeleteRetentionDays: p?.softDeleteRetentionInDays,
    rbacAuthorization: p?.enableRbacAuthorization,
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!);
    }
  });
  await Promise.all(workers);
  return out;
}

class ArmDiscoveryService implements DiscoveryService {
  constructor(private readonly o: DiscoveryOptions) {}

  private clientOptions() {
    const additionalPolicies: AdditionalPolicyConfig[] = [
      ...(this.o.ca ? [{ policy: localEmulatorPolicy(this.o.ca), position: 'perCall' as const }] : []),
      ...(this.o.additionalPolicies ?? []),
    ];
    return {
      endpoint: this.o.cloud.resourceManagerEndpoint.replace(/\/+$/, ''),
      credentials: { scopes: [this.o.cloud.managementScope] },
      additionalPolicies,
      userAgentOptions: this.o.userAgentPrefix ? { userAgentPrefix: this.o.userAgentPrefix } : undefined,
      retryOptions: this.o.retryOptions,
    };
  }

  async listTenants(options?: { abortSignal?: AbortSignal }): Promise<TenantRef[]> {
    try {
      const client = new (loadArm().SubscriptionClient)(this.o.credentialForTenant(undefined), this.clientOptions());
      const out: TenantRef[] = [];
      for await (const t of client.tenants.list({ abortSignal: options?.abortSignal })) {
        if (t.tenantId) out.push({ tenantId: t.tenantId, displayName: t.displayName, defaultDomain: t.defaultDomain });
      }
      return out;
    } catch (err) {
      throw classifyError(err, { operation: 'list tenants' });
    }
  }

  async listSubscriptions(tenantId: string, options?: { abortSignal?: AbortSignal }): Promise<SubscriptionRef[]> {
    try {
      const client = new (loadArm().SubscriptionClient)(this.o.credentialForTenant(tenantId), this.clientOptions());
      const out: SubscriptionRef[] = [];
      for await (const s of client.subscriptions.list({ abortSignal: options?.abortSignal })) {
        if (!s.subscriptionId) continue;
        // A guest account sees subscriptions of other tenants through its home token; keep the one asked for.
        if (s.tenantId && s.tenantId.toLowerCase() !== tenantId.toLowerCase()) continue;
        if (s.state === 'Disabled' || s.state === 'Deleted') continue;
        out.push({ subscriptionId: s.subscriptionId, displayName: s.displayName ?? s.subscriptionId, tenantId: s.tenantId ?? tenantId });
      }
      return out.sort((a, b) => a.displayName.localeCompare(b.displayName));
    } catch (err) {
      throw classifyError(err, { operation: 'list subscriptions' });
    }
  }

  /** One Resource Graph request per ≤1000 subscriptions (more only when the result itself pages). */
  private async viaResourceGraph(tenantId: string, subs: SubscriptionRef[], abortSignal?: AbortSignal): Promise<VaultRef[]> {
    const client = new (loadArm().ResourceGraphClient)(this.o.credentialForTenant(tenantId), this.clientOptions());
    const vaults: VaultRef[] = [];
    for (let i = 0; i < subs.length; i += RESOURCE_GRAPH_BATCH) {
      const batch = subs.slice(i, i + RESOURCE_GRAPH_BATCH).map((s) => s.subscriptionId);
      let skipToken: string | undefined;
      do {
        const r = await client.resources({
          query: VAULT_QUERY,
          subscriptions: batch,
          options: { resultFormat: 'objectArray', top: this.o.resourceGraphPageSize ?? 1000, ...(skipToken ? { skipToken } : {}) },
        }, { abortSignal });
        const rows = Array.isArray(r.data) ? (r.data as GraphRow[]) : [];
        for (const row of rows) {
          const v = fromGraphRow(row, tenantId, this.o.cloud);
          if (v) vaults.push(v);
        }
        skipToken = r.skipToken || undefined;
      } while (skipToken);
    }
    return vaults;
  }

  private async viaListBySubscription(sub: SubscriptionRef, abortSignal?: AbortSignal): Promise<VaultRef[]> {
    const client = new (loadArm().KeyVaultManagementClient)(this.o.credentialForTenant(sub.tenantId), sub.subscriptionId, this.clientOptions());
    const out: VaultRef[] = [];
    for await (const v of client.vaults.listBySubscription({ abortSignal })) {
      const ref = fromArmVault(v, sub, this.o.cloud);
      if (ref) out.push(ref);
    }
    return out;
  }

  /**
   * ONE Resource Graph query over every subscription, sent with the first subscription's tenant: an identity with
   * access across tenants (Azure Lighthouse delegation; the emulator's multi-tenant principals) sees them all.
   * Subscriptions of other tenants that come back without a vault are then checked with their own tenant's token
   * through vaults.listBySubscription (a guest account's home token cannot see them). When Resource Graph fails,
   * every subscription is listed that way.
   */
  async discoverVaults(subscriptions: SubscriptionRef[], options?: { abortSignal?: AbortSignal }): Promise<DiscoveryResult> {
    const result: DiscoveryResult = { vaults: [], tenants: [], path: 'none', failures: [] };
    if (subscriptions.length === 0) return result;
    const abortSignal = options?.abortSignal;
    const home = subscriptions[0]!.tenantId.toLowerCase();
    const tenantIds = [...new Set(subscriptions.map((s) => s.tenantId.toLowerCase()))];
    let toList: SubscriptionRef[];
    try {
      result.vaults.push(...await this.viaResourceGraph(subscriptions[0]!.tenantId, subscriptions, abortSignal));
      const seen = new Set(result.vaults.map((v) => (v.subscriptionId ?? '').toLowerCase()));
      toList = subscriptions.filter((s) => s.tenantId.toLowerCase() !== home && !seen.has(s.subscriptionId.toLowerCase()));
      for (const t of tenantIds) {
        const checked = toList.some((s) => s.tenantId.toLowerCase() === t);
        result.tenants.push({ tenantId: t, path: checked ? 'listBySubscription' : 'resourceGraph' });
      }
    } catch (err) {
      const e = classifyError(err, { operation: 'Resource Graph query' });
      if (e.kind === 'cancelled') throw e;
      toList = subscriptions;
      for (const t of tenantIds) result.tenants.push({ tenantId: t, path: 'listBySubscription', resourceGraphError: e });
    }
    await mapLimit(toList, this.o.fallbackConcurrency ?? 4, async (sub) => {
      try {
        result.vaults.push(...await this.viaListBySubscription(sub, abortSignal));
      } catch (err) {
        const e = classifyError(err, { operation: `list vaults in ${sub.displayName}` });
        if (e.kind === 'cancelled') throw e;
        result.failures.push({ subscriptionId: sub.subscriptionId, error: e });
      }
    });
    // Only subscriptions asked for (Resource Graph never widens the scope, but be explicit).
    const wanted = new Set(subscriptions.map((s) => s.subscriptionId.toLowerCase()));
    const seen = new Set<string>();
    result.vaults = result.vaults
      .filter((v) => !v.subscriptionId || wanted.has(v.subscriptionId.toLowerCase()))
      .filter((v) => (seen.has(v.url) ? false : (seen.add(v.url), true)))
      .sort((a, b) => a.name.localeCompare(b.name));
    const paths = new Set(result.tenants.map((t) => t.path));
    result.path = paths.size === 0 ? 'none' : paths.size === 1 ? [...paths][0]! : 'mixed';
    return result;
  }
}

export function createDiscoveryService(options: DiscoveryOptions): DiscoveryService {
  return new ArmDiscoveryService(options);
}
