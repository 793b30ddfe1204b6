// A small subset of KQL, enough for Resource Graph discovery queries over key vaults:
//   resources | where type =~ 'microsoft.keyvault/vaults' [and …] | project id, name, vaultUri = properties.vaultUri
//   [| extend …] [| order by name asc] [| limit N]
// Supported where-predicates: <col> (=~ | == | != | !~) '<str>', <col> in~ / in ('a', 'b'), joined by `and`.
// Anything else is an error (the caller answers 400, like ARG does for invalid queries).

export class KqlError extends Error {}

export type Row = Record<string, unknown>;

type Predicate = (row: Row) => boolean;
type Stage =
  | { kind: 'where'; pred: Predicate }
  | { kind: 'project'; cols: Column[] }
  | { kind: 'extend'; cols: Column[] }
  | { kind: 'order'; col: string; desc: boolean }
  | { kind: 'limit'; n: number };

export interface Column {
  name: string;
  path: string[];
}

export interface Query {
  table: string;
  stages: Stage[];
}

/** Splits on `sep` outside quotes and parentheses. */
export function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth === 0 && s.startsWith(sep, i)) {
      out.push(cur);
      cur = '';
      i += sep.length - 1;
      continue;
    }
    cur += c;
  }
  if (quote) throw new KqlError('unterminated string literal');
  out.push(cur);
  return out;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parsePath(expr: string): string[] {
  let e = expr.trim();
  // tostring(x) / tolower(x) / todynamic(x) are no-ops on our string values
  const fn = /^(tostring|tolower|todynamic)\((.*)\)$/i.exec(e);
  if (fn) e = fn[2].trim();
  const parts = e.split('.').map((p) => p.trim());
  const cleaned = parts.map((p) => {
    const br = /^\[['"](.+)['"]\]$/.exec(p);
    return br ? br[1] : p;
  });
  if (!cleaned.every((p) => IDENT.test(p))) throw new KqlError(`unsupported expression: ${expr.trim()}`);
  if (fn && fn[1].toLowerCase() === 'tolower') return ['#lower', ...cleaned];
  return cleaned;
}

export function parseColumns(list: string): Column[] {
  const items = splitTop(list, ',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new KqlError('project needs at least one column');
  return items.map((item) => {
    const eq = splitTop(item, '=');
    if (eq.length === 1) {
      const path = parsePath(item);
      return { name: path[path.length - 1], path };
    }
    if (eq.length !== 2) throw new KqlError(`unsupported column: ${item}`);
    const name = eq[0].trim();
    if (!IDENT.test(name)) throw new KqlError(`invalid column name: ${name}`);
    return { name, path: parsePath(eq[1]) };
  });
}

function literal(s: string): string {
  const m = /^'(.*)'$|^"(.*)"$/s.exec(s.trim());
  if (!m) throw new KqlError(`expected a string literal, got ${s.trim()}`);
  return m[1] ?? m[2];
}

function parsePredicate(text: string): Predicate {
  const parts = splitTop(text, ' and ').flatMap((p) => splitTop(p, ' AND '));
  const preds = parts.map((p): Predicate => {
    const t = p.trim();
    const inM = /^([A-Za-z_][\w.]*)\s+(in~|in|!in~|!in)\s*\((.*)\)$/s.exec(t);
    if (inM) {
      const path = parsePath(inM[1]);
      const ci = inM[2].endsWith('~');
      const neg = inM[2].startsWith('!');
      const values = splitTop(inM[3], ',').map((v) => literal(v));
      const set = new Set(values.map((v) => (ci ? v.toLowerCase() : v)));
      return (row) => {
        const v = String(resolve(row, path) ?? '');
        return set.has(ci ? v.toLowerCase() : v) !== neg;
      };
    }
    const m = /^([A-Za-z_][\w.()]*)\s*(=~|==|!=|!~)\s*(.+)$/s.exec(t);
    if (!m) throw new KqlError(`unsupported where clause: ${t}`);
    const path = parsePath(m[1]);
    const want = literal(m[3]);
    const op = m[2];
    return (row) => {
      const v = String(resolve(row, path) ?? '');
      if (op === '==') return v === want;
      if (op === '!=') return v !== want;
      if (op === '=~') return v.toLowerCase() === want.toLowerCase();
      return v.toLowerCase() !== want.toLowerCase();
    };
  });
  return (row) => preds.every((p) => p(row));
}

export function parseQuery(q: string): Query {
  const stages = splitTop(q.replace(/\r?\n/g, ' '), '|').map((s) => s.trim());
  const table = stages.shift() ?? '';
  if (!/^resources$/i.test(table)) throw new KqlError(`unsupported table: ${table || '(empty)'}`);
  const out: Stage[] = [];
  for (const st of stages) {
    const m = /^(\w+)(?:\s+by)?\s+(.*)$/s.exec(st);
    if (!m) throw new KqlError(`unsupported operator: ${st}`);
    const op = m[1].toLowerCase();
    const rest = m[2];
    if (op === 'where') out.push({ kind: 'where', pred: parsePredicate(rest) });
    else if (op === 'project') out.push({ kind: 'project', cols: parseColumns(rest) });
    else if (op === 'extend') out.push({ kind: 'extend', cols: parseColumns(rest) });
    else if (op === 'order' || op === 'sort') {
      const o = /^([A-Za-z_]\w*)(?:\s+(asc|desc))?$/i.exec(rest.trim());
      if (!o) throw new KqlError(`unsupported order by: ${rest}`);
      out.push({ kind: 'order', col: o[1], desc: (o[2] ?? 'desc').toLowerCase() === 'desc' });
    } else if (op === 'limit' || op === 'take') {
      if (!/^\d+$/.test(rest.trim())) throw new KqlError(`limit needs a number: ${rest}`);
      out.push({ kind: 'limit', n: Number(rest.trim()) });
    } else throw new KqlError(`unsupported operator: ${op}`);
  }
  return { table, stages: out };
}

/** Property lookup: top-level column names are case-insensitive like ARG's, nested keys exact then case-insensitive. */
export function resolve(row: Row, path: string[]): unknown {
  let lower = false;
  let p = path;
  if (p[0] === '#lower') {
    lower = true;
    p = p.slice(1);
  }
  let cur: unknown = row;
  for (const seg of p) {
    if (!cur || typeof cur !== 'object') return null;
    const o = cur as Record<string, unknown>;
    if (seg in o) cur = o[seg];
    else {
      const k = Object.keys(o).find((x) => x.toLowerCase() === seg.toLowerCase());
      cur = k === undefined ? null : o[k];
    }
  }
  if (lower && typeof cur === 'string') return cur.toLowerCase();
  return cur === undefined ? null : cur;
}

export function runQuery(q: Query, rows: Row[]): Row[] {
  let cur = rows;
  for (const st of q.stages) {
    if (st.kind === 'where') cur = cur.filter(st.pred);
    else if (st.kind === 'project') cur = cur.map((r) => Object.fromEntries(st.cols.map((c) => [c.name, resolve(r, c.path)])));
    else if (st.kind === 'extend') cur = cur.map((r) => ({ ...r, ...Object.fromEntries(st.cols.map((c) => [c.name, resolve(r, c.path)])) }));
    else if (st.kind === 'order') {
      const sign = st.desc ? -1 : 1;
      cur = [...cur].sort((a, b) => sign * String(resolve(a, [st.col]) ?? '').localeCompare(String(resolve(b, [st.col]) ?? '')));
    } else cur = cur.slice(0, st.n);
  }
  return cur;
}
