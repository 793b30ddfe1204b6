// Tree nodes: small classes that know their id, how they render and how to list their children.
// Ids come from vault URL + secret name (+ version), lower-cased where Key Vault is case-insensitive,
// prefixed by the root so one vault can appear under two roots.
import * as vscode from 'vscode';
import type { DeletedSecretProps, SecretProps, SubscriptionRef, TenantRef, VaultRef } from '../azure/model';
import type { Hub } from '../ui/hub';
import { newestFirst } from '../azure/versions';
import { vaultListKey as listKey, type PagedList } from '../ui/pagedList';
import { isPurgeable } from '../azure/rules';
import { isPresenting } from '../ui/presentation';
import { deletedDescription, secretDescription, secretIcon, secretTooltipLines } from './describe';
import { compileFilter } from './filter';
import type { AirflowKind } from '../integrations/airflow';
import { describeOrigin, type ConfigOrigin } from '../integrations/airflowSources';
import { AIRFLOW_GROUP_LABELS, AIRFLOW_KINDS, groupForAirflow, secretDisplay, secretKind, type SecretDisplay, type SecretKind } from '../integrations/secretKinds';

export type RootKind = 'azure' | 'url' | 'emulator';

export abstract class Node {
  abstract readonly id: string;
  parent?: Node;
  abstract treeItem(): vscode.TreeItem;
  /**
   * A tooltip built only when the item is hovered (the provider's resolveTreeItem): a vault's secrets would
   * otherwise build thousands of markdown tooltips on every render.
   */
  lazyTooltip?(): vscode.MarkdownString | string | undefined;
  children(): Promise<Node[]> {
    return Promise.resolve([]);
  }
  /** Drops what this node cached, before a refresh re-lists it. */
  reset(): void {}
  /** Set by the tree provider: re-renders this node (e.g. when a background page arrived). */
  requestRender?: () => void;
}

function item(label: string, id: string, collapsible: vscode.TreeItemCollapsibleState, contextValue: string): vscode.TreeItem {
  const ti = new vscode.TreeItem(label, collapsible);
  ti.id = id;
  ti.contextValue = contextValue;
  return ti;
}

function secretTooltip(props: SecretProps, extra: readonly string[] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  for (const line of [...extra, ...secretTooltipLines(props, Date.now(), isPresenting())]) md.appendText(line + '\n\n');
  return md;
}

const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
const Expanded = vscode.TreeItemCollapsibleState.Expanded;
const None = vscode.TreeItemCollapsibleState.None;

export class MessageNode extends Node {
  constructor(readonly id: string, private readonly label: string, private readonly icon = 'info',
    private readonly command?: vscode.Command, private readonly tooltip?: string) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const ti = item(this.label, this.id, None, 'message');
    ti.iconPath = new vscode.ThemeIcon(this.icon);
    ti.command = this.command;
    ti.tooltip = this.tooltip;
    return ti;
  }
}

export class LoadMoreNode extends Node {
  readonly id: string;
  constructor(readonly owner: PagingNode) {
    super();
    this.id = `${owner.id}|more`;
    this.parent = owner;
  }
  treeItem(): vscode.TreeItem {
    const ti = item(vscode.l10n.t('Load more…'), this.id, None, 'loadMore');
    ti.iconPath = new vscode.ThemeIcon('ellipsis');
    ti.command = { command: 'keyVault.loadMore', title: vscode.l10n.t('Load More'), arguments: [this] };
    return ti;
  }
}

export interface PagingNode extends Node {
  loadMore(): Promise<void>;
}

// ---- roots ----

export class AzureRootNode extends Node {
  readonly id = 'root|azure';
  constructor(private readonly hub: Hub) {
    super();
  }
  override reset(): void {
    this.hub.clearCaches(true);
  }
  treeItem(): vscode.TreeItem {
    const ti = item(vscode.l10n.t('Azure'), this.id, Expanded, 'azureRoot');
    ti.iconPath = new vscode.ThemeIcon('azure');
    ti.description = this.hub.cloudLabel();
    return ti;
  }
  override async children(): Promise<Node[]> {
    if (!(await this.hub.isAzureSignedIn())) {
      return [new MessageNode(`${this.id}|signin`, vscode.l10n.t('Sign in to Azure…'), 'sign-in',
        { command: 'keyVault.signIn', title: vscode.l10n.t('Sign In') })];
    }
    const tenants = await this.hub.azureTenants();
    const shown = tenants.filter((t) => t.subscriptions.length > 0 || t.error !== undefined);
    if (shown.length === 0) {
      return [new MessageNode(`${this.id}|nosubs`, vscode.l10n.t('No subscriptions found'), 'info')];
    }
    if (shown.length === 1 && shown[0].error === undefined) {
      return shown[0].subscriptions.map((s) => this.adopt(new SubscriptionNode(this.hub, s)));
    }
    return shown.map((t) => this.adopt(new TenantNode(this.hub, t.tenant, t.subscriptions, t.error)));
  }
  private adopt<T extends Node>(n: T): T {
    n.parent = this;
    return n;
  }
}

export class TenantNode extends Node {
  readonly id: string;
  constructor(private readonly hub: Hub, readonly tenant: TenantRef, readonly subscriptions: SubscriptionRef[],
    private readonly error?: unknown) {
    super();
    this.id = `root|azure|tenant|${tenant.tenantId.toLowerCase()}`;
  }
  override reset(): void {
    this.hub.clearCaches(true);
  }
  treeItem(): vscode.TreeItem {
    const ti = item(this.tenant.displayName || this.tenant.defaultDomain || this.tenant.tenantId, this.id, Expanded, 'tenant');
    ti.iconPath = new vscode.ThemeIcon('organization');
    ti.description = this.tenant.displayName ? this.tenant.tenantId : undefined;
    return ti;
  }
  override async children(): Promise<Node[]> {
    if (this.error !== undefined) throw this.error; // shown as an error row that says what to do
    return this.subscriptions.map((s) => {
      const n = new SubscriptionNode(this.hub, s);
      n.parent = this;
      return n;
    });
  }
}

export class SubscriptionNode extends Node {
  readonly id: string;
  constructor(private readonly hub: Hub, readonly subscription: SubscriptionRef) {
    super();
    this.id = `root|azure|sub|${subscription.subscriptionId.toLowerCase()}`;
  }
  override reset(): void {
    this.hub.clearCaches(true);
  }
  treeItem(): vscode.TreeItem {
    const ti = item(this.subscription.displayName, this.id, Collapsed, 'subscription');
    ti.iconPath = new vscode.ThemeIcon('credit-card');
    ti.tooltip = vscode.l10n.t('{0}\n{1}\nTenant {2}', this.subscription.displayName, this.subscription.subscriptionId, this.subscription.tenantId);
    return ti;
  }
  override async children(): Promise<Node[]> {
    const vaults = await this.hub.vaultsForSubscription(this.subscription);
    if (vaults.length === 0) return [new MessageNode(`${this.id}|none`, vscode.l10n.t('No key vaults in this subscription'), 'info')];
    return vaultNodes(this.hub, this, vaults, 'azure');
  }
}

export class UrlRootNode extends Node {
  readonly id = 'root|url';
  constructor(private readonly hub: Hub) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const ti = item(vscode.l10n.t('Vaults added by URL'), this.id, Expanded, 'urlRoot');
    ti.iconPath = new vscode.ThemeIcon('link');
    return ti;
  }
  override async children(): Promise<Node[]> {
    return vaultNodes(this.hub, this, this.hub.urlVaults(), 'url');
  }
}

export class EmulatorRootNode extends Node {
  readonly id = 'root|emulator';
  constructor(private readonly hub: Hub) {
    super();
  }
  override reset(): void {
    for (const v of this.hub.emulator()?.vaults ?? []) this.hub.resetPagedLists(listKey(v));
  }
  treeItem(): vscode.TreeItem {
    const em = this.hub.emulator();
    const flags = ['emulatorRoot'];
    if (em) flags.push('running');
    if (em?.owned) flags.push('owned');
    const ti = item(vscode.l10n.t('Local emulator'), this.id, Expanded, flags.join(' '));
    ti.iconPath = new vscode.ThemeIcon(em ? 'vm-running' : 'vm-outline');
    ti.description = em ? (em.owned ? `localhost:${em.port}` : vscode.l10n.t('localhost:{0} (attached)', em.port)) : vscode.l10n.t('stopped');
    return ti;
  }
  override async children(): Promise<Node[]> {
    const em = this.hub.emulator();
    if (!em) {
      return [new MessageNode(`${this.id}|start`, vscode.l10n.t('Start local emulator'), 'play',
        { command: 'keyVault.startLocalEmulator', title: vscode.l10n.t('Start Local Emulator') })];
    }
    return vaultNodes(this.hub, this, em.vaults, 'emulator');
  }
}

// ---- vault and below ----

export class VaultNode extends Node implements PagingNode {
  readonly id: string;
  readonly deletedFolder: DeletedFolderNode;
  constructor(private readonly hub: Hub, readonly vault: VaultRef, readonly root: RootKind) {
    super();
    this.id = `${root}|${vault.url.toLowerCase()}`;
    this.deletedFolder = new DeletedFolderNode(hub, this);
  }
  /** Looked up on each use: a refresh replaces the hub's list, and node instances outlive refreshes. */
  get secrets(): PagedList<SecretProps> {
    return this.hub.secretsList(this.vault);
  }
  treeItem(): vscode.TreeItem {
    const flags = ['vault'];
    if (this.root === 'url') flags.push('removable');
    if (this.vault.resourceId) flags.push('portal');
    const ti = item(this.vault.name, this.id, Collapsed, flags.join(' '));
    ti.iconPath = new vscode.ThemeIcon('lock');
    const filter = this.hub.filterFor(this.vault);
    ti.description = filter ? vscode.l10n.t('filter: {0}', filter) : undefined;
    ti.tooltip = [this.vault.url, this.vault.subscriptionId && vscode.l10n.t('Subscription {0}', this.vault.subscriptionId),
      this.vault.purgeProtection ? vscode.l10n.t('Purge protection on') : undefined].filter(Boolean).join('\n');
    return ti;
  }
  override async children(): Promise<Node[]> {
    const filter = this.hub.filterFor(this.vault);
    const list = this.secrets;
    if (filter) await list.all();
    else if (!list.loaded) await list.first();
    const airflow = this.hub.integrations.airflow;
    const { config, origin } = await airflow.configFor(this.vault);
    const grouped = airflow.grouped();
    // grouping needs every name: the rest of the pages load in the background, the groups fill as they arrive
    if (grouped && list.token && !list.restError) void list.loadRest(() => this.requestRender?.());
    const matches = compileFilter(filter);
    const items = filter ? list.items.filter(matches) : list.items;
    const nodes: Node[] = [];
    let others = items;
    if (grouped) {
      const grouping = groupForAirflow(items, config);
      others = grouping.others;
      for (const k of AIRFLOW_KINDS) {
        const members = grouping.groups.get(k);
        if (members?.length) nodes.push(new AirflowGroupNode(this.hub, this, k, members.map((m) => m.item), origin));
      }
    }
    // re-renders while pages arrive reuse the nodes of secrets already shown: only new items are built
    if (this.nodeCache?.config !== config || this.nodeCache.list !== list) this.nodeCache = { config, list, nodes: new WeakMap() };
    const cache = this.nodeCache.nodes;
    for (const s of others) {
      let n = cache.get(s);
      if (!n) cache.set(s, (n = new SecretNode(this.hub, this, s, secretKind(s, config), false)));
      nodes.push(n);
    }
    if (list.token && (!grouped || list.restError || !list.loadingRest)) nodes.push(new LoadMoreNode(this));
    else if (list.token) nodes.push(new MessageNode(`${this.id}|loading`, vscode.l10n.t('Loading more secrets…'), 'loading~spin'));
    if (filter && items.length === 0) nodes.push(new MessageNode(`${this.id}|nomatch`, vscode.l10n.t('No secret names contain "{0}"', filter), 'filter'));
    nodes.push(this.deletedFolder);
    return nodes;
  }
  /** Secret nodes by list item, for the listing and Airflow configuration they were built with. */
  private nodeCache?: { config: unknown; list: PagedList<SecretProps>; nodes: WeakMap<SecretProps, SecretNode> };
  /** Still loading pages: Airflow groups may be partial. */
  get partial(): boolean {
    return this.secrets.token !== undefined;
  }
  async loadMore(): Promise<void> {
    const list = this.secrets;
    await list.more();
    list.restError = undefined; // a page came through: background paging may resume
  }
  override reset(): void {
    this.hub.resetPagedLists(listKey(this.vault));
  }
}

export class SecretNode extends Node implements PagingNode {
  readonly id: string;
  readonly display: SecretDisplay;
  /**
   * @param kind what an orchestrator reads in this secret (Airflow connection, Union or ZenML secret)
   * @param grouped shown inside an Airflow group (labelled by conn id / key) rather than by its name
   */
  constructor(private readonly hub: Hub, readonly vaultNode: VaultNode, readonly props: SecretProps,
    readonly kind?: SecretKind, grouped = false) {
    super();
    this.parent = vaultNode;
    this.id = `${vaultNode.id}|secret|${props.name.toLowerCase()}`;
    this.display = secretDisplay(props, kind, grouped);
  }
  get versions(): PagedList<SecretProps> {
    const { hub, props } = this;
    const vault = this.vaultNode.vault;
    return hub.pagedList(`${listKey(vault)}|versions|${props.name.toLowerCase()}`,
      (token) => hub.service(vault).listVersions(props.name, { continuationToken: token, maxPageSize: 25 }));
  }
  get vault(): VaultRef {
    return this.vaultNode.vault;
  }
  get name(): string {
    return this.props.name;
  }
  treeItem(): vscode.TreeItem {
    const flags = ['secret', this.props.managed ? 'managed' : 'editable', ...this.display.flags];
    if (this.vault.resourceId) flags.push('portal');
    const ti = item(this.display.label, this.id, Collapsed, flags.join(' '));
    const keys = this.kind?.orchestrator === 'zenml' ? this.hub.integrations.knownZenmlKeys(this.vault, this.name) : undefined;
    ti.description = [this.display.prefix, keys && vscode.l10n.t('keys: {0}', keys.join(', ')), secretDescription(this.props, Date.now(), isPresenting())].filter(Boolean).join(' · ');
    const icon = this.display.warning && !this.props.managed ? { id: 'warning', color: 'list.warningForeground' } : secretIcon(this.props);
    ti.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    return ti;
  }
  override lazyTooltip(): vscode.MarkdownString | string | undefined {
    return secretTooltip(this.props, this.display.tooltip);
  }
  override async children(): Promise<Node[]> {
    const list = this.versions;
    if (!list.loaded) await list.first();
    // newest first; the newest is the current ("latest") version
    // With pages left, the newest loaded version may not be the latest: it is then neither "latest" nor "old".
    const nodes: Node[] = newestFirst(list.items).map((v, i) => new VersionNode(this, v,
      i === 0 ? (list.token ? 'unknown' : 'latest') : 'old'));
    if (list.token) nodes.push(new LoadMoreNode(this));
    return nodes;
  }
  async loadMore(): Promise<void> {
    await this.versions.more();
  }
}

export class VersionNode extends Node {
  readonly id: string;
  constructor(readonly secretNode: SecretNode, readonly props: SecretProps, readonly age: 'latest' | 'old' | 'unknown') {
    super();
    this.parent = secretNode;
    this.id = `${secretNode.id}|v|${(props.version ?? '').toLowerCase()}`;
  }
  get vault(): VaultRef {
    return this.secretNode.vault;
  }
  get name(): string {
    return this.props.name;
  }
  get version(): string | undefined {
    return this.props.version;
  }
  treeItem(): vscode.TreeItem {
    const flags = ['secretVersion', this.secretNode.props.managed ? 'managed' : 'editable', ...this.secretNode.display.flags];
    if (this.age === 'old') flags.push('old');
    const label = (this.props.version ?? '').slice(0, 8) || '(version)';
    const ti = item(label, this.id, None, flags.join(' '));
    const created = this.props.createdOn ? this.props.createdOn.toISOString().replace('T', ' ').slice(0, 16) : '';
    ti.description = [this.age === 'latest' ? vscode.l10n.t('latest') : undefined, created, secretDescription(this.props, Date.now(), isPresenting())].filter(Boolean).join(' · ');
    const icon = secretIcon(this.props);
    ti.iconPath = new vscode.ThemeIcon(this.age === 'old' ? 'history' : 'git-commit', icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    return ti;
  }
  override lazyTooltip(): vscode.MarkdownString | string | undefined {
    return secretTooltip(this.props);
  }
}

/** "Airflow connections" / "Airflow variables" / "Airflow config" of a vault, labelled by conn id / key. */
export class AirflowGroupNode extends Node {
  readonly id: string;
  constructor(private readonly hub: Hub, readonly vaultNode: VaultNode, readonly kind: AirflowKind,
    private readonly members: SecretProps[], readonly origin: ConfigOrigin) {
    super();
    this.parent = vaultNode;
    this.id = `${vaultNode.id}|airflow|${kind}`;
  }
  get vault(): VaultRef {
    return this.vaultNode.vault;
  }
  treeItem(): vscode.TreeItem {
    const flag = { connection: 'airflowConnections', variable: 'airflowVariables', config: 'airflowConfig' }[this.kind];
    const ti = item(AIRFLOW_GROUP_LABELS[this.kind], this.id, Collapsed, `airflowGroup ${flag}`);
    ti.iconPath = new vscode.ThemeIcon(this.kind === 'connection' ? 'plug' : this.kind === 'variable' ? 'symbol-variable' : 'settings-gear');
    const partial = this.vaultNode.partial;
    ti.description = partial ? vscode.l10n.t('{0}+ · partial, loading…', this.members.length) : `${this.members.length}`;
    ti.tooltip = [vscode.l10n.t('{0} read by Airflow\'s AzureKeyVaultBackend from {1}', AIRFLOW_GROUP_LABELS[this.kind], this.vault.name),
      vscode.l10n.t('Backend configuration: {0}', describeOrigin(this.origin)),
      partial ? vscode.l10n.t('Partial: the vault still has pages to list.') : undefined].filter(Boolean).join('\n');
    return ti;
  }
  override async children(): Promise<Node[]> {
    const { config } = await this.hub.integrations.airflow.configFor(this.vault);
    return this.members.map((p) => {
      const n = new SecretNode(this.hub, this.vaultNode, p, secretKind(p, config), true);
      n.parent = this;
      return n;
    });
  }
}

export class DeletedFolderNode extends Node implements PagingNode {
  readonly id: string;
  constructor(private readonly hub: Hub, readonly vaultNode: VaultNode) {
    super();
    this.parent = vaultNode;
    this.id = `${vaultNode.id}|deleted`;
  }
  get list(): PagedList<DeletedSecretProps> {
    return this.hub.deletedList(this.vaultNode.vault);
  }
  override reset(): void {
    this.hub.resetPagedLists(`${listKey(this.vaultNode.vault)}|deleted`);
  }
  treeItem(): vscode.TreeItem {
    const ti = item(vscode.l10n.t('Deleted secrets'), this.id, Collapsed, 'deletedFolder');
    ti.iconPath = new vscode.ThemeIcon('trash');
    return ti;
  }
  override async children(): Promise<Node[]> {
    const filter = this.hub.filterFor(this.vaultNode.vault);
    const list = this.list;
    if (!list.loaded) await list.first();
    const nodes: Node[] = list.items.filter(compileFilter(filter))
      .map((d) => new DeletedSecretNode(this, d));
    if (list.token) nodes.push(new LoadMoreNode(this));
    if (nodes.length === 0) {
      nodes.push(new MessageNode(`${this.id}|empty`, filter ? vscode.l10n.t('No deleted secret names contain "{0}"', filter) : vscode.l10n.t('No deleted secrets'),
        filter ? 'filter' : 'info'));
    }
    return nodes;
  }
  async loadMore(): Promise<void> {
    await this.list.more();
  }
}

export class DeletedSecretNode extends Node {
  readonly id: string;
  constructor(readonly folder: DeletedFolderNode, readonly props: DeletedSecretProps) {
    super();
    this.parent = folder;
    this.id = `${folder.id}|${props.name.toLowerCase()}`;
  }
  get vault(): VaultRef {
    return this.folder.vaultNode.vault;
  }
  get name(): string {
    return this.props.name;
  }
  treeItem(): vscode.TreeItem {
    const flags = ['deletedSecret'];
    if (isPurgeable(this.props)) flags.push('purgeable');
    const ti = item(this.props.name, this.id, None, flags.join(' '));
    ti.iconPath = new vscode.ThemeIcon('trash');
    ti.description = deletedDescription(this.props);
    ti.tooltip = [vscode.l10n.t('{0} (deleted)', this.props.name),
      this.props.recoveryLevel && vscode.l10n.t('Recovery level: {0}', this.props.recoveryLevel),
      isPurgeable(this.props) ? undefined : vscode.l10n.t('Purge protection: it can only be recovered until the scheduled purge date.'),
    ].filter(Boolean).join('\n');
    return ti;
  }
}

function vaultNodes(hub: Hub, parent: Node, vaults: readonly VaultRef[], root: RootKind): VaultNode[] {
  return vaults.map((v) => {
    const n = new VaultNode(hub, v, root);
    n.parent = parent;
    return n;
  });
}

/** Anything a secret command can act on. */
export type SecretTarget = SecretNode | VersionNode;
