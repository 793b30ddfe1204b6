// Request counters and injected faults (429 with Retry-After, 503, delays, connection resets), configured
// from the seed and changed at runtime through the admin API. Every rule is validated before it is stored
// (unknown fields, types, ranges, header syntax), so a bad rule is a 400 at the admin API (or a seed error at
// start) and never a crash or a 500 on a later request.
import * as crypto from 'node:crypto';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { FaultRule } from './model';

export class Stats {
  private counts = new Map<string, number>();
  private statuses = new Map<number, number>();
  private total = 0;
  private aborts = 0;

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    this.total++;
  }
  status(code: number): void {
    this.statuses.set(code, (this.statuses.get(code) ?? 0) + 1);
  }
  /** A request whose client closed the connection before the answer (no status is counted for it). */
  abort(): void {
    this.aborts++;
  }
  snapshot(): { requests: Record<string, number>; total: number; statuses: Record<string, number>; aborted: number } {
    return {
      requests: Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b))),
      total: this.total,
      statuses: Object.fromEntries(this.statuses),
      aborted: this.aborts,
    };
  }
  reset(): void {
    this.counts.clear();
    this.statuses.clear();
    this.total = 0;
    this.aborts = 0;
  }
}

/** Operation names (as counted in the stats) a rule may target; `*` targets all. */
export const OPERATIONS = [
  'token', 'openidConfiguration', 'jwks', 'tenants.list', 'subscriptions.list', 'subscriptions.get',
  'vaults.listBySubscription', 'vaults.listByResourceGroup', 'vaults.get', 'vaults.list', 'resourceGraph',
  'secrets.set', 'secrets.get', 'secrets.update', 'secrets.delete', 'secrets.list', 'secrets.listVersions',
  'secrets.listDeleted', 'secrets.getDeleted', 'secrets.purge', 'secrets.recover', 'secrets.backup',
  'secrets.restore', 'secrets.unknown', 'arm.unknown', 'managedHsms.list', 'managedHsms.get', 'managedIdentity', 'federation',
] as const;

export const MAX_RULES = 100;
export const MAX_DELAY_MS = 600_000;
export const MAX_RETRY_AFTER_S = 86_400;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 4096;
/** Fields a rule may carry. */
const RULE_FIELDS = ['id', 'operation', 'vault', 'status', 'retryAfterSeconds', 'delayMs', 'reset', 'corruptBody', 'count', 'probability', 'headers'];
/** Fields the admin API adds to listed rules; accepted and ignored so a listed rule can be sent back as is. */
const OUTPUT_FIELDS = ['remaining', 'applied'];
/** Response headers a rule may not set (they frame the HTTP message). */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te', 'content-type']);

export class FaultRuleError extends Error {}

export interface ActiveRule extends FaultRule {
  id: string;
  /** Remaining applications (undefined = unlimited). */
  remaining?: number;
  applied: number;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A clean copy of a valid rule; throws FaultRuleError with the reason otherwise. `where` prefixes messages. */
export function validateRule(r: unknown, where = 'fault rule'): FaultRule {
  const fail = (m: string): never => {
    throw new FaultRuleError(`${where}: ${m}`);
  };
  if (!r || typeof r !== 'object' || Array.isArray(r)) fail('a fault rule must be a JSON object');
  const o = r as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!RULE_FIELDS.includes(k) && !OUTPUT_FIELDS.includes(k)) fail(`unknown field "${k}" (known: ${RULE_FIELDS.join(', ')})`);
  }
  const rule: FaultRule = { operation: '' };
  if (o.id !== undefined) {
    if (typeof o.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(o.id)) fail('id must be 1-64 letters, digits, ".", "_" or "-"');
    rule.id = o.id as string;
  }
  if (typeof o.operation !== 'string' || !o.operation) fail('operation is required (an operation name from the stats, or "*")');
  rule.operation = o.operation as string;
  if (o.vault !== undefined) {
    if (typeof o.vault !== 'string' || !/^[A-Za-z0-9-]{1,24}$/.test(o.vault)) fail('vault must be a vault name (a string of 1-24 letters, digits, hyphens)');
    rule.vault = o.vault as string;
  }
  if (o.status !== undefined) {
    if (!Number.isInteger(o.status) || (o.status as number) < 400 || (o.status as number) > 599) fail('status must be an HTTP error status (an integer 400-599)');
    rule.status = o.status as number;
  }
  if (o.retryAfterSeconds !== undefined) {
    const v = o.retryAfterSeconds;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_RETRY_AFTER_S) fail(`retryAfterSeconds must be an integer 0-${MAX_RETRY_AFTER_S}`);
    rule.retryAfterSeconds = v as number;
  }
  if (o.delayMs !== undefined) {
    const v = o.delayMs;
    if (!isNumber(v) || v < 0 || v > MAX_DELAY_MS) fail(`delayMs must be a finite number of milliseconds 0-${MAX_DELAY_MS}`);
    rule.delayMs = v as number;
  }
  if (o.reset !== undefined) {
    if (typeof o.reset !== 'boolean') fail('reset must be true or false');
    rule.reset = o.reset as boolean;
  }
  if (o.count !== undefined) {
    if (!Number.isInteger(o.count) || (o.count as number) < 1) fail('count must be a positive integer');
    rule.count = o.count as number;
  }
  if (o.probability !== undefined) {
    if (!isNumber(o.probability) || o.probability < 0 || o.probability > 1) fail('probability must be a number between 0 and 1');
    rule.probability = o.probability as number;
  }
  if (o.headers !== undefined) rule.headers = validateHeaders(o.headers, fail);
  if (o.corruptBody !== undefined) {
    if (typeof o.corruptBody !== 'boolean') fail('corruptBody must be true or false');
    rule.corruptBody = o.corruptBody as boolean;
  }
  if (rule.corruptBody && (rule.status !== undefined || rule.reset)) fail('corruptBody answers the request normally: it cannot also set a status or reset');
  if (rule.status === undefined && !rule.reset && rule.delayMs === undefined && !rule.corruptBody) fail('give status, reset, delayMs or corruptBody');
  if (rule.reset && rule.status !== undefined) fail('reset drops the connection, so it cannot also answer a status');
  if (rule.status === undefined && (rule.retryAfterSeconds !== undefined || rule.headers !== undefined)) {
    fail('retryAfterSeconds and headers need a status');
  }
  if (rule.operation !== '*' && !(OPERATIONS as readonly string[]).includes(rule.operation)) {
    fail(`unknown operation "${rule.operation}" (use "*" or one of: ${OPERATIONS.join(', ')})`);
  }
  return rule;
}

function validateHeaders(h: unknown, fail: (m: string) => never): Record<string, string> {
  if (!h || typeof h !== 'object' || Array.isArray(h)) fail('headers must be an object of header name → string value');
  const entries = Object.entries(h as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) fail(`at most ${MAX_HEADERS} headers`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) {
    try {
      validateHeaderName(name);
    } catch {
      fail(`invalid header name ${JSON.stringify(name)} (letters, digits and !#$%&'*+-.^_\`|~ only)`);
    }
    if (FRAMING_HEADERS.has(name.toLowerCase())) fail(`header ${name} cannot be set by a fault rule`);
    if (typeof value !== 'string') fail(`header ${name}: the value must be a string`);
    const v = value as string;
    if (v.length > MAX_HEADER_VALUE) fail(`header ${name}: the value is longer than ${MAX_HEADER_VALUE} characters`);
    // validateHeaderValue refuses CR, LF and other control characters; non-Latin-1 text would be mangled on the wire.
    let ok = /^[\t\x20-\x7e\x80-\xff]*$/.test(v);
    try {
      validateHeaderValue(name, v);
    } catch {
      ok = false;
    }
    if (!ok) fail(`header ${name}: the value has characters not allowed in a header (CR, LF, control or non-Latin-1 characters)`);
    out[name] = v;
  }
  return { ...out };
}

/** Validates a list of rules (PUT /_admin/faults, the seed's `faults`). */
export function validateRules(rules: unknown, where = 'rules'): FaultRule[] {
  if (!Array.isArray(rules)) throw new FaultRuleError(`${where} must be an array of fault rules`);
  if (rules.length > MAX_RULES) throw new FaultRuleError(`${where}: at most ${MAX_RULES} rules`);
  return rules.map((r, i) => validateRule(r, `${where}[${i}]`));
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(initial: FaultRule[] = []) {
    this.set(initial);
  }

  /** Replaces all rules; nothing changes when one of them is invalid. */
  set(rules: unknown): void {
    this.rules = validateRules(rules).map((r) => this.activate(r));
  }
  add(rule: unknown): ActiveRule {
    if (this.rules.length >= MAX_RULES) throw new FaultRuleError(`at most ${MAX_RULES} rules`);
    const a = this.activate(validateRule(rule));
    this.rules.push(a);
    return { ...a };
  }
  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  private activate(r: FaultRule): ActiveRule {
    return { ...r, id: r.id ?? crypto.randomUUID().slice(0, 8), remaining: r.count, applied: 0 };
  }

  /** Any rule is set (requests skip fault matching otherwise). */
  get active(): boolean {
    return this.rules.length > 0;
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
