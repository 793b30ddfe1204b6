// Commands on secrets: set, reveal, copy, edit properties, delete, recover, purge, restore version,
// backup and restore. Values stay in memory: shown only in the read-only virtual document or copied
// to the clipboard (cleared after a delay), never logged, never written anywhere else.
import * as vscode from 'vscode';
import { classifyError } from '../azure/errors';
import type { DeletedSecretProps, SecretProps, SecretPropertiesUpdate, SecretWrite, VaultRef } from '../azure/model';
import { parseTags, validateContentType, validateSecretName, validateSecretValue, validateTags } from '../azure/names';
import { certificateBackedMessage, isPurgeable } from '../azure/rules';
import { retryWhileInWindow, type WindowKind } from '../azure/serviceWindows';
import { DeletedSecretNode, SecretNode } from '../tree/nodes';
import * as os from 'node:os';
import { reportError } from '../ui/output';
import { required, UserCancelled } from '../ui/prompts';
import { CONNECTION_SCHEME, connectionUri, parseConnectionUri } from '../ui/connectionDocument';
import { isPresenting } from '../ui/presentation';
import { parseSecretUri, SECRET_SCHEME, secretUri } from '../ui/secretDocument';
import { revealText } from '../integrations/secretKinds';
import { recognizeZenml, zenmlTagEditWarning } from '../integrations/zenml';
import { dateOrderProblem, datePairValidator, dateValidator, formatTags, parseDateInput } from './inputs';
import { deletedTarget, secretTarget, secretUrl, vaultTarget, withProgress, type CommandContext, type SecretRef } from './context';

async function askValue(ctx: CommandContext, name: string): Promise<string> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const sources = [
    { label: '$(key) ' + vscode.l10n.t('Enter the value'), id: 'input' },
    ...(selection !== undefined ? [{ label: '$(selection) ' + vscode.l10n.t('Use the editor selection'), description: vscode.l10n.t('{0} characters', selection.length), id: 'selection' }] : []),
    { label: '$(file) ' + vscode.l10n.t('Read the value from a file…'), id: 'file' },
  ];
  const source = required(await ctx.prompter.quickPick(sources, { placeHolder: vscode.l10n.t('Value of "{0}"', name) }));
  if (source.id === 'selection' && selection !== undefined) return checked(selection);
  if (source.id === 'file') {
    const uri = required(await ctx.prompter.openFile({ canSelectMany: false, openLabel: vscode.l10n.t('Use as secret value') }));
    const bytes = await vscode.workspace.fs.readFile(uri);
    return checked(Buffer.from(bytes).toString('utf8'));
  }
  return required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Value of "{0}" (hidden)', name), password: true, validateInput: (v) => validateSecretValue(v),
  }));
}

function checked(value: string): string {
  const problem = validateSecretValue(value);
  if (problem) throw new Error(problem);
  return value;
}

/** ZenML finds its secrets by tags: a change that hides one from ZenML needs a second yes. */
async function confirmZenmlTags(ctx: CommandContext, name: string, before: Record<string, string> | undefined,
  after: Record<string, string> | undefined): Promise<void> {
  const info = recognizeZenml(name, before);
  const warning = info && zenmlTagEditWarning(info, before, after);
  if (!warning) return;
  const saveAnyway = vscode.l10n.t('Save Anyway');
  if (await ctx.prompter.confirm(warning, vscode.l10n.t('Keep the tags ZenML reads to keep the secret visible to ZenML.'), saveAnyway) !== saveAnyway) {
    throw new UserCancelled();
  }
}

/** Asks for the optional properties; resolves false when the user just saves. */
async function askOptions(ctx: CommandContext, write: SecretWrite, existing?: SecretProps): Promise<boolean> {
  const choice = required(await ctx.prompter.quickPick([
    { label: '$(check) ' + vscode.l10n.t('Save'), id: 'save' },
    { label: '$(settings) ' + vscode.l10n.t('Save with content type, tags, dates…'), id: 'options' },
  ], { placeHolder: vscode.l10n.t('Save the secret') }));
  if (choice.id === 'save') return false;
  write.contentType = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Content type (optional), e.g. application/json, text/plain'), value: existing?.contentType ?? '',
    validateInput: (v) => validateContentType(v || undefined),
  })) || undefined;
  const tags = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Tags (optional): name=value, name2=value2'), value: formatTags(existing?.tags),
    validateInput: (v) => { try { return validateTags(parseTags(v)); } catch (e) { return (e as Error).message; } },
  }));
  write.tags = tags.trim() ? parseTags(tags) : undefined;
  if (existing) await confirmZenmlTags(ctx, existing.name, existing.tags, write.tags);
  const enabled = required(await ctx.prompter.quickPick([{ label: vscode.l10n.t('Enabled'), value: true }, { label: vscode.l10n.t('Disabled'), value: false }],
    { placeHolder: vscode.l10n.t('Enabled?') }));
  write.enabled = enabled.value;
  const nbf = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Activation date (optional): YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd'), validateInput: dateValidator }));
  write.notBefore = parseDateInput(nbf) ?? undefined;
  const exp = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Expiry date (optional): YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd'),
    validateInput: datePairValidator(() => write.notBefore, 'expiresOn') }));
  write.expiresOn = parseDateInput(exp) ?? undefined;
  // the input box refuses it already; this keeps a secret that is never valid from being sent in any case
  const order = dateOrderProblem(write.notBefore, write.expiresOn);
  if (order) throw new Error(order);
  return true;
}

/** Set Secret for a known vault and name (a reference's "Create" quick fix). */
export class SecretPrefill {
  constructor(readonly vault: VaultRef, readonly name: string) {}
}

/** keyVault.setSecret: create a secret or a new version. */
export async function setSecret(ctx: CommandContext, node?: unknown): Promise<SecretProps | undefined> {
  // a reference's quick fix "Create" names the vault and the secret
  const prefill = node instanceof SecretPrefill ? node : undefined;
  const vault = prefill ? prefill.vault : await vaultTarget(ctx, node);
  let name: string;
  let existing: SecretProps | undefined;
  if (node instanceof SecretNode) {
    name = node.name;
    existing = node.props;
  } else if (prefill) {
    name = prefill.name;
    existing = ctx.hub.knownSecret(vault, name);
  } else {
    name = required(await ctx.prompter.inputBox({
      prompt: vscode.l10n.t('Name of the secret in "{0}" (an existing name gets a new version)', vault.name),
      placeHolder: vscode.l10n.t('letters, digits and hyphens'), validateInput: (v) => validateSecretName(v),
    })).trim();
    existing = ctx.hub.knownSecret(vault, name);
  }
  if (existing?.managed) throw new Error(certificateBackedMessage(name, 'update'));
  const write: SecretWrite = { value: await askValue(ctx, name) };
  if (!(await askOptions(ctx, write, existing)) && existing) {
    // a plain new version keeps the content type and tags; "with options" sets them as entered (empty clears)
    write.contentType = existing.contentType;
    write.tags = existing.tags;
  }
  const result = await writeSecret(ctx, vault, name, write);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved "{0}" in {1} (version {2}).', name, vault.name, result.version?.slice(0, 8) ?? vscode.l10n.t('latest')));
  return result;
}

/**
 * Runs a service call again while Key Vault is still deleting, purging or recovering the name (409
 * ObjectIsBeingDeleted / ObjectIsBeingRecovered), showing the wait in the progress notification, within the hub's
 * bound. `cutOffAtBound`: the call itself waits for the service (a delete or recover poller).
 */
function whileInWindow<T>(ctx: CommandContext, vault: VaultRef, name: string, abortSignal: AbortSignal, report: (m: string) => void,
  op: (signal: AbortSignal) => Promise<T>, outcome: string, cutOffAtBound?: WindowKind): Promise<T> {
  return retryWhileInWindow(op, {
    secret: name, vault: vault.name, abortSignal, boundMs: ctx.hub.windowBoundMs, onWait: (m) => report(m), outcome, cutOffAtBound,
  });
}

/**
 * Saves a value (with progress); a name held by a deleted secret offers Recover or Purge and Create. While Key Vault
 * is still deleting, purging or recovering the name, the save waits for it (within a bound) before it is sent again.
 */
export async function writeSecret(ctx: CommandContext, vault: VaultRef, name: string, write: SecretWrite): Promise<SecretProps> {
  const service = ctx.hub.service(vault);
  let result: SecretProps;
  try {
    result = await withProgress(vscode.l10n.t('Saving "{0}" in {1}…', name, vault.name), (abortSignal, report) =>
      whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.setSecret(name, write, { abortSignal: signal }),
        vscode.l10n.t('Nothing was saved: try again in a minute.')));
  } catch (err) {
    const kind = classifyError(err).kind;
    if (kind === 'cancelled') {
      // the request may have reached the vault before the cancel: say so instead of implying nothing was saved
      ctx.tree.refreshVault(vault.url);
      void vscode.window.showWarningMessage(vscode.l10n.t('Stopped waiting for "{0}" to be saved in {1}. If the vault had already received the value, it is saved as a new version: refresh the vault to check.', name, vault.name));
      throw err;
    }
    if (kind !== 'conflictDeleted') throw err;
    result = await resolveDeletedConflict(ctx, vault, name, write, err);
  }
  ctx.tree.refreshVault(vault.url);
  return result;
}

/** The name is held by a deleted secret: recover it (then save the value as a new version), or purge and create. */
async function resolveDeletedConflict(ctx: CommandContext, vault: VaultRef, name: string, write: SecretWrite,
  conflict: unknown): Promise<SecretProps> {
  const service = ctx.hub.service(vault);
  const deleted = await service.getDeletedSecret(name);
  if (!deleted) throw conflict; // not a deleted secret after all: report the service's conflict as it is
  const purgeable = isPurgeable(deleted);
  const recover = vscode.l10n.t('Recover');
  const purgeAndCreate = vscode.l10n.t('Purge and Create');
  const buttons = purgeable ? [recover, purgeAndCreate] : [recover];
  const choice = await ctx.prompter.confirm(vscode.l10n.t('A deleted secret "{0}" still holds this name in {1}.', name, vault.name),
    purgeable
      ? vscode.l10n.t('Recover brings back the deleted secret and saves your value as its new version. Purge and Create deletes the old secret and all its versions permanently, then creates a new one.')
      : vscode.l10n.t('Recover brings back the deleted secret and saves your value as its new version. The vault has purge protection, so the name cannot be purged.'),
    ...buttons);
  if (choice === recover) {
    return withProgress(vscode.l10n.t('Recovering "{0}"…', name), async (abortSignal, report) => {
      // the recover poller waits until the secret answers again; then the value goes in as its new version
      await whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.recoverSecret(name, { abortSignal: signal, onProgress: report }),
        vscode.l10n.t('Your value was not saved: once the secret is back, set it again.'), 'recovering');
      return whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.setSecret(name, write, { abortSignal: signal }),
        vscode.l10n.t('The secret was recovered, but your value was not saved: try again in a minute.'));
    });
  }
  if (choice === purgeAndCreate) {
    return withProgress(vscode.l10n.t('Purging "{0}" and creating it anew…', name), async (abortSignal, report) => {
      await whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.purgeSecret(name, { abortSignal: signal }),
        vscode.l10n.t('Nothing was purged or saved: try again in a minute.'));
      // the purge answers at once but releases the name only when Key Vault has finished it: the set waits for that
      return whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.setSecret(name, write, { abortSignal: signal }),
        vscode.l10n.t('The deleted secret was purged, but your value was not saved: set it again in a minute.'));
    });
  }
  throw new UserCancelled();
}

/** keyVault.revealSecret: the value in a read-only virtual document. */
export async function revealSecret(ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  return revealSecretRef(ctx, await secretTarget(ctx, node, 'latestOrVersion'));
}

/** Reveals one secret (version) in the read-only virtual document. */
export async function revealSecretRef(ctx: CommandContext, ref: SecretRef, options: { shown?: boolean } = {}): Promise<vscode.TextEditor> {
  if (isPresenting() && !options.shown) {
    // presentation mode: a masked view; nothing is read until "Show Value" is clicked
    const hidden = await vscode.workspace.openTextDocument(secretUri({ ...ref, hidden: true }));
    return vscode.window.showTextDocument(hidden, { preview: true });
  }
  const uri = secretUri({ vault: ref.vault, name: ref.name, version: ref.version });
  // read first: a service error (disabled, RBAC, …) is then reported as such, not as "cannot open document"
  const { value } = await ctx.hub.service(ref.vault).getSecretValue(ref.name, ref.version);
  // a Union-managed secret shows the text its task reads, not the JSON envelope around it
  const shown = revealText(ref.name, value);
  ctx.documents.prime(uri, shown.text);
  ctx.documents.refresh(uri);
  if (shown.note) void vscode.window.setStatusBarMessage(`$(info) ${ref.name}: ${shown.note}`, 8000);
  // plain text on purpose: a language server (JSON, YAML) would read the value and may fetch a $schema URL in it
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}

/** keyVault.copySecretValue */
export async function copySecretValue(ctx: CommandContext, node?: unknown): Promise<void> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const { value } = await ctx.hub.service(ref.vault).getSecretValue(ref.name, ref.version);
  const seconds = vscode.workspace.getConfiguration('keyVault').get<number>('clipboard.clearAfterSeconds') ?? 30;
  await ctx.clipboard.copy(value, seconds);
  // presentation mode: no message at all, not even the secret's name, on a shared screen
  if (isPresenting()) return;
  void vscode.window.setStatusBarMessage(seconds > 0
    ? '$(key) ' + vscode.l10n.t('Copied the value of "{0}"; the clipboard clears in {1} s.', ref.name, seconds)
    : '$(key) ' + vscode.l10n.t('Copied the value of "{0}".', ref.name), 5000);
}

/** keyVault.copySecretUri */
export async function copySecretUri(ctx: CommandContext, node?: unknown): Promise<string> {
  // a deleted secret's URI is its recovery id (/deletedsecrets/<name>): /secrets/<name> would answer 404
  const uri = node instanceof DeletedSecretNode
    ? node.props.recoveryId ?? `${node.vault.url}deletedsecrets/${node.name}`
    : secretUrl(await secretTarget(ctx, node, 'latestOrVersion'));
  await vscode.env.clipboard.writeText(uri);
  void vscode.window.setStatusBarMessage('$(link) ' + vscode.l10n.t('Copied {0}', uri), 5000);
  return uri;
}

/** keyVault.editSecretProperties: content type, tags, enabled, dates — of the latest or one version. */
export async function editSecretProperties(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const ref = await secretTarget(ctx, node, 'version');
  if (ref.props?.managed) throw new Error(certificateBackedMessage(ref.name, 'update'));
  const p = ref.props;
  const fmtDate = (d?: Date) => (d ? d.toISOString().slice(0, 16) : '');
  const what = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Content type'), description: p?.contentType ?? vscode.l10n.t('(none)'), id: 'contentType' },
    { label: vscode.l10n.t('Tags'), description: formatTags(p?.tags) || vscode.l10n.t('(none)'), id: 'tags' },
    { label: p?.enabled === false ? vscode.l10n.t('Enable') : vscode.l10n.t('Disable'), id: 'enabled' },
    { label: vscode.l10n.t('Activation date'), description: fmtDate(p?.notBefore) || vscode.l10n.t('(none)'), id: 'notBefore' },
    { label: vscode.l10n.t('Expiry date'), description: fmtDate(p?.expiresOn) || vscode.l10n.t('(none)'), id: 'expiresOn' },
  ], { placeHolder: ref.version ? vscode.l10n.t('Edit a property of "{0}" version {1}', ref.name, ref.version.slice(0, 8)) : vscode.l10n.t('Edit a property of "{0}"', ref.name) }));
  const update: SecretPropertiesUpdate = {};
  switch (what.id) {
    case 'contentType':
      update.contentType = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Content type (empty clears it)'), value: p?.contentType ?? '',
        validateInput: (v) => validateContentType(v || undefined) }));
      break;
    case 'tags': {
      const text = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Tags: name=value, name2=value2 (empty removes all)'),
        value: formatTags(p?.tags), validateInput: (v) => { try { return validateTags(parseTags(v)); } catch (e) { return (e as Error).message; } } }));
      update.tags = parseTags(text);
      await confirmZenmlTags(ctx, ref.name, p?.tags, update.tags);
      break;
    }
    case 'enabled':
      update.enabled = p?.enabled === false;
      break;
    case 'notBefore':
    case 'expiresOn': {
      // the other date stays as it is: a date that would end the secret before it starts is refused while typing
      const other = () => (what.id === 'notBefore' ? p?.expiresOn : p?.notBefore);
      const text = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('{0}: YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd (empty clears it)', what.label),
        value: fmtDate(what.id === 'notBefore' ? p?.notBefore : p?.expiresOn), validateInput: datePairValidator(other, what.id) }));
      update[what.id] = parseDateInput(text);
      const order = what.id === 'notBefore' ? dateOrderProblem(update.notBefore, p?.expiresOn, 'notBefore')
        : dateOrderProblem(p?.notBefore, update.expiresOn, 'expiresOn');
      if (order) throw new Error(order);
      break;
    }
  }
  const result = await withProgress(vscode.l10n.t('Updating "{0}"…', ref.name), (abortSignal) =>
    ctx.hub.service(ref.vault).updateProperties(ref.name, ref.version, update, { abortSignal }));
  ctx.tree.refreshVault(ref.vault.url);
  return result;
}

/** keyVault.deleteSecret: confirm (naming vault and recovery days), delete, wait for the poller, offer Recover. */
export async function deleteSecret(ctx: CommandContext, node?: unknown): Promise<void> {
  const ref = await secretTarget(ctx, node, false);
  if (ref.props?.managed) throw new Error(certificateBackedMessage(ref.name, 'delete'));
  const days = ref.props?.recoverableDays ?? ref.vault.softDeleteRetentionDays;
  const deleteButton = vscode.l10n.t('Delete');
  const answer = await ctx.prompter.confirm(vscode.l10n.t('Delete secret "{0}" from vault "{1}"?', ref.name, ref.vault.name),
    days ? vscode.l10n.t('It can be recovered for {0} days, then it is purged.', days) : vscode.l10n.t('It can be recovered until the vault\'s retention period ends.'),
    deleteButton);
  if (answer !== deleteButton) return;
  const service = ctx.hub.service(ref.vault);
  let deleted: DeletedSecretProps;
  try {
    // done when the deleted secret can be read (the delete poller), so the tree then lists it under "Deleted secrets"
    deleted = await withProgress(vscode.l10n.t('Deleting "{0}" from {1}…', ref.name, ref.vault.name), (abortSignal, report) =>
      whileInWindow(ctx, ref.vault, ref.name, abortSignal, report, (signal) => service.deleteSecret(ref.name, { abortSignal: signal, onProgress: report }),
        vscode.l10n.t('It shows under "Deleted secrets" when Key Vault has finished: refresh in a minute.'), 'deleting'));
  } catch (err) {
    // the service goes on with a delete it has received: say so rather than imply nothing happened
    if (classifyError(err).kind === 'cancelled') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Stopped waiting for "{0}" to be deleted. If {1} had received the request, Key Vault finishes the delete on its own and the secret shows under "Deleted secrets": refresh in a moment.', ref.name, ref.vault.name));
    }
    throw err;
  } finally {
    ctx.tree.refreshVault(ref.vault.url);
  }
  const deletedMessage = deleted.scheduledPurgeDate
    ? vscode.l10n.t('Deleted "{0}". It can be recovered until {1}.', ref.name, deleted.scheduledPurgeDate.toISOString().slice(0, 10))
    : vscode.l10n.t('Deleted "{0}". It can be recovered.', ref.name);
  const recover = vscode.l10n.t('Recover');
  void vscode.window.showInformationMessage(deletedMessage, recover).then(async (choice) => {
    if (choice !== recover) return;
    try {
      await recoverByName(ctx, ref.vault, ref.name);
    } catch (err) {
      reportError(err, { vaultName: ref.vault.name, secret: ref.name });
    }
  });
}

export async function recoverByName(ctx: CommandContext, vault: VaultRef, name: string): Promise<SecretProps> {
  const service = ctx.hub.service(vault);
  let result: SecretProps;
  try {
    // done when the secret answers again (the recover poller): a reveal right after shows the value, not a 404;
    // a recover sent while Key Vault is still finishing a delete waits for that first
    result = await withProgress(vscode.l10n.t('Recovering "{0}" in {1}…', name, vault.name), (abortSignal, report) =>
      whileInWindow(ctx, vault, name, abortSignal, report, (signal) => service.recoverSecret(name, { abortSignal: signal, onProgress: report }),
        vscode.l10n.t('It is back in the vault when Key Vault has finished: refresh in a minute.'), 'recovering'));
  } catch (err) {
    if (classifyError(err).kind === 'cancelled') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Stopped waiting for "{0}" to be recovered. If {1} had received the request, Key Vault finishes the recovery on its own: refresh in a moment.', name, vault.name));
    }
    throw err;
  } finally {
    ctx.tree.refreshVault(vault.url);
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('Recovered "{0}" in {1}.', name, vault.name));
  return result;
}

/** keyVault.recoverSecret */
export async function recoverSecret(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const ref = await deletedTarget(ctx, node);
  return recoverByName(ctx, ref.vault, ref.name);
}

/** keyVault.purgeSecret: only where the vault allows it; the user types the name. */
export async function purgeSecret(ctx: CommandContext, node?: unknown): Promise<void> {
  const ref = await deletedTarget(ctx, node);
  const props = ref.props as Parameters<typeof isPurgeable>[0] | undefined;
  if (props && !isPurgeable(props)) {
    throw new Error(vscode.l10n.t('Vault "{0}" has purge protection: "{1}" can only be recovered, and is purged automatically on its scheduled date.', ref.vault.name, ref.name));
  }
  required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Purging deletes "{0}" and all its versions permanently. Type the secret\'s name to confirm.', ref.name),
    placeHolder: ref.name,
    validateInput: (v) => (v === ref.name ? undefined : vscode.l10n.t('Type "{0}" exactly to purge it.', ref.name)),
  }));
  const service = ctx.hub.service(ref.vault);
  // a purge sent while Key Vault is still finishing the delete (409) waits for it
  await withProgress(vscode.l10n.t('Purging "{0}"…', ref.name), (abortSignal, report) =>
    whileInWindow(ctx, ref.vault, ref.name, abortSignal, report, (signal) => service.purgeSecret(ref.name, { abortSignal: signal }),
      vscode.l10n.t('Nothing was purged: try again in a minute.')));
  ctx.tree.refreshVault(ref.vault.url);
  // the name is free again only once Key Vault has finished the purge; Set Secret waits for that
  void vscode.window.showInformationMessage(vscode.l10n.t('Purged "{0}" from {1}.', ref.name, ref.vault.name));
}

/** keyVault.restoreVersion: an older version's value (content type, tags) becomes the new latest version. */
export async function restoreVersion(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const ref = await secretTarget(ctx, node, 'version');
  if (!ref.version) throw new Error(vscode.l10n.t('Choose a version to restore.'));
  const restoreButton = vscode.l10n.t('Restore');
  const answer = await ctx.prompter.confirm(vscode.l10n.t('Make version {0} of "{1}" the latest?', ref.version.slice(0, 8), ref.name),
    vscode.l10n.t('Its value, content type and tags are saved as a new version; the current version stays in the history.'), restoreButton);
  if (answer !== restoreButton) return required<SecretProps>(undefined);
  const service = ctx.hub.service(ref.vault);
  const result = await withProgress(vscode.l10n.t('Restoring "{0}"…', ref.name), async (abortSignal) => {
    const old = await service.getSecretValue(ref.name, ref.version, { abortSignal });
    return service.setSecret(ref.name, { value: old.value, contentType: old.properties.contentType, tags: old.properties.tags }, { abortSignal });
  });
  ctx.tree.refreshVault(ref.vault.url);
  void vscode.window.showInformationMessage(vscode.l10n.t('Version {0} of "{1}" is now the latest ({2}).', ref.version.slice(0, 8), ref.name, String(result.version?.slice(0, 8))));
  return result;
}

/** keyVault.backupSecret: the service's (protected) backup blob, to a file. */
export async function backupSecret(ctx: CommandContext, node?: unknown): Promise<vscode.Uri> {
  const ref = await secretTarget(ctx, node, false);
  const target = required(await ctx.prompter.saveFile({
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), `${ref.name}.keyvault-backup`),
    filters: { [vscode.l10n.t('Key Vault backup')]: ['keyvault-backup'] }, saveLabel: vscode.l10n.t('Back Up'),
  }));
  const blob = await withProgress(vscode.l10n.t('Backing up "{0}"…', ref.name), (abortSignal) => ctx.hub.service(ref.vault).backupSecret(ref.name, { abortSignal }));
  await vscode.workspace.fs.writeFile(target, blob);
  void vscode.window.showInformationMessage(vscode.l10n.t('Backed up "{0}" (all versions) to {1}. It can be restored into a vault of the same subscription and geography.', ref.name, target.fsPath));
  return target;
}

/** keyVault.restoreSecretBackup */
export async function restoreSecretBackup(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const vault = await vaultTarget(ctx, node);
  const file = required(await ctx.prompter.openFile({ canSelectMany: false, openLabel: vscode.l10n.t('Restore'), filters: { [vscode.l10n.t('Key Vault backup')]: ['keyvault-backup'], [vscode.l10n.t('All files')]: ['*'] } }));
  const blob = await vscode.workspace.fs.readFile(file);
  const result = await withProgress(vscode.l10n.t('Restoring into {0}…', vault.name), (abortSignal) => ctx.hub.service(vault).restoreSecretBackup(blob, { abortSignal }));
  ctx.tree.refreshVault(vault.url);
  void vscode.window.showInformationMessage(vscode.l10n.t('Restored "{0}" into {1}.', result.name, vault.name));
  return result;
}

/** keyVault.showHiddenValue: the "Show Value" of a masked view (presentation mode) opens it with the value. */
export async function showHiddenValue(ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  const uri = node instanceof vscode.Uri ? node : vscode.window.activeTextEditor?.document.uri;
  let editor: vscode.TextEditor;
  if (uri?.scheme === SECRET_SCHEME && parseSecretUri(uri).hidden) {
    const loc = parseSecretUri(uri);
    editor = await revealSecretRef(ctx, { vault: loc.vault, name: loc.name, version: loc.version }, { shown: true });
  } else if (uri?.scheme === CONNECTION_SCHEME && parseConnectionUri(uri).hidden) {
    const doc = await vscode.workspace.openTextDocument(connectionUri({ ...parseConnectionUri(uri), hidden: false }));
    editor = await vscode.window.showTextDocument(doc, { preview: true });
  } else {
    throw new Error(vscode.l10n.t('Open a hidden secret view first (Reveal Secret Value in presentation mode).'));
  }
  // the masked view has done its job (a preview tab was replaced already; a pinned one is closed here)
  const masked = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
  if (masked.length) await vscode.window.tabGroups.close(masked, true);
  return editor;
}
