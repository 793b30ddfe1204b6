// Secret state behind one interface with two implementations: in memory (default) and persisted (--data).
// The persisted store appends each write to a journal and fsyncs before the write is acknowledged, so an
// acknowledged write survives kill -9; on open it replays snapshot + journal and compacts them. Both files
// are sealed with AES-256-GCM (key from the state directory) so secret values never sit on disk in clear.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretRecord } from './model';

export interface SecretStore {
  /** Vaults whose secrets were seeded already (seeding happens once per vault for a persisted store). */
  isSeeded(vault: string): boolean;
  markSeeded(vault: string): void;
  /** Live and deleted records of a vault. */
  list(vault: string): SecretRecord[];
  get(vault: string, name: string): SecretRecord | undefined;
  /** Durable when it returns. */
  put(vault: string, record: SecretRecord): void;
  remove(vault: string, name: string): void;
  close(): void;
}

const key = (s: string) => s.toLowerCase();

export class MemoryStore implements SecretStore {
  protected vaults = new Map<string, Map<string, SecretRecord>>();
  protected seeded = new Set<string>();

  isSeeded(vault: string): boolean {
    return this.seeded.has(key(vault));
  }
  markSeeded(vault: string): void {
    this.seeded.add(key(vault));
  }
  list(vault: string): SecretRecord[] {
    return [...(this.vaults.get(key(vault))?.values() ?? [])];
  }
  get(vault: string, name: string): SecretRecord | undefined {
    return this.vaults.get(key(vault))?.get(key(name));
  }
  put(vault: string, record: SecretRecord): void {
    let m = this.vaults.get(key(vault));
    if (!m) this.vaults.set(key(vault), (m = new Map()));
    m.set(key(record.name), record);
  }
  remove(vault: string, name: string): void {
    this.vaults.get(key(vault))?.delete(key(name));
  }
  close(): void {
    // nothing to release
  }
}

type JournalEntry =
  | { op: 'put'; vault: string; record: SecretRecord }
  | { op: 'remove'; vault: string; name: string }
  | { op: 'seeded'; vault: string };

interface Snapshot {
  version: 1;
  seeded: string[];
  vaults: Record<string, SecretRecord[]>;
}

const COMPACT_AFTER = 2000;

export class PersistedStore extends MemoryStore {
  private fd: number;
  private entries = 0;
  private readonly snapshotPath: string;
  private readonly journalPath: string;

  constructor(dir: string, private readonly sealKey: Buffer) {
    super();
    fs.mkdirSync(dir, { recursive: true });
    this.snapshotPath = path.join(dir, 'secrets.snapshot.json');
    this.journalPath = path.join(dir, 'secrets.journal.jsonl');
    this.load();
    this.compact();
    this.fd = fs.openSync(this.journalPath, 'a', 0o600);
  }

  private load(): void {
    if (fs.existsSync(this.snapshotPath)) {
      const snap = JSON.parse(unseal(fs.readFileSync(this.snapshotPath, 'utf8').trim(), this.sealKey)) as Snapshot;
      for (const v of snap.seeded) super.markSeeded(v);
      for (const [vault, records] of Object.entries(snap.vaults)) for (const r of records) super.put(vault, r);
    }
    if (fs.existsSync(this.journalPath)) {
      const lines = fs.readFileSync(this.journalPath, 'utf8').split('\n');
      for (const line of lines) {
        if (!line.trim()) continue;
        let e: JournalEntry;
        try {
          e = JSON.parse(unseal(line.trim(), this.sealKey)) as JournalEntry;
        } catch {
          break; // a torn last line from a crash mid-write: that write was never acknowledged
        }
        this.apply(e);
      }
    }
  }

  private apply(e: JournalEntry): void {
    if (e.op === 'put') super.put(e.vault, e.record);
    else if (e.op === 'remove') super.remove(e.vault, e.name);
    else super.markSeeded(e.vault);
  }

  /** Write a fresh snapshot (temp file, fsync, rename, fsync dir) and start an empty journal. */
  private compact(): void {
    const snap: Snapshot = { version: 1, seeded: [...this.seeded], vaults: {} };
    for (const [vault, m] of this.vaults) snap.vaults[vault] = [...m.values()];
    const tmp = `${this.snapshotPath}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    fs.writeSync(fd, seal(JSON.stringify(snap), this.sealKey));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.snapshotPath);
    fsyncDir(path.dirname(this.snapshotPath));
    const jfd = fs.openSync(this.journalPath, 'w', 0o600);
    fs.fsyncSync(jfd);
    fs.closeSync(jfd);
    this.entries = 0;
  }

  private append(e: JournalEntry): void {
    fs.writeSync(this.fd, seal(JSON.stringify(e), this.sealKey) + '\n');
    fs.fsyncSync(this.fd);
    if (++this.entries >= COMPACT_AFTER) {
      fs.closeSync(this.fd);
      this.compact();
      this.fd = fs.openSync(this.journalPath, 'a', 0o600);
    }
  }

  override markSeeded(vault: string): void {
    super.markSeeded(vault);
    this.append({ op: 'seeded', vault: key(vault) });
  }
  override put(vault: string, record: SecretRecord): void {
    super.put(vault, record);
    this.append({ op: 'put', vault: key(vault), record });
  }
  override remove(vault: string, name: string): void {
    super.remove(vault, name);
    this.append({ op: 'remove', vault: key(vault), name: key(name) });
  }
  override close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // not supported on every platform
  }
}

function seal(text: string, k: Buffer): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', k, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

function unseal(blob: string, k: Buffer): string {
  const raw = Buffer.from(blob, 'base64url');
  const d = crypto.createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}
