// Small per-language lexers for the reference recognisers: they know each language's comments and string literals
// (escapes, prefixes, interpolation), so nothing inside a comment is seen and names are read from decoded string
// values with a map back to source offsets. Only as much of each language as the recognisers need. Pure (no vscode).

/** Stands for an interpolated expression (f-string field, `${…}`, C# `{…}`) inside a decoded string value. */
export const HOLE = '\uFFFF';

/** A decoded text with, for every UTF-16 unit, the source offset it came from; pos[value.length] is the end offset. */
export interface MappedText {
  value: string;
  pos: number[];
}

/** Source range [start, end) of value[from, to) of a mapped text. */
export function sourceRange(t: MappedText, from: number, to: number): { start: number; end: number } {
  return { start: t.pos[from]!, end: t.pos[to]! };
}

/** A mapped text that is a plain slice of the source. */
export function sliceText(src: string, start: number, end: number): MappedText {
  const pos: number[] = [];
  for (let i = start; i <= end; i++) pos.push(i);
  return { value: src.slice(start, end), pos };
}

/** Builds a MappedText one decoded piece at a time. */
export class TextBuilder {
  private value = '';
  private readonly pos: number[] = [];
  push(s: string, at: number): void {
    for (let k = 0; k < s.length; k++) this.pos.push(at);
    this.value += s;
  }
  finish(end: number): MappedText {
    return { value: this.value, pos: [...this.pos, end] };
  }
}

export interface StringInfo {
  /** Offsets of the content between the quotes. */
  contentStart: number;
  contentEnd: number;
  /** The decoded value; every interpolated expression is one HOLE. */
  text: MappedText;
  interpolated: boolean;
  /** Python bytes literal (b"…"): never a str. */
  bytes: boolean;
  /** Python: a string that is a whole statement (docstring): documentation, not a value. */
  docstring: boolean;
}

export interface Token {
  type: 'ident' | 'string' | 'number' | 'punct' | 'other';
  text: string;
  start: number;
  end: number;
  /** A line break ends the statement before this token (Python: a logical line end outside brackets). */
  nl: boolean;
  /** Nesting of ( and [ (Python: also {) around this token; statements are at depth 0. */
  depth: number;
  str?: StringInfo;
}

/** The value of a plain string literal (not interpolated, not bytes), else undefined. */
export function literal(t: Token | undefined): string | undefined {
  if (!t || t.type !== 'string' || !t.str || t.str.interpolated || t.str.bytes) return undefined;
  return t.str.text.value;
}

const isNewline = (c: string | undefined) => c === '\n' || c === '\r';
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff';
const IDENT = /[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*/uy;
const PY_IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER = /(?:\d|\.\d)[\w.]*(?:[eE][+-]\d+)?/y;

function matchAt(re: RegExp, src: string, i: number): string | undefined {
  re.lastIndex = i;
  const m = re.exec(src);
  return m ? m[0] : undefined;
}

const punctIndex = new WeakMap<readonly string[], Map<string, string[]>>();

/** The longest operator of `puncts` (longest first) at i, else the single character. */
function longestPunct(src: string, i: number, puncts: readonly string[]): string {
  let index = punctIndex.get(puncts);
  if (!index) {
    index = new Map();
    for (const p of puncts) index.set(p[0]!, [...(index.get(p[0]!) ?? []), p]);
    punctIndex.set(puncts, index);
  }
  for (const p of index.get(src[i]!) ?? []) if (src.startsWith(p, i)) return p;
  return src[i]!;
}

/** Tracks bracket depth and the pending line break while tokens are emitted. */
class TokenSink {
  readonly tokens: Token[] = [];
  depth = 0;
  nl = true;
  constructor(private readonly openers: string, private readonly closers: string) {}
  emit(type: Token['type'], src: string, start: number, end: number, str?: StringInfo): void {
    const text = src.slice(start, end);
    if (type === 'punct' && this.closers.includes(text)) this.depth = Math.max(0, this.depth - 1);
    this.tokens.push({ type, text, start, end, nl: this.nl, depth: this.depth, ...(str ? { str } : {}) });
    if (type === 'punct' && this.openers.includes(text)) this.depth++;
    this.nl = false;
  }
}

function hexAt(src: string, i: number, n: number): number | undefined {
  const h = src.slice(i, i + n);
  return h.length === n && /^[0-9a-fA-F]+$/.test(h) ? parseInt(h, 16) : undefined;
}

/** Skips one string literal starting at a quote (no interpolation; backslash escapes); returns the offset after it. */
function skipSimpleString(src: string, i: number, stopAtNewline: boolean): number {
  const q = src[i]!;
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '\\') { j += 2; continue; }
    if (c === q) return j + 1;
    if (stopAtNewline && isNewline(c)) return j;
    j++;
  }
  return j;
}

// ---------------------------------------------------------------- Python

const PY_PUNCTS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
const PY_SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', '\'': '\'', '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** End of an f-string replacement field that starts at the `{` at i (nested brackets and strings skipped). */
function skipPyField(src: string, i: number, quote: string, triple: boolean): number {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    } else if (c === '\'' || c === '"') {
      // Before Python 3.12 a field cannot reuse the string's quotes; from 3.12 on that is rare: the string ends here.
      if (triple ? src.startsWith(quote.repeat(3), j) : c === quote) return j;
      j = skipSimpleString(src, j, true);
      continue;
    } else if (!triple && isNewline(c)) {
      return j;
    }
    j++;
  }
  return j;
}

function lexPyString(src: string, start: number, prefix: string): { end: number; info: StringInfo } {
  const p = prefix.toLowerCase();
  const raw = p.includes('r');
  const bytes = p.includes('b');
  const fmt = p.includes('f') || p.includes('t');
  const q = src[start + prefix.length]!;
  const triple = src.startsWith(q.repeat(3), start + prefix.length);
  const contentStart = start + prefix.length + (triple ? 3 : 1);
  const b = new TextBuilder();
  let interpolated = false;
  let j = contentStart;
  let contentEnd = src.length;
  let end = src.length;
  while (j < src.length) {
    const c = src[j]!;
    if (triple ? src.startsWith(q.repeat(3), j) : c === q) {
      contentEnd = j;
      end = j + (triple ? 3 : 1);
      break;
    }
    if (!triple && isNewline(c)) { contentEnd = end = j; break; }
    if (c === '\\') {
      const n = src[j + 1];
      if (n === undefined) { b.push('\\', j); j++; continue; }
      if (raw) { b.push(c + n, j); j += 2; continue; }
      if (isNewline(n)) { j += n === '\r' && src[j + 2] === '\n' ? 3 : 2; continue; }
      if (n in PY_SIMPLE_ESCAPES) { b.push(PY_SIMPLE_ESCAPES[n]!, j); j += 2; continue; }
      const oct = /^[0-7]{1,3}/.exec(src.slice(j + 1, j + 4));
      if (oct) { b.push(String.fromCharCode(parseInt(oct[0], 8)), j); j += 1 + oct[0].length; continue; }
      if (n === 'x') {
        const h = hexAt(src, j + 2, 2);
        if (h !== undefined) { b.push(String.fromCharCode(h), j); j += 4; continue; }
      }
      if (!bytes && (n === 'u' || n === 'U')) {
        const len = n === 'u' ? 4 : 8;
        const h = hexAt(src, j + 2, len);
        if (h !== undefined && h <= 0x10ffff) { b.push(String.fromCodePoint(h), j); j += 2 + len; continue; }
      }
      if (!bytes && n === 'N' && src[j + 2] === '{') {
        const close = src.indexOf('}', j + 3);
        if (close > 0) { b.push('\ufffd', j); j = close + 1; continue; } // a named character: never part of a name
      }
      b.push(c + n, j); // unknown escapes keep the backslash
      j += 2;
      continue;
    }
    if (fmt && c === '{') {
      if (src[j + 1] === '{') { b.push('{', j); j += 2; continue; }
      b.push(HOLE, j);
      interpolated = true;
      j = skipPyField(src, j, q, triple);
      continue;
    }
    if (fmt && c === '}' && src[j + 1] === '}') { b.push('}', j); j += 2; continue; }
    b.push(c, j);
    j++;
  }
  return { end, info: { contentStart, contentEnd, text: b.finish(contentEnd), interpolated, bytes, docstring: false } };
}

export function lexPython(src: string): Token[] {
  const sink = new TokenSink('([{', ')]}');
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (isNewline(c)) { if (sink.depth === 0) sink.nl = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    if (c === '\\' && isNewline(src[i + 1])) { i += src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 2; continue; }
    if (c === '#') { while (i < src.length && !isNewline(src[i])) i++; continue; }
    const id = matchAt(PY_IDENT, src, i);
    if (id !== undefined) {
      const after = src[i + id.length];
      if ((after === '"' || after === '\'') && /^(?:[rubft]|br|rb|fr|rf|tr|rt)$/i.test(id)) {
        const { end, info } = lexPyString(src, i, id);
        sink.emit('string', src, i, end, info);
        i = end;
        continue;
      }
      sink.emit('ident', src, i, i + id.length);
      i += id.length;
      continue;
    }
    if (c === '"' || c === '\'') {
      const { end, info } = lexPyString(src, i, '');
      sink.emit('string', src, i, end, info);
      i = end;
      continue;
    }
    const num = matchAt(NUMBER, src, i);
    if (num !== undefined) { sink.emit('number', src, i, i + num.length); i += num.length; continue; }
    const p = longestPunct(src, i, PY_PUNCTS);
    sink.emit('punct', src, i, i + p.length);
    i += p.length;
  }
  const toks = sink.tokens;
  // A string that is a whole statement (docstring, or a string used as a comment) is documentation, not a value.
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.type !== 'string' || t.depth !== 0 || !(k === 0 || t.nl)) continue;
    let e = k;
    while (toks[e + 1]?.type === 'string' && !toks[e + 1]!.nl) e++;
    if (e + 1 < toks.length && !toks[e + 1]!.nl && toks[e + 1]!.text !== ';') continue;
    for (let d = k; d <= e; d++) toks[d]!.str!.docstring = true;
  }
  return toks;
}

// ---------------------------------------------------------------- JavaScript / TypeScript

const JS_PUNCTS = ['>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=', '=>', '==', '!=', '<=',
  '>=', '&&', '||', '??', '**', '++', '--', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^='];
const JS_KEYWORDS_BEFORE_EXPR = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw',
  'case', 'do', 'else', 'yield', 'await']);
const JS_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** Decodes a JS escape at src[j] === '\\'; returns the next offset. */
function jsEscape(src: string, j: number, b: TextBuilder): number {
  const n = src[j + 1];
  if (n === undefined) { b.push('\\', j); return j + 1; }
  if (isNewline(n)) return j + (n === '\r' && src[j + 2] === '\n' ? 3 : 2);
  if (n in JS_ESCAPES && !(n === '0' && /[0-9]/.test(src[j + 2] ?? ''))) { b.push(JS_ESCAPES[n]!, j); return j + 2; }
  if (n === 'x') {
    const h = hexAt(src, j + 2, 2);
    if (h !== undefined) { b.push(String.fromCharCode(h), j); return j + 4; }
  }
  if (n === 'u') {
    if (src[j + 2] === '{') {
      const close = src.indexOf('}', j + 3);
      const h = close > 0 && /^[0-9a-fA-F]{1,6}$/.test(src.slice(j + 3, close)) ? parseInt(src.slice(j + 3, close), 16) : undefined;
      if (h !== undefined && h <= 0x10ffff) { b.push(String.fromCodePoint(h), j); return close + 1; }
    } else {
      const h = hexAt(src, j + 2, 4);
      if (h !== undefined) { b.push(String.fromCharCode(h), j); return j + 6; }
    }
  }
  b.push(n, j);
  return j + 2;
}

/** Offset after the `${ … }` expression whose `{` is at i (strings, templates, comments and braces skipped). */
function skipJsInterpolation(src: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '{') depth++;
    else if (c === '}') { depth--; if (depth === 0) return j + 1; }
    else if (c === '\'' || c === '"') { j = skipSimpleString(src, j, true); continue; }
    else if (c === '`') { j = lexJsTemplate(src, j).end; continue; }
    else if (c === '/' && src[j + 1] === '/') { while (j < src.length && !isNewline(src[j])) j++; continue; }
    else if (c === '/' && src[j + 1] === '*') { const e = src.indexOf('*/', j + 2); j = e < 0 ? src.length : e + 2; continue; }
    j++;
  }
  return j;
}

function lexJsTemplate(src: string, start: number): { end: number; info: StringInfo } {
  const b = new TextBuilder();
  let interpolated = false;
  let j = start + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '`') {
      return { end: j + 1, info: { contentStart: start + 1, contentEnd: j, text: b.finish(j), interpolated, bytes: false, docstring: false } };
    }
    if (c === '\\') { j = jsEscape(src, j, b); continue; }
    if (c === '$' && src[j + 1] === '{') {
      b.push(HOLE, j);
      interpolated = true;
      j = skipJsInterpolation(src, j + 1);
      continue;
    }
    b.push(c, j);
    j++;
  }
  return { end: j, info: { contentStart: start + 1, contentEnd: j, text: b.finish(j), interpolated, bytes: false, docstring: false } };
}

function lexQuoted(src: string, start: number, escape: (src: string, j: number, b: TextBuilder) => number): { end: number; info: StringInfo } {
  const q = src[start]!;
  const b = new TextBuilder();
  let j = start + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === q || isNewline(c)) {
      const end = c === q ? j + 1 : j;
      return { end, info: { contentStart: start + 1, contentEnd: j, text: b.finish(j), interpolated: false, bytes: false, docstring: false } };
    }
    if (c === '\\') { j = escape(src, j, b); continue; }
    b.push(c, j);
    j++;
  }
  return { end: j, info: { contentStart: start + 1, contentEnd: j, text: b.finish(j), interpolated: false, bytes: false, docstring: false } };
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'ident') return JS_KEYWORDS_BEFORE_EXPR.has(prev.text);
  if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.text);
  return false;
}

function skipRegex(src: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && !isNewline(src[j])) {
    const c = src[j]!;
    if (c === '\\') { j += 2; continue; }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) { j++; while (/[a-z]/i.test(src[j] ?? '')) j++; return j; }
    j++;
  }
  return j;
}

/** JavaScript, TypeScript, JSX and TSX. */
/** The index just past a `//` (up to the line end) or `/* … *\/` comment starting at `i`, or -1 when none starts there. */
function cCommentEnd(src: string, i: number): number {
  if (src[i] !== '/') return -1;
  if (src[i + 1] === '/') {
    let j = i;
    while (j < src.length && !isNewline(src[j])) j++;
    return j;
  }
  if (src[i + 1] === '*') {
    const e = src.indexOf('*/', i + 2);
    return e < 0 ? src.length : e + 2;
  }
  return -1;
}

export function lexJs(src: string): Token[] {
  const sink = new TokenSink('([', ')]');
  let i = 0;
  if (src.startsWith('#!')) while (i < src.length && !isNewline(src[i])) i++;
  while (i < src.length) {
    const c = src[i]!;
    if (isNewline(c) || c === '\u2028' || c === '\u2029') { sink.nl = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    const comment = cCommentEnd(src, i);
    if (comment >= 0) {
      if (/[\r\n]/.test(src.slice(i, comment))) sink.nl = true; // a block comment spanning lines ends a statement
      i = comment;
      continue;
    }
    if (c === '\'' || c === '"') {
      const { end, info } = lexQuoted(src, i, jsEscape);
      sink.emit('string', src, i, end, info);
      i = end;
      continue;
    }
    if (c === '`') {
      const { end, info } = lexJsTemplate(src, i);
      sink.emit('string', src, i, end, info);
      i = end;
      continue;
    }
    if (c === '/' && regexAllowed(sink.tokens[sink.tokens.length - 1])) {
      const end = skipRegex(src, i);
      sink.emit('other', src, i, end);
      i = end;
      continue;
    }
    const id = matchAt(IDENT, src, c === '#' ? i + 1 : i);
    if (id !== undefined) {
      const start = i;
      i += (c === '#' ? 1 : 0) + id.length;
      sink.emit('ident', src, start, i);
      continue;
    }
    const num = matchAt(NUMBER, src, i);
    if (num !== undefined) { sink.emit('number', src, i, i + num.length); i += num.length; continue; }
    const p = src.startsWith('?.', i) && !/[0-9]/.test(src[i + 2] ?? '') ? '?.' : longestPunct(src, i, JS_PUNCTS);
    sink.emit('punct', src, i, i + p.length);
    i += p.length;
  }
  return sink.tokens;
}

// ---------------------------------------------------------------- C#

const CS_PUNCTS = ['>>>=', '<<=', '>>=', '??=', '>>>', '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '::', '++', '--',
  '<<', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^='];
const CS_ESCAPES: Record<string, string> = {
  '\'': '\'', '"': '"', '\\': '\\', 0: '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

function csEscape(src: string, j: number, b: TextBuilder): number {
  const n = src[j + 1];
  if (n === undefined) { b.push('\\', j); return j + 1; }
  if (n in CS_ESCAPES) { b.push(CS_ESCAPES[n]!, j); return j + 2; }
  if (n === 'u' || n === 'U') {
    const len = n === 'u' ? 4 : 8;
    const h = hexAt(src, j + 2, len);
    if (h !== undefined && h <= 0x10ffff) { b.push(String.fromCodePoint(h), j); return j + 2 + len; }
  }
  if (n === 'x') {
    const m = /^[0-9a-fA-F]{1,4}/.exec(src.slice(j + 2, j + 6));
    if (m) { b.push(String.fromCharCode(parseInt(m[0], 16)), j); return j + 2 + m[0].length; }
  }
  b.push('\ufffd', j); // not a valid escape: the compiler rejects it
  return j + 2;
}

/** Offset after a C# interpolation hole whose first `{` is at i (`braces` = how many open it). */
function skipCsHole(src: string, i: number, braces: number): number {
  let depth = 0;
  let j = i + braces;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) {
        let k = j;
        while (k < j + braces && src[k] === '}') k++;
        return k;
      }
      depth--;
    } else if (c === '"') { j = lexCsString(src, j, '').end; continue; }
    else if (c === '\'') { j = skipSimpleString(src, j, true); continue; }
    j++;
  }
  return j;
}

function lexCsString(src: string, start: number, prefix: string): { end: number; info: StringInfo } {
  const dollars = (prefix.match(/\$/g) ?? []).length;
  const verbatim = prefix.includes('@');
  const q = start + prefix.length;
  let quotes = 0;
  while (src[q + quotes] === '"') quotes++;
  if (verbatim) quotes = 1; // @"""x" starts with an escaped quote
  const b = new TextBuilder();
  let interpolated = false;
  const done = (contentEnd: number, end: number) => {
    let e = end;
    if (src.startsWith('u8', e) || src.startsWith('U8', e)) e += 2;
    return { end: e, info: { contentStart: q + (quotes >= 3 ? quotes : 1), contentEnd, text: b.finish(contentEnd), interpolated, bytes: false, docstring: false } };
  };
  if (quotes >= 3) {
    // raw string literal: no escapes; interpolation needs `dollars` braces
    const close = '"'.repeat(quotes);
    let j = q + quotes;
    const multi = matchAt(/[ \t]*\r?\n/y, src, j);
    if (multi !== undefined) j += multi.length;
    while (j < src.length) {
      if (src.startsWith(close, j)) {
        // a multi-line raw string ends before its closing line's indentation and line break
        if (multi !== undefined) {
          const line = /\r?\n[ \t]*$/.exec(src.slice(q + quotes, j));
          const value = b.finish(j);
          const cut = line ? value.value.length - line[0].length : value.value.length;
          const text: MappedText = { value: value.value.slice(0, Math.max(0, cut)), pos: value.pos.slice(0, Math.max(0, cut) + 1) };
          return { end: j + quotes, info: { contentStart: q + quotes, contentEnd: j, text, interpolated, bytes: false, docstring: false } };
        }
        return done(j, j + quotes);
      }
      if (dollars > 0 && src.startsWith('{'.repeat(dollars), j) && src[j + dollars] !== '{') {
        b.push(HOLE, j);
        interpolated = true;
        j = skipCsHole(src, j, dollars);
        continue;
      }
      b.push(src[j]!, j);
      j++;
    }
    return done(src.length, src.length);
  }
  if (quotes === 2 && !verbatim) return done(q + 1, q + 2); // ""
  let j = q + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '"') {
      if (verbatim && src[j + 1] === '"') { b.push('"', j); j += 2; continue; }
      return done(j, j + 1);
    }
    if (!verbatim && isNewline(c)) return done(j, j);
    if (!verbatim && c === '\\') { j = csEscape(src, j, b); continue; }
    if (dollars > 0 && c === '{') {
      if (src[j + 1] === '{') { b.push('{', j); j += 2; continue; }
      b.push(HOLE, j);
      interpolated = true;
      j = skipCsHole(src, j, 1);
      continue;
    }
    if (dollars > 0 && c === '}' && src[j + 1] === '}') { b.push('}', j); j += 2; continue; }
    b.push(c, j);
    j++;
  }
  return done(src.length, src.length);
}

export function lexCSharp(src: string): Token[] {
  const sink = new TokenSink('([', ')]');
  let i = 0;
  let lineStart = true;
  while (i < src.length) {
    const c = src[i]!;
    if (isNewline(c)) { sink.nl = true; lineStart = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    if (c === '#' && lineStart) { while (i < src.length && !isNewline(src[i])) i++; continue; } // preprocessor line
    lineStart = false;
    const comment = cCommentEnd(src, i);
    if (comment >= 0) { i = comment; continue; }
    const prefix = /^(?:\$+@?|@\$*)?(?=")/.exec(src.slice(i, i + 12));
    if (prefix) {
      const { end, info } = lexCsString(src, i, prefix[0]);
      sink.emit('string', src, i, end, info);
      i = end;
      continue;
    }
    if (c === '\'') { const end = skipSimpleString(src, i, true); sink.emit('other', src, i, end); i = end; continue; }
    const id = matchAt(PY_IDENT, src, c === '@' ? i + 1 : i);
    if (id !== undefined) {
      const start = i;
      i += (c === '@' ? 1 : 0) + id.length;
      sink.emit('ident', src, start, i);
      continue;
    }
    const num = matchAt(NUMBER, src, i);
    if (num !== undefined) { sink.emit('number', src, i, i + num.length); i += num.length; continue; }
    const p = longestPunct(src, i, CS_PUNCTS);
    sink.emit('punct', src, i, i + p.length);
    i += p.length;
  }
  return sink.tokens;
}

// ---------------------------------------------------------------- Bicep

function bicepEscape(src: string, j: number, b: TextBuilder): number {
  const n = src[j + 1];
  const simple: Record<string, string> = { '\\': '\\', '\'': '\'', n: '\n', r: '\r', t: '\t', $: '$' };
  if (n !== undefined && n in simple) { b.push(simple[n]!, j); return j + 2; }
  if (n === 'u' && src[j + 2] === '{') {
    const close = src.indexOf('}', j + 3);
    const h = close > 0 && /^[0-9a-fA-F]{1,6}$/.test(src.slice(j + 3, close)) ? parseInt(src.slice(j + 3, close), 16) : undefined;
    if (h !== undefined && h <= 0x10ffff) { b.push(String.fromCodePoint(h), j); return close + 1; }
  }
  b.push('\ufffd', j);
  return j + 2;
}

export function lexBicep(src: string): Token[] {
  const sink = new TokenSink('([', ')]');
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (isNewline(c)) { sink.nl = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    const comment = cCommentEnd(src, i);
    if (comment >= 0) { i = comment; continue; }
    if (src.startsWith('\'\'\'', i)) {
      // multi-line string: no escapes, no interpolation
      const e = src.indexOf('\'\'\'', i + 3);
      const contentEnd = e < 0 ? src.length : e;
      const end = e < 0 ? src.length : e + 3;
      sink.emit('string', src, i, end, { contentStart: i + 3, contentEnd, text: sliceText(src, i + 3, contentEnd), interpolated: false, bytes: false, docstring: false });
      i = end;
      continue;
    }
    if (c === '\'') {
      const b = new TextBuilder();
      let interpolated = false;
      let j = i + 1;
      let end = src.length;
      let contentEnd = src.length;
      while (j < src.length) {
        const d = src[j]!;
        if (d === '\'' || isNewline(d)) { contentEnd = j; end = d === '\'' ? j + 1 : j; break; }
        if (d === '\\') { j = bicepEscape(src, j, b); continue; }
        if (d === '$' && src[j + 1] === '{') {
          b.push(HOLE, j);
          interpolated = true;
          j = skipBicepHole(src, j + 1);
          continue;
        }
        b.push(d, j);
        j++;
      }
      sink.emit('string', src, i, end, { contentStart: i + 1, contentEnd, text: b.finish(contentEnd), interpolated, bytes: false, docstring: false });
      i = end;
      continue;
    }
    const id = matchAt(IDENT, src, i);
    if (id !== undefined) { sink.emit('ident', src, i, i + id.length); i += id.length; continue; }
    const num = matchAt(NUMBER, src, i);
    if (num !== undefined) { sink.emit('number', src, i, i + num.length); i += num.length; continue; }
    const p = longestPunct(src, i, ['==', '!=', '<=', '>=', '&&', '||', '??', '?.', '=~', '!~', '::']);
    sink.emit('punct', src, i, i + p.length);
    i += p.length;
  }
  return sink.tokens;
}

function skipBicepHole(src: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '{') depth++;
    else if (c === '}') { depth--; if (depth === 0) return j + 1; }
    else if (c === '\'') {
      j++;
      while (j < src.length && src[j] !== '\'' && !isNewline(src[j])) j += src[j] === '\\' ? 2 : 1;
    }
    j++;
  }
  return j;
}

// ---------------------------------------------------------------- JSON (with comments)

function jsonEscape(src: string, j: number, b: TextBuilder): number {
  const n = src[j + 1];
  const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  if (n !== undefined && n in simple) { b.push(simple[n]!, j); return j + 2; }
  if (n === 'u') {
    const h = hexAt(src, j + 2, 4);
    if (h !== undefined) { b.push(String.fromCharCode(h), j); return j + 6; }
  }
  b.push('\ufffd', j);
  return j + 2;
}

/** JSON and JSON with comments (// and /* *\/ are comments: VS Code, .NET configuration and Functions accept them). */
export function lexJson(src: string): Token[] {
  const sink = new TokenSink('[', ']');
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (isNewline(c)) { sink.nl = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    const comment = cCommentEnd(src, i);
    if (comment >= 0) { i = comment; continue; }
    if (c === '"') {
      const { end, info } = lexQuoted(src, i, jsonEscape);
      sink.emit('string', src, i, end, info);
      i = end;
      continue;
    }
    const word = /[A-Za-z0-9_.+-]+/y;
    const w = matchAt(word, src, i);
    if (w !== undefined) { sink.emit('other', src, i, i + w.length); i += w.length; continue; }
    sink.emit('punct', src, i, i + 1);
    i++;
  }
  return sink.tokens;
}
