// Turns nodes into TreeItems and children; a failed listing becomes an error row that says what to do.
import * as vscode from 'vscode';
import { classifyError } from '../azure/errors';
import type { Hub } from '../ui/hub';
import { outputChannel } from '../ui/output';
import { AzureRootNode, EmulatorRootNode, MessageNode, Node, UrlRootNode, VaultNode } from './nodes';

export class VaultTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Node[] | undefined;
  /** Vault nodes currently in the tree, by id: commands refresh them after a change. */
  private readonly vaultNodes = new Map<string, VaultNode>();
  private readonly listeners: vscode.Disposable[] = [];

  constructor(private readonly hub: Hub) {
    this.listeners.push(hub.onDidChange(() => this.refresh()),
      // another backend configuration or the group toggle: same listings, other groups
      hub.integrations.airflow.onDidChange(() => this.changed.fire(undefined)));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node.treeItem();
  }

  /** VS Code asks on hover: secrets and versions build their tooltip only then. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    item.tooltip ??= node.lazyTooltip?.();
    return item;
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.rootNodes();
    try {
      const children = await node.children();
      for (const c of children) {
        c.parent ??= node;
        c.requestRender ??= () => this.changed.fire(c);
        if (c instanceof VaultNode) this.vaultNodes.set(c.id, c);
      }
      return children;
    } catch (err) {
      const info = classifyError(err, vaultContext(node));
      outputChannel().error(`${info.message}\n${info.detail}`);
      return [new ErrorRowNode(node, info.message)];
    }
  }

  private async rootNodes(): Promise<Node[]> {
    const roots: Node[] = [];
    const [azureVisible] = await Promise.all([this.hub.isAzureVisible()]);
    if (azureVisible) roots.push(new AzureRootNode(this.hub));
    if (this.hub.urlVaults().length > 0) roots.push(new UrlRootNode(this.hub));
    if (this.hub.emulator() || this.hub.emulatorConfigured()) roots.push(new EmulatorRootNode(this.hub));
    this.roots = roots;
    await vscode.commands.executeCommand('setContext', 'keyVault.hasContent', roots.length > 0);
    return roots;
  }

  /**
   * Refreshes one node or the whole tree, dropping what that node cached: a vault's or a deleted folder's pages;
   * for the Azure side (root, tenant, subscription) the sign-in state, subscriptions and discovered vaults.
   */
  /** A vault's listings were dropped (its URL), or every vault's (undefined): what caches names follows. */
  private readonly refreshed = new vscode.EventEmitter<string | undefined>();
  readonly onDidRefreshVault = this.refreshed.event;

  refresh(node?: Node): void {
    this.refreshed.fire(node ? (node as { vault?: { url: string } }).vault?.url : undefined);
    if (!node) {
      this.vaultNodes.clear();
      this.hub.clearCaches(true);
      this.changed.fire(undefined);
      return;
    }
    node.reset();
    this.changed.fire(node);
  }

  /** Re-renders the whole tree from its cached listings (presentation mode changed how items read). */
  rerenderAll(): void {
    this.changed.fire(undefined);
  }

  /** Re-renders a node without dropping its cache (after "Load more"). */
  rerender(node: Node): void {
    this.changed.fire(node);
  }

  /** Vault nodes for a vault URL (a vault can be shown under several roots). */
  vaultNodesFor(url: string): VaultNode[] {
    return [...this.vaultNodes.values()].filter((n) => n.vault.url.toLowerCase() === url.toLowerCase());
  }

  /** Refreshes every node showing this vault. */
  refreshVault(url: string): void {
    const nodes = this.vaultNodesFor(url);
    if (nodes.length === 0) this.changed.fire(undefined);
    for (const n of nodes) this.refresh(n);
  }

  /** Re-renders every node showing this vault, keeping its listings. */
  rerenderVault(url: string): void {
    for (const n of this.vaultNodesFor(url)) this.changed.fire(n);
  }

  get currentRoots(): readonly Node[] | undefined {
    return this.roots;
  }

  dispose(): void {
    this.changed.dispose();
    this.refreshed.dispose();
    for (const l of this.listeners) l.dispose();
  }
}

/**
 * The row shown instead of a node's children when listing them failed: says what went wrong and what to do;
 * clicking it retries (keyVault.retry refreshes the failed node), its inline button shows the details.
 */
export class ErrorRowNode extends MessageNode {
  constructor(readonly failed: Node, message: string) {
    super(`${failed.id}|error`, message, 'error', { command: 'keyVault.retry', title: vscode.l10n.t('Retry'), arguments: [failed] },
      vscode.l10n.t('{0}\n\nClick to retry. "Show Details" opens the Key Vault output.', message));
    this.parent = failed;
  }
  override treeItem(): vscode.TreeItem {
    const ti = super.treeItem();
    // "message" first: the row is still a message row to whatever looks at the kind
    ti.contextValue = 'message errorRow';
    return ti;
  }
}

function vaultContext(node: Node): { vaultName?: string } {
  for (let n: Node | undefined = node; n; n = n.parent) {
    if (n instanceof VaultNode) return { vaultName: n.vault.name };
  }
  return {};
}
