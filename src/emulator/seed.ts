// Seed file (JSON) → configuration + initial secrets. Configuration is read on every start; secrets of a
// vault are seeded once (a persisted store keeps later changes). Times accept Unix seconds, ISO strings or
// offsets from now such as "-30d", "+2h", "+15m" (see docs/emulator.md).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FaultRuleError, validateRules } from './faults';
import {
  MAX_TOKEN_LIFETIME_S, MAX_UNIX_TIME, MIN_TOKEN_LIFETIME_S, isUnixTimeInRange,
  type AccessPolicy, type EmulatorConfig, type FaultRule, type FederatedCredential, type ManagedHsmConfig, type Principal, type RoleAssignment, type SecretRecord,
  type SecretVersion, type VaultConfig,
} from './model';
import { ROLE_NAMES } from './rbac';
import { checkContentType, checkTags, checkValue, isValidSecretName, isValidVaultName } from './names';
import { WINDOW_KEYS, WindowError, ZERO_WINDOWS, windowMs, type VaultWindows } from './windows';

export const DEFAULT_TENANT = '7c1f3a52-9d4e-4b8a-a6f2-3e5d8c0b1a01';
export const DEFAULT_SUBSCRIPTION = '3b9e2d41-6f7a-4c3e-9b1d-8a2f5e6c7d02';
export const DEFAULT_CLIENT_ID = 'e5a1c9d3-2b4f-4e6a-8c7d-9f0e1a2b3c04';
export const DEFAULT_OBJECT_ID = 'a4d2b6f8-1c3e-4a5b-9d7f-0e2c4a6b8d05';
/** Subject of the default principal's federated credential (a Kubernetes service account, as on AKS). */
export const DEFAULT_FEDERATED_SUBJECT = 'system:serviceaccount:default:emulator-admin';
/** The audience Entra requires in federated assertions. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

type Json = Record<string, unknown>;

export interface SeedSecretVersion {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number | string;
  exp?: number | string;
  created?: number | string;
  updated?: number | string;
  version?: string;
}

export interface SeedSecret extends SeedSecretVersion {
  name: string;
  versions?: SeedSecretVersion[];
  managed?: boolean;
  deleted?: boolean | { deletedDate?: number | string };
}

export interface SeedData {
  config: EmulatorConfig;
  /** vault name (lower case) → initial records */
  secrets: Map<string, SecretRecord[]>;
}

export class SeedError extends Error {}

/** Seconds since epoch from a number, ISO date, or an offset like "-30d" / "+2h" / "+15m" / "-10s". */
export function parseTime(v: unknown, now = Math.floor(Date.now() / 1000)): number | undefined {
  const t = parseTimeUnchecked(v, now);
  if (t !== undefined && !isUnixTimeInRange(t)) {
    throw new SeedError(`time ${JSON.stringify(v)} is out of range (1970-01-01 to 9999-12-31, Unix seconds 0-${MAX_UNIX_TIME})`);
  }
  return t;
}

function parseTimeUnchecked(v: unknown, now: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v === 'string') {
    const m = /^([+-])(\d+(?:\.\d+)?)([smhd])$/.exec(v.trim());
    if (m) {
      const mult = { s: 1, m: 60, h: 3600, d: 86400 }[m[3] as 's' | 'm' | 'h' | 'd'];
      return now + (m[1] === '-' ? -1 : 1) * Math.round(Number(m[2]) * mult);
    }
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return Math.floor(t / 1000);
  }
  throw new SeedError(`invalid time ${JSON.stringify(v)} (use Unix seconds, an ISO date or an offset like "-30d")`);
}

export const newVersion = (): string => crypto.randomUUID().replace(/-/g, '');

/** A stable GUID-shaped id derived from a string (for seeds that leave ids out). */
export function stableGuid(s: string): string {
  const h = crypto.createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const asArray = (v: unknown, what: string): Json[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SeedError(`${what} must be an array`);
  return v as Json[];
};

const str = (v: unknown, what: string, dflt?: string): string => {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new SeedError(`${what} is required`);
  }
  if (typeof v !== 'string') throw new SeedError(`${what} must be a string`);
  return v;
};

function version(v: SeedSecretVersion, where: string, now: number): SecretVersion {
  try {
    checkValue(v.value);
    checkContentType(v.contentType);
    checkTags(v.tags);
  } catch (e) {
    throw new SeedError(`${where}: ${(e as Error).message}`);
  }
  const created = parseTime(v.created, now) ?? now;
  return {
    version: v.version && /^[0-9a-f]{32}$/.test(v.version) ? v.version : newVersion(),
    value: v.value,
    contentType: v.contentType,
    tags: v.tags,
    enabled: v.enabled ?? true,
    nbf: parseTime(v.nbf, now),
    exp: parseTime(v.exp, now),
    created,
    updated: parseTime(v.updated, now) ?? created,
  };
}

function secretRecord(s: SeedSecret, vault: VaultConfig, now: number): SecretRecord {
  const where = `vault ${vault.name}, secret ${s.name}`;
  if (typeof s.name !== 'string' || !isValidSecretName(s.name)) throw new SeedError(`${where}: invalid secret name`);
  const seedVersions = s.versions && s.versions.length ? s.versions : [s];
  const versions = seedVersions.map((v) => version(v, where, now)).sort((a, b) => a.created - b.created);
  const rec: SecretRecord = { name: s.name, versions };
  if (s.managed) {
    rec.managed = true;
    rec.kidName = s.name;
  }
  if (s.deleted) {
    const deletedDate = (typeof s.deleted === 'object' ? parseTime(s.deleted.deletedDate, now) : undefined) ?? now;
    rec.deleted = { deletedDate, scheduledPurgeDate: deletedDate + vault.softDeleteRetentionDays * 86400 };
  }
  return rec;
}

/** A fresh random client secret for the default principal. */
export function newClientSecret(): string {
  return `kvemu-${crypto.randomBytes(24).toString('base64url')}`;
}

export const DEFAULT_SECRET_FILE = 'default-principal.json';

/**
 * The default principal's client secret of a data folder: read from `DIR/default-principal.json` (0600), or
 * generated and written there on first use. Concurrent first starts agree: the file is created with link(2),
 * which fails when it exists, and the loser reads the winner's secret.
 */
export function loadOrCreateDefaultSecret(dir: string): string {
  const file = path.join(dir, DEFAULT_SECRET_FILE);
  const read = (): string | undefined => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let secret: unknown;
    try {
      secret = (JSON.parse(text) as { clientSecret?: unknown } | null)?.clientSecret;
    } catch {
      secret = undefined;
    }
    if (typeof secret !== 'string' || secret.length < 16) throw new SeedError(`${file} holds no clientSecret; delete it to make a new one`);
    try {
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    } catch {
      // best effort
    }
    return secret;
  };
  const existing = read();
  if (existing) return existing;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = newClientSecret();
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ clientSecret: secret }) + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return read()!;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The seed used without --seed: one tenant, subscription, vault `dev` and an administrator principal. */
export function defaultSeed(clientSecret: string = newClientSecret()): Json {
  return {
    tenants: [{ id: DEFAULT_TENANT, displayName: 'Emulator Tenant', defaultDomain: 'emulator.onmicrosoft.com' }],
    subscriptions: [{ id: DEFAULT_SUBSCRIPTION, tenantId: DEFAULT_TENANT, displayName: 'Emulator Subscription' }],
    vaults: [{ name: 'dev', subscriptionId: DEFAULT_SUBSCRIPTION }],
    principals: [{
      clientId: DEFAULT_CLIENT_ID, clientSecret, objectId: DEFAULT_OBJECT_ID,
      displayName: 'emulator-admin', roles: [{ role: 'Key Vault Administrator', vault: 'dev' }],
      // Workload identity (the emulator's local issuer) and the managed-identity endpoint work out of the box.
      federatedCredentials: [{ issuer: 'local', subject: DEFAULT_FEDERATED_SUBJECT }],
      managedIdentity: 'system',
    }],
  };
}

export function loadSeedFile(file: string, windowDefaults: Partial<VaultWindows> = {}): SeedData {
  let json: Json;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (e) {
    throw new SeedError(`cannot read seed ${file}: ${(e as Error).message}`);
  }
  return parseSeed(json, undefined, windowDefaults);
}

/**
 * `windowDefaults`: window lengths for vaults that do not set their own (CLI flags); each vault's
 * `deleteDelayMs`, `recoverDelayMs`, `purgeDelayMs` wins.
 */
export function parseSeed(json: Json, now = Math.floor(Date.now() / 1000), windowDefaults: Partial<VaultWindows> = {}): SeedData {
  const tenants = asArray(json.tenants, 'tenants').map((t, i) => ({
    id: str(t.id, `tenants[${i}].id`).toLowerCase(),
    displayName: str(t.displayName, 'displayName', `Tenant ${i + 1}`),
    defaultDomain: str(t.defaultDomain, 'defaultDomain', `tenant${i + 1}.onmicrosoft.com`),
  }));
  if (tenants.length === 0) tenants.push({ id: DEFAULT_TENANT, displayName: 'Emulator Tenant', defaultDomain: 'emulator.onmicrosoft.com' });
  const tenantIds = new Set(tenants.map((t) => t.id));

  const subscriptions = asArray(json.subscriptions, 'subscriptions').map((s, i) => {
    const tenantId = str(s.tenantId, `subscriptions[${i}].tenantId`, tenants[0].id).toLowerCase();
    if (!tenantIds.has(tenantId)) throw new SeedError(`subscriptions[${i}]: unknown tenant ${tenantId}`);
    return { id: str(s.id, `subscriptions[${i}].id`).toLowerCase(), tenantId, displayName: str(s.displayName, 'displayName', `Subscription ${i + 1}`) };
  });
  if (subscriptions.length === 0) subscriptions.push({ id: DEFAULT_SUBSCRIPTION, tenantId: tenants[0].id, displayName: 'Emulator Subscription' });

  const secrets = new Map<string, SecretRecord[]>();
  const vaults: VaultConfig[] = asArray(json.vaults, 'vaults').map((v, i) => {
    const name = str(v.name, `vaults[${i}].name`);
    if (!isValidVaultName(name)) throw new SeedError(`vaults[${i}]: invalid vault name ${name} (3-24 letters, digits, hyphens)`);
    const subscriptionId = str(v.subscriptionId ?? v.subscription, `vaults[${i}].subscriptionId`, subscriptions[0].id).toLowerCase();
    const sub = subscriptions.find((s) => s.id === subscriptionId);
    if (!sub) throw new SeedError(`vault ${name}: unknown subscription ${subscriptionId}`);
    const days = (v.softDeleteRetentionDays ?? v.softDeleteRetentionInDays ?? 90) as number;
    if (typeof days !== 'number' || days < 7 || days > 90) throw new SeedError(`vault ${name}: softDeleteRetentionDays must be 7-90`);
    const vault: VaultConfig = {
      name,
      subscriptionId,
      tenantId: sub.tenantId,
      resourceGroup: str(v.resourceGroup, 'resourceGroup', 'rg-keyvault-emulator'),
      location: str(v.location, 'location', 'westeurope'),
      sku: v.sku === 'premium' ? 'premium' : 'standard',
      softDeleteRetentionDays: days,
      purgeProtection: v.purgeProtection === true || v.enablePurgeProtection === true,
      rbac: v.rbac !== false && v.enableRbacAuthorization !== false,
      accessPolicies: asArray(v.accessPolicies, `vault ${name} accessPolicies`).map((p) => ({
        objectId: str(p.objectId, 'accessPolicies.objectId'),
        secrets: (Array.isArray(p.secrets) ? p.secrets : []) as AccessPolicy['secrets'],
      })),
      firewall: v.firewall === 'deny' ? 'deny' : 'allow',
      ...windowsFrom(v, name, windowDefaults),
      tags: (v.tags ?? {}) as Record<string, string>,
    };
    if (secrets.has(name.toLowerCase())) throw new SeedError(`duplicate vault ${name}`);
    const recs = asArray(v.secrets, `vault ${name} secrets`).map((s) => secretRecord(s as unknown as SeedSecret, vault, now));
    const seen = new Set<string>();
    for (const r of recs) {
      if (seen.has(r.name.toLowerCase())) throw new SeedError(`vault ${name}: duplicate secret ${r.name}`);
      seen.add(r.name.toLowerCase());
    }
    secrets.set(name.toLowerCase(), recs);
    return vault;
  });

  const principals: Principal[] = asArray(json.principals, 'principals').map((p, i) => {
    const clientId = str(p.clientId, `principals[${i}].clientId`).toLowerCase();
    const ptenants = (Array.isArray(p.tenants) ? (p.tenants as string[]) : [p.tenantId ?? tenants[0].id]).map((t) => String(t).toLowerCase());
    for (const t of ptenants) if (!tenantIds.has(t)) throw new SeedError(`principal ${clientId}: unknown tenant ${t}`);
    const roles = asArray(p.roles, `principal ${clientId} roles`).map((r) => {
      const role = str(r.role, 'role') as RoleAssignment['role'];
      if (!ROLE_NAMES.includes(role)) throw new SeedError(`principal ${clientId}: unknown role ${role} (known: ${ROLE_NAMES.join(', ')})`);
      const ra: RoleAssignment = { role };
      if (typeof r.vault === 'string') ra.vault = r.vault;
      else if (typeof r.subscription === 'string') ra.subscription = r.subscription.toLowerCase();
      else throw new SeedError(`principal ${clientId}: role ${role} needs a vault or a subscription`);
      if (r.arm === false) ra.arm = false;
      return ra;
    });
    const principal: Principal = {
      clientId,
      clientSecret: str(p.clientSecret, `principals[${i}].clientSecret`),
      objectId: str(p.objectId, 'objectId', stableGuid(`oid:${clientId}`)).toLowerCase(),
      displayName: str(p.displayName, 'displayName', `principal-${i + 1}`),
      tenants: ptenants,
      roles,
      federatedCredentials: asArray(p.federatedCredentials, `principal ${clientId} federatedCredentials`)
        .map((f, j) => federatedCredential(f, `principal ${clientId} federatedCredentials[${j}]`)),
    };
    if (p.managedIdentity !== undefined && p.managedIdentity !== false) {
      if (p.managedIdentity !== 'system' && p.managedIdentity !== 'user' && p.managedIdentity !== true) {
        throw new SeedError(`principal ${clientId}: managedIdentity must be "system", "user" or true (= "user")`);
      }
      principal.managedIdentity = p.managedIdentity === 'system' ? 'system' : 'user';
    }
    return principal;
  });
  if (principals.filter((p) => p.managedIdentity === 'system').length > 1) {
    throw new SeedError('at most one principal can be the system-assigned managed identity (managedIdentity: "system")');
  }

  const managedHsms: ManagedHsmConfig[] = asArray(json.managedHsms, 'managedHsms').map((h, i) => {
    const name = str(h.name, `managedHsms[${i}].name`);
    if (!/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(name)) throw new SeedError(`managedHsms[${i}]: invalid name ${name} (3-24 letters, digits, hyphens)`);
    const subscriptionId = str(h.subscriptionId, `managedHsms[${i}].subscriptionId`, subscriptions[0].id).toLowerCase();
    const sub = subscriptions.find((x) => x.id === subscriptionId);
    if (!sub) throw new SeedError(`managed HSM ${name}: unknown subscription ${subscriptionId}`);
    return {
      name, subscriptionId, tenantId: sub.tenantId,
      resourceGroup: str(h.resourceGroup, 'resourceGroup', 'rg-keyvault-emulator'),
      location: str(h.location, 'location', 'westeurope'),
      tags: (h.tags ?? {}) as Record<string, string>,
    };
  });

  let faults: FaultRule[];
  try {
    faults = validateRules(json.faults ?? [], 'faults');
  } catch (e) {
    if (e instanceof FaultRuleError) throw new SeedError(e.message);
    throw e;
  }
  const config: EmulatorConfig = { tenants, subscriptions, vaults, principals, faults, managedHsms };
  if (json.tokenLifetimeSeconds !== undefined) config.tokenLifetimeSeconds = tokenLifetime(json.tokenLifetimeSeconds, 'tokenLifetimeSeconds');
  return { config, secrets };
}

/** The three windows of a seed vault (its own value, else the default, else 0), validated. */
function windowsFrom(v: Json, vault: string, defaults: Partial<VaultWindows>): VaultWindows {
  const out: VaultWindows = { ...ZERO_WINDOWS };
  for (const k of WINDOW_KEYS) {
    const raw = v[k] ?? defaults[k];
    if (raw === undefined) continue;
    try {
      out[k] = windowMs(raw, `vault ${vault}: ${k}`);
    } catch (e) {
      if (e instanceof WindowError) throw new SeedError(e.message);
      throw e;
    }
  }
  return out;
}

function federatedCredential(f: Json, where: string): FederatedCredential {
  if (!f || typeof f !== 'object' || Array.isArray(f)) throw new SeedError(`${where} must be an object`);
  for (const k of Object.keys(f)) {
    if (!['issuer', 'subject', 'audiences', 'jwks', 'name', 'description'].includes(k)) throw new SeedError(`${where}: unknown field "${k}"`);
  }
  const issuer = str(f.issuer, `${where}.issuer`, 'local');
  if (issuer !== 'local' && !/^https:\/\/[^\s]+$/.test(issuer)) throw new SeedError(`${where}: issuer must be "local" or an https URL`);
  const subject = str(f.subject, `${where}.subject`);
  if (!subject) throw new SeedError(`${where}: subject must not be empty`);
  const audiences = f.audiences === undefined ? [TOKEN_EXCHANGE_AUDIENCE] : f.audiences;
  if (!Array.isArray(audiences) || !audiences.length || audiences.some((a) => typeof a !== 'string' || !a)) {
    throw new SeedError(`${where}: audiences must be a non-empty array of strings`);
  }
  const out: FederatedCredential = { issuer, subject, audiences: audiences as string[] };
  if (f.jwks !== undefined) {
    const keys = (f.jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || !keys.length || keys.some((k) => !k || typeof k !== 'object')) throw new SeedError(`${where}: jwks must be {"keys":[…]}`);
    out.jwks = { keys: keys as Record<string, unknown>[] };
  }
  if (issuer !== 'local' && !out.jwks) throw new SeedError(`${where}: an issuer other than "local" needs its public keys in "jwks" (the emulator fetches nothing)`);
  return out;
}

/** A token lifetime in seconds (integer, 1 to 86400); throws SeedError with `what` otherwise. */
export function tokenLifetime(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < MIN_TOKEN_LIFETIME_S || (v as number) > MAX_TOKEN_LIFETIME_S) {
    throw new SeedError(`${what} must be an integer number of seconds from ${MIN_TOKEN_LIFETIME_S} to ${MAX_TOKEN_LIFETIME_S}`);
  }
  return v as number;
}
