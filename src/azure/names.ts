// Key Vault's naming and size rules, checked before a request so the user sees what is wrong while typing.
import * as l10n from '@vscode/l10n';
import type { CloudEnvironment } from './model';

export const SECRET_NAME_MAX = 127;
/** Key Vault stores at most 25 KB per secret value (UTF-8 bytes). */
export const SECRET_VALUE_MAX_BYTES = 25 * 1024;
export const CONTENT_TYPE_MAX = 255;
export const TAGS_MAX = 15;
export const TAG_PART_MAX = 512;

function describeChar(ch: string): string {
  if (ch === ' ') return l10n.t('a space');
  if (/\s/.test(ch)) return l10n.t('a whitespace character');
  const cp = ch.codePointAt(0)!;
  return cp < 0x20 || cp === 0x7f ? l10n.t('the control character {0}', `U+${cp.toString(16).padStart(4, '0').toUpperCase()}`) : `"${ch}"`;
}

/** Returns undefined when valid, otherwise a message saying what is wrong. */
export function validateSecretName(name: string): string | undefined {
  if (name.length === 0) return l10n.t('Enter a secret name (1–127 letters, digits and hyphens).');
  const chars = [...name];
  const bad = chars.findIndex((c) => !/^[0-9a-zA-Z-]$/.test(c));
  if (bad >= 0) {
    return l10n.t('A secret name may contain only letters, digits and hyphens: {0} at position {1} is not allowed.', describeChar(chars[bad]!), bad + 1);
  }
  if (name.length > SECRET_NAME_MAX) {
    return l10n.t('A secret name may have at most {0} characters; this one has {1}.', SECRET_NAME_MAX, name.length);
  }
  return undefined;
}

export function utf8Size(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function formatBytes(n: number): string {
  return n < 1024 ? l10n.t('{0} bytes', n) : l10n.t('{0} KiB ({1} bytes)', (n / 1024).toFixed(1), n);
}

/** Key Vault accepts an empty value (the portal does not); only the size is limited. */
export function validateSecretValue(value: string): string | undefined {
  const size = utf8Size(value);
  if (size > SECRET_VALUE_MAX_BYTES) {
    return l10n.t('The value is {0} in UTF-8; Key Vault allows at most {1}.', formatBytes(size), formatBytes(SECRET_VALUE_MAX_BYTES));
  }
  return undefined;
}

export function validateContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  if (contentType.length > CONTENT_TYPE_MAX) {
    return l10n.t('A content type may have at most {0} characters; this one has {1}.', CONTENT_TYPE_MAX, contentType.length);
  }
  return undefined;
}

export function validateTags(tags: Record<string, string> | undefined): string | undefined {
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > TAGS_MAX) return l10n.t('A secret may have at most {0} tags; this one has {1}.', TAGS_MAX, entries.length);
  for (const [k, v] of entries) {
    if (k.trim().length === 0) return l10n.t('A tag name must not be empty.');
    if (k.length > TAG_PART_MAX) return l10n.t('The tag name "{0}…" is longer than {1} characters.', k.slice(0, 40), TAG_PART_MAX);
    if (typeof v !== 'string') return l10n.t('The tag "{0}" must have a text value.', k);
    if (v.length > TAG_PART_MAX) return l10n.t('The value of tag "{0}" is longer than {1} characters.', k, TAG_PART_MAX);
  }
  return undefined;
}

/** Parses "a=b, c=d" (the form the UI asks for) into tags; throws with a message on a malformed entry. */
export function parseTags(input: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of input.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(l10n.t('"{0}" is not name=value.', part));
    tags[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const err = validateTags(tags);
  if (err) throw new Error(err);
  return tags;
}

export function validateVaultName(name: string): string | undefined {
  if (name.length < 3 || name.length > 24) {
    return l10n.t('A vault name has 3–24 characters; "{0}" has {1}.', name, name.length);
  }
  if (!/^[a-zA-Z]/.test(name)) return l10n.t('A vault name must start with a letter: "{0}".', name);
  const bad = [...name].find((c) => !/^[0-9a-zA-Z-]$/.test(c));
  if (bad !== undefined) return l10n.t('A vault name may contain only letters, digits and hyphens, not {0}.', describeChar(bad));
  if (name.includes('--')) return l10n.t('A vault name must not contain consecutive hyphens: "{0}".', name);
  if (name.endsWith('-')) return l10n.t('A vault name must end with a letter or digit: "{0}".', name);
  return undefined;
}

export function secretNamesEqual(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Lower-case origin with a trailing slash: https://myvault.vault.azure.net/ */
export function normalizeVaultUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host.toLowerCase()}/`;
}

export interface ParsedVaultUrl {
  name: string;
  url: string;
}

/**
 * Accepts a vault URL (https://name.vault.azure.net[/…]), a host name (name.vault.azure.net) or a bare vault
 * name (→ URL in the cloud's suffix). Throws an Error whose message says what is wrong.
 */
export function parseVaultUrl(input: string, cloud: Pick<CloudEnvironment, 'keyVaultDnsSuffix'>): ParsedVaultUrl {
  const text = input.trim();
  if (!text) throw new Error(l10n.t('Enter a vault URL (https://<name>.{0}/) or a vault name.', cloud.keyVaultDnsSuffix));
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try { url = new URL(text); } catch { throw new Error(l10n.t('"{0}" is not a valid URL.', text)); }
    if (url.protocol !== 'https:') throw new Error(l10n.t('A vault URL must use https: "{0}".', text));
  } else if (text.includes('.') || text.includes(':') || text.includes('/')) {
    try { url = new URL(`https://${text}`); } catch { throw new Error(l10n.t('"{0}" is not a valid host name.', text)); }
  } else {
    const err = validateVaultName(text);
    if (err) throw new Error(err);
    url = new URL(`https://${text.toLowerCase()}.${cloud.keyVaultDnsSuffix}/`);
  }
  if (url.username || url.password) throw new Error(l10n.t('A vault URL must not contain credentials.'));
  if (url.search || url.hash) throw new Error(l10n.t('A vault URL has no query or fragment.'));
  const path = url.pathname.replace(/\/+$/, '');
  if (path && !/^\/(secrets|deletedsecrets|keys|certificates)(\/|$)/i.test(path)) {
    throw new Error(l10n.t('"{0}" is not a vault URL: expected https://<vault>.{1}/', text, cloud.keyVaultDnsSuffix));
  }
  const host = url.hostname.toLowerCase();
  const name = host.split('.')[0]!;
  const err = validateVaultName(name);
  if (err) throw new Error(err);
  return { name, url: `https://${url.host.toLowerCase()}/` };
}

export interface ParsedSecretId {
  vaultUrl: string;
  name: string;
  version?: string;
}

/** https://v.vault.azure.net/secrets/<name>[/<version>] (also /deletedsecrets/<name>). */
export function parseSecretId(id: string): ParsedSecretId {
  let url: URL;
  try { url = new URL(id); } catch { throw new Error(l10n.t('"{0}" is not a secret identifier.', id)); }
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.protocol !== 'https:' || parts.length < 2 || parts.length > 3 ||
    !/^(secrets|deletedsecrets)$/i.test(parts[0]!)) {
    throw new Error(l10n.t('"{0}" is not a secret identifier (https://<vault>/secrets/<name>[/<version>]).', id));
  }
  const name = decodeURIComponent(parts[1]!);
  const nameErr = validateSecretName(name);
  if (nameErr) throw new Error(nameErr);
  return {
    vaultUrl: `https://${url.host.toLowerCase()}/`,
    name,
    version: parts[2] ? decodeURIComponent(parts[2]) : undefined,
  };
}
