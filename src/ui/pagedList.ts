// Paged listing state (secrets, versions, deleted secrets), kept per vault by the hub so every tree node
// instance for the same vault shares one cache, and "Load more" continues where the last page stopped.
import type { Page, VaultRef } from '../azure/model';

/** Cache key of a vault's listings: the same URL reached with another credential is another cache. */
export const vaultListKey = (vault: Pick<VaultRef, 'source' | 'url'>): string => `${vault.source}|${vault.url.toLowerCase()}`;

export class PagedList<T> {
  items: T[] = [];
  token: string | undefined;
  loaded = false;
  constructor(private readonly fetch: (token?: string) => Promise<Page<T>>) {}

  private inFlight: Promise<void> | undefined;

  /** Loads the first page; concurrent callers (the view and a command) share one request. */
  first(): Promise<void> {
    return this.once(async () => {
      const page = await this.fetch();
      this.items = page.items;
      this.token = page.continuationToken;
      this.loaded = true;
    });
  }

  more(): Promise<void> {
    return this.once(async () => {
      if (!this.token) return;
      const page = await this.fetch(this.token);
      this.items.push(...page.items);
      this.token = page.continuationToken;
    });
  }

  private once(load: () => Promise<void>): Promise<void> {
    this.inFlight ??= load().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  private rest: Promise<void> | undefined;
  private readonly pageListeners = new Set<() => void>();
  /** Why background paging stopped before the last page (shown as a partial list with "Load more"). */
  restError: unknown;

  /**
   * Loads the remaining pages one after another in the background, calling `onPage` after each (and when it stops).
   * One loop per list: later callers only add their listener.
   */
  loadRest(onPage: () => void): Promise<void> {
    this.pageListeners.add(onPage);
    if (this.rest || !this.token) return this.rest ?? Promise.resolve();
    this.restError = undefined;
    const notify = () => { for (const l of this.pageListeners) l(); };
    this.rest = (async () => {
      try {
        while (this.token && !this.dropped) {
          await this.more();
          notify();
        }
      } catch (err) {
        this.restError = err;
        notify();
      } finally {
        this.rest = undefined;
        this.pageListeners.clear();
      }
    })();
    return this.rest;
  }

  private dropped = false;
  /** The list left the cache (a refresh): background paging stops after the page in flight. */
  drop(): void {
    this.dropped = true;
  }

  /** Background paging is running. */
  get loadingRest(): boolean {
    return this.rest !== undefined;
  }

  /** Loads every remaining page (used when a filter is active, so the filter sees all names). */
  async all(): Promise<void> {
    if (!this.loaded) await this.first();
    while (this.token) await this.more();
  }
  reset(): void {
    this.items = [];
    this.token = undefined;
    this.loaded = false;
  }
}

