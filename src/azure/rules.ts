// Key Vault rules the UI acts on (what a vault allows), kept with the services so every caller agrees.
import * as l10n from '@vscode/l10n';
import type { DeletedSecretProps } from './model';

/** Purge protection shows as a recovery level without "Purgeable" (Recoverable, CustomizedRecoverable). */
export function isPurgeable(p: Pick<DeletedSecretProps, 'recoveryLevel'>): boolean {
  return p.recoveryLevel === undefined || /Purgeable/i.test(p.recoveryLevel);
}

/** Certificate-backed secrets are read-only: Key Vault manages them through their certificate. */
export function certificateBackedMessage(name: string, action: 'change' | 'update' | 'delete' = 'change'): string {
  switch (action) {
    case 'change': return l10n.t('"{0}" backs a certificate and is read-only: change the certificate instead.', name);
    case 'update': return l10n.t('"{0}" backs a certificate and is read-only: update the certificate instead.', name);
    case 'delete': return l10n.t('"{0}" backs a certificate and is read-only: delete the certificate instead.', name);
  }
}
