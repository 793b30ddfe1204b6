// The names of every secret in every visible vault, for "Search All Vaults": kept in a SecretNameIndex (pure,
// src/tree/search.ts), filled vault by vault — a few vaults at a time, one page after another within each vault, so
// no vault sees more than one request in flight from here — and kept fresh: a vault the tree refreshed (a command
// changed it) is listed again before the next search; names older than MAX_AGE_MS are refreshed in the background
// while the search shows what it has. Names and states only: never a value.
import type { DeletedSecretProps, Page, SecretProps, VaultRef } from '../azure/model';
import { SecretNameIndex, type SearchEntry, type SearchState } from '../tree/search';
import type { Hub } from './hub';
import { PagedList, vaultListKey } from './pagedList';

const MAX_AGE_MS = 5 * 60 * 1000;
const PARALLEL_VAULTS = 4;

export interface VaultSearchFailure {
  vault: VaultRef;
  error: unknown;
}

function stateOf(p: SecretProps, now: number): SearchState {
  if (!p.enabled) return 'disabled';
  if (p.expiresOn && p.expiresOn.getTime() <= now) return 'expired';
  return 'enabled';
}

async function allPages<T>(fetch: (token?: string) => Promise<Page<T>>, signal?: AbortSignal): Promise<T[]> {
  const list = new PagedList(fetch);
  await list.first();
  while (list.token) {
    if (signal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    await list.more();
  }
  return list.items;
}

export class VaultSearch {
  readonly index = new SecretNameIndex();
  private readonly stale = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Requests this search sent (listing pages), for tests. */
  requests = 0;

  constructor(private readonly hub: Hub, private readonly maxAgeMs = MAX_AGE_MS) {}

  /** A vault changed (or every vault, with no URL): list it again before the next search shows it. */
  invalidate(vaultUrl?: string): void {
    if (!vaultUrl) {
      this.stale.add('*');
      return;
    }
    for (const source of ['arm', 'url', 'emulator'] as const) this.stale.add(vaultListKey({ source, url: vaultUrl }));
  }

  private needsListing(key: string): boolean {
    return this.index.refreshedAt(key) === undefined || this.stale.has(key) || this.stale.has('*');
  }

  /**
   * Makes the index hold every vault in `vaults`: vaults never listed (or changed since) are listed now (awaited);
   * vaults listed longer than maxAge ago are listed again in the background. Vaults that are gone are dropped.
   * Returns the vaults that could not be listed (their old names, if any, stay).
   */
  async fill(vaults: readonly VaultRef[], signal?: AbortSignal, onVault?: (done: number, total: number) => void): Promise<VaultSearchFailure[]> {
    const now = Date.now();
    const wanted = new Map(vaults.map((v) => [vaultListKey(v), v]));
    const due = [...wanted].filter(([key]) => this.needsListing(key)).map(([, v]) => v);
    const old = [...wanted].filter(([key]) => !this.needsListing(key) && now - (this.index.refreshedAt(key) ?? 0) > this.maxAgeMs)
      .map(([, v]) => v);
    if (this.stale.has('*')) {
      for (const key of wanted.keys()) this.stale.add(key);
      this.stale.delete('*');
    }
    const failures: VaultSearchFailure[] = [];
    let done = 0;
    const queue = [...due];
    const worker = async () => {
      for (let v = queue.shift(); v; v = queue.shift()) {
        try {
          await this.list(v, signal);
        } catch (error) {
          if ((error as Error)?.name === 'AbortError') throw error;
          failures.push({ vault: v, error });
        }
        onVault?.(++done, due.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_VAULTS, queue.length) }, worker));
    // kept fresh: old names are shown now and listed again behind the search
    for (const v of old) void this.list(v).catch(() => undefined);
    return failures;
  }

  /** Lists one vault's secrets (and deleted secrets, where the caller may list them) into the index. */
  private list(vault: VaultRef, signal?: AbortSignal): Promise<void> {
    const key = vaultListKey(vault);
    let running = this.inFlight.get(key);
    if (running) return running;
    running = (async () => {
      this.stale.delete(key);
      const service = this.hub.service(vault);
      const pageSize = 25;
      const counted = <T>(fetch: (token?: string) => Promise<Page<T>>) => (token?: string) => { this.requests++; return fetch(token); };
      const secrets = await allPages(counted((t) => service.listSecrets({ continuationToken: t, maxPageSize: pageSize })), signal);
      // without the right to list deleted secrets the search still shows the live ones
      const deleted = await allPages<DeletedSecretProps>(counted((t) => service.listDeletedSecrets({ continuationToken: t, maxPageSize: pageSize })), signal)
        .catch((err: unknown) => { if ((err as Error)?.name === 'AbortError') throw err; return []; });
      const now = Date.now();
      const entries: SearchEntry[] = [
        ...secrets.map((p) => ({ name: p.name, state: stateOf(p, now) })),
        ...deleted.map((d) => ({ name: d.name, state: 'deleted' as const })),
      ];
      this.index.set(key, vault.name, entries, now);
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, running);
    return running;
  }
}
