// What users type for tags and dates, parsed without any vscode dependency (unit-tested in plain Node).
import * as l10n from '@vscode/l10n';

const DAY = 24 * 60 * 60 * 1000;

export function formatTags(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** "2026-12-31", "2026-12-31T08:00" (both UTC), an ISO date with a zone, "+30d", or empty (clears). */
export function parseDateInput(input: string, now = Date.now()): Date | null {
  const t = input.trim();
  if (!t) return null;
  const rel = /^\+(\d+)\s*d(ays?)?$/i.exec(t);
  if (rel) return new Date(now + Number(rel[1]) * DAY);
  const utc = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(t) ? `${t}Z` : t;
  const d = new Date(utc);
  if (Number.isNaN(d.getTime())) throw new Error(l10n.t('"{0}" is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or +Nd.', t));
  return d;
}

export function dateValidator(input: string): string | undefined {
  try {
    parseDateInput(input);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function formatDate(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A secret whose expiry is not after its activation is never valid: the message says which date to change.
 * Undefined when either date is missing or the order is right.
 */
export function dateOrderProblem(notBefore: Date | null | undefined, expiresOn: Date | null | undefined,
  changing: 'notBefore' | 'expiresOn' = 'expiresOn'): string | undefined {
  if (!notBefore || !expiresOn || expiresOn.getTime() > notBefore.getTime()) return undefined;
  return changing === 'expiresOn'
    ? l10n.t('The expiry date ({0}) must be after the activation date ({1}): the secret would never be valid. Enter a later expiry date, or leave it empty.',
      formatDate(expiresOn), formatDate(notBefore))
    : l10n.t('The activation date ({0}) must be before the expiry date ({1}): the secret would never be valid. Enter an earlier activation date, or change the expiry date first.',
      formatDate(notBefore), formatDate(expiresOn));
}

/** Validates a date input and, when it parses, its order against the other date of the secret. */
export function datePairValidator(other: () => Date | null | undefined, changing: 'notBefore' | 'expiresOn') {
  return (input: string): string | undefined => {
    const syntax = dateValidator(input);
    if (syntax) return syntax;
    const d = parseDateInput(input);
    return changing === 'expiresOn' ? dateOrderProblem(other(), d, changing) : dateOrderProblem(d, other(), changing);
  };
}
