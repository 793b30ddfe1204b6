// Copy and import plans: what would happen to every secret before anything happens. Pure: no vscode, no I/O.
//
// - Names are Key Vault's: case-insensitive. A source name whose target holds it in another case is the same
//   secret (the copy is a new version of the target's name, or skipped).
// - Existing names are skipped unless the caller asks for "new version".
// - A name held by a deleted secret in the target is never purged silently: the plan marks it 'deleted' and the
//   user resolves it (recover, purge or skip) with resolveDeleted before it can run.
// - Certificate-backed (managed) secrets are skipped with a reason: Key Vault manages them through the
//   certificate, and a copy would be a plain secret pretending to be one.
import type { DeletedSecretProps, SecretProps } from '../azure/model';
import { keyOf } from './compare';

export type PlanAction =
  /** A name new to the target. */
  | 'create'
  /** The target has the name: add the copy as a new version. */
  | 'newVersion'
  /** The target holds the name as a deleted secret: recover it, then add the copy as a new version. */
  | 'recoverAndVersion'
  /** The target holds the name as a deleted secret: purge it (permanently), then create. */
  | 'purgeAndCreate'
  /** Unresolved: the name is held by a deleted secret in the target. Not runnable until resolved. */
  | 'deleted'
  | 'skip';

export interface PlanItem {
  /** Name in the source (or the import file's key). */
  source: string;
  /** Name written in the target. */
  target: string;
  action: PlanAction;
  /** Why it is skipped or blocked; never contains a value. */
  reason?: string;
  /**
   * Source versions to copy, oldest first; `[undefined]` means the latest only. Empty for skipped items.
   */
  versions: (string | undefined)[];
  /** The target's deleted secret holds this name and its vault allows purging it. */
  purgeable?: boolean;
}

export interface CopyPlanOptions {
  /** Copy every version, oldest first (needs `versions`). Default: the latest only. */
  allVersions?: boolean;
  /** Source versions by lower-case name (enabled or not), when allVersions is set. */
  versions?: ReadonlyMap<string, readonly SecretProps[]>;
  /** Existing names: skip (default) or add a new version. */
  onExisting?: 'skip' | 'newVersion';
  /** Whether a deleted secret may be purged in the target (no purge protection). */
  isPurgeable?: (d: DeletedSecretProps) => boolean;
}

export const REASONS = {
  exists: 'the target already has this name (choose "new version" to add one)',
  managed: 'certificate-backed: Key Vault manages it through its certificate; copy the certificate instead',
  deleted: 'the target holds this name as a deleted secret: recover or purge it first',
  duplicate: 'the same name (Key Vault names are case-insensitive) appears earlier in the list',
  noVersions: 'no versions to copy',
} as const;

/** Versions oldest first (by created date; undated ones first, in listing order). */
export function oldestFirst<T extends { createdOn?: Date }>(versions: readonly T[]): T[] {
  return versions.map((v, i) => ({ v, i }))
    .sort((x, y) => (x.v.createdOn?.getTime() ?? 0) - (y.v.createdOn?.getTime() ?? 0) || x.i - y.i)
    .map(({ v }) => v);
}

/**
 * The plan for copying `sources` (latest-version listings) into a target with `targetSecrets` and
 * `targetDeleted`.
 */
export function planCopy(sources: readonly SecretProps[], targetSecrets: readonly SecretProps[],
  targetDeleted: readonly DeletedSecretProps[], options: CopyPlanOptions = {}): PlanItem[] {
  const existing = new Map(targetSecrets.map((s) => [keyOf(s.name), s]));
  const deleted = new Map(targetDeleted.map((d) => [keyOf(d.name), d]));
  const seen = new Set<string>();
  const purgeable = options.isPurgeable ?? ((d: DeletedSecretProps) => d.recoveryLevel === undefined || /Purgeable/i.test(d.recoveryLevel));
  return sources.map((s): PlanItem => {
    const key = keyOf(s.name);
    const skip = (reason: string, target = s.name): PlanItem => ({ source: s.name, target, action: 'skip', reason, versions: [] });
    if (seen.has(key)) return skip(REASONS.duplicate);
    seen.add(key);
    if (s.managed) return skip(REASONS.managed);
    let versions: (string | undefined)[] = [undefined];
    if (options.allVersions) {
      const list = options.versions?.get(key) ?? [];
      versions = oldestFirst(list).map((v) => v.version).filter((v): v is string => !!v);
      if (versions.length === 0) return skip(REASONS.noVersions);
    }
    const there = existing.get(key);
    if (there) {
      if (there.managed) return skip(REASONS.managed, there.name);
      if (options.onExisting === 'newVersion') return { source: s.name, target: there.name, action: 'newVersion', versions };
      return skip(REASONS.exists, there.name);
    }
    const d = deleted.get(key);
    if (d) return { source: s.name, target: d.name, action: 'deleted', reason: REASONS.deleted, versions, purgeable: purgeable(d) };
    return { source: s.name, target: s.name, action: 'create', versions };
  });
}

/** The user's answer for names held by deleted secrets. Purge is refused where the vault forbids it. */
export function resolveDeleted(plan: readonly PlanItem[], choice: 'recover' | 'purge' | 'skip'): PlanItem[] {
  return plan.map((item) => {
    if (item.action !== 'deleted') return item;
    if (choice === 'recover') return { ...item, action: 'recoverAndVersion', reason: undefined };
    if (choice === 'purge' && item.purgeable !== false) return { ...item, action: 'purgeAndCreate', reason: undefined };
    const reason = choice === 'purge'
      ? 'the target holds this name as a deleted secret and its vault does not allow purging (purge protection)'
      : REASONS.deleted;
    return { ...item, action: 'skip', reason, versions: [] };
  });
}

export interface PlanSummary {
  create: number;
  newVersion: number;
  recoverAndVersion: number;
  purgeAndCreate: number;
  deleted: number;
  skip: number;
  /** Versions that would be written. */
  writes: number;
}

export function summarize(plan: readonly PlanItem[]): PlanSummary {
  const s: PlanSummary = { create: 0, newVersion: 0, recoverAndVersion: 0, purgeAndCreate: 0, deleted: 0, skip: 0, writes: 0 };
  for (const item of plan) {
    s[item.action]++;
    if (item.action !== 'skip' && item.action !== 'deleted') s.writes += item.versions.length;
  }
  return s;
}

/** Items that write something. */
export function runnable(plan: readonly PlanItem[]): PlanItem[] {
  return plan.filter((i) => i.action !== 'skip' && i.action !== 'deleted');
}

export interface ImportCandidate {
  /** The key in the file. */
  key: string;
  /** The Key Vault name it becomes. */
  name: string;
  invalid?: { problem: string; fix?: string };
}

/**
 * The plan for an import: invalid names are skipped with the problem and the fix, or — with `applyFixes` — written
 * under the fixed name; then the same rules as a copy (duplicates by case, existing names, deleted names).
 */
export function planImport(candidates: readonly ImportCandidate[], targetSecrets: readonly SecretProps[],
  targetDeleted: readonly DeletedSecretProps[], options: { onExisting?: 'skip' | 'newVersion'; applyFixes?: boolean;
    isPurgeable?: (d: DeletedSecretProps) => boolean } = {}): PlanItem[] {
  const sources: SecretProps[] = [];
  const items: (PlanItem | number)[] = candidates.map((c) => {
    let name = c.name;
    if (c.invalid) {
      if (!options.applyFixes || !c.invalid.fix) {
        return { source: c.key, target: c.name, action: 'skip', versions: [],
          reason: `invalid name: ${c.invalid.problem}${c.invalid.fix ? ` Fix: "${c.invalid.fix}"` : ''}` } satisfies PlanItem;
      }
      name = c.invalid.fix;
    }
    sources.push({ name, vaultUrl: '', id: '', enabled: true, managed: false });
    return sources.length - 1;
  });
  const planned = planCopy(sources, targetSecrets, targetDeleted, { onExisting: options.onExisting, isPurgeable: options.isPurgeable });
  return items.map((it, i) => (typeof it === 'number' ? { ...planned[it]!, source: candidates[i]!.key } : it));
}
