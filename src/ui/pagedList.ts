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

