// Secret state behind one interface with two implementations: in memory (default) and persisted (--data).
//
// The persisted store keeps everything in memory too and logs each write durably: put() works out what changed
// against the record it holds (a new version, the properties of a version, the record's deleted/recovered state,
// a whole record when it is new) and appends just that, sealed, as one line of the current journal, fsynced
// before put() returns — so an acknowledged write survives kill -9 and the journal grows with the bytes written.
// When the journals pass a threshold (at least COMPACT_MIN_BYTES and half the snapshot) the store rotates to a
// new journal and writes a snapshot of the state at that point in the background (temp file, fsync, rename);
// writes go on meanwhile, and the journals the snapshot covers are deleted only once it is in place.
// On open, snapshot + journals are replayed completely or the store refuses to open (DataFileError naming the
// file, line and byte offset); the one thing dropped is a torn last line of the newest journal — a write
// interrupted by a crash, never acknowledged — which is logged and truncated away. The format is in journal.ts.
//
// Records handed to put() and returned by get()/list() are treated as immutable (callers put a new object for
// every change); a background snapshot relies on that.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeletedInfo, SecretRecord, SecretVersion } from './model';
import {
  DataFileError, LEGACY_JOURNAL, LEGACY_SNAPSHOT, SNAPSHOT, fsyncDir, headerLine, isTempName, journalGen,
  journalName, keyId, parseHeader, readLines, seal, unseal, writeFileDurably, writeFully, type FileKind, type Line,
} from './journal';

export { DataFileError, hasPersistedData } from './journal';

export interface SecretStore {
  /** Vaults whose secrets were seeded already (seeding happens once per vault for a persisted store). */
  isSeeded(vault: string): boolean;
  markSeeded(vault: string): void;
  /** Live and deleted records of a vault. */
  list(vault: string): SecretRecord[];
  /**
   * Visits a vault's records in order of their lower-cased names, starting at the first name >= `from`
   * (binary search on a sorted index kept up to date by put/remove), until `visit` returns false.
   */
  scan(vault: string, from: string | undefined, visit: (key: string, record: SecretRecord) => boolean): void;
  /** Lower-cased names of a vault's deleted records (kept by put/remove: sweeps and deleted lists skip the rest). */
  deletedKeys(vault: string): ReadonlySet<string>;
  get(vault: string, name: string): SecretRecord | undefined;
  /** Durable when it returns. */
  put(vault: string, record: SecretRecord): void;
  /** Many new records at once (a seed): durable when it returns, written in large batches rather than one by one. */
  putMany(vault: string, records: SecretRecord[]): void;
  remove(vault: string, name: string): void;
  close(): void;
}

const key = (s: string) => s.toLowerCase();

/** Index of the first element of sorted `keys` that is >= `k`. */
export function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemoryStore implements SecretStore {
  protected vaults = new Map<string, Map<string, SecretRecord>>();
  protected seeded = new Set<string>();
  /** Per vault: the lower-cased names in ascending order (what list pages walk), kept in step with `vaults`. */
  private readonly sorted = new Map<string, string[]>();
  private readonly deleted = new Map<string, Set<string>>();
  private static readonly NONE: ReadonlySet<string> = new Set();

  isSeeded(vault: string): boolean {
    return this.seeded.has(key(vault));
  }
  markSeeded(vault: string): void {
    this.seeded.add(key(vault));
  }
  list(vault: string): SecretRecord[] {
    return [...(this.vaults.get(key(vault))?.values() ?? [])];
  }
  scan(vault: string, from: string | undefined, visit: (key: string, record: SecretRecord) => boolean): void {
    const v = key(vault);
    const m = this.vaults.get(v);
    const keys = this.sorted.get(v);
    if (!m || !keys) return;
    for (let i = from === undefined ? 0 : lowerBound(keys, from); i < keys.length; i++) {
      const k = keys[i];
      if (!visit(k, m.get(k)!)) return;
    }
  }
  deletedKeys(vault: string): ReadonlySet<string> {
    return this.deleted.get(key(vault)) ?? MemoryStore.NONE;
  }
  get(vault: string, name: string): SecretRecord | undefined {
    return this.vaults.get(key(vault))?.get(key(name));
  }
  put(vault: string, record: SecretRecord): void {
    const v = key(vault);
    let m = this.vaults.get(v);
    if (!m) {
      this.vaults.set(v, (m = new Map()));
      this.sorted.set(v, []);
    }
    const k = key(record.name);
    if (!m.has(k)) {
      const keys = this.sorted.get(v)!;
      // appending in order (seeds, bulk loads) is the common case: no search, no move
      if (keys.length === 0 || keys[keys.length - 1] < k) keys.push(k);
      else keys.splice(lowerBound(keys, k), 0, k);
    }
    m.set(k, record);
    if (record.deleted) {
      let d = this.deleted.get(v);
      if (!d) this.deleted.set(v, (d = new Set()));
      d.add(k);
    } else {
      this.deleted.get(v)?.delete(k);
    }
  }
  putMany(vault: string, records: SecretRecord[]): void {
    for (const r of records) this.put(vault, r);
  }
  remove(vault: string, name: string): void {
    const v = key(vault);
    const k = key(name);
    if (!this.vaults.get(v)?.delete(k)) return;
    this.deleted.get(v)?.delete(k);
    const keys = this.sorted.get(v)!;
    const i = lowerBound(keys, k);
    if (keys[i] === k) keys.splice(i, 1);
  }
  close(): void {
    // nothing to release
  }
}

// ---- journal entries ----------------------------------------------------------------------------------------

/** Version properties without the value (a property update never rewrites the value). */
type VersionProps = Omit<SecretVersion, 'value'>;

/** Record-level fields (everything but name and versions). */
interface RecordMeta {
  managed?: boolean;
  kidName?: string;
  deleted?: DeletedInfo;
}

/** `vault` and `name` are lower-cased keys, except inside a whole `record`. */
type Op =
  | { op: 'put'; vault: string; record: SecretRecord }
  | { op: 'ver'; vault: string; name: string; v: SecretVersion }
  | { op: 'props'; vault: string; name: string; v: VersionProps }
  | { op: 'meta'; vault: string; name: string; meta: RecordMeta }
  | { op: 'remove'; vault: string; name: string }
  | { op: 'seeded'; vault: string };

const metaOf = (r: SecretRecord): RecordMeta => {
  const m: RecordMeta = {};
  if (r.managed !== undefined) m.managed = r.managed;
  if (r.kidName !== undefined) m.kidName = r.kidName;
  if (r.deleted !== undefined) m.deleted = r.deleted;
  return m;
};

function propsOf(v: SecretVersion): VersionProps {
  const p = { ...v } as Partial<SecretVersion>;
  delete p.value;
  return p as VersionProps;
}

/** What to append so that replaying it on `old` gives `next` (the smallest change, or the whole record). */
function diff(vault: string, old: SecretRecord | undefined, next: SecretRecord): Op[] {
  const whole: Op[] = [{ op: 'put', vault, record: next }];
  if (!old || old.name !== next.name || next.versions.length < old.versions.length) return whole;
  const name = key(next.name);
  const ops: Op[] = [];
  for (let i = 0; i < old.versions.length; i++) {
    const a = old.versions[i];
    const b = next.versions[i];
    if (a === b) continue;
    if (a.version !== b.version || a.value !== b.value) return whole;
    if (JSON.stringify(propsOf(a)) !== JSON.stringify(propsOf(b))) ops.push({ op: 'props', vault, name, v: propsOf(b) });
  }
  for (let i = old.versions.length; i < next.versions.length; i++) ops.push({ op: 'ver', vault, name, v: next.versions[i] });
  if (JSON.stringify(metaOf(old)) !== JSON.stringify(metaOf(next))) ops.push({ op: 'meta', vault, name, meta: metaOf(next) });
  return ops;
}

// ---- the persisted store ------------------------------------------------------------------------------------

/** Journal bytes that trigger a compaction at the least (KEYVAULT_EMULATOR_COMPACT_BYTES overrides, for tests). */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
/** Target size of one sealed snapshot line. */
const SNAPSHOT_LINE_BYTES = 1024 * 1024;

export interface PersistedStoreOptions {
  /** Where a dropped torn line and background compaction problems are reported (default: stderr). */
  log?: (message: string) => void;
  /** Compact once the journals hold this many bytes (and at least half the snapshot's size). */
  compactBytes?: number;
}

type Captured = { seeded: string[]; vaults: [string, SecretRecord[]][] };

class Aborted extends Error {}

export class PersistedStore extends MemoryStore {
  private readonly dir: string;
  private readonly keyId: string;
  private readonly log: (m: string) => void;
  private readonly compactBytes: number;
  private fd = -1;
  /** Generation of the journal appended to, and the sequence number of its next line. */
  private gen = 1;
  private seq = 1;
  /** Size of the current journal (the next line goes there). */
  private journalSize = 0;
  /** Bytes a start would replay after the snapshot (all journals it does not cover). */
  private replayBytes = 0;
  private snapshotBytes = 0;
  private compacting?: { tmp: string };
  private retryCompactionAt = 0;
  private torn?: { file: string; offset: number; bytes: number };
  private closed = false;
  private failed?: Error;
  /** Resolves when no compaction is running (tests and orderly shutdowns may wait for it). */
  private idle: Promise<void> = Promise.resolve();

  constructor(dir: string, private readonly sealKey: Buffer, options: PersistedStoreOptions = {}) {
    super();
    if (sealKey.length !== 32) throw new Error(`the seal key must be 32 bytes (got ${sealKey.length})`);
    this.dir = path.resolve(dir);
    this.keyId = keyId(sealKey);
    this.log = options.log ?? ((m) => process.stderr.write(`[keyvault-emulator] ${m}\n`));
    const fromEnv = Number(process.env.KEYVAULT_EMULATOR_COMPACT_BYTES);
    this.compactBytes = options.compactBytes ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : COMPACT_MIN_BYTES);
    if (!fs.existsSync(this.dir)) {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fsyncDir(path.dirname(this.dir));
    }
    try {
      this.open();
    } catch (e) {
      this.closeFd();
      throw e;
    }
    if (this.due()) setImmediate(() => this.maybeCompact());
  }

  /** Resolves once no background compaction is running (one may start another when it ends). */
  async whenIdle(): Promise<void> {
    while (this.compacting) await this.idle;
  }

  /** Figures for tests and diagnostics. */
  info(): { generation: number; journalBytes: number; snapshotBytes: number; compacting: boolean } {
    return { generation: this.gen, journalBytes: this.replayBytes, snapshotBytes: this.snapshotBytes, compacting: !!this.compacting };
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  // ---- opening ----------------------------------------------------------------------------------------------

  private open(): void {
    const names = fs.readdirSync(this.dir);
    // Leftovers of an interrupted compaction or journal creation: never part of the state.
    for (const n of names) if (isTempName(n)) fs.rmSync(this.file(n), { force: true });
    const gens = names.map(journalGen).filter((g): g is number => g !== undefined).sort((a, b) => a - b);
    const hasSnapshot = names.includes(SNAPSHOT);
    const legacy = [LEGACY_SNAPSHOT, LEGACY_JOURNAL].filter((n) => names.includes(n));
    if (!hasSnapshot && legacy.length) {
      this.migrate(gens, legacy);
      return;
    }
    let from = 1;
    if (hasSnapshot) {
      from = this.loadSnapshot();
      this.snapshotBytes = fs.statSync(this.file(SNAPSHOT)).size;
    } else if (gens.length && gens[0] !== 1) {
      throw new DataFileError(this.file(SNAPSHOT), `the snapshot is missing, but ${journalName(gens[0])} continues from it`);
    }
    const replay = gens.filter((g) => g >= from);
    if (replay.length === 0 && !hasSnapshot) {
      this.startJournal(1);
      return;
    }
    if (replay.length === 0) throw new DataFileError(this.file(journalName(from)), 'the journal that continues the snapshot is missing');
    for (const [i, g] of replay.entries()) {
      if (g !== from + i) {
        throw new DataFileError(this.file(journalName(from + i)), `the journal is missing (found ${replay.map(journalName).join(', ')})`);
      }
    }
    for (const [i, g] of replay.entries()) this.replayBytes += this.loadJournal(g, i === replay.length - 1);
    this.checkRecords(this.file(journalName(replay[replay.length - 1])));
    if (this.torn) {
      this.truncate(this.torn.file, this.torn.offset);
      this.log(`${this.torn.file}: dropped an incomplete last line at byte offset ${this.torn.offset} (${this.torn.bytes} bytes: ` +
        'a write interrupted by a crash, never acknowledged)');
    }
    // Everything loaded: journals the snapshot covers and files of the old format are leftovers.
    for (const g of gens) if (g < from) fs.rmSync(this.file(journalName(g)), { force: true });
    for (const n of legacy) fs.rmSync(this.file(n), { force: true });
    this.gen = replay[replay.length - 1];
    this.fd = fs.openSync(this.file(journalName(this.gen)), 'r+');
    this.journalSize = fs.fstatSync(this.fd).size;
  }

  /** Loads the snapshot into memory; returns its generation (the first journal that follows it). */
  private loadSnapshot(): number {
    const file = this.file(SNAPSHOT);
    const lines = readLines(file);
    const header = this.readHeader(file, lines, 'snapshot');
    let expect = 1;
    let ops = 0;
    let ended = false;
    for (const l of lines) {
      if (ended) throw new DataFileError(file, 'there is data after the end marker', l);
      if (!l.complete) throw new DataFileError(file, 'the file ends inside a line (truncated)', l);
      const body = this.openLine(file, l, header.gen, expect++);
      if (body.end) {
        const end = body.end as { records?: unknown; seeded?: unknown };
        const records = [...this.vaults.values()].reduce((n, m) => n + m.size, 0);
        if (end.records !== records || end.seeded !== this.seeded.size) {
          throw new DataFileError(file, `the end marker counts ${String(end.records)} records and ${String(end.seeded)} seeded vaults, ` +
            `the file holds ${records} and ${this.seeded.size}`, l);
        }
        ended = true;
        continue;
      }
      ops += this.applyAll(file, l, body.ops);
    }
    if (!ended) throw new DataFileError(file, `the file ends without its end marker after ${ops} entries (truncated)`);
    return header.gen;
  }

  /** Replays one journal; returns its size (after dropping a torn last line of the newest journal). */
  private loadJournal(gen: number, newest: boolean): number {
    const file = this.file(journalName(gen));
    const lines = readLines(file);
    const header = this.readHeader(file, lines, 'journal');
    if (header.gen !== gen) throw new DataFileError(file, `the header names generation ${header.gen}`, { line: 1, offset: 0 });
    let expect = 1;
    for (const l of lines) {
      if (!l.complete) {
        if (!newest) throw new DataFileError(file, 'the file ends inside a line, but a newer journal follows it', l);
        // A crash mid-append: that write was never acknowledged (fsync comes before the answer). It is cut off
        // once everything else has loaded.
        this.torn = { file, offset: l.offset, bytes: l.text.length };
        break;
      }
      const body = this.openLine(file, l, gen, expect++);
      if (body.end !== undefined) throw new DataFileError(file, 'a journal line carries an end marker', l);
      this.applyAll(file, l, body.ops);
    }
    this.seq = expect;
    return this.torn?.file === file ? this.torn.offset : fs.statSync(file).size;
  }

  private readHeader(file: string, lines: Generator<Line>, kind: FileKind): { gen: number } {
    const first = lines.next();
    const at = { line: 1, offset: 0 };
    if (first.done) throw new DataFileError(file, 'the file is empty (its header is missing)', at);
    const h = first.value.complete ? parseHeader(first.value.text) : undefined;
    if (!h || h.kind !== kind) throw new DataFileError(file, `the header is not a ${kind} header of this format`, at);
    if (h.keyId !== this.keyId) {
      throw new DataFileError(file, `it was sealed with another key (key id ${h.keyId}) than the seal key of keys.json in the data ` +
        `folder (key id ${this.keyId}): keys.json was changed or replaced (put back the one that belongs to this data folder)`, at);
    }
    return h;
  }

  /** Unseals and checks one line: its generation and sequence number must be the expected ones. */
  private openLine(file: string, l: Line, gen: number, seq: number): { ops: unknown; end?: unknown } {
    const text = unseal(l.text, this.sealKey);
    if (text === undefined) throw new DataFileError(file, 'the line cannot be unsealed (changed or corrupt)', l);
    let body: { g?: unknown; s?: unknown; ops?: unknown; end?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new DataFileError(file, 'the line does not hold JSON', l);
    }
    if (body.g !== gen || body.s !== seq) {
      throw new DataFileError(file, `expected entry ${gen}/${seq}, found ${String(body.g)}/${String(body.s)} (a line is missing, repeated or moved)`, l);
    }
    return { ops: body.ops, end: body.end };
  }

  private applyAll(file: string, l: Line, ops: unknown): number {
    if (!Array.isArray(ops)) throw new DataFileError(file, 'the entry holds no list of changes', l);
    for (const o of ops) {
      const problem = this.apply(o as Op);
      if (problem) throw new DataFileError(file, problem, l);
    }
    return ops.length;
  }

  /** Applies one entry while loading (records are still private to the store, so they are changed in place). */
  private apply(o: Op): string | undefined {
    if (!o || typeof o !== 'object' || typeof o.vault !== 'string') return 'an entry is malformed';
    if (o.op === 'seeded') {
      super.markSeeded(o.vault);
      return undefined;
    }
    if (o.op === 'put') {
      const r = o.record;
      if (!r || typeof r.name !== 'string' || !Array.isArray(r.versions)) return 'an entry holds a malformed record';
      for (const v of r.versions) if (!isVersion(v)) return `an entry holds a malformed version of ${r.name}`;
      r.versions = r.versions.map(revive);
      super.put(o.vault, r);
      return undefined;
    }
    if (typeof o.name !== 'string') return 'an entry is malformed';
    if (o.op === 'remove') {
      super.remove(o.vault, o.name);
      return undefined;
    }
    const rec = super.get(o.vault, o.name);
    if (!rec) return `an entry changes ${o.vault}/${o.name}, which does not exist at that point`;
    if (o.op === 'ver') {
      if (!isVersion(o.v)) return `an entry holds a malformed version of ${o.name}`;
      rec.versions.push(revive(o.v));
    } else if (o.op === 'props') {
      const p = o.v as Partial<SecretVersion> | undefined;
      const i = p && typeof p.version === 'string' ? rec.versions.findLastIndex((x) => x.version === p.version) : -1;
      if (i < 0) return `an entry updates a version of ${o.name} that does not exist at that point`;
      rec.versions[i] = revive({ ...(p as VersionProps), value: rec.versions[i].value });
    } else if (o.op === 'meta') {
      if (!o.meta || typeof o.meta !== 'object') return 'an entry is malformed';
      delete rec.managed;
      delete rec.kidName;
      delete rec.deleted;
      Object.assign(rec, metaOf(o.meta as SecretRecord));
      super.put(o.vault, rec); // the deleted state changed in place: keep the index of deleted names in step
    } else {
      return `an entry has the unknown kind ${JSON.stringify((o as { op?: unknown }).op)}`;
    }
    return undefined;
  }

  /** Every record has at least one version once everything is replayed. */
  private checkRecords(file: string): void {
    for (const [vault, m] of this.vaults) {
      for (const r of m.values()) if (r.versions.length === 0) throw new DataFileError(file, `${vault}/${r.name} ends up without versions`);
    }
  }

  private truncate(file: string, size: number): void {
    const fd = fs.openSync(file, 'r+');
    try {
      fs.ftruncateSync(fd, size);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Creates journal `gen` (header only, temp file + rename, so it never exists half-written) and appends to it. */
  private startJournal(gen: number): void {
    const fd = this.createJournal(gen);
    this.closeFd();
    this.fd = fd;
    this.gen = gen;
    this.seq = 1;
    this.journalSize = fs.fstatSync(fd).size;
    this.replayBytes += this.journalSize;
  }

  private createJournal(gen: number): number {
    const file = this.file(journalName(gen));
    writeFileDurably(file, [headerLine({ kind: 'journal', gen, keyId: this.keyId })]);
    return fs.openSync(file, 'r+');
  }

  // ---- the first format ---------------------------------------------------------------------------------------

  /** Reads secrets.snapshot.json + secrets.journal.jsonl (whole records per line) and converts them. */
  private migrate(gens: number[], legacy: string[]): void {
    for (const g of gens) {
      // Only an interrupted conversion leaves new journals next to old files, and those hold no entries yet.
      const file = this.file(journalName(g));
      let entries = 0;
      for (const l of readLines(file)) if (l.line > 1) entries++;
      if (entries) throw new DataFileError(file, `files of the old format (${legacy.join(', ')}) and a journal with entries exist side by side`);
    }
    const snapFile = this.file(LEGACY_SNAPSHOT);
    if (legacy.includes(LEGACY_SNAPSHOT)) {
      const text = unseal(fs.readFileSync(snapFile, 'latin1').trim(), this.sealKey);
      if (text === undefined) {
        throw new DataFileError(snapFile, 'the snapshot cannot be unsealed (truncated, changed, or sealed with another key than keys.json\'s)');
      }
      let snap: { seeded?: unknown; vaults?: unknown };
      try {
        snap = JSON.parse(text) as typeof snap;
      } catch {
        throw new DataFileError(snapFile, 'the snapshot does not hold JSON');
      }
      if (!Array.isArray(snap.seeded) || !snap.vaults || typeof snap.vaults !== 'object') throw new DataFileError(snapFile, 'the snapshot is malformed');
      for (const v of snap.seeded) this.apply({ op: 'seeded', vault: String(v) });
      for (const [vault, records] of Object.entries(snap.vaults as Record<string, SecretRecord[]>)) {
        for (const record of Array.isArray(records) ? records : []) {
          const problem = this.apply({ op: 'put', vault, record });
          if (problem) throw new DataFileError(snapFile, problem);
        }
      }
    }
    const jFile = this.file(LEGACY_JOURNAL);
    if (legacy.includes(LEGACY_JOURNAL)) {
      for (const l of readLines(jFile)) {
        if (!l.complete) {
          this.log(`${jFile}: dropped an incomplete last line at byte offset ${l.offset} (a write interrupted by a crash, never acknowledged)`);
          break;
        }
        if (!l.text.trim()) continue;
        const text = unseal(l.text.trim(), this.sealKey);
        if (text === undefined) throw new DataFileError(jFile, 'the line cannot be unsealed (changed or corrupt)', l);
        let e: Op;
        try {
          e = JSON.parse(text) as Op;
        } catch {
          throw new DataFileError(jFile, 'the line does not hold JSON', l);
        }
        if (!['put', 'remove', 'seeded'].includes(e?.op)) throw new DataFileError(jFile, 'the line is not an entry of the old format', l);
        const problem = this.apply(e);
        if (problem) throw new DataFileError(jFile, problem, l);
      }
    }
    this.checkRecords(legacy.includes(LEGACY_JOURNAL) ? jFile : snapFile);
    for (const g of gens) fs.rmSync(this.file(journalName(g)), { force: true });
    // New journal first, then the snapshot that names it: a crash in between leaves the old files authoritative.
    this.startJournal(1);
    this.snapshotBytes = writeFileDurably(this.file(SNAPSHOT), this.snapshotLines(1, this.capture()));
    for (const n of legacy) fs.rmSync(this.file(n), { force: true });
    fsyncDir(this.dir);
    this.log(`converted the persisted secrets in ${this.dir} to the current format`);
  }

  // ---- writing ----------------------------------------------------------------------------------------------

  // Each write: append (durable) → change memory → maybe compact (the snapshot must include the write, since
  // the journal holding it is deleted once the snapshot is in place).
  override markSeeded(vault: string): void {
    if (this.isSeeded(vault)) return;
    this.append([{ op: 'seeded', vault: key(vault) }]);
    super.markSeeded(vault);
    this.maybeCompact();
  }
  override put(vault: string, record: SecretRecord): void {
    const ops = diff(key(vault), super.get(vault, record.name), record);
    if (ops.length) this.append(ops);
    super.put(vault, record);
    this.maybeCompact();
  }
  /** One journal line (one fsync) per ~1 MiB of records instead of one per record. */
  override putMany(vault: string, records: SecretRecord[]): void {
    const v = key(vault);
    let batch: SecretRecord[] = [];
    const names = new Set<string>();
    let size = 0;
    const flush = () => {
      if (!batch.length) return;
      this.append(batch.map((record) => {
        const old = super.get(v, record.name);
        return old ? diff(v, old, record) : [{ op: 'put', vault: v, record } as Op];
      }).flat());
      for (const r of batch) super.put(v, r);
      batch = [];
      names.clear();
      size = 0;
      this.maybeCompact();
    };
    for (const r of records) {
      // a name twice in one batch: the second is a change of the first, written after it
      if (names.has(key(r.name))) flush();
      batch.push(r);
      names.add(key(r.name));
      size += r.versions.reduce((n, x) => n + x.value.length + 200, r.name.length);
      if (size >= SNAPSHOT_LINE_BYTES) flush();
    }
    flush();
  }
  override remove(vault: string, name: string): void {
    if (!super.get(vault, name)) return;
    this.append([{ op: 'remove', vault: key(vault), name: key(name) }]);
    super.remove(vault, name);
    this.maybeCompact();
  }

  /** One sealed line per write, fsynced before returning; memory changes only after that (by the caller). */
  private append(ops: Op[]): void {
    if (this.closed) throw new Error('the secret store is closed');
    if (this.failed) throw new Error(`the data folder cannot be written since an earlier failure (${this.failed.message}); restart the emulator`);
    const line = seal(`{"g":${this.gen},"s":${this.seq},"ops":${JSON.stringify(ops)}}`, this.sealKey) + '\n';
    const buf = Buffer.from(line, 'latin1');
    const at = this.journalSize;
    try {
      writeFully(this.fd, buf, at);
      // fdatasync: the appended bytes and the new file size (needed to read them back) are durable, without the
      // timestamps fsync would also write
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      // Not acknowledged: take the partial line back so that no later line ever follows a torn one.
      try {
        fs.ftruncateSync(this.fd, at);
        fs.fsyncSync(this.fd);
      } catch {
        this.failed = e as Error;
      }
      throw new Error(`could not write ${this.file(journalName(this.gen))}: ${(e as Error).message}`);
    }
    this.seq++;
    this.journalSize += buf.length;
    this.replayBytes += buf.length;
  }

  // ---- compaction -------------------------------------------------------------------------------------------

  private due(): boolean {
    return this.replayBytes >= Math.max(this.compactBytes, this.snapshotBytes / 2, this.retryCompactionAt);
  }

  /** Rotates to a new journal and writes a snapshot of the state at that point in the background. */
  private maybeCompact(): void {
    if (this.compacting || this.closed || this.failed || !this.due()) return;
    const next = this.gen + 1;
    try {
      this.startJournal(next);
    } catch (e) {
      this.retryCompactionAt = this.replayBytes + this.compactBytes;
      this.log(`could not start a new journal in ${this.dir} (${(e as Error).message}); compaction postponed`);
      return;
    }
    const state = this.capture();
    const tmp = this.file(`${SNAPSHOT}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    this.compacting = { tmp };
    // Never rejects (nobody has to await it): every outcome is handled here.
    this.idle = this.writeSnapshot(next, state, tmp).then(
      (size) => {
        this.compacting = undefined;
        this.snapshotBytes = size;
        this.replayBytes = this.journalSize;
        this.retryCompactionAt = 0;
        try {
          // The snapshot covers every older journal now (a start would delete leftovers too).
          for (const n of fs.readdirSync(this.dir)) {
            const g = journalGen(n);
            if (g !== undefined && g < next) fs.rmSync(this.file(n), { force: true });
          }
        } catch (e) {
          this.log(`could not delete old journals in ${this.dir} (${(e as Error).message}); the next start will`);
        }
        this.maybeCompact();
      },
      (e: unknown) => {
        this.compacting = undefined;
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // removed at the next start
        }
        if (e instanceof Aborted || this.closed) return;
        this.retryCompactionAt = this.replayBytes + this.compactBytes;
        this.log(`compaction of ${this.dir} failed (${(e as Error).message}); the journals stay as they are`);
      },
    );
  }

  /** A consistent view: the maps are copied, the (immutable) records are shared. */
  private capture(): Captured {
    return { seeded: [...this.seeded], vaults: [...this.vaults].map(([v, m]) => [v, [...m.values()]]) };
  }

  /** Writes the snapshot in the background and puts it in place; resolves with its size (Aborted once closed). */
  private async writeSnapshot(gen: number, state: Captured, tmp: string): Promise<number> {
    const fh = await fs.promises.open(tmp, 'wx', 0o600);
    let size = 0;
    try {
      for (const chunk of this.snapshotLines(gen, state)) {
        if (this.closed) throw new Aborted();
        const buf = Buffer.from(chunk, 'latin1');
        for (let off = 0; off < buf.length;) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
        size += buf.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (this.closed) throw new Aborted();
    // Synchronous from here: nothing can run between the check above and the rename.
    fs.renameSync(tmp, this.file(SNAPSHOT));
    fsyncDir(this.dir);
    return size;
  }

  /** The snapshot as text chunks: header, sealed lines of entries (about 1 MiB each), the end marker. */
  private *snapshotLines(gen: number, state: Captured): Generator<string> {
    yield headerLine({ kind: 'snapshot', gen, keyId: this.keyId });
    let s = 1;
    let batch: string[] = [];
    let size = 0;
    const line = (body: string) => seal(`{"g":${gen},"s":${s++},${body}}`, this.sealKey) + '\n';
    const flush = () => {
      const l = line(`"ops":[${batch.join(',')}]`);
      batch = [];
      size = 0;
      return l;
    };
    const add = (op: Op) => {
      const j = JSON.stringify(op);
      batch.push(j);
      size += j.length;
      return size >= SNAPSHOT_LINE_BYTES;
    };
    for (const vault of state.seeded) if (add({ op: 'seeded', vault })) yield flush();
    let records = 0;
    for (const [vault, recs] of state.vaults) {
      for (const r of recs) {
        records++;
        if (add({ op: 'put', vault, record: { name: r.name, versions: [], ...metaOf(r) } })) yield flush();
        for (const v of r.versions) if (add({ op: 'ver', vault, name: key(r.name), v })) yield flush();
      }
    }
    if (batch.length) yield flush();
    yield line(`"end":${JSON.stringify({ records, seeded: state.seeded.length })}`);
  }

  // ---- closing ----------------------------------------------------------------------------------------------

  private closeFd(): void {
    if (this.fd < 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }

  /** Every acknowledged write is on disk already; a compaction in progress is abandoned (its temp file removed). */
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.compacting) fs.rmSync(this.compacting.tmp, { force: true });
    this.closeFd();
  }
}

function isVersion(v: unknown): v is SecretVersion {
  const x = v as SecretVersion | undefined;
  return !!x && typeof x === 'object' && typeof x.version === 'string' && typeof x.value === 'string';
}

/** Tags come back as null-prototype objects, the way the data plane stores them (so `__proto__` stays a tag). */
function revive(v: SecretVersion): SecretVersion {
  if (v.tags && typeof v.tags === 'object') v.tags = Object.assign(Object.create(null) as Record<string, string>, v.tags);
  return v;
}
