// SecretsService over @azure/keyvault-secrets (SecretClient). Browsing never reads a value: lists map to
// SecretProps, and only getSecretValue returns one.
import * as l10n from '@vscode/l10n';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type {
  DeletedSecret, SecretClient, SecretClientOptions, SecretProperties,
} from '@azure/keyvault-secrets';
import { loadSecrets } from '../lazy/load';
import { localEmulatorPolicy } from './localTransport';
import { classifyError, safeHost } from './errors';
import type {
  DeletedSecretProps, OperationOptions, Page, PageOptions, SecretProps, SecretPropertiesUpdate, SecretsService,
  SecretValue, SecretWrite, VaultRef,
} from './model';

export interface SecretsServiceOptions {
  /** Emulator CA: trusted for this client's requests only; *.localhost then resolves to loopback. */
  ca?: string | Buffer;
  serviceVersion?: SecretClientOptions['serviceVersion'];
  retryOptions?: SecretClientOptions['retryOptions'];
  userAgentPrefix?: string;
  /** Poll interval of the delete/recover pollers (SDK default 2000 ms). */
  pollIntervalMs?: number;
  /** Extra pipeline policies (e.g. request counting in tests). */
  additionalPolicies?: SecretClientOptions['additionalPolicies'];
}

/**
 * The body of each request's latest error response, by request: the SDK keeps only the service's code and message
 * (and not even the message for lists), and its errors carry the request they were for.
 */
const errorBodies = new WeakMap<object, string>();

const errorBodyPolicy: PipelinePolicy = {
  name: 'keyVaultErrorBodyPolicy',
  async sendRequest(request, next) {
    const response = await next(request);
    // Keep only the latest response's error body (a 401 challenge followed by success leaves none).
    if (response.status >= 400 && typeof response.bodyAsText === 'string' && response.bodyAsText.length < 16384) {
      errorBodies.set(request, response.bodyAsText);
    } else {
      errorBodies.delete(request);
    }
    return response;
  },
};

/** Gives classifyError the service's error body (innererror code, real message) that the SDK dropped. */
function withErrorBody(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as { details?: unknown; request?: object };
  const body = e.details === undefined && e.request ? errorBodies.get(e.request) : undefined;
  if (body !== undefined) {
    try {
      e.details = JSON.parse(body);
    } catch { /* not JSON */ }
  }
  return err;
}

/**
 * The REST context under SecretClient (`pathUnchecked`, the pipeline with the challenge, retries and our
 * policies). Lists are read through it: one GET per page with the caller's abort signal, `nextLink` straight from
 * the page, items mapped once (the SDK's list iterator drops the continuation token and the abort signal after the
 * first page, and maps every item through an identifier parser).
 */
interface RestResponse { status: string; body: unknown; request: object; headers: Record<string, string> }
interface RestContext {
  /** The service version the client was made for (the SDK's default or `serviceVersion`). */
  apiVersion: string;
  pathUnchecked(path: string): { get(options?: { abortSignal?: AbortSignal }): Promise<RestResponse> };
}

function restContextOf(client: SecretClient): RestContext {
  const rest = (client as unknown as { client?: { _client?: Partial<RestContext> } }).client?._client;
  if (typeof rest?.pathUnchecked !== 'function' || typeof rest.apiVersion !== 'string') {
    throw new Error('This version of @azure/keyvault-secrets has no REST context under SecretClient; the extension was built for 4.12.');
  }
  return rest as RestContext;
}

/** A list item as the service sends it (dates in seconds since 1970). */
interface ListItem {
  id?: string;
  attributes?: { enabled?: boolean; nbf?: number; exp?: number; created?: number; updated?: number; recoverableDays?: number; recoveryLevel?: string };
  tags?: Record<string, string>;
  contentType?: string;
  managed?: boolean;
  recoveryId?: string;
  deletedDate?: number;
  scheduledPurgeDate?: number;
}

const seconds = (v: unknown): Date | undefined => (typeof v === 'number' ? new Date(v * 1000) : undefined);

/** An answer that is not a list page, or a failed one, as the error classifyError reads (status, code, body, request). */
function listError(res: RestResponse): Error {
  const body = (res.body && typeof res.body === 'object' ? res.body : undefined) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const ok = res.status === '200';
  const message = !ok && typeof body?.error?.message === 'string' ? body.error.message
    : ok ? 'The vault answered a list request with something that is not a list page.' : `Unexpected status code: ${res.status}`;
  const e = new Error(message) as Error & { statusCode?: number; code?: string; details?: unknown; request?: object };
  e.name = 'RestError';
  if (!ok) e.statusCode = Number(res.status);
  if (!ok && typeof body?.error?.code === 'string') e.code = body.error.code;
  if (!ok) e.details = body;
  e.request = res.request;
  return e;
}

/** `url` with one trailing slash (the last answer is kept: a listing asks this for every item of one vault). */
let lastVaultUrl = { from: '', to: '' };
function withSlash(url: string): string {
  if (lastVaultUrl.from !== url) lastVaultUrl = { from: url, to: url.endsWith('/') ? url : `${url}/` };
  return lastVaultUrl.to;
}

function hasKeys(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return true;
  return false;
}

export function toSecretProps(p: SecretProperties): SecretProps {
  return {
    name: p.name,
    vaultUrl: withSlash(p.vaultUrl),
    id: p.id ?? `${p.vaultUrl.replace(/\/+$/, '')}/secrets/${p.name}${p.version ? `/${p.version}` : ''}`,
    version: p.version || undefined,
    enabled: p.enabled !== false,
    notBefore: p.notBefore,
    expiresOn: p.expiresOn,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
    contentType: p.contentType || undefined,
    // the SDK builds a new tags object for every item: it is ours to keep, no copy needed
    tags: p.tags && hasKeys(p.tags) ? p.tags : undefined,
    managed: p.managed === true,
    recoveryLevel: p.recoveryLevel,
    recoverableDays: p.recoverableDays,
  };
}

export function toDeletedSecretProps(d: DeletedSecret): DeletedSecretProps {
  return {
    ...toSecretProps(d.properties),
    recoveryId: d.recoveryId ?? d.properties.recoveryId,
    deletedOn: d.deletedOn ?? d.properties.deletedOn,
    scheduledPurgeDate: d.scheduledPurgeDate ?? d.properties.scheduledPurgeDate,
  };
}

let lastIdPrefix = { from: '', vaultUrl: '' };
/** Vault URL (origin and a slash), name and version of a secret id, as the SDK's identifier parser gives them. */
function secretIdParts(id: string): { vaultUrl: string; name: string; version?: string } {
  const at = id.indexOf('/secrets/', id.indexOf('//') + 2);
  if (at < 0) throw new Error('The vault listed an item without a secret id.');
  const prefix = id.slice(0, at);
  // a listing asks this for every item of one vault: the origin is parsed once
  if (lastIdPrefix.from !== prefix) lastIdPrefix = { from: prefix, vaultUrl: `${new URL(prefix).origin}/` };
  const rest = id.slice(at + '/secrets/'.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  if (!name) throw new Error('The vault listed an item without a secret id.');
  return { vaultUrl: lastIdPrefix.vaultUrl, name, version: slash < 0 ? undefined : rest.slice(slash + 1).split('/')[0] || undefined };
}

/** A secret or version of a list page: the wire item in the SDK's shape, then the model's one normal form. */
export function fromListItem(item: ListItem): SecretProps {
  const id = item.id ?? '';
  const a = item.attributes ?? {};
  // tags parsed from the page for this listing only: ours to keep, as the SDK's are
  return toSecretProps({
    ...secretIdParts(id), id, enabled: a.enabled, contentType: item.contentType, tags: item.tags, managed: item.managed,
    notBefore: seconds(a.nbf), expiresOn: seconds(a.exp), createdOn: seconds(a.created), updatedOn: seconds(a.updated),
    recoveryLevel: a.recoveryLevel, recoverableDays: a.recoverableDays,
  });
}

/** A deleted secret of a list page. */
export function fromDeletedListItem(item: ListItem): DeletedSecretProps {
  return {
    ...fromListItem(item),
    recoveryId: item.recoveryId,
    deletedOn: seconds(item.deletedDate),
    scheduledPurgeDate: seconds(item.scheduledPurgeDate),
  };
}

class SdkSecretsService implements SecretsService {
  private readonly rest: RestContext;
  constructor(readonly vault: VaultRef, private readonly client: SecretClient, private readonly pollIntervalMs?: number) {
    this.rest = restContextOf(client);
  }

  private async call<T>(secret: string | undefined, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classifyError(withErrorBody(err), { vault: this.vault.name, secret, operation });
    }
  }

  /**
   * One page of a listing: the first (`path`, at most `maxPageSize` items) or the one a continuation token (the
   * service's `nextLink`, on the vault's own origin) names. Stateless: any token continues where it points.
   */
  private page<T>(secret: string | undefined, operation: string, path: string, map: (item: ListItem) => T,
    options: PageOptions = {}): Promise<Page<T>> {
    const { abortSignal, continuationToken: token } = options;
    return this.call(secret, operation, async () => {
      if (abortSignal?.aborted) throw abortError();
      let res: RestResponse;
      if (token) {
        if (!sameOrigin(token, this.vault.url)) {
          // the token rides along with every request of this client: it goes to the vault's own host only
          const e = new Error(`The vault's link to the next page points to another host (${safeHost(token) ?? 'not a URL'}); it was not followed.`);
          e.name = 'TokenHostNotAllowedError';
          throw e;
        }
        res = await this.rest.pathUnchecked(token).get({ abortSignal });
      } else {
        // the query as the SDK writes it (api-version first)
        let query = `?api-version=${encodeURIComponent(this.rest.apiVersion)}`;
        if (options.maxPageSize !== undefined) query += `&maxresults=${Math.min(25, Math.max(1, Math.floor(options.maxPageSize)))}`;
        res = await this.rest.pathUnchecked(path + query).get({ abortSignal });
      }
      const body = res.body as { value?: unknown; nextLink?: unknown } | undefined;
      if (res.status !== '200' || !body || !Array.isArray(body.value)) throw listError(res);
      const next = typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
      return { items: (body.value as ListItem[]).map(map), continuationToken: next };
    });
  }

  listSecrets(options?: PageOptions): Promise<Page<SecretProps>> {
    return this.page(undefined, 'list secrets', '/secrets', fromListItem, options);
  }

  listVersions(name: string, options?: PageOptions): Promise<Page<SecretProps>> {
    return this.page(name, 'list versions', `/secrets/${encodeURIComponent(name)}/versions`, fromListItem, options);
  }

  listDeletedSecrets(options?: PageOptions): Promise<Page<DeletedSecretProps>> {
    return this.page(undefined, 'list deleted secrets', '/deletedsecrets', fromDeletedListItem, options);
  }

  getSecretValue(name: string, version?: string, options?: OperationOptions): Promise<SecretValue> {
    return this.call(name, 'read value', async () => {
      const s = await this.client.getSecret(name, { version, abortSignal: options?.abortSignal });
      return { value: s.value ?? '', properties: toSecretProps(s.properties) };
    });
  }

  setSecret(name: string, write: SecretWrite, options?: OperationOptions): Promise<SecretProps> {
    return this.call(name, 'set', async () => {
      const s = await this.client.setSecret(name, write.value, {
        contentType: write.contentType, tags: write.tags, enabled: write.enabled,
        notBefore: write.notBefore, expiresOn: write.expiresOn, abortSignal: options?.abortSignal,
      });
      return toSecretProps(s.properties);
    });
  }

  updateProperties(name: string, version: string | undefined, update: SecretPropertiesUpdate,
    options?: OperationOptions): Promise<SecretProps> {
    return this.call(name, 'update properties', async () => {
      // null clears a date: the SDK's serializer passes null through as JSON null.
      const p = await this.client.updateSecretProperties(name, version ?? '', {
        contentType: update.contentType, tags: update.tags, enabled: update.enabled,
        notBefore: update.notBefore as Date | undefined, expiresOn: update.expiresOn as Date | undefined,
        abortSignal: options?.abortSignal,
      });
      return toSecretProps(p);
    });
  }

  deleteSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps> {
    return this.call(name, 'delete', async () => {
      options?.onProgress?.(l10n.t('Deleting "{0}"…', name));
      const poller = await this.client.beginDeleteSecret(name, {
        abortSignal: options?.abortSignal, intervalInMs: this.pollIntervalMs,
      });
      return toDeletedSecretProps(await pollToEnd(poller, l10n.t('Waiting for Key Vault to finish deleting "{0}"…', name), options));
    });
  }

  getDeletedSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps | undefined> {
    return this.call(name, 'get deleted secret', async () => {
      try {
        return toDeletedSecretProps(await this.client.getDeletedSecret(name, { abortSignal: options?.abortSignal }));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    });
  }

  recoverSecret(name: string, options?: OperationOptions): Promise<SecretProps> {
    return this.call(name, 'recover', async () => {
      options?.onProgress?.(l10n.t('Recovering "{0}"…', name));
      const poller = await this.client.beginRecoverDeletedSecret(name, {
        abortSignal: options?.abortSignal, intervalInMs: this.pollIntervalMs,
      });
      return toSecretProps(await pollToEnd(poller, l10n.t('Waiting for Key Vault to finish recovering "{0}"…', name), options));
    });
  }

  purgeSecret(name: string, options?: OperationOptions): Promise<void> {
    return this.call(name, 'purge', () => this.client.purgeDeletedSecret(name, { abortSignal: options?.abortSignal }));
  }

  backupSecret(name: string, options?: OperationOptions): Promise<Uint8Array> {
    return this.call(name, 'backup', async () => {
      const bytes = await this.client.backupSecret(name, { abortSignal: options?.abortSignal });
      if (!bytes) throw new Error(`The vault returned an empty backup for "${name}".`);
      return bytes;
    });
  }

  restoreSecretBackup(backup: Uint8Array, options?: OperationOptions): Promise<SecretProps> {
    return this.call(undefined, 'restore backup', async () =>
      toSecretProps(await this.client.restoreSecretBackup(backup, { abortSignal: options?.abortSignal })));
  }
}

function abortError(): Error {
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * Waits for a delete/recover poller, reporting progress and honouring cancellation at once: the poller's own
 * wait between polls does not watch the signal, so the wait ends on abort and the poller stops.
 */
function pollToEnd<T>(poller: {
  onProgress(cb: () => void): unknown; pollUntilDone(o?: { abortSignal?: AbortSignal }): Promise<T>; stopPolling(): void;
}, waiting: string, options?: OperationOptions): Promise<T> {
  poller.onProgress(() => options?.onProgress?.(waiting));
  const signal = options?.abortSignal;
  const done = poller.pollUntilDone({ abortSignal: signal });
  if (!signal) return done;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      poller.stopPolling();
      reject(abortError());
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  done.catch(() => undefined); // a poll that fails after the abort is not an unhandled rejection
  return Promise.race([done, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

export function createSecretClient(vault: VaultRef, credential: TokenCredential, options: SecretsServiceOptions = {}): SecretClient {
  const additionalPolicies: NonNullable<SecretClientOptions['additionalPolicies']> = [
    { policy: errorBodyPolicy, position: 'perCall' },
    ...(options.ca ? [{ policy: localEmulatorPolicy(options.ca), position: 'perCall' as const }] : []),
    ...(options.additionalPolicies ?? []),
  ];
  // the Key Vault SDK is a bundle of its own (dist/secrets.js), loaded with the first client
  const { SecretClient: Client } = loadSecrets();
  return new Client(vault.url, credential, {
    serviceVersion: options.serviceVersion,
    retryOptions: options.retryOptions,
    userAgentOptions: options.userAgentPrefix ? { userAgentPrefix: options.userAgentPrefix } : undefined,
    additionalPolicies,
    // Challenge-resource verification stays on: it is what keeps a token on the vault's own domain.
  });
}

export function createSecretsService(vault: VaultRef, credential: TokenCredential, options: SecretsServiceOptions = {}): SecretsService {
  return new SdkSecretsService(vault, createSecretClient(vault, credential, options), options.pollIntervalMs);
}
