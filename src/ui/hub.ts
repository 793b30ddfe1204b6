// The extension's state behind the tree and the commands: which cloud, which credentials, which vaults
// (discovered, added by URL, local emulator), and one SecretsService per vault. No UI here beyond settings.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/core-auth';
import { cloudFromSetting } from '../azure/clouds';
import { createDiscoveryService, type DiscoveryService } from '../azure/discovery';
import type { CloudEnvironment, DeletedSecretProps, EmulatorReadyInfo, Page, SecretProps, SecretsService, SubscriptionRef, TenantRef, VaultRef } from '../azure/model';
import { normalizeVaultUrl, parseVaultUrl } from '../azure/names';
import { createSecretsService } from '../azure/secretsService';
import { WINDOW_BOUND_MS } from '../azure/serviceWindows';
import { createChainCredential, type ChainMember } from '../auth/chain';
import { createEmulatorCredential } from '../auth/emulatorCredential';
import { credentialForVault } from '../auth/guard';
import type { Integrations } from './integrations';
import { PagedList, vaultListKey } from './pagedList';
import { authProviderId, VSCodeSessionProvider } from './session';
import { userLevelSetting } from './userSettings';

export interface EmulatorState {
  info: EmulatorReadyInfo;
  port: number;
  vaults: VaultRef[];
  /** Started by this window (so "Stop" applies) rather than attached. */
  owned: boolean;
}

export interface TenantSubscriptions {
  tenant: TenantRef;
  subscriptions: SubscriptionRef[];
  /** Why the subscriptions of this tenant could not be listed (MFA required, guest without access, …). */
  error?: unknown;
}

const CONFIG = 'keyVault';

export class Hub implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly session = new VSCodeSessionProvider();
  private emulatorState: EmulatorState | undefined;
  private emulatorCredential: TokenCredential | undefined;
  private services = new Map<string, SecretsService>();
  private filters = new Map<string, string>();
  private readonly lists = new Map<string, PagedList<unknown>>();
  private globalFilter: string | undefined;
  private tenantsCache: Promise<TenantSubscriptions[]> | undefined;
  private vaultsCache: Promise<Map<string, VaultRef[]>> | undefined;
  private signedIn: Promise<boolean> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The discovery path taken last ('resourceGraph' or 'listBySubscription'), for tests and diagnostics. */
  lastDiscoveryPath: string | undefined;
  /** How long commands wait for Key Vault to finish a delete, recover or purge (src/azure/serviceWindows.ts); tests shorten it. */
  windowBoundMs = WINDOW_BOUND_MS;

  /**
   * @param integrations what the orchestrators read (Airflow backend configuration, ZenML keys seen): state of its
   * own, kept out of the hub
   */
  constructor(private readonly memento: vscode.Memento, readonly integrations: Integrations) {
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('microsoft-sovereign-cloud') || e.affectsConfiguration(`${CONFIG}.auth`) ||
        e.affectsConfiguration(`${CONFIG}.cloud`) || e.affectsConfiguration('azureResourceGroups.selectedSubscriptions')) {
        this.clearCaches(true);
        this.changed.fire();
      } else if (e.affectsConfiguration(`${CONFIG}.vaultUrls`) || e.affectsConfiguration(`${CONFIG}.secrets`)) {
        this.changed.fire();
      }
    }));
    this.disposables.push(vscode.authentication.onDidChangeSessions((e) => {
      if (e.provider.id !== authProviderId()) return; // e.g. a GitHub sign-in changes nothing here
      this.clearCaches(true);
      this.changed.fire();
    }));
  }

  // ---- configuration ----

  cloud(): CloudEnvironment {
    return cloudFromSetting(userLevelSetting<string>('microsoft-sovereign-cloud', 'environment'),
      userLevelSetting<unknown>('microsoft-sovereign-cloud', 'customEnvironment'));
  }

  cloudLabel(): string | undefined {
    try {
      const name = this.cloud().name;
      return name === 'AzureCloud' ? undefined : name;
    } catch {
      return vscode.l10n.t('invalid cloud setting');
    }
  }

  private chainMembers(): ChainMember[] {
    return vscode.workspace.getConfiguration(CONFIG).get<ChainMember[]>('auth.credentialChain') ??
      ['vscode', 'azureCli', 'azureDeveloperCli', 'environment', 'managedIdentity'];
  }

  /** PEM of a private CA to trust for the configured cloud's endpoints (custom clouds, Azure Stack Hub). */
  private cloudCa(): string | undefined {
    const file = vscode.workspace.getConfiguration(CONFIG).get<string>('cloud.caCertificateFile');
    return file ? fs.readFileSync(file, 'utf8') : undefined;
  }

  pageSize(): number {
    const n = vscode.workspace.getConfiguration(CONFIG).get<number>('secrets.pageSize') ?? 25;
    return Math.min(25, Math.max(1, Math.floor(n)));
  }

  // ---- Azure ----

  /** One chain per tenant, kept until sign-in state changes, so the member that worked is remembered. */
  private azureCredential(tenantId?: string): TokenCredential {
    const key = (tenantId ?? '').toLowerCase();
    let c = this.chains.get(key);
    if (!c) {
      c = createChainCredential(this.chainMembers(), { sessionProvider: this.session, cloud: this.cloud(), tenantId, ca: this.cloudCa() });
      this.chains.set(key, c);
    }
    return c;
  }

  private readonly chains = new Map<string, TokenCredential>();

  /** Silent probe: is any chain member able to get an ARM token without asking the user? */
  isAzureSignedIn(): Promise<boolean> {
    this.signedIn ??= (async () => {
      try {
        const token = await this.azureCredential().getToken(this.cloud().managementScope);
        return !!token;
      } catch {
        return false;
      }
    })();
    return this.signedIn;
  }

  isAzureVisible(): Promise<boolean> {
    return this.isAzureSignedIn();
  }

  /** Interactive sign-in through the VS Code Microsoft account. */
  async signIn(): Promise<void> {
    await this.session.getToken([this.cloud().managementScope], undefined, { interactive: true });
    this.clearCaches(true);
    this.changed.fire();
  }

  private discovery(): DiscoveryService {
    return createDiscoveryService({
      cloud: this.cloud(),
      credentialForTenant: (tenantId?: string) => this.azureCredential(tenantId),
      ca: this.cloudCa(),
    });
  }

  /** Subscriptions per tenant, honouring the tenant setting and the Azure Resources subscription filter. */
  azureTenants(): Promise<TenantSubscriptions[]> {
    this.tenantsCache ??= (async () => {
      const discovery = this.discovery();
      const wantedTenants = vscode.workspace.getConfiguration(CONFIG).get<string[]>('auth.tenants') ?? [];
      let tenants = await discovery.listTenants();
      if (wantedTenants.length) tenants = tenants.filter((t) => wantedTenants.some((w) => w.toLowerCase() === t.tenantId.toLowerCase()));
      const selected = vscode.workspace.getConfiguration('azureResourceGroups').get<string[]>('selectedSubscriptions') ?? [];
      const result: TenantSubscriptions[] = [];
      for (const tenant of tenants) {
        let subs: SubscriptionRef[];
        try {
          subs = await discovery.listSubscriptions(tenant.tenantId);
        } catch (error) {
          // a tenant the account cannot use (e.g. MFA required) does not hide the others; it shows its error
          result.push({ tenant, subscriptions: [], error });
          continue;
        }
        if (selected.length) {
          subs = subs.filter((s) => selected.some((sel) => sel.toLowerCase().endsWith(s.subscriptionId.toLowerCase())));
        }
        result.push({ tenant, subscriptions: subs });
      }
      return result;
    })();
    this.tenantsCache.catch(() => { this.tenantsCache = undefined; });
    return this.tenantsCache;
  }

  /** Vaults of one subscription, from a single discovery over every shown subscription. */
  async vaultsForSubscription(sub: SubscriptionRef): Promise<VaultRef[]> {
    this.vaultsCache ??= (async () => {
      const all = (await this.azureTenants()).flatMap((t) => t.subscriptions);
      const result = await this.discovery().discoverVaults(all);
      this.lastDiscoveryPath = result.path;
      for (const f of result.failures) this.discoveryFailures.set(f.subscriptionId.toLowerCase(), f.error);
      const bySub = new Map<string, VaultRef[]>();
      for (const v of result.vaults) {
        const key = (v.subscriptionId ?? '').toLowerCase();
        bySub.set(key, [...(bySub.get(key) ?? []), v]);
      }
      for (const list of bySub.values()) list.sort((a, b) => a.name.localeCompare(b.name));
      return bySub;
    })();
    this.vaultsCache.catch(() => { this.vaultsCache = undefined; });
    const vaults = (await this.vaultsCache).get(sub.subscriptionId.toLowerCase());
    // a subscription whose listing failed says why, instead of looking empty
    const failure = this.discoveryFailures.get(sub.subscriptionId.toLowerCase());
    if (!vaults && failure) throw failure;
    return vaults ?? [];
  }

  private readonly discoveryFailures = new Map<string, unknown>();

  // ---- vaults added by URL ----

  urlVaults(): VaultRef[] {
    const urls = vscode.workspace.getConfiguration(CONFIG).get<string[]>('vaultUrls') ?? [];
    const out: VaultRef[] = [];
    for (const u of urls) {
      try {
        const parsed = parseVaultUrl(u, this.cloud());
        out.push({ name: parsed.name, url: parsed.url, source: 'url' });
      } catch {
        // an invalid entry in settings is skipped; addVaultByUrl never writes one
      }
    }
    return out;
  }

  async addVaultUrl(url: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG);
    const urls = config.get<string[]>('vaultUrls') ?? [];
    if (urls.some((u) => normalizeVaultUrl(u) === normalizeVaultUrl(url))) return;
    await config.update('vaultUrls', [...urls, url], vscode.ConfigurationTarget.Global);
  }

  async removeVaultUrl(url: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG);
    const urls = config.get<string[]>('vaultUrls') ?? [];
    await config.update('vaultUrls', urls.filter((u) => normalizeVaultUrl(u) !== normalizeVaultUrl(url)),
      vscode.ConfigurationTarget.Global);
  }

  // ---- local emulator ----

  emulator(): EmulatorState | undefined {
    return this.emulatorState;
  }

  emulatorConfigured(): boolean {
    return this.memento.get<boolean>('keyVault.emulator.used', false);
  }

  /** Shows an emulator's vaults; throws (changing nothing) when its CA cannot be read — a stale ready line. */
  setEmulator(info: EmulatorReadyInfo | undefined, owned: boolean): void {
    let credential: TokenCredential | undefined;
    if (info) {
      if (!fs.existsSync(info.ca)) {
        throw new Error(vscode.l10n.t('The emulator on port {0} is gone or was restarted: its CA file {1} does not exist. Start or attach the emulator again.', info.port, info.ca));
      }
      credential = createEmulatorCredential(info);
    }
    this.emulatorState = info && {
      info, port: info.port, owned,
      vaults: info.vaults.map((v) => ({ name: v.name, url: normalizeVaultUrl(v.url), source: 'emulator' as const })),
    };
    this.emulatorCredential = credential;
    for (const key of [...this.services.keys()]) if (key.startsWith('emulator|')) this.services.delete(key);
    this.resetPagedLists();
    if (info) void this.memento.update('keyVault.emulator.used', true);
    void vscode.commands.executeCommand('setContext', 'keyVault.emulatorRunning', !!(info && owned));
    this.changed.fire();
  }

  // ---- data plane ----

  /** The SecretsService for a vault, with the credential its source allows (never the Azure one for the emulator). */
  service(vault: VaultRef): SecretsService {
    const key = `${vault.source}|${vault.url.toLowerCase()}`;
    let s = this.services.get(key);
    if (!s) {
      if (vault.source === 'emulator') {
        const em = this.emulatorState;
        if (!em || !this.emulatorCredential) throw new Error(vscode.l10n.t('The local emulator is not running: start or attach it first.'));
        const credential = credentialForVault(vault, { emulatorCredential: this.emulatorCredential, cloud: this.cloud(),
          emulatorHosts: [`*.vault.localhost:${em.port}`] });
        s = createSecretsService(vault, credential, { ca: fs.readFileSync(em.info.ca, 'utf8') });
      } else {
        const cloud = this.cloud();
        const credential = credentialForVault(vault, { azureCredential: this.azureCredential(vault.tenantId), cloud });
        s = createSecretsService(vault, credential, { ca: this.cloudCa() });
      }
      this.services.set(key, s);
    }
    return s;
  }

  /**
   * Every vault currently known (for quick picks): emulator, URL, discovered. Azure discovery failing does not hide
   * the others; it is reported only when nothing else is there.
   */
  async knownVaults(): Promise<VaultRef[]> {
    const out: VaultRef[] = [...(this.emulatorState?.vaults ?? []), ...this.urlVaults()];
    try {
      if (await this.isAzureSignedIn()) {
        for (const t of await this.azureTenants()) for (const s of t.subscriptions) out.push(...await this.vaultsForSubscription(s));
      }
    } catch (err) {
      if (out.length === 0) throw err;
      this.onDiscoveryError?.(err);
    }
    return out;
  }

  /** Where discovery errors go when they are not shown (the output channel). */
  onDiscoveryError?: (err: unknown) => void;

  /** One paged list per key ("<vault url>|secrets", "<vault url>|versions|<name>", …). */
  pagedList<T>(key: string, fetch: (token?: string) => Promise<Page<T>>): PagedList<T> {
    let list = this.lists.get(key) as PagedList<T> | undefined;
    if (!list) {
      list = new PagedList(fetch);
      this.lists.set(key, list as PagedList<unknown>);
    }
    return list;
  }

  /** The vault's secrets listing the tree shows (one per vault, shared by every node and the editor features). */
  secretsList(vault: VaultRef): PagedList<SecretProps> {
    return this.pagedList(`${vaultListKey(vault)}|secrets`, (token) => this.service(vault).listSecrets({
      continuationToken: token, maxPageSize: this.pageSize() }));
  }

  /** The vault's deleted secrets listing (the tree's "Deleted secrets" folder). */
  deletedList(vault: VaultRef): PagedList<DeletedSecretProps> {
    return this.pagedList(`${vaultListKey(vault)}|deleted`, (token) => this.service(vault).listDeletedSecrets({
      continuationToken: token, maxPageSize: this.pageSize() }));
  }

  /** A secret's metadata if its vault's list is loaded (case-insensitive, as Key Vault names are). */
  knownSecret(vault: VaultRef, name: string): SecretProps | undefined {
    const list = this.lists.get(`${vaultListKey(vault)}|secrets`) as PagedList<SecretProps> | undefined;
    return list?.items.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  /** Drops the cached pages of one vault (every key starting with its URL), or of every vault. */
  resetPagedLists(prefix?: string): void {
    for (const [key, list] of [...this.lists]) {
      if (prefix && !key.startsWith(prefix)) continue;
      list.drop();
      this.lists.delete(key);
    }
  }

  // ---- filters ----

  filterFor(vault: VaultRef): string | undefined {
    return this.filters.get(vault.url.toLowerCase()) ?? this.globalFilter;
  }

  setFilter(vault: VaultRef | undefined, filter: string | undefined): void {
    if (vault) {
      if (filter) this.filters.set(vault.url.toLowerCase(), filter);
      else this.filters.delete(vault.url.toLowerCase());
    } else {
      this.globalFilter = filter || undefined;
      if (!filter) this.filters.clear();
    }
    void vscode.commands.executeCommand('setContext', 'keyVault.filterActive', !!this.globalFilter || this.filters.size > 0);
  }

  clearCaches(auth = false): void {
    this.resetPagedLists();
    this.tenantsCache = undefined;
    this.vaultsCache = undefined;
    this.discoveryFailures.clear();
    if (auth) {
      this.signedIn = undefined;
      this.chains.clear();
      for (const key of [...this.services.keys()]) if (!key.startsWith('emulator|')) this.services.delete(key);
    }
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
