// Environment-variable names for Key Vault secrets, and `.env` lines that point at a secret without holding its
// value. Pure (no vscode).
//
// Airflow reads connections and variables from the environment as airflow.secrets.environment_variables does:
//   CONN_ENV_PREFIX = "AIRFLOW_CONN_"; os.environ.get(CONN_ENV_PREFIX + conn_id.upper())
//   VAR_ENV_PREFIX  = "AIRFLOW_VAR_";  os.environ.get(VAR_ENV_PREFIX + key.upper())
// The value is used as it is: a connection in the URI form or (Airflow 2.3+) the JSON form, a variable's raw text.
import * as l10n from '@vscode/l10n';
import { appServiceReference } from '../integrations/sdk';

export const AIRFLOW_CONN_ENV_PREFIX = 'AIRFLOW_CONN_';
export const AIRFLOW_VAR_ENV_PREFIX = 'AIRFLOW_VAR_';

/** Names the shell or VS Code's terminal rely on: a secret value there would break the terminal. */
const RESERVED = new Set(['PATH', 'HOME', 'SHELL', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'TERM', 'TERM_PROGRAM', 'LANG', 'IFS',
  'PS1', 'PS2', 'PS4', 'PROMPT_COMMAND', 'ENV', 'BASH_ENV', 'ZDOTDIR', 'CDPATH', 'TMPDIR', 'LD_PRELOAD', 'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH', 'NODE_OPTIONS', 'COMSPEC', 'PATHEXT', 'SYSTEMROOT', 'USERPROFILE']);

/**
 * The default variable for a secret: upper case, every "-" (and anything else a portable name cannot hold) as "_",
 * a leading digit prefixed with "_". `db-password` → `DB_PASSWORD`, `1st-key` → `_1ST_KEY`.
 */
export function defaultEnvName(secretName: string): string {
  const upper = secretName.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  if (upper === '') return '_';
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

/** The variable Airflow reads for a conn id or a variable key: `AIRFLOW_CONN_<CONN_ID>` / `AIRFLOW_VAR_<KEY>`. */
export function airflowEnvName(kind: 'connection' | 'variable', id: string): string {
  // Python's str.upper() and String.prototype.toUpperCase() both use Unicode's full, locale-independent mapping
  return `${kind === 'connection' ? AIRFLOW_CONN_ENV_PREFIX : AIRFLOW_VAR_ENV_PREFIX}${id.toUpperCase()}`;
}

function describeChar(ch: string): string {
  if (ch === ' ') return l10n.t('a space');
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return l10n.t('the control character {0}', `U+${cp.toString(16).padStart(4, '0').toUpperCase()}`);
  if (/\s/u.test(ch)) return l10n.t('a whitespace character');
  return `"${ch}"`;
}

/**
 * Why `name` cannot be a variable of the terminal, else undefined. Portable names only (letters, digits, "_", not
 * starting with a digit: what every shell can set and read), and none the shell or the terminal needs (PATH, HOME, …,
 * VSCODE_*).
 */
export function validateEnvName(name: string): string | undefined {
  if (name.length === 0) return l10n.t('Enter a variable name.');
  if (name.length > 255) return l10n.t('A variable name has at most 255 characters.');
  if (/^[0-9]/.test(name)) return l10n.t('"{0}" starts with a digit: a variable name starts with a letter or "_".', name);
  const chars = [...name];
  const bad = chars.findIndex((c) => !/[A-Za-z0-9_]/.test(c));
  if (bad >= 0) {
    return l10n.t('{0} at position {1} of the variable name: use letters, digits and "_" only.', describeChar(chars[bad]!), bad + 1);
  }
  const upper = name.toUpperCase();
  if (RESERVED.has(upper) || upper.startsWith('VSCODE_')) {
    return l10n.t('{0} is used by the shell or the terminal: choose another name.', name);
  }
  return undefined;
}

/** The https origin of a vault URL with a trailing slash. */
function vaultOrigin(vaultUrl: string): string {
  let u: URL;
  try { u = new URL(vaultUrl.trim()); } catch { throw new Error(l10n.t('The vault URL is not a URL.')); }
  if (u.protocol !== 'https:') throw new Error(l10n.t('A vault URL must use https.'));
  return `${u.origin}/`;
}

export type EnvReferenceForm = 'appService' | 'comment';

/**
 * A `.env` line that points at the secret and never holds its value:
 * - appService: `DB_PASSWORD=@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/db-password/)` (with
 *   a version, pinned to it), which App Service / Functions / Container Apps resolve;
 * - comment: `# DB_PASSWORD: Key Vault secret db-password in https://v.vault.azure.net/ (value not stored here)`.
 */
export function envReferenceLine(envName: string, vaultUrl: string, secretName: string, form: EnvReferenceForm,
  version?: string): string {
  const problem = validateEnvName(envName);
  if (problem) throw new Error(problem);
  const v = version?.trim() || undefined;
  if (form === 'appService') {
    return `${envName}=${appServiceReference(v ? 'secretUriVersion' : 'secretUri', vaultUrl, secretName, v)}`;
  }
  // the same checks of name and version as the reference form
  appServiceReference(v ? 'secretUriVersion' : 'secretUri', vaultUrl, secretName, v);
  return `# ${envName}: Key Vault secret ${secretName}${v ? ` version ${v}` : ''} in ${vaultOrigin(vaultUrl)} (value not stored here)`;
}

export interface EnvAssignment {
  envName: string;
  secretName: string;
}

/** `A=one, B=two` — how the terminal command shows its variables for editing. */
export function formatEnvAssignments(assignments: readonly EnvAssignment[]): string {
  return assignments.map((a) => `${a.envName}=${a.secretName}`).join(', ');
}

/**
 * Reads `NAME=secret` entries separated by commas (or new lines). Each secret must be one of `secretNames` (Key
 * Vault names are case-insensitive; the result carries the listed spelling), a secret may appear under several
 * names, a name only once (in any case: Windows does not tell PATH from Path). Throws an Error saying what to fix.
 */
export function parseEnvAssignments(text: string, secretNames: readonly string[]): EnvAssignment[] {
  const known = new Map(secretNames.map((n) => [n.toLowerCase(), n]));
  const out: EnvAssignment[] = [];
  const seen = new Map<string, string>();
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(l10n.t('"{0}" is not NAME=secret.', part));
    const envName = part.slice(0, eq).trim();
    const secret = part.slice(eq + 1).trim();
    const problem = validateEnvName(envName);
    if (problem) throw new Error(problem);
    const secretName = known.get(secret.toLowerCase());
    if (secretName === undefined) {
      throw new Error(l10n.t('"{0}" is not one of the chosen secrets ({1}).', secret, secretNames.join(', ')));
    }
    const earlier = seen.get(envName.toUpperCase());
    if (earlier !== undefined) {
      throw new Error(earlier === envName ? l10n.t('{0} is set twice.', envName) : l10n.t('{0} and {1} differ only in case: use one.', earlier, envName));
    }
    seen.set(envName.toUpperCase(), envName);
    out.push({ envName, secretName });
  }
  if (out.length === 0) throw new Error(l10n.t('Set at least one variable, e.g. DB_PASSWORD=db-password.'));
  return out;
}
