// Import and export files: .env, JSON ({name: value} or the export format) and CSV in; JSON and CSV out
// (metadata only unless values are asked for). Pure: no vscode, no I/O. Messages name lines and keys, never values.
import type { SecretProps } from '../azure/model';
import { SECRET_NAME_MAX, validateSecretName } from '../azure/names';
import { airflowSecretName, type AirflowBackendConfig } from '../integrations/airflow';

export interface ImportEntry {
  /** The key as written in the file. */
  key: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
  /** 1-based line (.env, CSV) or entry number (JSON). */
  line: number;
}

export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

// ---------------------------------------------------------------------------------------------------------
// .env
// ---------------------------------------------------------------------------------------------------------

/** KEY=value lines; `export ` prefixes, # comments, single/double quotes (double quotes take \n \t \" \\). */
export function parseDotEnv(text: string): ImportEntry[] {
  const out: ImportEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ImportFormatError(`line ${i + 1}: expected NAME=value`);
    const key = m[1]!;
    let rest = m[2]!;
    let value: string;
    const q = rest[0];
    if (q === '"' || q === "'") {
      // a quoted value may run over several lines
      let body = rest.slice(1);
      let end = findClosing(body, q);
      const start = i;
      while (end < 0 && i + 1 < lines.length) {
        body += '\n' + lines[++i]!;
        end = findClosing(body, q);
      }
      if (end < 0) throw new ImportFormatError(`line ${start + 1}: the ${q === '"' ? 'double' : 'single'} quote of ${key} is never closed`);
      value = body.slice(0, end);
      if (q === '"') value = value.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }[c]!));
      out.push({ key, value, line: start + 1 });
      continue;
    }
    const hash = rest.search(/\s#/);
    if (hash >= 0) rest = rest.slice(0, hash);
    value = rest.trim();
    out.push({ key, value, line: i + 1 });
  }
  return out;
}

function findClosing(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') { i++; continue; }
    if (s[i] === q) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// JSON: {name: value} or the export format
// ---------------------------------------------------------------------------------------------------------

export const EXPORT_FORMAT = 'keyvault-secrets-export';

export interface ExportedSecret {
  name: string;
  enabled: boolean;
  contentType?: string;
  tags?: Record<string, string>;
  notBefore?: string;
  expiresOn?: string;
  createdOn?: string;
  updatedOn?: string;
  managed?: boolean;
  value?: string;
}

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: 1;
  vault: string;
  exportedOn: string;
  includesValues: boolean;
  secrets: ExportedSecret[];
}

function date(v: unknown, where: string): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new ImportFormatError(`${where}: not a date`);
  return d;
}

export function parseJsonImport(text: string): ImportEntry[] {
  let doc: unknown;
  try { doc = JSON.parse(text.replace(/^\uFEFF/, '')); } catch (e) {
    // JSON.parse's message may quote the text around the error: say only where
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new ImportFormatError(`not valid JSON${pos ? ` (at character ${pos})` : ''}`);
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as ExportDocument).secrets)
    ? (doc as ExportDocument).secrets : undefined;
  if (list) {
    return list.map((s: unknown, i) => {
      const where = `entry ${i + 1}`;
      if (!s || typeof s !== 'object') throw new ImportFormatError(`${where}: expected an object with name and value`);
      const o = s as Record<string, unknown>;
      if (typeof o.name !== 'string') throw new ImportFormatError(`${where}: "name" must be a string`);
      if (typeof o.value !== 'string') {
        throw new ImportFormatError(`${where} (${o.name}): no "value" — an export without values cannot be imported`);
      }
      if (o.tags !== undefined && (typeof o.tags !== 'object' || o.tags === null || Object.values(o.tags).some((v) => typeof v !== 'string'))) {
        throw new ImportFormatError(`${where} (${o.name}): "tags" must be an object of strings`);
      }
      return {
        key: o.name, value: o.value, line: i + 1,
        contentType: typeof o.contentType === 'string' && o.contentType ? o.contentType : undefined,
        tags: o.tags as Record<string, string> | undefined,
        enabled: typeof o.enabled === 'boolean' ? o.enabled : undefined,
        notBefore: date(o.notBefore, where), expiresOn: date(o.expiresOn, where),
      };
    });
  }
  if (!doc || typeof doc !== 'object') throw new ImportFormatError('expected an object {"name": "value", …} or an export file');
  return Object.entries(doc as Record<string, unknown>).map(([key, value], i) => {
    if (typeof value !== 'string') throw new ImportFormatError(`"${key}": the value must be a string`);
    return { key, value, line: i + 1 };
  });
}

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180): a header with name and value, optional contentType, tags (a=b;c=d), enabled, notBefore, expiresOn
// ---------------------------------------------------------------------------------------------------------

export function parseCsvRows(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const s = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ cells, line: rowLine });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted) throw new ImportFormatError(`line ${rowLine}: a quoted field is never closed`);
  if (cell !== '' || cells.length) endRow();
  return rows;
}

export function parseTagCell(text: string, where: string): Record<string, string> | undefined {
  if (!text.trim()) return undefined;
  const tags: Record<string, string> = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ImportFormatError(`${where}: tag "${part.slice(0, 40)}" is not name=value`);
    tags[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return tags;
}

export function parseCsvImport(text: string): ImportEntry[] {
  const rows = parseCsvRows(text);
  if (rows.length === 0) return [];
  const header = rows[0]!.cells.map((h) => h.trim().toLowerCase());
  const col = (n: string) => header.indexOf(n.toLowerCase());
  const iName = col('name');
  const iValue = col('value');
  if (iName < 0 || iValue < 0) throw new ImportFormatError('line 1: the header must name the columns "name" and "value"');
  const [iType, iTags, iEnabled, iNbf, iExp] = ['contentType', 'tags', 'enabled', 'notBefore', 'expiresOn'].map(col);
  return rows.slice(1).map(({ cells, line }) => {
    const where = `line ${line}`;
    const get = (i: number) => (i >= 0 ? cells[i] ?? '' : '');
    const enabled = get(iEnabled!).trim().toLowerCase();
    if (enabled && enabled !== 'true' && enabled !== 'false') throw new ImportFormatError(`${where}: enabled must be true or false`);
    return {
      key: get(iName).trim(), value: get(iValue), line,
      contentType: get(iType!) || undefined, tags: parseTagCell(get(iTags!), where),
      enabled: enabled ? enabled === 'true' : undefined, notBefore: date(get(iNbf!), where), expiresOn: date(get(iExp!), where),
    };
  });
}

export type ImportFormat = 'env' | 'json' | 'csv';

export function formatFromFileName(file: string): ImportFormat | undefined {
  const f = file.toLowerCase();
  if (f.endsWith('.json')) return 'json';
  if (f.endsWith('.csv')) return 'csv';
  if (/(^|[\\/])\.env(\.[^\\/]*)?$/.test(f) || f.endsWith('.env')) return 'env';
  return undefined;
}

export function parseImport(text: string, format: ImportFormat): ImportEntry[] {
  return format === 'env' ? parseDotEnv(text) : format === 'json' ? parseJsonImport(text) : parseCsvImport(text);
}

// ---------------------------------------------------------------------------------------------------------
// Names: validation, the fix, Airflow
// ---------------------------------------------------------------------------------------------------------

/** A valid Key Vault name for an invalid one: every other character becomes "-", cut to 127. */
export function fixSecretName(name: string): string | undefined {
  const fixed = name.replace(/[^0-9A-Za-z-]/g, '-').slice(0, SECRET_NAME_MAX);
  return fixed && !validateSecretName(fixed) ? fixed : undefined;
}

export interface NamedEntry extends ImportEntry {
  /** The Key Vault name this entry becomes (after the Airflow mapping and, if chosen, the fix). */
  name: string;
  /** Set when `key` is not a valid name: the problem, and the fixed name when there is one. */
  invalid?: { problem: string; fix?: string };
  /** The Airflow kind this entry was read as. */
  airflow?: 'connection' | 'variable';
}

/** `AIRFLOW_CONN_MY_DB` → connection "my_db"; `AIRFLOW_VAR_SOME_KEY` → variable "some_key". */
export function airflowEnvKey(key: string): { kind: 'connection' | 'variable'; id: string } | undefined {
  const m = /^AIRFLOW_(CONN|VAR)_(.+)$/.exec(key);
  if (!m) return undefined;
  return { kind: m[1] === 'CONN' ? 'connection' : 'variable', id: m[2]!.toLowerCase() };
}

export function hasAirflowEnvKeys(entries: readonly ImportEntry[]): boolean {
  return entries.some((e) => airflowEnvKey(e.key));
}

/**
 * Names for the entries: as written, or — with `airflow` — AIRFLOW_CONN_* / AIRFLOW_VAR_* as the backend's
 * secret names under the vault's prefixes (other keys as written). Invalid names carry the problem and the fix.
 */
export function nameEntries(entries: readonly ImportEntry[], airflow?: AirflowBackendConfig): NamedEntry[] {
  return entries.map((e) => {
    const af = airflow ? airflowEnvKey(e.key) : undefined;
    const mapped = af ? airflowSecretName(af.kind, af.id, airflow!) : undefined;
    const name = mapped ?? e.key;
    const problem = validateSecretName(name);
    return { ...e, name, airflow: mapped ? af!.kind : undefined, invalid: problem ? { problem, fix: fixSecretName(name) } : undefined };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

const iso = (d: Date | undefined) => d?.toISOString();

export function toExported(s: SecretProps, value?: string): ExportedSecret {
  const out: ExportedSecret = { name: s.name, enabled: s.enabled };
  if (s.contentType) out.contentType = s.contentType;
  if (s.tags) out.tags = { ...s.tags };
  if (s.notBefore) out.notBefore = iso(s.notBefore);
  if (s.expiresOn) out.expiresOn = iso(s.expiresOn);
  if (s.createdOn) out.createdOn = iso(s.createdOn);
  if (s.updatedOn) out.updatedOn = iso(s.updatedOn);
  if (s.managed) out.managed = true;
  if (value !== undefined) out.value = value;
  return out;
}

/** The export as JSON. `values` (by lower-case name) only when the user confirmed a file with plain values. */
export function exportJson(vaultUrl: string, secrets: readonly SecretProps[], values?: ReadonlyMap<string, string>, now = new Date()): string {
  const doc: ExportDocument = {
    format: EXPORT_FORMAT, version: 1, vault: vaultUrl, exportedOn: now.toISOString(), includesValues: !!values,
    secrets: secrets.map((s) => toExported(s, values?.get(s.name.toLowerCase()))),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function exportCsv(secrets: readonly SecretProps[], values?: ReadonlyMap<string, string>): string {
  const header = ['name', 'enabled', 'contentType', 'tags', 'notBefore', 'expiresOn', 'createdOn', 'updatedOn', 'managed', ...(values ? ['value'] : [])];
  const rows = secrets.map((s) => {
    const e = toExported(s, values?.get(s.name.toLowerCase()));
    const tags = Object.entries(e.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
    return [e.name, String(e.enabled), e.contentType ?? '', tags, e.notBefore ?? '', e.expiresOn ?? '', e.createdOn ?? '',
      e.updatedOn ?? '', e.managed ? 'true' : 'false', ...(values ? [e.value ?? ''] : [])].map(csvCell).join(',');
  });
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
