// Azure SDK reads of a secret: get_secret("…") (Python), getSecret("…") (JavaScript/TypeScript),
// GetSecret("…") / GetSecretAsync("…") (C#) — only on a SecretClient built in the same file with a vault URL the file
// spells out, and only when the receiver is that client:
//   client = SecretClient(vault_url="https://…", credential=…)      (or vault_url=KV_URI with KV_URI = "https://…")
//   with SecretClient(…) as client:                                    (Python)
//   const client = new SecretClient("https://…", credential)          (JavaScript/TypeScript; also this.client = …)
//   var client = new SecretClient(new Uri("https://…"), credential)    (C#; also SecretClient client = new(…))
//   SecretClient(…).get_secret("…") / new SecretClient(…).getSecret("…")
// A receiver assigned several times sees the last assignment before the call (else the first after it). Pure (no vscode).
import { validateSecretName } from '../azure/names';
import {
  assignments, byKey, callArgs, chainKey, chainStart, endsAfter, findArg, matchOpen, stringArg, stringConstants, visibleAssignment,
  type Arg, type Assignment, type CallStyle,
} from './calls';
import { literal, type Token } from './lexer';
import type { SecretReference } from './model';

const CLIENT = 'SecretClient';
const METHODS: Record<CallStyle, readonly string[]> = {
  python: ['get_secret'],
  js: ['getSecret'],
  csharp: ['GetSecret', 'GetSecretAsync'],
};
/** The constructor's vault URL parameter: position 0, or this keyword (Python vault_url=, C# vaultUri:). */
const URL_KEYWORD: Record<CallStyle, string> = { python: 'vault_url', js: '', csharp: 'vaultUri' };

/** https://host[:port]/ in lower case, or undefined when the text is not an https URL without credentials. */
function vaultUrlOf(text: string): string | undefined {
  let u: URL;
  try { u = new URL(text.trim()); } catch { return undefined; }
  if (u.protocol !== 'https:' || u.username || u.password || u.search || u.hash) return undefined;
  return `https://${u.host.toLowerCase()}/`;
}

interface Context {
  toks: readonly Token[];
  style: CallStyle;
  constants: Map<string, string>;
}

/** The vault URL an argument spells out: a string, a string constant of the file, or (C#) new Uri(one of those). */
function urlOfArg(cx: Context, from: number, to: number): string | undefined {
  const { toks } = cx;
  if (to - from === 1) {
    const t = toks[from]!;
    const lit = literal(t);
    if (lit !== undefined) return vaultUrlOf(lit);
    if (t.type === 'ident') {
      const c = cx.constants.get(chainKey(toks, from, from));
      return c === undefined ? undefined : vaultUrlOf(c);
    }
    return undefined;
  }
  // a dotted constant (self.KV_URI, Settings.VaultUrl)
  if ((to - from) % 2 === 1 && toks[to - 1]!.type === 'ident' && chainStart(toks, to - 1) === from) {
    const c = cx.constants.get(chainKey(toks, from, to - 1));
    return c === undefined ? undefined : vaultUrlOf(c);
  }
  if (cx.style === 'csharp' && toks[from]!.text === 'new' && toks[to - 1]!.text === ')') {
    // new Uri(…) / new System.Uri(…)
    let k = from + 1;
    while (k + 1 < to && toks[k]!.type === 'ident' && toks[k + 1]!.text === '.') k += 2;
    if (toks[k]?.text !== 'Uri' || toks[k + 1]?.text !== '(') return undefined;
    const { args, close } = callArgs(toks, k + 1, 'csharp');
    if (close !== to - 1) return undefined;
    const a = findArg(args, 0, 'uriString');
    return a ? urlOfArg(cx, a.from, a.to) : undefined;
  }
  return undefined;
}

/** C#: `static readonly Uri VaultUri = new Uri("https://…");` counts as a constant holding that URL. */
function addUriConstants(cx: Context): void {
  const { toks } = cx;
  const found = new Map<string, string | null>();
  for (const a of assignments(toks, (rhs) => {
    if (toks[rhs]?.text !== 'new') return undefined;
    let k = rhs + 1;
    while (toks[k]?.type === 'ident' && toks[k + 1]?.text === '.') k += 2;
    if (toks[k]?.text !== 'Uri' || toks[k + 1]?.text !== '(') return undefined;
    const { close } = callArgs(toks, k + 1, 'csharp');
    return endsAfter(toks, close, 'csharp') ? urlOfArg(cx, rhs, close + 1) ?? null : undefined;
  })) {
    const prev = found.get(a.key);
    found.set(a.key, a.value && (prev === undefined || prev === a.value) ? a.value : null);
  }
  for (const [key, url] of found) if (url !== null && !cx.constants.has(key)) cx.constants.set(key, url);
}

/** The vault URL of a SecretClient construction whose argument list opens at `open`. */
function clientUrl(cx: Context, open: number): { url?: string; close: number } {
  const { args, close } = callArgs(cx.toks, open, cx.style);
  const a: Arg | undefined = findArg(args, 0, URL_KEYWORD[cx.style]);
  return { url: a ? urlOfArg(cx, a.from, a.to) : undefined, close };
}

/** Index of the `(` of a SecretClient construction starting at token i (`SecretClient(`, `new [ns.]SecretClient(`). */
function constructionAt(cx: Context, i: number, declaredType?: Token): number | undefined {
  const { toks } = cx;
  let k = i;
  if (cx.style !== 'python') {
    if (toks[k]?.text !== 'new') return undefined;
    k++;
    // C# target-typed new(…) on a variable declared as SecretClient
    if (cx.style === 'csharp' && toks[k]?.text === '(') return declaredType?.text === CLIENT ? k : undefined;
  }
  while (toks[k]?.type === 'ident' && toks[k + 1]?.text === '.') k += 2;
  return toks[k]?.text === CLIENT && toks[k + 1]?.text === '(' ? k + 1 : undefined;
}

/** Every assignment in the file; the value is the vault URL when the right side is a SecretClient with a known URL. */
function clientAssignments(cx: Context): Assignment<string>[] {
  const { toks } = cx;
  const all = assignments(toks, (rhs) => {
    const open = constructionAt(cx, rhs, toks[rhs - 3]);
    if (open === undefined) return undefined;
    const { url, close } = clientUrl(cx, open);
    return endsAfter(toks, close, cx.style) ? url : undefined;
  });
  if (cx.style === 'python') {
    // with SecretClient(…) as client:
    for (let k = 0; k < toks.length; k++) {
      if (toks[k]!.text !== CLIENT || toks[k + 1]?.text !== '(') continue;
      const { url, close } = clientUrl(cx, k + 1);
      const as = toks[close + 1];
      const name = toks[close + 2];
      if (as?.text === 'as' && name?.type === 'ident' && [':', ','].includes(toks[close + 3]?.text ?? '')) {
        all.push({ key: name.text, at: name.start, value: url });
      }
    }
  }
  return all;
}

/** The `version` of a JavaScript options object literal `{ version: "…" }`. */
function jsOptionsVersion(toks: readonly Token[], arg: Arg | undefined): Token | undefined {
  if (!arg || toks[arg.from]?.text !== '{' || toks[arg.to - 1]?.text !== '}') return undefined;
  for (let k = arg.from + 1; k < arg.to - 3; k++) {
    const t = toks[k]!;
    if (t.type === 'ident' && t.text === 'version' && toks[k + 1]!.text === ':' && literal(toks[k + 2]) !== undefined &&
      [',', '}'].includes(toks[k + 3]!.text) && [',', '{'].includes(toks[k - 1]!.text)) return toks[k + 2];
  }
  return undefined;
}

export function sdkReferences(toks: readonly Token[], style: CallStyle): SecretReference[] {
  const cx: Context = { toks, style, constants: stringConstants(toks, style) };
  if (style === 'csharp') addUriConstants(cx);
  let clients: Map<string, Assignment<string>[]> | undefined;
  const out: SecretReference[] = [];
  for (let k = 2; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'ident' || !METHODS[style].includes(t.text) || toks[k + 1]!.text !== '(') continue;
    if (toks[k - 1]!.text !== '.' && toks[k - 1]!.text !== '?.') continue;
    const recv = toks[k - 2]!;
    let vaultUrl: string | undefined;
    if (recv.type === 'ident') {
      clients ??= byKey(clientAssignments(cx));
      const key = chainKey(toks, chainStart(toks, k - 2), k - 2);
      vaultUrl = visibleAssignment(clients, key, t.start)?.value;
    } else if (recv.text === ')') {
      // SecretClient(…).get_secret(…) / new SecretClient(…).getSecret(…)
      const open = matchOpen(toks, k - 2);
      let s = open - 1;
      if (toks[s]?.text !== CLIENT) continue;
      s = chainStart(toks, s);
      if (style !== 'python') s--;
      if (constructionAt(cx, s) !== open) continue;
      vaultUrl = clientUrl(cx, open).url;
    }
    if (!vaultUrl) continue;
    const { args } = callArgs(toks, k + 1, style);
    const nameTok = stringArg(toks, findArg(args, 0, style === 'js' ? '' : 'name'));
    if (!nameTok) continue;
    const name = nameTok.str!.text.value;
    if (validateSecretName(name)) continue;
    const versionTok = style === 'js' ? jsOptionsVersion(toks, findArg(args, 1, ''))
      : stringArg(toks, findArg(args, 1, 'version'));
    const version = literal(versionTok)?.trim();
    out.push({
      kind: 'sdk', start: nameTok.str!.contentStart, end: nameTok.str!.contentEnd, secretName: name, vaultUrl,
      ...(version && /^[0-9A-Za-z-]+$/.test(version) ? { version } : {}),
    });
  }
  return out;
}
