// Union / Flyte conventions for Key Vault secrets. Pure (no vscode).
//
// Two unrelated mechanisms meet here:
// 1. Flyte's Azure secret webhook (flyteorg/flyte flytepropeller/pkg/secret/azure_secret_manager.go, and the same
//    file under flyteplugins/go/tasks/pluginmachinery/secret in flyte 2): a task asks for
//    Secret(group="<versionless secret URI>", group_version=…); an init container runs
//    `az keyvault secret show --id "<uri>/<group_version>"` and writes the value to
//    /etc/flyte/secrets/<name>[/<version>] (the whole path lower-cased), then sets FLYTE_SECRETS_DEFAULT_DIR to
//    /etc/flyte/secrets and FLYTE_SECRETS_FILE_PREFIX to "". flytekit's SecretsManager.get(group, key, group_version)
//    reads <default dir>/<group>[/<group_version>][/<prefix><key>] lower-cased, so the task reads it by the secret NAME.
// 2. Union-managed secrets stored in Key Vault by the embedded secret manager (azure_utils.go in the same
//    directories): name 1-<org>-<domain>-<project>-<BASE32(name), no padding> with 0 → 00 and - → 01 in
//    org/domain/project, at most 127 characters; value {"type":"STRING"|"BINARY","value":…}.
import * as l10n from '@vscode/l10n';

export interface FlyteSecretRequest {
  /** A flytekit Secret(...) expression for @task(secret_requests=[...]). */
  request: string;
  /** The Python expression that reads the value inside the task. */
  read: string;
}

/** A Python string literal (a JSON string literal is a valid Python 3 str literal). */
function py(s: string): string {
  return JSON.stringify(s);
}

/**
 * The flytekit request and the read line for a Key Vault secret used by a Union/Flyte task through the Azure webhook.
 * secretUri: versionless secret id https://<vault>.vault.azure.net/secrets/<name> (a trailing '/' is trimmed, as the
 * webhook does). Throws when the URI is not a versionless secret id or its last segment is not `name`.
 */
export function flyteSecretRequest(secretUri: string, name: string, version?: string): FlyteSecretRequest {
  const trimmed = secretUri.trim().replace(/\/+$/, '');
  let url: URL;
  try { url = new URL(trimmed); } catch { throw new Error(l10n.t('The secret URI is not a URL.')); }
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.protocol !== 'https:' || parts.length !== 2 || parts[0]!.toLowerCase() !== 'secrets' || url.search || url.hash) {
    throw new Error(l10n.t('Expected a versionless secret URI https://<vault>/secrets/<name>.'));
  }
  // The webhook names the file after the last path segment of the group.
  const uriName = decodeURIComponent(parts[1]!);
  if (uriName.toLowerCase() !== name.toLowerCase()) {
    throw new Error(l10n.t('The secret URI names "{0}", not "{1}".', uriName, name));
  }
  const v = version?.trim() || undefined;
  if (v !== undefined && !/^[0-9A-Za-z-]+$/.test(v)) throw new Error(l10n.t('A secret version has only letters, digits and hyphens.'));
  const group = `${url.origin}/secrets/${parts[1]}`;
  const request = `Secret(group=${py(group)}${v ? `, group_version=${py(v)}` : ''}, mount_requirement=Secret.MountType.FILE)`;
  const read = `current_context().secrets.get(${py(uriName)}${v ? `, group_version=${py(v)}` : ''})`;
  return { request, read };
}

/** The file the webhook writes and flytekit reads (both lower-case the path). */
export function flyteSecretFilePath(name: string, version?: string): string {
  return ['/etc/flyte/secrets', name, ...(version ? [version] : [])].join('/').toLowerCase();
}

/** What the task's identity needs on the vault (shown with the secret request and in the tree). */
export function flyteRoleNote(): string {
  return l10n.t('The task\'s Azure identity (the workload identity the Flyte webhook\'s init container signs in with, e.g. "userflyterole") needs the "Key Vault Secrets User" role on this vault (data action Microsoft.KeyVault/vaults/secrets/getSecret/action), or a "Get" secret access policy on a vault that uses access policies.');
}

export interface UnionSecretName { org: string; domain: string; project: string; name: string }

export const UNION_NAME_MAX = 127;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, without padding (Go's base32.StdEncoding.WithPadding(NoPadding)). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes unpadded upper-case base32; undefined for other characters, impossible lengths or stray low bits. */
export function base32Decode(text: string): Uint8Array | undefined {
  if (!/^[A-Z2-7]*$/.test(text) || [1, 3, 6].includes(text.length % 8)) return undefined;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc = (acc << 5) | B32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 255);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return undefined; // non-canonical: the encoder always leaves zero bits
  return Uint8Array.from(out);
}

function utf8Strict(bytes: Uint8Array): string | undefined {
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return undefined; }
}

function escapePart(s: string): string {
  return s.replaceAll('0', '00').replaceAll('-', '01');
}

/** Reverses escapePart; undefined on an escape other than 00 / 01 (Go's decoder errors there too). */
function unescapePart(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '0' && i + 1 < s.length) {
      const next = s[i + 1];
      if (next === '0') out += '0';
      else if (next === '1') out += '-';
      else return undefined;
      i++;
    } else {
      out += s[i];
    }
  }
  return out;
}

/**
 * 1-<org>-<domain>-<project>-<BASE32(name) without padding>, with 0 → 00 and - → 01 escaping in org/domain/project.
 * Undefined when the name is not of that form, the base32 does not decode to UTF-8, or the name is not the one
 * Union would write for what it decodes to (e.g. a trailing lone "0", which Go's decoder passes through).
 */
export function parseUnionSecretName(keyVaultName: string): UnionSecretName | undefined {
  if (keyVaultName.length > UNION_NAME_MAX) return undefined;
  const parts = keyVaultName.split('-');
  if (parts.length !== 5 || parts[0] !== '1') return undefined;
  const [, o, d, p, n] = parts as [string, string, string, string, string];
  if (!n) return undefined;
  const bytes = base32Decode(n);
  if (!bytes) return undefined;
  const name = utf8Strict(bytes);
  const org = unescapePart(o);
  const domain = unescapePart(d);
  const project = unescapePart(p);
  if (name === undefined || org === undefined || domain === undefined || project === undefined) return undefined;
  const result = { org, domain, project, name };
  try {
    return unionSecretName(result) === keyVaultName ? result : undefined;
  } catch {
    return undefined;
  }
}

/** The Key Vault name Union writes for a secret. Throws if it would exceed 127 characters or not be a Key Vault name. */
export function unionSecretName(s: UnionSecretName): string {
  // Union escapes only 0 and -; anything else outside [0-9A-Za-z] would make an invalid Key Vault name.
  const part = /^[0-9A-Za-z-]*$/;
  if (!part.test(s.org)) throw new Error(l10n.t('The organization may contain only letters, digits and hyphens.'));
  if (!part.test(s.domain)) throw new Error(l10n.t('The domain may contain only letters, digits and hyphens.'));
  if (!part.test(s.project)) throw new Error(l10n.t('The project may contain only letters, digits and hyphens.'));
  if (s.name.length === 0) throw new Error(l10n.t('A Union secret needs a name.'));
  const encoded = ['1', escapePart(s.org), escapePart(s.domain), escapePart(s.project),
    base32Encode(new TextEncoder().encode(s.name))].join('-');
  if (encoded.length > UNION_NAME_MAX) {
    throw new Error(l10n.t('The Key Vault name for this Union secret would have {0} characters; at most {1} are allowed.', encoded.length, UNION_NAME_MAX));
  }
  return encoded;
}

export type UnionEnvelope =
  | { type: 'STRING'; text: string }
  | { type: 'BINARY'; base64: string; byteLength: number; text?: string /* when the bytes are valid UTF-8 */ };

/**
 * Decodes the JSON envelope {"type":"STRING"|"BINARY","value":…} Union stores as the Key Vault value; undefined when
 * the value is not such an envelope (not JSON, not an object, type not exactly STRING or BINARY, value not a string,
 * or BINARY whose value is not standard padded base64). Never throws.
 */
export function decodeUnionEnvelope(value: string): UnionEnvelope | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(value); } catch { return undefined; }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  if (typeof o.value !== 'string') return undefined;
  if (o.type === 'STRING') return { type: 'STRING', text: o.value };
  if (o.type !== 'BINARY') return undefined;
  // Go's base64.StdEncoding skips \r and \n and requires padding.
  const b64 = o.value.replace(/[\r\n]/g, '');
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  const text = utf8Strict(bytes);
  return text === undefined ? { type: 'BINARY', base64: b64, byteLength: bytes.length }
    : { type: 'BINARY', base64: b64, byteLength: bytes.length, text };
}

/** A STRING envelope as Union writes it: the same JSON as Go's json.Marshal (which also escapes <, > and & as \u003c…). */
export function encodeUnionStringEnvelope(text: string): string {
  return JSON.stringify({ type: 'STRING', value: text });
}
