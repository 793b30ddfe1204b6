// SecretsService over @azure/keyvault-secrets (SecretClient). Browsing never reads a value: lists map to
// SecretProps, and only getSecretValue returns one.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as l10n from '@vscode/l10n';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type {
  DeletedSecret, SecretClient, SecretClientOptions, SecretProperties,
} from '@azure/keyvault-secrets';
import { loadSecrets } from '../lazy/load';
import { localEmulatorPolicy } from './localTransport';
import { classifyError } from './errors';
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

/** Per-call state shared with the paging policy through async context (byPage in 4.12 drops the token). */
interface CallScope {
  nextLink?: string;
  abortSignal?: AbortSignal;
  /** Body of the last error response: the SDK keeps only code and message (and not even the message for lists). */
  errorBody?: string;
}

const scope = new AsyncLocalStorage<CallScope>();

/**
 * Reads `nextLink` from list responses of the current call, and applies the call's abort signal to requests
 * the SDK sends without options (continuation pages).
 */
const pagingPolicy: PipelinePolicy = {
  name: 'keyVaultPagingPolicy',
  async sendRequest(request, next) {
    const s = scope.getStore();
    if (s?.abortSignal && !request.abortSignal) request.abortSignal = s.abortSignal;
    const response = await next(request);
    if (s) {
      // Keep only the latest response's error body (a 401 challenge followed by success leaves none).
      s.errorBody = response.status >= 400 && typeof response.bodyAsText === 'string' && response.bodyAsText.length < 16384
        ? response.bodyAsText : undefined;
    }
    if (s && request.method === 'GET' && response.status === 200 && typeof response.bodyAsText === 'string') {
      const link = nextLinkOf(response.bodyAsText);
      if (link !== NOT_A_LIST) s.nextLink = link;
    }
    return response;
  },
};

const NOT_A_LIST = Symbol('not a list');

/** A body that opens with a `value` array: a list page as the service writes it. */
const LIST_START = /^\s*\{\s*"value"\s*:\s*\[/;

/**
 * `nextLink` of a list page without parsing the page a second time (the SDK parses it once): the service writes
 * `"nextLink"` after `"value"`, so only the tail from its last occurrence is parsed (it parses alone only when it is
 * the top-level member). Anything unexpected takes the full parse.
 */
export function nextLinkOf(text: string): string | undefined | typeof NOT_A_LIST {
  const at = text.lastIndexOf('"nextLink"');
  if (at < 0) return NOT_A_LIST;
  if (LIST_START.test(text)) {
    try {
      const tail = JSON.parse(`{${text.slice(at)}`) as { nextLink?: unknown };
      if (Object.keys(tail).length === 1) return typeof tail.nextLink === 'string' && tail.nextLink ? tail.nextLink : undefined;
    } catch { /* not the last member: full parse below */ }
  }
  try {
    const body = JSON.parse(text) as { nextLink?: unknown; value?: unknown };
    if (!Array.isArray(body.value)) return NOT_A_LIST;
    return typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
  } catch {
    return NOT_A_LIST;
  }
}

/** Listings kept open between pages, by the continuation token of their next page. */
const LIVE_LISTINGS = 32;

/** Gives classifyError the service's error body (innererror code, real message) that the SDK dropped. */
function withErrorBody(err: unknown, s: CallScope): unknown {
  if (s.errorBody && err && typeof err === 'object' && (err as { details?: unknown }).details === undefined) {
    try {
      (err as { details?: unknown }).details = JSON.parse(s.errorBody);
    } catch { /* not JSON */ }
  }
  return err;
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

class SdkSecretsService implements SecretsService {
  constructor(readonly vault: VaultRef, private readonly client: SecretClient, private readonly pollIntervalMs?: number) {}

  private async call<T>(secret: string | undefined, operation: string, fn: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
    const s: CallScope = { abortSignal };
    try {
      return await scope.run(s, fn);
    } catch (err) {
      throw classifyError(withErrorBody(err, s), { vault: this.vault.name, secret, operation });
    }
  }

  private async page<S, T>(
    secret: string | undefined, operation: string,
    pages: (opts: { continuationToken?: string; maxPageSize?: number }) => AsyncIterableIterator<S[]>,
    map: (s: S) => T, options: PageOptions = {},
  ): Promise<Page<T>> {
    const maxPageSize = options.maxPageSize === undefined ? undefined : Math.min(25, Math.max(1, options.maxPageSize));
    const s: CallScope = { abortSignal: options.abortSignal };
    // "Load more" and background paging continue the SDK iterator of the previous page (one iterator per
    // listing); a token from elsewhere (or an evicted listing) starts a new one at that token.
    const liveKey = options.continuationToken && `${operation}|${secret ?? ''}|${options.continuationToken}`;
    const live = liveKey ? this.live.get(liveKey) : undefined;
    if (liveKey) this.live.delete(liveKey);
    const it = (live ?? pages({ continuationToken: options.continuationToken, maxPageSize })) as AsyncIterableIterator<unknown[]>;
    try {
      // the request starts inside the scope; what follows the answer needs no context
      const r = await scope.run(s, () => it.next());
      const raw = (r.done ? [] : r.value) as S[] & { continuationToken?: string };
      const continuationToken = raw.continuationToken ?? s.nextLink;
      if (continuationToken) this.keepLive(`${operation}|${secret ?? ''}|${continuationToken}`, it);
      else void it.return?.();
      return { items: raw.map(map), continuationToken };
    } catch (err) {
      void it.return?.();
      throw classifyError(withErrorBody(err, s), { vault: this.vault.name, secret, operation });
    }
  }

  private readonly live = new Map<string, AsyncIterableIterator<unknown[]>>();
  private keepLive(key: string, it: AsyncIterableIterator<unknown[]>): void {
    this.live.set(key, it);
    if (this.live.size > LIVE_LISTINGS) {
      const [oldestKey, oldest] = this.live.entries().next().value as [string, AsyncIterableIterator<unknown[]>];
      this.live.delete(oldestKey);
      void oldest.return?.();
    }
  }

  listSecrets(options?: PageOptions): Promise<Page<SecretProps>> {
    return this.page(undefined, 'list secrets',
      (o) => this.client.listPropertiesOfSecrets({ abortSignal: options?.abortSignal }).byPage(o), toSecretProps, options);
  }

  listVersions(name: string, options?: PageOptions): Promise<Page<SecretProps>> {
    return this.page(name, 'list versions',
      (o) => this.client.listPropertiesOfSecretVersions(name, { abortSignal: options?.abortSignal }).byPage(o), toSecretProps, options);
  }

  listDeletedSecrets(options?: PageOptions): Promise<Page<DeletedSecretProps>> {
    return this.page(undefined, 'list deleted secrets',
      (o) => this.client.listDeletedSecrets({ abortSignal: options?.abortSignal }).byPage(o), toDeletedSecretProps, options);
  }

  getSecretValue(name: string, version?: string, options?: OperationOptions): Promise<SecretValue> {
    return this.call(name, 'read value', async () => {
      const s = await this.client.getSecret(name, { version, abortSignal: options?.abortSignal });
      return { value: s.value ?? '', properties: toSecretProps(s.properties) };
    }, options?.abortSignal);
  }

  setSecret(name: string, write: SecretWrite, options?: OperationOptions): Promise<SecretProps> {
    return this.call(name, 'set', async () => {
      const s = await this.client.setSecret(name, write.value, {
        contentType: write.contentType, tags: write.tags, enabled: write.enabled,
        notBefore: write.notBefore, expiresOn: write.expiresOn, abortSignal: options?.abortSignal,
      });
      return toSecretProps(s.properties);
    }, options?.abortSignal);
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
    }, options?.abortSignal);
  }

  deleteSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps> {
    return this.call(name, 'delete', async () => {
      options?.onProgress?.(l10n.t('Deleting "{0}"…', name));
      const poller = await this.client.beginDeleteSecret(name, {
        abortSignal: options?.abortSignal, intervalInMs: this.pollIntervalMs,
      });
      return toDeletedSecretProps(await pollToEnd(poller, l10n.t('Waiting for Key Vault to finish deleting "{0}"…', name), options));
    }, options?.abortSignal);
  }

  getDeletedSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps | undefined> {
    return this.call(name, 'get deleted secret', async () => {
      try {
        return toDeletedSecretProps(await this.client.getDeletedSecret(name, { abortSignal: options?.abortSignal }));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    }, options?.abortSignal);
  }

  recoverSecret(name: string, options?: OperationOptions): Promise<SecretProps> {
    return this.call(name, 'recover', async () => {
      options?.onProgress?.(l10n.t('Recovering "{0}"…', name));
      const poller = await this.client.beginRecoverDeletedSecret(name, {
        abortSignal: options?.abortSignal, intervalInMs: this.pollIntervalMs,
      });
      return toSecretProps(await pollToEnd(poller, l10n.t('Waiting for Key Vault to finish recovering "{0}"…', name), options));
    }, options?.abortSignal);
  }

  purgeSecret(name: string, options?: OperationOptions): Promise<void> {
    return this.call(name, 'purge', () => this.client.purgeDeletedSecret(name, { abortSignal: options?.abortSignal }),
      options?.abortSignal);
  }

  backupSecret(name: string, options?: OperationOptions): Promise<Uint8Array> {
    return this.call(name, 'backup', async () => {
      const bytes = await this.client.backupSecret(name, { abortSignal: options?.abortSignal });
      if (!bytes) throw new Error(`The vault returned an empty backup for "${name}".`);
      return bytes;
    }, options?.abortSignal);
  }

  restoreSecretBackup(backup: Uint8Array, options?: OperationOptions): Promise<SecretProps> {
    return this.call(undefined, 'restore backup', async () =>
      toSecretProps(await this.client.restoreSecretBackup(backup, { abortSignal: options?.abortSignal })),
    options?.abortSignal);
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
      const e = new Error('The operation was aborted.');
      e.name = 'AbortError';
      reject(e);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  done.catch(() => undefined); // a poll that fails after the abort is not an unhandled rejection
  return Promise.race([done, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

export function createSecretClient(vault: VaultRef, credential: TokenCredential, options: SecretsServiceOptions = {}): SecretClient {
  const additionalPolicies: NonNullable<SecretClientOptions['additionalPolicies']> = [
    { policy: pagingPolicy, position: 'perCall' },
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
