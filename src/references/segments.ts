// The parts of configuration files that are values, not comments: YAML, .env, Java-style properties, INI/TOML/shell
// (# comments), XML/HTML/Markdown (<!-- --> comments) and plain text. Each segment is a decoded text mapped back to
// source offsets, so a recogniser can look for a reference inside it. Pure (no vscode).
import { sliceText, TextBuilder, type MappedText } from './lexer';

interface Line { start: number; end: number }

function lines(src: string): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    out.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  out.push({ start, end: src.length });
  return out;
}

const YAML_DQ_ESCAPES: Record<string, string> = {
  0: '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"',
  '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/**
 * YAML: `#` starts a comment at the start of a line or after whitespace, outside quoted scalars and block scalars
 * (`|`, `>`), whose lines are all content. Quoted scalars are decoded ('' in single quotes; escapes in double quotes).
 */
export function yamlSegments(src: string): MappedText[] {
  const out: MappedText[] = [];
  let block: number | undefined; // indentation of the line that opened a block scalar
  let quoted: { q: string; b: TextBuilder } | undefined;
  for (const line of lines(src)) {
    const indent = /^[ ]*/.exec(src.slice(line.start, line.end))![0].length;
    if (block !== undefined) {
      if (src.slice(line.start, line.end).trim() === '' || indent > block) {
        out.push(sliceText(src, line.start, line.end));
        continue;
      }
      block = undefined;
    }
    let k = line.start;
    let plainStart = -1;
    let plain = '';
    const flush = (end: number) => {
      if (plainStart >= 0) out.push(sliceText(src, plainStart, end));
      plainStart = -1;
    };
    if (quoted) quoted.b.push(' ', line.start - 1); // a line break inside a quoted scalar folds to a space
    while (k < line.end) {
      const c = src[k]!;
      if (quoted) {
        const { q, b } = quoted;
        if (q === '\'' && c === '\'' && src[k + 1] === '\'') { b.push('\'', k); k += 2; continue; }
        if (c === q) { out.push(b.finish(k)); quoted = undefined; k++; continue; }
        if (q === '"' && c === '\\') {
          const n = src[k + 1];
          if (n !== undefined && n in YAML_DQ_ESCAPES) { b.push(YAML_DQ_ESCAPES[n]!, k); k += 2; continue; }
          const len = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
          const hex = src.slice(k + 2, k + 2 + len);
          if (len && /^[0-9a-fA-F]+$/.test(hex) && hex.length === len && parseInt(hex, 16) <= 0x10ffff) {
            b.push(String.fromCodePoint(parseInt(hex, 16)), k);
            k += 2 + len;
            continue;
          }
          b.push('\ufffd', k);
          k += 2;
          continue;
        }
        b.push(c, k);
        k++;
        continue;
      }
      const prev = k === line.start ? ' ' : src[k - 1]!;
      const atToken = /[\s[{,]/.test(prev);
      if (c === '#' && /\s/.test(prev)) break;
      if ((c === '"' || c === '\'') && atToken) {
        flush(k);
        quoted = { q: c, b: new TextBuilder() };
        k++;
        continue;
      }
      if (plainStart < 0) plainStart = k;
      plain += c;
      k++;
    }
    flush(k);
    if (!quoted && /(?:^|[:-])\s*[|>][1-9+-]{0,2}\s*$/.test(plain)) block = indent;
  }
  if (quoted) out.push(quoted.b.finish(src.length));
  return out;
}

/**
 * .env files the way python-dotenv and docker compose read them: `#` comment lines, `export `, KEY=VALUE; '…' literal,
 * "…" with escapes (both may span lines), unquoted values end at ` #`. Only the values are segments.
 */
export function dotenvSegments(src: string): MappedText[] {
  const out: MappedText[] = [];
  const all = lines(src);
  for (let li = 0; li < all.length; li++) {
    const line = all[li]!;
    const text = src.slice(line.start, line.end);
    const m = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*/.exec(text);
    if (!m) continue;
    const vs = line.start + m[0].length;
    const q = src[vs];
    if (q === '\'' || q === '"') {
      const b = new TextBuilder();
      let k = vs + 1;
      while (k < src.length && src[k] !== q) {
        if (q === '"' && src[k] === '\\') {
          const n = src[k + 1];
          const esc: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '\'': '\'' };
          if (n !== undefined && n in esc) { b.push(esc[n]!, k); k += 2; continue; }
        }
        b.push(src[k]!, k);
        k++;
      }
      out.push(b.finish(k));
      while (li + 1 < all.length && all[li + 1]!.start <= k) li++; // the value spanned lines
      continue;
    }
    let end = line.end;
    const comment = /\s#/.exec(src.slice(vs, line.end));
    if (comment) end = vs + comment.index;
    while (end > vs && /\s/.test(src[end - 1]!)) end--;
    out.push(sliceText(src, vs, end));
  }
  return out;
}

/** Java-style .properties: lines whose first non-blank character is # or ! are comments. */
export function propertiesSegments(src: string): MappedText[] {
  return lines(src).filter((l) => !/^\s*[#!]/.test(src.slice(l.start, l.end))).map((l) => sliceText(src, l.start, l.end));
}

/**
 * INI, TOML, shell scripts, Dockerfiles: `#` outside quotes at the start of a line or after whitespace starts a
 * comment (and `;` at the start of a line when `semicolon`).
 */
export function hashSegments(src: string, semicolon = false): MappedText[] {
  const out: MappedText[] = [];
  for (const l of lines(src)) {
    const text = src.slice(l.start, l.end);
    if (semicolon && /^\s*;/.test(text)) continue;
    let q: string | undefined;
    let end = l.end;
    for (let k = 0; k < text.length; k++) {
      const c = text[k]!;
      if (q) { if (c === q) q = undefined; else if (c === '\\' && q === '"') k++; continue; }
      if (c === '"' || c === '\'') { q = c; continue; }
      if (c === '#' && (k === 0 || /\s/.test(text[k - 1]!))) { end = l.start + k; break; }
    }
    out.push(sliceText(src, l.start, end));
  }
  return out;
}

/** XML, HTML, Markdown: everything outside <!-- … -->. */
export function markupSegments(src: string): MappedText[] {
  const out: MappedText[] = [];
  let i = 0;
  while (i <= src.length) {
    const open = src.indexOf('<!--', i);
    const stop = open < 0 ? src.length : open;
    if (stop > i) out.push(sliceText(src, i, stop));
    if (open < 0) break;
    const close = src.indexOf('-->', open + 4);
    if (close < 0) break;
    i = close + 3;
  }
  return out;
}

export function plainSegments(src: string): MappedText[] {
  return [sliceText(src, 0, src.length)];
}
