// App Service / Azure Functions Key Vault references, @Microsoft.KeyVault(SecretUri=…) and
// @Microsoft.KeyVault(VaultName=…;SecretName=…[;SecretVersion=…]), wherever a value can hold one: JSON strings
// (local.settings.json, appsettings*.json, ARM templates), Bicep strings, YAML and .env values, and the string literals
// of code. Parsing is src/integrations/sdk.ts parseAppServiceReference. Pure (no vscode).
//
// A reference built with interpolation (Bicep '…VaultName=${kv.name};SecretName=db)', or
// SecretUri=${kv.properties.vaultUri}secrets/db/) still names its secret: it is reported without the vault, as long as
// the secret name (and version, when given) is literal text.
import { parseAppServiceReference } from '../integrations/sdk';
import { HOLE, sourceRange, type MappedText } from './lexer';
import type { SecretReference } from './model';

const START = /@Microsoft\.KeyVault\(/gi;
const PLACEHOLDER_HOST = 'https://placeholder.invalid/';

/** Parses the inner text (between the parentheses), replacing interpolated vault parts by a placeholder. */
function parseInner(inner: string): { name: string; version?: string; vaultUrl?: string; vaultName?: string } | undefined {
  if (!inner.includes(HOLE)) {
    const r = parseAppServiceReference(`@Microsoft.KeyVault(${inner})`);
    if (!r) return undefined;
    const v = r.version ? { version: r.version } : {};
    return r.vaultUrl ? { name: r.name, ...v, vaultUrl: r.vaultUrl.toLowerCase() } : { name: r.name, ...v, vaultName: r.vaultName };
  }
  const uri = /^\s*SecretUri=(.*)$/is.exec(inner);
  if (uri) {
    // the vault part may be interpolated (…=${vaultUri}secrets/name/): what follows it must be literal
    const m = /^\s*\uFFFF+\/?(secrets\/[^\uFFFF]*)$/i.exec(uri[1]!);
    if (!m) return undefined;
    const r = parseAppServiceReference(`@Microsoft.KeyVault(SecretUri=${PLACEHOLDER_HOST}${m[1]})`);
    return r ? { name: r.name, ...(r.version ? { version: r.version } : {}) } : undefined;
  }
  let vaultKnown = true;
  const fields = inner.split(';').map((seg) => {
    const eq = seg.indexOf('=');
    const key = eq < 0 ? '' : seg.slice(0, eq).trim().toLowerCase();
    if (key === 'vaultname' && seg.includes(HOLE)) {
      vaultKnown = false;
      return `${seg.slice(0, eq)}=placeholder`;
    }
    return seg;
  });
  const joined = fields.join(';');
  if (joined.includes(HOLE)) return undefined; // an interpolated secret name or version: unknown
  const r = parseAppServiceReference(`@Microsoft.KeyVault(${joined})`);
  if (!r) return undefined;
  return { name: r.name, ...(r.version ? { version: r.version } : {}), ...(vaultKnown ? { vaultName: r.vaultName } : {}) };
}

/** Every Key Vault reference in a decoded value; the range covers `@Microsoft.KeyVault(…)`. */
export function appServiceReferences(text: MappedText): SecretReference[] {
  const out: SecretReference[] = [];
  const s = text.value;
  START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = START.exec(s))) {
    const innerStart = m.index + m[0].length;
    const close = s.indexOf(')', innerStart);
    if (close < 0) break;
    const parsed = parseInner(s.slice(innerStart, close));
    if (!parsed) continue;
    const { start, end } = sourceRange(text, m.index, close + 1);
    const { name, ...rest } = parsed;
    out.push({ kind: 'appService', start, end, secretName: name, ...rest });
    START.lastIndex = close + 1;
  }
  return out;
}
