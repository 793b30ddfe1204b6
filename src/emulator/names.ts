// Name rules of the service (secret names are compared case-insensitively, stored with their casing).
import { invalidName, badParameter } from './errors';

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

export const MAX_VALUE_BYTES = 25 * 1024;
export const MAX_CONTENT_TYPE = 255;
export const MAX_TAGS = 15;
export const MAX_TAG_LENGTH = 512;

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Vault names: 3–24 chars, letters, digits and hyphens, starting with a letter, no consecutive hyphens. */
export function isValidVaultName(name: string): boolean {
  return VAULT_NAME.test(name) && !name.includes('--');
}

export function checkSecretName(name: string): void {
  if (!isValidSecretName(name)) throw invalidName(name);
}

export function checkValue(value: unknown): string {
  if (typeof value !== 'string') throw badParameter('The parameter value is required and must be a string.');
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw badParameter(`Secret value is too large. The maximum allowed size is ${MAX_VALUE_BYTES} bytes.`);
  }
  return value;
}

export function checkContentType(ct: unknown): string | undefined {
  if (ct === undefined || ct === null) return undefined;
  if (typeof ct !== 'string') throw badParameter('The parameter contentType must be a string.');
  if (ct.length > MAX_CONTENT_TYPE) {
    throw badParameter(`The content type is too long. The maximum length is ${MAX_CONTENT_TYPE} characters.`);
  }
  return ct;
}

export function checkTags(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw badParameter('The parameter tags must be an object.');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_TAGS) throw badParameter(`Too many tags. The maximum number of tags is ${MAX_TAGS}.`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw badParameter(`The value of tag '${k}' must be a string.`);
    if (k.length > MAX_TAG_LENGTH || k.length === 0) {
      throw badParameter(`Tag names must be 1 to ${MAX_TAG_LENGTH} characters long.`);
    }
    if (v.length > MAX_TAG_LENGTH) throw badParameter(`Tag values must be at most ${MAX_TAG_LENGTH} characters long.`);
    out[k] = v;
  }
  return out;
}
