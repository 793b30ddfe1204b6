// What is wrong with a referenced secret, from metadata only (the tree's listings): never a value.
import * as l10n from '@vscode/l10n';
import type { DeletedSecretProps, SecretProps } from '../azure/model';

export type ReferenceProblem = 'missing' | 'disabled' | 'expired' | 'notYetValid' | 'deleted' | 'versionNotFound';

export interface ReferenceFacts {
  /** The secret's listing entry (latest), when it exists. */
  secret?: SecretProps;
  /** The deleted secret holding the name, when there is one. */
  deleted?: DeletedSecretProps;
  /** The secret's versions, when a version is referenced. */
  versions?: readonly SecretProps[];
}

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : '?');

/**
 * The problem a run would meet reading `name` (at `version`) from `vaultName`, or undefined when it reads fine.
 * `airflow` adds what Airflow does about it (a missing secret falls through to the next backend).
 */
export function referenceProblem(vaultName: string, name: string, version: string | undefined, facts: ReferenceFacts,
  airflow = false, now = Date.now()): { problem: ReferenceProblem; message: string } | undefined {
  const { secret, deleted } = facts;
  if (!secret) {
    if (deleted) {
      return {
        problem: 'deleted', message: deleted.scheduledPurgeDate
          ? l10n.t('Secret "{0}" was deleted from {1} on {2}; it can be recovered until {3}.', name, vaultName, day(deleted.deletedOn), day(deleted.scheduledPurgeDate))
          : l10n.t('Secret "{0}" was deleted from {1} on {2}; it can be recovered.', name, vaultName, day(deleted.deletedOn)),
      };
    }
    return {
      problem: 'missing', message: airflow
        ? l10n.t('Secret "{0}" does not exist in {1}. Airflow falls through to the next secrets backend, and the task fails if none has it.', name, vaultName)
        : l10n.t('Secret "{0}" does not exist in {1}.', name, vaultName),
    };
  }
  const target = version ? facts.versions?.find((v) => v.version?.toLowerCase() === version.toLowerCase()) : secret;
  if (version && facts.versions && !target) {
    return { problem: 'versionNotFound', message: l10n.t('Version {0} of "{1}" does not exist in {2}.', version, name, vaultName) };
  }
  const p = target ?? secret;
  if (!p.enabled) {
    return {
      problem: 'disabled', message: version
        ? l10n.t('Secret "{0}" version {1} is disabled: reading it fails (403 Forbidden).', name, version)
        : l10n.t('Secret "{0}" is disabled: reading it fails (403 Forbidden).', name),
    };
  }
  if (p.expiresOn && p.expiresOn.getTime() <= now) {
    return {
      problem: 'expired', message: version
        ? l10n.t('Secret "{0}" version {1} expired on {2}: reading it fails.', name, version, day(p.expiresOn))
        : l10n.t('Secret "{0}" expired on {1}: reading it fails.', name, day(p.expiresOn)),
    };
  }
  if (p.notBefore && p.notBefore.getTime() > now) {
    return {
      problem: 'notYetValid', message: version
        ? l10n.t('Secret "{0}" version {1} is not valid before {2}: reading it fails until then.', name, version, day(p.notBefore))
        : l10n.t('Secret "{0}" is not valid before {1}: reading it fails until then.', name, day(p.notBefore)),
    };
  }
  return undefined;
}
