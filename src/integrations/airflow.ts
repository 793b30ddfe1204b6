// Apache Airflow's AzureKeyVaultBackend, as the provider apache-airflow-providers-microsoft-azure builds secret
// names, and Airflow's Connection model, as it writes (get_uri, as_json) and reads (from_uri, from_json) the
// connection value. Pure: no vscode. Sources read for every rule: /tmp/notes-airflow.md (kept in the PR notes).
//
// Secret values are sacred: no message, error or warning made here contains any part of a value (no host, no
// login, no password, no extra); only positions, key names Airflow knows, and the configuration's own prefixes.
import * as l10n from '@vscode/l10n';
import { validateSecretName } from '../azure/names';

// ---------------------------------------------------------------------------------------------------------
// Backend configuration
// ---------------------------------------------------------------------------------------------------------

export interface AirflowBackendConfig {
  /** null = that lookup is off; '' = no prefix. */
  connectionsPrefix: string | null;
  variablesPrefix: string | null;
  configPrefix: string | null;
  /** Default '-'. */
  sep: string;
  /** From backend_kwargs.vault_url when present. */
  vaultUrl?: string;
}

export const AIRFLOW_DEFAULTS: AirflowBackendConfig = Object.freeze({
  connectionsPrefix: 'airflow-connections',
  variablesPrefix: 'airflow-variables',
  configPrefix: 'airflow-config',
  sep: '-',
}) as AirflowBackendConfig;

export type AirflowKind = 'connection' | 'variable' | 'config';

export const AIRFLOW_BACKEND_CLASS = 'airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend';

const KIND_ORDER: readonly AirflowKind[] = ['connection', 'variable', 'config'];
const PREFIX_KEY: Record<AirflowKind, 'connections_prefix' | 'variables_prefix' | 'config_prefix'> = {
  connection: 'connections_prefix', variable: 'variables_prefix', config: 'config_prefix',
};

function jsonTypeName(v: PyJson): string {
  switch (v.t) {
    case 'object': return l10n.t('an object');
    case 'array': return l10n.t('an array');
    case 'string': return l10n.t('a string');
    case 'int': case 'float': return l10n.t('a number');
    case 'bool': return l10n.t('a boolean');
    case 'null': return 'null';
  }
}

/**
 * Parses the backend_kwargs JSON. Missing keys get the defaults, JSON null keeps null (lookup off). An empty text or
 * `null` means no kwargs at all (Airflow's conf.getjson returns None → {}), so the defaults. Throws an Error with a
 * clear message on bad JSON or wrong types; the message never contains a value of the kwargs (only key names,
 * types and positions). Credential keys are ignored and never returned. Other keys Airflow passes on to
 * SecretClient(**kwargs) and are ignored here.
 */
export function parseBackendKwargs(json: string): AirflowBackendConfig {
  const text = pyStrip(json);
  const config: AirflowBackendConfig = { ...AIRFLOW_DEFAULTS };
  if (text === '') return config;
  let parsed: PyJson;
  try {
    parsed = pyJsonLoads(text);
  } catch (e) {
    throw new Error(e instanceof JsonSyntaxError
      ? l10n.t('backend_kwargs is not valid JSON: {0}. Airflow would log "Failed to parse [secrets] backend_kwargs as JSON" and start the backend with no kwargs (default prefixes and no vault_url).', e.message)
      : l10n.t('backend_kwargs is not valid JSON. Airflow would log "Failed to parse [secrets] backend_kwargs as JSON" and start the backend with no kwargs (default prefixes and no vault_url).'));
  }
  if (parsed.t === 'null') return config;
  if (parsed.t !== 'object') {
    throw new Error(l10n.t('backend_kwargs must be a JSON object ({"connections_prefix": …}), not {0}. Airflow would ignore it and start the backend with no kwargs.', jsonTypeName(parsed)));
  }
  const values = new Map(parsed.entries);
  const prefixOf = (key: string, fallback: string | null): string | null => {
    const v = values.get(key);
    if (v === undefined) return fallback;
    if (v.t === 'null') return null;
    if (v.t !== 'string') throw new Error(l10n.t('backend_kwargs.{0} must be a string or null, not {1}.', key, jsonTypeName(v)));
    return v.v;
  };
  const sep = values.get('sep');
  if (sep !== undefined) {
    if (sep.t !== 'string') throw new Error(l10n.t('backend_kwargs.sep must be a string, not {0}.', jsonTypeName(sep)));
    config.sep = sep.v;
  }
  config.connectionsPrefix = prefixOf('connections_prefix', AIRFLOW_DEFAULTS.connectionsPrefix);
  config.variablesPrefix = prefixOf('variables_prefix', AIRFLOW_DEFAULTS.variablesPrefix);
  config.configPrefix = prefixOf('config_prefix', AIRFLOW_DEFAULTS.configPrefix);
  const url = values.get('vault_url');
  if (url !== undefined && url.t !== 'null') {
    if (url.t !== 'string') throw new Error(l10n.t('backend_kwargs.vault_url must be a string, not {0}.', jsonTypeName(url)));
    if (url.v.trim() !== '') config.vaultUrl = url.v.trim();
  }
  // Credential keys (tenant_id, client_id, client_secret, managed_identity_client_id, workload_identity_tenant_id)
  // are deliberately not read, not even type-checked, so no message can ever quote them.
  return config;
}

/** The kinds' configured prefix (null = off). */
export function kindPrefix(kind: AirflowKind, config: AirflowBackendConfig): string | null {
  return kind === 'connection' ? config.connectionsPrefix : kind === 'variable' ? config.variablesPrefix : config.configPrefix;
}

/** Python's str.rstrip(chars): strips any trailing character that occurs in chars (not the string as a suffix). */
function rstripChars(s: string, chars: string): string {
  if (chars === '') return s;
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/**
 * The prefix as the backend keeps it: a non-empty prefix has every trailing character of sep stripped
 * (`prefix.rstrip(sep)`, so "airflow-connections--" → "airflow-connections"); '' stays ''; null stays null.
 */
export function effectivePrefix(prefix: string | null, sep: string): string | null {
  if (prefix === null || prefix === '') return prefix;
  return rstripChars(prefix, sep);
}

/** The literal start of every secret name of this kind ('' for an empty prefix; undefined when off). */
export function airflowNamePrefix(kind: AirflowKind, config: AirflowBackendConfig): string | undefined {
  const p = effectivePrefix(kindPrefix(kind, config), config.sep);
  if (p === null) return undefined;
  return p === '' ? '' : `${p}${config.sep}`.replaceAll('_', config.sep);
}

/**
 * The Key Vault secret name Airflow reads for this id, exactly as build_path builds it: prefix + sep + id (just
 * the id when the prefix is empty, with no leading sep), then every "_" of the whole name becomes sep.
 * undefined when that kind's prefix is null.
 */
export function airflowSecretName(kind: AirflowKind, id: string, config: AirflowBackendConfig): string | undefined {
  const p = effectivePrefix(kindPrefix(kind, config), config.sep);
  if (p === null) return undefined;
  const path = p === '' ? id : `${p}${config.sep}${id}`;
  return path.replaceAll('_', config.sep);
}

function tailToId(tail: string, sep: string): string {
  return sep === '' ? tail : tail.split(sep).join('_');
}

/**
 * Which Airflow lookup a secret name answers under this config. The prefix is matched case-insensitively (Key
 * Vault names are case-insensitive) and must be followed by at least one character. `id` is the idiomatic id
 * (every sep written back as "_", e.g. "smtp_default"); `tail` is the part after the prefix as stored.
 *
 * Rules when several lookups could read the same name:
 * - among non-empty prefixes the longest matching one wins (ties: connections, variables, config);
 * - an empty prefix ('') claims only the names that no non-empty prefix claims; when several kinds have '',
 *   connections come first, then variables, then config;
 * - a null prefix claims nothing.
 */
export function parseAirflowSecretName(name: string, config: AirflowBackendConfig): { kind: AirflowKind; id: string; tail: string } | undefined {
  const lower = name.toLowerCase();
  let best: { kind: AirflowKind; len: number } | undefined;
  let emptyKind: AirflowKind | undefined;
  for (const kind of KIND_ORDER) {
    const np = airflowNamePrefix(kind, config);
    if (np === undefined) continue;
    if (np === '') {
      emptyKind ??= kind;
      continue;
    }
    if (name.length > np.length && lower.startsWith(np.toLowerCase()) && (!best || np.length > best.len)) {
      best = { kind, len: np.length };
    }
  }
  if (best) {
    const tail = name.slice(best.len);
    return { kind: best.kind, id: tailToId(tail, config.sep), tail };
  }
  if (emptyKind && name.length > 0) return { kind: emptyKind, id: tailToId(name, config.sep), tail: name };
  return undefined;
}

/** One whole sentence per kind (the noun differs: conn id, variable key, config key), picked when needed. */
function byKind(kind: AirflowKind, messages: Record<AirflowKind, () => string>): string {
  return messages[kind]();
}

function describeChar(ch: string): string {
  if (ch === ' ') return l10n.t('a space');
  if (/\s/.test(ch)) return l10n.t('a whitespace character');
  const cp = ch.codePointAt(0)!;
  return cp < 0x20 || cp === 0x7f ? l10n.t('the control character {0}', `U+${cp.toString(16).padStart(4, '0').toUpperCase()}`) : `"${ch}"`;
}

/**
 * Error message when a conn id / variable key / config key cannot become a valid Key Vault secret name under this
 * config, else undefined. Key Vault names allow letters, digits and "-" only (1–127 characters); Airflow turns
 * only "_" into sep, so ". : / # ! ( ) \\", spaces etc. (all valid in an Airflow conn id) cannot be stored.
 * The message names the offending character and its 1-based position in the id.
 */
export function validateAirflowId(kind: AirflowKind, id: string, config: AirflowBackendConfig): string | undefined {
  if (id.length === 0) {
    return byKind(kind, {
      connection: () => l10n.t('Enter a conn id.'),
      variable: () => l10n.t('Enter a variable key.'),
      config: () => l10n.t('Enter a config key.'),
    });
  }
  const prefix = kindPrefix(kind, config);
  if (prefix === null) {
    return byKind(kind, {
      connection: () => l10n.t('Airflow does not look up connections in Key Vault with this backend configuration (connections_prefix is null).'),
      variable: () => l10n.t('Airflow does not look up variables in Key Vault with this backend configuration (variables_prefix is null).'),
      config: () => l10n.t('Airflow does not look up config options in Key Vault with this backend configuration (config_prefix is null).'),
    });
  }
  const chars = [...id];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '_' || /^[0-9a-zA-Z-]$/.test(ch)) continue;
    const c = describeChar(ch);
    return byKind(kind, {
      connection: () => l10n.t('A conn id stored in Key Vault cannot contain {0} (position {1}): secret names allow only letters, digits and "-", and Airflow turns only "_" into "{2}".', c, i + 1, config.sep),
      variable: () => l10n.t('A variable key stored in Key Vault cannot contain {0} (position {1}): secret names allow only letters, digits and "-", and Airflow turns only "_" into "{2}".', c, i + 1, config.sep),
      config: () => l10n.t('A config key stored in Key Vault cannot contain {0} (position {1}): secret names allow only letters, digits and "-", and Airflow turns only "_" into "{2}".', c, i + 1, config.sep),
    });
  }
  const underscore = chars.indexOf('_');
  if (underscore >= 0) {
    const badSep = [...config.sep].find((c) => !/^[0-9a-zA-Z-]$/.test(c));
    if (badSep !== undefined) {
      return l10n.t('The "_" at position {0} becomes the separator "{1}", and {2} is not allowed in a Key Vault secret name.', underscore + 1, config.sep, describeChar(badSep));
    }
  }
  const name = airflowSecretName(kind, id, config)!;
  const np = airflowNamePrefix(kind, config)!;
  const badPrefix = [...np].find((c) => !/^[0-9a-zA-Z-]$/.test(c));
  if (badPrefix !== undefined) {
    return l10n.t('The {0} "{1}" (with separator "{2}") contains {3}, which Key Vault secret names do not allow.', PREFIX_KEY[kind], prefix, config.sep, describeChar(badPrefix));
  }
  if (name === '') {
    return byKind(kind, {
      connection: () => l10n.t('This conn id becomes an empty secret name (every "_" is removed with an empty separator).'),
      variable: () => l10n.t('This variable key becomes an empty secret name (every "_" is removed with an empty separator).'),
      config: () => l10n.t('This config key becomes an empty secret name (every "_" is removed with an empty separator).'),
    });
  }
  if (validateSecretName(name) !== undefined) {
    const max = 127 - [...np].length;
    const n = [...name].length;
    return byKind(kind, {
      connection: () => l10n.t('The secret name would have {0} characters; Key Vault allows at most 127, so after the prefix "{1}" a conn id may have at most {2}.', n, np, max),
      variable: () => l10n.t('The secret name would have {0} characters; Key Vault allows at most 127, so after the prefix "{1}" a variable key may have at most {2}.', n, np, max),
      config: () => l10n.t('The secret name would have {0} characters; Key Vault allows at most 127, so after the prefix "{1}" a config key may have at most {2}.', n, np, max),
    });
  }
  return undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Things worth knowing about an id that is otherwise valid (never errors):
 * - ids differing only in "_" vs sep, or in case, read the same secret;
 * - AzureKeyVaultBackend releases with multi-team support refuse, when no team is given, any id whose Key Vault
 *   form looks like "<team>--<id>" (e.g. "aws__prod"); later releases refuse it only when [core] multi_team is on.
 */
export function airflowIdWarnings(kind: AirflowKind, id: string, config: AirflowBackendConfig): string[] {
  const out: string[] = [];
  if (config.sep !== '' && id.includes(config.sep)) {
    const sep = config.sep;
    out.push(byKind(kind, {
      connection: () => l10n.t('Airflow writes every "_" of a conn id as "{0}", so this conn id and the one with "_" in place of "{0}" read the same secret.', sep),
      variable: () => l10n.t('Airflow writes every "_" of a variable key as "{0}", so this variable key and the one with "_" in place of "{0}" read the same secret.', sep),
      config: () => l10n.t('Airflow writes every "_" of a config key as "{0}", so this config key and the one with "_" in place of "{0}" read the same secret.', sep),
    }));
  }
  if (kind !== 'config' && config.sep !== '') {
    const normalized = id.replaceAll('_', config.sep);
    if (new RegExp(`^[^${escapeRegExp(config.sep)}]+--.+$`).test(normalized)) {
      out.push(l10n.t('Its Key Vault form looks like a team-scoped name ("<team>--<id>"): AzureKeyVaultBackend releases with multi-team support do not look such ids up when no team is given (newer releases only when [core] multi_team is on).'));
    }
  }
  return out;
}

/** Groups of inputs Airflow cannot tell apart. */
export interface AirflowCollision { kind: AirflowKind; id: string; names: string[] }

/**
 * Groups of secret names Airflow cannot tell apart: the same name after Airflow's "_" → sep rule and Key Vault's
 * case-insensitivity. Input: secret names as listed, or names about to be written (which may still contain "_",
 * e.g. "airflow-connections-smtp_default"). Names no lookup claims are ignored. Exact duplicates count once.
 */
export function findAirflowCollisions(names: readonly string[], config: AirflowBackendConfig): AirflowCollision[] {
  const groups = new Map<string, AirflowCollision>();
  for (const name of names) {
    const normalized = name.replaceAll('_', config.sep);
    const parsed = parseAirflowSecretName(normalized, config);
    if (!parsed) continue;
    const key = `${parsed.kind}\u0000${normalized.toLowerCase()}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { kind: parsed.kind, id: parsed.id, names: [name] });
    else if (!g.names.includes(name)) g.names.push(name);
  }
  return [...groups.values()].filter((g) => g.names.length > 1);
}

/** Ids of one kind (e.g. conn ids the user is about to write) that would read the same secret. */
export function findAirflowIdCollisions(kind: AirflowKind, ids: readonly string[], config: AirflowBackendConfig): AirflowCollision[] {
  const groups = new Map<string, AirflowCollision>();
  for (const id of ids) {
    const name = airflowSecretName(kind, id, config);
    if (name === undefined) continue;
    const key = name.toLowerCase();
    const g = groups.get(key);
    if (!g) groups.set(key, { kind, id, names: [id] });
    else if (!g.names.includes(id)) g.names.push(id);
  }
  return [...groups.values()].filter((g) => g.names.length > 1);
}

// ---------------------------------------------------------------------------------------------------------
// Python semantics the Connection model relies on: str.strip, urllib.parse.quote/quote_plus/unquote/urlencode/
// parse_qsl/urlsplit, json.loads/json.dumps (default separators, ensure_ascii=True).
// ---------------------------------------------------------------------------------------------------------

// Python's str.isspace() characters (str.strip() with no argument).
const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');

/** Python's str.strip(). */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** urllib.parse.quote(s, safe=''): everything but letters, digits and "_.-~" as %XX of its UTF-8 bytes. */
export function pyQuote(s: string): string {
  let out: string;
  try {
    out = encodeURIComponent(s);
  } catch {
    throw new Error(l10n.t('The text contains an unpaired UTF-16 surrogate, which Python cannot encode as UTF-8.'));
  }
  return out.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** urllib.parse.quote_plus(s, safe=''): as quote, with space as "+". */
export function pyQuotePlus(s: string): string {
  return pyQuote(s).replaceAll('%20', '+');
}

/** urllib.parse.urlencode(pairs) for string keys and values. */
export function pyUrlencode(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${pyQuotePlus(k)}=${pyQuotePlus(v)}`).join('&');
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** urllib.parse.unquote: %XX runs decoded as UTF-8 (invalid bytes → U+FFFD); a malformed % stays as it is. */
export function pyUnquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return UTF8.decode(bytes);
  });
}

/** urllib.parse.parse_qsl(qs, keep_blank_values=True) with the default separator "&". */
export function pyParseQsl(qs: string): [string, string][] {
  const out: [string, string][] = [];
  for (const nv of qs.split('&')) {
    if (nv === '') continue;
    const eq = nv.indexOf('=');
    const name = eq < 0 ? nv : nv.slice(0, eq);
    const value = eq < 0 ? '' : nv.slice(eq + 1);
    out.push([pyUnquote(name.replaceAll('+', ' ')), pyUnquote(value.replaceAll('+', ' '))]);
  }
  return out;
}

/** A ValueError Python's URL parsing would raise; its message (a whole sentence for the user) names no part of the URL. */
class UrlError extends Error {}

interface SplitResult { scheme: string; netloc: string; path: string; query: string; fragment: string }

function checkBracketedHost(hostname: string): void {
  if (hostname.startsWith('v')) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(hostname)) throw new UrlError(l10n.t('Python cannot parse it as a URI: its IPvFuture address in brackets is invalid.'));
    return;
  }
  if (isIPv4(hostname)) throw new UrlError(l10n.t('Python cannot parse it as a URI: an IPv4 address cannot be in brackets.'));
  if (!isIPv6(hostname)) throw new UrlError(l10n.t('Python cannot parse it as a URI: the address in brackets is not a valid IPv6 address.'));
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s0: string): boolean {
  let s = s0;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return false;
    s = s.slice(0, pct);
  }
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return false;
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return false;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const hex = (g: string) => /^[0-9a-fA-F]{1,4}$/.test(g);
  const dbl = s.indexOf('::');
  if (dbl < 0) {
    const groups = s.split(':');
    return groups.length === 8 && groups.every(hex);
  }
  if (dbl !== s.lastIndexOf('::')) return false;
  const head = s.slice(0, dbl);
  const tail = s.slice(dbl + 2);
  const groups = [...(head === '' ? [] : head.split(':')), ...(tail === '' ? [] : tail.split(':'))];
  return groups.every(hex) && groups.length <= 7;
}

/** urllib.parse.urlsplit (CPython 3.11+), raising UrlError where Python raises ValueError. */
function pyUrlsplit(url0: string): SplitResult {
  // eslint-disable-next-line no-control-regex
  let url = url0.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const i = url.indexOf(':');
  if (i > 0 && /^[A-Za-z]$/.test(url[0]!) && /^[A-Za-z0-9+.-]+$/.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase();
    url = url.slice(i + 1);
  }
  if (url.startsWith('//')) {
    let delim = url.length;
    for (const c of '/?#') {
      const w = url.indexOf(c, 2);
      if (w >= 0) delim = Math.min(delim, w);
    }
    netloc = url.slice(2, delim);
    url = url.slice(delim);
    const open = netloc.includes('[');
    const close = netloc.includes(']');
    if (open !== close) throw new UrlError(l10n.t('Python cannot parse it as a URI: it has an unbalanced "[" or "]" (Python: "Invalid IPv6 URL").'));
    if (open && close) {
      const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1);
      const b = hostAndPort.indexOf('[');
      let hostname: string;
      if (b >= 0) {
        if (b > 0) throw new UrlError(l10n.t('Python cannot parse it as a URI: it has text before "[" in the host (Python: "Invalid IPv6 URL").'));
        const bracketed = hostAndPort.slice(b + 1);
        const e = bracketed.indexOf(']');
        hostname = e < 0 ? bracketed : bracketed.slice(0, e);
        const after = e < 0 ? '' : bracketed.slice(e + 1);
        if (after && !after.startsWith(':')) throw new UrlError(l10n.t('Python cannot parse it as a URI: it has text between "]" and the port (Python: "Invalid IPv6 URL").'));
      } else {
        const e = hostAndPort.indexOf(']');
        hostname = e < 0 ? hostAndPort : hostAndPort.slice(0, e);
      }
      checkBracketedHost(hostname);
    }
  }
  const hash = url.indexOf('#');
  if (hash >= 0) {
    fragment = url.slice(hash + 1);
    url = url.slice(0, hash);
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  checkNetloc(netloc);
  return { scheme, netloc, path: url, query, fragment };
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** urllib.parse._checknetloc: non-ASCII hosts that NFKC-normalize into a URL delimiter are refused. */
function checkNetloc(netloc: string): void {
  if (!netloc || ASCII_ONLY.test(netloc)) return;
  const n = netloc.replace(/[@:#?]/g, '');
  const n2 = n.normalize('NFKC');
  if (n === n2) return;
  for (const c of '/?#@:') {
    if (n2.includes(c)) throw new UrlError(l10n.t('Python cannot parse it as a URI: its host part contains characters that Unicode NFKC normalization turns into "/", "?", "#", "@" or ":".'));
  }
}

function netlocUserinfo(netloc: string): { username: string | undefined; password: string | undefined } {
  const at = netloc.lastIndexOf('@');
  if (at < 0) return { username: undefined, password: undefined };
  const info = netloc.slice(0, at);
  const c = info.indexOf(':');
  return c < 0 ? { username: info, password: undefined } : { username: info.slice(0, c), password: info.slice(c + 1) };
}

function netlocHostinfo(netloc: string): { hostname: string; port: string | undefined } {
  const info = netloc.slice(netloc.lastIndexOf('@') + 1);
  const b = info.indexOf('[');
  let hostname: string;
  let port: string;
  if (b >= 0) {
    const bracketed = info.slice(b + 1);
    const e = bracketed.indexOf(']');
    hostname = e < 0 ? bracketed : bracketed.slice(0, e);
    const after = e < 0 ? '' : bracketed.slice(e + 1);
    const c = after.indexOf(':');
    port = c < 0 ? '' : after.slice(c + 1);
  } else {
    const c = info.indexOf(':');
    hostname = c < 0 ? info : info.slice(0, c);
    port = c < 0 ? '' : info.slice(c + 1);
  }
  return { hostname, port: port === '' ? undefined : port };
}

/** SplitResult.hostname: None when empty; lower-cased up to the first "%" (the rest is an IPv6 zone to Python). */
function pyHostname(netloc: string): string | undefined {
  const { hostname } = netlocHostinfo(netloc);
  if (!hostname) return undefined;
  const pct = hostname.indexOf('%');
  return pct < 0 ? hostname.toLowerCase() : hostname.slice(0, pct).toLowerCase() + hostname.slice(pct);
}

/** SplitResult.port: ASCII digits in 0–65535, else ValueError. */
function pyPort(netloc: string): number | undefined {
  const { port } = netlocHostinfo(netloc);
  if (port === undefined) return undefined;
  if (!/^[0-9]+$/.test(port)) {
    throw new UrlError(l10n.t('Python cannot read the URI\'s port: its port is not a number (is a "/", "?", "#" or "@" in the login or password not percent-encoded?).'));
  }
  const n = Number(port);
  if (n > 65535) throw new UrlError(l10n.t('Python cannot read the URI\'s port: its port is out of the range 0–65535.'));
  return n;
}

// --- json.loads / json.dumps ------------------------------------------------------------------------------

/** A JSON value as Python's json module holds it: key order kept, ints apart from floats. */
export type PyJson =
  | { t: 'object'; entries: [string, PyJson][] }
  | { t: 'array'; items: PyJson[] }
  | { t: 'string'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

/** A json.JSONDecodeError: its message has the position only, never the text. */
export class JsonSyntaxError extends Error {
  constructor(msg: string, text: string, pos: number) {
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1) + 1;
    super(`${msg} at line ${line} column ${col} (char ${pos})`);
  }
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

/** json.loads (CPython): NaN/Infinity accepted, duplicate keys keep the first position and the last value. */
export function pyJsonLoads(text: string): PyJson {
  if (text.startsWith('\ufeff')) throw new JsonSyntaxError('Unexpected UTF-8 BOM', text, 0);
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (msg: string, pos = i): never => {
    throw new JsonSyntaxError(msg, text, pos);
  };
  const parseString = (): string => {
    const start = i - 1;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('Unterminated string starting', start);
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        const e = text[i + 1];
        if (e === undefined) fail('Unterminated string starting', start);
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', i + 1);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e in simple) {
          out += simple[e];
          i += 2;
        } else {
          fail('Invalid \\escape', i);
        }
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail('Invalid control character', i);
      out += ch;
      i++;
    }
  };
  const parseValue = (): PyJson => {
    const ch = text[i];
    if (ch === '"') {
      i++;
      return { t: 'string', v: parseString() };
    }
    if (ch === '{') {
      i++;
      const entries: [string, PyJson][] = [];
      const index = new Map<string, number>();
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        i++;
        const key = parseString();
        ws();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i++;
        ws();
        const value = parseValue();
        const at = index.get(key);
        if (at === undefined) {
          index.set(key, entries.length);
          entries.push([key, value]);
        } else {
          entries[at] = [key, value];
        }
        ws();
        if (text[i] === '}') {
          i++;
          return { t: 'object', entries };
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        ws();
      }
    }
    if (ch === '[') {
      i++;
      const items: PyJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(parseValue());
        ws();
        if (text[i] === ']') {
          i++;
          return { t: 'array', items };
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        ws();
      }
    }
    for (const [word, value] of [['null', { t: 'null' }], ['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }],
      ['NaN', { t: 'float', v: NaN }], ['Infinity', { t: 'float', v: Infinity }], ['-Infinity', { t: 'float', v: -Infinity }]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value as PyJson;
      }
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      i += m[0].length;
      return m[1] || m[2] ? { t: 'float', v: Number(m[0]) } : { t: 'int', v: BigInt(m[0]) };
    }
    return fail('Expecting value');
  };
  ws();
  const value = parseValue();
  ws();
  if (i !== text.length) fail('Extra data');
  return value;
}

/** repr(float) of CPython: shortest round-trip digits, exponent form when the exponent is < -4 or >= 16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** json.dumps(value) with Python's defaults: separators ", " and ": ", ensure_ascii=True, NaN/Infinity allowed. */
export function pyJsonDumps(v: PyJson): string {
  switch (v.t) {
    case 'object':
      return `{${v.entries.map(([k, x]) => `${pyJsonString(k)}: ${pyJsonDumps(x)}`).join(', ')}}`;
    case 'array':
      return `[${v.items.map(pyJsonDumps).join(', ')}]`;
    case 'string':
      return pyJsonString(v.v);
    case 'int':
      return v.v.toString();
    case 'float':
      return pyFloatRepr(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

/** A JS value (from JSON.parse or a literal) as Python would hold it after json.loads. */
export function toPyJson(value: unknown): PyJson {
  if (value === null) return { t: 'null' };
  switch (typeof value) {
    case 'string': return { t: 'string', v: value };
    case 'boolean': return { t: 'bool', v: value };
    case 'bigint': return { t: 'int', v: value };
    case 'number': return Number.isSafeInteger(value) ? { t: 'int', v: BigInt(value) } : { t: 'float', v: value };
    case 'object': {
      if (Array.isArray(value)) return { t: 'array', items: value.map((x) => (x === undefined ? { t: 'null' } : toPyJson(x))) };
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(l10n.t('Only plain objects, arrays, strings, numbers, booleans and null can be stored as JSON.'));
      return { t: 'object', entries: Object.entries(value).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toPyJson(x)]) };
    }
    default:
      throw new TypeError(l10n.t('A {0} cannot be stored as JSON.', typeof value));
  }
}

/** The JS value of a PyJson (ints beyond 2^53 become imprecise numbers). */
export function fromPyJson(v: PyJson): unknown {
  switch (v.t) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v.entries) Object.defineProperty(o, k, { value: fromPyJson(x), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'array': return v.items.map(fromPyJson);
    case 'string': return v.v;
    case 'int': return Number(v.v);
    case 'float': return v.v;
    case 'bool': return v.v;
    case 'null': return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------------------

export interface AirflowConnection {
  connType: string;
  description?: string;
  host?: string;
  login?: string;
  password?: string;
  schema?: string;
  port?: number;
  /** An object, or a string holding a JSON object (kept byte for byte where Airflow keeps it). */
  extra?: Record<string, unknown> | string;
}

function checkPort(port: number | undefined): void {
  if (port === undefined) return;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(l10n.t('The port must be a whole number between 0 and 65535.'));
  }
}

/**
 * Airflow's `self.extra` (the text it stores) and its parsed form for a connection, or undefined when there is
 * no extra (undefined, '' or an empty object). A string must hold a JSON object, as Airflow's _validate_extra
 * demands; the error never quotes it.
 */
function extraOf(c: AirflowConnection): { text: string; parsed: Extract<PyJson, { t: 'object' }> } | undefined {
  if (c.extra === undefined || c.extra === null) return undefined;
  if (typeof c.extra === 'string') {
    if (c.extra === '') return undefined;
    let parsed: PyJson;
    try {
      parsed = pyJsonLoads(c.extra);
    } catch (e) {
      throw new Error(e instanceof JsonSyntaxError ? l10n.t('The extra is not valid JSON ({0}); Airflow requires a JSON object.', e.message)
        : l10n.t('The extra is not valid JSON; Airflow requires a JSON object.'));
    }
    if (parsed.t !== 'object') throw new Error(l10n.t('The extra must be a JSON object, not {0}.', jsonTypeName(parsed)));
    return { text: c.extra, parsed };
  }
  if (typeof c.extra !== 'object' || Array.isArray(c.extra)) throw new Error(l10n.t('The extra must be an object (or a string holding a JSON object).'));
  const parsed = toPyJson(c.extra) as Extract<PyJson, { t: 'object' }>;
  if (parsed.entries.length === 0) return undefined;
  return { text: pyJsonDumps(parsed), parsed };
}

/**
 * Airflow's Connection.get_uri(), byte for byte, as the Task SDK Connection (Airflow 3.x; the class DAG code and
 * the secrets backends get in workers) writes it:
 * - scheme: conn_type lower-cased with "_" as "-" ("//" when there is no conn_type);
 * - a host "proto://h" whose proto differs from conn_type is written "proto://" + quoted h; when proto equals
 *   conn_type the whole host is quoted (so it reads back with its protocol);
 * - login and password quote(…, safe='') (space %20, never +); "login:password@" when either is set (even '');
 * - ":port" (with no host and no login/password: "@:port"); a port of 0 is not written (as `if self.port:`);
 * - "/schema" quoted; then "?" (or "/?" with no schema) and the extra: urlencode(extra) when every value is a
 *   string, else "__extra__=" + quote_plus(the extra's JSON text).
 * Throws (naming no value) when the port or extra is invalid.
 */
export function connectionToUri(c: AirflowConnection): string {
  checkPort(c.port);
  const extra = extraOf(c);
  const connType = c.connType ?? '';
  let uri = connType ? `${connType.toLowerCase().replaceAll('_', '-')}://` : '//';
  let hostToUse = c.host;
  if (c.host && c.host.includes('://')) {
    const at = c.host.indexOf('://');
    const protocol = c.host.slice(0, at);
    if (protocol !== connType) {
      hostToUse = c.host.slice(at + 3);
      if (protocol) uri += `${protocol}://`;
    }
  }
  let authority = '';
  if (c.login !== undefined && c.login !== null) authority += pyQuote(c.login);
  if (c.password !== undefined && c.password !== null) authority += `:${pyQuote(c.password)}`;
  if (authority !== '') {
    authority += '@';
    uri += authority;
  }
  let hostBlock = hostToUse ? pyQuote(hostToUse) : '';
  if (c.port) hostBlock += hostBlock === '' && authority === '' ? `@:${c.port}` : `:${c.port}`;
  if (c.schema) hostBlock += `/${pyQuote(c.schema)}`;
  uri += hostBlock;
  if (extra) {
    const entries = extra.parsed.entries;
    const plain = entries.length > 0 && entries.every(([, v]) => v.t === 'string');
    const query = plain
      ? pyUrlencode(entries.map(([k, v]) => [k, (v as { v: string }).v] as const))
      : pyUrlencode([['__extra__', extra.text]]);
    uri += (c.schema ? '?' : '/?') + query;
  }
  return uri;
}

/**
 * The JSON form the backend reads (Airflow ≥ 2.3), as Connection.as_json() writes it: json.dumps with Python's
 * separators, keys in the order conn_type, description, host, login, password, schema, port, extra; a field that
 * is undefined (Python None) is left out, '' is kept; extra only when it is a non-empty object.
 */
export function connectionToJson(c: AirflowConnection): string {
  checkPort(c.port);
  const extra = extraOf(c);
  const entries: [string, PyJson][] = [];
  const str = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== null) entries.push([k, { t: 'string', v }]);
  };
  str('conn_type', c.connType);
  str('description', c.description);
  str('host', c.host);
  str('login', c.login);
  str('password', c.password);
  str('schema', c.schema);
  if (c.port !== undefined && c.port !== null) entries.push(['port', { t: 'int', v: BigInt(c.port) }]);
  if (extra && extra.parsed.entries.length > 0) entries.push(['extra', extra.parsed]);
  return pyJsonDumps({ t: 'object', entries });
}

export type ParsedConnection =
  | { ok: true; form: 'uri' | 'json'; connection: AirflowConnection; warnings: string[] }
  | { ok: false; form: 'uri' | 'json'; error: string };

/** Connection._normalize_conn_type. */
export function normalizeConnType(connType: string): string {
  if (connType === 'postgresql') return 'postgres';
  return connType.includes('-') ? connType.replaceAll('-', '_') : connType;
}

class ConnError extends Error {}

/** Python's truth value of a JSON value. */
function pyTruthy(v: PyJson): boolean {
  switch (v.t) {
    case 'object': return v.entries.length > 0;
    case 'array': return v.items.length > 0;
    case 'string': return v.v !== '';
    case 'int': return v.v !== 0n;
    case 'float': return v.v !== 0;
    case 'bool': return v.v;
    case 'null': return false;
  }
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/** Where an extra comes from: the __extra__ query parameter of a URI, or the "extra" of the JSON form (a string or not). */
type ExtraSource = 'query' | 'jsonString' | 'json';

function extraObject(text: string, where: ExtraSource): Record<string, unknown> {
  let parsed: PyJson;
  try {
    parsed = pyJsonLoads(text);
  } catch (e) {
    const d = e instanceof JsonSyntaxError ? e.message : undefined;
    switch (where) {
      case 'query': throw new ConnError(d !== undefined
        ? l10n.t('The __extra__ query parameter is not valid JSON ({0}); Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").', d)
        : l10n.t('The __extra__ query parameter is not valid JSON; Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").'));
      case 'jsonString': throw new ConnError(d !== undefined
        ? l10n.t('Its "extra" string is not valid JSON ({0}); Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").', d)
        : l10n.t('Its "extra" string is not valid JSON; Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").'));
      case 'json': throw new ConnError(d !== undefined
        ? l10n.t('Its "extra" is not valid JSON ({0}); Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").', d)
        : l10n.t('Its "extra" is not valid JSON; Airflow refuses an extra that is not a JSON object ("Encountered non-JSON in `extra`").'));
    }
  }
  if (parsed.t !== 'object') {
    const type = jsonTypeName(parsed);
    switch (where) {
      case 'query': throw new ConnError(l10n.t('The __extra__ query parameter is {0}, not a JSON object; Airflow refuses it ("does not parse as a dictionary").', type));
      case 'jsonString': throw new ConnError(l10n.t('Its "extra" string is {0}, not a JSON object; Airflow refuses it ("does not parse as a dictionary").', type));
      case 'json': throw new ConnError(l10n.t('Its "extra" is {0}, not a JSON object; Airflow refuses it ("does not parse as a dictionary").', type));
    }
  }
  return fromPyJson(parsed) as Record<string, unknown>;
}

/** Connection.from_uri / _parse_from_uri (Task SDK and airflow-core share the algorithm). */
function connectionFromUri(uri: string): { connection: AirflowConnection; warnings: string[] } {
  const warnings: string[] = [];
  const schemes = uri.split('://').length - 1;
  if (schemes > 2) throw new ConnError(l10n.t('It contains "://" more than twice ("Invalid connection string"); percent-encode the host, login and password.'));
  const hostWithProtocol = schemes === 2;
  let parts: SplitResult;
  try {
    parts = pyUrlsplit(uri);
  } catch (e) {
    throw e instanceof UrlError ? new ConnError(e.message) : e;
  }
  const connTypeRaw = parts.scheme;
  if (connTypeRaw === '') {
    const scheme = /^([^:/?#]*):\/\//.exec(uri)?.[1];
    if (scheme !== undefined && scheme.includes('_')) {
      throw new ConnError(l10n.t('Its URI scheme (the connection type) contains "_", which a URI scheme cannot contain, so Airflow reads no connection type at all. Write the type with "-" in the URI (e.g. google-cloud-platform://); Airflow turns it back into "_".'));
    }
    throw new ConnError(l10n.t('It does not start with a connection type ("<conn-type>://…"), so Airflow reads no connection type and no hook can use it.'));
  }
  const connType = normalizeConnType(connTypeRaw);
  const rest = uri.split(`${connTypeRaw}://`).join(hostWithProtocol ? '' : '//');
  if (hostWithProtocol) {
    const first = rest.split('://')[0]!;
    if (first.includes('@') || first.includes(':')) {
      throw new ConnError(l10n.t('It has two "://" (a host with its own protocol), but a login, password or port comes before the second one ("Invalid connection string"); write <conn-type>://<protocol>://<login>:<password>@<host>:<port>.'));
    }
  }
  try {
    parts = pyUrlsplit(rest);
  } catch (e) {
    throw e instanceof UrlError ? new ConnError(e.message) : e;
  }
  const protocol = hostWithProtocol ? parts.scheme : '';
  // _parse_netloc_to_hostname
  let host = pyUnquote(pyHostname(parts.netloc) ?? '');
  if (host.includes('/')) {
    let h = parts.netloc;
    if (h.includes('@')) h = h.slice(h.lastIndexOf('@') + 1);
    if (h.includes(':')) h = h.slice(0, h.indexOf(':'));
    host = pyUnquote(h);
  } else {
    const raw = netlocHostinfo(parts.netloc).hostname;
    const beforePct = raw.includes('%') ? raw.slice(0, raw.indexOf('%')) : raw;
    if (beforePct !== beforePct.toLowerCase()) warnings.push(l10n.t('Python lower-cases the host name (up to its first %-escape); Airflow reads it in lower case.'));
  }
  const fullHost = host && protocol ? `${protocol}://${host}` : host;
  const quotedSchema = parts.path.slice(1);
  const schema = quotedSchema ? pyUnquote(quotedSchema) : quotedSchema;
  const { username, password } = netlocUserinfo(parts.netloc);
  let port: number | undefined;
  try {
    port = pyPort(parts.netloc);
  } catch (e) {
    throw e instanceof UrlError ? new ConnError(e.message) : e;
  }
  const connection: AirflowConnection = { connType };
  if (fullHost) connection.host = fullHost;
  if (username !== undefined) connection.login = username ? pyUnquote(username) : username;
  if (password !== undefined) connection.password = password ? pyUnquote(password) : password;
  if (schema) connection.schema = schema;
  if (port !== undefined) connection.port = port;
  if (parts.fragment !== '' || rest.includes('#')) {
    warnings.push(l10n.t('A "#" ends the URI for Python: everything after it is ignored (percent-encode "#" as %23).'));
  }
  if (parts.query) {
    const pairs = pyParseQsl(parts.query);
    const query = new Map<string, string>();
    for (const [k, v] of pairs) {
      if (query.has(k)) warnings.push(l10n.t('The {0} query parameter appears more than once; Airflow keeps its last value.', ordinal(pairs.findIndex(([x]) => x === k) + 1)));
      query.set(k, v);
    }
    if (query.has('__extra__')) {
      if (query.size > 1) warnings.push(l10n.t('With an __extra__ query parameter Airflow ignores every other query parameter.'));
      const extra = extraObject(query.get('__extra__')!, 'query');
      if (Object.keys(extra).length > 0) connection.extra = extra;
    } else if (query.size > 0) {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of query) Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
      connection.extra = extra;
    }
  }
  return { connection, warnings };
}

const JSON_FIELDS = new Set(['conn_type', 'description', 'host', 'login', 'password', 'schema', 'port', 'extra']);

/** Connection.from_json (Airflow ≥ 2.3), then the checks the Connection constructors make. */
function connectionFromJson(text: string): { connection: AirflowConnection; warnings: string[] } {
  let parsed: PyJson;
  try {
    parsed = pyJsonLoads(text);
  } catch (e) {
    // "{" goes in as an argument: a literal "{" before {1} would hide the placeholder from l10n's formatter
    throw new ConnError(e instanceof JsonSyntaxError
      ? l10n.t('It starts with "{0}", so Airflow reads it as JSON, but it is not valid JSON ({1}).', '{', e.message)
      : l10n.t('It starts with "{", so Airflow reads it as JSON, but it is not valid JSON (unreadable).'));
  }
  if (parsed.t !== 'object') throw new ConnError(l10n.t('It is not a JSON object.'));
  const kw = new Map(parsed.entries);
  const warnings: string[] = [];
  const keys = [...kw.keys()];
  if (kw.has('conn_id')) throw new ConnError(l10n.t('It has a "conn_id" key; Airflow passes the conn id itself and fails ("got multiple values for keyword argument \'conn_id\'"). Remove the key.'));
  if (kw.has('uri')) {
    if (keys.length > 1) throw new ConnError(l10n.t('It has a "uri" key together with other fields; Airflow refuses to mix the two ways of defining a connection.'));
    const uri = kw.get('uri')!;
    if (uri.t !== 'string' || uri.v === '') throw new ConnError(l10n.t('Its "uri" must be a non-empty string.'));
    const fromUri = connectionFromUri(pyStrip(uri.v));
    return { connection: fromUri.connection, warnings: [l10n.t('It defines the connection by a "uri" key; the usual JSON form has the fields themselves.'), ...fromUri.warnings] };
  }
  const unknown = keys.findIndex((k) => !JSON_FIELDS.has(k));
  if (unknown >= 0) {
    const k = keys[unknown]!;
    throw new ConnError(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(k)
      ? l10n.t('It has the key "{0}", which a Connection does not take (Airflow fails with "unexpected keyword argument"). Allowed: conn_type, description, host, login, password, schema, port, extra.', k)
      : l10n.t('It has the key number {0}, which a Connection does not take (Airflow fails with "unexpected keyword argument"). Allowed: conn_type, description, host, login, password, schema, port, extra.', unknown + 1));
  }
  const connection: AirflowConnection = { connType: '' };
  const ct = kw.get('conn_type');
  // from_json: `if conn_type:` — a falsy value is dropped; a non-string fails in _normalize_conn_type.
  if (ct !== undefined && pyTruthy(ct)) {
    if (ct.t !== 'string') throw new ConnError(l10n.t('Its "conn_type" is {0}; it must be a string.', jsonTypeName(ct)));
    connection.connType = normalizeConnType(ct.v);
  } else {
    warnings.push(l10n.t('It has no conn_type: Airflow reads the connection, but no hook can use it.'));
  }
  for (const key of ['description', 'host', 'login', 'password', 'schema'] as const) {
    const v = kw.get(key);
    if (v === undefined || v.t === 'null') continue;
    if (v.t !== 'string') throw new ConnError(l10n.t('Its "{0}" is {1}; it must be a string (or null).', key, jsonTypeName(v)));
    connection[key] = v.v;
  }
  const port = kw.get('port');
  // Task SDK _coerce_port: None or '' → None; a string → int(); then an int in 0–65535 (bool refused).
  if (port !== undefined && port.t !== 'null' && !(port.t === 'string' && port.v === '')) {
    let n: number;
    if (port.t === 'int') n = Number(port.v);
    else if (port.t === 'string' && /^[ \t]*[+-]?[0-9]+[ \t]*$/.test(port.v)) n = Number(port.v.trim());
    else {
      throw new ConnError(port.t === 'float'
        ? l10n.t('Its "port" is not a whole number; Airflow expects an integer ("Expected integer value for `port`").')
        : l10n.t('Its "port" is {0}; Airflow expects an integer ("Expected integer value for `port`").', jsonTypeName(port)));
    }
    if (n < 0 || n > 65535) throw new ConnError(l10n.t('Its "port" is outside 0–65535; Airflow refuses it.'));
    connection.port = n;
    if (n === 0) warnings.push(l10n.t('Port 0 is dropped by Airflow releases that test `if port:`.'));
  }
  const extra = kw.get('extra');
  // from_json: `if extra:` — a falsy extra ('' {} [] 0 false null) is dropped; a string is kept, anything else
  // json.dumps'ed; then _validate_extra wants a JSON object.
  if (extra !== undefined && pyTruthy(extra)) {
    const obj = extra.t === 'string' ? extraObject(extra.v, 'jsonString') : extraObject(pyJsonDumps(extra), 'json');
    if (Object.keys(obj).length > 0) connection.extra = obj;
  }
  return { connection, warnings };
}

/**
 * Parses a stored value as Airflow's BaseSecretsBackend.deserialize_connection does: the value stripped (Python's
 * str.strip()); starting with "{" → Connection.from_json, otherwise the URI form. A connection parsed from a URI
 * has no host/schema when they are empty (get_uri treats '' like None), but keeps login/password '' apart from
 * absent (they write differently). Errors and warnings never contain the value or any part of it.
 */
export function parseConnectionValue(value: string): ParsedConnection {
  const text = pyStrip(value);
  if (text === '') {
    return { ok: false, form: 'uri', error: l10n.t('The value is empty: Airflow fails to read a connection from it and tries the next secrets backend.') };
  }
  const form = text[0] === '{' ? 'json' : 'uri';
  try {
    const r = form === 'json' ? connectionFromJson(text) : connectionFromUri(text);
    return { ok: true, form, connection: r.connection, warnings: r.warnings };
  } catch (e) {
    if (e instanceof ConnError) return { ok: false, form, error: e.message };
    return { ok: false, form, error: l10n.t('Airflow could not read this value as a connection.') };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Snippets
// ---------------------------------------------------------------------------------------------------------

function kwargsJson(vaultUrl: string, config: AirflowBackendConfig): string {
  const prefix = (p: string | null): PyJson => (p === null ? { t: 'null' } : { t: 'string', v: p });
  return pyJsonDumps({
    t: 'object',
    entries: [
      ['connections_prefix', prefix(config.connectionsPrefix)],
      ['variables_prefix', prefix(config.variablesPrefix)],
      ['config_prefix', prefix(config.configPrefix)],
      ['sep', { t: 'string', v: config.sep }],
      ['vault_url', { t: 'string', v: vaultUrl.trim() }],
    ],
  });
}

/**
 * The backend configuration of one vault in three places — never any credential (the backend then uses
 * DefaultAzureCredential: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload or managed identity).
 * - env: two lines for a .env file (Astro, docker compose env_file);
 * - adf: Azure Data Factory Workflow Orchestration Manager "Airflow configuration overrides", one "KEY: value"
 *   per line as Microsoft's "Enable Azure Key Vault for Workflow Orchestration Manager" page lists them;
 * - airflowCfg: the [secrets] section of airflow.cfg ("%" doubled for configparser's interpolation).
 */
export function backendConfigSnippets(vaultUrl: string, config: AirflowBackendConfig): { env: string; adf: string; airflowCfg: string } {
  const json = kwargsJson(vaultUrl, config);
  return {
    env: `AIRFLOW__SECRETS__BACKEND=${AIRFLOW_BACKEND_CLASS}\nAIRFLOW__SECRETS__BACKEND_KWARGS=${json}`,
    adf: `AIRFLOW__SECRETS__BACKEND: ${AIRFLOW_BACKEND_CLASS}\nAIRFLOW__SECRETS__BACKEND_KWARGS: ${json}`,
    airflowCfg: `[secrets]\nbackend = ${AIRFLOW_BACKEND_CLASS}\nbackend_kwargs = ${json.replaceAll('%', '%%')}`,
  };
}

/** A Python string literal for text. */
function pyStringLiteral(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

/** DAG code reading a connection or variable (Airflow 3 imports; the Airflow 2 import in a comment). */
export function airflowCodeSnippet(kind: 'connection' | 'variable', id: string): string {
  if (kind === 'connection') {
    return [
      'from airflow.sdk import BaseHook  # Airflow 2: from airflow.hooks.base import BaseHook',
      '',
      `conn = BaseHook.get_connection(${pyStringLiteral(id)})`,
      '',
    ].join('\n');
  }
  return [
    'from airflow.sdk import Variable  # Airflow 2: from airflow.models import Variable',
    '',
    `value = Variable.get(${pyStringLiteral(id)})`,
    '',
  ].join('\n');
}
