// Comparing two vaults' listings: only in A, only in B, different (enabled, content type, tags, expiry and — when
// asked — the value), same. Names are compared Key Vault's way: case-insensitively. Pure: no vscode.
//
// Values are compared through salted SHA-256 fingerprints computed in memory (a random salt per comparison, so
// a fingerprint is worth nothing outside it); the comparison result carries only "the value differs", never a
// value or a fingerprint.
import { createHash, randomBytes } from 'node:crypto';
import type { SecretProps } from '../azure/model';

export type DiffField = 'enabled' | 'contentType' | 'tags' | 'expiresOn' | 'value';

export interface ComparedSecret {
  /** The name as vault A spells it (B's spelling when it differs only by case is in nameB). */
  name: string;
  nameB?: string;
  a?: SecretProps;
  b?: SecretProps;
}

export interface DifferentSecret extends ComparedSecret {
  a: SecretProps;
  b: SecretProps;
  fields: DiffField[];
}

export interface Comparison {
  onlyInA: SecretProps[];
  onlyInB: SecretProps[];
  different: DifferentSecret[];
  same: ComparedSecret[];
  /** Whether values were compared (fingerprints given for both sides). */
  valuesCompared: boolean;
  /** Names whose value could not be read (disabled, not yet active…): compared on metadata only. */
  valueUnread: string[];
}

/**
 * Salted SHA-256 of values, in memory only. One Fingerprinter per comparison: both vaults' values must be
 * hashed with the same salt, and the salt is never shown or kept.
 */
export class Fingerprinter {
  private readonly salt = randomBytes(32);
  fingerprint(value: string): string {
    return createHash('sha256').update(this.salt).update(value, 'utf8').digest('base64');
  }
}

export interface CompareOptions {
  /** Keep only names this accepts (a prefix, an Airflow group). Applied to both sides. */
  filter?: (name: string) => boolean;
  /** Fingerprints by lower-case name, from one Fingerprinter; a name missing from a map was not read. */
  fingerprintsA?: ReadonlyMap<string, string>;
  fingerprintsB?: ReadonlyMap<string, string>;
}

export const keyOf = (name: string): string => name.toLowerCase();

function sameTags(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ea = Object.entries(a ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const eb = Object.entries(b ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return ea.length === eb.length && ea.every(([k, v], i) => eb[i]![0] === k && eb[i]![1] === v);
}

/** The metadata fields that differ between two secrets (latest versions). */
export function differingFields(a: SecretProps, b: SecretProps): DiffField[] {
  const fields: DiffField[] = [];
  if (a.enabled !== b.enabled) fields.push('enabled');
  if ((a.contentType ?? '') !== (b.contentType ?? '')) fields.push('contentType');
  if (!sameTags(a.tags, b.tags)) fields.push('tags');
  if ((a.expiresOn?.getTime() ?? null) !== (b.expiresOn?.getTime() ?? null)) fields.push('expiresOn');
  return fields;
}

const byName = (x: { name: string }, y: { name: string }) => keyOf(x.name).localeCompare(keyOf(y.name));

export function compareListings(a: readonly SecretProps[], b: readonly SecretProps[], options: CompareOptions = {}): Comparison {
  const keep = options.filter ?? (() => true);
  const mapB = new Map<string, SecretProps>();
  for (const s of b) if (keep(s.name)) mapB.set(keyOf(s.name), s);
  const valuesCompared = !!(options.fingerprintsA && options.fingerprintsB);
  const result: Comparison = { onlyInA: [], onlyInB: [], different: [], same: [], valuesCompared, valueUnread: [] };
  const seen = new Set<string>();
  for (const sa of a) {
    if (!keep(sa.name)) continue;
    const key = keyOf(sa.name);
    if (seen.has(key)) continue;
    seen.add(key);
    const sb = mapB.get(key);
    if (!sb) { result.onlyInA.push(sa); continue; }
    const fields = differingFields(sa, sb);
    if (valuesCompared) {
      const fa = options.fingerprintsA!.get(key);
      const fb = options.fingerprintsB!.get(key);
      if (fa === undefined || fb === undefined) result.valueUnread.push(sa.name);
      else if (fa !== fb) fields.push('value');
    }
    const entry: ComparedSecret = { name: sa.name, nameB: sb.name !== sa.name ? sb.name : undefined, a: sa, b: sb };
    if (fields.length) result.different.push({ ...entry, a: sa, b: sb, fields });
    else result.same.push(entry);
  }
  for (const [key, sb] of mapB) if (!seen.has(key)) result.onlyInB.push(sb);
  result.onlyInA.sort(byName);
  result.onlyInB.sort(byName);
  result.different.sort(byName);
  result.same.sort(byName);
  result.valueUnread.sort((x, y) => keyOf(x).localeCompare(keyOf(y)));
  return result;
}

/** A name filter: names starting with `prefix`, compared case-insensitively. */
export function prefixFilter(prefix: string): (name: string) => boolean {
  const p = keyOf(prefix);
  return (name) => keyOf(name).startsWith(p);
}
