// Reliability: the emulator's persisted store (--data) under kill -9, a long history of one secret, and damaged
// files. The emulator runs as the CLI (dist/emulator.js: `node esbuild.js --quiet --emulator-only` first) and is
// written to with the real @azure/keyvault-secrets client; a few cases open the store in-process.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { localEmulatorPolicy } from '../../src/azure/localTransport';
import { seal } from '../../src/emulator/journal';
import type { SecretRecord, SecretVersion } from '../../src/emulator/model';
import { PersistedStore } from '../../src/emulator/store';
import { ADMIN, VAULT_MAIN } from '../conformance/support/fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const EMULATOR_JS = path.join(ROOT, 'dist', 'emulator.js');
const SEED = path.join(ROOT, 'test', 'fixtures', 'conformance-seed.json');

// ---- the emulator process -----------------------------------------------------------------------------------

interface Ready {
  port: number;
  ca: string;
  authorityHost: string;
  tenantId: string;
  vaults: { name: string; url: string }[];
  principals: { clientId: string; clientSecret: string }[];
}

class Running {
  private readonly closed: Promise<void>;
  constructor(readonly child: ChildProcess, readonly ready: Ready, private readonly err: () => string) {
    this.closed = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('close', () => resolve());
    });
  }
  stderr(): string {
    return this.err();
  }
  client(maxRetries = 0): SecretClient {
    const policy = localEmulatorPolicy(fs.readFileSync(this.ready.ca, 'utf8'));
    const p = this.ready.principals.find((x) => x.clientId === ADMIN)!;
    const credential = new ClientSecretCredential(this.ready.tenantId, p.clientId, p.clientSecret, {
      authorityHost: this.ready.authorityHost, disableInstanceDiscovery: true, additionallyAllowedTenants: ['*'],
      additionalPolicies: [{ policy, position: 'perCall' }],
    });
    const url = this.ready.vaults.find((v) => v.name === VAULT_MAIN)!.url;
    return new SecretClient(url, credential, { additionalPolicies: [{ policy, position: 'perCall' }], retryOptions: { maxRetries } });
  }
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.closed;
  }
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.closed;
  }
}

interface Outcome {
  running?: Running;
  code?: number | null;
  stderr: string;
}

const live = new Set<Running>();

/** Starts the CLI on `data`; resolves when it printed its ready line or exited. */
function launch(data: string, env: Record<string, string> = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [EMULATOR_JS, '--port', '0', '--seed', SEED, '--data', data], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within 30 s\n${stderr}`));
    }, 30000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('close');
      const running = new Running(child, JSON.parse(stdout.slice(0, nl)) as Ready, () => stderr);
      live.add(running);
      resolve({ running, stderr });
    });
  });
}

async function start(data: string, env: Record<string, string> = {}): Promise<Running> {
  const o = await launch(data, env);
  if (!o.running) throw new Error(`the emulator did not start (exit ${o.code}):\n${o.stderr}`);
  return o.running;
}

/** Starts the CLI on `data` expecting a refusal: exit code and stderr. */
async function refusal(data: string): Promise<{ code: number | null | undefined; stderr: string }> {
  const o = await launch(data);
  if (o.running) {
    await o.running.kill9();
    assert.fail(`the emulator started on damaged data; stderr:\n${o.running.stderr()}`);
  }
  return { code: o.code, stderr: o.stderr };
}

// ---- helpers ------------------------------------------------------------------------------------------------

const tmpDirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-durability-'));
  tmpDirs.push(d);
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomValue = (chars: number) => crypto.randomBytes(Math.ceil((chars * 3) / 4)).toString('base64').slice(0, chars);
const secretsDir = (data: string) => path.join(data, 'secrets');
const dirBytes = (dir: string) => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
const journals = (data: string) => fs.readdirSync(secretsDir(data)).filter((f) => /^secrets\.journal\.\d+$/.test(f))
  .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).map((f) => path.join(secretsDir(data), f));
const newestJournal = (data: string) => journals(data).at(-1)!;

/** sha256 of every file under `dir`, by relative path. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const full = path.join(dir, f);
    if (fs.statSync(full).isFile()) out[f] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
  return out;
}

/** Byte offsets at which each line of `file` starts. */
function lineStarts(file: string): number[] {
  const buf = fs.readFileSync(file);
  const starts = [0];
  for (let i = buf.indexOf(10); i >= 0 && i < buf.length - 1; i = buf.indexOf(10, i + 1)) starts.push(i + 1);
  return starts;
}

/** Runs `fn` over `items` with `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface Write {
  name: string;
  version: string;
  value: string;
}

/** How many of `writes` read back with their value (by name and version). */
async function found(c: SecretClient, writes: Write[]): Promise<{ found: number; missing: string[] }> {
  const missing: string[] = [];
  await pool(writes, 8, async (w) => {
    try {
      const got = await c.getSecret(w.name, { version: w.version });
      if (got.value !== w.value) missing.push(`${w.name}/${w.version}: another value`);
    } catch (e) {
      missing.push(`${w.name}/${w.version}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
  return { found: writes.length - missing.length, missing };
}

// ---- the tests ----------------------------------------------------------------------------------------------

describe('reliability: emulator persistence (--data)', function () {
  this.timeout(120000);

  before(function () {
    if (!fs.existsSync(EMULATOR_JS)) throw new Error(`${EMULATOR_JS} is missing: run node esbuild.js --quiet --emulator-only first`);
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const r of live) console.error(`--- emulator stderr ---\n${r.stderr().slice(-2000)}`);
  });

  after(async () => {
    for (const r of live) await r.kill9();
    for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('kill -9 while writing', () => {
    const ROUNDS = 10;
    const WRITERS = 6;

    it(`${ROUNDS} rounds of ${WRITERS} concurrent SDK writers killed at random moments: every acknowledged write is found after the restarts`, async () => {
      const data = tmp();
      // A small compaction threshold: snapshots are written in the background during the rounds, and some kills hit one.
      const env = { KEYVAULT_EMULATOR_COMPACT_BYTES: String(192 * 1024) };
      const acked: Write[] = [];
      const unexpected: string[] = [];
      let unacknowledged = 0;
      let killedMidCompaction = 0;
      let torn = 0;
      let previousRound: Write[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const emu = await start(data, env);
        const c = emu.client();
        // What the last kill left behind is all there, before anything new is written.
        const back = await found(c, previousRound);
        assert.deepEqual(back.missing, [], `after kill ${round}`);
        const thisRound: Write[] = [];
        let killed = false;
        const writers = Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; ; i++) {
            const name = `w${w}-s${i % 4}`;
            const value = randomValue(100 + crypto.randomInt(4000));
            try {
              const s = await c.setSecret(name, value);
              thisRound.push({ name, version: s.properties.version!, value });
            } catch (e) {
              unacknowledged++;
              if (!killed) unexpected.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
              return;
            }
            if (killed) return;
          }
        });
        await sleep(300 + crypto.randomInt(1200));
        killed = true;
        await emu.kill9();
        await Promise.all(writers);
        const left = fs.readdirSync(secretsDir(data));
        if (left.some((f) => f.endsWith('.tmp')) || journals(data).length > 1) killedMidCompaction++;
        torn += (emu.stderr().match(/dropped an incomplete last line/g) ?? []).length;
        acked.push(...thisRound);
        previousRound = thisRound;
      }
      const last = await start(data, env);
      torn += (last.stderr().match(/dropped an incomplete last line/g) ?? []).length;
      const all = await found(last.client(), acked);
      let listed = 0;
      for (const name of new Set(acked.map((w) => w.name))) {
        for await (const v of last.client().listPropertiesOfSecretVersions(name)) listed += v.version ? 1 : 0;
      }
      await last.stop();
      console.log(`      ${acked.length} writes acknowledged before ${ROUNDS} kills, ${all.found} found after the restarts ` +
        `(${listed} versions listed; ${unacknowledged} writes in flight at a kill; ${killedMidCompaction} kills left a compaction ` +
        `unfinished; ${torn} torn last lines dropped)`);
      assert.deepEqual(unexpected, [], 'writes failed before any kill');
      assert.ok(acked.length >= ROUNDS * 20, `only ${acked.length} writes acknowledged`);
      assert.deepEqual(all.missing, []);
      assert.equal(all.found, acked.length);
      // Nothing but acknowledged writes and those in flight at a kill: no duplicated or invented versions.
      assert.ok(listed >= acked.length && listed <= acked.length + unacknowledged, `${listed} versions listed`);
    });
  });

  describe('a long history', () => {
    it('2,000 versions of one 25 KB secret: all readable after kill -9 and a restart; journal + snapshot < 3 × the bytes written', async () => {
      const N = 2000;
      const SIZE = 25 * 1024;
      const data = tmp();
      const emu = await start(data);
      const c = emu.client(2);
      const values = new Map<string, string>();
      const order = Array.from({ length: N }, (_, i) => i);
      await pool(order, 4, async () => {
        const value = randomValue(SIZE);
        const s = await c.setSecret('long-history', value);
        values.set(s.properties.version!, value);
      });
      await emu.kill9();
      const again = await start(data);
      const c2 = again.client(2);
      let listed = 0;
      for await (const v of c2.listPropertiesOfSecretVersions('long-history')) listed += v.version ? 1 : 0;
      const back = await found(c2, [...values].map(([version, value]) => ({ name: 'long-history', version, value })));
      await again.stop();
      const written = N * SIZE;
      const onDisk = dirBytes(secretsDir(data));
      console.log(`      ${N} × ${SIZE} B written (${(written / 1e6).toFixed(1)} MB): journal + snapshot ${(onDisk / 1e6).toFixed(1)} MB ` +
        `(${(onDisk / written).toFixed(2)} × the bytes written; files: ${fs.readdirSync(secretsDir(data)).join(', ')})`);
      assert.equal(values.size, N);
      assert.equal(listed, N);
      assert.deepEqual(back.missing, []);
      assert.ok(onDisk < 3 * written, `${onDisk} bytes on disk`);
    });

    it('each change appends about its own size: a new version ≈ its value, a property update, delete, recover and purge < 2 KB', async () => {
      const data = tmp();
      const emu = await start(data);
      const c = emu.client(2);
      for (let i = 0; i < 40; i++) await c.setSecret('history', randomValue(25 * 1024));
      const grows = async (what: () => Promise<unknown>) => {
        const before = dirBytes(secretsDir(data));
        await what();
        return dirBytes(secretsDir(data)) - before;
      };
      const set = await grows(() => c.setSecret('history', randomValue(25 * 1024)));
      const update = await grows(() => c.updateSecretProperties('history', '', { tags: { owner: 'etl' }, enabled: true }));
      const del = await grows(async () => (await c.beginDeleteSecret('history', { intervalInMs: 20 })).pollUntilDone());
      const recover = await grows(async () => (await c.beginRecoverDeletedSecret('history', { intervalInMs: 20 })).pollUntilDone());
      await (await c.beginDeleteSecret('history', { intervalInMs: 20 })).pollUntilDone();
      const purge = await grows(() => c.purgeDeletedSecret('history'));
      await emu.stop();
      console.log(`      journal growth (41 versions of 25 KB): set ${set} B, update ${update} B, delete ${del} B, recover ${recover} B, purge ${purge} B`);
      assert.ok(set > 25 * 1024 && set < 2 * 25 * 1024, `set ${set}`);
      for (const [op, n] of Object.entries({ update, del, recover, purge })) assert.ok(n > 0 && n < 2048, `${op} ${n}`);
    });
  });

  describe('the store in-process', () => {
    const sealKey = crypto.randomBytes(32);
    const version = (i: number, chars: number): SecretVersion => ({
      version: crypto.randomUUID().replace(/-/g, ''), value: randomValue(chars), enabled: true, created: i, updated: i,
    });

    it('writes go on while a snapshot is written in the background; none is lost, covered journals are deleted', async () => {
      const dir = tmp();
      const store = new PersistedStore(dir, sealKey, { compactBytes: 64 * 1024, log: () => undefined });
      const expected = new Map<string, SecretRecord>();
      let duringCompaction = 0;
      for (let i = 0; i < 600; i++) {
        const name = `s${i % 7}`;
        const old = store.get('v', name);
        const rec: SecretRecord = old ? { ...old, versions: [...old.versions, version(i, 200 + crypto.randomInt(3000))] } : { name, versions: [version(i, 500)] };
        if (store.info().compacting) duringCompaction++;
        store.put('v', rec);
        expected.set(name, rec);
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
      await store.whenIdle();
      const files = fs.readdirSync(dir).sort();
      store.close();
      const reopened = new PersistedStore(dir, sealKey, { log: () => undefined });
      for (const [name, rec] of expected) assert.deepEqual(reopened.get('v', name)?.versions.map((v) => v.value), rec.versions.map((v) => v.value), name);
      reopened.close();
      console.log(`      ${duringCompaction} of 600 writes made while a snapshot was being written; files after: ${files.join(', ')}`);
      assert.ok(duringCompaction > 0, 'no write happened during a compaction');
      assert.equal(files.filter((f) => f.startsWith('secrets.journal.')).length, 1, files.join(', '));
      assert.ok(files.includes('secrets.snapshot'));
    });

    it('close() in the middle of a compaction leaves a folder that opens with everything (the temp file removed)', async () => {
      const dir = tmp();
      const store = new PersistedStore(dir, sealKey, { compactBytes: 256 * 1024, log: () => undefined });
      let rec: SecretRecord | undefined;
      for (let i = 0; i < 40 && !store.info().compacting; i++) {
        rec = rec ? { ...rec, versions: [...rec.versions, version(i, 20000)] } : { name: 'big', versions: [version(i, 20000)] };
        store.put('v', rec);
      }
      assert.ok(store.info().compacting, 'a compaction started');
      await new Promise((r) => setImmediate(r));
      store.close();
      await store.whenIdle();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
      const reopened = new PersistedStore(dir, sealKey, { log: () => undefined });
      assert.equal(reopened.get('v', 'big')?.versions.length, rec!.versions.length);
      reopened.close();
    });

    it('a property update is replayed onto its version: __proto__ tag names and the value survive a restart', () => {
      const dir = tmp();
      const store = new PersistedStore(dir, sealKey, { log: () => undefined });
      const v = version(1, 100);
      store.put('v', { name: 'tagged', versions: [v] });
      const tags = Object.assign(Object.create(null) as Record<string, string>, { ['__proto__']: 'p', constructor: 'c' });
      store.put('v', { name: 'tagged', versions: [{ ...v, tags, enabled: false, updated: 2 }] });
      store.close();
      const reopened = new PersistedStore(dir, sealKey, { log: () => undefined });
      const back = reopened.get('v', 'tagged')!.versions[0];
      reopened.close();
      assert.equal(back.value, v.value);
      assert.equal(back.enabled, false);
      assert.deepEqual(Object.entries(back.tags!), [['__proto__', 'p'], ['constructor', 'c']]);
      assert.equal(Object.getPrototypeOf(back.tags), null);
    });

    it('files of the first format (one sealed snapshot blob, whole records per journal line) are read and converted', () => {
      const dir = tmp();
      const v1 = version(1, 50);
      const v2 = version(2, 50);
      const legacySnapshot = { version: 1, seeded: ['v'], vaults: { v: [{ name: 'Old', versions: [v1] }] } };
      fs.writeFileSync(path.join(dir, 'secrets.snapshot.json'), seal(JSON.stringify(legacySnapshot), sealKey));
      const line = (e: unknown) => seal(JSON.stringify(e), sealKey) + '\n';
      fs.writeFileSync(path.join(dir, 'secrets.journal.jsonl'),
        line({ op: 'put', vault: 'v', record: { name: 'Old', versions: [v1, v2] } }) +
        line({ op: 'put', vault: 'v', record: { name: 'gone', versions: [v1] } }) + line({ op: 'remove', vault: 'v', name: 'gone' }));
      const store = new PersistedStore(dir, sealKey, { log: () => undefined });
      assert.deepEqual(store.get('v', 'old')?.versions.map((v) => v.value), [v1.value, v2.value]);
      assert.equal(store.get('v', 'gone'), undefined);
      assert.ok(store.isSeeded('v'));
      store.close();
      assert.deepEqual(fs.readdirSync(dir).sort(), ['secrets.journal.1', 'secrets.snapshot']);
      const reopened = new PersistedStore(dir, sealKey, { log: () => undefined });
      assert.equal(reopened.get('v', 'old')?.versions.length, 2);
      reopened.close();
    });
  });

  describe('damaged files', () => {
    /** A data folder with a snapshot and a journal of several lines; `writes` is what was acknowledged. */
    let golden: string;
    let writes: Write[];

    before(async function () {
      this.timeout(60000);
      golden = tmp();
      writes = [];
      // A small threshold for the first run: the snapshot exists; the second run leaves a journal of many lines.
      for (const env of [{ KEYVAULT_EMULATOR_COMPACT_BYTES: String(16 * 1024) }, {}] as Record<string, string>[]) {
        const emu = await start(golden, env);
        const c = emu.client(2);
        for (let i = 0; i < 12; i++) {
          const name = `damage-${i % 5}`;
          const value = randomValue(1500);
          writes.push({ name, version: (await c.setSecret(name, value)).properties.version!, value });
        }
        await emu.stop();
      }
      assert.ok(fs.existsSync(path.join(secretsDir(golden), 'secrets.snapshot')), 'the golden folder has a snapshot');
      assert.ok(lineStarts(newestJournal(golden)).length >= 10, 'the golden journal has lines');
    });

    const copy = (): string => {
      const d = tmp();
      fs.cpSync(golden, d, { recursive: true });
      fs.rmSync(path.join(d, 'instances'), { recursive: true, force: true });
      return d;
    };

    it('one changed byte in an early journal line: the start is refused naming the file, line and byte offset; nothing is truncated', async () => {
      const data = copy();
      const journal = newestJournal(data);
      const at = lineStarts(journal)[2]; // line 3: the second sealed entry
      const buf = fs.readFileSync(journal);
      const i = at + 40;
      buf[i] = buf[i] === 0x41 ? 0x42 : 0x41;
      fs.writeFileSync(journal, buf);
      const before = fingerprint(data);
      const r = await refusal(data);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`${journal} line 3 (byte offset ${at})`), r.stderr);
      assert.match(r.stderr, /cannot be unsealed/);
      assert.match(r.stderr, /restore the data folder from a backup, or move it away to start with an empty one/i);
      assert.deepEqual(fingerprint(data), before, 'the data folder is unchanged');
    });

    it('a torn last line (a crash mid-append) is dropped with a log line; every earlier write is intact', async () => {
      const data = copy();
      const journal = newestJournal(data);
      const size = fs.statSync(journal).size;
      const starts = lineStarts(journal);
      const lastLine = fs.readFileSync(journal).subarray(starts.at(-1)!, size - 1);
      fs.appendFileSync(journal, lastLine.subarray(0, Math.floor(lastLine.length / 2)));
      const emu = await start(data);
      const back = await found(emu.client(2), writes);
      await emu.stop();
      assert.ok(emu.stderr().includes(`${journal}: dropped an incomplete last line at byte offset ${size}`), emu.stderr());
      assert.deepEqual(back.missing, []);
      assert.equal(fs.statSync(journal).size, size, 'the torn line was cut off');
    });

    it('a journal line removed as a whole: refused (entries carry their sequence number)', async () => {
      const data = copy();
      const journal = newestJournal(data);
      const starts = lineStarts(journal);
      const buf = fs.readFileSync(journal);
      fs.writeFileSync(journal, Buffer.concat([buf.subarray(0, starts[3]), buf.subarray(starts[4])]));
      const r = await refusal(data);
      assert.ok(r.stderr.includes(`${journal} line 4 (byte offset ${starts[3]})`), r.stderr);
      assert.match(r.stderr, /a line is missing, repeated or moved/);
    });

    it('a truncated snapshot: refused naming the snapshot', async () => {
      const data = copy();
      const snapshot = path.join(secretsDir(data), 'secrets.snapshot');
      fs.truncateSync(snapshot, Math.floor(fs.statSync(snapshot).size * 0.6));
      const before = fingerprint(data);
      const r = await refusal(data);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(snapshot), r.stderr);
      assert.match(r.stderr, /truncated/);
      assert.deepEqual(fingerprint(data), before);
    });

    it('a snapshot cut at a line boundary (its end marker gone): refused naming the snapshot', async () => {
      const data = copy();
      const snapshot = path.join(secretsDir(data), 'secrets.snapshot');
      fs.truncateSync(snapshot, lineStarts(snapshot).at(-1)!);
      const r = await refusal(data);
      assert.ok(r.stderr.includes(`${snapshot}: the file ends without its end marker`), r.stderr);
    });

    it('a missing key file while data exists: refused, and no new key is generated', async () => {
      const data = copy();
      const keys = path.join(data, 'keys.json');
      fs.rmSync(keys);
      const before = fingerprint(data);
      const r = await refusal(data);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`${keys} is missing`), r.stderr);
      assert.match(r.stderr, /Refusing to create a new key/);
      assert.ok(!fs.existsSync(keys), 'keys.json was regenerated');
      assert.deepEqual(fingerprint(data), before);
    });

    it('a garbled key file (cut in half): refused naming it, the file left as it is', async () => {
      const data = copy();
      const keys = path.join(data, 'keys.json');
      const text = fs.readFileSync(keys, 'utf8');
      fs.writeFileSync(keys, text.slice(0, Math.floor(text.length / 2)));
      const before = fingerprint(data);
      const r = await refusal(data);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`${keys} cannot be used: it is not valid JSON`), r.stderr);
      assert.deepEqual(fingerprint(data), before);
    });

    it('a key file with another seal key (still valid JSON): refused naming keys.json, not overwritten', async () => {
      const data = copy();
      const keys = path.join(data, 'keys.json');
      const km = JSON.parse(fs.readFileSync(keys, 'utf8')) as { sealKey: string };
      km.sealKey = crypto.randomBytes(32).toString('base64');
      fs.writeFileSync(keys, JSON.stringify(km));
      const before = fingerprint(data);
      const r = await refusal(data);
      assert.match(r.stderr, /secrets\.snapshot line 1 \(byte offset 0\): it was sealed with another key .* keys\.json was changed or replaced/);
      assert.deepEqual(fingerprint(data), before);
    });

    it('a deleted snapshot with journals that continue it: refused (never a silent start from the journals alone)', async () => {
      const data = copy();
      fs.rmSync(path.join(secretsDir(data), 'secrets.snapshot'));
      const r = await refusal(data);
      assert.match(r.stderr, /secrets\.snapshot: the snapshot is missing, but secrets\.journal\.\d+ continues from it/);
    });
  });
});
