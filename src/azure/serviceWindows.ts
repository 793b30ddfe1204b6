// Key Vault's timing windows, seen from a client. Delete, recover and purge answer at once and finish seconds
// later; until then the service answers 409 ObjectIsBeingDeleted / ObjectIsBeingRecovered to a set (and to a
// purge or recover during a delete), and its pollers see 404s. retryWhileInWindow runs an operation again while
// the service says the name is in such a window — with backoff, within a bound, cancellable — and ends with a
// message that says what Key Vault is still doing when the bound is reached. No vscode import: the commands
// run it under their progress notification.
import * as l10n from '@vscode/l10n';
import { classifyError, KeyVaultError } from './errors';

/** What the service is still doing with the name. */
export type WindowKind = 'deleting' | 'recovering';

/** How long commands keep waiting for a window to end, in total. */
export const WINDOW_BOUND_MS = 60_000;
/** First wait between attempts; doubled each time up to WINDOW_MAX_DELAY_MS. */
export const WINDOW_FIRST_DELAY_MS = 500;
export const WINDOW_MAX_DELAY_MS = 4_000;

/** Time as the helper sees it: real timers, or a fake clock in unit tests. */
export interface WindowClock {
  now(): number;
  /** Resolves after `ms`; rejects with an AbortError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: WindowClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
    if (signal?.aborted) { reject(abortError()); return; }
    const onAbort = () => { clearTimeout(timer); reject(abortError()); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  }),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface WindowWaitOptions {
  /** The secret's name and vault, for the messages. */
  secret: string;
  vault?: string;
  /** The user's cancel. */
  abortSignal?: AbortSignal;
  /** Total time to keep trying (default WINDOW_BOUND_MS). */
  boundMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Told what Key Vault is doing before each wait, e.g. 'Waiting for Key Vault to finish deleting "x"…'. */
  onWait?: (message: string, kind: WindowKind) => void;
  /**
   * The operation itself waits for the service (a delete or recover poller): abort it when the bound is reached,
   * and report that as the window's end not reached. Leave off for single requests such as a set, which are never
   * cut off half-way.
   */
  cutOffAtBound?: WindowKind;
  /** What the bound message says after "Key Vault is still deleting x.": what was (not) done and what to do. */
  outcome?: string;
  clock?: WindowClock;
}

/** The window an error says the name is in: 409 ObjectIsBeingDeleted / ObjectIsBeingRecovered. */
export function windowOf(err: unknown): WindowKind | undefined {
  const kind = classifyError(err).kind;
  return kind === 'beingDeleted' ? 'deleting' : kind === 'beingRecovered' ? 'recovering' : undefined;
}

/** The progress line while waiting. */
export function waitingMessage(kind: WindowKind, secret: string): string {
  return kind === 'deleting'
    ? l10n.t('Waiting for Key Vault to finish deleting "{0}"…', secret)
    : l10n.t('Waiting for Key Vault to finish recovering "{0}"…', secret);
}

/** The error when the bound is reached: what Key Vault is still doing, and what to do. */
export function stillInWindowError(kind: WindowKind, secret: string, vault?: string, outcome?: string, cause?: unknown): KeyVaultError {
  const where = vault ? l10n.t('"{0}" in {1}', secret, vault) : `"${secret}"`;
  const what = kind === 'deleting' ? l10n.t('Key Vault is still deleting {0}.', where) : l10n.t('Key Vault is still recovering {0}.', where);
  const message = `${what} ${outcome ?? l10n.t('Try again in a minute.')}`;
  const base = cause === undefined ? undefined : classifyError(cause);
  const detail = `kind=${kind === 'deleting' ? 'beingDeleted' : 'beingRecovered'} | window not over within the wait bound` +
    (base ? ` | last: ${base.detail}` : '');
  return new KeyVaultError(kind === 'deleting' ? 'beingDeleted' : 'beingRecovered', message, detail, base?.code, base?.statusCode);
}

/**
 * Runs `op` until it succeeds or fails with something other than a window's 409, waiting 0.5 s, 1 s, 2 s, 4 s, 4 s…
 * in between; within `boundMs` in total. `op` gets a signal that aborts on the user's cancel (and at the bound
 * with `cutOffAtBound`). Reaching the bound throws stillInWindowError; the user's cancel throws the AbortError.
 */
export async function retryWhileInWindow<T>(op: (signal: AbortSignal) => Promise<T>, options: WindowWaitOptions): Promise<T> {
  const clock = options.clock ?? realClock;
  const bound = options.boundMs ?? WINDOW_BOUND_MS;
  const maxDelay = options.maxDelayMs ?? WINDOW_MAX_DELAY_MS;
  let delay = options.firstDelayMs ?? WINDOW_FIRST_DELAY_MS;
  const deadline = clock.now() + bound;

  const controller = new AbortController();
  let cutOff = false;
  const onUserAbort = () => controller.abort();
  if (options.abortSignal?.aborted) controller.abort();
  options.abortSignal?.addEventListener('abort', onUserAbort, { once: true });
  const cancelTimer = options.cutOffAtBound
    ? clock.after(bound, () => { cutOff = true; controller.abort(); })
    : () => undefined;
  try {
    for (;;) {
      if (controller.signal.aborted && !cutOff) throw abortError();
      try {
        return await op(controller.signal);
      } catch (err) {
        if (cutOff && !options.abortSignal?.aborted) {
          throw stillInWindowError(options.cutOffAtBound!, options.secret, options.vault, options.outcome);
        }
        const kind = windowOf(err);
        if (!kind) throw err;
        if (clock.now() + delay > deadline) throw stillInWindowError(kind, options.secret, options.vault, options.outcome, err);
        options.onWait?.(waitingMessage(kind, options.secret), kind);
        try {
          await clock.sleep(delay, controller.signal);
        } catch (sleepErr) {
          if (cutOff && !options.abortSignal?.aborted) throw stillInWindowError(kind, options.secret, options.vault, options.outcome, err);
          throw sleepErr;
        }
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  } finally {
    cancelTimer();
    options.abortSignal?.removeEventListener('abort', onUserAbort);
  }
}

function abortError(): Error {
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}
