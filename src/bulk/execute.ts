// Runs a copy or import plan against a target vault: bounded parallelism, cancellation checked between
// secrets (a secret that has started is finished, so the report says exactly what the target holds), throttling
// left to the SDK's retry policy (it honours Retry-After; a 429 that outlasts it counts as a failure of that
// secret), and a per-secret report. Pure: no vscode. The report never holds a value.
import type { SecretProps, SecretWrite } from '../azure/model';
import type { PlanItem } from './plan';

export type Outcome = 'copied' | 'skipped' | 'failed' | 'notRun';

export interface ReportEntry {
  source: string;
  target: string;
  outcome: Outcome;
  /** What was done: 'created', 'new version', 'recovered + new version', 'purged + created'. */
  action?: string;
  /** Versions written. */
  written: number;
  /** Why skipped / failed / not run. Never contains a value. */
  detail?: string;
}

export interface ExecutionReport {
  entries: ReportEntry[];
  copied: number;
  skipped: number;
  failed: number;
  notRun: number;
  cancelled: boolean;
}

/** Where values come from (the source vault, an import file) and where they go. */
export interface PlanIo {
  /** The value and properties of one source version (undefined = latest). */
  read(item: PlanItem, version: string | undefined): Promise<SecretWrite>;
  write(name: string, write: SecretWrite): Promise<SecretProps>;
  recover(name: string): Promise<unknown>;
  purge(name: string): Promise<unknown>;
  /** Runs a write again while the name is in a delete/recover window (default: once). */
  retryInWindow?<T>(name: string, op: () => Promise<T>): Promise<T>;
}

export interface ExecuteOptions {
  /** Secrets in flight at once (default 8; Key Vault allows thousands of operations per 10 s per vault). */
  concurrency?: number;
  /** Checked between secrets; a started secret is finished. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, current: string) => void;
  /** Turns an error into a message without any value (the services' classifyError does). */
  describeError?: (err: unknown, name: string) => string;
}

const ACTION_TEXT: Record<string, string> = {
  create: 'created', newVersion: 'new version', recoverAndVersion: 'recovered + new version', purgeAndCreate: 'purged + created',
};

function defaultDescribe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function executePlan(plan: readonly PlanItem[], io: PlanIo, options: ExecuteOptions = {}): Promise<ExecutionReport> {
  const concurrency = Math.max(1, Math.min(32, options.concurrency ?? 8));
  const describe = options.describeError ?? defaultDescribe;
  const entries: ReportEntry[] = plan.map((item) => ({
    source: item.source, target: item.target, written: 0,
    outcome: item.action === 'skip' || item.action === 'deleted' ? 'skipped' : 'notRun',
    detail: item.action === 'skip' || item.action === 'deleted' ? item.reason : undefined,
  }));
  const todo = plan.map((item, i) => ({ item, i })).filter(({ item }) => item.action !== 'skip' && item.action !== 'deleted');
  let next = 0;
  let done = 0;
  const retry = <T>(name: string, op: () => Promise<T>) => (io.retryInWindow ? io.retryInWindow(name, op) : op());

  const runOne = async (item: PlanItem, entry: ReportEntry): Promise<void> => {
    let lastValue: string | undefined;
    try {
      if (item.action === 'recoverAndVersion') await io.recover(item.target);
      if (item.action === 'purgeAndCreate') await io.purge(item.target);
      for (const version of item.versions) {
        const w = await io.read(item, version);
        lastValue = w.value;
        await retry(item.target, () => io.write(item.target, w));
        entry.written++;
      }
      entry.outcome = 'copied';
      entry.action = ACTION_TEXT[item.action];
    } catch (err) {
      entry.outcome = 'failed';
      let message = describe(err, item.target);
      // belt and braces: a message that somehow quotes the value is not shown
      if (lastValue && lastValue.length >= 4 && message.includes(lastValue)) message = 'the operation failed (message withheld)';
      entry.detail = entry.written ? `${message} (after ${entry.written} of ${item.versions.length} versions)` : message;
    } finally {
      lastValue = undefined;
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) return;
      const mine = todo[next++];
      if (!mine) return;
      options.onProgress?.(done, todo.length, mine.item.target);
      await runOne(mine.item, entries[mine.i]!);
      done++;
      options.onProgress?.(done, todo.length, mine.item.target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, () => worker()));
  const cancelled = !!options.signal?.aborted && entries.some((e) => e.outcome === 'notRun');
  for (const e of entries) if (e.outcome === 'notRun') e.detail = 'cancelled before it started';
  const count = (o: Outcome) => entries.filter((e) => e.outcome === o).length;
  return { entries, copied: count('copied'), skipped: count('skipped'), failed: count('failed'), notRun: count('notRun'), cancelled };
}

/** The report as plain text lines for the output channel: names, outcomes and reasons, never a value. */
export function formatReport(title: string, report: ExecutionReport): string {
  const lines = [`${title}: ${report.copied} copied, ${report.skipped} skipped, ${report.failed} failed` +
    (report.notRun ? `, ${report.notRun} not run (cancelled)` : '')];
  for (const e of report.entries) {
    const name = e.source === e.target ? e.target : `${e.source} → ${e.target}`;
    const what = e.outcome === 'copied' ? `copied (${e.action}${e.written > 1 ? `, ${e.written} versions` : ''})` : e.outcome === 'notRun' ? 'not run' : e.outcome;
    lines.push(`  ${what.padEnd(10)} ${name}${e.detail ? ` — ${e.detail}` : ''}`);
  }
  return lines.join('\n');
}

/** Runs `fn` over `items` with at most `limit` at once; rejects with the first error (the rest still settle). */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try { await fn(item); } catch (err) { failed ??= { err }; }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.err;
}
