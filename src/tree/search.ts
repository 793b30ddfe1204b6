// Names of every secret in every visible vault, for "Search All Vaults" (pure: no vscode). Each vault's entry
// is replaced as a whole when its listing changes; a query is a case-insensitive substring match over
// lower-cased names kept alongside, so answering one over 10,000 names allocates only the results.
export type SearchState = 'enabled' | 'disabled' | 'expired' | 'deleted';

export interface SearchEntry {
  name: string;
  state: SearchState;
}

export interface SearchHit {
  vaultKey: string;
  vaultName: string;
  name: string;
  state: SearchState;
}

interface VaultNames {
  vaultName: string;
  entries: SearchEntry[];
  lower: string[];
  /** When this vault's names were last refreshed (ms since epoch). */
  at: number;
}

export class SecretNameIndex {
  private readonly vaults = new Map<string, VaultNames>();

  /** Replaces a vault's names (its latest listing). */
  set(vaultKey: string, vaultName: string, entries: SearchEntry[], at = Date.now()): void {
    this.vaults.set(vaultKey, { vaultName, entries, lower: entries.map((e) => e.name.toLowerCase()), at });
  }

  delete(vaultKey: string): void {
    this.vaults.delete(vaultKey);
  }

  /** When a vault's names were last refreshed, or undefined when they were never listed. */
  refreshedAt(vaultKey: string): number | undefined {
    return this.vaults.get(vaultKey)?.at;
  }

  get size(): number {
    let n = 0;
    for (const v of this.vaults.values()) n += v.entries.length;
    return n;
  }

  /**
   * Names containing `query` (every name for an empty query), names that start with it first, then by vault and
   * name; at most `limit`.
   */
  query(query: string, limit = 500): SearchHit[] {
    const q = query.trim().toLowerCase();
    const prefix: SearchHit[] = [];
    const inner: SearchHit[] = [];
    for (const [vaultKey, v] of this.vaults) {
      const { lower, entries } = v;
      for (let i = 0; i < lower.length; i++) {
        const at = q ? lower[i].indexOf(q) : 0;
        if (at < 0) continue;
        const e = entries[i];
        (at === 0 ? prefix : inner).push({ vaultKey, vaultName: v.vaultName, name: e.name, state: e.state });
      }
    }
    const order = (a: SearchHit, b: SearchHit) =>
      a.vaultName < b.vaultName ? -1 : a.vaultName > b.vaultName ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    if (prefix.length >= limit) return prefix.sort(order).slice(0, limit);
    return [...prefix.sort(order), ...inner.sort(order)].slice(0, limit);
  }
}
