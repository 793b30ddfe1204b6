// Airflow variables and connections read by DAG code and templates. The Key Vault secret name comes later, from the
// backend configuration (src/integrations/airflow.ts airflowSecretName); here only the id as written. Pure (no vscode).
//
// Python: Variable.get("key"[, default_var=…][, deserialize_json=…]) or Variable.get(key="…");
//         BaseHook.get_connection("id") (any *Hook class or *hook object), Connection.get_connection_from_secrets("id"),
//         Connection.get("id") / Connection.async_get("id") (Airflow 3 Task SDK); conn_id="…" as a keyword.
// Jinja:  {{ var.value.key }}, {{ var.json.key }}, var.value.get('key'[, default]), var.value['key'];
//         {{ conn.conn_id }}, {{ conn.conn_id.host }}, conn.get('id'), conn['id'] — in template files and in the values
//         of Python strings (templated operator fields).
import { callArgs, findArg, stringArg } from './calls';
import { jinjaBlocks, type JinjaBlock, type JinjaToken } from './jinja';
import { sourceRange, type MappedText, type Token } from './lexer';
import type { SecretReference } from './model';

type AirflowKind = 'airflowVariable' | 'airflowConnection';

interface Method { kind: AirflowKind; keyword: string; receiver: (name: string) => boolean }

const METHODS: Record<string, Method> = {
  get: { kind: 'airflowVariable', keyword: 'key', receiver: (r) => r === 'Variable' },
  get_connection: { kind: 'airflowConnection', keyword: 'conn_id', receiver: (r) => /hook$/i.test(r) },
  get_connection_from_secrets: { kind: 'airflowConnection', keyword: 'conn_id', receiver: (r) => r === 'Connection' },
};

/** Variable.get / Connection.get / *Hook.get_connection / Connection.get_connection_from_secrets calls in Python. */
export function airflowPythonCalls(toks: readonly Token[]): SecretReference[] {
  const out: SecretReference[] = [];
  for (let k = 2; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'ident' || toks[k - 1]!.text !== '.' || toks[k + 1]!.text !== '(') continue;
    const recv = toks[k - 2]!;
    if (recv.type !== 'ident') continue;
    let method = Object.hasOwn(METHODS, t.text) ? METHODS[t.text] : undefined;
    if ((t.text === 'get' || t.text === 'async_get') && recv.text === 'Connection') method = { kind: 'airflowConnection', keyword: 'conn_id', receiver: () => true };
    if (!method || !method.receiver(recv.text)) continue;
    const { args } = callArgs(toks, k + 1, 'python');
    const lit = stringArg(toks, findArg(args, 0, method.keyword));
    if (!lit) continue;
    const id = lit.str!.text.value;
    if (id.length === 0) continue;
    out.push({ kind: method.kind, start: lit.str!.contentStart, end: lit.str!.contentEnd, airflowId: id });
  }
  return out;
}

const names = (ts: readonly JinjaToken[]) => ts.filter((t) => t.type === 'name').map((t) => t.value);

/**
 * For every block, the names the template has rebound there, so they are not Airflow's accessors:
 * {% for conn in … %}…{% endfor %}, {% with var = … %}…{% endwith %}, {% macro m(conn) %}…{% endmacro %}, and
 * {% set conn = … %} (for the rest of the enclosing scope). A statement's own expression still sees the outer names.
 */
function rebound(blocks: readonly JinjaBlock[]): Set<string>[] {
  const stack: Set<string>[] = [new Set()];
  const current = () => new Set(stack.flatMap((f) => [...f]));
  return blocks.map((b) => {
    const seen = current();
    const [head, ...rest] = b.tokens;
    if (b.kind !== 'statement' || head?.type !== 'name') return seen;
    const eq = rest.findIndex((t) => t.value === '=');
    switch (head.value) {
      case 'for': {
        const stop = rest.findIndex((t) => t.type === 'name' && t.value === 'in');
        stack.push(new Set(names(rest.slice(0, stop < 0 ? rest.length : stop))));
        break;
      }
      case 'with':
        stack.push(new Set(rest.filter((t, k) => t.type === 'name' && rest[k + 1]?.value === '=').map((t) => t.value)));
        break;
      case 'macro': {
        const open = rest.findIndex((t) => t.value === '(');
        stack.push(new Set(names(rest.slice(open + 1)).filter((n, k, all) => all.indexOf(n) === k)));
        break;
      }
      case 'set':
        for (const n of names(eq < 0 ? rest : rest.slice(0, eq))) stack[stack.length - 1]!.add(n);
        break;
      case 'endfor': case 'endwith': case 'endmacro':
        if (stack.length > 1) stack.pop();
        break;
    }
    return seen;
  });
}

/** The id after `var.value` / `var.json` / `conn` at index i: `.name`, `.get('id'…)` or `['id']`. */
function idAfter(ts: readonly JinjaToken[], i: number): JinjaToken | undefined {
  const a = ts[i];
  const b = ts[i + 1];
  if (a?.value === '.' && b?.type === 'name') {
    if (b.value !== 'get') return b;
    if (ts[i + 2]?.value !== '(') return undefined; // the accessor's get method itself
    const arg = ts[i + 3];
    return arg?.type === 'string' && (ts[i + 4]?.value === ')' || ts[i + 4]?.value === ',') ? arg : undefined;
  }
  if (a?.value === '[' && b?.type === 'string' && ts[i + 2]?.value === ']') return b;
  return undefined;
}

/** Airflow's var / conn accessors in a template (a template file, or the decoded value of a Python string). */
export function airflowJinja(text: MappedText): SecretReference[] {
  const blocks = jinjaBlocks(text);
  const hiddenAt = rebound(blocks);
  const out: SecretReference[] = [];
  for (const [bi, { tokens: ts }] of blocks.entries()) {
    const hidden = hiddenAt[bi]!;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t.type !== 'name' || hidden.has(t.value) || (i > 0 && ts[i - 1]!.value === '.')) continue;
      let id: JinjaToken | undefined;
      let kind: AirflowKind;
      if (t.value === 'var' && ts[i + 1]?.value === '.' && (ts[i + 2]?.value === 'value' || ts[i + 2]?.value === 'json')) {
        id = idAfter(ts, i + 3);
        kind = 'airflowVariable';
      } else if (t.value === 'conn') {
        id = idAfter(ts, i + 1);
        kind = 'airflowConnection';
      } else {
        continue;
      }
      if (!id || id.tainted || id.value.length === 0) continue;
      const { start, end } = sourceRange(text, id.contentFrom, id.contentTo);
      out.push({ kind, start, end, airflowId: id.value });
    }
  }
  return out;
}
