// Key Vault rules the UI acts on (what a vault allows), kept with the services so every caller agrees.
import type { DeletedSecretProps } from './model';

/** Purge protection shows as a recovery level without "Purgeable" (Recoverable, CustomizedRecoverable). */
export function isPurgeable(p: Pick<DeletedSecretProps, 'recoveryLevel'>): boolean {
  return p.recoveryLevel === undefined || /Purgeable/i.test(p.recoveryLevel);
}

/** Certificate-backed secrets are read-only: Key Vault manages them through their certificate. */
export function certificateBackedMessage(name: string, action = 'change'): string {
  return `"${name}" backs a certificate and is read-only: ${action} the certificate instead.`;
}
