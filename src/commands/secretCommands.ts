// Commands on secrets: set, reveal, copy, edit properties, delete, recover, purge, restore version,
// backup and restore. Values stay in memory: shown only in the read-only virtual document or copied
// to the clipboard (cleared after a delay), never logged, never written anywhere else.
import * as vscode from 'vscode';
import { classifyError } from '../azure/errors';
import type { SecretProps, SecretPropertiesUpdate, SecretWrite, VaultRef } from '../azure/model';
import { parseTags, validateContentType, validateSecretName, validateSecretValue, validateTags } from '../azure/names';
import { certificateBackedMessage, isPurgeable } from '../azure/rules';
import { DeletedSecretNode, SecretNode } from '../tree/nodes';
import * as os from 'node:os';
import { reportError } from '../ui/output';
import { required, UserCancelled } from '../ui/prompts';
import { secretUri } from '../ui/secretDocument';
import { revealText } from '../integrations/secretKinds';
import { recognizeZenml, zenmlTagEditWarning } from '../integrations/zenml';
import { dateOrderProblem, datePairValidator, dateValidator, formatTags, parseDateInput } from './inputs';
import { deletedTarget, secretTarget, secretUrl, vaultTarget, withProgress, type CommandContext, type SecretRef } from './context';

async function askValue(ctx: CommandContext, name: string): Promise<string> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const sources = [
    { label: '$(key) Enter the value', id: 'input' },
    ...(selection !== undefined ? [{ label: '$(selection) Use the editor selection', description: `${selection.length} characters`, id: 'selection' }] : []),
    { label: '$(file) Read the value from a file…', id: 'file' },
  ];
  const source = required(await ctx.prompter.quickPick(sources, { placeHolder: `Value of "${name}"` }));
  if (source.id === 'selection' && selection !== undefined) return checked(selection);
  if (source.id === 'file') {
    const uri = required(await ctx.prompter.openFile({ canSelectMany: false, openLabel: 'Use as secret value' }));
    const bytes = await vscode.workspace.fs.readFile(uri);
    return checked(Buffer.from(bytes).toString('utf8'));
  }
  return required(await ctx.prompter.inputBox({
    prompt: `Value of "${name}" (hidden)`, password: true, validateInput: (v) => validateSecretValue(v),
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
  if (await ctx.prompter.confirm(warning, 'Keep the tags ZenML reads to keep the secret visible to ZenML.', 'Save Anyway') !== 'Save Anyway') {
    throw new UserCancelled();
  }
}

/** Asks for the optional properties; resolves false when the user just saves. */
async function askOptions(ctx: CommandContext, write: SecretWrite, existing?: SecretProps): Promise<boolean> {
  const choice = required(await ctx.prompter.quickPick([
    { label: '$(check) Save', id: 'save' },
    { label: '$(settings) Save with content type, tags, dates…', id: 'options' },
  ], { placeHolder: 'Save the secret' }));
  if (choice.id === 'save') return false;
  write.contentType = required(await ctx.prompter.inputBox({
    prompt: 'Content type (optional), e.g. application/json, text/plain', value: existing?.contentType ?? '',
    validateInput: (v) => validateContentType(v || undefined),
  })) || undefined;
  const tags = required(await ctx.prompter.inputBox({
    prompt: 'Tags (optional): name=value, name2=value2', value: formatTags(existing?.tags),
    validateInput: (v) => { try { return validateTags(parseTags(v)); } catch (e) { return (e as Error).message; } },
  }));
  write.tags = tags.trim() ? parseTags(tags) : undefined;
  if (existing) await confirmZenmlTags(ctx, existing.name, existing.tags, write.tags);
  const enabled = required(await ctx.prompter.quickPick([{ label: 'Enabled', value: true }, { label: 'Disabled', value: false }],
    { placeHolder: 'Enabled?' }));
  write.enabled = enabled.value;
  const nbf = required(await ctx.prompter.inputBox({ prompt: 'Activation date (optional): YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd', validateInput: dateValidator }));
  write.notBefore = parseDateInput(nbf) ?? undefined;
  const exp = required(await ctx.prompter.inputBox({ prompt: 'Expiry date (optional): YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd',
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
      prompt: `Name of the secret in "${vault.name}" (an existing name gets a new version)`,
      placeHolder: 'letters, digits and hyphens', validateInput: (v) => validateSecretName(v),
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
  void vscode.window.showInformationMessage(`Saved "${name}" in ${vault.name} (version ${result.version?.slice(0, 8) ?? 'latest'}).`);
  return result;
}

/** Saves a value (with progress); a name held by a deleted secret offers Recover or Purge and Create. */
export async function writeSecret(ctx: CommandContext, vault: VaultRef, name: string, write: SecretWrite): Promise<SecretProps> {
  const service = ctx.hub.service(vault);
  let result: SecretProps;
  try {
    result = await withProgress(`Saving "${name}" in ${vault.name}…`, (abortSignal) => service.setSecret(name, write, { abortSignal }));
  } catch (err) {
    const kind = classifyError(err).kind;
    if (kind === 'cancelled') {
      // the request may have reached the vault before the cancel: say so instead of implying nothing was saved
      ctx.tree.refreshVault(vault.url);
      void vscode.window.showWarningMessage(`Stopped waiting for "${name}" to be saved in ${vault.name}. ` +
        'If the vault had already received the value, it is saved as a new version: refresh the vault to check.');
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
  const buttons = purgeable ? ['Recover', 'Purge and Create'] : ['Recover'];
  const choice = await ctx.prompter.confirm(`A deleted secret "${name}" still holds this name in ${vault.name}.`,
    `Recover brings back the deleted secret and saves your value as its new version.${purgeable
      ? ' Purge and Create deletes the old secret and all its versions permanently, then creates a new one.'
      : ' The vault has purge protection, so the name cannot be purged.'}`, ...buttons);
  if (choice === 'Recover') {
    return withProgress(`Recovering "${name}"…`, async (abortSignal, report) => {
      await service.recoverSecret(name, { abortSignal, onProgress: report });
      return service.setSecret(name, write, { abortSignal });
    });
  }
  if (choice === 'Purge and Create') {
    return withProgress(`Purging "${name}" and creating it anew…`, async (abortSignal) => {
      await service.purgeSecret(name, { abortSignal });
      // a purge takes a moment to release the name
      for (let attempt = 0; ; attempt++) {
        try {
          return await service.setSecret(name, write, { abortSignal });
        } catch (err) {
          const kind = classifyError(err).kind;
          if (attempt >= 10 || (kind !== 'conflictDeleted' && kind !== 'beingDeleted')) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    });
  }
  throw new UserCancelled();
}

/** keyVault.revealSecret: the value in a read-only virtual document. */
export async function revealSecret(ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  return revealSecretRef(ctx, await secretTarget(ctx, node, 'latestOrVersion'));
}

/** Reveals one secret (version) in the read-only virtual document. */
export async function revealSecretRef(ctx: CommandContext, ref: SecretRef): Promise<vscode.TextEditor> {
  const uri = secretUri(ref);
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
  void vscode.window.setStatusBarMessage(seconds > 0
    ? `$(key) Copied the value of "${ref.name}"; the clipboard clears in ${seconds} s.`
    : `$(key) Copied the value of "${ref.name}".`, 5000);
}

/** keyVault.copySecretUri */
export async function copySecretUri(ctx: CommandContext, node?: unknown): Promise<string> {
  // a deleted secret's URI is its recovery id (/deletedsecrets/<name>): /secrets/<name> would answer 404
  const uri = node instanceof DeletedSecretNode
    ? node.props.recoveryId ?? `${node.vault.url}deletedsecrets/${node.name}`
    : secretUrl(await secretTarget(ctx, node, 'latestOrVersion'));
  await vscode.env.clipboard.writeText(uri);
  void vscode.window.setStatusBarMessage(`$(link) Copied ${uri}`, 5000);
  return uri;
}

/** keyVault.editSecretProperties: content type, tags, enabled, dates — of the latest or one version. */
export async function editSecretProperties(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const ref = await secretTarget(ctx, node, 'version');
  if (ref.props?.managed) throw new Error(certificateBackedMessage(ref.name, 'update'));
  const p = ref.props;
  const fmtDate = (d?: Date) => (d ? d.toISOString().slice(0, 16) : '');
  const what = required(await ctx.prompter.quickPick([
    { label: 'Content type', description: p?.contentType ?? '(none)', id: 'contentType' },
    { label: 'Tags', description: formatTags(p?.tags) || '(none)', id: 'tags' },
    { label: p?.enabled === false ? 'Enable' : 'Disable', id: 'enabled' },
    { label: 'Activation date', description: fmtDate(p?.notBefore) || '(none)', id: 'notBefore' },
    { label: 'Expiry date', description: fmtDate(p?.expiresOn) || '(none)', id: 'expiresOn' },
  ], { placeHolder: `Edit a property of "${ref.name}"${ref.version ? ` version ${ref.version.slice(0, 8)}` : ''}` }));
  const update: SecretPropertiesUpdate = {};
  switch (what.id) {
    case 'contentType':
      update.contentType = required(await ctx.prompter.inputBox({ prompt: 'Content type (empty clears it)', value: p?.contentType ?? '',
        validateInput: (v) => validateContentType(v || undefined) }));
      break;
    case 'tags': {
      const text = required(await ctx.prompter.inputBox({ prompt: 'Tags: name=value, name2=value2 (empty removes all)',
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
      const text = required(await ctx.prompter.inputBox({ prompt: `${what.label}: YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or +Nd (empty clears it)`,
        value: fmtDate(what.id === 'notBefore' ? p?.notBefore : p?.expiresOn), validateInput: datePairValidator(other, what.id) }));
      update[what.id] = parseDateInput(text);
      const order = what.id === 'notBefore' ? dateOrderProblem(update.notBefore, p?.expiresOn, 'notBefore')
        : dateOrderProblem(p?.notBefore, update.expiresOn, 'expiresOn');
      if (order) throw new Error(order);
      break;
    }
  }
  const result = await withProgress(`Updating "${ref.name}"…`, (abortSignal) =>
    ctx.hub.service(ref.vault).updateProperties(ref.name, ref.version, update, { abortSignal }));
  ctx.tree.refreshVault(ref.vault.url);
  return result;
}

/** keyVault.deleteSecret: confirm (naming vault and recovery days), delete, wait for the poller, offer Recover. */
export async function deleteSecret(ctx: CommandContext, node?: unknown): Promise<void> {
  const ref = await secretTarget(ctx, node, false);
  if (ref.props?.managed) throw new Error(certificateBackedMessage(ref.name, 'delete'));
  const days = ref.props?.recoverableDays ?? ref.vault.softDeleteRetentionDays;
  const answer = await ctx.prompter.confirm(`Delete secret "${ref.name}" from vault "${ref.vault.name}"?`,
    days ? `It can be recovered for ${days} days, then it is purged.` : 'It can be recovered until the vault\'s retention period ends.',
    'Delete');
  if (answer !== 'Delete') return;
  const service = ctx.hub.service(ref.vault);
  const deleted = await withProgress(`Deleting "${ref.name}" from ${ref.vault.name}…`, (abortSignal, report) =>
    service.deleteSecret(ref.name, { abortSignal, onProgress: report }));
  ctx.tree.refreshVault(ref.vault.url);
  const until = deleted.scheduledPurgeDate ? ` until ${deleted.scheduledPurgeDate.toISOString().slice(0, 10)}` : '';
  void vscode.window.showInformationMessage(`Deleted "${ref.name}". It can be recovered${until}.`, 'Recover').then(async (choice) => {
    if (choice !== 'Recover') return;
    try {
      await recoverByName(ctx, ref.vault, ref.name);
    } catch (err) {
      reportError(err, { vaultName: ref.vault.name, secret: ref.name });
    }
  });
}

export async function recoverByName(ctx: CommandContext, vault: VaultRef, name: string): Promise<SecretProps> {
  const service = ctx.hub.service(vault);
  const result = await withProgress(`Recovering "${name}" in ${vault.name}…`, (abortSignal, report) =>
    service.recoverSecret(name, { abortSignal, onProgress: report }));
  ctx.tree.refreshVault(vault.url);
  void vscode.window.showInformationMessage(`Recovered "${name}" in ${vault.name}.`);
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
    throw new Error(`Vault "${ref.vault.name}" has purge protection: "${ref.name}" can only be recovered, and is purged automatically on its scheduled date.`);
  }
  required(await ctx.prompter.inputBox({
    prompt: `Purging deletes "${ref.name}" and all its versions permanently. Type the secret's name to confirm.`,
    placeHolder: ref.name,
    validateInput: (v) => (v === ref.name ? undefined : `Type "${ref.name}" exactly to purge it.`),
  }));
  await withProgress(`Purging "${ref.name}"…`, (abortSignal) => ctx.hub.service(ref.vault).purgeSecret(ref.name, { abortSignal }));
  ctx.tree.refreshVault(ref.vault.url);
  void vscode.window.showInformationMessage(`Purged "${ref.name}" from ${ref.vault.name}.`);
}

/** keyVault.restoreVersion: an older version's value (content type, tags) becomes the new latest version. */
export async function restoreVersion(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const ref = await secretTarget(ctx, node, 'version');
  if (!ref.version) throw new Error('Choose a version to restore.');
  const answer = await ctx.prompter.confirm(`Make version ${ref.version.slice(0, 8)} of "${ref.name}" the latest?`,
    'Its value, content type and tags are saved as a new version; the current version stays in the history.', 'Restore');
  if (answer !== 'Restore') return required<SecretProps>(undefined);
  const service = ctx.hub.service(ref.vault);
  const result = await withProgress(`Restoring "${ref.name}"…`, async (abortSignal) => {
    const old = await service.getSecretValue(ref.name, ref.version, { abortSignal });
    return service.setSecret(ref.name, { value: old.value, contentType: old.properties.contentType, tags: old.properties.tags }, { abortSignal });
  });
  ctx.tree.refreshVault(ref.vault.url);
  void vscode.window.showInformationMessage(`Version ${ref.version.slice(0, 8)} of "${ref.name}" is now the latest (${result.version?.slice(0, 8)}).`);
  return result;
}

/** keyVault.backupSecret: the service's (protected) backup blob, to a file. */
export async function backupSecret(ctx: CommandContext, node?: unknown): Promise<vscode.Uri> {
  const ref = await secretTarget(ctx, node, false);
  const target = required(await ctx.prompter.saveFile({
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), `${ref.name}.keyvault-backup`),
    filters: { 'Key Vault backup': ['keyvault-backup'] }, saveLabel: 'Back Up',
  }));
  const blob = await withProgress(`Backing up "${ref.name}"…`, (abortSignal) => ctx.hub.service(ref.vault).backupSecret(ref.name, { abortSignal }));
  await vscode.workspace.fs.writeFile(target, blob);
  void vscode.window.showInformationMessage(`Backed up "${ref.name}" (all versions) to ${target.fsPath}. It can be restored into a vault of the same subscription and geography.`);
  return target;
}

/** keyVault.restoreSecretBackup */
export async function restoreSecretBackup(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const vault = await vaultTarget(ctx, node);
  const file = required(await ctx.prompter.openFile({ canSelectMany: false, openLabel: 'Restore', filters: { 'Key Vault backup': ['keyvault-backup'], 'All files': ['*'] } }));
  const blob = await vscode.workspace.fs.readFile(file);
  const result = await withProgress(`Restoring into ${vault.name}…`, (abortSignal) => ctx.hub.service(vault).restoreSecretBackup(blob, { abortSignal }));
  ctx.tree.refreshVault(vault.url);
  void vscode.window.showInformationMessage(`Restored "${result.name}" into ${vault.name}.`);
  return result;
}
