// What every command handler gets, and how a command finds its target: the tree item it was invoked on,
// or — from the command palette — quick picks for vault, secret and version.
import * as vscode from 'vscode';
import type { Page, SecretProps, VaultRef } from '../azure/model';
import { newestFirst } from '../azure/versions';
import { AirflowGroupNode, DeletedSecretNode, Node, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import type { VaultTreeProvider } from '../tree/provider';
import type { ClipboardGuard } from '../ui/clipboard';
import type { EmulatorProcess } from '../ui/emulatorProcess';
import type { Hub } from '../ui/hub';
import type { PresentationMode } from '../ui/presentation';
import type { VaultSearch } from '../ui/vaultSearch';
import { PagedList } from '../ui/pagedList';
import { required, type Prompter } from '../ui/prompts';
import type { SecretReferences } from '../ui/references';
import type { SecretDocumentProvider } from '../ui/secretDocument';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly hub: Hub;
  readonly tree: VaultTreeProvider;
  readonly view: vscode.TreeView<Node>;
  readonly documents: SecretDocumentProvider;
  readonly clipboard: ClipboardGuard;
  /** Screen-sharing safety: presentation mode and its status-bar toggle. */
  readonly presentation: PresentationMode;
  /** Names of every secret in every visible vault, for Search All Vaults. */
  readonly search: VaultSearch;
  prompter: Prompter;
  emulatorProcess?: EmulatorProcess;
  /** Secret references in open files (hovers, diagnostics, quick fixes). */
  readonly references: SecretReferences;
}

export interface SecretRef {
  vault: VaultRef;
  name: string;
  version?: string;
  props?: SecretProps;
}

export function withProgress<T>(title: string, task: (signal: AbortSignal, report: (m: string) => void) => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(controller.signal, (message) => progress.report({ message }));
      } finally {
        sub.dispose();
      }
    }));
}

export async function pickVault(ctx: CommandContext, placeHolder = vscode.l10n.t('Select a key vault')): Promise<VaultRef> {
  const items = ctx.hub.knownVaults().then((vs) => {
    if (vs.length === 0) throw new Error(vscode.l10n.t('No key vaults yet: sign in to Azure, add a vault by URL, or start the local emulator.'));
    return vs.map((v) => ({ label: v.name, description: sourceLabel(v), detail: v.url, vault: v }));
  });
  return required(await ctx.prompter.quickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true })).vault;
}

function sourceLabel(v: VaultRef): string {
  switch (v.source) {
    case 'emulator': return vscode.l10n.t('local emulator');
    case 'url': return vscode.l10n.t('added by URL');
    default: return v.subscriptionId ? vscode.l10n.t('subscription {0}', v.subscriptionId) : vscode.l10n.t('Azure');
  }
}

/** Every page of a listing (the pickers show all names; the tree pages lazily instead). */
async function allPages<T>(fetch: (token?: string) => Promise<Page<T>>): Promise<T[]> {
  const list = new PagedList(fetch);
  await list.all();
  return list.items;
}

/** Every secret of a vault (pickers and commands that need all names; the tree pages lazily instead). */
export function allSecrets(ctx: CommandContext, vault: VaultRef): Promise<SecretProps[]> {
  const service = ctx.hub.service(vault);
  return allPages((t) => service.listSecrets({ continuationToken: t, maxPageSize: 25 }));
}

export async function pickSecret(ctx: CommandContext, vault: VaultRef, placeHolder = vscode.l10n.t('Select a secret'),
  filter: (s: SecretProps) => boolean = () => true): Promise<SecretProps> {
  const items = allSecrets(ctx, vault).then((secrets) => {
    const shown = secrets.filter(filter);
    if (shown.length === 0) throw new Error(vscode.l10n.t('Vault "{0}" has no secrets to choose from.', vault.name));
    return shown.map((s) => ({ label: s.name, description: s.contentType, secret: s }));
  });
  return required(await ctx.prompter.quickPick(items, { placeHolder })).secret;
}

/** A version of a secret, newest first; with `offerLatest`, a first entry "Latest" resolves to undefined. */
export async function pickVersion(ctx: CommandContext, vault: VaultRef, name: string, placeHolder = vscode.l10n.t('Select a version'),
  offerLatest = false): Promise<SecretProps | undefined> {
  const service = ctx.hub.service(vault);
  const items = allPages((t) => service.listVersions(name, { continuationToken: t, maxPageSize: 25 })).then((versions) => {
    const sorted = newestFirst(versions);
    const picks: { label: string; description?: string; version?: SecretProps }[] = sorted.map((v, i) => ({
      label: v.version ?? '', description: [i === 0 ? vscode.l10n.t('latest') : '', v.enabled ? '' : vscode.l10n.t('disabled'),
        v.createdOn?.toISOString().slice(0, 16).replace('T', ' ')].filter(Boolean).join(' · '), version: v,
    }));
    return offerLatest ? [{ label: vscode.l10n.t('Latest'), description: vscode.l10n.t('the current version') }, ...picks] : picks;
  });
  return required(await ctx.prompter.quickPick(items, { placeHolder })).version;
}

export async function pickDeletedSecret(ctx: CommandContext, vault: VaultRef, placeHolder = vscode.l10n.t('Select a deleted secret')) {
  const service = ctx.hub.service(vault);
  const items = allPages((t) => service.listDeletedSecrets({ continuationToken: t, maxPageSize: 25 })).then((deleted) => {
    if (deleted.length === 0) throw new Error(vscode.l10n.t('Vault "{0}" has no deleted secrets.', vault.name));
    return deleted.map((d) => ({ label: d.name, description: d.scheduledPurgeDate ? vscode.l10n.t('purge scheduled {0}', d.scheduledPurgeDate.toISOString().slice(0, 10)) : undefined, deleted: d }));
  });
  return required(await ctx.prompter.quickPick(items, { placeHolder })).deleted;
}

/** The vault a command acts on: from the tree item, else a quick pick. */
export async function vaultTarget(ctx: CommandContext, node: unknown): Promise<VaultRef> {
  if (node instanceof VaultNode || node instanceof AirflowGroupNode) return node.vault;
  if (node instanceof SecretNode || node instanceof VersionNode || node instanceof DeletedSecretNode) return node.vault;
  return pickVault(ctx);
}

/**
 * A secret (latest, or the version of a version item). From the palette: vault, secret, and — per `version` —
 * no version question, a version ('version'), or "Latest" or a version ('latestOrVersion').
 */
export async function secretTarget(ctx: CommandContext, node: unknown,
  version: false | 'version' | 'latestOrVersion' = false): Promise<SecretRef> {
  if (node instanceof VersionNode) return { vault: node.vault, name: node.name, version: node.version, props: node.props };
  if (node instanceof SecretNode) return { vault: node.vault, name: node.name, props: node.props };
  const vault = node instanceof VaultNode ? node.vault : await pickVault(ctx);
  const secret = await pickSecret(ctx, vault);
  if (!version) return { vault, name: secret.name, props: secret };
  const picked = await pickVersion(ctx, vault, secret.name, vscode.l10n.t('Version of "{0}"', secret.name), version === 'latestOrVersion');
  return picked ? { vault, name: secret.name, version: picked.version, props: picked } : { vault, name: secret.name, props: secret };
}

export async function deletedTarget(ctx: CommandContext, node: unknown): Promise<SecretRef> {
  if (node instanceof DeletedSecretNode) return { vault: node.vault, name: node.name, props: node.props };
  const vault = node instanceof VaultNode ? node.vault : await pickVault(ctx);
  const d = await pickDeletedSecret(ctx, vault);
  return { vault, name: d.name, props: d };
}

export function secretUrl(ref: { vault: VaultRef; name: string; version?: string }): string {
  return `${ref.vault.url}secrets/${ref.name}${ref.version ? `/${ref.version}` : ''}`;
}
