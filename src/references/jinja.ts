// A small Jinja lexer: finds the expression blocks ({{ … }}, {% … %}) of a template, skipping {# comments #} and
// {% raw %}…{% endraw %}, and splits each block into names, strings and operators. It works on a decoded text (a
// template file, or the value of a Python string), so offsets map back to the source. Pure (no vscode).
//
// Markup and SQL comments (<!-- -->, --) are NOT Jinja comments: Jinja renders what is inside them, so an expression
// there still runs (and, in Airflow, still reads the variable or connection).
import { HOLE, type MappedText } from './lexer';

export interface JinjaToken {
  type: 'name' | 'string' | 'punct' | 'other';
  /** The name, the decoded string, or the operator. */
  value: string;
  /** Offsets into the decoded text: the whole token, and (strings) the content between the quotes. */
  from: number;
  to: number;
  contentFrom: number;
  contentTo: number;
  /** Part of the token comes from an interpolated expression of the host string (f-string field, `${…}`). */
  tainted: boolean;
}

export interface JinjaBlock {
  kind: 'expression' | 'statement';
  tokens: JinjaToken[];
}

const NAME = /[\p{L}\p{Nl}_\uFFFF][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\uFFFF]*/uy;
const JINJA_ESCAPES: Record<string, string> = { '\\': '\\', '\'': '\'', '"': '"', n: '\n', t: '\t', r: '\r' };

function lexBlock(s: string, from: number, closer: string): { tokens: JinjaToken[]; end: number } {
  const tokens: JinjaToken[] = [];
  let i = from;
  while (i < s.length) {
    const c = s[i]!;
    if (s.startsWith(closer, i) || (s[i] === '-' && s.startsWith(closer, i + 1))) {
      return { tokens, end: i + (s[i] === '-' ? 1 : 0) + closer.length };
    }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '\'' || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) {
          const n = s[j + 1]!;
          value += n in JINJA_ESCAPES ? JINJA_ESCAPES[n]! : `\\${n}`;
          j += 2;
          continue;
        }
        value += s[j];
        j++;
      }
      const to = Math.min(j + 1, s.length);
      tokens.push({ type: 'string', value, from: i, to, contentFrom: i + 1, contentTo: j, tainted: value.includes(HOLE) });
      i = to;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(s);
    if (m) {
      const to = i + m[0].length;
      tokens.push({ type: 'name', value: m[0], from: i, to, contentFrom: i, contentTo: to, tainted: m[0].includes(HOLE) });
      i = to;
      continue;
    }
    const num = /\d[\w.]*/y;
    num.lastIndex = i;
    const n = num.exec(s);
    const len = n ? n[0].length : 1;
    tokens.push({ type: n ? 'other' : 'punct', value: s.slice(i, i + len), from: i, to: i + len, contentFrom: i, contentTo: i + len, tainted: false });
    i += len;
  }
  return { tokens, end: s.length };
}

/** The expression and statement blocks of a template, in order. */
export function jinjaBlocks(text: MappedText): JinjaBlock[] {
  const s = text.value;
  const out: JinjaBlock[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('{', i);
    if (open < 0) break;
    const next = s[open + 1];
    if (next === '#') {
      const close = s.indexOf('#}', open + 2);
      if (close < 0) break;
      i = close + 2;
      continue;
    }
    if (next !== '{' && next !== '%') { i = open + 1; continue; }
    let start = open + 2;
    if (s[start] === '-' || s[start] === '+') start++;
    const { tokens, end } = lexBlock(s, start, next === '{' ? '}}' : '%}');
    const kind = next === '{' ? 'expression' : 'statement';
    if (kind === 'statement' && tokens[0]?.type === 'name' && tokens[0].value === 'raw') {
      const endraw = /\{%[-+]?\s*endraw\s*-?%\}/g;
      endraw.lastIndex = end;
      const m = endraw.exec(s);
      i = m ? m.index + m[0].length : s.length;
      continue;
    }
    out.push({ kind, tokens });
    i = end;
  }
  return out;
}
