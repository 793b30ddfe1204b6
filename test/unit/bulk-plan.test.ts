// The vault-to-vault planner: comparison (case-insensitive names, metadata, salted value fingerprints that never
// reach the output), copy plans (existing names, names held by deleted secrets, certificate-backed secrets, all
// versions oldest first), the executor (bounded parallelism, cancellation between secrets, per-secret report).
import * as assert from 'node:assert/strict';
import type { DeletedSecretProps, SecretProps, SecretWrite } from '../../src/azure/model';
import { compareListings, Fingerprinter, prefixFilter } from '../../src/bulk/compare';
import { executePlan, formatReport } from '../../src/bulk/execute';
import { oldestFirst, planCopy, planImport, resolveDeleted, summarize, type PlanItem } from '../../src/bulk/plan';
import { renderComparison } from '../../src/bulk/render';

const secret = (name: string, extra: Partial<SecretProps> = {}): SecretProps =>
  ({ name, vaultUrl: 'https://a.vault.azure.net/', id: `https://a.vault.azure.net/secrets/${name}`, enabled: true, managed: false, ...extra });
const deleted = (name: string, extra: Partial<DeletedSecretProps> = {}): DeletedSecretProps => ({ ...secret(name), ...extra });

describe('bulk: compare', () => {
  it('matches names case-insensitively and sorts them into only-in-A, only-in-B, different and same', () => {
    const a = [secret('Shared'), secret('only-a'), secret('changed', { enabled: false }), secret('tagged', { tags: { env: 'dev' } })];
    const b = [secret('shared'), secret('only-b'), secret('CHANGED'), secret('tagged', { tags: { env: 'prd' } })];
    const c = compareListings(a, b);
    assert.deepEqual(c.onlyInA.map((s) => s.name), ['only-a']);
    assert.deepEqual(c.onlyInB.map((s) => s.name), ['only-b']);
    assert.deepEqual(c.same.map((s) => [s.name, s.nameB]), [['Shared', 'shared']]);
    assert.deepEqual(c.different.map((d) => [d.name, d.nameB, d.fields]), [['changed', 'CHANGED', ['enabled']], ['tagged', undefined, ['tags']]]);
    assert.equal(c.valuesCompared, false);
  });

  it('sees content type and expiry differences, and tags in another order as equal', () => {
    const exp = new Date('2030-01-01T00:00:00Z');
    const c = compareListings(
      [secret('x', { contentType: 'text/plain', expiresOn: exp }), secret('y', { tags: { a: '1', b: '2' } })],
      [secret('x'), secret('y', { tags: { b: '2', a: '1' } })]);
    assert.deepEqual(c.different.map((d) => d.fields), [['contentType', 'expiresOn']]);
    assert.deepEqual(c.same.map((s) => s.name), ['y']);
  });

  it('compares values through salted fingerprints, and neither values nor fingerprints reach the output', () => {
    const values = { a: { same: 'VALUE-ONE-abc', diff: 'VALUE-TWO-def' }, b: { same: 'VALUE-ONE-abc', diff: 'VALUE-TWO-xyz' } };
    const fp = new Fingerprinter();
    const fa = new Map(Object.entries(values.a).map(([k, v]) => [k, fp.fingerprint(v)]));
    const fb = new Map(Object.entries(values.b).map(([k, v]) => [k, fp.fingerprint(v)]));
    assert.notEqual(fp.fingerprint('x'), new Fingerprinter().fingerprint('x'), 'a new salt per comparison');
    const c = compareListings([secret('same'), secret('diff'), secret('unread')], [secret('same'), secret('DIFF'), secret('unread')],
      { fingerprintsA: fa, fingerprintsB: fb });
    assert.deepEqual(c.different.map((d) => [d.name, d.fields]), [['diff', ['value']]]);
    assert.deepEqual(c.same.map((s) => s.name), ['same', 'unread']);
    assert.deepEqual(c.valueUnread, ['unread']);
    const text = JSON.stringify(c) + renderComparison(c, { name: 'a', url: 'https://a/' }, { name: 'b', url: 'https://b/' });
    for (const v of [...Object.values(values.a), ...Object.values(values.b), ...fa.values(), ...fb.values()]) {
      assert.ok(!text.includes(v), 'no value or fingerprint in the result or the report');
    }
    assert.match(text, /value differs/);
  });

  it('limits both sides to a name prefix, case-insensitively', () => {
    const c = compareListings([secret('airflow-connections-a'), secret('other')], [secret('AIRFLOW-connections-b')],
      { filter: prefixFilter('airflow-connections-') });
    assert.deepEqual([c.onlyInA.map((s) => s.name), c.onlyInB.map((s) => s.name)], [['airflow-connections-a'], ['AIRFLOW-connections-b']]);
  });

  it('renders metadata but hides content types in presentation mode', () => {
    const c = compareListings([secret('x', { contentType: 'application/secret-kind' })], [secret('x')]);
    const shown = renderComparison(c, { name: 'a', url: 'https://a/' }, { name: 'b', url: 'https://b/' });
    const hidden = renderComparison(c, { name: 'a', url: 'https://a/' }, { name: 'b', url: 'https://b/' }, { hideMetadata: true });
    assert.match(shown, /application\/secret-kind/);
    assert.doesNotMatch(hidden, /application\/secret-kind/);
    assert.match(hidden, /content type differs/);
  });
});

describe('bulk: copy plan', () => {
  it('creates new names and skips existing ones (any case) unless "new version" is chosen', () => {
    const src = [secret('New-One'), secret('DB-Password')];
    const tgt = [secret('db-password')];
    const plan = planCopy(src, tgt, []);
    assert.deepEqual(plan.map((p) => [p.source, p.target, p.action]), [['New-One', 'New-One', 'create'], ['DB-Password', 'db-password', 'skip']]);
    assert.match(plan[1]!.reason!, /already has this name/);
    const versioned = planCopy(src, tgt, [], { onExisting: 'newVersion' });
    assert.deepEqual(versioned.map((p) => [p.target, p.action]), [['New-One', 'create'], ['db-password', 'newVersion']]);
  });

  it('skips a name listed twice in different cases', () => {
    const plan = planCopy([secret('Twice'), secret('TWICE')], [], []);
    assert.deepEqual(plan.map((p) => p.action), ['create', 'skip']);
    assert.match(plan[1]!.reason!, /case-insensitive/);
  });

  it('reports a name held by a deleted secret and never resolves it on its own', () => {
    const plan = planCopy([secret('gone'), secret('locked')], [], [deleted('GONE'), deleted('locked', { recoveryLevel: 'Recoverable' })]);
    assert.deepEqual(plan.map((p) => [p.target, p.action, p.purgeable]), [['GONE', 'deleted', true], ['locked', 'deleted', false]]);
    assert.equal(summarize(plan).writes, 0, 'nothing is written while unresolved');
    assert.deepEqual(resolveDeleted(plan, 'recover').map((p) => p.action), ['recoverAndVersion', 'recoverAndVersion']);
    const purged = resolveDeleted(plan, 'purge');
    assert.deepEqual(purged.map((p) => p.action), ['purgeAndCreate', 'skip'], 'purge protection is respected');
    assert.match(purged[1]!.reason!, /purge protection/);
    assert.deepEqual(resolveDeleted(plan, 'skip').map((p) => p.action), ['skip', 'skip']);
  });

  it('skips certificate-backed secrets, in the source or in the target, with a reason', () => {
    const plan = planCopy([secret('tls-cert', { managed: true }), secret('web-cert')], [secret('web-cert', { managed: true })], [],
      { onExisting: 'newVersion' });
    assert.deepEqual(plan.map((p) => p.action), ['skip', 'skip']);
    for (const p of plan) assert.match(p.reason!, /certificate/);
  });

  it('copies all versions oldest first when asked', () => {
    const v = (version: string, day: number) => secret('multi', { version, createdOn: new Date(Date.UTC(2024, 0, day)) });
    const versions = new Map([['multi', [v('c3', 3), v('a1', 1), v('b2', 2)]]]);
    const plan = planCopy([secret('Multi')], [], [], { allVersions: true, versions });
    assert.deepEqual(plan[0]!.versions, ['a1', 'b2', 'c3']);
    assert.deepEqual(planCopy([secret('Multi')], [], [])[0]!.versions, [undefined], 'latest only by default');
    assert.deepEqual(oldestFirst([{ createdOn: undefined, n: 1 }, { createdOn: new Date(5), n: 2 }, { createdOn: undefined, n: 3 }]).map((x) => x.n), [1, 3, 2]);
  });

  it('plans an import: invalid names skipped with the fix, or written under it when chosen', () => {
    const cands = [{ key: 'DB_PASSWORD', name: 'DB_PASSWORD', invalid: { problem: 'bad', fix: 'DB-PASSWORD' } }, { key: 'ok', name: 'ok' }];
    const plan = planImport(cands, [secret('OK')], []);
    assert.deepEqual(plan.map((p) => [p.source, p.target, p.action]), [['DB_PASSWORD', 'DB_PASSWORD', 'skip'], ['ok', 'OK', 'skip']]);
    assert.match(plan[0]!.reason!, /Fix: "DB-PASSWORD"/);
    const fixed = planImport(cands, [secret('OK')], [], { applyFixes: true, onExisting: 'newVersion' });
    assert.deepEqual(fixed.map((p) => [p.source, p.target, p.action]), [['DB_PASSWORD', 'DB-PASSWORD', 'create'], ['ok', 'OK', 'newVersion']]);
  });
});

describe('bulk: executor', () => {
  function fakeTarget(opts: { failOn?: string; slowMs?: number } = {}) {
    const writes: { name: string; value: string }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    return {
      writes, maxInFlight: () => maxInFlight, calls: [] as string[],
      io: {
        read: async (item: PlanItem, version?: string): Promise<SecretWrite> => ({ value: `value-of-${item.source}-${version ?? 'latest'}` }),
        write: async (name: string, w: SecretWrite): Promise<SecretProps> => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, opts.slowMs ?? 1));
          inFlight--;
          if (name === opts.failOn) throw new Error(`Key Vault is throttling requests (429) for ${name}; value was ${w.value}`);
          writes.push({ name, value: w.value });
          return secret(name);
        },
        recover: async () => undefined,
        purge: async () => undefined,
      },
    };
  }

  it('runs with bounded parallelism and reports every secret, copied, skipped and failed, without values', async () => {
    const plan: PlanItem[] = [
      ...Array.from({ length: 20 }, (_, i): PlanItem => ({ source: `s${i}`, target: `s${i}`, action: 'create', versions: [undefined] })),
      { source: 'skip-me', target: 'skip-me', action: 'skip', reason: 'exists', versions: [] },
      { source: 'bad', target: 'bad', action: 'create', versions: [undefined] },
    ];
    const t = fakeTarget({ failOn: 'bad' });
    const report = await executePlan(plan, t.io, { concurrency: 4 });
    assert.equal(t.maxInFlight() <= 4, true);
    assert.deepEqual([report.copied, report.skipped, report.failed, report.notRun], [20, 1, 1, 0]);
    const bad = report.entries.find((e) => e.source === 'bad')!;
    assert.equal(bad.detail, 'the operation failed (message withheld)', 'an error quoting the value is withheld');
    const text = formatReport('Copy', report) + JSON.stringify(report);
    assert.ok(!text.includes('value-of-'), 'no value in the report');
  });

  it('copies versions in order and stops between secrets on cancel: the report matches what was written', async () => {
    const controller = new AbortController();
    const plan: PlanItem[] = Array.from({ length: 10 }, (_, i): PlanItem => ({ source: `s${i}`, target: `s${i}`, action: 'create', versions: ['v1', 'v2'] }));
    const t = fakeTarget();
    const report = await executePlan(plan, t.io, {
      concurrency: 2, signal: controller.signal,
      onProgress: (done) => { if (done === 3) controller.abort(); },
    });
    assert.equal(report.cancelled, true);
    const copied = report.entries.filter((e) => e.outcome === 'copied').map((e) => e.target).sort();
    const written = [...new Set(t.writes.map((w) => w.name))].sort();
    assert.deepEqual(copied, written, 'the report says exactly what the target holds');
    assert.ok(copied.length >= 3 && copied.length < 10);
    for (const e of report.entries.filter((x) => x.outcome === 'copied')) assert.equal(e.written, 2);
    assert.deepEqual(t.writes.filter((w) => w.name === 's0').map((w) => w.value), ['value-of-s0-v1', 'value-of-s0-v2'], 'oldest first');
    assert.equal(report.notRun, 10 - copied.length);
  });

  it('recovers or purges before writing a resolved deleted name', async () => {
    const t = fakeTarget();
    const calls: string[] = [];
    const io = { ...t.io, recover: async (n: string) => calls.push(`recover ${n}`), purge: async (n: string) => calls.push(`purge ${n}`) };
    const report = await executePlan([
      { source: 'a', target: 'a', action: 'recoverAndVersion', versions: [undefined] },
      { source: 'b', target: 'b', action: 'purgeAndCreate', versions: [undefined] },
      { source: 'c', target: 'c', action: 'deleted', reason: 'held by a deleted secret', versions: [undefined] },
    ], io, { concurrency: 1 });
    assert.deepEqual(calls, ['recover a', 'purge b']);
    assert.deepEqual(report.entries.map((e) => [e.target, e.outcome, e.action]),
      [['a', 'copied', 'recovered + new version'], ['b', 'copied', 'purged + created'], ['c', 'skipped', undefined]]);
  });
});
