// Commands behind the editor features for secret references: hover links (reveal, show in tree), quick fixes
// (create, recover, enable) and the workspace's default vault. Their arguments are plain ReferenceTargets.
import * as vscode from 'vscode';
import type { VaultRef } from '../azure/model';
import { AirflowGroupNode, EmulatorRootNode, Node, SecretNode, SubscriptionNode, TenantNode, UrlRootNode, AzureRootNode, VaultNode } from '../tree/nodes';
import type { ReferenceTarget } from '../ui/references';
import { pickVault, withProgress, type CommandContext } from './context';
import { recoverByName, revealSecretRef, SecretPrefill, setSecret } from './secretCommands';

function target(arg: unknown): ReferenceTarget {
  const t = arg as ReferenceTarget | undefined;
  if (!t || typeof t.vaultUrl !== 'string' || typeof t.name !== 'string') {
    throw new Error(vscode.l10n.t('This command acts on a secret reference in an editor: use it from a hover or a quick fix.'));
  }
  return t;
}

/** keyVault.revealReference: the referenced secret (version) in the read-only document. */
export async function revealReference(ctx: CommandContext, arg?: unknown): Promise<vscode.TextEditor> {
  const t = target(arg);
  const vault = await ctx.references.vaultOf(t);
  return revealSecretRef(ctx, { vault, name: t.name, version: t.version });
}

/** Walks the tree from the roots to the vault's node (whichever root shows it), then to the secret's. */
/** The tree's node for a vault, walking only the root that shows this kind of vault (Azure discovery can be slow). */
export async function findVaultNode(ctx: CommandContext, vault: VaultRef): Promise<VaultNode | undefined> {
  const containers = (n: Node) => (vault.source === 'arm' && (n instanceof AzureRootNode || n instanceof TenantNode || n instanceof SubscriptionNode)) ||
    (vault.source === 'url' && n instanceof UrlRootNode) || (vault.source === 'emulator' && n instanceof EmulatorRootNode);
  const queue: Node[] = [...await ctx.tree.getChildren()];
  let vaultNode: VaultNode | undefined;
  while (queue.length && !vaultNode) {
    const n = queue.shift()!;
    if (n instanceof VaultNode && n.vault.url.toLowerCase() === vault.url.toLowerCase() && n.vault.source === vault.source) vaultNode = n;
    else if (containers(n)) queue.push(...await ctx.tree.getChildren(n));
  }
  return vaultNode;
}

/** The tree's node for a secret (in its Airflow group when grouped), listing the vault's later pages if needed. */
export async function findSecretNode(ctx: CommandContext, vault: VaultRef, name: string): Promise<Node | undefined> {
  const vaultNode = await findVaultNode(ctx, vault);
  if (!vaultNode) return undefined;
  const lower = name.toLowerCase();
  await vaultNode.secrets.all(); // the secret may be on a later page
  for (const child of await ctx.tree.getChildren(vaultNode)) {
    if (child instanceof SecretNode && child.name.toLowerCase() === lower) return child;
    if (child instanceof AirflowGroupNode) {
      const inGroup = (await ctx.tree.getChildren(child)).find((c) => c instanceof SecretNode && c.name.toLowerCase() === lower);
      if (inGroup) return inGroup;
    }
  }
  return undefined;
}

/** keyVault.showReferenceInTree: selects the referenced secret in the Key Vault view. */
export async function showReferenceInTree(ctx: CommandContext, arg?: unknown): Promise<Node> {
  const t = target(arg);
  const vault = await ctx.references.vaultOf(t);
  const node = await findSecretNode(ctx, vault, t.name);
  if (!node) throw new Error(vscode.l10n.t('"{0}" is not listed in {1}: refresh the Key Vault view.', t.name, vault.name));
  await ctx.view.reveal(node, { select: true, focus: true, expand: false });
  return node;
}

/** keyVault.selectDefaultVault: the vault references without one are checked against (this workspace only). */
export async function selectDefaultVault(ctx: CommandContext): Promise<VaultRef> {
  const vault = await pickVault(ctx, vscode.l10n.t('The vault to check references against when they name none (this workspace)'));
  await ctx.references.setDefaultVault(vault);
  void vscode.window.setStatusBarMessage('$(lock) ' + vscode.l10n.t('Secret references in this workspace are checked against {0}', vault.name), 5000);
  return vault;
}

/** Quick fix: Set Secret with the referenced vault and name. */
export async function createReferencedSecret(ctx: CommandContext, arg?: unknown): Promise<void> {
  const t = target(arg);
  const vault = await ctx.references.vaultOf(t);
  await setSecret(ctx, new SecretPrefill(vault, t.name));
  ctx.references.invalidate(vault);
}

/** Quick fix: recover the deleted secret the reference names. */
export async function recoverReferencedSecret(ctx: CommandContext, arg?: unknown): Promise<void> {
  const t = target(arg);
  const vault = await ctx.references.vaultOf(t);
  await recoverByName(ctx, vault, t.name);
  ctx.references.invalidate(vault);
}

/** Quick fix: enable the disabled secret (its latest version, or the referenced one). */
export async function enableReferencedSecret(ctx: CommandContext, arg?: unknown): Promise<void> {
  const t = target(arg);
  const vault = await ctx.references.vaultOf(t);
  await withProgress(vscode.l10n.t('Enabling "{0}"…', t.name), (abortSignal) =>
    ctx.hub.service(vault).updateProperties(t.name, t.version, { enabled: true }, { abortSignal }));
  ctx.tree.refreshVault(vault.url);
  ctx.references.invalidate(vault);
  void vscode.window.showInformationMessage(vscode.l10n.t('Enabled "{0}" in {1}.', t.name, vault.name));
}
