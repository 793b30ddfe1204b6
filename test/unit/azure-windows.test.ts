// retryWhileInWindow: runs an operation again while Key Vault answers 409 ObjectIsBeingDeleted /
// ObjectIsBeingRecovered, with backoff within a bound, and ends with a message that says what the service is still
// doing. A fake clock makes the waits exact (no wall-clock assertions); the errors are the SDK's RestError with the
// service's messages (docs/emulator.md, timing windows).
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { classifyError, KeyVaultError } from '../../src/azure/errors';
import { retryWhileInWindow, windowOf, type WindowClock } from '../../src/azure/serviceWindows';

function rest(status: number, code: string, message: string, inner?: string): RestError {
  const request = createPipelineRequest({ url: 'https://kv1.vault.azure.net/secrets/db-pass?api-version=2025-07-01', method: 'PUT' });
  const err = new RestError(message, { statusCode: status, code, request, response: { status, headers: createHttpHeaders(), request } });
  // what secretsService.withErrorBody gives classifyError: the body with the innererror the SDK dropped
  if (inner) (err as { details?: unknown }).details = { error: { code, message, innererror: { code: inner } } };
  return err;
}

const beingDeleted = () => rest(409, 'Conflict', 'Secret db-pass is currently being deleted and cannot be re-created; retry later.', 'ObjectIsBeingDeleted');
const beingRecovered = () => rest(409, 'Conflict', 'Secret db-pass is currently being recovered and cannot be re-created; retry later.', 'ObjectIsBeingRecovered');
const deletedButRecoverable = () => rest(409, 'Conflict', 'Secret db-pass is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.', 'ObjectIsDeletedButRecoverable');

/** Time moves only when the helper sleeps; `after` timers fire when time passes them. */
class FakeClock implements WindowClock {
  t = 1000;
  readonly sleeps: number[] = [];
  private timers: { at: number; fn: () => void }[] = [];
  now(): number { return this.t; }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms);
    await Promise.resolve();
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((x) => x !== timer); };
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
  }
}

/** An operation that fails with `errors` in turn, then answers `result`. */
function scripted<T>(errors: (() => unknown)[], result: T) {
  const calls: AbortSignal[] = [];
  const op = async (signal: AbortSignal): Promise<T> => {
    calls.push(signal);
    const next = errors.shift();
    if (next) throw next();
    return result;
  };
  return { op, calls };
}

describe('azure/serviceWindows retryWhileInWindow', () => {
  it('classifies the window answers: being deleted (delete and purge), being recovered', () => {
    assert.equal(windowOf(beingDeleted()), 'deleting');
    assert.equal(windowOf(rest(409, 'Conflict', 'Secret is currently being deleted.', 'ObjectIsBeingDeleted')), 'deleting');
    assert.equal(windowOf(beingRecovered()), 'recovering');
    assert.equal(windowOf(deletedButRecoverable()), undefined);
    assert.equal(windowOf(rest(404, 'SecretNotFound', 'A secret with (name/id) db-pass was not found in this key vault.')), undefined);
    const rec = classifyError(beingRecovered(), { vault: 'kv1', secret: 'db-pass' });
    assert.equal(rec.kind, 'beingRecovered');
    assert.match(rec.message, /still recovering secret "db-pass" in vault "kv1".*try again/i);
    assert.equal(rec.code, 'ObjectIsBeingRecovered');
    const del = classifyError(beingDeleted(), { vault: 'kv1', secret: 'db-pass' });
    assert.equal(del.kind, 'beingDeleted');
    assert.match(del.message, /still deleting secret "db-pass" in vault "kv1".*try again/i);
  });

  it('retries while the name is being deleted, backing off 0.5, 1, 2, 4, 4 s, and reports each wait', async () => {
    const clock = new FakeClock();
    const { op, calls } = scripted(Array(5).fill(beingDeleted), 'saved');
    const waits: string[] = [];
    const result = await retryWhileInWindow(op, { secret: 'db-pass', vault: 'kv1', clock, onWait: (m) => waits.push(m) });
    assert.equal(result, 'saved');
    assert.equal(calls.length, 6);
    assert.deepEqual(clock.sleeps, [500, 1000, 2000, 4000, 4000]);
    assert.equal(waits.length, 5);
    assert.match(waits[0]!, /Waiting for Key Vault to finish deleting "db-pass"/);
  });

  it('says "recovering" while the name is being recovered', async () => {
    const clock = new FakeClock();
    const waits: string[] = [];
    const { op } = scripted([beingRecovered], 1);
    await retryWhileInWindow(op, { secret: 'db-pass', clock, onWait: (m, kind) => waits.push(`${kind}: ${m}`) });
    assert.deepEqual(waits, ['recovering: Waiting for Key Vault to finish recovering "db-pass"…']);
  });

  it('passes any other error through at once: the deleted-name conflict, not found', async () => {
    for (const make of [deletedButRecoverable, () => rest(404, 'SecretNotFound', 'not found')]) {
      const clock = new FakeClock();
      const { op, calls } = scripted([beingDeleted, make], 'never');
      await assert.rejects(retryWhileInWindow(op, { secret: 'db-pass', clock }), (e: unknown) => {
        assert.equal(classifyError(e).kind, make === deletedButRecoverable ? 'conflictDeleted' : 'notFound');
        return true;
      });
      assert.equal(calls.length, 2);
    }
  });

  it('stops at the bound with a message that says what Key Vault is still doing and what was done', async () => {
    const clock = new FakeClock();
    const { op, calls } = scripted(Array(100).fill(beingDeleted), 'never');
    await assert.rejects(retryWhileInWindow(op, { secret: 'db-pass', vault: 'kv1', clock, boundMs: 10_000, outcome: 'Nothing was saved: try again in a minute.' }),
      (e: unknown) => {
        assert.ok(e instanceof KeyVaultError);
        assert.equal(e.kind, 'beingDeleted');
        assert.equal(e.message, 'Key Vault is still deleting "db-pass" in kv1. Nothing was saved: try again in a minute.');
        assert.match(e.detail, /wait bound/);
        assert.match(e.detail, /ObjectIsBeingDeleted/);
        return true;
      });
    // 0.5 + 1 + 2 + 4 = 7.5 s waited; another 4 s would pass the 10 s bound, so no fifth wait
    assert.deepEqual(clock.sleeps, [500, 1000, 2000, 4000]);
    assert.equal(calls.length, 5);
  });

  it('the default bound is about a minute', async () => {
    const clock = new FakeClock();
    const { op } = scripted(Array(100).fill(beingRecovered), 'never');
    await assert.rejects(retryWhileInWindow(op, { secret: 'db-pass', clock }), /still recovering "db-pass"\. Try again in a minute/);
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(waited > 50_000 && waited <= 60_000, `waited ${waited} ms`);
  });

  it('cuts off an operation that waits itself (a poller) at the bound, as still in the window', async () => {
    const clock = new FakeClock();
    let seen: AbortSignal | undefined;
    const poller = (signal: AbortSignal) => new Promise<string>((_, reject) => {
      seen = signal;
      signal.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })));
    });
    const running = retryWhileInWindow(poller, { secret: 'db-pass', vault: 'kv1', clock, boundMs: 30_000, cutOffAtBound: 'recovering',
      outcome: 'It is back in the vault when Key Vault has finished.' });
    await Promise.resolve();
    assert.equal(seen?.aborted, false);
    clock.advance(30_000);
    await assert.rejects(running, (e: unknown) => {
      assert.ok(e instanceof KeyVaultError);
      assert.equal(e.kind, 'beingRecovered');
      assert.equal(e.message, 'Key Vault is still recovering "db-pass" in kv1. It is back in the vault when Key Vault has finished.');
      return true;
    });
  });

  it('a single request is never cut off at the bound', async () => {
    const clock = new FakeClock();
    const { op, calls } = scripted([], 'saved');
    assert.equal(await retryWhileInWindow(op, { secret: 'db-pass', clock, boundMs: 1 }), 'saved');
    assert.equal(calls[0]!.aborted, false);
  });

  it('the user\'s cancel ends the wait with the cancellation, not the bound message', async () => {
    const clock = new FakeClock();
    const user = new AbortController();
    const op = async () => { user.abort(); throw beingDeleted(); };
    await assert.rejects(retryWhileInWindow(op, { secret: 'db-pass', clock, abortSignal: user.signal }), (e: unknown) => {
      assert.equal(classifyError(e).kind, 'cancelled');
      return true;
    });
    // already cancelled: nothing is sent
    const { op: never, calls } = scripted([], 'x');
    await assert.rejects(retryWhileInWindow(never, { secret: 'db-pass', clock, abortSignal: user.signal }), /aborted/);
    assert.equal(calls.length, 0);
  });

  it('real timers: waits and retries, and a cancel during the wait ends it', async () => {
    const { op, calls } = scripted([beingDeleted, beingDeleted], 'ok');
    assert.equal(await retryWhileInWindow(op, { secret: 'db-pass', firstDelayMs: 1, maxDelayMs: 2 }), 'ok');
    assert.equal(calls.length, 3);
    const user = new AbortController();
    const pending = retryWhileInWindow(async () => { throw beingDeleted(); }, { secret: 'db-pass', firstDelayMs: 30_000, abortSignal: user.signal, onWait: () => user.abort() });
    await assert.rejects(pending, (e: unknown) => classifyError(e).kind === 'cancelled');
  });
});
