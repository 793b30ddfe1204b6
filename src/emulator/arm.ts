// ARM on the emulator's main origin: tenants, subscriptions, key vaults (listBySubscription, list via
// /resources, listByResourceGroup, get) and the Resource Graph `resources` query. Bearer-checked by the server
// with the ARM audiences before a handler runs.
import type { EmulatorConfig, ManagedHsmConfig, Principal, VaultConfig } from './model';
import { armSubscriptions, armVisible } from './rbac';
import { KqlError, parseQuery, runQuery, type Row } from './kql';
import { decodeSkipToken, encodeSkipToken } from './paging';
import type { HandlerResult } from './secrets';

export class ArmError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown[]) {
    super(message);
  }
  body(): unknown {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export interface ArmContext {
  config: EmulatorConfig;
  principal: Principal;
  tenant: string;
  vaultUrl: (vault: VaultConfig) => string;
  /** "https://localhost:<port>" as addressed by the client. */
  origin: string;
  query: ReadonlyMap<string, string>;
  readBody: () => unknown;
}

export interface ArmRoute {
  operation: string;
  run(ctx: ArmContext): HandlerResult;
}

export function vaultId(v: VaultConfig): string {
  return `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.KeyVault/vaults/${v.name}`;
}

export function vaultResource(v: VaultConfig, ctx: Pick<ArmContext, 'vaultUrl' | 'config'>): Record<string, unknown> {
  return {
    id: vaultId(v),
    name: v.name,
    type: 'Microsoft.KeyVault/vaults',
    location: v.location,
    tags: v.tags,
    properties: {
      sku: { family: 'A', name: v.sku },
      tenantId: v.tenantId,
      accessPolicies: v.rbac ? [] : v.accessPolicies.map((p) => ({
        tenantId: v.tenantId, objectId: p.objectId, permissions: { keys: [], secrets: p.secrets, certificates: [] },
      })),
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: v.softDeleteRetentionDays,
      enableRbacAuthorization: v.rbac,
      ...(v.purgeProtection ? { enablePurgeProtection: true } : {}),
      vaultUri: ctx.vaultUrl(v),
      provisioningState: 'Succeeded',
      publicNetworkAccess: v.firewall === 'deny' ? 'Disabled' : 'Enabled',
      networkAcls: { bypass: 'AzureServices', defaultAction: v.firewall === 'deny' ? 'Deny' : 'Allow', ipRules: [], virtualNetworkRules: [] },
    },
  };
}

function visibleVaults(ctx: ArmContext, subscriptionId: string): VaultConfig[] {
  checkSubscription(ctx, subscriptionId);
  return ctx.config.vaults
    .filter((v) => v.subscriptionId === subscriptionId.toLowerCase() && armVisible(ctx.principal, v))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

function checkSubscription(ctx: ArmContext, subscriptionId: string): void {
  const sub = ctx.config.subscriptions.find((s) => s.id === subscriptionId.toLowerCase());
  if (!sub) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  if (!armSubscriptions(ctx.config, ctx.principal, ctx.tenant).includes(sub.id)) {
    throw new ArmError(403, 'AuthorizationFailed',
      `The client '${ctx.principal.objectId}' with object id '${ctx.principal.objectId}' does not have authorization to perform action ` +
      `'Microsoft.KeyVault/vaults/read' over scope '/subscriptions/${subscriptionId}' or the scope is invalid.`);
  }
}

/** ARM paging: `$top` page size, nextLink with `$skiptoken` on the request's origin and path. */
function pageOf<T>(ctx: ArmContext, path: string, items: T[], key: (t: T) => string): { value: T[]; nextLink?: string } {
  const topRaw = ctx.query.get('$top');
  const top = topRaw !== undefined && /^\d+$/.test(topRaw) && Number(topRaw) > 0 ? Math.min(Number(topRaw), 1000) : 1000;
  const token = ctx.query.get('$skiptoken');
  let start = 0;
  if (token) {
    const from = decodeSkipToken(token);
    start = items.findIndex((x) => key(x) >= from);
    if (start < 0) start = items.length;
  }
  const value = items.slice(start, start + top);
  const next = items[start + top];
  if (next === undefined) return { value };
  const q = new URLSearchParams();
  for (const [k, v] of ctx.query) if (k !== '$skiptoken') q.set(k, v);
  q.set('$skiptoken', encodeSkipToken(key(next)));
  return { value, nextLink: `${ctx.origin}${path}?${q.toString()}` };
}

function tenants(ctx: ArmContext): HandlerResult {
  const value = ctx.config.tenants.filter((t) => ctx.principal.tenants.includes(t.id)).map((t) => ({
    id: `/tenants/${t.id}`, tenantId: t.id, tenantCategory: t.id === ctx.principal.tenants[0] ? 'Home' : 'ProjectedBy',
    countryCode: 'NL', displayName: t.displayName, domains: [t.defaultDomain], defaultDomain: t.defaultDomain, tenantType: 'AAD',
  }));
  return { status: 200, body: { value } };
}

function subscriptionJson(ctx: ArmContext, id: string): Record<string, unknown> {
  const s = ctx.config.subscriptions.find((x) => x.id === id)!;
  return {
    id: `/subscriptions/${s.id}`, authorizationSource: 'RoleBased', managedByTenants: [], subscriptionId: s.id,
    tenantId: s.tenantId, displayName: s.displayName, state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

function subscriptions(ctx: ArmContext): HandlerResult {
  const ids = armSubscriptions(ctx.config, ctx.principal, ctx.tenant);
  return { status: 200, body: { value: ids.map((id) => subscriptionJson(ctx, id)), count: { type: 'Total', value: ids.length } } };
}

function subscription(ctx: ArmContext, id: string): HandlerResult {
  checkSubscription(ctx, id);
  return { status: 200, body: subscriptionJson(ctx, id.toLowerCase()) };
}

function listBySubscription(ctx: ArmContext, sub: string, path: string, rg?: string): HandlerResult {
  let vaults = visibleVaults(ctx, sub);
  if (rg !== undefined) vaults = vaults.filter((v) => v.resourceGroup.toLowerCase() === rg.toLowerCase());
  const p = pageOf(ctx, path, vaults, (v) => v.name.toLowerCase());
  return { status: 200, body: { value: p.value.map((v) => vaultResource(v, ctx)), ...(p.nextLink ? { nextLink: p.nextLink } : {}) } };
}

function getVault(ctx: ArmContext, sub: string, rg: string, name: string): HandlerResult {
  const v = visibleVaults(ctx, sub).find((x) => x.name.toLowerCase() === name.toLowerCase() && x.resourceGroup.toLowerCase() === rg.toLowerCase());
  if (!v) {
    throw new ArmError(404, 'ResourceNotFound',
      `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return { status: 200, body: vaultResource(v, ctx) };
}

function genericResources(ctx: ArmContext, sub: string, path: string): HandlerResult {
  const filter = ctx.query.get('$filter');
  if (filter !== undefined && !/^resourceType\s+eq\s+'Microsoft\.KeyVault\/vaults'$/i.test(filter.trim())) {
    // Only key vaults exist in the emulator; other resource types simply have no rows.
    if (!/^resourceType\s+eq\s+'[^']+'$/i.test(filter.trim())) {
      throw new ArmError(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`);
    }
    return { status: 200, body: { value: [] } };
  }
  const vaults = visibleVaults(ctx, sub);
  const p = pageOf(ctx, path, vaults, (v) => v.name.toLowerCase());
  const value = p.value.map((v) => ({ id: vaultId(v), name: v.name, type: 'Microsoft.KeyVault/vaults', location: v.location, tags: v.tags }));
  return { status: 200, body: { value, ...(p.nextLink ? { nextLink: p.nextLink } : {}) } };
}

export function graphRow(v: VaultConfig, ctx: Pick<ArmContext, 'vaultUrl' | 'config'>): Row {
  const r = vaultResource(v, ctx);
  return {
    id: r.id, name: v.name, type: 'microsoft.keyvault/vaults', tenantId: v.tenantId, kind: '', location: v.location,
    resourceGroup: v.resourceGroup.toLowerCase(), subscriptionId: v.subscriptionId, managedBy: '',
    sku: null, plan: null, properties: r.properties, tags: v.tags, identity: null, zones: null, extendedLocation: null,
  };
}

function resourceGraph(ctx: ArmContext): HandlerResult {
  const b = ctx.readBody() as { subscriptions?: unknown; query?: unknown; options?: Record<string, unknown> } | undefined;
  if (!b || typeof b.query !== 'string') throw new ArmError(400, 'BadRequest', 'The request body must contain a query.');
  let q;
  try {
    q = parseQuery(b.query);
  } catch (e) {
    const msg = e instanceof KqlError ? e.message : 'invalid query';
    throw new ArmError(400, 'BadRequest', 'Please provide below info when asking for support: timestamp = ' + new Date().toISOString() + '.',
      [{ code: 'InvalidQuery', message: 'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.' },
        { code: 'ParserFailure', message: msg }]);
  }
  // Like Azure (e.g. Lighthouse delegation), one query covers every requested subscription the caller can see
  // through any of its tenants; the others are silently left out.
  // Without `subscriptions` the query runs at the token tenant's scope.
  const visible = ctx.principal.tenants.flatMap((t) => armSubscriptions(ctx.config, ctx.principal, t));
  const asked = Array.isArray(b.subscriptions) ? (b.subscriptions as unknown[]).map((s) => String(s).toLowerCase())
    : armSubscriptions(ctx.config, ctx.principal, ctx.tenant);
  const subs = new Set(asked.filter((s) => visible.includes(s)));
  const rows = ctx.config.vaults
    .filter((v) => subs.has(v.subscriptionId) && armVisible(ctx.principal, v))
    .sort((a, b2) => a.name.toLowerCase().localeCompare(b2.name.toLowerCase()))
    .map((v) => graphRow(v, ctx));
  const result = runQuery(q, rows);
  const opts = b.options ?? {};
  let skip = typeof opts.$skip === 'number' ? opts.$skip : 0;
  if (typeof opts.$skipToken === 'string' && opts.$skipToken) {
    const k = decodeSkipToken(opts.$skipToken);
    skip = /^\d+$/.test(k) ? Number(k) : 0;
  }
  const top = typeof opts.$top === 'number' && opts.$top > 0 ? Math.min(opts.$top, 1000) : 1000;
  const pageRows = result.slice(skip, skip + top);
  const more = skip + top < result.length;
  let data: unknown = pageRows;
  if (opts.resultFormat === 'table') {
    const cols = pageRows.length ? Object.keys(pageRows[0]) : [];
    data = {
      columns: cols.map((c) => ({ name: c, type: typeof pageRows[0][c] === 'object' ? 'object' : 'string' })),
      rows: pageRows.map((r) => cols.map((c) => r[c])),
    };
  }
  return {
    status: 200,
    body: {
      totalRecords: result.length, count: pageRows.length, data, facets: [], resultTruncated: 'false',
      ...(more ? { $skipToken: encodeSkipToken(String(skip + top)) } : {}),
    },
  };
}

// ---- Managed HSMs: GET /subscriptions/{id}/providers/Microsoft.KeyVault/managedHSMs answers {"value": []} for a
// subscription without HSMs (Microsoft.KeyVault REST spec, ManagedHsms_ListBySubscription); get of one that does not
// exist is 404 ResourceNotFound like any ARM resource. HSMs are visible with a role on their subscription.

function hsmId(h: ManagedHsmConfig): string {
  return `/subscriptions/${h.subscriptionId}/resourceGroups/${h.resourceGroup}/providers/Microsoft.KeyVault/managedHSMs/${h.name}`;
}

function hsmResource(h: ManagedHsmConfig): Record<string, unknown> {
  return {
    id: hsmId(h), name: h.name, type: 'Microsoft.KeyVault/managedHSMs', location: h.location, tags: h.tags,
    sku: { family: 'B', name: 'Standard_B1' },
    properties: {
      tenantId: h.tenantId, initialAdminObjectIds: [], hsmUri: `https://${h.name}.managedhsm.localhost/`, enableSoftDelete: true,
      softDeleteRetentionInDays: 90, enablePurgeProtection: false, provisioningState: 'Succeeded', statusMessage: 'The Managed HSM is provisioned and ready to use.',
      publicNetworkAccess: 'Enabled', networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] },
    },
  };
}

function visibleHsms(ctx: ArmContext, subscriptionId: string, rg?: string): ManagedHsmConfig[] {
  checkSubscription(ctx, subscriptionId);
  const sub = subscriptionId.toLowerCase();
  const seesSubscription = ctx.principal.roles.some((r) => r.arm !== false && r.subscription?.toLowerCase() === sub);
  if (!seesSubscription) return [];
  return (ctx.config.managedHsms ?? [])
    .filter((h) => h.subscriptionId === sub && (rg === undefined || h.resourceGroup.toLowerCase() === rg.toLowerCase()))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

function listHsms(ctx: ArmContext, sub: string, path: string, rg?: string): HandlerResult {
  const p = pageOf(ctx, path, visibleHsms(ctx, sub, rg), (h) => h.name.toLowerCase());
  return { status: 200, body: { value: p.value.map(hsmResource), ...(p.nextLink ? { nextLink: p.nextLink } : {}) } };
}

function getHsm(ctx: ArmContext, sub: string, rg: string, name: string): HandlerResult {
  const h = visibleHsms(ctx, sub, rg).find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!h) {
    throw new ArmError(404, 'ResourceNotFound',
      `The Resource 'Microsoft.KeyVault/managedHSMs/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return { status: 200, body: hsmResource(h) };
}

/** `segments` are the decoded, non-empty path segments. */
export function routeArm(method: string, segments: readonly string[]): ArmRoute | undefined {
  const s = segments;
  const lc = s.map((x) => x.toLowerCase());
  const path = '/' + s.join('/');
  if (method === 'GET' && s.length === 1 && lc[0] === 'tenants') return { operation: 'tenants.list', run: tenants };
  if (method === 'GET' && s.length === 1 && lc[0] === 'subscriptions') return { operation: 'subscriptions.list', run: subscriptions };
  if (method === 'GET' && s.length === 2 && lc[0] === 'subscriptions') return { operation: 'subscriptions.get', run: (c) => subscription(c, s[1]) };
  if (method === 'POST' && lc.join('/') === 'providers/microsoft.resourcegraph/resources') return { operation: 'resourceGraph', run: resourceGraph };
  if (method !== 'GET' || lc[0] !== 'subscriptions') return undefined;
  if (s.length === 5 && lc[2] === 'providers' && lc[3] === 'microsoft.keyvault' && lc[4] === 'vaults') {
    return { operation: 'vaults.listBySubscription', run: (c) => listBySubscription(c, s[1], path) };
  }
  if (s.length === 3 && lc[2] === 'resources') return { operation: 'vaults.list', run: (c) => genericResources(c, s[1], path) };
  if (s.length === 5 && lc[2] === 'providers' && lc[3] === 'microsoft.keyvault' && lc[4] === 'managedhsms') {
    return { operation: 'managedHsms.list', run: (c) => listHsms(c, s[1], path) };
  }
  if (s.length === 7 && lc[2] === 'resourcegroups' && lc[4] === 'providers' && lc[5] === 'microsoft.keyvault' && lc[6] === 'managedhsms') {
    return { operation: 'managedHsms.list', run: (c) => listHsms(c, s[1], path, s[3]) };
  }
  if (s.length === 8 && lc[2] === 'resourcegroups' && lc[4] === 'providers' && lc[5] === 'microsoft.keyvault' && lc[6] === 'managedhsms') {
    return { operation: 'managedHsms.get', run: (c) => getHsm(c, s[1], s[3], s[7]) };
  }
  if (s.length === 7 && lc[2] === 'resourcegroups' && lc[4] === 'providers' && lc[5] === 'microsoft.keyvault' && lc[6] === 'vaults') {
    return { operation: 'vaults.listByResourceGroup', run: (c) => listBySubscription(c, s[1], path, s[3]) };
  }
  if (s.length === 8 && lc[2] === 'resourcegroups' && lc[4] === 'providers' && lc[5] === 'microsoft.keyvault' && lc[6] === 'vaults') {
    return { operation: 'vaults.get', run: (c) => getVault(c, s[1], s[3], s[7]) };
  }
  return undefined;
}
