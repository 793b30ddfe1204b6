// The on-disk format of the persisted secret store (store.ts uses it; nothing else should).
//
// Every file is text: a plain header line naming the file's kind, format, generation and the id of the key
// that sealed it, then one sealed line per entry. A sealed line is base64url(iv ‖ GCM tag ‖ AES-256-GCM
// ciphertext) of a JSON object {"g":<generation>,"s":<sequence, from 1>, …}, so each line authenticates
// itself, and its place in the file (generation + sequence) is checked on load: a changed, dropped,
// repeated or moved line is detected, never skipped.
//   secrets.snapshot      header, lines {g,s,ops:[…]}, a last line {g,s,end:{records,seeded}}
//   secrets.journal.<g>   header, lines {g,s,ops:[…]} (one line per acknowledged write)
// Legacy files of the first format (secrets.snapshot.json, secrets.journal.jsonl) are read once and converted.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FORMAT = 2;
export const SNAPSHOT = 'secrets.snapshot';
export const JOURNAL_PREFIX = 'secrets.journal.';
export const LEGACY_SNAPSHOT = 'secrets.snapshot.json';
export const LEGACY_JOURNAL = 'secrets.journal.jsonl';

const JOURNAL_RE = /^secrets\.journal\.(\d{1,15})$/;
const TMP_RE = /^secrets\..*\.tmp$/;

export const journalName = (gen: number): string => `${JOURNAL_PREFIX}${gen}`;
export const journalGen = (name: string): number | undefined => {
  const m = JOURNAL_RE.exec(name);
  return m ? Number(m[1]) : undefined;
};
export const isTempName = (name: string): boolean => TMP_RE.test(name);

/** True when `dir` holds a snapshot or journal (of either format): data that only its seal key can open. */
export function hasPersistedData(dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => n === SNAPSHOT || n === LEGACY_SNAPSHOT || n === LEGACY_JOURNAL || journalGen(n) !== undefined);
}

// ---- sealing ------------------------------------------------------------------------------------------------

/** A short public id of a seal key (HMAC, reveals nothing about the key): tells "other key" from "corrupt". */
export function keyId(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('keyvault-emulator seal key id').digest('hex').slice(0, 16);
}

export function seal(text: string, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

/** The plaintext, or undefined when the blob is not canonical base64url or fails authentication. */
export function unseal(blob: string, key: Buffer): string | undefined {
  const raw = Buffer.from(blob, 'base64url');
  // Buffer.from ignores stray characters and unused trailing bits; a changed byte must never pass unnoticed.
  if (raw.length < 28 || raw.toString('base64url') !== blob) return undefined;
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

// ---- headers ------------------------------------------------------------------------------------------------

export type FileKind = 'snapshot' | 'journal';

export interface Header {
  kind: FileKind;
  gen: number;
  keyId: string;
}

export const headerLine = (h: Header): string => `#keyvault-emulator ${h.kind} v${FORMAT} gen=${h.gen} key=${h.keyId}\n`;

export function parseHeader(text: string): Header | undefined {
  const m = /^#keyvault-emulator (snapshot|journal) v(\d+) gen=(\d{1,15}) key=([0-9a-f]{16})$/.exec(text);
  if (!m || Number(m[2]) !== FORMAT) return undefined;
  return { kind: m[1] as FileKind, gen: Number(m[3]), keyId: m[4] };
}

// ---- reading ------------------------------------------------------------------------------------------------

export interface Line {
  /** Without the newline (latin1: every valid line is ASCII). */
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** 1-based. */
  line: number;
  /** false: the file ends inside this line (no newline after it). */
  complete: boolean;
}

/** Reads a file line by line in 1 MiB chunks (files of any size; no line is joined with another). */
export function* readLines(file: string): Generator<Line> {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let pending: Buffer[] = [];
    let lineStart = 0;
    let pos = 0;
    let line = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        if (nl < 0 || nl >= n) {
          if (from < n) pending.push(Buffer.from(chunk.subarray(from, n)));
          break;
        }
        const text = pending.length ? Buffer.concat([...pending, chunk.subarray(from, nl)]) : chunk.subarray(from, nl);
        yield { text: text.toString('latin1'), offset: lineStart, line: ++line, complete: true };
        lineStart += text.length + 1;
        pending = [];
        from = nl + 1;
      }
      pos += n;
    }
    if (pending.length) yield { text: Buffer.concat(pending).toString('latin1'), offset: lineStart, line: ++line, complete: false };
  } finally {
    fs.closeSync(fd);
  }
}

// ---- writing ------------------------------------------------------------------------------------------------

export function writeFully(fd: number, buf: Buffer, position: number): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, position + off);
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on every platform (Windows)
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `data` to `file` durably and atomically (temp file, fsync, rename, fsync of the folder). */
export function writeFileDurably(file: string, chunks: Iterable<string>): number {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  let size = 0;
  try {
    for (const c of chunks) {
      const buf = Buffer.from(c, 'latin1');
      writeFully(fd, buf, size);
      size += buf.length;
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
  return size;
}

// ---- errors -------------------------------------------------------------------------------------------------

export const ADVICE = 'Nothing was loaded and nothing on disk was changed. Restore the data folder from a backup, ' +
  'or move it away to start with an empty one.';

/** A start refused because a data file cannot be read completely. */
export class DataFileError extends Error {
  constructor(readonly file: string, readonly problem: string, readonly at?: { line: number; offset: number }) {
    super(`Cannot load the emulator's persisted secrets: ${file}${at ? ` line ${at.line} (byte offset ${at.offset})` : ''}: ` +
      `${problem}. ${ADVICE}`);
    this.name = 'DataFileError';
  }
}
