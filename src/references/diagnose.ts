// What is wrong with a referenced secret, from metadata only (the tree's listings): never a value.
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
      return { problem: 'deleted', message: `Secret "${name}" was deleted from ${vaultName} on ${day(deleted.deletedOn)}` +
        `${deleted.scheduledPurgeDate ? `; it can be recovered until ${day(deleted.scheduledPurgeDate)}` : '; it can be recovered'}.` };
    }
    return { problem: 'missing', message: `Secret "${name}" does not exist in ${vaultName}.` +
      (airflow ? ' Airflow falls through to the next secrets backend, and the task fails if none has it.' : '') };
  }
  const target = version ? facts.versions?.find((v) => v.version?.toLowerCase() === version.toLowerCase()) : secret;
  if (version && facts.versions && !target) {
    return { problem: 'versionNotFound', message: `Version ${version} of "${name}" does not exist in ${vaultName}.` };
  }
  const p = target ?? secret;
  if (!p.enabled) return { problem: 'disabled', message: `Secret "${name}"${version ? ` version ${version}` : ''} is disabled: reading it fails (403 Forbidden).` };
  if (p.expiresOn && p.expiresOn.getTime() <= now) {
    return { problem: 'expired', message: `Secret "${name}"${version ? ` version ${version}` : ''} expired on ${day(p.expiresOn)}: reading it fails.` };
  }
  if (p.notBefore && p.notBefore.getTime() > now) {
    return { problem: 'notYetValid', message: `Secret "${name}"${version ? ` version ${version}` : ''} is not valid before ${day(p.notBefore)}: reading it fails until then.` };
  }
  return undefined;
}
