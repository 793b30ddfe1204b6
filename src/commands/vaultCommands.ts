// Commands on the tree and vaults: refresh, sign in, add/remove vault by URL, filter, open in portal,
// load more, and the local emulator (start, stop, attach).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTokenAllowedForHost, portalUrlFor } from '../azure/clouds';
import { parseVaultUrl } from '../azure/names';
import { LoadMoreNode, Node, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import { ErrorRowNode } from '../tree/provider';
import { EmulatorProcess, findInstance, parseReadyInfo } from '../ui/emulatorProcess';
import { outputChannel } from '../ui/output';
import { required } from '../ui/prompts';
import { vaultTarget, withProgress, type CommandContext } from './context';

export function refresh(ctx: CommandContext, node?: unknown): void {
  ctx.tree.refresh(node instanceof Node ? node : undefined);
}

/**
 * keyVault.retry: the click on an error row lists the failed node again (a vault, the deleted folder, a
 * subscription…). Given the error row itself (its context menu), retries its parent.
 */
export function retry(ctx: CommandContext, node?: unknown): void {
  const target = node instanceof ErrorRowNode ? node.failed : node instanceof Node ? node : undefined;
  ctx.tree.refresh(target);
}

export async function signIn(ctx: CommandContext): Promise<void> {
  await ctx.hub.signIn();
}

export async function addVaultByUrl(ctx: CommandContext): Promise<string> {
  const cloud = ctx.hub.cloud();
  const input = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Vault URL or name, e.g. https://myvault.vault.azure.net/ — for vaults you can read but not see in a subscription'),
    placeHolder: vscode.l10n.t('https://<name>.{0}/', cloud.keyVaultDnsSuffix),
    validateInput: (v) => {
      try {
        const { url } = parseVaultUrl(v, cloud);
        // a vault URL decides where the Azure token goes: only hosts under the cloud's vault suffix
        return isTokenAllowedForHost(url, cloud) ? undefined
          : vscode.l10n.t('{0} is not under .{1}: your Azure sign-in is only sent to {2} vaults. For another cloud, set microsoft-sovereign-cloud.environment.', url, cloud.keyVaultDnsSuffix, cloud.name);
      } catch (e) {
        return (e as Error).message;
      }
    },
  }));
  const parsed = parseVaultUrl(input, cloud);
  await ctx.hub.addVaultUrl(parsed.url);
  ctx.tree.refresh();
  return parsed.url;
}

export async function removeVault(ctx: CommandContext, node?: unknown): Promise<void> {
  let url: string;
  if (node instanceof VaultNode) url = node.vault.url;
  else {
    const vaults = ctx.hub.urlVaults();
    if (vaults.length === 0) throw new Error(vscode.l10n.t('No vaults were added by URL.'));
    url = required(await ctx.prompter.quickPick(vaults.map((v) => ({ label: v.name, detail: v.url, url: v.url })),
      { placeHolder: vscode.l10n.t('Remove which vault from the list?') })).url;
  }
  await ctx.hub.removeVaultUrl(url);
  ctx.tree.refresh();
}

export async function filterSecrets(ctx: CommandContext, node?: unknown): Promise<void> {
  const vault = node instanceof VaultNode ? node.vault : undefined;
  const current = vault ? ctx.hub.filterFor(vault) : undefined;
  const text = required(await ctx.prompter.inputBox({
    prompt: vault ? vscode.l10n.t('Show secrets of "{0}" whose name contains…', vault.name) : vscode.l10n.t('Show secrets (in every vault) whose name contains…'),
    value: current ?? '', placeHolder: vscode.l10n.t('part of a name, tag:owner=data, tag:env, type:json — terms combine'),
  }));
  ctx.hub.setFilter(vault, text.trim() || undefined);
  if (node instanceof VaultNode) ctx.tree.refresh(node);
  else ctx.tree.refresh();
  ctx.view.description = text.trim() && !vault ? vscode.l10n.t('filter: {0}', text.trim()) : undefined;
}

export function clearFilter(ctx: CommandContext): void {
  ctx.hub.setFilter(undefined, undefined);
  ctx.view.description = undefined;
  ctx.tree.refresh();
}

export async function openInPortal(ctx: CommandContext, node?: unknown): Promise<string> {
  const vault = await vaultTarget(ctx, node);
  const cloud = ctx.hub.cloud();
  const vaultPage = vault.resourceId && portalUrlFor(cloud, vault.resourceId);
  if (!vaultPage) throw new Error(vscode.l10n.t('"{0}" was not found through Azure Resource Manager, so the portal has no page for it here.', vault.name));
  let target = vault.tenantId ? vaultPage.replace('/#@/', `/#@${vault.tenantId}/`) : vaultPage;
  const secret = node instanceof SecretNode || node instanceof VersionNode ? node : undefined;
  if (secret && cloud.portalUrl) {
    // the portal's own deep link to a secret (version) blade
    const id = `${vault.url}secrets/${secret.name}${secret instanceof VersionNode && secret.version ? `/${secret.version}` : ''}`;
    target = `${cloud.portalUrl.replace(/\/+$/, '')}/#${vault.tenantId ? `@${vault.tenantId}` : ''}/asset/Microsoft_Azure_KeyVault/Secret/${encodeURIComponent(id)}`;
  }
  await vscode.env.openExternal(vscode.Uri.parse(target));
  return target;
}

export async function loadMore(ctx: CommandContext, node?: unknown): Promise<void> {
  if (!(node instanceof LoadMoreNode)) return;
  await node.owner.loadMore();
  ctx.tree.rerender(node.owner);
}

// ---- local emulator ----

function emulatorDataDir(ctx: CommandContext): string {
  return path.join(ctx.extension.globalStorageUri.fsPath, 'emulator');
}

export async function startLocalEmulator(ctx: CommandContext): Promise<number> {
  if (ctx.emulatorProcess?.running) return ctx.emulatorProcess.info.port;
  const config = vscode.workspace.getConfiguration('keyVault');
  const log = outputChannel();
  const proc = await withProgress(vscode.l10n.t('Starting the local Key Vault emulator…'), (abortSignal) => EmulatorProcess.start({
    abortSignal,
    script: ctx.extension.asAbsolutePath(path.join('dist', 'emulator.js')),
    dataDir: emulatorDataDir(ctx),
    port: config.get<number>('emulator.port') || 0,
    seedFile: config.get<string>('emulator.seedFile') || undefined,
    onLog: (line) => log.info(`[emulator] ${line}`),
  }));
  ctx.emulatorProcess = proc;
  proc.child.once('exit', () => {
    if (ctx.emulatorProcess === proc) {
      ctx.emulatorProcess = undefined;
      if (ctx.hub.emulator()?.owned) ctx.hub.setEmulator(undefined, false);
    }
  });
  ctx.hub.setEmulator(proc.info, true);
  void vscode.window.showInformationMessage(vscode.l10n.t('Local Key Vault emulator running on port {0} with {1} vault(s).', proc.info.port, proc.info.vaults.length));
  return proc.info.port;
}

export async function stopLocalEmulator(ctx: CommandContext): Promise<void> {
  const proc = ctx.emulatorProcess;
  ctx.emulatorProcess = undefined;
  ctx.hub.setEmulator(undefined, false);
  await proc?.stop();
}

export async function attachLocalEmulator(ctx: CommandContext): Promise<number> {
  const input = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Port of an emulator started with `npm run emulator`, or its ready line (JSON)'),
    validateInput: (v) => (/^\s*\d{1,5}\s*$/.test(v) || parseReadyInfo(v.trim()) ? undefined : vscode.l10n.t('Enter a port number or the emulator\'s ready line.')),
  })).trim();
  const info = /^\d+$/.test(input) ? findInstance(Number(input), [emulatorDataDir(ctx)]) : parseReadyInfo(input);
  if (!info) throw new Error(vscode.l10n.t('No emulator announced itself on port {0}: paste its ready line instead (the JSON line it printed on start).', input));
  if (ctx.emulatorProcess?.running && ctx.emulatorProcess.info.port !== info.port) await stopLocalEmulator(ctx);
  ctx.hub.setEmulator(info, ctx.emulatorProcess?.info.port === info.port);
  return info.port;
}
