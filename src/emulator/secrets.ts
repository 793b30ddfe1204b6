// The secrets data plane of one vault. `routeSecrets` maps method + path to an operation (its stats name and
// RBAC data action) before any body is read, so authentication can answer 401/403 first; the handler then
// validates and runs. Shapes follow the service's SecretBundle / SecretItem / DeletedSecretBundle.
import { KvError, badParameter, deletedSecretNotFound, secretNotFound } from './errors';
import { decodeBackup, encodeBackup } from './backup';
import { checkContentType, checkSecretName, checkTags, checkValue } from './names';
import { MAX_UNIX_TIME, isUnixTimeInRange, latest, nowSeconds, type SecretRecord, type SecretVersion, type VaultConfig } from './model';
import { decodeSkipToken, nextLink, page, parseMaxResults } from './paging';
import { newVersion } from './seed';
import { Actions } from './rbac';
import type { SecretStore } from './store';
import { shapeOf, type ApiShape } from './apiversions';
import { Transit, beingDeleted, beingDeletedNoName, beingPurged, beingRecovered } from './windows';

export interface SecretsContext {
  vault: VaultConfig;
  store: SecretStore;
  /** "https://<vault>.vault.localhost:<port>" as the client addressed it (from the Host header). */
  origin: string;
  sealKey: Buffer;
  query: ReadonlyMap<string, string>;
  readBody: () => unknown;
  /** Names in the recover or purge window (shared by all requests of one emulator). */
  transit?: Transit;
  /** Fields that depend on the request's api-version (default: the latest). */
  shape?: ApiShape;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** JSON.stringify(body), when it was cached (the server then sends it as is). */
  json?: string;
  /** Buffer.byteLength(json), when that was cached too. */
  byteLength?: number;
}

export interface SecretsRoute {
  operation: string;
  action: string;
  run(ctx: SecretsContext): HandlerResult;
}

export function recoveryLevel(v: VaultConfig): string {
  const base = v.softDeleteRetentionDays < 90 ? 'CustomizedRecoverable' : 'Recoverable';
  return v.purgeProtection ? base : `${base}+Purgeable`;
}

const LATEST_SHAPE = shapeOf('2026-04-01');

function attributes(ver: SecretVersion, vault: VaultConfig, shape: ApiShape = LATEST_SHAPE): Record<string, unknown> {
  const a: Record<string, unknown> = { enabled: ver.enabled };
  if (ver.nbf !== undefined) a.nbf = ver.nbf;
  if (ver.exp !== undefined) a.exp = ver.exp;
  a.created = ver.created;
  a.updated = ver.updated;
  // recoverableDays came with 7.1, recoveryLevel with 2016-10-01 (see apiversions.ts).
  if (shape.recoverableDays) a.recoverableDays = vault.softDeleteRetentionDays;
  if (shape.recoveryLevel) a.recoveryLevel = recoveryLevel(vault);
  return a;
}

/** SecretItem fields (lists): id, contentType, attributes, tags, managed — no value, no kid. */
function common(rec: SecretRecord, ver: SecretVersion, ctx: SecretsContext, id: string): Record<string, unknown> {
  const out: Record<string, unknown> = { id };
  if (ver.contentType !== undefined) out.contentType = ver.contentType;
  out.attributes = attributes(ver, ctx.vault, ctx.shape);
  if (ver.tags !== undefined) out.tags = ver.tags;
  if (rec.managed) out.managed = true;
  return out;
}

export function bundle(rec: SecretRecord, ver: SecretVersion, ctx: SecretsContext, withValue: boolean): Record<string, unknown> {
  const b = common(rec, ver, ctx, `${ctx.origin}/secrets/${rec.name}/${ver.version}`);
  if (rec.managed) b.kid = `${ctx.origin}/keys/${rec.kidName ?? rec.name}/${ver.version}`;
  return withValue ? { value: ver.value, ...b } : b;
}

function deletedFields(rec: SecretRecord, ctx: SecretsContext): Record<string, unknown> {
  return {
    recoveryId: `${ctx.origin}/deletedsecrets/${rec.name}`,
    deletedDate: rec.deleted!.deletedDate,
    scheduledPurgeDate: rec.deleted!.scheduledPurgeDate,
  };
}

function deletedBundle(rec: SecretRecord, ctx: SecretsContext): Record<string, unknown> {
  return { ...deletedFields(rec, ctx), ...bundle(rec, latest(rec), ctx, false) };
}

const isPending = (rec: SecretRecord) => rec.deleted?.pendingUntil !== undefined && rec.deleted.pendingUntil > Date.now();

const lastSweep = new WeakMap<VaultConfig, number>();
/** Purges deleted secrets whose scheduled purge date has passed (at most once a second per vault). */
function sweep(ctx: SecretsContext): void {
  const now = Date.now();
  if ((lastSweep.get(ctx.vault) ?? 0) > now - 1000) return;
  lastSweep.set(ctx.vault, now);
  const due: string[] = [];
  for (const k of ctx.store.deletedKeys(ctx.vault.name)) {
    const r = ctx.store.get(ctx.vault.name, k);
    if (r?.deleted && r.deleted.scheduledPurgeDate * 1000 <= now) due.push(r.name);
  }
  for (const name of due) ctx.store.remove(ctx.vault.name, name);
}

/** The recover or purge window the name is in, if any. */
const transitOf = (ctx: SecretsContext, name: string) => ctx.transit?.get(ctx.vault.name, name);

function live(ctx: SecretsContext, name: string): SecretRecord {
  checkSecretName(name);
  const rec = ctx.store.get(ctx.vault.name, name);
  // In the recover window the secret does not answer yet (the recover poller polls get until it does).
  if (!rec || rec.deleted || transitOf(ctx, name)) throw secretNotFound(name);
  return rec;
}

function findVersion(rec: SecretRecord, name: string, version: string): SecretVersion {
  if (!version) return latest(rec);
  const v = rec.versions.find((x) => x.version === version.toLowerCase());
  if (!v) throw secretNotFound(`${name}/${version}`);
  return v;
}

/**
 * The deleted record of a name. In the delete window get-deleted answers 404 (the delete poller polls it),
 * while purge and recover answer 409 "Secret is currently being deleted." (`inDeleteWindow: 'conflict'`).
 */
function deleted(ctx: SecretsContext, name: string, inDeleteWindow: 'notFound' | 'conflict' = 'notFound'): SecretRecord {
  checkSecretName(name);
  const rec = ctx.store.get(ctx.vault.name, name);
  if (!rec || !rec.deleted || transitOf(ctx, name)) throw deletedSecretNotFound(name);
  if (isPending(rec)) throw inDeleteWindow === 'conflict' ? beingDeletedNoName() : deletedSecretNotFound(name);
  return rec;
}

/** Creating a name (set, restore) that is in a window: the service's 409 for that window. */
function checkNotInTransit(ctx: SecretsContext, name: string, existing: SecretRecord | undefined): void {
  if (existing && isPending(existing)) throw beingDeleted(existing.name);
  const t = transitOf(ctx, name);
  if (t === 'recovering') throw beingRecovered(existing?.name ?? name);
  if (t === 'purging') throw beingPurged(name);
}

const conflictDeleted = (rec: SecretRecord) => isPending(rec)
  ? beingDeleted(rec.name)
  : new KvError(409, 'Conflict',
    `Secret ${rec.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this ` +
    'state, the secret can only be recovered or purged.', 'ObjectIsDeletedButRecoverable');

// The service's answer to writing a certificate's secret (seen for set: hashicorp/terraform-provider-azurerm#5659);
// the emulator uses the same shape for update, delete and backup.
const managedForbidden = (op: string) => new KvError(403, 'Forbidden',
  `Operation "${op}" is not allowed as this object's lifetime is managed by Key Vault.`, 'SecretManagedByKeyVault');

function body(ctx: SecretsContext): Record<string, unknown> {
  const b = ctx.readBody();
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badParameter('The request body is missing or is not a JSON object.');
  return b as Record<string, unknown>;
}

function parseAttributes(a: unknown): { enabled?: boolean; nbf?: number | null; exp?: number | null } {
  if (a === undefined || a === null) return {};
  if (typeof a !== 'object') throw badParameter('The parameter attributes must be an object.');
  const o = a as Record<string, unknown>;
  const out: { enabled?: boolean; nbf?: number | null; exp?: number | null } = {};
  if (o.enabled !== undefined && o.enabled !== null) {
    if (typeof o.enabled !== 'boolean') throw badParameter('The attribute enabled must be a boolean.');
    out.enabled = o.enabled;
  }
  for (const k of ['nbf', 'exp'] as const) {
    if (o[k] === undefined) continue;
    if (o[k] === null) out[k] = null;
    else if (typeof o[k] === 'number' && Number.isFinite(o[k])) {
      // The service keeps times as .NET dates: before 1970 or after 9999-12-31 is a BadParameter, not a value.
      if (!isUnixTimeInRange(o[k])) {
        throw badParameter(`The attribute ${k} is out of range: it must be a Unix time in seconds from 0 to ${MAX_UNIX_TIME} (9999-12-31T23:59:59Z).`);
      }
      out[k] = Math.floor(o[k]);
    } else throw badParameter(`The attribute ${k} must be a Unix time in seconds.`);
  }
  return out;
}

/**
 * Tags validated by the service's rules, stored faithfully: any name the service takes is a plain key, so
 * `__proto__`, `constructor` and `prototype` are kept as tags (a null-prototype object, never the prototype
 * slot of a plain object).
 */
function tagsOf(tags: unknown): Record<string, string> | undefined {
  if (checkTags(tags) === undefined) return undefined;
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(tags as Record<string, string>)) out[k] = v;
  return out;
}

function listResult<T>(ctx: SecretsContext, path: string, sorted: T[], key: (t: T) => string, map: (t: T) => unknown): HandlerResult {
  const maxRaw = ctx.query.get('maxresults');
  const size = parseMaxResults(maxRaw);
  const token = ctx.query.get('$skiptoken');
  const from = token ? decodeSkipToken(token) : undefined;
  const p = page(sorted, key, size, from);
  return {
    status: 200,
    body: {
      value: p.items.map(map),
      nextLink: nextLink(ctx.origin, path, ctx.query.get('api-version'), p.next, maxRaw ? size : undefined),
    },
  };
}

/**
 * One list page straight off the store's sorted index: binary search to the skip token's name, then a walk
 * that stops at the first included record after the page (the next page's key) — no sort, no scan from the start.
 */
function indexedListResult(ctx: SecretsContext, path: string, include: (r: SecretRecord) => boolean,
  map: (r: SecretRecord) => unknown): HandlerResult {
  const maxRaw = ctx.query.get('maxresults');
  const size = parseMaxResults(maxRaw);
  const token = ctx.query.get('$skiptoken');
  const from = token ? decodeSkipToken(token) : undefined;
  const value: unknown[] = [];
  let next: string | undefined;
  ctx.store.scan(ctx.vault.name, from, (k, r) => {
    if (!include(r)) return true;
    if (value.length === size) {
      next = k;
      return false;
    }
    value.push(map(r));
    return true;
  });
  return { status: 200, body: { value, nextLink: nextLink(ctx.origin, path, ctx.query.get('api-version'), next, maxRaw ? size : undefined) } };
}

// ---- operations -------------------------------------------------------------------------------------------

function setSecret(ctx: SecretsContext, name: string): HandlerResult {
  checkSecretName(name);
  const b = body(ctx);
  const value = checkValue(b.value);
  const contentType = checkContentType(b.contentType);
  const tags = tagsOf(b.tags);
  const attrs = parseAttributes(b.attributes);
  const existing = ctx.store.get(ctx.vault.name, name);
  checkNotInTransit(ctx, name, existing);
  if (existing?.deleted) throw conflictDeleted(existing);
  if (existing?.managed) throw managedForbidden('set');
  const now = nowSeconds();
  const ver: SecretVersion = {
    version: newVersion(), value, contentType, tags, enabled: attrs.enabled ?? true,
    nbf: attrs.nbf ?? undefined, exp: attrs.exp ?? undefined, created: now, updated: now,
  };
  const rec: SecretRecord = existing ? { ...existing, versions: [...existing.versions, ver] } : { name, versions: [ver] };
  ctx.store.put(ctx.vault.name, rec);
  return { status: 200, body: bundle(rec, ver, ctx, true) };
}

interface CachedBundle {
  rec: SecretRecord; origin: string; recoveryLevel: boolean; recoverableDays: boolean; days: number; purgeProtection: boolean;
  body: Record<string, unknown>; json: string; byteLength: number;
}
/**
 * The last get answer of each version, serialized. Records and versions are immutable once stored (a change
 * stores new objects), so an entry holds while its record, the origin, the api-version's shape and the
 * vault's retention settings are the same; anything else builds and serializes the bundle again.
 */
const bundleCache = new WeakMap<SecretVersion, CachedBundle>();

function getSecret(ctx: SecretsContext, name: string, version: string): HandlerResult {
  const rec = live(ctx, name);
  const ver = findVersion(rec, name, version);
  // nbf/exp are not enforced on get (the service returns not-yet-valid and expired secrets); disabled is.
  if (!ver.enabled) throw new KvError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
  const shape = ctx.shape ?? LATEST_SHAPE;
  const c = bundleCache.get(ver);
  if (c && c.rec === rec && c.origin === ctx.origin && c.recoveryLevel === shape.recoveryLevel && c.recoverableDays === shape.recoverableDays &&
    c.days === ctx.vault.softDeleteRetentionDays && c.purgeProtection === ctx.vault.purgeProtection) {
    return { status: 200, body: c.body, json: c.json, byteLength: c.byteLength };
  }
  const body = bundle(rec, ver, ctx, true);
  const json = JSON.stringify(body);
  const byteLength = Buffer.byteLength(json);
  bundleCache.set(ver, {
    rec, origin: ctx.origin, recoveryLevel: shape.recoveryLevel, recoverableDays: shape.recoverableDays,
    days: ctx.vault.softDeleteRetentionDays, purgeProtection: ctx.vault.purgeProtection, body, json, byteLength,
  });
  return { status: 200, body, json, byteLength };
}

function updateSecret(ctx: SecretsContext, name: string, version: string): HandlerResult {
  const rec = live(ctx, name);
  const ver = findVersion(rec, name, version);
  const b = body(ctx);
  if (rec.managed) throw managedForbidden('update');
  const contentType = b.contentType === undefined ? ver.contentType : checkContentType(b.contentType);
  const tags = b.tags === undefined ? ver.tags : tagsOf(b.tags);
  const attrs = parseAttributes(b.attributes);
  const updated: SecretVersion = {
    ...ver, contentType, tags,
    enabled: attrs.enabled ?? ver.enabled,
    nbf: attrs.nbf === undefined ? ver.nbf : attrs.nbf ?? undefined,
    exp: attrs.exp === undefined ? ver.exp : attrs.exp ?? undefined,
    updated: nowSeconds(),
  };
  const next: SecretRecord = { ...rec, versions: rec.versions.map((v) => (v === ver ? updated : v)) };
  ctx.store.put(ctx.vault.name, next);
  return { status: 200, body: bundle(next, updated, ctx, false) };
}

function deleteSecret(ctx: SecretsContext, name: string): HandlerResult {
  const rec = live(ctx, name);
  if (rec.managed) throw managedForbidden('delete');
  const now = nowSeconds();
  const next: SecretRecord = {
    ...rec,
    deleted: {
      deletedDate: now,
      scheduledPurgeDate: now + ctx.vault.softDeleteRetentionDays * 86400,
      ...(ctx.vault.deleteDelayMs > 0 ? { pendingUntil: Date.now() + ctx.vault.deleteDelayMs } : {}),
    },
  };
  ctx.store.put(ctx.vault.name, next);
  return { status: 200, body: deletedBundle(next, ctx) };
}

/** Lower-cased names in the recover or purge window (listed in neither collection). */
const inTransit = (ctx: SecretsContext): Set<string> => ctx.transit?.names(ctx.vault.name) ?? new Set();

function listSecrets(ctx: SecretsContext): HandlerResult {
  const transit = inTransit(ctx);
  return indexedListResult(ctx, '/secrets', (r) => !r.deleted && (transit.size === 0 || !transit.has(r.name.toLowerCase())),
    (r) => common(r, latest(r), ctx, `${ctx.origin}/secrets/${r.name}`));
}

function listVersions(ctx: SecretsContext, name: string): HandlerResult {
  checkSecretName(name);
  const rec = ctx.store.get(ctx.vault.name, name);
  const versions = rec && !rec.deleted && !transitOf(ctx, name) ? rec.versions.map((v, i) => ({ v, k: String(i).padStart(8, '0') })) : [];
  return listResult(ctx, `/secrets/${name}/versions`, versions, (x) => x.k,
    (x) => common(rec!, x.v, ctx, `${ctx.origin}/secrets/${rec!.name}/${x.v.version}`));
}

function listDeleted(ctx: SecretsContext): HandlerResult {
  // only the deleted names, in order (a vault of 50,000 live secrets and a few deleted ones lists those few)
  const recs = [...ctx.store.deletedKeys(ctx.vault.name)].sort()
    .map((k) => ctx.store.get(ctx.vault.name, k)!).filter((r) => r.deleted && !isPending(r));
  return listResult(ctx, '/deletedsecrets', recs, (r) => r.name.toLowerCase(),
    (r) => ({ ...common(r, latest(r), ctx, `${ctx.origin}/secrets/${r.name}`), ...deletedFields(r, ctx) }));
}

function getDeleted(ctx: SecretsContext, name: string): HandlerResult {
  return { status: 200, body: deletedBundle(deleted(ctx, name), ctx) };
}

function purgeDeleted(ctx: SecretsContext, name: string): HandlerResult {
  const rec = deleted(ctx, name, 'conflict');
  if (ctx.vault.purgeProtection) {
    throw new KvError(403, 'Forbidden',
      `Operation "purge" is not allowed because purge protection is enabled for this vault. Secret ${rec.name} ` +
      'will be purged automatically after its scheduled purge date.', 'PurgeProtectionEnabled');
  }
  ctx.store.remove(ctx.vault.name, rec.name);
  // The purge finishes later: until then the name cannot be reused (windows.ts).
  ctx.transit?.start(ctx.vault.name, rec.name, 'purging', ctx.vault.purgeDelayMs);
  return { status: 204 };
}

function recoverDeleted(ctx: SecretsContext, name: string): HandlerResult {
  const rec = deleted(ctx, name, 'conflict');
  const next: SecretRecord = { ...rec };
  delete next.deleted;
  ctx.store.put(ctx.vault.name, next);
  // The recovery finishes later: until then get answers 404 and set 409 (windows.ts).
  ctx.transit?.start(ctx.vault.name, rec.name, 'recovering', ctx.vault.recoverDelayMs);
  return { status: 200, body: bundle(next, latest(next), ctx, false) };
}

function backupSecret(ctx: SecretsContext, name: string): HandlerResult {
  const rec = live(ctx, name);
  if (rec.managed) throw managedForbidden('backup');
  return { status: 200, body: { value: encodeBackup({ record: { name: rec.name, versions: rec.versions } }, ctx.sealKey) } };
}

function restoreSecret(ctx: SecretsContext): HandlerResult {
  const b = body(ctx);
  const { record } = decodeBackup(b.value, ctx.sealKey);
  const existing = ctx.store.get(ctx.vault.name, record.name);
  checkNotInTransit(ctx, record.name, existing);
  if (existing) {
    throw new KvError(409, 'Conflict',
      `There was a conflict restoring the secret '${ctx.origin}/secrets/${record.name}'. This can happen if the ` +
      'secret already exists or is in a deleted but recoverable state; delete and purge it, or restore under another vault.');
  }
  const rec: SecretRecord = { name: record.name, versions: record.versions };
  ctx.store.put(ctx.vault.name, rec);
  return { status: 200, body: bundle(rec, latest(rec), ctx, false) };
}

// ---- routing ----------------------------------------------------------------------------------------------

const route = (operation: string, action: string, run: (ctx: SecretsContext) => HandlerResult): SecretsRoute => ({
  operation, action, run: (ctx) => {
    sweep(ctx);
    return run(ctx);
  },
});

/** `segments` are the decoded path segments (a trailing empty segment is kept: "/secrets/x/" → ["secrets","x",""]). */
export function routeSecrets(method: string, segments: readonly string[]): SecretsRoute | undefined {
  const [root, name, sub, extra] = segments;
  const n = segments.length;
  if (root === 'secrets') {
    if (n === 1 || (n === 2 && name === '')) {
      return method === 'GET' ? route('secrets.list', Actions.readMetadata, listSecrets) : undefined;
    }
    if (name === 'restore' && n === 2 && method === 'POST') return route('secrets.restore', Actions.restore, restoreSecret);
    if (n === 2) {
      if (method === 'PUT') return route('secrets.set', Actions.set, (c) => setSecret(c, name));
      if (method === 'DELETE') return route('secrets.delete', Actions.delete, (c) => deleteSecret(c, name));
      if (method === 'GET') return route('secrets.get', Actions.get, (c) => getSecret(c, name, ''));
      if (method === 'PATCH') return route('secrets.update', Actions.update, (c) => updateSecret(c, name, ''));
      return undefined;
    }
    if (n === 3 && sub === 'versions' && method === 'GET') {
      return route('secrets.listVersions', Actions.readMetadata, (c) => listVersions(c, name));
    }
    if (n === 3 && sub === 'backup' && method === 'POST') return route('secrets.backup', Actions.backup, (c) => backupSecret(c, name));
    if (n === 3 || (n === 4 && extra === '')) {
      if (method === 'GET') return route('secrets.get', Actions.get, (c) => getSecret(c, name, sub));
      if (method === 'PATCH') return route('secrets.update', Actions.update, (c) => updateSecret(c, name, sub));
    }
    return undefined;
  }
  if (root === 'deletedsecrets') {
    if ((n === 1 || (n === 2 && name === '')) && method === 'GET') return route('secrets.listDeleted', Actions.readMetadata, listDeleted);
    if (n === 2 && method === 'GET') return route('secrets.getDeleted', Actions.readMetadata, (c) => getDeleted(c, name));
    if (n === 2 && method === 'DELETE') return route('secrets.purge', Actions.purge, (c) => purgeDeleted(c, name));
    if (n === 3 && sub === 'recover' && method === 'POST') return route('secrets.recover', Actions.recover, (c) => recoverDeleted(c, name));
  }
  return undefined;
}

/** Secrets written directly by the seed (once per vault). */
export function seedVault(store: SecretStore, vault: VaultConfig, records: SecretRecord[]): void {
  if (store.isSeeded(vault.name)) return;
  store.putMany(vault.name, records);
  store.markSeeded(vault.name);
}
