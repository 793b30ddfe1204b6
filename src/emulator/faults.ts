// Request counters and injected faults (429 with Retry-After, 503, delays, connection resets), configured
// from the seed and changed at runtime through the admin API.
import * as crypto from 'node:crypto';
import type { FaultRule } from './model';

export class Stats {
  private counts = new Map<string, number>();
  private statuses = new Map<string, number>();
  private total = 0;

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    this.total++;
  }
  status(code: number): void {
    const k = String(code);
    this.statuses.set(k, (this.statuses.get(k) ?? 0) + 1);
  }
  snapshot(): { requests: Record<string, number>; total: number; statuses: Record<string, number> } {
    return {
      requests: Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b))),
      total: this.total,
      statuses: Object.fromEntries(this.statuses),
    };
  }
  reset(): void {
    this.counts.clear();
    this.statuses.clear();
    this.total = 0;
  }
}

export interface ActiveRule extends FaultRule {
  id: string;
  /** Remaining applications (undefined = unlimited). */
  remaining?: number;
  applied: number;
}

export function validateRule(r: unknown): FaultRule {
  if (!r || typeof r !== 'object') throw new Error('a fault rule must be an object');
  const rule = r as FaultRule;
  if (typeof rule.operation !== 'string' || !rule.operation) throw new Error('fault rule: operation is required');
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599)) {
    throw new Error('fault rule: status must be an HTTP error status (400-599)');
  }
  if (rule.status === undefined && !rule.reset && rule.delayMs === undefined) {
    throw new Error('fault rule: give status, reset or delayMs');
  }
  if (rule.probability !== undefined && (typeof rule.probability !== 'number' || rule.probability < 0 || rule.probability > 1)) {
    throw new Error('fault rule: probability must be between 0 and 1');
  }
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
    throw new Error('fault rule: count must be a positive integer');
  }
  return rule;
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(initial: FaultRule[] = []) {
    this.set(initial);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => this.activate(validateRule(r)));
  }
  add(rule: FaultRule): ActiveRule {
    const a = this.activate(validateRule(rule));
    this.rules.push(a);
    return a;
  }
  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  private activate(r: FaultRule): ActiveRule {
    return { ...r, id: r.id ?? crypto.randomUUID().slice(0, 8), remaining: r.count, applied: 0 };
  }

  /** The first matching rule that fires for this request (consuming one of its applications). */
  match(operation: string, vault: string | undefined): ActiveRule | undefined {
    for (const r of this.rules) {
      if (r.operation !== '*' && r.operation !== operation) continue;
      if (r.vault !== undefined && (vault === undefined || r.vault.toLowerCase() !== vault.toLowerCase())) continue;
      if (r.probability !== undefined && Math.random() >= r.probability) continue;
      r.applied++;
      if (r.remaining !== undefined) {
        r.remaining--;
        if (r.remaining <= 0) this.rules = this.rules.filter((x) => x !== r);
      }
      return { ...r };
    }
    return undefined;
  }
}
