// How a secret's metadata reads in the tree: description, tooltip, icon. Never a value.
import * as l10n from '@vscode/l10n';
import type { DeletedSecretProps, SecretProps } from '../azure/model';

const DAY = 24 * 60 * 60 * 1000;

export type SecretState = 'disabled' | 'expired' | 'notYetValid' | 'expiring' | 'ok';

export function secretState(p: SecretProps, now = Date.now()): SecretState {
  if (!p.enabled) return 'disabled';
  if (p.expiresOn && p.expiresOn.getTime() <= now) return 'expired';
  if (p.notBefore && p.notBefore.getTime() > now) return 'notYetValid';
  if (p.expiresOn && p.expiresOn.getTime() - now <= 30 * DAY) return 'expiring';
  return 'ok';
}

export function expiryText(p: SecretProps, now = Date.now()): string | undefined {
  if (!p.expiresOn) return undefined;
  const ms = p.expiresOn.getTime() - now;
  if (ms <= 0) return l10n.t('expired');
  const days = Math.floor(ms / DAY);
  if (days === 0) return l10n.t('expires today');
  return days === 1 ? l10n.t('expires in 1 day') : l10n.t('expires in {0} days', days);
}

/** A tag value or content type as presentation mode shows it. */
export const HIDDEN = '•••';

/** presenting: screen-sharing mode, which leaves content types out (and tag values, which the description never shows). */
export function secretDescription(p: SecretProps, now = Date.now(), presenting = false): string {
  const parts: string[] = [];
  if (p.managed) parts.push(l10n.t('certificate'));
  if (!p.enabled) parts.push(l10n.t('disabled'));
  else if (p.notBefore && p.notBefore.getTime() > now) parts.push(l10n.t('not before {0}', p.notBefore.toISOString().slice(0, 10)));
  const exp = expiryText(p, now);
  if (exp) parts.push(exp);
  if (p.contentType && !presenting) parts.push(p.contentType);
  const tagCount = p.tags ? Object.keys(p.tags).length : 0;
  if (tagCount) parts.push(tagCount === 1 ? l10n.t('1 tag') : l10n.t('{0} tags', tagCount));
  return parts.join(' · ');
}

export function secretIcon(p: SecretProps, now = Date.now()): { id: string; color?: string } {
  if (p.managed) return { id: 'workspace-trusted' };
  switch (secretState(p, now)) {
    case 'disabled': return { id: 'circle-slash', color: 'disabledForeground' };
    case 'expired': return { id: 'warning', color: 'list.errorForeground' };
    case 'expiring': return { id: 'key', color: 'list.warningForeground' };
    case 'notYetValid': return { id: 'watch' };
    default: return { id: 'key' };
  }
}

const fmt = (d: Date | undefined) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : undefined);

/** Markdown lines for a tooltip (escaped by the caller's MarkdownString.appendText where needed). */
export function secretTooltipLines(p: SecretProps, now = Date.now(), presenting = false): string[] {
  const lines: string[] = [];
  lines.push(p.version ? l10n.t('{0} (version {1})', p.name, p.version) : p.name);
  if (p.managed) lines.push(l10n.t('Backs a certificate: read-only here; manage it through the certificate.'));
  lines.push(p.enabled ? l10n.t('Enabled: yes') : l10n.t('Enabled: no'));
  if (p.contentType) lines.push(l10n.t('Content type: {0}', presenting ? HIDDEN : p.contentType));
  if (p.notBefore) lines.push(l10n.t('Activation: {0}', fmt(p.notBefore)!));
  if (p.expiresOn) lines.push(l10n.t('Expiry: {0} ({1})', fmt(p.expiresOn)!, expiryText(p, now)!));
  if (p.createdOn) lines.push(l10n.t('Created: {0}', fmt(p.createdOn)!));
  if (p.updatedOn) lines.push(l10n.t('Updated: {0}', fmt(p.updatedOn)!));
  for (const [k, v] of Object.entries(p.tags ?? {})) lines.push(l10n.t('Tag {0} = {1}', k, presenting ? HIDDEN : v));
  return lines;
}

export function deletedDescription(p: DeletedSecretProps): string {
  const parts: string[] = [];
  if (p.deletedOn) parts.push(l10n.t('deleted {0}', p.deletedOn.toISOString().slice(0, 10)));
  if (p.scheduledPurgeDate) parts.push(l10n.t('purge scheduled {0}', p.scheduledPurgeDate.toISOString().slice(0, 10)));
  return parts.join(' · ');
}

/** Case-insensitive substring filter on names; empty filter keeps everything. */
export function matchesFilter(name: string, filter: string | undefined): boolean {
  if (!filter) return true;
  return name.toLowerCase().includes(filter.toLowerCase());
}
