// Token-level helpers shared by the recognisers: matching brackets, splitting call arguments, dotted receivers, and
// string constants assigned in the file. Pure (no vscode).
import { literal, type Token } from './lexer';

export type CallStyle = 'python' | 'js' | 'csharp';

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Index of the bracket closing the one at `open` (all three kinds nest), or toks.length when unclosed. */
export function matchClose(toks: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.type !== 'punct') continue;
    if (OPEN.has(t.text)) depth++;
    else if (CLOSE.has(t.text)) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return toks.length;
}

/** Index of the bracket opening the one closing at `close`, or -1. */
export function matchOpen(toks: readonly Token[], close: number): number {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    const t = toks[k]!;
    if (t.type !== 'punct') continue;
    if (CLOSE.has(t.text)) depth++;
    else if (OPEN.has(t.text)) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

export interface Arg {
  /** Keyword (Python name=, C# name:); '*' for Python *args / **kwargs. */
  name?: string;
  /** Value tokens [from, to). */
  from: number;
  to: number;
}

/** The arguments of the call whose `(` is at `open`. */
export function callArgs(toks: readonly Token[], open: number, style: CallStyle): { args: Arg[]; close: number } {
  const close = matchClose(toks, open);
  const args: Arg[] = [];
  let from = open + 1;
  let depth = 0;
  const push = (to: number) => {
    if (to <= from) return;
    const first = toks[from]!;
    const second = toks[from + 1];
    if (style === 'python' && first.type === 'ident' && second?.text === '=') args.push({ name: first.text, from: from + 2, to });
    else if (style === 'csharp' && first.type === 'ident' && second?.text === ':') args.push({ name: first.text, from: from + 2, to });
    else if (style === 'python' && (first.text === '*' || first.text === '**')) args.push({ name: '*', from: from + 1, to });
    else args.push({ from, to });
  };
  for (let k = open + 1; k < close; k++) {
    const t = toks[k]!;
    if (t.type !== 'punct') continue;
    if (OPEN.has(t.text)) depth++;
    else if (CLOSE.has(t.text)) depth--;
    else if (t.text === ',' && depth === 0) {
      push(k);
      from = k + 1;
    }
  }
  push(close);
  return { args, close };
}

/** The argument at `position` among the positional ones (none after a Python *args), or the keyword one. */
export function findArg(args: readonly Arg[], position: number, keyword: string): Arg | undefined {
  const named = args.find((a) => a.name === keyword);
  if (named) return named;
  let p = 0;
  for (const a of args) {
    if (a.name === '*') return undefined;
    if (a.name !== undefined) continue;
    if (p === position) return a;
    p++;
  }
  return undefined;
}

/** The argument's token when it is exactly one token. */
export function loneToken(toks: readonly Token[], arg: Arg | undefined): Token | undefined {
  return arg && arg.to - arg.from === 1 ? toks[arg.from] : undefined;
}

/** The argument's string literal when it is exactly one plain (not interpolated, not bytes) string. */
export function stringArg(toks: readonly Token[], arg: Arg | undefined): Token | undefined {
  const t = loneToken(toks, arg);
  return literal(t) !== undefined ? t : undefined;
}

/** A Python `None` / JS `undefined`/`null` / C# `null` argument, or an absent one. */
export function isNothing(toks: readonly Token[], arg: Arg | undefined): boolean {
  if (!arg) return true;
  const t = loneToken(toks, arg);
  return !!t && t.type === 'ident' && ['None', 'null', 'undefined'].includes(t.text);
}

const DOT = new Set(['.', '?.']);

/** Start index of the dotted name (a.b.c) that ends with the identifier at `end`. */
export function chainStart(toks: readonly Token[], end: number): number {
  let s = end;
  while (s >= 2 && DOT.has(toks[s - 1]!.text) && toks[s - 2]!.type === 'ident') s -= 2;
  return s;
}

/** a.b.c for the chain [start, end], without a leading self./this. (fields and locals are one name space here). */
export function chainKey(toks: readonly Token[], start: number, end: number): string {
  const parts: string[] = [];
  for (let k = start; k <= end; k += 2) parts.push(toks[k]!.text);
  if (parts.length > 1 && (parts[0] === 'self' || parts[0] === 'this')) parts.shift();
  return parts.join('.');
}

/** Operators that continue an expression on the next line (JavaScript has no statement end at a line break there). */
const CONTINUES = new Set(['.', '?.', '(', '[', '+', '-', '*', '/', '%', '**', '//', '@', '&', '|', '^', '<<', '>>', '&&', '||',
  '??', '?', '==', '!=', '<', '>', '<=', '>=']);

/**
 * The expression ends after the token at idx (end of file, a separator, or a new statement). Python's lexer marks only
 * logical line ends, so there a line break always ends the statement.
 */
export function endsAfter(toks: readonly Token[], idx: number, style: CallStyle): boolean {
  const next = toks[idx + 1];
  if (!next) return true;
  if ([';', ',', ')', ']', '}'].includes(next.text)) return true;
  if (next.type === 'string') return false; // implicit concatenation ("a" "b")
  return next.nl && (style === 'python' || !(next.type === 'punct' && CONTINUES.has(next.text)));
}

export interface Assignment<T> {
  key: string;
  /** Offset of the assigned expression (later assignments win for later uses). */
  at: number;
  value: T | undefined;
}

/**
 * Every statement-level assignment `target = …` (also `target: Type = …`, `Type target = …`, `const target = …`),
 * the `=` at bracket depth 0. `classify` gets the index of the first token after `=` and returns what the right side
 * is (undefined: something else).
 */
export function assignments<T>(toks: readonly Token[], classify: (rhs: number) => T | undefined): Assignment<T>[] {
  const out: Assignment<T>[] = [];
  for (let k = 1; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'punct' || (t.text !== '=' && t.text !== ':=') || t.depth !== 0) continue;
    let end = k - 1;
    if (toks[end]!.type !== 'ident') continue;
    let start = chainStart(toks, end);
    if (toks[start - 1]?.text === ':' && toks[start - 2]?.type === 'ident') {
      // `name: Type = …` (Python, TypeScript): the target is before the annotation
      end = start - 2;
      start = chainStart(toks, end);
    }
    out.push({ key: chainKey(toks, start, end), at: toks[k + 1]!.start, value: classify(k + 1) });
  }
  return out;
}

/** Assignments grouped by target, each group in source order. */
export function byKey<T>(all: readonly Assignment<T>[]): Map<string, Assignment<T>[]> {
  const out = new Map<string, Assignment<T>[]>();
  for (const a of [...all].sort((x, y) => x.at - y.at)) {
    const list = out.get(a.key);
    if (list) list.push(a);
    else out.set(a.key, [a]);
  }
  return out;
}

/** The assignment of `key` that a use at `at` sees: the last one before it, else the first one after it. */
export function visibleAssignment<T>(index: ReadonlyMap<string, readonly Assignment<T>[]>, key: string, at: number): Assignment<T> | undefined {
  const mine = index.get(key);
  if (!mine) return undefined;
  let lo = 0;
  let hi = mine.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (mine[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? mine[lo - 1] : mine[0];
}

/** Names assigned a plain string literal in the file, only when every assignment of the name is that same string. */
export function stringConstants(toks: readonly Token[], style: CallStyle): Map<string, string> {
  const all = assignments(toks, (rhs) => (endsAfter(toks, rhs, style) ? literal(toks[rhs]) : undefined));
  const out = new Map<string, string | null>();
  for (const a of all) {
    const prev = out.get(a.key);
    if (a.value === undefined || (prev !== undefined && prev !== a.value)) out.set(a.key, null);
    else if (prev === undefined) out.set(a.key, a.value);
  }
  return new Map([...out].filter((e): e is [string, string] => e[1] !== null));
}
