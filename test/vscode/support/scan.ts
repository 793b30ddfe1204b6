// Finding secret values on disk: the canary and terminal tests scan logs, storage, the workspace and temp files.
import * as fs from 'fs';
import * as path from 'path';

/** Every file under `dir` (skipping what `skip` says), at most `maxBytes` each. */
export function files(dir: string, skip: (p: string) => boolean = () => false, maxBytes = 20 * 1024 * 1024): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (skip(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try { if (fs.statSync(p).size <= maxBytes) out.push(p); } catch { /* gone */ }
      }
    }
  };
  walk(dir);
  return out;
}

/** Files (under `dirs`) whose bytes contain any needle, in UTF-8 or UTF-16LE. */
export function occurrences(dirs: string[], needles: string[], skip: (p: string) => boolean = () => false): string[] {
  const patterns = needles.flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);
  const hits = new Set<string>();
  for (const dir of dirs) {
    for (const f of files(dir, skip)) {
      let bytes: Buffer;
      try { bytes = fs.readFileSync(f); } catch { continue; }
      if (patterns.some((p) => bytes.includes(p))) hits.add(f);
    }
  }
  return [...hits];
}
