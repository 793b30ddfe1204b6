// Where a workspace configures Airflow's AzureKeyVaultBackend: .env files (Astro, docker compose env_file),
// docker-compose environments and airflow.cfg. Pure (no vscode): the UI reads the files and passes their text.
// Only the prefixes, sep and vault_url are taken; credential keys are never read, and no error quotes a value.
import * as l10n from '@vscode/l10n';
import type { Node, Pair, Scalar } from 'yaml';
import { loadYaml } from '../lazy/load';
import { AIRFLOW_DEFAULTS, parseBackendKwargs, type AirflowBackendConfig } from './airflow';

export type BackendSourceKind = 'env' | 'compose' | 'airflowCfg';

export interface BackendConfigSource {
  kind: BackendSourceKind;
  file: string;
  /** 1-based line of the kwargs (of its key). */
  line: number;
  /** AIRFLOW__SECRETS__BACKEND / [secrets] backend value when present in the same file. */
  backend?: string;
  /** undefined when the kwargs did not parse. */
  config?: AirflowBackendConfig;
  /** Why not (no secret values in it). */
  error?: string;
}

const KWARGS_ENV = 'AIRFLOW__SECRETS__BACKEND_KWARGS';
const BACKEND_ENV = 'AIRFLOW__SECRETS__BACKEND';

function fromKwargs(kind: BackendSourceKind, file: string, line: number, text: string, backend: string | undefined): BackendConfigSource {
  const source: BackendConfigSource = { kind, file, line };
  if (backend !== undefined) source.backend = backend;
  try {
    source.config = parseBackendKwargs(text);
  } catch (e) {
    source.error = (e as Error).message;
  }
  return source;
}

function failed(kind: BackendSourceKind, file: string, line: number, error: string, backend: string | undefined): BackendConfigSource {
  const source: BackendConfigSource = { kind, file, line, error };
  if (backend !== undefined) source.backend = backend;
  return source;
}

// ---------------------------------------------------------------------------------------------------------
// .env
// ---------------------------------------------------------------------------------------------------------

interface EnvEntry { key: string; value?: string; line: number; error?: string }

const DQ_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/**
 * Reads KEY=VALUE lines the way python-dotenv and docker compose agree on: blank lines and "#" lines skipped, an
 * optional "export " prefix, spaces around "=" ignored; a value in '…' is literal, one in "…" takes \" \\ \n \t \r
 * escapes; both may span lines. An unquoted value ends at " #" (an inline comment) and is trimmed.
 */
export function parseEnvFile(text: string): EnvEntry[] {
  const lines = text.split(/\r?\n/);
  const out: EnvEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=[ \t]*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[1]!;
    const line = i + 1;
    let rest = m[2]!;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      let value = '';
      let j = 1;
      let closed = false;
      for (;;) {
        for (; j < rest.length; j++) {
          const ch = rest[j]!;
          if (ch === quote) {
            closed = true;
            break;
          }
          if (quote === '"' && ch === '\\' && j + 1 < rest.length) {
            const e = rest[j + 1]!;
            value += e in DQ_ESCAPES ? DQ_ESCAPES[e] : `\\${e}`;
            j++;
            continue;
          }
          value += ch;
        }
        if (closed || i + 1 >= lines.length) break;
        value += '\n';
        i++;
        rest = lines[i]!;
        j = 0;
      }
      out.push(closed ? { key, value, line } : { key, line, error: l10n.t('The quoted value that starts on line {0} is never closed.', line) });
      continue;
    }
    const comment = /[ \t]#/.exec(rest);
    if (comment) rest = rest.slice(0, comment.index);
    out.push({ key, value: rest.trim(), line });
  }
  return out;
}

/**
 * AIRFLOW__SECRETS__BACKEND_KWARGS of a .env file. When the key is set more than once the last one counts (as for
 * python-dotenv and docker compose), so only that one is returned.
 */
export function sourcesFromEnvFile(text: string, file: string): BackendConfigSource[] {
  const entries = parseEnvFile(text);
  const last = (key: string) => entries.filter((e) => e.key === key).pop();
  const kwargs = last(KWARGS_ENV);
  if (!kwargs) return [];
  const backend = last(BACKEND_ENV)?.value;
  if (kwargs.error !== undefined || kwargs.value === undefined) return [failed('env', file, kwargs.line, kwargs.error ?? l10n.t('No value.'), backend)];
  return [fromKwargs('env', file, kwargs.line, kwargs.value, backend)];
}

// ---------------------------------------------------------------------------------------------------------
// docker compose
// ---------------------------------------------------------------------------------------------------------

/**
 * docker compose interpolates $VAR and ${VAR…} in the file ($$ is a literal $). Returns the literal text, or
 * undefined when it uses interpolation (resolved only at `docker compose up`).
 */
function composeLiteral(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{' || (next !== undefined && /[A-Za-z_]/.test(next))) {
      return undefined;
    } else {
      out += '$';
    }
  }
  return out;
}

type ComposeValue = { text: string } | { error: string };

function composeScalar(node: unknown): ComposeValue {
  const { isMap, isScalar, isSeq } = loadYaml();
  if (node === null || node === undefined) {
    return { error: l10n.t('It has no value in the file (docker compose then takes it from the shell environment).') };
  }
  if (isMap(node) || isSeq(node)) {
    return { error: l10n.t('Its value is written as an unquoted {…}, which YAML reads as a mapping, not a string; docker compose refuses it. Quote the JSON: \'{"connections_prefix": …}\'.') };
  }
  if (!isScalar(node)) return { error: l10n.t('Its value is not a string.') };
  const v = (node as Scalar).value;
  if (v === null) return { error: l10n.t('It has no value in the file (docker compose then takes it from the shell environment).') };
  const literal = composeLiteral(String(v));
  if (literal === undefined) return { error: l10n.t('Its value uses docker compose variable interpolation ($VAR / ${VAR}), which is resolved only when compose runs.') };
  return { text: literal };
}

interface ComposeHit { key: string; line: number; parent: unknown; value: ComposeValue }

/**
 * Every AIRFLOW__SECRETS__BACKEND_KWARGS in a docker-compose file: in any service's `environment`, as a map
 * ("KEY: value") or a list ("- KEY=VALUE"), and in x-… blocks such as x-airflow-common (an anchored environment
 * merged into services with "<<: *anchor" is reported once, at its definition). Parsed with the yaml package.
 * The backend is the AIRFLOW__SECRETS__BACKEND of the same environment block, else the first one in the file.
 */
export function sourcesFromCompose(text: string, file: string): BackendConfigSource[] {
  // the yaml package is loaded with the first compose file, not at activation
  const { isAlias, isScalar, isSeq, LineCounter, parseAllDocuments, visit } = loadYaml();
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  } catch {
    return [];
  }
  const list = Array.isArray(docs) ? docs : [];
  const hits: ComposeHit[] = [];
  const lineOf = (node: Node | null | undefined): number => {
    const offset = node?.range?.[0] ?? 0;
    return lineCounter.linePos(offset).line;
  };
  for (const doc of list) {
    visit(doc, {
      Pair(_key, pair: Pair<unknown, unknown>, path) {
        const k = pair.key;
        if (!isScalar(k) || (k.value !== KWARGS_ENV && k.value !== BACKEND_ENV)) return;
        let value: unknown = pair.value;
        if (isAlias(value)) value = value.resolve(doc);
        hits.push({ key: String(k.value), line: lineOf(k), parent: path[path.length - 1], value: composeScalar(value) });
      },
      Scalar(_key, node, path) {
        const parent = path[path.length - 1];
        if (!isSeq(parent) || typeof node.value !== 'string') return;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=([\s\S]*))?$/.exec(node.value);
        if (!m || (m[1] !== KWARGS_ENV && m[1] !== BACKEND_ENV)) return;
        let value: ComposeValue;
        if (m[2] === undefined) {
          value = { error: l10n.t('It has no value in the file (docker compose then takes it from the shell environment).') };
        } else {
          const literal = composeLiteral(m[2]);
          value = literal === undefined
            ? { error: l10n.t('Its value uses docker compose variable interpolation ($VAR / ${VAR}), which is resolved only when compose runs.') }
            : { text: literal };
        }
        hits.push({ key: m[1], line: lineOf(node), parent, value });
      },
    });
  }
  const backends = hits.filter((h) => h.key === BACKEND_ENV && 'text' in h.value);
  const out: BackendConfigSource[] = [];
  for (const hit of hits) {
    if (hit.key !== KWARGS_ENV) continue;
    const b = backends.find((x) => x.parent === hit.parent) ?? backends[0];
    const backend = b && 'text' in b.value ? b.value.text : undefined;
    out.push('text' in hit.value ? fromKwargs('compose', file, hit.line, hit.value.text, backend) : failed('compose', file, hit.line, hit.value.error, backend));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// airflow.cfg
// ---------------------------------------------------------------------------------------------------------

interface CfgOption { section: string; name: string; value: string; line: number }

/**
 * The options of an INI file as Python's configparser reads airflow.cfg: "[section]" headers (case-sensitive),
 * "name = value" or "name: value" (names lower-cased), full-line "#"/";" comments, no inline comments, values
 * continued on lines indented deeper than their option (joined with "\n"; blank lines kept inside, trailing ones
 * dropped), "%%" read as "%" (BasicInterpolation).
 */
export function parseIniOptions(text: string): CfgOption[] {
  const lines = text.split(/\r?\n/);
  const out: { section: string; name: string; parts: string[]; line: number }[] = [];
  let section: string | undefined;
  let current: { section: string; name: string; parts: string[]; line: number } | undefined;
  let indentLevel = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const stripped = raw.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (value === '') {
      if (!isComment && current) current.parts.push('');
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && indent > indentLevel) {
      current.parts.push(value);
      continue;
    }
    indentLevel = indent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      section = header[1]!;
      current = undefined;
      continue;
    }
    if (section === undefined) {
      current = undefined;
      continue;
    }
    const opt = /^(.*?)\s*[=:]\s*(.*)$/.exec(value);
    if (!opt || opt[1]!.trim() === '') {
      current = undefined;
      continue;
    }
    current = { section, name: opt[1]!.trimEnd().toLowerCase(), parts: [opt[2]!.trim()], line: i + 1 };
    out.push(current);
  }
  return out.map((o) => ({ section: o.section, name: o.name, value: o.parts.join('\n').trimEnd().replaceAll('%%', '%'), line: o.line }));
}

/** [secrets] backend_kwargs of an airflow.cfg (the AIRFLOW__SECRETS__* environment variables override it). */
export function sourcesFromAirflowCfg(text: string, file: string): BackendConfigSource[] {
  const options = parseIniOptions(text).filter((o) => o.section === 'secrets');
  const kwargs = options.filter((o) => o.name === 'backend_kwargs');
  if (kwargs.length === 0) return [];
  const backend = options.filter((o) => o.name === 'backend').pop()?.value;
  const last = kwargs[kwargs.length - 1]!;
  if (kwargs.length > 1) {
    return [failed('airflowCfg', file, last.line, l10n.t('backend_kwargs is set more than once in [secrets] (also on line {0}); Python\'s configparser (strict by default) refuses the whole file with DuplicateOptionError.', kwargs[0]!.line), backend)];
  }
  return [fromKwargs('airflowCfg', file, last.line, last.value, backend)];
}

// ---------------------------------------------------------------------------------------------------------
// Which configuration is in force for a vault
// ---------------------------------------------------------------------------------------------------------

export type ConfigOrigin = { kind: 'workspace'; source: BackendConfigSource } | { kind: 'settings' } | { kind: 'defaults' };

/** A vault URL for comparison: scheme, lower-case host, no default port, no trailing slash ("https://" assumed). */
export function normalizeVaultUrlForCompare(url: string): string {
  const text = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const u = new URL(withScheme);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return text.toLowerCase().replace(/\/+$/, '');
  }
}

function sameConfig(a: AirflowBackendConfig, b: AirflowBackendConfig): boolean {
  return a.connectionsPrefix === b.connectionsPrefix && a.variablesPrefix === b.variablesPrefix && a.configPrefix === b.configPrefix && a.sep === b.sep;
}

/**
 * The configuration in force for a vault:
 * 1. the first workspace source (in the order given) whose vault_url is this vault — URLs compared normalised
 *    (lower-case host, default port and trailing slash ignored, https:// assumed when missing);
 * 2. else the workspace source without vault_url, when there is exactly one — or several that all say the same
 *    prefixes and sep (the first is named); several that disagree decide nothing;
 * 3. else the settings value (partial, merged over the defaults) when given;
 * 4. else Airflow's defaults.
 * Sources that did not parse, and sources naming another vault, never count.
 */
export function configForVault(vaultUrl: string, sources: readonly BackendConfigSource[], settings?: Partial<AirflowBackendConfig>): { config: AirflowBackendConfig; origin: ConfigOrigin } {
  const target = normalizeVaultUrlForCompare(vaultUrl);
  const parsed = sources.filter((s) => s.config !== undefined);
  const match = parsed.find((s) => s.config!.vaultUrl !== undefined && normalizeVaultUrlForCompare(s.config!.vaultUrl) === target);
  if (match) return { config: { ...match.config! }, origin: { kind: 'workspace', source: match } };
  const general = parsed.filter((s) => s.config!.vaultUrl === undefined);
  if (general.length > 0 && general.every((s) => sameConfig(s.config!, general[0]!.config!))) {
    return { config: { ...general[0]!.config! }, origin: { kind: 'workspace', source: general[0]! } };
  }
  if (settings) {
    const config: AirflowBackendConfig = { ...AIRFLOW_DEFAULTS };
    if (settings.connectionsPrefix !== undefined) config.connectionsPrefix = settings.connectionsPrefix;
    if (settings.variablesPrefix !== undefined) config.variablesPrefix = settings.variablesPrefix;
    if (settings.configPrefix !== undefined) config.configPrefix = settings.configPrefix;
    if (settings.sep !== undefined) config.sep = settings.sep;
    if (settings.vaultUrl !== undefined) config.vaultUrl = settings.vaultUrl;
    return { config, origin: { kind: 'settings' } };
  }
  return { config: { ...AIRFLOW_DEFAULTS }, origin: { kind: 'defaults' } };
}

/** Human text for the origin: "<file as given> line N", "settings (keyVault.airflow.backendKwargs)", "Airflow defaults". */
export function describeOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case 'workspace': return l10n.t('{0} line {1}', origin.source.file, origin.source.line);
    case 'settings': return l10n.t('settings (keyVault.airflow.backendKwargs)');
    case 'defaults': return l10n.t('Airflow defaults');
  }
}
