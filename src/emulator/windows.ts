// The service's timing windows: delete, recover and purge are asynchronous in Key Vault. The data plane
// answers 200/204 at once and finishes the work a few seconds later; meanwhile the name is "in transit" and
// the service gives intermediate answers. Each window is a per-vault length (seed `deleteDelayMs`,
// `recoverDelayMs`, `purgeDelayMs`; CLI flags for the default; admin API `/_admin/windows`), 0 by default.
//
// What the service answers during each window, and where that was checked:
//   delete  (after DELETE /secrets/x → 200)
//     GET /deletedsecrets/x → 404 SecretNotFound: the SDK's delete poller polls it and treats 404 as "still
//       deleting" (@azure/keyvault-secrets 4.12 lro/delete/operation.js);
//     GET /secrets/x → 404 SecretNotFound (the secret is gone from the live collection at once);
//     PUT /secrets/x → 409 Conflict + innererror ObjectIsBeingDeleted, "Secret x is currently being deleted."
//       (keyvault-facts.md; azure-sdk-for-net#34322 shows the innererror);
//     DELETE /deletedsecrets/x (purge) and POST …/recover → 409 Conflict + ObjectIsBeingDeleted,
//       "Secret is currently being deleted." (hashicorp/terraform-provider-azurerm#10454, Azure/azure-cli#12722,
//       and the azure-sdk-for-js keyvault test utilities that retry purge on exactly that message).
//   recover (after POST /deletedsecrets/x/recover → 200)
//     GET /secrets/x → 404 SecretNotFound: the SDK's recover poller polls it and treats 404 as "still
//       recovering" (lro/recover/operation.js);
//     PUT /secrets/x → 409 Conflict + innererror ObjectIsBeingRecovered, "Secret x is currently being
//       recovered and cannot be re-created; retry later." (hashicorp/terraform-provider-azurerm#12285,
//       Azure/azure-sdk-for-net#31581);
//     GET /deletedsecrets/x → 404: NOT verified against a public record; chosen so that the name is in
//       neither collection while in transit, as in the delete and purge windows (so recover and purge of it
//       answer 404 "Deleted Secret not found", and get/update/delete/backup of the secret 404 SecretNotFound).
//   purge   (after DELETE /deletedsecrets/x → 204)
//     GET /secrets/x and GET /deletedsecrets/x → 404 (Azure/azure-sdk-for-net#26027);
//     PUT /secrets/x → 409 Conflict + ObjectIsBeingDeleted, "Secret x is currently being deleted and cannot be
//       re-created; retry later." (Azure/azure-sdk-for-net#34322, Azure/azure-sdk-for-python#19263);
//     POST /secrets/restore of that name → 409 (Azure/azure-sdk-for-net#26027).
// Transit state is kept in memory only: a restart ends every window (the work is done by then).
import { KvError } from './errors';
import type { VaultConfig } from './model';

/** The three window lengths of a vault (ms). */
export interface VaultWindows {
  deleteDelayMs: number;
  recoverDelayMs: number;
  purgeDelayMs: number;
}

export const WINDOW_KEYS = ['deleteDelayMs', 'recoverDelayMs', 'purgeDelayMs'] as const;
export type WindowKey = typeof WINDOW_KEYS[number];

/** Longest window the emulator takes (10 minutes). */
export const MAX_WINDOW_MS = 600_000;

export const ZERO_WINDOWS: VaultWindows = { deleteDelayMs: 0, recoverDelayMs: 0, purgeDelayMs: 0 };

export class WindowError extends Error {}

/** A window length: an integer number of ms from 0 to MAX_WINDOW_MS; throws WindowError naming `what`. */
export function windowMs(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_WINDOW_MS) {
    throw new WindowError(`${what} must be an integer number of milliseconds from 0 to ${MAX_WINDOW_MS}`);
  }
  return v;
}

export const windowsOf = (v: VaultConfig): VaultWindows =>
  ({ deleteDelayMs: v.deleteDelayMs, recoverDelayMs: v.recoverDelayMs, purgeDelayMs: v.purgeDelayMs });

export type TransitKind = 'recovering' | 'purging';

/** Names in the recover or purge window (the delete window lives on the deleted record: `pendingUntil`). */
export class Transit {
  private readonly entries = new Map<string, { kind: TransitKind; until: number }>();

  private static key(vault: string, name: string): string {
    return `${vault.toLowerCase()}/${name.toLowerCase()}`;
  }

  start(vault: string, name: string, kind: TransitKind, ms: number): void {
    if (ms <= 0) return;
    this.entries.set(Transit.key(vault, name), { kind, until: Date.now() + ms });
  }

  /** The window a name is in right now (undefined once it has ended). */
  get(vault: string, name: string): TransitKind | undefined {
    const k = Transit.key(vault, name);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.until <= Date.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return e.kind;
  }

  /** Names of a vault in a window right now (lower case). */
  names(vault: string): Set<string> {
    const prefix = `${vault.toLowerCase()}/`;
    const out = new Set<string>();
    for (const k of [...this.entries.keys()]) {
      if (!k.startsWith(prefix)) continue;
      const name = k.slice(prefix.length);
      if (this.get(vault, name)) out.add(name);
    }
    return out;
  }

  clear(vault: string, name: string): void {
    this.entries.delete(Transit.key(vault, name));
  }
}

// ---- the service's answers --------------------------------------------------------------------------------

/** Set/restore while a delete is in progress. */
export const beingDeleted = (name: string): KvError =>
  new KvError(409, 'Conflict', `Secret ${name} is currently being deleted.`, 'ObjectIsBeingDeleted');

/** Purge or recover while a delete is in progress (the service's message names no secret). */
export const beingDeletedNoName = (): KvError =>
  new KvError(409, 'Conflict', 'Secret is currently being deleted.', 'ObjectIsBeingDeleted');

/** Set/restore right after a purge. */
export const beingPurged = (name: string): KvError =>
  new KvError(409, 'Conflict', `Secret ${name} is currently being deleted and cannot be re-created; retry later.`, 'ObjectIsBeingDeleted');

/** Set/restore while a recover is in progress. */
export const beingRecovered = (name: string): KvError =>
  new KvError(409, 'Conflict', `Secret ${name} is currently being recovered and cannot be re-created; retry later.`, 'ObjectIsBeingRecovered');
