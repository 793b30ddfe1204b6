// Key Vault's naming and size rules, checked before a request so the user sees what is wrong while typing.
import type { CloudEnvironment } from './model';

export const SECRET_NAME_MAX = 127;
/** Key Vault stores at most 25 KB per secret value (UTF-8 bytes). */
export const SECRET_VALUE_MAX_BYTES = 25 * 1024;
export const CONTENT_TYPE_MAX = 255;
export const TAGS_MAX = 15;
export const TAG_PART_MAX = 512;

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  if (/\s/.test(ch)) return 'a whitespace character';
  const cp = ch.codePointAt(0)!;
  return cp < 0x20 || cp === 0x7f ? `the control character U+${cp.toString(16).padStart(4, '0').toUpperCase()}` : `"${ch}"`;
}

/** Returns undefined when valid, otherwise a message saying what is wrong. */
export function validateSecretName(name: string): string | undefined {
  if (name.length === 0) return 'Enter a secret name (1–127 letters, digits and hyphens).';
  const chars = [...name];
  const bad = chars.findIndex((c) => !/^[0-9a-zA-Z-]$/.test(c));
  if (bad >= 0) {
    return `A secret name may contain only letters, digits and hyphens: ${describeChar(chars[bad]!)} at position ${bad + 1} is not allowed.`;
  }
  if (name.length > SECRET_NAME_MAX) {
    return `A secret name may have at most ${SECRET_NAME_MAX} characters; this one has ${name.length}.`;
  }
  return undefined;
}

export function utf8Size(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
}

/** Key Vault accepts an empty value (the portal does not); only the size is limited. */
export function validateSecretValue(value: string): string | undefined {
  const size = utf8Size(value);
  if (size > SECRET_VALUE_MAX_BYTES) {
    return `The value is ${formatBytes(size)} in UTF-8; Key Vault allows at most ${formatBytes(SECRET_VALUE_MAX_BYTES)}.`;
  }
  return undefined;
}

export function validateContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  if (contentType.length > CONTENT_TYPE_MAX) {
    return `A content type may have at most ${CONTENT_TYPE_MAX} characters; this one has ${contentType.length}.`;
  }
  return undefined;
}

export function validateTags(tags: Record<string, string> | undefined): string | undefined {
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > TAGS_MAX) return `A secret may have at most ${TAGS_MAX} tags; this one has ${entries.length}.`;
  for (const [k, v] of entries) {
    if (k.trim().length === 0) return 'A tag name must not be empty.';
    if (k.length > TAG_PART_MAX) return `The tag name "${k.slice(0, 40)}…" is longer than ${TAG_PART_MAX} characters.`;
    if (typeof v !== 'string') return `The tag "${k}" must have a text value.`;
    if (v.length > TAG_PART_MAX) return `The value of tag "${k}" is longer than ${TAG_PART_MAX} characters.`;
  }
  return undefined;
}

/** Parses "a=b, c=d" (the form the UI asks for) into tags; throws with a message on a malformed entry. */
export function parseTags(input: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of input.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not name=value.`);
    tags[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const err = validateTags(tags);
  if (err) throw new Error(err);
  return tags;
}

export function validateVaultName(name: string): string | undefined {
  if (name.length < 3 || name.length > 24) {
    return `A vault name has 3–24 characters; "${name}" has ${name.length}.`;
  }
  if (!/^[a-zA-Z]/.test(name)) return `A vault name must start with a letter: "${name}".`;
  const bad = [...name].find((c) => !/^[0-9a-zA-Z-]$/.test(c));
  if (bad !== undefined) return `A vault name may contain only letters, digits and hyphens, not ${describeChar(bad)}.`;
  if (name.includes('--')) return `A vault name must not contain consecutive hyphens: "${name}".`;
  if (name.endsWith('-')) return `A vault name must end with a letter or digit: "${name}".`;
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
  if (!text) throw new Error('Enter a vault URL (https://<name>.' + cloud.keyVaultDnsSuffix + '/) or a vault name.');
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try { url = new URL(text); } catch { throw new Error(`"${text}" is not a valid URL.`); }
    if (url.protocol !== 'https:') throw new Error(`A vault URL must use https: "${text}".`);
  } else if (text.includes('.') || text.includes(':') || text.includes('/')) {
    try { url = new URL(`https://${text}`); } catch { throw new Error(`"${text}" is not a valid host name.`); }
  } else {
    const err = validateVaultName(text);
    if (err) throw new Error(err);
    url = new URL(`https://${text.toLowerCase()}.${cloud.keyVaultDnsSuffix}/`);
  }
  if (url.username || url.password) throw new Error('A vault URL must not contain credentials.');
  if (url.search || url.hash) throw new Error('A vault URL has no query or fragment.');
  const path = url.pathname.replace(/\/+$/, '');
  if (path && !/^\/(secrets|deletedsecrets|keys|certificates)(\/|$)/i.test(path)) {
    throw new Error(`"${text}" is not a vault URL: expected https://<vault>.${cloud.keyVaultDnsSuffix}/`);
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
  try { url = new URL(id); } catch { throw new Error(`"${id}" is not a secret identifier.`); }
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.protocol !== 'https:' || parts.length < 2 || parts.length > 3 ||
    !/^(secrets|deletedsecrets)$/i.test(parts[0]!)) {
    throw new Error(`"${id}" is not a secret identifier (https://<vault>/secrets/<name>[/<version>]).`);
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
