// Backup blobs: opaque like the service's — the payload is encrypted with AES-256-GCM under a key kept in
// the emulator's state directory, so a blob never carries a plaintext secret value, and the GCM tag rejects
// any corrupted blob.
import * as crypto from 'node:crypto';
import { badParameter } from './errors';
import type { SecretRecord } from './model';

const MAGIC = Buffer.from('KVEMUBK1', 'ascii');

export interface BackupPayload {
  record: SecretRecord;
}

export function encodeBackup(payload: BackupPayload, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]).toString('base64url');
}

export const corruptBlob = () => badParameter('Backup blob contains invalid or corrupt version.');

export function decodeBackup(blob: unknown, key: Buffer): BackupPayload {
  if (typeof blob !== 'string' || blob.length === 0) throw corruptBlob();
  const raw = Buffer.from(blob, 'base64url');
  if (raw.length < MAGIC.length + 12 + 16 + 2 || !raw.subarray(0, MAGIC.length).equals(MAGIC)) throw corruptBlob();
  const iv = raw.subarray(MAGIC.length, MAGIC.length + 12);
  const tag = raw.subarray(MAGIC.length + 12, MAGIC.length + 28);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(raw.subarray(MAGIC.length + 28)), decipher.final()]).toString('utf8');
    const payload = JSON.parse(text) as BackupPayload;
    if (!payload.record || !Array.isArray(payload.record.versions) || payload.record.versions.length === 0) {
      throw new Error('shape');
    }
    return payload;
  } catch {
    throw corruptBlob();
  }
}
